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
  b.add(f.scenarios);
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

namespace {

// Characters (code points) in `s`, or -1 when it is not valid UTF-8 or holds a NUL: the trigram
// indexes count characters, and both treat such text differently from a byte comparison.
int utf8Length(const std::string& s) {
  int n = 0;
  for (std::size_t i = 0; i < s.size(); ++n) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    char32_t cp = 0;
    if (c == 0)
      return -1;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07u;
    } else {
      return -1;
    }
    if (i + len > s.size())
      return -1;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0u) != 0x80u)
        return -1;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    // Overlong forms, surrogates and code points past U+10FFFF.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return -1;
    i += len;
  }
  return n;
}

// The substring as one FTS5 string: everything inside double quotes is literal text (AND, OR,
// NEAR, *, ^, : included) except a double quote, which is doubled.
std::string fts5String(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    out += c;
    if (c == '"')
      out += '"';
  }
  out += '"';
  return out;
}

// The substring as a LIKE pattern with backslash as the escape character.
std::string likeContains(const std::string& s) {
  std::string out = "%";
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\')
      out += '\\';
    out += c;
  }
  out += '%';
  return out;
}

}  // namespace

bool targetIndexServes(const std::string& substring) {
  return utf8Length(substring) >= kTargetIndexMinChars;
}

BuiltQuery auditPageQuery(const AuditQuery& q, std::int64_t seqFrom, std::int64_t seqTo,
                          Dialect dialect) {
  BuiltQuery b;
  const std::int64_t after = std::max(q.afterSeq, seqFrom - 1);
  // SQLite: the trigram table (migration 8) drives the page when the substring has 3 characters
  // or more and no item narrows it: its matches come in rowid (= seq) order within the seq
  // bounds, each joined to its entry and checked against the other filters, until the page is
  // full. An item's index range (hundreds of entries) is cheaper to scan with instr() alone; a
  // system's, action's or actor's (tens of thousands) is not (tests/bench/audit/README.md).
  const bool ftsDrives =
      dialect == Dialect::kSqlite && targetIndexServes(q.targetContains) && q.item.empty();
  if (ftsDrives) {
    b.sql = std::string("SELECT ") + kEntryColumns +
            " FROM (SELECT rowid AS hit FROM audit_entry_target WHERE audit_entry_target MATCH " +
            b.add(fts5String(q.targetContains)) + " AND rowid > " + b.add(after);
    if (seqTo < INT64_MAX)
      b.sql += " AND rowid <= " + b.add(seqTo);
    b.sql += ") AS f CROSS JOIN audit_entry ON audit_entry.seq = f.hit WHERE 1 = 1";
  } else {
    b.sql =
        std::string("SELECT ") + kEntryColumns + " FROM audit_entry WHERE seq > " + b.add(after);
    if (seqTo < INT64_MAX)
      b.sql += " AND seq <= " + b.add(seqTo);
  }
  auto equal = [&](const char* column, const std::string& value) {
    if (!value.empty())
      b.sql += std::string(" AND ") + column + " = " + b.add(value);
  };
  equal("system", q.system);
  equal("item", q.item);
  equal("actor", q.actor);
  equal("action", q.action);
  if (!q.targetContains.empty()) {
    // The exact test, whatever index found the candidates: a plain byte substring (LIKE would
    // read % and _ in the auditor's text as wildcards, and the trigram match is only as exact
    // as its tokenizer).
    const std::string p = b.add(q.targetContains);
    b.sql += dialect == Dialect::kSqlite ? " AND instr(target, " + p + ") > 0"
                                         : " AND strpos(target, " + p + ") > 0";
    // PostgreSQL: the pg_trgm GIN index (migration 8, when the extension could be created)
    // serves LIKE, never strpos; the planner weighs it against the seq order itself. Without
    // the index the LIKE is one more test on rows the scan reads anyway.
    if (dialect == Dialect::kPostgres && targetIndexServes(q.targetContains))
      b.sql += " AND target LIKE " + b.add(likeContains(q.targetContains)) + " ESCAPE '\\'";
  }
  if (q.since)
    b.sql += " AND at >= " + b.add(*q.since);
  if (q.until)
    b.sql += " AND at <= " + b.add(*q.until);
  b.sql += std::string(" ORDER BY ") + (ftsDrives ? "f.hit" : "seq") + " LIMIT " +
           b.add(static_cast<std::int64_t>(q.limit) + 1);
  return b;
}

}  // namespace huitong::registry::queries
