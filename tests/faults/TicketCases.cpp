#include "tests/faults/TicketCases.h"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <ostream>
#include <string>

#include "gateway/core/Json.h"
#include "gateway/faults/AlertTickets.h"
#include "gateway/faults/TicketService.h"

namespace huitong::faults {
// Printed by Boost.Test when a comparison fails.
inline std::ostream& operator<<(std::ostream& o, TicketType v) {
  return o << toString(v);
}
inline std::ostream& operator<<(std::ostream& o, Severity v) {
  return o << toString(v);
}
inline std::ostream& operator<<(std::ostream& o, TicketStatus v) {
  return o << toString(v);
}
}  // namespace huitong::faults

namespace huitong::faults::testing {
namespace {

EpochMillis at(const char* text) {
  EpochMillis t = 0;
  BOOST_TEST_REQUIRE(parseRfc3339(text, t), text);
  return t;
}

template <typename T>
std::string errorOf(const Result<T>& r) {
  return r.ok() ? std::string() : r.error().code + ": " + r.error().describe();
}

// The `faults` block of the cases: an application group on 7x24 with two members, a DBA group
// on the work calendar, a network group whose only shift is at night.
constexpr const char* kConfig = R"({
  "groups": [
    {"name": "app", "members": ["wang", "li"]},
    {"name": "dba", "members": ["zhao"], "hours": "calendar"},
    {"name": "net", "members": ["sun", "zhou"],
     "roster": [{"members": ["sun"], "days": "all", "from": "22:00", "to": "06:00"}]}
  ],
  "classification": [
    {"name": "db-words", "keywords": ["数据库", "ORA-"], "type": "database", "severity": "major"},
    {"name": "tcp-alerts", "sources": ["monitor:"], "type": "network"},
    {"name": "marriage-items", "items": ["1244"], "systems": ["marriage"], "type": "exchange"}
  ],
  "dispatch": [
    {"name": "databases", "types": ["database"], "group": "dba"},
    {"name": "networks", "types": ["network"], "group": "net"}
  ],
  "default_group": "app",
  "attachments": {"max_bytes": 16, "max_count": 2}
})";

struct Fixture {
  explicit Fixture(const storage::StoreConfig& config) : clock(at("2026-10-12T10:00:00+08:00")) {
    auto doc = json::parse(kConfig);
    BOOST_TEST_REQUIRE(doc.ok());
    document = std::move(doc).value();
    ConfigNode node(
        document, "/faults", [](const std::string& p) { return "faults.json:" + p; }, ".");
    auto parsed = FaultRules::parse(node);
    BOOST_TEST_REQUIRE(parsed.ok(), errorOf(parsed));
    rules = parsed.value();
    auto s = TicketStore::open(config);
    BOOST_TEST_REQUIRE(s.ok(), errorOf(s));
    store = std::move(s).value();
    auto r = registry::RegistryStore::open(config);
    BOOST_TEST_REQUIRE(r.ok(), errorOf(r));
    audit = std::move(r).value();
    service = std::make_unique<TicketService>(*store, *audit, rules, clock, WorkCalendar::china());
  }
  rapidjson::Document document;
  FaultRules rules;
  FixedClock clock;
  std::unique_ptr<TicketStore> store;
  std::unique_ptr<registry::RegistryStore> audit;
  std::unique_ptr<TicketService> service;
};

struct RecordingNotifier final : TicketNotifier {
  std::vector<TicketNotice> sent;
  Result<std::string> notify(const TicketNotice& n) override {
    sent.push_back(n);
    return std::string("recorded");
  }
};

const Caller kOperator{"li.na", "operator", ""};

NewTicket phoneCall(const std::string& description) {
  NewTicket n;
  n.channel = Channel::kPhone;
  n.reporter = "张三";
  n.contact = "010-12345678";
  n.reportedAt = at("2026-10-12T09:55:00+08:00");
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

void runTicketCases(const storage::StoreConfig& config) {
  Fixture f(config);
  RecordingNotifier notifier;
  f.service->setNotifier(&notifier);

  // Phone intake: numbered in its year, classified by keyword, dispatched to the DBA group on
  // a working day's office hours.
  auto db = f.service->create(phoneCall("申报后提示数据库连接失败 ORA-12541"), kOperator);
  BOOST_TEST_REQUIRE(db.ok(), errorOf(db));
  const Ticket t1 = db.value().ticket;
  BOOST_TEST(t1.id == "T-2026-000001");
  BOOST_TEST(t1.type == TicketType::kDatabase);
  BOOST_TEST(t1.severity == Severity::kMajor);
  BOOST_TEST(t1.classifiedBy == "db-words");
  BOOST_TEST(t1.group == "dba");
  BOOST_TEST(t1.assignee == "zhao");
  BOOST_TEST(t1.status == TicketStatus::kAssigned);
  BOOST_TEST(t1.reportedAt == at("2026-10-12T09:55:00+08:00"));
  BOOST_TEST(notifier.sent.size() == 1u);
  BOOST_TEST(notifier.sent.back().event == "assigned");

  // Phone intake without the caller's number: the field is named.
  auto bad = phoneCall("x");
  bad.contact.clear();
  auto refused = f.service->create(bad, kOperator);
  BOOST_TEST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.error().code == "ticket.invalid");
  BOOST_TEST(refused.error().path == "contact");

  // Operator override of the proposal is recorded; round robin in the 7x24 app group.
  auto over = phoneCall("页面打不开");
  over.type = TicketType::kApplication;
  over.severity = Severity::kMajor;
  auto t2 = f.service->create(over, kOperator);
  BOOST_TEST_REQUIRE(t2.ok(), errorOf(t2));
  BOOST_TEST(t2.value().ticket.id == "T-2026-000002");
  BOOST_TEST(t2.value().ticket.classifiedBy == "operator:li.na");
  BOOST_TEST(t2.value().ticket.group == "app");
  auto t3 = f.service->create(phoneCall("页面很慢"), kOperator);
  BOOST_TEST_REQUIRE(t3.ok(), errorOf(t3));
  BOOST_TEST(t3.value().ticket.type == TicketType::kExchange);  // marriage/1244 rule
  BOOST_TEST(t3.value().ticket.classifiedBy == "marriage-items");
  BOOST_TEST(t3.value().ticket.group == "app");
  BOOST_TEST(t2.value().ticket.assignee != t3.value().ticket.assignee);

  // Departments: only the API channel and only their own system; auditors never create.
  NewTicket api;
  api.channel = Channel::kApi;
  api.system = "civil";
  api.description = "回执未收到";
  auto other = f.service->create(api, Caller{"marriage", "department", "marriage"});
  BOOST_TEST_REQUIRE(!other.ok());
  BOOST_TEST(other.error().code == "ticket.forbidden");
  BOOST_TEST(!f.service->create(api, Caller{"aud", "auditor", ""}).ok());
  auto own = f.service->create(api, Caller{"civil", "department", "civil"});
  BOOST_TEST_REQUIRE(own.ok(), errorOf(own));
  auto seen = f.service->get(t1.id, Caller{"civil", "department", "civil"});
  BOOST_TEST(!seen.ok());
  auto mine = f.service->list(TicketFilter{}, Caller{"civil", "department", "civil"});
  BOOST_TEST_REQUIRE(mine.ok(), errorOf(mine));
  BOOST_TEST(mine.value().size() == 1u);

  // The calendar: Saturday evening, the DBA group (calendar hours) has nobody on duty — the
  // ticket goes to the group, with an event and a notification; nothing is dropped.
  f.clock.set(at("2026-10-17T20:00:00+08:00"));
  auto night = f.service->create(phoneCall("数据库宕机"), kOperator);
  BOOST_TEST_REQUIRE(night.ok(), errorOf(night));
  BOOST_TEST(night.value().ticket.group == "dba");
  BOOST_TEST(night.value().ticket.assignee == "");
  BOOST_TEST(night.value().ticket.status == TicketStatus::kAssigned);
  BOOST_TEST(notifier.sent.back().event == "nobody_on_duty");
  auto nightEvents = f.store->events(night.value().ticket.id);
  BOOST_TEST_REQUIRE(nightEvents.ok());
  BOOST_TEST(countKind(nightEvents.value(), EventKind::kNobodyOnDuty) == 1);
  BOOST_TEST(countKind(nightEvents.value(), EventKind::kNotified) == 1);

  // A shift past midnight: sun is on duty at 23:00 and at 05:00, nobody at 12:00.
  const auto* net = f.rules.group("net");
  BOOST_TEST_REQUIRE(net != nullptr);
  const auto& cal = WorkCalendar::china();
  BOOST_TEST(f.rules.onDuty(*net, at("2026-10-12T23:00:00+08:00"), cal).size() == 1u);
  BOOST_TEST(f.rules.onDuty(*net, at("2026-10-13T05:00:00+08:00"), cal).size() == 1u);
  BOOST_TEST(f.rules.onDuty(*net, at("2026-10-13T12:00:00+08:00"), cal).empty());
  // National Day (a holiday on a Thursday): the calendar group is off; 7x24 is on.
  BOOST_TEST(f.rules.onDuty(*f.rules.group("dba"), at("2026-10-01T10:00:00+08:00"), cal).empty());
  BOOST_TEST(f.rules.onDuty(*f.rules.group("app"), at("2026-10-01T10:00:00+08:00"), cal).size() ==
             2u);

  // Alerts: one open ticket per ongoing problem, further alerts annotate it, resolution noted.
  f.clock.set(at("2026-10-12T23:00:00+08:00"));
  AlertTickets hook(*f.service);
  monitor::schedule::AlertNotice n;
  n.alertId = 7;
  n.rule = "db-port-down";
  n.key = "db-port";
  n.source = "check";
  n.event = "firing";
  n.summary = "connection refused";
  n.openedAt = n.at = f.clock.now();
  hook.alertOpened(n);
  n.rule = "db-port-slow";
  hook.alertOpened(n);
  hook.alertOpened(n);
  BOOST_TEST(hook.lastError() == "");
  TicketFilter alerts;
  alerts.channel = Channel::kAlert;
  auto open = f.store->list(alerts);
  BOOST_TEST_REQUIRE(open.ok());
  BOOST_TEST_REQUIRE(open.value().size() == 1u);
  const Ticket alertTicket = open.value()[0];
  BOOST_TEST(alertTicket.dedupKey == "check:db-port");
  BOOST_TEST(alertTicket.type == TicketType::kNetwork);
  BOOST_TEST(alertTicket.group == "net");
  BOOST_TEST(alertTicket.assignee == "sun");
  hook.alertResolved(n);
  auto history = f.store->events(alertTicket.id);
  BOOST_TEST_REQUIRE(history.ok());
  BOOST_TEST(countKind(history.value(), EventKind::kAlert) == 2);
  BOOST_TEST(countKind(history.value(), EventKind::kAlertResolved) == 1);
  // The store itself refuses a second open ticket on the key.
  Ticket dup = alertTicket;
  dup.id.clear();
  auto second = f.store->create(dup, {});
  BOOST_TEST_REQUIRE(!second.ok());
  BOOST_TEST(second.error().code == "ticket.duplicate");
  // Resolved: the next alert opens a new ticket.
  auto resolved =
      f.service->setStatus(alertTicket.id, TicketStatus::kResolved, "port open", kOperator);
  BOOST_TEST_REQUIRE(resolved.ok(), errorOf(resolved));
  hook.alertOpened(n);
  open = f.store->list(alerts);
  BOOST_TEST_REQUIRE(open.ok());
  BOOST_TEST(open.value().size() == 2u);

  // Status rules, bug fix documentation, stale versions, reassignment and escalation.
  f.clock.set(at("2026-10-13T10:00:00+08:00"));
  auto bug = phoneCall("映射错误");
  bug.type = TicketType::kBug;
  auto b = f.service->create(bug, kOperator);
  BOOST_TEST_REQUIRE(b.ok(), errorOf(b));
  const std::string bugId = b.value().ticket.id;
  BOOST_TEST(f.service->setStatus(bugId, TicketStatus::kInProgress, "", kOperator).ok());
  BOOST_TEST(
      f.service->setStatus(bugId, TicketStatus::kWaitingForReporter, "需要样例", kOperator).ok());
  BOOST_TEST(f.service->setStatus(bugId, TicketStatus::kResolved, "fixed", kOperator).ok());
  auto noDoc = f.service->setStatus(bugId, TicketStatus::kClosed, "", kOperator);
  BOOST_TEST_REQUIRE(!noDoc.ok());
  BOOST_TEST(noDoc.error().code == "ticket.fix_required");
  TicketPatch fix;
  fix.fixVersion = "marriage v8";
  fix.fixDocumentation = "日期格式改为 yyyyMMdd";
  fix.expectedVersion = 1;
  auto stale = f.service->update(bugId, fix, kOperator);
  BOOST_TEST_REQUIRE(!stale.ok());
  BOOST_TEST(stale.error().code == "ticket.stale");
  fix.expectedVersion.reset();
  BOOST_TEST(f.service->update(bugId, fix, kOperator).ok());
  auto closed = f.service->setStatus(bugId, TicketStatus::kClosed, "", kOperator);
  BOOST_TEST_REQUIRE(closed.ok(), errorOf(closed));
  BOOST_TEST(closed.value().closedAt == f.clock.now());
  auto reopen = f.service->setStatus(bugId, TicketStatus::kInProgress, "", kOperator);
  BOOST_TEST_REQUIRE(!reopen.ok());
  BOOST_TEST(reopen.error().code == "ticket.illegal_move");

  auto moved = f.service->assign(t3.value().ticket.id, "app", "wang", "熟悉该系统", kOperator);
  BOOST_TEST_REQUIRE(moved.ok(), errorOf(moved));
  BOOST_TEST(moved.value().assignee == "wang");
  auto notMember = f.service->assign(t3.value().ticket.id, "app", "zhao", "", kOperator);
  BOOST_TEST_REQUIRE(!notMember.ok());
  BOOST_TEST(notMember.error().path == "assignee");
  auto up = f.service->escalate(t3.value().ticket.id, "dba", "影响全部申报", kOperator);
  BOOST_TEST_REQUIRE(up.ok(), errorOf(up));
  BOOST_TEST(up.value().severity == Severity::kMajor);
  BOOST_TEST(up.value().group == "dba");
  BOOST_TEST(!f.service->comment(t1.id, "看一下", Caller{"aud", "auditor", ""}).ok());
  BOOST_TEST(f.service->comment(t1.id, "已联系", kOperator).ok());

  // Attachments: bounded count and size (metadata kept, bytes refused with the reason).
  auto small = f.service->attach(t1.id, {"log.txt", "text/plain", "short"}, kOperator);
  BOOST_TEST_REQUIRE(small.ok(), errorOf(small));
  BOOST_TEST(small.value().stored);
  auto big = f.service->attach(t1.id, {"dump.bin", "", std::string(100, 'x')}, kOperator);
  BOOST_TEST_REQUIRE(big.ok(), errorOf(big));
  BOOST_TEST(!big.value().stored);
  BOOST_TEST(big.value().note.find("max_bytes") != std::string::npos);
  auto third = f.service->attach(t1.id, {"c.txt", "", "c"}, kOperator);
  BOOST_TEST_REQUIRE(!third.ok());
  BOOST_TEST(third.error().code == "ticket.attachment");
  auto bytes = f.store->attachment(t1.id, small.value().id);
  BOOST_TEST_REQUIRE(bytes.ok());
  BOOST_TEST_REQUIRE(bytes.value().has_value());
  BOOST_TEST(bytes.value()->second == "short");

  // Every change is in the hash-chained audit trail, and the chain verifies.
  registry::AuditQuery q;
  q.limit = 1000;
  auto page = f.audit->queryAudit(q);
  BOOST_TEST_REQUIRE(page.ok(), errorOf(page));
  int creates = 0, assigns = 0, escalations = 0, statuses = 0, alertNotes = 0;
  for (const auto& e : page.value().entries) {
    creates += e.action == "ticket.create";
    assigns += e.action == "ticket.assign";
    escalations += e.action == "ticket.escalate";
    statuses += e.action == "ticket.status";
    alertNotes += e.action == "ticket.alert" || e.action == "ticket.alert_resolved";
  }
  BOOST_TEST(creates == 8);
  BOOST_TEST(assigns == 1);
  BOOST_TEST(escalations == 1);
  BOOST_TEST(statuses == 5);
  BOOST_TEST(alertNotes == 3);
  std::vector<registry::AuditEntry> all;
  auto anchor = f.audit->scanChain([&](const registry::AuditEntry& e) {
    all.push_back(e);
    return true;
  });
  BOOST_TEST_REQUIRE(anchor.ok());
  BOOST_TEST(registry::verifyChain(all, anchor.value()).ok);
}

}  // namespace huitong::faults::testing
