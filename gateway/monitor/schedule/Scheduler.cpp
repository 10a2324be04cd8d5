#include "gateway/monitor/schedule/Scheduler.h"

#include <algorithm>
#include <exception>

namespace huitong::monitor::schedule {
namespace {

// A wall clock that went back more than this is a jump, not jitter between readings.
constexpr EpochMillis kBackwardJumpMillis = 1000;

}  // namespace

Scheduler::Scheduler(std::vector<ScheduledCheck> checks, const Clock& clock,
                     const WorkCalendar& calendar, SchedulerOptions options, Sink sink)
    : clock_(clock), calendar_(calendar), options_(options), sink_(std::move(sink)) {
  options_.workers = std::clamp(options_.workers, 1U, 64U);
  for (auto& sc : checks) {
    Entry e;
    e.state.id = sc.check->id();
    e.state.kind = sc.check->kind();
    e.state.cadence = sc.cadence;
    e.sc = std::move(sc);
    entries_.push_back(std::move(e));
  }
}

Scheduler::~Scheduler() {
  stop();
}

void Scheduler::plan(Entry& e, EpochMillis after) {
  auto s = nextSlot(e.state.id, e.state.cadence, calendar_, events_, after);
  e.state.nextDue = s ? s->at : 0;
  e.state.nextIntensified = s && s->intensified;
}

void Scheduler::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_)
    return;
  started_ = true;
  lastNow_ = clock_.now();
  for (auto& e : entries_)
    plan(e, lastNow_);
  loopThread_ = std::thread([this] { loop(); });
  for (unsigned i = 0; i < options_.workers; ++i)
    workers_.emplace_back([this] { work(); });
}

void Scheduler::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || !started_) {
      stopping_ = true;
      return;
    }
    stopping_ = true;
  }
  loopCv_.notify_all();
  workCv_.notify_all();
  if (loopThread_.joinable())
    loopThread_.join();
  for (auto& w : workers_) {
    if (w.joinable())
      w.join();
  }
}

void Scheduler::wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  loopCv_.notify_all();
}

void Scheduler::setEvents(std::vector<MajorEvent> events) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    events_ = std::move(events);
    const EpochMillis now = clock_.now();
    for (auto& e : entries_) {
      if (!e.state.running && !e.queued)
        plan(e, now);
    }
    woken_ = true;
  }
  loopCv_.notify_all();
}

std::vector<MajorEvent> Scheduler::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

std::vector<Scheduler::CheckState> Scheduler::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CheckState> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_)
    out.push_back(e.state);
  return out;
}

void Scheduler::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const EpochMillis now = clock_.now();
    if (now < lastNow_ - kBackwardJumpMillis) {
      for (auto& e : entries_) {
        if (!e.state.running && !e.queued)
          plan(e, now);
      }
    }
    lastNow_ = now;
    std::vector<std::size_t> due;
    EpochMillis soonest = 0;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      auto& e = entries_[i];
      if (e.state.running || e.queued || e.state.nextDue == 0)
        continue;
      if (e.state.nextDue <= now) {
        e.queued = true;
        e.dueAt = e.state.nextDue;
        e.dueIntensified = e.state.nextIntensified;
        due.push_back(i);
      } else if (soonest == 0 || e.state.nextDue < soonest) {
        soonest = e.state.nextDue;
      }
    }
    if (!due.empty()) {
      std::sort(due.begin(), due.end(), [&](std::size_t a, std::size_t b) {
        return entries_[a].dueAt < entries_[b].dueAt;
      });
      ready_.insert(ready_.end(), due.begin(), due.end());
      workCv_.notify_all();
    }
    auto wait = options_.maxWait;
    if (soonest != 0)
      wait = std::min(wait, std::chrono::milliseconds(std::max<EpochMillis>(1, soonest - now)));
    loopCv_.wait_for(lock, wait, [this] { return stopping_ || woken_; });
    woken_ = false;
  }
}

void Scheduler::work() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    workCv_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
    if (stopping_)
      return;
    const std::size_t i = ready_.front();
    ready_.pop_front();
    Entry& e = entries_[i];
    e.queued = false;
    e.state.running = true;
    const EpochMillis dueAt = e.dueAt;
    const bool intensified = e.dueIntensified;
    std::shared_ptr<Check> check = e.sc.check;
    const Cadence cadence = e.sc.cadence;
    lock.unlock();

    RunRecord rec;
    rec.dueAt = dueAt;
    rec.intensified = intensified;
    rec.schedule = cadence.schedule;
    const EpochMillis started = clock_.now();
    rec.latenessMs = static_cast<double>(std::max<EpochMillis>(0, started - dueAt));
    RunContext ctx;
    ctx.clock = &clock_;
    ctx.timeoutMs = cadence.timeoutMs;
    ctx.intensified = intensified;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      rec.result = check->run(ctx);
    } catch (const std::exception& ex) {  // the interface says never; a bug must not kill us
      rec.result.status = CheckStatus::kError;
      rec.result.message = std::string("the check threw: ") + ex.what();
    }
    const double ranMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (rec.result.checkId.empty())
      rec.result.checkId = check->id();
    if (rec.result.kind.empty())
      rec.result.kind = check->kind();
    if (rec.result.startedAt == 0)
      rec.result.startedAt = started;
    if (rec.result.durationMs <= 0)
      rec.result.durationMs = ranMs;
    const auto limit = static_cast<double>(cadence.timeoutMs + options_.timeoutGrace.count());
    if (ranMs > limit && rec.result.status != CheckStatus::kError) {
      rec.result.status = CheckStatus::kError;
      rec.result.message = "the run took " + std::to_string(static_cast<long long>(ranMs)) +
                           " ms, beyond its timeout of " + std::to_string(cadence.timeoutMs) +
                           " ms";
    }
    if (sink_) {
      try {
        sink_(rec);
      } catch (const std::exception&) {  // a failing sink loses one record, not the worker
      }
    }

    lock.lock();
    const EpochMillis now = clock_.now();
    e.state.running = false;
    e.state.runs++;
    e.state.lastLatenessMs = rec.latenessMs;
    e.state.last = std::move(rec.result);
    const EpochMillis from = std::max(dueAt, now);
    if (now > dueAt) {
      const auto passed = scheduledSlots(e.state.id, cadence, calendar_, dueAt + 1, now + 1);
      e.state.skippedSlots += static_cast<std::uint64_t>(std::max<std::int64_t>(0, passed));
    }
    plan(e, from);
    loopCv_.notify_all();
  }
}

}  // namespace huitong::monitor::schedule
