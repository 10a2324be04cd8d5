// One online item's health: the figures measured from the exchange store and its adapter, and
// the status (green / yellow / red) its rules give them, with every reason in words.
// evaluate() is a pure function of figures, rules, calendar and "now" (tests inject the clock).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/health/HealthRules.h"

namespace huitong::health {

enum class Status { kGreen = 0, kYellow = 1, kRed = 2 };
std::string toString(Status s);     // "green" | "yellow" | "red"
std::string chineseName(Status s);  // 绿 | 黄 | 红

// The source as its adapter last reported it (gateway/core/Adapter.h SourceStatus), plus what
// the gateway sees of a push adapter's requests.
struct SourceFigures {
  std::string adapter;  // "http_json", "file_drop", ...
  bool push = true;
  bool reported = false;  // a pull adapter has reported at least once
  bool reachable = true;
  std::string detail;
  std::vector<std::pair<std::string, std::string>> facts;  // "oldest_file_age_s" -> "75", ...
  EpochMillis reportedAt = 0;
  EpochMillis lastRequestAt = 0;  // push: the last department request (0: none since start)

  std::optional<double> fact(const std::string& name) const;
};

struct ItemFigures {
  EpochMillis lastReceived = 0;  // 0: never
  EpochMillis lastDelivered = 0;
  std::int64_t events1h = 0;
  std::int64_t events24h = 0;
  std::int64_t delivered24h = 0;
  std::optional<double> lagP95Seconds;  // none delivered in 24 h: unknown
  // Records refused in 24 h and the records read (refused + events queued); the filing gate's
  // refusals are not counted. scope "item" when the system has this one online item, else
  // "system" (a refused record's item is not always known).
  std::int64_t rejected24h = 0;
  std::int64_t records24h = 0;
  std::string rejectScope = "item";
  std::int64_t deadLetters = 0;
  EpochMillis lastDeadAt = 0;
  std::int64_t backlog = 0;
  EpochMillis oldestPending = 0;
  // The expected-activity rule's last period and the events counted in it.
  std::optional<ActivityPeriod> period;
  std::int64_t periodEvents = 0;
  SourceFigures source;

  std::optional<double> rejectRate() const;
};

struct Reason {
  Status level = Status::kGreen;
  std::string code;  // "dead_letters", "activity", "lag_p95", ...
  std::string text;  // "3 dead letters (the last at 2026-11-27 10:02)"
};

struct ItemHealth {
  std::string system;
  std::string item;
  std::string itemName;
  Status status = Status::kGreen;
  std::vector<Reason> reasons;  // red first, then yellow
  ItemFigures figures;
  std::string expect;  // the rule in words ("" when none)
  EpochMillis computedAt = 0;

  // "红: 3 dead letters; no event since 2026-11-27 09:12, expected at least 1 per working day"
  // ("绿" alone when nothing is wrong).
  std::string summary() const;
};

ItemHealth evaluate(const std::string& system, const std::string& item, ItemFigures figures,
                    const ItemRules& rules, EpochMillis now);

// "2026-11-27 09:12" (China time).
std::string chinaMinute(EpochMillis t);
// "45 s", "12 min", "3 h 5 min", "2 d 4 h".
std::string duration(double seconds);

// JSON of one item (detail: with every figure and the source's facts) and of the summary list.
std::string toJson(const ItemHealth& h, bool detail);
std::string toJson(const std::vector<ItemHealth>& items, EpochMillis computedAt);

}  // namespace huitong::health
