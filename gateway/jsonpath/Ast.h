// Internal: the compiled form of a JSONPath query or filter (RFC 9535), shared by the parser
// and the evaluator. Built once by Parser, then immutable; nothing here is public API.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/jsonpath/IRegexp.h"

namespace huitong::jsonpath {

namespace detail {

// Declared types of function parameters and results (RFC 9535 §2.4.1).
enum class FunctionType { kValue, kLogical, kNodes };
enum class FunctionId { kLength, kCount, kMatch, kSearch, kValue };
enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct Expr;

// One step of a singular query: a member name or an array index (negative counts from the end).
struct Step {
  bool isName = true;
  std::string name;
  std::int64_t index = 0;
};

struct Selector {
  enum class Kind { kName, kWildcard, kIndex, kSlice, kFilter };
  Kind kind = Kind::kName;
  std::string name;        // kName, unescaped
  std::int64_t index = 0;  // kIndex
  bool hasStart = false;   // kSlice
  bool hasEnd = false;
  std::int64_t start = 0;
  std::int64_t end = 0;
  std::int64_t step = 1;
  std::unique_ptr<Expr> filter;  // kFilter, a logical expression
};

struct Segment {
  bool descendant = false;
  std::vector<Selector> selectors;
};

struct QueryAst {
  bool relative = false;  // starts at `@` rather than `$`
  std::vector<Segment> segments;
  // Only child segments holding one name or index selector (§2.3.5.1); then `steps` is the
  // whole query and evaluation is a loop of lookups.
  bool singular = true;
  std::vector<Step> steps;
};

// A filter expression node. Heap-allocated and never moved after construction, so `literal`
// may point into `literalText`.
struct Expr {
  enum class Kind { kOr, kAnd, kNot, kCompare, kLiteral, kQuery, kFunction };
  Kind kind = Kind::kLiteral;
  std::size_t offset = 0;  // byte offset in the source text, for error messages
  std::vector<std::unique_ptr<Expr>> children;  // or/and operands, not operand, compare sides,
                                                // function arguments
  CompareOp op = CompareOp::kEq;
  std::string literalText;
  rapidjson::Value literal;
  std::unique_ptr<QueryAst> query;
  FunctionId function = FunctionId::kLength;
  // match()/search() whose pattern is a string literal: compiled once. A literal that is not
  // valid I-Regexp makes the function always false (§2.4.6, §2.4.7).
  bool constantPattern = false;
  std::unique_ptr<Regex> regex;
};

}  // namespace detail

class QueryImpl {
 public:
  std::string text;
  detail::QueryAst ast;
};

class FilterImpl {
 public:
  std::string text;
  std::unique_ptr<detail::Expr> expr;
};

}  // namespace huitong::jsonpath
