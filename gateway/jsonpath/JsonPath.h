// JSONPath (RFC 9535) over RapidJSON values: compile once, evaluate many times.
// Complete: segments, selectors, filters, comparisons, the function extensions length(),
// count(), value(), match() and search() with I-Regexp (RFC 9485) semantics.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/core/Error.h"

namespace huitong::jsonpath {

// One node of a result nodelist: the value and its location.
struct Node {
  const rapidjson::Value* value;
  std::string path;  // normalized path (RFC 9535 §2.7), e.g. $['a'][0]
};

class QueryImpl;

// A compiled query. Immutable after compile(); evaluate from any number of threads.
class Query {
 public:
  // Parses a query. Errors have code "jsonpath.syntax" (or "jsonpath.type" for a well-formed
  // but ill-typed function use); message says what was expected and path is
  // "column N" (1-based code point position of the offending character).
  static Result<Query> compile(std::string_view text);

  // Nodelist values in RFC 9535 order, appended to out. The fast path: no paths built.
  void select(const rapidjson::Value& root, std::vector<const rapidjson::Value*>& out) const;
  // Nodelist with normalized paths (for traces, errors and `huitong jsonpath --paths`).
  std::vector<Node> selectWithPaths(const rapidjson::Value& root) const;

  // True when the query is singular (RFC 9535 §2.3.5.1: only name and index selectors).
  bool isSingular() const;
  const std::string& text() const;

 private:
  std::shared_ptr<const QueryImpl> impl_;
};

class FilterImpl;

// A standalone filter expression (the text inside `[?...]`), used by mapping conditions:
// `@` is the current record and `$` the whole message.
class Filter {
 public:
  static Result<Filter> compile(std::string_view text);
  bool test(const rapidjson::Value& root, const rapidjson::Value& current) const;
  const std::string& text() const;

 private:
  std::shared_ptr<const FilterImpl> impl_;
};

// Appends a normalized-path segment for a member name (escaping per RFC 9535 §2.7).
void appendNameSegment(std::string& path, std::string_view name);
void appendIndexSegment(std::string& path, std::size_t index);

}  // namespace huitong::jsonpath
