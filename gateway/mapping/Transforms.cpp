#include "gateway/mapping/Transforms.h"

#include <algorithm>
#include <cstdio>

#include "gateway/core/Clock.h"
#include "gateway/core/Json.h"
#include "gateway/jsonpath/IRegexp.h"
#include "gateway/jsonpath/JsonPath.h"

namespace huitong::mapping {
namespace {

using validation::FieldFormat;
using validation::FieldSpec;

// ------------------------------------------------------------------ calendar arithmetic

// Fixed UTC offsets by name. China has had no daylight saving time since 1991, so the zones a
// department of Zhongshan can name are fixed offsets; a zone with DST is refused at load.
bool zoneOffset(const std::string& zone, int& minutes) {
  if (zone == "Z" || zone == "UTC" || zone == "GMT" || zone == "Etc/UTC") {
    minutes = 0;
    return true;
  }
  if (zone == "Asia/Shanghai" || zone == "Asia/Chongqing" || zone == "Asia/Hong_Kong" ||
      zone == "Asia/Macau" || zone == "Asia/Taipei" || zone == "PRC" || zone == "Beijing") {
    minutes = 480;
    return true;
  }
  if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' &&
      isdigit(static_cast<unsigned char>(zone[1])) &&
      isdigit(static_cast<unsigned char>(zone[2])) &&
      isdigit(static_cast<unsigned char>(zone[4])) &&
      isdigit(static_cast<unsigned char>(zone[5]))) {
    const int h = (zone[1] - '0') * 10 + (zone[2] - '0');
    const int m = (zone[4] - '0') * 10 + (zone[5] - '0');
    if (h > 23 || m > 59)
      return false;
    minutes = (zone[0] == '-' ? -1 : 1) * (h * 60 + m);
    return true;
  }
  return false;
}

// ------------------------------------------------------------------ simple transforms

class Trim final : public Transform {
 public:
  const char* name() const override { return "trim"; }
  bool apply(Val& v, const EvalContext&, TransformFailure&) const override {
    if (v.kind == Val::Kind::kString) {
      v = Val::string(trim(v.str));
    } else if (v.kind == Val::Kind::kList) {
      for (auto& s : v.list)
        s = trim(s);
    }
    return true;
  }
  static std::string trim(const std::string& s) {
    // ASCII white space and the ideographic space U+3000 that Chinese forms often carry.
    std::size_t b = 0, e = s.size();
    auto space = [&](std::size_t i, bool back) -> std::size_t {
      if (back) {
        if (i >= 1 && (s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\r' || s[i - 1] == '\n'))
          return 1;
        if (i >= 3 && s.compare(i - 3, 3, "\xE3\x80\x80") == 0)
          return 3;
      } else {
        if (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
          return 1;
        if (i + 3 <= s.size() && s.compare(i, 3, "\xE3\x80\x80") == 0)
          return 3;
      }
      return 0;
    };
    while (std::size_t n = space(b, false))
      b += n;
    while (e > b) {
      const std::size_t n = space(e, true);
      if (!n)
        break;
      e -= n;
    }
    return s.substr(b, e - b);
  }
};

class ChangeCase final : public Transform {
 public:
  explicit ChangeCase(bool upper) : upper_(upper) {}
  const char* name() const override { return upper_ ? "upper" : "lower"; }
  bool apply(Val& v, const EvalContext&, TransformFailure&) const override {
    if (v.kind == Val::Kind::kString) {
      for (char& c : v.str) {
        c = static_cast<char>(upper_ ? toupper(static_cast<unsigned char>(c))
                                     : tolower(static_cast<unsigned char>(c)));
      }
    }
    return true;
  }

 private:
  bool upper_;
};

class Split final : public Transform {
 public:
  explicit Split(std::string sep) : sep_(std::move(sep)) {}
  const char* name() const override { return "split"; }
  bool apply(Val& v, const EvalContext&, TransformFailure&) const override {
    if (v.kind != Val::Kind::kString)
      return true;
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
      const std::size_t at = v.str.find(sep_, start);
      std::string part =
          Trim::trim(v.str.substr(start, at == std::string::npos ? std::string::npos : at - start));
      if (!part.empty())
        parts.push_back(std::move(part));
      if (at == std::string::npos)
        break;
      start = at + sep_.size();
    }
    Val out;
    if (!parts.empty()) {
      out.kind = Val::Kind::kList;
      out.list = std::move(parts);
    }
    v = std::move(out);
    return true;
  }

 private:
  std::string sep_;
};

class Join final : public Transform {
 public:
  explicit Join(std::string sep) : sep_(std::move(sep)) {}
  const char* name() const override { return "join"; }
  bool apply(Val& v, const EvalContext&, TransformFailure&) const override {
    if (v.kind == Val::Kind::kJson && v.json->IsArray()) {
      // A JSON array from the message: join its scalar members' text.
      Val list;
      list.kind = Val::Kind::kList;
      for (const auto& e : v.json->GetArray()) {
        const Val ev = Val::fromJson(e);
        if (!ev.absent())
          list.list.push_back(ev.text());
      }
      v = std::move(list);
    }
    if (v.kind != Val::Kind::kList)
      return true;
    std::string s;
    for (std::size_t i = 0; i < v.list.size(); ++i) {
      if (i)
        s += sep_;
      s += v.list[i];
    }
    v = Val::string(std::move(s));
    return true;
  }

 private:
  std::string sep_;
};

class Default final : public Transform {
 public:
  // Copies the default into storage the transform owns (an object spreads over targets).
  explicit Default(const rapidjson::Value& value) {
    storage_.CopyFrom(value, storage_.GetAllocator());
    value_ = Val::fromJson(storage_);
    if (value_.kind == Val::Kind::kJson && storage_.IsArray()) {
      Val list;
      list.kind = Val::Kind::kList;
      for (const auto& e : storage_.GetArray())
        list.list.emplace_back(e.GetString(), e.GetStringLength());
      value_ = std::move(list);
    }
    value_.spread = storage_.IsObject();
  }
  const char* name() const override { return "default"; }
  bool appliesToAbsent() const override { return true; }
  bool apply(Val& v, const EvalContext&, TransformFailure&) const override {
    if (v.absent())
      v = value_;
    return true;
  }

 private:
  rapidjson::Document storage_;
  Val value_;
};

class RegexCapture final : public Transform {
 public:
  explicit RegexCapture(jsonpath::Regex re) : re_(std::move(re)) {}
  const char* name() const override { return "regex"; }
  // The first capture group when the pattern has one that took part, else the whole match.
  bool apply(Val& v, const EvalContext&, TransformFailure& f) const override {
    const std::string in = v.text();
    std::string out;
    if (!re_.capture(in, 1, out) && !re_.capture(in, 0, out)) {
      f = {"pattern", "'" + in + "' does not match the pattern " + re_.pattern()};
      return false;
    }
    v = Val::string(std::move(out));
    return true;
  }

 private:
  jsonpath::Regex re_;
};

class KeepIf final : public Transform {
 public:
  explicit KeepIf(jsonpath::Regex re) : re_(std::move(re)) {}
  const char* name() const override { return "keep_if"; }
  bool apply(Val& v, const EvalContext&, TransformFailure&) const override {
    if (!re_.fullMatch(v.text()))
      v = Val();
    return true;
  }

 private:
  jsonpath::Regex re_;
};

class Code final : public Transform {
 public:
  explicit Code(std::shared_ptr<const CodeTable> table) : table_(std::move(table)) {}
  const char* name() const override { return "code"; }
  bool apply(Val& v, const EvalContext&, TransformFailure& f) const override {
    const std::string key = v.text();
    const auto it = table_->entries.find(key);
    if (it != table_->entries.end()) {
      v = it->second;
      v.spread = v.kind == Val::Kind::kJson;
      return true;
    }
    if (table_->fallback) {
      v = *table_->fallback;
      v.spread = v.kind == Val::Kind::kJson;
      return true;
    }
    f = {"enum", "'" + key + "' is not in code table '" + table_->name + "'"};
    return false;
  }

 private:
  std::shared_ptr<const CodeTable> table_;
};

// ------------------------------------------------------------------ numbers

// A decimal as digits x 10^exponent, so that scaling and rounding are exact (no binary
// floating point between the department's "12.5" and the platform's "12.50").
struct Decimal {
  bool negative = false;
  std::string digits;  // no sign, may have leading zeros
  int exponent = 0;

  static bool parse(std::string_view s, Decimal& d) {
    std::size_t i = 0;
    while (i < s.size() && s[i] == ' ')
      ++i;
    while (!s.empty() && s.back() == ' ')
      s.remove_suffix(1);
    if (i < s.size() && (s[i] == '+' || s[i] == '-'))
      d.negative = s[i++] == '-';
    bool any = false, point = false;
    for (; i < s.size(); ++i) {
      const char c = s[i];
      if (c >= '0' && c <= '9') {
        d.digits += c;
        any = true;
        if (point)
          --d.exponent;
      } else if (c == '.' && !point) {
        point = true;
      } else {
        break;
      }
    }
    if (!any)
      return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      bool eneg = false;
      if (i < s.size() && (s[i] == '+' || s[i] == '-'))
        eneg = s[i++] == '-';
      if (i == s.size())
        return false;
      int e = 0;
      for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9' || e > 10000)
          return false;
        e = e * 10 + (s[i] - '0');
      }
      d.exponent += eneg ? -e : e;
    }
    return i == s.size();
  }

  // Rounds half away from zero ("half up" on amounts) to `places` decimals.
  void round(int places) {
    const int drop = -exponent - places;
    if (drop <= 0) {
      digits.append(static_cast<std::size_t>(-drop), '0');
      exponent = -places;
      return;
    }
    if (static_cast<std::size_t>(drop) > digits.size()) {
      digits.insert(0, static_cast<std::size_t>(drop) - digits.size(), '0');
    }
    const bool up = digits[digits.size() - static_cast<std::size_t>(drop)] >= '5';
    digits.resize(digits.size() - static_cast<std::size_t>(drop));
    exponent = -places;
    if (up) {
      int i = static_cast<int>(digits.size()) - 1;
      for (; i >= 0; --i) {
        if (digits[static_cast<std::size_t>(i)] == '9') {
          digits[static_cast<std::size_t>(i)] = '0';
        } else {
          ++digits[static_cast<std::size_t>(i)];
          break;
        }
      }
      if (i < 0)
        digits.insert(0, 1, '1');
    }
  }

  std::string text(bool keepTrailingZeros) const {
    std::string d = digits.empty() ? "0" : digits;
    std::string out;
    if (exponent >= 0) {
      out = d + std::string(static_cast<std::size_t>(exponent), '0');
    } else {
      const std::size_t frac = static_cast<std::size_t>(-exponent);
      if (d.size() <= frac)
        d.insert(0, frac - d.size() + 1, '0');
      out = d.substr(0, d.size() - frac) + "." + d.substr(d.size() - frac);
      if (!keepTrailingZeros) {
        while (out.back() == '0')
          out.pop_back();
        if (out.back() == '.')
          out.pop_back();
      }
    }
    std::size_t lead = 0;
    while (lead + 1 < out.size() && out[lead] == '0' && out[lead + 1] != '.')
      ++lead;
    out.erase(0, lead);
    const bool zero = out.find_first_not_of("0.") == std::string::npos;
    return (negative && !zero) ? "-" + out : out;
  }
};

class Scale final : public Transform {
 public:
  Scale(int power, bool isPlaces) : power_(power), places_(isPlaces) {}
  const char* name() const override { return places_ ? "places" : "scale"; }
  bool apply(Val& v, const EvalContext&, TransformFailure& f) const override {
    Decimal d;
    const std::string in = v.text();
    if (v.kind == Val::Kind::kBool || v.kind == Val::Kind::kList || v.kind == Val::Kind::kJson ||
        !Decimal::parse(in, d)) {
      f = {"pattern", "'" + in + "' is not a number"};
      return false;
    }
    if (places_) {
      d.round(power_);
      v.kind = Val::Kind::kNumber;
      v.str = d.text(true);
    } else {
      d.exponent += power_;
      v.kind = Val::Kind::kNumber;
      v.str = d.text(false);
    }
    return true;
  }

 private:
  int power_;
  bool places_;
};

// ------------------------------------------------------------------ date and time

class DateTime final : public Transform {
 public:
  enum class Special { kNone, kRfc3339, kEpochSeconds, kEpochMillis };
  struct Token {
    enum Kind {
      kLiteral,
      kYear,
      kMonth,
      kDay,
      kHour,
      kMinute,
      kSecond,
      kFraction,
      kOffsetColon,
      kOffsetPlain
    } kind;
    int width;  // digits: exact width, or 0 for "1 or 2"
    std::string literal;
  };

  static Result<std::unique_ptr<Transform>> compile(const rapidjson::Value& option,
                                                    const FieldSpec* target) {
    std::string pattern, zone = "+08:00", outputZone = "+08:00";
    if (option.IsString()) {
      pattern = option.GetString();
    } else if (option.IsObject()) {
      for (auto it = option.MemberBegin(); it != option.MemberEnd(); ++it) {
        const std::string k = it->name.GetString();
        if (!it->value.IsString())
          return Error{"mapping.transform", "datetime." + k + " must be a string", ""};
        if (k == "pattern") {
          pattern = it->value.GetString();
        } else if (k == "zone") {
          zone = it->value.GetString();
        } else if (k == "output_zone") {
          outputZone = it->value.GetString();
        } else {
          return Error{"mapping.transform",
                       "unknown datetime option '" + k + "' (expected pattern, zone, output_zone)",
                       ""};
        }
      }
    } else {
      return Error{"mapping.transform",
                   "datetime takes a pattern string or {pattern, zone, output_zone}", ""};
    }
    auto t = std::make_unique<DateTime>();
    if (!zoneOffset(zone, t->zone_)) {
      return Error{"mapping.transform",
                   "unknown time zone '" + zone + "' (use +HH:MM, UTC or Asia/Shanghai)", ""};
    }
    if (!zoneOffset(outputZone, t->outputZone_)) {
      return Error{"mapping.transform", "unknown time zone '" + outputZone + "'", ""};
    }
    t->dateOnly_ = target && target->format == FieldFormat::kDate;
    t->pattern_ = pattern;
    if (pattern == "rfc3339" || pattern == "iso8601") {
      t->special_ = Special::kRfc3339;
      return std::unique_ptr<Transform>(std::move(t));
    }
    if (pattern == "epoch_s" || pattern == "epoch_ms") {
      t->special_ = pattern == "epoch_s" ? Special::kEpochSeconds : Special::kEpochMillis;
      return std::unique_ptr<Transform>(std::move(t));
    }
    if (auto r = t->tokenize(pattern); !r.ok())
      return r.error();
    return std::unique_ptr<Transform>(std::move(t));
  }

  const char* name() const override { return "datetime"; }

  bool apply(Val& v, const EvalContext&, TransformFailure& f) const override {
    const std::string in = v.text();
    int y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0, ms = 0;
    int offset = zone_;
    bool ok = false;
    switch (special_) {
      case Special::kNone:
        ok = parsePattern(in, y, mo, d, h, mi, s, ms, offset);
        break;
      case Special::kRfc3339: {
        std::int64_t t;
        ok = parseRfc3339(in, t);
        if (ok) {
          v = Val::string(format(t, in));
          return true;
        }
        break;
      }
      case Special::kEpochSeconds:
      case Special::kEpochMillis: {
        Decimal dec;
        ok = Decimal::parse(in, dec) && !dec.negative;
        if (ok) {
          dec.round(0);
          const std::int64_t n = std::stoll(dec.text(false));
          v = Val::string(format(special_ == Special::kEpochSeconds ? n * 1000 : n, in));
          return true;
        }
        break;
      }
    }
    if (!ok) {
      f = {"pattern", "'" + in + "' is not a date/time of the form " + pattern_};
      return false;
    }
    if (mo < 1 || mo > 12 || d < 1 ||
        static_cast<unsigned>(d) > daysInMonth(y, static_cast<unsigned>(mo)) || h > 23 || mi > 59 ||
        s > 59) {
      f = {"pattern", "'" + in + "' is not a real date/time (" + pattern_ + ")"};
      return false;
    }
    if (dateOnly_ && offset == zone_ && zone_ == outputZone_) {
      // A plain local date stays the date it says (no instant to convert).
      char buf[40];
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, mo, d);
      v = Val::string(buf);
      return true;
    }
    // An instant with its own offset (or a source zone other than the output's): the date or
    // date-time it is in the output zone, as with rfc3339.
    const std::int64_t t =
        (daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
         mi * 60 + s) *
            1000 +
        ms - static_cast<std::int64_t>(offset) * 60000;
    v = Val::string(format(t, in));
    return true;
  }

 private:
  std::string format(std::int64_t t, const std::string&) const {
    if (dateOnly_) {
      const std::string full = formatRfc3339(t, outputZone_);
      return full.substr(0, 10);
    }
    return formatRfc3339(t, outputZone_);
  }

  Result<void> tokenize(const std::string& p) {
    for (std::size_t i = 0; i < p.size();) {
      const char c = p[i];
      std::size_t n = 1;
      while (i + n < p.size() && p[i + n] == c)
        ++n;
      auto add = [&](Token::Kind k, int width) { tokens_.push_back({k, width, ""}); };
      if (c == '\'') {
        const std::size_t end = p.find('\'', i + 1);
        if (end == std::string::npos)
          return Error{"mapping.transform", "unterminated quote in date pattern '" + p + "'", ""};
        tokens_.push_back({Token::kLiteral, 0, end == i + 1 ? "'" : p.substr(i + 1, end - i - 1)});
        i = end + 1;
        continue;
      }
      if (c == 'y' && n == 4) {
        add(Token::kYear, 4);
      } else if ((c == 'M' || c == 'd' || c == 'H' || c == 'm' || c == 's') && n <= 2) {
        const Token::Kind k = c == 'M'   ? Token::kMonth
                              : c == 'd' ? Token::kDay
                              : c == 'H' ? Token::kHour
                              : c == 'm' ? Token::kMinute
                                         : Token::kSecond;
        add(k, n == 2 ? 2 : 0);
      } else if (c == 'S' && n <= 9) {
        add(Token::kFraction, static_cast<int>(n));
      } else if (c == 'X' && n == 3) {
        add(Token::kOffsetColon, 0);
      } else if (c == 'Z' && n == 1) {
        add(Token::kOffsetPlain, 0);
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return Error{"mapping.transform",
                     "date pattern '" + p + "': '" + std::string(n, c) +
                         "' is not a pattern letter (use yyyy MM M dd d HH H mm m ss s SSS XXX Z, "
                         "and quote literal letters as 'T')",
                     ""};
      } else {
        tokens_.push_back({Token::kLiteral, 0, p.substr(i, n)});
      }
      i += n;
    }
    return {};
  }

  bool parsePattern(const std::string& in, int& y, int& mo, int& d, int& h, int& mi, int& s,
                    int& ms, int& offset) const {
    std::size_t i = 0;
    auto digits = [&](int width, int& out) {
      const int maxw = width ? width : 2;
      int n = 0, val = 0;
      while (n < maxw && i < in.size() && in[i] >= '0' && in[i] <= '9') {
        val = val * 10 + (in[i++] - '0');
        ++n;
      }
      out = val;
      return width ? n == width : n >= 1;
    };
    for (const Token& t : tokens_) {
      switch (t.kind) {
        case Token::kLiteral:
          if (in.compare(i, t.literal.size(), t.literal) != 0)
            return false;
          i += t.literal.size();
          break;
        case Token::kYear:
          if (!digits(4, y))
            return false;
          break;
        case Token::kMonth:
          if (!digits(t.width, mo))
            return false;
          break;
        case Token::kDay:
          if (!digits(t.width, d))
            return false;
          break;
        case Token::kHour:
          if (!digits(t.width, h))
            return false;
          break;
        case Token::kMinute:
          if (!digits(t.width, mi))
            return false;
          break;
        case Token::kSecond:
          if (!digits(t.width, s))
            return false;
          break;
        case Token::kFraction: {
          int frac = 0;
          const std::size_t start = i;
          if (!digits(t.width > 2 ? 0 : t.width, frac))
            return false;
          // digits() reads at most 2 for width 0: read the exact width instead.
          i = start;
          frac = 0;
          for (int k = 0; k < t.width; ++k) {
            if (i >= in.size() || in[i] < '0' || in[i] > '9')
              return false;
            frac = frac * 10 + (in[i++] - '0');
          }
          int w = t.width;
          while (w > 3) {
            frac /= 10;
            --w;
          }
          while (w < 3) {
            frac *= 10;
            ++w;
          }
          ms = frac;
          break;
        }
        case Token::kOffsetColon:
        case Token::kOffsetPlain: {
          if (i < in.size() && in[i] == 'Z') {
            offset = 0;
            ++i;
            break;
          }
          if (i >= in.size() || (in[i] != '+' && in[i] != '-'))
            return false;
          const int sign = in[i++] == '-' ? -1 : 1;
          int oh = 0, om = 0;
          if (!digits(2, oh))
            return false;
          if (t.kind == Token::kOffsetColon) {
            if (i >= in.size() || in[i] != ':')
              return false;
            ++i;
          }
          if (!digits(2, om) || oh > 23 || om > 59)
            return false;
          offset = sign * (oh * 60 + om);
          break;
        }
      }
    }
    return i == in.size();
  }

  std::vector<Token> tokens_;
  std::string pattern_;
  Special special_ = Special::kNone;
  int zone_ = 480;
  int outputZone_ = 480;
  bool dateOnly_ = false;
};

// ------------------------------------------------------------------ template

// "{}" is the current value, "{$.x}" a selector on the record, "{{" and "}}" literal braces.
class Template final : public Transform {
 public:
  struct Part {
    std::string literal;
    bool current = false;
    std::unique_ptr<jsonpath::Query> query;
  };
  static Result<std::unique_ptr<Template>> compile(const std::string& text) {
    auto t = std::make_unique<Template>();
    std::string lit;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '{' && i + 1 < text.size() && text[i + 1] == '{') {
        lit += '{';
        ++i;
      } else if (text[i] == '}' && i + 1 < text.size() && text[i + 1] == '}') {
        lit += '}';
        ++i;
      } else if (text[i] == '{') {
        const std::size_t end = text.find('}', i);
        if (end == std::string::npos)
          return Error{"mapping.transform", "template '" + text + "': '{' without '}'", ""};
        if (!lit.empty())
          t->parts_.push_back(Part{std::move(lit), false, nullptr});
        lit.clear();
        const std::string inner = text.substr(i + 1, end - i - 1);
        Part p;
        if (inner.empty()) {
          p.current = true;
        } else {
          auto q = jsonpath::Query::compile(inner);
          if (!q.ok()) {
            return Error{"mapping.transform",
                         "template '" + text + "': selector '" + inner + "': " + q.error().message +
                             " at " + q.error().path,
                         ""};
          }
          p.query = std::make_unique<jsonpath::Query>(std::move(q).value());
        }
        t->parts_.push_back(std::move(p));
        i = end;
      } else {
        lit += text[i];
      }
    }
    if (!lit.empty())
      t->parts_.push_back(Part{std::move(lit), false, nullptr});
    return t;
  }
  const char* name() const override { return "template"; }
  // As the rule's source there is no current value yet: selectors fill the template.
  bool appliesToAbsent() const override { return true; }
  bool apply(Val& v, const EvalContext& ctx, TransformFailure&) const override {
    v = render(&v, ctx);
    return true;
  }
  // Renders the template; absent when every {…} part found nothing.
  Val render(const Val* current, const EvalContext& ctx) const {
    std::string out;
    bool anyValue = false, anyField = false;
    std::vector<const rapidjson::Value*> nodes;
    for (const Part& p : parts_) {
      if (p.current) {
        anyField = true;
        if (current && !current->absent()) {
          anyValue = true;
          out += current->text();
        }
      } else if (p.query) {
        anyField = true;
        nodes.clear();
        p.query->select(*ctx.record, nodes);
        if (!nodes.empty()) {
          const Val val = Val::fromJson(*nodes.front());
          if (!val.absent()) {
            anyValue = true;
            out += val.text();
          }
        }
      } else {
        out += p.literal;
      }
    }
    if (anyField && !anyValue)
      return Val();
    return Val::string(std::move(out));
  }

 private:
  std::vector<Part> parts_;
};

// ------------------------------------------------------------------ compile

const char* const kTransformNames[] = {"trim",   "upper",    "lower",  "datetime", "code",
                                       "split",  "join",     "regex",  "keep_if",  "scale",
                                       "places", "template", "default"};

}  // namespace

bool isTransformName(const std::string& key) {
  return std::find(std::begin(kTransformNames), std::end(kTransformNames), key) !=
         std::end(kTransformNames);
}

Result<std::shared_ptr<const CodeTable>> compileCodeTable(const std::string& name,
                                                          const rapidjson::Value& def) {
  if (!def.IsObject()) {
    return Error{"mapping.table",
                 "code table '" + name + "' must be an object of source value -> target value", ""};
  }
  auto table = std::make_shared<CodeTable>();
  table->name = name;
  table->storage.CopyFrom(def, table->storage.GetAllocator());
  const rapidjson::Value& own = table->storage;
  for (auto it = own.MemberBegin(); it != own.MemberEnd(); ++it) {
    const std::string key(it->name.GetString(), it->name.GetStringLength());
    if (it->value.IsNull() || it->value.IsArray()) {
      return Error{"mapping.table",
                   "code table '" + name + "': entry '" + key +
                       "' must be a string, a number or an object of targets",
                   ""};
    }
    Val v = Val::fromJson(it->value);
    if (key == "*") {
      table->fallback = std::make_unique<Val>(std::move(v));
    } else {
      table->entries.emplace(key, std::move(v));
    }
  }
  return std::shared_ptr<const CodeTable>(std::move(table));
}

Result<std::unique_ptr<Transform>> compileTransform(
    const std::string& key, const rapidjson::Value& option, const FieldSpec* target,
    const std::unordered_map<std::string, std::shared_ptr<const CodeTable>>& tables,
    rapidjson::Document&) {
  auto needString = [&](const char* what) -> Result<std::string> {
    if (!option.IsString() || option.GetStringLength() == 0) {
      return Error{"mapping.transform", key + " takes " + what, ""};
    }
    return std::string(option.GetString(), option.GetStringLength());
  };
  auto needTrue = [&]() -> Result<void> {
    if (!option.IsBool() || !option.GetBool())
      return Error{"mapping.transform", key + " takes true", ""};
    return {};
  };
  if (key == "trim") {
    if (auto r = needTrue(); !r.ok())
      return r.error();
    return std::unique_ptr<Transform>(std::make_unique<Trim>());
  }
  if (key == "upper" || key == "lower") {
    if (auto r = needTrue(); !r.ok())
      return r.error();
    return std::unique_ptr<Transform>(std::make_unique<ChangeCase>(key == "upper"));
  }
  if (key == "datetime")
    return DateTime::compile(option, target);
  if (key == "code") {
    if (option.IsString()) {
      const auto it = tables.find(option.GetString());
      if (it == tables.end()) {
        std::string known;
        for (const auto& [n, t] : tables)
          known += (known.empty() ? "" : ", ") + n;
        return Error{"mapping.table",
                     "unknown code table '" + std::string(option.GetString()) +
                         "' (tables: " + (known.empty() ? "none" : known) + ")",
                     ""};
      }
      return std::unique_ptr<Transform>(std::make_unique<Code>(it->second));
    }
    auto inlineTable = compileCodeTable("inline", option);
    if (!inlineTable.ok())
      return inlineTable.error();
    return std::unique_ptr<Transform>(std::make_unique<Code>(std::move(inlineTable).value()));
  }
  if (key == "split" || key == "join") {
    auto sep = needString("a separator string");
    if (!sep.ok())
      return sep.error();
    if (key == "split")
      return std::unique_ptr<Transform>(std::make_unique<Split>(sep.value()));
    return std::unique_ptr<Transform>(std::make_unique<Join>(sep.value()));
  }
  if (key == "regex" || key == "keep_if") {
    auto pattern = needString("a regular expression");
    if (!pattern.ok())
      return pattern.error();
    auto re = jsonpath::Regex::compile(pattern.value(), jsonpath::Regex::Dialect::kPcre);
    if (!re.ok())
      return Error{"mapping.transform", key + ": " + re.error().message, ""};
    if (key == "keep_if")
      return std::unique_ptr<Transform>(std::make_unique<KeepIf>(std::move(re).value()));
    return std::unique_ptr<Transform>(std::make_unique<RegexCapture>(std::move(re).value()));
  }
  if (key == "scale" || key == "places") {
    if (!option.IsInt() || option.GetInt() < -18 || option.GetInt() > 18 ||
        (key == "places" && option.GetInt() < 0)) {
      return Error{"mapping.transform",
                   key == "scale" ? "scale takes a power of ten from -18 to 18 (-2: fen to yuan)"
                                  : "places takes a number of decimals from 0 to 18",
                   ""};
    }
    return std::unique_ptr<Transform>(std::make_unique<Scale>(option.GetInt(), key == "places"));
  }
  if (key == "template") {
    auto text = needString("a template string such as \"HY-{}\"");
    if (!text.ok())
      return text.error();
    auto t = Template::compile(text.value());
    if (!t.ok())
      return t.error();
    return std::unique_ptr<Transform>(std::move(t).value());
  }
  if (key == "default") {
    if (option.IsNull())
      return Error{"mapping.transform", "default takes a value (null means nothing)", ""};
    if (option.IsArray()) {
      for (const auto& e : option.GetArray()) {
        if (!e.IsString())
          return Error{"mapping.transform", "a list default holds strings only", ""};
      }
    }
    return std::unique_ptr<Transform>(std::make_unique<Default>(option));
  }
  return Error{"mapping.transform", "unknown transform '" + key + "'", ""};
}

}  // namespace huitong::mapping
