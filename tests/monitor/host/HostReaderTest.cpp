// The host reader: fixture /proc files give exact figures (CPU busy share, load, memory, swap,
// mounts kept and left out, df's Use%); malformed files are errors naming file and line.
#define BOOST_TEST_MODULE monitor_host
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "gateway/monitor/host/HostReader.h"

namespace fs = std::filesystem;
using namespace huitong;
using namespace huitong::monitor::host;

namespace {

const fs::path kFixtures = fs::path(HUITONG_SOURCE_DIR) / "tests/monitor/host/fixtures";

struct TempProc {
  fs::path dir;
  explicit TempProc(const std::string& fixture) {
    dir = fs::temp_directory_path() /
          ("huitong-host-" + std::to_string(::getpid()) + "-" + fixture + "-" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(dir);
    fs::copy(kFixtures / fixture, dir, fs::copy_options::recursive);
  }
  ~TempProc() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary | std::ios::trunc) << text;
  }
};

FsStats stats(std::uint64_t bs, std::uint64_t blocks, std::uint64_t bfree, std::uint64_t bavail,
              std::uint64_t files, std::uint64_t ffree, bool dir = true) {
  FsStats s;
  s.blockSize = bs;
  s.blocks = blocks;
  s.blocksFree = bfree;
  s.blocksAvail = bavail;
  s.files = files;
  s.filesFree = ffree;
  s.directory = dir;
  return s;
}

// Fixture proc-a's file systems.
Result<FsStats> fixtureFs(const std::string& mount) {
  static const std::map<std::string, FsStats> kFs = {
      {"/", stats(4096, 1000000, 300000, 250000, 65536, 16384)},
      {"/data", stats(4096, 1000, 100, 50, 100, 5)},
      {"/srv/my files", stats(1024, 2000, 2000, 2000, 10, 10)},
      {"/etc/hosts", stats(4096, 1000, 100, 50, 100, 5, false)},
      {"/backup", stats(4096, 500, 250, 250, 0, 0)},
  };
  const auto it = kFs.find(mount);
  if (it == kFs.end())
    return Error{"host.statvfs", "no such fixture mount", mount};
  return it->second;
}

struct Fixture {
  TempProc proc{"proc-a"};
  FixedClock clock{1764000000000};
  int sleeps = 0;
  // What the next pause puts in place of /proc/stat ("" = leave it).
  std::string statAfterSleep;
  HostReader reader;

  Fixture() : reader(makeOptions(), clock) {}
  HostReader::Options makeOptions() {
    HostReader::Options o;
    o.procRoot = proc.dir.string();
    o.statFs = fixtureFs;
    o.hostName = "app-server";
    o.sleep = [this](unsigned ms) {
      ++sleeps;
      clock.set(clock.now() + ms);
      if (!statAfterSleep.empty())
        proc.write("stat", statAfterSleep);
    };
    return o;
  }
};

std::string fileText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fixture_proc)

BOOST_AUTO_TEST_CASE(first_read_samples_twice_and_gives_exact_figures) {
  Fixture f;
  f.statAfterSleep = fileText(f.proc.dir / "stat.2");
  auto r = f.reader.read();
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.error().describe()));
  const HostFigures& h = r.value();
  BOOST_TEST(f.sleeps == 1);
  // busy 1700 -> 2800 (+1100), idle+iowait 8400 -> 9300 (+900); guest is inside user.
  BOOST_TEST(h.cpuPercent == 55.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(h.cpuIntervalMs == 200.0);
  BOOST_TEST(h.cpuCount == 2u);
  BOOST_TEST(h.cpuTimes.user == 1600u);
  BOOST_TEST(h.cpuTimes.guest == 90u);
  BOOST_TEST(h.load1 == 0.52);
  BOOST_TEST(h.load5 == 1.25);
  BOOST_TEST(h.load15 == 2.0);
  BOOST_TEST(h.memTotalBytes == 8000000ull * 1024);
  BOOST_TEST(h.memAvailableBytes == 3000000ull * 1024);
  BOOST_TEST(h.memUsedBytes == 5000000ull * 1024);
  BOOST_TEST(h.memFreeBytes == 1000000ull * 1024);
  BOOST_TEST(h.memBuffersBytes == 200000ull * 1024);
  BOOST_TEST(h.memCachedBytes == 2500000ull * 1024);
  BOOST_TEST(h.memSReclaimableBytes == 300000ull * 1024);
  BOOST_TEST(h.memAvailablePercent() == 37.5);
  BOOST_TEST(h.swapTotalBytes == 2000000ull * 1024);
  BOOST_TEST(h.swapUsedBytes == 500000ull * 1024);
  BOOST_TEST(h.swapUsedPercent() == 25.0);
  BOOST_TEST(h.hostName == "app-server");
  BOOST_TEST(h.at == 1764000000200);

  // "/" kept although overlay; /data's later mount shadows the earlier one; the escaped space
  // decoded; /etc/hosts (a file) and pseudo file systems left out; btrfs has no inode figure.
  BOOST_TEST_REQUIRE(h.mounts.size() == 4u);
  BOOST_TEST(h.mounts[0].mount == "/");
  BOOST_TEST(h.mounts[0].fsType == "overlay");
  BOOST_TEST(h.mounts[0].totalBytes == 4096000000ull);
  BOOST_TEST(h.mounts[0].freeBytes == 1228800000ull);
  BOOST_TEST(h.mounts[0].availBytes == 1024000000ull);
  BOOST_TEST(h.mounts[0].usedBytes == 2867200000ull);
  BOOST_TEST(h.mounts[0].usedPercent == 700000.0 / 950000.0 * 100.0,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(h.mounts[0].inodesUsed == 49152u);
  BOOST_TEST(h.mounts[0].inodesUsedPercent == 75.0);
  BOOST_TEST(h.mounts[1].mount == "/data");
  BOOST_TEST(h.mounts[1].device == "/dev/vdc1");
  BOOST_TEST(h.mounts[1].usedPercent == 900.0 / 950.0 * 100.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(h.mounts[1].inodesUsedPercent == 95.0);
  BOOST_TEST(h.mounts[2].mount == "/srv/my files");
  BOOST_TEST(h.mounts[2].usedPercent == 0.0);
  BOOST_TEST(h.mounts[2].totalBytes == 2048000u);
  BOOST_TEST(h.mounts[3].mount == "/backup");
  BOOST_TEST(h.mounts[3].usedPercent == 50.0);
  BOOST_TEST(h.mounts[3].inodesTotal == 0u);
  BOOST_TEST(h.mounts[3].inodesUsedPercent == -1.0);
  BOOST_TEST(h.findMount("/data") == &h.mounts[1]);
  BOOST_TEST(h.findMount("/run") == nullptr);
}

BOOST_AUTO_TEST_CASE(later_reads_use_the_previous_sample_and_resample_when_needed) {
  Fixture f;
  f.statAfterSleep = fileText(f.proc.dir / "stat.2");
  BOOST_TEST_REQUIRE(f.reader.read().ok());
  // 60 s later: busy +300 (user), idle +700: 30 %, no pause.
  f.statAfterSleep.clear();
  f.proc.write("stat", "cpu  1900 100 800 9500 500 50 150 100 90 0\ncpu0 1 1 1 1\n");
  f.clock.set(f.clock.now() + 60000);
  auto r = f.reader.read();
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(f.sleeps == 1);
  BOOST_TEST(r.value().cpuPercent == 30.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.value().cpuIntervalMs == 60000.0);
  BOOST_TEST(r.value().cpuCount == 1u);
  // Read again before a jiffy passed: the same share, no pause.
  f.clock.set(f.clock.now() + 3);
  r = f.reader.read();
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(f.sleeps == 1);
  BOOST_TEST(r.value().cpuPercent == 30.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.value().cpuIntervalMs == 60000.0);
  // And the sample before it still counts once the counters move.
  f.proc.write("stat", "cpu  2000 100 800 9600 500 50 150 100 90 0\n");
  r = f.reader.read();
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r.value().cpuPercent == 50.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.value().cpuIntervalMs == 3.0);
  // Counters went back (a reboot between reads): never a negative share, a fresh pair.
  f.proc.write("stat", "cpu  10 0 10 80 0 0 0 0 0 0\n");
  f.statAfterSleep = "cpu  20 0 10 90 0 0 0 0 0 0\n";
  r = f.reader.read();
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(f.sleeps == 2);
  BOOST_TEST(r.value().cpuPercent == 50.0, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(old_kernel_formats) {
  unsigned cpus = 0;
  auto t = parseProcStat("cpu 1 2 3 4\n", "stat", cpus);
  BOOST_TEST_REQUIRE(t.ok());
  BOOST_TEST(t.value().busy() == 6u);
  BOOST_TEST(t.value().idleAll() == 4u);
  BOOST_TEST(cpus == 1u);
  // No MemAvailable (before Linux 3.14): free + buffers + cached + sreclaimable.
  auto m = parseMeminfo(
      "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 200 kB\n"
      "SReclaimable: 20 kB\n",
      "meminfo");
  BOOST_TEST_REQUIRE(m.ok());
  BOOST_TEST(m.value().memAvailableBytes == 330u * 1024);
  BOOST_TEST(m.value().memUsedBytes == 670u * 1024);
  BOOST_TEST(m.value().swapTotalBytes == 0u);
}

BOOST_AUTO_TEST_CASE(malformed_files_name_file_and_line) {
  TempProc proc("proc-b");
  FixedClock clock(0);
  HostReader::Options o;
  o.procRoot = proc.dir.string();
  o.statFs = fixtureFs;
  o.sleep = [](unsigned) {};
  HostReader reader(o, clock);
  auto r = reader.read();
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().path == (proc.dir / "stat").string() + ":1");
  BOOST_TEST(r.error().message == "the cpu line has 3 fields, at least 4 expected");
  proc.write("stat", "cpu 10 0 5 x\n");
  r = reader.read();
  BOOST_TEST(r.error().message == "'x' is not a jiffies count");
  proc.write("stat", "intr 1\n");
  r = reader.read();
  BOOST_TEST(r.error().describe() == (proc.dir / "stat").string() + ": no aggregate 'cpu' line");
  proc.write("stat", "cpu 10 0 5 5\n");
  r = reader.read();
  BOOST_TEST(r.error().path == (proc.dir / "loadavg").string() + ":1");
  proc.write("loadavg", "0.1 0.2 0.3 1/2 3\n");
  r = reader.read();
  BOOST_TEST(r.error().describe() == (proc.dir / "meminfo").string() + ": no MemTotal line");
  proc.write("meminfo", "MemTotal: 10 kB\nMemFree: lots kB\n");
  r = reader.read();
  BOOST_TEST(r.error().describe() ==
             (proc.dir / "meminfo").string() + ":2: 'lots' is not a number");
  fs::remove(proc.dir / "meminfo");
  r = reader.read();
  BOOST_TEST(r.error().code == "host.read");
  BOOST_TEST(r.error().path == (proc.dir / "meminfo").string());
}

BOOST_AUTO_TEST_CASE(pseudo_mounts) {
  BOOST_TEST(isPseudoMount("overlay", "/var/lib/x"));
  BOOST_TEST(!isPseudoMount("overlay", "/"));
  BOOST_TEST(!isPseudoMount("tmpfs", "/"));
  BOOST_TEST(isPseudoMount("tmpfs", "/run"));
  BOOST_TEST(isPseudoMount("ext4", "/var/lib/docker/volumes/v"));
  BOOST_TEST(isPseudoMount("ext4", "/dev/shm"));
  BOOST_TEST(!isPseudoMount("ext4", "/device"));
  BOOST_TEST(!isPseudoMount("xfs", "/data"));
  BOOST_TEST(!isPseudoMount("nfs4", "/mnt/archive"));
  const auto m = parseMounts("a\\134b /x\\040y ext4 rw 0 0\nshort line\n/dev/sda /z\\04 ext4\n");
  BOOST_TEST_REQUIRE(m.size() == 2u);
  BOOST_TEST(m[0].device == "a\\b");
  BOOST_TEST(m[0].mount == "/x y");
  BOOST_TEST(m[1].mount == "/z\\04");
}

BOOST_AUTO_TEST_SUITE_END()
