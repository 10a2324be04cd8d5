#include "gateway/http/GatewayServer.h"

#include <chrono>
#include <iostream>
#include <mutex>
#include <sstream>

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
#include "gateway/http/TlsListener.h"

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

// The value of query parameter `name` ("" or `fallback` when absent).
std::string queryParam(const HTTPServerRequest& req, const std::string& name,
                       const std::string& fallback = "") {
  try {
    for (const auto& [k, v] : Poco::URI(req.getURI()).getQueryParameters()) {
      if (k == name)
        return v;
    }
  } catch (const Poco::Exception&) {
    return fallback;  // a malformed query reads as no parameters
  }
  return fallback;
}

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

// Media type and charset of a Content-Type header.
void parseContentType(const std::string& header, std::string& media, std::string& charset) {
  const auto semi = header.find(';');
  media = lower(header.substr(0, semi));
  while (!media.empty() && media.back() == ' ')
    media.pop_back();
  charset.clear();
  if (semi == std::string::npos)
    return;
  const std::string params = lower(header.substr(semi + 1));
  const auto at = params.find("charset=");
  if (at == std::string::npos)
    return;
  std::string v = header.substr(semi + 1 + at + 8);
  const auto end = v.find(';');
  if (end != std::string::npos)
    v.resize(end);
  while (!v.empty() && (v.back() == ' ' || v.back() == '"'))
    v.pop_back();
  while (!v.empty() && (v.front() == ' ' || v.front() == '"'))
    v.erase(0, 1);
  charset = v;
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
      if (!readBody(req, res, ctx_.config.maxBodyBytes, body_)) {
        sendProblem(res, 413, "too-large", "Body too large",
                    "the body exceeds " + std::to_string(ctx_.config.maxBodyBytes) + " bytes");
      } else {
        route(req, res);
      }
    } catch (const std::exception& e) {
      // Broken invariant or a POCO error mid-answer: log it; answer if nothing was sent.
      logLine("error", "request failed", {{"path", req.getURI()}, {"error", e.what()}});
      if (!res.sent())
        sendProblem(res, 500, "internal", "Internal error", "the request could not be completed");
    }
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
    if (parts.size() >= 3 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "dead-letters") {
      return deadLetters(req, res, parts);
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

  void status(HTTPServerRequest& req, HTTPServerResponse& res, const std::string& system,
              const std::string& id) {
    const SystemConfig* sys = ctx_.config.findSystem(system);
    if (!sys)
      return sendProblem(res, 404, "unknown-system", "Unknown system",
                         "no department system '" + system.substr(0, 64) + "'");
    if (!authenticate(req, res, *sys, body_))
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

  bool operatorAllowed(HTTPServerRequest& req, HTTPServerResponse& res) {
    const std::string auth = req.get("Authorization", "");
    if (!ctx_.config.opsToken.empty() && auth == "Bearer " + ctx_.config.opsToken)
      return true;
    logLine("warning", "operator request refused",
            {{"path", req.getURI()}, {"peer", req.clientAddress().toString()}});
    sendProblem(res, 401, "unauthorized", "Unauthorized", "the request is not authenticated");
    return false;
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
    if (!operatorAllowed(req, res))
      return;
    const std::string actor = req.get("X-Operator", "ops-token");
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
    if (parts.size() == 4 && req.getMethod() == "POST") {
      const std::string& last = parts[3];
      const auto colon = last.find(':');
      const std::string idText = last.substr(0, colon),
                        action = colon == std::string::npos ? "" : last.substr(colon + 1);
      std::int64_t id = 0;
      try {
        id = std::stoll(idText);
      } catch (const std::exception&) {
        return sendProblem(res, 400, "bad-request", "Bad request",
                           "dead letter id must be a number");
      }
      Result<void> r;
      if (action == "requeue") {
        // ?remap=true: after a mapping fix, the event is mapped again from the journaled message.
        std::string payload;
        if (queryParam(req, "remap") == "true") {
          auto remapped = remap(id);
          if (!remapped.ok()) {
            logLine("notice", "dead letter requeue refused",
                    {{"id", idText}, {"actor", actor}, {"why", remapped.error().message}});
            return sendProblem(res, 409, "remap-failed", "Cannot re-map", remapped.error().message);
          }
          payload = remapped.value();
        }
        r = ctx_.store.requeueDeadLetter(id, payload, ctx_.clock.now());
      } else if (action == "discard") {
        r = ctx_.store.discardDeadLetter(id, ctx_.clock.now());
      } else {
        return sendProblem(res, 404, "not-found", "Not found", "actions are :requeue and :discard");
      }
      logLine("notice", "dead letter " + action,
              {{"id", idText}, {"actor", actor}, {"ok", r.ok() ? "true" : "false"}});
      if (!r.ok())
        return sendProblem(res, 404, "not-found", "Not found", r.error().message);
      ctx_.delivery.notify();
      return sendJson(res, 200, "{\"id\":" + idText + ",\"action\":\"" + action + "\"}");
    }
    methodNotAllowed(res, "GET, POST");
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
