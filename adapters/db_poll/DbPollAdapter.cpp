#include "adapters/db_poll/DbPollAdapter.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "adapters/db_poll/DbPollConfig.h"
#include "adapters/db_poll/FrontEndTable.h"
#include "adapters/db_poll/PollState.h"

namespace huitong::adapters {
namespace {

using dbpoll::DbPollConfig;
using dbpoll::FrontEndTable;
using dbpoll::Mode;
using dbpoll::PollState;
using dbpoll::Row;
using Outcome = adapter::Submission::Outcome;

std::string fixed1(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", ms);
  return buf;
}

// "$[12]" or "$[12].x" -> 12; nullopt when the rule names no record of the array.
std::optional<std::size_t> recordIndex(const std::string& path) {
  if (path.size() < 4 || path.compare(0, 2, "$[") != 0)
    return std::nullopt;
  std::size_t i = 2, n = 0;
  bool any = false;
  while (i < path.size() && std::isdigit(static_cast<unsigned char>(path[i]))) {
    n = n * 10 + static_cast<std::size_t>(path[i] - '0');
    any = true;
    ++i;
  }
  if (!any || i >= path.size() || path[i] != ']')
    return std::nullopt;
  return n;
}

std::string outcomeName(Outcome o) {
  switch (o) {
    case Outcome::kAccepted:
      return "accepted";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kNotOnline:
      return "not-online";
    case Outcome::kUnreadable:
      return "unreadable";
    case Outcome::kUnknownSystem:
      return "unknown-system";
    case Outcome::kStoreFailed:
      return "store-failed";
  }
  return "?";
}

class DbPollAdapter final : public adapter::Adapter {
 public:
  DbPollAdapter(std::string system, DbPollConfig config, adapter::Host& host)
      : system_(std::move(system)),
        config_(std::move(config)),
        host_(host),
        table_(config_),
        state_(config_.stateDir.empty()
                   ? std::string()
                   : (std::filesystem::path(config_.stateDir) / (system_ + ".db_poll.json"))
                         .string()) {}

  ~DbPollAdapter() override { stop(); }

  Result<void> start() override {
    if (!config_.stateDir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(config_.stateDir, ec);
      if (ec) {
        return Error{"config.invalid",
                     "db_poll state_dir " + config_.stateDir + ": " + ec.message(), ""};
      }
    }
    if (auto r = state_.load(); !r.ok())
      return r;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
    return {};
  }

  void stop() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
      thread_.join();
    table_.disconnect();
  }

 private:
  struct PollResult {
    bool failed = false;
    bool more = false;  // a full batch: read again at once
  };

  // Waits `ms` or until stop(); true when stopping.
  bool pause(long long ms) {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
    return stopping_;
  }

  void run() {
    int failures = 0;
    long long delay = 0;
    while (!pause(delay)) {
      const PollResult r = pollOnce();
      if (r.failed) {
        ++failures;
        const int shift = std::min(failures - 1, 16);
        delay = std::min(config_.maxBackoffMs, config_.pollMs << shift);
      } else {
        failures = 0;
        delay = r.more ? 0 : config_.pollMs;
      }
    }
  }

  std::string where() const { return config_.connectorName + " " + config_.table; }

  void sourceDown(const Error& e, bool reachable) {
    lastError_ = e.code + ": " + e.message;
    host_.log(
        adapter::LogLevel::kError,
        reachable ? "front-end table: rows cannot be marked" : "front-end table unreachable",
        {{"table", config_.table}, {"connector", config_.connectorName}, {"error", lastError_}});
    table_.disconnect();
    report(reachable, (reachable ? "cannot mark rows in " : "cannot read ") + where() + ": " +
                          e.message.substr(0, 300));
  }

  void report(bool reachable, const std::string& detail) {
    adapter::SourceStatus s;
    s.reachable = reachable;
    s.detail = detail;
    s.facts = {{"connect_ms", fixed1(connectMs_)},
               {"query_ms", fixed1(queryMs_)},
               {"last_batch_rows", std::to_string(lastBatchRows_)},
               {"taken_rows_total", std::to_string(takenTotal_)},
               {"known_bad_rows", std::to_string(state_.badCount())},
               {"waiting_rows", std::to_string(state_.waitingCount())}};
    if (config_.mode == Mode::kFlag && unflagged_ >= 0)
      s.facts.emplace_back("unflagged_rows", std::to_string(unflagged_));
    if (state_.badCount() > 0)
      s.facts.emplace_back("bad_rows", state_.badList(20));
    if (config_.mode == Mode::kWatermark && state_.watermark)
      s.facts.emplace_back("watermark", state_.watermark->describe());
    if (!lastError_.empty())
      s.facts.emplace_back("last_error", lastError_.substr(0, 300));
    s.at = host_.clock().now();
    host_.reportSource(s);
  }

  PollResult pollOnce() {
    if (!table_.connected()) {
      auto c = table_.connect();
      if (!c.ok()) {
        sourceDown(c.error(), false);
        return {true, false};
      }
      connectMs_ = c.value();
    }
    auto batch =
        config_.mode == Mode::kFlag ? table_.unflagged(cursor_) : table_.after(state_.watermark);
    if (!batch.ok()) {
      sourceDown(batch.error(), false);
      return {true, false};
    }
    queryMs_ = batch.value().queryMs;
    std::vector<Row>& rows = batch.value().rows;
    const bool full = rows.size() >= static_cast<std::size_t>(config_.batchRows);
    lastBatchRows_ = rows.size();

    PollResult result;
    if (!rows.empty() || hasDueWaiting()) {
      result = take(rows);
      if (result.failed)
        return result;
    }
    result.more = full;
    if (config_.mode == Mode::kFlag)
      cursor_ = full ? std::optional<std::int64_t>(rows.back().id) : std::nullopt;
    if (!full) {
      // End of a round: the figures for the health view.
      if (config_.mode == Mode::kFlag) {
        auto n = table_.countUnflagged();
        if (!n.ok()) {
          sourceDown(n.error(), false);
          return {true, false};
        }
        unflagged_ = n.value();
      }
      lastError_.clear();
      report(true, "polling " + where() + " every " + std::to_string(config_.pollMs) + " ms");
    }
    return result;
  }

  // Watermark mode: rows waiting for their item to go online whose retry is due (flag mode
  // reads them from the table again: they were left unflagged).
  bool hasDueWaiting() const {
    return config_.mode == Mode::kWatermark && !state_.dueWaiting(host_.clock().now()).empty();
  }

  // Submits the rows not known to be bad (and, in watermark mode, the waiting rows now due),
  // then marks what the journal holds.
  PollResult take(const std::vector<Row>& tableRows) {
    badAdded_ = false;
    waitingChanged_ = false;
    const EpochMillis now = host_.clock().now();
    std::vector<Row> retried;
    if (config_.mode == Mode::kWatermark) {
      for (auto& w : state_.dueWaiting(now)) {
        Row r;
        r.id = w.id;
        r.version = w.version;
        r.json = std::move(w.json);
        r.mark = w.mark;
        retried.push_back(std::move(r));
      }
    }
    std::vector<const Row*> rows;
    for (const Row& r : retried)
      rows.push_back(&r);
    for (const Row& r : tableRows) {
      if (!state_.hasWaiting(r.id, r.version) || config_.mode == Mode::kFlag)
        rows.push_back(&r);
    }
    std::vector<const Row*> send;
    for (const Row* row : rows) {
      const Row& r = *row;
      if (state_.isKnownBad(r.id, r.version) || state_.isWaiting(r.id, r.version, now))
        continue;
      if (!r.unreadable.empty()) {
        recordBad(r, "row unreadable: " + r.unreadable);
        continue;
      }
      send.push_back(&r);
    }
    std::vector<std::int64_t> flagIds;
    if (!send.empty()) {
      RawMessage m;
      m.system = system_;
      m.adapter = "db_poll";
      m.contentType = "application/json";
      m.charset = "utf-8";
      m.sourceRef = config_.table + " " + config_.idColumn + " " +
                    std::to_string(send.front()->id) +
                    (send.size() > 1 ? ".." + std::to_string(send.back()->id) : "");
      std::size_t size = 2;
      for (const Row* r : send)
        size += r->json.size() + 1;
      m.bytes.reserve(size);
      m.bytes += '[';
      for (std::size_t i = 0; i < send.size(); ++i) {
        if (i)
          m.bytes += ',';
        m.bytes += send[i]->json;
      }
      m.bytes += ']';
      m.receivedAt = host_.clock().now();

      const adapter::Submission s = host_.intake().submit(m);
      if (!s.durable()) {
        const Error e{"submit." + outcomeName(s.outcome),
                      s.error.describe().empty() ? outcomeName(s.outcome) : s.error.describe(),
                      m.sourceRef};
        lastError_ = e.code + ": " + e.message;
        host_.log(adapter::LogLevel::kError, "rows not taken: the gateway did not journal them",
                  {{"rows", m.sourceRef},
                   {"outcome", outcomeName(s.outcome)},
                   {"error", e.message.substr(0, 500)}});
        report(true, "rows " + m.sourceRef + " not taken (" + outcomeName(s.outcome) +
                         "): retried with backoff");
        return {true, false};
      }
      // Rules that name a record leave that row unflagged; a rule about the whole message
      // (no record) concerns every row. A row refused only because its item is not online
      // waits (README: "Items not online"); any other broken rule makes it known-bad.
      std::map<std::size_t, std::string> bad, notOnline;
      for (const auto& rule : s.rejected) {
        auto& into = rule.code == "filing.not_online" ? notOnline : bad;
        const std::string reason =
            rule.field + " " + rule.code + (rule.message.empty() ? "" : ": " + rule.message);
        const auto at = recordIndex(rule.record);
        if (at && *at < send.size()) {
          auto& text = into[*at];
          text += (text.empty() ? "" : "; ") + reason;
        } else {
          for (std::size_t i = 0; i < send.size(); ++i) {
            auto& text = into[i];
            text += (text.empty() ? "" : "; ") + reason;
          }
        }
      }
      for (std::size_t i = 0; i < send.size(); ++i) {
        const Row& r = *send[i];
        if (auto b = bad.find(i); b != bad.end()) {
          if (state_.hasWaiting(r.id, r.version)) {
            state_.removeWaiting(r.id, r.version);
            waitingChanged_ = true;
          }
          recordBad(r, b->second);
        } else if (auto w = notOnline.find(i); w != notOnline.end()) {
          recordWaiting(r, w->second, now);
        } else {
          if (state_.hasWaiting(r.id, r.version)) {
            state_.removeWaiting(r.id, r.version);
            waitingChanged_ = true;
          }
          flagIds.push_back(r.id);
        }
      }
      host_.log(adapter::LogLevel::kInfo, "rows taken",
                {{"rows", m.sourceRef},
                 {"message_id", s.messageId},
                 {"outcome", outcomeName(s.outcome)},
                 {"events", std::to_string(s.eventIds.size())},
                 {"invalid_rows", std::to_string(bad.size())},
                 {"waiting_rows", std::to_string(notOnline.size())},
                 {"repeated", s.repeated ? "true" : "false"}});
    }

    // The journal has answered: what it found invalid is kept before anything else, so that
    // a crash before the flags are set does not offer those rows again.
    const auto previousMark = state_.watermark;
    if (config_.mode == Mode::kWatermark && !tableRows.empty())
      state_.watermark = tableRows.back().mark;
    if (config_.mode == Mode::kWatermark || badAdded_ || waitingChanged_) {
      if (auto w = state_.save(); !w.ok()) {
        lastError_ = w.error().code + ": " + w.error().message;
        host_.log(adapter::LogLevel::kError, "db_poll state not saved",
                  {{"path", state_.path()}, {"error", w.error().message}});
        if (config_.mode == Mode::kWatermark) {
          // The old watermark on disk says where to resume; the rows come again as repeats.
          state_.watermark = previousMark;
          report(true, "watermark not saved: " + w.error().message);
          return {true, false};
        }
      }
    }
    if (config_.mode == Mode::kFlag) {
      if (auto f = table_.flag(flagIds); !f.ok()) {
        // Journaled but not marked: the rows come again and the journal and the outbox take
        // them as repeats.
        sourceDown(f.error(), true);
        return {true, false};
      }
    }
    takenTotal_ += flagIds.size();
    return {};
  }

  void recordWaiting(const Row& r, const std::string& reason, EpochMillis now) {
    const bool first = !state_.hasWaiting(r.id, r.version);
    host_.log(adapter::LogLevel::kWarning,
              first ? "row of an item not online: waiting, submitted again later"
                    : "row of an item still not online: waiting",
              {{"table", config_.table},
               {"id", std::to_string(r.id)},
               {"version", r.version},
               {"retry_in_ms", std::to_string(config_.notOnlineRetryMs)},
               {"reason", reason.substr(0, 2000)}});
    state_.addWaiting(dbpoll::WaitingRow{r.id, r.version, r.json, r.mark, reason,
                                         now + config_.notOnlineRetryMs});
    waitingChanged_ = true;
  }

  void recordBad(const Row& r, const std::string& errors) {
    host_.log(adapter::LogLevel::kWarning,
              config_.mode == Mode::kFlag ? "invalid row left unflagged" : "invalid row skipped",
              {{"table", config_.table},
               {"id", std::to_string(r.id)},
               {"version", r.version},
               {"errors", errors.substr(0, 2000)}});
    state_.addBad(dbpoll::BadRow{r.id, r.version, errors, host_.clock().now()});
    badAdded_ = true;
  }

  std::string system_;
  DbPollConfig config_;
  adapter::Host& host_;
  FrontEndTable table_;
  PollState state_;

  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;

  // Poll thread only.
  std::optional<std::int64_t> cursor_;  // flag mode: last id of the round's previous batch
  double connectMs_ = 0;
  double queryMs_ = 0;
  std::size_t lastBatchRows_ = 0;
  std::uint64_t takenTotal_ = 0;
  std::int64_t unflagged_ = -1;
  std::string lastError_;
  bool badAdded_ = false;        // take(): rows recorded as bad in this batch
  bool waitingChanged_ = false;  // take(): rows began or ended waiting for their item
};

class DbPollFactory final : public adapter::AdapterFactory {
 public:
  std::string name() const override { return "db_poll"; }
  adapter::AdapterKind kind() const override { return adapter::AdapterKind::kPull; }
  std::string summary() const override {
    return "polls a front-end table (SQLite, PostgreSQL, MySQL) for REC_FLAG = 0 rows or past "
           "a watermark";
  }
  Result<std::unique_ptr<adapter::Adapter>> create(
      const adapter::AdapterSpec& spec) const override {
    auto c = dbpoll::parseConfig(spec.config);
    if (!c.ok())
      return c.error();
    if (spec.inputFormat != "rows" && spec.inputFormat != "json") {
      return spec.config.fail("kind", "db_poll submits rows as a JSON array but the mapping of " +
                                          spec.system + " reads " + spec.inputFormat);
    }
    FrontEndTable::registerConnectors();
    return std::unique_ptr<adapter::Adapter>(
        std::make_unique<DbPollAdapter>(spec.system, std::move(c).value(), *spec.host));
  }
};

}  // namespace

std::unique_ptr<adapter::AdapterFactory> makeDbPollFactory() {
  return std::make_unique<DbPollFactory>();
}

}  // namespace huitong::adapters
