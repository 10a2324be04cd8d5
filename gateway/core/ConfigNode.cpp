#include "gateway/core/ConfigNode.h"

#include <algorithm>
#include <cmath>

namespace huitong {
namespace {

const rapidjson::Value& emptyObject() {
  static const rapidjson::Value kEmpty(rapidjson::kObjectType);
  return kEmpty;
}

// Escapes a member name for a JSON Pointer (RFC 6901).
std::string token(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items)
    out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

ConfigNode::ConfigNode(const rapidjson::Value& value, std::string pointer, Locator locate,
                       std::string baseDir)
    : value_(&value),
      pointer_(std::move(pointer)),
      locate_(std::move(locate)),
      baseDir_(std::move(baseDir)) {
  if (!locate_)
    locate_ = [](const std::string& p) { return p; };
}

std::string ConfigNode::childPointer(const std::string& key) const {
  return key.empty() ? pointer_ : pointer_ + "/" + token(key);
}

std::string ConfigNode::whereKey(const std::string& key) const {
  return locate_(childPointer(key));
}

bool ConfigNode::has(const std::string& key) const {
  return value_->IsObject() && value_->HasMember(key.c_str());
}

Error ConfigNode::fail(const std::string& key, const std::string& message) const {
  return Error{"config.invalid", message, whereKey(key)};
}

Result<void> ConfigNode::allowOnly(const std::vector<std::string>& allowed) const {
  if (!value_->IsObject())
    return fail("", "expected an object");
  for (auto it = value_->MemberBegin(); it != value_->MemberEnd(); ++it) {
    const std::string k = it->name.GetString();
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      return fail(k, "unknown key '" + k + "' (expected " + joined(allowed) + ")");
  }
  return {};
}

Result<std::string> ConfigNode::string(const std::string& key, const std::string& fallback) const {
  if (!has(key))
    return fallback;
  const auto& v = (*value_)[key.c_str()];
  if (!v.IsString())
    return fail(key, key + " must be a string");
  return std::string(v.GetString(), v.GetStringLength());
}

Result<std::string> ConfigNode::requiredString(const std::string& key) const {
  if (!has(key))
    return fail("", "missing " + key);
  auto s = string(key);
  if (s.ok() && s.value().empty())
    return fail(key, key + " must not be empty");
  return s;
}

Result<long long> ConfigNode::integer(const std::string& key, long long fallback, long long min,
                                      long long max) const {
  if (!has(key))
    return fallback;
  const auto& v = (*value_)[key.c_str()];
  const bool whole = v.IsInt64() || (v.IsDouble() && std::floor(v.GetDouble()) == v.GetDouble() &&
                                     std::fabs(v.GetDouble()) < 9.0e15);
  const long long n = v.IsInt64() ? v.GetInt64()
                      : whole     ? static_cast<long long>(v.GetDouble())
                                  : 0;
  if (!whole || n < min || n > max) {
    return fail(key, key + " must be a whole number from " + std::to_string(min) + " to " +
                         std::to_string(max));
  }
  return n;
}

Result<bool> ConfigNode::boolean(const std::string& key, bool fallback) const {
  if (!has(key))
    return fallback;
  const auto& v = (*value_)[key.c_str()];
  if (!v.IsBool())
    return fail(key, key + " must be true or false");
  return v.GetBool();
}

Result<std::vector<std::string>> ConfigNode::strings(const std::string& key) const {
  std::vector<std::string> out;
  if (!has(key))
    return out;
  const auto& v = (*value_)[key.c_str()];
  if (!v.IsArray())
    return fail(key, key + " must be a list of strings");
  for (const auto& item : v.GetArray()) {
    if (!item.IsString())
      return fail(key, key + " must be a list of strings");
    out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return out;
}

Result<std::string> ConfigNode::oneOf(const std::string& key,
                                      const std::vector<std::string>& choices,
                                      const std::string& fallback) const {
  auto s = string(key, fallback);
  if (!s.ok())
    return s;
  if (std::find(choices.begin(), choices.end(), s.value()) == choices.end())
    return fail(key, key + " is one of " + joined(choices) + " (got \"" + s.value() + "\")");
  return s;
}

Result<ConfigNode> ConfigNode::object(const std::string& key, bool required) const {
  if (!has(key)) {
    if (required)
      return fail("", "missing " + key + " (an object)");
    return ConfigNode(emptyObject(), childPointer(key), locate_, baseDir_);
  }
  const auto& v = (*value_)[key.c_str()];
  if (!v.IsObject())
    return fail(key, key + " must be an object");
  return ConfigNode(v, childPointer(key), locate_, baseDir_);
}

Result<std::vector<ConfigNode>> ConfigNode::objects(const std::string& key) const {
  std::vector<ConfigNode> out;
  if (!has(key))
    return out;
  const auto& v = (*value_)[key.c_str()];
  if (!v.IsArray())
    return fail(key, key + " must be a list of objects");
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    const std::string pointer = childPointer(key) + "/" + std::to_string(i);
    if (!v[i].IsObject())
      return Error{"config.invalid", key + "[" + std::to_string(i) + "] must be an object",
                   locate_(pointer)};
    out.emplace_back(v[i], pointer, locate_, baseDir_);
  }
  return out;
}

std::string ConfigNode::resolvePath(const std::string& path) const {
  if (path.empty() || path[0] == '/' || baseDir_.empty())
    return path;
  return baseDir_ + "/" + path;
}

}  // namespace huitong
