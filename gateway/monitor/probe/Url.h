// An http(s) URL as a probe needs it: scheme, host, port and the request target, and a Location
// header resolved against the URL it answered (RFC 3986 §5.2, the cases servers send).
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/Error.h"

namespace huitong::monitor::probe {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  unsigned port = 0;   // explicit or the scheme's default
  std::string target;  // path and query, at least "/"; no fragment

  bool https() const { return scheme == "https"; }
  // "host" or "host:port" when the port is not the scheme's default (the Host header).
  std::string authority() const;
  std::string text() const;  // scheme://authority/target
};

// Parses an absolute http:// or https:// URL. Error code "probe.url".
Result<Url> parseUrl(std::string_view text);

// A reference (absolute URL, "//host/x", "/x", "x", "?q") resolved against `base`.
Result<Url> resolveReference(const Url& base, std::string_view reference);

}  // namespace huitong::monitor::probe
