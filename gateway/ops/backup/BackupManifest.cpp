#include "gateway/ops/backup/BackupManifest.h"

#include <openssl/rand.h>

#include <ctime>

#include "gateway/core/Json.h"
#include "gateway/ops/backup/BackupPayload.h"

namespace huitong::ops::backup {

std::string manifestJson(const Manifest& m) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  auto str = [&](const char* k, const std::string& v) {
    d.AddMember(rapidjson::StringRef(k), json::string(v, a), a);
  };
  d.AddMember("format", m.format, a);
  str("id", m.id);
  str("store_kind", m.storeKind);
  d.AddMember("created_at", rapidjson::Value(static_cast<int64_t>(m.createdAt)), a);
  str("gateway_version", m.gatewayVersion);
  d.AddMember("schema_version", m.schemaVersion, a);
  rapidjson::Value counts(rapidjson::kObjectType);
  for (const auto& [table, n] : m.rowCounts) {
    counts.AddMember(json::string(table, a), rapidjson::Value(static_cast<int64_t>(n)), a);
  }
  d.AddMember("row_counts", counts, a);
  rapidjson::Value audit(rapidjson::kObjectType);
  audit.AddMember("entries", rapidjson::Value(static_cast<int64_t>(m.auditEntries)), a);
  audit.AddMember("head", json::string(m.auditHead, a), a);
  d.AddMember("audit_chain", audit, a);
  str("payload", m.payloadFile);
  d.AddMember("size", rapidjson::Value(static_cast<int64_t>(m.bytes)), a);
  str("sha256", m.sha256);
  rapidjson::Value enc(rapidjson::kObjectType);
  enc.AddMember("cipher", json::string(m.cipher, a), a);
  if (m.cipher != kCipherNone) {
    enc.AddMember("iv", json::string(m.iv, a), a);
    enc.AddMember("tag", json::string(m.tag, a), a);
  }
  d.AddMember("encryption", enc, a);
  return json::writePretty(d) + "\n";
}

Result<Manifest> parseManifest(const std::string& text, const std::string& where) {
  auto doc = json::parse(text);
  if (!doc.ok()) {
    return Error{"backup.manifest", where + ": not JSON: " + doc.error().describe(), where};
  }
  const auto& d = doc.value();
  auto bad = [&](const std::string& member, const std::string& what) {
    return Error{"backup.manifest", where + ": " + member + " " + what, where};
  };
  if (!d.IsObject())
    return bad("the manifest", "is a JSON object");
  Manifest m;
  auto str = [&](const char* k, std::string& out) -> bool {
    auto it = d.FindMember(k);
    if (it == d.MemberEnd() || !it->value.IsString())
      return false;
    out = it->value.GetString();
    return true;
  };
  auto integer = [&](const rapidjson::Value& obj, const char* k, std::int64_t& out) -> bool {
    auto it = obj.FindMember(k);
    if (it == obj.MemberEnd() || !it->value.IsInt64())
      return false;
    out = it->value.GetInt64();
    return true;
  };
  std::int64_t n = 0;
  if (!integer(d, "format", n) || n != 1)
    return bad("format", "must be 1");
  if (!str("id", m.id) || m.id.empty())
    return bad("id", "is a backup id");
  if (!str("store_kind", m.storeKind) || (m.storeKind != "sqlite" && m.storeKind != "postgres"))
    return bad("store_kind", "is \"sqlite\" or \"postgres\"");
  if (!integer(d, "created_at", m.createdAt))
    return bad("created_at", "is epoch milliseconds");
  str("gateway_version", m.gatewayVersion);
  if (!integer(d, "schema_version", n))
    return bad("schema_version", "is a whole number");
  m.schemaVersion = static_cast<int>(n);
  auto counts = d.FindMember("row_counts");
  if (counts == d.MemberEnd() || !counts->value.IsObject())
    return bad("row_counts", "is an object of table: rows");
  for (const auto& c : counts->value.GetObject()) {
    if (!c.value.IsInt64())
      return bad(std::string("row_counts.") + c.name.GetString(), "is a count");
    m.rowCounts[c.name.GetString()] = c.value.GetInt64();
  }
  auto audit = d.FindMember("audit_chain");
  if (audit == d.MemberEnd() || !audit->value.IsObject() ||
      !integer(audit->value, "entries", m.auditEntries) || !audit->value.HasMember("head") ||
      !audit->value["head"].IsString())
    return bad("audit_chain", "is {\"entries\": N, \"head\": HEX}");
  m.auditHead = audit->value["head"].GetString();
  if (!str("payload", m.payloadFile) || m.payloadFile.empty() ||
      m.payloadFile.find('/') != std::string::npos)
    return bad("payload", "is the payload's file name in the manifest's folder");
  if (!integer(d, "size", m.bytes))
    return bad("size", "is the payload's size in bytes");
  if (!str("sha256", m.sha256) || m.sha256.size() != 64)
    return bad("sha256", "is 64 hex digits");
  auto enc = d.FindMember("encryption");
  if (enc == d.MemberEnd() || !enc->value.IsObject() || !enc->value.HasMember("cipher") ||
      !enc->value["cipher"].IsString())
    return bad("encryption", "is {\"cipher\": \"none\" | \"aes-256-gcm\", ...}");
  m.cipher = enc->value["cipher"].GetString();
  if (m.cipher != kCipherNone && m.cipher != kCipherAesGcm)
    return bad("encryption.cipher", "is \"none\" or \"aes-256-gcm\"");
  if (m.cipher == kCipherAesGcm) {
    const auto& e = enc->value;
    if (!e.HasMember("iv") || !e["iv"].IsString() || !e.HasMember("tag") || !e["tag"].IsString())
      return bad("encryption", "of an encrypted backup names its iv and tag");
    m.iv = e["iv"].GetString();
    m.tag = e["tag"].GetString();
  }
  return m;
}

std::string manifestFileName(const std::string& id) {
  return id + ".manifest.json";
}

std::string payloadFileName(const std::string& id, const std::string& storeKind, bool encrypted) {
  return id + (storeKind == "postgres" ? ".pgdump" : ".sqlite") + (encrypted ? ".enc" : "");
}

std::string newRecordId(char prefix, EpochMillis at) {
  const std::time_t secs = static_cast<std::time_t>(at / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y%m%d-%H%M%S", &tm);
  unsigned char r[2] = {0, 0};
  RAND_bytes(r, sizeof r);
  return std::string(1, prefix) + "-" + when + "-" + toHex(r, sizeof r);
}

}  // namespace huitong::ops::backup
