// The RFC's own examples: RFC 9421 Appendix B.2.5 (hmac-sha256) and B.2.6 (ed25519) on the
// Appendix B.2 test-request with the Appendix B.1 keys, RFC 9530 Appendix B's digest, and the
// derived components of RFC 9421 §2.2.
#include "tests/auth/AuthTestSupport.h"

namespace huitong::auth {
namespace {

using namespace test;

constexpr EpochMillis kRfcCreated = 1618884473000;

// RFC 9421 Appendix B.2: POST /foo?param=Value&Pet=dog HTTP/1.1, Host: example.com.
SignedRequest rfcRequest() {
  SignedRequest r;
  r.method = "POST";
  r.targetUri = "https://example.com/foo?param=Value&Pet=dog";
  r.headers["date"] = "Tue, 20 Apr 2021 02:07:55 GMT";
  r.headers["content-type"] = "application/json";
  r.headers["content-digest"] =
      "sha-512=:WZDPaVn/"
      "7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";
  r.headers["content-length"] = "18";
  r.body = "{\"hello\": \"world\"}";
  return r;
}

VerifyPolicy rfcPolicy() {
  VerifyPolicy p;
  p.requiredComponents = {};
  p.requireNonce = false;
  p.requireContentDigest = false;
  return p;
}

DepartmentKey rfcHmacKey() {
  return DepartmentKey{"test-shared-secret", "rfc", "hmac-sha256",
                       sf::base64Decode(kRfcSharedSecretBase64).value(), ""};
}

DepartmentKey rfcEdKey() {
  return DepartmentKey{"test-key-ed25519", "rfc", "ed25519", "", kRfcEd25519PublicPem};
}

BOOST_AUTO_TEST_SUITE(rfc_vectors)

BOOST_AUTO_TEST_CASE(rfc9421_b25_hmac_sha256) {
  SignedRequest r = rfcRequest();
  r.headers.erase("content-digest");  // B.2.5 does not cover it; keep the verifier honest
  r.headers["signature-input"] =
      R"(sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret")";
  r.headers["signature"] = "sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:";
  auto base = signatureBase(r, "sig-b25");
  BOOST_REQUIRE(base.ok());
  BOOST_TEST(base.value() ==
             "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
             "\"@authority\": example.com\n"
             "\"content-type\": application/json\n"
             "\"@signature-params\": (\"date\" \"@authority\" \"content-type\")"
             ";created=1618884473;keyid=\"test-shared-secret\"");
  BOOST_TEST(sf::base64Encode(rawHmac(rfcHmacKey().secret, base.value())) ==
             "pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=");
  FixedClock clock(kRfcCreated);
  Verifier verifier({rfcHmacKey()}, clock, rfcPolicy());
  auto v = verifier.verify(r);
  BOOST_REQUIRE_MESSAGE(v.ok(), why(v));
  BOOST_TEST(v.value().label == "sig-b25");
  r.headers["date"] = "Tue, 20 Apr 2021 02:07:56 GMT";
  BOOST_TEST(verifier.verify(r).error().code == "auth.signature");
  // Our default policy refuses it: no nonce, and the required components are not covered.
  Verifier strict({rfcHmacKey()}, clock);
  BOOST_TEST(strict.verify(rfcRequest()).error().code == "auth.missing");
}

BOOST_AUTO_TEST_CASE(rfc9421_b26_ed25519) {
  SignedRequest r = rfcRequest();
  r.headers["signature-input"] =
      R"(sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519")";
  r.headers["signature"] =
      "sig-b26=:"
      "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:";
  auto base = signatureBase(r, "sig-b26");
  BOOST_REQUIRE(base.ok());
  BOOST_TEST(base.value() ==
             "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
             "\"@method\": POST\n"
             "\"@path\": /foo\n"
             "\"@authority\": example.com\n"
             "\"content-type\": application/json\n"
             "\"content-length\": 18\n"
             "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" "
             "\"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"");
  // Ed25519 is deterministic: the RFC's private key reproduces the RFC's signature.
  BOOST_TEST(
      sf::base64Encode(rawEd25519(kRfcEd25519PrivatePem, base.value())) ==
      "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==");
  FixedClock clock(kRfcCreated + 299000);
  VerifyPolicy policy = rfcPolicy();
  policy.requireContentDigest = true;  // present (sha-512 only) but not covered: digest fails
  Verifier withDigest({rfcEdKey()}, clock, policy);
  BOOST_TEST(withDigest.verify(r).error().code == "auth.digest");
  Verifier verifier({rfcEdKey()}, clock, rfcPolicy());
  r.headers.erase("content-digest");
  auto v = verifier.verify(r);
  BOOST_REQUIRE_MESSAGE(v.ok(), why(v));
  BOOST_TEST(v.value().keyId == "test-key-ed25519");
  r.headers["content-length"] = "19";
  BOOST_TEST(verifier.verify(r).error().code == "auth.signature");
  // Out of the window.
  clock.set(kRfcCreated + 301000);
  r.headers["content-length"] = "18";
  BOOST_TEST(verifier.verify(r).error().code == "auth.expired");
}

BOOST_AUTO_TEST_CASE(our_signer_with_the_rfc_keys) {
  FixedClock clock(kRfcCreated);
  Verifier verifier({rfcHmacKey(), rfcEdKey()}, clock);
  SignedRequest a = rfcRequest();
  BOOST_REQUIRE(sign(a, rfcHmacKey(), clock).ok());
  BOOST_TEST(verifier.verify(a).ok());
  SignedRequest b = rfcRequest();
  BOOST_REQUIRE(sign(b, rfcEdKey(), clock, kRfcEd25519PrivatePem).ok());
  BOOST_TEST(verifier.verify(b).ok());
}

BOOST_AUTO_TEST_CASE(rfc9530_content_digest) {
  // RFC 9530 Appendix B.1 ({"hello": "world"} and a newline).
  BOOST_TEST(contentDigest("{\"hello\": \"world\"}\n") ==
             "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:");
  BOOST_TEST(contentDigest("") == "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
}

BOOST_AUTO_TEST_CASE(derived_components) {
  auto base = [](const std::string& uri, const std::string& method = "GET") {
    SignedRequest r;
    r.method = method;
    r.targetUri = uri;
    r.headers["signature-input"] =
        R"(s=("@method" "@target-uri" "@authority" "@scheme" "@request-target" "@path" "@query"))";
    auto b = signatureBase(r, "s");
    BOOST_REQUIRE_MESSAGE(b.ok(), why(b));
    const std::string& text = b.value();
    return text.substr(0, text.find("\"@signature-params\""));
  };
  BOOST_TEST(base("https://www.Example.COM:443/a/b%20c?x=1&y=%2F#frag") ==
             "\"@method\": GET\n"
             "\"@target-uri\": https://www.Example.COM:443/a/b%20c?x=1&y=%2F\n"
             "\"@authority\": www.example.com\n"
             "\"@scheme\": https\n"
             "\"@request-target\": /a/b%20c?x=1&y=%2F\n"
             "\"@path\": /a/b%20c\n"
             "\"@query\": ?x=1&y=%2F\n");
  BOOST_TEST(base("HTTP://user:pw@127.0.0.1:8600", "POST") ==
             "\"@method\": POST\n"
             "\"@target-uri\": HTTP://user:pw@127.0.0.1:8600\n"
             "\"@authority\": 127.0.0.1:8600\n"
             "\"@scheme\": http\n"
             "\"@request-target\": /\n"
             "\"@path\": /\n"
             "\"@query\": ?\n");
  BOOST_TEST(base("http://[::1]:80/p?") ==
             "\"@method\": GET\n"
             "\"@target-uri\": http://[::1]:80/p?\n"
             "\"@authority\": [::1]\n"
             "\"@scheme\": http\n"
             "\"@request-target\": /p?\n"
             "\"@path\": /p\n"
             "\"@query\": ?\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace huitong::auth
