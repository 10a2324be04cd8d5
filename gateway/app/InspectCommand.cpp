#include "gateway/app/InspectCommand.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "gateway/app/CommandLine.h"
#include "gateway/app/InspectionWiring.h"
#include "gateway/app/MonitorWiring.h"
#include "gateway/app/RegistryAccess.h"
#include "gateway/health/HealthService.h"
#include "gateway/http/HealthApi.h"

namespace huitong::app {
namespace {

using namespace ops::inspect;

constexpr const char* kUsage =
    "usage: huitong inspect run --config FILE [--actor NAME] [--json]\n"
    "       huitong inspect list --config FILE [--json]\n"
    "       huitong inspect show RUN --config FILE [--format json|html|md] [--out FILE]\n"
    "       huitong inspect sign-off RUN --config FILE --by USER [--note TEXT]\n"
    "run       runs every check of the config's inspection checklist now (each within\n"
    "          check_timeout_seconds), re-checks every open finding, prints each check as it\n"
    "          ends and a summary; audited as inspection.run by --actor (default: $USER)\n"
    "list      the runs with their findings and sign-off\n"
    "show      one run's report: Markdown by default on a terminal, --format html|md|json\n"
    "sign-off  records that USER reviewed run RUN (once; audited as inspection.sign_off)\n"
    "exit: 0 ok; 1 run: a major or critical finding is open, sign-off: already signed;\n"
    "2 bad usage, config or store (docs/operations.md \"Inspections\").\n";

int usage(const std::string& why) {
  std::cerr << "huitong inspect: " << why << "\n" << kUsage;
  return kExitUsage;
}

int fail(const std::string& why, int code = kExitUsage) {
  std::cerr << "huitong inspect: " << why << "\n";
  return code;
}

std::string pad(const std::string& s, std::size_t w) {
  return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' ');
}

std::string actorName(const std::string& given) {
  if (!given.empty())
    return given;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "cli";
}

// What the verbs hold open; members in destruction order (the wiring first).
struct Opened {
  OpenedRegistry registry;
  WorkCalendar calendar = WorkCalendar::china();
  SystemClock clock;
  exchange::MetricsRegistry metrics;
  std::unique_ptr<storage::ExchangeStore> store;
  std::unique_ptr<health::HealthService> health;
  std::unique_ptr<MonitorWiring> monitor;
  std::unique_ptr<InspectionWiring> wiring;
};

Result<std::unique_ptr<Opened>> open(const std::string& configFile) {
  if (configFile.empty())
    return Error{"usage", "--config FILE is required", ""};
  auto o = std::make_unique<Opened>();
  auto reg = openRegistry(configFile);
  if (!reg)
    return reg.error();
  o->registry = std::move(reg).value();
  const http::GatewayConfig& c = o->registry.config;
  if (c.calendar) {
    if (auto r = o->calendar.configure(*c.calendar); !r)
      return r.error();
  }
  auto store = storage::ExchangeStore::open(c.store);
  if (!store)
    return store.error();
  o->store = std::move(store).value();
  auto rules = c.health ? health::HealthRules::read(*c.health) : health::HealthRules();
  if (!rules)
    return rules.error();
  o->health =
      std::make_unique<health::HealthService>(*o->store, http::onlineItemsOf(*o->registry.store),
                                              nullptr, rules.value(), o->calendar, o->clock);
  auto monitor = MonitorWiring::create(c.monitor, c.store, o->calendar, o->clock, o->metrics);
  if (!monitor)
    return monitor.error();
  o->monitor = std::move(monitor).value();
  InspectionWiring::Inputs in;
  in.config = &o->registry.config;
  in.clock = &o->clock;
  in.calendar = &o->calendar;
  in.exchange = o->store.get();
  in.audit = o->registry.store.get();
  const http::GatewayConfig* config = &o->registry.config;
  in.gateway = [config] { return probeGateway(*config, 3000); };
  health::HealthService* h = o->health.get();
  in.items = [h] { return h->compute(); };
  in.monitor = o->monitor ? &o->monitor->service() : nullptr;
  auto wiring = InspectionWiring::create(in);
  if (!wiring)
    return wiring.error();
  o->wiring = std::move(wiring).value();
  return o;
}

bool runNumber(const std::string& text, std::int64_t& id) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  id = std::stoll(text);
  return id > 0;
}

int run(const Arguments& a, Opened& o) {
  const bool asJson = a.has("json");
  auto& service = o.wiring->service();
  if (!asJson)
    std::cout << "inspection" << (service.intensifiedNow() ? " (intensified: major event)" : "")
              << ", " << o.wiring->config().checks.size() << " checks, timeout "
              << o.wiring->config().checkTimeoutSeconds << " s each\n";
  auto r = service.run(Trigger::kManual, {actorName(a.get("actor")), "operator"},
                       [&](const CheckOutcome& c, const CheckReport* report) {
                         if (asJson)
                           return;
                         char ms[32];
                         std::snprintf(ms, sizeof ms, "%7.0f ms", c.durationMs);
                         std::cout << "  " << pad(c.check, 17) << pad(c.status, 10) << ms << "  "
                                   << c.message << "\n";
                         if (report != nullptr) {
                           for (const auto& p : report->problems)
                             std::cout << "      " << pad(severityName(p.severity), 9) << p.title
                                       << ": " << p.detail << "\n";
                         }
                         std::cout.flush();
                       });
  if (!r)
    return fail(r.error().describe(),
                r.error().code == "inspection.running" ? kExitFailed : kExitUsage);
  const auto& run = r.value();
  if (asJson) {
    auto report = service.report(run.id);
    if (!report)
      return fail(report.error().describe());
    std::cout << reportJson(report.value()) << "\n";
  } else {
    std::cout << "run " << run.id << " finished in "
              << static_cast<double>(run.finishedAt - run.startedAt) / 1000.0
              << " s: " << countsText(run.counts) << "\n";
    auto report = service.report(run.id);
    if (report) {
      for (const auto& [f, obs] : report.value().findings) {
        if (obs.outcome == "resolved")
          std::cout << "  resolved  #" << f.id << " " << f.title << " (open since run "
                    << f.firstSeenRun << ")\n";
      }
    }
    std::cout << "review and sign off: huitong inspect show " << run.id
              << " --config FILE; huitong inspect sign-off " << run.id
              << " --config FILE --by USER --note TEXT\n";
  }
  return hasSeriousOpen(run.counts) ? kExitFailed : kExitOk;
}

int list(const Arguments& a, Opened& o) {
  auto runs = o.wiring->service().list(0, 0, 1000);
  if (!runs)
    return fail(runs.error().describe());
  if (a.has("json")) {
    std::string out = "{\"runs\":[";
    for (std::size_t i = 0; i < runs.value().size(); ++i)
      out += (i ? "," : "") + runJson(runs.value()[i]);
    std::cout << out << "]}\n";
    return kExitOk;
  }
  std::cout << pad("RUN", 6) << pad("STARTED", 27) << pad("TRIGGER", 12) << pad("SIGNED OFF", 14)
            << "FINDINGS\n";
  for (const auto& r : runs.value()) {
    std::cout << pad(std::to_string(r.id), 6) << pad(formatRfc3339(r.startedAt), 27)
              << pad(triggerName(r.trigger), 12)
              << pad(r.signedOffBy.empty() ? "-" : r.signedOffBy, 14)
              << (r.finishedAt ? countsText(r.counts) : "did not finish") << "\n";
  }
  return kExitOk;
}

int show(const Arguments& a, Opened& o) {
  std::int64_t id = 0;
  if (a.positionals().size() != 2 || !runNumber(a.positionals()[1], id))
    return usage("show needs one RUN number");
  const std::string format = a.get("format", "md");
  if (format != "md" && format != "html" && format != "json")
    return usage("--format is json, html or md");
  auto report = o.wiring->service().report(id);
  if (!report)
    return fail(report.error().describe());
  const std::string text = format == "html"   ? renderHtml(report.value())
                           : format == "json" ? reportJson(report.value()) + "\n"
                                              : renderMarkdown(report.value());
  if (a.has("out")) {
    std::ofstream out(a.get("out"), std::ios::binary);
    if (!(out << text))
      return fail("cannot write " + a.get("out"));
    return kExitOk;
  }
  std::cout << text;
  return kExitOk;
}

int signOff(const Arguments& a, Opened& o) {
  std::int64_t id = 0;
  if (a.positionals().size() != 2 || !runNumber(a.positionals()[1], id))
    return usage("sign-off needs one RUN number");
  if (a.get("by").empty())
    return usage("sign-off needs --by USER (who reviewed the run)");
  auto r = o.wiring->service().signOff(id, {a.get("by"), "operator"}, a.get("note"));
  if (!r) {
    const bool already =
        r.error().code == "inspection.signed_off" || r.error().code == "inspection.not_finished";
    return fail(r.error().describe(), already ? kExitFailed : kExitUsage);
  }
  std::cout << "run " << id << " signed off by " << r.value().signedOffBy << " at "
            << formatRfc3339(r.value().signedOffAt) << "\n";
  return kExitOk;
}

}  // namespace

int runInspect(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    (args.empty() ? std::cerr : std::cout) << kUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  std::string error;
  auto parsed = Arguments::parse(args, {"json", "help"},
                                 {"config", "actor", "format", "out", "by", "note"}, error);
  if (!parsed)
    return usage(error);
  if (parsed->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  const std::string verb = parsed->positionals().empty() ? "" : parsed->positionals()[0];
  if (verb != "run" && verb != "list" && verb != "show" && verb != "sign-off")
    return usage("unknown command '" + verb + "'");
  if (verb != "show" && verb != "sign-off" && parsed->positionals().size() != 1)
    return usage(verb + " takes no arguments");
  auto opened = open(parsed->get("config"));
  if (!opened)
    return fail(opened.error().describe());
  Opened& o = *opened.value();
  if (verb == "run")
    return run(*parsed, o);
  if (verb == "list")
    return list(*parsed, o);
  if (verb == "show")
    return show(*parsed, o);
  return signOff(*parsed, o);
}

}  // namespace huitong::app
