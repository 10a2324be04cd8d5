// TLS between the gateway and `huitong agent`: the agent's server context (its certificate and
// key) and the gateway's client context (the agent's certificate verified against a CA file or
// the system store, and for the URL's host). OpenSSL through POCO NetSSL, TLS 1.2 and later.
#pragma once

#include <string>

#include <Poco/AutoPtr.h>
#include <Poco/Net/Context.h>

#include "gateway/core/Error.h"

namespace huitong::monitor::host {

using TlsContext = Poco::AutoPtr<Poco::Net::Context>;

// The agent's side. The error names the file that could not be used and OpenSSL's reason.
Result<TlsContext> makeAgentServerContext(const std::string& certificateFile,
                                          const std::string& privateKeyFile);

// The gateway's side, for agents at `host` (a DNS name or an IP address). `caFile` empty: the
// system's trusted CAs.
Result<TlsContext> makeAgentClientContext(const std::string& caFile, const std::string& host);

// Why this thread's last handshake refused the agent's certificate ("certificate has expired");
// empty when verification did not fail. Cleared by clearCertificateFailure().
const std::string& lastCertificateFailure();
void clearCertificateFailure();

}  // namespace huitong::monitor::host
