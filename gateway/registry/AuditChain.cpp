#include "gateway/registry/AuditChain.h"

#include <openssl/evp.h>

#include <algorithm>
#include <functional>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gateway/core/Json.h"

namespace huitong::registry {
namespace {

// Writes `key` and the JSON text canonically (json::writeCanonical). Text that is not JSON is
// kept as a JSON string (so that it is still covered, byte for byte).
void canonicalMember(rapidjson::Writer<rapidjson::StringBuffer>& w, const char* key,
                     const std::string& jsonText) {
  w.Key(key);
  auto doc = json::parse(jsonText.empty() ? "null" : jsonText);
  if (doc.ok()) {
    const std::string text = json::writeCanonical(doc.value());
    w.RawValue(text.c_str(), text.size(), doc.value().GetType());
  } else {
    w.String(jsonText.c_str(), static_cast<rapidjson::SizeType>(jsonText.size()));
  }
}

void str(rapidjson::Writer<rapidjson::StringBuffer>& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

std::string hex(const unsigned char* p, unsigned n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (unsigned i = 0; i < n; ++i) {
    out[2 * i] = kHex[p[i] >> 4];
    out[2 * i + 1] = kHex[p[i] & 15];
  }
  return out;
}

}  // namespace

std::string zeroHash() {
  return std::string(64, '0');
}

std::string canonicalJson(const AuditEntry& e) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("seq");
  w.Int64(e.seq);
  w.Key("at");
  w.Int64(e.at);
  str(w, "actor", e.actor);
  str(w, "role", e.role);
  str(w, "action", e.action);
  str(w, "target", e.target);
  str(w, "system", e.system);
  str(w, "item", e.item);
  canonicalMember(w, "before", e.before);
  canonicalMember(w, "after", e.after);
  str(w, "alg", e.hashAlgorithm);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<std::string> entryHash(const AuditEntry& e) {
  const EVP_MD* md = e.hashAlgorithm == "sha256" ? EVP_sha256()
                     : e.hashAlgorithm == "sm3"  ? EVP_sm3()
                                                 : nullptr;
  if (!md) {
    return Error{"audit.algorithm",
                 "unknown audit hash algorithm '" + e.hashAlgorithm + "' (sha256 or sm3)", ""};
  }
  const std::string text = e.prevHash + "\n" + canonicalJson(e);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (EVP_Digest(text.data(), text.size(), out, &len, md, nullptr) != 1)
    return Error{"audit.algorithm", e.hashAlgorithm + " is not available in this OpenSSL", ""};
  return hex(out, len);
}

Result<void> chain(AuditEntry& entry, const AuditEntry* previous) {
  entry.seq = previous ? previous->seq + 1 : 1;
  entry.prevHash = previous ? previous->hash : zeroHash();
  auto h = entryHash(entry);
  if (!h.ok())
    return h.error();
  entry.hash = h.value();
  return {};
}

bool ChainVerifier::add(const AuditEntry& e) {
  if (!verdict_.ok)
    return false;
  auto broken = [&](const std::string& why) {
    verdict_.ok = false;
    verdict_.brokenSeq = e.seq;
    verdict_.why = why;
    return false;
  };
  const std::int64_t expected = verdict_.entries + 1;
  if (e.seq != expected) {
    return broken("entry " + std::to_string(e.seq) + " found where entry " +
                  std::to_string(expected) +
                  " was expected (an entry was deleted, inserted or moved)");
  }
  if (e.prevHash != prev_)
    return broken("its previous-hash does not match entry " + std::to_string(e.seq - 1));
  auto h = entryHash(e);
  if (!h.ok())
    return broken(h.error().message);
  if (h.value() != e.hash)
    return broken("its content does not match its hash (the entry was edited)");
  prev_ = e.hash;
  ++verdict_.entries;
  return true;
}

ChainVerdict ChainVerifier::finish(const std::optional<AuditAnchor>& anchor) const {
  ChainVerdict v = verdict_;
  if (!v.ok)
    return v;
  v.head = prev_;
  if (!anchor)
    return v;
  if (anchor->count > v.entries) {
    v.ok = false;
    v.brokenSeq = v.entries + 1;
    v.why = "the chain ends at entry " + std::to_string(v.entries) + " but the anchor records " +
            std::to_string(anchor->count) + " entries with head " + anchor->head.substr(0, 16) +
            "… (entries were cut off the end)";
  } else if (anchor->count < v.entries) {
    v.ok = false;
    v.brokenSeq = anchor->count + 1;
    v.why = "the anchor records " + std::to_string(anchor->count) + " entries but the chain has " +
            std::to_string(v.entries) +
            " (entries were added without the anchor, or the anchor was rewound)";
  } else if (anchor->head != v.head) {
    v.ok = false;
    v.brokenSeq = v.entries;
    v.why = "the anchor's head " + anchor->head.substr(0, 16) + "… is not entry " +
            std::to_string(v.entries) + "'s hash (the chain or the anchor was rewritten)";
  }
  return v;
}

ChainVerdict verifyChain(const std::vector<AuditEntry>& entries,
                         const std::optional<AuditAnchor>& anchor) {
  ChainVerifier verifier;
  for (const auto& e : entries) {
    if (!verifier.add(e))
      break;
  }
  return verifier.finish(anchor);
}

}  // namespace huitong::registry
