#include "gateway/ops/report/ReportArchive.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "gateway/ops/OpsJobs.h"

namespace huitong::ops::report {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPrefix = "monthly-";

EpochMillis mtimeMillis(const fs::path& p) {
  std::error_code ec;
  const auto t = fs::last_write_time(p, ec);
  if (ec)
    return 0;
  // file_clock → system_clock (C++17: through the difference of the two "now"s).
  const auto sys = std::chrono::system_clock::now() +
                   std::chrono::duration_cast<std::chrono::system_clock::duration>(
                       t - fs::file_time_type::clock::now());
  return std::chrono::duration_cast<std::chrono::milliseconds>(sys.time_since_epoch()).count();
}

Result<void> writeFile(const fs::path& target, const std::string& text) {
  const fs::path tmp = target.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return Error{"report.write", "cannot write " + tmp.string(), ""};
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Error{"report.write", "cannot rename to " + target.string() + ": " + ec.message(), ""};
  }
  return {};
}

}  // namespace

Result<ReportSettings> readReportSettings(const std::optional<ConfigNode>& block,
                                          const std::string& configDir) {
  ReportSettings s;
  s.dir = (fs::path(configDir.empty() ? "." : configDir) / "reports").lexically_normal().string();
  if (!block)
    return s;
  if (auto r = block->allowOnly({"dir", "schedule"}); !r.ok())
    return r.error();
  auto dir = block->string("dir", "");
  if (!dir.ok())
    return dir.error();
  if (!dir.value().empty())
    s.dir = block->resolvePath(dir.value());
  auto schedule = block->string("schedule", s.schedule);
  if (!schedule.ok())
    return schedule.error();
  if (auto when = parseJobWhen(schedule.value()); !when.ok())
    return block->fail("schedule", when.error().message);
  s.schedule = schedule.value();
  return s;
}

std::string ReportArchive::path(const std::string& month, const std::string& format) const {
  return (fs::path(dir_) / (kPrefix + month + "." + format)).string();
}

Result<std::pair<std::string, std::string>> ReportArchive::write(
    const std::string& month, const std::string& html, const std::string& markdown) const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec)
    return Error{"report.write", "cannot create " + dir_ + ": " + ec.message(), "report.dir"};
  if (auto r = writeFile(path(month, "html"), html); !r.ok())
    return r.error();
  if (auto r = writeFile(path(month, "md"), markdown); !r.ok())
    return r.error();
  return std::make_pair(path(month, "html"), path(month, "md"));
}

Result<std::vector<ArchivedReport>> ReportArchive::list() const {
  std::map<std::string, ArchivedReport, std::greater<>> byMonth;
  std::error_code ec;
  if (!fs::exists(dir_, ec))
    return std::vector<ArchivedReport>{};
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // monthly-YYYY-MM.html | monthly-YYYY-MM.md
    if (name.rfind(kPrefix, 0) != 0 || name.size() < 8 + 7 + 3)
      continue;
    const std::string month = name.substr(8, 7);
    const std::string ext = name.substr(15);
    if (!parseMonth(month) || (ext != ".html" && ext != ".md"))
      continue;
    ArchivedReport& r = byMonth[month];
    r.month = month;
    const auto size = fs::file_size(it->path(), ec);
    if (ec)
      continue;
    (ext == ".html" ? r.htmlBytes : r.markdownBytes) = size;
    r.writtenAt = std::max(r.writtenAt, mtimeMillis(it->path()));
  }
  if (ec)
    return Error{"report.read", "cannot list " + dir_ + ": " + ec.message(), ""};
  std::vector<ArchivedReport> out;
  for (auto& [m, r] : byMonth)
    out.push_back(std::move(r));
  return out;
}

Result<std::optional<std::string>> ReportArchive::read(const std::string& month,
                                                       const std::string& format) const {
  const fs::path p = path(month, format);
  std::error_code ec;
  if (!fs::exists(p, ec))
    return std::optional<std::string>{};
  std::ifstream in(p, std::ios::binary);
  if (!in)
    return Error{"report.read", "cannot read " + p.string(), ""};
  std::ostringstream s;
  s << in.rdbuf();
  return std::optional<std::string>(s.str());
}

}  // namespace huitong::ops::report
