// Check characters (GB 32100-2015, GB 11643-1999), the mobile rule and the format matchers.
#include <boost/test/unit_test.hpp>

#include "gateway/validation/Validator.h"

namespace hv = huitong::validation;

BOOST_AUTO_TEST_SUITE(check_characters)

BOOST_AUTO_TEST_CASE(uscc) {
  // From the department samples, and two widely published codes.
  for (const char* ok :
       {"124420004558631795", "124420004558640242", "114420000070136210", "12442000MB2C09173L",
        "91442000MA4W8C2K62", "91350100M000100Y43", "91110000600037341L"}) {
    BOOST_TEST(hv::isValidUscc(ok), ok);
  }
  for (const char* bad : {"124420004558631796",   // check character off by one
                          "12442000MB2C09173l",   // lower case
                          "12442000455863179",    // 17 characters
                          "1244200045586317950",  // 19
                          "12442000455863I795",   // I is not in the alphabet
                          "12442000455863O795", "12442000455863S795", "12442000455863Z795", ""}) {
    BOOST_TEST(!hv::isValidUscc(bad), bad);
  }
}

BOOST_AUTO_TEST_CASE(resident_id) {
  for (const char* ok : {"442000199304120314", "44200019831211098X", "44200019440229098X",
                         "44200019880808018X", "442000196507220354"}) {
    BOOST_TEST(hv::isValidResidentId(ok), ok);
  }
  for (const char* bad : {"442000199012010153",   // marriage/samples/10: wrong check character
                          "44200019831211098x",   // lower-case x
                          "442000199302300012",   // right check character, 30 February
                          "44200020010229002X",   // right check character, 2001 is not a leap year
                          "44200019930412031",    // 17 characters
                          "4420001993041203140",  // 19
                          "44200019930412031A", "4420001993O4120314", ""}) {
    BOOST_TEST(!hv::isValidResidentId(bad), bad);
  }
}

BOOST_AUTO_TEST_CASE(mainland_mobile) {
  BOOST_TEST(hv::isMainlandMobile("13925380461"));
  BOOST_TEST(hv::isMainlandMobile("19900000000"));
  for (const char* bad : {"12925380461", "1392538046", "139253804612", "1392538046a",
                          "+8613925380461", "0760-8888123", "", "23925380461"}) {
    BOOST_TEST(!hv::isMainlandMobile(bad), bad);
  }
}

BOOST_AUTO_TEST_CASE(calendar_dates) {
  for (const char* ok : {"2024-02-29", "2000-02-29", "2026-12-31", "2026-01-01"}) {
    BOOST_TEST(hv::isCalendarDate(ok), ok);
  }
  for (const char* bad : {"2023-02-29", "2100-02-29", "2026-04-31", "2026-13-01", "2026-00-10",
                          "2026-01-00", "2026-4-01", "2026-04-01x", "2026/04/01", ""}) {
    BOOST_TEST(!hv::isCalendarDate(bad), bad);
  }
}

BOOST_AUTO_TEST_CASE(rfc3339) {
  for (const char* ok :
       {"2026-11-27T09:30:00+08:00", "2026-11-27T09:30:00.480+08:00", "2026-11-27T09:30:00.1Z",
        "2026-11-27T09:30:00.123456789-05:30", "2024-02-29T23:59:59+00:00"}) {
    BOOST_TEST(hv::isRfc3339DateTime(ok), ok);
  }
  for (const char* bad :
       {"2026-11-27T09:30:00", "2026-11-27t09:30:00Z", "2026-11-27T09:30:00z",
        "2026-11-27 09:30:00+08:00", "2026-11-27T09:30+08:00", "2026-11-27T09:30:60+08:00",
        "2026-11-27T24:00:00+08:00", "2026-11-27T09:60:00+08:00", "2026-11-27T09:30:00+24:00",
        "2026-11-27T09:30:00+08:60", "2026-11-27T09:30:00+0800", "2026-11-27T09:30:00.+08:00",
        "2026-11-27T09:30:00.1234567890+08:00", "2023-02-29T09:30:00+08:00",
        "2026-11-27T09:30:00+08:00 ", ""}) {
    BOOST_TEST(!hv::isRfc3339DateTime(bad), bad);
  }
  // 2026-11-27T01:30:00Z
  const huitong::EpochMillis t = 1795743000000;
  BOOST_TEST(*hv::parseRfc3339("2026-11-27T09:30:00+08:00") == t);
  BOOST_TEST(*hv::parseRfc3339("2026-11-27T01:30:00Z") == t);
  BOOST_TEST(*hv::parseRfc3339("2026-11-26T20:30:00-05:00") == t);
  BOOST_TEST(*hv::parseRfc3339("2026-11-27T09:30:00.480+08:00") == t + 480);
  BOOST_TEST(*hv::parseRfc3339("2026-11-27T09:30:00.4+08:00") == t + 400);
  BOOST_TEST(*hv::parseRfc3339("2026-11-27T09:30:00.123999+08:00") == t + 123);
  BOOST_TEST(*hv::parseRfc3339("1969-12-31T23:59:59Z") == -1000);
  BOOST_TEST(!hv::parseRfc3339("2026-02-30T00:00:00Z").has_value());
  for (const huitong::EpochMillis x : {t, t + 480, huitong::EpochMillis{0}}) {
    BOOST_TEST(*hv::parseRfc3339(huitong::formatRfc3339(x)) == x);
  }
}

BOOST_AUTO_TEST_CASE(yuan_amounts) {
  for (const char* ok : {"0.00", "12.50", "187.60", "999999999999.99", "1.05"}) {
    BOOST_TEST(hv::isYuanAmount(ok), ok);
  }
  for (const char* bad : {"12.5", "12", "012.50", "00.00", ".50", "12.500", "1234567890123.00",
                          "-1.00", "+1.00", "1,000.00", "1.0a", "12.50 ", ""}) {
    BOOST_TEST(!hv::isYuanAmount(bad), bad);
  }
}

BOOST_AUTO_TEST_CASE(code_points) {
  BOOST_TEST(hv::countCodePoints("") == 0u);
  BOOST_TEST(hv::countCodePoints("abc") == 3u);
  BOOST_TEST(hv::countCodePoints("中文a") == 3u);
  BOOST_TEST(hv::countCodePoints("𠀀é") == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
