// One HTTP/1.1 request and its answer, measured phase by phase and bounded in time and size:
// the probe's own client (not Poco's HTTPClientSession) because a probe must say how long DNS,
// connect, the TLS handshake and the first byte took, stop exactly at the run's deadline
// however the target misbehaves (a hang, a trickle, gigabytes), and judge the peer certificate
// itself. Every socket is non-blocking and waited on with poll(); DNS uses getaddrinfo_a, so
// the calling thread never waits past the deadline.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/Error.h"
#include "gateway/monitor/CheckResult.h"
#include "gateway/monitor/probe/Url.h"

namespace huitong::monitor::probe {

using Headers = std::vector<std::pair<std::string, std::string>>;

// A point in steady time that every wait of a run stops at.
class Deadline {
 public:
  explicit Deadline(unsigned timeoutMs)
      : at_(std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs)),
        timeoutMs_(timeoutMs) {}
  // Milliseconds left, at least 0.
  int remainingMs() const;
  bool passed() const { return remainingMs() <= 0; }
  unsigned timeoutMs() const { return timeoutMs_; }

 private:
  std::chrono::steady_clock::time_point at_;
  unsigned timeoutMs_;
};

// The client side of TLS for probes: trust anchors (the system's, or a CA file) and whether
// the peer is verified. Built once per setting; shared by probes and runs on any thread.
class TlsClient {
 public:
  // caFile empty: the system's trust store. Error code "probe.tls.ca_file". The same
  // (verify, caFile) gives the same context while one is alive (shared, built once).
  static Result<std::shared_ptr<const TlsClient>> create(bool verify, const std::string& caFile);
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;
  bool verify() const { return verify_; }
  void* nativeContext() const { return ctx_; }  // SSL_CTX*

 private:
  TlsClient() = default;
  static Result<std::shared_ptr<const TlsClient>> build(bool verify, const std::string& caFile);
  void* ctx_ = nullptr;
  bool verify_ = true;
};

struct HttpRequest {
  std::string method = "GET";
  Url url;
  Headers headers;  // besides Host, Connection: close, Accept-Encoding: identity, Content-Length
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::string reason;
  Headers headers;
  std::string body;
  // The value of the first header called `name` (case-insensitive).
  std::optional<std::string> header(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
};

// The peer certificate of an https exchange, read whether or not it verified.
struct PeerCertificate {
  std::string subject;
  std::string notAfter;     // RFC 3339
  double daysLeft = 0;      // from RunContext's clock to notAfter, negative once expired
  long verifyResult = 0;    // X509_V_OK (0) or the X509 verification error
  std::string verifyError;  // OpenSSL's words for verifyResult; empty when verified
};

struct ExchangeOptions {
  std::shared_ptr<const TlsClient> tls;  // required for https
  std::size_t maxBodyBytes = 4 * 1024 * 1024;
  std::size_t maxHeaderBytes = 64 * 1024;
  long long nowMillis = 0;  // "now" for the certificate's days left
};

// What one exchange came to. `error` set: no usable answer (code probe.dns, probe.connect,
// probe.timeout, probe.tls, probe.tls.verify, probe.protocol, probe.too_large; too_large keeps
// the status and headers). Timings are durations of each phase: dns (absent for an address),
// connect, tls (absent for http), first byte = from the start of writing the request to the
// first byte of the answer, total = the whole exchange.
struct Exchange {
  std::optional<Error> error;
  HttpResponse response;
  PhaseTimings timings;
  std::optional<PeerCertificate> peer;
  std::string address;  // the address connected to, "127.0.0.1:8443"
};

// Sends `request` and reads the answer, never past `deadline`. Never throws.
Exchange exchange(const HttpRequest& request, const ExchangeOptions& options,
                  const Deadline& deadline);

}  // namespace huitong::monitor::probe
