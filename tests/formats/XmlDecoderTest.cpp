#include <algorithm>
#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "gateway/formats/Decode.h"
#include "tests/formats/SharedData.h"

namespace fs = std::filesystem;
using huitong::formats::decodeXml;
using huitong::formats::XmlOptions;
using huitong::formats::test::haveShared;
using huitong::formats::test::readFile;
using huitong::formats::test::sharedDir;
using huitong::json::write;

namespace {

const char* const kExchange = "http://ylbt.zs.gov.cn/exchange";
const char* const kSoap = "http://schemas.xmlsoap.org/soap/envelope/";

XmlOptions soapOptions() {
  XmlOptions o;
  o.namespaces = {{"", kExchange}, {"soap", kSoap}};
  return o;
}

std::string decoded(std::string_view xml, const XmlOptions& o = XmlOptions{}) {
  auto r = decodeXml(xml, o);
  if (!r) {
    return "error " + r.error().code + " at " + r.error().path + ": " + r.error().message;
  }
  return write(r.value());
}

std::string errorCode(std::string_view xml, const XmlOptions& o = XmlOptions{}) {
  auto r = decodeXml(xml, o);
  return r ? std::string("ok") : r.error().code;
}

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(xml_decoder)

BOOST_AUTO_TEST_CASE(tree_shape) {
  BOOST_TEST(decoded("<a/>") == R"({"a":""})");
  BOOST_TEST(decoded("<a>  x  </a>") == R"({"a":"  x  "})");  // a leaf's text is not trimmed
  BOOST_TEST(decoded("<a>\n  <b>1</b>\n  <c/>\n</a>") == R"({"a":{"b":"1","c":""}})");
  BOOST_TEST(decoded("<a><b>1</b><c>2</c><b>3</b></a>") == R"({"a":{"b":["1","3"],"c":"2"}})");
  BOOST_TEST(decoded(R"(<a id="7" xml:lang="zh"><b k='v'>t</b></a>)") ==
             R"({"a":{"@id":"7","@{http://www.w3.org/XML/1998/namespace}lang":"zh",)"
             R"("b":{"@k":"v","#text":"t"}}})");
  BOOST_TEST(decoded("<a>one<b/>two</a>") == R"({"a":{"b":"","#text":"onetwo"}})");
  BOOST_TEST(decoded("<a>\n <b/> \n <c/> x </a>") == R"({"a":{"b":"","c":"","#text":" x "}})");
  BOOST_TEST(decoded("<a x='1'>  </a>") == R"({"a":{"@x":"1"}})");
  BOOST_TEST(decoded("<a><![CDATA[<&>]]>&lt;&#x4E2D;</a>") == R"({"a":"<&><中"})");
  BOOST_TEST(decoded("<a><b><c>1</c></b><b><c>2</c></b></a>") ==
             R"({"a":{"b":[{"c":"1"},{"c":"2"}]}})");
  XmlOptions o;
  o.arrays = {"b", "c"};
  BOOST_TEST(decoded("<a><b>1</b><c/><c/></a>", o) == R"({"a":{"b":["1"],"c":["",""]}})");
}

BOOST_AUTO_TEST_CASE(namespaces_are_read_by_uri_not_prefix) {
  const std::string doc = R"(<x:r xmlns:x="urn:a" xmlns="urn:b" xmlns:y="urn:c" y:at="1">)"
                          R"(<e/><x:f/><n xmlns=""/></x:r>)";
  BOOST_TEST(decoded(doc) ==
             R"({"{urn:a}r":{"@{urn:c}at":"1","{urn:b}e":"","{urn:a}f":"","n":""}})");
  XmlOptions o;
  o.namespaces = {{"", "urn:b"}, {"p", "urn:a"}, {"q", "urn:c"}};
  BOOST_TEST(decoded(doc, o) == R"({"p:r":{"@q:at":"1","e":"","p:f":"","n":""}})");
}

BOOST_AUTO_TEST_CASE(refuses_doctype_and_entities) {
  BOOST_TEST(errorCode("<!DOCTYPE a><a/>") == "xml.doctype");
  BOOST_TEST(errorCode(R"(<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>)") == "xml.doctype");
  BOOST_TEST(errorCode(R"(<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>)") == "xml.doctype");
  BOOST_TEST(errorCode("<a>&e;</a>") == "xml.syntax");  // undeclared entity
  auto r = decodeXml("<?xml version='1.0'?>\n\n  <!DOCTYPE a><a/>", XmlOptions{});
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().path.rfind("line 3, column ", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(syntax_errors_carry_line_and_column) {
  auto r = decodeXml("<a>\n  <b></a>", XmlOptions{});
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "xml.syntax");
  BOOST_TEST(r.error().path.rfind("line 2, column ", 0) == 0u);
  BOOST_TEST(errorCode("") == "xml.syntax");
  BOOST_TEST(errorCode("<a>\xFF</a>") == "xml.syntax");  // not UTF-8
  BOOST_TEST(errorCode("<a/><b/>") == "xml.syntax");
  BOOST_TEST(errorCode("<p:a/>") == "xml.syntax");  // unbound prefix
}

BOOST_AUTO_TEST_CASE(depth_and_size_are_bounded) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) {
    deep += "<a>";
  }
  for (int i = 0; i < 100000; ++i) {
    deep += "</a>";
  }
  auto start = std::chrono::steady_clock::now();
  auto r = decodeXml(deep, XmlOptions{});
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "xml.too_deep");
  BOOST_TEST(r.error().path == "line 1, column 193");  // the 65th <a>
  XmlOptions big;
  big.maxBytes = 64 * 1024 * 1024;
  std::string deeper(3 * 1000000, 'x');
  for (std::size_t i = 0; i < deeper.size(); i += 3) {
    deeper.replace(i, 3, "<a>");
  }
  BOOST_TEST(errorCode(deeper, big) == "xml.too_deep");  // unclosed, but refused on depth first
  const bool fast = std::chrono::steady_clock::now() - start < std::chrono::seconds(8);
  BOOST_TEST(fast);

  XmlOptions o;
  o.maxDepth = 2;
  BOOST_TEST(errorCode("<a><b/></a>", o) == "ok");
  BOOST_TEST(errorCode("<a><b><c/></b></a>", o) == "xml.too_deep");
  o.maxBytes = 10;
  BOOST_TEST(errorCode("<a>0123456789</a>", o) == "xml.too_large");
  // More than one chunk of input (the parser is fed 1 MiB at a time).
  std::string wide = "<r>";
  for (int i = 0; i < 300000; ++i) {
    wide += "<v>x</v>";
  }
  wide += "</r>";
  // As many differently named siblings as fit in the limit: no quadratic lookup.
  std::string distinct = "<r>";
  for (int i = 0; distinct.size() < 1000000 - 20; ++i) {
    distinct += "<a" + std::to_string(i) + "/>";
  }
  distinct += "<a7>x</a7></r>";
  start = std::chrono::steady_clock::now();
  r = decodeXml(distinct, XmlOptions{});
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value()["r"]["a7"].Size() == 2u);
  // Generous bound: it only has to tell linear (~0.4 s) from quadratic (~21 s) on a loaded machine.
  const bool linear = std::chrono::steady_clock::now() - start < std::chrono::seconds(8);
  BOOST_TEST(linear);
  big.arrays = {"v"};
  r = decodeXml(wide, big);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value()["r"]["v"].Size() == 300000u);
}

BOOST_AUTO_TEST_CASE(declared_encodings) {
  // GB18030 and GBK are transcoded first; expat only knows UTF-8/16, Latin-1 and ASCII.
  BOOST_TEST(decoded("<?xml version=\"1.0\" encoding=\"GB18030\"?>\r\n"
                     "<a n=\"\xC1\xF5\">\xC1\xF5\xFE\x9F\x95\x32\x82\x36</a>") ==
             R"({"a":{"@n":"刘","#text":"刘䶮𠀀"}})");
  BOOST_TEST(decoded("<?xml version='1.0' encoding = 'gbk' ?><a>\xD6\xD0</a>") == R"({"a":"中"})");
  BOOST_TEST(decoded("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xE9</a>") ==
             R"({"a":"é"})");
  BOOST_TEST(decoded(std::string("\xFF\xFE<\0a\0/\0>\0", 10)) == R"({"a":""})");
  BOOST_TEST(decoded("\xEF\xBB\xBF<a>\xE4\xB8\xAD</a>") == R"({"a":"中"})");
  // The option overrides the declaration.
  XmlOptions o;
  o.charset = "GB18030";
  BOOST_TEST(decoded("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>\xD6\xD0</a>", o) ==
             R"({"a":"中"})");
  o.charset = "ISO-8859-1";
  BOOST_TEST(decoded("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>\xE9</a>", o) == R"({"a":"é"})");
  // Bytes that are not GB18030; an encoding nobody knows.
  auto r = decodeXml("<?xml version=\"1.0\" encoding=\"GB18030\"?><a>\xFF</a>", XmlOptions{});
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == "charset.undecodable");
  BOOST_TEST(r.error().path == "byte offset 43");
  BOOST_TEST(errorCode("<?xml version=\"1.0\" encoding=\"x-klingon\"?><a/>") == "charset.unknown");
}

BOOST_AUTO_TEST_CASE(elderly_subsidy_samples, *boost::unit_test::precondition(haveShared)) {
  const fs::path dir = sharedDir() / "departments" / "elderly-subsidy" / "samples";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".xml") {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  BOOST_TEST(files.size() >= 12u);
  for (const auto& f : files) {
    BOOST_TEST_CONTEXT(f.filename().string()) {
      auto r = decodeXml(readFile(f), soapOptions());
      BOOST_REQUIRE_MESSAGE(r.ok(), (r ? "" : r.error().describe()));
      const auto& env = r.value()["soap:Envelope"];
      BOOST_REQUIRE(env.IsObject());
      const auto& stage = env["soap:Body"]["PushCaseStage"]["CaseStage"];
      BOOST_REQUIRE(stage.IsObject());
      BOOST_TEST(stage.HasMember("HJDM"));
      BOOST_TEST(stage["HJDM"].IsString());
      BOOST_TEST(stage["VERSION"].IsString());
    }
  }
  auto first = decodeXml(readFile(dir / "01-submit.xml"), soapOptions());
  BOOST_REQUIRE(first.ok());
  const auto& stage = first.value()["soap:Envelope"]["soap:Body"]["PushCaseStage"]["CaseStage"];
  BOOST_TEST(std::string(stage["SQRXM"].GetString()) == "苏桂芳");
  BOOST_TEST(std::string(stage["SPYJ"].GetString()).empty());
  BOOST_TEST(std::string(stage["CLQD"].GetString()) ==
             "居民身份证；户口簿；长者能力评估报告；社会保障卡（银行账户）信息");
  BOOST_TEST(std::string(first.value()["soap:Envelope"]["soap:Header"].GetString()).empty());
}

BOOST_AUTO_TEST_CASE(both_soap_stacks_give_the_same_tree,
                     *boost::unit_test::precondition(haveShared)) {
  const fs::path dir = sharedDir() / "departments" / "elderly-subsidy" / "samples";
  // 02-accept.xml comes from the JAX-WS RI stack (S:, ns2:, one line); rewritten the way
  // CXF writes it (soapenv:, default namespace, pretty-printed) it must read the same.
  const std::string jaxws = readFile(dir / "02-accept.xml");
  BOOST_REQUIRE(jaxws.find("ns2:CaseStage") != std::string::npos);
  std::string cxf = jaxws;
  replaceAll(cxf, "xmlns:ns2=", "xmlns=");
  replaceAll(cxf, "ns2:", "");
  replaceAll(cxf, "S:", "soapenv:");
  replaceAll(cxf, "xmlns:S=", "xmlns:soapenv=");
  replaceAll(cxf, "><", ">\n    <");
  BOOST_REQUIRE(cxf != jaxws);
  auto a = decodeXml(jaxws, soapOptions());
  auto b = decodeXml(cxf, soapOptions());
  BOOST_REQUIRE(a.ok());
  BOOST_REQUIRE(b.ok());
  BOOST_TEST(write(a.value()) == write(b.value()));
  BOOST_TEST(
      std::string(a.value()["soap:Envelope"]["soap:Body"]["PushCaseStage"]["CaseStage"]["SLZTDM"]
                      .GetString()) == "1");
  // Without a mapping, the document's own prefixes still do not show: Clark notation.
  auto c = decodeXml(jaxws, XmlOptions{});
  BOOST_REQUIRE(c.ok());
  const std::string clark = std::string("{") + kSoap + "}Envelope";
  BOOST_TEST(c.value().HasMember(clark.c_str()));
  // Both samples of the two stacks (CXF 01 and JAX-WS 02) have the same envelope shape.
  auto d = decodeXml(readFile(dir / "01-submit.xml"), soapOptions());
  BOOST_REQUIRE(d.ok());
  BOOST_TEST(
      write(d.value()["soap:Envelope"]["soap:Body"]["PushCaseStage"]["CaseStage"]["SBLSH"]) ==
      write(a.value()["soap:Envelope"]["soap:Body"]["PushCaseStage"]["CaseStage"]["SBLSH"]));
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// Decodes one attack document and reports its code; every one must finish in bounded time.
std::string attack(const std::string& name, std::string_view bytes) {
  const auto start = std::chrono::steady_clock::now();
  auto r = decodeXml(bytes, XmlOptions{});
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  BOOST_TEST(ms < 5000,
             name << " took " << ms << " ms");  // bounded, with room for sanitizer builds
  return r ? std::string("ok") : r.error().code;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(xml_attacks)

// Every file of the corpus, whatever its kind (XML, DTD, external entity, licence text): never
// a crash, under a second. XML documents with a DOCTYPE (billion laughs, quadratic blow-up,
// XXE, parameter entities, remote DTDs) are refused as such; the others (XInclude) parse, their
// xi:include elements being plain elements that nothing follows.
BOOST_AUTO_TEST_CASE(files, *boost::unit_test::precondition(haveShared)) {
  const fs::path dir = sharedDir() / "testdata" / "xml-attacks";
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  int xml = 0, refused = 0, parsed = 0;
  for (const auto& f : files) {
    const std::string bytes = readFile(f);
    const std::string name = fs::relative(f, dir).string();
    const std::string code = attack(name, bytes);
    if (f.extension() != ".xml") {
      continue;
    }
    ++xml;
    if (bytes.find("<!DOCTYPE") != std::string::npos) {
      ++refused;
      BOOST_TEST(code == "xml.doctype", name);
    } else {
      ++parsed;
      BOOST_TEST(code == "ok", name);
    }
  }
  std::cout << "xml-attacks: " << files.size() << " files, " << xml << " XML documents: " << refused
            << " refused (xml.doctype), " << parsed << " parsed\n";
  BOOST_TEST(refused >= 25);

  for (const char* simple : {"defusedxml/simple.xml", "defusedxml/simple-ns.xml"}) {
    auto r = decodeXml(readFile(dir / simple), XmlOptions{});
    BOOST_REQUIRE_MESSAGE(r.ok(), simple);
  }
  auto r = decodeXml(readFile(dir / "defusedxml/simple.xml"), XmlOptions{});
  BOOST_TEST(write(r.value()) ==
             R"({"root":{"element":[{"@key":"value","#text":"text"},"text"],"empty-element":"",)"
             R"("#text":"tail\n   "}})");
  XmlOptions ns;
  ns.namespaces = {{"", "namespace"}};
  r = decodeXml(readFile(dir / "defusedxml/simple-ns.xml"), ns);
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value()["root"]["element"].Size() == 2u);
  r = decodeXml(readFile(dir / "libxml2/XInclude/docs/include.xml"), XmlOptions{});
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value()["x"].HasMember("{http://www.w3.org/2001/XInclude}include"));
}

// One payload per line. A line that is a DOCTYPE (after an optional XML declaration) is
// refused as one; any other line that declares or uses entities is refused too.
BOOST_AUTO_TEST_CASE(payload_lists, *boost::unit_test::precondition(haveShared)) {
  const fs::path dir = sharedDir() / "testdata" / "xml-attacks" / "payloadsallthethings";
  int lines = 0, doctype = 0;
  for (const char* list : {"XXE_Fuzzing.txt", "xml-attacks.txt"}) {
    std::istringstream in(readFile(dir / list));
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      ++lines;
      const std::string name = std::string(list) + ":" + std::to_string(n);
      const std::string code = attack(name, line);
      std::string_view rest = line;
      if (rest.substr(0, 5) == "<?xml" && rest.find("?>") != std::string_view::npos) {
        rest.remove_prefix(rest.find("?>") + 2);
      }
      while (!rest.empty() && rest.front() == ' ') {
        rest.remove_prefix(1);
      }
      if (rest.substr(0, 9) == "<!DOCTYPE") {
        ++doctype;
        BOOST_TEST(code == "xml.doctype", name);
      } else if (line.find("<!DOCTYPE") != std::string::npos ||
                 line.find("<!ENTITY") != std::string::npos ||
                 line.find("&foo;") != std::string::npos ||
                 line.find("&systemEntity;") != std::string::npos) {
        BOOST_TEST(code != "ok", name);
      }
    }
  }
  std::cout << "xml-attacks payload lists: " << lines << " lines, " << doctype
            << " DOCTYPE payloads refused as xml.doctype\n";
  BOOST_TEST(doctype >= 40);

  // The out-of-band XXE file: a title line, the document, then the remote DTD's text.
  const std::string oob = readFile(dir / "xxe-oob-yunusov-2013.txt");
  const std::size_t begin = oob.find("<?xml");
  const std::size_t end = oob.find("</data>");
  BOOST_REQUIRE(begin != std::string::npos && end != std::string::npos);
  BOOST_TEST(attack("xxe-oob", std::string_view(oob).substr(begin, end + 7 - begin)) ==
             "xml.doctype");
}

BOOST_AUTO_TEST_SUITE_END()
