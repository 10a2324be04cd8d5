#include "gateway/ops/baseline/ConfigBaseline.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <openssl/evp.h>

#include "gateway/core/Json.h"
#include "gateway/mapping/PositionedJson.h"
#include "gateway/ops/baseline/LineDiff.h"

namespace huitong::ops::baseline {
namespace fs = std::filesystem;
namespace {

// Text files are kept in the baseline (for diffs) up to this size; larger ones by hash only.
constexpr std::int64_t kMaxTextBytes = 1024 * 1024;

bool readAll(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return !in.bad();
}

std::string ownerName(unsigned uid) {
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[4096];
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr)
    return found->pw_name;
  return std::to_string(uid);
}

bool textExtension(const std::string& path) {
  static const std::set<std::string> kText = {".json", ".csv",  ".txt",       ".xml",
                                              ".md",   ".yaml", ".yml",       ".tsv",
                                              ".xsd",  ".sql",  ".properties"};
  auto ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return kText.count(ext) != 0;
}

// The role of a file named by a "*_file" member, from the member's name.
void classify(const std::string& member, std::string& role, bool& secret) {
  secret = false;
  if (member.find("private_key") != std::string::npos) {
    role = "private_key";
    secret = true;
  } else if (member.find("public_key") != std::string::npos) {
    role = "key";
  } else if (member.find("password") != std::string::npos ||
             member.find("secret") != std::string::npos ||
             member.find("token") != std::string::npos ||
             member.find("credential") != std::string::npos ||
             member.find("key") != std::string::npos || member == "connection_file") {
    role = "secret";
    secret = true;
  } else if (member.find("cert") != std::string::npos) {
    role = "certificate";
  } else if (member == "ca_file" || member.rfind("ca_", 0) == 0) {
    role = "ca";
  } else {
    role = "file";
  }
}

class Collector {
 public:
  explicit Collector(const std::string& configFile) {
    std::error_code ec;
    configDir_ = fs::absolute(fs::path(configFile), ec).parent_path().lexically_normal();
  }

  std::string resolve(const std::string& path) const {
    fs::path p(path);
    if (p.is_relative())
      p = configDir_ / p;
    return p.lexically_normal().string();
  }

  std::string display(const std::string& full) const {
    std::error_code ec;
    fs::path abs = fs::absolute(fs::path(full), ec).lexically_normal();
    const auto rel = abs.lexically_relative(configDir_);
    if (rel.empty() || *rel.begin() == "..")
      return abs.string();
    return rel.string();
  }

  void add(const std::string& fullPath, const std::string& role, bool secret, bool text,
           bool directory = false) {
    if (fullPath.empty())
      return;
    CoveredFile f;
    f.fullPath = fullPath;
    f.path = display(fullPath);
    if (files_.count(f.path) != 0)
      return;  // named twice (a key in two blocks): covered once, first role kept
    f.role = role;
    f.secret = secret;
    f.directory = directory;
    struct stat st;
    if (::stat(fullPath.c_str(), &st) == 0) {
      f.exists = true;
      f.mode = static_cast<unsigned>(st.st_mode) & 07777u;
      f.uid = st.st_uid;
      f.owner = ownerName(st.st_uid);
      if (!directory) {
        f.size = static_cast<std::int64_t>(st.st_size);
        std::string bytes;
        if (readAll(fullPath, bytes)) {
          f.sha256 = sha256Hex(bytes);
          f.text =
              text && !secret && f.size <= kMaxTextBytes && bytes.find('\0') == std::string::npos;
          if (f.text)
            f.content = role == "config" ? maskSecrets(bytes) : std::move(bytes);
        } else {
          f.sha256 = "unreadable";
        }
      }
    }
    files_.emplace(f.path, std::move(f));
  }

  void walk(const rapidjson::Value& v, const std::string& member) {
    if (v.IsObject()) {
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it)
        walk(it->value, it->name.GetString());
    } else if (v.IsArray()) {
      for (const auto& e : v.GetArray())
        walk(e, member);
    } else if (v.IsString() && member.size() > 5 &&
               member.compare(member.size() - 5, 5, "_file") == 0 && v.GetStringLength() != 0) {
      std::string role;
      bool secret = false;
      classify(member, role, secret);
      add(resolve(v.GetString()), role, secret, role == "file" && textExtension(v.GetString()));
    }
  }

  Manifest finish() {
    Manifest m;
    for (auto& [path, f] : files_)
      m.files.push_back(std::move(f));
    return m;
  }

 private:
  fs::path configDir_;
  std::map<std::string, CoveredFile> files_;
};

std::string fromBlob(const storage::StatementDatabase& db, const std::string& column) {
  return db.postgres() ? storage::fromByteaHex(column) : column;
}

std::string shortHash(const std::string& h) {
  return h.empty() ? "(none)" : h.substr(0, 12);
}

std::string octal(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

}  // namespace

std::string sha256Hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string maskSecrets(const std::string& text) {
  // A member whose name says it holds a secret, with a string value; and the password of a
  // connection string or URL inside any string.
  static const std::regex kMember(
      R"re("((?:[A-Za-z0-9_]*_)?(?:token|secret|password|passphrase|authorization|api_key|key))"(\s*:\s*)"((?:[^"\\]|\\.)*)")re",
      std::regex::icase);
  static const std::regex kPassword(R"re((password=|pwd=)([^ ";]*))re", std::regex::icase);
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), kMember);
  std::size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    out.append(text, last, static_cast<std::size_t>(m.position(0)) - last);
    out += "\"" + m[1].str() + "\"" + m[2].str() +
           "\"***sha256:" + sha256Hex(m[3].str()).substr(0, 12) + "\"";
    last = static_cast<std::size_t>(m.position(0) + m.length(0));
  }
  out.append(text, last, std::string::npos);
  std::string masked;
  last = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), kPassword);
       it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    masked.append(out, last, static_cast<std::size_t>(m.position(0)) - last);
    masked += m[1].str() + "***sha256:" + sha256Hex(m[2].str()).substr(0, 12);
    last = static_cast<std::size_t>(m.position(0) + m.length(0));
  }
  masked.append(out, last, std::string::npos);
  return masked;
}

Manifest captureManifest(const http::GatewayConfig& config) {
  Collector c(config.file);
  c.add(c.resolve(config.file), "config", false, true);
  if (!config.mappingsDir.empty()) {
    std::error_code ec;
    const std::string dir = c.resolve(config.mappingsDir);
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator
             it(dir, fs::directory_options::skip_permission_denied, ec),
         end;
         !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec))
        found.push_back(it->path().string());
    }
    for (const auto& f : found)
      c.add(f, "mapping", false, textExtension(f));
  }
  if (!config.filingsFile.empty())
    c.add(c.resolve(config.filingsFile), "filings", false, true);
  if (config.tls) {
    c.add(c.resolve(config.tls->certificateFile), "certificate", false, false);
    c.add(c.resolve(config.tls->privateKeyFile), "private_key", true, false);
    c.add(c.resolve(config.tls->caFile), "ca", false, false);
  }
  c.add(c.resolve(config.delivery.caFile), "ca", false, false);
  c.add(c.resolve(config.delivery.certificateFile), "certificate", false, false);
  c.add(c.resolve(config.delivery.privateKeyFile), "private_key", true, false);
  for (const auto& p : config.plugins)
    c.add(c.resolve(p), "plugin", false, false);
  if (const auto* doc = static_cast<const mapping::PositionedJson*>(config.document.get()))
    c.walk(doc->root(), "");
  if (config.store.kind == "sqlite" && !config.store.path.empty())
    c.add(fs::path(c.resolve(config.store.path)).parent_path().string(), "data_dir", false, false,
          true);
  Manifest m = c.finish();
  m.settings["mode"] = config.mode;
  m.settings["listen"] =
      config.plainListener ? config.listenHost + ":" + std::to_string(config.listenPort) : "off";
  if (config.tls) {
    m.settings["tls.listen"] =
        config.tls->listenHost + ":" + std::to_string(config.tls->listenPort);
    m.settings["tls.min_version"] = config.tls->minVersion;
    m.settings["tls.ciphers"] = config.tls->ciphers;
    m.settings["tls.ciphersuites"] = config.tls->ciphersuites;
    m.settings["tls.client_certificates"] = config.tls->clientCertificates;
  } else {
    m.settings["tls"] = "off";
  }
  m.settings["store.kind"] = config.store.kind;
  return m;
}

void compareManifests(const Manifest& base, const Manifest& now, std::vector<FileDrift>& files,
                      std::vector<SettingDrift>& settings) {
  std::map<std::string, const CoveredFile*> before, after;
  for (const auto& f : base.files)
    if (f.exists)
      before[f.path] = &f;
  for (const auto& f : now.files)
    if (f.exists)
      after[f.path] = &f;
  std::set<std::string> paths;
  for (const auto& [p, f] : before)
    paths.insert(p);
  for (const auto& [p, f] : after)
    paths.insert(p);
  for (const auto& path : paths) {
    const auto b = before.find(path), a = after.find(path);
    const CoveredFile* fb = b == before.end() ? nullptr : b->second;
    const CoveredFile* fa = a == after.end() ? nullptr : a->second;
    FileDrift d;
    d.path = path;
    d.role = (fa != nullptr ? fa : fb)->role;
    if (fb != nullptr) {
      d.sha256Before = fb->sha256;
      d.modeBefore = fb->mode;
      d.ownerBefore = fb->owner;
    }
    if (fa != nullptr) {
      d.sha256After = fa->sha256;
      d.modeAfter = fa->mode;
      d.ownerAfter = fa->owner;
    }
    const bool textBefore = fb == nullptr || fb->text, textAfter = fa == nullptr || fa->text;
    d.text = textBefore && textAfter;
    if (fb == nullptr || fa == nullptr || fb->sha256 != fa->sha256) {
      d.change = fb == nullptr ? "added" : fa == nullptr ? "removed" : "changed";
      if (d.text)
        d.diff = unifiedDiff(fb != nullptr ? fb->content : "", fa != nullptr ? fa->content : "",
                             path, "a/" + path + " (baseline)", "b/" + path + " (now)")
                     .text;
      files.push_back(d);
    }
    if (fb != nullptr && fa != nullptr && (fb->mode != fa->mode || fb->uid != fa->uid)) {
      FileDrift p = d;
      p.change = "permissions";
      p.diff.clear();
      files.push_back(p);
    }
  }
  std::set<std::string> names;
  for (const auto& [k, v] : base.settings)
    names.insert(k);
  for (const auto& [k, v] : now.settings)
    names.insert(k);
  for (const auto& n : names) {
    const auto b = base.settings.find(n), a = now.settings.find(n);
    const std::string vb = b == base.settings.end() ? "" : b->second;
    const std::string va = a == now.settings.end() ? "" : a->second;
    if (vb != va)
      settings.push_back({n, vb, va});
  }
}

Result<std::int64_t> BaselineStore::record(const Manifest& manifest, const std::string& configFile,
                                           const std::string& by, const std::string& note,
                                           EpochMillis at) {
  std::int64_t id = 0;
  auto done = db_.transaction([&]() -> Result<void> {
    auto r = recordInTransaction(manifest, configFile, by, note, at);
    if (!r.ok())
      return r.error();
    id = r.value();
    return {};
  });
  if (!done.ok())
    return done.error();
  return id;
}

Result<std::int64_t> BaselineStore::recordInTransaction(const Manifest& manifest,
                                                        const std::string& configFile,
                                                        const std::string& by,
                                                        const std::string& note, EpochMillis at) {
  rapidjson::Document s(rapidjson::kObjectType);
  for (const auto& [k, v] : manifest.settings)
    s.AddMember(json::string(k, s.GetAllocator()), json::string(v, s.GetAllocator()),
                s.GetAllocator());
  std::int64_t id = 0;
  {
    auto rows = db_.run(
        "INSERT INTO config_baseline (recorded_at, recorded_by, note, config_file, settings) "
        "VALUES ($1, $2, $3, $4, $5) RETURNING id",
        {storage::sqlInteger(at), storage::sqlText(by), storage::sqlText(note),
         storage::sqlText(configFile), storage::sqlText(json::write(s))});
    if (!rows.ok())
      return rows.error();
    if (rows.value().empty() || rows.value()[0].empty())
      return Error{"store.sql", "config_baseline: no id returned", ""};
    id = storage::sqlInt(rows.value()[0][0]);
    for (const auto& f : manifest.files) {
      auto r = db_.run(
          "INSERT INTO config_baseline_file (baseline_id, path, role, sha256, size, mode, owner, "
          "is_text, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
          {storage::sqlInteger(id), storage::sqlText(f.path), storage::sqlText(f.role),
           storage::sqlText(f.sha256), storage::sqlInteger(f.exists ? f.size : -1),
           storage::sqlInteger(f.mode), storage::sqlText(f.owner + ":" + std::to_string(f.uid)),
           storage::sqlInteger(f.text ? 1 : 0), storage::sqlBlob(f.content)});
      if (!r.ok())
        return r.error();
    }
  }
  return id;
}

Result<std::optional<Baseline>> BaselineStore::latest() {
  auto rows = db_.run(
      "SELECT id, recorded_at, recorded_by, note, config_file, settings FROM config_baseline "
      "ORDER BY id DESC LIMIT 1",
      {});
  if (!rows.ok())
    return rows.error();
  if (rows.value().empty())
    return std::optional<Baseline>{};
  const auto& r = rows.value()[0];
  Baseline b;
  b.id = storage::sqlInt(r[0]);
  b.recordedAt = storage::sqlInt(r[1]);
  b.recordedBy = r[2];
  b.note = r[3];
  b.configFile = r[4];
  if (auto s = json::parse(r[5]); s.ok() && s.value().IsObject())
    for (auto it = s.value().MemberBegin(); it != s.value().MemberEnd(); ++it)
      if (it->value.IsString())
        b.manifest.settings[it->name.GetString()] = it->value.GetString();
  auto files = db_.run(
      "SELECT path, role, sha256, size, mode, owner, is_text, content FROM config_baseline_file "
      "WHERE baseline_id = $1 ORDER BY path",
      {storage::sqlInteger(b.id)});
  if (!files.ok())
    return files.error();
  for (const auto& f : files.value()) {
    CoveredFile c;
    c.path = f[0];
    c.role = f[1];
    c.sha256 = f[2];
    c.size = storage::sqlInt(f[3]);
    c.exists = c.size >= 0;
    c.mode = static_cast<unsigned>(storage::sqlInt(f[4]));
    const auto colon = f[5].rfind(':');
    c.owner = colon == std::string::npos ? f[5] : f[5].substr(0, colon);
    c.uid = colon == std::string::npos
                ? 0u
                : static_cast<unsigned>(storage::sqlInt(f[5].substr(colon + 1)));
    c.text = f[6] == "1";
    c.content = fromBlob(db_, f[7]);
    c.secret = c.role == "private_key" || c.role == "secret";
    c.directory = c.role == "data_dir";
    b.manifest.files.push_back(std::move(c));
  }
  return std::optional<Baseline>{std::move(b)};
}

ConfigFinding driftFinding(const FileDrift& d) {
  ConfigFinding f;
  f.id = "drift." + d.change + ":" + d.path;
  f.check = "drift";
  f.file = d.path;
  const bool sensitive = d.role == "config" || d.role == "private_key" || d.role == "secret" ||
                         d.role == "certificate" || d.role == "plugin";
  f.severity = sensitive ? "major" : "minor";
  const std::string approve =
      " If intended, record it: huitong config approve --config FILE --by USER --note WHY; "
      "otherwise restore the file from the baseline's copy or backup.";
  if (d.change == "permissions") {
    f.title = d.path + ": permissions changed since the baseline";
    f.detail = d.path + ": mode " + octal(d.modeBefore) + " owner " + d.ownerBefore + " -> mode " +
               octal(d.modeAfter) + " owner " + d.ownerAfter + "." + approve;
  } else if (d.change == "added") {
    f.title = d.path + " (" + d.role + ") added since the baseline";
    f.detail = d.path + ": new file, sha256 " + shortHash(d.sha256After) + "." + approve;
  } else if (d.change == "removed") {
    f.title = d.path + " (" + d.role + ") removed since the baseline";
    f.detail = d.path + ": gone (was sha256 " + shortHash(d.sha256Before) + ")." + approve;
  } else {
    f.title = d.path + " (" + d.role + ") changed since the baseline";
    f.detail = d.path + ": sha256 " + shortHash(d.sha256Before) + " -> " +
               shortHash(d.sha256After) + (d.text ? " (see the diff)." : " (binary).") + approve;
  }
  return f;
}

ConfigFinding settingFinding(const SettingDrift& d) {
  ConfigFinding f;
  f.id = "drift.setting:" + d.name;
  f.check = "drift";
  f.severity = d.name.rfind("tls", 0) == 0 || d.name == "mode" ? "major" : "minor";
  f.title = "setting " + d.name + " changed since the baseline";
  f.detail = d.name + ": \"" + d.before + "\" -> \"" + d.after +
             "\" (in the config file). If intended: huitong config approve --config FILE --by "
             "USER --note WHY.";
  return f;
}

std::string driftSummary(const std::vector<FileDrift>& files,
                         const std::vector<SettingDrift>& settings) {
  std::size_t changed = 0, added = 0, removed = 0, perms = 0, plus = 0, minus = 0;
  for (const auto& d : files) {
    if (d.change == "changed")
      ++changed;
    else if (d.change == "added")
      ++added;
    else if (d.change == "removed")
      ++removed;
    else
      ++perms;
    std::istringstream in(d.diff);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("+++", 0) == 0 || line.rfind("---", 0) == 0)
        continue;
      if (!line.empty() && line[0] == '+')
        ++plus;
      else if (!line.empty() && line[0] == '-')
        ++minus;
    }
  }
  std::vector<std::string> parts;
  if (changed != 0)
    parts.push_back(std::to_string(changed) + (changed == 1 ? " file" : " files") + " changed");
  if (added != 0)
    parts.push_back(std::to_string(added) + " added");
  if (removed != 0)
    parts.push_back(std::to_string(removed) + " removed");
  if (perms != 0)
    parts.push_back(std::to_string(perms) + " permission change" + (perms == 1 ? "" : "s"));
  std::string out;
  for (const auto& p : parts)
    out += (out.empty() ? "" : ", ") + p;
  if (plus + minus != 0)
    out += " (+" + std::to_string(plus) + " -" + std::to_string(minus) + " lines)";
  if (!settings.empty()) {
    out += std::string(out.empty() ? "" : "; ") + "settings:";
    for (const auto& s : settings)
      out += " " + s.name;
  }
  return out.empty() ? "no change" : out;
}

namespace {

void addFinding(rapidjson::Value& arr, const ConfigFinding& f, rapidjson::Document& d) {
  auto& a = d.GetAllocator();
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("id", json::string(f.id, a), a);
  o.AddMember("check", json::string(f.check, a), a);
  o.AddMember("severity", json::string(f.severity, a), a);
  o.AddMember("title", json::string(f.title, a), a);
  o.AddMember("detail", json::string(f.detail, a), a);
  o.AddMember("file", json::string(f.file, a), a);
  arr.PushBack(o, a);
}

void fillChange(rapidjson::Value& o, const ChangeRecord& r, rapidjson::Document& d) {
  auto& a = d.GetAllocator();
  o.AddMember("id", r.id, a);
  o.AddMember("at", r.at, a);
  o.AddMember("by", json::string(r.by, a), a);
  o.AddMember("kind", json::string(r.kind, a), a);
  o.AddMember("note", json::string(r.note, a), a);
  o.AddMember("baseline_before", r.baselineBefore, a);
  o.AddMember("baseline_after", r.baselineAfter, a);
  rapidjson::Value files(rapidjson::kArrayType);
  for (const auto& f : r.files)
    files.PushBack(json::string(f, a), a);
  o.AddMember("files", files, a);
  o.AddMember("summary", json::string(r.summary, a), a);
  o.AddMember("diff", json::string(r.diff, a), a);
}

}  // namespace

std::string reportJson(const ConfigCheckReport& r) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("checked_at", r.checkedAt, a);
  rapidjson::Value base(rapidjson::kNullType);
  if (r.baselineId != 0) {
    base.SetObject();
    base.AddMember("id", r.baselineId, a);
    base.AddMember("recorded_at", r.baselineAt, a);
    base.AddMember("recorded_by", json::string(r.baselineBy, a), a);
  }
  d.AddMember("baseline", base, a);
  d.AddMember("files_checked", static_cast<std::uint64_t>(r.filesChecked), a);
  d.AddMember("drifted", r.drifted(), a);
  d.AddMember("unsafe", r.unsafe(), a);
  d.AddMember("summary", json::string(driftSummary(r.drift, r.settings), a), a);
  rapidjson::Value drift(rapidjson::kArrayType);
  for (const auto& f : r.drift) {
    rapidjson::Value o(rapidjson::kObjectType);
    o.AddMember("path", json::string(f.path, a), a);
    o.AddMember("role", json::string(f.role, a), a);
    o.AddMember("change", json::string(f.change, a), a);
    o.AddMember("sha256_before", json::string(f.sha256Before, a), a);
    o.AddMember("sha256_after", json::string(f.sha256After, a), a);
    o.AddMember("mode_before", json::string(octal(f.modeBefore), a), a);
    o.AddMember("mode_after", json::string(octal(f.modeAfter), a), a);
    o.AddMember("owner_before", json::string(f.ownerBefore, a), a);
    o.AddMember("owner_after", json::string(f.ownerAfter, a), a);
    o.AddMember("text", f.text, a);
    o.AddMember("diff", json::string(f.diff, a), a);
    drift.PushBack(o, a);
  }
  d.AddMember("drift", drift, a);
  rapidjson::Value settings(rapidjson::kArrayType);
  for (const auto& s : r.settings) {
    rapidjson::Value o(rapidjson::kObjectType);
    o.AddMember("name", json::string(s.name, a), a);
    o.AddMember("before", json::string(s.before, a), a);
    o.AddMember("after", json::string(s.after, a), a);
    settings.PushBack(o, a);
  }
  d.AddMember("settings", settings, a);
  rapidjson::Value findings(rapidjson::kArrayType);
  for (const auto& f : r.findings)
    addFinding(findings, f, d);
  d.AddMember("findings", findings, a);
  return json::write(d);
}

std::string changeJson(const ChangeRecord& record) {
  rapidjson::Document d(rapidjson::kObjectType);
  fillChange(d, record, d);
  return json::write(d);
}

}  // namespace huitong::ops::baseline
