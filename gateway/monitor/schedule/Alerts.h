// Alerts from check runs and from other signals (per-item health, later anything that can say
// "this key is firing"): rules, one open alert per rule and key (deduplicated: a rule that keeps
// firing does not open another), silences (the alert opens, nobody is notified) and maintenance
// windows (no alert opens), notifications with retries and each outcome recorded, and a fault
// ticket hook. An alert resolves itself when its condition clears, and that is notified too.
// Thread-safe; notifications are sent from one background thread so that a slow robot or SMTP
// server never holds a check's worker.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/monitor/schedule/ResultsStore.h"
#include "gateway/monitor/schedule/Scheduler.h"

namespace huitong::monitor::schedule {

// A generic alert input: something about `key` (a check id, "system/item") is or is no longer
// wrong. Per-item health feeds it with source "health" and firing = status red.
struct AlertSignal {
  std::string source;  // "health", ...
  std::string key;
  bool firing = false;
  std::string summary;  // the reasons in words
};

struct AlertRule {
  std::string name;
  // "consecutive_failures": `count` runs in a row not ok;
  // "threshold": values[`value`] above `above` for `forMinutes` (0: at once);
  // "signal": an AlertSignal of `source` firing.
  std::string kind;
  std::vector<std::string> checks;  // check ids (or signal keys) the rule watches; empty: all
  int count = 3;
  std::string value;
  double above = 0;
  int forMinutes = 0;
  std::string source;
  std::vector<std::string> channels;  // notifier names; empty: every channel
};

// A silence (alerts open, notifications are withheld) or a maintenance window (no alert opens).
struct AlertWindow {
  std::string name;
  std::string matcher;  // "check=ID" (or a signal key), "rule=NAME", "" = everything
  EpochMillis from = 0, to = 0;
  bool matches(const std::string& rule, const std::string& key, EpochMillis t) const;
};

struct AlertNotice {
  std::int64_t alertId = 0;
  std::string rule, key, source;
  std::string event;  // "firing" | "resolved"
  std::string summary;
  EpochMillis openedAt = 0, at = 0;
};

// A notification channel. send() is called from the alert engine's thread only; it returns a
// short description of the answer ("HTTP 200 errcode 0", "250 OK") or the failure.
class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual const std::string& name() const = 0;
  virtual Result<std::string> send(const AlertNotice& notice) = 0;
};

// Where alerts become fault tickets (the fault module implements it): called on the engine's
// notification thread after an alert opened / resolved; must not block for long.
class FaultTicketHook {
 public:
  virtual ~FaultTicketHook() = default;
  virtual void alertOpened(const AlertNotice& notice) = 0;
  virtual void alertResolved(const AlertNotice& notice) = 0;
};

struct RetryPolicy {
  int attempts = 3;
  int backoffMillis = 1000;  // doubled after each failed attempt
};

class AlertEngine {
 public:
  // `store` keeps alerts and delivery outcomes (may be null: memory only, for tools and tests).
  AlertEngine(std::vector<AlertRule> rules, std::vector<std::unique_ptr<Notifier>> notifiers,
              ResultsStore* store, const Clock& clock, RetryPolicy retry = {});
  ~AlertEngine();

  // Takes the alerts left firing by an earlier run (so they resolve, not reopen) and starts
  // the notification thread.
  void start();
  // Sends what is queued (each with its retries), then stops. Idempotent.
  void stop();
  // Blocks until the queue is empty (tests, the CLI).
  void drain();

  void setWindows(std::vector<AlertWindow> silences, std::vector<AlertWindow> maintenance);
  void setFaultTicketHook(FaultTicketHook* hook);

  void onRun(const RunRecord& run);
  void onSignal(const AlertSignal& signal);

  struct OpenAlert {
    std::int64_t id = 0;
    std::string rule, key, source, summary;
    EpochMillis openedAt = 0;
    bool silenced = false;
  };
  std::vector<OpenAlert> firing() const;

 private:
  struct KeyState {
    int consecutive = 0;
    EpochMillis aboveSince = -1;
  };
  void evaluate(const AlertRule& rule, const std::string& key, const std::string& source,
                bool condition, const std::string& summary,
                EpochMillis at);  // REQUIRES: mu_ held
  void notify(AlertNotice notice, const std::vector<std::string>& channels,
              bool silenced);  // REQUIRES: mu_ held
  void deliver();

  std::vector<AlertRule> rules_;
  std::vector<std::unique_ptr<Notifier>> notifiers_;
  ResultsStore* store_;
  const Clock& clock_;
  RetryPolicy retry_;
  mutable std::mutex mu_;
  std::condition_variable cv_, idleCv_;
  std::map<std::pair<std::string, std::string>, KeyState> states_;  // (rule, key)
  std::map<std::pair<std::string, std::string>, OpenAlert> open_;   // (rule, key)
  std::vector<AlertWindow> silences_, maintenance_;
  FaultTicketHook* hook_ = nullptr;
  struct Job {
    AlertNotice notice;
    std::vector<std::string> channels;
    bool silenced = false;
  };
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  bool started_ = false;
  std::thread thread_;
};

}  // namespace huitong::monitor::schedule
