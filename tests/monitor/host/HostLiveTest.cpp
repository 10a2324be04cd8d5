// The host reader's live figures agree with free -b, df -P -B1, df -P -i and /proc/stat read at
// the same moment. Exits 77 (skipped) when free (procps) or df (coreutils) is not installed.
#define BOOST_TEST_MODULE monitor_host_live
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "gateway/monitor/host/HostReader.h"

using namespace huitong;
using namespace huitong::monitor::host;

namespace {

std::string fileText(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  BOOST_TEST_REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  const int status = ::pclose(p);
  BOOST_TEST_REQUIRE(WIFEXITED(status));
  BOOST_TEST_REQUIRE(WEXITSTATUS(status) == 0, command << " failed");
  return out;
}

bool toolPresent(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(live)

// Tolerances: the machine is shared and busy (builds write files and take memory while the
// tools run), so sizes fixed by the file system (total bytes, inode counts, MemTotal,
// SwapTotal) must be equal; moving figures within: memory 64 MiB or 1 % of MemTotal; disk used
// 256 MiB; df's rounded-up Use% within 1 point; inodes used 2000; CPU jiffies between two
// /proc/stat reads taken just before and just after the reader's.
BOOST_AUTO_TEST_CASE(agrees_with_free_df_and_proc_stat) {
  SystemClock clock;
  HostReader reader(HostReader::Options{}, clock);
  unsigned cpus = 0;
  const auto before = parseProcStat(fileText("/proc/stat"), "/proc/stat", cpus);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = reader.read();
  const double firstMicros =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  const std::string freeOut = run("free -b");
  const std::string dfOut = run("df -P -B1");
  const std::string dfiOut = run("df -P -i");
  const auto after = parseProcStat(fileText("/proc/stat"), "/proc/stat", cpus);
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.error().describe()));
  BOOST_TEST_REQUIRE(before.ok());
  BOOST_TEST_REQUIRE(after.ok());
  const HostFigures& h = r.value();

  // /proc/stat: the reader's sample lies between ours, field by field.
  const CpuTimes& b = before.value();
  const CpuTimes& a = after.value();
  const CpuTimes& t = h.cpuTimes;
  BOOST_TEST((b.user <= t.user && t.user <= a.user));
  BOOST_TEST((b.system <= t.system && t.system <= a.system));
  BOOST_TEST((b.idle <= t.idle && t.idle <= a.idle));
  BOOST_TEST((b.busy() <= t.busy() && t.busy() <= a.busy()));
  BOOST_TEST((h.cpuPercent >= 0.0 && h.cpuPercent <= 100.0));
  BOOST_TEST(h.cpuCount == cpus);

  // The next read's share is computed from exactly the two samples it reports.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto t1 = std::chrono::steady_clock::now();
  auto r2 = reader.read();
  const double laterMicros =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t1).count();
  BOOST_TEST_REQUIRE(r2.ok());
  const CpuTimes& t2 = r2.value().cpuTimes;
  const double expected = 100.0 * static_cast<double>(t2.busy() - t.busy()) /
                          static_cast<double>(t2.busy() + t2.idleAll() - t.busy() - t.idleAll());
  BOOST_TEST(r2.value().cpuPercent == expected, boost::test_tools::tolerance(1e-9));
  BOOST_TEST_MESSAGE("read cost: first read " << firstMicros << " us (two samples 200 ms apart), "
                                              << "later read " << laterMicros << " us");

  // free -b:  Mem: total used free shared buff/cache available / Swap: total used free
  std::istringstream fin(freeOut);
  std::string line;
  std::uint64_t memTotal = 0, memUsed = 0, memAvail = 0, swapTotal = 0, swapUsed = 0;
  while (std::getline(fin, line)) {
    std::istringstream l(line);
    std::string label;
    l >> label;
    if (label == "Mem:") {
      std::uint64_t free = 0, shared = 0, cache = 0;
      l >> memTotal >> memUsed >> free >> shared >> cache >> memAvail;
    } else if (label == "Swap:") {
      l >> swapTotal >> swapUsed;
    }
  }
  const double memTol = std::max(64.0 * 1024 * 1024, 0.01 * static_cast<double>(memTotal));
  auto near = [](std::uint64_t x, std::uint64_t y, double tol) {
    return std::fabs(static_cast<double>(x) - static_cast<double>(y)) <= tol;
  };
  BOOST_TEST(h.memTotalBytes == memTotal);
  BOOST_TEST(near(h.memAvailableBytes, memAvail, memTol),
             h.memAvailableBytes << " vs " << memAvail);
  BOOST_TEST(near(h.memUsedBytes, memUsed, memTol), h.memUsedBytes << " vs free's " << memUsed);
  BOOST_TEST(h.swapTotalBytes == swapTotal);
  BOOST_TEST(near(h.swapUsedBytes, swapUsed, 64.0 * 1024 * 1024));

  // df -P: Filesystem size used avail capacity mountpoint (the mount point may hold spaces:
  // everything after the fifth field).
  struct DfRow {
    std::uint64_t a = 0, b = 0, c = 0;
    int percent = -1;
  };
  auto parseDf = [](const std::string& text) {
    std::map<std::string, DfRow> rows;
    std::istringstream in(text);
    std::string l;
    std::getline(in, l);  // header
    while (std::getline(in, l)) {
      std::istringstream s(l);
      std::string dev, a, b, c, pct, mount;
      s >> dev >> a >> b >> c >> pct;
      std::getline(s >> std::ws, mount);
      DfRow row;
      try {
        row.a = std::stoull(a);
        row.b = std::stoull(b);
        row.c = std::stoull(c);
        row.percent = pct == "-" ? -1 : std::stoi(pct);
      } catch (const std::exception&) {
        continue;
      }
      rows[mount] = row;
    }
    return rows;
  };
  const auto df = parseDf(dfOut);
  const auto dfi = parseDf(dfiOut);
  BOOST_TEST_REQUIRE(h.findMount("/") != nullptr);
  for (const MountUsage& m : h.mounts) {
    const auto it = df.find(m.mount);
    BOOST_TEST_REQUIRE((it != df.end()), "df -P does not list " << m.mount);
    BOOST_TEST_CONTEXT("mount " << m.mount) {
      BOOST_TEST(m.totalBytes == it->second.a);
      BOOST_TEST(near(m.usedBytes, it->second.b, 256.0 * 1024 * 1024));
      BOOST_TEST(near(m.availBytes, it->second.c, 256.0 * 1024 * 1024));
      // df rounds Use% up to the next whole number.
      BOOST_TEST(std::abs(static_cast<int>(std::ceil(m.usedPercent)) - it->second.percent) <= 1,
                 m.usedPercent << " vs df " << it->second.percent);
      const auto ii = dfi.find(m.mount);
      BOOST_TEST_REQUIRE((ii != dfi.end()));
      BOOST_TEST(m.inodesTotal == ii->second.a);
      BOOST_TEST(near(m.inodesUsed, ii->second.b, 2000));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

int main(int argc, char* argv[]) {
  if (!toolPresent("free") || !toolPresent("df")) {
    std::printf("SKIPPED: free (Debian package procps) or df (coreutils) is not on PATH\n");
    return 77;
  }
  return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
