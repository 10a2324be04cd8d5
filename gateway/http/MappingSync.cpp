#include "gateway/http/MappingSync.h"

#include <algorithm>

namespace huitong::http {

MappingSync::MappingSync(registry::MappingVersions& versions, exchange::MappingSet& set,
                         exchange::MetricsRegistry& metrics, std::vector<std::string> systems,
                         LogLine log, std::chrono::milliseconds every)
    : versions_(versions),
      set_(set),
      metrics_(metrics),
      systems_(std::move(systems)),
      log_(std::move(log)),
      every_(every) {
  for (const auto& s : systems_)
    status_[s].system = s;
}

MappingSync::~MappingSync() {
  stop();
}

Result<void> MappingSync::refresh(bool initial) {
  std::lock_guard<std::mutex> serial(refreshMutex_);
  auto live = versions_.live();
  if (!live.ok())
    return live.error();
  Error firstFailure;
  for (const auto& l : live.value()) {
    if (std::find(systems_.begin(), systems_.end(), l.system) == systems_.end())
      continue;  // a system this gateway does not serve
    {
      std::lock_guard<std::mutex> lock(statusMutex_);
      SystemStatus& s = status_[l.system];
      s.live = l.version;
      s.liveGeneration = l.generation;
      if (s.generation == l.generation || (!s.error.empty() && s.failedGeneration == l.generation))
        continue;
    }
    const std::string label = "system=\"" + exchange::MetricsRegistry::escape(l.system) + "\"";
    auto loaded = versions_.load(l.system, l.version);
    std::string error;
    if (!loaded.ok()) {
      error = loaded.error().describe();
    } else {
      // The adapter reads what the running version reads, or (first publish) what the draft
      // it was built for reads.
      std::string adapterReads;
      if (const auto running = set_.find(l.system))
        adapterReads = running->inputFormat();
      else if (const auto waiting = set_.awaiting(l.system))
        adapterReads = waiting->inputFormat;
      if (!adapterReads.empty() && adapterReads != loaded.value()->inputFormat()) {
        error = "version " + l.version + " reads " + loaded.value()->inputFormat() +
                " but the system's adapter reads " + adapterReads + ": restart to switch";
      }
    }
    std::lock_guard<std::mutex> lock(statusMutex_);
    SystemStatus& s = status_[l.system];
    if (!error.empty()) {
      s.error = error;
      s.failedGeneration = l.generation;
      metrics_
          .counter("huitong_mapping_load_failures_total",
                   "Live mapping versions that could not be loaded (the running one stayed)", label)
          .inc();
      log_("error", "mapping version not loaded; the running version stays",
           {{"system", l.system},
            {"version", l.version},
            {"running", s.running.empty() ? "none" : s.running},
            {"error", error}});
      if (firstFailure.code.empty())
        firstFailure = Error{"mapping.load", "system " + l.system + ": " + error, ""};
      continue;
    }
    set_.install(l.system, loaded.value());
    log_("info", s.running.empty() ? "mapping loaded" : "mapping switched",
         {{"system", l.system},
          {"version", l.version},
          {"previous", s.running.empty() ? "none" : s.running},
          {"generation", std::to_string(l.generation)}});
    metrics_.counter("huitong_mapping_switches_total", "Mapping versions installed", label).inc();
    s.running = l.version;
    s.generation = l.generation;
    s.error.clear();
    s.failedGeneration = 0;
  }
  if (initial) {
    std::lock_guard<std::mutex> lock(statusMutex_);
    for (const auto& system : systems_) {
      if (!status_[system].running.empty())
        continue;
      if (!firstFailure.code.empty())
        return firstFailure;
      // Nothing published yet: a system in joint debugging starts on its newest draft.
      auto all = versions_.versions(system);
      if (!all.ok())
        return all.error();
      const registry::MappingVersionRecord* newest = nullptr;
      for (const auto& v : all.value()) {
        if (newest == nullptr || v.createdAt > newest->createdAt ||
            (v.createdAt == newest->createdAt && v.version > newest->version))
          newest = &v;
      }
      if (newest == nullptr) {
        return Error{"mapping.missing",
                     "system '" + system + "' has no mapping version: upload one (`huitong " +
                         "mapping draft`) or put its folder under the mappings directory",
                     ""};
      }
      set_.await(system, exchange::MappingSet::Awaiting{newest->inputFormat, newest->version});
      log_("notice",
           "no published mapping: production waits for a publish, the sandbox runs "
           "the draft",
           {{"system", system}, {"draft", newest->version}, {"reads", newest->inputFormat}});
    }
  }
  return {};
}

void MappingSync::start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, every_, [this] { return stopping_; })) {
      lock.unlock();
      if (auto r = refresh(); !r.ok() && r.error().code != "mapping.load")
        log_("warning", "mapping versions unreadable", {{"error", r.error().describe()}});
      lock.lock();
    }
  });
}

void MappingSync::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

std::vector<MappingSync::SystemStatus> MappingSync::status() const {
  std::lock_guard<std::mutex> lock(statusMutex_);
  std::vector<SystemStatus> out;
  for (const auto& [system, s] : status_)
    out.push_back(s);
  return out;
}

}  // namespace huitong::http
