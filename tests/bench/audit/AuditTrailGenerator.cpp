// The audit benchmark's data: a SQLite store (schema from the real migrations, through
// RegistryStore::open) holding N audit entries over a year — ten department systems, their
// items, a few dozen staff, the actions the gateway really writes with before/after JSON of the
// real shape (filingJson, the login and refusal bodies) — hashed with AuditChain's functions
// into a valid chain, and the anchor set, so that `huitong audit verify` passes on it.
// Bench only: it writes around RegistryStore::appendAudit (one transaction per entry is far
// too slow for a million) with large transactions of prepared inserts.
//
//   huitong_bench_audit_gen --db FILE [--entries 1000000] [--seed 20261201] [--batch 50000]
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Json.h"
#include "gateway/core/WorkCalendar.h"
#include "gateway/registry/AuditChain.h"
#include "gateway/registry/Filing.h"
#include "gateway/registry/RegistryService.h"
#include "gateway/registry/RegistryStore.h"

namespace {

using huitong::EpochMillis;
using huitong::registry::AuditEntry;
using huitong::registry::Filing;
using huitong::registry::FilingState;

constexpr EpochMillis kHour = 3600 * 1000;
constexpr EpochMillis kDay = 24 * kHour;

// Department systems and their share of the filing traffic (percent). marriage's share makes
// its filter select about 100,000 of a million entries: the export the benchmark times.
struct SystemSpec {
  const char* name;
  int share;
  int items;
  std::vector<const char*> itemNames;
};

const std::vector<SystemSpec>& systems() {
  static const std::vector<SystemSpec> kSystems = {
      {"marriage", 18, 60, {"结婚登记", "离婚登记", "补领结婚证", "补领离婚证", "撤销婚姻登记"}},
      {"social-assistance", 14, 180, {"最低生活保障", "特困人员供养", "临时救助", "医疗救助"}},
      {"elderly-subsidy", 12, 140, {"高龄津贴", "养老服务补贴", "护理补贴", "居家养老服务"}},
      {"social-security", 11, 320, {"社会保险登记", "养老保险待遇", "失业保险金", "工伤认定"}},
      {"housing-fund", 9, 210, {"公积金提取", "公积金贷款", "缴存登记", "异地转移"}},
      {"funeral", 8, 40, {"惠民殡葬补贴申领", "火化证明", "骨灰寄存", "生态安葬奖补"}},
      {"health", 8, 260, {"出生医学证明", "医师执业注册", "护士执业注册", "母婴保健"}},
      {"education", 7, 190, {"学籍证明", "教师资格认定", "民办学校审批", "入学登记"}},
      {"disability", 6, 90, {"残疾人证办理", "两项补贴", "辅助器具适配", "就业补贴"}},
      {"veterans", 7, 80, {"优待证办理", "抚恤补助", "退役安置", "烈士褒扬"}},
  };
  return kSystems;
}

struct Staff {
  std::string name;
  const char* role;
  std::string system;  // department accounts
  double weight;       // how active
};

std::vector<Staff> makeStaff() {
  const char* people[] = {
      "li.na",    "wang.wei", "zhang.min", "liu.yang",  "chen.jing", "yang.fan", "zhao.lei",
      "huang.li", "zhou.min", "wu.hao",    "xu.jing",   "sun.li",    "hu.jun",   "zhu.hong",
      "gao.feng", "lin.tao",  "he.ping",   "guo.qiang", "ma.lin",    "luo.yi",   "liang.hui",
      "song.jie", "zheng.yu", "xie.ting",  "han.bing",  "tang.li",   "feng.lei", "yu.hai",
      "dong.mei", "xiao.yan", "cao.yu",    "yuan.fang", "deng.chao", "fu.qiang", "shen.yu",
      "zeng.hao", "peng.bo",  "lu.xin",    "su.wen",    "jiang.tao", "cai.ning", "jia.hui",
      "ding.ke",  "wei.lan",  "xue.bin"};
  std::vector<Staff> out;
  int i = 0;
  for (const char* p : people) {
    const char* role = i < 4 ? "admin" : i < 18 ? "operator" : i < 24 ? "auditor" : "department";
    std::string system;
    if (std::string(role) == "department")
      system = systems()[static_cast<std::size_t>(i) % systems().size()].name;
    out.push_back({p, role, system, 1.0 / std::pow(1.0 + (i * 7) % 45, 0.6)});
    ++i;
  }
  return out;
}

struct FilingSlot {
  Filing filing;
  bool created = false;
};

class Generator {
 public:
  explicit Generator(unsigned seed) : rng_(seed), staff_(makeStaff()) {
    for (std::size_t s = 0; s < systems().size(); ++s) {
      const auto& spec = systems()[s];
      std::vector<double> w;
      for (int k = 0; k < spec.items; ++k) {
        FilingSlot slot;
        Filing& f = slot.filing;
        f.system = spec.name;
        char code[64];
        std::snprintf(code, sizeof code, "114420%02zu%07d%016llu", s + 10, 4000 + k,
                      static_cast<unsigned long long>(rng_() % 10000000000000000ULL));
        f.itemCode = code;
        f.itemName =
            std::string(spec.itemNames[static_cast<std::size_t>(k) % spec.itemNames.size()]) +
            "（" + std::to_string(k / static_cast<int>(spec.itemNames.size()) + 1) + "）";
        f.contactName = pick({"欧阳秀兰", "陈志强", "黄丽华", "李建国", "张海燕", "刘德明"});
        f.contactPhone = "0760-88" + std::to_string(100000 + rng_() % 900000);
        f.notes = "对接方式：前置库；每日 8:30–17:30 值守";
        filings_[s].push_back(slot);
        w.push_back(1.0 / std::pow(1.0 + k, 0.8));  // a few hot items per system
      }
      itemPick_[s] = std::discrete_distribution<int>(w.begin(), w.end());
    }
    std::vector<double> shares;
    for (const auto& spec : systems())
      shares.push_back(spec.share);
    systemPick_ = std::discrete_distribution<int>(shares.begin(), shares.end());
    std::vector<double> sw;
    for (const auto& p : staff_)
      sw.push_back(p.weight);
    staffPick_ = std::discrete_distribution<int>(sw.begin(), sw.end());
  }

  AuditEntry next(EpochMillis at) {
    AuditEntry e;
    e.at = at;
    const double r = uniform_(rng_);
    if (r < 0.24)
      staffEvent(e, "login");
    else if (r < 0.33)
      staffEvent(e, "logout");
    else if (r < 0.37)
      staffEvent(e, "login.failed");
    else if (r < 0.372)
      staffEvent(e, "login.locked");
    else if (r < 0.41)
      accessRefused(e);
    else if (r < 0.4105)
      userChange(e);
    else
      filingEvent(e, uniform_(rng_));
    return e;
  }

 private:
  const char* pick(std::initializer_list<const char*> options) {
    return *(options.begin() + rng_() % options.size());
  }
  const Staff& person() { return staff_[static_cast<std::size_t>(staffPick_(rng_))]; }
  const Staff& personWithRole(std::initializer_list<const char*> roles) {
    for (;;) {
      const Staff& p = person();
      for (const char* r : roles) {
        if (std::string(p.role) == r)
          return p;
      }
    }
  }

  static std::string json(const std::vector<std::pair<const char*, std::string>>& strings) {
    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    for (const auto& [k, v] : strings)
      d.AddMember(rapidjson::StringRef(k), huitong::json::string(v, a), a);
    return huitong::json::write(d);
  }

  void staffEvent(AuditEntry& e, const std::string& action) {
    const Staff& p = person();
    e.action = action;
    e.actor = p.name;
    e.role = p.role;
    e.target = "staff " + p.name;
    e.before = "null";
    if (action == "login") {
      e.after = json({{"expires_at", huitong::formatRfc3339(e.at + 30 * 60 * 1000)}});
    } else if (action == "logout") {
      e.after = "null";
    } else if (action == "login.locked") {
      e.after = json({{"locked_until", huitong::formatRfc3339(e.at + 15 * 60 * 1000)}});
    } else {
      const double r = uniform_(rng_);
      if (r < 0.1) {  // a name no account has
        e.actor = e.target.substr(6) + std::to_string(rng_() % 10);
        e.role = "none";
        e.target = "staff " + e.actor;
      }
      e.after = "{\"reason\":\"" +
                std::string(r < 0.1    ? "unknown_name"
                            : r < 0.95 ? "password"
                                       : "locked") +
                "\",\"consecutive_failures\":" + std::to_string(1 + rng_() % 5) + "}";
    }
  }

  void accessRefused(AuditEntry& e) {
    const Staff& p = personWithRole({"department", "auditor"});
    const auto s = static_cast<std::size_t>(systemPick_(rng_));
    const Filing& f = filings_[s][static_cast<std::size_t>(itemPick_[s](rng_))].filing;
    static const char* const kCalls[][2] = {{"POST", "/ops/v1/filings"},
                                            {"GET", "/ops/v1/users"},
                                            {"POST", "/ops/v1/filings/{s}/{i}:move"},
                                            {"PATCH", "/ops/v1/filings/{s}/{i}"},
                                            {"GET", "/ops/v1/filings/{s}/{i}"},
                                            {"GET", "/ops/v1/messages/{s}/MSG"}};
    const auto& call = kCalls[rng_() % 6];
    std::string path = call[1];
    const bool perSystem = path.find("{s}") != std::string::npos;
    if (perSystem) {
      path.replace(path.find("{s}"), 3, f.system);
      if (auto at = path.find("{i}"); at != std::string::npos)
        path.replace(at, 3, f.itemCode);
      if (auto at = path.find("MSG"); at != std::string::npos)
        path.replace(at, 3, "m-" + std::to_string(rng_() % 100000000));
    }
    e.actor = p.name;
    e.role = p.role;
    e.action = "access.refused";
    e.target = std::string("api ") + call[0] + " " + path;
    e.system = perSystem ? f.system : "";
    e.before = "null";
    e.after = json({{"method", call[0]}, {"path", path}});
  }

  void userChange(AuditEntry& e) {
    const Staff& p = person();
    const double r = uniform_(rng_);
    e.actor = "cli:root";
    e.role = "system";
    e.action = r < 0.3 ? "user.create" : r < 0.9 ? "user.password" : "user.disable";
    e.target = "staff " + p.name;
    const std::string account = "{\"name\":\"" + p.name + "\",\"role\":\"" + p.role +
                                "\",\"system\":\"" + p.system + "\",\"disabled\":";
    e.before = e.action == "user.create" ? "null" : account + "false}";
    e.after = account + (e.action == "user.disable" ? "true}" : "false}");
  }

  void filingEvent(AuditEntry& e, double r) {
    const auto s = static_cast<std::size_t>(systemPick_(rng_));
    FilingSlot& slot = filings_[s][static_cast<std::size_t>(itemPick_[s](rng_))];
    Filing& f = slot.filing;
    e.system = f.system;
    e.item = f.itemCode;
    e.target = huitong::registry::filingTarget(f.system, f.itemCode);
    const Staff* actor = &personWithRole({"admin", "operator"});
    if (!slot.created) {
      slot.created = true;
      f.createdAt = f.updatedAt = e.at;
      e.action = "filing.create";
      e.before = "null";
      e.after = huitong::registry::filingJson(f);
    } else if (r < 0.90) {  // moves and edits
      const std::string before = huitong::registry::filingJson(f);
      if (r < 0.55 && f.state != FilingState::kRetired) {
        e.action = "filing.move";
        move(f, e.at);
      } else {
        e.action = "filing.update";
        if (uniform_(rng_) < 0.3) {
          for (const Staff& p : staff_) {
            if (p.system == f.system) {
              actor = &p;
              break;
            }
          }
          f.contactPhone = "0760-88" + std::to_string(100000 + rng_() % 900000);
        } else {
          f.notes = std::string("联调记录 ") + huitong::formatRfc3339(e.at).substr(0, 10) + "：" +
                    pick({"字段映射已确认", "沙箱测试通过", "证照目录待补充", "接口地址变更",
                          "材料清单更新"});
        }
      }
      ++f.version;
      f.updatedAt = e.at;
      e.before = before;
      e.after = huitong::registry::filingJson(f);
    } else {
      const double k = uniform_(rng_);
      e.action = k < 0.75   ? "filing.move.refused"
                 : k < 0.95 ? "filing.update.refused"
                            : "filing.create.refused";
      if (e.action != "filing.move.refused")
        actor = &personWithRole({"department", "auditor"});
      const char* code = e.action == "filing.move.refused"
                             ? pick({"filing.illegal_move", "filing.stale", "filing.forbidden"})
                             : "filing.forbidden";
      e.before = e.action == "filing.create.refused" ? "null" : huitong::registry::filingJson(f);
      e.after =
          json({{"refused", code},
                {"reason", std::string(code) == "filing.stale"
                               ? "the filing changed since it was read: read it again "
                                 "and retry"
                               : std::string("role ") + actor->role + " may not make this change"},
                {"requested", e.action == "filing.move.refused" ? "online" : "contact"}});
    }
    e.actor = actor->name;
    e.role = actor->role;
  }

  void move(Filing& f, EpochMillis at) {
    switch (f.state) {
      case FilingState::kRequested:
        f.state = FilingState::kConfiguring;
        f.requirementConfirmedAt = at;
        f.configuringDue = huitong::chinaDay(at) + 2;
        f.configuringDueProvisional = false;
        break;
      case FilingState::kConfiguring:
        f.state = FilingState::kJointDebugging;
        break;
      case FilingState::kJointDebugging:
        f.state = FilingState::kOnline;
        f.liveMappingVersion =
            "v" + std::to_string(1 + f.version % 7) + "." + std::to_string(f.version % 13);
        break;
      case FilingState::kOnline:
        f.state = FilingState::kSuspended;
        break;
      case FilingState::kSuspended:
        f.state = uniform_(rng_) < 0.005 ? FilingState::kRetired : FilingState::kOnline;
        break;
      case FilingState::kRetired:
        break;
    }
  }

  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
  std::vector<Staff> staff_;
  std::vector<std::vector<FilingSlot>> filings_ =
      std::vector<std::vector<FilingSlot>>(systems().size());
  std::vector<std::discrete_distribution<int>> itemPick_ =
      std::vector<std::discrete_distribution<int>>(systems().size());
  std::discrete_distribution<int> systemPick_;
  std::discrete_distribution<int> staffPick_;
};

// N times over a year in order: weekdays busy, weekends quiet, office hours most of the day.
std::vector<EpochMillis> yearOfTimes(std::int64_t n, std::mt19937_64& rng, EpochMillis start) {
  const int kDays = 365;
  std::vector<double> dayWeight;
  double total = 0;
  for (int d = 0; d < kDays; ++d) {
    const int wd = huitong::weekday(huitong::chinaDay(start) + d);
    dayWeight.push_back(wd >= 5 ? 0.12 : 1.0);
    total += dayWeight.back();
  }
  static const double kHourWeight[24] = {0.3, 0.2, 0.2, 0.2, 0.2, 0.3, 0.5, 1,   6,   10, 10,  9,
                                         3,   3,   9,   10,  10,  8,   2,   1.5, 1.5, 1,  0.5, 0.3};
  std::discrete_distribution<int> hour(std::begin(kHourWeight), std::end(kHourWeight));
  std::uniform_int_distribution<EpochMillis> within(0, kHour - 1);
  std::vector<EpochMillis> out;
  out.reserve(static_cast<std::size_t>(n));
  double acc = 0;
  std::int64_t made = 0;
  for (int d = 0; d < kDays; ++d) {
    acc += dayWeight[static_cast<std::size_t>(d)];
    const auto upTo = d == kDays - 1 ? n : static_cast<std::int64_t>(std::llround(n * acc / total));
    const auto from = out.size();
    for (; made < upTo; ++made)
      out.push_back(start + d * kDay + hour(rng) * kHour + within(rng));
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(from), out.end());
  }
  return out;
}

struct Db {
  sqlite3* db = nullptr;
  ~Db() { sqlite3_close_v2(db); }
  void exec(const char* sql) const {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::cerr << "huitong_bench_audit_gen: " << sql << ": " << (message ? message : "?") << "\n";
      std::exit(1);
    }
  }
};

int usage(const char* why) {
  std::cerr << "huitong_bench_audit_gen: " << why
            << "\nusage: huitong_bench_audit_gen --db FILE [--entries N] [--seed S] [--batch N]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  std::int64_t entries = 1000000;
  std::int64_t batch = 50000;
  unsigned seed = 20261201;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc)
      return usage(("a value is missing after " + a).c_str());
    const std::string v = argv[++i];
    if (a == "--db")
      path = v;
    else if (a == "--entries")
      entries = std::atoll(v.c_str());
    else if (a == "--batch")
      batch = std::atoll(v.c_str());
    else if (a == "--seed")
      seed = static_cast<unsigned>(std::atoll(v.c_str()));
    else
      return usage(("unknown option " + a).c_str());
  }
  if (path.empty() || entries < 1 || batch < 1)
    return usage("--db is required; --entries and --batch are 1 or more");
  if (std::filesystem::exists(path))
    return usage((path + " exists: the generator makes a new store").c_str());

  {  // The real schema: the store's own migrations.
    huitong::storage::StoreConfig config;
    config.kind = "sqlite";
    config.path = path;
    auto store = huitong::registry::RegistryStore::open(config);
    if (!store.ok()) {
      std::cerr << "huitong_bench_audit_gen: " << store.error().message << "\n";
      return 1;
    }
    auto anchor = store.value()->anchor();
    if (!anchor.ok() || anchor.value().count != 0) {
      std::cerr << "huitong_bench_audit_gen: a new store should have an empty trail\n";
      return 1;
    }
  }

  Db db;
  if (sqlite3_open_v2(path.c_str(), &db.db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::cerr << "huitong_bench_audit_gen: cannot open " << path << "\n";
    return 1;
  }
  // A throwaway file: durability per transaction buys nothing here.
  db.exec("PRAGMA synchronous=OFF");
  db.exec("PRAGMA cache_size=-262144");
  sqlite3_stmt* insert = nullptr;
  const char* kInsert =
      "INSERT INTO audit_entry (seq, at, actor, role, action, target, system, item, before_json,"
      " after_json, alg, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
      " ?12, ?13)";
  if (sqlite3_prepare_v2(db.db, kInsert, -1, &insert, nullptr) != SQLITE_OK) {
    std::cerr << "huitong_bench_audit_gen: " << sqlite3_errmsg(db.db) << "\n";
    return 1;
  }

  std::mt19937_64 timeRng(seed ^ 0x9e3779b97f4a7c15ULL);
  EpochMillis start = 0;
  huitong::parseRfc3339("2025-12-01T00:00:00+08:00", start);
  const auto times = yearOfTimes(entries, timeRng, start);
  Generator gen(seed);

  const auto t0 = std::chrono::steady_clock::now();
  std::string prev = huitong::registry::zeroHash();
  db.exec("BEGIN");
  for (std::int64_t seq = 1; seq <= entries; ++seq) {
    AuditEntry e = gen.next(times[static_cast<std::size_t>(seq - 1)]);
    e.seq = seq;
    e.hashAlgorithm = "sha256";
    e.prevHash = prev;
    auto h = huitong::registry::entryHash(e);
    if (!h.ok()) {
      std::cerr << "huitong_bench_audit_gen: " << h.error().message << "\n";
      return 1;
    }
    e.hash = h.value();
    const std::string* text[] = {&e.actor,         &e.role,     &e.action, &e.target,
                                 &e.system,        &e.item,     &e.before, &e.after,
                                 &e.hashAlgorithm, &e.prevHash, &e.hash};
    sqlite3_bind_int64(insert, 1, e.seq);
    sqlite3_bind_int64(insert, 2, e.at);
    for (int c = 0; c < 11; ++c)
      sqlite3_bind_text64(insert, c + 3, text[c]->data(), text[c]->size(), SQLITE_STATIC,
                          SQLITE_UTF8);
    if (sqlite3_step(insert) != SQLITE_DONE) {
      std::cerr << "huitong_bench_audit_gen: insert " << seq << ": " << sqlite3_errmsg(db.db)
                << "\n";
      return 1;
    }
    sqlite3_reset(insert);
    prev = e.hash;
    if (seq % batch == 0 || seq == entries) {
      db.exec("COMMIT");
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "  %lld / %lld entries, %.0f entries/s, %.0f s\n",
                   static_cast<long long>(seq), static_cast<long long>(entries), seq / s, s);
      if (seq != entries)
        db.exec("BEGIN");
    }
  }
  sqlite3_finalize(insert);

  sqlite3_stmt* anchor = nullptr;
  sqlite3_prepare_v2(db.db, "UPDATE audit_anchor SET entry_count = ?1, head = ?2 WHERE id = 1", -1,
                     &anchor, nullptr);
  sqlite3_bind_int64(anchor, 1, entries);
  sqlite3_bind_text(anchor, 2, prev.c_str(), -1, SQLITE_TRANSIENT);
  const bool anchored = sqlite3_step(anchor) == SQLITE_DONE && sqlite3_changes(db.db) == 1;
  sqlite3_finalize(anchor);
  if (!anchored) {
    std::cerr << "huitong_bench_audit_gen: setting the anchor failed\n";
    return 1;
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  std::cout << "entries " << entries << "\nhead " << prev << "\nfrom "
            << huitong::formatRfc3339(times.front()) << "\nto "
            << huitong::formatRfc3339(times.back()) << "\n";
  return 0;
}
