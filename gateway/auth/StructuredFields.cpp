#include "gateway/auth/StructuredFields.h"

#include <array>

namespace huitong::auth::sf {
namespace {

bool isLcAlpha(char c) {
  return c >= 'a' && c <= 'z';
}
bool isAlpha(char c) {
  return isLcAlpha(c) || (c >= 'A' && c <= 'Z');
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// tchar (RFC 9110 §5.6.2).
bool isTchar(char c) {
  if (isAlpha(c) || isDigit(c))
    return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// A cursor over the field value; every parse step consumes or fails, so work is linear.
class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  bool atEnd() const { return pos_ >= s_.size(); }
  char peek() const { return atEnd() ? '\0' : s_[pos_]; }
  const std::string& error() const { return error_; }

  void skipSp() {
    while (!atEnd() && s_[pos_] == ' ')
      ++pos_;
  }
  void skipOws() {
    while (!atEnd() && (s_[pos_] == ' ' || s_[pos_] == '\t'))
      ++pos_;
  }

  bool fail(const char* why) {
    if (error_.empty())
      error_ = std::string(why) + " at offset " + std::to_string(pos_);
    return false;
  }

  bool parseDictionary(Dictionary& out) {
    while (!atEnd()) {
      std::string key;
      if (!parseKey(key))
        return false;
      Member member;
      if (peek() == '=') {
        ++pos_;
        if (peek() == '(') {
          member.isInnerList = true;
          if (!parseInnerList(member.innerList))
            return false;
        } else if (!parseItem(member.item)) {
          return false;
        }
      } else {
        member.item.value.type = BareItem::Type::kBoolean;
        member.item.value.integer = 1;
        if (!parseParameters(member.item.params))
          return false;
      }
      put(out, std::move(key), std::move(member));
      skipOws();
      if (atEnd())
        return true;
      if (peek() != ',')
        return fail("expected ',' between dictionary members");
      ++pos_;
      skipOws();
      if (atEnd())
        return fail("trailing ',' in dictionary");
    }
    return true;
  }

  bool parseItem(Item& out) { return parseBareItem(out.value) && parseParameters(out.params); }

 private:
  template <typename Map, typename Value>
  static void put(Map& map, std::string key, Value value) {
    for (auto& entry : map) {
      if (entry.first == key) {
        entry.second = std::move(value);
        return;
      }
    }
    map.emplace_back(std::move(key), std::move(value));
  }

  bool parseKey(std::string& key) {
    const char c = peek();
    if (!isLcAlpha(c) && c != '*')
      return fail("expected a key");
    const std::size_t start = pos_;
    while (!atEnd()) {
      const char k = s_[pos_];
      if (!(isLcAlpha(k) || isDigit(k) || k == '_' || k == '-' || k == '.' || k == '*'))
        break;
      ++pos_;
    }
    key.assign(s_.substr(start, pos_ - start));
    return true;
  }

  bool parseInnerList(InnerList& out) {
    ++pos_;  // '('
    while (!atEnd()) {
      skipSp();
      if (peek() == ')') {
        ++pos_;
        return parseParameters(out.params);
      }
      Item item;
      if (!parseItem(item))
        return false;
      out.items.push_back(std::move(item));
      if (peek() != ' ' && peek() != ')')
        return fail("expected ' ' or ')' in inner list");
    }
    return fail("unterminated inner list");
  }

  bool parseParameters(Parameters& out) {
    while (peek() == ';') {
      ++pos_;
      skipSp();
      std::string key;
      if (!parseKey(key))
        return false;
      BareItem value;
      value.type = BareItem::Type::kBoolean;
      value.integer = 1;
      if (peek() == '=') {
        ++pos_;
        if (!parseBareItem(value))
          return false;
      }
      put(out, std::move(key), std::move(value));
    }
    return true;
  }

  bool parseBareItem(BareItem& out) {
    const char c = peek();
    if (c == '-' || isDigit(c))
      return parseNumber(out);
    if (c == '"')
      return parseString(out);
    if (isAlpha(c) || c == '*')
      return parseToken(out);
    if (c == ':')
      return parseBytes(out);
    if (c == '?')
      return parseBoolean(out);
    return fail("expected an item");
  }

  // RFC 8941 §4.2.4: at most 15 integer digits, or 12 + '.' + 1..3 for a decimal.
  bool parseNumber(BareItem& out) {
    bool negative = false;
    if (peek() == '-') {
      negative = true;
      ++pos_;
    }
    if (!isDigit(peek()))
      return fail("expected a digit");
    std::int64_t intPart = 0;
    int intDigits = 0;
    while (isDigit(peek())) {
      if (++intDigits > 15)
        return fail("integer too long");
      intPart = intPart * 10 + (s_[pos_] - '0');
      ++pos_;
    }
    if (peek() != '.') {
      out.type = BareItem::Type::kInteger;
      out.integer = negative ? -intPart : intPart;
      return true;
    }
    if (intDigits > 12)
      return fail("decimal too long");
    ++pos_;
    std::int64_t frac = 0;
    int fracDigits = 0;
    while (isDigit(peek())) {
      if (++fracDigits > 3)
        return fail("decimal fraction too long");
      frac = frac * 10 + (s_[pos_] - '0');
      ++pos_;
    }
    if (fracDigits == 0)
      return fail("decimal ends with '.'");
    for (int i = fracDigits; i < 3; ++i)
      frac *= 10;
    out.type = BareItem::Type::kDecimal;
    out.integer = (negative ? -1 : 1) * (intPart * 1000 + frac);
    return true;
  }

  bool parseString(BareItem& out) {
    ++pos_;  // '"'
    std::string text;
    while (!atEnd()) {
      const char c = s_[pos_++];
      if (c == '\\') {
        if (atEnd())
          return fail("unterminated string escape");
        const char e = s_[pos_++];
        if (e != '"' && e != '\\')
          return fail("invalid string escape");
        text.push_back(e);
      } else if (c == '"') {
        out.type = BareItem::Type::kString;
        out.text = std::move(text);
        return true;
      } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
        return fail("invalid character in string");
      } else {
        text.push_back(c);
      }
    }
    return fail("unterminated string");
  }

  bool parseToken(BareItem& out) {
    const std::size_t start = pos_++;
    while (!atEnd() && (isTchar(s_[pos_]) || s_[pos_] == ':' || s_[pos_] == '/'))
      ++pos_;
    out.type = BareItem::Type::kToken;
    out.text.assign(s_.substr(start, pos_ - start));
    return true;
  }

  bool parseBytes(BareItem& out) {
    const std::size_t start = ++pos_;  // after ':'
    while (!atEnd() && s_[pos_] != ':') {
      const char c = s_[pos_];
      if (!(isAlpha(c) || isDigit(c) || c == '+' || c == '/' || c == '=')) {
        return fail("invalid character in byte sequence");
      }
      ++pos_;
    }
    if (atEnd())
      return fail("unterminated byte sequence");
    auto decoded = base64Decode(s_.substr(start, pos_ - start));
    if (!decoded)
      return fail("invalid base64 in byte sequence");
    ++pos_;  // ':'
    out.type = BareItem::Type::kBytes;
    out.text = std::move(*decoded);
    return true;
  }

  bool parseBoolean(BareItem& out) {
    ++pos_;  // '?'
    const char c = peek();
    if (c != '0' && c != '1')
      return fail("expected ?0 or ?1");
    ++pos_;
    out.type = BareItem::Type::kBoolean;
    out.integer = c == '1' ? 1 : 0;
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::string error_;
};

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view bytes, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(alphabet[v >> 18 & 63]);
    out.push_back(alphabet[v >> 12 & 63]);
    out.push_back(alphabet[v >> 6 & 63]);
    out.push_back(alphabet[v & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2)
      v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out.push_back(alphabet[v >> 18 & 63]);
    out.push_back(alphabet[v >> 12 & 63]);
    if (rest == 2)
      out.push_back(alphabet[v >> 6 & 63]);
    if (pad)
      out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

}  // namespace

std::optional<Dictionary> parseDictionary(std::string_view text, std::string* error) {
  Parser p(text);
  p.skipSp();
  Dictionary dict;
  bool ok = p.parseDictionary(dict);
  if (ok) {
    p.skipSp();
    if (!p.atEnd())
      ok = p.fail("unexpected text after dictionary");
  }
  if (!ok) {
    if (error)
      *error = p.error();
    return std::nullopt;
  }
  return dict;
}

std::optional<Item> parseItem(std::string_view text, std::string* error) {
  Parser p(text);
  p.skipSp();
  Item item;
  bool ok = p.parseItem(item);
  if (ok) {
    p.skipSp();
    if (!p.atEnd())
      ok = p.fail("unexpected text after item");
  }
  if (!ok) {
    if (error)
      *error = p.error();
    return std::nullopt;
  }
  return item;
}

std::string serialize(const BareItem& item) {
  switch (item.type) {
    case BareItem::Type::kInteger:
      return std::to_string(item.integer);
    case BareItem::Type::kDecimal: {
      const std::int64_t magnitude = item.integer < 0 ? -item.integer : item.integer;
      std::string frac = std::to_string(magnitude % 1000);
      frac.insert(0, 3 - frac.size(), '0');
      while (frac.size() > 1 && frac.back() == '0')
        frac.pop_back();
      return (item.integer < 0 ? "-" : "") + std::to_string(magnitude / 1000) + "." + frac;
    }
    case BareItem::Type::kString: {
      std::string out = "\"";
      for (char c : item.text) {
        if (c == '"' || c == '\\')
          out.push_back('\\');
        out.push_back(c);
      }
      out.push_back('"');
      return out;
    }
    case BareItem::Type::kToken:
      return item.text;
    case BareItem::Type::kBytes:
      return ":" + base64Encode(item.text) + ":";
    case BareItem::Type::kBoolean:
      return item.integer ? "?1" : "?0";
  }
  return {};
}

std::string serialize(const Parameters& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    out.push_back(';');
    out += key;
    if (!(value.type == BareItem::Type::kBoolean && value.integer == 1)) {
      out.push_back('=');
      out += serialize(value);
    }
  }
  return out;
}

std::string serialize(const Item& item) {
  return serialize(item.value) + serialize(item.params);
}

std::string serialize(const InnerList& list) {
  std::string out = "(";
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    if (i)
      out.push_back(' ');
    out += serialize(list.items[i]);
  }
  out.push_back(')');
  out += serialize(list.params);
  return out;
}

const Member* find(const Dictionary& dict, std::string_view key) {
  for (const auto& entry : dict) {
    if (entry.first == key)
      return &entry.second;
  }
  return nullptr;
}

const BareItem* find(const Parameters& params, std::string_view key) {
  for (const auto& entry : params) {
    if (entry.first == key)
      return &entry.second;
  }
  return nullptr;
}

std::string base64Encode(std::string_view bytes) {
  return encode(bytes, kBase64, true);
}

std::string base64UrlEncodeNoPad(std::string_view bytes) {
  return encode(bytes, kBase64Url, false);
}

std::optional<std::string> base64Decode(std::string_view text) {
  static const std::array<signed char, 256> kValue = [] {
    std::array<signed char, 256> t{};
    t.fill(-1);
    for (int i = 0; i < 64; ++i)
      t[static_cast<unsigned char>(kBase64[i])] = static_cast<signed char>(i);
    return t;
  }();
  std::size_t end = text.size();
  std::size_t padding = 0;
  while (end > 0 && text[end - 1] == '=' && padding < 2) {
    --end;
    ++padding;
  }
  if (padding > 0 && text.size() % 4 != 0)
    return std::nullopt;
  if (end % 4 == 1)
    return std::nullopt;
  std::string out;
  out.reserve(end / 4 * 3 + 2);
  unsigned acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < end; ++i) {
    const int v = kValue[static_cast<unsigned char>(text[i])];
    if (v < 0)
      return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace huitong::auth::sf
