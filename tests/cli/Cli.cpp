#include "tests/cli/Cli.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace huitong::cli::test {

std::filesystem::path huitongBinary() {
  return std::filesystem::path(HUITONG_BINARY_DIR) / "gateway" / "app" / "huitong";
}

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Outcome runHuitong(const std::vector<std::string>& args, const std::string& input,
                   std::chrono::seconds limit) {
  // Output goes to files, not pipes: a child writing megabytes never blocks on us.
  TempDir io;
  const auto in = io.write("stdin", input);
  const auto out = io.path() / "stdout";
  const auto err = io.path() / "stderr";
  const std::string binary = huitongBinary().string();
  std::vector<std::string> argvStore{binary};
  argvStore.insert(argvStore.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argvStore) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw std::runtime_error("cannot start " + binary + ": " + std::strerror(rc));
  }
  Outcome o;
  int status = 0;
  for (;;) {
    const pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      break;
    }
    if (w < 0 && errno != EINTR) {
      throw std::runtime_error("waitpid failed");
    }
    if (std::chrono::steady_clock::now() - start > limit) {
      o.timedOut = true;
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status)) {
    o.exitCode = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    o.signal = WTERMSIG(status);
  }
  o.out = readFile(out);
  o.err = readFile(err);
  return o;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "huitong-cli-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& content) const {
  const auto p = path_ / name;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary);
  f << content;
  return p;
}

boost::test_tools::assertion_result haveShared(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result r(std::filesystem::is_directory(sharedDir()));
  if (!r) {
    r.message() << "skipped: " << sharedDir().string() << " is missing";
  }
  return r;
}

std::string describe(const Outcome& o) {
  std::string s = o.signal != 0
                      ? "signal " + std::to_string(o.signal) + " (" + strsignal(o.signal) + ")"
                      : "exit " + std::to_string(o.exitCode);
  if (o.timedOut) {
    s += ", killed after the time limit";
  }
  return s + ", stderr: " + o.err.substr(0, 600);
}

}  // namespace huitong::cli::test
