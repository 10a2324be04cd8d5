// `huitong monitor checks | results | availability | alerts | event`: what the monitoring store
// holds, read through the gateway config exactly as `huitong serve` reads it (the monitor block
// is checked the same way, so a config the gateway would refuse is refused here with file:line).
#include "gateway/app/MonitorCommand.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "gateway/app/CommandLine.h"
#include "gateway/app/MonitorWiring.h"
#include "gateway/core/Json.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/monitor/schedule/Availability.h"

namespace huitong::app {
namespace {

using namespace monitor::schedule;

constexpr std::int64_t kDayMillis = 86400000;
constexpr std::int64_t kChinaOffsetMillis = 8 * 3600000;

constexpr const char* kUsage =
    "usage: huitong monitor checks --config FILE [--json]\n"
    "       huitong monitor results CHECK --config FILE [--from T] [--to T] [--step raw|hour]\n"
    "                                     [--json]\n"
    "       huitong monitor availability CHECK --config FILE (--month YYYY-MM | --day DATE)\n"
    "                                     [--json]\n"
    "       huitong monitor alerts --config FILE [--open] [--json]\n"
    "       huitong monitor event declare --config FILE --name NAME --from T --to T\n"
    "       huitong monitor event list --config FILE [--json]\n"
    "Reads the monitoring results store of the database the config names (store).\n"
    "  checks        every configured check: schedule, interval, its last stored run\n"
    "  results       a check's runs (--step raw, default; at most 8 days) or hourly rollups\n"
    "                (--step hour; at most 400 days); --to defaults to now, --from to an hour\n"
    "                (raw) or a day (hour) before --to\n"
    "  availability  ok runs over scheduled slots for a month (each day listed) or one day\n"
    "  alerts        the newest 200 alerts with their notifications (--open: firing only)\n"
    "  event declare a major event (重大活动保障): checks run on their intensified interval\n"
    "                with tighter thresholds from --from to --to; a running gateway takes it\n"
    "                within 15 s\n"
    "T is RFC 3339 (2026-11-27T09:00:00+08:00) or a date (2026-11-27, midnight in China).\n"
    "exit: 0 ok, 1 a check's last run not ok (checks) or an alert firing (alerts --open),\n"
    "2 bad usage, an unreadable config or store (docs/cli.md \"huitong monitor\").\n";

EpochMillis chinaMidnight(Day d) {
  return d * kDayMillis - kChinaOffsetMillis;
}

// RFC 3339 or a bare date (its midnight in China).
bool parseInstant(const std::string& text, EpochMillis& out) {
  if (parseRfc3339(text, out))
    return true;
  auto day = parseDate(text);
  if (!day.ok())
    return false;
  out = chinaMidnight(day.value());
  return true;
}

std::string when(EpochMillis t) {
  return t == 0 ? "-" : formatRfc3339(t);
}

rapidjson::Value whenJson(EpochMillis t, rapidjson::Document::AllocatorType& a) {
  return t == 0 ? rapidjson::Value() : json::string(formatRfc3339(t), a);
}

std::string fixed(double v, int digits = 1) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

std::string percent(const std::optional<double>& r) {
  return r ? fixed(*r * 100, 3) + " %" : "-";
}

std::string cell(const std::string& s, std::size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

struct Opened {
  http::GatewayConfig config;
  exchange::MetricsRegistry metrics;  // the wiring registers its gauges here; nobody reads them
  WorkCalendar calendar = WorkCalendar::china();
  SystemClock clock;
  std::unique_ptr<MonitorWiring> wiring;
};

// The config, its calendar and the monitor block as `huitong serve` builds them (not started).
int open(const std::string& verb, const Arguments& a, Opened& o) {
  const std::string file = a.get("config");
  if (file.empty()) {
    std::cerr << "huitong monitor " << verb << ": --config FILE is required\n" << kUsage;
    return kExitUsage;
  }
  auto config = http::loadConfig(file);
  if (!config.ok()) {
    std::cerr << "huitong monitor " << verb << ": " << config.error().describe() << "\n";
    return kExitUsage;
  }
  o.config = std::move(config).value();
  if (!o.config.monitor) {
    std::cerr << "huitong monitor " << verb << ": " << file
              << " has no \"monitor\" block (docs/configuration.md, monitor)\n";
    return kExitUsage;
  }
  if (o.config.calendar) {
    if (auto r = o.calendar.configure(*o.config.calendar); !r.ok()) {
      std::cerr << "huitong monitor " << verb << ": " << r.error().describe() << "\n";
      return kExitUsage;
    }
  }
  const storage::StoreConfig& store = o.config.store;
  std::error_code ec;
  if (store.kind == "sqlite" && !std::filesystem::exists(store.path, ec)) {
    std::cerr << "huitong monitor " << verb << ": " << file << ": no database at " << store.path
              << " (store.path; has the gateway run with this config?)\n";
    return kExitUsage;
  }
  auto wiring = MonitorWiring::create(o.config.monitor, store, o.calendar, o.clock, o.metrics);
  if (!wiring.ok()) {
    std::cerr << "huitong monitor " << verb << ": " << wiring.error().describe() << "\n";
    return kExitUsage;
  }
  o.wiring = std::move(wiring).value();
  return kExitOk;
}

// The id of a configured check (the first positional), or a usage error naming the ids.
const monitor::Cadence* checkOf(const std::string& verb, const Arguments& a, Opened& o,
                                std::string& id) {
  if (a.positionals().size() != 1) {
    std::cerr << "huitong monitor " << verb << ": name one CHECK\n" << kUsage;
    return nullptr;
  }
  id = a.positionals()[0];
  const monitor::Cadence* c = o.wiring->service().cadenceOf(id);
  if (c == nullptr) {
    std::string ids;
    for (const auto& s : o.wiring->service().scheduler().snapshot())
      ids += (ids.empty() ? "" : ", ") + s.id;
    std::cerr << "huitong monitor " << verb << ": no check '" << id << "' in " << a.get("config")
              << " (checks: " << (ids.empty() ? "none" : ids) << ")\n";
  }
  return c;
}

void printJson(const rapidjson::Value& v) {
  std::cout << json::writePretty(v) << "\n";
}

int checks(const Arguments& a, Opened& o) {
  auto& service = o.wiring->service();
  const EpochMillis now = o.clock.now();
  rapidjson::Document d(rapidjson::kObjectType);
  auto& al = d.GetAllocator();
  rapidjson::Value list(rapidjson::kArrayType);
  bool allOk = true;
  if (!a.has("json"))
    std::cout << cell("CHECK", 24) << cell("KIND", 7) << cell("SCHEDULE", 9) << cell("EVERY", 7)
              << cell("LAST RUN", 27) << cell("STATUS", 7) << cell("MS", 9) << "MESSAGE\n";
  for (const auto& s : service.scheduler().snapshot()) {
    // The newest stored run of the last two hours (a 5 s check writes 1,440 in that time).
    auto rows = service.store().results(s.id, now - 2 * 3600000, now + 1, kMaxResultPage);
    if (!rows.ok()) {
      std::cerr << "huitong monitor checks: " << rows.error().describe() << "\n";
      return kExitUsage;
    }
    const StoredResult* last = rows.value().empty() ? nullptr : &rows.value().back();
    allOk = allOk && last != nullptr && last->status == "ok";
    if (a.has("json")) {
      rapidjson::Value c(rapidjson::kObjectType);
      c.AddMember("id", json::string(s.id, al), al);
      c.AddMember("kind", json::string(s.kind, al), al);
      c.AddMember("schedule", json::string(s.cadence.schedule, al), al);
      c.AddMember("interval_s", s.cadence.intervalSeconds, al);
      c.AddMember("intensified_interval_s", s.cadence.intensifiedIntervalSeconds, al);
      c.AddMember("timeout_ms", s.cadence.timeoutMs, al);
      rapidjson::Value lastJson;
      if (last != nullptr) {
        lastJson.SetObject();
        lastJson.AddMember("at", whenJson(last->startedAt, al), al);
        lastJson.AddMember("status", json::string(last->status, al), al);
        lastJson.AddMember("duration_ms", last->durationMs, al);
        lastJson.AddMember("message", json::string(last->message, al), al);
      }
      c.AddMember("last", lastJson, al);
      list.PushBack(c, al);
      continue;
    }
    std::cout << cell(s.id, 24) << cell(s.kind, 7) << cell(s.cadence.schedule, 9)
              << cell(std::to_string(s.cadence.intervalSeconds) + "s", 7)
              << cell(last ? when(last->startedAt) : "none in 2 h", 27)
              << cell(last ? last->status : "-", 7) << cell(last ? fixed(last->durationMs) : "-", 9)
              << (last ? last->message : "") << "\n";
  }
  if (a.has("json")) {
    d.AddMember("checks", list, al);
    d.AddMember("ok", allOk, al);
    printJson(d);
  }
  return allOk ? kExitOk : kExitFailed;
}

int results(const Arguments& a, Opened& o) {
  std::string id;
  if (checkOf("results", a, o, id) == nullptr)
    return kExitUsage;
  const std::string step = a.get("step", "raw");
  if (step != "raw" && step != "hour") {
    std::cerr << "huitong monitor results: --step must be raw or hour, not '" << step << "'\n";
    return kExitUsage;
  }
  EpochMillis to = o.clock.now(), from = 0;
  if (a.has("to") && !parseInstant(a.get("to"), to)) {
    std::cerr << "huitong monitor results: --to '" << a.get("to")
              << "' is neither RFC 3339 (2026-11-27T09:00:00+08:00) nor a date (2026-11-27)\n";
    return kExitUsage;
  }
  from = to - (step == "raw" ? 3600000 : kDayMillis);
  if (a.has("from") && !parseInstant(a.get("from"), from)) {
    std::cerr << "huitong monitor results: --from '" << a.get("from")
              << "' is neither RFC 3339 (2026-11-27T09:00:00+08:00) nor a date (2026-11-27)\n";
    return kExitUsage;
  }
  if (to <= from) {
    std::cerr << "huitong monitor results: --from must be before --to\n";
    return kExitUsage;
  }
  if (to - from > (step == "raw" ? 8 : 400) * kDayMillis) {
    std::cerr << "huitong monitor results: "
              << (step == "raw" ? "a raw query spans at most 8 days (use --step hour)"
                                : "an hourly query spans at most 400 days")
              << "\n";
    return kExitUsage;
  }
  auto& store = o.wiring->service().store();
  rapidjson::Document d(rapidjson::kObjectType);
  auto& al = d.GetAllocator();
  rapidjson::Value points(rapidjson::kArrayType);
  const bool asJson = a.has("json");
  if (step == "raw") {
    auto rows = store.results(id, from, to, kMaxResultPage);
    if (!rows.ok()) {
      std::cerr << "huitong monitor results: " << rows.error().describe() << "\n";
      return kExitUsage;
    }
    if (!asJson)
      std::cout << cell("AT", 27) << cell("STATUS", 7) << cell("MS", 9) << cell("LATE MS", 9)
                << cell("MODE", 12) << "MESSAGE\n";
    for (const auto& r : rows.value()) {
      if (asJson) {
        rapidjson::Value p(rapidjson::kObjectType);
        p.AddMember("at", whenJson(r.startedAt, al), al);
        p.AddMember("status", json::string(r.status, al), al);
        p.AddMember("duration_ms", r.durationMs, al);
        p.AddMember("lateness_ms", r.latenessMs, al);
        p.AddMember("intensified", r.intensified, al);
        p.AddMember("message", json::string(r.message, al), al);
        rapidjson::Value values(rapidjson::kObjectType);
        for (const auto& [k, v] : r.values)
          values.AddMember(json::string(k, al), rapidjson::Value(v), al);
        p.AddMember("values", values, al);
        points.PushBack(p, al);
        continue;
      }
      std::cout << cell(when(r.startedAt), 27) << cell(r.status, 7) << cell(fixed(r.durationMs), 9)
                << cell(fixed(r.latenessMs), 9)
                << cell(r.intensified ? "intensified" : "normal", 12) << r.message << "\n";
    }
    if (!asJson)
      std::cout << rows.value().size() << " runs from " << when(from) << " to " << when(to)
                << (rows.value().size() >= static_cast<std::size_t>(kMaxResultPage)
                        ? " (the first 5000; narrow --from/--to)"
                        : "")
                << "\n";
  } else {
    auto rows = store.rollups(id, from, to);
    if (!rows.ok()) {
      std::cerr << "huitong monitor results: " << rows.error().describe() << "\n";
      return kExitUsage;
    }
    if (!asJson)
      std::cout << cell("HOUR", 27) << cell("RUNS", 6) << cell("OK", 6) << cell("MIN MS", 9)
                << cell("AVG MS", 9) << cell("P95 MS", 9) << "MAX MS\n";
    for (const auto& r : rows.value()) {
      if (asJson) {
        rapidjson::Value p(rapidjson::kObjectType);
        p.AddMember("at", whenJson(r.hour, al), al);
        p.AddMember("runs", r.runs, al);
        p.AddMember("ok_runs", r.okRuns, al);
        p.AddMember("min_ms", r.minMs, al);
        p.AddMember("avg_ms", r.avgMs, al);
        p.AddMember("max_ms", r.maxMs, al);
        p.AddMember("p95_ms", r.p95Ms, al);
        rapidjson::Value values(rapidjson::kObjectType);
        for (const auto& [k, v] : r.values) {
          rapidjson::Value s(rapidjson::kObjectType);
          s.AddMember("avg", v.avg, al);
          s.AddMember("max", v.max, al);
          values.AddMember(json::string(k, al), s, al);
        }
        p.AddMember("values", values, al);
        points.PushBack(p, al);
        continue;
      }
      std::cout << cell(when(r.hour), 27) << cell(std::to_string(r.runs), 6)
                << cell(std::to_string(r.okRuns), 6) << cell(fixed(r.minMs), 9)
                << cell(fixed(r.avgMs), 9) << cell(fixed(r.p95Ms), 9) << fixed(r.maxMs) << "\n";
    }
    if (!asJson)
      std::cout << rows.value().size() << " hours from " << when(from) << " to " << when(to)
                << " (the current hour is rolled up 5 minutes after it ends)\n";
  }
  if (asJson) {
    d.AddMember("check", json::string(id, al), al);
    d.AddMember("step", json::string(step, al), al);
    d.AddMember("from", whenJson(from, al), al);
    d.AddMember("to", whenJson(to, al), al);
    d.AddMember("points", points, al);
    printJson(d);
  }
  return kExitOk;
}

rapidjson::Value figureJson(const AvailabilityFigure& f, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("period", json::string(f.period, a), a);
  o.AddMember("scheduled", f.scheduled, a);
  o.AddMember("runs", f.runs, a);
  o.AddMember("ok_runs", f.okRuns, a);
  o.AddMember("availability", f.ratio ? rapidjson::Value(*f.ratio) : rapidjson::Value(), a);
  return o;
}

void printFigure(const AvailabilityFigure& f) {
  std::cout << cell(f.period, 12) << cell(std::to_string(f.scheduled), 11)
            << cell(std::to_string(f.runs), 8) << cell(std::to_string(f.okRuns), 8)
            << percent(f.ratio) << "\n";
}

int availabilityOf(const Arguments& a, Opened& o) {
  std::string id;
  const monitor::Cadence* cadence = checkOf("availability", a, o, id);
  if (cadence == nullptr)
    return kExitUsage;
  if (a.has("month") == a.has("day")) {
    std::cerr << "huitong monitor availability: give --month YYYY-MM or --day YYYY-MM-DD\n"
              << kUsage;
    return kExitUsage;
  }
  auto& service = o.wiring->service();
  const EpochMillis now = o.clock.now();
  rapidjson::Document d(rapidjson::kObjectType);
  auto& al = d.GetAllocator();
  d.AddMember("check", json::string(id, al), al);
  const bool asJson = a.has("json");
  const std::string header = cell("PERIOD", 12) + cell("SCHEDULED", 11) + cell("RUNS", 8) +
                             cell("OK", 8) + "AVAILABILITY\n";
  if (a.has("day")) {
    auto day = parseDate(a.get("day"));
    if (!day.ok()) {
      std::cerr << "huitong monitor availability: --day '" << a.get("day")
                << "' is not a date such as 2026-11-27\n";
      return kExitUsage;
    }
    const EpochMillis from = chinaMidnight(day.value());
    if (from >= now) {
      std::cerr << "huitong monitor availability: " << a.get("day") << " has not begun\n";
      return kExitUsage;
    }
    auto f = availability(service.store(), id, *cadence, service.calendar(), from,
                          std::min(now, chinaMidnight(day.value() + 1)));
    if (!f.ok()) {
      std::cerr << "huitong monitor availability: " << f.error().describe() << "\n";
      return kExitUsage;
    }
    f.value().period = formatDate(day.value());
    if (asJson) {
      d.AddMember("day", figureJson(f.value(), al), al);
      printJson(d);
    } else {
      std::cout << id << "  " << cadence->schedule << " every " << cadence->intervalSeconds
                << " s\n"
                << header;
      printFigure(f.value());
    }
    return kExitOk;
  }
  const std::string month = a.get("month");
  int y = 0;
  unsigned m = 0;
  char extra = 0;
  if (month.size() != 7 || std::sscanf(month.c_str(), "%4d-%2u%c", &y, &m, &extra) != 2 || m < 1 ||
      m > 12) {
    std::cerr << "huitong monitor availability: --month '" << month
              << "' is not YYYY-MM such as 2026-11\n";
    return kExitUsage;
  }
  auto f = monthAvailability(service.store(), id, *cadence, service.calendar(), y, m, now);
  if (!f.ok()) {
    std::cerr << "huitong monitor availability: " << f.error().describe() << "\n";
    return kExitUsage;
  }
  if (asJson) {
    d.AddMember("month", figureJson(f.value().month, al), al);
    rapidjson::Value days(rapidjson::kArrayType);
    for (const auto& day : f.value().days)
      days.PushBack(figureJson(day, al), al);
    d.AddMember("days", days, al);
    printJson(d);
    return kExitOk;
  }
  std::cout << id << "  " << cadence->schedule << " every " << cadence->intervalSeconds << " s\n"
            << header;
  for (const auto& day : f.value().days)
    printFigure(day);
  printFigure(f.value().month);
  return kExitOk;
}

int alerts(const Arguments& a, Opened& o) {
  auto& store = o.wiring->service().store();
  auto rows = store.alerts(a.has("open") ? "firing" : "", 200);
  if (!rows.ok()) {
    std::cerr << "huitong monitor alerts: " << rows.error().describe() << "\n";
    return kExitUsage;
  }
  bool firing = false;
  rapidjson::Document d(rapidjson::kObjectType);
  auto& al = d.GetAllocator();
  rapidjson::Value list(rapidjson::kArrayType);
  const bool asJson = a.has("json");
  for (const auto& x : rows.value()) {
    firing = firing || x.state == "firing";
    auto deliveries = store.deliveries(x.id);
    if (asJson) {
      rapidjson::Value v(rapidjson::kObjectType);
      v.AddMember("id", x.id, al);
      v.AddMember("rule", json::string(x.rule, al), al);
      v.AddMember("key", json::string(x.key, al), al);
      v.AddMember("source", json::string(x.source, al), al);
      v.AddMember("state", json::string(x.state, al), al);
      v.AddMember("opened_at", whenJson(x.openedAt, al), al);
      v.AddMember("resolved_at", whenJson(x.resolvedAt, al), al);
      v.AddMember("summary", json::string(x.summary, al), al);
      v.AddMember("silenced", x.silenced, al);
      rapidjson::Value ds(rapidjson::kArrayType);
      if (deliveries.ok()) {
        for (const auto& y : deliveries.value()) {
          rapidjson::Value dv(rapidjson::kObjectType);
          dv.AddMember("channel", json::string(y.channel, al), al);
          dv.AddMember("event", json::string(y.event, al), al);
          dv.AddMember("at", whenJson(y.at, al), al);
          dv.AddMember("attempts", y.attempts, al);
          dv.AddMember("outcome", json::string(y.outcome, al), al);
          dv.AddMember("detail", json::string(y.detail, al), al);
          ds.PushBack(dv, al);
        }
      }
      v.AddMember("deliveries", ds, al);
      list.PushBack(v, al);
      continue;
    }
    std::cout << "#" << x.id << "  " << x.state << (x.silenced ? " (silenced)" : "") << "  "
              << x.rule << "  " << x.key << "  opened " << when(x.openedAt)
              << (x.resolvedAt ? "  resolved " + when(x.resolvedAt) : "") << "\n    " << x.summary
              << "\n";
    if (deliveries.ok()) {
      for (const auto& y : deliveries.value())
        std::cout << "    " << y.event << " → " << y.channel << ": " << y.outcome << " after "
                  << y.attempts << " attempt" << (y.attempts == 1 ? "" : "s") << " at "
                  << when(y.at) << (y.detail.empty() ? "" : " (" + y.detail + ")") << "\n";
    }
  }
  if (asJson) {
    d.AddMember("alerts", list, al);
    printJson(d);
  } else if (rows.value().empty()) {
    std::cout << (a.has("open") ? "no alert is firing\n" : "no alerts\n");
  }
  return a.has("open") && firing ? kExitFailed : kExitOk;
}

int event(const std::vector<std::string>& args) {
  if (args.empty() || (args[0] != "declare" && args[0] != "list")) {
    std::cerr << "huitong monitor event: say declare or list\n" << kUsage;
    return kExitUsage;
  }
  const std::string verb = "event " + args[0];
  std::string error;
  auto parsed = Arguments::parse({args.begin() + 1, args.end()}, {"json", "help"},
                                 {"config", "name", "from", "to"}, error);
  if (!parsed) {
    std::cerr << "huitong monitor " << verb << ": " << error << "\n" << kUsage;
    return kExitUsage;
  }
  if (parsed->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!parsed->positionals().empty()) {
    std::cerr << "huitong monitor " << verb << ": unexpected '" << parsed->positionals()[0] << "'\n"
              << kUsage;
    return kExitUsage;
  }
  DeclaredWindow w;
  Opened o;
  if (args[0] == "declare") {
    w.kind = "event";
    w.name = parsed->get("name");
    if (w.name.empty() || w.name.size() > 200) {
      std::cerr << "huitong monitor event declare: --name is required (1..200 characters)\n";
      return kExitUsage;
    }
    for (const char* key : {"from", "to"}) {
      if (!parsed->has(key) || !parseInstant(parsed->get(key), key[0] == 'f' ? w.from : w.to)) {
        std::cerr << "huitong monitor event declare: --" << key
                  << " must be RFC 3339 (2026-11-27T09:00:00+08:00) or a date (2026-11-27)\n";
        return kExitUsage;
      }
    }
    if (w.to <= w.from) {
      std::cerr << "huitong monitor event declare: --to must be after --from\n";
      return kExitUsage;
    }
    if (w.to <= o.clock.now()) {
      std::cerr << "huitong monitor event declare: the event ended at " << when(w.to) << "\n";
      return kExitUsage;
    }
  }
  if (int rc = open(verb, *parsed, o); rc != kExitOk)
    return rc;
  auto& service = o.wiring->service();
  if (args[0] == "declare") {
    const char* user = std::getenv("USER");
    w.createdBy = std::string("cli:") + (user != nullptr && *user ? user : "unknown");
    w.createdAt = o.clock.now();
    auto id = service.store().addWindow(w);
    if (!id.ok()) {
      std::cerr << "huitong monitor event declare: " << id.error().describe() << "\n";
      return kExitUsage;
    }
    std::cout << "major event #" << id.value() << " '" << w.name << "' from " << when(w.from)
              << " to " << when(w.to)
              << ": checks run on their intensified interval with tighter thresholds (a running "
                 "gateway takes it within 15 s)\n";
    return kExitOk;
  }
  auto rows = service.store().windows(o.clock.now());
  if (!rows.ok()) {
    std::cerr << "huitong monitor event list: " << rows.error().describe() << "\n";
    return kExitUsage;
  }
  rapidjson::Document d(rapidjson::kObjectType);
  auto& al = d.GetAllocator();
  rapidjson::Value list(rapidjson::kArrayType);
  auto add = [&](const std::string& name, EpochMillis from, EpochMillis to, const std::string& by) {
    if (parsed->has("json")) {
      rapidjson::Value v(rapidjson::kObjectType);
      v.AddMember("name", json::string(name, al), al);
      v.AddMember("from", whenJson(from, al), al);
      v.AddMember("to", whenJson(to, al), al);
      v.AddMember("declared_by", json::string(by, al), al);
      list.PushBack(v, al);
    } else {
      std::cout << cell(when(from), 27) << cell(when(to), 27) << cell(by, 16) << name << "\n";
    }
  };
  if (!parsed->has("json"))
    std::cout << cell("FROM", 27) << cell("TO", 27) << cell("DECLARED BY", 16) << "NAME\n";
  const EpochMillis now = o.clock.now();
  for (const auto& e : service.events()) {  // the config's
    if (e.to > now)
      add(e.name, e.from, e.to, "config");
  }
  for (const auto& x : rows.value()) {
    if (x.kind == "event")
      add(x.name, x.from, x.to, x.createdBy);
  }
  if (parsed->has("json")) {
    d.AddMember("events", list, al);
    printJson(d);
  }
  return kExitOk;
}

}  // namespace

int runMonitor(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    (args.empty() ? std::cerr : std::cout) << kUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  const std::string verb = args[0];
  if (verb == "event")
    return event({args.begin() + 1, args.end()});
  if (verb != "checks" && verb != "results" && verb != "availability" && verb != "alerts") {
    std::cerr << "huitong monitor: unknown command '" << verb << "'\n" << kUsage;
    return kExitUsage;
  }
  std::string error;
  auto parsed = Arguments::parse({args.begin() + 1, args.end()}, {"json", "open", "help"},
                                 {"config", "from", "to", "step", "month", "day"}, error);
  if (!parsed) {
    std::cerr << "huitong monitor " << verb << ": " << error << "\n" << kUsage;
    return kExitUsage;
  }
  if (parsed->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if ((verb == "checks" || verb == "alerts") && !parsed->positionals().empty()) {
    std::cerr << "huitong monitor " << verb << ": unexpected '" << parsed->positionals()[0] << "'\n"
              << kUsage;
    return kExitUsage;
  }
  Opened o;
  if (int rc = open(verb, *parsed, o); rc != kExitOk)
    return rc;
  if (verb == "checks")
    return checks(*parsed, o);
  if (verb == "results")
    return results(*parsed, o);
  if (verb == "availability")
    return availabilityOf(*parsed, o);
  return alerts(*parsed, o);
}

}  // namespace huitong::app
