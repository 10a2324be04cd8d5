// The figures of one host at one moment (CPU, load, memory, swap, file systems), as the local
// reader computes them and as `huitong agent` serves them: one JSON shape (GET /v1/host,
// `huitong host`), read back by the gateway's agent check, and one Prometheus text (/metrics).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"

namespace huitong::monitor::host {

// Jiffies of the aggregate "cpu" line of /proc/stat. guest and guest_nice are already counted
// in user and nice by the kernel, so they are kept apart and never added twice.
struct CpuTimes {
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                steal = 0, guest = 0, guestNice = 0;
  // user + nice + system + irq + softirq + steal (node_exporter's and Zabbix's "not idle").
  std::uint64_t busy() const { return user + nice + system + irq + softirq + steal; }
  // idle + iowait: waiting on I/O is time the CPU could have run something else.
  std::uint64_t idleAll() const { return idle + iowait; }
};

// One mounted file system, as `df -P -B1` and `df -i` see it.
struct MountUsage {
  std::string mount;              // "/", "/data"
  std::string device;             // "/dev/vda1"
  std::string fsType;             // "ext4"
  std::uint64_t totalBytes = 0;   // f_blocks * f_frsize
  std::uint64_t freeBytes = 0;    // f_bfree * f_frsize (root's reserve included)
  std::uint64_t availBytes = 0;   // f_bavail * f_frsize (what an ordinary user may still write)
  std::uint64_t usedBytes = 0;    // total - free
  double usedPercent = 0;         // used / (used + avail) * 100, df's Use% before it rounds up
  std::uint64_t inodesTotal = 0;  // 0: the file system has no fixed inode table (btrfs, vfat)
  std::uint64_t inodesFree = 0;
  std::uint64_t inodesUsed = 0;
  double inodesUsedPercent = -1;  // -1 when inodesTotal is 0
};

struct HostFigures {
  std::string hostName;
  EpochMillis at = 0;
  unsigned cpuCount = 0;     // "cpuN" lines of /proc/stat
  double cpuPercent = 0;     // busy share of all CPUs over `cpuIntervalMs`
  double cpuIntervalMs = 0;  // the span of the two /proc/stat samples behind cpuPercent
  CpuTimes cpuTimes;         // the latest sample (counters for /metrics)
  double load1 = 0, load5 = 0, load15 = 0;
  std::uint64_t memTotalBytes = 0, memFreeBytes = 0, memAvailableBytes = 0, memBuffersBytes = 0,
                memCachedBytes = 0, memSReclaimableBytes = 0;
  // total - available: what `free` (procps-ng 4) prints as "used".
  std::uint64_t memUsedBytes = 0;
  std::uint64_t swapTotalBytes = 0, swapFreeBytes = 0, swapUsedBytes = 0;
  std::vector<MountUsage> mounts;

  double memAvailablePercent() const {
    return memTotalBytes == 0 ? 0
                              : 100.0 * static_cast<double>(memAvailableBytes) /
                                    static_cast<double>(memTotalBytes);
  }
  double swapUsedPercent() const {
    return swapTotalBytes == 0
               ? 0
               : 100.0 * static_cast<double>(swapUsedBytes) / static_cast<double>(swapTotalBytes);
  }
  const MountUsage* findMount(const std::string& mount) const;
};

// GET /v1/host's body and `huitong host`'s output.
rapidjson::Value toJson(const HostFigures& f, rapidjson::Document::AllocatorType& a);
// Reads what toJson wrote (an agent's answer); the error names the first missing or mistyped
// member ("memory.available_bytes: missing").
Result<HostFigures> fromJson(const rapidjson::Value& v);

// The figures as Prometheus text exposition 0.0.4, node_exporter's families under the
// huitong_host_ prefix (cpu_seconds_total, load1, memory_*_bytes, filesystem_*), plus the busy
// share and the read's duration.
std::string toPrometheus(const HostFigures& f, double readSeconds, long clockTicksPerSecond);

}  // namespace huitong::monitor::host
