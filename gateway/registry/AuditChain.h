// The audit trail's tamper evidence: every entry's hash covers the previous entry's hash and
// the entry's canonical JSON, so editing, deleting, reordering or inserting an entry breaks the
// chain at that entry; an anchor (entry count and head hash, written with every append and
// logged daily) makes cutting off the tail detectable too. SHA-256 by default, SM3 selectable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"

namespace huitong::registry {

struct AuditEntry {
  std::int64_t seq = 0;  // 1, 2, 3, … without gaps
  EpochMillis at = 0;
  std::string actor;                     // who ("li.na", "department:marriage", "system")
  std::string role;                      // admin | operator | auditor | department | system
  std::string action;                    // "filing.move", "mapping.publish", "login.failed", ...
  std::string target;                    // what ("filing marriage/1244…", "dead-letter 42")
  std::string system;                    // the department system concerned ("" when none)
  std::string item;                      // the item code concerned ("" when none)
  std::string before;                    // JSON text of the state before ("null" when none)
  std::string after;                     // JSON text of the state after
  std::string hashAlgorithm = "sha256";  // sha256 | sm3
  std::string prevHash;                  // hex; 64 zeros for the first entry
  std::string hash;                      // hex
};

// The entry's canonical JSON (fixed member order, no whitespace; before/after embedded as
// parsed JSON re-written canonically) — what the hash covers, with the previous hash.
std::string canonicalJson(const AuditEntry& entry);
// The entry's hash given its prevHash and algorithm ("audit.algorithm" for an unknown one).
Result<std::string> entryHash(const AuditEntry& entry);
// Fills seq, prevHash and hash of `entry` as the successor of `previous` (none: the first).
Result<void> chain(AuditEntry& entry, const AuditEntry* previous);

std::string zeroHash();

struct AuditAnchor {
  std::int64_t count = 0;
  std::string head;  // hash of the last entry
};

// What verify found: ok, or the first broken entry and why.
struct ChainVerdict {
  bool ok = true;
  std::int64_t entries = 0;
  std::int64_t brokenSeq = 0;  // the first entry that does not hold (0 when ok)
  std::string why;
  std::string head;
};

// Checks entries in storage order against each other and against the anchor (when given).
ChainVerdict verifyChain(const std::vector<AuditEntry>& entries,
                         const std::optional<AuditAnchor>& anchor);

// verifyChain one entry at a time, for chains too long to hold in memory (`huitong audit
// verify` streams the store through it). Not thread-safe; one verifier per pass.
class ChainVerifier {
 public:
  // Checks the next entry in storage order. false: it is the first broken entry (finish()
  // says why); later entries are not checked.
  bool add(const AuditEntry& entry);
  // The verdict over the entries added, held against the anchor when given and the chain
  // was whole so far.
  ChainVerdict finish(const std::optional<AuditAnchor>& anchor) const;
  std::int64_t checked() const { return verdict_.entries; }

 private:
  ChainVerdict verdict_;
  std::string prev_ = zeroHash();
};

}  // namespace huitong::registry
