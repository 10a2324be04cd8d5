#include "gateway/monitor/host/AgentServer.h"

#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <chrono>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <rapidjson/document.h>

#include "gateway/core/Json.h"
#include "gateway/monitor/host/AgentTls.h"
#include "gateway/monitor/host/HostFigures.h"

namespace huitong::monitor::host {

bool constantTimeEquals(const std::string& given, const std::string& expected) {
  // Walks `expected` whatever `given` is, so the time says nothing about the token.
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const unsigned char g = given.empty() ? 0 : static_cast<unsigned char>(given[i % given.size()]);
    diff |= static_cast<unsigned char>(g ^ static_cast<unsigned char>(expected[i]));
  }
  return diff == 0 && !expected.empty();
}

struct AgentServer::Impl {
  AgentOptions options;
  const Clock& clock;
  HostReader reader;
  long clockTicks = ::sysconf(_SC_CLK_TCK);
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  std::uint16_t port = 0;

  Impl(AgentOptions o, const Clock& c)
      : options(std::move(o)), clock(c), reader(options.reader, c) {}
};

namespace {

void send(Poco::Net::HTTPServerResponse& res, Poco::Net::HTTPResponse::HTTPStatus status,
          const std::string& contentType, const std::string& body) {
  res.setStatus(status);
  res.setContentType(contentType);
  res.set("Cache-Control", "no-store");
  res.setContentLength(static_cast<std::streamsize>(body.size()));
  res.send() << body;
}

void problem(Poco::Net::HTTPServerResponse& res, Poco::Net::HTTPResponse::HTTPStatus status,
             const std::string& type, const std::string& title, const std::string& detail) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("type", json::string("https://huitong.example/problems/" + type, a), a);
  d.AddMember("title", json::string(title, a), a);
  d.AddMember("status", static_cast<int>(status), a);
  d.AddMember("detail", json::string(detail, a), a);
  send(res, status, "application/problem+json; charset=utf-8", json::write(d));
}

// The request target without its query (never parsed further: only exact paths are served).
std::string pathOf(const std::string& target) {
  return target.substr(0, target.find('?'));
}

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(AgentServer::Impl& impl) : impl_(impl) {}

  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& res) override {
    const auto t0 = std::chrono::steady_clock::now();
    try {
      serve(req, res);
    } catch (const std::exception& e) {
      if (!res.sent()) {
        problem(res, Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "agent-internal",
                "Internal error", e.what());
      }
    }
    if (impl_.options.requestLog) {
      impl_.options.requestLog(
          req.getMethod(), pathOf(req.getURI()), static_cast<int>(res.getStatus()),
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
  }

 private:
  void serve(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
    // No request body is read: a connection that sent one is closed after the answer, so its
    // unread bytes are never taken for the next request.
    if (req.hasContentLength() ? req.getContentLength() > 0 : req.getChunkedTransferEncoding())
      res.setKeepAlive(false);
    const std::string path = pathOf(req.getURI());
    const std::string auth = req.get("Authorization", "");
    const std::string scheme = "Bearer ";
    const bool bearer = auth.size() > scheme.size() &&
                        std::equal(scheme.begin(), scheme.end(), auth.begin(), [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
    if (!bearer || !constantTimeEquals(auth.substr(scheme.size()), impl_.options.token)) {
      res.set("WWW-Authenticate", "Bearer realm=\"huitong-agent\"");
      problem(res, Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED, "unauthorized", "Unauthorized",
              bearer ? "the bearer token is not this agent's token"
                     : "send Authorization: Bearer <token> (the agent's --token-file)");
      return;
    }
    if (path != "/v1/host" && path != "/metrics") {
      problem(res, Poco::Net::HTTPResponse::HTTP_NOT_FOUND, "not-found", "Not found",
              "the agent serves GET /v1/host and GET /metrics");
      return;
    }
    if (req.getMethod() != Poco::Net::HTTPRequest::HTTP_GET) {
      res.set("Allow", "GET");
      problem(res, Poco::Net::HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "method-not-allowed",
              "Method not allowed", path + " answers GET only");
      return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto figures = impl_.reader.read();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!figures.ok()) {
      problem(res, Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "host-unreadable",
              "Host figures unreadable", figures.error().describe());
      return;
    }
    if (path == "/metrics") {
      send(res, Poco::Net::HTTPResponse::HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
           toPrometheus(figures.value(), seconds, impl_.clockTicks));
      return;
    }
    rapidjson::Document d;
    rapidjson::Value v = toJson(figures.value(), d.GetAllocator());
    send(res, Poco::Net::HTTPResponse::HTTP_OK, "application/json; charset=utf-8", json::write(v));
  }

  AgentServer::Impl& impl_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(AgentServer::Impl& impl) : impl_(impl) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(impl_);
  }

 private:
  AgentServer::Impl& impl_;
};

}  // namespace

AgentServer::AgentServer(AgentOptions options, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), clock)) {
  assert(!impl_->options.token.empty());
}

AgentServer::~AgentServer() {
  stop();
}

Result<void> AgentServer::start() {
  try {
    std::unique_ptr<Poco::Net::ServerSocket> secure;
    Poco::Net::ServerSocket plain;
    if (!impl_->options.tlsCertificateFile.empty()) {
      auto context = makeAgentServerContext(impl_->options.tlsCertificateFile,
                                            impl_->options.tlsPrivateKeyFile);
      if (!context.ok())
        return context.error();
      secure = std::make_unique<Poco::Net::SecureServerSocket>(context.value());
    }
    Poco::Net::ServerSocket& socket = secure ? *secure : plain;
    socket.bind(Poco::Net::SocketAddress(impl_->options.host, impl_->options.port), true, false);
    socket.listen(64);
    impl_->port = socket.address().port();
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    const int threads = static_cast<int>(std::max(1u, impl_->options.threads));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setTimeout(Poco::Timespan(10, 0));
    params->setMaxThreads(threads);
    params->setMaxQueued(64);
    params->setSoftwareVersion("huitong-agent");
    // One keep-alive connection per thread in POCO: a pool sized for the scrapers (STACK-NOTES).
    impl_->pool = std::make_unique<Poco::ThreadPool>(1, threads + 1, 30);
    impl_->server =
        std::make_unique<Poco::Net::HTTPServer>(new Factory(*impl_), *impl_->pool, socket, params);
    impl_->server->start();
  } catch (const Poco::Exception& e) {
    impl_->server.reset();
    impl_->pool.reset();
    return Error{"agent.listen", "cannot listen: " + e.displayText(),
                 impl_->options.host + ":" + std::to_string(impl_->options.port)};
  }
  return {};
}

std::uint16_t AgentServer::port() const {
  return impl_->port;
}

void AgentServer::stop() {
  if (impl_->server) {
    impl_->server->stopAll(false);
    impl_->server.reset();
  }
  if (impl_->pool) {
    impl_->pool->joinAll();
    impl_->pool.reset();
  }
}

}  // namespace huitong::monitor::host
