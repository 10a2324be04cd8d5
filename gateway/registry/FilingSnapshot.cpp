#include "gateway/registry/FilingSnapshot.h"

#include <chrono>

namespace huitong::registry {

FilingSnapshot::FilingSnapshot(Loader load, const Clock& clock, std::int64_t intervalMillis)
    : load_(std::move(load)), clock_(clock), intervalMillis_(intervalMillis) {}

FilingSnapshot::~FilingSnapshot() {
  stop();
}

Result<void> FilingSnapshot::refresh() {
  const EpochMillis now = clock_.now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    attemptedAt_ = now;
  }
  // The read runs outside the lock: lookups go on with the previous states meanwhile.
  auto filings = load_();
  if (!filings.ok())
    return filings.error();
  std::map<Key, Entry> next;
  for (const auto& f : filings.value())
    next[{f.system, f.itemCode}] = Entry{f.state, f.version};
  std::lock_guard<std::mutex> lock(mutex_);
  // A change applied while the read ran may be newer than what the read saw.
  for (const auto& [key, entry] : states_) {
    auto it = next.find(key);
    if (it == next.end() || it->second.version < entry.version)
      next[key] = entry;
  }
  states_ = std::move(next);
  refreshedAt_ = now;
  return {};
}

Result<bool> FilingSnapshot::refreshIfDue() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (attemptedAt_ && clock_.now() - *attemptedAt_ < intervalMillis_)
      return false;
  }
  if (auto r = refresh(); !r.ok())
    return r.error();
  return true;
}

void FilingSnapshot::apply(const Filing& filing) {
  std::lock_guard<std::mutex> lock(mutex_);
  Entry& e = states_[{filing.system, filing.itemCode}];
  if (filing.version >= e.version)
    e = Entry{filing.state, filing.version};
}

std::optional<FilingState> FilingSnapshot::state(const std::string& system,
                                                 const std::string& itemCode) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = states_.find({system, itemCode});
  if (it == states_.end())
    return std::nullopt;
  return it->second.state;
}

std::size_t FilingSnapshot::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return states_.size();
}

EpochMillis FilingSnapshot::refreshedAt() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return refreshedAt_;
}

void FilingSnapshot::start(std::function<void(const Error&)> onError) {
  stopping_ = false;
  thread_ = std::thread([this, onError = std::move(onError)] {
    std::unique_lock<std::mutex> lock(threadMutex_);
    while (!stopping_) {
      wake_.wait_for(lock, std::chrono::milliseconds(intervalMillis_),
                     [this] { return stopping_; });
      if (stopping_)
        break;
      lock.unlock();
      auto r = refreshIfDue();
      if (!r.ok() && onError)
        onError(r.error());
      lock.lock();
    }
  });
}

void FilingSnapshot::stop() {
  {
    std::lock_guard<std::mutex> lock(threadMutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

}  // namespace huitong::registry
