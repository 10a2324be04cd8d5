// Department authentication: HTTP Message Signatures (RFC 9421) over a Content-Digest
// (RFC 9530, sha-256). Algorithms hmac-sha256 (shared secret) and ed25519 (the gateway holds
// only the public key). Verification is independent of the HTTP server: it takes the request's
// parts. Thread-safe (the nonce cache locks).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"

namespace huitong::auth {

// A department's key as configured.
struct DepartmentKey {
  std::string keyId;         // the `keyid` parameter
  std::string system;        // the department system it may submit for
  std::string algorithm;     // "hmac-sha256" | "ed25519"
  std::string secret;        // hmac-sha256: the shared secret (raw bytes)
  std::string publicKeyPem;  // ed25519: SubjectPublicKeyInfo PEM
};

// The parts of a request that signatures cover. Header names are lower-case; the target URI
// is the full URI the client used ("http://127.0.0.1:8600/intake/v1/marriage").
// A header sent on several lines is one entry, its values joined with ", " (see addHeader).
struct SignedRequest {
  std::string method;
  std::string targetUri;
  std::map<std::string, std::string> headers;  // lower-case name -> value
  std::string body;
};

// Adds one header line: lower-cases the name, trims the value (SP/HTAB) and joins it to an
// earlier line of the same name with ", " (RFC 9421 §2.1).
void addHeader(SignedRequest& request, std::string_view name, std::string_view value);

struct VerifyPolicy {
  std::vector<std::string> requiredComponents = {"@method", "@target-uri", "content-digest"};
  EpochMillis maxSkewMillis = 300000;   // `created` within ±300 s
  EpochMillis nonceTtlMillis = 600000;  // nonces remembered at least this long
  // At most this many nonces are remembered; when the cache is full of unexpired nonces,
  // requests are refused ("auth.replay") rather than the cache growing.
  std::size_t maxNonces = 1000000;
  // Off only for the RFC's own test vectors, which carry neither.
  bool requireNonce = true;
  bool requireContentDigest = true;
};

// The outcome of a successful verification.
struct Verified {
  std::string keyId;
  std::string system;
  std::string label;  // the signature label ("sig1")
};

// Verifies `Signature-Input`, `Signature` and `Content-Digest`. Errors carry a code for logs
// and metrics and a message for logs only: the HTTP answer to a department must not say which
// check failed (answer 401 with a fixed problem body). Codes, in the order checks run:
//   auth.missing     no Signature-Input, Signature or (required) Content-Digest header
//   auth.malformed   a header is not a valid RFC 8941 dictionary; the chosen label has no
//                    byte-sequence signature; a parameter has the wrong type; bad target URI
//   auth.unknown_key no signature's `keyid` names a configured key
//   auth.algorithm   `alg` present and not the key's algorithm
//   auth.components  a required component is not covered; `created` or `nonce` missing; a
//                    covered component is absent from the request, duplicated or unsupported
//   auth.expired     `created` more than maxSkew from now, or `expires` passed
//   auth.signature   the signature does not verify
//   auth.digest      Content-Digest has no sha-256 member or it differs from the body
//   auth.replay      the nonce was already used with this key (or the nonce cache is full)
// Several signatures: the first label of Signature-Input (in field order) whose `keyid` is a
// configured key is the one verified; the others are ignored (RFC 9421 §3.2 lets the
// verifier choose). A nonce is remembered only once its signature has verified, per keyid,
// until max(now + nonceTtl, created + maxSkew), so a replay is refused for as long as the
// signature would otherwise be accepted.
// Copies share the keys and the nonce cache. The clock must outlive the verifier.
class Verifier {
 public:
  // REQUIRES: valid keys. Throws std::invalid_argument naming the keyid for an unknown
  // algorithm, an empty secret, an unreadable or non-Ed25519 public key, or a duplicate keyid
  // (a configuration error: fail at startup). PEMs are parsed here, once.
  Verifier(std::vector<DepartmentKey> keys, const Clock& clock, VerifyPolicy policy = {});
  // The same, as a Result ("auth.config") instead of an exception.
  static Result<Verifier> create(std::vector<DepartmentKey> keys, const Clock& clock,
                                 VerifyPolicy policy = {});

  Result<Verified> verify(const SignedRequest& request) const;

  // Nonces currently remembered (for metrics and tests).
  std::size_t rememberedNonces() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// A department may only submit for its own system: "auth.system" when `system` is not
// the one its key is configured for.
Result<void> checkSystem(const Verified& who, std::string_view system);

// Signs requests with one key, its private key parsed once (for the demo client, tests and
// benchmarks). Sets content-digest, signature-input and signature headers (label "sig1")
// covering @method, @target-uri, content-digest and content-type (when present), with
// parameters created (clock now, seconds), nonce (16 random bytes, base64url), keyid, alg.
class Signer {
 public:
  // ed25519 needs `privateKeyPem` (PKCS#8); hmac-sha256 uses key.secret.
  // Errors: "auth.config" for an unknown algorithm, empty secret or unreadable private key.
  static Result<Signer> create(const DepartmentKey& key, const std::string& privateKeyPem = "");
  Result<void> sign(SignedRequest& request, const Clock& clock) const;

 private:
  Signer() = default;
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// One-shot Signer::create + sign.
Result<void> sign(SignedRequest& request, const DepartmentKey& key, const Clock& clock,
                  const std::string& privateKeyPem = "");

// Content-Digest header value for a body: "sha-256=:BASE64:".
std::string contentDigest(const std::string& body);

// The RFC 9421 §2.5 signature base for the signature `label` of the request's
// Signature-Input (for tests, debugging and interop checks).
Result<std::string> signatureBase(const SignedRequest& request, const std::string& label);

// A fresh Ed25519 key pair as PEM: PKCS#8 private key and SubjectPublicKeyInfo public key.
struct Ed25519KeyPair {
  std::string privateKeyPem;
  std::string publicKeyPem;
};
Result<Ed25519KeyPair> generateEd25519KeyPair();

// `bytes` random bytes from the OpenSSL CSPRNG, base64url without padding.
std::string randomToken(std::size_t bytes);

}  // namespace huitong::auth
