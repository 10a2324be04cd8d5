// What db_poll remembers between polls and, given a state_dir, across restarts: the watermark
// (watermark mode) and the rows found invalid, so that a row left unflagged is not submitted
// again on every poll. One JSON file per system, replaced atomically (write, fsync, rename).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/db_poll/FrontEndTable.h"
#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"

namespace huitong::adapters::dbpoll {

struct BadRow {
  std::int64_t id = 0;
  std::string version;
  std::string errors;  // "field code: message; ..."
  EpochMillis at = 0;
};

// A row refused only because its item's filing is not online: submitted again at `retryAt`.
// Its JSON is kept for watermark mode (the table does not offer it again).
struct WaitingRow {
  std::int64_t id = 0;
  std::string version;
  std::string json;
  Watermark mark;
  std::string reason;
  EpochMillis retryAt = 0;
};

class PollState {
 public:
  // `path` "" keeps everything in memory for the process's run.
  explicit PollState(std::string path) : path_(std::move(path)) {}

  // Reads the file when it exists; an unreadable file is an Error (the start is refused
  // rather than silently re-reading from the beginning).
  Result<void> load();
  Result<void> save() const;
  const std::string& path() const { return path_; }

  std::optional<Watermark> watermark;

  bool isKnownBad(std::int64_t id, const std::string& version) const {
    return bad_.count({id, version}) != 0;
  }
  // Keeps at most kMaxBadRows, forgetting the lowest ids first.
  void addBad(BadRow row);
  std::size_t badCount() const { return bad_.size(); }
  // "1009 v1, 1010 v1" of the first `limit` known-bad rows.
  std::string badList(std::size_t limit) const;

  static constexpr std::size_t kMaxBadRows = 100000;

  // Rows waiting for their item to go online (kept in the state file like known-bad rows).
  void addWaiting(WaitingRow row) { waiting_[{row.id, row.version}] = std::move(row); }
  void removeWaiting(std::int64_t id, const std::string& version) { waiting_.erase({id, version}); }
  // Waiting and not yet due at `now`.
  bool isWaiting(std::int64_t id, const std::string& version, EpochMillis now) const {
    const auto it = waiting_.find({id, version});
    return it != waiting_.end() && it->second.retryAt > now;
  }
  bool hasWaiting(std::int64_t id, const std::string& version) const {
    return waiting_.count({id, version}) != 0;
  }
  // Waiting rows due at `now`, in id order.
  std::vector<WaitingRow> dueWaiting(EpochMillis now) const;
  std::size_t waitingCount() const { return waiting_.size(); }

 private:
  std::string path_;
  std::map<std::pair<std::int64_t, std::string>, BadRow> bad_;
  std::map<std::pair<std::int64_t, std::string>, WaitingRow> waiting_;
};

}  // namespace huitong::adapters::dbpoll
