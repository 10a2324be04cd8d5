// Replay on 10,000 journaled marriage messages (tests/bench/replay/README.md): journals them
// straight into a fresh SQLite store with ExchangeStore::recordIntake (the events production's
// mapping made, as intake queues them), then times, in the same run,
//   decode: a plain loop that only parses the same bytes as JSON (the floor),
//   read:   the journal walked page by page (1,000 a page) without mapping,
//   replay: the journal replayed through a draft that changes one field (every message
//           "changed") and through the production version itself (every message "same").
// Prints messages/s and the ratios to the decode loop. Run from the repository root:
//   build/tests/bench/replay/huitong_bench_replay [MESSAGES]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/Json.h"
#include "gateway/exchange/Replay.h"
#include "gateway/mapping/Mapping.h"
#include "gateway/storage/ExchangeStore.h"

namespace fs = std::filesystem;
using namespace huitong;

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "huitong_bench_replay: %s\n", what.c_str());
  std::exit(2);
}

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in)
    die("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos)
    die("'" + from + "' not found");
  return text.replace(at, from.size(), to);
}

double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 10000;
  if (count <= 0)
    die("usage: huitong_bench_replay [MESSAGES]");
  const fs::path folder = "mappings/marriage";
  auto production = mapping::Mapping::load((folder / "mapping.json").string());
  if (!production.ok())
    die(production.error().describe());
  const std::string text = readAll(folder / "mapping.json");
  auto draft = mapping::Mapping::compile(
      replaced(replaced(text, "\"version\": \"1\"", "\"version\": \"2\""),
               "{\"const\": \"中山市婚姻登记处\"}", "{\"const\": \"中山市民政局婚姻登记处\"}"),
      "mapping.json", folder.string());
  if (!draft.ok())
    die(draft.error().describe());
  const std::string sample = readAll(folder / "tests" / "divorce-accepted.json");
  auto sampleDoc = json::parse(sample);
  if (!sampleDoc.ok() || !sampleDoc.value().HasMember("bizNo"))
    die("the sample has no bizNo");
  const std::string bizNo = sampleDoc.value()["bizNo"].GetString();

  const fs::path dir = fs::temp_directory_path() /
                       ("huitong-bench-replay-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  storage::StoreConfig config;
  config.path = (dir / "store.db").string();
  auto opened = storage::ExchangeStore::open(config);
  if (!opened.ok())
    die(opened.error().describe());
  storage::ExchangeStore& store = *opened.value();

  // Journal: one message a second from 2026-11-20T08:00:00+08:00, as intake would record it.
  const EpochMillis t0 = 1795651200000;
  std::vector<std::string> bodies(count);
  for (int i = 0; i < count; ++i) {
    char no[32];
    std::snprintf(no, sizeof no, "HY2026%09d", i);
    bodies[i] = replaced(sample, "\"" + bizNo + "\"", std::string("\"") + no + "\"");
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> writers;
  constexpr int kWriters = 8;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = w; i < count; i += kWriters) {
        storage::IntakeRecord r;
        r.raw = RawMessage{"marriage",
                           "http_json",
                           "application/json",
                           "",
                           bodies[i],
                           "127.0.0.1",
                           t0 + static_cast<EpochMillis>(i) * 1000};
        FixedClock clock(r.raw.receivedAt);
        mapping::RunOptions options;
        options.receivedAt = formatRfc3339(r.raw.receivedAt);
        auto out = production.value()->run(r.raw.bytes, clock, options);
        if (!out.ok() || out.value().events.empty())
          die("production did not map message " + std::to_string(i));
        r.messageId = "m-bench-" + std::to_string(i);
        r.digest = "d" + std::to_string(i);
        r.state = "accepted";
        for (const auto& e : out.value().events) {
          const std::string id = e.event["event_id"].GetString();
          r.events.push_back(
              storage::OutboxEvent{id, "marriage:" + std::to_string(i), json::write(e.event)});
        }
        r.answerJson = "{\"message_id\":\"" + r.messageId + "\",\"events\":[],\"rejected\":[]}";
        auto stored = store.recordIntake(r);
        if (!stored.ok())
          die(stored.error().describe());
      }
    });
  }
  for (auto& t : writers)
    t.join();
  std::printf("journaled %d messages in %.2f s (%d writers, group commit)\n", count,
              secondsSince(start), kWriters);

  const storage::JournalRange range{"marriage", t0, t0 + static_cast<EpochMillis>(count) * 1000};

  // decode: the bytes parsed as JSON, nothing else.
  start = std::chrono::steady_clock::now();
  std::size_t members = 0;
  for (const std::string& b : bodies) {
    auto d = json::parse(b);
    members += d.ok() ? d.value().MemberCount() : 0;
  }
  const double decode = secondsSince(start);

  // read: the journal walked page by page.
  start = std::chrono::steady_clock::now();
  std::int64_t read = 0, after = 0;
  for (;;) {
    auto page = store.journalPage(range, after, storage::kMaxJournalPage);
    if (!page.ok())
      die(page.error().describe());
    read += static_cast<std::int64_t>(page.value().size());
    if (page.value().size() < static_cast<std::size_t>(storage::kMaxJournalPage))
      break;
    after = page.value().back().journalId;
  }
  const double readSecs = secondsSince(start);

  auto replayAll = [&](const mapping::Mapping& m, exchange::ReplaySummary& summary) {
    const auto t = std::chrono::steady_clock::now();
    std::int64_t cursor = 0;
    for (;;) {
      auto page = exchange::replayPage(store, m, range, cursor, storage::kMaxJournalPage);
      if (!page.ok())
        die(page.error().describe());
      summary.add(page.value().summary);
      if (!page.value().nextAfter)
        break;
      cursor = *page.value().nextAfter;
    }
    return secondsSince(t);
  };
  exchange::ReplaySummary changed, same;
  const double replayDraft = replayAll(*draft.value(), changed);
  const double replaySame = replayAll(*production.value(), same);

  auto rate = [](std::int64_t n, double s) { return s > 0 ? static_cast<double>(n) / s : 0.0; };
  std::printf("decode (json::parse only): %8.0f msg/s  (%.3f s, %zu members)\n",
              rate(count, decode), decode, members);
  std::printf("read (journal pages):      %8.0f msg/s  (%.3f s, %lld messages)\n",
              rate(read, readSecs), readSecs, static_cast<long long>(read));
  std::printf("replay, draft (changed):   %8.0f msg/s  (%.3f s; %lld changed of %lld)\n",
              rate(changed.messages, replayDraft), replayDraft,
              static_cast<long long>(changed.count(exchange::ReplayOutcome::kChanged)),
              static_cast<long long>(changed.messages));
  std::printf("replay, production (same): %8.0f msg/s  (%.3f s; %lld same of %lld)\n",
              rate(same.messages, replaySame), replaySame,
              static_cast<long long>(same.count(exchange::ReplayOutcome::kSame)),
              static_cast<long long>(same.messages));
  std::printf("ratio replay/decode: draft %.1fx, production %.1fx slower than decoding alone\n",
              decode > 0 ? replayDraft / decode : 0.0, decode > 0 ? replaySame / decode : 0.0);
  opened = Result<std::unique_ptr<storage::ExchangeStore>>(Error{"closed", "", ""});
  fs::remove_all(dir);
  const bool ok = changed.messages == count && same.messages == count &&
                  changed.count(exchange::ReplayOutcome::kChanged) == count &&
                  same.count(exchange::ReplayOutcome::kSame) == count;
  if (!ok)
    std::printf("UNEXPECTED: the replay did not see every message as expected\n");
  return ok ? 0 : 1;
}
