#include "gateway/monitor/probe/Probe.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

#include "gateway/core/Json.h"
#include "gateway/monitor/probe/CookieJar.h"

namespace huitong::monitor::probe {
namespace {

std::string percentEncode(const std::string& s, bool spaceAsPlus) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ' && spaceAsPlus) {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string fixed(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string quoteShort(const std::string& s, std::size_t max = 120) {
  return "'" + (s.size() > max ? s.substr(0, max) + "…" : s) + "'";
}

std::string describeStatuses(const std::vector<StatusRange>& ranges) {
  std::string out;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (i > 0)
      out += i + 1 == ranges.size() ? " or " : ", ";
    const StatusRange& r = ranges[i];
    out += r.low == r.high ? std::to_string(r.low)
                           : std::to_string(r.low) + "-" + std::to_string(r.high);
  }
  return out;
}

bool isRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// The body's JSON, parsed once per step on first use.
struct JsonBody {
  const std::string& text;
  std::optional<Result<rapidjson::Document>> doc;
  const Result<rapidjson::Document>& get() {
    if (!doc)
      doc.emplace(json::parse(text));
    return *doc;
  }
};

void checkBody(const BodyAssertion& a, const std::string& body, JsonBody& js,
               std::vector<std::string>& failures) {
  using K = BodyAssertion::Kind;
  switch (a.kind) {
    case K::kContains:
      if (body.find(a.text) == std::string::npos)
        failures.push_back("body does not contain " + quoteShort(a.text));
      return;
    case K::kNotContains:
      if (body.find(a.text) != std::string::npos)
        failures.push_back("body contains " + quoteShort(a.text));
      return;
    case K::kRegex:
    case K::kNotRegex: {
      const auto m = a.regex->search(body);
      if (m.gaveUp)
        failures.push_back("regex /" + a.text + "/ gave up (match limit) on the body");
      else if (a.kind == K::kRegex && !m.found)
        failures.push_back("body does not match /" + a.text + "/");
      else if (a.kind == K::kNotRegex && m.found)
        failures.push_back("body matches /" + a.text + "/ (" + quoteShort(m.groups[0], 60) + ")");
      return;
    }
    case K::kSelector:
      if (!a.selector->matches(body))
        failures.push_back("no element matches " + a.text);
      return;
    case K::kJsonPath: {
      const auto& doc = js.get();
      if (!doc.ok()) {
        failures.push_back("body is not JSON (" + doc.error().describe() + "), cannot test " +
                           a.text);
        return;
      }
      std::vector<const rapidjson::Value*> nodes;
      a.query->select(doc.value(), nodes);
      if (nodes.empty()) {
        failures.push_back(a.text + " selects nothing");
        return;
      }
      if (a.equals && !(*nodes[0] == *a.equals)) {
        failures.push_back(a.text + " is " + quoteShort(json::write(*nodes[0]), 80) +
                           ", expected " + json::write(*a.equals));
      }
      return;
    }
  }
}

void checkHeader(const HeaderAssertion& a, const HttpResponse& r,
                 std::vector<std::string>& failures) {
  using K = HeaderAssertion::Kind;
  const auto v = r.header(a.name);
  if (a.kind == K::kAbsent) {
    if (v)
      failures.push_back("header " + a.name + " present (" + quoteShort(*v, 80) +
                         "), expected absent");
    return;
  }
  if (!v) {
    failures.push_back("header " + a.name + " missing");
    return;
  }
  if (a.kind == K::kEquals && *v != a.text)
    failures.push_back("header " + a.name + " is " + quoteShort(*v, 80) + ", expected " +
                       quoteShort(a.text));
  if (a.kind == K::kContains && v->find(a.text) == std::string::npos)
    failures.push_back("header " + a.name + " is " + quoteShort(*v, 80) + ", expected to contain " +
                       quoteShort(a.text));
  if (a.kind == K::kRegex) {
    const auto m = a.regex->search(*v);
    if (!m.found)
      failures.push_back("header " + a.name + " is " + quoteShort(*v, 80) + ", does not match /" +
                         a.text + "/");
  }
}

// Runs one extraction; the error in words, or empty.
std::string extract(const Extraction& e, const HttpResponse& r, JsonBody& js,
                    std::map<std::string, std::string>& vars) {
  using K = Extraction::Kind;
  std::optional<std::string> value;
  std::string what;
  switch (e.kind) {
    case K::kRegex: {
      const auto m = e.regex->search(r.body);
      what = "regex /" + e.text + "/";
      if (m.found && e.group < m.groups.size())
        value = m.groups[e.group];
      break;
    }
    case K::kSelector:
      what = "selector " + e.text + " (" + e.attribute + ")";
      value = e.selector->extract(r.body, e.attribute);
      break;
    case K::kHeader:
      what = "header " + e.text;
      value = r.header(e.text);
      break;
    case K::kJsonPath: {
      what = "JSONPath " + e.text;
      const auto& doc = js.get();
      if (doc.ok()) {
        std::vector<const rapidjson::Value*> nodes;
        e.query->select(doc.value(), nodes);
        if (!nodes.empty())
          value = nodes[0]->IsString()
                      ? std::string(nodes[0]->GetString(), nodes[0]->GetStringLength())
                      : json::write(*nodes[0]);
      }
      break;
    }
  }
  if (!value)
    return "cannot extract " + e.name + ": " + what + " found nothing";
  vars[e.name] = *value;
  return "";
}

}  // namespace

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields)
    out += (out.empty() ? "" : "&") + percentEncode(k, true) + "=" + percentEncode(v, true);
  return out;
}

std::string substitute(const std::string& text, const std::map<std::string, std::string>& vars,
                       std::vector<std::string>* unknown) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto at = text.find("${", i);
    const auto close = at == std::string::npos ? at : text.find('}', at + 2);
    if (close == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, at - i);
    const std::string name = text.substr(at + 2, close - at - 2);
    if (const auto it = vars.find(name); it != vars.end()) {
      out += it->second;
    } else {
      out += text.substr(at, close - at + 1);
      if (unknown)
        unknown->push_back(name);
    }
    i = close + 1;
  }
  return out;
}

std::vector<std::string> referencedNames(const std::string& text) {
  std::vector<std::string> names;
  for (auto at = text.find("${"); at != std::string::npos; at = text.find("${", at + 2)) {
    const auto close = text.find('}', at + 2);
    if (close == std::string::npos)
      break;
    names.push_back(text.substr(at + 2, close - at - 2));
  }
  return names;
}

Probe::Probe(ProbeSpec spec) : spec_(std::move(spec)) {
  if (spec_.password && !spec_.password->value.empty()) {
    const std::string& p = spec_.password->value;
    for (const std::string& form : {p, percentEncode(p, true), percentEncode(p, false)}) {
      if (std::find(secretForms_.begin(), secretForms_.end(), form) == secretForms_.end())
        secretForms_.push_back(form);
    }
    // Longest first, so that an encoded form is not half-masked by a shorter one.
    std::sort(secretForms_.begin(), secretForms_.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  }
}

std::string Probe::redact(std::string text) const {
  for (const std::string& s : secretForms_) {
    for (auto at = text.find(s); at != std::string::npos; at = text.find(s, at + 3))
      text.replace(at, s.size(), "***");
  }
  return text;
}

std::vector<std::string> Probe::describe() const {
  std::vector<std::string> out;
  out.push_back(spec_.id + " (" + spec_.kind + ") " + spec_.url.text());
  for (std::size_t i = 0; i < spec_.steps.size(); ++i) {
    const StepSpec& s = spec_.steps[i];
    out.push_back("  step " + std::to_string(i + 1) + " (" + s.name + "): " + s.method + " " +
                  s.url + ", expect status " + describeStatuses(s.expectStatus));
  }
  if (spec_.url.https() || spec_.tls)
    out.push_back(
        std::string("  tls: verify ") + (spec_.tlsVerify ? "on" : "OFF") +
        (spec_.caFile.empty() ? ", system trust store" : ", ca_file " + spec_.caFile) +
        (spec_.minDaysLeft ? ", at least " + fixed(*spec_.minDaysLeft, 0) + " days left" : ""));
  if (spec_.username || spec_.password)
    out.push_back("  credentials: username " + spec_.username.value_or("(none)") + ", password " +
                  (spec_.password
                       ? spec_.password->fingerprint + " (" + spec_.password->source + ")"
                       : "(none)"));
  return out;
}

CheckResult Probe::run(const RunContext& ctx) {
  try {
    return runSteps(ctx);
  } catch (const std::exception& e) {
    CheckResult r;
    r.checkId = spec_.id;
    r.kind = spec_.kind;
    r.target = spec_.url.text();
    r.startedAt = ctx.clock ? ctx.clock->now() : SystemClock().now();
    r.status = CheckStatus::kError;
    r.message = redact(std::string("the probe stopped: ") + e.what());
    return r;
  }
}

CheckResult Probe::runSteps(const RunContext& ctx) {
  const SystemClock systemClock;
  const Clock& clock = ctx.clock ? *ctx.clock : systemClock;
  const auto started = std::chrono::steady_clock::now();
  const Deadline deadline(ctx.timeoutMs);
  CheckResult result;
  result.checkId = spec_.id;
  result.kind = spec_.kind;
  result.target = spec_.url.text();
  result.startedAt = clock.now();

  std::map<std::string, std::string> vars = spec_.variables;
  if (spec_.username)
    vars["username"] = *spec_.username;
  if (spec_.password)
    vars["password"] = spec_.password->value;
  CookieJar jar;
  Url previous = spec_.url;
  std::optional<double> daysLeft;
  const bool login = spec_.kind == "login";

  auto finishStep = [&](StepResult sr) {
    sr.url = redact(sr.url);
    sr.failure = redact(sr.failure);
    if (sr.status != CheckStatus::kOk && result.status == CheckStatus::kOk) {
      result.status = sr.status;
      result.message = sr.failure;
    }
    result.steps.push_back(std::move(sr));
  };

  for (std::size_t i = 0; i < spec_.steps.size() && result.status == CheckStatus::kOk; ++i) {
    const StepSpec& step = spec_.steps[i];
    const std::string label =
        login ? "step " + std::to_string(i + 1) + " (" + step.name + "): " : std::string();
    auto url = resolveReference(previous, substitute(step.url, vars));
    if (!url.ok()) {
      StepResult sr;
      sr.name = step.name;
      sr.url = substitute(step.url, vars);
      sr.status = CheckStatus::kError;
      sr.failure = label + url.error().message;
      finishStep(std::move(sr));
      break;
    }
    HttpRequest request;
    request.method = step.method;
    request.url = url.value();
    for (const auto& [k, v] : step.headers)
      request.headers.emplace_back(k, substitute(v, vars));
    if (step.hasForm) {
      std::vector<std::pair<std::string, std::string>> fields;
      for (const auto& [k, v] : step.form)
        fields.emplace_back(k, substitute(v, vars));
      request.body = formEncode(fields);
      request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    } else if (!step.body.empty()) {
      request.body = substitute(step.body, vars);
    }
    ExchangeOptions options;
    options.tls = spec_.tls;
    options.maxBodyBytes = spec_.maxBodyBytes;

    std::vector<std::string> chain{request.url.text()};
    double stepMs = 0;
    for (unsigned hop = 0;; ++hop) {
      options.nowMillis = clock.now();
      HttpRequest sent = request;
      if (const std::string cookie = jar.header(request.url, clock.now()); !cookie.empty())
        sent.headers.emplace_back("Cookie", cookie);
      Exchange x = exchange(sent, options, deadline);
      stepMs += std::max(0.0, x.timings.totalMs);
      StepResult sr;
      sr.name = hop == 0 ? step.name : step.name + " (redirect " + std::to_string(hop) + ")";
      sr.url = request.url.text();
      sr.httpStatus = x.response.status;
      sr.timings = x.timings;
      for (const std::string& c : x.response.all("Set-Cookie"))
        jar.store(c, request.url, clock.now());
      std::vector<std::string> failures;
      if (x.peer) {
        daysLeft = daysLeft ? std::min(*daysLeft, x.peer->daysLeft) : x.peer->daysLeft;
        const auto limit = ctx.intensified && spec_.intensifiedMinDaysLeft
                               ? spec_.intensifiedMinDaysLeft
                               : spec_.minDaysLeft;
        if (limit && x.peer->daysLeft < *limit && !x.error) {
          failures.push_back(
              "certificate of " + request.url.authority() +
              (x.peer->daysLeft < 0 ? " expired " + fixed(-x.peer->daysLeft) + " days ago"
                                    : " expires in " + fixed(x.peer->daysLeft) + " days") +
              " (" + x.peer->notAfter + "), below the " + fixed(*limit, 0) + "-day threshold" +
              (ctx.intensified && spec_.intensifiedMinDaysLeft ? " (intensified)" : ""));
        }
      }
      if (x.error) {
        const bool answered =
            x.error->code == "probe.too_large" || x.error->code == "probe.tls.verify";
        sr.status = answered ? CheckStatus::kFail : CheckStatus::kError;
        sr.failure = label + x.error->message;
        finishStep(std::move(sr));
        break;
      }
      if (failures.empty() && step.followRedirects && isRedirect(x.response.status)) {
        const auto location = x.response.header("Location");
        if (location) {
          auto next = resolveReference(request.url, *location);
          if (!next.ok()) {
            sr.status = CheckStatus::kFail;
            sr.failure = label + "bad Location header: " + next.error().message;
            finishStep(std::move(sr));
            break;
          }
          const std::string nextText = next.value().text();
          std::string path;
          for (const std::string& c : chain)
            path += c + " → ";
          if (std::find(chain.begin(), chain.end(), nextText) != chain.end()) {
            sr.status = CheckStatus::kFail;
            sr.failure = label + "redirect loop: " + path + nextText;
            finishStep(std::move(sr));
            break;
          }
          if (hop + 1 > step.maxRedirects) {
            sr.status = CheckStatus::kFail;
            sr.failure = label + "more than " + std::to_string(step.maxRedirects) +
                         " redirects: " + path + nextText;
            finishStep(std::move(sr));
            break;
          }
          chain.push_back(nextText);
          // Browsers turn a redirected POST into a GET except for 307/308.
          const int st = x.response.status;
          if (st == 303 || ((st == 301 || st == 302) && request.method == "POST")) {
            request.method = "GET";
            request.body.clear();
            request.headers.erase(std::remove_if(request.headers.begin(), request.headers.end(),
                                                 [](const auto& h) {
                                                   std::string n = h.first;
                                                   for (char& c : n)
                                                     c = static_cast<char>(std::tolower(
                                                         static_cast<unsigned char>(c)));
                                                   return n == "content-type";
                                                 }),
                                  request.headers.end());
          }
          request.url = next.value();
          finishStep(std::move(sr));
          continue;
        }
      }
      // The final answer of this step: its assertions, then its extractions.
      const int st = x.response.status;
      if (std::none_of(step.expectStatus.begin(), step.expectStatus.end(),
                       [&](const StatusRange& r) { return st >= r.low && st <= r.high; })) {
        failures.push_back("expected status " + describeStatuses(step.expectStatus) + ", got " +
                           std::to_string(st));
      }
      const auto latencyLimit =
          ctx.intensified && step.intensifiedLatencyMs ? step.intensifiedLatencyMs : step.latencyMs;
      if (latencyLimit && stepMs > *latencyLimit) {
        failures.push_back("took " + fixed(stepMs) + " ms, above the " + fixed(*latencyLimit, 0) +
                           " ms threshold" +
                           (ctx.intensified && step.intensifiedLatencyMs ? " (intensified)" : ""));
      }
      JsonBody js{x.response.body, std::nullopt};
      for (const BodyAssertion& a : step.bodyExpected)
        checkBody(a, x.response.body, js, failures);
      for (const HeaderAssertion& a : step.headersExpected)
        checkHeader(a, x.response, failures);
      if (failures.empty()) {
        for (const Extraction& e : step.extract) {
          if (std::string why = extract(e, x.response, js, vars); !why.empty())
            failures.push_back(why);
        }
      }
      if (!failures.empty()) {
        sr.status = CheckStatus::kFail;
        std::string joined;
        for (const std::string& f : failures)
          joined += (joined.empty() ? "" : "; ") + f;
        sr.failure = label + joined;
      }
      if (!login)
        result.values["http_status"] = st;
      if (login)
        result.values["latency_ms{step=\"" + step.name + "\"}"] = stepMs;
      previous = request.url;
      finishStep(std::move(sr));
      break;
    }
  }
  result.durationMs =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  result.values["latency_ms"] = result.durationMs;
  if (daysLeft)
    result.values["tls_days_left"] = *daysLeft;
  return result;
}

}  // namespace huitong::monitor::probe
