#include "gateway/http/AdapterRuntime.h"

#include "gateway/core/Json.h"
#include "gateway/http/GatewayServer.h"

namespace huitong::http {

adapter::Submission toSubmission(const exchange::IntakeAnswer& a) {
  using Kind = exchange::IntakeAnswer::Kind;
  using Outcome = adapter::Submission::Outcome;
  adapter::Submission s;
  switch (a.kind) {
    case Kind::kAccepted:
      s.outcome = Outcome::kAccepted;
      break;
    case Kind::kRejected:
      s.outcome = Outcome::kRejected;
      break;
    case Kind::kNotOnline:
      s.outcome = Outcome::kNotOnline;
      break;
    case Kind::kUnreadable:
      s.outcome = Outcome::kUnreadable;
      break;
    case Kind::kUnknownSystem:
      s.outcome = Outcome::kUnknownSystem;
      break;
    case Kind::kStoreFailed:
      s.outcome = Outcome::kStoreFailed;
      break;
  }
  s.messageId = a.messageId;
  s.repeated = a.repeated;
  s.error = a.error;
  s.answerJson = a.bodyJson;
  if (!s.durable())
    return s;
  // The journaled answer is the truth for a repeat too: read events and rules from it.
  auto doc = json::parse(a.bodyJson);
  if (!doc.ok() || !doc.value().IsObject())
    return s;
  const auto& d = doc.value();
  if (d.HasMember("events") && d["events"].IsArray()) {
    for (const auto& e : d["events"].GetArray()) {
      if (e.IsString())
        s.eventIds.emplace_back(e.GetString());
    }
  }
  if (d.HasMember("rejected") && d["rejected"].IsArray()) {
    auto str = [](const rapidjson::Value& o, const char* k) {
      return o.HasMember(k) && o[k].IsString() ? std::string(o[k].GetString()) : std::string();
    };
    for (const auto& r : d["rejected"].GetArray()) {
      if (!r.IsObject())
        continue;
      adapter::RejectedRule rule;
      rule.record = str(r, "record");
      rule.field = str(r, "field");
      rule.code = str(r, "code");
      rule.sourcePath = str(r, "source_path");
      rule.message = str(r, "message");
      if (r.HasMember("source_line") && r["source_line"].IsUint64())
        rule.line = static_cast<std::size_t>(r["source_line"].GetUint64());
      s.rejected.push_back(std::move(rule));
    }
  }
  return s;
}

// One system's Host: its adapter's only way into the gateway.
class AdapterRuntime::SystemHost final : public adapter::Host, public adapter::Intake {
 public:
  SystemHost(AdapterRuntime& runtime, std::string system, std::string adapterName)
      : rt_(runtime), system_(std::move(system)), adapterName_(std::move(adapterName)) {}

  adapter::Intake& intake() override { return *this; }
  const Clock& clock() override { return rt_.clock_; }

  adapter::Submission submit(const RawMessage& message) override {
    RawMessage m = message;
    m.system = system_;  // an adapter submits for its own system only
    if (m.adapter.empty())
      m.adapter = adapterName_;
    if (m.receivedAt == 0)
      m.receivedAt = rt_.clock_.now();
    const exchange::IntakeAnswer a = rt_.intake_.submit(m);
    if (a.kind == exchange::IntakeAnswer::Kind::kAccepted && !a.repeated)
      rt_.delivery_.notify();
    return toSubmission(a);
  }

  void log(adapter::LogLevel level, const std::string& message,
           const adapter::LogFields& fields) override {
    adapter::LogFields all{{"system", system_}, {"adapter", adapterName_}};
    all.insert(all.end(), fields.begin(), fields.end());
    logLine(level == adapter::LogLevel::kError     ? "error"
            : level == adapter::LogLevel::kWarning ? "warning"
                                                   : "info",
            message, all);
  }

  void reportSource(const adapter::SourceStatus& status) override {
    adapter::SourceStatus s = status;
    if (s.at == 0)
      s.at = rt_.clock_.now();
    std::lock_guard<std::mutex> lock(mutex_);
    if (status_ && status_->reachable != s.reachable) {
      log(s.reachable ? adapter::LogLevel::kInfo : adapter::LogLevel::kError,
          s.reachable ? "source reachable again" : "source unreachable", {{"detail", s.detail}});
    }
    status_ = std::move(s);
  }

  std::optional<adapter::SourceStatus> status() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return status_;
  }

 private:
  AdapterRuntime& rt_;
  std::string system_;
  std::string adapterName_;
  mutable std::mutex mutex_;
  std::optional<adapter::SourceStatus> status_;
};

AdapterRuntime::AdapterRuntime(const GatewayConfig& config,
                               const adapter::AdapterRegistry& registry,
                               const exchange::MappingSet& mappings,
                               exchange::IntakeService& intake, exchange::DeliveryWorker& delivery,
                               exchange::MetricsRegistry& metrics, const Clock& clock)
    : config_(config),
      registry_(registry),
      mappings_(mappings),
      intake_(intake),
      delivery_(delivery),
      metrics_(metrics),
      clock_(clock) {}

AdapterRuntime::~AdapterRuntime() {
  stop();
}

Result<void> AdapterRuntime::create() {
  static const rapidjson::Value kNoBlock(rapidjson::kObjectType);
  for (const SystemConfig& sc : config_.systems) {
    lastRequest_.emplace(sc.id, std::make_unique<std::atomic<EpochMillis>>(0));
    // The format the running version reads, or (nothing published yet) the draft's.
    std::string format;
    if (const auto mapping = mappings_.find(sc.id))
      format = mapping->inputFormat();
    else if (const auto waiting = mappings_.awaiting(sc.id))
      format = waiting->inputFormat;
    if (format.empty()) {
      return Error{"config.invalid",
                   "system '" + sc.id + "' has no mapping (" + config_.mappingsDir + "/" + sc.id +
                       "/mapping.json)",
                   sc.where};
    }
    std::string name = sc.adapterKind;
    if (name.empty()) {
      if (format == "json" || format == "rows" || format == "xml") {
        name = format == "xml" ? "http_xml" : "http_json";
      } else {
        return Error{"config.invalid",
                     "system '" + sc.id + "' reads " + format +
                         ": name its adapter (\"adapter\": {\"kind\": \"file_drop\", ...})",
                     sc.where};
      }
    }
    const adapter::AdapterFactory* factory = registry_.find(name);
    if (!factory) {
      std::string known;
      for (const auto& n : registry_.names())
        known += (known.empty() ? "" : ", ") + n;
      return Error{"config.invalid",
                   "system '" + sc.id + "': unknown adapter '" + name + "' (known: " + known + ")",
                   sc.adapterConfig ? sc.adapterConfig->where() : sc.where};
    }
    if (factory->kind() == adapter::AdapterKind::kPush && sc.auth == "signature" &&
        sc.keys.empty()) {
      return Error{"config.invalid",
                   "system '" + sc.id + "' sends over HTTP (" + name +
                       "): a signature system needs at least one key",
                   sc.where};
    }
    auto host = std::make_unique<SystemHost>(*this, sc.id, name);
    adapter::AdapterSpec spec{
        sc.id, format,
        sc.adapterConfig ? *sc.adapterConfig
                         : ConfigNode(
                               kNoBlock, "", [&sc](const std::string&) { return sc.where; }, ""),
        host.get()};
    Result<std::unique_ptr<adapter::Adapter>> made{Error{}};
    try {
      made = factory->create(spec);
    } catch (const std::exception& e) {
      made = Error{"adapter.create", name + ": " + e.what(), sc.where};
    }
    if (!made.ok()) {
      Error e = made.error();
      if (e.path.empty())
        e.path = sc.where;
      e.message = "system '" + sc.id + "' (" + name + "): " + e.message;
      return e;
    }
    systems_[sc.id] = System{sc.id, name, factory->kind(), made.value().get(), format};
    adapters_[sc.id] = std::move(made).value();
    hosts_[sc.id] = std::move(host);
    const std::string label = "system=\"" + exchange::MetricsRegistry::escape(sc.id) + "\"";
    if (factory->kind() == adapter::AdapterKind::kPull) {
      SystemHost* h = hosts_[sc.id].get();
      metrics_.gauge(
          "huitong_source_up", "Whether a pull adapter's source is reachable (1) or not (0)",
          [h] {
            auto st = h->status();
            return !st ? 1.0 : st->reachable ? 1.0 : 0.0;
          },
          label);
    }
  }
  return {};
}

Result<void> AdapterRuntime::start() {
  for (auto& [id, sys] : systems_) {
    if (sys.kind != adapter::AdapterKind::kPull)
      continue;
    Result<void> r{};
    try {
      r = sys.adapter->start();
    } catch (const std::exception& e) {
      r = Error{"adapter.start", e.what(), ""};
    }
    if (!r.ok()) {
      stop();
      return Error{
          r.error().code,
          "system '" + id + "' (" + sys.adapterName + ") did not start: " + r.error().message,
          r.error().path};
    }
    started_.push_back(id);
    logLine("info", "adapter started", {{"system", id}, {"adapter", sys.adapterName}});
  }
  return {};
}

void AdapterRuntime::stop() {
  while (!started_.empty()) {
    const std::string id = started_.back();
    started_.pop_back();
    try {
      systems_[id].adapter->stop();
    } catch (const std::exception& e) {
      logLine("error", "adapter stop failed", {{"system", id}, {"error", e.what()}});
    }
  }
}

const AdapterRuntime::System* AdapterRuntime::find(const std::string& system) const {
  auto it = systems_.find(system);
  return it == systems_.end() ? nullptr : &it->second;
}

void AdapterRuntime::noteRequest(const std::string& system) const {
  if (auto it = lastRequest_.find(system); it != lastRequest_.end())
    it->second->store(clock_.now(), std::memory_order_relaxed);
}

EpochMillis AdapterRuntime::lastRequestAt(const std::string& system) const {
  auto it = lastRequest_.find(system);
  return it == lastRequest_.end() ? 0 : it->second->load(std::memory_order_relaxed);
}

std::optional<adapter::SourceStatus> AdapterRuntime::sourceStatus(const std::string& system) const {
  auto it = hosts_.find(system);
  return it == hosts_.end() ? std::nullopt : it->second->status();
}

}  // namespace huitong::http
