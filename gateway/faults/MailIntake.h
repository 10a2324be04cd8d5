// The fault mailboxes polled by `huitong serve` (docs/faults.md "Email intake"): one thread
// polls each configured mailbox every poll_s (a mailbox that fails is tried again at its next
// turn, with the failure logged), handing every mail to the MailTickets sink.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/faults/mail/MailboxPoller.h"

namespace huitong::faults {

class MailIntake {
 public:
  // `sink` outlives the intake.
  MailIntake(std::vector<mail::MailboxConfig> mailboxes, mail::MailSink& sink, mail::MailLog log);
  ~MailIntake();
  MailIntake(const MailIntake&) = delete;
  MailIntake& operator=(const MailIntake&) = delete;

  std::size_t size() const { return pollers_.size(); }
  // Starts the polling thread (nothing when no mailbox is configured); stop() joins it.
  void start();
  void stop();

 private:
  void run();

  std::vector<std::unique_ptr<mail::MailboxPoller>> pollers_;
  mail::MailLog log_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace huitong::faults
