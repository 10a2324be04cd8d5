#include "gateway/monitor/probe/ProbeConfig.h"

#include <fstream>
#include <set>
#include <sstream>

#include <openssl/evp.h>

#include "gateway/core/Json.h"

namespace huitong::monitor::probe {
namespace {

const std::vector<std::string> kStepKeys = {"name",
                                            "url",
                                            "method",
                                            "headers",
                                            "body",
                                            "form",
                                            "follow_redirects",
                                            "max_redirects",
                                            "expect_status",
                                            "latency_ms",
                                            "intensified_latency_ms",
                                            "expect_body",
                                            "expect_headers",
                                            "extract"};

std::vector<std::string> withCadence(std::vector<std::string> keys) {
  for (const char* k : kCadenceKeys)
    keys.emplace_back(k);
  return keys;
}

std::string sha256Fingerprint(const std::string& value) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(value.data(), value.size(), md, &n, EVP_sha256(), nullptr);
  static const char* const kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < 8 && i < n; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 15];
  }
  return "sha256:" + hex;
}

Result<std::optional<double>> optionalNumber(const ConfigNode& n, const std::string& key,
                                             double min, double max) {
  if (!n.has(key))
    return std::optional<double>();
  const auto& v = n.value()[key.c_str()];
  if (!v.IsNumber() || v.GetDouble() < min || v.GetDouble() > max) {
    std::ostringstream os;
    os << key << " must be a number from " << min << " to " << max;
    return n.fail(key, os.str());
  }
  return std::optional<double>(v.GetDouble());
}

// {"Name": "value", ...} as ordered pairs.
Result<std::vector<std::pair<std::string, std::string>>> stringMap(const ConfigNode& n,
                                                                   const std::string& key) {
  std::vector<std::pair<std::string, std::string>> out;
  auto obj = n.object(key);
  if (!obj.ok())
    return obj.error();
  for (const auto& m : obj.value().value().GetObject()) {
    const std::string name(m.name.GetString(), m.name.GetStringLength());
    if (!m.value.IsString())
      return obj.value().fail(name, key + "." + name + " must be a string");
    out.emplace_back(name, std::string(m.value.GetString(), m.value.GetStringLength()));
  }
  return out;
}

Result<StatusRange> parseStatus(const ConfigNode& n, const rapidjson::Value& v) {
  const std::string rule =
      "expect_status: a status (302), a range (\"200-299\", \"3xx\") or a list of them";
  StatusRange r;
  if (v.IsInt()) {
    r.low = r.high = v.GetInt();
  } else if (v.IsString()) {
    const std::string s = v.GetString();
    int a = 0, b = 0;
    char x1 = 0, x2 = 0;
    if (s.size() == 3 && std::sscanf(s.c_str(), "%1d%c%c", &a, &x1, &x2) == 3 && x1 == 'x' &&
        x2 == 'x') {
      r.low = a * 100;
      r.high = a * 100 + 99;
    } else if (std::sscanf(s.c_str(), "%d-%d", &a, &b) == 2) {
      r.low = a;
      r.high = b;
    } else if (std::sscanf(s.c_str(), "%d", &a) == 1 && std::to_string(a) == s) {
      r.low = r.high = a;
    } else {
      return n.fail("expect_status", rule + ", got '" + s + "'");
    }
  } else {
    return n.fail("expect_status", rule);
  }
  if (r.low < 100 || r.high > 599 || r.low > r.high)
    return n.fail("expect_status", "expect_status ranges lie within 100-599, low before high");
  return r;
}

Result<std::vector<StatusRange>> readStatuses(const ConfigNode& n) {
  if (!n.has("expect_status"))
    return std::vector<StatusRange>{{200, 299}};
  const auto& v = n.value()["expect_status"];
  std::vector<StatusRange> out;
  if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      auto r = parseStatus(n, e);
      if (!r.ok())
        return r.error();
      out.push_back(r.value());
    }
    if (out.empty())
      return n.fail("expect_status", "expect_status must not be an empty list");
  } else {
    auto r = parseStatus(n, v);
    if (!r.ok())
      return r.error();
    out.push_back(r.value());
  }
  return out;
}

Result<Pattern> compilePattern(const ConfigNode& n, const std::string& key) {
  auto text = n.requiredString(key);
  if (!text.ok())
    return text.error();
  auto p = Pattern::compile(text.value());
  if (!p.ok())
    return n.fail(key, p.error().message);
  return p;
}

Result<jsonpath::Query> compileQuery(const ConfigNode& n, const std::string& key) {
  auto text = n.requiredString(key);
  if (!text.ok())
    return text.error();
  auto q = jsonpath::Query::compile(text.value());
  if (!q.ok())
    return n.fail(key, "JSONPath " + text.value() + ": " + q.error().describe());
  return q;
}

Result<HtmlSelector> compileSelector(const ConfigNode& n, const std::string& key) {
  auto text = n.requiredString(key);
  if (!text.ok())
    return text.error();
  auto s = HtmlSelector::compile(text.value());
  if (!s.ok())
    return n.fail(key, s.error().message);
  return s;
}

// Exactly one of `kinds` present in the entry.
Result<std::string> oneKind(const ConfigNode& n, const std::vector<std::string>& kinds,
                            const std::string& what) {
  std::string found;
  std::string all;
  for (const std::string& k : kinds) {
    all += (all.empty() ? "" : ", ") + k;
    if (!n.has(k))
      continue;
    if (!found.empty())
      return n.fail(k, what + " takes one of " + all + ", not both " + found + " and " + k);
    found = k;
  }
  if (found.empty())
    return n.fail("", what + " needs one of " + all);
  return found;
}

Result<BodyAssertion> readBodyAssertion(const ConfigNode& n) {
  using K = BodyAssertion::Kind;
  auto kind = oneKind(n, {"contains", "not_contains", "regex", "not_regex", "jsonpath", "selector"},
                      "an expect_body entry");
  if (!kind.ok())
    return kind.error();
  const std::string k = kind.value();
  if (auto a = n.allowOnly({k, k == "jsonpath" ? "equals" : k}); !a.ok())
    return a.error();
  BodyAssertion a;
  if (k == "contains" || k == "not_contains") {
    auto t = n.requiredString(k);
    if (!t.ok())
      return t.error();
    if (t.value().empty())
      return n.fail(k, k + " must not be empty");
    a.kind = k == "contains" ? K::kContains : K::kNotContains;
    a.text = t.value();
  } else if (k == "regex" || k == "not_regex") {
    auto p = compilePattern(n, k);
    if (!p.ok())
      return p.error();
    a.kind = k == "regex" ? K::kRegex : K::kNotRegex;
    a.text = p.value().text();
    a.regex = p.value();
  } else if (k == "selector") {
    auto s = compileSelector(n, k);
    if (!s.ok())
      return s.error();
    a.kind = K::kSelector;
    a.text = s.value().text();
    a.selector = s.value();
  } else {
    auto q = compileQuery(n, k);
    if (!q.ok())
      return q.error();
    a.kind = K::kJsonPath;
    a.text = q.value().text();
    a.query = q.value();
    if (n.has("equals")) {
      auto doc = std::make_shared<rapidjson::Document>();
      doc->CopyFrom(n.value()["equals"], doc->GetAllocator());
      a.equals = doc;
    }
  }
  return a;
}

Result<HeaderAssertion> readHeaderAssertion(const ConfigNode& n) {
  using K = HeaderAssertion::Kind;
  if (auto a = n.allowOnly({"name", "equals", "contains", "regex", "absent"}); !a.ok())
    return a.error();
  auto name = n.requiredString("name");
  if (!name.ok())
    return name.error();
  HeaderAssertion h;
  h.name = name.value();
  int kinds = 0;
  for (const char* k : {"equals", "contains", "regex", "absent"})
    kinds += n.has(k) ? 1 : 0;
  if (kinds > 1)
    return n.fail("",
                  "an expect_headers entry takes at most one of equals, contains, regex, "
                  "absent");
  if (n.has("absent")) {
    auto b = n.boolean("absent", false);
    if (!b.ok())
      return b.error();
    h.kind = b.value() ? K::kAbsent : K::kPresent;
  } else if (n.has("regex")) {
    auto p = compilePattern(n, "regex");
    if (!p.ok())
      return p.error();
    h.kind = K::kRegex;
    h.text = p.value().text();
    h.regex = p.value();
  } else {
    for (const char* k : {"equals", "contains"}) {
      if (!n.has(k))
        continue;
      auto t = n.requiredString(k);
      if (!t.ok())
        return t.error();
      h.kind = std::string(k) == "equals" ? K::kEquals : K::kContains;
      h.text = t.value();
    }
  }
  return h;
}

Result<Extraction> readExtraction(const ConfigNode& n) {
  using K = Extraction::Kind;
  auto kind = oneKind(n, {"regex", "selector", "header", "jsonpath"}, "an extract entry");
  if (!kind.ok())
    return kind.error();
  const std::string k = kind.value();
  std::vector<std::string> allowed{"name", k};
  if (k == "regex")
    allowed.emplace_back("group");
  if (k == "selector")
    allowed.emplace_back("attribute");
  if (auto a = n.allowOnly(allowed); !a.ok())
    return a.error();
  Extraction e;
  auto name = n.requiredString("name");
  if (!name.ok())
    return name.error();
  e.name = name.value();
  if (e.name.empty() || e.name.find_first_of("${} ") != std::string::npos)
    return n.fail("name", "a variable name is letters, digits, '_' or '-', used as ${name}");
  if (e.name == "password" || e.name == "username")
    return n.fail("name", "'" + e.name + "' is the credentials' variable; choose another name");
  if (k == "regex") {
    auto p = compilePattern(n, k);
    if (!p.ok())
      return p.error();
    auto g = n.integer("group", 1, 0, 99);
    if (!g.ok())
      return g.error();
    if (static_cast<unsigned>(g.value()) > p.value().groupCount())
      return n.fail("group", "group " + std::to_string(g.value()) + " but the regex has " +
                                 std::to_string(p.value().groupCount()) + " group(s)");
    e.kind = K::kRegex;
    e.text = p.value().text();
    e.regex = p.value();
    e.group = static_cast<unsigned>(g.value());
  } else if (k == "selector") {
    auto s = compileSelector(n, k);
    if (!s.ok())
      return s.error();
    auto attr = n.string("attribute", "value");
    if (!attr.ok())
      return attr.error();
    e.kind = K::kSelector;
    e.text = s.value().text();
    e.selector = s.value();
    e.attribute = attr.value();
  } else if (k == "header") {
    auto h = n.requiredString(k);
    if (!h.ok())
      return h.error();
    e.kind = K::kHeader;
    e.text = h.value();
  } else {
    auto q = compileQuery(n, k);
    if (!q.ok())
      return q.error();
    e.kind = K::kJsonPath;
    e.text = q.value().text();
    e.query = q.value();
  }
  return e;
}

Result<StepSpec> readStep(const ConfigNode& n, const std::string& defaultName, bool urlRequired) {
  StepSpec s;
  auto name = n.string("name", defaultName);
  if (!name.ok())
    return name.error();
  s.name = name.value();
  auto url = urlRequired ? n.requiredString("url") : n.string("url", "");
  if (!url.ok())
    return url.error();
  s.url = url.value();
  auto method = n.oneOf("method", {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"},
                        n.has("form") ? "POST" : "GET");
  if (!method.ok())
    return method.error();
  s.method = method.value();
  auto headers = stringMap(n, "headers");
  if (!headers.ok())
    return headers.error();
  s.headers = headers.value();
  auto body = n.string("body", "");
  if (!body.ok())
    return body.error();
  s.body = body.value();
  if (n.has("form")) {
    if (n.has("body"))
      return n.fail("form", "give form or body, not both");
    auto form = stringMap(n, "form");
    if (!form.ok())
      return form.error();
    s.form = form.value();
    s.hasForm = true;
  }
  auto follow = n.boolean("follow_redirects", true);
  if (!follow.ok())
    return follow.error();
  s.followRedirects = follow.value();
  auto maxRedirects = n.integer("max_redirects", 5, 0, 20);
  if (!maxRedirects.ok())
    return maxRedirects.error();
  s.maxRedirects = static_cast<unsigned>(maxRedirects.value());
  auto statuses = readStatuses(n);
  if (!statuses.ok())
    return statuses.error();
  s.expectStatus = statuses.value();
  auto latency = optionalNumber(n, "latency_ms", 1, 120000);
  if (!latency.ok())
    return latency.error();
  s.latencyMs = latency.value();
  auto tighter = optionalNumber(n, "intensified_latency_ms", 1, 120000);
  if (!tighter.ok())
    return tighter.error();
  s.intensifiedLatencyMs = tighter.value();
  if (s.intensifiedLatencyMs && !s.latencyMs)
    return n.fail("intensified_latency_ms", "intensified_latency_ms needs latency_ms");
  if (s.intensifiedLatencyMs && *s.intensifiedLatencyMs > *s.latencyMs)
    return n.fail("intensified_latency_ms",
                  "intensified_latency_ms must not be above latency_ms: a major event tightens");
  auto bodies = n.objects("expect_body");
  if (!bodies.ok())
    return bodies.error();
  for (const ConfigNode& b : bodies.value()) {
    auto a = readBodyAssertion(b);
    if (!a.ok())
      return a.error();
    s.bodyExpected.push_back(a.value());
  }
  auto hs = n.objects("expect_headers");
  if (!hs.ok())
    return hs.error();
  for (const ConfigNode& h : hs.value()) {
    auto a = readHeaderAssertion(h);
    if (!a.ok())
      return a.error();
    s.headersExpected.push_back(a.value());
  }
  auto ex = n.objects("extract");
  if (!ex.ok())
    return ex.error();
  for (const ConfigNode& e : ex.value()) {
    auto x = readExtraction(e);
    if (!x.ok())
      return x.error();
    s.extract.push_back(x.value());
  }
  return s;
}

Result<std::string> readSecretFile(const ConfigNode& n, const std::string& key) {
  auto path = n.requiredString(key);
  if (!path.ok())
    return path.error();
  const std::string file = n.resolvePath(path.value());
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return n.fail(key, "cannot read " + key + " " + file);
  std::ostringstream os;
  os << in.rdbuf();
  std::string v = os.str();
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r'))
    v.pop_back();
  if (v.empty())
    return n.fail(key, key + " " + file + " is empty");
  return v;
}

Result<void> readCredentials(const ConfigNode& probe, ProbeSpec& spec) {
  if (!probe.has("credentials"))
    return {};
  auto c = probe.object("credentials");
  if (!c.ok())
    return c.error();
  const ConfigNode& n = c.value();
  if (auto a = n.allowOnly({"username", "username_file", "password", "password_file"}); !a.ok())
    return a.error();
  if (n.has("username") && n.has("username_file"))
    return n.fail("username_file", "give username or username_file, not both");
  if (n.has("password") && n.has("password_file"))
    return n.fail("password_file", "give password or password_file, not both");
  if (n.has("username")) {
    auto u = n.requiredString("username");
    if (!u.ok())
      return u.error();
    spec.username = u.value();
  } else if (n.has("username_file")) {
    auto u = readSecretFile(n, "username_file");
    if (!u.ok())
      return u.error();
    spec.username = u.value();
  }
  if (n.has("password") || n.has("password_file")) {
    Secret s;
    if (n.has("password")) {
      auto p = n.requiredString("password");
      if (!p.ok())
        return p.error();
      if (p.value().empty())
        return n.fail("password", "password must not be empty");
      s.value = p.value();
      s.source = "inline password in the config";
    } else {
      auto p = readSecretFile(n, "password_file");
      if (!p.ok())
        return p.error();
      s.value = p.value();
      s.source = "password_file " + n.resolvePath(n.value()["password_file"].GetString());
    }
    s.fingerprint = sha256Fingerprint(s.value);
    spec.password = s;
  }
  return {};
}

Result<void> readTls(const ConfigNode& probe, ProbeSpec& spec) {
  auto t = probe.object("tls");
  if (!t.ok())
    return t.error();
  const ConfigNode& n = t.value();
  if (auto a = n.allowOnly({"verify", "ca_file", "min_days_left", "intensified_min_days_left"});
      !a.ok())
    return a.error();
  auto verify = n.boolean("verify", true);
  if (!verify.ok())
    return verify.error();
  spec.tlsVerify = verify.value();
  auto ca = n.string("ca_file", "");
  if (!ca.ok())
    return ca.error();
  spec.caFile = ca.value().empty() ? "" : n.resolvePath(ca.value());
  auto days = optionalNumber(n, "min_days_left", 0, 3650);
  if (!days.ok())
    return days.error();
  spec.minDaysLeft = days.value();
  auto tighter = optionalNumber(n, "intensified_min_days_left", 0, 3650);
  if (!tighter.ok())
    return tighter.error();
  spec.intensifiedMinDaysLeft = tighter.value();
  if (spec.intensifiedMinDaysLeft && !spec.minDaysLeft)
    return n.fail("intensified_min_days_left", "intensified_min_days_left needs min_days_left");
  if (spec.intensifiedMinDaysLeft && *spec.intensifiedMinDaysLeft < *spec.minDaysLeft)
    return n.fail("intensified_min_days_left",
                  "intensified_min_days_left must not be below min_days_left: a major event "
                  "tightens");
  auto client = TlsClient::create(spec.tlsVerify, spec.caFile);
  if (!client.ok())
    return n.fail(spec.caFile.empty() ? "" : "ca_file", client.error().message);
  spec.tls = client.value();
  return {};
}

}  // namespace

Result<ConfiguredProbe> readProbe(const ConfigNode& n) {
  const bool flow = n.has("steps");
  std::vector<std::string> keys{"id",        "url",         "tls",  "max_body_bytes",
                                "variables", "credentials", "steps"};
  if (!flow)
    keys.insert(keys.end(), kStepKeys.begin(), kStepKeys.end());
  if (auto a = n.allowOnly(withCadence(keys)); !a.ok())
    return a.error();
  ProbeSpec spec;
  auto id = n.requiredString("id");
  if (!id.ok())
    return id.error();
  spec.id = id.value();
  for (char c : spec.id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return n.fail("id", "a probe id is letters, digits, '-', '_' or '.', got '" + spec.id + "'");
  }
  if (spec.id.empty())
    return n.fail("id", "a probe id must not be empty");
  auto urlText = n.requiredString("url");
  if (!urlText.ok())
    return urlText.error();
  auto url = parseUrl(urlText.value());
  if (!url.ok())
    return n.fail("url", url.error().message);
  spec.url = url.value();
  auto maxBody = n.integer("max_body_bytes", 4 * 1024 * 1024, 1024, 256LL * 1024 * 1024);
  if (!maxBody.ok())
    return maxBody.error();
  spec.maxBodyBytes = static_cast<std::size_t>(maxBody.value());
  auto vars = stringMap(n, "variables");
  if (!vars.ok())
    return vars.error();
  for (const auto& [k, v] : vars.value()) {
    if (k == "username" || k == "password")
      return n.fail("variables", "'" + k + "' comes from \"credentials\", not from variables");
    spec.variables[k] = v;
  }
  if (auto c = readCredentials(n, spec); !c.ok())
    return c.error();
  if (auto t = readTls(n, spec); !t.ok())
    return t.error();

  if (flow) {
    spec.kind = "login";
    auto steps = n.objects("steps");
    if (!steps.ok())
      return steps.error();
    if (steps.value().empty())
      return n.fail("steps", "steps must list at least one step");
    for (std::size_t i = 0; i < steps.value().size(); ++i) {
      const ConfigNode& sn = steps.value()[i];
      if (auto a = sn.allowOnly(kStepKeys); !a.ok())
        return a.error();
      auto s = readStep(sn, "step " + std::to_string(i + 1), i > 0);
      if (!s.ok())
        return s.error();
      if (i == 0 && s.value().url.empty())
        s.value().url = urlText.value();
      spec.steps.push_back(s.value());
    }
  } else {
    auto s = readStep(n, "page", false);
    if (!s.ok())
      return s.error();
    s.value().url = urlText.value();
    spec.steps.push_back(s.value());
  }

  // Every ${name} must be known where it is used: a variable, the credentials, or a value an
  // earlier step extracts.
  std::set<std::string> known;
  for (const auto& [k, v] : spec.variables)
    known.insert(k);
  if (spec.username)
    known.insert("username");
  if (spec.password)
    known.insert("password");
  for (std::size_t i = 0; i < spec.steps.size(); ++i) {
    const StepSpec& s = spec.steps[i];
    std::vector<std::string> texts{s.url, s.body};
    for (const auto& [k, v] : s.headers)
      texts.push_back(v);
    for (const auto& [k, v] : s.form)
      texts.push_back(v);
    for (const std::string& t : texts) {
      for (const std::string& name : referencedNames(t)) {
        if (!known.count(name)) {
          const std::string where = flow ? "steps" : "url";
          return n.fail(where, "step " + std::to_string(i + 1) + " (" + s.name + ") uses ${" +
                                   name +
                                   "}, which no variable, credential or earlier extract "
                                   "defines");
        }
      }
    }
    for (const Extraction& e : s.extract)
      known.insert(e.name);
  }
  auto cadence = readCadence(n);
  if (!cadence.ok())
    return cadence.error();
  return ConfiguredProbe{std::make_shared<Probe>(std::move(spec)), cadence.value()};
}

Result<std::vector<ConfiguredProbe>> readProbeList(const ConfigNode& monitorBlock) {
  auto entries = monitorBlock.objects("probes");
  if (!entries.ok())
    return entries.error();
  std::vector<ConfiguredProbe> out;
  std::set<std::string> ids;
  for (const ConfigNode& e : entries.value()) {
    auto p = readProbe(e);
    if (!p.ok())
      return p.error();
    if (!ids.insert(p.value().probe->id()).second)
      return e.fail("id", "probe id '" + p.value().probe->id() + "' is used twice");
    out.push_back(p.value());
  }
  return out;
}

Result<std::vector<ScheduledCheck>> readProbes(const ConfigNode& monitorBlock) {
  auto list = readProbeList(monitorBlock);
  if (!list.ok())
    return list.error();
  std::vector<ScheduledCheck> out;
  for (const ConfiguredProbe& p : list.value())
    out.push_back(ScheduledCheck{p.probe, p.cadence});
  return out;
}

}  // namespace huitong::monitor::probe
