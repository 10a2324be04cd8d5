// Error and Result<T>: how expected bad input travels through Huitong.
// Bad input from outside is normal and is returned, never thrown; broken invariants assert.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace huitong {

// One failure: a machine-readable code (e.g. "pattern", "xml.doctype", "jsonpath.syntax"),
// a sentence for a person, and where it happened (a source path such as "$.bizNo", a
// "file:line:column" or "line 3, column 7"; empty when there is no better place to point).
struct Error {
  std::string code;
  std::string message;
  std::string path;

  // "path: message" when a path is known, else just the message.
  std::string describe() const { return path.empty() ? message : path + ": " + message; }
};

// Either a value or an Error. Cheap to move; check ok() before value().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(!ok());
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

}  // namespace huitong
