#include "gateway/jsonpath/Parser.h"

#include <charconv>
#include <cmath>
#include <optional>
#include <utility>

#include "gateway/jsonpath/Utf8.h"

namespace huitong::jsonpath::detail {
namespace {

// I-JSON's exact integer range (RFC 9535 §2.1): indices and slice bounds must lie in it.
constexpr std::int64_t kMaxExactInt = 9007199254740991;  // 2^53 - 1
// Bounds parser (and so evaluator) recursion: parentheses, nested filters, function calls.
constexpr int kMaxNesting = 64;

bool isBlank(int c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool isDigit(int c) {
  return c >= '0' && c <= '9';
}
bool isAlpha(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
// Bytes >= 0x80 belong to non-ASCII code points, all of which may appear in a member name
// shorthand (the text is valid UTF-8 by then, so surrogates cannot occur).
bool isNameFirst(int c) {
  return isAlpha(c) || c == '_' || c >= 0x80;
}
bool isNameChar(int c) {
  return isNameFirst(c) || isDigit(c);
}
int hexValue(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

struct FunctionSignature {
  std::string_view name;
  FunctionId id;
  FunctionType result;
  std::vector<FunctionType> params;
};

const std::vector<FunctionSignature>& functionTable() {
  static const std::vector<FunctionSignature> table = {
      {"length", FunctionId::kLength, FunctionType::kValue, {FunctionType::kValue}},
      {"count", FunctionId::kCount, FunctionType::kValue, {FunctionType::kNodes}},
      {"match",
       FunctionId::kMatch,
       FunctionType::kLogical,
       {FunctionType::kValue, FunctionType::kValue}},
      {"search",
       FunctionId::kSearch,
       FunctionType::kLogical,
       {FunctionType::kValue, FunctionType::kValue}},
      {"value", FunctionId::kValue, FunctionType::kValue, {FunctionType::kNodes}},
  };
  return table;
}

const FunctionSignature& signatureOf(FunctionId id) {
  for (const auto& sig : functionTable()) {
    if (sig.id == id)
      return sig;
  }
  assert(false);
  return functionTable().front();
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<void> query(QueryAst& out) {
    if (!checkEncoding())
      return takeError();
    if (peek() != '$') {
      fail(0, "expected '$' at the start of the query");
      return takeError();
    }
    ++pos_;
    out.relative = false;
    if (!parseSegments(out))
      return takeError();
    if (!atEnd()) {
      std::size_t at = pos_;
      while (at < text_.size() && isBlank(static_cast<unsigned char>(text_[at])))
        ++at;
      if (at == text_.size()) {
        fail(pos_, "unexpected whitespace at the end of the query");
      } else {
        fail(at, "expected '.', '[' or the end of the query");
      }
      return takeError();
    }
    return {};
  }

  Result<std::unique_ptr<Expr>> filter() {
    if (!checkEncoding())
      return takeError();
    skipBlanks();
    auto expr = parseOr();
    if (!expr || !requireLogical(*expr))
      return takeError();
    skipBlanks();
    if (!atEnd()) {
      fail(pos_, "expected '&&', '||' or the end of the filter");
      return takeError();
    }
    return Result<std::unique_ptr<Expr>>(std::move(expr));
  }

 private:
  class NestingGuard {
   public:
    explicit NestingGuard(int& depth) : depth_(depth) { ++depth_; }
    ~NestingGuard() { --depth_; }
    NestingGuard(const NestingGuard&) = delete;
    NestingGuard& operator=(const NestingGuard&) = delete;

   private:
    int& depth_;
  };

  bool atEnd() const { return pos_ >= text_.size(); }
  int peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? static_cast<unsigned char>(text_[pos_ + ahead]) : -1;
  }
  void skipBlanks() {
    while (isBlank(peek()))
      ++pos_;
  }

  bool fail(std::size_t offset, std::string message, const char* code = "jsonpath.syntax") {
    if (!error_) {
      error_ = Error{code, std::move(message), "column " + std::to_string(columnOf(text_, offset))};
    }
    return false;
  }
  Error takeError() {
    assert(error_);
    return std::move(*error_);
  }

  bool checkEncoding() {
    const std::size_t bad = findInvalidUtf8(text_);
    if (bad != std::string_view::npos)
      return fail(bad, "invalid UTF-8");
    return true;
  }

  // *(S segment): stops (giving back any whitespace) before anything that is not a segment.
  bool parseSegments(QueryAst& q) {
    for (;;) {
      const std::size_t save = pos_;
      skipBlanks();
      const int c = peek();
      if (c == '[') {
        Segment seg;
        if (!parseBracketed(seg))
          return false;
        q.segments.push_back(std::move(seg));
      } else if (c == '.' && peek(1) == '.') {
        pos_ += 2;
        Segment seg;
        seg.descendant = true;
        const int n = peek();
        if (n == '[') {
          if (!parseBracketed(seg))
            return false;
        } else if (!parseDotted(seg, "expected a member name, '*' or '[' after '..'")) {
          return false;
        }
        q.segments.push_back(std::move(seg));
      } else if (c == '.') {
        ++pos_;
        Segment seg;
        if (!parseDotted(seg, "expected a member name or '*' after '.'"))
          return false;
        q.segments.push_back(std::move(seg));
      } else {
        pos_ = save;
        break;
      }
    }
    finishQuery(q);
    return true;
  }

  static void finishQuery(QueryAst& q) {
    q.singular = true;
    for (const auto& seg : q.segments) {
      if (seg.descendant || seg.selectors.size() != 1 ||
          (seg.selectors[0].kind != Selector::Kind::kName &&
           seg.selectors[0].kind != Selector::Kind::kIndex)) {
        q.singular = false;
        break;
      }
    }
    q.steps.clear();
    if (!q.singular)
      return;
    for (const auto& seg : q.segments) {
      const Selector& s = seg.selectors[0];
      Step step;
      step.isName = s.kind == Selector::Kind::kName;
      step.name = s.name;
      step.index = s.index;
      q.steps.push_back(std::move(step));
    }
  }

  // After '.' or '..': '*' or a member-name shorthand.
  bool parseDotted(Segment& seg, const char* expected) {
    Selector sel;
    if (peek() == '*') {
      ++pos_;
      sel.kind = Selector::Kind::kWildcard;
    } else if (isNameFirst(peek())) {
      const std::size_t start = pos_;
      while (isNameChar(peek()))
        ++pos_;
      sel.kind = Selector::Kind::kName;
      sel.name.assign(text_.substr(start, pos_ - start));
    } else {
      return fail(pos_, expected);
    }
    seg.selectors.push_back(std::move(sel));
    return true;
  }

  bool parseBracketed(Segment& seg) {
    ++pos_;  // '['
    skipBlanks();
    for (;;) {
      Selector sel;
      if (!parseSelector(sel))
        return false;
      seg.selectors.push_back(std::move(sel));
      skipBlanks();
      if (peek() == ',') {
        ++pos_;
        skipBlanks();
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return true;
      }
      return fail(pos_, "expected ']' or ','");
    }
  }

  bool parseSelector(Selector& sel) {
    const int c = peek();
    if (c == '\'' || c == '"') {
      sel.kind = Selector::Kind::kName;
      return parseString(sel.name);
    }
    if (c == '*') {
      ++pos_;
      sel.kind = Selector::Kind::kWildcard;
      return true;
    }
    if (c == '?') {
      ++pos_;
      skipBlanks();
      sel.kind = Selector::Kind::kFilter;
      sel.filter = parseOr();
      return sel.filter && requireLogical(*sel.filter);
    }
    if (c == '-' || isDigit(c) || c == ':')
      return parseIndexOrSlice(sel);
    return fail(pos_, "expected a selector: a quoted name, '*', an index, a slice or '?'");
  }

  bool parseIndexOrSlice(Selector& sel) {
    std::int64_t first = 0;
    const bool hasFirst = peek() != ':';
    if (hasFirst && !parseInt(first))
      return false;
    const std::size_t save = pos_;
    skipBlanks();
    if (peek() != ':') {
      pos_ = save;
      sel.kind = Selector::Kind::kIndex;
      sel.index = first;
      return true;
    }
    ++pos_;
    sel.kind = Selector::Kind::kSlice;
    sel.hasStart = hasFirst;
    sel.start = first;
    skipBlanks();
    if (peek() == '-' || isDigit(peek())) {
      if (!parseInt(sel.end))
        return false;
      sel.hasEnd = true;
      skipBlanks();
    }
    if (peek() == ':') {
      ++pos_;
      skipBlanks();
      if (peek() == '-' || isDigit(peek())) {
        if (!parseInt(sel.step))
          return false;
      }
    }
    return true;
  }

  // int = "0" / ["-"] DIGIT1 *DIGIT, within ±(2^53 - 1).
  bool parseInt(std::int64_t& out) {
    const std::size_t start = pos_;
    bool negative = false;
    if (peek() == '-') {
      negative = true;
      ++pos_;
    }
    if (!isDigit(peek()))
      return fail(pos_, "expected a digit");
    if (peek() == '0') {
      if (negative)
        return fail(start, "-0 is not a valid integer here");
      ++pos_;
      if (isDigit(peek()))
        return fail(pos_, "leading zeros are not allowed");
      out = 0;
      return true;
    }
    std::int64_t value = 0;
    while (isDigit(peek())) {
      value = value * 10 + (peek() - '0');
      if (value > kMaxExactInt)
        return fail(start, "integer out of range (beyond 2^53 - 1)");
      ++pos_;
    }
    out = negative ? -value : value;
    return true;
  }

  bool parseHex4(unsigned& out) {
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = hexValue(peek());
      if (h < 0)
        return fail(pos_, "expected 4 hexadecimal digits after '\\u'");
      out = out * 16 + static_cast<unsigned>(h);
      ++pos_;
    }
    return true;
  }

  bool parseString(std::string& out) {
    const int quote = peek();
    const std::size_t start = pos_;
    ++pos_;
    for (;;) {
      if (atEnd())
        return fail(start, "unterminated string literal");
      const int c = peek();
      if (c == quote) {
        ++pos_;
        return true;
      }
      if (c < 0x20)
        return fail(pos_, "control characters must be escaped in string literals");
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      const std::size_t escape = pos_;
      ++pos_;
      const int e = peek();
      switch (e) {
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case '/':
          out.push_back('/');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '\'':
        case '"':
          if (e != quote)
            return fail(escape, "invalid escape sequence");
          out.push_back(static_cast<char>(e));
          break;
        case 'u': {
          ++pos_;
          unsigned cp = 0;
          if (!parseHex4(cp))
            return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF)
            return fail(escape, "unpaired low surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (peek() != '\\' || peek(1) != 'u') {
              return fail(escape, "high surrogate must be followed by a low surrogate");
            }
            pos_ += 2;
            unsigned low = 0;
            if (!parseHex4(low))
              return false;
            if (low < 0xDC00 || low > 0xDFFF) {
              return fail(escape, "high surrogate must be followed by a low surrogate");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          appendUtf8(out, cp);
          continue;  // pos_ already past the escape
        }
        default:
          return fail(escape, "invalid escape sequence");
      }
      ++pos_;
    }
  }

  // logical-or-expr; operands are returned bare so that function arguments can tell a lone
  // query or literal from a logical expression. Callers in logical context use requireLogical.
  std::unique_ptr<Expr> parseOr() {
    NestingGuard guard(depth_);
    if (depth_ > kMaxNesting) {
      fail(pos_, "expression nested too deeply");
      return nullptr;
    }
    return parseChain(Expr::Kind::kOr, '|');
  }

  std::unique_ptr<Expr> parseChain(Expr::Kind kind, char op) {
    const std::size_t start = pos_;
    auto first = kind == Expr::Kind::kOr ? parseChain(Expr::Kind::kAnd, '&') : parseBasic();
    if (!first)
      return nullptr;
    std::size_t save = pos_;
    skipBlanks();
    if (peek() != op || peek(1) != op) {
      pos_ = save;
      return first;
    }
    if (!requireLogical(*first))
      return nullptr;
    auto node = std::make_unique<Expr>();
    node->kind = kind;
    node->offset = start;
    node->children.push_back(std::move(first));
    while (peek() == op && peek(1) == op) {
      pos_ += 2;
      skipBlanks();
      auto next = kind == Expr::Kind::kOr ? parseChain(Expr::Kind::kAnd, '&') : parseBasic();
      if (!next || !requireLogical(*next))
        return nullptr;
      node->children.push_back(std::move(next));
      save = pos_;
      skipBlanks();
    }
    pos_ = save;
    return node;
  }

  std::unique_ptr<Expr> parseBasic() {
    const std::size_t start = pos_;
    if (peek() == '!') {
      ++pos_;
      skipBlanks();
      std::unique_ptr<Expr> operand;
      if (peek() == '(') {
        operand = parseParen();
      } else {
        const std::size_t at = pos_;
        operand = parsePrimary();
        if (operand && operand->kind == Expr::Kind::kLiteral) {
          fail(at, "expected a query, a function or '(' after '!'");
          return nullptr;
        }
        if (operand && !requireLogical(*operand))
          return nullptr;
      }
      if (!operand)
        return nullptr;
      auto node = std::make_unique<Expr>();
      node->kind = Expr::Kind::kNot;
      node->offset = start;
      node->children.push_back(std::move(operand));
      return node;
    }
    if (peek() == '(')
      return parseParen();

    auto lhs = parsePrimary();
    if (!lhs)
      return nullptr;
    const std::size_t save = pos_;
    skipBlanks();
    const std::optional<CompareOp> op = parseCompareOp();
    if (!op) {
      pos_ = save;
      return lhs;
    }
    skipBlanks();
    auto rhs = parsePrimary();
    if (!rhs || !requireComparable(*lhs) || !requireComparable(*rhs))
      return nullptr;
    auto node = std::make_unique<Expr>();
    node->kind = Expr::Kind::kCompare;
    node->offset = start;
    node->op = *op;
    node->children.push_back(std::move(lhs));
    node->children.push_back(std::move(rhs));
    return node;
  }

  std::optional<CompareOp> parseCompareOp() {
    const int a = peek();
    const int b = peek(1);
    if (a == '=' && b == '=') {
      pos_ += 2;
      return CompareOp::kEq;
    }
    if (a == '!' && b == '=') {
      pos_ += 2;
      return CompareOp::kNe;
    }
    if (a == '<' || a == '>') {
      const bool orEqual = b == '=';
      pos_ += orEqual ? 2 : 1;
      if (a == '<')
        return orEqual ? CompareOp::kLe : CompareOp::kLt;
      return orEqual ? CompareOp::kGe : CompareOp::kGt;
    }
    return std::nullopt;
  }

  // "(" S logical-expr S ")": always a logical expression, even around a lone query.
  std::unique_ptr<Expr> parseParen() {
    const std::size_t start = pos_;
    ++pos_;
    skipBlanks();
    auto inner = parseOr();
    if (!inner || !requireLogical(*inner))
      return nullptr;
    skipBlanks();
    if (peek() != ')') {
      fail(pos_, "expected ')'");
      return nullptr;
    }
    ++pos_;
    if (inner->kind != Expr::Kind::kQuery && inner->kind != Expr::Kind::kFunction)
      return inner;
    auto node = std::make_unique<Expr>();
    node->kind = Expr::Kind::kOr;
    node->offset = start;
    node->children.push_back(std::move(inner));
    return node;
  }

  // A literal, a query (`@...` or `$...`) or a function call.
  std::unique_ptr<Expr> parsePrimary() {
    const std::size_t start = pos_;
    const int c = peek();
    auto node = std::make_unique<Expr>();
    node->offset = start;
    if (c == '@' || c == '$') {
      ++pos_;
      node->kind = Expr::Kind::kQuery;
      node->query = std::make_unique<QueryAst>();
      node->query->relative = c == '@';
      if (!parseSegments(*node->query))
        return nullptr;
      return node;
    }
    if (c == '\'' || c == '"') {
      node->kind = Expr::Kind::kLiteral;
      if (!parseString(node->literalText))
        return nullptr;
      node->literal.SetString(rapidjson::StringRef(
          node->literalText.data(), static_cast<rapidjson::SizeType>(node->literalText.size())));
      return node;
    }
    if (c == '-' || isDigit(c)) {
      node->kind = Expr::Kind::kLiteral;
      if (!parseNumber(node->literal))
        return nullptr;
      return node;
    }
    if (c >= 'a' && c <= 'z') {
      while ((peek() >= 'a' && peek() <= 'z') || isDigit(peek()) || peek() == '_')
        ++pos_;
      const std::string_view name = text_.substr(start, pos_ - start);
      if (peek() == '(')
        return parseFunction(name, start);
      node->kind = Expr::Kind::kLiteral;
      if (name == "true") {
        node->literal.SetBool(true);
      } else if (name == "false") {
        node->literal.SetBool(false);
      } else if (name == "null") {
        node->literal.SetNull();
      } else {
        fail(start, "expected true, false, null or a function call");
        return nullptr;
      }
      return node;
    }
    fail(start, "expected a query, a literal or a function call");
    return nullptr;
  }

  // number = (int / "-0") [ frac ] [ exp ]
  bool parseNumber(rapidjson::Value& out) {
    const std::size_t start = pos_;
    if (peek() == '-')
      ++pos_;
    if (!isDigit(peek()))
      return fail(pos_, "expected a digit");
    if (peek() == '0') {
      ++pos_;
      if (isDigit(peek()))
        return fail(pos_, "leading zeros are not allowed");
    } else {
      while (isDigit(peek()))
        ++pos_;
    }
    bool integral = true;
    bool negativeExponent = false;
    if (peek() == '.') {
      ++pos_;
      integral = false;
      if (!isDigit(peek()))
        return fail(pos_, "expected a digit after '.'");
      while (isDigit(peek()))
        ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      integral = false;
      if (peek() == '+' || peek() == '-') {
        negativeExponent = peek() == '-';
        ++pos_;
      }
      if (!isDigit(peek()))
        return fail(pos_, "expected a digit in the exponent");
      while (isDigit(peek()))
        ++pos_;
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    if (integral) {
      std::int64_t i = 0;
      const auto r = std::from_chars(first, last, i);
      if (r.ec == std::errc() && r.ptr == last) {
        out.SetInt64(i);
        return true;
      }
    }
    double d = 0;
    const auto r = std::from_chars(first, last, d);
    if (r.ec == std::errc::result_out_of_range) {
      const bool negative = *first == '-';
      d = negativeExponent ? 0.0 : HUGE_VAL;
      if (negative)
        d = -d;
    } else if (r.ec != std::errc() || r.ptr != last) {
      return fail(start, "invalid number");
    }
    out.SetDouble(d);
    return true;
  }

  std::unique_ptr<Expr> parseFunction(std::string_view name, std::size_t start) {
    const FunctionSignature* sig = nullptr;
    for (const auto& candidate : functionTable()) {
      if (candidate.name == name)
        sig = &candidate;
    }
    if (!sig) {
      fail(start, "unknown function '" + std::string(name) +
                      "' (expected length, count, match, search or value)");
      return nullptr;
    }
    auto node = std::make_unique<Expr>();
    node->kind = Expr::Kind::kFunction;
    node->offset = start;
    node->function = sig->id;
    ++pos_;  // '('
    skipBlanks();
    if (peek() != ')') {
      for (;;) {
        auto arg = parseOr();
        if (!arg)
          return nullptr;
        node->children.push_back(std::move(arg));
        skipBlanks();
        if (peek() == ',') {
          ++pos_;
          skipBlanks();
          continue;
        }
        if (peek() == ')')
          break;
        fail(pos_, "expected ')' or ','");
        return nullptr;
      }
    }
    ++pos_;  // ')'
    if (node->children.size() != sig->params.size()) {
      fail(start,
           std::string(name) + "() takes " + std::to_string(sig->params.size()) +
               (sig->params.size() == 1 ? " argument" : " arguments"),
           "jsonpath.type");
      return nullptr;
    }
    for (std::size_t i = 0; i < sig->params.size(); ++i) {
      if (!checkArgument(*node->children[i], sig->params[i], name))
        return nullptr;
    }
    if (sig->id == FunctionId::kMatch || sig->id == FunctionId::kSearch) {
      const Expr& pattern = *node->children[1];
      if (pattern.kind == Expr::Kind::kLiteral) {
        node->constantPattern = true;
        if (pattern.literal.IsString()) {
          auto compiled = Regex::compile(pattern.literalText, Regex::Dialect::kIRegexp);
          if (compiled.ok())
            node->regex = std::make_unique<Regex>(std::move(compiled).value());
        }
      }
    }
    return node;
  }

  static FunctionType resultOf(const Expr& e) { return signatureOf(e.function).result; }

  bool checkArgument(const Expr& arg, FunctionType type, std::string_view function) {
    const std::string where = std::string(function) + "() argument ";
    switch (type) {
      case FunctionType::kValue:
        if (arg.kind == Expr::Kind::kLiteral)
          return true;
        if (arg.kind == Expr::Kind::kQuery && arg.query->singular)
          return true;
        if (arg.kind == Expr::Kind::kFunction && resultOf(arg) == FunctionType::kValue)
          return true;
        return fail(arg.offset,
                    where +
                        "must be a value: a literal, a singular query or a "
                        "value-returning function",
                    "jsonpath.type");
      case FunctionType::kNodes:
        if (arg.kind == Expr::Kind::kQuery)
          return true;
        if (arg.kind == Expr::Kind::kFunction && resultOf(arg) == FunctionType::kNodes)
          return true;
        return fail(arg.offset, where + "must be a query", "jsonpath.type");
      case FunctionType::kLogical:
        if (arg.kind == Expr::Kind::kLiteral ||
            (arg.kind == Expr::Kind::kFunction && resultOf(arg) == FunctionType::kValue)) {
          return fail(arg.offset, where + "must be a logical expression", "jsonpath.type");
        }
        return true;
    }
    return true;
  }

  // A test-expr or logical operand: literals and value-returning functions are not.
  bool requireLogical(const Expr& e) {
    if (e.kind == Expr::Kind::kLiteral) {
      return fail(e.offset, "a literal is not a test; compare it with ==, !=, <, <=, > or >=");
    }
    if (e.kind == Expr::Kind::kFunction && resultOf(e) == FunctionType::kValue) {
      return fail(e.offset,
                  std::string(signatureOf(e.function).name) +
                      "() returns a value, not a logical result: compare it",
                  "jsonpath.type");
    }
    return true;
  }

  bool requireComparable(const Expr& e) {
    if (e.kind == Expr::Kind::kQuery && !e.query->singular) {
      return fail(e.offset, "comparisons need a singular query (member names and indices only)");
    }
    if (e.kind == Expr::Kind::kFunction && resultOf(e) != FunctionType::kValue) {
      return fail(e.offset,
                  std::string(signatureOf(e.function).name) +
                      "() returns a logical result, which cannot be compared",
                  "jsonpath.type");
    }
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::optional<Error> error_;
};

}  // namespace

Result<void> parseQuery(std::string_view text, QueryAst& out) {
  return Parser(text).query(out);
}

Result<std::unique_ptr<Expr>> parseFilter(std::string_view text) {
  return Parser(text).filter();
}

std::size_t columnOf(std::string_view text, std::size_t offset) {
  if (offset > text.size())
    offset = text.size();
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
      ++column;
  }
  return column;
}

}  // namespace huitong::jsonpath::detail
