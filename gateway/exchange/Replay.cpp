#include "gateway/exchange/Replay.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "gateway/core/Json.h"

namespace huitong::exchange {

namespace {

// The rule intake's filing gate writes into the answer of an event it refused
// (IntakeService.h kNotOnlineRule); spelled here so that replay reads journals of any age.
constexpr const char* kGateRule = "filing.not_online";

void appendToken(std::string& pointer, std::string_view token) {
  pointer += '/';
  for (char ch : token) {
    if (ch == '~')
      pointer += "~0";
    else if (ch == '/')
      pointer += "~1";
    else
      pointer += ch;
  }
}

void diffInto(const rapidjson::Value& before, const rapidjson::Value& after, std::string& pointer,
              std::vector<FieldChange>& out) {
  const std::size_t mark = pointer.size();
  if (before.IsObject() && after.IsObject()) {
    for (const auto& m : before.GetObject()) {
      appendToken(pointer, {m.name.GetString(), m.name.GetStringLength()});
      const auto there = after.FindMember(m.name);
      if (there == after.MemberEnd())
        out.push_back(FieldChange{pointer, json::write(m.value), std::nullopt});
      else
        diffInto(m.value, there->value, pointer, out);
      pointer.resize(mark);
    }
    for (const auto& m : after.GetObject()) {
      if (before.HasMember(m.name))
        continue;
      appendToken(pointer, {m.name.GetString(), m.name.GetStringLength()});
      out.push_back(FieldChange{pointer, std::nullopt, json::write(m.value)});
      pointer.resize(mark);
    }
    return;
  }
  if (before.IsArray() && after.IsArray()) {
    const rapidjson::SizeType n = std::max(before.Size(), after.Size());
    for (rapidjson::SizeType i = 0; i < n; ++i) {
      appendToken(pointer, std::to_string(i));
      if (i >= after.Size())
        out.push_back(FieldChange{pointer, json::write(before[i]), std::nullopt});
      else if (i >= before.Size())
        out.push_back(FieldChange{pointer, std::nullopt, json::write(after[i])});
      else
        diffInto(before[i], after[i], pointer, out);
      pointer.resize(mark);
    }
    return;
  }
  if (before != after)
    out.push_back(FieldChange{pointer, json::write(before), json::write(after)});
}

std::string eventIdOf(const rapidjson::Value& event) {
  if (!event.IsObject())
    return "";
  const auto id = event.FindMember("event_id");
  return id != event.MemberEnd() && id->value.IsString() ? id->value.GetString() : "";
}

// Records of the message whose valid events production's filing gate refused.
std::set<std::string> gateRefusedRecords(const std::string& answerJson) {
  std::set<std::string> records;
  auto answer = json::parse(answerJson);
  if (!answer.ok() || !answer.value().IsObject())
    return records;
  const auto rejected = answer.value().FindMember("rejected");
  if (rejected == answer.value().MemberEnd() || !rejected->value.IsArray())
    return records;
  for (const auto& r : rejected->value.GetArray()) {
    if (!r.IsObject() || !r.HasMember("code") || !r["code"].IsString() ||
        std::string(r["code"].GetString()) != kGateRule || !r.HasMember("record") ||
        !r["record"].IsString())
      continue;
    records.insert(r["record"].GetString());
  }
  return records;
}

}  // namespace

std::vector<FieldChange> diffJson(const rapidjson::Value& before, const rapidjson::Value& after) {
  std::vector<FieldChange> out;
  std::string pointer;
  diffInto(before, after, pointer, out);
  return out;
}

const char* outcomeName(ReplayOutcome outcome) {
  switch (outcome) {
    case ReplayOutcome::kSame:
      return "same";
    case ReplayOutcome::kChanged:
      return "changed";
    case ReplayOutcome::kNewEvents:
      return "new_events";
    case ReplayOutcome::kEventsGone:
      return "events_gone";
    case ReplayOutcome::kNowRejected:
      return "now_rejected";
    case ReplayOutcome::kNowAccepted:
      return "now_accepted";
    case ReplayOutcome::kUnreadable:
      return "unreadable";
  }
  return "same";
}

void ReplaySummary::add(const ReplaySummary& other) {
  messages += other.messages;
  for (int i = 0; i < kReplayOutcomes; ++i)
    counts[i] += other.counts[i];
}

MessageReplay replayMessage(const mapping::Mapping& draft, const storage::JournalEntry& entry) {
  MessageReplay m;
  m.journalId = entry.journalId;
  m.messageId = entry.messageId;
  m.receivedAt = entry.raw.receivedAt;
  m.productionState = entry.state;

  const FixedClock clock(entry.raw.receivedAt);
  mapping::RunOptions options;
  options.receivedAt = formatRfc3339(entry.raw.receivedAt);
  options.charset = entry.raw.charset;
  auto out = draft.run(entry.raw.bytes, clock, options);
  if (!out.ok()) {
    m.outcome = ReplayOutcome::kUnreadable;
    m.error = out.error();
    return m;
  }
  const mapping::MappingOutput& mapped = out.value();
  for (const auto& e : mapped.rejected)
    m.rejections.insert(m.rejections.end(), e.rejections.begin(), e.rejections.end());

  const std::set<std::string> gated = gateRefusedRecords(entry.answerJson);
  std::vector<const mapping::MappedEvent*> drafted;
  for (const auto& e : mapped.events) {
    if (gated.count(e.recordPath) != 0)
      ++m.gateRefused;
    else
      drafted.push_back(&e);
  }

  const bool wasAccepted = entry.state == "accepted";
  if (!wasAccepted && drafted.empty())
    return m;  // rejected then and now

  // Production's events, parsed once (a payload that does not parse compares as null).
  std::vector<rapidjson::Document> produced(entry.events.size());
  for (std::size_t i = 0; i < entry.events.size(); ++i) {
    auto parsed = json::parse(entry.events[i].payload);
    if (parsed.ok())
      produced[i] = std::move(parsed).value();
  }

  // Match by event_id, then pair the leftovers in order.
  std::unordered_map<std::string, std::size_t> draftById;
  for (std::size_t j = 0; j < drafted.size(); ++j)
    draftById.emplace(eventIdOf(drafted[j]->event), j);
  std::vector<std::optional<std::size_t>> matchOf(entry.events.size());
  std::vector<bool> draftTaken(drafted.size(), false);
  for (std::size_t i = 0; i < entry.events.size(); ++i) {
    const auto it = draftById.find(entry.events[i].eventId);
    if (it != draftById.end() && !draftTaken[it->second]) {
      matchOf[i] = it->second;
      draftTaken[it->second] = true;
    }
  }
  std::vector<bool> byPosition(entry.events.size(), false);
  std::size_t nextFree = 0;
  for (std::size_t i = 0; i < entry.events.size(); ++i) {
    if (matchOf[i])
      continue;
    while (nextFree < drafted.size() && draftTaken[nextFree])
      ++nextFree;
    if (nextFree == drafted.size())
      break;
    matchOf[i] = nextFree;
    draftTaken[nextFree] = true;
    byPosition[i] = true;
  }

  bool changed = false, gone = false, added = false;
  for (std::size_t i = 0; i < entry.events.size(); ++i) {
    EventChange c;
    c.productionEventId = entry.events[i].eventId;
    if (!matchOf[i]) {
      c.kind = EventChange::Kind::kGone;
      c.eventId = c.productionEventId;
      gone = true;
    } else {
      const rapidjson::Value& now = drafted[*matchOf[i]]->event;
      c.eventId = eventIdOf(now);
      c.matchedByPosition = byPosition[i];
      c.fields = diffJson(produced[i], now);
      c.kind = c.fields.empty() ? EventChange::Kind::kSame : EventChange::Kind::kChanged;
      changed = changed || !c.fields.empty();
    }
    m.events.push_back(std::move(c));
  }
  for (std::size_t j = 0; j < drafted.size(); ++j) {
    if (draftTaken[j])
      continue;
    EventChange c;
    c.kind = EventChange::Kind::kNew;
    c.eventId = eventIdOf(drafted[j]->event);
    m.events.push_back(std::move(c));
    added = true;
  }

  if (wasAccepted && drafted.empty())
    m.outcome = ReplayOutcome::kNowRejected;
  else if (!wasAccepted)
    m.outcome = ReplayOutcome::kNowAccepted;
  else if (changed)
    m.outcome = ReplayOutcome::kChanged;
  else if (added)
    m.outcome = ReplayOutcome::kNewEvents;
  else if (gone)
    m.outcome = ReplayOutcome::kEventsGone;
  return m;
}

Result<ReplayPage> replayPage(storage::ExchangeStore& store, const mapping::Mapping& draft,
                              const storage::JournalRange& range, std::int64_t after, int limit) {
  const int size = std::clamp(limit, 1, storage::kMaxJournalPage);
  auto entries = store.journalPage(range, after, size);
  if (!entries.ok())
    return entries.error();
  ReplayPage page;
  page.messages.reserve(entries.value().size());
  for (const storage::JournalEntry& e : entries.value()) {
    page.messages.push_back(replayMessage(draft, e));
    page.summary.add(page.messages.back().outcome);
  }
  if (static_cast<int>(entries.value().size()) == size)
    page.nextAfter = entries.value().back().journalId;
  return page;
}

namespace {

const char* changeName(EventChange::Kind kind) {
  switch (kind) {
    case EventChange::Kind::kSame:
      return "same";
    case EventChange::Kind::kChanged:
      return "changed";
    case EventChange::Kind::kNew:
      return "new";
    case EventChange::Kind::kGone:
      return "gone";
  }
  return "same";
}

rapidjson::Value jsonValue(const std::optional<std::string>& text,
                           rapidjson::Document::AllocatorType& a) {
  if (!text)
    return rapidjson::Value(rapidjson::kNullType);
  auto parsed = json::parse(*text);
  return parsed.ok() ? rapidjson::Value(parsed.value(), a) : json::string(*text, a);
}

}  // namespace

rapidjson::Value messageReplayToJson(const MessageReplay& m,
                                     rapidjson::Document::AllocatorType& a) {
  rapidjson::Value v(rapidjson::kObjectType);
  v.AddMember("journal_id", static_cast<int64_t>(m.journalId), a);
  v.AddMember("message_id", json::string(m.messageId, a), a);
  v.AddMember("received_at", json::string(formatRfc3339(m.receivedAt), a), a);
  v.AddMember("production_state", json::string(m.productionState, a), a);
  v.AddMember("outcome", rapidjson::StringRef(outcomeName(m.outcome)), a);
  rapidjson::Value events(rapidjson::kArrayType);
  for (const EventChange& c : m.events) {
    rapidjson::Value e(rapidjson::kObjectType);
    e.AddMember("event_id", json::string(c.eventId, a), a);
    if (c.productionEventId.empty())
      e.AddMember("production_event_id", rapidjson::Value(rapidjson::kNullType), a);
    else
      e.AddMember("production_event_id", json::string(c.productionEventId, a), a);
    e.AddMember("change", rapidjson::StringRef(changeName(c.kind)), a);
    e.AddMember("matched_by_position", c.matchedByPosition, a);
    if (c.kind == EventChange::Kind::kChanged) {
      rapidjson::Value fields(rapidjson::kArrayType);
      for (const FieldChange& f : c.fields) {
        rapidjson::Value fv(rapidjson::kObjectType);
        fv.AddMember("pointer", json::string(f.pointer, a), a);
        fv.AddMember("op",
                     rapidjson::StringRef(!f.before  ? "added"
                                          : !f.after ? "removed"
                                                     : "changed"),
                     a);
        if (f.before)
          fv.AddMember("before", jsonValue(f.before, a), a);
        if (f.after)
          fv.AddMember("after", jsonValue(f.after, a), a);
        fields.PushBack(fv, a);
      }
      e.AddMember("fields", fields, a);
    }
    events.PushBack(e, a);
  }
  v.AddMember("events", events, a);
  rapidjson::Value rejected(rapidjson::kArrayType);
  for (const auto& r : m.rejections)
    rejected.PushBack(mapping::rejectionToJson(r, a), a);
  v.AddMember("rejected", rejected, a);
  if (m.gateRefused > 0)
    v.AddMember("gate_refused", static_cast<uint64_t>(m.gateRefused), a);
  if (m.outcome == ReplayOutcome::kUnreadable) {
    rapidjson::Value err(rapidjson::kObjectType);
    err.AddMember("code", json::string(m.error.code, a), a);
    err.AddMember("message", json::string(m.error.describe(), a), a);
    v.AddMember("error", err, a);
  }
  return v;
}

rapidjson::Value replaySummaryToJson(const ReplaySummary& s,
                                     rapidjson::Document::AllocatorType& a) {
  rapidjson::Value v(rapidjson::kObjectType);
  v.AddMember("messages", static_cast<int64_t>(s.messages), a);
  for (int i = 0; i < kReplayOutcomes; ++i)
    v.AddMember(rapidjson::StringRef(outcomeName(static_cast<ReplayOutcome>(i))),
                static_cast<int64_t>(s.counts[i]), a);
  return v;
}

}  // namespace huitong::exchange
