// Sandbox evidence (联调证据): the scenarios a filing must pass in the sandbox on a mapping
// version before it may go online, and whether the recorded sessions pass them
// (docs/sandbox.md "Evidence"). Pure rules: the sessions come from the SandboxStore.
//
// The default scenarios of an item on a mapping version: one per stage the version can produce
// (the keys of its "stages" section and the stage values of its code tables and stage rules),
// each passed by an event of the item at that stage that the mock platform accepted (or held
// already: duplicate); plus "invalid": an event of the item the platform rejected with at least
// one broken rule (a deliberately invalid message, rejected with a clear error).
#pragma once

#include <string>
#include <vector>

#include "gateway/core/Error.h"
#include "gateway/registry/RequiredScenarios.h"

namespace huitong::sandbox {

// The stage codes (spec order) a mapping can produce, read from its mapping.json text.
// Errors: "evidence.mapping" when the text is not a mapping object.
Result<std::vector<std::string>> producibleStages(const std::string& mappingJson);

// One judged event of a stored session, as evidence sees it.
struct EvidenceEvent {
  std::string sessionId;
  std::string stage;
  std::string verdict;                 // accepted | duplicate | conflict | rejected
  int rules = 0;                       // broken rules (rejected)
  std::vector<std::string> ruleCodes;  // their codes
};

struct Scenario {
  std::string name;  // "stage:submit", ..., "invalid"
  std::string description;
  bool passed = false;
  std::vector<std::string> sessions;  // the sessions that passed it (oldest first)
  std::vector<std::string> attempts;  // sessions with a matching event that did not pass
};

// Judges `events` (one item, one mapping version with the same files, oldest first) against the
// default scenarios of `stages`.
std::vector<Scenario> evaluateScenarios(const std::vector<std::string>& stages,
                                        const std::vector<EvidenceEvent>& events);
// Against what the filing requires (gateway/registry/RequiredScenarios.h): the defaults of
// `stages` when it says so, then its own scenarios in its order. A scenario naming a stage the
// version cannot produce says so in its description (it cannot pass on this version).
std::vector<Scenario> evaluateScenarios(const registry::RequiredScenarios& required,
                                        const std::vector<std::string>& stages,
                                        const std::vector<EvidenceEvent>& events);

// Every scenario passed (and there is at least one).
bool allPassed(const std::vector<Scenario>& scenarios);

}  // namespace huitong::sandbox
