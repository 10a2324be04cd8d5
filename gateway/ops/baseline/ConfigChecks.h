// Configuration checks of the gateway (配置管理, issue 9 item 3): drift of the configuration
// against the recorded baseline (ConfigBaseline.h) and the safe-settings checks (TLS 1.2+, no
// weak ciphers, valid certificate chains, secrets 0600 and owned by the running user, a data dir
// that is not world-writable, no demo credentials in production mode). The daily inspection
// (gateway/ops/inspect) calls runConfigChecks; the monthly report reads ChangeLedger.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/storage/StatementDatabase.h"

namespace huitong::ops::baseline {

// One problem found. `id` is stable across runs for the same problem on the same subject
// ("tls.weak_cipher:DES-CBC3-SHA", "perm.secret_mode:/etc/huitong/tls.key",
// "drift.changed:mappings/marriage/mapping.json"): the inspection keys findings by it.
struct ConfigFinding {
  std::string id;
  std::string check;     // "drift" | "tls" | "certificate" | "permissions" | "demo" | "baseline"
  std::string severity;  // "info" | "minor" | "major" | "critical"
  std::string title;     // one line
  std::string detail;    // the file concerned and what to do
  std::string file;      // the file concerned ("" when none)
};

// How one file (or the data dir) differs from the baseline.
struct FileDrift {
  std::string path;    // as the report shows it: relative to the config's folder when inside it
  std::string role;    // "config" | "mapping" | "filings" | "key" | "certificate" | "plugin" | ...
  std::string change;  // "changed" | "added" | "removed" | "permissions"
  std::string sha256Before, sha256After;   // "" when absent on that side
  unsigned modeBefore = 0, modeAfter = 0;  // permission bits (07777)
  std::string ownerBefore, ownerAfter;     // user name (or uid)
  bool text = false;                       // a text file: `diff` is a unified diff
  std::string diff;                        // text: unified-style hunks naming path:line; else ""
};

// A setting recorded beside the files (TLS min version, cipher lists, mode) that changed.
struct SettingDrift {
  std::string name;  // "tls.min_version", "tls.ciphers", "mode", ...
  std::string before, after;
};

struct ConfigCheckReport {
  std::int64_t baselineId = 0;  // 0: no baseline recorded yet
  EpochMillis baselineAt = 0;
  std::string baselineBy;
  EpochMillis checkedAt = 0;
  std::size_t filesChecked = 0;
  std::vector<FileDrift> drift;
  std::vector<SettingDrift> settings;
  // Drift (one finding per drifted file or setting, severity minor; major for a secret or the
  // config file) and the safe-settings findings, in that order.
  std::vector<ConfigFinding> findings;

  bool drifted() const { return !drift.empty() || !settings.empty(); }
  // Any safe-settings finding of severity minor or worse.
  bool unsafe() const;
};

// The safe-settings checks alone, on the config as loaded (files read now; certificate
// validity judged at `now`). Never fails: an unreadable file is itself a finding.
std::vector<ConfigFinding> checkSafeSettings(const http::GatewayConfig& config, EpochMillis now);

// Drift against the latest baseline in `db` (migration 15's tables) plus checkSafeSettings.
// No baseline yet: one "baseline.none" finding (minor) and no drift. Errors: the store's.
// REQUIRES: `db` opened on config.store (StatementDatabase::open migrates it).
Result<ConfigCheckReport> runConfigChecks(const http::GatewayConfig& config,
                                          storage::StatementDatabase& db, EpochMillis now);

// An approved change of the configuration: who, when, what (files and diff summary), why.
struct ChangeRecord {
  std::int64_t id = 0;
  EpochMillis at = 0;
  std::string by;
  std::string kind;  // "change" | "optimisation"
  std::string note;  // why
  std::int64_t baselineBefore = 0, baselineAfter = 0;
  std::vector<std::string> files;  // "changed mappings/marriage/mapping.json", "added keys/x.pub"
  std::string summary;             // "2 files changed (+5 -3 lines), 1 added; tls.ciphers"
  std::string diff;                // the unified diffs of the text files, as `config check`
};

// The change/optimisation records (the monthly report's "optimisation and change records").
// Not thread-safe: one per thread, like the StatementDatabase it reads.
class ChangeLedger {
 public:
  explicit ChangeLedger(storage::StatementDatabase& db) : db_(db) {}
  // Records with from <= at < to, oldest first.
  Result<std::vector<ChangeRecord>> between(EpochMillis from, EpochMillis to);
  // The latest `limit` records, newest first.
  Result<std::vector<ChangeRecord>> latest(std::size_t limit);
  // Stores `record` (id ignored); returns it with its id.
  Result<ChangeRecord> append(const ChangeRecord& record);

 private:
  storage::StatementDatabase& db_;
};

}  // namespace huitong::ops::baseline
