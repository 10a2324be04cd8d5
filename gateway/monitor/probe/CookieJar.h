// The cookies of one probe run (RFC 6265, the parts a login flow needs): Set-Cookie parsed with
// Domain, Path, Expires/Max-Age, Secure; sent back to the hosts and paths they belong to. One
// jar per run, never shared or kept: each run logs in afresh.
#pragma once

#include <string>
#include <vector>

#include "gateway/core/Clock.h"
#include "gateway/monitor/probe/Url.h"

namespace huitong::monitor::probe {

struct Cookie {
  std::string name, value;
  std::string domain;    // lower case, without a leading dot
  bool hostOnly = true;  // no Domain attribute: this host only
  std::string path = "/";
  EpochMillis expires = 0;  // 0: a session cookie
  bool secure = false;
};

class CookieJar {
 public:
  // Stores (or replaces, or with an expiry in the past removes) the cookie of one Set-Cookie
  // header received from `from`. A cookie for another domain than the host's is ignored.
  void store(const std::string& setCookie, const Url& from, EpochMillis now);
  // The Cookie header value for a request to `to` ("" when none): name=value pairs joined by
  // "; ", longer paths first.
  std::string header(const Url& to, EpochMillis now) const;
  const std::vector<Cookie>& cookies() const { return cookies_; }

 private:
  std::vector<Cookie> cookies_;
};

}  // namespace huitong::monitor::probe
