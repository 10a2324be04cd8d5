#include "gateway/monitor/host/HostCheck.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <optional>
#include <thread>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include "gateway/core/Json.h"
#include "gateway/monitor/host/AgentTls.h"

namespace huitong::monitor::host {
namespace {

using Steady = std::chrono::steady_clock;

double msSince(Steady::time_point t) {
  return std::chrono::duration<double, std::milli>(Steady::now() - t).count();
}

// 93.1 (one decimal) and thresholds as written (90, 92.5).
std::string oneDecimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}
std::string asWritten(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string label(const std::string& name, const std::string& mount) {
  std::string escaped;
  for (char c : mount) {
    if (c == '\\' || c == '"')
      escaped += '\\';
    escaped += c;
  }
  return name + "{mount=\"" + escaped + "\"}";
}

bool judged(const std::vector<std::string>& only, const std::string& mount) {
  return only.empty() || std::find(only.begin(), only.end(), mount) != only.end();
}

EpochMillis nowOf(const RunContext& ctx, const Clock* fallback) {
  if (ctx.clock != nullptr)
    return ctx.clock->now();
  return fallback != nullptr ? fallback->now() : SystemClock().now();
}

void finish(CheckResult& r, StepResult step, const HostRules& rules, const HostFigures* f,
            bool intensified) {
  if (f != nullptr) {
    addValues(*f, rules.mounts, r.values);
    const std::vector<std::string> crossed = judge(*f, rules, intensified);
    for (const std::string& c : crossed)
      r.message += (r.message.empty() ? "" : "; ") + c;
    if (!crossed.empty()) {
      r.status = CheckStatus::kFail;
      step.status = CheckStatus::kFail;
      step.failure = r.message;
    }
  } else {
    r.status = CheckStatus::kError;
    step.status = CheckStatus::kError;
    step.failure = r.message;
  }
  r.steps.push_back(std::move(step));
}

}  // namespace

void addValues(const HostFigures& f, const std::vector<std::string>& onlyMounts,
               std::map<std::string, double>& v) {
  v["cpu_percent"] = f.cpuPercent;
  v["cpu_count"] = f.cpuCount;
  v["load1"] = f.load1;
  v["load5"] = f.load5;
  v["load15"] = f.load15;
  v["mem_total_bytes"] = static_cast<double>(f.memTotalBytes);
  v["mem_used_bytes"] = static_cast<double>(f.memUsedBytes);
  v["mem_available_bytes"] = static_cast<double>(f.memAvailableBytes);
  v["mem_available_percent"] = f.memAvailablePercent();
  v["swap_total_bytes"] = static_cast<double>(f.swapTotalBytes);
  v["swap_used_bytes"] = static_cast<double>(f.swapUsedBytes);
  v["swap_used_percent"] = f.swapUsedPercent();
  for (const MountUsage& m : f.mounts) {
    if (!judged(onlyMounts, m.mount))
      continue;
    v[label("disk_used_percent", m.mount)] = m.usedPercent;
    v[label("disk_used_bytes", m.mount)] = static_cast<double>(m.usedBytes);
    v[label("disk_avail_bytes", m.mount)] = static_cast<double>(m.availBytes);
    v[label("disk_total_bytes", m.mount)] = static_cast<double>(m.totalBytes);
    if (m.inodesUsedPercent >= 0)
      v[label("inodes_used_percent", m.mount)] = m.inodesUsedPercent;
  }
}

std::vector<std::string> judge(const HostFigures& f, const HostRules& rules, bool intensified) {
  const HostThresholds& t = intensified ? rules.intensified : rules.normal;
  const std::string suffix = intensified ? " (major event)" : "";
  std::vector<std::string> out;
  if (t.cpuPercent >= 0 && f.cpuPercent > t.cpuPercent) {
    out.push_back("cpu " + oneDecimal(f.cpuPercent) + " % busy, threshold " +
                  asWritten(t.cpuPercent) + " %" + suffix);
  }
  if (t.loadPerCpu >= 0 && f.cpuCount > 0 && f.load1 / f.cpuCount > t.loadPerCpu) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", f.load1 / f.cpuCount);
    out.push_back("load1 " + asWritten(f.load1) + " on " + std::to_string(f.cpuCount) +
                  " CPUs is " + buf + " per CPU, threshold " + asWritten(t.loadPerCpu) + suffix);
  }
  if (t.memAvailablePercent >= 0 && f.memAvailablePercent() < t.memAvailablePercent) {
    out.push_back("memory " + oneDecimal(f.memAvailablePercent()) + " % available, threshold " +
                  asWritten(t.memAvailablePercent) + " %" + suffix);
  }
  if (t.swapUsedPercent >= 0 && f.swapTotalBytes > 0 && f.swapUsedPercent() > t.swapUsedPercent) {
    out.push_back("swap " + oneDecimal(f.swapUsedPercent()) + " % used, threshold " +
                  asWritten(t.swapUsedPercent) + " %" + suffix);
  }
  for (const std::string& wanted : rules.mounts) {
    if (f.findMount(wanted) == nullptr)
      out.push_back("disk " + wanted + " is not mounted");
  }
  for (const MountUsage& m : f.mounts) {
    if (!judged(rules.mounts, m.mount))
      continue;
    if (t.diskUsedPercent >= 0 && m.usedPercent > t.diskUsedPercent) {
      out.push_back("disk " + m.mount + " " + oneDecimal(m.usedPercent) + " % used, threshold " +
                    asWritten(t.diskUsedPercent) + " %" + suffix);
    }
    if (t.inodesUsedPercent >= 0 && m.inodesUsedPercent > t.inodesUsedPercent) {
      out.push_back("inodes " + m.mount + " " + oneDecimal(m.inodesUsedPercent) +
                    " % used, threshold " + asWritten(t.inodesUsedPercent) + " %" + suffix);
    }
  }
  return out;
}

HostCheck::HostCheck(std::string id, HostRules rules, HostReader::Options reader,
                     const Clock& clock)
    : id_(std::move(id)),
      rules_(std::move(rules)),
      clock_(clock),
      reader_(std::make_shared<HostReader>(std::move(reader), clock)) {}

CheckResult HostCheck::run(const RunContext& ctx) {
  CheckResult r;
  r.checkId = id_;
  r.kind = kind_;
  r.target = "localhost";
  r.startedAt = nowOf(ctx, &clock_);
  const auto t0 = Steady::now();
  StepResult step;
  step.name = "read /proc and statvfs";
  // statvfs on a network mount whose server is gone blocks in the kernel, uninterruptibly: the
  // read runs on its own thread so that the run ends on time; a stuck read is not started again
  // until it returns, so stuck threads never pile up.
  std::shared_future<Result<HostFigures>> pending;
  bool stillStuck = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (inFlight_.valid() &&
        inFlight_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      stillStuck = true;
    } else {
      auto promise = std::make_shared<std::promise<Result<HostFigures>>>();
      inFlight_ = promise->get_future().share();
      std::thread([reader = reader_, promise] {
        try {
          promise->set_value(reader->read());
        } catch (const std::exception& e) {
          promise->set_value(Error{"host.read", e.what(), ""});
        }
      }).detach();
    }
    pending = inFlight_;
  }
  if (stillStuck) {
    r.message =
        "this host's previous read has not returned yet (a file system not answering "
        "statvfs, such as a hung NFS mount?)";
  } else if (pending.wait_for(std::chrono::milliseconds(ctx.timeoutMs)) !=
             std::future_status::ready) {
    r.message = "reading this host's figures took longer than " + std::to_string(ctx.timeoutMs) +
                " ms (a file system not answering statvfs, such as a hung NFS mount?)";
  } else if (!pending.get().ok()) {
    r.message = "cannot read this host's figures: " + pending.get().error().describe();
  }
  const HostFigures* figures = r.message.empty() ? &pending.get().value() : nullptr;
  if (figures != nullptr)
    r.target = figures->hostName;
  step.timings.totalMs = msSince(t0);
  finish(r, std::move(step), rules_, figures, ctx.intensified);
  r.durationMs = msSince(t0);
  return r;
}

struct AgentCheck::Tls {
  TlsContext context;
};

AgentCheck::AgentCheck(std::string id, HostRules rules, AgentTarget target)
    : id_(std::move(id)), rules_(std::move(rules)), target_(std::move(target)) {
  while (!target_.url.empty() && target_.url.back() == '/')
    target_.url.pop_back();
  if (target_.url.rfind("https://", 0) == 0) {
    try {
      auto context = makeAgentClientContext(target_.caFile, Poco::URI(target_.url).getHost());
      if (context.ok())
        tls_ = std::make_shared<Tls>(Tls{context.value()});
      else
        tlsError_ = context.error().describe();
    } catch (const Poco::Exception& e) {
      tlsError_ = e.displayText();
    }
  }
}

CheckResult AgentCheck::run(const RunContext& ctx) {
  CheckResult r;
  r.checkId = id_;
  r.kind = kind_;
  r.target = target_.url;
  r.startedAt = nowOf(ctx, nullptr);
  const auto t0 = Steady::now();
  const auto deadline = t0 + std::chrono::milliseconds(ctx.timeoutMs);
  StepResult step;
  step.name = "GET /v1/host";
  step.url = target_.url + "/v1/host";
  const std::string who = "agent at " + target_.url;
  std::optional<HostFigures> figures;
  auto remaining = [&]() {
    const auto left =
        std::chrono::duration_cast<std::chrono::microseconds>(deadline - Steady::now()).count();
    return Poco::Timespan(std::max<long long>(left, 1000) / 1000000,
                          std::max<long long>(left, 1000) % 1000000);
  };
  if (!tlsError_.empty()) {
    r.message = who + ": TLS cannot be set up: " + tlsError_;
    step.timings.totalMs = msSince(t0);
    finish(r, std::move(step), rules_, nullptr, ctx.intensified);
    r.durationMs = msSince(t0);
    return r;
  }
  clearCertificateFailure();
  try {
    const Poco::URI uri(step.url);
    std::unique_ptr<Poco::Net::HTTPClientSession> connection =
        tls_ ? std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(),
                                                               tls_->context)
             : std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    Poco::Net::HTTPClientSession& session = *connection;
    session.setKeepAlive(false);
    session.setTimeout(remaining());
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer " + target_.token);
    req.set("Accept", "application/json");
    session.sendRequest(req);
    Poco::Net::HTTPResponse res;
    session.setTimeout(remaining());
    std::istream& in = session.receiveResponse(res);
    step.timings.firstByteMs = msSince(t0);
    step.httpStatus = static_cast<int>(res.getStatus());
    std::string body;
    char buf[8192];
    bool tooBig = false, late = false;
    while (in) {
      if (Steady::now() > deadline) {
        late = true;
        break;
      }
      session.setTimeout(remaining());
      in.read(buf, sizeof buf);
      body.append(buf, static_cast<std::size_t>(in.gcount()));
      if (body.size() > target_.maxBodyBytes) {
        tooBig = true;
        break;
      }
    }
    if (late) {
      r.message =
          who + " did not finish its answer within " + std::to_string(ctx.timeoutMs) + " ms";
    } else if (step.httpStatus == 401 || step.httpStatus == 403) {
      r.message = who + " refused the token (HTTP " + std::to_string(step.httpStatus) +
                  "): check the host's token_file against the agent's --token-file";
    } else if (step.httpStatus != 200) {
      r.message = who + " answered HTTP " + std::to_string(step.httpStatus) + " " +
                  res.getReason() + " to GET /v1/host";
    } else if (tooBig) {
      r.message = who + " sent more than " + std::to_string(target_.maxBodyBytes) +
                  " bytes; stopped reading";
    } else {
      auto doc = json::parse(body, json::ParseLimits{target_.maxBodyBytes, 16});
      if (!doc.ok()) {
        r.message = who + " answered something that is not host JSON: " + doc.error().message;
      } else {
        auto f = fromJson(doc.value());
        if (!f.ok())
          r.message = who + " answered host JSON without " + f.error().message;
        else
          figures = std::move(f).value();
      }
    }
  } catch (const Poco::Net::SSLException& e) {
    r.message = who + ": TLS handshake failed: " +
                (lastCertificateFailure().empty()
                     ? e.displayText()
                     : "its certificate was refused: " + lastCertificateFailure());
  } catch (const Poco::Net::ConnectionRefusedException&) {
    r.message = who + " refused the connection (is `huitong agent` running there?)";
  } catch (const Poco::TimeoutException&) {
    r.message = who + " did not answer within " + std::to_string(ctx.timeoutMs) + " ms";
  } catch (const Poco::Net::NoMessageException&) {
    r.message = who + " closed the connection without an answer";
  } catch (const Poco::Exception& e) {
    r.message = who + ": " + e.displayText();
  } catch (const std::exception& e) {
    r.message = who + ": " + e.what();
  }
  step.timings.totalMs = msSince(t0);
  if (figures)
    r.target = figures->hostName + " (" + target_.url + ")";
  finish(r, std::move(step), rules_, figures ? &*figures : nullptr, ctx.intensified);
  r.durationMs = msSince(t0);
  return r;
}

}  // namespace huitong::monitor::host
