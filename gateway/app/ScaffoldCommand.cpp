// `huitong mapping scaffold --system ID --sample FILE [--format F] [--charset C] [--out DIR]`:
// proposes a draft mapping from one sample message (gateway/scaffold) and, with --out, writes it
// beside a copy of the sample and checks that the folder loads with the real mapping compiler.
#include "gateway/app/ScaffoldCommand.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

#include "gateway/app/CommandLine.h"
#include "gateway/mapping/Mapping.h"
#include "gateway/scaffold/Scaffold.h"

namespace huitong::app {
namespace {

const char* const kScaffoldUsage =
    "usage: huitong mapping scaffold --system ID --sample FILE [--format json|xml|csv|rows]\n"
    "                                [--charset CHARSET] [--out DIR] [--force]\n"
    "Proposes a first-draft mapping from one sample message: a selector for each case-event\n"
    "field chosen by the source field's name (English, Chinese, pinyin initials such as SBLSH)\n"
    "and its value's shape (resident ID and USCC check characters, mobile numbers, dates,\n"
    "amounts), code tables guessed from the sample's values, each rule commented with a\n"
    "confidence (0..1) and a reason. Required fields it cannot find are constants \"\" that\n"
    "reject every event until an ops person fills them in. Version \"0-draft\": review it.\n"
    "  --system ID      the system id (letters, digits, - _ .); the folder name under mappings/\n"
    "  --sample FILE    one message as the department sends it\n"
    "  --format F       json, xml, csv or rows (a JSON array of row objects); default from the\n"
    "                   file's extension (.json .xml .csv)\n"
    "  --charset C      the sample's character set (GB18030 ...); a non-UTF-8 sample that reads\n"
    "                   as GB18030 is detected\n"
    "  --out DIR        write DIR/mapping.json and DIR/tests/<sample> with a test case on it,\n"
    "                   then load DIR as `huitong mapping test` would; without --out the draft\n"
    "                   is printed (without the test case)\n"
    "  --force          overwrite an existing DIR/mapping.json\n"
    "Exit codes: 0 draft written, 1 the written draft does not load, 2 bad usage or input.\n";

// "line 3, column 7: ..." from a decoder becomes "FILE:3:7: ...".
std::string where(const std::string& file, const Error& e) {
  static const std::regex lineCol(
      R"(^line (\d+), (?:column|byte offset) (\d+)(?: \(offset \d+\))?$)");
  static const std::regex lineOnly(R"(^line (\d+)$)");
  std::smatch m;
  if (std::regex_match(e.path, m, lineCol))
    return file + ":" + m[1].str() + ":" + m[2].str() + ": " + e.message + " [" + e.code + "]";
  if (std::regex_match(e.path, m, lineOnly))
    return file + ":" + m[1].str() + ": " + e.message + " [" + e.code + "]";
  return file + ": " + e.describe() + " [" + e.code + "]";
}

}  // namespace

int runMappingScaffold(const std::vector<std::string>& all) {
  std::string error;
  auto args = Arguments::parse(all, {"help", "force"},
                               {"system", "sample", "format", "charset", "out", "now"}, error);
  if (args && args->has("help")) {
    std::cout << kScaffoldUsage;
    return kExitOk;
  }
  if (!args || args->get("system").empty() || args->get("sample").empty() ||
      !args->positionals().empty()) {
    std::cerr << "huitong mapping scaffold: "
              << (error.empty() ? "--system ID and --sample FILE are required" : error) << "\n"
              << kScaffoldUsage;
    return kExitUsage;
  }
  const std::string system = args->get("system");
  static const std::regex systemId("^[A-Za-z0-9_.-]+$");
  if (!std::regex_match(system, systemId)) {
    std::cerr << "huitong mapping scaffold: --system '" << system
              << "': use letters, digits, '-', '_' and '.'\n";
    return kExitUsage;
  }
  namespace fs = std::filesystem;
  const std::string samplePath = args->get("sample");
  std::string format = args->get("format");
  if (format.empty()) {
    const std::string ext = fs::path(samplePath).extension().string();
    format = ext == ".json" ? "json" : ext == ".xml" ? "xml" : ext == ".csv" ? "csv" : "";
    if (format.empty()) {
      std::cerr << "huitong mapping scaffold: " << samplePath
                << ": cannot tell the format from the extension: give --format "
                   "json|xml|csv|rows\n";
      return kExitUsage;
    }
  }
  if (format != "json" && format != "xml" && format != "csv" && format != "rows") {
    std::cerr << "huitong mapping scaffold: unknown --format '" << format
              << "' (expected json, xml, csv or rows)\n";
    return kExitUsage;
  }
  std::string bytes;
  if (!readFile(samplePath, bytes, error)) {
    std::cerr << "huitong mapping scaffold: " << error << "\n";
    return kExitUsage;
  }
  scaffold::ScaffoldOptions options;
  options.system = system;
  options.format = format;
  options.charset = args->get("charset");
  options.now = args->get("now");
  const std::string out = args->get("out");
  if (!out.empty())
    options.sampleFileName = fs::path(samplePath).filename().string();
  auto draft = scaffold::scaffold(bytes, options);
  if (!draft.ok()) {
    std::cerr << "huitong mapping scaffold: " << where(samplePath, draft.error()) << "\n";
    return draft.error().code == "scaffold.internal" ? kExitFailed : kExitUsage;
  }
  if (out.empty()) {
    std::cout << draft.value().text;
    return kExitOk;
  }
  const fs::path dir(out);
  const fs::path mappingFile = dir / "mapping.json";
  std::error_code ec;
  if (fs::exists(mappingFile, ec) && !args->has("force")) {
    std::cerr << "huitong mapping scaffold: " << mappingFile.string()
              << " exists: give --force to replace it\n";
    return kExitUsage;
  }
  fs::create_directories(dir / "tests", ec);
  const fs::path sampleCopy = dir / "tests" / options.sampleFileName;
  std::ofstream m(mappingFile, std::ios::binary);
  m << draft.value().text;
  m.close();
  std::ofstream s(sampleCopy, std::ios::binary);
  s.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  s.close();
  if (ec || !m || !s) {
    std::cerr << "huitong mapping scaffold: cannot write into " << dir.string() << "\n";
    return kExitUsage;
  }
  auto loaded = mapping::Mapping::load(mappingFile.string());
  if (!loaded.ok()) {
    std::cerr << "huitong mapping scaffold: the draft does not load: " << loaded.error().describe()
              << "\n";
    return kExitFailed;
  }
  std::size_t mapped = 0;
  std::size_t missing = 0;
  for (const auto& f : draft.value().fields) {
    mapped += f.mapped ? 1 : 0;
    missing += !f.mapped && f.required ? 1 : 0;
  }
  std::cout << mappingFile.string() << "\n"
            << sampleCopy.string() << "\n"
            << mapped << " field rules proposed, " << missing
            << " required fields not found (marked NOT FOUND); review every rule, then run\n"
            << "huitong mapping test "
            << (dir.parent_path().empty() ? "." : dir.parent_path().string()) << " --system "
            << system << "\n";
  if (dir.filename().string() != system)
    std::cout << "note: the folder name '" << dir.filename().string()
              << "' differs from the system id; `huitong mapping test` wants them equal\n";
  return kExitOk;
}

}  // namespace huitong::app
