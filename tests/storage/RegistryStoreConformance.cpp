#include "tests/storage/RegistryStoreConformance.h"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "gateway/core/Json.h"
#include "gateway/registry/MappingVersions.h"
#include "gateway/registry/RegistryService.h"

namespace huitong::registry::testing {
namespace {

constexpr EpochMillis kT0 = 1'790'000'000'000;  // 2026-09-21, a Monday, 22:13 in China

// A copy: the Result is usually a temporary.
template <typename T>
T ok(const Result<T>& r) {
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.error().code + ": " + r.error().message));
  return r.value();
}

template <typename T>
std::string codeOf(const Result<T>& r) {
  return r.ok() ? "ok" : r.error().code;
}

Filing newFiling(const std::string& system, const std::string& item) {
  Filing f;
  f.system = system;
  f.itemCode = item;
  f.itemName = "结婚登记 " + item;
  f.contactName = "张三";
  f.contactPhone = "010-1234";
  f.createdAt = kT0;
  f.updatedAt = kT0;
  return f;
}

AuditEntry auditOf(const std::string& actor, const std::string& action, const std::string& system,
                   const std::string& item, EpochMillis at) {
  AuditEntry e;
  e.at = at;
  e.actor = actor;
  e.role = "operator";
  e.action = action;
  e.target = "filing " + system + "/" + item;
  e.system = system;
  e.item = item;
  e.before = "null";
  e.after = R"({"state":"requested"})";
  return e;
}

ChainVerdict verifyStore(RegistryStore& store) {
  ChainVerifier v;
  auto anchor = store.scanChain([&](const AuditEntry& e) { return v.add(e); });
  BOOST_TEST_REQUIRE(anchor.ok());
  return v.finish(anchor.value());
}

// Every page of `q`, following the cursor.
std::vector<AuditEntry> allPages(RegistryStore& store, AuditQuery q) {
  std::vector<AuditEntry> out;
  for (int pages = 0; pages < 10000; ++pages) {
    const auto& page = ok(store.queryAudit(q));
    out.insert(out.end(), page.entries.begin(), page.entries.end());
    if (page.nextAfterSeq == 0)
      break;
    BOOST_TEST_REQUIRE(static_cast<int>(page.entries.size()) == q.limit);
    q.afterSeq = page.nextAfterSeq;
  }
  return out;
}

// The seqs of `entries` whose target holds `needle` and that pass q's other filters: what a
// query must return, worked out without the store.
std::vector<std::int64_t> expectedSeqs(const std::vector<AuditEntry>& entries, const AuditQuery& q,
                                       const std::string& needle) {
  std::vector<std::int64_t> out;
  for (const auto& e : entries) {
    if (e.target.find(needle) == std::string::npos || (!q.system.empty() && e.system != q.system) ||
        (!q.item.empty() && e.item != q.item) || (!q.actor.empty() && e.actor != q.actor) ||
        (!q.action.empty() && e.action != q.action) || (q.since && e.at < *q.since) ||
        (q.until && e.at > *q.until))
      continue;
    out.push_back(e.seq);
  }
  return out;
}

std::vector<std::int64_t> seqsOf(const std::vector<AuditEntry>& entries) {
  std::vector<std::int64_t> out;
  for (const auto& e : entries)
    out.push_back(e.seq);
  return out;
}

// Go-live checks as the sandbox will answer them: versions listed here are published and
// carry passing evidence.
class ListedVersions final : public GoLiveChecks {
 public:
  bool mappingVersionPublished(const std::string&, const std::string& v) const override {
    return v == "v3";
  }
  bool sandboxEvidencePassed(const std::string&, const std::string&,
                             const std::string& v) const override {
    return v == "v3";
  }
};

}  // namespace

std::unique_ptr<RegistryStore> openRegistryOrFail(const storage::StoreConfig& config) {
  auto r = RegistryStore::open(config);
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.error().code + ": " + r.error().message));
  return std::move(r).value();
}

void checkFilingsCreateGetListUpdate(const storage::StoreConfig& config) {
  auto store = openRegistryOrFail(config);
  BOOST_TEST(!ok(store->createFiling(newFiling("marriage", "I-1"), std::nullopt)).has_value());
  ok(store->createFiling(newFiling("marriage", "I-2"), std::nullopt));
  ok(store->createFiling(newFiling("funeral", "I-1"), std::nullopt));
  BOOST_TEST(codeOf(store->createFiling(newFiling("marriage", "I-1"), std::nullopt)) ==
             "filing.exists");

  auto got = ok(store->filing("marriage", "I-1"));
  BOOST_TEST_REQUIRE(got.has_value());
  BOOST_TEST(got->itemName == "结婚登记 I-1");
  BOOST_TEST(got->contactName == "张三");
  BOOST_TEST(got->version == 1);
  BOOST_TEST((got->state == FilingState::kRequested));
  BOOST_TEST(!got->requirementConfirmedAt.has_value());
  BOOST_TEST(!got->configuringDue.has_value());
  BOOST_TEST(!ok(store->filing("marriage", "nope")).has_value());

  Filing next = *got;
  next.state = FilingState::kConfiguring;
  next.version = 2;
  next.requirementConfirmedAt = kT0 + 1000;
  next.configuringDue = parseDate("2026-09-23").value();
  next.configuringDueProvisional = true;
  next.liveMappingVersion = "v1";
  ok(store->updateFiling(next, 1, std::nullopt));
  BOOST_TEST(codeOf(store->updateFiling(next, 1, std::nullopt)) == "filing.stale");
  Filing ghost = newFiling("marriage", "ghost");
  BOOST_TEST(codeOf(store->updateFiling(ghost, 1, std::nullopt)) == "filing.not_found");
  got = ok(store->filing("marriage", "I-1"));
  BOOST_TEST(got->version == 2);
  BOOST_TEST(*got->requirementConfirmedAt == kT0 + 1000);
  BOOST_TEST(formatDate(*got->configuringDue) == "2026-09-23");
  BOOST_TEST(got->configuringDueProvisional);
  BOOST_TEST(got->liveMappingVersion == "v1");

  BOOST_TEST(ok(store->filings({})).size() == 3u);
  const auto& marriage = ok(store->filings({"marriage", std::nullopt, std::nullopt}));
  BOOST_TEST_REQUIRE(marriage.size() == 2u);
  BOOST_TEST(marriage[0].itemCode == "I-1");
  BOOST_TEST(ok(store->filings({"", FilingState::kConfiguring, std::nullopt})).size() == 1u);
  // Due on the 23rd: overdue from the 24th.
  const Day due = parseDate("2026-09-23").value();
  BOOST_TEST(ok(store->filings({"", std::nullopt, due})).empty());
  BOOST_TEST(ok(store->filings({"", std::nullopt, due + 1})).size() == 1u);
  BOOST_TEST(ok(store->overdueCount(due)) == 0);
  BOOST_TEST(ok(store->overdueCount(due + 1)) == 1);
}

void checkAuditAppendChainsAndAnchors(const storage::StoreConfig& config) {
  auto store = openRegistryOrFail(config);
  auto empty = ok(store->anchor());
  BOOST_TEST(empty.count == 0);
  BOOST_TEST(empty.head == zeroHash());
  BOOST_TEST(verifyStore(*store).ok);

  std::vector<AuditEntry> written;
  for (int i = 0; i < 20; ++i) {
    auto e = auditOf("li.na", "filing.move", "marriage", "I-" + std::to_string(i), kT0 + i);
    written.push_back(ok(store->appendAudit(e)));
    BOOST_TEST(written.back().seq == i + 1);
  }
  // The clock went back: the entry keeps the trail's time order.
  const auto late = ok(store->appendAudit(auditOf("wang.wei", "x", "", "", kT0 - 5000)));
  BOOST_TEST(late.at == kT0 + 19);
  BOOST_TEST(late.prevHash == written.back().hash);

  const auto anchor = ok(store->anchor());
  BOOST_TEST(anchor.count == 21);
  BOOST_TEST(anchor.head == late.hash);
  const auto verdict = verifyStore(*store);
  BOOST_TEST(verdict.ok, verdict.why);
  BOOST_TEST(verdict.entries == 21);
  BOOST_TEST(verdict.head == late.hash);

  // Read back exactly as written (the hash covers every field).
  std::vector<AuditEntry> read;
  ok(store->scanChain([&](const AuditEntry& e) {
    read.push_back(e);
    return true;
  }));
  BOOST_TEST_REQUIRE(read.size() == 21u);
  BOOST_TEST(read[3].hash == written[3].hash);
  BOOST_TEST(read[3].after == written[3].after);
  BOOST_TEST(read[3].target == "filing marriage/I-3");
  // Early stop.
  int seen = 0;
  ok(store->scanChain([&](const AuditEntry&) { return ++seen < 5; }));
  BOOST_TEST(seen == 5);

  // SM3 for new entries: the chain goes on across algorithms.
  auto sm3 = RegistryStore::open(config, "sm3");
  BOOST_TEST_REQUIRE(sm3.ok());
  const auto s = ok(sm3.value()->appendAudit(auditOf("li.na", "y", "", "", kT0 + 100)));
  BOOST_TEST(s.hashAlgorithm == "sm3");
  BOOST_TEST(s.prevHash == late.hash);
  BOOST_TEST(verifyStore(*store).ok);
  BOOST_TEST(codeOf(RegistryStore::open(config, "md5")) == "audit.algorithm");
}

void checkRefusedWritesLeaveNoTrace(const storage::StoreConfig& config) {
  auto store = openRegistryOrFail(config);
  const auto audit = auditOf("li.na", "filing.create", "marriage", "I-1", kT0);
  const auto first = ok(store->createFiling(newFiling("marriage", "I-1"), audit));
  BOOST_TEST_REQUIRE(first.has_value());
  BOOST_TEST(first->seq == 1);
  // A duplicate filing writes no audit entry; a stale update neither (and changes nothing).
  BOOST_TEST(codeOf(store->createFiling(newFiling("marriage", "I-1"), audit)) == "filing.exists");
  Filing next = newFiling("marriage", "I-1");
  next.notes = "changed";
  next.version = 5;
  BOOST_TEST(codeOf(store->updateFiling(next, 4, audit)) == "filing.stale");
  BOOST_TEST(ok(store->anchor()).count == 1);
  BOOST_TEST(ok(store->filing("marriage", "I-1"))->notes.empty());
  // An update with its entry: both or neither.
  next.version = 2;
  const auto second = ok(store->updateFiling(next, 1, audit));
  BOOST_TEST(second->seq == 2);
  BOOST_TEST(ok(store->filing("marriage", "I-1"))->notes == "changed");
  BOOST_TEST(verifyStore(*store).ok);
}

void checkConcurrentAppendsNeverFork(const storage::StoreConfig& config) {
  // Two store instances (two pools of connections) and several threads on each.
  auto a = openRegistryOrFail(config);
  auto b = openRegistryOrFail(config);
  constexpr int kThreads = 6;
  constexpr int kEach = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      RegistryStore& s = t % 2 ? *a : *b;
      for (int i = 0; i < kEach; ++i) {
        auto r = s.appendAudit(auditOf("t" + std::to_string(t), "test.append", "", "", kT0 + i));
        if (!r.ok())
          ++failures;
      }
    });
  }
  for (auto& th : threads)
    th.join();
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(ok(a->anchor()).count == kThreads * kEach);
  const auto v = verifyStore(*b);
  BOOST_TEST(v.ok, v.why);
  BOOST_TEST(v.entries == kThreads * kEach);
}

void checkAuditQueryFiltersAndPaging(const storage::StoreConfig& config) {
  auto store = openRegistryOrFail(config);
  const char* systems[] = {"marriage", "funeral", "social"};
  const char* actors[] = {"li.na", "wang.wei"};
  std::vector<AuditEntry> written;
  for (int i = 0; i < 120; ++i) {
    auto e = auditOf(actors[i % 2], i % 3 == 0 ? "filing.move" : "filing.update", systems[i % 3],
                     "I-" + std::to_string(i % 10), kT0 + i * 60000);
    if (i == 77)
      e.target = "filing social/100%_done";
    written.push_back(ok(store->appendAudit(e)));
  }
  AuditQuery q;
  q.limit = 1000;
  BOOST_TEST(ok(store->queryAudit(q)).entries.size() == 120u);
  BOOST_TEST(ok(store->queryAudit(q)).nextAfterSeq == 0);

  q.system = "funeral";
  auto page = allPages(*store, q);
  BOOST_TEST(page.size() == 40u);
  for (const auto& e : page)
    BOOST_TEST(e.system == "funeral");

  AuditQuery paged;
  paged.actor = "li.na";
  paged.limit = 7;
  auto first = ok(store->queryAudit(paged));
  BOOST_TEST(first.entries.size() == 7u);
  BOOST_TEST(first.nextAfterSeq == first.entries.back().seq);
  page = allPages(*store, paged);
  BOOST_TEST(page.size() == 60u);
  std::set<std::int64_t> seqs;
  for (const auto& e : page) {
    BOOST_TEST(e.actor == "li.na");
    seqs.insert(e.seq);
  }
  BOOST_TEST(seqs.size() == 60u);  // no entry twice, none skipped
  BOOST_TEST(*seqs.begin() == 1);

  AuditQuery combined;
  combined.system = "marriage";
  combined.action = "filing.move";
  combined.item = "I-0";
  combined.limit = 1000;
  // i % 3 == 0 and i % 10 == 0: i = 0, 30, 60, 90.
  BOOST_TEST(allPages(*store, combined).size() == 4u);

  AuditQuery target;
  target.targetContains = "100%_";
  target.limit = 10;
  page = allPages(*store, target);
  BOOST_TEST_REQUIRE(page.size() == 1u);
  BOOST_TEST(page[0].seq == 78);
  target.targetContains = "%";  // no wildcard: only the one entry holding a '%'
  BOOST_TEST(allPages(*store, target).size() == 1u);

  AuditQuery range;
  range.since = kT0 + 10 * 60000;      // entry i = 10 (seq 11)
  range.until = kT0 + 19 * 60000 + 1;  // through i = 19 (seq 20)
  range.limit = 3;
  page = allPages(*store, range);
  BOOST_TEST_REQUIRE(page.size() == 10u);
  BOOST_TEST(page.front().seq == 11);
  BOOST_TEST(page.back().seq == 20);
  range.system = "marriage";
  BOOST_TEST(allPages(*store, range).size() == 3u);  // i = 12, 15, 18
  range = AuditQuery{};
  range.since = kT0 + 10'000 * 60000;
  BOOST_TEST(ok(store->queryAudit(range)).entries.empty());
  range = AuditQuery{};
  range.until = kT0 - 1;
  BOOST_TEST(ok(store->queryAudit(range)).entries.empty());

  // Target substrings against a brute-force search of what was written: text the trigram
  // index (3 characters or more) reads as FTS5 syntax or LIKE wildcards, 1-2 characters (the
  // scan), CJK and 4-byte UTF-8, case, alone and with every other filter, across pages.
  const char* odd[] = {"filing \"quoted\" name",
                       "say \"\"hi\"\" twice",
                       "rule a AND b",
                       "rule x OR y",
                       "rule NEAR(a b)",
                       "pre*fix and ^start and col:on and -minus +plus",
                       "under_score 50% off",
                       "备案 结婚登记/1244",
                       "婚姻登记处 marriage",
                       "Filing MARRIAGE/I-3",
                       "📄 file 档案",
                       "a\"b"};
  for (int j = 0; j < 36; ++j) {
    auto e = auditOf(actors[j % 2], j % 3 == 0 ? "filing.move" : "filing.update", systems[j % 3],
                     "I-" + std::to_string(j % 4), kT0 + (120 + j) * 60000);
    e.target = odd[j % 12];
    written.push_back(ok(store->appendAudit(e)));
  }
  const char* needles[] = {"\"quoted\"", "\"",        "\"\"",     "\"\"hi\"\"",
                           "a\"b",       "AND",       "a AND b",  "x OR y",
                           "OR",         "NEAR(a b)", "NEAR",     "*",
                           "pre*",       "^st",       "^start",   "col:on",
                           ":",          "-minus",    "+plus",    "%",
                           "%_",         "_",         "under_",   "100%_d",
                           "50% ",       "婚",        "婚姻",     "结婚登记",
                           "登记",       "记/1",      "MARRIAGE", "Filing",
                           "📄",          "📄 f",       "档案",     "ing",
                           "fi",         "f",         "filing m", "marriage/I-",
                           "ling",       " ",         "zz-none",  "filing social/100%_done"};
  for (const std::string needle : needles) {
    for (int variant = 0; variant < 6; ++variant) {
      AuditQuery t;
      t.targetContains = needle;
      t.limit = variant % 2 == 0 ? 3 : 1000;
      if (variant == 1)
        t.system = "marriage";
      if (variant == 2)
        t.action = "filing.move";
      if (variant == 3)
        t.item = "I-3";
      if (variant == 4) {
        t.actor = "wang.wei";
        t.limit = 1;
      }
      if (variant == 5) {
        t.since = kT0 + 60 * 60000;
        t.until = kT0 + 140 * 60000;
        t.limit = 2;
      }
      BOOST_TEST(seqsOf(allPages(*store, t)) == expectedSeqs(written, t, needle),
                 "target contains \"" << needle << "\", variant " << variant);
    }
  }
  // A cursor inside the trail: the page starts after it.
  AuditQuery cursor;
  cursor.targetContains = "filing m";
  cursor.afterSeq = 50;
  cursor.limit = 4;
  auto rest = expectedSeqs(written, cursor, "filing m");
  rest.erase(rest.begin(), std::find_if(rest.begin(), rest.end(), [](auto s) { return s > 50; }));
  BOOST_TEST(seqsOf(allPages(*store, cursor)) == rest);

  AuditQuery bad;
  bad.limit = 0;
  BOOST_TEST(codeOf(store->queryAudit(bad)) == "audit.limit");
  bad.limit = kMaxAuditPage + 1;
  BOOST_TEST(codeOf(store->queryAudit(bad)) == "audit.limit");
  bad.limit = 10;
  bad.since = kT0 + 10;
  bad.until = kT0;
  BOOST_TEST(codeOf(store->queryAudit(bad)) == "audit.filter");
}

void checkHostileFilterText(const storage::StoreConfig& config) {
  auto store = openRegistryOrFail(config);
  const std::string hostile = "x' OR '1'='1'; DROP TABLE audit_entry; --";
  auto e = auditOf(hostile, "filing.update", hostile, hostile, kT0);
  e.target = hostile;
  ok(store->appendAudit(e));
  ok(store->appendAudit(auditOf("li.na", "filing.move", "marriage", "I-1", kT0)));
  ok(store->createFiling(newFiling(hostile, hostile), std::nullopt));
  for (auto set : std::vector<void (*)(AuditQuery&, const std::string&)>{
           [](AuditQuery&q, const std::string&v) { q.system = v; },
           [](AuditQuery&q, const std::string&v) { q.item = v; },
           [](AuditQuery&q, const std::string&v) { q.actor = v; },
           [](AuditQuery&q, const std::string&v) { q.targetContains = v; }}) {
    AuditQuery q;
    set(q, hostile);
    const auto& page = ok(store->queryAudit(q));
    BOOST_TEST_REQUIRE(page.entries.size() == 1u);
    BOOST_TEST(page.entries[0].actor == hostile);
    set(q, "' OR 1=1 --");
    BOOST_TEST(ok(store->queryAudit(q)).entries.empty());
  }
  // FTS5 query syntax in a substring is text, never an operator or a syntax error.
  const std::string fts = "\") OR (\"*\" NEAR(x y) ^a b:c -d";
  auto ftsEntry = auditOf("fts.text", "filing.update", "marriage", "I-9", kT0);
  ftsEntry.target = fts;
  ok(store->appendAudit(ftsEntry));
  for (const std::string& needle :
       {fts, std::string("\") OR (\""), std::string("\"*\""), std::string("NEAR(x y)"),
        std::string("^a b:c"), std::string(" -d"), std::string("\")"), std::string("*")}) {
    AuditQuery q;
    q.targetContains = needle;
    const auto& page = ok(store->queryAudit(q));
    BOOST_TEST_REQUIRE(page.entries.size() == 1u, needle);
    BOOST_TEST(page.entries[0].actor == "fts.text");
  }
  for (const std::string& needle : {std::string("\") AND (\""), std::string("OR x"),
                                    std::string("NEAR(x z)"), std::string("\" OR \"")}) {
    AuditQuery q;
    q.targetContains = needle;
    BOOST_TEST(ok(store->queryAudit(q)).entries.empty(), needle);
  }
  BOOST_TEST(ok(store->filing(hostile, hostile)).has_value());
  BOOST_TEST(ok(store->filings({"' OR 1=1 --", std::nullopt, std::nullopt})).empty());
  BOOST_TEST(verifyStore(*store).ok);
}

void checkServiceAuditsEveryChange(const storage::StoreConfig& config) {
  auto store = openRegistryOrFail(config);
  FixedClock clock(kT0);
  const WorkCalendar calendar = WorkCalendar::china();
  const ListedVersions checks;
  RegistryService service(*store, clock, calendar, checks);
  const Actor op{"li.na", Role::kOperator, ""};
  const Actor auditor{"zhao.min", Role::kAuditor, ""};
  const Actor dept{"department:marriage", Role::kDepartment, "marriage"};

  auto created = service.create({"marriage", "1244", "结婚登记", "张三", "010-1", "", ""}, op);
  BOOST_TEST_REQUIRE(created.ok());
  BOOST_TEST(codeOf(service.create({"marriage", "1244", "", "", "", "", ""}, op)) ==
             "filing.exists");
  BOOST_TEST(codeOf(service.create({"marriage", "bad/code", "", "", "", "", ""}, op)) ==
             "filing.invalid");
  BOOST_TEST(codeOf(service.create({"marriage", "9", "", "", "", "", ""}, auditor)) ==
             "filing.forbidden");

  MoveRequest toConfiguring;
  toConfiguring.to = FilingState::kConfiguring;
  toConfiguring.expectedVersion = 1;
  clock.set(kT0 + 3'600'000);
  auto moved = service.move("marriage", "1244", toConfiguring, op);
  BOOST_TEST_REQUIRE(moved.ok(), (moved.ok() ? "" : moved.error().message));
  BOOST_TEST(moved.value().version == 2);
  // 2026-09-21 (Mon) + 2 working days.
  BOOST_TEST(formatDate(*moved.value().configuringDue) == "2026-09-23");
  // The same move again, from the version now stale: refused and audited.
  BOOST_TEST(codeOf(service.move("marriage", "1244", toConfiguring, op)) == "filing.stale");
  MoveRequest online;
  online.to = FilingState::kOnline;
  online.expectedVersion = 2;
  BOOST_TEST(codeOf(service.move("marriage", "1244", online, op)) == "filing.illegal_move");
  MoveRequest debug;
  debug.to = FilingState::kJointDebugging;
  debug.expectedVersion = 2;
  BOOST_TEST(codeOf(service.move("marriage", "1244", debug, auditor)) == "filing.forbidden");
  // A missing requirement is the operator's input, not an access matter: not audited.
  BOOST_TEST(codeOf(service.move("marriage", "1244", debug, op)) == "filing.requirement");
  BOOST_TEST(codeOf(service.move("marriage", "none", debug, op)) == "filing.not_found");

  BOOST_TEST(ok(service.overdueCount()) == 0);
  clock.set(kT0 + 4 * 86'400'000LL);  // Friday: past the Wednesday deadline
  BOOST_TEST(ok(service.overdueCount()) == 1);

  auto contact = service.updateContact("marriage", "1244", 2, "李四", "010-2", dept);
  BOOST_TEST_REQUIRE(contact.ok());
  BOOST_TEST(contact.value().contactName == "李四");
  BOOST_TEST(codeOf(service.updateNotes("marriage", "1244", 3, "hello", dept)) ==
             "filing.forbidden");
  const Actor otherDept{"department:funeral", Role::kDepartment, "funeral"};
  BOOST_TEST(codeOf(service.updateContact("marriage", "1244", 3, "x", "y", otherDept)) ==
             "filing.forbidden");
  BOOST_TEST(codeOf(service.updateNotes("marriage", "1244", 2, "old", op)) == "filing.stale");
  BOOST_TEST(service.updateNotes("marriage", "1244", 3, "notes", op).ok());
  // The filing's own sandbox scenarios: staff only, checked, stored and read back.
  const std::string own = R"([{"name":"resend","verdict":"duplicate"}])";
  BOOST_TEST(codeOf(service.updateScenarios("marriage", "1244", 4, own, dept)) ==
             "filing.forbidden");
  BOOST_TEST(codeOf(service.updateScenarios("marriage", "1244", 4, "[{}]", op)) ==
             "filing.invalid");
  BOOST_TEST(service.updateScenarios("marriage", "1244", 4, own, op).ok());
  BOOST_TEST(ok(store->filing("marriage", "1244"))->scenarios == own);

  std::vector<AuditEntry> trail;
  ok(store->scanChain([&](const AuditEntry& e) {
    trail.push_back(e);
    return true;
  }));
  std::vector<std::string> actions;
  for (const auto& e : trail)
    actions.push_back(e.action + " " + e.actor);
  const std::vector<std::string> expected = {"filing.create li.na",
                                             "filing.create.refused zhao.min",
                                             "filing.move li.na",
                                             "filing.move.refused li.na",
                                             "filing.move.refused li.na",
                                             "filing.move.refused zhao.min",
                                             "filing.update department:marriage",
                                             "filing.update.refused department:marriage",
                                             "filing.update.refused department:funeral",
                                             "filing.update li.na",
                                             "filing.update.refused department:marriage",
                                             "filing.update li.na"};
  BOOST_TEST(actions == expected, boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(trail.size() >= 3u);
  BOOST_TEST(trail[2].target == "filing marriage/1244");
  BOOST_TEST(trail[2].role == "operator");
  BOOST_TEST(trail[2].system == "marriage");
  BOOST_TEST(trail[2].item == "1244");
  auto before = json::parse(trail[2].before);
  auto after = json::parse(trail[2].after);
  BOOST_TEST_REQUIRE((before.ok() && after.ok()));
  BOOST_TEST(std::string(before.value()["state"].GetString()) == "requested");
  BOOST_TEST(std::string(after.value()["state"].GetString()) == "configuring");
  BOOST_TEST(trail[0].before == "null");
  auto refusal = json::parse(trail[3].after);
  BOOST_TEST_REQUIRE(refusal.ok());
  BOOST_TEST(std::string(refusal.value()["refused"].GetString()) == "filing.stale");
  BOOST_TEST(verifyStore(*store).ok);
}

void checkRegistrySharesTheExchangeDatabase(const storage::StoreConfig& config) {
  {
    auto registry = openRegistryOrFail(config);
    ok(registry->appendAudit(auditOf("li.na", "filing.create", "marriage", "I-1", kT0)));
  }
  // The exchange store opens the same database, migrated to the registry's version too.
  auto exchange = storage::ExchangeStore::open(config);
  BOOST_TEST_REQUIRE(exchange.ok());
  const auto& applied = ok(exchange.value()->appliedMigrations());
  BOOST_TEST(applied.back() == storage::latestSchemaVersion());
  BOOST_TEST(storage::latestSchemaVersion() >= 4);
  // Both at once: each sees its own tables.
  auto registry = openRegistryOrFail(config);
  BOOST_TEST(ok(registry->anchor()).count == 1);
  BOOST_TEST(ok(exchange.value()->depths()).journal == 0);
}

}  // namespace huitong::registry::testing

namespace huitong::registry::testing {
namespace {

// The marriage mapping folder as a bundle, its version and (optionally) one rule changed.
MappingBundle marriageBundle(const std::string& version, const std::string& from = "",
                             const std::string& to = "") {
  auto b = ok(readBundleDir("mappings/marriage"));
  std::string& text = b.files["mapping.json"];
  const std::string v1 = "\"version\": \"1\"";
  BOOST_TEST_REQUIRE(text.find(v1) != std::string::npos);
  text.replace(text.find(v1), v1.size(), "\"version\": \"" + version + "\"");
  if (!from.empty()) {
    BOOST_TEST_REQUIRE(text.find(from) != std::string::npos);
    text.replace(text.find(from), from.size(), to);
  }
  return b;
}

}  // namespace

void checkMappingVersionsLife(const storage::StoreConfig& config) {
  auto store = openRegistryOrFail(config);
  // The embedded tests judge their samples against the time now (an event may not come from
  // the future), as `huitong mapping test` does.
  SystemClock clock;
  MappingVersions versions(*store, clock);
  const Actor op{"wang.fang", Role::kOperator, ""};
  const Actor auditor{"zhao.min", Role::kAuditor, ""};

  // First start: the folder is published (tests pass), audited as an import.
  auto boot = ok(versions.bootstrap("marriage", "mappings/marriage", "huitong serve"));
  BOOST_TEST(boot.action == "published");
  BOOST_TEST(boot.version == "1");
  auto live = ok(versions.live("marriage"));
  BOOST_TEST_REQUIRE(live.has_value());
  BOOST_TEST(live->version == "1");
  BOOST_TEST(live->generation == 1);
  BOOST_TEST(ok(versions.bootstrap("marriage", "mappings/marriage", "huitong serve")).action ==
             "unchanged");

  // An online filing records the live version; publishing moves it along.
  Filing f = newFiling("marriage", "1244200045586317954442071002000");
  f.state = FilingState::kOnline;
  f.liveMappingVersion = "1";
  ok(store->createFiling(f, std::nullopt));

  // draft → tested → published, a hot switch of generation 2.
  auto drafted = ok(versions.draft("marriage", marriageBundle("2"), op));
  BOOST_TEST(toString(drafted.state) == std::string("draft"));
  BOOST_TEST(ok(versions.draft("marriage", marriageBundle("2"), op)).sha256 == drafted.sha256);
  BOOST_TEST(codeOf(versions.publish("marriage", "2", op)) == "mapping.illegal_move");
  auto tested = ok(versions.test("marriage", "2", op));
  BOOST_TEST(tested.failed == 0);
  BOOST_TEST(tested.passed > 0);
  BOOST_TEST(toString(tested.record.state) == std::string("tested"));
  BOOST_TEST(codeOf(versions.publish("marriage", "2", op, std::int64_t{7})) == "mapping.stale");
  auto published = ok(versions.publish("marriage", "2", op, std::int64_t{1}));
  BOOST_TEST(published.version == "2");
  BOOST_TEST(published.generation == 2);
  BOOST_TEST(ok(store->filing(f.system, f.itemCode))->liveMappingVersion == "2");
  BOOST_TEST(ok(store->filing(f.system, f.itemCode))->version == f.version + 1);

  // A published version never changes; the same files again are no change at all.
  BOOST_TEST(codeOf(versions.draft("marriage", marriageBundle("2", "\"窗口\"", "\"柜台\""), op)) ==
             "mapping.exists");

  // Tests that fail: the draft stays a draft, publishing is refused and audited.
  const std::string breaks = "\"ACCEPTED\":        {\"stage\": \"accept\"}";
  const std::string broken = "\"ACCEPTED\":        {\"stage\": \"approve\"}";
  ok(versions.draft("marriage", marriageBundle("3", breaks, broken), op));
  auto failing = ok(versions.test("marriage", "3", op));
  BOOST_TEST(failing.failed > 0);
  BOOST_TEST(toString(failing.record.state) == std::string("draft"));
  BOOST_TEST(codeOf(versions.publish("marriage", "3", op)) == "mapping.illegal_move");
  BOOST_TEST(ok(versions.live("marriage"))->version == "2");

  // A bundle that does not compile, or names another system, is refused with where.
  auto bad = marriageBundle("4", "\"fields\"", "\"field\"");
  const auto refusedBad = versions.draft("marriage", bad, op);
  BOOST_TEST_REQUIRE(!refusedBad.ok());
  BOOST_TEST(refusedBad.error().code == "mapping.invalid");
  BOOST_TEST(refusedBad.error().describe().find("mapping.json:") != std::string::npos);
  BOOST_TEST(codeOf(versions.draft("funeral", marriageBundle("5"), op)) == "mapping.invalid");
  MappingBundle escape = marriageBundle("6");
  escape.files["../outside.json"] = "{}";
  BOOST_TEST(codeOf(versions.draft("marriage", escape, op)) == "mapping.bundle");

  // Rollback to the earlier published version; never to a draft; auditors change nothing.
  BOOST_TEST(codeOf(versions.rollback("marriage", "3", op)) == "mapping.illegal_move");
  BOOST_TEST(codeOf(versions.rollback("marriage", "2", op)) == "mapping.illegal_move");
  BOOST_TEST(codeOf(versions.rollback("marriage", "1", auditor)) == "mapping.forbidden");
  BOOST_TEST(codeOf(versions.draft("marriage", marriageBundle("7"), auditor)) ==
             "mapping.forbidden");
  auto back = ok(versions.rollback("marriage", "1", op));
  BOOST_TEST(back.version == "1");
  BOOST_TEST(back.generation == 3);
  BOOST_TEST(ok(store->filing(f.system, f.itemCode))->liveMappingVersion == "1");
  BOOST_TEST(ok(versions.load("marriage", "1"))->version() == "1");

  // The go-live gate reads what is recorded: the live, published version only.
  RecordedGoLiveChecks checks(*store, false);
  BOOST_TEST(checks.mappingVersionPublished("marriage", "1"));
  BOOST_TEST(!checks.mappingVersionPublished("marriage", "2"));
  BOOST_TEST(!checks.mappingVersionPublished("funeral", "1"));

  // Every step is on the trail, in order, and the chain holds.
  AuditQuery q;
  q.system = "marriage";
  q.limit = kMaxAuditPage;
  std::vector<std::string> actions;
  for (const auto& e : ok(store->queryAudit(q)).entries) {
    if (e.target == "mapping marriage")
      actions.push_back(e.action);
  }
  // (A stale generation and a version live already are refused before anything is decided:
  // not audited, like a stale filing update.)
  const std::vector<std::string> expected{"mapping.draft",
                                          "mapping.import",
                                          "mapping.draft",
                                          "mapping.publish.refused",
                                          "mapping.test",
                                          "mapping.publish",
                                          "mapping.draft",
                                          "mapping.test",
                                          "mapping.publish.refused",
                                          "mapping.rollback.refused",
                                          "mapping.rollback.refused",
                                          "mapping.draft.refused",
                                          "mapping.rollback"};
  std::string seen;
  for (const auto& a : actions)
    seen += a + " ";
  BOOST_TEST_INFO(seen);
  BOOST_TEST(actions == expected, boost::test_tools::per_element());
  std::int64_t count = 0;
  std::string prev(64, '0');
  ok(store->scanChain([&](const AuditEntry& e) {
    BOOST_TEST(e.prevHash == prev);
    BOOST_TEST(ok(entryHash(e)) == e.hash);
    prev = e.hash;
    ++count;
    return true;
  }));
  BOOST_TEST(ok(store->anchor()).count == count);

  // Two writers racing for the same switch: exactly one wins.
  ok(versions.test("marriage", "3", op));  // still failing: stays a draft
  ok(versions.draft("marriage", marriageBundle("8"), op));
  ok(versions.test("marriage", "8", op));
  std::atomic<int> won{0}, stale{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 2; ++i) {
    racers.emplace_back([&] {
      auto r = store->switchLiveMapping("marriage", "8", 3, "racer", kT0, std::nullopt);
      (r.ok() ? won : stale)++;
      if (!r.ok())
        BOOST_TEST(r.error().code == "mapping.stale");
    });
  }
  for (auto& t : racers)
    t.join();
  BOOST_TEST(won.load() == 1);
  BOOST_TEST(stale.load() == 1);
}

}  // namespace huitong::registry::testing
