// The filing states in memory, for the intake's gate (exchange/FilingGate.h): a message costs
// no database read. Kept current two ways: every change this gateway's RegistryService makes is
// applied at once (apply(), wired as the service's change listener), and the whole registry is
// read again from the store every `interval` (other instances on PostgreSQL, `huitong filing`
// on the same database). A refresh never undoes a newer local change: per filing, the higher
// version wins. Thread-safe: lookups from every request thread, apply() and refreshes at once.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/registry/Filing.h"

namespace huitong::registry {

class FilingSnapshot {
 public:
  // Every filing on file (RegistryStore::filings with an empty filter).
  using Loader = std::function<Result<std::vector<Filing>>()>;

  // `clock` (outlives the snapshot) decides when a refresh is due; `intervalMillis` > 0.
  FilingSnapshot(Loader load, const Clock& clock, std::int64_t intervalMillis);
  ~FilingSnapshot();
  FilingSnapshot(const FilingSnapshot&) = delete;
  FilingSnapshot& operator=(const FilingSnapshot&) = delete;

  // Reads every filing now. On an error the previous states stay (and the error returns).
  Result<void> refresh();
  // refresh() when the last one (successful or not) is `interval` old by the clock, or there
  // was none; false when it was not due.
  Result<bool> refreshIfDue();
  // A change made through this gateway: seen by the next lookup.
  void apply(const Filing& filing);

  // The state of the filing (system, itemCode); nullopt when it is not on file.
  std::optional<FilingState> state(const std::string& system, const std::string& itemCode) const;
  std::size_t size() const;
  // When the store was last read successfully (0: never).
  EpochMillis refreshedAt() const;

  // A thread calling refreshIfDue() about every interval until stop(); `onError` is told of a
  // failed refresh (the previous states stay in use). REQUIRES: not running.
  void start(std::function<void(const Error&)> onError);
  void stop();

 private:
  struct Entry {
    FilingState state = FilingState::kRequested;
    std::int64_t version = 0;
  };
  using Key = std::pair<std::string, std::string>;

  Loader load_;
  const Clock& clock_;
  const std::int64_t intervalMillis_;

  mutable std::mutex mutex_;
  std::map<Key, Entry> states_;
  EpochMillis refreshedAt_ = 0;
  std::optional<EpochMillis> attemptedAt_;

  std::mutex threadMutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace huitong::registry
