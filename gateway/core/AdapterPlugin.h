// Adapters built outside the tree as shared libraries (docs/adding-an-adapter.md, "As a
// plugin"). A plugin's one .cpp ends with
//
//   HUITONG_ADAPTER_PLUGIN(MyFactory, MyOtherFactory)
//
// which exports the ABI it was built for and a Poco::ClassLoader manifest of the factories.
// The gateway (gateway/app/PluginLoader) checks the ABI before it reads the manifest and
// refuses a mismatch; a loaded plugin is never unloaded. Factories must be default-constructible.
#pragma once

#include <typeinfo>

#include <Poco/ClassLibrary.h>
#include <Poco/Manifest.h>
#include <Poco/MetaObject.h>

#include "gateway/core/Adapter.h"

namespace huitong::adapter {

// The C++ standard library's layout (std::string, std::vector cross the plugin boundary):
// libstdc++'s dual ABI (1 = the C++11 std::string), libc++ as 1000 + its ABI version.
inline constexpr int kCxxLibraryAbi =
#if defined(_LIBCPP_VERSION)
    1000 + _LIBCPP_ABI_VERSION;
#elif defined(__GLIBCXX__)
    _GLIBCXX_USE_CXX11_ABI;
#else
    -1;
#endif

// The compiler that built this unit, for messages ("gcc 12.2.0", "clang 16.0.6").
inline constexpr const char* kBuiltWith =
#if defined(__clang__)
    "clang " __clang_version__;
#elif defined(__GNUC__)
    "gcc " __VERSION__;
#else
    "an unknown compiler";
#endif

// The names a plugin exports (C linkage, looked up with dlsym).
inline constexpr const char* kPluginAbiSymbol = "huitong_adapter_abi_version";
inline constexpr const char* kPluginCxxAbiSymbol = "huitong_adapter_cxx_library_abi";
inline constexpr const char* kPluginBuiltWithSymbol = "huitong_adapter_built_with";

namespace plugin {

// Adds one MetaObject per factory type to a plugin's manifest (HUITONG_ADAPTER_PLUGIN).
template <typename... Factories>
void exportFactories(Poco::Manifest<AdapterFactory>& manifest) {
  static_assert(sizeof...(Factories) > 0, "HUITONG_ADAPTER_PLUGIN names at least one factory");
  (manifest.insert(new Poco::MetaObject<Factories, AdapterFactory>(typeid(Factories).name())), ...);
}

}  // namespace plugin
}  // namespace huitong::adapter

#define HUITONG_ADAPTER_PLUGIN_API extern "C" __attribute__((visibility("default")))

// Exports the factories `...` (AdapterFactory subclasses) and the ABI this plugin was built
// for. Use once per plugin, at namespace scope.
#define HUITONG_ADAPTER_PLUGIN(...)                                     \
  HUITONG_ADAPTER_PLUGIN_API int huitong_adapter_abi_version() {        \
    return ::huitong::adapter::kAbiVersion;                             \
  }                                                                     \
  HUITONG_ADAPTER_PLUGIN_API int huitong_adapter_cxx_library_abi() {    \
    return ::huitong::adapter::kCxxLibraryAbi;                          \
  }                                                                     \
  HUITONG_ADAPTER_PLUGIN_API const char* huitong_adapter_built_with() { \
    return ::huitong::adapter::kBuiltWith;                              \
  }                                                                     \
  POCO_BEGIN_MANIFEST(::huitong::adapter::AdapterFactory)               \
  ::huitong::adapter::plugin::exportFactories<__VA_ARGS__>(*pManifest); \
  POCO_END_MANIFEST
