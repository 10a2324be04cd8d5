#include "adapters/_template/JsonLinesAdapter.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

namespace huitong::adapters {
namespace {

namespace fs = std::filesystem;
using adapter::LogLevel;
using Outcome = adapter::Submission::Outcome;

constexpr const char* kName = "template_json_lines";

// Everything the adapter needs from its config block, checked once by the factory: nothing
// is re-read or re-checked at run time.
struct JsonLinesConfig {
  std::string path;       // the department's file, appended to one line at a time
  std::string stateFile;  // how far it has been taken: "<offset> <lines>\n"
  std::string errorFile;  // lines the core could not read at all, one JSON object each
  long long pollMillis = 1000;
  long long maxLineBytes = 1024 * 1024;
};

// Where the next line starts.
struct Position {
  std::uint64_t offset = 0;
  std::uint64_t lines = 0;  // lines taken so far; the next one is number lines + 1
};

std::string errnoText() {
  return std::strerror(errno);
}

// Writes `text` so that after a crash the file holds either the old or the new text: a
// temporary file, fsync, rename, fsync of the folder.
Result<void> replaceDurably(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return Error{"io", "cannot write " + tmp + ": " + errnoText(), ""};
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = written && ::fsync(fd) == 0;
  const std::string why = errnoText();
  ::close(fd);
  if (!synced)
    return Error{"io", "cannot write " + tmp + ": " + why, ""};
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return Error{"io", "cannot rename " + tmp + " to " + path + ": " + errnoText(), ""};
  const std::string dir = fs::path(path).parent_path().string();
  const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

Result<void> appendDurably(const std::string& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return Error{"io", "cannot append to " + path + ": " + errnoText(), ""};
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fsync(fd) == 0;
  const std::string why = errnoText();
  ::close(fd);
  if (!ok)
    return Error{"io", "cannot append to " + path + ": " + why, ""};
  return {};
}

bool isBlank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

class JsonLinesAdapter final : public adapter::Adapter {
 public:
  JsonLinesAdapter(std::string system, JsonLinesConfig config, adapter::Host& host)
      : system_(std::move(system)), config_(std::move(config)), host_(host) {}

  ~JsonLinesAdapter() override { stop(); }

  // A damaged state file stops the gateway's start: guessing a position could skip lines.
  Result<void> start() override {
    auto position = readPosition();
    if (!position.ok())
      return position.error();
    position_ = position.value();
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
    return {};
  }

  void stop() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
      thread_.join();
  }

 private:
  Result<Position> readPosition() const {
    std::error_code ec;
    if (!fs::exists(config_.stateFile, ec))
      return Position{};
    std::ifstream in(config_.stateFile);
    Position p;
    if (!(in >> p.offset >> p.lines)) {
      return Error{"adapter.state",
                   "state file " + config_.stateFile + " is damaged; delete it to read " +
                       config_.path +
                       " again from the start (the journal recognises lines it already holds)",
                   ""};
    }
    return p;
  }

  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      // Nothing may escape the thread: an exception here would end the process.
      try {
        pollOnce();
      } catch (const std::exception& e) {
        host_.log(LogLevel::kError, "poll failed", {{"error", e.what()}});
      }
      lock.lock();
      wake_.wait_for(lock, std::chrono::milliseconds(config_.pollMillis),
                     [this] { return stopping_.load(); });
    }
  }

  // Takes every complete line after the saved position. A last line without its newline is
  // still being written: it is left for the next poll.
  void pollOnce() {
    std::error_code ec;
    const std::uint64_t size = fs::file_size(config_.path, ec);
    if (ec) {
      report(false, "file " + config_.path + " cannot be read: " + ec.message(), 0);
      return;
    }
    if (size < position_.offset) {
      host_.log(LogLevel::kWarning,
                "file is shorter than what was taken: reading it from the start",
                {{"file", config_.path},
                 {"size", std::to_string(size)},
                 {"taken_bytes", std::to_string(position_.offset)}});
      if (!advance(Position{}))
        return;
    }
    std::ifstream in(config_.path, std::ios::binary);
    if (!in) {
      report(false, "file " + config_.path + " cannot be opened: " + errnoText(), 0);
      return;
    }
    in.seekg(static_cast<std::streamoff>(position_.offset));
    std::streambuf* buf = in.rdbuf();
    std::string line;
    bool tooLong = false;
    std::uint64_t at = position_.offset;
    for (auto c = buf->sbumpc(); c != std::char_traits<char>::eof(); c = buf->sbumpc()) {
      ++at;
      if (c != '\n') {
        if (line.size() < static_cast<std::size_t>(config_.maxLineBytes))
          line.push_back(static_cast<char>(c));
        else
          tooLong = true;
        continue;
      }
      if (stopping_ || !take(line, tooLong, Position{at, position_.lines + 1}))
        break;
      line.clear();
      tooLong = false;
    }
    report(true, "", size > position_.offset ? size - position_.offset : 0);
  }

  // Offers one line to the core; true when it is settled (journaled, or set aside as
  // unreadable) and the position moved past it, false when it must be offered again later.
  bool take(const std::string& line, bool tooLong, Position next) {
    const std::string number = std::to_string(next.lines);
    if (isBlank(line))
      return advance(next);
    if (tooLong) {
      return setAside(
          next, Error{"line.too_long",
                      "longer than max_line_bytes (" + std::to_string(config_.maxLineBytes) + ")",
                      "line " + number});
    }
    RawMessage m;
    m.system = system_;
    m.adapter = kName;
    m.contentType = "application/json";
    m.charset = "utf-8";
    m.bytes = line;
    m.sourceRef = config_.path + ":" + number;
    m.receivedAt = host_.clock().now();
    const adapter::Submission s = host_.intake().submit(m);
    switch (s.outcome) {
      case Outcome::kAccepted:
        return advance(next);
      case Outcome::kRejected:
        // Journaled: the department learns of it from the status API; nothing to retry.
        host_.log(LogLevel::kWarning, "line rejected: no case event of it is valid",
                  {{"line", number},
                   {"message_id", s.messageId},
                   {"broken_rules", std::to_string(s.rejected.size())}});
        return advance(next);
      case Outcome::kNotOnline:
        // Journaled, and nothing in the line is wrong: its item's filing is not online yet.
        // A real adapter would offer it again later (db_poll keeps such rows waiting).
        host_.log(LogLevel::kWarning, "line of an item not online",
                  {{"line", number},
                   {"message_id", s.messageId},
                   {"detail", adapter::notOnlineDetail(s)}});
        return advance(next);
      case Outcome::kUnreadable:
        return setAside(next, s.error);
      case Outcome::kUnknownSystem:
        host_.log(LogLevel::kError, "the gateway has no mapping for this system; lines wait",
                  {{"line", number}, {"error", s.error.message}});
        return false;
      case Outcome::kStoreFailed:
        break;
    }
    host_.log(LogLevel::kWarning, "journal unavailable; the line is offered again at the next poll",
              {{"line", number}, {"error", s.error.message}});
    return false;
  }

  // An unreadable line is recorded beside the file, then passed: offering it again would
  // only fail again and hold up every line after it.
  bool setAside(Position next, const Error& error) {
    const std::string record = "{\"line\":" + std::to_string(next.lines) +
                               ",\"code\":" + adapter::jsonQuote(error.code) +
                               ",\"message\":" + adapter::jsonQuote(error.message) +
                               ",\"position\":" + adapter::jsonQuote(error.path) + "}\n";
    if (auto r = appendDurably(config_.errorFile, record); !r.ok()) {
      host_.log(LogLevel::kError, "cannot record an unreadable line; it is offered again later",
                {{"error", r.error().message}});
      return false;
    }
    host_.log(LogLevel::kWarning, "line unreadable: set aside",
              {{"line", std::to_string(next.lines)},
               {"code", error.code},
               {"error_file", config_.errorFile}});
    return advance(next);
  }

  // Saved after every settled line. Saving less often would also be safe: a line offered
  // twice after a crash is recognised by the journal and answered as a repeat.
  bool advance(Position next) {
    const std::string text = std::to_string(next.offset) + " " + std::to_string(next.lines) + "\n";
    if (auto r = replaceDurably(config_.stateFile, text); !r.ok()) {
      host_.log(LogLevel::kError, "cannot save how far the file was taken",
                {{"error", r.error().message}});
      return false;
    }
    position_ = next;
    return true;
  }

  void report(bool reachable, std::string detail, std::uint64_t pendingBytes) {
    adapter::SourceStatus s;
    s.reachable = reachable;
    s.detail = std::move(detail);
    s.facts = {{"lines_taken", std::to_string(position_.lines)},
               {"pending_bytes", std::to_string(pendingBytes)}};
    host_.reportSource(s);
  }

  const std::string system_;
  const JsonLinesConfig config_;
  adapter::Host& host_;
  Position position_;  // the poll thread's alone once started
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

class JsonLinesFactory final : public adapter::AdapterFactory {
 public:
  std::string name() const override { return kName; }
  adapter::AdapterKind kind() const override { return adapter::AdapterKind::kPull; }
  std::string summary() const override {
    return "takes one JSON message per line from a file the department appends to (template)";
  }

  Result<std::unique_ptr<adapter::Adapter>> create(
      const adapter::AdapterSpec& spec) const override {
    const ConfigNode& c = spec.config;
    if (auto r =
            c.allowOnly({"kind", "path", "state_file", "error_file", "poll_ms", "max_line_bytes"});
        !r.ok())
      return r.error();
    if (spec.inputFormat != "json") {
      return c.fail("kind", std::string(kName) + " reads JSON lines but the mapping of " +
                                spec.system + " reads " + spec.inputFormat);
    }
    JsonLinesConfig cfg;
    auto path = c.requiredString("path");
    if (!path.ok())
      return path.error();
    cfg.path = c.resolvePath(path.value());
    auto state = c.string("state_file");
    if (!state.ok())
      return state.error();
    cfg.stateFile = state.value().empty() ? cfg.path + ".taken" : c.resolvePath(state.value());
    auto errors = c.string("error_file");
    if (!errors.ok())
      return errors.error();
    cfg.errorFile = errors.value().empty() ? cfg.path + ".errors" : c.resolvePath(errors.value());
    auto poll = c.integer("poll_ms", cfg.pollMillis, 100, 3'600'000);
    if (!poll.ok())
      return poll.error();
    cfg.pollMillis = poll.value();
    auto maxLine = c.integer("max_line_bytes", cfg.maxLineBytes, 1024, 64LL * 1024 * 1024);
    if (!maxLine.ok())
      return maxLine.error();
    cfg.maxLineBytes = maxLine.value();
    if (cfg.stateFile == cfg.path || cfg.errorFile == cfg.path)
      return c.fail("state_file", "state_file and error_file must differ from path");
    return std::unique_ptr<adapter::Adapter>(
        std::make_unique<JsonLinesAdapter>(spec.system, std::move(cfg), *spec.host));
  }
};

}  // namespace

std::unique_ptr<adapter::AdapterFactory> makeJsonLinesFactory() {
  return std::make_unique<JsonLinesFactory>();
}

}  // namespace huitong::adapters
