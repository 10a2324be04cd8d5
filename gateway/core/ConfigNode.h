// One block of the gateway's configuration file, read with typed getters that refuse a wrong
// value or an unknown key with the file, line and column of the offending key. The gateway's
// own configuration and every adapter's block are read through it, so that every config error
// reads the same way: "gateway.json:14:7: poll_ms must be a whole number from 100 to 3600000".
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "gateway/core/Error.h"

namespace huitong {

class ConfigNode {
 public:
  // "file:line:column" of the node at a JSON Pointer of the whole file.
  using Locator = std::function<std::string(const std::string& pointer)>;

  // `value` must outlive the node (the gateway keeps the parsed file for its whole run).
  ConfigNode(const rapidjson::Value& value, std::string pointer, Locator locate,
             std::string baseDir);

  const rapidjson::Value& value() const { return *value_; }
  const std::string& pointer() const { return pointer_; }
  // Where this node is: "file:line:column".
  std::string where() const { return locate_(pointer_); }
  std::string whereKey(const std::string& key) const;
  bool has(const std::string& key) const;

  // An error pointing at `key` of this object ("" = the object itself); code config.invalid.
  Error fail(const std::string& key, const std::string& message) const;

  // Refuses any key outside `allowed`, naming the allowed ones.
  Result<void> allowOnly(const std::vector<std::string>& allowed) const;

  // Typed members: absent = `fallback`; present with another type or outside the range = error.
  Result<std::string> string(const std::string& key, const std::string& fallback = "") const;
  Result<std::string> requiredString(const std::string& key) const;
  Result<long long> integer(const std::string& key, long long fallback, long long min,
                            long long max) const;
  Result<bool> boolean(const std::string& key, bool fallback) const;
  // A list of strings (absent = empty).
  Result<std::vector<std::string>> strings(const std::string& key) const;
  // One of `choices` (absent = fallback).
  Result<std::string> oneOf(const std::string& key, const std::vector<std::string>& choices,
                            const std::string& fallback) const;
  // A child object (absent: error when `required`, else a node over an empty object).
  Result<ConfigNode> object(const std::string& key, bool required = false) const;
  // A list of objects (absent = empty), each a node whose errors point into the list.
  Result<std::vector<ConfigNode>> objects(const std::string& key) const;

  // A path from the config resolved against the config file's folder (absolute stays).
  std::string resolvePath(const std::string& path) const;
  const std::string& baseDir() const { return baseDir_; }

 private:
  std::string childPointer(const std::string& key) const;

  const rapidjson::Value* value_;
  std::string pointer_;
  Locator locate_;
  std::string baseDir_;
};

}  // namespace huitong
