#include "gateway/http/SandboxApi.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include "gateway/core/Json.h"
#include "gateway/http/GatewayServer.h"
#include "gateway/http/RequestParts.h"
#include "gateway/http/TlsListener.h"

namespace huitong::http {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

// The request a sandbox adapter is handling on this thread: push adapters submit from inside
// handle(), on the request's thread, so the Host finds who sent it and which version to run.
struct SandboxCall {
  std::string actor;
  registry::MappingVersionRecord version;
  std::optional<sandbox::Session> session;
};
thread_local SandboxCall* tCall = nullptr;

void sendText(HTTPServerResponse& res, int status, const std::string& body,
              const std::string& type) {
  res.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
  res.setContentType(type);
  res.setContentLength(static_cast<std::streamsize>(body.size()));
  res.send() << body;
}

void sendProblem(HTTPServerResponse& res, int status, const std::string& type,
                 const std::string& title, const std::string& detail,
                 const std::string& extra = "") {
  const auto a = adapter::problem(status, type, title, detail, extra);
  sendText(res, a.status, a.body, a.contentType);
}

// What an adapter learns of a sandbox session: its own answer is worded as in production.
adapter::Submission submissionOf(const sandbox::Session& s) {
  using Outcome = adapter::Submission::Outcome;
  adapter::Submission sub;
  if (s.outcome == "unreadable") {
    sub.outcome = Outcome::kUnreadable;
    sub.error = s.error;
    return sub;
  }
  if (s.outcome == "no_mapping") {
    sub.outcome = Outcome::kUnknownSystem;
    sub.error = s.error;
    return sub;
  }
  sub.messageId = s.id;
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value ids(rapidjson::kArrayType), rejected(rapidjson::kArrayType);
  for (const auto& e : s.events) {
    if (e.verdict == sandbox::Verdict::kAccepted || e.verdict == sandbox::Verdict::kDuplicate) {
      sub.eventIds.push_back(e.eventId);
      ids.PushBack(json::string(e.eventId, a), a);
      continue;
    }
    for (const auto& r : e.rules) {
      adapter::RejectedRule rule{e.record, r.field, r.code, r.sourcePath, r.message, r.sourceLine};
      sub.rejected.push_back(rule);
      rapidjson::Value v = mapping::rejectionToJson(r, a);
      v.AddMember("record", json::string(e.record, a), a);
      rejected.PushBack(v, a);
    }
  }
  sub.outcome = sub.eventIds.empty() ? Outcome::kRejected : Outcome::kAccepted;
  d.AddMember("message_id", json::string(s.id, a), a);
  d.AddMember("events", ids, a);
  d.AddMember("rejected", rejected, a);
  sub.answerJson = json::write(d);
  return sub;
}

// Staff who may read a system's sandbox: admins, operators, auditors; a department account its
// own system only.
bool sees(const registry::Actor& a, const std::string& system) {
  return a.role != registry::Role::kDepartment || (!a.system.empty() && a.system == system);
}

// A pull sandbox must never read (or move, or flag) what production reads: the folders, state
// folder and table of its block are compared with the production block's.
Result<void> sharedPlace(const ConfigNode& production, const ConfigNode& sandbox) {
  auto text = [](const ConfigNode& n, const char* key) -> std::string {
    const auto& v = n.value();
    auto it = v.FindMember(key);
    return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
  };
  for (const char* key : {"folder", "done_dir", "error_dir", "state_dir"}) {
    const std::string p = text(production, key), s = text(sandbox, key);
    if (!p.empty() && !s.empty() && production.resolvePath(p) == sandbox.resolvePath(s))
      return sandbox.fail(key, std::string(key) + " is production's " + key +
                                   ": the sandbox reads a folder of its own");
  }
  const std::string table = text(sandbox, "table");
  if (!table.empty() && table == text(production, "table") &&
      text(sandbox, "connection") == text(production, "connection") &&
      text(sandbox, "connection_file") == text(production, "connection_file")) {
    return sandbox.fail("table", "table " + table +
                                     " on the same connection is production's: the sandbox "
                                     "reads a table of its own");
  }
  return {};
}

bool parseCount(const std::string& text, std::int64_t& out) {
  if (text.empty() || text.size() > 18)
    return false;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
  }
  out = std::strtoll(text.c_str(), nullptr, 10);
  return true;
}

}  // namespace

// A system's sandbox adapter's Host: submissions go to the sandbox, never to the intake. A push
// adapter submits inside handle() (tCall says who and which version); a pull adapter submits
// from its own thread, for the department that put the file or row there, on the version the
// sandbox chooses by default (the newest draft or tested one).
class SandboxApi::SandboxHost final : public adapter::Host, public adapter::Intake {
 public:
  SandboxHost(SandboxApi& api, std::string system, std::string adapterName, bool pull,
              std::string traceDir)
      : api_(api),
        system_(std::move(system)),
        adapterName_(std::move(adapterName)),
        pull_(pull),
        traceDir_(std::move(traceDir)) {}

  adapter::Intake& intake() override { return *this; }
  const Clock& clock() override { return api_.clock_; }

  adapter::Submission submit(const RawMessage& message) override {
    RawMessage m = message;
    m.system = system_;
    if (m.adapter.empty())
      m.adapter = adapterName_;
    if (m.receivedAt == 0)
      m.receivedAt = api_.clock_.now();
    if (!pull_) {
      if (tCall == nullptr) {
        adapter::Submission refused;
        refused.outcome = adapter::Submission::Outcome::kUnknownSystem;
        refused.error = Error{"sandbox.push", "the sandbox takes this system's HTTP requests", ""};
        return refused;
      }
      tCall->session = api_.sandbox_.run(m, tCall->actor, tCall->version);
      return submissionOf(*tCall->session);
    }
    auto version = api_.sandbox_.chooseVersion(system_, "");
    if (!version.ok()) {
      // Nothing to run it on: the file or row waits where it is (kUnknownSystem is not durable).
      adapter::Submission waiting;
      waiting.outcome = adapter::Submission::Outcome::kUnknownSystem;
      waiting.error = version.error();
      return waiting;
    }
    const sandbox::Session session =
        api_.sandbox_.run(m, adapterName_ + ":" + system_, version.value());
    writeTrace(session, m.sourceRef);
    log(adapter::LogLevel::kInfo, "sandbox session",
        {{"session", session.id},
         {"source", m.sourceRef},
         {"version", session.mappingVersion},
         {"outcome", session.outcome}});
    return submissionOf(session);
  }

  void log(adapter::LogLevel level, const std::string& message,
           const adapter::LogFields& fields) override {
    adapter::LogFields all{{"system", system_}, {"adapter", adapterName_}, {"sandbox", "true"}};
    all.insert(all.end(), fields.begin(), fields.end());
    logLine(level == adapter::LogLevel::kError     ? "error"
            : level == adapter::LogLevel::kWarning ? "warning"
                                                   : "info",
            message, all);
  }
  void reportSource(const adapter::SourceStatus&) override {}

 private:
  // <trace_dir>/<session>.json and .html, written whole (a temporary name, then renamed).
  void writeTrace(const sandbox::Session& session, const std::string& source) {
    if (traceDir_.empty())
      return;
    const rapidjson::Document doc = sandbox::sessionToJson(session);
    const std::pair<const char*, std::string> files[] = {{".json", json::writePretty(doc)},
                                                         {".html", sandbox::sessionHtml(doc)}};
    for (const auto& [suffix, text] : files) {
      const std::string path = traceDir_ + "/" + session.id + suffix;
      const std::string tmp = path + ".tmp";
      std::FILE* f = std::fopen(tmp.c_str(), "wb");
      const bool written =
          f != nullptr && std::fwrite(text.data(), 1, text.size(), f) == text.size();
      const bool closed = f != nullptr && std::fclose(f) == 0;
      if (!written || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        std::remove(tmp.c_str());
        log(adapter::LogLevel::kError, "sandbox trace not written",
            {{"session", session.id}, {"source", source}, {"path", path}, {"error", why}});
      }
    }
  }

  SandboxApi& api_;
  std::string system_;
  std::string adapterName_;
  bool pull_;
  std::string traceDir_;
};

SandboxApi::SandboxApi(const GatewayConfig& config, const adapter::AdapterRegistry& registry,
                       const AdapterRuntime& adapters, const exchange::MappingSet& mappings,
                       sandbox::SandboxService& sandbox, exchange::MetricsRegistry& metrics,
                       const Clock& clock)
    : config_(config),
      registry_(registry),
      adapters_(adapters),
      mappings_(mappings),
      sandbox_(sandbox),
      metrics_(metrics),
      clock_(clock) {}

SandboxApi::~SandboxApi() = default;

Result<void> SandboxApi::create() {
  static const rapidjson::Value kNoBlock(rapidjson::kObjectType);
  std::vector<auth::DepartmentKey> keys;
  for (const SystemConfig& sc : config_.systems) {
    keys.insert(keys.end(), sc.sandboxKeys.begin(), sc.sandboxKeys.end());
    const AdapterRuntime::System* rt = adapters_.find(sc.id);
    if (rt == nullptr)
      continue;
    const bool pull = rt->kind == adapter::AdapterKind::kPull;
    if (!pull && sc.sandboxAdapterConfig) {
      return sc.sandboxAdapterConfig->fail(
          "", "system '" + sc.id + "' is pushed (" + rt->adapterName +
                  "): its sandbox is POST /sandbox/v1/" + sc.id +
                  " with sandbox keys; sandbox.adapter is for file_drop and db_poll systems");
    }
    if (pull && !sc.sandboxKeys.empty() && !sc.sandboxAdapterConfig) {
      return Error{"config.invalid",
                   "system '" + sc.id + "' is pulled (" + rt->adapterName +
                       "): sandbox keys have nothing to sign; give it a sandbox folder or table "
                       "(systems." +
                       sc.id + ".sandbox.adapter)",
                   sc.where};
    }
    if ((!pull && sc.sandboxKeys.empty()) || (pull && !sc.sandboxAdapterConfig))
      continue;
    if (pull && sc.adapterConfig) {
      if (auto shared = sharedPlace(*sc.adapterConfig, *sc.sandboxAdapterConfig); !shared.ok())
        return shared.error();
    }
    const adapter::AdapterFactory* factory = registry_.find(rt->adapterName);
    if (factory == nullptr)
      continue;
    auto host =
        std::make_unique<SandboxHost>(*this, sc.id, rt->adapterName, pull, sc.sandboxTraceDir);
    // A push system: the same config block as production (the same formats, the same wording).
    // A pull system: the sandbox block (its own folder or table), the same adapter.
    adapter::AdapterSpec spec{
        sc.id, rt->format,
        pull               ? *sc.sandboxAdapterConfig
        : sc.adapterConfig ? *sc.adapterConfig
                           : ConfigNode(
                                 kNoBlock, "", [&sc](const std::string&) { return sc.where; }, ""),
        host.get()};
    Result<std::unique_ptr<adapter::Adapter>> made{Error{}};
    try {
      made = factory->create(spec);
    } catch (const std::exception& e) {
      made = Error{"adapter.create", rt->adapterName + ": " + e.what(), sc.where};
    }
    if (!made.ok()) {
      Error e = made.error();
      e.message = "system '" + sc.id + "' sandbox (" + rt->adapterName + "): " + e.message;
      return e;
    }
    adapterOf_[sc.id] = std::move(made).value();
    hosts_[sc.id] = std::move(host);
  }
  auto verifier = auth::Verifier::create(keys, clock_);
  if (!verifier.ok()) {
    Error e = verifier.error();
    e.message = "sandbox keys: " + e.message;
    return e;
  }
  verifier_ = std::make_unique<auth::Verifier>(std::move(verifier).value());
  return {};
}

Result<void> SandboxApi::start() {
  for (const auto& [system, sandboxAdapter] : adapterOf_) {
    const AdapterRuntime::System* rt = adapters_.find(system);
    if (rt == nullptr || rt->kind != adapter::AdapterKind::kPull)
      continue;
    Result<void> r{};
    try {
      r = sandboxAdapter->start();
    } catch (const std::exception& e) {
      r = Error{"adapter.start", e.what(), ""};
    }
    if (!r.ok()) {
      Error e = r.error();
      e.message = "system '" + system + "' sandbox: " + e.message;
      return e;
    }
    started_.push_back(system);
    logLine("info", "sandbox adapter started", {{"system", system}});
  }
  return {};
}

void SandboxApi::stop() {
  for (const auto& system : started_) {
    try {
      adapterOf_[system]->stop();
    } catch (const std::exception& e) {
      logLine("error", "sandbox adapter stop failed", {{"system", system}, {"error", e.what()}});
    }
  }
  started_.clear();
}

bool SandboxApi::handles(const std::vector<std::string>& parts) {
  if (parts.size() >= 3 && parts[0] == "sandbox" && parts[1] == "v1")
    return true;
  return parts.size() == 6 && parts[0] == "ops" && parts[1] == "v1" && parts[2] == "filings" &&
         parts[5] == "evidence";
}

void SandboxApi::handle(HTTPServerRequest& req, HTTPServerResponse& res,
                        const std::vector<std::string>& parts, std::string body,
                        const StaffActor& staffActor) {
  const std::string& method = req.getMethod();
  auto onlyGet = [&]() {
    if (method == "GET")
      return true;
    res.set("Allow", "GET");
    sendProblem(res, 405, "method-not-allowed", "Method not allowed", "use GET");
    return false;
  };
  if (parts[0] == "ops") {
    if (!onlyGet())
      return;
    auto actor = staffActor();
    if (!actor)
      return;
    return evidence(req, res, *actor, parts[3], parts[4]);
  }
  if (parts.size() == 3 && parts[2] == "sessions") {
    if (!onlyGet())
      return;
    auto actor = staffActor();
    if (!actor)
      return;
    return sessions(req, res, *actor);
  }
  if (parts.size() == 4 && parts[2] == "sessions") {
    if (!onlyGet())
      return;
    auto actor = staffActor();
    if (!actor)
      return;
    return session(req, res, *actor, parts[3]);
  }
  if (parts.size() == 3) {
    if (method != "POST") {
      res.set("Allow", "POST");
      return sendProblem(res, 405, "method-not-allowed", "Method not allowed", "use POST");
    }
    return intake(req, res, parts[2], std::move(body));
  }
  sendProblem(res, 404, "not-found", "Not found",
              "use POST /sandbox/v1/{system}, GET /sandbox/v1/sessions[/{id}]");
}

void SandboxApi::intake(HTTPServerRequest& req, HTTPServerResponse& res, const std::string& system,
                        std::string body) {
  const SystemConfig* sys = config_.findSystem(system);
  const AdapterRuntime::System* rt = adapters_.find(system);
  if (sys == nullptr || rt == nullptr) {
    return sendProblem(res, 404, "unknown-system", "Unknown system",
                       "no department system '" + system.substr(0, 64) + "'");
  }
  if (sys->sandboxKeys.empty() && !sys->sandboxAdapterConfig) {
    return sendProblem(res, 404, "no-sandbox", "No sandbox",
                       "system " + system +
                           " has no sandbox: its configuration names no sandbox keys "
                           "(systems." +
                           system + ".sandbox.keys, docs/configuration.md)");
  }
  auto adapterIt = adapterOf_.find(system);
  if (rt->kind != adapter::AdapterKind::kPush || adapterIt == adapterOf_.end()) {
    return sendProblem(res, 404, "no-sandbox", "No sandbox",
                       "system " + system + " is pulled (" + rt->adapterName +
                           "): its sandbox takes no HTTP requests but reads the folder or table "
                           "of systems." +
                           system + ".sandbox.adapter (docs/sandbox.md \"Pull systems\")");
  }
  adapter::Adapter& sandboxAdapter = *adapterIt->second;
  const std::string label = "system=\"" + exchange::MetricsRegistry::escape(system) + "\"";
  // The sandbox keys only: a production key is unknown here (and a sandbox key in production).
  auth::SignedRequest sr;
  sr.method = req.getMethod();
  sr.targetUri = std::string(isSecure(req) ? "https://" : "http://") + req.getHost() + req.getURI();
  for (const auto& [name, value] : req)
    sr.headers[lower(name)] = value;
  sr.body = body;
  auto who = verifier_->verify(sr);
  if (!who.ok() || who.value().system != system) {
    const bool forbidden = who.ok();
    logLine("warning", "sandbox request refused",
            {{"system", system},
             {"code", who.ok() ? "auth.system" : who.error().code},
             {"why", who.ok() ? "key " + who.value().keyId + " is for " + who.value().system
                              : who.error().message},
             {"peer", req.clientAddress().host().toString()}});
    metrics_.counter("huitong_sandbox_auth_failures_total", "Refused sandbox requests", label)
        .inc();
    auto a = adapter::problem(forbidden ? 403 : 401, forbidden ? "forbidden" : "unauthorized",
                              forbidden ? "Forbidden" : "Unauthorized",
                              forbidden ? "this sandbox key may not submit for this system"
                                        : "the request is not authenticated with a sandbox key "
                                          "of this system");
    a = sandboxAdapter.refuse(a);
    for (const auto& [n, v] : a.headers)
      res.set(n, v);
    return sendText(res, a.status, a.body, a.contentType);
  }
  auto version = sandbox_.chooseVersion(system, queryParam(req, "version"));
  if (!version.ok()) {
    const auto& e = version.error();
    if (e.code == "sandbox.version" || e.code == "sandbox.no_mapping")
      return sendProblem(res, 404, e.code == "sandbox.version" ? "unknown-version" : "no-mapping",
                         e.code == "sandbox.version" ? "Unknown mapping version" : "No mapping",
                         e.message, e.path.empty() ? "" : "\"parameter\":\"version\"");
    return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                       "the registry did not answer");
  }
  adapter::HttpRequest in;
  in.method = req.getMethod();
  in.target = req.getURI();
  in.contentType = req.getContentType();
  parseContentType(in.contentType, in.mediaType, in.charset);
  for (const auto& [name, value] : req)
    in.headers.emplace_back(lower(name), value);
  in.body = body;
  in.peer = req.clientAddress().toString();
  SandboxCall call;
  call.actor = who.value().keyId;
  call.version = version.value();
  adapter::HttpAnswer answer;
  tCall = &call;
  try {
    answer = sandboxAdapter.handle(in);
  } catch (const std::exception& e) {
    logLine("error", "sandbox adapter failed on a request",
            {{"system", system}, {"adapter", rt->adapterName}, {"error", e.what()}});
    answer = adapter::problem(500, "internal", "Internal error",
                              "the adapter could not handle the request");
  }
  tCall = nullptr;
  sandbox::Session session =
      call.session ? std::move(*call.session)
                   : sandbox_.refused(
                         adapter::rawMessageOf(in, system, rt->adapterName, clock_.now()),
                         call.actor, call.version, answer.status, answer.contentType, answer.body);
  metrics_
      .counter("huitong_sandbox_sessions_total", "Joint-debug sessions, by system and outcome",
               label + ",outcome=\"" + exchange::MetricsRegistry::escape(session.outcome) + "\"")
      .inc();
  const rapidjson::Document doc = sandbox::sessionToJson(session);
  res.set("Location", "/sandbox/v1/sessions/" + session.id);
  const int status = session.recorded ? 201 : 200;
  if (sandbox::prefersHtml(req.get("Accept", "")))
    return sendText(res, status, sandbox::sessionHtml(doc), "text/html; charset=utf-8");
  sendText(res, status, json::write(doc), "application/json; charset=utf-8");
}

void SandboxApi::sessions(HTTPServerRequest& req, HTTPServerResponse& res,
                          const registry::Actor& actor) {
  sandbox::SessionQuery q;
  q.system = queryParam(req, "system");
  q.item = queryParam(req, "item");
  q.version = queryParam(req, "version");
  if (actor.role == registry::Role::kDepartment) {
    if (q.system.empty())
      q.system = actor.system;
    if (!sees(actor, q.system))
      return sendProblem(res, 404, "not-found", "Not found",
                         "no sandbox sessions of system '" + q.system.substr(0, 64) + "'");
  }
  const std::string after = queryParam(req, "after");
  const std::string limit = queryParam(req, "limit");
  std::int64_t n = 0;
  if (!after.empty()) {
    if (!parseCount(after, n))
      return sendProblem(res, 400, "bad-parameter", "Bad parameter",
                         "after is the next_after of the previous page (a number)",
                         "\"parameter\":\"after\"");
    q.afterSeq = n;
  }
  if (!limit.empty()) {
    if (!parseCount(limit, n) || n < 1 || n > sandbox::kMaxSessionPage)
      return sendProblem(res, 400, "bad-parameter", "Bad parameter",
                         "limit is 1.." + std::to_string(sandbox::kMaxSessionPage),
                         "\"parameter\":\"limit\"");
    q.limit = static_cast<int>(n);
  }
  auto page = sandbox_.store().sessions(q);
  if (!page.ok())
    return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                       "the sandbox store did not answer");
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& s : page.value().sessions) {
    rapidjson::Value v(rapidjson::kObjectType);
    v.AddMember("session_id", json::string(s.id, a), a);
    v.AddMember("system", json::string(s.system, a), a);
    v.AddMember("actor", json::string(s.actor, a), a);
    v.AddMember("at", json::string(formatRfc3339(s.at), a), a);
    v.AddMember("mapping_version", json::string(s.mappingVersion, a), a);
    v.AddMember("outcome", json::string(s.outcome, a), a);
    auto summary = json::parse(s.summaryJson);
    if (summary.ok())
      v.AddMember("summary", rapidjson::Value(summary.value(), a), a);
    list.PushBack(v, a);
  }
  d.AddMember("sessions", list, a);
  if (page.value().nextAfterSeq > 0)
    d.AddMember("next_after", page.value().nextAfterSeq, a);
  else
    d.AddMember("next_after", rapidjson::Value(rapidjson::kNullType), a);
  sendText(res, 200, json::write(d), "application/json; charset=utf-8");
}

void SandboxApi::session(HTTPServerRequest& req, HTTPServerResponse& res,
                         const registry::Actor& actor, const std::string& id) {
  auto got = sandbox_.store().session(id);
  if (!got.ok())
    return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                       "the sandbox store did not answer");
  // Another system's session is not found (its id tells nothing).
  if (!got.value() || !sees(actor, got.value()->summary.system))
    return sendProblem(res, 404, "unknown-session", "Unknown session",
                       "no sandbox session " + id.substr(0, 64));
  if (sandbox::prefersHtml(req.get("Accept", ""))) {
    auto doc = json::parse(got.value()->traceJson);
    if (doc.ok())
      return sendText(res, 200, sandbox::sessionHtml(doc.value()), "text/html; charset=utf-8");
  }
  sendText(res, 200, got.value()->traceJson, "application/json; charset=utf-8");
}

void SandboxApi::evidence(HTTPServerRequest& req, HTTPServerResponse& res,
                          const registry::Actor& actor, const std::string& system,
                          const std::string& item) {
  if (config_.findSystem(system) == nullptr || !sees(actor, system))
    return sendProblem(res, 404, "unknown-system", "Unknown system",
                       "no department system '" + system.substr(0, 64) + "'");
  std::string version = queryParam(req, "version");
  if (version.empty()) {
    auto chosen = sandbox_.chooseVersion(system, "");
    if (!chosen.ok())
      return sendProblem(res, 404, "no-mapping", "No mapping", chosen.error().message);
    version = chosen.value().version;
  }
  auto report = sandbox_.evidence(system, item, version);
  if (!report.ok()) {
    const auto& e = report.error();
    if (e.code == "sandbox.version")
      return sendProblem(res, 404, "unknown-version", "Unknown mapping version", e.message,
                         "\"parameter\":\"version\"");
    if (e.code.rfind("store.", 0) == 0)
      return sendProblem(res, 503, "unavailable", "Temporarily unavailable",
                         "the store did not answer");
    return sendProblem(res, 422, "evidence", "Evidence cannot be judged", e.message);
  }
  sendText(res, 200, sandbox::evidenceJson(report.value()), "application/json; charset=utf-8");
}

}  // namespace huitong::http
