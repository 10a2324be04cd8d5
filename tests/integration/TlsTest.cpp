// TLS end to end, with a CA and certificates made at run time (OpenSSL C API): HTTPS intake
// with signatures, mTLS departments (right certificate admitted; none, another system's or an
// untrusted one refused), delivery to an HTTPS mock platform with the gateway's client
// certificate, the platform's expired, untrusted and wrong-host certificates refused with a
// log line while the event waits in the outbox, garbage / plain HTTP / old TLS versions on the
// TLS port dropped with the gateway still up, and TLS config errors stopping the start.
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/wait.h>

#include <chrono>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <boost/test/unit_test.hpp>

#include "tests/integration/Harness.h"

namespace huitong::integration {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// ------------------------------------------------------------------ certificates

struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertDeleter {
  void operator()(X509* x) const { X509_free(x); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Cert = std::unique_ptr<X509, CertDeleter>;

struct CertSpec {
  std::string commonName;
  std::string organization;
  std::string subjectAltNames;  // "DNS:localhost,IP:127.0.0.1" ("" = none)
  long notBeforeSeconds = -3600;
  long notAfterSeconds = 86400;
  bool ca = false;
};

// A certificate with its key, and where both were written.
struct Issued {
  Key key;
  Cert cert;
  fs::path certFile;
  fs::path keyFile;
  std::string sha256() const {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    X509_digest(cert.get(), EVP_sha256(), md, &n);
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned i = 0; i < n; ++i) {
      out += i ? ":" : "";
      out += kHex[md[i] >> 4];
      out += kHex[md[i] & 0xF];
    }
    return out;
  }
};

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  BOOST_REQUIRE_MESSAGE(ext != nullptr, "extension " << value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// Issues `spec` signed by `issuer` (nullptr: self-signed) and writes <name>.pem/<name>.key.
Issued issue(const fs::path& dir, const std::string& name, const CertSpec& spec,
             const Issued* issuer) {
  Issued out;
  out.key.reset(EVP_EC_gen("P-256"));
  BOOST_REQUIRE(out.key);
  out.cert.reset(X509_new());
  X509* x = out.cert.get();
  X509_set_version(x, 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7F;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(x), spec.notBeforeSeconds);
  X509_gmtime_adj(X509_getm_notAfter(x), spec.notAfterSeconds);
  X509_set_pubkey(x, out.key.get());
  X509_NAME* subject = X509_get_subject_name(x);
  if (!spec.organization.empty()) {
    X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(spec.organization.c_str()),
                               -1, -1, 0);
  }
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.commonName.c_str()), -1,
                             -1, 0);
  X509* issuerCert = issuer ? issuer->cert.get() : x;
  X509_set_issuer_name(x, X509_get_subject_name(issuerCert));
  addExtension(x, issuerCert, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "CA:FALSE");
  addExtension(x, issuerCert, NID_key_usage,
               spec.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  addExtension(x, issuerCert, NID_subject_key_identifier, "hash");
  if (!spec.ca)
    addExtension(x, issuerCert, NID_ext_key_usage, "serverAuth,clientAuth");
  if (!spec.subjectAltNames.empty())
    addExtension(x, issuerCert, NID_subject_alt_name, spec.subjectAltNames);
  BOOST_REQUIRE(X509_sign(x, issuer ? issuer->key.get() : out.key.get(), EVP_sha256()) > 0);

  out.certFile = dir / (name + ".pem");
  out.keyFile = dir / (name + ".key");
  BIO* c = BIO_new_file(out.certFile.c_str(), "w");
  PEM_write_bio_X509(c, x);
  BIO_free(c);
  BIO* k = BIO_new_file(out.keyFile.c_str(), "w");
  PEM_write_bio_PrivateKey(k, out.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  BIO_free(k);
  return out;
}

// Everything the tests need, made once per test in its temp dir.
struct Pki {
  explicit Pki(const fs::path& dir) {
    ca = issue(dir, "ca", {"Huitong Test CA", "Huitong IT", "", -3600, 86400, true}, nullptr);
    otherCa = issue(dir, "other-ca", {"Other CA", "Elsewhere", "", -3600, 86400, true}, nullptr);
    server = issue(dir, "server", {"localhost", "Huitong IT", "DNS:localhost,IP:127.0.0.1"}, &ca);
    marriage = issue(dir, "marriage", {"hy-front", "Marriage Registry", ""}, &ca);
    funeral = issue(dir, "funeral", {"bz-front", "Funeral Office", ""}, &ca);
    gateway = issue(dir, "gateway", {"huitong-gateway", "Huitong IT", ""}, &ca);
    expired = issue(dir, "expired",
                    {"localhost", "Huitong IT", "DNS:localhost,IP:127.0.0.1", -7200, -3600}, &ca);
    untrusted =
        issue(dir, "untrusted", {"localhost", "Elsewhere", "DNS:localhost,IP:127.0.0.1"}, &otherCa);
    wrongHost =
        issue(dir, "wrong-host",
              {"platform.example.org", "Huitong IT", "DNS:platform.example.org,IP:10.9.8.7"}, &ca);
    untrustedClient =
        issue(dir, "untrusted-client", {"hy-front", "Marriage Registry", ""}, &otherCa);
  }
  Issued ca, otherCa, server, marriage, funeral, gateway, expired, untrusted, wrongHost,
      untrustedClient;
};

// ------------------------------------------------------------------ clients

// A TLS client context trusting `caFile`, with an optional client certificate.
Poco::Net::Context::Ptr clientContext(const Issued& ca, const Issued* clientCert = nullptr) {
  Poco::Net::Context::Params p;
  p.caLocation = ca.certFile.string();
  p.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
  p.loadDefaultCAs = false;
  if (clientCert) {
    p.certificateFile = clientCert->certFile.string();
    p.privateKeyFile = clientCert->keyFile.string();
  }
  Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
  ctx->enableExtendedCertificateVerification(false);  // connecting to 127.0.0.1 by address
  return ctx;
}

// One HTTPS request to 127.0.0.1:port; signed with `cred` (for target https://...) when given.
Answer httpsSend(int port, Poco::Net::Context::Ptr ctx, const std::string& method,
                 const std::string& path, const std::string& body,
                 const DepartmentCredential* cred) {
  static const SystemClock clock;
  Answer a;
  try {
    Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port), ctx);
    session.setTimeout(Poco::Timespan(15, 0));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (method == "POST") {
      req.setContentType("application/json");
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    if (cred) {
      auth::SignedRequest sr;
      sr.method = method;
      sr.targetUri = "https://127.0.0.1:" + std::to_string(port) + path;
      if (method == "POST")
        auth::addHeader(sr, "content-type", "application/json");
      sr.body = body;
      auto signedOk = auth::sign(sr, cred->key(), clock);
      BOOST_REQUIRE(signedOk.ok());
      for (const auto& [name, value] : sr.headers) {
        if (name != "content-type")
          req.set(name, value);
      }
    }
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse res;
    std::istream& in = session.receiveResponse(res);
    std::ostringstream ss;
    Poco::StreamCopier::copyStream(in, ss);
    a.status = static_cast<int>(res.getStatus());
    a.body = ss.str();
  } catch (const Poco::Exception& e) {
    a.error = e.displayText();
  }
  return a;
}

// Sends `bytes` to 127.0.0.1:port and reads until the peer closes; true when it closed within
// `limit` (the TLS port drops what is not a TLS client hello).
bool sendRawAndSeeClose(int port, const std::string& bytes, std::chrono::seconds limit) {
  try {
    Poco::Net::StreamSocket s(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    s.setReceiveTimeout(Poco::Timespan(static_cast<long>(limit.count()), 0));
    s.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    char buf[4096];
    for (;;) {
      if (s.receiveBytes(buf, sizeof buf) <= 0)
        return true;
    }
  } catch (const Poco::TimeoutException&) {
    return false;
  } catch (const Poco::Exception&) {
    return true;  // reset by the peer: dropped too
  }
}

// A handshake with only TLS versions [minVersion, maxVersion] offered; returns "" when it
// succeeded, else OpenSSL's reason.
std::string handshakeWithVersions(int port, int minVersion, int maxVersion) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, minVersion);
  SSL_CTX_set_max_proto_version(ctx, maxVersion);
  // Level 0 lets this client still offer TLS 1.0/1.1 (OpenSSL 3 refuses them otherwise).
  SSL_CTX_set_cipher_list(ctx, "DEFAULT@SECLEVEL=0");
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  std::string result;
  try {
    Poco::Net::StreamSocket s(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    s.setReceiveTimeout(Poco::Timespan(10, 0));
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, s.impl()->sockfd());
    ERR_clear_error();
    if (SSL_connect(ssl) != 1) {
      const unsigned long e = ERR_get_error();
      const char* reason = e ? ERR_reason_error_string(e) : nullptr;
      result = reason ? reason : "handshake failed";
    }
    SSL_free(ssl);
  } catch (const Poco::Exception& e) {
    result = e.displayText();
  }
  SSL_CTX_free(ctx);
  return result;
}

// ------------------------------------------------------------------ gateway config

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

struct TlsGatewaySetup {
  std::string platformUrl;
  const Issued* platformClientCert = nullptr;  // platform.certificate_file
  std::string minVersion = "1.2";
  DepartmentCredential marriage;
  std::string marriageSubject;     // its client_cert subject
  std::string funeralFingerprint;  // funeral: auth "mtls" by fingerprint
};

std::string tlsGatewayConfig(const fs::path& dir, const Pki& pki, const TlsGatewaySetup& s) {
  std::ostringstream c;
  c << "{\n  \"listen\": \"127.0.0.1:0\",\n"
    << "  \"tls\": {\"listen\": \"127.0.0.1:0\", \"certificate_file\": "
    << quoted(pki.server.certFile) << ", \"private_key_file\": " << quoted(pki.server.keyFile)
    << ", \"ca_file\": " << quoted(pki.ca.certFile)
    << ", \"client_certificates\": \"optional\", \"min_version\": " << quoted(s.minVersion)
    << ", \"handshake_timeout_ms\": 3000},\n"
    << "  \"threads\": 16,\n"
    << "  \"mappings\": " << quoted(fs::absolute("mappings").string()) << ",\n"
    << "  \"store\": {\"kind\": \"sqlite\", \"path\": " << quoted(dir / "store" / "huitong.db")
    << "},\n"
    << "  \"platform\": {\"url\": " << quoted(s.platformUrl)
    << ", \"token\": \"tls-it\", \"timeout_ms\": 5000, \"ca_file\": " << quoted(pki.ca.certFile);
  if (s.platformClientCert) {
    c << ", \"certificate_file\": " << quoted(s.platformClientCert->certFile)
      << ", \"private_key_file\": " << quoted(s.platformClientCert->keyFile);
  }
  c << "},\n"
    << "  \"delivery\": {\"workers\": 1, \"max_attempts\": 1000, \"initial_backoff_ms\": 100,"
       " \"max_backoff_ms\": 1000, \"idle_ms\": 20, \"lease_ms\": 10000},\n"
    << "  \"ops_token\": \"it-ops-token\",\n"
    << "  " << registryConfigMember(defaultOnlineItems(), {"marriage", "funeral"}, dir) << ",\n"
    << "  \"systems\": {\n"
    << "    \"marriage\": {\"auth\": \"signature\", \"keys\": [{\"key_id\": "
    << quoted(s.marriage.keyId)
    << ", \"alg\": \"hmac-sha256\", \"secret\": " << quoted(s.marriage.secret)
    << "}], \"client_cert\": {\"subject\": " << quoted(s.marriageSubject) << "}},\n"
    << "    \"funeral\": {\"auth\": \"mtls\", \"client_cert\": [{\"sha256_fingerprint\": "
    << quoted(s.funeralFingerprint) << "}]}\n"
    << "  }\n}\n";
  return c.str();
}

GatewayOptions withConfig(std::string text) {
  GatewayOptions o;
  o.configText = std::move(text);
  return o;
}

int countOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

// Waits until the gateway's log holds `needle`; returns whether it did within `limit`.
bool logShows(GatewayProcess& gw, const std::string& needle, std::chrono::seconds limit) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < limit) {
    if (gw.stderrText().find(needle) != std::string::npos)
      return true;
    std::this_thread::sleep_for(50ms);
  }
  BOOST_TEST_MESSAGE("log lacks " << needle << ":\n" << gw.stderrText().substr(0, 6000));
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(https_intake_mtls_and_delivery_over_tls) {
  TempDir dir("huitong-it-tls");
  Pki pki(dir.path());
  MockPlatformProcess platform(
      dir.path(), "tls-it",
      {"--tls-cert", pki.server.certFile.string(), "--tls-key", pki.server.keyFile.string(),
       "--client-ca", pki.ca.certFile.string()});
  BOOST_REQUIRE(platform.tlsPort() > 0);

  TlsGatewaySetup setup;
  setup.platformUrl = "https://127.0.0.1:" + std::to_string(platform.tlsPort());
  setup.platformClientCert = &pki.gateway;
  setup.marriage = makeCredential("marriage");
  setup.marriageSubject = "CN=hy-front, O=Marriage Registry";  // a space after the comma too
  setup.funeralFingerprint = pki.funeral.sha256();
  fs::create_directories(dir.path() / "store");
  GatewayProcess gw(dir.path(), withConfig(tlsGatewayConfig(dir.path(), pki, setup)));
  BOOST_REQUIRE(gw.tlsPort() > 0);
  const int tls = gw.tlsPort();

  const auto message = marriageMessage("HYTLS000001", 1, 0);
  // Signature plus the department's certificate over HTTPS: admitted.
  Answer ok = httpsSend(tls, clientContext(pki.ca, &pki.marriage), "POST", "/intake/v1/marriage",
                        message.body, &setup.marriage);
  BOOST_TEST(ok.status == 202, ok.status << " " << ok.body << ok.error);

  // The same signed request without a certificate, or with another system's: 403.
  Answer none = httpsSend(tls, clientContext(pki.ca), "POST", "/intake/v1/marriage",
                          marriageMessage("HYTLS000002", 2, 0).body, &setup.marriage);
  BOOST_TEST(none.status == 403, none.status << " " << none.body << none.error);
  Answer other = httpsSend(tls, clientContext(pki.ca, &pki.funeral), "POST", "/intake/v1/marriage",
                           marriageMessage("HYTLS000003", 3, 0).body, &setup.marriage);
  BOOST_TEST(other.status == 403, other.status << " " << other.body << other.error);
  BOOST_TEST(logShows(
      gw, "\"code\":\"auth.client_cert\",\"why\":\"no client certificate presented\"", 5s));
  BOOST_TEST(logShows(gw, "is not one of this system's", 5s));

  // A certificate from a CA the gateway does not trust never completes the handshake.
  Answer untrusted =
      httpsSend(tls, clientContext(pki.ca, &pki.untrustedClient), "GET", "/healthz", "", nullptr);
  BOOST_TEST(untrusted.status == 0, "answered " << untrusted.status);
  BOOST_TEST(logShows(gw, "\"certificate_error\":\"unable to get local issuer certificate", 5s));

  // Plain HTTP to a client_cert system is refused (signature alone is not enough).
  HttpClient plain(gw.port());
  Answer plainAnswer = signedPost(plain, setup.marriage, "/intake/v1/marriage",
                                  marriageMessage("HYTLS000004", 4, 0).body);
  BOOST_TEST(plainAnswer.status == 403, plainAnswer.status << " " << plainAnswer.body);

  // funeral: the certificate alone admits (auth "mtls"); the request is unsigned.
  Answer funeral = httpsSend(tls, clientContext(pki.ca, &pki.funeral), "POST", "/intake/v1/funeral",
                             "{}", nullptr);
  BOOST_TEST(funeral.status != 401);
  BOOST_TEST(funeral.status != 403, funeral.status << " " << funeral.body << funeral.error);
  BOOST_TEST(funeral.status != 0, funeral.error);
  Answer funeralWrong = httpsSend(tls, clientContext(pki.ca, &pki.marriage), "POST",
                                  "/intake/v1/funeral", "{}", nullptr);
  BOOST_TEST(funeralWrong.status == 403, funeralWrong.status << " " << funeralWrong.body);

  // The accepted event reaches the platform over TLS with the gateway's client certificate.
  BOOST_TEST(waitForDrain(platform, gw, 1, 60s));
  const auto held = platform.received();
  BOOST_REQUIRE_EQUAL(held.size(), 1u);
  BOOST_TEST(held[0].eventId == message.eventId);

  // Garbage, plain HTTP and TLS 1.1 on the TLS port: dropped, each logged; the gateway stays up.
  std::mt19937 rng(7);
  std::string garbage(4096, '\0');
  for (char& ch : garbage)
    ch = static_cast<char>(rng() & 0xFF);
  garbage[0] = '\x16';  // a TLS record type, then nonsense
  BOOST_TEST(sendRawAndSeeClose(tls, garbage, 10s));
  BOOST_TEST(sendRawAndSeeClose(tls, std::string(4096, 'A'), 10s));
  BOOST_TEST(sendRawAndSeeClose(tls, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 10s));
  BOOST_TEST(logShows(gw, "\"likely\":\"plain HTTP sent to the TLS port\"", 5s));
  // A client that connects and says nothing is dropped at the handshake timeout (3 s).
  BOOST_TEST(sendRawAndSeeClose(tls, "", 10s));
  const std::string old = handshakeWithVersions(tls, TLS1_1_VERSION, TLS1_1_VERSION);
  BOOST_TEST(!old.empty(), "a TLS 1.1 client completed a handshake");
  BOOST_TEST_MESSAGE("TLS 1.1 client: " << old);
  if (old.find("no protocols available") == std::string::npos)
    BOOST_TEST(logShows(gw, "the client offers only TLS versions below min_version", 5s));
  BOOST_TEST(handshakeWithVersions(tls, TLS1_2_VERSION, TLS1_2_VERSION).empty());
  BOOST_TEST(handshakeWithVersions(tls, TLS1_3_VERSION, TLS1_3_VERSION).empty());

  BOOST_TEST(gw.process().running());
  Answer health = httpsSend(tls, clientContext(pki.ca), "GET", "/healthz", "", nullptr);
  BOOST_TEST(health.status == 200, health.error);
  const std::string log = gw.stderrText();
  BOOST_TEST(countOf(log, "TLS handshake failed; connection dropped") >= 5);
  const auto failures = gw.metric("huitong_tls_handshake_failures_total");
  BOOST_TEST((failures && *failures >= 5));
  BOOST_TEST(gw.stop() == 0);
}

BOOST_AUTO_TEST_CASE(platform_certificates_expired_untrusted_wrong_host_refused) {
  TempDir dir("huitong-it-tls");
  Pki pki(dir.path());
  // The platform restarts on one HTTPS port with each bad certificate, then a good one.
  int starts = 0;
  auto start = [&](const Issued& cert, int port) {
    // Each life in its own folder: the harness reads the address from the output file.
    const fs::path life = dir.path() / ("platform-" + std::to_string(++starts));
    fs::create_directories(life);
    return std::make_unique<MockPlatformProcess>(
        life, "tls-it",
        std::vector<std::string>{"--tls-cert", cert.certFile.string(), "--tls-key",
                                 cert.keyFile.string(), "--tls-port", std::to_string(port)});
  };
  auto platform = start(pki.expired, 0);
  const int port = platform->tlsPort();
  BOOST_REQUIRE(port > 0);

  TlsGatewaySetup setup;
  setup.platformUrl = "https://127.0.0.1:" + std::to_string(port);
  setup.marriage = makeCredential("marriage");
  setup.marriageSubject = "CN=hy-front,O=Marriage Registry";
  setup.funeralFingerprint = pki.funeral.sha256();
  fs::create_directories(dir.path() / "store");
  GatewayProcess gw(dir.path(), withConfig(tlsGatewayConfig(dir.path(), pki, setup)));
  const auto message = marriageMessage("HYTLS000101", 101, 0);
  Answer ok = httpsSend(gw.tlsPort(), clientContext(pki.ca, &pki.marriage), "POST",
                        "/intake/v1/marriage", message.body, &setup.marriage);
  BOOST_REQUIRE_MESSAGE(ok.status == 202, ok.status << " " << ok.body << ok.error);

  struct Case {
    const Issued* cert;
    const char* reason;
  };
  const Case cases[] = {{&pki.expired, "certificate has expired"},
                        {&pki.untrusted, "unable to get local issuer certificate"},
                        {&pki.wrongHost, "IP address mismatch"}};
  for (const auto& c : cases) {
    if (!platform)
      platform = start(*c.cert, port);
    BOOST_TEST_CONTEXT(c.reason) {
      BOOST_TEST(logShows(gw, std::string("certificate refused: ") + c.reason, 30s));
      BOOST_TEST(gw.stderrText().find("delivery to the platform refused at TLS; events stay in "
                                      "the outbox") != std::string::npos);
      BOOST_TEST(platform->receivedTotal() == 0);
      BOOST_TEST(gw.metric("huitong_outbox_pending").value_or(-1) == 1);
    }
    platform->process().signal(SIGTERM);
    platform->process().wait(10s);
    platform.reset();
  }
  // A good certificate on the same port: the event waited in the outbox and now arrives.
  platform = start(pki.server, port);
  BOOST_TEST(waitForDrain(*platform, gw, 1, 60s));
  const auto held = platform->received();
  BOOST_REQUIRE_EQUAL(held.size(), 1u);
  BOOST_TEST(held[0].eventId == message.eventId);
  BOOST_TEST(gw.stop() == 0);
}

BOOST_AUTO_TEST_CASE(min_version_1_3_refuses_a_tls_1_2_client) {
  TempDir dir("huitong-it-tls");
  Pki pki(dir.path());
  TlsGatewaySetup setup;
  setup.platformUrl = "https://127.0.0.1:9";  // nothing delivered in this test
  setup.minVersion = "1.3";
  setup.marriage = makeCredential("marriage");
  setup.marriageSubject = "CN=hy-front,O=Marriage Registry";
  setup.funeralFingerprint = pki.funeral.sha256();
  fs::create_directories(dir.path() / "store");
  GatewayProcess gw(dir.path(), withConfig(tlsGatewayConfig(dir.path(), pki, setup)));
  const std::string refused = handshakeWithVersions(gw.tlsPort(), TLS1_2_VERSION, TLS1_2_VERSION);
  BOOST_TEST(!refused.empty());
  BOOST_TEST_MESSAGE("TLS 1.2 client against min_version 1.3: " << refused);
  BOOST_TEST(logShows(gw, "the client offers only TLS versions below min_version", 5s));
  BOOST_TEST(handshakeWithVersions(gw.tlsPort(), TLS1_3_VERSION, TLS1_3_VERSION).empty());
  BOOST_TEST(gw.stop() == 0);
}

BOOST_AUTO_TEST_CASE(tls_config_errors_stop_the_start_at_the_key) {
  TempDir dir("huitong-it-tls");
  Pki pki(dir.path());
  TlsGatewaySetup setup;
  setup.platformUrl = "https://127.0.0.1:9";
  setup.marriage = makeCredential("marriage");
  setup.marriageSubject = "CN=hy-front,O=Marriage Registry";
  setup.funeralFingerprint = pki.funeral.sha256();
  const std::string good = tlsGatewayConfig(dir.path(), pki, setup);
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const auto at = s.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    return s.replace(at, from.size(), to);
  };
  struct Bad {
    std::string config;
    std::string expected;
  };
  const Bad cases[] = {
      // the key of another certificate
      {replaced(quoted(pki.server.keyFile), quoted(pki.marriage.keyFile)),
       "does not belong to the certificate"},
      {replaced("\"min_version\": \"1.2\"", "\"min_version\": \"1.1\""),
       "min_version is \"1.2\" or \"1.3\""},
      {replaced("\"client_certificates\": \"optional\"", "\"client_certificates\": \"none\""),
       "a client_cert system needs the TLS listener to ask for client certificates"},
      {replaced("\"handshake_timeout_ms\": 3000", "\"handshake_timeout_ms\": 3000, \"cipher\": 1"),
       "unknown key 'cipher'"},
      {replaced("\"timeout_ms\": 5000, \"ca_file\": " + quoted(pki.ca.certFile),
                "\"timeout_ms\": 5000, \"ca_file\": \"/nonexistent/ca.pem\""),
       "cannot read /nonexistent/ca.pem"},
      {replaced("\"listen\": \"127.0.0.1:0\",\n  \"tls\"", "\"listen\": \"0.0.0.0:0\",\n  \"tls\""),
       "the plain listener must be on loopback"},
  };
  int n = 0;
  for (const auto& c : cases) {
    const fs::path file = dir.write("bad-" + std::to_string(++n) + ".json", c.config);
    Process p({huitongBinary().string(), "serve", "--config", file.string()}, dir.path(),
              "bad-" + std::to_string(n));
    const int status = p.wait(30s);
    const std::string err = readFile(p.errPath());
    BOOST_TEST_CONTEXT(c.expected) {
      BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 2), p.describe() << ": " << err);
      BOOST_TEST(err.find(c.expected) != std::string::npos, err);
      BOOST_TEST(err.find(file.filename().string() + ":") != std::string::npos, err);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace huitong::integration
