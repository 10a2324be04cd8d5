// `huitong jsonpath 'SELECTOR' [FILE] [--paths]`: the nodelist as a JSON array.
#include <iostream>

#include "gateway/app/CommandLine.h"
#include "gateway/core/Json.h"
#include "gateway/jsonpath/JsonPath.h"

namespace huitong::app {

int runJsonPath(const std::vector<std::string>& args) {
  std::string error;
  auto parsed = Arguments::parse(args, {"paths", "help"}, {}, error);
  if (parsed && parsed->has("help")) {
    std::cout << "usage: huitong jsonpath 'SELECTOR' [FILE] [--paths]\n"
                 "Prints the nodelist that the RFC 9535 query selects from the JSON document in\n"
                 "FILE (or standard input) as a JSON array of values, or with --paths of\n"
                 "normalized paths. Exit 0 on success, 2 for an invalid query or document.\n";
    return kExitOk;
  }
  if (!parsed || parsed->positionals().empty() || parsed->positionals().size() > 2) {
    std::cerr << "huitong jsonpath: " << (error.empty() ? "expected SELECTOR [FILE]" : error)
              << "\nusage: huitong jsonpath 'SELECTOR' [FILE] [--paths]\n";
    return kExitUsage;
  }
  const std::string& selector = parsed->positionals()[0];
  auto query = jsonpath::Query::compile(selector);
  if (!query.ok()) {
    // Point at the offending character under the selector.
    std::cerr << "huitong jsonpath: invalid selector: " << query.error().message << " at "
              << query.error().path << "\n  " << selector << "\n";
    const auto col = query.error().path.rfind(' ');
    if (col != std::string::npos) {
      const long n = std::strtol(query.error().path.c_str() + col + 1, nullptr, 10);
      if (n > 0)
        std::cerr << "  " << std::string(static_cast<std::size_t>(n - 1), ' ') << "^\n";
    }
    return kExitUsage;
  }
  const std::string file = parsed->positionals().size() > 1 ? parsed->positionals()[1] : "-";
  std::string text;
  if (!readFile(file, text, error)) {
    std::cerr << "huitong jsonpath: " << error << "\n";
    return kExitUsage;
  }
  auto doc = json::parse(text);
  if (!doc.ok()) {
    std::cerr << "huitong jsonpath: " << (file == "-" ? "<stdin>" : file) << ": "
              << doc.error().describe() << "\n";
    return kExitUsage;
  }
  rapidjson::Document out(rapidjson::kArrayType);
  auto& alloc = out.GetAllocator();
  for (const auto& node : query.value().selectWithPaths(doc.value())) {
    if (parsed->has("paths")) {
      out.PushBack(json::string(node.path, alloc), alloc);
    } else {
      out.PushBack(rapidjson::Value(*node.value, alloc), alloc);
    }
  }
  std::cout << json::writePretty(out) << "\n";
  return kExitOk;
}

}  // namespace huitong::app
