#include "gateway/exchange/IntakeService.h"

#include <algorithm>
#include <optional>
#include <random>

#include <openssl/evp.h>

#include "gateway/core/Json.h"

namespace huitong::exchange {

std::string sha256Hex(const std::string& data) {
  // OpenSSL's SHA-256 (hardware accelerated where the CPU has it): several times faster than
  // Poco's portable one on the request path (tests/bench/gateway/README.md).
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out(static_cast<std::size_t>(len) * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 15];
  }
  return out;
}

std::string newMessageId(EpochMillis now) {
  // Crockford base32: 10 characters of milliseconds, 16 of randomness (a ULID's layout), so
  // ids sort by arrival and never collide across restarts.
  static const char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id = "m-";
  for (int i = 9; i >= 0; --i)
    id += kAlphabet[(static_cast<std::uint64_t>(now) >> (i * 5)) & 31];
  std::uint64_t r1 = rng(), r2 = rng();
  for (int i = 0; i < 16; ++i) {
    id += kAlphabet[(i < 12 ? r1 >> (i * 5) : r2 >> ((i - 12) * 5)) & 31];
  }
  return id;
}

namespace {

std::string itemCodeOf(const rapidjson::Value& event) {
  if (!event.IsObject())
    return "";
  const auto item = event.FindMember("item");
  if (item == event.MemberEnd() || !item->value.IsObject())
    return "";
  const auto code = item->value.FindMember("code");
  return code != item->value.MemberEnd() && code->value.IsString() ? code->value.GetString() : "";
}

// An event the gate refused: the rule, and the filing as the gate saw it.
struct GateRefusal {
  mapping::Rejection rule;
  std::string itemCode;
  std::string state;  // "" = not on file
};

GateRefusal refusalOf(const std::string& system, const std::string& itemCode,
                      const ItemFiling& filing) {
  GateRefusal g;
  g.itemCode = itemCode;
  g.state = filing.onFile ? filing.state : "";
  g.rule.field = "item.code";
  g.rule.code = kNotOnlineRule;
  g.rule.message =
      "item " + itemCode + " of system " + system +
      (filing.onFile ? " is '" + filing.state + "', not online" : " is not on file (no filing)") +
      ": its events are taken once the item is online; send the message again then";
  return g;
}

// A journaled answer that refused every event only because its item was not online.
bool onlyNotOnline(const rapidjson::Value& body) {
  if (!body.IsObject() || !body.HasMember("events") || !body["events"].IsArray() ||
      !body["events"].Empty() || !body.HasMember("rejected") || !body["rejected"].IsArray() ||
      body["rejected"].Empty())
    return false;
  for (const auto& r : body["rejected"].GetArray()) {
    if (!r.IsObject() || !r.HasMember("code") || !r["code"].IsString() ||
        std::string(r["code"].GetString()) != kNotOnlineRule)
      return false;
  }
  return true;
}

}  // namespace

IntakeService::IntakeService(storage::ExchangeStore& store, const MappingSet& mappings,
                             const Clock& clock, MetricsRegistry& metrics,
                             const FilingGate& filings)
    : store_(store), mappings_(mappings), clock_(clock), metrics_(metrics), filings_(filings) {}

IntakeAnswer IntakeService::submit(const RawMessage& message, const IntakeOptions& intake) const {
  IntakeAnswer answer;
  const auto mapping = mappings_.find(message.system);
  const std::string systemLabel = "system=\"" + MetricsRegistry::escape(message.system) + "\"";
  if (!mapping) {
    answer.kind = IntakeAnswer::Kind::kUnknownSystem;
    if (const auto waiting = mappings_.awaiting(message.system)) {
      answer.error = Error{
          kNotPublishedCode,
          "system '" + message.system + "' has no published mapping version yet (version " +
              waiting->draftVersion + " is a draft in joint debugging: send to /sandbox/v1/" +
              message.system + "); production messages are taken once a version is published " +
              "and the item is online",
          ""};
    } else {
      answer.error = Error{"intake.unknown_system",
                           "no department system '" + message.system + "' is configured", ""};
    }
    return answer;
  }
  mapping::RunOptions options;
  options.receivedAt = formatRfc3339(message.receivedAt);
  options.charset = message.charset;
  auto out = mapping->run(message.bytes, clock_, options);
  if (!out.ok()) {
    answer.kind = IntakeAnswer::Kind::kUnreadable;
    answer.error = out.error();
    metrics_
        .counter("huitong_intake_unreadable_total", "Messages that could not be read at all",
                 systemLabel)
        .inc();
    return answer;
  }
  const mapping::MappingOutput& mapped = out.value();
  // The gate: one in-memory lookup per valid event (FilingGate.h).
  std::vector<std::optional<GateRefusal>> gate(mapped.events.size());
  std::size_t gateRefused = 0;
  std::vector<std::string> refusedItems;  // "item=state", sorted: part of the digest
  if (!intake.bypassFilingGate) {
    for (std::size_t i = 0; i < mapped.events.size(); ++i) {
      const std::string code = itemCodeOf(mapped.events[i].event);
      const ItemFiling filing = filings_.item(message.system, code);
      if (filing.online)
        continue;
      gate[i] = refusalOf(message.system, code, filing);
      ++gateRefused;
      refusedItems.push_back(code + "=" + (filing.onFile ? filing.state : ""));
    }
  }
  const std::size_t queued = mapped.events.size() - gateRefused;
  storage::IntakeRecord record;
  record.raw = message;
  record.messageId = newMessageId(message.receivedAt);
  record.digest = sha256Hex(message.system + "\n" + message.bytes);
  if (gateRefused > 0) {
    // The same bytes sent again once the items are online (or in another state) must be judged
    // again, not answered with this refusal as a repeat: the states are part of the identity.
    std::sort(refusedItems.begin(), refusedItems.end());
    refusedItems.erase(std::unique(refusedItems.begin(), refusedItems.end()), refusedItems.end());
    std::string states;
    for (const auto& r : refusedItems)
      states += r + "\n";
    record.digest = sha256Hex(message.system + "\n" + message.bytes + "\nfiling gate\n" + states);
  }
  record.state = queued == 0 ? "rejected" : "accepted";

  rapidjson::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  rapidjson::Value ids(rapidjson::kArrayType), rejected(rapidjson::kArrayType);
  for (std::size_t i = 0; i < mapped.events.size(); ++i) {
    const auto& e = mapped.events[i];
    if (gate[i])
      continue;
    storage::OutboxEvent ev;
    ev.eventId = e.event["event_id"].GetString();
    ev.caseKey = message.system + ":" + e.event["case_no"].GetString();
    ev.payload = json::write(e.event);
    ids.PushBack(json::string(ev.eventId, a), a);
    record.events.push_back(std::move(ev));
  }
  for (const auto& e : mapped.rejected) {
    for (const auto& r : e.rejections) {
      rapidjson::Value v = mapping::rejectionToJson(r, a);
      v.AddMember("record", json::string(e.recordPath, a), a);
      rejected.PushBack(v, a);
      answer.rejections.push_back(r);
      metrics_
          .counter("huitong_intake_rejections_total", "Broken rules in received messages, by code",
                   systemLabel + ",code=\"" + MetricsRegistry::escape(r.code) + "\"")
          .inc();
    }
  }
  for (std::size_t i = 0; i < mapped.events.size(); ++i) {
    if (!gate[i])
      continue;
    rapidjson::Value v = mapping::rejectionToJson(gate[i]->rule, a);
    v.AddMember("record", json::string(mapped.events[i].recordPath, a), a);
    v.AddMember("item_code", json::string(gate[i]->itemCode, a), a);
    if (gate[i]->state.empty())
      v.AddMember("filing_state", rapidjson::Value(rapidjson::kNullType), a);
    else
      v.AddMember("filing_state", json::string(gate[i]->state, a), a);
    rejected.PushBack(v, a);
    answer.rejections.push_back(gate[i]->rule);
  }
  body.AddMember("message_id", json::string(record.messageId, a), a);
  body.AddMember("events", ids, a);
  body.AddMember("rejected", rejected, a);
  // Which mapping version made these events (the one running when the message was read).
  body.AddMember("mapping_version", json::string(mapping->version(), a), a);
  record.answerJson = json::write(body);

  auto stored = store_.recordIntake(record);
  if (!stored.ok()) {
    answer.kind = IntakeAnswer::Kind::kStoreFailed;
    answer.error = stored.error();
    metrics_
        .counter("huitong_intake_store_failures_total",
                 "Messages refused because the journal failed")
        .inc();
    return answer;
  }
  answer.messageId = stored.value().messageId;
  answer.repeated = stored.value().repeated;
  answer.bodyJson = stored.value().repeated ? stored.value().answerJson : record.answerJson;
  // A repeat keeps the first outcome (its state is in the first answer).
  bool accepted = queued > 0;
  bool notOnline = !accepted && gateRefused > 0 && mapped.rejected.empty();
  if (answer.repeated) {
    auto first = json::parse(answer.bodyJson);
    accepted = first.ok() && first.value().HasMember("events") && !first.value()["events"].Empty();
    notOnline = first.ok() && onlyNotOnline(first.value());
  }
  answer.kind = accepted    ? IntakeAnswer::Kind::kAccepted
                : notOnline ? IntakeAnswer::Kind::kNotOnline
                            : IntakeAnswer::Kind::kRejected;
  metrics_
      .counter("huitong_intake_messages_total", "Messages received and journaled, by outcome",
               systemLabel + ",outcome=\"" +
                   (answer.repeated ? "repeat"
                    : accepted      ? "accepted"
                    : notOnline     ? "not_online"
                                    : "rejected") +
                   "\"")
      .inc();
  if (!answer.repeated) {
    for (const auto& g : gate) {
      if (!g)
        continue;
      metrics_
          .counter("huitong_intake_refusals_total",
                   "Case events refused by the filing gate, by system, reason and filing state "
                   "(repeats not counted)",
                   systemLabel + ",reason=\"" + kNotOnlineRule + "\",state=\"" +
                       MetricsRegistry::escape(g->state.empty() ? "not_on_file" : g->state) + "\"")
          .inc();
    }
    metrics_.counter("huitong_intake_events_total", "Case events queued for delivery", systemLabel)
        .inc(static_cast<double>(record.events.size()));
  }
  return answer;
}

}  // namespace huitong::exchange
