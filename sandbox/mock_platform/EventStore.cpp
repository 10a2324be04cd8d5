#include "sandbox/mock_platform/EventStore.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unordered_set>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace huitong::sandbox {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void writeCanonical(const rapidjson::Value& v, JsonWriter& w) {
  if (v.IsObject()) {
    std::vector<const rapidjson::Value::ConstMemberIterator::value_type*> members;
    members.reserve(v.MemberCount());
    for (const auto& m : v.GetObject()) {
      members.push_back(&m);
    }
    std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
      const std::size_t la = a->name.GetStringLength();
      const std::size_t lb = b->name.GetStringLength();
      const int c = std::memcmp(a->name.GetString(), b->name.GetString(), std::min(la, lb));
      return c != 0 ? c < 0 : la < lb;
    });
    w.StartObject();
    for (const auto* m : members) {
      w.Key(m->name.GetString(), m->name.GetStringLength());
      writeCanonical(m->value, w);
    }
    w.EndObject();
  } else if (v.IsArray()) {
    w.StartArray();
    for (const auto& e : v.GetArray()) {
      writeCanonical(e, w);
    }
    w.EndArray();
  } else {
    v.Accept(w);
  }
}

std::string receiptNumber(std::uint64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "MP%010llu", static_cast<unsigned long long>(index));
  return buf;
}

}  // namespace

std::string canonicalJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  writeCanonical(value, w);
  return std::string(sb.GetString(), sb.GetSize());
}

EventStore::EventStore(std::size_t maxEvents, std::size_t maxBytes)
    : maxEvents_(maxEvents), maxBytes_(maxBytes) {}

std::optional<std::vector<EventStore::Submission>> EventStore::submit(
    const std::vector<Candidate>& candidates, EpochMillis now) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Capacity first, so that a batch is stored whole or not at all.
  std::size_t newEvents = 0;
  std::size_t newBytes = 0;
  std::unordered_set<std::string_view> seen;
  for (const Candidate& c : candidates) {
    if (byEventId_.count(c.eventId) == 0 && seen.insert(c.eventId).second) {
      ++newEvents;
      newBytes += c.json.size() + c.eventId.size();
    }
  }
  if (events_.size() + newEvents > maxEvents_ || bytes_ + newBytes > maxBytes_) {
    return std::nullopt;
  }

  std::vector<Submission> out;
  out.reserve(candidates.size());
  for (const Candidate& c : candidates) {
    auto it = byEventId_.find(c.eventId);
    if (it != byEventId_.end()) {
      const StoredEvent& held = events_[it->second];
      out.push_back({held.json == c.json ? Outcome::kDuplicate : Outcome::kConflict, held.receipt});
      continue;
    }
    StoredEvent e;
    e.index = ++lastIndex_;
    e.receipt = {receiptNumber(e.index), c.eventId, now};
    e.json = c.json;
    bytes_ += c.json.size() + c.eventId.size();
    byEventId_.emplace(c.eventId, events_.size());
    out.push_back({Outcome::kAccepted, e.receipt});
    events_.push_back(std::move(e));
  }
  return out;
}

std::optional<Receipt> EventStore::find(const std::string& eventId) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = byEventId_.find(eventId);
  if (it == byEventId_.end()) {
    return std::nullopt;
  }
  return events_[it->second].receipt;
}

std::vector<StoredEvent> EventStore::list(std::uint64_t after, std::size_t limit) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto first = std::upper_bound(events_.begin(), events_.end(), after,
                                [](std::uint64_t a, const StoredEvent& e) { return a < e.index; });
  const std::size_t n =
      std::min<std::size_t>(limit, static_cast<std::size_t>(events_.end() - first));
  return std::vector<StoredEvent>(first, first + static_cast<std::ptrdiff_t>(n));
}

std::size_t EventStore::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_.size();
}

std::size_t EventStore::bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_;
}

void EventStore::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  events_.clear();
  events_.shrink_to_fit();
  byEventId_.clear();
  bytes_ = 0;
}

}  // namespace huitong::sandbox
