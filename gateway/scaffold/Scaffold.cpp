// How the scaffold guesses: every (target, leaf) pair gets a score from the leaf's name and its
// value's shape; targets take their best leaves greedily (required targets first, each leaf
// once). Code tables are guessed from the one sample value, constants of the department from
// the check-digit structure of the codes in the message. The words below come from the spec's
// field descriptions, the departments' interface documents and common Chinese government-IT
// naming (pinyin initials such as SBLSH 申办流水号); they name no department.
#include "gateway/scaffold/Scaffold.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "gateway/core/Clock.h"
#include "gateway/core/Json.h"
#include "gateway/formats/Decode.h"
#include "gateway/mapping/Mapping.h"
#include "gateway/validation/CaseEventSchema.h"
#include "gateway/validation/Validator.h"

namespace huitong::scaffold {
namespace {

// ------------------------------------------------------------------ text helpers

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool isAsciiAlnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

bool hasNonAscii(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

std::size_t codePoints(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "applicantIdNo" -> applicant id no; "STAGE_TIME" -> stage time; "SBLSH" -> sblsh; digits
// split from letters. Non-ASCII runs stay whole (Chinese names are matched by containment).
std::vector<std::string> tokens(std::string_view name) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty())
      out.push_back(lowerAscii(cur));
    cur.clear();
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const auto u = static_cast<unsigned char>(c);
    if (c == '_' || c == '-' || c == ' ' || c == '.' || c == '@' || c == '#' || c == ':') {
      flush();
      continue;
    }
    if (!cur.empty() && u < 0x80) {
      const char p = cur.back();
      const auto pu = static_cast<unsigned char>(p);
      const bool lowerToUpper = std::islower(pu) && std::isupper(u);
      const bool digitEdge = pu < 0x80 && (std::isdigit(pu) != 0) != (std::isdigit(u) != 0);
      const bool fromWide = pu >= 0x80;
      // "IDCard": an upper run followed by upper+lower splits before the last upper.
      const bool acronymEnd = std::isupper(pu) && std::isupper(u) && i + 1 < name.size() &&
                              std::islower(static_cast<unsigned char>(name[i + 1])) &&
                              cur.size() > 1 && std::isupper(static_cast<unsigned char>(cur[0]));
      if (lowerToUpper || digitEdge || fromWide || acronymEnd)
        flush();
    } else if (!cur.empty() && u >= 0x80 && static_cast<unsigned char>(cur.back()) < 0x80) {
      flush();
    }
    cur.push_back(c);
  }
  flush();
  for (auto& t : out)
    if (t == "number" || t == "num" || t == "nbr")
      t = "no";
  return out;
}

std::string joined(const std::vector<std::string>& ts) {
  std::string s;
  for (const auto& t : ts)
    s += t;
  return s;
}

// ------------------------------------------------------------------ the dictionary

// A word naming a target: 'p' pinyin initials (a whole name, or the end or start of a longer
// code: SQRZJHM ends with ZJHM), 'e' English words (all must be among the name's words),
// 'c' Chinese (found inside the name).
struct Word {
  char kind;
  const char* text;
  double weight;
};

enum class Kind {
  kCaseNo,
  kStage,
  kSeq,
  kVersion,
  kDateTime,
  kItemCode,
  kItemName,
  kDeptName,
  kDeptUscc,
  kRegion,
  kApplicantType,
  kPersonName,
  kIdType,
  kIdNo,
  kMobile,
  kChannel,
  kPromise,
  kHandlerName,
  kStaffNo,
  kRecordId,
  kMaterials,
  kFee,
};

struct TargetSpec {
  const char* target;
  const char* section;
  Kind kind;
  const char* owner;  // "applicant", "handler", "department" or ""
  std::vector<Word> words;
  std::vector<const char*> against;  // words that make a name unlikely (push time, birth date)
};

const std::vector<TargetSpec>& targetSpecs() {
  static const std::vector<TargetSpec> specs = {
      {"case_no",
       "fields",
       Kind::kCaseNo,
       "",
       {{'p', "sblsh", 1},        {'p', "blsh", 0.95},
        {'p', "ywlsh", 0.9},      {'p', "slbh", 0.9},
        {'p', "sqbh", 0.9},       {'p', "bjbh", 0.9},
        {'p', "ywbh", 0.85},      {'p', "lsh", 0.8},
        {'p', "sbbh", 0.85},      {'c', "申办流水号", 1},
        {'c', "办件编号", 1},     {'c', "办件号", 1},
        {'c', "流水号", 0.9},     {'c', "申请编号", 0.9},
        {'c', "受理编号", 0.85},  {'c', "业务编号", 0.85},
        {'c', "办件", 0.6},       {'e', "case no", 1},
        {'e', "biz no", 1},       {'e', "business no", 1},
        {'e', "apply no", 0.9},   {'e', "application no", 0.9},
        {'e', "serial no", 0.85}, {'e', "flow no", 0.85},
        {'e', "case id", 0.9},    {'e', "proj id", 0.8},
        {'e', "project no", 0.8}, {'e', "case code", 0.85}},
       {"cert", "zz", "证照", "item", "service", "事项", "batch", "批次"}},
      {"stage",
       "fields",
       Kind::kStage,
       "",
       {{'p', "hjdm", 1},
        {'p', "hj", 0.9},
        {'p', "blhj", 0.9},
        {'p', "hjmc", 0.9},
        {'p', "ztdm", 0.8},
        {'p', "zt", 0.7},
        {'c', "环节", 0.95},
        {'c', "办件状态", 0.9},
        {'c', "状态", 0.75},
        {'c', "节点", 0.7},
        {'e', "stage", 1},
        {'e', "stage code", 1},
        {'e', "status", 0.9},
        {'e', "state", 0.8},
        {'e', "step", 0.7},
        {'e', "node code", 0.7},
        {'e', "node", 0.75},
        {'e', "node name", 0.85},
        {'e', "phase", 0.8}},
       {"time", "sj", "时间", "日期", "date", "seq", "序号", "flag", "rec"}},
      {"seq",
       "fields",
       Kind::kSeq,
       "",
       {{'e', "seq", 0.8}, {'e', "stage seq", 1}, {'c', "环节序号", 1}, {'p', "hjxh", 0.9}},
       {}},
      {"version",
       "fields",
       Kind::kVersion,
       "",
       {{'e', "version", 1},
        {'e', "ver", 0.8},
        {'e', "data version", 1},
        {'p', "bbh", 1},
        {'p', "sjbbh", 1},
        {'c', "数据版本号", 1},
        {'c', "版本号", 1},
        {'c', "版本", 0.95}},
       {"spec", "schema", "接口", "api"}},
      {"occurred_at",
       "fields",
       Kind::kDateTime,
       "",
       {{'p', "hjsj", 1},           {'p', "blsj", 0.9},          {'p', "czsj", 0.85},
        {'p', "ztsj", 0.9},         {'p', "fssj", 0.9},          {'p', "clsj", 0.8},
        {'c', "环节时间", 1},       {'c', "办理时间", 0.9},      {'c', "发生时间", 0.9},
        {'c', "状态时间", 0.9},     {'c', "操作时间", 0.85},     {'c', "时间", 0.6},
        {'e', "status time", 1},    {'e', "stage time", 1},      {'e', "occurred at", 1},
        {'e', "event time", 0.9},   {'e', "operate time", 0.85}, {'e', "handle time", 0.85},
        {'e', "action time", 0.85}, {'e', "time", 0.55},         {'e', "date time", 0.55},
        {'p', "sj", 0.45}},
       {"push", "send", "create", "update", "receive", "birth", "deadline", "valid", "expire",
        "推送", "发送", "创建", "更新", "入库", "出生", "期限", "有效", "截止"}},
      {"item.code",
       "fields",
       Kind::kItemCode,
       "",
       {{'p', "sxbm", 1},
        {'p', "sxdm", 0.95},
        {'p', "ssbm", 0.85},
        {'p', "sxssbm", 1},
        {'c', "事项编码", 1},
        {'c', "事项实施编码", 1},
        {'c', "实施编码", 0.95},
        {'c', "事项代码", 0.95},
        {'e', "item code", 1},
        {'e', "service code", 1},
        {'e', "matter code", 0.95},
        {'e', "task code", 0.9},
        {'e', "item no", 0.85},
        {'e', "service id", 0.8}},
       {}},
      {"item.name",
       "fields",
       Kind::kItemName,
       "",
       {{'p', "sxmc", 1},
        {'c', "事项名称", 1},
        {'c', "事项", 0.7},
        {'e', "item name", 1},
        {'e', "service name", 1},
        {'e', "matter name", 0.95},
        {'e', "task name", 0.9}},
       {}},
      {"department.name",
       "fields",
       Kind::kDeptName,
       "department",
       {{'p', "bmmc", 1},
        {'p', "jgmc", 0.9},
        {'p', "slbm", 0.85},
        {'c', "部门名称", 1},
        {'c', "实施部门", 0.95},
        {'c', "受理部门", 0.95},
        {'c', "机构名称", 0.85},
        {'e', "dept name", 1},
        {'e', "department name", 1},
        {'e', "org name", 0.9},
        {'e', "organ name", 0.9}},
       {}},
      {"department.uscc",
       "fields",
       Kind::kDeptUscc,
       "department",
       {{'c', "部门统一社会信用代码", 1},
        {'e', "dept uscc", 1},
        {'e', "org uscc", 1},
        {'e', "dept code", 0.8},
        {'e', "org code", 0.8},
        {'p', "bmbm", 0.8}},
       {}},
      {"department.region_code",
       "fields",
       Kind::kRegion,
       "",
       {{'p', "xzqh", 1},
        {'p', "xzqhdm", 1},
        {'p', "qhdm", 0.95},
        {'c', "行政区划", 1},
        {'c', "区划代码", 1},
        {'e', "region code", 1},
        {'e', "area code", 0.85},
        {'e', "division code", 0.9}},
       {}},
      {"applicant.type",
       "fields",
       Kind::kApplicantType,
       "applicant",
       {{'p', "sqrlx", 1},
        {'p', "ztlx", 0.8},
        {'c', "申请人类型", 1},
        {'c', "主体类型", 0.9},
        {'c', "申请人性质", 0.9},
        {'e', "applicant type", 1},
        {'e', "user type", 0.7},
        {'e', "person type", 0.8},
        {'e', "subject type", 0.8}},
       {}},
      {"applicant.name",
       "fields",
       Kind::kPersonName,
       "applicant",
       {{'p', "sqrxm", 1},
        {'p', "sqrmc", 1},
        {'p', "sqr", 0.85},
        {'p', "xm", 0.6},
        {'c', "申请人姓名", 1},
        {'c', "申请人名称", 1},
        {'c', "申请人", 0.85},
        {'c', "姓名", 0.6},
        {'e', "applicant name", 1},
        {'e', "applicant", 0.8},
        {'e', "proposer name", 0.9},
        {'e', "apply name", 0.85},
        {'e', "name", 0.6}},
       {"item", "service", "事项", "cert", "证照", "dept", "部门", "material", "材料"}},
      {"applicant.id_type",
       "fields",
       Kind::kIdType,
       "applicant",
       {{'p', "zjlx", 1},
        {'p', "zjzl", 0.95},
        {'p', "sqrzjlx", 1},
        {'c', "证件类型", 1},
        {'c', "证件种类", 0.95},
        {'e', "id type", 1},
        {'e', "id card type", 1},
        {'e', "cert type", 0.85},
        {'e', "card type", 0.85},
        {'e', "credential type", 0.9}},
       {}},
      {"applicant.id_no",
       "fields",
       Kind::kIdNo,
       "applicant",
       {{'p', "zjhm", 1},
        {'p', "sfzh", 1},
        {'p', "sfzhm", 1},
        {'p', "sqrzjhm", 1},
        {'p', "zjh", 0.9},
        {'c', "证件号码", 1},
        {'c', "证件号", 1},
        {'c', "身份证号", 1},
        {'e', "id no", 1},
        {'e', "id card no", 1},
        {'e', "id card", 0.8},
        {'e', "card no", 0.8},
        {'e', "credential no", 0.9},
        {'e', "cert no", 0.5}},
       {}},
      {"applicant.mobile",
       "fields",
       Kind::kMobile,
       "applicant",
       {{'p', "lxdh", 1},
        {'p', "sjhm", 1},
        {'p', "sjh", 0.9},
        {'p', "lxfs", 0.8},
        {'c', "联系电话", 1},
        {'c', "手机", 1},
        {'c', "电话", 0.85},
        {'c', "联系方式", 0.8},
        {'e', "mobile", 1},
        {'e', "phone", 0.9},
        {'e', "tel", 0.85},
        {'e', "telephone", 0.9},
        {'e', "contact", 0.6}},
       {}},
      {"channel",
       "submit",
       Kind::kChannel,
       "",
       {{'p', "sbqd", 1},
        {'p', "sqqd", 1},
        {'p', "qd", 0.8},
        {'p', "sbfs", 0.85},
        {'c', "申办渠道", 1},
        {'c', "申报渠道", 1},
        {'c', "渠道", 0.95},
        {'c', "申报方式", 0.85},
        {'c', "来源", 0.6},
        {'e', "channel", 1},
        {'e', "apply channel", 1},
        {'e', "apply way", 0.9},
        {'e', "apply mode", 0.85},
        {'e', "source", 0.5}},
       {}},
      {"promise.limit",
       "fields",
       Kind::kPromise,
       "",
       {{'p', "cnts", 1},
        {'p', "cnsx", 1},
        {'p', "cnqx", 0.95},
        {'c', "承诺天数", 1},
        {'c', "承诺时限", 1},
        {'c', "承诺期限", 1},
        {'c', "办理时限", 0.85},
        {'e', "promise days", 1},
        {'e', "promise limit", 1},
        {'e', "time limit", 0.85},
        {'e', "limit days", 0.85}},
       {}},
      {"handler.name",
       "fields",
       Kind::kHandlerName,
       "handler",
       {{'p', "jbrxm", 1},
        {'p', "jbr", 0.9},
        {'p', "blr", 0.85},
        {'p', "blrxm", 1},
        {'p', "xm", 0.45},
        {'c', "经办人", 1},
        {'c', "办理人", 0.95},
        {'c', "姓名", 0.45},
        {'e', "handler name", 1},
        {'e', "operator name", 1},
        {'e', "operator", 0.85},
        {'e', "handler", 0.85},
        {'e', "name", 0.45}},
       {"no", "gh", "工号", "id", "code"}},
      {"handler.staff_no",
       "fields",
       Kind::kStaffNo,
       "handler",
       {{'p', "jbrgh", 1},
        {'p', "gh", 0.85},
        {'c', "工号", 1},
        {'e', "staff no", 1},
        {'e', "job no", 1},
        {'e', "employee no", 1},
        {'e', "work no", 0.9},
        {'e', "operator id", 0.7},
        {'e', "user id", 0.5}},
       {}},
      {"source.record_id",
       "fields",
       Kind::kRecordId,
       "",
       {{'e', "id", 0.7},
        {'e', "record id", 1},
        {'e', "msg id", 0.95},
        {'e', "message id", 1},
        {'c', "记录编号", 1},
        {'p', "jlbh", 0.9}},
       {}},
      {"detail.materials",
       "submit",
       Kind::kMaterials,
       "",
       {{'p', "clqd", 1},
        {'p', "clmc", 0.9},
        {'c', "材料清单", 1},
        {'c', "申报材料", 1},
        {'c', "材料名称", 0.9},
        {'c', "材料", 0.85},
        {'e', "materials", 1},
        {'e', "material list", 1},
        {'e', "material", 0.9},
        {'e', "attachments", 0.6}},
       {"supplement", "补正", "补交"}},
      {"detail.fee.amount",
       "complete",
       Kind::kFee,
       "",
       {{'p', "sfje", 1},
        {'p', "je", 0.8},
        {'c', "收费金额", 1},
        {'c', "金额", 0.9},
        {'c', "费用", 0.85},
        {'e', "fee", 0.9},
        {'e', "amount", 0.9},
        {'e', "fee amount", 1},
        {'e', "charge", 0.7}},
       {}},
  };
  return specs;
}

const std::map<std::string, std::vector<Word>>& ownerWords() {
  static const std::map<std::string, std::vector<Word>> owners = {
      {"applicant",
       {{'e', "applicant", 1},
        {'e', "applicants", 1},
        {'e', "proposer", 1},
        {'e', "apply", 0.7},
        {'p', "sqr", 1},
        {'p', "sqrxx", 1},
        {'c', "申请人", 1},
        {'c', "申请", 0.7}}},
      {"handler",
       {{'e', "operator", 1},
        {'e', "handler", 1},
        {'e', "staff", 1},
        {'e', "clerk", 1},
        {'p', "jbr", 1},
        {'p', "blr", 1},
        {'p', "czy", 1},
        {'c', "经办人", 1},
        {'c', "办理人", 1},
        {'c', "操作员", 1}}},
      {"department",
       {{'e', "dept", 1},
        {'e', "department", 1},
        {'e', "org", 0.8},
        {'c', "部门", 1},
        {'c', "机构", 0.8}}},
  };
  return owners;
}

double matchWord(const Word& w, std::string_view name, const std::vector<std::string>& ts,
                 const std::string& norm) {
  const std::string text = w.text;
  if (w.kind == 'c') {
    if (norm == text)
      return 1.0;
    if (norm.find(text) != std::string::npos)
      return codePoints(text) >= 2 ? 0.85 : 0.5;
    if (hasNonAscii(norm) && codePoints(norm) >= 2 && text.find(norm) != std::string::npos)
      return 0.7;
    return 0;
  }
  if (w.kind == 'p') {
    if (norm == text)
      return 1.0;
    if (ts.size() == 1 && text.size() >= 3 && !hasNonAscii(norm) && norm.size() > text.size()) {
      // One run of letters: pinyin initials inside a longer code, only for upper-case names.
      const bool upper = std::none_of(name.begin(), name.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c));
      });
      if (!upper)
        return 0;
      if (norm.compare(norm.size() - text.size(), text.size(), text) == 0)
        return 0.85;
      if (norm.compare(0, text.size(), text) == 0)
        return 0.75;
      return 0;
    }
    for (const auto& t : ts)
      if (t == text)
        return ts.size() == 1 ? 1.0 : 0.85;
    return 0;
  }
  // English words: every word of the dictionary entry among the name's words.
  const std::vector<std::string> want = tokens(text);
  if (norm == joined(want))
    return 1.0;
  std::size_t found = 0;
  for (const auto& t : want)
    found += std::find(ts.begin(), ts.end(), t) != ts.end() ? 1 : 0;
  if (found < want.size())
    return 0;
  const std::size_t extra = ts.size() - want.size();
  return std::max(0.55, 0.9 - 0.1 * static_cast<double>(extra));
}

double scoreWords(const std::vector<Word>& words, std::string_view name) {
  const std::vector<std::string> ts = tokens(name);
  const std::string norm = joined(ts);
  double best = 0;
  for (const Word& w : words)
    best = std::max(best, w.weight * matchWord(w, name, ts, norm));
  return best;
}

bool against(const TargetSpec& spec, std::string_view name) {
  const std::vector<std::string> ts = tokens(name);
  const std::string norm = joined(ts);
  for (const char* a : spec.against) {
    const std::string w = a;
    if (hasNonAscii(w) ? norm.find(w) != std::string::npos
                       : std::find(ts.begin(), ts.end(), w) != ts.end())
      return true;
  }
  return false;
}

const TargetSpec* specFor(std::string_view target) {
  for (const auto& s : targetSpecs())
    if (target == s.target)
      return &s;
  return nullptr;
}

// ------------------------------------------------------------------ code tables

// Words that name a code, from codes.json's labels and the usual ways systems write them.
const std::map<std::string, std::vector<std::pair<std::string, std::vector<std::string>>>>&
codeWords() {
  static const std::map<std::string, std::vector<std::pair<std::string, std::vector<std::string>>>>
      words = {
          {"stages",
           {{"submit",
             {"申办", "申请", "申报", "提交", "submit", "submitted", "apply", "applied", "sb",
              "sq"}},
            {"preaccept", {"网上预受理", "预受理", "preaccept", "pre_accept", "ysl"}},
            {"accept", {"受理", "accept", "accepted", "sl"}},
            {"approve",
             {"审批", "审核", "批准", "决定", "approve", "approved", "review", "audit", "sp",
              "sh"}},
            {"supplement_notice",
             {"补交告知", "补正告知", "补正", "need_supplement", "supplement_notice", "bzgz"}},
            {"supplement_accept",
             {"补交受理", "补正受理", "supplemented", "supplement_accept", "bzsl"}},
            {"special_request", {"特别程序申请", "special_request"}},
            {"special_result", {"特别程序结果", "special_result"}},
            {"complete",
             {"办结", "完成", "complete", "completed", "finish", "finished", "done", "closed",
              "bj"}},
            {"pickup", {"领证登记", "领证", "取证", "pickup", "lz"}}}},
          {"id_types",
           {{"111", {"居民身份证", "身份证", "id_card", "idcard"}},
            {"112", {"临时居民身份证", "临时身份证"}},
            {"113", {"户口簿", "户口本"}},
            {"114", {"军官证"}},
            {"414", {"普通护照", "护照", "passport"}},
            {"511", {"台湾居民来往大陆通行证", "台胞证"}},
            {"516", {"港澳居民来往内地通行证", "回乡证"}},
            {"553", {"外国人永久居留身份证", "永久居留"}},
            {"001", {"统一社会信用代码", "营业执照", "信用代码", "uscc"}},
            {"990", {"其他证件", "其他"}}}},
          {"channels",
           {{"window", {"窗口", "大厅", "现场", "柜台", "window", "counter"}},
            {"pc", {"pc端", "网上", "网站", "政务服务网", "网厅", "pc", "web", "online"}},
            {"mobile_app", {"手机客户端", "app", "客户端", "mobile_app"}},
            {"wap", {"wap", "h5"}},
            {"wechat", {"微信公众号/小程序", "微信", "公众号", "小程序", "wechat", "weixin"}},
            {"alipay", {"支付宝服务窗", "支付宝", "alipay"}},
            {"other", {"其他", "other"}}}},
          {"applicant_types",
           {{"person", {"自然人", "个人", "居民", "person", "individual"}},
            {"legal_person",
             {"法人", "企业", "单位", "公司", "legal_person", "company", "enterprise"}},
            {"other", {"其他组织", "other"}}}},
      };
  return words;
}

// The code `value` stands for in table `table`, with how sure the guess is.
std::optional<std::pair<std::string, double>> guessCode(const std::string& table,
                                                        const std::string& value) {
  if (validation::isCode(table, value))
    return std::make_pair(value, 0.9);
  const auto it = codeWords().find(table);
  if (it == codeWords().end() || value.empty())
    return std::nullopt;
  const std::string v = lowerAscii(value);
  for (const auto& [code, words] : it->second)
    for (const auto& w : words)
      if (v == w)
        return std::make_pair(code, hasNonAscii(w) ? 0.55 : 0.45);
  for (const auto& [code, words] : it->second)
    for (const auto& w : words)
      if (hasNonAscii(w) && codePoints(w) >= 2 && v.find(w) != std::string::npos)
        return std::make_pair(code, 0.4);
  // English status words with a suffix or prefix: "CASE_ACCEPTED", "SUBMIT_OK".
  const std::vector<std::string> ts = tokens(value);
  for (const auto& [code, words] : it->second)
    for (const auto& w : words)
      if (!hasNonAscii(w) && w.size() >= 4 && std::find(ts.begin(), ts.end(), w) != ts.end())
        return std::make_pair(code, 0.35);
  return std::nullopt;
}

// ------------------------------------------------------------------ the sample as leaves

struct Segment {
  std::string name;
  long index = -1;  // -1: a member; kEvery: every element
};
constexpr long kEvery = -2;

bool shorthandName(const std::string& n) {
  if (n.empty())
    return false;
  const auto first = static_cast<unsigned char>(n[0]);
  if (!(std::isalpha(first) || n[0] == '_' || first >= 0x80))
    return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return isAsciiAlnum(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
  });
}

std::string selector(const std::vector<Segment>& segs, std::size_t from = 0,
                     std::size_t to = std::string::npos) {
  std::string s = "$";
  to = std::min(to, segs.size());
  for (std::size_t i = from; i < to; ++i) {
    const Segment& g = segs[i];
    if (g.index == kEvery) {
      s += "[*]";
    } else if (g.index >= 0) {
      s += "[" + std::to_string(g.index) + "]";
    } else if (shorthandName(g.name)) {
      s += "." + g.name;
    } else {
      std::string q;
      for (char c : g.name) {
        if (c == '\'' || c == '\\')
          q.push_back('\\');
        q.push_back(c);
      }
      s += "['" + q + "']";
    }
  }
  return s;
}

struct Leaf {
  std::vector<Segment> segs;       // from the record
  std::string name;                // the name that describes it (attribute, element, column)
  std::string text;                // the value as text; list members joined with "|"
  std::vector<std::string> items;  // members of a list of scalars
  bool isNumber = false;
  bool isList = false;
  ValueShape shape;
};

std::string scalarText(const rapidjson::Value& v, bool& isNumber) {
  isNumber = v.IsNumber();
  if (v.IsString())
    return std::string(v.GetString(), v.GetStringLength());
  if (v.IsBool())
    return v.GetBool() ? "true" : "false";
  if (v.IsNull())
    return "";
  return json::write(v);
}

void walk(const rapidjson::Value& v, std::vector<Segment>& segs, std::vector<Leaf>& out,
          unsigned depth) {
  if (depth > 48)
    return;
  const auto leafName = [&segs]() -> std::string {
    for (auto it = segs.rbegin(); it != segs.rend(); ++it) {
      if (it->index >= 0)
        continue;
      if (it->name == "#text")
        continue;
      return it->name[0] == '@' ? it->name.substr(1) : it->name;
    }
    return "";
  };
  if (v.IsObject()) {
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      segs.push_back({std::string(m->name.GetString(), m->name.GetStringLength()), -1});
      walk(m->value, segs, out, depth + 1);
      segs.pop_back();
    }
    return;
  }
  if (v.IsArray()) {
    const bool scalars = std::all_of(v.Begin(), v.End(), [](const rapidjson::Value& e) {
      return !e.IsObject() && !e.IsArray();
    });
    if (scalars) {
      Leaf leaf;
      leaf.segs = segs;
      leaf.name = leafName();
      leaf.isList = true;
      for (const auto& e : v.GetArray()) {
        bool n = false;
        std::string t = scalarText(e, n);
        if (!t.empty())
          leaf.items.push_back(t);
      }
      for (const auto& t : leaf.items)
        leaf.text += (leaf.text.empty() ? "" : "|") + t;
      leaf.shape.kind = leaf.items.empty() ? ValueShape::kEmpty : ValueShape::kText;
      out.push_back(std::move(leaf));
      return;
    }
    if (!v.Empty()) {  // the first element stands for the others (applicants[0] = the applicant)
      segs.push_back({"", 0});
      walk(v[0], segs, out, depth + 1);
      segs.pop_back();
    }
    return;
  }
  Leaf leaf;
  leaf.segs = segs;
  leaf.name = leafName();
  leaf.text = scalarText(v, leaf.isNumber);
  leaf.shape = classifyValue(leaf.text, leaf.isNumber);
  out.push_back(std::move(leaf));
}

// ------------------------------------------------------------------ scoring

struct Candidate {
  const TargetSpec* spec;
  std::size_t leaf;
  double score;
  std::string reason;
};

std::string shapeName(const ValueShape& s) {
  switch (s.kind) {
    case ValueShape::kEmpty:
      return "empty in the sample";
    case ValueShape::kResidentId:
      return "a resident ID number with a right check character";
    case ValueShape::kResidentIdBadCheck:
      return "a resident ID number whose check character is wrong";
    case ValueShape::kUscc:
      return "a USCC with a right check character";
    case ValueShape::kMobile:
      return "a mainland mobile number";
    case ValueShape::kDateTime:
      return "a date-time (" + s.pattern + ")";
    case ValueShape::kDate:
      return "a date (" + s.pattern + ")";
    case ValueShape::kEpoch:
      return "a time since 1970 (" + s.pattern + ")";
    case ValueShape::kInteger:
      return "an integer";
    case ValueShape::kDecimal:
      return "a decimal number";
    case ValueShape::kCode:
      return "a short code";
    case ValueShape::kText:
      return "text";
  }
  return "";
}

bool usccPrefixed(const std::string& t) {
  return t.size() > 18 && validation::isValidUscc(t.substr(0, 18));
}

bool caseNoLike(const std::string& t) {
  if (t.empty() || t.size() > 64)
    return false;
  return std::all_of(t.begin(), t.end(), [](char c) { return isAsciiAlnum(c) || c == '-'; });
}

// How the value fits the target: a factor (below 1 when it does not) and a bonus.
std::pair<double, double> shapeFit(Kind kind, const Leaf& leaf) {
  const ValueShape::Kind k = leaf.shape.kind;
  const std::string& t = leaf.text;
  if (k == ValueShape::kEmpty)
    return {0.75, 0};
  if (leaf.isList && kind != Kind::kMaterials)
    return {0.2, 0};
  switch (kind) {
    case Kind::kCaseNo:
      if (k == ValueShape::kResidentId || k == ValueShape::kResidentIdBadCheck ||
          k == ValueShape::kMobile || k == ValueShape::kDateTime || k == ValueShape::kDate ||
          k == ValueShape::kEpoch || k == ValueShape::kUscc)
        return {0.3, 0};
      if (!caseNoLike(t))
        return {0.2, 0};
      return {1, std::count_if(t.begin(), t.end(),
                               [](char ch) { return ch >= '0' && ch <= '9'; }) >= 4 &&
                         t.size() >= 6
                     ? 0.15
                     : 0.05};
    case Kind::kItemCode:
      if (usccPrefixed(t) && caseNoLike(t))
        return {1, 0.3};
      return {caseNoLike(t) && t.find('-') == std::string::npos ? 1.0 : 0.3, 0};
    case Kind::kItemName:
    case Kind::kDeptName:
      return {hasNonAscii(t) && codePoints(t) >= 2 ? 1.0 : 0.4, hasNonAscii(t) ? 0.1 : 0};
    case Kind::kPersonName:
    case Kind::kHandlerName:
      if (hasNonAscii(t) && codePoints(t) <= 40)
        return {1, 0.1};
      return {k == ValueShape::kText ? 0.8 : 0.3, 0};
    case Kind::kStage:
    case Kind::kChannel:
    case Kind::kIdType:
    case Kind::kApplicantType:
      if (k == ValueShape::kCode || k == ValueShape::kInteger)
        return {1, 0.1};
      return {codePoints(t) <= 12 && k == ValueShape::kText ? 0.8 : 0.3, 0};
    case Kind::kSeq:
    case Kind::kVersion:
      if (k == ValueShape::kInteger && t.size() <= 4)
        return {1, 0.1};
      return {0.3, 0};
    case Kind::kPromise:
      return {k == ValueShape::kInteger && t.size() <= 4 ? 1.0 : 0.3, 0};
    case Kind::kDateTime:
      if (k == ValueShape::kDateTime || k == ValueShape::kEpoch)
        return {1, 0.25};
      return {k == ValueShape::kDate ? 0.6 : 0.1, 0};
    case Kind::kIdNo:
      if (k == ValueShape::kResidentId || k == ValueShape::kUscc)
        return {1, 0.35};
      if (k == ValueShape::kResidentIdBadCheck)
        return {1, 0.25};
      return {t.size() >= 6 && t.size() <= 64 ? 0.8 : 0.3, 0};
    case Kind::kMobile:
      if (k == ValueShape::kMobile)
        return {1, 0.3};
      return {std::count_if(t.begin(), t.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) >= 7
                  ? 0.9
                  : 0.3,
              0};
    case Kind::kDeptUscc:
      return {k == ValueShape::kUscc ? 1.0 : 0.2, k == ValueShape::kUscc ? 0.2 : 0};
    case Kind::kRegion:
      return {t.size() == 6 && allDigits(t) ? 1.0 : 0.2, 0};
    case Kind::kStaffNo:
    case Kind::kRecordId:
      return {k == ValueShape::kCode || k == ValueShape::kInteger ? 1.0 : 0.4, 0};
    case Kind::kMaterials:
      if (leaf.isList)
        return {1, 0.15};
      return {k == ValueShape::kText || k == ValueShape::kCode ? 1.0 : 0.3, 0};
    case Kind::kFee:
      return {k == ValueShape::kInteger || k == ValueShape::kDecimal ? 1.0 : 0.2, 0};
  }
  return {1, 0};
}

// A value that names its target by its shape alone (a resident ID under any name).
double shapeOnly(Kind kind, const Leaf& leaf) {
  const ValueShape::Kind k = leaf.shape.kind;
  if (kind == Kind::kIdNo && k == ValueShape::kResidentId)
    return 0.55;
  if (kind == Kind::kIdNo && k == ValueShape::kResidentIdBadCheck)
    return 0.45;
  if (kind == Kind::kMobile && k == ValueShape::kMobile)
    return 0.5;
  if (kind == Kind::kItemCode && usccPrefixed(leaf.text) && caseNoLike(leaf.text))
    return 0.5;
  return 0;
}

Candidate score(const TargetSpec& spec, const Leaf& leaf, std::size_t index) {
  Candidate c{&spec, index, 0, ""};
  double name = scoreWords(spec.words, leaf.name);
  std::string why;
  if (name > 0)
    why = "name '" + leaf.name + "' reads as " + spec.target;
  // The member's owner: applicants[0].name is the applicant's name, operator.name the
  // handler's. A name under another owner is unlikely.
  bool ownOwner = false;
  bool otherOwner = false;
  for (std::size_t i = 0; i + 1 < leaf.segs.size(); ++i) {
    const Segment& g = leaf.segs[i];
    if (g.index >= 0)
      continue;
    for (const auto& [owner, words] : ownerWords()) {
      if (scoreWords(words, g.name) < 0.7)
        continue;
      if (owner == spec.owner)
        ownOwner = true;
      else
        otherOwner = true;
    }
  }
  if (name > 0 && ownOwner) {
    name = std::min(1.0, std::max(name, 0.6) + 0.2);
    why += " under '" + leaf.segs.front().name + "'";
  }
  if (otherOwner && !ownOwner)
    name *= 0.4;
  if (name > 0 && against(spec, leaf.name)) {
    name *= 0.4;
    why += " (but the name suggests another time or thing)";
  }
  const auto [factor, bonus] = shapeFit(spec.kind, leaf);
  double s = name > 0 ? std::min(1.0, name * 0.8 * factor + bonus) : 0;
  const double alone = shapeOnly(spec.kind, leaf);
  if (alone > s) {
    s = alone;
    why = "the value is " + shapeName(leaf.shape);
  } else if (name > 0) {
    why += "; the value is " + shapeName(leaf.shape);
  }
  c.score = std::round(s * 100) / 100;
  c.reason = why;
  return c;
}

// ------------------------------------------------------------------ decoding the sample

std::set<std::string> namespaceUris(const rapidjson::Value& v, unsigned depth = 0) {
  std::set<std::string> out;
  if (depth > 64)
    return out;
  if (v.IsObject()) {
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      const std::string k(m->name.GetString(), m->name.GetStringLength());
      if (!k.empty() && k[0] == '{' && k.find('}') != std::string::npos)
        out.insert(k.substr(1, k.find('}') - 1));
      auto more = namespaceUris(m->value, depth + 1);
      out.insert(more.begin(), more.end());
    }
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      auto more = namespaceUris(e, depth + 1);
      out.insert(more.begin(), more.end());
    }
  }
  return out;
}

std::size_t countIn(const rapidjson::Value& v, const std::string& uri, unsigned depth = 0) {
  std::size_t n = 0;
  if (depth > 64)
    return 0;
  if (v.IsObject()) {
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      const std::string k(m->name.GetString(), m->name.GetStringLength());
      n += k.compare(0, uri.size() + 2, "{" + uri + "}") == 0 ? 1 : 0;
      n += countIn(m->value, uri, depth + 1);
    }
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray())
      n += countIn(e, uri, depth + 1);
  }
  return n;
}

struct Decoded {
  rapidjson::Document tree;
  std::string inputJson;  // the draft's "input" object
  std::string charset;
  std::string note;  // what was detected, for the draft's description
};

bool isUtf8(std::string_view bytes) {
  return formats::toUtf8(bytes, "").ok();
}

std::string jsonString(std::string_view s) {
  rapidjson::Document d;
  return json::write(json::string(s, d.GetAllocator()));
}

Result<Decoded> decode(std::string_view bytes, const ScaffoldOptions& o) {
  Decoded d;
  d.charset = o.charset;
  if (d.charset.empty() && o.format != "xml" && !isUtf8(bytes) &&
      formats::toUtf8(bytes, "GB18030").ok()) {
    d.charset = "GB18030";
    d.note = "The sample is not UTF-8 but reads as GB18030. ";
  }
  const std::string charsetMember =
      d.charset.empty() ? "" : ", \"charset\": " + jsonString(d.charset);
  if (o.format == "json" || o.format == "rows") {
    formats::JsonOptions jo;
    jo.charset = d.charset;
    jo.maxBytes = 64 * 1024 * 1024;
    auto r = formats::decodeJson(bytes, jo);
    if (!r.ok())
      return r.error();
    d.tree = std::move(r).value();
    if (o.format == "rows") {
      if (!d.tree.IsArray() || d.tree.Empty() || !d.tree[0].IsObject())
        return Error{"rows.shape",
                     "database rows are a JSON array of row objects, with at least one row", ""};
      d.inputJson = "{\"format\": \"rows\"" + charsetMember + "}";
    } else {
      d.inputJson = "{\"format\": \"json\"" + charsetMember + "}";
    }
    return d;
  }
  if (o.format == "xml") {
    formats::XmlOptions xo;
    xo.charset = d.charset;
    auto first = formats::decodeXml(bytes, xo);
    if (!first.ok())
      return first.error();
    // Name the namespaces: the one most elements are in reads as the empty prefix, SOAP's
    // envelope as "soap", any other as ns1, ns2 ...
    const std::set<std::string> uris = namespaceUris(first.value());
    std::string main;
    std::size_t most = 0;
    for (const auto& u : uris) {
      if (u.find("soap-envelope") != std::string::npos ||
          u == "http://schemas.xmlsoap.org/soap/envelope/")
        continue;
      const std::size_t n = countIn(first.value(), u);
      if (n > most) {
        most = n;
        main = u;
      }
    }
    std::map<std::string, std::string> ns;
    unsigned next = 1;
    for (const auto& u : uris) {
      if (u == main)
        ns[""] = u;
      else if (u == "http://schemas.xmlsoap.org/soap/envelope/" && !ns.count("soap"))
        ns["soap"] = u;
      else if (u == "http://www.w3.org/2003/05/soap-envelope" && !ns.count("soap12"))
        ns["soap12"] = u;
      else
        ns["ns" + std::to_string(next++)] = u;
    }
    xo.namespaces = ns;
    auto r = formats::decodeXml(bytes, xo);
    if (!r.ok())
      return r.error();
    d.tree = std::move(r).value();
    std::string nsJson;
    for (const auto& [p, u] : ns)
      nsJson += (nsJson.empty() ? "" : ", ") + jsonString(p) + ": " + jsonString(u);
    d.inputJson = "{\"format\": \"xml\"" + charsetMember +
                  (ns.empty() ? "" : ", \"namespaces\": {" + nsJson + "}") + "}";
    return d;
  }
  if (o.format == "csv") {
    auto text = formats::toUtf8(bytes, d.charset);
    if (!text.ok())
      return text.error();
    // The delimiter most frequent in the header line; a last row with fewer fields that
    // starts with a label and carries a number is a trailer (合计,n).
    const std::string& t = text.value();
    const std::string header = t.substr(0, t.find('\n'));
    char delimiter = ',';
    std::size_t best = 0;
    for (char c : {',', '|', '\t', ';'}) {
      const auto n = static_cast<std::size_t>(std::count(header.begin(), header.end(), c));
      if (n > best) {
        best = n;
        delimiter = c;
      }
    }
    formats::CsvOptions co;
    co.charset = d.charset;
    co.delimiter = delimiter;
    std::string trailerJson;
    std::string last;
    {
      std::istringstream lines(t);
      std::string line;
      while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r')
          line.pop_back();
        if (!line.empty())
          last = line;
      }
    }
    std::vector<std::string> lastFields;
    {
      std::string f;
      for (char c : last) {
        if (c == delimiter) {
          lastFields.push_back(f);
          f.clear();
        } else {
          f.push_back(c);
        }
      }
      lastFields.push_back(f);
    }
    const auto headerFields = static_cast<std::size_t>(best) + 1;
    if (lastFields.size() >= 2 && lastFields.size() < headerFields && !lastFields[0].empty() &&
        !allDigits(lastFields[0]) && last.find('"') == std::string::npos) {
      for (std::size_t i = 1; i < lastFields.size(); ++i) {
        if (allDigits(lastFields[i])) {
          co.trailer.required = true;
          co.trailer.label = lastFields[0];
          co.trailer.countColumn = static_cast<unsigned>(i + 1);
          trailerJson = ", \"trailer\": {\"label\": " + jsonString(lastFields[0]) +
                        ", \"count_column\": " + std::to_string(i + 1) + "}";
          break;
        }
      }
    }
    auto r = formats::decodeCsv(bytes, co);
    if (!r.ok() && co.trailer.required) {  // not a trailer after all
      co.trailer = {};
      trailerJson.clear();
      r = formats::decodeCsv(bytes, co);
    }
    if (!r.ok())
      return r.error();
    d.tree = std::move(r.value().rows);
    if (!trailerJson.empty())
      d.note += "The last line '" + last + "' is read as a trailer that counts the rows. ";
    std::string delim;
    if (delimiter != ',')
      delim = ", \"delimiter\": " + jsonString(std::string(1, delimiter));
    d.inputJson =
        "{\"format\": \"csv\"" + charsetMember + ", \"header\": true" + delim + trailerJson + "}";
    return d;
  }
  return Error{"scaffold.format",
               "unknown input format '" + o.format + "' (expected json, xml, csv or rows)", ""};
}

// ------------------------------------------------------------------ writing the draft

std::string fixed2(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string rule(const std::string& from) {
  return jsonString(from);
}

std::string fromRule(const std::string& from, const std::string& rest) {
  return "{\"from\": " + jsonString(from) + (rest.empty() ? "" : ", " + rest) + "}";
}

struct Table {
  std::string name;
  std::vector<std::pair<std::string, std::string>> entries;  // source -> code ("" = unknown)
};

}  // namespace

// ------------------------------------------------------------------ recognisers

std::optional<std::string> datePattern(std::string_view text, bool* hasTime) {
  const std::string t(text);
  if (hasTime)
    *hasTime = false;
  if (validation::isRfc3339DateTime(t)) {
    if (hasTime)
      *hasTime = true;
    return "rfc3339";
  }
  const auto plausible = [](int y, int m, int d) {
    return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 &&
           d <= static_cast<int>(daysInMonth(y, static_cast<unsigned>(m)));
  };
  static const std::regex sep(
      R"(^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:([ T])(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?$)");
  static const std::regex cjk(
      R"(^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?$)");
  static const std::regex compact(R"(^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})(\d{3})?)?$)");
  std::smatch m;
  if (std::regex_match(t, m, sep)) {
    if (!plausible(std::stoi(m[1]), std::stoi(m[3]), std::stoi(m[4])))
      return std::nullopt;
    const std::string s = m[2];
    // Unpadded when the sample shows it, and for slashes (yyyy/M/d is how such systems write).
    const bool unpadded = m[3].length() == 1 || m[4].length() == 1 ||
                          (m[6].matched && m[6].length() == 1) || s == "/";
    std::string p = std::string("yyyy") + s + (unpadded ? "M" : "MM") + s + (unpadded ? "d" : "dd");
    if (m[5].matched) {
      p += m[5] == "T" ? "'T'" : " ";
      p += unpadded ? "H:mm" : "HH:mm";
      if (m[8].matched)
        p += ":ss";
      if (m[9].matched)
        p += "." + std::string(static_cast<std::size_t>(m[9].length()), 'S');
      if (hasTime)
        *hasTime = true;
    }
    return p;
  }
  if (std::regex_match(t, m, cjk)) {
    if (!plausible(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])))
      return std::nullopt;
    std::string p = "yyyy年M月d日";
    if (m[4].matched) {
      p += m[4].length() == 1 ? "H:mm" : "HH:mm";
      if (m[6].matched)
        p += ":ss";
      if (hasTime)
        *hasTime = true;
    }
    return p;
  }
  if (std::regex_match(t, m, compact)) {
    if (!plausible(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])))
      return std::nullopt;
    if (!m[4].matched)
      return std::string("yyyyMMdd");
    if (std::stoi(m[4]) > 23 || std::stoi(m[5]) > 59 || std::stoi(m[6]) > 59)
      return std::nullopt;
    if (hasTime)
      *hasTime = true;
    return std::string(m[7].matched ? "yyyyMMddHHmmssSSS" : "yyyyMMddHHmmss");
  }
  return std::nullopt;
}

ValueShape classifyValue(std::string_view text, bool isNumber) {
  ValueShape s;
  const std::string t(text);
  if (t.empty())
    return s;
  if (t.size() == 18 && validation::isValidResidentId(t)) {
    s.kind = ValueShape::kResidentId;
    return s;
  }
  if (t.size() == 18 && allDigits(t.substr(0, 17)) &&
      (std::isdigit(static_cast<unsigned char>(t[17])) || t[17] == 'X' || t[17] == 'x')) {
    // A real birth date but a wrong check character: still the shape of a 身份证号.
    const std::string fixedCheck = t.substr(0, 17);
    for (const char c : std::string("0123456789X")) {
      if (validation::isValidResidentId(fixedCheck + c)) {
        s.kind = ValueShape::kResidentIdBadCheck;
        return s;
      }
    }
  }
  if (t.size() == 18 && validation::isValidUscc(t)) {
    s.kind = ValueShape::kUscc;
    return s;
  }
  if (validation::isMainlandMobile(t)) {
    s.kind = ValueShape::kMobile;
    return s;
  }
  bool hasTime = false;
  if (auto p = datePattern(t, &hasTime)) {
    s.kind = hasTime ? ValueShape::kDateTime : ValueShape::kDate;
    s.pattern = *p;
    return s;
  }
  if (allDigits(t) && (t.size() == 13 || t.size() == 10)) {
    const double v = std::stod(t);
    const bool ms = t.size() == 13 && v >= 9.4e11 && v <= 4.1e12;
    const bool sec = t.size() == 10 && v >= 9.4e8 && v <= 4.1e9;
    if (ms || (sec && isNumber)) {
      s.kind = ValueShape::kEpoch;
      s.pattern = ms ? "epoch_ms" : "epoch_s";
      return s;
    }
  }
  const bool sign = t[0] == '-' || t[0] == '+';
  const std::string body = sign ? t.substr(1) : t;
  if (allDigits(body)) {
    s.kind = ValueShape::kInteger;
    return s;
  }
  const auto dot = body.find('.');
  if (dot != std::string::npos && dot > 0 && allDigits(body.substr(0, dot)) &&
      allDigits(body.substr(dot + 1))) {
    s.kind = ValueShape::kDecimal;
    return s;
  }
  const bool blank = std::any_of(
      t.begin(), t.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
  const bool asciiCode = std::all_of(t.begin(), t.end(), [](char c) {
    return isAsciiAlnum(c) || c == '_' || c == '-' || static_cast<unsigned char>(c) >= 0x80;
  });
  if (!blank && asciiCode && t.size() <= 32 && codePoints(t) <= (hasNonAscii(t) ? 6u : 32u))
    s.kind = ValueShape::kCode;
  else
    s.kind = ValueShape::kText;
  return s;
}

std::vector<std::string> scaffoldTargets() {
  std::vector<std::string> out;
  for (const auto& s : targetSpecs())
    out.emplace_back(s.target);
  return out;
}

double nameScore(std::string_view target, std::string_view sourceName) {
  const TargetSpec* spec = specFor(target);
  if (!spec)
    return 0;
  double s = scoreWords(spec->words, sourceName);
  if (s > 0 && against(*spec, sourceName))
    s *= 0.4;
  return s;
}

// ------------------------------------------------------------------ scaffold

Result<Draft> scaffold(std::string_view sample, const ScaffoldOptions& options) {
  auto decoded = decode(sample, options);
  if (!decoded.ok())
    return decoded.error();
  Decoded& dec = decoded.value();
  const rapidjson::Value& root = dec.tree;

  // Fan-out: the first array on the way to the best case number holds the records.
  std::vector<Leaf> all;
  {
    std::vector<Segment> segs;
    walk(root, segs, all, 0);
  }
  std::vector<Segment> recordSegs;  // the record's place in the message (index 0 of the array)
  if (root.IsArray()) {
    if (root.Empty())
      return Error{"scaffold.empty", "the sample holds no record (an empty list or a header alone)",
                   ""};
    recordSegs.push_back({"", 0});
  } else {
    const TargetSpec& caseNo = *specFor("case_no");
    double best = 0.5;
    for (std::size_t i = 0; i < all.size(); ++i) {
      const Candidate c = score(caseNo, all[i], i);
      if (c.score > best) {
        best = c.score;
        recordSegs.clear();
        for (std::size_t k = 0; k < all[i].segs.size(); ++k) {
          if (all[i].segs[k].index >= 0) {
            recordSegs.assign(all[i].segs.begin(), all[i].segs.begin() + static_cast<long>(k) + 1);
            break;
          }
        }
      }
    }
  }
  std::string records;
  const rapidjson::Value* record = &root;
  if (!recordSegs.empty()) {
    records = selector(recordSegs, 0, recordSegs.size() - 1) + "[*]";
    for (const auto& g : recordSegs)
      record = g.index >= 0 ? &(*record)[static_cast<rapidjson::SizeType>(g.index)]
                            : &(*record)[g.name.c_str()];
  }
  std::vector<Leaf> leaves;
  {
    std::vector<Segment> segs;
    walk(*record, segs, leaves, 0);
  }

  // Score every pair; required targets first, then by score; each leaf serves one target.
  std::vector<Candidate> cands;
  for (const auto& spec : targetSpecs())
    for (std::size_t i = 0; i < leaves.size(); ++i) {
      Candidate c = score(spec, leaves[i], i);
      if (c.score > 0)
        cands.push_back(std::move(c));
    }
  const auto isRequired = [](const TargetSpec& s) {
    if (std::string(s.section) == "submit")
      return std::string(s.target) == "channel";
    const auto* f = validation::findField(s.target);
    return f && f->required;
  };
  std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
    if (a.score != b.score)
      return a.score > b.score;
    return a.leaf < b.leaf;
  });
  std::map<std::string, Candidate> chosen;
  std::set<std::size_t> usedLeaves;
  for (const Candidate& c : cands) {
    const double floor = isRequired(*c.spec) ? 0.45 : 0.55;
    if (c.score < floor || chosen.count(c.spec->target) || usedLeaves.count(c.leaf))
      continue;
    chosen.emplace(c.spec->target, c);
    usedLeaves.insert(c.leaf);
  }

  std::vector<FieldProposal> props;
  std::vector<Table> tables;
  const auto leafOf = [&](const std::string& target) -> const Leaf* {
    auto it = chosen.find(target);
    return it == chosen.end() ? nullptr : &leaves[it->second.leaf];
  };
  const auto base = [&](const TargetSpec& spec) {
    FieldProposal p;
    p.target = spec.target;
    p.section = spec.section;
    p.required = isRequired(spec);
    auto it = chosen.find(spec.target);
    if (it != chosen.end()) {
      const Leaf& l = leaves[it->second.leaf];
      p.sourcePath = selector(l.segs);
      p.sample = l.text;
      p.confidence = it->second.score;
      p.reason = it->second.reason;
      p.mapped = true;
    }
    return p;
  };
  const auto unmapped = [](FieldProposal& p, const std::string& what) {
    p.mapped = false;
    p.rule = "{\"const\": \"\"}";
    p.confidence = 0;
    p.reason = what;
    p.sourcePath.clear();
  };
  const auto codeRule = [&](FieldProposal& p, const std::string& table, const std::string& tname,
                            const std::string& label) {
    auto guess = guessCode(table, p.sample);
    if (guess && guess->first == p.sample) {
      p.rule = rule(p.sourcePath);
      p.confidence = std::min(p.confidence, 0.9);
      p.reason += "; '" + p.sample + "' already is a " + label + " code";
      return;
    }
    Table t{tname, {{p.sample, guess ? guess->first : ""}}};
    tables.push_back(t);
    p.rule = fromRule(p.sourcePath, "\"code\": " + jsonString(tname));
    p.confidence = std::min(p.confidence, guess ? guess->second : 0.2);
    p.reason += guess ? "; code table guessed from the one sample value '" + p.sample +
                            "' (looks like " + guess->first + ")"
                      : "; code table: the sample value '" + p.sample +
                            "' is not a known word, its code is left empty";
  };

  const Leaf* idNoLeaf = leafOf("applicant.id_no");
  ValueShape::Kind idShape = idNoLeaf ? idNoLeaf->shape.kind : ValueShape::kEmpty;
  if (idShape == ValueShape::kResidentIdBadCheck)
    idShape = ValueShape::kResidentId;  // the kind of ID is clear; the check is the validator's
  const Leaf* itemLeaf = leafOf("item.code");
  const std::string deptUscc =
      itemLeaf && usccPrefixed(itemLeaf->text) ? itemLeaf->text.substr(0, 18) : "";

  for (const auto& spec : targetSpecs()) {
    FieldProposal p = base(spec);
    const Leaf* leaf = leafOf(spec.target);
    switch (spec.kind) {
      case Kind::kStage:
        if (!leaf) {
          unmapped(p,
                   "no field names the stage (环节): map it with a code table of the document's "
                   "环节/状态 codes");
          break;
        }
        codeRule(p, "stages", "stage", "stage");
        p.reason += "; add every 环节 code of the interface document";
        break;
      case Kind::kSeq:
        if (!leaf) {
          p.rule = "{\"const\": 1}";
          p.confidence = 0.6;
          p.reason =
              "1 for a stage that happens once; when a stage repeats (a second approval "
              "step), give seq in the stage's code table entries";
          p.mapped = true;
        } else {
          p.rule = rule(p.sourcePath);
        }
        break;
      case Kind::kVersion:
        if (!leaf) {
          p.rule = "{\"const\": 1}";
          p.confidence = 0.3;
          p.reason =
              "no data version (数据版本号) found: 1, unless the system re-reports "
              "corrections with a version";
          p.mapped = true;
        } else {
          p.rule = rule(p.sourcePath);
        }
        break;
      case Kind::kDateTime:
        if (!leaf) {
          unmapped(p, "no date-time field found: map the time the stage happened with datetime");
          break;
        }
        if (leaf->shape.kind == ValueShape::kDateTime || leaf->shape.kind == ValueShape::kDate) {
          const std::string& pat = leaf->shape.pattern;
          p.rule = fromRule(p.sourcePath, pat == "rfc3339"
                                              ? "\"datetime\": \"rfc3339\""
                                              : "\"datetime\": {\"pattern\": " + jsonString(pat) +
                                                    ", \"zone\": \"Asia/Shanghai\"}");
          p.reason += pat == "rfc3339" ? "" : "; no zone in the value: Beijing time assumed";
        } else if (leaf->shape.kind == ValueShape::kEpoch) {
          p.rule = fromRule(p.sourcePath, "\"datetime\": " + jsonString(leaf->shape.pattern));
        } else {
          p.rule = fromRule(p.sourcePath, "\"datetime\": \"yyyy-MM-dd HH:mm:ss\"");
          p.confidence = std::min(p.confidence, 0.3);
          p.reason += "; the sample value does not show the pattern: check it";
        }
        break;
      case Kind::kDeptUscc:
        if (leaf && leaf->shape.kind == ValueShape::kUscc) {
          p.rule = rule(p.sourcePath);
        } else if (!deptUscc.empty()) {
          p.rule = "{\"const\": " + jsonString(deptUscc) + "}";
          p.mapped = true;
          p.sourcePath.clear();
          p.sample = deptUscc;
          p.confidence = 0.6;
          p.reason =
              "the item code begins with a valid USCC, the implementing department's "
              "(事项实施编码 = 实施主体代码 + …)";
        } else {
          unmapped(p, "the department's 统一社会信用代码: write it as {\"const\": \"…\"}");
        }
        break;
      case Kind::kRegion:
        if (leaf) {
          p.rule = rule(p.sourcePath);
        } else if (!deptUscc.empty() && allDigits(deptUscc.substr(2, 6))) {
          p.rule = "{\"const\": " + jsonString(deptUscc.substr(2, 6)) + "}";
          p.mapped = true;
          p.sample = deptUscc.substr(2, 6);
          p.confidence = 0.5;
          p.reason =
              "characters 3-8 of the department's USCC are the registering region's "
              "行政区划代码 (GB 32100)";
        } else {
          unmapped(p, "the 6-digit 行政区划代码 of the department: write it as {\"const\": \"…\"}");
        }
        break;
      case Kind::kDeptName:
        if (leaf)
          p.rule = rule(p.sourcePath);
        else
          unmapped(p,
                   "the department's name (实施部门名称) is not in the message: write it as "
                   "{\"const\": \"…\"}");
        break;
      case Kind::kIdType:
        if (leaf) {
          auto guess = guessCode("id_types", p.sample);
          if (!guess && idShape == ValueShape::kResidentId)
            guess = std::make_pair(std::string("111"), 0.35);
          if (!guess && idShape == ValueShape::kUscc)
            guess = std::make_pair(std::string("001"), 0.35);
          if (guess && guess->first == p.sample) {
            p.rule = rule(p.sourcePath);
            p.reason += "; '" + p.sample + "' already is an id_types code";
          } else {
            tables.push_back({"id_type", {{p.sample, guess ? guess->first : ""}}});
            p.rule = fromRule(p.sourcePath, "\"code\": \"id_type\"");
            p.confidence = std::min(p.confidence, guess ? guess->second : 0.2);
            p.reason += guess ? "; code table guessed from '" + p.sample + "' → " + guess->first +
                                    " (the sample's ID number agrees); add every 证件类型 code"
                              : "; code table: '" + p.sample + "' is not a known 证件类型";
          }
        } else if (idShape == ValueShape::kResidentId || idShape == ValueShape::kUscc) {
          const std::string code = idShape == ValueShape::kResidentId ? "111" : "001";
          p.rule = "{\"const\": \"" + code + "\"}";
          p.mapped = true;
          p.sample = code;
          p.confidence = 0.5;
          p.reason =
              "no 证件类型 field; the sample's ID number is a " +
              std::string(idShape == ValueShape::kResidentId ? "resident ID (111)" : "USCC (001)") +
              ": map a type field if other kinds of ID arrive";
        } else {
          unmapped(
              p,
              "no 证件类型 field: map it (id_types codes: 111 居民身份证, 001 统一社会信用代码 …)");
        }
        break;
      case Kind::kApplicantType:
        if (leaf) {
          codeRule(p, "applicant_types", "applicant_type", "applicant_types");
        } else if (idShape == ValueShape::kResidentId || idShape == ValueShape::kUscc) {
          const std::string code = idShape == ValueShape::kResidentId ? "person" : "legal_person";
          p.rule = "{\"const\": \"" + code + "\"}";
          p.mapped = true;
          p.sample = code;
          p.confidence = 0.5;
          p.reason =
              "the sample's applicant has a " +
              std::string(idShape == ValueShape::kResidentId ? "resident ID number" : "USCC") +
              "; if both persons and legal persons apply, map it from the ID type (001 → "
              "legal_person)";
        } else {
          unmapped(p, "person, legal_person or other: a constant, or a code table on the ID type");
        }
        break;
      case Kind::kChannel:
        if (leaf)
          codeRule(p, "channels", "channel", "channels");
        break;
      case Kind::kMobile:
        if (leaf) {
          p.rule = fromRule(p.sourcePath, "\"trim\": true, \"keep_if\": \"1[3-9][0-9]{9}\"");
          p.reason += "; a number that is not a mainland mobile is left out";
        }
        break;
      case Kind::kMaterials:
        if (leaf) {
          // A member of a list of objects (clqd[0].clmc): every element's (clqd[*].clmc).
          std::vector<Segment> every = leaf->segs;
          bool wildcard = false;
          for (auto& g : every)
            if (g.index >= 0) {
              g.index = kEvery;
              wildcard = true;
            }
          if (wildcard) {
            p.sourcePath = selector(every);
            p.rule = rule(p.sourcePath);
            p.reason += "; one name per element of the list";
          } else if (leaf->isList) {
            p.rule = rule(p.sourcePath);
          } else {
            std::string sepFound;
            for (const char* s : {"；", "、", "|", ";", "，", ","})
              if (leaf->text.find(s) != std::string::npos) {
                sepFound = s;
                break;
              }
            p.rule = sepFound.empty()
                         ? rule(p.sourcePath)
                         : fromRule(p.sourcePath, "\"split\": " + jsonString(sepFound));
            if (!sepFound.empty())
              p.reason += "; split on '" + sepFound + "'";
          }
        }
        break;
      case Kind::kFee:
        if (leaf) {
          const std::string n = lowerAscii(leaf->name);
          const bool yuan = leaf->shape.kind == ValueShape::kDecimal ||
                            n.find("yuan") != std::string::npos ||
                            leaf->name.find("元") != std::string::npos;
          p.rule = fromRule(p.sourcePath, yuan ? "\"places\": 2" : "\"scale\": -2, \"places\": 2");
          p.confidence = std::min(p.confidence, 0.5);
          p.reason += yuan ? "; read as yuan" : "; an integer amount: read as fen (分), check it";
        }
        break;
      case Kind::kPromise:
        if (leaf)
          p.rule = rule(p.sourcePath);
        break;
      default:
        if (leaf)
          p.rule = rule(p.sourcePath);
        else if (p.required)
          unmapped(p, std::string("no field found for ") + spec.target + ": map it");
        break;
    }
    if (p.rule.empty())
      continue;  // an optional field the sample does not show
    props.push_back(std::move(p));
    if (spec.kind == Kind::kPromise) {
      FieldProposal u;
      u.target = "promise.unit";
      u.section = "fields";
      u.rule = "{\"const\": \"working_day\", \"only_with\": \"promise.limit\"}";
      u.confidence = 0.4;
      u.reason = "working days are the usual unit of a 承诺时限: check the 办事指南";
      u.mapped = true;
      u.sample = "working_day";
      props.push_back(std::move(u));
    }
    if (spec.kind == Kind::kFee) {
      FieldProposal u;
      u.target = "detail.fee.currency";
      u.section = "complete";
      u.rule = "{\"const\": \"CNY\", \"only_with\": \"detail.fee.amount\"}";
      u.confidence = 0.9;
      u.reason = "the spec's only currency";
      u.mapped = true;
      props.push_back(std::move(u));
    }
  }

  // ---------------------------------------------------------------- the text
  const auto body = [&](bool withTests, const std::string& testsJson) {
    std::ostringstream o;
    o << "// Draft mapping for '" << options.system
      << "', proposed by `huitong mapping scaffold` from one sample";
    if (!options.sampleFileName.empty())
      o << " (" << options.sampleFileName << ")";
    o << ".\n// A first draft for an ops person: check every rule beside the interface document "
         "(接口文档),\n// fill in what is marked NOT FOUND, add the stages' detail fields and "
         "tests, and only\n// then publish (docs/mapping-language.md, \"Scaffold a first "
         "draft\").\n// Each rule's comment: confidence (0..1), the sample value, why.\n";
    o << "{\n  \"system\": " << jsonString(options.system) << ",\n  \"version\": \"0-draft\",\n";
    o << "  \"title\": "
      << jsonString(options.sampleFileName.empty()
                        ? "draft from one sample message"
                        : "draft from the sample " + options.sampleFileName)
      << ",\n";
    o << "  \"description\": "
      << jsonString(dec.note + "Made by huitong mapping scaffold; not reviewed yet.") << ",\n";
    o << "  \"input\": " << dec.inputJson << ",\n";
    if (!records.empty())
      o << "  // one event per element: the sample holds a list of records\n  \"records\": "
        << jsonString(records) << ",\n";
    if (!tables.empty()) {
      o << "  // code tables guessed from the sample's values only: an empty code is one the "
           "scaffold\n  // could not guess. Add every code of the interface document.\n";
      o << "  \"tables\": {\n";
      for (std::size_t i = 0; i < tables.size(); ++i) {
        o << "    " << jsonString(tables[i].name) << ": {";
        for (std::size_t k = 0; k < tables[i].entries.size(); ++k)
          o << (k ? ", " : "") << jsonString(tables[i].entries[k].first) << ": "
            << jsonString(tables[i].entries[k].second);
        o << "}" << (i + 1 < tables.size() ? "," : "") << "\n";
      }
      o << "  },\n";
    }
    const auto section = [&](const std::string& name, const std::string& indent) {
      std::vector<const FieldProposal*> in;
      for (const auto& p : props)
        if (p.section == name)
          in.push_back(&p);
      std::size_t width = 0;
      for (const auto* p : in)
        width = std::max(width, p->target.size());
      for (std::size_t i = 0; i < in.size(); ++i) {
        const FieldProposal& p = *in[i];
        std::string sampleText = p.sample.size() > 60 ? p.sample.substr(0, 57) + "..." : p.sample;
        if (p.mapped)
          o << indent << "// " << fixed2(p.confidence)
            << (sampleText.empty() ? "" : "  " + jsonString(sampleText)) << "  " << p.reason
            << "\n";
        else
          o << indent << "// NOT FOUND (required): " << p.reason
            << ". Until then the empty constant rejects every event.\n";
        o << indent << jsonString(p.target) << ": " << std::string(width - p.target.size(), ' ')
          << p.rule << (i + 1 < in.size() ? "," : "") << "\n";
      }
      return in.size();
    };
    o << "  \"fields\": {\n";
    section("fields", "    ");
    o << "  },\n";
    o << "  // channel and detail.* belong to stages; the scaffold only proposes what one sample "
         "shows.\n  // Add a section per stage with its detail fields (spec §2 \"detail by "
         "stage\").\n";
    o << "  \"stages\": {\n";
    bool anyStage = false;
    for (const char* st : {"submit", "complete"}) {
      const bool has = std::any_of(props.begin(), props.end(),
                                   [&](const FieldProposal& p) { return p.section == st; });
      const bool submitNoChannel =
          std::string(st) == "submit" &&
          std::none_of(props.begin(), props.end(),
                       [](const FieldProposal& p) { return p.target == "channel"; });
      if (!has && !submitNoChannel)
        continue;
      o << (anyStage ? ",\n" : "") << "    " << jsonString(st) << ": {\n";
      if (submitNoChannel)
        o << "      // NOT FOUND (required on submit): channel (申办渠道): a field with a code "
             "table, or\n      // {\"const\": \"window\"} when every case is filed at the "
             "window\n";
      section(st, "      ");
      o << "    }";
      anyStage = true;
    }
    o << (anyStage ? "\n" : "") << "  }";
    if (withTests)
      o << ",\n  // one case on the sample: check the values, then add every field of the "
           "event you expect\n  \"tests\": "
        << testsJson;
    o << "\n}\n";
    return o.str();
  };

  Draft draft;
  draft.records = records;
  draft.fields = props;
  const std::string plain = body(false, "");
  auto compiled = mapping::Mapping::compile(plain, options.system + "/mapping.json", ".");
  if (!compiled.ok())
    return Error{
        "scaffold.internal",
        "the draft does not compile (a defect of the scaffold): " + compiled.error().describe(),
        ""};
  if (options.sampleFileName.empty()) {
    draft.text = plain;
    return draft;
  }
  // A test case on the sample, expecting what the draft reads with confidence: the ops person
  // checks it and adds the rest.
  FixedClock clock(0);
  if (!options.now.empty()) {
    EpochMillis t = 0;
    if (parseRfc3339(options.now, t))
      clock.set(t);
  }
  std::string now = options.now;
  rapidjson::Document expect(rapidjson::kArrayType);
  auto& a = expect.GetAllocator();
  auto out = compiled.value()->runTree(dec.tree, clock);
  std::vector<const mapping::MappedEvent*> evs;
  for (const auto& e : out.events)
    evs.push_back(&e);
  for (const auto& e : out.rejected)
    evs.push_back(&e);
  std::sort(evs.begin(), evs.end(),
            [](const auto* x, const auto* y) { return x->record < y->record; });
  EpochMillis latest = 0;
  for (const auto* e : evs) {
    rapidjson::Value partial(rapidjson::kObjectType);
    for (const char* k : {"case_no", "stage", "occurred_at"}) {
      if (e->event.IsObject() && e->event.HasMember(k))
        partial.AddMember(rapidjson::StringRef(k), rapidjson::Value(e->event[k], a), a);
    }
    if (partial.HasMember("occurred_at") && partial["occurred_at"].IsString()) {
      EpochMillis t = 0;
      if (parseRfc3339(partial["occurred_at"].GetString(), t))
        latest = std::max(latest, t);
    }
    expect.PushBack(partial, a);
  }
  if (now.empty() && latest > 0)
    now = formatRfc3339(latest + 24 * 3600 * 1000);
  std::string testJson =
      "[\n    {\n      \"name\": " +
      jsonString("the sample " + options.sampleFileName +
                 " (draft: check each value, then complete the event)") +
      ",\n      \"input_file\": " + jsonString("tests/" + options.sampleFileName) + ",\n";
  if (!now.empty())
    testJson += "      \"now\": " + jsonString(now) + ",\n";
  testJson += "      \"expect\": " + json::write(expect) + "\n    }\n  ]";
  draft.text = body(true, testJson);
  return draft;
}

}  // namespace huitong::scaffold
