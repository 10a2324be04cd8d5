// Where generated monthly reports are kept: one folder ("report.dir"), two files a month —
// monthly-YYYY-MM.html and monthly-YYYY-MM.md — written to a temporary name and renamed, so a
// reader never sees half a report and a second run of the month replaces it whole. Listed and
// read by `GET /ops/v1/reports/monthly[/{month}]`. Also reads the config's "report" block.
// Thread-safe (files only; a rename is atomic).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/core/ConfigNode.h"
#include "gateway/core/Error.h"
#include "gateway/ops/report/MonthlyReportData.h"

namespace huitong::ops::report {

// "report": {"dir": "reports", "schedule": "monthly 1 06:00"} — dir relative to the config's
// folder; schedule in OpsJobs' words (gateway/ops/OpsJobs.h). Unknown keys and a schedule that
// does not read are refused with file:line.
struct ReportSettings {
  std::string dir;  // absolute after read()
  std::string schedule = "monthly 1 06:00";
};
Result<ReportSettings> readReportSettings(const std::optional<ConfigNode>& block,
                                          const std::string& configDir);

struct ArchivedReport {
  std::string month;  // "2026-11"
  std::optional<std::uintmax_t> htmlBytes, markdownBytes;
  EpochMillis writtenAt = 0;  // the newer file's modification time
};

class ReportArchive {
 public:
  explicit ReportArchive(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }

  // Writes both files (creating the folder); returns their paths (html, md).
  Result<std::pair<std::string, std::string>> write(const std::string& month,
                                                    const std::string& html,
                                                    const std::string& markdown) const;
  // Every month with at least one file, newest month first.
  Result<std::vector<ArchivedReport>> list() const;
  // The file of `month` ("YYYY-MM") in `format` ("html" | "md"); none when not generated.
  Result<std::optional<std::string>> read(const std::string& month,
                                          const std::string& format) const;
  std::string path(const std::string& month, const std::string& format) const;

 private:
  std::string dir_;
};

}  // namespace huitong::ops::report
