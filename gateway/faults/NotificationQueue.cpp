#include "gateway/faults/NotificationQueue.h"

#include <utility>

namespace huitong::faults {

NotificationQueue::NotificationQueue(TicketNotifier& sender, std::size_t capacity, Outcome outcome,
                                     Log log)
    : sender_(sender),
      capacity_(capacity < 1 ? 1 : capacity),
      outcome_(std::move(outcome)),
      log_(std::move(log)) {
  counts_.capacity = capacity_;
}

NotificationQueue::~NotificationQueue() {
  stop(std::chrono::milliseconds(0));
}

void NotificationQueue::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_)
    return;
  thread_ = std::thread([this] { run(); });
}

void NotificationQueue::drop(const TicketNotice& n, const std::string& why) {
  if (log_)
    log_("ticket notice dropped: " + why, n);
  if (outcome_)
    outcome_(n, Error{"notify.dropped", why, ""});
}

Result<std::string> NotificationQueue::notify(const TicketNotice& n) {
  std::string why;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!accepting_) {
      why = "the gateway is stopping";
    } else if (queue_.size() >= capacity_) {
      why = "the notice queue is full (" + std::to_string(capacity_) + " waiting)";
    } else {
      queue_.push_back(n);
      ++counts_.queued;
      wake_.notify_one();
      return std::string("queued");
    }
    ++counts_.dropped;
  }
  if (log_)
    log_("ticket notice dropped: " + why, n);
  return Error{"notify.dropped", why, ""};
}

void NotificationQueue::run() {
  for (;;) {
    TicketNotice n;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty())
        return;
      if (stopping_ && std::chrono::steady_clock::now() >= deadline_)
        break;
      n = std::move(queue_.front());
      queue_.pop_front();
    }
    auto sent = sender_.notify(n);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++(sent.ok() ? counts_.sent : counts_.failed);
    }
    if (outcome_)
      outcome_(n, sent);
  }
  // Past the stop deadline: what is left is dropped, each one counted and reported.
  std::deque<TicketNotice> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(queue_);
    counts_.dropped += left.size();
  }
  for (const auto& n : left)
    drop(n, "not sent before the stop deadline");
}

void NotificationQueue::stop(std::chrono::milliseconds deadline) {
  std::thread worker;
  {
    std::lock_guard<std::mutex> lock(mu_);
    accepting_ = false;
    if (!stopping_) {
      stopping_ = true;
      deadline_ = std::chrono::steady_clock::now() + deadline;
    }
    worker = std::move(thread_);
    wake_.notify_all();
  }
  if (worker.joinable()) {
    worker.join();
    return;
  }
  // Never started: nothing will send what is queued.
  std::deque<TicketNotice> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(queue_);
    counts_.dropped += left.size();
  }
  for (const auto& n : left)
    drop(n, "not sent: the notice queue never started");
}

NotificationQueue::Counts NotificationQueue::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  Counts c = counts_;
  c.depth = queue_.size();
  return c;
}

std::string NotificationQueue::renderMetrics() const {
  const Counts c = counts();
  std::string m;
  m += "# HELP huitong_ticket_notices_total Ticket notices by outcome (dropped: queue full or "
       "stopping).\n# TYPE huitong_ticket_notices_total counter\n";
  m += "huitong_ticket_notices_total{outcome=\"sent\"} " + std::to_string(c.sent) + "\n";
  m += "huitong_ticket_notices_total{outcome=\"failed\"} " + std::to_string(c.failed) + "\n";
  m += "huitong_ticket_notices_total{outcome=\"dropped\"} " + std::to_string(c.dropped) + "\n";
  m += "# HELP huitong_ticket_notice_queue_depth Ticket notices waiting to be sent.\n"
       "# TYPE huitong_ticket_notice_queue_depth gauge\n";
  m += "huitong_ticket_notice_queue_depth " + std::to_string(c.depth) + "\n";
  m += "# HELP huitong_ticket_notice_queue_capacity Ticket notices the queue holds at most.\n"
       "# TYPE huitong_ticket_notice_queue_capacity gauge\n";
  m += "huitong_ticket_notice_queue_capacity " + std::to_string(c.capacity) + "\n";
  return m;
}

}  // namespace huitong::faults
