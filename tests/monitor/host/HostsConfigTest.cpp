// The "hosts" list of the monitor block: entries read into host and agent checks with their
// cadence and thresholds (tighter during a major event), and every refusal naming its place.
#define BOOST_TEST_MODULE monitor_hosts_config
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "gateway/core/Json.h"
#include "gateway/monitor/host/HostsConfig.h"

namespace fs = std::filesystem;
using namespace huitong;
using namespace huitong::monitor;
using namespace huitong::monitor::host;

namespace {

// A config file's "monitor" block ("gateway.json#pointer" as its place).
struct Block {
  rapidjson::Document doc;
  std::unique_ptr<ConfigNode> node;
  explicit Block(const std::string& text, const std::string& baseDir = "/nonexistent") {
    auto parsed = json::parse(text);
    BOOST_REQUIRE(parsed.ok());
    doc = std::move(parsed.value());
    node = std::make_unique<ConfigNode>(
        doc, "/monitor", [](const std::string& p) { return "gateway.json#" + p; }, baseDir);
  }
};

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("huitong-hostcfg-" + std::to_string(::getpid()) + "-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(hosts_list_read_into_checks) {
  TempDir dir;
  dir.write("agent.token", "0123456789abcdef0123456789abcdef\n");
  Block b(R"({"hosts":[
      {"id":"app-server","local":true,"schedule":"7x24","interval_s":30,"cpu_percent":85,
       "swap_used_percent":false,"intensified":{"disk_used_percent":80}},
      {"id":"db-server","url":"http://127.0.0.1:9700","token_file":"agent.token",
       "mounts":["/","/var/lib/postgresql"],"mem_available_percent":20}]})",
          dir.path.string());
  FixedClock clock(0);
  auto hosts = readHosts(*b.node, clock);
  BOOST_TEST_REQUIRE(hosts.ok(), (hosts.ok() ? "" : hosts.error().describe()));
  BOOST_TEST_REQUIRE(hosts.value().size() == 2u);
  BOOST_TEST(hosts.value()[0].check->id() == "app-server");
  BOOST_TEST(hosts.value()[0].check->kind() == "host");
  BOOST_TEST(hosts.value()[0].cadence.schedule == "7x24");
  BOOST_TEST(hosts.value()[0].cadence.intervalSeconds == 30u);
  BOOST_TEST(hosts.value()[1].check->kind() == "agent");
  BOOST_TEST(hosts.value()[1].cadence.schedule == "5x8");

  Block none("{}");
  auto empty = readHosts(*none.node, clock);
  BOOST_TEST_REQUIRE(empty.ok());
  BOOST_TEST(empty.value().empty());
}

BOOST_AUTO_TEST_CASE(thresholds_and_major_event_defaults) {
  Block b(R"({"cpu_percent":70,"mem_available_percent":20,"disk_used_percent":false,
              "intensified":{"inodes_used_percent":50}})");
  auto rules = readHostRules(*b.node);
  BOOST_TEST_REQUIRE(rules.ok());
  BOOST_TEST(rules.value().normal.cpuPercent == 70.0);
  BOOST_TEST(rules.value().intensified.cpuPercent == 70.0);  // tighter than the default 80
  BOOST_TEST(rules.value().intensified.memAvailablePercent == 20.0);
  BOOST_TEST(rules.value().normal.diskUsedPercent == -1.0);
  BOOST_TEST(rules.value().intensified.diskUsedPercent == -1.0);
  BOOST_TEST(rules.value().intensified.inodesUsedPercent == 50.0);
  BOOST_TEST(rules.value().normal.inodesUsedPercent == 90.0);
}

BOOST_AUTO_TEST_CASE(refusals_name_the_place) {
  TempDir dir;
  dir.write("short.token", "abc\n");
  dir.write("good.token", "0123456789abcdef0123456789abcdef");
  FixedClock clock(0);
  auto refused = [&](const std::string& hosts) {
    Block b(R"({"hosts":)" + hosts + "}", dir.path.string());
    auto r = readHosts(*b.node, clock);
    BOOST_TEST_REQUIRE(!r.ok());
    return r.error().describe();
  };
  BOOST_TEST(refused(R"({"id":"x"})") ==
             "gateway.json#/monitor/hosts: hosts must be a list of objects");
  BOOST_TEST(refused(R"([{"id":"a","local":true,"url":"http://h:1"}])") ==
             "gateway.json#/monitor/hosts/0: host 'a' needs either \"local\": true (this machine) "
             "or \"url\" of its huitong agent, not both");
  BOOST_TEST(refused(R"([{"id":"a"}])").find("needs either") != std::string::npos);
  BOOST_TEST(refused(R"([{"id":"a","local":true},{"id":"a","local":true}])") ==
             "gateway.json#/monitor/hosts/1/id: id 'a' is used by another host");
  BOOST_TEST(refused(R"([{"id":"A b","local":true}])").find("/hosts/0/id: id must be") !=
             std::string::npos);
  BOOST_TEST(refused(R"([{"id":"a","local":true,"cpu_precent":80}])")
                 .find("gateway.json#/monitor/hosts/0/cpu_precent") == 0);
  BOOST_TEST(refused(R"([{"id":"a","local":true,"disk_used_percent":120}])") ==
             "gateway.json#/monitor/hosts/0/disk_used_percent: disk_used_percent must be a "
             "number from 0 to 100 (or false to switch the rule off)");
  BOOST_TEST(refused(R"([{"id":"a","local":true,"intensified":{"cpu_percent":95}}])") ==
             "gateway.json#/monitor/hosts/0/intensified/cpu_percent: intensified.cpu_percent "
             "(95) must not be looser than cpu_percent (90): a major event tightens thresholds");
  BOOST_TEST(refused(R"([{"id":"a","local":true,"intensified":{"mem_available_percent":5}}])")
                 .find("must not be looser than mem_available_percent (10)") != std::string::npos);
  BOOST_TEST(refused(R"([{"id":"a","local":true,"interval_s":1}])").find("/hosts/0/interval_s") ==
             std::string("gateway.json#/monitor").size());
  BOOST_TEST(refused(R"([{"id":"a","local":true,"token_file":"good.token"}])")
                 .find("/hosts/0/token_file") != std::string::npos);
  BOOST_TEST(refused(R"([{"id":"a","url":"ftp://h:9700","token_file":"good.token"}])") ==
             "gateway.json#/monitor/hosts/0/url: url must be http(s)://HOST:PORT of a huitong "
             "agent, not 'ftp://h:9700'");
  BOOST_TEST(refused(R"([{"id":"a","url":"http://h:9700","token_file":"good.token",
                          "ca_file":"ca.pem"}])") ==
             "gateway.json#/monitor/hosts/0/ca_file: ca_file is for an https:// agent url");
  BOOST_TEST(refused(R"([{"id":"a","url":"https://h:9700","token_file":"good.token",
                          "ca_file":"missing.pem"}])")
                 .find("gateway.json#/monitor/hosts/0/ca_file: " +
                       (dir.path / "missing.pem").string() + ": cannot load trusted CAs") == 0);
  BOOST_TEST(refused(R"([{"id":"a","url":"http://h:9700"}])") ==
             "gateway.json#/monitor/hosts/0: missing token_file");
  BOOST_TEST(refused(R"([{"id":"a","url":"http://h:9700","token_file":"missing.token"}])") ==
             "gateway.json#/monitor/hosts/0/token_file: token_file " +
                 (dir.path / "missing.token").string() +
                 ": cannot read: No such file or directory");
  BOOST_TEST(refused(R"([{"id":"a","url":"http://h:9700","token_file":"short.token"}])")
                 .find("must hold one token of 16 or more characters") != std::string::npos);
  BOOST_TEST(refused(R"([{"id":"a","local":true,"mounts":["data"]}])") ==
             "gateway.json#/monitor/hosts/0/mounts: mounts lists mount points such as \"/\" or "
             "\"/data\", not 'data'");
}

BOOST_AUTO_TEST_SUITE_END()
