#include "gateway/exchange/MappingSet.h"

namespace huitong::exchange {

Result<void> MappingSet::load(const std::string& dir) {
  auto all = mapping::loadAll(dir);
  if (!all.ok())
    return all.error();
  auto next = std::make_shared<std::map<std::string, std::shared_ptr<const mapping::Mapping>>>();
  for (auto& m : all.value())
    (*next)[m->system()] = m;
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(next);
  return {};
}

void MappingSet::install(const std::string& system,
                         std::shared_ptr<const mapping::Mapping> mapping) {
  std::lock_guard<std::mutex> lock(mu_);
  auto next =
      std::make_shared<std::map<std::string, std::shared_ptr<const mapping::Mapping>>>(*current_);
  (*next)[system] = std::move(mapping);
  current_ = std::move(next);
  awaiting_.erase(system);
}

void MappingSet::await(const std::string& system, Awaiting awaiting) {
  std::lock_guard<std::mutex> lock(mu_);
  awaiting_[system] = std::move(awaiting);
}

std::optional<MappingSet::Awaiting> MappingSet::awaiting(const std::string& system) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = awaiting_.find(system);
  if (it == awaiting_.end())
    return std::nullopt;
  return it->second;
}

MappingSet::Snapshot MappingSet::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

std::shared_ptr<const mapping::Mapping> MappingSet::find(const std::string& system) const {
  const Snapshot s = snapshot();
  const auto it = s->find(system);
  return it == s->end() ? nullptr : it->second;
}

}  // namespace huitong::exchange
