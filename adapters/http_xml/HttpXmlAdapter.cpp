#include "adapters/http_xml/HttpXmlAdapter.h"

#include <algorithm>

namespace huitong::adapters {
namespace {

bool isXmlMediaType(const std::string& media, const std::vector<std::string>& accepted) {
  if (std::find(accepted.begin(), accepted.end(), media) != accepted.end())
    return true;
  return media.size() > 4 && media.compare(media.size() - 4, 4, "+xml") == 0;
}

class HttpXmlAdapter final : public adapter::Adapter {
 public:
  HttpXmlAdapter(std::string system, std::vector<std::string> mediaTypes, adapter::Host& host)
      : system_(std::move(system)), mediaTypes_(std::move(mediaTypes)), host_(host) {}

  adapter::HttpAnswer handle(const adapter::HttpRequest& request) override {
    if (!isXmlMediaType(request.mediaType, mediaTypes_)) {
      return adapter::problem(415, "unsupported-media-type", "Unsupported media type",
                              "system " + system_ +
                                  " sends XML (text/xml, application/xml); got '" +
                                  request.contentType.substr(0, 100) + "'");
    }
    // The declared encoding (XML declaration, else the charset parameter) is honoured by the
    // core's XML reader; a DOCTYPE is refused there (no entity expansion at all).
    return adapter::jsonAnswer(host_.intake().submit(
        adapter::rawMessageOf(request, system_, "http_xml", host_.clock().now())));
  }

 private:
  std::string system_;
  std::vector<std::string> mediaTypes_;
  adapter::Host& host_;
};

class HttpXmlFactory final : public adapter::AdapterFactory {
 public:
  std::string name() const override { return "http_xml"; }
  adapter::AdapterKind kind() const override { return adapter::AdapterKind::kPush; }
  std::string summary() const override {
    return "department POSTs one XML document per request (any declared encoding)";
  }
  Result<std::unique_ptr<adapter::Adapter>> create(
      const adapter::AdapterSpec& spec) const override {
    if (auto r = spec.config.allowOnly({"kind", "media_types"}); !r.ok())
      return r.error();
    if (spec.inputFormat != "xml") {
      return spec.config.fail("kind", "http_xml reads XML but the mapping of " + spec.system +
                                          " reads " + spec.inputFormat);
    }
    auto types = spec.config.strings("media_types");
    if (!types.ok())
      return types.error();
    std::vector<std::string> media = types.value().empty()
                                         ? std::vector<std::string>{"text/xml", "application/xml"}
                                         : types.value();
    return std::unique_ptr<adapter::Adapter>(
        std::make_unique<HttpXmlAdapter>(spec.system, std::move(media), *spec.host));
  }
};

}  // namespace

std::unique_ptr<adapter::AdapterFactory> makeHttpXmlFactory() {
  return std::make_unique<HttpXmlFactory>();
}

}  // namespace huitong::adapters
