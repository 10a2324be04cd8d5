// Tickets meet the SLA engine, on a real SQLite store: the history → SlaTimeline converter, the
// closing rules (bug record, major-fault report kept as major_report events), and the SLA
// watcher (warning and breach once per clock, notified; the cost of a pass over 5,000 tickets).
#define BOOST_TEST_MODULE faults_tickets_sla
#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/core/Json.h"
#include "gateway/faults/IncidentEvidence.h"
#include "gateway/faults/MajorReports.h"
#include "gateway/faults/NotificationQueue.h"
#include "gateway/faults/SlaWatcher.h"
#include "gateway/faults/TicketService.h"
#include "gateway/faults/TicketSla.h"
#include "gateway/faults/sla/SlaClock.h"

using namespace huitong;
using namespace huitong::faults;
namespace fs = std::filesystem;

namespace huitong::sla {
// Printed by Boost.Test when a comparison fails.
inline std::ostream& operator<<(std::ostream& o, ClockState v) {
  return o << toString(v);
}
}  // namespace huitong::sla

namespace {

EpochMillis at(const char* text) {
  EpochMillis t = 0;
  BOOST_TEST_REQUIRE(parseRfc3339(text, t), text);
  return t;
}
constexpr EpochMillis kMinute = 60'000;

template <typename T>
std::string errorOf(const Result<T>& r) {
  return r.ok() ? std::string() : r.error().code + ": " + r.error().describe();
}

constexpr const char* kConfig = R"({
  "groups": [{"name": "app", "members": ["wang", "li"]}],
  "default_group": "app"
})";

struct RecordingNotifier final : TicketNotifier {
  std::vector<TicketNotice> sent;
  Result<std::string> notify(const TicketNotice& n) override {
    sent.push_back(n);
    return std::string("recorded");
  }
};

struct Fixture {
  Fixture() : clock(at("2026-11-03T10:00:00+08:00")) {
    std::string pattern = (fs::temp_directory_path() / "huitong-tsla-XXXXXX").string();
    BOOST_TEST_REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    storage::StoreConfig c;
    c.kind = "sqlite";
    c.path = (fs::path(dir) / "store.db").string();
    auto doc = json::parse(kConfig);
    BOOST_TEST_REQUIRE(doc.ok());
    document = std::move(doc).value();
    ConfigNode node(
        document, "/faults", [](const std::string& p) { return "faults.json:" + p; }, ".");
    auto parsed = FaultRules::parse(node);
    BOOST_TEST_REQUIRE(parsed.ok(), errorOf(parsed));
    rules = parsed.value();
    auto s = TicketStore::open(c);
    BOOST_TEST_REQUIRE(s.ok(), errorOf(s));
    store = std::move(s).value();
    auto r = registry::RegistryStore::open(c);
    BOOST_TEST_REQUIRE(r.ok(), errorOf(r));
    audit = std::move(r).value();
    service = std::make_unique<TicketService>(*store, *audit, rules, clock, WorkCalendar::china());
    service->setNotifier(&notifier);
  }
  ~Fixture() {
    service.reset();
    store.reset();
    audit.reset();
    fs::remove_all(dir);
  }
  void advance(EpochMillis by) { clock.set(clock.now() + by); }
  std::vector<TicketEvent> history(const std::string& id) {
    auto h = store->events(id);
    BOOST_TEST_REQUIRE(h.ok(), errorOf(h));
    return h.value();
  }
  Ticket ticket(const std::string& id) {
    auto t = store->get(id);
    BOOST_TEST_REQUIRE((t.ok() && t.value()));
    return *t.value();
  }

  std::string dir;
  rapidjson::Document document;
  FaultRules rules;
  FixedClock clock;
  RecordingNotifier notifier;
  std::unique_ptr<TicketStore> store;
  std::unique_ptr<registry::RegistryStore> audit;
  std::unique_ptr<TicketService> service;
};

const Caller kOperator{"li.na", "operator", ""};

NewTicket phoneCall(const std::string& description) {
  NewTicket n;
  n.channel = Channel::kPhone;
  n.reporter = "张三";
  n.contact = "010-12345678";
  n.reportedAt = at("2026-11-03T09:58:00+08:00");
  n.system = "marriage";
  n.item = "1244";
  n.description = description;
  return n;
}

int countKind(const std::vector<TicketEvent>& events, EventKind kind) {
  int n = 0;
  for (const auto& e : events)
    n += e.kind == kind ? 1 : 0;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(history_becomes_the_sla_timeline) {
  Fixture f;
  auto c = f.service->create(phoneCall("婚姻登记接口超时"), kOperator);
  BOOST_TEST_REQUIRE(c.ok(), errorOf(c));
  const std::string id = c.value().ticket.id;
  const EpochMillis created = f.clock.now();
  // Dispatch by the rules happened at creation (assigned, status new → assigned): no response.
  auto tl = slaTimeline(f.ticket(id), f.history(id));
  // A phone ticket's clocks start at the call (09:58), two minutes before it was entered.
  BOOST_TEST(tl.createdAt == at("2026-11-03T09:58:00+08:00"));
  BOOST_TEST(f.ticket(id).createdAt == created);
  BOOST_TEST(!tl.firstResponseAt);
  BOOST_TEST(tl.statuses.size() == 1u);
  BOOST_TEST(tl.statuses[0].status == "assigned");
  BOOST_TEST(tl.maintainer == c.value().ticket.assignee);

  f.advance(12 * kMinute);
  BOOST_TEST_REQUIRE(f.service->setStatus(id, TicketStatus::kInProgress, "", kOperator).ok());
  const EpochMillis responded = f.clock.now();
  f.advance(10 * kMinute);
  BOOST_TEST_REQUIRE(
      f.service->setStatus(id, TicketStatus::kWaitingForReporter, "要截图", kOperator).ok());
  f.advance(60 * kMinute);  // paused: not counted
  BOOST_TEST_REQUIRE(f.service->setStatus(id, TicketStatus::kInProgress, "", kOperator).ok());
  BOOST_TEST_REQUIRE(f.service->onSite(id, false, "去机房", kOperator).ok());
  const EpochMillis dispatched = f.clock.now();
  f.advance(40 * kMinute);
  BOOST_TEST_REQUIRE(f.service->onSite(id, true, "到达", kOperator).ok());
  const EpochMillis arrived = f.clock.now();
  f.advance(20 * kMinute);
  BOOST_TEST_REQUIRE(f.service->setStatus(id, TicketStatus::kResolved, "", kOperator).ok());
  f.advance(30 * kMinute);  // resolved: not counted after the reopen
  BOOST_TEST_REQUIRE(f.service->setStatus(id, TicketStatus::kInProgress, "复发", kOperator).ok());
  f.advance(10 * kMinute);
  BOOST_TEST_REQUIRE(f.service->setStatus(id, TicketStatus::kResolved, "", kOperator).ok());
  const EpochMillis resolved = f.clock.now();

  tl = slaTimeline(f.ticket(id), f.history(id));
  BOOST_TEST_REQUIRE(tl.firstResponseAt.has_value());
  BOOST_TEST(*tl.firstResponseAt == responded);
  BOOST_TEST(tl.onSiteDispatchedAt.value_or(0) == dispatched);
  BOOST_TEST(tl.onSiteArrivedAt.value_or(0) == arrived);
  std::vector<std::string> statuses;
  for (const auto& s : tl.statuses)
    statuses.push_back(s.status);
  const std::vector<std::string> expected{"assigned",    "in_progress", "waiting_for_reporter",
                                          "in_progress", "resolved",    "in_progress",
                                          "resolved"};
  BOOST_TEST(statuses == expected, boost::test_tools::per_element());
  BOOST_TEST(sla::validate(tl).ok());

  const auto e = sla::evaluate(tl, sla::SlaPolicy(), f.clock.now());
  const auto* response = e.find(sla::ClockKind::kResponse);
  const auto* resolution = e.find(sla::ClockKind::kResolution);
  const auto* onSite = e.find(sla::ClockKind::kOnSite);
  BOOST_TEST_REQUIRE((response && resolution && onSite));
  BOOST_TEST(response->state == sla::ClockState::kMet);
  // From the call at 09:58: 2 minutes before the ticket was entered count.
  BOOST_TEST(response->elapsed == 14 * kMinute);
  // 2 + 12 + 10 + (60 paused) + 40 + 20 + (30 resolved) + 10 = 94 minutes counted.
  BOOST_TEST(resolution->elapsed == 94 * kMinute);
  BOOST_TEST(resolution->state == sla::ClockState::kMet);
  BOOST_TEST(resolution->stoppedAt.value_or(0) == resolved);
  BOOST_TEST(onSite->state == sla::ClockState::kMet);
  BOOST_TEST(onSite->elapsed == 40 * kMinute);

  // A comment by a department is not a response; one by staff is.
  auto d = f.service->create(phoneCall("另一个问题"), kOperator);
  BOOST_TEST_REQUIRE(d.ok());
  f.advance(5 * kMinute);
  BOOST_TEST(
      f.service->comment(d.value().ticket.id, "补充", Caller{"mz", "department", "marriage"}).ok());
  BOOST_TEST(
      !slaTimeline(f.ticket(d.value().ticket.id), f.history(d.value().ticket.id)).firstResponseAt);
  f.advance(5 * kMinute);
  BOOST_TEST(f.service->comment(d.value().ticket.id, "已收到", kOperator).ok());
  BOOST_TEST(slaTimeline(f.ticket(d.value().ticket.id), f.history(d.value().ticket.id))
                 .firstResponseAt.value_or(0) == f.clock.now());
}

// The contract counts from the report: a call entered 50 minutes late is due 4 h after the
// call; an API ticket's clocks start at its creation whatever time it claims.
BOOST_AUTO_TEST_CASE(sla_clocks_start_at_the_time_of_the_call) {
  Fixture f;
  auto call = phoneCall("交换平台无法登录");
  call.reportedAt = f.clock.now() - 50 * kMinute;
  auto phone = f.service->create(call, kOperator);
  BOOST_TEST_REQUIRE(phone.ok(), errorOf(phone));
  auto fax = phoneCall("传真报障");
  fax.channel = Channel::kFax;
  fax.reportedAt = f.clock.now() - 3 * 60 * kMinute;
  auto faxed = f.service->create(fax, kOperator);
  BOOST_TEST_REQUIRE(faxed.ok(), errorOf(faxed));
  NewTicket api;
  api.channel = Channel::kApi;
  api.system = "marriage";
  api.description = "接口报错";
  auto viaApi = f.service->create(api, kOperator);
  BOOST_TEST_REQUIRE(viaApi.ok(), errorOf(viaApi));

  auto resolution = [&](const std::string& id) {
    const auto e = sla::evaluate(slaTimeline(f.ticket(id), f.history(id)), sla::SlaPolicy(),
                                 f.clock.now(), WorkCalendar::china());
    for (const auto& c : e.clocks) {
      if (c.kind == sla::ClockKind::kResolution)
        return c;
    }
    BOOST_FAIL("no resolution clock");
    return sla::ClockReading();
  };
  const auto p = resolution(phone.value().ticket.id);
  BOOST_TEST(p.dueAt.value_or(0) == call.reportedAt + 4 * 60 * kMinute);
  BOOST_TEST(p.elapsed == 50 * kMinute);
  // 3 of 4 hours gone before the fax was entered: past the 75 % warning already.
  BOOST_TEST(resolution(faxed.value().ticket.id).state == sla::ClockState::kWarning);
  const auto a = resolution(viaApi.value().ticket.id);
  BOOST_TEST(a.dueAt.value_or(0) == f.clock.now() + 4 * 60 * kMinute);
  BOOST_TEST(slaStart(f.ticket(viaApi.value().ticket.id)) == f.clock.now());
}

BOOST_AUTO_TEST_CASE(bug_tickets_close_with_documentation_and_a_fix_link) {
  Fixture f;
  auto n = phoneCall("日期格式错误");
  n.type = TicketType::kBug;
  auto c = f.service->create(n, kOperator);
  BOOST_TEST_REQUIRE(c.ok(), errorOf(c));
  const std::string id = c.value().ticket.id;
  BOOST_TEST_REQUIRE(f.service->setStatus(id, TicketStatus::kResolved, "", kOperator).ok());
  auto refused = f.service->setStatus(id, TicketStatus::kClosed, "", kOperator);
  BOOST_TEST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.error().code == "ticket.fix_required");
  BOOST_TEST(refused.error().path == "fix.documentation");
  BOOST_TEST(refused.error().message.find("link to its fix") != std::string::npos,
             refused.error().message);

  TicketPatch doc;
  doc.fixDocumentation = "日期改为 yyyyMMdd";
  doc.fixCommit = "not-a-commit";
  BOOST_TEST_REQUIRE(f.service->update(id, doc, kOperator).ok());
  refused = f.service->setStatus(id, TicketStatus::kClosed, "", kOperator);
  BOOST_TEST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.error().path == "fix.commit");

  TicketPatch link;
  link.fixCommit = "9f3c2ab";
  BOOST_TEST_REQUIRE(f.service->update(id, link, kOperator).ok());
  auto closed = f.service->setStatus(id, TicketStatus::kClosed, "", kOperator);
  BOOST_TEST(closed.ok(), errorOf(closed));
}

BOOST_AUTO_TEST_CASE(major_tickets_close_with_a_complete_report) {
  Fixture f;
  auto n = phoneCall("全省婚姻登记数据交换中断");
  n.severity = Severity::kMajor;
  auto c = f.service->create(n, kOperator);
  BOOST_TEST_REQUIRE(c.ok(), errorOf(c));
  const std::string id = c.value().ticket.id;
  f.advance(10 * kMinute);
  BOOST_TEST_REQUIRE(f.service->setStatus(id, TicketStatus::kInProgress, "", kOperator).ok());
  BOOST_TEST_REQUIRE(f.service->comment(id, "前置机磁盘满", kOperator).ok());
  f.advance(90 * kMinute);
  BOOST_TEST_REQUIRE(f.service->setStatus(id, TicketStatus::kResolved, "", kOperator).ok());

  auto noReport = f.service->setStatus(id, TicketStatus::kClosed, "", kOperator);
  BOOST_TEST_REQUIRE(!noReport.ok());
  BOOST_TEST(noReport.error().code == "ticket.report_required");
  BOOST_TEST(noReport.error().path == "report");

  // Pre-filled from the timeline and the history (and alerts given by monitoring).
  const std::vector<sla::IncidentEntry> alerts{
      {at("2026-11-03T09:50:00+08:00"), "alert:db-port", "db-port down 3 times"}};
  auto report = prefillReport(f.ticket(id), f.history(id), alerts, sla::SlaPolicy(), f.clock.now(),
                              WorkCalendar::china());
  BOOST_TEST(report.ticketId == id);
  BOOST_TEST(report.incidentStart == at("2026-11-03T09:50:00+08:00"));
  bool sawComment = false, sawAlert = false;
  for (const auto& p : report.process) {
    sawComment = sawComment || p.text.find("前置机磁盘满") != std::string::npos;
    sawAlert = sawAlert || p.source == "alert:db-port";
  }
  BOOST_TEST(sawComment);
  BOOST_TEST(sawAlert);
  BOOST_TEST(!report.sla.empty());

  // Saved incomplete: the close names what is missing.
  auto saved = f.service->saveMajorReport(id, report, kOperator);
  BOOST_TEST_REQUIRE(saved.ok(), errorOf(saved));
  auto incomplete = f.service->setStatus(id, TicketStatus::kClosed, "", kOperator);
  BOOST_TEST_REQUIRE(!incomplete.ok());
  BOOST_TEST(incomplete.error().code == "ticket.report_required");
  BOOST_TEST(incomplete.error().path == "cause");
  BOOST_TEST(incomplete.error().message.find("improvements") != std::string::npos,
             incomplete.error().message);

  // A person's edit: bad dates are named; a good one is merged over the stored report.
  auto stored = latestMajorReport(f.history(id));
  BOOST_TEST_REQUIRE((stored.ok() && stored.value()));
  auto bad = parseMajorReport(
      R"({"improvements": [{"action": "a", "owner": "b", "due": "2026-13-01"}]})", *stored.value());
  BOOST_TEST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error().path == "improvements[1].due");
  auto unknown = parseMajorReport(R"({"colour": "red"})", *stored.value());
  BOOST_TEST_REQUIRE(!unknown.ok());
  BOOST_TEST(unknown.error().path == "colour");
  auto edited = parseMajorReport(R"({
      "cause": "前置机日志未轮转，磁盘写满 <script>",
      "measures": "清理日志，重启前置服务",
      "improvements": [{"action": "日志按天轮转并监控磁盘", "owner": "wang", "due": "2026-11-20"}]
    })",
                                 *stored.value());
  BOOST_TEST_REQUIRE(edited.ok(), errorOf(edited));
  BOOST_TEST(edited.value().process.size() == stored.value()->process.size());
  BOOST_TEST_REQUIRE(f.service->saveMajorReport(id, edited.value(), kOperator).ok());
  const auto history = f.history(id);
  BOOST_TEST(countKind(history, EventKind::kMajorReport) == 2);
  auto latest = latestMajorReport(history);
  BOOST_TEST_REQUIRE((latest.ok() && latest.value()));
  BOOST_TEST(latest.value()->cause.find("磁盘写满") != std::string::npos);
  BOOST_TEST(latest.value()->author == "li.na");
  BOOST_TEST(sla::followUpTasks(*latest.value()).size() == 1u);

  auto shown = currentReport(f.ticket(id), history, {}, sla::SlaPolicy(), f.clock.now(),
                             WorkCalendar::china());
  BOOST_TEST_REQUIRE(shown.ok());
  BOOST_TEST(!shown.value().sla.empty());
  const std::string html = sla::renderHtml(shown.value());
  BOOST_TEST(html.find("&lt;script&gt;") != std::string::npos);
  BOOST_TEST(html.find("<script>") == std::string::npos);
  BOOST_TEST(sla::renderMarkdown(shown.value()).find("日志按天轮转") != std::string::npos);

  auto closed = f.service->setStatus(id, TicketStatus::kClosed, "", kOperator);
  BOOST_TEST_REQUIRE(closed.ok(), errorOf(closed));
  auto late = f.service->saveMajorReport(id, edited.value(), kOperator);
  BOOST_TEST_REQUIRE(!late.ok());
  BOOST_TEST(late.error().code == "ticket.closed");
  BOOST_TEST(!f.service->saveMajorReport(id, edited.value(), Caller{"a", "auditor", ""}).ok());
}

BOOST_AUTO_TEST_CASE(watcher_warns_and_breaches_once_per_clock) {
  Fixture f;
  auto c = f.service->create(phoneCall("无法登录"), kOperator);
  BOOST_TEST_REQUIRE(c.ok(), errorOf(c));
  const std::string id = c.value().ticket.id;
  auto paused = f.service->create(phoneCall("等待材料"), kOperator);
  BOOST_TEST_REQUIRE(paused.ok());
  BOOST_TEST_REQUIRE(
      f.service
          ->setStatus(paused.value().ticket.id, TicketStatus::kWaitingForReporter, "", kOperator)
          .ok());
  const std::size_t noticesBefore = f.notifier.sent.size();
  SlaWatcher watcher(*f.service, sla::SlaPolicy(), f.clock, WorkCalendar::china());

  auto pass = watcher.runOnce();
  BOOST_TEST(pass.tickets == 2);
  BOOST_TEST(pass.warnings + pass.breaches == 0);

  // Response target 30 min, warning at 75 % (22.5 min); the paused ticket's clock stands still
  // after its first-response status change stopped the response clock.
  f.advance(23 * kMinute);
  pass = watcher.runOnce();
  BOOST_TEST(pass.warnings == 1);
  BOOST_TEST(pass.breaches == 0);
  BOOST_TEST(watcher.runOnce().warnings == 0);

  f.advance(8 * kMinute);  // 31 min: response breached
  pass = watcher.runOnce();
  BOOST_TEST(pass.breaches == 1);
  BOOST_TEST(watcher.runOnce().breaches == 0);

  f.advance(3 * 60 * kMinute);  // 3 h 31 min: resolution warning (75 % of 4 h = 3 h)
  pass = watcher.runOnce();
  BOOST_TEST(pass.warnings == 1);
  f.advance(30 * kMinute);  // 4 h 1 min
  pass = watcher.runOnce();
  BOOST_TEST(pass.breaches == 1);
  BOOST_TEST(pass.failures == 0);

  const auto history = f.history(id);
  BOOST_TEST(countKind(history, EventKind::kSlaWarning) == 2);
  BOOST_TEST(countKind(history, EventKind::kSlaBreach) == 2);
  for (const auto& e : history) {
    if (e.kind == EventKind::kSlaBreach)
      BOOST_TEST((slaEventClock(e) == "response" || slaEventClock(e) == "resolution"));
  }
  // The paused ticket's resolution clock did not move.
  BOOST_TEST(countKind(f.history(paused.value().ticket.id), EventKind::kSlaBreach) == 0);
  int breachNotices = 0, warningNotices = 0;
  for (std::size_t i = noticesBefore; i < f.notifier.sent.size(); ++i) {
    breachNotices += f.notifier.sent[i].event == "sla_breach" ? 1 : 0;
    warningNotices += f.notifier.sent[i].event == "sla_warning" ? 1 : 0;
  }
  BOOST_TEST(breachNotices == 2);
  BOOST_TEST(warningNotices == 2);
  // A second watcher on the same database records nothing again.
  SlaWatcher other(*f.service, sla::SlaPolicy(), f.clock, WorkCalendar::china());
  pass = other.runOnce();
  BOOST_TEST(pass.warnings + pass.breaches == 0);

  // The thread: start runs a pass at once, stop ends it.
  watcher.start();
  watcher.stop();
  BOOST_TEST(watcher.lastPass().tickets == 2);
}

BOOST_AUTO_TEST_CASE(watcher_pass_over_5000_open_tickets) {
  Fixture f;
  constexpr int kTickets = 5000;
  const EpochMillis start = f.clock.now();
  for (int i = 0; i < kTickets; ++i) {
    Ticket t;
    t.channel = Channel::kApi;
    t.reporter = "r";
    t.reportedAt = start - i * 1000;
    t.createdAt = t.reportedAt;
    t.updatedAt = t.reportedAt;
    t.title = "t" + std::to_string(i);
    t.description = t.title;
    t.group = "app";
    t.assignee = "wang";
    t.status = TicketStatus::kInProgress;
    t.createdBy = "operator:li.na";
    TicketEvent created;
    created.at = t.createdAt;
    created.actor = "operator:li.na";
    created.kind = EventKind::kCreated;
    TicketEvent moved = created;
    moved.kind = EventKind::kStatus;
    moved.fromStatus = TicketStatus::kNew;
    moved.toStatus = TicketStatus::kInProgress;
    moved.at = t.createdAt + kMinute;
    auto made = f.store->create(t, {created, moved});
    BOOST_TEST_REQUIRE(made.ok(), errorOf(made));
  }
  // Created one second apart over 83 min. 2 min after the newest: every response met, no
  // resolution clock near 75 % of 4 h.
  f.clock.set(start + 2 * kMinute);
  SlaWatcher watcher(*f.service, sla::SlaPolicy(), f.clock, WorkCalendar::china());
  auto quiet = watcher.runOnce();
  BOOST_TEST(quiet.tickets == kTickets);
  BOOST_TEST(quiet.pages == 6);
  BOOST_TEST(quiet.warnings + quiet.breaches == 0);
  // 1 h 45 min after the newest, the 500 oldest (3 h and more) cross the warning fraction of
  // the 4 h resolution target: each recorded (event, audit entry, notification) once.
  f.clock.set(start + 105 * kMinute);
  auto busy = watcher.runOnce();
  BOOST_TEST(busy.tickets == kTickets);
  BOOST_TEST(busy.failures == 0);
  BOOST_TEST(busy.warnings == 500);
  BOOST_TEST(busy.breaches == 0);
  auto again = watcher.runOnce();
  BOOST_TEST(again.warnings + again.breaches == 0);
  std::cout << "sla watcher over " << kTickets << " open tickets (SQLite): quiet pass "
            << quiet.seconds << " s (" << quiet.pages << " pages), pass recording " << busy.warnings
            << " warnings + " << busy.breaches << " breaches " << busy.seconds << " s, next pass "
            << again.seconds << " s\n";
}

// Monitoring evidence through the injected source, kept in the saved report and rendered; the
// improvements become follow-up tasks in the same transaction, listed, overdue, closed with a
// note (audited); the report is listed across tickets by its incident's time.
struct FixedEvidence final : IncidentEvidenceSource {
  EpochMillis askedFrom = 0, askedTo = 0;
  int calls = 0;
  sla::IncidentEvidence evidence(const std::string& system, const std::string& item,
                                 EpochMillis from, EpochMillis to) override {
    ++calls;
    askedFrom = from;
    askedTo = to;
    std::vector<monitor::schedule::StoredResult> runs(4);
    for (std::size_t i = 0; i < runs.size(); ++i) {
      runs[i].startedAt = from + static_cast<EpochMillis>(i + 1) * 10 * kMinute;
      runs[i].status = i == 1 || i == 2 ? "fail" : "ok";
      runs[i].message = i == 2 ? "HTTP 503 from 前置机" : "";
      runs[i].durationMs = 100.0 * static_cast<double>(i + 1);
    }
    sla::IncidentEvidence e;
    e.from = from;
    e.to = to;
    e.probes.push_back(probeEvidence("marriage-login", "login", runs));
    sla::HealthEvidence h{system, item, "red", to, "3 dead letters <b>", 0, 0, 0};
    std::vector<storage::ItemEvent> events{{item, from + kMinute, from + 2 * kMinute, false},
                                           {item, from + 3 * kMinute, 0, true},
                                           {"other", from + 3 * kMinute, 0, true},
                                           {item, from - kMinute, 0, true}};
    countExchange(h, events, from, to);
    e.health.push_back(h);
    return e;
  }
};

BOOST_AUTO_TEST_CASE(report_evidence_follow_ups_and_the_report_list) {
  Fixture f;
  FixedEvidence source;
  f.service->setEvidenceSource(&source);
  auto n = phoneCall("婚姻登记交换中断");
  n.severity = Severity::kMajor;
  auto c = f.service->create(n, kOperator);
  BOOST_TEST_REQUIRE(c.ok(), errorOf(c));
  const std::string id = c.value().ticket.id;
  f.advance(30 * kMinute);
  BOOST_TEST_REQUIRE(f.service->setStatus(id, TicketStatus::kResolved, "", kOperator).ok());

  auto report = f.service->report(id, sla::SlaPolicy(), kOperator);
  BOOST_TEST_REQUIRE(report.ok(), errorOf(report));
  // The window: an hour before the call (09:58) to the resolution (10:30).
  BOOST_TEST(source.askedFrom == at("2026-11-03T08:58:00+08:00"));
  BOOST_TEST(source.askedTo == at("2026-11-03T10:30:00+08:00"));
  const auto& ev = report.value().evidence;
  BOOST_TEST_REQUIRE(ev.probes.size() == 1u);
  BOOST_TEST(ev.probes[0].runs == 4);
  BOOST_TEST(ev.probes[0].failures == 2);
  BOOST_TEST(ev.probes[0].avgMs == 250.0);
  BOOST_TEST(ev.probes[0].maxMs == 400.0);
  BOOST_TEST(*ev.probes[0].firstFailure == at("2026-11-03T09:18:00+08:00"));
  BOOST_TEST(ev.probes[0].lastFailureMessage == "fail: HTTP 503 from 前置机");
  BOOST_TEST_REQUIRE(ev.health.size() == 1u);
  BOOST_TEST(ev.health[0].received == 2);
  BOOST_TEST(ev.health[0].delivered == 1);
  BOOST_TEST(ev.health[0].dead == 1);
  bool probeLine = false;
  for (const auto& p : report.value().process)
    probeLine = probeLine || p.source == "probe:marriage-login";
  BOOST_TEST(probeLine);
  const std::string html = sla::renderHtml(report.value());
  BOOST_TEST(html.find("Monitoring evidence") != std::string::npos);
  BOOST_TEST(html.find("marriage-login (login)") != std::string::npos);
  BOOST_TEST(html.find("3 dead letters &lt;b&gt;") != std::string::npos);
  const std::string md = sla::renderMarkdown(report.value());
  BOOST_TEST(md.find("### Probe results") != std::string::npos);
  BOOST_TEST(md.find("| 4 | 2 |") != std::string::npos, md);

  // Saved with two improvements (one already overdue once the clock moves on): two open tasks.
  auto edited = parseMajorReport(R"({
      "cause": "证书过期", "measures": "更换证书",
      "improvements": [{"action": "证书到期监控", "owner": "wang", "due": "2026-11-05"},
                       {"action": "演练", "owner": "li", "due": "2026-12-20"},
                       {"action": "无人负责", "owner": "", "due": "2026-12-20"}]})",
                                 report.value());
  BOOST_TEST_REQUIRE(edited.ok(), errorOf(edited));
  auto saved = f.service->saveMajorReport(id, edited.value(), kOperator);
  BOOST_TEST_REQUIRE(saved.ok(), errorOf(saved));
  auto latest = latestMajorReport(f.history(id));
  BOOST_TEST_REQUIRE((latest.ok() && latest.value()));
  BOOST_TEST(latest.value()->evidence.probes.size() == 1u);
  BOOST_TEST(latest.value()->evidence.health[0].status == "red");
  // A saved report keeps what it showed: monitoring is not asked again.
  auto again = f.service->report(id, sla::SlaPolicy(), kOperator);
  BOOST_TEST_REQUIRE(again.ok());
  BOOST_TEST(source.calls == 1);
  BOOST_TEST(again.value().evidence.probes[0].failures == 2);

  f.advance(3 * 24 * 60 * kMinute);  // 2026-11-06: the first task is overdue
  FollowUpFilter openOnly;
  openOnly.status = FollowUpStatus::kOpen;
  auto open = f.service->followUps(openOnly, kOperator);
  BOOST_TEST_REQUIRE(open.ok(), errorOf(open));
  BOOST_TEST_REQUIRE(open.value().size() == 2u);
  BOOST_TEST(open.value()[0].owner == "wang");
  FollowUpFilter overdue;
  overdue.overdueOnly = true;
  auto late = f.service->followUps(overdue, kOperator);
  BOOST_TEST_REQUIRE(late.ok());
  BOOST_TEST_REQUIRE(late.value().size() == 1u);
  BOOST_TEST(late.value()[0].n == 1);
  BOOST_TEST(!f.service->followUps({}, Caller{"minzheng", "department", "marriage"}).ok());

  // Closing needs a note and staff; done once.
  BOOST_TEST(f.service->closeFollowUp(id, 1, " ", kOperator).error().code == "ticket.invalid");
  BOOST_TEST(f.service->closeFollowUp(id, 1, "done", Caller{"a", "auditor", ""}).error().code ==
             "ticket.forbidden");
  auto closed = f.service->closeFollowUp(id, 1, "监控已上线", kOperator);
  BOOST_TEST_REQUIRE(closed.ok(), errorOf(closed));
  BOOST_TEST(closed.value().closedBy == "operator:li.na");
  BOOST_TEST(f.service->closeFollowUp(id, 1, "again", kOperator).error().code == "followup.closed");
  BOOST_TEST(f.service->closeFollowUp(id, 9, "x", kOperator).error().code == "followup.not_found");
  registry::AuditQuery q;
  q.limit = 1000;
  auto page = f.audit->queryAudit(q);
  BOOST_TEST_REQUIRE(page.ok());
  int closes = 0;
  for (const auto& e : page.value().entries)
    closes +=
        e.action == "ticket.follow_up_close" && e.after.find("监控已上线") != std::string::npos;
  BOOST_TEST(closes == 1);

  // Saved again without the second improvement: its open task goes, the closed one stays.
  auto fewer = parseMajorReport(
      R"({"improvements": [{"action": "证书到期监控", "owner": "wang", "due": "2026-11-05"}]})",
      *latestMajorReport(f.history(id)).value());
  BOOST_TEST_REQUIRE(fewer.ok());
  BOOST_TEST_REQUIRE(f.service->saveMajorReport(id, fewer.value(), kOperator).ok());
  FollowUpFilter mine;
  mine.ticketId = id;
  auto tasks = f.service->followUps(mine, kOperator);
  BOOST_TEST_REQUIRE(tasks.ok());
  BOOST_TEST_REQUIRE(tasks.value().size() == 1u);
  BOOST_TEST(std::string(toString(tasks.value()[0].status)) == "closed");

  // Listed across tickets by the incident's start (the first evidence: 08:58 + 10 min).
  auto listed = f.service->majorReports(at("2026-11-01T00:00:00+08:00"),
                                        at("2026-12-01T00:00:00+08:00"), kOperator);
  BOOST_TEST_REQUIRE(listed.ok(), errorOf(listed));
  BOOST_TEST_REQUIRE(listed.value().size() == 1u);
  BOOST_TEST(listed.value()[0].ticketId == id);
  BOOST_TEST(listed.value()[0].saves == 2);
  BOOST_TEST(listed.value()[0].followUps == 1);
  BOOST_TEST(listed.value()[0].openFollowUps == 0);
  BOOST_TEST(listed.value()[0].complete);
  auto october = f.service->majorReports(at("2026-10-01T00:00:00+08:00"),
                                         at("2026-11-01T00:00:00+08:00"), kOperator);
  BOOST_TEST_REQUIRE(october.ok());
  BOOST_TEST(october.value().empty());
}

// Notices off the request path: a blocked channel never blocks notify(); a full queue drops and
// counts; the outcome lands on the ticket as its `notified` event; stop drains until its deadline.
struct GatedNotifier final : TicketNotifier {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int calls = 0;
  std::chrono::milliseconds each{0};
  Result<std::string> notify(const TicketNotice&) override {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return open; });
    ++calls;
    lock.unlock();
    std::this_thread::sleep_for(each);
    return std::string("sent to test");
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
};

BOOST_AUTO_TEST_CASE(notices_queue_off_the_request_path) {
  GatedNotifier channel;
  std::mutex mu;
  std::vector<std::string> outcomes;
  int logged = 0;
  NotificationQueue queue(
      channel, 2,
      [&](const TicketNotice& n, const Result<std::string>& r) {
        std::lock_guard<std::mutex> lock(mu);
        outcomes.push_back(n.ticketId + " " + (r.ok() ? r.value() : r.error().code));
      },
      [&](const std::string&, const TicketNotice&) { ++logged; });
  queue.start();
  TicketNotice n;
  const auto started = std::chrono::steady_clock::now();
  std::vector<Result<std::string>> answers;
  for (int i = 0; i < 4; ++i) {
    n.ticketId = "T-2026-00000" + std::to_string(i + 1);
    answers.push_back(queue.notify(n));
    // The sender holds the first one: the queue then holds two, the fourth does not fit.
    if (i == 0) {
      for (int wait = 0; wait < 200 && queue.counts().depth > 0; ++wait)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST(ms < 1000.0, "notify took " << ms << " ms with the channel blocked");
  BOOST_TEST(answers[0].ok());
  BOOST_TEST(answers[2].ok());
  BOOST_TEST_REQUIRE(!answers[3].ok());
  BOOST_TEST(answers[3].error().code == "notify.dropped");
  BOOST_TEST(logged == 1);
  BOOST_TEST(queue.renderMetrics().find("huitong_ticket_notices_total{outcome=\"dropped\"} 1") !=
             std::string::npos);
  channel.release();
  queue.stop(std::chrono::seconds(5));
  BOOST_TEST(channel.calls == 3);
  BOOST_TEST(queue.counts().sent == 3u);
  BOOST_TEST(outcomes.size() == 3u);
  BOOST_TEST(!queue.notify(n).ok());  // stopped: refused, counted

  // A slow channel past the stop deadline: what is left is dropped and reported.
  GatedNotifier slow;
  slow.each = std::chrono::milliseconds(150);
  slow.release();
  std::vector<std::string> late;
  NotificationQueue bounded(
      slow, 10,
      [&](const TicketNotice&, const Result<std::string>& r) {
        late.push_back(r.ok() ? "sent" : r.error().code);
      },
      nullptr);
  bounded.start();
  for (int i = 0; i < 6; ++i)
    BOOST_TEST(bounded.notify(n).ok());
  const auto stopAt = std::chrono::steady_clock::now();
  bounded.stop(std::chrono::milliseconds(200));
  const double stopMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - stopAt).count();
  BOOST_TEST(stopMs < 800.0, "stop took " << stopMs << " ms");
  BOOST_TEST(late.size() == 6u);
  const auto c = bounded.counts();
  BOOST_TEST(c.sent + c.dropped == 6u);
  BOOST_TEST(c.dropped >= 2u);
}

BOOST_AUTO_TEST_CASE(queued_notices_are_recorded_on_the_ticket) {
  Fixture f;
  NotificationQueue queue(
      f.notifier, 10,
      [&](const TicketNotice& n, const Result<std::string>& r) { f.service->recordNotified(n, r); },
      nullptr);
  f.service->setNotifier(&queue);
  queue.start();
  auto c = f.service->create(phoneCall("婚姻登记接口超时"), kOperator);
  BOOST_TEST_REQUIRE(c.ok(), errorOf(c));
  const std::string id = c.value().ticket.id;
  queue.stop(std::chrono::seconds(5));
  const auto history = f.history(id);
  BOOST_TEST(countKind(history, EventKind::kNotified) == 1);
  for (const auto& e : history) {
    if (e.kind == EventKind::kNotified)
      BOOST_TEST(e.text == "assigned: recorded");
  }
}
