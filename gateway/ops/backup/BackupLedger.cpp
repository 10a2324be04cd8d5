#include "gateway/ops/backup/BackupLedger.h"

#include <utility>

#include "gateway/core/Json.h"
#include "gateway/storage/StatementDatabase.h"

namespace huitong::ops::backup {

namespace {

using storage::sqlInt;
using storage::sqlInteger;
using storage::sqlText;

constexpr const char* kColumns =
    "id, kind, backup_id, started_at, finished_at, ok, store_kind, path, bytes, sha256, "
    "encrypted, message, restore_ok, row_counts_json, audit_head_matches, actor";

std::string rowCountsJson(const RestoreTest& test) {
  rapidjson::Document d(rapidjson::kObjectType);
  if (test.ran) {
    for (const auto& [table, n] : test.rowCounts) {
      d.AddMember(json::string(table, d.GetAllocator()), rapidjson::Value(n), d.GetAllocator());
    }
  }
  return json::write(d);
}

BackupKind kindFrom(const std::string& s) {
  if (s == "verify")
    return BackupKind::kVerify;
  if (s == "restore")
    return BackupKind::kRestore;
  return BackupKind::kCreate;
}

BackupRecord fromRow(const storage::SqlRow& r) {
  BackupRecord b;
  b.id = r[0];
  b.kind = kindFrom(r[1]);
  b.backupId = r[2];
  b.startedAt = sqlInt(r[3]);
  b.finishedAt = sqlInt(r[4]);
  b.ok = sqlInt(r[5]) != 0;
  b.storeKind = r[6];
  b.path = r[7];
  b.bytes = sqlInt(r[8]);
  b.sha256 = r[9];
  b.encrypted = sqlInt(r[10]) != 0;
  b.message = r[11];
  b.restoreTest.ran = b.kind == BackupKind::kVerify;
  b.restoreTest.ok = sqlInt(r[12]) != 0;
  b.restoreTest.auditHeadMatches = sqlInt(r[14]) != 0;
  auto counts = json::parse(r[13]);
  if (counts.ok() && counts.value().IsObject()) {
    for (const auto& m : counts.value().GetObject()) {
      if (m.value.IsInt64())
        b.restoreTest.rowCounts[m.name.GetString()] = m.value.GetInt64();
    }
  }
  b.actor = r[15];
  return b;
}

}  // namespace

const char* backupKindName(BackupKind kind) {
  switch (kind) {
    case BackupKind::kCreate:
      return "create";
    case BackupKind::kVerify:
      return "verify";
    case BackupKind::kRestore:
      return "restore";
  }
  return "create";
}

std::string backupRecordJson(const BackupRecord& r) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("id", json::string(r.id, a), a);
  d.AddMember("kind", rapidjson::StringRef(backupKindName(r.kind)), a);
  d.AddMember("backup_id", json::string(r.backupId, a), a);
  d.AddMember("started_at", rapidjson::Value(static_cast<int64_t>(r.startedAt)), a);
  d.AddMember("finished_at", rapidjson::Value(static_cast<int64_t>(r.finishedAt)), a);
  d.AddMember("ok", r.ok, a);
  d.AddMember("store_kind", json::string(r.storeKind, a), a);
  d.AddMember("path", json::string(r.path, a), a);
  d.AddMember("bytes", rapidjson::Value(static_cast<int64_t>(r.bytes)), a);
  d.AddMember("sha256", json::string(r.sha256, a), a);
  d.AddMember("encrypted", r.encrypted, a);
  d.AddMember("message", json::string(r.message, a), a);
  d.AddMember("actor", json::string(r.actor, a), a);
  if (r.restoreTest.ran) {
    rapidjson::Value t(rapidjson::kObjectType);
    t.AddMember("ok", r.restoreTest.ok, a);
    t.AddMember("audit_head_matches", r.restoreTest.auditHeadMatches, a);
    rapidjson::Value counts(rapidjson::kObjectType);
    for (const auto& [table, n] : r.restoreTest.rowCounts)
      counts.AddMember(json::string(table, a), rapidjson::Value(static_cast<int64_t>(n)), a);
    t.AddMember("row_counts", counts, a);
    d.AddMember("restore_test", t, a);
  }
  return json::write(d);
}
BackupLedger::BackupLedger(std::unique_ptr<storage::StatementDatabase> db) : db_(std::move(db)) {}
BackupLedger::~BackupLedger() = default;

Result<std::unique_ptr<BackupLedger>> BackupLedger::open(const storage::StoreConfig& config) {
  auto db = storage::StatementDatabase::open(config, "backup", "the backup records");
  if (!db)
    return db.error();
  return std::make_unique<BackupLedger>(std::move(db).value());
}

Result<void> BackupLedger::append(const BackupRecord& b) {
  std::lock_guard<std::mutex> lock(mu_);
  auto r = db_->run(
      std::string("INSERT INTO backup_record (") + kColumns +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
          "$15, $16)",
      {sqlText(b.id), sqlText(backupKindName(b.kind)), sqlText(b.backupId), sqlInteger(b.startedAt),
       sqlInteger(b.finishedAt), sqlInteger(b.ok ? 1 : 0), sqlText(b.storeKind), sqlText(b.path),
       sqlInteger(b.bytes), sqlText(b.sha256), sqlInteger(b.encrypted ? 1 : 0), sqlText(b.message),
       sqlInteger(b.restoreTest.ok ? 1 : 0), sqlText(rowCountsJson(b.restoreTest)),
       sqlInteger(b.restoreTest.auditHeadMatches ? 1 : 0), sqlText(b.actor)});
  if (!r)
    return r.error();
  return {};
}

Result<std::vector<BackupRecord>> BackupLedger::query(const std::string& where,
                                                      const std::vector<std::string>& args,
                                                      int limit) {
  std::vector<storage::SqlParam> params;
  for (const auto& a : args)
    params.push_back(sqlText(a));
  std::string sql = std::string("SELECT ") + kColumns + " FROM backup_record" +
                    (where.empty() ? "" : " WHERE " + where);
  sql += limit > 0 ? " ORDER BY started_at DESC, seq DESC LIMIT " + std::to_string(limit)
                   : " ORDER BY started_at, seq";
  std::lock_guard<std::mutex> lock(mu_);
  auto rows = db_->run(sql, params);
  if (!rows)
    return rows.error();
  std::vector<BackupRecord> out;
  out.reserve(rows.value().size());
  for (const auto& r : rows.value())
    out.push_back(fromRow(r));
  return out;
}

Result<std::vector<BackupRecord>> BackupLedger::list(EpochMillis from, EpochMillis to) {
  std::vector<storage::SqlParam> params{sqlInteger(from)};
  std::string sql =
      std::string("SELECT ") + kColumns + " FROM backup_record WHERE started_at >= $1";
  if (to > 0) {
    sql += " AND started_at < $2";
    params.push_back(sqlInteger(to));
  }
  sql += " ORDER BY started_at, seq";
  std::lock_guard<std::mutex> lock(mu_);
  auto rows = db_->run(sql, params);
  if (!rows)
    return rows.error();
  std::vector<BackupRecord> out;
  for (const auto& r : rows.value())
    out.push_back(fromRow(r));
  return out;
}

Result<std::optional<BackupRecord>> BackupLedger::latestBackup() {
  auto rows = query("kind = 'create' AND ok = 1", {}, 1);
  if (!rows)
    return rows.error();
  if (rows.value().empty())
    return std::optional<BackupRecord>();
  return std::optional<BackupRecord>(rows.value().front());
}

Result<std::optional<BackupRecord>> BackupLedger::latestVerify() {
  auto rows = query("kind = 'verify'", {}, 1);
  if (!rows)
    return rows.error();
  if (rows.value().empty())
    return std::optional<BackupRecord>();
  return std::optional<BackupRecord>(rows.value().front());
}

Result<std::optional<BackupRecord>> BackupLedger::get(const std::string& id) {
  auto rows = query("id = $1", {id}, 1);
  if (!rows)
    return rows.error();
  if (rows.value().empty())
    return std::optional<BackupRecord>();
  return std::optional<BackupRecord>(rows.value().front());
}

}  // namespace huitong::ops::backup
