#include "gateway/monitor/schedule/TcpCheck.h"

#include <chrono>
#include <exception>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

namespace huitong::monitor::schedule {
namespace {

class TcpCheck final : public Check {
 public:
  TcpCheck(std::string id, std::string host, unsigned short port)
      : id_(std::move(id)), host_(std::move(host)), port_(port) {}
  const std::string& id() const override { return id_; }
  const std::string& kind() const override { return kind_; }

  CheckResult run(const RunContext& ctx) override {
    CheckResult r;
    r.checkId = id_;
    r.kind = kind_;
    r.target = host_ + ":" + std::to_string(port_);
    r.startedAt = ctx.clock != nullptr ? ctx.clock->now() : 0;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      Poco::Net::StreamSocket s;
      s.connect(Poco::Net::SocketAddress(host_, port_),
                Poco::Timespan(static_cast<long>(ctx.timeoutMs) * 1000));
      s.close();
    } catch (const Poco::Exception& e) {
      r.status = CheckStatus::kError;
      r.message = "cannot connect to " + r.target + ": " + e.displayText();
    } catch (const std::exception& e) {
      r.status = CheckStatus::kError;
      r.message = "cannot connect to " + r.target + ": " + e.what();
    }
    r.durationMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (r.ok())
      r.values["connect_ms"] = r.durationMs;
    return r;
  }

 private:
  std::string id_;
  std::string kind_ = "tcp";
  std::string host_;
  unsigned short port_;
};

}  // namespace

Result<std::vector<ConfigNode>> configEntries(const ConfigNode& block, const std::string& key) {
  std::vector<ConfigNode> out;
  if (!block.has(key))
    return out;
  const auto& v = block.value()[key.c_str()];
  if (!v.IsArray())
    return block.fail(key, key + " must be a list of objects");
  const std::string where = block.whereKey(key);
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    const std::string at = where + ": " + key + "[" + std::to_string(i) + "]";
    if (!v[i].IsObject())
      return Error{"config.invalid", key + "[" + std::to_string(i) + "] must be an object", where};
    out.emplace_back(
        v[i], block.pointer() + "/" + key + "/" + std::to_string(i),
        [at](const std::string&) { return at; }, block.baseDir());
  }
  return out;
}

std::shared_ptr<Check> makeTcpCheck(std::string id, std::string host, unsigned short port) {
  return std::make_shared<TcpCheck>(std::move(id), std::move(host), port);
}

Result<std::vector<ScheduledCheck>> readTcpChecks(const ConfigNode& monitorBlock) {
  auto entries = configEntries(monitorBlock, "tcp");
  if (!entries.ok())
    return entries.error();
  std::vector<ScheduledCheck> out;
  for (const auto& e : entries.value()) {
    std::vector<std::string> allowed{"id", "host", "port"};
    for (const char* k : kCadenceKeys)
      allowed.push_back(k);
    if (auto a = e.allowOnly(allowed); !a.ok())
      return a.error();
    auto id = e.requiredString("id");
    if (!id.ok())
      return id.error();
    auto host = e.requiredString("host");
    if (!host.ok())
      return host.error();
    auto port = e.integer("port", 0, 1, 65535);
    if (!port.ok())
      return port.error();
    if (!e.has("port"))
      return e.fail("port", "port is required (1..65535)");
    auto cadence = readCadence(e);
    if (!cadence.ok())
      return cadence.error();
    out.push_back(ScheduledCheck{
        makeTcpCheck(id.value(), host.value(), static_cast<unsigned short>(port.value())),
        cadence.value()});
  }
  return out;
}

}  // namespace huitong::monitor::schedule
