// Generates a month's report (gather → render HTML and Markdown → write into the archive) for
// `huitong report monthly` and for the monthly job of `huitong serve`, which on its slot (the
// 1st, 06:00 China time by default) writes the month that just ended. Thread-safe as far as
// the inputs' stores are (one generation at a time is the job's case).
#pragma once

#include <functional>
#include <string>

#include "gateway/ops/OpsJobs.h"
#include "gateway/ops/report/MonthlyReportGatherer.h"
#include "gateway/ops/report/ReportArchive.h"

namespace huitong::ops::report {

struct GeneratedReport {
  MonthlyReportData data;
  std::string html, markdown;
  std::string htmlPath, markdownPath;  // "" when not written
  double gatherSeconds = 0, renderSeconds = 0;
};

class MonthlyReportService {
 public:
  // `inputs(generatedBy)`: the stores and ledgers to read, built per generation.
  using InputsFactory = std::function<ReportInputs(const std::string& generatedBy)>;
  MonthlyReportService(InputsFactory inputs, ReportArchive archive)
      : inputs_(std::move(inputs)), archive_(std::move(archive)) {}

  // Gathers and renders; writes both files into the archive when `keep`.
  Result<GeneratedReport> generate(int year, int month, EpochMillis now,
                                   const std::string& generatedBy, bool keep) const;
  // The month before the China-time month holding `t`.
  static MonthArg previousMonth(EpochMillis t);
  // The job for OpsJobs ("monthly-report"): the previous month of its slot, kept; a failure is
  // thrown (the runner records it as the job's last error).
  Job job(const JobWhen& when) const;
  const ReportArchive& archive() const { return archive_; }

 private:
  InputsFactory inputs_;
  ReportArchive archive_;
};

}  // namespace huitong::ops::report
