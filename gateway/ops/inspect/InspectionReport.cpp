#include "gateway/ops/inspect/InspectionReport.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "gateway/core/Html.h"
#include "gateway/core/Json.h"

namespace huitong::ops::inspect {

namespace {

std::string at(EpochMillis t) {
  return t == 0 ? "-" : formatRfc3339(t);
}

std::string ms(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

// Worst first, then by finding id.
std::vector<std::pair<Finding, Observation>> ordered(const InspectionReport& r) {
  auto out = r.findings;
  auto rank = [](const Observation& o) { return o.outcome == "resolved" ? 1 : 0; };
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
    if (rank(a.second) != rank(b.second))
      return rank(a.second) < rank(b.second);
    if (a.second.severity != b.second.severity)
      return a.second.severity > b.second.severity;
    return a.first.id < b.first.id;
  });
  return out;
}

std::string sinceText(const Finding& f) {
  return "run " + std::to_string(f.firstSeenRun) +
         (f.resolvedRun ? ", resolved in run " + std::to_string(f.resolvedRun) : "");
}

// Markdown table cells: no line breaks, pipes escaped.
std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

rapidjson::Value runValue(const InspectionRun& run, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("id", run.id, a);
  o.AddMember("started_at", json::string(at(run.startedAt), a), a);
  o.AddMember("finished_at",
              run.finishedAt ? json::string(at(run.finishedAt), a) : rapidjson::Value(), a);
  o.AddMember("trigger", json::string(triggerName(run.trigger), a), a);
  o.AddMember("started_by", json::string(run.startedBy, a), a);
  o.AddMember("gateway_version", json::string(run.gatewayVersion, a), a);
  rapidjson::Value counts(rapidjson::kObjectType);
  counts.AddMember("open", run.counts.open, a);
  counts.AddMember("new", run.counts.newFindings, a);
  counts.AddMember("still_open", run.counts.stillOpen, a);
  counts.AddMember("worse", run.counts.worse, a);
  counts.AddMember("resolved", run.counts.resolved, a);
  counts.AddMember("not_rechecked", run.counts.notRechecked, a);
  counts.AddMember("checks_failed", run.counts.checksFailed, a);
  rapidjson::Value sev(rapidjson::kObjectType);
  for (const char* s : {"critical", "major", "minor", "info"}) {
    auto it = run.counts.bySeverity.find(s);
    sev.AddMember(rapidjson::StringRef(s), it == run.counts.bySeverity.end() ? 0 : it->second, a);
  }
  counts.AddMember("by_severity", sev, a);
  o.AddMember("counts", counts, a);
  if (run.signedOffBy.empty()) {
    o.AddMember("sign_off", rapidjson::Value(), a);
  } else {
    rapidjson::Value s(rapidjson::kObjectType);
    s.AddMember("by", json::string(run.signedOffBy, a), a);
    s.AddMember("at", json::string(at(run.signedOffAt), a), a);
    s.AddMember("note", json::string(run.signOffNote, a), a);
    o.AddMember("sign_off", s, a);
  }
  return o;
}

}  // namespace

std::string countsText(const RunCounts& c) {
  std::string sev;
  for (const char* s : {"critical", "major", "minor", "info"}) {
    auto it = c.bySeverity.find(s);
    if (it != c.bySeverity.end() && it->second > 0)
      sev += (sev.empty() ? "" : ", ") + std::to_string(it->second) + " " + s;
  }
  std::string out = std::to_string(c.open) + " open" + (sev.empty() ? "" : " (" + sev + ")");
  out += "; " + std::to_string(c.newFindings) + " new, " + std::to_string(c.resolved) +
         " resolved, " + std::to_string(c.worse) + " worse";
  if (c.notRechecked > 0)
    out += ", " + std::to_string(c.notRechecked) + " not re-checked";
  if (c.checksFailed > 0)
    out += "; " + std::to_string(c.checksFailed) + " checks failed";
  return out;
}

bool hasSeriousOpen(const RunCounts& c) {
  for (const char* s : {"critical", "major"}) {
    auto it = c.bySeverity.find(s);
    if (it != c.bySeverity.end() && it->second > 0)
      return true;
  }
  return false;
}

std::string runJson(const InspectionRun& run) {
  rapidjson::Document d;
  d.SetObject();
  auto v = runValue(run, d.GetAllocator());
  return json::write(v);
}

std::string reportJson(const InspectionReport& r) {
  rapidjson::Document d;
  auto& a = d.GetAllocator();
  rapidjson::Value o = runValue(r.run, a);
  rapidjson::Value checks(rapidjson::kArrayType);
  for (const auto& c : r.run.checks) {
    rapidjson::Value x(rapidjson::kObjectType);
    x.AddMember("check", json::string(c.check, a), a);
    x.AddMember("status", json::string(c.status, a), a);
    x.AddMember("duration_ms", c.durationMs, a);
    x.AddMember("message", json::string(c.message, a), a);
    checks.PushBack(x, a);
  }
  o.AddMember("checks", checks, a);
  rapidjson::Value figures(rapidjson::kObjectType);
  for (const auto& [k, v] : r.run.figures)
    figures.AddMember(json::string(k, a), json::string(v, a), a);
  o.AddMember("figures", figures, a);
  rapidjson::Value findings(rapidjson::kArrayType);
  for (const auto& [f, obs] : ordered(r)) {
    rapidjson::Value x(rapidjson::kObjectType);
    x.AddMember("id", f.id, a);
    x.AddMember("check", json::string(f.check, a), a);
    x.AddMember("subject", json::string(f.subject, a), a);
    x.AddMember("severity", json::string(severityName(obs.severity), a), a);
    x.AddMember("outcome", json::string(obs.outcome, a), a);
    x.AddMember("title", json::string(f.title, a), a);
    x.AddMember("detail", json::string(obs.detail, a), a);
    x.AddMember("status", json::string(f.status == FindingStatus::kOpen ? "open" : "resolved", a),
                a);
    x.AddMember("first_seen_run", f.firstSeenRun, a);
    x.AddMember("resolved_run",
                f.resolvedRun ? rapidjson::Value(f.resolvedRun) : rapidjson::Value(), a);
    findings.PushBack(x, a);
  }
  o.AddMember("findings", findings, a);
  return json::write(o);
}

std::string renderMarkdown(const InspectionReport& r) {
  const auto& run = r.run;
  std::ostringstream out;
  out << "# Inspection run " << run.id << "\n\n";
  out << "- Started: " << at(run.startedAt) << " (" << triggerName(run.trigger) << ", by "
      << (run.startedBy.empty() ? "-" : run.startedBy) << ")\n";
  out << "- Finished: " << at(run.finishedAt) << "\n";
  out << "- Gateway version: " << (run.gatewayVersion.empty() ? "-" : run.gatewayVersion) << "\n";
  out << "- Findings: " << countsText(run.counts) << "\n";
  if (run.signedOffBy.empty())
    out << "- Signed off: **not yet**\n\n";
  else
    out << "- Signed off: by " << run.signedOffBy << " at " << at(run.signedOffAt)
        << (run.signOffNote.empty() ? "" : " — " + cell(run.signOffNote)) << "\n\n";
  out << "## Checks\n\n| Check | Status | ms | Result |\n|---|---|---:|---|\n";
  for (const auto& c : run.checks)
    out << "| " << cell(c.check) << " | " << cell(c.status) << " | " << ms(c.durationMs) << " | "
        << cell(c.message) << " |\n";
  out << "\n## Findings\n\n";
  if (r.findings.empty()) {
    out << "No findings: every check passed and no earlier finding was open.\n";
  } else {
    out << "| # | Severity | Outcome | Check | Finding | Detail | Since |\n"
           "|---:|---|---|---|---|---|---|\n";
    for (const auto& [f, obs] : ordered(r))
      out << "| " << f.id << " | " << severityName(obs.severity) << " | " << obs.outcome << " | "
          << cell(f.check) << " | " << cell(f.title) << " | " << cell(obs.detail) << " | "
          << sinceText(f) << " |\n";
  }
  if (!run.figures.empty()) {
    out << "\n## Figures\n\n| Figure | Value |\n|---|---|\n";
    for (const auto& [k, v] : run.figures)
      out << "| " << cell(k) << " | " << cell(v) << " |\n";
  }
  return out.str();
}

std::string renderHtml(const InspectionReport& r) {
  const auto& run = r.run;
  const auto e = [](const std::string& s) { return htmlEscape(s); };
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<title>Inspection run "
      << run.id
      << "</title><style>"
         "body{font-family:sans-serif;margin:2em;color:#222}"
         "table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}"
         "th{background:#eee}.critical{background:#f8c8c8}.major{background:#fbe0c0}"
         ".minor{background:#fdf5c0}.info{background:#e8f0fb}.resolved{color:#2a7a2a}"
         ".unsigned{color:#b00;font-weight:bold}"
         "</style></head><body>\n";
  out << "<h1>Inspection run " << run.id << "</h1>\n<table>\n";
  out << "<tr><th>Started</th><td>" << e(at(run.startedAt)) << " (" << triggerName(run.trigger)
      << ", by " << e(run.startedBy.empty() ? "-" : run.startedBy) << ")</td></tr>\n";
  out << "<tr><th>Finished</th><td>" << e(at(run.finishedAt)) << "</td></tr>\n";
  out << "<tr><th>Gateway version</th><td>" << e(run.gatewayVersion) << "</td></tr>\n";
  out << "<tr><th>Findings</th><td>" << e(countsText(run.counts)) << "</td></tr>\n";
  out << "<tr><th>Signed off</th><td>";
  if (run.signedOffBy.empty())
    out << "<span class=\"unsigned\">not yet</span>";
  else
    out << "by <strong>" << e(run.signedOffBy) << "</strong> at " << e(at(run.signedOffAt))
        << (run.signOffNote.empty() ? "" : " — " + e(run.signOffNote));
  out << "</td></tr>\n</table>\n";
  out << "<h2>Checks</h2>\n<table><tr><th>Check</th><th>Status</th><th>ms</th><th>Result</th>"
         "</tr>\n";
  for (const auto& c : run.checks)
    out << "<tr><td>" << e(c.check) << "</td><td>" << e(c.status) << "</td><td>" << ms(c.durationMs)
        << "</td><td>" << e(c.message) << "</td></tr>\n";
  out << "</table>\n<h2>Findings</h2>\n";
  if (r.findings.empty()) {
    out << "<p>No findings: every check passed and no earlier finding was open.</p>\n";
  } else {
    out << "<table><tr><th>#</th><th>Severity</th><th>Outcome</th><th>Check</th><th>Finding</th>"
           "<th>Detail</th><th>Since</th></tr>\n";
    for (const auto& [f, obs] : ordered(r)) {
      const bool resolved = obs.outcome == "resolved";
      out << "<tr class=\"" << (resolved ? "resolved" : severityName(obs.severity)) << "\"><td>"
          << f.id << "</td><td>" << severityName(obs.severity) << "</td><td>" << e(obs.outcome)
          << "</td><td>" << e(f.check) << "</td><td>" << e(f.title) << "</td><td>" << e(obs.detail)
          << "</td><td>" << e(sinceText(f)) << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  if (!run.figures.empty()) {
    out << "<h2>Figures</h2>\n<table><tr><th>Figure</th><th>Value</th></tr>\n";
    for (const auto& [k, v] : run.figures)
      out << "<tr><td>" << e(k) << "</td><td>" << e(v) << "</td></tr>\n";
    out << "</table>\n";
  }
  out << "</body></html>\n";
  return out.str();
}

}  // namespace huitong::ops::inspect
