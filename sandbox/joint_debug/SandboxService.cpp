#include "sandbox/joint_debug/SandboxService.h"

#include "gateway/registry/StaffAccount.h"

#include <algorithm>

#include "gateway/core/Json.h"
#include "gateway/validation/Validator.h"

namespace huitong::sandbox {
namespace {

// What one system's sandbox platform holds (in memory; a restart forgets it, as the mock
// platform does).
constexpr std::size_t kMaxEventsPerSystem = 100000;
constexpr std::size_t kMaxBytesPerSystem = 64u * 1024 * 1024;
// Compiled versions kept at once.
constexpr std::size_t kMaxCompiled = 32;
// Messages whose first arrival is remembered (for repeats of the same bytes).
constexpr std::size_t kMaxRemembered = 100000;

std::string memberText(const rapidjson::Value& o, const char* a, const char* b = nullptr) {
  if (!o.IsObject())
    return "";
  auto it = o.FindMember(a);
  if (it == o.MemberEnd())
    return "";
  const rapidjson::Value* v = &it->value;
  if (b != nullptr) {
    if (!v->IsObject())
      return "";
    auto in = v->FindMember(b);
    if (in == v->MemberEnd())
      return "";
    v = &in->value;
  }
  return v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : "";
}

EventVerdict traced(mapping::MappedEvent& e) {
  EventVerdict v;
  v.record = e.recordPath;
  v.eventId = memberText(e.event, "event_id");
  v.itemCode = memberText(e.event, "item", "code");
  v.stage = memberText(e.event, "stage");
  v.fields = std::move(e.trace);
  v.eventJson = json::write(e.event);
  return v;
}

}  // namespace

std::string evidenceJson(const EvidenceReport& r) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("system", json::string(r.system, a), a);
  d.AddMember("item_code", json::string(r.itemCode, a), a);
  d.AddMember("mapping_version", json::string(r.version, a), a);
  d.AddMember("mapping_sha256", json::string(r.sha256, a), a);
  d.AddMember("passed", r.passed, a);
  d.AddMember("required", json::string(r.required, a), a);
  rapidjson::Value stages(rapidjson::kArrayType);
  for (const auto& s : r.stages)
    stages.PushBack(json::string(s, a), a);
  d.AddMember("stages", stages, a);
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& s : r.scenarios) {
    rapidjson::Value v(rapidjson::kObjectType);
    v.AddMember("name", json::string(s.name, a), a);
    v.AddMember("description", json::string(s.description, a), a);
    v.AddMember("passed", s.passed, a);
    rapidjson::Value ids(rapidjson::kArrayType);
    for (const auto& id : s.sessions)
      ids.PushBack(json::string(id, a), a);
    v.AddMember("sessions", ids, a);
    rapidjson::Value tried(rapidjson::kArrayType);
    for (const auto& id : s.attempts)
      tried.PushBack(json::string(id, a), a);
    v.AddMember("attempts", tried, a);
    list.PushBack(v, a);
  }
  d.AddMember("scenarios", list, a);
  return json::write(d);
}

SandboxService::SandboxService(registry::MappingVersions& versions, SandboxStore& store,
                               const Clock& clock, registry::RegistryStore* filings)
    : versions_(versions), store_(store), filings_(filings), clock_(clock) {}

SandboxService::~SandboxService() = default;

Result<registry::MappingVersionRecord> SandboxService::chooseVersion(const std::string& system,
                                                                     const std::string& requested) {
  if (!requested.empty()) {
    auto got = versions_.get(system, requested);
    if (!got.ok())
      return got.error();
    if (!got.value())
      return Error{"sandbox.version",
                   "system " + system + " has no mapping version '" + requested +
                       "' (GET /ops/v1/mappings/" + system + "/versions lists them)",
                   "version"};
    return *got.value();
  }
  auto all = versions_.versions(system);
  if (!all.ok())
    return all.error();
  const registry::MappingVersionRecord* newest = nullptr;
  for (const auto& v : all.value()) {
    if (v.state == registry::MappingState::kPublished)
      continue;
    if (newest == nullptr || v.createdAt > newest->createdAt ||
        (v.createdAt == newest->createdAt && v.version > newest->version))
      newest = &v;
  }
  std::string chosen;
  if (newest != nullptr) {
    chosen = newest->version;
  } else {
    auto live = versions_.live(system);
    if (!live.ok())
      return live.error();
    if (!live.value())
      return Error{"sandbox.no_mapping",
                   "system " + system + " has no mapping version to run: upload a draft first", ""};
    chosen = live.value()->version;
  }
  // Lists leave the files out: read the full record.
  auto got = versions_.get(system, chosen);
  if (!got.ok())
    return got.error();
  if (!got.value())
    return Error{"sandbox.no_mapping", "mapping version " + chosen + " of " + system + " vanished",
                 ""};
  return *got.value();
}

Result<std::shared_ptr<const mapping::Mapping>> SandboxService::compiled(
    const registry::MappingVersionRecord& v) {
  const auto key = std::make_tuple(v.system, v.version, v.sha256);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = compiled_.find(key);
    if (it != compiled_.end())
      return it->second;
  }
  auto bundle = registry::storedBundle(v);
  if (!bundle.ok())
    return bundle.error();
  auto made = registry::compileBundle(bundle.value(), v.system + " v" + v.version);
  if (!made.ok())
    return made.error();
  std::lock_guard<std::mutex> lock(mu_);
  if (compiled_.size() >= kMaxCompiled)
    compiled_.clear();
  compiled_[key] = made.value();
  return made.value();
}

Result<EventStore*> SandboxService::events(const std::string& system) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = events_[system];
  if (!slot) {
    auto memory = std::make_unique<EventStore>(kMaxEventsPerSystem, kMaxBytesPerSystem);
    if (auto recalled = recall(system, *memory); !recalled.ok()) {
      events_.erase(system);  // the next session tries again
      return recalled.error();
    }
    slot = std::move(memory);
  }
  return slot.get();
}

// The platform remembers what it accepted across the sandbox's restarts: the system's stored
// sessions are read again, in arrival order, so that an event accepted before a restart is a
// duplicate (or a conflict) after it and a repeated message keeps its first arrival time.
Result<void> SandboxService::recall(const std::string& system, EventStore& memory) {
  std::int64_t after = 0;
  for (;;) {
    auto page = store_.history(system, after, kMaxSessionPage);
    if (!page.ok())
      return page.error();
    if (page.value().empty())
      return {};
    for (const StoredSession& st : page.value()) {
      after = st.summary.seq;
      if (firstSeen_.size() < kMaxRemembered)
        firstSeen_.emplace(registry::sha256Hex(system + "\n" + st.input), st.summary.at);
      auto trace = json::parse(st.traceJson);
      if (!trace.ok() || !trace.value().IsObject() || !trace.value().HasMember("events") ||
          !trace.value()["events"].IsArray()) {
        continue;  // a session without judged events (refused, no mapping)
      }
      std::vector<EventStore::Candidate> accepted;
      for (const auto& e : trace.value()["events"].GetArray()) {
        if (!e.IsObject() || !e.HasMember("verdict") || !e["verdict"].IsString() ||
            std::string(e["verdict"].GetString()) != "accepted" || !e.HasMember("event_id") ||
            !e["event_id"].IsString() || !e.HasMember("event") || !e["event"].IsObject()) {
          continue;
        }
        accepted.push_back(
            EventStore::Candidate{e["event_id"].GetString(), canonicalJson(e["event"])});
      }
      if (!accepted.empty())
        (void)memory.submit(accepted, st.summary.at);
    }
  }
}

void SandboxService::keep(Session& session) {
  auto recorded = store_.record(session, json::write(sessionToJson(session)));
  if (!recorded.ok()) {
    session.recorded = false;
    session.recordError = recorded.error().describe();
  }
}

Session SandboxService::run(const RawMessage& message, const std::string& actor,
                            const registry::MappingVersionRecord& version) {
  Session s;
  s.at = message.receivedAt != 0 ? message.receivedAt : clock_.now();
  s.id = newSessionId(s.at);
  s.system = message.system;
  s.actor = actor;
  s.mappingVersion = version.version;
  s.mappingState = registry::toString(version.state);
  s.mappingSha256 = version.sha256;
  s.contentType = message.contentType;
  s.input = message.bytes;
  auto mapping = compiled(version);
  if (!mapping.ok()) {
    s.outcome = "no_mapping";
    s.error = mapping.error();
    keep(s);
    return s;
  }
  // The platform's memory of this system (read from the stored sessions at the first use).
  auto memory = events(s.system);
  // The same bytes again are read as production reads a repeat: as first received, so that
  // their events are the same events (duplicate), not a conflict over source.received_at.
  EpochMillis receivedAt = s.at;
  {
    const std::string digest = registry::sha256Hex(message.system + "\n" + message.bytes);
    std::lock_guard<std::mutex> lock(mu_);
    if (firstSeen_.size() >= kMaxRemembered)
      firstSeen_.clear();
    receivedAt = firstSeen_.emplace(digest, s.at).first->second;
  }
  mapping::RunOptions options;
  options.receivedAt = formatRfc3339(receivedAt);
  options.charset = message.charset;
  options.trace = true;
  auto out = mapping.value()->run(message.bytes, clock_, options);
  if (!out.ok()) {
    s.outcome = "unreadable";
    s.error = out.error();
    keep(s);
    return s;
  }
  mapping::MappingOutput& mapped = out.value();
  // The platform's rules: the Validator judges the event as sent, then the event store judges
  // new / duplicate / conflict. One submit for the message keeps its events' order.
  validation::Validator validator(clock_);
  std::vector<EventVerdict> judged;
  std::vector<std::size_t> records;
  std::vector<EventStore::Candidate> candidates;
  std::vector<std::size_t> candidateAt;
  for (auto& e : mapped.events) {
    EventVerdict v = traced(e);
    std::vector<validation::Violation> violations;
    if (!validator.validate(e.event, violations)) {
      v.verdict = Verdict::kRejected;
      for (auto& x : violations)
        v.rules.push_back(mapping::Rejection{x.field, x.code, x.message, "", 0});
    } else {
      candidateAt.push_back(judged.size());
      candidates.push_back(EventStore::Candidate{v.eventId, canonicalJson(e.event)});
    }
    records.push_back(e.record);
    judged.push_back(std::move(v));
  }
  if (!candidates.empty()) {
    std::optional<std::vector<EventStore::Submission>> submitted;
    if (memory.ok())
      submitted = memory.value()->submit(candidates, clock_.now());
    for (std::size_t i = 0; i < candidateAt.size(); ++i) {
      EventVerdict& v = judged[candidateAt[i]];
      if (!memory.ok()) {
        v.verdict = Verdict::kRejected;
        v.rules.push_back(mapping::Rejection{
            "", "sandbox.memory",
            "the sandbox could not read this system's earlier sessions to judge duplicates (" +
                memory.error().describe() + "); send the message again",
            "", 0});
        continue;
      }
      if (!submitted) {
        v.verdict = Verdict::kRejected;
        v.rules.push_back(mapping::Rejection{
            "", "sandbox.full",
            "the sandbox platform of this system holds as many events as it may; ask the "
            "operator to restart the sandbox",
            "", 0});
        continue;
      }
      const auto& r = (*submitted)[i];
      v.receiptNo = r.receipt.receiptNo;
      switch (r.outcome) {
        case EventStore::Outcome::kAccepted:
          v.verdict = Verdict::kAccepted;
          break;
        case EventStore::Outcome::kDuplicate:
          v.verdict = Verdict::kDuplicate;
          break;
        case EventStore::Outcome::kConflict:
          v.verdict = Verdict::kConflict;
          v.message = "the platform holds event_id " + r.receipt.eventId +
                      " with other content (receipt " + r.receipt.receiptNo +
                      "): a changed event needs a new version";
          v.receiptNo.clear();
          break;
      }
    }
  }
  for (auto& e : mapped.rejected) {
    EventVerdict v = traced(e);
    v.verdict = Verdict::kRejected;
    v.rules = e.rejections;
    records.push_back(e.record);
    judged.push_back(std::move(v));
  }
  // In the message's order.
  std::vector<std::size_t> order(judged.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return records[x] < records[y]; });
  for (auto i : order)
    s.events.push_back(std::move(judged[i]));
  keep(s);
  return s;
}

Session SandboxService::refused(const RawMessage& message, const std::string& actor,
                                const registry::MappingVersionRecord& version, int status,
                                const std::string& contentType, const std::string& body) {
  Session s;
  s.at = message.receivedAt != 0 ? message.receivedAt : clock_.now();
  s.id = newSessionId(s.at);
  s.system = message.system;
  s.actor = actor;
  s.mappingVersion = version.version;
  s.mappingState = registry::toString(version.state);
  s.mappingSha256 = version.sha256;
  s.contentType = message.contentType;
  s.input = message.bytes;
  s.outcome = "refused";
  s.adapterStatus = status;
  s.adapterContentType = contentType;
  s.adapterBody = body;
  keep(s);
  return s;
}

Result<EvidenceReport> SandboxService::evidence(const std::string& system,
                                                const std::string& itemCode,
                                                const std::string& version) const {
  auto record = versions_.get(system, version);
  if (!record.ok())
    return record.error();
  if (!record.value())
    return Error{"sandbox.version",
                 "system " + system + " has no mapping version '" + version + "'", "version"};
  auto bundle = registry::storedBundle(*record.value());
  if (!bundle.ok())
    return bundle.error();
  auto file = bundle.value().files.find("mapping.json");
  if (file == bundle.value().files.end())
    return Error{"evidence.mapping", "mapping version " + version + " has no mapping.json", ""};
  auto stages = producibleStages(file->second);
  if (!stages.ok())
    return stages.error();
  auto events = store_.evidence(system, itemCode, version, record.value()->sha256);
  if (!events.ok())
    return events.error();
  // What the filing requires: its own scenarios, or the defaults.
  registry::RequiredScenarios required;
  if (filings_ != nullptr) {
    auto filing = filings_->filing(system, itemCode);
    if (!filing.ok())
      return filing.error();
    if (filing.value()) {
      auto parsed = registry::parseScenarios(filing.value()->scenarios);
      if (!parsed.ok())
        return parsed.error();
      required = parsed.value();
    }
  }
  EvidenceReport r;
  r.system = system;
  r.itemCode = itemCode;
  r.version = version;
  r.sha256 = record.value()->sha256;
  r.stages = stages.value();
  r.required = required.defaults && required.own.empty() ? "defaults" : "filing";
  r.scenarios = evaluateScenarios(required, r.stages, events.value());
  r.passed = allPassed(r.scenarios);
  return r;
}

bool SandboxService::passed(const std::string& system, const std::string& itemCode,
                            const std::string& version) const {
  auto r = evidence(system, itemCode, version);
  return r.ok() && r.value().passed;
}

}  // namespace huitong::sandbox
