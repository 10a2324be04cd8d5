// Which backups retention removes. Both limits apply: a backup beyond the newest `count`, or
// older than `days`, goes — except the newest VERIFIED backup (a restore test passed), which is
// always kept, so a run of failing backups can never leave nothing restorable. 0 = no limit.
#pragma once

#include <string>
#include <vector>

#include "gateway/core/Clock.h"

namespace huitong::ops::backup {

struct RetentionPolicy {
  int count = 0;
  int days = 0;
};

struct RetainedBackup {
  std::string id;
  EpochMillis createdAt = 0;
  bool verified = false;
};

// The ids to remove, oldest first.
std::vector<std::string> backupsToRemove(std::vector<RetainedBackup> backups,
                                         const RetentionPolicy& policy, EpochMillis now);

}  // namespace huitong::ops::backup
