// The registry on PostgreSQL. READ COMMITTED writes; an audit append first locks the anchor row
// (SELECT … FOR UPDATE), which every append takes, so appends from any thread, process or
// instance run one after the other and each chains on the head the previous one wrote. A
// filing change locks its filing row first and the anchor second, always in that order (no
// deadlock). Chain scans and query pages run in one REPEATABLE READ snapshot.
#include "gateway/registry/PostgresRegistryStore.h"

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <utility>
#include <vector>

#include "gateway/registry/RegistryQueries.h"

namespace huitong::registry {
namespace {

namespace q = queries;

constexpr int kTransactionAttempts = 3;
constexpr const char* kRetryCode = "store.retry";
// Rows per FETCH of a chain scan: bounded memory on any chain length.
constexpr int kScanBatch = 2000;

#define REGISTRY_TRY(expr) \
  do {                     \
    auto&& try_ = (expr);  \
    if (!try_.ok())        \
      return try_.error(); \
  } while (0)

class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r, &PQclear) {}
  int count() const { return PQntuples(r_.get()); }
  long affected() const { return std::strtol(PQcmdTuples(r_.get()), nullptr, 10); }

  // One row, read the way RegistryQueries' row templates expect.
  struct Row {
    const Rows* rows;
    int i;
    bool isNull(int c) const { return PQgetisnull(rows->r_.get(), i, c) != 0; }
    std::string text(int c) const {
      return std::string(PQgetvalue(rows->r_.get(), i, c),
                         static_cast<std::size_t>(PQgetlength(rows->r_.get(), i, c)));
    }
    std::int64_t int64(int c) const {
      return std::strtoll(PQgetvalue(rows->r_.get(), i, c), nullptr, 10);
    }
  };
  Row row(int i) const { return Row{this, i}; }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

class Connection {
 public:
  explicit Connection(PGconn* conn) : conn_(conn) {
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { PQfinish(conn_); }

  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }
  Result<void> reset() {
    PQreset(conn_);
    if (!healthy()) {
      return Error{"store.unavailable",
                   std::string("cannot reconnect to PostgreSQL: ") + PQerrorMessage(conn_), ""};
    }
    return {};
  }

  Result<Rows> exec(const std::string& sql) { return check(PQexec(conn_, sql.c_str())); }
  Result<Rows> run(const std::string& sql, const q::BuiltQuery& b) {
    std::vector<std::string> texts;
    texts.reserve(b.params.size());
    std::vector<const char*> values;
    for (const auto& p : b.params) {
      if (p.isNull) {
        texts.emplace_back();
        values.push_back(nullptr);
      } else {
        texts.push_back(p.isInt ? std::to_string(p.integer) : p.text);
        values.push_back(texts.back().c_str());
      }
    }
    return check(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                              values.data(), nullptr, nullptr, 0));
  }

 private:
  Result<Rows> check(PGresult* res) {
    Rows rows(res);
    const ExecStatusType status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
      return rows;
    const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const std::string sqlstate = state != nullptr ? state : "";
    std::string message = res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    const char* code = "store.sql";
    if (!healthy() || sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0)
      code = "store.unavailable";
    else if (sqlstate == "40001" || sqlstate == "40P01")
      code = kRetryCode;
    else if (sqlstate.rfind("23", 0) == 0)
      code = "store.constraint";
    return Error{code, "PostgreSQL: " + message, ""};
  }

  PGconn* conn_;
};

Result<std::unique_ptr<Connection>> connect(std::string connection) {
  if (connection.find("connect_timeout") == std::string::npos)
    connection += " connect_timeout=10";
  if (connection.find("application_name") == std::string::npos)
    connection += " application_name=huitong-registry";
  auto conn = std::make_unique<Connection>(PQconnectdb(connection.c_str()));
  if (!conn->healthy()) {
    return Error{"store.unavailable", "cannot connect to PostgreSQL for the registry", ""};
  }
  return conn;
}

template <typename T, typename F>
Result<T> guarded(const char* operation, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Error{"store.internal", std::string(operation) + " failed: " + e.what(), ""};
  }
}

Result<AuditEntry> append(Connection& c, const AuditEntry& entry, const std::string& algorithm) {
  auto anchorRows = c.exec(q::kAnchorForUpdate);
  REGISTRY_TRY(anchorRows);
  if (anchorRows.value().count() == 0) {
    return Error{"store.integrity",
                 "the audit anchor row is missing: run `huitong audit verify`; nothing appended",
                 ""};
  }
  const auto a = anchorRows.value().row(0);
  const AuditAnchor anchor{a.int64(0), a.text(1)};
  EpochMillis headAt = 0;
  if (anchor.count > 0) {
    q::BuiltQuery p;
    p.add(anchor.count);
    auto at = c.run(q::kEntryAt, p);
    REGISTRY_TRY(at);
    if (at.value().count() > 0)
      headAt = at.value().row(0).int64(0);
  }
  auto next = q::nextEntry(entry, anchor, headAt, algorithm);
  REGISTRY_TRY(next);
  REGISTRY_TRY(c.run(q::kInsertEntry, q::entryParams(next.value())));
  q::BuiltQuery moved;
  moved.add(next.value().seq);
  moved.add(next.value().hash);
  REGISTRY_TRY(c.run(q::kMoveAnchor, moved));
  return next;
}

class PostgresRegistryStore final : public RegistryStore {
 public:
  PostgresRegistryStore(storage::StoreConfig config, std::string algorithm)
      : config_(std::move(config)), algorithm_(std::move(algorithm)) {}

  Result<std::optional<AuditEntry>> createFiling(const Filing& filing,
                                                 const std::optional<AuditEntry>& audit) override {
    using Out = std::optional<AuditEntry>;
    return guarded<Out>("createFiling", [&] {
      return inTransaction<Out>("BEGIN", [&](Connection& c) -> Result<Out> {
        auto inserted = c.run(q::kInsertFiling, q::filingParams(filing));
        if (!inserted.ok()) {
          if (inserted.error().code == "store.constraint") {
            return Error{
                "filing.exists",
                "system " + filing.system + " already has a filing for item " + filing.itemCode,
                ""};
          }
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
      return withConnection<Out>([&](Connection& c) -> Result<Out> {
        q::BuiltQuery p;
        p.add(system);
        p.add(itemCode);
        auto rows = c.run(q::kSelectFiling, p);
        REGISTRY_TRY(rows);
        if (rows.value().count() == 0)
          return Out();
        return Out(q::filingFromRow(rows.value().row(0)));
      });
    });
  }

  Result<std::vector<Filing>> filings(const FilingFilter& filter) override {
    using Out = std::vector<Filing>;
    return guarded<Out>("filings", [&] {
      return withConnection<Out>([&](Connection& c) -> Result<Out> {
        const auto b = q::filingsQuery(filter);
        auto rows = c.run(b.sql, b);
        REGISTRY_TRY(rows);
        Out out;
        for (int i = 0; i < rows.value().count(); ++i)
          out.push_back(q::filingFromRow(rows.value().row(i)));
        return out;
      });
    });
  }

  Result<std::int64_t> overdueCount(Day today) override {
    return guarded<std::int64_t>("overdueCount", [&] {
      return withConnection<std::int64_t>([&](Connection& c) -> Result<std::int64_t> {
        q::BuiltQuery p;
        p.add(formatDate(today));
        auto rows = c.run(q::kOverdueCount, p);
        REGISTRY_TRY(rows);
        return rows.value().row(0).int64(0);
      });
    });
  }

  Result<std::optional<AuditEntry>> updateFiling(const Filing& next, std::int64_t expectedVersion,
                                                 const std::optional<AuditEntry>& audit) override {
    using Out = std::optional<AuditEntry>;
    return guarded<Out>("updateFiling", [&] {
      return inTransaction<Out>("BEGIN", [&](Connection& c) -> Result<Out> {
        auto b = q::filingParams(next);
        b.add(expectedVersion);
        auto changed = c.run(q::kUpdateFiling, b);
        REGISTRY_TRY(changed);
        if (changed.value().affected() == 0) {
          q::BuiltQuery p;
          p.add(next.system);
          p.add(next.itemCode);
          auto version = c.run(q::kFilingVersion, p);
          REGISTRY_TRY(version);
          if (version.value().count() == 0) {
            return Error{"filing.not_found",
                         "no filing for item " + next.itemCode + " of system " + next.system, ""};
          }
          return Error{"filing.stale",
                       "the filing changed since it was read (version " +
                           std::to_string(version.value().row(0).int64(0)) + ", not " +
                           std::to_string(expectedVersion) + "): read it again and retry",
                       ""};
        }
        return appendIf(c, audit);
      });
    });
  }

  Result<AuditEntry> appendAudit(const AuditEntry& entry) override {
    return guarded<AuditEntry>("appendAudit", [&] {
      return inTransaction<AuditEntry>("BEGIN", [&](Connection& c) -> Result<AuditEntry> {
        return append(c, entry, algorithm_);
      });
    });
  }

  Result<AuditAnchor> anchor() override {
    return guarded<AuditAnchor>("anchor", [&] {
      return withConnection<AuditAnchor>([&](Connection& c) -> Result<AuditAnchor> {
        auto rows = c.exec(q::kAnchor);
        REGISTRY_TRY(rows);
        if (rows.value().count() == 0)
          return Error{"store.integrity", "the audit anchor row is missing", ""};
        return AuditAnchor{rows.value().row(0).int64(0), rows.value().row(0).text(1)};
      });
    });
  }

  Result<std::optional<AuditAnchor>> scanChain(
      const std::function<bool(const AuditEntry&)>& visit) override {
    using Out = std::optional<AuditAnchor>;
    return guarded<Out>("scanChain", [&] {
      return inTransaction<Out>(kSnapshot, [&](Connection& c) -> Result<Out> {
        auto a = c.exec(q::kAnchor);
        REGISTRY_TRY(a);
        Out anchor;
        if (a.value().count() > 0)
          anchor = AuditAnchor{a.value().row(0).int64(0), a.value().row(0).text(1)};
        REGISTRY_TRY(
            c.exec(std::string("DECLARE huitong_chain NO SCROLL CURSOR FOR ") + q::kScanEntries));
        const std::string fetch = "FETCH " + std::to_string(kScanBatch) + " FROM huitong_chain";
        for (;;) {
          auto rows = c.exec(fetch);
          REGISTRY_TRY(rows);
          const int n = rows.value().count();
          for (int i = 0; i < n; ++i) {
            if (!visit(q::entryFromRow(rows.value().row(i))))
              return anchor;
          }
          if (n < kScanBatch)
            return anchor;
        }
      });
    });
  }

  Result<AuditPage> queryAudit(const AuditQuery& query) override {
    REGISTRY_TRY(q::checkQuery(query));
    return guarded<AuditPage>("queryAudit", [&] {
      return inTransaction<AuditPage>(kSnapshot, [&](Connection& c) -> Result<AuditPage> {
        std::int64_t from = 1;
        std::int64_t to = INT64_MAX;
        if (query.since) {
          q::BuiltQuery p;
          p.add(*query.since);
          auto rows = c.run(q::kFirstSeqSince, p);
          REGISTRY_TRY(rows);
          if (rows.value().count() == 0)
            return AuditPage{};
          from = rows.value().row(0).int64(0);
        }
        if (query.until) {
          q::BuiltQuery p;
          p.add(*query.until);
          auto rows = c.run(q::kLastSeqUntil, p);
          REGISTRY_TRY(rows);
          if (rows.value().count() == 0)
            return AuditPage{};
          to = rows.value().row(0).int64(0);
        }
        const auto b = q::auditPageQuery(query, from, to, q::Dialect::kPostgres);
        auto rows = c.run(b.sql, b);
        REGISTRY_TRY(rows);
        AuditPage out;
        const int n = rows.value().count();
        for (int i = 0; i < n && i < query.limit; ++i)
          out.entries.push_back(q::entryFromRow(rows.value().row(i)));
        if (n > query.limit)
          out.nextAfterSeq = out.entries.back().seq;
        return out;
      });
    });
  }

  Result<std::optional<AuditEntry>> insertMappingVersion(
      const MappingVersionRecord& record, const std::optional<AuditEntry>& audit) override {
    using Out = std::optional<AuditEntry>;
    return guarded<Out>("insertMappingVersion", [&] {
      return inTransaction<Out>("BEGIN", [&](Connection& c) -> Result<Out> {
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
      return inTransaction<Out>("BEGIN", [&](Connection& c) -> Result<Out> {
        auto b = q::mappingVersionParams(record);
        b.add(std::string(toString(expectedState)));
        auto changed = c.run(q::kUpdateMappingVersion, b);
        REGISTRY_TRY(changed);
        if (changed.value().affected() == 0) {
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
      return withConnection<Out>([&](Connection& c) -> Result<Out> {
        q::BuiltQuery p;
        p.add(system);
        p.add(version);
        auto rows = c.run(q::kSelectMappingVersion, p);
        REGISTRY_TRY(rows);
        if (rows.value().count() == 0)
          return Out();
        return Out(q::mappingVersionFromRow(rows.value().row(0)));
      });
    });
  }

  Result<std::vector<MappingVersionRecord>> mappingVersions(const std::string& system) override {
    using Out = std::vector<MappingVersionRecord>;
    return guarded<Out>("mappingVersions", [&] {
      return withConnection<Out>([&](Connection& c) -> Result<Out> {
        q::BuiltQuery p;
        p.add(system);
        auto rows = c.run(q::kSelectMappingVersions, p);
        REGISTRY_TRY(rows);
        Out out;
        for (int i = 0; i < rows.value().count(); ++i)
          out.push_back(q::mappingVersionFromRow(rows.value().row(i)));
        return out;
      });
    });
  }

  Result<std::vector<LiveMapping>> liveMappings() override {
    using Out = std::vector<LiveMapping>;
    return guarded<Out>("liveMappings", [&] {
      return withConnection<Out>([&](Connection& c) -> Result<Out> {
        auto rows = c.exec(q::kSelectLiveMappings);
        REGISTRY_TRY(rows);
        Out out;
        for (int i = 0; i < rows.value().count(); ++i)
          out.push_back(q::liveMappingFromRow(rows.value().row(i)));
        return out;
      });
    });
  }

  Result<LiveMapping> switchLiveMapping(const std::string& system, const std::string& version,
                                        std::int64_t expectedGeneration, const std::string& actor,
                                        EpochMillis at,
                                        const std::optional<AuditEntry>& audit) override {
    return guarded<LiveMapping>("switchLiveMapping", [&] {
      return inTransaction<LiveMapping>("BEGIN", [&](Connection& c) -> Result<LiveMapping> {
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
        if (expectedGeneration != 0)
          p.add(expectedGeneration);
        auto changed =
            c.run(expectedGeneration == 0 ? q::kInsertLiveMapping : q::kUpdateLiveMapping, p);
        if (!changed.ok() && changed.error().code == "store.constraint")
          return q::mappingStale(system, "another version went live first");
        REGISTRY_TRY(changed);
        if (changed.value().affected() == 0)
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
      return inTransaction<void>("BEGIN", [&](Connection& c) -> Result<void> {
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
      return withConnection<Out>([&](Connection& c) -> Result<Out> {
        q::BuiltQuery p;
        p.add(name);
        auto rows = c.run(q::kSelectAccount, p);
        REGISTRY_TRY(rows);
        if (rows.value().count() == 0)
          return Out();
        return Out(q::accountFromRow(rows.value().row(0)));
      });
    });
  }

  Result<std::vector<StaffAccount>> accounts() override {
    using Out = std::vector<StaffAccount>;
    return guarded<Out>("accounts", [&] {
      return withConnection<Out>([&](Connection& c) -> Result<Out> {
        auto rows = c.exec(q::kSelectAccounts);
        REGISTRY_TRY(rows);
        Out out;
        for (int i = 0; i < rows.value().count(); ++i)
          out.push_back(q::accountFromRow(rows.value().row(i)));
        return out;
      });
    });
  }

  Result<void> updateAccount(const StaffAccount& account, const std::optional<AuditEntry>& audit,
                             bool endSessions) override {
    return guarded<void>("updateAccount", [&] {
      return inTransaction<void>("BEGIN", [&](Connection& c) -> Result<void> {
        auto changed = c.run(q::kUpdateAccount, q::accountParams(account));
        REGISTRY_TRY(changed);
        if (changed.value().affected() == 0)
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
      return inTransaction<void>("BEGIN", [&](Connection& c) -> Result<void> {
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
      return withConnection<Out>([&](Connection& c) -> Result<Out> {
        q::BuiltQuery p;
        p.add(tokenHash);
        auto rows = c.run(q::kSelectSession, p);
        REGISTRY_TRY(rows);
        if (rows.value().count() == 0)
          return Out();
        const auto r = rows.value().row(0);
        return Out(StaffSession{r.text(0), r.text(1), r.int64(2)});
      });
    });
  }

  Result<void> deleteSession(const std::string& tokenHash) override {
    return guarded<void>("deleteSession", [&] {
      return withConnection<void>([&](Connection& c) -> Result<void> {
        q::BuiltQuery p;
        p.add(tokenHash);
        REGISTRY_TRY(c.run(q::kDeleteSession, p));
        return {};
      });
    });
  }

 private:
  static constexpr const char* kSnapshot = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

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
    auto rows = c.run(q::kMappingVersionState, p);
    REGISTRY_TRY(rows);
    return rows.value().count() == 0 ? std::string() : rows.value().row(0).text(0);
  }

  template <typename T, typename F>
  Result<T> withConnection(F&& body) {
    std::unique_ptr<Connection> conn;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      available_.wait(lock, [&] { return !idle_.empty() || open_ < config_.poolSize; });
      if (!idle_.empty()) {
        conn = std::move(idle_.back());
        idle_.pop_back();
      } else {
        ++open_;
      }
    }
    if (!conn) {
      auto opened = connect(config_.connection);
      if (!opened.ok()) {
        std::lock_guard<std::mutex> lock(mutex_);
        --open_;
        available_.notify_one();
        return opened.error();
      }
      conn = std::move(opened).value();
    }
    struct Return {
      PostgresRegistryStore* self;
      std::unique_ptr<Connection>& conn;
      ~Return() {
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->idle_.push_back(std::move(conn));
        self->available_.notify_one();
      }
    } giveBack{this, conn};
    if (!conn->healthy())
      REGISTRY_TRY(conn->reset());
    return body(*conn);
  }

  // `begin` opens the transaction; a serialization failure or deadlock runs it all again.
  template <typename T, typename F>
  Result<T> inTransaction(const char* begin, F&& body) {
    return withConnection<T>([&](Connection& c) -> Result<T> {
      for (int attempt = 1;; ++attempt) {
        if (auto begun = c.exec(begin); !begun.ok()) {
          if (c.healthy() || attempt > 1)
            return begun.error();
          REGISTRY_TRY(c.reset());
          REGISTRY_TRY(c.exec(begin));
        }
        Result<T> r = body(c);
        if (r.ok()) {
          auto committed = c.exec("COMMIT");
          if (committed.ok())
            return r;
          r = committed.error();
        } else if (c.healthy()) {
          (void)c.exec("ROLLBACK");
        }
        if (r.error().code != kRetryCode || attempt == kTransactionAttempts) {
          if (r.error().code == kRetryCode)
            return Error{"store.busy", r.error().message, ""};
          return r;
        }
      }
    });
  }

  storage::StoreConfig config_;
  std::string algorithm_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  unsigned open_ = 0;
};

}  // namespace

Result<std::unique_ptr<RegistryStore>> openPostgresRegistryStore(const storage::StoreConfig& config,
                                                                 const std::string& algorithm) {
  auto probe = connect(config.connection);
  if (!probe.ok())
    return probe.error();
  return std::unique_ptr<RegistryStore>(new PostgresRegistryStore(config, algorithm));
}

}  // namespace huitong::registry
