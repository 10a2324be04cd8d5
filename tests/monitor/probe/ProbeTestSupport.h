// What the probe tests share: a temp folder, the test web application as a child process
// (killed by its pid only), certificates made with OpenSSL at test time (a CA, a leaf it signs,
// a self-signed one, an expired one), and running `huitong` as a child.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace huitong::monitor::probe::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

// tests/monitor/probe/webapp as a process on 127.0.0.1, port 0.
class WebApp {
 public:
  // tlsCert/tlsKey empty: plain http.
  WebApp(const std::filesystem::path& dir, const std::string& tlsCert = "",
         const std::string& tlsKey = "", const std::string& mode = "normal");
  ~WebApp();
  WebApp(const WebApp&) = delete;
  WebApp& operator=(const WebApp&) = delete;
  const std::string& base() const { return base_; }  // "http://127.0.0.1:PORT"
  unsigned port() const { return port_; }
  // POST /_mode?set=MODE (plain http only).
  void setMode(const std::string& mode);

 private:
  pid_t pid_ = -1;
  std::string base_;
  unsigned port_ = 0;
};

// PEM files of a certificate and its key.
struct CertFiles {
  std::string cert, key;
};

// A CA, and leaf certificates for 127.0.0.1 / localhost. Validity in seconds from now.
struct TestPki {
  explicit TestPki(const std::filesystem::path& dir);
  CertFiles ca;
  CertFiles good;        // signed by ca, valid 1 day ago .. 30 days on
  CertFiles selfSigned;  // its own issuer, valid 30 days
  CertFiles expired;     // signed by ca, ended 3 days ago
};

struct CommandResult {
  int exitCode = -1;
  std::string out, err;
};
// Runs `argv` (argv[0] a path) with stdout/stderr captured; waits for it.
CommandResult runCommand(const std::vector<std::string>& argv, const std::filesystem::path& dir);

std::string readFile(const std::filesystem::path& p);

}  // namespace huitong::monitor::probe::testing
