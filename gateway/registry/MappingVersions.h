// Mapping versions as people use them (issue 5 item 3, DESIGN.md §3): a system's mapping is
// uploaded as a draft (its mapping.json and the files it names: code tables, test inputs),
// tested (its embedded tests pass: tested), published (the tests run again and must pass; the
// version becomes the one every gateway runs, and the system's online filings record it), and
// an earlier published version can be made live again (rollback). Every change is an audit
// entry in the same transaction; refusals that touch access are audited too. The gateway
// notices a new live generation and switches without restart (gateway/http/MappingSync.h).
// Thread-safe as the store is; the store and clock outlive the service.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/mapping/Mapping.h"
#include "gateway/registry/Filing.h"
#include "gateway/registry/RegistryStore.h"

namespace huitong::registry {

// A mapping's files: relative path ("mapping.json", "tests/a.json") → bytes.
struct MappingBundle {
  std::map<std::string, std::string> files;
};

// Limits of one bundle (a bigger one is "mapping.bundle").
constexpr std::size_t kMaxBundleFiles = 512;
constexpr std::size_t kMaxBundleBytes = 32u * 1024 * 1024;

// Every regular file under `dir` (names starting with '.' skipped), as a bundle.
Result<MappingBundle> readBundleDir(const std::string& dir);
// {"files": {"mapping.json": "<base64>", ...}}: how the store keeps it.
std::string bundleJson(const MappingBundle& bundle);
// The API's upload form {"files": {path: file}}, where a file is either its text (a JSON
// string, UTF-8) or {"base64": "..."}; `where` prefixes error paths. Paths are checked:
// relative, no "..", no backslash, mapping.json present.
Result<MappingBundle> bundleFromJson(const std::string& text, const std::string& where = "");
// A stored version's files.
Result<MappingBundle> storedBundle(const MappingVersionRecord& record);
// SHA-256 over the sorted (path, size, bytes) of every file, lower-case hex.
std::string bundleDigest(const MappingBundle& bundle);
// Compiles the bundle (its files written to a private temporary folder for the compiler's
// relative reads, removed afterwards). Errors name "<label>/mapping.json:line:column".
Result<std::shared_ptr<const mapping::Mapping>> compileBundle(const MappingBundle& bundle,
                                                              const std::string& label);

// The outcome of running a version's embedded tests.
struct MappingTestOutcome {
  MappingVersionRecord record;  // as stored after the run
  int passed = 0;
  int failed = 0;
  std::string reportJson;  // {"passed": n, "failed": m, "at": ..., "tests": [...]}
};

// What `bootstrap` did with a system's mapping folder, for the log.
struct BootstrapOutcome {
  // "published" | "draft" | "unchanged" | "differs" | "none" | "awaiting" (no folder, nothing
  // published, drafts stored: the system starts in joint debugging)
  std::string action;
  std::string version;
  std::string message;
};

class MappingVersions {
 public:
  MappingVersions(RegistryStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Uploads `bundle` as a draft of `system` (its version is the mapping file's "version").
  // The same files again: the stored record, nothing written. A draft or tested version with
  // other files: replaced, state draft. A published version is never replaced
  // ("mapping.exists": give the new files another version). The bundle must compile and name
  // `system` ("mapping.invalid" with file:line:column). Admins and operators
  // ("mapping.forbidden", audited "mapping.draft.refused"). Audited "mapping.draft".
  Result<MappingVersionRecord> draft(const std::string& system, const MappingBundle& bundle,
                                     const Actor& actor);

  // Runs the version's embedded tests and records the report: all pass → a draft becomes
  // tested; any fails → a tested version goes back to draft. Audited "mapping.test".
  Result<MappingTestOutcome> test(const std::string& system, const std::string& version,
                                  const Actor& actor);

  // Makes a tested version live: compiles it, runs its embedded tests again and refuses on a
  // failure ("mapping.tests_failed", audited "mapping.publish.refused", back to draft), refuses
  // a changed input format ("mapping.input_format": the adapter reads the old one), a draft
  // ("mapping.illegal_move": test it first), a published version ("mapping.illegal_move":
  // that is a rollback) and a stale `expectedGeneration` when given ("mapping.stale").
  // Audited "mapping.publish" (before: the live version, after: the new one).
  Result<LiveMapping> publish(const std::string& system, const std::string& version,
                              const Actor& actor,
                              std::optional<std::int64_t> expectedGeneration = std::nullopt);

  // Makes an earlier published version live again (it compiles and reads the same input
  // format; its tests passed when it was published and are not a condition now: a rollback is
  // the way out of an emergency). Audited "mapping.rollback".
  Result<LiveMapping> rollback(const std::string& system, const std::string& version,
                               const Actor& actor);

  // At `huitong serve` start, for a system of the config, with its folder of the mappings
  // directory: a system with no live version gets the folder published (tests must pass;
  // audited "mapping.import" by `actorName`, role system); a folder whose version is not
  // stored yet becomes a draft (audited "mapping.draft"); a stored version with other files is
  // reported ("differs": bump the version), never overwritten. A missing folder is fine when a
  // version is live, or when drafts are stored ("awaiting": joint debugging before the first
  // publish).
  Result<BootstrapOutcome> bootstrap(const std::string& system, const std::string& dir,
                                     const std::string& actorName);

  Result<std::optional<MappingVersionRecord>> get(const std::string& system,
                                                  const std::string& version);
  Result<std::vector<MappingVersionRecord>> versions(const std::string& system);
  Result<std::optional<LiveMapping>> live(const std::string& system);
  Result<std::vector<LiveMapping>> live();
  // Compiles a stored version.
  Result<std::shared_ptr<const mapping::Mapping>> load(const std::string& system,
                                                       const std::string& version);

 private:
  AuditEntry entry(const Actor& actor, const std::string& action, const std::string& system,
                   const std::string& before, const std::string& after) const;
  Error refused(const Error& why, const Actor& actor, const std::string& action,
                const std::string& system, const std::string& version);
  Result<LiveMapping> makeLive(const std::string& system, const MappingVersionRecord& record,
                               const Actor& actor, const std::string& action,
                               std::optional<std::int64_t> expectedGeneration,
                               const std::string& extraAfter);
  Result<MappingVersionRecord> require(const std::string& system, const std::string& version);

  RegistryStore& store_;
  const Clock& clock_;
};

// "mapping SYSTEM": an audit entry's target.
std::string mappingTarget(const std::string& system);
// A version record as JSON (without its bundle).
std::string mappingVersionJson(const MappingVersionRecord& record);

// Recorded sandbox evidence of an item on a mapping version (the joint-debug sandbox,
// sandbox/joint_debug: every required scenario passed). Thread-safe.
class SandboxEvidence {
 public:
  virtual ~SandboxEvidence() = default;
  virtual bool passed(const std::string& system, const std::string& itemCode,
                      const std::string& version) const = 0;
};

// The registry's gate for going online, from what is recorded: the version named must be the
// system's live, published version; the sandbox evidence recorded for the item on that version
// must pass (`evidence`; none given: never). `assumeSandboxEvidence`
// (registry.assume_sandbox_evidence) is an explicit override: evidence is then taken as passed,
// and each time it decides a check this way a warning is logged through `log`.
class RecordedGoLiveChecks final : public GoLiveChecks {
 public:
  using Log = std::function<void(const std::string& message, const std::string& system,
                                 const std::string& item, const std::string& version)>;
  RecordedGoLiveChecks(RegistryStore& store, bool assumeSandboxEvidence,
                       const SandboxEvidence* evidence = nullptr, Log log = nullptr)
      : store_(store),
        assumeEvidence_(assumeSandboxEvidence),
        evidence_(evidence),
        log_(std::move(log)) {}
  bool mappingVersionPublished(const std::string& system,
                               const std::string& version) const override;
  bool sandboxEvidencePassed(const std::string& system, const std::string& itemCode,
                             const std::string& version) const override;

 private:
  RegistryStore& store_;
  const bool assumeEvidence_;
  const SandboxEvidence* evidence_;
  Log log_;
};

}  // namespace huitong::registry
