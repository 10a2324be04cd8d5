// Time as Huitong sees it: an injectable clock so that tests and the sandbox control "now".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace huitong {

// Milliseconds since the Unix epoch, UTC.
using EpochMillis = std::int64_t;

// The source of "now". Thread-safe implementations only; shared by reference, outlives users.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual EpochMillis now() const = 0;
};

// Wall-clock time.
class SystemClock final : public Clock {
 public:
  EpochMillis now() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that says what it is told (tests, replay, `huitong map --now`).
class FixedClock final : public Clock {
 public:
  explicit FixedClock(EpochMillis t) : t_(t) {}
  EpochMillis now() const override { return t_; }
  void set(EpochMillis t) { t_ = t; }

 private:
  EpochMillis t_;
};

// RFC 3339 text of an instant at a fixed UTC offset in minutes (China: +480),
// e.g. "2026-11-27T09:30:00+08:00"; milliseconds are written only when non-zero.
std::string formatRfc3339(EpochMillis t, int offsetMinutes = 480);

// Parses an RFC 3339 date-time ("2026-11-27T09:30:00+08:00", "...Z", fractions) into epoch
// milliseconds; false when it is not one or names an impossible date.
bool parseRfc3339(std::string_view s, EpochMillis& epochMillis);

// Proleptic Gregorian calendar arithmetic (no time-zone database, thread-safe).
std::int64_t daysFromCivil(int y, unsigned m, unsigned d);
unsigned daysInMonth(int y, unsigned m);

}  // namespace huitong
