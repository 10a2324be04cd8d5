// Both backends through storage::StatementDatabase: queries are written once with $n parameters
// (SQLite reads them as ?n).
#include "gateway/monitor/schedule/ResultsStore.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <utility>

#include "gateway/core/Json.h"
#include "gateway/storage/StatementDatabase.h"

namespace huitong::monitor::schedule {
namespace {

using Param = storage::SqlParam;
using Row = storage::SqlRow;
using Database = storage::StatementDatabase;
constexpr auto* text = &storage::sqlText;
constexpr auto* integer = &storage::sqlInteger;
constexpr auto* blob = &storage::sqlBlob;
constexpr auto* toInt = &storage::sqlInt;

Param real(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", std::isfinite(v) ? v : 0.0);
  return text(buf);
}

double toDouble(const std::string& s) {
  return std::strtod(s.c_str(), nullptr);
}

constexpr std::int64_t kHourMillis = 3600000;

std::int64_t hourOf(EpochMillis t) {
  std::int64_t h = t / kHourMillis;
  if (t % kHourMillis < 0)
    --h;
  return h * kHourMillis;
}

std::string valuesToJson(const std::map<std::string, double>& values) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  for (const auto& [k, v] : values)
    d.AddMember(json::string(k, a), rapidjson::Value(std::isfinite(v) ? v : 0.0), a);
  return json::write(d);
}

std::map<std::string, double> valuesFromJson(const std::string& text) {
  std::map<std::string, double> out;
  auto d = json::parse(text);
  if (!d.ok() || !d.value().IsObject())
    return out;
  for (const auto& m : d.value().GetObject()) {
    if (m.value.IsNumber())
      out[m.name.GetString()] = m.value.GetDouble();
  }
  return out;
}

std::string statsToJson(const std::map<std::string, ValueStats>& values) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  for (const auto& [k, v] : values) {
    rapidjson::Value o(rapidjson::kObjectType);
    o.AddMember("avg", v.avg, a);
    o.AddMember("max", v.max, a);
    d.AddMember(json::string(k, a), o, a);
  }
  return json::write(d);
}

std::map<std::string, ValueStats> statsFromJson(const std::string& text) {
  std::map<std::string, ValueStats> out;
  auto d = json::parse(text);
  if (!d.ok() || !d.value().IsObject())
    return out;
  for (const auto& m : d.value().GetObject()) {
    if (!m.value.IsObject())
      continue;
    ValueStats s;
    if (m.value.HasMember("avg") && m.value["avg"].IsNumber())
      s.avg = m.value["avg"].GetDouble();
    if (m.value.HasMember("max") && m.value["max"].IsNumber())
      s.max = m.value["max"].GetDouble();
    out[m.name.GetString()] = s;
  }
  return out;
}

// One hour of one check's runs, folded into its rollup.
struct HourFold {
  std::vector<double> durations;
  std::int64_t ok = 0;
  std::map<std::string, std::pair<double, double>> values;  // sum, max
  std::map<std::string, std::int64_t> valueCounts;
};

Rollup finish(const std::string& checkId, EpochMillis hour, HourFold& f) {
  Rollup r;
  r.checkId = checkId;
  r.hour = hour;
  r.runs = static_cast<std::int64_t>(f.durations.size());
  r.okRuns = f.ok;
  std::sort(f.durations.begin(), f.durations.end());
  double sum = 0;
  for (double d : f.durations)
    sum += d;
  if (!f.durations.empty()) {
    r.minMs = f.durations.front();
    r.maxMs = f.durations.back();
    r.avgMs = sum / static_cast<double>(f.durations.size());
    // Nearest rank: the smallest duration with at least 95% of runs at or below it.
    const auto rank =
        static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(f.durations.size())));
    r.p95Ms = f.durations[std::max<std::size_t>(rank, 1) - 1];
  }
  for (const auto& [name, sm] : f.values) {
    r.values[name] = ValueStats{sm.first / static_cast<double>(f.valueCounts[name]), sm.second};
  }
  return r;
}

constexpr const char* kResultColumns =
    "seq, check_id, kind, started_at, due_at, lateness_ms, duration_ms, status, intensified, "
    "message, values_json, result_json";

StoredResult resultOf(const Row& r) {
  StoredResult s;
  s.seq = toInt(r[0]);
  s.checkId = r[1];
  s.kind = r[2];
  s.startedAt = toInt(r[3]);
  s.dueAt = toInt(r[4]);
  s.latenessMs = toDouble(r[5]);
  s.durationMs = toDouble(r[6]);
  s.status = r[7];
  s.intensified = toInt(r[8]) != 0;
  s.message = r[9];
  s.values = valuesFromJson(r[10]);
  s.resultJson = r[11];
  return s;
}

constexpr const char* kAlertColumns =
    "id, rule, alert_key, source, state, opened_at, resolved_at, summary, silenced";

StoredAlert alertOf(const Row& r) {
  StoredAlert a;
  a.id = toInt(r[0]);
  a.rule = r[1];
  a.key = r[2];
  a.source = r[3];
  a.state = r[4];
  a.openedAt = toInt(r[5]);
  a.resolvedAt = toInt(r[6]);
  a.summary = r[7];
  a.silenced = toInt(r[8]) != 0;
  return a;
}

class Store final : public ResultsStore {
 public:
  explicit Store(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Result<void> record(const std::vector<RunRecord>& runs) override {
    if (runs.empty())
      return {};
    std::lock_guard<std::mutex> lock(mu_);
    try {
      return db_->transaction([&]() -> Result<void> {
        for (const auto& run : runs) {
          const auto& r = run.result;
          rapidjson::Document d(rapidjson::kObjectType);
          rapidjson::Value v = toJson(r, d.GetAllocator());
          auto ins = db_->run(
              "INSERT INTO monitor_result (check_id, kind, started_at, due_at, lateness_ms, "
              "duration_ms, status, intensified, message, values_json, result_json) VALUES ($1, "
              "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
              {text(r.checkId), text(r.kind), integer(r.startedAt), integer(run.dueAt),
               real(run.latenessMs), real(r.durationMs), text(toString(r.status)),
               integer(run.intensified ? 1 : 0), text(r.message), text(valuesToJson(r.values)),
               text(json::write(v))});
          if (!ins.ok())
            return ins.error();
        }
        return {};
      });
    } catch (const std::exception& e) {
      return Error{"store.internal", std::string("recording check results: ") + e.what(), ""};
    }
  }

  Result<std::vector<StoredResult>> results(const std::string& checkId, EpochMillis from,
                                            EpochMillis to, int limit) override {
    limit = std::clamp(limit, 1, kMaxResultPage);
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(std::string("SELECT ") + kResultColumns +
                             " FROM monitor_result WHERE check_id = $1 AND started_at >= $2 AND "
                             "started_at < $3 ORDER BY started_at, seq LIMIT " +
                             std::to_string(limit),
                         {text(checkId), integer(from), integer(to)});
    if (!rows.ok())
      return rows.error();
    std::vector<StoredResult> out;
    for (const auto& r : rows.value())
      out.push_back(resultOf(r));
    return out;
  }

  Result<std::vector<Rollup>> rollups(const std::string& checkId, EpochMillis from,
                                      EpochMillis to) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(
        "SELECT check_id, hour, runs, ok_runs, min_ms, avg_ms, max_ms, p95_ms, values_json FROM "
        "monitor_rollup WHERE check_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour",
        {text(checkId), integer(from), integer(to)});
    if (!rows.ok())
      return rows.error();
    std::vector<Rollup> out;
    for (const auto& r : rows.value()) {
      Rollup u;
      u.checkId = r[0];
      u.hour = toInt(r[1]);
      u.runs = toInt(r[2]);
      u.okRuns = toInt(r[3]);
      u.minMs = toDouble(r[4]);
      u.avgMs = toDouble(r[5]);
      u.maxMs = toDouble(r[6]);
      u.p95Ms = toDouble(r[7]);
      u.values = statsFromJson(r[8]);
      out.push_back(std::move(u));
    }
    return out;
  }

  Result<std::int64_t> downsample(EpochMillis upTo) override {
    std::lock_guard<std::mutex> lock(mu_);
    try {
      auto mark = watermark();
      if (!mark.ok())
        return mark.error();
      EpochMillis from = mark.value();
      if (from == 0) {
        auto oldest = db_->run("SELECT MIN(started_at) FROM monitor_result", {});
        if (!oldest.ok())
          return oldest.error();
        if (oldest.value().empty() || oldest.value()[0][0].empty())
          return std::int64_t{0};
        from = hourOf(toInt(oldest.value()[0][0]));
      }
      const EpochMillis to = hourOf(upTo);
      if (to <= from)
        return std::int64_t{0};
      auto rows = db_->run(
          "SELECT check_id, started_at, duration_ms, status, values_json FROM monitor_result "
          "WHERE started_at >= $1 AND started_at < $2 ORDER BY check_id, started_at",
          {integer(from), integer(to)});
      if (!rows.ok())
        return rows.error();
      std::map<std::pair<std::string, EpochMillis>, HourFold> folds;
      for (const auto& r : rows.value()) {
        auto& f = folds[{r[0], hourOf(toInt(r[1]))}];
        f.durations.push_back(toDouble(r[2]));
        if (r[3] == "ok")
          ++f.ok;
        for (const auto& [name, v] : valuesFromJson(r[4])) {
          auto& sm = f.values[name];
          if (f.valueCounts[name]++ == 0)
            sm = {v, v};
          else
            sm = {sm.first + v, std::max(sm.second, v)};
        }
      }
      std::int64_t written = 0;
      auto done = db_->transaction([&]() -> Result<void> {
        for (auto& [key, fold] : folds) {
          const Rollup u = finish(key.first, key.second, fold);
          auto del = db_->run("DELETE FROM monitor_rollup WHERE check_id = $1 AND hour = $2",
                              {text(u.checkId), integer(u.hour)});
          if (!del.ok())
            return del.error();
          auto ins = db_->run(
              "INSERT INTO monitor_rollup (check_id, hour, runs, ok_runs, min_ms, avg_ms, "
              "max_ms, p95_ms, values_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
              {text(u.checkId), integer(u.hour), integer(u.runs), integer(u.okRuns), real(u.minMs),
               real(u.avgMs), real(u.maxMs), real(u.p95Ms), text(statsToJson(u.values))});
          if (!ins.ok())
            return ins.error();
          ++written;
        }
        // The watermark: the hour after the last one rolled up, kept as the '' check's row.
        auto del = db_->run("DELETE FROM monitor_rollup WHERE check_id = ''", {});
        if (!del.ok())
          return del.error();
        auto mark = db_->run(
            "INSERT INTO monitor_rollup (check_id, hour, runs, ok_runs, min_ms, avg_ms, max_ms, "
            "p95_ms, values_json) VALUES ('', $1, 0, 0, 0, 0, 0, 0, '{}')",
            {integer(to)});
        if (!mark.ok())
          return mark.error();
        return {};
      });
      if (!done.ok())
        return done.error();
      return written;
    } catch (const std::exception& e) {
      return Error{"store.internal", std::string("rolling up check results: ") + e.what(), ""};
    }
  }

  Result<std::int64_t> prune(EpochMillis now, const Retention& retention) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto raw = db_->run("DELETE FROM monitor_result WHERE started_at < $1 RETURNING seq",
                        {integer(now - retention.rawMillis)});
    if (!raw.ok())
      return raw.error();
    auto hours =
        db_->run("DELETE FROM monitor_rollup WHERE hour < $1 AND check_id <> '' RETURNING hour",
                 {integer(now - retention.rollupMillis)});
    if (!hours.ok())
      return hours.error();
    return static_cast<std::int64_t>(raw.value().size() + hours.value().size());
  }

  Result<Counts> counts(const std::string& checkId, EpochMillis from, EpochMillis to) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto mark = watermark();
    if (!mark.ok())
      return mark.error();
    Counts c;
    const EpochMillis rolledTo = std::min(mark.value(), to);
    if (rolledTo > from) {
      auto rows = db_->run(
          "SELECT COALESCE(SUM(runs), 0), COALESCE(SUM(ok_runs), 0) FROM monitor_rollup WHERE "
          "check_id = $1 AND hour >= $2 AND hour < $3",
          {text(checkId), integer(from), integer(rolledTo)});
      if (!rows.ok())
        return rows.error();
      c.runs += toInt(rows.value()[0][0]);
      c.okRuns += toInt(rows.value()[0][1]);
    }
    const EpochMillis rawFrom = std::max(from, mark.value());
    if (to > rawFrom) {
      auto rows = db_->run(
          "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END), 0) FROM "
          "monitor_result WHERE check_id = $1 AND started_at >= $2 AND started_at < $3",
          {text(checkId), integer(rawFrom), integer(to)});
      if (!rows.ok())
        return rows.error();
      c.runs += toInt(rows.value()[0][0]);
      c.okRuns += toInt(rows.value()[0][1]);
    }
    return c;
  }

  Result<EpochMillis> firstRun(const std::string& checkId) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto hours =
        db_->run("SELECT hour FROM monitor_rollup WHERE check_id = $1 ORDER BY hour LIMIT 1",
                 {text(checkId)});
    if (!hours.ok())
      return hours.error();
    if (!hours.value().empty())
      return toInt(hours.value()[0][0]);
    auto raw = db_->run(
        "SELECT due_at FROM monitor_result WHERE check_id = $1 ORDER BY started_at LIMIT 1",
        {text(checkId)});
    if (!raw.ok())
      return raw.error();
    return raw.value().empty() ? EpochMillis{0} : toInt(raw.value()[0][0]);
  }

  Result<std::int64_t> openAlert(const StoredAlert& a) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(
        "INSERT INTO monitor_alert (rule, alert_key, source, state, opened_at, resolved_at, "
        "summary, silenced) VALUES ($1, $2, $3, 'firing', $4, 0, $5, $6) RETURNING id",
        {text(a.rule), text(a.key), text(a.source), integer(a.openedAt), text(a.summary),
         integer(a.silenced ? 1 : 0)});
    if (!rows.ok())
      return rows.error();
    if (rows.value().empty())
      return Error{"store.sql", "no alert id returned", ""};
    return toInt(rows.value()[0][0]);
  }

  Result<void> resolveAlert(std::int64_t id, EpochMillis at) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto r = db_->run(
        "UPDATE monitor_alert SET state = 'resolved', resolved_at = $2 WHERE id = $1 AND state = "
        "'firing'",
        {integer(id), integer(at)});
    if (!r.ok())
      return r.error();
    return {};
  }

  Result<std::vector<StoredAlert>> alerts(const std::string& state, int limit) override {
    limit = std::clamp(limit, 1, 1000);
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Param> params;
    std::string sql = std::string("SELECT ") + kAlertColumns + " FROM monitor_alert";
    if (!state.empty()) {
      sql += " WHERE state = $1";
      params.push_back(text(state));
    }
    sql += " ORDER BY id DESC LIMIT " + std::to_string(limit);
    auto rows = db_->run(sql, params);
    if (!rows.ok())
      return rows.error();
    std::vector<StoredAlert> out;
    for (const auto& r : rows.value())
      out.push_back(alertOf(r));
    return out;
  }

  Result<void> recordDelivery(const Delivery& d) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto r = db_->run(
        "INSERT INTO monitor_delivery (alert_id, channel, event, at, attempts, outcome, detail) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {integer(d.alertId), text(d.channel), text(d.event), integer(d.at), integer(d.attempts),
         text(d.outcome), text(d.detail.substr(0, 2000))});
    if (!r.ok())
      return r.error();
    return {};
  }

  Result<std::vector<Delivery>> deliveries(std::int64_t alertId) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(
        "SELECT alert_id, channel, event, at, attempts, outcome, detail FROM monitor_delivery "
        "WHERE alert_id = $1 ORDER BY at, channel",
        {integer(alertId)});
    if (!rows.ok())
      return rows.error();
    std::vector<Delivery> out;
    for (const auto& r : rows.value()) {
      out.push_back(Delivery{toInt(r[0]), r[1], r[2], toInt(r[3]), static_cast<int>(toInt(r[4])),
                             r[5], r[6]});
    }
    return out;
  }

  Result<std::int64_t> addWindow(const DeclaredWindow& w) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(
        "INSERT INTO monitor_window (kind, name, matcher, from_at, to_at, created_by, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        {text(w.kind), text(w.name), text(w.matcher), integer(w.from), integer(w.to),
         text(w.createdBy), integer(w.createdAt)});
    if (!rows.ok())
      return rows.error();
    if (rows.value().empty())
      return Error{"store.sql", "no window id returned", ""};
    return toInt(rows.value()[0][0]);
  }

  Result<std::vector<DeclaredWindow>> windows(EpochMillis now) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(
        "SELECT id, kind, name, matcher, from_at, to_at, created_by, created_at FROM "
        "monitor_window WHERE to_at > $1 ORDER BY from_at, id",
        {integer(now)});
    if (!rows.ok())
      return rows.error();
    std::vector<DeclaredWindow> out;
    for (const auto& r : rows.value()) {
      out.push_back(DeclaredWindow{toInt(r[0]), r[1], r[2], r[3], toInt(r[4]), toInt(r[5]), r[6],
                                   toInt(r[7])});
    }
    return out;
  }

 private:
  // REQUIRES: mu_ held. The start of the first hour not rolled up yet (0: none rolled up).
  Result<EpochMillis> watermark() {
    auto rows = db_->run("SELECT hour FROM monitor_rollup WHERE check_id = ''", {});
    if (!rows.ok())
      return rows.error();
    return rows.value().empty() ? EpochMillis{0} : toInt(rows.value()[0][0]);
  }

  std::mutex mu_;
  std::unique_ptr<Database> db_;
};

}  // namespace

Result<std::unique_ptr<ResultsStore>> ResultsStore::open(const storage::StoreConfig& config) {
  try {
    auto db = storage::StatementDatabase::open(config, "monitor", "monitoring");
    if (!db.ok())
      return db.error();
    return std::unique_ptr<ResultsStore>(std::make_unique<Store>(std::move(db).value()));
  } catch (const std::exception& e) {
    return Error{"store.internal", std::string("opening the monitoring store failed: ") + e.what(),
                 ""};
  }
}

}  // namespace huitong::monitor::schedule
