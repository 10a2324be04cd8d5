// faults.mailboxes read from the gateway config: defaults, the password only from a file, and
// every bad value refused with the file, line and key.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "gateway/core/Json.h"
#include "gateway/faults/mail/MailboxConfig.h"

using namespace huitong;
using namespace huitong::faults::mail;
namespace fs = std::filesystem;

namespace {

struct Config {
  rapidjson::Document doc;
  fs::path dir;
  Result<std::vector<MailboxConfig>> read() const {
    return readMailboxes(ConfigNode(
        doc, "/faults", [](const std::string& p) { return "gateway.json#" + p; }, dir.string()));
  }
};

Config config(const std::string& text) {
  static const fs::path dir = [] {
    const fs::path d =
        fs::temp_directory_path() / ("huitong-mailcfg-" + std::to_string(::getpid()));
    fs::create_directories(d);
    std::ofstream(d / "mail.pw") << "s3cret\n";
    std::ofstream(d / "empty.pw") << "\n";
    return d;
  }();
  auto d = json::parse(text);
  BOOST_TEST_REQUIRE(d.ok(), text);
  return Config{std::move(d).value(), dir};
}

std::string errorOf(const std::string& mailbox) {
  auto r = config(R"({"mailboxes": [)" + mailbox + "]}").read();
  BOOST_TEST_REQUIRE(!r.ok(), mailbox);
  return r.error().describe();
}

}  // namespace

BOOST_AUTO_TEST_CASE(mailboxes_with_defaults) {
  auto r = config(R"JSON({"mailboxes": [
      {"name": "desk", "protocol": "imap", "host": "mail.example.cn", "username": "faults",
       "password_file": "mail.pw"},
      {"name": "pop", "protocol": "pop3", "host": "mail.example.cn", "tls": true,
       "username": "faults", "password_file": "mail.pw", "max_attachment_bytes": 1000,
       "ticket_pattern": "#([0-9]+)", "loop_max_mails": 3, "loop_window_s": 60}]})JSON")
               .read();
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.error().describe()));
  const auto& m = r.value();
  BOOST_REQUIRE_EQUAL(m.size(), 2u);
  BOOST_TEST(m[0].port == 143);
  BOOST_TEST(m[0].password == "s3cret");
  BOOST_TEST(m[0].passwordSource.find("password_file ") == 0u);
  BOOST_TEST(m[0].folder == "INBOX");
  BOOST_TEST(m[0].pollSeconds == 60);
  BOOST_TEST(m[0].maxMessageBytes == 25u * 1024 * 1024);
  BOOST_TEST(m[1].port == 995);
  BOOST_TEST(m[1].parse.maxAttachmentBytes == 1000u);
  BOOST_TEST(m[1].parse.ticketPattern == "#([0-9]+)");
  BOOST_TEST(m[1].loopMaxMails == 3u);
  BOOST_TEST(config("{}").read().value().empty());
}

BOOST_AUTO_TEST_CASE(bad_mailboxes_are_refused_with_the_place) {
  const std::string base =
      R"("name": "d", "host": "h", "username": "u", "password_file": "mail.pw")";
  BOOST_TEST(errorOf("{" + base + "}") ==
             "gateway.json#/faults/mailboxes/0/protocol: protocol is required: pop3 or imap");
  BOOST_TEST(
      errorOf(R"({"protocol": "smtp", )" + base + "}").find("/faults/mailboxes/0/protocol") !=
      std::string::npos);
  BOOST_TEST(errorOf(R"({"protocol": "imap", "password": "x", )" + base + "}")
                 .find("give the password in password_file") != std::string::npos);
  BOOST_TEST(
      errorOf(
          R"({"protocol": "imap", "name": "d", "host": "h", "username": "u", "password_file": "nope.pw"})")
          .find("cannot read password_file") != std::string::npos);
  BOOST_TEST(
      errorOf(
          R"({"protocol": "imap", "name": "d", "host": "h", "username": "u", "password_file": "empty.pw"})")
          .find("is empty") != std::string::npos);
  BOOST_TEST(errorOf(R"({"protocol": "imap", "ticket_pattern": "[T-", )" + base + "}")
                 .find("ticket_pattern is not a regular expression") != std::string::npos);
  BOOST_TEST(errorOf(R"({"protocol": "pop3", "processed_folder": "Done", )" + base + "}")
                 .find("processed_folder is for imap") != std::string::npos);
  BOOST_TEST(errorOf(R"({"protocol": "imap", "poll_s": 1, )" + base + "}").find("poll_s") !=
             std::string::npos);
  BOOST_TEST(errorOf(R"({"protocol": "imap", "colour": 1, )" + base + "}").find("colour") !=
             std::string::npos);
  const std::string one = R"({"protocol": "imap", )" + base + "}";
  BOOST_TEST(errorOf(one + "," + one).find("mailbox name \"d\" is used twice") !=
             std::string::npos);
  BOOST_TEST(errorOf(one + "," + one).find("gateway.json#/faults/mailboxes/1/name") == 0u);
}
