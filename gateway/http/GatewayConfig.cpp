#include "gateway/http/GatewayConfig.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

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
  if (auto k = r.keys(root, "",
                      {"listen", "threads", "max_body_bytes", "mappings", "store", "platform",
                       "delivery", "ops_token", "systems", "plugins"});
      !k.ok()) {
    return k.error();
  }
  std::string listen = "127.0.0.1:8600";
  if (auto e = r.str(root, "listen", "", listen); !e.ok())
    return e.error();
  if (auto e = splitListen(listen, c.listenHost, c.listenPort); !e.ok())
    return r.fail("/listen", e.error().message);
  if (auto e = r.num(root, "threads", "", c.threads, 2, 1024); !e.ok())
    return e.error();
  if (auto e = r.num(root, "max_body_bytes", "", c.maxBodyBytes, 1024, 64.0 * 1024 * 1024); !e.ok())
    return e.error();
  if (auto e = r.str(root, "mappings", "", c.mappingsDir); !e.ok())
    return e.error();
  c.mappingsDir = r.path(c.mappingsDir);
  if (auto e = r.str(root, "ops_token", "", c.opsToken); !e.ok())
    return e.error();

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
    if (auto k = r.keys(p, "/platform", {"url", "token", "timeout_ms"}); !k.ok())
      return k.error();
    if (auto e = r.str(p, "url", "/platform", c.delivery.platformUrl); !e.ok())
      return e.error();
    if (c.delivery.platformUrl.rfind("http://", 0) != 0) {
      return r.fail("/platform/url",
                    "platform url must start with http:// (https arrives with TLS support)");
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
    if (auto k =
            r.keys(v, ptr, {"adapter", "auth", "keys", "allow_cidrs", "token_header", "token"});
        !k.ok())
      return k.error();
    if (auto e = r.str(v, "auth", ptr, s.auth); !e.ok())
      return e.error();
    if (s.auth != "signature" && s.auth != "legacy") {
      return r.fail(
          ptr + "/auth",
          "auth is \"signature\" (HTTP Message Signatures) or \"legacy\" (address allow-list)");
    }
    if (auto keys = v.FindMember("keys"); keys != v.MemberEnd()) {
      if (!keys->value.IsArray())
        return r.fail(ptr + "/keys", "keys is a list of {key_id, alg, secret | public_key_file}");
      for (rapidjson::SizeType i = 0; i < keys->value.Size(); ++i) {
        const auto& kv = keys->value[i];
        const std::string kptr = ptr + "/keys/" + std::to_string(i);
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
        s.keys.push_back(std::move(key));
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
