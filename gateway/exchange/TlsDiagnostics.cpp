#include "gateway/exchange/TlsDiagnostics.h"

#include <openssl/err.h>
#include <openssl/x509.h>

namespace huitong::tls {

std::string& lastVerifyFailure() {
  thread_local std::string failure;
  return failure;
}

int recordVerifyFailure(int ok, X509_STORE_CTX* store) {
  if (!ok) {
    const int err = X509_STORE_CTX_get_error(store);
    std::string subject;
    if (X509* cert = X509_STORE_CTX_get_current_cert(store)) {
      char buf[256];
      X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
      subject = buf;
    }
    lastVerifyFailure() = std::string(X509_verify_cert_error_string(err)) +
                          (subject.empty() ? "" : " (certificate " + subject + ")");
  }
  return ok;
}

std::string opensslErrors() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    std::string text = reason ? reason : "error " + std::to_string(e);
    if (out.find(text) == std::string::npos)
      out += (out.empty() ? "" : "; ") + text;
  }
  return out;
}

}  // namespace huitong::tls
