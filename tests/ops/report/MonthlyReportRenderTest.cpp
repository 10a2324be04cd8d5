// The monthly report's rendering from plain data: numbers appear in HTML and Markdown, every
// value is escaped, a month without data says so in every section, and the SVG charts' scales
// and empty series. No store: MonthlyReportData is filled by hand.
#define BOOST_TEST_MODULE ops_report_render
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <iostream>
#include <limits>
#include <string>

#include "gateway/ops/report/MonthlyReportData.h"
#include "gateway/ops/report/MonthlyReportRender.h"
#include "gateway/ops/report/SvgChart.h"
#include "tests/ops/report/SampleMonth.h"

using namespace huitong;
using namespace huitong::ops::report;
using namespace huitong::ops::report::testing;

namespace {

std::size_t occurrences(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1))
    ++n;
  return n;
}

bool has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(month_argument_and_bounds) {
  BOOST_TEST(parseMonth("2026-11").has_value());
  BOOST_TEST(parseMonth("2026-11")->month == 11);
  BOOST_TEST(!parseMonth("2026-13").has_value());
  BOOST_TEST(!parseMonth("2026-1").has_value());
  BOOST_TEST(!parseMonth("2026/11").has_value());
  BOOST_TEST(!parseMonth("").has_value());
  // 2026-11-01T00:00+08:00 = 2026-10-31T16:00Z
  EpochMillis t = 0;
  BOOST_TEST_REQUIRE(parseRfc3339("2026-11-01T00:00:00+08:00", t));
  BOOST_TEST(monthStart(2026, 11) == t);
  BOOST_TEST_REQUIRE(parseRfc3339("2027-01-01T00:00:00+08:00", t));
  BOOST_TEST(monthEnd(2026, 12) == t);
}

BOOST_AUTO_TEST_CASE(nice_scales) {
  auto s = niceScale(0, 87);
  BOOST_TEST(s.lo == 0);
  BOOST_TEST(s.step == 20);
  BOOST_TEST(s.hi == 100);
  BOOST_TEST(s.ticks() == 5);
  s = niceScale(0, 1234);
  BOOST_TEST(s.step == 500);
  BOOST_TEST(s.hi == 1500);
  s = niceScale(97.3, 100);
  BOOST_TEST(s.step == 1);
  BOOST_TEST(s.lo == 97);
  BOOST_TEST(s.hi == 100);
  // Flat and degenerate ranges still give an axis with a height.
  s = niceScale(5, 5);
  BOOST_TEST(s.lo == 0);
  BOOST_TEST(s.hi >= 5);
  s = niceScale(0, 0);
  BOOST_TEST(s.hi == 1);
  s = niceScale(0, std::numeric_limits<double>::quiet_NaN());
  BOOST_TEST(s.hi == 1);
  BOOST_TEST(formatNumber(12.50) == "12.5");
  BOOST_TEST(formatNumber(3.0) == "3");
  BOOST_TEST(formatNumber(-0.0001) == "0");
}

BOOST_AUTO_TEST_CASE(bar_chart_scales_and_escapes) {
  ChartSpec spec;
  spec.id = "c1";
  spec.title = "Faults <by> type";
  spec.description = "desc & more";
  spec.xLabel = "type";
  spec.yLabel = "tickets";
  spec.categories = {"database", "net\"work"};
  const std::string svg = barChart(spec, {10.0, 5.0});
  BOOST_TEST(svg.rfind("<svg", 0) == 0);
  BOOST_TEST(has(svg, "<title id=\"c1-title\">Faults &lt;by&gt; type</title>"));
  BOOST_TEST(has(svg, "<desc id=\"c1-desc\">desc &amp; more</desc>"));
  BOOST_TEST(has(svg, "role=\"img\""));
  BOOST_TEST(has(svg, "net&quot;work"));
  BOOST_TEST(occurrences(svg, "<rect class=\"bar\"") == 2);
  // Scale 0..10 in steps of 2: the bar of 10 reaches the plot's top (y = 40), the bar of 5
  // half-way (plot 180 high: y = 130).
  BOOST_TEST(has(svg, "y=\"40.0\" width"));
  BOOST_TEST(has(svg, "y=\"130.0\" width"));
  BOOST_TEST(!has(svg, "nan"));
  BOOST_TEST(!has(svg, "inf"));
}

BOOST_AUTO_TEST_CASE(empty_series_draw_no_chart) {
  ChartSpec spec;
  spec.id = "c2";
  spec.title = "Daily availability";
  const std::string bars = barChart(spec, {});
  BOOST_TEST(!has(bars, "<svg"));
  BOOST_TEST(has(bars, "no data this month"));
  const std::string lines = lineChart(spec, {{"p1", {std::nullopt, std::nullopt}}, {"p2", {}}});
  BOOST_TEST(!has(lines, "<svg"));
  BOOST_TEST(has(lines, "Daily availability"));
  // A NaN is no value either.
  BOOST_TEST(!has(barChart(spec, {std::numeric_limits<double>::quiet_NaN()}), "<svg"));
}

BOOST_AUTO_TEST_CASE(line_chart_breaks_at_gaps) {
  ChartSpec spec;
  spec.id = "c3";
  spec.title = "t";
  spec.categories = {"01", "02", "03", "04"};
  spec.yMin = 0;
  spec.yMax = 100;
  const std::string svg = lineChart(spec, {{"a", {50.0, 60.0, std::nullopt, 70.0}}});
  BOOST_TEST(has(svg, "<svg"));
  // Two segments: M…L… then M again after the gap.
  const auto d = svg.substr(svg.find("<path d=\""));
  BOOST_TEST(occurrences(d.substr(0, d.find("\" fill")), "M") == 2);
  BOOST_TEST(occurrences(svg, "<circle") == 3);
  // Fixed 0..100 axis: the tick labels 0 and 100 are drawn.
  BOOST_TEST(has(svg, ">100</text>"));
  BOOST_TEST(has(svg, ">0</text>"));
}

BOOST_AUTO_TEST_CASE(html_and_markdown_carry_the_numbers) {
  const MonthlyReportData d = fullMonth(30, 3, 120);
  const std::string html = renderHtml(d);
  BOOST_TEST(html.rfind("<!DOCTYPE html>", 0) == 0);
  BOOST_TEST(has(html, "本月新建 (opened) 120"));
  BOOST_TEST(has(html, "<td>95 %</td>"));
  BOOST_TEST(has(html, "<td>T-2026-000042</td>"));
  BOOST_TEST(has(html, "<td>99.87 %</td>"));  // probe month availability (3 decimals trimmed)
  BOOST_TEST(has(html, "<td>31234</td>"));
  BOOST_TEST(has(html, "<td>2.39 %</td>"));  // 766 / 32000
  BOOST_TEST(has(html, "<td>5 MiB</td>"));
  BOOST_TEST(has(html, "通过 (passed)"));
  BOOST_TEST(has(html, "TLS 1.3 only"));
  BOOST_TEST(has(html, "disk / 85 % used"));
  BOOST_TEST(has(html, "CPU 88.5 %"));
  // Every chart: faults by type, availability, daily volume, one host.
  BOOST_TEST(occurrences(html, "<svg ") == 4);
  BOOST_TEST(has(html, "id=\"chart-faults-by-type\""));
  BOOST_TEST(has(html, "id=\"chart-availability\""));
  BOOST_TEST(has(html, "id=\"chart-daily-volume\""));
  BOOST_TEST(has(html, "id=\"chart-resources-db-server\""));
  // Self-contained: no script, nothing fetched.
  BOOST_TEST(!has(html, "<script"));
  BOOST_TEST(occurrences(html, "http://") ==
             occurrences(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  BOOST_TEST(!has(html, "https://"));
  BOOST_TEST(!has(html, "src="));

  const std::string md = renderMarkdown(d);
  BOOST_TEST(md.rfind("# 汇通", 0) == 0);
  BOOST_TEST(has(md, "## 1. 故障 (Faults)"));
  BOOST_TEST(has(md, "| all | - | resolution | 95 | 5 | 0 | 0 | 95 % |"));
  BOOST_TEST(has(md, "| marriage | MZ-001 | 31234 | 31200 | 4 | 1.2 s | 3.5 s |"));
  BOOST_TEST(has(md, "| 2026-11-06 | - |"));  // probe-0's gap day in the daily table
  BOOST_TEST(!has(md, "<svg"));
}

BOOST_AUTO_TEST_CASE(values_are_escaped) {
  const MonthlyReportData d = fullMonth(3, 1, 4);
  const std::string html = renderHtml(d);
  BOOST_TEST(!has(html, "<script>alert(1)</script>"));
  BOOST_TEST(has(html, "数据库宕机 &lt;script&gt;alert(1)&lt;/script&gt;"));
  const std::string md = renderMarkdown(d);
  BOOST_TEST(!has(md, "<script>"));
  BOOST_TEST(has(md, "磁盘满 \\| disk full"));  // a '|' does not split the table cell
  BOOST_TEST(mdCell("a|b\nc<d>") == "a\\|b c&lt;d&gt;");
}

BOOST_AUTO_TEST_CASE(a_month_without_data_says_so_everywhere) {
  MonthlyReportData d = emptyMonth();
  const std::string html = renderHtml(d);
  BOOST_TEST(has(html, "本月无故障工单 (no fault tickets this month)"));
  BOOST_TEST(occurrences(html, "本月无记录 (no records this month)") ==
             4);  // backups, changes, inspections, drills
  BOOST_TEST(has(html, "未配置监测 (no monitoring checks configured)"));
  BOOST_TEST(has(html, "本月无交换数据 (no exchange traffic this month)"));
  BOOST_TEST(has(html, "未配置主机检查 (no host checks configured)"));
  BOOST_TEST(!has(html, "<svg"));
  BOOST_TEST(!has(html, "nan"));
  BOOST_TEST(!has(html, "inf "));
  const std::string md = renderMarkdown(d);
  BOOST_TEST(occurrences(md, "本月无记录 (no records this month)") == 4);

  // A ledger that is not in this build, and one that failed, say so instead.
  d.backups.source.available = false;
  d.changes.source.error = "store.io: disk I/O error";
  const std::string html2 = renderHtml(d);
  BOOST_TEST(has(html2, "本构建无记录来源 (no records source in this build)"));
  BOOST_TEST(has(html2, "无法读取 (could not be read): store.io: disk I/O error"));

  // Probes configured but nothing ran: the table shows "-", the chart is a sentence.
  ProbeAvailability p;
  p.checkId = "portal";
  p.kind = "http";
  p.daily.values.assign(30, std::nullopt);
  d.running.probes.push_back(p);
  const std::string html3 = renderHtml(d);
  BOOST_TEST(has(html3, "<td>portal</td>"));
  BOOST_TEST(
      has(html3, "每日可用率 (Daily availability per probe): 本月无数据 (no data this month)"));
}

BOOST_AUTO_TEST_CASE(render_cost_of_a_busy_month) {
  // 30 days × 10 probes, 1,000 tickets, one host: the cost of rendering both forms.
  const MonthlyReportData d = fullMonth(30, 10, 1000);
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t bytes = 0;
  constexpr int kRounds = 20;
  for (int i = 0; i < kRounds; ++i)
    bytes += renderHtml(d).size() + renderMarkdown(d).size();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
      kRounds;
  std::cout << "render HTML+Markdown, 30 days x 10 probes, 1000 tickets: " << ms << " ms, "
            << bytes / kRounds << " bytes\n";
  BOOST_TEST(ms < 2000);
}
