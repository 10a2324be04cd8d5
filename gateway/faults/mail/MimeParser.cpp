#include "gateway/faults/mail/MimeParser.h"
#include "gateway/core/Html.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <utility>

#include <Poco/DateTime.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>

#include "gateway/faults/mail/AutoReply.h"
#include "gateway/formats/Decode.h"

namespace huitong::faults::mail {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool isWsp(char c) {
  return c == ' ' || c == '\t';
}
bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back()))
    s.remove_suffix(1);
  return s;
}

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size())
    return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

bool validUtf8(std::string_view s) {
  return formats::toUtf8(s, "UTF-8").ok();
}

bool isAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string sizeInWords(std::size_t n) {
  if (n >= 1024 * 1024)
    return std::to_string(n / (1024 * 1024)) + "." +
           std::to_string((n % (1024 * 1024)) * 10 / (1024 * 1024)) + " MiB";
  if (n >= 1024)
    return std::to_string(n / 1024) + " KiB";
  return std::to_string(n) + " bytes";
}

// ---------------------------------------------------------------- header block

struct Header {
  std::string name;  // lower-case
  std::string display;
  std::string value;  // unfolded
};

struct Entity {
  std::vector<Header> headers;
  std::string_view body;

  const Header* find(std::string_view lname) const {
    for (const Header& h : headers)
      if (h.name == lname)
        return &h;
    return nullptr;
  }
  std::string get(std::string_view lname) const {
    const Header* h = find(lname);
    return h ? h->value : std::string();
  }
};

bool validFieldName(std::string_view name) {
  if (name.empty())
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 32 && u < 127 && c != ':';
  });
}

// Headers up to the first empty line (CRLF or LF); folded lines joined (RFC 5322 2.2.3).
Entity splitEntity(std::string_view raw, const std::string& where,
                   std::vector<std::string>& problems) {
  Entity e;
  std::size_t pos = 0;
  std::size_t lineNo = 0;
  bool ended = false;
  while (pos < raw.size()) {
    const std::size_t eol = raw.find('\n', pos);
    const std::size_t next = eol == std::string_view::npos ? raw.size() : eol + 1;
    std::string_view line = raw.substr(pos, next - pos);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
      line.remove_suffix(1);
    ++lineNo;
    if (line.empty()) {
      pos = next;
      ended = true;
      break;
    }
    if (lineNo == 1 && line.substr(0, 5) == "From ") {  // mbox separator
      pos = next;
      continue;
    }
    if (isWsp(line.front())) {
      if (!e.headers.empty()) {
        e.headers.back().value.append(line);
        pos = next;
        continue;
      }
    }
    const std::size_t colon = line.find(':');
    std::string_view name =
        colon == std::string_view::npos ? std::string_view() : line.substr(0, colon);
    while (!name.empty() && isWsp(name.back()))
      name.remove_suffix(1);
    if (!validFieldName(name)) {
      problems.push_back(where + "line " + std::to_string(lineNo) +
                         " of the header is not a header field (no blank line before the body?); "
                         "read from there as the body");
      ended = true;
      break;
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && isWsp(value.front()))
      value.remove_prefix(1);
    e.headers.push_back(Header{lower(name), std::string(name), std::string(value)});
    pos = next;
  }
  (void)ended;
  e.body = pos < raw.size() ? raw.substr(pos) : std::string_view();
  for (Header& h : e.headers) {
    std::string_view v = trim(h.value);
    h.value = std::string(v);
  }
  return e;
}

// ---------------------------------------------------------------- structured header values

struct ParamPiece {
  int index = 0;
  bool encoded = false;
  std::string value;
};

struct ContentField {
  std::string value;                          // lower-case "type/subtype" or disposition
  std::map<std::string, std::string> params;  // decoded to UTF-8
};

// "token; a=b; c=\"q\"; name*0*=utf-8''%E6..; name*1*=..." with RFC 2231 pieces assembled.
ContentField parseContentField(std::string_view v, const std::string& what,
                               std::vector<std::string>& problems) {
  ContentField f;
  std::size_t i = 0;
  auto skipWs = [&] {
    while (i < v.size() && (isSpace(v[i]) || v[i] == '(')) {
      if (v[i] == '(') {  // comment
        int depth = 0;
        while (i < v.size()) {
          if (v[i] == '(')
            ++depth;
          else if (v[i] == ')' && --depth == 0) {
            ++i;
            break;
          }
          ++i;
        }
      } else {
        ++i;
      }
    }
  };
  skipWs();
  const std::size_t start = i;
  while (i < v.size() && v[i] != ';')
    ++i;
  f.value = lower(trim(v.substr(start, i - start)));
  std::map<std::string, std::vector<ParamPiece>> pieces;
  while (i < v.size()) {
    ++i;  // ';'
    skipWs();
    const std::size_t ns = i;
    while (i < v.size() && v[i] != '=' && v[i] != ';')
      ++i;
    std::string name = lower(trim(v.substr(ns, i - ns)));
    if (i >= v.size() || v[i] == ';') {
      continue;
    }
    ++i;  // '='
    skipWs();
    std::string value;
    if (i < v.size() && v[i] == '"') {
      ++i;
      while (i < v.size() && v[i] != '"') {
        if (v[i] == '\\' && i + 1 < v.size())
          ++i;
        value += v[i++];
      }
      if (i < v.size())
        ++i;
      while (i < v.size() && v[i] != ';')
        ++i;
    } else {
      const std::size_t vs = i;
      while (i < v.size() && v[i] != ';')
        ++i;
      value = std::string(trim(v.substr(vs, i - vs)));
    }
    if (name.empty())
      continue;
    ParamPiece piece;
    std::string base = name;
    if (!base.empty() && base.back() == '*') {
      piece.encoded = true;
      base.pop_back();
    }
    const std::size_t star = base.find('*');
    if (star != std::string::npos) {
      const std::string idx = base.substr(star + 1);
      base = base.substr(0, star);
      piece.index =
          (!idx.empty() && std::all_of(idx.begin(), idx.end(), ::isdigit) && idx.size() < 5)
              ? std::stoi(idx)
              : 0;
    }
    piece.value = value;
    pieces[base].push_back(std::move(piece));
  }
  for (auto& [name, list] : pieces) {
    std::stable_sort(list.begin(), list.end(),
                     [](const ParamPiece& a, const ParamPiece& b) { return a.index < b.index; });
    const bool any2231 = list.size() > 1 || list.front().encoded || list.front().index != 0;
    if (!any2231) {
      f.params[name] = decodeHeaderText(list.front().value, what + " parameter " + name, problems);
      continue;
    }
    std::string charset;
    std::string bytes;
    for (std::size_t k = 0; k < list.size(); ++k) {
      std::string_view val = list[k].value;
      if (list[k].encoded) {
        if (k == 0) {
          const std::size_t q1 = val.find('\'');
          const std::size_t q2 = q1 == std::string_view::npos ? q1 : val.find('\'', q1 + 1);
          if (q2 != std::string_view::npos) {
            charset = std::string(val.substr(0, q1));
            val = val.substr(q2 + 1);
          }
        }
        for (std::size_t j = 0; j < val.size(); ++j) {
          if (val[j] == '%' && j + 2 < val.size() + 0 && hexValue(val[j + 1]) >= 0 &&
              hexValue(val[j + 2]) >= 0) {
            bytes += static_cast<char>(hexValue(val[j + 1]) * 16 + hexValue(val[j + 2]));
            j += 2;
          } else {
            bytes += val[j];
          }
        }
      } else {
        bytes += val;
      }
    }
    f.params[name] = decodeCharset(bytes, charset, what + " parameter " + name + "*", problems);
  }
  return f;
}

std::vector<std::string> messageIds(std::string_view v) {
  std::vector<std::string> ids;
  std::size_t i = 0;
  while (i < v.size()) {
    const std::size_t lt = v.find('<', i);
    if (lt == std::string_view::npos)
      break;
    const std::size_t gt = v.find('>', lt + 1);
    if (gt == std::string_view::npos)
      break;
    std::string id(trim(v.substr(lt + 1, gt - lt - 1)));
    if (!id.empty())
      ids.push_back(std::move(id));
    i = gt + 1;
  }
  if (ids.empty()) {  // ids written without brackets
    std::size_t p = 0;
    while (p < v.size()) {
      while (p < v.size() && isSpace(v[p]))
        ++p;
      const std::size_t s = p;
      while (p < v.size() && !isSpace(v[p]))
        ++p;
      if (p > s && v.substr(s, p - s).find('@') != std::string_view::npos)
        ids.emplace_back(v.substr(s, p - s));
    }
  }
  return ids;
}

// ---------------------------------------------------------------- the walk over MIME parts

struct TextBody {
  std::string text;
  std::string source;  // "text/plain", "text/html", ""
};

std::string transferDecode(std::string_view body, const std::string& cte, const std::string& where,
                           std::vector<std::string>& problems) {
  if (cte.empty() || cte == "7bit" || cte == "8bit" || cte == "binary")
    return std::string(body);
  if (cte == "base64") {
    std::size_t bad = 0;
    bool truncated = false;
    std::string out = decodeBase64(body, bad, truncated);
    if (bad > 0)
      problems.push_back(where + "base64 content has " + std::to_string(bad) +
                         " characters outside the base64 alphabet; they were skipped");
    if (truncated)
      problems.push_back(where +
                         "base64 content ends in the middle of a group; the last bytes "
                         "may be missing");
    return out;
  }
  if (cte == "quoted-printable") {
    std::size_t bad = 0;
    std::string out = decodeQuotedPrintable(body, false, bad);
    if (bad > 0)
      problems.push_back(where + "quoted-printable content has " + std::to_string(bad) +
                         " '=' not followed by two hex digits; kept as written");
    return out;
  }
  problems.push_back(where + "unknown Content-Transfer-Encoding \"" + cte +
                     "\"; content read as written");
  return std::string(body);
}

struct Splitting {
  std::vector<std::string_view> parts;
  bool closed = false;
  bool found = false;
};

// Parts between "--boundary" lines; the CRLF before a delimiter belongs to it (RFC 2046 5.1.1).
Splitting splitMultipart(std::string_view body, const std::string& boundary) {
  Splitting s;
  const std::string delim = "--" + boundary;
  std::size_t pos = 0;
  std::size_t partStart = std::string_view::npos;
  while (pos < body.size()) {
    const std::size_t eol = body.find('\n', pos);
    const std::size_t lineEnd = eol == std::string_view::npos ? body.size() : eol;
    std::string_view line = body.substr(pos, lineEnd - pos);
    while (!line.empty() && (line.back() == '\r' || isWsp(line.back())))
      line.remove_suffix(1);
    if (line.size() >= delim.size() && line.compare(0, delim.size(), delim) == 0) {
      const std::string_view rest = line.substr(delim.size());
      if (rest.empty() || rest == "--") {
        s.found = true;
        if (partStart != std::string_view::npos) {
          std::size_t e = pos;
          if (e > partStart && body[e - 1] == '\n')
            --e;
          if (e > partStart && body[e - 1] == '\r')
            --e;
          s.parts.push_back(body.substr(partStart, e - partStart));
        }
        if (rest == "--") {
          s.closed = true;
          return s;
        }
        partStart = eol == std::string_view::npos ? body.size() : eol + 1;
      }
    }
    if (eol == std::string_view::npos)
      break;
    pos = eol + 1;
  }
  if (partStart != std::string_view::npos && partStart < body.size())
    s.parts.push_back(body.substr(partStart));
  return s;
}

class Walker {
 public:
  Walker(const ParseOptions& options, IncomingMail& mail) : options_(options), mail_(mail) {}

  TextBody walk(std::string_view raw, unsigned depth, const std::string& defaultType,
                const std::string& where, const Entity* top) {
    if (++parts_ > options_.maxParts) {
      if (parts_ == options_.maxParts + 1)
        mail_.problems.push_back("more than " + std::to_string(options_.maxParts) +
                                 " MIME parts; the rest were not read");
      return {};
    }
    Entity own;
    if (top == nullptr) {
      own = splitEntity(raw, where, mail_.problems);
      top = &own;
    }
    const Entity& e = *top;
    const Header* ctHeader = e.find("content-type");
    ContentField ct;
    if (ctHeader != nullptr) {
      ct = parseContentField(ctHeader->value, where + "Content-Type", mail_.problems);
      if (ct.value.find('/') == std::string::npos) {
        mail_.problems.push_back(where + "Content-Type \"" + ctHeader->value +
                                 "\" is not type/subtype; read as " + defaultType);
        ct.value = defaultType;
      }
    } else {
      ct.value = defaultType;
    }
    if (ct.value.compare(0, 10, "multipart/") == 0) {
      auto b = ct.params.find("boundary");
      if (b == ct.params.end() || b->second.empty()) {
        mail_.problems.push_back(where + ct.value +
                                 " has no boundary parameter; its content read as text/plain");
        ct.value = "text/plain";
      } else if (depth >= options_.maxDepth) {
        mail_.problems.push_back(where + "multipart nested deeper than " +
                                 std::to_string(options_.maxDepth) +
                                 " levels; inner parts not read");
        return {};
      } else {
        return multipart(e.body, ct, b->second, depth, where);
      }
    }
    return leaf(e, ct, ctHeader != nullptr, where);
  }

 private:
  TextBody multipart(std::string_view body, const ContentField& ct, const std::string& boundary,
                     unsigned depth, const std::string& where) {
    Splitting s = splitMultipart(body, boundary);
    if (!s.found) {
      mail_.problems.push_back(where + ct.value + " boundary \"" + boundary +
                               "\" never appears in the body; the body read as text/plain");
      ContentField plain;
      plain.value = "text/plain";
      Entity e;
      e.body = body;
      return leaf(e, plain, true, where);
    }
    if (!s.closed)
      mail_.problems.push_back(where + ct.value + " has no closing boundary --" + boundary +
                               "--; read the parts up to the end of the mail");
    const std::string childType =
        ct.value == "multipart/digest" ? "message/rfc822" : std::string("text/plain");
    std::vector<TextBody> bodies;
    for (std::size_t k = 0; k < s.parts.size(); ++k) {
      const std::string childWhere = where + "part " + std::to_string(k + 1) + ": ";
      bodies.push_back(walk(s.parts[k], depth + 1, childType, childWhere, nullptr));
    }
    if (ct.value == "multipart/alternative") {
      for (const TextBody& b : bodies)
        if (b.source == "text/plain" && !trim(b.text).empty())
          return b;
      for (const TextBody& b : bodies)
        if (!trim(b.text).empty())
          return b;
      return {};
    }
    TextBody out;
    for (const TextBody& b : bodies) {
      if (trim(b.text).empty())
        continue;
      if (!out.text.empty())
        out.text += "\n\n";
      out.text += b.text;
      if (out.source.empty() || b.source == "text/plain")
        out.source = b.source;
    }
    return out;
  }

  TextBody leaf(const Entity& e, const ContentField& ct, bool typed, const std::string& where) {
    const std::string cte = lower(trim(e.get("content-transfer-encoding")));
    ContentField disp;
    if (const Header* d = e.find("content-disposition"))
      disp = parseContentField(d->value, where + "Content-Disposition", mail_.problems);
    std::string filename;
    if (auto f = disp.params.find("filename"); f != disp.params.end())
      filename = f->second;
    else if (auto n = ct.params.find("name"); n != ct.params.end())
      filename = n->second;
    const bool textType = ct.value == "text/plain" || ct.value == "text/html";
    const bool body = textType && disp.value != "attachment" && filename.empty();
    std::string decoded = transferDecode(e.body, cte, where, mail_.problems);
    if (!body) {
      MailAttachment a;
      a.filename = filename;
      if (a.filename.empty() && ct.value == "message/rfc822")
        a.filename = "message.eml";
      a.contentType = ct.value;
      a.size = decoded.size();
      if (a.size > options_.maxAttachmentBytes) {
        a.dropped = true;
        a.dropReason =
            "attachment " + (a.filename.empty() ? std::string("(no name)") : a.filename) + " is " +
            sizeInWords(a.size) + " (" + std::to_string(a.size) + " bytes), over the limit of " +
            std::to_string(options_.maxAttachmentBytes) + " bytes; its content was not kept";
        mail_.problems.push_back(where + a.dropReason);
      } else {
        a.content = std::move(decoded);
      }
      mail_.attachments.push_back(std::move(a));
      return {};
    }
    std::string charset;
    if (auto c = ct.params.find("charset"); c != ct.params.end())
      charset = c->second;
    std::string text;
    if (charset.empty()) {
      if (!typed && !isAscii(decoded))
        mail_.problems.push_back(where + "no Content-Type: 8-bit body read as text/plain");
      text = decodeCharset(decoded, "", where + "body", mail_.problems);
    } else {
      text = decodeCharset(decoded, charset, where + "body", mail_.problems);
    }
    if (ct.value == "text/html")
      return {htmlToText(text), "text/html"};
    std::string clean;
    clean.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i)
      if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n'))
        clean += text[i];
    return {std::move(clean), "text/plain"};
  }

  const ParseOptions& options_;
  IncomingMail& mail_;
  std::size_t parts_ = 0;
};

std::optional<std::int64_t> parseDate(const std::string& value) {
  if (value.empty())
    return std::nullopt;
  Poco::DateTime dt;
  int tzd = 0;
  try {
    if (!Poco::DateTimeParser::tryParse(value, dt, tzd))
      return std::nullopt;
    dt.makeUTC(tzd);
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(dt.timestamp().epochTime());
}

}  // namespace

// ---------------------------------------------------------------- public helpers

std::string decodeCharset(std::string_view bytes, const std::string& charset,
                          const std::string& what, std::vector<std::string>& problems) {
  std::string cs(trim(charset));
  const std::size_t star = cs.find('*');  // RFC 2231 language suffix: "utf-8*zh"
  if (star != std::string::npos)
    cs.resize(star);
  const std::string norm = upper(cs);
  if (norm.empty() || norm == "US-ASCII" || norm == "ASCII") {
    if (isAscii(bytes))
      return std::string(bytes);
  }
  std::string label = norm;
  if (norm == "X-GBK" || norm == "CP936" || norm == "MS936")
    label = "GBK";
  if (!norm.empty() && norm != "US-ASCII" && norm != "ASCII") {
    auto r = formats::toUtf8(bytes, label);
    if (r.ok())
      return std::move(r).value();
    if (r.error().code == "charset.unknown") {
      problems.push_back(what + ": unknown charset \"" + cs + "\"");
    } else if (label == "GB2312" || label == "GBK") {
      auto g = formats::toUtf8(bytes, "GB18030");  // GB2312 labels on GBK text are routine
      if (g.ok())
        return std::move(g).value();
      problems.push_back(what + ": bytes not valid in " + cs + " (" + r.error().path + ")");
    } else {
      problems.push_back(what + ": bytes not valid in " + cs + " (" + r.error().path + ")");
    }
  }
  if (validUtf8(bytes)) {
    if (!norm.empty() && norm != "US-ASCII" && norm != "ASCII")
      problems.back() += "; read as UTF-8";
    return std::string(bytes);
  }
  const bool told = !norm.empty() && norm != "US-ASCII" && norm != "ASCII";
  auto g = formats::toUtf8(bytes, "GB18030");
  if (g.ok()) {
    if (told)
      problems.back() += "; read as GB18030";
    else
      problems.push_back(what + ": 8-bit text without a usable charset read as GB18030");
    return std::move(g).value();
  }
  auto l = formats::toUtf8(bytes, "ISO-8859-1");
  if (told)
    problems.back() += "; read as ISO-8859-1";
  else
    problems.push_back(what + ": 8-bit text without a usable charset read as ISO-8859-1");
  return l.ok() ? std::move(l).value() : std::string();
}

std::string decodeBase64(std::string_view in, std::size_t& bad, bool& truncated) {
  static const auto table = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i)
      t[static_cast<unsigned char>(a[i])] = i;
    return t;
  }();
  std::string out;
  out.reserve(in.size() * 3 / 4);
  unsigned acc = 0;
  int bits = 0;
  int count = 0;
  bool padded = false;
  for (char c : in) {
    if (isSpace(c))
      continue;
    if (c == '=') {
      padded = true;
      continue;
    }
    const int v = table[static_cast<unsigned char>(c)];
    if (v < 0 || padded) {
      ++bad;
      continue;
    }
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    ++count;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  truncated = count % 4 == 1;
  return out;
}

std::string decodeQuotedPrintable(std::string_view in, bool header, std::size_t& bad) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '_' && header) {
      out += ' ';
    } else if (c == '=') {
      if (i + 1 < in.size() && in[i + 1] == '\n') {
        ++i;
      } else if (i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') {
        i += 2;
      } else if (i + 2 < in.size() + 0 && hexValue(in[i + 1]) >= 0 && hexValue(in[i + 2]) >= 0) {
        out += static_cast<char>(hexValue(in[i + 1]) * 16 + hexValue(in[i + 2]));
        i += 2;
      } else {
        std::size_t j = i + 1;  // "=  \r\n": a soft break with trailing blanks
        while (j < in.size() && isWsp(in[j]))
          ++j;
        if (j < in.size() && (in[j] == '\n' || in[j] == '\r')) {
          i = (in[j] == '\r' && j + 1 < in.size() && in[j + 1] == '\n') ? j + 1 : j;
        } else if (j >= in.size()) {
          i = j;
        } else {
          ++bad;
          out += c;
        }
      }
    } else {
      out += c;
    }
  }
  return out;
}

std::string decodeHeaderText(std::string_view value, const std::string& what,
                             std::vector<std::string>& problems) {
  std::string out;
  std::size_t i = 0;
  bool lastWasWord = false;
  std::string pendingSpace;
  while (i < value.size()) {
    if (value[i] == '=' && i + 1 < value.size() && value[i + 1] == '?') {
      const std::size_t q1 = value.find('?', i + 2);
      const std::size_t q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
      const std::size_t end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
      if (end != std::string_view::npos && q2 == q1 + 2) {
        const std::string charset(value.substr(i + 2, q1 - i - 2));
        const char enc = static_cast<char>(std::toupper(static_cast<unsigned char>(value[q1 + 1])));
        const std::string_view payload = value.substr(q2 + 1, end - q2 - 1);
        if ((enc == 'B' || enc == 'Q') && !charset.empty() &&
            payload.find_first_of(" \t") == std::string_view::npos) {
          std::size_t bad = 0;
          bool truncated = false;
          const std::string bytes = enc == 'B' ? decodeBase64(payload, bad, truncated)
                                               : decodeQuotedPrintable(payload, true, bad);
          if (bad > 0 || truncated)
            problems.push_back(what + ": encoded word " +
                               std::string(value.substr(i, end + 2 - i)) + " is damaged (" +
                               (enc == 'B' ? "base64" : "quoted-printable") +
                               "); decoded what could be read");
          if (!lastWasWord)
            out += pendingSpace;  // white space between two encoded words is dropped
          pendingSpace.clear();
          out += decodeCharset(bytes, charset, what, problems);
          lastWasWord = true;
          i = end + 2;
          continue;
        }
      }
    }
    if (isSpace(value[i])) {
      pendingSpace += value[i] == '\t' ? ' ' : value[i];
      ++i;
      continue;
    }
    out += pendingSpace;
    pendingSpace.clear();
    const std::size_t s = i;
    while (i < value.size() && !isSpace(value[i]) &&
           !(value[i] == '=' && i + 1 < value.size() && value[i + 1] == '?'))
      ++i;
    if (i == s)  // "=?" that is not an encoded word
      i += 2;
    std::string_view run = value.substr(s, i - s);
    if (isAscii(run)) {
      out.append(run);
    } else {
      out += decodeCharset(run, "", what, problems);
    }
    lastWasWord = false;
  }
  if (!lastWasWord)
    out += pendingSpace;
  std::string cleaned;  // CR/LF from folding never reach a subject or a name
  for (char c : out)
    if (c != '\r' && c != '\n')
      cleaned += c;
  return std::string(trim(cleaned));
}

std::string htmlToText(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  bool space = false;
  auto newline = [&](int n) {
    while (!out.empty() && out.back() == ' ')
      out.pop_back();
    int have = 0;
    for (std::size_t k = out.size(); k > 0 && out[k - 1] == '\n'; --k)
      ++have;
    if (out.empty())
      return;
    for (; have < n; ++have)
      out += '\n';
    space = false;
  };
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      if (html.compare(i, 4, "<!--") == 0) {
        const std::size_t e = html.find("-->", i + 4);
        i = e == std::string_view::npos ? html.size() : e + 3;
        continue;
      }
      const std::size_t e = html.find('>', i + 1);
      if (e == std::string_view::npos)
        break;
      std::string_view tag = html.substr(i + 1, e - i - 1);
      const bool closing = !tag.empty() && tag.front() == '/';
      if (closing)
        tag.remove_prefix(1);
      std::size_t n = 0;
      while (n < tag.size() && std::isalnum(static_cast<unsigned char>(tag[n])))
        ++n;
      const std::string name = lower(tag.substr(0, n));
      i = e + 1;
      if (!closing && (name == "script" || name == "style" || name == "head" || name == "title")) {
        const std::string endTag = "</" + name;
        std::size_t k = i;
        while (k < html.size()) {
          k = html.find('<', k);
          if (k == std::string_view::npos || startsWithNoCase(html.substr(k), endTag))
            break;
          ++k;
        }
        if (k == std::string_view::npos) {
          i = html.size();
        } else {
          const std::size_t close = html.find('>', k);
          i = close == std::string_view::npos ? html.size() : close + 1;
        }
        continue;
      }
      if (name == "br") {
        newline(1);
      } else if (name == "p" || name == "div" || name == "table" || name == "blockquote" ||
                 name == "ul" || name == "ol" || name == "pre" ||
                 (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6')) {
        newline(closing ? 2 : (out.empty() ? 0 : 2));
      } else if (name == "tr") {
        newline(1);
      } else if (name == "li" && !closing) {
        newline(1);
        out += "- ";
      } else if ((name == "td" || name == "th") && !closing) {
        if (!out.empty() && out.back() != '\n')
          out += '\t';
        space = false;
      }
      continue;
    }
    if (c == '&') {
      const std::size_t semi = html.find(';', i + 1);
      if (semi != std::string_view::npos && semi - i <= 10) {
        const std::string_view ent = html.substr(i + 1, semi - i - 1);
        std::string rep;
        if (!ent.empty() && ent.front() == '#') {
          unsigned cp = 0;
          bool okNum = ent.size() > 1;
          const bool hex = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X');
          for (std::size_t k = hex ? 2 : 1; k < ent.size() && okNum; ++k) {
            const int d =
                hex ? hexValue(ent[k])
                    : (std::isdigit(static_cast<unsigned char>(ent[k])) ? ent[k] - '0' : -1);
            if (d < 0 || cp > 0x10FFFF)
              okNum = false;
            else
              cp = cp * (hex ? 16 : 10) + static_cast<unsigned>(d);
          }
          if (okNum)
            appendCharacterReference(rep, cp);
        } else {
          static const std::map<std::string, std::string, std::less<>> names = {
              {"amp", "&"},
              {"lt", "<"},
              {"gt", ">"},
              {"quot", "\""},
              {"apos", "'"},
              {"nbsp", " "},
              {"copy", "\xC2\xA9"},
              {"middot", "\xC2\xB7"},
              {"mdash", "\xE2\x80\x94"},
              {"ndash", "\xE2\x80\x93"},
              {"hellip", "\xE2\x80\xA6"},
              {"ldquo", "\xE2\x80\x9C"},
              {"rdquo", "\xE2\x80\x9D"}};
          if (auto f = names.find(ent); f != names.end())
            rep = f->second;
        }
        if (!rep.empty()) {
          if (space) {
            out += ' ';
            space = false;
          }
          out += rep;
          i = semi + 1;
          continue;
        }
      }
    }
    if (isSpace(c)) {
      if (!out.empty() && out.back() != '\n' && out.back() != '\t')
        space = true;
      ++i;
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += c;
    ++i;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  return out;
}

std::vector<MailAddress> parseAddressList(std::string_view value, const std::string& what,
                                          std::vector<std::string>& problems) {
  std::vector<std::string_view> items;
  int angle = 0;
  int paren = 0;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    const char c = i < value.size() ? value[i] : ',';
    if (quoted) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        quoted = false;
      continue;
    }
    if (c == '"')
      quoted = true;
    else if (c == '<')
      ++angle;
    else if (c == '>' && angle > 0)
      --angle;
    else if (c == '(')
      ++paren;
    else if (c == ')' && paren > 0)
      --paren;
    else if ((c == ',' || c == ';') && angle == 0 && paren == 0) {
      items.push_back(value.substr(start, i - start));
      start = i + 1;
    }
  }
  std::vector<MailAddress> out;
  for (std::string_view item : items) {
    item = trim(item);
    if (item.empty())
      continue;
    const std::size_t lt = item.rfind('<');
    const std::size_t colon = item.find(':');
    if (colon != std::string_view::npos && (lt == std::string_view::npos || colon < lt) &&
        item.find('"') > colon)  // "group: a@b" keeps the first member
      item = trim(item.substr(colon + 1));
    if (item.empty())
      continue;
    MailAddress a;
    std::string name;
    if (const std::size_t l = item.rfind('<'); l != std::string_view::npos) {
      const std::size_t g = item.find('>', l);
      a.address = std::string(
          trim(item.substr(l + 1, (g == std::string_view::npos ? item.size() : g) - l - 1)));
      name = std::string(trim(item.substr(0, l)));
    } else {
      const std::size_t p = item.find('(');
      a.address = std::string(trim(item.substr(0, p)));
      if (p != std::string_view::npos) {
        const std::size_t q = item.rfind(')');
        name = std::string(
            item.substr(p + 1, (q == std::string_view::npos || q < p ? item.size() : q) - p - 1));
      }
    }
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      std::string unq;
      for (std::size_t k = 1; k + 1 < name.size(); ++k) {
        if (name[k] == '\\' && k + 2 < name.size())
          ++k;
        unq += name[k];
      }
      name = unq;
    }
    a.name = decodeHeaderText(name, what, problems);
    if (a.address.empty() && a.name.empty())
      continue;
    if (a.address.find('@') == std::string::npos && !a.address.empty())
      problems.push_back(what + ": \"" + a.address + "\" is not an address (no @)");
    out.push_back(std::move(a));
  }
  return out;
}

Result<void> checkTicketPattern(const std::string& pattern) {
  try {
    std::regex re(pattern);
    if (re.mark_count() < 1)
      return Error{"config.invalid", "ticket_pattern needs a capture group for the ticket number",
                   ""};
  } catch (const std::regex_error& e) {
    return Error{"config.invalid",
                 std::string("ticket_pattern is not a regular expression: ") + e.what(), ""};
  }
  return {};
}

// ---------------------------------------------------------------- MailParser

MailParser::MailParser(ParseOptions options)
    : options_(std::move(options)), ticket_(options_.ticketPattern) {}

IncomingMail MailParser::parse(std::string_view raw) const {
  IncomingMail mail;
  mail.rawSize = raw.size();
  Entity top = splitEntity(raw, "", mail.problems);
  if (top.headers.empty())
    mail.problems.push_back("the mail has no header fields");
  for (const Header& h : top.headers)
    mail.headers.emplace_back(h.display, h.value);

  mail.subject = decodeHeaderText(top.get("subject"), "Subject", mail.problems);
  if (const Header* f = top.find("from")) {
    auto list = parseAddressList(f->value, "From", mail.problems);
    if (!list.empty())
      mail.from = list.front();
  } else {
    mail.problems.push_back("no From header: the sender is unknown");
  }
  if (const Header* r = top.find("reply-to")) {
    auto list = parseAddressList(r->value, "Reply-To", mail.problems);
    if (!list.empty())
      mail.replyTo = list.front();
  }
  for (const Header& h : top.headers) {
    if (h.name == "to") {
      auto l = parseAddressList(h.value, "To", mail.problems);
      mail.to.insert(mail.to.end(), l.begin(), l.end());
    } else if (h.name == "cc") {
      auto l = parseAddressList(h.value, "Cc", mail.problems);
      mail.cc.insert(mail.cc.end(), l.begin(), l.end());
    }
  }
  mail.date = top.get("date");
  mail.dateUnix = parseDate(mail.date);
  if (!mail.date.empty() && !mail.dateUnix)
    mail.problems.push_back("Date \"" + mail.date + "\" could not be read");

  if (auto ids = messageIds(top.get("message-id")); !ids.empty())
    mail.messageId = ids.front();
  if (auto ids = messageIds(top.get("in-reply-to")); !ids.empty())
    mail.inReplyTo = ids.front();
  mail.references = messageIds(top.get("references"));
  std::smatch m;
  if (std::regex_search(mail.subject, m, ticket_) && m.size() > 1)
    mail.ticketNumber = m[1].str();

  if (top.find("content-type") == nullptr && top.find("mime-version") != nullptr)
    mail.problems.push_back("MIME-Version without Content-Type: the body read as text/plain");
  Walker walker(options_, mail);
  TextBody body = walker.walk(raw, 0, "text/plain", "", &top);
  mail.text = std::move(body.text);
  mail.textSource = std::move(body.source);

  if (auto reason = autoReplyByHeaders(mail.headers)) {
    mail.autoReply = true;
    mail.autoReplyReason = *reason;
  }
  return mail;
}

}  // namespace huitong::faults::mail
