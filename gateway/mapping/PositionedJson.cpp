#include "gateway/mapping/PositionedJson.h"

#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "gateway/core/Json.h"

namespace huitong::mapping {
namespace {

// Forwards SAX events to the document and records, for every member and array element, the
// offset where its token starts. The reader tells offsets after a token; the handler keeps the
// offset after the previous token and skips separators to find where this one starts.
class Recorder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Recorder> {
 public:
  Recorder(rapidjson::Document& doc, const rapidjson::MemoryStream& stream, std::string_view text,
           std::unordered_map<std::string, std::size_t>& offsets)
      : doc_(doc), stream_(stream), text_(text), offsets_(offsets) {}

  bool Null() { return value() && doc_.Null(); }
  bool Bool(bool b) { return value() && doc_.Bool(b); }
  bool Int(int i) { return value() && doc_.Int(i); }
  bool Uint(unsigned i) { return value() && doc_.Uint(i); }
  bool Int64(int64_t i) { return value() && doc_.Int64(i); }
  bool Uint64(uint64_t i) { return value() && doc_.Uint64(i); }
  bool Double(double d) { return value() && doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool c) {
    return value() && doc_.RawNumber(s, n, c);
  }
  bool String(const char* s, rapidjson::SizeType n, bool c) {
    return value() && doc_.String(s, n, c);
  }
  bool StartObject() {
    value();
    frames_.push_back({path_.size(), false, 0});
    mark();
    return doc_.StartObject();
  }
  bool Key(const char* s, rapidjson::SizeType n, bool c) {
    // The key token ends at the current offset; it started at the quote after the separator.
    pendingKey_ = pointerToken(std::string_view(s, n));
    path_.resize(frames_.back().pathLength);
    if (offsets_.count(path_ + "/" + pendingKey_) != 0 && duplicate_ == std::string::npos) {
      duplicate_ = tokenStart();  // a key twice in one object is always a mistake in a mapping
      duplicateKey_.assign(s, n);
      return false;
    }
    offsets_[path_ + "/" + pendingKey_] = tokenStart();
    mark();
    return doc_.Key(s, n, c);
  }
  bool EndObject(rapidjson::SizeType n) {
    leave();
    mark();
    return doc_.EndObject(n);
  }
  bool StartArray() {
    value();
    frames_.push_back({path_.size(), true, 0});
    mark();
    return doc_.StartArray();
  }
  bool EndArray(rapidjson::SizeType n) {
    leave();
    mark();
    return doc_.EndArray(n);
  }

 private:
  struct Frame {
    std::size_t pathLength;
    bool array;
    std::size_t next;
  };

  // Called when a value begins (scalars: after it was read; containers: at '{' or '[').
  bool value() {
    if (frames_.empty()) {
      mark();
      return true;
    }
    Frame& f = frames_.back();
    path_.resize(f.pathLength);
    if (f.array) {
      path_ += "/" + std::to_string(f.next++);
      offsets_[path_] = tokenStart();
    } else {
      path_ += "/" + pendingKey_;
    }
    mark();
    return true;
  }
  void leave() {
    const std::size_t len = frames_.back().pathLength;
    frames_.pop_back();
    // The container's own path stays until its parent moves on.
    path_.resize(len);
  }
  // Where the next token starts: after separators, white space and comments (mapping files
  // may carry // and /* */ comments).
  std::size_t tokenStart() const {
    std::size_t i = last_;
    while (i < text_.size()) {
      const char c = text_[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':' || c == '[' ||
          c == '{' || c == ']' || c == '}') {
        ++i;
      } else if (c == '/' && i + 1 < text_.size() && text_[i + 1] == '/') {
        const std::size_t nl = text_.find('\n', i);
        i = nl == std::string_view::npos ? text_.size() : nl + 1;
      } else if (c == '/' && i + 1 < text_.size() && text_[i + 1] == '*') {
        const std::size_t end = text_.find("*/", i + 2);
        i = end == std::string_view::npos ? text_.size() : end + 2;
      } else {
        break;
      }
    }
    return i;
  }
  void mark() { last_ = stream_.Tell(); }

  rapidjson::Document& doc_;
  const rapidjson::MemoryStream& stream_;
  std::string_view text_;
  std::unordered_map<std::string, std::size_t>& offsets_;
  std::vector<Frame> frames_;
  std::string path_;
  std::string pendingKey_;
  std::size_t last_ = 0;

 public:
  std::size_t duplicate_ = std::string::npos;
  std::string duplicateKey_;
};

}  // namespace

std::string pointerToken(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

Result<PositionedJson> PositionedJson::parse(std::string_view text, const std::string& fileName) {
  PositionedJson pj;
  pj.fileName_ = fileName;
  pj.text_.assign(text.data(), text.size());
  rapidjson::MemoryStream ms(pj.text_.data(), pj.text_.size());
  Recorder recorder(pj.doc_, ms, pj.text_, pj.offsets_);
  rapidjson::ParseResult pr;
  auto generate = [&](rapidjson::Document&) {
    rapidjson::Reader reader;
    pr = reader.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag |
                      rapidjson::kParseCommentsFlag>(ms, recorder);
    return !pr.IsError();
  };
  pj.doc_.Populate(generate);
  if (recorder.duplicate_ != std::string::npos) {
    return Error{"mapping.syntax",
                 "the key \"" + recorder.duplicateKey_ + "\" appears twice in the same object",
                 pj.whereOffset(recorder.duplicate_)};
  }
  if (pr.IsError()) {
    return Error{"mapping.syntax",
                 std::string("not valid JSON: ") + rapidjson::GetParseError_En(pr.Code()),
                 pj.whereOffset(pr.Offset())};
  }
  return pj;
}

std::string PositionedJson::whereOffset(std::size_t offset) const {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text_.size(); ++i) {
    const auto c = static_cast<unsigned char>(text_[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  return fileName_ + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string PositionedJson::where(const std::string& pointer) const {
  std::string p = pointer;
  while (true) {
    const auto it = offsets_.find(p);
    if (it != offsets_.end()) {
      return whereOffset(it->second);
    }
    const auto slash = p.rfind('/');
    if (slash == std::string::npos || p.empty()) {
      return whereOffset(0);
    }
    p.resize(slash);
  }
}

}  // namespace huitong::mapping
