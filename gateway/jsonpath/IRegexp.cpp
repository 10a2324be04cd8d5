#include "gateway/jsonpath/IRegexp.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cctype>
#include <optional>
#include <utility>
#include <vector>

#include "gateway/jsonpath/Utf8.h"

namespace huitong::jsonpath {

class RegexImpl {
 public:
  RegexImpl() = default;
  RegexImpl(const RegexImpl&) = delete;
  RegexImpl& operator=(const RegexImpl&) = delete;
  ~RegexImpl() {
    pcre2_code_free(anchored);
    pcre2_code_free(unanchored);
  }

  std::string pattern;
  // Two compilations, so that both match() and search() run under JIT (match-time anchoring
  // options would force PCRE2's interpreter).
  pcre2_code* anchored = nullptr;
  pcre2_code* unanchored = nullptr;
};

namespace {

Error regexError(std::string_view pattern, std::size_t offset, std::string message) {
  if (offset > pattern.size())
    offset = pattern.size();
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if ((static_cast<unsigned char>(pattern[i]) & 0xC0) != 0x80)
      ++column;
  }
  return Error{"regex.syntax", std::move(message), "column " + std::to_string(column)};
}

// Checks RFC 9485 syntax and writes the equivalent PCRE2 pattern. offsets[k] is the source
// offset that produced output byte k, to place PCRE2's own errors (bad ranges, huge counts).
class IRegexpTranslator {
 public:
  explicit IRegexpTranslator(std::string_view source) : src_(source) {}

  std::optional<Error> translate() {
    const std::size_t bad = detail::findInvalidUtf8(src_);
    if (bad != std::string_view::npos)
      return regexError(src_, bad, "invalid UTF-8");
    int depth = 0;
    bool quantifiable = false;
    while (pos_ < src_.size()) {
      const std::size_t at = pos_;
      const char32_t c = next();
      switch (c) {
        case '(':
          ++depth;
          emit("(", at);
          quantifiable = false;
          break;
        case ')':
          if (depth == 0)
            return regexError(src_, at, "unmatched ')'");
          --depth;
          emit(")", at);
          quantifiable = true;
          break;
        case '|':
          emit("|", at);
          quantifiable = false;
          break;
        case '*':
        case '+':
        case '?':
          if (!quantifiable)
            return regexError(src_, at, "quantifier without anything to repeat");
          emit(std::string(1, static_cast<char>(c)), at);
          quantifiable = false;
          break;
        case '{':
          if (!quantifiable)
            return regexError(src_, at, "quantifier without anything to repeat");
          if (auto e = rangeQuantifier(at))
            return e;
          quantifiable = false;
          break;
        case '}':
        case ']':
          return regexError(src_, at, "unescaped '" + std::string(1, static_cast<char>(c)) + "'");
        case '.':
          // RFC 9485 §5.3: any character but \n and \r.
          emit("[^\\n\\r]", at);
          quantifiable = true;
          break;
        case '[':
          if (auto e = charClassExpr(at))
            return e;
          quantifiable = true;
          break;
        case '\\':
          if (auto e = escape(at))
            return e;
          quantifiable = true;
          break;
        default:
          // NormalChar, plus '^' and '$' which the JSONPath CTS treats as anchors.
          if (c == '^' || c == '$') {
            emit(std::string(1, static_cast<char>(c)), at);
          } else {
            emitCodePoint(src_.substr(at, pos_ - at), at);
          }
          quantifiable = c != '^' && c != '$';
          break;
      }
    }
    if (depth != 0)
      return regexError(src_, src_.size(), "missing ')'");
    return std::nullopt;
  }

  const std::string& output() const { return out_; }
  std::size_t sourceOffset(std::size_t outputOffset) const {
    return outputOffset < offsets_.size() ? offsets_[outputOffset] : src_.size();
  }

 private:
  char32_t next() {
    char32_t cp = 0;
    const std::size_t n = detail::decodeUtf8(src_, pos_, cp);
    pos_ += n;
    return cp;
  }
  char32_t peek() const {
    if (pos_ >= src_.size())
      return static_cast<char32_t>(-1);
    char32_t cp = 0;
    detail::decodeUtf8(src_, pos_, cp);
    return cp;
  }
  void emit(std::string_view s, std::size_t at) {
    out_.append(s);
    offsets_.insert(offsets_.end(), s.size(), at);
  }
  void emitCodePoint(std::string_view bytes, std::size_t at) {
    const auto c = static_cast<unsigned char>(bytes[0]);
    // Quoting ASCII punctuation is always literal in PCRE2.
    if (bytes.size() == 1 && c > 0x20 && c < 0x80 && !std::isalnum(c)) {
      emit(std::string{'\\', static_cast<char>(c)}, at);
    } else {
      emit(bytes, at);
    }
  }

  // range-quantifier = "{" QuantExact [ "," [ QuantExact ] ] "}"
  std::optional<Error> rangeQuantifier(std::size_t at) {
    std::string q = "{";
    const auto digits = [&]() {
      const std::size_t start = pos_;
      while (pos_ < src_.size() && src_[pos_] >= '0' && src_[pos_] <= '9')
        q.push_back(src_[pos_++]);
      return pos_ > start;
    };
    if (!digits())
      return regexError(src_, pos_, "expected a number after '{'");
    if (peek() == ',') {
      q.push_back(',');
      ++pos_;
      digits();
    }
    if (peek() != '}')
      return regexError(src_, pos_, "expected '}'");
    ++pos_;
    q.push_back('}');
    emit(q, at);
    return std::nullopt;
  }

  // After '\': SingleCharEsc or \p{..} / \P{..} (the same set inside and outside [...]).
  std::optional<Error> escape(std::size_t at) {
    if (pos_ >= src_.size())
      return regexError(src_, at, "incomplete escape");
    const char32_t c = next();
    switch (c) {
      case '(':
      case ')':
      case '*':
      case '+':
      case '-':
      case '.':
      case '?':
      case '[':
      case '\\':
      case ']':
      case '^':
      case '{':
      case '|':
      case '}':
        emit(std::string{'\\', static_cast<char>(c)}, at);
        return std::nullopt;
      case 'n':
        emit("\\n", at);
        return std::nullopt;
      case 'r':
        emit("\\r", at);
        return std::nullopt;
      case 't':
        emit("\\t", at);
        return std::nullopt;
      case 'p':
      case 'P':
        return category(at, c == 'P');
      default:
        return regexError(src_, at, "escape not allowed in I-Regexp (RFC 9485)");
    }
  }

  // "{" IsCategory "}" after \p or \P.
  std::optional<Error> category(std::size_t at, bool complement) {
    if (peek() != '{')
      return regexError(src_, pos_, "expected '{' after \\p");
    ++pos_;
    const std::size_t start = pos_;
    while (pos_ < src_.size() && src_[pos_] != '}')
      ++pos_;
    if (pos_ >= src_.size())
      return regexError(src_, start, "expected '}'");
    const std::string_view name = src_.substr(start, pos_ - start);
    ++pos_;
    static constexpr std::string_view kMajor = "LMNPZSC";
    static constexpr std::string_view kMinor[] = {"lmotu", "cen",  "dlo", "cdefios",
                                                  "lps",   "ckmo", "cfno"};
    const std::size_t major = name.empty() ? std::string_view::npos : kMajor.find(name[0]);
    const bool valid = major != std::string_view::npos &&
                       (name.size() == 1 || (name.size() == 2 && kMinor[major].find(name[1]) !=
                                                                     std::string_view::npos));
    if (!valid)
      return regexError(src_, start, "unknown Unicode category");
    emit(std::string(complement ? "\\P{" : "\\p{") + std::string(name) + "}", at);
    return std::nullopt;
  }

  // charClassExpr = "[" [ "^" ] ( "-" / CCE1 ) *CCE1 [ "-" ] "]"
  std::optional<Error> charClassExpr(std::size_t at) {
    emit("[", at);
    if (peek() == '^') {
      ++pos_;
      emit("^", at);
    }
    bool first = true;
    for (;;) {
      const std::size_t here = pos_;
      if (pos_ >= src_.size())
        return regexError(src_, at, "missing ']'");
      const char32_t c = peek();
      if (c == ']') {
        if (first)
          return regexError(src_, here, "empty character class");
        ++pos_;
        emit("]", here);
        return std::nullopt;
      }
      if (c == '-') {
        ++pos_;
        if (!first && peek() != ']') {
          return regexError(src_, here, "'-' must be escaped here");
        }
        emit("\\-", here);
        first = false;
        continue;
      }
      first = false;
      bool isCategory = false;
      if (auto e = classChar(isCategory))
        return e;
      if (isCategory)
        continue;
      // A range needs '-' followed by something other than the closing ']'.
      if (peek() == '-' && pos_ + 1 < src_.size() && src_[pos_ + 1] != ']') {
        const std::size_t dash = pos_;
        ++pos_;
        emit("-", dash);
        if (auto e = classChar(isCategory))
          return e;
        if (isCategory)
          return regexError(src_, dash, "a category cannot end a range");
      }
    }
  }

  // CCchar or charClassEsc.
  std::optional<Error> classChar(bool& isCategory) {
    const std::size_t at = pos_;
    const char32_t c = next();
    isCategory = false;
    if (c == '\\') {
      if (pos_ < src_.size() && (src_[pos_] == 'p' || src_[pos_] == 'P'))
        isCategory = true;
      return escape(at);
    }
    if (c == '[' || c == ']' || c == '-') {
      return regexError(src_, at, "'" + std::string(1, static_cast<char>(c)) + "' must be escaped");
    }
    emitCodePoint(src_.substr(at, pos_ - at), at);
    return std::nullopt;
  }

  std::string_view src_;
  std::size_t pos_ = 0;
  std::string out_;
  std::vector<std::size_t> offsets_;
};

// Per-thread matching state: match data sized for "did it match" and a JIT stack larger than
// PCRE2's 32 KiB default. Never shared between threads, so matching needs no lock.
class ThreadMatchState {
 public:
  ThreadMatchState()
      : data_(pcre2_match_data_create(1, nullptr)),
        context_(pcre2_match_context_create(nullptr)),
        jitStack_(pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr)) {
    if (context_ && jitStack_)
      pcre2_jit_stack_assign(context_, nullptr, jitStack_);
  }
  ~ThreadMatchState() {
    pcre2_match_data_free(data_);
    pcre2_match_context_free(context_);
    pcre2_jit_stack_free(jitStack_);
  }
  ThreadMatchState(const ThreadMatchState&) = delete;
  ThreadMatchState& operator=(const ThreadMatchState&) = delete;
  pcre2_match_data* data() const { return data_; }
  pcre2_match_context* context() const { return context_; }

 private:
  pcre2_match_data* data_;
  pcre2_match_context* context_;
  pcre2_jit_stack* jitStack_;
};

ThreadMatchState& threadMatchState() {
  thread_local ThreadMatchState state;
  return state;
}

// pcre2_match, retried by the interpreter (which backtracks on the heap, within PCRE2's heap
// limit) when a pattern outgrows the JIT stack: a deep match must not read as "no match".
int runMatch(const pcre2_code* code, std::string_view subject, pcre2_match_data* data) {
  pcre2_match_context* context = threadMatchState().context();
  const auto* text = reinterpret_cast<PCRE2_SPTR>(subject.data());
  int rc = pcre2_match(code, text, subject.size(), 0, 0, data, context);
  if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
    rc = pcre2_match(code, text, subject.size(), 0, PCRE2_NO_JIT, data, context);
  }
  return rc;
}

bool matches(const pcre2_code* code, std::string_view subject) {
  pcre2_match_data* data = threadMatchState().data();
  if (!code || !data)
    return false;
  return runMatch(code, subject, data) >= 0;  // 0: matched; the ovector is too small to matter
}

std::string pcreMessage(int code) {
  PCRE2_UCHAR buffer[256];
  const int n = pcre2_get_error_message(code, buffer, sizeof buffer);
  return n < 0 ? "invalid pattern" : std::string(reinterpret_cast<const char*>(buffer));
}

}  // namespace

Result<Regex> Regex::compile(std::string_view pattern, Dialect dialect) {
  std::string translated;
  std::optional<IRegexpTranslator> translator;
  std::uint32_t options = PCRE2_UTF | PCRE2_UCP;
  if (dialect == Dialect::kIRegexp) {
    translator.emplace(pattern);
    if (auto e = translator->translate())
      return std::move(*e);
    translated = translator->output();
    options |= PCRE2_DOLLAR_ENDONLY;
  } else {
    translated.assign(pattern);
  }
  auto impl = std::make_shared<RegexImpl>();
  impl->pattern.assign(pattern);
  for (const bool anchored : {true, false}) {
    int code = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* compiled = pcre2_compile(
        reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
        options | (anchored ? PCRE2_ANCHORED | PCRE2_ENDANCHORED : 0u), &code, &offset, nullptr);
    if (!compiled) {
      const std::size_t at = translator ? translator->sourceOffset(offset) : offset;
      return regexError(pattern, at, pcreMessage(code));
    }
    pcre2_jit_compile(compiled, PCRE2_JIT_COMPLETE);  // optional: the interpreter is the fallback
    (anchored ? impl->anchored : impl->unanchored) = compiled;
  }
  Regex regex;
  regex.impl_ = std::move(impl);
  return regex;
}

bool Regex::fullMatch(std::string_view subject) const {
  return impl_ && matches(impl_->anchored, subject);
}

bool Regex::search(std::string_view subject) const {
  return impl_ && matches(impl_->unanchored, subject);
}

bool Regex::capture(std::string_view subject, int group, std::string& out) const {
  if (!impl_ || group < 0)
    return false;
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(impl_->unanchored, nullptr);
  if (!data)
    return false;
  bool found = false;
  const int rc = runMatch(impl_->unanchored, subject, data);
  if (rc > 0 && static_cast<std::uint32_t>(group) < pcre2_get_ovector_count(data)) {
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
    const PCRE2_SIZE begin = ovector[2 * group];
    const PCRE2_SIZE end = ovector[2 * group + 1];
    if (begin != PCRE2_UNSET && end != PCRE2_UNSET && begin <= end) {
      out.assign(subject.data() + begin, end - begin);
      found = true;
    }
  }
  pcre2_match_data_free(data);
  return found;
}

int Regex::groupNumber(std::string_view name) const {
  if (!impl_)
    return -1;
  const std::string key(name);
  const int n = pcre2_substring_number_from_name(impl_->unanchored,
                                                 reinterpret_cast<PCRE2_SPTR>(key.c_str()));
  return n >= 0 ? n : -1;
}

const std::string& Regex::pattern() const {
  static const std::string empty;
  return impl_ ? impl_->pattern : empty;
}

}  // namespace huitong::jsonpath
