// Intake: a department's message becomes journaled, mapped and queued case events, and the
// department gets its answer only after that is durable (DESIGN.md §1). Stateless apart from
// its collaborators; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/core/RawMessage.h"
#include "gateway/exchange/FilingGate.h"
#include "gateway/exchange/MappingSet.h"
#include "gateway/exchange/Metrics.h"
#include "gateway/mapping/Mapping.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::exchange {

// The answer to a submission.
struct IntakeAnswer {
  enum class Kind {
    kAccepted,       // 202: journaled; some events valid and queued
    kRejected,       // 422: journaled as rejected; no event valid
    kNotOnline,      // 403: journaled as rejected; every event valid but its item not online
    kUnreadable,     // 400: the message cannot be read at all (not journaled)
    kUnknownSystem,  // 404: no mapping for the system (403 intake.not_published: only drafts)
    kStoreFailed,    // 503: the journal could not commit: nothing was accepted
  };
  Kind kind = Kind::kAccepted;
  std::string messageId;
  bool repeated = false;                       // the same message again: the first answer
  std::string bodyJson;                        // 202/422: {"message_id", "events", "rejected"}
  Error error;                                 // 400/404/503: what went wrong
  std::vector<mapping::Rejection> rejections;  // 422 / 403 / partial 202
};

// How one message is to be taken.
struct IntakeOptions {
  // Takes events of items whose filing is not online. Only the sandbox (issue 6) sets it, for
  // its own submissions; departments' messages always pass the gate.
  bool bypassFilingGate = false;
};

// The rule of an event refused because its item's filing is not online.
inline constexpr const char* kNotOnlineRule = "filing.not_online";
// The error code of a kUnknownSystem answer for a configured system whose first mapping
// version is not published yet (MappingSet::awaiting): answered 403, not 404.
inline constexpr const char* kNotPublishedCode = "intake.not_published";
class IntakeService {
 public:
  // `filings` answers, per event, whether its item is online (FilingGate.h).
  IntakeService(storage::ExchangeStore& store, const MappingSet& mappings, const Clock& clock,
                MetricsRegistry& metrics, const FilingGate& filings);

  // Maps the message; each valid event whose (system, item.code) filing is not online is
  // refused with rule filing.not_online (naming the item and the filing's state) unless
  // `options.bypassFilingGate`. Journals, queues, answers.
  IntakeAnswer submit(const RawMessage& message, const IntakeOptions& options = {}) const;

 private:
  storage::ExchangeStore& store_;
  const MappingSet& mappings_;
  const Clock& clock_;
  MetricsRegistry& metrics_;
  const FilingGate& filings_;
};

// A new message id: "m-" + 26 characters (time-ordered, random tail).
std::string newMessageId(EpochMillis now);
// SHA-256 of `data`, lower-case hex.
std::string sha256Hex(const std::string& data);

}  // namespace huitong::exchange
