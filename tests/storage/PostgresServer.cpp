#include "tests/storage/PostgresServer.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace fs = std::filesystem;

namespace huitong::storage::testing {
namespace {

// PostgreSQL has no port 0: take one the kernel hands out, release it, use its number.
int freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    throw std::runtime_error("socket() failed");
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string quote(const std::string& s) {
  return "'" + s + "'";
}

}  // namespace

std::optional<std::string> PostgresServer::findBinDir() {
  if (const char* env = std::getenv("HUITONG_PG_BINDIR"); env != nullptr && *env != '\0') {
    return fs::exists(fs::path(env) / "pg_ctl") ? std::optional<std::string>(env) : std::nullopt;
  }
  std::optional<std::string> best;
  int bestVersion = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const int version = std::atoi(entry.path().filename().c_str());
    if (version > bestVersion && fs::exists(entry.path() / "bin" / "initdb") &&
        fs::exists(entry.path() / "bin" / "pg_ctl")) {
      bestVersion = version;
      best = (entry.path() / "bin").string();
    }
  }
  return best;
}

PostgresServer::PostgresServer(const std::string& binDir) : binDir_(binDir) {
  std::string pattern = (fs::temp_directory_path() / "huitong-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  dir_ = pattern;
  // The server refuses to run as root: then it runs as `postgres`, which must own the dir.
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) {
      fs::remove_all(dir_);
      throw std::runtime_error("running as root and there is no `postgres` user to run the server");
    }
    user_ = "postgres";
    if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      fs::remove_all(dir_);
      throw std::runtime_error("cannot chown " + dir_ + " to postgres");
    }
  }
  port_ = freePort();
  const std::string initdb =
      asServerUser(quote(binDir_ + "/initdb") + " -D " + quote(dir_ + "/data") +
                   " -U postgres --auth=trust --encoding=UTF8 --no-locale --no-sync > " +
                   quote(dir_ + "/initdb.log") + " 2>&1");
  if (std::system(initdb.c_str()) != 0) {
    const std::string log = dir_ + "/initdb.log";
    throw std::runtime_error("initdb failed (see " + log + ")");
  }
  if (!start()) {
    throw std::runtime_error("pg_ctl start failed (see " + dir_ + "/server.log)");
  }
}

PostgresServer::~PostgresServer() {
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PostgresServer::asServerUser(const std::string& command) const {
  if (user_.empty()) {
    return "sh -c " + quote(command);
  }
  // Quoting: command never holds a single quote (temp paths, fixed options).
  return "runuser -u " + user_ + " -- sh -c " + quote(command);
}

bool PostgresServer::start() {
  // Loopback only, the socket in our own dir, fsync on (the store's durability is under test).
  const std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) + " -k " +
                              dir_ + " -c fsync=on -c max_connections=200";
  const std::string cmd = asServerUser(quote(binDir_ + "/pg_ctl") + " -D " + quote(dir_ + "/data") +
                                       " -l " + quote(dir_ + "/server.log") + " -w -t 60 -o \"" +
                                       options + "\" start > /dev/null 2>&1");
  running_ = std::system(cmd.c_str()) == 0;
  return running_;
}

bool PostgresServer::stop() {
  if (!running_) {
    return true;
  }
  // pg_ctl signals the postmaster named in this data dir's postmaster.pid: ours, no other.
  const std::string cmd = asServerUser(quote(binDir_ + "/pg_ctl") + " -D " + quote(dir_ + "/data") +
                                       " -m fast -w -t 60 stop > /dev/null 2>&1");
  running_ = std::system(cmd.c_str()) != 0;
  return !running_;
}

std::string PostgresServer::connection(const std::string& dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + dbname + " user=postgres";
}

void PostgresServer::createDatabase(const std::string& name) const {
  PGconn* conn = PQconnectdb(connection("postgres").c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, ("CREATE DATABASE " + name).c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      error = PQresultErrorMessage(r);
    }
    PQclear(r);
  }
  PQfinish(conn);
  if (!error.empty()) {
    throw std::runtime_error("CREATE DATABASE " + name + ": " + error);
  }
}

}  // namespace huitong::storage::testing
