// The pure parts of a backup: the payload (SHA-256, AES-256-GCM streamed, a sink that fills up),
// the key file, the manifest and retention.
#define BOOST_TEST_MODULE ops_backup_payload
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "gateway/ops/backup/BackupManifest.h"
#include "gateway/ops/backup/BackupPayload.h"
#include "gateway/ops/backup/Retention.h"

using namespace huitong::ops::backup;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/huitong-backup-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

std::string randomBytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s)
    c = static_cast<char>(rng() & 0xff);
  return s;
}

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}
std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

ByteSource stringSource(const std::string& s) {
  auto pos = std::make_shared<std::size_t>(0);
  return [s, pos](char* d, std::size_t n) -> huitong::Result<std::size_t> {
    const std::size_t k = std::min(n, s.size() - *pos);
    std::copy(s.data() + *pos, s.data() + *pos + k, d);
    *pos += k;
    return k;
  };
}

const std::string kKey(32, 'k');

}  // namespace

BOOST_AUTO_TEST_CASE(sha256_of_a_plain_payload_is_the_files) {
  TempDir t;
  auto sink = openFileSink(t.path + "/p");
  BOOST_TEST_REQUIRE(sink.ok());
  auto info = writePayload(stringSource("abc"), *sink.value(), "");
  BOOST_TEST_REQUIRE(info.ok());
  BOOST_TEST(info.value().sha256 ==
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_TEST(info.value().cipher == "none");
  auto h = hashFile(t.path + "/p");
  BOOST_TEST_REQUIRE(h.ok());
  BOOST_TEST(h.value().first == info.value().sha256);
  BOOST_TEST(h.value().second == 3);
}

BOOST_AUTO_TEST_CASE(aes_gcm_round_trips_many_blocks_and_the_checksum_covers_the_ciphertext) {
  TempDir t;
  const std::string plain = randomBytes(300 * 1024 + 17, 1);
  auto sink = openFileSink(t.path + "/p.enc");
  BOOST_TEST_REQUIRE(sink.ok());
  auto info = writePayload(stringSource(plain), *sink.value(), kKey);
  BOOST_TEST_REQUIRE(info.ok());
  BOOST_TEST(info.value().cipher == "aes-256-gcm");
  BOOST_TEST(info.value().ivHex.size() == 24u);
  BOOST_TEST(info.value().tagHex.size() == 32u);
  BOOST_TEST(info.value().bytes == static_cast<std::int64_t>(plain.size() + 8 + 12 + 16));
  const std::string stored = readFile(t.path + "/p.enc");
  BOOST_TEST(stored.find(plain.substr(1000, 64)) == std::string::npos);
  BOOST_TEST(hashFile(t.path + "/p.enc").value().first == info.value().sha256);
  auto out = extractPayload(t.path + "/p.enc", "aes-256-gcm", kKey, t.path + "/out");
  BOOST_TEST_REQUIRE(out.ok());
  BOOST_TEST((readFile(t.path + "/out") == plain));
}

BOOST_AUTO_TEST_CASE(two_encryptions_use_different_ivs) {
  TempDir t;
  auto a = openFileSink(t.path + "/a");
  auto b = openFileSink(t.path + "/b");
  auto ia = writePayload(stringSource("same"), *a.value(), kKey);
  auto ib = writePayload(stringSource("same"), *b.value(), kKey);
  BOOST_TEST(ia.value().ivHex != ib.value().ivHex);
  BOOST_TEST(ia.value().sha256 != ib.value().sha256);
}

BOOST_AUTO_TEST_CASE(a_wrong_key_a_flipped_byte_or_a_cut_file_fails_the_tag_and_leaves_no_output) {
  TempDir t;
  const std::string plain = randomBytes(100 * 1024, 2);
  auto sink = openFileSink(t.path + "/p.enc");
  BOOST_TEST_REQUIRE(writePayload(stringSource(plain), *sink.value(), kKey).ok());
  const std::string good = readFile(t.path + "/p.enc");

  auto wrong =
      extractPayload(t.path + "/p.enc", "aes-256-gcm", std::string(32, 'x'), t.path + "/o");
  BOOST_TEST_REQUIRE(!wrong.ok());
  BOOST_TEST(wrong.error().code == "backup.tag");
  BOOST_TEST(wrong.error().message.find("wrong key") != std::string::npos);
  BOOST_TEST(::access((t.path + "/o").c_str(), F_OK) != 0);

  std::string flipped = good;
  flipped[50000] = static_cast<char>(flipped[50000] ^ 0x01);
  writeFile(t.path + "/f.enc", flipped);
  auto f = extractPayload(t.path + "/f.enc", "aes-256-gcm", kKey, t.path + "/o");
  BOOST_TEST(f.error().code == "backup.tag");
  BOOST_TEST(::access((t.path + "/o").c_str(), F_OK) != 0);

  writeFile(t.path + "/c.enc", good.substr(0, good.size() - 100));
  auto c = extractPayload(t.path + "/c.enc", "aes-256-gcm", kKey, t.path + "/o");
  BOOST_TEST(!c.ok());
  writeFile(t.path + "/s.enc", good.substr(0, 10));
  BOOST_TEST(extractPayload(t.path + "/s.enc", "aes-256-gcm", kKey, t.path + "/o").error().code ==
             "backup.truncated");
  auto noKey = extractPayload(t.path + "/p.enc", "aes-256-gcm", "", t.path + "/o");
  BOOST_TEST(noKey.error().code == "backup.key");
}

BOOST_AUTO_TEST_CASE(a_target_that_fills_up_removes_the_partial_file) {
  TempDir t;
  auto sink = openFileSink(t.path + "/p", 100 * 1024);
  auto info = writePayload(stringSource(randomBytes(500 * 1024, 3)), *sink.value(), kKey);
  BOOST_TEST_REQUIRE(!info.ok());
  BOOST_TEST(info.error().code == "backup.write");
  BOOST_TEST(info.error().message.find("full") != std::string::npos);
  BOOST_TEST(info.error().message.find("removed") != std::string::npos);
  BOOST_TEST(::access((t.path + "/p").c_str(), F_OK) != 0);
}

BOOST_AUTO_TEST_CASE(the_key_is_32_raw_bytes_or_their_base64_and_never_shown) {
  TempDir t;
  writeFile(t.path + "/raw", kKey);
  BOOST_TEST((loadKey(t.path + "/raw").value() == kKey));
  // base64 of 32 'k' bytes, with a newline
  writeFile(t.path + "/b64", "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=\n");
  auto b = loadKey(t.path + "/b64");
  BOOST_TEST_REQUIRE(b.ok());
  BOOST_TEST((b.value() == kKey));
  writeFile(t.path + "/short", "secret-short-key");
  auto s = loadKey(t.path + "/short");
  BOOST_TEST_REQUIRE(!s.ok());
  BOOST_TEST(s.error().message.find("secret") == std::string::npos);
  BOOST_TEST(s.error().message.find(t.path + "/short") != std::string::npos);
  BOOST_TEST(loadKey(t.path + "/absent").error().code == "backup.key");
}

BOOST_AUTO_TEST_CASE(the_manifest_round_trips_and_names_a_bad_member) {
  Manifest m;
  m.id = "B-20261103-023000-ab12";
  m.storeKind = "sqlite";
  m.createdAt = 1762137000000;
  m.gatewayVersion = "0.1.0";
  m.schemaVersion = 13;
  m.rowCounts = {{"journal", 10000}, {"audit_entry", 3}};
  m.auditEntries = 3;
  m.auditHead = std::string(64, 'a');
  m.payloadFile = payloadFileName(m.id, "sqlite", true);
  m.bytes = 1234;
  m.sha256 = std::string(64, 'b');
  m.cipher = "aes-256-gcm";
  m.iv = std::string(24, 'c');
  m.tag = std::string(32, 'd');
  auto back = parseManifest(manifestJson(m), "x.manifest.json");
  BOOST_TEST_REQUIRE(back.ok());
  BOOST_TEST(back.value().payloadFile == "B-20261103-023000-ab12.sqlite.enc");
  BOOST_TEST((back.value().rowCounts == m.rowCounts));
  BOOST_TEST(back.value().auditHead == m.auditHead);
  BOOST_TEST(back.value().tag == m.tag);
  BOOST_TEST(back.value().createdAt == m.createdAt);

  auto bad = parseManifest(R"({"format": 1, "id": "B-1", "store_kind": "oracle"})", "m.json");
  BOOST_TEST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error().message.find("m.json: store_kind") == 0u);
  BOOST_TEST(parseManifest("{", "m.json").error().message.find("not JSON") != std::string::npos);
  std::string escape = manifestJson(m);
  escape.replace(escape.find(m.payloadFile), m.payloadFile.size(), "../etc/passwd");
  BOOST_TEST(parseManifest(escape, "m.json").error().message.find("payload") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(record_ids_say_when_in_utc) {
  const auto id = newRecordId('B', 1762137000000);  // 2025-11-03T02:30:00Z
  BOOST_TEST(id.rfind("B-20251103-023000-", 0) == 0u);
  BOOST_TEST(id.size() == std::string("B-20251103-023000-abcd").size());
}

BOOST_AUTO_TEST_SUITE(retention)

constexpr huitong::EpochMillis kDay = 24LL * 3600 * 1000;
const huitong::EpochMillis kNow = 100 * kDay;

BOOST_AUTO_TEST_CASE(count_keeps_the_newest) {
  std::vector<RetainedBackup> b{
      {"a", kNow - 3 * kDay, true}, {"b", kNow - 2 * kDay, true}, {"c", kNow - kDay, true}};
  auto out = backupsToRemove(b, {2, 0}, kNow);
  BOOST_TEST((out == std::vector<std::string>{"a"}));
}

BOOST_AUTO_TEST_CASE(age_removes_the_old) {
  std::vector<RetainedBackup> b{
      {"a", kNow - 40 * kDay, true}, {"b", kNow - 31 * kDay, false}, {"c", kNow - kDay, true}};
  auto out = backupsToRemove(b, {10, 30}, kNow);
  BOOST_TEST((out == std::vector<std::string>{"a", "b"}));
}

BOOST_AUTO_TEST_CASE(the_newest_verified_backup_is_never_removed) {
  // Every backup since the verified one failed its restore test; count 1 and 7 days would
  // remove it.
  std::vector<RetainedBackup> b{
      {"good", kNow - 20 * kDay, true}, {"x", kNow - 2 * kDay, false}, {"y", kNow - kDay, false}};
  auto out = backupsToRemove(b, {1, 7}, kNow);
  BOOST_TEST((out == std::vector<std::string>{"x"}));
}

BOOST_AUTO_TEST_CASE(zero_means_no_limit) {
  std::vector<RetainedBackup> b{{"a", 0, false}, {"b", kNow, false}};
  BOOST_TEST(backupsToRemove(b, {0, 0}, kNow).empty());
}

BOOST_AUTO_TEST_SUITE_END()
