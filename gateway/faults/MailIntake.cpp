#include "gateway/faults/MailIntake.h"

#include <algorithm>
#include <chrono>

namespace huitong::faults {

MailIntake::MailIntake(std::vector<mail::MailboxConfig> mailboxes, mail::MailSink& sink,
                       mail::MailLog log)
    : log_(std::move(log)) {
  for (auto& m : mailboxes)
    pollers_.push_back(std::make_unique<mail::MailboxPoller>(std::move(m), sink, log_));
}

MailIntake::~MailIntake() {
  stop();
}

void MailIntake::start() {
  if (pollers_.empty() || thread_.joinable())
    return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void MailIntake::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void MailIntake::run() {
  using Steady = std::chrono::steady_clock;
  std::vector<Steady::time_point> due(pollers_.size(), Steady::now());
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const auto next = *std::min_element(due.begin(), due.end());
    if (wake_.wait_until(lock, next, [this] { return stopping_; }))
      break;
    for (std::size_t i = 0; i < pollers_.size() && !stopping_; ++i) {
      if (Steady::now() < due[i])
        continue;
      lock.unlock();
      const mail::PollReport r = pollers_[i]->pollOnce();
      if (!r.ok() && log_) {
        log_("warning", "mailbox poll failed; tried again at its next turn",
             {{"mailbox", pollers_[i]->config().name}, {"error", r.error}});
      }
      lock.lock();
      due[i] = Steady::now() + std::chrono::seconds(pollers_[i]->config().pollSeconds);
    }
  }
}

}  // namespace huitong::faults
