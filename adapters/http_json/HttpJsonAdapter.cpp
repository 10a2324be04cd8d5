#include "adapters/http_json/HttpJsonAdapter.h"

#include <algorithm>

namespace huitong::adapters {
namespace {

struct HttpJsonConfig {
  std::vector<std::string> mediaTypes{"application/json", "text/json"};
};

bool isUtf8(const std::string& charset) {
  std::string c = charset;
  std::transform(c.begin(), c.end(), c.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return c.empty() || c == "utf-8" || c == "utf8";
}

class HttpJsonAdapter final : public adapter::Adapter {
 public:
  HttpJsonAdapter(std::string system, HttpJsonConfig config, adapter::Host& host)
      : system_(std::move(system)), config_(std::move(config)), host_(host) {}

  adapter::HttpAnswer handle(const adapter::HttpRequest& request) override {
    const bool jsonType =
        std::find(config_.mediaTypes.begin(), config_.mediaTypes.end(), request.mediaType) !=
            config_.mediaTypes.end() ||
        (request.mediaType.size() > 5 &&
         request.mediaType.compare(request.mediaType.size() - 5, 5, "+json") == 0);
    if (!jsonType) {
      return adapter::problem(415, "unsupported-media-type", "Unsupported media type",
                              "system " + system_ + " sends JSON (application/json); got '" +
                                  request.contentType.substr(0, 100) + "'");
    }
    if (!isUtf8(request.charset)) {
      return adapter::problem(
          415, "unsupported-charset", "Unsupported charset",
          "JSON is read as UTF-8 (RFC 8259); got charset=" + request.charset.substr(0, 40));
    }
    return adapter::jsonAnswer(host_.intake().submit(
        adapter::rawMessageOf(request, system_, "http_json", host_.clock().now())));
  }

 private:
  std::string system_;
  HttpJsonConfig config_;
  adapter::Host& host_;
};

class HttpJsonFactory final : public adapter::AdapterFactory {
 public:
  std::string name() const override { return "http_json"; }
  adapter::AdapterKind kind() const override { return adapter::AdapterKind::kPush; }
  std::string summary() const override {
    return "department POSTs one JSON message per request to /intake/v1/{system}";
  }
  Result<std::unique_ptr<adapter::Adapter>> create(
      const adapter::AdapterSpec& spec) const override {
    if (auto r = spec.config.allowOnly({"kind", "media_types"}); !r.ok())
      return r.error();
    // "rows" is JSON too: a department may push the rows of its front-end table itself.
    if (spec.inputFormat != "json" && spec.inputFormat != "rows") {
      return spec.config.fail("kind", "http_json reads JSON but the mapping of " + spec.system +
                                          " reads " + spec.inputFormat);
    }
    HttpJsonConfig c;
    auto types = spec.config.strings("media_types");
    if (!types.ok())
      return types.error();
    if (!types.value().empty())
      c.mediaTypes = types.value();
    return std::unique_ptr<adapter::Adapter>(
        std::make_unique<HttpJsonAdapter>(spec.system, std::move(c), *spec.host));
  }
};

}  // namespace

std::unique_ptr<adapter::AdapterFactory> makeHttpJsonFactory() {
  return std::make_unique<HttpJsonFactory>();
}

}  // namespace huitong::adapters
