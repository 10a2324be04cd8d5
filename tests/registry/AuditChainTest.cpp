// The audit chain catches every way of rewriting history: an edited, deleted, reordered or
// inserted entry names the first entry that no longer holds; a cut-off tail is caught by the
// anchor; SHA-256 and SM3 both work.
#include <functional>

#include <boost/test/unit_test.hpp>

#include "gateway/registry/AuditChain.h"

using namespace huitong::registry;

namespace {

std::vector<AuditEntry> history(int n, const std::string& alg = "sha256") {
  std::vector<AuditEntry> out;
  for (int i = 0; i < n; ++i) {
    AuditEntry e;
    e.at = 1'790'000'000'000 + i * 1000;
    e.actor = i % 2 ? "li.na" : "wang.wei";
    e.role = "operator";
    e.action = "filing.move";
    e.target = "filing marriage/ITEM" + std::to_string(i);
    e.system = "marriage";
    e.before = R"({"state":"requested","version":1})";
    e.after = R"({"version":2,"state":"configuring"})";
    e.hashAlgorithm = alg;
    BOOST_REQUIRE(chain(e, out.empty() ? nullptr : &out.back()).ok());
    out.push_back(e);
  }
  return out;
}

AuditAnchor anchorOf(const std::vector<AuditEntry>& h) {
  return AuditAnchor{static_cast<std::int64_t>(h.size()), h.back().hash};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_chain)

BOOST_AUTO_TEST_CASE(an_untouched_chain_verifies) {
  const auto h = history(10);
  const auto v = verifyChain(h, anchorOf(h));
  BOOST_TEST(v.ok);
  BOOST_TEST(v.entries == 10);
  BOOST_TEST(v.head == h.back().hash);
  BOOST_TEST(h[0].prevHash == zeroHash());
  BOOST_TEST(h[3].prevHash == h[2].hash);
  BOOST_TEST(verifyChain({}, std::nullopt).ok);
}

BOOST_AUTO_TEST_CASE(canonical_json_ignores_member_order_and_spacing_of_states) {
  auto a = history(1)[0];
  auto b = a;
  b.after = "{ \"state\" : \"configuring\", \"version\" : 2 }";
  BOOST_TEST(canonicalJson(a) == canonicalJson(b));
  BOOST_TEST(entryHash(a).value() == entryHash(b).value());
}

BOOST_AUTO_TEST_CASE(an_edited_entry_is_named) {
  for (const auto& edit : std::vector<std::function<void(AuditEntry&)>>{
           [](AuditEntry& e) { e.actor = "someone.else"; },
           [](AuditEntry& e) { e.after = R"({"state":"online"})"; },
           [](AuditEntry& e) { e.at += 1; }, [](AuditEntry& e) { e.action = "filing.create"; }}) {
    auto h = history(10);
    edit(h[4]);
    const auto v = verifyChain(h, anchorOf(h));
    BOOST_TEST(!v.ok);
    BOOST_TEST(v.brokenSeq == 5);
    BOOST_TEST(v.why.find("edited") != std::string::npos, v.why);
  }
  // Edited and re-hashed: the next entry's previous-hash no longer matches.
  auto h = history(10);
  h[4].actor = "someone.else";
  h[4].hash = entryHash(h[4]).value();
  const auto v = verifyChain(h, std::nullopt);
  BOOST_TEST(v.brokenSeq == 6);
  BOOST_TEST(v.why.find("previous-hash") != std::string::npos, v.why);
}

BOOST_AUTO_TEST_CASE(deleted_reordered_and_inserted_entries_are_named) {
  auto deleted = history(10);
  deleted.erase(deleted.begin() + 3);
  auto v = verifyChain(deleted, std::nullopt);
  BOOST_TEST(!v.ok);
  BOOST_TEST(v.brokenSeq == 5);
  BOOST_TEST(v.why.find("expected") != std::string::npos);

  auto reordered = history(10);
  std::swap(reordered[6], reordered[7]);
  v = verifyChain(reordered, std::nullopt);
  BOOST_TEST(v.brokenSeq == 8);

  auto inserted = history(10);
  AuditEntry forged = inserted[2];
  forged.actor = "intruder";
  inserted.insert(inserted.begin() + 3, forged);
  v = verifyChain(inserted, std::nullopt);
  BOOST_TEST(!v.ok);
  BOOST_TEST(v.brokenSeq == 3);
}

BOOST_AUTO_TEST_CASE(a_cut_off_tail_is_caught_by_the_anchor) {
  auto h = history(10);
  const AuditAnchor anchor = anchorOf(h);
  h.resize(7);
  const auto v = verifyChain(h, anchor);
  BOOST_TEST(!v.ok);
  BOOST_TEST(v.brokenSeq == 8);
  BOOST_TEST(v.why.find("cut off") != std::string::npos, v.why);
  BOOST_TEST(verifyChain(h, std::nullopt).ok);  // without an anchor a truncation looks whole
}

BOOST_AUTO_TEST_CASE(sm3_is_selectable) {
  const auto h = history(5, "sm3");
  BOOST_TEST(verifyChain(h, anchorOf(h)).ok);
  BOOST_TEST(h[0].hash.size() == 64u);
  BOOST_TEST(h[0].hash != history(1)[0].hash);
  AuditEntry e = history(1)[0];
  e.hashAlgorithm = "md5";
  BOOST_TEST(entryHash(e).error().code == "audit.algorithm");
}

BOOST_AUTO_TEST_SUITE_END()
