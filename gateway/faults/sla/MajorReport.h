// The major-fault analysis report (重大故障分析报告, issue 8 item 4): pre-filled from the ticket's
// timeline and what monitoring saw around the incident (alerts, probe results, item health), with
// the sections process, cause, measures taken and improvements (owner and due date each, which
// become follow-up tasks); rendered as self-contained HTML and as Markdown; checked before a
// major ticket may close. Plain values: the tickets part stores and lists reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/core/Html.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/faults/sla/SlaClock.h"
#include "gateway/faults/sla/SlaPolicy.h"
#include "gateway/faults/sla/SlaTimeline.h"

namespace huitong::sla {

// One line of evidence: when, from where ("ticket", "alert:tcp-1", "probe:login", "health:
// minzheng/marriage"), what.
struct IncidentEntry {
  EpochMillis at = 0;
  std::string source;
  std::string text;
};

struct Improvement {
  std::string action;
  std::string owner;
  std::optional<Day> due;  // a civil date (China)
};

struct FollowUpTask {
  std::string ticketId;
  int index = 0;  // the improvement's position, 1-based
  std::string action;
  std::string owner;
  Day due = 0;
};

// What a probe (a monitoring check) did over the incident window: its runs, failures (status
// fail or error) and latency (run duration).
struct ProbeEvidence {
  std::string checkId;
  std::string kind;  // "http", "login", "tcp", "host", ...
  std::int64_t runs = 0, failures = 0;
  double avgMs = 0, maxMs = 0;
  std::optional<EpochMillis> firstFailure, lastFailure;
  std::string lastFailureMessage;
};

// An item's health around the incident: its status in the latest health snapshot and the
// exchange store's figures over the window (messages received, delivered, dead now).
struct HealthEvidence {
  std::string system;
  std::string item;
  std::string status;  // green | yellow | red | unknown (no snapshot holds the item)
  EpochMillis at = 0;  // the snapshot's time
  std::string reasons;
  std::int64_t received = 0, delivered = 0, dead = 0;  // over the window
};

// Monitoring evidence over [from, to]: an hour before the incident to its resolution (or the
// preparation while open). `notes` say what could not be read, so that a gap is never silent.
struct IncidentEvidence {
  EpochMillis from = 0, to = 0;
  std::vector<ProbeEvidence> probes;
  std::vector<HealthEvidence> health;
  std::vector<std::string> notes;
  bool empty() const { return probes.empty() && health.empty() && notes.empty(); }
};

struct MajorReportInputs {
  SlaTimeline timeline;
  std::string title;
  std::string system;
  std::string item;
  std::vector<IncidentEntry> history;  // the ticket's other history (assignments, comments)
  std::vector<IncidentEntry> alerts;
  std::vector<IncidentEntry> probes;
  std::vector<IncidentEntry> health;
  // Monitoring evidence is kept from this long before the ticket's creation to this long after
  // its resolution (or `now` while open).
  EpochMillis windowBefore = 2 * 3'600'000;
  EpochMillis windowAfter = 2 * 3'600'000;
  // Probe results and item health over the incident window: kept as the report's evidence
  // section, a failing probe's first and last failure also as process lines.
  IncidentEvidence evidence;
};

struct MajorReport {
  std::string ticketId;
  std::string title;
  std::string system;
  std::string item;
  std::string type;
  Severity severity = Severity::kMajor;
  EpochMillis incidentStart = 0;          // the earliest evidence, or the ticket's creation
  std::optional<EpochMillis> resolvedAt;  // the ticket's resolution
  std::vector<IncidentEntry> process;     // the timeline, every source merged in time order
  std::vector<ClockReading> sla;          // the clocks as of preparation
  IncidentEvidence evidence;              // what monitoring saw (kept as pre-filled)
  std::string cause;
  std::string measures;  // measures taken
  std::vector<Improvement> improvements;
  std::string author;
  EpochMillis preparedAt = 0;
};

// The report with its process section and SLA clocks filled in; cause, measures and
// improvements are for people to write.
MajorReport prefillMajorReport(const MajorReportInputs& inputs, const SlaPolicy& policy,
                               EpochMillis now,
                               const WorkCalendar& calendar = WorkCalendar::china());

// Every reason the report is not complete enough to close the major ticket (empty = complete):
// a cause, the measures taken, and at least one improvement, each with an action, an owner and
// a due date not before the incident. Paths name the section ("cause", "improvements[1].owner").
std::vector<Error> checkReadyToClose(const MajorReport& report);

// One task per improvement that has an owner and a due date.
std::vector<FollowUpTask> followUpTasks(const MajorReport& report);

// A complete HTML document (inline style, no external resources), every text escaped.
std::string renderHtml(const MajorReport& report);
// GitHub-flavoured Markdown; text is escaped so that it cannot add markup or raw HTML.
std::string renderMarkdown(const MajorReport& report);

// Text for HTML (gateway/core/Html.h) and for Markdown (no markup, no raw HTML).
inline std::string escapeHtml(const std::string& text) {
  return htmlEscape(text);
}
std::string escapeMarkdown(const std::string& text);

}  // namespace huitong::sla
