// The monitoring load test of issue 7 (README.md): N checks (default 500) at a 10 s interval,
// 7x24, each an HTTP GET with the probe library against a local Poco HTTP server (or a TCP
// connect), driven for a bounded time by the real MonitorService (Scheduler with its worker
// pool, results written to a SQLite results store, alerts evaluated) and then, as the peer in
// the same run, by a naive loop of one thread per check sleeping until its slot. Prints each
// side's lateness p50/p99/max, runs done against slots due, skipped slots and CPU time, and the
// ratios. Exits 1 only when a side crashed or its checks did not do their work (not for slowness).
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include "gateway/core/Json.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/monitor/probe/ProbeConfig.h"
#include "gateway/monitor/schedule/MonitorService.h"
#include "gateway/monitor/schedule/Schedule.h"
#include "gateway/monitor/schedule/TcpCheck.h"

using namespace huitong;
using namespace huitong::monitor;
using namespace huitong::monitor::schedule;

namespace {

struct Options {
  int checks = 500;
  unsigned interval = 10;
  int seconds = 60;
  unsigned workers = 4;  // the config's default (monitor.workers)
  std::string kind = "http";
};

// --- the target: a Poco HTTP server in a child process, so each side's CPU time is the
// client's alone. It lives until the parent closes the pipe (or dies).

class OkHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& res) override {
    req.stream().ignore(1 << 20);
    const std::string body = "{\"status\":\"ok\"}\n";
    res.setContentType("application/json");
    res.setContentLength(static_cast<std::streamsize>(body.size()));
    res.setKeepAlive(false);
    res.send() << body;
  }
};

class OkFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new OkHandler;
  }
};

[[noreturn]] void serveTarget(int portFd, int lifeFd) {
  Poco::ThreadPool pool(8, 64);
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 512);
  auto* params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(false);
  params->setMaxQueued(1024);
  params->setMaxThreads(64);
  Poco::Net::HTTPServer server(new OkFactory, pool, socket, params);
  server.start();
  const unsigned short port = socket.address().port();
  if (write(portFd, &port, sizeof port) != static_cast<ssize_t>(sizeof port))
    std::_Exit(3);
  close(portFd);
  char c = 0;
  while (read(lifeFd, &c, 1) > 0) {
  }
  server.stopAll(true);
  std::_Exit(0);
}

struct Target {
  pid_t pid = -1;
  int lifeFd = -1;
  unsigned short port = 0;
};

Target startTarget() {
  int portPipe[2], lifePipe[2];
  if (pipe(portPipe) != 0 || pipe(lifePipe) != 0) {
    std::perror("pipe");
    std::exit(2);
  }
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(2);
  }
  if (pid == 0) {
    close(portPipe[0]);
    close(lifePipe[1]);
    serveTarget(portPipe[1], lifePipe[0]);
  }
  close(portPipe[1]);
  close(lifePipe[0]);
  Target t;
  t.pid = pid;
  t.lifeFd = lifePipe[1];
  if (read(portPipe[0], &t.port, sizeof t.port) != static_cast<ssize_t>(sizeof t.port)) {
    std::cerr << "the target server did not start\n";
    std::exit(2);
  }
  close(portPipe[0]);
  return t;
}

void stopTarget(Target& t) {
  close(t.lifeFd);
  int status = 0;
  waitpid(t.pid, &status, 0);
}

// --- the checks: built from a monitor block as the gateway builds them.

std::vector<ScheduledCheck> makeChecks(const Options& o, unsigned short port) {
  std::string block = o.kind == "tcp" ? "{\"tcp\":[" : "{\"probes\":[";
  for (int i = 0; i < o.checks; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "c%03d", i);
    const std::string cadence =
        ",\"schedule\":\"7x24\",\"interval_s\":" + std::to_string(o.interval) +
        ",\"timeout_ms\":5000}";
    if (o.kind == "tcp")
      block += std::string(i ? "," : "") + "{\"id\":\"" + id +
               "\",\"host\":\"127.0.0.1\",\"port\":" + std::to_string(port) + cadence;
    else
      block += std::string(i ? "," : "") + "{\"id\":\"" + id +
               "\",\"url\":\"http://127.0.0.1:" + std::to_string(port) + "/status/" + id + "\"" +
               cadence;
  }
  block += "]}";
  static rapidjson::Document doc;  // ConfigNode keeps a pointer to it
  auto parsed = json::parse(block);
  if (!parsed.ok()) {
    std::cerr << "bench config: " << parsed.error().describe() << "\n";
    std::exit(2);
  }
  doc = std::move(parsed.value());
  ConfigNode node(
      doc, "/monitor", [](const std::string& p) { return "bench#" + p; }, ".");
  auto checks = o.kind == "tcp" ? readTcpChecks(node) : probe::readProbes(node);
  if (!checks.ok()) {
    std::cerr << "bench config: " << checks.error().describe() << "\n";
    std::exit(2);
  }
  return std::move(checks).value();
}

// --- what each side reports.

double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Run {
  std::string checkId;
  EpochMillis dueAt = 0;
  double latenessMs = 0;
  CheckStatus status = CheckStatus::kOk;
};

struct Figures {
  std::string name;
  std::vector<Run> runs;
  std::uint64_t skipped = 0;
  std::int64_t due = 0, doneOnDue = 0;
  double p50 = 0, p99 = 0, max = 0, cpu = 0, wall = 0;
  std::map<CheckStatus, std::int64_t> statuses;
  std::string threads;
};

void summarize(Figures& f, const std::vector<ScheduledCheck>& checks, EpochMillis from,
               EpochMillis to) {
  // Slots due from the start to 2 s before the stop (a slot in the last instant may not have
  // started yet; that is the stop, not lateness).
  const EpochMillis dueUntil = to - 2000;
  for (const auto& sc : checks)
    f.due += scheduledSlots(sc.check->id(), sc.cadence, WorkCalendar::china(), from + 1, dueUntil);
  std::vector<double> lateness;
  for (const auto& r : f.runs) {
    lateness.push_back(r.latenessMs);
    f.statuses[r.status]++;
    if (r.dueAt > from && r.dueAt < dueUntil)
      f.doneOnDue++;
  }
  std::sort(lateness.begin(), lateness.end());
  auto pct = [&](double p) {
    if (lateness.empty())
      return 0.0;
    const auto i = static_cast<std::size_t>(p * static_cast<double>(lateness.size() - 1) + 0.5);
    return lateness[std::min(i, lateness.size() - 1)];
  };
  f.p50 = pct(0.50);
  f.p99 = pct(0.99);
  f.max = lateness.empty() ? 0 : lateness.back();
}

// --- side 1: the real MonitorService (Scheduler, SQLite results store, alerts).

Figures runService(const Options& o, std::vector<ScheduledCheck> checks,
                   const std::filesystem::path& dir) {
  Figures f;
  f.name = "MonitorService (" + std::to_string(o.workers) + " workers)";
  storage::StoreConfig sc;
  sc.kind = "sqlite";
  sc.path = (dir / "results.db").string();
  auto store = ResultsStore::open(sc);
  if (!store.ok()) {
    std::cerr << "results store: " << store.error().describe() << "\n";
    std::exit(2);
  }
  SystemClock clock;
  AlertRule rule;
  rule.name = "down";
  rule.kind = "consecutive_failures";
  rule.count = 3;
  auto engine = std::make_unique<AlertEngine>(std::vector<AlertRule>{rule},
                                              std::vector<std::unique_ptr<Notifier>>{},
                                              store.value().get(), clock);
  MonitorSettings settings;
  settings.scheduler.workers = o.workers;
  const auto copy = checks;
  MonitorService service(std::move(checks), *store.value(), std::move(engine), clock,
                         WorkCalendar::china(), settings);
  std::mutex mu;
  service.setRunListener([&](const RunRecord& r) {
    std::lock_guard<std::mutex> lock(mu);
    f.runs.push_back(Run{r.result.checkId, r.dueAt, r.latenessMs, r.result.status});
  });
  const double cpu0 = cpuSeconds();
  const auto w0 = std::chrono::steady_clock::now();
  const EpochMillis from = clock.now();
  service.start();
  std::this_thread::sleep_for(std::chrono::seconds(o.seconds));
  const EpochMillis to = clock.now();
  for (const auto& s : service.scheduler().snapshot())
    f.skipped += s.skippedSlots;
  service.stop();
  f.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  f.cpu = cpuSeconds() - cpu0;
  f.threads = std::to_string(o.workers + 4);  // workers, planner, chores, alerts' sender
  std::lock_guard<std::mutex> lock(mu);
  summarize(f, copy, from, to);
  auto stored = store.value()->results(copy.front().check->id(), from, to + 60000, 100000);
  if (stored.ok())
    f.threads += ", stored " + std::to_string(stored.value().size()) + " runs of " +
                 copy.front().check->id();
  return f;
}

// --- side 2: the peer — one thread per check, sleeping until its slot (the same grid), running
// the check and planning the next slot after it; nothing stored, no alerts (favours the peer).

Figures runNaive(const Options& o, const std::vector<ScheduledCheck>& checks) {
  Figures f;
  f.name = "thread per check (" + std::to_string(checks.size()) + " threads)";
  SystemClock clock;
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  const double cpu0 = cpuSeconds();
  const auto w0 = std::chrono::steady_clock::now();
  const EpochMillis from = clock.now();
  std::vector<std::thread> threads;
  threads.reserve(checks.size());
  for (const auto& sc : checks) {
    threads.emplace_back([&, sc] {
      const std::string id = sc.check->id();
      EpochMillis after = from;
      while (true) {
        auto slot = nextSlot(id, sc.cadence, WorkCalendar::china(), {}, after);
        if (!slot)
          return;
        const auto wakeAt =
            std::chrono::system_clock::time_point(std::chrono::milliseconds(slot->at));
        {
          std::unique_lock<std::mutex> lock(mu);
          if (cv.wait_until(lock, wakeAt, [&] { return stopping; }))
            return;
        }
        const EpochMillis started = clock.now();
        RunContext ctx;
        ctx.clock = &clock;
        ctx.timeoutMs = sc.cadence.timeoutMs;
        const CheckResult r = sc.check->run(ctx);
        const EpochMillis now = clock.now();
        std::lock_guard<std::mutex> lock(mu);
        f.runs.push_back(Run{id, slot->at,
                             static_cast<double>(std::max<EpochMillis>(0, started - slot->at)),
                             r.status});
        if (now > slot->at)
          f.skipped += static_cast<std::uint64_t>(std::max<std::int64_t>(
              0, scheduledSlots(id, sc.cadence, WorkCalendar::china(), slot->at + 1, now + 1)));
        after = std::max(slot->at, now);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(o.seconds));
  const EpochMillis to = clock.now();
  {
    std::lock_guard<std::mutex> lock(mu);
    stopping = true;
  }
  cv.notify_all();
  for (auto& t : threads)
    t.join();
  f.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  f.cpu = cpuSeconds() - cpu0;
  f.threads = std::to_string(checks.size());
  std::lock_guard<std::mutex> lock(mu);
  summarize(f, checks, from, to);
  return f;
}

void print(const Figures& f) {
  std::printf(
      "%-34s %7.1f %7.1f %8.1f %6lld %6lld %7llu %7.2f %6.1f  ok %lld, fail %lld, error "
      "%lld\n",
      f.name.c_str(), f.p50, f.p99, f.max, static_cast<long long>(f.doneOnDue),
      static_cast<long long>(f.due), static_cast<unsigned long long>(f.skipped), f.cpu, f.wall,
      static_cast<long long>(f.statuses.count(CheckStatus::kOk) ? f.statuses.at(CheckStatus::kOk)
                                                                : 0),
      static_cast<long long>(
          f.statuses.count(CheckStatus::kFail) ? f.statuses.at(CheckStatus::kFail) : 0),
      static_cast<long long>(
          f.statuses.count(CheckStatus::kError) ? f.statuses.at(CheckStatus::kError) : 0));
}

double ratio(double a, double b) {
  return b <= 0 ? 0 : a / b;
}

constexpr const char* kUsage =
    "usage: huitong_bench_monitor [--checks N] [--interval S] [--seconds S] [--workers N]\n"
    "                             [--kind http|tcp]\n"
    "N checks (500) every S s (10), 7x24, each an HTTP GET (or TCP connect) to a local server,\n"
    "run for S s (60) by MonitorService and then by one thread per check; prints lateness,\n"
    "runs done against slots due, skipped slots and CPU time of both, and the ratios.\n";

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n" << kUsage;
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--checks")
      o.checks = std::atoi(next().c_str());
    else if (a == "--interval")
      o.interval = static_cast<unsigned>(std::atoi(next().c_str()));
    else if (a == "--seconds")
      o.seconds = std::atoi(next().c_str());
    else if (a == "--workers")
      o.workers = static_cast<unsigned>(std::atoi(next().c_str()));
    else if (a == "--kind")
      o.kind = next();
    else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      std::cerr << "unknown option " << a << "\n" << kUsage;
      return 2;
    }
  }
  if (o.checks < 1 || o.checks > 5000 || o.interval < 5 || o.seconds < 5 || o.seconds > 3600 ||
      o.workers < 1 || o.workers > 64 || (o.kind != "http" && o.kind != "tcp")) {
    std::cerr << "out of range: checks 1..5000, interval >= 5, seconds 5..3600, workers 1..64, "
                 "kind http|tcp\n"
              << kUsage;
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  Target target = startTarget();  // before any thread of ours exists
  const auto dir = std::filesystem::temp_directory_path() /
                   ("huitong-bench-monitor-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const double setupCpu0 = cpuSeconds();
  const auto setup0 = std::chrono::steady_clock::now();
  const auto checks = makeChecks(o, target.port);
  const double setupWall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - setup0).count();
  const double setupCpu = cpuSeconds() - setupCpu0;
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf(
      "%d %s checks every %u s (7x24), %d s per side, target 127.0.0.1:%u; load average "
      "%.2f; %u cores\n",
      o.checks, o.kind == "tcp" ? "TCP connect" : "HTTP GET", o.interval, o.seconds, target.port,
      load[0], std::thread::hardware_concurrency());
  // Reading the config is not measured below, but it is part of a gateway's start.
  std::printf("reading the %d check entries took %.2f s wall, %.2f s CPU\n", o.checks, setupWall,
              setupCpu);
  std::fflush(stdout);

  const Figures ours = runService(o, checks, dir);
  const Figures peer = runNaive(o, checks);
  stopTarget(target);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);

  std::printf("\n%-34s %7s %7s %8s %6s %6s %7s %7s %6s  %s\n", "driver", "p50 ms", "p99 ms",
              "max ms", "runs", "due", "skipped", "cpu s", "wall s", "results");
  print(ours);
  print(peer);
  std::printf("threads: ours %s; peer %s\n", ours.threads.c_str(), peer.threads.c_str());
  std::printf(
      "ratio peer/ours: lateness p99 %.2fx, max %.2fx, cpu %.2fx (ours also stores every "
      "run and evaluates alerts)\n",
      ratio(peer.p99, ours.p99), ratio(peer.max, ours.max), ratio(peer.cpu, ours.cpu));
  std::printf("runs done of slots due: ours %.1f %%, peer %.1f %%\n",
              100.0 * ratio(static_cast<double>(ours.doneOnDue), static_cast<double>(ours.due)),
              100.0 * ratio(static_cast<double>(peer.doneOnDue), static_cast<double>(peer.due)));
  getloadavg(load, 3);
  std::printf("load average at the end %.2f\n", load[0]);
  const auto okOf = [](const Figures& f) {
    return f.statuses.count(CheckStatus::kOk) ? f.statuses.at(CheckStatus::kOk) : 0;
  };
  if (ours.runs.empty() || peer.runs.empty() || okOf(ours) == 0 || okOf(peer) == 0) {
    std::fprintf(stderr, "a side ran no successful checks: the bench measured nothing\n");
    return 1;
  }
  return 0;
}
