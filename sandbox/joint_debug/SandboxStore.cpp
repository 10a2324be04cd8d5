// Both backends through storage::StatementDatabase: the store's few queries are written once
// with $n parameters (SQLite reads them as ?n). Inputs are BLOB/BYTEA; PostgreSQL sends them as
// binary parameters and reads them back as hex.
#include "sandbox/joint_debug/SandboxStore.h"

#include <cstdlib>
#include <exception>
#include <mutex>
#include <utility>

#include "gateway/core/Json.h"
#include "gateway/storage/StatementDatabase.h"

namespace huitong::sandbox {
namespace {

using Param = storage::SqlParam;
using Row = storage::SqlRow;
using Database = storage::StatementDatabase;
constexpr auto* text = &storage::sqlText;
constexpr auto* integer = &storage::sqlInteger;
constexpr auto* blob = &storage::sqlBlob;
constexpr auto* toInt = &storage::sqlInt;

constexpr const char* kSummaryColumns =
    "s.seq, s.id, s.system, s.actor, s.at, s.mapping_version, s.outcome, s.summary_json";

SessionSummary summaryOf(const Row& r) {
  SessionSummary s;
  s.seq = toInt(r[0]);
  s.id = r[1];
  s.system = r[2];
  s.actor = r[3];
  s.at = toInt(r[4]);
  s.mappingVersion = r[5];
  s.outcome = r[6];
  s.summaryJson = r[7];
  return s;
}

class Store final : public SandboxStore {
 public:
  explicit Store(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Result<void> record(const Session& s, const std::string& traceJson) override {
    int counts[4] = {0, 0, 0, 0};
    for (const auto& e : s.events)
      ++counts[static_cast<int>(e.verdict)];
    const std::string summaryJson = "{\"events\":" + std::to_string(s.events.size()) +
                                    ",\"accepted\":" + std::to_string(counts[0]) +
                                    ",\"duplicate\":" + std::to_string(counts[1]) +
                                    ",\"conflict\":" + std::to_string(counts[2]) +
                                    ",\"rejected\":" + std::to_string(counts[3]) + "}";
    std::lock_guard<std::mutex> lock(mu_);
    try {
      return db_->transaction([&]() -> Result<void> {
        auto inserted = db_->run(
            "INSERT INTO sandbox_session (id, system, actor, at, mapping_version, mapping_sha256, "
            "outcome, content_type, input, trace_json, summary_json) VALUES ($1, $2, $3, $4, $5, "
            "$6, $7, $8, $9, $10, $11) RETURNING seq",
            {text(s.id), text(s.system), text(s.actor), integer(s.at), text(s.mappingVersion),
             text(s.mappingSha256), text(s.outcome), text(s.contentType), blob(s.input),
             text(traceJson), text(summaryJson)});
        if (!inserted.ok())
          return inserted.error();
        if (inserted.value().empty())
          return Error{"store.sql", "no seq returned", ""};
        const std::int64_t seq = toInt(inserted.value()[0][0]);
        for (std::size_t n = 0; n < s.events.size(); ++n) {
          const auto& e = s.events[n];
          rapidjson::Document rules(rapidjson::kArrayType);
          for (const auto& r : e.rules)
            rules.PushBack(mapping::rejectionToJson(r, rules.GetAllocator()), rules.GetAllocator());
          auto ev = db_->run(
              "INSERT INTO sandbox_event (session_seq, n, session_id, system, item_code, stage, "
              "verdict, rules, rules_json, mapping_version, mapping_sha256) VALUES ($1, $2, $3, "
              "$4, $5, $6, $7, $8, $9, $10, $11)",
              {integer(seq), integer(static_cast<std::int64_t>(n)), text(s.id), text(s.system),
               text(e.itemCode), text(e.stage), text(toString(e.verdict)),
               integer(static_cast<std::int64_t>(e.rules.size())), text(json::write(rules)),
               text(s.mappingVersion), text(s.mappingSha256)});
          if (!ev.ok())
            return ev.error();
        }
        return {};
      });
    } catch (const std::exception& e) {
      return Error{"store.internal", std::string("recording a sandbox session: ") + e.what(), ""};
    }
  }

  Result<std::optional<StoredSession>> session(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(wholeSessions() + " WHERE s.id = $1", {text(id)});
    if (!rows.ok())
      return rows.error();
    if (rows.value().empty())
      return std::optional<StoredSession>();
    return std::optional<StoredSession>(wholeSessionOf(rows.value()[0]));
  }

  Result<std::vector<StoredSession>> history(const std::string& system, std::int64_t afterSeq,
                                             int limit) override {
    if (limit < 1 || limit > kMaxSessionPage) {
      return Error{"sandbox.limit",
                   "limit is 1.." + std::to_string(kMaxSessionPage) + " sessions a page", ""};
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(wholeSessions() + " WHERE s.system = $1 AND s.seq > $2 ORDER BY s.seq " +
                             "LIMIT " + std::to_string(limit),
                         {text(system), integer(afterSeq)});
    if (!rows.ok())
      return rows.error();
    std::vector<StoredSession> out;
    for (const Row& r : rows.value())
      out.push_back(wholeSessionOf(r));
    return out;
  }

  Result<SessionPage> sessions(const SessionQuery& q) override {
    if (q.limit < 1 || q.limit > kMaxSessionPage) {
      return Error{"sandbox.limit",
                   "limit is 1.." + std::to_string(kMaxSessionPage) + " sessions a page", ""};
    }
    std::string sql =
        std::string("SELECT ") + kSummaryColumns + " FROM sandbox_session s WHERE s.seq > $1";
    std::vector<Param> params{integer(q.afterSeq)};
    auto add = [&](const std::string& clause, const std::string& value) {
      params.push_back(text(value));
      std::string c = clause;
      c.replace(c.find('?'), 1, "$" + std::to_string(params.size()));
      sql += c;
    };
    if (!q.system.empty())
      add(" AND s.system = ?", q.system);
    if (!q.version.empty())
      add(" AND s.mapping_version = ?", q.version);
    if (!q.item.empty())
      add(" AND EXISTS (SELECT 1 FROM sandbox_event e WHERE e.session_seq = s.seq AND "
          "e.item_code = ?)",
          q.item);
    sql += " ORDER BY s.seq LIMIT " + std::to_string(q.limit + 1);
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(sql, params);
    if (!rows.ok())
      return rows.error();
    SessionPage page;
    for (const auto& r : rows.value()) {
      if (static_cast<int>(page.sessions.size()) == q.limit) {
        page.nextAfterSeq = page.sessions.back().seq;
        break;
      }
      page.sessions.push_back(summaryOf(r));
    }
    return page;
  }

  Result<std::vector<EvidenceEvent>> evidence(const std::string& system,
                                              const std::string& itemCode,
                                              const std::string& version,
                                              const std::string& sha256) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto rows = db_->run(
        "SELECT session_id, stage, verdict, rules, rules_json FROM sandbox_event WHERE system = $1 "
        "AND "
        "item_code = $2 AND mapping_version = $3 AND mapping_sha256 = $4 ORDER BY session_seq, n",
        {text(system), text(itemCode), text(version), text(sha256)});
    if (!rows.ok())
      return rows.error();
    std::vector<EvidenceEvent> out;
    for (const auto& r : rows.value()) {
      EvidenceEvent e{r[0], r[1], r[2], static_cast<int>(toInt(r[3])), {}};
      if (auto rules = json::parse(r[4]); rules.ok() && rules.value().IsArray()) {
        for (const auto& rule : rules.value().GetArray()) {
          if (rule.IsObject() && rule.HasMember("code") && rule["code"].IsString())
            e.ruleCodes.push_back(rule["code"].GetString());
        }
      }
      out.push_back(std::move(e));
    }
    return out;
  }

 private:
  std::string wholeSessions() const {
    return std::string("SELECT ") + kSummaryColumns + ", s.content_type, " +
           (db_->postgres() ? "encode(s.input, 'hex')" : "s.input") +
           ", s.trace_json FROM sandbox_session s";
  }
  StoredSession wholeSessionOf(const Row& r) const {
    StoredSession st;
    st.summary = summaryOf(r);
    st.contentType = r[8];
    st.input = db_->postgres() ? storage::fromByteaHex(r[9]) : r[9];
    st.traceJson = r[10];
    return st;
  }

  std::mutex mu_;
  std::unique_ptr<Database> db_;
};

}  // namespace

Result<std::unique_ptr<SandboxStore>> SandboxStore::open(const storage::StoreConfig& config) {
  try {
    auto db = storage::StatementDatabase::open(config, "sandbox", "the sandbox");
    if (!db.ok())
      return db.error();
    return std::unique_ptr<SandboxStore>(std::make_unique<Store>(std::move(db).value()));
  } catch (const std::exception& e) {
    return Error{"store.internal", std::string("opening the sandbox store failed: ") + e.what(),
                 ""};
  }
}

}  // namespace huitong::sandbox
