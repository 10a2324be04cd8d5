// `huitong filing list | show | create | move`: the filing registry from the command line,
// through the same RegistryService (rules, audit entries) the gateway will serve. Until staff
// accounts exist, the person acting is named with --actor and --role (docs/cli.md).
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "gateway/app/CommandLine.h"
#include "gateway/app/RegistryAccess.h"
#include "gateway/core/Json.h"
#include "gateway/mapping/PositionedJson.h"
#include "gateway/registry/MappingVersions.h"
#include "gateway/registry/RegistryService.h"
#include "sandbox/joint_debug/SandboxService.h"
#include "sandbox/joint_debug/SandboxStore.h"

namespace huitong::app {
namespace {

constexpr const char* kUsage =
    "usage: huitong filing list --config FILE [--system S] [--state STATE] [--overdue]\n"
    "       huitong filing show --config FILE --system S --item I\n"
    "       huitong filing create --config FILE --actor NAME --role ROLE --system S --item I\n"
    "                             [--name TEXT] [--contact-name TEXT] [--contact-phone TEXT]\n"
    "                             [--notes TEXT] [--scenarios FILE]\n"
    "       huitong filing move --config FILE --actor NAME --role ROLE --system S --item I\n"
    "                           --to STATE --version N [--mapping-version V] [--reason TEXT]\n"
    "       huitong filing scenarios --config FILE --actor NAME --role ROLE --system S --item I\n"
    "                           --version N (--scenarios FILE | --defaults)\n"
    "--scenarios FILE: the sandbox scenarios going online requires, a JSON list of \"defaults\"\n"
    "and {name, description, stage, verdict, rule} (docs/sandbox.md \"Evidence\"); none: the\n"
    "defaults (each stage the mapping version produces, plus one invalid message rejected).\n"
    "ROLE: admin | operator | auditor | department (with --actor-system: its own system).\n"
    "STATE: requested | configuring | joint_debugging | online | suspended | retired.\n"
    "--version: the version you read (`filing show`); another one changed it meanwhile: refused.\n"
    "Every change and every refused attempt that touches access is an audit entry.\n"
    "Going online needs --mapping-version naming the system's live (published) mapping version\n"
    "(`huitong mapping versions`) and passing sandbox evidence (until the sandbox records it:\n"
    "the config's registry.assume_sandbox_evidence).\n";

int refusedOrFailed(const char* verb, const Error& e) {
  std::cerr << "huitong filing " << verb << ": " << e.code << ": " << e.describe() << "\n";
  return e.code.rfind("filing.", 0) == 0 ? kExitFailed : kExitUsage;
}

std::optional<registry::Actor> actorFrom(const Arguments& args, const char* verb) {
  const auto role = registry::roleFrom(args.get("role"));
  if (args.get("actor").empty() || !role) {
    std::cerr << "huitong filing " << verb
              << ": --actor NAME and --role admin|operator|auditor|department are required\n";
    return std::nullopt;
  }
  return registry::Actor{args.get("actor"), *role, args.get("actor-system")};
}

void printRow(const registry::Filing& f, Day today) {
  std::cout << f.system << '\t' << f.itemCode << '\t' << registry::toString(f.state) << "\tv"
            << f.version << '\t'
            << (f.configuringDue ? formatDate(*f.configuringDue) : std::string("-"))
            << (registry::isOverdue(f, today) ? "\tOVERDUE" : "") << '\t' << f.itemName << "\n";
}

}  // namespace

int runFiling(const std::vector<std::string>& all) {
  if (all.empty() || all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
    (all.empty() ? std::cerr : std::cout) << kUsage;
    return all.empty() ? kExitUsage : kExitOk;
  }
  const std::string verb = all[0];
  if (verb != "list" && verb != "show" && verb != "create" && verb != "move" &&
      verb != "scenarios") {
    std::cerr << "huitong filing: unknown command '" << verb << "'\n" << kUsage;
    return kExitUsage;
  }
  std::string error;
  auto args = Arguments::parse(
      {all.begin() + 1, all.end()}, {"help", "overdue", "defaults"},
      {"config", "system", "item", "state", "actor", "role", "actor-system", "name", "contact-name",
       "contact-phone", "notes", "to", "version", "mapping-version", "reason", "scenarios"},
      error);
  if (args && args->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!args || !args->positionals().empty() || !args->has("config")) {
    std::cerr << "huitong filing " << verb << ": "
              << (!error.empty() ? error : "--config FILE is required, and no bare arguments")
              << "\n"
              << kUsage;
    return kExitUsage;
  }
  const char* v = verb.c_str();
  auto opened = openRegistry(args->get("config"));
  if (!opened.ok()) {
    std::cerr << "huitong filing " << verb << ": " << opened.error().describe() << "\n";
    return kExitUsage;
  }
  WorkCalendar calendar = WorkCalendar::china();
  if (const auto& block = opened.value().config.calendar) {
    if (auto r = calendar.configure(*block); !r.ok()) {
      std::cerr << "huitong filing: " << r.error().describe() << "\n";
      return kExitUsage;
    }
  }
  SystemClock clock;
  // Going online asks for the sandbox sessions recorded in the same database.
  auto sandboxStore = sandbox::SandboxStore::open(opened.value().config.store);
  if (!sandboxStore.ok()) {
    std::cerr << "huitong filing " << verb << ": sandbox store: " << sandboxStore.error().describe()
              << "\n";
    return kExitFailed;
  }
  registry::MappingVersions versions(*opened.value().store, clock);
  sandbox::SandboxService sandboxEvidence(versions, *sandboxStore.value(), clock,
                                          opened.value().store.get());
  registry::RecordedGoLiveChecks checks(
      *opened.value().store, opened.value().config.assumeSandboxEvidence, &sandboxEvidence,
      [](const std::string& message, const std::string& system, const std::string& item,
         const std::string& version) {
        std::cerr << "huitong filing: warning: " << message << " (" << system << " " << item << " v"
                  << version << ")\n";
      });
  registry::RegistryService service(*opened.value().store, clock, calendar, checks);
  const Day today = chinaDay(clock.now());

  if (verb == "list") {
    registry::FilingFilter filter;
    filter.system = args->get("system");
    if (args->has("state")) {
      filter.state = registry::filingStateFrom(args->get("state"));
      if (!filter.state) {
        std::cerr << "huitong filing list: unknown state '" << args->get("state") << "'\n";
        return kExitUsage;
      }
    }
    if (args->has("overdue"))
      filter.overdueOn = today;
    auto filings = service.list(filter);
    if (!filings.ok())
      return refusedOrFailed(v, filings.error());
    for (const auto& f : filings.value())
      printRow(f, today);
    return kExitOk;
  }
  if (args->get("system").empty() || args->get("item").empty()) {
    std::cerr << "huitong filing " << verb << ": --system S and --item I are required\n";
    return kExitUsage;
  }
  const std::string system = args->get("system");
  const std::string item = args->get("item");
  if (verb == "show") {
    auto f = service.get(system, item);
    if (!f.ok())
      return refusedOrFailed(v, f.error());
    if (!f.value()) {
      std::cerr << "huitong filing show: no filing for item " << item << " of system " << system
                << "\n";
      return kExitFailed;
    }
    auto doc = json::parse(registry::filingJson(*f.value()));
    std::cout << json::writePretty(doc.value()) << "\n";
    return kExitOk;
  }
  const auto actor = actorFrom(*args, v);
  if (!actor)
    return kExitUsage;
  // --scenarios FILE read and checked ("" without it); an error names the file and the element.
  std::string scenarios;
  if (args->has("scenarios")) {
    const std::string path = args->get("scenarios");
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      std::cerr << "huitong filing " << verb << ": cannot read " << path << "\n";
      return kExitUsage;
    }
    auto file = mapping::PositionedJson::parse(text.str(), path);
    if (!file.ok()) {
      std::cerr << "huitong filing " << verb << ": " << file.error().describe() << "\n";
      return kExitUsage;
    }
    auto normal = registry::normalizeScenarios(file.value().root());
    if (!normal.ok()) {
      std::cerr << "huitong filing " << verb << ": " << path << ": " << normal.error().message
                << "\n";
      return kExitUsage;
    }
    scenarios = normal.value();
  }
  if (verb == "create") {
    auto f = service.create({system, item, args->get("name"), args->get("contact-name"),
                             args->get("contact-phone"), args->get("notes"), scenarios},
                            *actor);
    if (!f.ok())
      return refusedOrFailed(v, f.error());
    std::cout << "created " << registry::filingTarget(system, item) << " (requested, version "
              << f.value().version << ")\n";
    return kExitOk;
  }
  if (verb == "scenarios") {
    if (args->has("scenarios") == args->has("defaults")) {
      std::cerr << "huitong filing scenarios: give --scenarios FILE or --defaults\n" << kUsage;
      return kExitUsage;
    }
    std::int64_t expected = 0;
    try {
      std::size_t used = 0;
      expected = std::stoll(args->get("version"), &used);
      if (used != args->get("version").size())
        throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      std::cerr << "huitong filing scenarios: --version N (the version you read) is required\n";
      return kExitUsage;
    }
    auto f = service.updateScenarios(system, item, expected, scenarios, *actor);
    if (!f.ok())
      return refusedOrFailed(v, f.error());
    std::cout << "scenarios of " << registry::filingTarget(system, item) << " set ("
              << (scenarios.empty() ? "defaults" : "the filing's own") << ", version "
              << f.value().version << ")\n";
    return kExitOk;
  }
  registry::MoveRequest move;
  const auto to = registry::filingStateFrom(args->get("to"));
  std::int64_t version = 0;
  try {
    std::size_t used = 0;
    version = std::stoll(args->get("version"), &used);
    if (used != args->get("version").size())
      version = 0;
  } catch (const std::exception&) {
    version = 0;
  }
  if (!to || version < 1) {
    std::cerr << "huitong filing move: --to STATE and --version N (the version you read) are "
                 "required\n";
    return kExitUsage;
  }
  move.to = *to;
  move.expectedVersion = version;
  move.mappingVersion = args->get("mapping-version");
  move.reason = args->get("reason");
  auto f = service.move(system, item, move, *actor);
  if (!f.ok())
    return refusedOrFailed(v, f.error());
  std::cout << "moved " << registry::filingTarget(system, item) << " to "
            << registry::toString(f.value().state) << " (version " << f.value().version << ")";
  if (f.value().configuringDue && f.value().state == registry::FilingState::kConfiguring)
    std::cout << ", configuring due " << formatDate(*f.value().configuringDue)
              << (f.value().configuringDueProvisional ? " (provisional)" : "");
  std::cout << "\n";
  return kExitOk;
}

}  // namespace huitong::app
