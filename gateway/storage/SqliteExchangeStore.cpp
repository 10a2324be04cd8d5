#include "gateway/storage/SqliteExchangeStore.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>

#include "gateway/storage/MessageState.h"
#include "gateway/storage/Migrations.h"
#include "gateway/storage/Queries.h"

// Returns the Error of a failed Result-valued expression from the enclosing function.
#define STORE_TRY(expr)         \
  do {                          \
    auto&& storeTry_ = (expr);  \
    if (!storeTry_.ok()) {      \
      return storeTry_.error(); \
    }                           \
  } while (0)

namespace huitong::storage {
namespace {

namespace q = queries;

// Long enough to ride out another process's batch or a checkpoint; short enough that a wedged
// peer turns into an error the caller sees rather than a hung request.
constexpr int kBusyTimeoutMillis = 10000;
// A batch bigger than this gains nothing on the fsync and makes its first caller wait longer.
constexpr std::size_t kMaxBatch = 256;
// Page caches (KiB; SQLite reads a negative cache_size as KiB). The writer touches the outbox
// indexes and the newest pages of every table; the default 2 MiB reloaded pages all the time.
constexpr const char* kWriterCacheSize = "PRAGMA cache_size=-16384";
constexpr const char* kReaderCacheSize = "PRAGMA cache_size=-4096";
// WAL checkpoints run off the writer thread (autocheckpoint would run them inside a commit that
// intake waits for): a checkpointer connection copies the WAL into the database every interval
// (PASSIVE: never blocks the writer). Under steady writes the WAL can then only grow, because
// SQLite rewinds it at the start of a write only when every frame was copied; so when it holds
// more than kWalRewindFrames the writer itself copies the few frames the checkpointer missed
// between two batches, and past kWalHardFrames (readers keep the rewind from happening) it
// runs a TRUNCATE checkpoint, which waits for readers.
constexpr auto kCheckpointInterval = std::chrono::milliseconds(500);
constexpr int kWalRewindFrames = 4096;  // 16 MiB of 4 KiB pages
constexpr int kWalHardFrames = 65536;   // 256 MiB
constexpr const char* kWalSizeLimit = "PRAGMA journal_size_limit=67108864";
// Candidates read, then all taken by a concurrent claimer before this one's write: look again.
constexpr int kClaimRounds = 3;

Error sqliteError(sqlite3* db, int rc, const std::string& what) {
  const char* code = "store.sql";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = "store.busy";
      break;
    case SQLITE_CONSTRAINT:
      code = "store.constraint";
      break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      code = "store.io";
      break;
    default:
      break;
  }
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Error{code, what + ": " + detail, ""};
}

// A cached prepared statement, borrowed for one use: reset and unbound when this goes away.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept
      : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement() {
    if (stmt_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }

  Statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // Bound values are not copied (SQLITE_STATIC): they must outlive the statement's use, hence
  // no temporaries.
  Statement& bind(int i, const std::string& v) {
    sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
    return *this;
  }
  Statement& bind(int i, std::string&& v) = delete;
  // REQUIRES: `literal` has static storage (a string literal, a Migration's name).
  Statement& bindStatic(int i, const char* literal) {
    sqlite3_bind_text(stmt_, i, literal, -1, SQLITE_STATIC);
    return *this;
  }
  Statement& bindBlob(int i, std::string&& v) = delete;
  Statement& bindBlob(int i, const std::string& v) {
    sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_STATIC);
    return *this;
  }

  // true: a row is ready; false: done.
  Result<bool> next() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc == SQLITE_DONE) {
      return false;
    }
    return sqliteError(db_, rc, "sql failed");
  }
  // Runs a statement that returns no rows.
  Result<void> run() {
    auto r = next();
    if (!r.ok()) {
      return r.error();
    }
    return {};
  }

  bool isNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  std::int64_t int64(int c) const { return sqlite3_column_int64(stmt_, c); }
  std::string text(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
    return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, c));
  }
  std::string blob(int c) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, c));
    return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, c));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// What a connection is for: the one writer, a pooled reader, or the WAL checkpointer.
enum class Role { kWriter, kReader, kCheckpointer };

// One sqlite3 handle and its statement cache. Used by one thread at a time.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const std::string& path, Role role) {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    auto conn = std::unique_ptr<Connection>(new Connection(db));
    if (rc != SQLITE_OK) {
      return sqliteError(db, rc, "cannot open " + path);
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, kBusyTimeoutMillis);
    switch (role) {
      case Role::kWriter: {
        // WAL: readers never block the writer. FULL: the WAL is fsync'ed at every commit, which
        // is what "acknowledge only what is durable" needs (NORMAL may lose the last commits).
        auto mode = conn->queryText("PRAGMA journal_mode=WAL");
        if (!mode.ok()) {
          return mode.error();
        }
        if (mode.value() != "wal") {
          return Error{"store.io",
                       path + ": cannot use WAL mode (journal_mode is " + mode.value() + ")", ""};
        }
        STORE_TRY(
            conn->exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                       " PRAGMA wal_autocheckpoint=0"));
        STORE_TRY(conn->exec(kWriterCacheSize));
        STORE_TRY(conn->exec(kWalSizeLimit));
        break;
      }
      case Role::kReader:
        STORE_TRY(conn->exec("PRAGMA query_only=ON"));
        STORE_TRY(conn->exec(kReaderCacheSize));
        break;
      case Role::kCheckpointer:
        // A checkpoint syncs the WAL before copying it and the database after, as this
        // connection's synchronous setting says: keep it FULL like the writer's.
        STORE_TRY(conn->exec("PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=0"));
        break;
    }
    return conn;
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    for (auto& [sql, stmt] : cache_) {
      sqlite3_finalize(stmt);
    }
    sqlite3_close_v2(db_);
  }

  sqlite3* db() const { return db_; }

  // `sql` is one of the string constants of Queries.h (cached by address).
  Result<Statement> prepare(const char* sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      std::string text(sql);
      std::replace(text.begin(), text.end(), '$', '?');
      sqlite3_stmt* stmt = nullptr;
      const int rc = sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()),
                                        SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) {
        return sqliteError(db_, rc, "cannot prepare statement");
      }
      it = cache_.emplace(sql, stmt).first;
    }
    return Statement(db_, it->second);
  }

  Result<void> exec(const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      Error e = sqliteError(nullptr, rc, "sql failed");
      e.message = "sql failed: " + detail;
      return e;
    }
    return {};
  }

  Result<std::string> queryText(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      return sqliteError(db_, rc, sql);
    }
    Result<std::string> value = std::string();
    {
      Statement st(db_, stmt);
      auto row = st.next();
      if (!row.ok()) {
        value = row.error();
      } else if (row.value()) {
        value = st.text(0);
      }
    }
    sqlite3_finalize(stmt);
    return value;
  }

  int changes() const { return sqlite3_changes(db_); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// Statement-level SQL for the writer's batch bracket (prepared once; not in Queries.h because
// they are SQLite's own).
constexpr const char* kBegin = "BEGIN IMMEDIATE";
constexpr const char* kCommit = "COMMIT";
constexpr const char* kRollback = "ROLLBACK";
constexpr const char* kSavepoint = "SAVEPOINT job";
constexpr const char* kRelease = "RELEASE job";
constexpr const char* kRollbackTo = "ROLLBACK TO job";

Result<void> runCached(Connection& c, const char* sql) {
  auto st = c.prepare(sql);
  if (!st.ok()) {
    return st.error();
  }
  return st.value().run();
}

Result<std::optional<std::string>> outboxState(Connection& c, std::int64_t id) {
  auto st = c.prepare(q::kOutboxState);
  STORE_TRY(st);
  st.value().bind(1, id);
  auto row = st.value().next();
  STORE_TRY(row);
  if (!row.value()) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(st.value().text(0));
}

// Runs an UPDATE guarded by "AND state = ...": no row changed means the transition is refused.
// The outer error is the database's; the inner one (no row changed) is the refusal.
Result<std::optional<Error>> guardedTransition(Connection& c, const char* operation,
                                               std::int64_t id, Statement& update,
                                               bool deliveredIsIdempotent) {
  STORE_TRY(update.run());
  if (c.changes() > 0) {
    return std::optional<Error>();
  }
  auto state = outboxState(c, id);
  STORE_TRY(state);
  return refusedTransition(operation, id, state.value(), deliveredIsIdempotent);
}

Result<void> transition(Connection& c, const char* operation, std::int64_t id, Statement& update,
                        bool deliveredIsIdempotent) {
  auto refused = guardedTransition(c, operation, id, update, deliveredIsIdempotent);
  STORE_TRY(refused);
  if (refused.value()) {
    return *refused.value();
  }
  return {};
}

Result<void> logDeadLetter(Connection& c, std::int64_t id, const char* action, EpochMillis at) {
  auto st = c.prepare(q::kLogDeadLetter);
  STORE_TRY(st);
  st.value().bind(1, id).bindStatic(2, action).bind(3, at);
  return st.value().run();
}

// One delivery outcome, inside the writer's transaction (see ExchangeStore::settle).
Result<std::optional<Error>> applySettlement(Connection& c, const Settlement& s) {
  switch (s.outcome) {
    case Settlement::Outcome::kDelivered: {
      auto st = c.prepare(q::kMarkDelivered);
      STORE_TRY(st);
      st.value().bind(1, s.outboxId).bind(2, s.detail).bind(3, s.at);
      return guardedTransition(c, "markDelivered", s.outboxId, st.value(), true);
    }
    case Settlement::Outcome::kRetry: {
      auto st = c.prepare(q::kMarkRetry);
      STORE_TRY(st);
      st.value().bind(1, s.outboxId).bind(2, s.detail).bind(3, s.at);
      return guardedTransition(c, "markRetry", s.outboxId, st.value(), false);
    }
    case Settlement::Outcome::kDead: {
      auto st = c.prepare(q::kMarkDead);
      STORE_TRY(st);
      st.value().bind(1, s.outboxId).bind(2, s.detail).bind(3, s.at);
      auto refused = guardedTransition(c, "markDead", s.outboxId, st.value(), false);
      STORE_TRY(refused);
      if (!refused.value()) {
        STORE_TRY(logDeadLetter(c, s.outboxId, "dead", s.at));
      }
      return refused;
    }
  }
  return Error{"store.internal", "unknown settlement outcome", ""};
}

template <typename T, typename F>
Result<T> guarded(const char* operation, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Error{"store.internal", std::string(operation) + " failed: " + e.what(), ""};
  }
}

class SqliteExchangeStore final : public ExchangeStore {
 public:
  SqliteExchangeStore(const StoreConfig& config, std::unique_ptr<Connection> writer)
      : config_(config), writer_(std::move(writer)) {
    writerThread_ = std::thread([this] { writerLoop(); });
    checkpointThread_ = std::thread([this] { checkpointLoop(); });
  }

  ~SqliteExchangeStore() override {
    {
      std::lock_guard<std::mutex> lock(checkpointMutex_);
      checkpointStopping_ = true;
    }
    checkpointCv_.notify_all();
    checkpointThread_.join();
    {
      std::lock_guard<std::mutex> lock(queueMutex_);
      stopping_ = true;
    }
    queueCv_.notify_all();
    writerThread_.join();
  }

  Result<IntakeOutcome> recordIntake(const IntakeRecord& r) override {
    return guarded<IntakeOutcome>("recordIntake", [&]() -> Result<IntakeOutcome> {
      IntakeOutcome out;
      STORE_TRY(write([&](Connection& c) -> Result<void> {
        {
          auto st = c.prepare(q::kFindByDigest);
          STORE_TRY(st);
          st.value().bind(1, r.raw.system).bind(2, r.digest);
          auto row = st.value().next();
          STORE_TRY(row);
          if (row.value()) {
            out = IntakeOutcome{st.value().text(0), true, st.value().text(1)};
            return {};
          }
        }
        {
          auto st = c.prepare(q::kInsertJournal);
          STORE_TRY(st);
          st.value()
              .bind(1, r.messageId)
              .bind(2, r.raw.system)
              .bind(3, r.raw.adapter)
              .bind(4, r.raw.contentType)
              .bind(5, r.raw.charset)
              .bindBlob(6, r.raw.bytes)
              .bind(7, r.raw.sourceRef)
              .bind(8, r.raw.receivedAt)
              .bind(9, r.digest)
              .bind(10, r.state)
              .bind(11, r.answerJson);
          STORE_TRY(st.value().run());
        }
        for (std::size_t i = 0; i < r.events.size(); ++i) {
          const OutboxEvent& e = r.events[i];
          auto ins = c.prepare(q::kInsertOutbox);
          STORE_TRY(ins);
          ins.value()
              .bind(1, e.eventId)
              .bind(2, e.caseKey)
              .bind(3, r.messageId)
              .bind(4, e.payload)
              .bind(5, r.raw.receivedAt);
          STORE_TRY(ins.value().run());
          auto link = c.prepare(q::kInsertJournalEvent);
          STORE_TRY(link);
          link.value()
              .bind(1, r.messageId)
              .bind(2, static_cast<std::int64_t>(i))
              .bind(3, e.eventId);
          STORE_TRY(link.value().run());
        }
        out = IntakeOutcome{r.messageId, false, r.answerJson};
        return {};
      }));
      return out;
    });
  }

  Result<std::vector<OutboxItem>> claimDeliverable(int limit, EpochMillis now,
                                                   EpochMillis leaseMillis) override {
    using Items = std::vector<OutboxItem>;
    return guarded<Items>("claimDeliverable", [&]() -> Result<Items> {
      Items items;
      if (limit <= 0) {
        return items;
      }
      // The search (the per-case FIFO check over the pending rows) runs on a reader, so that
      // intake's commits never queue behind it; the writer only re-checks and takes the rows.
      for (int round = 0; round < kClaimRounds; ++round) {
        auto candidates = read<std::string>([&](Connection& c) -> Result<std::string> {
          auto st = c.prepare(q::kSqliteClaimCandidates);
          STORE_TRY(st);
          st.value().bind(1, now).bind(2, static_cast<std::int64_t>(limit));
          std::string ids;
          for (;;) {
            auto row = st.value().next();
            STORE_TRY(row);
            if (!row.value()) {
              break;
            }
            ids += ids.empty() ? "[" : ",";
            ids += std::to_string(st.value().int64(0));
          }
          return ids.empty() ? ids : ids + "]";
        });
        STORE_TRY(candidates);
        if (candidates.value().empty()) {
          return items;
        }
        const std::int64_t until = now + leaseMillis;
        STORE_TRY(write([&](Connection& c) -> Result<void> {
          items.clear();
          auto st = c.prepare(q::kSqliteClaimByIds);
          STORE_TRY(st);
          st.value().bind(1, now).bind(2, until).bind(3, candidates.value());
          for (;;) {
            auto row = st.value().next();
            STORE_TRY(row);
            if (!row.value()) {
              break;
            }
            const Statement& r = st.value();
            items.push_back(OutboxItem{r.int64(0), r.text(1), r.text(2), r.text(3), r.text(4),
                                       static_cast<int>(r.int64(5))});
          }
          return {};
        }));
        if (!items.empty()) {
          std::sort(items.begin(), items.end(),
                    [](const OutboxItem& a, const OutboxItem& b) { return a.id < b.id; });
          return items;
        }
      }
      return items;
    });
  }

  Result<void> markDelivered(std::int64_t outboxId, const std::string& receiptJson,
                             EpochMillis now) override {
    return settleOne("markDelivered",
                     Settlement{outboxId, Settlement::Outcome::kDelivered, receiptJson, now});
  }

  Result<void> markRetry(std::int64_t outboxId, const std::string& error,
                         EpochMillis nextAttemptAt) override {
    return settleOne("markRetry",
                     Settlement{outboxId, Settlement::Outcome::kRetry, error, nextAttemptAt});
  }

  Result<void> markDead(std::int64_t outboxId, const std::string& error, EpochMillis now) override {
    return settleOne("markDead", Settlement{outboxId, Settlement::Outcome::kDead, error, now});
  }

  Result<std::vector<Result<void>>> settle(const std::vector<Settlement>& settlements) override {
    using Results = std::vector<Result<void>>;
    return guarded<Results>("settle", [&]() -> Result<Results> {
      Results results;
      if (settlements.empty()) {
        return results;
      }
      STORE_TRY(write([&](Connection& c) -> Result<void> {
        results.clear();
        for (const Settlement& s : settlements) {
          auto refused = applySettlement(c, s);
          STORE_TRY(refused);
          if (refused.value()) {
            results.emplace_back(*refused.value());
          } else {
            results.emplace_back();
          }
        }
        return {};
      }));
      return results;
    });
  }

  Result<std::optional<MessageStatus>> messageStatus(const std::string& system,
                                                     const std::string& messageId) override {
    using Status = std::optional<MessageStatus>;
    return guarded<Status>("messageStatus", [&]() -> Result<Status> {
      return read<Status>([&](Connection& c) -> Result<Status> {
        auto st = c.prepare(q::kMessageStatus);
        STORE_TRY(st);
        st.value().bind(1, messageId).bind(2, system);
        Status status;
        std::string journalState;
        for (;;) {
          auto row = st.value().next();
          STORE_TRY(row);
          if (!row.value()) {
            break;
          }
          const Statement& s = st.value();
          if (!status) {
            status = MessageStatus{messageId, system, "", s.int64(1), s.text(2), {}};
            journalState = s.text(0);
          }
          if (!s.isNull(3)) {
            status->events.push_back(EventStatus{s.text(3), publicEventState(s.text(4)),
                                                 static_cast<int>(s.int64(5)), s.text(6),
                                                 s.text(7)});
          }
        }
        if (status) {
          status->state = deriveMessageState(journalState, status->events);
        }
        return status;
      });
    });
  }

  Result<std::optional<RawMessage>> journaledMessage(const std::string& messageId) override {
    using Raw = std::optional<RawMessage>;
    return guarded<Raw>("journaledMessage", [&]() -> Result<Raw> {
      return read<Raw>([&](Connection& c) -> Result<Raw> {
        auto st = c.prepare(q::kJournaledMessage);
        STORE_TRY(st);
        st.value().bind(1, messageId);
        auto row = st.value().next();
        STORE_TRY(row);
        if (!row.value()) {
          return Raw();
        }
        const Statement& s = st.value();
        return Raw(RawMessage{s.text(0), s.text(1), s.text(2), s.text(3), s.blob(4), s.text(5),
                              s.int64(6)});
      });
    });
  }

  Result<std::vector<DeadLetter>> deadLetters(int limit, std::int64_t afterId) override {
    using Letters = std::vector<DeadLetter>;
    return guarded<Letters>("deadLetters", [&]() -> Result<Letters> {
      return read<Letters>([&](Connection& c) -> Result<Letters> {
        auto st = c.prepare(q::kDeadLetters);
        STORE_TRY(st);
        st.value().bind(1, afterId).bind(2, static_cast<std::int64_t>(std::max(limit, 0)));
        Letters letters;
        for (;;) {
          auto row = st.value().next();
          STORE_TRY(row);
          if (!row.value()) {
            break;
          }
          const Statement& s = st.value();
          letters.push_back(DeadLetter{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4),
                                       s.text(5), static_cast<int>(s.int64(6)), s.int64(7)});
        }
        return letters;
      });
    });
  }

  Result<std::vector<JournalEntry>> journalPage(const JournalRange& range, std::int64_t afterId,
                                                int limit) override {
    using Entries = std::vector<JournalEntry>;
    return guarded<Entries>("journalPage", [&]() -> Result<Entries> {
      return read<Entries>([&](Connection& c) -> Result<Entries> {
        // Without a cursor, (from - 1, 0) lets every row of the range through.
        std::int64_t cursorAt = range.from - 1;
        if (afterId > 0) {
          auto st = c.prepare(q::kJournalCursor);
          STORE_TRY(st);
          st.value().bind(1, afterId).bind(2, range.system);
          auto row = st.value().next();
          STORE_TRY(row);
          if (!row.value()) {
            return Error{"store.not_found",
                         "no journaled message of " + range.system + " has journal id " +
                             std::to_string(afterId),
                         ""};
          }
          cursorAt = st.value().int64(0);
        }
        const std::int64_t low = std::max(range.from, cursorAt);
        const std::int64_t size = std::clamp(limit, 1, kMaxJournalPage);
        auto st = c.prepare(q::kJournalPage);
        STORE_TRY(st);
        st.value()
            .bind(1, range.system)
            .bind(2, low)
            .bind(3, range.to)
            .bind(4, cursorAt)
            .bind(5, afterId)
            .bind(6, size);
        Entries entries;
        for (;;) {
          auto row = st.value().next();
          STORE_TRY(row);
          if (!row.value()) {
            break;
          }
          const Statement& s = st.value();
          if (entries.empty() || entries.back().journalId != s.int64(0)) {
            JournalEntry e;
            e.journalId = s.int64(0);
            e.messageId = s.text(1);
            e.raw = RawMessage{range.system, s.text(2), s.text(3), s.text(4),
                               s.blob(5),    s.text(6), s.int64(7)};
            e.state = s.text(8);
            e.answerJson = s.text(9);
            entries.push_back(std::move(e));
          }
          if (!s.isNull(10)) {
            entries.back().events.push_back(JournaledEvent{s.text(10), s.text(11)});
          }
        }
        return entries;
      });
    });
  }

  Result<std::int64_t> journalCount(const JournalRange& range) override {
    return guarded<std::int64_t>("journalCount", [&]() -> Result<std::int64_t> {
      return read<std::int64_t>([&](Connection& c) -> Result<std::int64_t> {
        auto st = c.prepare(q::kJournalCount);
        STORE_TRY(st);
        st.value().bind(1, range.system).bind(2, range.from).bind(3, range.to);
        auto row = st.value().next();
        STORE_TRY(row);
        return row.value() ? st.value().int64(0) : 0;
      });
    });
  }

  Result<std::vector<ItemEvent>> itemEvents(const std::string& system, EpochMillis from) override {
    using Events = std::vector<ItemEvent>;
    return guarded<Events>("itemEvents", [&]() -> Result<Events> {
      return read<Events>([&](Connection& c) -> Result<Events> {
        auto st = c.prepare(q::kSqliteItemEvents);
        STORE_TRY(st);
        st.value().bind(1, system).bind(2, from);
        Events events;
        for (;;) {
          auto row = st.value().next();
          STORE_TRY(row);
          if (!row.value())
            break;
          const Statement& s = st.value();
          const std::string state = s.text(2);
          events.push_back(ItemEvent{s.text(0), s.int64(1),
                                     state == "delivered" && !s.isNull(3) ? s.int64(3) : 0,
                                     state == "dead"});
        }
        return events;
      });
    });
  }

  Result<std::vector<ItemBacklog>> itemBacklogs() override {
    using Backlogs = std::vector<ItemBacklog>;
    return guarded<Backlogs>("itemBacklogs", [&]() -> Result<Backlogs> {
      return read<Backlogs>([&](Connection& c) -> Result<Backlogs> {
        auto st = c.prepare(q::kSqliteItemBacklogs);
        STORE_TRY(st);
        std::map<std::pair<std::string, std::string>, ItemBacklog> by;
        for (;;) {
          auto row = st.value().next();
          STORE_TRY(row);
          if (!row.value())
            break;
          const Statement& s = st.value();
          ItemBacklog& b = by[{s.text(0), s.text(1)}];
          b.system = s.text(0);
          b.item = s.text(1);
          if (s.text(2) == "pending") {
            b.pending = s.int64(3);
            b.oldestPending = s.int64(4);
          } else {
            b.dead = s.int64(3);
            b.lastDeadAt = s.isNull(5) ? 0 : s.int64(5);
          }
        }
        Backlogs out;
        for (auto& [key, b] : by)
          out.push_back(std::move(b));
        return out;
      });
    });
  }

  Result<std::vector<std::string>> rejectionAnswers(const std::string& system,
                                                    EpochMillis from) override {
    using Answers = std::vector<std::string>;
    return guarded<Answers>("rejectionAnswers", [&]() -> Result<Answers> {
      return read<Answers>([&](Connection& c) -> Result<Answers> {
        auto st = c.prepare(q::kRejectionAnswers);
        STORE_TRY(st);
        st.value().bind(1, system).bind(2, from);
        Answers answers;
        for (;;) {
          auto row = st.value().next();
          STORE_TRY(row);
          if (!row.value())
            break;
          answers.push_back(st.value().text(0));
        }
        return answers;
      });
    });
  }

  Result<ItemLast> itemLast(const std::string& system, const std::string& item) override {
    return guarded<ItemLast>("itemLast", [&]() -> Result<ItemLast> {
      return read<ItemLast>([&](Connection& c) -> Result<ItemLast> {
        ItemLast last;
        for (const char* sql : {q::kSqliteItemLastReceived, q::kSqliteItemLastDelivered}) {
          auto st = c.prepare(sql);
          STORE_TRY(st);
          st.value().bind(1, system).bind(2, item);
          auto row = st.value().next();
          STORE_TRY(row);
          const EpochMillis at = row.value() && !st.value().isNull(0) ? st.value().int64(0) : 0;
          (sql == q::kSqliteItemLastReceived ? last.received : last.delivered) = at;
        }
        return last;
      });
    });
  }

  Result<void> requeueDeadLetter(std::int64_t outboxId, const std::string& newPayload,
                                 EpochMillis now) override {
    return guarded<void>("requeueDeadLetter", [&]() -> Result<void> {
      return write([&](Connection& c) -> Result<void> {
        STORE_TRY(logDeadLetter(c, outboxId, "requeued", now));
        auto st = c.prepare(q::kRequeue);
        STORE_TRY(st);
        st.value().bind(1, outboxId).bind(2, now).bind(3, newPayload);
        return transition(c, "requeueDeadLetter", outboxId, st.value(), false);
      });
    });
  }

  Result<void> discardDeadLetter(std::int64_t outboxId, EpochMillis now) override {
    return guarded<void>("discardDeadLetter", [&]() -> Result<void> {
      return write([&](Connection& c) -> Result<void> {
        STORE_TRY(logDeadLetter(c, outboxId, "discarded", now));
        auto st = c.prepare(q::kDiscard);
        STORE_TRY(st);
        st.value().bind(1, outboxId);
        return transition(c, "discardDeadLetter", outboxId, st.value(), false);
      });
    });
  }

  Result<Depths> depths() override {
    return guarded<Depths>("depths", [&]() -> Result<Depths> {
      return read<Depths>([&](Connection& c) -> Result<Depths> {
        auto st = c.prepare(q::kDepths);
        STORE_TRY(st);
        auto row = st.value().next();
        STORE_TRY(row);
        const Statement& s = st.value();
        return Depths{s.int64(0), s.int64(1), s.int64(2)};
      });
    });
  }

  Result<std::vector<int>> appliedMigrations() override {
    using Versions = std::vector<int>;
    return guarded<Versions>("appliedMigrations", [&]() -> Result<Versions> {
      return read<Versions>([&](Connection& c) -> Result<Versions> {
        auto st = c.prepare(q::kMigrationVersions);
        STORE_TRY(st);
        Versions versions;
        for (;;) {
          auto row = st.value().next();
          STORE_TRY(row);
          if (!row.value()) {
            break;
          }
          versions.push_back(static_cast<int>(st.value().int64(0)));
        }
        return versions;
      });
    });
  }

 private:
  // A unit of work for the writer thread. Its outputs live in the caller's frame and count only
  // when the batch's COMMIT succeeded (error stays empty).
  struct WriteJob {
    std::function<Result<void>(Connection&)> run;
    std::optional<Error> error;
    bool done = false;
  };

  Result<void> settleOne(const char* operation, const Settlement& settlement) {
    return guarded<void>(operation, [&]() -> Result<void> {
      std::optional<Error> refused;
      STORE_TRY(write([&](Connection& c) -> Result<void> {
        auto r = applySettlement(c, settlement);
        STORE_TRY(r);
        refused = r.value();
        return {};
      }));
      if (refused) {
        return *refused;
      }
      return {};
    });
  }

  // Queues `work` for the writer and blocks until the batch holding it committed (or failed).
  Result<void> write(std::function<Result<void>(Connection&)> work) {
    WriteJob job{std::move(work), std::nullopt, false};
    {
      std::unique_lock<std::mutex> lock(queueMutex_);
      if (stopping_) {
        return Error{"store.closed", "the store is closing", ""};
      }
      queue_.push_back(&job);
      queueCv_.notify_one();
      doneCv_.wait(lock, [&] { return job.done; });
    }
    if (job.error) {
      return *job.error;
    }
    return {};
  }

  void writerLoop() {
    for (;;) {
      std::vector<WriteJob*> batch;
      {
        std::unique_lock<std::mutex> lock(queueMutex_);
        queueCv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) {
          return;  // stopping, and nothing left to write
        }
        const std::size_t n = std::min(queue_.size(), kMaxBatch);
        batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      }
      commitBatch(batch);
      {
        std::lock_guard<std::mutex> lock(queueMutex_);
        for (WriteJob* job : batch) {
          job->done = true;
        }
      }
      doneCv_.notify_all();
      rewindWalIfLong();
    }
  }

  // One transaction for the whole batch; each job in a savepoint, so a job that fails (say a
  // reused messageId) is undone alone and the others still commit.
  void commitBatch(const std::vector<WriteJob*>& batch) {
    Connection& c = *writer_;
    auto failAll = [&](const Error& e) {
      for (WriteJob* job : batch) {
        job->error = e;
      }
    };
    if (auto begun = runCached(c, kBegin); !begun.ok()) {
      failAll(begun.error());
      return;
    }
    for (WriteJob* job : batch) {
      if (auto sp = runCached(c, kSavepoint); !sp.ok()) {
        failAll(sp.error());
        rollback(c);
        return;
      }
      Result<void> r;
      try {
        r = job->run(c);
      } catch (const std::exception& e) {
        r = Error{"store.internal", std::string("store write failed: ") + e.what(), ""};
      }
      if (r.ok()) {
        (void)runCached(c, kRelease);
        continue;
      }
      if (sqlite3_get_autocommit(c.db()) != 0) {
        // SQLite already rolled the whole transaction back (I/O error, disk full): nothing in
        // this batch was kept.
        failAll(r.error());
        return;
      }
      job->error = r.error();
      (void)runCached(c, kRollbackTo);
      (void)runCached(c, kRelease);
    }
    if (auto committed = runCached(c, kCommit); !committed.ok()) {
      failAll(committed.error());
      rollback(c);
    }
  }

  // Between two batches (no transaction open; the next batch waits for this, so it runs only
  // when the WAL is long). The WAL frames the checkpointer has not copied yet are few; copying
  // them from here, with no write in between, lets the next write rewind the WAL to its start.
  void rewindWalIfLong() {
    const int frames = walFrames_.load(std::memory_order_relaxed);
    if (frames <= kWalRewindFrames) {
      return;
    }
    const int mode =
        frames > kWalHardFrames ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE;
    int log = 0;
    int copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(writer_->db(), nullptr, mode, &log, &copied);
    if (rc == SQLITE_OK) {
      // The next checkpointer round measures again; until then, do not repeat this.
      walFrames_.store(0, std::memory_order_relaxed);
    }
  }

  // The checkpointer thread: a PASSIVE checkpoint every kCheckpointInterval on a connection of
  // its own (it copies what is committed while the writer goes on appending).
  void checkpointLoop() {
    std::unique_ptr<Connection> conn;
    std::unique_lock<std::mutex> lock(checkpointMutex_);
    for (;;) {
      checkpointCv_.wait_for(lock, kCheckpointInterval, [&] { return checkpointStopping_; });
      if (checkpointStopping_) {
        return;
      }
      lock.unlock();
      if (!conn) {
        auto opened = Connection::open(config_.path, Role::kCheckpointer);
        if (opened.ok()) {
          conn = std::move(opened).value();
        }
      }
      if (conn) {
        int log = 0;
        int copied = 0;
        const int rc = sqlite3_wal_checkpoint_v2(conn->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                                 &log, &copied);
        if (rc == SQLITE_OK) {
          walFrames_.store(log, std::memory_order_relaxed);
        }
      }
      lock.lock();
    }
  }

  static void rollback(Connection& c) {
    if (sqlite3_get_autocommit(c.db()) == 0) {
      (void)runCached(c, kRollback);
    }
  }

  // Runs `body` on a pooled read-only connection (WAL: sees the last commit, never blocks).
  template <typename T, typename F>
  Result<T> read(F&& body) {
    std::unique_ptr<Connection> conn;
    {
      std::unique_lock<std::mutex> lock(readersMutex_);
      readersCv_.wait(lock,
                      [&] { return !idleReaders_.empty() || openReaders_ < config_.poolSize; });
      if (!idleReaders_.empty()) {
        conn = std::move(idleReaders_.back());
        idleReaders_.pop_back();
      } else {
        ++openReaders_;
      }
    }
    if (!conn) {
      auto opened = Connection::open(config_.path, Role::kReader);
      if (!opened.ok()) {
        std::lock_guard<std::mutex> lock(readersMutex_);
        --openReaders_;
        readersCv_.notify_one();
        return opened.error();
      }
      conn = std::move(opened).value();
    }
    struct Return {
      SqliteExchangeStore* self;
      std::unique_ptr<Connection>& conn;
      ~Return() {
        std::lock_guard<std::mutex> lock(self->readersMutex_);
        self->idleReaders_.push_back(std::move(conn));
        self->readersCv_.notify_one();
      }
    } giveBack{this, conn};
    return body(*conn);
  }

  StoreConfig config_;
  std::unique_ptr<Connection> writer_;

  std::mutex queueMutex_;
  std::condition_variable queueCv_;  // writer: work queued or stopping
  std::condition_variable doneCv_;   // callers: a batch finished
  std::deque<WriteJob*> queue_;
  bool stopping_ = false;
  std::thread writerThread_;

  std::mutex checkpointMutex_;
  std::condition_variable checkpointCv_;
  bool checkpointStopping_ = false;
  std::atomic<int> walFrames_{0};  // WAL length at the checkpointer's last round
  std::thread checkpointThread_;

  std::mutex readersMutex_;
  std::condition_variable readersCv_;
  std::vector<std::unique_ptr<Connection>> idleReaders_;
  unsigned openReaders_ = 0;
};

// Applies the migrations this file lacks, in one IMMEDIATE transaction (two processes opening
// a new file at once: the second waits, then finds them applied).
Result<void> migrate(Connection& c) {
  STORE_TRY(c.exec(q::kCreateMigrationsTable));
  STORE_TRY(c.exec("BEGIN IMMEDIATE"));
  auto body = [&]() -> Result<void> {
    std::set<int> applied;
    {
      auto st = c.prepare(q::kMigrationVersions);
      STORE_TRY(st);
      for (;;) {
        auto row = st.value().next();
        STORE_TRY(row);
        if (!row.value()) {
          break;
        }
        applied.insert(static_cast<int>(st.value().int64(0)));
      }
    }
    if (!applied.empty() && *applied.rbegin() > latestSchemaVersion()) {
      return Error{"store.schema",
                   "the database schema is at version " + std::to_string(*applied.rbegin()) +
                       ", newer than this build's " + std::to_string(latestSchemaVersion()),
                   ""};
    }
    for (const Migration& m : migrations()) {
      if (applied.count(m.version) != 0) {
        continue;
      }
      if (auto r = c.exec(m.sqlite); !r.ok()) {
        Error e = r.error();
        e.message = "migration " + std::to_string(m.version) + " (" + m.name + "): " + e.message;
        return e;
      }
      auto st = c.prepare(q::kRecordMigration);
      STORE_TRY(st);
      st.value()
          .bind(1, static_cast<std::int64_t>(m.version))
          .bindStatic(2, m.name)
          .bind(3, SystemClock().now());
      STORE_TRY(st.value().run());
    }
    return {};
  };
  auto r = body();
  if (!r.ok()) {
    (void)c.exec("ROLLBACK");
    return r;
  }
  return c.exec("COMMIT");
}

}  // namespace

Result<std::unique_ptr<ExchangeStore>> openSqliteStore(const StoreConfig& config) {
  auto writer = Connection::open(config.path, Role::kWriter);
  if (!writer.ok()) {
    return writer.error();
  }
  if (auto migrated = migrate(*writer.value()); !migrated.ok()) {
    Error e = migrated.error();
    e.message = config.path + ": " + e.message;
    return e;
  }
  return std::unique_ptr<ExchangeStore>(new SqliteExchangeStore(config, std::move(writer).value()));
}

}  // namespace huitong::storage
