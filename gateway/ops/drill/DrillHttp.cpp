#include "gateway/ops/drill/DrillHttp.h"

#include <iterator>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

namespace huitong::ops::drill {

HttpReply httpCall(const std::string& method, const std::string& url, const std::string& body,
                   const HeaderList& headers, long timeoutMillis) {
  HttpReply r;
  try {
    const Poco::URI uri(url);
    if (uri.getScheme() != "http") {
      r.error = url + ": only http:// URLs are supported";
      return r;
    }
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(timeoutMillis / 1000, (timeoutMillis % 1000) * 1000));
    Poco::Net::HTTPRequest req(method, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers)
      req.set(name, value);
    if (!body.empty() || method == "POST" || method == "PUT")
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse res;
    std::istream& in = session.receiveResponse(res);
    r.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    r.status = static_cast<int>(res.getStatus());
  } catch (const Poco::Exception& e) {
    r.status = 0;
    r.error = url + ": " + e.displayText();
  } catch (const std::exception& e) {
    r.status = 0;
    r.error = url + ": " + e.what();
  }
  return r;
}

}  // namespace huitong::ops::drill
