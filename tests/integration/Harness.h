// What the integration tests share: the real `huitong serve` and `huitong mock-platform` as
// child processes (posix_spawn; output to files in a temp dir; killed only by the pid we
// started), the gateway's config written for a fresh store (SQLite file or PostgreSQL
// database), a signing HTTP client, the mock's control API, and marriage messages with
// valid resident IDs. Tests run from the repository root (mappings/ and ../shared/).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <Poco/Net/HTTPClientSession.h>
#include <rapidjson/document.h>

#include "gateway/auth/HttpSignatures.h"
#include "gateway/core/Clock.h"

namespace huitong::integration {

std::filesystem::path huitongBinary();
std::filesystem::path sharedDir();
std::string readFile(const std::filesystem::path& p);
double secondsSince(std::chrono::steady_clock::time_point start);

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "huitong-it");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

// One child process; stdout and stderr go to <dir>/<name>.out and .err (appended across
// restarts). The destructor SIGKILLs it if it still runs and reaps it.
class Process {
 public:
  Process(std::vector<std::string> args, std::filesystem::path dir, std::string name,
          const std::string& stdinPath = "/dev/null");
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `sig` to our child (no-op when it has ended).
  void signal(int sig);
  // Waits for the end; SIGKILLs after `limit`. Returns the wait status (-1 if never started).
  int wait(std::chrono::milliseconds limit);
  // "exit 0", "signal 9", "running".
  std::string describe();
  std::filesystem::path outPath() const { return dir_ / (name_ + ".out"); }
  std::filesystem::path errPath() const { return dir_ / (name_ + ".err"); }
  // Waits until `marker` appears in the output (stdout or stderr) at or after byte `from`;
  // returns the text from the marker to the end of its line, or nullopt when the process
  // ended or `limit` passed.
  std::optional<std::string> waitForLine(const std::string& marker, bool inStderr,
                                         std::chrono::milliseconds limit, std::size_t from = 0);
  // VmRSS of the process in KiB (0 when unreadable).
  long rssKiB() const;

 private:
  std::filesystem::path dir_;
  std::string name_;
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
};

// An HTTP answer; status 0 means no answer (connection refused, reset, timeout).
struct Answer {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string error;
  double seconds = 0;
  std::string header(const std::string& lowerName) const;
};

// Keep-alive HTTP/1.1 to 127.0.0.1:port. Not thread-safe: one per thread. A transport error
// resets the connection; the next request opens a new one.
class HttpClient {
 public:
  explicit HttpClient(int port, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  void setPort(int port);
  int port() const { return port_; }
  Answer send(const std::string& method, const std::string& path, const std::string& body = "",
              const std::string& contentType = "",
              const std::vector<std::pair<std::string, std::string>>& headers = {},
              bool chunked = false);

 private:
  int port_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  std::chrono::milliseconds timeout_;
};

// A department's hmac-sha256 key.
struct DepartmentCredential {
  std::string system;
  std::string keyId;
  std::string secret;
  auth::DepartmentKey key() const;
};
DepartmentCredential makeCredential(const std::string& system);

// The headers RFC 9421 signing adds for a request to http://127.0.0.1:port + path.
std::vector<std::pair<std::string, std::string>> signatureHeaders(
    const DepartmentCredential& cred, int port, const std::string& method, const std::string& path,
    const std::string& contentType, const std::string& body, const Clock& clock);

// POST signed with `cred` at the client's current port.
Answer signedPost(HttpClient& client, const DepartmentCredential& cred, const std::string& path,
                  const std::string& body, const std::string& contentType = "application/json");

// GET signed with `cred` (the status of a message).
Answer signedGet(HttpClient& client, const DepartmentCredential& cred, const std::string& path);

// `huitong mock-platform` on a free loopback port.
class MockPlatformProcess {
 public:
  // `extraArgs` are more mock-platform options (e.g. --tls-cert FILE --tls-key FILE).
  MockPlatformProcess(const std::filesystem::path& dir, std::string token,
                      std::vector<std::string> extraArgs = {});
  int port() const { return port_; }
  // The HTTPS port (0 without --tls-cert); url() stays the plain one (control API).
  int tlsPort() const { return tlsPort_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& token() const { return token_; }
  Process& process() { return *process_; }

  // One control call; fails the test on a transport error.
  Answer control(const std::string& method, const std::string& path, const std::string& body = "");
  void setFaults(const std::string& json);
  rapidjson::Document stats();

  struct Received {
    std::int64_t index = 0;
    std::string eventId;
    std::string caseNo;
    std::string stage;
  };
  // Every held event in arrival order (pages of `pageSize`).
  std::vector<Received> received(int pageSize = 5000);
  // Total held events (one small call).
  std::int64_t receivedTotal();

 private:
  std::unique_ptr<Process> process_;
  std::string token_;
  int port_ = 0;
  int tlsPort_ = 0;
};

// Where the gateway keeps its journal and outbox.
struct StoreSetting {
  std::string kind = "sqlite";  // "sqlite" | "postgresql"
  std::string connection;       // postgresql: libpq key/value string
};

// An item whose filing the gateway puts online at start (registry.filings): the intake takes
// only events of online items.
struct OnlineItem {
  std::string system;
  std::string itemCode;
};
// Every item the tests send: the shared department samples (../shared/departments/*/samples),
// the funeral rows, the simulator's scripts and marriageMessage().
const std::vector<OnlineItem>& defaultOnlineItems();
// Writes <dir>/filings.json with the `items` of `systems` (others are left out: a filing names
// a system of the config) and returns the config member `"registry": {...}` naming it.
std::string registryConfigMember(const std::vector<OnlineItem>& items,
                                 const std::vector<std::string>& systems,
                                 const std::filesystem::path& dir, int refreshMs = 5000);

struct GatewayOptions {
  StoreSetting store;
  std::string platformUrl;
  std::string platformToken;
  std::vector<DepartmentCredential> systems;
  std::size_t maxBodyBytes = 1024 * 1024;
  int workers = 2;
  int threads = 64;
  int timeoutMs = 5000;
  // Claims of a killed gateway block their cases until the lease ends: short, but longer
  // than a request's timeout so that a live worker's claim never expires under it.
  int leaseMs = 10000;
  // When non-empty, the whole config file as written (the options above are then unused).
  std::string configText;
  // A system's "adapter" block (JSON text) in place of the default; such a system need not
  // be in `systems` (a pull adapter's system has no keys).
  std::map<std::string, std::string> adapters;
  // Adapter plugin libraries (the config's "plugins").
  std::vector<std::string> plugins;
  // Items put online at start; nullopt: defaultOnlineItems().
  std::optional<std::vector<OnlineItem>> onlineItems;
  // registry.refresh_ms: how often the gate reads filing states again from the store.
  int filingRefreshMs = 5000;
};

// `huitong serve` with a config written into `dir`; the port comes from the "gateway ready"
// log line. restart() starts it again on the same config (same store) and a new port.
class GatewayProcess {
 public:
  GatewayProcess(const std::filesystem::path& dir, GatewayOptions options);
  ~GatewayProcess();
  int port() const { return port_; }
  // The HTTPS port from the "gateway ready" line (0 without "tls").
  int tlsPort() const { return tlsPort_; }
  Process& process() { return *process_; }
  const std::filesystem::path& configPath() const { return config_; }
  // SIGKILL (no chance to finish anything) and reap.
  void crash();
  // SIGTERM and wait; returns the wait status.
  int stop();
  void start();
  std::string stderrText() const;
  // The value of one series from /metrics ("name" or "name{labels as rendered}"), nullopt
  // when absent.
  std::optional<double> metric(const std::string& series);

 private:
  std::filesystem::path dir_;
  std::filesystem::path config_;
  std::unique_ptr<Process> process_;
  int port_ = 0;
  int tlsPort_ = 0;
  int starts_ = 0;
};

std::string gatewayConfigJson(const GatewayOptions& o, const std::filesystem::path& dir);

// ------------------------------------------------------------------ marriage messages

// `value` in decimal, zero-padded to `width`.
std::string digits(int value, std::size_t width);

// An 18-character resident ID (GB 11643-1999) from its first 17 digits.
std::string residentId(const std::string& first17);

// One status push of the marriage system for case `bizNo`; `stage` 0..3 is SUBMITTED,
// ACCEPTED, APPROVED, CERT_ISSUED (statuses whose events are valid on the platform).
struct MarriageMessage {
  std::string caseNo;
  int stage = 0;
  std::string body;
  std::string eventId;  // what the gateway derives
};
constexpr int kMarriageStages = 4;
MarriageMessage marriageMessage(const std::string& bizNo, int caseNumber, int stage);

// The outcome of sending one message: the final answer and the event ids of its 202 body.
struct SentMessage {
  const MarriageMessage* message = nullptr;
  int status = 0;
  int attempts = 0;
  std::string messageId;
  std::vector<std::string> eventIds;
  std::string lastBody;
};

// Checks delivery against what was answered 202: every event of every 202 message is held
// by the platform exactly once, none unexpected, events of each case in stage order, no
// conflict and no rejection. Reports through Boost.Test; returns the number of problems.
int checkDelivery(const std::vector<SentMessage>& sent, MockPlatformProcess& platform);

// Clients submitting marriage cases concurrently: `cases` cases of kMarriageStages messages,
// case c handled by client c % clients, which sends groups of 4 cases stage by stage (so
// several stages of a case are queued at once and per-case order is defined by one sender).
// A message that gets no answer (or 503) is sent again, same bytes, freshly signed, at the
// port `port` holds then, until `perMessageLimit`.
struct LoadPlan {
  int cases = 100;
  int clients = 4;
  std::string casePrefix = "HYIT";
  std::chrono::milliseconds pace{0};  // pause after each answered message, per client
  std::chrono::seconds perMessageLimit{240};
};

class Load {
 public:
  Load(LoadPlan plan, DepartmentCredential cred, const std::atomic<int>& port);
  ~Load();
  void start();
  void join();
  int answered() const { return answered_; }
  int finished() const { return finished_; }
  const std::vector<SentMessage>& sent() const { return sent_; }
  std::size_t size() const { return messages_.size(); }
  // Messages that needed more than one attempt, and all transport errors seen.
  int retriedMessages() const;
  int transportErrors() const { return transportErrors_; }

 private:
  void run(int client);

  LoadPlan plan_;
  DepartmentCredential cred_;
  const std::atomic<int>& port_;
  std::vector<MarriageMessage> messages_;
  std::vector<SentMessage> sent_;
  std::vector<std::vector<std::size_t>> order_;  // per client: message indexes in send order
  std::vector<std::thread> threads_;
  std::atomic<int> answered_{0};
  std::atomic<int> finished_{0};
  std::atomic<int> transportErrors_{0};
};

// The full path of `name` on PATH, empty when absent.
std::string findProgram(const std::string& name);

// Waits until the platform holds `expected` events and the gateway's outbox is empty; returns
// false on timeout.
bool waitForDrain(MockPlatformProcess& platform, GatewayProcess& gateway, std::int64_t expected,
                  std::chrono::seconds limit);

// The store of this test executable (main.cpp): SQLite in `dir`, or a fresh PostgreSQL
// database on the server main.cpp started.
StoreSetting freshStore(const std::filesystem::path& dir);

// Gateway options for the usual test: a fresh store in `dir`, delivering to `platform`, with
// `systems` admitted.
inline GatewayOptions deliveringTo(const std::filesystem::path& dir,
                                   const MockPlatformProcess& platform,
                                   std::vector<DepartmentCredential> systems) {
  GatewayOptions o;
  o.store = freshStore(dir);
  o.platformUrl = platform.url();
  o.platformToken = platform.token();
  o.systems = std::move(systems);
  return o;
}
bool onPostgres();

}  // namespace huitong::integration
