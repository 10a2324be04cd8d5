// The adapter SDK: how a department's way of sending (HTTP JSON, SOAP, a folder of CSV files, a
// front-end database table, a third-party plugin) becomes RawMessages for the core.
// docs/adding-an-adapter.md is the checklist; this header is the contract.
//
// Two kinds (DESIGN.md §3):
//  - a *push* adapter is handed each department request after the gateway has read its body
//    (bounded) and authenticated it; it checks the media type, submits, and words the answer
//    the way the department's system expects (JSON problem, SOAP response or fault, ...);
//  - a *pull* adapter runs its own thread(s) between start() and stop(), fetches from the
//    department's source, submits, and marks the source (moves the file, sets the flag) only
//    after submit() has answered with a durable outcome.
// Either way the core answers submit() only after the message is committed in the journal, so
// an adapter never has to keep anything itself to be sure nothing is lost.
//
// Rules: adapters include only gateway/core; they report bad input as values (Error/Result),
// catch every exception of their own libraries at their boundary, never exit the process, and
// log through Host::log. A factory parses and checks its config once, in create(): a bad value is
// an Error naming the key (ConfigNode::fail), and the gateway refuses to start.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/ConfigNode.h"
#include "gateway/core/Error.h"
#include "gateway/core/RawMessage.h"

namespace huitong::adapter {

// Raised whenever a type below changes layout or meaning; a plugin built against another
// value is refused at load (gateway/app/PluginLoader).
// 2: Submission::Outcome::kNotOnline (the filing gate).
inline constexpr int kAbiVersion = 2;

// One broken rule of one record of a message (spec §4).
struct RejectedRule {
  std::string record;      // the record's path in the message ("$[3]", "line 7")
  std::string field;       // the case-event field ("applicant.id_no")
  std::string code;        // the rule ("pattern", "required", "checksum", ...)
  std::string sourcePath;  // where in the department's message the value came from
  std::string message;     // a sentence for a person
  std::size_t line = 0;    // the line in the message (CSV, XML) when known
};

// What the core did with a submitted message.
struct Submission {
  enum class Outcome {
    kAccepted,       // journaled; at least one event valid and queued for delivery
    kRejected,       // journaled as rejected: no event valid (see `rejected`)
    kNotOnline,      // journaled as rejected: every event valid, but its item's filing is not
                     // online (rules "filing.not_online" in `rejected`). The department did
                     // nothing wrong: the same message is taken once the item is online.
    kUnreadable,     // cannot be read at all (not CSV, bad charset, trailer mismatch...)
    kUnknownSystem,  // no mapping for the system
    kStoreFailed,    // the journal could not commit: nothing was accepted; try again later
  };
  Outcome outcome = Outcome::kStoreFailed;
  std::string messageId;               // kAccepted / kRejected / kNotOnline
  bool repeated = false;               // the same bytes again: the first answer, not redelivered
  std::vector<std::string> eventIds;   // queued events
  std::vector<RejectedRule> rejected;  // broken rules of the records that were not taken
  Error error;                         // kUnreadable / kUnknownSystem / kStoreFailed
  std::string answerJson;              // {"message_id","events","rejected"} as journaled

  // The message is in the journal: the source may now be marked as taken.
  bool durable() const {
    return outcome == Outcome::kAccepted || outcome == Outcome::kRejected ||
           outcome == Outcome::kNotOnline;
  }
};

// The core, as an adapter sees it. Thread-safe.
class Intake {
 public:
  virtual ~Intake() = default;
  // Journals, maps, judges and queues `message`; returns after the durable commit (or with
  // kStoreFailed when there was none). `message.system` must be the adapter's own system.
  virtual Submission submit(const RawMessage& message) = 0;
};

enum class LogLevel { kInfo, kWarning, kError };
using LogFields = std::vector<std::pair<std::string, std::string>>;

// How the adapter's source looks from the adapter: the department's health signal.
struct SourceStatus {
  bool reachable = true;  // false: the folder/database/peer cannot be reached now
  std::string detail;     // a sentence ("folder /data/in not readable: Permission denied")
  LogFields facts;        // figures for the health view ("oldest_file_age_s", "unflagged_rows")
  EpochMillis at = 0;
};

// What the gateway lends an adapter for its whole life.
class Host {
 public:
  virtual ~Host() = default;
  virtual Intake& intake() = 0;
  virtual const Clock& clock() = 0;
  // One structured log line; the system and adapter are added by the host.
  virtual void log(LogLevel level, const std::string& message, const LogFields& fields = {}) = 0;
  // Latest state of the source (pull adapters; push adapters may report peers' failures).
  virtual void reportSource(const SourceStatus& status) = 0;
};

// A department request as a push adapter gets it: body read in full (at most the configured
// limit) and the request authenticated for the adapter's system.
struct HttpRequest {
  std::string method;
  std::string target;       // path and query
  std::string contentType;  // the header as sent
  std::string mediaType;    // lower-case, without parameters ("text/xml")
  std::string charset;      // the charset parameter ("" when none)
  LogFields headers;        // names in lower case
  std::string body;
  std::string peer;  // "address:port"

  std::string header(const std::string& lowerName) const;
};

struct HttpAnswer {
  int status = 200;
  std::string contentType = "application/json; charset=utf-8";
  std::string body;
  LogFields headers;  // extra headers (Retry-After, ...)
};

// What create() is given.
struct AdapterSpec {
  std::string system;       // the department system the adapter serves
  std::string inputFormat;  // the system's mapping input format: json, xml, csv, rows
  ConfigNode config;        // the system's "adapter" block (its "kind" already read)
  Host* host = nullptr;     // never null; outlives the adapter
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  // Push adapters: answers one request. The default refuses (a pull adapter has no HTTP side).
  virtual HttpAnswer handle(const HttpRequest& request);
  // Push adapters: rewords a refusal made by the gateway before handle() (401/403 of the
  // signature check, 500) the department's way. The default keeps the problem+json answer.
  virtual HttpAnswer refuse(const HttpAnswer& gatewayAnswer) { return gatewayAnswer; }
  // Pull adapters: starts the thread(s); an Error here stops the gateway's start.
  virtual Result<void> start() { return {}; }
  // Stops and joins the thread(s); work in flight either completes or is left for next time.
  virtual void stop() {}
};

enum class AdapterKind { kPush, kPull };

class AdapterFactory {
 public:
  virtual ~AdapterFactory() = default;
  virtual std::string name() const = 0;  // the config's "kind": "file_drop"
  virtual AdapterKind kind() const = 0;
  virtual std::string summary() const = 0;  // one line for `huitong adapters`
  // Reads and checks spec.config (allowOnly + typed getters), then builds the adapter.
  virtual Result<std::unique_ptr<Adapter>> create(const AdapterSpec& spec) const = 0;
};

// The adapters a gateway knows: the built-ins (adapters/register_adapters.cpp) and loaded
// plugins. Filled at start, read-only afterwards.
class AdapterRegistry {
 public:
  // Refuses a second factory of the same name.
  Result<void> add(std::unique_ptr<AdapterFactory> factory, std::string origin = "built-in");
  const AdapterFactory* find(const std::string& name) const;
  std::vector<std::string> names() const;
  // Where a factory came from ("built-in" or the plugin's path).
  std::string origin(const std::string& name) const;

 private:
  std::vector<std::pair<std::unique_ptr<AdapterFactory>, std::string>> factories_;
};

// ------------------------------------------------------------------ helpers for push adapters

// RFC 9457 problem+json. `extraMembers` is more members as JSON text ("" for none).
HttpAnswer problem(int status, const std::string& type, const std::string& title,
                   const std::string& detail, const std::string& extraMembers = "");
// The gateway's standard JSON answer to a submission: 202 with the answer, 422 problem with
// every broken rule, 403 problem naming the items not online and their filing states, 400
// problem naming the unreadable spot, 404, or 503 with Retry-After.
HttpAnswer jsonAnswer(const Submission& submission);
// "item X of system S is 'configuring', not online; ..." of a kNotOnline submission: each
// item once.
std::string notOnlineDetail(const Submission& submission);
// `text` as a JSON string literal (quotes included).
std::string jsonQuote(const std::string& text);
// `text` escaped for XML character data and attribute values.
std::string xmlEscape(const std::string& text);
// The RawMessage of a push request (system, adapter name, content type, charset, body, peer).
RawMessage rawMessageOf(const HttpRequest& request, const std::string& system,
                        const std::string& adapterName, EpochMillis receivedAt);

}  // namespace huitong::adapter
