// Small readings of an HTTP request shared by the gateway's handlers (GatewayServer,
// SandboxApi): a query parameter, a lower-cased header name, a Content-Type's parts.
#pragma once

#include <string>

#include <Poco/Net/HTTPServerRequest.h>

namespace huitong::http {

// The value of query parameter `name` (`fallback` when absent or the query is malformed).
std::string queryParam(const Poco::Net::HTTPServerRequest& req, const std::string& name,
                       const std::string& fallback = "");
// ASCII lower case.
std::string lower(std::string s);
// Media type (lower case) and charset (unquoted; "" when absent) of a Content-Type header.
void parseContentType(const std::string& header, std::string& media, std::string& charset);

}  // namespace huitong::http
