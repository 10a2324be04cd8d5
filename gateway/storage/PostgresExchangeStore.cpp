#include "gateway/storage/PostgresExchangeStore.h"

#include <libpq-fe.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>

#include "gateway/storage/MessageState.h"
#include "gateway/storage/Migrations.h"
#include "gateway/storage/Queries.h"

// Returns the Error of a failed Result-valued expression from the enclosing function.
#define STORE_TRY(expr)         \
  do {                          \
    auto&& storeTry_ = (expr);  \
    if (!storeTry_.ok()) {      \
      return storeTry_.error(); \
    }                           \
  } while (0)

namespace huitong::storage {
namespace {

namespace q = queries;

// Serialization failures and deadlocks are retried this many times before the caller sees them.
constexpr int kTransactionAttempts = 3;
// Taken while migrating, so that instances starting together migrate one after the other.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7256143211590139904)";
constexpr const char* kRetryCode = "store.retry";

// Parameters of one statement: text format, except bytes (binary: no escaping, any byte).
class Params {
 public:
  Params& text(std::string v) {
    values_.push_back(std::move(v));
    formats_.push_back(0);
    return *this;
  }
  Params& int64(std::int64_t v) { return text(std::to_string(v)); }
  Params& bytes(std::string v) {
    values_.push_back(std::move(v));
    formats_.push_back(1);
    return *this;
  }

  int size() const { return static_cast<int>(values_.size()); }
  std::vector<const char*> pointers() const {
    std::vector<const char*> p;
    for (const std::string& v : values_) {
      p.push_back(v.c_str());
    }
    return p;
  }
  std::vector<int> lengths() const {
    std::vector<int> l;
    for (const std::string& v : values_) {
      l.push_back(static_cast<int>(v.size()));
    }
    return l;
  }
  const int* formats() const { return formats_.data(); }

 private:
  std::vector<std::string> values_;
  std::vector<int> formats_;
};

class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r, &PQclear) {}
  int count() const { return PQntuples(r_.get()); }
  bool isNull(int row, int c) const { return PQgetisnull(r_.get(), row, c) != 0; }
  std::string text(int row, int c) const {
    return std::string(PQgetvalue(r_.get(), row, c),
                       static_cast<std::size_t>(PQgetlength(r_.get(), row, c)));
  }
  std::int64_t int64(int row, int c) const {
    return std::strtoll(PQgetvalue(r_.get(), row, c), nullptr, 10);
  }
  std::string bytes(int row, int c) const {
    std::size_t n = 0;
    unsigned char* p =
        PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r_.get(), row, c)), &n);
    if (p == nullptr) {
      throw std::bad_alloc();
    }
    std::string out(reinterpret_cast<const char*>(p), n);
    PQfreemem(p);
    return out;
  }
  // Rows an INSERT/UPDATE touched.
  long affected() const { return std::strtol(PQcmdTuples(r_.get()), nullptr, 10); }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

// One libpq connection with its prepared statements. Used by one thread at a time.
class Connection {
 public:
  explicit Connection(PGconn* conn) : conn_(conn) {
    // Notices ("relation ... already exists, skipping") are not errors; libpq would print them
    // on stderr.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { PQfinish(conn_); }

  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }
  std::string errorMessage() const { return PQerrorMessage(conn_); }

  // Reconnects after the server went away (prepared statements went with the old session).
  Result<void> reset() {
    PQreset(conn_);
    prepared_.clear();
    if (!healthy()) {
      return Error{"store.unavailable",
                   std::string("cannot reconnect to PostgreSQL: ") + PQerrorMessage(conn_), ""};
    }
    return {};
  }

  // Runs one of Queries.h's statements (prepared once per session, cached by address).
  Result<Rows> run(const char* sql, const Params& params) {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      std::string name = "huitong_" + std::to_string(prepared_.size());
      STORE_TRY(check(PQprepare(conn_, name.c_str(), sql, params.size(), nullptr)));
      it = prepared_.emplace(sql, std::move(name)).first;
    }
    const auto values = params.pointers();
    const auto lengths = params.lengths();
    return check(PQexecPrepared(conn_, it->second.c_str(), params.size(), values.data(),
                                lengths.data(), params.formats(), 0));
  }

  // Runs SQL text without parameters (may hold several statements).
  Result<Rows> exec(const char* sql) { return check(PQexec(conn_, sql)); }

 private:
  Result<Rows> check(PGresult* res) {
    Rows rows(res);
    const ExecStatusType status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      return rows;
    }
    const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const std::string sqlstate = state != nullptr ? state : "";
    std::string message = res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    const char* code = "store.sql";
    if (!healthy() || sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0) {
      code = "store.unavailable";
    } else if (sqlstate == "40001" || sqlstate == "40P01") {
      code = kRetryCode;
    } else if (sqlstate.rfind("23", 0) == 0) {
      code = "store.constraint";
    }
    return Error{code, "PostgreSQL: " + message, ""};
  }

  PGconn* conn_;
  std::unordered_map<const char*, std::string> prepared_;
};

std::string withDefaults(const std::string& connection) {
  std::string s = connection;
  if (s.find("connect_timeout") == std::string::npos) {
    s += " connect_timeout=10";
  }
  if (s.find("application_name") == std::string::npos) {
    s += " application_name=huitong";
  }
  return s;
}

Result<std::unique_ptr<Connection>> connect(const std::string& connection) {
  auto conn = std::make_unique<Connection>(PQconnectdb(connection.c_str()));
  if (!conn->healthy()) {
    std::string message = conn->errorMessage();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    return Error{"store.unavailable", "cannot connect to PostgreSQL: " + message, ""};
  }
  return conn;
}

template <typename T, typename F>
Result<T> guarded(const char* operation, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Error{"store.internal", std::string(operation) + " failed: " + e.what(), ""};
  }
}

Result<std::optional<std::string>> outboxState(Connection& c, std::int64_t id) {
  auto rows = c.run(q::kOutboxState, Params().int64(id));
  STORE_TRY(rows);
  if (rows.value().count() == 0) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(rows.value().text(0, 0));
}

// Runs an UPDATE guarded by "AND state = ...": no row changed means the transition is refused.
// The outer error is the database's; the inner one (no row changed) is the refusal.
Result<std::optional<Error>> guardedTransition(Connection& c, const char* operation,
                                               std::int64_t id, const char* sql,
                                               const Params& params, bool deliveredIsIdempotent) {
  auto rows = c.run(sql, params);
  STORE_TRY(rows);
  if (rows.value().affected() > 0) {
    return std::optional<Error>();
  }
  auto state = outboxState(c, id);
  STORE_TRY(state);
  return refusedTransition(operation, id, state.value(), deliveredIsIdempotent);
}

Result<void> transition(Connection& c, const char* operation, std::int64_t id, const char* sql,
                        const Params& params, bool deliveredIsIdempotent) {
  auto refused = guardedTransition(c, operation, id, sql, params, deliveredIsIdempotent);
  STORE_TRY(refused);
  if (refused.value()) {
    return *refused.value();
  }
  return {};
}

Result<void> logDeadLetter(Connection& c, std::int64_t id, const char* action, EpochMillis at) {
  auto rows = c.run(q::kLogDeadLetter, Params().int64(id).text(action).int64(at));
  STORE_TRY(rows);
  return {};
}

// One delivery outcome, inside the caller's transaction (see ExchangeStore::settle).
Result<std::optional<Error>> applySettlement(Connection& c, const Settlement& s) {
  const Params params = Params().int64(s.outboxId).text(s.detail).int64(s.at);
  switch (s.outcome) {
    case Settlement::Outcome::kDelivered:
      return guardedTransition(c, "markDelivered", s.outboxId, q::kMarkDelivered, params, true);
    case Settlement::Outcome::kRetry:
      return guardedTransition(c, "markRetry", s.outboxId, q::kMarkRetry, params, false);
    case Settlement::Outcome::kDead: {
      auto refused = guardedTransition(c, "markDead", s.outboxId, q::kMarkDead, params, false);
      STORE_TRY(refused);
      if (!refused.value()) {
        STORE_TRY(logDeadLetter(c, s.outboxId, "dead", s.at));
      }
      return refused;
    }
  }
  return Error{"store.internal", "unknown settlement outcome", ""};
}

class PostgresExchangeStore final : public ExchangeStore {
 public:
  PostgresExchangeStore(const StoreConfig& config, std::string connection,
                        std::unique_ptr<Connection> first)
      : config_(config), connection_(std::move(connection)) {
    idle_.push_back(std::move(first));
    open_ = 1;
  }

  Result<IntakeOutcome> recordIntake(const IntakeRecord& r) override {
    return guarded<IntakeOutcome>("recordIntake", [&] {
      return inTransaction<IntakeOutcome>([&](Connection& c) -> Result<IntakeOutcome> {
        auto inserted = c.run(q::kInsertJournal, Params()
                                                     .text(r.messageId)
                                                     .text(r.raw.system)
                                                     .text(r.raw.adapter)
                                                     .text(r.raw.contentType)
                                                     .text(r.raw.charset)
                                                     .bytes(r.raw.bytes)
                                                     .text(r.raw.sourceRef)
                                                     .int64(r.raw.receivedAt)
                                                     .text(r.digest)
                                                     .text(r.state)
                                                     .text(r.answerJson));
        STORE_TRY(inserted);
        if (inserted.value().affected() == 0) {
          // (system, digest) is journaled: by an earlier intake, or by a concurrent one that
          // ON CONFLICT waited for; READ COMMITTED lets this statement see it.
          auto first = c.run(q::kFindByDigest, Params().text(r.raw.system).text(r.digest));
          STORE_TRY(first);
          if (first.value().count() == 0) {
            return Error{kRetryCode, "a concurrent duplicate intake rolled back", ""};
          }
          return IntakeOutcome{first.value().text(0, 0), true, first.value().text(0, 1)};
        }
        for (std::size_t i = 0; i < r.events.size(); ++i) {
          const OutboxEvent& e = r.events[i];
          STORE_TRY(c.run(q::kInsertOutbox, Params()
                                                .text(e.eventId)
                                                .text(e.caseKey)
                                                .text(r.messageId)
                                                .text(e.payload)
                                                .int64(r.raw.receivedAt)));
          STORE_TRY(c.run(
              q::kInsertJournalEvent,
              Params().text(r.messageId).int64(static_cast<std::int64_t>(i)).text(e.eventId)));
        }
        return IntakeOutcome{r.messageId, false, r.answerJson};
      });
    });
  }

  Result<std::vector<OutboxItem>> claimDeliverable(int limit, EpochMillis now,
                                                   EpochMillis leaseMillis) override {
    using Items = std::vector<OutboxItem>;
    return guarded<Items>("claimDeliverable", [&]() -> Result<Items> {
      if (limit <= 0) {
        return Items();
      }
      return inTransaction<Items>([&](Connection& c) -> Result<Items> {
        auto rows =
            c.run(q::kPostgresClaim, Params().int64(now).int64(limit).int64(now + leaseMillis));
        STORE_TRY(rows);
        const Rows& r = rows.value();
        Items items;
        for (int i = 0; i < r.count(); ++i) {
          items.push_back(OutboxItem{r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3),
                                     r.text(i, 4), static_cast<int>(r.int64(i, 5))});
        }
        std::sort(items.begin(), items.end(),
                  [](const OutboxItem& a, const OutboxItem& b) { return a.id < b.id; });
        return items;
      });
    });
  }

  Result<void> markDelivered(std::int64_t outboxId, const std::string& receiptJson,
                             EpochMillis now) override {
    return settleOne("markDelivered",
                     Settlement{outboxId, Settlement::Outcome::kDelivered, receiptJson, now});
  }

  Result<void> markRetry(std::int64_t outboxId, const std::string& error,
                         EpochMillis nextAttemptAt) override {
    return settleOne("markRetry",
                     Settlement{outboxId, Settlement::Outcome::kRetry, error, nextAttemptAt});
  }

  Result<void> markDead(std::int64_t outboxId, const std::string& error, EpochMillis now) override {
    return settleOne("markDead", Settlement{outboxId, Settlement::Outcome::kDead, error, now});
  }

  Result<std::vector<Result<void>>> settle(const std::vector<Settlement>& settlements) override {
    using Results = std::vector<Result<void>>;
    return guarded<Results>("settle", [&]() -> Result<Results> {
      if (settlements.empty()) {
        return Results();
      }
      return inTransaction<Results>([&](Connection& c) -> Result<Results> {
        Results results;
        for (const Settlement& s : settlements) {
          auto refused = applySettlement(c, s);
          STORE_TRY(refused);
          if (refused.value()) {
            results.emplace_back(*refused.value());
          } else {
            results.emplace_back();
          }
        }
        return results;
      });
    });
  }

  Result<std::optional<MessageStatus>> messageStatus(const std::string& system,
                                                     const std::string& messageId) override {
    using Status = std::optional<MessageStatus>;
    return guarded<Status>("messageStatus", [&] {
      return withConnection<Status>([&](Connection& c) -> Result<Status> {
        auto rows = c.run(q::kMessageStatus, Params().text(messageId).text(system));
        STORE_TRY(rows);
        const Rows& r = rows.value();
        if (r.count() == 0) {
          return Status();
        }
        MessageStatus status{messageId, system, "", r.int64(0, 1), r.text(0, 2), {}};
        for (int i = 0; i < r.count(); ++i) {
          if (!r.isNull(i, 3)) {
            status.events.push_back(EventStatus{r.text(i, 3), publicEventState(r.text(i, 4)),
                                                static_cast<int>(r.int64(i, 5)), r.text(i, 6),
                                                r.text(i, 7)});
          }
        }
        status.state = deriveMessageState(r.text(0, 0), status.events);
        return Status(std::move(status));
      });
    });
  }

  Result<std::optional<RawMessage>> journaledMessage(const std::string& messageId) override {
    using Raw = std::optional<RawMessage>;
    return guarded<Raw>("journaledMessage", [&] {
      return withConnection<Raw>([&](Connection& c) -> Result<Raw> {
        auto rows = c.run(q::kJournaledMessage, Params().text(messageId));
        STORE_TRY(rows);
        const Rows& r = rows.value();
        if (r.count() == 0) {
          return Raw();
        }
        return Raw(RawMessage{r.text(0, 0), r.text(0, 1), r.text(0, 2), r.text(0, 3), r.bytes(0, 4),
                              r.text(0, 5), r.int64(0, 6)});
      });
    });
  }

  Result<std::vector<DeadLetter>> deadLetters(int limit, std::int64_t afterId) override {
    using Letters = std::vector<DeadLetter>;
    return guarded<Letters>("deadLetters", [&] {
      return withConnection<Letters>([&](Connection& c) -> Result<Letters> {
        auto rows = c.run(q::kDeadLetters, Params().int64(afterId).int64(std::max(limit, 0)));
        STORE_TRY(rows);
        const Rows& r = rows.value();
        Letters letters;
        for (int i = 0; i < r.count(); ++i) {
          letters.push_back(DeadLetter{r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3),
                                       r.text(i, 4), r.text(i, 5), static_cast<int>(r.int64(i, 6)),
                                       r.int64(i, 7)});
        }
        return letters;
      });
    });
  }

  Result<std::vector<JournalEntry>> journalPage(const JournalRange& range, std::int64_t afterId,
                                                int limit) override {
    using Entries = std::vector<JournalEntry>;
    return guarded<Entries>("journalPage", [&] {
      return withConnection<Entries>([&](Connection& c) -> Result<Entries> {
        // Without a cursor, (from - 1, 0) lets every row of the range through.
        std::int64_t cursorAt = range.from - 1;
        if (afterId > 0) {
          auto rows = c.run(q::kJournalCursor, Params().int64(afterId).text(range.system));
          STORE_TRY(rows);
          if (rows.value().count() == 0) {
            return Result<Entries>(Error{"store.not_found",
                                         "no journaled message of " + range.system +
                                             " has journal id " + std::to_string(afterId),
                                         ""});
          }
          cursorAt = rows.value().int64(0, 0);
        }
        const std::int64_t low = std::max(range.from, cursorAt);
        const std::int64_t size = std::clamp(limit, 1, kMaxJournalPage);
        auto rows = c.run(q::kJournalPage, Params()
                                               .text(range.system)
                                               .int64(low)
                                               .int64(range.to)
                                               .int64(cursorAt)
                                               .int64(afterId)
                                               .int64(size));
        STORE_TRY(rows);
        const Rows& r = rows.value();
        Entries entries;
        for (int i = 0; i < r.count(); ++i) {
          if (entries.empty() || entries.back().journalId != r.int64(i, 0)) {
            JournalEntry e;
            e.journalId = r.int64(i, 0);
            e.messageId = r.text(i, 1);
            e.raw = RawMessage{range.system,  r.text(i, 2), r.text(i, 3), r.text(i, 4),
                               r.bytes(i, 5), r.text(i, 6), r.int64(i, 7)};
            e.state = r.text(i, 8);
            e.answerJson = r.text(i, 9);
            entries.push_back(std::move(e));
          }
          if (!r.isNull(i, 10)) {
            entries.back().events.push_back(JournaledEvent{r.text(i, 10), r.text(i, 11)});
          }
        }
        return Result<Entries>(std::move(entries));
      });
    });
  }

  Result<std::int64_t> journalCount(const JournalRange& range) override {
    return guarded<std::int64_t>("journalCount", [&] {
      return withConnection<std::int64_t>([&](Connection& c) -> Result<std::int64_t> {
        auto rows =
            c.run(q::kJournalCount, Params().text(range.system).int64(range.from).int64(range.to));
        STORE_TRY(rows);
        return rows.value().count() > 0 ? rows.value().int64(0, 0) : 0;
      });
    });
  }

  Result<std::vector<ItemEvent>> itemEvents(const std::string& system, EpochMillis from) override {
    using Events = std::vector<ItemEvent>;
    return guarded<Events>("itemEvents", [&] {
      return withConnection<Events>([&](Connection& c) -> Result<Events> {
        auto rows = c.run(q::kPostgresItemEvents, Params().text(system).int64(from));
        STORE_TRY(rows);
        const Rows& r = rows.value();
        Events events;
        events.reserve(static_cast<std::size_t>(r.count()));
        for (int i = 0; i < r.count(); ++i) {
          const std::string state = r.text(i, 2);
          events.push_back(ItemEvent{r.text(i, 0), r.int64(i, 1),
                                     state == "delivered" && !r.isNull(i, 3) ? r.int64(i, 3) : 0,
                                     state == "dead"});
        }
        return events;
      });
    });
  }

  Result<std::vector<ItemBacklog>> itemBacklogs() override {
    using Backlogs = std::vector<ItemBacklog>;
    return guarded<Backlogs>("itemBacklogs", [&] {
      return withConnection<Backlogs>([&](Connection& c) -> Result<Backlogs> {
        auto rows = c.run(q::kPostgresItemBacklogs, Params());
        STORE_TRY(rows);
        const Rows& r = rows.value();
        std::map<std::pair<std::string, std::string>, ItemBacklog> by;
        for (int i = 0; i < r.count(); ++i) {
          ItemBacklog& b = by[{r.text(i, 0), r.text(i, 1)}];
          b.system = r.text(i, 0);
          b.item = r.text(i, 1);
          if (r.text(i, 2) == "pending") {
            b.pending = r.int64(i, 3);
            b.oldestPending = r.int64(i, 4);
          } else {
            b.dead = r.int64(i, 3);
            b.lastDeadAt = r.isNull(i, 5) ? 0 : r.int64(i, 5);
          }
        }
        Backlogs out;
        for (auto& [key, b] : by)
          out.push_back(std::move(b));
        return out;
      });
    });
  }

  Result<std::vector<std::string>> rejectionAnswers(const std::string& system,
                                                    EpochMillis from) override {
    using Answers = std::vector<std::string>;
    return guarded<Answers>("rejectionAnswers", [&] {
      return withConnection<Answers>([&](Connection& c) -> Result<Answers> {
        auto rows = c.run(q::kRejectionAnswers, Params().text(system).int64(from));
        STORE_TRY(rows);
        Answers answers;
        for (int i = 0; i < rows.value().count(); ++i)
          answers.push_back(rows.value().text(i, 0));
        return answers;
      });
    });
  }

  Result<ItemLast> itemLast(const std::string& system, const std::string& item) override {
    return guarded<ItemLast>("itemLast", [&] {
      return withConnection<ItemLast>([&](Connection& c) -> Result<ItemLast> {
        ItemLast last;
        for (const char* sql : {q::kPostgresItemLastReceived, q::kPostgresItemLastDelivered}) {
          auto rows = c.run(sql, Params().text(system).text(item));
          STORE_TRY(rows);
          const Rows& r = rows.value();
          const EpochMillis at = r.count() > 0 && !r.isNull(0, 0) ? r.int64(0, 0) : 0;
          (sql == q::kPostgresItemLastReceived ? last.received : last.delivered) = at;
        }
        return last;
      });
    });
  }

  Result<void> requeueDeadLetter(std::int64_t outboxId, const std::string& newPayload,
                                 EpochMillis now) override {
    return guarded<void>("requeueDeadLetter", [&] {
      return inTransaction<void>([&](Connection& c) -> Result<void> {
        STORE_TRY(logDeadLetter(c, outboxId, "requeued", now));
        return transition(c, "requeueDeadLetter", outboxId, q::kRequeue,
                          Params().int64(outboxId).int64(now).text(newPayload), false);
      });
    });
  }

  Result<void> discardDeadLetter(std::int64_t outboxId, EpochMillis now) override {
    return guarded<void>("discardDeadLetter", [&] {
      return inTransaction<void>([&](Connection& c) -> Result<void> {
        STORE_TRY(logDeadLetter(c, outboxId, "discarded", now));
        return transition(c, "discardDeadLetter", outboxId, q::kDiscard, Params().int64(outboxId),
                          false);
      });
    });
  }

  Result<Depths> depths() override {
    return guarded<Depths>("depths", [&] {
      return withConnection<Depths>([&](Connection& c) -> Result<Depths> {
        auto rows = c.run(q::kDepths, Params());
        STORE_TRY(rows);
        const Rows& r = rows.value();
        return Depths{r.int64(0, 0), r.int64(0, 1), r.int64(0, 2)};
      });
    });
  }

  Result<std::vector<int>> appliedMigrations() override {
    using Versions = std::vector<int>;
    return guarded<Versions>("appliedMigrations", [&] {
      return withConnection<Versions>([&](Connection& c) -> Result<Versions> {
        auto rows = c.run(q::kMigrationVersions, Params());
        STORE_TRY(rows);
        Versions versions;
        for (int i = 0; i < rows.value().count(); ++i) {
          versions.push_back(static_cast<int>(rows.value().int64(i, 0)));
        }
        return versions;
      });
    });
  }

 private:
  Result<void> settleOne(const char* operation, const Settlement& settlement) {
    return guarded<void>(operation, [&] {
      return inTransaction<void>([&](Connection& c) -> Result<void> {
        auto refused = applySettlement(c, settlement);
        STORE_TRY(refused);
        if (refused.value()) {
          return *refused.value();
        }
        return {};
      });
    });
  }

  // Runs `body` on a pooled connection, reconnecting one the server dropped.
  template <typename T, typename F>
  Result<T> withConnection(F&& body) {
    std::unique_ptr<Connection> conn;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      available_.wait(lock, [&] { return !idle_.empty() || open_ < config_.poolSize; });
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
      } else {
        ++open_;
      }
    }
    if (!conn) {
      auto opened = connect(connection_);
      if (!opened.ok()) {
        std::lock_guard<std::mutex> lock(mutex_);
        --open_;
        available_.notify_one();
        return opened.error();
      }
      conn = std::move(opened).value();
    }
    struct Return {
      PostgresExchangeStore* self;
      std::unique_ptr<Connection>& conn;
      ~Return() {
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->idle_.push_back(std::move(conn));
        self->available_.notify_one();
      }
    } giveBack{this, conn};
    if (!conn->healthy()) {
      STORE_TRY(conn->reset());
    }
    return body(*conn);
  }

  // Runs `body` in a READ COMMITTED transaction, again after a serialization failure or a
  // deadlock. A failed COMMIT may still have committed (the connection broke after the server
  // wrote it); for intake that is safe: a resent message is answered as a repeat.
  template <typename T, typename F>
  Result<T> inTransaction(F&& body) {
    return withConnection<T>([&](Connection& c) -> Result<T> {
      for (int attempt = 1;; ++attempt) {
        if (auto begun = c.exec("BEGIN"); !begun.ok()) {
          // An idle session the server dropped (restart, failover) shows only now: reconnect
          // once, nothing was done yet.
          if (c.healthy() || attempt > 1) {
            return begun.error();
          }
          STORE_TRY(c.reset());
          STORE_TRY(c.exec("BEGIN"));
        }
        Result<T> r = body(c);
        if (r.ok()) {
          auto committed = c.exec("COMMIT");
          if (committed.ok()) {
            return r;
          }
          r = committed.error();
        } else if (c.healthy()) {
          (void)c.exec("ROLLBACK");
        }
        if (r.error().code != kRetryCode || attempt == kTransactionAttempts) {
          if (r.error().code == kRetryCode) {
            return Error{"store.busy", r.error().message, ""};
          }
          return r;
        }
      }
    });
  }

  StoreConfig config_;
  std::string connection_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  unsigned open_ = 0;
};

Result<void> migrate(Connection& c) {
  STORE_TRY(c.exec("BEGIN"));
  auto body = [&]() -> Result<void> {
    STORE_TRY(c.exec(kMigrationLock));
    STORE_TRY(c.exec(q::kCreateMigrationsTable));
    auto rows = c.exec(q::kMigrationVersions);
    STORE_TRY(rows);
    std::set<int> applied;
    for (int i = 0; i < rows.value().count(); ++i) {
      applied.insert(static_cast<int>(rows.value().int64(i, 0)));
    }
    if (!applied.empty() && *applied.rbegin() > latestSchemaVersion()) {
      return Error{"store.schema",
                   "the database schema is at version " + std::to_string(*applied.rbegin()) +
                       ", newer than this build's " + std::to_string(latestSchemaVersion()),
                   ""};
    }
    for (const Migration& m : migrations()) {
      if (applied.count(m.version) != 0) {
        continue;
      }
      if (auto r = c.exec(m.postgres); !r.ok()) {
        Error e = r.error();
        e.message = "migration " + std::to_string(m.version) + " (" + m.name + "): " + e.message;
        return e;
      }
      STORE_TRY(c.run(q::kRecordMigration,
                      Params().int64(m.version).text(m.name).int64(SystemClock().now())));
    }
    return {};
  };
  auto r = body();
  if (!r.ok()) {
    (void)c.exec("ROLLBACK");
    return r;
  }
  auto committed = c.exec("COMMIT");
  STORE_TRY(committed);
  return {};
}

}  // namespace

Result<std::unique_ptr<ExchangeStore>> openPostgresStore(const StoreConfig& config) {
  const std::string connection = withDefaults(config.connection);
  auto first = connect(connection);
  if (!first.ok()) {
    return first.error();
  }
  STORE_TRY(migrate(*first.value()));
  return std::unique_ptr<ExchangeStore>(
      new PostgresExchangeStore(config, connection, std::move(first).value()));
}

}  // namespace huitong::storage
