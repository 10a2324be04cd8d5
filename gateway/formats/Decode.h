// Department message formats turned into one tree: every input (JSON, XML, CSV, database rows)
// becomes a RapidJSON document that JSONPath selectors read. Untrusted input: every decoder is
// bounded in size and depth, and refuses what it cannot read with the position.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/core/Error.h"

namespace huitong::formats {

// ---------------------------------------------------------------- character sets

// Converts bytes in `charset` (case-insensitive: UTF-8, GB18030, GBK, GB2312, UTF-16LE/BE,
// ISO-8859-1, ...; "" means UTF-8) to UTF-8, refusing undecodable bytes with
// code "charset.undecodable" and the byte offset, and an unknown charset with
// "charset.unknown". A UTF-8 BOM is dropped. UTF-8 input is validated, not copied twice.
Result<std::string> toUtf8(std::string_view bytes, std::string_view charset);

// ---------------------------------------------------------------- JSON

struct JsonOptions {
  std::string charset;  // declared charset; "" = UTF-8
  std::size_t maxBytes = 1024 * 1024;
  unsigned maxDepth = 64;
};
Result<rapidjson::Document> decodeJson(std::string_view bytes, const JsonOptions& options);

// ---------------------------------------------------------------- XML

// The XML tree, as JSON:
// - an element is keyed by its name: the local name when it is in no namespace or in the
//   namespace mapped to the empty prefix, "p:local" when its namespace is mapped to prefix p
//   in `namespaces`, else "{uri}local" (Clark notation). The document's own prefixes never
//   matter.
// - an element with neither attributes nor child elements is a string (its text; "" when
//   empty); otherwise an object whose members are child elements, attributes as "@name", and
//   non-blank text as "#text". A leaf's text is kept as it is (never trimmed); in an element
//   with children, whitespace-only pieces of text between them are dropped and the other
//   pieces joined as they are.
// - sibling elements of the same name become an array; names listed in `arrays` are always
//   arrays (so that one repetition reads the same as many).
// The root is an object with one member: the document element.
// DOCTYPE (and so every entity declaration) is refused: code "xml.doctype". Depth and size
// are bounded: "xml.too_deep", "xml.too_large". Malformed XML: "xml.syntax" with line/column.
// The encoding comes from the XML declaration (GB18030 included) unless `charset` is given;
// text that is not in it: "charset.undecodable" (or "xml.syntax" for the encodings expat
// reads itself), an encoding nobody knows: "charset.unknown".
struct XmlOptions {
  std::map<std::string, std::string> namespaces;  // prefix -> URI, as the mapping names them
  std::set<std::string> arrays;                   // element keys (as above) always arrays
  std::string charset;                            // overrides the declaration when set
  std::size_t maxBytes = 1024 * 1024;
  unsigned maxDepth = 64;
};
Result<rapidjson::Document> decodeXml(std::string_view bytes, const XmlOptions& options);

// ---------------------------------------------------------------- CSV

// RFC 4180 CSV (quoted fields, doubled quotes, line breaks inside quotes, CR LF or LF).
// The tree is an array with one object per data row, keyed by the header row's names
// (or "1", "2", ... when there is no header). Every value is a string; "" for empty.
// A trailer row (first field equal to `trailer.label`) must be the last row and carry in
// column `trailer.countColumn` the number of data rows: otherwise "csv.trailer" and the
// file is not read at all. Rows with a field count that differs from the header:
// "csv.columns" naming the line (the trailer row is exempt). Errors name "line L" (physical
// line in the file): "csv.syntax" (unterminated quote, stray quote), "csv.header" (a column
// name twice), "csv.too_large", and "charset.undecodable" as "line L, byte offset N".
// Empty lines are not rows. An empty file, or a header alone, is zero rows (and so fails a
// required trailer).
struct CsvOptions {
  std::string charset;  // "" = UTF-8
  char delimiter = ',';
  bool header = true;
  struct Trailer {
    bool required = false;
    std::string label;         // e.g. "合计"
    unsigned countColumn = 2;  // 1-based column holding the row count
  } trailer;
  std::size_t maxBytes = 64 * 1024 * 1024;
  std::size_t maxRows = 1000000;
};
struct CsvDocument {
  rapidjson::Document rows;
  std::vector<std::size_t> lines;  // physical line where each data row starts
};
Result<CsvDocument> decodeCsv(std::string_view bytes, const CsvOptions& options);

}  // namespace huitong::formats
