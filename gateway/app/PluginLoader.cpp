#include "gateway/app/PluginLoader.h"

#include <dlfcn.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include <Poco/ClassLoader.h>
#include <Poco/Exception.h>

#include "gateway/core/AdapterPlugin.h"

namespace huitong::app {
namespace {

namespace fs = std::filesystem;
using Loader = Poco::ClassLoader<adapter::AdapterFactory>;

// One loader for the process, never destroyed: its destructor would free the manifests of
// libraries whose factories (and the adapters they made) are still in use.
Loader& loader() {
  static Loader* instance = new Loader();
  return *instance;
}

Error refused(const std::string& code, const std::string& path, const std::string& why) {
  return Error{code, "adapter plugin " + path + " " + why, ""};
}

// What the file's first bytes say it is; "" for a shared library.
std::string notASharedLibrary(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char h[18] = {};
  if (!in.read(reinterpret_cast<char*>(h), sizeof h) || h[0] != 0x7f || h[1] != 'E' ||
      h[2] != 'L' || h[3] != 'F') {
    return "is not a shared library (no ELF header)";
  }
  const unsigned type = h[5] == 2 ? (h[16] << 8) | h[17] : h[16] | (h[17] << 8);
  if (type == 1)
    return "is an object file, not a shared library (link it with -shared)";
  if (type != 3)
    return "is not a shared library (ELF type " + std::to_string(type) + ")";
  return "";
}

std::string abiText(int cxxAbi) {
  if (cxxAbi >= 1000)
    return "libc++ ABI " + std::to_string(cxxAbi - 1000);
  if (cxxAbi == 1)
    return "libstdc++ with the C++11 std::string (_GLIBCXX_USE_CXX11_ABI=1)";
  if (cxxAbi == 0)
    return "libstdc++ with the old std::string (_GLIBCXX_USE_CXX11_ABI=0)";
  return "an unknown C++ library";
}

Result<LoadedPlugin> loadOne(const std::string& path, adapter::AdapterRegistry& registry) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    return refused("plugin.missing", path, "does not exist");
  if (!fs::is_regular_file(path, ec))
    return refused("plugin.not_library", path, "is not a file");
  if (auto why = notASharedLibrary(path); !why.empty())
    return refused("plugin.not_library", path, why);
  // RTLD_NOW: a symbol the gateway does not export (a plugin built against another SDK) is
  // refused here, not when the adapter first calls it. The handle is never closed.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* e = ::dlerror();
    std::string why = e ? e : "unknown reason";
    if (why.find("undefined symbol") != std::string::npos)
      why += " (built against another Huitong SDK?)";
    return refused("plugin.load", path, "cannot be loaded: " + why);
  }
  using IntFn = int (*)();
  using TextFn = const char* (*)();
  auto abi = reinterpret_cast<IntFn>(::dlsym(handle, adapter::kPluginAbiSymbol));
  auto cxx = reinterpret_cast<IntFn>(::dlsym(handle, adapter::kPluginCxxAbiSymbol));
  auto builtWith = reinterpret_cast<TextFn>(::dlsym(handle, adapter::kPluginBuiltWithSymbol));
  if (!abi || !cxx) {
    return refused("plugin.abi", path,
                   std::string("is not a Huitong adapter plugin: it does not export ") +
                       (abi ? adapter::kPluginCxxAbiSymbol : adapter::kPluginAbiSymbol) +
                       " (HUITONG_ADAPTER_PLUGIN, gateway/core/AdapterPlugin.h)");
  }
  LoadedPlugin loaded;
  loaded.path = path;
  const char* with = builtWith ? builtWith() : nullptr;
  loaded.builtWith = with ? with : "";
  const std::string compilers = " (plugin built with " +
                                (with ? loaded.builtWith : std::string("an unknown compiler")) +
                                ", gateway with " + adapter::kBuiltWith + ")";
  if (abi() != adapter::kAbiVersion) {
    return refused("plugin.abi", path,
                   "was built for adapter ABI " + std::to_string(abi()) + " but this gateway has " +
                       "adapter ABI " + std::to_string(adapter::kAbiVersion) +
                       ": rebuild it against this gateway's SDK" + compilers);
  }
  if (cxx() != adapter::kCxxLibraryAbi) {
    return refused("plugin.abi", path,
                   "was built for " + abiText(cxx()) + " but this gateway uses " +
                       abiText(adapter::kCxxLibraryAbi) + compilers);
  }
  try {
    loader().loadLibrary(path);
  } catch (const Poco::Exception& e) {
    return refused("plugin.manifest", path, "has no adapter manifest: " + e.displayText());
  }
  // A path loaded before (named twice) answers its manifest again: the registry then refuses
  // the second registration of each name.
  for (const auto* entry : loader().manifestFor(path)) {
    std::unique_ptr<adapter::AdapterFactory> factory;
    try {
      factory.reset(entry->create());
    } catch (const std::exception& e) {
      return refused("plugin.factory", path, std::string("failed making a factory: ") + e.what());
    }
    const std::string name = factory->name();
    if (auto r = registry.add(std::move(factory), path); !r.ok())
      return r.error();
    loaded.adapters.push_back(name);
  }
  if (loaded.adapters.empty())
    return refused("plugin.manifest", path, "exports no adapter factory");
  return loaded;
}

}  // namespace

Result<std::vector<LoadedPlugin>> loadAdapterPlugins(const std::vector<std::string>& paths,
                                                     adapter::AdapterRegistry& registry) {
  std::vector<LoadedPlugin> out;
  for (const auto& given : paths) {
    // One spelling per library: it is the registry's origin and the loader's key.
    const std::string path = fs::absolute(given).lexically_normal().string();
    auto one = loadOne(path, registry);
    if (!one.ok())
      return one.error();
    out.push_back(std::move(one).value());
  }
  return out;
}

}  // namespace huitong::app
