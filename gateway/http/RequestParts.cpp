#include "gateway/http/RequestParts.h"

#include <cctype>

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace huitong::http {

std::string queryParam(const Poco::Net::HTTPServerRequest& req, const std::string& name,
                       const std::string& fallback) {
  try {
    for (const auto& [k, v] : Poco::URI(req.getURI()).getQueryParameters()) {
      if (k == name)
        return v;
    }
  } catch (const Poco::Exception&) {
    return fallback;  // a malformed query reads as no parameters
  }
  return fallback;
}

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

void parseContentType(const std::string& header, std::string& media, std::string& charset) {
  const auto semi = header.find(';');
  media = lower(header.substr(0, semi));
  while (!media.empty() && media.back() == ' ')
    media.pop_back();
  charset.clear();
  if (semi == std::string::npos)
    return;
  const std::string params = lower(header.substr(semi + 1));
  const auto at = params.find("charset=");
  if (at == std::string::npos)
    return;
  std::string v = header.substr(semi + 1 + at + 8);
  const auto end = v.find(';');
  if (end != std::string::npos)
    v.resize(end);
  while (!v.empty() && (v.back() == ' ' || v.back() == '"'))
    v.pop_back();
  while (!v.empty() && (v.front() == ' ' || v.front() == '"'))
    v.erase(0, 1);
  charset = v;
}

}  // namespace huitong::http
