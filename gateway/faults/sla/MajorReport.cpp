#include "gateway/faults/sla/MajorReport.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace huitong::sla {

namespace {

bool blank(const std::string& s) {
  for (unsigned char c : s) {
    if (!std::isspace(c))
      return false;
  }
  return true;
}

std::string statusText(const std::string& status) {
  if (status == kWaitingForReporter)
    return "status → waiting_for_reporter (SLA clocks paused)";
  return "status → " + status;
}

// The ticket's own timeline as entries (source "ticket").
std::vector<IncidentEntry> timelineEntries(const SlaTimeline& t) {
  std::vector<IncidentEntry> out;
  out.push_back({t.createdAt, "ticket",
                 "ticket " + t.ticketId + " opened (" + toString(t.severity) + ", " +
                     (t.type.empty() ? "type not set" : t.type) + ")"});
  if (t.firstResponseAt)
    out.push_back({*t.firstResponseAt, "ticket", "first response"});
  bool hasResolved = false;
  bool hasClosed = false;
  for (const auto& s : t.statuses) {
    hasResolved = hasResolved || s.status == kResolved;
    hasClosed = hasClosed || s.status == kClosed;
    out.push_back({s.at, "ticket", statusText(s.status)});
  }
  if (t.onSiteDispatchedAt)
    out.push_back({*t.onSiteDispatchedAt, "ticket", "dispatched on site"});
  if (t.onSiteArrivedAt)
    out.push_back({*t.onSiteArrivedAt, "ticket", "arrived on site"});
  if (t.resolvedAt && !hasResolved)
    out.push_back({*t.resolvedAt, "ticket", statusText(kResolved)});
  if (t.closedAt && !hasClosed)
    out.push_back({*t.closedAt, "ticket", statusText(kClosed)});
  return out;
}

std::optional<EpochMillis> lastResolution(const SlaTimeline& t) {
  std::optional<EpochMillis> at = t.resolvedAt;
  for (const auto& s : t.statuses) {
    if (s.status == kResolved)
      at = s.at;
  }
  return at;
}

std::string dateText(Day d) {
  return formatDate(d);
}

// One line of Markdown table cell text: escaped, line breaks as <br>.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : escapeMarkdown(text)) {
    if (c == '\n')
      out += "<br>";
    else if (c != '\r')
      out += c;
  }
  return out;
}

std::string htmlParagraphs(const std::string& text) {
  if (blank(text))
    return "<p class=\"missing\">(not written yet)</p>\n";
  return "<div class=\"text\">" + escapeHtml(text) + "</div>\n";
}

std::string mdParagraphs(const std::string& text) {
  if (blank(text))
    return "_(not written yet)_\n";
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    out += escapeMarkdown(line) + (end < text.size() ? "  \n" : "\n");
    start = end + 1;
  }
  return out;
}

std::string msText(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  return buf;
}

std::string failureSpan(const ProbeEvidence& p) {
  if (!p.firstFailure)
    return "";
  std::string s = formatChinaTime(*p.firstFailure).substr(0, 16);
  if (p.lastFailure && *p.lastFailure != *p.firstFailure)
    s += " – " + formatChinaTime(*p.lastFailure).substr(0, 16);
  return s;
}

std::string windowText(const IncidentEvidence& e) {
  return formatChinaTime(e.from).substr(0, 16) + " – " + formatChinaTime(e.to).substr(0, 16);
}

}  // namespace

std::string escapeMarkdown(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '(':
      case ')':
      case '#':
      case '|':
      case '~':
      case '!':
      case '-':
      case '+':
      case '.':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

MajorReport prefillMajorReport(const MajorReportInputs& in, const SlaPolicy& policy,
                               EpochMillis now, const WorkCalendar& calendar) {
  const SlaTimeline& t = in.timeline;
  MajorReport r;
  r.ticketId = t.ticketId;
  r.title = in.title;
  r.system = in.system;
  r.item = in.item;
  r.type = t.type;
  r.severity = t.severity;
  r.resolvedAt = lastResolution(t);
  r.preparedAt = now;
  r.process = timelineEntries(t);
  for (const auto& e : in.history)
    r.process.push_back({e.at, e.source.empty() ? "ticket" : e.source, e.text});
  const EpochMillis from = t.createdAt - in.windowBefore;
  const EpochMillis to = (r.resolvedAt ? *r.resolvedAt : now) + in.windowAfter;
  auto evidence = [&](const std::vector<IncidentEntry>& list, const char* kind) {
    for (const auto& e : list) {
      if (e.at < from || e.at > to)
        continue;
      r.process.push_back({e.at, e.source.empty() ? kind : e.source, e.text});
    }
  };
  r.evidence = in.evidence;
  for (const auto& p : in.evidence.probes) {
    if (p.failures == 0 || !p.firstFailure)
      continue;
    r.process.push_back(
        {*p.firstFailure, "probe:" + p.checkId,
         "first failure of " + std::to_string(p.failures) + " in " + std::to_string(p.runs) +
             " runs" + (p.lastFailureMessage.empty() ? "" : " (" + p.lastFailureMessage + ")")});
    if (p.lastFailure && *p.lastFailure != *p.firstFailure)
      r.process.push_back({*p.lastFailure, "probe:" + p.checkId, "last failure in the window"});
  }
  evidence(in.alerts, "alert");
  evidence(in.probes, "probe");
  evidence(in.health, "health");
  std::stable_sort(r.process.begin(), r.process.end(),
                   [](const IncidentEntry& a, const IncidentEntry& b) { return a.at < b.at; });
  r.incidentStart = r.process.empty() ? t.createdAt : std::min(t.createdAt, r.process.front().at);
  r.sla = evaluate(t, policy, now, calendar).clocks;
  return r;
}

std::vector<Error> checkReadyToClose(const MajorReport& r) {
  std::vector<Error> errors;
  auto add = [&](const std::string& path, const std::string& message) {
    errors.push_back({"report.incomplete", message, path});
  };
  if (blank(r.cause))
    add("cause", "the cause is not written: say what caused the fault");
  if (blank(r.measures))
    add("measures", "the measures taken are not written: say what was done to restore service");
  if (r.improvements.empty()) {
    add("improvements",
        "at least one improvement with an owner and a due date is needed to close a major "
        "ticket");
  }
  const Day incidentDay = chinaDay(r.incidentStart);
  for (std::size_t i = 0; i < r.improvements.size(); ++i) {
    const auto& imp = r.improvements[i];
    const std::string path = "improvements[" + std::to_string(i + 1) + "]";
    if (blank(imp.action))
      add(path + ".action", "improvement " + std::to_string(i + 1) + " says no action");
    if (blank(imp.owner))
      add(path + ".owner", "improvement " + std::to_string(i + 1) + " has no owner");
    if (!imp.due) {
      add(path + ".due", "improvement " + std::to_string(i + 1) + " has no due date");
    } else if (*imp.due < incidentDay) {
      add(path + ".due", "improvement " + std::to_string(i + 1) + " is due " +
                             formatDate(*imp.due) + ", before the incident (" +
                             formatDate(incidentDay) + ")");
    }
  }
  return errors;
}

std::vector<FollowUpTask> followUpTasks(const MajorReport& r) {
  std::vector<FollowUpTask> tasks;
  for (std::size_t i = 0; i < r.improvements.size(); ++i) {
    const auto& imp = r.improvements[i];
    if (blank(imp.owner) || !imp.due)
      continue;
    tasks.push_back({r.ticketId, static_cast<int>(i + 1), imp.action, imp.owner, *imp.due});
  }
  return tasks;
}

std::string renderHtml(const MajorReport& r) {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<title>Major-fault analysis report " + escapeHtml(r.ticketId) + "</title>\n";
  h += "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
       "table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.3em .5em;"
       "text-align:left;vertical-align:top}th{background:#eee}.text{white-space:pre-wrap}"
       ".missing{color:#b00}.breached,.missed{color:#b00}.warning{color:#b60}</style>\n";
  h += "</head>\n<body>\n";
  h += "<h1>Major-fault analysis report (重大故障分析报告)</h1>\n";
  h += "<table>\n";
  auto row = [&](const std::string& k, const std::string& v) {
    h += "<tr><th>" + escapeHtml(k) + "</th><td>" + escapeHtml(v) + "</td></tr>\n";
  };
  row("Ticket", r.ticketId);
  row("Title", r.title);
  row("System / item", r.system + (r.item.empty() ? "" : " / " + r.item));
  row("Type / severity", r.type + " / " + toString(r.severity));
  row("Incident start", formatChinaTime(r.incidentStart));
  row("Resolved", r.resolvedAt ? formatChinaTime(*r.resolvedAt) : "not resolved");
  row("Prepared", formatChinaTime(r.preparedAt) + (r.author.empty() ? "" : " by " + r.author));
  h += "</table>\n";

  h += "<h2>SLA clocks</h2>\n<table>\n<tr><th>Clock</th><th>Target</th><th>State</th>"
       "<th>Detail</th></tr>\n";
  for (const auto& c : r.sla) {
    h += std::string("<tr><td>") + toString(c.kind) + "</td><td>" + escapeHtml(c.target.words()) +
         "</td><td class=\"" + toString(c.state) + "\">" + toString(c.state) + "</td><td>" +
         escapeHtml(describe(c)) + "</td></tr>\n";
  }
  h += "</table>\n";

  h += "<h2>Monitoring evidence (监控数据)</h2>\n";
  if (r.evidence.empty()) {
    h += "<p>No probe results or item health were gathered for this report.</p>\n";
  } else {
    h += "<p>From " + escapeHtml(windowText(r.evidence)) + " (+08:00).</p>\n";
    h += "<h3>Probe results</h3>\n";
    if (r.evidence.probes.empty()) {
      h += "<p>No probe ran in the window.</p>\n";
    } else {
      h += "<table>\n<tr><th>Check</th><th>Runs</th><th>Failures</th><th>Latency avg / max</th>"
           "<th>Failing</th><th>Last failure</th></tr>\n";
      for (const auto& p : r.evidence.probes) {
        h += "<tr><td>" + escapeHtml(p.checkId) +
             (p.kind.empty() ? "" : " (" + escapeHtml(p.kind) + ")") + "</td><td>" +
             std::to_string(p.runs) + "</td><td" + (p.failures > 0 ? " class=\"breached\"" : "") +
             ">" + std::to_string(p.failures) + "</td><td>" + msText(p.avgMs) + " / " +
             msText(p.maxMs) + "</td><td>" + escapeHtml(failureSpan(p)) +
             "</td><td class=\"text\">" + escapeHtml(p.lastFailureMessage) + "</td></tr>\n";
      }
      h += "</table>\n";
    }
    h += "<h3>Item health</h3>\n";
    if (r.evidence.health.empty()) {
      h += "<p>No item health for the ticket's system.</p>\n";
    } else {
      h += "<table>\n<tr><th>System / item</th><th>Status</th><th>Reasons</th><th>Received</th>"
           "<th>Delivered</th><th>Dead letters</th></tr>\n";
      for (const auto& x : r.evidence.health) {
        h += "<tr><td>" + escapeHtml(x.system + (x.item.empty() ? "" : " / " + x.item)) +
             "</td><td class=\"" +
             (x.status == "red"      ? "breached"
              : x.status == "yellow" ? "warning"
                                     : "") +
             "\">" + escapeHtml(x.status) +
             (x.at > 0 ? " (" + escapeHtml(formatChinaTime(x.at).substr(0, 16)) + ")" : "") +
             "</td><td class=\"text\">" + escapeHtml(x.reasons) + "</td><td>" +
             std::to_string(x.received) + "</td><td>" + std::to_string(x.delivered) + "</td><td>" +
             std::to_string(x.dead) + "</td></tr>\n";
      }
      h += "</table>\n";
    }
    for (const auto& n : r.evidence.notes)
      h += "<p class=\"missing\">" + escapeHtml(n) + "</p>\n";
  }

  h += "<h2>1. Process (处理过程)</h2>\n<table>\n<tr><th>Time (+08:00)</th><th>Source</th>"
       "<th>What happened</th></tr>\n";
  for (const auto& e : r.process) {
    h += "<tr><td>" + escapeHtml(formatChinaTime(e.at).substr(0, 16)) + "</td><td>" +
         escapeHtml(e.source) + "</td><td class=\"text\">" + escapeHtml(e.text) + "</td></tr>\n";
  }
  h += "</table>\n";
  h += "<h2>2. Cause (故障原因)</h2>\n" + htmlParagraphs(r.cause);
  h += "<h2>3. Measures taken (处理措施)</h2>\n" + htmlParagraphs(r.measures);
  h += "<h2>4. Improvements (改进措施)</h2>\n";
  if (r.improvements.empty()) {
    h += "<p class=\"missing\">(none yet: at least one is needed to close the ticket)</p>\n";
  } else {
    h += "<table>\n<tr><th>#</th><th>Action</th><th>Owner</th><th>Due</th></tr>\n";
    for (std::size_t i = 0; i < r.improvements.size(); ++i) {
      const auto& imp = r.improvements[i];
      h += "<tr><td>" + std::to_string(i + 1) + "</td><td class=\"text\">" +
           escapeHtml(imp.action) + "</td><td>" + escapeHtml(imp.owner) + "</td><td>" +
           (imp.due ? dateText(*imp.due) : "<span class=\"missing\">no date</span>") +
           "</td></tr>\n";
    }
    h += "</table>\n";
  }
  h += "</body>\n</html>\n";
  return h;
}

std::string renderMarkdown(const MajorReport& r) {
  std::string m;
  m += "# Major-fault analysis report (重大故障分析报告) " + escapeMarkdown(r.ticketId) + "\n\n";
  m += "| | |\n|---|---|\n";
  auto row = [&](const std::string& k, const std::string& v) {
    m += "| " + k + " | " + cell(v) + " |\n";
  };
  row("Ticket", r.ticketId);
  row("Title", r.title);
  row("System / item", r.system + (r.item.empty() ? "" : " / " + r.item));
  row("Type / severity", r.type + " / " + toString(r.severity));
  row("Incident start", formatChinaTime(r.incidentStart));
  row("Resolved", r.resolvedAt ? formatChinaTime(*r.resolvedAt) : "not resolved");
  row("Prepared", formatChinaTime(r.preparedAt) + (r.author.empty() ? "" : " by " + r.author));

  m += "\n## SLA clocks\n\n| Clock | Target | State | Detail |\n|---|---|---|---|\n";
  for (const auto& c : r.sla) {
    m += std::string("| ") + cell(toString(c.kind)) + " | " + cell(c.target.words()) + " | " +
         toString(c.state) + " | " + cell(describe(c)) + " |\n";
  }
  m += "\n## Monitoring evidence (监控数据)\n\n";
  if (r.evidence.empty()) {
    m += "No probe results or item health were gathered for this report.\n";
  } else {
    m += "From " + cell(windowText(r.evidence)) + " (+08:00).\n\n### Probe results\n\n";
    if (r.evidence.probes.empty()) {
      m += "No probe ran in the window.\n";
    } else {
      m += "| Check | Runs | Failures | Latency avg / max | Failing | Last failure |\n"
           "|---|---|---|---|---|---|\n";
      for (const auto& p : r.evidence.probes) {
        m += "| " + cell(p.checkId + (p.kind.empty() ? "" : " (" + p.kind + ")")) + " | " +
             std::to_string(p.runs) + " | " + std::to_string(p.failures) + " | " +
             cell(msText(p.avgMs) + " / " + msText(p.maxMs)) + " | " + cell(failureSpan(p)) +
             " | " + cell(p.lastFailureMessage) + " |\n";
      }
    }
    m += "\n### Item health\n\n";
    if (r.evidence.health.empty()) {
      m += "No item health for the ticket's system.\n";
    } else {
      m += "| System / item | Status | Reasons | Received | Delivered | Dead letters |\n"
           "|---|---|---|---|---|---|\n";
      for (const auto& x : r.evidence.health) {
        m += "| " + cell(x.system + (x.item.empty() ? "" : " / " + x.item)) + " | " +
             cell(x.status + (x.at > 0 ? " (" + formatChinaTime(x.at).substr(0, 16) + ")" : "")) +
             " | " + cell(x.reasons) + " | " + std::to_string(x.received) + " | " +
             std::to_string(x.delivered) + " | " + std::to_string(x.dead) + " |\n";
      }
    }
    for (const auto& n : r.evidence.notes)
      m += "\n_" + cell(n) + "_\n";
  }
  m += "\n## 1. Process (处理过程)\n\n| Time (+08:00) | Source | What happened |\n|---|---|---|\n";
  for (const auto& e : r.process) {
    m += "| " + cell(formatChinaTime(e.at).substr(0, 16)) + " | " + cell(e.source) + " | " +
         cell(e.text) + " |\n";
  }
  m += "\n## 2. Cause (故障原因)\n\n" + mdParagraphs(r.cause);
  m += "\n## 3. Measures taken (处理措施)\n\n" + mdParagraphs(r.measures);
  m += "\n## 4. Improvements (改进措施)\n\n";
  if (r.improvements.empty()) {
    m += "_(none yet: at least one is needed to close the ticket)_\n";
  } else {
    m += "| # | Action | Owner | Due |\n|---|---|---|---|\n";
    for (std::size_t i = 0; i < r.improvements.size(); ++i) {
      const auto& imp = r.improvements[i];
      m += "| " + std::to_string(i + 1) + " | " + cell(imp.action) + " | " + cell(imp.owner) +
           " | " + (imp.due ? cell(dateText(*imp.due)) : std::string("_no date_")) + " |\n";
    }
  }
  return m;
}

}  // namespace huitong::sla
