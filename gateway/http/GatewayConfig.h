// The gateway's configuration (docs/configuration.md): read once at start from a JSON file;
// an unknown key or a bad value stops the start with file:line:column.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/auth/HttpSignatures.h"
#include "gateway/core/ConfigNode.h"
#include "gateway/core/Error.h"
#include "gateway/exchange/DeliveryWorker.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::http {

// A department's TLS client certificate (mTLS). Every given field must match; an empty field
// is not checked. At least one is given.
struct ClientCertRule {
  std::string subject;            // RFC 2253 ("CN=hy-front,O=Marriage Registry")
  std::string sha256Fingerprint;  // upper-case hex pairs joined by ':' ("AB:CD:...")
};

// The HTTPS listener of the department intake and operator API ("tls" block).
struct TlsListenerConfig {
  std::string listenHost = "0.0.0.0";
  unsigned short listenPort = 8643;
  std::string certificateFile;     // PEM: the server certificate, then its intermediates
  std::string privateKeyFile;      // PEM, unencrypted
  std::string caFile;              // PEM: the CAs that issue department client certificates
  std::string minVersion = "1.2";  // "1.2" | "1.3"
  std::string ciphers;             // TLS 1.2 cipher list (OpenSSL names)
  std::string ciphersuites;        // TLS 1.3 suites (OpenSSL names)
  std::string clientCertificates = "none";  // "none" | "optional" | "required"
  unsigned handshakeTimeoutMillis = 10000;
};

// How one department system is admitted.
struct SystemConfig {
  std::string id;
  // "signature" (RFC 9421) | "legacy" (source address) | "mtls" (client certificate only)
  std::string auth = "signature";
  // When non-empty, a request is admitted only over TLS with a client certificate matching one
  // of these (in addition to `auth`; the whole admission when auth is "mtls").
  std::vector<ClientCertRule> clientCerts;
  std::vector<auth::DepartmentKey> keys;
  // legacy: admitted by source address (CIDR allow-list) plus an optional static token header.
  std::vector<std::string> allowCidrs;
  std::string tokenHeader;
  std::string token;
  // How its messages arrive: the adapter's name ("http_json", "soap11", "file_drop", ...; ""
  // = the push adapter of the mapping's input format) and its config block ("adapter" object,
  // read by the adapter's factory at start).
  std::string adapterKind;
  std::optional<ConfigNode> adapterConfig;
  // "sandbox": {"keys": [...]}, the joint-debug sandbox's own keys (docs/sandbox.md): never
  // valid in production, and production keys are never valid there. None: no sandbox.
  std::vector<auth::DepartmentKey> sandboxKeys;
  // "sandbox": {"adapter": {...}} of a pull system (file_drop, db_poll): the block of a second
  // instance of the same adapter reading its own sandbox folder or table, whose messages go to
  // the sandbox (docs/sandbox.md "Pull systems"). None: no sandbox for a pull system.
  std::optional<ConfigNode> sandboxAdapterConfig;
  // "sandbox": {"trace_dir": DIR}: where a pull sandbox writes each session's trace
  // (<session>.json and .html) for a department that reads files, not HTTP; "" = not written.
  std::string sandboxTraceDir;
  std::string where;  // file:line:column of the system's block
};

struct GatewayConfig {
  std::string file;  // where it was read from
  // "production" (the default) | "demo" (sandbox/demo): in production the configuration checks
  // (gateway/ops/baseline) refuse the demo's credentials, token and keys.
  std::string mode = "production";
  // The plain HTTP listener: always without "tls"; with it, only when "listen" is given (and
  // then on loopback).
  bool plainListener = true;
  std::string listenHost = "127.0.0.1";
  unsigned short listenPort = 8600;
  std::optional<TlsListenerConfig> tls;
  unsigned threads = 64;  // connections served at once
  std::size_t maxBodyBytes = 1024 * 1024;
  std::string mappingsDir = "mappings";
  storage::StoreConfig store;
  exchange::DeliveryConfig delivery;
  // Break-glass admin credential of the operator API (audited as actor "ops-token"); staff
  // log in with their accounts (POST /auth/v1/login).
  std::string opsToken;
  // "staff_access": login token life, failures before a lock, how long a lock lasts.
  unsigned sessionSeconds = 30 * 60;
  unsigned maxLoginFailures = 5;
  unsigned lockoutSeconds = 15 * 60;
  // "registry": until the sandbox records evidence, whether going online may assume it passed.
  bool assumeSandboxEvidence = false;
  // "registry.filings": a file of filings put on file at start (app/FilingSeed.h); "" = none.
  std::string filingsFile;
  // "registry.refresh_ms": how often the intake gate's filing states are read again from the
  // store (changes made through this gateway are seen at once).
  unsigned filingRefreshMs = 5000;
  std::vector<SystemConfig> systems;
  std::vector<std::string> plugins;  // adapter plugin libraries (absolute paths)
  // Working-day calendar overrides and office hours (WorkCalendar::configure reads it).
  std::optional<ConfigNode> calendar;
  // "monitor" (probes, hosts, schedules, alerts) and "health" (per-item rules): read by
  // gateway/monitor and gateway/health when the gateway starts them; absent = their defaults.
  std::optional<ConfigNode> monitor;
  std::optional<ConfigNode> health;
  // "faults" (maintainer groups, roster, classification and dispatch rules, attachment limits):
  // read by gateway/faults (FaultsConfig) when the gateway starts; absent = its defaults.
  std::optional<ConfigNode> faults;
  // "inspection" (schedule, intensified cadence, check timeout, the checklist): read by
  // gateway/ops/inspect (InspectionConfig) when the gateway or `huitong inspect` starts.
  std::optional<ConfigNode> inspection;
  // "backup" (dir, schedule, verify, encryption_key_file, keep): read by gateway/ops/backup
  // (parseBackupSettings) for `huitong backup` and the daily job; absent = no scheduled backup.
  std::optional<ConfigNode> backup;
  // "report" (dir, schedule): read by gateway/ops/report (readReportSettings) for `huitong
  // report monthly` and the monthly job; absent = reports under "reports", on the 1st at 06:00.
  std::optional<ConfigNode> report;
  // The parsed file: adapter config blocks point into it.
  std::shared_ptr<const void> document;
  const SystemConfig* findSystem(const std::string& id) const;
};

// Reads and checks the configuration. Relative paths are taken from the config file's folder.
Result<GatewayConfig> loadConfig(const std::string& path);

// Whether `address` (dotted IPv4 or IPv6 text) is inside `cidr` ("10.0.0.0/8", "::1/128").
bool cidrContains(const std::string& cidr, const std::string& address);

}  // namespace huitong::http
