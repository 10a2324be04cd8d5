#include "gateway/auth/SignCommand.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>

#include "gateway/auth/HttpSignatures.h"

namespace huitong::auth {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

constexpr const char* kSignUsage =
    "usage: huitong sign --key-id ID --alg hmac-sha256|ed25519\n"
    "                    (--secret S | --secret-file FILE | --private-key FILE)\n"
    "                    --url URL [--method POST] [--content-type TYPE] [--data-file FILE|-]\n"
    "                    [--curl | --curl-config]\n";

constexpr const char* kKeygenUsage =
    "usage: huitong keygen ed25519 [--private-key FILE --public-key FILE]\n"
    "       huitong keygen hmac-sha256\n";

struct Options {
  std::map<std::string, std::string> values;
  std::vector<std::string> flags;
  std::vector<std::string> positionals;
  bool has(const std::string& name) const {
    return values.count(name) || std::find(flags.begin(), flags.end(), name) != flags.end();
  }
  std::string get(const std::string& name, const std::string& fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
};

// "--name value" and "--name=value" for `valued`, bare "--name" for `flags`.
std::optional<Options> parseOptions(const std::vector<std::string>& args,
                                    const std::vector<std::string>& flags,
                                    const std::vector<std::string>& valued, std::string& error) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      o.positionals.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inlineValue;
    const std::size_t eq = name.find('=');
    if (eq != std::string::npos) {
      inlineValue = name.substr(eq + 1);
      name.erase(eq);
    }
    if (std::find(flags.begin(), flags.end(), name) != flags.end() && !inlineValue) {
      o.flags.push_back(name);
    } else if (std::find(valued.begin(), valued.end(), name) != valued.end()) {
      if (inlineValue) {
        o.values[name] = *inlineValue;
      } else if (i + 1 < args.size()) {
        o.values[name] = args[++i];
      } else {
        error = "--" + name + " needs a value";
        return std::nullopt;
      }
    } else {
      error = "unknown option --" + name;
      return std::nullopt;
    }
  }
  return o;
}

bool readAll(const std::string& path, std::string& out, std::string& error) {
  if (path == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = path + ": read error";
    return false;
  }
  return true;
}

std::string shellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

// A double-quoted string in curl's config file syntax.
std::string curlConfigQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

bool writeNewFile(const std::string& path, const std::string& content, mode_t mode,
                  std::string& error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      error = path + ": " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

int runSign(const std::vector<std::string>& args) {
  return runSign(args, std::cout, std::cerr);
}

int runSign(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string error;
  auto o = parseOptions(args, {"curl", "curl-config", "help"},
                        {"key-id", "alg", "secret", "secret-file", "private-key", "url", "method",
                         "content-type", "data-file"},
                        error);
  if (o && o->has("help")) {
    out << kSignUsage
        << "Prints the headers that sign the request (RFC 9421 over an RFC 9530 Content-Digest):\n"
           "one \"Name: value\" line each; --curl prints a whole curl command, --curl-config a\n"
           "config for `curl -K -`. The signature covers @method, @target-uri, content-digest\n"
           "and content-type (when given), with created, nonce, keyid and alg; send it within\n"
           "300 s, once (the nonce is single-use). --secret-file drops one trailing newline.\n";
    return kExitOk;
  }
  if (o && o->positionals.empty()) {
    if (!o->has("key-id") || !o->has("alg") || !o->has("url")) {
      error = "--key-id, --alg and --url are required";
    } else if (o->has("curl") && o->has("curl-config")) {
      error = "--curl and --curl-config are exclusive";
    } else if (int(o->has("secret")) + int(o->has("secret-file")) + int(o->has("private-key")) !=
               1) {
      error = "give exactly one of --secret, --secret-file, --private-key";
    } else if (o->get("alg") == "hmac-sha256" && o->has("private-key")) {
      error = "hmac-sha256 signs with --secret or --secret-file";
    } else if (o->get("alg") == "ed25519" && !o->has("private-key")) {
      error = "ed25519 signs with --private-key FILE";
    } else if (o->get("alg") != "hmac-sha256" && o->get("alg") != "ed25519") {
      error = "--alg is hmac-sha256 or ed25519";
    } else if ((o->has("curl") || o->has("curl-config")) && o->get("data-file") == "-") {
      error = "--curl and --curl-config need --data-file FILE (curl re-reads it), not stdin";
    }
  } else if (o) {
    error = "unexpected argument " + o->positionals.front();
  }
  if (!o || !error.empty()) {
    err << "huitong sign: " << error << "\n" << kSignUsage;
    return kExitUsage;
  }

  DepartmentKey key;
  key.keyId = o->get("key-id");
  key.algorithm = o->get("alg");
  std::string privateKeyPem;
  if (o->has("secret")) {
    key.secret = o->get("secret");
  } else if (o->has("secret-file")) {
    if (!readAll(o->get("secret-file"), key.secret, error)) {
      err << "huitong sign: " << error << "\n";
      return kExitUsage;
    }
    if (!key.secret.empty() && key.secret.back() == '\n')
      key.secret.pop_back();
    if (!key.secret.empty() && key.secret.back() == '\r')
      key.secret.pop_back();
  } else if (!readAll(o->get("private-key"), privateKeyPem, error)) {
    err << "huitong sign: " << error << "\n";
    return kExitUsage;
  }

  SignedRequest request;
  request.method = o->get("method", "POST");
  request.targetUri = o->get("url");
  if (o->has("content-type"))
    addHeader(request, "Content-Type", o->get("content-type"));
  if (o->has("data-file") && !readAll(o->get("data-file"), request.body, error)) {
    err << "huitong sign: " << error << "\n";
    return kExitUsage;
  }

  auto signer = Signer::create(key, privateKeyPem);
  if (!signer.ok()) {
    err << "huitong sign: " << signer.error().message << "\n";
    return kExitUsage;
  }
  SystemClock clock;
  auto signedOk = signer.value().sign(request, clock);
  if (!signedOk.ok()) {
    err << "huitong sign: " << signedOk.error().message << "\n";
    return kExitFailed;
  }

  std::vector<std::pair<std::string, std::string>> headers;
  if (o->has("content-type"))
    headers.emplace_back("Content-Type", request.headers["content-type"]);
  headers.emplace_back("Content-Digest", request.headers["content-digest"]);
  headers.emplace_back("Signature-Input", request.headers["signature-input"]);
  headers.emplace_back("Signature", request.headers["signature"]);

  if (o->has("curl")) {
    out << "curl -sS -X " << shellQuote(request.method);
    for (const auto& [name, value] : headers)
      out << " -H " << shellQuote(name + ": " + value);
    if (o->has("data-file"))
      out << " --data-binary " << shellQuote("@" + o->get("data-file"));
    out << " " << shellQuote(request.targetUri) << "\n";
  } else if (o->has("curl-config")) {
    out << "silent\nshow-error\n"
        << "url = " << curlConfigQuote(request.targetUri) << "\n"
        << "request = " << curlConfigQuote(request.method) << "\n";
    for (const auto& [name, value] : headers) {
      out << "header = " << curlConfigQuote(name + ": " + value) << "\n";
    }
    if (o->has("data-file")) {
      out << "data-binary = " << curlConfigQuote("@" + o->get("data-file")) << "\n";
    }
  } else {
    for (const auto& [name, value] : headers)
      out << name << ": " << value << "\n";
  }
  return kExitOk;
}

int runKeygen(const std::vector<std::string>& args) {
  return runKeygen(args, std::cout, std::cerr);
}

int runKeygen(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string error;
  auto o = parseOptions(args, {"help"}, {"private-key", "public-key"}, error);
  if (o && o->has("help")) {
    out << kKeygenUsage
        << "ed25519: a key pair for a department; the department keeps the private key, the\n"
           "gateway is configured with the public key. hmac-sha256: a random shared secret.\n";
    return kExitOk;
  }
  if (o && o->positionals.size() != 1) {
    error = "expected one algorithm: ed25519 or hmac-sha256";
  } else if (o && o->positionals[0] == "hmac-sha256" &&
             (o->has("private-key") || o->has("public-key"))) {
    error = "--private-key and --public-key are for ed25519";
  } else if (o && o->positionals[0] == "ed25519" && o->has("private-key") != o->has("public-key")) {
    error = "give both --private-key and --public-key, or neither";
  } else if (o && o->positionals[0] != "ed25519" && o->positionals[0] != "hmac-sha256") {
    error = "unknown algorithm " + o->positionals[0];
  }
  if (!o || !error.empty()) {
    err << "huitong keygen: " << error << "\n" << kKeygenUsage;
    return kExitUsage;
  }
  if (o->positionals[0] == "hmac-sha256") {
    out << randomToken(32) << "\n";
    return kExitOk;
  }
  auto pair = generateEd25519KeyPair();
  if (!pair.ok()) {
    err << "huitong keygen: " << pair.error().message << "\n";
    return kExitFailed;
  }
  if (!o->has("private-key")) {
    out << pair.value().privateKeyPem << pair.value().publicKeyPem;
    return kExitOk;
  }
  if (!writeNewFile(o->get("private-key"), pair.value().privateKeyPem, 0600, error) ||
      !writeNewFile(o->get("public-key"), pair.value().publicKeyPem, 0644, error)) {
    err << "huitong keygen: " << error << "\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace huitong::auth
