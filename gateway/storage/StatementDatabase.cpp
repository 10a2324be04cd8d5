#include "gateway/storage/StatementDatabase.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstdlib>
#include <utility>

namespace huitong::storage {
namespace {

constexpr int kBusyTimeoutMillis = 10000;

class SqliteDatabase final : public StatementDatabase {
 public:
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  ~SqliteDatabase() override { sqlite3_close_v2(db_); }

  static Result<std::unique_ptr<StatementDatabase>> open(const std::string& path) {
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    auto out = std::make_unique<SqliteDatabase>(db);
    if (rc != SQLITE_OK)
      return Error{"store.io", "cannot open " + path + ": " + sqlite3_errstr(rc), ""};
    sqlite3_busy_timeout(db, kBusyTimeoutMillis);
    if (auto r = out->run("PRAGMA synchronous=FULL", {}); !r.ok())
      return r.error();
    return std::unique_ptr<StatementDatabase>(std::move(out));
  }

  Result<std::vector<SqlRow>> run(const std::string& sqlText,
                                  const std::vector<SqlParam>& params) override {
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
    std::vector<SqlRow> rows;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      SqlRow row;
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

class PostgresDatabase final : public StatementDatabase {
 public:
  explicit PostgresDatabase(PGconn* conn) : conn_(conn) {
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~PostgresDatabase() override { PQfinish(conn_); }

  static Result<std::unique_ptr<StatementDatabase>> open(std::string connection,
                                                         const std::string& name,
                                                         const std::string& purpose) {
    if (connection.find("connect_timeout") == std::string::npos)
      connection += " connect_timeout=10";
    if (connection.find("application_name") == std::string::npos)
      connection += " application_name=huitong-" + name;
    auto db = std::make_unique<PostgresDatabase>(PQconnectdb(connection.c_str()));
    if (PQstatus(db->conn_) != CONNECTION_OK)
      return Error{"store.unavailable", "cannot connect to PostgreSQL for " + purpose, ""};
    return std::unique_ptr<StatementDatabase>(std::move(db));
  }

  Result<std::vector<SqlRow>> run(const std::string& sql,
                                  const std::vector<SqlParam>& params) override {
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
    std::vector<SqlRow> rows;
    for (int i = 0; i < PQntuples(res.get()); ++i) {
      SqlRow row;
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

}  // namespace

SqlParam sqlText(std::string s) {
  SqlParam p;
  p.text = std::move(s);
  return p;
}

SqlParam sqlInteger(std::int64_t v) {
  SqlParam p;
  p.isInt = true;
  p.integer = v;
  return p;
}

SqlParam sqlBlob(std::string bytes) {
  SqlParam p;
  p.text = std::move(bytes);
  p.isBlob = true;
  return p;
}

Result<void> StatementDatabase::transaction(const std::function<Result<void>()>& body) {
  if (auto r = run(postgres() ? "BEGIN" : "BEGIN IMMEDIATE", {}); !r.ok())
    return r.error();
  Error failed;
  if (auto done = body(); !done.ok())
    failed = done.error();
  else if (auto committed = run("COMMIT", {}); !committed.ok())
    failed = committed.error();
  else
    return {};
  (void)run("ROLLBACK", {});
  return failed;
}

Result<std::unique_ptr<StatementDatabase>> StatementDatabase::open(const StoreConfig& config,
                                                                   const std::string& name,
                                                                   const std::string& purpose) {
  if (auto migrated = ExchangeStore::migrate(config); !migrated.ok())
    return migrated.error();
  if (config.kind == "sqlite")
    return SqliteDatabase::open(config.path);
  return PostgresDatabase::open(config.connection, name, purpose);
}

std::string fromByteaHex(const std::string& text) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x')
    return text;
  auto nibble = [](char c) { return c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0'; };
  std::string out;
  out.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i + 1 < text.size(); i += 2)
    out.push_back(static_cast<char>(nibble(text[i]) * 16 + nibble(text[i + 1])));
  return out;
}

std::int64_t sqlInt(const std::string& text) {
  return std::strtoll(text.c_str(), nullptr, 10);
}

}  // namespace huitong::storage
