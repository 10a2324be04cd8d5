// What the stored rows mean to a department and to the delivery worker, the same on both
// backends: a message's derived state, and the answer to a transition an item's state refuses.
// Internal to gateway/storage.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/core/Error.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::storage {

// REQUIRES: events carry publicEventState() states. See ExchangeStore::messageStatus().
std::string deriveMessageState(const std::string& journalState,
                               const std::vector<EventStatus>& events);

// The outbox state as a department sees it ("discarded" reads "dead").
std::string publicEventState(const std::string& outboxState);

// An UPDATE ... WHERE state = <required> touched no row: why. `current` is the row's state,
// nullopt when there is no such row. nullopt result: not an error (markDelivered twice).
std::optional<Error> refusedTransition(const char* operation, long long outboxId,
                                       const std::optional<std::string>& current,
                                       bool deliveredIsIdempotent);

}  // namespace huitong::storage
