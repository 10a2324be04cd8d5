// The drill's HTTP calls: one request on a fresh connection with a deadline, never throwing
// (a transport failure is status 0 with the reason), for the gateway, its intake and the mock
// platform's control API.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace huitong::ops::drill {

struct HttpReply {
  int status = 0;  // 0: no answer (refused, reset, timed out)
  std::string body;
  std::string error;  // the transport failure when status is 0
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// `url` is absolute (http:// only). `timeoutMillis` bounds connect, send and receive.
HttpReply httpCall(const std::string& method, const std::string& url, const std::string& body = "",
                   const HeaderList& headers = {}, long timeoutMillis = 10000);

}  // namespace huitong::ops::drill
