// `huitong audit verify | query`: the audit trail for the people who answer for it — check the
// whole hash chain against its anchor, and answer an auditor's question as a table, JSON or
// CSV. Both stream: a chain or an export of any length runs in bounded memory.
#include <iostream>
#include <string>

#include "gateway/app/CommandLine.h"
#include "gateway/app/RegistryAccess.h"
#include "gateway/core/Json.h"
#include "gateway/registry/AuditChain.h"
#include "gateway/registry/AuditExport.h"

namespace huitong::app {
namespace {

constexpr const char* kUsage =
    "usage: huitong audit verify --config FILE\n"
    "       huitong audit query --config FILE [--system S] [--item I] [--actor A] [--action X]\n"
    "                           [--target TEXT] [--since RFC3339] [--until RFC3339]\n"
    "                           [--after SEQ] [--limit N] [--format json|csv]\n"
    "verify: reads every entry of the store's audit trail in order and checks each hash, each\n"
    "  link to the previous entry and the anchor (entry count and head hash). Prints the count\n"
    "  and head hash (exit 0), or names the first broken entry and why (exit 1).\n"
    "query: the entries matching every filter given, in order (--target: a plain substring;\n"
    "  --since/--until: inclusive times such as 2026-03-01T00:00:00+08:00; --after: start after\n"
    "  that seq; --limit: at most N entries, default all). JSON (an array) by default; CSV with a\n"
    "  header row for spreadsheets. See docs/audit.md.\n";

// Verify's progress on standard error: every this many entries.
constexpr std::int64_t kProgressEvery = 100000;

int verify(const Arguments& args) {
  auto opened = openRegistry(args.get("config"));
  if (!opened.ok()) {
    std::cerr << "huitong audit verify: " << opened.error().describe() << "\n";
    return kExitUsage;
  }
  registry::ChainVerifier verifier;
  auto anchor = opened.value().store->scanChain([&](const registry::AuditEntry& e) {
    const bool whole = verifier.add(e);
    if (whole && verifier.checked() % kProgressEvery == 0)
      std::cerr << "checked " << verifier.checked() << " entries…\n";
    return whole;
  });
  if (!anchor.ok()) {
    std::cerr << "huitong audit verify: " << anchor.error().describe() << "\n";
    return kExitUsage;
  }
  registry::ChainVerdict v;
  if (!anchor.value()) {
    v = verifier.finish(std::nullopt);
    if (v.ok) {
      v.ok = false;
      v.brokenSeq = v.entries + 1;
      v.why = "the audit anchor (entry count and head hash) was deleted";
    }
  } else {
    v = verifier.finish(anchor.value());
  }
  if (!v.ok) {
    std::cout << "audit chain BROKEN at entry " << v.brokenSeq << ": " << v.why << "\n"
              << "entries checked before it: " << v.entries << "\n";
    return kExitFailed;
  }
  std::cout << "audit chain ok: " << v.entries << " entries, head " << v.head << "\n";
  return kExitOk;
}

using registry::writeAuditCsv;
using registry::writeAuditJson;

bool parseCount(const std::string& text, std::int64_t& out) {
  try {
    std::size_t used = 0;
    out = std::stoll(text, &used);
    return used == text.size() && out >= 0;
  } catch (const std::exception&) {
    return false;
  }
}

int query(const Arguments& args) {
  const std::string format = args.get("format", "json");
  if (format != "json" && format != "csv") {
    std::cerr << "huitong audit query: --format is json or csv, not '" << format << "'\n";
    return kExitUsage;
  }
  registry::AuditQuery q;
  q.system = args.get("system");
  q.item = args.get("item");
  q.actor = args.get("actor");
  q.action = args.get("action");
  q.targetContains = args.get("target");
  for (const char* bound : {"since", "until"}) {
    if (!args.has(bound))
      continue;
    EpochMillis t = 0;
    if (!parseRfc3339(args.get(bound), t)) {
      std::cerr << "huitong audit query: --" << bound
                << " is an RFC 3339 time such as 2026-03-01T00:00:00+08:00, not '"
                << args.get(bound) << "'\n";
      return kExitUsage;
    }
    (std::string(bound) == "since" ? q.since : q.until) = t;
  }
  std::int64_t limit = -1;
  if (args.has("limit") && (!parseCount(args.get("limit"), limit) || limit == 0)) {
    std::cerr << "huitong audit query: --limit is a whole number of entries, 1 or more\n";
    return kExitUsage;
  }
  if (args.has("after") && !parseCount(args.get("after"), q.afterSeq)) {
    std::cerr << "huitong audit query: --after is a seq (a whole number)\n";
    return kExitUsage;
  }
  auto opened = openRegistry(args.get("config"));
  if (!opened.ok()) {
    std::cerr << "huitong audit query: " << opened.error().describe() << "\n";
    return kExitUsage;
  }
  std::ios::sync_with_stdio(false);
  std::ostream& out = std::cout;
  if (format == "csv")
    out << registry::kAuditCsvHeader;
  else
    out << "[";
  std::int64_t written = 0;
  for (;;) {
    const std::int64_t left = limit < 0 ? registry::kMaxAuditPage : limit - written;
    q.limit = static_cast<int>(std::min<std::int64_t>(left, registry::kMaxAuditPage));
    auto page = opened.value().store->queryAudit(q);
    if (!page.ok()) {
      out.flush();
      std::cerr << "huitong audit query: " << page.error().describe() << "\n";
      return page.error().code.rfind("audit.", 0) == 0 ? kExitUsage : kExitFailed;
    }
    for (const auto& e : page.value().entries) {
      if (format == "csv") {
        writeAuditCsv(out, e);
      } else {
        out << (written == 0 ? "\n" : ",\n");
        writeAuditJson(out, e);
      }
      ++written;
    }
    if (page.value().nextAfterSeq == 0 || (limit >= 0 && written >= limit))
      break;
    q.afterSeq = page.value().nextAfterSeq;
  }
  if (format == "json")
    out << (written == 0 ? "]\n" : "\n]\n");
  out.flush();
  return out ? kExitOk : kExitFailed;
}

}  // namespace

int runAudit(const std::vector<std::string>& all) {
  if (all.empty() || all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
    (all.empty() ? std::cerr : std::cout) << kUsage;
    return all.empty() ? kExitUsage : kExitOk;
  }
  const std::string verb = all[0];
  std::string error;
  const std::vector<std::string> rest(all.begin() + 1, all.end());
  std::optional<Arguments> args;
  if (verb == "verify") {
    args = Arguments::parse(rest, {"help"}, {"config"}, error);
  } else if (verb == "query") {
    args = Arguments::parse(rest, {"help"},
                            {"config", "system", "item", "actor", "action", "target", "since",
                             "until", "after", "limit", "format"},
                            error);
  } else {
    std::cerr << "huitong audit: unknown command '" << verb << "'\n" << kUsage;
    return kExitUsage;
  }
  if (args && args->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!args || !args->positionals().empty() || !args->has("config")) {
    std::cerr << "huitong audit " << verb << ": "
              << (!error.empty()         ? error
                  : !args->has("config") ? std::string("--config FILE is required")
                                         : "unexpected argument '" + args->positionals()[0] + "'")
              << "\n"
              << kUsage;
    return kExitUsage;
  }
  return verb == "verify" ? verify(*args) : query(*args);
}

}  // namespace huitong::app
