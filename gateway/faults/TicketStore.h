// Where fault tickets live: migration 12's tables in the exchange store's database (same SQLite
// file, same PostgreSQL database), on both backends through one statement layer. A ticket and
// the history events of a change are written in one transaction; the ticket's `version` guards
// against lost updates. At most one open ticket per dedup key (a unique partial index).
// Thread-safe (one connection behind a mutex). Database failures are Error{"store.*"}.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/Error.h"
#include "gateway/faults/Ticket.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::storage {
class StatementDatabase;
}

namespace huitong::faults {

constexpr int kMaxTicketPage = 1000;

struct TicketFilter {
  std::vector<TicketStatus> statuses;  // any of these; empty: all
  bool openOnly = false;               // not resolved/closed
  std::string assignee, group, system, item;
  std::optional<TicketType> type;
  std::optional<Severity> severity;
  std::optional<Channel> channel;
  EpochMillis createdFrom = 0, createdTo = 0;  // to = 0: no upper bound
  int limit = 100;                             // 1..kMaxTicketPage, newest first
};

class TicketStore {
 public:
  virtual ~TicketStore() = default;
  // Opens the store's database, migrating it as the exchange store does.
  static Result<std::unique_ptr<TicketStore>> open(const storage::StoreConfig& config);

  // Stores a new ticket: numbers it in its creation year (China time) and returns it with its
  // id and version 1; `events` (ticketId filled in here) are its first history entries.
  // Another open ticket holds the same dedup key: "ticket.duplicate".
  virtual Result<Ticket> create(Ticket ticket, std::vector<TicketEvent> events) = 0;
  virtual Result<std::optional<Ticket>> get(const std::string& id) = 0;
  virtual Result<std::vector<Ticket>> list(const TicketFilter& filter) = 0;
  // The open ticket holding `dedupKey`, if any.
  virtual Result<std::optional<Ticket>> openByDedupKey(const std::string& dedupKey) = 0;
  // Writes `next` when the stored version is still `next.version` (else "ticket.stale"; none:
  // "ticket.not_found"), with version + 1, and appends `events`. Returns the stored ticket.
  virtual Result<Ticket> update(Ticket next, std::vector<TicketEvent> events) = 0;
  // update() that also runs `inTransaction` on the store's database inside the same transaction
  // (a saved report's ledger rows commit with its event, gateway/faults/FollowUps.h); its error
  // rolls everything back.
  using DatabaseWork = std::function<Result<void>(storage::StatementDatabase&)>;
  virtual Result<Ticket> update(Ticket next, std::vector<TicketEvent> events,
                                const DatabaseWork& inTransaction) = 0;
  // Runs `work` on the store's connection under its lock (the ledger's reads; `transaction`:
  // inside one transaction).
  virtual Result<void> withDatabase(const DatabaseWork& work, bool transaction) = 0;
  // Appends `events` to the ticket's history without changing the ticket (its version stays):
  // the gateway's own notes, such as a queued notice's outcome, must not make a person's next
  // change stale. None: "ticket.not_found".
  virtual Result<void> appendHistory(const std::string& ticketId,
                                     std::vector<TicketEvent> events) = 0;
  // The ticket's history, oldest first.
  virtual Result<std::vector<TicketEvent>> events(const std::string& ticketId) = 0;

  // An attachment's metadata and bytes (empty when !info.stored); returns the info with its id.
  virtual Result<AttachmentInfo> addAttachment(const std::string& ticketId, AttachmentInfo info,
                                               const std::string& bytes) = 0;
  virtual Result<std::optional<std::pair<AttachmentInfo, std::string>>> attachment(
      const std::string& ticketId, std::int64_t id) = 0;

  // Mail threading: the ticket a Message-ID belongs to (mail intake records every mail's id).
  virtual Result<void> addMailRef(const std::string& messageId, const std::string& ticketId) = 0;
  virtual Result<std::optional<std::string>> ticketByMailRef(const std::string& messageId) = 0;

  // Round-robin within a group: returns the group's position and advances it (atomic).
  virtual Result<std::int64_t> nextRotation(const std::string& group) = 0;
};

}  // namespace huitong::faults
