#include "gateway/faults/sla/BugRecord.h"

#include <cctype>

namespace huitong::sla {

namespace {

bool blank(const std::string& s) {
  for (unsigned char c : s) {
    if (!std::isspace(c))
      return false;
  }
  return true;
}

bool isCommitId(const std::string& s) {
  if (s.size() < 7 || s.size() > 40)
    return false;
  for (unsigned char c : s) {
    if (!std::isxdigit(c))
      return false;
  }
  return true;
}

}  // namespace

std::vector<Error> checkBugClosable(const BugRecord& r) {
  std::vector<Error> errors;
  if (blank(r.documentation)) {
    errors.push_back({"bug.documentation",
                      "a bug ticket cannot close without its documentation: say what was wrong, "
                      "what was changed and why",
                      "fix.documentation"});
  }
  if (blank(r.version) && blank(r.commit) && blank(r.changed)) {
    errors.push_back({"bug.fix",
                      "a bug ticket cannot close without a link to its fix: give the version "
                      "that carries it, the commit, or the mapping or config changed",
                      "fix"});
  }
  if (!blank(r.commit) && !isCommitId(r.commit)) {
    errors.push_back(
        {"bug.fix", "fix.commit '" + r.commit + "' is not a commit id (7 to 40 hexadecimal digits)",
         "fix.commit"});
  }
  return errors;
}

BugClock bugClock(const SlaTimeline& timeline, const SlaPolicy& policy, EpochMillis now,
                  const WorkCalendar& calendar) {
  BugClock c;
  const SlaEvaluation ev = evaluate(timeline, policy, now, calendar);
  if (const ClockReading* r = ev.find(ClockKind::kResolution))
    c.reading = *r;
  c.text = c.reading.target.words() + ": " + describe(c.reading);
  return c;
}

}  // namespace huitong::sla
