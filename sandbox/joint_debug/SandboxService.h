// The joint-debug sandbox (联调, docs/sandbox.md): a department's message runs through a chosen
// mapping version of its system with the trace on, each event is judged by the mock platform's
// rules (the Validator, then new / duplicate / conflict by event_id against the system's earlier
// sandbox events), and the session is kept as evidence. Nothing here touches the production
// journal, outbox or metrics. Thread-safe; the collaborators outlive it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/core/RawMessage.h"
#include "gateway/mapping/Mapping.h"
#include "gateway/registry/MappingVersions.h"
#include "gateway/registry/RegistryStore.h"
#include "sandbox/joint_debug/Evidence.h"
#include "sandbox/joint_debug/SandboxStore.h"
#include "sandbox/joint_debug/Session.h"
#include "sandbox/mock_platform/EventStore.h"

namespace huitong::sandbox {

// An item's evidence on a mapping version.
struct EvidenceReport {
  std::string system;
  std::string itemCode;
  std::string version;
  std::string sha256;  // the version's files the sessions must have run
  std::vector<std::string> stages;
  std::vector<Scenario> scenarios;
  // "defaults" (each stage + one invalid message) or "filing" (the filing's own list).
  std::string required = "defaults";
  bool passed = false;
};
std::string evidenceJson(const EvidenceReport& report);

class SandboxService final : public registry::SandboxEvidence {
 public:
  // `filings` (optional) holds the filings whose own required scenarios evidence applies
  // (RequiredScenarios.h); without it every item requires the defaults.
  SandboxService(registry::MappingVersions& versions, SandboxStore& store, const Clock& clock,
                 registry::RegistryStore* filings = nullptr);
  ~SandboxService() override;

  // The version a session runs: `requested` when given (it must exist: "sandbox.version"),
  // else the system's newest draft or tested version, else its live one ("sandbox.no_mapping"
  // when the system has none).
  Result<registry::MappingVersionRecord> chooseVersion(const std::string& system,
                                                       const std::string& requested);

  // Runs `message` on `version`, judges it, records the session and returns it (with
  // `recorded` false and the store's error when it could not be kept).
  Session run(const RawMessage& message, const std::string& actor,
              const registry::MappingVersionRecord& version);

  // Records a request the system's adapter refused before any mapping ran.
  Session refused(const RawMessage& message, const std::string& actor,
                  const registry::MappingVersionRecord& version, int status,
                  const std::string& contentType, const std::string& body);

  // The scenarios of `itemCode` on `version` and the sessions that pass them.
  Result<EvidenceReport> evidence(const std::string& system, const std::string& itemCode,
                                  const std::string& version) const;

  // registry::SandboxEvidence: every scenario passed (false when anything cannot be read).
  bool passed(const std::string& system, const std::string& itemCode,
              const std::string& version) const override;

  SandboxStore& store() { return store_; }

 private:
  Result<std::shared_ptr<const mapping::Mapping>> compiled(
      const registry::MappingVersionRecord& version);
  Result<EventStore*> events(const std::string& system);
  Result<void> recall(const std::string& system, EventStore& memory);  // mu_ held
  void keep(Session& session);

  registry::MappingVersions& versions_;
  SandboxStore& store_;
  registry::RegistryStore* filings_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, std::string>,
           std::shared_ptr<const mapping::Mapping>>
      compiled_;
  std::map<std::string, std::unique_ptr<EventStore>> events_;
  std::map<std::string, EpochMillis> firstSeen_;  // system + bytes digest -> first arrival
};

}  // namespace huitong::sandbox
