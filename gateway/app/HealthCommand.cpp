#include "gateway/app/HealthCommand.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include "gateway/app/CommandLine.h"
#include "gateway/app/RegistryAccess.h"
#include "gateway/core/Json.h"
#include "gateway/health/HealthService.h"
#include "gateway/http/HealthApi.h"

namespace huitong::app {
namespace {

constexpr const char* kUsage =
    "usage: huitong health --config FILE [SYSTEM[/ITEM]] [--json] [--color auto|always|never]\n"
    "       huitong health --url http://HOST:PORT (--token TOKEN | --token-file FILE)\n"
    "                      [SYSTEM[/ITEM]] [--json] [--color auto|always|never]\n"
    "Every online item's health: status (green / yellow / red), events in 1 h and 24 h, dead\n"
    "letters, backlog, delivery lag p95, last event, and the reasons in words.\n"
    "--config reads the store the gateway config names (the adapters' source reports are the\n"
    "running gateway's: ask it with --url). --url asks GET /ops/v1/health of a running gateway\n"
    "with a staff login token (POST /auth/v1/login) or the ops token.\n"
    "SYSTEM lists one system's items; SYSTEM/ITEM shows one item in detail.\n"
    "Exit 0: no item is red; 1: at least one is red; 2: bad usage, store or gateway unreachable.\n";

int fail(const std::string& message) {
  std::cerr << "huitong health: " << message << "\n";
  return kExitUsage;
}

std::string str(const rapidjson::Value& v, const char* key) {
  const auto it = v.FindMember(key);
  if (it == v.MemberEnd() || it->value.IsNull())
    return "-";
  if (it->value.IsString())
    return it->value.GetString();
  if (it->value.IsBool())
    return it->value.GetBool() ? "yes" : "no";
  if (it->value.IsInt64())
    return std::to_string(it->value.GetInt64());
  if (it->value.IsNumber()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", it->value.GetDouble());
    return buf;
  }
  return json::write(it->value);
}

// "2026-11-27T09:12:00+08:00" -> "2026-11-27 09:12".
std::string shortTime(const std::string& rfc3339) {
  return rfc3339.size() >= 16 ? rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 5) : rfc3339;
}

struct Colours {
  bool on = false;
  std::string of(const std::string& status) const {
    if (!on)
      return "";
    return status == "red" ? "\033[31m" : status == "yellow" ? "\033[33m" : "\033[32m";
  }
  std::string reset() const { return on ? "\033[0m" : ""; }
};

std::string pad(std::string s, std::size_t width) {
  // Width in code points, so that CJK item names do not shift the columns too much.
  std::size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  if (n < width)
    s.append(width - n, ' ');
  return s;
}

bool anyRed(const rapidjson::Value& items) {
  for (const auto& h : items.GetArray()) {
    if (str(h, "status") == "red")
      return true;
  }
  return false;
}

int printList(const rapidjson::Value& doc, const Colours& c) {
  const auto& items = doc["items"];
  std::cout << pad("STATUS", 7) << pad("SYSTEM/ITEM", 28) << pad("1H", 6) << pad("24H", 7)
            << pad("DEAD", 5) << pad("BACKLOG", 8) << pad("LAG_P95", 9) << pad("LAST EVENT", 17)
            << "REASONS\n";
  for (const auto& h : items.GetArray()) {
    const std::string status = str(h, "status");
    std::string reasons;
    for (const auto& r : h["reasons"].GetArray())
      reasons += (reasons.empty() ? "" : "; ") + std::string(r["text"].GetString());
    const std::string lag = str(h, "lag_p95_s");
    std::cout << c.of(status) << pad(status, 7) << c.reset()
              << pad(str(h, "system") + "/" + str(h, "item"), 28) << pad(str(h, "events_1h"), 6)
              << pad(str(h, "events_24h"), 7) << pad(str(h, "dead_letters"), 5)
              << pad(str(h, "backlog"), 8) << pad(lag == "-" ? lag : lag + "s", 9)
              << pad(shortTime(str(h, "last_received")), 17) << (reasons.empty() ? "-" : reasons)
              << "\n";
  }
  const auto& n = doc["counts"];
  std::cout << n["green"].GetInt64() << " green, " << n["yellow"].GetInt64() << " yellow, "
            << n["red"].GetInt64() << " red (computed " << shortTime(str(doc, "computed_at"))
            << ")\n";
  return anyRed(items) ? kExitFailed : kExitOk;
}

int printDetail(const rapidjson::Value& h, const Colours& c) {
  const std::string status = str(h, "status");
  std::cout << str(h, "system") << "/" << str(h, "item") << "  " << str(h, "item_name") << "\n"
            << "status          " << c.of(status) << str(h, "summary") << c.reset() << "\n";
  const std::pair<const char*, const char*> rows[] = {{"expect", "expected"},
                                                      {"last_received", "last received"},
                                                      {"last_delivered", "last delivered"},
                                                      {"events_1h", "events 1 h"},
                                                      {"events_24h", "events 24 h"},
                                                      {"delivered_24h", "delivered 24 h"},
                                                      {"reject_rate", "reject rate"},
                                                      {"reject_scope", "reject scope"},
                                                      {"dead_letters", "dead letters"},
                                                      {"backlog", "backlog"},
                                                      {"oldest_pending", "oldest waiting"},
                                                      {"lag_p95_s", "lag p95 (s)"},
                                                      {"computed_at", "computed"}};
  for (const auto& [key, label] : rows)
    std::cout << pad(label, 16) << str(h, key) << "\n";
  if (h.HasMember("activity_period") && h["activity_period"].IsObject()) {
    const auto& p = h["activity_period"];
    std::cout << pad("activity", 16) << str(p, "events") << " event(s) in " << str(p, "label")
              << "\n";
  }
  if (h.HasMember("source") && h["source"].IsObject()) {
    const auto& s = h["source"];
    std::cout << pad("source", 16) << str(s, "adapter") << " (" << str(s, "kind") << "), "
              << (s["reachable"].GetBool() ? "reachable" : "UNREACHABLE")
              << (str(s, "detail") == "" ? "" : ": " + str(s, "detail")) << "\n";
    if (s.HasMember("last_request_at"))
      std::cout << pad("last request", 16) << str(s, "last_request_at") << "\n";
    for (const auto& f : s["facts"].GetObject())
      std::cout << pad(std::string("  ") + f.name.GetString(), 16) << f.value.GetString() << "\n";
  }
  return status == "red" ? kExitFailed : kExitOk;
}

// GET of the operator API; the body, or an error naming the status and the problem's detail.
Result<std::string> fetch(const std::string& base, const std::string& path,
                          const std::string& token) {
  try {
    Poco::URI uri(base);
    if (uri.getScheme() != "http")
      return Error{"cli.usage", "--url must be http://HOST:PORT (got " + base + ")", ""};
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, path,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer " + token);
    req.set("Accept", "application/json");
    session.sendRequest(req);
    Poco::Net::HTTPResponse res;
    std::istream& in = session.receiveResponse(res);
    std::string body;
    Poco::StreamCopier::copyToString(in, body);
    if (res.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      auto problem = json::parse(body);
      const std::string detail = problem.ok() && problem.value().IsObject()
                                     ? str(problem.value(), "detail")
                                     : body.substr(0, 200);
      return Error{"cli.remote", std::to_string(res.getStatus()) + " from " + base + ": " + detail,
                   ""};
    }
    return body;
  } catch (const Poco::Exception& e) {
    return Error{"cli.remote", "cannot reach " + base + ": " + e.displayText(), ""};
  }
}

}  // namespace

int runHealth(const std::vector<std::string>& all) {
  std::string error;
  auto args = Arguments::parse(all, {"help", "json"},
                               {"config", "url", "token", "token-file", "color"}, error);
  if (args && args->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!args)
    return fail(error + "\n" + kUsage);
  if (args->has("config") == args->has("url"))
    return fail(std::string("give --config FILE or --url URL (one of them)\n") + kUsage);
  if (args->positionals().size() > 1)
    return fail(std::string("at most one SYSTEM or SYSTEM/ITEM\n") + kUsage);
  const std::string colour = args->get("color", "auto");
  if (colour != "auto" && colour != "always" && colour != "never")
    return fail("--color must be auto, always or never");
  Colours c;
  c.on = colour == "always" ||
         (colour == "auto" && ::isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr);
  std::string system, item;
  if (!args->positionals().empty()) {
    const std::string& target = args->positionals()[0];
    const auto slash = target.find('/');
    system = target.substr(0, slash);
    item = slash == std::string::npos ? "" : target.substr(slash + 1);
    if (system.empty() || (slash != std::string::npos && item.empty()) ||
        item.find('/') != std::string::npos)
      return fail("'" + target + "' is not SYSTEM or SYSTEM/ITEM");
  }

  std::string body;
  if (args->has("url")) {
    std::string token = args->get("token");
    if (args->has("token-file")) {
      if (!readFile(args->get("token-file"), token, error))
        return fail(error);
      while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
        token.pop_back();
    }
    if (token.empty())
      return fail("--url needs --token TOKEN or --token-file FILE (a staff login token)");
    std::string base = args->get("url");
    while (!base.empty() && base.back() == '/')
      base.pop_back();
    const std::string path = !item.empty()     ? "/ops/v1/health/" + system + "/" + item
                             : !system.empty() ? "/ops/v1/health?system=" + system
                                               : "/ops/v1/health";
    auto got = fetch(base, path, token);
    if (!got.ok())
      return fail(got.error().message);
    body = got.value();
  } else {
    auto opened = openRegistry(args->get("config"));
    if (!opened.ok())
      return fail(opened.error().describe());
    const http::GatewayConfig& config = opened.value().config;
    auto rules = config.health ? health::HealthRules::read(*config.health) : health::HealthRules();
    if (!rules.ok())
      return fail(rules.error().describe());
    WorkCalendar calendar = WorkCalendar::china();
    if (config.calendar) {
      if (auto r = calendar.configure(*config.calendar); !r.ok())
        return fail(r.error().describe());
    }
    auto store = storage::ExchangeStore::open(config.store);
    if (!store.ok())
      return fail("store: " + store.error().describe());
    SystemClock clock;
    health::HealthService service(*store.value(), http::onlineItemsOf(*opened.value().store),
                                  nullptr, rules.value(), calendar, clock);
    auto items = service.compute();
    if (!items.ok())
      return fail(items.error().describe());
    std::vector<health::ItemHealth> chosen;
    for (auto& h : items.value()) {
      if ((system.empty() || h.system == system) && (item.empty() || h.item == item))
        chosen.push_back(std::move(h));
    }
    if (!item.empty()) {
      if (chosen.empty())
        return fail("item " + item + " of system " + system + " is not online");
      body = health::toJson(chosen.front(), true);
    } else {
      body = health::toJson(chosen, clock.now());
    }
  }
  auto doc = json::parse(body);
  if (!doc.ok() || !doc.value().IsObject())
    return fail("the answer is not the health JSON: " + body.substr(0, 200));
  if (args->has("json")) {
    std::cout << json::writePretty(doc.value()) << "\n";
    if (!item.empty())
      return str(doc.value(), "status") == "red" ? kExitFailed : kExitOk;
    return doc.value().HasMember("items") && doc.value()["items"].IsArray() &&
                   anyRed(doc.value()["items"])
               ? kExitFailed
               : kExitOk;
  }
  if (item.empty() && (!doc.value().HasMember("items") || !doc.value()["items"].IsArray()))
    return fail("the answer is not the health JSON: " + body.substr(0, 200));
  return item.empty() ? printList(doc.value(), c) : printDetail(doc.value(), c);
}

}  // namespace huitong::app
