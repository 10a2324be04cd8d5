#include "gateway/ops/baseline/ConfigChecks.h"

#include <filesystem>

#include "gateway/core/Json.h"
#include "gateway/mapping/PositionedJson.h"
#include "gateway/ops/baseline/ConfigBaseline.h"
#include "gateway/ops/baseline/SafeSettings.h"

namespace huitong::ops::baseline {
namespace {

bool loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

void strings(const rapidjson::Value& v, std::vector<std::string>& out) {
  if (v.IsObject()) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it)
      strings(it->value, out);
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray())
      strings(e, out);
  } else if (v.IsString()) {
    out.emplace_back(v.GetString(), v.GetStringLength());
  }
}

void append(std::vector<ConfigFinding>& to, std::vector<ConfigFinding> from) {
  for (auto& f : from)
    to.push_back(std::move(f));
}

std::string resolved(const http::GatewayConfig& config, const std::string& path) {
  if (path.empty())
    return path;
  std::filesystem::path p(path);
  if (p.is_relative()) {
    std::error_code ec;
    p = std::filesystem::absolute(config.file, ec).parent_path() / p;
  }
  return p.lexically_normal().string();
}

std::vector<ConfigFinding> safeSettings(const http::GatewayConfig& config, const Manifest& manifest,
                                        EpochMillis now) {
  std::vector<ConfigFinding> out;
  const bool production = config.mode != "demo";
  if (config.tls) {
    append(out, checkTls(config.tls->minVersion, config.tls->ciphers, config.tls->ciphersuites));
    append(out, checkCertificate("tls", resolved(config, config.tls->certificateFile),
                                 resolved(config, config.tls->privateKeyFile),
                                 resolved(config, config.tls->caFile), true, now));
  } else if (!loopback(config.listenHost)) {
    out.push_back({"tls.off", "tls", production ? "major" : "minor",
                   "plain HTTP on " + config.listenHost + " without TLS",
                   config.file + ": no \"tls\" block and \"listen\" is " + config.listenHost + ":" +
                       std::to_string(config.listenPort) +
                       ": add a tls block (docs/configuration.md) or listen on loopback behind a "
                       "TLS proxy",
                   config.file});
  }
  if (!config.delivery.certificateFile.empty())
    append(out,
           checkCertificate("platform client", resolved(config, config.delivery.certificateFile),
                            resolved(config, config.delivery.privateKeyFile), "", false, now));
  if (production && config.delivery.platformUrl.rfind("http://", 0) == 0) {
    const auto host = config.delivery.platformUrl.substr(
        7, config.delivery.platformUrl.find_first_of(":/", 7) - 7);
    if (!loopback(host))
      out.push_back({"tls.platform_plain", "tls", "major", "platform reached over plain HTTP",
                     config.file + ": platform.url " + config.delivery.platformUrl +
                         " sends case events unencrypted: use https://",
                     config.file});
  }
  for (const auto& f : manifest.files) {
    if (f.role == "data_dir")
      append(out, checkDataDir(f.fullPath));
    else if (f.secret)
      append(out,
             checkSecretFile(f.fullPath, f.role == "private_key" ? "private key" : "secret file"));
  }
  // The config itself holds secrets when it has an ops token, a platform token or an HMAC key.
  bool inlineSecrets = !config.opsToken.empty() || !config.delivery.token.empty();
  for (const auto& s : config.systems)
    for (const auto& k : s.keys)
      inlineSecrets = inlineSecrets || !k.secret.empty();
  if (inlineSecrets)
    append(out, checkSecretFile(resolved(config, config.file), "config file holding secrets"));
  if (production) {
    std::vector<std::string> values, keyIds, keyFiles;
    if (const auto* doc = static_cast<const mapping::PositionedJson*>(config.document.get()))
      strings(doc->root(), values);
    for (const auto& s : config.systems) {
      for (const auto& k : s.keys)
        keyIds.push_back(k.keyId);
      for (const auto& k : s.sandboxKeys)
        keyIds.push_back(k.keyId);
    }
    for (const auto& f : manifest.files)
      if (f.role == "key" || f.role == "private_key" || f.role == "secret")
        keyFiles.push_back(f.fullPath);
    append(out, checkDemoCredentials(resolved(config, config.file), values, keyIds, keyFiles));
  }
  return out;
}

const char* kChangeColumns =
    "id, at, by_user, kind, note, baseline_before, baseline_after, files, "
    "summary, diff";

ChangeRecord changeFrom(const storage::SqlRow& r) {
  ChangeRecord c;
  c.id = storage::sqlInt(r[0]);
  c.at = storage::sqlInt(r[1]);
  c.by = r[2];
  c.kind = r[3];
  c.note = r[4];
  c.baselineBefore = storage::sqlInt(r[5]);
  c.baselineAfter = storage::sqlInt(r[6]);
  if (auto files = json::parse(r[7]); files.ok() && files.value().IsArray())
    for (const auto& f : files.value().GetArray())
      if (f.IsString())
        c.files.emplace_back(f.GetString());
  c.summary = r[8];
  c.diff = r[9];
  return c;
}

Result<std::vector<ChangeRecord>> changes(storage::StatementDatabase& db, const std::string& sql,
                                          const std::vector<storage::SqlParam>& params) {
  auto rows = db.run(sql, params);
  if (!rows.ok())
    return rows.error();
  std::vector<ChangeRecord> out;
  for (const auto& r : rows.value())
    out.push_back(changeFrom(r));
  return out;
}

}  // namespace

bool ConfigCheckReport::unsafe() const {
  for (const auto& f : findings)
    if (f.check != "drift" && f.check != "baseline" && f.severity != "info")
      return true;
  return false;
}

std::vector<ConfigFinding> checkSafeSettings(const http::GatewayConfig& config, EpochMillis now) {
  return safeSettings(config, captureManifest(config), now);
}

Result<ConfigCheckReport> runConfigChecks(const http::GatewayConfig& config,
                                          storage::StatementDatabase& db, EpochMillis now) {
  ConfigCheckReport report;
  report.checkedAt = now;
  const Manifest current = captureManifest(config);
  report.filesChecked = current.files.size();
  BaselineStore store(db);
  auto base = store.latest();
  if (!base.ok())
    return base.error();
  if (!base.value()) {
    report.findings.push_back(
        {"baseline.none", "baseline", "minor", "no configuration baseline recorded",
         "no baseline for " + config.file +
             ": after checking the install, run huitong config baseline record --config " +
             config.file + " --by USER --note WHY",
         config.file});
  } else {
    const Baseline& b = *base.value();
    report.baselineId = b.id;
    report.baselineAt = b.recordedAt;
    report.baselineBy = b.recordedBy;
    compareManifests(b.manifest, current, report.drift, report.settings);
    for (const auto& d : report.drift)
      report.findings.push_back(driftFinding(d));
    for (const auto& s : report.settings)
      report.findings.push_back(settingFinding(s));
  }
  append(report.findings, safeSettings(config, current, now));
  return report;
}

Result<std::int64_t> recordBaseline(const http::GatewayConfig& config,
                                    storage::StatementDatabase& db, const std::string& by,
                                    const std::string& note, EpochMillis now) {
  BaselineStore store(db);
  return store.record(captureManifest(config), config.file, by, note, now);
}

Result<Approval> approveDrift(const http::GatewayConfig& config, storage::StatementDatabase& db,
                              const std::string& by, const std::string& kind,
                              const std::string& note, EpochMillis now) {
  auto report = runConfigChecks(config, db, now);
  if (!report.ok())
    return report.error();
  const auto& r = report.value();
  if (r.baselineId == 0)
    return Error{"config.no_baseline",
                 "no baseline recorded yet: run huitong config baseline record first", config.file};
  Approval out;
  out.unsafe = r.unsafe();
  if (!r.drifted())
    return out;
  const Manifest manifest = captureManifest(config);
  out.files = manifest.files.size();
  ChangeRecord& c = out.record;
  c.at = now;
  c.by = by;
  c.kind = kind;
  c.note = note;
  c.baselineBefore = r.baselineId;
  for (const auto& d : r.drift) {
    c.files.push_back(d.change + " " + d.path);
    c.diff += d.diff;
  }
  for (const auto& s : r.settings)
    c.files.push_back("setting " + s.name + ": \"" + s.before + "\" -> \"" + s.after + "\"");
  c.summary = driftSummary(r.drift, r.settings);
  constexpr std::size_t kMaxDiff = 256 * 1024;
  if (c.diff.size() > kMaxDiff)
    c.diff = c.diff.substr(0, kMaxDiff) + "\n... (diff cut at 256 KiB)\n";
  // One transaction: the new baseline and the record that explains it, or neither.
  BaselineStore store(db);
  ChangeLedger ledger(db);
  auto done = db.transaction([&]() -> Result<void> {
    auto id = store.recordInTransaction(manifest, config.file, by, "approved change: " + note, now);
    if (!id.ok())
      return id.error();
    c.baselineAfter = id.value();
    auto stored = ledger.append(c);
    if (!stored.ok())
      return stored.error();
    c.id = stored.value().id;
    return {};
  });
  if (!done.ok())
    return done.error();
  out.approved = true;
  return out;
}

Result<std::vector<ChangeRecord>> ChangeLedger::between(EpochMillis from, EpochMillis to) {
  return changes(db_,
                 std::string("SELECT ") + kChangeColumns +
                     " FROM config_change WHERE at >= $1 AND at < $2 ORDER BY at, id",
                 {storage::sqlInteger(from), storage::sqlInteger(to)});
}

Result<std::vector<ChangeRecord>> ChangeLedger::latest(std::size_t limit) {
  return changes(db_,
                 std::string("SELECT ") + kChangeColumns +
                     " FROM config_change ORDER BY at DESC, id DESC LIMIT $1",
                 {storage::sqlInteger(static_cast<std::int64_t>(limit))});
}

Result<ChangeRecord> ChangeLedger::append(const ChangeRecord& record) {
  rapidjson::Document files(rapidjson::kArrayType);
  for (const auto& f : record.files)
    files.PushBack(json::string(f, files.GetAllocator()), files.GetAllocator());
  auto rows = db_.run(
      "INSERT INTO config_change (at, by_user, kind, note, baseline_before, baseline_after, "
      "files, summary, diff) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
      {storage::sqlInteger(record.at), storage::sqlText(record.by), storage::sqlText(record.kind),
       storage::sqlText(record.note), storage::sqlInteger(record.baselineBefore),
       storage::sqlInteger(record.baselineAfter), storage::sqlText(json::write(files)),
       storage::sqlText(record.summary), storage::sqlText(record.diff)});
  if (!rows.ok())
    return rows.error();
  ChangeRecord out = record;
  if (!rows.value().empty() && !rows.value()[0].empty())
    out.id = storage::sqlInt(rows.value()[0][0]);
  return out;
}

}  // namespace huitong::ops::baseline
