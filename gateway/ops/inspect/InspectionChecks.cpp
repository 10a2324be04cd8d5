#include "gateway/ops/inspect/InspectionChecks.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "gateway/monitor/schedule/Availability.h"
#include "gateway/monitor/schedule/ResultsStore.h"
#include "gateway/ops/backup/BackupLedger.h"
#include "gateway/storage/StatementDatabase.h"

namespace huitong::ops::inspect {

namespace {

using Sources = std::shared_ptr<const InspectionSources>;

constexpr EpochMillis kDay = 24LL * 3600 * 1000;

std::string fixed(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string bytesText(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  return fixed(b, u == 0 ? 0 : 1) + " " + units[u];
}

ObservedProblem problem(std::string subject, Severity s, std::string title, std::string detail) {
  ObservedProblem p;
  p.subject = std::move(subject);
  p.severity = s;
  p.title = std::move(title);
  p.detail = std::move(detail);
  return p;
}

Error unavailable(const std::string& what) {
  return Error{"inspection.unavailable", what + " is not available in this process", ""};
}

Result<CheckReport> gatewayCheck(const Sources& s, const CheckContext&) {
  if (!s->gateway)
    return unavailable("the gateway's status");
  CheckReport r;
  auto asked = s->gateway();
  if (!asked)
    return asked.error();
  const GatewayStatus& g = asked.value();
  r.figures["gateway.version"] = g.version.empty() ? s->gatewayVersion : g.version;
  if (!g.answered) {
    r.problems.push_back(problem("", Severity::kCritical, "The gateway does not answer", g.detail));
  } else if (!g.ready) {
    r.problems.push_back(problem("", Severity::kMajor, "The gateway is not ready", g.detail));
  }
  if (!g.version.empty() && !s->gatewayVersion.empty() && g.version != s->gatewayVersion) {
    r.problems.push_back(problem("version", Severity::kMinor,
                                 "The running gateway is another version than this tool",
                                 "running " + g.version + ", tool " + s->gatewayVersion));
  }
  r.summary = std::string(g.answered ? (g.ready ? "ready" : "not ready") : "not answering") +
              ", version " + r.figures["gateway.version"];
  return r;
}

Result<std::unique_ptr<storage::StatementDatabase>> openStore(const Sources& s) {
  return storage::StatementDatabase::open(s->store, "inspect-check",
                                          "the inspection's store check");
}

Result<CheckReport> integrityCheck(const Sources& s, const CheckContext& ctx) {
  CheckReport r;
  auto db = openStore(s);
  if (!db) {
    r.problems.push_back(problem("connection", Severity::kCritical, "The store cannot be opened",
                                 db.error().describe()));
    r.summary = "cannot open the store";
    return r;
  }
  if (!db.value()->postgres()) {
    const bool full = ctx.threshold("full") != 0;
    auto rows = db.value()->run(full ? "PRAGMA integrity_check" : "PRAGMA quick_check", {});
    if (!rows) {
      r.problems.push_back(problem("integrity", Severity::kCritical,
                                   "The store's integrity check did not run",
                                   rows.error().describe()));
      r.summary = "integrity check failed to run";
      return r;
    }
    std::string answer;
    for (const auto& row : rows.value()) {
      if (!row.empty())
        answer += (answer.empty() ? "" : "; ") + row[0];
    }
    r.figures["store.integrity"] = answer;
    if (answer != "ok") {
      r.problems.push_back(problem("integrity", Severity::kCritical,
                                   "SQLite reports damage in the store", answer.substr(0, 2000)));
    }
    r.summary =
        std::string(full ? "integrity_check" : "quick_check") + ": " + answer.substr(0, 200);
    return r;
  }
  auto rows = db.value()->run("SELECT version()", {});
  if (!rows || rows.value().empty() || rows.value().front().empty()) {
    r.problems.push_back(problem("connection", Severity::kCritical,
                                 "PostgreSQL does not answer a query",
                                 rows ? "no row" : rows.error().describe()));
    r.summary = "PostgreSQL does not answer";
    return r;
  }
  r.figures["store.server"] = rows.value().front().front();
  r.summary = "PostgreSQL answers: " + rows.value().front().front().substr(0, 60);
  return r;
}

Result<CheckReport> sizeCheck(const Sources& s, const CheckContext& ctx) {
  CheckReport r;
  double bytes = 0;
  if (s->store.kind == "sqlite") {
    std::error_code ec;
    for (const std::string& p : {s->store.path, s->store.path + "-wal"}) {
      auto n = std::filesystem::file_size(p, ec);
      if (!ec)
        bytes += static_cast<double>(n);
      else if (p == s->store.path)
        return Error{"inspection.store", "cannot read the size of " + p + ": " + ec.message(), ""};
    }
  } else {
    auto db = openStore(s);
    if (!db)
      return db.error();
    auto rows = db.value()->run("SELECT pg_database_size(current_database())", {});
    if (!rows)
      return rows.error();
    if (rows.value().empty() || rows.value().front().empty())
      return Error{"inspection.store", "pg_database_size gave no row", ""};
    bytes = static_cast<double>(storage::sqlInt(rows.value().front().front()));
  }
  r.figures["store.bytes"] = fixed(bytes, 0);
  r.summary = bytesText(bytes);
  const double maxMb = ctx.threshold("max_mb");
  if (maxMb > 0 && bytes > maxMb * 1024 * 1024) {
    r.problems.push_back(problem("size", Severity::kMajor, "The store is larger than allowed",
                                 bytesText(bytes) + " > max_mb " + fixed(maxMb, 0)));
  }
  if (ctx.previous) {
    auto it = ctx.previous->figures.find("store.bytes");
    if (it != ctx.previous->figures.end()) {
      const double before = std::atof(it->second.c_str());
      const double limit = ctx.threshold("growth_percent");
      if (before > 0) {
        const double growth = (bytes - before) * 100.0 / before;
        r.figures["store.growth_percent"] = fixed(growth);
        r.summary += ", " + std::string(growth >= 0 ? "+" : "") + fixed(growth) + "% since run " +
                     std::to_string(ctx.previous->id);
        if (limit > 0 && growth > limit) {
          r.problems.push_back(
              problem("growth", Severity::kMinor, "The store grew faster than expected",
                      bytesText(before) + " → " + bytesText(bytes) + " (+" + fixed(growth) +
                          "%) since run " + std::to_string(ctx.previous->id) + "; limit " +
                          fixed(limit, 0) + "%"));
        }
      }
    }
  }
  return r;
}

Result<CheckReport> backlogCheck(const Sources& s, const CheckContext& ctx) {
  if (s->exchange == nullptr)
    return unavailable("the exchange store");
  auto depths = s->exchange->depths();
  if (!depths)
    return depths.error();
  auto backlogs = s->exchange->itemBacklogs();
  if (!backlogs)
    return backlogs.error();
  CheckReport r;
  EpochMillis oldest = 0;
  std::string oldestItem;
  for (const auto& b : backlogs.value()) {
    if (b.oldestPending > 0 && (oldest == 0 || b.oldestPending < oldest)) {
      oldest = b.oldestPending;
      oldestItem = b.system + "/" + b.item;
    }
  }
  const auto pending = depths.value().pending;
  r.figures["journal.messages"] = std::to_string(depths.value().journal);
  r.figures["outbox.pending"] = std::to_string(pending);
  r.summary = std::to_string(depths.value().journal) + " journaled, " + std::to_string(pending) +
              " pending";
  const double major = ctx.threshold("pending_major"), minor = ctx.threshold("pending_minor");
  if (major > 0 && pending >= major) {
    r.problems.push_back(
        problem("pending", Severity::kMajor, "The outbox backlog is large",
                std::to_string(pending) + " events pending (major at " + fixed(major, 0) + ")"));
  } else if (minor > 0 && pending >= minor) {
    r.problems.push_back(
        problem("pending", Severity::kMinor, "The outbox backlog is growing",
                std::to_string(pending) + " events pending (minor at " + fixed(minor, 0) + ")"));
  }
  if (oldest > 0) {
    const double minutes = static_cast<double>(ctx.now - oldest) / 60000.0;
    r.figures["outbox.oldest_pending_minutes"] = fixed(minutes);
    const double limit = ctx.threshold("oldest_pending_minutes");
    if (limit > 0 && minutes > limit) {
      r.problems.push_back(
          problem("oldest", Severity::kMajor, "An event has waited too long for delivery",
                  oldestItem + ": oldest pending event waiting " + fixed(minutes, 0) +
                      " min (limit " + fixed(limit, 0) + " min)"));
    }
  }
  return r;
}

Result<CheckReport> deadLetterCheck(const Sources& s, const CheckContext& ctx) {
  if (s->exchange == nullptr)
    return unavailable("the exchange store");
  auto backlogs = s->exchange->itemBacklogs();
  if (!backlogs)
    return backlogs.error();
  CheckReport r;
  std::int64_t dead = 0;
  std::string where;
  for (const auto& b : backlogs.value()) {
    if (b.dead == 0)
      continue;
    dead += b.dead;
    if (where.size() < 400)
      where +=
          (where.empty() ? "" : ", ") + b.system + "/" + b.item + ": " + std::to_string(b.dead);
  }
  r.figures["outbox.dead"] = std::to_string(dead);
  r.summary = std::to_string(dead) + " dead letters";
  const double major = ctx.threshold("major"), minor = ctx.threshold("minor");
  if (dead > 0 && major > 0 && dead >= major) {
    r.problems.push_back(problem("", Severity::kMajor, "Dead letters wait for an operator",
                                 std::to_string(dead) + " dead letters (" + where + ")"));
  } else if (dead > 0 && minor > 0 && dead >= minor) {
    r.problems.push_back(problem("", Severity::kMinor, "Dead letters wait for an operator",
                                 std::to_string(dead) + " dead letters (" + where + ")"));
  }
  return r;
}

Result<CheckReport> itemsCheck(const Sources& s, const CheckContext& ctx) {
  if (!s->items)
    return unavailable("per-item health");
  auto items = s->items();
  if (!items)
    return items.error();
  CheckReport r;
  int red = 0, yellow = 0;
  for (const auto& h : items.value()) {
    if (h.status == health::Status::kGreen)
      continue;
    const bool isRed = h.status == health::Status::kRed;
    (isRed ? red : yellow)++;
    const Severity sev =
        isRed || ctx.threshold("yellow_is_major") != 0 ? Severity::kMajor : Severity::kMinor;
    r.problems.push_back(
        problem(h.system + "/" + h.item, sev,
                std::string("Item ") + (isRed ? "red" : "yellow") + ": " + h.system + "/" + h.item,
                h.summary()));
  }
  r.figures["items.online"] = std::to_string(items.value().size());
  r.figures["items.red"] = std::to_string(red);
  r.figures["items.yellow"] = std::to_string(yellow);
  r.summary = std::to_string(items.value().size()) + " online items, " + std::to_string(red) +
              " red, " + std::to_string(yellow) + " yellow";
  return r;
}

Result<CheckReport> availabilityCheck(const Sources& s, const CheckContext& ctx) {
  if (s->results == nullptr || s->calendar == nullptr)
    return unavailable("the monitoring results");
  CheckReport r;
  const EpochMillis from = ctx.previous ? ctx.previous->startedAt : ctx.now - kDay;
  int measured = 0;
  for (const auto& m : s->monitored) {
    auto f =
        monitor::schedule::availability(*s->results, m.id, m.cadence, *s->calendar, from, ctx.now);
    if (!f)
      return f.error();
    if (!f.value().ratio)
      continue;
    ++measured;
    const double pct = *f.value().ratio * 100.0;
    r.figures["availability." + m.id] = fixed(pct, 2);
    const std::string detail = m.id + ": " + fixed(pct, 2) + "% (" +
                               std::to_string(f.value().okRuns) + " ok of " +
                               std::to_string(std::max(f.value().scheduled, f.value().runs)) +
                               " since " + formatRfc3339(from) + ")";
    if (pct < ctx.threshold("major_below_percent")) {
      r.problems.push_back(problem(m.id, Severity::kMajor, "Low availability: " + m.id, detail));
    } else if (pct < ctx.threshold("minor_below_percent")) {
      r.problems.push_back(
          problem(m.id, Severity::kMinor, "Availability below target: " + m.id, detail));
    }
  }
  r.summary = std::to_string(s->monitored.size()) + " monitored checks, " +
              std::to_string(measured) + " with runs since " + formatRfc3339(from);
  return r;
}

Result<CheckReport> backupCheck(const Sources& s, const CheckContext& ctx) {
  CheckReport r;
  if (s->backups == nullptr) {
    r.problems.push_back(problem("ledger", Severity::kMajor, "No backup ledger",
                                 "this gateway keeps no backup records: backups are not checked"));
    r.summary = "no backup ledger";
    return r;
  }
  auto latest = s->backups->latestBackup();
  if (!latest)
    return latest.error();
  if (!latest.value()) {
    r.problems.push_back(problem("age", Severity::kMajor, "No backup recorded",
                                 "no successful `huitong backup create` is recorded"));
    r.summary = "no backup";
  } else {
    const auto& b = *latest.value();
    const double hours = static_cast<double>(ctx.now - b.finishedAt) / 3600000.0;
    r.figures["backup.latest"] = b.id;
    r.figures["backup.age_hours"] = fixed(hours);
    r.summary = "last backup " + b.id + ", " + fixed(hours) + " h old";
    const double limit = ctx.threshold("max_age_hours");
    if (limit > 0 && hours > limit) {
      r.problems.push_back(problem("age", Severity::kMajor, "The last backup is too old",
                                   b.id + " finished " + formatRfc3339(b.finishedAt) + ", " +
                                       fixed(hours) + " h ago (limit " + fixed(limit, 0) + " h)"));
    }
  }
  auto verify = s->backups->latestVerify();
  if (!verify)
    return verify.error();
  if (!verify.value()) {
    r.problems.push_back(problem("restore-test", Severity::kMinor, "No restore test recorded",
                                 "no `huitong backup verify` is recorded"));
    r.summary += "; no restore test";
    return r;
  }
  const auto& v = *verify.value();
  const double days = static_cast<double>(ctx.now - v.finishedAt) / static_cast<double>(kDay);
  r.figures["backup.restore_test"] = v.id + (v.ok && v.restoreTest.ok ? " ok" : " failed");
  if (!v.ok || !v.restoreTest.ok) {
    r.problems.push_back(problem("restore-test", Severity::kMajor, "The last restore test failed",
                                 v.id + " of " + v.backupId + ": " + v.message));
  } else if (ctx.threshold("verify_max_age_days") > 0 &&
             days > ctx.threshold("verify_max_age_days")) {
    r.problems.push_back(problem("restore-test", Severity::kMinor, "The last restore test is old",
                                 v.id + " ran " + fixed(days) + " days ago (limit " +
                                     fixed(ctx.threshold("verify_max_age_days"), 0) + " days)"));
  }
  r.summary += "; restore test " + v.id + (v.ok && v.restoreTest.ok ? " ok" : " FAILED");
  return r;
}

Severity expirySeverity(double days, const CheckContext& ctx, bool& problemFound) {
  problemFound = true;
  if (days < ctx.threshold("critical_days"))
    return Severity::kCritical;
  if (days < ctx.threshold("major_days"))
    return Severity::kMajor;
  if (days < ctx.threshold("minor_days"))
    return Severity::kMinor;
  problemFound = false;
  return Severity::kInfo;
}

Result<CheckReport> certificateCheck(const Sources& s, const CheckContext& ctx) {
  CheckReport r;
  int seen = 0;
  auto judge = [&](const std::string& subject, const std::string& what, double days) {
    ++seen;
    r.figures["certificate." + subject] = fixed(days);
    bool found = false;
    const Severity sev = expirySeverity(days, ctx, found);
    if (found) {
      r.problems.push_back(
          problem(subject, sev,
                  days < 0 ? "Certificate expired: " + what : "Certificate expires soon: " + what,
                  what + (days < 0 ? " expired " + fixed(-days) + " days ago"
                                   : " expires in " + fixed(days) + " days")));
    }
  };
  for (const auto& file : s->certificateFiles) {
    auto days = certificateDaysLeft(file, ctx.now);
    if (!days) {
      r.problems.push_back(problem(file, Severity::kMajor, "Certificate unreadable: " + file,
                                   days.error().describe()));
      continue;
    }
    judge(file, file, days.value());
  }
  if (s->results != nullptr) {
    for (const auto& m : s->monitored) {
      if (m.kind != "probe")
        continue;
      auto rows = s->results->results(m.id, ctx.now - 7 * kDay, ctx.now + 1, 1000);
      if (!rows)
        return rows.error();
      const monitor::schedule::StoredResult* newest = nullptr;
      for (const auto& row : rows.value()) {
        if (row.values.count("tls_days_left") != 0 &&
            (newest == nullptr || row.startedAt > newest->startedAt))
          newest = &row;
      }
      if (newest != nullptr)
        judge("probe:" + m.id, "the certificate seen by probe " + m.id,
              newest->values.at("tls_days_left"));
    }
  }
  r.summary = std::to_string(seen) + " certificates looked at";
  return r;
}

Result<CheckReport> diskCheck(const Sources& s, const CheckContext& ctx) {
  if (s->dataDir.empty())
    return unavailable("the data folder");
  struct statvfs v {};
  if (statvfs(s->dataDir.c_str(), &v) != 0)
    return Error{"inspection.disk", "statvfs " + s->dataDir + " failed", ""};
  const double total = static_cast<double>(v.f_blocks) * static_cast<double>(v.f_frsize);
  const double avail = static_cast<double>(v.f_bavail) * static_cast<double>(v.f_frsize);
  const double pct = total > 0 ? avail * 100.0 / total : 0;
  CheckReport r;
  r.figures["disk.free_percent"] = fixed(pct);
  r.figures["disk.free_bytes"] = fixed(avail, 0);
  r.summary = s->dataDir + ": " + bytesText(avail) + " free of " + bytesText(total) + " (" +
              fixed(pct) + "%)";
  Severity sev = Severity::kInfo;
  double limit = 0;
  if (pct < ctx.threshold("critical_free_percent")) {
    sev = Severity::kCritical;
    limit = ctx.threshold("critical_free_percent");
  } else if (pct < ctx.threshold("major_free_percent")) {
    sev = Severity::kMajor;
    limit = ctx.threshold("major_free_percent");
  } else if (pct < ctx.threshold("minor_free_percent")) {
    sev = Severity::kMinor;
    limit = ctx.threshold("minor_free_percent");
  }
  if (limit > 0) {
    r.problems.push_back(problem(s->dataDir, sev, "Little disk space left for the data",
                                 r.summary + "; below " + fixed(limit, 0) + "%"));
  }
  return r;
}

Result<CheckReport> configCheck(const Sources& s, const CheckContext&) {
  if (!s->configChecks)
    return unavailable("the configuration checks (gateway/ops/baseline)");
  auto found = s->configChecks();
  if (!found)
    return found.error();
  CheckReport r;
  r.problems = found.value();
  r.summary = std::to_string(r.problems.size()) + " configuration findings";
  return r;
}

}  // namespace

Result<double> certificateDaysLeft(const std::string& pemFile, EpochMillis now) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(pemFile.c_str(), "r"), &std::fclose);
  if (!f)
    return Error{"inspection.certificate", "cannot open " + pemFile, pemFile};
  std::unique_ptr<X509, void (*)(X509*)> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr),
                                              &X509_free);
  if (!cert)
    return Error{"inspection.certificate", pemFile + " holds no PEM certificate", pemFile};
  std::unique_ptr<ASN1_TIME, void (*)(ASN1_TIME*)> at(ASN1_TIME_new(), &ASN1_TIME_free);
  ASN1_TIME_set(at.get(), static_cast<time_t>(now / 1000));
  int days = 0, secs = 0;
  if (ASN1_TIME_diff(&days, &secs, at.get(), X509_get0_notAfter(cert.get())) != 1)
    return Error{"inspection.certificate", pemFile + ": unreadable notAfter", pemFile};
  return static_cast<double>(days) + static_cast<double>(secs) / 86400.0;
}

std::vector<InspectionCheck> makeChecks(std::shared_ptr<const InspectionSources> sources) {
  auto bind = [&sources](Result<CheckReport> (*fn)(const Sources&, const CheckContext&)) {
    return [sources, fn](const CheckContext& ctx) { return fn(sources, ctx); };
  };
  return {
      {"gateway", bind(gatewayCheck)},
      {"store.integrity", bind(integrityCheck)},
      {"store.size", bind(sizeCheck)},
      {"backlog", bind(backlogCheck)},
      {"dead_letters", bind(deadLetterCheck)},
      {"items", bind(itemsCheck)},
      {"availability", bind(availabilityCheck)},
      {"backup", bind(backupCheck)},
      {"certificates", bind(certificateCheck)},
      {"disk", bind(diskCheck)},
      {"config", bind(configCheck)},
  };
}

}  // namespace huitong::ops::inspect
