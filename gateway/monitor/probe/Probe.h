// A page probe or a login flow as a monitoring Check: one or more HTTP steps run in order within
// the run's timeout, sharing a cookie jar and variables (`${name}`: the probe's variables, the
// credentials' username/password, values extracted by earlier steps), each judged by its
// assertions (status, latency, body, headers, the peer certificate's days left). The result has
// a StepResult per request (redirect hops included) with phase timings and the failing
// assertion in words. A password is never logged nor kept: results show "***" wherever its
// text would appear, and the probe describes it by fingerprint. Start at readProbes()
// (ProbeConfig.h) to see how config becomes these.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/jsonpath/JsonPath.h"
#include "gateway/monitor/Check.h"
#include "gateway/monitor/probe/HtmlSelector.h"
#include "gateway/monitor/probe/HttpExchange.h"
#include "gateway/monitor/probe/Pattern.h"

namespace huitong::monitor::probe {

struct StatusRange {
  int low = 200, high = 299;
};

struct BodyAssertion {
  enum class Kind { kContains, kNotContains, kRegex, kNotRegex, kJsonPath, kSelector };
  Kind kind = Kind::kContains;
  std::string text;  // the substring, pattern, query or selector as written
  std::optional<Pattern> regex;
  std::optional<jsonpath::Query> query;
  std::optional<HtmlSelector> selector;
  std::shared_ptr<const rapidjson::Document> equals;  // jsonpath: expected value (null: exists)
};

struct HeaderAssertion {
  enum class Kind { kPresent, kAbsent, kEquals, kContains, kRegex };
  std::string name;
  Kind kind = Kind::kPresent;
  std::string text;
  std::optional<Pattern> regex;
};

// A value taken from an answer into a variable for later steps.
struct Extraction {
  enum class Kind { kRegex, kSelector, kHeader, kJsonPath };
  std::string name;
  Kind kind = Kind::kRegex;
  std::string text;  // pattern, selector, header name or query as written
  std::optional<Pattern> regex;
  unsigned group = 1;
  std::optional<HtmlSelector> selector;
  std::string attribute = "value";
  std::optional<jsonpath::Query> query;
};

struct StepSpec {
  std::string name;
  std::string url;  // template; relative to the previous step's URL (the probe's for the first)
  std::string method = "GET";
  Headers headers;                                        // templates
  std::string body;                                       // template
  std::vector<std::pair<std::string, std::string>> form;  // templates; sent urlencoded
  bool hasForm = false;
  bool followRedirects = true;
  unsigned maxRedirects = 5;
  std::vector<StatusRange> expectStatus{{200, 299}};
  std::optional<double> latencyMs, intensifiedLatencyMs;
  std::vector<BodyAssertion> bodyExpected;
  std::vector<HeaderAssertion> headersExpected;
  std::vector<Extraction> extract;
};

// A secret from the gateway's configuration: its text (kept in memory only) and how results
// and listings name it.
struct Secret {
  std::string value;
  std::string fingerprint;  // "sha256:" + the first 16 hex digits of SHA-256(value)
  std::string source;       // "password_file /etc/huitong/probe.pw" or "inline password"
};

struct ProbeSpec {
  std::string id;
  std::string kind = "http";  // "http" (one step) or "login" (steps)
  Url url;
  std::vector<StepSpec> steps;
  std::shared_ptr<const TlsClient> tls;
  bool tlsVerify = true;
  std::string caFile;
  std::optional<double> minDaysLeft, intensifiedMinDaysLeft;
  std::size_t maxBodyBytes = 4 * 1024 * 1024;
  std::map<std::string, std::string> variables;
  std::optional<std::string> username;
  std::optional<Secret> password;
};

class Probe final : public Check {
 public:
  explicit Probe(ProbeSpec spec);
  const std::string& id() const override { return spec_.id; }
  const std::string& kind() const override { return spec_.kind; }
  CheckResult run(const RunContext& ctx) override;
  const ProbeSpec& spec() const { return spec_; }
  // Lines describing the probe for a listing (steps, TLS, credentials by fingerprint).
  std::vector<std::string> describe() const;

 private:
  CheckResult runSteps(const RunContext& ctx);
  // Every text that leaves the probe goes through this: the password becomes "***".
  std::string redact(std::string text) const;

  ProbeSpec spec_;
  std::vector<std::string> secretForms_;  // the password as written, urlencoded, percent-encoded
};

// "a=1&b=x+y": application/x-www-form-urlencoded (UTF-8, space as '+').
std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields);
// `${name}` replaced by vars[name]; an unknown name stays as written and is reported.
std::string substitute(const std::string& text, const std::map<std::string, std::string>& vars,
                       std::vector<std::string>* unknown = nullptr);
// The names a template refers to.
std::vector<std::string> referencedNames(const std::string& text);

}  // namespace huitong::monitor::probe
