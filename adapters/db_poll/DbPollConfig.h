// The db_poll adapter's typed config: read and checked once in create(), immutable afterwards.
// Every identifier that reaches SQL (table, columns) is checked here against a strict pattern,
// so no config value can change the shape of a statement (adapters/db_poll/README.md).
#pragma once

#include <string>
#include <vector>

#include "gateway/core/ConfigNode.h"
#include "gateway/core/Error.h"

namespace huitong::adapters::dbpoll {

enum class Connector { kSqlite, kPostgresql, kMysql };
enum class Mode { kFlag, kWatermark };

struct DbPollConfig {
  Connector connector = Connector::kSqlite;
  std::string connectorName;  // "sqlite", "postgresql", "mysql"
  std::string connection;     // SQLite path (resolved) or the connector's connection string
  std::string table;          // an identifier, optionally schema-qualified
  Mode mode = Mode::kFlag;
  std::string idColumn = "ID";
  std::string flagColumn = "REC_FLAG";
  std::string versionColumn = "VERSION";  // read when present: known-bad rows are (ID, VERSION)
  std::string watermarkColumn;            // watermark mode
  std::vector<std::string> columns;       // empty: all (*)
  std::string stateDir;                   // "" in flag mode: known-bad rows kept in memory only
  int batchRows = 500;
  int flagBatch = 500;  // ids per UPDATE … WHERE ID IN (…)
  long long pollMs = 60000;
  long long maxBackoffMs = 300000;
  // A row refused because its item's filing is not online waits this long before it is
  // submitted again (the department did nothing wrong: it is taken once the item is online).
  long long notOnlineRetryMs = 600000;
  int connectTimeoutS = 10;
};

// True for [A-Za-z_][A-Za-z0-9_]* of at most 63 characters (PostgreSQL's limit).
bool isIdentifier(const std::string& name);

// Reads the adapter block; an Error names the offending key (file:line:column).
Result<DbPollConfig> parseConfig(const ConfigNode& node);

// Whether this build links the connector (MySQL is optional, see cmake/HuitongDependencies.cmake).
bool connectorBuiltIn(Connector c);

}  // namespace huitong::adapters::dbpoll
