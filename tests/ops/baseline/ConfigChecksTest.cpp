// The configuration checks without the binary: line diffs, drift (edit, add, remove, chmod)
// against a baseline in a real SQLite store, cipher lists classified by OpenSSL, certificate
// problems on certificates made here with OpenSSL (expired, wrong key, untrusted chain),
// permissions of secrets and the data dir, the demo's credentials in production mode.
#define BOOST_TEST_MODULE ops_baseline
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/test/unit_test.hpp>

#include "gateway/core/Clock.h"
#include "gateway/http/GatewayConfig.h"
#include "gateway/ops/baseline/ConfigBaseline.h"
#include "gateway/ops/baseline/ConfigChecks.h"
#include "gateway/ops/baseline/LineDiff.h"
#include "gateway/ops/baseline/SafeSettings.h"
#include "gateway/storage/StatementDatabase.h"

namespace fs = std::filesystem;
namespace bl = huitong::ops::baseline;
using huitong::EpochMillis;

namespace {

struct Temp {
  fs::path dir;
  Temp() {
    std::random_device rd;
    dir = fs::temp_directory_path() / ("huitong-baseline-" + std::to_string(rd()));
    fs::create_directories(dir);
  }
  ~Temp() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  fs::path write(const std::string& name, const std::string& content, unsigned mode = 0600) const {
    const fs::path p = dir / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
    ::chmod(p.c_str(), mode);
    return p;
  }
};

EpochMillis now() {
  return huitong::SystemClock().now();
}

bool hasFinding(const std::vector<bl::ConfigFinding>& fs, const std::string& idPrefix) {
  for (const auto& f : fs)
    if (f.id.rfind(idPrefix, 0) == 0)
      return true;
  return false;
}

std::string ids(const std::vector<bl::ConfigFinding>& fs) {
  std::string s;
  for (const auto& f : fs)
    s += f.id + " [" + f.severity + "]; ";
  return s;
}

std::string mapping(int version) {
  std::string s = "{\n  \"system\": \"marriage\",\n  \"fields\": [\n";
  for (int i = 0; i < 20; ++i)
    s += "    {\"target\": \"f" + std::to_string(i) + "\", \"from\": \"$.a" +
         std::to_string(i == 10 ? i * version : i) + "\"},\n";
  return s + "    {\"target\": \"end\", \"const\": 1}\n  ]\n}\n";
}

// A config in `t` with a mappings folder, a filings seed, a data dir 0750.
std::string writeConfig(const Temp& t, const std::string& extra = "") {
  t.write("mappings/marriage/mapping.json", mapping(1), 0644);
  t.write("mappings/marriage/codes.csv", "code,name\n1,married\n", 0644);
  t.write("filings.json", "[]\n", 0644);
  fs::create_directories(t.dir / "var");
  ::chmod((t.dir / "var").c_str(), 0750);
  return t
      .write("gateway.json", R"({"mode": "production", "mappings": "mappings",
  "ops_token": "a-long-random-operator-token-0123456789",
  "registry": {"filings": "filings.json"},
  "systems": {"marriage": {"auth": "legacy", "allow_cidrs": ["127.0.0.1/32"]}},
  "store": {"kind": "sqlite", "path": "var/huitong.db"})" +
                                 extra + "}\n")
      .string();
}

huitong::http::GatewayConfig load(const std::string& file) {
  auto c = huitong::http::loadConfig(file);
  BOOST_REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().describe()));
  return std::move(c).value();
}

std::unique_ptr<huitong::storage::StatementDatabase> openDb(const huitong::http::GatewayConfig& c) {
  auto db = huitong::storage::StatementDatabase::open(c.store, "baseline-test", "baselines");
  BOOST_REQUIRE_MESSAGE(db.ok(), (db.ok() ? "" : db.error().describe()));
  return std::move(db).value();
}

// --- certificates made here -------------------------------------------------------------

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

KeyPtr newKey() {
  return KeyPtr(EVP_EC_gen("P-256"), &EVP_PKEY_free);
}

CertPtr newCert(const std::string& cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuerKey,
                long fromDays, long toDays, bool ca) {
  CertPtr x(X509_new(), &X509_free);
  X509_set_version(x.get(), 2);
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), fromDays * 86400);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), toDays * 86400);
  X509_set_pubkey(x.get(), key);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : x.get(), x.get(), nullptr, nullptr, 0);
  X509_EXTENSION* bc = X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints,
                                           ca ? "critical,CA:TRUE" : "CA:FALSE");
  X509_add_ext(x.get(), bc, -1);
  X509_EXTENSION_free(bc);
  if (ca) {
    X509_EXTENSION* ku =
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    X509_add_ext(x.get(), ku, -1);
    X509_EXTENSION_free(ku);
  }
  X509_sign(x.get(), issuerKey != nullptr ? issuerKey : key, EVP_sha256());
  return x;
}

fs::path writeCert(const Temp& t, const std::string& name, std::vector<X509*> certs) {
  const fs::path p = t.dir / name;
  FILE* f = std::fopen(p.c_str(), "w");
  for (X509* c : certs)
    PEM_write_X509(f, c);
  std::fclose(f);
  return p;
}

fs::path writeKey(const Temp& t, const std::string& name, EVP_PKEY* key) {
  const fs::path p = t.dir / name;
  FILE* f = std::fopen(p.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  ::chmod(p.c_str(), 0600);
  return p;
}

}  // namespace

BOOST_AUTO_TEST_CASE(line_diff_names_the_line_and_counts) {
  std::string a, b;
  for (int i = 1; i <= 20; ++i) {
    a += "line " + std::to_string(i) + "\n";
    b += (i == 10 ? std::string("line ten") : "line " + std::to_string(i)) + "\n";
  }
  b += "line 21\n";
  const auto d = bl::unifiedDiff(a, b, "m.json", "a/m.json", "b/m.json");
  BOOST_TEST(d.added == 2u);
  BOOST_TEST(d.removed == 1u);
  BOOST_TEST(d.text.find("@@ -7,7 +7,7 @@ m.json:10\n") != std::string::npos, d.text);
  BOOST_TEST(d.text.find("-line 10\n+line ten\n") != std::string::npos, d.text);
  BOOST_TEST(d.text.find("+line 21\n") != std::string::npos, d.text);
  BOOST_TEST(bl::unifiedDiff(a, a, "m.json", "a", "b").text.empty());
  // Past the cell limit: one hunk, still every line.
  const auto big = bl::unifiedDiff(a, b, "m.json", "a", "b", 10);
  BOOST_TEST(big.removed == 11u);
  BOOST_TEST(big.added == 12u);
}

BOOST_AUTO_TEST_CASE(secrets_are_masked_in_the_stored_config) {
  const std::string text = R"({"ops_token": "s3cret-value", "platform": {"token": "t0k"},
  "keys": [{"key_id": "k1", "secret": "abc"}], "headers": {"Authorization": "Bearer x"},
  "store": {"connection": "host=db user=gw password=pw1 dbname=h"}})";
  const auto masked = bl::maskSecrets(text);
  for (const char* secret : {"s3cret-value", "t0k", "\"abc\"", "Bearer x", "pw1"})
    BOOST_TEST(masked.find(secret) == std::string::npos, secret << " in " << masked);
  BOOST_TEST(masked.find("\"key_id\": \"k1\"") != std::string::npos);
  BOOST_TEST(masked.find("\"ops_token\": \"***sha256:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(drift_edit_add_remove_chmod) {
  Temp t;
  const auto file = writeConfig(t);
  auto config = load(file);
  auto db = openDb(config);
  {
    auto r = bl::runConfigChecks(config, *db, now());
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r.value().baselineId == 0);
    BOOST_TEST(hasFinding(r.value().findings, "baseline.none"));
  }
  const auto manifest = bl::captureManifest(config);
  bool sawConfig = false, sawMapping = false, sawDataDir = false, sawFilings = false;
  for (const auto& f : manifest.files) {
    sawConfig = sawConfig || (f.role == "config" && f.path == "gateway.json");
    sawMapping = sawMapping || (f.role == "mapping" && f.path == "mappings/marriage/mapping.json");
    sawDataDir = sawDataDir || (f.role == "data_dir" && f.path == "var");
    sawFilings = sawFilings || f.role == "filings";
    if (f.role == "config")
      BOOST_TEST(f.content.find("a-long-random-operator-token") == std::string::npos);
  }
  BOOST_TEST(sawConfig);
  BOOST_TEST(sawMapping);
  BOOST_TEST(sawDataDir);
  BOOST_TEST(sawFilings);
  bl::BaselineStore store(*db);
  auto id = store.record(manifest, file, "li.na", "after install", now());
  BOOST_REQUIRE(id.ok());
  {
    auto r = bl::runConfigChecks(config, *db, now());
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r.value().baselineId == id.value());
    BOOST_TEST(!r.value().drifted(), bl::reportJson(r.value()));
    BOOST_TEST(!r.value().unsafe(), ids(r.value().findings));
  }
  // Edit, add, remove, chmod.
  t.write("mappings/marriage/mapping.json", mapping(2), 0644);
  t.write("mappings/funeral/mapping.json", "{\"system\": \"funeral\"}\n", 0644);
  fs::remove(t.dir / "mappings/marriage/codes.csv");
  ::chmod((t.dir / "filings.json").c_str(), 0640);
  auto r = bl::runConfigChecks(config, *db, now());
  BOOST_REQUIRE(r.ok());
  const auto& rep = r.value();
  BOOST_TEST(rep.drifted());
  std::map<std::string, const bl::FileDrift*> by;
  for (const auto& d : rep.drift)
    by[d.change + " " + d.path] = &d;
  BOOST_REQUIRE(by.count("changed mappings/marriage/mapping.json") == 1u);
  const auto& edit = *by["changed mappings/marriage/mapping.json"];
  BOOST_TEST(edit.text);
  BOOST_TEST(edit.diff.find("mappings/marriage/mapping.json:14") != std::string::npos, edit.diff);
  BOOST_TEST(
      edit.diff.find("-    {\"target\": \"f10\", \"from\": \"$.a10\"},") != std::string::npos,
      edit.diff);
  BOOST_TEST(
      edit.diff.find("+    {\"target\": \"f10\", \"from\": \"$.a20\"},") != std::string::npos,
      edit.diff);
  BOOST_TEST(by.count("added mappings/funeral/mapping.json") == 1u);
  BOOST_TEST(by.count("removed mappings/marriage/codes.csv") == 1u);
  BOOST_REQUIRE(by.count("permissions filings.json") == 1u);
  BOOST_TEST(by["permissions filings.json"]->modeBefore == 0644u);
  BOOST_TEST(by["permissions filings.json"]->modeAfter == 0640u);
  BOOST_TEST(rep.drift.size() == 4u, bl::reportJson(rep));
  BOOST_TEST(hasFinding(rep.findings, "drift.changed:mappings/marriage/mapping.json"));
  BOOST_TEST(bl::driftSummary(rep.drift, rep.settings) ==
             "1 file changed, 1 added, 1 removed, 1 permission change (+2 -3 lines)");
  // A binary file: hash change, no diff.
  t.write("mappings/marriage/logo.bin", std::string("\x01\x00\x02", 3), 0644);
  auto id2 = store.record(bl::captureManifest(config), file, "li.na", "logo", now());
  BOOST_REQUIRE(id2.ok());
  t.write("mappings/marriage/logo.bin", std::string("\x01\x00\x03", 3), 0644);
  auto r2 = bl::runConfigChecks(config, *db, now());
  BOOST_REQUIRE(r2.ok());
  BOOST_REQUIRE(r2.value().drift.size() == 1u);
  BOOST_TEST(!r2.value().drift[0].text);
  BOOST_TEST(r2.value().drift[0].diff.empty());
  BOOST_TEST(r2.value().drift[0].sha256Before != r2.value().drift[0].sha256After);
}

BOOST_AUTO_TEST_CASE(a_setting_changed_in_the_config_is_drift) {
  Temp t;
  const auto file = writeConfig(t);
  auto config = load(file);
  auto db = openDb(config);
  bl::BaselineStore store(*db);
  BOOST_REQUIRE(store.record(bl::captureManifest(config), file, "li", "x", now()).ok());
  config.mode = "demo";
  auto r = bl::runConfigChecks(config, *db, now());
  BOOST_REQUIRE(r.ok());
  BOOST_REQUIRE(r.value().settings.size() == 1u);
  BOOST_TEST(r.value().settings[0].name == "mode");
  BOOST_TEST(hasFinding(r.value().findings, "drift.setting:mode"));
}

BOOST_AUTO_TEST_CASE(cipher_lists_classified) {
  const auto weak = bl::classifyCipherList(
      "RC4-SHA:DES-CBC3-SHA:NULL-SHA:ADH-AES128-SHA:"
      "ECDHE-RSA-AES128-GCM-SHA256");
  BOOST_REQUIRE(weak.ok);
  std::set<std::string> weakness;
  for (const auto& c : weak.ciphers)
    if (!c.weakness.empty())
      weakness.insert(c.weakness);
  BOOST_TEST(weakness.count("NULL encryption") == 1u);
  BOOST_TEST(weakness.count("anonymous (no authentication)") == 1u);
  BOOST_TEST(weak.weakNamed.size() == 4u);  // RC4, 3DES, NULL, ADH named
  const auto findings = bl::checkTls("1.2",
                                     "RC4-SHA:DES-CBC3-SHA:NULL-SHA:ADH-AES128-SHA:"
                                     "ECDHE-RSA-AES128-GCM-SHA256",
                                     "");
  BOOST_TEST(hasFinding(findings, "tls.weak_cipher:NULL"), ids(findings));
  BOOST_TEST(hasFinding(findings, "tls.weak_cipher:anonymous"), ids(findings));
  // RC4 and 3DES: flagged whether this OpenSSL still expands them or not.
  BOOST_TEST((hasFinding(findings, "tls.weak_cipher:RC4") ||
              hasFinding(findings, "tls.weak_cipher_named:RC4-SHA")),
             ids(findings));
  BOOST_TEST((hasFinding(findings, "tls.weak_cipher:3DES") ||
              hasFinding(findings, "tls.weak_cipher_named:DES-CBC3-SHA")),
             ids(findings));
  BOOST_TEST(bl::checkTls("1.2", "ALL:eNULL", "").size() >= 2u);
  // A modern list and OpenSSL's default: clean.
  const auto modern = bl::classifyCipherList("ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!MD5");
  BOOST_REQUIRE(modern.ok);
  BOOST_TEST(!modern.ciphers.empty());
  for (const auto& c : modern.ciphers)
    BOOST_TEST(c.weakness.empty(), c.name << ": " << c.weakness);
  BOOST_TEST(modern.weakNamed.empty());  // !aNULL and !MD5 disable, they do not enable
  BOOST_TEST(bl::checkTls("1.2", "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!MD5", "").empty());
  BOOST_TEST(bl::checkTls("1.3", "", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256").empty(),
             ids(bl::checkTls("1.3", "", "")));
  BOOST_TEST(hasFinding(bl::checkTls("1.1", "", ""), "tls.min_version"));
  BOOST_TEST(hasFinding(bl::checkTls("1.2", "NO-SUCH-CIPHER", ""), "tls.cipher_list"));
  BOOST_TEST(hasFinding(bl::checkTls("1.2", "", "TLS_NOPE"), "tls.ciphersuites"));
}

BOOST_AUTO_TEST_CASE(certificate_problems) {
  Temp t;
  auto caKey = newKey(), leafKey = newKey(), otherKey = newKey(), rogueKey = newKey();
  auto ca = newCert("Huitong Test CA", caKey.get(), nullptr, nullptr, -1, 3650, true);
  auto good = newCert("gw.example", leafKey.get(), ca.get(), caKey.get(), -1, 365, false);
  auto expired = newCert("gw.example", leafKey.get(), ca.get(), caKey.get(), -30, -1, false);
  auto soon = newCert("gw.example", leafKey.get(), ca.get(), caKey.get(), -1, 10, false);
  auto rogueCa = newCert("Rogue CA", rogueKey.get(), nullptr, nullptr, -1, 3650, true);
  auto untrusted =
      newCert("gw.example", leafKey.get(), rogueCa.get(), rogueKey.get(), -1, 365, false);
  const auto caFile = writeCert(t, "ca.pem", {ca.get()});
  const auto key = writeKey(t, "gw.key", leafKey.get());
  const auto wrongKey = writeKey(t, "other.key", otherKey.get());
  const auto run = [&](X509* cert, const fs::path& k) {
    const auto c = writeCert(t, "gw.pem", {cert});
    return bl::checkCertificate("tls", c.string(), k.string(), caFile.string(), true, now());
  };
  BOOST_TEST(run(good.get(), key).empty(), ids(run(good.get(), key)));
  const auto exp = run(expired.get(), key);
  BOOST_TEST(hasFinding(exp, "certificate.expired:tls"), ids(exp));
  BOOST_TEST(!hasFinding(exp, "certificate.untrusted"), ids(exp));
  const auto s = run(soon.get(), key);
  BOOST_TEST(hasFinding(s, "certificate.expiring:tls"), ids(s));
  const auto wrong = run(good.get(), wrongKey);
  BOOST_TEST(hasFinding(wrong, "certificate.key_mismatch:tls"), ids(wrong));
  BOOST_TEST(wrong.front().severity == "critical");
  const auto rogue = run(untrusted.get(), key);
  BOOST_TEST(hasFinding(rogue, "certificate.untrusted:tls"), ids(rogue));
  // The chain in the file with its intermediate: verifies against the root only.
  auto interKey = newKey();
  auto inter =
      newCert("Huitong Test Intermediate", interKey.get(), ca.get(), caKey.get(), -1, 3650, true);
  auto viaInter = newCert("gw.example", leafKey.get(), inter.get(), interKey.get(), -1, 365, false);
  const auto chained = writeCert(t, "chain.pem", {viaInter.get(), inter.get()});
  BOOST_TEST(
      bl::checkCertificate("tls", chained.string(), key.string(), caFile.string(), true, now())
          .empty());
  const auto leafOnly = writeCert(t, "leaf.pem", {viaInter.get()});
  BOOST_TEST(hasFinding(
      bl::checkCertificate("tls", leafOnly.string(), key.string(), caFile.string(), true, now()),
      "certificate.untrusted"));
  BOOST_TEST(hasFinding(
      bl::checkCertificate("tls", (t.dir / "none.pem").string(), key.string(), "", true, now()),
      "certificate.unreadable"));
}

BOOST_AUTO_TEST_CASE(permissions_of_secrets_and_the_data_dir) {
  Temp t;
  const auto ok = t.write("k.key", "x", 0600);
  const auto readable = t.write("r.key", "x", 0640);
  const auto world = t.write("w.key", "x", 0644);
  BOOST_TEST(bl::checkSecretFile(ok.string(), "private key").empty());
  BOOST_TEST(bl::checkSecretFile(t.write("ro.key", "x", 0400).string(), "private key").empty());
  const auto r = bl::checkSecretFile(readable.string(), "private key");
  BOOST_REQUIRE(r.size() == 1u);
  BOOST_TEST(r[0].severity == "major");
  BOOST_TEST(r[0].detail.find("chmod 600") != std::string::npos);
  BOOST_TEST(bl::checkSecretFile(world.string(), "private key")[0].severity == "critical");
  BOOST_TEST(hasFinding(bl::checkSecretFile((t.dir / "gone.key").string(), "x"), "secret.missing"));
  if (::geteuid() == 0) {
    // root can give a file away: someone else's secret is a finding.
    const auto other = t.write("o.key", "x", 0600);
    BOOST_REQUIRE(::chown(other.c_str(), 65534, 65534) == 0);
    BOOST_TEST(hasFinding(bl::checkSecretFile(other.string(), "private key"), "perm.secret_owner"));
  }
  fs::create_directories(t.dir / "data");
  ::chmod((t.dir / "data").c_str(), 0750);
  BOOST_TEST(bl::checkDataDir((t.dir / "data").string()).empty());
  ::chmod((t.dir / "data").c_str(), 0777);
  const auto dd = bl::checkDataDir((t.dir / "data").string());
  BOOST_TEST(hasFinding(dd, "perm.data_dir_world_writable"));
  BOOST_TEST(dd[0].severity == "critical");

  // Through a whole config: the TLS key at 0644 and a world-writable data dir are unsafe.
  auto key = newKey();
  auto cert = newCert("gw", key.get(), nullptr, nullptr, -1, 365, true);
  writeCert(t, "tls.pem", {cert.get()});
  writeKey(t, "tls.key", key.get());
  ::chmod((t.dir / "tls.key").c_str(), 0644);
  const auto file =
      writeConfig(t, R"(, "tls": {"listen": "127.0.0.1:0", "certificate_file": "tls.pem",
         "private_key_file": "tls.key", "ca_file": "tls.pem",
         "ciphers": "ECDHE+AESGCM:DES-CBC3-SHA"})");
  ::chmod((t.dir / "var").c_str(), 0777);
  const auto findings = bl::checkSafeSettings(load(file), now());
  BOOST_TEST(hasFinding(findings, "perm.secret_mode:" + (t.dir / "tls.key").string()),
             ids(findings));
  BOOST_TEST(hasFinding(findings, "perm.data_dir_world_writable"), ids(findings));
  BOOST_TEST((hasFinding(findings, "tls.weak_cipher:3DES") ||
              hasFinding(findings, "tls.weak_cipher_named:DES-CBC3-SHA")),
             ids(findings));
  ::chmod((t.dir / "tls.key").c_str(), 0600);
  ::chmod((t.dir / "var").c_str(), 0750);
  const auto clean = bl::checkSafeSettings(
      load(writeConfig(t, R"(, "tls": {"listen": "127.0.0.1:0", "certificate_file": "tls.pem",
         "private_key_file": "tls.key", "ca_file": "tls.pem"})")),
      now());
  BOOST_TEST(clean.empty(), ids(clean));
}

BOOST_AUTO_TEST_CASE(demo_credentials_in_production) {
  // The fingerprints are those of sandbox/demo's files.
  const fs::path demo = fs::path(HUITONG_SOURCE_DIR) / "sandbox/demo";
  std::ifstream in(demo / "keys/elderly-subsidy.key", std::ios::binary);
  std::stringstream key;
  key << in.rdbuf();
  const auto& fps = bl::demoFingerprints();
  BOOST_TEST((std::find(fps.begin(), fps.end(), bl::sha256Hex(key.str())) != fps.end()));
  BOOST_TEST((std::find(fps.begin(), fps.end(), bl::sha256Hex("demo-ops-token")) != fps.end()));

  // The demo config itself: clean of demo findings as a demo, full of them as production.
  auto config = load((demo / "gateway.json").string());
  BOOST_TEST(config.mode == "demo");
  auto demoFindings = bl::checkSafeSettings(config, now());
  for (const auto& f : demoFindings)
    BOOST_TEST(f.check != "demo", f.id);
  config.mode = "production";
  const auto prod = bl::checkSafeSettings(config, now());
  std::size_t credentials = 0;
  for (const auto& f : prod)
    credentials += f.id.rfind("demo.credential:", 0) == 0 ? 1 : 0;
  // ops token, platform token (twice: platform.token, the probe's Authorization header counts
  // as the same fingerprint id), marriage and funeral secrets.
  BOOST_TEST(credentials >= 4u, ids(prod));
  BOOST_TEST(hasFinding(prod, "demo.key_id:marriage-demo-1"), ids(prod));
  BOOST_TEST(hasFinding(prod, "demo.key_file:"), ids(prod));
  BOOST_TEST(hasFinding(prod, "demo.credentials_file"), ids(prod));
  BOOST_TEST(hasFinding(prod, "tls.platform_plain") == false, ids(prod));  // loopback platform

  // A production config of its own: none.
  Temp t;
  const auto own = bl::checkSafeSettings(load(writeConfig(t)), now());
  BOOST_TEST(!hasFinding(own, "demo."), ids(own));
}

BOOST_AUTO_TEST_CASE(change_ledger_between_two_instants) {
  Temp t;
  auto config = load(writeConfig(t));
  auto db = openDb(config);
  bl::ChangeLedger ledger(*db);
  for (int i = 0; i < 3; ++i) {
    bl::ChangeRecord c;
    c.at = 1000 * (i + 1);
    c.by = "li.na";
    c.kind = i == 1 ? "optimisation" : "change";
    c.note = "why " + std::to_string(i);
    c.baselineBefore = i + 1;
    c.baselineAfter = i + 2;
    c.files = {"changed mappings/marriage/mapping.json"};
    c.summary = "1 file changed (+1 -1 lines)";
    c.diff = "--- a\n+++ b\n";
    auto r = ledger.append(c);
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(r.value().id > 0);
  }
  auto mid = ledger.between(2000, 3000);
  BOOST_REQUIRE(mid.ok());
  BOOST_REQUIRE(mid.value().size() == 1u);
  BOOST_TEST(mid.value()[0].kind == "optimisation");
  BOOST_TEST(mid.value()[0].files.size() == 1u);
  BOOST_TEST(mid.value()[0].note == "why 1");
  auto all = ledger.between(0, 10000);
  BOOST_REQUIRE(all.ok());
  BOOST_TEST(all.value().size() == 3u);
  BOOST_TEST(all.value()[0].at == 1000);
  auto latest = ledger.latest(2);
  BOOST_REQUIRE(latest.ok());
  BOOST_TEST(latest.value().size() == 2u);
  BOOST_TEST(latest.value()[0].at == 3000);
}
