// `huitong mapping versions | draft | test --version | publish | rollback | export`: mapping
// versions in the registry of the store a gateway config names (docs/mapping-versions.md). A
// running gateway switches to what is published here within its registry refresh interval.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "gateway/app/CommandLine.h"
#include "gateway/app/RegistryAccess.h"
#include "gateway/app/ScaffoldCommand.h"
#include "gateway/core/Json.h"
#include "gateway/registry/MappingVersions.h"

namespace huitong::app {
namespace {

const char* const kUsage =
    "usage: huitong mapping test [DIR] [--system ID]       embedded tests of mapping folders\n"
    "       huitong mapping versions --config FILE [--system S]\n"
    "       huitong mapping draft    --config FILE --actor NAME --role ROLE DIR\n"
    "       huitong mapping test     --config FILE --actor NAME --role ROLE --system S "
    "--version V\n"
    "       huitong mapping publish  --config FILE --actor NAME --role ROLE --system S "
    "--version V\n"
    "       huitong mapping rollback --config FILE --actor NAME --role ROLE --system S "
    "--version V\n"
    "       huitong mapping export   --config FILE --system S --version V --out DIR\n"
    "       huitong mapping scaffold --system ID --sample FILE [--out DIR]   a first draft\n"
    "A version's life: draft (uploaded from a folder: mapping.json and the files it names)\n"
    "→ tested (its embedded tests pass) → published (tests run again; it becomes the version\n"
    "every gateway on the store runs, switched without restart). rollback makes an earlier\n"
    "published version live again. ROLE: admin | operator. Every change is an audit entry.\n"
    "Exit: 0 done, 1 refused (tests fail, illegal move, stale), 2 bad usage or input.\n";

int failed(const std::string& verb, const Error& e) {
  std::cerr << "huitong mapping " << verb << ": " << e.code << ": " << e.describe() << "\n";
  const bool refused = e.code == "mapping.tests_failed" || e.code == "mapping.illegal_move" ||
                       e.code == "mapping.stale" || e.code == "mapping.exists" ||
                       e.code == "mapping.forbidden" || e.code == "mapping.input_format";
  return refused ? kExitFailed : kExitUsage;
}

void printVersion(const registry::MappingVersionRecord& v, const std::string& live) {
  std::cout << v.system << '\t' << v.version << '\t' << registry::toString(v.state)
            << (v.version == live ? " (live)" : "") << '\t' << v.sha256.substr(0, 12) << '\t'
            << formatRfc3339(v.createdAt) << '\t' << v.createdBy << "\n";
}

void printReport(const std::string& reportJson) {
  auto d = json::parse(reportJson);
  if (!d.ok() || !d.value().HasMember("tests"))
    return;
  for (const auto& t : d.value()["tests"].GetArray()) {
    const bool ok = t["passed"].GetBool();
    std::cout << (ok ? "ok    " : "FAIL  ") << t["name"].GetString() << "\n";
    for (const auto& f : t["failures"].GetArray())
      std::cout << "      " << f.GetString() << "\n";
  }
}

}  // namespace

int runMappingVersions(const std::vector<std::string>& all) {
  const std::string verb = all.empty() ? "" : all[0];
  if (verb.empty() || verb == "--help" || verb == "-h" || verb == "help") {
    (verb.empty() ? std::cerr : std::cout) << kUsage;
    return verb.empty() ? kExitUsage : kExitOk;
  }
  const std::vector<std::string> rest(all.begin() + 1, all.end());
  const bool stored = std::find(rest.begin(), rest.end(), "--config") != rest.end();
  if (verb == "scaffold")
    return runMappingScaffold(rest);
  if (verb == "test" && !stored)
    return runMappingTest(rest);
  if (verb != "versions" && verb != "draft" && verb != "test" && verb != "publish" &&
      verb != "rollback" && verb != "export") {
    std::cerr << "huitong mapping: unknown command '" << verb << "'\n" << kUsage;
    return kExitUsage;
  }
  std::string error;
  auto args = Arguments::parse(rest, {"help"},
                               {"config", "system", "version", "actor", "role", "out"}, error);
  if (args && args->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  const bool wantsDir = verb == "draft";
  if (!args || !args->has("config") || args->positionals().size() != (wantsDir ? 1u : 0u)) {
    std::cerr << "huitong mapping " << verb << ": "
              << (!error.empty() ? error
                  : wantsDir     ? "--config FILE and one DIR (the mapping's folder) are required"
                                 : "--config FILE is required, and no bare arguments")
              << "\n"
              << kUsage;
    return kExitUsage;
  }
  auto opened = openRegistry(args->get("config"));
  if (!opened.ok()) {
    std::cerr << "huitong mapping " << verb << ": " << opened.error().describe() << "\n";
    return kExitUsage;
  }
  SystemClock clock;
  registry::MappingVersions versions(*opened.value().store, clock);
  const std::string system = args->get("system");
  const std::string version = args->get("version");

  if (verb == "versions") {
    auto list = versions.versions(system);
    if (!list.ok())
      return failed(verb, list.error());
    auto live = versions.live();
    if (!live.ok())
      return failed(verb, live.error());
    for (const auto& v : list.value()) {
      std::string liveVersion;
      for (const auto& l : live.value())
        liveVersion = l.system == v.system ? l.version : liveVersion;
      printVersion(v, liveVersion);
    }
    return kExitOk;
  }
  if (verb == "export") {
    if (system.empty() || version.empty() || args->get("out").empty()) {
      std::cerr << "huitong mapping export: --system S --version V --out DIR are required\n";
      return kExitUsage;
    }
    auto one = versions.get(system, version);
    if (!one.ok())
      return failed(verb, one.error());
    if (!one.value())
      return failed(verb, Error{"mapping.not_found",
                                "system " + system + " has no mapping version " + version, ""});
    auto bundle = registry::storedBundle(*one.value());
    if (!bundle.ok())
      return failed(verb, bundle.error());
    namespace fs = std::filesystem;
    for (const auto& [path, bytes] : bundle.value().files) {
      const fs::path target = fs::path(args->get("out")) / path;
      std::error_code ec;
      fs::create_directories(target.parent_path(), ec);
      std::ofstream f(target, std::ios::binary);
      f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (ec || !f) {
        std::cerr << "huitong mapping export: cannot write " << target.string() << "\n";
        return kExitUsage;
      }
      std::cout << target.string() << "\n";
    }
    return kExitOk;
  }
  const auto role = registry::roleFrom(args->get("role"));
  if (args->get("actor").empty() || !role) {
    std::cerr << "huitong mapping " << verb
              << ": --actor NAME and --role admin|operator are required\n";
    return kExitUsage;
  }
  const registry::Actor actor{args->get("actor"), *role, ""};
  if (verb == "draft") {
    const std::string dir = args->positionals()[0];
    auto bundle = registry::readBundleDir(dir);
    if (!bundle.ok())
      return failed(verb, bundle.error());
    auto compiled = registry::compileBundle(bundle.value(), dir);
    if (!compiled.ok())
      return failed(verb, compiled.error());
    auto drafted = versions.draft(compiled.value()->system(), bundle.value(), actor);
    if (!drafted.ok())
      return failed(verb, drafted.error());
    std::cout << drafted.value().system << " v" << drafted.value().version << ": "
              << registry::toString(drafted.value().state) << " (sha256 "
              << drafted.value().sha256.substr(0, 12) << ")\n";
    return kExitOk;
  }
  if (system.empty() || version.empty()) {
    std::cerr << "huitong mapping " << verb << ": --system S and --version V are required\n";
    return kExitUsage;
  }
  if (verb == "test") {
    auto tested = versions.test(system, version, actor);
    if (!tested.ok())
      return failed(verb, tested.error());
    printReport(tested.value().reportJson);
    std::cout << system << " v" << version << ": " << tested.value().passed << " passed, "
              << tested.value().failed << " failed → "
              << registry::toString(tested.value().record.state) << "\n";
    return tested.value().failed ? kExitFailed : kExitOk;
  }
  auto live = verb == "publish" ? versions.publish(system, version, actor)
                                : versions.rollback(system, version, actor);
  if (!live.ok()) {
    if (live.error().code == "mapping.tests_failed") {
      auto stored = versions.get(system, version);
      if (stored.ok() && stored.value())
        printReport(stored.value()->testReport);
    }
    return failed(verb, live.error());
  }
  std::cout << system << ": v" << live.value().version << " is live (generation "
            << live.value().generation
            << "); running gateways switch within their registry refresh interval\n";
  return kExitOk;
}

}  // namespace huitong::app
