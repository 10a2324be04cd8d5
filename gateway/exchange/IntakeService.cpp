#include "gateway/exchange/IntakeService.h"

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

IntakeService::IntakeService(storage::ExchangeStore& store, const MappingSet& mappings,
                             const Clock& clock, MetricsRegistry& metrics)
    : store_(store), mappings_(mappings), clock_(clock), metrics_(metrics) {}

IntakeAnswer IntakeService::submit(const RawMessage& message) const {
  IntakeAnswer answer;
  const auto mapping = mappings_.find(message.system);
  const std::string systemLabel = "system=\"" + MetricsRegistry::escape(message.system) + "\"";
  if (!mapping) {
    answer.kind = IntakeAnswer::Kind::kUnknownSystem;
    answer.error = Error{"intake.unknown_system",
                         "no department system '" + message.system + "' is configured", ""};
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
  storage::IntakeRecord record;
  record.raw = message;
  record.messageId = newMessageId(message.receivedAt);
  record.digest = sha256Hex(message.system + "\n" + message.bytes);
  record.state = mapped.events.empty() ? "rejected" : "accepted";

  rapidjson::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  rapidjson::Value ids(rapidjson::kArrayType), rejected(rapidjson::kArrayType);
  for (const auto& e : mapped.events) {
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
  body.AddMember("message_id", json::string(record.messageId, a), a);
  body.AddMember("events", ids, a);
  body.AddMember("rejected", rejected, a);
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
  bool accepted = !mapped.events.empty();
  if (answer.repeated) {
    auto first = json::parse(answer.bodyJson);
    accepted = first.ok() && first.value().HasMember("events") && !first.value()["events"].Empty();
  }
  answer.kind = accepted ? IntakeAnswer::Kind::kAccepted : IntakeAnswer::Kind::kRejected;
  metrics_
      .counter("huitong_intake_messages_total", "Messages received and journaled, by outcome",
               systemLabel + ",outcome=\"" +
                   (answer.repeated ? "repeat"
                    : accepted      ? "accepted"
                                    : "rejected") +
                   "\"")
      .inc();
  if (!answer.repeated) {
    metrics_.counter("huitong_intake_events_total", "Case events queued for delivery", systemLabel)
        .inc(static_cast<double>(record.events.size()));
  }
  return answer;
}

}  // namespace huitong::exchange
