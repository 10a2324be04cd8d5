// The SLA policy: the contract's defaults, the faults.sla block with per-type overrides, and every
// refusal naming file:line:column.
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

#include "gateway/core/ConfigNode.h"
#include "gateway/faults/sla/SlaPolicy.h"
#include "gateway/mapping/PositionedJson.h"

using namespace huitong;
using namespace huitong::sla;

namespace {

constexpr EpochMillis kHour = 3'600'000;

// A gateway.json whose faults.sla block is `sla` (pretty-printed: one key per line).
struct File {
  std::unique_ptr<mapping::PositionedJson> json;
  std::unique_ptr<ConfigNode> node;
  explicit File(const std::string& sla) {
    auto parsed = mapping::PositionedJson::parse(
        "{\n  \"faults\": {\n    \"sla\": " + sla + "\n  }\n}\n", "gateway.json");
    BOOST_REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? std::string() : parsed.error().describe()));
    json = std::make_unique<mapping::PositionedJson>(std::move(parsed.value()));
    const auto* j = json.get();
    node = std::make_unique<ConfigNode>(
        json->root()["faults"]["sla"], "/faults/sla",
        [j](const std::string& p) { return j->where(p); }, "/nonexistent");
  }
  Result<SlaPolicy> read() const { return SlaPolicy::read(*node); }
};

std::string failure(const std::string& sla) {
  File f(sla);
  auto r = f.read();
  BOOST_REQUIRE(!r.ok());
  return r.error().describe();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(policy)

BOOST_AUTO_TEST_CASE(defaults_are_the_contract) {
  const SlaPolicy p;
  const auto& d = p.targetsFor("network");
  BOOST_TEST(d.target(ClockKind::kResolution, Severity::kGeneral).text() == "4h");
  BOOST_TEST(d.target(ClockKind::kResolution, Severity::kMajor).text() == "24h");
  BOOST_TEST(d.target(ClockKind::kOnSite, Severity::kGeneral).text() == "1h");
  BOOST_TEST(d.target(ClockKind::kResponse, Severity::kGeneral).text() == "30m");
  BOOST_TEST(d.target(ClockKind::kResponse, Severity::kMajor).text() == "15m");
  BOOST_TEST(d.warningPercent == 75);
  const auto& bug = p.targetsFor("bug");
  BOOST_TEST(bug.target(ClockKind::kResolution, Severity::kGeneral).text() == "5wd");
  BOOST_TEST(bug.target(ClockKind::kResolution, Severity::kMajor).words() == "5 working days");
  // Five working days of the default office hours (08:30–12:00, 14:00–17:30) = 35 h.
  BOOST_TEST(bug.resolution[0].millis(WorkCalendar::china()) == 35 * kHour);
  BOOST_TEST(p.targetsFor("no-such-type").resolution[0].text() == "4h");
}

BOOST_AUTO_TEST_CASE(empty_block_keeps_defaults) {
  File f("{}");
  auto r = f.read();
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value().targetsFor("bug").resolution[1].text() == "5wd");
  BOOST_TEST(r.value().targetsFor("other").resolution[1].text() == "24h");
}

BOOST_AUTO_TEST_CASE(block_and_type_overrides) {
  File f(R"({
      "warning_percent": 80,
      "response": "20m",
      "resolution": {"general": "6h"},
      "on_site": {"major": "45m"},
      "types": {
        "security": {"resolution": {"major": "12h"}, "warning_percent": 50},
        "bug": {"resolution": {"major": "3wd"}},
        "database": {"response": "14wh"}
      }
    })");
  auto r = f.read();
  BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? std::string() : r.error().describe()));
  const SlaPolicy& p = r.value();
  BOOST_TEST(p.defaults().warningPercent == 80);
  BOOST_TEST(p.defaults().response[0].text() == "20m");
  BOOST_TEST(p.defaults().response[1].text() == "20m");
  BOOST_TEST(p.defaults().resolution[0].text() == "6h");
  BOOST_TEST(p.defaults().resolution[1].text() == "24h");
  BOOST_TEST(p.defaults().onSite[0].text() == "1h");
  BOOST_TEST(p.defaults().onSite[1].text() == "45m");
  // A type starts from the block's own targets.
  const auto& sec = p.targetsFor("security");
  BOOST_TEST(sec.resolution[0].text() == "6h");
  BOOST_TEST(sec.resolution[1].text() == "12h");
  BOOST_TEST(sec.response[0].text() == "20m");
  BOOST_TEST(sec.warningPercent == 50);
  // bug keeps its 5 working days where not overridden.
  BOOST_TEST(p.targetsFor("bug").resolution[0].text() == "5wd");
  BOOST_TEST(p.targetsFor("bug").resolution[1].text() == "3wd");
  BOOST_TEST(p.targetsFor("bug").warningPercent == 80);
  BOOST_TEST(p.targetsFor("database").response[0].workingTime());
  BOOST_TEST(p.targetsFor("network").resolution[0].text() == "6h");
}

BOOST_AUTO_TEST_CASE(durations) {
  SlaTarget t;
  BOOST_TEST(SlaTarget::parse("90m", t));
  BOOST_TEST(t.millis(WorkCalendar::china()) == 90 * 60'000);
  BOOST_TEST(SlaTarget::parse("2d", t));
  BOOST_TEST(t.millis(WorkCalendar::china()) == 48 * kHour);
  BOOST_TEST(SlaTarget::parse("7wh", t));
  BOOST_TEST(t.workingTime());
  for (const char* bad : {"", "h", "0h", "4", "4 h", "4hours", "-1h", "1.5h", "99999999999h", "4H",
                          "5 working days"}) {
    BOOST_TEST(!SlaTarget::parse(bad, t), bad);
  }
}

BOOST_AUTO_TEST_CASE(errors_name_file_line_and_column) {
  const std::string e = failure(R"({
      "resolutoin": "4h"
    })");
  BOOST_TEST_INFO(e);
  BOOST_TEST(e.rfind("gateway.json:4:7: ", 0) == 0);
  BOOST_TEST(e.find("resolutoin") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(error_messages) {
  auto has = [](const std::string& text, const std::string& part) {
    BOOST_TEST_INFO(text);
    BOOST_TEST(text.find(part) != std::string::npos);
  };
  has(failure("{\n\"resolution\": {\"general\": \"4 hours\"}}"), "gateway.json:4:");
  has(failure("{\n\"resolution\": {\"general\": \"4 hours\"}}"),
      "resolution.general must be a duration such as \"30m\"");
  has(failure("{\n\"resolution\": {\"critical\": \"4h\"}}"), "critical");
  has(failure("{\n\"on_site\": 60}"), "on_site must be a duration or an object");
  has(failure("{\n\"warning_percent\": 100}"),
      "warning_percent must be a whole number from 1 to 99");
  has(failure("{\n\"types\": {\"hardware\": {}}}"),
      "unknown ticket type 'hardware' (types are "
      "application|database|network|exchange|security|bug|other)");
  has(failure("{\n\"types\": {\"bug\": {\"resolution\": \"5 working days\"}}}"),
      "resolution must be a duration");
  has(failure("{\n\"types\": {\"bug\": {\"escalate\": true}}}"), "escalate");
  has(failure("{\n\"types\": []}"), "types must be");
}

BOOST_AUTO_TEST_SUITE_END()
