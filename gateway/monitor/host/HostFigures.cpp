#include "gateway/monitor/host/HostFigures.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "gateway/core/Json.h"

namespace huitong::monitor::host {

const MountUsage* HostFigures::findMount(const std::string& mount) const {
  for (const MountUsage& m : mounts) {
    if (m.mount == mount)
      return &m;
  }
  return nullptr;
}

namespace {

using Alloc = rapidjson::Document::AllocatorType;

void add(rapidjson::Value& o, const char* name, std::uint64_t v, Alloc& a) {
  o.AddMember(rapidjson::StringRef(name), rapidjson::Value(static_cast<std::uint64_t>(v)), a);
}
void add(rapidjson::Value& o, const char* name, double v, Alloc& a) {
  o.AddMember(rapidjson::StringRef(name), rapidjson::Value(std::isfinite(v) ? v : 0.0), a);
}

// Reads one member, remembering the first problem with its dotted path.
class Reader {
 public:
  explicit Reader(std::string& error) : error_(error) {}
  const rapidjson::Value* member(const rapidjson::Value& o, const std::string& path,
                                 const char* name) {
    if (!error_.empty())
      return nullptr;
    if (!o.IsObject()) {
      error_ = (path.empty() ? std::string("the body") : path) + ": not an object";
      return nullptr;
    }
    const auto it = o.FindMember(name);
    if (it == o.MemberEnd()) {
      error_ = (path.empty() ? "" : path + ".") + name + ": missing";
      return nullptr;
    }
    return &it->value;
  }
  void u64(const rapidjson::Value& o, const std::string& path, const char* name,
           std::uint64_t& out) {
    const rapidjson::Value* v = member(o, path, name);
    if (v == nullptr)
      return;
    if (!v->IsUint64()) {
      error_ = (path.empty() ? "" : path + ".") + name + ": not a whole number of 0 or more";
      return;
    }
    out = v->GetUint64();
  }
  void number(const rapidjson::Value& o, const std::string& path, const char* name, double& out) {
    const rapidjson::Value* v = member(o, path, name);
    if (v == nullptr)
      return;
    if (!v->IsNumber()) {
      error_ = (path.empty() ? "" : path + ".") + name + ": not a number";
      return;
    }
    out = v->GetDouble();
  }
  void text(const rapidjson::Value& o, const std::string& path, const char* name,
            std::string& out) {
    const rapidjson::Value* v = member(o, path, name);
    if (v == nullptr)
      return;
    if (!v->IsString()) {
      error_ = (path.empty() ? "" : path + ".") + name + ": not a string";
      return;
    }
    out.assign(v->GetString(), v->GetStringLength());
  }

 private:
  std::string& error_;
};

std::string escapeLabel(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string number(double v) {
  if (!std::isfinite(v))
    return "NaN";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

rapidjson::Value toJson(const HostFigures& f, Alloc& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("host", json::string(f.hostName, a), a);
  o.AddMember("at", json::string(formatRfc3339(f.at), a), a);
  add(o, "cpu_count", static_cast<std::uint64_t>(f.cpuCount), a);
  add(o, "cpu_percent", f.cpuPercent, a);
  add(o, "cpu_interval_ms", f.cpuIntervalMs, a);
  rapidjson::Value jiffies(rapidjson::kObjectType);
  add(jiffies, "user", f.cpuTimes.user, a);
  add(jiffies, "nice", f.cpuTimes.nice, a);
  add(jiffies, "system", f.cpuTimes.system, a);
  add(jiffies, "idle", f.cpuTimes.idle, a);
  add(jiffies, "iowait", f.cpuTimes.iowait, a);
  add(jiffies, "irq", f.cpuTimes.irq, a);
  add(jiffies, "softirq", f.cpuTimes.softirq, a);
  add(jiffies, "steal", f.cpuTimes.steal, a);
  add(jiffies, "guest", f.cpuTimes.guest, a);
  add(jiffies, "guest_nice", f.cpuTimes.guestNice, a);
  o.AddMember("cpu_jiffies", jiffies, a);
  add(o, "load1", f.load1, a);
  add(o, "load5", f.load5, a);
  add(o, "load15", f.load15, a);
  rapidjson::Value mem(rapidjson::kObjectType);
  add(mem, "total_bytes", f.memTotalBytes, a);
  add(mem, "used_bytes", f.memUsedBytes, a);
  add(mem, "available_bytes", f.memAvailableBytes, a);
  add(mem, "available_percent", f.memAvailablePercent(), a);
  add(mem, "free_bytes", f.memFreeBytes, a);
  add(mem, "buffers_bytes", f.memBuffersBytes, a);
  add(mem, "cached_bytes", f.memCachedBytes, a);
  add(mem, "sreclaimable_bytes", f.memSReclaimableBytes, a);
  o.AddMember("memory", mem, a);
  rapidjson::Value swap(rapidjson::kObjectType);
  add(swap, "total_bytes", f.swapTotalBytes, a);
  add(swap, "used_bytes", f.swapUsedBytes, a);
  add(swap, "free_bytes", f.swapFreeBytes, a);
  o.AddMember("swap", swap, a);
  rapidjson::Value mounts(rapidjson::kArrayType);
  for (const MountUsage& m : f.mounts) {
    rapidjson::Value j(rapidjson::kObjectType);
    j.AddMember("mount", json::string(m.mount, a), a);
    j.AddMember("device", json::string(m.device, a), a);
    j.AddMember("fstype", json::string(m.fsType, a), a);
    add(j, "total_bytes", m.totalBytes, a);
    add(j, "used_bytes", m.usedBytes, a);
    add(j, "free_bytes", m.freeBytes, a);
    add(j, "avail_bytes", m.availBytes, a);
    add(j, "used_percent", m.usedPercent, a);
    add(j, "inodes_total", m.inodesTotal, a);
    add(j, "inodes_used", m.inodesUsed, a);
    add(j, "inodes_free", m.inodesFree, a);
    if (m.inodesUsedPercent >= 0)
      add(j, "inodes_used_percent", m.inodesUsedPercent, a);
    mounts.PushBack(j, a);
  }
  o.AddMember("mounts", mounts, a);
  return o;
}

Result<HostFigures> fromJson(const rapidjson::Value& v) {
  std::string error;
  Reader r(error);
  HostFigures f;
  std::string at;
  r.text(v, "", "host", f.hostName);
  r.text(v, "", "at", at);
  if (error.empty() && !parseRfc3339(at, f.at))
    error = "at: not an RFC 3339 date-time";
  std::uint64_t cpus = 0;
  r.u64(v, "", "cpu_count", cpus);
  f.cpuCount = static_cast<unsigned>(cpus);
  r.number(v, "", "cpu_percent", f.cpuPercent);
  r.number(v, "", "cpu_interval_ms", f.cpuIntervalMs);
  if (const rapidjson::Value* j = r.member(v, "", "cpu_jiffies")) {
    CpuTimes& t = f.cpuTimes;
    for (auto [name, field] : std::initializer_list<std::pair<const char*, std::uint64_t*>>{
             {"user", &t.user},
             {"nice", &t.nice},
             {"system", &t.system},
             {"idle", &t.idle},
             {"iowait", &t.iowait},
             {"irq", &t.irq},
             {"softirq", &t.softirq},
             {"steal", &t.steal},
             {"guest", &t.guest},
             {"guest_nice", &t.guestNice}}) {
      r.u64(*j, "cpu_jiffies", name, *field);
    }
  }
  r.number(v, "", "load1", f.load1);
  r.number(v, "", "load5", f.load5);
  r.number(v, "", "load15", f.load15);
  if (const rapidjson::Value* m = r.member(v, "", "memory")) {
    r.u64(*m, "memory", "total_bytes", f.memTotalBytes);
    r.u64(*m, "memory", "used_bytes", f.memUsedBytes);
    r.u64(*m, "memory", "available_bytes", f.memAvailableBytes);
    r.u64(*m, "memory", "free_bytes", f.memFreeBytes);
    r.u64(*m, "memory", "buffers_bytes", f.memBuffersBytes);
    r.u64(*m, "memory", "cached_bytes", f.memCachedBytes);
    r.u64(*m, "memory", "sreclaimable_bytes", f.memSReclaimableBytes);
  }
  if (const rapidjson::Value* s = r.member(v, "", "swap")) {
    r.u64(*s, "swap", "total_bytes", f.swapTotalBytes);
    r.u64(*s, "swap", "used_bytes", f.swapUsedBytes);
    r.u64(*s, "swap", "free_bytes", f.swapFreeBytes);
  }
  if (const rapidjson::Value* ms = r.member(v, "", "mounts")) {
    if (!ms->IsArray()) {
      error = "mounts: not an array";
    } else {
      for (rapidjson::SizeType i = 0; i < ms->Size() && error.empty(); ++i) {
        const std::string path = "mounts[" + std::to_string(i) + "]";
        const rapidjson::Value& j = (*ms)[i];
        MountUsage u;
        r.text(j, path, "mount", u.mount);
        r.text(j, path, "device", u.device);
        r.text(j, path, "fstype", u.fsType);
        r.u64(j, path, "total_bytes", u.totalBytes);
        r.u64(j, path, "used_bytes", u.usedBytes);
        r.u64(j, path, "free_bytes", u.freeBytes);
        r.u64(j, path, "avail_bytes", u.availBytes);
        r.number(j, path, "used_percent", u.usedPercent);
        r.u64(j, path, "inodes_total", u.inodesTotal);
        r.u64(j, path, "inodes_used", u.inodesUsed);
        r.u64(j, path, "inodes_free", u.inodesFree);
        if (error.empty() && u.inodesTotal != 0)
          r.number(j, path, "inodes_used_percent", u.inodesUsedPercent);
        f.mounts.push_back(std::move(u));
      }
    }
  }
  if (!error.empty())
    return Error{"host.agent_body", error, ""};
  return f;
}

std::string toPrometheus(const HostFigures& f, double readSeconds, long clockTicksPerSecond) {
  std::ostringstream o;
  const double hz = clockTicksPerSecond > 0 ? static_cast<double>(clockTicksPerSecond) : 100.0;
  auto family = [&](const char* name, const char* type, const char* help) {
    o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
  };
  family("huitong_host_cpu_seconds_total", "counter",
         "Seconds all CPUs spent in each mode since boot (/proc/stat, like node_cpu_seconds_total "
         "summed over CPUs).");
  const CpuTimes& t = f.cpuTimes;
  for (auto [mode, jiffies] :
       std::initializer_list<std::pair<const char*, std::uint64_t>>{{"user", t.user},
                                                                    {"nice", t.nice},
                                                                    {"system", t.system},
                                                                    {"idle", t.idle},
                                                                    {"iowait", t.iowait},
                                                                    {"irq", t.irq},
                                                                    {"softirq", t.softirq},
                                                                    {"steal", t.steal}}) {
    o << "huitong_host_cpu_seconds_total{mode=\"" << mode << "\"} "
      << number(static_cast<double>(jiffies) / hz) << '\n';
  }
  family("huitong_host_cpus", "gauge", "CPUs the kernel lists in /proc/stat.");
  o << "huitong_host_cpus " << f.cpuCount << '\n';
  family("huitong_host_cpu_busy_ratio", "gauge",
         "Share of CPU time not idle or waiting for I/O since the agent's previous read.");
  o << "huitong_host_cpu_busy_ratio " << number(f.cpuPercent / 100.0) << '\n';
  family("huitong_host_load1", "gauge", "1-minute load average.");
  o << "huitong_host_load1 " << number(f.load1) << '\n';
  family("huitong_host_load5", "gauge", "5-minute load average.");
  o << "huitong_host_load5 " << number(f.load5) << '\n';
  family("huitong_host_load15", "gauge", "15-minute load average.");
  o << "huitong_host_load15 " << number(f.load15) << '\n';
  struct Gauge {
    const char* name;
    const char* help;
    std::uint64_t value;
  };
  for (const Gauge& g : std::initializer_list<Gauge>{
           {"huitong_host_memory_total_bytes", "MemTotal of /proc/meminfo.", f.memTotalBytes},
           {"huitong_host_memory_free_bytes", "MemFree of /proc/meminfo.", f.memFreeBytes},
           {"huitong_host_memory_available_bytes", "MemAvailable of /proc/meminfo.",
            f.memAvailableBytes},
           {"huitong_host_memory_buffers_bytes", "Buffers of /proc/meminfo.", f.memBuffersBytes},
           {"huitong_host_memory_cached_bytes", "Cached of /proc/meminfo.", f.memCachedBytes},
           {"huitong_host_memory_sreclaimable_bytes", "SReclaimable of /proc/meminfo.",
            f.memSReclaimableBytes},
           {"huitong_host_memory_used_bytes", "MemTotal - MemAvailable (free's used).",
            f.memUsedBytes},
           {"huitong_host_swap_total_bytes", "SwapTotal of /proc/meminfo.", f.swapTotalBytes},
           {"huitong_host_swap_free_bytes", "SwapFree of /proc/meminfo.", f.swapFreeBytes}}) {
    family(g.name, "gauge", g.help);
    o << g.name << ' ' << g.value << '\n';
  }
  auto perMount = [&](const char* name, const char* help, auto value) {
    family(name, "gauge", help);
    for (const MountUsage& m : f.mounts) {
      o << name << "{device=\"" << escapeLabel(m.device) << "\",fstype=\"" << escapeLabel(m.fsType)
        << "\",mountpoint=\"" << escapeLabel(m.mount) << "\"} " << value(m) << '\n';
    }
  };
  perMount("huitong_host_filesystem_size_bytes", "File system size (f_blocks * f_frsize).",
           [](const MountUsage& m) { return m.totalBytes; });
  perMount("huitong_host_filesystem_free_bytes", "Free bytes, root's reserve included.",
           [](const MountUsage& m) { return m.freeBytes; });
  perMount("huitong_host_filesystem_avail_bytes", "Bytes an unprivileged user may still write.",
           [](const MountUsage& m) { return m.availBytes; });
  perMount("huitong_host_filesystem_used_ratio", "used / (used + avail), df's Use%.",
           [](const MountUsage& m) { return number(m.usedPercent / 100.0); });
  perMount("huitong_host_filesystem_files", "Inodes of the file system (0: not fixed).",
           [](const MountUsage& m) { return m.inodesTotal; });
  perMount("huitong_host_filesystem_files_free", "Free inodes.",
           [](const MountUsage& m) { return m.inodesFree; });
  family("huitong_host_read_duration_seconds", "gauge",
         "Time the agent took to read the figures for this scrape.");
  o << "huitong_host_read_duration_seconds " << number(readSeconds) << '\n';
  return o.str();
}

}  // namespace huitong::monitor::host
