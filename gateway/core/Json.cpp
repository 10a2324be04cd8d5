#include "gateway/core/Json.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace huitong::json {
namespace {

// Counts nesting while RapidJSON parses, so that depth is bounded without recursion.
// Wraps the document's own SAX handler (GenericDocument is one).
class DepthGuard : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, DepthGuard> {
 public:
  DepthGuard(rapidjson::Document& doc, unsigned maxDepth) : doc_(doc), maxDepth_(maxDepth) {}
  bool tooDeep() const { return tooDeep_; }
  bool loneSurrogate() const { return loneSurrogate_; }

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned i) { return doc_.Uint(i); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t i) { return doc_.Uint64(i); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return doc_.RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return wellFormed(s, n) && doc_.String(s, n, copy);
  }
  bool StartObject() { return enter() && doc_.StartObject(); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    return wellFormed(s, n) && doc_.Key(s, n, copy);
  }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndObject(n);
  }
  bool StartArray() { return enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndArray(n);
  }

 private:
  bool enter() {
    if (++depth_ > maxDepth_) {
      tooDeep_ = true;
      return false;
    }
    return true;
  }
  // RapidJSON 1.1 pairs a \uD800-\uDBFF escape with its low half but encodes a lone
  // \uDC00-\uDFFF escape as bytes ED B0..BF xx: not UTF-8. Refuse those.
  bool wellFormed(const char* s, rapidjson::SizeType n) {
    for (rapidjson::SizeType i = 0; i + 1 < n; ++i) {
      if (static_cast<unsigned char>(s[i]) == 0xED &&
          static_cast<unsigned char>(s[i + 1]) >= 0xA0) {
        loneSurrogate_ = true;
        return false;
      }
    }
    return true;
  }

  rapidjson::Document& doc_;
  bool loneSurrogate_ = false;
  unsigned maxDepth_;
  unsigned depth_ = 0;
  bool tooDeep_ = false;
};

}  // namespace

std::string describeOffset(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {  // count code points, not continuation bytes
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + " (offset " +
         std::to_string(offset) + ")";
}

Result<rapidjson::Document> parse(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.maxBytes) {
    return Error{"json.too_large",
                 "JSON document of " + std::to_string(text.size()) +
                     " bytes exceeds the limit of " + std::to_string(limits.maxBytes) + " bytes",
                 ""};
  }
  // RapidJSON reads a NUL byte as the end of input: "123\0junk" would parse as 123.
  if (const void* nul = std::memchr(text.data(), '\0', text.size())) {
    const auto at = static_cast<std::size_t>(static_cast<const char*>(nul) - text.data());
    return Error{"json.syntax", "malformed JSON: a NUL byte is not allowed in JSON text",
                 describeOffset(text, at)};
  }
  rapidjson::Document doc;
  DepthGuard guard(doc, limits.maxDepth);
  rapidjson::ParseResult pr;
  // Populate() runs the parse with the guard in front of the document's own SAX handler and
  // then installs the built value as the document's root.
  auto generate = [&](rapidjson::Document&) {
    rapidjson::MemoryStream ms(text.data(), text.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
    rapidjson::Reader reader;
    constexpr unsigned kFlags = rapidjson::kParseValidateEncodingFlag |
                                rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag;
    pr = reader.Parse<kFlags>(is, guard);
    return !pr.IsError();
  };
  doc.Populate(generate);
  if (guard.tooDeep()) {
    return Error{"json.too_deep",
                 "JSON nesting deeper than " + std::to_string(limits.maxDepth) + " levels",
                 describeOffset(text, pr.Offset())};
  }
  if (guard.loneSurrogate()) {
    return Error{"json.encoding", "invalid UTF-8 in JSON text: a \\u escape of a lone surrogate",
                 describeOffset(text, pr.Offset())};
  }
  if (pr.IsError()) {
    const bool encoding = pr.Code() == rapidjson::kParseErrorStringInvalidEncoding;
    return Error{encoding ? "json.encoding" : "json.syntax",
                 std::string(encoding ? "invalid UTF-8 in JSON text: " : "malformed JSON: ") +
                     rapidjson::GetParseError_En(pr.Code()),
                 describeOffset(text, pr.Offset())};
  }
  return doc;
}

std::string write(const rapidjson::Value& value) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  value.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

namespace {

void canonical(const rapidjson::Value& v, rapidjson::Writer<rapidjson::StringBuffer>& w) {
  if (v.IsObject()) {
    std::vector<const rapidjson::Value::Member*> members;
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it)
      members.push_back(&*it);
    std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
      return std::string_view(a->name.GetString(), a->name.GetStringLength()) <
             std::string_view(b->name.GetString(), b->name.GetStringLength());
    });
    w.StartObject();
    for (const auto* m : members) {
      w.Key(m->name.GetString(), m->name.GetStringLength());
      canonical(m->value, w);
    }
    w.EndObject();
  } else if (v.IsArray()) {
    w.StartArray();
    for (const auto& e : v.GetArray())
      canonical(e, w);
    w.EndArray();
  } else {
    v.Accept(w);
  }
}

}  // namespace

std::string writeCanonical(const rapidjson::Value& value) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  canonical(value, w);
  return std::string(sb.GetString(), sb.GetSize());
}

std::string writePretty(const rapidjson::Value& value) {
  rapidjson::StringBuffer sb;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
  w.SetIndent(' ', 2);
  value.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace huitong::json
