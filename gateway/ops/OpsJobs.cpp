#include "gateway/ops/OpsJobs.h"

#include <cstdlib>
#include <exception>
#include <sstream>

namespace huitong::ops {
namespace {

constexpr EpochMillis kDayMillis = 86400000;
constexpr EpochMillis kChinaOffsetMillis = 8 * 3600 * 1000;
// Backward jumps smaller than this are jitter, not a clock that was set back.
constexpr EpochMillis kBackwardJumpMillis = 60000;

Error badWhen(const std::string& text, const std::string& why) {
  return Error{"ops.schedule",
               "\"" + text + "\": " + why +
                   " (expected \"daily HH:MM\", \"workdays HH:MM\" or \"monthly D HH:MM\" with D "
                   "from 1 to 28)",
               ""};
}

bool parseClock(const std::string& s, int& minuteOfDay) {
  if (s.size() != 5 || s[2] != ':')
    return false;
  for (std::size_t i : {0U, 1U, 3U, 4U})
    if (s[i] < '0' || s[i] > '9')
      return false;
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59)
    return false;
  minuteOfDay = h * 60 + m;
  return true;
}

// Day of the month (1–31) of a civil day number.
int dayOfMonthOf(Day day) {
  return std::atoi(formatDate(day).substr(8, 2).c_str());
}

}  // namespace

Result<JobWhen> parseJobWhen(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;)
    words.push_back(w);
  JobWhen when;
  when.text = text;
  if (words.empty())
    return badWhen(text, "empty");
  std::string clockWord;
  if (words[0] == "daily" || words[0] == "workdays") {
    if (words.size() != 2)
      return badWhen(text, "wants one time of day after \"" + words[0] + "\"");
    when.days = words[0] == "daily" ? JobWhen::Days::kDaily : JobWhen::Days::kWorkdays;
    clockWord = words[1];
  } else if (words[0] == "monthly") {
    if (words.size() != 3)
      return badWhen(text, "wants a day of the month and a time of day after \"monthly\"");
    char* end = nullptr;
    const long d = std::strtol(words[1].c_str(), &end, 10);
    if (end == words[1].c_str() || *end != '\0' || d < 1 || d > 28)
      return badWhen(text, "day of the month \"" + words[1] + "\" is not from 1 to 28");
    when.days = JobWhen::Days::kMonthly;
    when.dayOfMonth = static_cast<int>(d);
    clockWord = words[2];
  } else {
    return badWhen(text, "unknown day rule \"" + words[0] + "\"");
  }
  if (!parseClock(clockWord, when.minuteOfDay))
    return badWhen(text, "time of day \"" + clockWord + "\" is not HH:MM (00:00 to 23:59)");
  return when;
}

EpochMillis nextJobDue(const JobWhen& when, EpochMillis after, const WorkCalendar& calendar) {
  // A monthly rule is due within 31 days, a working day within a few weeks of holidays; a
  // calendar with no working day for a year gets a slot a year out (and says so by its date).
  const Day first = chinaDay(after);
  for (Day day = first; day < first + 400; ++day) {
    const EpochMillis at =
        day * kDayMillis + static_cast<EpochMillis>(when.minuteOfDay) * 60000 - kChinaOffsetMillis;
    if (at <= after)
      continue;
    if (when.days == JobWhen::Days::kWorkdays && !calendar.isWorkday(day))
      continue;
    if (when.days == JobWhen::Days::kMonthly && dayOfMonthOf(day) != when.dayOfMonth)
      continue;
    return at;
  }
  return (first + 400) * kDayMillis;
}

OpsJobs::OpsJobs(const Clock& clock, const WorkCalendar& calendar, std::chrono::milliseconds poll)
    : clock_(clock), calendar_(calendar), poll_(poll) {
  lastNow_ = clock_.now();
}

OpsJobs::~OpsJobs() {
  stop();
}

void OpsJobs::add(Job job) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry e;
  e.state.name = job.name;
  e.state.when = job.when.text;
  e.state.nextDue = nextJobDue(job.when, clock_.now(), calendar_);
  e.job = std::move(job);
  entries_.push_back(std::move(e));
}

void OpsJobs::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable())
    return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      lock.unlock();
      tick();
      lock.lock();
      cv_.wait_for(lock, poll_, [this] { return stopping_; });
    }
  });
}

void OpsJobs::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void OpsJobs::runOne(Entry& e, EpochMillis dueAt, bool intensified,
                     std::unique_lock<std::mutex>& lock) {
  auto run = e.job.run;  // the entry stays put: entries_ is not resized after start
  lock.unlock();
  std::string error;
  try {
    if (run)
      run(dueAt, intensified);
  } catch (const std::exception& ex) {
    error = ex.what();
  } catch (...) {
    error = "the job threw something that is not an exception";
  }
  lock.lock();
  e.state.runs++;
  e.state.lastRunAt = clock_.now();
  e.state.lastIntensified = intensified;
  e.state.lastError = error;
}

void OpsJobs::tick() {
  std::unique_lock<std::mutex> lock(mu_);
  if (ticking_)
    return;
  ticking_ = true;
  EpochMillis now = clock_.now();
  if (now < lastNow_ - kBackwardJumpMillis) {
    for (auto& e : entries_) {
      e.state.nextDue = nextJobDue(e.job.when, now, calendar_);
      if (e.nextIntensified != 0)
        e.nextIntensified = now;
    }
  }
  lastNow_ = now;
  for (auto& e : entries_) {
    if (stopping_)
      break;
    if (e.state.nextDue <= now) {
      const EpochMillis due = e.state.nextDue;
      runOne(e, due, false, lock);
      now = clock_.now();
      // One late run for however many slots passed, then the first slot after now.
      e.state.nextDue = nextJobDue(e.job.when, std::max(due, now), calendar_);
      if (e.nextIntensified != 0)
        e.nextIntensified = now + static_cast<EpochMillis>(e.job.intensifiedEveryMinutes) * 60000;
      continue;
    }
    if (e.job.intensifiedEveryMinutes == 0 || !e.job.intensified)
      continue;
    lock.unlock();
    bool on = false;
    try {
      on = e.job.intensified();
    } catch (const std::exception&) {  // a failing predicate means the normal cadence
    }
    lock.lock();
    if (!on) {
      e.nextIntensified = 0;
      continue;
    }
    if (e.nextIntensified == 0)
      e.nextIntensified = now;  // the event just began: run now, then every N minutes
    if (e.nextIntensified <= now) {
      const EpochMillis due = e.nextIntensified;
      runOne(e, due, true, lock);
      now = clock_.now();
      e.nextIntensified = now + static_cast<EpochMillis>(e.job.intensifiedEveryMinutes) * 60000;
    }
  }
  ticking_ = false;
}

std::vector<OpsJobs::State> OpsJobs::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<State> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_)
    out.push_back(e.state);
  return out;
}

}  // namespace huitong::ops
