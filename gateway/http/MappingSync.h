// Keeps the mappings a gateway runs equal to the live versions in the registry: at start it
// installs every configured system's live version (or refuses to start), then it notices a
// new live generation — a publish or rollback through this gateway's API, the CLI, or another
// instance on the same PostgreSQL database — and switches that system to it without a restart:
// requests already mapping finish on the old version, the next ones get the new one. A version
// that fails to load (does not compile in this build, reads another input format than the
// system's adapter) is not installed: the running one stays, the failure is logged, counted
// (huitong_mapping_load_failures_total) and shown by status() until a loadable version is live.
// Thread-safe. The versions, set and metrics outlive it; stop() (or the destructor) before
// they go.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/core/Error.h"
#include "gateway/exchange/MappingSet.h"
#include "gateway/exchange/Metrics.h"
#include "gateway/registry/MappingVersions.h"

namespace huitong::http {

class MappingSync {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;
  using LogLine = std::function<void(const std::string& level, const std::string& message,
                                     const Fields& fields)>;

  // What one system runs and what the registry says it should.
  struct SystemStatus {
    std::string system;
    std::string running;          // the version installed here ("" = none)
    std::int64_t generation = 0;  // the live generation installed
    std::string live;             // the live version in the registry
    std::int64_t liveGeneration = 0;
    std::string error;                  // why the live version is not running ("" when it is)
    std::int64_t failedGeneration = 0;  // the generation that failed (not retried)
  };

  MappingSync(registry::MappingVersions& versions, exchange::MappingSet& set,
              exchange::MetricsRegistry& metrics, std::vector<std::string> systems, LogLine log,
              std::chrono::milliseconds every = std::chrono::seconds(2));
  ~MappingSync();
  MappingSync(const MappingSync&) = delete;
  MappingSync& operator=(const MappingSync&) = delete;

  // Installs the live version of every system whose generation differs from the installed
  // one. With `initial`, a system that ends up with nothing installed is an error (startup).
  Result<void> refresh(bool initial = false);
  // refresh() every `every` on a thread, until stop().
  void start();
  void stop();
  std::vector<SystemStatus> status() const;

 private:
  registry::MappingVersions& versions_;
  exchange::MappingSet& set_;
  exchange::MetricsRegistry& metrics_;
  const std::vector<std::string> systems_;
  LogLine log_;
  const std::chrono::milliseconds every_;

  std::mutex refreshMutex_;  // one refresh at a time (API and timer)
  mutable std::mutex statusMutex_;
  std::map<std::string, SystemStatus> status_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace huitong::http
