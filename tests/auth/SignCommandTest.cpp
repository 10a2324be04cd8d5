// `huitong sign` and `huitong keygen` as functions: their output verifies, usage errors exit 2.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gateway/auth/SignCommand.h"
#include "tests/auth/AuthTestSupport.h"

namespace huitong::auth {
namespace {

using namespace test;

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/huitong-auth-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(tmpl));
    path = tmpl;
  }
  ~TempDir() {
    if (std::system(("rm -rf '" + path + "'").c_str()) != 0) {
      BOOST_TEST_MESSAGE("could not remove " << path);
    }
  }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string file = path + "/" + name;
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }
  static std::string read(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
};

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run sign(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = runSign(args, out, err);
  return {code, out.str(), err.str()};
}

Run keygen(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = runKeygen(args, out, err);
  return {code, out.str(), err.str()};
}

// The request a server would see from the printed "Name: value" lines.
SignedRequest fromLines(const std::string& lines, const std::string& url, const std::string& body) {
  SignedRequest r;
  r.method = "POST";
  r.targetUri = url;
  r.body = body;
  std::istringstream in(lines);
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(": ");
    BOOST_REQUIRE_MESSAGE(colon != std::string::npos, line);
    addHeader(r, line.substr(0, colon), line.substr(colon + 2));
  }
  return r;
}

const std::string kUrl = "http://127.0.0.1:8600/intake/v1/marriage";
const std::string kBody = "{\"bizNo\":\"MR-2026-7\",\"name\":\"李四\"}\n";

BOOST_AUTO_TEST_SUITE(sign_command)

BOOST_AUTO_TEST_CASE(hmac_headers_verify) {
  TempDir dir;
  const std::string data = dir.write("body.json", kBody);
  Run run = sign({"--key-id", "civil-hmac", "--alg", "hmac-sha256", "--secret",
                  "s3cret-shared-with-civil", "--url", kUrl, "--content-type", "application/json",
                  "--data-file", data});
  BOOST_REQUIRE_MESSAGE(run.code == 0, run.err);
  BOOST_TEST(run.out.rfind("Content-Type: application/json\nContent-Digest: sha-256=:", 0) == 0);
  BOOST_TEST(run.out.find("\nSignature-Input: sig1=(\"@method\" \"@target-uri\" "
                          "\"content-digest\" \"content-type\");created=") != std::string::npos);
  SystemClock clock;
  Verifier verifier({hmacKey()}, clock);
  auto v = verifier.verify(fromLines(run.out, kUrl, kBody));
  BOOST_REQUIRE_MESSAGE(v.ok(), why(v));
  BOOST_TEST(v.value().system == "civil.marriage");
  // --secret-file, with the trailing newline editors add; --key-id=… form.
  const std::string secretFile = dir.write("secret", "s3cret-shared-with-civil\n");
  run = sign({"--key-id=civil-hmac", "--alg=hmac-sha256", "--secret-file", secretFile, "--url",
              kUrl, "--data-file", data});
  BOOST_REQUIRE_MESSAGE(run.code == 0, run.err);
  BOOST_TEST(verifier.verify(fromLines(run.out, kUrl, kBody)).ok());
}

BOOST_AUTO_TEST_CASE(keygen_then_ed25519_sign_verifies) {
  TempDir dir;
  const std::string priv = dir.path + "/dept.key";
  const std::string pub = dir.path + "/dept.pub";
  Run gen = keygen({"ed25519", "--private-key", priv, "--public-key", pub});
  BOOST_REQUIRE_MESSAGE(gen.code == 0, gen.err);
  struct stat st {};
  BOOST_REQUIRE(::stat(priv.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600);
  // Never overwrites.
  BOOST_TEST(keygen({"ed25519", "--private-key", priv, "--public-key", pub}).code == 2);

  const std::string data = dir.write("body.json", kBody);
  Run run = sign({"--key-id", "health-ed", "--alg", "ed25519", "--private-key", priv, "--url", kUrl,
                  "--data-file", data});
  BOOST_REQUIRE_MESSAGE(run.code == 0, run.err);
  SystemClock clock;
  Verifier verifier({DepartmentKey{"health-ed", "health.birth", "ed25519", "", TempDir::read(pub)}},
                    clock);
  auto v = verifier.verify(fromLines(run.out, kUrl, kBody));
  BOOST_REQUIRE_MESSAGE(v.ok(), why(v));

  // Printed form: a private then a public PEM.
  Run printed = keygen({"ed25519"});
  BOOST_REQUIRE(printed.code == 0);
  const auto split = printed.out.find("-----BEGIN PUBLIC KEY-----");
  BOOST_REQUIRE(split != std::string::npos);
  BOOST_TEST(printed.out.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
  const std::string privPem = printed.out.substr(0, split);
  const std::string pubPem = printed.out.substr(split);
  SignedRequest r = makeRequest();
  FixedClock fixed(kNow);
  DepartmentKey key{"k", "s", "ed25519", "", pubPem};
  BOOST_REQUIRE(auth::sign(r, key, fixed, privPem).ok());
  BOOST_TEST(Verifier({key}, fixed).verify(r).ok());
}

BOOST_AUTO_TEST_CASE(keygen_hmac_secret) {
  Run a = keygen({"hmac-sha256"});
  Run b = keygen({"hmac-sha256"});
  BOOST_TEST(a.code == 0);
  BOOST_TEST(a.out.size() == 44u);  // 43 characters and a newline
  BOOST_TEST(a.out != b.out);
}

BOOST_AUTO_TEST_CASE(curl_forms) {
  TempDir dir;
  const std::string data = dir.write("it's.json", kBody);
  const std::vector<std::string> base = {"--key-id",       "civil-hmac",
                                         "--alg",          "hmac-sha256",
                                         "--secret",       "s3cret-shared-with-civil",
                                         "--url",          kUrl,
                                         "--content-type", "application/json",
                                         "--data-file",    data};
  auto args = base;
  args.push_back("--curl");
  Run curl = sign(args);
  BOOST_REQUIRE_MESSAGE(curl.code == 0, curl.err);
  BOOST_TEST(curl.out.rfind("curl -sS -X 'POST' -H 'Content-Type: application/json' -H "
                            "'Content-Digest: sha-256=:",
                            0) == 0);
  BOOST_TEST(curl.out.find(" -H 'Signature-Input: sig1=(\"@method\" ") != std::string::npos);
  BOOST_TEST(curl.out.find(" --data-binary '@" + dir.path + "/it'\\''s.json' '" + kUrl + "'\n") !=
             std::string::npos);

  args = base;
  args.push_back("--curl-config");
  Run config = sign(args);
  BOOST_REQUIRE_MESSAGE(config.code == 0, config.err);
  BOOST_TEST(config.out.rfind("silent\nshow-error\nurl = \"" + kUrl +
                                  "\"\nrequest = \"POST\"\n"
                                  "header = \"Content-Type: application/json\"\n"
                                  "header = \"Content-Digest: sha-256=:",
                              0) == 0);
  BOOST_TEST(
      config.out.find("header = \"Signature-Input: sig1=(\\\"@method\\\" \\\"@target-uri\\\"") !=
      std::string::npos);
  BOOST_TEST(config.out.find("data-binary = \"@" + data + "\"\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2) {
  TempDir dir;
  const std::string key = dir.write("k.pem", testKeyPair().privateKeyPem);
  BOOST_TEST(sign({"--help"}).code == 0);
  BOOST_TEST(sign({"--help"}).out.find("usage: huitong sign") == 0u);
  BOOST_TEST(keygen({"--help"}).code == 0);
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"--key-id", "k", "--alg", "hmac-sha256", "--url", kUrl},  // no secret
      {"--key-id", "k", "--alg", "hmac-sha256", "--secret", "s", "--private-key", key, "--url",
       kUrl},
      {"--key-id", "k", "--alg", "ed25519", "--secret", "s", "--url", kUrl},
      {"--key-id", "k", "--alg", "rsa", "--secret", "s", "--url", kUrl},
      {"--key-id", "k", "--alg", "hmac-sha256", "--secret", "s", "--url", kUrl, "--bogus"},
      {"--key-id", "k", "--alg", "hmac-sha256", "--secret", "s", "--url", kUrl, "extra"},
      {"--key-id", "k", "--alg", "hmac-sha256", "--secret", "s", "--url"},
      {"--key-id", "k", "--alg", "hmac-sha256", "--secret", "s", "--url", kUrl, "--data-file",
       dir.path + "/absent"},
      {"--key-id", "k", "--alg", "hmac-sha256", "--secret", "s", "--url", kUrl, "--curl",
       "--curl-config"},
      {"--key-id", "k", "--alg", "hmac-sha256", "--secret", "s", "--url", kUrl, "--curl",
       "--data-file", "-"},
      {"--key-id", "k", "--alg", "ed25519", "--private-key", dir.path + "/absent", "--url", kUrl},
      {"--key-id", "k", "--alg", "ed25519", "--private-key", dir.write("junk.pem", "junk"), "--url",
       kUrl},
  };
  for (const auto& args : bad) {
    Run run = sign(args);
    std::string joined;
    for (const auto& a : args)
      joined += a + " ";
    BOOST_TEST(run.code == 2, joined);
    BOOST_TEST(!run.err.empty(), joined);
    BOOST_TEST(run.out.empty(), joined);
  }
  BOOST_TEST(keygen({}).code == 2);
  BOOST_TEST(keygen({"rsa"}).code == 2);
  BOOST_TEST(keygen({"ed25519", "--private-key", dir.path + "/only"}).code == 2);
  BOOST_TEST(keygen({"hmac-sha256", "--public-key", dir.path + "/x"}).code == 2);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace huitong::auth
