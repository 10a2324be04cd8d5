// `huitong config baseline record | check | approve | changes`: the configuration baseline,
// its drift and safe-settings checks, and the approved change/optimisation records
// (gateway/ops/baseline, docs/operations.md "Configuration management"), on the store the
// config names. Recording and approving are audited on the registry trail.
#include "gateway/app/ConfigCommand.h"

#include <cstdio>
#include <iostream>
#include <string>

#include "gateway/app/CommandLine.h"
#include "gateway/app/RegistryAccess.h"
#include "gateway/core/Clock.h"
#include "gateway/core/Json.h"
#include "gateway/ops/baseline/ConfigBaseline.h"
#include "gateway/ops/baseline/ConfigChecks.h"

namespace huitong::app {
namespace {

namespace bl = ops::baseline;

constexpr const char* kUsage =
    "usage: huitong config baseline record --config FILE --by USER --note WHY\n"
    "       huitong config check --config FILE [--json]\n"
    "       huitong config approve --config FILE --by USER --note WHY\n"
    "                              [--kind change|optimisation]\n"
    "       huitong config changes --config FILE [--month YYYY-MM] [--limit N] [--json]\n"
    "record: the baseline of the config, every file it names (mappings, filings seed, keys,\n"
    "TLS files, plugins), the TLS settings and the permissions of secrets and the data dir.\n"
    "check: drift against the latest baseline (a diff per text file, path:line in each hunk)\n"
    "and the safe-settings checks; exit 1 on drift, an unsafe setting or no baseline.\n"
    "approve: the current drift becomes a change (or optimisation) record and a new baseline.\n"
    "changes: the records, newest first (--month: that month in China time, oldest first).\n"
    "Exit 0 ok, 1 drift/unsafe/nothing to approve, 2 bad usage or input.\n";

int usage(const std::string& why) {
  std::cerr << "huitong config: " << why << "\n" << kUsage;
  return kExitUsage;
}

int failed(const std::string& verb, const Error& e) {
  std::cerr << "huitong config " << verb << ": " << e.code << ": " << e.describe() << "\n";
  const bool input = e.code.rfind("config", 0) == 0 || e.code == "store.missing";
  return input ? kExitUsage : kExitFailed;
}

struct Opened {
  OpenedRegistry registry;
  std::unique_ptr<storage::StatementDatabase> db;
};

Result<Opened> open(const std::string& configFile, bool createMissing) {
  auto reg = openRegistry(configFile, createMissing);
  if (!reg.ok())
    return reg.error();
  auto db = storage::StatementDatabase::open(reg.value().config.store, "config",
                                             "configuration baselines");
  if (!db.ok())
    return db.error();
  return Opened{std::move(reg).value(), std::move(db).value()};
}

Result<void> audit(registry::RegistryStore& trail, const std::string& by, const std::string& action,
                   const std::string& target, const std::string& after, EpochMillis now) {
  registry::AuditEntry e;
  e.at = now;
  e.actor = by;
  e.role = "operator";
  e.action = action;
  e.target = target;
  e.before = "null";
  e.after = after;
  auto r = trail.appendAudit(e);
  if (!r.ok())
    return r.error();
  return {};
}

const char* kSeverityOrder[] = {"critical", "major", "minor", "info"};

void printReport(const bl::ConfigCheckReport& r, const std::string& configFile) {
  if (r.baselineId != 0)
    std::cout << "baseline #" << r.baselineId << " recorded " << formatRfc3339(r.baselineAt)
              << " by " << r.baselineBy << "; " << r.filesChecked << " files checked\n";
  else
    std::cout << "no baseline recorded for " << configFile << "; " << r.filesChecked
              << " files checked\n";
  if (r.baselineId != 0)
    std::cout << "drift: " << bl::driftSummary(r.drift, r.settings) << "\n";
  for (const auto& d : r.drift) {
    std::cout << "\n" << d.change << " " << d.path << " (" << d.role << ")";
    if (d.change == "permissions") {
      char before[8], after[8];
      std::snprintf(before, sizeof before, "%04o", d.modeBefore);
      std::snprintf(after, sizeof after, "%04o", d.modeAfter);
      std::cout << ": mode " << before << " -> " << after << ", owner " << d.ownerBefore << " -> "
                << d.ownerAfter << "\n";
    } else if (!d.text || d.diff.empty()) {
      std::cout << ": sha256 " << (d.sha256Before.empty() ? "(none)" : d.sha256Before) << " -> "
                << (d.sha256After.empty() ? "(none)" : d.sha256After) << "\n";
    } else {
      std::cout << "\n" << d.diff;
    }
  }
  for (const auto& s : r.settings)
    std::cout << "\nsetting " << s.name << ": \"" << s.before << "\" -> \"" << s.after << "\"\n";
  std::size_t shown = 0;
  for (const char* sev : kSeverityOrder) {
    for (const auto& f : r.findings) {
      if (f.severity != sev || f.check == "drift")
        continue;
      if (shown++ == 0)
        std::cout << "\nfindings:\n";
      std::cout << "  [" << f.severity << "] " << f.id << ": " << f.title << "\n      " << f.detail
                << "\n";
    }
  }
  std::cout << "\n"
            << (r.drifted() ? "DRIFT" : "no drift") << ", "
            << (r.unsafe() ? "UNSAFE settings" : "settings safe") << "\n";
}

// Start of a month in China time (UTC+8), as epoch milliseconds; false when not YYYY-MM.
bool monthStart(const std::string& text, int add, EpochMillis& out) {
  int y = 0, m = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d%c", &y, &m, &extra) != 2 || m < 1 || m > 12 ||
      text.size() != 7)
    return false;
  m += add;
  if (m > 12) {
    m -= 12;
    ++y;
  }
  // days_from_civil (Howard Hinnant), the first of the month.
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const long long days = static_cast<long long>(era) * 146097 + doe - 719468;
  out = (days * 86400 - 8 * 3600) * 1000;
  return true;
}

void printChange(const bl::ChangeRecord& c) {
  std::cout << "#" << c.id << " " << formatRfc3339(c.at) << " " << c.kind << " by " << c.by << ": "
            << c.note << "\n    " << c.summary << " (baseline #" << c.baselineBefore << " -> #"
            << c.baselineAfter << ")\n";
  for (const auto& f : c.files)
    std::cout << "    " << f << "\n";
}

}  // namespace

int runConfig(const std::vector<std::string>& all) {
  if (all.empty() || all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
    (all.empty() ? std::cerr : std::cout) << kUsage;
    return all.empty() ? kExitUsage : kExitOk;
  }
  std::string verb = all[0];
  std::size_t first = 1;
  if (verb == "baseline") {
    if (all.size() < 2 || all[1] != "record")
      return usage("config baseline: the command is 'config baseline record'");
    verb = "baseline record";
    first = 2;
  } else if (verb != "check" && verb != "approve" && verb != "changes") {
    return usage("unknown command '" + verb + "'");
  }
  std::string error;
  auto args =
      Arguments::parse({all.begin() + static_cast<long>(first), all.end()}, {"help", "json"},
                       {"config", "by", "note", "kind", "month", "limit"}, error);
  if (!args)
    return usage(error);
  if (args->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!args->positionals().empty())
    return usage("no bare arguments");
  const std::string configFile = args->get("config");
  if (configFile.empty())
    return usage("--config FILE is required");
  const bool acts = verb == "baseline record" || verb == "approve";
  if (acts && (args->get("by").empty() || args->get("note").empty()))
    return usage(verb + ": --by USER and --note WHY are required");
  const std::string kind = args->get("kind", "change");
  if (kind != "change" && kind != "optimisation")
    return usage("--kind is change or optimisation");
  auto opened = open(configFile, verb == "baseline record");
  if (!opened.ok())
    return failed(verb, opened.error());
  auto& o = opened.value();
  const auto& config = o.registry.config;
  const SystemClock clock;
  const EpochMillis now = clock.now();

  if (verb == "baseline record") {
    const auto manifest = bl::captureManifest(config);
    bl::BaselineStore store(*o.db);
    auto id = store.record(manifest, config.file, args->get("by"), args->get("note"), now);
    if (!id.ok())
      return failed(verb, id.error());
    rapidjson::Document after(rapidjson::kObjectType);
    auto& a = after.GetAllocator();
    after.AddMember("baseline", id.value(), a);
    after.AddMember("files", static_cast<std::uint64_t>(manifest.files.size()), a);
    after.AddMember("note", json::string(args->get("note"), a), a);
    if (auto r = audit(*o.registry.store, args->get("by"), "config.baseline.record",
                       "config baseline #" + std::to_string(id.value()) + " (" + configFile + ")",
                       json::write(after), now);
        !r.ok())
      return failed(verb, r.error());
    std::cout << "baseline #" << id.value() << " recorded: " << manifest.files.size()
              << " files of " << configFile << "\n";
    return kExitOk;
  }

  if (verb == "changes") {
    bl::ChangeLedger ledger(*o.db);
    Result<std::vector<bl::ChangeRecord>> records = std::vector<bl::ChangeRecord>{};
    if (args->has("month")) {
      EpochMillis from = 0, to = 0;
      if (!monthStart(args->get("month"), 0, from) || !monthStart(args->get("month"), 1, to))
        return usage("--month is YYYY-MM");
      records = ledger.between(from, to);
    } else {
      const auto limit = std::strtoul(args->get("limit", "50").c_str(), nullptr, 10);
      if (limit == 0)
        return usage("--limit is a positive number");
      records = ledger.latest(limit);
    }
    if (!records.ok())
      return failed(verb, records.error());
    if (args->has("json")) {
      std::cout << "[";
      bool firstRecord = true;
      for (const auto& c : records.value()) {
        std::cout << (firstRecord ? "" : ",") << bl::changeJson(c);
        firstRecord = false;
      }
      std::cout << "]\n";
    } else if (records.value().empty()) {
      std::cout << "no change records\n";
    } else {
      for (const auto& c : records.value())
        printChange(c);
    }
    return kExitOk;
  }

  if (verb == "check") {
    auto report = bl::runConfigChecks(config, *o.db, now);
    if (!report.ok())
      return failed(verb, report.error());
    const auto& r = report.value();
    if (args->has("json"))
      std::cout << bl::reportJson(r) << "\n";
    else
      printReport(r, configFile);
    return r.drifted() || r.unsafe() || r.baselineId == 0 ? kExitFailed : kExitOk;
  }

  // approve
  auto approval = bl::approveDrift(config, *o.db, args->get("by"), kind, args->get("note"), now);
  if (!approval.ok()) {
    if (approval.error().code == "config.no_baseline") {
      std::cerr << "huitong config approve: " << approval.error().message << "\n";
      return kExitFailed;
    }
    return failed(verb, approval.error());
  }
  const auto& ap = approval.value();
  if (!ap.approved) {
    std::cout << "no drift since the latest baseline: nothing to approve\n";
    return kExitFailed;
  }
  const auto& c = ap.record;
  auto entry = json::parse(bl::changeJson(c));
  if (entry.ok() && entry.value().IsObject())
    entry.value().RemoveMember("diff");  // the trail keeps what and why; the diff is in the record
  if (auto a = audit(*o.registry.store, c.by, "config.change.approve",
                     "config change #" + std::to_string(c.id) + " (" + configFile + ")",
                     entry.ok() ? json::write(entry.value()) : "{}", now);
      !a.ok())
    return failed(verb, a.error());
  std::cout << "change #" << c.id << " (" << kind << ") recorded: " << c.summary << "; baseline #"
            << c.baselineAfter << "\n";
  if (ap.unsafe)
    std::cout << "note: unsafe settings remain (huitong config check lists them)\n";
  return kExitOk;
}

}  // namespace huitong::app
