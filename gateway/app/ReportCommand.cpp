#include "gateway/app/ReportCommand.h"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "gateway/app/CommandLine.h"
#include "gateway/app/MonitorWiring.h"
#include "gateway/app/ReportWiring.h"
#include "gateway/exchange/Metrics.h"

namespace huitong::app {
namespace {

constexpr const char* kUsage =
    "usage: huitong report monthly --month YYYY-MM [--config FILE] [--format html|md]\n"
    "                              [--out FILE] [--no-keep]\n"
    "The monthly operation report (月度运维报告): faults and SLA compliance, backups and restore\n"
    "tests, optimisation and change records, availability, exchange volumes, reject rates and\n"
    "delivery lag, resource trends, inspections and their findings, for the month in China time\n"
    "(a month in progress counts up to now).\n"
    "  --config FILE   the gateway's config (default gateway.json): its store, monitor checks,\n"
    "                  systems, faults.sla and report.dir\n"
    "  --format        html (default: one self-contained page with inline SVG charts) or md\n"
    "  --out FILE      write the report there (default: stdout)\n"
    "  --no-keep       do not also keep both forms in report.dir (monthly-YYYY-MM.html/.md)\n"
    "exit: 0 written, 1 the store could not be read, 2 bad usage or config "
    "(docs/cli.md \"huitong report\").\n";

int usage(const std::string& why) {
  std::cerr << "huitong report monthly: " << why << "\n" << kUsage;
  return kExitUsage;
}

}  // namespace

int runReport(const std::vector<std::string>& all) {
  if (all.empty() || all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
    (all.empty() ? std::cerr : std::cout) << kUsage;
    return all.empty() ? kExitUsage : kExitOk;
  }
  if (all[0] != "monthly") {
    std::cerr << "huitong report: unknown command '" << all[0] << "'\n" << kUsage;
    return kExitUsage;
  }
  std::string error;
  auto args = Arguments::parse({all.begin() + 1, all.end()}, {"help", "no-keep"},
                               {"month", "config", "format", "out"}, error);
  if (!args)
    return usage(error);
  if (args->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!args->positionals().empty())
    return usage("no bare arguments");
  const auto month = ops::report::parseMonth(args->get("month"));
  if (!month)
    return usage("--month must be YYYY-MM such as 2026-11, not '" + args->get("month") + "'");
  const std::string format = args->get("format", "html");
  if (format != "html" && format != "md")
    return usage("--format must be html or md, not '" + format + "'");
  const std::string file = args->get("config", "gateway.json");
  auto config = http::loadConfig(file);
  if (!config.ok()) {
    std::cerr << "huitong report monthly: " << config.error().describe() << "\n";
    return kExitUsage;
  }
  const http::GatewayConfig& c = config.value();
  WorkCalendar calendar = WorkCalendar::china();
  if (c.calendar) {
    if (auto r = calendar.configure(*c.calendar); !r.ok()) {
      std::cerr << "huitong report monthly: " << r.error().describe() << "\n";
      return kExitUsage;
    }
  }
  std::error_code ec;
  if (c.store.kind == "sqlite" && !std::filesystem::exists(c.store.path, ec)) {
    std::cerr << "huitong report monthly: " << file << ": no database at " << c.store.path
              << " (store.path; has the gateway run with this config?)\n";
    return kExitUsage;
  }
  SystemClock clock;
  // The configured checks, read as `huitong serve` reads the monitor block (not started).
  exchange::MetricsRegistry metrics;
  ReportWiring::Inputs in;
  in.config = &c;
  in.calendar = &calendar;
  std::unique_ptr<MonitorWiring> monitoring;
  if (c.monitor) {
    auto wiring = MonitorWiring::create(c.monitor, c.store, calendar, clock, metrics);
    if (!wiring.ok()) {
      std::cerr << "huitong report monthly: " << wiring.error().describe() << "\n";
      return kExitUsage;
    }
    monitoring = std::move(wiring).value();
    for (const auto& s : monitoring->service().scheduler().snapshot())
      in.checks.push_back({s.id, s.kind, s.cadence});
  }
  auto wiring = ReportWiring::create(in);
  if (!wiring.ok()) {
    std::cerr << "huitong report monthly: " << wiring.error().describe() << "\n";
    return wiring.error().code.rfind("store.", 0) == 0 ? kExitFailed : kExitUsage;
  }
  const bool keep = !args->has("no-keep");
  auto g = wiring.value()->service().generate(month->year, month->month, clock.now(), "cli", keep);
  if (!g.ok()) {
    std::cerr << "huitong report monthly: " << g.error().describe() << "\n";
    return g.error().code == "report.month_not_begun" ? kExitUsage : kExitFailed;
  }
  const std::string& text = format == "html" ? g.value().html : g.value().markdown;
  if (args->has("out")) {
    std::ofstream out(args->get("out"), std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::cerr << "huitong report monthly: cannot write " << args->get("out") << "\n";
      return kExitFailed;
    }
    std::cerr << "huitong report monthly: " << g.value().data.monthText() << " written to "
              << args->get("out") << " (gathered in " << g.value().gatherSeconds
              << " s, rendered in " << g.value().renderSeconds << " s)";
    if (keep)
      std::cerr << "; kept as " << g.value().htmlPath << " and " << g.value().markdownPath;
    std::cerr << "\n";
  } else {
    std::cout << text;
  }
  return kExitOk;
}

}  // namespace huitong::app
