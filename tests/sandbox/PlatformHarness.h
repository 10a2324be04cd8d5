// What the mock platform's tests share: a started platform on a free loopback port with a
// clock the test moves, an HTTP client, and case events (a built-in one and the departments'
// expected events from ../shared).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Net/HTTPClientSession.h>
#include <rapidjson/document.h>

#include "gateway/core/Clock.h"
#include "sandbox/mock_platform/MockPlatform.h"

namespace huitong::sandbox::test {

// 2026-11-28T12:00:00+08:00, after every sample event.
constexpr EpochMillis kNow = 1795795200000 + 12 * 3600 * 1000;

// A clock tests move while the platform's threads read it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(EpochMillis t) : t_(t) {}
  EpochMillis now() const override { return t_.load(); }
  void advance(EpochMillis ms) { t_ += ms; }

 private:
  std::atomic<EpochMillis> t_;
};

struct Answer {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? "" : it->second;
  }
  // The body as JSON; fails the test when it is not JSON.
  rapidjson::Document json() const;
};

// One keep-alive connection to 127.0.0.1:port. Not thread-safe: one per thread.
class Client {
 public:
  explicit Client(std::uint16_t port);
  Answer send(const std::string& method, const std::string& path, const std::string& body = "",
              const std::string& contentType = "application/json; charset=utf-8",
              const std::vector<std::pair<std::string, std::string>>& headers = {});
  Answer get(const std::string& path) { return send("GET", path); }
  Answer post(const std::string& path, const std::string& body) { return send("POST", path, body); }
  Answer put(const std::string& path, const std::string& body) { return send("PUT", path, body); }

 private:
  Poco::Net::HTTPClientSession session_;
};

// A started platform; stopped by the destructor.
struct Harness {
  explicit Harness(MockPlatform::Options options = {});
  ~Harness();
  Client client() const { return Client(platform->port()); }

  ManualClock clock{kNow};
  std::unique_ptr<MockPlatform> platform;
};

// A valid marriage `accept` event (with source.received_at), built in.
rapidjson::Document baseEvent();
// The same with event_id and case_no made unique by `n`.
std::string numberedEvent(int n, const std::string& prefix = "t");

// Every event of shared/departments/*/expected/*.events.json with source.received_at added;
// empty when ../shared is absent.
std::vector<rapidjson::Document> departmentEvents();
bool haveDepartmentEvents();

std::string write(const rapidjson::Value& v);
rapidjson::Document parse(const std::string& text);

}  // namespace huitong::sandbox::test
