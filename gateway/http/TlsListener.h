// The gateway's HTTPS side (POCO NetSSL over OpenSSL): the server TLS context built from the
// "tls" config block, the listener that serves the same request handlers over it (handshakes
// in the connection's thread, failures logged and dropped), and the department's client
// certificate as seen by a request handler (mTLS).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Poco/AutoPtr.h>
#include <Poco/Net/Context.h>
#include <Poco/SharedPtr.h>

#include "gateway/core/Error.h"
#include "gateway/exchange/Metrics.h"
#include "gateway/http/GatewayConfig.h"

namespace Poco {
class ThreadPool;
}  // namespace Poco
namespace Poco::Net {
class HTTPRequestHandlerFactory;
class HTTPServerParams;
class HTTPServerRequest;
class TCPServer;
}  // namespace Poco::Net

namespace huitong::http {

// TLS 1.2 ciphers when the config names none: forward secrecy and AEAD only.
extern const char* const kDefaultTls12Ciphers;
// TLS 1.3 suites when the config names none.
extern const char* const kDefaultTls13Suites;

// The server context of `config`: certificate and key loaded (and checked to be a pair), TLS
// 1.0/1.1 off, client certificates requested per `clientCertificates` and verified against
// `caFile` only. An error's `path` names the offending key ("certificate_file", "ciphers", ...).
Result<Poco::AutoPtr<Poco::Net::Context>> makeServerContext(const TlsListenerConfig& config);

// The verified client certificate of a request, when it came over TLS with one.
struct PeerCertificate {
  std::string subject;            // RFC 2253
  std::string sha256Fingerprint;  // "AB:CD:..."
};
// Whether `request` arrived over TLS.
bool isSecure(Poco::Net::HTTPServerRequest& request);
std::optional<PeerCertificate> peerCertificate(Poco::Net::HTTPServerRequest& request);
bool matches(const std::vector<ClientCertRule>& rules, const PeerCertificate& peer);
// A configured subject in the form matches() compares: RFC 2253 with the spaces after
// separators removed ("CN=a, O=b" reads as "CN=a,O=b").
std::string normalizeSubject(const std::string& subject);

// An HTTPS listener serving `factory`'s handlers. REQUIRES: start() once; stop() before the
// factory's state goes away. Not thread-safe (start and stop from one thread).
class TlsListener {
 public:
  // Failed handshakes are logged and counted in huitong_tls_handshake_failures_total.
  TlsListener(TlsListenerConfig config,
              Poco::SharedPtr<Poco::Net::HTTPRequestHandlerFactory> factory,
              Poco::AutoPtr<Poco::Net::HTTPServerParams> params, unsigned threads,
              exchange::MetricsRegistry& metrics);
  ~TlsListener();
  Result<void> start();
  unsigned short port() const;
  // Stops accepting; requests in progress finish.
  void stop();

 private:
  TlsListenerConfig config_;
  Poco::SharedPtr<Poco::Net::HTTPRequestHandlerFactory> factory_;
  Poco::AutoPtr<Poco::Net::HTTPServerParams> params_;
  unsigned threads_;
  exchange::MetricsRegistry& metrics_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::TCPServer> server_;
};

}  // namespace huitong::http
