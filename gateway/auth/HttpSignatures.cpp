#include "gateway/auth/HttpSignatures.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <queue>
#include <stdexcept>
#include <utility>

#include "gateway/auth/StructuredFields.h"

namespace huitong::auth {
namespace {

constexpr std::size_t kHmacSize = 32;
constexpr std::size_t kEd25519SignatureSize = 64;
constexpr std::size_t kMaxNonceLength = 256;
constexpr std::size_t kMaxComponents = 64;
constexpr const char* kHmacSha256 = "hmac-sha256";
constexpr const char* kEd25519 = "ed25519";

enum class Algorithm { kHmacSha256, kEd25519 };

std::optional<Algorithm> algorithmNamed(std::string_view name) {
  if (name == kHmacSha256)
    return Algorithm::kHmacSha256;
  if (name == kEd25519)
    return Algorithm::kEd25519;
  return std::nullopt;
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MacDeleter {
  void operator()(EVP_MAC* p) const { EVP_MAC_free(p); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MacPtr = std::unique_ptr<EVP_MAC, MacDeleter>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

Error authError(const char* code, std::string message) {
  return Error{code, std::move(message), ""};
}

// OpenSSL leaves reasons on a per-thread queue; a refused key must not leave them for the
// next unrelated call on this thread.
std::string takeOpenSslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0)
    return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

PkeyPtr readEd25519Pem(const std::string& pem, bool isPrivate, std::string& error) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    error = takeOpenSslError();
    return nullptr;
  }
  PkeyPtr key(isPrivate ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                        : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    error = takeOpenSslError();
    return nullptr;
  }
  if (!EVP_PKEY_is_a(key.get(), "ED25519")) {
    error = "not an Ed25519 key";
    return nullptr;
  }
  return key;
}

const EVP_MD* sha256() {
  // Fetched once: an implicit fetch per digest costs a provider lookup and a lock.
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

EVP_MAC* hmacAlgorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

// An HMAC context with the key set; per request it is duplicated, never re-keyed.
MacCtxPtr hmacTemplate(const std::string& secret, std::string& error) {
  if (!hmacAlgorithm()) {
    error = takeOpenSslError();
    return nullptr;
  }
  MacCtxPtr ctx(EVP_MAC_CTX_new(hmacAlgorithm()));
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(secret.data()),
                           secret.size(), params) != 1) {
    error = takeOpenSslError();
    return nullptr;
  }
  return ctx;
}

std::optional<std::string> hmac(EVP_MAC_CTX* keyed, std::string_view data) {
  MacCtxPtr ctx(EVP_MAC_CTX_dup(keyed));
  unsigned char out[kHmacSize];
  std::size_t len = 0;
  if (!ctx ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(ctx.get(), out, &len, sizeof out) != 1 || len != kHmacSize) {
    ERR_clear_error();
    return std::nullopt;
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

bool ed25519Verify(EVP_PKEY* key, std::string_view data, std::string_view signature) {
  if (signature.size() != kEd25519SignatureSize)
    return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size()) == 1;
  ERR_clear_error();
  return ok;
}

std::optional<std::string> ed25519Sign(EVP_PKEY* key, std::string_view data) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  unsigned char out[kEd25519SignatureSize];
  std::size_t len = sizeof out;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), out, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string sha256Bytes(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, sha256(), nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::string toLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

const std::string* header(const SignedRequest& request, const std::string& name) {
  auto it = request.headers.find(name);
  if (it != request.headers.end())
    return &it->second;
  // Tolerate a caller that did not lower-case; names are case-insensitive (RFC 9110 §5.1).
  for (const auto& [key, value] : request.headers) {
    if (toLower(key) == name)
      return &value;
  }
  return nullptr;
}

// The target URI split as RFC 9421 §2.2 derives components from it.
struct TargetUri {
  std::string scheme;     // lower-case
  std::string authority;  // lower-case host, default port removed, no userinfo
  std::string path;       // "/" when empty
  std::string query;      // without '?'
  bool hasQuery = false;
  std::string uri;  // as given, without a fragment
};

std::optional<TargetUri> parseTargetUri(std::string_view text) {
  TargetUri t;
  text = text.substr(0, std::min(text.find('#'), text.size()));
  t.uri = std::string(text);
  const std::size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0)
    return std::nullopt;
  t.scheme = toLower(text.substr(0, sep));
  for (char c : t.scheme) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
      return std::nullopt;
  }
  std::string_view rest = text.substr(sep + 3);
  const std::size_t authEnd = std::min(rest.find_first_of("/?"), rest.size());
  std::string_view authority = rest.substr(0, authEnd);
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  if (authority.empty())
    return std::nullopt;
  t.authority = toLower(authority);
  const std::size_t colon = t.authority.rfind(':');
  if (colon != std::string::npos && t.authority.find(']', colon) == std::string::npos) {
    const std::string port = t.authority.substr(colon + 1);
    if (port.empty() || (t.scheme == "http" && port == "80") ||
        (t.scheme == "https" && port == "443")) {
      t.authority.erase(colon);
    }
  }
  rest.remove_prefix(authEnd);
  const std::size_t q = rest.find('?');
  t.path = std::string(rest.substr(0, std::min(q, rest.size())));
  if (t.path.empty())
    t.path = "/";
  if (q != std::string_view::npos) {
    t.hasQuery = true;
    t.query = std::string(rest.substr(q + 1));
  }
  return t;
}

// The value of one covered component; an Error when the request lacks it.
Result<std::string> componentValue(const SignedRequest& request, const sf::Item& component,
                                   std::optional<TargetUri>& uri) {
  const std::string& name = component.value.text;
  if (!component.params.empty()) {
    return authError("auth.components",
                     "component parameters are not supported: " + sf::serialize(component));
  }
  if (name.empty())
    return authError("auth.components", "empty component identifier");
  if (name[0] == '@') {
    if (name == "@method")
      return request.method;
    if (name == "@signature-params") {
      return authError("auth.components", "\"@signature-params\" cannot be covered");
    }
    if (!uri) {
      uri = parseTargetUri(request.targetUri);
      if (!uri)
        return authError("auth.malformed", "target URI is not absolute: " + request.targetUri);
    }
    if (name == "@target-uri")
      return uri->uri;
    if (name == "@authority")
      return uri->authority;
    if (name == "@scheme")
      return uri->scheme;
    if (name == "@path")
      return uri->path;
    if (name == "@query")
      return "?" + uri->query;
    if (name == "@request-target")
      return uri->path + (uri->hasQuery ? "?" + uri->query : "");
    return authError("auth.components", "unsupported derived component " + name);
  }
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') {
      return authError("auth.components", "component name is not lower-case: " + name);
    }
  }
  const std::string* value = header(request, name);
  if (!value)
    return authError("auth.components", "covered header is absent: " + name);
  const std::string_view trimmed = trimOws(*value);
  if (trimmed.find_first_of("\r\n") != std::string_view::npos) {
    return authError("auth.components", "header value has a line break: " + name);
  }
  return std::string(trimmed);
}

// RFC 9421 §2.5: one line per covered component, in order, then "@signature-params".
Result<std::string> buildSignatureBase(const SignedRequest& request, const sf::InnerList& list) {
  if (list.items.size() > kMaxComponents) {
    // Duplicate detection is quadratic; no honest signature covers this many.
    return authError("auth.components",
                     "more than " + std::to_string(kMaxComponents) + " covered components");
  }
  std::string base;
  std::vector<std::string> seen;
  std::optional<TargetUri> uri;
  for (const sf::Item& component : list.items) {
    if (component.value.type != sf::BareItem::Type::kString) {
      return authError("auth.malformed", "component identifier is not a string");
    }
    std::string id = sf::serialize(component);
    if (std::find(seen.begin(), seen.end(), id) != seen.end()) {
      return authError("auth.components", "component covered twice: " + id);
    }
    auto value = componentValue(request, component, uri);
    if (!value.ok())
      return value.error();
    base += id;
    base += ": ";
    base += value.value();
    base += '\n';
    seen.push_back(std::move(id));
  }
  base += "\"@signature-params\": ";
  base += sf::serialize(list);
  return base;
}

sf::BareItem stringItem(std::string text) {
  sf::BareItem item;
  item.type = sf::BareItem::Type::kString;
  item.text = std::move(text);
  return item;
}

sf::BareItem integerItem(std::int64_t value) {
  sf::BareItem item;
  item.type = sf::BareItem::Type::kInteger;
  item.integer = value;
  return item;
}

// Remembers nonces until their expiry; bounded. Not thread-safe (the verifier locks).
class NonceCache {
 public:
  enum class Outcome { kFresh, kReplay, kFull };

  explicit NonceCache(std::size_t capacity) : capacity_(capacity) {}

  Outcome remember(std::string key, EpochMillis now, EpochMillis until) {
    purge(now);
    if (seen_.count(key))
      return Outcome::kReplay;
    if (seen_.size() >= capacity_)
      return Outcome::kFull;
    byExpiry_.emplace(until, key);
    seen_.emplace(std::move(key), until);
    return Outcome::kFresh;
  }

  std::size_t size() const { return seen_.size(); }

 private:
  void purge(EpochMillis now) {
    while (!byExpiry_.empty() && byExpiry_.top().first <= now) {
      auto it = seen_.find(byExpiry_.top().second);
      if (it != seen_.end() && it->second == byExpiry_.top().first)
        seen_.erase(it);
      byExpiry_.pop();
    }
  }

  std::size_t capacity_;
  std::unordered_map<std::string, EpochMillis> seen_;
  using Entry = std::pair<EpochMillis, std::string>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> byExpiry_;
};

struct KeyEntry {
  DepartmentKey key;
  Algorithm algorithm = Algorithm::kHmacSha256;
  PkeyPtr publicKey;    // ed25519
  MacCtxPtr hmacKeyed;  // hmac-sha256
};

}  // namespace

void addHeader(SignedRequest& request, std::string_view name, std::string_view value) {
  std::string& slot = request.headers[toLower(name)];
  const std::string_view trimmed = trimOws(value);
  if (!slot.empty())
    slot += ", ";
  slot.append(trimmed.data(), trimmed.size());
}

std::string contentDigest(const std::string& body) {
  return "sha-256=:" + sf::base64Encode(sha256Bytes(body)) + ":";
}

std::string randomToken(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    // Without randomness a nonce would repeat; better to stop than to sign predictably.
    throw std::runtime_error("RAND_bytes failed: " + takeOpenSslError());
  }
  return sf::base64UrlEncodeNoPad(raw);
}

Result<void> checkSystem(const Verified& who, std::string_view system) {
  if (who.system == system)
    return {};
  return authError("auth.system", "key " + who.keyId + " is for system " + who.system + ", not " +
                                      std::string(system));
}

// ---------------------------------------------------------------------------------------------
// Verifier

struct Verifier::Impl {
  Impl(const Clock& c, VerifyPolicy p) : clock(c), policy(std::move(p)), nonces(policy.maxNonces) {}

  const Clock& clock;
  VerifyPolicy policy;
  std::unordered_map<std::string, KeyEntry> keys;
  std::mutex mutex;
  NonceCache nonces;
};

Verifier::Verifier(std::vector<DepartmentKey> keys, const Clock& clock, VerifyPolicy policy)
    : impl_(std::make_shared<Impl>(clock, std::move(policy))) {
  for (DepartmentKey& key : keys) {
    const std::string id = key.keyId;
    auto fail = [&id](const std::string& why) {
      throw std::invalid_argument("department key \"" + id + "\": " + why);
    };
    if (id.empty())
      fail("empty keyid");
    if (impl_->keys.count(id))
      fail("keyid configured twice");
    KeyEntry entry;
    auto algorithm = algorithmNamed(key.algorithm);
    if (!algorithm)
      fail("unknown algorithm \"" + key.algorithm + "\" (hmac-sha256 | ed25519)");
    entry.algorithm = *algorithm;
    std::string error;
    if (entry.algorithm == Algorithm::kHmacSha256) {
      if (key.secret.empty())
        fail("hmac-sha256 needs a non-empty secret");
      entry.hmacKeyed = hmacTemplate(key.secret, error);
      if (!entry.hmacKeyed)
        fail("cannot key HMAC: " + error);
    } else {
      entry.publicKey = readEd25519Pem(key.publicKeyPem, false, error);
      if (!entry.publicKey)
        fail("unreadable ed25519 public key: " + error);
    }
    entry.key = std::move(key);
    impl_->keys.emplace(id, std::move(entry));
  }
}

Result<Verifier> Verifier::create(std::vector<DepartmentKey> keys, const Clock& clock,
                                  VerifyPolicy policy) {
  try {
    return Verifier(std::move(keys), clock, std::move(policy));
  } catch (const std::invalid_argument& e) {
    return authError("auth.config", e.what());
  }
}

std::size_t Verifier::rememberedNonces() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->nonces.size();
}

Result<Verified> Verifier::verify(const SignedRequest& request) const {
  const VerifyPolicy& policy = impl_->policy;
  const std::string* inputHeader = header(request, "signature-input");
  const std::string* signatureHeader = header(request, "signature");
  const std::string* digestHeader = header(request, "content-digest");
  if (!inputHeader || !signatureHeader) {
    return authError("auth.missing", "no Signature-Input or Signature header");
  }
  if (policy.requireContentDigest && !digestHeader) {
    return authError("auth.missing", "no Content-Digest header");
  }
  std::string parseError;
  auto inputs = sf::parseDictionary(*inputHeader, &parseError);
  if (!inputs)
    return authError("auth.malformed", "Signature-Input: " + parseError);
  auto signatures = sf::parseDictionary(*signatureHeader, &parseError);
  if (!signatures)
    return authError("auth.malformed", "Signature: " + parseError);

  // The first label whose keyid we know.
  const std::string* label = nullptr;
  const sf::InnerList* input = nullptr;
  const KeyEntry* key = nullptr;
  for (const auto& [name, member] : *inputs) {
    if (!member.isInnerList) {
      return authError("auth.malformed", "Signature-Input member " + name + " is not a list");
    }
    const sf::BareItem* keyid = sf::find(member.innerList.params, "keyid");
    if (!keyid || keyid->type != sf::BareItem::Type::kString)
      continue;
    auto it = impl_->keys.find(keyid->text);
    if (it != impl_->keys.end()) {
      label = &name;
      input = &member.innerList;
      key = &it->second;
      break;
    }
  }
  if (!key)
    return authError("auth.unknown_key", "no signature names a configured keyid");
  const std::string& keyId = key->key.keyId;
  const sf::Member* signatureMember = sf::find(*signatures, *label);
  if (!signatureMember || signatureMember->isInnerList ||
      signatureMember->item.value.type != sf::BareItem::Type::kBytes) {
    return authError("auth.malformed", "Signature has no byte sequence for label " + *label);
  }
  const std::string& signature = signatureMember->item.value.text;

  if (const sf::BareItem* alg = sf::find(input->params, "alg")) {
    if (alg->type != sf::BareItem::Type::kString || alg->text != key->key.algorithm) {
      return authError("auth.algorithm", "alg " + sf::serialize(*alg) + " but key " + keyId +
                                             " is " + key->key.algorithm);
    }
  }

  for (const std::string& required : policy.requiredComponents) {
    const bool covered =
        std::any_of(input->items.begin(), input->items.end(), [&](const sf::Item& item) {
          return item.value.type == sf::BareItem::Type::kString && item.value.text == required &&
                 item.params.empty();
        });
    if (!covered) {
      return authError("auth.components", "signature " + *label + " does not cover " + required);
    }
  }
  const sf::BareItem* created = sf::find(input->params, "created");
  if (!created)
    return authError("auth.components", "signature " + *label + " has no created");
  if (created->type != sf::BareItem::Type::kInteger) {
    return authError("auth.malformed", "created is not an integer");
  }
  const sf::BareItem* nonce = sf::find(input->params, "nonce");
  if (policy.requireNonce && !nonce) {
    return authError("auth.components", "signature " + *label + " has no nonce");
  }
  if (nonce && (nonce->type != sf::BareItem::Type::kString || nonce->text.empty() ||
                nonce->text.size() > kMaxNonceLength)) {
    return authError("auth.malformed", "nonce is not a string of 1 to 256 characters");
  }
  const sf::BareItem* expires = sf::find(input->params, "expires");
  if (expires && expires->type != sf::BareItem::Type::kInteger) {
    return authError("auth.malformed", "expires is not an integer");
  }

  const EpochMillis now = impl_->clock.now();
  const EpochMillis createdMillis = created->integer * 1000;
  if (createdMillis > now + policy.maxSkewMillis || createdMillis < now - policy.maxSkewMillis) {
    return authError("auth.expired", "created " + std::to_string(created->integer) +
                                         " is more than " +
                                         std::to_string(policy.maxSkewMillis / 1000) +
                                         " s from now (" + std::to_string(now / 1000) + ")");
  }
  if (expires && expires->integer * 1000 < now) {
    return authError("auth.expired", "expired at " + std::to_string(expires->integer));
  }

  auto base = buildSignatureBase(request, *input);
  if (!base.ok())
    return base.error();

  bool valid = false;
  if (key->algorithm == Algorithm::kHmacSha256) {
    auto expected = hmac(key->hmacKeyed.get(), base.value());
    valid = expected && signature.size() == expected->size() &&
            CRYPTO_memcmp(signature.data(), expected->data(), expected->size()) == 0;
  } else {
    valid = ed25519Verify(key->publicKey.get(), base.value(), signature);
  }
  if (!valid) {
    return authError("auth.signature",
                     "signature " + *label + " does not verify with key " + keyId);
  }

  if (digestHeader) {
    auto digests = sf::parseDictionary(*digestHeader, &parseError);
    const sf::Member* member = digests ? sf::find(*digests, "sha-256") : nullptr;
    if (!member || member->isInnerList || member->item.value.type != sf::BareItem::Type::kBytes) {
      return authError("auth.digest", "Content-Digest has no sha-256 byte sequence");
    }
    const std::string actual = sha256Bytes(request.body);
    const std::string& claimed = member->item.value.text;
    if (claimed.size() != actual.size() ||
        CRYPTO_memcmp(claimed.data(), actual.data(), actual.size()) != 0) {
      return authError("auth.digest", "Content-Digest sha-256 does not match the body");
    }
  }

  if (nonce) {
    // `created + maxSkew` is still accepted, so the nonce must outlive that millisecond.
    const EpochMillis until =
        std::max(now + policy.nonceTtlMillis, createdMillis + policy.maxSkewMillis + 1);
    NonceCache::Outcome outcome;
    {
      std::lock_guard<std::mutex> lock(impl_->mutex);
      outcome = impl_->nonces.remember(keyId + '\n' + nonce->text, now, until);
    }
    if (outcome == NonceCache::Outcome::kReplay) {
      return authError("auth.replay", "nonce already used with key " + keyId);
    }
    if (outcome == NonceCache::Outcome::kFull) {
      return authError("auth.replay", "nonce cache full (" + std::to_string(policy.maxNonces) +
                                          " unexpired nonces); refusing");
    }
  }
  return Verified{keyId, key->key.system, *label};
}

// ---------------------------------------------------------------------------------------------
// Signer

struct Signer::Impl {
  DepartmentKey key;
  Algorithm algorithm = Algorithm::kHmacSha256;
  PkeyPtr privateKey;   // ed25519
  MacCtxPtr hmacKeyed;  // hmac-sha256
};

Result<Signer> Signer::create(const DepartmentKey& key, const std::string& privateKeyPem) {
  auto impl = std::make_shared<Impl>();
  impl->key = key;
  auto algorithm = algorithmNamed(key.algorithm);
  if (!algorithm) {
    return authError("auth.config", "unknown algorithm \"" + key.algorithm + "\"");
  }
  impl->algorithm = *algorithm;
  std::string error;
  if (impl->algorithm == Algorithm::kHmacSha256) {
    if (key.secret.empty())
      return authError("auth.config", "hmac-sha256 needs a secret");
    impl->hmacKeyed = hmacTemplate(key.secret, error);
    if (!impl->hmacKeyed)
      return authError("auth.config", "cannot key HMAC: " + error);
  } else {
    impl->privateKey = readEd25519Pem(privateKeyPem, true, error);
    if (!impl->privateKey) {
      return authError("auth.config", "unreadable ed25519 private key: " + error);
    }
  }
  Signer signer;
  signer.impl_ = std::move(impl);
  return signer;
}

Result<void> Signer::sign(SignedRequest& request, const Clock& clock) const {
  request.headers["content-digest"] = contentDigest(request.body);
  sf::InnerList list;
  for (const char* component : {"@method", "@target-uri", "content-digest"}) {
    list.items.push_back(sf::Item{stringItem(component), {}});
  }
  if (header(request, "content-type")) {
    list.items.push_back(sf::Item{stringItem("content-type"), {}});
  }
  const EpochMillis now = clock.now();
  // Floor division: a negative instant (tests) must not round towards the future.
  const std::int64_t seconds = now >= 0 ? now / 1000 : -((-now + 999) / 1000);
  list.params.emplace_back("created", integerItem(seconds));
  list.params.emplace_back("nonce", stringItem(randomToken(16)));
  list.params.emplace_back("keyid", stringItem(impl_->key.keyId));
  list.params.emplace_back("alg", stringItem(impl_->key.algorithm));

  auto base = buildSignatureBase(request, list);
  if (!base.ok())
    return base.error();
  std::optional<std::string> signature = impl_->algorithm == Algorithm::kHmacSha256
                                             ? hmac(impl_->hmacKeyed.get(), base.value())
                                             : ed25519Sign(impl_->privateKey.get(), base.value());
  if (!signature)
    return authError("auth.signature", "signing failed");
  request.headers["signature-input"] = "sig1=" + sf::serialize(list);
  sf::BareItem bytes;
  bytes.type = sf::BareItem::Type::kBytes;
  bytes.text = std::move(*signature);
  request.headers["signature"] = "sig1=" + sf::serialize(bytes);
  return {};
}

Result<void> sign(SignedRequest& request, const DepartmentKey& key, const Clock& clock,
                  const std::string& privateKeyPem) {
  auto signer = Signer::create(key, privateKeyPem);
  if (!signer.ok())
    return signer.error();
  return signer.value().sign(request, clock);
}

Result<std::string> signatureBase(const SignedRequest& request, const std::string& label) {
  const std::string* inputHeader = header(request, "signature-input");
  if (!inputHeader)
    return authError("auth.missing", "no Signature-Input header");
  std::string parseError;
  auto inputs = sf::parseDictionary(*inputHeader, &parseError);
  if (!inputs)
    return authError("auth.malformed", "Signature-Input: " + parseError);
  const sf::Member* member = sf::find(*inputs, label);
  if (!member || !member->isInnerList) {
    return authError("auth.malformed", "Signature-Input has no list labelled " + label);
  }
  return buildSignatureBase(request, member->innerList);
}

Result<Ed25519KeyPair> generateEd25519KeyPair() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key)
    return authError("auth.config", "key generation failed: " + takeOpenSslError());
  auto toPem = [](auto write) -> std::string {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || !write(bio.get()))
      return {};
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
  };
  Ed25519KeyPair pair;
  pair.privateKeyPem = toPem([&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  });
  pair.publicKeyPem = toPem([&](BIO* b) { return PEM_write_bio_PUBKEY(b, key.get()) == 1; });
  if (pair.privateKeyPem.empty() || pair.publicKeyPem.empty()) {
    return authError("auth.config", "cannot write PEM: " + takeOpenSslError());
  }
  return pair;
}

}  // namespace huitong::auth
