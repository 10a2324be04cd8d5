// Ticket notices sent off the request path: notify() puts the notice in a bounded queue and
// returns at once; one sender thread hands each to the real notifier (the monitor block's
// channels) and reports the outcome (TicketService records it as the ticket's `notified`
// event). A full queue drops the notice — counted, logged and returned as an error, so that the
// request records "failed" on the ticket instead of blocking. stop() drains what is queued until
// a deadline; what is left then is dropped the same way. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/faults/TicketService.h"

namespace huitong::faults {

class NotificationQueue final : public TicketNotifier {
 public:
  // Told of every notice's outcome, on the sender thread (dropped ones included, with the
  // error "notify.dropped").
  using Outcome = std::function<void(const TicketNotice&, const Result<std::string>&)>;
  using Log = std::function<void(const std::string& message, const TicketNotice&)>;

  // REQUIRES: `sender` outlives the queue; capacity >= 1.
  NotificationQueue(TicketNotifier& sender, std::size_t capacity, Outcome outcome, Log log);
  ~NotificationQueue() override;
  NotificationQueue(const NotificationQueue&) = delete;
  NotificationQueue& operator=(const NotificationQueue&) = delete;

  // Queued: "queued"; the queue full or stopped: Error{"notify.dropped"} (counted, logged).
  Result<std::string> notify(const TicketNotice& notice) override;
  bool deferred() const override { return true; }

  void start();
  // Stops taking notices, sends what is queued until `deadline` has passed, drops the rest.
  // Idempotent.
  void stop(std::chrono::milliseconds deadline = std::chrono::seconds(5));

  struct Counts {
    std::uint64_t queued = 0, sent = 0, failed = 0, dropped = 0;
    std::size_t depth = 0, capacity = 0;
  };
  Counts counts() const;
  // Prometheus text: huitong_ticket_notices_total{outcome=sent|failed|dropped} and
  // huitong_ticket_notice_queue_depth / _capacity.
  std::string renderMetrics() const;

 private:
  void run();
  void drop(const TicketNotice& notice, const std::string& why);

  TicketNotifier& sender_;
  const std::size_t capacity_;
  Outcome outcome_;
  Log log_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<TicketNotice> queue_;
  bool accepting_ = true;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point deadline_{};
  Counts counts_;
  std::thread thread_;
};

}  // namespace huitong::faults
