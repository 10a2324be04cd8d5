#include <boost/test/unit_test.hpp>

#include "gateway/core/Clock.h"

BOOST_AUTO_TEST_SUITE(clock_format)

BOOST_AUTO_TEST_CASE(formats_rfc3339_at_an_offset) {
  // 2026-11-27T01:30:00Z
  const huitong::EpochMillis t = 1795743000000;
  BOOST_TEST(huitong::formatRfc3339(t) == "2026-11-27T09:30:00+08:00");
  BOOST_TEST(huitong::formatRfc3339(t, 0) == "2026-11-27T01:30:00+00:00");
  BOOST_TEST(huitong::formatRfc3339(t + 480, 480) == "2026-11-27T09:30:00.480+08:00");
  BOOST_TEST(huitong::formatRfc3339(-1000, 0) == "1969-12-31T23:59:59+00:00");
}

BOOST_AUTO_TEST_SUITE_END()
