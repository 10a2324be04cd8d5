// Replay before publishing (issue 6 item 4): journaled production messages of a system run
// again through another mapping version (a draft), each compared with the events production
// queued for it, field by field. Pure computation over what the store returns: nothing is
// written, nothing is delivered. Deterministic: a message's "now" is its received time.
// Thread-safe (a shared Mapping is run from any thread; the store is thread-safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/core/Error.h"
#include "gateway/mapping/Mapping.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::exchange {

// One value that differs between production's event and the draft's. `pointer` is an
// RFC 6901 JSON pointer into the case event ("/parties/0/name"); before/after are JSON text,
// nullopt where the value is absent on that side (a field added or removed).
struct FieldChange {
  std::string pointer;
  std::optional<std::string> before;
  std::optional<std::string> after;
};

// Field-level differences from `before` to `after`: objects member by member, arrays element by
// element (index = position), anything else by value; a type change is one change of the whole
// value. Pointers in before's member order, then after's new members.
std::vector<FieldChange> diffJson(const rapidjson::Value& before, const rapidjson::Value& after);

// What became of one event.
struct EventChange {
  enum class Kind {
    kSame,     // the draft makes it exactly as production did
    kChanged,  // matched, with field changes
    kNew,      // only the draft makes it
    kGone,     // only production made it
  };
  Kind kind = Kind::kSame;
  std::string eventId;            // the draft's event id (kGone: production's)
  std::string productionEventId;  // production's event id ("" for kNew)
  // Events are matched by event_id; those left over on both sides are then paired in order
  // (the draft changed how the id is made): such a pair is kChanged with this set, and its
  // fields include /event_id.
  bool matchedByPosition = false;
  std::vector<FieldChange> fields;  // kChanged only
};

enum class ReplayOutcome {
  kSame,         // every event as production made it (or rejected then and now)
  kChanged,      // some matched event differs
  kNewEvents,    // nothing changed, but the draft makes events production did not
  kEventsGone,   // nothing changed or new, but production made events the draft does not
  kNowRejected,  // production accepted it; the draft makes no valid event
  kNowAccepted,  // production rejected it; the draft makes valid events
  kUnreadable,   // the draft cannot read the message at all
};
constexpr int kReplayOutcomes = 7;
// "same", "changed", "new_events", "events_gone", "now_rejected", "now_accepted", "unreadable"
const char* outcomeName(ReplayOutcome outcome);

// One journaled message replayed.
struct MessageReplay {
  std::int64_t journalId = 0;
  std::string messageId;
  EpochMillis receivedAt = 0;
  std::string productionState;  // "accepted" | "rejected"
  ReplayOutcome outcome = ReplayOutcome::kSame;
  std::vector<EventChange> events;  // production's events in order, then the draft's new ones
  std::vector<mapping::Rejection> rejections;  // the draft's broken rules
  // Draft events of records that production's filing gate refused (filing.not_online in the
  // journaled answer): the gate, not the mapping, decided those, so they are not compared.
  std::size_t gateRefused = 0;
  Error error;  // kUnreadable: why
};

// Messages per outcome.
struct ReplaySummary {
  std::int64_t messages = 0;
  std::int64_t counts[kReplayOutcomes] = {};
  std::int64_t count(ReplayOutcome o) const { return counts[static_cast<int>(o)]; }
  void add(ReplayOutcome o) {
    ++messages;
    ++counts[static_cast<int>(o)];
  }
  void add(const ReplaySummary& other);
  // Messages whose outcome is anything but kSame.
  std::int64_t differing() const { return messages - count(ReplayOutcome::kSame); }
};

// Runs `draft` on the journaled bytes (charset and received time as journaled; the clock stands
// at the received time) and compares with what production queued.
MessageReplay replayMessage(const mapping::Mapping& draft, const storage::JournalEntry& entry);

// One page of a replay: at most `limit` messages of `range` after journal id `after`.
struct ReplayPage {
  std::vector<MessageReplay> messages;
  ReplaySummary summary;                  // of this page
  std::optional<std::int64_t> nextAfter;  // the cursor of the next page; nullopt: this was the last
};
// Store errors pass through ("store.not_found": `after` is not one of the system's messages).
Result<ReplayPage> replayPage(storage::ExchangeStore& store, const mapping::Mapping& draft,
                              const storage::JournalRange& range, std::int64_t after, int limit);

// JSON forms (the CLI's --json lines and the HTTP API):
// {"journal_id", "message_id", "received_at", "production_state", "outcome", "events":
// [{"event_id",
//  "production_event_id", "change", "matched_by_position", "fields": [{"pointer", "before",
//  "after"}]}], "rejected": [...], "gate_refused", "error"}
rapidjson::Value messageReplayToJson(const MessageReplay& m, rapidjson::Document::AllocatorType& a);
// {"messages": n, "same": n, "changed": n, ...}
rapidjson::Value replaySummaryToJson(const ReplaySummary& s, rapidjson::Document::AllocatorType& a);

}  // namespace huitong::exchange
