#include "gateway/monitor/host/HostReader.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace huitong::monitor::host {
namespace {

Result<std::string> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{"host.read", std::string("cannot read: ") + std::strerror(errno), path};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool parseUnsigned(const std::string& s, std::uint64_t& out) {
  if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos)
    return false;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (errno == ERANGE || end != s.c_str() + s.size())
    return false;
  out = v;
  return true;
}

Error lineError(const std::string& file, int line, const std::string& message) {
  return Error{"host.parse", message, file + ":" + std::to_string(line)};
}

// node_exporter's default --collector.filesystem.fs-types-exclude, plus tmpfs, devtmpfs and
// ramfs (memory, watched under memory), fuse helpers and autofs triggers.
const std::set<std::string> kPseudoTypes = {
    "autofs",      "binfmt_misc", "bpf",      "cgroup",   "cgroup2",    "configfs",
    "debugfs",     "devpts",      "devtmpfs", "efivarfs", "fusectl",    "fuse.lxcfs",
    "fuse.portal", "hugetlbfs",   "iso9660",  "mqueue",   "nsfs",       "overlay",
    "proc",        "procfs",      "pstore",   "ramfs",    "rpc_pipefs", "securityfs",
    "selinuxfs",   "squashfs",    "sysfs",    "tmpfs",    "tracefs",    "nfsd"};

bool under(const std::string& mountPoint, const std::string& prefix) {
  return mountPoint == prefix ||
         (mountPoint.size() > prefix.size() && mountPoint.compare(0, prefix.size(), prefix) == 0 &&
          mountPoint[prefix.size()] == '/');
}

std::string localHostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0)
    return "localhost";
  return buf;
}

}  // namespace

bool isPseudoMount(const std::string& fsType, const std::string& mountPoint) {
  if (mountPoint == "/")
    return false;
  if (kPseudoTypes.count(fsType) != 0)
    return true;
  for (const char* p : {"/proc", "/sys", "/dev", "/run/credentials", "/var/lib/docker",
                        "/var/lib/containers/storage", "/snap"}) {
    if (under(mountPoint, p))
      return true;
  }
  return false;
}

Result<FsStats> statFileSystem(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Error{"host.statvfs", std::string("stat: ") + std::strerror(errno), path};
  struct statvfs v {};
  if (::statvfs(path.c_str(), &v) != 0)
    return Error{"host.statvfs", std::string("statvfs: ") + std::strerror(errno), path};
  FsStats s;
  s.blockSize = v.f_frsize != 0 ? v.f_frsize : v.f_bsize;
  s.blocks = v.f_blocks;
  s.blocksFree = v.f_bfree;
  s.blocksAvail = v.f_bavail;
  s.files = v.f_files;
  s.filesFree = v.f_ffree;
  s.directory = S_ISDIR(st.st_mode);
  return s;
}

Result<CpuTimes> parseProcStat(const std::string& text, const std::string& file,
                               unsigned& cpuCount) {
  std::istringstream in(text);
  std::string line;
  int lineNo = 0;
  std::optional<CpuTimes> total;
  cpuCount = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.compare(0, 3, "cpu") != 0)
      continue;
    std::istringstream fields(line);
    std::string name;
    fields >> name;
    if (name != "cpu") {
      if (name.size() > 3 && name.find_first_not_of("0123456789", 3) == std::string::npos)
        ++cpuCount;
      continue;
    }
    std::vector<std::uint64_t> v;
    std::string token;
    while (fields >> token) {
      std::uint64_t n = 0;
      if (!parseUnsigned(token, n))
        return lineError(file, lineNo, "'" + token + "' is not a jiffies count");
      v.push_back(n);
    }
    // Linux 2.6.33+ writes 10 fields; 4 (user nice system idle) is the oldest format.
    if (v.size() < 4)
      return lineError(
          file, lineNo,
          "the cpu line has " + std::to_string(v.size()) + " fields, at least 4 expected");
    v.resize(10, 0);
    CpuTimes t;
    t.user = v[0];
    t.nice = v[1];
    t.system = v[2];
    t.idle = v[3];
    t.iowait = v[4];
    t.irq = v[5];
    t.softirq = v[6];
    t.steal = v[7];
    t.guest = v[8];
    t.guestNice = v[9];
    total = t;
  }
  if (!total)
    return Error{"host.parse", "no aggregate 'cpu' line", file};
  if (cpuCount == 0)
    cpuCount = 1;
  return *total;
}

Result<HostFigures> parseMeminfo(const std::string& text, const std::string& file) {
  std::map<std::string, std::uint64_t> kb;
  std::istringstream in(text);
  std::string line;
  int lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    const auto colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    std::istringstream rest(line.substr(colon + 1));
    std::string number, unit;
    rest >> number >> unit;
    std::uint64_t n = 0;
    if (!parseUnsigned(number, n))
      return lineError(file, lineNo, "'" + number + "' is not a number");
    // Every size line is in kB (kibibytes); HugePages_* counts carry no unit.
    kb[line.substr(0, colon)] = unit == "kB" ? n * 1024 : n;
  }
  HostFigures f;
  auto need = [&](const char* key, std::uint64_t& out) -> Result<void> {
    const auto it = kb.find(key);
    if (it == kb.end())
      return Error{"host.parse", std::string("no ") + key + " line", file};
    out = it->second;
    return {};
  };
  auto optional = [&](const char* key) -> std::uint64_t {
    const auto it = kb.find(key);
    return it == kb.end() ? 0 : it->second;
  };
  for (auto [key, field] : std::initializer_list<std::pair<const char*, std::uint64_t*>>{
           {"MemTotal", &f.memTotalBytes}, {"MemFree", &f.memFreeBytes}}) {
    if (auto r = need(key, *field); !r.ok())
      return r.error();
  }
  f.memBuffersBytes = optional("Buffers");
  f.memCachedBytes = optional("Cached");
  f.memSReclaimableBytes = optional("SReclaimable");
  if (kb.count("MemAvailable") != 0) {
    f.memAvailableBytes = kb["MemAvailable"];
  } else {
    // Kernels before 3.14: procps' own estimate.
    f.memAvailableBytes =
        f.memFreeBytes + f.memBuffersBytes + f.memCachedBytes + f.memSReclaimableBytes;
  }
  if (f.memAvailableBytes > f.memTotalBytes)
    f.memAvailableBytes = f.memTotalBytes;
  f.memUsedBytes = f.memTotalBytes - f.memAvailableBytes;
  f.swapTotalBytes = optional("SwapTotal");
  f.swapFreeBytes = optional("SwapFree");
  f.swapUsedBytes = f.swapTotalBytes >= f.swapFreeBytes ? f.swapTotalBytes - f.swapFreeBytes : 0;
  return f;
}

std::vector<MountEntry> parseMounts(const std::string& text) {
  auto unescape = [](const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      auto octal = [&](std::size_t k) { return s[k] >= '0' && s[k] <= '7'; };
      if (s[i] == '\\' && i + 3 < s.size() && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
        out +=
            static_cast<char>(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
        i += 3;
      } else {
        out += s[i];
      }
    }
    return out;
  };
  std::vector<MountEntry> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    MountEntry e;
    if (!(fields >> e.device >> e.mount >> e.fsType))
      continue;
    e.device = unescape(e.device);
    e.mount = unescape(e.mount);
    out.push_back(std::move(e));
  }
  return out;
}

HostReader::HostReader(Options options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {
  if (!options_.sleep) {
    options_.sleep = [](unsigned ms) {
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    };
  }
  if (options_.hostName.empty())
    options_.hostName = localHostName();
  if (!options_.statFs)
    options_.statFs = statFileSystem;
}

Result<CpuTimes> HostReader::sampleCpu(unsigned& cpuCount) const {
  const std::string file = options_.procRoot + "/stat";
  auto text = slurp(file);
  if (!text.ok())
    return text.error();
  return parseProcStat(text.value(), file, cpuCount);
}

Result<HostFigures> HostReader::read() {
  std::lock_guard<std::mutex> lock(mu_);
  unsigned cpuCount = 0;
  auto now = sampleCpu(cpuCount);
  if (!now.ok())
    return now.error();
  EpochMillis nowAt = clock_.now();
  auto span = [](const CpuTimes& a, const CpuTimes& b) {
    return (b.busy() + b.idleAll()) - (a.busy() + a.idleAll());
  };
  const bool wentBack = previous_ && (now.value().busy() < previous_->busy() ||
                                      now.value().idleAll() < previous_->idleAll());
  HostFigures f;
  f.cpuTimes = now.value();
  f.cpuCount = cpuCount;
  if (previous_ && !wentBack && span(*previous_, now.value()) == 0 && lastIntervalMs_ > 0) {
    // Read again before a jiffy passed (two scrapers back to back): the share just computed
    // still stands, without a pause and without losing the previous sample.
    f.cpuPercent = lastPercent_;
    f.cpuIntervalMs = lastIntervalMs_;
  } else {
    if (!previous_ || wentBack || span(*previous_, now.value()) == 0) {
      // No usable previous sample (first read, a reboot since): take a fresh pair.
      previous_ = now.value();
      previousAt_ = nowAt;
      options_.sleep(options_.firstSampleGapMs);
      now = sampleCpu(cpuCount);
      if (!now.ok())
        return now.error();
      nowAt = clock_.now();
    }
    const CpuTimes& a = *previous_;
    const CpuTimes& b = now.value();
    f.cpuPercent = 0;
    if (b.busy() >= a.busy() && b.idleAll() >= a.idleAll() && span(a, b) > 0) {
      f.cpuPercent =
          100.0 * static_cast<double>(b.busy() - a.busy()) / static_cast<double>(span(a, b));
    }
    f.cpuIntervalMs = static_cast<double>(nowAt - previousAt_);
    f.cpuTimes = b;
    f.cpuCount = cpuCount;
    previous_ = b;
    previousAt_ = nowAt;
    lastPercent_ = f.cpuPercent;
    lastIntervalMs_ = f.cpuIntervalMs;
  }

  const std::string loadFile = options_.procRoot + "/loadavg";
  auto load = slurp(loadFile);
  if (!load.ok())
    return load.error();
  {
    std::istringstream in(load.value());
    std::string l1, l5, l15;
    in >> l1 >> l5 >> l15;
    try {
      std::size_t p1 = 0, p5 = 0, p15 = 0;
      f.load1 = std::stod(l1, &p1);
      f.load5 = std::stod(l5, &p5);
      f.load15 = std::stod(l15, &p15);
      if (p1 != l1.size() || p5 != l5.size() || p15 != l15.size())
        throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      return lineError(loadFile, 1, "expected three load averages, found '" + load.value() + "'");
    }
  }

  const std::string memFile = options_.procRoot + "/meminfo";
  auto memText = slurp(memFile);
  if (!memText.ok())
    return memText.error();
  auto mem = parseMeminfo(memText.value(), memFile);
  if (!mem.ok())
    return mem.error();
  const HostFigures& m = mem.value();
  f.memTotalBytes = m.memTotalBytes;
  f.memFreeBytes = m.memFreeBytes;
  f.memAvailableBytes = m.memAvailableBytes;
  f.memBuffersBytes = m.memBuffersBytes;
  f.memCachedBytes = m.memCachedBytes;
  f.memSReclaimableBytes = m.memSReclaimableBytes;
  f.memUsedBytes = m.memUsedBytes;
  f.swapTotalBytes = m.swapTotalBytes;
  f.swapFreeBytes = m.swapFreeBytes;
  f.swapUsedBytes = m.swapUsedBytes;

  const std::string mountsFile = options_.procRoot + "/self/mounts";
  auto mountsText = slurp(mountsFile);
  if (!mountsText.ok())
    return mountsText.error();
  // A point mounted over keeps only its last (visible) mount, as df shows it.
  std::vector<MountEntry> entries;
  for (MountEntry& e : parseMounts(mountsText.value())) {
    if (isPseudoMount(e.fsType, e.mount))
      continue;
    bool replaced = false;
    for (MountEntry& seen : entries) {
      if (seen.mount == e.mount) {
        seen = e;
        replaced = true;
      }
    }
    if (!replaced)
      entries.push_back(std::move(e));
  }
  for (const MountEntry& e : entries) {
    auto st = options_.statFs(e.mount);
    if (!st.ok() || !st.value().directory || st.value().blocks == 0)
      continue;
    const FsStats& s = st.value();
    MountUsage u;
    u.mount = e.mount;
    u.device = e.device;
    u.fsType = e.fsType;
    u.totalBytes = s.blocks * s.blockSize;
    u.freeBytes = s.blocksFree * s.blockSize;
    u.availBytes = s.blocksAvail * s.blockSize;
    u.usedBytes = u.totalBytes >= u.freeBytes ? u.totalBytes - u.freeBytes : 0;
    const std::uint64_t usable = u.usedBytes + u.availBytes;
    u.usedPercent =
        usable == 0 ? 0 : 100.0 * static_cast<double>(u.usedBytes) / static_cast<double>(usable);
    u.inodesTotal = s.files;
    u.inodesFree = s.filesFree <= s.files ? s.filesFree : s.files;
    u.inodesUsed = u.inodesTotal - u.inodesFree;
    u.inodesUsedPercent = u.inodesTotal == 0 ? -1
                                             : 100.0 * static_cast<double>(u.inodesUsed) /
                                                   static_cast<double>(u.inodesTotal);
    f.mounts.push_back(std::move(u));
  }
  f.hostName = options_.hostName;
  f.at = nowAt;
  return f;
}

}  // namespace huitong::monitor::host
