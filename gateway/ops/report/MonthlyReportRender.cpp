#include "gateway/ops/report/MonthlyReportRender.h"

#include <algorithm>
#include <cmath>

#include "gateway/core/Html.h"
#include "gateway/ops/report/SvgChart.h"

namespace huitong::ops::report {
namespace {

// The report laid out once as blocks, so that the HTML page and the Markdown file carry the same
// figures; only the charts are HTML-only (their figures are also in the block's table).
struct Block {
  enum class Kind { kSection, kSubsection, kText, kNote, kTable, kChart };
  Kind kind = Kind::kText;
  std::string text;  // heading, sentence or note; a chart's SVG (already escaped)
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
};

using Blocks = std::vector<Block>;

void section(Blocks& b, const std::string& heading) {
  b.push_back({Block::Kind::kSection, heading, {}, {}});
}
void subsection(Blocks& b, const std::string& heading) {
  b.push_back({Block::Kind::kSubsection, heading, {}, {}});
}
void text(Blocks& b, const std::string& t) {
  b.push_back({Block::Kind::kText, t, {}, {}});
}
void note(Blocks& b, const std::string& t) {
  b.push_back({Block::Kind::kNote, t, {}, {}});
}
void table(Blocks& b, std::vector<std::string> headers,
           std::vector<std::vector<std::string>> rows) {
  b.push_back({Block::Kind::kTable, "", std::move(headers), std::move(rows)});
}
// A chart with its figures as a table (Markdown shows the table; HTML both).
void chart(Blocks& b, std::string svg, std::vector<std::string> headers,
           std::vector<std::vector<std::string>> rows) {
  b.push_back({Block::Kind::kChart, std::move(svg), std::move(headers), std::move(rows)});
}

std::string count(std::int64_t n) {
  return std::to_string(n);
}

std::string percent(const std::optional<double>& ratio, int digits = 2) {
  return ratio && std::isfinite(*ratio) ? formatNumber(*ratio * 100, digits) + " %" : "-";
}

std::string seconds(const std::optional<double>& s) {
  return s ? formatNumber(*s, 1) + " s" : "-";
}

std::string maybe(const std::optional<double>& v, const std::string& unit) {
  return v ? formatNumber(*v, 1) + unit : "-";
}

std::string bytes(std::int64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return formatNumber(v, u == 0 ? 0 : 1) + " " + units[u];
}

std::string orDash(const std::string& s) {
  return s.empty() ? "-" : s;
}

// Why a section shows no figures, or "" when it has some to show.
std::string absence(const SectionSource& src, bool empty, const std::string& noneThisMonth) {
  if (!src.available)
    return "本构建无记录来源 (no records source in this build)";
  if (!src.error.empty())
    return "无法读取 (could not be read): " + src.error;
  if (empty)
    return noneThisMonth;
  return "";
}

const char* kNoneThisMonth = "本月无记录 (no records this month)";

std::string dayLabel(const std::string& day) {
  return day.size() == 10 ? day.substr(8, 2) : day;
}

void faults(Blocks& b, const MonthlyReportData& d) {
  const FaultSection& f = d.faults;
  section(b, "1. 故障 (Faults)");
  const bool empty = f.opened == 0 && f.resolved == 0 && f.openAtEnd == 0 && f.compliance.empty();
  if (auto why = absence(f.source, empty, "本月无故障工单 (no fault tickets this month)");
      !why.empty()) {
    note(b, why);
    return;
  }
  text(b, "本月新建 (opened) " + count(f.opened) + "，本月解决 (resolved) " + count(f.resolved) +
              "，月末未结 (open at the month's end) " + count(f.openAtEnd) + ".");
  subsection(b, "1.1 按类型与严重程度 (by type and severity)");
  if (f.byType.empty()) {
    note(b, "本月无新建工单 (no tickets opened this month)");
  } else {
    std::vector<std::string> cats;
    std::vector<std::optional<double>> values;
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : f.byType) {
      cats.push_back(c.key);
      values.push_back(static_cast<double>(c.count));
      rows.push_back({c.key, count(c.count)});
    }
    ChartSpec spec;
    spec.id = "chart-faults-by-type";
    spec.title = "按类型的故障数 (Faults by type)";
    spec.description = "Bar chart: tickets opened in " + d.monthText() + " per fault type.";
    spec.xLabel = "类型 (type)";
    spec.yLabel = "工单数 (tickets)";
    spec.categories = cats;
    chart(b, barChart(spec, values), {"类型 (type)", "工单数 (tickets)"}, rows);
    std::vector<std::vector<std::string>> sev;
    for (const auto& c : f.bySeverity)
      sev.push_back({c.key, count(c.count)});
    table(b, {"严重程度 (severity)", "工单数 (tickets)"}, sev);
  }
  subsection(b, "1.2 SLA 达标情况 (SLA compliance)");
  if (f.compliance.empty()) {
    note(b, "本月无可评判的 SLA 时钟 (no SLA clock to judge this month)");
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : f.compliance)
      rows.push_back({c.group, orDash(c.key), c.clock, std::to_string(c.met),
                      std::to_string(c.missed), std::to_string(c.openBreached),
                      std::to_string(c.openInTime),
                      c.percentMet ? formatNumber(*c.percentMet, 1) + " %" : "-"});
    table(b,
          {"分组 (group)", "键 (key)", "时钟 (clock)", "达标 (met)", "超时 (missed)",
           "未结已超时 (open, breached)", "未结未超时 (open, in time)", "达标率 (met %)"},
          rows);
  }
  subsection(b, "1.3 重大故障报告 (Major-fault reports)");
  if (f.majors.empty()) {
    note(b, "本月无重大故障 (no major faults this month)");
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& m : f.majors)
      rows.push_back({m.ticketId, m.title, orDash(m.system), m.status, chinaMinute(m.createdAt),
                      chinaMinute(m.resolvedAt),
                      m.reportWritten ? "已提交 (written)" : "未提交 (missing)", orDash(m.cause),
                      orDash(m.measures)});
    table(b,
          {"工单 (ticket)", "标题 (title)", "系统 (system)", "状态 (status)", "发生 (opened)",
           "解决 (resolved)", "分析报告 (report)", "原因 (cause)", "措施 (measures)"},
          rows);
  }
}

void backups(Blocks& b, const MonthlyReportData& d) {
  const BackupSection& s = d.backups;
  section(b, "2. 备份与恢复测试 (Backups and restore tests)");
  if (auto why = absence(s.source, s.runs.empty(), kNoneThisMonth); !why.empty()) {
    note(b, why);
    return;
  }
  int ok = 0, tests = 0, testsOk = 0;
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : s.runs) {
    ok += r.ok ? 1 : 0;
    if (r.restoreTestOk) {
      ++tests;
      testsOk += *r.restoreTestOk ? 1 : 0;
    }
    rows.push_back(
        {r.id, r.kind, chinaMinute(r.startedAt), chinaMinute(r.finishedAt),
         r.ok ? "成功 (ok)" : "失败 (failed)", r.bytes > 0 ? bytes(r.bytes) : "-",
         r.encrypted ? "是 (yes)" : "否 (no)",
         r.restoreTestOk ? (*r.restoreTestOk ? "通过 (passed)" : "未通过 (failed)") : "-",
         orDash(r.message)});
  }
  text(b, "本月运行 (runs) " + std::to_string(s.runs.size()) + "，成功 (ok) " + std::to_string(ok) +
              "；恢复测试 (restore tests) " + std::to_string(tests) + "，通过 (passed) " +
              std::to_string(testsOk) + ".");
  table(b,
        {"编号 (id)", "类型 (kind)", "开始 (started)", "结束 (finished)", "结果 (result)",
         "大小 (size)", "加密 (encrypted)", "恢复测试 (restore test)", "说明 (message)"},
        rows);
}

void changes(Blocks& b, const MonthlyReportData& d) {
  const ChangeSection& s = d.changes;
  section(b, "3. 优化与变更记录 (Optimisation and change records)");
  if (auto why = absence(s.source, s.changes.empty(), kNoneThisMonth); !why.empty()) {
    note(b, why);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : s.changes)
    rows.push_back(
        {c.id, chinaMinute(c.at), c.kind, c.title, orDash(c.approvedBy), orDash(c.detail)});
  table(b,
        {"编号 (id)", "时间 (at)", "类型 (kind)", "内容 (title)", "批准人 (approved by)",
         "说明 (detail)"},
        rows);
}

void running(Blocks& b, const MonthlyReportData& d) {
  const RunningSection& r = d.running;
  section(b, "4. 运行状况 (Running status)");
  std::vector<std::string> days;
  for (const auto& day : r.days)
    days.push_back(dayLabel(day));

  subsection(b, "4.1 可用性 (Availability per probe)");
  if (auto why = absence(r.availabilitySource, r.probes.empty(),
                         "未配置监测 (no monitoring checks configured)");
      !why.empty()) {
    note(b, why);
  } else {
    std::vector<std::vector<std::string>> rows;
    std::vector<ChartSeries> series;
    for (const auto& p : r.probes) {
      rows.push_back({p.checkId, p.kind, p.schedule, count(p.scheduled), count(p.runs),
                      count(p.okRuns), percent(p.month, 3)});
      if (p.kind != "host" && p.kind != "agent")
        series.push_back({p.checkId, p.daily.values});
    }
    table(b,
          {"检查 (check)", "类型 (kind)", "时段 (schedule)", "应运行 (scheduled)", "运行 (runs)",
           "成功 (ok)", "可用率 (availability)"},
          rows);
    ChartSpec spec;
    spec.id = "chart-availability";
    spec.title = "每日可用率 (Daily availability per probe)";
    spec.description = "Line chart: per probe, ok runs over scheduled runs per day of " +
                       d.monthText() + ", in percent; a gap is a day with nothing scheduled.";
    spec.xLabel = "日期 (day of month)";
    spec.yLabel = "可用率 % (availability)";
    spec.categories = days;
    spec.yMax = 100;
    std::vector<std::string> headers{"日期 (day)"};
    for (const auto& s : series)
      headers.push_back(s.name);
    std::vector<std::vector<std::string>> daily;
    for (std::size_t i = 0; i < r.days.size(); ++i) {
      std::vector<std::string> row{r.days[i]};
      for (const auto& s : series)
        row.push_back(i < s.values.size() && s.values[i] ? formatNumber(*s.values[i], 2) : "-");
      daily.push_back(row);
    }
    chart(b, lineChart(spec, series), headers, daily);
  }

  subsection(b, "4.2 数据交换 (Exchange volumes, reject rates, delivery lag)");
  std::int64_t total = 0;
  for (auto n : r.dailyEvents)
    total += n;
  const bool noExchange = r.items.empty() && r.rejects.empty() && total == 0;
  if (auto why =
          absence(r.exchangeSource, noExchange, "本月无交换数据 (no exchange traffic this month)");
      !why.empty()) {
    note(b, why);
  } else {
    text(b, "本月事件总数 (events this month) " + count(total) + ".");
    std::vector<std::optional<double>> values;
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < r.days.size(); ++i) {
      const std::int64_t n = i < r.dailyEvents.size() ? r.dailyEvents[i] : 0;
      values.push_back(static_cast<double>(n));
      rows.push_back({r.days[i], count(n)});
    }
    ChartSpec spec;
    spec.id = "chart-daily-volume";
    spec.title = "每日交换量 (Daily exchange volume)";
    spec.description =
        "Bar chart: case events received per day of " + d.monthText() + ", all items together.";
    spec.xLabel = "日期 (day of month)";
    spec.yLabel = "事件数 (events)";
    spec.categories = days;
    if (total > 0)
      chart(b, barChart(spec, values), {"日期 (day)", "事件数 (events)"}, rows);
    else
      note(b, "本月无事件 (no events this month)");
    std::vector<std::vector<std::string>> items;
    for (const auto& i : r.items)
      items.push_back({i.system, i.item, count(i.events), count(i.delivered), count(i.dead),
                       seconds(i.lagAvgSeconds), seconds(i.lagP95Seconds)});
    if (items.empty())
      note(b, "本月无事项数据 (no item traffic this month)");
    else
      table(b,
            {"系统 (system)", "事项 (item)", "事件 (events)", "已送达 (delivered)",
             "死信 (dead letters)", "平均延迟 (mean lag)", "P95 延迟 (p95 lag)"},
            items);
    std::vector<std::vector<std::string>> rejects;
    for (const auto& s : r.rejects)
      rejects.push_back({s.system, count(s.records), count(s.rejected), percent(s.rate(), 2)});
    if (!rejects.empty())
      table(b, {"系统 (system)", "记录 (records)", "拒收 (rejected)", "拒收率 (reject rate)"},
            rejects);
  }

  subsection(b, "4.3 资源使用趋势 (Resource usage trends)");
  if (auto why =
          absence(r.hostSource, r.hosts.empty(), "未配置主机检查 (no host checks configured)");
      !why.empty()) {
    note(b, why);
  } else {
    for (const auto& h : r.hosts) {
      ChartSpec spec;
      spec.id = "chart-resources-" + h.checkId;
      spec.title = "资源使用 (Resource usage): " + h.checkId;
      spec.description =
          "Line chart: daily mean CPU busy, memory used and fullest disk of host "
          "check " +
          h.checkId + " in " + d.monthText() + ", in percent.";
      spec.xLabel = "日期 (day of month)";
      spec.yLabel = "使用率 % (used)";
      spec.categories = days;
      spec.yMin = 0;
      spec.yMax = 100;
      std::vector<ChartSeries> series{{"CPU", h.cpu.values},
                                      {"内存 (memory)", h.memory.values},
                                      {"磁盘 (disk)", h.disk.values}};
      std::vector<std::vector<std::string>> rows;
      for (std::size_t i = 0; i < r.days.size(); ++i) {
        auto at = [&](const DailySeries& s) {
          return i < s.values.size() && s.values[i] ? formatNumber(*s.values[i], 1) : "-";
        };
        rows.push_back({r.days[i], at(h.cpu), at(h.memory), at(h.disk)});
      }
      chart(b, lineChart(spec, series), {"日期 (day)", "CPU %", "内存 % (memory)", "磁盘 % (disk)"},
            rows);
      text(b, h.checkId + " 本月最高 (month's highest hourly mean): CPU " + maybe(h.cpuMax, " %") +
                  "，内存 (memory) " + maybe(h.memoryMax, " %") + "，磁盘 (disk) " +
                  maybe(h.diskMax, " %") + ".");
    }
  }
}

void inspections(Blocks& b, const MonthlyReportData& d) {
  const InspectionSection& s = d.inspections;
  section(b, "5. 巡检与发现 (Inspections and findings)");
  if (auto why = absence(s.source, s.runs.empty() && s.findings.empty(), kNoneThisMonth);
      !why.empty()) {
    note(b, why);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  int signedOff = 0;
  for (const auto& r : s.runs) {
    signedOff += r.signedOffBy.empty() ? 0 : 1;
    rows.push_back({r.id, chinaMinute(r.startedAt), r.trigger, orDash(r.signedOffBy),
                    std::to_string(r.findings), std::to_string(r.open),
                    std::to_string(r.resolved)});
  }
  text(b, "本月巡检 (runs) " + std::to_string(s.runs.size()) + "，已签核 (signed off) " +
              std::to_string(signedOff) + ".");
  if (!rows.empty())
    table(b,
          {"编号 (run)", "开始 (started)", "触发 (trigger)", "签核人 (signed off by)",
           "发现 (findings)", "未解决 (open)", "已解决 (resolved)"},
          rows);
  std::vector<std::vector<std::string>> findings;
  for (const auto& f : s.findings)
    findings.push_back({f.id, f.runId, f.check, f.severity, f.title, f.status});
  if (findings.empty())
    note(b, "本月无发现 (no findings this month)");
  else
    table(b,
          {"编号 (finding)", "巡检 (run)", "检查项 (check)", "严重程度 (severity)", "内容 (title)",
           "状态 (status)"},
          findings);
}

void drills(Blocks& b, const MonthlyReportData& d) {
  const DrillSection& s = d.drills;
  section(b, "6. 应急演练 (Emergency drills)");
  if (auto why = absence(s.source, s.drills.empty(), kNoneThisMonth); !why.empty()) {
    note(b, why);
    return;
  }
  int passed = 0;
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : s.drills) {
    passed += r.ok ? 1 : 0;
    rows.push_back({chinaMinute(r.startedAt), r.kind, orDash(r.system), orDash(r.actor),
                    formatNumber(r.outageSeconds, 0) + " s", count(r.eventsAccepted),
                    count(r.eventsDelivered), count(r.eventsMissing),
                    r.drainSeconds >= 0 ? seconds(r.drainSeconds) : "-",
                    r.ok ? "通过 (passed)" : "未通过 (" + r.outcome + ")", orDash(r.detail)});
  }
  text(b, "本月演练 (drills) " + std::to_string(s.drills.size()) + "，通过 (passed) " +
              std::to_string(passed) + ".");
  table(b,
        {"时间 (at)", "类型 (kind)", "部门系统 (system)", "执行人 (by)", "中断 (outage)",
         "受理事件 (accepted)", "送达 (delivered)", "丢失 (missing)", "排空用时 (drain)",
         "结果 (result)", "说明 (detail)"},
        rows);
}

Blocks layout(const MonthlyReportData& d) {
  Blocks b;
  faults(b, d);
  backups(b, d);
  changes(b, d);
  running(b, d);
  inspections(b, d);
  drills(b, d);
  return b;
}

const char* kCss =
    "body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",\"PingFang SC\",\"WenQuanYi Micro "
    "Hei\",sans-serif;"
    "margin:2em auto;max-width:980px;color:#222;line-height:1.5;padding:0 1em}"
    "h1{font-size:1.6em;border-bottom:2px solid #0072B2;padding-bottom:.3em}"
    "h2{font-size:1.3em;margin-top:1.8em;border-bottom:1px solid #ccc}"
    "h3{font-size:1.1em;margin-top:1.2em}"
    "table{border-collapse:collapse;margin:.6em 0;font-size:.9em}"
    "th,td{border:1px solid #bbb;padding:3px 8px;text-align:left;vertical-align:top}"
    "th{background:#eef3f8}"
    "p.note,p.nodata{color:#555;font-style:italic;background:#f6f6f6;padding:.4em .8em}"
    "dl.meta{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}"
    "dl.meta dt{font-weight:bold}"
    "svg.chart{display:block;margin:.8em 0;max-width:100%;height:auto;font-family:sans-serif}"
    "details{margin:.3em 0 1em}"
    "@media print{details{display:none}}";

void htmlTable(std::string& out, const Block& b) {
  out += "<table>\n<thead><tr>";
  for (const auto& h : b.headers)
    out += "<th scope=\"col\">" + htmlEscape(h) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : b.rows) {
    out += "<tr>";
    for (const auto& c : row)
      out += "<td>" + htmlEscape(c) + "</td>";
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
}

void mdTable(std::string& out, const Block& b) {
  out += "|";
  for (const auto& h : b.headers)
    out += " " + mdCell(h) + " |";
  out += "\n|";
  for (std::size_t i = 0; i < b.headers.size(); ++i)
    out += " --- |";
  out += "\n";
  for (const auto& row : b.rows) {
    out += "|";
    for (const auto& c : row)
      out += " " + mdCell(c) + " |";
    out += "\n";
  }
  out += "\n";
}

std::vector<std::pair<std::string, std::string>> meta(const MonthlyReportData& d) {
  std::vector<std::pair<std::string, std::string>> m;
  m.emplace_back("月份 (month)", d.monthText());
  if (!d.gateway.empty())
    m.emplace_back("网关 (gateway)", d.gateway);
  m.emplace_back("统计区间 (period)",
                 chinaMinute(d.from) + " — " + chinaMinute(d.to) + " (+08:00)");
  m.emplace_back("数据截至 (figures as of)", chinaMinute(d.asOf));
  m.emplace_back("生成时间 (generated)", chinaMinute(d.generatedAt));
  m.emplace_back("生成方式 (generated by)", orDash(d.generatedBy));
  return m;
}

}  // namespace

std::string mdCell(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '|':
        out += "\\|";
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string chinaMinute(EpochMillis t) {
  if (t == 0)
    return "-";
  std::string s = formatRfc3339(t);  // 2026-11-03T09:05:00+08:00
  s = s.substr(0, 16);
  if (s.size() > 10)
    s[10] = ' ';
  return s;
}

std::string renderHtml(const MonthlyReportData& d) {
  std::string out;
  out.reserve(64 * 1024);
  out += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"huitong-report\" content=\"monthly " + htmlEscape(d.monthText()) + "\">\n";
  out += "<title>" + htmlEscape(d.title) + "</title>\n<style>" + kCss + "</style>\n</head>\n";
  out += "<body>\n<header>\n<h1>" + htmlEscape(d.title) + "</h1>\n<dl class=\"meta\">\n";
  for (const auto& [k, v] : meta(d))
    out += "<dt>" + htmlEscape(k) + "</dt><dd>" + htmlEscape(v) + "</dd>\n";
  out += "</dl>\n</header>\n<main>\n";
  bool inSection = false;
  for (const Block& b : layout(d)) {
    switch (b.kind) {
      case Block::Kind::kSection:
        if (inSection)
          out += "</section>\n";
        out += "<section>\n<h2>" + htmlEscape(b.text) + "</h2>\n";
        inSection = true;
        break;
      case Block::Kind::kSubsection:
        out += "<h3>" + htmlEscape(b.text) + "</h3>\n";
        break;
      case Block::Kind::kText:
        out += "<p>" + htmlEscape(b.text) + "</p>\n";
        break;
      case Block::Kind::kNote:
        out += "<p class=\"note\">" + htmlEscape(b.text) + "</p>\n";
        break;
      case Block::Kind::kTable:
        htmlTable(out, b);
        break;
      case Block::Kind::kChart:
        out += b.text;
        if (!b.rows.empty()) {
          out += "<details><summary>数据表 (data table)</summary>\n";
          htmlTable(out, b);
          out += "</details>\n";
        }
        break;
    }
  }
  if (inSection)
    out += "</section>\n";
  out +=
      "</main>\n<footer><p class=\"note\">Huitong 汇通 — 月度运维报告 (monthly operation "
      "report), " +
      htmlEscape(d.monthText()) + "</p></footer>\n</body>\n</html>\n";
  return out;
}

std::string renderMarkdown(const MonthlyReportData& d) {
  std::string out;
  out.reserve(32 * 1024);
  out += "# " + mdCell(d.title) + "\n\n";
  for (const auto& [k, v] : meta(d))
    out += "- **" + mdCell(k) + "**: " + mdCell(v) + "\n";
  out += "\n";
  for (const Block& b : layout(d)) {
    switch (b.kind) {
      case Block::Kind::kSection:
        out += "## " + mdCell(b.text) + "\n\n";
        break;
      case Block::Kind::kSubsection:
        out += "### " + mdCell(b.text) + "\n\n";
        break;
      case Block::Kind::kText:
        out += mdCell(b.text) + "\n\n";
        break;
      case Block::Kind::kNote:
        out += "_" + mdCell(b.text) + "_\n\n";
        break;
      case Block::Kind::kTable:
      case Block::Kind::kChart:
        mdTable(out, b);
        break;
    }
  }
  return out;
}

}  // namespace huitong::ops::report
