// A department's front-end table as db_poll sees it through POCO Data (SQLite, PostgreSQL,
// MySQL): rows read as JSON objects, REC_FLAG set in batched UPDATEs inside one transaction.
// One session; used by the adapter's poll thread only (not thread-safe). Nothing throws: POCO
// exceptions become Errors (codes db.connect, db.query, db.update) with the driver's words.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/db_poll/DbPollConfig.h"
#include "gateway/core/Error.h"

namespace Poco::Data {
class Session;
}

namespace huitong::adapters::dbpoll {

// Where a watermark-mode poll resumes: after (value, id) in ORDER BY watermark, id.
struct Watermark {
  bool integer = true;
  std::int64_t number = 0;
  std::string text;
  std::int64_t id = 0;
  // "1042" or "2026-11-17 10:05:31"
  std::string describe() const { return integer ? std::to_string(number) : text; }
};

struct Row {
  std::string json;        // one JSON object: column names as the driver reports them
  std::int64_t id = 0;     // the id column
  std::string version;     // the version column as text, "" when the table has none
  Watermark mark;          // watermark mode: the row's position
  std::string unreadable;  // why the row cannot be sent (text that is not UTF-8), "" if fine
};

struct RowBatch {
  std::vector<Row> rows;
  double queryMs = 0;
};

class FrontEndTable {
 public:
  explicit FrontEndTable(const DbPollConfig& config);
  ~FrontEndTable();
  FrontEndTable(const FrontEndTable&) = delete;
  FrontEndTable& operator=(const FrontEndTable&) = delete;

  // Registers the POCO connectors once per process (thread-safe).
  static void registerConnectors();

  bool connected() const { return session_ != nullptr; }
  // Opens the session; returns the time it took in ms.
  Result<double> connect();
  void disconnect();

  // Flag mode: at most batchRows rows with flag = 0 and id > afterId (any id when nullopt),
  // in id order.
  Result<RowBatch> unflagged(std::optional<std::int64_t> afterId);
  // Watermark mode: rows after `from` (all when nullopt) in (watermark, id) order.
  Result<RowBatch> after(const std::optional<Watermark>& from);
  // Sets flag = 1 on `ids`: one UPDATE … WHERE id IN (…) per flagBatch ids, one transaction.
  Result<void> flag(const std::vector<std::int64_t>& ids);
  // Rows with flag = 0.
  Result<std::int64_t> countUnflagged();

  // The statements, for the README and the tests.
  std::string selectSql(bool withCursor) const;

 private:
  Result<RowBatch> read(const std::string& sql, const std::optional<Watermark>& from,
                        std::optional<std::int64_t> afterId);
  std::string parameterMarker(int n) const;

  const DbPollConfig& config_;
  std::unique_ptr<Poco::Data::Session> session_;
};

}  // namespace huitong::adapters::dbpoll
