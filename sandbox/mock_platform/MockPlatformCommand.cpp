#include "sandbox/mock_platform/MockPlatformCommand.h"

#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <Poco/Net/IPAddress.h>

#include "gateway/core/Clock.h"
#include "sandbox/mock_platform/MockPlatform.h"

namespace huitong::sandbox {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;

const char* const kUsage =
    "usage: huitong mock-platform [--listen HOST:PORT] [--token T] [--threads N] [--seed N]\n"
    "                             [--max-events N] [--allow-non-loopback]\n"
    "                             [--tls-cert FILE --tls-key FILE [--tls-port N]\n"
    "                              [--client-ca FILE]] [--help]\n"
    "\n"
    "Serves the platform's exchange interface (exchange-interface.md) and a control API for\n"
    "fault injection under /control/v1 (no token; see sandbox/mock_platform/README.md) until\n"
    "SIGINT or SIGTERM. Prints \"listening on http://HOST:PORT\" on stdout, then one line per\n"
    "request (method, path, status, milliseconds) on stderr.\n"
    "\n"
    "  --listen HOST:PORT     address to serve (default 127.0.0.1:0: a free port)\n"
    "  --token T              require Authorization: Bearer T on /exchange/v1\n"
    "  --threads N            connections served at once (default 32)\n"
    "  --seed N               seed of the fault RNG (default 20261128)\n"
    "  --max-events N         events held before answering 503 (default 1000000)\n"
    "  --allow-non-loopback   serve on an address other than loopback (the control API has no\n"
    "                         authentication: anyone who reaches it can change the faults)\n"
    "  --tls-cert FILE        also serve everything over HTTPS (TLS 1.2+) with this PEM\n"
    "                         certificate chain; prints \"listening on https://HOST:PORT\"\n"
    "  --tls-key FILE         the certificate's private key (PEM, unencrypted)\n"
    "  --tls-port N           port of the HTTPS listener (default 0: a free one)\n"
    "  --client-ca FILE       HTTPS clients must present a certificate issued by these CAs\n"
    "\n"
    "exit codes: 0 stopped by signal or --help; 2 bad usage or address not usable\n";

int usageError(const std::string& message) {
  std::cerr << "huitong mock-platform: " << message
            << "\n(huitong mock-platform --help for the options)\n";
  return kExitUsage;
}

std::optional<std::uint64_t> parseNumber(const std::string& s, std::uint64_t min,
                                         std::uint64_t max) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const std::uint64_t v = std::stoull(s);
  if (v < min || v > max) {
    return std::nullopt;
  }
  return v;
}

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
  bool loopback = false;
};

// "127.0.0.1:8089", "localhost:0", "[::1]:8089".
std::optional<ListenAddress> parseListen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return std::nullopt;
  }
  ListenAddress a;
  a.host = text.substr(0, colon);
  if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']') {
    a.host = a.host.substr(1, a.host.size() - 2);
  }
  const auto port = parseNumber(text.substr(colon + 1), 0, 65535);
  if (!port || a.host.empty()) {
    return std::nullopt;
  }
  a.port = static_cast<std::uint16_t>(*port);
  if (a.host == "localhost") {
    a.host = "127.0.0.1";
  }
  Poco::Net::IPAddress ip;
  a.loopback = Poco::Net::IPAddress::tryParse(a.host, ip) && ip.isLoopback();
  return a;
}

}  // namespace

int runMockPlatform(const std::vector<std::string>& args) {
  const std::map<std::string, bool> known = {
      {"--listen", true},  {"--token", true},      {"--threads", true},
      {"--seed", true},    {"--max-events", true}, {"--allow-non-loopback", false},
      {"--help", false},   {"-h", false},          {"--tls-cert", true},
      {"--tls-key", true}, {"--tls-port", true},   {"--client-ca", true}};
  std::map<std::string, std::string> given;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::optional<std::string> value;
    if (const auto eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const auto it = known.find(name);
    if (it == known.end()) {
      return usageError("unknown argument '" + args[i] + "'");
    }
    if (it->second && !value) {
      if (i + 1 >= args.size()) {
        return usageError(name + " needs a value");
      }
      value = args[++i];
    } else if (!it->second && value) {
      return usageError(name + " takes no value");
    }
    given[name] = value.value_or("");
  }
  if (given.count("--help") != 0 || given.count("-h") != 0) {
    std::cout << kUsage;
    return kExitOk;
  }

  MockPlatform::Options options;
  const std::string listen = given.count("--listen") ? given["--listen"] : "127.0.0.1:0";
  const auto address = parseListen(listen);
  if (!address) {
    return usageError("--listen wants HOST:PORT, e.g. 127.0.0.1:8089, not '" + listen + "'");
  }
  if (!address->loopback && given.count("--allow-non-loopback") == 0) {
    return usageError("refusing to serve on " + listen +
                      ": not a loopback address (the control API is unauthenticated); add "
                      "--allow-non-loopback to do it anyway");
  }
  options.host = address->host;
  options.port = address->port;
  options.bearerToken = given.count("--token") ? given["--token"] : "";
  if (given.count("--threads")) {
    const auto n = parseNumber(given["--threads"], 1, 1024);
    if (!n) {
      return usageError("--threads wants a number from 1 to 1024");
    }
    options.threads = static_cast<unsigned>(*n);
  }
  if (given.count("--seed")) {
    const auto n = parseNumber(given["--seed"], 0, UINT64_MAX);
    if (!n) {
      return usageError("--seed wants a non-negative integer");
    }
    options.seed = *n;
  }
  if (given.count("--max-events")) {
    const auto n = parseNumber(given["--max-events"], 1, 100000000);
    if (!n) {
      return usageError("--max-events wants a number from 1 to 100000000");
    }
    options.maxStoredEvents = static_cast<std::size_t>(*n);
  }
  if (given.count("--tls-cert") != given.count("--tls-key"))
    return usageError("--tls-cert and --tls-key go together");
  if (given.count("--tls-cert") == 0 &&
      (given.count("--tls-port") != 0 || given.count("--client-ca") != 0)) {
    return usageError("--tls-port and --client-ca need --tls-cert and --tls-key");
  }
  if (given.count("--tls-cert")) {
    options.tlsCertificateFile = given["--tls-cert"];
    options.tlsPrivateKeyFile = given["--tls-key"];
    options.tlsClientCaFile = given.count("--client-ca") ? given["--client-ca"] : "";
    if (given.count("--tls-port")) {
      const auto n = parseNumber(given["--tls-port"], 0, 65535);
      if (!n)
        return usageError("--tls-port wants a number from 0 to 65535");
      options.tlsPort = static_cast<std::uint16_t>(*n);
    }
  }
  auto logMutex = std::make_shared<std::mutex>();
  options.requestLog = [logMutex](const RequestLogEntry& e) {
    static const SystemClock clock;
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.1f", e.millis);
    const std::string line = formatRfc3339(clock.now()) + " " + e.method + " " + e.path + " " +
                             std::to_string(e.status) + " " + ms + " ms " + e.requestId + "\n";
    std::lock_guard<std::mutex> lock(*logMutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
  };

  // Block the signals before the server's threads exist, so that only sigwait() sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &signals, &previous);

  int exitCode = kExitOk;
  {
    MockPlatform platform(std::move(options));
    if (auto started = platform.start(); !started.ok()) {
      std::cerr << "huitong mock-platform: " << started.error().describe() << "\n";
      exitCode = kExitUsage;
    } else {
      const bool v6 = address->host.find(':') != std::string::npos;
      const std::string host = v6 ? "[" + address->host + "]" : address->host;
      std::cout << "listening on http://" << host << ":" << platform.port() << std::endl;
      if (platform.tlsPort() != 0)
        std::cout << "listening on https://" << host << ":" << platform.tlsPort() << std::endl;
      int received = 0;
      sigwait(&signals, &received);
      std::cerr << "huitong mock-platform: " << (received == SIGINT ? "SIGINT" : "SIGTERM")
                << ", stopping\n";
      platform.stop();
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return exitCode;
}

}  // namespace huitong::sandbox
