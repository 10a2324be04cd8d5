// What the audit trail records of the configuration: real config files in a temp dir, read by
// loadConfig. No secret (department secrets, tokens, passwords in connection strings and URLs)
// appears in the redacted config or in any entry; a rotated, added or removed key gives a
// credential.change naming the system and key id; a key file replaced in place shows; the
// same config in another member order is unchanged; the entries of starts on a real SQLite
// trail (initial, unchanged, changed) and the chain verifies.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "gateway/http/ConfigAudit.h"
#include "gateway/registry/StaffAccount.h"

using namespace huitong;
namespace fs = std::filesystem;

namespace {

const std::string kMarriageSecret = "marriage-secret-0123456789";
const std::string kMarriageSecret2 = "marriage-secret-rotated-987";
const std::string kFuneralSecret = "funeral-secret-abcdefghijk";
const std::string kOpsToken = "ops-token-do-not-leak";
const std::string kPlatformToken = "platform-token-do-not-leak";
const std::string kLegacyToken = "legacy-token-do-not-leak";
const std::string kStorePassword = "StorePassw0rd!";
const std::string kAdapterPassword = "AdapterPw-9876";
const std::string kUrlPassword = "UrlPassw0rd";
const std::string kApiKey = "ApiKey-do-not-leak-1234";
const std::string kDsnPassword = "DsnPassw0rd42";

struct Dir {
  fs::path path;
  Dir() {
    std::mt19937_64 rng(std::random_device{}());
    path = fs::temp_directory_path() /
           ("huitong-config-audit-" + std::to_string(getpid()) + "-" + std::to_string(rng()));
    fs::create_directories(path);
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::trunc | std::ios::binary) << text;
  }
};

struct Settings {
  std::string marriageKeys =
      R"([{"key_id": "mz-1", "alg": "hmac-sha256", "secret": ")" + kMarriageSecret + R"("}])";
  std::string opsToken = kOpsToken;
  int workers = 2;
  bool reordered = false;
};

std::string configText(const Settings& s) {
  const std::string systems =
      R"("systems": {
    "marriage": {"auth": "signature", "keys": )" +
      s.marriageKeys + R"(},
    "funeral": {"auth": "signature", "keys": [
      {"key_id": "fn-1", "alg": "hmac-sha256", "secret": ")" +
      kFuneralSecret + R"("},
      {"key_id": "fn-ed", "alg": "ed25519", "public_key_file": "funeral.pem"}]},
    "pension": {"auth": "legacy", "allow_cidrs": ["10.1.2.0/24"], "token_header": "X-Token",
                "token": ")" +
      kLegacyToken + R"(",
                "adapter": {"kind": "db_poll", "connector": "mysql", "api_key": ")" +
      kApiKey + R"(", "dsn": "Driver=x;Uid=gw;Pwd=)" + kDsnPassword + R"(",
                            "connection": "host=db;user=gw;password=)" +
      kAdapterPassword + R"(;db=front"}}
  })";
  const std::string rest = R"("ops_token": ")" + s.opsToken + R"(",
  "platform": {"url": "http://gw:)" +
                           kUrlPassword + R"(@127.0.0.1:8601", "token": ")" + kPlatformToken +
                           R"("},
  "store": {"kind": "postgresql", "connection": "host=127.0.0.1 dbname=hz user=hz password=')" +
                           kStorePassword + R"('"},
  "delivery": {"workers": )" +
                           std::to_string(s.workers) + "}";
  return "{\n  " + (s.reordered ? systems + ",\n  " + rest : rest + ",\n  " + systems) + "\n}\n";
}

http::GatewayConfig load(const Dir& dir, const Settings& s) {
  dir.write("gateway.json", configText(s));
  auto c = http::loadConfig((dir.path / "gateway.json").string());
  BOOST_TEST_REQUIRE(c.ok(), (c.ok() ? "" : c.error().describe()));
  return std::move(c).value();
}

const std::vector<std::string>& secrets() {
  static const std::vector<std::string> all{kMarriageSecret,     kMarriageSecret2, kFuneralSecret,
                                            kOpsToken,           kPlatformToken,   kLegacyToken,
                                            kStorePassword,      kAdapterPassword, kUrlPassword,
                                            "rotated-ops-token", kApiKey,          kDsnPassword};
  return all;
}

void noSecretIn(const std::string& text, const std::string& what) {
  for (const auto& s : secrets())
    BOOST_TEST(text.find(s) == std::string::npos, what << " holds the secret " << s);
}

void noSecretIn(const std::vector<registry::AuditEntry>& entries) {
  for (const auto& e : entries) {
    noSecretIn(e.before, e.action + " before");
    noSecretIn(e.after, e.action + " after");
    noSecretIn(e.target, e.action + " target");
  }
}

rapidjson::Document parsed(const std::string& text) {
  auto d = json::parse(text);
  BOOST_TEST_REQUIRE(d.ok(), text);
  return std::move(d).value();
}

const registry::AuditEntry* find(const std::vector<registry::AuditEntry>& entries,
                                 const std::string& action, const std::string& system) {
  for (const auto& e : entries) {
    if (e.action == action && e.system == system)
      return &e;
  }
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config_audit)

BOOST_AUTO_TEST_CASE(secrets_become_fingerprints_and_files_their_content_digest) {
  Dir dir;
  dir.write("funeral.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  const auto c = load(dir, {});
  const std::string r = http::redactedConfig(c);
  noSecretIn(r, "the redacted config");
  const auto d = parsed(r);
  // Whole secrets: their fingerprint.
  BOOST_TEST(d["ops_token"]["sha256"].GetString() == registry::sha256Hex(kOpsToken));
  BOOST_TEST(d["platform"]["token"]["sha256"].GetString() == registry::sha256Hex(kPlatformToken));
  BOOST_TEST(d["systems"]["marriage"]["keys"][0]["secret"]["sha256"].GetString() ==
             registry::sha256Hex(kMarriageSecret));
  BOOST_TEST(d["systems"]["pension"]["token"]["sha256"].GetString() ==
             registry::sha256Hex(kLegacyToken));
  BOOST_TEST(d["systems"]["pension"]["adapter"]["api_key"]["sha256"].GetString() ==
             registry::sha256Hex(kApiKey));
  BOOST_TEST(d["systems"]["pension"]["adapter"]["dsn"]["text"].GetString() ==
             std::string("Driver=x;Uid=gw;Pwd=***"));
  // What is not secret stays readable.
  BOOST_TEST(d["systems"]["marriage"]["keys"][0]["key_id"].GetString() == std::string("mz-1"));
  BOOST_TEST(d["systems"]["pension"]["token_header"].GetString() == std::string("X-Token"));
  BOOST_TEST(d["delivery"]["workers"].GetInt() == 2);
  // Passwords inside strings: masked, fingerprinted.
  BOOST_TEST(d["store"]["connection"]["text"].GetString() ==
             std::string("host=127.0.0.1 dbname=hz user=hz password=***"));
  BOOST_TEST(d["store"]["connection"]["sha256"].GetString() ==
             registry::sha256Hex("'" + kStorePassword + "'"));
  BOOST_TEST(d["systems"]["pension"]["adapter"]["connection"]["text"].GetString() ==
             std::string("host=db;user=gw;password=***;db=front"));
  BOOST_TEST(d["platform"]["url"]["text"].GetString() ==
             std::string("http://gw:***@127.0.0.1:8601"));
  // A credential file: its path and the digest of its content.
  const auto& pem = d["systems"]["funeral"]["keys"][1]["public_key_file"];
  BOOST_TEST(pem["path"].GetString() == std::string("funeral.pem"));
  BOOST_TEST(pem["sha256"].GetString() ==
             registry::sha256Hex("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));
}

BOOST_AUTO_TEST_CASE(first_start_then_unchanged_then_reordered_gives_one_entry) {
  Dir dir;
  dir.write("funeral.pem", "pem one");
  const std::string r = http::redactedConfig(load(dir, {}));
  auto first = http::configAuditEntries(std::nullopt, r, "gateway.json", "serve:t@h", 1000);
  BOOST_TEST_REQUIRE(first.size() == 1u);
  BOOST_TEST(first[0].action == "config.initial");
  BOOST_TEST(first[0].role == "system");
  BOOST_TEST(first[0].actor == "serve:t@h");
  BOOST_TEST(first[0].before == "null");
  noSecretIn(first);
  BOOST_TEST(http::configAuditEntries(r, r, "gateway.json", "a", 1).empty());
  Settings reordered;
  reordered.reordered = true;
  const std::string r2 = http::redactedConfig(load(dir, reordered));
  BOOST_TEST(http::configAuditEntries(r, r2, "gateway.json", "a", 1).empty(),
             "the same config in another member order counts as a change");
}

BOOST_AUTO_TEST_CASE(a_rotated_and_an_added_key_name_the_system_and_key_ids) {
  Dir dir;
  dir.write("funeral.pem", "pem one");
  const std::string before = http::redactedConfig(load(dir, {}));
  Settings s;
  s.marriageKeys = R"([{"key_id": "mz-1", "alg": "hmac-sha256", "secret": ")" + kMarriageSecret2 +
                   R"("}, {"key_id": "mz-2", "alg": "hmac-sha256", "secret": ")" + kMarriageSecret +
                   R"("}])";
  const std::string after = http::redactedConfig(load(dir, s));
  const auto entries = http::configAuditEntries(before, after, "gateway.json", "a", 5);
  noSecretIn(entries);
  BOOST_TEST_REQUIRE(entries.size() == 2u);
  const auto* cred = find(entries, "credential.change", "marriage");
  BOOST_TEST_REQUIRE(cred != nullptr);
  BOOST_TEST(cred->target == "credentials of system marriage: key mz-1 rotated; key mz-2 added");
  const auto b = parsed(cred->before);
  const auto a = parsed(cred->after);
  BOOST_TEST(b["key mz-1"].GetString() ==
             "hmac-sha256 sha256:" + registry::sha256Hex(kMarriageSecret));
  BOOST_TEST(a["key mz-1"].GetString() ==
             "hmac-sha256 sha256:" + registry::sha256Hex(kMarriageSecret2));
  BOOST_TEST(!b.HasMember("key mz-2"));
  // The config entry comes last (the next start compares with it) and names the fields.
  BOOST_TEST(entries.back().action == "config.change");
  BOOST_TEST(entries.back().target ==
             "config gateway.json: /systems/marriage/keys/0/secret, /systems/marriage/keys/1");
  BOOST_TEST(entries.back().after == after);
  BOOST_TEST(entries.back().before == before);

  // Removed again: the same system, key mz-2 removed.
  const auto back = http::configAuditEntries(after, before, "gateway.json", "a", 6);
  const auto* removed = find(back, "credential.change", "marriage");
  BOOST_TEST_REQUIRE(removed != nullptr);
  BOOST_TEST(removed->target ==
             "credentials of system marriage: key mz-1 rotated; key mz-2 removed");
}

BOOST_AUTO_TEST_CASE(a_key_file_replaced_in_place_and_gateway_tokens_show) {
  Dir dir;
  dir.write("funeral.pem", "pem one");
  const std::string before = http::redactedConfig(load(dir, {}));
  dir.write("funeral.pem", "pem two");
  const std::string after = http::redactedConfig(load(dir, {}));
  auto entries = http::configAuditEntries(before, after, "gateway.json", "a", 5);
  BOOST_TEST_REQUIRE(entries.size() == 2u);
  BOOST_TEST(entries[0].system == "funeral");
  BOOST_TEST(entries[0].target == "credentials of system funeral: key fn-ed rotated");
  BOOST_TEST(entries[1].target == "config gateway.json: /systems/funeral/keys/1/public_key_file");

  Settings s;
  s.opsToken = "rotated-ops-token";
  const std::string rotated = http::redactedConfig(load(dir, s));
  entries = http::configAuditEntries(after, rotated, "gateway.json", "a", 6);
  noSecretIn(entries);
  BOOST_TEST_REQUIRE(entries.size() == 2u);
  BOOST_TEST(entries[0].action == "credential.change");
  BOOST_TEST(entries[0].system == "");
  BOOST_TEST(entries[0].target == "credentials of the gateway: /ops_token rotated");
}

BOOST_AUTO_TEST_CASE(a_setting_change_is_a_config_change_only) {
  Dir dir;
  dir.write("funeral.pem", "pem one");
  const std::string before = http::redactedConfig(load(dir, {}));
  Settings s;
  s.workers = 4;
  const auto entries =
      http::configAuditEntries(before, http::redactedConfig(load(dir, s)), "gateway.json", "a", 5);
  BOOST_TEST_REQUIRE(entries.size() == 1u);
  BOOST_TEST(entries[0].action == "config.change");
  BOOST_TEST(entries[0].target == "config gateway.json: /delivery/workers");
}

BOOST_AUTO_TEST_CASE(field_diff_names_added_removed_and_changed_leaves) {
  const auto a = parsed(R"({"x": 1, "y": {"z": [1, 2]}, "gone": true, "s": {"sha256": "aa"}})");
  const auto b = parsed(R"({"x": 2, "y": {"z": [1, 2, 3]}, "new": "v", "s": {"sha256": "bb"}})");
  const auto fields = http::changedFields(a, b);
  BOOST_TEST(fields == (std::vector<std::string>{"/gone", "/new", "/s", "/x", "/y/z/2"}),
             boost::test_tools::per_element());
  BOOST_TEST(http::changedFields(a, a).empty());
}

BOOST_AUTO_TEST_CASE(starts_on_a_real_trail_append_only_what_changed) {
  Dir dir;
  dir.write("funeral.pem", "pem one");
  storage::StoreConfig store;
  store.path = (dir.path / "trail.db").string();
  auto trail = registry::RegistryStore::open(store);
  BOOST_TEST_REQUIRE(trail.ok(), (trail.ok() ? "" : trail.error().describe()));
  auto& t = *trail.value();
  auto start = [&](const Settings& s, EpochMillis at) {
    auto r = http::recordConfig(t, load(dir, s), "serve:test@host", at);
    BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.error().describe()));
    return r.value();
  };
  auto e = start({}, 1000);
  BOOST_TEST_REQUIRE(e.size() == 1u);
  BOOST_TEST(e[0].action == "config.initial");
  BOOST_TEST(e[0].seq == 1);
  BOOST_TEST(start({}, 2000).empty());
  Settings rotated;
  rotated.marriageKeys =
      R"([{"key_id": "mz-1", "alg": "hmac-sha256", "secret": ")" + kMarriageSecret2 + R"("}])";
  e = start(rotated, 3000);
  BOOST_TEST_REQUIRE(e.size() == 2u);
  BOOST_TEST(e[0].action == "credential.change");
  BOOST_TEST(e[0].target == "credentials of system marriage: key mz-1 rotated");
  BOOST_TEST(e[1].action == "config.change");
  BOOST_TEST(start(rotated, 4000).empty());
  // Back to the first config: a change again (compared with the last recorded, not the first).
  e = start({}, 5000);
  BOOST_TEST(e.size() == 2u);
  auto anchor = t.anchor();
  BOOST_TEST_REQUIRE(anchor.ok());
  BOOST_TEST(anchor.value().count == 5);
  registry::ChainVerifier verifier;
  std::vector<registry::AuditEntry> all;
  auto scanned = t.scanChain([&](const registry::AuditEntry& x) {
    all.push_back(x);
    return verifier.add(x);
  });
  BOOST_TEST_REQUIRE(scanned.ok());
  BOOST_TEST(verifier.finish(scanned.value()).ok);
  noSecretIn(all);
}

BOOST_AUTO_TEST_CASE(a_probe_password_file_is_recorded_by_its_digest) {
  Dir dir;
  dir.write("funeral.pem", "pem one");
  const auto redacted = [&] {
    std::string text = configText({});
    text.insert(text.rfind('}'), R"(, "monitor": {"probes": [{"id": "applicant-login",
      "url": "https://portal.example.cn/login",
      "credentials": {"username": "monitor01", "password_file": "probe.pw"}}]})");
    dir.write("gateway.json", text);
    auto c = http::loadConfig((dir.path / "gateway.json").string());
    BOOST_TEST_REQUIRE(c.ok(), (c.ok() ? "" : c.error().describe()));
    return http::redactedConfig(c.value());
  };
  dir.write("probe.pw", "Probe-Secret-1\n");
  const std::string before = redacted();
  BOOST_TEST(before.find("Probe-Secret-1") == std::string::npos);
  BOOST_TEST(before.find(R"("password_file":{"path":"probe.pw","sha256":")") != std::string::npos);
  dir.write("probe.pw", "Probe-Secret-2\n");
  const std::string after = redacted();
  const auto entries = http::configAuditEntries(before, after, "gateway.json", "a", 7);
  BOOST_TEST_REQUIRE(entries.size() == 2u);
  BOOST_TEST(entries[0].action == "credential.change");
  BOOST_TEST(entries[0].target.find("/monitor/probes/0/credentials/password_file") !=
             std::string::npos);
  for (const auto& e : entries)
    BOOST_TEST((e.before + e.after + e.target).find("Probe-Secret") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_host_agent_token_file_is_recorded_by_its_digest) {
  Dir dir;
  dir.write("funeral.pem", "pem one");
  const auto redacted = [&] {
    std::string text = configText({});
    text.insert(text.rfind('}'), R"(, "monitor": {"hosts": [{"id": "db-server",
      "url": "http://10.0.0.12:9700", "token_file": "agent.token"}]})");
    dir.write("gateway.json", text);
    auto c = http::loadConfig((dir.path / "gateway.json").string());
    BOOST_TEST_REQUIRE(c.ok(), (c.ok() ? "" : c.error().describe()));
    return http::redactedConfig(c.value());
  };
  dir.write("agent.token", "agent-token-one-0123456789\n");
  const std::string before = redacted();
  BOOST_TEST(before.find("agent-token-one") == std::string::npos);
  BOOST_TEST(before.find(R"("token_file":{"path":"agent.token","sha256":")") != std::string::npos);
  dir.write("agent.token", "agent-token-two-0123456789\n");
  const std::string after = redacted();
  const auto entries = http::configAuditEntries(before, after, "gateway.json", "a", 7);
  BOOST_TEST_REQUIRE(entries.size() == 2u);
  BOOST_TEST(entries[0].action == "credential.change");
  BOOST_TEST(entries[0].target.find("/monitor/hosts/0/token_file") != std::string::npos);
  for (const auto& e : entries)
    BOOST_TEST((e.before + e.after + e.target).find("agent-token") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
