#include "gateway/health/HealthService.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <sstream>

#include "gateway/core/Json.h"

namespace huitong::health {
namespace {

constexpr EpochMillis kHourMillis = 3'600'000;
constexpr EpochMillis kDayMillis = 24 * kHourMillis;
// Activity-period counts kept at most (a few per system and rule; cleared when full).
constexpr std::size_t kMaxPeriodCounts = 1000;
// The filing gate's rule (gateway/exchange/IntakeService.h kNotOnlineRule): a refusal of an item
// that is not online is no fault of the records.
constexpr const char* kNotOnlineRule = "filing.not_online";

std::optional<double> p95Seconds(std::vector<EpochMillis>& lags) {
  if (lags.empty())
    return std::nullopt;
  std::sort(lags.begin(), lags.end());
  const auto rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(lags.size())));
  return static_cast<double>(lags[std::max<std::size_t>(rank, 1) - 1]) / 1000.0;
}

std::string escapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double v) {
  std::ostringstream o;
  o.precision(15);
  o << v;
  return o.str();
}

}  // namespace

std::int64_t refusedRecords(const std::string& answerJson) {
  auto doc = json::parse(answerJson);
  if (!doc.ok() || !doc.value().IsObject())
    return 0;
  const auto it = doc.value().FindMember("rejected");
  if (it == doc.value().MemberEnd() || !it->value.IsArray())
    return 0;
  std::set<std::string> records;
  for (const auto& r : it->value.GetArray()) {
    if (!r.IsObject())
      continue;
    const auto code = r.FindMember("code");
    if (code != r.MemberEnd() && code->value.IsString() &&
        std::string(code->value.GetString()) == kNotOnlineRule)
      continue;
    const auto rec = r.FindMember("record");
    records.insert(rec != r.MemberEnd() && rec->value.IsString() ? rec->value.GetString()
                                                                 : std::to_string(records.size()));
  }
  return static_cast<std::int64_t>(records.size());
}

HealthService::HealthService(storage::ExchangeStore& store, OnlineItems items, SourceLookup sources,
                             HealthRules rules, const WorkCalendar& calendar, const Clock& clock)
    : store_(store),
      items_(std::move(items)),
      sources_(std::move(sources)),
      rules_(std::move(rules)),
      calendar_(calendar),
      clock_(clock) {}

HealthService::~HealthService() {
  stop();
}

Result<storage::ItemLast> HealthService::lastOf(const std::string& system, const std::string& item,
                                                EpochMillis windowFrom, EpochMillis now) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = remembered_.find({system, item});
    // Anything newer than the remembered walk falls inside the window the caller read.
    if (it != remembered_.end() && it->second.checkedAt >= windowFrom)
      return it->second.last;
  }
  auto last = store_.itemLast(system, item);
  if (!last.ok())
    return last.error();
  std::lock_guard<std::mutex> lock(mutex_);
  remembered_[{system, item}] = Remembered{last.value(), now};
  return last.value();
}

Result<std::map<std::string, std::int64_t>> HealthService::periodCounts(const PeriodKey& key,
                                                                        EpochMillis now) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = periodCounts_.find(key);
    if (it != periodCounts_.end())
      return it->second;
  }
  const auto& [system, start, end, officeOnly] = key;
  auto events = store_.itemEvents(system, start);
  if (!events.ok())
    return events.error();
  std::map<std::string, std::int64_t> counts;
  for (const auto& e : events.value()) {
    if (e.receivedAt >= start && e.receivedAt < end &&
        (!officeOnly || calendar_.isWorkingTime(e.receivedAt)))
      ++counts[e.item];
  }
  // A period that is over gains no events (they are stamped when received), but for a message
  // received just before its end and committed just after: kept once the end is a minute old.
  if (end <= now - 60'000) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (periodCounts_.size() >= kMaxPeriodCounts)
      periodCounts_.clear();
    periodCounts_[key] = counts;
  }
  return counts;
}

Result<std::vector<ItemHealth>> HealthService::compute() {
  const EpochMillis now = clock_.now();
  auto online = items_();
  if (!online.ok())
    return online.error();
  std::map<std::string, std::vector<OnlineItem>> bySystem;
  for (auto& i : online.value())
    bySystem[i.system].push_back(std::move(i));
  auto backlogs = store_.itemBacklogs();
  if (!backlogs.ok())
    return backlogs.error();
  std::map<std::pair<std::string, std::string>, storage::ItemBacklog> backlogOf;
  for (auto& b : backlogs.value())
    backlogOf[{b.system, b.item}] = std::move(b);

  std::vector<ItemHealth> out;
  const EpochMillis dayAgo = now - kDayMillis;
  const EpochMillis hourAgo = now - kHourMillis;
  for (auto& [system, items] : bySystem) {
    std::sort(items.begin(), items.end(),
              [](const OnlineItem& a, const OnlineItem& b) { return a.item < b.item; });
    struct Work {
      const ItemRules* rules = nullptr;
      ItemFigures f;
      std::vector<EpochMillis> lags;
    };
    std::map<std::string, Work> work;
    std::set<PeriodKey> older;  // activity periods that begin before the 24 h window
    for (const auto& i : items) {
      Work& w = work[i.item];
      w.rules = &rules_.rulesFor(system, i.item);
      if (w.rules->expect) {
        w.f.period = lastPeriod(*w.rules->expect, calendar_, now);
        if (w.f.period && w.f.period->start < dayAgo)
          older.insert(
              PeriodKey{system, w.f.period->start, w.f.period->end, w.f.period->officeOnly});
      }
    }
    for (const PeriodKey& key : older) {
      auto counts = periodCounts(key, now);
      if (!counts.ok())
        return counts.error();
      for (auto& [item, w] : work) {
        const auto& p = w.f.period;
        if (p && p->start == std::get<1>(key) && p->end == std::get<2>(key) &&
            p->officeOnly == std::get<3>(key)) {
          const auto c = counts.value().find(item);
          w.f.periodEvents = c == counts.value().end() ? 0 : c->second;
        }
      }
    }
    const EpochMillis from = dayAgo;
    auto events = store_.itemEvents(system, from);
    if (!events.ok())
      return events.error();
    std::int64_t systemEvents24h = 0;
    for (const auto& e : events.value()) {
      if (e.receivedAt >= dayAgo)
        ++systemEvents24h;
      auto it = work.find(e.item);
      if (it == work.end())
        continue;
      ItemFigures& f = it->second.f;
      f.lastReceived = std::max(f.lastReceived, e.receivedAt);
      f.lastDelivered = std::max(f.lastDelivered, e.deliveredAt);
      if (e.receivedAt >= dayAgo) {
        ++f.events24h;
        if (e.receivedAt >= hourAgo)
          ++f.events1h;
        if (e.deliveredAt > 0) {
          ++f.delivered24h;
          it->second.lags.push_back(std::max<EpochMillis>(0, e.deliveredAt - e.receivedAt));
        }
      }
      if (f.period && f.period->start >= dayAgo && e.receivedAt >= f.period->start &&
          e.receivedAt < f.period->end &&
          (!f.period->officeOnly || calendar_.isWorkingTime(e.receivedAt)))
        ++f.periodEvents;
    }
    auto answers = store_.rejectionAnswers(system, dayAgo);
    if (!answers.ok())
      return answers.error();
    std::int64_t refused = 0;
    for (const auto& a : answers.value())
      refused += refusedRecords(a);

    const std::optional<SourceFigures> source = sources_ ? sources_(system) : std::nullopt;
    for (const auto& i : items) {
      Work& w = work[i.item];
      ItemFigures& f = w.f;
      if (f.lastReceived == 0 || f.lastDelivered == 0) {
        auto last = lastOf(system, i.item, from, now);
        if (!last.ok())
          return last.error();
        f.lastReceived = std::max(f.lastReceived, last.value().received);
        f.lastDelivered = std::max(f.lastDelivered, last.value().delivered);
      }
      f.lagP95Seconds = p95Seconds(w.lags);
      f.rejected24h = refused;
      if (items.size() == 1) {
        f.rejectScope = "item";
        f.records24h = f.events24h + refused;
      } else {
        f.rejectScope = "system";
        f.records24h = systemEvents24h + refused;
      }
      if (auto b = backlogOf.find({system, i.item}); b != backlogOf.end()) {
        f.backlog = b->second.pending;
        f.oldestPending = b->second.oldestPending;
        f.deadLetters = b->second.dead;
        f.lastDeadAt = b->second.lastDeadAt;
      }
      if (source)
        f.source = *source;
      ItemHealth h = evaluate(system, i.item, std::move(f), *w.rules, now);
      h.itemName = i.name;
      out.push_back(std::move(h));
    }
  }
  return out;
}

Result<void> HealthService::refresh() {
  std::lock_guard<std::mutex> one(refreshMutex_);
  const auto started = std::chrono::steady_clock::now();
  auto items = compute();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::unique_lock<std::mutex> lock(mutex_);
  if (!items.ok()) {
    auto kept = std::make_shared<Snapshot>(snapshot_ ? *snapshot_ : Snapshot{});
    kept->lastError = items.error().code + ": " + items.error().message;
    if (snapshot_)
      snapshot_ = kept;
    return items.error();
  }
  auto s = std::make_shared<Snapshot>();
  s->computedAt = clock_.now();
  s->computeSeconds = seconds;
  s->items = std::move(items).value();
  snapshot_ = s;
  lock.unlock();
  if (listener_)
    listener_(*s);
  return {};
}

std::shared_ptr<const HealthService::Snapshot> HealthService::latest() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (snapshot_)
      return snapshot_;
  }
  (void)refresh();
  std::lock_guard<std::mutex> lock(mutex_);
  return snapshot_;
}

void HealthService::start() {
  {
    std::lock_guard<std::mutex> lock(threadMutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(threadMutex_);
    while (!stopping_) {
      lock.unlock();
      const auto started = std::chrono::steady_clock::now();
      (void)refresh();
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
      lock.lock();
      // On a store so big that a computation takes long, refresh less often rather than
      // keep a reader busy: at most a tenth of the time goes to health.
      const std::int64_t wait = std::max<std::int64_t>(rules_.refreshMillis(), 10 * took);
      wake_.wait_for(lock, std::chrono::milliseconds(wait), [this] { return stopping_; });
    }
  });
}

void HealthService::stop() {
  {
    std::lock_guard<std::mutex> lock(threadMutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

std::string HealthService::renderMetrics() {
  std::shared_ptr<const Snapshot> s;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    s = snapshot_;
  }
  if (!s)
    return "";
  struct Family {
    const char* name;
    const char* help;
    std::function<std::optional<double>(const ItemHealth&)> value;
  };
  const std::vector<Family> families = {
      {"huitong_item_health_status", "Per-item health: 0 green, 1 yellow, 2 red",
       [](const ItemHealth& h) { return std::optional<double>(static_cast<int>(h.status)); }},
      {"huitong_item_events_1h", "Case events accepted for the item in the last hour",
       [](const ItemHealth& h) { return std::optional<double>(h.figures.events1h); }},
      {"huitong_item_events_24h", "Case events accepted for the item in the last 24 hours",
       [](const ItemHealth& h) { return std::optional<double>(h.figures.events24h); }},
      {"huitong_item_last_received_timestamp_seconds",
       "When the item's newest event was accepted (absent: never)",
       [](const ItemHealth& h) {
         return h.figures.lastReceived > 0
                    ? std::optional<double>(static_cast<double>(h.figures.lastReceived) / 1000)
                    : std::nullopt;
       }},
      {"huitong_item_last_delivered_timestamp_seconds",
       "When the item's newest delivered event was delivered (absent: never)",
       [](const ItemHealth& h) {
         return h.figures.lastDelivered > 0
                    ? std::optional<double>(static_cast<double>(h.figures.lastDelivered) / 1000)
                    : std::nullopt;
       }},
      {"huitong_item_reject_rate",
       "Fraction of records refused in the last 24 hours (absent: no records)",
       [](const ItemHealth& h) { return h.figures.rejectRate(); }},
      {"huitong_item_dead_letters", "Dead letters of the item not yet requeued or discarded",
       [](const ItemHealth& h) { return std::optional<double>(h.figures.deadLetters); }},
      {"huitong_item_delivery_lag_p95_seconds",
       "95th percentile of accepted-to-delivered time of the last 24 hours' events",
       [](const ItemHealth& h) { return h.figures.lagP95Seconds; }},
      {"huitong_item_backlog", "Events of the item waiting for delivery",
       [](const ItemHealth& h) { return std::optional<double>(h.figures.backlog); }},
      {"huitong_item_backlog_oldest_age_seconds",
       "Age of the item's oldest event waiting for delivery (0: none waiting)",
       [s](const ItemHealth& h) {
         return std::optional<double>(
             h.figures.oldestPending > 0
                 ? static_cast<double>(s->computedAt - h.figures.oldestPending) / 1000
                 : 0.0);
       }},
      {"huitong_item_source_reachable",
       "1 when the item's source is reachable as its adapter "
       "last reported, else 0",
       [](const ItemHealth& h) { return std::optional<double>(h.figures.source.reachable); }},
  };
  std::ostringstream out;
  for (const auto& fam : families) {
    out << "# HELP " << fam.name << " " << fam.help << "\n# TYPE " << fam.name << " gauge\n";
    for (const auto& h : s->items) {
      const auto v = fam.value(h);
      if (!v)
        continue;
      out << fam.name << "{system=\"" << escapeLabel(h.system) << "\",item=\""
          << escapeLabel(h.item) << "\"} " << number(*v) << "\n";
    }
  }
  out << "# HELP huitong_item_health_computed_timestamp_seconds When the item health shown was "
         "computed\n# TYPE huitong_item_health_computed_timestamp_seconds gauge\n"
      << "huitong_item_health_computed_timestamp_seconds "
      << number(static_cast<double>(s->computedAt) / 1000) << "\n";
  out << "# HELP huitong_item_health_compute_seconds How long computing every item's health "
         "took\n# TYPE huitong_item_health_compute_seconds gauge\n"
      << "huitong_item_health_compute_seconds " << number(s->computeSeconds) << "\n";
  return out.str();
}

}  // namespace huitong::health
