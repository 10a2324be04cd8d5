// Crash: 8 concurrent clients submit distinct signed messages; the gateway is killed with
// SIGKILL mid-run (twice) and restarted on the same store; clients send again what got no
// answer. Afterwards every event of every message answered 202 is held by the platform once,
// none is missing, none conflicted, and the events of each case arrived in stage order.
#include <csignal>
#include <memory>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "tests/integration/Harness.h"

using namespace huitong::integration;
using namespace std::chrono_literals;

namespace {

constexpr int kClients = 8;
constexpr int kMessages = 5000;

}  // namespace

BOOST_AUTO_TEST_SUITE(crash)

BOOST_AUTO_TEST_CASE(sigkill_mid_load_loses_nothing_and_keeps_case_order) {
  TempDir dir("huitong-it-crash");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  const DepartmentCredential marriage = makeCredential("marriage");
  GatewayOptions o = deliveringTo(dir.path(), platform, {marriage});
  GatewayProcess gateway(dir.path(), o);
  BOOST_TEST_MESSAGE("store: " << o.store.kind << "; gateway on port " << gateway.port()
                               << ", mock platform on " << platform.port());

  std::atomic<int> port{gateway.port()};
  LoadPlan plan;
  plan.cases = kMessages / kMarriageStages;
  plan.clients = kClients;
  plan.casePrefix = "HYCR";
  Load load(plan, marriage, port);
  const auto start = std::chrono::steady_clock::now();
  load.start();

  // Kill at about 30 % and 65 % of the answers; restart at once on the same config.
  int kills = 0;
  for (const double share : {0.30, 0.65}) {
    const int at = static_cast<int>(share * static_cast<double>(load.size()));
    while (load.answered() < at && load.finished() < static_cast<int>(load.size()))
      std::this_thread::sleep_for(5ms);
    if (load.finished() >= static_cast<int>(load.size()))
      break;
    const int answeredAtKill = load.answered();
    gateway.crash();
    ++kills;
    const auto held = platform.receivedTotal();  // not inside the message: it logs too
    BOOST_TEST_MESSAGE("SIGKILL at " << answeredAtKill << " answers, " << secondsSince(start)
                                     << " s; platform holds " << held);
    std::this_thread::sleep_for(300ms);  // clients meet a dead port meanwhile
    gateway.start();
    port = gateway.port();
    BOOST_TEST_MESSAGE("restarted on port " << gateway.port() << " at " << secondsSince(start)
                                            << " s");
  }
  load.join();
  const double loadSeconds = secondsSince(start);
  BOOST_TEST(kills == 2);

  int accepted = 0, other = 0;
  for (const auto& s : load.sent()) {
    if (s.status == 202) {
      ++accepted;
    } else if (++other <= 20) {
      BOOST_ERROR(s.message->eventId << ": final answer " << s.status << " after " << s.attempts
                                     << " attempts: " << s.lastBody.substr(0, 300));
    }
  }
  BOOST_TEST_MESSAGE(load.size() << " messages in " << loadSeconds << " s: " << accepted
                                 << " answered 202, " << other << " not; " << load.retriedMessages()
                                 << " sent more than once, " << load.transportErrors()
                                 << " transport errors");
  BOOST_TEST(accepted == static_cast<int>(load.size()));

  const bool drained = waitForDrain(platform, gateway, accepted, 300s);
  BOOST_TEST(drained, "the backlog did not drain");
  BOOST_TEST_MESSAGE("drained " << secondsSince(start) - loadSeconds << " s after the load");
  BOOST_TEST(checkDelivery(load.sent(), platform) == 0);

  // Messages sent more than once were answered once each (a repeat returns the first answer)
  // and their status says delivered, with the platform's receipt.
  const auto repeats =
      gateway.metric("huitong_intake_messages_total{system=\"marriage\",outcome=\"repeat\"}");
  BOOST_TEST_MESSAGE("repeats seen by the last gateway process: " << repeats.value_or(0));
  HttpClient c(gateway.port());
  int checked = 0;
  for (const auto& s : load.sent()) {
    if (s.attempts < 2 || s.messageId.empty())
      continue;
    ++checked;
    const Answer a = signedGet(c, marriage, "/intake/v1/marriage/messages/" + s.messageId);
    BOOST_TEST(a.status == 200, s.messageId << ": " << a.status << " " << a.body);
    BOOST_TEST(a.body.find("\"state\":\"delivered\"") != std::string::npos, a.body);
    BOOST_TEST(a.body.find("\"receipt_no\":\"MP") != std::string::npos, a.body);
  }
  BOOST_TEST_MESSAGE("status of " << checked << " messages sent more than once: delivered");
  BOOST_TEST(gateway.stop() == 0, "serve did not exit 0 on SIGTERM");
}

BOOST_AUTO_TEST_SUITE_END()
