// Queries written once with $n parameters (SQLite reads them as ?n). Dates are "YYYY-MM-DD"
// text, which sorts as the dates do, so "overdue" is a text comparison on the index.
#include "gateway/faults/FollowUps.h"

#include <algorithm>
#include <set>

#include "gateway/storage/StatementDatabase.h"

namespace huitong::faults {
namespace {

using Param = storage::SqlParam;
using Row = storage::SqlRow;
constexpr auto* text = &storage::sqlText;
constexpr auto* integer = &storage::sqlInteger;
constexpr auto* toInt = &storage::sqlInt;

constexpr const char* kSummaryColumns =
    "r.ticket_id, r.title, r.system, r.item, r.incident_start, r.resolved_at, r.saved_at, "
    "r.saved_by, r.complete, r.saves, "
    "(SELECT COUNT(*) FROM follow_up f WHERE f.ticket_id = r.ticket_id), "
    "(SELECT COUNT(*) FROM follow_up f WHERE f.ticket_id = r.ticket_id AND f.status = 'open'), "
    "(SELECT COUNT(*) FROM follow_up f WHERE f.ticket_id = r.ticket_id AND f.status = 'open' "
    "AND f.due < $1)";

MajorReportSummary summaryOf(const Row& r) {
  MajorReportSummary s;
  s.ticketId = r[0];
  s.title = r[1];
  s.system = r[2];
  s.item = r[3];
  s.incidentStart = toInt(r[4]);
  s.resolvedAt = toInt(r[5]);
  s.savedAt = toInt(r[6]);
  s.savedBy = r[7];
  s.complete = toInt(r[8]) != 0;
  s.saves = static_cast<int>(toInt(r[9]));
  s.followUps = static_cast<int>(toInt(r[10]));
  s.openFollowUps = static_cast<int>(toInt(r[11]));
  s.overdueFollowUps = static_cast<int>(toInt(r[12]));
  return s;
}

constexpr const char* kFollowUpColumns =
    "ticket_id, n, action, owner, due, status, created_at, updated_at, closed_at, closed_by, note";

FollowUp followUpOf(const Row& r) {
  FollowUp f;
  f.ticketId = r[0];
  f.n = static_cast<int>(toInt(r[1]));
  f.action = r[2];
  f.owner = r[3];
  auto due = parseDate(r[4]);
  f.due = due.ok() ? due.value() : 0;
  f.status = parseFollowUpStatus(r[5]).value_or(FollowUpStatus::kOpen);
  f.createdAt = toInt(r[6]);
  f.updatedAt = toInt(r[7]);
  f.closedAt = toInt(r[8]);
  f.closedBy = r[9];
  f.note = r[10];
  return f;
}

}  // namespace

const char* toString(FollowUpStatus s) {
  return s == FollowUpStatus::kClosed ? "closed" : "open";
}

std::optional<FollowUpStatus> parseFollowUpStatus(const std::string& s) {
  if (s == "open")
    return FollowUpStatus::kOpen;
  if (s == "closed")
    return FollowUpStatus::kClosed;
  return std::nullopt;
}

Result<std::vector<MajorReportSummary>> MajorReportLedger::reports(EpochMillis from, EpochMillis to,
                                                                   Day today) {
  auto rows = db_.run(std::string("SELECT ") + kSummaryColumns +
                          " FROM major_report r WHERE r.incident_start >= $2 AND "
                          "r.incident_start < $3 ORDER BY r.incident_start, r.ticket_id",
                      {text(formatDate(today)), integer(from), integer(to)});
  if (!rows.ok())
    return rows.error();
  std::vector<MajorReportSummary> out;
  out.reserve(rows.value().size());
  for (const auto& r : rows.value())
    out.push_back(summaryOf(r));
  return out;
}

Result<std::optional<std::pair<MajorReportSummary, std::string>>> MajorReportLedger::report(
    const std::string& ticketId, Day today) {
  auto rows = db_.run(std::string("SELECT ") + kSummaryColumns +
                          ", r.report_json FROM major_report r WHERE r.ticket_id = $2",
                      {text(formatDate(today)), text(ticketId)});
  if (!rows.ok())
    return rows.error();
  if (rows.value().empty())
    return std::optional<std::pair<MajorReportSummary, std::string>>();
  const Row& r = rows.value().front();
  return std::optional<std::pair<MajorReportSummary, std::string>>(
      std::make_pair(summaryOf(r), r[13]));
}

Result<std::vector<FollowUp>> MajorReportLedger::followUps(const FollowUpFilter& f) {
  std::string sql = std::string("SELECT ") + kFollowUpColumns + " FROM follow_up WHERE 1 = 1";
  std::vector<Param> params;
  auto add = [&](const std::string& clause, Param p) {
    params.push_back(std::move(p));
    sql += " AND " + clause + " $" + std::to_string(params.size());
  };
  if (f.overdueOnly) {
    add("status =", text("open"));
    add("due <", text(formatDate(f.today)));
  } else if (f.status) {
    add("status =", text(toString(*f.status)));
  }
  if (!f.ticketId.empty())
    add("ticket_id =", text(f.ticketId));
  if (!f.owner.empty())
    add("owner =", text(f.owner));
  sql += " ORDER BY due, ticket_id, n LIMIT " + std::to_string(std::clamp(f.limit, 1, 1000));
  auto rows = db_.run(sql, params);
  if (!rows.ok())
    return rows.error();
  std::vector<FollowUp> out;
  out.reserve(rows.value().size());
  for (const auto& r : rows.value())
    out.push_back(followUpOf(r));
  return out;
}

Result<void> MajorReportLedger::keep(const MajorReportSummary& s, const std::string& json,
                                     const std::vector<FollowUp>& tasks, EpochMillis at) {
  auto saved = db_.run(
      "INSERT INTO major_report (ticket_id, title, system, item, incident_start, resolved_at, "
      "saved_at, saved_by, complete, saves, report_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
      "$9, 1, $10) ON CONFLICT (ticket_id) DO UPDATE SET title = excluded.title, system = "
      "excluded.system, item = excluded.item, incident_start = excluded.incident_start, "
      "resolved_at = excluded.resolved_at, saved_at = excluded.saved_at, saved_by = "
      "excluded.saved_by, complete = excluded.complete, saves = major_report.saves + 1, "
      "report_json = excluded.report_json",
      {text(s.ticketId), text(s.title), text(s.system), text(s.item), integer(s.incidentStart),
       integer(s.resolvedAt), integer(s.savedAt), text(s.savedBy), integer(s.complete ? 1 : 0),
       text(json)});
  if (!saved.ok())
    return saved.error();
  auto existing =
      db_.run("SELECT n, status FROM follow_up WHERE ticket_id = $1", {text(s.ticketId)});
  if (!existing.ok())
    return existing.error();
  std::set<int> have, kept;
  for (const auto& r : existing.value())
    have.insert(static_cast<int>(toInt(r[0])));
  for (const auto& t : tasks) {
    kept.insert(t.n);
    auto done = have.count(t.n) != 0
                    ? db_.run(
                          "UPDATE follow_up SET action = $3, owner = $4, due = $5, updated_at = $6 "
                          "WHERE ticket_id = $1 AND n = $2",
                          {text(s.ticketId), integer(t.n), text(t.action), text(t.owner),
                           text(formatDate(t.due)), integer(at)})
                    : db_.run(
                          "INSERT INTO follow_up (ticket_id, n, action, owner, due, status, "
                          "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $6)",
                          {text(s.ticketId), integer(t.n), text(t.action), text(t.owner),
                           text(formatDate(t.due)), integer(at)});
    if (!done.ok())
      return done.error();
  }
  // An improvement taken out of the report is no task any more, unless someone already closed
  // it (then it is history).
  for (const auto& r : existing.value()) {
    const int n = static_cast<int>(toInt(r[0]));
    if (kept.count(n) != 0 || r[1] != "open")
      continue;
    auto gone = db_.run("DELETE FROM follow_up WHERE ticket_id = $1 AND n = $2",
                        {text(s.ticketId), integer(n)});
    if (!gone.ok())
      return gone.error();
  }
  return {};
}

Result<FollowUp> MajorReportLedger::close(const std::string& ticketId, int n, const std::string& by,
                                          const std::string& note, EpochMillis at) {
  const std::string name = ticketId + "#" + std::to_string(n);
  auto rows = db_.run(
      std::string("SELECT ") + kFollowUpColumns + " FROM follow_up WHERE ticket_id = $1 AND n = $2",
      {text(ticketId), integer(n)});
  if (!rows.ok())
    return rows.error();
  if (rows.value().empty())
    return Error{"followup.not_found", "no follow-up task " + name, "id"};
  FollowUp f = followUpOf(rows.value().front());
  if (f.status == FollowUpStatus::kClosed)
    return Error{"followup.closed",
                 "the follow-up task " + name + " was closed already by " + f.closedBy, "id"};
  auto done = db_.run(
      "UPDATE follow_up SET status = 'closed', closed_at = $3, closed_by = $4, note = $5, "
      "updated_at = $3 WHERE ticket_id = $1 AND n = $2 AND status = 'open'",
      {text(ticketId), integer(n), integer(at), text(by), text(note)});
  if (!done.ok())
    return done.error();
  f.status = FollowUpStatus::kClosed;
  f.closedAt = at;
  f.updatedAt = at;
  f.closedBy = by;
  f.note = note;
  return f;
}

}  // namespace huitong::faults
