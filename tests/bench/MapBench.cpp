// Map+validate throughput of the marriage mapping (mappings/marriage/mapping.json): generates
// a deterministic batch of marriage-style messages as NDJSON (--generate) and times
// Mapping::run plus event serialization over such a file (--run), the work the gateway does
// per pushed message before journaling. run-map-bench.sh compares it with jq and JSONata.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/encodings.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gateway/core/Clock.h"
#include "gateway/core/Json.h"
#include "gateway/mapping/Mapping.h"

namespace {

using huitong::EpochMillis;
using huitong::mapping::Mapping;

constexpr const char* kUsage =
    "usage: huitong_bench_map --generate FILE [--count N] [--seed S]\n"
    "       huitong_bench_map --run FILE [--threads N] [--mapping PATH] [--now RFC3339]\n"
    "                         [--emit OUT --limit K]\n"
    "--generate writes N (default 200000) marriage-style messages, one per line (NDJSON).\n"
    "--run maps and validates every line with the marriage mapping and serializes each event,\n"
    "  printing one key=value summary line. The clock is fixed (--now, default\n"
    "  2026-12-01T00:00:00+08:00) so that future_time never depends on the machine's date.\n"
    "  --emit writes, for the first K lines, each event (compact JSON) or\n"
    "  {\"rejected\":[{field,code}...]} (sorted), one per line, for the peers' comparison.\n";

constexpr const char* kDefaultNow = "2026-12-01T00:00:00+08:00";
// Every source.received_at of a run: the gateway passes the journal's time of receipt.
constexpr const char* kReceivedAt = "2026-12-01T00:00:00+08:00";

// ------------------------------------------------------------------ generator

// SplitMix64: the same sequence on every platform (std distributions are not portable).
class Random {
 public:
  explicit Random(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  bool percent(unsigned p) { return below(100) < p; }
  template <typename T, std::size_t N>
  const T& pick(const T (&items)[N]) {
    return items[below(N)];
  }

 private:
  std::uint64_t s_;
};

struct Service {
  const char* code;
  const char* name;
  char certPrefix;  // J 结婚证, L 离婚证
};
constexpr Service kServices[] = {
    {"1244200045586317954442071001000", "内地居民结婚登记", 'J'},
    {"1244200045586317954442071002000", "内地居民离婚登记", 'L'},
    {"1244200045586317954442071003000", "华侨同内地居民结婚登记", 'J'},
};
constexpr const char* kStatuses[] = {"SUBMITTED",    "ACCEPTED", "REJECTED",   "NEED_SUPPLEMENT",
                                     "SUPPLEMENTED", "APPROVED", "CERT_ISSUED"};
constexpr const char* kChannels[] = {"窗口", "广东政务服务网", "粤省事", "自助终端", "其他"};
constexpr const char* kSurnames[] = {"陈", "李",   "黄",   "张", "梁", "吴", "刘", "林", "何",
                                     "郭", "罗",   "冯",   "萧", "麦", "卢", "杨", "周", "郑",
                                     "谭", "司徒", "欧阳", "区", "钟", "邓", "苏", "曾"};
constexpr const char* kMaleNames[] = {"志豪", "俊杰", "国栋", "建明", "浩然", "文轩", "志明",
                                      "嘉俊", "振邦", "伟强", "家辉", "子轩", "卓然", "永康"};
constexpr const char* kFemaleNames[] = {"嘉欣", "晓雯", "美珍", "小玲", "慧敏", "颖欣", "咏诗",
                                        "嘉琪", "婉仪", "丽琴", "思琪", "凯琳", "雅婷", "丽华"};
constexpr const char* kOperators[] = {"冯婉仪", "何振邦", "黄丽琴", "陈丽华", "梁国华", "苏雅琳"};
// Guangdong 行政区划代码 (the first six digits of a resident ID).
constexpr const char* kRegions[] = {"442000", "440106", "440305", "441900", "445302",
                                    "440604", "440783", "441302", "442000", "442000"};
constexpr const char* kRejectReasons[] = {
    "女方未达法定婚龄（不满二十周岁），不予办理结婚登记", "当事人未能出具有效身份证件，不予受理",
    "一方已有配偶，不予办理结婚登记", "离婚协议书内容不完整，不予受理",
    "当事人非自愿办理，不予登记"};
constexpr const char* kSupplementReasons[] = {
    "离婚协议书未对子女抚养、探望作出约定，请补充后再行办理",
    "户口簿登记信息与身份证不一致，请补充户籍证明", "照片不符合要求，请补交近期半身免冠合影"};
constexpr const char* kMaterials[] = {"离婚协议书（补充子女抚养、探望约定）",
                                      "子女出生医学证明复印件", "户籍证明",
                                      "近期半身免冠合影照片（2张）", "无配偶声明书"};
constexpr const char* kOpinions[] = {
    "双方自愿结婚，符合结婚登记条件，准予登记",
    "男女双方完全自愿，经审查符合《中华人民共和国民法典》规定的结婚条件，准予登记",
    "双方自愿离婚，已对子女抚养、财产分割作出适当处理，准予登记"};

constexpr std::int64_t kDayMs = 86400000;

// "yyyy-MM-dd HH:mm:ss" in Beijing time.
std::string beijing(EpochMillis t) {
  std::string s = huitong::formatRfc3339(t - t % 1000, 480);
  s[10] = ' ';
  return s.substr(0, 19);
}

// An 18-character resident ID (GB 11643-1999) with the right check character.
std::string residentId(Random& r, bool male) {
  std::string id = r.pick(kRegions);
  const int year = static_cast<int>(r.between(1960, 2004));
  const unsigned month = static_cast<unsigned>(r.between(1, 12));
  const unsigned day = static_cast<unsigned>(r.between(1, huitong::daysInMonth(year, month)));
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u", year, month, day);
  id += buf;
  const int order = static_cast<int>(r.between(0, 499)) * 2 + (male ? 1 : 0);
  std::snprintf(buf, sizeof buf, "%03d", order);
  id += buf;
  static constexpr int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    sum += (id[static_cast<std::size_t>(i)] - '0') * kWeights[i];
  }
  id += "10X98765432"[sum % 11];
  return id;
}

std::string digits(Random& r, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    s += static_cast<char>('0' + r.below(10));
  }
  return s;
}

// applicants[].mobile: mostly a mainland mobile, else null, a landline or a foreign number.
rapidjson::Value mobile(Random& r, rapidjson::Document::AllocatorType& a) {
  const auto k = r.below(100);
  std::string m;
  if (k < 60) {
    m = "1" + std::string(1, static_cast<char>('3' + r.below(7))) + digits(r, 9);
  } else if (k < 85) {
    return rapidjson::Value();
  } else if (k < 95) {
    m = "0760-8" + digits(r, 6);
  } else {
    m = "+852 9" + digits(r, 7);
  }
  return huitong::json::string(m, a);
}

// What makes a generated message fail (about 2% of them), as on the vendor's test server.
enum class Defect { kNone, kIdChecksum, kMissingIdNo, kStatusTime, kUnknownStatus };

Defect pickDefect(Random& r) {
  const auto k = r.below(1000);
  if (k < 5) {
    return Defect::kIdChecksum;
  }
  if (k < 10) {
    return Defect::kMissingIdNo;
  }
  if (k < 15) {
    return Defect::kStatusTime;
  }
  if (k < 20) {
    return Defect::kUnknownStatus;
  }
  return Defect::kNone;
}

// One push of the 婚姻登记管理系统 (samples/*.json), in the member order the vendor writes.
rapidjson::Document makeMessage(Random& r) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  auto str = [&](std::string_view s) { return huitong::json::string(s, a); };

  const auto serviceRoll = r.below(100);
  const Service& service = kServices[serviceRoll < 60 ? 0 : serviceRoll < 90 ? 1 : 2];
  const bool overseas = &service == &kServices[2];
  const char* status = r.pick(kStatuses);
  const Defect defect = pickDefect(r);
  const std::string_view st(status);

  // 2025-01-01 .. 2026-11-29 Beijing time; the application up to 40 days before the status.
  const EpochMillis from = 1735660800000;  // 2025-01-01T00:00:00+08:00
  const EpochMillis day = from + r.between(40, 697) * kDayMs;
  const char* channel = r.pick(kChannels);
  const bool window = std::string_view(channel) == "窗口";
  EpochMillis statusTime;
  if (st == "SUBMITTED" && !window) {
    statusTime = day + r.between(0, 86399) * 1000;  // online, any time of day
  } else {
    statusTime = day + (8 * 3600 + 30 * 60 + r.between(0, 9 * 3600)) * 1000;  // office hours
  }
  const EpochMillis applied =
      st == "SUBMITTED" ? statusTime : statusTime - r.between(0, 40) * kDayMs;
  const std::string appliedDate = beijing(applied).substr(0, 10);

  std::string bizNo = "HY" + appliedDate.substr(0, 4) + appliedDate.substr(5, 2) +
                      appliedDate.substr(8, 2) + digits(r, 5);
  d.AddMember("bizNo", str(bizNo), a);
  d.AddMember("serviceCode", rapidjson::StringRef(service.code), a);
  d.AddMember("serviceName", rapidjson::StringRef(service.name), a);
  d.AddMember("status",
              rapidjson::StringRef(defect == Defect::kUnknownStatus ? "ARCHIVED" : status), a);
  std::string time = beijing(statusTime);
  if (defect == Defect::kStatusTime) {
    if (r.percent(50)) {
      time.replace(5, 2, "13");  // month 13
    } else {
      time =
          time.substr(8, 2) + "-" + time.substr(5, 2) + "-" + time.substr(0, 4) + time.substr(10);
    }
  }
  d.AddMember("statusTime", str(time), a);
  d.AddMember("channel", rapidjson::StringRef(channel), a);

  rapidjson::Value applicants(rapidjson::kArrayType);
  const bool firstMale = overseas ? r.percent(50) : r.percent(70);
  for (int i = 0; i < 2; ++i) {
    const bool male = i == 0 ? firstMale : !firstMale;
    rapidjson::Value p(rapidjson::kObjectType);
    p.AddMember(
        "name",
        str(std::string(r.pick(kSurnames)) + (male ? r.pick(kMaleNames) : r.pick(kFemaleNames))),
        a);
    p.AddMember("gender", rapidjson::StringRef(male ? "男" : "女"), a);
    std::string idType = "身份证", idNo;
    if (i == 0 && overseas) {
      const auto k = r.below(10);
      if (k < 7) {
        idType = "护照";
        idNo = std::string("E") + static_cast<char>('A' + r.below(26)) + digits(r, 7);
      } else if (k < 9) {
        idType = "港澳居民来往内地通行证";
        idNo = "H" + digits(r, 8);
      } else {
        idType = "外国人永久居留身份证";
        idNo = "USA" + digits(r, 12);
      }
    } else {
      idNo = residentId(r, male);
      if (r.percent(3)) {
        idType = r.percent(50) ? "户口簿" : "临时身份证";
      }
    }
    if (i == 0 && defect == Defect::kIdChecksum) {
      idType = "身份证";
      idNo = residentId(r, male);
      char& check = idNo.back();
      check = check == '0'   ? '1'
              : check == 'X' ? '0'
                             : static_cast<char>(check == '9' ? 'X' : check + 1);
    }
    p.AddMember("idCardType", str(idType), a);
    if (!(i == 0 && defect == Defect::kMissingIdNo)) {
      p.AddMember("idCardNo", str(idNo), a);
    }
    p.AddMember("mobile", mobile(r, a), a);
    applicants.PushBack(p, a);
  }
  d.AddMember("applicants", applicants, a);

  // Online submissions are reached without staff.
  if (st == "SUBMITTED" && !window) {
    d.AddMember("operator", rapidjson::Value(), a);
  } else {
    rapidjson::Value op(rapidjson::kObjectType);
    const auto k = r.below(std::size(kOperators));
    op.AddMember("name", rapidjson::StringRef(kOperators[k]), a);
    op.AddMember("jobNo", str("HY0" + std::to_string(100 + k * 3 + r.below(3))), a);
    d.AddMember("operator", op, a);
  }
  if (st == "CERT_ISSUED") {
    d.AddMember("certNo",
                str(std::string(1, service.certPrefix) + "442000-" + time.substr(0, 4) + "-" +
                    digits(r, 6)),
                a);
  } else {
    d.AddMember("certNo", rapidjson::Value(), a);
  }
  std::string remark;
  if (st == "ACCEPTED") {
    remark = r.percent(30) ? "材料齐全，予以受理" : "";
  } else if (st == "REJECTED") {
    remark = r.pick(kRejectReasons);
  } else if (st == "NEED_SUPPLEMENT") {
    remark = r.pick(kSupplementReasons);
  } else if (st == "SUPPLEMENTED") {
    remark = r.percent(50) ? "当事人已补交材料" : "";
  } else if (st == "APPROVED") {
    remark = r.percent(90) ? r.pick(kOpinions) : "";
  } else if (st == "CERT_ISSUED") {
    remark = service.certPrefix == 'J' ? "准予登记，发给结婚证" : "准予离婚登记，发给离婚证";
  }
  d.AddMember("remark", str(remark), a);
  if (st == "NEED_SUPPLEMENT" || st == "SUPPLEMENTED") {
    rapidjson::Value list(rapidjson::kArrayType);
    const auto n = 1 + r.below(3);
    const auto first = r.below(std::size(kMaterials));
    for (std::uint64_t i = 0; i < n; ++i) {
      list.PushBack(rapidjson::StringRef(kMaterials[(first + i) % std::size(kMaterials)]), a);
    }
    d.AddMember("supplementList", list, a);
  }
  if (st == "NEED_SUPPLEMENT") {
    d.AddMember("supplementDeadline", str(beijing(statusTime + 14 * kDayMs).substr(0, 10)), a);
  }
  const auto v = r.below(100);
  d.AddMember("version", v < 90 ? 1 : v < 98 ? 2 : 3, a);
  d.AddMember("pushTime", str(beijing(statusTime + r.between(1, 3) * 1000)), a);
  return d;
}

// v2.1.3 writes compact JSON with every non-ASCII character as \uXXXX; v2.1.5 pretty-prints
// (2-space indent) with UTF-8 as is. NDJSON keeps one message per line, so the pretty form's
// line breaks are written as spaces: the same bytes to skip, the same size.
std::string writeVendor(const rapidjson::Document& d, bool escaped) {
  rapidjson::StringBuffer buf;
  if (escaped) {
    rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::ASCII<>> w(buf);
    d.Accept(w);
    std::string s(buf.GetString(), buf.GetSize());
    // RapidJSON writes upper-case hex digits; the vendor's build writes \u5185.
    for (std::size_t i = 0; i + 5 < s.size(); ++i) {
      if (s[i] == '\\') {
        if (s[i + 1] == 'u') {
          for (std::size_t k = i + 2; k < i + 6; ++k) {
            s[k] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[k])));
          }
        }
        ++i;  // an escaped backslash is not the start of \u
      }
    }
    return s;
  }
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  d.Accept(w);
  std::string s(buf.GetString(), buf.GetSize());
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

int generate(const std::string& file, std::uint64_t count, std::uint64_t seed) {
  std::ofstream out(file, std::ios::binary);
  if (!out) {
    std::cerr << "huitong_bench_map: cannot write " << file << "\n";
    return 2;
  }
  Random r(seed);
  std::uint64_t bytes = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    const rapidjson::Document d = makeMessage(r);
    const std::string line = writeVendor(d, r.percent(30));
    out << line << '\n';
    bytes += line.size() + 1;
  }
  out.close();
  if (!out) {
    std::cerr << "huitong_bench_map: writing " << file << " failed\n";
    return 2;
  }
  std::cout << "generated=" << count << " bytes=" << bytes << " seed=" << seed << " file=" << file
            << "\n";
  return 0;
}

// ------------------------------------------------------------------ runner

struct Tally {
  std::uint64_t messages = 0;
  std::uint64_t events = 0;    // valid events
  std::uint64_t rejected = 0;  // rejected events
  std::uint64_t errors = 0;    // messages that could not be decoded at all
  std::uint64_t outputBytes = 0;
};

// The {"rejected":[{field,code}...]} line the peers also print (sorted: their order differs).
std::string rejectedLine(const huitong::mapping::MappedEvent& e) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& r : e.rejections) {
    pairs.emplace_back(r.field, r.code);
  }
  std::sort(pairs.begin(), pairs.end());
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& [field, code] : pairs) {
    rapidjson::Value o(rapidjson::kObjectType);
    o.AddMember("field", huitong::json::string(field, a), a);
    o.AddMember("code", huitong::json::string(code, a), a);
    list.PushBack(o, a);
  }
  d.AddMember("rejected", list, a);
  return huitong::json::write(d);
}

// Maps the lines starting in [begin, end) of `file`. A rejected event is serialized too (the
// gateway journals its rejections), as its rejection list.
void runRange(const Mapping& m, const std::string& file, std::uint64_t begin, std::uint64_t end,
              const huitong::Clock& clock, Tally& t, std::ostream* emit, std::uint64_t limit) {
  std::ifstream in(file, std::ios::binary);
  std::vector<char> buffer(1 << 20);
  in.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  in.seekg(static_cast<std::streamoff>(begin));
  huitong::mapping::RunOptions options;
  options.receivedAt = kReceivedAt;
  std::string line;
  std::uint64_t pos = begin;
  while (pos < end && std::getline(in, line)) {
    pos += line.size() + 1;
    if (line.empty()) {
      continue;
    }
    if (emit && t.messages == limit) {
      break;
    }
    ++t.messages;
    auto out = m.run(line, clock, options);
    if (!out.ok()) {
      ++t.errors;
      if (emit) {
        *emit << "{\"error\":\"" << out.error().code << "\"}\n";
      }
      continue;
    }
    for (const auto& e : out.value().events) {
      const std::string text = huitong::json::write(e.event);
      t.outputBytes += text.size();
      ++t.events;
      if (emit) {
        *emit << text << '\n';
      }
    }
    for (const auto& e : out.value().rejected) {
      rapidjson::Document d(rapidjson::kArrayType);
      for (const auto& r : e.rejections) {
        d.PushBack(huitong::mapping::rejectionToJson(r, d.GetAllocator()), d.GetAllocator());
      }
      t.outputBytes += huitong::json::write(d).size();
      ++t.rejected;
      if (emit) {
        *emit << rejectedLine(e) << '\n';
      }
    }
  }
}

// Splits the file into `parts` byte ranges that start at line starts.
std::vector<std::uint64_t> splitPoints(const std::string& file, unsigned parts) {
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  const auto size = static_cast<std::uint64_t>(in.tellg());
  std::vector<std::uint64_t> points{0};
  for (unsigned k = 1; k < parts; ++k) {
    std::uint64_t p = size * k / parts;
    in.seekg(static_cast<std::streamoff>(p));
    std::string rest;
    std::getline(in, rest);
    p = in ? p + rest.size() + 1 : size;
    points.push_back(std::max(points.back(), std::min(p, size)));
    in.clear();
  }
  points.push_back(size);
  return points;
}

long peakRssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return std::strtol(line.c_str() + 6, nullptr, 10);
    }
  }
  return -1;
}

int run(const std::string& file, unsigned threads, const std::string& mappingPath,
        const std::string& nowText, const std::string& emitFile, std::uint64_t limit) {
  auto mapping = Mapping::load(mappingPath);
  if (!mapping.ok()) {
    std::cerr << "huitong_bench_map: " << mapping.error().describe() << "\n";
    return 2;
  }
  EpochMillis now;
  if (!huitong::parseRfc3339(nowText, now)) {
    std::cerr << "huitong_bench_map: --now is an RFC 3339 date-time\n";
    return 2;
  }
  if (!std::ifstream(file)) {
    std::cerr << "huitong_bench_map: cannot read " << file << "\n";
    return 2;
  }
  const huitong::FixedClock clock(now);
  const Mapping& m = *mapping.value();
  std::ofstream emitOut;
  if (!emitFile.empty()) {
    emitOut.open(emitFile, std::ios::binary);
    threads = 1;
  }
  const auto points = splitPoints(file, threads);
  std::vector<Tally> tallies(threads);
  const auto start = std::chrono::steady_clock::now();
  if (threads == 1) {
    runRange(m, file, 0, points.back(), clock, tallies[0], emitFile.empty() ? nullptr : &emitOut,
             limit);
  } else {
    std::vector<std::thread> pool;
    for (unsigned i = 0; i < threads; ++i) {
      pool.emplace_back(
          [&, i] { runRange(m, file, points[i], points[i + 1], clock, tallies[i], nullptr, 0); });
    }
    for (auto& th : pool) {
      th.join();
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Tally total;
  for (const Tally& t : tallies) {
    total.messages += t.messages;
    total.events += t.events;
    total.rejected += t.rejected;
    total.errors += t.errors;
    total.outputBytes += t.outputBytes;
  }
  const std::uint64_t produced = total.events + total.rejected;
  std::printf(
      "threads=%u messages=%llu events=%llu rejected=%llu errors=%llu seconds=%.3f "
      "events_per_s=%.0f checksum=%llu peak_rss_kib=%ld\n",
      threads, static_cast<unsigned long long>(total.messages),
      static_cast<unsigned long long>(total.events),
      static_cast<unsigned long long>(total.rejected),
      static_cast<unsigned long long>(total.errors), seconds,
      seconds > 0 ? static_cast<double>(produced) / seconds : 0.0,
      static_cast<unsigned long long>(total.outputBytes), peakRssKiB());
  return total.errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string generateFile, runFile, emitFile;
  std::string mappingPath = "mappings/marriage/mapping.json";
  std::string now = kDefaultNow;
  std::uint64_t count = 200000, seed = 20261128, limit = 1000;
  unsigned threads = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool hasValue = i + 1 < argc;
    auto number = [&](std::uint64_t& out) {
      char* endp = nullptr;
      out = std::strtoull(argv[++i], &endp, 10);
      return *endp == '\0';
    };
    bool ok = hasValue;
    if (!hasValue) {
    } else if (arg == "--generate") {
      generateFile = argv[++i];
    } else if (arg == "--run") {
      runFile = argv[++i];
    } else if (arg == "--mapping") {
      mappingPath = argv[++i];
    } else if (arg == "--now") {
      now = argv[++i];
    } else if (arg == "--emit") {
      emitFile = argv[++i];
    } else if (arg == "--count") {
      ok = number(count);
    } else if (arg == "--seed") {
      ok = number(seed);
    } else if (arg == "--limit") {
      ok = number(limit);
    } else if (arg == "--threads") {
      std::uint64_t n = 0;
      ok = number(n) && n >= 1 && n <= 256;
      threads = static_cast<unsigned>(n);
    } else {
      ok = false;
    }
    if (!ok) {
      std::cerr << "huitong_bench_map: bad argument '" << arg << "'\n" << kUsage;
      return 2;
    }
  }
  if (generateFile.empty() == runFile.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  if (!generateFile.empty()) {
    return generate(generateFile, count, seed);
  }
  return run(runFile, threads, mappingPath, now, emitFile, limit);
}
