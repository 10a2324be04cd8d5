// Interoperability with the npm package http-message-signatures (the client departments are
// told to use): it signs and we verify; we sign and it verifies. Needs node and npm; the
// package is installed into the build folder on first run (network), and the tests are
// skipped with the reason when any of that is unavailable.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "gateway/auth/HttpSignatures.h"
#include "gateway/core/Json.h"

namespace huitong::auth {
namespace {

namespace utf = boost::unit_test;

const std::string kPrefix = std::string(HUITONG_BINARY_DIR) + "/auth-npm";
const std::string kScript = std::string(HUITONG_SOURCE_DIR) + "/tests/auth/interop.js";
// The major version that runs on Node 20 (CommonJS, `require`); 1.0.6 was tested.
const std::string kPackage = "http-message-signatures@1";
const std::string kSecret = "interop-secret-0123456789abcdef";

struct Output {
  int status = -1;
  std::string text;
};

Output capture(const std::string& command) {
  Output out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe)
    return out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0)
    out.text.append(buf, n);
  const int status = ::pclose(pipe);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Whether node, npm and the package are usable; installs the package once per build folder.
boost::test_tools::assertion_result interopReady(utf::test_unit_id) {
  static const std::string reason = [] {
    if (capture("command -v node >/dev/null 2>&1").status != 0)
      return std::string("no node");
    if (std::ifstream(kPrefix + "/node_modules/http-message-signatures/package.json"))
      return std::string();
    if (capture("command -v npm >/dev/null 2>&1").status != 0)
      return std::string("no npm");
    const std::string log = kPrefix + "-install.log";
    const Output install = capture(
        "mkdir -p " + quote(kPrefix) + " && timeout 300 npm install --prefix " + quote(kPrefix) +
        " --no-audit --no-fund --loglevel=error " + kPackage + " > " + quote(log) + " 2>&1");
    if (install.status != 0)
      return "npm install " + kPackage + " failed (see " + log + ")";
    return std::string();
  }();
  static const bool announced = [] {
    // Visible at the default log level too (Boost reports skips only at test_suite level).
    if (!reason.empty())
      std::cerr << "test_auth_interop: skipped: " << reason << "\n";
    return true;
  }();
  (void)announced;
  boost::test_tools::assertion_result result(reason.empty());
  if (!reason.empty()) {
    result.message() << "skipped: node interop unavailable: " << reason;
  }
  return result;
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/huitong-auth-interop-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(tmpl));
    path = tmpl;
  }
  ~TempDir() {
    if (std::system(("rm -rf " + quote(path)).c_str()) != 0)
      BOOST_TEST_MESSAGE("kept " << path);
  }
};

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

BOOST_AUTO_TEST_SUITE(npm_interop)

BOOST_AUTO_TEST_CASE(npm_signs_huitong_verifies, *utf::precondition(interopReady)) {
  TempDir dir;
  const Output out = capture("node " + quote(kScript) + " " + quote(kPrefix) + " sign " +
                             quote(dir.path) + " " + quote(kSecret) + " 2>&1");
  BOOST_REQUIRE_MESSAGE(out.status == 0, out.text);
  auto doc = json::parse(out.text);
  BOOST_REQUIRE_MESSAGE(doc.ok(), out.text);
  const rapidjson::Document& requests = doc.value();
  BOOST_REQUIRE(requests.IsArray() && requests.Size() == 2);

  SystemClock clock;
  Verifier verifier({DepartmentKey{"npm-hmac", "civil.marriage", "hmac-sha256", kSecret, ""},
                     DepartmentKey{"npm-ed25519", "health.birth", "ed25519", "",
                                   readFile(dir.path + "/ed25519.pub.pem")}},
                    clock);
  for (const auto& spec : requests.GetArray()) {
    SignedRequest r;
    r.method = spec["method"].GetString();
    r.targetUri = spec["url"].GetString();
    r.body = spec["body"].GetString();
    for (const auto& h : spec["headers"].GetObject()) {
      addHeader(r, h.name.GetString(), h.value.GetString());
    }
    const std::string alg = spec["alg"].GetString();
    BOOST_TEST_MESSAGE("npm " << alg << ": " << r.headers["signature-input"]);
    auto v = verifier.verify(r);
    BOOST_REQUIRE_MESSAGE(v.ok(), alg << ": " << (v.ok() ? "" : v.error().message));
    BOOST_TEST(v.value().keyId == spec["keyid"].GetString());
    BOOST_TEST(v.value().label == "sig1");
    BOOST_TEST(verifier.verify(r).error().code == "auth.replay", alg);
    SignedRequest tampered = r;
    tampered.body += " ";
    BOOST_TEST(verifier.verify(tampered).error().code == "auth.digest", alg);
    tampered = r;
    tampered.targetUri += "?as=someone-else";
    BOOST_TEST(verifier.verify(tampered).error().code == "auth.signature", alg);
  }
}

BOOST_AUTO_TEST_CASE(huitong_signs_npm_verifies, *utf::precondition(interopReady)) {
  TempDir dir;
  auto pair = generateEd25519KeyPair();
  BOOST_REQUIRE(pair.ok());
  SystemClock clock;
  auto hmacSigner = Signer::create(DepartmentKey{"huitong-hmac", "s", "hmac-sha256", kSecret, ""});
  auto edSigner = Signer::create(DepartmentKey{"huitong-ed25519", "s", "ed25519", "", ""},
                                 pair.value().privateKeyPem);
  BOOST_REQUIRE(hmacSigner.ok() && edSigner.ok());

  struct Case {
    std::string name;
    const Signer* signer;
    std::string url;
    std::string expect;
    void (*tamper)(SignedRequest&);
  };
  const std::vector<Case> cases = {
      {"hmac-sha256", &hmacSigner.value(), "http://127.0.0.1:8600/intake/v1/marriage", "ok",
       nullptr},
      {"ed25519", &edSigner.value(), "http://127.0.0.1:8600/intake/v1/marriage", "ok", nullptr},
      {"ed25519-query", &edSigner.value(), "http://127.0.0.1:8600/intake/v1/birth?dryRun=1", "ok",
       nullptr},
      {"hmac-tampered-body", &hmacSigner.value(), "http://127.0.0.1:8600/intake/v1/marriage",
       "rejected", [](SignedRequest& r) { r.body += " "; }},
      {"ed25519-tampered-method", &edSigner.value(), "http://127.0.0.1:8600/intake/v1/marriage",
       "rejected", [](SignedRequest& r) { r.method = "PUT"; }},
  };

  rapidjson::Document input(rapidjson::kObjectType);
  auto& a = input.GetAllocator();
  input.AddMember("secret", json::string(kSecret, a), a);
  input.AddMember("ed25519PublicKeyPem", json::string(pair.value().publicKeyPem, a), a);
  rapidjson::Value list(rapidjson::kArrayType);
  for (const Case& c : cases) {
    SignedRequest r;
    r.method = "POST";
    r.targetUri = c.url;
    r.body = "{\"bizNo\":\"MR-2026-000456\",\"applicant\":\"王五\",\"case\":\"" + c.name + "\"}";
    addHeader(r, "Content-Type", "application/json; charset=utf-8");
    BOOST_REQUIRE(c.signer->sign(r, clock).ok());
    if (c.tamper)
      c.tamper(r);
    rapidjson::Value spec(rapidjson::kObjectType);
    spec.AddMember("name", json::string(c.name, a), a);
    spec.AddMember("expect", json::string(c.expect, a), a);
    spec.AddMember("method", json::string(r.method, a), a);
    spec.AddMember("url", json::string(r.targetUri, a), a);
    spec.AddMember("body", json::string(r.body, a), a);
    rapidjson::Value headers(rapidjson::kObjectType);
    for (const auto& [name, value] : r.headers) {
      headers.AddMember(json::string(name, a), json::string(value, a), a);
    }
    spec.AddMember("headers", headers, a);
    list.PushBack(spec, a);
  }
  input.AddMember("requests", list, a);
  const std::string file = dir.path + "/signed.json";
  std::ofstream(file, std::ios::binary) << json::write(input);

  const Output out =
      capture("node " + quote(kScript) + " " + quote(kPrefix) + " verify " + quote(file) + " 2>&1");
  BOOST_TEST_MESSAGE(out.text);
  BOOST_TEST(out.status == 0, out.text);
  for (const Case& c : cases) {
    BOOST_TEST(out.text.find(c.name + " " + c.expect) != std::string::npos, c.name << "\n"
                                                                                   << out.text);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace huitong::auth
