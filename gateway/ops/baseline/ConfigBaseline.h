// The baseline of the gateway's configuration: what a config covers (the config file, every
// file it names — mapping files, the filings seed, keys, TLS certificates and keys, plugins,
// any "*_file" of an adapter or block — and the data dir), each with SHA-256 (OpenSSL EVP),
// size, mode and owner, the bytes of text files that are not secrets (for diffs; the config's
// own secrets masked), and the TLS settings; recorded in the store (migration 15) and compared
// with what is on disk now. Not thread-safe: one BaselineStore per thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/ops/baseline/ConfigChecks.h"
#include "gateway/storage/StatementDatabase.h"

namespace huitong::ops::baseline {

struct CoveredFile {
  std::string path;      // display path: relative to the config's folder, else absolute
  std::string fullPath;  // as opened
  std::string role;      // config | mapping | filings | certificate | private_key | ca | key |
                         // secret | plugin | file | data_dir
  bool secret = false;   // keys, credentials: content never stored, 0600 expected
  bool text = false;     // content kept and diffed
  bool directory = false;
  bool exists = false;
  std::string sha256;  // "" for a directory or a missing file
  std::int64_t size = 0;
  unsigned mode = 0;  // permission bits
  std::string owner;  // user name, else the uid in decimal
  unsigned uid = 0;
  std::string content;  // text files only (the config file with its secrets masked)
};

struct Manifest {
  std::vector<CoveredFile> files;               // sorted by path
  std::map<std::string, std::string> settings;  // "tls.min_version" -> "1.2", "mode" -> ...
};

// What `config` covers, read now. A named file that is missing is listed with exists=false.
Manifest captureManifest(const http::GatewayConfig& config);

// SHA-256 hex (lower case) of bytes, by OpenSSL EVP.
std::string sha256Hex(const std::string& bytes);

// The config text with the values of secret members (ops_token, token, secret, password, ...)
// replaced by "***sha256:<first 12 hex>" — stored and diffed instead of the file.
std::string maskSecrets(const std::string& configText);

struct Baseline {
  std::int64_t id = 0;
  EpochMillis recordedAt = 0;
  std::string recordedBy;
  std::string note;
  std::string configFile;
  Manifest manifest;
};

// Drift of `now` against `base`, files by path (added, removed, changed content, changed mode
// or owner) and settings.
void compareManifests(const Manifest& base, const Manifest& now, std::vector<FileDrift>& files,
                      std::vector<SettingDrift>& settings);

class BaselineStore {
 public:
  explicit BaselineStore(storage::StatementDatabase& db) : db_(db) {}
  // Stores `manifest` as a new baseline (one transaction); returns its id.
  Result<std::int64_t> record(const Manifest& manifest, const std::string& configFile,
                              const std::string& by, const std::string& note, EpochMillis at);
  // The same inside a transaction the caller runs (db.transaction).
  Result<std::int64_t> recordInTransaction(const Manifest& manifest, const std::string& configFile,
                                           const std::string& by, const std::string& note,
                                           EpochMillis at);
  // The latest baseline; nullopt when none was recorded.
  Result<std::optional<Baseline>> latest();

 private:
  storage::StatementDatabase& db_;
};

// Records a baseline of `config` as it is on disk now; returns its id.
Result<std::int64_t> recordBaseline(const http::GatewayConfig& config,
                                    storage::StatementDatabase& db, const std::string& by,
                                    const std::string& note, EpochMillis now);

// What approving the current drift did. `approved` false: no drift, nothing recorded.
struct Approval {
  bool approved = false;
  std::size_t files = 0;  // covered by the new baseline
  bool unsafe = false;    // unsafe settings remain (they do not block an approval)
  ChangeRecord record;    // with its id and both baselines
};

// Turns the current drift into a change record (`kind` "change" | "optimisation", `note` why)
// and a new baseline. No baseline yet: Error "config.no_baseline". The caller audits it.
Result<Approval> approveDrift(const http::GatewayConfig& config, storage::StatementDatabase& db,
                              const std::string& by, const std::string& kind,
                              const std::string& note, EpochMillis now);

// A drift as one finding (drift.changed|added|removed|permissions:<path>, drift.setting:<name>).
ConfigFinding driftFinding(const FileDrift& d);
ConfigFinding settingFinding(const SettingDrift& d);

// "2 files changed (+5 -3 lines), 1 added, 1 removed, 1 permissions; settings: tls.ciphers".
std::string driftSummary(const std::vector<FileDrift>& files,
                         const std::vector<SettingDrift>& settings);

// The drift report as JSON (report, findings, drift with diffs) — `config check --json` and
// GET /ops/v1/config/check.
std::string reportJson(const ConfigCheckReport& report);
std::string changeJson(const ChangeRecord& record);

}  // namespace huitong::ops::baseline
