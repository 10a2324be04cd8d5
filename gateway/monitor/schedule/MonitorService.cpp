#include "gateway/monitor/schedule/MonitorService.h"

namespace huitong::monitor::schedule {
namespace {

constexpr std::int64_t kHourMillis = 3600000;
// Hours are rolled up this long after they end, so that runs still being written are in.
constexpr std::int64_t kRollupDelayMillis = 5 * 60000;
// A buffer this large is written without waiting for the next flush.
constexpr std::size_t kFlushBatch = 500;

}  // namespace

MonitorService::MonitorService(std::vector<ScheduledCheck> checks, ResultsStore& store,
                               std::unique_ptr<AlertEngine> alerts, const Clock& clock,
                               const WorkCalendar& calendar, MonitorSettings settings)
    : store_(store),
      alerts_(std::move(alerts)),
      clock_(clock),
      calendar_(calendar),
      settings_(std::move(settings)),
      scheduler_(
          [&] {
            for (const auto& c : checks)
              cadences_[c.check->id()] = c.cadence;
            return std::move(checks);
          }(),
          clock, calendar, settings_.scheduler,
          [this](const RunRecord& r) {
            alerts_->onRun(r);
            std::function<void(const RunRecord&)> listener;
            bool full = false;
            {
              std::lock_guard<std::mutex> lock(mu_);
              buffer_.push_back(r);
              full = buffer_.size() >= kFlushBatch;
              listener = listener_;
            }
            if (full)
              cv_.notify_all();
            if (listener)
              listener(r);
          }) {
  silences_ = settings_.silences;
}

MonitorService::~MonitorService() {
  stop();
}

void MonitorService::setRunListener(std::function<void(const RunRecord&)> listener) {
  std::lock_guard<std::mutex> lock(mu_);
  listener_ = std::move(listener);
}

const Cadence* MonitorService::cadenceOf(const std::string& checkId) const {
  auto it = cadences_.find(checkId);
  return it == cadences_.end() ? nullptr : &it->second;
}

std::vector<AlertWindow> MonitorService::silences() const {
  std::lock_guard<std::mutex> lock(mu_);
  return silences_;
}

void MonitorService::start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_)
      return;
    started_ = true;
  }
  alerts_->start();
  reloadWindows();
  scheduler_.start();
  thread_ = std::thread([this] { loop(); });
}

void MonitorService::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || !started_) {
      stopping_ = true;
      return;
    }
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
  scheduler_.stop();
  flush();
  alerts_->stop();
}

Result<std::int64_t> MonitorService::declare(const DeclaredWindow& window) {
  auto id = store_.addWindow(window);
  if (!id.ok())
    return id;
  reloadWindows();
  return id;
}

void MonitorService::flush() {
  std::vector<RunRecord> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(buffer_);
  }
  if (!batch.empty())
    (void)store_.record(batch);  // a store that is down loses these runs, not the scheduler
}

void MonitorService::reloadWindows() {
  const EpochMillis now = clock_.now();
  std::vector<MajorEvent> events = settings_.events;
  std::vector<AlertWindow> silences = settings_.silences;
  auto declared = store_.windows(now);
  if (declared.ok()) {
    for (const auto& w : declared.value()) {
      if (w.kind == "event")
        events.push_back(MajorEvent{w.name, w.from, w.to, w.createdBy});
      else
        silences.push_back(AlertWindow{w.name, w.matcher, w.from, w.to});
    }
  }
  scheduler_.setEvents(std::move(events));
  alerts_->setWindows(silences, settings_.maintenance);
  std::lock_guard<std::mutex> lock(mu_);
  silences_ = std::move(silences);
}

void MonitorService::chores(bool rollup) {
  flush();
  reloadWindows();
  if (rollup) {
    const EpochMillis now = clock_.now();
    (void)store_.downsample(now - kRollupDelayMillis);
    (void)store_.prune(now, settings_.retention);
  }
}

void MonitorService::loop() {
  auto lastWindows = std::chrono::steady_clock::now();
  EpochMillis lastRollupHour = 0;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, settings_.flushEvery,
                 [this] { return stopping_ || buffer_.size() >= kFlushBatch; });
    if (stopping_)
      break;
    lock.unlock();
    flush();
    const auto steadyNow = std::chrono::steady_clock::now();
    if (steadyNow - lastWindows >= settings_.windowsEvery) {
      lastWindows = steadyNow;
      reloadWindows();
    }
    const EpochMillis hour = (clock_.now() - kRollupDelayMillis) / kHourMillis;
    if (hour != lastRollupHour) {
      lastRollupHour = hour;
      chores(true);
    }
    lock.lock();
  }
}

}  // namespace huitong::monitor::schedule
