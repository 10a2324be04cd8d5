// `huitong probe run`: the configured page probes and login flows run once, now, from the
// operator's shell — to try a new probe before the scheduler takes it, or to see why one fails.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "gateway/app/CommandLine.h"
#include "gateway/core/Json.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/monitor/probe/ProbeConfig.h"

namespace huitong::app {
namespace {

constexpr const char* kUsage =
    "usage: huitong probe run --config FILE [--id ID] [--json]\n"
    "Runs the probes of the config's monitor.probes once (each within its timeout_ms) and\n"
    "prints each result: a table of its steps (HTTP status; DNS, connect, TLS, first byte and\n"
    "total in ms) and the failing assertion, or with --json the results as JSON.\n"
    "  --id ID   only this probe\n"
    "exit: 0 every probe ok, 1 a probe failed or could not run, 2 bad usage or config\n"
    "(docs/monitoring.md, \"Page probes and login flows\").\n";

std::string ms(double v) {
  if (v < 0)
    return "-";
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << v;
  return os.str();
}

// Pads to `width` display columns (a CJK character takes two).
std::string pad(const std::string& s, std::size_t width) {
  std::size_t cols = 0;
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    cols += len >= 3 ? 2 : 1;
    i += len;
  }
  return cols >= width ? s + " " : s + std::string(width - cols, ' ');
}

void printTable(const monitor::probe::Probe& probe, const monitor::CheckResult& r,
                std::ostream& out) {
  out << r.checkId << "  " << r.kind << "  " << monitor::toString(r.status) << "  "
      << ms(r.durationMs) << " ms  " << r.target << "\n";
  // TLS settings and credentials (the password by fingerprint only).
  for (const std::string& line : probe.describe()) {
    if (line.rfind("  tls:", 0) == 0 || line.rfind("  credentials:", 0) == 0)
      out << line << "\n";
  }
  out << "  " << pad("#", 3) << pad("step", 26) << pad("http", 6) << pad("dns", 8)
      << pad("connect", 9) << pad("tls", 8) << pad("1st byte", 10) << pad("total", 9) << "result\n";
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    const monitor::StepResult& s = r.steps[i];
    out << "  " << pad(std::to_string(i + 1), 3) << pad(s.name, 26)
        << pad(s.httpStatus ? std::to_string(s.httpStatus) : "-", 6) << pad(ms(s.timings.dnsMs), 8)
        << pad(ms(s.timings.connectMs), 9) << pad(ms(s.timings.tlsMs), 8)
        << pad(ms(s.timings.firstByteMs), 10) << pad(ms(s.timings.totalMs), 9)
        << monitor::toString(s.status) << "\n";
  }
  if (!r.message.empty())
    out << "  " << monitor::toString(r.status) << ": " << r.message << "\n";
  if (auto it = r.values.find("tls_days_left"); it != r.values.end())
    out << "  certificate: " << ms(it->second) << " days left\n";
}

}  // namespace

int runProbe(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? std::cerr : std::cout) << kUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] != "run") {
    std::cerr << "huitong probe: unknown command '" << args[0] << "'\n" << kUsage;
    return kExitUsage;
  }
  std::string error;
  auto parsed =
      Arguments::parse({args.begin() + 1, args.end()}, {"json", "help"}, {"config", "id"}, error);
  if (!parsed) {
    std::cerr << "huitong probe run: " << error << "\n" << kUsage;
    return kExitUsage;
  }
  if (parsed->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!parsed->has("config") || !parsed->positionals().empty()) {
    std::cerr << "huitong probe run: --config FILE is required (and nothing else positional)\n"
              << kUsage;
    return kExitUsage;
  }
  auto config = http::loadConfig(parsed->get("config"));
  if (!config.ok()) {
    std::cerr << "huitong probe run: " << config.error().describe() << "\n";
    return kExitUsage;
  }
  if (!config.value().monitor) {
    std::cerr << "huitong probe run: " << parsed->get("config")
              << " has no \"monitor\" block (probes are listed in monitor.probes)\n";
    return kExitUsage;
  }
  auto probes = monitor::probe::readProbeList(*config.value().monitor);
  if (!probes.ok()) {
    std::cerr << "huitong probe run: " << probes.error().describe() << "\n";
    return kExitUsage;
  }
  std::vector<monitor::probe::ConfiguredProbe> chosen;
  const std::string id = parsed->get("id");
  for (const auto& p : probes.value()) {
    if (id.empty() || p.probe->id() == id)
      chosen.push_back(p);
  }
  if (chosen.empty()) {
    if (id.empty()) {
      std::cerr << "huitong probe run: " << parsed->get("config")
                << " lists no probes (monitor.probes)\n";
    } else {
      // The first 20 ids: enough to spot a typo without flooding the terminal.
      std::string ids;
      std::size_t shown = 0;
      for (const auto& p : probes.value()) {
        if (shown++ == 20) {
          ids += ", ... " + std::to_string(probes.value().size() - 20) + " more";
          break;
        }
        ids += (ids.empty() ? "" : ", ") + p.probe->id();
      }
      std::cerr << "huitong probe run: no probe '" << id << "' in " << parsed->get("config")
                << " (probes: " << (ids.empty() ? "none" : ids) << ")\n";
    }
    return kExitUsage;
  }
  const bool asJson = parsed->has("json");
  SystemClock clock;
  bool allOk = true;
  rapidjson::Document doc(rapidjson::kObjectType);
  rapidjson::Value results(rapidjson::kArrayType);
  for (const auto& p : chosen) {
    monitor::RunContext ctx;
    ctx.clock = &clock;
    ctx.timeoutMs = p.cadence.timeoutMs;
    const monitor::CheckResult r = p.probe->run(ctx);
    allOk = allOk && r.ok();
    if (asJson) {
      results.PushBack(monitor::toJson(r, doc.GetAllocator()), doc.GetAllocator());
    } else {
      printTable(*p.probe, r, std::cout);
      std::cout << "\n";
    }
  }
  if (asJson) {
    doc.AddMember("ok", allOk, doc.GetAllocator());
    doc.AddMember("results", results, doc.GetAllocator());
    std::cout << json::writePretty(doc) << "\n";
  }
  return allOk ? kExitOk : kExitFailed;
}

}  // namespace huitong::app
