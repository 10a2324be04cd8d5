// Alert rules, deduplication, silences, maintenance, resolve; notifier message formats against
// a local HTTP sink (port 0) and a small SMTP sink written here; availability from the store.
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include "gateway/core/Json.h"
#include "gateway/monitor/schedule/Alerts.h"
#include "gateway/monitor/schedule/Availability.h"
#include "gateway/monitor/schedule/Notifiers.h"

using namespace huitong;
using namespace huitong::monitor;
using namespace huitong::monitor::schedule;
namespace fs = std::filesystem;

namespace {

// 2026-03-02T10:00:00+08:00, a Monday.
constexpr EpochMillis kT0 = 1772416800000;

RunRecord run(const std::string& id, EpochMillis at, bool ok, double latency = 100) {
  RunRecord r;
  r.result.checkId = id;
  r.result.kind = "http";
  r.result.startedAt = at;
  r.result.durationMs = latency;
  r.result.status = ok ? CheckStatus::kOk : CheckStatus::kFail;
  r.result.message = ok ? "" : "status 503";
  r.result.values["latency_ms"] = latency;
  r.dueAt = at;
  return r;
}

// Records every notice; fails the first `failFirst` sends.
class RecordingNotifier final : public Notifier {
 public:
  explicit RecordingNotifier(std::string name, int failFirst = 0)
      : name_(std::move(name)), failFirst_(failFirst) {}
  const std::string& name() const override { return name_; }
  Result<std::string> send(const AlertNotice& n) override {
    std::lock_guard<std::mutex> lock(mu);
    if (calls++ < failFirst_)
      return Error{"notify.http", "HTTP 502", ""};
    notices.push_back(n);
    return std::string("ok");
  }
  std::mutex mu;
  std::vector<AlertNotice> notices;
  int calls = 0;

 private:
  std::string name_;
  int failFirst_;
};

struct TempStore {
  std::string dir;
  std::unique_ptr<ResultsStore> store;
  TempStore() {
    std::string pattern = (fs::temp_directory_path() / "huitong-alerts-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    storage::StoreConfig c;
    c.path = dir + "/huitong.db";
    auto s = ResultsStore::open(c);
    BOOST_TEST_REQUIRE(s.ok());
    store = std::move(s).value();
  }
  ~TempStore() { fs::remove_all(dir); }
};

// An HTTP sink on 127.0.0.1:0 that keeps each request and answers `answer` (after `failFirst`
// answers of 500).
class HttpSink {
 public:
  struct Request {
    std::string uri, contentType, body;
  };
  explicit HttpSink(std::string answer, int failFirst = 0)
      : answer_(std::move(answer)), failFirst_(failFirst) {
    auto params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(2);
    server_ = std::make_unique<Poco::Net::HTTPServer>(
        new Factory(*this), Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
        params);
    server_->start();
  }
  ~HttpSink() { server_->stopAll(true); }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  std::vector<Request> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(HttpSink& s) : s_(s) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& res) override {
      std::string body;
      Poco::StreamCopier::copyToString(req.stream(), body);
      bool fail = false;
      {
        std::lock_guard<std::mutex> lock(s_.mu_);
        s_.requests_.push_back({req.getURI(), req.getContentType(), body});
        fail = static_cast<int>(s_.requests_.size()) <= s_.failFirst_;
      }
      res.setStatus(fail ? Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR
                         : Poco::Net::HTTPResponse::HTTP_OK);
      res.setContentType("application/json");
      res.send() << (fail ? std::string("{}") : s_.answer_);
    }
    HttpSink& s_;
  };
  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(HttpSink& s) : s_(s) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
      return new Handler(s_);
    }
    HttpSink& s_;
  };
  std::string answer_;
  int failFirst_;
  std::mutex mu_;
  std::vector<Request> requests_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// A minimal SMTP server (RFC 5321's happy path) on 127.0.0.1:0 keeping each message.
class SmtpSink {
 public:
  struct Mail {
    std::string from;
    std::vector<std::string> to;
    std::string data;
  };
  SmtpSink() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~SmtpSink() {
    stop_ = true;
    socket_.close();
    thread_.join();
  }
  unsigned short port() const { return socket_.address().port(); }
  std::vector<Mail> mails() {
    std::lock_guard<std::mutex> lock(mu_);
    return mails_;
  }

 private:
  void serve() {
    while (!stop_) {
      try {
        if (!socket_.poll(Poco::Timespan(0, 50000), Poco::Net::Socket::SELECT_READ))
          continue;
        Poco::Net::StreamSocket conn = socket_.acceptConnection();
        conn.setReceiveTimeout(Poco::Timespan(5, 0));
        session(conn);
      } catch (const std::exception&) {
        if (stop_)
          return;
      }
    }
  }
  static std::string readLine(Poco::Net::StreamSocket& s) {
    std::string line;
    char c;
    while (s.receiveBytes(&c, 1) == 1) {
      line += c;
      if (line.size() >= 2 && line.compare(line.size() - 2, 2, "\r\n") == 0)
        return line.substr(0, line.size() - 2);
    }
    return line;
  }
  static void say(Poco::Net::StreamSocket& s, const std::string& line) {
    const std::string out = line + "\r\n";
    s.sendBytes(out.data(), static_cast<int>(out.size()));
  }
  void session(Poco::Net::StreamSocket& s) {
    say(s, "220 sink ESMTP");
    Mail mail;
    while (true) {
      const std::string line = readLine(s);
      const std::string verb = line.substr(0, 4);
      if (line.empty() || verb == "QUIT") {
        say(s, "221 bye");
        return;
      }
      if (verb == "EHLO" || verb == "HELO") {
        say(s, "250 sink");
      } else if (verb == "MAIL") {
        mail = Mail{};
        mail.from = line;
        say(s, "250 ok");
      } else if (verb == "RCPT") {
        mail.to.push_back(line);
        say(s, "250 ok");
      } else if (verb == "DATA") {
        say(s, "354 go on");
        std::string data;
        while (true) {
          std::string l = readLine(s);
          if (l == ".")
            break;
          data += l + "\n";
        }
        mail.data = data;
        {
          std::lock_guard<std::mutex> lock(mu_);
          mails_.push_back(mail);
        }
        say(s, "250 queued");
      } else {
        say(s, "250 ok");
      }
    }
  }
  Poco::Net::ServerSocket socket_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<Mail> mails_;
};

AlertNotice notice(const std::string& event = "firing") {
  return AlertNotice{42,  "portal-down", "portal", "check", event, "3 runs in a row not ok",
                     kT0, kT0 + 60000};
}

}  // namespace

BOOST_AUTO_TEST_CASE(consecutive_failures_open_one_alert_that_resolves_on_recovery) {
  TempStore ts;
  FixedClock clock(kT0);
  auto rec = std::make_unique<RecordingNotifier>("ops");
  auto* ops = rec.get();
  std::vector<std::unique_ptr<Notifier>> notifiers;
  notifiers.push_back(std::move(rec));
  AlertRule rule;
  rule.name = "portal-down";
  rule.kind = "consecutive_failures";
  rule.count = 3;
  AlertEngine engine({rule}, std::move(notifiers), ts.store.get(), clock, {3, 1});
  engine.start();
  engine.onRun(run("portal", kT0, false));
  engine.onRun(run("portal", kT0 + 60000, false));
  BOOST_TEST(engine.firing().empty());
  engine.onRun(run("portal", kT0 + 120000, false));
  engine.onRun(run("portal", kT0 + 180000, false));  // still firing: no second alert
  engine.onRun(run("login", kT0, false));            // another key, below the count
  engine.drain();
  auto firing = engine.firing();
  BOOST_TEST_REQUIRE(firing.size() == 1U);
  BOOST_TEST(firing[0].key == "portal");
  BOOST_TEST(firing[0].summary.find("3 runs in a row") != std::string::npos);
  BOOST_TEST(ts.store->alerts("firing", 10).value().size() == 1U);
  engine.onRun(run("portal", kT0 + 240000, true));
  engine.drain();
  BOOST_TEST(engine.firing().empty());
  {
    std::lock_guard<std::mutex> lock(ops->mu);
    BOOST_TEST_REQUIRE(ops->notices.size() == 2U);
    BOOST_TEST(ops->notices[0].event == "firing");
    BOOST_TEST(ops->notices[1].event == "resolved");
    BOOST_TEST(ops->notices[1].openedAt == kT0 + 120000);
  }
  auto stored = ts.store->alerts("", 10).value();
  BOOST_TEST_REQUIRE(stored.size() == 1U);
  BOOST_TEST(stored[0].state == "resolved");
  auto d = ts.store->deliveries(stored[0].id).value();
  BOOST_TEST(d.size() == 2U);
  engine.stop();
}

BOOST_AUTO_TEST_CASE(a_threshold_fires_only_after_it_held_for_m_minutes) {
  FixedClock clock(kT0);
  AlertRule rule;
  rule.name = "slow";
  rule.kind = "threshold";
  rule.value = "latency_ms";
  rule.above = 2000;
  rule.forMinutes = 5;
  AlertEngine engine({rule}, {}, nullptr, clock);
  engine.start();
  engine.onRun(run("portal", kT0, true, 2500));
  engine.onRun(run("portal", kT0 + 4 * 60000, true, 2600));
  BOOST_TEST(engine.firing().empty());
  engine.onRun(run("portal", kT0 + 5 * 60000, true, 2700));
  BOOST_TEST(engine.firing().size() == 1U);
  engine.onRun(run("portal", kT0 + 6 * 60000, true, 300));
  BOOST_TEST(engine.firing().empty());
  // A dip resets the clock.
  engine.onRun(run("portal", kT0 + 7 * 60000, true, 2500));
  engine.onRun(run("portal", kT0 + 8 * 60000, true, 1500));
  engine.onRun(run("portal", kT0 + 13 * 60000, true, 2500));
  BOOST_TEST(engine.firing().empty());
  engine.stop();
}

BOOST_AUTO_TEST_CASE(a_health_signal_feeds_a_signal_rule) {
  FixedClock clock(kT0);
  AlertRule rule;
  rule.name = "item-red";
  rule.kind = "signal";
  rule.source = "health";
  AlertEngine engine({rule}, {}, nullptr, clock);
  engine.start();
  engine.onSignal({"health", "marriage/MR001", true, "no event today; 12 dead letters"});
  engine.onSignal({"health", "marriage/MR001", true, "still red"});
  engine.onSignal({"other", "marriage/MR001", true, "not this rule's source"});
  auto f = engine.firing();
  BOOST_TEST_REQUIRE(f.size() == 1U);
  BOOST_TEST(f[0].source == "health");
  BOOST_TEST(f[0].summary == "no event today; 12 dead letters");
  engine.onSignal({"health", "marriage/MR001", false, "green"});
  BOOST_TEST(engine.firing().empty());
  engine.stop();
}

BOOST_AUTO_TEST_CASE(silences_withhold_notices_and_maintenance_opens_nothing) {
  TempStore ts;
  FixedClock clock(kT0);
  auto rec = std::make_unique<RecordingNotifier>("ops");
  auto* ops = rec.get();
  std::vector<std::unique_ptr<Notifier>> notifiers;
  notifiers.push_back(std::move(rec));
  AlertRule rule;
  rule.name = "down";
  rule.kind = "consecutive_failures";
  rule.count = 1;
  AlertEngine engine({rule}, std::move(notifiers), ts.store.get(), clock, {1, 1});
  engine.start();
  engine.setWindows({{"upgrade", "check=portal", kT0, kT0 + 3600000}},
                    {{"db move", "check=db", kT0, kT0 + 3600000}});
  engine.onRun(run("portal", kT0 + 1000, false));
  engine.onRun(run("db", kT0 + 1000, false));
  engine.drain();
  auto f = engine.firing();
  BOOST_TEST_REQUIRE(f.size() == 1U);  // db is under maintenance
  BOOST_TEST(f[0].key == "portal");
  BOOST_TEST(f[0].silenced);
  BOOST_TEST(ops->notices.empty());
  auto d = ts.store->deliveries(f[0].id).value();
  BOOST_TEST_REQUIRE(d.size() == 1U);
  BOOST_TEST(d[0].outcome == "silenced");
  // After the maintenance window db alerts as usual.
  engine.onRun(run("db", kT0 + 3600000, false));
  engine.drain();
  BOOST_TEST(engine.firing().size() == 2U);
  BOOST_TEST(ops->notices.size() == 1U);
  engine.stop();
}

BOOST_AUTO_TEST_CASE(failed_sends_are_retried_and_the_outcome_recorded) {
  TempStore ts;
  FixedClock clock(kT0);
  std::vector<std::unique_ptr<Notifier>> notifiers;
  notifiers.push_back(std::make_unique<RecordingNotifier>("flaky", 2));
  notifiers.push_back(std::make_unique<RecordingNotifier>("dead", 100));
  AlertRule rule;
  rule.name = "down";
  rule.kind = "consecutive_failures";
  rule.count = 1;
  AlertEngine engine({rule}, std::move(notifiers), ts.store.get(), clock, {3, 1});
  engine.start();
  engine.onRun(run("portal", kT0, false));
  engine.drain();
  const auto id = engine.firing().at(0).id;
  auto d = ts.store->deliveries(id).value();
  BOOST_TEST_REQUIRE(d.size() == 2U);
  for (const auto& x : d) {
    BOOST_TEST(x.attempts == 3);
    BOOST_TEST(x.outcome == (x.channel == "flaky" ? "delivered" : "failed"));
    if (x.channel == "dead")
      BOOST_TEST(x.detail == "HTTP 502");
  }
  engine.stop();
}

BOOST_AUTO_TEST_CASE(the_fault_ticket_hook_hears_opened_and_resolved) {
  struct Hook : FaultTicketHook {
    std::vector<std::string> seen;
    void alertOpened(const AlertNotice& n) override { seen.push_back("open " + n.key); }
    void alertResolved(const AlertNotice& n) override { seen.push_back("resolved " + n.key); }
  } hook;
  FixedClock clock(kT0);
  AlertRule rule{"down", "consecutive_failures", {"portal"}, 1, "", 0, 0, "", {}};
  AlertEngine engine({rule}, {}, nullptr, clock);
  engine.setFaultTicketHook(&hook);
  engine.start();
  engine.onRun(run("portal", kT0, false));
  engine.onRun(run("other", kT0, false));  // not watched by the rule
  engine.onRun(run("portal", kT0 + 1000, true));
  engine.drain();
  BOOST_TEST(hook.seen == (std::vector<std::string>{"open portal", "resolved portal"}));
  engine.stop();
}

BOOST_AUTO_TEST_CASE(wecom_and_dingtalk_bodies_follow_the_robot_formats) {
  auto w = json::parse(wecomBody(notice()));
  BOOST_TEST_REQUIRE(w.ok());
  BOOST_TEST(std::string(w.value()["msgtype"].GetString()) == "markdown");
  const std::string content = w.value()["markdown"]["content"].GetString();
  BOOST_TEST(content.find("[告警] portal-down") != std::string::npos);
  BOOST_TEST(content.find("<font color=\"warning\">") != std::string::npos);
  BOOST_TEST(content.find("> 对象 (key): portal") != std::string::npos);
  auto resolved = json::parse(wecomBody(notice("resolved")));
  BOOST_TEST(std::string(resolved.value()["markdown"]["content"].GetString()).find("[恢复]") !=
             std::string::npos);

  auto d = json::parse(dingtalkBody(notice()));
  BOOST_TEST_REQUIRE(d.ok());
  BOOST_TEST(std::string(d.value()["msgtype"].GetString()) == "markdown");
  BOOST_TEST(std::string(d.value()["markdown"]["title"].GetString()) ==
             "[告警] portal-down · portal");
  BOOST_TEST(std::string(d.value()["markdown"]["text"].GetString()).find("- 摘要 (summary)") !=
             std::string::npos);

  auto g = json::parse(webhookBody(notice()));
  BOOST_TEST_REQUIRE(g.ok());
  BOOST_TEST(g.value()["alert_id"].GetInt64() == 42);
  BOOST_TEST(std::string(g.value()["opened_at"].GetString()) == "2026-03-02T10:00:00+08:00");
}

BOOST_AUTO_TEST_CASE(dingtalk_signature_is_hmac_sha256_of_timestamp_and_secret) {
  const std::string secret = "SECabc123";
  const std::string url = dingtalkSignedUrl("https://oapi.dingtalk.com/robot/send?access_token=T",
                                            secret, 1700000000000);
  BOOST_TEST(
      url.rfind("https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000&sign=",
                0) == 0);
  // Recompute independently.
  const std::string toSign = "1700000000000\n" + secret;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(toSign.data()), toSign.size(), mac, &len);
  std::string b64(64, '\0');
  b64.resize(static_cast<std::size_t>(
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), mac, static_cast<int>(len))));
  std::string sign = url.substr(url.find("&sign=") + 6);
  std::string decoded;
  Poco::URI::decode(sign, decoded);
  BOOST_TEST(decoded == b64);
  BOOST_TEST(sign.find('+') == std::string::npos);
  BOOST_TEST(sign.find('/') == std::string::npos);
  BOOST_TEST(sign.find('=') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(http_notifiers_post_to_a_local_sink_and_read_robot_answers) {
  FixedClock clock(kT0);
  HttpSink robot("{\"errcode\":0,\"errmsg\":\"ok\"}");
  auto wecom =
      makeHttpNotifier("wecom", "wecom", robot.url("/cgi-bin/webhook/send?key=K"), "", clock);
  auto sent = wecom->send(notice());
  BOOST_TEST_REQUIRE(sent.ok(), (sent.ok() ? "" : sent.error().message));
  BOOST_TEST(sent.value() == "HTTP 200 errcode 0");
  auto ding =
      makeHttpNotifier("ding", "dingtalk", robot.url("/robot/send?access_token=T"), "SECx", clock);
  BOOST_TEST(ding->send(notice()).ok());
  auto reqs = robot.requests();
  BOOST_TEST_REQUIRE(reqs.size() == 2U);
  BOOST_TEST(reqs[0].uri == "/cgi-bin/webhook/send?key=K");
  BOOST_TEST(reqs[0].contentType.find("application/json") == 0);
  BOOST_TEST(reqs[0].body == wecomBody(notice()));
  BOOST_TEST(reqs[1].uri.find("&timestamp=1772416800000&sign=") != std::string::npos);

  HttpSink refusing("{\"errcode\":310000,\"errmsg\":\"sign not match\"}");
  auto bad = makeHttpNotifier("ding", "dingtalk", refusing.url("/robot/send"), "", clock);
  auto r = bad->send(notice());
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().message.find("errcode 310000 sign not match") != std::string::npos);

  HttpSink hook("", 1);  // 500 first, then 200
  auto webhook = makeHttpNotifier("hook", "webhook", hook.url("/alerts"), "", clock);
  BOOST_TEST(!webhook->send(notice()).ok());
  BOOST_TEST(webhook->send(notice()).ok());
  BOOST_TEST(json::parse(hook.requests().at(1).body).ok());
}

BOOST_AUTO_TEST_CASE(email_goes_through_a_local_smtp_sink) {
  SmtpSink sink;
  EmailSettings s;
  s.host = "127.0.0.1";
  s.port = sink.port();
  s.from = "huitong@example.gov.cn";
  s.to = {"ops@example.gov.cn", "duty@example.gov.cn"};
  auto mail = makeEmailNotifier("mail", s);
  auto sent = mail->send(notice());
  BOOST_TEST_REQUIRE(sent.ok(), (sent.ok() ? "" : sent.error().message));
  auto mails = sink.mails();
  BOOST_TEST_REQUIRE(mails.size() == 1U);
  BOOST_TEST(mails[0].from.find("huitong@example.gov.cn") != std::string::npos);
  BOOST_TEST(mails[0].to.size() == 2U);
  BOOST_TEST(mails[0].data.find("Subject: =?UTF-8?") != std::string::npos);
  BOOST_TEST(mails[0].data.find("对象 (key): portal") != std::string::npos);
  // No server: a failure in words.
  s.port = 1;
  auto none = makeEmailNotifier("mail", s)->send(notice());
  BOOST_TEST(!none.ok());
}

BOOST_AUTO_TEST_CASE(availability_counts_ok_runs_over_the_schedules_slots) {
  TempStore ts;
  Cadence c;
  c.schedule = "5x8";
  c.intervalSeconds = 3600;  // hourly: 8 slots... office hours give 3 + 4 on the grid
  const auto& cal = WorkCalendar::china();
  const EpochMillis monday = kT0 - 10 * 3600000;  // 2026-03-02T00:00+08:00
  const auto slots = scheduledSlots("portal", c, cal, monday, monday + 86400000);
  BOOST_TEST(slots >= 6);
  BOOST_TEST(slots <= 8);
  // All but two slots ran ok; one failed, one never ran.
  std::vector<RunRecord> runs;
  EpochMillis t = monday;
  for (std::int64_t i = 0; i < slots - 1; ++i) {
    auto s = nextSlot("portal", c, cal, {}, t);
    t = s->at;
    runs.push_back(run("portal", t, i != 0));
  }
  BOOST_TEST_REQUIRE(ts.store->record(runs).ok());
  auto f = availability(*ts.store, "portal", c, cal, monday, monday + 86400000);
  BOOST_TEST_REQUIRE(f.ok());
  BOOST_TEST(f.value().scheduled == slots);
  BOOST_TEST(f.value().runs == slots - 1);
  BOOST_TEST(f.value().okRuns == slots - 2);
  BOOST_TEST(*f.value().ratio == static_cast<double>(slots - 2) / static_cast<double>(slots));
  // The month: the 1st (Sunday) has no slots and no figure; the 2nd has the one above.
  auto m = monthAvailability(*ts.store, "portal", c, cal, 2026, 3, monday + 86400000);
  BOOST_TEST_REQUIRE(m.ok());
  BOOST_TEST_REQUIRE(m.value().days.size() == 2U);
  BOOST_TEST(m.value().days[0].period == "2026-03-01");
  BOOST_TEST(!m.value().days[0].ratio.has_value());
  BOOST_TEST(m.value().month.period == "2026-03");
  BOOST_TEST(*m.value().month.ratio == *f.value().ratio);
  // After a downsample the figures are the same.
  BOOST_TEST(ts.store->downsample(monday + 2 * 86400000).ok());
  auto again = availability(*ts.store, "portal", c, cal, monday, monday + 86400000);
  BOOST_TEST(again.value().okRuns == f.value().okRuns);
}

BOOST_AUTO_TEST_CASE(availability_counts_slots_from_the_checks_first_run) {
  TempStore ts;
  Cadence c;
  c.schedule = "7x24";
  c.intervalSeconds = 3600;
  const auto& cal = WorkCalendar::china();
  const EpochMillis monday = kT0 - 10 * 3600000;  // 2026-03-02T00:00+08:00
  // Nothing kept yet: no figure, not 0 %.
  auto none = availability(*ts.store, "new", c, cal, monday, monday + 86400000);
  BOOST_TEST_REQUIRE(none.ok());
  BOOST_TEST(none.value().scheduled == 0);
  BOOST_TEST(!none.value().ratio.has_value());
  // Added on Tuesday at noon: every slot from then on ran ok.
  const EpochMillis tuesday = monday + 86400000;
  auto s = nextSlot("new", c, cal, {}, tuesday + 12 * 3600000);
  std::vector<RunRecord> runs;
  for (EpochMillis t = s->at; t < tuesday + 86400000; t += 3600000)
    runs.push_back(run("new", t, true));
  BOOST_TEST_REQUIRE(ts.store->record(runs).ok());
  auto first = ts.store->firstRun("new");
  BOOST_TEST_REQUIRE(first.ok());
  BOOST_TEST(first.value() == s->at);
  auto day = availability(*ts.store, "new", c, cal, tuesday, tuesday + 86400000);
  BOOST_TEST_REQUIRE(day.ok());
  BOOST_TEST(day.value().scheduled == static_cast<std::int64_t>(runs.size()));
  BOOST_TEST(*day.value().ratio == 1.0);
  // The month: Sunday 1st and Monday 2nd (before the check existed) have no figure; 100 %.
  auto m = monthAvailability(*ts.store, "new", c, cal, 2026, 3, tuesday + 86400000);
  BOOST_TEST_REQUIRE(m.ok());
  BOOST_TEST_REQUIRE(m.value().days.size() == 3U);
  BOOST_TEST(!m.value().days[0].ratio.has_value());
  BOOST_TEST(!m.value().days[1].ratio.has_value());
  BOOST_TEST(*m.value().month.ratio == 1.0);
  // Once the raw runs are rolled up (and later pruned), counting starts at the first hour.
  BOOST_TEST(ts.store->downsample(tuesday + 2 * 86400000).ok());
  auto rolled = ts.store->firstRun("new");
  BOOST_TEST_REQUIRE(rolled.ok());
  BOOST_TEST(rolled.value() <= s->at);
  BOOST_TEST(rolled.value() > s->at - 3600000);
}
