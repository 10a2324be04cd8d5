// The major-fault report's monitoring evidence from what the stores return: a check's runs over
// the incident window summarised (failures, latency, first and last failure) and an item's
// exchange figures counted over the window. Pure functions over plain rows; the gateway's
// IncidentEvidenceSource (gateway/app/FaultsWiring) reads the stores and calls them.
#pragma once

#include <string>
#include <vector>

#include "gateway/faults/sla/MajorReport.h"
#include "gateway/monitor/schedule/ResultsStore.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::faults {

// One check's raw runs (oldest first) as evidence; runs = 0 when `runs` is empty.
sla::ProbeEvidence probeEvidence(const std::string& checkId, const std::string& kind,
                                 const std::vector<monitor::schedule::StoredResult>& runs);
// The same from hourly rollups, when the raw runs of the window were pruned (no first/last
// failure then: the hour's counts only).
sla::ProbeEvidence probeEvidence(const std::string& checkId, const std::string& kind,
                                 const std::vector<monitor::schedule::Rollup>& hours);

// `health` (the item's snapshot status; its figures are zero) with the exchange figures of
// `events` (ExchangeStore::itemEvents of its system) counted for its item over [from, to]:
// received in the window, delivered in the window, dead letters now among them.
void countExchange(sla::HealthEvidence& health, const std::vector<storage::ItemEvent>& events,
                   EpochMillis from, EpochMillis to);

}  // namespace huitong::faults
