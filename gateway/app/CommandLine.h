// The CLI's shared parts: a verb table, argument parsing and exit codes. Every verb answers
// --help and exits 0 (ok), 1 (a failed check: rejected input, failing test) or 2 (bad usage
// or unreadable input).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace huitong::app {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// Options of one verb, parsed from argv: "--name value", "--name=value", flags, positionals.
class Arguments {
 public:
  // `flags` lists the options that take no value; every other --option takes one.
  static std::optional<Arguments> parse(const std::vector<std::string>& args,
                                        const std::vector<std::string>& flags,
                                        const std::vector<std::string>& valued, std::string& error);
  bool has(const std::string& name) const { return options_.count(name) != 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  std::map<std::string, std::string> options_;
  std::vector<std::string> positionals_;
};

// Reads a whole file (or stdin for "-"); error says which file and why.
bool readFile(const std::string& path, std::string& out, std::string& error);

int runJsonPath(const std::vector<std::string>& args);
int runMap(const std::vector<std::string>& args);
int runMappingTest(const std::vector<std::string>& args);
// `huitong mapping versions | draft | test | publish | rollback | export` (MappingCommand.cpp)
int runMappingVersions(const std::vector<std::string>& args);
int runServe(const std::vector<std::string>& args);
// `huitong calendar is-workday | add-workdays | explain | years`
int runCalendar(const std::vector<std::string>& args);
int runAdapters(const std::vector<std::string>& args);
// `huitong audit verify | query` (AuditCommand.cpp)
int runAudit(const std::vector<std::string>& args);
// `huitong filing list | show | create | move` (FilingCommand.cpp)
int runFiling(const std::vector<std::string>& args);
// `huitong user create | list | set-password | disable` (UserCommand.cpp)
int runUser(const std::vector<std::string>& args);
// `huitong ticket create|list|show|assign|status|comment|escalate|on-site|fix|report|compliance`
// (TicketCommand.cpp)
int runTicket(const std::vector<std::string>& args);
// `huitong probe run` (ProbeCommand.cpp)
int runProbe(const std::vector<std::string>& args);

}  // namespace huitong::app
