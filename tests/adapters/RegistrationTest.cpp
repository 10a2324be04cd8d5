// Every adapter folder is registered (CONVENTIONS.md: registration is explicit), and the
// registry refuses what would make a config ambiguous.
#include <filesystem>
#include <set>

#include <boost/test/unit_test.hpp>

#include "adapters/register_adapters.h"

namespace fs = std::filesystem;
using namespace huitong;

BOOST_AUTO_TEST_SUITE(registration)

// Folders under adapters/ that are not adapters of the gateway itself.
const std::set<std::string> kNotBuiltIn = {"_template", "plugin_example"};

BOOST_AUTO_TEST_CASE(every_adapter_folder_is_registered) {
  adapter::AdapterRegistry registry;
  BOOST_REQUIRE(adapters::registerBuiltinAdapters(registry).ok());
  const auto names = registry.names();
  const std::set<std::string> registered(names.begin(), names.end());
  std::size_t folders = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(HUITONG_SOURCE_DIR) / "adapters")) {
    if (!entry.is_directory() || kNotBuiltIn.count(entry.path().filename().string()))
      continue;
    ++folders;
    const std::string name = entry.path().filename().string();
    BOOST_TEST(registered.count(name) == 1u,
               "adapters/" << name << "/ is not registered in adapters/register_adapters.cpp");
    BOOST_TEST(fs::exists(entry.path() / "README.md"), "adapters/" << name << "/README.md missing");
  }
  BOOST_TEST(folders == registered.size(), "registered adapters without a folder of that name");
}

BOOST_AUTO_TEST_CASE(a_second_factory_of_the_same_name_is_refused) {
  adapter::AdapterRegistry registry;
  BOOST_REQUIRE(adapters::registerBuiltinAdapters(registry).ok());
  adapter::AdapterRegistry again;
  BOOST_REQUIRE(adapters::registerBuiltinAdapters(again).ok());
  auto r = adapters::registerBuiltinAdapters(registry);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "adapter.duplicate");
  BOOST_TEST(r.error().message.find("already registered by built-in") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_factory_describes_itself) {
  adapter::AdapterRegistry registry;
  BOOST_REQUIRE(adapters::registerBuiltinAdapters(registry).ok());
  for (const auto& n : registry.names()) {
    BOOST_TEST(!registry.find(n)->summary().empty(), n);
    BOOST_TEST(registry.origin(n) == "built-in");
  }
  BOOST_TEST(registry.find("no-such-adapter") == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
