#include "gateway/registry/StaffAccount.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cassert>
#include <cstdlib>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/core/Json.h"

namespace huitong::registry {
namespace {

constexpr const char* kScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

bool fromBase64Url(const std::string& text, std::string& out) {
  out.clear();
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = base64Value(c);
    if (v < 0)
      return false;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return true;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos)
      return parts;
    start = at + 1;
  }
}

}  // namespace

std::string pbkdf2Sha256(const std::string& password, const std::string& salt, int iterations,
                         std::size_t length) {
  std::string out(length, '\0');
  const int ok =
      PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(length), reinterpret_cast<unsigned char*>(&out[0]));
  assert(ok == 1);
  (void)ok;
  return out;
}

std::string hashPassword(const std::string& password, int iterations) {
  const std::string salt = randomBytes(kSaltBytes);
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" + base64Url(salt) + "$" +
         base64Url(pbkdf2Sha256(password, salt, iterations, kHashBytes));
}

bool verifyPassword(const std::string& password, const std::string& stored) {
  const auto parts = split(stored, '$');
  if (parts.size() != 4 || parts[0] != kScheme)
    return false;
  char* end = nullptr;
  const long iterations = std::strtol(parts[1].c_str(), &end, 10);
  // A bound on the work one stored value can ask for (ten times today's count).
  if (end == parts[1].c_str() || *end != '\0' || iterations < 1 || iterations > 10000000)
    return false;
  std::string salt;
  std::string expected;
  if (!fromBase64Url(parts[2], salt) || !fromBase64Url(parts[3], expected) || expected.empty())
    return false;
  const std::string actual =
      pbkdf2Sha256(password, salt, static_cast<int>(iterations), expected.size());
  return constantTimeEquals(actual, expected);
}

bool constantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size())
    return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string randomBytes(std::size_t n) {
  std::string out(n, '\0');
  const int ok = RAND_bytes(reinterpret_cast<unsigned char*>(&out[0]), static_cast<int>(n));
  // Without entropy no salt or token is safe to hand out: a broken invariant, not bad input.
  if (ok != 1)
    std::abort();
  return out;
}

std::string base64Url(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3f]);
    }
  }
  if (bits > 0)
    out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3f]);
  return out;
}

std::string sha256Hex(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

bool validAccountName(const std::string& name) {
  if (name.empty() || name.size() > 64)
    return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok)
      return false;
  }
  return true;
}

std::string accountJson(const StaffAccount& a) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& alloc = d.GetAllocator();
  d.AddMember("name", json::string(a.name, alloc), alloc);
  d.AddMember("role", json::string(toString(a.role), alloc), alloc);
  d.AddMember("system", json::string(a.system, alloc), alloc);
  d.AddMember("disabled", a.disabled, alloc);
  return json::write(d);
}

}  // namespace huitong::registry
