#include "gateway/faults/mail/AutoReply.h"

#include <cctype>

namespace huitong::faults::mail {
namespace {

std::string lower(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trimmed(const std::string& s) {
  const std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos)
    return {};
  const std::size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::optional<std::string> autoReplyByHeaders(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [name, raw] : headers) {
    const std::string n = lower(name);
    const std::string v = lower(trimmed(raw));
    if (n == "auto-submitted" && !v.empty() && v.compare(0, 2, "no") != 0)
      return "Auto-Submitted: " + trimmed(raw);
    if (n == "precedence" && (v == "bulk" || v == "junk" || v == "list"))
      return "Precedence: " + trimmed(raw);
    if (n == "x-autoreply" || n == "x-autorespond" || n == "x-autoresponder")
      return name + ": " + trimmed(raw);
    if (n == "return-path") {
      std::string bare;
      for (char c : v)
        if (c != ' ' && c != '\t')
          bare += c;
      if (bare == "<>" || bare.empty())
        return "Return-Path: <> (a bounce or delivery report)";
    }
  }
  return std::nullopt;
}

SenderRateGuard::SenderRateGuard(std::size_t maxMails, std::int64_t windowSeconds)
    : maxMails_(maxMails), window_(windowSeconds) {}

std::optional<std::string> SenderRateGuard::note(const std::string& sender, std::int64_t now) {
  if (maxMails_ == 0 || sender.empty())
    return std::nullopt;
  const std::string key = lower(trimmed(sender));
  std::lock_guard<std::mutex> lock(mutex_);
  auto& times = seen_[key];
  while (!times.empty() && times.front() <= now - window_)
    times.pop_front();
  times.push_back(now);
  if (seen_.size() > 10000) {  // forget quiet senders so the map stays small
    for (auto it = seen_.begin(); it != seen_.end();) {
      if (it->second.empty() || it->second.back() <= now - window_)
        it = seen_.erase(it);
      else
        ++it;
    }
  }
  if (times.size() > maxMails_)
    return "sender " + key + " sent " + std::to_string(times.size()) + " mails in " +
           std::to_string(window_) + " s (limit " + std::to_string(maxMails_) +
           "): an auto-reply loop";
  return std::nullopt;
}

}  // namespace huitong::faults::mail
