#include "gateway/registry/MappingVersions.h"

#include <openssl/evp.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <rapidjson/document.h>

#include "gateway/core/Json.h"
#include "gateway/registry/StaffAccount.h"

namespace huitong::registry {
namespace fs = std::filesystem;

namespace {

Error bundleError(const std::string& message, const std::string& path = "") {
  return Error{"mapping.bundle", message, path};
}

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> unbase64(const std::string& text) {
  if (text.size() % 4 != 0)
    return std::nullopt;
  std::string out(3 * (text.size() / 4) + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0)
    return std::nullopt;
  std::size_t len = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes.
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i)
    --len;
  out.resize(len);
  return out;
}

// A bundle path: relative, '/'-separated, no empty, "." or ".." segment, printable.
bool safePath(const std::string& p) {
  if (p.empty() || p.size() > 255 || p.front() == '/' || p.back() == '/')
    return false;
  for (unsigned char c : p) {
    if (c < 0x20 || c == 0x7f || c == '\\')
      return false;
  }
  std::size_t start = 0;
  while (start <= p.size()) {
    const std::size_t end = std::min(p.find('/', start), p.size());
    const std::string seg = p.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..")
      return false;
    start = end + 1;
  }
  return true;
}

Result<void> checkBundle(const MappingBundle& b, const std::string& where) {
  if (b.files.count("mapping.json") == 0)
    return bundleError("a mapping bundle needs its mapping.json", where);
  if (b.files.size() > kMaxBundleFiles) {
    return bundleError(
        "a mapping bundle holds at most " + std::to_string(kMaxBundleFiles) + " files", where);
  }
  std::size_t total = 0;
  for (const auto& [path, bytes] : b.files) {
    if (!safePath(path)) {
      return bundleError("file name '" + path.substr(0, 80) +
                             "' is not a relative path inside the mapping's folder",
                         where);
    }
    total += bytes.size();
  }
  if (total > kMaxBundleBytes) {
    return bundleError("a mapping bundle holds at most " +
                           std::to_string(kMaxBundleBytes / (1024 * 1024)) + " MiB",
                       where);
  }
  return {};
}

bool mayChange(const Actor& actor) {
  return actor.role == Role::kAdmin || actor.role == Role::kOperator;
}

// A private folder under the system's temporary directory, removed with its files.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "huitong-mapping-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr)
      path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty())
      fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string reportJson(const std::vector<mapping::Mapping::TestResult>& results, EpochMillis at,
                       int& passed, int& failed) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value tests(rapidjson::kArrayType);
  passed = failed = 0;
  for (const auto& r : results) {
    (r.passed ? passed : failed)++;
    rapidjson::Value t(rapidjson::kObjectType);
    t.AddMember("name", json::string(r.name, a), a);
    t.AddMember("passed", r.passed, a);
    rapidjson::Value why(rapidjson::kArrayType);
    for (const auto& f : r.failures)
      why.PushBack(json::string(f, a), a);
    t.AddMember("failures", why, a);
    tests.PushBack(t, a);
  }
  d.AddMember("passed", passed, a);
  d.AddMember("failed", failed, a);
  d.AddMember("at", json::string(formatRfc3339(at), a), a);
  d.AddMember("tests", tests, a);
  return json::write(d);
}

std::string versionRef(const std::optional<LiveMapping>& live) {
  if (!live)
    return "null";
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("version", json::string(live->version, a), a);
  d.AddMember("generation", live->generation, a);
  return json::write(d);
}

}  // namespace

Result<MappingBundle> readBundleDir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(dir) / "mapping.json", ec))
    return Error{"mapping.io", "no mapping.json in the folder", dir};
  MappingBundle b;
  std::size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory(ec))
        it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec))
      continue;
    const std::string rel = fs::relative(it->path(), dir, ec).generic_string();
    std::ifstream f(it->path(), std::ios::binary);
    if (!f)
      return Error{"mapping.io", "cannot read the file", it->path().string()};
    std::ostringstream ss;
    ss << f.rdbuf();
    total += ss.str().size();
    if (b.files.size() >= kMaxBundleFiles || total > kMaxBundleBytes) {
      return bundleError("a mapping folder holds at most " + std::to_string(kMaxBundleFiles) +
                             " files and " + std::to_string(kMaxBundleBytes / (1024 * 1024)) +
                             " MiB",
                         dir);
    }
    b.files[rel] = ss.str();
  }
  if (ec)
    return Error{"mapping.io", "cannot read the folder: " + ec.message(), dir};
  if (auto r = checkBundle(b, dir); !r.ok())
    return r.error();
  return b;
}

std::string bundleJson(const MappingBundle& bundle) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value files(rapidjson::kObjectType);
  for (const auto& [path, bytes] : bundle.files)
    files.AddMember(json::string(path, a), json::string(base64(bytes), a), a);
  d.AddMember("files", files, a);
  return json::write(d);
}

namespace {

// `stored`: every file is a base64 string (bundleJson); otherwise the upload form.
Result<MappingBundle> parseBundle(const std::string& text, const std::string& where, bool stored) {
  auto doc = json::parse(text);
  if (!doc.ok())
    return Error{"mapping.bundle", doc.error().message, where};
  const rapidjson::Value& d = doc.value();
  if (!d.IsObject() || !d.HasMember("files") || !d["files"].IsObject()) {
    return bundleError("expected {\"files\": {\"mapping.json\": \"...\", \"tests/...\": ...}}",
                       where);
  }
  MappingBundle b;
  for (auto m = d["files"].MemberBegin(); m != d["files"].MemberEnd(); ++m) {
    const std::string path(m->name.GetString(), m->name.GetStringLength());
    const std::string at = where + (where.empty() ? "" : ":") + "/files/" + path.substr(0, 80);
    std::optional<std::string> bytes;
    if (m->value.IsString()) {
      const std::string s(m->value.GetString(), m->value.GetStringLength());
      bytes = stored ? unbase64(s) : s;
    } else if (m->value.IsObject() && m->value.HasMember("base64") &&
               m->value["base64"].IsString()) {
      bytes = unbase64(m->value["base64"].GetString());
    } else {
      return bundleError("a file is a string (its UTF-8 text) or {\"base64\": \"...\"}", at);
    }
    if (!bytes)
      return bundleError("not valid base64", at);
    b.files[path] = std::move(*bytes);
  }
  if (auto r = checkBundle(b, where); !r.ok())
    return r.error();
  return b;
}

}  // namespace

Result<MappingBundle> bundleFromJson(const std::string& text, const std::string& where) {
  return parseBundle(text, where, false);
}

Result<MappingBundle> storedBundle(const MappingVersionRecord& record) {
  return parseBundle(record.bundle, "stored " + record.system + " v" + record.version, true);
}

std::string bundleDigest(const MappingBundle& bundle) {
  std::string all;
  for (const auto& [path, bytes] : bundle.files) {
    all += path;
    all += '\0';
    all += std::to_string(bytes.size());
    all += '\0';
    all += bytes;
  }
  return sha256Hex(all);
}

Result<std::shared_ptr<const mapping::Mapping>> compileBundle(const MappingBundle& bundle,
                                                              const std::string& label) {
  if (auto r = checkBundle(bundle, label); !r.ok())
    return r.error();
  ScratchDir scratch;
  if (scratch.path().empty())
    return Error{"mapping.io", "cannot make a temporary folder to compile the mapping", label};
  for (const auto& [path, bytes] : bundle.files) {
    const fs::path target = fs::path(scratch.path()) / path;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    std::ofstream f(target, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (ec || !f)
      return Error{"mapping.io", "cannot write " + target.string(), label};
  }
  auto compiled = mapping::Mapping::compile(bundle.files.at("mapping.json"),
                                            label + "/mapping.json", scratch.path());
  if (!compiled.ok()) {
    // The compiler names files it could not read by their scratch path: name them by the
    // bundle's instead.
    Error e = compiled.error();
    for (std::string::size_type at; (at = e.message.find(scratch.path())) != std::string::npos;)
      e.message.replace(at, scratch.path().size(), label);
    if (e.code == "mapping.io")
      e.code = "mapping.invalid";
    return e;
  }
  return compiled;
}

std::string mappingTarget(const std::string& system) {
  return "mapping " + system;
}

std::string mappingVersionJson(const MappingVersionRecord& r) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  auto str = [&](const char* key, const std::string& v) {
    d.AddMember(rapidjson::StringRef(key), json::string(v, a), a);
  };
  str("system", r.system);
  str("version", r.version);
  str("state", toString(r.state));
  str("sha256", r.sha256);
  str("input_format", r.inputFormat);
  str("created_by", r.createdBy);
  str("created_at", formatRfc3339(r.createdAt));
  if (r.testedAt != 0)
    str("tested_at", formatRfc3339(r.testedAt));
  if (r.publishedAt != 0) {
    str("published_by", r.publishedBy);
    str("published_at", formatRfc3339(r.publishedAt));
  }
  return json::write(d);
}

AuditEntry MappingVersions::entry(const Actor& actor, const std::string& action,
                                  const std::string& system, const std::string& before,
                                  const std::string& after) const {
  AuditEntry e;
  e.at = clock_.now();
  e.actor = actor.name;
  e.role = toString(actor.role);
  e.action = action;
  e.target = mappingTarget(system);
  e.system = system;
  e.before = before;
  e.after = after;
  return e;
}

Error MappingVersions::refused(const Error& why, const Actor& actor, const std::string& action,
                               const std::string& system, const std::string& version) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("refused", json::string(why.code, a), a);
  d.AddMember("reason", json::string(why.message, a), a);
  d.AddMember("version", json::string(version, a), a);
  const auto appended = store_.appendAudit(entry(actor, action, system, "null", json::write(d)));
  if (!appended.ok()) {
    return Error{
        appended.error().code,
        why.message + " (and recording the refusal failed: " + appended.error().message + ")",
        why.path};
  }
  return why;
}

Result<MappingVersionRecord> MappingVersions::require(const std::string& system,
                                                      const std::string& version) {
  auto stored = store_.mappingVersion(system, version);
  if (!stored.ok())
    return stored.error();
  if (!stored.value())
    return Error{"mapping.not_found", "system " + system + " has no mapping version " + version,
                 ""};
  return *stored.value();
}

Result<MappingVersionRecord> MappingVersions::draft(const std::string& system,
                                                    const MappingBundle& bundle,
                                                    const Actor& actor) {
  if (!mayChange(actor)) {
    return refused(Error{"mapping.forbidden",
                         std::string("a ") + toString(actor.role) + " may not upload mappings", ""},
                   actor, "mapping.draft.refused", system, "");
  }
  auto compiled = compileBundle(bundle, system);
  if (!compiled.ok()) {
    Error e = compiled.error();
    if (e.code != "mapping.bundle")
      e.code = "mapping.invalid";
    return e;
  }
  const auto& m = *compiled.value();
  if (m.system() != system) {
    return Error{"mapping.invalid",
                 "the mapping is for system '" + m.system() + "', not '" + system + "'",
                 system + "/mapping.json"};
  }
  MappingVersionRecord record;
  record.system = system;
  record.version = m.version();
  record.state = MappingState::kDraft;
  record.sha256 = bundleDigest(bundle);
  record.inputFormat = m.inputFormat();
  record.bundle = bundleJson(bundle);
  record.createdBy = actor.name;
  record.createdAt = clock_.now();
  auto stored = store_.mappingVersion(system, record.version);
  if (!stored.ok())
    return stored.error();
  if (!stored.value()) {
    auto r = store_.insertMappingVersion(
        record, entry(actor, "mapping.draft", system, "null", mappingVersionJson(record)));
    if (!r.ok())
      return r.error();
    return record;
  }
  const MappingVersionRecord& old = *stored.value();
  if (old.sha256 == record.sha256)
    return old;
  if (old.state == MappingState::kPublished) {
    return Error{"mapping.exists",
                 "version " + record.version + " of system " + system +
                     " is published and never changes: give the new files another \"version\"",
                 system + "/mapping.json"};
  }
  auto r = store_.updateMappingVersion(
      record, old.state,
      entry(actor, "mapping.draft", system, mappingVersionJson(old), mappingVersionJson(record)));
  if (!r.ok())
    return r.error();
  return record;
}

Result<MappingTestOutcome> MappingVersions::test(const std::string& system,
                                                 const std::string& version, const Actor& actor) {
  if (!mayChange(actor)) {
    return refused(Error{"mapping.forbidden",
                         std::string("a ") + toString(actor.role) + " may not test mappings", ""},
                   actor, "mapping.test.refused", system, version);
  }
  auto record = require(system, version);
  if (!record.ok())
    return record.error();
  auto bundle = storedBundle(record.value());
  if (!bundle.ok())
    return bundle.error();
  auto compiled = compileBundle(bundle.value(), system + " v" + version);
  if (!compiled.ok())
    return compiled.error();
  MappingTestOutcome out;
  const EpochMillis now = clock_.now();
  out.reportJson =
      reportJson(compiled.value()->runEmbeddedTests(clock_), now, out.passed, out.failed);
  MappingVersionRecord next = record.value();
  next.testReport = out.reportJson;
  if (next.state != MappingState::kPublished) {
    next.state = out.failed == 0 ? MappingState::kTested : MappingState::kDraft;
    next.testedAt = out.failed == 0 ? now : 0;
  }
  auto r = store_.updateMappingVersion(
      next, record.value().state,
      entry(actor, "mapping.test", system, mappingVersionJson(record.value()),
            mappingVersionJson(next)));
  if (!r.ok())
    return r.error();
  out.record = next;
  return out;
}

Result<LiveMapping> MappingVersions::makeLive(const std::string& system,
                                              const MappingVersionRecord& record,
                                              const Actor& actor, const std::string& action,
                                              std::optional<std::int64_t> expectedGeneration,
                                              const std::string& extraAfter) {
  auto current = live(system);
  if (!current.ok())
    return current.error();
  const std::int64_t generation = current.value() ? current.value()->generation : 0;
  if (expectedGeneration && *expectedGeneration != generation) {
    return Error{"mapping.stale",
                 "the live generation of system " + system + " is " + std::to_string(generation) +
                     ", not " + std::to_string(*expectedGeneration) + ": read it again and retry",
                 ""};
  }
  if (current.value() && current.value()->version == record.version) {
    return Error{"mapping.illegal_move",
                 "version " + record.version + " of system " + system + " is live already", ""};
  }
  if (current.value()) {
    auto running = store_.mappingVersion(system, current.value()->version);
    if (!running.ok())
      return running.error();
    if (running.value() && running.value()->inputFormat != record.inputFormat) {
      return Error{"mapping.input_format",
                   "version " + record.version + " reads " + record.inputFormat + " but " + system +
                       "'s adapter reads " + running.value()->inputFormat + " (version " +
                       current.value()->version +
                       "): change the system's adapter in the config and restart",
                   ""};
    }
  }
  rapidjson::Document after(rapidjson::kObjectType);
  auto& a = after.GetAllocator();
  after.AddMember("version", json::string(record.version, a), a);
  after.AddMember("sha256", json::string(record.sha256, a), a);
  after.AddMember("generation", generation + 1, a);
  if (!extraAfter.empty()) {
    auto extra = json::parse(extraAfter);
    if (extra.ok())
      after.AddMember("tests", rapidjson::Value(extra.value(), a), a);
  }
  const AuditEntry audit =
      entry(actor, action, system, versionRef(current.value()), json::write(after));
  return store_.switchLiveMapping(system, record.version, generation, actor.name, clock_.now(),
                                  audit);
}

Result<LiveMapping> MappingVersions::publish(const std::string& system, const std::string& version,
                                             const Actor& actor,
                                             std::optional<std::int64_t> expectedGeneration) {
  if (!mayChange(actor)) {
    return refused(
        Error{"mapping.forbidden",
              std::string("a ") + toString(actor.role) + " may not publish mappings", ""},
        actor, "mapping.publish.refused", system, version);
  }
  auto record = require(system, version);
  if (!record.ok())
    return record.error();
  if (record.value().state == MappingState::kDraft) {
    return refused(Error{"mapping.illegal_move",
                         "version " + version +
                             " is a draft: run its tests first (draft → "
                             "tested → published)",
                         ""},
                   actor, "mapping.publish.refused", system, version);
  }
  if (record.value().state == MappingState::kPublished) {
    return refused(
        Error{"mapping.illegal_move",
              "version " + version + " was published before: making it live again is a rollback",
              ""},
        actor, "mapping.publish.refused", system, version);
  }
  auto bundle = storedBundle(record.value());
  if (!bundle.ok())
    return bundle.error();
  auto compiled = compileBundle(bundle.value(), system + " v" + version);
  if (!compiled.ok())
    return compiled.error();
  int passed = 0, failed = 0;
  const std::string report =
      reportJson(compiled.value()->runEmbeddedTests(clock_), clock_.now(), passed, failed);
  if (failed > 0) {
    MappingVersionRecord back = record.value();
    back.state = MappingState::kDraft;
    back.testedAt = 0;
    back.testReport = report;
    (void)store_.updateMappingVersion(back, MappingState::kTested, std::nullopt);
    return refused(Error{"mapping.tests_failed",
                         std::to_string(failed) + " of " + std::to_string(passed + failed) +
                             " embedded tests fail on version " + version +
                             ": nothing published (the version is a draft again)",
                         ""},
                   actor, "mapping.publish.refused", system, version);
  }
  return makeLive(system, record.value(), actor, "mapping.publish", expectedGeneration,
                  "{\"passed\":" + std::to_string(passed) + "}");
}

Result<LiveMapping> MappingVersions::rollback(const std::string& system, const std::string& version,
                                              const Actor& actor) {
  if (!mayChange(actor)) {
    return refused(
        Error{"mapping.forbidden",
              std::string("a ") + toString(actor.role) + " may not roll mappings back", ""},
        actor, "mapping.rollback.refused", system, version);
  }
  auto record = require(system, version);
  if (!record.ok())
    return record.error();
  if (record.value().state != MappingState::kPublished) {
    return refused(Error{"mapping.illegal_move",
                         "version " + version +
                             " was never published: a rollback goes back to "
                             "an earlier published version",
                         ""},
                   actor, "mapping.rollback.refused", system, version);
  }
  auto bundle = storedBundle(record.value());
  if (!bundle.ok())
    return bundle.error();
  auto compiled = compileBundle(bundle.value(), system + " v" + version);
  if (!compiled.ok())
    return compiled.error();
  return makeLive(system, record.value(), actor, "mapping.rollback", std::nullopt, "");
}

Result<BootstrapOutcome> MappingVersions::bootstrap(const std::string& system,
                                                    const std::string& dir,
                                                    const std::string& actorName) {
  auto current = live(system);
  if (!current.ok())
    return current.error();
  std::error_code ec;
  if (!fs::exists(fs::path(dir) / "mapping.json", ec)) {
    if (current.value())
      return BootstrapOutcome{"none", current.value()->version, "no folder; the live one runs"};
    auto stored = versions(system);
    if (!stored.ok())
      return stored.error();
    if (!stored.value().empty()) {
      return BootstrapOutcome{"awaiting", stored.value().back().version,
                              "no published version yet: the sandbox runs the newest draft"};
    }
    return Error{"mapping.missing",
                 "system '" + system + "' has no published mapping and no " + dir +
                     "/mapping.json to start from",
                 dir};
  }
  auto bundle = readBundleDir(dir);
  if (!bundle.ok())
    return bundle.error();
  auto compiled = compileBundle(bundle.value(), dir);
  if (!compiled.ok())
    return compiled.error();
  const auto& m = *compiled.value();
  if (m.system() != system) {
    return Error{"mapping.invalid",
                 "the mapping's system '" + m.system() + "' differs from '" + system + "'",
                 dir + "/mapping.json"};
  }
  const Actor importer{actorName, Role::kAdmin, ""};
  auto stored = store_.mappingVersion(system, m.version());
  if (!stored.ok())
    return stored.error();
  const std::string digest = bundleDigest(bundle.value());
  if (stored.value()) {
    if (stored.value()->sha256 == digest)
      return BootstrapOutcome{"unchanged", m.version(), "stored already"};
    return BootstrapOutcome{"differs", m.version(),
                            "the folder's files differ from stored version " + m.version() +
                                ": give them another \"version\" to upload them"};
  }
  MappingVersionRecord record;
  record.system = system;
  record.version = m.version();
  record.sha256 = digest;
  record.inputFormat = m.inputFormat();
  record.bundle = bundleJson(bundle.value());
  record.createdBy = actorName;
  record.createdAt = clock_.now();
  if (current.value()) {
    AuditEntry e = entry(importer, "mapping.draft", system, "null", mappingVersionJson(record));
    e.role = "system";
    auto r = store_.insertMappingVersion(record, e);
    if (!r.ok())
      return r.error();
    return BootstrapOutcome{"draft", m.version(),
                            "stored as a draft; version " + current.value()->version +
                                " stays live until this one is tested and published"};
  }
  int passed = 0, failed = 0;
  record.testReport = reportJson(m.runEmbeddedTests(clock_), clock_.now(), passed, failed);
  if (failed > 0) {
    return Error{"mapping.tests_failed",
                 std::to_string(failed) + " embedded tests fail (run `huitong mapping test " + dir +
                     "`): nothing runs for system " + system,
                 dir + "/mapping.json"};
  }
  record.state = MappingState::kTested;
  record.testedAt = clock_.now();
  AuditEntry drafted = entry(importer, "mapping.draft", system, "null", mappingVersionJson(record));
  drafted.role = "system";
  if (auto r = store_.insertMappingVersion(record, drafted); !r.ok())
    return r.error();
  rapidjson::Document after(rapidjson::kObjectType);
  auto& a = after.GetAllocator();
  after.AddMember("version", json::string(record.version, a), a);
  after.AddMember("sha256", json::string(record.sha256, a), a);
  after.AddMember("generation", 1, a);
  after.AddMember("folder", json::string(dir, a), a);
  AuditEntry imported = entry(importer, "mapping.import", system, "null", json::write(after));
  imported.role = "system";
  auto switched =
      store_.switchLiveMapping(system, record.version, 0, actorName, clock_.now(), imported);
  if (!switched.ok())
    return switched.error();
  return BootstrapOutcome{
      "published", record.version,
      "published from the folder (" + std::to_string(passed) + " embedded tests pass)"};
}

Result<std::optional<MappingVersionRecord>> MappingVersions::get(const std::string& system,
                                                                 const std::string& version) {
  return store_.mappingVersion(system, version);
}

Result<std::vector<MappingVersionRecord>> MappingVersions::versions(const std::string& system) {
  return store_.mappingVersions(system);
}

Result<std::optional<LiveMapping>> MappingVersions::live(const std::string& system) {
  auto all = store_.liveMappings();
  if (!all.ok())
    return all.error();
  for (const auto& l : all.value()) {
    if (l.system == system)
      return std::optional<LiveMapping>(l);
  }
  return std::optional<LiveMapping>();
}

Result<std::vector<LiveMapping>> MappingVersions::live() {
  return store_.liveMappings();
}

Result<std::shared_ptr<const mapping::Mapping>> MappingVersions::load(const std::string& system,
                                                                      const std::string& version) {
  auto record = require(system, version);
  if (!record.ok())
    return record.error();
  auto bundle = storedBundle(record.value());
  if (!bundle.ok())
    return bundle.error();
  return compileBundle(bundle.value(), system + " v" + version);
}

bool RecordedGoLiveChecks::mappingVersionPublished(const std::string& system,
                                                   const std::string& version) const {
  auto all = store_.liveMappings();
  if (!all.ok())
    return false;
  for (const auto& l : all.value()) {
    if (l.system == system)
      return l.version == version;
  }
  return false;
}

bool RecordedGoLiveChecks::sandboxEvidencePassed(const std::string& system,
                                                 const std::string& itemCode,
                                                 const std::string& version) const {
  const bool recorded = evidence_ != nullptr && evidence_->passed(system, itemCode, version);
  if (recorded || !assumeEvidence_)
    return recorded;
  if (log_) {
    log_(
        "sandbox evidence assumed (registry.assume_sandbox_evidence): the item goes online "
        "without passing joint-debug sessions",
        system, itemCode, version);
  }
  return true;
}

}  // namespace huitong::registry
