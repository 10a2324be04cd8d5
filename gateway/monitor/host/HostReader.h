// Reads the local host's figures from /proc and statvfs the way node_exporter and the Zabbix
// agent compute them (see docs/monitoring.md "Host metrics and the agent"). The /proc root and
// the file-system statistics are injectable, so tests feed fixture files and exact numbers.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/monitor/host/HostFigures.h"

namespace huitong::monitor::host {

// statvfs of a mount point, plus whether it is a directory (a container's bind-mounted
// /etc/hosts is a file, not a file system worth watching).
struct FsStats {
  std::uint64_t blockSize = 0;  // f_frsize
  std::uint64_t blocks = 0, blocksFree = 0, blocksAvail = 0;
  std::uint64_t files = 0, filesFree = 0;
  bool directory = true;
};

// The real one: stat(2) then statvfs(3).
Result<FsStats> statFileSystem(const std::string& path);

// Whether a mount of this type at this point is left out: pseudo and in-memory file systems
// (proc, sysfs, tmpfs, devtmpfs, cgroup, overlay, squashfs...) and points under /proc, /sys,
// /dev, /run/credentials and container storage; "/" is always kept, whatever its type (a
// container's root is an overlay).
bool isPseudoMount(const std::string& fsType, const std::string& mountPoint);

class HostReader {
 public:
  struct Options {
    std::string procRoot = "/proc";  // <procRoot>/stat, loadavg, meminfo, self/mounts
    std::function<Result<FsStats>(const std::string& mountPoint)> statFs = statFileSystem;
    // The pause between the two /proc/stat samples of a first read (or when the previous
    // sample is too recent to differ).
    unsigned firstSampleGapMs = 200;
    std::function<void(unsigned ms)> sleep;  // default: this thread sleeps
    std::string hostName;                    // default: gethostname()
  };

  // `clock` must outlive the reader.
  HostReader(Options options, const Clock& clock);

  // One read. CPU % is over the interval since this reader's previous read (the first read,
  // and one after a reboot, samples twice firstSampleGapMs apart; one before a jiffy passed
  // repeats the share the previous read computed). Thread-safe (reads are serialised). An
  // unreadable or malformed /proc file is an Error naming the file and line; a mount whose statvfs
  // fails is left out.
  Result<HostFigures> read();

 private:
  Result<CpuTimes> sampleCpu(unsigned& cpuCount) const;

  Options options_;
  const Clock& clock_;
  std::mutex mu_;
  std::optional<CpuTimes> previous_;
  EpochMillis previousAt_ = 0;
  double lastPercent_ = 0, lastIntervalMs_ = 0;
};

// Parsers of the /proc files, exposed for tests. Errors name `file` and the line.
Result<CpuTimes> parseProcStat(const std::string& text, const std::string& file,
                               unsigned& cpuCount);
Result<HostFigures> parseMeminfo(const std::string& text, const std::string& file);
struct MountEntry {
  std::string device, mount, fsType;
};
// /proc/self/mounts, octal escapes (\040) decoded.
std::vector<MountEntry> parseMounts(const std::string& text);

}  // namespace huitong::monitor::host
