#include "gateway/ops/inspect/InspectionLedger.h"

#include <algorithm>
#include <set>
#include <utility>

#include "gateway/core/Json.h"
#include "gateway/storage/StatementDatabase.h"

namespace huitong::ops::inspect {

namespace {

using storage::sqlInt;
using storage::sqlInteger;
using storage::sqlText;

constexpr const char* kRunColumns =
    "id, started_at, finished_at, trigger_kind, started_by, gateway_version, checks_json, "
    "figures_json, signed_off_by, signed_off_at, sign_off_note";
constexpr const char* kFindingColumns =
    "id, finding_key, check_id, subject, severity, title, detail, status, first_seen_run, "
    "last_seen_run, resolved_run, first_seen_at, resolved_at";

std::string checksJson(const std::vector<CheckOutcome>& checks) {
  rapidjson::Document d(rapidjson::kArrayType);
  auto& a = d.GetAllocator();
  for (const auto& c : checks) {
    rapidjson::Value o(rapidjson::kObjectType);
    o.AddMember("check", json::string(c.check, a), a);
    o.AddMember("status", json::string(c.status, a), a);
    o.AddMember("duration_ms", rapidjson::Value(c.durationMs), a);
    o.AddMember("message", json::string(c.message, a), a);
    d.PushBack(o, a);
  }
  return json::write(d);
}

// figures_json holds the measured figures and, once finished, the run's counts.
std::string figuresJson(const std::map<std::string, std::string>& figures, const RunCounts& c) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value f(rapidjson::kObjectType);
  for (const auto& [k, v] : figures)
    f.AddMember(json::string(k, a), json::string(v, a), a);
  d.AddMember("figures", f, a);
  rapidjson::Value n(rapidjson::kObjectType);
  n.AddMember("open", c.open, a);
  n.AddMember("new", c.newFindings, a);
  n.AddMember("still_open", c.stillOpen, a);
  n.AddMember("worse", c.worse, a);
  n.AddMember("resolved", c.resolved, a);
  n.AddMember("not_rechecked", c.notRechecked, a);
  n.AddMember("checks_failed", c.checksFailed, a);
  rapidjson::Value s(rapidjson::kObjectType);
  for (const auto& [k, v] : c.bySeverity)
    s.AddMember(json::string(k, a), rapidjson::Value(v), a);
  n.AddMember("by_severity", s, a);
  d.AddMember("counts", n, a);
  return json::write(d);
}

int intMember(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  return it != o.MemberEnd() && it->value.IsInt() ? it->value.GetInt() : 0;
}

InspectionRun runFromRow(const storage::SqlRow& r) {
  InspectionRun run;
  run.id = sqlInt(r[0]);
  run.startedAt = sqlInt(r[1]);
  run.finishedAt = sqlInt(r[2]);
  run.trigger = parseTrigger(r[3]).value_or(Trigger::kManual);
  run.startedBy = r[4];
  run.gatewayVersion = r[5];
  auto checks = json::parse(r[6]);
  if (checks.ok() && checks.value().IsArray()) {
    for (const auto& c : checks.value().GetArray()) {
      if (!c.IsObject())
        continue;
      CheckOutcome o;
      auto str = [&c](const char* n) {
        auto it = c.FindMember(n);
        return it != c.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString())
                                                           : std::string();
      };
      o.check = str("check");
      o.status = str("status");
      o.message = str("message");
      auto d = c.FindMember("duration_ms");
      if (d != c.MemberEnd() && d->value.IsNumber())
        o.durationMs = d->value.GetDouble();
      run.checks.push_back(std::move(o));
    }
  }
  auto figures = json::parse(r[7]);
  if (figures.ok() && figures.value().IsObject()) {
    const auto& doc = figures.value();
    auto f = doc.FindMember("figures");
    if (f != doc.MemberEnd() && f->value.IsObject()) {
      for (const auto& m : f->value.GetObject()) {
        if (m.value.IsString())
          run.figures[m.name.GetString()] = m.value.GetString();
      }
    }
    auto n = doc.FindMember("counts");
    if (n != doc.MemberEnd() && n->value.IsObject()) {
      const auto& c = n->value;
      run.counts.open = intMember(c, "open");
      run.counts.newFindings = intMember(c, "new");
      run.counts.stillOpen = intMember(c, "still_open");
      run.counts.worse = intMember(c, "worse");
      run.counts.resolved = intMember(c, "resolved");
      run.counts.notRechecked = intMember(c, "not_rechecked");
      run.counts.checksFailed = intMember(c, "checks_failed");
      auto s = c.FindMember("by_severity");
      if (s != c.MemberEnd() && s->value.IsObject()) {
        for (const auto& m : s->value.GetObject()) {
          if (m.value.IsInt())
            run.counts.bySeverity[m.name.GetString()] = m.value.GetInt();
        }
      }
    }
  }
  run.signedOffBy = r[8];
  run.signedOffAt = sqlInt(r[9]);
  run.signOffNote = r[10];
  return run;
}

Finding findingFromRow(const storage::SqlRow& r) {
  Finding f;
  f.id = sqlInt(r[0]);
  f.key = r[1];
  f.check = r[2];
  f.subject = r[3];
  f.severity = parseSeverity(r[4]).value_or(Severity::kInfo);
  f.title = r[5];
  f.detail = r[6];
  f.status = r[7] == "resolved" ? FindingStatus::kResolved : FindingStatus::kOpen;
  f.firstSeenRun = sqlInt(r[8]);
  f.lastSeenRun = sqlInt(r[9]);
  f.resolvedRun = sqlInt(r[10]);
  f.firstSeenAt = sqlInt(r[11]);
  f.resolvedAt = sqlInt(r[12]);
  return f;
}

std::vector<storage::SqlParam> intParams(const std::vector<std::int64_t>& args) {
  std::vector<storage::SqlParam> p;
  for (auto a : args)
    p.push_back(sqlInteger(a));
  return p;
}

}  // namespace

const char* severityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kMinor:
      return "minor";
    case Severity::kMajor:
      return "major";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

std::optional<Severity> parseSeverity(const std::string& text) {
  if (text == "info")
    return Severity::kInfo;
  if (text == "minor")
    return Severity::kMinor;
  if (text == "major")
    return Severity::kMajor;
  if (text == "critical")
    return Severity::kCritical;
  return std::nullopt;
}

const char* triggerName(Trigger t) {
  switch (t) {
    case Trigger::kScheduled:
      return "scheduled";
    case Trigger::kManual:
      return "manual";
    case Trigger::kIntensified:
      return "intensified";
  }
  return "manual";
}

std::optional<Trigger> parseTrigger(const std::string& text) {
  if (text == "scheduled")
    return Trigger::kScheduled;
  if (text == "manual")
    return Trigger::kManual;
  if (text == "intensified")
    return Trigger::kIntensified;
  return std::nullopt;
}

std::string findingKey(const std::string& check, const std::string& subject) {
  return check + "|" + subject;
}

InspectionLedger::InspectionLedger(std::unique_ptr<storage::StatementDatabase> db)
    : db_(std::move(db)) {}
InspectionLedger::~InspectionLedger() = default;

Result<std::unique_ptr<InspectionLedger>> InspectionLedger::open(
    const storage::StoreConfig& config) {
  auto db = storage::StatementDatabase::open(config, "inspect", "the inspection records");
  if (!db)
    return db.error();
  return std::make_unique<InspectionLedger>(std::move(db).value());
}

Result<std::int64_t> InspectionLedger::beginRun(EpochMillis startedAt, Trigger trigger,
                                                const std::string& startedBy,
                                                const std::string& gatewayVersion) {
  std::lock_guard<std::mutex> lock(mu_);
  auto rows = db_->run(
      "INSERT INTO inspection_run (started_at, trigger_kind, started_by, gateway_version) "
      "VALUES ($1, $2, $3, $4) RETURNING id",
      {sqlInteger(startedAt), sqlText(triggerName(trigger)), sqlText(startedBy),
       sqlText(gatewayVersion)});
  if (!rows)
    return rows.error();
  if (rows.value().empty() || rows.value().front().empty())
    return Error{"store.sql", "the new inspection run got no id", ""};
  return sqlInt(rows.value().front().front());
}

Result<InspectionRun> InspectionLedger::finishRun(std::int64_t runId, EpochMillis finishedAt,
                                                  const std::vector<CheckOutcome>& checks,
                                                  const std::map<std::string, std::string>& figures,
                                                  const std::vector<ObservedProblem>& problems,
                                                  const std::vector<std::string>& checked) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    const std::set<std::string> ran(checked.begin(), checked.end());
    // One problem per key: a check reporting the same subject twice keeps the worst.
    std::map<std::string, ObservedProblem> byKey;
    for (const auto& p : problems) {
      auto key = findingKey(p.check, p.subject);
      auto it = byKey.find(key);
      if (it == byKey.end() || p.severity > it->second.severity)
        byKey[key] = p;
    }
    RunCounts counts;
    for (const auto& c : checks) {
      if (c.status == "failed" || c.status == "timed out")
        ++counts.checksFailed;
    }
    auto done = db_->transaction([&]() -> Result<void> {
      auto observe = [&](std::int64_t findingId, const std::string& outcome, Severity sev,
                         const std::string& detail) -> Result<void> {
        auto r = db_->run(
            "INSERT INTO inspection_observation (run_id, finding_id, outcome, severity, detail) "
            "VALUES ($1, $2, $3, $4, $5)",
            {sqlInteger(runId), sqlInteger(findingId), sqlText(outcome), sqlText(severityName(sev)),
             sqlText(detail)});
        if (!r)
          return r.error();
        return {};
      };
      auto open = db_->run(std::string("SELECT ") + kFindingColumns +
                               " FROM inspection_finding WHERE status = 'open' ORDER BY id",
                           {});
      if (!open)
        return open.error();
      for (const auto& row : open.value()) {
        Finding f = findingFromRow(row);
        auto it = byKey.find(f.key);
        if (it != byKey.end()) {
          const auto& p = it->second;
          std::string outcome = p.severity > f.severity   ? "worse"
                                : p.severity < f.severity ? "better"
                                                          : "still open";
          if (outcome == "worse")
            ++counts.worse;
          else
            ++counts.stillOpen;
          ++counts.open;
          ++counts.bySeverity[severityName(p.severity)];
          auto u = db_->run(
              "UPDATE inspection_finding SET severity = $1, title = $2, detail = $3, "
              "last_seen_run = $4 WHERE id = $5",
              {sqlText(severityName(p.severity)), sqlText(p.title), sqlText(p.detail),
               sqlInteger(runId), sqlInteger(f.id)});
          if (!u)
            return u.error();
          auto o = observe(f.id, outcome, p.severity, p.detail);
          if (!o)
            return o;
          byKey.erase(it);
        } else if (ran.count(f.check) != 0) {
          ++counts.resolved;
          auto u = db_->run(
              "UPDATE inspection_finding SET status = 'resolved', resolved_run = $1, "
              "resolved_at = $2 WHERE id = $3",
              {sqlInteger(runId), sqlInteger(finishedAt), sqlInteger(f.id)});
          if (!u)
            return u.error();
          auto o = observe(f.id, "resolved", f.severity, "no longer reported by " + f.check);
          if (!o)
            return o;
        } else {
          ++counts.notRechecked;
          ++counts.open;
          ++counts.bySeverity[severityName(f.severity)];
          auto o = observe(f.id, "not re-checked", f.severity,
                           "check " + f.check + " did not complete in this run");
          if (!o)
            return o;
        }
      }
      for (const auto& [key, p] : byKey) {
        auto ins = db_->run(
            "INSERT INTO inspection_finding (finding_key, check_id, subject, severity, title, "
            "detail, status, first_seen_run, last_seen_run, first_seen_at) VALUES ($1, $2, $3, "
            "$4, $5, $6, 'open', $7, $7, $8) RETURNING id",
            {sqlText(key), sqlText(p.check), sqlText(p.subject), sqlText(severityName(p.severity)),
             sqlText(p.title), sqlText(p.detail), sqlInteger(runId), sqlInteger(finishedAt)});
        if (!ins)
          return ins.error();
        if (ins.value().empty())
          return Error{"store.sql", "the new finding got no id", ""};
        ++counts.newFindings;
        ++counts.open;
        ++counts.bySeverity[severityName(p.severity)];
        auto o = observe(sqlInt(ins.value().front().front()), "new", p.severity, p.detail);
        if (!o)
          return o;
      }
      auto u = db_->run(
          "UPDATE inspection_run SET finished_at = $1, checks_json = $2, figures_json = $3 "
          "WHERE id = $4",
          {sqlInteger(finishedAt), sqlText(checksJson(checks)),
           sqlText(figuresJson(figures, counts)), sqlInteger(runId)});
      if (!u)
        return u.error();
      return {};
    });
    if (!done)
      return done.error();
  }
  auto stored = run(runId);
  if (!stored)
    return stored.error();
  if (!stored.value())
    return Error{"inspection.not_found", "inspection run " + std::to_string(runId) + " is gone",
                 ""};
  return *stored.value();
}

Result<InspectionRun> InspectionLedger::signOff(std::int64_t runId, const std::string& by,
                                                const std::string& note, EpochMillis at) {
  auto current = run(runId);
  if (!current)
    return current.error();
  if (!current.value())
    return Error{"inspection.not_found", "no inspection run " + std::to_string(runId), ""};
  const auto& r = *current.value();
  if (r.finishedAt == 0)
    return Error{"inspection.not_finished",
                 "inspection run " + std::to_string(runId) + " has not finished", ""};
  if (!r.signedOffBy.empty())
    return Error{"inspection.signed_off",
                 "inspection run " + std::to_string(runId) + " was signed off by " + r.signedOffBy +
                     " at " + formatRfc3339(r.signedOffAt),
                 ""};
  {
    std::lock_guard<std::mutex> lock(mu_);
    // The WHERE keeps a concurrent second sign-off from overwriting the first.
    auto u = db_->run(
        "UPDATE inspection_run SET signed_off_by = $1, signed_off_at = $2, sign_off_note = $3 "
        "WHERE id = $4 AND signed_off_by = '' RETURNING id",
        {sqlText(by), sqlInteger(at), sqlText(note), sqlInteger(runId)});
    if (!u)
      return u.error();
    if (u.value().empty())
      return Error{"inspection.signed_off",
                   "inspection run " + std::to_string(runId) + " was signed off meanwhile", ""};
  }
  auto signedRun = run(runId);
  if (!signedRun)
    return signedRun.error();
  return *signedRun.value();
}

Result<std::vector<InspectionRun>> InspectionLedger::queryRuns(
    const std::string& where, const std::vector<std::int64_t>& args, const std::string& order,
    int limit) {
  std::string sql = std::string("SELECT ") + kRunColumns + " FROM inspection_run" +
                    (where.empty() ? "" : " WHERE " + where) + " ORDER BY " + order;
  if (limit > 0)
    sql += " LIMIT " + std::to_string(limit);
  std::lock_guard<std::mutex> lock(mu_);
  auto rows = db_->run(sql, intParams(args));
  if (!rows)
    return rows.error();
  std::vector<InspectionRun> out;
  for (const auto& r : rows.value())
    out.push_back(runFromRow(r));
  return out;
}

Result<std::optional<InspectionRun>> InspectionLedger::run(std::int64_t runId) {
  auto rows = queryRuns("id = $1", {runId}, "id", 1);
  if (!rows)
    return rows.error();
  if (rows.value().empty())
    return std::optional<InspectionRun>();
  return std::optional<InspectionRun>(rows.value().front());
}

Result<std::vector<InspectionRun>> InspectionLedger::runs(EpochMillis from, EpochMillis to,
                                                          int limit) {
  std::vector<std::int64_t> args{from};
  std::string where = "started_at >= $1";
  if (to > 0) {
    where += " AND started_at < $2";
    args.push_back(to);
  }
  auto rows = queryRuns(where, args, "started_at DESC, id DESC", std::max(limit, 1));
  if (!rows)
    return rows.error();
  auto out = std::move(rows).value();
  std::reverse(out.begin(), out.end());
  return out;
}

Result<std::optional<InspectionRun>> InspectionLedger::latestFinishedRun() {
  auto rows = queryRuns("finished_at > 0", {}, "id DESC", 1);
  if (!rows)
    return rows.error();
  if (rows.value().empty())
    return std::optional<InspectionRun>();
  return std::optional<InspectionRun>(rows.value().front());
}

Result<std::vector<Finding>> InspectionLedger::queryFindings(
    const std::string& where, const std::vector<std::int64_t>& args) {
  std::lock_guard<std::mutex> lock(mu_);
  auto rows = db_->run(std::string("SELECT ") + kFindingColumns +
                           " FROM inspection_finding WHERE " + where + " ORDER BY id",
                       intParams(args));
  if (!rows)
    return rows.error();
  std::vector<Finding> out;
  for (const auto& r : rows.value())
    out.push_back(findingFromRow(r));
  return out;
}

Result<std::vector<std::pair<Finding, Observation>>> InspectionLedger::runFindings(
    std::int64_t runId) {
  auto found = queryFindings(
      "id IN (SELECT finding_id FROM inspection_observation WHERE run_id = $1)", {runId});
  if (!found)
    return found.error();
  std::map<std::int64_t, Observation> seen;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(
        "SELECT finding_id, outcome, severity, detail FROM inspection_observation WHERE run_id = "
        "$1",
        {sqlInteger(runId)});
    if (!rows)
      return rows.error();
    for (const auto& r : rows.value()) {
      Observation o;
      o.runId = runId;
      o.findingId = sqlInt(r[0]);
      o.outcome = r[1];
      o.severity = parseSeverity(r[2]).value_or(Severity::kInfo);
      o.detail = r[3];
      seen[o.findingId] = o;
    }
  }
  std::vector<std::pair<Finding, Observation>> out;
  for (auto& f : found.value()) {
    auto o = seen[f.id];
    out.emplace_back(std::move(f), std::move(o));
  }
  return out;
}

Result<std::vector<Finding>> InspectionLedger::findings(EpochMillis from, EpochMillis to) {
  std::vector<std::int64_t> args{from};
  std::string runs = "SELECT id FROM inspection_run WHERE started_at >= $1";
  if (to > 0) {
    runs += " AND started_at < $2";
    args.push_back(to);
  }
  return queryFindings(
      "id IN (SELECT finding_id FROM inspection_observation WHERE run_id IN (" + runs + "))", args);
}

Result<std::vector<Finding>> InspectionLedger::openFindings() {
  return queryFindings("status = 'open'", {});
}

Result<std::vector<Observation>> InspectionLedger::observations(std::int64_t findingId) {
  std::lock_guard<std::mutex> lock(mu_);
  auto rows = db_->run(
      "SELECT run_id, outcome, severity, detail FROM inspection_observation WHERE finding_id = $1 "
      "ORDER BY run_id",
      {sqlInteger(findingId)});
  if (!rows)
    return rows.error();
  std::vector<Observation> out;
  for (const auto& r : rows.value()) {
    Observation o;
    o.runId = sqlInt(r[0]);
    o.findingId = findingId;
    o.outcome = r[1];
    o.severity = parseSeverity(r[2]).value_or(Severity::kInfo);
    o.detail = r[3];
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace huitong::ops::inspect
