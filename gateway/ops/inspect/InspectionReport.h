// An inspection run as a report: JSON for the API, Markdown and a self-contained HTML page
// (inline CSS, no script, no network) for the operator and the auditor. Shows every check's
// outcome, every finding the run looked at with its outcome (new, still open, worse, better,
// resolved, not re-checked) and who signed the run off.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "gateway/ops/inspect/InspectionLedger.h"

namespace huitong::ops::inspect {

struct InspectionReport {
  InspectionRun run;
  std::vector<std::pair<Finding, Observation>> findings;  // the run's look at each finding
};

// The run's summary (list entries) or, with `report`, the whole report as JSON text.
std::string runJson(const InspectionRun& run);
std::string reportJson(const InspectionReport& report);
std::string renderMarkdown(const InspectionReport& report);
std::string renderHtml(const InspectionReport& report);

// "3 open (1 major, 2 minor); 1 new, 1 resolved" for progress lines and lists.
std::string countsText(const RunCounts& counts);
// Whether a major or critical finding is open after the run (`huitong inspect run` exits 1).
bool hasSeriousOpen(const RunCounts& counts);

}  // namespace huitong::ops::inspect
