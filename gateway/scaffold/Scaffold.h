// The mapping scaffold: from one sample message of a department system, a first-draft mapping
// file (docs/mapping-language.md "Scaffold a first draft") that an ops person reviews and
// completes. Every leaf of the decoded sample is scored against the case event's fields by its
// name (English words, Chinese words, pinyin initials) and by the shape of its value (resident
// ID and USCC check characters, mobile numbers, dates, amounts, short codes).
//
// Start here: scaffold() makes the draft; the recognisers and nameScore() are exposed for tests.
// Everything is stateless and thread-safe. The draft never publishes itself: its version is
// "0-draft" and each required field the sample does not show is a rule that rejects events.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/Error.h"

namespace huitong::scaffold {

struct ScaffoldOptions {
  std::string system;   // the system id written into the draft
  std::string format;   // json | xml | csv | rows (as the mapping's input.format)
  std::string charset;  // "" = UTF-8 (GB18030 for most CSV exports)
  // When set, the draft carries an embedded test case reading the sample from
  // "tests/<sampleFileName>" (the CLI copies it there).
  std::string sampleFileName;
  std::string now;  // RFC 3339 clock for the test case; "" = the day after occurred_at
};

// One proposed rule (or one required field left for the ops person).
struct FieldProposal {
  std::string target;      // "case_no", "applicant.id_no", "stage", "detail.materials"
  std::string section;     // "fields" or a stage ("submit", "complete")
  std::string rule;        // the rule as compact JSON text
  std::string sourcePath;  // the record-relative selector it reads ("" for a constant)
  std::string sample;      // the sample value it reads (text), for people
  double confidence = 0;   // 0..1
  std::string reason;      // one line: why this source
  bool mapped = false;     // false: not found; the rule is a constant that rejects
  bool required = false;
};

struct Draft {
  std::string text;     // mapping.json with // comments
  std::string records;  // the fan-out selector proposed, or ""
  std::vector<FieldProposal> fields;
};

// Decodes `sample` as `options.format` and proposes a draft mapping. Errors: the sample
// cannot be decoded (the decoder's code and position), or it holds no record.
Result<Draft> scaffold(std::string_view sample, const ScaffoldOptions& options);

// ------------------------------------------------------------------ recognisers

// What a value looks like. Dates name the mapping-language pattern that reads them.
struct ValueShape {
  enum Kind {
    kEmpty,
    kResidentId,          // 18 characters, real birth date, GB 11643 check character right
    kResidentIdBadCheck,  // the same with a wrong check character (still a 身份证号 field)
    kUscc,                // GB 32100 check character right
    kMobile,              // ^1[3-9][0-9]{9}$
    kDateTime,            // a date with a time (pattern below)
    kDate,                // a date alone (pattern below)
    kEpoch,               // epoch milliseconds or seconds (pattern "epoch_ms" / "epoch_s")
    kInteger,             // digits (not one of the above)
    kDecimal,             // digits with a fraction
    kCode,                // short text without blanks: letters, digits, '_', '-', or a few CJK
    kText,                // anything else
  };
  Kind kind = kEmpty;
  std::string pattern;  // datetime pattern for kDateTime / kDate / kEpoch
};
ValueShape classifyValue(std::string_view text, bool isNumber = false);

// Which targets the scaffold proposes, with the words that name them.
std::vector<std::string> scaffoldTargets();

// How well a source field name (a JSON member, an XML element, a CSV column) names `target`:
// 0..1. Exact dictionary words score 1, pinyin initials inside a longer code 0.85, camelCase or
// snake_case word sets and Chinese words found inside the name less.
double nameScore(std::string_view target, std::string_view sourceName);

// A datetime pattern of the mapping language that reads `text`, or nullopt.
std::optional<std::string> datePattern(std::string_view text, bool* hasTime = nullptr);

}  // namespace huitong::scaffold
