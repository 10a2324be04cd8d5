// http_json, http_xml and soap11 on their own: media types, charsets, answers, refusals.
#include <boost/test/unit_test.hpp>

#include "adapters/register_adapters.h"
#include "tests/adapters/FakeHost.h"

using namespace huitong;

namespace {

struct Made {
  test::FakeHost host;
  rapidjson::Document config;
  std::unique_ptr<adapter::Adapter> adapter;
};

std::unique_ptr<Made> make(const std::string& kind, const std::string& format,
                           const char* config = R"({})") {
  adapter::AdapterRegistry registry;
  BOOST_REQUIRE(adapters::registerBuiltinAdapters(registry).ok());
  auto m = std::make_unique<Made>();
  m->config = test::parseJson(config);
  auto made = registry.find(kind)->create(
      adapter::AdapterSpec{"dept", format, test::configOf(m->config), &m->host});
  if (!made.ok())
    BOOST_FAIL(made.error().describe());
  m->adapter = std::move(made).value();
  return m;
}

Result<std::unique_ptr<adapter::Adapter>> tryMake(const std::string& kind,
                                                  const std::string& format, const char* config) {
  adapter::AdapterRegistry registry;
  if (!adapters::registerBuiltinAdapters(registry).ok())
    return Error{"test", "registration failed", ""};
  static test::FakeHost host;
  static rapidjson::Document d;
  d = test::parseJson(config);
  return registry.find(kind)->create(
      adapter::AdapterSpec{"dept", format, test::configOf(d), &host});
}

adapter::HttpRequest post(const std::string& media, const std::string& charset,
                          const std::string& body) {
  adapter::HttpRequest r;
  r.method = "POST";
  r.target = "/intake/v1/dept";
  r.mediaType = media;
  r.charset = charset;
  r.contentType = media + (charset.empty() ? "" : "; charset=" + charset);
  r.body = body;
  r.peer = "127.0.0.1:5000";
  return r;
}

adapter::Submission outcome(adapter::Submission::Outcome o) {
  adapter::Submission s;
  s.outcome = o;
  s.messageId = "m-1";
  s.error = Error{"csv.trailer", "trailer says 3 rows, found 2", "line 5"};
  s.rejected = {{"$[0]", "applicant.id_no", "checksum", "$.idNo", "bad check digit", 0}};
  s.answerJson =
      R"({"message_id":"m-1","events":[],"rejected":[{"field":"applicant.id_no","code":"checksum"}]})";
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(push_adapters)

BOOST_AUTO_TEST_CASE(http_json_submits_the_body_unchanged_and_answers_202) {
  auto m = make("http_json", "json");
  auto a = m->adapter->handle(post("application/json", "UTF-8", R"({"a":1})"));
  BOOST_TEST(a.status == 202);
  BOOST_TEST(a.body == R"({"message_id":"m-test","events":["e-1"],"rejected":[]})");
  const auto sent = m->host.submitted();
  BOOST_REQUIRE(sent.size() == 1u);
  BOOST_TEST(sent[0].bytes == R"({"a":1})");
  BOOST_TEST(sent[0].adapter == "http_json");
  BOOST_TEST(sent[0].system == "dept");
  BOOST_TEST(sent[0].sourceRef == "127.0.0.1:5000");
}

BOOST_AUTO_TEST_CASE(http_json_refuses_other_media_types_and_charsets) {
  auto m = make("http_json", "json");
  auto a = m->adapter->handle(post("text/xml", "", "<a/>"));
  BOOST_TEST(a.status == 415);
  BOOST_TEST(a.contentType.find("application/problem+json") == 0u);
  auto b = m->adapter->handle(post("application/json", "GBK", "{}"));
  BOOST_TEST(b.status == 415);
  BOOST_TEST(b.body.find("charset=GBK") != std::string::npos);
  BOOST_TEST(m->adapter->handle(post("application/vnd.dept+json", "", "{}")).status == 202);
  BOOST_TEST(m->host.submitted().size() == 1u);
}

BOOST_AUTO_TEST_CASE(http_json_words_every_outcome) {
  using O = adapter::Submission::Outcome;
  auto m = make("http_json", "json");
  O current = O::kRejected;
  m->host.answer = [&](const RawMessage&) { return outcome(current); };
  auto a = m->adapter->handle(post("application/json", "", "{}"));
  BOOST_TEST(a.status == 422);
  BOOST_TEST(a.body.find("\"errors\":[{\"field\":\"applicant.id_no\"") != std::string::npos);
  current = O::kUnreadable;
  a = m->adapter->handle(post("application/json", "", "{}"));
  BOOST_TEST(a.status == 400);
  BOOST_TEST(a.body.find("\"position\":\"line 5\"") != std::string::npos);
  current = O::kStoreFailed;
  a = m->adapter->handle(post("application/json", "", "{}"));
  BOOST_TEST(a.status == 503);
  BOOST_REQUIRE(a.headers.size() == 1u);
  BOOST_TEST(a.headers[0].first == "Retry-After");
}

BOOST_AUTO_TEST_CASE(http_xml_takes_any_xml_media_type) {
  auto m = make("http_xml", "xml");
  BOOST_TEST(m->adapter->handle(post("application/xml", "GB18030", "<a/>")).status == 202);
  BOOST_TEST(m->adapter->handle(post("text/xml", "", "<a/>")).status == 202);
  BOOST_TEST(m->adapter->handle(post("application/json", "", "{}")).status == 415);
  BOOST_TEST(m->host.submitted()[0].charset == "GB18030");
}

BOOST_AUTO_TEST_CASE(soap11_answers_with_the_operation_response_or_a_fault) {
  using O = adapter::Submission::Outcome;
  auto m = make("soap11", "xml",
                R"({"kind":"soap11","response_element":"PushResponse","namespace":"urn:x",)"
                R"("soap_action":"urn:x/Push"})");
  auto req = post("text/xml", "utf-8", "<Envelope/>");
  req.headers = {{"soapaction", "\"urn:x/Push\""}};
  auto a = m->adapter->handle(req);
  BOOST_TEST(a.status == 200);
  BOOST_TEST(a.body.find("<PushResponse xmlns=\"urn:x\"><Code>0</Code><Message>OK m-test") !=
             std::string::npos);
  O current = O::kRejected;
  m->host.answer = [&](const RawMessage&) { return outcome(current); };
  a = m->adapter->handle(req);
  BOOST_TEST(a.status == 200);
  BOOST_TEST(a.body.find("<Code>1</Code>") != std::string::npos);
  BOOST_TEST(a.body.find("applicant.id_no checksum ($.idNo)") != std::string::npos);
  current = O::kUnreadable;
  a = m->adapter->handle(req);
  BOOST_TEST(a.status == 500);
  BOOST_TEST(a.body.find("<faultcode>soap:Client</faultcode>") != std::string::npos);
  current = O::kStoreFailed;
  a = m->adapter->handle(req);
  BOOST_TEST(a.body.find("<faultcode>soap:Server</faultcode>") != std::string::npos);

  req.headers = {{"soapaction", "\"urn:x/Other\""}};
  a = m->adapter->handle(req);
  BOOST_TEST(a.body.find("is not an operation of this service") != std::string::npos);
  a = m->adapter->handle(post("application/json", "", "{}"));
  BOOST_TEST(a.status == 415);
  BOOST_TEST(a.body.find("soap:Fault") != std::string::npos);
  auto refused = m->adapter->refuse(adapter::problem(401, "unauthorized", "Unauthorized", "x"));
  BOOST_TEST(refused.status == 401);
  BOOST_TEST(refused.body.find("not authenticated") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_configs_name_the_key) {
  auto r = tryMake("soap11", "xml", R"({"kind":"soap11"})");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().message == "missing response_element");
  r = tryMake("soap11", "xml", R"({"kind":"soap11","response_element":"a b"})");
  BOOST_TEST(r.error().path == "test.json#/response_element");
  r = tryMake("soap11", "xml", R"({"kind":"soap11","response_element":"R","extra":1})");
  BOOST_TEST(r.error().message.find("unknown key 'extra'") == 0u);
  r = tryMake("http_json", "xml", R"({"kind":"http_json"})");
  BOOST_TEST(r.error().message.find("http_json reads JSON") == 0u);
  r = tryMake("http_xml", "csv", R"({})");
  BOOST_TEST(!r.ok());
}

BOOST_AUTO_TEST_SUITE_END()
