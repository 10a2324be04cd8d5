#include "gateway/faults/IncidentEvidence.h"

#include <algorithm>

namespace huitong::faults {

sla::ProbeEvidence probeEvidence(const std::string& checkId, const std::string& kind,
                                 const std::vector<monitor::schedule::StoredResult>& runs) {
  sla::ProbeEvidence p;
  p.checkId = checkId;
  p.kind = kind;
  double total = 0;
  for (const auto& r : runs) {
    ++p.runs;
    total += r.durationMs;
    p.maxMs = std::max(p.maxMs, r.durationMs);
    if (r.status == "ok")
      continue;
    ++p.failures;
    if (!p.firstFailure)
      p.firstFailure = r.startedAt;
    p.lastFailure = r.startedAt;
    p.lastFailureMessage = r.status + (r.message.empty() ? "" : ": " + r.message);
  }
  if (p.runs > 0)
    p.avgMs = total / static_cast<double>(p.runs);
  return p;
}

sla::ProbeEvidence probeEvidence(const std::string& checkId, const std::string& kind,
                                 const std::vector<monitor::schedule::Rollup>& hours) {
  sla::ProbeEvidence p;
  p.checkId = checkId;
  p.kind = kind;
  double weighted = 0;
  for (const auto& h : hours) {
    p.runs += h.runs;
    p.failures += h.runs - h.okRuns;
    weighted += h.avgMs * static_cast<double>(h.runs);
    p.maxMs = std::max(p.maxMs, h.maxMs);
  }
  if (p.runs > 0)
    p.avgMs = weighted / static_cast<double>(p.runs);
  if (p.failures > 0)
    p.lastFailureMessage = "from hourly rollups (raw runs no longer kept)";
  return p;
}

void countExchange(sla::HealthEvidence& h, const std::vector<storage::ItemEvent>& events,
                   EpochMillis from, EpochMillis to) {
  for (const auto& e : events) {
    if (!h.item.empty() && e.item != h.item)
      continue;
    if (e.receivedAt >= from && e.receivedAt <= to) {
      ++h.received;
      if (e.dead)
        ++h.dead;
    }
    if (e.deliveredAt >= from && e.deliveredAt <= to && e.deliveredAt > 0)
      ++h.delivered;
  }
}

}  // namespace huitong::faults
