// Where reports are kept and when they are made: the "report" config block (defaults, unknown
// keys and a bad schedule refused with the file's line), the archive's write/list/read, the
// previous month of a slot, and the monthly job on OpsJobs with a fixed clock writing the month
// that ended — a month without data, so every section says so.
#define BOOST_TEST_MODULE ops_report_archive
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "gateway/core/Json.h"
#include "gateway/ops/OpsJobs.h"
#include "gateway/ops/report/MonthlyReportService.h"
#include "gateway/ops/report/ReportArchive.h"

using namespace huitong;
using namespace huitong::ops::report;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() /
           ("huitong-report-archive-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

EpochMillis at(const std::string& text) {
  EpochMillis t = 0;
  BOOST_TEST_REQUIRE(parseRfc3339(text, t), text);
  return t;
}

// A config block as the gateway reads it, with line numbers of a pretend file.
struct Block {
  rapidjson::Document doc;
  std::optional<ConfigNode> node;
  explicit Block(const std::string& json) {
    auto parsed = json::parse(json);
    BOOST_TEST_REQUIRE(parsed.ok());
    doc = std::move(parsed).value();
    node.emplace(
        doc, "/report", [](const std::string& p) { return "gateway.json:7 (" + p + ")"; },
        "/etc/huitong");
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(settings_from_the_report_block) {
  auto none = readReportSettings(std::nullopt, "/etc/huitong");
  BOOST_TEST_REQUIRE(none.ok());
  BOOST_TEST(none.value().dir == "/etc/huitong/reports");
  BOOST_TEST(none.value().schedule == "monthly 1 06:00");

  Block good(R"({"dir": "/var/lib/huitong/reports", "schedule": "monthly 2 07:30"})");
  auto s = readReportSettings(good.node, "/etc/huitong");
  BOOST_TEST_REQUIRE(s.ok());
  BOOST_TEST(s.value().dir == "/var/lib/huitong/reports");
  BOOST_TEST(s.value().schedule == "monthly 2 07:30");

  Block relative(R"({"dir": "out"})");
  auto r = readReportSettings(relative.node, "/etc/huitong");
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r.value().dir == "/etc/huitong/out");

  Block unknown(R"({"dirs": "x"})");
  auto u = readReportSettings(unknown.node, "/etc/huitong");
  BOOST_TEST_REQUIRE(!u.ok());
  BOOST_TEST(u.error().describe().find("dirs") != std::string::npos, u.error().describe());

  Block badWhen(R"({"schedule": "monthly 31 06:00"})");
  auto b = readReportSettings(badWhen.node, "/etc/huitong");
  BOOST_TEST_REQUIRE(!b.ok());
  BOOST_TEST(b.error().describe().find("gateway.json:7") != std::string::npos,
             b.error().describe());
}

BOOST_AUTO_TEST_CASE(archive_write_list_read) {
  TempDir dir;
  ReportArchive archive((dir.path / "reports").string());
  auto empty = archive.list();
  BOOST_TEST_REQUIRE(empty.ok());
  BOOST_TEST(empty.value().empty());
  BOOST_TEST_REQUIRE(archive.write("2026-10", "<html>10</html>", "# 10").ok());
  BOOST_TEST_REQUIRE(archive.write("2026-11", "<html>11</html>", "# 11").ok());
  BOOST_TEST_REQUIRE(archive.write("2026-11", "<html>11 again</html>", "# 11 again").ok());
  // Files that are not reports are left out.
  std::ofstream(dir.path / "reports" / "notes.txt") << "x";
  std::ofstream(dir.path / "reports" / "monthly-2026-13.html") << "x";
  auto list = archive.list();
  BOOST_TEST_REQUIRE(list.ok());
  BOOST_TEST_REQUIRE(list.value().size() == 2u);
  BOOST_TEST(list.value()[0].month == "2026-11");
  BOOST_TEST(*list.value()[0].htmlBytes == std::string("<html>11 again</html>").size());
  BOOST_TEST(*list.value()[0].markdownBytes == std::string("# 11 again").size());
  BOOST_TEST(list.value()[0].writtenAt > 0);
  auto md = archive.read("2026-11", "md");
  BOOST_TEST_REQUIRE(md.ok());
  BOOST_TEST(*md.value() == "# 11 again");
  auto missing = archive.read("2026-09", "html");
  BOOST_TEST_REQUIRE(missing.ok());
  BOOST_TEST(!missing.value().has_value());
  // No temporary file is left behind.
  for (const auto& e : fs::directory_iterator(dir.path / "reports"))
    BOOST_TEST(e.path().string().find(".tmp-") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(previous_month_of_a_slot) {
  auto m = MonthlyReportService::previousMonth(at("2026-12-01T06:00:00+08:00"));
  BOOST_TEST(m.year == 2026);
  BOOST_TEST(m.month == 11);
  // 2027-01-01 02:00 in China is still 2026-12-31 in UTC: China's day counts.
  m = MonthlyReportService::previousMonth(at("2027-01-01T02:00:00+08:00"));
  BOOST_TEST(m.year == 2026);
  BOOST_TEST(m.month == 12);
}

BOOST_AUTO_TEST_CASE(the_monthly_job_writes_the_month_that_ended) {
  TempDir dir;
  WorkCalendar calendar = WorkCalendar::china();
  MonthlyReportService service(
      [&](const std::string& by) {
        ReportInputs in;
        in.calendar = &calendar;
        in.generatedBy = by;
        return in;  // no store, no ledger: every section says it has no source
      },
      ReportArchive(dir.path.string()));
  FixedClock clock(at("2026-11-30T23:00:00+08:00"));
  ops::OpsJobs jobs(clock, calendar, std::chrono::milliseconds(10));
  auto when = ops::parseJobWhen("monthly 1 06:00");
  BOOST_TEST_REQUIRE(when.ok());
  jobs.add(service.job(when.value()));
  jobs.tick();
  BOOST_TEST(!fs::exists(dir.path / "monthly-2026-11.html"));
  clock.set(at("2026-12-01T06:00:01+08:00"));
  jobs.tick();
  const auto state = jobs.snapshot();
  BOOST_TEST_REQUIRE(state.size() == 1u);
  BOOST_TEST(state[0].runs == 1u);
  BOOST_TEST(state[0].lastError == "");
  auto html = service.archive().read("2026-11", "html");
  BOOST_TEST_REQUIRE(html.ok());
  BOOST_TEST_REQUIRE(html.value().has_value());
  BOOST_TEST(html.value()->find("2026-11") != std::string::npos);
  BOOST_TEST(html.value()->find("scheduled") != std::string::npos);
  BOOST_TEST(html.value()->find("本构建无记录来源 (no records source in this build)") !=
             std::string::npos);
  BOOST_TEST(fs::exists(dir.path / "monthly-2026-11.md"));
}
