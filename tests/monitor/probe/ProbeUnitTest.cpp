// The probe's parts without a network: URLs and Location resolution, the cookie jar, the HTML
// selector, patterns, templates and form encoding, and the config's refusals.
#define BOOST_TEST_MODULE test_monitor_probe
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <fstream>
#include <memory>

#include "gateway/core/Json.h"
#include "gateway/monitor/probe/CookieJar.h"
#include "gateway/monitor/probe/HtmlSelector.h"
#include "gateway/monitor/probe/Pattern.h"
#include "gateway/monitor/probe/ProbeConfig.h"
#include "gateway/monitor/probe/Url.h"

using namespace huitong;
using namespace huitong::monitor::probe;

namespace {

Url url(const std::string& text) {
  auto u = parseUrl(text);
  BOOST_REQUIRE_MESSAGE(u.ok(), text);
  return u.value();
}

struct Block {
  rapidjson::Document doc;
  std::unique_ptr<ConfigNode> node;
  explicit Block(const std::string& text) {
    auto parsed = json::parse(text);
    BOOST_REQUIRE_MESSAGE(parsed.ok(), text);
    doc = std::move(parsed.value());
    node = std::make_unique<ConfigNode>(
        doc, "/monitor", [](const std::string& p) { return "gateway.json#" + p; }, "/etc/h");
  }
};

std::string refusal(const std::string& probesJson) {
  Block b(R"({"probes":)" + probesJson + "}");
  auto r = readProbeList(*b.node);
  BOOST_REQUIRE_MESSAGE(!r.ok(), "expected a refusal of " + probesJson);
  return r.error().describe();
}

}  // namespace

BOOST_AUTO_TEST_CASE(urls_and_references) {
  const Url u = url("https://Portal.Example.gov.cn/a/b/login?x=1#frag");
  BOOST_TEST(u.host == "portal.example.gov.cn");
  BOOST_TEST(u.port == 443u);
  BOOST_TEST(u.target == "/a/b/login?x=1");
  BOOST_TEST(u.text() == "https://portal.example.gov.cn/a/b/login?x=1");
  BOOST_TEST(url("http://127.0.0.1:8080").target == "/");
  BOOST_TEST(url("http://[::1]:81/x").authority() == "[::1]:81");
  BOOST_TEST(!parseUrl("ftp://x/").ok());
  BOOST_TEST(!parseUrl("http://user:pw@x/").ok());
  BOOST_TEST(!parseUrl("http://x:99999/").ok());
  BOOST_TEST(!parseUrl("http://x/a b").ok());
  BOOST_TEST(resolveReference(u, "/home").value().text() == "https://portal.example.gov.cn/home");
  BOOST_TEST(resolveReference(u, "home").value().target == "/a/b/home");
  BOOST_TEST(resolveReference(u, "../c/./d").value().target == "/a/c/d");
  BOOST_TEST(resolveReference(u, "?y=2").value().target == "/a/b/login?y=2");
  BOOST_TEST(resolveReference(u, "//other.cn/z").value().text() == "https://other.cn/z");
  BOOST_TEST(resolveReference(u, "http://x.cn:81/q").value().text() == "http://x.cn:81/q");
}

BOOST_AUTO_TEST_CASE(cookie_jar) {
  const EpochMillis now = 1'780'000'000'000;
  CookieJar jar;
  const Url login = url("https://portal.gov.cn/auth/login");
  jar.store("SID=abc; Path=/; HttpOnly; Secure", login, now);
  jar.store("lang=zh", login, now);                         // default path /auth
  jar.store("wide=1; Domain=.gov.cn; Path=/", login, now);  // parent domain
  jar.store("evil=1; Domain=other.cn", login, now);         // another site: ignored
  jar.store("short=1; Max-Age=10", login, now);
  jar.store("old=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT", login, now);  // already expired
  BOOST_TEST(jar.cookies().size() == 4u);
  BOOST_TEST(jar.header(url("https://portal.gov.cn/auth/x"), now) ==
             "lang=zh; short=1; SID=abc; wide=1");
  BOOST_TEST(jar.header(url("https://portal.gov.cn/home"), now) == "SID=abc; wide=1");
  // Secure cookies never go over http; host-only ones never to a sibling host.
  BOOST_TEST(jar.header(url("http://portal.gov.cn/home"), now) == "wide=1");
  BOOST_TEST(jar.header(url("https://www.gov.cn/"), now) == "wide=1");
  BOOST_TEST(jar.header(url("https://portal.gov.cn/authx"), now) == "SID=abc; wide=1");
  // Max-Age runs out; a replacement replaces; an expiry in the past deletes.
  BOOST_TEST(jar.header(url("https://portal.gov.cn/auth/"), now + 11'000).find("short") ==
             std::string::npos);
  jar.store("SID=def; Path=/", login, now);
  BOOST_TEST(jar.header(url("https://portal.gov.cn/"), now) == "SID=def; wide=1");
  jar.store("SID=; Path=/; Max-Age=0", login, now);
  BOOST_TEST(jar.header(url("https://portal.gov.cn/"), now) == "wide=1");
  jar.store("garbage-without-equals", login, now);
  jar.store("=novalue", login, now);
  BOOST_TEST(jar.cookies().size() == 3u);
}

BOOST_AUTO_TEST_CASE(html_selector) {
  const std::string html =
      R"(<html><!-- <input name="csrf_token" value="commented"> -->
      <form><input type="text" name="username">
      <INPUT type=hidden name=csrf_token value='a&amp;b&#x4e2d;'>
      <meta name="csrf-token" content="m-1"><div id="msg" class="alert error"> 用户名或密码错误 </div>
      </form></html>)";
  auto s = HtmlSelector::compile("input[name=csrf_token]");
  BOOST_REQUIRE(s.ok());
  BOOST_TEST(*s.value().extract(html, "value") == "a&b中");
  BOOST_TEST(*HtmlSelector::compile("meta[name=\"csrf-token\"]").value().extract(html, "content") ==
             "m-1");
  BOOST_TEST(*HtmlSelector::compile("div.error#msg").value().extract(html, "text") ==
             "用户名或密码错误");
  BOOST_TEST(*HtmlSelector::compile("[type='hidden']").value().extract(html, "name") ==
             "csrf_token");
  BOOST_TEST(!HtmlSelector::compile("input[name=nope]").value().extract(html, "value"));
  BOOST_TEST(!HtmlSelector::compile("input[name=username]").value().extract(html, "value"));
  BOOST_TEST(!HtmlSelector::compile(".alert.missing").value().matches(html));
  BOOST_TEST(HtmlSelector::compile(".alert.error").value().matches(html));
  // The language is small and says so.
  BOOST_TEST(HtmlSelector::compile("form input").error().message.find("combinators") !=
             std::string::npos);
  BOOST_TEST(!HtmlSelector::compile("input[name^=x]").ok());
  BOOST_TEST(!HtmlSelector::compile("input[name='x]").ok());
  BOOST_TEST(!HtmlSelector::compile("").ok());
  BOOST_TEST(!HtmlSelector::compile("a:hover").ok());
  // Unclosed tags and quotes end the walk without reading past the text.
  BOOST_TEST(!s.value().extract("<input name=\"csrf_token", "value"));
  BOOST_TEST(!s.value().extract("<", "value"));
}

BOOST_AUTO_TEST_CASE(patterns_are_bounded) {
  auto p = Pattern::compile("csrf_token\" value=\"([0-9a-f]+)\"");
  BOOST_REQUIRE(p.ok());
  auto m = p.value().search(R"(<input name="csrf_token" value="beef12">)");
  BOOST_TEST(m.found);
  BOOST_TEST(m.groups[1] == "beef12");
  BOOST_TEST(!Pattern::compile("(unclosed").ok());
  // Catastrophic backtracking gives up instead of spinning.
  auto evil = Pattern::compile("^(a+)+$");
  const auto r = evil.value().search(std::string(40, 'a') + "b");
  BOOST_TEST(!r.found);
  BOOST_TEST(r.gaveUp);
  BOOST_TEST(Pattern::compile("用户名").value().search("错误：用户名或密码错误").found);
}

BOOST_AUTO_TEST_CASE(templates_and_forms) {
  std::map<std::string, std::string> vars{{"csrf", "t/1"}, {"username", "张三"}};
  std::vector<std::string> unknown;
  BOOST_TEST(substitute("/x?c=${csrf}&u=${username}&z=${nope}$", vars, &unknown) ==
             "/x?c=t/1&u=张三&z=${nope}$");
  BOOST_TEST(unknown == std::vector<std::string>{"nope"});
  BOOST_TEST(formEncode({{"user name", "张三"}, {"p", "a&b=c+d"}}) ==
             "user+name=%E5%BC%A0%E4%B8%89&p=a%26b%3Dc%2Bd");
}

BOOST_AUTO_TEST_CASE(config_reads_a_login_flow) {
  const std::string pwFile = "/tmp/huitong-probe-unit-pw";
  { std::ofstream(pwFile) << "Secret-123\n"; }
  Block b(R"({"probes":[
    {"id":"home","url":"https://portal.example.cn/","expect_status":[200,"3xx"],
     "latency_ms":2000,"intensified_latency_ms":800,
     "expect_body":[{"contains":"一网通办"},{"jsonpath":"$.status","equals":"up"}],
     "expect_headers":[{"name":"X-Frame-Options","equals":"DENY"}],
     "tls":{"min_days_left":14,"intensified_min_days_left":30},"schedule":"7x24"},
    {"id":"applicant-login","url":"https://portal.example.cn/login",
     "credentials":{"username":"zhangsan","password_file":")" +
          pwFile + R"("},
     "steps":[
       {"name":"login page","extract":[{"name":"csrf","selector":"input[name=csrf_token]"}]},
       {"name":"submit login","url":"/login","form":{"username":"${username}",
        "password":"${password}","csrf_token":"${csrf}"},"follow_redirects":false,
        "expect_status":302,"expect_body":[{"not_contains":"用户名或密码错误"}]},
       {"name":"landing","url":"/home","expect_body":[{"contains":"欢迎"}]}]}]})");
  auto r = readProbeList(*b.node);
  BOOST_REQUIRE_MESSAGE(r.ok(), (r.ok() ? std::string() : r.error().describe()));
  BOOST_REQUIRE(r.value().size() == 2u);
  const ProbeSpec& home = r.value()[0].probe->spec();
  BOOST_TEST(home.kind == "http");
  BOOST_TEST(home.steps.size() == 1u);
  BOOST_TEST(home.steps[0].expectStatus.size() == 2u);
  BOOST_TEST(home.steps[0].expectStatus[1].low == 300);
  BOOST_TEST(*home.minDaysLeft == 14);
  BOOST_TEST(r.value()[0].cadence.schedule == "7x24");
  const auto& login = *r.value()[1].probe;
  BOOST_TEST(login.kind() == "login");
  BOOST_TEST(login.spec().steps[1].method == "POST");
  BOOST_TEST(login.spec().password->value == "Secret-123");
  // Listings show the password by fingerprint only.
  std::string listing;
  for (const auto& line : login.describe())
    listing += line + "\n";
  BOOST_TEST(listing.find("Secret-123") == std::string::npos);
  BOOST_TEST(listing.find("sha256:") != std::string::npos);
  auto scheduled = readProbes(*b.node);
  BOOST_REQUIRE(scheduled.ok());
  BOOST_TEST(scheduled.value().size() == 2u);
  std::remove(pwFile.c_str());
}

BOOST_AUTO_TEST_CASE(config_refusals_name_place_and_rule) {
  auto has = [](const std::string& text, const std::string& part) {
    BOOST_TEST_INFO(text);
    BOOST_TEST(text.find(part) != std::string::npos);
  };
  has(refusal(R"([{"url":"http://x/"}])"), "gateway.json#/monitor/probes/0");
  has(refusal(R"([{"id":"a","url":"gopher://x/"}])"), "http or https");
  has(refusal(R"([{"id":"a","url":"http://x/","colour":1}])"), "colour");
  has(refusal(R"([{"id":"a","url":"http://x/"},{"id":"a","url":"http://y/"}])"), "used twice");
  has(refusal(R"([{"id":"a","url":"http://x/","expect_status":"2zz"}])"), "expect_status");
  has(refusal(R"([{"id":"a","url":"http://x/","expect_status":[]}])"), "empty list");
  has(refusal(R"([{"id":"a","url":"http://x/","expect_body":[{"regex":"(x"}]}])"),
      "/monitor/probes/0/expect_body/0/regex");
  has(refusal(R"([{"id":"a","url":"http://x/","expect_body":[{"contains":"a","regex":"b"}]}])"),
      "not both");
  has(refusal(R"([{"id":"a","url":"http://x/","expect_body":[{"jsonpath":"$["}]}])"), "JSONPath");
  has(refusal(R"([{"id":"a","url":"http://x/","latency_ms":100,"intensified_latency_ms":200}])"),
      "tightens");
  has(refusal(R"([{"id":"a","url":"http://x/","tls":{"ca_file":"/nonexistent/ca.pem"}}])"),
      "/monitor/probes/0/tls/ca_file");
  has(refusal(R"([{"id":"a","url":"http://x/","credentials":{"password_file":"/nonexistent"}}])"),
      "cannot read password_file /nonexistent");
  has(refusal(
          R"([{"id":"a","url":"http://x/","credentials":{"password":"p","password_file":"f"}}])"),
      "not both");
  has(refusal(R"([{"id":"a","url":"http://x/","steps":[{"name":"s"},{"url":"/b?t=${token}"}]}])"),
      "uses ${token}, which no variable");
  has(refusal(R"([{"id":"a","url":"http://x/","steps":[{"name":"s"},{"name":"no url"}]}])"), "url");
  has(refusal(R"([{"id":"a","url":"http://x/","steps":[]}])"), "at least one step");
  has(refusal(
          R"([{"id":"a","url":"http://x/","steps":[{"extract":[{"name":"t","selector":"a b"}]}]}])"),
      "combinators");
  has(refusal(
          R"([{"id":"a","url":"http://x/","steps":[{"extract":[{"name":"t","regex":"x","group":2}]}]}])"),
      "has 0 group");
  has(refusal(R"([{"id":"a","url":"http://x/","steps":[{"form":{"a":"b"},"body":"x"}]}])"),
      "not both");
  has(refusal(R"([{"id":"a","url":"http://x/","max_redirects":50}])"), "max_redirects");
  has(refusal(R"([{"id":"a","url":"http://x/","interval_s":10,"timeout_ms":20000}])"),
      "timeout_ms");
  has(refusal(R"({"id":"a"})"), "list of objects");
}
