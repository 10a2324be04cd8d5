// Runs the real `huitong` binary for the CLI tests: arguments, standard input, exit status or
// signal, captured output and elapsed time; and temporary folders that clean up after
// themselves. Tests run from the repository root (mappings/... and ../shared/... resolve).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace huitong::cli::test {

// What one run of the binary did.
struct Outcome {
  int exitCode = -1;  // -1 when killed by a signal
  int signal = 0;     // the signal that ended the process, 0 when it exited
  bool timedOut = false;
  std::string out;
  std::string err;
  double seconds = 0;
};

std::filesystem::path huitongBinary();

// Runs `huitong args...` with `input` on standard input; kills it after `limit`.
Outcome runHuitong(const std::vector<std::string>& args, const std::string& input = "",
                   std::chrono::seconds limit = std::chrono::seconds(60));

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to path()/name (creating folders) and returns the full path.
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

std::string readFile(const std::filesystem::path& p);

inline std::filesystem::path sharedDir() {
  return std::filesystem::path(HUITONG_SOURCE_DIR) / ".." / "shared";
}

// Precondition decorator: *boost::unit_test::precondition(haveShared).
boost::test_tools::assertion_result haveShared(boost::unit_test::test_unit_id);

// "exit 2" or "signal 11 (...)", with stderr, for failure messages.
std::string describe(const Outcome& o);

}  // namespace huitong::cli::test
