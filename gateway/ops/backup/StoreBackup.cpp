#include "gateway/ops/backup/StoreBackup.h"

#include <fcntl.h>
#include <glob.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace huitong::ops::backup {

namespace {

using Rows = std::vector<std::vector<std::string>>;
using QueryFn = std::function<Result<Rows>(const std::string& sql)>;

std::string quoteIdent(const std::string& name) {
  std::string out = "\"";
  for (char c : name)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

Result<StoreFacts> gatherFacts(const QueryFn& q, bool postgres, bool recomputeChain) {
  StoreFacts f;
  auto tables = q(postgres ? "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                             "ORDER BY tablename"
                           : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                             "LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY "
                             "name");
  if (!tables.ok())
    return tables.error();
  for (const auto& t : tables.value()) {
    auto n = q("SELECT count(*) FROM " + quoteIdent(t[0]));
    if (!n.ok())
      return n.error();
    f.rowCounts[t[0]] = std::atoll(n.value().at(0).at(0).c_str());
  }
  auto v = q("SELECT max(version) FROM schema_migrations");
  if (!v.ok())
    return v.error();
  f.schemaVersion = std::atoi(v.value().at(0).at(0).c_str());
  auto anchor = q("SELECT entry_count, head FROM audit_anchor WHERE id = 1");
  if (!anchor.ok())
    return anchor.error();
  if (anchor.value().empty()) {
    return Error{"backup.audit", "the audit anchor (entry count and head hash) is missing", ""};
  }
  f.auditEntries = std::atoll(anchor.value()[0][0].c_str());
  f.auditHead = anchor.value()[0][1];
  if (!recomputeChain)
    return f;
  registry::ChainVerifier verifier;
  std::int64_t after = 0;
  bool whole = true;
  while (whole) {
    auto page =
        q("SELECT seq, at, actor, role, action, target, system, item, before_json, "
          "after_json, alg, prev_hash, hash FROM audit_entry WHERE seq > " +
          std::to_string(after) + " ORDER BY seq LIMIT 2000");
    if (!page.ok())
      return page.error();
    if (page.value().empty())
      break;
    for (const auto& r : page.value()) {
      registry::AuditEntry e;
      e.seq = std::atoll(r[0].c_str());
      e.at = std::atoll(r[1].c_str());
      e.actor = r[2];
      e.role = r[3];
      e.action = r[4];
      e.target = r[5];
      e.system = r[6];
      e.item = r[7];
      e.before = r[8];
      e.after = r[9];
      e.hashAlgorithm = r[10];
      e.prevHash = r[11];
      e.hash = r[12];
      after = e.seq;
      if (!verifier.add(e)) {
        whole = false;
        break;
      }
    }
  }
  f.chain = verifier.finish(registry::AuditAnchor{f.auditEntries, f.auditHead});
  return f;
}

// ---- SQLite ----

struct SqliteHandle {
  sqlite3* db = nullptr;
  ~SqliteHandle() { sqlite3_close_v2(db); }
};

Error sqliteError(const std::string& path, const std::string& what, sqlite3* db) {
  return Error{"backup.sqlite", path + ": " + what + ": " + (db ? sqlite3_errmsg(db) : "no memory"),
               path};
}

Result<void> openSqlite(SqliteHandle& h, const std::string& path, int flags) {
  if (sqlite3_open_v2(path.c_str(), &h.db, flags, nullptr) != SQLITE_OK) {
    return sqliteError(path, "cannot open", h.db);
  }
  sqlite3_busy_timeout(h.db, 10000);
  return {};
}

QueryFn sqliteQuery(sqlite3* db, const std::string& path) {
  return [db, path](const std::string& sql) -> Result<Rows> {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      return sqliteError(path, "query failed", db);
    }
    Rows rows;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const auto* t = sqlite3_column_text(st, i);
        row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
      return sqliteError(path, "query failed", db);
    return rows;
  };
}

// ---- PostgreSQL ----

struct PgConn {
  PGconn* c = nullptr;
  ~PgConn() { PQfinish(c); }
};

Result<void> pgConnect(PgConn& pg, const std::string& conninfo) {
  pg.c = PQconnectdb((conninfo + " application_name=huitong-backup").c_str());
  if (PQstatus(pg.c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(pg.c);
    while (!msg.empty() && msg.back() == '\n')
      msg.pop_back();
    return Error{"store.unavailable", "PostgreSQL: cannot connect: " + msg, ""};
  }
  return {};
}

QueryFn pgQuery(PGconn* c) {
  return [c](const std::string& sql) -> Result<Rows> {
    PGresult* r = PQexec(c, sql.c_str());
    const auto status = PQresultStatus(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      while (!msg.empty() && msg.back() == '\n')
        msg.pop_back();
      return Error{"backup.postgres", "PostgreSQL: " + msg, ""};
    }
    Rows rows;
    for (int i = 0; i < PQntuples(r); ++i) {
      std::vector<std::string> row;
      for (int j = 0; j < PQnfields(r); ++j)
        row.emplace_back(PQgetvalue(r, i, j));
      rows.push_back(std::move(row));
    }
    PQclear(r);
    return rows;
  };
}

// conninfo as key=value text with dbname replaced when `dbname` is given and the password left
// out (into `password`) when `password` is given; every other parameter kept.
Result<std::string> rebuildConninfo(const std::string& conninfo, const std::string* dbname,
                                    std::string* password) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (!opts) {
    std::string msg = err ? err : "not a libpq connection string";
    PQfreemem(err);
    return Error{"backup.postgres", "store.connection: " + msg, ""};
  }
  std::string out;
  auto quote = [](const std::string& v) {
    std::string q = "'";
    for (char c : v) {
      if (c == '\'' || c == '\\')
        q += '\\';
      q += c;
    }
    return q + "'";
  };
  for (auto* o = opts; o->keyword; ++o) {
    const std::string keyword = o->keyword;
    if (!o->val || (keyword == "dbname" && dbname))
      continue;
    if (keyword == "password" && password) {
      *password = o->val;
      continue;
    }
    out += keyword + "=" + quote(o->val) + " ";
  }
  PQconninfoFree(opts);
  if (dbname)
    out += "dbname=" + quote(*dbname);
  return out;
}

Result<std::string> withDatabase(const std::string& conninfo, const std::string& dbname) {
  return rebuildConninfo(conninfo, &dbname, nullptr);
}

// What pg_dump and pg_restore are given: the connection string without its password (a command
// line is visible to every user in `ps`), and the password for the child's environment
// (PGPASSWORD; /proc/PID/environ is readable by the same user only).
struct ToolConnection {
  std::string conninfo;
  std::string password;
};

Result<ToolConnection> toolConnection(const std::string& conninfo) {
  ToolConnection t;
  auto c = rebuildConninfo(conninfo, nullptr, &t.password);
  if (!c.ok())
    return c.error();
  t.conninfo = std::move(c).value();
  return t;
}

// Runs argv; stdout to `stdoutFd` (-1: /dev/null), stderr captured into `err`. Returns the exit
// status (or -1 when it could not start).
struct Child {
  pid_t pid = -1;
  std::string errFile;
};

Result<Child> spawn(const std::vector<std::string>& argv, int stdoutFd,
                    const std::string& password = "") {
  char tmpl[] = "/tmp/huitong-backup-stderr-XXXXXX";
  const int errFd = mkstemp(tmpl);
  if (errFd < 0)
    return Error{"backup.spawn", std::string("mkstemp: ") + std::strerror(errno), ""};
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The environment is made before fork: the child only execs.
  std::vector<std::string> envText;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "PGPASSWORD=", 11) != 0)
      envText.emplace_back(*e);
  }
  if (!password.empty())
    envText.push_back("PGPASSWORD=" + password);
  std::vector<char*> env;
  for (auto& e : envText)
    env.push_back(e.data());
  env.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    ::close(errFd);
    return Error{"backup.spawn", std::string("fork: ") + std::strerror(errno), ""};
  }
  if (pid == 0) {
    // The tool starts with no signal blocked (huitong serve blocks its stop signals).
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    const int devnull = ::open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(stdoutFd >= 0 ? stdoutFd : devnull, 1);
    dup2(errFd, 2);
    execve(args[0], args.data(), env.data());
    _exit(127);
  }
  ::close(errFd);
  return Child{pid, tmpl};
}

Result<void> reap(const Child& child, const std::string& tool) {
  int status = 0;
  while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::ifstream in(child.errFile);
  std::string err((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ::unlink(child.errFile.c_str());
  while (!err.empty() && (err.back() == '\n' || err.back() == ' '))
    err.pop_back();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return {};
  return Error{"backup.postgres",
               tool + " failed (" +
                   (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                      : std::string("killed")) +
                   ")" + (err.empty() ? "" : ": " + err),
               ""};
}

Result<std::string> tool(const std::string& name) {
  auto path = findPgTool(name);
  if (path.empty()) {
    return Error{"backup.postgres",
                 name +
                     " was not found on PATH or in /usr/lib/postgresql/*/bin (install the "
                     "PostgreSQL client of the server's version)",
                 ""};
  }
  return path;
}

}  // namespace

Result<void> sqliteOnlineCopy(const std::string& storePath, const std::string& outPath,
                              bool removeOnFailure) {
  SqliteHandle src, dst;
  if (auto r = openSqlite(src, storePath, SQLITE_OPEN_READONLY); !r.ok())
    return r;
  auto drop = [&] {
    if (removeOnFailure)
      ::unlink(outPath.c_str());
  };
  if (auto r = openSqlite(dst, outPath, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE); !r.ok()) {
    drop();
    return r;
  }
  sqlite3_backup* b = sqlite3_backup_init(dst.db, "main", src.db, "main");
  if (!b) {
    auto e = sqliteError(outPath, "cannot start the online backup", dst.db);
    drop();
    return e;
  }
  // One step over all pages: in WAL mode the read transaction does not block writers, and a
  // single step is never restarted by their commits.
  int rc;
  do {
    rc = sqlite3_backup_step(b, -1);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
      sqlite3_sleep(50);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    Error e{"backup.write",
            outPath + ": the online backup failed: " + sqlite3_errstr(rc) +
                ((rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR
                     ? " — the backup target is full or refused the write; the partial file "
                       "was removed"
                     : ""),
            outPath};
    sqlite3_close_v2(dst.db);
    dst.db = nullptr;
    drop();
    return e;
  }
  return {};
}

Result<StoreFacts> sqliteFacts(const std::string& dbPath, bool recomputeChain) {
  SqliteHandle h;
  if (auto r = openSqlite(h, dbPath, SQLITE_OPEN_READONLY); !r.ok())
    return r.error();
  auto q = sqliteQuery(h.db, dbPath);
  if (recomputeChain) {
    auto check = q("PRAGMA quick_check");
    if (!check.ok())
      return check.error();
    if (check.value().empty() || check.value()[0][0] != "ok") {
      return Error{"backup.integrity",
                   dbPath + ": the restored database fails SQLite's quick_check: " +
                       (check.value().empty() ? "" : check.value()[0][0]),
                   dbPath};
    }
  }
  return gatherFacts(q, false, recomputeChain);
}

bool sqliteInUse(const std::string& storePath) {
  const std::string shm = storePath + "-shm";
  const int fd = ::open(shm.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  struct flock lk {};
  lk.l_type = F_WRLCK;
  lk.l_whence = SEEK_SET;
  lk.l_start = 128;  // SQLite's unix VFS: UNIX_SHM_DMS, held shared by every open connection
  lk.l_len = 1;
  const bool held = fcntl(fd, F_GETLK, &lk) == 0 && lk.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

std::string findPgTool(const std::string& name) {
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      const std::string p = (dir.empty() ? "." : dir) + "/" + name;
      if (::access(p.c_str(), X_OK) == 0)
        return p;
    }
  }
  glob_t g{};
  std::string best;
  int bestVersion = -1;
  if (::glob(("/usr/lib/postgresql/*/bin/" + name).c_str(), 0, nullptr, &g) == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i) {
      const std::string p = g.gl_pathv[i];
      const int v = std::atoi(p.c_str() + std::strlen("/usr/lib/postgresql/"));
      if (v > bestVersion && ::access(p.c_str(), X_OK) == 0) {
        bestVersion = v;
        best = p;
      }
    }
  }
  globfree(&g);
  return best;
}

Result<StoreFacts> postgresDump(const std::string& conninfo,
                                const std::function<Result<void>(const ByteSource&)>& consume) {
  auto pgDump = tool("pg_dump");
  if (!pgDump.ok())
    return pgDump.error();
  PgConn pg;
  if (auto r = pgConnect(pg, conninfo); !r.ok())
    return r.error();
  auto q = pgQuery(pg.c);
  if (auto r = q("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !r.ok())
    return r.error();
  auto snap = q("SELECT pg_export_snapshot()");
  if (!snap.ok())
    return snap.error();
  auto facts = gatherFacts(q, true, false);
  if (!facts.ok())
    return facts.error();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return Error{"backup.spawn", std::string("pipe: ") + std::strerror(errno), ""};
  }
  auto connection = toolConnection(conninfo);
  if (!connection.ok()) {
    ::close(fds[0]);
    ::close(fds[1]);
    return connection.error();
  }
  auto child =
      spawn({pgDump.value(), "--format=custom", "--no-owner", "--snapshot=" + snap.value()[0][0],
             "--dbname=" + connection.value().conninfo},
            fds[1], connection.value().password);
  ::close(fds[1]);
  if (!child.ok()) {
    ::close(fds[0]);
    return child.error();
  }
  const int readFd = fds[0];
  ByteSource source = [readFd](char* data, std::size_t n) -> Result<std::size_t> {
    for (;;) {
      const ssize_t r = ::read(readFd, data, n);
      if (r >= 0)
        return static_cast<std::size_t>(r);
      if (errno != EINTR)
        return Error{"backup.read", std::string("pg_dump's output: ") + std::strerror(errno), ""};
    }
  };
  auto consumed = consume(source);
  ::close(readFd);  // a consumer that stopped early makes pg_dump end on SIGPIPE
  auto dumped = reap(child.value(), "pg_dump");
  (void)q("COMMIT");
  if (!consumed.ok())
    return consumed.error();
  if (!dumped.ok())
    return dumped.error();
  return facts;
}

Result<StoreFacts> postgresRestoreTest(const std::string& conninfo, const std::string& dumpPath) {
  auto pgRestore = tool("pg_restore");
  if (!pgRestore.ok())
    return pgRestore.error();
  PgConn admin;
  if (auto r = pgConnect(admin, conninfo); !r.ok())
    return r.error();
  auto q = pgQuery(admin.c);
  const std::string scratch = "huitong_restore_test_" + std::to_string(::getpid()) + "_" +
                              std::to_string(std::rand() % 100000);
  if (auto r = q("CREATE DATABASE " + quoteIdent(scratch)); !r.ok()) {
    return Error{"backup.postgres",
                 "the restore test needs a scratch database and could not create one (the store's "
                 "role needs CREATEDB): " +
                     r.error().message,
                 ""};
  }
  auto dropScratch = [&] { (void)q("DROP DATABASE IF EXISTS " + quoteIdent(scratch)); };
  auto target = withDatabase(conninfo, scratch);
  if (!target.ok()) {
    dropScratch();
    return target.error();
  }
  auto scratchTool = toolConnection(target.value());
  if (!scratchTool.ok()) {
    dropScratch();
    return scratchTool.error();
  }
  auto child = spawn({pgRestore.value(), "--no-owner", "--exit-on-error",
                      "--dbname=" + scratchTool.value().conninfo, dumpPath},
                     -1, scratchTool.value().password);
  Result<StoreFacts> facts = Error{"backup.postgres", "pg_restore did not run", ""};
  if (child.ok()) {
    auto restored = reap(child.value(), "pg_restore");
    if (restored.ok()) {
      PgConn scratchConn;
      if (auto r = pgConnect(scratchConn, target.value()); !r.ok()) {
        facts = r.error();
      } else {
        facts = gatherFacts(pgQuery(scratchConn.c), true, true);
      }
    } else {
      facts = restored.error();
    }
  } else {
    facts = child.error();
  }
  dropScratch();
  return facts;
}

Result<void> postgresRestore(const std::string& conninfo, const std::string& dumpPath) {
  auto pgRestore = tool("pg_restore");
  if (!pgRestore.ok())
    return pgRestore.error();
  auto connection = toolConnection(conninfo);
  if (!connection.ok())
    return connection.error();
  auto child =
      spawn({pgRestore.value(), "--no-owner", "--clean", "--if-exists", "--single-transaction",
             "--exit-on-error", "--dbname=" + connection.value().conninfo, dumpPath},
            -1, connection.value().password);
  if (!child.ok())
    return child.error();
  return reap(child.value(), "pg_restore");
}

Result<std::int64_t> postgresGatewaySessions(const std::string& conninfo) {
  PgConn pg;
  if (auto r = pgConnect(pg, conninfo); !r.ok())
    return r.error();
  auto rows = pgQuery(pg.c)(
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
      "pg_backend_pid() AND (application_name = 'huitong' OR (application_name LIKE 'huitong-%' "
      "AND application_name <> 'huitong-backup'))");
  if (!rows.ok())
    return rows.error();
  return static_cast<std::int64_t>(std::atoll(rows.value().at(0).at(0).c_str()));
}

}  // namespace huitong::ops::backup
