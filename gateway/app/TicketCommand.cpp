// `huitong ticket create | list | show | assign | status | comment | escalate | on-site |
// report | compliance`: fault tickets from the command line, through the same TicketService
// (rules, closing rules, audit entries) `huitong serve` uses, on the store its config names.
// The person acting is named with --actor and --role, as for `huitong filing` (docs/cli.md).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <set>
#include <string>

#include "gateway/app/CommandLine.h"
#include "gateway/app/RegistryAccess.h"
#include "gateway/core/Json.h"
#include "gateway/faults/MajorReports.h"
#include "gateway/faults/TicketService.h"
#include "gateway/faults/TicketSla.h"
#include "gateway/faults/sla/Compliance.h"
#include "gateway/faults/sla/SlaClock.h"

namespace huitong::app {
namespace {

constexpr const char* kUsage =
    "usage: huitong ticket create --config FILE --actor NAME --role ROLE --channel CHANNEL\n"
    "                             [--caller NAME --number PHONE --called-at TIME] [--system S]\n"
    "                             [--item I] [--title T] --description TEXT [--type TYPE]\n"
    "                             [--severity SEVERITY] [--on-site]\n"
    "       huitong ticket list --config FILE --actor NAME --role ROLE [--open] [--system S]\n"
    "                           [--status STATUS] [--limit N] [--json]\n"
    "       huitong ticket show ID --config FILE --actor NAME --role ROLE [--json]\n"
    "       huitong ticket assign ID ... [--group G] [--assignee NAME] [--reason TEXT]\n"
    "       huitong ticket status ID ... --to STATUS [--reason TEXT]\n"
    "       huitong ticket comment ID ... --text TEXT\n"
    "       huitong ticket escalate ID ... --reason TEXT [--group G]\n"
    "       huitong ticket on-site ID ... (--dispatched | --arrived) [--text TEXT]\n"
    "       huitong ticket fix ID ... [--version V] [--commit C] [--changed WHAT]\n"
    "                                 [--documentation TEXT]\n"
    "       huitong ticket report ID ... [--edit FILE | --html OUT | --markdown OUT]\n"
    "       huitong ticket compliance --config FILE --actor NAME --role ROLE --month YYYY-MM\n"
    "                                 [--json]\n"
    "       huitong ticket follow-ups ... [--status open|closed|overdue] [--ticket ID]\n"
    "                                 [--owner NAME] [--json]\n"
    "       huitong ticket follow-ups ... --close ID/N --note TEXT\n"
    "       huitong ticket major-reports ... [--month YYYY-MM] [--json]\n"
    "ROLE: admin | operator | auditor | department (with --actor-system: its own system).\n"
    "CHANNEL: phone | fax | email | api (phone and fax need --caller, --number, --called-at).\n"
    "TIME: RFC 3339 (2026-11-03T09:58:00+08:00). TYPE: application | database | network |\n"
    "exchange | security | bug | other. SEVERITY: general | major.\n"
    "STATUS: new | assigned | in_progress | waiting_for_reporter | resolved | closed.\n"
    "report: without an option prints the major-fault analysis report as JSON (the saved one,\n"
    "else pre-filled from the ticket's history); --edit FILE saves FILE's cause, measures and\n"
    "improvements [{action, owner, due}] over it; --html/--markdown write it (OUT '-': stdout).\n"
    "A bug closes only with fix documentation and a link to the fix; a major ticket only with a\n"
    "complete report. follow-ups: the reports' improvements with owner and due date as tasks\n"
    "(overdue: open and due before today); --close ends task N of ticket ID with a note.\n"
    "major-reports: the kept reports by incident start. Exit 0 ok, 1 refused or failed, 2 bad\n"
    "usage or input.\n";

int failed(const std::string& verb, const Error& e) {
  std::cerr << "huitong ticket " << verb << ": " << e.code << ": " << e.describe() << "\n";
  const bool input = e.code == "ticket.invalid" || e.code == "ticket.report_invalid" ||
                     e.code == "followup.not_found";
  return input ? kExitUsage : kExitFailed;
}

int usage(const std::string& verb, const std::string& why) {
  std::cerr << "huitong ticket " << verb << ": " << why << "\n";
  return kExitUsage;
}

bool readText(const std::string& path, std::string& out) {
  std::string error;
  if (readFile(path, out, error))
    return true;
  std::cerr << "huitong ticket: " << error << "\n";
  return false;
}

bool writeText(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text;
    return true;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "huitong ticket: cannot write " << path << "\n";
    return false;
  }
  return true;
}

std::string worstState(const sla::SlaEvaluation& e) {
  return sla::toString(e.worstOpen());
}

// The clocks of one ticket in words, one line each.
void printClocks(const faults::Ticket& t, const std::vector<faults::TicketEvent>& history,
                 const sla::SlaPolicy& policy, EpochMillis now, const WorkCalendar& calendar) {
  const auto timeline = faults::slaTimeline(t, history);
  const auto e = sla::evaluate(timeline, policy, now, calendar);
  std::cout << "SLA clocks (as of " << sla::formatChinaTime(now) << "):\n";
  for (const auto& r : e.clocks)
    std::cout << "  " << sla::toString(r.kind) << "\t" << sla::toString(r.state) << "\t"
              << sla::describe(r) << (r.provisional ? " (provisional)" : "") << "\n";
  if (t.type == faults::TicketType::kBug)
    std::cout << "  bug\t" << sla::bugClock(timeline, policy, now, calendar).text << "\n";
}

}  // namespace

int runTicket(const std::vector<std::string>& all) {
  if (all.empty() || all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
    (all.empty() ? std::cerr : std::cout) << kUsage;
    return all.empty() ? kExitUsage : kExitOk;
  }
  const std::string verb = all[0];
  static const std::vector<std::string> kVerbs = {
      "create",  "list", "show",   "assign",     "status",     "comment",      "escalate",
      "on-site", "fix",  "report", "compliance", "follow-ups", "major-reports"};
  if (std::find(kVerbs.begin(), kVerbs.end(), verb) == kVerbs.end()) {
    std::cerr << "huitong ticket: unknown command '" << verb << "'\n" << kUsage;
    return kExitUsage;
  }
  std::string error;
  auto args = Arguments::parse(
      {all.begin() + 1, all.end()}, {"help", "open", "json", "on-site", "dispatched", "arrived"},
      {"config",        "actor",  "role",     "actor-system", "channel",     "caller", "number",
       "called-at",     "system", "item",     "title",        "description", "type",   "severity",
       "status",        "limit",  "group",    "assignee",     "reason",      "to",     "text",
       "edit",          "html",   "markdown", "month",        "version",     "commit", "changed",
       "documentation", "ticket", "owner",    "close",        "note"},
      error);
  if (args && args->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  const bool needsId = verb != "create" && verb != "list" && verb != "compliance" &&
                       verb != "follow-ups" && verb != "major-reports";
  if (!args)
    return usage(verb, error);
  if (!args->has("config"))
    return usage(verb, "--config FILE is required");
  if (needsId != (args->positionals().size() == 1))
    return usage(verb, needsId ? "give the ticket id (T-YYYY-NNNNNN)" : "no bare arguments");
  const auto role = registry::roleFrom(args->get("role"));
  if (args->get("actor").empty() || !role)
    return usage(verb, "--actor NAME and --role admin|operator|auditor|department are required");
  const faults::Caller caller =
      faults::Caller::staff(registry::Actor{args->get("actor"), *role, args->get("actor-system")});

  auto opened = openRegistry(args->get("config"));
  if (!opened.ok())
    return usage(verb, opened.error().describe());
  const auto& config = opened.value().config;
  WorkCalendar calendar = WorkCalendar::china();
  if (config.calendar) {
    if (auto r = calendar.configure(*config.calendar); !r.ok())
      return usage(verb, r.error().describe());
  }
  faults::FaultRules rules;
  sla::SlaPolicy policy;
  if (config.faults) {
    auto parsed = faults::FaultRules::parse(*config.faults);
    if (!parsed.ok())
      return usage(verb, parsed.error().describe());
    rules = std::move(parsed).value();
    if (config.faults->has("sla")) {
      auto node = config.faults->object("sla");
      if (!node.ok())
        return usage(verb, node.error().describe());
      auto read = sla::SlaPolicy::read(node.value());
      if (!read.ok())
        return usage(verb, read.error().describe());
      policy = std::move(read).value();
    }
  }
  // As `huitong serve` does: without groups, one group of every admin and operator account.
  if (rules.groups.empty()) {
    faults::MaintainerGroup g;
    g.name = "operators";
    auto accounts = opened.value().store->accounts();
    if (!accounts.ok())
      return failed(verb, accounts.error());
    for (const auto& a : accounts.value()) {
      if (!a.disabled && (a.role == registry::Role::kAdmin || a.role == registry::Role::kOperator))
        g.members.push_back(a.name);
    }
    std::sort(g.members.begin(), g.members.end());
    if (!g.members.empty()) {
      rules.groups.push_back(g);
      rules.defaultGroup = g.name;
    }
  }
  auto store = faults::TicketStore::open(config.store);
  if (!store.ok())
    return failed(verb, store.error());
  SystemClock clock;
  faults::TicketService service(*store.value(), *opened.value().store, rules, clock, calendar);
  const EpochMillis now = clock.now();

  if (verb == "follow-ups") {
    const Day today = chinaDay(now);
    if (args->has("close")) {
      const std::string target = args->get("close");
      const auto slash = target.find('/');
      int year = 0;
      std::int64_t number = 0;
      const std::string ticketId = target.substr(0, slash);
      const std::string n = slash == std::string::npos ? "" : target.substr(slash + 1);
      if (!faults::parseTicketId(ticketId, year, number) || n.empty() || n.size() > 4 ||
          n.find_first_not_of("0123456789") != std::string::npos)
        return usage(verb, "--close takes TICKET/N, such as T-2026-000042/1");
      if (!args->has("note"))
        return usage(verb, "--close needs --note TEXT saying what was done");
      auto closed = service.closeFollowUp(ticketId, std::stoi(n), args->get("note"), caller);
      if (!closed.ok())
        return failed(verb, closed.error());
      std::cout << "closed follow-up " << target << ": " << closed.value().action << "\n";
      return kExitOk;
    }
    faults::FollowUpFilter f;
    const std::string status = args->get("status");
    if (status == "overdue")
      f.overdueOnly = true;
    else if (!status.empty() && !(f.status = faults::parseFollowUpStatus(status)))
      return usage(verb, "--status must be open, closed or overdue");
    f.ticketId = args->get("ticket");
    f.owner = args->get("owner");
    f.limit = 1000;
    auto found = service.followUps(f, caller);
    if (!found.ok())
      return failed(verb, found.error());
    if (args->has("json")) {
      rapidjson::Document d(rapidjson::kArrayType);
      auto& a = d.GetAllocator();
      for (const auto& x : found.value()) {
        rapidjson::Value o(rapidjson::kObjectType);
        o.AddMember("id", json::string(x.ticketId + "/" + std::to_string(x.n), a), a);
        o.AddMember("action", json::string(x.action, a), a);
        o.AddMember("owner", json::string(x.owner, a), a);
        o.AddMember("due", json::string(formatDate(x.due), a), a);
        o.AddMember("status", json::string(faults::toString(x.status), a), a);
        o.AddMember("overdue", x.overdue(today), a);
        o.AddMember("closed_by", json::string(x.closedBy, a), a);
        o.AddMember("note", json::string(x.note, a), a);
        d.PushBack(o, a);
      }
      std::cout << json::writePretty(d) << "\n";
      return kExitOk;
    }
    for (const auto& x : found.value()) {
      std::cout << x.ticketId << "/" << x.n << "\t" << formatDate(x.due) << "\t"
                << (x.overdue(today) ? "OVERDUE" : faults::toString(x.status)) << "\t" << x.owner
                << "\t" << x.action
                << (x.closedBy.empty() ? "" : " (closed by " + x.closedBy + ": " + x.note + ")")
                << "\n";
    }
    if (found.value().empty())
      std::cout << "no follow-up tasks\n";
    return kExitOk;
  }

  if (verb == "major-reports") {
    EpochMillis from = 0, to = std::numeric_limits<EpochMillis>::max();
    if (args->has("month")) {
      const std::string month = args->get("month");
      auto first = parseDate(month + "-01");
      if (month.size() != 7 || !first.ok())
        return usage(verb, "--month must be YYYY-MM, such as 2026-11");
      auto next = parseDate(formatDate(first.value() + 32).substr(0, 7) + "-01");
      constexpr EpochMillis kDay = 86'400'000, kChinaOffset = 8 * 3'600'000;
      from = first.value() * kDay - kChinaOffset;
      to = next.value() * kDay - kChinaOffset;
    }
    auto found = service.majorReports(from, to, caller);
    if (!found.ok())
      return failed(verb, found.error());
    for (const auto& r : found.value()) {
      std::cout << r.ticketId << "\t" << sla::formatChinaTime(r.incidentStart).substr(0, 16) << "\t"
                << (r.complete ? "complete" : "incomplete") << "\tfollow-ups " << r.openFollowUps
                << " open, " << r.overdueFollowUps << " overdue of " << r.followUps << "\t"
                << r.title << "\n";
    }
    if (found.value().empty())
      std::cout << "no major-fault reports\n";
    return kExitOk;
  }

  if (verb == "create") {
    faults::NewTicket n;
    const auto channel = faults::parseChannel(args->get("channel"));
    if (!channel)
      return usage(verb, "--channel must be one of " + faults::allChannels());
    n.channel = *channel;
    n.reporter = args->get("caller");
    n.contact = args->get("number");
    if (args->has("called-at") && !parseRfc3339(args->get("called-at"), n.reportedAt))
      return usage(verb, "--called-at must be an RFC 3339 time such as 2026-11-03T09:58:00+08:00");
    n.system = args->get("system");
    n.item = args->get("item");
    n.title = args->get("title");
    n.description = args->get("description");
    n.onSite = args->has("on-site");
    if (args->has("type")) {
      n.type = faults::parseTicketType(args->get("type"));
      if (!n.type)
        return usage(verb, "--type must be one of " + faults::allTicketTypes());
    }
    if (args->has("severity")) {
      n.severity = faults::parseSeverity(args->get("severity"));
      if (!n.severity)
        return usage(verb, "--severity must be one of " + faults::allSeverities());
    }
    auto created = service.create(n, caller);
    if (!created.ok())
      return failed(verb, created.error());
    const auto& t = created.value().ticket;
    std::cout << t.id << "\t" << faults::toString(t.type) << "/" << faults::toString(t.severity)
              << "\t" << faults::toString(t.status) << "\t"
              << (t.group.empty()
                      ? std::string("(no group)")
                      : t.group + "/" + (t.assignee.empty() ? "(nobody on duty)" : t.assignee))
              << "\n";
    return kExitOk;
  }

  if (verb == "list") {
    faults::TicketFilter filter;
    filter.openOnly = args->has("open");
    filter.system = args->get("system");
    if (args->has("status")) {
      const auto s = faults::parseTicketStatus(args->get("status"));
      if (!s)
        return usage(verb, "--status must be one of " + faults::allTicketStatuses());
      filter.statuses.push_back(*s);
    }
    if (args->has("limit")) {
      try {
        filter.limit = std::stoi(args->get("limit"));
      } catch (const std::exception&) {
        return usage(verb, "--limit must be a number");
      }
    }
    auto tickets = service.list(filter, caller);
    if (!tickets.ok())
      return failed(verb, tickets.error());
    rapidjson::Document out(rapidjson::kArrayType);
    for (const auto& t : tickets.value()) {
      auto history = store.value()->events(t.id);
      if (!history.ok())
        return failed(verb, history.error());
      const auto e = sla::evaluate(faults::slaTimeline(t, history.value()), policy, now, calendar);
      if (args->has("json")) {
        auto doc = json::parse(faults::ticketJson(t));
        rapidjson::Value v(doc.value(), out.GetAllocator());
        v.AddMember("sla", json::string(worstState(e), out.GetAllocator()), out.GetAllocator());
        out.PushBack(v, out.GetAllocator());
        continue;
      }
      std::cout << t.id << "\t" << faults::toString(t.status) << "\t"
                << faults::toString(t.severity) << "\t" << faults::toString(t.type) << "\t"
                << (t.group.empty() ? "-" : t.group) << "/"
                << (t.assignee.empty() ? "-" : t.assignee) << "\tsla " << worstState(e) << "\t"
                << t.title << "\n";
    }
    if (args->has("json"))
      std::cout << json::writePretty(out) << "\n";
    return kExitOk;
  }

  if (verb == "compliance") {
    const std::string month = args->get("month");
    auto first = parseDate(month + "-01");
    if (month.size() != 7 || !first.ok())
      return usage(verb, "--month must be YYYY-MM (e.g. 2026-11)");
    const int year = std::stoi(month.substr(0, 4));
    const int mon = std::stoi(month.substr(5, 2));
    // Every ticket created before the month's end (newest first, in pages).
    EpochMillis end = 0;
    {
      const int ny = mon == 12 ? year + 1 : year;
      const int nm = mon == 12 ? 1 : mon + 1;
      char text[40];
      std::snprintf(text, sizeof text, "%04d-%02d-01T00:00:00+08:00", ny, nm);
      parseRfc3339(text, end);
    }
    std::vector<sla::SlaTimeline> timelines;
    faults::TicketFilter filter;
    filter.limit = faults::kMaxTicketPage;
    filter.createdTo = end;
    std::set<std::string> seen;
    while (true) {
      auto page = service.list(filter, caller);
      if (!page.ok())
        return failed(verb, page.error());
      int fresh = 0;
      for (const auto& t : page.value()) {
        filter.createdTo = t.createdAt + 1;
        if (!seen.insert(t.id).second)
          continue;
        ++fresh;
        auto history = store.value()->events(t.id);
        if (!history.ok())
          return failed(verb, history.error());
        timelines.push_back(faults::slaTimeline(t, history.value()));
      }
      if (static_cast<int>(page.value().size()) < filter.limit || fresh == 0)
        break;
    }
    const auto c = sla::monthlyCompliance(timelines, policy, year, mon, now, calendar);
    rapidjson::Document out(rapidjson::kArrayType);
    auto& a = out.GetAllocator();
    if (!args->has("json"))
      std::cout << "SLA compliance " << month << " (" << timelines.size() << " tickets; as of "
                << sla::formatChinaTime(c.asOf) << ")\n"
                << "group\tkey\tclock\tmet\tmissed\topen_breached\topen_in_time\tpercent_met\n";
    for (const auto& r : c.rows) {
      const auto pct = r.counts.percentMet();
      if (args->has("json")) {
        rapidjson::Value o(rapidjson::kObjectType);
        o.AddMember("group", json::string(r.group, a), a);
        o.AddMember("key", json::string(r.key, a), a);
        o.AddMember("clock", json::string(sla::toString(r.clock), a), a);
        o.AddMember("met", r.counts.met, a);
        o.AddMember("missed", r.counts.missed, a);
        o.AddMember("open_breached", r.counts.openBreached, a);
        o.AddMember("open_in_time", r.counts.openInTime, a);
        if (pct)
          o.AddMember("percent_met", *pct, a);
        else
          o.AddMember("percent_met", rapidjson::Value(), a);
        out.PushBack(o, a);
        continue;
      }
      char p[16] = "-";
      if (pct)
        std::snprintf(p, sizeof p, "%.1f", *pct);
      std::cout << r.group << "\t" << (r.key.empty() ? "-" : r.key) << "\t"
                << sla::toString(r.clock) << "\t" << r.counts.met << "\t" << r.counts.missed << "\t"
                << r.counts.openBreached << "\t" << r.counts.openInTime << "\t" << p << "\n";
    }
    if (args->has("json"))
      std::cout << json::writePretty(out) << "\n";
    return kExitOk;
  }

  const std::string id = args->positionals()[0];
  if (verb == "show") {
    auto t = service.get(id, caller);
    if (!t.ok())
      return failed(verb, t.error());
    auto history = service.history(id, caller);
    if (!history.ok())
      return failed(verb, history.error());
    if (args->has("json")) {
      rapidjson::Document out(rapidjson::kObjectType);
      auto& a = out.GetAllocator();
      auto doc = json::parse(faults::ticketJson(t.value()));
      out.AddMember("ticket", rapidjson::Value(doc.value(), a), a);
      rapidjson::Value events(rapidjson::kArrayType);
      for (const auto& e : history.value()) {
        auto ev = json::parse(faults::eventJson(e));
        events.PushBack(rapidjson::Value(ev.value(), a), a);
      }
      out.AddMember("history", events, a);
      rapidjson::Value clocks(rapidjson::kArrayType);
      const auto e =
          sla::evaluate(faults::slaTimeline(t.value(), history.value()), policy, now, calendar);
      for (const auto& r : e.clocks) {
        rapidjson::Value o(rapidjson::kObjectType);
        o.AddMember("clock", json::string(sla::toString(r.kind), a), a);
        o.AddMember("state", json::string(sla::toString(r.state), a), a);
        o.AddMember("target", json::string(r.target.text(), a), a);
        o.AddMember("elapsed_ms", static_cast<std::int64_t>(r.elapsed), a);
        o.AddMember("remaining_ms", static_cast<std::int64_t>(r.remaining), a);
        o.AddMember("words", json::string(sla::describe(r), a), a);
        clocks.PushBack(o, a);
      }
      out.AddMember("sla", clocks, a);
      std::cout << json::writePretty(out) << "\n";
      return kExitOk;
    }
    const auto& x = t.value();
    std::cout << x.id << "  " << x.title << "\n"
              << "status " << faults::toString(x.status) << ", " << faults::toString(x.type) << "/"
              << faults::toString(x.severity) << ", channel " << faults::toString(x.channel)
              << ", group " << (x.group.empty() ? "-" : x.group) << ", assignee "
              << (x.assignee.empty() ? "-" : x.assignee) << "\n"
              << "reporter " << x.reporter << (x.contact.empty() ? "" : " (" + x.contact + ")")
              << ", reported " << sla::formatChinaTime(x.reportedAt) << ", system "
              << (x.system.empty() ? "-" : x.system) << ", item " << (x.item.empty() ? "-" : x.item)
              << "\n";
    if (!x.description.empty())
      std::cout << x.description << "\n";
    if (x.type == faults::TicketType::kBug)
      std::cout << "fix: version " << (x.fix.version.empty() ? "-" : x.fix.version) << ", commit "
                << (x.fix.commit.empty() ? "-" : x.fix.commit) << ", changed "
                << (x.fix.changed.empty() ? "-" : x.fix.changed) << ", documentation "
                << (x.fix.documentation.empty() ? "(none)" : x.fix.documentation) << "\n";
    printClocks(x, history.value(), policy, now, calendar);
    std::cout << "history:\n";
    for (const auto& e : history.value()) {
      std::cout << "  " << sla::formatChinaTime(e.at) << "  " << faults::toString(e.kind);
      if (e.fromStatus && e.toStatus)
        std::cout << " " << faults::toString(*e.fromStatus) << " → "
                  << faults::toString(*e.toStatus);
      if (!e.group.empty() || !e.assignee.empty())
        std::cout << " " << e.group << "/" << e.assignee;
      std::cout << "  (" << e.actor << ")";
      if (!e.text.empty())
        std::cout << "  " << e.text;
      std::cout << "\n";
    }
    return kExitOk;
  }

  if (verb == "report") {
    const int modes =
        (args->has("edit") ? 1 : 0) + (args->has("html") ? 1 : 0) + (args->has("markdown") ? 1 : 0);
    if (modes > 1)
      return usage(verb, "give one of --edit FILE, --html OUT, --markdown OUT");
    auto t = service.get(id, caller);
    if (!t.ok())
      return failed(verb, t.error());
    auto history = service.history(id, caller);
    if (!history.ok())
      return failed(verb, history.error());
    auto report = faults::currentReport(t.value(), history.value(), {}, policy, now, calendar);
    if (!report.ok())
      return failed(verb, report.error());
    if (args->has("edit")) {
      std::string text;
      if (!readText(args->get("edit"), text))
        return kExitUsage;
      auto edited = faults::parseMajorReport(text, report.value());
      if (!edited.ok()) {
        Error e = edited.error();
        e.path = args->get("edit") + (e.path.empty() ? "" : ": " + e.path);
        return failed(verb, e);
      }
      auto saved = service.saveMajorReport(id, edited.value(), caller);
      if (!saved.ok())
        return failed(verb, saved.error());
      const auto problems = sla::checkReadyToClose(edited.value());
      std::cout << "saved the analysis report of " << id
                << (problems.empty() ? " (complete: the ticket may close)" : "") << "\n";
      for (const auto& p : problems)
        std::cout << "  still missing: " << p.describe() << "\n";
      return kExitOk;
    }
    if (args->has("html"))
      return writeText(args->get("html"), sla::renderHtml(report.value())) ? kExitOk : kExitFailed;
    if (args->has("markdown"))
      return writeText(args->get("markdown"), sla::renderMarkdown(report.value())) ? kExitOk
                                                                                   : kExitFailed;
    std::cout << faults::majorReportJson(report.value()) << "\n";
    return kExitOk;
  }

  Result<faults::Ticket> changed = Error{"ticket.invalid", "no change", ""};
  if (verb == "assign") {
    changed =
        service.assign(id, args->get("group"), args->get("assignee"), args->get("reason"), caller);
  } else if (verb == "status") {
    const auto to = faults::parseTicketStatus(args->get("to"));
    if (!to)
      return usage(verb, "--to must be one of " + faults::allTicketStatuses());
    changed = service.setStatus(id, *to, args->get("reason"), caller);
  } else if (verb == "comment") {
    changed = service.comment(id, args->get("text"), caller);
  } else if (verb == "escalate") {
    if (args->get("reason").empty())
      return usage(verb, "--reason TEXT is required");
    changed = service.escalate(id, args->get("group"), args->get("reason"), caller);
  } else if (verb == "on-site") {
    if (args->has("dispatched") == args->has("arrived"))
      return usage(verb, "give --dispatched or --arrived");
    changed = service.onSite(id, args->has("arrived"), args->get("text"), caller);
  } else if (verb == "fix") {
    faults::TicketPatch p;
    if (args->has("version"))
      p.fixVersion = args->get("version");
    if (args->has("commit"))
      p.fixCommit = args->get("commit");
    if (args->has("changed"))
      p.fixChanged = args->get("changed");
    if (args->has("documentation"))
      p.fixDocumentation = args->get("documentation");
    changed = service.update(id, p, caller);
  }
  if (!changed.ok())
    return failed(verb, changed.error());
  const auto& t = changed.value();
  std::cout << t.id << "\t" << faults::toString(t.status) << "\t" << faults::toString(t.severity)
            << "\t" << (t.group.empty() ? "-" : t.group) << "/"
            << (t.assignee.empty() ? "-" : t.assignee) << "\n";
  return kExitOk;
}

}  // namespace huitong::app
