// Delivery to the platform (exchange-interface.md §1): workers claim outbox events (per-case
// FIFO, by the store), send them one by one or as a batch when a backlog builds, and record
// the outcome: delivered (accepted or duplicate), retry with exponential backoff and jitter
// (honouring Retry-After), or dead letter (conflict, rejected, other permanent 4xx, or the
// attempt limit). A round's outcomes are settled in the store at once (one commit per round).
// Owns its threads; stop() joins them (claims left behind expire).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/core/Error.h"
#include "gateway/exchange/Metrics.h"
#include "gateway/storage/ExchangeStore.h"

namespace huitong::exchange {

struct DeliveryConfig {
  std::string platformUrl = "http://127.0.0.1:8601";  // base URL of the exchange interface
  std::string token;                                  // Authorization: Bearer <token>
  // https:// only: the CAs trusted for the platform's certificate (PEM; empty = the system's CA
  // store) and an optional client certificate with its key (PEM, unencrypted).
  std::string caFile;
  std::string certificateFile;
  std::string privateKeyFile;
  // Told (from a worker thread) when a TLS connection to the platform fails, with the reason;
  // the same reason at most once a minute.
  std::function<void(const std::string& message, const std::string& reason)> tlsFailureLog;
  unsigned workers = 2;
  unsigned batchSize = 100;     // at most this many events per batch request (spec: 500)
  unsigned batchThreshold = 4;  // a claim of at least this many events goes as a batch
  unsigned maxAttempts = 12;
  EpochMillis initialBackoffMillis = 1000;
  EpochMillis maxBackoffMillis = 300000;
  EpochMillis timeoutMillis = 10000;
  EpochMillis leaseMillis = 60000;
  EpochMillis idleMillis = 200;  // poll interval when the outbox is empty
};

class DeliveryWorker {
 public:
  DeliveryWorker(storage::ExchangeStore& store, DeliveryConfig config, const Clock& clock,
                 MetricsRegistry& metrics);
  ~DeliveryWorker();

  void start();
  void stop();
  // Wakes idle workers (intake just queued events).
  void notify();

  // One round for one worker: claim, send, record. Returns the number of events handled.
  // Exposed for tests that drive delivery step by step.
  std::size_t runOnce();

  // Backoff before attempt `attempts + 1`: min(max, initial * 2^attempts), jittered 50–150 %.
  EpochMillis backoff(int attempts) const;

  // Whether the TLS settings of an https:// platform can be used (files readable, key matching
  // the certificate). An error's path names the key ("ca_file", ...).
  static Result<void> checkTls(const DeliveryConfig& config);

 private:
  using Settlements = std::vector<storage::Settlement>;
  void loop();
  void sendSingle(const storage::OutboxItem& item, Settlements& out);
  void sendBatch(const std::vector<storage::OutboxItem>& items, Settlements& out);
  // Judges one answer for `item` (counting it in the metrics) into the store's terms.
  storage::Settlement judge(const storage::OutboxItem& item, int status, const std::string& body,
                            EpochMillis retryAfterMillis, const std::string& transportError);

  storage::ExchangeStore& store_;
  DeliveryConfig config_;
  const Clock& clock_;
  MetricsRegistry& metrics_;
  std::string host_;
  unsigned short port_ = 80;
  std::string basePath_;
  bool https_ = false;
  // How requests reach the platform (plain or TLS sessions); shared by the workers.
  struct Transport;
  std::unique_ptr<Transport> transport_;
  std::vector<std::thread> threads_;
  std::atomic<bool> running_{false};
  std::mutex mu_;
  std::condition_variable wake_;
};

}  // namespace huitong::exchange
