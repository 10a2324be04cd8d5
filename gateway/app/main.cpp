// huitong: the gateway and its operators' tool. `huitong <verb> [options]`; `huitong help`.
#include <iostream>
#include <string>
#include <vector>

#include "gateway/app/AgentCommand.h"
#include "gateway/app/BackupCommand.h"
#include "gateway/app/CommandLine.h"
#include "gateway/app/ConfigCommand.h"
#include "gateway/app/HealthCommand.h"
#include "gateway/app/InspectCommand.h"
#include "gateway/app/MonitorCommand.h"
#include "gateway/app/ReportCommand.h"
#include "gateway/app/SandboxCommand.h"
#include "gateway/auth/SignCommand.h"
#include "gateway/ops/drill/DrillCommand.h"
#include "sandbox/mock_platform/MockPlatformCommand.h"
#include "sandbox/simulator/Simulator.h"

namespace {

struct Verb {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>&);
};

int runMappingVerb(const std::vector<std::string>& args);

const Verb kVerbs[] = {
    {"serve", "run the gateway (--config FILE)", huitong::app::runServe},
    {"adapters", "list the adapters a gateway knows, with its plugins (--config FILE)",
     huitong::app::runAdapters},
    {"mock-platform", "run the mock platform of the exchange interface (--listen 127.0.0.1:PORT)",
     huitong::sandbox::runMockPlatform},
    {"sign", "sign a department request (HTTP Message Signatures) for curl or tests",
     huitong::auth::runSign},
    {"keygen", "make a department's ed25519 key pair (`keygen ed25519`)", huitong::auth::runKeygen},
    {"jsonpath", "evaluate an RFC 9535 JSONPath query on a JSON document",
     huitong::app::runJsonPath},
    {"map", "run a department's mapping on a message and print the case events",
     huitong::app::runMap},
    {"mapping", "mappings: `mapping test [DIR]`; versions: `mapping draft|test|publish|rollback`",
     runMappingVerb},
    {"calendar", "working-day calendar: `calendar is-workday DATE`, `calendar add-workdays DATE N`",
     huitong::app::runCalendar},
    {"audit", "audit trail: `audit verify` checks the hash chain, `audit query` exports entries",
     huitong::app::runAudit},
    {"filing", "filing registry: `filing list|show|create|move` (--actor NAME --role ROLE)",
     huitong::app::runFiling},
    {"user", "staff accounts: `user create|list|set-password|disable` (password on stdin)",
     huitong::app::runUser},
    {"sandbox",
     "try a mapping before it goes live: `sandbox replay` runs journaled messages through a "
     "version",
     huitong::app::runSandbox},
    {"probe", "page probes and login flows: `probe run` runs monitor.probes once (--config FILE)",
     huitong::app::runProbe},
    {"agent",
     "serve this host's CPU, memory and disk to a monitoring gateway (--listen, --token-file)",
     huitong::app::runAgent},
    {"host", "print this host's CPU, load, memory, swap and disk use as JSON",
     huitong::app::runHost},
    {"health",
     "every online item's health, green/yellow/red with reasons (--config FILE | --url URL)",
     huitong::app::runHealth},
    {"monitor",
     "monitoring results: `monitor checks|results|availability|alerts|event declare` (--config)",
     huitong::app::runMonitor},
    {"ticket",
     "fault tickets: `ticket create|list|show|assign|status|comment|escalate|report|compliance`",
     huitong::app::runTicket},
    {"inspect", "daily inspection: `inspect run|list|show|sign-off` (--config FILE)",
     huitong::app::runInspect},
    {"config",
     "configuration checks: `config baseline record`, `config check` (drift, safe settings), "
     "`config approve`, `config changes`",
     huitong::app::runConfig},
    {"drill",
     "emergency drill: `drill platform-outage` takes the platform away, sends, checks nothing is "
     "lost",
     huitong::ops::drill::runDrill},
    {"backup",
     "store backups: `backup create|verify|restore|list` (online backup, restore test, records)",
     huitong::app::runBackup},
    {"report",
     "monthly operation report: `report monthly --month YYYY-MM` (HTML with charts or Markdown)",
     huitong::app::runReport},
    {"simulate", "play the demo's department systems (--config sandbox/demo/simulator.json)",
     huitong::simulator::runSimulate},
};

int runMappingVerb(const std::vector<std::string>& args) {
  return huitong::app::runMappingVersions(args);
}

void printUsage(std::ostream& out) {
  out << "usage: huitong <verb> [options]   (huitong <verb> --help for a verb's "
         "options)\n\nverbs:\n";
  for (const Verb& v : kVerbs) {
    const std::string name = v.name;
    out << "  " << name << std::string(name.size() < 15 ? 15 - name.size() : 1, ' ') << v.summary
        << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    printUsage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? huitong::app::kExitUsage : huitong::app::kExitOk;
  }
  for (const Verb& v : kVerbs) {
    if (args[0] == v.name) {
      return v.run({args.begin() + 1, args.end()});
    }
  }
  std::cerr << "huitong: unknown verb '" << args[0] << "'\n";
  printUsage(std::cerr);
  return huitong::app::kExitUsage;
}
