// `huitong mock-platform` (runMockPlatform): usage errors, loopback only by default, and a run
// that serves until SIGTERM and exits 0.
#include <boost/test/unit_test.hpp>

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Net/ServerSocket.h>

#include "PlatformHarness.h"
#include "sandbox/mock_platform/MockPlatformCommand.h"

namespace hs = huitong::sandbox;

BOOST_AUTO_TEST_SUITE(command)

BOOST_AUTO_TEST_CASE(help_and_usage_errors) {
  BOOST_TEST(hs::runMockPlatform({"--help"}) == 0);
  BOOST_TEST(hs::runMockPlatform({"--bogus"}) == 2);
  BOOST_TEST(hs::runMockPlatform({"--listen"}) == 2);
  BOOST_TEST(hs::runMockPlatform({"--listen", "127.0.0.1"}) == 2);
  BOOST_TEST(hs::runMockPlatform({"--listen", "127.0.0.1:70000"}) == 2);
  BOOST_TEST(hs::runMockPlatform({"--threads", "0"}) == 2);
  BOOST_TEST(hs::runMockPlatform({"--allow-non-loopback=yes"}) == 2);
}

BOOST_AUTO_TEST_CASE(refuses_non_loopback_without_the_flag) {
  BOOST_TEST(hs::runMockPlatform({"--listen", "0.0.0.0:0"}) == 2);
  BOOST_TEST(hs::runMockPlatform({"--listen=192.0.2.1:8089"}) == 2);
  BOOST_TEST(hs::runMockPlatform({"--listen", "example.org:8089"}) == 2);
  // With the flag it gets as far as binding (192.0.2.1 is not ours: 2, cannot bind).
  BOOST_TEST(hs::runMockPlatform({"--listen", "192.0.2.1:8089", "--allow-non-loopback"}) == 2);
}

BOOST_AUTO_TEST_CASE(serves_until_sigterm_and_exits_0) {
  std::uint16_t port = 0;
  {
    Poco::Net::ServerSocket probe(0);
    port = probe.address().port();
  }
  int exitCode = -1;
  std::thread runner([&] {
    exitCode = hs::runMockPlatform(
        {"--listen", "127.0.0.1:" + std::to_string(port), "--token", "t0k", "--threads", "4"});
  });
  hs::test::Answer a;
  for (int attempt = 0; attempt < 100 && a.status != 200; ++attempt) {
    try {
      hs::test::Client c(port);
      a = c.send("GET", "/exchange/v1/health", "", "", {{"Authorization", "Bearer t0k"}});
    } catch (const Poco::Exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  BOOST_TEST(a.status == 200);
  {
    hs::test::Client c(port);
    BOOST_TEST(c.get("/exchange/v1/health").status == 401);
  }
  // The signal goes to the runner thread, where it is blocked and sigwait()ed.
  BOOST_REQUIRE(pthread_kill(runner.native_handle(), SIGTERM) == 0);
  runner.join();
  BOOST_TEST(exitCode == 0);
}

BOOST_AUTO_TEST_SUITE_END()
