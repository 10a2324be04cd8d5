// Access to the shared sample and corpus files (../shared next to the repository) for the
// formats tests; a test that needs them is skipped, with a message, when they are missing.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <boost/test/unit_test.hpp>

namespace huitong::formats::test {

inline std::filesystem::path sharedDir() {
  return std::filesystem::path(HUITONG_SOURCE_DIR) / ".." / "shared";
}

// Precondition decorator: *boost::unit_test::precondition(haveShared).
inline boost::test_tools::assertion_result haveShared(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result r(std::filesystem::is_directory(sharedDir()));
  if (!r) {
    r.message() << "skipped: " << sharedDir().string() << " is missing";
  }
  return r;
}

inline std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace huitong::formats::test
