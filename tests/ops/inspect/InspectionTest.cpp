// Inspections without a gateway: the checklist config, the finding lifecycle across runs
// (new → still open / worse / better → resolved, not re-checked when a check failed), keying by
// check + subject, the per-check timeout, the report's renderings, sign-off, and the
// working-day / intensified schedule through OpsJobs. On a real SQLite store in a temp dir.
#define BOOST_TEST_MODULE ops_inspect
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "gateway/core/Json.h"
#include "gateway/ops/OpsJobs.h"
#include "gateway/ops/inspect/InspectionChecks.h"
#include "gateway/ops/inspect/InspectionService.h"

using namespace huitong;
using namespace huitong::ops::inspect;

namespace {

EpochMillis at(const char* rfc3339) {
  EpochMillis t = 0;
  BOOST_REQUIRE(parseRfc3339(rfc3339, t));
  return t;
}

struct TempStore {
  std::filesystem::path dir;
  storage::StoreConfig config;
  TempStore() {
    std::random_device rd;
    dir = std::filesystem::temp_directory_path() / ("huitong-inspect-" + std::to_string(rd()));
    std::filesystem::create_directories(dir);
    config.kind = "sqlite";
    config.path = (dir / "store.db").string();
  }
  ~TempStore() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Result<InspectionConfig> readConfig(const char* text) {
  static std::vector<std::unique_ptr<rapidjson::Document>> keep;
  auto doc = json::parse(text);
  BOOST_REQUIRE(doc.ok());
  keep.push_back(std::make_unique<rapidjson::Document>(std::move(doc).value()));
  ConfigNode node(
      *keep.back(), "/inspection", [](const std::string& p) { return "gw.json " + p; }, ".");
  return InspectionConfig::read(node);
}

// A checklist of scripted checks: each returns what the test put in `answers` (an Error for a
// failed check).
struct Script {
  std::map<std::string, Result<CheckReport>> answers;
  std::vector<InspectionCheck> checks() {
    std::vector<InspectionCheck> out;
    for (const auto& k : knownChecks()) {
      out.push_back({k.id, [this, id = k.id](const CheckContext&) -> Result<CheckReport> {
                       auto it = answers.find(id);
                       return it == answers.end() ? Result<CheckReport>(CheckReport{}) : it->second;
                     }});
    }
    return out;
  }
};

CheckReport found(std::vector<ObservedProblem> problems) {
  CheckReport r;
  r.problems = std::move(problems);
  return r;
}

ObservedProblem p(const std::string& subject, Severity s, const std::string& title = "t") {
  ObservedProblem o;
  o.subject = subject;
  o.severity = s;
  o.title = title;
  o.detail = "detail of " + subject;
  return o;
}

const Observation* outcomeOf(const InspectionReport& r, const std::string& check,
                             const std::string& subject) {
  for (const auto& [f, o] : r.findings) {
    if (f.check == check && f.subject == subject)
      return &o;
  }
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_checklist_has_defaults_and_config_errors_name_the_place) {
  auto d = InspectionConfig::defaults();
  BOOST_TEST(d.schedule == "workdays 09:00");
  BOOST_TEST(d.intensifiedEveryMinutes == 60u);
  BOOST_TEST(d.checks.size() == knownChecks().size());
  // Intensified thresholds are tighter by default.
  BOOST_TEST(d.find("disk")->intensified.at("minor_free_percent") >
             d.find("disk")->thresholds.at("minor_free_percent"));
  auto c = readConfig(R"({"schedule": "workdays 08:30", "check_timeout_seconds": 5,
    "checks": [{"check": "disk", "enabled": false},
               {"check": "backlog", "thresholds": {"pending_minor": 50}, "intensified": {"pending_major": 70}}]})");
  BOOST_REQUIRE(c.ok());
  BOOST_TEST(c.value().schedule == "workdays 08:30");
  BOOST_TEST(c.value().checkTimeoutSeconds == 5u);
  BOOST_TEST(!c.value().find("disk")->enabled);
  BOOST_TEST(c.value().find("backlog")->thresholds.at("pending_minor") == 50);
  BOOST_TEST(c.value().find("backlog")->intensified.at("pending_minor") == 50);
  BOOST_TEST(c.value().find("backlog")->intensified.at("pending_major") == 70);
  auto bad = [](const char* text, const std::string& expected) {
    auto r = readConfig(text);
    BOOST_TEST_REQUIRE(!r.ok(), text);
    BOOST_TEST(r.error().describe().find(expected) != std::string::npos, r.error().describe());
    BOOST_TEST(r.error().describe().find("gw.json") != std::string::npos, r.error().describe());
  };
  bad(R"({"schedule": "hourly"})", "expected");
  bad(R"({"checks": [{"check": "coffee"}]})", "unknown check 'coffee'");
  bad(R"({"checks": [{"check": "disk"}, {"check": "disk"}]})", "listed twice");
  bad(R"({"checks": [{"check": "disk", "thresholds": {"cups": 1}}]})", "cups");
  bad(R"({"checks": [{"check": "disk", "thresholds": {"minor_free_percent": "x"}}]})",
      "minor_free_percent");
  bad(R"({"check_timeout_seconds": 0})", "check_timeout_seconds");
  bad(R"({"colour": 1})", "colour");
}

BOOST_AUTO_TEST_CASE(findings_are_rechecked_every_run_until_resolved) {
  TempStore tmp;
  auto ledger = InspectionLedger::open(tmp.config);
  BOOST_REQUIRE(ledger.ok());
  FixedClock clock(at("2026-11-30T09:00:00+08:00"));
  Script script;
  InspectionRunner runner(*ledger.value(), InspectionConfig::defaults(), script.checks(), clock);
  InspectionService service(*ledger.value(), runner, clock, nullptr, {}, "0.1.0");
  const StaffMember op{"li.na", "operator"};

  // Run 1: two problems of the disk check and one of backup.
  script.answers.insert_or_assign(
      "disk",
      Result<CheckReport>(found({p("/data", Severity::kMinor), p("/logs", Severity::kMajor)})));
  script.answers.insert_or_assign("backup",
                                  Result<CheckReport>(found({p("age", Severity::kMajor)})));
  auto r1 = service.run(Trigger::kManual, op);
  BOOST_REQUIRE_MESSAGE(r1.ok(), (r1.ok() ? std::string() : r1.error().describe()));
  BOOST_TEST(r1.value().id == 1);
  BOOST_TEST(r1.value().counts.newFindings == 3);
  BOOST_TEST(r1.value().counts.open == 3);
  BOOST_TEST(r1.value().counts.bySeverity.at("major") == 2);
  BOOST_TEST(hasSeriousOpen(r1.value().counts));

  // Run 2: /data worse, /logs gone (resolved), backup's check fails (not re-checked), a new
  // problem reported twice in one run is one finding (the worst kept).
  clock.set(at("2026-12-01T09:00:00+08:00"));
  script.answers.insert_or_assign(
      "disk", Result<CheckReport>(found({p("/data", Severity::kCritical, "new title")})));
  script.answers.insert_or_assign("backup",
                                  Result<CheckReport>(Error{"x", "ledger unreachable", ""}));
  script.answers.insert_or_assign(
      "dead_letters", Result<CheckReport>(found(
                          {p("", Severity::kMinor), p("", Severity::kMajor, "dead letters")})));
  auto r2 = service.run(Trigger::kManual, op);
  BOOST_REQUIRE(r2.ok());
  BOOST_TEST(r2.value().counts.worse == 1);
  BOOST_TEST(r2.value().counts.resolved == 1);
  BOOST_TEST(r2.value().counts.notRechecked == 1);
  BOOST_TEST(r2.value().counts.newFindings == 1);
  BOOST_TEST(r2.value().counts.checksFailed == 1);
  BOOST_TEST(r2.value().counts.open == 3);
  auto rep2 = service.report(2);
  BOOST_REQUIRE(rep2.ok());
  BOOST_TEST(outcomeOf(rep2.value(), "disk", "/data")->outcome == "worse");
  BOOST_TEST(outcomeOf(rep2.value(), "disk", "/logs")->outcome == "resolved");
  BOOST_TEST(outcomeOf(rep2.value(), "backup", "age")->outcome == "not re-checked");
  BOOST_TEST(outcomeOf(rep2.value(), "dead_letters", "")->outcome == "new");
  BOOST_TEST((outcomeOf(rep2.value(), "dead_letters", "")->severity == Severity::kMajor));

  // Run 3: /data better but still there; backup fixed; dead letters still open.
  clock.set(at("2026-12-02T09:00:00+08:00"));
  script.answers.insert_or_assign("disk",
                                  Result<CheckReport>(found({p("/data", Severity::kMinor)})));
  script.answers.insert_or_assign("backup", Result<CheckReport>(CheckReport{}));
  auto r3 = service.run(Trigger::kManual, op);
  BOOST_REQUIRE(r3.ok());
  auto rep3 = service.report(3);
  BOOST_REQUIRE(rep3.ok());
  BOOST_TEST(outcomeOf(rep3.value(), "disk", "/data")->outcome == "better");
  BOOST_TEST(outcomeOf(rep3.value(), "backup", "age")->outcome == "resolved");
  BOOST_TEST(outcomeOf(rep3.value(), "dead_letters", "")->outcome == "still open");
  BOOST_TEST(r3.value().counts.bySeverity.at("major") == 1);  // the dead letters
  BOOST_TEST(r3.value().counts.bySeverity.at("minor") == 1);  // /data

  // The same problem stays one finding across runs; its history is kept.
  auto open = ledger.value()->openFindings();
  BOOST_REQUIRE(open.ok());
  BOOST_TEST(open.value().size() == 2u);
  const Finding& data = open.value().front();
  BOOST_TEST(data.key == "disk|/data");
  BOOST_TEST(data.firstSeenRun == 1);
  BOOST_TEST(data.lastSeenRun == 3);
  auto history = ledger.value()->observations(data.id);
  BOOST_REQUIRE(history.ok());
  BOOST_REQUIRE(history.value().size() == 3u);
  BOOST_TEST(history.value()[0].outcome == "new");
  BOOST_TEST(history.value()[1].outcome == "worse");
  BOOST_TEST(history.value()[2].outcome == "better");
  // Resolved findings record the run that resolved them.
  auto all = ledger.value()->findings(0, 0);
  BOOST_REQUIRE(all.ok());
  BOOST_TEST(all.value().size() == 4u);
  for (const auto& f : all.value()) {
    if (f.key == "disk|/logs") {
      BOOST_TEST(f.resolvedRun == 2);
      BOOST_TEST((f.status == FindingStatus::kResolved));
    }
  }
  // Once resolved, the same problem again is a new finding.
  clock.set(at("2026-12-03T09:00:00+08:00"));
  script.answers.insert_or_assign("disk",
                                  Result<CheckReport>(found({p("/logs", Severity::kMinor)})));
  auto r4 = service.run(Trigger::kManual, op);
  BOOST_REQUIRE(r4.ok());
  BOOST_TEST(r4.value().counts.newFindings == 1);
  BOOST_TEST(r4.value().counts.resolved == 1);  // /data

  // The monthly report's window: runs and findings between two instants.
  auto dec = ledger.value()->runs(at("2026-12-01T00:00:00+08:00"), at("2026-12-03T00:00:00+08:00"));
  BOOST_REQUIRE(dec.ok());
  BOOST_REQUIRE(dec.value().size() == 2u);
  BOOST_TEST(dec.value().front().id == 2);
  auto decFindings =
      ledger.value()->findings(at("2026-12-02T00:00:00+08:00"), at("2026-12-03T00:00:00+08:00"));
  BOOST_REQUIRE(decFindings.ok());
  BOOST_TEST(decFindings.value().size() == 3u);  // /data, backup resolved, dead letters
}

BOOST_AUTO_TEST_CASE(sign_off_once_and_the_report_shows_who) {
  TempStore tmp;
  auto ledger = InspectionLedger::open(tmp.config);
  BOOST_REQUIRE(ledger.ok());
  FixedClock clock(at("2026-11-30T09:00:00+08:00"));
  Script script;
  script.answers.insert_or_assign(
      "items",
      Result<CheckReport>(found({p("marriage/<b>1244</b>", Severity::kMajor, "Item <red>")})));
  InspectionRunner runner(*ledger.value(), InspectionConfig::defaults(), script.checks(), clock);
  InspectionService service(*ledger.value(), runner, clock, nullptr, {}, "0.1.0");
  auto r = service.run(Trigger::kManual, {"li.na", "operator"});
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(service.signOff(99, {"wang.wei", "operator"}, "x").error().code ==
             "inspection.not_found");
  clock.set(at("2026-11-30T10:00:00+08:00"));
  auto s = service.signOff(1, {"wang.wei", "operator"}, "reviewed & <ok>");
  BOOST_REQUIRE(s.ok());
  BOOST_TEST(s.value().signedOffBy == "wang.wei");
  BOOST_TEST(s.value().signedOffAt == at("2026-11-30T10:00:00+08:00"));
  auto again = service.signOff(1, {"zhao.li", "operator"}, "");
  BOOST_REQUIRE(!again.ok());
  BOOST_TEST(again.error().code == "inspection.signed_off");
  BOOST_TEST(again.error().message.find("wang.wei") != std::string::npos);

  auto rep = service.report(1);
  BOOST_REQUIRE(rep.ok());
  const std::string html = renderHtml(rep.value());
  BOOST_TEST(html.find("wang.wei") != std::string::npos);
  BOOST_TEST(html.find("reviewed &amp; &lt;ok&gt;") != std::string::npos);
  BOOST_TEST(html.find("<red>") == std::string::npos);
  BOOST_TEST(html.find("Item &lt;red&gt;") != std::string::npos);
  BOOST_TEST(html.find("http://") == std::string::npos);
  BOOST_TEST(html.find("https://") == std::string::npos);
  const std::string md = renderMarkdown(rep.value());
  BOOST_TEST(md.find("Signed off: by wang.wei") != std::string::npos);
  BOOST_TEST(md.find("| major | new | items |") != std::string::npos);
  auto j = json::parse(reportJson(rep.value()));
  BOOST_REQUIRE(j.ok());
  BOOST_TEST(std::string(j.value()["sign_off"]["by"].GetString()) == "wang.wei");
  BOOST_TEST(j.value()["findings"].Size() == 1u);
  BOOST_TEST(j.value()["checks"].Size() == knownChecks().size());
}

BOOST_AUTO_TEST_CASE(a_check_that_hangs_times_out_and_the_run_completes) {
  TempStore tmp;
  auto ledger = InspectionLedger::open(tmp.config);
  BOOST_REQUIRE(ledger.ok());
  FixedClock clock(at("2026-11-30T09:00:00+08:00"));
  // The hanging check waits for the test to release it (at the end), like a stuck NFS statvfs.
  struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    std::atomic<int> entered{0}, left{0};
  };
  auto gate = std::make_shared<Gate>();
  std::vector<InspectionCheck> checks;
  for (const auto& k : knownChecks()) {
    if (k.id == "disk") {
      checks.push_back({k.id, [gate](const CheckContext&) -> Result<CheckReport> {
                          ++gate->entered;
                          std::unique_lock<std::mutex> lock(gate->mu);
                          gate->cv.wait(lock, [&] { return gate->open; });
                          ++gate->left;
                          return found({p("/late", Severity::kCritical)});
                        }});
    } else {
      checks.push_back(
          {k.id, [](const CheckContext&) -> Result<CheckReport> { return CheckReport{}; }});
    }
  }
  auto config = InspectionConfig::defaults();
  config.checkTimeoutSeconds = 1;
  InspectionRunner runner(*ledger.value(), config, checks, clock);
  std::vector<std::string> progress;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = runner.run(Trigger::kManual, "li.na", "0.1.0", false,
                      [&](const CheckOutcome& o, const CheckReport*) {
                        progress.push_back(o.check + " " + o.status);
                      });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(seconds < 5.0);
  BOOST_TEST(progress.size() == knownChecks().size());
  BOOST_TEST(r.value().finishedAt > 0);
  BOOST_TEST(r.value().counts.checksFailed == 1);
  for (const auto& c : r.value().checks) {
    if (c.check == "disk") {
      BOOST_TEST(c.status == "timed out");
      BOOST_TEST(c.message == "timed out after 1 s");
    } else {
      BOOST_TEST(c.status == "ok");
    }
  }
  // The next run does not start a second copy while the first still hangs.
  auto r2 = runner.run(Trigger::kManual, "li.na", "0.1.0", false);
  BOOST_REQUIRE(r2.ok());
  for (const auto& c : r2.value().checks) {
    if (c.check == "disk") {
      BOOST_TEST(c.status == "timed out");
      BOOST_TEST(c.message.find("still running since run 1") != std::string::npos);
    }
  }
  BOOST_TEST(gate->entered.load() == 1);
  // Released, it is started again at the next run and reports.
  {
    std::lock_guard<std::mutex> lock(gate->mu);
    gate->open = true;
  }
  gate->cv.notify_all();
  for (int i = 0; i < 200 && gate->left.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  // The thread marks itself done right after it returns (a lock and a flag); under ASan on two
  // busy cores that still takes a moment.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto r3 = runner.run(Trigger::kManual, "li.na", "0.1.0", false);
  BOOST_REQUIRE(r3.ok());
  BOOST_TEST(r3.value().counts.newFindings == 1);
  BOOST_TEST(gate->entered.load() == 2);
}

BOOST_AUTO_TEST_CASE(runs_on_working_days_and_more_often_during_a_major_event) {
  TempStore tmp;
  auto ledger = InspectionLedger::open(tmp.config);
  BOOST_REQUIRE(ledger.ok());
  // Friday 2026-11-27 08:00 China time.
  FixedClock clock(at("2026-11-27T08:00:00+08:00"));
  Script script;
  auto config = InspectionConfig::defaults();
  config.intensifiedEveryMinutes = 30;
  InspectionRunner runner(*ledger.value(), config, script.checks(), clock);
  std::atomic<bool> majorEvent{false};
  InspectionService service(
      *ledger.value(), runner, clock, nullptr, [&majorEvent] { return majorEvent.load(); },
      "0.1.0");
  ops::OpsJobs jobs(clock, WorkCalendar::china());
  jobs.add(service.job(config));
  auto count = [&] {
    auto runs = ledger.value()->runs(0, 0);
    BOOST_REQUIRE(runs.ok());
    return runs.value();
  };
  jobs.tick();
  BOOST_TEST(count().empty());
  clock.set(at("2026-11-27T09:00:00+08:00"));
  jobs.tick();
  BOOST_REQUIRE(count().size() == 1u);
  BOOST_TEST((count().back().trigger == Trigger::kScheduled));
  BOOST_TEST(count().back().startedBy == "scheduler");
  // Saturday and Sunday: none.
  for (const char* t : {"2026-11-28T09:00:00+08:00", "2026-11-29T09:00:00+08:00"}) {
    clock.set(at(t));
    jobs.tick();
  }
  BOOST_TEST(count().size() == 1u);
  // Monday with a major event declared: the 09:00 run is intensified, then every 30 minutes.
  majorEvent = true;
  clock.set(at("2026-11-30T09:00:00+08:00"));
  jobs.tick();
  BOOST_REQUIRE(count().size() == 2u);
  BOOST_TEST((count().back().trigger == Trigger::kIntensified));
  clock.set(at("2026-11-30T09:30:00+08:00"));
  jobs.tick();
  clock.set(at("2026-11-30T10:00:00+08:00"));
  jobs.tick();
  BOOST_TEST(count().size() == 4u);
  BOOST_TEST((count().back().trigger == Trigger::kIntensified));
  // The event over: no extra runs.
  majorEvent = false;
  clock.set(at("2026-11-30T10:30:00+08:00"));
  jobs.tick();
  clock.set(at("2026-11-30T11:00:00+08:00"));
  jobs.tick();
  BOOST_TEST(count().size() == 4u);
}

BOOST_AUTO_TEST_CASE(intensified_runs_use_the_tighter_thresholds) {
  TempStore tmp;
  auto ledger = InspectionLedger::open(tmp.config);
  BOOST_REQUIRE(ledger.ok());
  FixedClock clock(at("2026-11-30T09:00:00+08:00"));
  std::vector<double> seen;
  std::vector<InspectionCheck> checks{
      {"backlog", [&seen](const CheckContext& ctx) -> Result<CheckReport> {
         seen.push_back(ctx.threshold("pending_minor"));
         return CheckReport{};
       }}};
  InspectionRunner runner(*ledger.value(), InspectionConfig::defaults(), checks, clock);
  BOOST_REQUIRE(runner.run(Trigger::kManual, "a", "v", false).ok());
  BOOST_REQUIRE(runner.run(Trigger::kIntensified, "a", "v", true).ok());
  BOOST_REQUIRE(seen.size() == 2u);
  BOOST_TEST(seen[0] == 1000);
  BOOST_TEST(seen[1] == 100);
  // Checks without an implementation here are marked failed, never silently passed.
  auto last = ledger.value()->latestFinishedRun();
  BOOST_REQUIRE(last.ok());
  BOOST_TEST(last.value()->counts.checksFailed == static_cast<int>(knownChecks().size()) - 1);
}

BOOST_AUTO_TEST_CASE(real_checks_read_disk_store_and_certificates) {
  TempStore tmp;
  auto ledger = InspectionLedger::open(tmp.config);
  BOOST_REQUIRE(ledger.ok());
  auto sources = std::make_shared<InspectionSources>();
  sources->store = tmp.config;
  sources->dataDir = tmp.dir.string();
  sources->certificateFiles = {(tmp.dir / "missing.pem").string()};
  SystemClock clock;
  auto config = InspectionConfig::defaults();
  InspectionRunner runner(*ledger.value(), config, makeChecks(sources), clock);
  auto r = runner.run(Trigger::kManual, "t", "0.1.0", false);
  BOOST_REQUIRE(r.ok());
  std::map<std::string, CheckOutcome> by;
  for (const auto& c : r.value().checks)
    by[c.check] = c;
  BOOST_TEST(by["store.integrity"].status == "ok");
  BOOST_TEST(by["store.integrity"].message == "quick_check: ok");
  BOOST_TEST(by["store.size"].status == "ok");
  BOOST_TEST(by["disk"].message.find(tmp.dir.string()) == 0u);
  BOOST_TEST(by["certificates"].status == "findings");
  BOOST_TEST(by["backup"].status == "findings");  // no backup ledger
  BOOST_TEST(by["backlog"].status == "failed");   // no exchange store given
  BOOST_TEST(r.value().figures.count("store.bytes") == 1u);
}
