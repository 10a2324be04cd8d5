#include "gateway/ops/drill/PlatformOutageDrill.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <thread>

#include <rapidjson/document.h>

#include "gateway/core/Json.h"
#include "gateway/ops/drill/DrillHttp.h"

namespace huitong::ops::drill {

namespace {

using Steady = std::chrono::steady_clock;

double secondsBetween(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string figure(double v) {
  return v < 0 ? "?" : std::to_string(static_cast<long long>(std::llround(v)));
}

std::string trimSlash(std::string s) {
  while (!s.empty() && s.back() == '/')
    s.pop_back();
  return s;
}

// Sleeps until `until` or a stop request; false when stopped.
bool waitUntil(Steady::time_point until, const std::atomic<bool>& stop) {
  while (!stop) {
    const auto now = Steady::now();
    if (now >= until)
      return true;
    std::this_thread::sleep_for(
        std::min<Steady::duration>(until - now, std::chrono::milliseconds(50)));
  }
  return false;
}

GatewayFigures readFigures(const DrillPlan& plan) {
  GatewayFigures f;
  const HttpReply r =
      httpCall("GET", plan.gatewayUrl + "/metrics", "", {}, plan.requestTimeoutMillis);
  if (r.status != 200)
    return f;
  f.pending = metricValue(r.body, "huitong_outbox_pending").value_or(-1);
  f.dead = metricValue(r.body, "huitong_outbox_dead").value_or(-1);
  // The counter appears with the first delivery.
  f.delivered = metricValue(r.body, "huitong_delivered_events_total").value_or(0);
  return f;
}

// Reads the platform's held events after arrival index `since`, page by page, telling
// `seen` each event id; returns the last index read (`since` when none).
Result<std::int64_t> scanReceived(const DrillPlan& plan, std::int64_t since,
                                  const std::function<void(const std::string&)>& seen) {
  for (;;) {
    const HttpReply r = httpCall(
        "GET",
        plan.platformUrl + "/control/v1/received?since=" + std::to_string(since) + "&limit=10000",
        "", {}, plan.requestTimeoutMillis);
    if (r.status != 200) {
      return Error{"drill.platform",
                   "the mock platform's received list: " +
                       (r.status ? "HTTP " + std::to_string(r.status) : r.error),
                   ""};
    }
    auto doc = json::parse(r.body);
    if (!doc.ok() || !doc.value().IsObject() || !doc.value().HasMember("events") ||
        !doc.value()["events"].IsArray() || !doc.value().HasMember("next_since") ||
        !doc.value()["next_since"].IsInt64()) {
      return Error{"drill.platform", "the mock platform's received list is not readable", ""};
    }
    const auto& events = doc.value()["events"];
    if (events.Empty())
      return since;
    for (const auto& e : events.GetArray()) {
      if (e.IsObject() && e.HasMember("event_id") && e["event_id"].IsString() && seen)
        seen(e["event_id"].GetString());
    }
    since = doc.value()["next_since"].GetInt64();
  }
}

int platformHealth(const DrillPlan& plan) {
  return httpCall("GET", plan.platformUrl + "/exchange/v1/health", "", {},
                  plan.requestTimeoutMillis)
      .status;
}

}  // namespace

std::optional<double> metricValue(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    if (line.compare(0, series.size(), series) != 0 || line.size() <= series.size() ||
        line[series.size()] != ' ')
      continue;
    try {
      return std::stod(line.substr(series.size() + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::vector<MissingEvent> findMissing(const std::vector<DrillSend>& sends,
                                      const std::set<std::string>& received) {
  std::vector<MissingEvent> out;
  for (const auto& s : sends) {
    if (!s.accepted())
      continue;
    for (const auto& id : s.eventIds) {
      if (!received.count(id))
        out.push_back(MissingEvent{id, s.messageId, s.caseNo, "", ""});
    }
  }
  return out;
}

std::string outcomeOf(bool interrupted, const std::string& failure, std::size_t missing,
                      std::size_t refused) {
  if (!failure.empty())
    return "failed";
  if (interrupted)
    return "interrupted";
  if (missing > 0)
    return "missing";
  if (refused > 0)
    return "refused";
  return "passed";
}

DrillResult runPlatformOutageDrill(const DrillPlan& planIn, const DepartmentSender& sender,
                                   const Clock& clock, const std::atomic<bool>& stop,
                                   const Progress& progress) {
  DrillPlan plan = planIn;
  plan.gatewayUrl = trimSlash(plan.gatewayUrl);
  plan.platformUrl = trimSlash(plan.platformUrl);
  DrillResult result;
  DrillRecord& rec = result.record;
  rec.startedAt = clock.now();
  rec.system = sender.system();
  rec.gateway = plan.gatewayUrl;
  rec.platform = plan.platformUrl;
  rec.outageSeconds = plan.outageSeconds;
  auto say = [&](const std::string& line) {
    if (progress)
      progress(line);
  };
  std::string failure;
  bool interrupted = false;
  bool outageSet = false;
  bool drainWatched = false;  // the drain was waited for (missing events mean something)
  std::string restoreBody;
  Steady::time_point restoredAt{};

  // Puts back the faults that were in force before the drill (outage cleared).
  auto restore = [&]() {
    if (!outageSet || result.platformRestored)
      return;
    for (int attempt = 0; attempt < 3 && !result.platformRestored; ++attempt) {
      const HttpReply r =
          httpCall("PUT", plan.platformUrl + "/control/v1/faults", restoreBody,
                   {{"Content-Type", "application/json"}}, plan.requestTimeoutMillis);
      result.platformRestored = r.status == 200;
      if (!result.platformRestored) {
        say("restoring the platform failed (" +
            (r.status ? "HTTP " + std::to_string(r.status) : r.error) + "), trying again");
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
      }
    }
    restoredAt = Steady::now();
    if (!result.platformRestored) {
      const std::string why =
          "the platform could not be restored; its outage ends by itself at the planned time";
      result.notes.push_back(why);
      if (failure.empty())
        failure = why;
    } else {
      say("platform back (outage cleared, earlier faults restored)");
    }
  };

  std::set<std::string> expected;
  std::set<std::string> arrived;
  std::int64_t startIndex = 0;
  [&] {
    // 1. Before: the gateway is ready, the platform reachable and not already faulted.
    const HttpReply ready =
        httpCall("GET", plan.gatewayUrl + "/readyz", "", {}, plan.requestTimeoutMillis);
    if (ready.status != 200) {
      failure = "the gateway at " + plan.gatewayUrl + " is not ready (" +
                (ready.status ? "HTTP " + std::to_string(ready.status) : ready.error) + ")";
      return;
    }
    const HttpReply faults =
        httpCall("GET", plan.platformUrl + "/control/v1/faults", "", {}, plan.requestTimeoutMillis);
    auto current = json::parse(faults.body);
    if (faults.status != 200 || !current.ok() || !current.value().IsObject()) {
      failure = "the mock platform's faults at " + plan.platformUrl + "/control/v1/faults (" +
                (faults.status ? "HTTP " + std::to_string(faults.status) : faults.error) + ")";
      return;
    }
    auto& f = current.value();
    if (f.HasMember("outage_seconds") && f["outage_seconds"].IsNumber() &&
        f["outage_seconds"].GetDouble() > 0) {
      failure = "the platform already has an outage in force (" +
                fixed1(f["outage_seconds"].GetDouble()) + " s left): not starting a drill on it";
      return;
    }
    f.RemoveMember("outage_seconds");
    restoreBody = json::write(f);
    auto last = scanReceived(plan, 0, nullptr);
    if (!last.ok()) {
      failure = last.error().message;
      return;
    }
    startIndex = last.value();
    result.before = readFigures(plan);
    say("before: gateway outbox pending " + figure(result.before.pending) + ", dead letters " +
        figure(result.before.dead) + ", delivered " + figure(result.before.delivered) +
        "; the platform holds events up to index " + std::to_string(startIndex));

    // 2. The platform goes away for the planned time (it comes back by itself even if this
    // process dies).
    rapidjson::Document down;
    down.CopyFrom(f, down.GetAllocator());
    down.AddMember("outage_seconds", plan.outageSeconds, down.GetAllocator());
    const HttpReply set =
        httpCall("PUT", plan.platformUrl + "/control/v1/faults", json::write(down),
                 {{"Content-Type", "application/json"}}, plan.requestTimeoutMillis);
    if (set.status != 200) {
      failure = "the outage could not be set (" +
                (set.status ? "HTTP " + std::to_string(set.status) + ": " + set.body : set.error) +
                ")";
      return;
    }
    outageSet = true;
    const auto outageStart = Steady::now();
    const auto outageEnd =
        outageStart + std::chrono::milliseconds(std::llround(plan.outageSeconds * 1000));
    result.platformDownConfirmed = platformHealth(plan) == 503;
    say("platform away for " + fixed1(plan.outageSeconds) + " s (health " +
        (result.platformDownConfirmed ? "503: down" : "not 503: NOT confirmed down") + ")");

    // 3. Departments keep sending through the intake.
    const double spacing = plan.outageSeconds * 0.8 / plan.messages;
    for (int i = 0; i < plan.messages; ++i) {
      if (!waitUntil(outageStart + std::chrono::milliseconds(std::llround(i * spacing * 1000)),
                     stop)) {
        interrupted = true;
        return;
      }
      DrillSend s = sender.send(i, clock, plan.requestTimeoutMillis);
      ++rec.messagesSent;
      if (s.accepted()) {
        ++rec.messagesAccepted;
        rec.eventsAccepted += static_cast<std::int64_t>(s.eventIds.size());
        expected.insert(s.eventIds.begin(), s.eventIds.end());
        say("sent " + std::to_string(i + 1) + "/" + std::to_string(plan.messages) + " case " +
            s.caseNo + ": HTTP " + std::to_string(s.status) + ", message " + s.messageId + " (" +
            std::to_string(s.eventIds.size()) + " event" + (s.eventIds.size() == 1 ? "" : "s") +
            ")");
      } else {
        say("sent " + std::to_string(i + 1) + "/" + std::to_string(plan.messages) + " case " +
            s.caseNo + ": NOT ACCEPTED: " + s.error);
      }
      result.sends.push_back(std::move(s));
    }
    say("all messages sent; waiting for the planned end of the outage (" +
        fixed1(std::max(0.0, secondsBetween(Steady::now(), outageEnd))) + " s)");
    if (!waitUntil(outageEnd, stop)) {
      interrupted = true;
      return;
    }

    // 4. The platform comes back; the backlog drains.
    result.atRestore = readFigures(plan);
    restore();
    if (!result.platformRestored)
      return;
    rec.backlogAtRestore = result.atRestore.pending < 0
                               ? -1
                               : static_cast<std::int64_t>(std::llround(result.atRestore.pending));
    const auto drainDeadline =
        restoredAt + std::chrono::milliseconds(std::llround(plan.drainTimeoutSeconds * 1000));
    std::int64_t cursor = startIndex;
    drainWatched = true;
    auto lastReport = Steady::now();
    auto arrivedCount = [&] { return static_cast<std::int64_t>(arrived.size()); };
    for (;;) {
      auto scanned = scanReceived(plan, cursor, [&](const std::string& id) {
        if (expected.count(id))
          arrived.insert(id);
      });
      if (scanned.ok())
        cursor = scanned.value();
      else
        say("reading the platform failed: " + scanned.error().message + " (trying again)");
      const auto now = Steady::now();
      if (arrivedCount() == static_cast<std::int64_t>(expected.size())) {
        rec.drainSeconds = secondsBetween(restoredAt, now);
        say("drained: " + std::to_string(arrived.size()) + "/" + std::to_string(expected.size()) +
            " events at the platform " + fixed1(rec.drainSeconds) + " s after it came back");
        break;
      }
      if (now >= drainDeadline) {
        say("drain deadline (" + fixed1(plan.drainTimeoutSeconds) + " s) passed with " +
            std::to_string(arrived.size()) + "/" + std::to_string(expected.size()) +
            " events at the platform");
        break;
      }
      if (now - lastReport >= std::chrono::seconds(1)) {
        lastReport = now;
        const GatewayFigures g = readFigures(plan);
        say("draining: " + std::to_string(arrived.size()) + "/" + std::to_string(expected.size()) +
            " events at the platform, gateway outbox pending " + figure(g.pending) + ", " +
            fixed1(secondsBetween(restoredAt, now)) + " s");
      }
      if (!waitUntil(std::min(drainDeadline, now + std::chrono::milliseconds(plan.pollMillis)),
                     stop)) {
        interrupted = true;
        return;
      }
    }
  }();
  // Whatever happened, the platform is not left down.
  restore();

  rec.eventsDelivered = static_cast<std::int64_t>(arrived.size());
  if (outageSet && failure.empty() && !drainWatched && rec.eventsAccepted > 0) {
    result.notes.push_back("stopped before the drain: " + std::to_string(rec.eventsAccepted) +
                           " accepted event(s) not checked at the platform");
  }
  if (outageSet)
    result.after = readFigures(plan);
  if (drainWatched && failure.empty()) {
    result.missing = findMissing(result.sends, arrived);
    if (!plan.opsToken.empty()) {
      for (auto& m : result.missing) {
        const HttpReply r =
            httpCall("GET", plan.gatewayUrl + "/ops/v1/messages/" + rec.system + "/" + m.messageId,
                     "", {{"Authorization", "Bearer " + plan.opsToken}}, plan.requestTimeoutMillis);
        auto doc = json::parse(r.body);
        if (r.status != 200 || !doc.ok() || !doc.value().IsObject() ||
            !doc.value().HasMember("events") || !doc.value()["events"].IsArray()) {
          m.gatewayState = "unknown (HTTP " + std::to_string(r.status) + ")";
          continue;
        }
        for (const auto& e : doc.value()["events"].GetArray()) {
          if (e.IsObject() && e.HasMember("event_id") && e["event_id"].IsString() &&
              m.eventId == e["event_id"].GetString()) {
            if (e.HasMember("state") && e["state"].IsString())
              m.gatewayState = e["state"].GetString();
            if (e.HasMember("reason") && e["reason"].IsString())
              m.reason = e["reason"].GetString();
          }
        }
      }
    }
  }
  std::size_t refused = 0;
  for (const auto& s : result.sends)
    refused += s.accepted() ? 0 : 1;
  rec.eventsMissing = static_cast<std::int64_t>(result.missing.size());
  if (interrupted)
    result.notes.push_back("interrupted: the platform was restored before exiting");
  rec.outcome = outcomeOf(interrupted, failure, result.missing.size(), refused);
  rec.ok = rec.outcome == "passed";
  if (!failure.empty())
    rec.detail = failure;
  else if (interrupted)
    rec.detail = "stopped by the operator";
  else if (!result.missing.empty())
    rec.detail = std::to_string(result.missing.size()) + " accepted event(s) not at the platform";
  else if (refused > 0)
    rec.detail = std::to_string(refused) + " message(s) not accepted during the outage";
  else
    rec.detail = "every accepted event arrived";
  rec.finishedAt = clock.now();
  return result;
}

std::string renderText(const DrillResult& r) {
  const DrillRecord& d = r.record;
  std::ostringstream o;
  std::string upper = d.outcome;
  for (auto& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  o << "drill platform-outage: " << upper << " — " << d.detail << "\n";
  o << "  department " << d.system << " through " << d.gateway << "; platform " << d.platform
    << "\n";
  o << "  started " << formatRfc3339(d.startedAt) << ", finished " << formatRfc3339(d.finishedAt)
    << "\n";
  o << "  outage: " << fixed1(d.outageSeconds)
    << " s planned; platform down confirmed: " << (r.platformDownConfirmed ? "yes" : "no")
    << "; restored: " << (r.platformRestored ? "yes" : "no") << "\n";
  o << "  messages sent during the outage: " << d.messagesSent
    << ", accepted (2xx with a receipt): " << d.messagesAccepted
    << ", events queued: " << d.eventsAccepted << "\n";
  o << "  backlog when the platform came back: "
    << (d.backlogAtRestore < 0 ? "?" : std::to_string(d.backlogAtRestore))
    << " event(s) pending in the gateway's outbox\n";
  o << "  time to drain: "
    << (d.drainSeconds < 0 ? std::string("not drained") : fixed1(d.drainSeconds) + " s") << "\n";
  o << "  delivered: " << d.eventsDelivered << "/" << d.eventsAccepted
    << " accepted events held by the platform; missing: " << d.eventsMissing << "\n";
  auto delta = [](double a, double b) {
    return a < 0 || b < 0 ? std::string("?")
                          : (b >= a ? "+" : "") + std::to_string(std::llround(b - a));
  };
  o << "  gateway: outbox pending " << figure(r.before.pending) << " → "
    << figure(r.atRestore.pending) << " → " << figure(r.after.pending) << ", dead letters "
    << figure(r.before.dead) << " → " << figure(r.after.dead) << ", delivered events "
    << delta(r.before.delivered, r.after.delivered) << "\n";
  for (const auto& s : r.sends) {
    if (!s.accepted())
      o << "  NOT ACCEPTED: message " << s.index + 1 << " (case " << s.caseNo << "): " << s.error
        << "\n";
  }
  for (const auto& m : r.missing) {
    o << "  MISSING: event " << m.eventId << " of message " << m.messageId;
    if (!m.gatewayState.empty())
      o << " — gateway state " << m.gatewayState;
    if (!m.reason.empty())
      o << ": " << m.reason.substr(0, 200);
    o << "\n";
  }
  for (const auto& n : r.notes)
    o << "  note: " << n << "\n";
  return o.str();
}

std::string renderJson(const DrillResult& r) {
  auto parsed = json::parse(drillRecordJson(r.record));
  rapidjson::Document d;
  d.CopyFrom(parsed.value(), d.GetAllocator());
  auto& a = d.GetAllocator();
  d.AddMember("platform_down_confirmed", r.platformDownConfirmed, a);
  d.AddMember("platform_restored", r.platformRestored, a);
  auto figures = [&](const GatewayFigures& f) {
    rapidjson::Value v(rapidjson::kObjectType);
    auto put = [&](const char* name, double x) {
      if (x < 0)
        v.AddMember(rapidjson::StringRef(name), rapidjson::Value(rapidjson::kNullType), a);
      else
        v.AddMember(rapidjson::StringRef(name), static_cast<std::int64_t>(std::llround(x)), a);
    };
    put("outbox_pending", f.pending);
    put("outbox_dead", f.dead);
    put("delivered_events_total", f.delivered);
    return v;
  };
  rapidjson::Value g(rapidjson::kObjectType);
  g.AddMember("before", figures(r.before), a);
  g.AddMember("at_restore", figures(r.atRestore), a);
  g.AddMember("after", figures(r.after), a);
  d.AddMember("gateway_figures", g, a);
  rapidjson::Value messages(rapidjson::kArrayType);
  for (const auto& s : r.sends) {
    rapidjson::Value m(rapidjson::kObjectType);
    m.AddMember("index", s.index, a);
    m.AddMember("case_no", json::string(s.caseNo, a), a);
    m.AddMember("sent_at", json::string(formatRfc3339(s.sentAt), a), a);
    m.AddMember("status", s.status, a);
    m.AddMember("accepted", s.accepted(), a);
    m.AddMember("message_id", json::string(s.messageId, a), a);
    rapidjson::Value ids(rapidjson::kArrayType);
    for (const auto& id : s.eventIds)
      ids.PushBack(json::string(id, a), a);
    m.AddMember("events", ids, a);
    if (!s.error.empty())
      m.AddMember("error", json::string(s.error, a), a);
    messages.PushBack(m, a);
  }
  d.AddMember("messages", messages, a);
  rapidjson::Value missing(rapidjson::kArrayType);
  for (const auto& m : r.missing) {
    rapidjson::Value v(rapidjson::kObjectType);
    v.AddMember("event_id", json::string(m.eventId, a), a);
    v.AddMember("message_id", json::string(m.messageId, a), a);
    v.AddMember("case_no", json::string(m.caseNo, a), a);
    if (!m.gatewayState.empty())
      v.AddMember("gateway_state", json::string(m.gatewayState, a), a);
    if (!m.reason.empty())
      v.AddMember("reason", json::string(m.reason, a), a);
    missing.PushBack(v, a);
  }
  d.AddMember("missing", missing, a);
  rapidjson::Value notes(rapidjson::kArrayType);
  for (const auto& n : r.notes)
    notes.PushBack(json::string(n, a), a);
  d.AddMember("notes", notes, a);
  return json::writePretty(d);
}

}  // namespace huitong::ops::drill
