#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/formats/Decode.h"

using huitong::formats::toUtf8;

BOOST_AUTO_TEST_SUITE(charset)

BOOST_AUTO_TEST_CASE(utf8_is_validated_and_bom_dropped) {
  auto r = toUtf8("\xEF\xBB\xBF刘䶮", "");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value() == "刘䶮");
  r = toUtf8("abc", "utf-8");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value() == "abc");
  BOOST_TEST(toUtf8(std::string("a\0b", 3), "UTF8").value().size() == 3u);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_names_the_byte_offset) {
  const char* bad[] = {
      "ab\xC3(",             // bad continuation
      "ab\xC0\xAF",          // overlong '/'
      "ab\xE0\x80\xAF",      // overlong 3-byte
      "ab\xED\xA0\x80",      // UTF-16 surrogate D800
      "ab\xF4\x90\x80\x80",  // above U+10FFFF
      "ab\xFF",              // never valid
      "ab\xE4\xB8",          // truncated
  };
  for (const char* s : bad) {
    auto r = toUtf8(s, "UTF-8");
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().code == "charset.undecodable");
    BOOST_TEST(r.error().path == "byte offset 2");
  }
  auto r = toUtf8(
      "\xEF\xBB\xBF"
      "a\xFF",
      "");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().path == "byte offset 4");  // offsets count the BOM
}

BOOST_AUTO_TEST_CASE(gb18030_two_and_four_byte_sequences) {
  // 刘 C1F5; 䶮 (U+4DAE) FE9F, mapped to its standard code point since GB18030-2005/2022
  // in glibc; 䶵 (U+4DB5) 82358738 and 𠀀 (U+20000) 95328236 exist only as 4-byte codes.
  auto r = toUtf8(
      "\xC1\xF5\xFE\x9F\x82\x35\x87\x38\x95\x32\x82\x36"
      "A",
      "GB18030");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value() == "刘䶮䶵𠀀A");
  r = toUtf8("\xD6\xD0\xCE\xC4", "gbk");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value() == "中文");
  r = toUtf8("\xD6\xD0", " gb2312 ");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value() == "中");
  // GB18030's own byte-order mark (U+FEFF) is dropped too.
  r = toUtf8("\x84\x31\x95\x33\xD6\xD0", "GB18030");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value() == "中");
}

BOOST_AUTO_TEST_CASE(gb18030_bad_bytes_name_the_offset) {
  auto r = toUtf8("\xD6\xD0\xFF\xD6\xD0", "GB18030");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "charset.undecodable");
  BOOST_TEST(r.error().path == "byte offset 2");
  r = toUtf8("\xD6\xD0\x81", "GB18030");  // truncated at the end
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "charset.undecodable");
  BOOST_TEST(r.error().path == "byte offset 2");
  r = toUtf8("ab\x81\x30\x81", "GB18030");  // 4-byte sequence cut short
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().path == "byte offset 2");
}

BOOST_AUTO_TEST_CASE(other_charsets) {
  auto r = toUtf8("\xE9t\xE9", "ISO-8859-1");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value() == "été");
  r = toUtf8(std::string("\xFF\xFE\x2D\x4E", 4), "UTF-16");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value() == "中");
  r = toUtf8(std::string("\x2D\x4E", 2), "UTF-16LE");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value() == "中");
  r = toUtf8(std::string("\x4E\x2D", 2), "utf-16be");
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value() == "中");
  r = toUtf8(std::string("\x00\xD8\x41\x00", 4), "UTF-16LE");  // lone surrogate
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "charset.undecodable");
  BOOST_TEST(toUtf8("", "GB18030").value().empty());
}

BOOST_AUTO_TEST_CASE(unknown_charsets) {
  for (const char* cs : {"klingon", "GB18030//IGNORE", "UTF-8//TRANSLIT", "GBK/"}) {
    auto r = toUtf8("abc", cs);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().code == "charset.unknown");
  }
  auto r = toUtf8("abc", std::string_view("GBK\0X", 5));
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "charset.unknown");
}

BOOST_AUTO_TEST_CASE(concurrent_conversions_agree) {
  std::string gb;
  for (int i = 0; i < 2000; ++i) {
    gb += "\xC1\xF5\xFE\x9F\x95\x32\x82\x36,";
  }
  std::string expected;
  for (int i = 0; i < 2000; ++i) {
    expected += "刘䶮𠀀,";
  }
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 50; ++k) {
        auto r = toUtf8(gb, t % 2 == 0 ? "GB18030" : "gb18030");
        if (!r.ok() || r.value() != expected) {
          ++failures[t];
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  for (int f : failures) {
    BOOST_TEST(f == 0);
  }
}

BOOST_AUTO_TEST_SUITE_END()
