// The once-a-minute SLA pass: N open tickets (default 100,000) re-evaluated with
// huitong::sla::evaluate on one core, beside the same clocks computed by one straightforward SQL
// query in SQLite (in memory) on the same data, with the ratio; the two answers are compared
// ticket by ticket. Not a test: it exits non-zero only when the answers disagree.
//
//   huitong_bench_sla [--tickets 100000] [--seed 20251103] [--runs 5]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "gateway/core/WorkCalendar.h"
#include "gateway/faults/sla/SlaClock.h"
#include "gateway/faults/sla/SlaPolicy.h"

namespace {

using huitong::EpochMillis;
using namespace huitong::sla;

constexpr EpochMillis kMin = 60'000;
constexpr EpochMillis kHour = 60 * kMin;
constexpr EpochMillis kDay = 24 * kHour;

const char* kTypes[] = {"application", "database", "network", "exchange",
                        "security",    "bug",      "other"};

// Open tickets as a busy month leaves them: 15 % major, 1 in 7 a bug (working-day clock),
// opened in the last 2 days (bugs: 12 days), 60 % answered, 30 % with a finished pause,
// 8 % waiting for the reporter now, 5 % reopened, 10 % sent on site (half arrived).
std::vector<SlaTimeline> generate(int n, unsigned seed, EpochMillis now) {
  std::mt19937_64 rng(seed);
  auto uni = [&](EpochMillis lo, EpochMillis hi) {
    return std::uniform_int_distribution<EpochMillis>(lo, hi)(rng);
  };
  auto chance = [&](int percent) { return uni(0, 99) < percent; };
  std::vector<SlaTimeline> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    SlaTimeline t;
    t.ticketId = std::to_string(i + 1);
    t.type = kTypes[uni(0, 6)];
    t.severity = chance(15) ? Severity::kMajor : Severity::kGeneral;
    const bool bug = t.type == std::string("bug");
    t.createdAt = now - uni(1 * kMin, bug ? 12 * kDay : 2 * kDay);
    EpochMillis cursor = t.createdAt;
    if (chance(60)) {
      t.firstResponseAt = std::min(now, t.createdAt + uni(1 * kMin, 40 * kMin));
      cursor = *t.firstResponseAt;
      t.statuses.push_back({cursor, "in_progress"});
    }
    // Pauses and reopens come after the first response (the SQL below relies on it).
    if (t.firstResponseAt && chance(30) && cursor + 2 * kMin < now) {
      const EpochMillis a = uni(cursor + 1 * kMin, now - 1 * kMin);
      const EpochMillis b = uni(a, now);
      t.statuses.push_back({a, kWaitingForReporter});
      t.statuses.push_back({b, "in_progress"});
      cursor = b;
    }
    bool reopened = false;
    if (t.firstResponseAt && chance(5) && cursor + 2 * kMin < now) {
      reopened = true;
      const EpochMillis a = uni(cursor + 1 * kMin, now - 1 * kMin);
      const EpochMillis b = uni(a, now);
      t.statuses.push_back({a, kResolved});
      t.statuses.push_back({b, "in_progress"});
      cursor = b;
    }
    if (t.firstResponseAt && chance(8) && cursor + 1 * kMin < now) {
      t.statuses.push_back({uni(cursor + 1 * kMin, now), kWaitingForReporter});
    }
    if (!reopened && chance(10)) {  // (a resolution stops the on-site clock: none in between)
      t.onSiteDispatchedAt = uni(t.createdAt, now);
      if (chance(50))
        t.onSiteArrivedAt = uni(*t.onSiteDispatchedAt, now);
    }
    t.maintainer = "m" + std::to_string(uni(1, 40));
    out.push_back(std::move(t));
  }
  return out;
}

struct Db {
  sqlite3* db = nullptr;
  ~Db() { sqlite3_close_v2(db); }
  void exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::fprintf(stderr, "sqlite: %s\n", message);
      std::exit(2);
    }
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
      std::exit(2);
    }
    return st;
  }
};

void bindOpt(sqlite3_stmt* st, int i, const std::optional<EpochMillis>& v) {
  if (v)
    sqlite3_bind_int64(st, i, *v);
  else
    sqlite3_bind_null(st, i);
}

void load(Db& db, const std::vector<SlaTimeline>& tickets, const SlaPolicy& policy,
          const huitong::WorkCalendar& cal, EpochMillis now) {
  db.exec(
      "CREATE TABLE tickets(id INTEGER PRIMARY KEY, created INTEGER NOT NULL, type TEXT NOT NULL,"
      " severity TEXT NOT NULL, first_response INTEGER, dispatched INTEGER, arrived INTEGER);"
      "CREATE TABLE stops(ticket_id INTEGER NOT NULL, from_ms INTEGER NOT NULL, to_ms INTEGER);"
      "CREATE INDEX stops_ticket ON stops(ticket_id);"
      "CREATE TABLE targets(type TEXT, severity TEXT, clock TEXT, target_ms INTEGER,"
      " working INTEGER, warn_percent INTEGER, PRIMARY KEY(type, severity, clock));"
      "CREATE TABLE windows(start_ms INTEGER PRIMARY KEY, end_ms INTEGER NOT NULL);");
  db.exec("BEGIN");
  sqlite3_stmt* ins = db.prepare("INSERT INTO tickets VALUES(?,?,?,?,?,?,?)");
  sqlite3_stmt* stop = db.prepare("INSERT INTO stops VALUES(?,?,?)");
  for (const auto& t : tickets) {
    sqlite3_bind_int64(ins, 1, std::stoll(t.ticketId));
    sqlite3_bind_int64(ins, 2, t.createdAt);
    sqlite3_bind_text(ins, 3, t.type.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 4, toString(t.severity), -1, SQLITE_STATIC);
    bindOpt(ins, 5, t.firstResponseAt);
    bindOpt(ins, 6, t.onSiteDispatchedAt);
    bindOpt(ins, 7, t.onSiteArrivedAt);
    sqlite3_step(ins);
    sqlite3_reset(ins);
    // Stopped intervals (waiting for the reporter, resolved before a reopen): status rows as a
    // ticket store keeps them, one per interval, the current one open-ended.
    for (std::size_t i = 0; i < t.statuses.size(); ++i) {
      const auto& s = t.statuses[i];
      if (s.status != kWaitingForReporter && s.status != kResolved)
        continue;
      sqlite3_bind_int64(stop, 1, std::stoll(t.ticketId));
      sqlite3_bind_int64(stop, 2, s.at);
      if (i + 1 < t.statuses.size())
        sqlite3_bind_int64(stop, 3, t.statuses[i + 1].at);
      else
        sqlite3_bind_null(stop, 3);
      sqlite3_step(stop);
      sqlite3_reset(stop);
    }
  }
  sqlite3_finalize(ins);
  sqlite3_finalize(stop);
  sqlite3_stmt* tg = db.prepare("INSERT INTO targets VALUES(?,?,?,?,?,?)");
  for (const char* type : kTypes) {
    const ClockTargets& c = policy.targetsFor(type);
    for (Severity sev : {Severity::kGeneral, Severity::kMajor}) {
      for (ClockKind k : {ClockKind::kResponse, ClockKind::kResolution, ClockKind::kOnSite}) {
        const SlaTarget& target = c.target(k, sev);
        sqlite3_bind_text(tg, 1, type, -1, SQLITE_STATIC);
        sqlite3_bind_text(tg, 2, toString(sev), -1, SQLITE_STATIC);
        sqlite3_bind_text(tg, 3, toString(k), -1, SQLITE_STATIC);
        sqlite3_bind_int64(tg, 4, target.millis(cal));
        sqlite3_bind_int(tg, 5, target.workingTime() ? 1 : 0);
        sqlite3_bind_int(tg, 6, c.warningPercent);
        sqlite3_step(tg);
        sqlite3_reset(tg);
      }
    }
  }
  sqlite3_finalize(tg);
  // The work calendar as a table: one row per office-hours window of a working day (the same
  // calendar, holidays and 调休 days included), from 30 days back to 60 days ahead.
  sqlite3_stmt* win = db.prepare("INSERT INTO windows VALUES(?,?)");
  for (huitong::Day d = huitong::chinaDay(now) - 30; d <= huitong::chinaDay(now) + 60; ++d) {
    if (!cal.isWorkday(d))
      continue;
    const EpochMillis midnight = d * kDay - 8 * kHour;
    for (const auto& h : cal.officeHours()) {
      sqlite3_bind_int64(win, 1, midnight + h.startMinute * kMin);
      sqlite3_bind_int64(win, 2, midnight + h.endMinute * kMin);
      sqlite3_step(win);
      sqlite3_reset(win);
    }
  }
  sqlite3_finalize(win);
  db.exec("COMMIT");
  db.exec("ANALYZE");
}

// One row per clock: (ticket, clock, elapsed, remaining, state, due). The clock-hour elapsed
// time is now − start − the stopped intervals' overlap; the working-time one sums the overlap of
// [created, now] with the office-hours windows minus the stopped intervals' overlap with them.
// What it leaves out: the due instant of a working-time clock (it needs a running sum over the
// windows: NULL here), pauses before the first response (the data has none), and the on-site
// clock's stop at a resolution before the arrival (no open ticket has one).
const char* kSql = R"SQL(
WITH
stopped AS (
  SELECT s.ticket_id, SUM(MIN(COALESCE(s.to_ms, :now), :now) - s.from_ms) AS ms,
         MAX(s.to_ms IS NULL) AS paused_now
  FROM stops s WHERE s.from_ms < :now GROUP BY s.ticket_id),
worked AS (
  SELECT t.id, SUM(MIN(w.end_ms, :now) - MAX(w.start_ms, t.created)) AS ms
  FROM tickets t JOIN windows w ON w.end_ms > t.created AND w.start_ms < :now
  WHERE t.type = 'bug' GROUP BY t.id),
stopped_worked AS (
  SELECT s.ticket_id,
         SUM(MIN(w.end_ms, COALESCE(s.to_ms, :now), :now) - MAX(w.start_ms, s.from_ms)) AS ms
  FROM stops s JOIN tickets t ON t.id = s.ticket_id AND t.type = 'bug'
  JOIN windows w ON w.end_ms > s.from_ms AND w.start_ms < MIN(COALESCE(s.to_ms, :now), :now)
  GROUP BY s.ticket_id),
clocks AS (
  SELECT t.id, 'response' AS clock, g.target_ms, g.warn_percent,
         t.first_response IS NOT NULL AS stopped, t.first_response IS NULL AS running,
         COALESCE(t.first_response, :now) - t.created AS elapsed
  FROM tickets t JOIN targets g ON g.type = t.type AND g.severity = t.severity
                               AND g.clock = 'response'
  UNION ALL
  SELECT t.id, 'resolution', g.target_ms, g.warn_percent, 0,
         COALESCE(st.paused_now, 0) = 0,
         CASE WHEN g.working = 1 THEN COALESCE(wk.ms, 0) - COALESCE(sw.ms, 0)
              ELSE :now - t.created - COALESCE(st.ms, 0) END
  FROM tickets t JOIN targets g ON g.type = t.type AND g.severity = t.severity
                               AND g.clock = 'resolution'
  LEFT JOIN stopped st ON st.ticket_id = t.id
  LEFT JOIN worked wk ON wk.id = t.id
  LEFT JOIN stopped_worked sw ON sw.ticket_id = t.id
  UNION ALL
  SELECT t.id, 'on_site', g.target_ms, g.warn_percent, t.arrived IS NOT NULL, t.arrived IS NULL,
         COALESCE(t.arrived, :now) - t.dispatched
  FROM tickets t JOIN targets g ON g.type = t.type AND g.severity = t.severity
                               AND g.clock = 'on_site'
  WHERE t.dispatched IS NOT NULL)
SELECT c.id, c.clock, c.elapsed, c.target_ms - c.elapsed,
       CASE WHEN c.stopped THEN CASE WHEN c.elapsed <= c.target_ms THEN 'met' ELSE 'missed' END
            WHEN c.elapsed >= c.target_ms THEN 'breached'
            WHEN c.elapsed >= c.target_ms * c.warn_percent / 100 THEN 'warning'
            ELSE 'ok' END,
       CASE WHEN c.running AND c.elapsed < c.target_ms AND g.working = 0
            THEN :now + c.target_ms - c.elapsed END
FROM clocks c JOIN tickets t ON t.id = c.id
JOIN targets g ON g.type = t.type AND g.severity = t.severity AND g.clock = c.clock
)SQL";

struct SqlRow {
  long long id;
  int clock;
  EpochMillis elapsed;
  std::string state;
  std::optional<EpochMillis> due;
};

std::vector<SqlRow> runSql(Db& db, EpochMillis now) {
  sqlite3_stmt* st = db.prepare(kSql);
  sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), now);
  std::vector<SqlRow> rows;
  rows.reserve(300000);
  while (sqlite3_step(st) == SQLITE_ROW) {
    SqlRow r;
    r.id = sqlite3_column_int64(st, 0);
    const std::string clock = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
    r.clock = clock == "response" ? 0 : clock == "resolution" ? 1 : 2;
    r.elapsed = sqlite3_column_int64(st, 2);
    r.state = reinterpret_cast<const char*>(sqlite3_column_text(st, 4));
    if (sqlite3_column_type(st, 5) != SQLITE_NULL)
      r.due = sqlite3_column_int64(st, 5);
    rows.push_back(std::move(r));
  }
  sqlite3_finalize(st);
  return rows;
}

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  int n = 100000;
  unsigned seed = 20251103;
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--tickets")
      n = std::atoi(argv[i + 1]);
    else if (a == "--seed")
      seed = static_cast<unsigned>(std::atoll(argv[i + 1]));
    else if (a == "--runs")
      runs = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: huitong_bench_sla [--tickets N] [--seed S] [--runs R]\n");
      return 2;
    }
  }
  if (n < 1 || runs < 1) {
    std::fprintf(stderr, "--tickets and --runs must be at least 1\n");
    return 2;
  }
  const huitong::WorkCalendar& cal = huitong::WorkCalendar::china();
  const SlaPolicy policy;
  // Tuesday 14 October 2025 10:00 +08:00: bugs opened in the last 12 days cross 国庆 and the
  // 调休 Saturday.
  const EpochMillis now = huitong::daysFromCivil(2025, 10, 14) * kDay + 2 * kHour;
  const auto tickets = generate(n, seed, now);

  using Clock = std::chrono::steady_clock;
  std::vector<SlaEvaluation> ours;
  double bestOurs = 1e9;
  for (int r = 0; r < runs; ++r) {
    std::vector<SlaEvaluation> out;
    out.reserve(tickets.size());
    const auto t0 = Clock::now();
    for (const auto& t : tickets)
      out.push_back(evaluate(t, policy, now, cal));
    bestOurs = std::min(bestOurs, seconds(Clock::now() - t0));
    ours = std::move(out);
  }

  Db db;
  sqlite3_open(":memory:", &db.db);
  const auto l0 = Clock::now();
  load(db, tickets, policy, cal, now);
  const double loadSeconds = seconds(Clock::now() - l0);
  std::vector<SqlRow> sql;
  double bestSql = 1e9;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = Clock::now();
    auto rows = runSql(db, now);
    bestSql = std::min(bestSql, seconds(Clock::now() - t0));
    sql = std::move(rows);
  }

  // Ticket by ticket: the same elapsed time and state for every clock, the same due instant for
  // the clock-hour ones.
  long long compared = 0, disagree = 0;
  std::size_t clocksOurs = 0;
  for (const auto& e : ours)
    clocksOurs += e.clocks.size();
  for (const auto& row : sql) {
    const SlaEvaluation& e = ours[static_cast<std::size_t>(row.id - 1)];
    const ClockReading* c = e.find(static_cast<ClockKind>(row.clock));
    ++compared;
    const bool dueComparable = c && !c->workingTime;
    if (!c || c->elapsed != row.elapsed || row.state != toString(c->state) ||
        (dueComparable && c->state != ClockState::kBreached && c->running && row.due != c->dueAt)) {
      if (++disagree <= 5) {
        std::fprintf(stderr, "disagree: ticket %lld clock %d: sql %lld %s, ours %lld %s\n", row.id,
                     row.clock, static_cast<long long>(row.elapsed), row.state.c_str(),
                     c ? static_cast<long long>(c->elapsed) : -1LL, c ? toString(c->state) : "-");
      }
    }
  }
  int states[5] = {0, 0, 0, 0, 0};
  for (const auto& e : ours) {
    for (const auto& c : e.clocks)
      ++states[static_cast<int>(c.state)];
  }
  std::printf(
      "SLA pass: %d open tickets, %zu clocks, now 2025-10-14 10:00 +08:00, best of %d, "
      "one thread\n",
      n, clocksOurs, runs);
  std::printf("  clocks: ok %d, warning %d, breached %d, met %d, missed %d\n", states[0], states[1],
              states[2], states[3], states[4]);
  std::printf("  %-44s %8.3f s\n", "huitong::sla::evaluate (C++)", bestOurs);
  std::printf("  %-44s %8.3f s   (load %.2f s, not counted)\n", "one SQL query, SQLite in memory",
              bestSql, loadSeconds);
  std::printf("  ratio SQL / ours: %.1fx\n", bestSql / bestOurs);
  std::printf("  compared %lld clocks (%zu from SQL), disagreeing %lld\n", compared, sql.size(),
              disagree);
  std::printf("  target under 1 s on one core: %s\n", bestOurs < 1.0 ? "yes" : "NO");
  return disagree == 0 && sql.size() == clocksOurs ? 0 : 1;
}
