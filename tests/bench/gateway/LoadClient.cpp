// huitong_bench_load: the HTTP load client of the gateway benchmark (run-gateway-bench.sh).
// Every request is a distinct, freshly signed submission: the body is a template whose
// "bizNo" value is replaced by PREFIX-cCC-SSSSSSS (connection, sequence), then signed with
// RFC 9421 (hmac-sha256, new nonce and `created` per request). The same client drives every
// target; targets that do not check signatures simply ignore the headers.
//
//   huitong_bench_load --url URL --body-file FILE [--connections N] [--duration S]
//                      [--rate R] [--key-id K --secret S] [--prefix P] [--timeout-ms T]
//                      [--content-type CT]
//
// Closed loop (default): N keep-alive connections, each sends its next request as soon as the
// previous answer is read, for S seconds. Open loop (--rate R): request k is due at
// start + k/R; the N connections take due requests in order, and a request's latency runs
// from its due time, so a stalled server is charged for the requests queued behind it
// (no coordinated omission). Prints key=value lines: requests, ok (2xx), non2xx, errors
// (no answer: refused, reset, timeout), seconds, rate (2xx per second), p50_ms, p90_ms,
// p99_ms, max_ms, late (open loop: requests sent more than 1 ms after their due time).
// Exit 0 unless the arguments are bad.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gateway/auth/HttpSignatures.h"
#include "gateway/core/Clock.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string url;
  std::string bodyFile;
  std::string keyId;
  std::string secret;
  std::string prefix = "BENCH";
  std::string contentType = "application/json;charset=UTF-8";
  int connections = 32;
  double duration = 20;
  double rate = 0;  // 0: closed loop
  int timeoutMs = 10000;
};

struct Totals {
  std::uint64_t requests = 0, ok = 0, non2xx = 0, errors = 0, late = 0;
  std::map<int, std::uint64_t> statuses;
  std::vector<std::uint32_t> latencyUs;  // 2xx answers only
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "huitong_bench_load: " << why
            << "\nusage: huitong_bench_load --url URL --body-file FILE [--connections N]"
               " [--duration S] [--rate R] [--key-id K --secret S] [--prefix P]"
               " [--timeout-ms T] [--content-type CT]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc)
        usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--url")
      o.url = next();
    else if (a == "--body-file")
      o.bodyFile = next();
    else if (a == "--key-id")
      o.keyId = next();
    else if (a == "--secret")
      o.secret = next();
    else if (a == "--prefix")
      o.prefix = next();
    else if (a == "--content-type")
      o.contentType = next();
    else if (a == "--connections")
      o.connections = std::atoi(next().c_str());
    else if (a == "--duration")
      o.duration = std::atof(next().c_str());
    else if (a == "--rate")
      o.rate = std::atof(next().c_str());
    else if (a == "--timeout-ms")
      o.timeoutMs = std::atoi(next().c_str());
    else
      usage("unknown argument " + a);
  }
  if (o.url.empty() || o.bodyFile.empty())
    usage("--url and --body-file are required");
  if (o.connections < 1 || o.connections > 1024 || o.duration <= 0 || o.rate < 0)
    usage("bad --connections, --duration or --rate");
  if (o.keyId.empty() != o.secret.empty())
    usage("--key-id and --secret go together");
  return o;
}

// The template split around the bizNo value: head + caseNo + tail.
struct Template {
  std::string head, tail;
};

Template splitTemplate(const std::string& body) {
  const std::string key = "\"bizNo\"";
  auto k = body.find(key);
  if (k == std::string::npos)
    usage("the body has no \"bizNo\" member");
  auto open = body.find('"', body.find(':', k + key.size()) + 1);
  auto close = body.find('"', open + 1);
  if (open == std::string::npos || close == std::string::npos)
    usage("the body's bizNo is not a string");
  return {body.substr(0, open + 1), body.substr(close)};
}

void worker(const Options& o, const Poco::URI& uri, const Template& tpl,
            const huitong::auth::Signer* signer, int conn, Clock::time_point start,
            Clock::time_point stop, std::atomic<std::uint64_t>& nextDue, Totals& out) {
  huitong::SystemClock wall;
  Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
  session.setKeepAlive(true);
  session.setTimeout(Poco::Timespan(0, o.timeoutMs * 1000));
  const std::string path = uri.getPathAndQuery();
  char caseNo[96];
  std::uint64_t seq = 0;
  out.latencyUs.reserve(o.rate > 0 ? 4096 : 65536);
  for (;;) {
    Clock::time_point due;
    if (o.rate > 0) {
      const std::uint64_t k = nextDue.fetch_add(1);
      due = start + std::chrono::nanoseconds(static_cast<std::int64_t>(k * 1e9 / o.rate));
      if (due >= stop)
        break;
      std::this_thread::sleep_until(due);
      if (Clock::now() - due > std::chrono::milliseconds(1))
        ++out.late;
    } else {
      due = Clock::now();
      if (due >= stop)
        break;
    }
    std::snprintf(caseNo, sizeof caseNo, "%s-c%02d-%07llu", o.prefix.c_str(), conn,
                  static_cast<unsigned long long>(++seq));
    huitong::auth::SignedRequest sr;
    sr.method = "POST";
    sr.targetUri = o.url;
    sr.body = tpl.head + caseNo + tpl.tail;
    huitong::auth::addHeader(sr, "Content-Type", o.contentType);
    if (signer) {
      auto s = signer->sign(sr, wall);
      if (!s.ok()) {
        std::cerr << "sign failed: " << s.error().message << "\n";
        std::exit(1);
      }
    }
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setKeepAlive(true);
    for (const auto& [name, value] : sr.headers)
      if (name != "content-type")
        req.set(name, value);
    req.setContentType(o.contentType);
    req.setContentLength(static_cast<std::streamsize>(sr.body.size()));
    ++out.requests;
    try {
      session.sendRequest(req) << sr.body;
      Poco::Net::HTTPResponse res;
      std::istream& in = session.receiveResponse(res);
      Poco::NullOutputStream sink;
      Poco::StreamCopier::copyStream(in, sink);
      const auto done = Clock::now();
      const int status = res.getStatus();
      if (status >= 200 && status < 300) {
        ++out.ok;
        out.latencyUs.push_back(static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(done - due).count()));
      } else {
        ++out.non2xx;
        ++out.statuses[status];
      }
    } catch (const std::exception& e) {
      ++out.errors;
      if (out.errors <= 3)
        std::cerr << "connection " << conn << ": " << e.what() << "\n";
      session.reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // no busy loop on refusal
    }
  }
}

double percentileMs(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::ifstream f(o.bodyFile, std::ios::binary);
  if (!f)
    usage("cannot read " + o.bodyFile);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string body = ss.str();
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r'))
    body.pop_back();
  const Template tpl = splitTemplate(body);
  const Poco::URI uri(o.url);

  std::optional<huitong::auth::Signer> signer;
  if (!o.keyId.empty()) {
    huitong::auth::DepartmentKey key;
    key.keyId = o.keyId;
    key.algorithm = "hmac-sha256";
    key.secret = o.secret;
    auto s = huitong::auth::Signer::create(key);
    if (!s.ok())
      usage("bad key: " + s.error().message);
    signer = std::move(s.value());
  }

  std::vector<Totals> totals(static_cast<std::size_t>(o.connections));
  std::vector<std::thread> threads;
  std::atomic<std::uint64_t> nextDue{0};
  const auto start = Clock::now() + std::chrono::milliseconds(20);
  const auto stop = start + std::chrono::microseconds(static_cast<std::int64_t>(o.duration * 1e6));
  for (int c = 0; c < o.connections; ++c)
    threads.emplace_back(worker, std::cref(o), std::cref(uri), std::cref(tpl),
                         signer ? &*signer : nullptr, c, start, stop, std::ref(nextDue),
                         std::ref(totals[static_cast<std::size_t>(c)]));
  for (auto& t : threads)
    t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  Totals all;
  for (auto& t : totals) {
    all.requests += t.requests;
    all.ok += t.ok;
    all.non2xx += t.non2xx;
    all.errors += t.errors;
    all.late += t.late;
    for (auto& [s, n] : t.statuses)
      all.statuses[s] += n;
    all.latencyUs.insert(all.latencyUs.end(), t.latencyUs.begin(), t.latencyUs.end());
  }
  std::sort(all.latencyUs.begin(), all.latencyUs.end());
  std::printf("mode=%s\nconnections=%d\nrequests=%llu\nok=%llu\nnon2xx=%llu\nerrors=%llu\n",
              o.rate > 0 ? "rate" : "closed", o.connections,
              static_cast<unsigned long long>(all.requests),
              static_cast<unsigned long long>(all.ok), static_cast<unsigned long long>(all.non2xx),
              static_cast<unsigned long long>(all.errors));
  std::printf("seconds=%.3f\nrate=%.1f\np50_ms=%.2f\np90_ms=%.2f\np99_ms=%.2f\nmax_ms=%.2f\n",
              seconds, static_cast<double>(all.ok) / seconds, percentileMs(all.latencyUs, 0.50),
              percentileMs(all.latencyUs, 0.90), percentileMs(all.latencyUs, 0.99),
              all.latencyUs.empty() ? 0.0 : all.latencyUs.back() / 1000.0);
  if (o.rate > 0)
    std::printf("target_rate=%.1f\nlate=%llu\n", o.rate, static_cast<unsigned long long>(all.late));
  std::string statuses;
  for (auto& [s, n] : all.statuses)
    statuses += (statuses.empty() ? "" : ",") + std::to_string(s) + ":" + std::to_string(n);
  std::printf("non2xx_statuses=%s\n", statuses.c_str());
  return 0;
}
