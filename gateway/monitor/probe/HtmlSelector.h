// A small CSS-like selector for taking a value out of an HTML page (a CSRF token, a hidden
// field): one compound selector — an optional tag name, then any number of #id, .class,
// [attr], [attr=value] (value bare, 'single' or "double" quoted) — matched against the start
// tags of the page in document order; the first match wins. No combinators, no pseudo-classes:
// a page that needs more is read with a regex. Attribute values are entity-decoded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/Error.h"

namespace huitong::monitor::probe {

class HtmlSelector {
 public:
  // Error code "probe.selector" naming the column of the offending character.
  static Result<HtmlSelector> compile(std::string_view text);

  // The attribute `attribute` of the first element matching (nullopt: no element matches, or
  // the first one lacks the attribute). `attribute` "text" takes the element's text up to the
  // next tag, trimmed.
  std::optional<std::string> extract(std::string_view html, const std::string& attribute) const;
  // Whether some element matches.
  bool matches(std::string_view html) const;
  const std::string& text() const { return text_; }

 private:
  struct Condition {
    std::string name;
    std::optional<std::string> value;  // nullopt: the attribute is present
    bool classWord = false;            // .class: one of the space-separated words
  };
  struct Element {
    std::string tag;
    std::vector<std::pair<std::string, std::string>> attributes;
    std::size_t end = 0;  // offset just after the start tag
  };

  bool matchesElement(const Element& e) const;
  // Calls `f` for each start tag until it returns true.
  template <typename F>
  static void forEachStartTag(std::string_view html, F f);

  std::string text_;
  std::string tag_;  // lower case; empty = any
  std::vector<Condition> conditions_;
};

// "&amp;" "&lt;" "&gt;" "&quot;" "&#39;" "&apos;" "&nbsp;" "&#NN;" "&#xHH;" decoded.
std::string decodeEntities(std::string_view s);

}  // namespace huitong::monitor::probe
