// The safe-settings checks one by one (checkSafeSettings in ConfigChecks.h runs them all over a
// config): cipher lists expanded and classified by OpenSSL, certificate chains, file modes and
// owners, demo credentials. Each returns findings; none throws or fails.
#pragma once

#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/ops/baseline/ConfigChecks.h"

namespace huitong::ops::baseline {

struct CipherVerdict {
  std::string name;      // OpenSSL name ("ECDHE-RSA-AES128-GCM-SHA256")
  std::string weakness;  // "" when acceptable; else "RC4", "3DES", "NULL encryption", ...
};

// The TLS 1.2 cipher list as OpenSSL expands it (security level 0, so nothing configured is
// hidden), each cipher classified; `ok` false with `error` when OpenSSL accepts none of it.
struct CipherReport {
  bool ok = true;
  std::string error;
  std::vector<CipherVerdict> ciphers;
  std::vector<std::string> weakNamed;  // enabling tokens of the list that name a weak family
};
CipherReport classifyCipherList(const std::string& list);

// TLS settings: min version, the TLS 1.2 list ("" = OpenSSL's default), the TLS 1.3 suites.
std::vector<ConfigFinding> checkTls(const std::string& minVersion, const std::string& ciphers,
                                    const std::string& ciphersuites);

// A certificate (PEM: leaf then intermediates) and its private key: readable, the key matches,
// valid at `now` (expired: critical; within 30 days: minor), and — when `verifyChain` — the
// chain verifies against `caFile` (if given) plus the system store. `label` names the use
// ("tls", "platform client").
std::vector<ConfigFinding> checkCertificate(const std::string& label, const std::string& certFile,
                                            const std::string& keyFile, const std::string& caFile,
                                            bool verifyChain, EpochMillis now);

// A secret file: mode 0600 or stricter (no group/other bits, no execute), owned by the running
// user (effective uid).
std::vector<ConfigFinding> checkSecretFile(const std::string& path, const std::string& what);

// The data dir: exists, not world-writable (critical), owned by the running user.
std::vector<ConfigFinding> checkDataDir(const std::string& dir);

// In production mode: the demo's ops token, platform token, department secrets and keys
// (sandbox/demo, matched by SHA-256 fingerprint), demo key ids and a credentials.json beside the
// config. `strings`: every string value of the config; `keyFiles`: the key files it names.
std::vector<ConfigFinding> checkDemoCredentials(const std::string& configFile,
                                                const std::vector<std::string>& strings,
                                                const std::vector<std::string>& keyIds,
                                                const std::vector<std::string>& keyFiles);

// The SHA-256 fingerprints of the demo's credentials (tests compare them with sandbox/demo).
const std::vector<std::string>& demoFingerprints();

}  // namespace huitong::ops::baseline
