// A backup's manifest (<id>.manifest.json beside the payload): what the backup holds and how to
// check it — store kind, when, which gateway and schema version, row counts per table and the
// audit chain head as of the backup's snapshot, and the payload's size, SHA-256 and cipher.
// Verify compares a restore test with it; parse errors name the file and the member.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"

namespace huitong::ops::backup {

struct Manifest {
  int format = 1;
  std::string id;
  std::string storeKind;  // "sqlite" | "postgres"
  EpochMillis createdAt = 0;
  std::string gatewayVersion;
  int schemaVersion = 0;
  std::map<std::string, std::int64_t> rowCounts;
  std::int64_t auditEntries = 0;
  std::string auditHead;    // hex, the anchor's head in the snapshot (64 zeros: empty trail)
  std::string payloadFile;  // file name, in the manifest's folder
  std::int64_t bytes = 0;
  std::string sha256;
  std::string cipher = "none";  // "none" | "aes-256-gcm"
  std::string iv, tag;          // hex, encrypted only
};

std::string manifestJson(const Manifest& m);
// `where` names the file in errors ("backup.manifest").
Result<Manifest> parseManifest(const std::string& text, const std::string& where);

// The manifest's file name for a backup id, and the payload's for a store kind and cipher.
std::string manifestFileName(const std::string& id);
std::string payloadFileName(const std::string& id, const std::string& storeKind, bool encrypted);

// A backup id for a start time: "B-YYYYMMDD-HHMMSS-xxxx" (UTC, 4 random hex digits).
std::string newRecordId(char prefix, EpochMillis at);

}  // namespace huitong::ops::backup
