#include "gateway/http/GatewayServer.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include "gateway/core/Json.h"
#include "gateway/exchange/Replay.h"
#include "gateway/http/FaultsApi.h"
#include "gateway/http/HealthApi.h"
#include "gateway/http/MonitorApi.h"
#include "gateway/http/OpsArea.h"
#include "gateway/http/RequestParts.h"
#include "gateway/http/SandboxApi.h"
#include "gateway/http/TlsListener.h"
#include "gateway/registry/AuditExport.h"

namespace huitong::http {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

std::mutex gLogMutex;

std::string jsonString(const std::string& s) {
  rapidjson::Document d;
  return json::write(json::string(s, d.GetAllocator()));
}

// ------------------------------------------------------------------ answers

void sendJson(HTTPServerResponse& res, int status, const std::string& body,
              const std::string& type = "application/json; charset=utf-8") {
  res.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
  res.setContentType(type);
  res.setContentLength(static_cast<std::streamsize>(body.size()));
  res.send() << body;
}

// RFC 9457 problem details. `extra` holds more members as JSON text ("" for none).
void sendProblem(HTTPServerResponse& res, int status, const std::string& type,
                 const std::string& title, const std::string& detail,
                 const std::string& extra = "") {
  std::string body = "{\"type\":" + jsonString("https://huitong.zs.gov.cn/problems/" + type) +
                     ",\"title\":" + jsonString(title) + ",\"status\":" + std::to_string(status) +
                     ",\"detail\":" + jsonString(detail);
  if (!extra.empty())
    body += "," + extra;
  body += "}";
  sendJson(res, status, body, "application/problem+json; charset=utf-8");
}

// ------------------------------------------------------------------ request helpers

// Reads at most `limit` bytes of body; false when the body is larger.
// Reads the whole body, keeping at most `limit` bytes; false when it is larger. Every request's
// body is read before the answer: an unread body on a keep-alive connection would be parsed as
// the next request (request smuggling). A body past `limit` is read and dropped up to
// kDrainLimit so that the client hears the 413; past that the connection is closed.
constexpr std::size_t kDrainLimit = 8 * 1024 * 1024;
// Messages in one replay page when the client names no limit.
constexpr std::int64_t kReplayPageDefault = 100;
// A mapping bundle at its largest, base64 in JSON (4/3) with room for the names.
constexpr std::size_t kMaxMappingUploadBytes = registry::kMaxBundleBytes / 3 * 4 + 1024 * 1024;

bool readBody(HTTPServerRequest& req, HTTPServerResponse& res, std::size_t limit,
              std::string& body) {
  const bool declaredTooLarge =
      req.hasContentLength() && req.getContentLength64() > static_cast<Poco::Int64>(limit);
  if (declaredTooLarge && req.getContentLength64() > static_cast<Poco::Int64>(kDrainLimit)) {
    res.setKeepAlive(false);
    return false;
  }
  std::istream& in = req.stream();
  char buf[16384];
  std::size_t total = 0;
  while (in) {
    in.read(buf, sizeof buf);
    const auto n = static_cast<std::size_t>(in.gcount());
    total += n;
    if (total <= limit) {
      body.append(buf, n);
    } else if (total > kDrainLimit) {
      res.setKeepAlive(false);
      return false;
    }
  }
  if (total > limit) {
    body.clear();
    return false;
  }
  return true;
}

std::vector<std::string> splitPath(const std::string& uri) {
  std::string path = uri.substr(0, uri.find('?'));
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    parts.push_back(
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos)
      break;
    start = slash + 1;
  }
  return parts;
}

// ------------------------------------------------------------------ handlers

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(const GatewayContext& ctx) : ctx_(ctx) {}

  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& res) override {
    const auto start = std::chrono::steady_clock::now();
    try {
      // A mapping upload carries the mapping's files (registry::kMaxBundleBytes, as JSON).
      std::size_t limit = req.getURI().rfind("/ops/v1/mappings/", 0) == 0
                              ? std::max(ctx_.config.maxBodyBytes, kMaxMappingUploadBytes)
                              : ctx_.config.maxBodyBytes;
      // A ticket's attachment upload carries the file (faults.attachments.max_bytes).
      if (ctx_.faults != nullptr && req.getURI().rfind("/ops/v1/tickets/", 0) == 0 &&
          req.getURI().find("/attachments") != std::string::npos)
        limit = std::max(limit, ctx_.faults->maxUploadBytes());
      if (!readBody(req, res, limit, body_)) {
        sendProblem(res, 413, "too-large", "Body too large",
                    "the body exceeds " + std::to_string(limit) + " bytes");
      } else {
        route(req, res);
      }
    } catch (const std::exception& e) {
      // Broken invariant or a POCO error mid-answer: log it; answer if nothing was sent.
      logLine("error", "request failed", {{"path", req.getURI()}, {"error", e.what()}});
      if (!res.sent())
        sendProblem(res, 500, "internal", "Internal error", "the request could not be completed");
    }
    // Sandbox traffic is counted under the sandbox's own names only.
    if (req.getURI().rfind("/sandbox/", 0) == 0)
      return;
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ctx_.metrics
        .histogram("huitong_http_request_duration_seconds", "HTTP request duration",
                   {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}, "")
        .observe(ms / 1000);
  }

 private:
  void route(HTTPServerRequest& req, HTTPServerResponse& res) {
    const auto parts = splitPath(req.getURI());
    const std::string& method = req.getMethod();
    if (parts.size() == 1 && parts[0] == "healthz")
      return sendJson(res, 200, "{\"status\":\"up\"}");
    if (parts.size() == 1 && parts[0] == "readyz") {
      return ctx_.ready ? sendJson(res, 200, "{\"status\":\"ready\"}")
                        : sendProblem(res, 503, "not-ready", "Not ready",
                                      "the gateway is starting or stopping");
    }
    if (parts.size() == 1 && parts[0] == "metrics") {
      return sendJson(res, 200, ctx_.metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
    }
    if (ctx_.sandbox != nullptr && SandboxApi::handles(parts)) {
      return ctx_.sandbox->handle(req, res, parts, std::move(body_),
                                  [&] { return staffActor(req, res); });
    }
    if (ctx_.monitor != nullptr && MonitorApi::handles(parts)) {
      // Reads as the audit trail (admin, operator, auditor), declaring as operations.
      return ctx_.monitor->handle(
          req, res, parts, body_, [&] { return staffActor(req, res); },
          [&](const registry::Actor& actor, bool write) {
            return permitted(req, res, actor, write ? Need::kOperations : Need::kAuditRead);
          });
    }
    if (parts.size() == 3 && parts[0] == "intake" && parts[1] == "v1") {
      if (method != "POST")
        return methodNotAllowed(res, "POST");
      return intake(req, res, parts[2]);
    }
    if (parts.size() == 5 && parts[0] == "intake" && parts[1] == "v1" && parts[3] == "messages") {
      if (method != "GET")
        return methodNotAllowed(res, "GET");
      return status(req, res, parts[2], parts[4]);
    }
    if (parts.size() == 3 && parts[0] == "auth" && parts[1] == "v1") {
      if (method != "POST")
        return methodNotAllowed(res, "POST");
      if (parts[2] == "login")
        return login(req, res);
      if (parts[2] == "logout")
        return logout(req, res);
    }
    if (parts.size() >= 3 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "dead-letters") {
      return deadLetters(req, res, parts);
    }
    if (parts.size() >= 3 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "filings")
      return filings(req, res, parts);
    if (ctx_.faults != nullptr && FaultsApi::handles(parts)) {
      auto actor = staffActor(req, res);
      if (!actor)
        return;
      return ctx_.faults->handle(
          req, res, parts, body_, *actor,
          [&](const registry::Actor& a, FaultsApi::Access access, const std::string& system) {
            const Need need = access == FaultsApi::Access::kRead      ? Need::kTicketRead
                              : access == FaultsApi::Access::kReport  ? Need::kTicketReport
                              : access == FaultsApi::Access::kOpsRead ? Need::kAuditRead
                                                                      : Need::kOperations;
            return permitted(req, res, a, need, system);
          });
    }
    for (OpsArea* area : ctx_.opsAreas) {
      if (!area->handles(parts))
        continue;
      auto actor = staffActor(req, res);
      if (!actor)
        return;
      // Reads as the audit trail (admin, operator, auditor), acting as operations.
      const auto need = [](OpsArea::Access access) {
        return access == OpsArea::Access::kRead ? Need::kAuditRead : Need::kOperations;
      };
      return area->handle(req, res, parts, body_, *actor,
                          [&](const registry::Actor& a, OpsArea::Access access) {
                            return permitted(req, res, a, need(access));
                          });
    }
    if (ctx_.health != nullptr && HealthApi::handles(parts)) {
      auto actor = staffActor(req, res);
      if (!actor)
        return;
      return ctx_.health->handle(req, res, parts, *actor, [&](const std::string& system) {
        return permitted(req, res, *actor, Need::kRegistryRead, system);
      });
    }
    if (parts.size() == 7 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "mappings" &&
        parts[4] == "versions" && parts[6] == "replay")
      return mappingReplay(req, res, parts[3], parts[5]);
    if (parts.size() >= 3 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "mappings")
      return mappingVersions(req, res, parts);
    if (parts.size() >= 3 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "audit")
      return audit(req, res, parts);
    if (parts.size() == 3 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "users") {
      if (method != "GET")
        return methodNotAllowed(res, "GET");
      return users(req, res);
    }
    if (parts.size() == 5 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "messages") {
      if (method != "GET")
        return methodNotAllowed(res, "GET");
      auto actor = staffActor(req, res);
      if (!actor || !permitted(req, res, *actor, Need::kMessageStatus, parts[3]))
        return;
      return status(req, res, parts[3], parts[4], true);
    }
    if (parts.size() == 3 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "systems") {
      if (method != "GET")
        return methodNotAllowed(res, "GET");
      return systems(req, res);
    }
    sendProblem(res, 404, "not-found", "Not found",
                "no such resource: " + req.getURI().substr(0, 200));
  }

  void methodNotAllowed(HTTPServerResponse& res, const std::string& allow) {
    res.set("Allow", allow);
    sendProblem(res, 405, "method-not-allowed", "Method not allowed", "use " + allow);
  }

  // Authenticates a department request for `system`; answers and returns false when refused.
  // A push adapter words the refusal its department's way (a SOAP fault for SOAP systems).
  bool authenticate(HTTPServerRequest& req, HTTPServerResponse& res, const SystemConfig& sys,
                    const std::string& body, adapter::Adapter* wording = nullptr) {
    auto refuse = [&](const std::string& code, const std::string& why) {
      logLine("warning", "department request refused",
              {{"system", sys.id},
               {"code", code},
               {"why", why},
               {"peer", req.clientAddress().host().toString()}});
      ctx_.metrics
          .counter("huitong_auth_failures_total", "Refused department requests",
                   "system=\"" + exchange::MetricsRegistry::escape(sys.id) + "\"")
          .inc();
      const bool forbidden = code == "auth.system" || code == "auth.client_cert";
      adapter::HttpAnswer a = adapter::problem(
          forbidden ? 403 : 401, forbidden ? "forbidden" : "unauthorized",
          forbidden ? "Forbidden" : "Unauthorized",
          code == "auth.client_cert" ? "a TLS client certificate of this system is required"
          : forbidden                ? "this key may not submit for this system"
                                     : "the request is not authenticated");
      send(res, wording ? wording->refuse(a) : a);
      return false;
    };
    const bool secure = isSecure(req);
    if (!sys.clientCerts.empty()) {
      const auto peer = peerCertificate(req);
      if (!peer) {
        return refuse("auth.client_cert", secure ? "no client certificate presented"
                                                 : "plain HTTP: the system requires TLS with a "
                                                   "client certificate");
      }
      if (!matches(sys.clientCerts, *peer)) {
        return refuse("auth.client_cert", "client certificate subject \"" + peer->subject +
                                              "\" sha256 " + peer->sha256Fingerprint +
                                              " is not one of this system's");
      }
    }
    if (sys.auth == "mtls")
      return true;
    if (sys.auth == "legacy") {
      const std::string peer = req.clientAddress().host().toString();
      bool allowed = false;
      for (const auto& c : sys.allowCidrs)
        allowed = allowed || cidrContains(c, peer);
      if (!allowed)
        return refuse("auth.address", "source address " + peer + " not in allow_cidrs");
      if (!sys.tokenHeader.empty() && req.get(sys.tokenHeader, "") != sys.token) {
        return refuse("auth.token", "missing or wrong " + sys.tokenHeader);
      }
      return true;
    }
    auth::SignedRequest sr;
    sr.method = req.getMethod();
    sr.targetUri = (secure ? "https://" : "http://") + req.getHost() + req.getURI();
    for (const auto& [name, value] : req)
      sr.headers[lower(name)] = value;
    sr.body = body;
    auto v = ctx_.verifier.verify(sr);
    if (!v.ok())
      return refuse(v.error().code, v.error().message);
    if (v.value().system != sys.id)
      return refuse("auth.system", "key " + v.value().keyId + " is for " + v.value().system);
    return true;
  }

  void intake(HTTPServerRequest& req, HTTPServerResponse& res, const std::string& system) {
    const SystemConfig* sys = ctx_.config.findSystem(system);
    const AdapterRuntime::System* rt = ctx_.adapters.find(system);
    if (!sys || !rt) {
      return sendProblem(res, 404, "unknown-system", "Unknown system",
                         "no department system '" + system.substr(0, 64) + "'");
    }
    if (rt->kind != adapter::AdapterKind::kPush) {
      return send(res, rt->adapter->handle(adapter::HttpRequest{}));
    }
    std::string body = std::move(body_);
    if (!authenticate(req, res, *sys, body, rt->adapter))
      return;
    ctx_.adapters.noteRequest(system);  // a push source's sign of life (item health)
    adapter::HttpRequest in;
    in.method = req.getMethod();
    in.target = req.getURI();
    in.contentType = req.getContentType();
    parseContentType(in.contentType, in.mediaType, in.charset);
    for (const auto& [name, value] : req)
      in.headers.emplace_back(lower(name), value);
    in.body = std::move(body);
    in.peer = req.clientAddress().toString();
    adapter::HttpAnswer answer;
    try {
      answer = rt->adapter->handle(in);
    } catch (const std::exception& e) {
      logLine("error", "adapter failed on a request",
              {{"system", system}, {"adapter", rt->adapterName}, {"error", e.what()}});
      answer = rt->adapter->refuse(adapter::problem(500, "internal", "Internal error",
                                                    "the request could not be completed"));
    }
    if (answer.status == 503)
      logLine("error", "journal commit failed", {{"system", system}});
    send(res, answer);
  }

  void send(HTTPServerResponse& res, const adapter::HttpAnswer& a) {
    for (const auto& [name, value] : a.headers)
      res.set(name, value);
    sendJson(res, a.status, a.body, a.contentType);
  }

  // `staff`: asked through the operator API by a logged-in account already let in.
  void status(HTTPServerRequest& req, HTTPServerResponse& res, const std::string& system,
              const std::string& id, bool staff = false) {
    const SystemConfig* sys = ctx_.config.findSystem(system);
    if (!sys)
      return sendProblem(res, 404, "unknown-system", "Unknown system",
                         "no department system '" + system.substr(0, 64) + "'");
    if (!staff && !authenticate(req, res, *sys, body_))
      return;
    auto st = ctx_.store.messageStatus(system, id);
    if (!st.ok())
      return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                         "the store did not answer");
    if (!st.value())
      return sendProblem(res, 404, "unknown-message", "Unknown message",
                         "no message " + id.substr(0, 64) + " of " + system);
    const auto& m = *st.value();
    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    d.AddMember("message_id", json::string(m.messageId, a), a);
    d.AddMember("system", json::string(m.system, a), a);
    d.AddMember("state", json::string(m.state, a), a);
    d.AddMember("received_at", json::string(formatRfc3339(m.receivedAt), a), a);
    auto answer = json::parse(m.answerJson);
    if (answer.ok() && answer.value().HasMember("rejected")) {
      d.AddMember("rejected", rapidjson::Value(answer.value()["rejected"], a), a);
    }
    rapidjson::Value events(rapidjson::kArrayType);
    for (const auto& e : m.events) {
      rapidjson::Value ev(rapidjson::kObjectType);
      ev.AddMember("event_id", json::string(e.eventId, a), a);
      ev.AddMember("state", json::string(e.state, a), a);
      ev.AddMember("attempts", e.attempts, a);
      auto receipt = json::parse(e.receiptJson.empty() ? "null" : e.receiptJson);
      if (receipt.ok() && !receipt.value().IsNull())
        ev.AddMember("receipt", rapidjson::Value(receipt.value(), a), a);
      if (!e.lastError.empty())
        ev.AddMember("reason", json::string(e.lastError, a), a);
      events.PushBack(ev, a);
    }
    d.AddMember("events", events, a);
    sendJson(res, 200, json::write(d));
  }

  // Who calls the operator API: a staff login token (POST /auth/v1/login), or the configured
  // ops_token — the break-glass admin credential, acting as "ops-token". Answers 401 and
  // returns nullopt otherwise.
  std::optional<registry::Actor> staffActor(HTTPServerRequest& req, HTTPServerResponse& res) {
    const std::string auth = req.get("Authorization", "");
    const std::string bearer = auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : "";
    if (!bearer.empty() && !ctx_.config.opsToken.empty() &&
        registry::constantTimeEquals(bearer, ctx_.config.opsToken)) {
      return registry::Actor{"ops-token", registry::Role::kAdmin, ""};
    }
    if (!bearer.empty()) {
      auto actor = ctx_.staff.authenticate(bearer);
      if (actor.ok())
        return actor.value();
      if (actor.error().code != "auth.token") {
        sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                    "the account store did not answer");
        return std::nullopt;
      }
    }
    logLine("warning", "operator request refused",
            {{"path", req.getURI().substr(0, 200)},
             {"peer", req.clientAddress().toString()},
             {"why", bearer.empty() ? "no bearer token" : "unknown or expired token"}});
    res.set("WWW-Authenticate", "Bearer");
    sendProblem(res, 401, "unauthorized", "Unauthorized",
                "log in (POST /auth/v1/login) and send Authorization: Bearer <token>");
    return std::nullopt;
  }

  // What an endpoint needs (least privilege: docs/configuration.md "Staff access").
  enum class Need {
    kRegistryRead,   // filings, item health: every role; a department only its own system
    kRegistryWrite,  // create, move, edit filings: admin, operator
    kAuditRead,      // the audit trail: admin, operator, auditor
    kOperations,     // dead letters, systems: admin, operator
    kUsers,          // staff accounts: admin
    kMessageStatus,  // a message's status: admin, operator; a department its own system
    kTicketRead,     // fault tickets: every role; a department its own system's
    kTicketReport,   // open (api channel), comment: admin, operator; a department its own system
  };

  static bool may(const registry::Actor& a, Need need, const std::string& system) {
    using registry::Role;
    switch (a.role) {
      case Role::kAdmin:
        return true;
      case Role::kOperator:
        return need != Need::kUsers;
      case Role::kAuditor:
        return need == Need::kRegistryRead || need == Need::kAuditRead || need == Need::kTicketRead;
      case Role::kDepartment:
        return (need == Need::kRegistryRead || need == Need::kMessageStatus ||
                need == Need::kTicketRead || need == Need::kTicketReport) &&
               !a.system.empty() && system == a.system;
    }
    return false;
  }

  // Answers 403 (and audits "access.refused") when `actor` may not.
  bool permitted(HTTPServerRequest& req, HTTPServerResponse& res, const registry::Actor& actor,
                 Need need, const std::string& system = "") {
    if (may(actor, need, system))
      return true;
    registry::AuditEntry e;
    e.at = ctx_.clock.now();
    e.actor = actor.name;
    e.role = registry::toString(actor.role);
    e.action = "access.refused";
    const std::string path = req.getURI().substr(0, req.getURI().find('?')).substr(0, 200);
    e.target = "api " + req.getMethod() + " " + path;
    e.system = system.substr(0, 128);
    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    d.AddMember("method", json::string(req.getMethod(), a), a);
    d.AddMember("path", json::string(path, a), a);
    e.before = "null";
    e.after = json::write(d);
    if (auto r = ctx_.registry.appendAudit(e); !r.ok())
      logLine("error", "audit append failed", {{"error", r.error().message}});
    logLine("warning", "operator request forbidden",
            {{"path", path}, {"actor", actor.name}, {"role", e.role}});
    sendProblem(res, 403, "forbidden", "Forbidden",
                std::string("the ") + e.role + " role may not " + req.getMethod() + " " + path);
    return false;
  }

  // Who may call the existing operator endpoints (dead letters, systems): admins, operators.
  std::optional<std::string> operatorAllowed(HTTPServerRequest& req, HTTPServerResponse& res) {
    auto actor = staffActor(req, res);
    if (!actor || !permitted(req, res, *actor, Need::kOperations))
      return std::nullopt;
    return loggedName(req, *actor);
  }

  // The break-glass token names the person in X-Operator (logged, as before; the audit trail
  // keeps the actor "ops-token", X-Operator being only a claim).
  static std::string loggedName(HTTPServerRequest& req, const registry::Actor& actor) {
    return actor.name == "ops-token" ? req.get("X-Operator", "ops-token") : actor.name;
  }

  // The department systems and how each is admitted: a legacy (address allow-list) system is
  // shown as the weaker posture it is.
  void systems(HTTPServerRequest& req, HTTPServerResponse& res) {
    if (!operatorAllowed(req, res))
      return;
    rapidjson::Document d(rapidjson::kArrayType);
    auto& a = d.GetAllocator();
    for (const auto& sys : ctx_.config.systems) {
      rapidjson::Value v(rapidjson::kObjectType);
      v.AddMember("system", json::string(sys.id, a), a);
      v.AddMember("auth", json::string(sys.auth, a), a);
      const bool legacy = sys.auth == "legacy";
      v.AddMember("posture", json::string(legacy ? "weaker" : "strong", a), a);
      const std::string certificate =
          sys.clientCerts.empty() ? ""
                                  : "a TLS client certificate (" +
                                        std::to_string(sys.clientCerts.size()) + " accepted)";
      std::string reason =
          legacy ? "admitted by source address" +
                       std::string(sys.tokenHeader.empty() ? "" : " and a static token") +
                       ", not by a signature"
          : sys.auth == "mtls"
              ? certificate + ", no signature"
              : "HTTP Message Signatures (" + std::to_string(sys.keys.size()) + " key(s))";
      if (!certificate.empty() && sys.auth != "mtls")
        reason += " and " + certificate;
      v.AddMember("posture_reason", json::string(reason, a), a);
      rapidjson::Value keys(rapidjson::kArrayType);
      for (const auto& k : sys.keys) {
        rapidjson::Value kv(rapidjson::kObjectType);
        kv.AddMember("key_id", json::string(k.keyId, a), a);
        kv.AddMember("alg", json::string(k.algorithm, a), a);
        keys.PushBack(kv, a);
      }
      v.AddMember("keys", keys, a);
      auto mapping = ctx_.mappings.find(sys.id);
      if (mapping)
        v.AddMember("mapping_version", json::string(mapping->version(), a), a);
      if (const auto* rt = ctx_.adapters.find(sys.id)) {
        v.AddMember("adapter", json::string(rt->adapterName, a), a);
        v.AddMember("adapter_kind",
                    json::string(rt->kind == adapter::AdapterKind::kPush ? "push" : "pull", a), a);
      }
      if (auto st = ctx_.adapters.sourceStatus(sys.id)) {
        rapidjson::Value src(rapidjson::kObjectType);
        src.AddMember("reachable", st->reachable, a);
        src.AddMember("detail", json::string(st->detail, a), a);
        src.AddMember("at", json::string(formatRfc3339(st->at), a), a);
        for (const auto& [k, val] : st->facts)
          src.AddMember(json::string(k, a), json::string(val, a), a);
        v.AddMember("source", src, a);
      }
      d.PushBack(v, a);
    }
    sendJson(res, 200, json::write(d));
  }

  void deadLetters(HTTPServerRequest& req, HTTPServerResponse& res,
                   const std::vector<std::string>& parts) {
    auto staff = staffActor(req, res);
    if (!staff || !permitted(req, res, *staff, Need::kOperations))
      return;
    if (parts.size() == 4 && req.getMethod() == "POST")
      return deadLetterAction(req, res, parts[3], *staff);
    if (parts.size() == 3 && req.getMethod() == "GET") {
      // Pages of ?limit=N (1..1000, default 200) after ?after=ID (the last id of the previous
      // page).
      long long after = 0, limit = 200;
      try {
        after = std::stoll(queryParam(req, "after", "0"));
        limit = std::stoll(queryParam(req, "limit", "200"));
      } catch (const std::exception&) {
        return sendProblem(res, 400, "bad-request", "Bad request", "after and limit are numbers");
      }
      if (limit < 1 || limit > 1000 || after < 0) {
        return sendProblem(res, 400, "bad-request", "Bad request",
                           "limit is 1..1000 and after >= 0");
      }
      auto list = ctx_.store.deadLetters(static_cast<int>(limit), after);
      if (!list.ok())
        return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                           "the store did not answer");
      rapidjson::Document d(rapidjson::kArrayType);
      auto& a = d.GetAllocator();
      for (const auto& dl : list.value()) {
        rapidjson::Value v(rapidjson::kObjectType);
        v.AddMember("id", dl.outboxId, a);
        v.AddMember("event_id", json::string(dl.eventId, a), a);
        v.AddMember("message_id", json::string(dl.messageId, a), a);
        v.AddMember("system", json::string(dl.system, a), a);
        v.AddMember("attempts", dl.attempts, a);
        v.AddMember("reason", json::string(dl.lastError, a), a);
        v.AddMember("dead_at", json::string(formatRfc3339(dl.deadAt), a), a);
        d.PushBack(v, a);
      }
      return sendJson(res, 200, json::write(d));
    }
    if (parts.size() == 4 && req.getMethod() == "GET") {
      // Inspect one dead letter: the event as it was sent, why it died, its message.
      std::int64_t id = 0;
      try {
        id = std::stoll(parts[3]);
      } catch (const std::exception&) {
        return sendProblem(res, 400, "bad-request", "Bad request",
                           "dead letter id must be a number");
      }
      auto list = ctx_.store.deadLetters(1, id - 1);
      if (!list.ok())
        return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                           "the store did not answer");
      if (list.value().empty() || list.value().front().outboxId != id) {
        return sendProblem(res, 404, "not-found", "Not found",
                           "no dead letter " + parts[3].substr(0, 20));
      }
      const auto& dl = list.value().front();
      rapidjson::Document d(rapidjson::kObjectType);
      auto& a = d.GetAllocator();
      d.AddMember("id", dl.outboxId, a);
      d.AddMember("event_id", json::string(dl.eventId, a), a);
      d.AddMember("message_id", json::string(dl.messageId, a), a);
      d.AddMember("system", json::string(dl.system, a), a);
      d.AddMember("attempts", dl.attempts, a);
      d.AddMember("reason", json::string(dl.lastError, a), a);
      d.AddMember("dead_at", json::string(formatRfc3339(dl.deadAt), a), a);
      auto payload = json::parse(dl.payload);
      d.AddMember("event",
                  payload.ok() ? rapidjson::Value(payload.value(), a) : json::string(dl.payload, a),
                  a);
      return sendJson(res, 200, json::write(d));
    }
    methodNotAllowed(res, "GET, POST");
  }

  // POST /ops/v1/dead-letters/{id}:requeue[?remap=true] | :discard, each audited
  // (dead_letter.requeue, dead_letter.discard; a refused re-map dead_letter.requeue.refused).
  // The action is in the exchange store, its entry in the audit trail: one database, two
  // transactions. The entry goes first, as the intent, and the action runs only once it is
  // stored, so an action is never without its entry (acting first would leave one unaudited
  // whenever the append failed). An action that then fails (another operator was first, the
  // store did not answer) gets a dead_letter.<action>.failed entry naming the intent's seq; a
  // crash in between leaves an intent whose dead letter is still listed (the store's
  // dead_letter_log says what happened).
  void deadLetterAction(HTTPServerRequest& req, HTTPServerResponse& res, const std::string& last,
                        const registry::Actor& staff) {
    const std::string actor = loggedName(req, staff);
    const auto colon = last.find(':');
    const std::string idText = last.substr(0, colon),
                      action = colon == std::string::npos ? "" : last.substr(colon + 1);
    std::int64_t id = 0;
    try {
      id = std::stoll(idText);
    } catch (const std::exception&) {
      return sendProblem(res, 400, "bad-request", "Bad request", "dead letter id must be a number");
    }
    if (action != "requeue" && action != "discard")
      return sendProblem(res, 404, "not-found", "Not found", "actions are :requeue and :discard");
    auto list = ctx_.store.deadLetters(1, id - 1);
    if (!list.ok())
      return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                         "the store did not answer");
    if (list.value().empty() || list.value().front().outboxId != id) {
      // Nothing to act on: logged, not audited (no change was possible).
      logLine("notice", "dead letter " + action,
              {{"id", idText}, {"actor", actor}, {"ok", "false"}});
      return sendProblem(res, 404, "not-found", "Not found",
                         "no dead letter " + idText.substr(0, 20));
    }
    const storage::DeadLetter dl = list.value().front();
    auto entry = [&](const std::string& name, const std::string& after) {
      registry::AuditEntry e;
      e.at = ctx_.clock.now();
      e.actor = staff.name;
      e.role = registry::toString(staff.role);
      e.action = name;
      e.target = "dead_letter " + std::to_string(dl.outboxId);
      e.system = dl.system;
      if (auto payload = json::parse(dl.payload); payload.ok() && payload.value().IsObject() &&
                                                  payload.value().HasMember("item") &&
                                                  payload.value()["item"].IsObject()) {
        e.item = jsonField(payload.value()["item"], "code");
      }
      rapidjson::Document d(rapidjson::kObjectType);
      auto& a = d.GetAllocator();
      d.AddMember("id", dl.outboxId, a);
      d.AddMember("event_id", json::string(dl.eventId, a), a);
      d.AddMember("message_id", json::string(dl.messageId, a), a);
      d.AddMember("reason", json::string(dl.lastError, a), a);
      d.AddMember("attempts", dl.attempts, a);
      d.AddMember("dead_at", json::string(formatRfc3339(dl.deadAt), a), a);
      d.AddMember("payload_sha256", json::string(registry::sha256Hex(dl.payload), a), a);
      e.before = json::write(d);
      auto out = json::parse(after);
      if (out.ok() && out.value().IsObject() && staff.name == "ops-token" && actor != staff.name)
        out.value().AddMember("x_operator", json::string(actor, out.value().GetAllocator()),
                              out.value().GetAllocator());
      e.after = out.ok() ? json::write(out.value()) : after;
      return ctx_.registry.appendAudit(e);
    };
    const bool remapping = action == "requeue" && queryParam(req, "remap") == "true";
    std::string payload;
    if (remapping) {
      // After a mapping fix, the event is mapped again from the journaled message.
      auto remapped = remap(id);
      if (!remapped.ok()) {
        logLine("notice", "dead letter requeue refused",
                {{"id", idText}, {"actor", actor}, {"why", remapped.error().message}});
        if (auto r = entry("dead_letter.requeue.refused",
                           "{\"refused\":" + jsonString(remapped.error().code) + ",\"reason\":" +
                               jsonString(remapped.error().message) + ",\"remap\":true}");
            !r.ok())
          logLine("error", "audit append failed", {{"error", r.error().message}});
        return sendProblem(res, 409, "remap-failed", "Cannot re-map", remapped.error().message);
      }
      payload = remapped.value();
    }
    const std::string after =
        action == "discard"
            ? std::string("{\"discarded\":true}")
            : "{\"requeued\":true,\"remap\":" + std::string(remapping ? "true" : "false") +
                  ",\"payload_sha256\":" +
                  jsonString(registry::sha256Hex(remapping ? payload : dl.payload)) + "}";
    auto intent = entry("dead_letter." + action, after);
    if (!intent.ok()) {
      logLine("error", "audit append failed; dead letter left as it was",
              {{"id", idText}, {"actor", actor}, {"error", intent.error().message}});
      return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                         "the audit trail did not answer; nothing was done");
    }
    Result<void> r = action == "requeue"
                         ? ctx_.store.requeueDeadLetter(id, payload, ctx_.clock.now())
                         : ctx_.store.discardDeadLetter(id, ctx_.clock.now());
    logLine("notice", "dead letter " + action,
            {{"id", idText}, {"actor", actor}, {"ok", r.ok() ? "true" : "false"}});
    if (!r.ok()) {
      if (auto f = entry("dead_letter." + action + ".failed",
                         "{\"intent_seq\":" + std::to_string(intent.value().seq) +
                             ",\"error\":" + jsonString(r.error().code) +
                             ",\"reason\":" + jsonString(r.error().message) + "}");
          !f.ok())
        logLine("error", "audit append failed", {{"error", f.error().message}});
      return sendProblem(res, 404, "not-found", "Not found", r.error().message);
    }
    ctx_.delivery.notify();
    sendJson(res, 200, "{\"id\":" + idText + ",\"action\":\"" + action + "\"}");
  }

  // The dead letter's event mapped again, with the running mapping, from its journaled message.
  Result<std::string> remap(std::int64_t outboxId) {
    auto list = ctx_.store.deadLetters(1, outboxId - 1);
    if (!list.ok())
      return list.error();
    const storage::DeadLetter* dl = nullptr;
    for (const auto& d : list.value()) {
      if (d.outboxId == outboxId)
        dl = &d;
    }
    if (!dl)
      return Error{"ops.not_found", "no dead letter " + std::to_string(outboxId), ""};
    auto raw = ctx_.store.journaledMessage(dl->messageId);
    if (!raw.ok())
      return raw.error();
    if (!raw.value())
      return Error{"ops.not_found", "message " + dl->messageId + " is not in the journal", ""};
    auto mapping = ctx_.mappings.find(raw.value()->system);
    if (!mapping)
      return Error{"ops.no_mapping", "no mapping for system " + raw.value()->system, ""};
    mapping::RunOptions options;
    options.receivedAt = formatRfc3339(raw.value()->receivedAt);
    auto out = mapping->run(raw.value()->bytes, ctx_.clock, options);
    if (!out.ok())
      return Error{"ops.remap", "the journaled message cannot be read: " + out.error().describe(),
                   ""};
    for (const auto& e : out.value().events) {
      if (dl->eventId == e.event["event_id"].GetString())
        return json::write(e.event);
    }
    for (const auto& e : out.value().rejected) {
      const auto id = e.event.FindMember("event_id");
      if (id != e.event.MemberEnd() && id->value.IsString() &&
          dl->eventId == id->value.GetString()) {
        std::string why;
        for (const auto& rj : e.rejections)
          why += " " + rj.field + "/" + rj.code;
        return Error{"ops.remap", "the mapping still rejects " + dl->eventId + ":" + why, ""};
      }
    }
    return Error{
        "ops.remap",
        "the running mapping no longer produces " + dl->eventId + " from message " + dl->messageId,
        ""};
  }

  // ---------------------------------------------------------------- staff login

  void login(HTTPServerRequest& req, HTTPServerResponse& res) {
    auto doc = json::parse(body_);
    if (!doc.ok() || !doc.value().IsObject() || !doc.value().HasMember("name") ||
        !doc.value()["name"].IsString() || !doc.value().HasMember("password") ||
        !doc.value()["password"].IsString()) {
      return sendProblem(res, 400, "bad-request", "Bad request",
                         "send {\"name\": \"...\", \"password\": \"...\"} as JSON",
                         "\"field\":\"name\"");
    }
    const auto& d = doc.value();
    auto grant =
        ctx_.staff.login(std::string(d["name"].GetString(), d["name"].GetStringLength()),
                         std::string(d["password"].GetString(), d["password"].GetStringLength()));
    if (!grant.ok()) {
      const auto& code = grant.error().code;
      logLine("warning", "login refused",
              {{"code", code}, {"peer", req.clientAddress().host().toString()}});
      if (code == "auth.locked") {
        res.set("Retry-After", std::to_string(ctx_.config.lockoutSeconds));
        return sendProblem(res, 429, "login-locked", "Too many failed logins",
                           grant.error().message);
      }
      if (code == "auth.failed")
        return sendProblem(res, 401, "login-failed", "Login failed", grant.error().message);
      return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                         "the account store did not answer");
    }
    const auto& g = grant.value();
    rapidjson::Document out(rapidjson::kObjectType);
    auto& a = out.GetAllocator();
    out.AddMember("token", json::string(g.token, a), a);
    out.AddMember("token_type", "Bearer", a);
    out.AddMember("expires_at", json::string(formatRfc3339(g.expiresAt), a), a);
    out.AddMember("name", json::string(g.actor.name, a), a);
    out.AddMember("role", json::string(registry::toString(g.actor.role), a), a);
    if (!g.actor.system.empty())
      out.AddMember("system", json::string(g.actor.system, a), a);
    res.set("Cache-Control", "no-store");
    sendJson(res, 200, json::write(out));
  }

  void logout(HTTPServerRequest& req, HTTPServerResponse& res) {
    const std::string auth = req.get("Authorization", "");
    const std::string bearer = auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : "";
    auto r = ctx_.staff.logout(bearer);
    if (!r.ok()) {
      if (r.error().code == "auth.token")
        return sendProblem(res, 401, "unauthorized", "Unauthorized", r.error().message);
      return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                         "the account store did not answer");
    }
    res.setStatusAndReason(HTTPResponse::HTTP_NO_CONTENT);
    res.setContentLength(0);
    res.send();
  }

  void users(HTTPServerRequest& req, HTTPServerResponse& res) {
    auto actor = staffActor(req, res);
    if (!actor || !permitted(req, res, *actor, Need::kUsers))
      return;
    auto accounts = ctx_.staff.accounts();
    if (!accounts.ok())
      return registryProblem(res, accounts.error());
    rapidjson::Document d(rapidjson::kArrayType);
    auto& a = d.GetAllocator();
    for (const auto& acc : accounts.value()) {
      rapidjson::Value v(rapidjson::kObjectType);
      v.AddMember("name", json::string(acc.name, a), a);
      v.AddMember("role", json::string(registry::toString(acc.role), a), a);
      v.AddMember("system", json::string(acc.system, a), a);
      v.AddMember("disabled", acc.disabled, a);
      d.PushBack(v, a);
    }
    sendJson(res, 200, json::write(d));
  }

  // ---------------------------------------------------------------- filings

  // One place from registry error codes to HTTP: the problem names the rule (the code), the
  // field when one is at fault, and the filing's state when there is a filing.
  // ---------------------------------------------------------------- mapping versions

  // /ops/v1/mappings[/SYSTEM[:rollback]/versions[/VERSION[:test|:publish]]]
  // (docs/mapping-versions.md). Reads: every staff role (a department its own system);
  // changes: admins and operators.
  void mappingVersions(HTTPServerRequest& req, HTTPServerResponse& res,
                       const std::vector<std::string>& parts) {
    auto actor = staffActor(req, res);
    if (!actor)
      return;
    const std::string& method = req.getMethod();
    if (parts.size() == 3) {
      if (method != "GET")
        return methodNotAllowed(res, "GET");
      if (!permitted(req, res, *actor, Need::kAuditRead))
        return;
      return mappingOverview(res);
    }
    std::string system = parts[3];
    if (parts.size() == 4 && endsWithAction(system, ":rollback")) {
      if (method != "POST")
        return methodNotAllowed(res, "POST");
      if (!permitted(req, res, *actor, Need::kRegistryWrite, system))
        return;
      auto doc = json::parse(body_);
      if (!doc.ok() || !doc.value().IsObject())
        return registryProblem(res, Error{"api.invalid", "the body is {\"version\": \"...\"}", ""});
      if (auto c = checkBody(doc.value(), {"version"}, {}); !c.ok())
        return registryProblem(res, c.error());
      const std::string version = jsonField(doc.value(), "version");
      if (version.empty())
        return registryProblem(res, Error{"api.invalid", "version is required", "version"});
      auto live = ctx_.mappingVersions.rollback(system, version, *actor);
      if (!live.ok())
        return registryProblem(res, live.error());
      return liveAnswer(res, live.value());
    }
    if (parts.size() < 5 || parts.size() > 6 || parts[4] != "versions") {
      return sendProblem(res, 404, "not-found", "Not found",
                         "use /ops/v1/mappings/SYSTEM/versions[/VERSION]");
    }
    if (parts.size() == 5) {
      if (method == "GET") {
        if (!permitted(req, res, *actor, Need::kRegistryRead, system))
          return;
        auto list = ctx_.mappingVersions.versions(system);
        if (!list.ok())
          return registryProblem(res, list.error());
        std::string out = "[";
        for (const auto& v : list.value())
          out += (out.size() > 1 ? "," : "") + registry::mappingVersionJson(v);
        return sendJson(res, 200, out + "]");
      }
      if (method != "POST")
        return methodNotAllowed(res, "GET, POST");
      if (!permitted(req, res, *actor, Need::kRegistryWrite, system))
        return;
      auto bundle = registry::bundleFromJson(body_);
      if (!bundle.ok())
        return registryProblem(res, bundle.error());
      auto before = ctx_.mappingVersions.versions(system);
      auto drafted = ctx_.mappingVersions.draft(system, bundle.value(), *actor);
      if (!drafted.ok())
        return registryProblem(res, drafted.error());
      bool existed = false;
      if (before.ok()) {
        for (const auto& v : before.value())
          existed = existed ||
                    (v.version == drafted.value().version && v.sha256 == drafted.value().sha256);
      }
      return sendJson(res, existed ? 200 : 201, registry::mappingVersionJson(drafted.value()));
    }
    std::string version = parts[5];
    const bool isTest = endsWithAction(version, ":test");
    const bool isPublish = !isTest && endsWithAction(version, ":publish");
    if (isTest || isPublish) {
      if (method != "POST")
        return methodNotAllowed(res, "POST");
      if (!permitted(req, res, *actor, Need::kRegistryWrite, system))
        return;
      if (isTest) {
        auto tested = ctx_.mappingVersions.test(system, version, *actor);
        if (!tested.ok())
          return registryProblem(res, tested.error());
        return sendJson(res, 200,
                        "{\"version\":" + registry::mappingVersionJson(tested.value().record) +
                            ",\"report\":" + tested.value().reportJson + "}");
      }
      std::optional<std::int64_t> expected;
      if (!body_.empty()) {
        auto doc = json::parse(body_);
        if (!doc.ok() || !doc.value().IsObject())
          return registryProblem(
              res, Error{"api.invalid", "the body is empty or {\"expected_generation\": N}", ""});
        if (auto c = checkBody(doc.value(), {}, {"expected_generation"}); !c.ok())
          return registryProblem(res, c.error());
        if (doc.value().HasMember("expected_generation"))
          expected = doc.value()["expected_generation"].GetInt64();
      }
      auto live = ctx_.mappingVersions.publish(system, version, *actor, expected);
      if (!live.ok()) {
        std::string report;
        if (live.error().code == "mapping.tests_failed") {
          auto stored = ctx_.mappingVersions.get(system, version);
          if (stored.ok() && stored.value() && !stored.value()->testReport.empty())
            report = "\"report\":" + stored.value()->testReport;
        }
        return registryProblem(res, live.error(), std::nullopt, report);
      }
      return liveAnswer(res, live.value());
    }
    if (method != "GET")
      return methodNotAllowed(res, "GET");
    if (!permitted(req, res, *actor, Need::kRegistryRead, system))
      return;
    auto one = ctx_.mappingVersions.get(system, version);
    if (!one.ok())
      return registryProblem(res, one.error());
    if (!one.value()) {
      return registryProblem(res, Error{"mapping.not_found",
                                        "system " + system.substr(0, 128) +
                                            " has no mapping version " + version.substr(0, 64),
                                        ""});
    }
    std::string out = registry::mappingVersionJson(*one.value());
    out.pop_back();
    if (!one.value()->testReport.empty())
      out += ",\"report\":" + one.value()->testReport;
    if (queryParam(req, "files") == "true") {
      // The upload form: {"files": {path: {"base64": ...}}}, to edit and upload again.
      auto stored = json::parse(one.value()->bundle);
      if (stored.ok() && stored.value().HasMember("files")) {
        rapidjson::Document files(rapidjson::kObjectType);
        auto& a = files.GetAllocator();
        for (auto m = stored.value()["files"].MemberBegin();
             m != stored.value()["files"].MemberEnd(); ++m) {
          rapidjson::Value f(rapidjson::kObjectType);
          f.AddMember("base64", rapidjson::Value(m->value, a), a);
          files.AddMember(rapidjson::Value(m->name, a), f, a);
        }
        out += ",\"files\":" + json::write(files);
      }
    }
    sendJson(res, 200, out + "}");
  }

  static bool endsWithAction(std::string& segment, const std::string& action) {
    if (segment.size() <= action.size() ||
        segment.compare(segment.size() - action.size(), action.size(), action) != 0)
      return false;
    segment.resize(segment.size() - action.size());
    return true;
  }

  // A switch answered after this gateway runs it (the others follow within refresh_ms).
  void liveAnswer(HTTPServerResponse& res, const registry::LiveMapping& live) {
    (void)ctx_.mappingSync.refresh();
    std::string running, error;
    for (const auto& s : ctx_.mappingSync.status()) {
      if (s.system == live.system) {
        running = s.running;
        error = s.error;
      }
    }
    sendJson(res, 200,
             "{\"system\":" + jsonString(live.system) + ",\"live\":" + jsonString(live.version) +
                 ",\"generation\":" + std::to_string(live.generation) +
                 ",\"running\":" + jsonString(running) +
                 (error.empty() ? std::string() : ",\"error\":" + jsonString(error)) + "}");
  }

  void mappingOverview(HTTPServerResponse& res) {
    auto live = ctx_.mappingVersions.live();
    if (!live.ok())
      return registryProblem(res, live.error());
    rapidjson::Document d(rapidjson::kArrayType);
    auto& a = d.GetAllocator();
    for (const auto& s : ctx_.mappingSync.status()) {
      rapidjson::Value v(rapidjson::kObjectType);
      v.AddMember("system", json::string(s.system, a), a);
      v.AddMember("running", json::string(s.running, a), a);
      v.AddMember("generation", s.generation, a);
      for (const auto& l : live.value()) {
        if (l.system != s.system)
          continue;
        v.AddMember("live", json::string(l.version, a), a);
        v.AddMember("live_generation", l.generation, a);
        v.AddMember("switched_by", json::string(l.switchedBy, a), a);
        v.AddMember("switched_at", json::string(formatRfc3339(l.switchedAt), a), a);
      }
      if (!s.error.empty())
        v.AddMember("error", json::string(s.error, a), a);
      d.PushBack(v, a);
    }
    sendJson(res, 200, json::write(d));
  }

  void registryProblem(HTTPServerResponse& res, const Error& e,
                       const std::optional<registry::Filing>& filing = std::nullopt,
                       const std::string& more = "") {
    int status = 500;
    const std::string& c = e.code;
    if (c == "filing.stale" || c == "filing.illegal_move" || c == "filing.exists" ||
        c == "staff.exists" || c == "mapping.stale" || c == "mapping.illegal_move" ||
        c == "mapping.exists" || c == "mapping.input_format")
      status = 409;
    else if (c == "filing.forbidden" || c == "mapping.forbidden")
      status = 403;
    else if (c == "filing.requirement" || c == "mapping.invalid" || c == "mapping.bundle" ||
             c == "mapping.tests_failed")
      status = 422;
    else if (c == "filing.not_found" || c == "staff.not_found" || c == "mapping.not_found")
      status = 404;
    else if (c == "filing.invalid" || c.rfind("audit.", 0) == 0 || c == "api.invalid")
      status = 400;
    else if (c.rfind("store.", 0) == 0)
      status = 503;
    std::string extra = "\"rule\":" + jsonString(c);
    if (!e.path.empty())
      extra += ",\"field\":" + jsonString(e.path);
    if (filing) {
      extra += ",\"filing_state\":" + jsonString(registry::toString(filing->state)) +
               ",\"filing_version\":" + std::to_string(filing->version);
    }
    if (!more.empty())
      extra += "," + more;
    const std::string detail =
        status == 503 || status == 500 ? "the registry did not answer" : e.message;
    if (status >= 500)
      logLine("error", "registry request failed", {{"code", c}, {"error", e.message}});
    sendProblem(res, status, c, status >= 500 ? "Unavailable" : "Refused", detail, extra);
  }

  std::optional<registry::Filing> currentFiling(const std::string& system,
                                                const std::string& item) {
    auto f = ctx_.filings.get(system, item);
    if (!f.ok())
      return std::nullopt;
    return f.value();
  }

  static std::string jsonField(const rapidjson::Value& d, const char* key) {
    const auto it = d.FindMember(key);
    if (it == d.MemberEnd() || !it->value.IsString())
      return "";
    return std::string(it->value.GetString(), it->value.GetStringLength());
  }

  // Checks that every member of the body object is a string, except `numbers`; the first one
  // that is not is named.
  // `others` are members whose value the caller checks itself (e.g. the scenarios list).
  static Result<void> checkBody(const rapidjson::Value& d, const std::vector<std::string>& strings,
                                const std::vector<std::string>& numbers,
                                const std::vector<std::string>& others = {}) {
    for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
      const std::string k(it->name.GetString(), it->name.GetStringLength());
      const bool isString = std::find(strings.begin(), strings.end(), k) != strings.end();
      const bool isNumber = std::find(numbers.begin(), numbers.end(), k) != numbers.end();
      if (std::find(others.begin(), others.end(), k) != others.end())
        continue;
      if (!isString && !isNumber)
        return Error{"api.invalid", "unknown member '" + k.substr(0, 64) + "'", k.substr(0, 64)};
      if (isString && !it->value.IsString())
        return Error{"api.invalid", k + " must be a string", k};
      if (isNumber && !it->value.IsInt64())
        return Error{"api.invalid", k + " must be a whole number", k};
    }
    return {};
  }

  void filings(HTTPServerRequest& req, HTTPServerResponse& res,
               const std::vector<std::string>& parts) {
    auto actor = staffActor(req, res);
    if (!actor)
      return;
    const std::string& method = req.getMethod();
    if (parts.size() == 3) {
      if (method == "GET")
        return listFilings(req, res, *actor);
      if (method == "POST")
        return createFiling(req, res, *actor);
      return methodNotAllowed(res, "GET, POST");
    }
    if (parts.size() != 5)
      return sendProblem(res, 404, "not-found", "Not found", "use /ops/v1/filings/SYSTEM/ITEM");
    const std::string& system = parts[3];
    std::string item = parts[4];
    const std::string kMove = ":move";
    const bool isMove = item.size() > kMove.size() &&
                        item.compare(item.size() - kMove.size(), kMove.size(), kMove) == 0;
    if (isMove) {
      item.resize(item.size() - kMove.size());
      if (method != "POST")
        return methodNotAllowed(res, "POST");
      if (!permitted(req, res, *actor, Need::kRegistryWrite, system))
        return;
      return moveFiling(res, *actor, system, item);
    }
    if (method == "GET") {
      if (!permitted(req, res, *actor, Need::kRegistryRead, system))
        return;
      auto f = ctx_.filings.get(system, item);
      if (!f.ok())
        return registryProblem(res, f.error());
      if (!f.value()) {
        return registryProblem(res, Error{"filing.not_found",
                                          "no filing for item " + item.substr(0, 128) +
                                              " of system " + system.substr(0, 128),
                                          ""});
      }
      return sendJson(res, 200, filingJson(*f.value()));
    }
    if (method == "PATCH") {
      if (!permitted(req, res, *actor, Need::kRegistryWrite, system))
        return;
      return patchFiling(res, *actor, system, item);
    }
    return methodNotAllowed(res, "GET, PATCH");
  }

  // A filing with its overdue flag (today in China).
  std::string filingJson(const registry::Filing& f) {
    auto d = json::parse(registry::filingJson(f));
    if (!d.ok())
      return registry::filingJson(f);
    d.value().AddMember("overdue", registry::isOverdue(f, chinaDay(ctx_.clock.now())),
                        d.value().GetAllocator());
    return json::write(d.value());
  }

  void listFilings(HTTPServerRequest& req, HTTPServerResponse& res, const registry::Actor& actor) {
    registry::FilingFilter filter;
    filter.system = queryParam(req, "system");
    // A department lists its own system whether or not it names it.
    if (actor.role == registry::Role::kDepartment && filter.system.empty())
      filter.system = actor.system;
    if (!permitted(req, res, actor, Need::kRegistryRead,
                   filter.system.empty() ? "*" : filter.system))
      return;
    const std::string state = queryParam(req, "state");
    if (!state.empty()) {
      filter.state = registry::filingStateFrom(state);
      if (!filter.state) {
        return registryProblem(res, Error{"api.invalid",
                                          "state is requested, configuring, joint_debugging, "
                                          "online, suspended or retired",
                                          "state"});
      }
    }
    const std::string overdue = queryParam(req, "overdue");
    if (overdue == "true")
      filter.overdueOn = chinaDay(ctx_.clock.now());
    else if (!overdue.empty() && overdue != "false")
      return registryProblem(res, Error{"api.invalid", "overdue is true or false", "overdue"});
    auto list = ctx_.filings.list(filter);
    if (!list.ok())
      return registryProblem(res, list.error());
    std::string body = "[";
    for (const auto& f : list.value())
      body += (body.size() > 1 ? "," : "") + filingJson(f);
    body += "]";
    sendJson(res, 200, body);
  }

  void createFiling(HTTPServerRequest& req, HTTPServerResponse& res, const registry::Actor& actor) {
    auto doc = json::parse(body_);
    if (!doc.ok() || !doc.value().IsObject())
      return registryProblem(res, Error{"api.invalid", "the body is a JSON object", ""});
    const auto& d = doc.value();
    if (!permitted(req, res, actor, Need::kRegistryWrite, jsonField(d, "system")))
      return;
    if (auto c = checkBody(
            d, {"system", "item_code", "item_name", "contact_name", "contact_phone", "notes"}, {},
            {"scenarios"});
        !c.ok())
      return registryProblem(res, c.error());
    static const rapidjson::Value kDefaults;  // null: the default scenarios
    auto scenarios =
        registry::normalizeScenarios(d.HasMember("scenarios") ? d["scenarios"] : kDefaults);
    if (!scenarios.ok())
      return registryProblem(res, scenarios.error());
    registry::NewFiling n{jsonField(d, "system"),
                          jsonField(d, "item_code"),
                          jsonField(d, "item_name"),
                          jsonField(d, "contact_name"),
                          jsonField(d, "contact_phone"),
                          jsonField(d, "notes"),
                          scenarios.value()};
    auto created = ctx_.filings.create(n, actor);
    if (!created.ok())
      return registryProblem(res, created.error(), currentFiling(n.system, n.itemCode));
    sendJson(res, 201, filingJson(created.value()));
  }

  void moveFiling(HTTPServerResponse& res, const registry::Actor& actor, const std::string& system,
                  const std::string& item) {
    auto doc = json::parse(body_);
    if (!doc.ok() || !doc.value().IsObject())
      return registryProblem(res, Error{"api.invalid", "the body is a JSON object", ""});
    const auto& d = doc.value();
    if (auto c = checkBody(d, {"to", "mapping_version", "reason"}, {"expected_version"}); !c.ok())
      return registryProblem(res, c.error());
    registry::MoveRequest move;
    const auto to = registry::filingStateFrom(jsonField(d, "to"));
    if (!to)
      return registryProblem(res, Error{"api.invalid", "to names a filing state", "to"});
    if (!d.HasMember("expected_version")) {
      return registryProblem(
          res, Error{"api.invalid", "expected_version (the version you read) is required",
                     "expected_version"});
    }
    move.to = *to;
    move.expectedVersion = d["expected_version"].GetInt64();
    move.mappingVersion = jsonField(d, "mapping_version");
    move.reason = jsonField(d, "reason");
    auto moved = ctx_.filings.move(system, item, move, actor);
    if (!moved.ok())
      return registryProblem(res, moved.error(), currentFiling(system, item));
    sendJson(res, 200, filingJson(moved.value()));
  }

  void patchFiling(HTTPServerResponse& res, const registry::Actor& actor, const std::string& system,
                   const std::string& item) {
    auto doc = json::parse(body_);
    if (!doc.ok() || !doc.value().IsObject())
      return registryProblem(res, Error{"api.invalid", "the body is a JSON object", ""});
    const auto& d = doc.value();
    if (auto c = checkBody(d, {"contact_name", "contact_phone", "notes"}, {"expected_version"},
                           {"scenarios"});
        !c.ok())
      return registryProblem(res, c.error());
    if (!d.HasMember("expected_version")) {
      return registryProblem(
          res, Error{"api.invalid", "expected_version (the version you read) is required",
                     "expected_version"});
    }
    const bool contact = d.HasMember("contact_name") || d.HasMember("contact_phone");
    const bool notes = d.HasMember("notes");
    const bool scenarios = d.HasMember("scenarios");
    // One change per request: two would be two versions, and the second could fail alone.
    if (int(contact) + int(notes) + int(scenarios) != 1) {
      return registryProblem(
          res,
          Error{"api.invalid", "send the contact (contact_name, contact_phone), notes or scenarios",
                notes ? "notes" : "contact_name"});
    }
    const std::int64_t expected = d["expected_version"].GetInt64();
    if (scenarios) {
      // null: back to the default scenarios.
      auto text = registry::normalizeScenarios(d["scenarios"]);
      if (!text.ok())
        return registryProblem(res, text.error());
      auto r = ctx_.filings.updateScenarios(system, item, expected, text.value(), actor);
      if (!r.ok())
        return registryProblem(res, r.error(), currentFiling(system, item));
      return sendJson(res, 200, filingJson(r.value()));
    }
    Result<registry::Filing> r = contact ? [&]() -> Result<registry::Filing> {
      auto current = currentFiling(system, item);
      const std::string name = d.HasMember("contact_name")
                                   ? jsonField(d, "contact_name")
                                   : (current ? current->contactName : std::string());
      const std::string phone = d.HasMember("contact_phone")
                                    ? jsonField(d, "contact_phone")
                                    : (current ? current->contactPhone : std::string());
      return ctx_.filings.updateContact(system, item, expected, name, phone, actor);
    }()
        : ctx_.filings.updateNotes(system, item, expected, jsonField(d, "notes"), actor);
    if (!r.ok())
      return registryProblem(res, r.error(), currentFiling(system, item));
    sendJson(res, 200, filingJson(r.value()));
  }

  // ---------------------------------------------------------------- replay

  // GET /ops/v1/mappings/SYSTEM/versions/VERSION/replay?from=&to=&after=&limit=
  // (docs/mapping-versions.md, "Replay before publishing"): one page of the system's journaled
  // messages received in [from, to) run through the stored version and compared with what
  // production queued. Bounded (limit <= 1000) and cancellable by construction: the client asks
  // for the next page with `after` = next_after, or stops. Admins, operators, auditors.
  void mappingReplay(HTTPServerRequest& req, HTTPServerResponse& res, const std::string& system,
                     const std::string& version) {
    auto actor = staffActor(req, res);
    if (!actor)
      return;
    if (req.getMethod() != "GET")
      return methodNotAllowed(res, "GET");
    if (!permitted(req, res, *actor, Need::kAuditRead, system))
      return;
    auto badParam = [&](const std::string& name, const std::string& why) {
      sendProblem(res, 400, "invalid-parameter", "Invalid parameter", name + ": " + why,
                  "\"rule\":\"replay.parameter\",\"field\":" + jsonString(name));
    };
    EpochMillis from = 0, to = 0;
    for (const char* name : {"from", "to"}) {
      const std::string text = queryParam(req, name);
      if (text.empty())
        return badParam(name,
                        "is required (an RFC 3339 date-time, e.g. 2026-11-20T00:00:00+08:00)");
      if (!parseRfc3339(text, std::string(name) == "from" ? from : to))
        return badParam(name,
                        "'" + text.substr(0, 64) +
                            "' is not an RFC 3339 date-time (e.g. 2026-11-20T00:00:00+08:00)");
    }
    if (from > to)
      return badParam("from", "is after to: the range is [from, to)");
    auto number = [](const std::string& text, std::int64_t& out) {
      if (text.empty() || text.size() > 18 ||
          text.find_first_not_of("0123456789") != std::string::npos)
        return false;
      out = std::stoll(text);
      return true;
    };
    std::int64_t after = 0, limit = kReplayPageDefault;
    if (const std::string text = queryParam(req, "after"); !text.empty() && !number(text, after))
      return badParam("after", "'" + text.substr(0, 64) + "' is not a journal id (next_after)");
    if (const std::string text = queryParam(req, "limit");
        !text.empty() && (!number(text, limit) || limit < 1 || limit > storage::kMaxJournalPage))
      return badParam(
          "limit", "must be a whole number from 1 to " + std::to_string(storage::kMaxJournalPage));

    auto record = ctx_.mappingVersions.get(system, version);
    if (!record.ok())
      return registryProblem(res, record.error());
    if (!record.value()) {
      return registryProblem(res, Error{"mapping.not_found",
                                        "system " + system.substr(0, 128) +
                                            " has no mapping version " + version.substr(0, 64),
                                        ""});
    }
    auto draft = ctx_.mappingVersions.load(system, version);
    if (!draft.ok())
      return registryProblem(res, Error{"mapping.invalid", draft.error().describe(), ""});
    const storage::JournalRange range{system, from, to};
    auto page =
        exchange::replayPage(ctx_.store, *draft.value(), range, after, static_cast<int>(limit));
    if (!page.ok()) {
      if (page.error().code == "store.not_found")
        return badParam("after", page.error().message);
      logLine("error", "replay failed", {{"system", system}, {"error", page.error().message}});
      return sendProblem(res, 503, "store-unavailable", "Store unavailable",
                         "the journal could not be read");
    }
    rapidjson::Document d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    d.AddMember("system", json::string(system, a), a);
    d.AddMember("version", json::string(version, a), a);
    d.AddMember("from", json::string(formatRfc3339(from), a), a);
    d.AddMember("to", json::string(formatRfc3339(to), a), a);
    if (after == 0) {
      // The first page tells how many messages the whole range holds (for a progress display).
      auto total = ctx_.store.journalCount(range);
      if (total.ok())
        d.AddMember("total", static_cast<int64_t>(total.value()), a);
    }
    rapidjson::Value messages(rapidjson::kArrayType);
    for (const auto& m : page.value().messages)
      messages.PushBack(exchange::messageReplayToJson(m, a), a);
    d.AddMember("messages", messages, a);
    d.AddMember("summary", exchange::replaySummaryToJson(page.value().summary, a), a);
    if (page.value().nextAfter)
      d.AddMember("next_after", static_cast<int64_t>(*page.value().nextAfter), a);
    else
      d.AddMember("next_after", rapidjson::Value(rapidjson::kNullType), a);
    sendJson(res, 200, json::write(d));
  }

  // ---------------------------------------------------------------- audit trail

  // The filters of /ops/v1/audit and /export; "audit.filter" naming the bad parameter.
  Result<registry::AuditQuery> auditQuery(HTTPServerRequest& req, bool exporting) {
    registry::AuditQuery q;
    std::vector<std::pair<std::string, std::string>> params;
    try {
      params = Poco::URI(req.getURI()).getQueryParameters();
    } catch (const Poco::Exception&) {
      return Error{"audit.filter", "the query string is malformed", "query"};
    }
    std::set<std::string> seen;
    for (const auto& [k, v] : params) {
      if (!seen.insert(k).second)
        return Error{"audit.filter", k.substr(0, 64) + " is given twice", k.substr(0, 64)};
      if (v.size() > 512)
        return Error{"audit.filter", k + " is longer than 512 bytes", k};
      auto whole = [&](std::int64_t& out, std::int64_t min, std::int64_t max) -> Result<void> {
        char* end = nullptr;
        errno = 0;
        const long long n = std::strtoll(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || errno != 0 || n < min || n > max) {
          return Error{
              "audit.filter",
              k + " is a whole number from " + std::to_string(min) + " to " + std::to_string(max),
              k};
        }
        out = n;
        return {};
      };
      if (k == "system") {
        q.system = v;
      } else if (k == "item") {
        q.item = v;
      } else if (k == "actor") {
        q.actor = v;
      } else if (k == "action") {
        q.action = v;
      } else if (k == "target") {
        q.targetContains = v;
      } else if (k == "since" || k == "until") {
        EpochMillis t = 0;
        if (!parseRfc3339(v, t))
          return Error{"audit.filter", k + " is an RFC 3339 time (2026-11-27T09:30:00+08:00)", k};
        (k == "since" ? q.since : q.until) = t;
      } else if (k == "after") {
        if (auto r = whole(q.afterSeq, 0, INT64_MAX); !r.ok())
          return r.error();
      } else if (k == "limit" && !exporting) {
        std::int64_t n = 0;
        if (auto r = whole(n, 1, registry::kMaxAuditPage); !r.ok())
          return r.error();
        q.limit = static_cast<int>(n);
      } else if (k == "format" && exporting) {
        if (v != "csv" && v != "json")
          return Error{"audit.filter", "format is csv or json", k};
      } else {
        return Error{"audit.filter", "unknown parameter '" + k.substr(0, 64) + "'",
                     k.substr(0, 64)};
      }
    }
    return q;
  }

  void audit(HTTPServerRequest& req, HTTPServerResponse& res,
             const std::vector<std::string>& parts) {
    auto actor = staffActor(req, res);
    if (!actor)
      return;
    const bool exporting = parts.size() == 4 && parts[3] == "export";
    if (parts.size() != 3 && !exporting)
      return sendProblem(res, 404, "not-found", "Not found", "use /ops/v1/audit or /export");
    if (req.getMethod() != "GET")
      return methodNotAllowed(res, "GET");
    if (!permitted(req, res, *actor, Need::kAuditRead))
      return;
    auto q = auditQuery(req, exporting);
    if (!q.ok())
      return registryProblem(res, q.error());
    if (exporting)
      return exportAudit(req, res, q.value());
    auto page = ctx_.registry.queryAudit(q.value());
    if (!page.ok())
      return registryProblem(res, page.error());
    std::ostringstream out;
    out << "{\"entries\":[";
    bool first = true;
    for (const auto& e : page.value().entries) {
      out << (first ? "" : ",");
      registry::writeAuditJson(out, e);
      first = false;
    }
    out << "],\"next_after\":";
    if (page.value().nextAfterSeq == 0)
      out << "null";
    else
      out << page.value().nextAfterSeq;
    out << "}";
    sendJson(res, 200, out.str());
  }

  // Every matching entry, page by page, written as it is read (chunked): bounded memory on
  // any trail length.
  void exportAudit(HTTPServerRequest& req, HTTPServerResponse& res, registry::AuditQuery q) {
    const bool csv = queryParam(req, "format", "csv") == "csv";
    q.limit = registry::kMaxAuditPage;
    auto page = ctx_.registry.queryAudit(q);
    if (!page.ok())
      return registryProblem(res, page.error());
    res.setStatusAndReason(HTTPResponse::HTTP_OK);
    res.setContentType(csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8");
    res.set("Content-Disposition",
            std::string("attachment; filename=\"audit.") + (csv ? "csv" : "json") + "\"");
    res.setChunkedTransferEncoding(true);
    std::ostream& out = res.send();
    if (csv)
      out << registry::kAuditCsvHeader;
    else
      out << "[";
    std::int64_t written = 0;
    for (;;) {
      for (const auto& e : page.value().entries) {
        if (csv) {
          registry::writeAuditCsv(out, e);
        } else {
          out << (written == 0 ? "\n" : ",\n");
          registry::writeAuditJson(out, e);
        }
        ++written;
      }
      if (page.value().nextAfterSeq == 0 || !out)
        break;
      q.afterSeq = page.value().nextAfterSeq;
      page = ctx_.registry.queryAudit(q);
      if (!page.ok()) {
        // Mid-stream: the status is sent; cut the body short so the client sees it incomplete.
        logLine("error", "audit export failed", {{"error", page.error().message}});
        res.setKeepAlive(false);
        throw Poco::IOException("audit export failed mid-stream");
      }
    }
    if (!csv)
      out << (written == 0 ? "]\n" : "\n]\n");
  }

  const GatewayContext& ctx_;
  std::string body_;  // the request's body, read before routing
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(const GatewayContext& ctx) : ctx_(ctx) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new Handler(ctx_);  // never nullptr: POCO would answer 501
  }

 private:
  const GatewayContext& ctx_;
};

}  // namespace

void logLine(const std::string& level, const std::string& msg,
             const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string line = "{\"ts\":" + jsonString(formatRfc3339(SystemClock().now())) +
                     ",\"level\":" + jsonString(level) + ",\"msg\":" + jsonString(msg);
  for (const auto& [k, v] : fields)
    line += "," + jsonString(k) + ":" + jsonString(v);
  line += "}\n";
  std::lock_guard<std::mutex> lock(gLogMutex);
  std::cerr << line << std::flush;
}

GatewayServer::GatewayServer(GatewayContext context) : ctx_(context) {}

GatewayServer::~GatewayServer() {
  stop();
}

Result<void> GatewayServer::start() {
  auto makeParams = [this] {
    Poco::AutoPtr<Poco::Net::HTTPServerParams> params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(static_cast<int>(ctx_.config.threads));
    params->setMaxQueued(1024);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setTimeout(Poco::Timespan(30, 0));
    return params;
  };
  if (ctx_.config.plainListener) {
    try {
      Poco::Net::ServerSocket socket(
          Poco::Net::SocketAddress(ctx_.config.listenHost, ctx_.config.listenPort), 256);
      pool_ = std::make_unique<Poco::ThreadPool>(2, static_cast<int>(ctx_.config.threads));
      server_ =
          std::make_unique<Poco::Net::HTTPServer>(new Factory(ctx_), *pool_, socket, makeParams());
      server_->start();
    } catch (const Poco::Exception& e) {
      return Error{"http.listen",
                   "cannot listen on " + ctx_.config.listenHost + ":" +
                       std::to_string(ctx_.config.listenPort) + ": " + e.displayText(),
                   ""};
    }
  }
  if (ctx_.config.tls) {
    tls_ = std::make_unique<TlsListener>(*ctx_.config.tls, new Factory(ctx_), makeParams(),
                                         ctx_.config.threads, ctx_.metrics);
    if (auto r = tls_->start(); !r.ok()) {
      tls_.reset();
      stop();
      return r.error();
    }
  }
  return {};
}

unsigned short GatewayServer::port() const {
  return server_ ? server_->port() : 0;
}

unsigned short GatewayServer::tlsPort() const {
  return tls_ ? tls_->port() : 0;
}

void GatewayServer::stop() {
  if (server_) {
    server_->stopAll(false);  // stop accepting; in-flight requests finish
    pool_->joinAll();
    server_.reset();
  }
  if (tls_) {
    tls_->stop();
    tls_.reset();
  }
}

}  // namespace huitong::http
