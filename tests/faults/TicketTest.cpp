// Fault tickets on a real SQLite store (tests/faults/TicketCases.cpp), plus the pure parts:
// text forms, ticket ids, the faults block's errors with file:line.
#define BOOST_TEST_MODULE faults
#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "gateway/core/Json.h"
#include "gateway/faults/FaultRules.h"
#include "tests/faults/TicketCases.h"

using namespace huitong;
using namespace huitong::faults;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(text_forms_and_ids) {
  for (auto s : {"new", "assigned", "in_progress", "waiting_for_reporter", "resolved", "closed"})
    BOOST_TEST(toString(*parseTicketStatus(s)) == s);
  BOOST_TEST(!parseTicketType("Database"));
  BOOST_TEST(allSeverities() == "general|major");
  BOOST_TEST(formatTicketId(2026, 123) == "T-2026-000123");
  int y = 0;
  std::int64_t n = 0;
  BOOST_TEST(parseTicketId("T-2026-000123", y, n));
  BOOST_TEST((y == 2026 && n == 123));
  BOOST_TEST(!parseTicketId("T-2026-00012x", y, n));
  BOOST_TEST(canMove(TicketStatus::kResolved, TicketStatus::kInProgress));
  BOOST_TEST(!canMove(TicketStatus::kClosed, TicketStatus::kInProgress));
  BOOST_TEST(!canMove(TicketStatus::kAssigned, TicketStatus::kNew));
}

BOOST_AUTO_TEST_CASE(config_errors_name_the_place) {
  auto check = [](const char* text, const std::string& expected) {
    auto doc = json::parse(text);
    BOOST_TEST_REQUIRE(doc.ok());
    ConfigNode node(
        doc.value(), "/faults", [](const std::string& p) { return "gw.json " + p; }, ".");
    auto r = FaultRules::parse(node);
    BOOST_TEST_REQUIRE(!r.ok(), text);
    BOOST_TEST(r.error().describe().find(expected) != std::string::npos, r.error().describe());
  };
  check(R"({"groups": [{"name": "a", "members": []}]})", "needs at least one member");
  check(R"({"groups": [{"name": "a", "members": ["x"], "roster": [{"members": ["y"]}]}]})",
        "\"y\" is not a member of group \"a\"");
  check(
      R"({"groups": [{"name": "a", "members": ["x"], "roster": [{"members": ["x"], "from": "25:00"}]}]})",
      "is not a time of day");
  check(R"({"dispatch": [{"name": "d", "group": "nope"}]})", "no maintainer group \"nope\"");
  check(R"({"classification": [{"name": "c", "type": "disk"}]})", "type");
  check(R"({"classification": [{"name": "c", "keywords": ["x"]}]})",
        "sets neither type nor severity");
  check(R"({"colour": 1})", "colour");
}

BOOST_AUTO_TEST_CASE(tickets_on_sqlite) {
  std::string pattern = (fs::temp_directory_path() / "huitong-faults-XXXXXX").string();
  BOOST_TEST_REQUIRE(mkdtemp(pattern.data()) != nullptr);
  storage::StoreConfig c;
  c.kind = "sqlite";
  c.path = (fs::path(pattern) / "store.db").string();
  testing::runTicketCases(c);
  fs::remove_all(pattern);
}
