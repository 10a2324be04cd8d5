#include "gateway/faults/SlaWatcher.h"

#include <unordered_set>

#include "gateway/core/Json.h"
#include "gateway/faults/TicketSla.h"
#include "gateway/faults/sla/SlaClock.h"

namespace huitong::faults {
namespace {

bool recorded(const std::vector<TicketEvent>& history, EventKind kind, const std::string& clock) {
  for (const auto& e : history) {
    if (e.kind == kind && slaEventClock(e) == clock)
      return true;
  }
  return false;
}

std::string detailOf(const sla::ClockReading& r) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("clock", json::string(sla::toString(r.kind), a), a);
  d.AddMember("state", json::string(sla::toString(r.state), a), a);
  d.AddMember("target", json::string(r.target.text(), a), a);
  d.AddMember("elapsed_ms", static_cast<std::int64_t>(r.elapsed), a);
  if (r.dueAt)
    d.AddMember("due", json::string(formatRfc3339(*r.dueAt), a), a);
  if (r.warnAt)
    d.AddMember("warn_at", json::string(formatRfc3339(*r.warnAt), a), a);
  return json::write(d);
}

}  // namespace

SlaWatcher::SlaWatcher(TicketService& service, const sla::SlaPolicy& policy, const Clock& clock,
                       const WorkCalendar& calendar, std::chrono::milliseconds interval)
    : service_(service), policy_(policy), clock_(clock), calendar_(calendar), interval_(interval) {}

SlaWatcher::~SlaWatcher() {
  stop();
}

void SlaWatcher::start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (running_)
    return;
  running_ = true;
  thread_ = std::thread([this] { loop(); });
}

void SlaWatcher::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!running_)
      return;
    running_ = false;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

SlaPassStats SlaWatcher::lastPass() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_;
}

void SlaWatcher::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (running_) {
    lock.unlock();
    runOnce();
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return !running_; });
  }
}

SlaPassStats SlaWatcher::runOnce() {
  std::lock_guard<std::mutex> pass(passMutex_);
  const auto started = std::chrono::steady_clock::now();
  const EpochMillis now = clock_.now();
  SlaPassStats stats;
  TicketStore& store = service_.store();
  auto fail = [&](const std::string& what) {
    ++stats.failures;
    if (log_)
      log_("sla watcher: " + what);
  };

  // Newest first in pages; the next page ends just after the oldest creation time seen, and ids
  // already evaluated in this pass are skipped (tickets created in the same millisecond).
  std::unordered_set<std::string> seen;
  TicketFilter filter;
  filter.openOnly = true;
  filter.limit = kMaxTicketPage;
  while (true) {
    auto page = store.list(filter);
    ++stats.pages;
    if (!page.ok()) {
      fail("listing open tickets: " + page.error().describe());
      break;
    }
    const auto& tickets = page.value();
    int fresh = 0;
    EpochMillis oldest = 0;
    for (const Ticket& t : tickets) {
      oldest = t.createdAt;
      if (!seen.insert(t.id).second)
        continue;
      ++fresh;
      ++stats.tickets;
      auto history = store.events(t.id);
      if (!history.ok()) {
        fail(t.id + ": " + history.error().describe());
        continue;
      }
      const auto evaluation =
          sla::evaluate(slaTimeline(t, history.value()), policy_, now, calendar_);
      for (const auto& r : evaluation.clocks) {
        if (!r.open())
          continue;
        const std::string clock = sla::toString(r.kind);
        const bool breached = r.state == sla::ClockState::kBreached;
        const bool warning = r.state == sla::ClockState::kWarning;
        if (!breached && !warning)
          continue;
        // A clock that went past its target between two passes gets the breach only.
        const EventKind kind = breached ? EventKind::kSlaBreach : EventKind::kSlaWarning;
        if (recorded(history.value(), kind, clock) ||
            (warning && recorded(history.value(), EventKind::kSlaBreach, clock)))
          continue;
        const std::string text =
            clock + " clock " + (breached ? "breached" : "warning") + ": " + sla::describe(r);
        auto done = service_.recordSla(t.id, kind, clock, text, detailOf(r));
        if (!done.ok()) {
          fail(t.id + ": " + done.error().describe());
          continue;
        }
        if (done.value())
          ++(breached ? stats.breaches : stats.warnings);
      }
    }
    if (static_cast<int>(tickets.size()) < filter.limit)
      break;
    if (fresh == 0) {
      // A whole page created in one millisecond: step past it rather than loop.
      fail("more than " + std::to_string(filter.limit) +
           " open tickets created in the same millisecond; some skipped this pass");
      filter.createdTo = oldest;
    } else {
      filter.createdTo = oldest + 1;
    }
    if (filter.createdTo <= 0)
      break;
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (log_ && (stats.warnings > 0 || stats.breaches > 0))
    log_("sla watcher: " + std::to_string(stats.tickets) + " open tickets, " +
         std::to_string(stats.warnings) + " warnings, " + std::to_string(stats.breaches) +
         " breaches");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    last_ = stats;
  }
  return stats;
}

}  // namespace huitong::faults
