#include "gateway/ops/baseline/SafeSettings.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "gateway/ops/baseline/ConfigBaseline.h"

namespace huitong::ops::baseline {
namespace {

ConfigFinding finding(std::string id, std::string check, std::string severity, std::string title,
                      std::string detail, std::string file = "") {
  return {std::move(id),    std::move(check),  std::move(severity),
          std::move(title), std::move(detail), std::move(file)};
}

std::string opensslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0)
    return "no detail from OpenSSL";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

std::string octal(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string weaknessOf(const SSL_CIPHER* c) {
  const std::string name = SSL_CIPHER_get_name(c);
  const int cipher = SSL_CIPHER_get_cipher_nid(c);
  if (cipher == NID_undef)
    return "NULL encryption";
  if (cipher == NID_rc4 || cipher == NID_rc4_40)
    return "RC4";
  if (cipher == NID_des_ede3_cbc)
    return "3DES";
  if (cipher == NID_des_cbc || cipher == NID_rc2_cbc || cipher == NID_rc2_40_cbc)
    return "DES/RC2";
  if (SSL_CIPHER_get_auth_nid(c) == NID_auth_null)
    return "anonymous (no authentication)";
  if (SSL_CIPHER_get_digest_nid(c) == NID_md5)
    return "MD5";
  int algBits = 0;
  const int bits = SSL_CIPHER_get_bits(c, &algBits);
  if (name.find("EXP") != std::string::npos || bits < 128)
    return "EXPORT/low strength (" + std::to_string(bits) + " bits)";
  return "";
}

using CtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

struct X509Chain {
  std::vector<X509*> certs;
  ~X509Chain() {
    for (auto* c : certs)
      X509_free(c);
  }
};

bool readPemCerts(const std::string& path, X509Chain& out) {
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (bio == nullptr)
    return false;
  while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr))
    out.certs.push_back(x);
  BIO_free(bio);
  ERR_clear_error();  // the end of the file reads as an error
  return !out.certs.empty();
}

std::string subjectOf(X509* x) {
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, X509_get_subject_name(x), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string s(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return s;
}

}  // namespace

CipherReport classifyCipherList(const std::string& list) {
  CipherReport report;
  for (std::size_t start = 0; start <= list.size();) {
    auto end = list.find_first_of(":, ", start);
    if (end == std::string::npos)
      end = list.size();
    const std::string token = list.substr(start, end - start);
    start = end + 1;
    if (token.empty() || token[0] == '!' || token[0] == '-' || token[0] == '+' || token[0] == '@')
      continue;
    const std::string u = upper(token);
    for (const char* weak : {"RC4", "DES", "NULL", "EXP", "MD5", "ADH", "AECDH", "ANON"}) {
      if (u.find(weak) != std::string::npos) {
        report.weakNamed.push_back(token);
        break;
      }
    }
  }
  CtxPtr ctx(SSL_CTX_new(TLS_method()), &SSL_CTX_free);
  if (!ctx) {
    report.ok = false;
    report.error = opensslError();
    return report;
  }
  SSL_CTX_set_security_level(ctx.get(), 0);
  if (SSL_CTX_set_cipher_list(ctx.get(), list.empty() ? "DEFAULT" : list.c_str()) != 1) {
    report.ok = false;
    report.error = "OpenSSL accepts no cipher of \"" + list + "\": " + opensslError();
    return report;
  }
  const STACK_OF(SSL_CIPHER)* sk = SSL_CTX_get_ciphers(ctx.get());
  for (int i = 0; i < sk_SSL_CIPHER_num(sk); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(sk, i);
    const std::string name = SSL_CIPHER_get_name(c);
    if (name.rfind("TLS_", 0) == 0)
      continue;  // a TLS 1.3 suite (ciphersuites), not this list
    report.ciphers.push_back({name, weaknessOf(c)});
  }
  return report;
}

std::vector<ConfigFinding> checkTls(const std::string& minVersion, const std::string& ciphers,
                                    const std::string& ciphersuites) {
  std::vector<ConfigFinding> out;
  if (minVersion != "1.2" && minVersion != "1.3")
    out.push_back(finding("tls.min_version", "tls", "critical",
                          "TLS below 1.2 allowed (min_version " + minVersion + ")",
                          "tls.min_version is \"" + minVersion +
                              "\": set it to \"1.2\" or \"1.3\" in the config's tls block"));
  const auto report = classifyCipherList(ciphers);
  const std::string shown = ciphers.empty() ? "OpenSSL's default list" : "\"" + ciphers + "\"";
  if (!report.ok) {
    out.push_back(finding("tls.cipher_list", "tls", "major", "TLS cipher list not usable",
                          report.error + ": fix tls.ciphers"));
  } else {
    std::map<std::string, std::vector<std::string>> byWeakness;
    for (const auto& c : report.ciphers)
      if (!c.weakness.empty())
        byWeakness[c.weakness].push_back(c.name);
    for (const auto& [weakness, names] : byWeakness) {
      std::string list;
      for (const auto& n : names)
        list += (list.empty() ? "" : ", ") + n;
      out.push_back(finding(
          "tls.weak_cipher:" + weakness, "tls", "major", "weak TLS ciphers enabled: " + weakness,
          shown + " enables " + list + ": remove them from tls.ciphers (e.g. add !" +
              (weakness == "3DES"               ? std::string("3DES")
               : weakness == "RC4"              ? std::string("RC4")
               : weakness == "MD5"              ? std::string("MD5")
               : weakness.rfind("NULL", 0) == 0 ? std::string("eNULL")
               : weakness.rfind("anon", 0) == 0 ? std::string("aNULL")
                                                : std::string("EXPORT:!LOW")) +
              ") or use ECDHE+AESGCM:ECDHE+CHACHA20"));
    }
    for (const auto& token : report.weakNamed) {
      bool expanded = false;
      for (const auto& c : report.ciphers)
        expanded = expanded || (!c.weakness.empty() && upper(c.name) == upper(token));
      if (!expanded)
        out.push_back(finding("tls.weak_cipher_named:" + token, "tls", "minor",
                              "cipher list names a weak cipher: " + token,
                              "tls.ciphers names " + token +
                                  " (this OpenSSL does not enable it, another build may): "
                                  "remove it from tls.ciphers"));
    }
  }
  if (!ciphersuites.empty()) {
    CtxPtr ctx(SSL_CTX_new(TLS_method()), &SSL_CTX_free);
    if (ctx && SSL_CTX_set_ciphersuites(ctx.get(), ciphersuites.c_str()) != 1)
      out.push_back(finding("tls.ciphersuites", "tls", "major", "TLS 1.3 suites not usable",
                            "tls.ciphersuites \"" + ciphersuites + "\": " + opensslError() +
                                ": use OpenSSL TLS 1.3 suite names"));
  }
  return out;
}

std::vector<ConfigFinding> checkCertificate(const std::string& label, const std::string& certFile,
                                            const std::string& keyFile, const std::string& caFile,
                                            bool verifyChain, EpochMillis now) {
  std::vector<ConfigFinding> out;
  const std::string id = ":" + label;
  X509Chain chain;
  if (!readPemCerts(certFile, chain)) {
    out.push_back(finding("certificate.unreadable" + id, "certificate", "critical",
                          label + " certificate unreadable",
                          certFile + ": no PEM certificate could be read; put the certificate "
                                     "(then its intermediates) there as PEM",
                          certFile));
    return out;
  }
  X509* leaf = chain.certs.front();
  const std::string subject = subjectOf(leaf);
  if (!keyFile.empty()) {
    BIO* bio = BIO_new_file(keyFile.c_str(), "r");
    EVP_PKEY* key =
        bio != nullptr ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
    if (bio != nullptr)
      BIO_free(bio);
    if (key == nullptr) {
      ERR_clear_error();
      out.push_back(finding("certificate.key_unreadable" + id, "certificate", "critical",
                            label + " private key unreadable",
                            keyFile + ": no unencrypted PEM private key could be read", keyFile));
    } else {
      if (X509_check_private_key(leaf, key) != 1) {
        ERR_clear_error();
        out.push_back(finding("certificate.key_mismatch" + id, "certificate", "critical",
                              label + " private key does not match the certificate",
                              keyFile + " is not the key of " + certFile + " (" + subject +
                                  "): install the key the certificate was issued for",
                              keyFile));
      }
      EVP_PKEY_free(key);
    }
  }
  time_t t = static_cast<time_t>(now / 1000);
  const bool expired = X509_cmp_time(X509_get0_notAfter(leaf), &t) < 0;
  if (expired) {
    out.push_back(finding("certificate.expired" + id, "certificate", "critical",
                          label + " certificate expired",
                          certFile + " (" + subject +
                              ") has expired: renew it and replace the "
                              "file",
                          certFile));
  } else if (X509_cmp_time(X509_get0_notBefore(leaf), &t) > 0) {
    out.push_back(finding("certificate.not_yet_valid" + id, "certificate", "major",
                          label + " certificate not yet valid",
                          certFile + " (" + subject +
                              ") is not valid yet: check the clock or "
                              "the certificate",
                          certFile));
  } else {
    ASN1_TIME* nowAsn = ASN1_TIME_set(nullptr, t);
    int days = 0, secs = 0;
    if (nowAsn != nullptr && ASN1_TIME_diff(&days, &secs, nowAsn, X509_get0_notAfter(leaf)) == 1 &&
        days < 30)
      out.push_back(finding(
          "certificate.expiring" + id, "certificate", "minor",
          label + " certificate expires in " + std::to_string(days) + " days",
          certFile + " (" + subject + ") expires in " + std::to_string(days) + " days: renew it",
          certFile));
    ASN1_TIME_free(nowAsn);
  }
  if (verifyChain) {
    X509_STORE* store = X509_STORE_new();
    bool loaded = true;
    if (!caFile.empty() && X509_STORE_load_locations(store, caFile.c_str(), nullptr) != 1) {
      loaded = false;
      out.push_back(finding(
          "certificate.ca_unreadable" + id, "certificate", "major", label + " CA file unreadable",
          caFile + ": " + opensslError() + ": put the CA certificates as PEM", caFile));
    }
    X509_STORE_set_default_paths(store);
    ERR_clear_error();
    STACK_OF(X509)* untrusted = sk_X509_new_null();
    for (std::size_t i = 1; i < chain.certs.size(); ++i)
      sk_X509_push(untrusted, chain.certs[i]);
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, leaf, untrusted);
    X509_STORE_CTX_set_time(ctx, 0, t);
    if (loaded && X509_verify_cert(ctx) != 1) {
      const int err = X509_STORE_CTX_get_error(ctx);
      if (!(expired && err == X509_V_ERR_CERT_HAS_EXPIRED))
        out.push_back(finding(
            "certificate.untrusted" + id, "certificate", "major",
            label + " certificate chain does not verify",
            certFile + " (" + subject + "): " + X509_verify_cert_error_string(err) +
                (caFile.empty() ? " against the system store"
                                : " against " + caFile + " and the system store") +
                ": put the intermediates after the certificate in the file, or name the issuing "
                "CA",
            certFile));
    }
    ERR_clear_error();
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    X509_STORE_free(store);
  }
  return out;
}

std::vector<ConfigFinding> checkSecretFile(const std::string& path, const std::string& what) {
  std::vector<ConfigFinding> out;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    out.push_back(finding("secret.missing:" + path, "permissions", "major", what + " missing",
                          path + ": not found; the config names it", path));
    return out;
  }
  const unsigned mode = static_cast<unsigned>(st.st_mode) & 07777u;
  if ((mode & 0177u) != 0)
    out.push_back(finding("perm.secret_mode:" + path, "permissions",
                          (mode & 0004u) != 0 ? "critical" : "major",
                          what + " readable by others (mode " + octal(mode) + ")",
                          path + ": mode " + octal(mode) + "; run chmod 600 " + path, path));
  if (st.st_uid != ::geteuid())
    out.push_back(finding("perm.secret_owner:" + path, "permissions", "major",
                          what + " not owned by the gateway's user",
                          path + ": owned by uid " + std::to_string(st.st_uid) +
                              ", the gateway runs as uid " + std::to_string(::geteuid()) +
                              "; run chown to the gateway's user",
                          path));
  return out;
}

std::vector<ConfigFinding> checkDataDir(const std::string& dir) {
  std::vector<ConfigFinding> out;
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    out.push_back(finding("data_dir.missing", "permissions", "info", "data dir not created yet",
                          dir + ": absent; huitong serve creates it on its first start", dir));
    return out;
  }
  const unsigned mode = static_cast<unsigned>(st.st_mode) & 07777u;
  if ((mode & 0002u) != 0)
    out.push_back(finding(
        "perm.data_dir_world_writable", "permissions", "critical",
        "data dir world-writable (mode " + octal(mode) + ")",
        dir + ": anyone may replace the store; run chmod o-w " + dir + " (0750 suggested)", dir));
  if (st.st_uid != ::geteuid())
    out.push_back(finding("perm.data_dir_owner", "permissions", "minor",
                          "data dir not owned by the gateway's user",
                          dir + ": owned by uid " + std::to_string(st.st_uid) +
                              ", the gateway runs as uid " + std::to_string(::geteuid()),
                          dir));
  return out;
}

namespace {

struct DemoCredential {
  const char* sha256;
  const char* what;
};

// SHA-256 of the credentials sandbox/demo ships (test_ops_baseline compares them with the
// files): fingerprints only, so the secrets are not copied into the binary.
const DemoCredential kDemo[] = {
    {"4db91eab0281403a94ae3ed61e1e1baf7528d2dc264eb786f64c43d7697d3177", "the demo ops token"},
    {"954bc6d5599fe763dd7268f15d4bc812ff1af85d633e47edc0668549356ac1d1", "the demo platform token"},
    {"a4ac14e60e8658bca10d71014aa22ad30622d9f573141f44af1c3b56eea3aad5",
     "the demo secret of marriage"},
    {"dfeba3c3ea87c9dc4a9579d28f83b9e5839ed83c4ee4cff94414bc30d48753f4",
     "the demo secret of social-assistance"},
    {"7665dd1ced0832e6b4ef5710d3257908855b8161ab1d0fed2ed7c5c8504dbdab",
     "the demo secret of funeral"},
    {"1bcc4bd3e46c58f3d25e0aff2c61e33c111ff8f71e6a850ee24465d8996d1724",
     "the demo private key of elderly-subsidy"},
    {"0c1621053df71560a860067cb7c1281051e05e2ecb0bf010e7d2660432ddec44",
     "the demo public key of elderly-subsidy"},
};

const char* demoWhat(const std::string& fingerprint) {
  for (const auto& d : kDemo)
    if (fingerprint == d.sha256)
      return d.what;
  return nullptr;
}

}  // namespace

const std::vector<std::string>& demoFingerprints() {
  static const std::vector<std::string> kAll = [] {
    std::vector<std::string> v;
    for (const auto& d : kDemo)
      v.push_back(d.sha256);
    return v;
  }();
  return kAll;
}

std::vector<ConfigFinding> checkDemoCredentials(const std::string& configFile,
                                                const std::vector<std::string>& strings,
                                                const std::vector<std::string>& keyIds,
                                                const std::vector<std::string>& keyFiles) {
  std::vector<ConfigFinding> out;
  const std::string fix =
      ": production mode must not run with the demo's credentials; replace it "
      "with a new one (or set \"mode\": \"demo\" on a demo install)";
  for (const auto& s : strings) {
    std::string value = s;
    if (value.rfind("Bearer ", 0) == 0)
      value = value.substr(7);
    const std::string fp = sha256Hex(value);
    if (const char* what = demoWhat(fp))
      out.push_back(finding("demo.credential:" + fp.substr(0, 12), "demo", "critical",
                            std::string("demo credential in production: ") + what,
                            configFile + " holds " + what + fix, configFile));
  }
  for (const auto& id : keyIds)
    if (id.find("demo") != std::string::npos)
      out.push_back(finding("demo.key_id:" + id, "demo", "major",
                            "demo key id in production: " + id,
                            configFile + ": key_id " + id + " is a demo key's" + fix, configFile));
  for (const auto& f : keyFiles) {
    std::ifstream in(f, std::ios::binary);
    if (!in)
      continue;
    std::ostringstream ss;
    ss << in.rdbuf();
    if (const char* what = demoWhat(sha256Hex(ss.str())))
      out.push_back(finding("demo.key_file:" + f, "demo", "critical",
                            std::string("demo key file in production: ") + what,
                            f + " is " + what + fix, f));
  }
  std::error_code ec;
  const auto creds = (std::filesystem::absolute(configFile, ec).parent_path() / "credentials.json")
                         .lexically_normal();
  if (std::filesystem::exists(creds, ec))
    out.push_back(finding("demo.credentials_file", "demo", "major",
                          "demo department credentials beside the production config",
                          creds.string() +
                              ": the demo's file of department secrets and keys; remove it "
                              "from a production install",
                          creds.string()));
  return out;
}

}  // namespace huitong::ops::baseline
