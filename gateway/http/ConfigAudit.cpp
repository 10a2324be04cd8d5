#include "gateway/http/ConfigAudit.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gateway/core/Json.h"
#include "gateway/mapping/PositionedJson.h"
#include "gateway/registry/StaffAccount.h"

namespace huitong::http {
namespace {

using Alloc = rapidjson::Document::AllocatorType;
using mapping::pointerToken;

std::string lowerAscii(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Names are matched, not values: a config key says what its value is.
bool isSecretKey(const std::string& key) {
  const std::string k = lowerAscii(key);
  static const std::set<std::string> kExact{"secret",      "token",        "password", "passphrase",
                                            "passwd",      "key",          "apikey",   "pin",
                                            "credentials", "authorization"};
  if (kExact.count(k))
    return true;
  for (const char* suffix : {"_secret", "_token", "_password", "_passphrase", "_passwd", "_key"}) {
    if (endsWith(k, suffix))
      return true;
  }
  return false;
}

bool isCredentialFileKey(const std::string& key) {
  const std::string k = lowerAscii(key);
  static const std::set<std::string> kExact{"certificate_file", "private_key_file", "ca_file",
                                            "public_key_file", "connection_file"};
  // password_file: a monitoring probe's login password (monitor.probes[].credentials);
  // token_file: a host agent's bearer token (monitor.hosts[]).
  return kExact.count(k) || endsWith(k, "_key_file") || endsWith(k, "_cert_file") ||
         k == "password_file" || endsWith(k, "_password_file") || k == "token_file" ||
         endsWith(k, "_token_file");
}

// The passwords inside `text` replaced by "***": password=, passwd=, pwd= (libpq "k=v k=v",
// ODBC/MySQL "k=v;k=v", a URL query), quoted or not, and the password of URL user info.
// `found` gets the passwords, for the fingerprint.
std::string maskPasswords(const std::string& text, std::string& found) {
  std::string out = text;
  const std::string lower = lowerAscii(text);
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // [begin, end) in text
  for (const std::string name : {"password", "passwd", "pwd"}) {
    for (auto at = lower.find(name); at != std::string::npos; at = lower.find(name, at + 1)) {
      if (at > 0 &&
          (std::isalnum(static_cast<unsigned char>(lower[at - 1])) || lower[at - 1] == '_'))
        continue;
      std::size_t i = at + name.size();
      while (i < text.size() && text[i] == ' ')
        ++i;
      if (i >= text.size() || text[i] != '=')
        continue;
      ++i;
      while (i < text.size() && text[i] == ' ')
        ++i;
      std::size_t begin = i, end = i;
      if (i < text.size() && (text[i] == '\'' || text[i] == '"')) {
        const char quote = text[i];
        end = i + 1;
        while (end < text.size() && text[end] != quote)
          end += text[end] == '\\' ? 2 : 1;
        end = std::min(end + 1, text.size());
      } else {
        while (end < text.size() && text[end] != ' ' && text[end] != ';' && text[end] != '&')
          ++end;
      }
      if (end > begin)
        spans.emplace_back(begin, end);
    }
  }
  // scheme://user:password@host
  if (const auto scheme = text.find("://"); scheme != std::string::npos) {
    const std::size_t user = scheme + 3;
    const auto hostEnd = text.find_first_of("/?#", user);
    const auto at = text.rfind('@', hostEnd == std::string::npos ? std::string::npos : hostEnd);
    if (at != std::string::npos && at > user) {
      const auto colon = text.find(':', user);
      if (colon != std::string::npos && colon < at)
        spans.emplace_back(colon + 1, at);
    }
  }
  std::sort(spans.begin(), spans.end());
  // Right to left, so earlier offsets stay valid; overlapping spans are masked once.
  std::size_t limit = std::string::npos;
  std::vector<std::string> secrets;
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    if (limit != std::string::npos && it->second > limit)
      continue;
    secrets.push_back(text.substr(it->first, it->second - it->first));
    out.replace(it->first, it->second - it->first, "***");
    limit = it->first;
  }
  std::reverse(secrets.begin(), secrets.end());
  for (const auto& s : secrets)
    found += (found.empty() ? "" : "\n") + s;
  return out;
}

std::string fileDigest(const std::string& baseDir, const std::string& path) {
  const std::string full = path.empty() || path[0] == '/' ? path : baseDir + "/" + path;
  std::ifstream f(full, std::ios::binary);
  if (!f)
    return "unreadable";
  std::ostringstream ss;
  ss << f.rdbuf();
  return registry::sha256Hex(ss.str());
}

rapidjson::Value credential(const std::string& digest, Alloc& a) {
  rapidjson::Value v(rapidjson::kObjectType);
  v.AddMember("sha256", json::string(digest, a), a);
  return v;
}

rapidjson::Value redact(const rapidjson::Value& v, const std::string& key,
                        const std::string& baseDir, Alloc& a) {
  if (v.IsObject()) {
    rapidjson::Value out(rapidjson::kObjectType);
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      const std::string k(it->name.GetString(), it->name.GetStringLength());
      out.AddMember(json::string(k, a), redact(it->value, k, baseDir, a), a);
    }
    return out;
  }
  if (v.IsArray()) {
    rapidjson::Value out(rapidjson::kArrayType);
    for (const auto& e : v.GetArray())
      out.PushBack(redact(e, key, baseDir, a), a);
    return out;
  }
  if (!v.IsString())
    return rapidjson::Value(v, a);
  const std::string s(v.GetString(), v.GetStringLength());
  if (isSecretKey(key))
    return s.empty() ? rapidjson::Value(v, a) : credential(registry::sha256Hex(s), a);
  if (isCredentialFileKey(key) && !s.empty()) {
    auto out = credential(fileDigest(baseDir, s), a);
    out.AddMember("path", json::string(s, a), a);
    return out;
  }
  std::string passwords;
  const std::string masked = maskPasswords(s, passwords);
  if (passwords.empty())
    return rapidjson::Value(v, a);
  auto out = credential(registry::sha256Hex(passwords), a);
  out.AddMember("text", json::string(masked, a), a);
  return out;
}

std::string canonical(const rapidjson::Value& v) {
  return json::writeCanonical(v);
}

bool isCredential(const rapidjson::Value& v) {
  if (!v.IsObject())
    return false;
  const auto it = v.FindMember("sha256");
  return it != v.MemberEnd() && it->value.IsString();
}

std::string digestOf(const rapidjson::Value& v) {
  return isCredential(v) ? std::string("sha256:") + v["sha256"].GetString() : canonical(v);
}

void diff(const rapidjson::Value& a, const rapidjson::Value& b, const std::string& at,
          std::vector<std::string>& out) {
  const std::string here = at.empty() ? "/" : at;
  if (a.IsObject() && b.IsObject() && !isCredential(a) && !isCredential(b)) {
    for (auto it = a.MemberBegin(); it != a.MemberEnd(); ++it) {
      const std::string k(it->name.GetString(), it->name.GetStringLength());
      const auto other = b.FindMember(it->name);
      if (other == b.MemberEnd())
        out.push_back(at + "/" + pointerToken(k));
      else
        diff(it->value, other->value, at + "/" + pointerToken(k), out);
    }
    for (auto it = b.MemberBegin(); it != b.MemberEnd(); ++it) {
      if (!a.HasMember(it->name))
        out.push_back(at + "/" +
                      pointerToken(std::string(it->name.GetString(), it->name.GetStringLength())));
    }
    return;
  }
  if (a.IsArray() && b.IsArray()) {
    const auto n = std::max(a.Size(), b.Size());
    for (rapidjson::SizeType i = 0; i < n; ++i) {
      if (i >= a.Size() || i >= b.Size())
        out.push_back(at + "/" + std::to_string(i));
      else
        diff(a[i], b[i], at + "/" + std::to_string(i), out);
    }
    return;
  }
  if (canonical(a) != canonical(b))
    out.push_back(here);
}

// Every credential object under `v`, by JSON Pointer below `at`; members named in `skip` are
// left out at the top level.
void collectCredentials(const rapidjson::Value& v, const std::string& at,
                        const std::set<std::string>& skip,
                        std::map<std::string, std::string>& out) {
  if (isCredential(v)) {
    out[at] = digestOf(v);
  } else if (v.IsObject()) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      const std::string k(it->name.GetString(), it->name.GetStringLength());
      if (!skip.count(k))
        collectCredentials(it->value, at + "/" + pointerToken(k), {}, out);
    }
  } else if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
      collectCredentials(v[i], at + "/" + std::to_string(i), {}, out);
  }
}

std::string stringMember(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject())
    return "";
  const auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsString()
             ? std::string(it->value.GetString(), it->value.GetStringLength())
             : "";
}

// A system's credentials: label -> fingerprint ("key ID", "token", "client certificate …",
// and the pointer of any other credential in its block).
std::map<std::string, std::string> systemCredentials(const rapidjson::Value& system) {
  std::map<std::string, std::string> out;
  if (!system.IsObject())
    return out;
  if (auto keys = system.FindMember("keys"); keys != system.MemberEnd() && keys->value.IsArray()) {
    for (const auto& k : keys->value.GetArray()) {
      std::string material;
      for (const char* m : {"secret", "public_key_file"}) {
        if (k.IsObject() && k.HasMember(m))
          material = digestOf(k[m]);
      }
      out["key " + stringMember(k, "key_id")] = stringMember(k, "alg") + " " + material;
    }
  }
  if (auto token = system.FindMember("token"); token != system.MemberEnd())
    out["token"] = digestOf(token->value);
  if (auto certs = system.FindMember("client_cert"); certs != system.MemberEnd()) {
    auto one = [&](const rapidjson::Value& c) {
      std::string label = "client certificate";
      if (!stringMember(c, "subject").empty())
        label += " " + stringMember(c, "subject");
      if (!stringMember(c, "sha256_fingerprint").empty())
        label += " sha256 " + stringMember(c, "sha256_fingerprint");
      out[label] = "accepted";
    };
    if (certs->value.IsArray()) {
      for (const auto& c : certs->value.GetArray())
        one(c);
    } else {
      one(certs->value);
    }
  }
  collectCredentials(system, "", {"keys", "token", "client_cert"}, out);
  return out;
}

std::map<std::string, std::string> gatewayCredentials(const rapidjson::Value& root) {
  std::map<std::string, std::string> out;
  if (root.IsObject())
    collectCredentials(root, "", {"systems"}, out);
  return out;
}

std::string labelsJson(const std::map<std::string, std::string>& m) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  for (const auto& [k, v] : m)
    d.AddMember(json::string(k, a), json::string(v, a), a);
  return canonical(d);
}

std::optional<CredentialChange> compare(const std::string& system,
                                        const std::map<std::string, std::string>& before,
                                        const std::map<std::string, std::string>& after) {
  CredentialChange c;
  c.system = system;
  for (const auto& [label, fp] : before) {
    const auto it = after.find(label);
    if (it == after.end())
      c.changes.push_back(label + " removed");
    else if (it->second != fp)
      c.changes.push_back(label + " rotated");
  }
  for (const auto& [label, fp] : after) {
    if (!before.count(label))
      c.changes.push_back(label + " added");
  }
  if (c.changes.empty())
    return std::nullopt;
  c.before = labelsJson(before);
  c.after = labelsJson(after);
  return c;
}

const rapidjson::Value& systemsOf(const rapidjson::Value& root) {
  static const rapidjson::Value kNone(rapidjson::kObjectType);
  if (!root.IsObject())
    return kNone;
  const auto it = root.FindMember("systems");
  return it != root.MemberEnd() && it->value.IsObject() ? it->value : kNone;
}

std::string joined(const std::vector<std::string>& parts, const std::string& sep, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < parts.size() && i < max; ++i)
    out += (i ? sep : "") + parts[i];
  if (parts.size() > max)
    out += sep + "and " + std::to_string(parts.size() - max) + " more";
  return out;
}

Result<std::optional<registry::AuditEntry>> latest(registry::RegistryStore& trail,
                                                   const std::string& action) {
  registry::AuditQuery q;
  q.action = action;
  q.limit = registry::kMaxAuditPage;
  std::optional<registry::AuditEntry> last;
  for (;;) {
    auto page = trail.queryAudit(q);
    if (!page.ok())
      return page.error();
    if (!page.value().entries.empty())
      last = page.value().entries.back();
    if (page.value().nextAfterSeq == 0)
      return last;
    q.afterSeq = page.value().nextAfterSeq;
  }
}

}  // namespace

std::string redactedConfig(const GatewayConfig& config) {
  const auto* file = static_cast<const mapping::PositionedJson*>(config.document.get());
  if (!file)
    return "null";
  const auto slash = config.file.rfind('/');
  const std::string baseDir = slash == std::string::npos ? "." : config.file.substr(0, slash);
  rapidjson::Document d;
  rapidjson::Value v = redact(file->root(), "", baseDir, d.GetAllocator());
  return canonical(v);
}

std::vector<std::string> changedFields(const rapidjson::Value& before,
                                       const rapidjson::Value& after) {
  std::vector<std::string> out;
  diff(before, after, "", out);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<CredentialChange> credentialChanges(const rapidjson::Value& before,
                                                const rapidjson::Value& after) {
  std::vector<CredentialChange> out;
  const auto& a = systemsOf(before);
  const auto& b = systemsOf(after);
  std::set<std::string> ids;
  for (const auto* systems : {&a, &b}) {
    for (auto it = systems->MemberBegin(); it != systems->MemberEnd(); ++it)
      ids.emplace(it->name.GetString(), it->name.GetStringLength());
  }
  static const rapidjson::Value kAbsent(rapidjson::kNullType);
  for (const auto& id : ids) {
    const rapidjson::Value name(rapidjson::StringRef(id.data(), id.size()));
    const auto x = a.FindMember(name);
    const auto y = b.FindMember(name);
    auto c = compare(id, systemCredentials(x == a.MemberEnd() ? kAbsent : x->value),
                     systemCredentials(y == b.MemberEnd() ? kAbsent : y->value));
    if (c)
      out.push_back(std::move(*c));
  }
  if (auto c = compare("", gatewayCredentials(before), gatewayCredentials(after)))
    out.push_back(std::move(*c));
  return out;
}

std::vector<registry::AuditEntry> configAuditEntries(const std::optional<std::string>& recorded,
                                                     const std::string& current,
                                                     const std::string& configFile,
                                                     const std::string& actor, EpochMillis now) {
  std::vector<registry::AuditEntry> out;
  auto entry = [&](const std::string& action, const std::string& target, const std::string& system,
                   const std::string& before, const std::string& after) {
    registry::AuditEntry e;
    e.at = now;
    e.actor = actor;
    e.role = "system";
    e.action = action;
    e.target = target;
    e.system = system;
    e.before = before;
    e.after = after;
    out.push_back(std::move(e));
  };
  auto currentDoc = json::parse(current);
  if (!currentDoc.ok())
    return out;  // redactedConfig always writes JSON
  if (!recorded) {
    entry("config.initial", "config " + configFile, "", "null", canonical(currentDoc.value()));
    return out;
  }
  auto was = json::parse(*recorded);
  const rapidjson::Value kNull(rapidjson::kNullType);
  const rapidjson::Value& before =
      was.ok() ? static_cast<const rapidjson::Value&>(was.value()) : kNull;
  if (canonical(before) == canonical(currentDoc.value()))
    return out;
  // Credentials first and the config last: the config entry is what the next start compares
  // with, so when an append fails part-way the next start finds the change again.
  for (const auto& c : credentialChanges(before, currentDoc.value())) {
    const std::string scope = c.system.empty() ? "the gateway" : "system " + c.system;
    entry("credential.change", "credentials of " + scope + ": " + joined(c.changes, "; ", 50),
          c.system, c.before, c.after);
  }
  const auto fields = changedFields(before, currentDoc.value());
  entry("config.change", "config " + configFile + ": " + joined(fields, ", ", 20), "",
        canonical(before), canonical(currentDoc.value()));
  return out;
}

std::string serveActor() {
  std::string user = "uid" + std::to_string(geteuid());
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr)
    user = pw->pw_name;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0)
    host[0] = '\0';
  return "serve:" + user + "@" + (host[0] ? std::string(host) : std::string("unknown-host"));
}

Result<std::vector<registry::AuditEntry>> recordConfig(registry::RegistryStore& trail,
                                                       const GatewayConfig& config,
                                                       const std::string& actor, EpochMillis now) {
  auto initial = latest(trail, "config.initial");
  if (!initial.ok())
    return initial.error();
  auto change = latest(trail, "config.change");
  if (!change.ok())
    return change.error();
  std::optional<registry::AuditEntry> last = initial.value();
  if (change.value() && (!last || change.value()->seq > last->seq))
    last = change.value();
  std::optional<std::string> recorded;
  if (last)
    recorded = last->after;
  std::vector<registry::AuditEntry> stored;
  for (const auto& e :
       configAuditEntries(recorded, redactedConfig(config), config.file, actor, now)) {
    auto r = trail.appendAudit(e);
    if (!r.ok())
      return r.error();
    stored.push_back(std::move(r).value());
  }
  return stored;
}

}  // namespace huitong::http
