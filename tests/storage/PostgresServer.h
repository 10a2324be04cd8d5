// A throwaway PostgreSQL server for tests: initdb into a temp dir (as the `postgres` user when
// running as root), pg_ctl start on 127.0.0.1 at a free port, stopped and removed at the end.
// Only the server this object started is ever stopped (pg_ctl -D <its dir>).
#pragma once

#include <optional>
#include <string>

namespace huitong::storage::testing {

class PostgresServer {
 public:
  // The folder holding initdb and pg_ctl: $HUITONG_PG_BINDIR, else the newest
  // /usr/lib/postgresql/<n>/bin; nullopt when none is installed.
  static std::optional<std::string> findBinDir();

  // REQUIRES: findBinDir() found one. Throws std::runtime_error when the server cannot start.
  explicit PostgresServer(const std::string& binDir);
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;
  ~PostgresServer();

  int port() const { return port_; }
  // A libpq key/value string for `dbname` as the superuser.
  std::string connection(const std::string& dbname) const;
  // Creates an empty database (CREATE DATABASE over libpq).
  void createDatabase(const std::string& name) const;

  // For the server-went-away tests.
  bool stop();
  bool start();

 private:
  std::string asServerUser(const std::string& command) const;

  std::string binDir_;
  std::string dir_;   // temp dir holding data/, the socket and the log
  std::string user_;  // OS user running the server
  int port_ = 0;
  bool running_ = false;
};

}  // namespace huitong::storage::testing
