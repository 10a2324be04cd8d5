// The registry on SQLite: its own connections to the exchange store's file. Writes are rare
// (a filing change, an audit entry), so they take one writer connection in turn under a mutex
// and BEGIN IMMEDIATE, which also serializes them with the exchange store's writer and with
// other processes on the file; reads use a small pool of read-only connections (WAL: they never
// block the writers and see one snapshot per transaction).
#include "gateway/registry/SqliteRegistryStore.h"

#include <sqlite3.h>

#include <cstdint>
#include <exception>
#include <mutex>
#include <utility>
#include <vector>

#include "gateway/registry/RegistryQueries.h"

namespace huitong::registry {
namespace {

namespace q = queries;

// As the exchange store: long enough to ride out its batch or a checkpoint.
constexpr int kBusyTimeoutMillis = 10000;

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
  return Error{code, what + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)), ""};
}

// One prepared statement, finalized when this goes away.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  // Binds copies (SQLITE_TRANSIENT): parameters may be temporaries.
  void bind(const q::BuiltQuery& b) {
    for (std::size_t i = 0; i < b.params.size(); ++i) {
      const auto& p = b.params[i];
      const int n = static_cast<int>(i + 1);
      if (p.isNull)
        sqlite3_bind_null(stmt_, n);
      else if (p.isInt)
        sqlite3_bind_int64(stmt_, n, p.integer);
      else
        sqlite3_bind_text64(stmt_, n, p.text.data(), p.text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
  }
  Result<bool> next() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
      return true;
    if (rc == SQLITE_DONE)
      return false;
    return sqliteError(db_, rc, "sql failed");
  }

  bool isNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  std::int64_t int64(int c) const { return sqlite3_column_int64(stmt_, c); }
  std::string text(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
    return p == nullptr ? std::string() : std::string(p, sqlite3_column_bytes(stmt_, c));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const std::string& path, bool reader) {
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    auto conn = std::unique_ptr<Connection>(new Connection(db));
    if (rc != SQLITE_OK)
      return sqliteError(db, rc, "cannot open " + path);
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, kBusyTimeoutMillis);
    // FULL: an audit entry is on disk when the call returns (the exchange store's writer does
    // the same; the file is in WAL mode since the exchange store migrated it).
    auto set = conn->exec(reader ? "PRAGMA query_only=ON" : "PRAGMA synchronous=FULL");
    if (!set.ok())
      return set.error();
    return conn;
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { sqlite3_close_v2(db_); }

  sqlite3* db() const { return db_; }

  // `sql` uses $n parameters (read as ?n).
  Result<Statement> prepare(std::string sql) {
    for (char& ch : sql) {
      if (ch == '$')
        ch = '?';
    }
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK)
      return sqliteError(db_, rc, "cannot prepare statement");
    return Statement(db_, stmt);
  }
  Result<Statement> prepare(const std::string& sql, const q::BuiltQuery& params) {
    auto st = prepare(sql);
    if (st.ok())
      st.value().bind(params);
    return st;
  }

  Result<void> exec(const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      Error e = sqliteError(nullptr, rc, "sql failed");
      if (message != nullptr)
        e.message = std::string("sql failed: ") + message;
      sqlite3_free(message);
      return e;
    }
    return {};
  }

  // Runs a statement that returns no rows; the rows it changed.
  Result<int> run(const std::string& sql, const q::BuiltQuery& params) {
    auto st = prepare(sql, params);
    if (!st.ok())
      return st.error();
    auto r = st.value().next();
    if (!r.ok())
      return r.error();
    return sqlite3_changes(db_);
  }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

#define REGISTRY_TRY(expr) \
  do {                     \
    auto&& try_ = (expr);  \
    if (!try_.ok())        \
      return try_.error(); \
  } while (0)

template <typename T, typename F>
Result<T> guarded(const char* operation, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Error{"store.internal", std::string(operation) + " failed: " + e.what(), ""};
  }
}

Result<AuditAnchor> readAnchor(Connection& c, bool& found) {
  auto st = c.prepare(q::kAnchor);
  REGISTRY_TRY(st);
  auto row = st.value().next();
  REGISTRY_TRY(row);
  found = row.value();
  if (!found)
    return AuditAnchor{};
  return AuditAnchor{st.value().int64(0), st.value().text(1)};
}

Result<AuditEntry> append(Connection& c, const AuditEntry& entry, const std::string& algorithm) {
  bool found = false;
  auto anchor = readAnchor(c, found);
  REGISTRY_TRY(anchor);
  if (!found) {
    return Error{"store.integrity",
                 "the audit anchor row is missing: run `huitong audit verify`; nothing appended",
                 ""};
  }
  EpochMillis headAt = 0;
  if (anchor.value().count > 0) {
    q::BuiltQuery p;
    p.add(anchor.value().count);
    auto st = c.prepare(q::kEntryAt, p);
    REGISTRY_TRY(st);
    auto row = st.value().next();
    REGISTRY_TRY(row);
    if (row.value())
      headAt = st.value().int64(0);
  }
  auto next = q::nextEntry(entry, anchor.value(), headAt, algorithm);
  REGISTRY_TRY(next);
  REGISTRY_TRY(c.run(q::kInsertEntry, q::entryParams(next.value())));
  q::BuiltQuery moved;
  moved.add(next.value().seq);
  moved.add(next.value().hash);
  REGISTRY_TRY(c.run(q::kMoveAnchor, moved));
  return next;
}

class SqliteRegistryStore final : public RegistryStore {
 public:
  SqliteRegistryStore(storage::StoreConfig config, std::string algorithm,
                      std::unique_ptr<Connection> writer)
      : config_(std::move(config)), algorithm_(std::move(algorithm)), writer_(std::move(writer)) {}

  Result<std::optional<AuditEntry>> createFiling(const Filing& filing,
                                                 const std::optional<AuditEntry>& audit) override {
    using Out = std::optional<AuditEntry>;
    return guarded<Out>("createFiling", [&] {
      return write<Out>([&](Connection& c) -> Result<Out> {
        auto inserted = c.run(q::kInsertFiling, q::filingParams(filing));
        if (!inserted.ok()) {
          if (inserted.error().code == "store.constraint")
            return exists(filing);
          return inserted.error();
        }
        return appendIf(c, audit);
      });
    });
  }

  Result<std::optional<Filing>> filing(const std::string& system,
                                       const std::string& itemCode) override {
    using Out = std::optional<Filing>;
    return guarded<Out>("filing", [&] {
      return read<Out>([&](Connection& c) -> Result<Out> {
        q::BuiltQuery p;
        p.add(system);
        p.add(itemCode);
        auto st = c.prepare(q::kSelectFiling, p);
        REGISTRY_TRY(st);
        auto row = st.value().next();
        REGISTRY_TRY(row);
        if (!row.value())
          return Out();
        return Out(q::filingFromRow(st.value()));
      });
    });
  }

  Result<std::vector<Filing>> filings(const FilingFilter& filter) override {
    using Out = std::vector<Filing>;
    return guarded<Out>("filings", [&] {
      return read<Out>([&](Connection& c) -> Result<Out> {
        const auto b = q::filingsQuery(filter);
        auto st = c.prepare(b.sql, b);
        REGISTRY_TRY(st);
        Out out;
        for (;;) {
          auto row = st.value().next();
          REGISTRY_TRY(row);
          if (!row.value())
            break;
          out.push_back(q::filingFromRow(st.value()));
        }
        return out;
      });
    });
  }

  Result<std::int64_t> overdueCount(Day today) override {
    return guarded<std::int64_t>("overdueCount", [&] {
      return read<std::int64_t>([&](Connection& c) -> Result<std::int64_t> {
        q::BuiltQuery p;
        p.add(formatDate(today));
        auto st = c.prepare(q::kOverdueCount, p);
        REGISTRY_TRY(st);
        auto row = st.value().next();
        REGISTRY_TRY(row);
        return st.value().int64(0);
      });
    });
  }

  Result<std::optional<AuditEntry>> updateFiling(const Filing& next, std::int64_t expectedVersion,
                                                 const std::optional<AuditEntry>& audit) override {
    using Out = std::optional<AuditEntry>;
    return guarded<Out>("updateFiling", [&] {
      return write<Out>([&](Connection& c) -> Result<Out> {
        auto b = q::filingParams(next);
        b.add(expectedVersion);
        auto changed = c.run(q::kUpdateFiling, b);
        REGISTRY_TRY(changed);
        if (changed.value() == 0)
          return refusedUpdate(c, next, expectedVersion);
        return appendIf(c, audit);
      });
    });
  }

  Result<AuditEntry> appendAudit(const AuditEntry& entry) override {
    return guarded<AuditEntry>("appendAudit", [&] {
      return write<AuditEntry>(
          [&](Connection& c) -> Result<AuditEntry> { return append(c, entry, algorithm_); });
    });
  }

  Result<AuditAnchor> anchor() override {
    return guarded<AuditAnchor>("anchor", [&] {
      return read<AuditAnchor>([&](Connection& c) -> Result<AuditAnchor> {
        bool found = false;
        auto a = readAnchor(c, found);
        REGISTRY_TRY(a);
        if (!found)
          return Error{"store.integrity", "the audit anchor row is missing", ""};
        return a;
      });
    });
  }

  Result<std::optional<AuditAnchor>> scanChain(
      const std::function<bool(const AuditEntry&)>& visit) override {
    using Out = std::optional<AuditAnchor>;
    return guarded<Out>("scanChain", [&] {
      return read<Out>([&](Connection& c) -> Result<Out> {
        // One read transaction: the anchor and the entries are the same snapshot.
        REGISTRY_TRY(c.exec("BEGIN"));
        auto body = [&]() -> Result<Out> {
          bool found = false;
          auto a = readAnchor(c, found);
          REGISTRY_TRY(a);
          auto st = c.prepare(q::kScanEntries);
          REGISTRY_TRY(st);
          for (;;) {
            auto row = st.value().next();
            REGISTRY_TRY(row);
            if (!row.value() || !visit(q::entryFromRow(st.value())))
              break;
          }
          return found ? Out(a.value()) : Out();
        };
        auto r = body();
        (void)c.exec("COMMIT");
        return r;
      });
    });
  }

  Result<AuditPage> queryAudit(const AuditQuery& query) override {
    REGISTRY_TRY(q::checkQuery(query));
    return guarded<AuditPage>("queryAudit", [&] {
      return read<AuditPage>([&](Connection& c) -> Result<AuditPage> {
        REGISTRY_TRY(c.exec("BEGIN"));
        auto r = page(c, query);
        (void)c.exec("COMMIT");
        return r;
      });
    });
  }

  Result<std::optional<AuditEntry>> insertMappingVersion(
      const MappingVersionRecord& record, const std::optional<AuditEntry>& audit) override {
    using Out = std::optional<AuditEntry>;
    return guarded<Out>("insertMappingVersion", [&] {
      return write<Out>([&](Connection& c) -> Result<Out> {
        auto inserted = c.run(q::kInsertMappingVersion, q::mappingVersionParams(record));
        if (!inserted.ok()) {
          if (inserted.error().code == "store.constraint") {
            return Error{
                "mapping.exists",
                "system " + record.system + " has a mapping version " + record.version + " already",
                ""};
          }
          return inserted.error();
        }
        return appendIf(c, audit);
      });
    });
  }

  Result<std::optional<AuditEntry>> updateMappingVersion(
      const MappingVersionRecord& record, MappingState expectedState,
      const std::optional<AuditEntry>& audit) override {
    using Out = std::optional<AuditEntry>;
    return guarded<Out>("updateMappingVersion", [&] {
      return write<Out>([&](Connection& c) -> Result<Out> {
        auto b = q::mappingVersionParams(record);
        b.add(std::string(toString(expectedState)));
        auto changed = c.run(q::kUpdateMappingVersion, b);
        REGISTRY_TRY(changed);
        if (changed.value() == 0) {
          auto state = mappingVersionState(c, record.system, record.version);
          REGISTRY_TRY(state);
          if (state.value().empty())
            return q::mappingNotFound(record.system, record.version);
          return q::mappingStale(record.system, "version " + record.version + " is " +
                                                    state.value() + ", not " +
                                                    toString(expectedState));
        }
        return appendIf(c, audit);
      });
    });
  }

  Result<std::optional<MappingVersionRecord>> mappingVersion(const std::string& system,
                                                             const std::string& version) override {
    using Out = std::optional<MappingVersionRecord>;
    return guarded<Out>("mappingVersion", [&] {
      return read<Out>([&](Connection& c) -> Result<Out> {
        q::BuiltQuery p;
        p.add(system);
        p.add(version);
        auto st = c.prepare(q::kSelectMappingVersion, p);
        REGISTRY_TRY(st);
        auto row = st.value().next();
        REGISTRY_TRY(row);
        if (!row.value())
          return Out();
        return Out(q::mappingVersionFromRow(st.value()));
      });
    });
  }

  Result<std::vector<MappingVersionRecord>> mappingVersions(const std::string& system) override {
    using Out = std::vector<MappingVersionRecord>;
    return guarded<Out>("mappingVersions", [&] {
      return read<Out>([&](Connection& c) -> Result<Out> {
        q::BuiltQuery p;
        p.add(system);
        return rows<MappingVersionRecord>(c, q::kSelectMappingVersions, p, [](const Statement& s) {
          return q::mappingVersionFromRow(s);
        });
      });
    });
  }

  Result<std::vector<LiveMapping>> liveMappings() override {
    using Out = std::vector<LiveMapping>;
    return guarded<Out>("liveMappings", [&] {
      return read<Out>([&](Connection& c) -> Result<Out> {
        return rows<LiveMapping>(c, q::kSelectLiveMappings, q::BuiltQuery{},
                                 [](const Statement& s) { return q::liveMappingFromRow(s); });
      });
    });
  }

  Result<LiveMapping> switchLiveMapping(const std::string& system, const std::string& version,
                                        std::int64_t expectedGeneration, const std::string& actor,
                                        EpochMillis at,
                                        const std::optional<AuditEntry>& audit) override {
    return guarded<LiveMapping>("switchLiveMapping", [&] {
      return write<LiveMapping>([&](Connection& c) -> Result<LiveMapping> {
        auto state = mappingVersionState(c, system, version);
        REGISTRY_TRY(state);
        if (state.value().empty())
          return q::mappingNotFound(system, version);
        const LiveMapping next{system, version, expectedGeneration + 1, actor, at};
        q::BuiltQuery p;
        p.add(system);
        p.add(version);
        p.add(next.generation);
        p.add(actor);
        p.add(at);
        Result<int> changed{0};
        if (expectedGeneration == 0) {
          changed = c.run(q::kInsertLiveMapping, p);
          if (!changed.ok() && changed.error().code == "store.constraint")
            return q::mappingStale(system, "another version went live first");
        } else {
          p.add(expectedGeneration);
          changed = c.run(q::kUpdateLiveMapping, p);
        }
        REGISTRY_TRY(changed);
        if (changed.value() == 0)
          return q::mappingStale(
              system, "the live generation is no longer " + std::to_string(expectedGeneration));
        q::BuiltQuery published;
        published.add(system);
        published.add(version);
        published.add(actor);
        published.add(at);
        REGISTRY_TRY(c.run(q::kMarkMappingPublished, published));
        q::BuiltQuery filings;
        filings.add(system);
        filings.add(version);
        filings.add(at);
        REGISTRY_TRY(c.run(q::kSwitchFilingsMapping, filings));
        REGISTRY_TRY(appendIf(c, audit));
        return next;
      });
    });
  }

  Result<void> createAccount(const StaffAccount& account,
                             const std::optional<AuditEntry>& audit) override {
    return guarded<void>("createAccount", [&] {
      return write<void>([&](Connection& c) -> Result<void> {
        auto inserted = c.run(q::kInsertAccount, q::accountParams(account));
        if (!inserted.ok()) {
          if (inserted.error().code == "store.constraint")
            return Error{"staff.exists", "an account named " + account.name + " exists", ""};
          return inserted.error();
        }
        REGISTRY_TRY(appendIf(c, audit));
        return {};
      });
    });
  }

  Result<std::optional<StaffAccount>> account(const std::string& name) override {
    using Out = std::optional<StaffAccount>;
    return guarded<Out>("account", [&] {
      return read<Out>([&](Connection& c) -> Result<Out> {
        q::BuiltQuery p;
        p.add(name);
        auto st = c.prepare(q::kSelectAccount, p);
        REGISTRY_TRY(st);
        auto row = st.value().next();
        REGISTRY_TRY(row);
        if (!row.value())
          return Out();
        return Out(q::accountFromRow(st.value()));
      });
    });
  }

  Result<std::vector<StaffAccount>> accounts() override {
    using Out = std::vector<StaffAccount>;
    return guarded<Out>("accounts", [&] {
      return read<Out>([&](Connection& c) -> Result<Out> {
        auto st = c.prepare(q::kSelectAccounts);
        REGISTRY_TRY(st);
        Out out;
        for (;;) {
          auto row = st.value().next();
          REGISTRY_TRY(row);
          if (!row.value())
            break;
          out.push_back(q::accountFromRow(st.value()));
        }
        return out;
      });
    });
  }

  Result<void> updateAccount(const StaffAccount& account, const std::optional<AuditEntry>& audit,
                             bool endSessions) override {
    return guarded<void>("updateAccount", [&] {
      return write<void>([&](Connection& c) -> Result<void> {
        auto changed = c.run(q::kUpdateAccount, q::accountParams(account));
        REGISTRY_TRY(changed);
        if (changed.value() == 0)
          return Error{"staff.not_found", "no account named " + account.name, ""};
        if (endSessions) {
          q::BuiltQuery p;
          p.add(account.name);
          REGISTRY_TRY(c.run(q::kDeleteAccountSessions, p));
        }
        REGISTRY_TRY(appendIf(c, audit));
        return {};
      });
    });
  }

  Result<void> createSession(const StaffSession& session, EpochMillis now) override {
    return guarded<void>("createSession", [&] {
      return write<void>([&](Connection& c) -> Result<void> {
        q::BuiltQuery expired;
        expired.add(now);
        REGISTRY_TRY(c.run(q::kDeleteExpiredSessions, expired));
        q::BuiltQuery p;
        p.add(session.tokenHash);
        p.add(session.name);
        p.add(session.expiresAt);
        REGISTRY_TRY(c.run(q::kInsertSession, p));
        return {};
      });
    });
  }

  Result<std::optional<StaffSession>> session(const std::string& tokenHash) override {
    using Out = std::optional<StaffSession>;
    return guarded<Out>("session", [&] {
      return read<Out>([&](Connection& c) -> Result<Out> {
        q::BuiltQuery p;
        p.add(tokenHash);
        auto st = c.prepare(q::kSelectSession, p);
        REGISTRY_TRY(st);
        auto row = st.value().next();
        REGISTRY_TRY(row);
        if (!row.value())
          return Out();
        return Out(StaffSession{st.value().text(0), st.value().text(1), st.value().int64(2)});
      });
    });
  }

  Result<void> deleteSession(const std::string& tokenHash) override {
    return guarded<void>("deleteSession", [&] {
      return write<void>([&](Connection& c) -> Result<void> {
        q::BuiltQuery p;
        p.add(tokenHash);
        REGISTRY_TRY(c.run(q::kDeleteSession, p));
        return {};
      });
    });
  }

 private:
  static Error exists(const Filing& f) {
    return Error{"filing.exists",
                 "system " + f.system + " already has a filing for item " + f.itemCode, ""};
  }

  Result<std::optional<AuditEntry>> appendIf(Connection& c,
                                             const std::optional<AuditEntry>& audit) {
    if (!audit)
      return std::optional<AuditEntry>();
    auto appended = append(c, *audit, algorithm_);
    REGISTRY_TRY(appended);
    return std::optional<AuditEntry>(std::move(appended).value());
  }

  // The stored state of a mapping version ("" when there is none).
  static Result<std::string> mappingVersionState(Connection& c, const std::string& system,
                                                 const std::string& version) {
    q::BuiltQuery p;
    p.add(system);
    p.add(version);
    auto st = c.prepare(q::kMappingVersionState, p);
    REGISTRY_TRY(st);
    auto row = st.value().next();
    REGISTRY_TRY(row);
    return row.value() ? st.value().text(0) : std::string();
  }

  // Every row of a query, each made into a T by `make`.
  template <typename T, typename Make>
  static Result<std::vector<T>> rows(Connection& c, const char* sql, const q::BuiltQuery& p,
                                     Make make) {
    auto st = c.prepare(sql, p);
    REGISTRY_TRY(st);
    std::vector<T> out;
    for (;;) {
      auto row = st.value().next();
      REGISTRY_TRY(row);
      if (!row.value())
        return out;
      out.push_back(make(st.value()));
    }
  }

  static Error refusedUpdate(Connection& c, const Filing& next, std::int64_t expected) {
    q::BuiltQuery p;
    p.add(next.system);
    p.add(next.itemCode);
    auto st = c.prepare(q::kFilingVersion, p);
    if (!st.ok())
      return st.error();
    auto row = st.value().next();
    if (!row.ok())
      return row.error();
    if (!row.value()) {
      return Error{"filing.not_found",
                   "no filing for item " + next.itemCode + " of system " + next.system, ""};
    }
    return Error{"filing.stale",
                 "the filing changed since it was read (version " +
                     std::to_string(st.value().int64(0)) + ", not " + std::to_string(expected) +
                     "): read it again and retry",
                 ""};
  }

  static Result<AuditPage> page(Connection& c, const AuditQuery& query) {
    std::int64_t from = 1;
    std::int64_t to = INT64_MAX;
    if (query.since) {
      q::BuiltQuery p;
      p.add(*query.since);
      auto st = c.prepare(q::kFirstSeqSince, p);
      REGISTRY_TRY(st);
      auto row = st.value().next();
      REGISTRY_TRY(row);
      if (!row.value())
        return AuditPage{};
      from = st.value().int64(0);
    }
    if (query.until) {
      q::BuiltQuery p;
      p.add(*query.until);
      auto st = c.prepare(q::kLastSeqUntil, p);
      REGISTRY_TRY(st);
      auto row = st.value().next();
      REGISTRY_TRY(row);
      if (!row.value())
        return AuditPage{};
      to = st.value().int64(0);
    }
    const auto b = q::auditPageQuery(query, from, to, q::Dialect::kSqlite);
    auto st = c.prepare(b.sql, b);
    REGISTRY_TRY(st);
    AuditPage out;
    for (;;) {
      auto row = st.value().next();
      REGISTRY_TRY(row);
      if (!row.value())
        break;
      if (static_cast<int>(out.entries.size()) == query.limit) {
        out.nextAfterSeq = out.entries.back().seq;
        break;
      }
      out.entries.push_back(q::entryFromRow(st.value()));
    }
    return out;
  }

  // Runs `body` in one IMMEDIATE transaction on the writer; any error rolls all of it back.
  template <typename T, typename F>
  Result<T> write(F&& body) {
    std::lock_guard<std::mutex> lock(writerMutex_);
    Connection& c = *writer_;
    REGISTRY_TRY(c.exec("BEGIN IMMEDIATE"));
    Result<T> r = body(c);
    if (r.ok()) {
      auto committed = c.exec("COMMIT");
      if (committed.ok())
        return r;
      r = committed.error();
    }
    if (sqlite3_get_autocommit(c.db()) == 0)
      (void)c.exec("ROLLBACK");
    return r;
  }

  template <typename T, typename F>
  Result<T> read(F&& body) {
    std::unique_ptr<Connection> conn;
    {
      std::lock_guard<std::mutex> lock(readersMutex_);
      if (!readers_.empty()) {
        conn = std::move(readers_.back());
        readers_.pop_back();
      }
    }
    if (!conn) {
      auto opened = Connection::open(config_.path, true);
      REGISTRY_TRY(opened);
      conn = std::move(opened).value();
    }
    Result<T> r = body(*conn);
    std::lock_guard<std::mutex> lock(readersMutex_);
    if (readers_.size() < config_.poolSize)
      readers_.push_back(std::move(conn));
    return r;
  }

  storage::StoreConfig config_;
  std::string algorithm_;
  std::mutex writerMutex_;
  std::unique_ptr<Connection> writer_;
  std::mutex readersMutex_;
  std::vector<std::unique_ptr<Connection>> readers_;
};

}  // namespace

Result<std::unique_ptr<RegistryStore>> openSqliteRegistryStore(const storage::StoreConfig& config,
                                                               const std::string& algorithm) {
  auto writer = Connection::open(config.path, false);
  if (!writer.ok())
    return writer.error();
  return std::unique_ptr<RegistryStore>(
      new SqliteRegistryStore(config, algorithm, std::move(writer).value()));
}

}  // namespace huitong::registry
