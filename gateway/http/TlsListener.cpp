#include "gateway/http/TlsListener.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cctype>
#include <fstream>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/ThreadPool.h>

#include "gateway/exchange/TlsDiagnostics.h"
#include "gateway/http/GatewayServer.h"

namespace huitong::http {

// Mozilla's "intermediate" TLS 1.2 list: ECDHE key exchange, AES-GCM or ChaCha20-Poly1305.
const char* const kDefaultTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
const char* const kDefaultTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

namespace {

using Poco::Net::Context;

bool readable(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  return static_cast<bool>(in);
}

std::string hexFingerprint(const unsigned char* md, unsigned n) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    if (i)
      out += ':';
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xF];
  }
  return out;
}

std::string subjectOf(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  // RFC 2253 with UTF-8 kept as is (department names are often Chinese).
  X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

std::string hexDigits(const std::string& fingerprint) {
  std::string out;
  for (char c : fingerprint) {
    if (c != ':')
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// What a failed handshake most likely was, for the log line's reader.
std::string handshakeHint(const std::string& error) {
  if (error.find("http request") != std::string::npos)
    return "plain HTTP sent to the TLS port";
  if (error.find("wrong version number") != std::string::npos ||
      error.find("unknown protocol") != std::string::npos ||
      error.find("packet length too long") != std::string::npos ||
      error.find("record layer failure") != std::string::npos)
    return "not a TLS client hello (garbage or another protocol)";
  if (error.find("unsupported protocol") != std::string::npos ||
      error.find("version too low") != std::string::npos)
    return "the client offers only TLS versions below min_version";
  if (error.find("no shared cipher") != std::string::npos)
    return "no cipher in common with the client";
  if (error.find("peer did not return a certificate") != std::string::npos)
    return "client_certificates is required and the client sent none";
  if (error.find("certificate verify failed") != std::string::npos ||
      error.find("certificate") != std::string::npos)
    return "the client certificate is not trusted";
  if (error.find("Timeout") != std::string::npos || error.find("timed out") != std::string::npos)
    return "the client did not complete the handshake in time";
  return "";
}

// A connection that completes the TLS handshake itself before serving HTTP, so that a failed
// handshake is one clear log line instead of an exception lost in POCO's ErrorHandler.
class TlsConnection : public Poco::Net::HTTPServerConnection {
 public:
  TlsConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                Poco::Net::HTTPRequestHandlerFactory::Ptr factory, Poco::Timespan handshakeTimeout,
                exchange::MetricsRegistry& metrics)
      : HTTPServerConnection(socket, params, factory),
        handshakeTimeout_(handshakeTimeout),
        metrics_(metrics) {}

  void run() override {
    std::string peer = "?";
    try {
      peer = socket().peerAddress().toString();
    } catch (const Poco::Exception&) {
      // already closed by the peer: the handshake below fails and says so
    }
    tls::lastVerifyFailure().clear();
    try {
      Poco::Net::SecureStreamSocket secure(socket());
      secure.setReceiveTimeout(handshakeTimeout_);
      secure.setSendTimeout(handshakeTimeout_);
      secure.completeHandshake();
    } catch (const Poco::Exception& e) {
      std::string error = e.displayText();
      const std::string hint = handshakeHint(error + " " + tls::lastVerifyFailure());
      std::vector<std::pair<std::string, std::string>> fields = {{"peer", peer}, {"error", error}};
      if (!tls::lastVerifyFailure().empty())
        fields.emplace_back("certificate_error", tls::lastVerifyFailure());
      if (!hint.empty())
        fields.emplace_back("likely", hint);
      logLine("warning", "TLS handshake failed; connection dropped", fields);
      metrics_
          .counter("huitong_tls_handshake_failures_total",
                   "TLS connections to the intake dropped at the handshake")
          .inc();
      return;
    }
    HTTPServerConnection::run();
  }

 private:
  Poco::Timespan handshakeTimeout_;
  exchange::MetricsRegistry& metrics_;
};

class TlsConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  TlsConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                       Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                       Poco::Timespan handshakeTimeout, exchange::MetricsRegistry& metrics)
      : params_(params),
        factory_(factory),
        handshakeTimeout_(handshakeTimeout),
        metrics_(metrics) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new TlsConnection(socket, params_, factory_, handshakeTimeout_, metrics_);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
  Poco::Timespan handshakeTimeout_;
  exchange::MetricsRegistry& metrics_;
};

// HTTPServer::stopAll() tells its connections through the factory's protected serverStopped
// event; a TCPServer with HTTP connections has to do the same.
struct StopNotice : Poco::Net::HTTPRequestHandlerFactory {
  static void send(Poco::Net::HTTPRequestHandlerFactory& factory, bool abortCurrent) {
    (factory.*(&StopNotice::serverStopped))(&factory, abortCurrent);
  }
};

}  // namespace

Result<Poco::AutoPtr<Context>> makeServerContext(const TlsListenerConfig& c) {
  auto fail = [](const std::string& key, const std::string& message) {
    return Error{"config.invalid", message, key};
  };
  if (c.certificateFile.empty())
    return fail("", "tls needs certificate_file and private_key_file");
  if (c.privateKeyFile.empty())
    return fail("", "tls needs private_key_file");
  if (!readable(c.certificateFile))
    return fail("certificate_file", "cannot read " + c.certificateFile);
  if (!readable(c.privateKeyFile))
    return fail("private_key_file", "cannot read " + c.privateKeyFile);
  if (c.clientCertificates != "none" && c.caFile.empty()) {
    return fail("ca_file", "client_certificates \"" + c.clientCertificates +
                               "\" needs ca_file (the CAs of department certificates)");
  }
  if (!c.caFile.empty() && !readable(c.caFile))
    return fail("ca_file", "cannot read " + c.caFile);

  Poco::AutoPtr<Context> context;
  try {
    Context::Params params;  // no files: loaded below, with OpenSSL's own errors
    params.verificationMode = Context::VERIFY_NONE;
    params.loadDefaultCAs = false;
    context = new Context(Context::TLS_SERVER_USE, params);
  } catch (const Poco::Exception& e) {
    return fail("", "cannot make a TLS context: " + e.displayText());
  }
  SSL_CTX* ctx = context->sslContext();
  ERR_clear_error();
  // An encrypted key would make OpenSSL prompt on the terminal: refuse it instead.
  SSL_CTX_set_default_passwd_cb(ctx, [](char*, int, int, void*) { return 0; });
  if (SSL_CTX_use_certificate_chain_file(ctx, c.certificateFile.c_str()) != 1) {
    return fail("certificate_file", "not a PEM certificate chain: " + c.certificateFile + " (" +
                                        tls::opensslErrors() + ")");
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, c.privateKeyFile.c_str(), SSL_FILETYPE_PEM) != 1) {
    const std::string why = tls::opensslErrors();
    if (why.find("key values mismatch") != std::string::npos) {
      return fail("private_key_file",
                  "the private key " + c.privateKeyFile + " does not belong to the certificate");
    }
    return fail("private_key_file", "cannot load the private key " + c.privateKeyFile + " (" + why +
                                        "; an encrypted key is not supported: store it "
                                        "unencrypted, readable by the gateway only)");
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return fail("private_key_file", "the private key does not belong to the certificate (" +
                                        tls::opensslErrors() + ")");
  }
  if (SSL_CTX_set_min_proto_version(ctx, c.minVersion == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION) !=
      1) {
    return fail("min_version", "cannot set the minimum TLS version (" + tls::opensslErrors() + ")");
  }
  const std::string ciphers = c.ciphers.empty() ? kDefaultTls12Ciphers : c.ciphers;
  if (SSL_CTX_set_cipher_list(ctx, ciphers.c_str()) != 1)
    return fail("ciphers",
                "no usable cipher in \"" + ciphers + "\" (" + tls::opensslErrors() + ")");
  const std::string suites = c.ciphersuites.empty() ? kDefaultTls13Suites : c.ciphersuites;
  if (SSL_CTX_set_ciphersuites(ctx, suites.c_str()) != 1) {
    return fail("ciphersuites",
                "no usable TLS 1.3 suite in \"" + suites + "\" (" + tls::opensslErrors() + ")");
  }
  SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384");
  SSL_CTX_set_options(
      ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // Resumed sessions keep their client certificate; OpenSSL refuses resumption with client
  // verification unless the sessions are tagged with a context id.
  static const unsigned char kSessionContext[] = "huitong-intake";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  if (!c.caFile.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, c.caFile.c_str(), nullptr) != 1) {
      return fail("ca_file",
                  "not a PEM CA certificate file: " + c.caFile + " (" + tls::opensslErrors() + ")");
    }
    // Tells clients which CAs to pick their certificate by.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(c.caFile.c_str()))
      SSL_CTX_set_client_CA_list(ctx, names);
  }
  const int mode = c.clientCertificates == "required"
                       ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                   : c.clientCertificates == "optional" ? SSL_VERIFY_PEER
                                                        : SSL_VERIFY_NONE;
  SSL_CTX_set_verify(ctx, mode, tls::recordVerifyFailure);
  ERR_clear_error();
  return context;
}

bool isSecure(Poco::Net::HTTPServerRequest& request) {
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  return impl != nullptr && impl->secure();
}

std::optional<PeerCertificate> peerCertificate(Poco::Net::HTTPServerRequest& request) {
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (impl == nullptr || !impl->secure())
    return std::nullopt;
  try {
    Poco::Net::SecureStreamSocket socket(impl->socket());
    if (!socket.havePeerCertificate())
      return std::nullopt;
    const Poco::Net::X509Certificate cert = socket.peerCertificate();
    X509* x509 = const_cast<X509*>(cert.certificate());
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(x509, EVP_sha256(), md, &n) != 1)
      return std::nullopt;
    return PeerCertificate{subjectOf(x509), hexFingerprint(md, n)};
  } catch (const Poco::Exception&) {
    return std::nullopt;  // not a TLS socket after all, or the connection is gone
  }
}

std::string normalizeSubject(const std::string& subject) {
  std::string out;
  bool escaped = false;
  for (std::size_t i = 0; i < subject.size(); ++i) {
    const char ch = subject[i];
    out += ch;
    if (escaped) {
      escaped = false;
      continue;
    }
    if (ch == '\\') {
      escaped = true;
    } else if (ch == ',' || ch == '+') {
      while (i + 1 < subject.size() && subject[i + 1] == ' ')
        ++i;
    }
  }
  return out;
}

bool matches(const std::vector<ClientCertRule>& rules, const PeerCertificate& peer) {
  for (const auto& r : rules) {
    const bool subjectOk =
        r.subject.empty() || normalizeSubject(r.subject) == normalizeSubject(peer.subject);
    const bool fingerprintOk = r.sha256Fingerprint.empty() ||
                               hexDigits(r.sha256Fingerprint) == hexDigits(peer.sha256Fingerprint);
    if (subjectOk && fingerprintOk)
      return true;
  }
  return false;
}

TlsListener::TlsListener(TlsListenerConfig config,
                         Poco::SharedPtr<Poco::Net::HTTPRequestHandlerFactory> factory,
                         Poco::AutoPtr<Poco::Net::HTTPServerParams> params, unsigned threads,
                         exchange::MetricsRegistry& metrics)
    : config_(std::move(config)),
      factory_(std::move(factory)),
      params_(std::move(params)),
      threads_(threads),
      metrics_(metrics) {}

TlsListener::~TlsListener() {
  stop();
}

Result<void> TlsListener::start() {
  auto context = makeServerContext(config_);
  if (!context.ok())
    return Error{"http.tls", context.error().message, context.error().path};
  const std::string where = config_.listenHost + ":" + std::to_string(config_.listenPort);
  try {
    Poco::Net::SecureServerSocket socket(context.value());
    socket.bind(Poco::Net::SocketAddress(config_.listenHost, config_.listenPort), true, false);
    socket.listen(256);
    pool_ = std::make_unique<Poco::ThreadPool>(2, static_cast<int>(threads_));
    const Poco::Timespan handshake(static_cast<long>(config_.handshakeTimeoutMillis / 1000),
                                   static_cast<long>(config_.handshakeTimeoutMillis % 1000) * 1000);
    server_ = std::make_unique<Poco::Net::TCPServer>(
        new TlsConnectionFactory(params_, factory_, handshake, metrics_), *pool_, socket, params_);
    server_->start();
  } catch (const Poco::Exception& e) {
    server_.reset();
    pool_.reset();
    return Error{"http.listen", "cannot listen (TLS) on " + where + ": " + e.displayText(), ""};
  }
  return {};
}

unsigned short TlsListener::port() const {
  return server_ ? server_->port() : 0;
}

void TlsListener::stop() {
  if (!server_)
    return;
  server_->stop();
  StopNotice::send(*factory_, false);
  pool_->joinAll();
  server_.reset();
  pool_.reset();
}

}  // namespace huitong::http
