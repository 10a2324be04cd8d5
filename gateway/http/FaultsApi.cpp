#include "gateway/http/FaultsApi.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include "gateway/core/Adapter.h"
#include "gateway/core/Json.h"
#include "gateway/faults/MajorReports.h"
#include "gateway/faults/TicketSla.h"
#include "gateway/faults/sla/SlaClock.h"
#include "gateway/http/GatewayServer.h"
#include "gateway/http/RequestParts.h"

namespace huitong::http {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using namespace faults;

constexpr int kDefaultPage = 50;

void send(HTTPServerResponse& res, int status, const std::string& body, const std::string& type) {
  res.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
  res.setContentType(type);
  res.setContentLength(static_cast<std::streamsize>(body.size()));
  res.send() << body;
}

std::string quoted(const std::string& s) {
  rapidjson::Document d;
  return json::write(json::string(s, d.GetAllocator()));
}

// Every refusal names the rule (the error code) and, when one is at fault, the field.
void problem(HTTPServerResponse& res, int status, const std::string& rule,
             const std::string& detail, const std::string& field) {
  std::string extra = "\"rule\":" + quoted(rule);
  if (!field.empty())
    extra += ",\"field\":" + quoted(field);
  const std::string title = status == 404   ? "Not found"
                            : status == 403 ? "Forbidden"
                            : status >= 500 ? "Unavailable"
                                            : "Refused";
  const auto a = adapter::problem(status, rule, title, detail, extra);
  send(res, a.status, a.body, a.contentType);
}

void badRequest(HTTPServerResponse& res, const std::string& field, const std::string& detail) {
  problem(res, 400, "ticket.invalid", detail, field);
}

// True when every query parameter is one of `known`; otherwise answers 400 naming the first
// other one and the known ones, and returns false.
bool onlyKnownParams(const HTTPServerRequest& req, HTTPServerResponse& res,
                     const std::set<std::string>& known) {
  for (const auto& [k, v] : Poco::URI(req.getURI()).getQueryParameters()) {
    if (known.count(k) != 0)
      continue;
    std::string names;
    for (const auto& n : known)
      names += (names.empty() ? "" : ", ") + n;
    badRequest(res, k, "unknown parameter \"" + k.substr(0, 64) + "\"; known: " + names);
    return false;
  }
  return true;
}

// One place from the fault module's error codes to HTTP. Malformed requests (not JSON, a wrong
// JSON type, an unknown member or parameter) are 400 before the service sees them; what the
// service refuses for its content is 422.
void ticketProblem(HTTPServerResponse& res, const Error& e) {
  const std::string& c = e.code;
  int status = 500;
  if (c == "ticket.invalid" || c == "ticket.fix_required" || c == "ticket.report_required" ||
      c == "ticket.attachment" || c == "ticket.report_invalid")
    status = 422;
  else if (c == "ticket.forbidden")
    status = 403;
  else if (c == "ticket.attachment_too_large")
    status = 413;
  else if (c == "ticket.attachment_type")
    status = 415;
  else if (c == "ticket.not_found" || c == "followup.not_found")
    status = 404;
  else if (c == "ticket.stale" || c == "ticket.illegal_move" || c == "ticket.closed" ||
           c == "ticket.duplicate" || c == "followup.closed")
    status = 409;
  else if (c == "ticket.busy" || c.rfind("store.", 0) == 0)
    status = 503;
  if (status >= 500) {
    logLine("error", "ticket request failed", {{"code", c}, {"error", e.message}});
    return problem(res, status, c.empty() ? "internal" : c,
                   "the ticket store did not answer; try again", "");
  }
  problem(res, status, c, e.message, e.path);
}

// The members of a JSON body, read with errors naming the member.
class Body {
 public:
  // False after answering 400: not a JSON object, or a member not in `allowed`.
  bool read(HTTPServerResponse& res, const std::string& text, std::set<std::string> allowed,
            bool emptyIsObject) {
    auto parsed = json::parse(text.empty() && emptyIsObject ? std::string_view("{}") : text);
    if (!parsed.ok()) {
      badRequest(res, "", "the body must be a JSON object: " + parsed.error().message);
      return false;
    }
    doc_ = std::move(parsed).value();
    if (!doc_.IsObject()) {
      badRequest(res, "", "the body must be a JSON object");
      return false;
    }
    for (auto it = doc_.MemberBegin(); it != doc_.MemberEnd(); ++it) {
      const std::string name(it->name.GetString(), it->name.GetStringLength());
      if (allowed.count(name) == 0) {
        std::string list;
        for (const auto& a : allowed)
          list += (list.empty() ? "" : ", ") + a;
        badRequest(res, name, "unknown member \"" + name.substr(0, 64) + "\"; known: " + list);
        return false;
      }
    }
    return true;
  }
  bool has(const char* k) const { return doc_.HasMember(k) && !doc_[k].IsNull(); }
  // A string member (absent or null: `out` untouched); false after answering 400.
  bool text(HTTPServerResponse& res, const char* k, std::string& out, std::size_t max = 20000) {
    if (!has(k))
      return true;
    if (!doc_[k].IsString()) {
      badRequest(res, k, std::string(k) + " must be a string");
      return false;
    }
    out.assign(doc_[k].GetString(), doc_[k].GetStringLength());
    if (out.size() > max) {
      badRequest(res, k, std::string(k) + " is longer than " + std::to_string(max) + " bytes");
      return false;
    }
    return true;
  }
  bool text(HTTPServerResponse& res, const char* k, std::optional<std::string>& out,
            std::size_t max = 20000) {
    if (!has(k))
      return true;
    std::string v;
    if (!text(res, k, v, max))
      return false;
    out = v;
    return true;
  }
  bool flag(HTTPServerResponse& res, const char* k, std::optional<bool>& out) {
    if (!has(k))
      return true;
    if (!doc_[k].IsBool()) {
      badRequest(res, k, std::string(k) + " must be true or false");
      return false;
    }
    out = doc_[k].GetBool();
    return true;
  }
  bool integer(HTTPServerResponse& res, const char* k, std::optional<std::int64_t>& out) {
    if (!has(k))
      return true;
    if (!doc_[k].IsInt64() || doc_[k].GetInt64() < 1) {
      badRequest(res, k, std::string(k) + " must be a positive integer");
      return false;
    }
    out = doc_[k].GetInt64();
    return true;
  }
  // An enum member through its parser; `all` lists the forms for the message.
  template <typename T>
  bool choice(HTTPServerResponse& res, const char* k, std::optional<T>& out,
              std::optional<T> (*parse)(std::string_view), const std::string& all) {
    std::optional<std::string> v;
    if (!text(res, k, v, 64))
      return false;
    if (!v)
      return true;
    out = parse(*v);
    if (!out) {
      badRequest(res, k, std::string(k) + " must be one of " + all + ", not \"" + *v + "\"");
      return false;
    }
    return true;
  }
  bool instant(HTTPServerResponse& res, const char* k, EpochMillis& out) {
    std::optional<std::string> v;
    if (!text(res, k, v, 64))
      return false;
    if (!v)
      return true;
    if (!parseRfc3339(*v, out)) {
      badRequest(
          res, k,
          std::string(k) + " must be an RFC 3339 date-time such as 2026-03-02T10:00:00+08:00");
      return false;
    }
    return true;
  }

 private:
  rapidjson::Document doc_;
};

rapidjson::Value readingJson(const sla::ClockReading& r, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  auto when = [&](const std::optional<EpochMillis>& t) {
    return t ? json::string(formatRfc3339(*t), a) : rapidjson::Value();
  };
  o.AddMember("clock", json::string(sla::toString(r.kind), a), a);
  o.AddMember("target", json::string(r.target.text(), a), a);
  o.AddMember("target_words", json::string(r.target.words(), a), a);
  o.AddMember("working_time", r.workingTime, a);
  o.AddMember("state", json::string(sla::toString(r.state), a), a);
  o.AddMember("elapsed_s", static_cast<std::int64_t>(r.elapsed / 1000), a);
  o.AddMember("remaining_s", static_cast<std::int64_t>(r.remaining / 1000), a);
  o.AddMember("running", r.running, a);
  o.AddMember("paused", r.paused, a);
  o.AddMember("stopped", r.stopped, a);
  o.AddMember("stopped_at", when(r.stoppedAt), a);
  o.AddMember("due_at", when(r.dueAt), a);
  o.AddMember("warn_at", when(r.warnAt), a);
  o.AddMember("provisional", r.provisional, a);
  o.AddMember("words", json::string(sla::describe(r), a), a);
  return o;
}

// The id and the action of ".../tickets/T-2026-000001:assign".
void splitAction(const std::string& segment, std::string& id, std::string& action) {
  const auto colon = segment.find(':');
  id = segment.substr(0, colon);
  action = colon == std::string::npos ? "" : segment.substr(colon + 1);
}

}  // namespace

bool FaultsApi::handles(const std::vector<std::string>& parts) {
  return parts.size() >= 3 && parts[0] == "ops" && parts[1] == "v1" &&
         (parts[2] == "tickets" || parts[2] == "major-reports" || parts[2] == "follow-ups");
}

rapidjson::Value followUpJson(const FollowUp& f, Day today, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("id", json::string(f.ticketId + "/" + std::to_string(f.n), a), a);
  o.AddMember("ticket_id", json::string(f.ticketId, a), a);
  o.AddMember("n", f.n, a);
  o.AddMember("action", json::string(f.action, a), a);
  o.AddMember("owner", json::string(f.owner, a), a);
  o.AddMember("due", json::string(formatDate(f.due), a), a);
  o.AddMember("status", json::string(toString(f.status), a), a);
  o.AddMember("overdue", f.overdue(today), a);
  auto when = [&](EpochMillis t) {
    return t > 0 ? json::string(formatRfc3339(t), a) : rapidjson::Value();
  };
  o.AddMember("created_at", when(f.createdAt), a);
  o.AddMember("closed_at", when(f.closedAt), a);
  o.AddMember("closed_by", json::string(f.closedBy, a), a);
  o.AddMember("note", json::string(f.note, a), a);
  return o;
}

std::size_t FaultsApi::maxUploadBytes() const {
  return static_cast<std::size_t>(tickets_.rules().attachments.maxBytes);
}

rapidjson::Value attachmentJson(const AttachmentInfo& x, const std::string& ticketId,
                                rapidjson::Document::AllocatorType& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("id", static_cast<std::int64_t>(x.id), a);
  o.AddMember("name", json::string(x.name, a), a);
  o.AddMember("content_type", json::string(x.contentType, a), a);
  o.AddMember("size", static_cast<std::int64_t>(x.size), a);
  o.AddMember("sha256", json::string(x.sha256, a), a);
  o.AddMember("stored", x.stored, a);
  o.AddMember("note", json::string(x.note, a), a);
  o.AddMember("added_at", json::string(formatRfc3339(x.addedAt), a), a);
  o.AddMember(
      "href",
      json::string("/ops/v1/tickets/" + ticketId + "/attachments/" + std::to_string(x.id), a), a);
  return o;
}

// A file name as a Content-Disposition parameter: filename= with ASCII only (others '_'),
// filename*= the UTF-8 bytes percent-encoded (RFC 6266).
std::string contentDisposition(const std::string& name) {
  std::string ascii, encoded;
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char c : name) {
    const bool plain = std::isalnum(c) || c == '.' || c == '-' || c == '_';
    ascii += plain || c == ' ' ? static_cast<char>(c) : '_';
    if (plain) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

void FaultsApi::attachments(HTTPServerRequest& req, HTTPServerResponse& res,
                            const std::vector<std::string>& parts, const std::string& body,
                            const registry::Actor& actor, const Permitted& permitted) {
  const std::string& id = parts[3];
  const std::string& method = req.getMethod();
  auto t = tickets_.get(id, Caller::gateway("api"));
  if (!t.ok())
    return ticketProblem(res, t.error());
  if (parts.size() == 6) {
    if (method != "GET") {
      res.set("Allow", "GET");
      return problem(res, 405, "method-not-allowed", "use GET", "");
    }
    const std::string& n = parts[5];
    if (n.empty() || n.size() > 18 || n.find_first_not_of("0123456789") != std::string::npos)
      return problem(res, 404, "ticket.attachment_not_found",
                     "attachments are numbered: /ops/v1/tickets/ID/attachments/N", "attachment");
    if (!permitted(actor, Access::kRead, t.value().system))
      return;
    auto found = tickets_.store().attachment(id, std::stoll(n));
    if (!found.ok())
      return ticketProblem(res, found.error());
    if (!found.value())
      return problem(res, 404, "ticket.attachment_not_found",
                     "ticket " + id + " has no attachment " + n, "attachment");
    const auto& [info, bytes] = *found.value();
    if (!info.stored)
      return problem(res, 404, "ticket.attachment_not_kept",
                     "attachment " + n + " (" + info.name + ") was not kept: " + info.note,
                     "attachment");
    res.set("Content-Disposition", contentDisposition(info.name));
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Cache-Control", "no-store");
    return send(res, 200, bytes, info.contentType);
  }
  if (method == "GET") {
    if (!permitted(actor, Access::kRead, t.value().system))
      return;
    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    rapidjson::Value list(rapidjson::kArrayType);
    for (const auto& x : t.value().attachments)
      list.PushBack(attachmentJson(x, id, a), a);
    d.AddMember("attachments", list, a);
    return send(res, 200, json::write(d), "application/json; charset=utf-8");
  }
  if (method != "POST") {
    res.set("Allow", "GET, POST");
    return problem(res, 405, "method-not-allowed", "use GET or POST", "");
  }
  if (!permitted(actor, Access::kReport, t.value().system))
    return;
  if (!onlyKnownParams(req, res, {"name"}))
    return;
  const std::string name = queryParam(req, "name");
  if (name.empty() || name.size() > 200 || name.find_first_of("/\\") != std::string::npos ||
      std::any_of(name.begin(), name.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
    return problem(res, 422, "ticket.invalid",
                   "?name= gives the file's name: 1 to 200 bytes, no path separators or control "
                   "characters",
                   "name");
  std::string type = req.getContentType();
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ')
    type.pop_back();
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto& limits = tickets_.rules().attachments;
  if (!limits.allows(type)) {
    std::string known;
    for (const auto& k : limits.contentTypes)
      known += (known.empty() ? "" : ", ") + k;
    return problem(res, 415, "ticket.attachment_type",
                   "an attachment of type \"" + type.substr(0, 100) +
                       "\" is not accepted (faults.attachments.content_types: " + known + ")",
                   "content-type");
  }
  if (static_cast<std::int64_t>(body.size()) > limits.maxBytes)
    return problem(res, 413, "ticket.attachment_too_large",
                   "the file has " + std::to_string(body.size()) +
                       " bytes, more than faults.attachments.max_bytes (" +
                       std::to_string(limits.maxBytes) + ")",
                   "body");
  if (body.empty())
    return problem(res, 422, "ticket.invalid", "the body is the file's bytes: it is empty", "body");
  auto added = tickets_.attach(id, NewAttachment{name, type, body}, Caller::staff(actor));
  if (!added.ok())
    return ticketProblem(res, added.error());
  res.set("Location", "/ops/v1/tickets/" + id + "/attachments/" + std::to_string(added.value().id));
  rapidjson::Document d;
  send(res, 201, json::write(attachmentJson(added.value(), id, d.GetAllocator())),
       "application/json; charset=utf-8");
}

void FaultsApi::report(HTTPServerRequest& req, HTTPServerResponse& res, const std::string& id,
                       const std::string& body, const registry::Actor& actor,
                       const Permitted& permitted) {
  if (req.getMethod() == "PUT") {
    // Written by a person: merged over the current report (saved, else pre-filled with the
    // monitoring evidence), as `huitong ticket report --edit` does.
    auto t = tickets_.get(id, Caller::gateway("api"));
    if (!t.ok())
      return ticketProblem(res, t.error());
    if (!permitted(actor, Access::kManage, t.value().system))
      return;
    auto current = tickets_.report(id, policy_, Caller::staff(actor));
    if (!current.ok())
      return ticketProblem(res, current.error());
    auto edited = parseMajorReport(body, current.value());
    if (!edited.ok())
      return problem(res, 422, edited.error().code, edited.error().message, edited.error().path);
    auto saved = tickets_.saveMajorReport(id, edited.value(), Caller::staff(actor));
    if (!saved.ok())
      return ticketProblem(res, saved.error());
    auto shown = tickets_.report(id, policy_, Caller::staff(actor));
    if (!shown.ok())
      return ticketProblem(res, shown.error());
    return send(res, 200, majorReportJson(shown.value()), "application/json; charset=utf-8");
  }
  if (req.getMethod() != "GET") {
    res.set("Allow", "GET, PUT");
    return problem(res, 405, "method-not-allowed", "use GET or PUT", "");
  }
  if (!onlyKnownParams(req, res, {"format"}))
    return;
  const std::string format = queryParam(req, "format");
  if (!format.empty() && format != "json" && format != "html" && format != "markdown")
    return badRequest(res, "format", "format must be json, html or markdown");
  auto t = tickets_.get(id, Caller::gateway("api"));
  if (!t.ok())
    return ticketProblem(res, t.error());
  if (!permitted(actor, Access::kOpsRead, t.value().system))
    return;
  auto r = tickets_.report(id, policy_, Caller::staff(actor));
  if (!r.ok())
    return ticketProblem(res, r.error());
  if (format == "html")
    return send(res, 200, sla::renderHtml(r.value()), "text/html; charset=utf-8");
  if (format == "markdown")
    return send(res, 200, sla::renderMarkdown(r.value()), "text/markdown; charset=utf-8");
  send(res, 200, majorReportJson(r.value()), "application/json; charset=utf-8");
}

void FaultsApi::majorReports(HTTPServerRequest& req, HTTPServerResponse& res,
                             const registry::Actor& actor, const Permitted& permitted) {
  if (req.getMethod() != "GET") {
    res.set("Allow", "GET");
    return problem(res, 405, "method-not-allowed", "use GET", "");
  }
  if (!onlyKnownParams(req, res, {"month"}))
    return;
  EpochMillis from = 0, to = std::numeric_limits<EpochMillis>::max();
  if (const std::string month = queryParam(req, "month"); !month.empty()) {
    auto first = parseDate(month + "-01");
    if (month.size() != 7 || !first.ok())
      return badRequest(res, "month", "month must be YYYY-MM, such as 2026-11");
    auto next = parseDate(formatDate(first.value() + 32).substr(0, 7) + "-01");
    constexpr EpochMillis kDay = 86'400'000, kChinaOffset = 8 * 3'600'000;
    from = first.value() * kDay - kChinaOffset;
    to = next.value() * kDay - kChinaOffset;
  }
  if (!permitted(actor, Access::kOpsRead, ""))
    return;
  auto found = tickets_.majorReports(from, to, Caller::staff(actor));
  if (!found.ok())
    return ticketProblem(res, found.error());
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& r : found.value()) {
    rapidjson::Value o(rapidjson::kObjectType);
    o.AddMember("ticket_id", json::string(r.ticketId, a), a);
    o.AddMember("title", json::string(r.title, a), a);
    o.AddMember("system", json::string(r.system, a), a);
    o.AddMember("item", json::string(r.item, a), a);
    o.AddMember("incident_start", json::string(formatRfc3339(r.incidentStart), a), a);
    o.AddMember(
        "resolved_at",
        r.resolvedAt > 0 ? json::string(formatRfc3339(r.resolvedAt), a) : rapidjson::Value(), a);
    o.AddMember("saved_at", json::string(formatRfc3339(r.savedAt), a), a);
    o.AddMember("saved_by", json::string(r.savedBy, a), a);
    o.AddMember("complete", r.complete, a);
    o.AddMember("saves", r.saves, a);
    o.AddMember("follow_ups", r.followUps, a);
    o.AddMember("open_follow_ups", r.openFollowUps, a);
    o.AddMember("overdue_follow_ups", r.overdueFollowUps, a);
    o.AddMember("report", json::string("/ops/v1/tickets/" + r.ticketId + "/report", a), a);
    list.PushBack(o, a);
  }
  d.AddMember("reports", list, a);
  send(res, 200, json::write(d), "application/json; charset=utf-8");
}

void FaultsApi::followUps(HTTPServerRequest& req, HTTPServerResponse& res,
                          const std::vector<std::string>& parts, const std::string& body,
                          const registry::Actor& actor, const Permitted& permitted) {
  const std::string& method = req.getMethod();
  const Day today = chinaDay(clock_.now());
  if (parts.size() == 3) {
    if (method != "GET") {
      res.set("Allow", "GET");
      return problem(res, 405, "method-not-allowed", "use GET", "");
    }
    if (!onlyKnownParams(req, res, {"status", "ticket", "owner", "limit"}))
      return;
    FollowUpFilter f;
    const std::string status = queryParam(req, "status");
    if (status == "overdue")
      f.overdueOnly = true;
    else if (!status.empty() && !(f.status = parseFollowUpStatus(status)))
      return badRequest(res, "status", "status must be open, closed or overdue");
    f.ticketId = queryParam(req, "ticket");
    f.owner = queryParam(req, "owner");
    if (const std::string limit = queryParam(req, "limit"); !limit.empty()) {
      if (limit.size() > 4 || limit.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(limit) < 1 || std::stoi(limit) > 1000)
        return badRequest(res, "limit", "limit must be an integer from 1 to 1000");
      f.limit = std::stoi(limit);
    }
    if (!permitted(actor, Access::kOpsRead, ""))
      return;
    auto found = tickets_.followUps(f, Caller::staff(actor));
    if (!found.ok())
      return ticketProblem(res, found.error());
    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    rapidjson::Value list(rapidjson::kArrayType);
    for (const auto& x : found.value())
      list.PushBack(followUpJson(x, today, a), a);
    d.AddMember("follow_ups", list, a);
    return send(res, 200, json::write(d), "application/json; charset=utf-8");
  }
  // /ops/v1/follow-ups/T-2026-000001/2:close
  std::string n, action;
  if (parts.size() == 5)
    splitAction(parts[4], n, action);
  int year = 0;
  std::int64_t number = 0;
  if (parts.size() != 5 || !parseTicketId(parts[3], year, number) || n.empty() || n.size() > 4 ||
      n.find_first_not_of("0123456789") != std::string::npos || action != "close")
    return problem(res, 404, "followup.not_found",
                   "use /ops/v1/follow-ups or /ops/v1/follow-ups/TICKET/N:close", "id");
  if (method != "POST") {
    res.set("Allow", "POST");
    return problem(res, 405, "method-not-allowed", "use POST", "");
  }
  auto t = tickets_.get(parts[3], Caller::gateway("api"));
  if (!t.ok())
    return ticketProblem(res, t.error());
  if (!permitted(actor, Access::kManage, t.value().system))
    return;
  Body b;
  std::string note;
  if (!b.read(res, body, {"note"}, false) || !b.text(res, "note", note, 4000))
    return;
  auto closed = tickets_.closeFollowUp(parts[3], std::stoi(n), note, Caller::staff(actor));
  if (!closed.ok())
    return ticketProblem(res, closed.error());
  rapidjson::Document d;
  send(res, 200, json::write(followUpJson(closed.value(), today, d.GetAllocator())),
       "application/json; charset=utf-8");
}

void FaultsApi::handle(HTTPServerRequest& req, HTTPServerResponse& res,
                       const std::vector<std::string>& parts, const std::string& body,
                       const registry::Actor& actor, const Permitted& permitted) {
  const std::string& method = req.getMethod();
  auto notAllowed = [&](const std::string& allow) {
    res.set("Allow", allow);
    problem(res, 405, "method-not-allowed", "use " + allow, "");
  };
  if (parts[2] == "major-reports") {
    if (parts.size() != 3)
      return problem(res, 404, "ticket.not_found",
                     "use /ops/v1/major-reports; one report is /ops/v1/tickets/ID/report", "");
    return majorReports(req, res, actor, permitted);
  }
  if (parts[2] == "follow-ups")
    return followUps(req, res, parts, body, actor, permitted);
  if ((parts.size() == 5 || parts.size() == 6) && parts[4] == "attachments") {
    int y = 0;
    std::int64_t no = 0;
    if (!parseTicketId(parts[3], y, no))
      return problem(res, 404, "ticket.not_found",
                     "no ticket \"" + parts[3].substr(0, 40) + "\" (ids look like T-2026-000123)",
                     "id");
    return attachments(req, res, parts, body, actor, permitted);
  }
  if (parts.size() == 5 && parts[4] == "report") {
    int y = 0;
    std::int64_t no = 0;
    if (!parseTicketId(parts[3], y, no))
      return problem(res, 404, "ticket.not_found",
                     "no ticket \"" + parts[3].substr(0, 40) + "\" (ids look like T-2026-000123)",
                     "id");
    return report(req, res, parts[3], body, actor, permitted);
  }
  if (parts.size() == 3) {
    if (method == "GET")
      return list(req, res, actor, permitted);
    if (method == "POST")
      return create(req, res, body, actor, permitted);
    return notAllowed("GET, POST");
  }
  if (parts.size() != 4)
    return problem(res, 404, "ticket.not_found",
                   "use /ops/v1/tickets or /ops/v1/tickets/ID[:assign|:status|:comment|:escalate]",
                   "");
  std::string id, action;
  splitAction(parts[3], id, action);
  int year = 0;
  std::int64_t number = 0;
  if (!parseTicketId(id, year, number))
    return problem(res, 404, "ticket.not_found",
                   "no ticket \"" + id.substr(0, 40) + "\" (ids look like T-2026-000123)", "id");
  if (!action.empty()) {
    if (method != "POST")
      return notAllowed("POST");
    return act(req, res, id, action, body, actor, permitted);
  }
  if (method != "GET" && method != "PATCH")
    return notAllowed("GET, PATCH");
  if (method == "PATCH")
    return act(req, res, id, "", body, actor, permitted);
  // Read as the gateway to learn the ticket's system, then decide for this caller.
  auto t = tickets_.get(id, Caller::gateway("api"));
  if (!t.ok())
    return ticketProblem(res, t.error());
  if (!permitted(actor, Access::kRead, t.value().system))
    return;
  show(res, t.value(), actor, 200);
}

void FaultsApi::create(HTTPServerRequest&, HTTPServerResponse& res, const std::string& body,
                       const registry::Actor& actor, const Permitted& permitted) {
  Body b;
  if (!b.read(res, body,
              {"channel", "reporter", "contact", "reported_at", "system", "item", "title",
               "description", "type", "severity", "on_site"},
              false))
    return;
  NewTicket n;
  std::optional<Channel> channel;
  std::optional<bool> onSite;
  if (!b.choice(res, "channel", channel, &parseChannel, allChannels()) ||
      !b.text(res, "reporter", n.reporter, 200) || !b.text(res, "contact", n.contact, 200) ||
      !b.instant(res, "reported_at", n.reportedAt) || !b.text(res, "system", n.system, 128) ||
      !b.text(res, "item", n.item, 128) || !b.text(res, "title", n.title, 500) ||
      !b.text(res, "description", n.description) ||
      !b.choice(res, "type", n.type, &parseTicketType, allTicketTypes()) ||
      !b.choice(res, "severity", n.severity, &parseSeverity, allSeverities()) ||
      !b.flag(res, "on_site", onSite))
    return;
  if (!channel)
    return problem(res, 422, "ticket.invalid",
                   "channel is required: one of phone|fax|email|api (alert and health tickets are "
                   "opened by monitoring)",
                   "channel");
  n.channel = *channel;
  n.onSite = onSite.value_or(false);
  if (n.channel == Channel::kAlert || n.channel == Channel::kHealth)
    return problem(res, 422, "ticket.invalid",
                   "alert and health tickets are opened by monitoring, not through the API",
                   "channel");
  // A department reports through the api channel for its own system; entering a call or a fax
  // for someone is the operators' work.
  if (!permitted(actor, n.channel == Channel::kApi ? Access::kReport : Access::kManage, n.system))
    return;
  auto created = tickets_.create(n, Caller::staff(actor));
  if (!created.ok())
    return ticketProblem(res, created.error());
  res.set("Location", "/ops/v1/tickets/" + created.value().ticket.id);
  show(res, created.value().ticket, actor, 201);
}

void FaultsApi::list(HTTPServerRequest& req, HTTPServerResponse& res, const registry::Actor& actor,
                     const Permitted& permitted) {
  static const std::set<std::string> kKnown{"status", "system", "assignee", "group",
                                            "open",   "type",   "severity", "channel",
                                            "item",   "limit",  "offset"};
  if (!onlyKnownParams(req, res, kKnown))
    return;
  TicketFilter f;
  const std::string statuses = queryParam(req, "status");
  for (std::size_t start = 0; !statuses.empty() && start <= statuses.size();) {
    const auto comma = statuses.find(',', start);
    const std::string one =
        statuses.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto s = parseTicketStatus(one);
    if (!s)
      return badRequest(res, "status",
                        "status must be one or more (comma-separated) of " + allTicketStatuses());
    f.statuses.push_back(*s);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  const std::string open = queryParam(req, "open");
  if (!open.empty() && open != "true" && open != "false")
    return badRequest(res, "open", "open must be true or false");
  f.openOnly = open == "true";
  f.system = queryParam(req, "system");
  f.assignee = queryParam(req, "assignee");
  f.group = queryParam(req, "group");
  f.item = queryParam(req, "item");
  if (const auto v = queryParam(req, "type"); !v.empty() && !(f.type = parseTicketType(v)))
    return badRequest(res, "type", "type must be one of " + allTicketTypes());
  if (const auto v = queryParam(req, "severity"); !v.empty() && !(f.severity = parseSeverity(v)))
    return badRequest(res, "severity", "severity must be one of " + allSeverities());
  if (const auto v = queryParam(req, "channel"); !v.empty() && !(f.channel = parseChannel(v)))
    return badRequest(res, "channel", "channel must be one of " + allChannels());
  auto number = [&](const char* name, int fallback, int min, int max, int& out) {
    const std::string v = queryParam(req, name);
    if (v.empty()) {
      out = fallback;
      return true;
    }
    std::size_t used = 0;
    long long n = -1;
    try {
      n = std::stoll(v, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != v.size() || n < min || n > max) {
      badRequest(res, name,
                 std::string(name) + " must be an integer from " + std::to_string(min) + " to " +
                     std::to_string(max));
      return false;
    }
    out = static_cast<int>(n);
    return true;
  };
  int limit = 0, offset = 0;
  if (!number("limit", kDefaultPage, 1, 200, limit) ||
      !number("offset", 0, 0, kMaxTicketPage - 200, offset))
    return;
  // A department lists its own system's tickets: no system given means its own.
  if (actor.role == registry::Role::kDepartment && f.system.empty())
    f.system = actor.system;
  if (!permitted(actor, Access::kRead, f.system))
    return;
  f.limit = offset + limit + 1;
  auto found = tickets_.list(f, Caller::staff(actor));
  if (!found.ok())
    return ticketProblem(res, found.error());
  const auto& all = found.value();
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value items(rapidjson::kArrayType);
  for (std::size_t i = static_cast<std::size_t>(offset);
       i < all.size() && i < static_cast<std::size_t>(offset + limit); ++i) {
    auto one = json::parse(ticketJson(all[i]));
    if (one.ok())
      items.PushBack(rapidjson::Value(one.value(), a), a);
  }
  d.AddMember("tickets", items, a);
  d.AddMember("offset", offset, a);
  d.AddMember("limit", limit, a);
  if (all.size() > static_cast<std::size_t>(offset + limit))
    d.AddMember("next_offset", offset + limit, a);
  else
    d.AddMember("next_offset", rapidjson::Value(), a);
  send(res, 200, json::write(d), "application/json; charset=utf-8");
}

void FaultsApi::show(HTTPServerResponse& res, const Ticket& t, const registry::Actor& actor,
                     int status) {
  auto history = tickets_.history(t.id, Caller::staff(actor));
  if (!history.ok())
    return ticketProblem(res, history.error());
  auto doc = json::parse(ticketJson(t));
  if (!doc.ok())
    return ticketProblem(res, Error{"internal", doc.error().message, ""});
  rapidjson::Document& d = doc.value();
  auto& a = d.GetAllocator();
  rapidjson::Value events(rapidjson::kArrayType);
  for (const auto& e : history.value()) {
    auto one = json::parse(eventJson(e));
    if (one.ok())
      events.PushBack(rapidjson::Value(one.value(), a), a);
  }
  d.AddMember("history", events, a);
  const auto evaluation =
      sla::evaluate(slaTimeline(t, history.value()), policy_, clock_.now(), calendar_);
  rapidjson::Value sla(rapidjson::kObjectType);
  sla.AddMember("state", json::string(sla::toString(evaluation.worstOpen()), a), a);
  rapidjson::Value clocks(rapidjson::kArrayType);
  for (const auto& r : evaluation.clocks)
    clocks.PushBack(readingJson(r, a), a);
  sla.AddMember("clocks", clocks, a);
  d.AddMember("sla", sla, a);
  // The report's follow-up tasks (overdue ones flagged) for staff; operations data is not a
  // department's.
  if (actor.role != registry::Role::kDepartment) {
    FollowUpFilter f;
    f.ticketId = t.id;
    auto tasks = tickets_.followUps(f, Caller::staff(actor));
    if (!tasks.ok())
      return ticketProblem(res, tasks.error());
    const Day today = chinaDay(clock_.now());
    rapidjson::Value list(rapidjson::kArrayType);
    for (const auto& x : tasks.value())
      list.PushBack(followUpJson(x, today, a), a);
    d.AddMember("follow_ups", list, a);
  }
  send(res, status, json::write(d), "application/json; charset=utf-8");
}

void FaultsApi::act(HTTPServerRequest&, HTTPServerResponse& res, const std::string& id,
                    const std::string& action, const std::string& body,
                    const registry::Actor& actor, const Permitted& permitted) {
  static const std::set<std::string> kActions{"", "assign", "status", "comment", "escalate"};
  if (kActions.count(action) == 0)
    return problem(
        res, 404, "ticket.not_found",
        "no action \"" + action.substr(0, 40) + "\" (use :assign, :status, :comment or :escalate)",
        "action");
  auto current = tickets_.get(id, Caller::gateway("api"));
  if (!current.ok())
    return ticketProblem(res, current.error());
  const Ticket& t = current.value();
  if (!permitted(actor, action == "comment" ? Access::kReport : Access::kManage, t.system))
    return;
  const Caller caller = Caller::staff(actor);
  Body b;
  std::optional<std::int64_t> expected;
  auto checkVersion = [&]() {
    if (expected && *expected != t.version) {
      problem(res, 409, "ticket.stale",
              id + " is at version " + std::to_string(t.version) + ", not " +
                  std::to_string(*expected) + ": read it again",
              "expected_version");
      return false;
    }
    return true;
  };
  Result<Ticket> done = Error{"internal", "no action", ""};
  if (action == "assign") {
    std::string group, assignee, reason;
    if (!b.read(res, body, {"group", "assignee", "reason", "expected_version"}, true) ||
        !b.text(res, "group", group, 128) || !b.text(res, "assignee", assignee, 128) ||
        !b.text(res, "reason", reason, 2000) || !b.integer(res, "expected_version", expected) ||
        !checkVersion())
      return;
    done = tickets_.assign(id, group, assignee, reason, caller);
  } else if (action == "status") {
    std::optional<TicketStatus> to;
    std::string reason;
    if (!b.read(res, body, {"to", "reason", "expected_version"}, false) ||
        !b.choice(res, "to", to, &parseTicketStatus, allTicketStatuses()) ||
        !b.text(res, "reason", reason, 2000) || !b.integer(res, "expected_version", expected) ||
        !checkVersion())
      return;
    if (!to)
      return problem(res, 422, "ticket.invalid", "to is required: one of " + allTicketStatuses(),
                     "to");
    done = tickets_.setStatus(id, *to, reason, caller);
  } else if (action == "comment") {
    std::string text;
    if (!b.read(res, body, {"text"}, false) || !b.text(res, "text", text))
      return;
    done = tickets_.comment(id, text, caller);
  } else if (action == "escalate") {
    std::string group, reason;
    if (!b.read(res, body, {"group", "reason", "expected_version"}, true) ||
        !b.text(res, "group", group, 128) || !b.text(res, "reason", reason, 2000) ||
        !b.integer(res, "expected_version", expected) || !checkVersion())
      return;
    done = tickets_.escalate(id, group, reason, caller);
  } else {
    TicketPatch p;
    std::optional<bool> onSite;
    if (!b.read(res, body,
                {"reporter", "contact", "system", "item", "title", "description", "type",
                 "severity", "on_site", "fix_version", "fix_commit", "fix_changed",
                 "fix_documentation", "expected_version"},
                false) ||
        !b.text(res, "reporter", p.reporter, 200) || !b.text(res, "contact", p.contact, 200) ||
        !b.text(res, "system", p.system, 128) || !b.text(res, "item", p.item, 128) ||
        !b.text(res, "title", p.title, 500) || !b.text(res, "description", p.description) ||
        !b.choice(res, "type", p.type, &parseTicketType, allTicketTypes()) ||
        !b.choice(res, "severity", p.severity, &parseSeverity, allSeverities()) ||
        !b.flag(res, "on_site", p.onSite) || !b.text(res, "fix_version", p.fixVersion, 200) ||
        !b.text(res, "fix_commit", p.fixCommit, 64) ||
        !b.text(res, "fix_changed", p.fixChanged, 500) ||
        !b.text(res, "fix_documentation", p.fixDocumentation) ||
        !b.integer(res, "expected_version", p.expectedVersion))
      return;
    done = tickets_.update(id, p, caller);
  }
  if (!done.ok())
    return ticketProblem(res, done.error());
  show(res, done.value(), actor, 200);
}

}  // namespace huitong::http
