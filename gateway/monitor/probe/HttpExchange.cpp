#include "gateway/monitor/probe/HttpExchange.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <mutex>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace huitong::monitor::probe {
namespace {

using SteadyClock = std::chrono::steady_clock;

double msSince(SteadyClock::time_point t) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
}

std::string lowerAscii(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Error fail(const char* code, std::string message) {
  return Error{code, std::move(message), ""};
}

Error timeoutError(const Deadline& d, const std::string& during) {
  return fail("probe.timeout", "no answer within the run's timeout of " +
                                   std::to_string(d.timeoutMs()) + " ms (stopped " + during + ")");
}

std::string opensslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0)
    return "";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

enum class Wait { kReady, kTimeout, kError };

Wait waitFor(int fd, short events, const Deadline& d) {
  for (;;) {
    const int ms = d.remainingMs();
    if (ms <= 0)
      return Wait::kTimeout;
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, ms);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return Wait::kError;
    }
    if (r == 0)
      continue;  // the loop re-reads the clock: poll may wake a little early
    return Wait::kReady;
  }
}

struct Address {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string text;
};

std::string addressText(const sockaddr* sa, unsigned port) {
  char host[INET6_ADDRSTRLEN] = "?";
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, host, sizeof host);
  else
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, host, sizeof host);
  const std::string h = sa->sa_family == AF_INET6 ? "[" + std::string(host) + "]" : host;
  return h + ":" + std::to_string(port);
}

bool numericAddress(const Url& url, Address& out) {
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, url.host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(static_cast<uint16_t>(url.port));
    std::memcpy(&out.addr, &v4, sizeof v4);
    out.len = sizeof v4;
  } else if (inet_pton(AF_INET6, url.host.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(static_cast<uint16_t>(url.port));
    std::memcpy(&out.addr, &v6, sizeof v6);
    out.len = sizeof v6;
  } else {
    return false;
  }
  out.text = addressText(reinterpret_cast<const sockaddr*>(&out.addr), url.port);
  return true;
}

// One getaddrinfo_a request. glibc writes into it from its own thread until the request is done
// or cancelled, so a lookup abandoned at the deadline and not cancellable is left allocated.
struct Lookup {
  gaicb cb{};
  addrinfo hints{};
  std::string name, service;
};

Result<std::vector<Address>> resolve(const Url& url, const Deadline& d, PhaseTimings& t) {
  Address numeric;
  if (numericAddress(url, numeric))
    return std::vector<Address>{numeric};
  const auto start = SteadyClock::now();
  auto lookup = std::make_unique<Lookup>();
  lookup->name = url.host;
  lookup->service = std::to_string(url.port);
  lookup->hints.ai_family = AF_UNSPEC;
  lookup->hints.ai_socktype = SOCK_STREAM;
  lookup->hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
  lookup->cb.ar_name = lookup->name.c_str();
  lookup->cb.ar_service = lookup->service.c_str();
  lookup->cb.ar_request = &lookup->hints;
  gaicb* list[1] = {&lookup->cb};
  if (const int rc = getaddrinfo_a(GAI_NOWAIT, list, 1, nullptr); rc != 0)
    return fail("probe.dns", "DNS lookup of '" + url.host + "' failed: " + gai_strerror(rc));
  int state = EAI_INPROGRESS;
  for (;;) {
    state = gai_error(&lookup->cb);
    if (state != EAI_INPROGRESS)
      break;
    const int ms = d.remainingMs();
    if (ms <= 0)
      break;
    timespec ts{ms / 1000, static_cast<long>(ms % 1000) * 1000000L};
    gai_suspend(list, 1, &ts);
  }
  t.dnsMs = msSince(start);
  if (state == EAI_INPROGRESS) {
    const int c = gai_cancel(&lookup->cb);
    if (c == EAI_NOTCANCELED)
      lookup.release();  // NOLINT(bugprone-unused-return-value): glibc still owns it
    else if (lookup->cb.ar_result)
      freeaddrinfo(lookup->cb.ar_result);
    return fail("probe.timeout", "DNS lookup of '" + url.host + "' did not finish within the " +
                                     std::to_string(d.timeoutMs()) + " ms timeout");
  }
  if (state != 0)
    return fail("probe.dns", "DNS lookup of '" + url.host + "' failed: " + gai_strerror(state));
  std::vector<Address> out;
  for (addrinfo* ai = lookup->cb.ar_result; ai; ai = ai->ai_next) {
    Address a;
    std::memcpy(&a.addr, ai->ai_addr, ai->ai_addrlen);
    a.len = ai->ai_addrlen;
    a.text = addressText(ai->ai_addr, url.port);
    out.push_back(a);
  }
  freeaddrinfo(lookup->cb.ar_result);
  if (out.empty())
    return fail("probe.dns", "DNS lookup of '" + url.host + "' found no address");
  return out;
}

struct Socket {
  int fd = -1;
  SSL* ssl = nullptr;
  ~Socket() {
    if (ssl)
      SSL_free(ssl);
    if (fd >= 0)
      ::close(fd);
  }
};

Result<void> connectTo(const std::vector<Address>& addresses, const Url& url, const Deadline& d,
                       Socket& s, std::string& used, PhaseTimings& t) {
  const auto start = SteadyClock::now();
  std::string last;
  for (const Address& a : addresses) {
    const int fd = ::socket(a.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last = std::strerror(errno);
      continue;
    }
    int r = ::connect(fd, reinterpret_cast<const sockaddr*>(&a.addr), a.len);
    if (r < 0 && errno != EINPROGRESS) {
      last = a.text + ": " + std::strerror(errno);
      ::close(fd);
      continue;
    }
    if (r < 0) {
      const Wait w = waitFor(fd, POLLOUT, d);
      if (w == Wait::kTimeout) {
        ::close(fd);
        t.connectMs = msSince(start);
        return timeoutError(d, "while connecting to " + a.text);
      }
      int err = 0;
      socklen_t len = sizeof err;
      if (w == Wait::kError || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
      if (err != 0) {
        last = a.text + ": " + std::strerror(err);
        ::close(fd);
        continue;
      }
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    s.fd = fd;
    used = a.text;
    t.connectMs = msSince(start);
    return {};
  }
  t.connectMs = msSince(start);
  return fail("probe.connect", "cannot connect to " + url.authority() + " (" + last + ")");
}

long long asn1ToEpochMillis(const ASN1_TIME* at) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(at, &tm) != 1)
    return 0;
  return static_cast<long long>(timegm(&tm)) * 1000;
}

std::string x509Name(X509_NAME* name) {
  char buf[512];
  X509_NAME_oneline(name, buf, sizeof buf);
  return buf;
}

Result<void> handshake(const Url& url, const ExchangeOptions& o, const Deadline& d, Socket& s,
                       std::optional<PeerCertificate>& peer, PhaseTimings& t) {
  const auto start = SteadyClock::now();
  if (!o.tls)
    return fail("probe.tls", "no TLS settings for " + url.text());
  s.ssl = SSL_new(static_cast<SSL_CTX*>(o.tls->nativeContext()));
  if (!s.ssl)
    return fail("probe.tls", "cannot start TLS: " + opensslError());
  SSL_set_fd(s.ssl, s.fd);
  Address ignored;
  X509_VERIFY_PARAM* param = SSL_get0_param(s.ssl);
  if (numericAddress(url, ignored)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str());
  } else {
    SSL_set_tlsext_host_name(s.ssl, url.host.c_str());
    X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), 0);
  }
  // The chain is verified either way; the result is judged below, before a byte of the request
  // is sent, so that an untrusted peer still shows its expiry date.
  SSL_set_verify(s.ssl, SSL_VERIFY_NONE, nullptr);
  ERR_clear_error();
  for (;;) {
    const int r = SSL_connect(s.ssl);
    if (r == 1)
      break;
    const int e = SSL_get_error(s.ssl, r);
    Wait w = Wait::kError;
    if (e == SSL_ERROR_WANT_READ)
      w = waitFor(s.fd, POLLIN, d);
    else if (e == SSL_ERROR_WANT_WRITE)
      w = waitFor(s.fd, POLLOUT, d);
    if (w == Wait::kReady)
      continue;
    t.tlsMs = msSince(start);
    if (w == Wait::kTimeout)
      return timeoutError(d, "during the TLS handshake with " + url.authority());
    std::string why = opensslError();
    if (why.empty())
      why = "the peer closed the connection";
    return fail("probe.tls", "TLS handshake with " + url.authority() + " failed: " + why);
  }
  t.tlsMs = msSince(start);
  X509* cert = SSL_get1_peer_certificate(s.ssl);
  if (!cert)
    return fail("probe.tls", url.authority() + " presented no certificate");
  PeerCertificate p;
  p.subject = x509Name(X509_get_subject_name(cert));
  const long long notAfter = asn1ToEpochMillis(X509_get0_notAfter(cert));
  X509_free(cert);
  p.notAfter = formatRfc3339(notAfter);
  p.daysLeft = static_cast<double>(notAfter - o.nowMillis) / 86400000.0;
  p.verifyResult = SSL_get_verify_result(s.ssl);
  if (p.verifyResult != X509_V_OK)
    p.verifyError = X509_verify_cert_error_string(p.verifyResult);
  peer = p;
  if (o.tls->verify() && p.verifyResult != X509_V_OK) {
    return fail("probe.tls.verify", "certificate of " + url.authority() +
                                        " not trusted: " + p.verifyError + " (X509 error " +
                                        std::to_string(p.verifyResult) + "; subject " + p.subject +
                                        ", valid until " + p.notAfter + ")");
  }
  return {};
}

// Reads and writes on a connected socket (plain or TLS) without passing the deadline.
class Stream {
 public:
  Stream(Socket& s, const Deadline& d) : s_(s), d_(d) {}

  Result<void> writeAll(const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
      if (s_.ssl) {
        std::size_t n = 0;
        ERR_clear_error();
        if (SSL_write_ex(s_.ssl, data.data() + off, data.size() - off, &n) == 1) {
          off += n;
          continue;
        }
        const int e = SSL_get_error(s_.ssl, 0);
        if (auto w = wait(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
                          e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE);
            !w.ok())
          return w.error();
      } else {
        const ssize_t n = ::send(s_.fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n > 0) {
          off += static_cast<std::size_t>(n);
          continue;
        }
        if (auto w = wait(POLLOUT, n < 0 && (errno == EAGAIN || errno == EINTR)); !w.ok())
          return w.error();
      }
    }
    return {};
  }

  // Appends what arrives to `buf`; false at the end of the stream.
  Result<bool> readSome(std::string& buf) {
    char chunk[16384];
    for (;;) {
      if (s_.ssl) {
        std::size_t n = 0;
        ERR_clear_error();
        if (SSL_read_ex(s_.ssl, chunk, sizeof chunk, &n) == 1) {
          buf.append(chunk, n);
          return true;
        }
        const int e = SSL_get_error(s_.ssl, 0);
        if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno == 0))
          return false;
        if (auto w = wait(e == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN,
                          e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE);
            !w.ok())
          return w.error();
      } else {
        const ssize_t n = ::recv(s_.fd, chunk, sizeof chunk, 0);
        if (n > 0) {
          buf.append(chunk, static_cast<std::size_t>(n));
          return true;
        }
        if (n == 0)
          return false;
        if (auto w = wait(POLLIN, errno == EAGAIN || errno == EINTR); !w.ok())
          return w.error();
      }
    }
  }

 private:
  Result<void> wait(short events, bool retryable) {
    if (!retryable) {
      std::string why = s_.ssl ? opensslError() : std::string(std::strerror(errno));
      return fail("probe.protocol", "the connection broke: " + (why.empty() ? "reset" : why));
    }
    const Wait w = waitFor(s_.fd, events, d_);
    if (w == Wait::kTimeout)
      return timeoutError(d_, "waiting for the answer");
    if (w == Wait::kError)
      return fail("probe.protocol", std::string("poll failed: ") + std::strerror(errno));
    return {};
  }

  Socket& s_;
  const Deadline& d_;
};

// The answer, read from a stream with a buffer: head, then the body by its framing.
class ResponseReader {
 public:
  ResponseReader(Stream& stream, const ExchangeOptions& o) : in_(stream), o_(o) {}

  // Called when the first byte arrives.
  std::function<void()> onFirstByte;

  Result<void> readHead(HttpResponse& r) {
    for (;;) {
      std::size_t end = buf_.find("\r\n\r\n");
      while (end == std::string::npos) {
        if (buf_.size() > o_.maxHeaderBytes)
          return fail("probe.protocol", "the response head is larger than " +
                                            std::to_string(o_.maxHeaderBytes) + " bytes");
        auto more = pull();
        if (!more.ok())
          return more.error();
        if (!more.value())
          return fail("probe.protocol",
                      buf_.empty() ? "the server closed the connection without answering"
                                   : "the server closed the connection inside the response head");
        end = buf_.find("\r\n\r\n");
      }
      const std::string head = buf_.substr(0, end);
      buf_.erase(0, end + 4);
      std::size_t lineEnd = head.find("\r\n");
      const std::string statusLine = head.substr(0, lineEnd);
      if (statusLine.rfind("HTTP/1.", 0) != 0 || statusLine.size() < 12 || statusLine[8] != ' ')
        return fail("probe.protocol",
                    "not an HTTP/1.x status line: '" + statusLine.substr(0, 80) + "'");
      r.status = std::atoi(statusLine.substr(9, 3).c_str());
      if (r.status < 100 || r.status > 599)
        return fail("probe.protocol", "impossible status in '" + statusLine.substr(0, 80) + "'");
      r.reason = statusLine.size() > 13 ? statusLine.substr(13) : "";
      r.headers.clear();
      while (lineEnd != std::string::npos) {
        const std::size_t start = lineEnd + 2;
        lineEnd = head.find("\r\n", start);
        const std::string line = head.substr(start, lineEnd - start);
        const auto colon = line.find(':');
        if (colon == std::string::npos || colon == 0)
          continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        value.erase(value.find_last_not_of(" \t") + 1);
        r.headers.emplace_back(line.substr(0, colon), value);
      }
      if (r.status >= 200 || r.status == 101)
        return {};
      // 1xx interim answers (100 Continue, 103 Early Hints): the final one follows.
    }
  }

  Result<void> readBody(const std::string& method, HttpResponse& r) {
    if (method == "HEAD" || r.status == 204 || r.status == 304 || r.status < 200)
      return {};
    const auto te = r.header("Transfer-Encoding");
    if (te && lowerAscii(*te).find("chunked") != std::string::npos)
      return readChunked(r.body);
    if (const auto cl = r.header("Content-Length")) {
      char* end = nullptr;
      const unsigned long long n = std::strtoull(cl->c_str(), &end, 10);
      if (cl->empty() || *end != '\0')
        return fail("probe.protocol", "Content-Length '" + *cl + "' is not a number");
      if (n > o_.maxBodyBytes)
        return tooLarge(" (Content-Length " + std::to_string(n) + ")");
      return readExact(static_cast<std::size_t>(n), r.body);
    }
    for (;;) {  // to the end of the stream
      if (auto e = move(buf_.size(), r.body); !e.ok())
        return e;
      auto more = pull();
      if (!more.ok())
        return more.error();
      if (!more.value())
        return {};
    }
  }

 private:
  Error tooLarge(const std::string& detail) const {
    return fail("probe.too_large", "body larger than " + std::to_string(o_.maxBodyBytes) +
                                       " bytes, read stopped" + detail);
  }

  Result<bool> pull() {
    const std::size_t before = buf_.size();
    auto r = in_.readSome(buf_);
    if (r.ok() && buf_.size() > before && !gotFirst_) {
      gotFirst_ = true;
      if (onFirstByte)
        onFirstByte();
    }
    return r;
  }

  Result<void> move(std::size_t n, std::string& body) {
    if (body.size() + n > o_.maxBodyBytes)
      return tooLarge("");
    body.append(buf_, 0, n);
    buf_.erase(0, n);
    return {};
  }

  Result<void> readExact(std::size_t n, std::string& body) {
    while (buf_.size() < n) {
      auto more = pull();
      if (!more.ok())
        return more.error();
      if (!more.value())
        return fail("probe.protocol", "the server closed the connection " +
                                          std::to_string(n - buf_.size()) +
                                          " bytes before the end of the body");
    }
    return move(n, body);
  }

  Result<std::string> readLine() {
    std::size_t end = buf_.find("\r\n");
    while (end == std::string::npos) {
      if (buf_.size() > 8192)
        return fail("probe.protocol", "a chunk-size line longer than 8192 bytes");
      auto more = pull();
      if (!more.ok())
        return more.error();
      if (!more.value())
        return fail("probe.protocol", "the server closed the connection inside a chunked body");
      end = buf_.find("\r\n");
    }
    std::string line = buf_.substr(0, end);
    buf_.erase(0, end + 2);
    return line;
  }

  Result<void> readChunked(std::string& body) {
    for (;;) {
      auto line = readLine();
      if (!line.ok())
        return line.error();
      char* end = nullptr;
      const unsigned long long size = std::strtoull(line.value().c_str(), &end, 16);
      if (end == line.value().c_str())
        return fail("probe.protocol", "bad chunk size '" + line.value().substr(0, 40) + "'");
      if (size == 0) {
        for (;;) {  // trailers up to the empty line
          auto trailer = readLine();
          if (!trailer.ok())
            return trailer.error();
          if (trailer.value().empty())
            return {};
        }
      }
      if (body.size() + size > o_.maxBodyBytes)
        return tooLarge("");
      if (auto e = readExact(static_cast<std::size_t>(size), body); !e.ok())
        return e;
      auto crlf = readLine();
      if (!crlf.ok())
        return crlf.error();
    }
  }

  Stream& in_;
  const ExchangeOptions& o_;
  std::string buf_;
  bool gotFirst_ = false;
};

std::string requestText(const HttpRequest& q) {
  std::string out = q.method + " " + q.url.target + " HTTP/1.1\r\nHost: " + q.url.authority() +
                    "\r\nConnection: close\r\nAccept-Encoding: identity\r\n";
  bool userAgent = false;
  for (const auto& [name, value] : q.headers) {
    const std::string n = lowerAscii(name);
    if (n == "host" || n == "connection" || n == "content-length" || n == "accept-encoding")
      continue;
    userAgent = userAgent || n == "user-agent";
    out += name + ": " + value + "\r\n";
  }
  if (!userAgent)
    out += "User-Agent: huitong-probe/1\r\n";
  if (!q.body.empty() || q.method == "POST" || q.method == "PUT" || q.method == "PATCH")
    out += "Content-Length: " + std::to_string(q.body.size()) + "\r\n";
  return out + "\r\n" + q.body;
}

}  // namespace

int Deadline::remainingMs() const {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(at_ - SteadyClock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}

Result<std::shared_ptr<const TlsClient>> TlsClient::create(bool verify, const std::string& caFile) {
  // One context per (verification, CA file) in the process: loading the system trust store
  // takes tens of milliseconds and megabytes, and hundreds of probes share the same one
  // (a context is safe to use from several threads once built).
  static std::mutex cacheMutex;
  static std::map<std::pair<bool, std::string>, std::weak_ptr<const TlsClient>> cache;
  std::lock_guard<std::mutex> lock(cacheMutex);
  std::weak_ptr<const TlsClient>& slot = cache[{verify, caFile}];
  if (auto existing = slot.lock())
    return existing;
  auto made = build(verify, caFile);
  if (made.ok())
    slot = made.value();
  return made;
}

Result<std::shared_ptr<const TlsClient>> TlsClient::build(bool verify, const std::string& caFile) {
  std::shared_ptr<TlsClient> c(new TlsClient());
  c->verify_ = verify;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx)
    return fail("probe.tls", "cannot create a TLS context: " + opensslError());
  c->ctx_ = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (!caFile.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, caFile.c_str(), nullptr) != 1)
      return Error{"probe.tls.ca_file",
                   "cannot load CA certificates from " + caFile + " (" + opensslError() + ")", ""};
  } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    return fail("probe.tls", "cannot load the system's trust store: " + opensslError());
  }
  return std::shared_ptr<const TlsClient>(std::move(c));
}

TlsClient::~TlsClient() {
  if (ctx_)
    SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

std::optional<std::string> HttpResponse::header(const std::string& name) const {
  const std::string n = lowerAscii(name);
  for (const auto& [k, v] : headers) {
    if (lowerAscii(k) == n)
      return v;
  }
  return std::nullopt;
}

std::vector<std::string> HttpResponse::all(const std::string& name) const {
  const std::string n = lowerAscii(name);
  std::vector<std::string> out;
  for (const auto& [k, v] : headers) {
    if (lowerAscii(k) == n)
      out.push_back(v);
  }
  return out;
}

Exchange exchange(const HttpRequest& request, const ExchangeOptions& options,
                  const Deadline& deadline) {
  Exchange x;
  const auto start = SteadyClock::now();
  auto finish = [&](std::optional<Error> e) {
    x.error = std::move(e);
    x.timings.totalMs = msSince(start);
    return std::move(x);
  };
  auto addresses = resolve(request.url, deadline, x.timings);
  if (!addresses.ok())
    return finish(addresses.error());
  Socket s;
  if (auto c = connectTo(addresses.value(), request.url, deadline, s, x.address, x.timings);
      !c.ok())
    return finish(c.error());
  if (request.url.https()) {
    if (auto h = handshake(request.url, options, deadline, s, x.peer, x.timings); !h.ok())
      return finish(h.error());
  }
  Stream stream(s, deadline);
  // Measured from the start of the write: the answer can arrive before a thread descheduled
  // right after send() reads the clock again.
  const auto written = SteadyClock::now();
  if (auto w = stream.writeAll(requestText(request)); !w.ok())
    return finish(w.error());
  ResponseReader reader(stream, options);
  reader.onFirstByte = [&] { x.timings.firstByteMs = msSince(written); };
  if (auto h = reader.readHead(x.response); !h.ok())
    return finish(h.error());
  if (auto b = reader.readBody(request.method, x.response); !b.ok())
    return finish(b.error());
  return finish(std::nullopt);
}

}  // namespace huitong::monitor::probe
