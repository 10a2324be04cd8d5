#include "gateway/http/GatewayConfig.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "gateway/core/WorkCalendar.h"
#include "gateway/http/TlsListener.h"
#include "gateway/mapping/PositionedJson.h"

namespace huitong::http {
namespace {

using mapping::pointerToken;
using mapping::PositionedJson;

class Reader {
 public:
  Reader(const PositionedJson& file, std::string baseDir)
      : file_(file), baseDir_(std::move(baseDir)) {}

  Error fail(const std::string& ptr, const std::string& msg) const {
    return Error{"config.invalid", msg, file_.where(ptr)};
  }
  // Refuses keys outside `allowed` in the object at `ptr`.
  Result<void> keys(const rapidjson::Value& obj, const std::string& ptr,
                    std::vector<std::string> allowed) const {
    if (!obj.IsObject())
      return fail(ptr, "expected an object");
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
      const std::string k = it->name.GetString();
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed)
          list += (list.empty() ? "" : ", ") + a;
        return fail(ptr + "/" + pointerToken(k), "unknown key '" + k + "' (expected " + list + ")");
      }
    }
    return {};
  }
  Result<void> str(const rapidjson::Value& obj, const char* key, const std::string& ptr,
                   std::string& out) const {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd())
      return {};
    if (!it->value.IsString())
      return fail(ptr + "/" + key, std::string(key) + " must be a string");
    out = it->value.GetString();
    return {};
  }
  template <typename T>
  Result<void> num(const rapidjson::Value& obj, const char* key, const std::string& ptr, T& out,
                   double min, double max) const {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd())
      return {};
    if (!it->value.IsNumber() || it->value.GetDouble() < min || it->value.GetDouble() > max ||
        it->value.GetDouble() !=
            static_cast<double>(static_cast<long long>(it->value.GetDouble()))) {
      return fail(ptr + "/" + key, std::string(key) + " must be a whole number from " +
                                       std::to_string(static_cast<long long>(min)) + " to " +
                                       std::to_string(static_cast<long long>(max)));
    }
    out = static_cast<T>(it->value.GetDouble());
    return {};
  }
  const std::string& baseDir() const { return baseDir_; }
  std::string path(const std::string& p) const {
    if (p.empty() || p[0] == '/')
      return p;
    return baseDir_ + "/" + p;
  }
  Result<std::string> readFile(const std::string& ptr, const std::string& p) const {
    std::ifstream f(path(p), std::ios::binary);
    if (!f)
      return fail(ptr, "cannot read " + path(p));
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

 private:
  const PositionedJson& file_;
  std::string baseDir_;
};

Result<void> splitListen(const std::string& listen, std::string& host, unsigned short& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    return Error{"", "listen is HOST:PORT, e.g. 127.0.0.1:8600", ""};
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  try {
    const long p = std::stol(listen.substr(colon + 1));
    if (p < 0 || p > 65535)
      throw std::out_of_range("port");
    port = static_cast<unsigned short>(p);
  } catch (const std::exception&) {
    return Error{"", "listen port must be a number from 0 to 65535", ""};
  }
  return {};
}

bool isLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Result<TlsListenerConfig> readTls(const Reader& r, const rapidjson::Value& v) {
  if (auto k = r.keys(v, "/tls",
                      {"listen", "certificate_file", "private_key_file", "ca_file", "min_version",
                       "ciphers", "ciphersuites", "client_certificates", "handshake_timeout_ms"});
      !k.ok()) {
    return k.error();
  }
  TlsListenerConfig t;
  std::string listen = "0.0.0.0:8643";
  if (auto e = r.str(v, "listen", "/tls", listen); !e.ok())
    return e.error();
  if (auto e = splitListen(listen, t.listenHost, t.listenPort); !e.ok())
    return r.fail("/tls/listen", e.error().message);
  for (const auto& [key, out] :
       {std::pair<const char*, std::string*>{"certificate_file", &t.certificateFile},
        {"private_key_file", &t.privateKeyFile},
        {"ca_file", &t.caFile},
        {"min_version", &t.minVersion},
        {"ciphers", &t.ciphers},
        {"ciphersuites", &t.ciphersuites},
        {"client_certificates", &t.clientCertificates}}) {
    if (auto e = r.str(v, key, "/tls", *out); !e.ok())
      return e.error();
  }
  for (std::string* file : {&t.certificateFile, &t.privateKeyFile, &t.caFile}) {
    if (!file->empty())
      *file = r.path(*file);
  }
  if (t.minVersion != "1.2" && t.minVersion != "1.3")
    return r.fail("/tls/min_version", "min_version is \"1.2\" or \"1.3\" (1.0 and 1.1 are off)");
  if (t.clientCertificates != "none" && t.clientCertificates != "optional" &&
      t.clientCertificates != "required") {
    return r.fail("/tls/client_certificates",
                  "client_certificates is \"none\", \"optional\" (asked for, checked per "
                  "system) or \"required\" (no connection without one)");
  }
  if (auto e = r.num(v, "handshake_timeout_ms", "/tls", t.handshakeTimeoutMillis, 100, 120000);
      !e.ok())
    return e.error();
  // Built once here so that a bad file or cipher list stops the start at its key.
  if (auto ctx = makeServerContext(t); !ctx.ok()) {
    return r.fail("/tls" + (ctx.error().path.empty() ? "" : "/" + ctx.error().path),
                  ctx.error().message);
  }
  return t;
}

Result<std::vector<ClientCertRule>> readClientCerts(const Reader& r, const rapidjson::Value& v,
                                                    const std::string& ptr) {
  std::vector<ClientCertRule> rules;
  auto one = [&](const rapidjson::Value& item, const std::string& iptr) -> Result<void> {
    if (auto k = r.keys(item, iptr, {"subject", "sha256_fingerprint"}); !k.ok())
      return k.error();
    ClientCertRule rule;
    if (auto e = r.str(item, "subject", iptr, rule.subject); !e.ok())
      return e.error();
    if (auto e = r.str(item, "sha256_fingerprint", iptr, rule.sha256Fingerprint); !e.ok())
      return e.error();
    if (rule.subject.empty() && rule.sha256Fingerprint.empty())
      return r.fail(iptr, "client_cert names a subject or a sha256_fingerprint (or both)");
    if (!rule.sha256Fingerprint.empty()) {
      std::string hex;
      for (char ch : rule.sha256Fingerprint) {
        if (ch != ':')
          hex += ch;
      }
      if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
        return r.fail(iptr + "/sha256_fingerprint",
                      "sha256_fingerprint is 32 hex pairs, e.g. \"AB:CD:...\" as printed by "
                      "openssl x509 -noout -fingerprint -sha256");
    }
    rules.push_back(std::move(rule));
    return {};
  };
  if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      if (auto e = one(v[i], ptr + "/" + std::to_string(i)); !e.ok())
        return e.error();
    }
    if (rules.empty())
      return r.fail(ptr, "client_cert lists at least one certificate");
  } else if (auto e = one(v, ptr); !e.ok()) {
    return e.error();
  }
  return rules;
}

}  // namespace

const SystemConfig* GatewayConfig::findSystem(const std::string& id) const {
  for (const auto& s : systems) {
    if (s.id == id)
      return &s;
  }
  return nullptr;
}

bool cidrContains(const std::string& cidr, const std::string& address) {
  const auto slash = cidr.find('/');
  const std::string net = cidr.substr(0, slash);
  unsigned char a[16], b[16];
  int family = net.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  const int len = family == AF_INET6 ? 16 : 4;
  if (inet_pton(family, net.c_str(), a) != 1)
    return false;
  std::string addr = address;
  // An IPv4 peer seen on an IPv6 socket: ::ffff:a.b.c.d
  if (family == AF_INET && addr.rfind("::ffff:", 0) == 0)
    addr = addr.substr(7);
  if (inet_pton(family, addr.c_str(), b) != 1)
    return false;
  int bits = slash == std::string::npos ? len * 8 : std::atoi(cidr.c_str() + slash + 1);
  if (bits < 0 || bits > len * 8)
    return false;
  for (int i = 0; i < len && bits > 0; ++i, bits -= 8) {
    const unsigned char mask = bits >= 8 ? 0xFF : static_cast<unsigned char>(0xFF << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask))
      return false;
  }
  return true;
}

Result<GatewayConfig> loadConfig(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f)
    return Error{"config.io", "cannot read the configuration file", path};
  std::ostringstream ss;
  ss << f.rdbuf();
  auto parsed = PositionedJson::parse(ss.str(), path);
  if (!parsed.ok())
    return parsed.error();
  // Kept for the gateway's whole run: adapter config blocks are read from it at start.
  const auto file = std::make_shared<const PositionedJson>(std::move(parsed).value());
  const auto slash = path.rfind('/');
  Reader r(*file, slash == std::string::npos ? "." : path.substr(0, slash));
  const rapidjson::Value& root = file->root();
  GatewayConfig c;
  c.file = path;
  c.document = file;
  if (auto k =
          r.keys(root, "", {"listen",  "tls",      "threads",      "max_body_bytes", "mappings",
                            "store",   "platform", "delivery",     "ops_token",      "systems",
                            "plugins", "calendar", "staff_access", "registry",       "monitor",
                            "health",  "faults",   "mode",         "backup",         "inspection",
                            "report"});
      !k.ok()) {
    return k.error();
  }
  if (auto e = r.str(root, "mode", "", c.mode); !e.ok())
    return e.error();
  if (c.mode != "production" && c.mode != "demo")
    return r.fail("/mode", "mode is \"production\" or \"demo\"");
  std::string listen = "127.0.0.1:8600";
  if (auto e = r.str(root, "listen", "", listen); !e.ok())
    return e.error();
  if (auto e = splitListen(listen, c.listenHost, c.listenPort); !e.ok())
    return r.fail("/listen", e.error().message);
  if (auto it = root.FindMember("tls"); it != root.MemberEnd()) {
    auto tls = readTls(r, it->value);
    if (!tls.ok())
      return tls.error();
    c.tls = std::move(tls).value();
    // Beside TLS, plain HTTP is for the host itself (health checks, metrics scrapes): on
    // loopback, and only when asked for.
    c.plainListener = root.HasMember("listen");
    if (c.plainListener && !isLoopback(c.listenHost)) {
      return r.fail("/listen",
                    "with \"tls\", the plain listener must be on loopback (127.0.0.1 or ::1); "
                    "remove \"listen\" to serve HTTPS only");
    }
  }
  if (auto e = r.num(root, "threads", "", c.threads, 2, 1024); !e.ok())
    return e.error();
  if (auto e = r.num(root, "max_body_bytes", "", c.maxBodyBytes, 1024, 64.0 * 1024 * 1024); !e.ok())
    return e.error();
  if (auto e = r.str(root, "mappings", "", c.mappingsDir); !e.ok())
    return e.error();
  c.mappingsDir = r.path(c.mappingsDir);
  if (auto e = r.str(root, "ops_token", "", c.opsToken); !e.ok())
    return e.error();
  if (auto it = root.FindMember("staff_access"); it != root.MemberEnd()) {
    const auto& s = it->value;
    if (auto k = r.keys(s, "/staff_access", {"session_seconds", "max_failures", "lockout_seconds"});
        !k.ok())
      return k.error();
    if (auto e = r.num(s, "session_seconds", "/staff_access", c.sessionSeconds, 1, 86400); !e.ok())
      return e.error();
    if (auto e = r.num(s, "max_failures", "/staff_access", c.maxLoginFailures, 1, 100); !e.ok())
      return e.error();
    if (auto e = r.num(s, "lockout_seconds", "/staff_access", c.lockoutSeconds, 1, 86400); !e.ok())
      return e.error();
  }
  if (auto it = root.FindMember("registry"); it != root.MemberEnd()) {
    const auto& g = it->value;
    if (auto k = r.keys(g, "/registry", {"assume_sandbox_evidence", "filings", "refresh_ms"});
        !k.ok())
      return k.error();
    if (auto e = r.str(g, "filings", "/registry", c.filingsFile); !e.ok())
      return e.error();
    if (g.HasMember("filings") && c.filingsFile.empty())
      return r.fail("/registry/filings", "filings names a file of filings (or leave it out)");
    c.filingsFile = r.path(c.filingsFile);
    if (auto e = r.num(g, "refresh_ms", "/registry", c.filingRefreshMs, 100, 3600000); !e.ok())
      return e.error();
    if (auto ev = g.FindMember("assume_sandbox_evidence"); ev != g.MemberEnd()) {
      if (!ev->value.IsBool())
        return r.fail("/registry/assume_sandbox_evidence",
                      "assume_sandbox_evidence is true or false");
      c.assumeSandboxEvidence = ev->value.GetBool();
    }
  }

  c.store.path = r.path("var/huitong.db");
  if (auto it = root.FindMember("store"); it != root.MemberEnd()) {
    const auto& s = it->value;
    if (auto k = r.keys(s, "/store", {"kind", "path", "connection", "pool_size"}); !k.ok())
      return k.error();
    if (auto e = r.str(s, "kind", "/store", c.store.kind); !e.ok())
      return e.error();
    if (c.store.kind != "sqlite" && c.store.kind != "postgresql") {
      return r.fail("/store/kind", "store kind is \"sqlite\" or \"postgresql\"");
    }
    std::string p;
    if (auto e = r.str(s, "path", "/store", p); !e.ok())
      return e.error();
    if (!p.empty())
      c.store.path = r.path(p);
    if (auto e = r.str(s, "connection", "/store", c.store.connection); !e.ok())
      return e.error();
    if (auto e = r.num(s, "pool_size", "/store", c.store.poolSize, 1, 256); !e.ok())
      return e.error();
    if (c.store.kind == "postgresql" && c.store.connection.empty()) {
      return r.fail(
          "/store",
          "a postgresql store needs \"connection\" (host=... port=... dbname=... user=...)");
    }
  }
  if (auto it = root.FindMember("platform"); it != root.MemberEnd()) {
    const auto& p = it->value;
    if (auto k = r.keys(
            p, "/platform",
            {"url", "token", "timeout_ms", "ca_file", "certificate_file", "private_key_file"});
        !k.ok())
      return k.error();
    if (auto e = r.str(p, "url", "/platform", c.delivery.platformUrl); !e.ok())
      return e.error();
    const bool https = c.delivery.platformUrl.rfind("https://", 0) == 0;
    if (!https && c.delivery.platformUrl.rfind("http://", 0) != 0)
      return r.fail("/platform/url", "platform url must start with https:// or http://");
    for (const auto& [key, out] :
         {std::pair<const char*, std::string*>{"ca_file", &c.delivery.caFile},
          {"certificate_file", &c.delivery.certificateFile},
          {"private_key_file", &c.delivery.privateKeyFile}}) {
      if (auto e = r.str(p, key, "/platform", *out); !e.ok())
        return e.error();
      if (!out->empty() && !https)
        return r.fail(std::string("/platform/") + key, std::string(key) + " needs an https:// url");
      if (!out->empty())
        *out = r.path(*out);
    }
    if (c.delivery.certificateFile.empty() != c.delivery.privateKeyFile.empty()) {
      return r.fail("/platform",
                    "a client certificate needs both certificate_file and private_key_file");
    }
    if (https) {
      if (auto e = exchange::DeliveryWorker::checkTls(c.delivery); !e.ok())
        return r.fail("/platform" + (e.error().path.empty() ? "" : "/" + e.error().path),
                      e.error().message);
    }
    if (auto e = r.str(p, "token", "/platform", c.delivery.token); !e.ok())
      return e.error();
    if (auto e = r.num(p, "timeout_ms", "/platform", c.delivery.timeoutMillis, 100, 600000);
        !e.ok())
      return e.error();
  }
  if (auto it = root.FindMember("delivery"); it != root.MemberEnd()) {
    const auto& d = it->value;
    if (auto k = r.keys(d, "/delivery",
                        {"workers", "batch_size", "batch_threshold", "max_attempts",
                         "initial_backoff_ms", "max_backoff_ms", "lease_ms", "idle_ms"});
        !k.ok()) {
      return k.error();
    }
    if (auto e = r.num(d, "workers", "/delivery", c.delivery.workers, 1, 64); !e.ok())
      return e.error();
    if (auto e = r.num(d, "batch_size", "/delivery", c.delivery.batchSize, 1, 500); !e.ok())
      return e.error();
    if (auto e = r.num(d, "batch_threshold", "/delivery", c.delivery.batchThreshold, 1, 500);
        !e.ok())
      return e.error();
    if (auto e = r.num(d, "max_attempts", "/delivery", c.delivery.maxAttempts, 1, 1000); !e.ok())
      return e.error();
    if (auto e = r.num(d, "initial_backoff_ms", "/delivery", c.delivery.initialBackoffMillis, 10,
                       3600000);
        !e.ok())
      return e.error();
    if (auto e = r.num(d, "max_backoff_ms", "/delivery", c.delivery.maxBackoffMillis, 10, 86400000);
        !e.ok())
      return e.error();
    if (auto e = r.num(d, "lease_ms", "/delivery", c.delivery.leaseMillis, 1000, 3600000); !e.ok())
      return e.error();
    if (auto e = r.num(d, "idle_ms", "/delivery", c.delivery.idleMillis, 10, 60000); !e.ok())
      return e.error();
  }
  const auto systems = root.FindMember("systems");
  if (systems == root.MemberEnd() || !systems->value.IsObject()) {
    return r.fail("",
                  "missing \"systems\": an object of system id -> {auth, keys | legacy settings}");
  }
  if (auto it = root.FindMember("calendar"); it != root.MemberEnd()) {
    if (!it->value.IsObject())
      return r.fail("/calendar", "calendar is {extra_days_off, extra_working_days, office_hours}");
    c.calendar.emplace(
        it->value, "/calendar", [file](const std::string& p) { return file->where(p); },
        r.baseDir());
    WorkCalendar probe = WorkCalendar::china();
    if (auto e = probe.configure(*c.calendar); !e.ok())
      return e.error();
  }
  // The monitoring module's, per-item health's and the fault module's blocks: read (and refused
  // with file:line) by those modules when the gateway starts them.
  for (const char* part : {"monitor", "health", "faults", "backup", "inspection", "report"}) {
    if (auto it = root.FindMember(part); it != root.MemberEnd()) {
      if (!it->value.IsObject())
        return r.fail(std::string("/") + part, std::string(part) + " is an object");
      std::optional<ConfigNode>& node = std::string(part) == "monitor"  ? c.monitor
                                        : std::string(part) == "health" ? c.health
                                        : std::string(part) == "backup" ? c.backup
                                        : std::string(part) == "faults" ? c.faults
                                        : std::string(part) == "report" ? c.report
                                                                        : c.inspection;
      node.emplace(
          it->value, std::string("/") + part,
          [file](const std::string& p) { return file->where(p); }, r.baseDir());
    }
  }
  if (auto it = root.FindMember("plugins"); it != root.MemberEnd()) {
    if (!it->value.IsArray())
      return r.fail("/plugins", "plugins is a list of shared library paths");
    for (const auto& p : it->value.GetArray()) {
      if (!p.IsString())
        return r.fail("/plugins", "plugins is a list of shared library paths");
      c.plugins.push_back(r.path(p.GetString()));
    }
  }
  for (auto it = systems->value.MemberBegin(); it != systems->value.MemberEnd(); ++it) {
    SystemConfig s;
    s.id = it->name.GetString();
    const std::string ptr = "/systems/" + pointerToken(s.id);
    const auto& v = it->value;
    s.where = file->where(ptr);
    if (auto k = r.keys(v, ptr,
                        {"adapter", "auth", "keys", "allow_cidrs", "token_header", "token",
                         "client_cert", "sandbox"});
        !k.ok())
      return k.error();
    if (auto e = r.str(v, "auth", ptr, s.auth); !e.ok())
      return e.error();
    if (s.auth != "signature" && s.auth != "legacy" && s.auth != "mtls") {
      return r.fail(ptr + "/auth",
                    "auth is \"signature\" (HTTP Message Signatures), \"mtls\" (a TLS client "
                    "certificate only) or \"legacy\" (address allow-list)");
    }
    if (auto cc = v.FindMember("client_cert"); cc != v.MemberEnd()) {
      auto rules = readClientCerts(r, cc->value, ptr + "/client_cert");
      if (!rules.ok())
        return rules.error();
      s.clientCerts = std::move(rules).value();
      if (!c.tls || c.tls->clientCertificates == "none") {
        return r.fail(ptr + "/client_cert",
                      "a client_cert system needs the TLS listener to ask for client "
                      "certificates: \"tls\": {\"client_certificates\": \"optional\" or "
                      "\"required\", \"ca_file\": ...}");
      }
    }
    if (s.auth == "mtls" && s.clientCerts.empty())
      return r.fail(ptr,
                    "auth \"mtls\" needs client_cert (the certificate's subject or "
                    "sha256_fingerprint)");
    // A key list ("keys", "sandbox.keys"): [{key_id, alg, secret | public_key_file}].
    auto readKeys = [&](const rapidjson::Value& list, const std::string& lptr,
                        std::vector<auth::DepartmentKey>& out) -> Result<void> {
      if (!list.IsArray())
        return r.fail(lptr, "keys is a list of {key_id, alg, secret | public_key_file}");
      for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        const auto& kv = list[i];
        const std::string kptr = lptr + "/" + std::to_string(i);
        if (auto k = r.keys(kv, kptr, {"key_id", "alg", "secret", "public_key_file"}); !k.ok())
          return k.error();
        auth::DepartmentKey key;
        key.system = s.id;
        if (auto e = r.str(kv, "key_id", kptr, key.keyId); !e.ok())
          return e.error();
        if (auto e = r.str(kv, "alg", kptr, key.algorithm); !e.ok())
          return e.error();
        if (key.keyId.empty())
          return r.fail(kptr, "a key needs key_id");
        if (key.algorithm == "hmac-sha256") {
          if (auto e = r.str(kv, "secret", kptr, key.secret); !e.ok())
            return e.error();
          if (key.secret.size() < 16)
            return r.fail(kptr, "an hmac-sha256 secret has at least 16 characters");
        } else if (key.algorithm == "ed25519") {
          std::string file;
          if (auto e = r.str(kv, "public_key_file", kptr, file); !e.ok())
            return e.error();
          auto pem = r.readFile(kptr + "/public_key_file", file);
          if (!pem.ok())
            return pem.error();
          key.publicKeyPem = pem.value();
        } else {
          return r.fail(kptr + "/alg", "alg is \"hmac-sha256\" or \"ed25519\"");
        }
        out.push_back(std::move(key));
      }
      return {};
    };
    if (auto keys = v.FindMember("keys"); keys != v.MemberEnd()) {
      if (auto k = readKeys(keys->value, ptr + "/keys", s.keys); !k.ok())
        return k.error();
    }
    if (auto sb = v.FindMember("sandbox"); sb != v.MemberEnd()) {
      const std::string sptr = ptr + "/sandbox";
      if (auto k = r.keys(sb->value, sptr, {"keys", "adapter", "trace_dir"}); !k.ok())
        return k.error();
      if (auto ad = sb->value.FindMember("adapter"); ad != sb->value.MemberEnd()) {
        if (!ad->value.IsObject())
          return r.fail(sptr + "/adapter",
                        "sandbox.adapter is the block of the sandbox's own instance of the "
                        "system's pull adapter, e.g. {\"folder\": \"drop/sandbox\"}");
        s.sandboxAdapterConfig.emplace(
            ad->value, sptr + "/adapter", [file](const std::string& p) { return file->where(p); },
            r.baseDir());
      }
      if (auto td = sb->value.FindMember("trace_dir"); td != sb->value.MemberEnd()) {
        if (!td->value.IsString() || td->value.GetStringLength() == 0)
          return r.fail(sptr + "/trace_dir", "trace_dir is a folder path");
        const std::string dir = td->value.GetString();
        s.sandboxTraceDir = !dir.empty() && dir[0] == '/' ? dir : r.baseDir() + "/" + dir;
      }
      if (auto keys = sb->value.FindMember("keys"); keys != sb->value.MemberEnd()) {
        if (auto k = readKeys(keys->value, sptr + "/keys", s.sandboxKeys); !k.ok())
          return k.error();
      }
      for (const auto& sk : s.sandboxKeys) {
        for (const auto& pk : s.keys) {
          if (sk.keyId == pk.keyId)
            return r.fail(sptr + "/keys",
                          "sandbox key '" + sk.keyId +
                              "' is also a production key: the sandbox has keys of its own");
        }
      }
    }
    if (auto cidrs = v.FindMember("allow_cidrs"); cidrs != v.MemberEnd()) {
      if (!cidrs->value.IsArray())
        return r.fail(ptr + "/allow_cidrs", "allow_cidrs is a list such as [\"10.1.2.0/24\"]");
      for (const auto& c2 : cidrs->value.GetArray()) {
        if (!c2.IsString() ||
            !cidrContains(
                c2.GetString(),
                std::string(c2.GetString()).substr(0, std::string(c2.GetString()).find('/')))) {
          return r.fail(ptr + "/allow_cidrs",
                        "not a CIDR block: " + (c2.IsString() ? std::string(c2.GetString()) : "?"));
        }
        s.allowCidrs.emplace_back(c2.GetString());
      }
    }
    if (auto e = r.str(v, "token_header", ptr, s.tokenHeader); !e.ok())
      return e.error();
    if (auto e = r.str(v, "token", ptr, s.token); !e.ok())
      return e.error();
    if (s.auth == "legacy" && s.allowCidrs.empty()) {
      return r.fail(
          ptr, "a legacy system needs allow_cidrs: its source addresses must be named explicitly");
    }
    if (auto ad = v.FindMember("adapter"); ad != v.MemberEnd()) {
      const std::string aptr = ptr + "/adapter";
      if (ad->value.IsString()) {
        s.adapterKind = ad->value.GetString();
      } else if (ad->value.IsObject()) {
        auto kind = ad->value.FindMember("kind");
        if (kind == ad->value.MemberEnd() || !kind->value.IsString())
          return r.fail(aptr, "an adapter block names its \"kind\" (http_json, soap11, ...)");
        s.adapterKind = kind->value.GetString();
        s.adapterConfig.emplace(
            ad->value, aptr, [file](const std::string& p) { return file->where(p); }, r.baseDir());
      } else {
        return r.fail(aptr, "adapter is a name (\"http_json\") or a block {\"kind\": ...}");
      }
    }
    c.systems.push_back(std::move(s));
  }
  return c;
}

}  // namespace huitong::http
