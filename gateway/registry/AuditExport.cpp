#include "gateway/registry/AuditExport.h"

#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/writer.h>

#include "gateway/core/Json.h"

namespace huitong::registry {

std::string csvCell(const std::string& s) {
  std::string v = s;
  if (!v.empty() &&
      (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r'))
    v.insert(0, "'");
  if (v.find_first_of(",\"\r\n") == std::string::npos)
    return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"')
      out += '"';
    out += c;
  }
  return out + "\"";
}

void writeAuditCsv(std::ostream& out, const registry::AuditEntry& e) {
  out << e.seq << ',' << csvCell(formatRfc3339(e.at)) << ',' << csvCell(e.actor) << ','
      << csvCell(e.role) << ',' << csvCell(e.action) << ',' << csvCell(e.target) << ','
      << csvCell(e.system) << ',' << csvCell(e.item) << ',' << csvCell(e.before) << ','
      << csvCell(e.after) << ',' << csvCell(e.hashAlgorithm) << ',' << csvCell(e.prevHash) << ','
      << csvCell(e.hash) << "\r\n";
}

void writeAuditJson(std::ostream& out, const registry::AuditEntry& e) {
  rapidjson::OStreamWrapper os(out);
  rapidjson::Writer<rapidjson::OStreamWrapper> w(os);
  auto str = [&](const char* key, const std::string& v) {
    w.Key(key);
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  };
  auto embedded = [&](const char* key, const std::string& text) {
    auto doc = json::parse(text);
    if (doc.ok()) {
      w.Key(key);
      doc.value().Accept(w);
    } else {
      str(key, text);
    }
  };
  w.StartObject();
  w.Key("seq");
  w.Int64(e.seq);
  str("at", formatRfc3339(e.at));
  str("actor", e.actor);
  str("role", e.role);
  str("action", e.action);
  str("target", e.target);
  str("system", e.system);
  str("item", e.item);
  embedded("before", e.before);
  embedded("after", e.after);
  str("alg", e.hashAlgorithm);
  str("prev_hash", e.prevHash);
  str("hash", e.hash);
  w.EndObject();
}

}  // namespace huitong::registry
