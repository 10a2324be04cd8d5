// The template adapter (adapters/_template) on a FakeHost: config refused by key, lines taken
// only when complete, the position saved only after a durable answer, unreadable lines set
// aside, a journal outage retried, nothing taken twice across a restart.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>
#include <boost/test/unit_test.hpp>

#include "adapters/_template/JsonLinesAdapter.h"
#include "tests/adapters/FakeHost.h"

namespace fs = std::filesystem;
using namespace huitong;
using Outcome = adapter::Submission::Outcome;

namespace {

struct Folder {
  Folder() {
    path = fs::temp_directory_path() /
           ("huitong-template-" + std::to_string(::getpid()) + "-" + std::to_string(++count));
    fs::create_directories(path);
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void append(const std::string& text) const {
    std::ofstream(path / "in.jsonl", std::ios::app | std::ios::binary) << text;
  }
  std::string read(const std::string& name) const {
    std::ifstream in(path / name, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  fs::path path;
  static inline int count = 0;
};

struct Made {
  rapidjson::Document config;
  std::unique_ptr<adapter::Adapter> adapter;
};

Result<std::unique_ptr<adapter::Adapter>> create(rapidjson::Document& config,
                                                 const std::string& json, test::FakeHost& host,
                                                 const std::string& format = "json") {
  config = test::parseJson(json.c_str());
  BOOST_REQUIRE(!config.HasParseError());
  auto factory = adapters::makeJsonLinesFactory();
  BOOST_TEST((factory->kind() == adapter::AdapterKind::kPull));
  return factory->create(adapter::AdapterSpec{"dept", format, test::configOf(config), &host});
}

Made start(const Folder& folder, test::FakeHost& host) {
  Made m;
  auto made = create(m.config,
                     R"({"kind":"template_json_lines","poll_ms":100,"path":")" +
                         (folder.path / "in.jsonl").string() + "\"}",
                     host);
  if (!made.ok())
    BOOST_FAIL(made.error().describe());
  m.adapter = std::move(made).value();
  auto started = m.adapter->start();
  if (!started.ok())
    BOOST_FAIL(started.error().describe());
  return m;
}

// Waits (bounded) until `done` holds.
template <typename Pred>
bool eventually(Pred done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > until)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(template_adapter)

BOOST_AUTO_TEST_CASE(config_errors_name_the_key) {
  test::FakeHost host;
  rapidjson::Document d;
  auto r = create(d, R"({"kind":"template_json_lines"})", host);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().message == "missing path");
  r = create(d, R"({"kind":"template_json_lines","path":"in.jsonl","poll_ms":5})", host);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().path == "test.json#/poll_ms");
  r = create(d, R"({"kind":"template_json_lines","path":"in.jsonl","pol_ms":500})", host);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().message.find("unknown key 'pol_ms'") == 0u);
  r = create(d, R"({"kind":"template_json_lines","path":"in.jsonl"})", host, "xml");
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().message.find("reads JSON lines") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(takes_complete_lines_once_and_keeps_its_place_across_a_restart) {
  Folder folder;
  folder.append("{\"n\":1}\n\n{\"n\":2}\n{\"n\":");  // a blank line, then a half-written one
  test::FakeHost host;
  {
    Made m = start(folder, host);
    BOOST_REQUIRE(eventually([&] { return host.submitted().size() == 2u; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(250));  // two more polls
    BOOST_TEST(host.submitted().size() == 2u);                    // the half line waits
    folder.append("3}\n");
    BOOST_REQUIRE(eventually([&] { return host.submitted().size() == 3u; }));
    m.adapter->stop();
  }
  const auto sent = host.submitted();
  BOOST_TEST(sent[0].bytes == R"({"n":1})");
  BOOST_TEST(sent[1].bytes == R"({"n":2})");
  BOOST_TEST(sent[2].bytes == R"({"n":3})");
  BOOST_TEST(sent[2].system == "dept");
  BOOST_TEST(sent[2].adapter == "template_json_lines");
  BOOST_TEST(sent[2].sourceRef == (folder.path / "in.jsonl").string() + ":4");
  BOOST_TEST(folder.read("in.jsonl.taken") == "25 4\n");
  BOOST_REQUIRE(!host.sources().empty());
  BOOST_TEST(host.sources().back().reachable);

  folder.append("{\"n\":4}\n");
  test::FakeHost again;
  Made m = start(folder, again);
  BOOST_REQUIRE(eventually([&] { return again.submitted().size() == 1u; }));
  m.adapter->stop();
  BOOST_TEST(again.submitted()[0].bytes == R"({"n":4})");
}

BOOST_AUTO_TEST_CASE(a_journal_outage_offers_the_line_again_and_unreadable_lines_are_set_aside) {
  Folder folder;
  folder.append("not json\n{\"n\":2}\n");
  test::FakeHost host;
  std::atomic<int> calls{0};
  host.answer = [&](const RawMessage& m) {
    adapter::Submission s;
    if (m.bytes == "not json") {
      s.outcome = Outcome::kUnreadable;
      s.error = Error{"json.syntax", "invalid value", "line 1, column 1 (offset 0)"};
    } else if (++calls < 3) {
      s.outcome = Outcome::kStoreFailed;
    } else {
      s.outcome = Outcome::kAccepted;
      s.messageId = "m-2";
    }
    return s;
  };
  Made m = start(folder, host);
  BOOST_REQUIRE(eventually([&] { return calls.load() >= 3; }));
  BOOST_REQUIRE(eventually([&] { return folder.read("in.jsonl.taken") == "17 2\n"; }));
  m.adapter->stop();
  BOOST_TEST(host.submitted().size() == 4u);  // the bad line once, the good one three times
  const std::string expected = R"x({"line":1,"code":"json.syntax","message":"invalid value",)x"
                               R"x("position":"line 1, column 1 (offset 0)"})x"
                               "\n";
  BOOST_TEST(folder.read("in.jsonl.errors") == expected);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_reported_as_an_unreachable_source) {
  Folder folder;
  test::FakeHost host;
  Made m = start(folder, host);
  BOOST_REQUIRE(eventually([&] { return !host.sources().empty(); }));
  m.adapter->stop();
  BOOST_TEST(!host.sources().front().reachable);
  BOOST_TEST(host.sources().front().detail.find("cannot be read") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_damaged_state_file_stops_the_start) {
  Folder folder;
  std::ofstream(folder.path / "in.jsonl.taken") << "garbage";
  test::FakeHost host;
  rapidjson::Document d;
  auto made = create(d, R"({"path":")" + (folder.path / "in.jsonl").string() + "\"}", host);
  BOOST_REQUIRE(made.ok());
  auto r = made.value()->start();
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().message.find("is damaged") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
