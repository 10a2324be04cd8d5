// Bad and hostile input: random and truncated selectors, deep nesting in queries and documents,
// large documents. Nothing may crash, hang or overflow the stack. Also pins the behaviour of the
// fast path the mapping engine relies on (singular selectors: no allocation, no paths).
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <new>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "gateway/jsonpath/JsonPath.h"

using huitong::jsonpath::Query;

// Counts allocations made by this thread while armed. Replacing the global operator new is
// not compatible with AddressSanitizer's own, so the count is only taken in plain builds.
#if defined(__SANITIZE_ADDRESS__)
#define HUITONG_COUNT_ALLOCATIONS 0
#else
#define HUITONG_COUNT_ALLOCATIONS 1
// GCC cannot see that these replacements pair malloc with free.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
thread_local bool gCounting = false;
thread_local std::size_t gAllocations = 0;
}  // namespace
void* operator new(std::size_t n) {
  if (gCounting)
    ++gAllocations;
  if (void* p = std::malloc(n ? n : 1))
    return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#endif

namespace {

rapidjson::Document doc(const char* text) {
  auto r = huitong::json::parse(text);
  BOOST_REQUIRE_MESSAGE(r.ok(), text);
  return std::move(r).value();
}

const char* const kSample = R"({
  "bizNo": "ZS-2024-0001",
  "applicants": [{"name": "张三", "idCardNo": "44010119900101123X"},
                 {"name": "李四", "idCardNo": "440101199002021234"}],
  "CaseStage": {"SBLSH": "SB001", "items": [1, 2.5, "x", null, true, {"k": [1]}]},
  "it's": {"": 0}
})";

// Compiling anything must return; what compiles must evaluate.
void exercise(const std::string& selector, const rapidjson::Value& document) {
  auto q = Query::compile(selector);
  if (!q.ok()) {
    BOOST_CHECK(q.error().code == "jsonpath.syntax" || q.error().code == "jsonpath.type");
    BOOST_CHECK(q.error().path.rfind("column ", 0) == 0);
    return;
  }
  std::vector<const rapidjson::Value*> out;
  q.value().select(document, out);
  BOOST_CHECK(q.value().selectWithPaths(document).size() == out.size());
}

std::vector<std::string> seedSelectors() {
  std::vector<std::string> seeds = {
      "$.bizNo",
      "$.applicants[0].idCardNo",
      "$.CaseStage.SBLSH",
      "$..items[?@ > 1]",
      "$.applicants[?match(@.idCardNo, '[0-9]{17}[0-9X]') && length(@.name) == 2].name",
      "$['it\\'s'][''][\"\\u00e9\\ud83d\\ude00\"]",
      "$..[::-1][1:3:2]",
      "$[?count(@..*) > 2 || !(value($.x) == null)]",
      "$.*[?search(@, \"^a|b$\")]",
      "$.a[-1, 0:2, 'b', *, ?@.c == 1.5e-3]"};
  std::ifstream in(HUITONG_SOURCE_DIR "/../shared/testdata/jsonpath-cts/cts.json");
  std::ostringstream text;
  text << in.rdbuf();
  auto cts = huitong::json::parse(text.str());
  if (cts.ok()) {
    for (const auto& c : cts.value()["tests"].GetArray())
      seeds.push_back(c["selector"].GetString());
  }
  return seeds;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(robustness)

BOOST_AUTO_TEST_CASE(truncated_and_mutated_selectors) {
  const auto document = doc(kSample);
  std::mt19937 rng(9535);
  const std::string alphabet = "$@.[]()?*:,'\"\\!=<>&|-+0123456789eEabcnu _\t\n中\xC3\xFF";
  for (const std::string& seed : seedSelectors()) {
    for (std::size_t n = 0; n <= seed.size(); ++n)
      exercise(seed.substr(0, n), document);
    for (int round = 0; round < 8; ++round) {
      std::string s = seed;
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits && !s.empty(); ++e) {
        const std::size_t at = rng() % s.size();
        switch (rng() % 3) {
          case 0:
            s[at] = alphabet[rng() % alphabet.size()];
            break;
          case 1:
            s.erase(at, 1);
            break;
          default:
            s.insert(at, 1, alphabet[rng() % alphabet.size()]);
            break;
        }
      }
      exercise(s, document);
    }
  }
}

BOOST_AUTO_TEST_CASE(random_selectors) {
  const auto document = doc(kSample);
  std::mt19937 rng(2024);
  const std::string alphabet = "$@.[]()?*:,'\"\\!=<>&|-0123456789aelnrstu _";
  for (int i = 0; i < 20000; ++i) {
    std::string s = "$";
    const std::size_t n = rng() % 24;
    for (std::size_t k = 0; k < n; ++k)
      s.push_back(alphabet[rng() % alphabet.size()]);
    exercise(s, document);
  }
}

BOOST_AUTO_TEST_CASE(deeply_nested_selectors_are_refused_not_recursed) {
  const auto document = doc(kSample);
  for (const char* open : {"(", "@[?", "length(", "!("}) {
    std::string s = "$[?";
    for (int i = 0; i < 100000; ++i)
      s += open;
    auto q = Query::compile(s);
    BOOST_REQUIRE(!q.ok());
    BOOST_TEST(q.error().message.find("nested too deeply") != std::string::npos, open);
  }
  std::string nested = "$[?";
  for (int i = 0; i < 20; ++i)
    nested += "(";
  nested += "@";
  for (int i = 0; i < 20; ++i)
    nested += ")";
  nested += "]";
  BOOST_TEST(Query::compile(nested).ok());
  // Long but flat: no recursion in the segment loop.
  std::string longQuery = "$";
  for (int i = 0; i < 100000; ++i)
    longQuery += ".a[0]";
  auto q = Query::compile(longQuery);
  BOOST_REQUIRE(q.ok());
  std::vector<const rapidjson::Value*> out;
  q.value().select(document, out);
  BOOST_TEST(out.empty());
}

// Built directly (the parser caps depth at 256): nested arrays ["x", ["x", ...]]. RapidJSON's
// own recursive functions (CopyFrom, Accept) are not used on it.
void buildDeep(rapidjson::Document& d, int depth) {
  d.SetArray();
  auto& alloc = d.GetAllocator();
  std::vector<rapidjson::Value> levels(static_cast<std::size_t>(depth));
  for (int i = depth - 1; i >= 0; --i) {
    levels[i].SetArray();
    levels[i].PushBack("x", alloc);
    if (i + 1 < depth)
      levels[i].PushBack(levels[i + 1], alloc);
  }
  d.PushBack(levels[0], alloc);
}

BOOST_AUTO_TEST_CASE(descendants_of_a_very_deep_document) {
  constexpr int kDepth = 200000;
  rapidjson::Document d;
  buildDeep(d, kDepth);
  auto all = Query::compile("$..[0]");
  BOOST_REQUIRE(all.ok());
  std::vector<const rapidjson::Value*> out;
  all.value().select(d, out);
  BOOST_TEST(out.size() == static_cast<std::size_t>(kDepth) + 1);
  out.clear();
  Query::compile("$..*[?@ == 'x']").value().select(d, out);
  BOOST_TEST(out.size() == static_cast<std::size_t>(kDepth));
  // With paths (each as long as its depth, so a shallower part of the same document).
  const rapidjson::Value* deep = &d[0];
  for (int i = 0; i < kDepth - 300; ++i)
    deep = &(*deep)[1];
  const auto nodes = Query::compile("$..[?@ == 'x']").value().selectWithPaths(*deep);
  BOOST_REQUIRE(nodes.size() == 300u);
  BOOST_TEST(nodes.back().path.size() == 1 + 299 * 3 + 3);
  // Deep equality is iterative too.
  rapidjson::Document same;
  buildDeep(same, kDepth);
  const auto filter = huitong::jsonpath::Filter::compile("@[0] == $[0]").value();
  BOOST_TEST(filter.test(same, d));
  rapidjson::Document shorter;
  buildDeep(shorter, kDepth - 1);
  BOOST_TEST(!filter.test(shorter, d));
}

BOOST_AUTO_TEST_CASE(wide_documents) {
  rapidjson::Document d(rapidjson::kArrayType);
  for (int i = 0; i < 200000; ++i)
    d.PushBack(i, d.GetAllocator());
  std::vector<const rapidjson::Value*> out;
  Query::compile("$[?@ % 2]").ok();  // not JSONPath; just must not crash
  Query::compile("$[?@ >= 199990]").value().select(d, out);
  BOOST_TEST(out.size() == 10u);
  out.clear();
  Query::compile("$[::-1]").value().select(d, out);
  BOOST_TEST(out.size() == 200000u);
  BOOST_TEST(out.front()->GetInt() == 199999);
  out.clear();
  Query::compile("$[-9007199254740991:9007199254740991:9007199254740991]").value().select(d, out);
  BOOST_TEST(out.size() == 1u);
}

BOOST_AUTO_TEST_CASE(singular_fast_path) {
  const auto document = doc(kSample);
  const char* const selectors[] = {"$.bizNo",           "$.applicants[0].idCardNo",
                                   "$.CaseStage.SBLSH", "$.applicants[-1].name",
                                   "$.missing.x",       "$.bizNo[0]",
                                   "$.applicants[5]",   "$.CaseStage.items[5].k[0]"};
  std::vector<Query> queries;
  for (const char* s : selectors) {
    queries.push_back(Query::compile(s).value());
    BOOST_TEST(queries.back().isSingular());
  }
  std::vector<const rapidjson::Value*> out;
  out.reserve(64);
  out.push_back(nullptr);  // select() appends
#if HUITONG_COUNT_ALLOCATIONS
  gAllocations = 0;
  gCounting = true;
#endif
  for (const Query& q : queries)
    q.select(document, out);
#if HUITONG_COUNT_ALLOCATIONS
  gCounting = false;
  BOOST_TEST(gAllocations == 0u);
#endif
  BOOST_REQUIRE(out.size() == 6u);
  BOOST_TEST(out[1]->GetString() == std::string("ZS-2024-0001"));
  BOOST_TEST(out[2]->GetString() == std::string("44010119900101123X"));
  BOOST_TEST(out[3]->GetString() == std::string("SB001"));
  BOOST_TEST(out[4]->GetString() == std::string("李四"));
  BOOST_TEST(out[5]->GetInt() == 1);
}

BOOST_AUTO_TEST_CASE(simple_selectors_throughput) {
  // Not a timed test (see tests/bench); prints the rate for the record.
  const auto document = doc(kSample);
  std::vector<Query> queries;
  for (const char* s : {"$.bizNo", "$.applicants[0].idCardNo", "$.CaseStage.SBLSH",
                        "$.applicants[1].name", "$.CaseStage.items[2]"}) {
    queries.push_back(Query::compile(s).value());
  }
  std::vector<const rapidjson::Value*> out;
  out.reserve(32);
  constexpr int kMessages = 200000;
  const auto start = std::chrono::steady_clock::now();
  std::size_t found = 0;
  for (int m = 0; m < kMessages; ++m) {
    out.clear();
    for (int rep = 0; rep < 4; ++rep) {
      for (const Query& q : queries)
        q.select(document, out);
    }
    found += out.size();
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(found == static_cast<std::size_t>(kMessages) * 20);
  std::cout << "jsonpath: 20 singular selects per message, "
            << static_cast<long>(kMessages / took.count()) << " messages/s\n";
}

BOOST_AUTO_TEST_SUITE_END()
