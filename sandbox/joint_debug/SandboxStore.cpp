// Both backends behind one small statement interface: the store's few queries are written once
// with $n parameters (SQLite reads them as ?n). Inputs are BLOB/BYTEA; PostgreSQL sends them as
// binary parameters and reads them back as hex.
#include "sandbox/joint_debug/SandboxStore.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstdlib>
#include <exception>
#include <mutex>
#include <utility>

#include "gateway/core/Json.h"

namespace huitong::sandbox {
namespace {

constexpr int kBusyTimeoutMillis = 10000;

struct Param {
  std::string text;
  bool isInt = false;
  bool isBlob = false;
  std::int64_t integer = 0;
};
Param text(std::string s) {
  Param p;
  p.text = std::move(s);
  return p;
}
Param integer(std::int64_t v) {
  Param p;
  p.isInt = true;
  p.integer = v;
  return p;
}
Param blob(std::string s) {
  Param p;
  p.text = std::move(s);
  p.isBlob = true;
  return p;
}

using Row = std::vector<std::string>;

class Database {
 public:
  virtual ~Database() = default;
  virtual Result<std::vector<Row>> run(const std::string& sql,
                                       const std::vector<Param>& params) = 0;
  virtual bool postgres() const = 0;
};

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  ~SqliteDatabase() override { sqlite3_close_v2(db_); }

  static Result<std::unique_ptr<Database>> open(const std::string& path) {
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    auto out = std::make_unique<SqliteDatabase>(db);
    if (rc != SQLITE_OK)
      return Error{"store.io", "cannot open " + path + ": " + sqlite3_errstr(rc), ""};
    sqlite3_busy_timeout(db, kBusyTimeoutMillis);
    if (auto r = out->run("PRAGMA synchronous=FULL", {}); !r.ok())
      return r.error();
    return std::unique_ptr<Database>(std::move(out));
  }

  Result<std::vector<Row>> run(const std::string& sqlText,
                               const std::vector<Param>& params) override {
    std::string sql = sqlText;
    for (auto& c : sql) {
      if (c == '$')
        c = '?';
    }
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(stmt, &sqlite3_finalize);
    if (rc != SQLITE_OK)
      return failure(rc);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto& p = params[i];
      const int n = static_cast<int>(i + 1);
      if (p.isInt)
        sqlite3_bind_int64(stmt, n, p.integer);
      else if (p.isBlob)
        sqlite3_bind_blob64(stmt, n, p.text.data(), p.text.size(), SQLITE_TRANSIENT);
      else
        sqlite3_bind_text64(stmt, n, p.text.data(), p.text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    std::vector<Row> rows;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      Row row;
      const int cols = sqlite3_column_count(stmt);
      for (int c = 0; c < cols; ++c) {
        const void* data = sqlite3_column_blob(stmt, c);
        const int size = sqlite3_column_bytes(stmt, c);
        row.emplace_back(data == nullptr ? std::string()
                                         : std::string(static_cast<const char*>(data),
                                                       static_cast<std::size_t>(size)));
      }
      rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE)
      return failure(rc);
    return rows;
  }
  bool postgres() const override { return false; }

 private:
  Error failure(int rc) const {
    const int primary = rc & 0xff;
    const char* code = primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? "store.busy"
                       : primary == SQLITE_CONSTRAINT                     ? "store.constraint"
                                                                          : "store.sql";
    return Error{code, std::string("SQLite: ") + sqlite3_errmsg(db_), ""};
  }
  sqlite3* db_;
};

class PostgresDatabase final : public Database {
 public:
  explicit PostgresDatabase(PGconn* conn) : conn_(conn) {
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~PostgresDatabase() override { PQfinish(conn_); }

  static Result<std::unique_ptr<Database>> open(std::string connection) {
    if (connection.find("connect_timeout") == std::string::npos)
      connection += " connect_timeout=10";
    if (connection.find("application_name") == std::string::npos)
      connection += " application_name=huitong-sandbox";
    auto db = std::make_unique<PostgresDatabase>(PQconnectdb(connection.c_str()));
    if (PQstatus(db->conn_) != CONNECTION_OK)
      return Error{"store.unavailable", "cannot connect to PostgreSQL for the sandbox", ""};
    return std::unique_ptr<Database>(std::move(db));
  }

  Result<std::vector<Row>> run(const std::string& sql, const std::vector<Param>& params) override {
    if (PQstatus(conn_) != CONNECTION_OK)
      PQreset(conn_);
    std::vector<std::string> texts;
    texts.reserve(params.size());
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    for (const auto& p : params) {
      texts.push_back(p.isInt ? std::to_string(p.integer) : p.text);
      values.push_back(texts.back().data());
      lengths.push_back(static_cast<int>(texts.back().size()));
      formats.push_back(p.isBlob ? 1 : 0);
    }
    std::unique_ptr<PGresult, void (*)(PGresult*)> res(
        PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                     lengths.data(), formats.data(), 0),
        &PQclear);
    const ExecStatusType status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string message = res ? PQresultErrorMessage(res.get()) : PQerrorMessage(conn_);
      while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
      return Error{PQstatus(conn_) == CONNECTION_OK ? "store.sql" : "store.unavailable",
                   "PostgreSQL: " + message, ""};
    }
    std::vector<Row> rows;
    for (int i = 0; i < PQntuples(res.get()); ++i) {
      Row row;
      for (int c = 0; c < PQnfields(res.get()); ++c) {
        row.emplace_back(PQgetvalue(res.get(), i, c),
                         static_cast<std::size_t>(PQgetlength(res.get(), i, c)));
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }
  bool postgres() const override { return true; }

 private:
  PGconn* conn_;
};

std::string fromHex(const std::string& hex) {
  // PostgreSQL's bytea hex output: "\x" then two digits a byte.
  std::string out;
  const std::size_t start = hex.rfind("\\x", 0) == 0 ? 2 : 0;
  out.reserve((hex.size() - start) / 2);
  auto digit = [](char c) { return c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0'; };
  for (std::size_t i = start; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(digit(hex[i]) * 16 + digit(hex[i + 1]));
  return out;
}

std::int64_t toInt(const std::string& s) {
  return std::strtoll(s.c_str(), nullptr, 10);
}

constexpr const char* kSummaryColumns =
    "s.seq, s.id, s.system, s.actor, s.at, s.mapping_version, s.outcome, s.summary_json";

SessionSummary summaryOf(const Row& r) {
  SessionSummary s;
  s.seq = toInt(r[0]);
  s.id = r[1];
  s.system = r[2];
  s.actor = r[3];
  s.at = toInt(r[4]);
  s.mappingVersion = r[5];
  s.outcome = r[6];
  s.summaryJson = r[7];
  return s;
}

class Store final : public SandboxStore {
 public:
  explicit Store(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Result<void> record(const Session& s, const std::string& traceJson) override {
    int counts[4] = {0, 0, 0, 0};
    for (const auto& e : s.events)
      ++counts[static_cast<int>(e.verdict)];
    const std::string summaryJson = "{\"events\":" + std::to_string(s.events.size()) +
                                    ",\"accepted\":" + std::to_string(counts[0]) +
                                    ",\"duplicate\":" + std::to_string(counts[1]) +
                                    ",\"conflict\":" + std::to_string(counts[2]) +
                                    ",\"rejected\":" + std::to_string(counts[3]) + "}";
    std::lock_guard<std::mutex> lock(mu_);
    try {
      if (auto r = db_->run(db_->postgres() ? "BEGIN" : "BEGIN IMMEDIATE", {}); !r.ok())
        return r.error();
      auto rollback = [&](const Error& e) -> Result<void> {
        (void)db_->run("ROLLBACK", {});
        return e;
      };
      auto inserted = db_->run(
          "INSERT INTO sandbox_session (id, system, actor, at, mapping_version, mapping_sha256, "
          "outcome, content_type, input, trace_json, summary_json) VALUES ($1, $2, $3, $4, $5, "
          "$6, $7, $8, $9, $10, $11) RETURNING seq",
          {text(s.id), text(s.system), text(s.actor), integer(s.at), text(s.mappingVersion),
           text(s.mappingSha256), text(s.outcome), text(s.contentType), blob(s.input),
           text(traceJson), text(summaryJson)});
      if (!inserted.ok() || inserted.value().empty())
        return rollback(inserted.ok() ? Error{"store.sql", "no seq returned", ""}
                                      : inserted.error());
      const std::int64_t seq = toInt(inserted.value()[0][0]);
      for (std::size_t n = 0; n < s.events.size(); ++n) {
        const auto& e = s.events[n];
        rapidjson::Document rules(rapidjson::kArrayType);
        for (const auto& r : e.rules)
          rules.PushBack(mapping::rejectionToJson(r, rules.GetAllocator()), rules.GetAllocator());
        auto ev = db_->run(
            "INSERT INTO sandbox_event (session_seq, n, session_id, system, item_code, stage, "
            "verdict, rules, rules_json, mapping_version, mapping_sha256) VALUES ($1, $2, $3, $4, "
            "$5, $6, $7, $8, $9, $10, $11)",
            {integer(seq), integer(static_cast<std::int64_t>(n)), text(s.id), text(s.system),
             text(e.itemCode), text(e.stage), text(toString(e.verdict)),
             integer(static_cast<std::int64_t>(e.rules.size())), text(json::write(rules)),
             text(s.mappingVersion), text(s.mappingSha256)});
        if (!ev.ok())
          return rollback(ev.error());
      }
      if (auto r = db_->run("COMMIT", {}); !r.ok())
        return rollback(r.error());
      return {};
    } catch (const std::exception& e) {
      return Error{"store.internal", std::string("recording a sandbox session: ") + e.what(), ""};
    }
  }

  Result<std::optional<StoredSession>> session(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(wholeSessions() + " WHERE s.id = $1", {text(id)});
    if (!rows.ok())
      return rows.error();
    if (rows.value().empty())
      return std::optional<StoredSession>();
    return std::optional<StoredSession>(wholeSessionOf(rows.value()[0]));
  }

  Result<std::vector<StoredSession>> history(const std::string& system, std::int64_t afterSeq,
                                             int limit) override {
    if (limit < 1 || limit > kMaxSessionPage) {
      return Error{"sandbox.limit",
                   "limit is 1.." + std::to_string(kMaxSessionPage) + " sessions a page", ""};
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(wholeSessions() + " WHERE s.system = $1 AND s.seq > $2 ORDER BY s.seq " +
                             "LIMIT " + std::to_string(limit),
                         {text(system), integer(afterSeq)});
    if (!rows.ok())
      return rows.error();
    std::vector<StoredSession> out;
    for (const Row& r : rows.value())
      out.push_back(wholeSessionOf(r));
    return out;
  }

  Result<SessionPage> sessions(const SessionQuery& q) override {
    if (q.limit < 1 || q.limit > kMaxSessionPage) {
      return Error{"sandbox.limit",
                   "limit is 1.." + std::to_string(kMaxSessionPage) + " sessions a page", ""};
    }
    std::string sql =
        std::string("SELECT ") + kSummaryColumns + " FROM sandbox_session s WHERE s.seq > $1";
    std::vector<Param> params{integer(q.afterSeq)};
    auto add = [&](const std::string& clause, const std::string& value) {
      params.push_back(text(value));
      std::string c = clause;
      c.replace(c.find('?'), 1, "$" + std::to_string(params.size()));
      sql += c;
    };
    if (!q.system.empty())
      add(" AND s.system = ?", q.system);
    if (!q.version.empty())
      add(" AND s.mapping_version = ?", q.version);
    if (!q.item.empty())
      add(" AND EXISTS (SELECT 1 FROM sandbox_event e WHERE e.session_seq = s.seq AND "
          "e.item_code = ?)",
          q.item);
    sql += " ORDER BY s.seq LIMIT " + std::to_string(q.limit + 1);
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(sql, params);
    if (!rows.ok())
      return rows.error();
    SessionPage page;
    for (const auto& r : rows.value()) {
      if (static_cast<int>(page.sessions.size()) == q.limit) {
        page.nextAfterSeq = page.sessions.back().seq;
        break;
      }
      page.sessions.push_back(summaryOf(r));
    }
    return page;
  }

  Result<std::vector<EvidenceEvent>> evidence(const std::string& system,
                                              const std::string& itemCode,
                                              const std::string& version,
                                              const std::string& sha256) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(
        "SELECT session_id, stage, verdict, rules, rules_json FROM sandbox_event WHERE system = $1 "
        "AND "
        "item_code = $2 AND mapping_version = $3 AND mapping_sha256 = $4 ORDER BY session_seq, n",
        {text(system), text(itemCode), text(version), text(sha256)});
    if (!rows.ok())
      return rows.error();
    std::vector<EvidenceEvent> out;
    for (const auto& r : rows.value()) {
      EvidenceEvent e{r[0], r[1], r[2], static_cast<int>(toInt(r[3])), {}};
      if (auto rules = json::parse(r[4]); rules.ok() && rules.value().IsArray()) {
        for (const auto& rule : rules.value().GetArray()) {
          if (rule.IsObject() && rule.HasMember("code") && rule["code"].IsString())
            e.ruleCodes.push_back(rule["code"].GetString());
        }
      }
      out.push_back(std::move(e));
    }
    return out;
  }

 private:
  std::string wholeSessions() const {
    return std::string("SELECT ") + kSummaryColumns + ", s.content_type, " +
           (db_->postgres() ? "encode(s.input, 'hex')" : "s.input") +
           ", s.trace_json FROM sandbox_session s";
  }
  StoredSession wholeSessionOf(const Row& r) const {
    StoredSession st;
    st.summary = summaryOf(r);
    st.contentType = r[8];
    st.input = db_->postgres() ? fromHex(r[9]) : r[9];
    st.traceJson = r[10];
    return st;
  }

  std::mutex mu_;
  std::unique_ptr<Database> db_;
};

}  // namespace

Result<std::unique_ptr<SandboxStore>> SandboxStore::open(const storage::StoreConfig& config) {
  try {
    if (auto migrated = storage::ExchangeStore::migrate(config); !migrated.ok())
      return migrated.error();
    auto db = config.kind == "sqlite" ? SqliteDatabase::open(config.path)
                                      : PostgresDatabase::open(config.connection);
    if (!db.ok())
      return db.error();
    return std::unique_ptr<SandboxStore>(std::make_unique<Store>(std::move(db).value()));
  } catch (const std::exception& e) {
    return Error{"store.internal", std::string("opening the sandbox store failed: ") + e.what(),
                 ""};
  }
}

}  // namespace huitong::sandbox
