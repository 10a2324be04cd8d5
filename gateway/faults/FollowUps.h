// Major-fault analysis reports kept and listed across tickets, and the follow-up tasks their
// improvements became (issue 8 item 4): migration 16's tables major_report (each ticket's latest
// report) and follow_up (one task per improvement with an owner and a due date). The ticket
// store writes them in the transaction that saves the report's major_report event; this ledger
// reads them — the API, `huitong ticket follow-ups` and the monthly operation report
// (gateway/ops/report) use it. Plain values and a query class over a StatementDatabase, both
// backends. Thread-safe as the database is (the caller serialises a shared connection).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/core/WorkCalendar.h"

namespace huitong::storage {
class StatementDatabase;
}

namespace huitong::faults {

// One ticket's latest major-fault report as kept (its JSON is majorReportJson's).
struct MajorReportSummary {
  std::string ticketId;
  std::string title;
  std::string system;
  std::string item;
  EpochMillis incidentStart = 0;
  EpochMillis resolvedAt = 0;  // 0: not resolved when saved
  EpochMillis savedAt = 0;     // the latest save
  std::string savedBy;         // "operator:li"
  bool complete = false;       // sla::checkReadyToClose found nothing missing
  int saves = 0;               // how many times it was saved
  int followUps = 0;           // tasks from its improvements
  int openFollowUps = 0;
  int overdueFollowUps = 0;  // open and due before today (China)
};

enum class FollowUpStatus { kOpen, kClosed };
const char* toString(FollowUpStatus s);
std::optional<FollowUpStatus> parseFollowUpStatus(const std::string& s);

// An improvement with an owner and a due date: a task until someone closes it with a note.
struct FollowUp {
  std::string ticketId;
  int n = 0;  // the improvement's position in the report, 1-based
  std::string action;
  std::string owner;
  Day due = 0;  // civil date (China)
  FollowUpStatus status = FollowUpStatus::kOpen;
  EpochMillis createdAt = 0, updatedAt = 0, closedAt = 0;
  std::string closedBy;  // "operator:li"
  std::string note;      // why it is closed (what was done)
  // Open and its due date has passed: due before `today`.
  bool overdue(Day today) const { return status == FollowUpStatus::kOpen && due < today; }
};

struct FollowUpFilter {
  std::optional<FollowUpStatus> status;  // none: every status
  bool overdueOnly = false;              // open tasks due before `today`
  std::string ticketId, owner;           // "" = any
  Day today = 0;                         // what overdue compares with
  int limit = 200;                       // 1..1000; by due date, then ticket and position
};

class MajorReportLedger {
 public:
  // REQUIRES: `db` is migrated (StatementDatabase::open migrates) and outlives the ledger.
  explicit MajorReportLedger(storage::StatementDatabase& db) : db_(db) {}

  // Reports whose incident started in [from, to), oldest first, with their follow-up counts
  // as of `today`. Errors: "store.*".
  Result<std::vector<MajorReportSummary>> reports(EpochMillis from, EpochMillis to, Day today);
  // One ticket's latest kept report: its summary and JSON (majorReportJson), none if never saved.
  Result<std::optional<std::pair<MajorReportSummary, std::string>>> report(
      const std::string& ticketId, Day today);
  Result<std::vector<FollowUp>> followUps(const FollowUpFilter& filter);

  // Writes, REQUIRES: inside the ticket store's transaction that saves the report's event.
  // The report row (saves counted up); then one task per improvement with owner and due date:
  // a new one open, an existing one's action/owner/due updated (its status kept), and open
  // tasks whose improvement is gone deleted (closed ones stay as history).
  Result<void> keep(const MajorReportSummary& summary, const std::string& json,
                    const std::vector<FollowUp>& tasks, EpochMillis at);
  // Closes an open task with a note; "followup.not_found", "followup.closed".
  Result<FollowUp> close(const std::string& ticketId, int n, const std::string& by,
                         const std::string& note, EpochMillis at);

 private:
  storage::StatementDatabase& db_;
};

}  // namespace huitong::faults
