// The major-fault analysis report: pre-filled process, the closing check, follow-up tasks, and
// HTML / Markdown that escape everything they are given.
#include <boost/test/unit_test.hpp>

#include <string>

#include "gateway/faults/sla/MajorReport.h"
#include "tests/faults/sla/SlaTestSupport.h"

using namespace huitong;
using namespace huitong::sla;
using namespace slatest;

namespace {

MajorReportInputs incident() {
  MajorReportInputs in;
  in.timeline = ticket(cn(2025, 11, 3, 9, 10), Severity::kMajor, "exchange");
  in.timeline.ticketId = "T-2025-000042";
  in.timeline.firstResponseAt = cn(2025, 11, 3, 9, 15);
  in.timeline.onSiteDispatchedAt = cn(2025, 11, 3, 9, 30);
  in.timeline.onSiteArrivedAt = cn(2025, 11, 3, 10, 5);
  in.timeline.statuses = {{cn(2025, 11, 3, 9, 12), "assigned"},
                          {cn(2025, 11, 3, 13, 40), "resolved"}};
  in.title = "婚姻登记 pushes rejected <all>";
  in.system = "minzheng";
  in.item = "marriage";
  in.history = {{cn(2025, 11, 3, 9, 12), "", "assigned to exchange group, on duty: li"}};
  in.alerts = {{cn(2025, 11, 3, 9, 2), "alert:platform-push", "reject rate 100 % | 5 min"},
               {cn(2025, 11, 2, 20), "alert:disk", "long before: left out"}};
  in.probes = {{cn(2025, 11, 3, 9, 5), "probe:login", "login page HTTP 502"},
               {cn(2025, 11, 3, 15, 0), "probe:login", "login page HTTP 200"},
               {cn(2025, 11, 3, 18, 0), "probe:login", "long after: left out"}};
  in.health = {{cn(2025, 11, 3, 9, 8), "health:minzheng/marriage", "red: error rate 100 %"}};
  return in;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(major_report)

BOOST_AUTO_TEST_CASE(prefilled_process_merges_every_source_in_time_order) {
  const auto r = prefillMajorReport(incident(), SlaPolicy(), cn(2025, 11, 4, 9));
  BOOST_TEST(r.ticketId == "T-2025-000042");
  BOOST_TEST(r.type == "exchange");
  BOOST_REQUIRE(r.resolvedAt);
  BOOST_TEST(*r.resolvedAt == cn(2025, 11, 3, 13, 40));
  BOOST_TEST(r.incidentStart == cn(2025, 11, 3, 9, 2));  // the first alert
  std::vector<std::string> sources;
  for (const auto& e : r.process)
    sources.push_back(e.source);
  const std::vector<std::string> expected{"alert:platform-push",
                                          "probe:login",
                                          "health:minzheng/marriage",
                                          "ticket",
                                          "ticket",
                                          "ticket",
                                          "ticket",
                                          "ticket",
                                          "ticket",
                                          "ticket",
                                          "probe:login"};
  BOOST_TEST(sources == expected, boost::test_tools::per_element());
  for (std::size_t i = 1; i < r.process.size(); ++i)
    BOOST_TEST(r.process[i - 1].at <= r.process[i].at);
  BOOST_TEST(r.process[3].text == "ticket T-2025-000042 opened (major, exchange)");
  // The SLA clocks as of preparation: response 5 min of 15, resolution 4.5 h of 24, on site 35 min.
  BOOST_REQUIRE_EQUAL(r.sla.size(), 3u);
  for (const auto& c : r.sla)
    BOOST_TEST(toString(c.state) == std::string("met"));
}

BOOST_AUTO_TEST_CASE(closing_check_names_what_is_missing) {
  auto r = prefillMajorReport(incident(), SlaPolicy(), cn(2025, 11, 4, 9));
  auto errors = checkReadyToClose(r);
  BOOST_REQUIRE_EQUAL(errors.size(), 3u);
  BOOST_TEST(errors[0].path == "cause");
  BOOST_TEST(errors[0].message == "the cause is not written: say what caused the fault");
  BOOST_TEST(errors[1].path == "measures");
  BOOST_TEST(errors[2].path == "improvements");
  BOOST_TEST(errors[2].message ==
             "at least one improvement with an owner and a due date is needed to close a major "
             "ticket");

  r.cause = "The platform's certificate expired; pushes failed TLS.";
  r.measures = "Renewed the certificate, replayed the outbox (312 messages).";
  r.improvements = {{"Alert 30 days before TLS expiry", "", std::nullopt},
                    {"Runbook: certificate renewal", "wang", parseDate("2025-10-01").value()}};
  errors = checkReadyToClose(r);
  BOOST_REQUIRE_EQUAL(errors.size(), 3u);
  BOOST_TEST(errors[0].path == "improvements[1].owner");
  BOOST_TEST(errors[0].message == "improvement 1 has no owner");
  BOOST_TEST(errors[1].path == "improvements[1].due");
  BOOST_TEST(errors[2].path == "improvements[2].due");
  BOOST_TEST(errors[2].message ==
             "improvement 2 is due 2025-10-01, before the incident (2025-11-03)");
  BOOST_TEST(followUpTasks(r).size() == 1u);

  r.improvements[0].owner = "li";
  r.improvements[0].due = parseDate("2025-11-20").value();
  r.improvements[1].due = parseDate("2025-11-14").value();
  BOOST_TEST(checkReadyToClose(r).empty());
  const auto tasks = followUpTasks(r);
  BOOST_REQUIRE_EQUAL(tasks.size(), 2u);
  BOOST_TEST(tasks[0].ticketId == "T-2025-000042");
  BOOST_TEST(tasks[0].index == 1);
  BOOST_TEST(tasks[0].owner == "li");
  BOOST_TEST(formatDate(tasks[0].due) == "2025-11-20");
  BOOST_TEST(tasks[1].action == "Runbook: certificate renewal");
}

BOOST_AUTO_TEST_CASE(html_is_self_contained_and_escaped) {
  auto r = prefillMajorReport(incident(), SlaPolicy(), cn(2025, 11, 4, 9));
  r.cause = "<script>alert('x')</script> & \"quotes\"";
  r.measures = "line one\nline two";
  r.improvements = {{"<img src=x onerror=1>", "li", parseDate("2025-11-20").value()}};
  const std::string html = renderHtml(r);
  BOOST_TEST(html.rfind("<!DOCTYPE html>", 0) == 0);
  BOOST_TEST(contains(html, "<meta charset=\"utf-8\">"));
  BOOST_TEST(!contains(html, "<script"));
  BOOST_TEST(!contains(html, "<img"));
  BOOST_TEST(!contains(html, "http://"));
  BOOST_TEST(!contains(html, "https://"));
  BOOST_TEST(!contains(html, "<link"));
  BOOST_TEST(
      contains(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"));
  BOOST_TEST(contains(html, "婚姻登记 pushes rejected &lt;all&gt;"));
  BOOST_TEST(contains(html, "<h2>2. Cause (故障原因)</h2>"));
  BOOST_TEST(contains(html, "<td>2025-11-03 09:02</td><td>alert:platform-push</td>"));
  BOOST_TEST(contains(html, "<td>li</td><td>2025-11-20</td>"));
  BOOST_TEST(contains(html, "</html>\n"));
}

BOOST_AUTO_TEST_CASE(markdown_is_escaped) {
  auto r = prefillMajorReport(incident(), SlaPolicy(), cn(2025, 11, 4, 9));
  r.cause = "Expired *certificate* <b>\n# not a heading";
  const std::string md = renderMarkdown(r);
  BOOST_TEST(md.rfind("# Major\\-fault analysis report", 0) != 0);  // the heading is ours
  BOOST_TEST(md.rfind("# Major-fault analysis report (重大故障分析报告) T\\-2025\\-000042", 0) ==
             0);
  // A pipe in a cell stays inside its cell.
  BOOST_TEST(contains(md, "| reject rate 100 % \\| 5 min |"));
  BOOST_TEST(contains(md, "Expired \\*certificate\\* &lt;b&gt;  \n\\# not a heading\n"));
  BOOST_TEST(contains(md, "## 3. Measures taken (处理措施)\n\n_(not written yet)_"));
  BOOST_TEST(contains(md, "_(none yet: at least one is needed to close the ticket)_"));
  BOOST_TEST(!contains(md, "<b>"));
}

BOOST_AUTO_TEST_SUITE_END()
