// `huitong backup create | verify | restore | list`: the store's backups for the operator on
// duty (docs/operations.md "Backups"), through the same BackupService as the daily job in
// `huitong serve`. Progress goes to standard error, results to standard output.
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <iostream>
#include <string>

#include "gateway/app/BackupCommand.h"
#include "gateway/app/CommandLine.h"
#include "gateway/core/Json.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/ops/backup/BackupService.h"
#include "gateway/registry/RegistryStore.h"

namespace huitong::app {
namespace {

constexpr const char* kUsage =
    "usage: huitong backup create  [--config FILE] [--to DIR] [--actor NAME]\n"
    "       huitong backup verify  [ID|PATH] [--config FILE] [--actor NAME]\n"
    "       huitong backup restore ID|PATH --yes [--config FILE] [--actor NAME]\n"
    "       huitong backup list    [--config FILE] [--json]\n"
    "create: a consistent online backup of the store while the gateway runs (SQLite online\n"
    "  backup API; pg_dump for PostgreSQL) into backup.dir or --to, with a manifest, SHA-256\n"
    "  and AES-256-GCM when backup.encryption_key_file is set; retention applied after.\n"
    "verify: checks the checksum (and the GCM tag), restores into a scratch location and\n"
    "  compares row counts and the recomputed audit chain head with the manifest. Default:\n"
    "  the newest successful backup. Exit 1 when anything does not hold.\n"
    "restore: replaces the store with the backup; refused without --yes and while a gateway\n"
    "  has the store open (stop it first). The replaced store is kept as a backup first.\n"
    "list: every backup, restore test and restore on record.\n"
    "--config defaults to gateway.json; --actor defaults to the OS user.\n";

int usage(const std::string& why) {
  std::cerr << "huitong backup: " << why << "\n" << kUsage;
  return kExitUsage;
}

std::string isoTime(EpochMillis t) {
  if (t == 0)
    return "-";
  const std::time_t secs = static_cast<std::time_t>(t / 1000 + 8 * 3600);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S+08:00", &tm);
  return buf;
}

std::string osUser() {
  if (const char* u = std::getenv("USER"); u && *u)
    return u;
  return "uid:" + std::to_string(::getuid());
}

void printRecord(const ops::backup::BackupRecord& r) {
  std::cout << r.id << "  " << ops::backup::backupKindName(r.kind) << "  "
            << (r.ok ? "ok" : "FAILED") << "  " << isoTime(r.startedAt) << "  " << r.backupId
            << "\n  " << r.message << "\n";
  if (!r.path.empty())
    std::cout << "  file: " << r.path << " (" << r.bytes << " bytes)\n";
}

}  // namespace

int runBackup(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
    (argv.empty() ? std::cerr : std::cout) << kUsage;
    return argv.empty() ? kExitUsage : kExitOk;
  }
  const std::string verb = argv[0];
  std::string error;
  auto args = Arguments::parse({argv.begin() + 1, argv.end()}, {"yes", "json", "help"},
                               {"config", "to", "actor"}, error);
  if (!args)
    return usage(error);
  if (args->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (verb != "create" && verb != "verify" && verb != "restore" && verb != "list")
    return usage("unknown subcommand '" + verb + "' (create, verify, restore, list)");
  const auto& pos = args->positionals();
  if ((verb == "create" || verb == "list") && !pos.empty())
    return usage(verb + " takes no ID or PATH");
  if (pos.size() > 1)
    return usage("one ID or PATH at most");
  if (verb == "restore" && pos.empty())
    return usage("restore needs the ID or PATH of a backup");
  if (verb == "restore" && !args->has("yes")) {
    std::cerr << "huitong backup restore: this replaces the gateway's store with backup " << pos[0]
              << "; add --yes to confirm (stop the gateway first)\n";
    return kExitUsage;
  }

  const std::string configFile = args->get("config", "gateway.json");
  auto config = http::loadConfig(configFile);
  if (!config.ok()) {
    std::cerr << "huitong backup: " << config.error().describe() << "\n";
    return kExitUsage;
  }
  ops::backup::BackupSettings settings;
  if (config.value().backup) {
    auto s = ops::backup::parseBackupSettings(*config.value().backup);
    if (!s.ok()) {
      std::cerr << "huitong backup: " << s.error().describe() << "\n";
      return kExitUsage;
    }
    settings = s.value();
  }
  if (verb == "create" && settings.dir.empty() && !args->has("to"))
    return usage("no backup folder: give --to DIR or set backup.dir in " + configFile);

  storage::StoreConfig store = config.value().store;
  // The tool's own connections are named, so that restore's "is a gateway connected?" check
  // does not count them (docs/operations.md).
  if (store.kind != "sqlite" && store.connection.find("application_name") == std::string::npos)
    store.connection += " application_name=huitong-backup";
  if (store.kind == "sqlite" && ::access(store.path.c_str(), F_OK) != 0) {
    std::cerr << "huitong backup: " << store.path << ": the store does not exist (store.path in "
              << configFile << ")\n";
    return kExitUsage;
  }
  auto ledger = ops::backup::BackupLedger::open(store);
  if (!ledger.ok()) {
    std::cerr << "huitong backup: " << ledger.error().describe() << "\n";
    return kExitFailed;
  }
  if (verb == "list") {
    auto records = ledger.value()->list(0, 0);
    if (!records.ok()) {
      std::cerr << "huitong backup list: " << records.error().describe() << "\n";
      return kExitFailed;
    }
    if (args->has("json")) {
      std::cout << "[";
      for (std::size_t i = 0; i < records.value().size(); ++i)
        std::cout << (i ? ",\n " : "") << ops::backup::backupRecordJson(records.value()[i]);
      std::cout << "]\n";
    } else if (records.value().empty()) {
      std::cout << "no backups on record\n";
    } else {
      for (const auto& r : records.value())
        printRecord(r);
    }
    return kExitOk;
  }
  auto trail = registry::RegistryStore::open(store);
  if (!trail.ok()) {
    std::cerr << "huitong backup: " << trail.error().describe() << "\n";
    return kExitFailed;
  }
  SystemClock clock;
  ops::backup::BackupService service(store, settings, *ledger.value(), trail.value().get(), clock,
                                     &std::cerr);
  ops::backup::BackupCaller caller{args->get("actor", osUser()), "operator"};
  Result<ops::backup::BackupRecord> r = Error{"", "", ""};
  if (verb == "create") {
    ops::backup::BackupService::CreateOptions o;
    o.toDir = args->get("to");
    r = service.create(caller, o);
  } else if (verb == "verify") {
    r = service.verify(caller, pos.empty() ? "" : pos[0]);
  } else {
    r = service.restore(caller, pos[0]);
  }
  if (!r.ok()) {
    std::cerr << "huitong backup " << verb << ": cannot record: " << r.error().describe() << "\n";
    return kExitFailed;
  }
  if (args->has("json")) {
    std::cout << ops::backup::backupRecordJson(r.value()) << "\n";
  } else {
    printRecord(r.value());
  }
  return r.value().ok ? kExitOk : kExitFailed;
}

}  // namespace huitong::app
