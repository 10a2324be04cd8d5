// The audit trail's head in the gateway's log: at start and then once a day, a line "audit head"
// with the entry count and head hash. A copy of the log kept elsewhere then shows a rewrite of
// the whole chain (which the chain alone cannot: a rewriter recomputes every hash).
// start() once, stop() (or the destructor) once; the store outlives this.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/registry/RegistryStore.h"

namespace huitong::app {

class AuditHeadLog {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;
  using LogLine = std::function<void(const std::string& level, const std::string& message,
                                     const Fields& fields)>;

  AuditHeadLog(registry::RegistryStore& store, LogLine log,
               std::chrono::milliseconds every = std::chrono::hours(24))
      : store_(store), log_(std::move(log)), every_(every) {}
  AuditHeadLog(const AuditHeadLog&) = delete;
  AuditHeadLog& operator=(const AuditHeadLog&) = delete;
  ~AuditHeadLog() { stop(); }

  // Logs the head now, then every `every` on a thread of its own.
  void start();
  void stop();

 private:
  void logHead();

  registry::RegistryStore& store_;
  LogLine log_;
  std::chrono::milliseconds every_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace huitong::app
