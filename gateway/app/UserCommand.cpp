// `huitong user create | list | set-password | disable`: staff accounts from the command line
// (the first admin is made here). Passwords are read from standard input, never from the
// command line (where `ps` and shell history would see them). Every change is an audit entry
// by "cli:<os user>".
#include <pwd.h>
#include <unistd.h>

#include <iostream>
#include <string>

#include "gateway/app/CommandLine.h"
#include "gateway/app/RegistryAccess.h"
#include "gateway/core/Clock.h"
#include "gateway/registry/StaffAccess.h"

namespace huitong::app {
namespace {

constexpr const char* kUsage =
    "usage: huitong user create --config FILE --name N --role ROLE [--system S]   (password on "
    "stdin)\n"
    "       huitong user list --config FILE\n"
    "       huitong user set-password --config FILE --name N   (password on stdin)\n"
    "       huitong user disable --config FILE --name N\n"
    "ROLE: admin | operator | auditor | department (with --system: the one system it acts for).\n"
    "A password has at least 12 characters. Each change is audited as actor cli:<os user>.\n";

std::string osUser() {
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr)
    return pw->pw_name;
  return "uid-" + std::to_string(geteuid());
}

// The first line of standard input, without its line end.
std::string readPassword() {
  std::string line;
  std::getline(std::cin, line);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
    line.pop_back();
  return line;
}

int failed(const std::string& verb, const Error& e) {
  std::cerr << "huitong user " << verb << ": " << e.code << ": " << e.describe() << "\n";
  return e.code.rfind("staff.", 0) == 0 ? kExitFailed : kExitUsage;
}

}  // namespace

int runUser(const std::vector<std::string>& all) {
  if (all.empty() || all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
    (all.empty() ? std::cerr : std::cout) << kUsage;
    return all.empty() ? kExitUsage : kExitOk;
  }
  const std::string verb = all[0];
  if (verb != "create" && verb != "list" && verb != "set-password" && verb != "disable") {
    std::cerr << "huitong user: unknown command '" << verb << "'\n" << kUsage;
    return kExitUsage;
  }
  std::string error;
  auto args = Arguments::parse({all.begin() + 1, all.end()}, {"help"},
                               {"config", "name", "role", "system"}, error);
  if (args && args->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!args || !args->positionals().empty() || !args->has("config") ||
      (verb != "list" && args->get("name").empty())) {
    std::cerr << "huitong user " << verb << ": "
              << (!error.empty() ? error : "--config FILE (and --name N) are required") << "\n"
              << kUsage;
    return kExitUsage;
  }
  auto opened = openRegistry(args->get("config"), verb == "create");
  if (!opened.ok()) {
    std::cerr << "huitong user " << verb << ": " << opened.error().describe() << "\n";
    return kExitUsage;
  }
  SystemClock clock;
  registry::AccessPolicy policy;
  registry::StaffAccess access(*opened.value().store, clock, policy);
  const registry::ChangedBy by{"cli:" + osUser(), "system"};
  const std::string name = args->get("name");

  if (verb == "list") {
    auto accounts = access.accounts();
    if (!accounts.ok())
      return failed(verb, accounts.error());
    for (const auto& a : accounts.value()) {
      std::cout << a.name << '\t' << registry::toString(a.role) << '\t'
                << (a.system.empty() ? "-" : a.system) << '\t'
                << (a.disabled ? "disabled" : "active") << "\n";
    }
    return kExitOk;
  }
  if (verb == "create") {
    const auto role = registry::roleFrom(args->get("role"));
    if (!role) {
      std::cerr << "huitong user create: --role admin|operator|auditor|department is required\n";
      return kExitUsage;
    }
    // A department account for a system the gateway does not serve would see nothing: a typo.
    const std::string system = args->get("system");
    if (!system.empty() && opened.value().config.findSystem(system) == nullptr) {
      return failed(verb, Error{"staff.invalid",
                                "no system '" + system + "' in " + args->get("config"), "system"});
    }
    auto created = access.createAccount(name, *role, system, readPassword(), by);
    if (!created.ok())
      return failed(verb, created.error());
    std::cout << "created " << name << " (" << registry::toString(*role) << ")\n";
    return kExitOk;
  }
  if (verb == "set-password") {
    if (auto r = access.setPassword(name, readPassword(), by); !r.ok())
      return failed(verb, r.error());
    std::cout << "password set for " << name << "; its sessions ended\n";
    return kExitOk;
  }
  if (auto r = access.disable(name, by); !r.ok())
    return failed(verb, r.error());
  std::cout << "disabled " << name << "; its sessions ended\n";
  return kExitOk;
}

}  // namespace huitong::app
