// The host checks the scheduler runs: "host" reads this machine's figures (HostReader), "agent"
// scrapes a remote `huitong agent` over HTTP with a bearer token. Both judge the figures
// against the same thresholds (tighter ones during a declared major event) and report them as
// values: cpu_percent, load1, mem_available_bytes, disk_used_percent{mount="/"}...
#pragma once

#include <cstddef>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/monitor/Check.h"
#include "gateway/monitor/host/HostFigures.h"
#include "gateway/monitor/host/HostReader.h"

namespace huitong::monitor::host {

// A figure beyond its threshold fails the check; a negative threshold is off.
struct HostThresholds {
  double cpuPercent = 90;           // fail above: busy share since the previous read
  double loadPerCpu = -1;           // fail above: load1 / CPUs
  double memAvailablePercent = 10;  // fail BELOW: MemAvailable / MemTotal
  double swapUsedPercent = -1;      // fail above
  double diskUsedPercent = 90;      // fail above, per mount (df's Use%)
  double inodesUsedPercent = 90;    // fail above, per mount with an inode table
};

struct HostRules {
  HostThresholds normal;
  HostThresholds intensified{80, -1, 15, -1, 85, 85};
  // When not empty: only these mounts are judged and reported, and one not mounted fails.
  std::vector<std::string> mounts;
};

// The figures as CheckResult values, and every threshold they cross as a sentence
// ("disk / 93.1 % used, threshold 90 %"), in the order cpu, load, memory, swap, mounts.
void addValues(const HostFigures& f, const std::vector<std::string>& onlyMounts,
               std::map<std::string, double>& values);
std::vector<std::string> judge(const HostFigures& f, const HostRules& rules, bool intensified);

// This machine. Owns its reader, so CPU % covers the time since the check's previous run. A
// read that outlasts ctx.timeoutMs is an error; the next runs are errors until it returns.
class HostCheck final : public Check {
 public:
  HostCheck(std::string id, HostRules rules, HostReader::Options reader, const Clock& clock);
  const std::string& id() const override { return id_; }
  const std::string& kind() const override { return kind_; }
  CheckResult run(const RunContext& ctx) override;

 private:
  std::string id_;
  std::string kind_ = "host";
  HostRules rules_;
  const Clock& clock_;
  std::shared_ptr<HostReader> reader_;  // shared with a read still running after a timeout
  std::mutex mu_;
  std::shared_future<Result<HostFigures>> inFlight_;  // guarded by mu_
};

struct AgentTarget {
  std::string url;    // "http://10.0.0.12:9700" or "https://..." (GET <url>/v1/host)
  std::string token;  // the agent's bearer token
  std::size_t maxBodyBytes = 1024 * 1024;
  // https: the CA (or the agent's own certificate) to trust; empty = the system store.
  std::string caFile{};
};

// A remote host through its agent. kError (never kFail) when the agent cannot be asked:
// refused, timed out, 401, another status, an oversized or unreadable body.
class AgentCheck final : public Check {
 public:
  AgentCheck(std::string id, HostRules rules, AgentTarget target);
  const std::string& id() const override { return id_; }
  const std::string& kind() const override { return kind_; }
  CheckResult run(const RunContext& ctx) override;

 private:
  std::string id_;
  std::string kind_ = "agent";
  HostRules rules_;
  AgentTarget target_;
  struct Tls;  // the client TLS context of an https agent
  std::shared_ptr<Tls> tls_;
  std::string tlsError_;  // why that context could not be made (every run is then kError)
};

}  // namespace huitong::monitor::host
