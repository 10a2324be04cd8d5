// What to say when TLS fails: OpenSSL's handshake error says only "certificate verify failed",
// so the verify callback keeps, per thread, what was wrong with which certificate; and the
// queued OpenSSL errors as one line. Shared by the HTTPS listener and delivery to the platform.
#pragma once

#include <openssl/types.h>

#include <string>

namespace huitong::tls {

// An SSL_CTX_set_verify callback: records why a certificate failed (see lastVerifyFailure).
int recordVerifyFailure(int ok, X509_STORE_CTX* store);
// This thread's last recorded failure ("certificate has expired (certificate /CN=…)"); clear
// it before a handshake.
std::string& lastVerifyFailure();
// Every queued OpenSSL error, reasons only, "; "-separated, each once; clears the queue.
std::string opensslErrors();

}  // namespace huitong::tls
