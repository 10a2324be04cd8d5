// The monthly operation report rendered for people: one self-contained HTML page (inline CSS,
// inline SVG charts, no script, nothing fetched) and the same content as Markdown tables. Every
// value from the data goes through htmlEscape (HTML) or mdCell (Markdown). A section without
// figures says why: no source in this build, a read error, or nothing this month. Pure
// functions; thread-safe.
#pragma once

#include <string>

#include "gateway/ops/report/MonthlyReportData.h"

namespace huitong::ops::report {

std::string renderHtml(const MonthlyReportData& data);
std::string renderMarkdown(const MonthlyReportData& data);

// A Markdown table cell: '|' escaped, line breaks as spaces, '<' '>' '&' as entities.
std::string mdCell(const std::string& text);
// "2026-11-03 09:05" in China time; "-" for 0.
std::string chinaMinute(EpochMillis t);

}  // namespace huitong::ops::report
