// I-Regexp (RFC 9485) checked and translated to PCRE2, compiled once. Used by JSONPath's
// match()/search() and by the mapping's regex transforms.
// kIRegexp follows RFC 9485 with one reading taken from the JSONPath CTS: an unescaped `^` or `$`
// anchors (start / very end of the subject) rather than matching itself. Compile errors have
// code "regex.syntax" and path "column N" (1-based code point column in the pattern).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "gateway/core/Error.h"

namespace huitong::jsonpath {

class RegexImpl;

// A compiled pattern. Immutable; matching is thread-safe (per-call match data).
class Regex {
 public:
  enum class Dialect {
    kIRegexp,  // RFC 9485 only: anything else is refused with the offending position
    kPcre      // full PCRE2 syntax (mapping transforms): \d, (?:...), named groups
  };
  static Result<Regex> compile(std::string_view pattern, Dialect dialect = Dialect::kIRegexp);

  // The whole subject matches (RFC 9485 §5.1 match semantics).
  bool fullMatch(std::string_view subject) const;
  // Some substring matches (search semantics).
  bool search(std::string_view subject) const;
  // First match: capture group `group` (0 = whole match) into out; false when no match or the
  // group did not participate.
  bool capture(std::string_view subject, int group, std::string& out) const;
  // Group number of a named group, or -1.
  int groupNumber(std::string_view name) const;
  const std::string& pattern() const;

 private:
  std::shared_ptr<const RegexImpl> impl_;
};

}  // namespace huitong::jsonpath
