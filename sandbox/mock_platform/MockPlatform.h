// The mock platform: an HTTP server that implements the platform's exchange interface
// (shared/spec/exchange-interface.md) exactly, plus a control API under /control/v1 for fault
// injection and for asking what it received. It serves the tests, the demo and the joint-debug
// sandbox; sandbox/mock_platform/README.md documents every endpoint and the order of checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "sandbox/mock_platform/EventStore.h"

namespace huitong::sandbox {

// Faults in force. PUT /control/v1/faults replaces all of them at once.
struct FaultSettings {
  double errorRate = 0.0;              // 0..1: share of event requests answered 500
  std::int64_t latencyMs = 0;          // added before answering every /exchange/v1 request
  double status503Rate = 0.0;          // 0..1: share of event requests answered 503
  std::int64_t retryAfterSeconds = 0;  // Retry-After of injected 503 and 429; 0: no header
  bool rejectAllWith429 = false;       // every event request answered 429
  EpochMillis outageUntil = 0;         // on the platform's clock: before it, every /exchange/v1
                                       // request (health too) is answered 503
};

// What the platform has answered since start or the last reset. Batch elements count one by
// one; rejectedByCode counts violations (an event with two `pattern` errors adds 2).
struct Stats {
  std::uint64_t requests = 0;  // every request, control API included
  std::uint64_t accepted = 0;
  std::uint64_t duplicate = 0;
  std::uint64_t conflict = 0;
  std::uint64_t rejected = 0;
  std::map<std::string, std::uint64_t> rejectedByCode;
  std::uint64_t badRequest = 0;    // 400 on /exchange/v1
  std::uint64_t unauthorized = 0;  // 401
  std::uint64_t tooLarge = 0;      // 413
  std::uint64_t notFound = 0;      // 404 (unknown path or receipt)
  std::uint64_t full = 0;          // 503 because the store is at its cap
  std::uint64_t injected500 = 0;
  std::uint64_t injected503 = 0;
  std::uint64_t injected429 = 0;
  std::uint64_t outage503 = 0;
};

// One answered request, for the per-request log line.
struct RequestLogEntry {
  std::string method;
  std::string path;
  int status = 0;
  double millis = 0.0;
  std::string requestId;
};

class MockPlatform {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port (see port())
    // When non-empty, every /exchange/v1 request needs "Authorization: Bearer <token>" (401
    // otherwise). The control API never does.
    std::string bearerToken;
    std::size_t maxBodyBytes = 1024 * 1024;  // larger bodies: 413
    unsigned threads = 32;  // connections served at once (one per thread; 0 counts as 1)
    unsigned keepAliveSeconds = 2;
    // "Now" for future_time, receipts and outages. Not owned; must outlive the platform.
    // nullptr: the system clock.
    const Clock* clock = nullptr;
    std::uint64_t seed = 20261128;  // of the fault RNG; reset() reseeds with it
    std::size_t maxStoredEvents = 1000000;
    std::size_t maxStoredBytes = std::size_t{1} << 30;  // event text held, at most
    // Called once per answered request, from the serving thread (concurrently).
    std::function<void(const RequestLogEntry&)> requestLog;
    // When tlsCertificateFile is set, the same interface is also served over HTTPS on
    // host:tlsPort (0: any free port, see tlsPort()), TLS 1.2+, with this PEM certificate
    // chain and unencrypted key. With tlsClientCaFile, every TLS client must present a
    // certificate issued by one of those CAs (mTLS).
    std::string tlsCertificateFile;
    std::string tlsPrivateKeyFile;
    std::string tlsClientCaFile;
    std::uint16_t tlsPort = 0;
  };

  explicit MockPlatform(Options options);
  ~MockPlatform();  // stop()s
  MockPlatform(const MockPlatform&) = delete;
  MockPlatform& operator=(const MockPlatform&) = delete;

  // Binds and starts serving. Error code "mock.listen" when the address cannot be bound,
  // "mock.tls" when the certificate, key or CA file cannot be used.
  // REQUIRES: not started before.
  Result<void> start();
  // The bound port (the chosen one when Options.port was 0); 0 before start().
  std::uint16_t port() const;
  // The bound HTTPS port; 0 before start() or without TLS.
  std::uint16_t tlsPort() const;
  // Stops accepting, lets requests in progress finish (an injected latency is cut short),
  // then closes idle connections and joins the threads. Idempotent.
  void stop();

  // Thread-safe accessors (the control API answers from the same state).
  // Up to `limit` held events with arrival index > after, in arrival order.
  std::vector<StoredEvent> received(std::uint64_t after = 0,
                                    std::size_t limit = static_cast<std::size_t>(-1)) const;
  std::size_t receivedCount() const;
  Stats stats() const;
  FaultSettings faults() const;
  void setFaults(const FaultSettings& faults);
  // Forgets every held event, zeroes the stats, clears the faults and reseeds the fault RNG.
  void reset();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace huitong::sandbox
