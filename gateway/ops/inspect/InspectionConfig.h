// The inspection checklist from the config's "inspection" block (docs/configuration.md,
// "inspection"): when it runs (an OpsJobs day rule), how often during a declared major event,
// how long one check may take, and each check with its thresholds — normal and intensified
// (tighter, used during a major event). Absent block or absent keys: the defaults below.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/ConfigNode.h"
#include "gateway/core/Error.h"

namespace huitong::ops::inspect {

struct CheckSettings {
  std::string id;
  std::string title;
  bool enabled = true;
  std::map<std::string, double> thresholds;   // normal
  std::map<std::string, double> intensified;  // during a major event
};

struct InspectionConfig {
  std::string schedule = "workdays 09:00";
  unsigned intensifiedEveryMinutes = 60;  // 0: no extra runs during a major event
  unsigned checkTimeoutSeconds = 30;
  std::vector<CheckSettings> checks;  // in checklist order: every known check, each once

  // The defaults: every check enabled with its default thresholds.
  static InspectionConfig defaults();
  // Reads the block; unknown keys, unknown checks or thresholds, and values out of range are
  // errors with file:line. Checks not listed keep their defaults.
  static Result<InspectionConfig> read(const ConfigNode& block);

  const CheckSettings* find(const std::string& id) const;
};

// The checks in checklist order, with their default thresholds (id, title, thresholds).
const std::vector<CheckSettings>& knownChecks();

}  // namespace huitong::ops::inspect
