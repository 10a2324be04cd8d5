// The records of emergency drills (issue 9 part 5): each `huitong drill` run is appended to the
// registry's audit trail (action "drill.platform_outage", its figures as the entry's `after`
// JSON), so a drill is hash-chained like every operator action and needs no table of its own.
// DrillLedger writes those entries and reads them back between two times (the monthly report).
// Thread-safety: as the RegistryStore it wraps (every method from any thread).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/registry/Filing.h"
#include "gateway/registry/RegistryStore.h"

namespace huitong::ops::drill {

// The audit action of a platform-outage drill.
inline constexpr const char* kPlatformOutageAction = "drill.platform_outage";

// One drill as recorded. Counts are of the drill's own messages and events.
struct DrillRecord {
  std::int64_t id = 0;  // the audit entry's seq (0 until recorded)
  std::string kind = "platform-outage";
  std::string outcome;  // passed | missing | refused | interrupted | failed
  bool ok = false;      // outcome == passed: every accepted event arrived
  EpochMillis startedAt = 0;
  EpochMillis finishedAt = 0;
  std::string actor;         // who ran it (filled from the audit entry)
  std::string system;        // the department whose messages were sent
  std::string gateway;       // gateway base URL
  std::string platform;      // mock platform control URL
  double outageSeconds = 0;  // the platform was away this long (planned)
  std::int64_t messagesSent = 0;
  std::int64_t messagesAccepted = 0;  // answered 2xx with a receipt
  std::int64_t eventsAccepted = 0;    // events those receipts named
  std::int64_t eventsDelivered = 0;   // of those, held by the platform at the end
  std::int64_t eventsMissing = 0;
  double drainSeconds = -1;            // platform back -> last event arrived; -1: not drained
  std::int64_t backlogAtRestore = -1;  // gateway outbox pending when the platform came back
  std::string detail;                  // one sentence for people (failure reason, etc.)
};

// The record's JSON (snake_case members, as `huitong drill --json` and the audit entry hold it).
std::string drillRecordJson(const DrillRecord& record);
// Reads drillRecordJson's text back ("drill.record" naming the member on a bad one).
Result<DrillRecord> parseDrillRecord(const std::string& json);

class DrillLedger {
 public:
  explicit DrillLedger(registry::RegistryStore& store) : store_(store) {}

  // Appends the drill to the audit trail as `actor`; returns it with id and actor filled.
  Result<DrillRecord> record(const DrillRecord& drill, const registry::Actor& actor,
                             EpochMillis now);
  // Drills finished in [from, to], oldest first.
  Result<std::vector<DrillRecord>> list(EpochMillis from, EpochMillis to);

 private:
  registry::RegistryStore& store_;
};

}  // namespace huitong::ops::drill
