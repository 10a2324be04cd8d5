// A Host for adapter unit tests: records submissions and answers with a scripted outcome.
// (Integration tests run the adapters inside the real gateway.)
#pragma once

#include <functional>
#include <mutex>
#include <string_view>
#include <vector>

#include "gateway/core/Adapter.h"

namespace huitong::test {

class FakeHost final : public adapter::Host, public adapter::Intake {
 public:
  adapter::Intake& intake() override { return *this; }
  const Clock& clock() override { return clock_; }
  adapter::Submission submit(const RawMessage& message) override;
  void log(adapter::LogLevel level, const std::string& message,
           const adapter::LogFields& fields) override;
  void reportSource(const adapter::SourceStatus& status) override;

  // What submit() answers (default: accepted with one event).
  std::function<adapter::Submission(const RawMessage&)> answer;

  std::vector<RawMessage> submitted() const;
  std::vector<std::string> logs() const;
  std::vector<adapter::SourceStatus> sources() const;
  FixedClock clock_{1'780'000'000'000};

 private:
  mutable std::mutex mutex_;
  std::vector<RawMessage> submitted_;
  std::vector<std::string> logs_;
  std::vector<adapter::SourceStatus> sources_;
};

// JSON text as a document, through the gateway's own parser (RapidJSON's Document::Parse on a
// string literal lets its SIMD scans read past the literal, which AddressSanitizer stops).
rapidjson::Document parseJson(std::string_view text);

// A ConfigNode over `json` (which must outlive it), located as "test.json" + pointer.
ConfigNode configOf(const rapidjson::Document& json);

}  // namespace huitong::test
