// What the registry stores of a mapping version: its files, its state in the draft → tested →
// published life, and which version each system runs (DESIGN.md §3, issue 5 item 3). Data only:
// MappingVersions.h holds the rules, RegistryStore the rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "gateway/core/Clock.h"

namespace huitong::registry {

enum class MappingState { kDraft, kTested, kPublished };
const char* toString(MappingState state);
std::optional<MappingState> mappingStateFrom(const std::string& text);

struct MappingVersionRecord {
  std::string system;
  std::string version;  // the mapping file's own "version"
  MappingState state = MappingState::kDraft;
  std::string sha256;       // of the bundle's files (MappingVersions.h bundleDigest)
  std::string inputFormat;  // json | xml | csv | rows: a switch may not change it
  std::string bundle;       // JSON {"files": {"mapping.json": "<base64>", ...}}; "" in lists
  std::string testReport;   // JSON of the last embedded-test run ("" before the first)
  std::string createdBy;
  EpochMillis createdAt = 0;
  EpochMillis testedAt = 0;  // 0: never passed
  std::string publishedBy;
  EpochMillis publishedAt = 0;  // 0: never published
};

// The version a system runs. `generation` grows by one with every switch (publish, rollback).
struct LiveMapping {
  std::string system;
  std::string version;
  std::int64_t generation = 0;
  std::string switchedBy;
  EpochMillis switchedAt = 0;
};

}  // namespace huitong::registry
