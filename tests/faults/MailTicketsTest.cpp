// Mail into tickets on a real SQLite store: a new mail opens an email ticket with its
// attachments; a reply (In-Reply-To, or the ticket number in the subject) is a comment on it; the
// same mail again changes nothing; an out-of-office reply never opens a ticket, and on a thread
// it is noted as automatic.
#define BOOST_TEST_MODULE faults_mail_tickets
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <random>

#include "gateway/core/Json.h"
#include "gateway/faults/FaultRules.h"
#include "gateway/faults/MailTickets.h"
#include "gateway/faults/mail/MimeParser.h"
#include "gateway/registry/RegistryStore.h"

namespace fs = std::filesystem;
using namespace huitong;
using namespace huitong::faults;

namespace {

struct Fixture {
  fs::path dir;
  rapidjson::Document document;
  FaultRules rules;
  FixedClock clock{1791770400000};  // 2026-10-12T10:00:00+08:00
  std::unique_ptr<TicketStore> store;
  std::unique_ptr<registry::RegistryStore> audit;
  std::unique_ptr<TicketService> service;
  std::vector<std::string> logged;

  Fixture() {
    std::random_device rd;
    dir = fs::temp_directory_path() / ("huitong-mailtickets-" + std::to_string(rd()));
    fs::create_directories(dir);
    storage::StoreConfig config;
    config.kind = "sqlite";
    config.path = (dir / "store.db").string();
    auto doc = json::parse(R"({"default_group": "app", "groups": [{"name": "app",
                                "members": ["li.na"]}]})");
    BOOST_REQUIRE(doc.ok());
    document = std::move(doc).value();
    ConfigNode node(
        document, "/faults", [](const std::string& p) { return "faults.json:" + p; }, ".");
    auto parsed = FaultRules::parse(node);
    BOOST_REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error().describe()));
    rules = parsed.value();
    auto s = TicketStore::open(config);
    BOOST_REQUIRE(s.ok());
    store = std::move(s).value();
    auto r = registry::RegistryStore::open(config);
    BOOST_REQUIRE(r.ok());
    audit = std::move(r).value();
    service = std::make_unique<TicketService>(*store, *audit, rules, clock, WorkCalendar::china());
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  MailTickets sink() {
    return MailTickets(*service, *store,
                       [this](const std::string& level, const std::string& message,
                              const std::vector<std::pair<std::string, std::string>>&) {
                         logged.push_back(level + ": " + message);
                       });
  }
};

mail::IncomingMail parse(const std::string& raw) {
  mail::MailParser parser;
  mail::IncomingMail m = parser.parse(raw);
  m.mailbox = "ops";
  return m;
}

const std::string kFirst =
    "From: =?GB2312?B?1cXI/Q==?= <zhang.san@minzheng.example.cn>\r\n"
    "To: ops@huitong.example.cn\r\n"
    "Subject: =?UTF-8?B?5pWw5o2u5LiK5oql5aSx6LSl?=\r\n"
    "Message-ID: <first@minzheng.example.cn>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "今天上午 9 点起办件推送返回 503。\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; name=\"log.txt\"\r\n"
    "Content-Disposition: attachment; filename=\"log.txt\"\r\n"
    "\r\n"
    "503 x3\r\n"
    "--b1--\r\n";

}  // namespace

BOOST_AUTO_TEST_CASE(mail_opens_a_ticket_and_replies_continue_it) {
  Fixture f;
  MailTickets sink = f.sink();
  const mail::IncomingMail first = parse(kFirst);
  BOOST_REQUIRE(sink.accept(first).ok());
  auto opened = f.store->ticketByMailRef("first@minzheng.example.cn");
  BOOST_REQUIRE(opened.ok());
  BOOST_REQUIRE(opened.value().has_value());
  const std::string id = *opened.value();
  auto t = f.store->get(id);
  BOOST_REQUIRE(t.ok() && t.value());
  BOOST_TEST(toString(t.value()->channel) == "email");
  BOOST_TEST(t.value()->title == "数据上报失败");
  BOOST_TEST(t.value()->reporter == "张三");
  BOOST_TEST(t.value()->contact == "zhang.san@minzheng.example.cn");
  BOOST_TEST(t.value()->description.find("返回 503") != std::string::npos);

  // The same mail again (a poller whose marking failed): nothing new.
  BOOST_REQUIRE(sink.accept(first).ok());
  auto events = f.store->events(id);
  BOOST_REQUIRE(events.ok());
  const std::size_t before = events.value().size();

  // A reply by In-Reply-To, and one naming the ticket in its subject.
  const std::string reply =
      "From: zhang.san@minzheng.example.cn\r\n"
      "Subject: Re: data\r\n"
      "Message-ID: <second@minzheng.example.cn>\r\n"
      "In-Reply-To: <first@minzheng.example.cn>\r\n"
      "\r\n"
      "现在恢复了。\r\n";
  BOOST_REQUIRE(sink.accept(parse(reply)).ok());
  const std::string byNumber =
      "From: wang.wu@minzheng.example.cn\r\n"
      "Subject: [" +
      id +
      "] 补充\r\n"
      "Message-ID: <third@minzheng.example.cn>\r\n"
      "\r\n"
      "补充日志。\r\n";
  BOOST_REQUIRE(sink.accept(parse(byNumber)).ok());
  // An out-of-office reply on the thread: noted as automatic, never a new ticket.
  const std::string away =
      "From: zhang.san@minzheng.example.cn\r\n"
      "Subject: Auto: Re: data\r\n"
      "Auto-Submitted: auto-replied\r\n"
      "Message-ID: <away@minzheng.example.cn>\r\n"
      "In-Reply-To: <second@minzheng.example.cn>\r\n"
      "\r\n"
      "I am out of the office.\r\n";
  BOOST_REQUIRE(sink.accept(parse(away)).ok());
  events = f.store->events(id);
  BOOST_REQUIRE(events.ok());
  BOOST_TEST(events.value().size() == before + 3);
  std::string all;
  for (const auto& e : events.value())
    all += e.text + "\n";
  BOOST_TEST(all.find("现在恢复了") != std::string::npos);
  BOOST_TEST(all.find("补充日志") != std::string::npos);
  BOOST_TEST(all.find("(automatic reply: ") != std::string::npos);

  // An automatic mail on no thread opens nothing, and says so in the log.
  const std::string bounce =
      "From: MAILER-DAEMON@example.cn\r\n"
      "Subject: Undelivered Mail\r\n"
      "Auto-Submitted: auto-generated\r\n"
      "Message-ID: <bounce@example.cn>\r\n"
      "\r\n"
      "failed\r\n";
  BOOST_REQUIRE(sink.accept(parse(bounce)).ok());
  TicketFilter all2;
  auto list = f.store->list(all2);
  BOOST_REQUIRE(list.ok());
  BOOST_TEST(list.value().size() == 1u);
  bool saidSo = false;
  for (const auto& l : f.logged)
    saidSo = saidSo || l.find("automatic mail not turned into a ticket") != std::string::npos;
  BOOST_TEST(saidSo);
}
