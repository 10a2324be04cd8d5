#include "gateway/monitor/host/HostsConfig.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include "gateway/monitor/host/AgentTls.h"

namespace huitong::monitor::host {
namespace {

struct ThresholdKey {
  const char* key;
  double HostThresholds::*field;
  double max;
  bool floor;  // true: the figure must stay above it (memory available)
};

const ThresholdKey kThresholdKeys[] = {
    {"cpu_percent", &HostThresholds::cpuPercent, 100, false},
    {"load_per_cpu", &HostThresholds::loadPerCpu, 1000, false},
    {"mem_available_percent", &HostThresholds::memAvailablePercent, 100, true},
    {"swap_used_percent", &HostThresholds::swapUsedPercent, 100, false},
    {"disk_used_percent", &HostThresholds::diskUsedPercent, 100, false},
    {"inodes_used_percent", &HostThresholds::inodesUsedPercent, 100, false},
};

// A number in [0, max], or false (the rule is off); absent keeps `out`.
Result<void> readThreshold(const ConfigNode& node, const ThresholdKey& k, double& out) {
  if (!node.has(k.key))
    return {};
  const rapidjson::Value& v = node.value()[k.key];
  if (v.IsBool() && !v.GetBool()) {
    out = -1;
    return {};
  }
  if (!v.IsNumber() || v.GetDouble() < 0 || v.GetDouble() > k.max) {
    char range[64];
    std::snprintf(range, sizeof range, "%g", k.max);
    return node.fail(k.key, std::string(k.key) + " must be a number from 0 to " + range +
                                " (or false to switch the rule off)");
  }
  out = v.GetDouble();
  return {};
}

std::vector<std::string> withCadenceKeys(std::vector<std::string> keys) {
  for (const char* k : kCadenceKeys)
    keys.emplace_back(k);
  for (const ThresholdKey& t : kThresholdKeys)
    keys.emplace_back(t.key);
  return keys;
}

Result<std::string> readToken(const ConfigNode& entry) {
  auto file = entry.requiredString("token_file");
  if (!file.ok())
    return file.error();
  const std::string path = entry.resolvePath(file.value());
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return entry.fail("token_file",
                      "token_file " + path + ": cannot read: " + std::strerror(errno));
  std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (token.size() < 16 || token.find_first_of(" \t\r\n") != std::string::npos) {
    return entry.fail("token_file", "token_file " + path +
                                        " must hold one token of 16 or more characters on one "
                                        "line (e.g. openssl rand -hex 32)");
  }
  return token;
}

}  // namespace

Result<HostRules> readHostRules(const ConfigNode& entry) {
  HostRules rules;
  for (const ThresholdKey& k : kThresholdKeys) {
    if (auto r = readThreshold(entry, k, rules.normal.*k.field); !r.ok())
      return r.error();
  }
  // Unless given, a major event's threshold is the default intensified one or the normal one,
  // whichever is tighter.
  for (const ThresholdKey& k : kThresholdKeys) {
    double& tight = rules.intensified.*k.field;
    const double normal = rules.normal.*k.field;
    if (normal < 0)
      tight = -1;
    else if (tight < 0)
      tight = normal;
    else
      tight = k.floor ? std::max(tight, normal) : std::min(tight, normal);
  }
  auto intensified = entry.object("intensified");
  if (!intensified.ok())
    return intensified.error();
  const ConfigNode& in = intensified.value();
  std::vector<std::string> keys;
  for (const ThresholdKey& k : kThresholdKeys)
    keys.emplace_back(k.key);
  if (auto r = in.allowOnly(keys); !r.ok())
    return r.error();
  for (const ThresholdKey& k : kThresholdKeys) {
    double& tight = rules.intensified.*k.field;
    if (auto r = readThreshold(in, k, tight); !r.ok())
      return r.error();
    const double normal = rules.normal.*k.field;
    if (in.has(k.key) && tight >= 0 && normal >= 0 && (k.floor ? tight < normal : tight > normal)) {
      char buf[96];
      std::snprintf(buf, sizeof buf, " (%g) must not be looser than %s (%g)", tight, k.key, normal);
      return in.fail(
          k.key, std::string("intensified.") + k.key + buf + ": a major event tightens thresholds");
    }
  }
  auto mounts = entry.strings("mounts");
  if (!mounts.ok())
    return mounts.error();
  for (const std::string& m : mounts.value()) {
    if (m.empty() || m[0] != '/')
      return entry.fail("mounts",
                        "mounts lists mount points such as \"/\" or \"/data\", not '" + m + "'");
  }
  rules.mounts = mounts.value();
  return rules;
}

Result<std::vector<ScheduledCheck>> readHosts(const ConfigNode& monitorBlock, const Clock& clock) {
  std::vector<ScheduledCheck> out;
  auto entries = monitorBlock.objects("hosts");
  if (!entries.ok())
    return entries.error();
  std::set<std::string> ids;
  for (const ConfigNode& entry : entries.value()) {
    auto id = entry.requiredString("id");
    if (!id.ok())
      return id.error();
    if (id.value().empty() || id.value().size() > 64 ||
        id.value().find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_.") !=
            std::string::npos) {
      return entry.fail("id", "id must be 1 to 64 of a-z 0-9 - _ . (e.g. \"db-server\")");
    }
    if (!ids.insert(id.value()).second)
      return entry.fail("id", "id '" + id.value() + "' is used by another host");
    auto local = entry.boolean("local", false);
    if (!local.ok())
      return local.error();
    if (local.value() == entry.has("url")) {
      return entry.fail("", "host '" + id.value() +
                                "' needs either \"local\": true (this machine) or \"url\" of its "
                                "huitong agent, not both");
    }
    auto allowed = local.value() ? withCadenceKeys({"id", "local", "intensified", "mounts"})
                                 : withCadenceKeys({"id", "url", "token_file", "intensified",
                                                    "mounts", "max_body_bytes", "ca_file"});
    if (auto r = entry.allowOnly(allowed); !r.ok())
      return r.error();
    auto cadence = readCadence(entry);
    if (!cadence.ok())
      return cadence.error();
    auto rules = readHostRules(entry);
    if (!rules.ok())
      return rules.error();
    ScheduledCheck sc;
    sc.cadence = cadence.value();
    if (local.value()) {
      sc.check = std::make_shared<HostCheck>(id.value(), std::move(rules).value(),
                                             HostReader::Options{}, clock);
    } else {
      AgentTarget target;
      auto url = entry.requiredString("url");
      if (!url.ok())
        return url.error();
      try {
        const Poco::URI uri(url.value());
        if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty() ||
            !uri.getQuery().empty() || !uri.getFragment().empty()) {
          return entry.fail("url", "url must be http(s)://HOST:PORT of a huitong agent, not '" +
                                       url.value() + "'");
        }
      } catch (const Poco::Exception& e) {
        return entry.fail("url", "url '" + url.value() + "' is not a URL: " + e.message());
      }
      target.url = url.value();
      auto caFile = entry.string("ca_file");
      if (!caFile.ok())
        return caFile.error();
      if (!caFile.value().empty()) {
        if (target.url.rfind("https://", 0) != 0)
          return entry.fail("ca_file", "ca_file is for an https:// agent url");
        target.caFile = entry.resolvePath(caFile.value());
      }
      if (target.url.rfind("https://", 0) == 0) {
        auto context = makeAgentClientContext(target.caFile, Poco::URI(target.url).getHost());
        if (!context.ok()) {
          return entry.fail(caFile.value().empty() ? "url" : "ca_file", context.error().describe());
        }
      }
      auto token = readToken(entry);
      if (!token.ok())
        return token.error();
      target.token = token.value();
      auto maxBody = entry.integer("max_body_bytes", 1024 * 1024, 4096, 64 * 1024 * 1024);
      if (!maxBody.ok())
        return maxBody.error();
      target.maxBodyBytes = static_cast<std::size_t>(maxBody.value());
      sc.check =
          std::make_shared<AgentCheck>(id.value(), std::move(rules).value(), std::move(target));
    }
    out.push_back(std::move(sc));
  }
  return out;
}

}  // namespace huitong::monitor::host
