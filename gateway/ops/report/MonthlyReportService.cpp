#include "gateway/ops/report/MonthlyReportService.h"

#include <chrono>
#include <stdexcept>

#include "gateway/core/WorkCalendar.h"
#include "gateway/ops/report/MonthlyReportRender.h"

namespace huitong::ops::report {

Result<GeneratedReport> MonthlyReportService::generate(int year, int month, EpochMillis now,
                                                       const std::string& generatedBy,
                                                       bool keep) const {
  GeneratedReport g;
  const auto t0 = std::chrono::steady_clock::now();
  auto data = gatherMonthlyReport(inputs_(generatedBy), year, month, now);
  if (!data.ok())
    return data.error();
  g.data = std::move(data).value();
  const auto t1 = std::chrono::steady_clock::now();
  g.html = renderHtml(g.data);
  g.markdown = renderMarkdown(g.data);
  const auto t2 = std::chrono::steady_clock::now();
  g.gatherSeconds = std::chrono::duration<double>(t1 - t0).count();
  g.renderSeconds = std::chrono::duration<double>(t2 - t1).count();
  if (keep) {
    auto written = archive_.write(g.data.monthText(), g.html, g.markdown);
    if (!written.ok())
      return written.error();
    g.htmlPath = written.value().first;
    g.markdownPath = written.value().second;
  }
  return g;
}

MonthArg MonthlyReportService::previousMonth(EpochMillis t) {
  const std::string day = formatDate(chinaDay(t));  // YYYY-MM-DD
  MonthArg m = *parseMonth(day.substr(0, 7));
  if (--m.month == 0) {
    m.month = 12;
    --m.year;
  }
  return m;
}

Job MonthlyReportService::job(const JobWhen& when) const {
  Job j;
  j.name = "monthly-report";
  j.when = when;
  j.run = [this](EpochMillis dueAt, bool) {
    const MonthArg m = previousMonth(dueAt);
    auto g =
        generate(m.year, m.month, std::max(dueAt, monthEnd(m.year, m.month)), "scheduled", true);
    if (!g.ok())
      throw std::runtime_error(g.error().describe());
  };
  return j;
}

}  // namespace huitong::ops::report
