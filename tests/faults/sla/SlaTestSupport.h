// Instants written as China civil time, for readable SLA tests.
#pragma once

#include "gateway/core/Clock.h"
#include "gateway/faults/sla/SlaTimeline.h"

namespace slatest {

constexpr huitong::EpochMillis kMin = 60'000;
constexpr huitong::EpochMillis kHour = 60 * kMin;

// y-m-d hh:mm in China (+08:00).
inline huitong::EpochMillis cn(int y, unsigned m, unsigned d, int hh, int mm = 0) {
  return huitong::daysFromCivil(y, m, d) * 24 * kHour + hh * kHour + mm * kMin - 8 * kHour;
}
// y-m-d hh:mm in UTC.
inline huitong::EpochMillis utc(int y, unsigned m, unsigned d, int hh, int mm = 0) {
  return huitong::daysFromCivil(y, m, d) * 24 * kHour + hh * kHour + mm * kMin;
}

inline huitong::sla::SlaTimeline ticket(
    huitong::EpochMillis created, huitong::sla::Severity sev = huitong::sla::Severity::kGeneral,
    const std::string& type = "application") {
  huitong::sla::SlaTimeline t;
  t.ticketId = "T-2025-000001";
  t.createdAt = created;
  t.severity = sev;
  t.type = type;
  return t;
}

}  // namespace slatest
