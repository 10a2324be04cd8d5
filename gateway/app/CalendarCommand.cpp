// `huitong calendar`: the working-day calendar from the command line (an ops person checking a
// deadline, a script computing one).
#include <iostream>

#include "gateway/app/CommandLine.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/http/GatewayConfig.h"

namespace huitong::app {
namespace {

constexpr const char* kUsage =
    "usage: huitong calendar is-workday YYYY-MM-DD     prints true or false\n"
    "       huitong calendar add-workdays YYYY-MM-DD N prints the date N working days later\n"
    "       huitong calendar explain YYYY-MM-DD        says why (holiday, 调休, weekend)\n"
    "       huitong calendar years                     lists the years with a published notice\n"
    "  --config FILE   also apply the gateway config's \"calendar\" block (overrides, hours)\n"
    "China's public holidays and adjusted working days (gateway/core/calendar/). A date in a\n"
    "year without a published notice is judged Monday-Friday; a note on standard error says so.\n";

void noteProvisional(bool provisional, Day day) {
  if (provisional) {
    std::cerr << "note: provisional — " << formatDate(day).substr(0, 4)
              << " (or a year on the way) has no published holiday notice in this build; "
                 "counted Monday–Friday\n";
  }
}

}  // namespace

int runCalendar(const std::vector<std::string>& all) {
  std::vector<std::string> args;
  std::string configFile;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i] == "--config" && i + 1 < all.size())
      configFile = all[++i];
    else
      args.push_back(all[i]);
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? std::cerr : std::cout) << kUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  WorkCalendar cal = WorkCalendar::china();
  if (!configFile.empty()) {
    auto config = http::loadConfig(configFile);
    if (!config.ok()) {
      std::cerr << "huitong calendar: " << config.error().describe() << "\n";
      return kExitUsage;
    }
    if (config.value().calendar) {
      if (auto r = cal.configure(*config.value().calendar); !r.ok()) {
        std::cerr << "huitong calendar: " << r.error().describe() << "\n";
        return kExitUsage;
      }
    }
  }
  const std::string& verb = args[0];
  if (verb == "years" && args.size() == 1) {
    for (int y : cal.publishedYears())
      std::cout << y << "\n";
    return kExitOk;
  }
  if (args.size() < 2) {
    std::cerr << "huitong calendar " << verb << ": a date YYYY-MM-DD is required\n" << kUsage;
    return kExitUsage;
  }
  auto day = parseDate(args[1]);
  if (!day.ok()) {
    std::cerr << "huitong calendar: " << day.error().message << "\n";
    return kExitUsage;
  }
  if (verb == "is-workday" && args.size() == 2) {
    std::cout << (cal.isWorkday(day.value()) ? "true" : "false") << "\n";
    noteProvisional(!cal.isPublished(day.value()), day.value());
    return kExitOk;
  }
  if (verb == "explain" && args.size() == 2) {
    std::cout << formatDate(day.value()) << " "
              << (cal.isWorkday(day.value()) ? "working day" : "day off") << ": "
              << cal.reason(day.value()) << "\n";
    return kExitOk;
  }
  if (verb == "add-workdays" && args.size() == 3) {
    long n = -1;
    try {
      std::size_t used = 0;
      n = std::stol(args[2], &used);
      if (used != args[2].size())
        n = -1;
    } catch (const std::exception&) {
      n = -1;
    }
    if (n < 0 || n > 10000) {
      std::cerr << "huitong calendar add-workdays: N is a whole number from 0 to 10000, got '"
                << args[2] << "'\n";
      return kExitUsage;
    }
    const auto a = cal.addWorkdays(day.value(), static_cast<int>(n));
    std::cout << formatDate(a.day) << "\n";
    noteProvisional(a.provisional, a.day);
    return kExitOk;
  }
  std::cerr << "huitong calendar: unknown or incomplete command\n" << kUsage;
  return kExitUsage;
}

}  // namespace huitong::app
