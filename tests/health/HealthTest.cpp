// Per-item health: the rules as read from config, the activity period on the work calendar
// (holidays and 调休 working days), and green / yellow / red with their reasons computed over a
// real SQLite store filled through its API, with a fixed clock.
#define BOOST_TEST_MODULE health
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "tests/health/HealthFixture.h"

namespace fs = std::filesystem;
using namespace huitong;
using namespace huitong::health;
using namespace huitong::health::testing;

namespace {

class TempStore {
 public:
  TempStore() {
    std::string pattern = (fs::temp_directory_path() / "huitong-health-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir_ = pattern;
    storage::StoreConfig c;
    c.path = (dir_ / "store.db").string();
    auto s = storage::ExchangeStore::open(c);
    BOOST_TEST_REQUIRE(s.ok(), errorOf(s));
    store = std::move(s).value();
  }
  ~TempStore() {
    store.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::unique_ptr<storage::ExchangeStore> store;

 private:
  fs::path dir_;
};

struct Parsed {
  rapidjson::Document doc;
  ConfigNode node() const {
    return ConfigNode(
        doc, "/health", [](const std::string& p) { return "gateway.json#" + p; }, "");
  }
};

Parsed parsed(const std::string& text) {
  auto d = json::parse(text);
  BOOST_TEST_REQUIRE(d.ok(), text);
  return Parsed{std::move(d).value()};
}

Result<HealthRules> rulesOf(const std::string& text) {
  return HealthRules::read(parsed(text).node());
}

ExpectRule workingDayRule(bool office) {
  ExpectRule r;
  r.per = ExpectRule::Per::kWorkingDay;
  r.withinOfficeHours = office;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(rules_are_read_with_defaults_and_per_item_overrides) {
  auto rules = rulesOf(R"({"refresh_s": 2,
    "defaults": {"expect": {"min_events": 1, "per": "working_day", "within_office_hours": true},
                 "dead_letters": {"yellow": 1, "red": 5}},
    "items": {"civil/A": {"expect": {"min_events": 3, "per": "hour", "severity": "red"},
                          "lag_p95_s": {"yellow": null, "red": 30}},
              "civil/B": {"expect": null}}})");
  BOOST_TEST_REQUIRE(rules.ok(), errorOf(rules));
  BOOST_TEST(rules.value().refreshMillis() == 2000);
  const ItemRules& d = rules.value().rulesFor("tax", "X");
  BOOST_TEST_REQUIRE(d.expect.has_value());
  BOOST_TEST(d.expect->withinOfficeHours);
  BOOST_TEST(*d.deadLetters.red == 5);
  const ItemRules& a = rules.value().rulesFor("civil", "A");
  BOOST_TEST(a.expect->minEvents == 3);
  BOOST_TEST(a.expect->severity == "red");
  BOOST_TEST(!a.lagP95Seconds.yellow.has_value());
  BOOST_TEST(*a.lagP95Seconds.red == 30);
  BOOST_TEST(*a.deadLetters.red == 5);  // the defaults stay under the item's keys
  BOOST_TEST(!rules.value().rulesFor("civil", "B").expect.has_value());
  BOOST_TEST(describe(*a.expect) == "at least 3 per hour");
  BOOST_TEST(describe(*d.expect) == "at least 1 per working day (office hours)");
}

BOOST_AUTO_TEST_CASE(bad_rules_are_refused_naming_the_key) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"defaults": {"expekt": {}}})", "expekt"},
      {R"({"defaults": {"expect": {"per": "week"}}})", "/health/defaults/expect/per"},
      {R"({"defaults": {"expect": {"min_events": 0}}})", "min_events"},
      {R"({"defaults": {"backlog": {"yellow": 10, "red": 5}}})", "red must not be below yellow"},
      {R"({"defaults": {"backlog": {"yellow": "ten"}}})", "/health/defaults/backlog/yellow"},
      {R"({"defaults": {"reject_rate": {"yellow": 5, "red": 6}}})", "fractions from 0 to 1"},
      {R"({"items": {"civil": {}}})", "SYSTEM/ITEM"},
      {R"({"items": {"civil/A": {"source_unreachable": "blue"}}})", "source_unreachable"},
      {R"({"refresh_s": 0})", "refresh_s"},
  };
  for (const auto& [text, expected] : cases) {
    auto r = rulesOf(text);
    BOOST_TEST_REQUIRE(!r.ok(), text);
    const std::string all = r.error().message + " " + r.error().path;
    BOOST_TEST(all.find(expected) != std::string::npos, text << " -> " << all);
  }
}

BOOST_AUTO_TEST_CASE(the_activity_period_follows_the_work_calendar) {
  const WorkCalendar& cal = WorkCalendar::china();
  // 国庆 2026: 10-01..10-07 off; Saturday 10-10 is an adjusted working day (调休).
  auto p = lastPeriod(workingDayRule(false), cal, at("2026-10-07T10:00:00+08:00"));
  BOOST_TEST_REQUIRE(p.has_value());
  BOOST_TEST(p->label == "working day 2026-09-30");
  BOOST_TEST(p->start == at("2026-09-30T00:00:00+08:00"));
  BOOST_TEST(p->end == at("2026-10-01T00:00:00+08:00"));
  p = lastPeriod(workingDayRule(false), cal, at("2026-10-11T10:00:00+08:00"));  // a Sunday
  BOOST_TEST(p->label == "working day 2026-10-10");
  // Within office hours a working day is over at 17:30, not at midnight.
  p = lastPeriod(workingDayRule(true), cal, at("2026-10-12T17:40:00+08:00"));
  BOOST_TEST(p->label == "working day 2026-10-12");
  BOOST_TEST(p->start == at("2026-10-12T08:30:00+08:00"));
  BOOST_TEST(p->end == at("2026-10-12T17:30:00+08:00"));
  BOOST_TEST(p->officeOnly);
  p = lastPeriod(workingDayRule(true), cal, at("2026-10-12T17:00:00+08:00"));
  BOOST_TEST(p->label == "working day 2026-10-10");
  // An hour rule within office hours is judged only after a whole hour of office time.
  ExpectRule hourly;
  hourly.per = ExpectRule::Per::kHour;
  hourly.withinOfficeHours = true;
  BOOST_TEST(!lastPeriod(hourly, cal, at("2026-10-12T09:00:00+08:00")).has_value());
  BOOST_TEST(lastPeriod(hourly, cal, at("2026-10-12T09:31:00+08:00")).has_value());
  BOOST_TEST(!lastPeriod(hourly, cal, at("2026-10-03T11:00:00+08:00")).has_value());  // holiday
  ExpectRule daily;
  daily.per = ExpectRule::Per::kDay;
  BOOST_TEST(lastPeriod(daily, cal, at("2026-10-03T11:00:00+08:00"))->label == "2026-10-02");
}

BOOST_AUTO_TEST_CASE(store_queries_on_sqlite) {
  TempStore s;
  runStoreQueryCases(*s.store);
}

BOOST_AUTO_TEST_CASE(green_yellow_red_with_reasons_over_a_real_store) {
  TempStore s;
  StoreFiller fill(*s.store);
  // Monday 2026-10-12 11:00, after 国庆 and the 调休 Saturday 10-10.
  FixedClock clock(at("2026-10-12T11:00:00+08:00"));
  auto rules = rulesOf(R"({"defaults": {
      "expect": {"min_events": 1, "per": "working_day", "within_office_hours": true}},
    "items": {"civil/B": {"dead_letters": {"yellow": 1, "red": 3}}}})");
  BOOST_TEST_REQUIRE(rules.ok(), errorOf(rules));
  std::vector<OnlineItem> online = {{"civil", "A", "结婚登记"}, {"civil", "B", "离婚登记"}};
  HealthService service(
      *s.store, [&]() -> Result<std::vector<OnlineItem>> { return online; }, nullptr, rules.value(),
      WorkCalendar::china(), clock);

  // A: traffic on the 调休 Saturday, delivered in 5 s. B: last traffic on Friday 10-09.
  fill.send("civil", {"A"}, at("2026-10-10T10:00:00+08:00"));
  fill.settleAll(at("2026-10-10T10:00:05+08:00"));
  fill.send("civil", {"B"}, at("2026-10-09T10:00:00+08:00"));
  fill.settleAll(at("2026-10-09T10:00:02+08:00"));
  fill.send("civil", {"C"}, at("2026-10-12T10:00:00+08:00"));  // not online: ignored
  fill.settleAll(at("2026-10-12T10:00:01+08:00"));

  auto all = service.compute();
  BOOST_TEST_REQUIRE(all.ok(), errorOf(all));
  BOOST_TEST(all.value().size() == 2u);
  const ItemHealth& a = find(all.value(), "civil", "A");
  BOOST_TEST(a.status == Status::kGreen, a.summary());
  BOOST_TEST(a.summary() == "绿");
  BOOST_TEST(a.itemName == "结婚登记");
  BOOST_TEST(!a.figures.lagP95Seconds.has_value());  // delivered more than 24 h ago
  BOOST_TEST(a.figures.periodEvents == 1);
  BOOST_TEST(a.figures.lastReceived == at("2026-10-10T10:00:00+08:00"));
  BOOST_TEST(a.figures.lastDelivered == at("2026-10-10T10:00:05+08:00"));
  const ItemHealth& b = find(all.value(), "civil", "B");
  BOOST_TEST(b.status == Status::kYellow, b.summary());
  BOOST_TEST(b.summary() ==
                 "黄: no event since 2026-10-09 10:00, expected at least 1 per working day "
                 "(office hours)",
             b.summary());

  // B's new events die on the platform: three dead letters turn it red.
  for (int i = 0; i < 3; ++i)
    fill.send("civil", {"B"}, at("2026-10-11T20:00:00+08:00"));  // Sunday: outside the period
  fill.settleAll(at("2026-10-12T10:30:00+08:00"), true);
  // A's events wait: the platform is away for 40 minutes and then delivers them slowly.
  for (int i = 0; i < 20; ++i)
    fill.send("civil", {"A"}, at("2026-10-12T10:20:00+08:00"));
  all = service.compute();
  BOOST_TEST_REQUIRE(all.ok());
  const ItemHealth& b2 = find(all.value(), "civil", "B");
  BOOST_TEST(b2.status == Status::kRed, b2.summary());
  BOOST_TEST(b2.summary() ==
                 "红: 3 dead letters (the last at 2026-10-12 10:30); 0 events in working day "
                 "2026-10-10, expected at least 1 per working day (office hours)",
             b2.summary());
  const ItemHealth& a2 = find(all.value(), "civil", "A");
  BOOST_TEST(a2.status == Status::kRed, a2.summary());
  BOOST_TEST(hasReason(a2, "backlog_age", Status::kRed));  // 40 min > 30 min
  BOOST_TEST(a2.figures.backlog == 20);
  BOOST_TEST(a2.figures.events1h == 20);
  BOOST_TEST(a2.figures.events24h == 20);  // Saturday's is more than 24 h old

  // Delivered at 11:00: the backlog is gone, the lag p95 (40 min) is red.
  fill.settleAll(clock.now());
  all = service.compute();
  const ItemHealth& a3 = find(all.value(), "civil", "A");
  BOOST_TEST(a3.figures.backlog == 0);
  BOOST_TEST(hasReason(a3, "lag_p95", Status::kRed), a3.summary());
  BOOST_TEST(a3.summary().find("delivery lag p95 40 min over the last 24 h (20 events)") !=
                 std::string::npos,
             a3.summary());

  // The next day the lag is out of the 24 h window and Monday had traffic: green again.
  clock.set(at("2026-10-13T11:00:00+08:00"));
  all = service.compute();
  const ItemHealth& a4 = find(all.value(), "civil", "A");
  BOOST_TEST(a4.status == Status::kGreen, a4.summary());
}

BOOST_AUTO_TEST_CASE(reject_rate_and_source_reasons) {
  TempStore s;
  StoreFiller fill(*s.store);
  FixedClock clock(at("2026-10-14T15:00:00+08:00"));
  HealthRules defaults;  // no activity rule
  std::vector<OnlineItem> online = {{"tax", "T1", ""}};
  SourceFigures source;
  source.adapter = "file_drop";
  source.push = false;
  source.reported = true;
  source.reachable = false;
  source.detail = "folder /data/in not readable: Permission denied";
  source.facts = {{"pending_files", "2"}, {"oldest_file_age_s", "900"}};
  HealthService service(
      *s.store, [&]() -> Result<std::vector<OnlineItem>> { return online; },
      [&](const std::string&) { return std::optional<SourceFigures>(source); }, defaults,
      WorkCalendar::china(), clock);
  for (int i = 0; i < 8; ++i)
    fill.send("tax", {"T1"}, clock.now() - 3'600'000);
  fill.settleAll(clock.now() - 3'590'000);
  fill.reject("tax", 2, clock.now() - 600'000);
  fill.reject("tax", 5, clock.now() - 500'000, true);  // the filing gate: not counted
  auto all = service.compute();
  BOOST_TEST_REQUIRE(all.ok(), errorOf(all));
  const ItemHealth& t = find(all.value(), "tax", "T1");
  BOOST_TEST(t.figures.rejected24h == 2);
  BOOST_TEST(t.figures.records24h == 10);
  BOOST_TEST(t.figures.rejectScope == "item");
  BOOST_TEST(hasReason(t, "reject_rate", Status::kRed), t.summary());  // 20% >= 20%
  BOOST_TEST(hasReason(t, "source_unreachable", Status::kRed));
  BOOST_TEST(hasReason(t, "oldest_file", Status::kYellow));
  BOOST_TEST(t.summary().find("20.0% of records refused in 24 h (2 of 10)") != std::string::npos,
             t.summary());
  BOOST_TEST(
      t.summary().find("source unreachable: folder /data/in not readable") != std::string::npos,
      t.summary());
  // The JSON carries the reasons and the source's facts.
  auto d = json::parse(toJson(t, true));
  BOOST_TEST_REQUIRE(d.ok());
  BOOST_TEST(std::string(d.value()["status"].GetString()) == "red");
  BOOST_TEST(std::string(d.value()["source"]["facts"]["oldest_file_age_s"].GetString()) == "900");
  BOOST_TEST(d.value()["reject_rate"].GetDouble() == 0.2);
}

BOOST_AUTO_TEST_CASE(source_facts_and_severities_of_each_adapter_kind) {
  const EpochMillis now = at("2026-10-14T15:00:00+08:00");
  auto rules = rulesOf(R"({"defaults": {"source_unreachable": "yellow",
    "expect": {"min_events": 2, "per": "day", "severity": "red"}}})");
  BOOST_TEST_REQUIRE(rules.ok(), errorOf(rules));
  const ItemRules& r = rules.value().rulesFor("funeral", "F1");

  // db_poll: the database answers slowly and rows wait unflagged; the day before had 1 event.
  ItemFigures f;
  f.source.adapter = "db_poll";
  f.source.push = false;
  f.source.reachable = false;
  f.source.detail = "cannot read funeral_front_end: connection refused";
  f.source.facts = {{"connect_ms", "3000.0"}, {"unflagged_rows", "20000"}};
  f.period = lastPeriod(*r.expect, WorkCalendar::china(), now);
  f.periodEvents = 1;
  f.lastReceived = at("2026-10-13T09:00:00+08:00");
  ItemHealth h = evaluate("funeral", "F1", f, r, now);
  BOOST_TEST(h.status == Status::kRed, h.summary());
  BOOST_TEST(h.summary() ==
                 "红: 20000 rows not flagged yet in the source table; 1 event in 2026-10-13, "
                 "expected at least 2 per day; source unreachable: cannot read funeral_front_end: "
                 "connection refused",
             h.summary());
  BOOST_TEST(hasReason(h, "source_unreachable", Status::kYellow));

  // "ignore" leaves an unreachable source out; null thresholds judge nothing.
  auto quiet = rulesOf(R"({"defaults": {"source_unreachable": "ignore",
    "unflagged_rows": null, "expect": null}})");
  BOOST_TEST_REQUIRE(quiet.ok(), errorOf(quiet));
  h = evaluate("funeral", "F1", f, quiet.value().rulesFor("funeral", "F1"), now);
  BOOST_TEST(h.status == Status::kGreen, h.summary());

  // A push source: the last request's age is in the detail, not a reason by itself.
  ItemFigures p;
  p.source.adapter = "http_json";
  p.source.lastRequestAt = now - 90'000;
  h = evaluate("marriage", "M1", p, HealthRules().rulesFor("marriage", "M1"), now);
  auto d = json::parse(toJson(h, true));
  BOOST_TEST_REQUIRE(d.ok());
  BOOST_TEST(std::string(d.value()["source"]["kind"].GetString()) == "push");
  BOOST_TEST(d.value()["source"]["since_last_request_s"].GetInt64() == 90);
  BOOST_TEST(std::string(d.value()["source"]["last_request_at"].GetString()) ==
             "2026-10-14T14:58:30+08:00");
  BOOST_TEST(d.value()["lag_p95_s"].IsNull());
  BOOST_TEST(d.value()["activity_period"].IsNull());
}

BOOST_AUTO_TEST_CASE(durations_and_times_in_words) {
  BOOST_TEST(duration(45) == "45 s");
  BOOST_TEST(duration(750) == "12 min");
  BOOST_TEST(duration(3 * 3600 + 5 * 60) == "3 h 5 min");
  BOOST_TEST(duration(2 * 86400 + 4 * 3600) == "2 d 4 h");
  BOOST_TEST(chinaMinute(at("2026-11-27T01:12:00Z")) == "2026-11-27 09:12");
}

// The cost of computing every item's health on a store of 100,000 journal rows (printed; not a
// timed test: HUITONG_HEALTH_BENCH=1 runs it).
BOOST_AUTO_TEST_CASE(cost_on_a_large_store) {
  const char* on = std::getenv("HUITONG_HEALTH_BENCH");
  if (on == nullptr || std::string(on) != "1")
    return;
  TempStore s;
  StoreFiller fill(*s.store);
  const EpochMillis now = at("2026-10-14T15:00:00+08:00");
  FixedClock clock(now);
  std::vector<OnlineItem> online;
  for (int sys = 0; sys < 4; ++sys) {
    for (int item = 0; item < 5; ++item)
      online.push_back({"sys" + std::to_string(sys), "I" + std::to_string(item), ""});
  }
  const int kRows = 100'000;
  const int kThreads = 8;
  const auto t0 = std::chrono::steady_clock::now();
  // Concurrent intakes are group-committed (one fsync per batch), as under real load.
  std::vector<std::thread> senders;
  for (int k = 0; k < kThreads; ++k) {
    senders.emplace_back([&, k] {
      for (int i = k; i < kRows; i += kThreads) {
        // Spread over 4 days, a quarter in the last 24 h.
        fill.send("sys" + std::to_string(i % 4), {"I" + std::to_string((i / 4) % 5)},
                  now - (static_cast<EpochMillis>(kRows - i) * 4 * 86'400'000LL) / kRows);
      }
    });
  }
  for (auto& t : senders)
    t.join();
  const int delivered = fill.deliverAllInRounds(now - 1000);
  const double fillS = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  BOOST_TEST(delivered == kRows);
  auto parsedRules = rulesOf(R"({"defaults": {"expect": {"per": "working_day"}}})");
  HealthService service(
      *s.store, [&]() -> Result<std::vector<OnlineItem>> { return online; }, nullptr,
      parsedRules.value(), WorkCalendar::china(), clock);
  {
    // Where the time goes: one system's queries.
    auto c0 = std::chrono::steady_clock::now();
    auto events = s.store->itemEvents("sys0", now - 86'400'000);
    auto c1 = std::chrono::steady_clock::now();
    auto answers = s.store->rejectionAnswers("sys0", now - 86'400'000);
    auto c2 = std::chrono::steady_clock::now();
    auto backlogs = s.store->itemBacklogs();
    auto c3 = std::chrono::steady_clock::now();
    auto last = s.store->itemLast("sys0", "I0");
    auto c4 = std::chrono::steady_clock::now();
    auto ms = [](auto a, auto b) {
      return std::chrono::duration<double, std::milli>(b - a).count();
    };
    BOOST_TEST_REQUIRE((events.ok() && answers.ok() && backlogs.ok() && last.ok()));
    std::cout << "one system: itemEvents " << events.value().size() << " rows " << ms(c0, c1)
              << " ms, rejectionAnswers " << ms(c1, c2) << " ms, itemBacklogs " << ms(c2, c3)
              << " ms, itemLast " << ms(c3, c4) << " ms\n";
  }
  for (int run = 0; run < 3; ++run) {
    const auto c0 = std::chrono::steady_clock::now();
    auto all = service.compute();
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - c0).count();
    BOOST_TEST_REQUIRE(all.ok());
    std::cout << "health of " << all.value().size() << " items over " << kRows
              << " journal rows (filled in " << fillS << " s): run " << run + 1 << " " << ms
              << " ms\n";
  }
}
