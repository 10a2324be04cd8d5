// The exchange's durable state: the journal of raw department messages, the outbox of case
// events to deliver (per-case FIFO), delivery attempts, receipts and dead letters.
// Two implementations behind one interface: SQLite (embedded default: one file, WAL,
// synchronous=FULL) and PostgreSQL (several gateway instances; FOR UPDATE SKIP LOCKED).
// Thread-safe: every method may be called from any thread (implementations pool sessions).
// Failures of the database (I/O, lost connection, lock timeout) return Error{"store.*", ...};
// nothing here throws. Why the backends use the sqlite3 and libpq C APIs: README.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/core/RawMessage.h"

namespace huitong::storage {

// Where the store lives. kind "sqlite": `path` is the database file (created if missing).
// kind "postgresql": `connection` is a libpq key/value string
// ("host=127.0.0.1 port=5432 dbname=huitong user=huitong").
struct StoreConfig {
  std::string kind = "sqlite";
  std::string path;
  std::string connection;
  unsigned poolSize = 8;
};

// One case event produced from a journaled message, ready for the outbox.
struct OutboxEvent {
  std::string eventId;  // spec §4 id: unique in the outbox
  std::string caseKey;  // "{system}:{case_no}": events of one case are delivered in order
  std::string payload;  // the case event as JSON text, exactly what is sent
};

// What intake asks the store to keep, in one transaction.
struct IntakeRecord {
  RawMessage raw;
  std::string messageId;            // assigned by the caller (unique)
  std::string digest;               // SHA-256 hex of system + bytes: the same message twice
  std::string state;                // "accepted" (some events valid) or "rejected"
  std::vector<OutboxEvent> events;  // in delivery order
  std::string answerJson;           // the intake answer body, returned again for a repeat
};

struct IntakeOutcome {
  std::string messageId;
  bool repeated = false;   // the same (system, digest) was journaled before:
  std::string answerJson;  // ... and this is the first time's answer
};

// An outbox row claimed for delivery.
struct OutboxItem {
  std::int64_t id = 0;
  std::string eventId;
  std::string caseKey;
  std::string messageId;
  std::string payload;
  int attempts = 0;  // attempts made before this claim
};

// Per-event delivery state as a department's status query shows it.
struct EventStatus {
  std::string eventId;
  std::string state;  // "pending" | "delivered" | "dead"
  int attempts = 0;
  std::string receiptJson;  // platform receipt when delivered
  std::string lastError;    // last failure (dead letter reason when dead)
};

struct MessageStatus {
  std::string messageId;
  std::string system;
  std::string state;  // "received" | "rejected" | "delivering" | "delivered" | "dead"
  EpochMillis receivedAt = 0;
  std::string answerJson;  // the intake answer (holds the rejections)
  std::vector<EventStatus> events;
};

// One event production queued for a journaled message: its id and its outbox payload as it
// stands now (a re-queued dead letter keeps its re-mapped payload). payload is "" when the
// outbox has no row for the id (not seen so far; kept so the journal's list is complete).
struct JournaledEvent {
  std::string eventId;
  std::string payload;
};

// A journaled message with what production made of it, for replaying it through another
// mapping version (gateway/exchange/Replay.h).
struct JournalEntry {
  std::int64_t journalId = 0;  // the journal's row id: the page cursor
  std::string messageId;
  RawMessage raw;
  std::string state;                   // "accepted" | "rejected"
  std::string answerJson;              // the intake answer (its rejections)
  std::vector<JournaledEvent> events;  // in the message's order (journal_event.seq)
};

// Messages of one system received in [from, to), read a page at a time.
struct JournalRange {
  std::string system;
  EpochMillis from = 0;
  EpochMillis to = 0;
};

// The most journal entries one journalPage() returns.
constexpr int kMaxJournalPage = 1000;

// The outcome of one delivery attempt of a claimed item, recorded by settle().
struct Settlement {
  enum class Outcome { kDelivered, kRetry, kDead };
  std::int64_t outboxId = 0;
  Outcome outcome = Outcome::kDelivered;
  std::string detail;  // kDelivered: the platform's receipt JSON; kRetry, kDead: the error
  EpochMillis at = 0;  // kDelivered, kDead: now; kRetry: when the next attempt is due
};

struct DeadLetter {
  std::int64_t outboxId = 0;
  std::string eventId;
  std::string messageId;
  std::string system;
  std::string payload;
  std::string lastError;
  int attempts = 0;
  EpochMillis deadAt = 0;
};

// Per-item health (gateway/health): an event's item is the case event's item.code in its outbox
// payload; its system is the case key's prefix ("{system}:{case_no}").
// One event queued for a system's message received in a window (ExchangeStore::itemEvents).
struct ItemEvent {
  std::string item;
  EpochMillis receivedAt = 0;   // the message's (= the event's accepted time)
  EpochMillis deliveredAt = 0;  // 0 unless delivered
  bool dead = false;            // a dead letter now (discarded ones are not)
};

// What waits in the outbox for one item: pending events and dead letters not yet discarded.
struct ItemBacklog {
  std::string system;
  std::string item;
  std::int64_t pending = 0;
  EpochMillis oldestPending = 0;  // accepted time of the oldest pending event (0: none)
  std::int64_t dead = 0;
  EpochMillis lastDeadAt = 0;  // when the newest dead letter died (0: none)
};

// An item's latest traffic, however old (ExchangeStore::itemLast).
struct ItemLast {
  EpochMillis received = 0;   // the newest event's accepted time (0: never)
  EpochMillis delivered = 0;  // delivery time of the newest delivered event (0: never)
};

class ExchangeStore {
 public:
  virtual ~ExchangeStore() = default;

  // Opens (creating and migrating the schema to the latest version) the store.
  static Result<std::unique_ptr<ExchangeStore>> open(const StoreConfig& config);
  // Creates the database or migrates it to latestSchemaVersion(), then closes it: for the
  // other stores that share the database and open their own connections (gateway/registry).
  static Result<void> migrate(const StoreConfig& config);

  // Journals a message and its events durably (committed, fsync'ed) before returning. When
  // (system, digest) was journaled before, nothing is written and the first outcome returns.
  // An event whose eventId is already in the outbox (the same event re-sent inside a different
  // message, e.g. a retried push with a new pushTime) gets no second outbox row: it would be
  // delivered twice. The message still lists it, and messageStatus shows the one outbox row's
  // state. Events are due at raw.receivedAt. A messageId used before: "store.constraint".
  // SQLite: concurrent calls are group-committed (one transaction and one fsync per batch).
  virtual Result<IntakeOutcome> recordIntake(const IntakeRecord& record) = 0;

  // Claims up to `limit` deliverable outbox items: for each case only its oldest pending
  // event, and only when its next attempt is due (<= now) and no live claim holds it.
  // A claim expires after `leaseMillis` (a crashed worker's items become claimable again).
  // Items come in outbox id order. Concurrent claimers (threads, processes, instances sharing
  // a PostgreSQL store) never get the same item while its lease holds. Per-case order is id
  // order; on PostgreSQL two messages of one case committed concurrently are ordered by id,
  // which may differ from their commit order by the width of that race.
  virtual Result<std::vector<OutboxItem>> claimDeliverable(int limit, EpochMillis now,
                                                           EpochMillis leaseMillis) = 0;
  // The item was accepted by the platform (counts as an attempt; releases the claim).
  // Idempotent for an item already delivered (the first receipt stays). Unknown id:
  // "store.not_found"; a dead or discarded item: "store.conflict".
  virtual Result<void> markDelivered(std::int64_t outboxId, const std::string& receiptJson,
                                     EpochMillis now) = 0;
  // A failed attempt to retry at `nextAttemptAt` (attempts + 1, claim released, the case waits).
  // REQUIRES: the item is pending ("store.not_found" / "store.conflict" otherwise).
  virtual Result<void> markRetry(std::int64_t outboxId, const std::string& error,
                                 EpochMillis nextAttemptAt) = 0;
  // A permanent failure: the event becomes a dead letter and leaves the case's queue (later
  // events of the case go on; the platform accepts a stage that arrives late).
  // REQUIRES: the item is pending (attempts + 1; "store.not_found" / "store.conflict" otherwise).
  virtual Result<void> markDead(std::int64_t outboxId, const std::string& error,
                                EpochMillis now) = 0;
  // Records a delivery round's outcomes at once: each settlement is judged exactly as
  // markDelivered / markRetry / markDead would judge it, and the answer holds one result per
  // settlement, in order (a refused one, "store.not_found" / "store.conflict", changes nothing
  // and does not stop the others). Both backends write the whole round in one transaction
  // (SQLite: one writer slot, one fsync); a database failure fails and undoes all of it.
  // This default calls the single-item methods one by one (one commit each) for stores, such
  // as test doubles, that have nothing better.
  virtual Result<std::vector<Result<void>>> settle(const std::vector<Settlement>& settlements);

  // The message as its department sees it, or nullopt when `messageId` is not one of `system`'s.
  // state: "rejected" (journal state); "dead" when any event is dead (a discarded dead letter
  // shows as "dead" too); "delivered" when all are delivered (also when there are none);
  // "received" when all are pending with no attempt yet; else "delivering".

  virtual Result<std::optional<MessageStatus>> messageStatus(const std::string& system,
                                                             const std::string& messageId) = 0;
  // The journaled raw message (for re-mapping after a mapping fix).
  virtual Result<std::optional<RawMessage>> journaledMessage(const std::string& messageId) = 0;

  // Dead letters with outboxId > afterId, in id order (page with the last id seen).
  virtual Result<std::vector<DeadLetter>> deadLetters(int limit, std::int64_t afterId) = 0;
  // Re-queues a dead letter, optionally with a new payload (re-mapped from the journal; empty
  // keeps the old one): pending again, due at `now`, attempts back to 0, keeping its outbox id,
  // so it is again the head of its case if later events are still pending. Every dead /
  // requeued / discarded transition is kept in the dead_letter_log table.
  // REQUIRES: the item is dead ("store.not_found" / "store.conflict" otherwise).
  virtual Result<void> requeueDeadLetter(std::int64_t outboxId, const std::string& newPayload,
                                         EpochMillis now) = 0;
  // Gives a dead letter up for good: it leaves deadLetters(). REQUIRES: the item is dead.
  virtual Result<void> discardDeadLetter(std::int64_t outboxId, EpochMillis now) = 0;

  // Journaled messages of range.system received in [range.from, range.to), ordered by
  // (received_at, journal id), after the entry whose journal id is `afterId` (0: from the
  // start), at most `limit` (clamped to 1..kMaxJournalPage), each with the events production
  // queued for it. The next page starts after the last entry's journalId; a page shorter than
  // `limit` is the last. An `afterId` that is not a journaled message of the system:
  // "store.not_found". Reads run off the intake writer (SQLite: a reader connection) and use
  // the (system, received_at, id) index, so a page costs the same deep into millions of rows.
  // Not pure, so that test doubles of this interface need not implement it.
  virtual Result<std::vector<JournalEntry>> journalPage(const JournalRange& range,
                                                        std::int64_t afterId, int limit);
  // How many messages journalPage() would walk through for `range` (a progress estimate: the
  // journal only grows, so a later count can be larger).
  virtual Result<std::int64_t> journalCount(const JournalRange& range);

  // Per-item health. None is pure, so that test doubles of this interface need not implement
  // them; reads run off the intake writer (SQLite: a reader connection).
  // The events queued for `system`'s messages received at or after `from`, in no particular
  // order: one range of index journal_system_received, each message's events by outbox_message.
  virtual Result<std::vector<ItemEvent>> itemEvents(const std::string& system, EpochMillis from);
  // Pending events and dead letters per (system, item), from the partial indexes on pending and
  // dead rows (their count is the cost: a long platform outage makes it grow).
  virtual Result<std::vector<ItemBacklog>> itemBacklogs();
  // The intake answers (answer_json) of `system`'s messages received at or after `from` that
  // refused at least one rule (the filing gate's refusals included; the caller tells them apart).
  virtual Result<std::vector<std::string>> rejectionAnswers(const std::string& system,
                                                            EpochMillis from);
  // The newest event of (system, item) and the newest delivered one, walking the system's
  // journal back from the newest message: cheap for an item with recent traffic, a walk of the
  // system's whole journal for one that never had any (the caller keeps the answer).
  virtual Result<ItemLast> itemLast(const std::string& system, const std::string& item);

  // Gauges for /metrics.
  struct Depths {
    std::int64_t journal = 0;
    std::int64_t pending = 0;
    std::int64_t dead = 0;
  };
  virtual Result<Depths> depths() = 0;

  // The schema versions recorded in schema_migrations, ascending (tests, `huitong inspect`).
  // Not pure, so that test doubles of this interface need not implement it.
  virtual Result<std::vector<int>> appliedMigrations() {
    return Error{"store.unsupported", "this store keeps no schema migrations", ""};
  }
};

// The schema version open() migrates to (the last numbered migration).
int latestSchemaVersion();

}  // namespace huitong::storage
