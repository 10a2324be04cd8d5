// Structured Field Values for HTTP (RFC 8941), the subset HTTP Message Signatures and
// Content-Digest use: dictionaries whose members are items or inner lists, with parameters.
// Parsing is strict (a malformed field fails as a whole, RFC 8941 §4.2) and bounded by the
// input length; serialization is the canonical form of §4.1, which signature bases rely on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace huitong::auth::sf {

// A bare item. Decimals are kept as thousandths so that they serialize exactly.
struct BareItem {
  enum class Type { kInteger, kDecimal, kString, kToken, kBytes, kBoolean };
  Type type = Type::kBoolean;
  std::int64_t integer = 0;  // kInteger: the value; kDecimal: value * 1000; kBoolean: 0 or 1
  std::string text;          // kString, kToken: the text; kBytes: the decoded bytes
};

// Parameters in the order they appeared (a repeated key overwrites in place, §4.2.3.2).
using Parameters = std::vector<std::pair<std::string, BareItem>>;

struct Item {
  BareItem value;
  Parameters params;
};

struct InnerList {
  std::vector<Item> items;
  Parameters params;
};

// A dictionary member: an item or an inner list, and its parameters.
struct Member {
  bool isInnerList = false;
  Item item;            // when !isInnerList
  InnerList innerList;  // when isInnerList
};

using Dictionary = std::vector<std::pair<std::string, Member>>;

// Parses a Dictionary field value (the field lines already combined with ", ").
// nullopt when it is not one; `error` then says why (for logs).
std::optional<Dictionary> parseDictionary(std::string_view text, std::string* error = nullptr);

// Parses an Item field value (e.g. one component identifier `"content-type";sf`).
std::optional<Item> parseItem(std::string_view text, std::string* error = nullptr);

// Canonical serializations (RFC 8941 §4.1).
std::string serialize(const BareItem& item);
std::string serialize(const Parameters& params);
std::string serialize(const Item& item);
std::string serialize(const InnerList& list);

// The member named `key`, or nullptr.
const Member* find(const Dictionary& dict, std::string_view key);
// The parameter named `key`, or nullptr.
const BareItem* find(const Parameters& params, std::string_view key);

// Base64 (RFC 4648 §4). decode accepts missing padding and rejects any other character.
std::string base64Encode(std::string_view bytes);
std::string base64UrlEncodeNoPad(std::string_view bytes);
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace huitong::auth::sf
