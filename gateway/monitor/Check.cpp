#include "gateway/monitor/Check.h"

#include <algorithm>

namespace huitong::monitor {

Result<Cadence> readCadence(const ConfigNode& entry) {
  Cadence c;
  auto schedule = entry.oneOf("schedule", {"5x8", "7x24"}, "5x8");
  if (!schedule.ok())
    return schedule.error();
  c.schedule = schedule.value();
  auto interval = entry.integer("interval_s", 60, 5, 86400);
  if (!interval.ok())
    return interval.error();
  c.intervalSeconds = static_cast<unsigned>(interval.value());
  const long long quarter = std::max(5LL, interval.value() / 4);
  auto intensified = entry.integer("intensified_interval_s", quarter, 5, 86400);
  if (!intensified.ok())
    return intensified.error();
  if (intensified.value() > interval.value()) {
    return entry.fail("intensified_interval_s",
                      "intensified_interval_s (" + std::to_string(intensified.value()) +
                          ") must not be longer than interval_s (" +
                          std::to_string(interval.value()) + "): a major event checks more often");
  }
  c.intensifiedIntervalSeconds = static_cast<unsigned>(intensified.value());
  auto timeout = entry.integer("timeout_ms", 10000, 100, 120000);
  if (!timeout.ok())
    return timeout.error();
  if (timeout.value() > interval.value() * 1000) {
    return entry.fail("timeout_ms", "timeout_ms (" + std::to_string(timeout.value()) +
                                        ") must not be longer than interval_s (" +
                                        std::to_string(interval.value()) + " s)");
  }
  c.timeoutMs = static_cast<unsigned>(timeout.value());
  return c;
}

}  // namespace huitong::monitor
