// Adapter plugins end to end: the SDK installed with `cmake --install --component sdk` into a
// temp prefix, adapters/plugin_example configured and built against it out of tree, loaded by
// the real `huitong serve` from "plugins", and a marriage message pushed through the plugin's
// adapter to the mock platform. Libraries that must not load are refused at start with a
// message naming the path: a missing file, a text file, a library without the ABI symbol, one
// built for another adapter ABI, one needing a symbol the gateway does not export.
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "gateway/core/Adapter.h"
#include "tests/integration/Harness.h"

using namespace huitong::integration;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// Runs a program to its end (bounded); its output goes to <dir>/<name>.out/.err.
int run(const std::vector<std::string>& args, const fs::path& dir, const std::string& name,
        std::chrono::seconds limit = 300s) {
  Process p(args, dir, name);
  const int status = p.wait(limit);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The example plugin, built once for the whole executable: SDK install, configure, build.
const fs::path& examplePlugin() {
  static std::unique_ptr<TempDir> dir;
  static fs::path library;
  if (dir)
    return library;
  dir = std::make_unique<TempDir>("huitong-plugin");
  const fs::path sdk = dir->path() / "sdk";
  const fs::path build = dir->path() / "build";
  BOOST_TEST_MESSAGE("installing the SDK into " << sdk);
  int rc = run({HUITONG_CMAKE_COMMAND, "--install", HUITONG_BINARY_DIR, "--prefix", sdk.string(),
                "--component", "sdk"},
               dir->path(), "install");
  if (rc != 0)
    throw std::runtime_error("cmake --install failed: " + readFile(dir->path() / "install.err"));
  BOOST_REQUIRE(fs::exists(sdk / "include/huitong/gateway/core/AdapterPlugin.h"));
  std::vector<std::string> configure{HUITONG_CMAKE_COMMAND,
                                     "-S",
                                     std::string(HUITONG_SOURCE_DIR) + "/adapters/plugin_example",
                                     "-B",
                                     build.string(),
                                     "-G",
                                     HUITONG_CMAKE_GENERATOR,
                                     "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                                     "-DCMAKE_MAKE_PROGRAM=" HUITONG_MAKE_PROGRAM,
                                     "-DCMAKE_CXX_COMPILER=" HUITONG_CXX_COMPILER,
                                     "-DCMAKE_CXX_FLAGS=-Werror",
                                     "-DCMAKE_PREFIX_PATH=" + sdk.string()};
  if (std::string(HUITONG_CXX_LAUNCHER).size())
    configure.push_back("-DCMAKE_CXX_COMPILER_LAUNCHER=" HUITONG_CXX_LAUNCHER);
  rc = run(configure, dir->path(), "configure");
  if (rc != 0)
    throw std::runtime_error("configure failed: " + readFile(dir->path() / "configure.out") +
                             readFile(dir->path() / "configure.err"));
  rc = run({HUITONG_CMAKE_COMMAND, "--build", build.string()}, dir->path(), "build");
  if (rc != 0)
    throw std::runtime_error("build failed: " + readFile(dir->path() / "build.out") +
                             readFile(dir->path() / "build.err"));
  library = build / "libhuitong_plugin_example.so";
  BOOST_REQUIRE(fs::exists(library));
  return library;
}

// A shared library of one C++ source, for the refusals.
fs::path tinyLibrary(const TempDir& dir, const std::string& name, const std::string& source) {
  const fs::path cpp = dir.write(name + ".cpp", source);
  const fs::path so = dir.path() / (name + ".so");
  const int rc = run({HUITONG_CXX_COMPILER, "-shared", "-fPIC", "-o", so.string(), cpp.string()},
                     dir.path(), "cc-" + name, 120s);
  if (rc != 0)
    throw std::runtime_error("cannot compile " + name + ": " +
                             readFile(dir.path() / ("cc-" + name + ".err")));
  return so;
}

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  return d;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plugins)

BOOST_AUTO_TEST_CASE(a_plugin_built_against_the_installed_sdk_carries_a_message_to_the_platform) {
  const fs::path& library = examplePlugin();
  TempDir dir;
  MockPlatformProcess platform(dir.path(), "plugin-token");
  const auto marriage = makeCredential("marriage");
  GatewayOptions o = deliveringTo(dir.path(), platform, {marriage});
  o.adapters["marriage"] = R"({"kind": "json_code_msg", "success_code": 0})";
  o.plugins = {library.string()};
  GatewayProcess gateway(dir.path(), o);
  BOOST_TEST(gateway.stderrText().find("\"msg\":\"adapter plugin loaded\"") != std::string::npos);

  // `huitong adapters` lists it with its origin.
  BOOST_TEST(run({huitongBinary().string(), "adapters", "--config", gateway.configPath().string()},
                 dir.path(), "adapters", 60s) == 0);
  const std::string listing = readFile(dir.path() / "adapters.out");
  BOOST_TEST(listing.find("json_code_msg") != std::string::npos);
  BOOST_TEST(listing.find(library.string()) != std::string::npos, listing);

  HttpClient client(gateway.port());
  const MarriageMessage m = marriageMessage("HYPLUGIN", 1, 0);
  Answer a = signedPost(client, marriage, "/intake/v1/marriage", m.body);
  BOOST_TEST(a.status == 200, a.body);
  auto body = parse(a.body);
  BOOST_REQUIRE_MESSAGE(body.IsObject() && body.HasMember("code") && body.HasMember("data"),
                        a.body);
  BOOST_TEST(body["code"].GetInt() == 0);
  BOOST_TEST(std::string(body["msg"].GetString()) == "accepted");
  BOOST_REQUIRE(body["data"].IsObject() && body["data"]["events"].IsArray());
  BOOST_REQUIRE(body["data"]["events"].Size() == 1u);
  BOOST_TEST(std::string(body["data"]["events"][0].GetString()) == m.eventId);

  // Unreadable input is answered the plugin's way too.
  a = signedPost(client, marriage, "/intake/v1/marriage", "{not json");
  BOOST_TEST(a.status == 200);
  body = parse(a.body);
  BOOST_REQUIRE(body.IsObject() && body.HasMember("code"));
  BOOST_TEST(body["code"].GetInt() == 400);

  const auto until = std::chrono::steady_clock::now() + 60s;
  while (platform.receivedTotal() < 1 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(50ms);
  const auto received = platform.received();
  BOOST_REQUIRE(received.size() == 1u);
  BOOST_TEST(received[0].eventId == m.eventId);
  BOOST_TEST(received[0].caseNo == m.caseNo);
  BOOST_TEST(gateway.stop() == 0);
}

BOOST_AUTO_TEST_CASE(libraries_that_are_not_plugins_of_this_gateway_stop_the_start) {
  TempDir dir;
  const fs::path text = dir.write("notes.so", "not a library\n");
  const fs::path noAbi = tinyLibrary(dir, "no-abi", "extern \"C\" int something() { return 1; }\n");
  const fs::path otherAbi =
      tinyLibrary(dir, "abi-99",
                  "extern \"C\" int huitong_adapter_abi_version() { return 99; }\n"
                  "extern \"C\" int huitong_adapter_cxx_library_abi() { return 1; }\n");
  const fs::path undefinedSymbol =
      tinyLibrary(dir, "undefined",
                  "namespace huitong::adapter { int notInTheGateway(); }\n"
                  "extern \"C\" int huitong_adapter_abi_version() {\n"
                  "  return huitong::adapter::notInTheGateway(); }\n"
                  "extern \"C\" int huitong_adapter_cxx_library_abi() { return 1; }\n");
  struct Case {
    fs::path library;
    std::string why;
  };
  const std::vector<Case> cases = {
      {dir.path() / "missing.so", "does not exist"},
      {text, "is not a shared library (no ELF header)"},
      {noAbi, "is not a Huitong adapter plugin: it does not export huitong_adapter_abi_version"},
      {otherAbi, "was built for adapter ABI 99 but this gateway has adapter ABI " +
                     std::to_string(huitong::adapter::kAbiVersion)},
      {undefinedSymbol, "undefined symbol: _ZN7huitong7adapter15notInTheGatewayEv"},
  };
  GatewayOptions o;
  o.platformUrl = "http://127.0.0.1:9";
  o.platformToken = "unused";
  o.systems = {makeCredential("marriage")};
  int n = 0;
  for (const auto& c : cases) {
    const std::string name = "refused-" + std::to_string(++n);
    o.plugins = {c.library.string()};
    const fs::path config = dir.write(name + ".json", gatewayConfigJson(o, dir.path()));
    const int rc = run({huitongBinary().string(), "serve", "--config", config.string()}, dir.path(),
                       name, 60s);
    const std::string err = readFile(dir.path() / (name + ".err"));
    BOOST_TEST(rc == 2, c.library << ": " << err);
    BOOST_TEST(err.find("huitong serve: plugins: adapter plugin " + c.library.string() + " ") == 0u,
               err);
    BOOST_TEST(err.find(c.why) != std::string::npos, err);
  }
}

BOOST_AUTO_TEST_SUITE_END()
