#include "gateway/ops/drill/DrillLedger.h"

#include <rapidjson/document.h>

#include "gateway/core/Json.h"

namespace huitong::ops::drill {

namespace {

rapidjson::Value timeValue(EpochMillis t, rapidjson::Document::AllocatorType& a) {
  if (t <= 0)
    return rapidjson::Value(rapidjson::kNullType);
  return json::string(formatRfc3339(t), a);
}

}  // namespace

std::string drillRecordJson(const DrillRecord& r) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  if (r.id > 0)
    d.AddMember("id", r.id, a);
  d.AddMember("kind", json::string(r.kind, a), a);
  d.AddMember("outcome", json::string(r.outcome, a), a);
  d.AddMember("ok", r.ok, a);
  d.AddMember("started_at", timeValue(r.startedAt, a), a);
  d.AddMember("finished_at", timeValue(r.finishedAt, a), a);
  if (!r.actor.empty())
    d.AddMember("actor", json::string(r.actor, a), a);
  d.AddMember("system", json::string(r.system, a), a);
  d.AddMember("gateway", json::string(r.gateway, a), a);
  d.AddMember("platform", json::string(r.platform, a), a);
  d.AddMember("outage_seconds", r.outageSeconds, a);
  d.AddMember("messages_sent", r.messagesSent, a);
  d.AddMember("messages_accepted", r.messagesAccepted, a);
  d.AddMember("events_accepted", r.eventsAccepted, a);
  d.AddMember("events_delivered", r.eventsDelivered, a);
  d.AddMember("events_missing", r.eventsMissing, a);
  if (r.drainSeconds >= 0)
    d.AddMember("drain_seconds", r.drainSeconds, a);
  else
    d.AddMember("drain_seconds", rapidjson::Value(rapidjson::kNullType), a);
  if (r.backlogAtRestore >= 0)
    d.AddMember("backlog_at_restore", r.backlogAtRestore, a);
  d.AddMember("detail", json::string(r.detail, a), a);
  return json::write(d);
}

Result<DrillRecord> parseDrillRecord(const std::string& text) {
  auto doc = json::parse(text);
  if (!doc.ok())
    return Error{"drill.record", doc.error().message, "$"};
  const auto& d = doc.value();
  if (!d.IsObject())
    return Error{"drill.record", "a drill record is a JSON object", "$"};
  DrillRecord r;
  auto str = [&](const char* name, std::string& out) -> Result<void> {
    if (!d.HasMember(name) || d[name].IsNull())
      return {};
    if (!d[name].IsString())
      return Error{"drill.record", "must be a string", std::string("$.") + name};
    out = d[name].GetString();
    return {};
  };
  auto integer = [&](const char* name, std::int64_t& out) -> Result<void> {
    if (!d.HasMember(name) || d[name].IsNull())
      return {};
    if (!d[name].IsInt64())
      return Error{"drill.record", "must be an integer", std::string("$.") + name};
    out = d[name].GetInt64();
    return {};
  };
  auto number = [&](const char* name, double& out) -> Result<void> {
    if (!d.HasMember(name) || d[name].IsNull())
      return {};
    if (!d[name].IsNumber())
      return Error{"drill.record", "must be a number", std::string("$.") + name};
    out = d[name].GetDouble();
    return {};
  };
  auto time = [&](const char* name, EpochMillis& out) -> Result<void> {
    std::string s;
    if (auto x = str(name, s); !x.ok())
      return x;
    if (!s.empty() && !parseRfc3339(s, out))
      return Error{"drill.record", "must be an RFC 3339 time", std::string("$.") + name};
    return {};
  };
  for (auto step :
       {integer("id", r.id), str("kind", r.kind), str("outcome", r.outcome),
        time("started_at", r.startedAt), time("finished_at", r.finishedAt), str("actor", r.actor),
        str("system", r.system), str("gateway", r.gateway), str("platform", r.platform),
        number("outage_seconds", r.outageSeconds), integer("messages_sent", r.messagesSent),
        integer("messages_accepted", r.messagesAccepted),
        integer("events_accepted", r.eventsAccepted),
        integer("events_delivered", r.eventsDelivered), integer("events_missing", r.eventsMissing),
        number("drain_seconds", r.drainSeconds), integer("backlog_at_restore", r.backlogAtRestore),
        str("detail", r.detail)}) {
    if (!step.ok())
      return step.error();
  }
  if (d.HasMember("ok") && !d["ok"].IsBool())
    return Error{"drill.record", "must be true or false", "$.ok"};
  r.ok = d.HasMember("ok") && d["ok"].GetBool();
  return r;
}

Result<DrillRecord> DrillLedger::record(const DrillRecord& drill, const registry::Actor& actor,
                                        EpochMillis now) {
  registry::AuditEntry e;
  e.at = now;
  e.actor = actor.name;
  e.role = registry::toString(actor.role);
  e.action = kPlatformOutageAction;
  e.target = "drill " + drill.kind + " " + drill.outcome;
  e.system = drill.system;
  e.before = "null";
  DrillRecord stored = drill;
  stored.id = 0;
  stored.actor.clear();
  e.after = drillRecordJson(stored);
  auto appended = store_.appendAudit(e);
  if (!appended.ok())
    return appended.error();
  stored.id = appended.value().seq;
  stored.actor = actor.name;
  return stored;
}

Result<std::vector<DrillRecord>> DrillLedger::list(EpochMillis from, EpochMillis to) {
  std::vector<DrillRecord> out;
  registry::AuditQuery q;
  q.action = kPlatformOutageAction;
  q.since = from;
  q.until = to;
  q.limit = registry::kMaxAuditPage;
  for (;;) {
    auto page = store_.queryAudit(q);
    if (!page.ok())
      return page.error();
    for (const auto& e : page.value().entries) {
      auto r = parseDrillRecord(e.after);
      if (!r.ok()) {
        return Error{r.error().code,
                     "audit entry " + std::to_string(e.seq) + ": " + r.error().message,
                     r.error().path};
      }
      r.value().id = e.seq;
      r.value().actor = e.actor;
      out.push_back(std::move(r).value());
    }
    if (page.value().nextAfterSeq == 0)
      break;
    q.afterSeq = page.value().nextAfterSeq;
  }
  return out;
}

}  // namespace huitong::ops::drill
