// A joint-debug (联调) session: one department message sent to the sandbox, the mapping version
// it ran on, and for each event its trace (every target field's fate), its rules broken and the
// mock platform's verdict (docs/sandbox.md). The session's JSON is the department's answer and
// what is kept as evidence; the HTML page is the same, readable, for the person on the phone.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/core/Html.h"
#include "gateway/mapping/Mapping.h"

namespace huitong::sandbox {

// What the mock platform said of one event.
enum class Verdict { kAccepted, kDuplicate, kConflict, kRejected };
const char* toString(Verdict verdict);

struct EventVerdict {
  std::string record;  // the record's path in the message
  std::string eventId;
  std::string itemCode;
  std::string stage;
  Verdict verdict = Verdict::kRejected;
  std::string receiptNo;                    // accepted, duplicate: the platform's receipt
  std::string message;                      // conflict: a sentence
  std::vector<mapping::Rejection> rules;    // rejected: every broken rule, with source paths
  std::vector<mapping::FieldTrace> fields;  // every target field's fate
  std::string eventJson;                    // the case event as mapped (may be partial)
};

struct Session {
  std::string id;  // "sb-" + 26 time-ordered characters
  std::string system;
  std::string actor;  // the sandbox key id, or the staff account
  EpochMillis at = 0;
  std::string mappingVersion;  // "" when no version could run
  std::string mappingState;    // draft | tested | published
  std::string mappingSha256;   // the version's files as they were (a replaced draft differs)
  std::string contentType;
  std::string input;  // the message's bytes
  // judged: the events below; unreadable: the message could not be read (error);
  // refused: the system's adapter refused the request before the mapping (adapterAnswer);
  // no_mapping: no version of the system could be compiled (error).
  std::string outcome = "judged";
  Error error;
  int adapterStatus = 0;  // what the system's adapter answered (as it would in production)
  std::string adapterContentType;
  std::string adapterBody;
  std::vector<EventVerdict> events;
  bool recorded = true;     // false: the store could not keep it (recordError says why)
  std::string recordError;  // not part of the kept JSON
};

// A new session id ("sb-" + ULID-like: sorts by time).
std::string newSessionId(EpochMillis now);

// The session as the API answers it (docs/sandbox.md "The answer").
rapidjson::Document sessionToJson(const Session& session);

// `text` escaped for HTML text and attribute values (& < > " '): gateway/core/Html.h.
using huitong::htmlEscape;

// A whole HTML page (inline CSS, no script, nothing external) of a session's JSON as
// sessionToJson writes it; every text from the message or the mapping is escaped.
std::string sessionHtml(const rapidjson::Value& session);

// Whether the Accept header prefers text/html over JSON (JSON when absent or equal).
bool prefersHtml(const std::string& accept);

}  // namespace huitong::sandbox
