// Replay (gateway/exchange/Replay.h): the field diff, each outcome of a replayed message, and a
// replay paged through a real SQLite store.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <random>

#include "gateway/core/Json.h"
#include "gateway/exchange/Replay.h"
#include "tests/mapping/MappingTestSupport.h"

namespace ex = huitong::exchange;
namespace st = huitong::storage;
using huitong::EpochMillis;

namespace {

rapidjson::Document doc(const std::string& text) {
  auto d = huitong::json::parse(text);
  BOOST_TEST_REQUIRE(d.ok());
  return std::move(d).value();
}

// 2026-11-26T21:50:00+08:00
constexpr EpochMillis kReceived = 1795701000000;

// What production journaled for `bytes` under `production`: the events it queued, as intake
// writes them.
st::JournalEntry journaled(const huitong::mapping::Mapping& production, const std::string& bytes,
                           std::int64_t journalId = 1, EpochMillis receivedAt = kReceived) {
  st::JournalEntry e;
  e.journalId = journalId;
  e.messageId = "m-" + std::to_string(journalId);
  e.raw.system = "demo";
  e.raw.bytes = bytes;
  e.raw.receivedAt = receivedAt;
  huitong::FixedClock clock(receivedAt);
  huitong::mapping::RunOptions options;
  options.receivedAt = huitong::formatRfc3339(receivedAt);
  auto out = production.run(bytes, clock, options);
  BOOST_TEST_REQUIRE(out.ok());
  for (const auto& ev : out.value().events) {
    e.events.push_back(
        st::JournaledEvent{ev.event["event_id"].GetString(), huitong::json::write(ev.event)});
  }
  e.state = e.events.empty() ? "rejected" : "accepted";
  e.answerJson = "{\"message_id\":\"" + e.messageId + "\",\"events\":[],\"rejected\":[]}";
  return e;
}

const std::string kBase = testing::mappingText();

// The base mapping with one rule's text replaced (REQUIRES: `from` is in it).
std::string variant(const std::string& from, const std::string& to) {
  std::string text = kBase;
  const auto at = text.find(from);
  BOOST_TEST_REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

const std::string kReceipt = R"("detail.receipt_no": {"const": "R-1"})";

}  // namespace

BOOST_AUTO_TEST_SUITE(field_diff)

BOOST_AUTO_TEST_CASE(added_changed_removed_and_escaped) {
  auto before = doc(R"({"a": 1, "b": {"c": "x", "gone": true}, "list": [1, 2, 3], "t~/k": 0})");
  auto after =
      doc(R"({"a": 2, "b": {"c": "x", "new": [1]}, "list": [1, 5], "t~/k": 0, "z": null})");
  const auto changes = ex::diffJson(before, after);
  BOOST_TEST_REQUIRE(changes.size() == 6u);
  BOOST_TEST(changes[0].pointer == "/a");
  BOOST_TEST(*changes[0].before == "1");
  BOOST_TEST(*changes[0].after == "2");
  BOOST_TEST(changes[1].pointer == "/b/gone");
  BOOST_TEST(!changes[1].after.has_value());
  BOOST_TEST(changes[2].pointer == "/b/new");
  BOOST_TEST(!changes[2].before.has_value());
  BOOST_TEST(*changes[2].after == "[1]");
  BOOST_TEST(changes[3].pointer == "/list/1");
  BOOST_TEST(changes[4].pointer == "/list/2");
  BOOST_TEST(*changes[4].before == "3");
  BOOST_TEST(!changes[4].after.has_value());
  BOOST_TEST(changes[5].pointer == "/z");
  BOOST_TEST(*changes[5].after == "null");
  BOOST_TEST(ex::diffJson(before, before).empty());
  // A type change is one change of the whole value; the root's pointer is "".
  const auto whole = ex::diffJson(doc("{\"a\": [1]}"), doc("{\"a\": {\"0\": 1}}"));
  BOOST_TEST_REQUIRE(whole.size() == 1u);
  BOOST_TEST(whole[0].pointer == "/a");
  BOOST_TEST(ex::diffJson(doc("1"), doc("2"))[0].pointer == "");
  // Escaping (RFC 6901): ~ as ~0, / as ~1.
  const auto esc = ex::diffJson(doc(R"({"t~/k": 0})"), doc(R"({"t~/k": 1})"));
  BOOST_TEST(esc[0].pointer == "/t~0~1k");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(replay_message)

BOOST_AUTO_TEST_CASE(same_mapping_is_same) {
  auto v1 = testing::compileOk(kBase);
  const auto m = ex::replayMessage(*v1, journaled(*v1, testing::kMessage));
  BOOST_TEST(ex::outcomeName(m.outcome) == std::string("same"));
  BOOST_TEST_REQUIRE(m.events.size() == 1u);
  BOOST_TEST((m.events[0].kind == ex::EventChange::Kind::kSame));
}

BOOST_AUTO_TEST_CASE(an_added_field_and_a_changed_value) {
  auto v1 = testing::compileOk(kBase);
  auto v2 = testing::compileOk(variant(R"("department.name": {"const": "中山市婚姻登记处"})",
                                       R"("department.name": {"const": "中山市民政局"})"
                                       ",\n" +
                                           kReceipt));
  const auto m = ex::replayMessage(*v2, journaled(*v1, testing::kMessage));
  BOOST_TEST(ex::outcomeName(m.outcome) == std::string("changed"));
  BOOST_TEST_REQUIRE(m.events.size() == 1u);
  const ex::EventChange& c = m.events[0];
  BOOST_TEST((c.kind == ex::EventChange::Kind::kChanged));
  BOOST_TEST(!c.matchedByPosition);
  BOOST_TEST(c.eventId == c.productionEventId);
  BOOST_TEST_REQUIRE(c.fields.size() == 2u);
  BOOST_TEST(c.fields[0].pointer == "/department/name");
  BOOST_TEST(*c.fields[0].before == "\"中山市婚姻登记处\"");
  BOOST_TEST(*c.fields[0].after == "\"中山市民政局\"");
  BOOST_TEST(c.fields[1].pointer == "/detail/receipt_no");
  BOOST_TEST(!c.fields[1].before.has_value());
  BOOST_TEST(*c.fields[1].after == "\"R-1\"");
}

BOOST_AUTO_TEST_CASE(a_changed_event_id_is_matched_by_position) {
  auto v1 = testing::compileOk(kBase);
  auto v2 = testing::compileOk(variant(R"("version": {"const": 1})", R"("version": {"const": 2})"));
  const auto m = ex::replayMessage(*v2, journaled(*v1, testing::kMessage));
  BOOST_TEST(ex::outcomeName(m.outcome) == std::string("changed"));
  BOOST_TEST_REQUIRE(m.events.size() == 1u);
  BOOST_TEST(m.events[0].matchedByPosition);
  BOOST_TEST(m.events[0].eventId == "demo:HY2026112000058:accept:1:v2");
  BOOST_TEST(m.events[0].productionEventId == "demo:HY2026112000058:accept:1:v1");
  bool idChange = false;
  for (const auto& f : m.events[0].fields)
    idChange = idChange || f.pointer == "/event_id";
  BOOST_TEST(idChange);
}

BOOST_AUTO_TEST_CASE(a_removed_event_and_a_new_one) {
  auto v1 = testing::compileOk(kBase);
  // Production queued a second event the draft does not make.
  st::JournalEntry entry = journaled(*v1, testing::kMessage);
  entry.events.push_back(st::JournaledEvent{
      "demo:HY2026112000058:approve:2:v1", "{\"event_id\":\"demo:HY2026112000058:approve:2:v1\"}"});
  auto m = ex::replayMessage(*v1, entry);
  BOOST_TEST(ex::outcomeName(m.outcome) == std::string("events_gone"));
  BOOST_TEST_REQUIRE(m.events.size() == 2u);
  BOOST_TEST((m.events[1].kind == ex::EventChange::Kind::kGone));
  BOOST_TEST(m.events[1].eventId == "demo:HY2026112000058:approve:2:v1");

  // Production queued nothing of an accepted message's record the draft now maps.
  st::JournalEntry fewer = journaled(*v1, testing::kMessage);
  fewer.events.clear();
  fewer.state = "accepted";
  m = ex::replayMessage(*v1, fewer);
  BOOST_TEST(ex::outcomeName(m.outcome) == std::string("new_events"));
  BOOST_TEST_REQUIRE(m.events.size() == 1u);
  BOOST_TEST((m.events[0].kind == ex::EventChange::Kind::kNew));
}

BOOST_AUTO_TEST_CASE(a_message_now_rejected_and_one_now_accepted) {
  auto v1 = testing::compileOk(kBase);
  // The draft reads the applicant's name from a field the messages do not have.
  auto v2 = testing::compileOk(
      variant(R"("applicant.name": "$.name")", R"("applicant.name": "$.fullName")"));
  auto m = ex::replayMessage(*v2, journaled(*v1, testing::kMessage));
  BOOST_TEST(ex::outcomeName(m.outcome) == std::string("now_rejected"));
  BOOST_TEST(!m.rejections.empty());
  BOOST_TEST_REQUIRE(m.events.size() == 1u);
  BOOST_TEST((m.events[0].kind == ex::EventChange::Kind::kGone));

  // The other way round: production rejected it, the fixed draft maps it.
  const std::string withFullName =
      R"({"no": "HY2026112000058", "at": "2026-11-20 21:47:09", "fullName": "梁志豪", "id": "442000199304120314"})";
  st::JournalEntry rejected = journaled(*v1, withFullName);
  BOOST_TEST(rejected.state == "rejected");
  m = ex::replayMessage(*v2, rejected);
  BOOST_TEST(ex::outcomeName(m.outcome) == std::string("now_accepted"));
  BOOST_TEST_REQUIRE(m.events.size() == 1u);
  BOOST_TEST((m.events[0].kind == ex::EventChange::Kind::kNew));
  // Rejected then and now: same.
  BOOST_TEST(ex::outcomeName(ex::replayMessage(*v1, rejected).outcome) == std::string("same"));
}

BOOST_AUTO_TEST_CASE(events_the_filing_gate_refused_are_not_compared) {
  auto v1 = testing::compileOk(kBase);
  st::JournalEntry gated = journaled(*v1, testing::kMessage);
  gated.events.clear();
  gated.state = "rejected";
  gated.answerJson =
      R"({"message_id":"m-1","events":[],"rejected":[{"field":"item.code","code":"filing.not_online","record":"$"}]})";
  const auto m = ex::replayMessage(*v1, gated);
  BOOST_TEST(ex::outcomeName(m.outcome) == std::string("same"));
  BOOST_TEST(m.gateRefused == 1u);
}

BOOST_AUTO_TEST_CASE(unreadable_and_json_form) {
  auto v1 = testing::compileOk(kBase);
  st::JournalEntry entry = journaled(*v1, testing::kMessage);
  entry.raw.bytes = "{\"no\": ";
  const auto m = ex::replayMessage(*v1, entry);
  BOOST_TEST(ex::outcomeName(m.outcome) == std::string("unreadable"));
  rapidjson::Document d(rapidjson::kObjectType);
  const std::string text = huitong::json::write(ex::messageReplayToJson(m, d.GetAllocator()));
  auto back = huitong::json::parse(text);
  BOOST_TEST_REQUIRE(back.ok());
  BOOST_TEST(back.value()["outcome"].GetString() == std::string("unreadable"));
  BOOST_TEST(back.value()["error"]["code"].IsString());
  BOOST_TEST(back.value()["received_at"].GetString() == std::string("2026-11-26T21:50:00+08:00"));

  auto v2 = testing::compileOk(testing::mappingText(kReceipt));
  const auto changed = ex::replayMessage(*v2, journaled(*v1, testing::kMessage));
  const std::string ctext =
      huitong::json::write(ex::messageReplayToJson(changed, d.GetAllocator()));
  auto c = huitong::json::parse(ctext);
  BOOST_TEST_REQUIRE(c.ok());
  const auto& f = c.value()["events"][0]["fields"][0];
  BOOST_TEST(f["pointer"].GetString() == std::string("/detail/receipt_no"));
  BOOST_TEST(f["op"].GetString() == std::string("added"));
  BOOST_TEST(!f.HasMember("before"));
  BOOST_TEST(f["after"].GetString() == std::string("R-1"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(replay_pages_through_a_store) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("huitong-replay-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  {
    st::StoreConfig config;
    config.path = (dir / "store.db").string();
    auto opened = st::ExchangeStore::open(config);
    BOOST_TEST_REQUIRE(opened.ok());
    auto& store = *opened.value();
    auto v1 = testing::compileOk(kBase);
    for (int i = 0; i < 5; ++i) {
      const std::string bytes =
          R"({"no": "HY20261120000)" + std::to_string(i) +
          R"(", "at": "2026-11-20 21:47:09", "name": "梁志豪", "id": "442000199304120314"})";
      st::JournalEntry e = journaled(*v1, bytes, i + 1, kReceived + i);
      st::IntakeRecord r;
      r.raw = e.raw;
      r.messageId = e.messageId;
      r.digest = "d" + std::to_string(i);
      r.state = e.state;
      for (const auto& ev : e.events)
        r.events.push_back(st::OutboxEvent{ev.eventId, "demo:" + std::to_string(i), ev.payload});
      r.answerJson = e.answerJson;
      BOOST_TEST_REQUIRE(store.recordIntake(r).ok());
    }
    auto v2 = testing::compileOk(testing::mappingText(kReceipt));
    const st::JournalRange range{"demo", kReceived, kReceived + 1000};
    ex::ReplaySummary total;
    std::int64_t after = 0;
    int pages = 0;
    for (;;) {
      auto page = ex::replayPage(store, *v2, range, after, 2);
      BOOST_TEST_REQUIRE(page.ok());
      ++pages;
      total.add(page.value().summary);
      if (!page.value().nextAfter)
        break;
      after = *page.value().nextAfter;
    }
    BOOST_TEST(pages == 3);
    BOOST_TEST(total.messages == 5);
    BOOST_TEST(total.count(ex::ReplayOutcome::kChanged) == 5);
    BOOST_TEST(total.differing() == 5);
    auto same = ex::replayPage(store, *v1, range, 0, 1000);
    BOOST_TEST_REQUIRE(same.ok());
    BOOST_TEST(same.value().summary.count(ex::ReplayOutcome::kSame) == 5);
    BOOST_TEST(!same.value().nextAfter.has_value());
  }
  std::filesystem::remove_all(dir);
}
