// The intake's filing gate (exchange/FilingGate.h) answered from the registry's in-memory
// filing states (registry/FilingSnapshot.h): the one place the two areas meet.
#pragma once

#include "gateway/exchange/FilingGate.h"
#include "gateway/registry/FilingSnapshot.h"

namespace huitong::app {

class SnapshotGate final : public exchange::FilingGate {
 public:
  explicit SnapshotGate(const registry::FilingSnapshot& states) : states_(states) {}
  exchange::ItemFiling item(const std::string& system, const std::string& itemCode) const override {
    exchange::ItemFiling f;
    const auto state = states_.state(system, itemCode);
    if (!state)
      return f;
    f.onFile = true;
    f.online = *state == registry::FilingState::kOnline;
    f.state = registry::toString(*state);
    return f;
  }

 private:
  const registry::FilingSnapshot& states_;
};

}  // namespace huitong::app
