#include "gateway/monitor/probe/CookieJar.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace huitong::monitor::probe {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos)
    return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string lowerAscii(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// An HTTP date (RFC 1123 "Sun, 06 Nov 1994 08:49:37 GMT", and the "06-Nov-1994" cookie form):
// epoch milliseconds, or -1 when unreadable.
EpochMillis parseHttpDate(const std::string& text) {
  static const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
  int day = -1, month = -1, year = -1, h = -1, m = -1, s = -1;
  std::string token;
  auto take = [&](const std::string& t) {
    if (t.empty())
      return;
    if (t.find(':') != std::string::npos && h < 0) {
      if (std::sscanf(t.c_str(), "%d:%d:%d", &h, &m, &s) != 3)
        h = -1;
      return;
    }
    if (std::isdigit(static_cast<unsigned char>(t[0]))) {
      const int v = std::atoi(t.c_str());
      if (t.size() <= 2 && day < 0)
        day = v;
      else if (year < 0)
        year = t.size() == 2 ? (v < 70 ? 2000 + v : 1900 + v) : v;
      return;
    }
    const std::string l = lowerAscii(t.substr(0, 3));
    for (int i = 0; i < 12; ++i) {
      if (l == kMonths[i] && month < 0)
        month = i + 1;
    }
  };
  for (char c : text) {
    if (c == ' ' || c == ',' || c == '-' || c == '\t') {
      take(token);
      token.clear();
    } else {
      token += c;
    }
  }
  take(token);
  if (day < 1 || day > 31 || month < 1 || year < 1601 || h < 0 || h > 23 || m < 0 || m > 59 ||
      s < 0 || s > 60)
    return -1;
  const std::int64_t days =
      daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + h) * 60 + m) * 60000LL + s * 1000LL;
}

bool domainMatches(const std::string& host, const Cookie& c) {
  if (c.hostOnly)
    return host == c.domain;
  return host == c.domain ||
         (host.size() > c.domain.size() &&
          host.compare(host.size() - c.domain.size(), c.domain.size(), c.domain) == 0 &&
          host[host.size() - c.domain.size() - 1] == '.');
}

bool pathMatches(const std::string& requestPath, const std::string& cookiePath) {
  if (requestPath == cookiePath)
    return true;
  if (requestPath.rfind(cookiePath, 0) != 0)
    return false;
  return cookiePath.back() == '/' || requestPath[cookiePath.size()] == '/';
}

std::string defaultPath(const Url& u) {
  const std::string path = u.target.substr(0, u.target.find('?'));
  const auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

}  // namespace

void CookieJar::store(const std::string& setCookie, const Url& from, EpochMillis now) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto semi = setCookie.find(';', start);
    parts.push_back(setCookie.substr(start, semi - start));
    if (semi == std::string::npos)
      break;
    start = semi + 1;
  }
  const auto eq = parts[0].find('=');
  if (eq == std::string::npos)
    return;
  Cookie c;
  c.name = trim(parts[0].substr(0, eq));
  c.value = trim(parts[0].substr(eq + 1));
  if (c.name.empty())
    return;
  c.domain = from.host;
  c.path = defaultPath(from);
  bool maxAgeSeen = false;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto aeq = parts[i].find('=');
    const std::string name = lowerAscii(trim(parts[i].substr(0, aeq)));
    const std::string value = aeq == std::string::npos ? "" : trim(parts[i].substr(aeq + 1));
    if (name == "domain" && !value.empty()) {
      std::string d = lowerAscii(value);
      if (d[0] == '.')
        d.erase(0, 1);
      c.domain = d;
      c.hostOnly = false;
    } else if (name == "path" && !value.empty() && value[0] == '/') {
      c.path = value;
    } else if (name == "max-age") {
      char* end = nullptr;
      const long long secs = std::strtoll(value.c_str(), &end, 10);
      if (!value.empty() && *end == '\0') {
        c.expires = secs <= 0 ? 1 : now + secs * 1000;
        maxAgeSeen = true;
      }
    } else if (name == "expires" && !maxAgeSeen) {
      const EpochMillis t = parseHttpDate(value);
      if (t >= 0)
        c.expires = t <= 0 ? 1 : t;
    } else if (name == "secure") {
      c.secure = true;
    }
  }
  // A host may set cookies for itself or a parent domain, never for another site.
  Cookie probe = c;
  probe.hostOnly = false;
  if (!domainMatches(from.host, probe))
    return;
  const auto same = std::find_if(cookies_.begin(), cookies_.end(), [&](const Cookie& o) {
    return o.name == c.name && o.domain == c.domain && o.path == c.path;
  });
  if (c.expires != 0 && c.expires <= now) {  // an expiry in the past deletes it
    if (same != cookies_.end())
      cookies_.erase(same);
    return;
  }
  if (same != cookies_.end())
    *same = c;  // keeps its place: the order is by path length, then first creation
  else
    cookies_.push_back(c);
}

std::string CookieJar::header(const Url& to, EpochMillis now) const {
  const std::string path = to.target.substr(0, to.target.find('?'));
  std::vector<const Cookie*> send;
  for (const Cookie& c : cookies_) {
    if (c.expires != 0 && c.expires <= now)
      continue;
    if (c.secure && !to.https())
      continue;
    if (!domainMatches(to.host, c) || !pathMatches(path, c.path))
      continue;
    send.push_back(&c);
  }
  std::stable_sort(send.begin(), send.end(), [](const Cookie* a, const Cookie* b) {
    return a->path.size() > b->path.size();
  });
  std::string out;
  for (const Cookie* c : send)
    out += (out.empty() ? "" : "; ") + c->name + "=" + c->value;
  return out;
}

}  // namespace huitong::monitor::probe
