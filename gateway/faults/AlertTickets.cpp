#include "gateway/faults/AlertTickets.h"

#include <iostream>

namespace huitong::faults {

std::string problemKey(const monitor::schedule::AlertNotice& n) {
  return (n.source == "health" ? "health:" : "check:") + n.key;
}

void AlertTickets::alertOpened(const monitor::schedule::AlertNotice& n) {
  const bool health = n.source == "health";
  std::string system, item;
  if (health) {
    const auto slash = n.key.find('/');
    system = n.key.substr(0, slash);
    if (slash != std::string::npos)
      item = n.key.substr(slash + 1);
  }
  const std::string summary =
      "[" + n.rule + "] " + n.key + (n.summary.empty() ? "" : ": " + n.summary);
  auto r = service_.problemFiring(health ? Channel::kHealth : Channel::kAlert,
                                  (health ? "health:" : "monitor:") + n.rule, problemKey(n),
                                  summary, system, item, n.openedAt > 0 ? n.openedAt : n.at);
  if (!r.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    lastError_ = "alert " + std::to_string(n.alertId) + ": " + r.error().describe();
    std::cerr << "faults: no ticket for " << lastError_ << "\n";
  }
}

void AlertTickets::alertResolved(const monitor::schedule::AlertNotice& n) {
  const std::string summary =
      "[" + n.rule + "] " + n.key + " resolved" + (n.summary.empty() ? "" : ": " + n.summary);
  auto r = service_.problemResolved((n.source == "health" ? "health:" : "monitor:") + n.rule,
                                    problemKey(n), summary, n.at);
  if (!r.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    lastError_ = "alert " + std::to_string(n.alertId) + ": " + r.error().describe();
    std::cerr << "faults: resolution not noted for " << lastError_ << "\n";
  }
}

std::string AlertTickets::lastError() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lastError_;
}

}  // namespace huitong::faults
