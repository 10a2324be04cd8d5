// The compiled mappings the gateway runs, one per department system. Replaced as a whole
// (a reload builds a new set; a failed reload keeps the running one); readers take a snapshot.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "gateway/core/Error.h"
#include "gateway/mapping/Mapping.h"

namespace huitong::exchange {

class MappingSet {
 public:
  using Snapshot =
      std::shared_ptr<const std::map<std::string, std::shared_ptr<const mapping::Mapping>>>;

  // Loads every mapping under `dir` (mappings/<system>/mapping.json); on failure the running
  // set stays and the error names file:line:column.
  Result<void> load(const std::string& dir);
  // Runs `mapping` for `system` from now on: requests that took a snapshot before finish
  // on the mapping they started with, new ones get this (no request is dropped).
  void install(const std::string& system, std::shared_ptr<const mapping::Mapping> mapping);
  Snapshot snapshot() const;
  std::shared_ptr<const mapping::Mapping> find(const std::string& system) const;

  // A configured system whose first version is still a draft (in joint debugging): its adapter
  // is built for the draft's input format, the sandbox runs the draft, and the production
  // intake answers `intake.not_published` until a version is published and installed.
  struct Awaiting {
    std::string inputFormat;
    std::string draftVersion;
  };
  void await(const std::string& system, Awaiting awaiting);
  std::optional<Awaiting> awaiting(const std::string& system) const;

 private:
  mutable std::mutex mu_;
  Snapshot current_ =
      std::make_shared<const std::map<std::string, std::shared_ptr<const mapping::Mapping>>>();
  std::map<std::string, Awaiting> awaiting_;  // until install()
};

}  // namespace huitong::exchange
