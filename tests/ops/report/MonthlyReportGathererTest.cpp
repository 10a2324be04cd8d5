// The gatherer over a real SQLite store seeded through the stores' own APIs: tickets (with a
// major fault and its analysis report), monitoring runs of a probe and a host check (raw and
// rolled up), exchange traffic with deliveries, a dead letter and refusals, a backup ledger
// source; the month's figures, the ledger that is absent and the one that fails, the month
// without data, and the report rendered from what was gathered.
#define BOOST_TEST_MODULE ops_report_gatherer
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>

#include "gateway/faults/MajorReports.h"
#include "gateway/faults/TicketStore.h"
#include "gateway/monitor/schedule/ResultsStore.h"
#include "gateway/ops/report/MonthlyReportGatherer.h"
#include "gateway/ops/report/MonthlyReportRender.h"
#include "tests/health/HealthFixture.h"

using namespace huitong;
using namespace huitong::ops::report;
using huitong::health::testing::at;
using huitong::health::testing::StoreFiller;

namespace {

struct Fixture {
  std::filesystem::path dir;
  storage::StoreConfig config;
  std::unique_ptr<storage::ExchangeStore> exchange;
  std::unique_ptr<faults::TicketStore> tickets;
  std::unique_ptr<monitor::schedule::ResultsStore> results;
  WorkCalendar calendar = WorkCalendar::china();

  Fixture() {
    std::random_device rd;
    // tmpfs when there is one: the stores fsync every commit, and the cost case seeds 1,000
    // tickets one transaction each.
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
    dir = base / ("huitong-report-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir);
    config.kind = "sqlite";
    config.path = (dir / "store.db").string();
    auto e = storage::ExchangeStore::open(config);
    BOOST_TEST_REQUIRE(e.ok());
    exchange = std::move(e).value();
    auto t = faults::TicketStore::open(config);
    BOOST_TEST_REQUIRE(t.ok());
    tickets = std::move(t).value();
    auto r = monitor::schedule::ResultsStore::open(config);
    BOOST_TEST_REQUIRE(r.ok());
    results = std::move(r).value();
  }
  ~Fixture() {
    exchange.reset();
    tickets.reset();
    results.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  ReportInputs inputs() {
    ReportInputs in;
    in.calendar = &calendar;
    in.tickets = tickets.get();
    in.results = results.get();
    in.exchange = exchange.get();
    in.systems = {"marriage"};
    monitor::Cadence c;
    c.schedule = "7x24";
    c.intervalSeconds = 3600;
    in.checks = {{"portal", "http", c}, {"db-server", "host", c}};
    in.generatedBy = "cli";
    return in;
  }

  std::string ticket(faults::TicketType type, faults::Severity severity, EpochMillis created,
                     EpochMillis resolved) {
    faults::Ticket t;
    t.channel = faults::Channel::kPhone;
    t.type = type;
    t.severity = severity;
    t.title = "故障 <" + std::string(faults::toString(type)) + ">";
    t.system = "marriage";
    t.createdAt = created;
    t.reportedAt = created;
    t.status = resolved ? faults::TicketStatus::kResolved : faults::TicketStatus::kNew;
    t.resolvedAt = resolved;
    std::vector<faults::TicketEvent> events;
    faults::TicketEvent e;
    e.at = created;
    e.actor = "operator:li";
    e.kind = faults::EventKind::kCreated;
    events.push_back(e);
    if (resolved) {
      faults::TicketEvent s;
      s.at = resolved;
      s.actor = "operator:li";
      s.kind = faults::EventKind::kStatus;
      s.fromStatus = faults::TicketStatus::kNew;
      s.toStatus = faults::TicketStatus::kResolved;
      events.push_back(s);
    }
    auto stored = tickets->create(t, events);
    BOOST_TEST_REQUIRE(stored.ok(), (stored.ok() ? "" : stored.error().describe()));
    return stored.value().id;
  }

  void run(const std::string& id, const std::string& kind, EpochMillis t, bool ok,
           std::map<std::string, double> values = {}) {
    monitor::schedule::RunRecord r;
    r.result.checkId = id;
    r.result.kind = kind;
    r.result.startedAt = t;
    r.result.status = ok ? monitor::CheckStatus::kOk : monitor::CheckStatus::kFail;
    r.result.values = std::move(values);
    r.dueAt = t;
    r.schedule = "7x24";
    BOOST_TEST_REQUIRE(results->record({r}).ok());
  }
};

const ProbeAvailability* probe(const MonthlyReportData& d, const std::string& id) {
  for (const auto& p : d.running.probes)
    if (p.checkId == id)
      return &p;
  return nullptr;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_month_gathered_from_the_stores, Fixture) {
  const EpochMillis nov1 = at("2026-11-01T00:00:00+08:00");
  const EpochMillis now = at("2026-11-04T00:00:00+08:00");
  constexpr EpochMillis kHour = 3600000;
  // Tickets: one in October resolved then (left out), three in November.
  ticket(faults::TicketType::kNetwork, faults::Severity::kGeneral, nov1 - 5 * 86400000,
         nov1 - 4 * 86400000);
  ticket(faults::TicketType::kDatabase, faults::Severity::kGeneral, nov1 + kHour, nov1 + 2 * kHour);
  ticket(faults::TicketType::kDatabase, faults::Severity::kGeneral, nov1 + 3 * kHour, 0);
  const std::string major = ticket(faults::TicketType::kApplication, faults::Severity::kMajor,
                                   nov1 + 5 * kHour, nov1 + 9 * kHour);
  {
    auto t = tickets->get(major);
    BOOST_TEST_REQUIRE(t.ok());
    sla::MajorReport rep;
    rep.ticketId = major;
    rep.title = "申报中断";
    rep.cause = "证书过期";
    rep.measures = "更换证书";
    faults::TicketEvent e;
    e.at = nov1 + 10 * kHour;
    e.actor = "operator:li";
    e.kind = faults::EventKind::kMajorReport;
    e.detail = faults::majorReportJson(rep);
    auto next = *t.value();
    BOOST_TEST_REQUIRE(tickets->update(next, {e}).ok());
  }
  // Monitoring: portal hourly for 3 days, 2 failures; host hourly readings.
  for (int h = 0; h < 72; ++h) {
    const EpochMillis t = nov1 + h * kHour;
    run("portal", "http", t, h != 10 && h != 50);
    run("db-server", "host", t, true,
        {{"cpu_percent", 20.0 + (h / 24) * 10},
         {"mem_available_percent", 40},
         {"disk_used_percent{mount=\"/\"}", 70},
         {"disk_used_percent{mount=\"/var\"}", 80}});
  }
  // Exchange: day 1: 3 events delivered 2 s later; day 2: 2 events, one dead; 4 refused records.
  StoreFiller fill(*exchange);
  fill.send("marriage", {"MZ-001", "MZ-001", "MZ-002"}, nov1 + kHour);
  fill.settleAll(nov1 + kHour + 2000);
  fill.send("marriage", {"MZ-001"}, nov1 + 86400000 + kHour);
  fill.settleAll(nov1 + 86400000 + kHour + 4000);
  fill.send("marriage", {"MZ-002"}, nov1 + 86400000 + 2 * kHour);
  fill.settleAll(nov1 + 86400000 + 2 * kHour + 1000, true);
  fill.reject("marriage", 4, nov1 + 2 * kHour);
  fill.send("marriage", {"MZ-001"}, nov1 - kHour);  // October: not counted

  ReportInputs in = inputs();
  in.ledgers.backups = [&](EpochMillis from, EpochMillis to) -> Result<std::vector<BackupLine>> {
    BOOST_TEST(from == nov1);
    BOOST_TEST(to == at("2026-12-01T00:00:00+08:00"));
    return std::vector<BackupLine>{
        {"B-1", "create", nov1 + kHour, nov1 + kHour + 1000, true, 2048, false, {}, ""}};
  };
  in.ledgers.inspections = [](EpochMillis, EpochMillis) -> Result<InspectionSection> {
    return Error{"store.io", "disk I/O error", ""};
  };
  auto got = gatherMonthlyReport(in, 2026, 11, now);
  BOOST_TEST_REQUIRE(got.ok());
  const MonthlyReportData& d = got.value();
  BOOST_TEST(d.running.days.size() == 3u);
  BOOST_TEST(d.asOf == now);

  BOOST_TEST(d.faults.source.ok());
  BOOST_TEST(d.faults.opened == 3);
  BOOST_TEST(d.faults.resolved == 2);
  BOOST_TEST(d.faults.openAtEnd == 1);
  BOOST_TEST_REQUIRE(d.faults.byType.size() == 2u);
  BOOST_TEST(d.faults.byType[0].key == "application");
  BOOST_TEST(d.faults.byType[1].key == "database");
  BOOST_TEST(d.faults.byType[1].count == 2);
  BOOST_TEST(!d.faults.compliance.empty());
  BOOST_TEST(d.faults.compliance.front().group == "all");
  BOOST_TEST_REQUIRE(d.faults.majors.size() == 1u);
  BOOST_TEST(d.faults.majors[0].ticketId == major);
  BOOST_TEST(d.faults.majors[0].reportWritten);
  BOOST_TEST(d.faults.majors[0].cause == "证书过期");

  const ProbeAvailability* portal = probe(d, "portal");
  BOOST_TEST_REQUIRE(portal != nullptr);
  BOOST_TEST(portal->runs == 72);
  BOOST_TEST(portal->okRuns == 70);
  BOOST_TEST_REQUIRE(portal->daily.values.size() == 3u);
  BOOST_TEST(*portal->daily.values[0] == 2300.0 / 24, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(*portal->daily.values[1] == 100.0);

  BOOST_TEST_REQUIRE(d.running.hosts.size() == 1u);
  const HostTrend& h = d.running.hosts[0];
  BOOST_TEST(*h.cpu.values[0] == 20.0);
  BOOST_TEST(*h.cpu.values[2] == 40.0);
  BOOST_TEST(*h.memory.values[1] == 60.0);
  BOOST_TEST(*h.disk.values[0] == 80.0);  // the fullest mount
  BOOST_TEST(*h.cpuMax == 40.0);

  BOOST_TEST(d.running.exchangeSource.ok());
  BOOST_TEST(d.running.dailyEvents == (std::vector<std::int64_t>{3, 2, 0}));
  BOOST_TEST_REQUIRE(d.running.items.size() == 2u);
  BOOST_TEST(d.running.items[0].item == "MZ-001");
  BOOST_TEST(d.running.items[0].events == 3);
  BOOST_TEST(d.running.items[0].delivered == 3);
  BOOST_TEST(*d.running.items[0].lagAvgSeconds == 8.0 / 3, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(*d.running.items[0].lagP95Seconds == 4.0);
  BOOST_TEST(d.running.items[1].dead == 1);
  BOOST_TEST_REQUIRE(d.running.rejects.size() == 1u);
  BOOST_TEST(d.running.rejects[0].rejected == 4);
  BOOST_TEST(d.running.rejects[0].records == 9);

  BOOST_TEST(d.backups.source.ok());
  BOOST_TEST(d.backups.runs.size() == 1u);
  BOOST_TEST(!d.changes.source.available);
  BOOST_TEST(d.inspections.source.error == "disk I/O error");

  // Rolled up: the same daily host means from the hourly rollups.
  BOOST_TEST_REQUIRE(results->downsample(now).ok());
  auto again = gatherMonthlyReport(in, 2026, 11, now);
  BOOST_TEST_REQUIRE(again.ok());
  BOOST_TEST(*again.value().running.hosts[0].cpu.values[2] == 40.0);
  BOOST_TEST(*again.value().running.hosts[0].disk.values[1] == 80.0);

  const std::string html = renderHtml(d);
  BOOST_TEST(html.find("本月新建 (opened) 3") != std::string::npos);
  BOOST_TEST(html.find("证书过期") != std::string::npos);
  BOOST_TEST(html.find("本构建无记录来源 (no records source in this build)") != std::string::npos);
  BOOST_TEST(html.find("无法读取 (could not be read): disk I/O error") != std::string::npos);
  BOOST_TEST(html.find("id=\"chart-resources-db-server\"") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_month_without_data, Fixture) {
  ReportInputs in = inputs();
  auto got = gatherMonthlyReport(in, 2026, 10, at("2026-11-02T06:00:00+08:00"));
  BOOST_TEST_REQUIRE(got.ok());
  const MonthlyReportData& d = got.value();
  BOOST_TEST(d.running.days.size() == 31u);
  BOOST_TEST(d.faults.opened == 0);
  BOOST_TEST(d.faults.compliance.empty());
  BOOST_TEST(!probe(d, "portal")->month.has_value());
  BOOST_TEST(d.running.items.empty());
  const std::string html = renderHtml(d);
  BOOST_TEST(html.find("本月无故障工单 (no fault tickets this month)") != std::string::npos);
  BOOST_TEST(html.find("本月无交换数据 (no exchange traffic this month)") != std::string::npos);
  BOOST_TEST(html.find("每日可用率 (Daily availability per probe): 本月无数据") !=
             std::string::npos);
  BOOST_TEST(html.find("<svg") == std::string::npos);
  BOOST_TEST(html.find("nan") == std::string::npos);

  // A month that has not begun is refused, naming the month.
  auto future = gatherMonthlyReport(in, 2026, 12, at("2026-11-02T06:00:00+08:00"));
  BOOST_TEST_REQUIRE(!future.ok());
  BOOST_TEST(future.error().code == "report.month_not_begun");
  BOOST_TEST(future.error().path == "month");
}

BOOST_FIXTURE_TEST_CASE(cost_of_a_busy_month, Fixture) {
  // 1,000 tickets, 10 probes run every 15 minutes for 30 days (28,800 runs, rolled up), one
  // host check hourly: what gathering and rendering the month costs on SQLite.
  const EpochMillis nov1 = at("2026-11-01T00:00:00+08:00");
  const EpochMillis dec1 = at("2026-12-01T00:00:00+08:00");
  constexpr EpochMillis kHour = 3600000;
  constexpr EpochMillis kDay = 24 * kHour;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) {
    const EpochMillis created = nov1 + (i % 29) * kDay + (i % 7) * kHour;
    ticket(i % 3 == 0 ? faults::TicketType::kDatabase : faults::TicketType::kNetwork,
           i % 100 == 0 ? faults::Severity::kMajor : faults::Severity::kGeneral, created,
           i % 10 == 0 ? 0 : created + (i % 5 + 1) * kHour);
  }
  ReportInputs in = inputs();
  monitor::Cadence c;
  c.schedule = "7x24";
  c.intervalSeconds = 900;
  in.checks.clear();
  for (int p = 0; p < 10; ++p) {
    const std::string id = "probe-" + std::to_string(p);
    in.checks.push_back({id, "http", c});
    std::vector<monitor::schedule::RunRecord> batch;
    for (EpochMillis t = nov1; t < dec1; t += 900000) {
      monitor::schedule::RunRecord r;
      r.result.checkId = id;
      r.result.kind = "http";
      r.result.startedAt = t;
      r.result.status = (t / 900000) % 997 == static_cast<EpochMillis>(p)
                            ? monitor::CheckStatus::kFail
                            : monitor::CheckStatus::kOk;
      r.result.values = {{"latency_ms", 20}};
      r.dueAt = t;
      r.schedule = "7x24";
      batch.push_back(std::move(r));
    }
    BOOST_TEST_REQUIRE(results->record(batch).ok());
  }
  monitor::Cadence hourly = c;
  hourly.intervalSeconds = 3600;
  in.checks.push_back({"db-server", "host", hourly});
  for (EpochMillis t = nov1; t < dec1; t += kHour)
    run("db-server", "host", t, true,
        {{"cpu_percent", 30},
         {"mem_available_percent", 50},
         {"disk_used_percent{mount=\"/\"}", 60}});
  BOOST_TEST_REQUIRE(results->downsample(dec1).ok());
  const double seedSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const auto t1 = std::chrono::steady_clock::now();
  auto got = gatherMonthlyReport(in, 2026, 11, dec1 + 6 * kHour);
  const auto t2 = std::chrono::steady_clock::now();
  BOOST_TEST_REQUIRE(got.ok());
  const std::string html = renderHtml(got.value());
  const std::string md = renderMarkdown(got.value());
  const auto t3 = std::chrono::steady_clock::now();
  BOOST_TEST(got.value().faults.source.error == "");
  BOOST_TEST(got.value().faults.opened == 1000);
  BOOST_TEST(got.value().faults.majors.size() == 10u);
  BOOST_TEST(got.value().running.probes.size() == 11u);
  BOOST_TEST(got.value().running.days.size() == 30u);
  const double gather = std::chrono::duration<double>(t2 - t1).count();
  const double render = std::chrono::duration<double>(t3 - t2).count();
  BOOST_TEST_MESSAGE("busy month: seed " << seedSeconds << " s; gather " << gather << " s, render "
                                         << render << " s; HTML " << html.size() << " B, Markdown "
                                         << md.size() << " B");
  std::cout << "busy month (1000 tickets, 30 days x 10 probes + 1 host): gather " << gather
            << " s, render " << render << " s, HTML " << html.size() << " B, Markdown " << md.size()
            << " B (seeding " << seedSeconds << " s)\n";
  BOOST_TEST(gather < 20.0);
}
