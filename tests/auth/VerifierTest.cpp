// Verifier: every error code, replay and the nonce cache's bounds, skew, tampering, several
// signatures, concurrency, and a fuzz-ish loop over mangled headers.
#include <atomic>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include "tests/auth/AuthTestSupport.h"

namespace huitong::auth {
namespace {

using namespace test;

std::string outcome(const Result<Verified>& r) {
  return r.ok() ? "ok" : r.error().code;
}

struct Gateway {
  FixedClock clock{kNow};
  Verifier verifier;
  explicit Gateway(VerifyPolicy policy = {})
      : verifier({hmacKey(), edKey()}, clock, std::move(policy)) {}
  std::string check(const SignedRequest& r) const { return outcome(verifier.verify(r)); }
};

BOOST_AUTO_TEST_SUITE(verifier)

BOOST_AUTO_TEST_CASE(hmac_and_ed25519_round_trip) {
  Gateway g;
  auto a = g.verifier.verify(signedRequest(hmacKey()));
  BOOST_REQUIRE_MESSAGE(a.ok(), why(a));
  BOOST_TEST(a.value().keyId == "civil-hmac");
  BOOST_TEST(a.value().system == "civil.marriage");
  BOOST_TEST(a.value().label == "sig1");
  auto b = g.verifier.verify(signedRequest(edKey()));
  BOOST_REQUIRE_MESSAGE(b.ok(), why(b));
  BOOST_TEST(b.value().keyId == "health-ed");
  BOOST_TEST(b.value().system == "health.birth");
}

BOOST_AUTO_TEST_CASE(sign_covers_content_type_only_when_present) {
  SignedRequest r = signedRequest(hmacKey());
  const std::string& input = r.headers["signature-input"];
  BOOST_TEST(input.rfind(R"(sig1=("@method" "@target-uri" "content-digest" "content-type");)"
                         "created=1764300000;nonce=\"",
                         0) == 0);
  BOOST_TEST(input.find(R"(;keyid="civil-hmac";alg="hmac-sha256")") != std::string::npos);
  BOOST_TEST(r.headers["content-digest"] == contentDigest(r.body));

  SignedRequest bare = makeRequest();
  bare.headers.clear();
  FixedClock clock(kNow);
  BOOST_REQUIRE(sign(bare, hmacKey(), clock).ok());
  BOOST_TEST(bare.headers["signature-input"].find("content-type") == std::string::npos);
  Gateway g;
  BOOST_TEST(g.check(bare) == "ok");
}

BOOST_AUTO_TEST_CASE(nonces_are_random_and_base64url) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string n = randomToken(16);
    BOOST_TEST(n.size() == 22u);
    BOOST_TEST(
        n.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
    seen.insert(n);
  }
  BOOST_TEST(seen.size() == 200u);
}

BOOST_AUTO_TEST_CASE(missing_headers) {
  Gateway g;
  for (const char* name : {"signature-input", "signature", "content-digest"}) {
    SignedRequest r = signedRequest(hmacKey());
    r.headers.erase(name);
    BOOST_TEST(g.check(r) == "auth.missing", name);
  }
  BOOST_TEST(g.check(makeRequest()) == "auth.missing");
}

BOOST_AUTO_TEST_CASE(malformed_headers) {
  Gateway g;
  auto with = [&](const char* name, const std::string& value) {
    SignedRequest r = signedRequest(hmacKey());
    r.headers[name] = value;
    return g.check(r);
  };
  BOOST_TEST(with("signature-input", "sig1=(\"@method\"") == "auth.malformed");
  BOOST_TEST(with("signature-input", "Sig1=(\"@method\")") == "auth.malformed");
  BOOST_TEST(with("signature-input", "sig1=\"not a list\"") == "auth.malformed");
  BOOST_TEST(with("signature", "sig1=:not base64!:") == "auth.malformed");
  BOOST_TEST(with("signature", "sig1=\"a string\"") == "auth.malformed");
  BOOST_TEST(with("signature", "other=:AAAA:") == "auth.malformed");  // label sig1 absent
  BOOST_TEST(with("signature", "sig1=(:AAAA:)") == "auth.malformed");

  SignedRequest r = makeRequest();
  signRaw(
      r, "sig1",
      R"(("@method" "content-digest" "@target-uri");created="1764300000";nonce="n";keyid="civil-hmac")",
      hmacKey());
  BOOST_TEST(g.check(r) == "auth.malformed");  // created is a string
  r = makeRequest();
  signRaw(r, "sig1", standardInput("civil-hmac", "", std::string(257, 'n')), hmacKey());
  BOOST_TEST(g.check(r) == "auth.malformed");  // nonce too long
  r = makeRequest();
  signRaw(r, "sig1", standardInput("civil-hmac", ";expires=soon"), hmacKey());
  BOOST_TEST(g.check(r) == "auth.malformed");
  r = makeRequest();
  signRaw(r, "sig1", standardInput("civil-hmac"), hmacKey());
  r.targetUri = "/intake/v1/marriage";  // not absolute: @target-uri cannot be derived
  BOOST_TEST(g.check(r) == "auth.malformed");
}

BOOST_AUTO_TEST_CASE(unknown_key) {
  Gateway g;
  SignedRequest r = makeRequest();
  DepartmentKey stranger{"stranger", "x", "hmac-sha256", "whatever", ""};
  signRaw(r, "sig1", standardInput("stranger"), stranger);
  BOOST_TEST(g.check(r) == "auth.unknown_key");
  r = makeRequest();
  signRaw(r, "sig1", R"(("@method" "@target-uri" "content-digest");created=1764300000;nonce="n")",
          hmacKey());
  BOOST_TEST(g.check(r) == "auth.unknown_key");  // no keyid at all
  r = makeRequest();
  signRaw(
      r, "sig1",
      R"(("@method" "@target-uri" "content-digest");created=1764300000;nonce="n";keyid=civil-hmac)",
      hmacKey());
  BOOST_TEST(g.check(r) == "auth.unknown_key");  // a token, not a string
}

BOOST_AUTO_TEST_CASE(wrong_algorithm) {
  Gateway g;
  SignedRequest r = makeRequest();
  signRaw(r, "sig1", standardInput("civil-hmac", ";alg=\"ed25519\""), hmacKey());
  BOOST_TEST(g.check(r) == "auth.algorithm");
  r = makeRequest();
  signRaw(r, "sig1", standardInput("health-ed", ";alg=\"hmac-sha256\""), edKey());
  BOOST_TEST(g.check(r) == "auth.algorithm");
  r = makeRequest();
  signRaw(r, "sig1", standardInput("civil-hmac", ";alg=hmac-sha256"), hmacKey());
  BOOST_TEST(g.check(r) == "auth.algorithm");  // a token is not the string the RFC registers
  r = makeRequest();
  signRaw(r, "sig1", standardInput("civil-hmac", ";alg=\"hmac-sha256\""), hmacKey());
  BOOST_TEST(g.check(r) == "ok");
  // An HMAC made with the public key's bytes as secret (the classic confusion) stays refused.
  r = makeRequest();
  DepartmentKey confused{"health-ed", "", "hmac-sha256", edKey().publicKeyPem, ""};
  signRaw(r, "sig1", standardInput("health-ed", "", "n-confused"), confused);
  BOOST_TEST(g.check(r) == "auth.signature");
}

BOOST_AUTO_TEST_CASE(missing_components) {
  Gateway g;
  auto check = [&](const std::string& input) {
    SignedRequest r = makeRequest();
    r.headers["x-empty"] = "  ";
    signRaw(r, "sig1", input, hmacKey());
    return g.check(r);
  };
  const std::string params = ";created=1764300000;nonce=\"n\";keyid=\"civil-hmac\"";
  BOOST_TEST(check(R"(("@method" "content-digest"))" + params) == "auth.components");
  BOOST_TEST(check(R"(("@target-uri" "content-digest"))" + params) == "auth.components");
  BOOST_TEST(check(R"(("@method" "@target-uri"))" + params) == "auth.components");
  BOOST_TEST(check(R"(("@method" "@target-uri" "content-digest");nonce="n";keyid="civil-hmac")") ==
             "auth.components");  // no created
  BOOST_TEST(
      check(
          R"(("@method" "@target-uri" "content-digest");created=1764300000;keyid="civil-hmac")") ==
      "auth.components");  // no nonce
  // An empty header is present (its value is empty), and covering it is fine.
  BOOST_TEST(check(R"(("@method" "@target-uri" "content-digest" "x-empty"))" + params) == "ok");

  // signRaw needs a buildable base, so these are checked through signatureBase().
  auto base = [&](const std::string& components) {
    SignedRequest r = makeRequest();
    r.headers["signature-input"] = "sig1=(" + components + ")" + params;
    auto b = signatureBase(r, "sig1");
    return b.ok() ? std::string("ok") : b.error().code;
  };
  BOOST_TEST(base(R"("@method" "x-absent")") == "auth.components");
  BOOST_TEST(base(R"("@method" "@method")") == "auth.components");
  BOOST_TEST(base(R"("@unknown")") == "auth.components");
  BOOST_TEST(base(R"("@signature-params")") == "auth.components");
  BOOST_TEST(base(R"("Content-Type")") == "auth.components");
  BOOST_TEST(base(R"("content-type";bs)") == "auth.components");
  BOOST_TEST(base(R"("@method" "@target-uri" "content-digest";sf)") == "auth.components");
  BOOST_TEST(base(R"("@query-param";name="x")") == "auth.components");
  BOOST_TEST(base(R"(content-type)") == "auth.malformed");  // a token, not a string
  std::string many = R"("@method" "@target-uri" "content-digest")";
  for (int i = 0; i < 62; ++i)
    many += " \"x-h" + std::to_string(i) + "\"";
  SignedRequest wide = makeRequest();
  wide.headers["content-digest"] = contentDigest(wide.body);
  for (int i = 0; i < 62; ++i)
    wide.headers["x-h" + std::to_string(i)] = "v";
  wide.headers["signature-input"] = "sig1=(" + many + ")" + params;
  auto refused = signatureBase(wide, "sig1");
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.error().message.find("more than 64") != std::string::npos);
  wide.headers["signature-input"] = "sig1=(" + many.substr(0, many.rfind(" \"")) + ")" + params;
  auto accepted = signatureBase(wide, "sig1");
  BOOST_TEST(accepted.ok(), why(accepted));  // 64 are fine
  // A covered header through the verifier: absent at the gateway.
  SignedRequest r = makeRequest();
  r.headers["x-sent"] = "1";
  signRaw(r, "sig1", R"(("@method" "@target-uri" "content-digest" "x-sent"))" + params, hmacKey());
  r.headers.erase("x-sent");
  BOOST_TEST(g.check(r) == "auth.components");
}

BOOST_AUTO_TEST_CASE(created_skew_and_expires) {
  for (EpochMillis offset : {-300000LL, -299000LL, 0LL, 299000LL, 300000LL}) {
    Gateway g;
    g.clock.set(kNow + offset);
    BOOST_TEST(g.check(signedRequest(hmacKey())) == "ok", "offset " << offset);
  }
  for (EpochMillis offset : {-301000LL, 301000LL, -86400000LL, 86400000LL}) {
    Gateway g;
    g.clock.set(kNow + offset);
    BOOST_TEST(g.check(signedRequest(hmacKey())) == "auth.expired", "offset " << offset);
  }
  Gateway g;
  SignedRequest r = makeRequest();
  signRaw(r, "sig1", standardInput("civil-hmac", ";expires=" + std::to_string(kNow / 1000 - 1)),
          hmacKey());
  BOOST_TEST(g.check(r) == "auth.expired");
  r = makeRequest();
  signRaw(r, "sig1", standardInput("civil-hmac", ";expires=" + std::to_string(kNow / 1000 + 60)),
          hmacKey());
  BOOST_TEST(g.check(r) == "ok");
  // A policy with a tighter skew.
  VerifyPolicy tight;
  tight.maxSkewMillis = 5000;
  Gateway t(tight);
  t.clock.set(kNow + 6000);
  BOOST_TEST(t.check(signedRequest(hmacKey())) == "auth.expired");
}

BOOST_AUTO_TEST_CASE(tampering_breaks_the_signature) {
  for (const DepartmentKey& key : {hmacKey(), edKey()}) {
    Gateway g;
    SignedRequest r = signedRequest(key);
    r.method = "PUT";
    BOOST_TEST(g.check(r) == "auth.signature");
    r = signedRequest(key);
    r.targetUri = "http://127.0.0.1:8600/intake/v1/birth";
    BOOST_TEST(g.check(r) == "auth.signature");
    r = signedRequest(key);
    r.targetUri += "?x=1";
    BOOST_TEST(g.check(r) == "auth.signature");
    r = signedRequest(key);
    r.headers["content-type"] = "text/plain";
    BOOST_TEST(g.check(r) == "auth.signature");
    // A new body with a recomputed digest: the digest is covered, so the signature breaks.
    r = signedRequest(key);
    r.body = R"({"bizNo":"MR-1","n":2})";
    r.headers["content-digest"] = contentDigest(r.body);
    BOOST_TEST(g.check(r) == "auth.signature");
    // Parameters are signed too.
    r = signedRequest(key);
    std::string& input = r.headers["signature-input"];
    input.replace(input.find("created=") + 8, 10, std::to_string(kNow / 1000 - 1));
    BOOST_TEST(g.check(r) == "auth.signature");
    // A truncated or altered signature.
    r = signedRequest(key);
    std::string& sig = r.headers["signature"];
    sig.replace(sig.size() - 5, 1, sig[sig.size() - 5] == 'A' ? "B" : "A");
    BOOST_TEST(g.check(r) == "auth.signature");
    r = signedRequest(key);
    r.headers["signature"] = "sig1=:AAAA:";
    BOOST_TEST(g.check(r) == "auth.signature");
  }
  // The right keyid with the wrong secret or the wrong private key.
  Gateway g;
  SignedRequest r = makeRequest();
  DepartmentKey wrong = hmacKey();
  wrong.secret = "s3cret-shared-with-civiL";
  signRaw(r, "sig1", standardInput("civil-hmac"), wrong);
  BOOST_TEST(g.check(r) == "auth.signature");
  r = makeRequest();
  signRaw(r, "sig1", standardInput("health-ed"), edKey(), kRfcEd25519PrivatePem);
  BOOST_TEST(g.check(r) == "auth.signature");
}

BOOST_AUTO_TEST_CASE(tampered_body_fails_the_digest) {
  for (const DepartmentKey& key : {hmacKey(), edKey()}) {
    Gateway g;
    SignedRequest r = signedRequest(key);
    r.body += " ";
    BOOST_TEST(g.check(r) == "auth.digest");
    r = signedRequest(key, kNow, "");
    BOOST_TEST(g.check(r) == "ok");  // an empty body has a digest too
  }
  Gateway g;
  int counter = 0;
  auto withDigest = [&](const std::string& digest) {
    SignedRequest r = makeRequest();
    r.headers["content-digest"] = digest;
    signRaw(r, "sig1", standardInput("civil-hmac", "", "d-" + std::to_string(++counter)),
            hmacKey());
    return g.check(r);
  };
  BOOST_TEST(withDigest("sha-512=:" + sf::base64Encode(std::string(64, 'x')) + ":") ==
             "auth.digest");
  BOOST_TEST(withDigest("sha-256=\"not bytes\"") == "auth.digest");
  BOOST_TEST(withDigest("sha-256=:AAAA:") == "auth.digest");
  BOOST_TEST(withDigest("not a dictionary(") == "auth.digest");
  // Several algorithms: sha-256 is the one checked.
  const std::string good = contentDigest(makeRequest().body);
  BOOST_TEST(withDigest("sha-512=:" + sf::base64Encode(std::string(64, 'x')) + ":, " + good) ==
             "ok");
}

BOOST_AUTO_TEST_CASE(replay_is_refused) {
  Gateway g;
  for (const DepartmentKey& key : {hmacKey(), edKey()}) {
    SignedRequest r = signedRequest(key);
    BOOST_TEST(g.check(r) == "ok");
    BOOST_TEST(g.check(r) == "auth.replay");
    g.clock.set(kNow + 299000);
    BOOST_TEST(g.check(r) == "auth.replay");  // still inside the window: still remembered
    g.clock.set(kNow);
  }
  // Nonces are per key: the same nonce under another key is not a replay.
  SignedRequest a = makeRequest();
  signRaw(a, "sig1", standardInput("civil-hmac", "", "shared-nonce"), hmacKey());
  SignedRequest b = makeRequest();
  signRaw(b, "sig1", standardInput("health-ed", "", "shared-nonce"), edKey());
  BOOST_TEST(g.check(a) == "ok");
  BOOST_TEST(g.check(b) == "ok");
  // A refused request does not burn its nonce.
  SignedRequest c = signedRequest(hmacKey());
  SignedRequest tampered = c;
  tampered.body += "x";
  BOOST_TEST(g.check(tampered) == "auth.digest");
  BOOST_TEST(g.check(c) == "ok");
}

BOOST_AUTO_TEST_CASE(nonce_cache_expires_and_is_bounded) {
  VerifyPolicy policy;
  policy.nonceTtlMillis = 1000;
  policy.maxNonces = 3;
  Gateway g(policy);
  for (int i = 0; i < 3; ++i)
    BOOST_TEST(g.check(signedRequest(hmacKey())) == "ok");
  BOOST_TEST(g.verifier.rememberedNonces() == 3u);
  // Full of unexpired nonces: refuse rather than grow or forget.
  auto full = g.verifier.verify(signedRequest(hmacKey()));
  BOOST_REQUIRE(!full.ok());
  BOOST_TEST(full.error().code == "auth.replay");
  BOOST_TEST(full.error().message.find("full") != std::string::npos);
  BOOST_TEST(g.verifier.rememberedNonces() == 3u);
  // Nonces are kept until created + maxSkew (longer than the 1 s TTL here), then dropped.
  g.clock.set(kNow + 300000);
  BOOST_TEST(g.check(signedRequest(hmacKey(), kNow + 300000)) == "auth.replay");
  g.clock.set(kNow + 300001);
  BOOST_TEST(g.check(signedRequest(hmacKey(), kNow + 300001)) == "ok");
  BOOST_TEST(g.verifier.rememberedNonces() == 1u);
  // Copies share the cache.
  Verifier copy = g.verifier;
  BOOST_TEST(copy.rememberedNonces() == 1u);
}

BOOST_AUTO_TEST_CASE(several_signatures_first_known_keyid_wins) {
  Gateway g;
  SignedRequest r = makeRequest();
  DepartmentKey stranger{"stranger", "x", "hmac-sha256", "other", ""};
  signRaw(r, "proxy", standardInput("stranger", "", "p-1"), stranger);
  const std::string proxyInput = r.headers["signature-input"];
  const std::string proxySig = r.headers["signature"];
  signRaw(r, "dept", standardInput("civil-hmac", "", "d-1"), hmacKey());
  r.headers["signature-input"] = proxyInput + ", " + r.headers["signature-input"];
  r.headers["signature"] = r.headers["signature"] + ", " + proxySig;
  auto v = g.verifier.verify(r);
  BOOST_REQUIRE_MESSAGE(v.ok(), why(v));
  BOOST_TEST(v.value().label == "dept");
  BOOST_TEST(v.value().keyId == "civil-hmac");

  // Two known keyids: the first is verified and there is no fallback to the second.
  SignedRequest two = makeRequest();
  signRaw(two, "b", standardInput("health-ed", "", "b-1"), edKey());
  const std::string edInput = two.headers["signature-input"];
  signRaw(two, "a", standardInput("civil-hmac", "", "a-1"), hmacKey());
  two.headers["signature-input"] = two.headers["signature-input"] + ", " + edInput;
  two.headers["signature"] += ", b=:" + sf::base64Encode(std::string(64, '\0')) + ":";
  BOOST_TEST(g.check(two) == "ok");  // "a" is first and valid
  SignedRequest swapped = makeRequest();
  signRaw(swapped, "a", standardInput("civil-hmac", "", "a-2"), hmacKey());
  swapped.headers["signature-input"] = edInput + ", " + swapped.headers["signature-input"];
  swapped.headers["signature"] += ", b=:" + sf::base64Encode(std::string(64, '\0')) + ":";
  BOOST_TEST(g.check(swapped) == "auth.signature");  // "b" is first and forged
}

BOOST_AUTO_TEST_CASE(system_is_the_keys_own) {
  Gateway g;
  auto v = g.verifier.verify(signedRequest(hmacKey()));
  BOOST_REQUIRE(v.ok());
  BOOST_TEST(checkSystem(v.value(), "civil.marriage").ok());
  auto other = checkSystem(v.value(), "health.birth");
  BOOST_REQUIRE(!other.ok());
  BOOST_TEST(other.error().code == "auth.system");
}

BOOST_AUTO_TEST_CASE(bad_key_configuration_fails_at_construction) {
  FixedClock clock(kNow);
  auto code = [&](std::vector<DepartmentKey> keys) {
    auto v = Verifier::create(std::move(keys), clock);
    return v.ok() ? std::string("ok") : v.error().code + ": " + v.error().message;
  };
  BOOST_TEST(code({hmacKey(), edKey()}) == "ok");
  BOOST_TEST(code({DepartmentKey{"k", "s", "rsa-pss-sha512", "x", ""}}).find("unknown algorithm") !=
             std::string::npos);
  BOOST_TEST(code({DepartmentKey{"k", "s", "hmac-sha256", "", ""}}).find("secret") !=
             std::string::npos);
  BOOST_TEST(code({DepartmentKey{"k", "s", "ed25519", "", "not a pem"}}).find("\"k\"") !=
             std::string::npos);
  // An X25519 key is a valid PEM but not an Ed25519 key.
  BOOST_TEST(code({DepartmentKey{"k", "s", "ed25519", "", x25519PublicPem()}})
                 .find("not an Ed25519 key") != std::string::npos);
  BOOST_TEST(code({hmacKey(), hmacKey()}).find("twice") != std::string::npos);
  BOOST_TEST(code({DepartmentKey{"", "s", "hmac-sha256", "x", ""}}).find("empty keyid") !=
             std::string::npos);
  BOOST_CHECK_THROW(Verifier({DepartmentKey{"k", "s", "none", "", ""}}, clock),
                    std::invalid_argument);
  // Signers refuse the same way.
  BOOST_TEST(!Signer::create(edKey(), "not a pem").ok());
  BOOST_TEST(!Signer::create(edKey(), testKeyPair().publicKeyPem).ok());
  BOOST_TEST(!Signer::create(DepartmentKey{"k", "s", "hmac-sha256", "", ""}).ok());
}

BOOST_AUTO_TEST_CASE(header_lines_are_combined) {
  SignedRequest r;
  addHeader(r, "X-Multi", "  a ");
  addHeader(r, "x-multi", "b\t");
  addHeader(r, "Content-Type", "application/json");
  BOOST_TEST(r.headers["x-multi"] == "a, b");
  BOOST_TEST(r.headers["content-type"] == "application/json");
  // Signature-Input and Signature on several lines combine into one dictionary.
  SignedRequest s = signedRequest(hmacKey());
  SignedRequest split = s;
  split.headers.erase("signature-input");
  addHeader(split, "Signature-Input", "other=(\"@method\");keyid=\"nobody\"");
  addHeader(split, "Signature-Input", s.headers["signature-input"]);
  Gateway g;
  BOOST_TEST(g.check(split) == "ok");
}

BOOST_AUTO_TEST_CASE(concurrent_verification_accepts_each_nonce_once) {
  Gateway g;
  std::vector<SignedRequest> distinct;
  for (int i = 0; i < 64; ++i)
    distinct.push_back(signedRequest(i % 2 ? edKey() : hmacKey()));
  const SignedRequest same = signedRequest(hmacKey());
  std::atomic<int> ok{0};
  std::atomic<int> sameOk{0};
  std::atomic<int> sameReplay{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 64; i += 4) {
        if (g.verifier.verify(distinct[i]).ok())
          ++ok;
      }
      for (int i = 0; i < 25; ++i) {
        auto r = g.verifier.verify(same);
        if (r.ok()) {
          ++sameOk;
        } else if (r.error().code == "auth.replay") {
          ++sameReplay;
        }
      }
    });
  }
  for (auto& t : threads)
    t.join();
  BOOST_TEST(ok.load() == 64);
  BOOST_TEST(sameOk.load() == 1);
  BOOST_TEST(sameReplay.load() == 99);
}

BOOST_AUTO_TEST_CASE(mangled_headers_never_crash) {
  const std::set<std::string> codes = {"ok",
                                       "auth.missing",
                                       "auth.malformed",
                                       "auth.unknown_key",
                                       "auth.algorithm",
                                       "auth.components",
                                       "auth.expired",
                                       "auth.signature",
                                       "auth.digest",
                                       "auth.replay"};
  Gateway g;
  std::mt19937 rng(20261128);
  const SignedRequest good = signedRequest(edKey());
  const char* names[] = {"signature-input", "signature", "content-digest"};
  const std::string alphabet = "()\";=:,*?- \t\\abcdefgkyz@019+/AZ\x01\x7f\xc3\xa9";
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    SignedRequest r = good;
    std::string& v = r.headers[names[i % 3]];
    switch (rng() % 5) {
      case 0:  // truncate
        v.resize(rng() % (v.size() + 1));
        break;
      case 1:  // flip one character
        if (!v.empty())
          v[rng() % v.size()] = alphabet[rng() % alphabet.size()];
        break;
      case 2:  // insert characters
        for (int k = 0, n = 1 + rng() % 4; k < n; ++k) {
          v.insert(v.begin() + rng() % (v.size() + 1), alphabet[rng() % alphabet.size()]);
        }
        break;
      case 3: {  // random text
        v.clear();
        for (int k = 0, n = rng() % 80; k < n; ++k)
          v.push_back(alphabet[rng() % alphabet.size()]);
        break;
      }
      default:  // a random tail repeated (long inputs)
        v += std::string(rng() % 5000, alphabet[rng() % alphabet.size()]);
        break;
    }
    const std::string c = g.check(r);
    if (c == "ok")
      ++ok;
    BOOST_TEST_REQUIRE(codes.count(c) == 1u, c);
  }
  // Only the unmangled request can pass, and only once (whitespace-only edits parse the same).
  BOOST_TEST(ok <= 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace huitong::auth
