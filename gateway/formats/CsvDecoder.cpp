#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unordered_set>
#include <vector>

#include "gateway/formats/Decode.h"
#include "gateway/formats/Detail.h"

namespace huitong::formats {
namespace {

std::string lineText(std::size_t line) {
  return "line " + std::to_string(line);
}

// One field of the current record: a slice of the text, or of the scratch buffer when doubled
// quotes had to be undone. Offsets rather than pointers because the scratch buffer may grow.
struct Field {
  std::size_t offset;
  std::size_t length;
  bool unescaped;
  bool quoted;
};

// Reads RFC 4180 records out of UTF-8 text, one at a time, keeping the physical line count.
// Fields are not copied: the caller reads them through view() before the next record.
class RecordReader {
 public:
  RecordReader(std::string_view text, char delimiter) : s_(text), delimiter_(delimiter) {}

  enum class Status { kRecord, kEnd, kError };

  // Next non-blank record into fields(); blank lines (nothing between two line breaks) are
  // not records.
  Status next() {
    for (;;) {
      const Status st = read();
      if (st != Status::kRecord ||
          !(fields_.size() == 1 && fields_[0].length == 0 && !fields_[0].quoted)) {
        return st;
      }
    }
  }

  const std::vector<Field>& fields() const { return fields_; }
  std::string_view view(const Field& f) const {
    return f.unescaped ? std::string_view(scratch_).substr(f.offset, f.length)
                       : s_.substr(f.offset, f.length);
  }
  std::size_t recordLine() const { return recordLine_; }
  const Error& error() const { return error_; }

 private:
  Status fail(std::size_t line, std::string message) {
    error_ = Error{"csv.syntax", std::move(message), lineText(line)};
    return Status::kError;
  }

  // Consumes a record terminator at i_ if there is one (LF, CR LF, or CR at the very end).
  bool atEndOfRecord() {
    if (i_ == s_.size()) {
      return true;
    }
    if (s_[i_] == '\n') {
      ++i_;
      ++line_;
      return true;
    }
    if (s_[i_] == '\r' && (i_ + 1 == s_.size() || s_[i_ + 1] == '\n')) {
      i_ += i_ + 1 == s_.size() ? 1 : 2;
      ++line_;
      return true;
    }
    return false;
  }

  Status read() {
    fields_.clear();
    scratch_.clear();
    if (i_ >= s_.size()) {
      return Status::kEnd;
    }
    recordLine_ = line_;
    const std::size_t n = s_.size();
    for (;;) {
      if (i_ < n && s_[i_] == '"') {
        const std::size_t openLine = line_;
        const std::size_t begin = ++i_;
        bool unescaped = false;
        std::size_t scratchBegin = 0;
        for (;;) {
          const void* q = std::memchr(s_.data() + i_, '"', n - i_);
          if (q == nullptr) {
            return fail(openLine, "quoted field is not closed before the end of the file");
          }
          const std::size_t at = static_cast<const char*>(q) - s_.data();
          line_ += static_cast<std::size_t>(std::count(s_.data() + i_, s_.data() + at, '\n'));
          if (at + 1 < n && s_[at + 1] == '"') {  // "" stands for one quote
            if (!unescaped) {
              unescaped = true;
              scratchBegin = scratch_.size();
              scratch_.append(s_.data() + begin, at + 1 - begin);
            } else {
              scratch_.append(s_.data() + i_, at + 1 - i_);
            }
            i_ = at + 2;
            continue;
          }
          if (unescaped) {
            scratch_.append(s_.data() + i_, at - i_);
            fields_.push_back(Field{scratchBegin, scratch_.size() - scratchBegin, true, true});
          } else {
            fields_.push_back(Field{begin, at - begin, false, true});
          }
          i_ = at + 1;
          break;
        }
        if (atEndOfRecord()) {
          return Status::kRecord;
        }
        if (s_[i_] != delimiter_) {
          return fail(line_, "unexpected character after a closing quote");
        }
        ++i_;
        continue;
      }
      const std::size_t begin = i_;
      while (i_ < n) {
        const char c = s_[i_];
        if (c == delimiter_ || c == '\n' || (c == '\r' && (i_ + 1 == n || s_[i_ + 1] == '\n'))) {
          break;
        }
        if (c == '"') {
          return fail(line_, "double quote inside a field that is not quoted");
        }
        ++i_;
      }
      fields_.push_back(Field{begin, i_ - begin, false, false});
      if (atEndOfRecord()) {
        return Status::kRecord;
      }
      ++i_;  // the delimiter
    }
  }

  std::string_view s_;
  char delimiter_;
  std::size_t i_ = 0;
  std::size_t line_ = 1;
  std::size_t recordLine_ = 1;
  std::vector<Field> fields_;
  std::string scratch_;
  Error error_;
};

// A non-negative decimal count, or -1 when s is not one.
long long parseCount(std::string_view s) {
  if (s.empty() || s.size() > 18) {
    return -1;
  }
  long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return -1;
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

// Physical line of a byte offset in the raw (not yet transcoded) bytes. Valid for the
// ASCII-compatible charsets the departments use (UTF-8, GB18030, GBK), where 0x0A is never
// part of a multi-byte character.
std::size_t rawLine(std::string_view bytes, std::size_t offset) {
  offset = std::min(offset, bytes.size());
  return 1 + static_cast<std::size_t>(std::count(bytes.begin(), bytes.begin() + offset, '\n'));
}

}  // namespace

Result<CsvDocument> decodeCsv(std::string_view bytes, const CsvOptions& options) {
  if (bytes.size() > options.maxBytes) {
    return Error{"csv.too_large",
                 "CSV file of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                     std::to_string(options.maxBytes) + " bytes",
                 ""};
  }
  auto utf8 = toUtf8(bytes, options.charset);
  if (!utf8) {
    Error e = utf8.error();
    const std::string cs = detail::normalizeCharset(options.charset);
    if (e.code == "charset.undecodable" && cs.rfind("UTF-16", 0) != 0 &&
        cs.rfind("UTF-32", 0) != 0 && cs.rfind("UCS", 0) != 0) {
      const std::size_t offset = std::strtoull(e.path.c_str() + e.path.rfind(' ') + 1, nullptr, 10);
      e.path = lineText(rawLine(bytes, offset)) + ", " + e.path;
    }
    return e;
  }
  const std::string& text = utf8.value();

  CsvDocument out;
  auto& a = out.rows.GetAllocator();
  out.rows.SetArray();
  // One slot per line break bounds the rows: the array and line list never reallocate.
  const std::size_t breaks = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  const std::size_t expected =
      std::min({breaks + 1, options.maxRows, std::size_t{rapidjson::SizeType(-1)}});
  out.rows.Reserve(static_cast<rapidjson::SizeType>(expected), a);
  out.lines.reserve(expected);

  RecordReader reader(text, options.delimiter);
  std::vector<std::string> keys;
  bool haveKeys = false;
  if (options.header) {
    const auto st = reader.next();
    if (st == RecordReader::Status::kError) {
      return reader.error();
    }
    if (st == RecordReader::Status::kRecord) {
      std::unordered_set<std::string_view> seen;
      for (const Field& f : reader.fields()) {
        keys.emplace_back(reader.view(f));
      }
      for (const std::string& k : keys) {
        if (!seen.insert(k).second) {
          return Error{"csv.header", "column name \"" + k + "\" appears twice in the header",
                       lineText(reader.recordLine())};
        }
      }
      haveKeys = true;
    }
  }

  const bool trailerKnown = !options.trailer.label.empty();
  bool trailerSeen = false;
  std::size_t trailerLine = 0;
  long long trailerCount = -1;
  std::string trailerValue;
  for (;;) {
    const auto st = reader.next();
    if (st == RecordReader::Status::kError) {
      return reader.error();
    }
    if (st == RecordReader::Status::kEnd) {
      break;
    }
    const auto& fields = reader.fields();
    if (trailerSeen) {
      return Error{"csv.trailer",
                   "the trailer row \"" + options.trailer.label + "\" at line " +
                       std::to_string(trailerLine) + " is not the last row",
                   lineText(reader.recordLine())};
    }
    if (trailerKnown && reader.view(fields[0]) == options.trailer.label) {
      trailerSeen = true;
      trailerLine = reader.recordLine();
      const unsigned column = options.trailer.countColumn;
      if (column >= 1 && column <= fields.size()) {
        trailerValue = std::string(reader.view(fields[column - 1]));
        trailerCount = parseCount(trailerValue);
      }
      continue;
    }
    if (!haveKeys) {  // no header: columns are numbered after the first row
      for (std::size_t k = 1; k <= fields.size(); ++k) {
        keys.push_back(std::to_string(k));
      }
      haveKeys = true;
    }
    if (fields.size() != keys.size()) {
      return Error{"csv.columns",
                   "row has " + std::to_string(fields.size()) + " fields, the header has " +
                       std::to_string(keys.size()),
                   lineText(reader.recordLine())};
    }
    if (out.lines.size() >= options.maxRows) {
      return Error{"csv.too_large",
                   "CSV file has more than " + std::to_string(options.maxRows) + " rows",
                   lineText(reader.recordLine())};
    }
    rapidjson::Value row(rapidjson::kObjectType);
    for (std::size_t k = 0; k < fields.size(); ++k) {
      const std::string_view v = reader.view(fields[k]);
      row.AddMember(
          rapidjson::Value(keys[k].data(), static_cast<rapidjson::SizeType>(keys[k].size()), a),
          rapidjson::Value(v.data(), static_cast<rapidjson::SizeType>(v.size()), a), a);
    }
    out.rows.PushBack(row, a);
    out.lines.push_back(reader.recordLine());
  }

  if (options.trailer.required && !trailerSeen) {
    return Error{"csv.trailer",
                 "the file does not end with a trailer row \"" + options.trailer.label +
                     ",<count>\": it is incomplete",
                 ""};
  }
  if (trailerSeen) {
    if (trailerCount < 0) {
      return Error{"csv.trailer",
                   "the trailer row has no row count in column " +
                       std::to_string(options.trailer.countColumn),
                   lineText(trailerLine)};
    }
    if (static_cast<unsigned long long>(trailerCount) != out.lines.size()) {
      return Error{"csv.trailer",
                   "the trailer counts " + trailerValue + " rows but the file has " +
                       std::to_string(out.lines.size()) + ": it is incomplete",
                   lineText(trailerLine)};
    }
  }
  return out;
}

}  // namespace huitong::formats
