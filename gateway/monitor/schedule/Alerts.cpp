#include "gateway/monitor/schedule/Alerts.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace huitong::monitor::schedule {
namespace {

bool watches(const AlertRule& rule, const std::string& key) {
  return rule.checks.empty() ||
         std::find(rule.checks.begin(), rule.checks.end(), key) != rule.checks.end();
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

bool AlertWindow::matches(const std::string& rule, const std::string& key, EpochMillis t) const {
  if (t < from || t >= to)
    return false;
  if (matcher.empty())
    return true;
  if (matcher.rfind("check=", 0) == 0)
    return matcher.substr(6) == key;
  if (matcher.rfind("rule=", 0) == 0)
    return matcher.substr(5) == rule;
  return false;
}

AlertEngine::AlertEngine(std::vector<AlertRule> rules,
                         std::vector<std::unique_ptr<Notifier>> notifiers, ResultsStore* store,
                         const Clock& clock, RetryPolicy retry)
    : rules_(std::move(rules)),
      notifiers_(std::move(notifiers)),
      store_(store),
      clock_(clock),
      retry_(retry) {}

AlertEngine::~AlertEngine() {
  stop();
}

void AlertEngine::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_)
    return;
  started_ = true;
  if (store_ != nullptr) {
    auto left = store_->alerts("firing", 1000);
    if (left.ok()) {
      for (const auto& a : left.value())
        open_[{a.rule, a.key}] =
            OpenAlert{a.id, a.rule, a.key, a.source, a.summary, a.openedAt, a.silenced};
    }
  }
  thread_ = std::thread([this] { deliver(); });
}

void AlertEngine::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_)
      return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void AlertEngine::drain() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!started_)
    return;
  idleCv_.wait(lock, [this] { return (queue_.empty() && !busy_) || stopping_; });
}

void AlertEngine::setWindows(std::vector<AlertWindow> silences,
                             std::vector<AlertWindow> maintenance) {
  std::lock_guard<std::mutex> lock(mu_);
  silences_ = std::move(silences);
  maintenance_ = std::move(maintenance);
}

void AlertEngine::setFaultTicketHook(FaultTicketHook* hook) {
  std::lock_guard<std::mutex> lock(mu_);
  hook_ = hook;
}

std::vector<AlertEngine::OpenAlert> AlertEngine::firing() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OpenAlert> out;
  for (const auto& [k, a] : open_)
    out.push_back(a);
  return out;
}

void AlertEngine::onRun(const RunRecord& run) {
  const auto& r = run.result;
  const EpochMillis at = r.startedAt != 0 ? r.startedAt : clock_.now();
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& rule : rules_) {
    if (rule.kind == "signal" || !watches(rule, r.checkId))
      continue;
    auto& st = states_[{rule.name, r.checkId}];
    if (rule.kind == "consecutive_failures") {
      st.consecutive = r.ok() ? 0 : st.consecutive + 1;
      evaluate(rule, r.checkId, "check", st.consecutive >= rule.count,
               std::to_string(st.consecutive) + " runs in a row not ok; last: " +
                   (r.message.empty() ? std::string(toString(r.status)) : r.message),
               at);
    } else if (rule.kind == "threshold") {
      auto v = r.values.find(rule.value);
      if (v == r.values.end())
        continue;  // no reading: neither fires nor clears
      if (v->second > rule.above) {
        if (st.aboveSince < 0)
          st.aboveSince = at;
      } else {
        st.aboveSince = -1;
      }
      const bool held =
          st.aboveSince >= 0 && at - st.aboveSince >= std::int64_t{rule.forMinutes} * 60000;
      evaluate(rule, r.checkId, "check", held,
               rule.value + " = " + number(v->second) + " above " + number(rule.above) +
                   (rule.forMinutes > 0 ? " for " + std::to_string(rule.forMinutes) + " min"
                                        : std::string()),
               at);
    }
  }
}

void AlertEngine::onSignal(const AlertSignal& signal) {
  const EpochMillis at = clock_.now();
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& rule : rules_) {
    if (rule.kind != "signal" || rule.source != signal.source || !watches(rule, signal.key))
      continue;
    evaluate(rule, signal.key, signal.source, signal.firing, signal.summary, at);
  }
}

void AlertEngine::evaluate(const AlertRule& rule, const std::string& key, const std::string& source,
                           bool condition, const std::string& summary, EpochMillis at) {
  const auto id = std::make_pair(rule.name, key);
  auto open = open_.find(id);
  if (condition && open == open_.end()) {
    for (const auto& m : maintenance_) {
      if (m.matches(rule.name, key, at))
        return;
    }
    bool silenced = false;
    for (const auto& s : silences_)
      silenced = silenced || s.matches(rule.name, key, at);
    OpenAlert a{0, rule.name, key, source, summary, at, silenced};
    if (store_ != nullptr) {
      StoredAlert stored{0, rule.name, key, source, "firing", at, 0, summary, silenced};
      auto newId = store_->openAlert(stored);
      if (newId.ok())
        a.id = newId.value();
    }
    open_[id] = a;
    notify(AlertNotice{a.id, rule.name, key, source, "firing", summary, at, at}, rule.channels,
           silenced);
  } else if (!condition && open != open_.end()) {
    const OpenAlert a = open->second;
    open_.erase(open);
    if (store_ != nullptr && a.id != 0)
      (void)store_->resolveAlert(a.id, at);
    bool silenced = false;
    for (const auto& s : silences_)
      silenced = silenced || s.matches(rule.name, key, at);
    notify(AlertNotice{a.id, rule.name, key, source, "resolved", "recovered: " + summary,
                       a.openedAt, at},
           rule.channels, silenced);
  }
}

void AlertEngine::notify(AlertNotice notice, const std::vector<std::string>& channels,
                         bool silenced) {
  queue_.push_back(Job{std::move(notice), channels, silenced});
  cv_.notify_all();
}

void AlertEngine::deliver() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      idleCv_.notify_all();
      return;  // stopping, nothing left
    }
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    FaultTicketHook* hook = hook_;
    lock.unlock();

    if (hook != nullptr) {
      if (job.notice.event == "firing")
        hook->alertOpened(job.notice);
      else
        hook->alertResolved(job.notice);
    }
    for (const auto& n : notifiers_) {
      if (!job.channels.empty() &&
          std::find(job.channels.begin(), job.channels.end(), n->name()) == job.channels.end())
        continue;
      Delivery d{job.notice.alertId,     n->name(), job.notice.event, clock_.now(), 0, "silenced",
                 "withheld by a silence"};
      if (!job.silenced) {
        int backoff = retry_.backoffMillis;
        for (int attempt = 1; attempt <= std::max(1, retry_.attempts); ++attempt) {
          d.attempts = attempt;
          auto sent = n->send(job.notice);
          if (sent.ok()) {
            d.outcome = "delivered";
            d.detail = sent.value();
            break;
          }
          d.outcome = "failed";
          d.detail = sent.error().message;
          if (attempt < retry_.attempts) {
            std::this_thread::sleep_for(std::chrono::milliseconds(backoff));
            backoff *= 2;
          }
        }
      }
      d.at = clock_.now();
      if (store_ != nullptr)
        (void)store_->recordDelivery(d);
    }

    lock.lock();
    busy_ = false;
    if (queue_.empty())
      idleCv_.notify_all();
  }
}

}  // namespace huitong::monitor::schedule
