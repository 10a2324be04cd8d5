// libFuzzer target: JSONPath. The input is compiled as a query and, when it compiles,
// evaluated (fast path and with paths, which must agree) on a fixed document; it is also
// compiled as a standalone filter and tested against that document.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "gateway/core/Json.h"
#include "gateway/jsonpath/JsonPath.h"

namespace {

constexpr std::string_view kDocument = R"({
  "store": {
    "book": [
      {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
      {"category": "fiction", "author": "汪曾祺", "title": "受戒", "price": 12.99, "isbn": "0-553"},
      {"category": "fiction", "author": "Herman", "title": "Moby Dick", "price": 8.99,
       "tags": ["a", "b", ["c", {"d": null}]]}
    ],
    "bicycle": {"color": "red", "price": 399, "o": {"'": "\"", "\u0000": true}}
  },
  "a": [3, 5, 1, 2, 4, 6, -0.5, 1e300, "x", false, {"b": "j"}, {"b": "k"}, []],
  "": {"": 0}, "申请人": [{"姓名": "周建明"}]
})";

const rapidjson::Document& document() {
  static const rapidjson::Document* doc = [] {
    auto parsed = huitong::json::parse(kDocument);
    if (!parsed.ok()) {
      __builtin_trap();
    }
    return new rapidjson::Document(std::move(parsed.value()));
  }();
  return *doc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const rapidjson::Document& doc = document();
  auto query = huitong::jsonpath::Query::compile(text);
  if (query.ok()) {
    std::vector<const rapidjson::Value*> values;
    query.value().select(doc, values);
    const auto nodes = query.value().selectWithPaths(doc);
    if (nodes.size() != values.size()) {
      __builtin_trap();
    }
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i].value != values[i]) {
        __builtin_trap();
      }
    }
    if (query.value().isSingular() && nodes.size() > 1) {
      __builtin_trap();
    }
    // A normalized path is itself a query that selects exactly its node.
    for (std::size_t i = 0; i < nodes.size() && i < 4; ++i) {
      auto again = huitong::jsonpath::Query::compile(nodes[i].path);
      if (!again.ok()) {
        __builtin_trap();
      }
      std::vector<const rapidjson::Value*> one;
      again.value().select(doc, one);
      if (one.size() != 1 || one[0] != nodes[i].value) {
        __builtin_trap();
      }
    }
  }
  auto filter = huitong::jsonpath::Filter::compile(text);
  if (filter.ok()) {
    (void)filter.value().test(doc, doc);
    (void)filter.value().test(doc, doc["store"]["book"][1]);
    (void)filter.value().test(doc, doc["a"][6]);
  }
  return 0;
}
