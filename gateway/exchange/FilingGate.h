// The intake's question to the filing registry: may events of this item be taken? Only items
// whose filing is online are (issue 5 item 2); the registry side answers from memory
// (registry::FilingSnapshot), never with a database read per message.
// Implementations are thread-safe: the intake asks from every request thread at once.
#pragma once

#include <string>

namespace huitong::exchange {

// An item's filing as the gate sees it.
struct ItemFiling {
  bool onFile = false;
  bool online = false;
  std::string state;  // "configuring", "online", ...; "" when not on file
};

class FilingGate {
 public:
  virtual ~FilingGate() = default;
  virtual ItemFiling item(const std::string& system, const std::string& itemCode) const = 0;
};

}  // namespace huitong::exchange
