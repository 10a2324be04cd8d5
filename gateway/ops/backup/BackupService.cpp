#include "gateway/ops/backup/BackupService.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include "gateway/core/Json.h"
#include "gateway/ops/backup/BackupPayload.h"
#include "gateway/ops/backup/StoreBackup.h"
#include "gateway/registry/RegistryStore.h"
#include "gateway/storage/Migrations.h"

#ifndef HUITONG_VERSION
#define HUITONG_VERSION "unknown"
#endif

namespace huitong::ops::backup {

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string dirOf(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Result<void> makeDirs(const std::string& dir) {
  std::string part;
  std::stringstream ss(dir);
  std::string piece;
  if (!dir.empty() && dir[0] == '/')
    part = "/";
  while (std::getline(ss, piece, '/')) {
    if (piece.empty())
      continue;
    part += piece + "/";
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
      return Error{"backup.write",
                   dir + ": cannot create the backup folder: " + std::strerror(errno), dir};
    }
  }
  return {};
}

Result<std::string> readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{"backup.read", path + ": cannot read: " + std::strerror(errno), path};
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Result<void> writeTextAtomically(const std::string& path, const std::string& text) {
  auto sink = openFileSink(path + ".part");
  if (!sink.ok())
    return sink.error();
  if (auto w = sink.value()->write(text.data(), text.size()); !w.ok()) {
    sink.value()->abandon();
    return w;
  }
  if (auto f = sink.value()->finish(); !f.ok())
    return f;
  if (std::rename((path + ".part").c_str(), path.c_str()) != 0) {
    ::unlink((path + ".part").c_str());
    return Error{"backup.write", path + ": cannot rename into place: " + std::strerror(errno),
                 path};
  }
  return {};
}

// The snapshot and what SQLite may leave beside it (a WAL-mode copy opened read-only keeps its
// -wal and -shm files).
void removeSqliteFile(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    ::unlink((path + suffix).c_str());
}

void removeTree(const std::string& dir) {
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..")
        ::unlink((dir + "/" + name).c_str());
    }
    ::closedir(d);
  }
  ::rmdir(dir.c_str());
}

std::string utcTime(EpochMillis t) {
  const std::time_t secs = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string humanBytes(std::int64_t n) {
  char buf[32];
  if (n >= 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1024.0 * 1024.0));
  } else if (n >= 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(n) / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%lld bytes", static_cast<long long>(n));
  }
  return buf;
}

}  // namespace

Result<BackupSettings> parseBackupSettings(const ConfigNode& node) {
  if (auto r = node.allowOnly(
          {"dir", "schedule", "verify", "encryption_key_file", "keep", "scratch_dir"});
      !r.ok())
    return r.error();
  BackupSettings s;
  auto dir = node.requiredString("dir");
  if (!dir.ok())
    return dir.error();
  s.dir = node.resolvePath(dir.value());
  auto schedule = node.string("schedule", s.schedule);
  if (!schedule.ok())
    return schedule.error();
  s.schedule = schedule.value();
  auto verify = node.boolean("verify", true);
  if (!verify.ok())
    return verify.error();
  s.verifyAfterCreate = verify.value();
  auto key = node.string("encryption_key_file", "");
  if (!key.ok())
    return key.error();
  if (!key.value().empty()) {
    s.keyFile = node.resolvePath(key.value());
    if (auto k = loadKey(s.keyFile); !k.ok())
      return node.fail("encryption_key_file", k.error().message);
  }
  auto scratch = node.string("scratch_dir", "");
  if (!scratch.ok())
    return scratch.error();
  if (!scratch.value().empty())
    s.scratchDir = node.resolvePath(scratch.value());
  auto keep = node.object("keep");
  if (!keep.ok())
    return keep.error();
  if (auto r = keep.value().allowOnly({"count", "days"}); !r.ok())
    return r.error();
  auto count = keep.value().integer("count", s.keep.count, 0, 100000);
  if (!count.ok())
    return count.error();
  auto days = keep.value().integer("days", s.keep.days, 0, 100000);
  if (!days.ok())
    return days.error();
  s.keep = {static_cast<int>(count.value()), static_cast<int>(days.value())};
  return s;
}

BackupService::BackupService(storage::StoreConfig store, BackupSettings settings,
                             BackupLedger& ledger, registry::RegistryStore* audit,
                             const Clock& clock, std::ostream* progress)
    : store_(std::move(store)),
      settings_(std::move(settings)),
      ledger_(ledger),
      audit_(audit),
      clock_(clock),
      progress_(progress) {}

void BackupService::say(const std::string& line) {
  if (progress_)
    *progress_ << line << std::endl;
}

Result<BackupRecord> BackupService::finish(BackupRecord record, const std::string& role) {
  record.finishedAt = clock_.now();
  if (auto r = ledger_.append(record); !r.ok())
    return r.error();
  if (audit_) {
    registry::AuditEntry e;
    e.at = record.finishedAt;
    e.actor = record.actor;
    e.role = role;
    e.action = std::string("backup.") + backupKindName(record.kind);
    e.target = "backup " + record.backupId;
    e.before = "null";
    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    d.AddMember("record", json::string(record.id, a), a);
    d.AddMember("ok", record.ok, a);
    d.AddMember("path", json::string(record.path, a), a);
    d.AddMember("bytes", rapidjson::Value(static_cast<int64_t>(record.bytes)), a);
    d.AddMember("sha256", json::string(record.sha256, a), a);
    d.AddMember("message", json::string(record.message, a), a);
    e.after = json::write(d);
    if (auto r = audit_->appendAudit(e); !r.ok())
      return r.error();
  }
  return record;
}

Result<BackupRecord> BackupService::create(const BackupCaller& caller,
                                           const CreateOptions& options) {
  BackupRecord rec;
  rec.kind = BackupKind::kCreate;
  rec.startedAt = clock_.now();
  rec.id = newRecordId('B', rec.startedAt);
  rec.backupId = rec.id;
  rec.storeKind = store_.kind == "sqlite" ? "sqlite" : "postgres";
  rec.actor = caller.name;
  const std::string dir = options.toDir.empty() ? settings_.dir : options.toDir;
  auto failed = [&](const Error& e) {
    rec.ok = false;
    rec.message = e.message;
    say("backup " + rec.id + " FAILED: " + e.message);
    return finish(rec, caller.role);
  };
  if (dir.empty()) {
    return failed(Error{"backup.config", "no backup folder: give --to DIR or set backup.dir", ""});
  }
  if (auto r = makeDirs(dir); !r.ok())
    return failed(r.error());
  std::string key;
  if (!settings_.keyFile.empty()) {
    auto k = loadKey(settings_.keyFile);
    if (!k.ok())
      return failed(k.error());
    key = std::move(k).value();
  }
  const bool encrypted = !key.empty();
  const std::string payloadName = payloadFileName(rec.id, rec.storeKind, encrypted);
  const std::string payloadPath = dir + "/" + payloadName;
  const std::string partPath = payloadPath + ".part";
  rec.path = payloadPath;
  rec.encrypted = encrypted;
  say("backup " + rec.id + ": " + rec.storeKind + " store → " + payloadPath);
  auto sink = openFileSink(partPath, options.failAfterBytes);
  if (!sink.ok())
    return failed(sink.error());
  Progress progress = [this](std::int64_t done, std::int64_t total) {
    say("  " + humanBytes(done) + (total > 0 ? " of " + humanBytes(total) : "") + " written");
  };
  PayloadInfo info;
  StoreFacts facts;
  if (rec.storeKind == "sqlite") {
    const std::string snapshot = dir + "/." + rec.id + ".snapshot";
    say("  online snapshot of " + store_.path);
    if (auto c = sqliteOnlineCopy(store_.path, snapshot); !c.ok()) {
      sink.value()->abandon();
      return failed(c.error());
    }
    auto f = sqliteFacts(snapshot, false);
    if (!f.ok()) {
      removeSqliteFile(snapshot);
      sink.value()->abandon();
      return failed(f.error());
    }
    facts = std::move(f).value();
    struct stat st {};
    ::stat(snapshot.c_str(), &st);
    Error openError;
    auto source = fileSource(snapshot, openError);
    say(std::string("  ") + (encrypted ? "encrypting and writing" : "writing") + " " +
        humanBytes(st.st_size));
    auto w = writePayload(source, *sink.value(), key, st.st_size, progress);
    removeSqliteFile(snapshot);
    if (!w.ok())
      return failed(w.error());
    info = std::move(w).value();
  } else {
    say("  pg_dump on an exported snapshot");
    auto f = postgresDump(store_.connection, [&](const ByteSource& source) -> Result<void> {
      auto w = writePayload(source, *sink.value(), key, 0, progress);
      if (!w.ok())
        return w.error();
      info = std::move(w).value();
      return {};
    });
    if (!f.ok()) {
      sink.value()->abandon();
      ::unlink(partPath.c_str());
      return failed(f.error());
    }
    facts = std::move(f).value();
  }
  if (std::rename(partPath.c_str(), payloadPath.c_str()) != 0) {
    ::unlink(partPath.c_str());
    return failed(Error{"backup.write", payloadPath + ": cannot rename into place", payloadPath});
  }
  Manifest m;
  m.id = rec.id;
  m.storeKind = rec.storeKind;
  m.createdAt = rec.startedAt;
  m.gatewayVersion = HUITONG_VERSION;
  m.schemaVersion = facts.schemaVersion;
  m.rowCounts = facts.rowCounts;
  m.auditEntries = facts.auditEntries;
  m.auditHead = facts.auditHead;
  m.payloadFile = payloadName;
  m.bytes = info.bytes;
  m.sha256 = info.sha256;
  m.cipher = info.cipher;
  m.iv = info.ivHex;
  m.tag = info.tagHex;
  if (auto w = writeTextAtomically(dir + "/" + manifestFileName(rec.id), manifestJson(m));
      !w.ok()) {
    ::unlink(payloadPath.c_str());
    return failed(w.error());
  }
  rec.ok = true;
  rec.bytes = info.bytes;
  rec.sha256 = info.sha256;
  std::int64_t rows = 0;
  for (const auto& [t, n] : facts.rowCounts)
    rows += n;
  rec.message = "backed up " + std::to_string(facts.rowCounts.size()) + " tables, " +
                std::to_string(rows) + " rows, audit head " + facts.auditHead.substr(0, 12) +
                (encrypted ? ", AES-256-GCM" : "");
  if (!options.note.empty())
    rec.message += "; " + options.note;
  say("backup " + rec.id + " ok: " + humanBytes(info.bytes) + ", sha256 " + info.sha256);
  auto recorded = finish(rec, caller.role);
  if (!recorded.ok())
    return recorded;
  if (options.applyRetention) {
    auto removed = applyRetention(dir);
    if (!removed.ok())
      say("retention: " + removed.error().message);
  }
  return recorded;
}

Result<std::string> BackupService::manifestPath(const std::string& ref) {
  std::string r = ref;
  if (r.empty()) {
    auto latest = ledger_.latestBackup();
    if (!latest.ok())
      return latest.error();
    if (!latest.value())
      return Error{"backup.not_found", "no successful backup is on record", ""};
    r = latest.value()->id;
    if (!latest.value()->path.empty())
      return dirOf(latest.value()->path) + "/" + manifestFileName(r);
  }
  if (r.find('/') != std::string::npos || exists(r)) {
    if (endsWith(r, ".manifest.json"))
      return r;
    std::string base = r;
    for (const char* ext : {".part", ".enc", ".sqlite", ".pgdump"}) {
      if (endsWith(base, ext))
        base.resize(base.size() - std::strlen(ext));
    }
    const std::string m = base + ".manifest.json";
    if (exists(m))
      return m;
    return Error{"backup.not_found", r + ": no manifest beside it (looked for " + m + ")", r};
  }
  auto rec = ledger_.get(r);
  if (!rec.ok())
    return rec.error();
  if (rec.value() && !rec.value()->path.empty()) {
    const std::string m = dirOf(rec.value()->path) + "/" + manifestFileName(rec.value()->backupId);
    if (exists(m))
      return m;
  }
  const std::string m = settings_.dir + "/" + manifestFileName(r);
  if (!settings_.dir.empty() && exists(m))
    return m;
  return Error{"backup.not_found",
               "no backup '" + r + "' (not in the records, no " + manifestFileName(r) +
                   (settings_.dir.empty() ? "" : " in " + settings_.dir) + ")",
               r};
}

Result<BackupService::Payload> BackupService::loadAndCheck(const std::string& ref,
                                                           BackupRecord& rec) {
  auto mpath = manifestPath(ref);
  if (!mpath.ok())
    return mpath.error();
  auto text = readText(mpath.value());
  if (!text.ok())
    return text.error();
  auto m = parseManifest(text.value(), mpath.value());
  if (!m.ok())
    return m.error();
  Payload p{m.value(), dirOf(mpath.value()) + "/" + m.value().payloadFile};
  rec.backupId = p.manifest.id;
  rec.path = p.path;
  rec.storeKind = p.manifest.storeKind;
  rec.encrypted = p.manifest.cipher != kCipherNone;
  say("checking " + p.path);
  auto h = hashFile(p.path, [this](std::int64_t done, std::int64_t) {
    say("  " + humanBytes(done) + " checked");
  });
  if (!h.ok())
    return h.error();
  rec.bytes = h.value().second;
  rec.sha256 = h.value().first;
  if (h.value().second != p.manifest.bytes) {
    return Error{"backup.truncated",
                 p.path + ": size " + std::to_string(h.value().second) +
                     " bytes, the manifest says " + std::to_string(p.manifest.bytes) +
                     (h.value().second < p.manifest.bytes ? " — the file is truncated"
                                                          : " — the file was altered"),
                 p.path};
  }
  if (h.value().first != p.manifest.sha256) {
    return Error{"backup.checksum",
                 p.path + ": SHA-256 " + h.value().first + " does not match the manifest's " +
                     p.manifest.sha256 + " — the file was altered or damaged",
                 p.path};
  }
  if (p.manifest.storeKind != (store_.kind == "sqlite" ? "sqlite" : "postgres")) {
    return Error{"backup.kind",
                 p.path + ": a " + p.manifest.storeKind + " backup, and this gateway's store is " +
                     store_.kind,
                 p.path};
  }
  return p;
}

Result<std::string> BackupService::extractToScratch(const Payload& p, const std::string& scratch) {
  if (p.manifest.cipher == kCipherNone && p.manifest.storeKind == "postgres")
    return p.path;
  std::string key;
  if (p.manifest.cipher != kCipherNone) {
    if (settings_.keyFile.empty()) {
      return Error{"backup.key", p.path + ": encrypted, and backup.encryption_key_file is not set",
                   p.path};
    }
    auto k = loadKey(settings_.keyFile);
    if (!k.ok())
      return k.error();
    key = std::move(k).value();
    say("  decrypting (AES-256-GCM)");
  }
  const std::string out =
      scratch + "/restored" + (p.manifest.storeKind == "sqlite" ? ".sqlite" : ".pgdump");
  if (auto r = extractPayload(p.path, p.manifest.cipher, key, out); !r.ok())
    return r.error();
  return out;
}

namespace {
Result<std::string> makeScratch(const std::string& base) {
  std::string root = base;
  if (root.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    root = tmp && *tmp ? tmp : "/tmp";
  }
  std::string tmpl = root + "/huitong-restore-test-XXXXXX";
  if (!::mkdtemp(tmpl.data())) {
    return Error{
        "backup.scratch",
        root + ": cannot make a scratch folder for the restore test: " + std::strerror(errno),
        root};
  }
  return tmpl;
}
}  // namespace

Result<BackupRecord> BackupService::verify(const BackupCaller& caller, const std::string& ref) {
  BackupRecord rec;
  rec.kind = BackupKind::kVerify;
  rec.startedAt = clock_.now();
  rec.id = newRecordId('V', rec.startedAt);
  rec.storeKind = store_.kind == "sqlite" ? "sqlite" : "postgres";
  rec.actor = caller.name;
  rec.restoreTest.ran = true;
  rec.backupId = ref;
  auto failed = [&](const Error& e) {
    rec.ok = false;
    rec.message = e.message;
    say("verify " + (rec.backupId.empty() ? std::string("(latest)") : rec.backupId) +
        " FAILED: " + e.message);
    return finish(rec, caller.role);
  };
  auto p = loadAndCheck(ref, rec);
  if (!p.ok())
    return failed(p.error());
  say("  checksum ok (" + humanBytes(rec.bytes) + ")");
  auto scratch = makeScratch(settings_.scratchDir);
  if (!scratch.ok())
    return failed(scratch.error());
  auto plain = extractToScratch(p.value(), scratch.value());
  if (!plain.ok()) {
    removeTree(scratch.value());
    return failed(plain.error());
  }
  say("  restore test into " + (p.value().manifest.storeKind == "sqlite"
                                    ? scratch.value()
                                    : std::string("a scratch database")));
  auto facts = p.value().manifest.storeKind == "sqlite"
                   ? sqliteFacts(plain.value(), true)
                   : postgresRestoreTest(store_.connection, plain.value());
  removeTree(scratch.value());
  if (!facts.ok())
    return failed(facts.error());
  const auto& f = facts.value();
  const auto& m = p.value().manifest;
  rec.restoreTest.rowCounts = f.rowCounts;
  std::vector<std::string> problems;
  std::set<std::string> tables;
  for (const auto& [t, n] : m.rowCounts)
    tables.insert(t);
  for (const auto& [t, n] : f.rowCounts)
    tables.insert(t);
  for (const auto& t : tables) {
    auto a = m.rowCounts.find(t);
    auto b = f.rowCounts.find(t);
    const std::string want = a == m.rowCounts.end() ? "absent" : std::to_string(a->second);
    const std::string got = b == f.rowCounts.end() ? "absent" : std::to_string(b->second);
    if (want != got)
      problems.push_back("table " + t + ": manifest " + want + ", restored " + got);
  }
  const bool chainOk = f.chain && f.chain->ok;
  rec.restoreTest.auditHeadMatches =
      chainOk && f.chain->head == m.auditHead && f.chain->entries == m.auditEntries;
  if (!chainOk) {
    problems.push_back("the restored audit chain is broken at entry " +
                       std::to_string(f.chain ? f.chain->brokenSeq : 0) + ": " +
                       (f.chain ? f.chain->why : std::string("not checked")));
  } else if (!rec.restoreTest.auditHeadMatches) {
    problems.push_back("the restored audit chain's head " + f.chain->head + " (" +
                       std::to_string(f.chain->entries) + " entries) differs from the manifest's " +
                       m.auditHead + " (" + std::to_string(m.auditEntries) + " entries)");
  }
  rec.restoreTest.ok = problems.empty();
  rec.ok = problems.empty();
  if (!rec.ok) {
    std::string msg = "restore test failed: ";
    for (std::size_t i = 0; i < problems.size(); ++i)
      msg += (i ? "; " : "") + problems[i];
    return failed(Error{"backup.restore_test", msg, rec.path});
  }
  std::int64_t rows = 0;
  for (const auto& [t, n] : f.rowCounts)
    rows += n;
  rec.message = "checksum" + std::string(rec.encrypted ? " and GCM tag" : "") +
                " ok; restore test ok: " + std::to_string(f.rowCounts.size()) + " tables, " +
                std::to_string(rows) + " rows as in the manifest; audit chain of " +
                std::to_string(f.chain->entries) + " entries recomputed, head matches";
  say("verify " + rec.backupId + " ok: " + rec.message);
  return finish(rec, caller.role);
}

Result<BackupRecord> BackupService::restore(const BackupCaller& caller, const std::string& ref) {
  BackupRecord rec;
  rec.kind = BackupKind::kRestore;
  rec.startedAt = clock_.now();
  rec.id = newRecordId('R', rec.startedAt);
  rec.storeKind = store_.kind == "sqlite" ? "sqlite" : "postgres";
  rec.actor = caller.name;
  rec.backupId = ref;
  auto failed = [&](const Error& e) {
    rec.ok = false;
    rec.message = e.message;
    say("restore FAILED: " + e.message);
    return finish(rec, caller.role);
  };
  if (rec.storeKind == "sqlite") {
    if (sqliteInUse(store_.path)) {
      return failed(Error{"backup.in_use",
                          store_.path +
                              " is open in another process (a running huitong serve?): stop "
                              "the gateway first, then restore",
                          store_.path});
    }
  } else {
    auto sessions = postgresGatewaySessions(store_.connection);
    if (!sessions.ok())
      return failed(sessions.error());
    if (sessions.value() > 0) {
      return failed(Error{"backup.in_use",
                          "the store's database has " + std::to_string(sessions.value()) +
                              " session(s) of a running gateway: stop every gateway node "
                              "first, then restore",
                          ""});
    }
  }
  auto p = loadAndCheck(ref, rec);
  if (!p.ok())
    return failed(p.error());
  auto scratch = makeScratch(settings_.scratchDir);
  if (!scratch.ok())
    return failed(scratch.error());
  auto plain = extractToScratch(p.value(), scratch.value());
  if (!plain.ok()) {
    removeTree(scratch.value());
    return failed(plain.error());
  }
  // The store about to be replaced, kept as an ordinary backup (restorable the same way).
  CreateOptions keep;
  keep.toDir = dirOf(p.value().path);
  keep.applyRetention = false;
  keep.note = "the store as it was before restore " + rec.id;
  say("keeping a copy of the current store");
  auto before = create(caller, keep);
  if (!before.ok() || !before.value().ok) {
    removeTree(scratch.value());
    return failed(Error{"backup.restore",
                        "the current store could not be kept, nothing was restored: " +
                            (before.ok() ? before.value().message : before.error().message),
                        ""});
  }
  say("restoring " + p.value().manifest.id + " into the store");
  Result<void> restored = rec.storeKind == "sqlite"
                              ? sqliteOnlineCopy(plain.value(), store_.path, false)
                              : postgresRestore(store_.connection, plain.value());
  removeTree(scratch.value());
  if (!restored.ok()) {
    return failed(Error{
        restored.error().code,
        restored.error().message + " (the store before it: backup " + before.value().id + ")", ""});
  }
  rec.ok = true;
  rec.message = "restored backup " + p.value().manifest.id + " (taken " +
                utcTime(p.value().manifest.createdAt) + "); the store it replaced is backup " +
                before.value().id;
  say("restore ok: " + rec.message);
  return finish(rec, caller.role);
}

Result<std::vector<std::string>> BackupService::applyRetention(const std::string& dirArg) {
  const std::string dir = dirArg.empty() ? settings_.dir : dirArg;
  std::vector<RetainedBackup> found;
  std::vector<Manifest> manifests;
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    return Error{"backup.read", dir + ": cannot list: " + std::strerror(errno), dir};
  }
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (!endsWith(name, ".manifest.json"))
      continue;
    auto text = readText(dir + "/" + name);
    if (!text.ok())
      continue;
    auto m = parseManifest(text.value(), dir + "/" + name);
    if (!m.ok())
      continue;
    manifests.push_back(m.value());
  }
  ::closedir(d);
  auto records = ledger_.list(0, 0);
  if (!records.ok())
    return records.error();
  std::set<std::string> verified;
  for (const auto& r : records.value()) {
    if (r.kind == BackupKind::kVerify && r.ok)
      verified.insert(r.backupId);
  }
  for (const auto& m : manifests)
    found.push_back({m.id, m.createdAt, verified.count(m.id) > 0});
  auto remove = backupsToRemove(found, settings_.keep, clock_.now());
  for (const auto& id : remove) {
    for (const auto& m : manifests) {
      if (m.id != id)
        continue;
      ::unlink((dir + "/" + m.payloadFile).c_str());
      ::unlink((dir + "/" + manifestFileName(id)).c_str());
      say("retention: removed backup " + id);
    }
  }
  return remove;
}

}  // namespace huitong::ops::backup
