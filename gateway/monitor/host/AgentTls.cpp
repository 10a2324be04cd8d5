#include "gateway/monitor/host/AgentTls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <Poco/Exception.h>
#include <Poco/Net/IPAddress.h>

namespace huitong::monitor::host {
namespace {

thread_local std::string tCertificateFailure;

std::string opensslReasons() {
  std::string reasons;
  while (const unsigned long e = ERR_get_error()) {
    const char* r = ERR_reason_error_string(e);
    const std::string reason = r != nullptr ? r : "error";
    if (reasons.find(reason) == std::string::npos)
      reasons += (reasons.empty() ? "" : "; ") + reason;
  }
  return reasons;
}

int recordFailure(int ok, X509_STORE_CTX* store) {
  if (ok == 0 && tCertificateFailure.empty())
    tCertificateFailure = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
  return ok;
}

Result<TlsContext> newContext(Poco::Net::Context::Usage usage) {
  try {
    Poco::Net::Context::Params params;  // files are loaded below, with OpenSSL's own errors
    params.verificationMode = usage == Poco::Net::Context::TLS_CLIENT_USE
                                  ? Poco::Net::Context::VERIFY_RELAXED
                                  : Poco::Net::Context::VERIFY_NONE;
    params.loadDefaultCAs = false;
    TlsContext c = new Poco::Net::Context(usage, params);
    SSL_CTX_set_min_proto_version(c->sslContext(), TLS1_2_VERSION);
    SSL_CTX_set_default_passwd_cb(c->sslContext(), [](char*, int, int, void*) { return 0; });
    return c;
  } catch (const Poco::Exception& e) {
    return Error{"agent.tls", "cannot make a TLS context: " + e.displayText(), ""};
  }
}

}  // namespace

Result<TlsContext> makeAgentServerContext(const std::string& certificateFile,
                                          const std::string& privateKeyFile) {
  auto context = newContext(Poco::Net::Context::TLS_SERVER_USE);
  if (!context.ok())
    return context.error();
  SSL_CTX* ctx = context.value()->sslContext();
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, certificateFile.c_str()) != 1) {
    return Error{"agent.tls", "not a PEM certificate chain (" + opensslReasons() + ")",
                 certificateFile};
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, privateKeyFile.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return Error{"agent.tls",
                 "not an unencrypted PEM key of the certificate (" + opensslReasons() + ")",
                 privateKeyFile};
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  return context;
}

Result<TlsContext> makeAgentClientContext(const std::string& caFile, const std::string& host) {
  auto context = newContext(Poco::Net::Context::TLS_CLIENT_USE);
  if (!context.ok())
    return context.error();
  // OpenSSL checks the host name while verifying; POCO's own later check would resolve names.
  context.value()->enableExtendedCertificateVerification(false);
  SSL_CTX* ctx = context.value()->sslContext();
  ERR_clear_error();
  if (caFile.empty() ? SSL_CTX_set_default_verify_paths(ctx) != 1
                     : SSL_CTX_load_verify_locations(ctx, caFile.c_str(), nullptr) != 1) {
    return Error{"agent.tls", "cannot load trusted CAs (" + opensslReasons() + ")",
                 caFile.empty() ? "the system store" : caFile};
  }
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  Poco::Net::IPAddress ip;
  const bool hostOk = Poco::Net::IPAddress::tryParse(host, ip)
                          ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1
                          : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0) == 1;
  if (!hostOk)
    return Error{"agent.tls", "cannot verify certificates for host " + host, ""};
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, recordFailure);
  return context;
}

const std::string& lastCertificateFailure() {
  return tCertificateFailure;
}

void clearCertificateFailure() {
  tCertificateFailure.clear();
}

}  // namespace huitong::monitor::host
