// libFuzzer target for the mapping engine, built twice:
// - fuzz_mapping: the input is a mapping file; when it compiles, its embedded tests run.
// - fuzz_mapping_run (HUITONG_FUZZ_RUN_MESSAGE): the input is a message for the marriage
//   mapping of mappings/ (or the system named by $HUITONG_FUZZ_SYSTEM), mapped with and
//   without a trace, which must agree.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/core/Clock.h"
#include "gateway/mapping/Mapping.h"

namespace {

// 2026-11-27T09:30:00+08:00: embedded tests and runs see the same "now" every time.
constexpr huitong::EpochMillis kNow = 1795743000000;

#ifdef HUITONG_FUZZ_RUN_MESSAGE
const huitong::mapping::Mapping& mappingUnderTest() {
  static const std::shared_ptr<const huitong::mapping::Mapping> mapping = [] {
    const char* system = std::getenv("HUITONG_FUZZ_SYSTEM");
    const std::string path = std::string(HUITONG_SOURCE_DIR) + "/mappings/" +
                             (system ? system : "marriage") + "/mapping.json";
    auto loaded = huitong::mapping::Mapping::load(path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "fuzz_mapping_run: %s\n", loaded.error().describe().c_str());
      std::abort();
    }
    return loaded.value();
  }();
  return *mapping;
}
#else
const std::string& emptyBaseDir() {
  // Files a fuzzed mapping names (tables, test inputs) resolve in an empty folder.
  static const std::string dir = [] {
    const auto d = std::filesystem::temp_directory_path() / "huitong-fuzz-mapping-base";
    std::filesystem::create_directories(d);
    return d.string();
  }();
  return dir;
}
#endif

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const huitong::FixedClock clock(kNow);
#ifdef HUITONG_FUZZ_RUN_MESSAGE
  const auto& mapping = mappingUnderTest();
  huitong::mapping::RunOptions options;
  options.receivedAt = "2026-11-27T09:30:01+08:00";
  auto plain = mapping.run(bytes, clock, options);
  options.trace = true;
  auto traced = mapping.run(bytes, clock, options);
  if (plain.ok() != traced.ok()) {
    __builtin_trap();
  }
  if (plain.ok()) {
    const auto& p = plain.value();
    const auto& t = traced.value();
    if (p.events.size() != t.events.size() || p.rejected.size() != t.rejected.size()) {
      __builtin_trap();
    }
    for (std::size_t i = 0; i < p.events.size(); ++i) {
      if (p.events[i].event != t.events[i].event) {
        __builtin_trap();
      }
    }
    rapidjson::Document out;
    for (const auto& e : t.rejected) {
      for (const auto& r : e.rejections) {
        (void)huitong::mapping::rejectionToJson(r, out.GetAllocator());
      }
      (void)huitong::mapping::traceToJson(e.trace, out.GetAllocator());
    }
  }
#else
  auto compiled = huitong::mapping::Mapping::compile(bytes, "fuzz/mapping.json", emptyBaseDir());
  if (compiled.ok()) {
    (void)compiled.value()->runEmbeddedTests(clock);
  }
#endif
  return 0;
}
