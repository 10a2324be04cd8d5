// file_drop on its own, over temp folders with a scripted intake: which files are taken and
// when, where they go after each outcome, the .error.json beside them, and the source status.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "adapters/register_adapters.h"
#include "gateway/core/Json.h"
#include "tests/adapters/FakeHost.h"

namespace fs = std::filesystem;
using namespace huitong;
using namespace std::chrono_literals;
using Outcome = adapter::Submission::Outcome;

namespace {

class Folder {
 public:
  Folder() {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("huitong-filedrop-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path_ / "in");
  }
  ~Folder() {
    std::error_code ec;
    fs::permissions(path_ / "in", fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  fs::path in() const { return path_ / "in"; }
  fs::path done() const { return path_ / "in" / "done"; }
  fs::path error() const { return path_ / "in" / "error"; }
  const fs::path& root() const { return path_; }

  // Written elsewhere and renamed in, as a careful department does.
  void drop(const std::string& name, const std::string& bytes) const {
    const fs::path tmp = path_ / ("." + name + ".writing");
    std::ofstream(tmp, std::ios::binary) << bytes;
    fs::rename(tmp, in() / name);
  }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Running {
  test::FakeHost host;
  rapidjson::Document config;
  std::unique_ptr<adapter::Adapter> adapter;
  ~Running() {
    if (adapter)
      adapter->stop();
  }
};

std::string configFor(const Folder& f, const std::string& extra = "") {
  return R"({"kind": "file_drop", "folder": ")" + f.in().string() +
         R"(", "poll_ms": 20, "stable_ms": 150)" + extra + "}";
}

Result<std::unique_ptr<adapter::Adapter>> create(Running& r, const std::string& config,
                                                 const std::string& format = "csv") {
  adapter::AdapterRegistry registry;
  if (!adapters::registerBuiltinAdapters(registry).ok())
    return Error{"test", "registration failed", ""};
  // json::parse validates UTF-8, which keeps RapidJSON off its SSE2 scan (reads past the end
  // of short strings, which ASan reports).
  auto parsed = json::parse(config);
  BOOST_REQUIRE_MESSAGE(parsed.ok(), config);
  r.config = std::move(parsed).value();
  return registry.find("file_drop")
      ->create(
          adapter::AdapterSpec{"social-assistance", format, test::configOf(r.config), &r.host});
}

std::unique_ptr<Running> start(const std::string& config,
                               std::function<adapter::Submission(const RawMessage&)> answer = {}) {
  auto r = std::make_unique<Running>();
  r->host.answer = std::move(answer);
  auto made = create(*r, config);
  if (!made.ok())
    BOOST_FAIL(made.error().describe());
  r->adapter = std::move(made).value();
  auto started = r->adapter->start();
  BOOST_REQUIRE_MESSAGE(started.ok(), (started.ok() ? "" : started.error().describe()));
  return r;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 5s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (condition())
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

adapter::Submission answer(Outcome o, std::vector<adapter::RejectedRule> rules = {},
                           Error error = {}) {
  adapter::Submission s;
  s.outcome = o;
  s.error = std::move(error);
  if (s.durable()) {
    s.messageId = "m-1";
    if (o == Outcome::kAccepted)
      s.eventIds = {"e-1", "e-2"};
  }
  s.rejected = std::move(rules);
  return s;
}

adapter::RejectedRule rule(std::size_t line, const std::string& field, const std::string& code) {
  adapter::RejectedRule r;
  r.record = "$[" + std::to_string(line - 2) + "]";
  r.field = field;
  r.code = code;
  r.sourcePath = "$[" + std::to_string(line - 2) + "].申请人姓名";
  r.message = field + " broke " + code;
  r.line = line;
  return r;
}

rapidjson::Document readReport(const fs::path& p) {
  const std::string text = slurp(p);
  auto d = json::parse(text);
  BOOST_REQUIRE_MESSAGE(d.ok() && d.value().IsObject(), p << ": " << text);
  return std::move(d).value();
}

const std::string kCsv = "办件号,环节\r\nZSDB-1,申请\r\n合计,1\r\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(file_drop)

BOOST_AUTO_TEST_CASE(bad_config_names_the_key) {
  Folder f;
  struct Case {
    std::string config;
    std::string format;
    std::string key;
  };
  const std::vector<Case> cases = {
      {R"({"kind": "file_drop"})", "csv", "folder"},
      {R"({"kind": "file_drop", "folder": "x", "poll": 5})", "csv", "poll"},
      {R"({"kind": "file_drop", "folder": "x", "poll_ms": 5})", "csv", "poll_ms"},
      {R"({"kind": "file_drop", "folder": "x", "stable_ms": "2s"})", "csv", "stable_ms"},
      {R"({"kind": "file_drop", "folder": "x", "encoding": "NO-SUCH-CHARSET"})", "csv", "encoding"},
      {R"({"kind": "file_drop", "folder": "x", "pattern": "a/*.csv"})", "csv", "pattern"},
      {R"({"kind": "file_drop", "folder": "x", "done_dir": "x"})", "csv", "done_dir"},
      {R"({"kind": "file_drop", "folder": "x", "done_dir": "d", "error_dir": "d"})", "csv",
       "error_dir"},
      {R"({"kind": "file_drop", "folder": "x", "max_file_bytes": 0})", "csv", "max_file_bytes"},
      {R"({"kind": "file_drop", "folder": "x"})", "rows", "kind"},
  };
  for (const auto& c : cases) {
    Running r;
    auto made = create(r, c.config, c.format);
    BOOST_TEST_REQUIRE(!made.ok(), c.config);
    BOOST_TEST(made.error().code == "config.invalid", c.config);
    // The key's own position, or the block's when the key is missing; named either way.
    BOOST_TEST(made.error().describe().find(c.key) != std::string::npos,
               c.config << " -> " << made.error().describe());
  }
}

BOOST_AUTO_TEST_CASE(a_complete_file_is_submitted_unchanged_and_moved_to_done) {
  Folder f;
  auto r = start(configFor(f, R"(, "encoding": "GB18030")"));
  const std::string bytes = "\xb0\xec\xbc\xfe\xba\xc5\r\nA,1\r\n\xba\xcf\xbc\xc6,1\r\n";
  f.drop("DB_20261116.csv", bytes);
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.done() / "DB_20261116.csv"); }));
  const auto sent = r->host.submitted();
  BOOST_REQUIRE_EQUAL(sent.size(), 1u);
  BOOST_TEST(sent[0].bytes == bytes);
  BOOST_TEST(sent[0].adapter == "file_drop");
  BOOST_TEST(sent[0].sourceRef == "DB_20261116.csv");
  BOOST_TEST(sent[0].charset == "GB18030");
  BOOST_TEST(sent[0].contentType == "text/csv; charset=GB18030");
  BOOST_TEST(slurp(f.done() / "DB_20261116.csv") == bytes);
  BOOST_TEST(!fs::exists(f.in() / "DB_20261116.csv"));
  BOOST_TEST(!fs::exists(f.done() / "DB_20261116.csv.error.json"));
  BOOST_REQUIRE(eventually([&] {
    const auto s = r->host.sources();
    return !s.empty() && s.back().reachable;
  }));
}

BOOST_AUTO_TEST_CASE(temporary_names_and_other_patterns_are_left_alone) {
  Folder f;
  auto r = start(configFor(f));
  for (const char* name : {".DB_1.csv.tmp", "DB_1.csv.tmp", "DB_1.csv.part", "notes.txt"})
    std::ofstream(f.in() / name) << kCsv;
  f.drop("DB_2.csv", kCsv);
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.done() / "DB_2.csv"); }));
  std::this_thread::sleep_for(300ms);  // past stable_ms: still not taken
  BOOST_TEST(r->host.submitted().size() == 1u);
  for (const char* name : {".DB_1.csv.tmp", "DB_1.csv.tmp", "DB_1.csv.part", "notes.txt"})
    BOOST_TEST(fs::exists(f.in() / name), name);
}

BOOST_AUTO_TEST_CASE(a_file_still_being_written_waits_until_stable) {
  Folder f;
  auto r = start(configFor(f, R"(, "stable_ms": 600)"));
  const fs::path p = f.in() / "DB_3.csv";
  {
    std::ofstream out(p, std::ios::binary);
    for (int i = 0; i < 8; ++i) {
      out << "row " << i << "\r\n" << std::flush;
      std::this_thread::sleep_for(100ms);
      BOOST_TEST(r->host.submitted().empty(), "taken while written, after " << i << " rows");
    }
  }
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.done() / "DB_3.csv"); }));
  BOOST_REQUIRE_EQUAL(r->host.submitted().size(), 1u);
  BOOST_TEST(r->host.submitted()[0].bytes.size() == fs::file_size(f.done() / "DB_3.csv"));
}

BOOST_AUTO_TEST_CASE(some_rows_bad_file_goes_to_done_with_a_report_per_row) {
  Folder f;
  auto r = start(configFor(f), [](const RawMessage&) {
    return answer(Outcome::kAccepted, {rule(3, "applicant.name", "required"),
                                       rule(5, "applicant.id_no", "resident_id_checksum")});
  });
  f.drop("DB_4.csv", kCsv);
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.done() / "DB_4.csv"); }));
  BOOST_REQUIRE(fs::exists(f.done() / "DB_4.csv.error.json"));
  auto d = readReport(f.done() / "DB_4.csv.error.json");
  BOOST_TEST(std::string(d["outcome"].GetString()) == "partly_rejected");
  BOOST_TEST(std::string(d["message_id"].GetString()) == "m-1");
  BOOST_TEST(d["events"].GetUint64() == 2u);
  BOOST_REQUIRE(d["rejected"].Size() == 2u);
  BOOST_TEST(d["rejected"][0]["line"].GetUint64() == 3u);
  BOOST_TEST(std::string(d["rejected"][0]["field"].GetString()) == "applicant.name");
  BOOST_TEST(std::string(d["rejected"][0]["code"].GetString()) == "required");
  BOOST_TEST(std::string(d["rejected"][0]["source_path"].GetString()) == "$[1].申请人姓名");
  BOOST_TEST(std::string(d["rejected"][1]["code"].GetString()) == "resident_id_checksum");
  BOOST_TEST(!std::string(d["rejected"][1]["message"].GetString()).empty());
}

BOOST_AUTO_TEST_CASE(all_rows_bad_or_unreadable_go_to_error_with_the_reason) {
  Folder f;
  auto r = start(configFor(f), [](const RawMessage& m) {
    if (m.sourceRef == "DB_5.csv")
      return answer(Outcome::kRejected, {rule(2, "occurred_at", "pattern")});
    return answer(Outcome::kUnreadable, {},
                  Error{"csv.trailer", "the trailer says 3 rows; the file has 2", "line 4"});
  });
  f.drop("DB_5.csv", kCsv);
  f.drop("DB_6.csv", kCsv);
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.error() / "DB_6.csv"); }));
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.error() / "DB_5.csv"); }));
  auto rejected = readReport(f.error() / "DB_5.csv.error.json");
  BOOST_TEST(std::string(rejected["outcome"].GetString()) == "rejected");
  BOOST_TEST(rejected["rejected"][0]["line"].GetUint64() == 2u);
  auto unreadable = readReport(f.error() / "DB_6.csv.error.json");
  BOOST_TEST(std::string(unreadable["outcome"].GetString()) == "unreadable");
  BOOST_TEST(std::string(unreadable["error"]["code"].GetString()) == "csv.trailer");
  BOOST_TEST(unreadable["error"]["line"].GetUint64() == 4u);
  BOOST_TEST(unreadable["rejected"].Empty());
  BOOST_TEST(fs::is_empty(f.done()));
}

BOOST_AUTO_TEST_CASE(a_file_without_rows_is_done) {
  // The journal calls a message without events "rejected"; with no broken rule it is an empty
  // export (header and "合计,0"), which is complete and correct.
  Folder f;
  auto r = start(configFor(f), [](const RawMessage&) { return answer(Outcome::kRejected); });
  f.drop("DB_14.csv", "办件号,环节\r\n合计,0\r\n");
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.done() / "DB_14.csv"); }));
  BOOST_TEST(!fs::exists(f.done() / "DB_14.csv.error.json"));
}

BOOST_AUTO_TEST_CASE(journal_down_leaves_the_file_and_takes_it_once_the_journal_is_back) {
  Folder f;
  std::atomic<int> calls{0};
  auto r = start(configFor(f), [&calls](const RawMessage&) {
    return ++calls < 3 ? answer(Outcome::kStoreFailed, {},
                                Error{"store.unavailable", "database is locked", ""})
                       : answer(Outcome::kAccepted);
  });
  f.drop("DB_7.csv", kCsv);
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.done() / "DB_7.csv"); }));
  BOOST_TEST(calls.load() == 3);
  const auto logs = r->host.logs();
  BOOST_TEST(std::count(logs.begin(), logs.end(),
                        "journal unavailable; file left in the folder for the next round") == 1,
             "logged once, not on every poll");
}

BOOST_AUTO_TEST_CASE(a_repeated_submission_still_moves_the_file) {
  // A crash between the journal commit and the move: the file is offered again, the journal
  // answers "repeated" with the first message id, and the file must leave the folder.
  Folder f;
  auto r = start(configFor(f), [](const RawMessage&) {
    auto s = answer(Outcome::kAccepted);
    s.repeated = true;
    return s;
  });
  f.drop("DB_8.csv", kCsv);
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.done() / "DB_8.csv"); }));
  BOOST_TEST(!fs::exists(f.in() / "DB_8.csv"));
}

BOOST_AUTO_TEST_CASE(a_file_replaced_after_it_was_read_is_read_again_not_moved_unread) {
  Folder f;
  std::atomic<int> calls{0};
  auto r = start(configFor(f), [&](const RawMessage&) {
    // Between the read and the move, the department renames a new version over the file.
    if (++calls == 1)
      f.drop("DB_15.csv", kCsv + "second version\r\n");
    return answer(Outcome::kAccepted);
  });
  f.drop("DB_15.csv", kCsv);
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.done() / "DB_15.csv"); }));
  const auto sent = r->host.submitted();
  BOOST_REQUIRE_EQUAL(sent.size(), 2u);
  BOOST_TEST(sent[0].bytes == kCsv);
  BOOST_TEST(sent[1].bytes == kCsv + "second version\r\n");
  BOOST_TEST(slurp(f.done() / "DB_15.csv") == kCsv + "second version\r\n");
}

BOOST_AUTO_TEST_CASE(the_same_name_again_keeps_both_files) {
  Folder f;
  auto r = start(configFor(f));
  f.drop("DB_9.csv", kCsv);
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.done() / "DB_9.csv"); }));
  f.drop("DB_9.csv", kCsv + "x");
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.done() / "DB_9.2.csv"); }));
  BOOST_TEST(slurp(f.done() / "DB_9.csv") == kCsv);
  BOOST_TEST(slurp(f.done() / "DB_9.2.csv") == kCsv + "x");
  f.drop("DB_9.csv", kCsv + "y");
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.done() / "DB_9.3.csv"); }));
}

BOOST_AUTO_TEST_CASE(a_missing_folder_is_reported_and_watched_until_it_appears) {
  Folder f;
  fs::remove_all(f.in());
  auto r = start(configFor(f));
  BOOST_REQUIRE(eventually([&] {
    const auto s = r->host.sources();
    return !s.empty() && !s.back().reachable;
  }));
  BOOST_TEST(r->host.sources().back().detail.find("not reachable") != std::string::npos);
  fs::create_directories(f.in());
  f.drop("DB_10.csv", kCsv);
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.done() / "DB_10.csv"); }));
  BOOST_REQUIRE(eventually([&] { return r->host.sources().back().reachable; }));
}

BOOST_AUTO_TEST_CASE(too_large_files_go_to_error_without_being_submitted) {
  Folder f;
  auto r = start(configFor(f, R"(, "max_file_bytes": 10)"));
  f.drop("DB_11.csv", kCsv);
  BOOST_REQUIRE(eventually([&] { return fs::exists(f.error() / "DB_11.csv"); }));
  BOOST_TEST(r->host.submitted().empty());
  auto d = readReport(f.error() / "DB_11.csv.error.json");
  BOOST_TEST(std::string(d["error"]["code"].GetString()) == "file_drop.too_large");
}

BOOST_AUTO_TEST_CASE(pending_files_are_counted_in_the_source_status) {
  Folder f;
  // A file written in place just now waits stable_ms (a minute here): pending, not taken.
  auto r = start(configFor(f, R"(, "stable_ms": 60000)"));
  std::ofstream(f.in() / "DB_12.csv") << kCsv;
  BOOST_REQUIRE(eventually([&] {
    for (const auto& s : r->host.sources()) {
      for (const auto& [k, v] : s.facts) {
        if (k == "pending_files" && v == "1")
          return true;
      }
    }
    return false;
  }));
  BOOST_TEST(r->host.submitted().empty());
}

BOOST_AUTO_TEST_CASE(an_unreadable_file_is_reported_and_left) {
  if (::geteuid() == 0) {
    BOOST_TEST_MESSAGE("running as root: file permissions do not apply; skipped");
    return;
  }
  Folder f;
  auto r = start(configFor(f));
  f.drop("DB_13.csv", kCsv);
  fs::permissions(f.in() / "DB_13.csv", fs::perms::none);
  BOOST_REQUIRE(eventually([&] {
    const auto logs = r->host.logs();
    return std::find(logs.begin(), logs.end(), "cannot read file") != logs.end();
  }));
  BOOST_TEST(fs::exists(f.in() / "DB_13.csv"));
  BOOST_TEST(r->host.submitted().empty());
}

BOOST_AUTO_TEST_SUITE_END()
