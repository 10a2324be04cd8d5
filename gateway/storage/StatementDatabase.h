// One small statement interface over both store backends, for the areas whose few queries are
// written once with PostgreSQL's $n parameters (SQLite reads them as ?n): the sandbox sessions,
// the monitoring results and the fault tickets. Rows come back as text: integers in decimal,
// a SQLite BLOB as its bytes, a PostgreSQL BYTEA as its hex text (fromByteaHex); BLOB/BYTEA
// parameters are sent as binary. Not thread-safe: a store keeps one behind its own mutex.
// Database failures are Error{"store.busy" | "store.constraint" | "store.sql" |
// "store.unavailable" | "store.io"}; nothing throws.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/core/Error.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::storage {

struct SqlParam {
  std::string text;
  bool isInt = false;
  bool isBlob = false;
  std::int64_t integer = 0;
};
SqlParam sqlText(std::string s);
SqlParam sqlInteger(std::int64_t v);
SqlParam sqlBlob(std::string bytes);

using SqlRow = std::vector<std::string>;

class StatementDatabase {
 public:
  virtual ~StatementDatabase() = default;
  virtual Result<std::vector<SqlRow>> run(const std::string& sql,
                                          const std::vector<SqlParam>& params) = 0;
  virtual bool postgres() const = 0;

  // Runs `body` in one transaction (BEGIN IMMEDIATE on SQLite): committed when it returns ok,
  // rolled back when it fails or the commit does.
  Result<void> transaction(const std::function<Result<void>()>& body);

  // The store's database, migrated to the latest schema first (ExchangeStore::migrate):
  // config.kind "sqlite": its path, synchronous=FULL, a busy timeout; else PostgreSQL's
  // connection with application_name huitong-<name>. `purpose` names the area in a connection
  // failure ("the sandbox", "monitoring", "fault tickets").
  static Result<std::unique_ptr<StatementDatabase>> open(const StoreConfig& config,
                                                         const std::string& name,
                                                         const std::string& purpose);
};

// PostgreSQL's text form of a BYTEA ("\x" then two hex digits a byte) back to the bytes; other
// text is returned as it is.
std::string fromByteaHex(const std::string& text);
// A decimal text column as a number (0 when empty).
std::int64_t sqlInt(const std::string& text);

}  // namespace huitong::storage
