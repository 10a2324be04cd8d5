// Staff passwords and logins: PBKDF2-HMAC-SHA256 against published vectors, the stored form
// and its iteration count, constant-time comparison; lockout, session expiry and logout on an
// injected clock over a real SQLite registry store in a temp dir; the audit entries of each.
#include <unistd.h>

#include <boost/mpl/list.hpp>
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

}  // namespace

constexpr const char* kStaple = "correct horse battery staple";

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
  const std::string stored = hashPassword(kStaple);
  const auto parts = split(stored);
  BOOST_TEST_REQUIRE(parts.size() == 4u);
  BOOST_TEST(parts[0] == "pbkdf2-sha256");
  BOOST_TEST(parts[1] == "310000");
  BOOST_TEST(std::stoi(parts[1]) >= 310000);
  BOOST_TEST(parts[2].size() == 22u);  // 16 bytes, base64url without padding
  BOOST_TEST(parts[3].size() == 43u);  // 32 bytes
  BOOST_TEST(verifyPassword(kStaple, stored));
  BOOST_TEST(!verifyPassword("correct horse battery stapl", stored));
  BOOST_TEST(!verifyPassword("", stored));
  // A fresh salt each time: the same password never hashes the same.
  BOOST_TEST(hashPassword(kStaple, 1000) != hashPassword(kStaple, 1000));
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

namespace {

// The registry store on a SQLite file in a fresh temp dir, removed afterwards.
struct SqliteBackend {
  std::filesystem::path dir;
  SqliteBackend() {
    std::mt19937_64 rng(std::random_device{}());
    dir = std::filesystem::temp_directory_path() /
          ("huitong-staff-" + std::to_string(getpid()) + "-" + std::to_string(rng()));
    std::filesystem::create_directories(dir);
  }
  ~SqliteBackend() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  storage::StoreConfig config() const {
    storage::StoreConfig c;
    c.path = (dir / "registry.db").string();
    return c;
  }
};

using StaffBackends = boost::mpl::list<SqliteBackend>;

}  // namespace

BOOST_AUTO_TEST_SUITE(staff_logins_sqlite)
#include "tests/registry/StaffAccessSuite.inc"
BOOST_AUTO_TEST_SUITE_END()
