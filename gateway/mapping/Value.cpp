#include "gateway/mapping/Value.h"

#include <rapidjson/internal/dtoa.h>

#include "gateway/core/Json.h"

namespace huitong::mapping {

std::string shortestDecimal(double d) {
  char buf[32];
  char* end = rapidjson::internal::dtoa(d, buf);
  std::string s(buf, end);
  // dtoa writes integral doubles as "1.0": the decimal text of a number has no ".0".
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) {
    s.resize(s.size() - 2);
  }
  return s;
}

Val Val::fromJson(const rapidjson::Value& node) {
  Val v;
  switch (node.GetType()) {
    case rapidjson::kNullType:
      break;
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      v.kind = Kind::kBool;
      v.boolean = node.GetBool();
      break;
    case rapidjson::kStringType:
      if (node.GetStringLength() > 0) {
        v.kind = Kind::kString;
        v.str.assign(node.GetString(), node.GetStringLength());
      }
      break;
    case rapidjson::kNumberType:
      if (node.IsInt64()) {
        v.kind = Kind::kInteger;
        v.integer = node.GetInt64();
      } else {
        v.kind = Kind::kNumber;
        v.str = shortestDecimal(node.GetDouble());
      }
      break;
    case rapidjson::kArrayType:
    case rapidjson::kObjectType:
      v.kind = Kind::kJson;
      v.json = &node;
      break;
  }
  return v;
}

std::string Val::text() const {
  switch (kind) {
    case Kind::kAbsent:
      return "";
    case Kind::kString:
    case Kind::kNumber:
      return str;
    case Kind::kInteger:
      return std::to_string(integer);
    case Kind::kBool:
      return boolean ? "true" : "false";
    case Kind::kList: {
      std::string s;
      for (std::size_t i = 0; i < list.size(); ++i) {
        if (i)
          s += ",";
        s += list[i];
      }
      return s;
    }
    case Kind::kJson:
      return json::write(*json);
  }
  return "";
}

std::string Val::jsonText() const {
  rapidjson::Document d;
  auto& a = d.GetAllocator();
  switch (kind) {
    case Kind::kAbsent:
      return "null";
    case Kind::kString:
      return json::write(json::string(str, a));
    case Kind::kNumber:
      return str;
    case Kind::kInteger:
      return std::to_string(integer);
    case Kind::kBool:
      return boolean ? "true" : "false";
    case Kind::kList: {
      rapidjson::Value arr(rapidjson::kArrayType);
      for (const auto& s : list)
        arr.PushBack(json::string(s, a), a);
      return json::write(arr);
    }
    case Kind::kJson:
      return json::write(*json);
  }
  return "null";
}

}  // namespace huitong::mapping
