#include "gateway/validation/Validator.h"

#include <array>
#include <cassert>
#include <cstdint>

#include "gateway/validation/CaseEventSchema.h"

namespace huitong::validation {
namespace {

using Codes = std::vector<std::string>;

constexpr std::size_t kMaxStages = 16;  // stage bit masks are 16 bits wide
constexpr EpochMillis kFutureTolerance = 5 * 60 * 1000;

// ---- character-level matchers (no regex engine: each is exact for its pattern) ----

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isAlnum(char c) {
  return isDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

template <typename Pred>
bool allOf(std::string_view s, std::size_t minLen, std::size_t maxLen, Pred pred) {
  if (s.size() < minLen || s.size() > maxLen) {
    return false;
  }
  for (char c : s) {
    if (!pred(c)) {
      return false;
    }
  }
  return true;
}

constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// Value of each byte in the USCC alphabet, -1 outside it (a table: this runs twice per event).
constexpr std::array<signed char, 256> kUsccValues = [] {
  std::array<signed char, 256> v{};
  for (auto& x : v) {
    x = -1;
  }
  for (std::size_t i = 0; i < kUsccAlphabet.size(); ++i) {
    v[static_cast<unsigned char>(kUsccAlphabet[i])] = static_cast<signed char>(i);
  }
  return v;
}();

int usccValue(char c) {
  return kUsccValues[static_cast<unsigned char>(c)];
}

// Member names are short and often share a length ("name", "code", "type"): the first byte
// settles most comparisons without a memcmp call.
bool sameKey(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || (a[0] == b[0] && a == b));
}

// Reads exactly n digits at s[pos...]; false if any is not a digit.
bool readDigits(std::string_view s, std::size_t pos, std::size_t n, int& value) {
  value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (!isDigit(c)) {
      return false;
    }
    value = value * 10 + (c - '0');
  }
  return true;
}

bool isLeapYear(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool isRealDate(int y, int m, int d) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) {
    return false;
  }
  const int last = (m == 2 && isLeapYear(y)) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
  return d <= last;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t daysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const auto mp = static_cast<unsigned>(m > 2 ? m - 3 : m + 9);
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// YYYY-MM-DD at the start of s (exactly 10 characters read).
bool readDate(std::string_view s, int& y, int& m, int& d) {
  return s.size() >= 10 && readDigits(s, 0, 4, y) && s[4] == '-' && readDigits(s, 5, 2, m) &&
         s[7] == '-' && readDigits(s, 8, 2, d) && isRealDate(y, m, d);
}

bool matchesEventId(std::string_view s) {
  return allOf(s, 1, 128,
               [](char c) { return isAlnum(c) || c == '.' || c == '_' || c == ':' || c == '-'; });
}
bool matchesCaseNo(std::string_view s) {
  return allOf(s, 1, 64, [](char c) { return isAlnum(c) || c == '-'; });
}
bool matchesItemCode(std::string_view s) {
  return allOf(s, 1, 64, isAlnum);
}
bool matchesUsccShape(std::string_view s) {
  return allOf(s, 18, 18, [](char c) { return usccValue(c) >= 0; });
}
bool matchesRegionCode(std::string_view s) {
  return allOf(s, 6, 6, isDigit);
}

// ---- the catalog compiled into a tree the walk can use without allocating ----

// Which hand-written matcher stands for a catalog pattern.
enum class Matcher {
  kNone,
  kEventId,
  kCaseNo,
  kItemCode,
  kUsccShape,
  kRegionCode,
  kDateTime,
  kDate,
  kYuan
};

bool matches(Matcher m, std::string_view s) {
  switch (m) {
    case Matcher::kNone:
      return true;
    case Matcher::kEventId:
      return matchesEventId(s);
    case Matcher::kCaseNo:
      return matchesCaseNo(s);
    case Matcher::kItemCode:
      return matchesItemCode(s);
    case Matcher::kUsccShape:
      return matchesUsccShape(s);
    case Matcher::kRegionCode:
      return matchesRegionCode(s);
    case Matcher::kDateTime:
      return isRfc3339DateTime(s);
    case Matcher::kDate:
      return isCalendarDate(s);
    case Matcher::kYuan:
      return isYuanAmount(s);
  }
  return false;
}

struct Node {
  const FieldSpec* spec = nullptr;  // nullptr for the event itself
  std::string_view key;             // last segment of the dotted name
  Matcher matcher = Matcher::kNone;
  bool inDetail = false;             // `detail` or below: missing fields are detail_required
  bool stageGated = false;           // allowed/required per stage (channel, detail, detail.*)
  std::uint16_t allowMask = 0xFFFF;  // stages allowing the field
  std::uint16_t requireMask = 0;     // stages requiring it
  bool requiredAnyStage = false;     // required even when the stage is unknown
  const Codes* table = nullptr;      // stage-independent code table
  bool stageTable = false;           // table depends on the stage (see codeTableFor)
  std::array<const Codes*, kMaxStages> stageTables{};
  std::vector<const Node*> children;  // objects: at most 64 (seen-bitmask below)
};

struct Tree {
  std::vector<Node> nodes;  // sized once: pointers into it stay valid
  Node root;
};

Matcher matcherFor(const FieldSpec& f) {
  switch (f.format) {
    case FieldFormat::kDateTime:
      return Matcher::kDateTime;
    case FieldFormat::kDate:
      return Matcher::kDate;
    case FieldFormat::kDecimal2:
      return Matcher::kYuan;
    case FieldFormat::kNone:
      break;
  }
  if (f.pattern.empty()) {
    return Matcher::kNone;
  }
  if (f.pattern == "^[A-Za-z0-9._:-]{1,128}$") {
    return Matcher::kEventId;
  }
  if (f.pattern == "^[A-Za-z0-9-]{1,64}$") {
    return Matcher::kCaseNo;
  }
  if (f.pattern == "^[0-9A-Za-z]{1,64}$") {
    return Matcher::kItemCode;
  }
  if (f.pattern == "^[0-9A-HJ-NPQRTUWXY]{18}$") {
    return Matcher::kUsccShape;
  }
  if (f.pattern == "^[0-9]{6}$") {
    return Matcher::kRegionCode;
  }
  assert(false && "catalog pattern without a hand-written matcher");
  return Matcher::kNone;
}

std::uint16_t stageMask(const std::vector<std::string>& names) {
  const Codes& all = stages();
  std::uint16_t mask = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (const std::string& n : names) {
      if (n == all[i]) {
        mask = static_cast<std::uint16_t>(mask | (1u << i));
      }
    }
  }
  return mask;
}

Tree buildTree() {
  const std::vector<FieldSpec>& fields = caseEventFields();
  const Codes& stageCodes = stages();
  assert(stageCodes.size() <= kMaxStages);
  Tree t;
  t.nodes.resize(fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const FieldSpec& f = fields[i];
    Node& n = t.nodes[i];
    n.spec = &f;
    const std::string_view name = f.name;
    const std::size_t dot = name.rfind('.');
    n.key = dot == std::string_view::npos ? name : name.substr(dot + 1);
    n.matcher = matcherFor(f);
    n.inDetail = name == "detail" || name.substr(0, 7) == "detail.";
    n.stageGated = !f.stages.empty();
    if (n.stageGated) {
      n.allowMask = stageMask(f.stages);
    }
    n.requireMask = !f.requiredStages.empty() ? stageMask(f.requiredStages)
                    : f.required              ? n.allowMask
                                              : 0;
    n.requiredAnyStage = f.required && f.requiredStages.empty();
    if (!f.codeTable.empty()) {
      n.table = &codeTable(f.codeTable);
    } else if (f.type == FieldType::kString) {
      for (std::size_t s = 0; s < stageCodes.size(); ++s) {
        const std::string_view tableName = codeTableFor(f, stageCodes[s]);
        if (!tableName.empty()) {
          n.stageTable = true;
          n.stageTables[s] = &codeTable(tableName);
        }
      }
    }
    Node* parent = &t.root;
    if (dot != std::string_view::npos) {
      const std::string_view parentName = name.substr(0, dot);
      for (std::size_t j = 0; j < i; ++j) {
        if (fields[j].name == parentName) {
          parent = &t.nodes[j];
        }
      }
      assert(parent != &t.root && "catalog lists a field before its parent");
    }
    parent->children.push_back(&n);
    assert(parent->children.size() <= 64);
  }
  return t;
}

const Tree& tree() {
  static const Tree t = buildTree();
  return t;
}

// ---- the walk ----

// A path built on the stack; turned into text only when a violation is reported.
struct Path {
  const Path* parent;
  std::string_view key;
  long index = -1;  // >= 0: an array element of parent
};

void appendPath(std::string& out, const Path* p) {
  if (p == nullptr) {
    return;
  }
  appendPath(out, p->parent);
  if (p->index >= 0) {
    out += '[';
    out += std::to_string(p->index);
    out += ']';
    return;
  }
  if (!out.empty()) {
    out += '.';
  }
  out.append(p->key.data(), p->key.size());
}

std::string_view view(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

const rapidjson::Value* member(const rapidjson::Value& obj, std::string_view key) {
  if (!obj.IsObject()) {
    return nullptr;
  }
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    if (sameKey(view(it->name), key)) {
      return &it->value;
    }
  }
  return nullptr;
}

const rapidjson::Value* stringMember(const rapidjson::Value& obj, std::string_view key) {
  const rapidjson::Value* v = member(obj, key);
  return v != nullptr && v->IsString() ? v : nullptr;
}

bool contains(const Codes& codes, std::string_view value) {
  for (const std::string& c : codes) {
    if (sameKey(c, value)) {
      return true;
    }
  }
  return false;
}

std::string typeName(FieldType t) {
  switch (t) {
    case FieldType::kString:
      return "a string";
    case FieldType::kInteger:
      return "an integer";
    case FieldType::kStringArray:
      return "an array of strings";
    case FieldType::kObject:
      return "an object";
  }
  return "?";
}

class Walk {
 public:
  Walk(int stage, std::vector<Violation>& out) : stage_(stage), out_(out) {}

  void report(const Path* path, const char* code, std::string message) {
    Violation v;
    appendPath(v.field, path);
    v.code = code;
    v.message = std::move(message);
    out_.push_back(std::move(v));
  }

  void object(const Node& n, const rapidjson::Value& v, const Path* path) {
    std::uint64_t seen = 0;
    std::size_t next = 0;
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      const std::string_view key = view(it->name);
      const Path child{path, key};
      // Members usually come in catalog order: start after the last match, wrap around once.
      const std::size_t count = n.children.size();
      std::size_t i = count;
      for (std::size_t k = 0; k < count; ++k) {
        const std::size_t j = next + k < count ? next + k : next + k - count;
        if (sameKey(n.children[j]->key, key)) {
          i = j;
          break;
        }
      }
      if (i == count) {
        report(&child, "type", "not allowed: not a field of case-event/1 here");
        continue;
      }
      const std::uint64_t bit = std::uint64_t{1} << i;
      if ((seen & bit) != 0) {
        report(&child, "type", "not allowed: the field appears twice");
        continue;
      }
      seen |= bit;
      next = i + 1;
      const Node& c = *n.children[i];
      if (c.stageGated && stage_ >= 0 && (c.allowMask & (1u << stage_)) == 0) {
        report(&child, "type",
               "not allowed on stage " + stages()[static_cast<std::size_t>(stage_)]);
        continue;
      }
      value(c, it->value, &child);
    }
    for (std::size_t i = 0; i < n.children.size(); ++i) {
      if ((seen & (std::uint64_t{1} << i)) != 0) {
        continue;
      }
      const Node& c = *n.children[i];
      const bool required =
          stage_ >= 0 ? (c.requireMask & (1u << stage_)) != 0 : c.requiredAnyStage;
      if (required) {
        const Path child{path, c.key};
        if (c.inDetail) {
          report(&child, "detail_required", "required on this stage but has no value");
        } else {
          report(&child, "required", "a required field has no value");
        }
      }
    }
  }

  void value(const Node& n, const rapidjson::Value& v, const Path* path) {
    const FieldSpec& f = *n.spec;
    switch (f.type) {
      case FieldType::kObject:
        if (!v.IsObject()) {
          return report(path, "type", "must be " + typeName(f.type));
        }
        return object(n, v, path);
      case FieldType::kString:
        if (!v.IsString()) {
          return report(path, "type", "must be " + typeName(f.type));
        }
        return string(n, view(v), path);
      case FieldType::kInteger:
        if (!v.IsInt64() && !v.IsUint64()) {
          return report(path, "type", "must be " + typeName(f.type));
        }
        if (v.IsInt64() && v.GetInt64() < f.minimum) {
          return report(path, "pattern", "must be at least " + std::to_string(f.minimum));
        }
        return;
      case FieldType::kStringArray:
        if (!v.IsArray()) {
          return report(path, "type", "must be " + typeName(f.type));
        }
        if (v.Size() < f.minItems) {
          return report(path, "length",
                        "must have at least " + std::to_string(f.minItems) + " element(s)");
        }
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
          const Path element{path, {}, static_cast<long>(i)};
          if (!v[i].IsString()) {
            report(&element, "type", "must be a string");
          } else {
            length(f, view(v[i]), &element);
          }
        }
        return;
    }
  }

  // One error per field: code table, else length, else pattern.
  void string(const Node& n, std::string_view s, const Path* path) {
    const Codes* table = n.table;
    if (n.stageTable) {
      if (stage_ < 0) {
        return;  // which table applies is unknown; the stage's own error says why
      }
      table = n.stageTables[static_cast<std::size_t>(stage_)];
    }
    if (table != nullptr) {
      if (!contains(*table, s)) {
        report(path, "enum", "not a code of the table " + tableName(n));
      }
      return;
    }
    if (!length(*n.spec, s, path)) {
      return;
    }
    if (!matches(n.matcher, s)) {
      report(path, "pattern", "does not match " + n.spec->pattern);
    }
  }

  bool length(const FieldSpec& f, std::string_view s, const Path* path) {
    if (f.minLength == 0 && f.maxLength == 0) {
      return true;
    }
    // Bytes bound code points from above: count only when the byte length is not decisive.
    std::size_t n = s.size();
    if ((f.maxLength != 0 && n > f.maxLength) || n < f.minLength || f.minLength > 1) {
      n = countCodePoints(s);
    }
    if (n < f.minLength || (f.maxLength != 0 && n > f.maxLength)) {
      report(path, "length",
             "must be " + std::to_string(f.minLength) + " to " + std::to_string(f.maxLength) +
                 " characters, has " + std::to_string(n));
      return false;
    }
    return true;
  }

 private:
  std::string tableName(const Node& n) const {
    if (!n.spec->codeTable.empty() || stage_ < 0) {
      return n.spec->codeTable;
    }
    return std::string(codeTableFor(*n.spec, stages()[static_cast<std::size_t>(stage_)]));
  }

  int stage_;
  std::vector<Violation>& out_;
};

int stageIndex(const rapidjson::Value& event) {
  const rapidjson::Value* s = stringMember(event, "stage");
  if (s == nullptr) {
    return -1;
  }
  const Codes& all = stages();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i] == view(*s)) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

}  // namespace

bool Validator::validate(const rapidjson::Value& event, std::vector<Violation>& out) const {
  const std::size_t before = out.size();
  if (!event.IsObject()) {
    out.push_back({"", "type", "a case event must be a JSON object"});
    return false;
  }
  const int stage = stageIndex(event);
  Walk walk(stage, out);
  walk.object(tree().root, event, nullptr);

  // §3 rules across fields; each is judged only where the fields' own checks passed.
  if (const rapidjson::Value* dept = member(event, "department")) {
    const rapidjson::Value* uscc = stringMember(*dept, "uscc");
    if (uscc != nullptr && matchesUsccShape(view(*uscc)) && !isValidUscc(view(*uscc))) {
      const Path d{nullptr, "department"};
      const Path p{&d, "uscc"};
      walk.report(&p, "uscc_checksum", "check character of the 统一社会信用代码 is wrong");
    }
  }

  if (const rapidjson::Value* applicant = member(event, "applicant")) {
    const Path a{nullptr, "applicant"};
    const rapidjson::Value* type = stringMember(*applicant, "type");
    const rapidjson::Value* idType = stringMember(*applicant, "id_type");
    const rapidjson::Value* idNo = stringMember(*applicant, "id_no");
    const bool idTypeValid = idType != nullptr && isCode("id_types", view(*idType));
    if (idTypeValid && idNo != nullptr) {
      const std::string_view no = view(*idNo);
      const std::size_t cp = countCodePoints(no);
      if (cp >= 1 && cp <= 64) {
        const Path p{&a, "id_no"};
        if (view(*idType) == "001" && !isValidUscc(no)) {
          walk.report(&p, "uscc_checksum", "not a valid 统一社会信用代码 (GB 32100-2015)");
        } else if (view(*idType) == "111" && !isValidResidentId(no)) {
          walk.report(&p, "resident_id_checksum", "not a valid 居民身份证号码 (GB 11643-1999)");
        }
      }
    }
    if (idTypeValid && type != nullptr && isCode("applicant_types", view(*type))) {
      const bool isUsccId = view(*idType) == "001";
      if ((view(*type) == "legal_person" && !isUsccId) || (view(*type) == "person" && isUsccId)) {
        const Path p{&a, "id_type"};
        walk.report(&p, "applicant_type_id",
                    isUsccId ? "a person never uses id_type 001"
                             : "a legal_person uses id_type 001 (统一社会信用代码)");
      }
    }
    if (const rapidjson::Value* mobile = stringMember(*applicant, "mobile")) {
      if (!isMainlandMobile(view(*mobile))) {
        const Path p{&a, "mobile"};
        walk.report(&p, "mobile", "not a mainland mobile number (^1[3-9][0-9]{9}$)");
      }
    }
  }

  if (const rapidjson::Value* occurred = stringMember(event, "occurred_at")) {
    const std::optional<EpochMillis> t = parseRfc3339(view(*occurred));
    if (t && *t > clock_.now() + kFutureTolerance) {
      const Path p{nullptr, "occurred_at"};
      walk.report(&p, "future_time", "more than 5 minutes after the platform's clock");
    }
  }

  const rapidjson::Value* detail = member(event, "detail");
  if (stage >= 0 && detail != nullptr && detail->IsObject()) {
    const std::string& stageName = stages()[static_cast<std::size_t>(stage)];
    const Path d{nullptr, "detail"};
    const rapidjson::Value* decision = stringMember(*detail, "decision");
    const auto needsReason = [&](std::string_view table, std::string_view exempt) {
      return decision != nullptr && isCode(table, view(*decision)) && view(*decision) != exempt &&
             member(*detail, "reason") == nullptr;
    };
    if ((stageName == "preaccept" && needsReason("preaccept_decisions", "passed")) ||
        (stageName == "accept" && needsReason("accept_decisions", "accepted"))) {
      const Path p{&d, "reason"};
      walk.report(&p, "detail_required",
                  "required unless the decision is " +
                      std::string(stageName == "accept" ? "accepted" : "passed"));
    }
    if (stageName == "complete") {
      const rapidjson::Value* result = stringMember(*detail, "result");
      if (result != nullptr && view(*result) == "certificate_issued" &&
          member(*detail, "certificate") == nullptr) {
        const Path p{&d, "certificate"};
        walk.report(&p, "detail_required", "required when the result is certificate_issued");
      }
    }
  }
  return out.size() == before;
}

bool isValidUscc(std::string_view s) {
  static constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                                   29, 25, 13, 8,  24, 10, 30, 28};
  if (s.size() != 18) {
    return false;
  }
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    const int v = usccValue(s[i]);
    if (v < 0) {
      return false;
    }
    sum += v * kWeights[i];
  }
  int check = 31 - sum % 31;
  if (check == 31) {
    check = 0;
  }
  return usccValue(s[17]) == check;
}

bool isValidResidentId(std::string_view s) {
  static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                   3, 7, 9,  10, 5, 8, 4, 2};
  static constexpr std::string_view kCheck = "10X98765432";
  if (s.size() != 18) {
    return false;
  }
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    if (!isDigit(s[i])) {
      return false;
    }
    sum += (s[i] - '0') * kWeights[i];
  }
  int y = 0;
  int m = 0;
  int d = 0;
  readDigits(s, 6, 4, y);
  readDigits(s, 10, 2, m);
  readDigits(s, 12, 2, d);
  return isRealDate(y, m, d) && s[17] == kCheck[static_cast<std::size_t>(sum % 11)];
}

bool isMainlandMobile(std::string_view s) {
  return s.size() == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' &&
         allOf(s.substr(2), 9, 9, isDigit);
}

std::optional<EpochMillis> parseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM)
  int y = 0;
  int mo = 0;
  int d = 0;
  int h = 0;
  int mi = 0;
  int sec = 0;
  if (s.size() < 20 || !readDate(s, y, mo, d) || s[10] != 'T' || !readDigits(s, 11, 2, h) ||
      s[13] != ':' || !readDigits(s, 14, 2, mi) || s[16] != ':' || !readDigits(s, 17, 2, sec) ||
      h > 23 || mi > 59 || sec > 59) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  int millis = 0;
  if (s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && isDigit(s[pos])) {
      if (pos - start < 3) {
        millis = millis * 10 + (s[pos] - '0');
      }
      ++pos;
    }
    const std::size_t digits = pos - start;
    if (digits < 1 || digits > 9) {
      return std::nullopt;
    }
    for (std::size_t i = digits; i < 3; ++i) {
      millis *= 10;
    }
  }
  int offsetMinutes = 0;
  if (pos + 1 == s.size() && s[pos] == 'Z') {
    offsetMinutes = 0;
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh = 0;
    int om = 0;
    if (!readDigits(s, pos + 1, 2, oh) || s[pos + 3] != ':' || !readDigits(s, pos + 4, 2, om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offsetMinutes = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  const std::int64_t seconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
                               static_cast<std::int64_t>(offsetMinutes) * 60;
  return seconds * 1000 + millis;
}

bool isRfc3339DateTime(std::string_view s) {
  return parseRfc3339(s).has_value();
}

bool isCalendarDate(std::string_view s) {
  int y = 0;
  int m = 0;
  int d = 0;
  return s.size() == 10 && readDate(s, y, m, d);
}

bool isYuanAmount(std::string_view s) {
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 12 || s.size() != dot + 3) {
    return false;
  }
  const std::string_view whole = s.substr(0, dot);
  if (whole.size() > 1 && whole[0] == '0') {
    return false;
  }
  return allOf(whole, 1, 12, isDigit) && isDigit(s[dot + 1]) && isDigit(s[dot + 2]);
}

std::size_t countCodePoints(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }
  return n;
}

}  // namespace huitong::validation
