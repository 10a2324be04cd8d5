#include "PlatformHarness.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include "gateway/core/Json.h"

namespace huitong::sandbox::test {

namespace fs = std::filesystem;

std::string write(const rapidjson::Value& v) {
  return json::write(v);
}

rapidjson::Document parse(const std::string& text) {
  auto r = json::parse(text);
  if (!r.ok()) {
    BOOST_FAIL("not JSON: " << r.error().describe() << ": " << text.substr(0, 300));
  }
  return std::move(r).value();
}

rapidjson::Document Answer::json() const {
  return parse(body);
}

Client::Client(std::uint16_t port) : session_("127.0.0.1", port) {
  session_.setTimeout(Poco::Timespan(30, 0));
  session_.setKeepAlive(true);
}

Answer Client::send(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& contentType,
                    const std::vector<std::pair<std::string, std::string>>& headers) {
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  req.setKeepAlive(true);
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.setContentLength64(static_cast<Poco::Int64>(body.size()));
    if (!contentType.empty()) {
      req.setContentType(contentType);
    }
  }
  for (const auto& [name, value] : headers) {
    req.set(name, value);
  }
  std::ostream& out = session_.sendRequest(req);
  out.write(body.data(), static_cast<std::streamsize>(body.size()));
  Poco::Net::HTTPResponse resp;
  std::istream& in = session_.receiveResponse(resp);
  Answer a;
  a.status = static_cast<int>(resp.getStatus());
  Poco::StreamCopier::copyToString(in, a.body);
  for (const auto& [name, value] : resp) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    a.headers[lower] = value;
  }
  return a;
}

Harness::Harness(MockPlatform::Options options) {
  if (options.clock == nullptr) {
    options.clock = &clock;
  }
  platform = std::make_unique<MockPlatform>(std::move(options));
  auto started = platform->start();
  BOOST_REQUIRE_MESSAGE(started.ok(), (started.ok() ? "" : started.error().describe()));
  BOOST_REQUIRE(platform->port() != 0);
}

Harness::~Harness() {
  platform->stop();
}

rapidjson::Document baseEvent() {
  return parse(R"({
    "spec": "case-event/1",
    "event_id": "marriage:HY2026112000058:accept:1:v1",
    "case_no": "HY2026112000058",
    "stage": "accept",
    "seq": 1,
    "version": 1,
    "occurred_at": "2026-11-23T09:15:40+08:00",
    "item": {"code": "1244200045586317954442071001000", "name": "内地居民结婚登记"},
    "department": {"name": "中山市婚姻登记处", "uscc": "124420004558631795",
                   "region_code": "442000"},
    "applicant": {"type": "person", "name": "梁志豪", "id_type": "111",
                  "id_no": "442000199304120314", "mobile": "13925380461"},
    "handler": {"name": "冯婉仪", "staff_no": "HY0107"},
    "detail": {"decision": "accepted"},
    "source": {"system": "marriage", "received_at": "2026-11-23T09:16:00+08:00"}
  })");
}

std::string numberedEvent(int n, const std::string& prefix) {
  rapidjson::Document e = baseEvent();
  const std::string caseNo = "HY" + prefix + std::to_string(n);
  const std::string id = "marriage:" + caseNo + ":accept:1:v1";
  e["case_no"].SetString(caseNo.c_str(), static_cast<rapidjson::SizeType>(caseNo.size()),
                         e.GetAllocator());
  e["event_id"].SetString(id.c_str(), static_cast<rapidjson::SizeType>(id.size()),
                          e.GetAllocator());
  return write(e);
}

namespace {

fs::path departmentsDir() {
  return fs::path(HUITONG_SOURCE_DIR) / ".." / "shared" / "departments";
}

}  // namespace

bool haveDepartmentEvents() {
  return fs::is_directory(departmentsDir());
}

std::vector<rapidjson::Document> departmentEvents() {
  std::vector<rapidjson::Document> out;
  if (!haveDepartmentEvents()) {
    return out;
  }
  std::vector<fs::path> files;
  for (const auto& dept : fs::directory_iterator(departmentsDir())) {
    const fs::path expected = dept.path() / "expected";
    if (!fs::is_directory(expected)) {
      continue;
    }
    for (const auto& f : fs::directory_iterator(expected)) {
      const std::string name = f.path().filename().string();
      if (name.size() > 12 && name.compare(name.size() - 12, 12, ".events.json") == 0) {
        files.push_back(f.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    rapidjson::Document doc = parse(ss.str());
    BOOST_REQUIRE(doc.IsArray());
    for (auto& e : doc.GetArray()) {
      rapidjson::Document one;
      one.CopyFrom(e, one.GetAllocator());
      rapidjson::Value& source = one["source"];
      if (!source.HasMember("received_at")) {
        source.AddMember("received_at", "2026-11-27T10:00:00+08:00", one.GetAllocator());
      }
      out.push_back(std::move(one));
    }
  }
  return out;
}

}  // namespace huitong::sandbox::test
