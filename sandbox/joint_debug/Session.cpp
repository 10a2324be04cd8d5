#include "sandbox/joint_debug/Session.h"

#include <random>

#include "gateway/core/Json.h"

namespace huitong::sandbox {

const char* toString(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAccepted:
      return "accepted";
    case Verdict::kDuplicate:
      return "duplicate";
    case Verdict::kConflict:
      return "conflict";
    case Verdict::kRejected:
      return "rejected";
  }
  return "rejected";
}

std::string newSessionId(EpochMillis now) {
  // The journal's message id layout (Crockford base32: 10 characters of time, 16 random).
  static const char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string id = "sb-";
  for (int i = 9; i >= 0; --i)
    id += kAlphabet[(static_cast<std::uint64_t>(now) >> (i * 5)) & 31];
  const std::uint64_t r1 = rng(), r2 = rng();
  for (int i = 0; i < 16; ++i)
    id += kAlphabet[(i < 12 ? r1 >> (i * 5) : r2 >> ((i - 12) * 5)) & 31];
  return id;
}

rapidjson::Document sessionToJson(const Session& s) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("session_id", json::string(s.id, a), a);
  d.AddMember("system", json::string(s.system, a), a);
  d.AddMember("actor", json::string(s.actor, a), a);
  d.AddMember("at", json::string(formatRfc3339(s.at), a), a);
  d.AddMember("mapping_version", json::string(s.mappingVersion, a), a);
  d.AddMember("mapping_state", json::string(s.mappingState, a), a);
  d.AddMember("mapping_sha256", json::string(s.mappingSha256, a), a);
  d.AddMember("outcome", json::string(s.outcome, a), a);
  d.AddMember("content_type", json::string(s.contentType, a), a);
  d.AddMember("input_bytes", static_cast<std::uint64_t>(s.input.size()), a);
  if (!s.error.code.empty()) {
    rapidjson::Value e(rapidjson::kObjectType);
    e.AddMember("code", json::string(s.error.code, a), a);
    e.AddMember("message", json::string(s.error.message, a), a);
    e.AddMember("path", json::string(s.error.path, a), a);
    d.AddMember("error", e, a);
  }
  if (s.adapterStatus != 0) {
    rapidjson::Value ans(rapidjson::kObjectType);
    ans.AddMember("status", s.adapterStatus, a);
    ans.AddMember("content_type", json::string(s.adapterContentType, a), a);
    ans.AddMember("body", json::string(s.adapterBody, a), a);
    d.AddMember("adapter_answer", ans, a);
  }
  int counts[4] = {0, 0, 0, 0};
  rapidjson::Value events(rapidjson::kArrayType);
  for (const auto& e : s.events) {
    ++counts[static_cast<int>(e.verdict)];
    rapidjson::Value v(rapidjson::kObjectType);
    v.AddMember("record", json::string(e.record, a), a);
    v.AddMember("event_id", json::string(e.eventId, a), a);
    v.AddMember("item_code", json::string(e.itemCode, a), a);
    v.AddMember("stage", json::string(e.stage, a), a);
    v.AddMember("verdict", json::string(toString(e.verdict), a), a);
    if (!e.receiptNo.empty())
      v.AddMember("receipt_no", json::string(e.receiptNo, a), a);
    if (!e.message.empty())
      v.AddMember("message", json::string(e.message, a), a);
    rapidjson::Value rules(rapidjson::kArrayType);
    for (const auto& r : e.rules)
      rules.PushBack(mapping::rejectionToJson(r, a), a);
    v.AddMember("rules", rules, a);
    v.AddMember("fields", mapping::traceToJson(e.fields, a), a);
    auto ev = json::parse(e.eventJson.empty() ? "null" : e.eventJson);
    v.AddMember("event",
                ev.ok() ? rapidjson::Value(ev.value(), a) : rapidjson::Value(rapidjson::kNullType),
                a);
    events.PushBack(v, a);
  }
  rapidjson::Value summary(rapidjson::kObjectType);
  summary.AddMember("events", static_cast<int>(s.events.size()), a);
  summary.AddMember("accepted", counts[0], a);
  summary.AddMember("duplicate", counts[1], a);
  summary.AddMember("conflict", counts[2], a);
  summary.AddMember("rejected", counts[3], a);
  d.AddMember("summary", summary, a);
  if (!s.recorded) {
    d.AddMember("recorded", false, a);
    d.AddMember("record_error", json::string(s.recordError, a), a);
  }
  d.AddMember("events", events, a);
  return d;
}

namespace {

std::string str(const rapidjson::Value& o, const char* key) {
  if (!o.IsObject())
    return "";
  auto it = o.FindMember(key);
  if (it == o.MemberEnd())
    return "";
  if (it->value.IsString())
    return std::string(it->value.GetString(), it->value.GetStringLength());
  return json::write(it->value);
}

// Any JSON value as escaped text (strings without their quotes).
std::string shown(const rapidjson::Value& v) {
  if (v.IsString())
    return htmlEscape(std::string(v.GetString(), v.GetStringLength()));
  return htmlEscape(json::write(v));
}

const rapidjson::Value& member(const rapidjson::Value& o, const char* key) {
  static const rapidjson::Value kNull;
  if (!o.IsObject())
    return kNull;
  auto it = o.FindMember(key);
  return it == o.MemberEnd() ? kNull : it->value;
}

const char* verdictLabel(const std::string& v) {
  if (v == "accepted")
    return "接收 accepted";
  if (v == "duplicate")
    return "重复 duplicate";
  if (v == "conflict")
    return "冲突 conflict";
  return "拒收 rejected";
}

constexpr const char* kStyle =
    "body{font-family:sans-serif;margin:1.5em;color:#222}"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}"
    "table{border-collapse:collapse;margin:.5em 0;width:100%}"
    "th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top;"
    "font-size:.9em}th{background:#f2f2f2}code{font-family:monospace;word-break:break-all}"
    ".accepted{color:#1a7f37}.duplicate{color:#9a6700}.conflict,.rejected{color:#cf222e}"
    ".verdict{font-weight:bold}.note{color:#666}";

}  // namespace

std::string sessionHtml(const rapidjson::Value& s) {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">";
  h += "<title>联调会话 " + htmlEscape(str(s, "session_id")) + "</title>";
  h += "<style>";
  h += kStyle;
  h += "</style></head><body>\n";
  h += "<h1>联调会话 Joint-debug session <code>" + htmlEscape(str(s, "session_id")) +
       "</code></h1>\n<table>";
  auto row = [&](const char* label, const std::string& value) {
    h += "<tr><th>";
    h += label;
    h += "</th><td>" + htmlEscape(value) + "</td></tr>";
  };
  row("系统 system", str(s, "system"));
  row("发送方 actor", str(s, "actor"));
  row("时间 at", str(s, "at"));
  row("映射版本 mapping version", str(s, "mapping_version") + " (" + str(s, "mapping_state") + ")");
  row("结果 outcome", str(s, "outcome"));
  row("报文 content type", str(s, "content_type") + ", " + str(s, "input_bytes") + " bytes");
  const auto& summary = member(s, "summary");
  row("事件 events", "共 " + str(summary, "events") + "：接收 " + str(summary, "accepted") +
                         "，重复 " + str(summary, "duplicate") + "，冲突 " +
                         str(summary, "conflict") + "，拒收 " + str(summary, "rejected"));
  h += "</table>\n";
  const auto& error = member(s, "error");
  if (error.IsObject()) {
    h += "<h2 class=\"rejected\">报文无法处理 The message could not be processed</h2><p><code>" +
         htmlEscape(str(error, "code")) + "</code> " + htmlEscape(str(error, "message"));
    if (!str(error, "path").empty())
      h += " (" + htmlEscape(str(error, "path")) + ")";
    h += "</p>\n";
  }
  const auto& adapter = member(s, "adapter_answer");
  if (adapter.IsObject()) {
    h += "<h2>生产环境的应答 What production would answer</h2><p>HTTP " +
         htmlEscape(str(adapter, "status")) + " <code>" + htmlEscape(str(adapter, "content_type")) +
         "</code></p><pre><code>" + htmlEscape(str(adapter, "body")) + "</code></pre>\n";
  }
  const auto& events = member(s, "events");
  if (events.IsArray()) {
    int n = 0;
    for (const auto& e : events.GetArray()) {
      ++n;
      const std::string verdict = str(e, "verdict");
      h += "<h2>事件 " + std::to_string(n) + " <code>" + htmlEscape(str(e, "event_id")) +
           "</code> — <span class=\"verdict " + htmlEscape(verdict) + "\">" +
           verdictLabel(verdict) + "</span></h2>\n<p>记录 record <code>" +
           htmlEscape(str(e, "record")) + "</code>，事项 item <code>" +
           htmlEscape(str(e, "item_code")) + "</code>，环节 stage <code>" +
           htmlEscape(str(e, "stage")) + "</code>";
      if (!str(e, "receipt_no").empty())
        h += "，回执 receipt <code>" + htmlEscape(str(e, "receipt_no")) + "</code>";
      h += "</p>\n";
      if (!str(e, "message").empty())
        h += "<p class=\"conflict\">" + htmlEscape(str(e, "message")) + "</p>\n";
      const auto& rules = member(e, "rules");
      if (rules.IsArray() && !rules.Empty()) {
        h += "<table><tr><th>字段 field</th><th>规则 rule</th><th>说明 message</th>"
             "<th>来源路径 source path</th></tr>";
        for (const auto& r : rules.GetArray()) {
          std::string where = str(r, "source_path");
          if (!str(r, "source_line").empty())
            where += " (line " + str(r, "source_line") + ")";
          h += "<tr class=\"rejected\"><td><code>" + htmlEscape(str(r, "field")) +
               "</code></td><td><code>" + htmlEscape(str(r, "code")) + "</code></td><td>" +
               htmlEscape(str(r, "message")) + "</td><td><code>" + htmlEscape(where) +
               "</code></td></tr>";
        }
        h += "</table>\n";
      }
      const auto& fields = member(e, "fields");
      if (fields.IsArray() && !fields.Empty()) {
        h += "<table><tr><th>目标字段 target</th><th>选择器 selector</th><th>找到的值 found</th>"
             "<th>来源路径 source path</th><th>转换 transforms</th><th>最终值 value</th></tr>";
        for (const auto& f : fields.GetArray()) {
          std::string paths;
          const auto& sp = member(f, "source_paths");
          if (sp.IsArray()) {
            for (const auto& p : sp.GetArray())
              paths += (paths.empty() ? "" : "<br>") + shown(p);
          }
          std::string steps;
          const auto& st = member(f, "steps");
          if (st.IsArray()) {
            for (const auto& step : st.GetArray()) {
              steps += (steps.empty() ? "" : "<br>") + htmlEscape(str(step, "transform")) +
                       " → <code>" + shown(member(step, "output")) + "</code>";
            }
          }
          h += "<tr><td><code>" + htmlEscape(str(f, "field")) + "</code></td><td><code>" +
               htmlEscape(str(f, "source")) + "</code></td><td><code>" + shown(member(f, "found")) +
               "</code></td><td><code>" + paths + "</code></td><td>" + steps + "</td><td><code>" +
               shown(member(f, "value")) + "</code>";
          if (!str(f, "note").empty())
            h += " <span class=\"note\">" + htmlEscape(str(f, "note")) + "</span>";
          h += "</td></tr>";
        }
        h += "</table>\n";
      }
    }
  }
  h += "</body></html>\n";
  return h;
}

bool prefersHtml(const std::string& accept) {
  std::string a;
  for (char c : accept)
    a += static_cast<char>(tolower(static_cast<unsigned char>(c)));
  const auto html = a.find("text/html");
  if (html == std::string::npos)
    return false;
  // "text/html;q=0" refuses HTML.
  const auto end = a.find(',', html);
  const std::string params =
      a.substr(html, end == std::string::npos ? std::string::npos : end - html);
  if (params.find("q=0") != std::string::npos && params.find("q=0.") == std::string::npos)
    return false;
  const auto jsonAt = a.find("application/json");
  return jsonAt == std::string::npos || html < jsonAt;
}

}  // namespace huitong::sandbox
