#include <algorithm>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "gateway/formats/Decode.h"
#include "tests/formats/SharedData.h"

namespace fs = std::filesystem;
using huitong::formats::CsvOptions;
using huitong::formats::decodeCsv;
using huitong::formats::test::haveShared;
using huitong::formats::test::readFile;
using huitong::formats::test::sharedDir;
using huitong::json::write;

namespace {

// The social-assistance export: GB18030, header, trailer 合计,<n>.
CsvOptions nightlyOptions() {
  CsvOptions o;
  o.charset = "GB18030";
  o.trailer.required = true;
  o.trailer.label = "合计";
  o.trailer.countColumn = 2;
  return o;
}

CsvOptions trailerUtf8() {
  CsvOptions o = nightlyOptions();
  o.charset = "";
  return o;
}

std::string rows(std::string_view csv, const CsvOptions& o = CsvOptions{}) {
  auto r = decodeCsv(csv, o);
  if (!r) {
    return "error " + r.error().code + " at " + r.error().path + ": " + r.error().message;
  }
  return write(r.value().rows);
}

std::string code(std::string_view csv, const CsvOptions& o = CsvOptions{}) {
  auto r = decodeCsv(csv, o);
  return r ? std::string("ok") : r.error().code;
}

std::string at(std::string_view csv, const CsvOptions& o = CsvOptions{}) {
  auto r = decodeCsv(csv, o);
  return r ? std::string("ok") : r.error().path;
}

std::string field(const rapidjson::Value& row, const char* key) {
  return std::string(row[key].GetString(), row[key].GetStringLength());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(csv_decoder)

BOOST_AUTO_TEST_CASE(rfc4180_fields) {
  BOOST_TEST(rows("a,b\r\n1,2\r\n") == R"([{"a":"1","b":"2"}])");
  BOOST_TEST(rows("a,b\n1,2") == R"([{"a":"1","b":"2"}])");  // LF, no final line break
  BOOST_TEST(rows("a,b\n,\n") == R"([{"a":"","b":""}])");
  BOOST_TEST(rows("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n") == R"([{"a":"x,y","b":"say \"hi\""}])");
  BOOST_TEST(rows("a,b\n\"\"\"\",\"\"\n") == R"([{"a":"\"","b":""}])");
  BOOST_TEST(rows("a,b\n\"line1\r\nline2\",2\n") == R"([{"a":"line1\r\nline2","b":"2"}])");
  BOOST_TEST(rows("\xEF\xBB\xBF"
                  "a\n1\n") == R"([{"a":"1"}])");                      // BOM
  BOOST_TEST(rows("a,b\n 1 , 2 \n") == R"([{"a":" 1 ","b":" 2 "}])");  // not trimmed
  BOOST_TEST(rows("a,b\n1,2\n\n3,4\n\n") == R"([{"a":"1","b":"2"},{"a":"3","b":"4"}])");
  CsvOptions semi;
  semi.delimiter = ';';
  BOOST_TEST(rows("a;b\n1,5;2\n", semi) == R"([{"a":"1,5","b":"2"}])");
  CsvOptions bare;
  bare.header = false;
  BOOST_TEST(rows("x,y\n1,2\n", bare) == R"([{"1":"x","2":"y"},{"1":"1","2":"2"}])");
}

BOOST_AUTO_TEST_CASE(lines_are_physical) {
  auto r = decodeCsv("a,b\r\n1,\"two\r\nlines\"\r\n\r\n3,4\r\n\"5\n\n\",6\n7,8", CsvOptions{});
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value().lines == (std::vector<std::size_t>{2, 5, 6, 9}),
             boost::test_tools::per_element());
  BOOST_TEST(r.value().rows.Size() == 4u);
}

BOOST_AUTO_TEST_CASE(malformed_files_name_the_line) {
  BOOST_TEST(code("a,b\n1,2\n3\n") == "csv.columns");
  BOOST_TEST(at("a,b\n1,2\n3\n") == "line 3");
  BOOST_TEST(at("a,b\n\"1\n\",2\n3,4,5\n") == "line 4");
  BOOST_TEST(code("a,b\n1,\"2\n3,4\n") == "csv.syntax");  // unterminated quote
  BOOST_TEST(at("a,b\n1,2\n3,\"4\n5,6\n") == "line 3");   // where the quote opened
  BOOST_TEST(code("a,b\n1,\"2\"x\n") == "csv.syntax");
  BOOST_TEST(code("a,b\n1,2\"\n") == "csv.syntax");
  BOOST_TEST(code("a,b,a\n1,2,3\n") == "csv.header");
  BOOST_TEST(at("a,b,a\n1,2,3\n") == "line 1");
}

BOOST_AUTO_TEST_CASE(trailer_is_checked) {
  BOOST_TEST(rows("a,b\n1,2\n3,4\n合计,2\n", trailerUtf8()) ==
             R"([{"a":"1","b":"2"},{"a":"3","b":"4"}])");
  BOOST_TEST(rows("a,b\r\n合计,0\r\n", trailerUtf8()) == "[]");
  BOOST_TEST(code("a,b\n1,2\n3,4\n合计,3\n", trailerUtf8()) == "csv.trailer");  // truncated
  BOOST_TEST(at("a,b\n1,2\n3,4\n合计,3\n", trailerUtf8()) == "line 4");
  BOOST_TEST(code("a,b\n1,2\n3,4\n", trailerUtf8()) == "csv.trailer");          // no trailer
  BOOST_TEST(code("a,b\n1,2\n合计,1\n3,4\n", trailerUtf8()) == "csv.trailer");  // not last
  BOOST_TEST(code("a,b\n1,2\n合计,x\n", trailerUtf8()) == "csv.trailer");
  BOOST_TEST(code("a,b\n1,2\n合计\n", trailerUtf8()) == "csv.trailer");
  BOOST_TEST(code("a,b\n1,2\n合计,-1\n", trailerUtf8()) == "csv.trailer");
  BOOST_TEST(code("", trailerUtf8()) == "csv.trailer");
  BOOST_TEST(code("a,b\r\n", trailerUtf8()) == "csv.trailer");
  // Without a required trailer: an empty file or a header alone is zero rows, and a trailer
  // that is present is still checked.
  BOOST_TEST(rows("") == "[]");
  BOOST_TEST(rows("a,b\r\n") == "[]");
  CsvOptions optional = trailerUtf8();
  optional.trailer.required = false;
  BOOST_TEST(rows("a,b\n1,2\n", optional) == R"([{"a":"1","b":"2"}])");
  BOOST_TEST(code("a,b\n1,2\n合计,2\n", optional) == "csv.trailer");
}

BOOST_AUTO_TEST_CASE(limits) {
  CsvOptions o;
  o.maxBytes = 8;
  BOOST_TEST(code("a,b\n1,2\n3,4\n", o) == "csv.too_large");
  o = CsvOptions{};
  o.maxRows = 2;
  BOOST_TEST(code("a\n1\n2\n", o) == "ok");
  BOOST_TEST(code("a\n1\n2\n3\n", o) == "csv.too_large");
  BOOST_TEST(at("a\n1\n2\n3\n", o) == "line 4");
}

BOOST_AUTO_TEST_CASE(charsets) {
  CsvOptions o = nightlyOptions();
  // 姓名 / 刘䶮 in GB18030, with a GB18030-only 4-byte character.
  const std::string gb =
      "\xD0\xD5\xC3\xFB\r\n\xC1\xF5\xFE\x9F\x95\x32\x82\x36\r\n\xBA\xCF\xBC\xC6,1\r\n";
  BOOST_TEST(rows(gb, o) == R"([{"姓名":"刘䶮𠀀"}])");
  // A byte that is no GB18030 on line 2.
  const std::string bad = "\xD0\xD5\xC3\xFB\r\n\xC1\xF5\xFF\r\n\xBA\xCF\xBC\xC6,1\r\n";
  auto r = decodeCsv(bad, o);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "charset.undecodable");
  BOOST_TEST(r.error().path == "line 2, byte offset 8");
  r = decodeCsv("a\n\xFF\n", CsvOptions{});  // not UTF-8
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "charset.undecodable");
  BOOST_TEST(r.error().path == "line 2, byte offset 2");
  o.charset = "no-such-charset";
  BOOST_TEST(code(gb, o) == "charset.unknown");
}

BOOST_AUTO_TEST_CASE(social_assistance_samples, *boost::unit_test::precondition(haveShared)) {
  const fs::path dir = sharedDir() / "departments" / "social-assistance" / "samples";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".csv") {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  BOOST_TEST(files.size() >= 11u);
  for (const auto& f : files) {
    BOOST_TEST_CONTEXT(f.filename().string()) {
      auto r = decodeCsv(readFile(f), nightlyOptions());
      BOOST_REQUIRE_MESSAGE(r.ok(), (r ? "" : r.error().describe()));
      const auto& doc = r.value();
      BOOST_TEST(doc.rows.Size() == doc.lines.size());
      for (const auto& row : doc.rows.GetArray()) {
        BOOST_TEST(row.MemberCount() == 14u);
        BOOST_TEST(row.HasMember("办件号"));
        BOOST_TEST(row.HasMember("证照编号"));
      }
    }
  }
  auto d16 = decodeCsv(readFile(dir / "DB_20261116.csv"), nightlyOptions());
  BOOST_REQUIRE(d16.ok());
  BOOST_TEST(d16.value().rows.Size() == 2u);
  BOOST_TEST(field(d16.value().rows[1], "申请人姓名") == "刘䶮");
  BOOST_TEST(field(d16.value().rows[0], "环节时间") == "2026/11/16 9:05");
  BOOST_TEST(d16.value().lines == (std::vector<std::size_t>{2, 3}),
             boost::test_tools::per_element());

  auto d17 = decodeCsv(readFile(dir / "DB_20261117.csv"), nightlyOptions());
  BOOST_REQUIRE(d17.ok());
  BOOST_TEST(field(d17.value().rows[1], "意见") ==
             "申请人家庭拥有机动车辆2辆,且家庭人均月收入高于本市低保标准,不符合申请条件");
  auto d18 = decodeCsv(readFile(dir / "DB_20261118.csv"), nightlyOptions());
  BOOST_REQUIRE(d18.ok());
  BOOST_TEST(field(d18.value().rows[1], "意见") == "申请人称\"已与配偶离婚\",但未提供离婚证明材料");
  BOOST_TEST(field(d18.value().rows[1], "补正期限") == "2026/12/2");
  auto d26 = decodeCsv(readFile(dir / "DB_20261126.csv"), nightlyOptions());
  BOOST_REQUIRE(d26.ok());
  BOOST_TEST(d26.value().rows.Size() == 0u);

  // Truncated: the trailer line cut off, or the last data row lost.
  std::string file = readFile(dir / "DB_20261116.csv");
  const std::size_t trailer = file.rfind("\r\n", file.size() - 3) + 2;
  auto r = decodeCsv(file.substr(0, trailer), nightlyOptions());
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "csv.trailer");
  const std::size_t lastRow = file.rfind("\r\n", trailer - 3) + 2;
  r = decodeCsv(file.substr(0, lastRow) + file.substr(trailer), nightlyOptions());
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "csv.trailer");
  BOOST_TEST(r.error().path == "line 3");
  // A bad byte in the second data row.
  std::string broken = file;
  broken[lastRow + 3] = '\xFF';
  r = decodeCsv(broken, nightlyOptions());
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "charset.undecodable");
  BOOST_TEST(r.error().path.rfind("line 3, byte offset ", 0) == 0u);
}

// Not a timed test (benchmarks live in tests/bench): decodes a 100,000-row nightly file and
// prints how long it took, so a regression is visible in the log.
BOOST_AUTO_TEST_CASE(large_nightly_file) {
  const std::string header =
      "\xB0\xEC\xBC\xFE\xBA\xC5,\xD0\xD5\xC3\xFB,\xD2\xE2\xBC\xFB\r\n";  // 办件号,姓名,意见
  std::string file = header;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    file += "ZSDB-2026-" + std::to_string(i) +
            ",\xC1\xF5\xFE\x9F,\"\xB2\xC4\xC1\xCF\xC6\xEB\xC8\xAB,\"\"\xD3\xE8\xD2\xD4\"\"\"\r\n";
  }
  file += "\xBA\xCF\xBC\xC6," + std::to_string(n) + "\r\n";
  const auto start = std::chrono::steady_clock::now();
  auto r = decodeCsv(file, nightlyOptions());
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  BOOST_REQUIRE_MESSAGE(r.ok(), (r ? "" : r.error().describe()));
  BOOST_TEST(r.value().rows.Size() == static_cast<unsigned>(n));
  BOOST_TEST(field(r.value().rows[n - 1], "姓名") == "刘䶮");
  BOOST_TEST(field(r.value().rows[n - 1], "意见") == "材料齐全,\"予以\"");
  BOOST_TEST(r.value().lines.back() == static_cast<std::size_t>(n + 1));
  std::cout << "CSV: " << n << " GB18030 rows (" << file.size() / 1024 << " KiB) decoded in " << ms
            << " ms\n";
}

BOOST_AUTO_TEST_SUITE_END()
