#include "gateway/health/ItemHealth.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "gateway/core/Json.h"

namespace huitong::health {

std::string toString(Status s) {
  return s == Status::kRed ? "red" : s == Status::kYellow ? "yellow" : "green";
}

std::string chineseName(Status s) {
  return s == Status::kRed ? "红" : s == Status::kYellow ? "黄" : "绿";
}

std::optional<double> SourceFigures::fact(const std::string& name) const {
  for (const auto& [k, v] : facts) {
    if (k != name)
      continue;
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (end != v.c_str() && *end == '\0')
      return d;
  }
  return std::nullopt;
}

std::optional<double> ItemFigures::rejectRate() const {
  if (records24h <= 0)
    return std::nullopt;
  return static_cast<double>(rejected24h) / static_cast<double>(records24h);
}

std::string chinaMinute(EpochMillis t) {
  const std::string s = formatRfc3339(t);
  return s.substr(0, 10) + " " + s.substr(11, 5);
}

std::string duration(double seconds) {
  const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  if (s < 120)
    return std::to_string(s) + " s";
  if (s < 3600)
    return std::to_string(s / 60) + " min";
  if (s < 86400) {
    const long long m = (s % 3600) / 60;
    return std::to_string(s / 3600) + " h" + (m ? " " + std::to_string(m) + " min" : "");
  }
  const long long h = (s % 86400) / 3600;
  return std::to_string(s / 86400) + " d" + (h ? " " + std::to_string(h) + " h" : "");
}

namespace {

Status levelOf(const Band& band, double value) {
  if (band.red && value >= *band.red)
    return Status::kRed;
  if (band.yellow && value >= *band.yellow)
    return Status::kYellow;
  return Status::kGreen;
}

Status severity(const std::string& word) {
  return word == "red" ? Status::kRed : word == "yellow" ? Status::kYellow : Status::kGreen;
}

std::string plural(std::int64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", fraction * 100);
  return buf;
}

}  // namespace

ItemHealth evaluate(const std::string& system, const std::string& item, ItemFigures f,
                    const ItemRules& rules, EpochMillis now) {
  ItemHealth h;
  h.system = system;
  h.item = item;
  h.computedAt = now;
  auto add = [&](Status level, const std::string& code, const std::string& text) {
    if (level != Status::kGreen)
      h.reasons.push_back(Reason{level, code, text});
  };

  if (f.deadLetters > 0) {
    add(levelOf(rules.deadLetters, static_cast<double>(f.deadLetters)), "dead_letters",
        plural(f.deadLetters, "dead letter", "dead letters") +
            (f.lastDeadAt ? " (the last at " + chinaMinute(f.lastDeadAt) + ")" : ""));
  }
  if (f.backlog > 0) {
    add(levelOf(rules.backlog, static_cast<double>(f.backlog)), "backlog",
        plural(f.backlog, "event", "events") + " waiting for delivery");
    if (f.oldestPending > 0) {
      const double age = static_cast<double>(now - f.oldestPending) / 1000.0;
      add(levelOf(rules.backlogAgeSeconds, age), "backlog_age",
          "the oldest waiting event was accepted " + duration(age) + " ago (" +
              chinaMinute(f.oldestPending) + ")");
    }
  }
  if (f.lagP95Seconds) {
    add(levelOf(rules.lagP95Seconds, *f.lagP95Seconds), "lag_p95",
        "delivery lag p95 " + duration(*f.lagP95Seconds) + " over the last 24 h (" +
            plural(f.delivered24h, "event", "events") + ")");
  }
  if (const auto rate = f.rejectRate(); rate && f.records24h >= rules.rejectMinSample) {
    add(levelOf(rules.rejectRate, *rate), "reject_rate",
        percent(*rate) + " of records refused in 24 h (" + std::to_string(f.rejected24h) + " of " +
            std::to_string(f.records24h) +
            (f.rejectScope == "system" ? ", the system's records" : "") + ")");
  }
  const SourceFigures& s = f.source;
  if (!s.reachable && rules.sourceUnreachable != "ignore") {
    add(severity(rules.sourceUnreachable), "source_unreachable",
        "source unreachable" + (s.detail.empty() ? std::string() : ": " + s.detail));
  }
  if (const auto age = s.fact("oldest_file_age_s"); age && s.fact("pending_files").value_or(1) > 0)
    add(levelOf(rules.oldestFileAgeSeconds, *age), "oldest_file",
        "the oldest file not taken yet is " + duration(*age) + " old");
  if (const auto rows = s.fact("unflagged_rows"))
    add(levelOf(rules.unflaggedRows, *rows), "unflagged_rows",
        std::to_string(static_cast<long long>(*rows)) +
            " rows not flagged yet in the source table");

  if (rules.expect) {
    h.expect = describe(*rules.expect);
    if (f.period && f.periodEvents < rules.expect->minEvents) {
      std::string text;
      if (f.periodEvents == 0 && f.lastReceived < f.period->start) {
        text = f.lastReceived > 0 ? "no event since " + chinaMinute(f.lastReceived)
                                  : "no event received so far";
      } else {
        text = plural(f.periodEvents, "event", "events") + " in " + f.period->label;
      }
      add(severity(rules.expect->severity), "activity", text + ", expected " + h.expect);
    }
  }
  std::stable_sort(h.reasons.begin(), h.reasons.end(),
                   [](const Reason& a, const Reason& b) { return a.level > b.level; });
  for (const auto& r : h.reasons)
    h.status = std::max(h.status, r.level);
  h.figures = std::move(f);
  return h;
}

std::string ItemHealth::summary() const {
  std::string out = chineseName(status);
  for (std::size_t i = 0; i < reasons.size(); ++i)
    out += (i == 0 ? ": " : "; ") + reasons[i].text;
  return out;
}

namespace {

using Alloc = rapidjson::Document::AllocatorType;

rapidjson::Value timeOrNull(EpochMillis t, Alloc& a) {
  return t > 0 ? json::string(formatRfc3339(t), a) : rapidjson::Value(rapidjson::kNullType);
}

rapidjson::Value optNumber(const std::optional<double>& v) {
  return v ? rapidjson::Value(std::round(*v * 1000) / 1000)
           : rapidjson::Value(rapidjson::kNullType);
}

rapidjson::Value itemJson(const ItemHealth& h, bool detail, Alloc& a) {
  const ItemFigures& f = h.figures;
  rapidjson::Value v(rapidjson::kObjectType);
  v.AddMember("system", json::string(h.system, a), a);
  v.AddMember("item", json::string(h.item, a), a);
  v.AddMember("item_name", json::string(h.itemName, a), a);
  v.AddMember("status", json::string(toString(h.status), a), a);
  v.AddMember("summary", json::string(h.summary(), a), a);
  rapidjson::Value reasons(rapidjson::kArrayType);
  for (const auto& r : h.reasons) {
    rapidjson::Value rv(rapidjson::kObjectType);
    rv.AddMember("level", json::string(toString(r.level), a), a);
    rv.AddMember("code", json::string(r.code, a), a);
    rv.AddMember("text", json::string(r.text, a), a);
    reasons.PushBack(rv, a);
  }
  v.AddMember("reasons", reasons, a);
  v.AddMember("last_received", timeOrNull(f.lastReceived, a), a);
  v.AddMember("last_delivered", timeOrNull(f.lastDelivered, a), a);
  v.AddMember("events_1h", f.events1h, a);
  v.AddMember("events_24h", f.events24h, a);
  v.AddMember("reject_rate", optNumber(f.rejectRate()), a);
  v.AddMember("dead_letters", f.deadLetters, a);
  v.AddMember("lag_p95_s", optNumber(f.lagP95Seconds), a);
  v.AddMember("backlog", f.backlog, a);
  v.AddMember("source_reachable", f.source.reachable, a);
  if (!detail)
    return v;
  v.AddMember("expect",
              h.expect.empty() ? rapidjson::Value(rapidjson::kNullType) : json::string(h.expect, a),
              a);
  v.AddMember("computed_at", timeOrNull(h.computedAt, a), a);
  v.AddMember("delivered_24h", f.delivered24h, a);
  v.AddMember("rejected_24h", f.rejected24h, a);
  v.AddMember("records_24h", f.records24h, a);
  v.AddMember("reject_scope", json::string(f.rejectScope, a), a);
  v.AddMember("last_dead_at", timeOrNull(f.lastDeadAt, a), a);
  v.AddMember("oldest_pending", timeOrNull(f.oldestPending, a), a);
  if (f.period) {
    rapidjson::Value p(rapidjson::kObjectType);
    p.AddMember("label", json::string(f.period->label, a), a);
    p.AddMember("from", timeOrNull(f.period->start, a), a);
    p.AddMember("to", timeOrNull(f.period->end, a), a);
    p.AddMember("office_hours_only", f.period->officeOnly, a);
    p.AddMember("events", f.periodEvents, a);
    v.AddMember("activity_period", p, a);
  } else {
    v.AddMember("activity_period", rapidjson::Value(rapidjson::kNullType), a);
  }
  const SourceFigures& s = f.source;
  rapidjson::Value src(rapidjson::kObjectType);
  src.AddMember("adapter", json::string(s.adapter, a), a);
  src.AddMember("kind", json::string(s.push ? "push" : "pull", a), a);
  src.AddMember("reachable", s.reachable, a);
  src.AddMember("detail", json::string(s.detail, a), a);
  src.AddMember("reported_at", timeOrNull(s.reportedAt, a), a);
  if (s.push) {
    src.AddMember("last_request_at", timeOrNull(s.lastRequestAt, a), a);
    src.AddMember("since_last_request_s",
                  s.lastRequestAt > 0 ? rapidjson::Value((h.computedAt - s.lastRequestAt) / 1000)
                                      : rapidjson::Value(rapidjson::kNullType),
                  a);
  }
  rapidjson::Value facts(rapidjson::kObjectType);
  for (const auto& [k, fv] : s.facts)
    facts.AddMember(json::string(k, a), json::string(fv, a), a);
  src.AddMember("facts", facts, a);
  v.AddMember("source", src, a);
  return v;
}

}  // namespace

std::string toJson(const ItemHealth& h, bool detail) {
  rapidjson::Document d;
  rapidjson::Value v = itemJson(h, detail, d.GetAllocator());
  return json::write(v);
}

std::string toJson(const std::vector<ItemHealth>& items, EpochMillis computedAt) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("computed_at", timeOrNull(computedAt, a), a);
  std::int64_t counts[3] = {0, 0, 0};
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& h : items) {
    ++counts[static_cast<int>(h.status)];
    list.PushBack(itemJson(h, false, a), a);
  }
  rapidjson::Value c(rapidjson::kObjectType);
  c.AddMember("green", counts[0], a);
  c.AddMember("yellow", counts[1], a);
  c.AddMember("red", counts[2], a);
  d.AddMember("counts", c, a);
  d.AddMember("items", list, a);
  return json::write(d);
}

}  // namespace huitong::health
