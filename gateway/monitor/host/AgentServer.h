// The HTTP side of `huitong agent`: serves this host's figures to whoever holds the token —
// GET /v1/host (JSON, what the gateway's "agent" check reads) and GET /metrics (Prometheus
// text). Every other request, and any without `Authorization: Bearer <token>`, gets
// application/problem+json.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/monitor/host/HostReader.h"

namespace huitong::monitor::host {

struct AgentOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: a free port (see AgentServer::port())
  std::string token;       // REQUIRES: not empty
  unsigned threads = 4;
  // Both set: serve HTTPS (TLS 1.2+) with this PEM certificate chain and unencrypted key.
  std::string tlsCertificateFile, tlsPrivateKeyFile;
  HostReader::Options reader;
  // Called after each answer (method, path, status, milliseconds); from server threads.
  std::function<void(const std::string&, const std::string&, int, double)> requestLog;
};

// Equal strings in a time that does not depend on where they first differ (nor, beyond the
// length of `expected`, on the length of `given`).
bool constantTimeEquals(const std::string& given, const std::string& expected);

class AgentServer {
 public:
  // `clock` must outlive the server.
  AgentServer(AgentOptions options, const Clock& clock);
  ~AgentServer();
  AgentServer(const AgentServer&) = delete;
  AgentServer& operator=(const AgentServer&) = delete;

  // Binds and serves; the error names the address when it cannot be bound.
  Result<void> start();
  std::uint16_t port() const;
  // Stops accepting and waits for requests in progress.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace huitong::monitor::host
