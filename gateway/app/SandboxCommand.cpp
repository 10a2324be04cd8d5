// `huitong sandbox replay`: the journaled messages of a system over a time range, run through a
// stored mapping version (a draft before it is published), each compared with the events
// production queued for it. Reads the store a page at a time (bounded memory whatever the
// range); progress on standard error; the report on standard output, as text or JSON lines.
#include "gateway/app/SandboxCommand.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "gateway/app/CommandLine.h"
#include "gateway/app/RegistryAccess.h"
#include "gateway/core/Json.h"
#include "gateway/exchange/Replay.h"
#include "gateway/registry/MappingVersions.h"

namespace huitong::app {
namespace {

constexpr const char* kUsage =
    "usage: huitong sandbox replay --config FILE --system S --version V --from RFC3339\n"
    "                              --to RFC3339 [--limit N] [--json] [--changed-only]\n"
    "replay: runs the messages of system S journaled in [--from, --to) (received time, e.g.\n"
    "  2026-11-20T00:00:00+08:00) through the stored mapping version V (draft, tested or\n"
    "  published) and compares each with the events production queued for it: same, changed\n"
    "  (with each differing field as a JSON pointer, before and after), new_events, events_gone,\n"
    "  now_rejected, now_accepted or unreadable. Events are matched by event_id, leftovers by\n"
    "  position (said as 'matched by position'). --limit: at most N messages (default all);\n"
    "  --changed-only: leave out messages that are the same; --json: one JSON object per\n"
    "  message and a last {\"summary\": ...} line. Progress goes to standard error.\n"
    "  Exit 0: nothing would change; 1: something would; 2: bad usage or input.\n"
    "See docs/mapping-versions.md (Replay before publishing).\n";

// Messages read and replayed per store page.
constexpr int kPageSize = 1000;

bool parseCount(const std::string& text, std::int64_t& out) {
  try {
    std::size_t used = 0;
    out = std::stoll(text, &used);
    return used == text.size() && out > 0;
  } catch (const std::exception&) {
    return false;
  }
}

std::string shown(const std::optional<std::string>& json) {
  return json ? *json : std::string("(absent)");
}

void printText(std::ostream& out, const exchange::MessageReplay& m) {
  out << m.messageId << "  " << formatRfc3339(m.receivedAt) << "  "
      << exchange::outcomeName(m.outcome) << " (production: " << m.productionState << ")\n";
  if (m.outcome == exchange::ReplayOutcome::kUnreadable) {
    out << "  unreadable: " << m.error.describe() << "\n";
    return;
  }
  for (const exchange::EventChange& c : m.events) {
    switch (c.kind) {
      case exchange::EventChange::Kind::kSame:
        break;
      case exchange::EventChange::Kind::kNew:
        out << "  event " << c.eventId << ": new (production made no such event)\n";
        break;
      case exchange::EventChange::Kind::kGone:
        out << "  event " << c.eventId << ": gone (the draft no longer makes it)\n";
        break;
      case exchange::EventChange::Kind::kChanged:
        out << "  event " << c.eventId << ": changed";
        if (c.matchedByPosition)
          out << " (matched by position: production's was " << c.productionEventId << ")";
        out << "\n";
        for (const exchange::FieldChange& f : c.fields)
          out << "    " << (f.pointer.empty() ? "/" : f.pointer) << ": " << shown(f.before)
              << " -> " << shown(f.after) << "\n";
        break;
    }
  }
  if (m.outcome != exchange::ReplayOutcome::kSame) {
    for (const auto& r : m.rejections)
      out << "  rejected: " << r.field << " " << r.code << ": " << r.message << "\n";
  }
}

std::string summaryText(const exchange::ReplaySummary& s) {
  std::string text = std::to_string(s.messages) + " messages:";
  for (int i = 0; i < exchange::kReplayOutcomes; ++i) {
    text += (i == 0 ? " " : ", ") + std::to_string(s.counts[i]) + " " +
            exchange::outcomeName(static_cast<exchange::ReplayOutcome>(i));
  }
  return text;
}

int replay(const Arguments& args) {
  const std::string system = args.get("system");
  const std::string version = args.get("version");
  EpochMillis from = 0, to = 0;
  if (!parseRfc3339(args.get("from"), from)) {
    std::cerr << "huitong sandbox replay: --from: '" << args.get("from")
              << "' is not an RFC 3339 date-time (e.g. 2026-11-20T00:00:00+08:00)\n";
    return kExitUsage;
  }
  if (!parseRfc3339(args.get("to"), to)) {
    std::cerr << "huitong sandbox replay: --to: '" << args.get("to")
              << "' is not an RFC 3339 date-time (e.g. 2026-11-21T00:00:00+08:00)\n";
    return kExitUsage;
  }
  if (from > to) {
    std::cerr << "huitong sandbox replay: --from " << args.get("from") << " is after --to "
              << args.get("to") << "\n";
    return kExitUsage;
  }
  std::int64_t limit = 0;
  if (args.has("limit") && !parseCount(args.get("limit"), limit)) {
    std::cerr << "huitong sandbox replay: --limit: '" << args.get("limit")
              << "' is not a positive whole number\n";
    return kExitUsage;
  }
  const bool json = args.has("json");
  const bool changedOnly = args.has("changed-only");

  auto opened = openRegistry(args.get("config"));
  if (!opened.ok()) {
    std::cerr << "huitong sandbox replay: " << opened.error().describe() << "\n";
    return kExitUsage;
  }
  SystemClock clock;
  registry::MappingVersions versions(*opened.value().store, clock);
  auto record = versions.get(system, version);
  if (!record.ok()) {
    std::cerr << "huitong sandbox replay: " << record.error().describe() << "\n";
    return kExitUsage;
  }
  if (!record.value()) {
    std::cerr << "huitong sandbox replay: system " << system << " has no mapping version '"
              << version << "' (huitong mapping versions lists them)\n";
    return kExitUsage;
  }
  auto draft = versions.load(system, version);
  if (!draft.ok()) {
    std::cerr << "huitong sandbox replay: " << draft.error().describe() << "\n";
    return kExitUsage;
  }
  auto store = storage::ExchangeStore::open(opened.value().config.store);
  if (!store.ok()) {
    std::cerr << "huitong sandbox replay: " << store.error().describe() << "\n";
    return kExitUsage;
  }

  const storage::JournalRange range{system, from, to};
  auto total = store.value()->journalCount(range);
  if (!total.ok()) {
    std::cerr << "huitong sandbox replay: " << total.error().describe() << "\n";
    return kExitUsage;
  }
  const std::int64_t estimate = limit > 0 ? std::min(limit, total.value()) : total.value();
  const bool tty = isatty(STDERR_FILENO) != 0;
  const auto start = std::chrono::steady_clock::now();
  auto progress = [&](std::int64_t done, bool last) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char line[160];
    std::snprintf(line, sizeof line, "replay: %lld/%lld messages, %.0f msg/s, %.1f s",
                  static_cast<long long>(done), static_cast<long long>(estimate),
                  secs > 0 ? static_cast<double>(done) / secs : 0.0, secs);
    std::cerr << (tty ? "\r" : "") << line << (tty && !last ? "" : "\n") << std::flush;
  };

  exchange::ReplaySummary summary;
  std::int64_t after = 0;
  progress(0, estimate == 0);
  while (limit == 0 || summary.messages < limit) {
    const std::int64_t want =
        limit > 0 ? std::min<std::int64_t>(kPageSize, limit - summary.messages) : kPageSize;
    auto page =
        exchange::replayPage(*store.value(), *draft.value(), range, after, static_cast<int>(want));
    if (!page.ok()) {
      std::cerr << "\nhuitong sandbox replay: " << page.error().describe() << "\n";
      return kExitUsage;
    }
    for (const exchange::MessageReplay& m : page.value().messages) {
      if (changedOnly && m.outcome == exchange::ReplayOutcome::kSame)
        continue;
      if (json) {
        rapidjson::Document d(rapidjson::kObjectType);
        std::cout << json::write(exchange::messageReplayToJson(m, d.GetAllocator())) << "\n";
      } else {
        printText(std::cout, m);
      }
    }
    summary.add(page.value().summary);
    const bool last = !page.value().nextAfter || (limit > 0 && summary.messages >= limit);
    progress(summary.messages, last);
    if (last)
      break;
    after = *page.value().nextAfter;
  }
  if (json) {
    rapidjson::Document d(rapidjson::kObjectType);
    d.AddMember("summary", exchange::replaySummaryToJson(summary, d.GetAllocator()),
                d.GetAllocator());
    std::cout << json::write(d) << "\n";
  } else {
    std::cout << "summary: " << system << " version " << version << ", " << summaryText(summary)
              << "\n";
  }
  std::cout.flush();
  return summary.differing() == 0 ? kExitOk : kExitFailed;
}

struct SubVerb {
  const char* name;
  int (*run)(const Arguments&);
  std::vector<std::string> flags;
  std::vector<std::string> valued;
  std::vector<std::string> required;
};

const std::vector<SubVerb>& subVerbs() {
  static const std::vector<SubVerb> kSubVerbs = {
      {"replay",
       replay,
       {"help", "json", "changed-only"},
       {"config", "system", "version", "from", "to", "limit"},
       {"config", "system", "version", "from", "to"}},
  };
  return kSubVerbs;
}

}  // namespace

int runSandbox(const std::vector<std::string>& all) {
  if (all.empty() || all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
    (all.empty() ? std::cerr : std::cout) << kUsage;
    return all.empty() ? kExitUsage : kExitOk;
  }
  for (const SubVerb& sub : subVerbs()) {
    if (all[0] != sub.name)
      continue;
    std::string error;
    const auto args = Arguments::parse({all.begin() + 1, all.end()}, sub.flags, sub.valued, error);
    if (args && args->has("help")) {
      std::cout << kUsage;
      return kExitOk;
    }
    if (!args) {
      std::cerr << "huitong sandbox " << sub.name << ": " << error << "\n" << kUsage;
      return kExitUsage;
    }
    if (!args->positionals().empty()) {
      std::cerr << "huitong sandbox " << sub.name << ": unexpected argument '"
                << args->positionals()[0] << "'\n"
                << kUsage;
      return kExitUsage;
    }
    for (const std::string& name : sub.required) {
      if (!args->has(name)) {
        std::cerr << "huitong sandbox " << sub.name << ": --" << name << " is required\n" << kUsage;
        return kExitUsage;
      }
    }
    return sub.run(*args);
  }
  std::cerr << "huitong sandbox: unknown command '" << all[0] << "'\n" << kUsage;
  return kExitUsage;
}

}  // namespace huitong::app
