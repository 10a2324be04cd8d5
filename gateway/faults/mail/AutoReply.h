// Automatic mail that must never start or feed a ticket conversation: out-of-office replies,
// bounces, list and bulk mail (by their headers, RFC 3834 and common practice), and a sender
// whose mails come faster than a human writes (a loop between two auto-responders).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace huitong::faults::mail {

// The reason in words when the headers mark the mail as automatic: Auto-Submitted other than
// "no", Precedence bulk/junk/list, X-Autoreply, X-Autorespond, an empty Return-Path (<>).
std::optional<std::string> autoReplyByHeaders(
    const std::vector<std::pair<std::string, std::string>>& headers);

// Counts each sender's mails in a sliding window; more than `maxMails` in `windowSeconds` is a
// loop. Thread-safe. Times are seconds on any monotonic or wall clock the caller injects.
class SenderRateGuard {
 public:
  SenderRateGuard(std::size_t maxMails, std::int64_t windowSeconds);

  // Records one mail from `sender` (compared case-insensitively) at `now`; the reason when the
  // sender is over the rate, counting this mail.
  std::optional<std::string> note(const std::string& sender, std::int64_t now);

 private:
  std::size_t maxMails_;
  std::int64_t window_;
  std::mutex mutex_;
  std::map<std::string, std::deque<std::int64_t>> seen_;
};

}  // namespace huitong::faults::mail
