#include "gateway/registry/RegistryQueries.h"

#include <algorithm>
#include <cstdint>

namespace huitong::registry::queries {

std::string BuiltQuery::add(std::int64_t v) {
  Param p;
  p.isInt = true;
  p.integer = v;
  params.push_back(std::move(p));
  return "$" + std::to_string(params.size());
}

std::string BuiltQuery::add(const std::string& v) {
  Param p;
  p.text = v;
  params.push_back(std::move(p));
  return "$" + std::to_string(params.size());
}

std::string BuiltQuery::addNull() {
  Param p;
  p.isNull = true;
  params.push_back(std::move(p));
  return "$" + std::to_string(params.size());
}

BuiltQuery filingParams(const Filing& f) {
  BuiltQuery b;
  b.add(f.system);
  b.add(f.itemCode);
  b.add(f.itemName);
  b.add(std::string(toString(f.state)));
  b.add(f.version);
  b.add(f.contactName);
  b.add(f.contactPhone);
  b.add(f.notes);
  if (f.requirementConfirmedAt)
    b.add(*f.requirementConfirmedAt);
  else
    b.addNull();
  b.add(f.configuringDue ? formatDate(*f.configuringDue) : std::string());
  b.add(static_cast<std::int64_t>(f.configuringDueProvisional ? 1 : 0));
  b.add(f.liveMappingVersion);
  b.add(f.createdAt);
  b.add(f.updatedAt);
  return b;
}

BuiltQuery accountParams(const StaffAccount& a) {
  BuiltQuery b;
  b.add(a.name);
  b.add(std::string(toString(a.role)));
  b.add(a.system);
  b.add(a.passwordHash);
  b.add(static_cast<std::int64_t>(a.disabled ? 1 : 0));
  b.add(static_cast<std::int64_t>(a.failedLogins));
  b.add(a.lockedUntil);
  b.add(a.createdAt);
  b.add(a.updatedAt);
  return b;
}

BuiltQuery mappingVersionParams(const MappingVersionRecord& m) {
  BuiltQuery b;
  b.add(m.system);
  b.add(m.version);
  b.add(std::string(toString(m.state)));
  b.add(m.sha256);
  b.add(m.inputFormat);
  b.add(m.bundle);
  b.add(m.testReport);
  b.add(m.createdBy);
  b.add(m.createdAt);
  b.add(m.testedAt);
  b.add(m.publishedBy);
  b.add(m.publishedAt);
  return b;
}

Error mappingNotFound(const std::string& system, const std::string& version) {
  return Error{"mapping.not_found", "system " + system + " has no mapping version " + version, ""};
}

Error mappingStale(const std::string& system, const std::string& what) {
  return Error{"mapping.stale",
               "the mapping of system " + system + " changed meanwhile (" + what +
                   "): read it again and retry",
               ""};
}

BuiltQuery entryParams(const AuditEntry& e) {
  BuiltQuery b;
  b.add(e.seq);
  b.add(e.at);
  b.add(e.actor);
  b.add(e.role);
  b.add(e.action);
  b.add(e.target);
  b.add(e.system);
  b.add(e.item);
  b.add(e.before.empty() ? std::string("null") : e.before);
  b.add(e.after.empty() ? std::string("null") : e.after);
  b.add(e.hashAlgorithm);
  b.add(e.prevHash);
  b.add(e.hash);
  return b;
}

Result<AuditEntry> nextEntry(const AuditEntry& entry, const AuditAnchor& anchor, EpochMillis headAt,
                             const std::string& algorithm) {
  AuditEntry next = entry;
  next.at = std::max(entry.at, headAt);
  next.hashAlgorithm = algorithm;
  if (next.before.empty())
    next.before = "null";
  if (next.after.empty())
    next.after = "null";
  AuditEntry head;
  head.seq = anchor.count;
  head.hash = anchor.head;
  if (auto r = chain(next, anchor.count == 0 ? nullptr : &head); !r.ok())
    return r.error();
  return next;
}

Result<void> checkQuery(const AuditQuery& q) {
  if (q.limit < 1 || q.limit > kMaxAuditPage) {
    return Error{"audit.limit",
                 "a page holds 1 to " + std::to_string(kMaxAuditPage) + " entries, not " +
                     std::to_string(q.limit),
                 "limit"};
  }
  if (q.afterSeq < 0)
    return Error{"audit.filter", "the cursor (after) is a seq, 0 or more", "after"};
  if (q.since && q.until && *q.since > *q.until)
    return Error{"audit.filter", "since is after until", "since"};
  return {};
}

BuiltQuery filingsQuery(const FilingFilter& filter) {
  BuiltQuery b;
  b.sql = std::string("SELECT ") + kFilingColumns + " FROM filing WHERE 1 = 1";
  if (!filter.system.empty())
    b.sql += " AND system = " + b.add(filter.system);
  if (filter.state)
    b.sql += " AND state = " + b.add(std::string(toString(*filter.state)));
  if (filter.overdueOn) {
    b.sql += " AND state = 'configuring' AND configuring_due <> '' AND configuring_due < " +
             b.add(formatDate(*filter.overdueOn));
  }
  b.sql += " ORDER BY system, item_code";
  return b;
}

BuiltQuery auditPageQuery(const AuditQuery& q, std::int64_t seqFrom, std::int64_t seqTo,
                          Dialect dialect) {
  BuiltQuery b;
  b.sql = std::string("SELECT ") + kEntryColumns + " FROM audit_entry WHERE seq > " +
          b.add(std::max(q.afterSeq, seqFrom - 1));
  if (seqTo < INT64_MAX)
    b.sql += " AND seq <= " + b.add(seqTo);
  auto equal = [&](const char* column, const std::string& value) {
    if (!value.empty())
      b.sql += std::string(" AND ") + column + " = " + b.add(value);
  };
  equal("system", q.system);
  equal("item", q.item);
  equal("actor", q.actor);
  equal("action", q.action);
  if (!q.targetContains.empty()) {
    // A plain substring: LIKE would read % and _ in the auditor's text as wildcards.
    const std::string p = b.add(q.targetContains);
    b.sql += dialect == Dialect::kSqlite ? " AND instr(target, " + p + ") > 0"
                                         : " AND strpos(target, " + p + ") > 0";
  }
  if (q.since)
    b.sql += " AND at >= " + b.add(*q.since);
  if (q.until)
    b.sql += " AND at <= " + b.add(*q.until);
  b.sql += " ORDER BY seq LIMIT " + b.add(static_cast<std::int64_t>(q.limit) + 1);
  return b;
}

}  // namespace huitong::registry::queries
