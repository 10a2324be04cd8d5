// What one run of a monitoring check found: the common result of a page probe, a login flow, a
// host-metrics read or an agent scrape, so that schedules, the results store, alerts,
// availability and /metrics treat every kind of check alike.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/core/Clock.h"

namespace huitong::monitor {

enum class CheckStatus {
  kOk,     // every assertion held
  kFail,   // the target answered, an assertion did not hold (status, body, latency, expiry...)
  kError,  // the check could not be carried out (refused, timed out, DNS, TLS handshake, agent
           // gone)
};

const char* toString(CheckStatus s);  // "ok", "fail", "error"

// Timings of one HTTP exchange in milliseconds; -1 where a phase did not happen (no DNS for an
// address, no TLS for http://) or the exchange stopped before it.
struct PhaseTimings {
  double dnsMs = -1, connectMs = -1, tlsMs = -1, firstByteMs = -1, totalMs = -1;
};

// One step of a check (a page fetch, a form POST of a login flow, one host read).
struct StepResult {
  std::string name;    // "login page", "submit login", "function page: 事项查询"
  std::string url;     // the URL fetched (empty for non-HTTP steps)
  int httpStatus = 0;  // 0 when no answer was received
  PhaseTimings timings;
  CheckStatus status = CheckStatus::kOk;
  std::string failure;  // the failing assertion or the error in words; empty when ok
};

struct CheckResult {
  std::string checkId;  // the configured id ("portal-home", "applicant-login", "db-server")
  std::string kind;     // "http", "login", "host", "agent", "item-health"
  std::string target;   // what was checked (URL, host name, system/item)
  EpochMillis startedAt = 0;
  double durationMs = 0;
  CheckStatus status = CheckStatus::kOk;
  // The first failing step's failure (or the error), in words; empty when ok.
  std::string message;
  std::vector<StepResult> steps;
  // Numeric readings worth keeping as time series, by name: "latency_ms", "tls_days_left",
  // "cpu_percent", "mem_available_bytes", "disk_used_percent{mount=\"/\"}"...
  std::map<std::string, double> values;

  bool ok() const { return status == CheckStatus::kOk; }
};

// JSON of a result (the API's and the CLI's shape): instants as RFC 3339 at +08:00.
rapidjson::Value toJson(const CheckResult& r, rapidjson::Document::AllocatorType& a);

}  // namespace huitong::monitor
