#include "tests/monitor/probe/ProbeTestSupport.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

extern char** environ;

namespace huitong::monitor::probe::testing {
namespace {

pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& out,
            const std::filesystem::path& err) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* x) const { X509_free(x); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

struct Made {
  Key key;
  Cert cert;
};

void addExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

Made make(const std::string& cn, bool isCa, long notBefore, long notAfter, const Made* issuer) {
  Made m;
  m.key.reset(EVP_EC_gen("P-256"));
  m.cert.reset(X509_new());
  X509* x = m.cert.get();
  X509_set_version(x, 2);
  static std::mt19937_64 rng{std::random_device{}()};
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), rng() >> 2);
  X509_gmtime_adj(X509_getm_notBefore(x), notBefore);
  X509_gmtime_adj(X509_getm_notAfter(x), notAfter);
  X509_set_pubkey(x, m.key.get());
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* issuerCert = issuer ? issuer->cert.get() : x;
  X509_set_issuer_name(x, X509_get_subject_name(issuerCert));
  if (isCa) {
    addExt(x, issuerCert, NID_basic_constraints, "critical,CA:TRUE");
    addExt(x, issuerCert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    addExt(x, issuerCert, NID_basic_constraints, "CA:FALSE");
    addExt(x, issuerCert, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    addExt(x, issuerCert, NID_ext_key_usage, "serverAuth");
  }
  addExt(x, issuerCert, NID_subject_key_identifier, "hash");
  X509_sign(x, issuer ? issuer->key.get() : m.key.get(), EVP_sha256());
  return m;
}

CertFiles write(const Made& m, const std::filesystem::path& dir, const std::string& name) {
  CertFiles f{(dir / (name + ".pem")).string(), (dir / (name + ".key")).string()};
  FILE* c = std::fopen(f.cert.c_str(), "w");
  PEM_write_X509(c, m.cert.get());
  std::fclose(c);
  FILE* k = std::fopen(f.key.c_str(), "w");
  PEM_write_PrivateKey(k, m.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(k);
  return f;
}

}  // namespace

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

TempDir::TempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "huitong-probe-XXXXXX").string();
  if (!mkdtemp(templ.data()))
    throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& content) const {
  const auto p = path_ / name;
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

WebApp::WebApp(const std::filesystem::path& dir, const std::string& tlsCert,
               const std::string& tlsKey, const std::string& mode) {
  std::vector<std::string> argv{PROBE_WEBAPP, "--mode", mode};
  if (!tlsCert.empty()) {
    argv.insert(argv.end(), {"--tls-cert", tlsCert, "--tls-key", tlsKey});
  }
  static int n = 0;
  const std::string name = "webapp" + std::to_string(++n);
  const auto out = dir / (name + ".out");
  pid_ = spawn(argv, out, dir / (name + ".err"));
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    const std::string text = readFile(out);
    const auto at = text.find("listening ");
    const auto nl = text.find('\n', at == std::string::npos ? 0 : at);
    if (at != std::string::npos && nl != std::string::npos) {
      base_ = text.substr(at + 10, nl - at - 10);
      port_ = static_cast<unsigned>(std::stoul(base_.substr(base_.rfind(':') + 1)));
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("the test web app did not start: " + readFile(dir / (name + ".err")));
}

WebApp::~WebApp() {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 250; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

void WebApp::setMode(const std::string& mode) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port_));
  Poco::Net::HTTPRequest req("POST", "/_mode?set=" + mode, Poco::Net::HTTPMessage::HTTP_1_1);
  req.setContentLength(0);
  s.sendRequest(req);
  Poco::Net::HTTPResponse res;
  s.receiveResponse(res);
}

TestPki::TestPki(const std::filesystem::path& dir) {
  const long day = 86400;
  Made caM = make("Huitong Test CA", true, -2 * day, 365 * day, nullptr);
  ca = write(caM, dir, "ca");
  good = write(make("127.0.0.1", false, -day, 30 * day, &caM), dir, "good");
  selfSigned = write(make("127.0.0.1", false, -day, 30 * day, nullptr), dir, "self");
  expired = write(make("127.0.0.1", false, -40 * day, -3 * day, &caM), dir, "expired");
}

CommandResult runCommand(const std::vector<std::string>& argv, const std::filesystem::path& dir) {
  static int n = 0;
  const std::string name = "cmd" + std::to_string(++n);
  const pid_t pid = spawn(argv, dir / (name + ".out"), dir / (name + ".err"));
  int status = 0;
  ::waitpid(pid, &status, 0);
  CommandResult r;
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = readFile(dir / (name + ".out"));
  r.err = readFile(dir / (name + ".err"));
  return r;
}

}  // namespace huitong::monitor::probe::testing
