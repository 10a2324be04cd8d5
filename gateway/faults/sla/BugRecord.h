// Bug records (issue 8 item 5): a bug ticket closes only with its documentation and a link to
// the fix (the version that carries it, the commit, or the mapping or config changed); its
// 5-working-day clock in words. A pure check: the ticket service refuses the close with these
// messages.
#pragma once

#include <string>
#include <vector>

#include "gateway/core/Error.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/faults/sla/SlaClock.h"

namespace huitong::sla {

struct BugRecord {
  std::string documentation;  // what was wrong, what changed and why, for operators
  std::string version;        // gateway or mapping version that carries the fix
  std::string commit;         // VCS commit (7..40 hex digits)
  std::string changed;        // the mapping or config changed ("mappings/minzheng v7")
};

// Every reason the bug ticket cannot close yet (empty = it may close). Paths name the field:
// "fix.documentation", "fix" (no link at all), "fix.commit" (not a commit id).
std::vector<Error> checkBugClosable(const BugRecord& record);

// The bug's resolution clock (5 working days by default) as of `now`, and its line for the
// ticket view: "5 working days: 3 h 30 min working time left of 5 working days (due ...)".
struct BugClock {
  ClockReading reading;
  std::string text;
};
BugClock bugClock(const SlaTimeline& timeline, const SlaPolicy& policy, EpochMillis now,
                  const WorkCalendar& calendar = WorkCalendar::china());

}  // namespace huitong::sla
