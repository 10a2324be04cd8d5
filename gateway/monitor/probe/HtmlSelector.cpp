#include "gateway/monitor/probe/HtmlSelector.h"
#include "gateway/core/Html.h"

#include <cctype>

namespace huitong::monitor::probe {
namespace {

bool nameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' ||
         static_cast<unsigned char>(c) >= 0x80;
}

std::string lowerAscii(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Error selectorError(std::string_view text, std::size_t at, const std::string& why) {
  return Error{
      "probe.selector",
      "selector '" + std::string(text) + "': " + why + " at column " + std::to_string(at + 1), ""};
}

}  // namespace

std::string decodeEntities(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const auto semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += '&';
      continue;
    }
    const std::string_view name = s.substr(i + 1, semi - i - 1);
    if (!name.empty() && name[0] == '#') {
      const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
      const std::string digits(name.substr(hex ? 2 : 1));
      char* end = nullptr;
      const unsigned long cp = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
      if (digits.empty() || *end != '\0') {
        out += '&';
        continue;
      }
      appendCharacterReference(out, cp);
    } else if (name == "amp") {
      out += '&';
    } else if (name == "lt") {
      out += '<';
    } else if (name == "gt") {
      out += '>';
    } else if (name == "quot") {
      out += '"';
    } else if (name == "apos") {
      out += '\'';
    } else if (name == "nbsp") {
      out += "\xC2\xA0";
    } else {
      out += '&';
      continue;
    }
    i = semi;
  }
  return out;
}

Result<HtmlSelector> HtmlSelector::compile(std::string_view text) {
  HtmlSelector s;
  s.text_ = std::string(text);
  std::size_t i = 0;
  while (i < text.size() && nameChar(text[i]) && text[i] != ':')
    s.tag_ += text[i++];
  s.tag_ = lowerAscii(s.tag_);
  if (i < text.size() && text[i] == '*' && s.tag_.empty())
    ++i;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '#' || c == '.') {
      const std::size_t start = ++i;
      while (i < text.size() && nameChar(text[i]) && text[i] != ':')
        ++i;
      if (i == start)
        return selectorError(text, start, std::string("a name after '") + c + "'");
      Condition cond;
      cond.name = c == '#' ? "id" : "class";
      cond.value = std::string(text.substr(start, i - start));
      cond.classWord = c == '.';
      s.conditions_.push_back(cond);
    } else if (c == '[') {
      std::size_t start = ++i;
      while (i < text.size() && nameChar(text[i]))
        ++i;
      if (i == start)
        return selectorError(text, start, "an attribute name after '['");
      Condition cond;
      cond.name = lowerAscii(std::string(text.substr(start, i - start)));
      if (i < text.size() && text[i] == '=') {
        ++i;
        std::string value;
        if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
          const char quote = text[i++];
          const auto close = text.find(quote, i);
          if (close == std::string_view::npos)
            return selectorError(text, i - 1, "an unclosed quote");
          value = std::string(text.substr(i, close - i));
          i = close + 1;
        } else {
          start = i;
          while (i < text.size() && text[i] != ']')
            ++i;
          value = std::string(text.substr(start, i - start));
        }
        cond.value = value;
      }
      if (i >= text.size() || text[i] != ']')
        return selectorError(text, i, "']' expected (only [attr] and [attr=value] are known)");
      ++i;
      s.conditions_.push_back(cond);
    } else if (c == ' ' || c == '>' || c == '+' || c == '~') {
      return selectorError(text, i,
                           "combinators are not supported (one compound selector: tag#id.class"
                           "[attr=value])");
    } else if (c == ':') {
      return selectorError(text, i, "pseudo-classes are not supported");
    } else {
      return selectorError(text, i, std::string("unexpected '") + c + "'");
    }
  }
  if (s.tag_.empty() && s.conditions_.empty())
    return selectorError(text, 0, "empty selector");
  return s;
}

template <typename F>
void HtmlSelector::forEachStartTag(std::string_view html, F f) {
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    if (html.compare(i, 4, "<!--") == 0) {
      const auto end = html.find("-->", i + 4);
      if (end == std::string_view::npos)
        return;
      i = end + 3;
      continue;
    }
    ++i;
    if (i >= html.size() || !std::isalpha(static_cast<unsigned char>(html[i])))
      continue;
    Element e;
    while (i < html.size() && nameChar(html[i]))
      e.tag += static_cast<char>(std::tolower(static_cast<unsigned char>(html[i++])));
    for (;;) {
      while (i < html.size() &&
             (std::isspace(static_cast<unsigned char>(html[i])) || html[i] == '/'))
        ++i;
      if (i >= html.size())
        return;
      if (html[i] == '>') {
        ++i;
        break;
      }
      std::string name;
      while (i < html.size() && !std::isspace(static_cast<unsigned char>(html[i])) &&
             html[i] != '=' && html[i] != '>' && html[i] != '/')
        name += static_cast<char>(std::tolower(static_cast<unsigned char>(html[i++])));
      while (i < html.size() && std::isspace(static_cast<unsigned char>(html[i])))
        ++i;
      std::string value;
      if (i < html.size() && html[i] == '=') {
        ++i;
        while (i < html.size() && std::isspace(static_cast<unsigned char>(html[i])))
          ++i;
        if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
          const char quote = html[i++];
          const auto close = html.find(quote, i);
          if (close == std::string_view::npos)
            return;
          value = decodeEntities(html.substr(i, close - i));
          i = close + 1;
        } else {
          const std::size_t start = i;
          while (i < html.size() && !std::isspace(static_cast<unsigned char>(html[i])) &&
                 html[i] != '>')
            ++i;
          value = decodeEntities(html.substr(start, i - start));
        }
      }
      if (name.empty()) {
        ++i;  // a stray character: skip it rather than loop
        continue;
      }
      e.attributes.emplace_back(name, value);
    }
    e.end = i;
    if (f(e))
      return;
  }
}

bool HtmlSelector::matchesElement(const Element& e) const {
  if (!tag_.empty() && e.tag != tag_)
    return false;
  for (const Condition& c : conditions_) {
    bool found = false;
    for (const auto& [name, value] : e.attributes) {
      if (name != c.name)
        continue;
      if (!c.value) {
        found = true;
      } else if (c.classWord) {
        std::size_t p = 0;
        while (!found && p < value.size()) {
          const auto sp = value.find_first_of(" \t\n", p);
          found = value.substr(p, sp - p) == *c.value;
          p = sp == std::string::npos ? value.size() : sp + 1;
        }
      } else {
        found = value == *c.value;
      }
      break;
    }
    if (!found)
      return false;
  }
  return true;
}

std::optional<std::string> HtmlSelector::extract(std::string_view html,
                                                 const std::string& attribute) const {
  std::optional<std::string> out;
  const std::string attr = lowerAscii(attribute);
  forEachStartTag(html, [&](const Element& e) {
    if (!matchesElement(e))
      return false;
    if (attr == "text") {
      const auto lt = html.find('<', e.end);
      std::string t = decodeEntities(html.substr(e.end, lt - e.end));
      const auto b = t.find_first_not_of(" \t\r\n");
      out = b == std::string::npos ? "" : t.substr(b, t.find_last_not_of(" \t\r\n") - b + 1);
      return true;
    }
    for (const auto& [name, value] : e.attributes) {
      if (name == attr) {
        out = value;
        break;
      }
    }
    return true;
  });
  return out;
}

bool HtmlSelector::matches(std::string_view html) const {
  bool found = false;
  forEachStartTag(html, [&](const Element& e) { return found = matchesElement(e); });
  return found;
}

}  // namespace huitong::monitor::probe
