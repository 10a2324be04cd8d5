#include "gateway/mapping/Mapping.h"

#include <dirent.h>
#include <sys/stat.h>
#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "gateway/core/Json.h"
#include "gateway/formats/Decode.h"
#include "gateway/jsonpath/JsonPath.h"
#include "gateway/mapping/PositionedJson.h"
#include "gateway/mapping/Transforms.h"
#include "gateway/validation/Validator.h"

namespace huitong::mapping {
namespace {

using validation::FieldSpec;
using validation::FieldType;

// ------------------------------------------------------------------ the target catalog

// The case event's leaf fields with their parents, in spec order: events are assembled in
// this order so that their JSON reads like the spec.
struct Catalog {
  struct Leaf {
    const FieldSpec* spec;
    std::vector<std::string> parents;  // "detail", "certificate" for detail.certificate.name
    std::string last;                  // "name"
  };
  std::vector<Leaf> leaves;
  std::unordered_map<std::string, int> index;

  static const Catalog& get() {
    static const Catalog catalog = build();
    return catalog;
  }
  int find(std::string_view name) const {
    const auto it = index.find(std::string(name));
    return it == index.end() ? -1 : it->second;
  }

 private:
  static Catalog build() {
    Catalog c;
    for (const FieldSpec& f : validation::caseEventFields()) {
      if (f.type == FieldType::kObject)
        continue;
      Leaf leaf;
      leaf.spec = &f;
      std::size_t start = 0;
      while (true) {
        const std::size_t dot = f.name.find('.', start);
        if (dot == std::string::npos) {
          leaf.last = f.name.substr(start);
          break;
        }
        leaf.parents.push_back(f.name.substr(start, dot - start));
        start = dot + 1;
      }
      c.index.emplace(f.name, static_cast<int>(c.leaves.size()));
      c.leaves.push_back(std::move(leaf));
    }
    return c;
  }
};

// ------------------------------------------------------------------ compiled form

struct Source {
  enum class Kind { kFrom, kConst, kTemplate, kConcat };
  Kind kind = Kind::kFrom;
  std::vector<jsonpath::Query> queries;  // kFrom: one; kConcat: several
  bool messageScope = false;             // selectors read the whole message, not the record
  Val constant;
  std::string separator;  // kConcat
  std::string describe;   // for traces
};

struct Rule {
  std::vector<int> targets;  // catalog leaf indices
  std::vector<std::string> targetNames;
  Source source;
  std::vector<std::unique_ptr<Transform>> transforms;
  std::optional<jsonpath::Filter> when;
  int onlyWith = -1;
  std::string where;  // file:line:column of the rule
};

struct TestCase {
  std::string name;
  std::string input;  // message bytes
  std::string where;
  rapidjson::Value expect;  // array of partial events, or null
  rapidjson::Value reject;  // array of {field, code}, or null
  std::string error;        // the message must be refused whole with this code
  std::optional<EpochMillis> now;
};

}  // namespace

class CompiledMapping {
 public:
  std::string system, version, title, format, fileName, baseDir;
  formats::JsonOptions jsonOptions;
  formats::XmlOptions xmlOptions;
  formats::CsvOptions csvOptions;
  enum class ColumnCase { kAsIs, kUpper, kLower } columnCase = ColumnCase::kAsIs;
  std::optional<jsonpath::Query> records;
  std::unordered_map<std::string, std::shared_ptr<const CodeTable>> tables;
  std::vector<Rule> common;
  std::unordered_map<std::string, std::vector<Rule>> stageRules;
  std::vector<TestCase> tests;
  rapidjson::Document owned;  // test expectations and other constants

  MappingOutput run(const rapidjson::Value& tree, const Clock& clock, const RunOptions& options,
                    const std::vector<std::size_t>& lines) const;
};

namespace {

// ------------------------------------------------------------------ compiler

class Compiler {
 public:
  Compiler(const PositionedJson& file, CompiledMapping& m) : file_(file), m_(m) {}

  Result<void> compile() {
    const rapidjson::Value& root = file_.root();
    if (!root.IsObject())
      return fail("", "a mapping file is a JSON object");
    static const char* const kKeys[] = {"system",  "version", "title",  "description", "input",
                                        "records", "tables",  "fields", "stages",      "tests"};
    for (auto it = root.MemberBegin(); it != root.MemberEnd(); ++it) {
      const std::string k = it->name.GetString();
      if (std::find(std::begin(kKeys), std::end(kKeys), k) == std::end(kKeys)) {
        return fail("/" + pointerToken(k),
                    "unknown key '" + k +
                        "' (expected system, version, title, description, input, "
                        "records, tables, fields, stages, tests)");
      }
    }
    if (auto r = text(root, "system", "/system", m_.system, true); !r.ok())
      return r;
    for (char c : m_.system) {
      if (!isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
        return fail("/system", "system id '" + m_.system +
                                   "' may hold only letters, digits, '-', '_' and '.'");
      }
    }
    const auto ver = root.FindMember("version");
    if (ver == root.MemberEnd())
      return fail("", "missing \"version\" (e.g. \"1\" or \"2026.11-1\")");
    if (ver->value.IsString() && ver->value.GetStringLength() > 0) {
      m_.version = ver->value.GetString();
    } else if (ver->value.IsUint() && ver->value.GetUint() > 0) {
      m_.version = std::to_string(ver->value.GetUint());
    } else {
      return fail("/version", "version is a string or a positive integer");
    }
    if (auto r = text(root, "title", "/title", m_.title, false); !r.ok())
      return r;
    if (auto r = input(root); !r.ok())
      return r;
    if (auto r = tables(root); !r.ok())
      return r;
    if (auto it = root.FindMember("records"); it != root.MemberEnd()) {
      auto q = query(it->value, "/records");
      if (!q.ok())
        return q.error();
      m_.records = std::move(q).value();
    } else if (m_.format == "csv" || m_.format == "rows") {
      m_.records = jsonpath::Query::compile("$[*]").value();
    }
    const auto fields = root.FindMember("fields");
    if (fields == root.MemberEnd() || !fields->value.IsObject()) {
      return fail("", "missing \"fields\": an object of target field -> rule");
    }
    if (auto r = rules(fields->value, "/fields", "", m_.common); !r.ok())
      return r;
    if (auto it = root.FindMember("stages"); it != root.MemberEnd()) {
      if (!it->value.IsObject())
        return fail("/stages", "\"stages\" is an object of stage -> {target: rule}");
      for (auto s = it->value.MemberBegin(); s != it->value.MemberEnd(); ++s) {
        const std::string stage = s->name.GetString();
        const std::string ptr = "/stages/" + pointerToken(stage);
        const auto& known = validation::stages();
        if (std::find(known.begin(), known.end(), stage) == known.end()) {
          return fail(ptr, "unknown stage '" + stage + "' (stages: " + join(known) + ")");
        }
        if (!s->value.IsObject())
          return fail(ptr, "a stage section is an object of target -> rule");
        if (auto r = rules(s->value, ptr, stage, m_.stageRules[stage]); !r.ok())
          return r;
      }
    }
    if (auto r = requiredTargets(); !r.ok())
      return r;
    return tests(root);
  }

 private:
  Error failError(const std::string& pointer, const std::string& message) const {
    return Error{"mapping.invalid", message, file_.where(pointer)};
  }
  Result<void> fail(const std::string& pointer, const std::string& message) const {
    return failError(pointer, message);
  }
  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v)
      s += (s.empty() ? "" : ", ") + x;
    return s;
  }

  Result<void> text(const rapidjson::Value& obj, const char* key, const std::string& ptr,
                    std::string& out, bool required) {
    const auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) {
      return required ? fail("", std::string("missing \"") + key + "\"") : Result<void>();
    }
    if (!it->value.IsString() || (required && it->value.GetStringLength() == 0)) {
      return fail(ptr, std::string("\"") + key + "\" must be a string");
    }
    out = it->value.GetString();
    return {};
  }

  Result<jsonpath::Query> query(const rapidjson::Value& v, const std::string& ptr) {
    if (!v.IsString())
      return failError(ptr, "expected a JSONPath selector string such as \"$.bizNo\"");
    auto q = jsonpath::Query::compile(v.GetString());
    if (!q.ok()) {
      return failError(ptr, "invalid selector '" + std::string(v.GetString()) +
                                "': " + q.error().message + " at " + q.error().path);
    }
    return q;
  }

  Result<void> input(const rapidjson::Value& root) {
    const auto it = root.FindMember("input");
    if (it == root.MemberEnd() || !it->value.IsObject()) {
      return fail("",
                  "missing \"input\": {\"format\": \"json\" | \"xml\" | \"csv\" | \"rows\", ...}");
    }
    const rapidjson::Value& in = it->value;
    if (auto r = text(in, "format", "/input/format", m_.format, true); !r.ok())
      return r;
    static const std::map<std::string, std::vector<std::string>> kOptions = {
        {"json", {"format", "charset", "max_bytes"}},
        {"xml", {"format", "charset", "max_bytes", "namespaces", "arrays"}},
        {"csv", {"format", "charset", "max_bytes", "delimiter", "header", "trailer"}},
        {"rows", {"format", "columns"}},
    };
    const auto allowed = kOptions.find(m_.format);
    if (allowed == kOptions.end()) {
      return fail("/input/format",
                  "unknown input format '" + m_.format + "' (expected json, xml, csv or rows)");
    }
    for (auto o = in.MemberBegin(); o != in.MemberEnd(); ++o) {
      const std::string k = o->name.GetString();
      if (std::find(allowed->second.begin(), allowed->second.end(), k) == allowed->second.end()) {
        return fail("/input/" + pointerToken(k), "unknown option '" + k + "' for input format " +
                                                     m_.format + " (expected " +
                                                     join(allowed->second) + ")");
      }
    }
    std::string charset;
    if (auto r = text(in, "charset", "/input/charset", charset, false); !r.ok())
      return r;
    if (!charset.empty()) {
      if (auto probe = formats::toUtf8("", charset); !probe.ok()) {
        return fail("/input/charset", probe.error().message);
      }
    }
    std::size_t maxBytes = 0;
    if (auto mb = in.FindMember("max_bytes"); mb != in.MemberEnd()) {
      if (!mb->value.IsUint64() || mb->value.GetUint64() == 0)
        return fail("/input/max_bytes", "max_bytes is a positive integer");
      maxBytes = mb->value.GetUint64();
    }
    m_.jsonOptions.charset = m_.xmlOptions.charset = m_.csvOptions.charset = charset;
    if (maxBytes)
      m_.jsonOptions.maxBytes = m_.xmlOptions.maxBytes = m_.csvOptions.maxBytes = maxBytes;
    if (auto ns = in.FindMember("namespaces"); ns != in.MemberEnd()) {
      if (!ns->value.IsObject())
        return fail("/input/namespaces", "namespaces is an object of prefix -> URI");
      for (auto n = ns->value.MemberBegin(); n != ns->value.MemberEnd(); ++n) {
        if (!n->value.IsString())
          return fail("/input/namespaces/" + pointerToken(n->name.GetString()),
                      "a namespace URI is a string");
        m_.xmlOptions.namespaces[n->name.GetString()] = n->value.GetString();
      }
    }
    if (auto ar = in.FindMember("arrays"); ar != in.MemberEnd()) {
      if (!ar->value.IsArray())
        return fail("/input/arrays", "arrays is a list of element names");
      for (const auto& a : ar->value.GetArray()) {
        if (!a.IsString())
          return fail("/input/arrays", "arrays is a list of element names");
        m_.xmlOptions.arrays.insert(a.GetString());
      }
    }
    if (auto d = in.FindMember("delimiter"); d != in.MemberEnd()) {
      if (!d->value.IsString() || d->value.GetStringLength() != 1)
        return fail("/input/delimiter", "delimiter is one character");
      m_.csvOptions.delimiter = d->value.GetString()[0];
    }
    if (auto h = in.FindMember("header"); h != in.MemberEnd()) {
      if (!h->value.IsBool())
        return fail("/input/header", "header is true or false");
      m_.csvOptions.header = h->value.GetBool();
    }
    if (auto t = in.FindMember("trailer"); t != in.MemberEnd()) {
      const auto& tv = t->value;
      const auto label = tv.IsObject() ? tv.FindMember("label") : tv.MemberEnd();
      if (!tv.IsObject() || label == tv.MemberEnd() || !label->value.IsString()) {
        return fail("/input/trailer", "trailer is {\"label\": \"合计\", \"count_column\": 2}");
      }
      m_.csvOptions.trailer.required = true;
      m_.csvOptions.trailer.label = label->value.GetString();
      if (auto cc = tv.FindMember("count_column"); cc != tv.MemberEnd()) {
        if (!cc->value.IsUint() || cc->value.GetUint() == 0)
          return fail("/input/trailer/count_column", "count_column is a column number from 1");
        m_.csvOptions.trailer.countColumn = cc->value.GetUint();
      }
    }
    if (auto c = in.FindMember("columns"); c != in.MemberEnd()) {
      const std::string v = c->value.IsString() ? c->value.GetString() : "";
      if (v == "upper") {
        m_.columnCase = CompiledMapping::ColumnCase::kUpper;
      } else if (v == "lower") {
        m_.columnCase = CompiledMapping::ColumnCase::kLower;
      } else if (v != "as_is") {
        return fail("/input/columns", "columns is \"upper\", \"lower\" or \"as_is\"");
      }
    }
    return {};
  }

  Result<void> tables(const rapidjson::Value& root) {
    const auto it = root.FindMember("tables");
    if (it == root.MemberEnd())
      return {};
    if (!it->value.IsObject())
      return fail("/tables",
                  "\"tables\" is an object of table name -> {source value: target value}");
    for (auto t = it->value.MemberBegin(); t != it->value.MemberEnd(); ++t) {
      const std::string name = t->name.GetString();
      const std::string ptr = "/tables/" + pointerToken(name);
      const rapidjson::Value* def = &t->value;
      rapidjson::Document fromFile;
      if (t->value.IsString()) {
        // A table kept in its own file beside the mapping.
        std::string path = m_.baseDir + "/" + t->value.GetString(), content;
        std::ifstream f(path, std::ios::binary);
        if (!f)
          return fail(ptr, "cannot read code table file " + path);
        std::ostringstream ss;
        ss << f.rdbuf();
        auto parsed = json::parse(ss.str());
        if (!parsed.ok())
          return fail(ptr, path + ": " + parsed.error().describe());
        fromFile = std::move(parsed).value();
        def = &fromFile;
      }
      auto table = compileCodeTable(name, *def);
      if (!table.ok())
        return fail(ptr, table.error().message);
      m_.tables.emplace(name, std::move(table).value());
    }
    return {};
  }

  Result<void> rules(const rapidjson::Value& section, const std::string& ptr,
                     const std::string& stage, std::vector<Rule>& out) {
    std::unordered_map<int, std::string> seen;
    for (auto it = section.MemberBegin(); it != section.MemberEnd(); ++it) {
      const std::string key = it->name.GetString();
      const std::string rptr = ptr + "/" + pointerToken(key);
      Rule rule;
      rule.where = file_.where(rptr);
      // "stage, seq, detail.step": one code table entry fills several targets.
      std::size_t start = 0;
      while (start <= key.size()) {
        std::size_t comma = key.find(',', start);
        if (comma == std::string::npos)
          comma = key.size();
        std::string name = key.substr(start, comma - start);
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        const int idx = Catalog::get().find(name);
        if (idx < 0) {
          const FieldSpec* obj = validation::findField(name);
          if (obj && obj->type == FieldType::kObject) {
            return fail(rptr, "'" + name + "' is an object: map its fields one by one (e.g. " +
                                  name + ".name)");
          }
          return fail(rptr, "unknown target field '" + name +
                                "' (see the case event's fields in docs/mapping-language.md)");
        }
        const FieldSpec* spec = Catalog::get().leaves[static_cast<std::size_t>(idx)].spec;
        if (spec->setByGateway)
          return fail(rptr, "'" + name + "' is set by the gateway, not by a mapping");
        if (!stage.empty() && !spec->stages.empty() &&
            std::find(spec->stages.begin(), spec->stages.end(), stage) == spec->stages.end()) {
          return fail(rptr, "'" + name + "' is not a field of stage " + stage + " (it belongs to " +
                                join(spec->stages) + ")");
        }
        if (auto s = seen.find(idx); s != seen.end()) {
          return fail(rptr, "target '" + name + "' is mapped twice in this section (also at " +
                                s->second + ")");
        }
        seen.emplace(idx, rule.where);
        rule.targets.push_back(idx);
        rule.targetNames.push_back(name);
        start = comma + 1;
      }
      if (auto r = ruleBody(it->value, rptr, rule); !r.ok())
        return r;
      out.push_back(std::move(rule));
    }
    return {};
  }

  Result<void> ruleBody(const rapidjson::Value& v, const std::string& ptr, Rule& rule) {
    const FieldSpec* target = Catalog::get().leaves[static_cast<std::size_t>(rule.targets[0])].spec;
    if (v.IsString()) {
      auto q = query(v, ptr);
      if (!q.ok())
        return q.error();
      rule.source.describe = "from " + std::string(v.GetString());
      rule.source.queries.push_back(std::move(q).value());
      return {};
    }
    if (!v.IsObject()) {
      return fail(ptr,
                  "a rule is a selector string (\"$.bizNo\") or an object such as {\"from\": "
                  "\"$.x\", \"code\": \"table\"}");
    }
    int sources = 0;
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      const std::string k = m->name.GetString();
      const std::string mptr = ptr + "/" + pointerToken(k);
      if (k == "from") {
        ++sources;
        auto q = query(m->value, mptr);
        if (!q.ok())
          return q.error();
        rule.source.kind = Source::Kind::kFrom;
        rule.source.describe = "from " + std::string(m->value.GetString());
        rule.source.queries.push_back(std::move(q).value());
      } else if (k == "const") {
        ++sources;
        rule.source.kind = Source::Kind::kConst;
        if (m->value.IsArray()) {
          rule.source.constant.kind = Val::Kind::kList;
          for (const auto& e : m->value.GetArray()) {
            if (!e.IsString())
              return fail(mptr, "a list constant holds strings only");
            rule.source.constant.list.emplace_back(e.GetString());
          }
        } else if (m->value.IsObject() || m->value.IsNull()) {
          return fail(mptr, "const is a string, a number, true/false or a list of strings");
        } else {
          rule.source.constant = Val::fromJson(m->value);
        }
        rule.source.describe = "const " + json::write(m->value);
      } else if (k == "concat") {
        ++sources;
        if (!m->value.IsArray() || m->value.Empty())
          return fail(mptr, "concat is a list of selectors");
        rule.source.kind = Source::Kind::kConcat;
        std::string d;
        for (rapidjson::SizeType i = 0; i < m->value.Size(); ++i) {
          auto q = query(m->value[i], mptr + "/" + std::to_string(i));
          if (!q.ok())
            return q.error();
          d += (d.empty() ? "" : " + ") + std::string(m->value[i].GetString());
          rule.source.queries.push_back(std::move(q).value());
        }
        rule.source.describe = "concat " + d;
      } else if (k == "sep") {
        if (!m->value.IsString())
          return fail(mptr, "sep is a string");
        rule.source.separator = m->value.GetString();
      } else if (k == "scope") {
        const std::string s = m->value.IsString() ? m->value.GetString() : "";
        if (s != "message" && s != "record")
          return fail(mptr, "scope is \"record\" (default) or \"message\"");
        rule.source.messageScope = s == "message";
      } else if (k == "when") {
        if (!m->value.IsString())
          return fail(mptr, "when is a filter expression such as \"@.status == 'REJECTED'\"");
        auto f = jsonpath::Filter::compile(m->value.GetString());
        if (!f.ok()) {
          return fail(mptr, "invalid condition '" + std::string(m->value.GetString()) +
                                "': " + f.error().message + " at " + f.error().path);
        }
        rule.when = std::move(f).value();
      } else if (k == "only_with") {
        if (!m->value.IsString())
          return fail(mptr, "only_with names another target field");
        rule.onlyWith = Catalog::get().find(m->value.GetString());
        if (rule.onlyWith < 0)
          return fail(
              mptr, "only_with: unknown target field '" + std::string(m->value.GetString()) + "'");
      } else if (k == "template" && sources == 0 && v.FindMember("from") == v.MemberEnd() &&
                 v.FindMember("const") == v.MemberEnd() &&
                 v.FindMember("concat") == v.MemberEnd()) {
        // A template with no other source is the source.
        ++sources;
        auto t = compileTransform(k, m->value, target, m_.tables, m_.owned);
        if (!t.ok())
          return fail(mptr, t.error().message);
        rule.source.kind = Source::Kind::kTemplate;
        rule.source.describe = "template " + std::string(m->value.GetString());
        rule.transforms.push_back(std::move(t).value());
      } else if (isTransformName(k)) {
        auto t = compileTransform(k, m->value, target, m_.tables, m_.owned);
        if (!t.ok())
          return fail(mptr, t.error().message);
        rule.transforms.push_back(std::move(t).value());
      } else {
        return fail(
            mptr,
            "unknown key '" + k +
                "' in a rule (sources: from, const, concat, template; "
                "transforms: trim, upper, lower, datetime, code, split, join, regex, keep_if, "
                "scale, places, template, default; conditions: when, only_with; scope)");
      }
    }
    if (sources != 1) {
      return fail(ptr, sources == 0
                           ? "a rule needs a source: from, const, concat or template"
                           : "a rule has exactly one source (from, const, concat or template)");
    }
    if (rule.source.kind == Source::Kind::kConcat && rule.source.separator.empty() &&
        v.FindMember("sep") == v.MemberEnd()) {
      rule.source.separator = "";
    }
    return {};
  }

  Result<void> requiredTargets() {
    // A required field must have a rule in "fields", or in the section of every stage.
    std::vector<bool> inCommon(Catalog::get().leaves.size());
    for (const Rule& r : m_.common) {
      for (int t : r.targets)
        inCommon[static_cast<std::size_t>(t)] = true;
    }
    for (std::size_t i = 0; i < Catalog::get().leaves.size(); ++i) {
      const FieldSpec& f = *Catalog::get().leaves[i].spec;
      // Stage-dependent fields (channel, detail.*) are the stage sections' business.
      if (!f.required || f.setByGateway || inCommon[i] || !f.stages.empty())
        continue;
      // Only top-level and always-present objects' required fields (not detail.*, promise.*).
      const auto& parents = Catalog::get().leaves[i].parents;
      if (!parents.empty()) {
        const FieldSpec* parent = validation::findField(parents.front());
        if (!parent || !parent->required)
          continue;
      }
      return fail("/fields", "missing a rule for the required target field '" + f.name + "'");
    }
    return {};
  }

  Result<void> tests(const rapidjson::Value& root) {
    const auto it = root.FindMember("tests");
    if (it == root.MemberEnd())
      return {};
    if (!it->value.IsArray())
      return fail("/tests", "\"tests\" is a list of {name, input | input_file, expect | reject}");
    auto& a = m_.owned.GetAllocator();
    for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
      const auto& t = it->value[i];
      const std::string ptr = "/tests/" + std::to_string(i);
      if (!t.IsObject())
        return fail(ptr, "a test is {name, input | input_file, expect | reject}");
      TestCase tc;
      tc.where = file_.where(ptr);
      for (auto m = t.MemberBegin(); m != t.MemberEnd(); ++m) {
        const std::string k = m->name.GetString();
        const std::string mptr = ptr + "/" + pointerToken(k);
        if (k == "name") {
          if (!m->value.IsString())
            return fail(mptr, "name is a string");
          tc.name = m->value.GetString();
        } else if (k == "input") {
          tc.input = m->value.IsString()
                         ? std::string(m->value.GetString(), m->value.GetStringLength())
                         : json::write(m->value);
        } else if (k == "input_file") {
          if (!m->value.IsString())
            return fail(mptr, "input_file is a path relative to the mapping");
          const std::string path = m_.baseDir + "/" + m->value.GetString();
          std::ifstream f(path, std::ios::binary);
          if (!f)
            return fail(mptr, "cannot read test input " + path);
          std::ostringstream ss;
          ss << f.rdbuf();
          tc.input = ss.str();
        } else if (k == "expect" || k == "reject") {
          if (!m->value.IsArray())
            return fail(mptr, k + " is a list");
          (k == "expect" ? tc.expect : tc.reject).CopyFrom(m->value, a);
        } else if (k == "error") {
          if (!m->value.IsString())
            return fail(mptr, "error is the code of the expected refusal, e.g. \"csv.trailer\"");
          tc.error = m->value.GetString();
        } else if (k == "now") {
          std::int64_t t0;
          if (!m->value.IsString() || !parseRfc3339(m->value.GetString(), t0)) {
            return fail(mptr, "now is an RFC 3339 date-time");
          }
          tc.now = t0;
        } else {
          return fail(
              mptr,
              "unknown key '" + k +
                  "' in a test (expected name, input, input_file, expect, reject, error, now)");
        }
      }
      if (tc.name.empty())
        tc.name = "test " + std::to_string(i + 1);
      if (tc.input.empty())
        return fail(ptr, "a test needs input or input_file");
      if (tc.expect.IsNull() && tc.reject.IsNull() && tc.error.empty()) {
        return fail(ptr,
                    "a test needs expect (events), reject (errors) or error (a refused message)");
      }
      m_.tests.push_back(std::move(tc));
    }
    return {};
  }

  const PositionedJson& file_;
  CompiledMapping& m_;
};

// ------------------------------------------------------------------ runner

struct Slot {
  Val value;
  const Rule* rule = nullptr;
  const jsonpath::Query* query = nullptr;  // the selector the value came from
  bool failed = false;
};

std::string joinPath(const std::string& recordPath, const std::string& relative) {
  // relative is "$..." from the record: graft it onto the record's path.
  if (recordPath.empty() || recordPath == "$")
    return relative;
  return recordPath + relative.substr(1);
}

class EventBuilder {
 public:
  EventBuilder(const CompiledMapping& m, const rapidjson::Value& message,
               const rapidjson::Value& record, std::string recordPath, bool trace)
      : m_(m),
        message_(message),
        record_(record),
        recordPath_(std::move(recordPath)),
        trace_(trace),
        slots_(Catalog::get().leaves.size()) {}

  void apply(const std::vector<Rule>& rules, MappedEvent& out) {
    applied_.push_back(&rules);
    for (const Rule& r : rules)
      applyRule(r, out);
  }

  const Val& value(int idx) const { return slots_[static_cast<std::size_t>(idx)].value; }

  void finish(const Clock& clock, const RunOptions& options, MappedEvent& out) {
    // only_with: a value that accompanies another field goes with it.
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      Slot& s = slots_[i];
      if (s.rule && s.rule->onlyWith >= 0 && !s.value.absent() &&
          slots_[static_cast<std::size_t>(s.rule->onlyWith)].value.absent()) {
        s.value = Val();
        if (trace_) {
          const std::string& field = Catalog::get().leaves[i].spec->name;
          for (auto& t : out.trace) {
            if (t.field == field) {
              t.value = "null";
              t.note =
                  "dropped: only_with " +
                  Catalog::get().leaves[static_cast<std::size_t>(s.rule->onlyWith)].spec->name +
                  " has no value";
            }
          }
        }
      }
    }
    build(options, clock, out);
    std::vector<validation::Violation> violations;
    validation::Validator(clock).validate(out.event, violations);
    const bool idPartsFailed =
        failedOrViolated("case_no", violations) || failedOrViolated("stage", violations) ||
        failedOrViolated("seq", violations) || failedOrViolated("version", violations);
    for (auto& v : violations) {
      const std::string leaf = v.field.substr(0, v.field.find('['));
      const int idx = Catalog::get().find(leaf);
      if (idx >= 0 && slots_[static_cast<std::size_t>(idx)].failed)
        continue;  // already reported
      if (leaf == "event_id" && idPartsFailed)
        continue;
      Rejection r{v.field, v.code, v.message, idx >= 0 ? sourcePath(idx) : "", 0};
      if ((v.code == "required" || v.code == "detail_required") && !r.sourcePath.empty()) {
        r.message += " (nothing at " + r.sourcePath + "; empty values count as absent)";
      }
      out.rejections.push_back(std::move(r));
    }
  }

 private:
  bool failedOrViolated(const char* field, const std::vector<validation::Violation>& vs) const {
    const int idx = Catalog::get().find(field);
    if (idx >= 0 && slots_[static_cast<std::size_t>(idx)].failed)
      return true;
    return std::any_of(vs.begin(), vs.end(), [&](const auto& v) { return v.field == field; });
  }

  std::string sourcePath(int idx) const {
    const Slot& s = slots_[static_cast<std::size_t>(idx)];
    const Rule* rule = s.rule;
    if (!rule) {
      // Never set: name the selector of a rule that targets it, if any.
      for (const std::vector<Rule>* rules : applied_) {
        for (const Rule& r : *rules) {
          if (std::find(r.targets.begin(), r.targets.end(), idx) != r.targets.end() &&
              !r.source.queries.empty()) {
            return joinPath(r.source.messageScope ? "$" : recordPath_,
                            r.source.queries.front().text());
          }
        }
      }
      return "";
    }
    if (rule->source.queries.empty())
      return "";
    const jsonpath::Query& q = s.query ? *s.query : rule->source.queries.front();
    const auto nodes = q.selectWithPaths(rule->source.messageScope ? message_ : record_);
    if (nodes.empty())
      return joinPath(rule->source.messageScope ? "$" : recordPath_, q.text());
    return joinPath(rule->source.messageScope ? "$" : recordPath_, nodes.front().path);
  }

  void applyRule(const Rule& rule, MappedEvent& out) {
    const rapidjson::Value& scope = rule.source.messageScope ? message_ : record_;
    FieldTrace* trace = nullptr;
    if (trace_) {
      out.trace.push_back(FieldTrace{});
      trace = &out.trace.back();
      for (std::size_t i = 0; i < rule.targetNames.size(); ++i) {
        trace->field += (i ? ", " : "") + rule.targetNames[i];
      }
      trace->source = rule.source.describe;
    }
    if (rule.when && !rule.when->test(message_, record_)) {
      if (trace) {
        trace->note = "skipped: condition was false";
        trace->found = trace->value = "null";
      }
      return;
    }
    Val v;
    const jsonpath::Query* used = nullptr;
    TransformFailure failure;
    bool failed = false;
    switch (rule.source.kind) {
      case Source::Kind::kConst:
        v = rule.source.constant;
        break;
      case Source::Kind::kTemplate:
        break;  // the template transform renders it
      case Source::Kind::kFrom: {
        used = &rule.source.queries.front();
        nodes_.clear();
        used->select(scope, nodes_);
        const FieldSpec* spec =
            Catalog::get().leaves[static_cast<std::size_t>(rule.targets[0])].spec;
        if (spec->type == FieldType::kStringArray && (nodes_.size() > 1 || !used->isSingular())) {
          // Several nodes for a list target: the list of their values.
          v.kind = Val::Kind::kList;
          for (const auto* n : nodes_) {
            Val e = Val::fromJson(*n);
            if (!e.absent())
              v.list.push_back(e.text());
          }
          if (v.list.empty())
            v = Val();
        } else if (nodes_.size() == 1) {
          v = Val::fromJson(*nodes_.front());
          if (v.kind == Val::Kind::kJson && v.json->IsArray() &&
              spec->type == FieldType::kStringArray) {
            Val list;
            list.kind = Val::Kind::kList;
            for (const auto& e : v.json->GetArray()) {
              Val ev = Val::fromJson(e);
              if (!ev.absent())
                list.list.push_back(ev.text());
            }
            v = list.list.empty() ? Val() : std::move(list);
          }
        } else if (nodes_.size() > 1) {
          failed = true;
          failure = {"type", "the selector " + used->text() + " found " +
                                 std::to_string(nodes_.size()) + " values where one is expected"};
        }
        break;
      }
      case Source::Kind::kConcat: {
        std::string s;
        bool any = false;
        for (std::size_t i = 0; i < rule.source.queries.size(); ++i) {
          nodes_.clear();
          rule.source.queries[i].select(scope, nodes_);
          Val part = nodes_.empty() ? Val() : Val::fromJson(*nodes_.front());
          if (part.absent())
            continue;
          if (any)
            s += rule.source.separator;
          s += part.text();
          any = true;
        }
        if (any)
          v = Val::string(std::move(s));
        break;
      }
    }
    if (trace) {
      trace->found = v.jsonText();
      if (used) {
        for (const auto& n : used->selectWithPaths(scope)) {
          trace->sourcePaths.push_back(
              joinPath(rule.source.messageScope ? "$" : recordPath_, n.path));
        }
      }
    }
    EvalContext ctx{&message_, &scope};
    for (std::size_t i = 0; i < rule.transforms.size() && !failed; ++i) {
      const Transform& t = *rule.transforms[i];
      if (v.absent() && !t.appliesToAbsent())
        continue;
      if (!t.apply(v, ctx, failure)) {
        failed = true;
        v = Val();
      }
      if (trace)
        trace->steps.push_back(
            TraceStep{t.name(), failed ? "error: " + failure.message : v.jsonText()});
    }
    // Assign to the targets (an object value from a code table spreads over several).
    for (std::size_t i = 0; i < rule.targets.size(); ++i) {
      const int idx = rule.targets[i];
      Slot& slot = slots_[static_cast<std::size_t>(idx)];
      slot.rule = &rule;
      slot.query = used;
      slot.failed = failed;
      if (failed) {
        slot.value = Val();
        if (i == 0) {  // one rejection for the source value, on the rule's first target
          out.rejections.push_back(
              Rejection{rule.targetNames[i], failure.code, failure.message, sourcePath(idx), 0});
        }
        continue;
      }
      Val tv;
      if (v.kind == Val::Kind::kJson && v.json->IsObject() && v.spread) {
        // A code table entry of target -> value: each target takes its own member.
        const auto m = v.json->FindMember(rule.targetNames[i].c_str());
        if (m != v.json->MemberEnd())
          tv = Val::fromJson(m->value);
      } else if (i == 0) {
        tv = v;
      }
      TransformFailure cf;
      if (!coerce(tv, *Catalog::get().leaves[static_cast<std::size_t>(idx)].spec, cf)) {
        slot.failed = true;
        slot.value = Val();
        out.rejections.push_back(
            Rejection{rule.targetNames[i], cf.code, cf.message, sourcePath(idx), 0});
        continue;
      }
      slot.value = std::move(tv);
    }
    if (trace)
      trace->value = failed
                         ? "null"
                         : (rule.targets.size() == 1
                                ? slots_[static_cast<std::size_t>(rule.targets[0])].value.jsonText()
                                : v.jsonText());
  }

  // Converts a value to its target's JSON type: department systems send numbers as text and
  // text as numbers.
  static bool coerce(Val& v, const FieldSpec& spec, TransformFailure& f) {
    if (v.absent())
      return true;
    switch (spec.type) {
      case FieldType::kInteger:
        if (v.kind == Val::Kind::kInteger)
          return true;
        if (v.kind == Val::Kind::kString || v.kind == Val::Kind::kNumber) {
          const std::string& s = v.str;
          std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
          std::int64_t n = 0;
          bool ok = i < s.size() && s.size() - i <= 18;
          for (std::size_t k = i; ok && k < s.size(); ++k) {
            if (s[k] < '0' || s[k] > '9') {
              ok = false;
            } else {
              n = n * 10 + (s[k] - '0');
            }
          }
          if (ok) {
            v = Val::integerValue(s[0] == '-' ? -n : n);
            return true;
          }
        }
        f = {"pattern", "'" + v.text() + "' is not an integer"};
        return false;
      case FieldType::kString:
        if (v.kind == Val::Kind::kString)
          return true;
        if (v.kind == Val::Kind::kInteger || v.kind == Val::Kind::kNumber ||
            v.kind == Val::Kind::kBool) {
          v = Val::string(v.text());
          return true;
        }
        f = {"type", "a list or object where " + spec.name + " takes text"};
        return false;
      case FieldType::kStringArray:
        if (v.kind == Val::Kind::kList)
          return true;
        if (v.kind == Val::Kind::kString || v.kind == Val::Kind::kInteger ||
            v.kind == Val::Kind::kNumber) {
          Val list;
          list.kind = Val::Kind::kList;
          list.list.push_back(v.text());
          v = std::move(list);
          return true;
        }
        f = {"type", spec.name + " takes a list of strings"};
        return false;
      case FieldType::kObject:
        break;
    }
    return true;
  }

  void build(const RunOptions& options, const Clock& clock, MappedEvent& out) {
    rapidjson::Document& doc = out.event;
    doc.SetObject();
    auto& a = doc.GetAllocator();
    const auto& leaves = Catalog::get().leaves;
    const int idEventId = Catalog::get().find("event_id");
    const int idSpec = Catalog::get().find("spec");
    const int idSystem = Catalog::get().find("source.system");
    const int idReceived = Catalog::get().find("source.received_at");
    for (std::size_t i = 0; i < leaves.size(); ++i) {
      const int idx = static_cast<int>(i);
      Val gateway;
      const Val* v = &slots_[i].value;
      if (idx == idSpec) {
        gateway = Val::string("case-event/1");
        v = &gateway;
      } else if (idx == idEventId) {
        gateway = eventId();
        v = &gateway;
      } else if (idx == idSystem) {
        gateway = Val::string(m_.system);
        v = &gateway;
      } else if (idx == idReceived) {
        // Received now unless the caller knows better (the journal's time of receipt).
        gateway = Val::string(options.receivedAt.empty() ? formatRfc3339(clock.now())
                                                         : options.receivedAt);
        v = &gateway;
      }
      if (v->absent())
        continue;
      rapidjson::Value* parent = &doc;
      for (const std::string& p : leaves[i].parents) {
        auto m = parent->FindMember(p.c_str());
        if (m == parent->MemberEnd()) {
          parent->AddMember(json::string(p, a), rapidjson::Value(rapidjson::kObjectType), a);
          m = parent->MemberEnd() - 1;
        }
        parent = &m->value;
      }
      parent->AddMember(json::string(leaves[i].last, a), toJson(*v, a), a);
    }
  }

  Val eventId() const {
    auto get = [&](const char* f) -> const Val& {
      return slots_[static_cast<std::size_t>(Catalog::get().find(f))].value;
    };
    const Val &caseNo = get("case_no"), &stage = get("stage"), &seq = get("seq"),
              &version = get("version");
    if (caseNo.kind != Val::Kind::kString || stage.kind != Val::Kind::kString ||
        seq.kind != Val::Kind::kInteger || version.kind != Val::Kind::kInteger) {
      return Val();
    }
    return Val::string(m_.system + ":" + caseNo.str + ":" + stage.str + ":" +
                       std::to_string(seq.integer) + ":v" + std::to_string(version.integer));
  }

  static rapidjson::Value toJson(const Val& v, rapidjson::Document::AllocatorType& a) {
    switch (v.kind) {
      case Val::Kind::kString:
      case Val::Kind::kNumber:
        return json::string(v.str, a);
      case Val::Kind::kInteger:
        return rapidjson::Value(static_cast<int64_t>(v.integer));
      case Val::Kind::kBool:
        return rapidjson::Value(v.boolean);
      case Val::Kind::kList: {
        rapidjson::Value arr(rapidjson::kArrayType);
        for (const auto& s : v.list)
          arr.PushBack(json::string(s, a), a);
        return arr;
      }
      case Val::Kind::kJson:
        return rapidjson::Value(*v.json, a);
      case Val::Kind::kAbsent:
        break;
    }
    return rapidjson::Value();
  }

  const CompiledMapping& m_;
  const rapidjson::Value& message_;
  const rapidjson::Value& record_;
  std::string recordPath_;
  bool trace_;
  std::vector<Slot> slots_;
  std::vector<const std::vector<Rule>*> applied_;  // the rule sections run for this record
  std::vector<const rapidjson::Value*> nodes_;
};

}  // namespace

MappingOutput CompiledMapping::run(const rapidjson::Value& tree, const Clock& clock,
                                   const RunOptions& options,
                                   const std::vector<std::size_t>& lines) const {
  // The records to map: one per fan-out node, or the message itself.
  std::vector<jsonpath::Node> recordNodes;
  if (records) {
    recordNodes = records->selectWithPaths(tree);
  } else {
    recordNodes.push_back(jsonpath::Node{&tree, "$"});
  }
  struct Produced {
    MappedEvent event;
    std::int64_t at;
    bool hasTime;
  };
  std::vector<Produced> produced;
  produced.reserve(recordNodes.size());
  const int stageIdx = [] { return Catalog::get().find("stage"); }();
  for (std::size_t i = 0; i < recordNodes.size(); ++i) {
    Produced p;
    p.event.record = i;
    p.event.recordPath = recordNodes[i].path;
    EventBuilder builder(*this, tree, *recordNodes[i].value, recordNodes[i].path, options.trace);
    builder.apply(common, p.event);
    const Val& stage = builder.value(stageIdx);
    if (stage.kind == Val::Kind::kString) {
      const auto it = stageRules.find(stage.str);
      if (it != stageRules.end())
        builder.apply(it->second, p.event);
    }
    builder.finish(clock, options, p.event);
    if (format == "csv" && i < lines.size()) {
      for (auto& r : p.event.rejections)
        r.sourceLine = lines[i];
    }
    const auto occurred = p.event.event.FindMember("occurred_at");
    p.hasTime = occurred != p.event.event.MemberEnd() && occurred->value.IsString() &&
                parseRfc3339(occurred->value.GetString(), p.at);
    produced.push_back(std::move(p));
  }
  // Spec §4: the events of one message go in occurred_at order, ties in source order.
  std::stable_sort(produced.begin(), produced.end(), [](const Produced& a, const Produced& b) {
    if (a.hasTime != b.hasTime)
      return a.hasTime;
    return a.hasTime && a.at < b.at;
  });
  MappingOutput out;
  for (auto& p : produced) {
    (p.event.valid() ? out.events : out.rejected).push_back(std::move(p.event));
  }
  std::sort(out.rejected.begin(), out.rejected.end(),
            [](const MappedEvent& a, const MappedEvent& b) { return a.record < b.record; });
  return out;
}

// ------------------------------------------------------------------ Mapping

Mapping::Mapping(std::unique_ptr<CompiledMapping> impl) : impl_(std::move(impl)) {}
Mapping::~Mapping() = default;

const std::string& Mapping::system() const {
  return impl_->system;
}
const std::string& Mapping::version() const {
  return impl_->version;
}
const std::string& Mapping::inputFormat() const {
  return impl_->format;
}
const std::string& Mapping::fileName() const {
  return impl_->fileName;
}

Result<std::shared_ptr<const Mapping>> Mapping::load(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f)
    return Error{"mapping.io", "cannot read the mapping file", path};
  std::ostringstream ss;
  ss << f.rdbuf();
  const auto slash = path.rfind('/');
  return compile(ss.str(), path, slash == std::string::npos ? "." : path.substr(0, slash));
}

Result<std::shared_ptr<const Mapping>> Mapping::compile(std::string_view text,
                                                        const std::string& fileName,
                                                        const std::string& baseDir) {
  auto file = PositionedJson::parse(text, fileName);
  if (!file.ok())
    return file.error();
  auto impl = std::make_unique<CompiledMapping>();
  impl->fileName = fileName;
  impl->baseDir = baseDir;
  Compiler compiler(file.value(), *impl);
  if (auto r = compiler.compile(); !r.ok())
    return r.error();
  return std::shared_ptr<const Mapping>(std::make_shared<Mapping>(std::move(impl)));
}

namespace {

// Database rows: column names as the mapping expects them (PostgreSQL folds to lower case).
rapidjson::Document normalizeColumns(const rapidjson::Value& rows, bool upper) {
  rapidjson::Document out(rapidjson::kArrayType);
  auto& a = out.GetAllocator();
  for (const auto& row : rows.GetArray()) {
    rapidjson::Value r(rapidjson::kObjectType);
    if (row.IsObject()) {
      for (auto m = row.MemberBegin(); m != row.MemberEnd(); ++m) {
        std::string k(m->name.GetString(), m->name.GetStringLength());
        for (char& c : k)
          c = static_cast<char>(upper ? toupper(static_cast<unsigned char>(c))
                                      : tolower(static_cast<unsigned char>(c)));
        r.AddMember(json::string(k, a), rapidjson::Value(m->value, a), a);
      }
    }
    out.PushBack(r, a);
  }
  return out;
}

}  // namespace

MappingOutput Mapping::runTree(const rapidjson::Value& tree, const Clock& clock,
                               const RunOptions& options,
                               const std::vector<std::size_t>& lines) const {
  if (impl_->format == "rows" && impl_->columnCase != CompiledMapping::ColumnCase::kAsIs &&
      tree.IsArray()) {
    const rapidjson::Document rows =
        normalizeColumns(tree, impl_->columnCase == CompiledMapping::ColumnCase::kUpper);
    return impl_->run(rows, clock, options, lines);
  }
  return impl_->run(tree, clock, options, lines);
}

// A JSON or XML message in which the records selector finds nothing is not a message of this
// system (a CSV file or a poll may be empty: an empty night is normal).
Result<MappingOutput> Mapping::nonEmpty(MappingOutput out) const {
  if (out.events.empty() && out.rejected.empty()) {
    return Error{"message.no_records",
                 "the message holds no record at " +
                     (impl_->records ? impl_->records->text() : std::string("$")) +
                     ": is it a message of system " + impl_->system + "?",
                 ""};
  }
  return out;
}

Result<MappingOutput> Mapping::run(std::string_view bytes, const Clock& clock,
                                   const RunOptions& options) const {
  const std::string& f = impl_->format;
  if (!options.charset.empty()) {
    // The declared charset of this message wins over the mapping's default.
    auto probe = formats::toUtf8("", options.charset);
    if (!probe.ok())
      return Error{"charset.unknown", "unknown charset '" + options.charset + "'", ""};
  }
  auto withCharset = [&](auto decoderOptions) {
    if (!options.charset.empty())
      decoderOptions.charset = options.charset;
    return decoderOptions;
  };
  if (f == "json" || f == "rows") {
    auto doc = formats::decodeJson(bytes, withCharset(impl_->jsonOptions));
    if (!doc.ok())
      return doc.error();
    if (f == "rows" && !doc.value().IsArray()) {
      return Error{"rows.shape", "database rows are a JSON array of row objects", ""};
    }
    if (f == "rows")
      return runTree(doc.value(), clock, options);
    return nonEmpty(runTree(doc.value(), clock, options));
  }
  if (f == "xml") {
    auto doc = formats::decodeXml(bytes, withCharset(impl_->xmlOptions));
    if (!doc.ok())
      return doc.error();
    return nonEmpty(runTree(doc.value(), clock, options));
  }
  auto csv = formats::decodeCsv(bytes, withCharset(impl_->csvOptions));
  if (!csv.ok())
    return csv.error();
  return runTree(csv.value().rows, clock, options, csv.value().lines);
}

// ------------------------------------------------------------------ embedded tests

namespace {

// Every member of `expected` is in `actual` with an equal value (objects recursively).
bool isSubset(const rapidjson::Value& expected, const rapidjson::Value& actual,
              const std::string& path, std::string& why) {
  if (expected.IsObject()) {
    if (!actual.IsObject()) {
      why = path + ": expected an object, got " + json::write(actual);
      return false;
    }
    for (auto m = expected.MemberBegin(); m != expected.MemberEnd(); ++m) {
      const std::string p = path.empty() ? m->name.GetString() : path + "." + m->name.GetString();
      const auto a = actual.FindMember(m->name);
      if (a == actual.MemberEnd()) {
        if (m->value.IsNull())
          continue;  // null: must be absent
        why = p + ": missing (expected " + json::write(m->value) + ")";
        return false;
      }
      if (m->value.IsNull()) {
        why = p + ": expected absent, got " + json::write(a->value);
        return false;
      }
      if (!isSubset(m->value, a->value, p, why))
        return false;
    }
    return true;
  }
  if (expected != actual) {
    why = path + ": expected " + json::write(expected) + ", got " + json::write(actual);
    return false;
  }
  return true;
}

}  // namespace

std::vector<Mapping::TestResult> Mapping::runEmbeddedTests(const Clock& clock) const {
  std::vector<TestResult> results;
  for (const TestCase& tc : impl_->tests) {
    TestResult r;
    r.name = tc.name;
    FixedClock fixed(tc.now.value_or(clock.now()));
    auto out = run(tc.input, fixed);
    if (!tc.error.empty()) {
      if (out.ok()) {
        r.failures.push_back("expected the message to be refused with " + tc.error +
                             ", but it was read");
      } else if (out.error().code != tc.error) {
        r.failures.push_back("expected refusal " + tc.error + ", got " + out.error().code + ": " +
                             out.error().describe());
      }
    } else if (!out.ok()) {
      r.failures.push_back("input could not be read: " + out.error().describe());
    } else {
      const auto& o = out.value();
      if (tc.expect.IsArray()) {
        if (o.events.size() != tc.expect.Size()) {
          r.failures.push_back("expected " + std::to_string(tc.expect.Size()) + " event(s), got " +
                               std::to_string(o.events.size()));
        }
        for (rapidjson::SizeType i = 0; i < tc.expect.Size() && i < o.events.size(); ++i) {
          std::string why;
          if (!isSubset(tc.expect[i], o.events[i].event, "", why)) {
            r.failures.push_back("event " + std::to_string(i + 1) + ": " + why);
          }
        }
      }
      std::vector<std::pair<std::string, std::string>> got, want;
      for (const auto& e : o.rejected) {
        for (const auto& rej : e.rejections)
          got.emplace_back(rej.field, rej.code);
      }
      if (tc.reject.IsArray()) {
        for (const auto& w : tc.reject.GetArray()) {
          const auto f = w.FindMember("field"), c = w.FindMember("code");
          want.emplace_back(f != w.MemberEnd() && f->value.IsString() ? f->value.GetString() : "",
                            c != w.MemberEnd() && c->value.IsString() ? c->value.GetString() : "");
        }
      }
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
      if (got != want) {
        std::string g, w;
        for (const auto& [f, c] : got)
          g += (g.empty() ? "" : ", ") + f + "/" + c;
        for (const auto& [f, c] : want)
          w += (w.empty() ? "" : ", ") + f + "/" + c;
        r.failures.push_back("rejections: expected [" + w + "], got [" + g + "]");
      }
    }
    r.passed = r.failures.empty();
    if (!r.passed) {
      for (auto& f : r.failures)
        f = tc.where + ": " + f;
    }
    results.push_back(std::move(r));
  }
  return results;
}

// ------------------------------------------------------------------ helpers

Result<std::vector<std::shared_ptr<const Mapping>>> loadAll(const std::string& dir) {
  std::vector<std::shared_ptr<const Mapping>> out;
  DIR* d = opendir(dir.c_str());
  if (!d)
    return Error{"mapping.io", "cannot read the mappings folder", dir};
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    const std::string n = e->d_name;
    if (n.empty() || n[0] == '.' || n[0] == '_')
      continue;
    struct stat st;
    const std::string file = dir + "/" + n + "/mapping.json";
    if (stat(file.c_str(), &st) == 0)
      names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    auto m = Mapping::load(dir + "/" + n + "/mapping.json");
    if (!m.ok())
      return m.error();
    if (m.value()->system() != n) {
      return Error{"mapping.invalid",
                   "the mapping's system '" + m.value()->system() +
                       "' differs from its folder name '" + n + "'",
                   dir + "/" + n + "/mapping.json"};
    }
    out.push_back(std::move(m).value());
  }
  return out;
}

rapidjson::Value rejectionToJson(const Rejection& r, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value v(rapidjson::kObjectType);
  v.AddMember("field", json::string(r.field, a), a);
  v.AddMember("code", json::string(r.code, a), a);
  v.AddMember("message", json::string(r.message, a), a);
  v.AddMember("source_path", json::string(r.sourcePath, a), a);
  if (r.sourceLine)
    v.AddMember("source_line", static_cast<uint64_t>(r.sourceLine), a);
  return v;
}

rapidjson::Value traceToJson(const std::vector<FieldTrace>& trace,
                             rapidjson::Document::AllocatorType& a) {
  rapidjson::Value arr(rapidjson::kArrayType);
  auto parseOr = [&](const std::string& text) {
    auto d = json::parse(text);
    return d.ok() ? rapidjson::Value(d.value(), a) : json::string(text, a);
  };
  for (const auto& t : trace) {
    rapidjson::Value v(rapidjson::kObjectType);
    v.AddMember("field", json::string(t.field, a), a);
    v.AddMember("source", json::string(t.source, a), a);
    rapidjson::Value paths(rapidjson::kArrayType);
    for (const auto& p : t.sourcePaths)
      paths.PushBack(json::string(p, a), a);
    v.AddMember("source_paths", paths, a);
    v.AddMember("found", parseOr(t.found), a);
    rapidjson::Value steps(rapidjson::kArrayType);
    for (const auto& s : t.steps) {
      rapidjson::Value step(rapidjson::kObjectType);
      step.AddMember("transform", json::string(s.transform, a), a);
      step.AddMember("output", parseOr(s.output), a);
      steps.PushBack(step, a);
    }
    v.AddMember("steps", steps, a);
    v.AddMember("value", parseOr(t.value), a);
    if (!t.note.empty())
      v.AddMember("note", json::string(t.note, a), a);
    arr.PushBack(v, a);
  }
  return arr;
}

}  // namespace huitong::mapping
