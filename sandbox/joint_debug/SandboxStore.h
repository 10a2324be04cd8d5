// Where joint-debug sessions are kept as evidence: the exchange store's database (same SQLite
// file, same PostgreSQL database; tables sandbox_session and sandbox_event of the numbered
// migrations in gateway/storage/Migrations.cpp). Sessions are only ever added: a session is
// what a department sent and what the sandbox answered, so it is never changed afterwards.
// Thread-safe (one connection behind a mutex: sessions arrive at a person's pace). Database
// failures come back as Error{"store.*"}; nothing here throws.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Error.h"
#include "gateway/storage/ExchangeStore.h"
#include "sandbox/joint_debug/Evidence.h"
#include "sandbox/joint_debug/Session.h"

namespace huitong::sandbox {

// A session in a list (without its input and trace).
struct SessionSummary {
  std::int64_t seq = 0;  // the list's cursor
  std::string id;
  std::string system;
  std::string actor;
  EpochMillis at = 0;
  std::string mappingVersion;
  std::string outcome;
  std::string summaryJson;  // {"events", "accepted", "duplicate", "conflict", "rejected"}
};

struct StoredSession {
  SessionSummary summary;
  std::string contentType;
  std::string input;      // the bytes as sent
  std::string traceJson;  // the answer as sent (sessionToJson)
};

constexpr int kMaxSessionPage = 200;

// Sessions to list; every given filter must hold. Pages go in arrival order after `afterSeq`.
struct SessionQuery {
  std::string system;
  std::string item;     // sessions with at least one event of this item code
  std::string version;  // mapping version
  std::int64_t afterSeq = 0;
  int limit = 50;  // 1..kMaxSessionPage
};

struct SessionPage {
  std::vector<SessionSummary> sessions;
  std::int64_t nextAfterSeq = 0;  // 0: the last page
};

class SandboxStore {
 public:
  virtual ~SandboxStore() = default;
  // Opens the store's database (migrating it as the exchange store does).
  static Result<std::unique_ptr<SandboxStore>> open(const storage::StoreConfig& config);

  // Keeps `session` (its JSON answer `traceJson`) and one row per event, in one transaction.
  virtual Result<void> record(const Session& session, const std::string& traceJson) = 0;
  virtual Result<std::optional<StoredSession>> session(const std::string& id) = 0;
  virtual Result<SessionPage> sessions(const SessionQuery& query) = 0;
  // Up to `limit` (1..kMaxSessionPage) whole sessions of `system` after `afterSeq`, in arrival
  // order: what the sandbox reads at its first use after a start to remember, as the platform
  // would, the events it accepted before.
  virtual Result<std::vector<StoredSession>> history(const std::string& system,
                                                     std::int64_t afterSeq, int limit) = 0;
  // The judged events of `itemCode` in sessions of `system` that ran `version` with the files
  // whose digest is `sha256`, oldest first.
  virtual Result<std::vector<EvidenceEvent>> evidence(const std::string& system,
                                                      const std::string& itemCode,
                                                      const std::string& version,
                                                      const std::string& sha256) = 0;
};

}  // namespace huitong::sandbox
