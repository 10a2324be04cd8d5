// Monitoring inside `huitong serve`: reads the config's "monitor" block (schedule-level keys:
// workers, retention, major_events, alerts, notify, silences, maintenance, tcp; probes and hosts
// are read by their own parts), builds every ScheduledCheck, refuses an impossible schedule with
// file:line, opens the results store, and exports each check on /metrics
// (huitong_check_up, huitong_check_duration_seconds, huitong_check_lateness_seconds,
// huitong_monitor_<value>, huitong_alerts_firing).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/core/ConfigNode.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/exchange/Metrics.h"
#include "gateway/monitor/schedule/MonitorService.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::app {

// Reads one part's checks from the monitor block (probes, hosts, tcp).
using CheckReader = std::function<Result<std::vector<monitor::ScheduledCheck>>(
    const ConfigNode& monitorBlock, const Clock& clock)>;

class MonitorWiring {
 public:
  // nullptr (and no error) when the config has no "monitor" block.
  static Result<std::unique_ptr<MonitorWiring>> create(const std::optional<ConfigNode>& block,
                                                       const storage::StoreConfig& store,
                                                       const WorkCalendar& calendar,
                                                       const Clock& clock,
                                                       exchange::MetricsRegistry& metrics);
  ~MonitorWiring();

  void start();
  void stop();
  monitor::schedule::MonitorService& service() { return *service_; }
  // A second set of the notify block's channels, for senders outside the alert engine (the
  // fault tickets' notices); their names are channelNames(). Each set is used by one thread at
  // a time (the caller serialises).
  Result<std::vector<std::unique_ptr<monitor::schedule::Notifier>>> makeNotifiers() const;
  const std::set<std::string>& channelNames() const { return channelNames_; }

 private:
  MonitorWiring() = default;
  void observe(const monitor::schedule::RunRecord& r);

  exchange::MetricsRegistry* metrics_ = nullptr;
  std::optional<ConfigNode> notify_;  // the monitor block's "notify" (the config outlives it)
  const Clock* clock_ = nullptr;
  std::set<std::string> channelNames_;
  std::unique_ptr<monitor::schedule::ResultsStore> store_;
  std::unique_ptr<monitor::schedule::MonitorService> service_;
  struct Latest {
    double up = 0, durationSeconds = 0, latenessSeconds = 0;
    std::map<std::string, double> values;
  };
  std::mutex mu_;
  std::map<std::string, Latest> latest_;
  std::set<std::string> registered_;  // value gauges already on /metrics
};

// Metric name and labels of a value entry: "disk_used_percent{mount=\"/\"}" of check "db" →
// name "huitong_monitor_disk_used_percent", labels "check=\"db\",mount=\"/\"". An invalid name
// character becomes '_'. Names follow Prometheus' conventions (promtool check metrics): a unit
// word becomes the base unit at the end and `scale` converts the value ("latency_ms" →
// "..._latency_seconds" × 0.001, "tls_days_left" → "..._tls_left_seconds" × 86400); a suffix
// kept for histograms and counters is renamed ("cpu_count" → "..._cpus").
void monitorMetricName(const std::string& checkId, const std::string& value, std::string& name,
                       std::string& labels, double& scale);

}  // namespace huitong::app
