// `huitong adapters [--config FILE]`: the adapters a gateway knows — the built-ins and, with a
// config, its plugins loaded and checked exactly as `huitong serve` does.
#include <algorithm>
#include <iostream>

#include "adapters/register_adapters.h"
#include "gateway/app/CommandLine.h"
#include "gateway/app/PluginLoader.h"
#include "gateway/http/GatewayConfig.h"

namespace huitong::app {

int runAdapters(const std::vector<std::string>& args) {
  std::string error;
  auto parsed = Arguments::parse(args, {"help"}, {"config"}, error);
  const char* usage = "usage: huitong adapters [--config FILE]\n";
  if (parsed && parsed->has("help")) {
    std::cout << usage
              << "Lists the adapters systems can name in \"adapter\": name, push or pull, origin\n"
                 "(built-in, or the plugin library's path) and what it does. With --config, the\n"
                 "file's plugins are loaded and checked as `huitong serve` would; a refused\n"
                 "plugin is exit 2 with the reason.\n";
    return kExitOk;
  }
  if (!parsed || !parsed->positionals().empty()) {
    std::cerr << "huitong adapters: " << (error.empty() ? "unexpected argument" : error) << "\n"
              << usage;
    return kExitUsage;
  }
  adapter::AdapterRegistry registry;
  if (auto r = adapters::registerBuiltinAdapters(registry); !r.ok()) {
    std::cerr << "huitong adapters: " << r.error().describe() << "\n";
    return kExitFailed;
  }
  if (parsed->has("config")) {
    auto cfg = http::loadConfig(parsed->get("config"));
    if (!cfg.ok()) {
      std::cerr << "huitong adapters: " << cfg.error().describe() << "\n";
      return kExitUsage;
    }
    auto loaded = loadAdapterPlugins(cfg.value().plugins, registry);
    if (!loaded.ok()) {
      std::cerr << "huitong adapters: " << loaded.error().describe() << "\n";
      return kExitUsage;
    }
  }
  std::size_t nameWidth = 4;
  std::size_t originWidth = 6;
  for (const auto& n : registry.names()) {
    nameWidth = std::max(nameWidth, n.size());
    originWidth = std::max(originWidth, registry.origin(n).size());
  }
  auto pad = [](const std::string& s, std::size_t w) {
    return s + std::string(w - s.size() + 2, ' ');
  };
  std::cout << pad("NAME", nameWidth) << "KIND  " << pad("ORIGIN", originWidth) << "SUMMARY\n";
  for (const auto& n : registry.names()) {
    const auto* f = registry.find(n);
    std::cout << pad(n, nameWidth)
              << (f->kind() == adapter::AdapterKind::kPush ? "push  " : "pull  ")
              << pad(registry.origin(n), originWidth) << f->summary() << "\n";
  }
  return kExitOk;
}

}  // namespace huitong::app
