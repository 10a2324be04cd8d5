#include "gateway/ops/backup/Retention.h"

#include <algorithm>

namespace huitong::ops::backup {

std::vector<std::string> backupsToRemove(std::vector<RetainedBackup> backups,
                                         const RetentionPolicy& policy, EpochMillis now) {
  std::sort(backups.begin(), backups.end(), [](const auto& a, const auto& b) {
    return a.createdAt != b.createdAt ? a.createdAt > b.createdAt : a.id > b.id;
  });
  const auto newestVerified =
      std::find_if(backups.begin(), backups.end(), [](const auto& b) { return b.verified; });
  const EpochMillis maxAge = static_cast<EpochMillis>(policy.days) * 24 * 3600 * 1000;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < backups.size(); ++i) {
    if (newestVerified != backups.end() && backups[i].id == newestVerified->id)
      continue;
    const bool beyondCount = policy.count > 0 && i >= static_cast<std::size_t>(policy.count);
    const bool tooOld = policy.days > 0 && now - backups[i].createdAt > maxAge;
    if (beyondCount || tooOld)
      out.push_back(backups[i].id);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace huitong::ops::backup
