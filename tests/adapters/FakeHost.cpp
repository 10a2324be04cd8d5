#include "tests/adapters/FakeHost.h"

#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"

namespace huitong::test {

adapter::Submission FakeHost::submit(const RawMessage& message) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    submitted_.push_back(message);
  }
  if (answer)
    return answer(message);
  adapter::Submission s;
  s.outcome = adapter::Submission::Outcome::kAccepted;
  s.messageId = "m-test";
  s.eventIds = {"e-1"};
  s.answerJson = R"({"message_id":"m-test","events":["e-1"],"rejected":[]})";
  return s;
}

void FakeHost::log(adapter::LogLevel, const std::string& message, const adapter::LogFields&) {
  std::lock_guard<std::mutex> lock(mutex_);
  logs_.push_back(message);
}

void FakeHost::reportSource(const adapter::SourceStatus& status) {
  std::lock_guard<std::mutex> lock(mutex_);
  sources_.push_back(status);
}

std::vector<RawMessage> FakeHost::submitted() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return submitted_;
}

std::vector<std::string> FakeHost::logs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return logs_;
}

std::vector<adapter::SourceStatus> FakeHost::sources() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sources_;
}

rapidjson::Document parseJson(std::string_view text) {
  auto d = json::parse(text);
  BOOST_REQUIRE_MESSAGE(d.ok(), "not JSON: " << std::string(text.substr(0, 200)));
  return std::move(d).value();
}

ConfigNode configOf(const rapidjson::Document& json) {
  return ConfigNode(
      json, "", [](const std::string& p) { return "test.json#" + p; }, "/base");
}

}  // namespace huitong::test
