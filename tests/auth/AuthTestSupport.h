// Keys, requests and a raw signer for the auth tests. The raw signer signs whatever
// Signature-Input a test writes (so that tests can build signatures our sign() never would);
// it uses OpenSSL directly, not the code under test, except for signatureBase().
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

#include "gateway/auth/HttpSignatures.h"
#include "gateway/auth/StructuredFields.h"

namespace huitong::auth::test {

// RFC 9421 Appendix B.1.4 (test-key-ed25519) and B.1.5 (test-shared-secret).
inline const std::string kRfcEd25519PublicPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n"
    "-----END PUBLIC KEY-----\n";
inline const std::string kRfcEd25519PrivatePem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n"
    "-----END PRIVATE KEY-----\n";
inline const std::string kRfcSharedSecretBase64 =
    "uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==";

// A failed result's code and message for an assertion message ("" when ok: Boost builds
// the message even when the assertion holds).
template <typename T>
std::string why(const Result<T>& r) {
  return r.ok() ? std::string() : r.error().code + ": " + r.error().message;
}

// 2025-11-28T03:20:00Z.
constexpr EpochMillis kNow = 1764300000000;

inline const Ed25519KeyPair& testKeyPair() {
  static const Ed25519KeyPair pair = generateEd25519KeyPair().value();
  return pair;
}

inline DepartmentKey hmacKey() {
  return DepartmentKey{"civil-hmac", "civil.marriage", "hmac-sha256", "s3cret-shared-with-civil",
                       ""};
}

inline DepartmentKey edKey() {
  return DepartmentKey{"health-ed", "health.birth", "ed25519", "", testKeyPair().publicKeyPem};
}

inline SignedRequest makeRequest(const std::string& body = R"({"bizNo":"MR-1","n":1})") {
  SignedRequest r;
  r.method = "POST";
  r.targetUri = "http://127.0.0.1:8600/intake/v1/marriage";
  r.headers["content-type"] = "application/json";
  r.body = body;
  return r;
}

inline SignedRequest signedRequest(const DepartmentKey& key, EpochMillis at = kNow,
                                   const std::string& body = R"({"bizNo":"MR-1","n":1})") {
  SignedRequest r = makeRequest(body);
  FixedClock clock(at);
  auto ok = sign(r, key, clock, key.algorithm == "ed25519" ? testKeyPair().privateKeyPem : "");
  BOOST_REQUIRE_MESSAGE(ok.ok(), why(ok));
  return r;
}

inline std::string rawHmac(const std::string& secret, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t len = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, sizeof out,
            &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

inline std::string rawEd25519(const std::string& privatePem, const std::string& data) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(privatePem.data(), static_cast<int>(privatePem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  BOOST_REQUIRE(key);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char sig[64];
  std::size_t len = sizeof sig;
  BOOST_REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1);
  BOOST_REQUIRE(EVP_DigestSign(ctx.get(), sig, &len,
                               reinterpret_cast<const unsigned char*>(data.data()),
                               data.size()) == 1);
  return std::string(reinterpret_cast<char*>(sig), len);
}

// A valid public key PEM of the wrong kind.
inline std::string x25519PublicPem() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"), EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  BOOST_REQUIRE(key && bio && PEM_write_bio_PUBKEY(bio.get(), key.get()) == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

// Sets Content-Digest (unless told not to), the given Signature-Input member `label=(...)...`
// and a matching Signature made with `key` (hmac secret, or the test/RFC private key).
inline void signRaw(SignedRequest& r, const std::string& label, const std::string& inputMember,
                    const DepartmentKey& key, const std::string& privatePem = "") {
  if (!r.headers.count("content-digest"))
    r.headers["content-digest"] = contentDigest(r.body);
  r.headers["signature-input"] = label + "=" + inputMember;
  auto base = signatureBase(r, label);
  BOOST_REQUIRE_MESSAGE(base.ok(), why(base));
  const std::string sig =
      key.algorithm == "ed25519"
          ? rawEd25519(privatePem.empty() ? testKeyPair().privateKeyPem : privatePem, base.value())
          : rawHmac(key.secret, base.value());
  r.headers["signature"] = label + "=:" + sf::base64Encode(sig) + ":";
}

// `created` of kNow, a given nonce, with the standard components.
inline std::string standardInput(const std::string& keyid, const std::string& extraParams = "",
                                 const std::string& nonce = "n-0001") {
  return R"(("@method" "@target-uri" "content-digest");created=)" + std::to_string(kNow / 1000) +
         R"(;nonce=")" + nonce + R"(";keyid=")" + keyid + "\"" + extraParams;
}

}  // namespace huitong::auth::test
