#include "gateway/app/MonitorWiring.h"

#include <algorithm>

#include "gateway/monitor/host/HostsConfig.h"
#include "gateway/monitor/probe/ProbeConfig.h"
#include "gateway/monitor/schedule/Notifiers.h"
#include "gateway/monitor/schedule/Schedule.h"
#include "gateway/monitor/schedule/TcpCheck.h"

namespace huitong::app {
namespace {

using namespace monitor::schedule;

Result<EpochMillis> instant(const ConfigNode& n, const std::string& key) {
  auto text = n.requiredString(key);
  if (!text.ok())
    return text.error();
  EpochMillis t = 0;
  if (!parseRfc3339(text.value(), t))
    return n.fail(key, key + " must be an RFC 3339 date-time such as 2026-06-05T20:00:00+08:00");
  return t;
}

// [{"name", "from", "to"}] plus, for silences and maintenance, "check" or "rule".
Result<std::vector<AlertWindow>> readWindows(const ConfigNode& block, const std::string& key,
                                             bool matchers) {
  auto list = configEntries(block, key);
  if (!list.ok())
    return list.error();
  std::vector<AlertWindow> out;
  for (const auto& n : list.value()) {
    std::vector<std::string> allowed{"name", "from", "to"};
    if (matchers) {
      allowed.push_back("check");
      allowed.push_back("rule");
    }
    if (auto a = n.allowOnly(allowed); !a.ok())
      return a.error();
    auto name = n.requiredString("name");
    if (!name.ok())
      return name.error();
    auto from = instant(n, "from");
    if (!from.ok())
      return from.error();
    auto to = instant(n, "to");
    if (!to.ok())
      return to.error();
    if (to.value() <= from.value())
      return n.fail("to", "to must be after from");
    AlertWindow w{name.value(), "", from.value(), to.value()};
    if (matchers && n.has("check") && n.has("rule"))
      return n.fail("rule", "name either a check or a rule, not both");
    if (matchers && n.has("check"))
      w.matcher = "check=" + n.string("check").value();
    if (matchers && n.has("rule"))
      w.matcher = "rule=" + n.string("rule").value();
    out.push_back(w);
  }
  return out;
}

Result<std::vector<AlertRule>> readRules(const ConfigNode& block,
                                         const std::set<std::string>& channels) {
  auto list = configEntries(block, "alerts");
  if (!list.ok())
    return list.error();
  std::vector<AlertRule> out;
  std::set<std::string> names;
  for (const auto& n : list.value()) {
    if (auto a = n.allowOnly({"name", "kind", "checks", "count", "value", "above", "for_minutes",
                              "source", "channels"});
        !a.ok())
      return a.error();
    AlertRule r;
    auto name = n.requiredString("name");
    if (!name.ok())
      return name.error();
    r.name = name.value();
    if (!names.insert(r.name).second)
      return n.fail("name", "alert rule '" + r.name + "' is defined twice");
    auto kind =
        n.oneOf("kind", {"consecutive_failures", "threshold", "signal"}, "consecutive_failures");
    if (!kind.ok())
      return kind.error();
    r.kind = kind.value();
    auto checks = n.strings("checks");
    if (!checks.ok())
      return checks.error();
    r.checks = checks.value();
    auto count = n.integer("count", 3, 1, 1000);
    if (!count.ok())
      return count.error();
    r.count = static_cast<int>(count.value());
    if (r.kind == "threshold") {
      auto value = n.requiredString("value");
      if (!value.ok())
        return value.error();
      r.value = value.value();
      if (!n.has("above") || !n.value()["above"].IsNumber())
        return n.fail("above", "a threshold rule needs a number 'above'");
      r.above = n.value()["above"].GetDouble();
      auto forMinutes = n.integer("for_minutes", 0, 0, 1440);
      if (!forMinutes.ok())
        return forMinutes.error();
      r.forMinutes = static_cast<int>(forMinutes.value());
    }
    if (r.kind == "signal") {
      auto source = n.oneOf("source", {"health"}, "health");
      if (!source.ok())
        return source.error();
      r.source = source.value();
    }
    auto ch = n.strings("channels");
    if (!ch.ok())
      return ch.error();
    for (const auto& c : ch.value()) {
      if (channels.count(c) == 0)
        return n.fail("channels", "no notify channel named '" + c + "'");
    }
    r.channels = ch.value();
    out.push_back(r);
  }
  return out;
}

Result<std::vector<std::unique_ptr<Notifier>>> readNotifiers(const ConfigNode& notify,
                                                             const Clock& clock,
                                                             std::set<std::string>& names) {
  auto list = configEntries(notify, "channels");
  if (!list.ok())
    return list.error();
  std::vector<std::unique_ptr<Notifier>> out;
  for (const auto& n : list.value()) {
    if (auto a = n.allowOnly({"name", "type", "url", "secret", "smtp_host", "smtp_port", "from",
                              "to", "timeout_ms"});
        !a.ok())
      return a.error();
    auto name = n.requiredString("name");
    if (!name.ok())
      return name.error();
    if (!names.insert(name.value()).second)
      return n.fail("name", "notify channel '" + name.value() + "' is defined twice");
    auto type = n.oneOf("type", {"webhook", "wecom", "dingtalk", "email"}, "webhook");
    if (!type.ok())
      return type.error();
    auto timeout = n.integer("timeout_ms", 10000, 100, 60000);
    if (!timeout.ok())
      return timeout.error();
    if (type.value() == "email") {
      EmailSettings s;
      auto host = n.requiredString("smtp_host");
      if (!host.ok())
        return host.error();
      s.host = host.value();
      auto port = n.integer("smtp_port", 25, 1, 65535);
      if (!port.ok())
        return port.error();
      s.port = static_cast<unsigned short>(port.value());
      auto from = n.requiredString("from");
      if (!from.ok())
        return from.error();
      s.from = from.value();
      auto to = n.strings("to");
      if (!to.ok())
        return to.error();
      if (to.value().empty())
        return n.fail("to", "an email channel needs at least one address in 'to'");
      s.to = to.value();
      s.timeoutMs = static_cast<unsigned>(timeout.value());
      out.push_back(makeEmailNotifier(name.value(), s));
      continue;
    }
    auto url = n.requiredString("url");
    if (!url.ok())
      return url.error();
    if (url.value().rfind("http://", 0) != 0 && url.value().rfind("https://", 0) != 0)
      return n.fail("url", "url must start with http:// or https://");
    auto secret = n.string("secret");
    if (!secret.ok())
      return secret.error();
    if (!secret.value().empty() && type.value() != "dingtalk")
      return n.fail("secret", "only a dingtalk channel signs with a secret");
    out.push_back(makeHttpNotifier(name.value(), type.value(), url.value(), secret.value(), clock,
                                   static_cast<unsigned>(timeout.value())));
  }
  return out;
}

bool nameChar(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

}  // namespace

void monitorMetricName(const std::string& checkId, const std::string& value, std::string& name,
                       std::string& labels, double& scale) {
  const auto brace = value.find('{');
  std::string base = value.substr(0, brace);
  for (std::size_t i = 0; i < base.size(); ++i) {
    if (!nameChar(base[i], false))
      base[i] = '_';
  }
  // Units: the words promtool refuses become seconds, at the end of the name.
  static const std::pair<const char*, double> kUnits[] = {
      {"ms", 0.001},   {"us", 1e-6},    {"ns", 1e-9},
      {"sec", 1},      {"secs", 1},     {"minutes", 60},
      {"hours", 3600}, {"days", 86400}, {"milliseconds", 0.001}};
  scale = 1;
  std::vector<std::string> words;
  for (std::size_t start = 0; start <= base.size();) {
    const auto end = base.find('_', start);
    words.push_back(base.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  for (auto it = words.begin(); it != words.end(); ++it) {
    const auto unit = std::find_if(std::begin(kUnits), std::end(kUnits),
                                   [&](const auto& u) { return *it == u.first; });
    if (unit != std::end(kUnits) && words.size() > 1) {
      scale = unit->second;
      words.erase(it);
      words.push_back("seconds");
      break;
    }
  }
  // Suffixes reserved for histograms, summaries and counters.
  if (words.size() > 1 && words.back() == "count") {
    words.pop_back();
    words.back() += "s";
  } else if (words.size() > 1 &&
             (words.back() == "sum" || words.back() == "bucket" || words.back() == "total")) {
    words.push_back("value");
  }
  base.clear();
  for (const auto& w : words)
    base += (base.empty() ? "" : "_") + w;
  name = "huitong_monitor_" + base;
  labels = "check=\"" + exchange::MetricsRegistry::escape(checkId) + "\"";
  if (brace != std::string::npos && value.size() > brace + 2 && value.back() == '}') {
    const std::string inner = value.substr(brace + 1, value.size() - brace - 2);
    if (!inner.empty())
      labels += "," + inner;  // already name="value" pairs (CheckResult's convention)
  }
}

Result<std::unique_ptr<MonitorWiring>> MonitorWiring::create(
    const std::optional<ConfigNode>& block, const storage::StoreConfig& storeConfig,
    const WorkCalendar& calendar, const Clock& clock, exchange::MetricsRegistry& metrics) {
  if (!block)
    return std::unique_ptr<MonitorWiring>();
  const ConfigNode& m = *block;
  if (auto a = m.allowOnly({"probes", "hosts", "agents", "tcp", "workers", "retention",
                            "major_events", "alerts", "notify", "silences", "maintenance"});
      !a.ok())
    return a.error();
  MonitorSettings settings;
  auto workers = m.integer("workers", 4, 1, 64);
  if (!workers.ok())
    return workers.error();
  settings.scheduler.workers = static_cast<unsigned>(workers.value());
  auto retention = m.object("retention");
  if (!retention.ok())
    return retention.error();
  if (auto a = retention.value().allowOnly({"raw_days", "rollup_months"}); !a.ok())
    return a.error();
  auto rawDays = retention.value().integer("raw_days", 7, 1, 90);
  if (!rawDays.ok())
    return rawDays.error();
  auto months = retention.value().integer("rollup_months", 13, 1, 60);
  if (!months.ok())
    return months.error();
  settings.retention.rawMillis = rawDays.value() * 86400000LL;
  settings.retention.rollupMillis = months.value() * 31LL * 86400000LL;
  auto events = readWindows(m, "major_events", false);
  if (!events.ok())
    return events.error();
  for (const auto& w : events.value())
    settings.events.push_back(MajorEvent{w.name, w.from, w.to, "config"});
  auto silences = readWindows(m, "silences", true);
  if (!silences.ok())
    return silences.error();
  settings.silences = silences.value();
  auto maintenance = readWindows(m, "maintenance", true);
  if (!maintenance.ok())
    return maintenance.error();
  settings.maintenance = maintenance.value();
  auto notify = m.object("notify");
  if (!notify.ok())
    return notify.error();
  if (auto a = notify.value().allowOnly({"channels", "attempts", "backoff_ms"}); !a.ok())
    return a.error();
  RetryPolicy retry;
  auto attempts = notify.value().integer("attempts", 3, 1, 10);
  if (!attempts.ok())
    return attempts.error();
  retry.attempts = static_cast<int>(attempts.value());
  auto backoff = notify.value().integer("backoff_ms", 1000, 0, 60000);
  if (!backoff.ok())
    return backoff.error();
  retry.backoffMillis = static_cast<int>(backoff.value());
  std::set<std::string> channelNames;
  auto notifiers = readNotifiers(notify.value(), clock, channelNames);
  if (!notifiers.ok())
    return notifiers.error();
  auto rules = readRules(m, channelNames);
  if (!rules.ok())
    return rules.error();

  // Every part's checks. The probe and host parts add their readers here as they land.
  std::vector<CheckReader> readers{
      [](const ConfigNode& b, const Clock&) { return readTcpChecks(b); },
      [](const ConfigNode& b, const Clock&) { return monitor::probe::readProbes(b); },
      monitor::host::readHosts,
  };
  std::vector<monitor::ScheduledCheck> checks;
  std::set<std::string> ids;
  for (const auto& read : readers) {
    auto part = read(m, clock);
    if (!part.ok())
      return part.error();
    for (auto& sc : part.value()) {
      if (!ids.insert(sc.check->id()).second)
        return m.fail("", "check id '" + sc.check->id() + "' is used twice in the monitor block");
      if (auto f = checkFeasible(sc.cadence, calendar, clock.now()); !f.ok())
        return m.fail("", "check '" + sc.check->id() + "': " + f.error().message);
      checks.push_back(std::move(sc));
    }
  }

  auto store = ResultsStore::open(storeConfig);
  if (!store.ok())
    return store.error();
  std::unique_ptr<MonitorWiring> w(new MonitorWiring());
  w->metrics_ = &metrics;
  w->notify_ = notify.value();
  w->clock_ = &clock;
  w->channelNames_ = channelNames;
  w->store_ = std::move(store).value();
  auto engine = std::make_unique<AlertEngine>(rules.value(), std::move(notifiers).value(),
                                              w->store_.get(), clock, retry);
  std::vector<std::pair<std::string, std::string>> kinds;
  for (const auto& sc : checks)
    kinds.emplace_back(sc.check->id(), sc.check->kind());
  w->service_ = std::make_unique<MonitorService>(std::move(checks), *w->store_, std::move(engine),
                                                 clock, calendar, settings);
  MonitorWiring* self = w.get();
  for (const auto& [id, kind] : kinds) {
    const std::string labels = "check=\"" + exchange::MetricsRegistry::escape(id) + "\",kind=\"" +
                               exchange::MetricsRegistry::escape(kind) + "\"";
    const std::string checkLabel = "check=\"" + exchange::MetricsRegistry::escape(id) + "\"";
    auto read = [self, id = id](double Latest::*field) {
      return [self, id, field] {
        std::lock_guard<std::mutex> lock(self->mu_);
        auto it = self->latest_.find(id);
        return it == self->latest_.end() ? 0.0 : it->second.*field;
      };
    };
    metrics.gauge("huitong_check_up", "1 when the check's last run was ok, else 0",
                  read(&Latest::up), labels);
    metrics.gauge("huitong_check_duration_seconds", "Duration of the check's last run",
                  read(&Latest::durationSeconds), checkLabel);
    metrics.gauge("huitong_check_lateness_seconds",
                  "How late the check's last run started after its slot",
                  read(&Latest::latenessSeconds), checkLabel);
  }
  for (const auto& r : rules.value()) {
    const std::string rule = r.name;
    metrics.gauge(
        "huitong_alerts_firing", "Alerts open (firing) per rule",
        [self, rule] {
          double n = 0;
          for (const auto& a : self->service_->alerts().firing())
            n += a.rule == rule ? 1 : 0;
          return n;
        },
        "rule=\"" + exchange::MetricsRegistry::escape(rule) + "\"");
  }
  self->service_->setRunListener([self](const RunRecord& r) { self->observe(r); });
  return w;
}

Result<std::vector<std::unique_ptr<Notifier>>> MonitorWiring::makeNotifiers() const {
  std::set<std::string> names;
  return readNotifiers(*notify_, *clock_, names);
}

MonitorWiring::~MonitorWiring() {
  stop();
}

void MonitorWiring::start() {
  service_->start();
}

void MonitorWiring::stop() {
  if (service_)
    service_->stop();
}

void MonitorWiring::observe(const RunRecord& r) {
  std::vector<std::string> fresh;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& l = latest_[r.result.checkId];
    l.up = r.result.ok() ? 1 : 0;
    l.durationSeconds = r.result.durationMs / 1000;
    l.latenessSeconds = r.latenessMs / 1000;
    l.values = r.result.values;
    for (const auto& [name, v] : r.result.values) {
      if (registered_.insert(r.result.checkId + "\n" + name).second)
        fresh.push_back(name);
    }
  }
  for (const auto& value : fresh) {
    std::string name, labels;
    double scale = 1;
    monitorMetricName(r.result.checkId, value, name, labels, scale);
    const std::string id = r.result.checkId;
    metrics_->gauge(
        name, "A value the monitoring checks read (docs/monitoring.md)",
        [this, id, value, scale] {
          std::lock_guard<std::mutex> lock(mu_);
          auto it = latest_.find(id);
          if (it == latest_.end())
            return 0.0;
          auto v = it->second.values.find(value);
          return v == it->second.values.end() ? 0.0 : v->second * scale;
        },
        labels);
  }
}

}  // namespace huitong::app
