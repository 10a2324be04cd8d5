#include "gateway/monitor/probe/Url.h"

#include <cctype>

namespace huitong::monitor::probe {
namespace {

Error urlError(std::string_view text, const std::string& why) {
  return Error{"probe.url", "'" + std::string(text) + "' is not an http(s) URL: " + why, ""};
}

std::string lowerAscii(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "/a/b/../c/./d" -> "/a/c/d" (RFC 3986 §5.2.4), the query left alone.
std::string removeDotSegments(const std::string& target) {
  const auto q = target.find('?');
  const std::string path = target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : target.substr(q);
  std::string out;
  std::size_t i = 0;
  while (i < path.size()) {
    auto next = path.find('/', i + 1);
    if (next == std::string::npos)
      next = path.size();
    const std::string seg = path.substr(i, next - i);  // "/name"
    if (seg == "/.") {
      if (next == path.size())
        out += "/";
    } else if (seg == "/..") {
      const auto cut = out.rfind('/');
      out.erase(cut == std::string::npos ? 0 : cut);
      if (next == path.size())
        out += "/";
    } else {
      out += seg;
    }
    i = next;
  }
  if (out.empty())
    out = "/";
  return out + query;
}

}  // namespace

std::string Url::authority() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const unsigned standard = https() ? 443 : 80;
  return port == standard ? h : h + ":" + std::to_string(port);
}

std::string Url::text() const {
  return scheme + "://" + authority() + target;
}

Result<Url> parseUrl(std::string_view text) {
  Url u;
  const auto colon = text.find("://");
  if (colon == std::string_view::npos)
    return urlError(text, "no scheme (write http:// or https://)");
  u.scheme = lowerAscii(std::string(text.substr(0, colon)));
  if (u.scheme != "http" && u.scheme != "https")
    return urlError(text, "the scheme must be http or https");
  std::string_view rest = text.substr(colon + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos)
    rest = rest.substr(0, hash);
  const auto pathAt = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, pathAt);
  u.target = pathAt == std::string_view::npos ? "/" : std::string(rest.substr(pathAt));
  if (u.target[0] == '?')
    u.target = "/" + u.target;
  if (authority.find('@') != std::string_view::npos)
    return urlError(text,
                    "user info in a URL is refused (credentials go in the probe's "
                    "\"credentials\")");
  std::string_view portText;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos)
      return urlError(text, "unclosed '[' in the host");
    u.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':')
        return urlError(text, "unexpected text after the IPv6 address");
      portText = authority.substr(close + 2);
    }
  } else {
    const auto c = authority.rfind(':');
    u.host = lowerAscii(std::string(authority.substr(0, c)));
    if (c != std::string_view::npos)
      portText = authority.substr(c + 1);
  }
  if (u.host.empty())
    return urlError(text, "no host");
  for (char ch : u.host) {
    if (std::isspace(static_cast<unsigned char>(ch)) || ch == '/' || ch == '\\')
      return urlError(text, "the host holds a character a host name cannot");
  }
  u.port = u.https() ? 443 : 80;
  if (!portText.empty()) {
    unsigned long p = 0;
    for (char ch : portText) {
      if (!std::isdigit(static_cast<unsigned char>(ch)) || p > 65535)
        return urlError(text, "the port must be a number from 1 to 65535");
      p = p * 10 + static_cast<unsigned>(ch - '0');
    }
    if (p == 0 || p > 65535)
      return urlError(text, "the port must be a number from 1 to 65535");
    u.port = static_cast<unsigned>(p);
  }
  for (char ch : u.target) {
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f)
      return urlError(text, "spaces and control characters must be percent-encoded");
  }
  return u;
}

Result<Url> resolveReference(const Url& base, std::string_view reference) {
  std::string_view ref = reference;
  if (const auto hash = ref.find('#'); hash != std::string_view::npos)
    ref = ref.substr(0, hash);
  if (ref.find("://") != std::string_view::npos) {
    const auto firstSep = ref.find_first_of("/?");
    if (firstSep == std::string_view::npos || firstSep > ref.find("://"))
      return parseUrl(ref);
  }
  if (ref.rfind("//", 0) == 0)
    return parseUrl(base.scheme + ":" + std::string(ref));
  Url u = base;
  if (ref.empty())
    return u;
  if (ref[0] == '/') {
    u.target = std::string(ref);
  } else if (ref[0] == '?') {
    u.target = base.target.substr(0, base.target.find('?')) + std::string(ref);
  } else {
    const std::string path = base.target.substr(0, base.target.find('?'));
    u.target = path.substr(0, path.rfind('/') + 1) + std::string(ref);
  }
  u.target = removeDotSegments(u.target);
  for (char ch : u.target) {
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f)
      return urlError(reference, "spaces and control characters must be percent-encoded");
  }
  return u;
}

}  // namespace huitong::monitor::probe
