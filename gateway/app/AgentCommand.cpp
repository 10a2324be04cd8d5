#include "gateway/app/AgentCommand.h"

#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>

#include <Poco/Net/IPAddress.h>
#include <rapidjson/document.h>

#include "gateway/app/CommandLine.h"
#include "gateway/core/Clock.h"
#include "gateway/core/Json.h"
#include "gateway/monitor/host/AgentServer.h"
#include "gateway/monitor/host/HostReader.h"

namespace huitong::app {
namespace {

const char* const kAgentUsage =
    "usage: huitong agent --listen HOST:PORT --token-file FILE [--tls-cert FILE --tls-key FILE]\n"
    "                     [--threads N] [--proc DIR]\n"
    "       huitong agent --once [--proc DIR]\n"
    "\n"
    "Serves this host's figures to the gateway that monitors it (monitor.hosts entries with a\n"
    "\"url\"), until SIGINT or SIGTERM:\n"
    "  GET /v1/host    CPU %, load, memory, swap and per-mount disk and inode use as JSON\n"
    "  GET /metrics    the same as Prometheus text (huitong_host_* families)\n"
    "Every request needs Authorization: Bearer <token> (the token file's one line); others get\n"
    "401 application/problem+json. Prints \"listening on http://HOST:PORT\" on stdout when ready\n"
    "(port 0: a free port, the line names it), then one line per request on stderr.\n"
    "\n"
    "  --listen HOST:PORT   address to serve, e.g. 10.0.0.12:9700 or 127.0.0.1:0\n"
    "  --token-file FILE    the bearer token, one line of 16+ characters (openssl rand -hex 32);\n"
    "                       keep it readable by the agent's user only (chmod 600)\n"
    "  --tls-cert FILE      serve HTTPS (TLS 1.2+) with this PEM certificate chain; prints\n"
    "                       \"listening on https://HOST:PORT\"\n"
    "  --tls-key FILE       the certificate's private key (PEM, unencrypted)\n"
    "  --threads N          requests served at once (default 4)\n"
    "  --proc DIR           read DIR instead of /proc (tests, a host's /proc mounted elsewhere)\n"
    "  --once               print the figures once as JSON and exit (same as `huitong host`)\n"
    "\n"
    "Without --tls-cert the agent speaks plain HTTP: serve it only on the private network\n"
    "between the DB server and the gateway.\n"
    "\n"
    "exit codes: 0 stopped by signal, --once printed, or --help; 2 bad usage, unreadable token\n"
    "file, certificate or /proc, address not usable\n";

const char* const kHostUsage =
    "usage: huitong host [--proc DIR]\n"
    "\n"
    "Prints this host's figures as JSON (what `huitong agent` serves at GET /v1/host): CPU %\n"
    "over 200 ms, load 1/5/15, memory and swap, and per real mount disk and inode use as df\n"
    "computes them.\n"
    "\n"
    "exit codes: 0 printed; 2 bad usage or /proc unreadable\n";

int usage(const char* verb, const std::string& message) {
  std::cerr << "huitong " << verb << ": " << message << "\n(huitong " << verb
            << " --help for the options)\n";
  return kExitUsage;
}

int printOnce(const std::string& procRoot) {
  SystemClock clock;
  monitor::host::HostReader::Options o;
  o.procRoot = procRoot;
  monitor::host::HostReader reader(o, clock);
  auto figures = reader.read();
  if (!figures.ok()) {
    std::cerr << "huitong host: " << figures.error().describe() << "\n";
    return kExitUsage;
  }
  rapidjson::Document d;
  std::cout << json::writePretty(monitor::host::toJson(figures.value(), d.GetAllocator())) << "\n";
  return kExitOk;
}

struct Listen {
  std::string host;
  std::uint16_t port = 0;
};

std::optional<Listen> parseListen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return std::nullopt;
  Listen l;
  l.host = text.substr(0, colon);
  if (l.host.size() >= 2 && l.host.front() == '[' && l.host.back() == ']')
    l.host = l.host.substr(1, l.host.size() - 2);
  if (l.host == "localhost")
    l.host = "127.0.0.1";
  const std::string port = text.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const unsigned long p = std::stoul(port);
  Poco::Net::IPAddress ip;
  if (p > 65535 || !Poco::Net::IPAddress::tryParse(l.host, ip))
    return std::nullopt;
  l.port = static_cast<std::uint16_t>(p);
  return l;
}

}  // namespace

int runHost(const std::vector<std::string>& args) {
  std::string error;
  const auto a = Arguments::parse(args, {"help"}, {"proc"}, error);
  if (!a)
    return usage("host", error);
  if (a->has("help")) {
    std::cout << kHostUsage;
    return kExitOk;
  }
  if (!a->positionals().empty())
    return usage("host", "unexpected argument '" + a->positionals()[0] + "'");
  return printOnce(a->get("proc", "/proc"));
}

int runAgent(const std::vector<std::string>& args) {
  std::string error;
  const auto a =
      Arguments::parse(args, {"help", "once"},
                       {"listen", "token-file", "threads", "proc", "tls-cert", "tls-key"}, error);
  if (!a)
    return usage("agent", error);
  if (a->has("help")) {
    std::cout << kAgentUsage;
    return kExitOk;
  }
  if (!a->positionals().empty())
    return usage("agent", "unexpected argument '" + a->positionals()[0] + "'");
  if (a->has("once")) {
    if (a->has("listen") || a->has("token-file") || a->has("threads") || a->has("tls-cert"))
      return usage("agent",
                   "--once prints and exits: --listen, --token-file and --threads "
                   "do not apply");
    return printOnce(a->get("proc", "/proc"));
  }
  if (!a->has("listen"))
    return usage("agent", "--listen HOST:PORT is required (e.g. 10.0.0.12:9700)");
  if (!a->has("token-file"))
    return usage("agent", "--token-file FILE is required: the agent never serves without a token");
  const auto listen = parseListen(a->get("listen"));
  if (!listen)
    return usage("agent", "--listen wants an IP address and a port, e.g. 127.0.0.1:9700, not '" +
                              a->get("listen") + "'");
  monitor::host::AgentOptions options;
  options.host = listen->host;
  options.port = listen->port;
  if (a->has("threads")) {
    const std::string t = a->get("threads");
    if (t.empty() || t.size() > 3 || t.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(t) < 1 || std::stoul(t) > 64)
      return usage("agent", "--threads wants a number from 1 to 64");
    options.threads = static_cast<unsigned>(std::stoul(t));
  }
  const std::string tokenFile = a->get("token-file");
  std::string token;
  if (!readFile(tokenFile, token, error))
    return usage("agent", error);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (token.size() < 16 || token.find_first_of(" \t\r\n") != std::string::npos)
    return usage("agent", tokenFile +
                              ": must hold one token of 16 or more characters on one line "
                              "(e.g. openssl rand -hex 32 > " +
                              tokenFile + ")");
  struct stat st {};
  if (::stat(tokenFile.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    std::cerr << "huitong agent: warning: " << tokenFile
              << " is readable by other users; chmod 600 it\n";
  }
  options.token = token;
  if (a->has("tls-cert") != a->has("tls-key"))
    return usage("agent", "--tls-cert and --tls-key go together");
  options.tlsCertificateFile = a->get("tls-cert");
  options.tlsPrivateKeyFile = a->get("tls-key");
  options.reader.procRoot = a->get("proc", "/proc");
  auto logMutex = std::make_shared<std::mutex>();
  options.requestLog = [logMutex](const std::string& method, const std::string& path, int status,
                                  double ms) {
    static const SystemClock clock;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", ms);
    const std::string line = formatRfc3339(clock.now()) + " " + method + " " + path + " " +
                             std::to_string(status) + " " + buf + " ms\n";
    std::lock_guard<std::mutex> lock(*logMutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
  };

  // A first read before serving: an unreadable /proc is a startup error, not a 503 later.
  {
    SystemClock clock;
    monitor::host::HostReader probe(options.reader, clock);
    if (auto r = probe.read(); !r.ok()) {
      std::cerr << "huitong agent: " << r.error().describe() << "\n";
      return kExitUsage;
    }
  }

  // Block the signals before the server's threads exist, so that only sigwait() sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &signals, &previous);
  int exitCode = kExitOk;
  {
    SystemClock clock;
    monitor::host::AgentServer server(std::move(options), clock);
    if (auto started = server.start(); !started.ok()) {
      std::cerr << "huitong agent: " << started.error().describe() << "\n";
      exitCode = kExitUsage;
    } else {
      const bool v6 = listen->host.find(':') != std::string::npos;
      std::cout << "listening on " << (a->has("tls-cert") ? "https" : "http") << "://"
                << (v6 ? "[" + listen->host + "]" : listen->host) << ":" << server.port()
                << std::endl;
      int received = 0;
      sigwait(&signals, &received);
      std::cerr << "huitong agent: " << (received == SIGINT ? "SIGINT" : "SIGTERM")
                << ", stopping\n";
      server.stop();
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return exitCode;
}

}  // namespace huitong::app
