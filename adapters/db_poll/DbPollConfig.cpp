#include "adapters/db_poll/DbPollConfig.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace huitong::adapters::dbpoll {
namespace {

bool sameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Result<std::string> identifier(const ConfigNode& node, const std::string& key,
                               const std::string& fallback) {
  auto v = node.string(key, fallback);
  if (!v.ok())
    return v.error();
  if (!isIdentifier(v.value())) {
    return node.fail(key, key + " must be a column name of letters, digits and _ (got '" +
                              v.value().substr(0, 80) + "')");
  }
  return v.value();
}

std::string trimmed(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  const auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

bool isIdentifier(const std::string& name) {
  if (name.empty() || name.size() > 63)
    return false;
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool connectorBuiltIn(Connector c) {
#ifdef HUITONG_DB_POLL_MYSQL
  (void)c;
  return true;
#else
  return c != Connector::kMysql;
#endif
}

Result<DbPollConfig> parseConfig(const ConfigNode& node) {
  if (auto r =
          node.allowOnly({"kind", "connector", "connection", "connection_file", "table", "mode",
                          "id_column", "flag_column", "version_column", "watermark_column",
                          "columns", "state_dir", "batch_rows", "flag_batch", "poll_ms",
                          "max_backoff_ms", "connect_timeout_s", "not_online_retry_ms"});
      !r.ok())
    return r.error();
  DbPollConfig c;

  auto connector = node.oneOf("connector", {"sqlite", "postgresql", "mysql"}, "");
  if (!connector.ok())
    return connector.error();
  if (connector.value().empty())
    return node.fail("connector", "connector is required: sqlite, postgresql or mysql");
  c.connectorName = connector.value();
  c.connector = c.connectorName == "sqlite"       ? Connector::kSqlite
                : c.connectorName == "postgresql" ? Connector::kPostgresql
                                                  : Connector::kMysql;
  if (!connectorBuiltIn(c.connector)) {
    return node.fail("connector",
                     "this build has no MySQL connector (POCO DataMySQL and libmariadb-dev were "
                     "not found when it was configured)");
  }

  // The connection string may hold a password: it can live in a file readable by the gateway
  // only, outside the config that is checked in.
  const bool inline_ = node.has("connection");
  const bool fromFile = node.has("connection_file");
  if (inline_ == fromFile)
    return node.fail("connection", "give exactly one of connection and connection_file");
  if (inline_) {
    auto v = node.requiredString("connection");
    if (!v.ok())
      return v.error();
    c.connection = v.value();
  } else {
    auto v = node.requiredString("connection_file");
    if (!v.ok())
      return v.error();
    const std::string path = node.resolvePath(v.value());
    std::ifstream in(path, std::ios::binary);
    if (!in)
      return node.fail("connection_file", "cannot read connection_file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    c.connection = trimmed(text.str());
  }
  if (c.connection.empty())
    return node.fail(inline_ ? "connection" : "connection_file", "the connection is empty");
  if (c.connector == Connector::kSqlite)
    c.connection = node.resolvePath(c.connection);

  auto table = node.requiredString("table");
  if (!table.ok())
    return table.error();
  c.table = table.value();
  {
    const auto dot = c.table.find('.');
    const bool ok = dot == std::string::npos ? isIdentifier(c.table)
                                             : isIdentifier(c.table.substr(0, dot)) &&
                                                   isIdentifier(c.table.substr(dot + 1));
    if (!ok) {
      return node.fail("table",
                       "table must be a name of letters, digits and _ (optionally "
                       "schema.table); got '" +
                           c.table.substr(0, 80) + "'");
    }
  }

  auto mode = node.oneOf("mode", {"flag", "watermark"}, "flag");
  if (!mode.ok())
    return mode.error();
  c.mode = mode.value() == "flag" ? Mode::kFlag : Mode::kWatermark;

  for (auto [key, target, fallback] : {std::tuple{"id_column", &c.idColumn, "ID"},
                                       std::tuple{"flag_column", &c.flagColumn, "REC_FLAG"},
                                       std::tuple{"version_column", &c.versionColumn, "VERSION"}}) {
    auto v = identifier(node, key, fallback);
    if (!v.ok())
      return v.error();
    *target = v.value();
  }
  if (c.mode == Mode::kFlag && node.has("watermark_column"))
    return node.fail("watermark_column", "watermark_column belongs to mode \"watermark\"");
  if (c.mode == Mode::kWatermark) {
    if (node.has("flag_column"))
      return node.fail("flag_column", "flag_column belongs to mode \"flag\"");
    if (!node.has("watermark_column"))
      return node.fail("watermark_column", "mode \"watermark\" needs watermark_column");
    auto v = identifier(node, "watermark_column", "");
    if (!v.ok())
      return v.error();
    c.watermarkColumn = v.value();
  }

  auto columns = node.strings("columns");
  if (!columns.ok())
    return columns.error();
  for (const auto& col : columns.value()) {
    if (!isIdentifier(col))
      return node.fail("columns", "columns are names of letters, digits and _ (got '" +
                                      col.substr(0, 80) + "')");
  }
  c.columns = columns.value();
  if (!c.columns.empty()) {
    std::vector<std::string> needed{c.idColumn};
    if (c.mode == Mode::kWatermark)
      needed.push_back(c.watermarkColumn);
    for (const auto& n : needed) {
      if (std::none_of(c.columns.begin(), c.columns.end(),
                       [&](const std::string& col) { return sameName(col, n); }))
        return node.fail("columns", "columns must include " + n);
    }
  }

  auto stateDir = node.string("state_dir", "");
  if (!stateDir.ok())
    return stateDir.error();
  if (!stateDir.value().empty())
    c.stateDir = node.resolvePath(stateDir.value());
  if (c.mode == Mode::kWatermark && c.stateDir.empty()) {
    return node.fail("state_dir",
                     "mode \"watermark\" keeps its watermark in a file: state_dir "
                     "is required (the department's database is not written)");
  }

  auto batch = node.integer("batch_rows", 500, 1, 10000);
  if (!batch.ok())
    return batch.error();
  c.batchRows = static_cast<int>(batch.value());
  auto flagBatch = node.integer("flag_batch", 500, 1, 1000);
  if (!flagBatch.ok())
    return flagBatch.error();
  c.flagBatch = static_cast<int>(flagBatch.value());
  auto poll = node.integer("poll_ms", 60000, 10, 86'400'000);
  if (!poll.ok())
    return poll.error();
  c.pollMs = poll.value();
  auto backoff =
      node.integer("max_backoff_ms", std::max<long long>(300000, c.pollMs), c.pollMs, 86'400'000);
  if (!backoff.ok())
    return backoff.error();
  c.maxBackoffMs = backoff.value();
  auto notOnline = node.integer("not_online_retry_ms", 600000, 100, 86'400'000);
  if (!notOnline.ok())
    return notOnline.error();
  c.notOnlineRetryMs = notOnline.value();
  auto timeout = node.integer("connect_timeout_s", 10, 1, 300);
  if (!timeout.ok())
    return timeout.error();
  c.connectTimeoutS = static_cast<int>(timeout.value());
  return c;
}

}  // namespace huitong::adapters::dbpoll
