// Staff passwords and logins: PBKDF2-HMAC-SHA256 against published vectors, the stored form
// and its iteration count, constant-time comparison; lockout, session expiry and logout on an
// injected clock over a real SQLite registry store in a temp dir; the audit entries of each.
#include <unistd.h>

#include <filesystem>
#include <random>

#include <boost/test/unit_test.hpp>

#include "gateway/registry/StaffAccess.h"

using namespace huitong;
using namespace huitong::registry;

namespace {

std::string hex(const std::string& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto at = s.find('$', start);
    parts.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos)
      return parts;
    start = at + 1;
  }
}

constexpr EpochMillis kStart = 1'790'000'000'000;
constexpr const char* kPassword = "correct horse battery staple";

// A migrated SQLite registry in a fresh temp dir, removed afterwards.
struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<RegistryStore> store;
  FixedClock clock{kStart};
  AccessPolicy policy;
  std::unique_ptr<StaffAccess> access;

  Fixture() {
    std::mt19937_64 rng(std::random_device{}());
    dir = std::filesystem::temp_directory_path() /
          ("huitong-staff-" + std::to_string(getpid()) + "-" + std::to_string(rng()));
    std::filesystem::create_directories(dir);
    storage::StoreConfig config;
    config.path = (dir / "registry.db").string();
    auto opened = RegistryStore::open(config);
    BOOST_TEST_REQUIRE(opened.ok());
    store = std::move(opened).value();
    policy.passwordIterations = 1000;  // the rules, not the cost, are under test here
    access = std::make_unique<StaffAccess>(*store, clock, policy);
    auto created = access->createAccount("li.na", Role::kOperator, "", kPassword,
                                         ChangedBy{"cli:test", "system"});
    BOOST_TEST_REQUIRE(created.ok());
  }
  ~Fixture() {
    access.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  std::vector<std::string> actions() {
    AuditQuery q;
    q.limit = kMaxAuditPage;
    auto page = store->queryAudit(q);
    BOOST_TEST_REQUIRE(page.ok());
    std::vector<std::string> out;
    for (const auto& e : page.value().entries)
      out.push_back(e.action);
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(staff_passwords)

// RFC 7914 §11 and the widely published PBKDF2-HMAC-SHA256 vectors.
BOOST_AUTO_TEST_CASE(pbkdf2_matches_published_vectors) {
  BOOST_TEST(hex(pbkdf2Sha256("password", "salt", 1, 32)) ==
             "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
  BOOST_TEST(hex(pbkdf2Sha256("password", "salt", 2, 32)) ==
             "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43");
  BOOST_TEST(hex(pbkdf2Sha256("password", "salt", 4096, 32)) ==
             "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
  BOOST_TEST(hex(pbkdf2Sha256("passwd", "salt", 1, 64)) ==
             "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
             "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
}

BOOST_AUTO_TEST_CASE(stored_form_has_scheme_iterations_salt_and_hash) {
  const std::string stored = hashPassword(kPassword);
  const auto parts = split(stored);
  BOOST_TEST_REQUIRE(parts.size() == 4u);
  BOOST_TEST(parts[0] == "pbkdf2-sha256");
  BOOST_TEST(parts[1] == "310000");
  BOOST_TEST(std::stoi(parts[1]) >= 310000);
  BOOST_TEST(parts[2].size() == 22u);  // 16 bytes, base64url without padding
  BOOST_TEST(parts[3].size() == 43u);  // 32 bytes
  BOOST_TEST(verifyPassword(kPassword, stored));
  BOOST_TEST(!verifyPassword("correct horse battery stapl", stored));
  BOOST_TEST(!verifyPassword("", stored));
  // A fresh salt each time: the same password never hashes the same.
  BOOST_TEST(hashPassword(kPassword, 1000) != hashPassword(kPassword, 1000));
}

BOOST_AUTO_TEST_CASE(malformed_stored_values_never_verify) {
  for (const std::string bad :
       {"", "pbkdf2-sha256", "pbkdf2-sha1$1000$AAAA$AAAA", "pbkdf2-sha256$x$AAAA$AAAA",
        "pbkdf2-sha256$0$AAAA$AAAA", "pbkdf2-sha256$99999999999$AAAA$AAAA",
        "pbkdf2-sha256$1000$A*AA$AAAA", "pbkdf2-sha256$1000$AAAA$", "a$b$c$d$e"}) {
    BOOST_TEST(!verifyPassword("anything at all", bad), bad);
  }
}

BOOST_AUTO_TEST_CASE(constant_time_compare) {
  BOOST_TEST(constantTimeEquals("", ""));
  BOOST_TEST(constantTimeEquals("abc", "abc"));
  BOOST_TEST(!constantTimeEquals("abc", "abd"));
  BOOST_TEST(!constantTimeEquals("abc", "ab"));
  BOOST_TEST(!constantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

BOOST_AUTO_TEST_CASE(weak_and_long_passwords_refused) {
  BOOST_TEST(checkPassword("elevenchars").error().code == "staff.weak_password");
  BOOST_TEST(checkPassword("twelve chars").ok());
  BOOST_TEST(checkPassword("十二个汉字的密码口令够长了吗").ok());
  BOOST_TEST(!checkPassword("十一个汉字的密码口令够").ok());
  BOOST_TEST(!checkPassword(std::string(1025, 'x')).ok());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(staff_logins)

BOOST_AUTO_TEST_CASE(login_gives_a_token_that_expires) {
  Fixture f;
  auto grant = f.access->login("li.na", kPassword);
  BOOST_TEST_REQUIRE(grant.ok());
  BOOST_TEST(grant.value().token.size() == 43u);  // 32 random bytes, base64url
  BOOST_TEST(grant.value().expiresAt == kStart + 30 * 60 * 1000);
  auto actor = f.access->authenticate(grant.value().token);
  BOOST_TEST_REQUIRE(actor.ok());
  BOOST_TEST(actor.value().name == "li.na");
  BOOST_TEST(std::string(toString(actor.value().role)) == "operator");
  // Only the token's hash is stored.
  auto stored = f.store->session(sha256Hex(grant.value().token));
  BOOST_TEST_REQUIRE(stored.ok());
  BOOST_TEST(stored.value().has_value());
  BOOST_TEST(!f.store->session(grant.value().token).value().has_value());

  f.clock.set(kStart + 30 * 60 * 1000 - 1);
  BOOST_TEST(f.access->authenticate(grant.value().token).ok());
  f.clock.set(kStart + 30 * 60 * 1000);
  BOOST_TEST(f.access->authenticate(grant.value().token).error().code == "auth.token");
  BOOST_TEST(f.access->authenticate("").error().code == "auth.token");
  BOOST_TEST(f.access->authenticate("not-a-token").error().code == "auth.token");
}

BOOST_AUTO_TEST_CASE(logout_ends_the_session) {
  Fixture f;
  auto grant = f.access->login("li.na", kPassword);
  BOOST_TEST_REQUIRE(grant.ok());
  BOOST_TEST(f.access->logout(grant.value().token).ok());
  BOOST_TEST(f.access->authenticate(grant.value().token).error().code == "auth.token");
  const auto actions = f.actions();
  BOOST_TEST(actions.back() == "logout");
}

BOOST_AUTO_TEST_CASE(five_failures_lock_for_fifteen_minutes) {
  Fixture f;
  for (int i = 0; i < 4; ++i)
    BOOST_TEST(f.access->login("li.na", "wrong password!").error().code == "auth.failed");
  BOOST_TEST(f.access->login("li.na", "wrong password!").error().code == "auth.locked");
  // Locked: even the right password is refused, until the lock ends.
  BOOST_TEST(f.access->login("li.na", kPassword).error().code == "auth.locked");
  f.clock.set(kStart + 15 * 60 * 1000 - 1);
  BOOST_TEST(f.access->login("li.na", kPassword).error().code == "auth.locked");
  f.clock.set(kStart + 15 * 60 * 1000);
  BOOST_TEST(f.access->login("li.na", kPassword).ok());
  const std::vector<std::string> expected{"user.create",  "login.failed", "login.failed",
                                          "login.failed", "login.failed", "login.locked",
                                          "login.failed", "login.failed", "login"};
  BOOST_TEST(f.actions() == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_success_resets_the_count) {
  Fixture f;
  for (int i = 0; i < 4; ++i)
    BOOST_TEST(f.access->login("li.na", "wrong password!").error().code == "auth.failed");
  BOOST_TEST(f.access->login("li.na", kPassword).ok());
  for (int i = 0; i < 4; ++i)
    BOOST_TEST(f.access->login("li.na", "wrong password!").error().code == "auth.failed");
  BOOST_TEST(f.access->login("li.na", kPassword).ok());
}

BOOST_AUTO_TEST_CASE(unknown_names_fail_and_lock_alike) {
  Fixture f;
  for (int i = 0; i < 4; ++i)
    BOOST_TEST(f.access->login("nobody", "wrong password!").error().code == "auth.failed");
  auto locked = f.access->login("nobody", "wrong password!");
  BOOST_TEST(locked.error().code == "auth.locked");
  BOOST_TEST(locked.error().message.find("nobody") == std::string::npos);
  BOOST_TEST(f.access->login("nobody", "wrong password!").error().code == "auth.locked");
  f.clock.set(kStart + 15 * 60 * 1000);
  BOOST_TEST(f.access->login("nobody", "wrong password!").error().code == "auth.failed");
}

BOOST_AUTO_TEST_CASE(disabled_accounts_and_new_passwords_end_sessions) {
  Fixture f;
  const ChangedBy by{"cli:test", "system"};
  auto grant = f.access->login("li.na", kPassword);
  BOOST_TEST_REQUIRE(grant.ok());
  BOOST_TEST(f.access->setPassword("li.na", "another long password", by).ok());
  BOOST_TEST(f.access->authenticate(grant.value().token).error().code == "auth.token");
  BOOST_TEST(f.access->login("li.na", kPassword).error().code == "auth.failed");
  grant = f.access->login("li.na", "another long password");
  BOOST_TEST_REQUIRE(grant.ok());
  BOOST_TEST(f.access->disable("li.na", by).ok());
  BOOST_TEST(f.access->authenticate(grant.value().token).error().code == "auth.token");
  BOOST_TEST(f.access->login("li.na", "another long password").error().code == "auth.failed");
  BOOST_TEST(f.access->disable("nobody", by).error().code == "staff.not_found");
}

BOOST_AUTO_TEST_CASE(account_rules) {
  Fixture f;
  const ChangedBy by{"cli:test", "system"};
  BOOST_TEST(f.access->createAccount("li.na", Role::kAdmin, "", kPassword, by).error().code ==
             "staff.exists");
  BOOST_TEST(
      f.access->createAccount("x'; DROP TABLE staff_account;--", Role::kAdmin, "", kPassword, by)
          .error()
          .code == "staff.invalid");
  BOOST_TEST(f.access->createAccount("dept", Role::kDepartment, "", kPassword, by).error().code ==
             "staff.invalid");
  BOOST_TEST(
      f.access->createAccount("aud", Role::kAuditor, "marriage", kPassword, by).error().code ==
      "staff.invalid");
  BOOST_TEST(
      f.access->createAccount("dept", Role::kDepartment, "marriage", "short", by).error().code ==
      "staff.weak_password");
  auto dept = f.access->createAccount("dept", Role::kDepartment, "marriage", kPassword, by);
  BOOST_TEST_REQUIRE(dept.ok());
  auto grant = f.access->login("dept", kPassword);
  BOOST_TEST_REQUIRE(grant.ok());
  BOOST_TEST(grant.value().actor.system == "marriage");
  // The trail never holds a password hash.
  AuditQuery q;
  auto page = f.store->queryAudit(q);
  BOOST_TEST_REQUIRE(page.ok());
  for (const auto& e : page.value().entries)
    BOOST_TEST(e.after.find("pbkdf2") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
