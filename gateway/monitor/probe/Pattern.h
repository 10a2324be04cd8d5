// A regular expression for page bodies and headers: PCRE2 (UTF-8, compiled once, thread-safe to
// match) with match and depth limits, so that a pathological pattern over a 4 MiB body ends
// with "gave up" instead of spinning the probe thread past its deadline.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/Error.h"

namespace huitong::monitor::probe {

class Pattern {
 public:
  // Error code "probe.regex" with PCRE2's words and the offset.
  static Result<Pattern> compile(const std::string& text);

  struct Match {
    bool found = false;
    bool gaveUp = false;              // the match limit was hit: no answer
    std::vector<std::string> groups;  // [0] = the whole match
  };
  Match search(std::string_view subject) const;
  const std::string& text() const { return text_; }
  unsigned groupCount() const { return groups_; }

 private:
  std::shared_ptr<void> code_;  // pcre2_code_8
  std::string text_;
  unsigned groups_ = 0;
};

}  // namespace huitong::monitor::probe
