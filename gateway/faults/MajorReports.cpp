#include "gateway/faults/MajorReports.h"

#include <algorithm>
#include <set>

#include "gateway/core/Json.h"
#include "gateway/faults/TicketSla.h"
#include "gateway/faults/sla/SlaClock.h"

namespace huitong::faults {
namespace {

using Value = rapidjson::Value;

Error invalid(const std::string& path, const std::string& why) {
  return Error{"ticket.report_invalid", why, path};
}

// One error out of several: the first one's path, every message.
Error combined(const std::string& code, const std::string& lead, const std::vector<Error>& all) {
  std::string message = lead;
  for (std::size_t i = 0; i < all.size(); ++i)
    message += (i == 0 ? ": " : "; ") + all[i].describe();
  return Error{code, message, all.empty() ? std::string() : all.front().path};
}

// The history lines the report's process section shows beside the timeline's own entries
// (which come from the SLA timeline: creation, first response, statuses, on site).
std::optional<std::string> historyLine(const TicketEvent& e) {
  const std::string who = e.assignee.empty() ? e.group : e.group + "/" + e.assignee;
  switch (e.kind) {
    case EventKind::kAssigned:
      return "assigned to " + who + (e.text.empty() ? "" : " (" + e.text + ")");
    case EventKind::kReassigned:
      return "reassigned to " + who + (e.text.empty() ? "" : " (" + e.text + ")");
    case EventKind::kEscalated:
      return "escalated" + (who.empty() ? std::string() : " to " + who) +
             (e.text.empty() ? "" : ": " + e.text);
    case EventKind::kNobodyOnDuty:
    case EventKind::kAlert:
    case EventKind::kAlertResolved:
    case EventKind::kSlaWarning:
    case EventKind::kSlaBreach:
      return std::string(toString(e.kind)) + ": " + e.text;
    case EventKind::kComment:
      return "comment by " + e.actor + ": " + e.text;
    case EventKind::kClassified:
      return "classified " + e.text;
    default:
      return std::nullopt;
  }
}

Value entriesJson(const std::vector<sla::IncidentEntry>& entries,
                  rapidjson::Document::AllocatorType& a) {
  Value list(rapidjson::kArrayType);
  for (const auto& x : entries) {
    Value o(rapidjson::kObjectType);
    o.AddMember("at", json::string(formatRfc3339(x.at), a), a);
    o.AddMember("source", json::string(x.source, a), a);
    o.AddMember("text", json::string(x.text, a), a);
    list.PushBack(o, a);
  }
  return list;
}

Value evidenceJson(const sla::IncidentEvidence& e, rapidjson::Document::AllocatorType& a) {
  Value o(rapidjson::kObjectType);
  o.AddMember("from", json::string(formatRfc3339(e.from), a), a);
  o.AddMember("to", json::string(formatRfc3339(e.to), a), a);
  auto when = [&](const std::optional<EpochMillis>& t) {
    return t ? json::string(formatRfc3339(*t), a) : Value();
  };
  Value probes(rapidjson::kArrayType);
  for (const auto& p : e.probes) {
    Value x(rapidjson::kObjectType);
    x.AddMember("check", json::string(p.checkId, a), a);
    x.AddMember("kind", json::string(p.kind, a), a);
    x.AddMember("runs", p.runs, a);
    x.AddMember("failures", p.failures, a);
    x.AddMember("avg_ms", p.avgMs, a);
    x.AddMember("max_ms", p.maxMs, a);
    x.AddMember("first_failure", when(p.firstFailure), a);
    x.AddMember("last_failure", when(p.lastFailure), a);
    x.AddMember("last_failure_message", json::string(p.lastFailureMessage, a), a);
    probes.PushBack(x, a);
  }
  o.AddMember("probes", probes, a);
  Value health(rapidjson::kArrayType);
  for (const auto& h : e.health) {
    Value x(rapidjson::kObjectType);
    x.AddMember("system", json::string(h.system, a), a);
    x.AddMember("item", json::string(h.item, a), a);
    x.AddMember("status", json::string(h.status, a), a);
    x.AddMember("at", h.at > 0 ? json::string(formatRfc3339(h.at), a) : Value(), a);
    x.AddMember("reasons", json::string(h.reasons, a), a);
    x.AddMember("received", h.received, a);
    x.AddMember("delivered", h.delivered, a);
    x.AddMember("dead", h.dead, a);
    health.PushBack(x, a);
  }
  o.AddMember("health", health, a);
  Value notes(rapidjson::kArrayType);
  for (const auto& n : e.notes)
    notes.PushBack(json::string(n, a), a);
  o.AddMember("notes", notes, a);
  return o;
}

// The evidence as stored by evidenceJson; it comes from the gateway, so it is read leniently
// (a member of the wrong type reads as absent) and never taken from a person's edit.
sla::IncidentEvidence evidenceOf(const Value& o) {
  sla::IncidentEvidence e;
  if (!o.IsObject())
    return e;
  auto str = [](const Value& v, const char* k) {
    auto m = v.FindMember(k);
    return m != v.MemberEnd() && m->value.IsString()
               ? std::string(m->value.GetString(), m->value.GetStringLength())
               : std::string();
  };
  auto num = [](const Value& v, const char* k) {
    auto m = v.FindMember(k);
    return m != v.MemberEnd() && m->value.IsNumber() ? m->value.GetDouble() : 0.0;
  };
  auto time = [&](const Value& v, const char* k) {
    EpochMillis t = 0;
    const std::string s = str(v, k);
    return !s.empty() && parseRfc3339(s, t) ? std::optional<EpochMillis>(t) : std::nullopt;
  };
  e.from = time(o, "from").value_or(0);
  e.to = time(o, "to").value_or(0);
  if (auto m = o.FindMember("probes"); m != o.MemberEnd() && m->value.IsArray()) {
    for (const auto& x : m->value.GetArray()) {
      sla::ProbeEvidence p;
      p.checkId = str(x, "check");
      p.kind = str(x, "kind");
      p.runs = static_cast<std::int64_t>(num(x, "runs"));
      p.failures = static_cast<std::int64_t>(num(x, "failures"));
      p.avgMs = num(x, "avg_ms");
      p.maxMs = num(x, "max_ms");
      p.firstFailure = time(x, "first_failure");
      p.lastFailure = time(x, "last_failure");
      p.lastFailureMessage = str(x, "last_failure_message");
      e.probes.push_back(p);
    }
  }
  if (auto m = o.FindMember("health"); m != o.MemberEnd() && m->value.IsArray()) {
    for (const auto& x : m->value.GetArray()) {
      sla::HealthEvidence h;
      h.system = str(x, "system");
      h.item = str(x, "item");
      h.status = str(x, "status");
      h.at = time(x, "at").value_or(0);
      h.reasons = str(x, "reasons");
      h.received = static_cast<std::int64_t>(num(x, "received"));
      h.delivered = static_cast<std::int64_t>(num(x, "delivered"));
      h.dead = static_cast<std::int64_t>(num(x, "dead"));
      e.health.push_back(h);
    }
  }
  if (auto m = o.FindMember("notes"); m != o.MemberEnd() && m->value.IsArray()) {
    for (const auto& x : m->value.GetArray()) {
      if (x.IsString())
        e.notes.emplace_back(x.GetString(), x.GetStringLength());
    }
  }
  return e;
}

Result<std::string> stringMember(const Value& o, const char* key, const std::string& path,
                                 const std::string& fallback) {
  auto m = o.FindMember(key);
  if (m == o.MemberEnd() || m->value.IsNull())
    return fallback;
  if (!m->value.IsString())
    return invalid(path, "must be a string");
  return std::string(m->value.GetString(), m->value.GetStringLength());
}

Result<std::optional<EpochMillis>> timeMember(const Value& o, const char* key,
                                              const std::string& path,
                                              std::optional<EpochMillis> fallback) {
  auto m = o.FindMember(key);
  if (m == o.MemberEnd())
    return fallback;
  if (m->value.IsNull())
    return std::optional<EpochMillis>();
  EpochMillis t = 0;
  if (!m->value.IsString() || !parseRfc3339(m->value.GetString(), t))
    return invalid(path, "must be an RFC 3339 time such as 2026-11-03T10:15:00+08:00");
  return std::optional<EpochMillis>(t);
}

}  // namespace

sla::BugRecord bugRecord(const Ticket& t) {
  return sla::BugRecord{t.fix.documentation, t.fix.version, t.fix.commit, t.fix.changed};
}

std::string majorReportJson(const sla::MajorReport& r) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  auto str = [&](const char* k, const std::string& v) {
    d.AddMember(rapidjson::StringRef(k), json::string(v, a), a);
  };
  str("ticket_id", r.ticketId);
  str("title", r.title);
  str("system", r.system);
  str("item", r.item);
  str("type", r.type);
  str("severity", sla::toString(r.severity));
  str("incident_start", formatRfc3339(r.incidentStart));
  if (r.resolvedAt)
    str("resolved_at", formatRfc3339(*r.resolvedAt));
  else
    d.AddMember("resolved_at", Value(), a);
  d.AddMember("process", entriesJson(r.process, a), a);
  d.AddMember("evidence", evidenceJson(r.evidence, a), a);
  str("cause", r.cause);
  str("measures", r.measures);
  Value imps(rapidjson::kArrayType);
  for (const auto& i : r.improvements) {
    Value o(rapidjson::kObjectType);
    o.AddMember("action", json::string(i.action, a), a);
    o.AddMember("owner", json::string(i.owner, a), a);
    if (i.due)
      o.AddMember("due", json::string(formatDate(*i.due), a), a);
    else
      o.AddMember("due", Value(), a);
    imps.PushBack(o, a);
  }
  d.AddMember("improvements", imps, a);
  str("author", r.author);
  str("prepared_at", formatRfc3339(r.preparedAt));
  return json::writePretty(d);
}

Result<sla::MajorReport> parseMajorReport(const std::string& text, const sla::MajorReport& base) {
  auto doc = json::parse(text);
  if (!doc.ok())
    return invalid(doc.error().path, "the report is not JSON: " + doc.error().describe());
  const Value& d = doc.value();
  if (!d.IsObject())
    return invalid("", "the report must be a JSON object");
  static const std::set<std::string> kKnown = {
      "ticket_id",      "title",       "system",  "item",    "type",     "severity",
      "incident_start", "resolved_at", "process", "cause",   "measures", "improvements",
      "author",         "prepared_at", "sla",     "evidence"};
  for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
    const std::string name(m->name.GetString(), m->name.GetStringLength());
    if (kKnown.count(name) == 0)
      return invalid(name,
                     "unknown member (the report has title, process, cause, measures, "
                     "improvements, author)");
  }
  sla::MajorReport r = base;
  // Identity comes from the ticket, never from the file.
  auto title = stringMember(d, "title", "title", base.title);
  auto cause = stringMember(d, "cause", "cause", base.cause);
  auto measures = stringMember(d, "measures", "measures", base.measures);
  auto author = stringMember(d, "author", "author", base.author);
  for (const auto* s : {&title, &cause, &measures, &author}) {
    if (!s->ok())
      return s->error();
  }
  r.title = title.value();
  r.cause = cause.value();
  r.measures = measures.value();
  r.author = author.value();
  auto start = timeMember(d, "incident_start", "incident_start", base.incidentStart);
  if (!start.ok())
    return start.error();
  if (start.value())
    r.incidentStart = *start.value();
  auto prepared = timeMember(d, "prepared_at", "prepared_at", base.preparedAt);
  if (!prepared.ok())
    return prepared.error();
  if (prepared.value())
    r.preparedAt = *prepared.value();
  auto resolved = timeMember(d, "resolved_at", "resolved_at", base.resolvedAt);
  if (!resolved.ok())
    return resolved.error();
  r.resolvedAt = resolved.value();

  if (auto p = d.FindMember("process"); p != d.MemberEnd()) {
    if (!p->value.IsArray())
      return invalid("process", "must be a list of {at, source, text}");
    r.process.clear();
    for (rapidjson::SizeType i = 0; i < p->value.Size(); ++i) {
      const std::string path = "process[" + std::to_string(i + 1) + "]";
      const Value& e = p->value[i];
      if (!e.IsObject())
        return invalid(path, "must be an object {at, source, text}");
      auto at = timeMember(e, "at", path + ".at", std::nullopt);
      if (!at.ok())
        return at.error();
      if (!at.value())
        return invalid(path + ".at", "every process line needs its time");
      auto source = stringMember(e, "source", path + ".source", "");
      if (!source.ok())
        return source.error();
      auto line = stringMember(e, "text", path + ".text", "");
      if (!line.ok())
        return line.error();
      r.process.push_back({*at.value(), source.value(), line.value()});
    }
  }
  if (auto p = d.FindMember("improvements"); p != d.MemberEnd()) {
    if (!p->value.IsArray())
      return invalid("improvements", "must be a list of {action, owner, due}");
    r.improvements.clear();
    for (rapidjson::SizeType i = 0; i < p->value.Size(); ++i) {
      const std::string path = "improvements[" + std::to_string(i + 1) + "]";
      const Value& e = p->value[i];
      if (!e.IsObject())
        return invalid(path, "must be an object {action, owner, due}");
      sla::Improvement imp;
      auto action = stringMember(e, "action", path + ".action", "");
      if (!action.ok())
        return action.error();
      auto owner = stringMember(e, "owner", path + ".owner", "");
      if (!owner.ok())
        return owner.error();
      auto due = stringMember(e, "due", path + ".due", "");
      if (!due.ok())
        return due.error();
      imp.action = action.value();
      imp.owner = owner.value();
      if (!due.value().empty()) {
        auto day = parseDate(due.value());
        if (!day.ok())
          return invalid(path + ".due", "must be a date YYYY-MM-DD: " + day.error().describe());
        imp.due = day.value();
      }
      r.improvements.push_back(imp);
    }
  }
  return r;
}

Result<std::optional<sla::MajorReport>> latestMajorReport(const std::vector<TicketEvent>& history) {
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->kind != EventKind::kMajorReport)
      continue;
    auto r = parseMajorReport(it->detail, sla::MajorReport{});
    if (!r.ok()) {
      Error e = r.error();
      e.message = "the report saved in event " + std::to_string(it->seq) +
                  " does not read: " + e.describe();
      return e;
    }
    // The stored identity members are the report's own.
    auto doc = json::parse(it->detail);
    if (doc.ok() && doc.value().IsObject()) {
      const auto& d = doc.value();
      auto get = [&](const char* k) {
        auto m = d.FindMember(k);
        return m != d.MemberEnd() && m->value.IsString() ? std::string(m->value.GetString())
                                                         : std::string();
      };
      r.value().ticketId = get("ticket_id");
      r.value().system = get("system");
      r.value().item = get("item");
      r.value().type = get("type");
      r.value().severity = sla::parseSeverity(get("severity")).value_or(sla::Severity::kMajor);
      if (auto ev = d.FindMember("evidence"); ev != d.MemberEnd())
        r.value().evidence = evidenceOf(ev->value);
    }
    return std::optional<sla::MajorReport>(std::move(r).value());
  }
  return std::optional<sla::MajorReport>();
}

sla::MajorReport prefillReport(const Ticket& t, const std::vector<TicketEvent>& history,
                               const std::vector<sla::IncidentEntry>& alerts,
                               const sla::SlaPolicy& policy, EpochMillis now,
                               const WorkCalendar& calendar,
                               const sla::IncidentEvidence& evidence) {
  sla::MajorReportInputs in;
  in.timeline = slaTimeline(t, history);
  in.title = t.title;
  in.system = t.system;
  in.item = t.item;
  for (const auto& e : history) {
    if (auto line = historyLine(e))
      in.history.push_back({e.at, "ticket", *line});
  }
  in.alerts = alerts;
  in.evidence = evidence;
  return sla::prefillMajorReport(in, policy, now, calendar);
}

std::pair<EpochMillis, EpochMillis> incidentWindow(const Ticket& t, EpochMillis now) {
  const EpochMillis start = t.reportedAt > 0 ? std::min(t.reportedAt, t.createdAt) : t.createdAt;
  const EpochMillis end = t.resolvedAt > 0 ? t.resolvedAt : t.closedAt > 0 ? t.closedAt : now;
  return {start - kEvidenceBefore, std::max(end, start)};
}

Result<sla::MajorReport> currentReport(const Ticket& t, const std::vector<TicketEvent>& history,
                                       const std::vector<sla::IncidentEntry>& alerts,
                                       const sla::SlaPolicy& policy, EpochMillis now,
                                       const WorkCalendar& calendar,
                                       const sla::IncidentEvidence& evidence) {
  auto stored = latestMajorReport(history);
  if (!stored.ok())
    return stored.error();
  if (!stored.value())
    return prefillReport(t, history, alerts, policy, now, calendar, evidence);
  sla::MajorReport r = *stored.value();
  r.sla = sla::evaluate(slaTimeline(t, history), policy, now, calendar).clocks;
  return r;
}

Result<void> checkClosable(const Ticket& t, const std::vector<TicketEvent>& history) {
  if (t.type == TicketType::kBug) {
    const auto problems = sla::checkBugClosable(bugRecord(t));
    if (!problems.empty())
      return combined("ticket.fix_required", "the bug ticket " + t.id + " cannot close", problems);
  }
  if (t.severity == Severity::kMajor) {
    auto report = latestMajorReport(history);
    if (!report.ok())
      return report.error();
    if (!report.value())
      return Error{"ticket.report_required",
                   "the major ticket " + t.id +
                       " closes only with its major-fault analysis report: write it with "
                       "`huitong ticket report " +
                       t.id + " --edit FILE`",
                   "report"};
    const auto problems = sla::checkReadyToClose(*report.value());
    if (!problems.empty())
      return combined("ticket.report_required",
                      "the analysis report of the major ticket " + t.id + " is not complete",
                      problems);
  }
  return {};
}

}  // namespace huitong::faults
