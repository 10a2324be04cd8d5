#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include <expat.h>

#include "gateway/core/Json.h"
#include "gateway/formats/Decode.h"
#include "gateway/formats/Detail.h"

namespace huitong::formats {
namespace {

// Expat joins a namespace URI and a local name with this; a tab can be in neither a name nor
// (unescaped) an attribute value, and a local name never holds one, so the last tab splits.
constexpr char kNsSeparator = '\t';
// Fed to expat in pieces because XML_Parse takes an int length.
constexpr std::size_t kChunk = 1 << 20;

bool isXmlSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool isBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), isXmlSpace);
}

// The encodings expat decodes itself; anything else is transcoded to UTF-8 first.
bool expatKnows(std::string_view normalized) {
  return normalized == "UTF-8" || normalized == "UTF-16" || normalized == "UTF-16BE" ||
         normalized == "UTF-16LE" || normalized == "ISO-8859-1" || normalized == "US-ASCII";
}

// The encoding named by an XML declaration at the very start of an ASCII-compatible document,
// or nullopt when there is no declaration or it names none.
std::optional<std::string> declaredEncoding(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    bytes.remove_prefix(3);
  }
  if (bytes.size() < 6 || bytes.substr(0, 5) != "<?xml" || !isXmlSpace(bytes[5])) {
    return std::nullopt;
  }
  const std::size_t end = bytes.find("?>");
  if (end == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view decl = bytes.substr(0, end);
  std::size_t at = decl.find("encoding");
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  at += 8;
  while (at < decl.size() && isXmlSpace(decl[at])) {
    ++at;
  }
  if (at >= decl.size() || decl[at] != '=') {
    return std::nullopt;
  }
  ++at;
  while (at < decl.size() && isXmlSpace(decl[at])) {
    ++at;
  }
  if (at >= decl.size() || (decl[at] != '"' && decl[at] != '\'')) {
    return std::nullopt;
  }
  const char quote = decl[at++];
  const std::size_t close = decl.find(quote, at);
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(decl.substr(at, close - at));
}

// Builds the documented tree from expat's SAX events. Only the open elements are held on a
// stack (at most maxDepth), so nothing here recurses.
class TreeBuilder {
 public:
  TreeBuilder(const XmlOptions& options, XML_Parser parser) : options_(options), parser_(parser) {
    for (const auto& [prefix, uri] : options.namespaces) {
      prefixes_.emplace(uri, prefix);  // std::map order: "" first, so it wins a shared URI
    }
  }

  rapidjson::Document& document() { return doc_; }
  const std::optional<Error>& error() const { return error_; }

  static void XMLCALL onStart(void* self, const XML_Char* name, const XML_Char** attrs) {
    static_cast<TreeBuilder*>(self)->start(name, attrs);
  }
  static void XMLCALL onEnd(void* self, const XML_Char* /*name*/) {
    static_cast<TreeBuilder*>(self)->end();
  }
  static void XMLCALL onText(void* self, const XML_Char* s, int len) {
    auto* b = static_cast<TreeBuilder*>(self);
    if (!b->stack_.empty()) {
      b->stack_.back().text.append(s, static_cast<std::size_t>(len));
    }
  }
  // A DOCTYPE is where every entity, external subset and parameter entity would come from;
  // expat reports it before it reads the internal subset, so refusing it here stops them all.
  static void XMLCALL onDoctype(void* self, const XML_Char* /*name*/, const XML_Char* /*sysid*/,
                                const XML_Char* /*pubid*/, int /*hasInternalSubset*/) {
    static_cast<TreeBuilder*>(self)->fail("xml.doctype", "DOCTYPE declarations are not accepted");
  }
  static void XMLCALL onEntityDecl(void* self, const XML_Char*, int, const XML_Char*, int,
                                   const XML_Char*, const XML_Char*, const XML_Char*,
                                   const XML_Char*) {
    static_cast<TreeBuilder*>(self)->fail("xml.doctype", "entity declarations are not accepted");
  }

  void fail(const char* code, std::string message) {
    if (!error_) {
      error_ = Error{code, std::move(message), position()};
    }
    XML_StopParser(parser_, XML_FALSE);
  }

  std::string position() const {
    return "line " + std::to_string(XML_GetCurrentLineNumber(parser_)) + ", column " +
           std::to_string(XML_GetCurrentColumnNumber(parser_) + 1);
  }

 private:
  struct Open {
    std::string key;
    rapidjson::Value value;  // null until the element gets an attribute or a child element
    std::string text;        // the text since the last child element
    std::string mixed;       // the earlier non-blank text pieces, once there are children
    bool hasChild = false;
    // Member positions by name, built once the object is too big to search: 100,000
    // differently named children must not cost 100,000 linear searches.
    std::unordered_map<std::string, rapidjson::SizeType> index;
  };

  static constexpr rapidjson::SizeType kLinearSearch = 32;

  // The member named key in open's object, or nullptr.
  static rapidjson::Value* findMember(Open& open, const std::string& key) {
    rapidjson::Value& obj = open.value;
    if (obj.MemberCount() <= kLinearSearch) {
      auto m = obj.FindMember(
          rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size())));
      return m == obj.MemberEnd() ? nullptr : &m->value;
    }
    if (open.index.empty()) {
      for (auto m = obj.MemberBegin(); m != obj.MemberEnd(); ++m) {
        open.index.emplace(std::string(m->name.GetString(), m->name.GetStringLength()),
                           static_cast<rapidjson::SizeType>(m - obj.MemberBegin()));
      }
    }
    const auto at = open.index.find(key);
    return at == open.index.end() ? nullptr : &(obj.MemberBegin() + at->second)->value;
  }

  static void addMember(Open& open, const std::string& key, rapidjson::Value& value,
                        rapidjson::Document::AllocatorType& a) {
    open.value.AddMember(json::string(key, a), value, a);
    if (!open.index.empty()) {
      open.index.emplace(key, open.value.MemberCount() - 1);
    }
  }

  void start(const XML_Char* name, const XML_Char** attrs) {
    if (error_) {
      return;
    }
    if (stack_.size() >= options_.maxDepth) {
      fail("xml.too_deep",
           "XML nesting deeper than " + std::to_string(options_.maxDepth) + " levels");
      return;
    }
    if (!stack_.empty()) {
      // Whitespace between child elements is layout, not content: only non-blank pieces of
      // mixed text are kept, each as it is.
      Open& parent = stack_.back();
      if (!isBlank(parent.text)) {
        parent.mixed += parent.text;
      }
      parent.text.clear();
      parent.hasChild = true;
    }
    auto& a = doc_.GetAllocator();
    Open open{keyOf(name), rapidjson::Value(), std::string(), std::string(), false, {}};
    for (const XML_Char** at = attrs; *at != nullptr; at += 2) {
      if (open.value.IsNull()) {
        open.value.SetObject();
      }
      const std::string key = "@" + keyOf(at[0]);
      open.value.AddMember(json::string(key, a), json::string(at[1], a), a);
    }
    stack_.push_back(std::move(open));
  }

  void end() {
    if (error_ || stack_.empty()) {
      return;
    }
    auto& a = doc_.GetAllocator();
    Open closed = std::move(stack_.back());
    stack_.pop_back();
    if (closed.hasChild) {
      if (!isBlank(closed.text)) {
        closed.mixed += closed.text;
      }
      closed.text = std::move(closed.mixed);
    }
    if (closed.value.IsNull()) {
      closed.value = json::string(closed.text, a);
    } else if (!isBlank(closed.text)) {
      closed.value.AddMember("#text", json::string(closed.text, a), a);
    }
    if (stack_.empty()) {
      doc_.SetObject();
      doc_.AddMember(json::string(closed.key, a), closed.value, a);
      return;
    }
    Open& parent = stack_.back();
    if (parent.value.IsNull()) {
      parent.value.SetObject();
    }
    // Child values are strings or objects, never arrays: an array member is a group of
    // repeated (or always-array) siblings.
    if (rapidjson::Value* member = findMember(parent, closed.key)) {
      if (!member->IsArray()) {
        rapidjson::Value group(rapidjson::kArrayType);
        group.PushBack(*member, a);  // moves the first sibling
        *member = group;
      }
      member->PushBack(closed.value, a);
    } else if (options_.arrays.count(closed.key) != 0) {
      rapidjson::Value group(rapidjson::kArrayType);
      group.PushBack(closed.value, a);
      addMember(parent, closed.key, group, a);
    } else {
      addMember(parent, closed.key, closed.value, a);
    }
  }

  std::string keyOf(std::string_view expatName) const {
    const std::size_t sep = expatName.rfind(kNsSeparator);
    if (sep == std::string_view::npos) {
      return std::string(expatName);
    }
    const std::string_view local = expatName.substr(sep + 1);
    const std::string uri(expatName.substr(0, sep));
    const auto prefix = prefixes_.find(uri);
    if (prefix == prefixes_.end()) {
      return "{" + uri + "}" + std::string(local);
    }
    if (prefix->second.empty()) {
      return std::string(local);
    }
    return prefix->second + ":" + std::string(local);
  }

  const XmlOptions& options_;
  XML_Parser parser_;
  std::map<std::string, std::string> prefixes_;  // URI -> prefix
  rapidjson::Document doc_;
  std::vector<Open> stack_;
  std::optional<Error> error_;
};

struct ParserDeleter {
  void operator()(XML_ParserStruct* p) const { XML_ParserFree(p); }
};

}  // namespace

Result<rapidjson::Document> decodeXml(std::string_view bytes, const XmlOptions& options) {
  if (bytes.size() > options.maxBytes) {
    return Error{"xml.too_large",
                 "XML document of " + std::to_string(bytes.size()) +
                     " bytes exceeds the limit of " + std::to_string(options.maxBytes) + " bytes",
                 ""};
  }

  // Expat decodes UTF-8, UTF-16, ISO-8859-1 and US-ASCII itself (BOM or declaration); for any
  // other encoding the text is transcoded here and expat is told it is UTF-8, which makes it
  // ignore the declaration.
  std::string transcoded;
  std::string_view text = bytes;
  std::string encodingName;
  const char* encoding = nullptr;
  std::optional<std::string> charset;
  if (!options.charset.empty()) {
    charset = options.charset;
  } else if (!(bytes.size() >= 2 && (bytes[0] == '\0' || bytes[1] == '\0'))) {  // not UTF-16
    charset = declaredEncoding(bytes);
  }
  if (charset) {
    const std::string normalized = detail::normalizeCharset(*charset);
    if (!expatKnows(normalized)) {
      auto utf8 = toUtf8(bytes, *charset);
      if (!utf8) {
        return utf8.error();
      }
      transcoded = std::move(utf8).value();
      text = transcoded;
      encoding = "UTF-8";
    } else if (!options.charset.empty()) {
      encodingName = normalized;
      encoding = encodingName.c_str();
    }
  }

  std::unique_ptr<XML_ParserStruct, ParserDeleter> parser(
      XML_ParserCreateNS(encoding, kNsSeparator));
  if (!parser) {
    return Error{"xml.resources", "cannot create an XML parser", ""};
  }
  XML_Parser p = parser.get();
  TreeBuilder builder(options, p);
  XML_SetUserData(p, &builder);
  XML_SetElementHandler(p, &TreeBuilder::onStart, &TreeBuilder::onEnd);
  XML_SetCharacterDataHandler(p, &TreeBuilder::onText);
  XML_SetStartDoctypeDeclHandler(p, &TreeBuilder::onDoctype);
  XML_SetEntityDeclHandler(p, &TreeBuilder::onEntityDecl);
  XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);

  std::size_t fed = 0;
  do {
    const std::size_t n = std::min(kChunk, text.size() - fed);
    const bool last = fed + n == text.size();
    const XML_Status status =
        XML_Parse(p, text.data() + fed, static_cast<int>(n), last ? XML_TRUE : XML_FALSE);
    fed += n;
    if (builder.error()) {
      return *builder.error();
    }
    if (status != XML_STATUS_OK) {
      return Error{"xml.syntax",
                   std::string("malformed XML: ") + XML_ErrorString(XML_GetErrorCode(p)),
                   builder.position()};
    }
  } while (fed < text.size());
  return std::move(builder.document());
}

}  // namespace huitong::formats
