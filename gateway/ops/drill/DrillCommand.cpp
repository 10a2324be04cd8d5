#include "gateway/ops/drill/DrillCommand.h"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <rapidjson/document.h>

#include "gateway/core/Json.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/ops/drill/DrillHttp.h"
#include "gateway/ops/drill/DrillLedger.h"
#include "gateway/ops/drill/PlatformOutageDrill.h"
#include "gateway/registry/RegistryStore.h"

namespace huitong::ops::drill {

namespace {

constexpr int kOk = 0, kFailed = 1, kUsage = 2;

const char* const kUsageText =
    "usage: huitong drill platform-outage [--gateway URL] [--platform-admin URL]\n"
    "         [--outage-seconds N] [--messages N] [--system S] [--simulator-config FILE]\n"
    "         [--drain-timeout N] [--ops-token T | --user NAME --password-file FILE|-]\n"
    "         [--json] [--config FILE [--actor NAME] [--role operator|admin]]\n"
    "Takes the (mock) platform away for N seconds (default 30), sends N messages (default 20)\n"
    "of department S (default marriage, signed with its key from the simulator config, default\n"
    "sandbox/demo/simulator.json) through the gateway's intake meanwhile, brings the platform\n"
    "back and waits (at most --drain-timeout s, default 300) until every accepted event is held\n"
    "by the platform. Defaults: --gateway http://127.0.0.1:8600, --platform-admin\n"
    "http://127.0.0.1:8601 (the demo). --ops-token (or HUITONG_OPS_TOKEN), or a staff login\n"
    "(--user, the password read from --password-file, '-' = stdin), reads the gateway's state of\n"
    "missing events. --config and --actor (default: --user) record the result on the audit\n"
    "trail (drill.platform_outage). Ctrl-C or SIGTERM restores the platform before exiting.\n"
    "Exit 0: nothing lost; 1: an event missing, a message refused, or the drill failed; 2: "
    "usage.\n";

std::atomic<bool> gStop{false};

extern "C" void onDrillSignal(int) {
  gStop = true;
}

// Installs the stop handlers for the drill's lifetime and puts the previous ones back.
class SignalScope {
 public:
  SignalScope() {
    struct sigaction sa {};
    sa.sa_handler = onDrillSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &oldInt_);
    sigaction(SIGTERM, &sa, &oldTerm_);
  }
  ~SignalScope() {
    sigaction(SIGINT, &oldInt_, nullptr);
    sigaction(SIGTERM, &oldTerm_, nullptr);
  }

 private:
  struct sigaction oldInt_ {};
  struct sigaction oldTerm_ {};
};

bool parseNumber(const std::string& text, double lo, double hi, double& out) {
  try {
    std::size_t used = 0;
    out = std::stod(text, &used);
    return used == text.size() && out >= lo && out <= hi;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

int runDrill(const std::vector<std::string>& args) {
  return runDrill(args, std::cout, std::cerr);
}

int runDrill(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto usage = [&](const std::string& why) {
    err << "huitong drill: " << why << "\n" << kUsageText;
    return kUsage;
  };
  if (args.empty())
    return usage("name a drill: platform-outage");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    out << kUsageText;
    return kOk;
  }
  if (args[0] != "platform-outage")
    return usage("unknown drill '" + args[0] + "' (known: platform-outage)");
  const std::set<std::string> valued = {
      "gateway",       "platform-admin", "outage-seconds", "messages", "system", "simulator-config",
      "drain-timeout", "ops-token",      "config",         "actor",    "role",   "user",
      "password-file"};
  std::map<std::string, std::string> opt;
  bool asJson = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string a = args[i];
    if (a == "--help" || a == "-h") {
      out << kUsageText;
      return kOk;
    }
    if (a == "--json") {
      asJson = true;
      continue;
    }
    if (a.rfind("--", 0) != 0)
      return usage("unexpected argument '" + a + "'");
    std::string name = a.substr(2), value;
    const auto eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (valued.count(name)) {
      if (i + 1 >= args.size())
        return usage("--" + name + " needs a value");
      value = args[++i];
    }
    if (!valued.count(name))
      return usage("unknown option --" + name);
    opt[name] = value;
  }
  auto get = [&](const std::string& name, const std::string& fallback) {
    auto it = opt.find(name);
    return it == opt.end() ? fallback : it->second;
  };

  DrillPlan plan;
  plan.gatewayUrl = get("gateway", plan.gatewayUrl);
  plan.platformUrl = get("platform-admin", plan.platformUrl);
  const char* envToken = std::getenv("HUITONG_OPS_TOKEN");
  plan.opsToken = get("ops-token", envToken ? envToken : "");
  double n = 0;
  if (opt.count("outage-seconds")) {
    if (!parseNumber(opt["outage-seconds"], 1, 3600, n))
      return usage("--outage-seconds must be a number from 1 to 3600");
    plan.outageSeconds = n;
  }
  if (opt.count("messages")) {
    if (!parseNumber(opt["messages"], 1, 1000, n) || n != static_cast<int>(n))
      return usage("--messages must be a whole number from 1 to 1000");
    plan.messages = static_cast<int>(n);
  }
  if (opt.count("drain-timeout")) {
    if (!parseNumber(opt["drain-timeout"], 1, 86400, n))
      return usage("--drain-timeout must be a number of seconds from 1 to 86400");
    plan.drainTimeoutSeconds = n;
  }
  for (const auto* url : {&plan.gatewayUrl, &plan.platformUrl}) {
    if (url->rfind("http://", 0) != 0)
      return usage("--gateway and --platform-admin are http:// URLs (got '" + *url + "')");
  }

  // Recording is decided before anything runs: a drill nobody can record is refused up front.
  std::unique_ptr<registry::RegistryStore> registry;
  registry::Actor actor;
  if (opt.count("user") && !opt.count("actor"))
    opt["actor"] = opt["user"];
  if (opt.count("user") != opt.count("password-file"))
    return usage("--user NAME and --password-file FILE go together (a staff login)");
  if (opt.count("user") && opt.count("ops-token"))
    return usage("give --ops-token or --user, not both");
  std::string password;
  if (opt.count("password-file")) {
    const std::string f = opt["password-file"];
    std::ostringstream text;
    if (f == "-") {
      text << std::cin.rdbuf();
    } else {
      std::ifstream in(f, std::ios::binary);
      if (!in) {
        err << "huitong drill: cannot read " << f << " (--password-file)\n";
        return kUsage;
      }
      text << in.rdbuf();
    }
    password = text.str();
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
      password.pop_back();
  }
  if (opt.count("config") || opt.count("actor")) {
    if (get("config", "").empty() || get("actor", "").empty())
      return usage("--config FILE and --actor NAME go together (they record the drill)");
    const auto role = registry::roleFrom(get("role", "operator"));
    if (!role || (*role != registry::Role::kOperator && *role != registry::Role::kAdmin))
      return usage("--role is operator or admin (operators run drills)");
    actor = registry::Actor{get("actor", ""), *role, ""};
    auto config = http::loadConfig(get("config", ""));
    if (!config.ok()) {
      err << "huitong drill: " << config.error().describe() << "\n";
      return kUsage;
    }
    auto store = registry::RegistryStore::open(config.value().store);
    if (!store.ok()) {
      err << "huitong drill: " << get("config", "") << ": " << store.error().describe() << "\n";
      return kUsage;
    }
    registry = std::move(store).value();
  }

  SystemClock clock;
  auto sender = DepartmentSender::fromSimulatorConfig(
      get("simulator-config", "sandbox/demo/simulator.json"), get("system", "marriage"),
      plan.gatewayUrl, makeRunTag(clock.now()));
  if (!sender.ok()) {
    err << "huitong drill: " << sender.error().describe() << "\n";
    return kUsage;
  }

  if (opt.count("user")) {
    rapidjson::Document body(rapidjson::kObjectType);
    body.AddMember("name", json::string(opt["user"], body.GetAllocator()), body.GetAllocator());
    body.AddMember("password", json::string(password, body.GetAllocator()), body.GetAllocator());
    const HttpReply r = httpCall("POST", plan.gatewayUrl + "/auth/v1/login", json::write(body),
                                 {{"Content-Type", "application/json"}}, plan.requestTimeoutMillis);
    auto doc = json::parse(r.body);
    if (r.status != 200 || !doc.ok() || !doc.value().IsObject() ||
        !doc.value().HasMember("token") || !doc.value()["token"].IsString()) {
      err << "huitong drill: login of " << opt["user"] << " at " << plan.gatewayUrl << " refused ("
          << (r.status ? "HTTP " + std::to_string(r.status) : r.error) << ")\n";
      return kFailed;
    }
    plan.opsToken = doc.value()["token"].GetString();
  }

  gStop = false;
  DrillResult result;
  {
    SignalScope signals;
    result = runPlatformOutageDrill(
        plan, sender.value(), clock, gStop,
        [&](const std::string& line) { err << "drill: " << line << std::endl; });
  }
  if (opt.count("user")) {
    (void)httpCall("POST", plan.gatewayUrl + "/auth/v1/logout", "",
                   {{"Authorization", "Bearer " + plan.opsToken}}, plan.requestTimeoutMillis);
  }
  if (registry) {
    DrillLedger ledger(*registry);
    auto recorded = ledger.record(result.record, actor, clock.now());
    if (recorded.ok()) {
      result.record.id = recorded.value().id;
      result.record.actor = actor.name;
      result.notes.push_back("recorded as audit entry " + std::to_string(recorded.value().id) +
                             " (" + kPlatformOutageAction + ") by " + actor.name);
    } else {
      result.notes.push_back("NOT recorded: " + recorded.error().describe());
      if (result.record.ok) {
        out << (asJson ? renderJson(result) + "\n" : renderText(result));
        return kFailed;
      }
    }
  } else {
    result.notes.push_back(
        "not recorded (--config FILE --actor NAME record it on the audit trail)");
  }
  out << (asJson ? renderJson(result) + "\n" : renderText(result));
  return result.record.ok ? kOk : kFailed;
}

}  // namespace huitong::ops::drill
