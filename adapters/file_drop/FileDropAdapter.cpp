#include "adapters/file_drop/FileDropAdapter.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <iconv.h>
#include <poll.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <map>
#include <system_error>
#include <thread>
#include <tuple>

#include "gateway/core/Json.h"

namespace huitong::adapters {
namespace {

namespace fs = std::filesystem;
using adapter::LogLevel;
using Outcome = adapter::Submission::Outcome;
using SteadyTime = std::chrono::steady_clock::time_point;

struct FileDropConfig {
  fs::path folder;
  std::string encoding;  // declared charset of the files; "" = the mapping's own
  std::string pattern;   // fnmatch(3) glob on the file name
  std::string contentType;
  long long pollMs = 1000;
  long long stableMs = 2000;
  fs::path doneDir;
  fs::path errorDir;
  long long maxFileBytes = 64LL * 1024 * 1024;
};

// One version of one file: rewriting or replacing it changes at least one member.
struct FileIdentity {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  long long mtimeNs = 0;
  bool operator==(const FileIdentity& o) const {
    return dev == o.dev && ino == o.ino && size == o.size && mtimeNs == o.mtimeNs;
  }
  bool operator!=(const FileIdentity& o) const { return !(*this == o); }
};

FileIdentity identityOf(const struct stat& st) {
  return FileIdentity{
      st.st_dev, st.st_ino, st.st_size,
      static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec};
}

long long wallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string errnoText(int e) {
  return std::error_code(e, std::generic_category()).message();
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Names a writer uses while a file is not finished, whatever the pattern says.
bool isTemporaryName(const std::string& name) {
  return name.empty() || name[0] == '.' || endsWith(name, ".tmp") || endsWith(name, ".part") ||
         endsWith(name, ".partial") || endsWith(name, ".error.json");
}

struct ReadResult {
  enum class Status { kRead, kVanished, kChanged, kTooLarge, kFailed };
  Status status = Status::kFailed;
  std::string bytes;
  std::string error;
  FileIdentity identity;
};

// Reads the whole file and checks that it stayed the same file, unchanged, while it was read.
ReadResult readWhole(const fs::path& path, long long maxBytes) {
  ReadResult r;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    r.status = errno == ENOENT ? ReadResult::Status::kVanished : ReadResult::Status::kFailed;
    r.error = errnoText(errno);
    return r;
  }
  struct stat before {};
  struct stat after {};
  if (::fstat(fd, &before) != 0) {
    r.error = errnoText(errno);
    ::close(fd);
    return r;
  }
  r.identity = identityOf(before);
  if (before.st_size > maxBytes) {
    ::close(fd);
    r.status = ReadResult::Status::kTooLarge;
    r.error = "the file has " + std::to_string(before.st_size) + " bytes; max_file_bytes is " +
              std::to_string(maxBytes);
    return r;
  }
  // One byte more than announced tells a file that grows while it is read.
  r.bytes.resize(static_cast<std::size_t>(before.st_size) + 1);
  std::size_t got = 0;
  for (;;) {
    const ssize_t n = ::read(fd, r.bytes.data() + got, r.bytes.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      r.error = errnoText(errno);
      ::close(fd);
      return r;
    }
    if (n == 0)
      break;
    got += static_cast<std::size_t>(n);
    if (got == r.bytes.size())
      break;
  }
  const bool statOk = ::fstat(fd, &after) == 0;
  ::close(fd);
  r.bytes.resize(std::min(got, static_cast<std::size_t>(before.st_size)));
  struct stat now {};
  if (::stat(path.c_str(), &now) != 0) {
    r.status = ReadResult::Status::kVanished;
    r.error = errnoText(errno);
    return r;
  }
  if (!statOk || got != static_cast<std::size_t>(before.st_size) ||
      identityOf(after) != r.identity || identityOf(now) != r.identity) {
    r.status = ReadResult::Status::kChanged;
    r.error = "size or modification time changed while the file was read";
    return r;
  }
  r.status = ReadResult::Status::kRead;
  return r;
}

// Renames `from` to `to` unless `to` exists; false with EEXIST when it does.
bool renameNoReplace(const fs::path& from, const fs::path& to, int& err) {
#ifdef RENAME_NOREPLACE
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
    return true;
  if (errno != EINVAL && errno != ENOSYS) {
    err = errno;
    return false;
  }
#endif
  // File systems without RENAME_NOREPLACE: a hard link never replaces either.
  if (::link(from.c_str(), to.c_str()) == 0) {
    ::unlink(from.c_str());
    return true;
  }
  if (errno == EEXIST) {
    err = EEXIST;
    return false;
  }
  struct stat st {};
  if (::lstat(to.c_str(), &st) == 0) {
    err = EEXIST;
    return false;
  }
  if (::rename(from.c_str(), to.c_str()) == 0)
    return true;
  err = errno;
  return false;
}

// "DB_1.csv", 3 -> "DB_1.3.csv": a second file of the same name is kept beside the first.
std::string numberedName(const std::string& name, int n) {
  if (n <= 1)
    return name;
  const auto dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0)
    return name + "." + std::to_string(n);
  return name.substr(0, dot) + "." + std::to_string(n) + name.substr(dot);
}

// Writes `text` to `path` through a temporary name, so that a reader never sees half of it.
Result<void> writeAtomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.parent_path() / ("." + path.filename().string() + ".tmp");
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return Error{"file_drop.report", "cannot write " + tmp.string() + ": " + errnoText(errno), ""};
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Error{"file_drop.report", "cannot write " + tmp.string() + ": " + errnoText(e), ""};
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return Error{"file_drop.report", "cannot write " + path.string() + ": " + errnoText(e), ""};
  }
  return {};
}

// "line 7" / "line 7, byte offset 120" -> 7; 0 when the position names no line.
std::size_t lineOf(const std::string& position) {
  const auto at = position.find("line ");
  if (at == std::string::npos)
    return 0;
  std::size_t line = 0;
  for (std::size_t i = at + 5;
       i < position.size() && std::isdigit(static_cast<unsigned char>(position[i])); ++i)
    line = line * 10 + static_cast<std::size_t>(position[i] - '0');
  return line;
}

std::string outcomeName(Outcome o) {
  switch (o) {
    case Outcome::kAccepted:
      return "accepted";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kNotOnline:
      return "not_online";
    case Outcome::kUnreadable:
      return "unreadable";
    case Outcome::kUnknownSystem:
      return "unknown_system";
    case Outcome::kStoreFailed:
      return "store_failed";
  }
  return "unknown";
}

// A file whose fate is decided: where it goes and the report that goes beside it ("" = none).
struct Disposition {
  fs::path dir;
  std::string report;
  FileIdentity identity;
  std::string messageId;
};

class FileDropAdapter final : public adapter::Adapter {
 public:
  FileDropAdapter(std::string system, FileDropConfig config, adapter::Host& host)
      : system_(std::move(system)), config_(std::move(config)), host_(host) {}

  ~FileDropAdapter() override { stop(); }

  Result<void> start() override {
    if (thread_.joinable())
      return {};
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0)
      return Error{"file_drop.start", "cannot create the wake-up pipe: " + errnoText(errno), ""};
#ifdef __linux__
    // Renames into the folder are seen at once; without inotify (other systems, exhausted
    // watches) the folder is only polled.
    inotify_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
#endif
    stopping_ = false;
    host_.log(LogLevel::kInfo, "watching folder",
              {{"folder", config_.folder.string()},
               {"pattern", config_.pattern},
               {"done_dir", config_.doneDir.string()},
               {"error_dir", config_.errorDir.string()}});
    thread_ = std::thread([this] { run(); });
    return {};
  }

  void stop() override {
    if (!thread_.joinable())
      return;
    stopping_ = true;
    const char c = 's';
    [[maybe_unused]] const ssize_t n = ::write(wake_[1], &c, 1);
    thread_.join();
    for (int* fd : {&wake_[0], &wake_[1], &inotify_}) {
      if (*fd >= 0)
        ::close(*fd);
      *fd = -1;
    }
    watch_ = -1;
  }

 private:
  void run() {
    while (!stopping_) {
      try {
        scan();
      } catch (const std::exception& e) {
        // Nothing of ours throws on purpose; a bad_alloc on a huge file must not end the thread.
        host_.log(LogLevel::kError, "folder scan failed", {{"error", e.what()}});
      }
      waitForWork();
    }
  }

  // Sleeps up to poll_ms; returns early on stop() or when a file is renamed into the folder.
  void waitForWork() {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.pollMs);
    while (!stopping_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            until - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0)
        return;
      pollfd fds[2] = {{wake_[0], POLLIN, 0}, {inotify_, POLLIN, 0}};
      const int n = ::poll(fds, inotify_ >= 0 ? 2 : 1, static_cast<int>(left));
      if (n < 0 && errno != EINTR)
        return;
      if (n > 0 && (fds[1].revents & POLLIN) && readRenames())
        return;
      if (n > 0 && (fds[0].revents & POLLIN))
        return;
    }
  }

  // Drains inotify; true when a file was renamed into the folder.
  bool readRenames() {
    bool any = false;
#ifdef __linux__
    alignas(struct inotify_event) char buf[8192];
    for (;;) {
      const ssize_t n = ::read(inotify_, buf, sizeof buf);
      if (n <= 0)
        break;
      for (ssize_t at = 0; at < n;) {
        const auto* ev = reinterpret_cast<const struct inotify_event*>(buf + at);
        at += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
        if (ev->mask & IN_IGNORED) {
          watch_ = -1;
          continue;
        }
        if (!(ev->mask & IN_MOVED_TO) || ev->len == 0)
          continue;
        const std::string name(ev->name);
        struct stat st {};
        if (::lstat((config_.folder / name).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
          movedIn_[name] = identityOf(st);
          any = true;
        }
      }
    }
#endif
    return any;
  }

  void watchFolder() {
#ifdef __linux__
    if (inotify_ >= 0 && watch_ < 0)
      watch_ = ::inotify_add_watch(inotify_, config_.folder.c_str(), IN_MOVED_TO | IN_ONLYDIR);
#endif
  }

  bool candidate(const std::string& name) const {
    return !isTemporaryName(name) &&
           ::fnmatch(config_.pattern.c_str(), name.c_str(), FNM_PERIOD) == 0;
  }

  // Complete when renamed in (inotify saw it arrive, unchanged since), or when neither size
  // nor modification time changed for stable_ms: by the file's own time, or, for a file
  // dated in the future (another machine's clock), by what this adapter observed.
  bool complete(const std::string& name, const FileIdentity& id, SteadyTime now) {
    if (auto m = movedIn_.find(name); m != movedIn_.end() && m->second == id)
      return true;
    auto [it, fresh] = seen_.try_emplace(name, Sighting{id, now});
    if (!fresh && it->second.identity != id)
      it->second = Sighting{id, now};
    const long long ageMs = (wallNowNs() - id.mtimeNs) / 1'000'000;
    const auto observedMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(now - it->second.since).count();
    return ageMs >= config_.stableMs || observedMs >= config_.stableMs;
  }

  // Creates done/ and error/; an Error says why the folder cannot be worked.
  Result<void> prepareFolder() {
    struct stat st {};
    if (::stat(config_.folder.c_str(), &st) != 0) {
      return Error{"file_drop.folder",
                   "folder " + config_.folder.string() + " not reachable: " + errnoText(errno), ""};
    }
    if (!S_ISDIR(st.st_mode))
      return Error{"file_drop.folder", config_.folder.string() + " is not a folder", ""};
    if (::access(config_.folder.c_str(), R_OK | W_OK | X_OK) != 0) {
      return Error{
          "file_drop.folder",
          "folder " + config_.folder.string() + " not readable and writable: " + errnoText(errno),
          ""};
    }
    for (const fs::path& dir : {config_.doneDir, config_.errorDir}) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec) {
        return Error{"file_drop.folder", "cannot create " + dir.string() + ": " + ec.message(), ""};
      }
    }
    return {};
  }

  void scan() {
    if (auto ready = prepareFolder(); !ready.ok()) {
      lastError_ = ready.error().message;
      report(false, ready.error().message, {});
      watch_ = -1;
      return;
    }
    watchFolder();
    std::vector<std::pair<std::string, FileIdentity>> files;
    std::error_code ec;
    for (fs::directory_iterator it(config_.folder, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!candidate(name))
        continue;
      struct stat st {};
      if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        continue;
      files.emplace_back(name, identityOf(st));
    }
    if (ec) {
      lastError_ = "cannot list folder " + config_.folder.string() + ": " + ec.message();
      report(false, lastError_, {});
      return;
    }
    // Name order: a department's files are named by their business day (DB_YYYYMMDD.csv).
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    forgetAbsent(files);

    std::vector<std::pair<std::string, FileIdentity>> left;
    const SteadyTime now = std::chrono::steady_clock::now();
    for (const auto& [name, id] : files) {
      if (stopping_ || !complete(name, id, now) || !take(name, id))
        left.emplace_back(name, id);
    }
    // last_error describes a problem that still stands, not one long solved.
    if (problems_.empty())
      lastError_.clear();
    report(true, "watching " + config_.folder.string(), left);
  }

  void forgetAbsent(const std::vector<std::pair<std::string, FileIdentity>>& files) {
    auto present = [&files](const std::string& n) {
      return std::binary_search(files.begin(), files.end(), std::make_pair(n, FileIdentity{}),
                                [](const auto& a, const auto& b) { return a.first < b.first; });
    };
    for (auto it = seen_.begin(); it != seen_.end();)
      it = present(it->first) ? std::next(it) : seen_.erase(it);
    for (auto it = movedIn_.begin(); it != movedIn_.end();)
      it = present(it->first) ? std::next(it) : movedIn_.erase(it);
    for (auto it = problems_.begin(); it != problems_.end();)
      it = present(it->first) ? std::next(it) : problems_.erase(it);
    for (auto it = decided_.begin(); it != decided_.end();)
      it = present(it->first) ? std::next(it) : decided_.erase(it);
  }

  // Logs a problem with one file once (not on every poll), and keeps it for the health view.
  void problem(const std::string& name, LogLevel level, const std::string& message,
               const std::string& detail) {
    lastError_ = name + ": " + message + (detail.empty() ? "" : ": " + detail);
    auto& last = problems_[name];
    if (last == message + detail)
      return;
    last = message + detail;
    host_.log(level, message, {{"file", name}, {"detail", detail}});
  }

  // Reads, submits and moves one complete file; false when it stays in the folder.
  bool take(const std::string& name, const FileIdentity& seen) {
    const fs::path path = config_.folder / name;
    // Journaled before, but the move failed: only the move is tried again.
    if (auto d = decided_.find(name); d != decided_.end()) {
      if (d->second.identity == seen)
        return finish(name, d->second);
      decided_.erase(d);
    }
    ReadResult r = readWhole(path, config_.maxFileBytes);
    switch (r.status) {
      case ReadResult::Status::kRead:
        break;
      case ReadResult::Status::kVanished:
        host_.log(LogLevel::kWarning, "file vanished before it was read", {{"file", name}});
        return true;
      case ReadResult::Status::kChanged:
        seen_.erase(name);
        movedIn_.erase(name);
        problem(name, LogLevel::kWarning, "file changed while it was read; taken once stable",
                r.error);
        return false;
      case ReadResult::Status::kFailed:
        problem(name, LogLevel::kError, "cannot read file", r.error);
        return false;
      case ReadResult::Status::kTooLarge: {
        Disposition d{config_.errorDir, "", r.identity, ""};
        d.report =
            reportJson(name, "too_large", nullptr, Error{"file_drop.too_large", r.error, ""});
        return finish(name, d);
      }
    }

    RawMessage m;
    m.system = system_;
    m.adapter = "file_drop";
    m.contentType = config_.contentType;
    m.charset = config_.encoding;
    m.bytes = std::move(r.bytes);
    m.sourceRef = name;
    m.receivedAt = host_.clock().now();
    const adapter::Submission s = host_.intake().submit(m);

    Disposition d{config_.doneDir, "", r.identity, s.messageId};
    switch (s.outcome) {
      case Outcome::kAccepted:
        if (!s.rejected.empty())
          d.report = reportJson(name, "partly_rejected", &s, s.error);
        break;
      case Outcome::kRejected:
        // No event and no broken rule: a file with no rows (an empty night, "合计,0") is done.
        if (s.rejected.empty())
          break;
        d.dir = config_.errorDir;
        d.report = reportJson(name, "rejected", &s, s.error);
        break;
      case Outcome::kNotOnline:
        // Every row is of an item whose filing is not online: nothing in the file is wrong.
        // The report says so; the file is put back in the folder once the item is online.
        d.dir = config_.errorDir;
        d.report = reportJson(
            name, "not_online", &s,
            Error{"filing.not_online",
                  adapter::notOnlineDetail(s) + ": put the file back in the folder then", ""});
        break;
      case Outcome::kUnreadable:
        d.dir = config_.errorDir;
        d.report = reportJson(name, "unreadable", &s, s.error);
        break;
      case Outcome::kUnknownSystem:
      case Outcome::kStoreFailed:
        // Nothing was journaled: the file stays and is offered again next round.
        problem(name, LogLevel::kError,
                s.outcome == Outcome::kStoreFailed
                    ? "journal unavailable; file left in the folder for the next round"
                    : "the gateway takes no production files of this system (unknown, or no "
                      "published mapping yet); file left in the folder",
                s.error.describe());
        return false;
    }
    host_.log(s.outcome == Outcome::kAccepted && s.rejected.empty() ? LogLevel::kInfo
                                                                    : LogLevel::kWarning,
              "file taken",
              {{"file", name},
               {"outcome", outcomeName(s.outcome)},
               {"message_id", s.messageId},
               {"repeated", s.repeated ? "true" : "false"},
               {"events", std::to_string(s.eventIds.size())},
               {"broken_rules", std::to_string(s.rejected.size())},
               {"error", s.error.describe()}});
    return finish(name, d);
  }

  // Moves the file beside its report (written first, so a file in done/ or error/ always has
  // its report); keeps a second file of the same name as name.2.ext. False: the file stays
  // and only the move is tried again next round.
  bool finish(const std::string& name, const Disposition& d) {
    const fs::path from = config_.folder / name;
    struct stat st {};
    if (::lstat(from.c_str(), &st) != 0) {
      decided_.erase(name);
      return true;
    }
    if (identityOf(st) != d.identity) {
      // Replaced between read and move: the new content is a new file, read next round.
      decided_.erase(name);
      problem(name, LogLevel::kWarning, "file replaced after it was read; the new one is read next",
              "");
      return false;
    }
    int err = 0;
    for (int n = 1; n <= 1000; ++n) {
      const std::string target = numberedName(name, n);
      struct stat existing {};
      if (::lstat((d.dir / target).c_str(), &existing) == 0)
        continue;
      if (!d.report.empty()) {
        if (auto w = writeAtomically(d.dir / (target + ".error.json"), d.report); !w.ok()) {
          decided_[name] = d;
          problem(name, LogLevel::kError, "cannot write the error report", w.error().message);
          return false;
        }
      }
      if (renameNoReplace(from, d.dir / target, err)) {
        struct stat moved {};
        if (::lstat((d.dir / target).c_str(), &moved) == 0 && identityOf(moved) != d.identity) {
          // Replaced in the instant between the check above and the rename: that file was
          // never read, so it goes back to be taken next round.
          int back = 0;
          renameNoReplace(d.dir / target, from, back);
          ::unlink((d.dir / (target + ".error.json")).c_str());
          decided_.erase(name);
          problem(name, LogLevel::kWarning,
                  "file replaced after it was read; the new one is read next", "");
          return false;
        }
        decided_.erase(name);
        problems_.erase(name);
        if (d.dir == config_.errorDir)
          ++toError_;
        else
          ++taken_;
        if (target != name) {
          host_.log(LogLevel::kInfo, "a file of that name was taken before; kept as " + target,
                    {{"file", name}, {"moved_to", (d.dir / target).string()}});
        }
        return true;
      }
      if (!d.report.empty())
        ::unlink((d.dir / (target + ".error.json")).c_str());
      if (err != EEXIST)
        break;
    }
    decided_[name] = d;
    problem(name, LogLevel::kError, "cannot move file to " + d.dir.string(),
            err ? errnoText(err) : "every numbered name is taken");
    return false;
  }

  std::string reportJson(const std::string& name, const std::string& outcome,
                         const adapter::Submission* s, const Error& error) const {
    rapidjson::Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    doc.AddMember("file", json::string(name, a), a);
    doc.AddMember("system", json::string(system_, a), a);
    doc.AddMember("outcome", json::string(outcome, a), a);
    doc.AddMember("taken_at", json::string(formatRfc3339(host_.clock().now()), a), a);
    if (s && !s->messageId.empty()) {
      doc.AddMember("message_id", json::string(s->messageId, a), a);
      doc.AddMember("repeated", s->repeated, a);
    }
    if (s && s->durable())
      doc.AddMember("events", static_cast<uint64_t>(s->eventIds.size()), a);
    if (!error.code.empty() || !error.message.empty()) {
      rapidjson::Value e(rapidjson::kObjectType);
      e.AddMember("code", json::string(error.code, a), a);
      e.AddMember("message", json::string(error.message, a), a);
      e.AddMember("position", json::string(error.path, a), a);
      if (const std::size_t line = lineOf(error.path))
        e.AddMember("line", static_cast<uint64_t>(line), a);
      doc.AddMember("error", e, a);
    }
    rapidjson::Value rows(rapidjson::kArrayType);
    if (s) {
      for (const auto& r : s->rejected) {
        rapidjson::Value v(rapidjson::kObjectType);
        v.AddMember("line", static_cast<uint64_t>(r.line), a);
        v.AddMember("record", json::string(r.record, a), a);
        v.AddMember("field", json::string(r.field, a), a);
        v.AddMember("code", json::string(r.code, a), a);
        v.AddMember("source_path", json::string(r.sourcePath, a), a);
        v.AddMember("message", json::string(r.message, a), a);
        rows.PushBack(v, a);
      }
    }
    doc.AddMember("rejected", rows, a);
    return json::writePretty(doc) + "\n";
  }

  void report(bool reachable, const std::string& detail,
              const std::vector<std::pair<std::string, FileIdentity>>& left) {
    adapter::SourceStatus st;
    st.reachable = reachable;
    st.detail = detail;
    long long oldestNs = 0;
    const long long now = wallNowNs();
    for (const auto& f : left)
      oldestNs = std::max(oldestNs, now - f.second.mtimeNs);
    st.facts = {{"pending_files", std::to_string(left.size())},
                {"oldest_file_age_s", std::to_string(oldestNs / 1'000'000'000LL)},
                {"files_taken", std::to_string(taken_)},
                {"files_to_error", std::to_string(toError_)},
                {"files_with_problems", std::to_string(problems_.size())}};
    if (!lastError_.empty())
      st.facts.emplace_back("last_error", lastError_);
    if (reachable != lastReachable_ || detail != lastDetail_) {
      if (!reachable)
        host_.log(LogLevel::kError, "folder not usable; retried every poll", {{"detail", detail}});
      lastReachable_ = reachable;
      lastDetail_ = detail;
    }
    host_.reportSource(st);
  }

  struct Sighting {
    FileIdentity identity;
    SteadyTime since;
  };

  std::string system_;
  FileDropConfig config_;
  adapter::Host& host_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  int wake_[2] = {-1, -1};
  int inotify_ = -1;
  int watch_ = -1;
  // Worker thread only:
  std::map<std::string, Sighting> seen_;
  std::map<std::string, FileIdentity> movedIn_;
  std::map<std::string, std::string> problems_;
  std::map<std::string, Disposition> decided_;
  std::string lastError_;
  bool lastReachable_ = true;
  std::string lastDetail_;
  std::uint64_t taken_ = 0;
  std::uint64_t toError_ = 0;
};

class FileDropFactory final : public adapter::AdapterFactory {
 public:
  std::string name() const override { return "file_drop"; }
  adapter::AdapterKind kind() const override { return adapter::AdapterKind::kPull; }
  std::string summary() const override {
    return "takes complete files a department drops into a folder; moves them to done/ or "
           "error/ after the journal commit";
  }

  Result<std::unique_ptr<adapter::Adapter>> create(
      const adapter::AdapterSpec& spec) const override {
    const ConfigNode& c = spec.config;
    if (auto r = c.allowOnly({"kind", "folder", "encoding", "pattern", "poll_ms", "stable_ms",
                              "done_dir", "error_dir", "max_file_bytes"});
        !r.ok())
      return r.error();
    static const std::map<std::string, std::pair<std::string, std::string>> kByFormat = {
        {"csv", {"*.csv", "text/csv"}},
        {"json", {"*.json", "application/json"}},
        {"xml", {"*.xml", "application/xml"}}};
    const auto format = kByFormat.find(spec.inputFormat);
    if (format == kByFormat.end()) {
      return c.fail("kind", "file_drop takes files of CSV, JSON or XML; the mapping of " +
                                spec.system + " reads " + spec.inputFormat);
    }
    FileDropConfig cfg;
    auto folder = c.requiredString("folder");
    if (!folder.ok())
      return folder.error();
    if (folder.value().empty())
      return c.fail("folder", "folder names the folder the department drops its files into");
    cfg.folder = fs::path(c.resolvePath(folder.value())).lexically_normal();

    auto encoding = c.string("encoding");
    if (!encoding.ok())
      return encoding.error();
    cfg.encoding = encoding.value();
    if (!cfg.encoding.empty()) {
      iconv_t cd = ::iconv_open("UTF-8", cfg.encoding.c_str());
      if (cd == reinterpret_cast<iconv_t>(-1))
        return c.fail("encoding",
                      "unknown character set '" + cfg.encoding + "' (GB18030, UTF-8, ...)");
      ::iconv_close(cd);
    }
    cfg.contentType = format->second.second +
                      (cfg.encoding.empty() ? std::string() : "; charset=" + cfg.encoding);

    auto pattern = c.string("pattern", format->second.first);
    if (!pattern.ok())
      return pattern.error();
    cfg.pattern = pattern.value();
    if (cfg.pattern.empty() || cfg.pattern.find('/') != std::string::npos)
      return c.fail("pattern", "pattern is a file-name glob such as \"*.csv\" (no '/')");

    auto pollMs = c.integer("poll_ms", 1000, 20, 3'600'000);
    if (!pollMs.ok())
      return pollMs.error();
    cfg.pollMs = pollMs.value();
    auto stableMs = c.integer("stable_ms", 2000, 0, 3'600'000);
    if (!stableMs.ok())
      return stableMs.error();
    cfg.stableMs = stableMs.value();
    auto maxBytes = c.integer("max_file_bytes", 64LL * 1024 * 1024, 1, 1024LL * 1024 * 1024);
    if (!maxBytes.ok())
      return maxBytes.error();
    cfg.maxFileBytes = maxBytes.value();

    for (const auto& [key, fallback, out] :
         {std::tuple<const char*, const char*, fs::path*>{"done_dir", "done", &cfg.doneDir},
          std::tuple<const char*, const char*, fs::path*>{"error_dir", "error", &cfg.errorDir}}) {
      auto dir = c.string(key);
      if (!dir.ok())
        return dir.error();
      *out = dir.value().empty() ? cfg.folder / fallback
                                 : fs::path(c.resolvePath(dir.value())).lexically_normal();
      if (*out == cfg.folder)
        return c.fail(key, std::string(key) + " must differ from folder");
    }
    if (cfg.doneDir == cfg.errorDir)
      return c.fail("error_dir", "error_dir must differ from done_dir");
    return std::unique_ptr<adapter::Adapter>(
        std::make_unique<FileDropAdapter>(spec.system, std::move(cfg), *spec.host));
  }
};

}  // namespace

std::unique_ptr<adapter::AdapterFactory> makeFileDropFactory() {
  return std::make_unique<FileDropFactory>();
}

}  // namespace huitong::adapters
