#include "sandbox/mock_platform/MockPlatform.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <string_view>
#include <utility>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/MediaType.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gateway/core/Json.h"
#include "gateway/validation/Validator.h"

namespace huitong::sandbox {
namespace {

constexpr std::size_t kMaxBatch = 500;
constexpr std::size_t kDefaultReceivedLimit = 1000;
constexpr std::size_t kMaxReceivedLimit = 100000;
constexpr std::int64_t kMaxLatencyMs = 600000;
constexpr std::int64_t kMaxFaultSeconds = 86400;
constexpr std::string_view kExchangePrefix = "/exchange/v1/";
constexpr std::string_view kControlPrefix = "/control/v1/";
constexpr std::string_view kEventsPath = "/exchange/v1/case-events";
constexpr std::string_view kBatchPath = "/exchange/v1/case-events:batch";
constexpr std::string_view kHealthPath = "/exchange/v1/health";

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// A JSON answer body under construction.
class Body {
 public:
  JsonWriter& w() { return w_; }
  void key(std::string_view k) { w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
  void str(std::string_view s) { w_.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
  void member(std::string_view k, std::string_view v) {
    key(k);
    str(v);
  }
  void member(std::string_view k, std::uint64_t v) {
    key(k);
    w_.Uint64(v);
  }
  std::string text() const { return std::string(sb_.GetString(), sb_.GetSize()); }

 private:
  rapidjson::StringBuffer sb_;
  JsonWriter w_{sb_};
};

struct Reply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;  // the request body was not read to its end: the connection cannot go on
};

Reply errorReply(int status, std::string_view message) {
  Body b;
  b.w().StartObject();
  b.member("status", "error");
  b.member("message", message);
  b.w().EndObject();
  return {status, b.text(), {}, false};
}

void writeReceipt(Body& b, const Receipt& r) {
  b.key("receipt");
  b.w().StartObject();
  b.member("receipt_no", r.receiptNo);
  b.member("event_id", r.eventId);
  b.member("received_at", formatRfc3339(r.receivedAt));
  b.w().EndObject();
}

// A request id worth echoing: 1-128 visible ASCII characters.
bool usableRequestId(const std::string& id) {
  return !id.empty() && id.size() <= 128 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// Strict non-negative decimal; false on anything else or overflow.
bool parseUnsigned(const std::string& s, std::uint64_t& out) {
  if (s.empty() || s.size() > 19) {
    return false;
  }
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = v;
  return true;
}

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// One event of a request, judged by the Validator; `json` and `eventId` only when valid.
struct Judged {
  std::vector<validation::Violation> violations;
  std::string eventId;
  std::string json;
};

}  // namespace

namespace {

// The HTTPS listener's context: TLS 1.2+, the given certificate and key, and with a client CA
// file, client certificates required and verified against it.
Result<Poco::AutoPtr<Poco::Net::Context>> makeTlsContext(const MockPlatform::Options& o) {
  auto fail = [](const std::string& what) {
    std::string reasons;
    while (const unsigned long e = ERR_get_error()) {
      const char* r = ERR_reason_error_string(e);
      reasons += (reasons.empty() ? "" : "; ") + std::string(r ? r : "error");
    }
    return Error{"mock.tls", what + (reasons.empty() ? "" : " (" + reasons + ")"), ""};
  };
  Poco::AutoPtr<Poco::Net::Context> context;
  try {
    Poco::Net::Context::Params params;
    params.verificationMode = Poco::Net::Context::VERIFY_NONE;
    context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
  } catch (const Poco::Exception& e) {
    return fail("cannot make a TLS context: " + e.displayText());
  }
  SSL_CTX* ctx = context->sslContext();
  ERR_clear_error();
  SSL_CTX_set_default_passwd_cb(ctx, [](char*, int, int, void*) { return 0; });
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx, o.tlsCertificateFile.c_str()) != 1)
    return fail("cannot load the certificate " + o.tlsCertificateFile);
  if (SSL_CTX_use_PrivateKey_file(ctx, o.tlsPrivateKeyFile.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1)
    return fail("cannot load the private key " + o.tlsPrivateKeyFile + " for the certificate");
  if (!o.tlsClientCaFile.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, o.tlsClientCaFile.c_str(), nullptr) != 1)
      return fail("cannot load the client CA file " + o.tlsClientCaFile);
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.tlsClientCaFile.c_str()))
      SSL_CTX_set_client_CA_list(ctx, names);
    static const unsigned char kSessionContext[] = "huitong-mock-platform";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  return context;
}

}  // namespace

class MockPlatform::Impl {
 public:
  explicit Impl(Options options)
      : options_(std::move(options)),
        clock_(options_.clock != nullptr ? *options_.clock : systemClock_),
        validator_(clock_),
        store_(options_.maxStoredEvents, options_.maxStoredBytes),
        rng_(options_.seed) {}

  ~Impl() { stop(); }

  Result<void> start();
  void stop();
  std::uint16_t port() const { return port_.load(); }
  std::uint16_t tlsPort() const { return tlsPort_.load(); }
  void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp);

  EventStore& store() { return store_; }
  Stats stats() const {
    std::lock_guard<std::mutex> lock(statsMutex_);
    return stats_;
  }
  FaultSettings faults() const {
    std::lock_guard<std::mutex> lock(faultsMutex_);
    return faults_;
  }
  void setFaults(const FaultSettings& f) {
    std::lock_guard<std::mutex> lock(faultsMutex_);
    faults_ = f;
  }
  void reset() {
    store_.clear();
    {
      std::lock_guard<std::mutex> lock(faultsMutex_);
      faults_ = FaultSettings{};
      rng_.seed(options_.seed);
    }
    std::lock_guard<std::mutex> lock(statsMutex_);
    stats_ = Stats{};
  }

 private:
  class Handler;
  class Factory;

  Reply dispatch(Poco::Net::HTTPServerRequest& req, const Poco::URI& uri, const std::string& body);
  Reply exchange(Poco::Net::HTTPServerRequest& req, const std::string& path,
                 const std::string& body);
  Reply control(const std::string& method, const Poco::URI& uri, const std::string& body);
  Reply postEvent(const std::string& body);
  Reply postBatch(const std::string& body);
  Reply getReceipt(const std::string& eventId);
  Reply putFaults(const std::string& body);
  Reply faultsReply() const;
  Reply receivedReply(const Poco::URI& uri) const;
  Reply statsReply() const;

  Judged judge(const rapidjson::Value& event) const;
  // Reads the body into `out`, at most maxBodyBytes; a 413 reply when it is larger.
  std::optional<Reply> readBody(Poco::Net::HTTPServerRequest& req, std::string& out) const;
  std::optional<Reply> checkJsonContentType(const Poco::Net::HTTPServerRequest& req) const;
  std::optional<Reply> checkBearer(const Poco::Net::HTTPServerRequest& req) const;
  // An injected 429, 503 or 500 for an event request, or nothing.
  std::optional<Reply> injectedFault();
  void pause(std::int64_t millis);
  std::string newRequestId();
  void count(std::uint64_t Stats::*field) {
    std::lock_guard<std::mutex> lock(statsMutex_);
    ++(stats_.*field);
  }
  void countRejected(const std::vector<validation::Violation>& violations) {
    std::lock_guard<std::mutex> lock(statsMutex_);
    ++stats_.rejected;
    for (const auto& v : violations) {
      ++stats_.rejectedByCode[v.code];
    }
  }
  void countOutcome(EventStore::Outcome o) {
    switch (o) {
      case EventStore::Outcome::kAccepted:
        count(&Stats::accepted);
        break;
      case EventStore::Outcome::kDuplicate:
        count(&Stats::duplicate);
        break;
      case EventStore::Outcome::kConflict:
        count(&Stats::conflict);
        break;
    }
  }
  Reply fullReply() {
    count(&Stats::full);
    return errorReply(503, "the mock platform holds its maximum of " +
                               std::to_string(store_.maxEvents()) +
                               " events (or bytes); POST /control/v1/reset to empty it");
  }

  const Options options_;
  SystemClock systemClock_;
  const Clock& clock_;
  validation::Validator validator_;
  EventStore store_;

  mutable std::mutex faultsMutex_;  // guards faults_ and rng_
  FaultSettings faults_;
  std::mt19937_64 rng_;

  mutable std::mutex statsMutex_;
  Stats stats_;

  std::atomic<std::uint64_t> requestSerial_{0};
  std::atomic<std::uint16_t> port_{0};

  std::mutex sleepMutex_;
  std::condition_variable sleepCv_;
  bool stopping_ = false;  // guarded by sleepMutex_

  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::atomic<std::uint16_t> tlsPort_{0};
  std::unique_ptr<Poco::ThreadPool> tlsPool_;
  std::unique_ptr<Poco::Net::HTTPServer> tlsServer_;
};

class MockPlatform::Impl::Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(Impl& impl) : impl_(impl) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    impl_.handle(req, resp);
  }

 private:
  Impl& impl_;
};

// Never returns nullptr (POCO would answer 501): unknown paths are the handler's 404.
class MockPlatform::Impl::Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(Impl& impl) : impl_(impl) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(impl_);
  }

 private:
  Impl& impl_;
};

Result<void> MockPlatform::Impl::start() {
  assert(!server_);
  try {
    Poco::Net::SocketAddress address(options_.host, options_.port);
    // SO_REUSEADDR but not SO_REUSEPORT (which POCO's binding constructor also sets): a second
    // platform on a port in use must fail, not share the port's traffic.
    Poco::Net::ServerSocket socket;
    socket.bind(address, true, false);
    socket.listen(64);
    port_ = socket.address().port();

    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(static_cast<long>(options_.keepAliveSeconds), 0));
    params->setTimeout(Poco::Timespan(30, 0));
    const int threads = static_cast<int>(std::max(1u, options_.threads));
    params->setMaxThreads(threads);
    params->setMaxQueued(256);
    params->setSoftwareVersion("huitong-mock-platform");

    // POCO serves one keep-alive connection per thread: the pool is sized for connections
    // (STACK-NOTES), with room for the dispatcher's own bookkeeping.
    pool_ = std::make_unique<Poco::ThreadPool>(2, threads + 2, 30);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), *pool_, socket, params);
    if (!options_.tlsCertificateFile.empty()) {
      auto context = makeTlsContext(options_);
      if (!context.ok()) {
        server_.reset();
        pool_.reset();
        port_ = 0;
        return context.error();
      }
      Poco::Net::SecureServerSocket tlsSocket(context.value());
      tlsSocket.bind(Poco::Net::SocketAddress(options_.host, options_.tlsPort), true, false);
      tlsSocket.listen(64);
      tlsPort_ = tlsSocket.address().port();
      tlsPool_ = std::make_unique<Poco::ThreadPool>(2, threads + 2, 30);
      tlsServer_ =
          std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), *tlsPool_, tlsSocket, params);
      tlsServer_->start();
    }
    server_->start();
  } catch (const Poco::Exception& e) {
    if (tlsServer_)
      tlsServer_->stopAll(true);
    tlsServer_.reset();
    tlsPool_.reset();
    tlsPort_ = 0;
    server_.reset();
    pool_.reset();
    port_ = 0;
    return Error{"mock.listen",
                 "cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                     e.displayText(),
                 ""};
  }
  return {};
}

void MockPlatform::Impl::stop() {
  if (!server_) {
    return;
  }
  {
    std::lock_guard<std::mutex> lock(sleepMutex_);
    stopping_ = true;
  }
  sleepCv_.notify_all();
  // Not aborting: each connection finishes the request it is serving, then its socket is shut
  // down, which also wakes connections idling in keep-alive.
  server_->stopAll(false);
  if (tlsServer_)
    tlsServer_->stopAll(false);
  pool_->joinAll();
  server_.reset();
  pool_.reset();
  if (tlsPool_)
    tlsPool_->joinAll();
  tlsServer_.reset();
  tlsPool_.reset();
}

void MockPlatform::Impl::pause(std::int64_t millis) {
  if (millis <= 0) {
    return;
  }
  std::unique_lock<std::mutex> lock(sleepMutex_);
  sleepCv_.wait_for(lock, std::chrono::milliseconds(millis), [this] { return stopping_; });
}

std::string MockPlatform::Impl::newRequestId() {
  char buf[48];
  std::snprintf(buf, sizeof buf, "mock-%llx-%llu", static_cast<unsigned long long>(clock_.now()),
                static_cast<unsigned long long>(++requestSerial_));
  return buf;
}

void MockPlatform::Impl::handle(Poco::Net::HTTPServerRequest& req,
                                Poco::Net::HTTPServerResponse& resp) {
  const auto started = std::chrono::steady_clock::now();
  std::string requestId = req.get("X-Request-Id", "");
  if (!usableRequestId(requestId)) {
    requestId = newRequestId();
  }

  std::string path = req.getURI();
  Reply reply;
  try {
    Poco::URI uri(req.getURI());
    path = uri.getPath();
    std::string body;
    if (auto tooLarge = readBody(req, body)) {
      count(&Stats::tooLarge);
      reply = std::move(*tooLarge);
    } else {
      reply = dispatch(req, uri, body);
    }
  } catch (const Poco::Exception& e) {
    // A malformed URI or chunked body: the rest of the connection cannot be trusted.
    reply = errorReply(400, "unreadable request: " + e.displayText());
    reply.close = true;
  } catch (const std::exception& e) {
    reply = errorReply(500, std::string("internal error: ") + e.what());
    reply.close = true;
  }
  {
    std::lock_guard<std::mutex> lock(statsMutex_);
    ++stats_.requests;
  }

  resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
  resp.setContentType("application/json; charset=utf-8");
  resp.set("X-Request-Id", requestId);
  for (const auto& [name, value] : reply.headers) {
    resp.set(name, value);
  }
  if (reply.close) {
    resp.setKeepAlive(false);
  }
  resp.setContentLength64(static_cast<Poco::Int64>(reply.body.size()));
  try {
    resp.sendBuffer(reply.body.data(), reply.body.size());
  } catch (const Poco::Exception&) {
    // The client went away; nothing to tell it.
  }

  if (options_.requestLog) {
    const std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - started;
    options_.requestLog({req.getMethod(), path, reply.status, elapsed.count(), requestId});
  }
}

std::optional<Reply> MockPlatform::Impl::readBody(Poco::Net::HTTPServerRequest& req,
                                                  std::string& out) const {
  auto tooLarge = [this](bool drained) {
    Reply r = errorReply(
        413, "request body larger than " + std::to_string(options_.maxBodyBytes) + " bytes");
    r.close = !drained;
    return r;
  };
  // An oversized body is read and dropped up to this much more, so that the client, still
  // sending, gets the 413 rather than a reset connection; beyond it the connection is closed.
  const std::uint64_t drainLimit = 8 * std::uint64_t{options_.maxBodyBytes};
  if (req.hasContentLength() && static_cast<std::uint64_t>(req.getContentLength64()) > drainLimit) {
    return tooLarge(false);
  }
  std::istream& in = req.stream();
  char buf[16384];
  std::uint64_t total = 0;
  while (in) {
    in.read(buf, sizeof buf);
    const auto n = static_cast<std::size_t>(in.gcount());
    total += n;
    if (total > drainLimit) {
      return tooLarge(false);
    }
    if (total <= options_.maxBodyBytes) {
      out.append(buf, n);
    }
  }
  if (total > options_.maxBodyBytes) {
    out.clear();
    return tooLarge(true);
  }
  return std::nullopt;
}

Reply MockPlatform::Impl::dispatch(Poco::Net::HTTPServerRequest& req, const Poco::URI& uri,
                                   const std::string& body) {
  const std::string& path = uri.getPath();
  if (startsWith(path, kExchangePrefix)) {
    return exchange(req, path, body);
  }
  if (startsWith(path, kControlPrefix)) {
    return control(req.getMethod(), uri, body);
  }
  count(&Stats::notFound);
  return errorReply(404, "no such endpoint: " + path);
}

std::optional<Reply> MockPlatform::Impl::checkBearer(
    const Poco::Net::HTTPServerRequest& req) const {
  if (options_.bearerToken.empty()) {
    return std::nullopt;
  }
  const std::string auth = req.get("Authorization", "");
  const std::string scheme = "bearer ";
  if (auth.size() > scheme.size() && Poco::icompare(auth.substr(0, scheme.size()), scheme) == 0 &&
      auth.substr(scheme.size()) == options_.bearerToken) {
    return std::nullopt;
  }
  Reply r = errorReply(401, auth.empty() ? "Authorization: Bearer <token> is required"
                                         : "the bearer token is not accepted");
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"huitong-mock-platform\"");
  return r;
}

std::optional<Reply> MockPlatform::Impl::checkJsonContentType(
    const Poco::Net::HTTPServerRequest& req) const {
  const std::string declared = req.getContentType();
  bool ok = false;
  try {
    Poco::Net::MediaType type(declared);
    const std::string charset =
        type.hasParameter("charset") ? type.getParameter("charset") : "utf-8";
    ok = type.matches("application", "json") &&
         (Poco::icompare(charset, "utf-8") == 0 || Poco::icompare(charset, "utf8") == 0);
  } catch (const Poco::Exception&) {
    ok = false;
  }
  if (ok) {
    return std::nullopt;
  }
  return errorReply(400,
                    "Content-Type must be application/json; charset=utf-8, not '" + declared + "'");
}

std::optional<Reply> MockPlatform::Impl::injectedFault() {
  FaultSettings f;
  bool fail503 = false;
  bool fail500 = false;
  {
    std::lock_guard<std::mutex> lock(faultsMutex_);
    f = faults_;
    std::uniform_real_distribution<double> u(0.0, 1.0);
    if (!f.rejectAllWith429) {
      fail503 = f.status503Rate > 0 && u(rng_) < f.status503Rate;
      fail500 = !fail503 && f.errorRate > 0 && u(rng_) < f.errorRate;
    }
  }
  auto withRetryAfter = [&f](Reply r) {
    if (f.retryAfterSeconds > 0) {
      r.headers.emplace_back("Retry-After", std::to_string(f.retryAfterSeconds));
    }
    return r;
  };
  if (f.rejectAllWith429) {
    count(&Stats::injected429);
    return withRetryAfter(errorReply(429, "too many requests (injected fault)"));
  }
  if (fail503) {
    count(&Stats::injected503);
    return withRetryAfter(errorReply(503, "service unavailable (injected fault)"));
  }
  if (fail500) {
    count(&Stats::injected500);
    return errorReply(500, "internal error (injected fault)");
  }
  return std::nullopt;
}

Reply MockPlatform::Impl::exchange(Poco::Net::HTTPServerRequest& req, const std::string& path,
                                   const std::string& body) {
  const FaultSettings f = faults();
  pause(f.latencyMs);

  const EpochMillis now = clock_.now();
  if (now < f.outageUntil) {
    count(&Stats::outage503);
    Reply r = errorReply(503, "the platform is down (injected outage)");
    r.headers.emplace_back("Retry-After", std::to_string((f.outageUntil - now + 999) / 1000));
    return r;
  }

  enum class Call { kPost, kBatch, kReceipt, kHealth };
  Call call;
  std::string allow;
  const std::string& method = req.getMethod();
  std::string_view receiptPrefix = "/exchange/v1/case-events/";
  if (path == kEventsPath) {
    call = Call::kPost;
    allow = "POST";
  } else if (path == kBatchPath) {
    call = Call::kBatch;
    allow = "POST";
  } else if (path == kHealthPath) {
    call = Call::kHealth;
    allow = "GET";
  } else if (startsWith(path, receiptPrefix) && path.size() > receiptPrefix.size() &&
             path.find('/', receiptPrefix.size()) == std::string::npos) {
    call = Call::kReceipt;
    allow = "GET";
  } else {
    count(&Stats::notFound);
    return errorReply(404, "no such endpoint: " + path);
  }
  if (method != allow) {
    Reply r = errorReply(405, method + " is not allowed on " + path + " (allowed: " + allow + ")");
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  if (auto denied = checkBearer(req)) {
    count(&Stats::unauthorized);
    return std::move(*denied);
  }
  if (call == Call::kHealth) {
    Body b;
    b.w().StartObject();
    b.member("status", "up");
    b.w().EndObject();
    return {200, b.text(), {}, false};
  }
  if (auto fault = injectedFault()) {
    return std::move(*fault);
  }
  if (call == Call::kReceipt) {
    return getReceipt(path.substr(receiptPrefix.size()));
  }
  if (auto wrongType = checkJsonContentType(req)) {
    count(&Stats::badRequest);
    return std::move(*wrongType);
  }
  return call == Call::kPost ? postEvent(body) : postBatch(body);
}

Judged MockPlatform::Impl::judge(const rapidjson::Value& event) const {
  Judged j;
  if (validator_.validate(event, j.violations)) {
    const rapidjson::Value& id = event["event_id"];
    j.eventId.assign(id.GetString(), id.GetStringLength());
    j.json = canonicalJson(event);
  }
  return j;
}

namespace {

void writeRejected(Body& b, const rapidjson::Value& event,
                   const std::vector<validation::Violation>& violations) {
  b.w().StartObject();
  b.member("status", "rejected");
  if (event.IsObject()) {
    auto id = event.FindMember("event_id");
    if (id != event.MemberEnd() && id->value.IsString()) {
      b.member("event_id", std::string_view(id->value.GetString(), id->value.GetStringLength()));
    }
  }
  b.key("errors");
  b.w().StartArray();
  for (const auto& v : violations) {
    b.w().StartObject();
    b.member("field", v.field);
    b.member("code", v.code);
    b.member("message", v.message);
    b.w().EndObject();
  }
  b.w().EndArray();
  b.w().EndObject();
}

// The answer body of one stored event; returns its HTTP status.
int writeSubmission(Body& b, const EventStore::Submission& s) {
  b.w().StartObject();
  switch (s.outcome) {
    case EventStore::Outcome::kAccepted:
    case EventStore::Outcome::kDuplicate:
      b.member("status", s.outcome == EventStore::Outcome::kAccepted ? "accepted" : "duplicate");
      writeReceipt(b, s.receipt);
      b.w().EndObject();
      return 200;
    case EventStore::Outcome::kConflict:
      b.member("status", "conflict");
      b.member("event_id", s.receipt.eventId);
      b.member("message", "the platform holds event_id " + s.receipt.eventId +
                              " with other content (receipt " + s.receipt.receiptNo + ")");
      b.w().EndObject();
      return 409;
  }
  return 500;
}

std::optional<Reply> parseJson(const std::string& body, std::size_t maxBytes,
                               rapidjson::Document& out) {
  json::ParseLimits limits;
  limits.maxBytes = maxBytes;
  auto parsed = json::parse(body, limits);
  if (!parsed.ok()) {
    return errorReply(400, "malformed JSON: " + parsed.error().describe());
  }
  out = std::move(parsed).value();
  return std::nullopt;
}

}  // namespace

Reply MockPlatform::Impl::postEvent(const std::string& body) {
  rapidjson::Document doc;
  if (auto bad = parseJson(body, options_.maxBodyBytes, doc)) {
    count(&Stats::badRequest);
    return std::move(*bad);
  }
  Judged j = judge(doc);
  Body b;
  if (!j.violations.empty()) {
    countRejected(j.violations);
    writeRejected(b, doc, j.violations);
    return {422, b.text(), {}, false};
  }
  auto submitted = store_.submit({{std::move(j.eventId), std::move(j.json)}}, clock_.now());
  if (!submitted) {
    return fullReply();
  }
  countOutcome(submitted->front().outcome);
  const int status = writeSubmission(b, submitted->front());
  return {status, b.text(), {}, false};
}

Reply MockPlatform::Impl::postBatch(const std::string& body) {
  rapidjson::Document doc;
  if (auto bad = parseJson(body, options_.maxBodyBytes, doc)) {
    count(&Stats::badRequest);
    return std::move(*bad);
  }
  if (!doc.IsArray() || doc.Empty() || doc.Size() > kMaxBatch) {
    count(&Stats::badRequest);
    return errorReply(400, doc.IsArray() ? "a batch holds 1 to 500 case events, this one " +
                                               std::to_string(doc.Size())
                                         : "a batch is a JSON array of 1 to 500 case events");
  }
  std::vector<Judged> judged;
  judged.reserve(doc.Size());
  std::vector<EventStore::Candidate> candidates;
  for (const auto& event : doc.GetArray()) {
    judged.push_back(judge(event));
    if (judged.back().violations.empty()) {
      candidates.push_back({judged.back().eventId, std::move(judged.back().json)});
    }
  }
  auto submitted = store_.submit(candidates, clock_.now());
  if (!submitted) {
    return fullReply();
  }

  Body b;
  b.w().StartObject();
  b.key("results");
  b.w().StartArray();
  std::size_t next = 0;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    if (!judged[i].violations.empty()) {
      countRejected(judged[i].violations);
      writeRejected(b, doc[i], judged[i].violations);
    } else {
      const EventStore::Submission& s = (*submitted)[next++];
      countOutcome(s.outcome);
      writeSubmission(b, s);
    }
  }
  b.w().EndArray();
  b.w().EndObject();
  return {200, b.text(), {}, false};
}

Reply MockPlatform::Impl::getReceipt(const std::string& eventId) {
  auto receipt = store_.find(eventId);
  if (!receipt) {
    count(&Stats::notFound);
    return errorReply(404, "the platform holds no event " + eventId);
  }
  Body b;
  b.w().StartObject();
  b.member("status", "accepted");
  writeReceipt(b, *receipt);
  b.w().EndObject();
  return {200, b.text(), {}, false};
}

// ---- control API ----

Reply MockPlatform::Impl::control(const std::string& method, const Poco::URI& uri,
                                  const std::string& body) {
  const std::string& path = uri.getPath();
  auto only = [&](const char* allowed) -> std::optional<Reply> {
    if (method == allowed) {
      return std::nullopt;
    }
    Reply r = errorReply(405, method + " is not allowed on " + path);
    r.headers.emplace_back("Allow", allowed);
    return r;
  };
  if (path == "/control/v1/faults") {
    if (method == "GET") {
      return faultsReply();
    }
    if (method == "PUT") {
      return putFaults(body);
    }
    Reply r = errorReply(405, method + " is not allowed on " + path);
    r.headers.emplace_back("Allow", "GET, PUT");
    return r;
  }
  if (path == "/control/v1/received") {
    if (auto r = only("GET")) {
      return std::move(*r);
    }
    return receivedReply(uri);
  }
  if (path == "/control/v1/stats") {
    if (auto r = only("GET")) {
      return std::move(*r);
    }
    return statsReply();
  }
  if (path == "/control/v1/reset") {
    if (auto r = only("POST")) {
      return std::move(*r);
    }
    reset();
    Body b;
    b.w().StartObject();
    b.member("status", "reset");
    b.w().EndObject();
    return {200, b.text(), {}, false};
  }
  count(&Stats::notFound);
  return errorReply(404, "no such endpoint: " + path);
}

Reply MockPlatform::Impl::faultsReply() const {
  const FaultSettings f = faults();
  const EpochMillis now = clock_.now();
  Body b;
  b.w().StartObject();
  b.key("error_rate");
  b.w().Double(f.errorRate);
  b.key("latency_ms");
  b.w().Int64(f.latencyMs);
  b.key("status_503_rate");
  b.w().Double(f.status503Rate);
  b.key("retry_after_seconds");
  b.w().Int64(f.retryAfterSeconds);
  b.key("outage_seconds");
  b.w().Double(f.outageUntil > now ? static_cast<double>(f.outageUntil - now) / 1000.0 : 0.0);
  b.key("reject_all_with_429");
  b.w().Bool(f.rejectAllWith429);
  b.w().EndObject();
  return {200, b.text(), {}, false};
}

Reply MockPlatform::Impl::putFaults(const std::string& body) {
  rapidjson::Document doc;
  if (auto bad = parseJson(body, options_.maxBodyBytes, doc)) {
    return std::move(*bad);
  }
  if (!doc.IsObject()) {
    return errorReply(400, "the faults are a JSON object");
  }
  FaultSettings f;
  std::optional<std::uint64_t> seed;
  for (const auto& m : doc.GetObject()) {
    const std::string name(m.name.GetString(), m.name.GetStringLength());
    const rapidjson::Value& v = m.value;
    auto rate = [&](double& out) -> std::optional<Reply> {
      if (!v.IsNumber() || !(v.GetDouble() >= 0.0 && v.GetDouble() <= 1.0)) {
        return errorReply(400, name + " must be a number from 0 to 1");
      }
      out = v.GetDouble();
      return std::nullopt;
    };
    auto bounded = [&](std::int64_t& out, std::int64_t max) -> std::optional<Reply> {
      if (!v.IsInt64() || v.GetInt64() < 0 || v.GetInt64() > max) {
        return errorReply(400, name + " must be an integer from 0 to " + std::to_string(max));
      }
      out = v.GetInt64();
      return std::nullopt;
    };
    std::optional<Reply> bad;
    if (name == "error_rate") {
      bad = rate(f.errorRate);
    } else if (name == "status_503_rate") {
      bad = rate(f.status503Rate);
    } else if (name == "latency_ms") {
      bad = bounded(f.latencyMs, kMaxLatencyMs);
    } else if (name == "retry_after_seconds") {
      bad = bounded(f.retryAfterSeconds, kMaxFaultSeconds);
    } else if (name == "outage_seconds") {
      if (!v.IsNumber() ||
          !(v.GetDouble() >= 0.0 && v.GetDouble() <= static_cast<double>(kMaxFaultSeconds))) {
        bad = errorReply(
            400, "outage_seconds must be a number from 0 to " + std::to_string(kMaxFaultSeconds));
      } else if (v.GetDouble() > 0.0) {
        f.outageUntil = clock_.now() + static_cast<EpochMillis>(std::llround(v.GetDouble() * 1000));
      }
    } else if (name == "reject_all_with_429") {
      if (!v.IsBool()) {
        bad = errorReply(400, "reject_all_with_429 must be true or false");
      } else {
        f.rejectAllWith429 = v.GetBool();
      }
    } else if (name == "seed") {
      if (!v.IsUint64()) {
        bad = errorReply(400, "seed must be a non-negative integer");
      } else {
        seed = v.GetUint64();
      }
    } else {
      bad = errorReply(400, "unknown fault setting '" + name +
                                "' (known: error_rate, latency_ms, status_503_rate, "
                                "retry_after_seconds, outage_seconds, reject_all_with_429, seed)");
    }
    if (bad) {
      return std::move(*bad);
    }
  }
  {
    std::lock_guard<std::mutex> lock(faultsMutex_);
    faults_ = f;
    if (seed) {
      rng_.seed(*seed);
    }
  }
  return faultsReply();
}

Reply MockPlatform::Impl::receivedReply(const Poco::URI& uri) const {
  std::uint64_t since = 0;
  std::uint64_t limit = kDefaultReceivedLimit;
  for (const auto& [name, value] : uri.getQueryParameters()) {
    std::uint64_t n = 0;
    if (name == "since" && parseUnsigned(value, n)) {
      since = n;
    } else if (name == "limit" && parseUnsigned(value, n) && n >= 1 && n <= kMaxReceivedLimit) {
      limit = n;
    } else {
      return errorReply(400, "bad query parameter " + name + "=" + value +
                                 " (since: an arrival index >= 0; limit: 1 to " +
                                 std::to_string(kMaxReceivedLimit) + ")");
    }
  }
  const std::vector<StoredEvent> events = store_.list(since, static_cast<std::size_t>(limit));
  Body b;
  b.w().StartObject();
  b.member("total", static_cast<std::uint64_t>(store_.size()));
  b.member("next_since", events.empty() ? since : events.back().index);
  b.key("events");
  b.w().StartArray();
  for (const StoredEvent& e : events) {
    b.w().StartObject();
    b.member("index", e.index);
    b.member("received_at", formatRfc3339(e.receipt.receivedAt));
    b.member("receipt_no", e.receipt.receiptNo);
    b.member("event_id", e.receipt.eventId);
    b.key("event");
    b.w().RawValue(e.json.data(), e.json.size(), rapidjson::kObjectType);
    b.w().EndObject();
  }
  b.w().EndArray();
  b.w().EndObject();
  return {200, b.text(), {}, false};
}

Reply MockPlatform::Impl::statsReply() const {
  const Stats s = stats();
  Body b;
  b.w().StartObject();
  b.member("requests", s.requests);
  b.member("accepted", s.accepted);
  b.member("duplicate", s.duplicate);
  b.member("conflict", s.conflict);
  b.member("rejected", s.rejected);
  b.key("rejected_by_code");
  b.w().StartObject();
  for (const auto& [code, n] : s.rejectedByCode) {
    b.member(code, n);
  }
  b.w().EndObject();
  b.member("bad_request", s.badRequest);
  b.member("unauthorized", s.unauthorized);
  b.member("too_large", s.tooLarge);
  b.member("not_found", s.notFound);
  b.member("full", s.full);
  b.key("injected");
  b.w().StartObject();
  b.member("error_500", s.injected500);
  b.member("status_503", s.injected503);
  b.member("status_429", s.injected429);
  b.member("outage_503", s.outage503);
  b.w().EndObject();
  b.member("stored", static_cast<std::uint64_t>(store_.size()));
  b.member("stored_bytes", static_cast<std::uint64_t>(store_.bytes()));
  b.member("max_stored_events", static_cast<std::uint64_t>(options_.maxStoredEvents));
  b.w().EndObject();
  return {200, b.text(), {}, false};
}

// ---- MockPlatform ----

MockPlatform::MockPlatform(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
MockPlatform::~MockPlatform() = default;

Result<void> MockPlatform::start() {
  return impl_->start();
}
std::uint16_t MockPlatform::port() const {
  return impl_->port();
}
std::uint16_t MockPlatform::tlsPort() const {
  return impl_->tlsPort();
}
void MockPlatform::stop() {
  impl_->stop();
}

std::vector<StoredEvent> MockPlatform::received(std::uint64_t after, std::size_t limit) const {
  return impl_->store().list(after, limit);
}
std::size_t MockPlatform::receivedCount() const {
  return impl_->store().size();
}
Stats MockPlatform::stats() const {
  return impl_->stats();
}
FaultSettings MockPlatform::faults() const {
  return impl_->faults();
}
void MockPlatform::setFaults(const FaultSettings& faults) {
  impl_->setFaults(faults);
}
void MockPlatform::reset() {
  impl_->reset();
}

}  // namespace huitong::sandbox
