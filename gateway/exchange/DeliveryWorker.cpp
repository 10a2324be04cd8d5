#include "gateway/exchange/DeliveryWorker.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <utility>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include "gateway/core/Json.h"
#include "gateway/exchange/TlsDiagnostics.h"

namespace huitong::exchange {
namespace {

struct HttpResult {
  int status = 0;  // 0: no answer (connection refused, timeout)
  std::string body;
  EpochMillis retryAfterMillis = -1;
  std::string error;
};

using TlsContext = Poco::AutoPtr<Poco::Net::Context>;

// The client context for an https:// platform: TLS 1.2+, the platform's certificate verified
// against `caFile` (or the system store) and for `host` (DNS name or IP address, RFC 6125 by
// OpenSSL), an optional client certificate. An error's path names the config key.
Result<TlsContext> makeClientContext(const DeliveryConfig& c, const std::string& host) {
  auto fail = [](const std::string& key, const std::string& message) {
    return Error{"config.invalid", message, key};
  };
  for (const auto& [key, file] : {std::pair<const char*, const std::string*>{"ca_file", &c.caFile},
                                  {"certificate_file", &c.certificateFile},
                                  {"private_key_file", &c.privateKeyFile}}) {
    if (!file->empty() && !std::ifstream(*file, std::ios::binary))
      return fail(key, "cannot read " + *file);
  }
  TlsContext context;
  try {
    Poco::Net::Context::Params params;  // files loaded below, with OpenSSL's own errors
    params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
    params.loadDefaultCAs = false;
    context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
  } catch (const Poco::Exception& e) {
    return fail("", "cannot make a TLS context: " + e.displayText());
  }
  // OpenSSL checks the host name during verification (below); POCO's own later check would
  // look names up in DNS.
  context->enableExtendedCertificateVerification(false);
  SSL_CTX* ctx = context->sslContext();
  ERR_clear_error();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_default_passwd_cb(ctx, [](char*, int, int, void*) { return 0; });
  if (c.caFile.empty() ? SSL_CTX_set_default_verify_paths(ctx) != 1
                       : SSL_CTX_load_verify_locations(ctx, c.caFile.c_str(), nullptr) != 1) {
    return fail(c.caFile.empty() ? "" : "ca_file",
                "cannot load the trusted CAs " + (c.caFile.empty() ? "(system store)" : c.caFile) +
                    ": " + tls::opensslErrors());
  }
  if (!c.certificateFile.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, c.certificateFile.c_str()) != 1)
      return fail("certificate_file", "not a PEM certificate chain: " + c.certificateFile + " (" +
                                          tls::opensslErrors() + ")");
    if (SSL_CTX_use_PrivateKey_file(ctx, c.privateKeyFile.c_str(), SSL_FILETYPE_PEM) != 1) {
      const std::string why = tls::opensslErrors();
      return fail(
          "private_key_file",
          why.find("key values mismatch") != std::string::npos
              ? "the private key " + c.privateKeyFile + " does not belong to the certificate"
              : "cannot load the private key " + c.privateKeyFile + " (" + why +
                    "; an encrypted key is not supported)");
    }
    if (SSL_CTX_check_private_key(ctx) != 1)
      return fail("private_key_file", "the private key does not belong to the certificate");
  }
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  Poco::Net::IPAddress ip;
  const bool hostOk = Poco::Net::IPAddress::tryParse(host, ip)
                          ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1
                          : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0) == 1;
  if (!hostOk)
    return fail("", "cannot verify certificates for host " + host);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, tls::recordVerifyFailure);
  ERR_clear_error();
  return context;
}

}  // namespace

// Opens one session per request (plain, or TLS with the shared client context) and reports
// TLS failures, each reason at most once a minute.
struct DeliveryWorker::Transport {
  std::string host;
  unsigned short port = 80;
  bool https = false;
  TlsContext tls;
  std::string contextError;  // https without a usable context: every send fails with it
  std::function<void(const std::string&, const std::string&)> log;
  const Clock& clock;
  std::mutex mu;
  std::string lastFailure;
  EpochMillis lastFailureAt = 0;

  explicit Transport(const Clock& c) : clock(c) {}
  HttpResult post(const std::string& path, const std::string& token, const std::string& body,
                  EpochMillis timeoutMillis, const std::string& requestId);
  void reportTlsFailure(const std::string& reason);
};

void DeliveryWorker::Transport::reportTlsFailure(const std::string& reason) {
  if (!log)
    return;
  const EpochMillis now = clock.now();
  {
    std::lock_guard<std::mutex> lock(mu);
    if (reason == lastFailure && now - lastFailureAt < 60000)
      return;
    lastFailure = reason;
    lastFailureAt = now;
  }
  log("delivery to the platform refused at TLS; events stay in the outbox", reason);
}

HttpResult DeliveryWorker::Transport::post(const std::string& path, const std::string& token,
                                           const std::string& body, EpochMillis timeoutMillis,
                                           const std::string& requestId) {
  HttpResult r;
  if (https && !tls) {
    r.error = "TLS with the platform failed: " + contextError;
    reportTlsFailure(r.error);
    return r;
  }
  tls::lastVerifyFailure().clear();
  try {
    std::unique_ptr<Poco::Net::HTTPClientSession> connection =
        https ? std::make_unique<Poco::Net::HTTPSClientSession>(host, port, tls)
              : std::make_unique<Poco::Net::HTTPClientSession>(host, port);
    Poco::Net::HTTPClientSession& session = *connection;
    session.setTimeout(Poco::Timespan(static_cast<long>(timeoutMillis / 1000),
                                      static_cast<long>((timeoutMillis % 1000) * 1000)));
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json; charset=utf-8");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    if (!token.empty())
      req.set("Authorization", "Bearer " + token);
    req.set("X-Request-Id", requestId);
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse res;
    std::istream& in = session.receiveResponse(res);
    std::ostringstream ss;
    Poco::StreamCopier::copyStream(in, ss, 8192);
    r.status = static_cast<int>(res.getStatus());
    r.body = ss.str();
    if (res.has("Retry-After")) {
      try {
        r.retryAfterMillis = static_cast<EpochMillis>(std::stol(res.get("Retry-After"))) * 1000;
      } catch (const std::exception&) {
        r.retryAfterMillis = -1;  // an HTTP-date: fall back to backoff
      }
    }
  } catch (const Poco::Net::SSLException& e) {
    r.status = 0;
    r.error =
        "TLS with the platform failed: " +
        (tls::lastVerifyFailure().empty() ? e.displayText()
                                          : "certificate refused: " + tls::lastVerifyFailure());
    reportTlsFailure(r.error);
  } catch (const Poco::Exception& e) {
    r.status = 0;
    r.error = e.displayText();
  } catch (const std::exception& e) {
    r.status = 0;
    r.error = e.what();
  }
  return r;
}

DeliveryWorker::DeliveryWorker(storage::ExchangeStore& store, DeliveryConfig config,
                               const Clock& clock, MetricsRegistry& metrics)
    : store_(store), config_(std::move(config)), clock_(clock), metrics_(metrics) {
  Poco::URI uri(config_.platformUrl);
  host_ = uri.getHost();
  port_ = uri.getPort();
  https_ = uri.getScheme() == "https";
  basePath_ = uri.getPath();
  while (!basePath_.empty() && basePath_.back() == '/')
    basePath_.pop_back();
  transport_ = std::make_unique<Transport>(clock_);
  transport_->host = host_;
  transport_->port = port_;
  transport_->https = https_;
  transport_->log = config_.tlsFailureLog;
  if (https_) {
    // The config loader ran checkTls(): a failure here means the files changed since; every
    // send then fails with the reason (never falls back to plain HTTP).
    auto context = makeClientContext(config_, host_);
    if (context.ok())
      transport_->tls = context.value();
    else
      transport_->contextError = context.error().message;
  }
}

Result<void> DeliveryWorker::checkTls(const DeliveryConfig& config) {
  auto context = makeClientContext(config, Poco::URI(config.platformUrl).getHost());
  if (!context.ok())
    return context.error();
  return {};
}

DeliveryWorker::~DeliveryWorker() {
  stop();
}

void DeliveryWorker::start() {
  if (running_.exchange(true))
    return;
  for (unsigned i = 0; i < config_.workers; ++i)
    threads_.emplace_back([this] { loop(); });
}

void DeliveryWorker::stop() {
  if (!running_.exchange(false))
    return;
  wake_.notify_all();
  for (auto& t : threads_)
    t.join();
  threads_.clear();
}

void DeliveryWorker::notify() {
  wake_.notify_one();
}

EpochMillis DeliveryWorker::backoff(int attempts) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  double d = static_cast<double>(config_.initialBackoffMillis);
  for (int i = 0; i < attempts && d < static_cast<double>(config_.maxBackoffMillis); ++i)
    d *= 2;
  if (d > static_cast<double>(config_.maxBackoffMillis))
    d = static_cast<double>(config_.maxBackoffMillis);
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return static_cast<EpochMillis>(d * jitter(rng));
}

void DeliveryWorker::loop() {
  while (running_) {
    std::size_t handled = 0;
    handled = runOnce();
    if (handled == 0 && running_) {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(config_.idleMillis));
    }
  }
}

std::size_t DeliveryWorker::runOnce() {
  auto claimed = store_.claimDeliverable(static_cast<int>(config_.batchSize), clock_.now(),
                                         config_.leaseMillis);
  auto storeError = [&] {
    metrics_
        .counter("huitong_delivery_store_errors_total",
                 "Outbox claims and settlements of delivery that failed")
        .inc();
  };
  if (!claimed.ok()) {
    storeError();
    return 0;
  }
  const auto& items = claimed.value();
  if (items.empty())
    return 0;
  Settlements settlements;
  settlements.reserve(items.size());
  if (items.size() >= config_.batchThreshold) {
    sendBatch(items, settlements);
  } else {
    for (const auto& item : items)
      sendSingle(item, settlements);
  }
  // One commit for the round. A refused settlement (the item was settled meanwhile by a worker
  // whose lease had expired) changes nothing; when the whole call fails, the claims expire and
  // the events are sent again, which the platform answers as duplicates.
  auto settled = store_.settle(settlements);
  if (!settled.ok())
    storeError();
  return items.size();
}

void DeliveryWorker::sendSingle(const storage::OutboxItem& item, Settlements& out) {
  const auto start = std::chrono::steady_clock::now();
  HttpResult r = transport_->post(basePath_ + "/exchange/v1/case-events", config_.token,
                                  item.payload, config_.timeoutMillis,
                                  item.eventId + "#" + std::to_string(item.attempts + 1));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_
      .histogram("huitong_delivery_latency_seconds", "Time to deliver one request to the platform",
                 {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}, "mode=\"single\"")
      .observe(secs);
  out.push_back(judge(item, r.status, r.body, r.retryAfterMillis, r.error));
}

void DeliveryWorker::sendBatch(const std::vector<storage::OutboxItem>& items, Settlements& out) {
  std::string body = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i)
      body += ",";
    body += items[i].payload;
  }
  body += "]";
  const auto start = std::chrono::steady_clock::now();
  HttpResult r = transport_->post(basePath_ + "/exchange/v1/case-events:batch", config_.token, body,
                                  config_.timeoutMillis,
                                  items.front().eventId + "#batch" + std::to_string(items.size()));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_
      .histogram("huitong_delivery_latency_seconds", "Time to deliver one request to the platform",
                 {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}, "mode=\"batch\"")
      .observe(secs);
  if (r.status == 200) {
    auto doc = json::parse(r.body);
    if (doc.ok() && doc.value().IsObject() && doc.value().HasMember("results") &&
        doc.value()["results"].IsArray() && doc.value()["results"].Size() == items.size()) {
      const auto& results = doc.value()["results"];
      for (rapidjson::SizeType i = 0; i < results.Size(); ++i) {
        const auto& res = results[i];
        const std::string status =
            res.IsObject() && res.HasMember("status") && res["status"].IsString()
                ? res["status"].GetString()
                : "";
        // Each element is judged on its own: map its status to the single-event answer.
        const int code = status == "accepted" || status == "duplicate" ? 200
                         : status == "conflict"                        ? 409
                         : status == "rejected"                        ? 422
                                                                       : 500;
        out.push_back(judge(items[i], code, json::write(res), -1, ""));
      }
      return;
    }
    for (const auto& item : items)
      out.push_back(judge(item, 0, "", -1, "batch answer unreadable: " + r.body.substr(0, 200)));
    return;
  }
  // The batch as a whole failed: every element shares the outcome.
  for (const auto& item : items)
    out.push_back(judge(item, r.status, r.body, r.retryAfterMillis, r.error));
}

storage::Settlement DeliveryWorker::judge(const storage::OutboxItem& item, int status,
                                          const std::string& body, EpochMillis retryAfterMillis,
                                          const std::string& transportError) {
  using Outcome = storage::Settlement::Outcome;
  const EpochMillis now = clock_.now();
  const int attempt = item.attempts + 1;
  auto outcome = [&](const char* o) {
    metrics_
        .counter("huitong_delivery_attempts_total", "Delivery attempts by outcome",
                 std::string("outcome=\"") + o + "\"")
        .inc();
  };
  if (status == 200) {
    auto doc = json::parse(body);
    std::string receipt = "{}";
    if (doc.ok() && doc.value().IsObject() && doc.value().HasMember("receipt")) {
      receipt = json::write(doc.value()["receipt"]);
    }
    const bool duplicate = doc.ok() && doc.value().IsObject() && doc.value().HasMember("status") &&
                           doc.value()["status"].IsString() &&
                           std::string(doc.value()["status"].GetString()) == "duplicate";
    outcome(duplicate ? "duplicate" : "accepted");
    metrics_.counter("huitong_delivered_events_total", "Case events delivered to the platform")
        .inc();
    return storage::Settlement{item.id, Outcome::kDelivered, std::move(receipt), now};
  }
  const bool permanent = status == 409 || status == 422 || status == 400 || status == 413 ||
                         (status >= 400 && status < 500 && status != 401 && status != 403 &&
                          status != 429 && status != 408);
  if (permanent || attempt >= static_cast<int>(config_.maxAttempts)) {
    outcome(permanent ? "permanent" : "exhausted");
    std::string reason =
        permanent ? "platform answered " + std::to_string(status) + ": " + body.substr(0, 2000)
                  : "gave up after " + std::to_string(attempt) + " attempts; last: " +
                        (status ? "HTTP " + std::to_string(status) : transportError);
    metrics_.counter("huitong_dead_letters_total", "Case events that became dead letters").inc();
    return storage::Settlement{item.id, Outcome::kDead, std::move(reason), now};
  }
  outcome(status == 0 ? "unreachable" : "retry");
  EpochMillis wait = backoff(item.attempts);
  if ((status == 429 || status == 503) && retryAfterMillis >= 0)
    wait = std::max(wait, retryAfterMillis);
  std::string error =
      status ? "HTTP " + std::to_string(status) + ": " + body.substr(0, 500) : transportError;
  return storage::Settlement{item.id, Outcome::kRetry, std::move(error), now + wait};
}

}  // namespace huitong::exchange
