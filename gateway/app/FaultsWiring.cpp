#include "gateway/app/FaultsWiring.h"

#include <algorithm>
#include <mutex>

#include "gateway/faults/IncidentEvidence.h"
#include "gateway/http/GatewayServer.h"

namespace huitong::app {
namespace {

using monitor::schedule::AlertNotice;
using monitor::schedule::Notifier;

// Ticket notices through the monitor block's channels: one set of notifiers of our own (the
// alert engine's are its thread's), sent one notice at a time. The notice goes out as an alert
// notice with rule "ticket", key the ticket id and event assigned|nobody_on_duty|escalated.
class ChannelNotifier final : public faults::TicketNotifier {
 public:
  explicit ChannelNotifier(std::vector<std::unique_ptr<Notifier>> notifiers)
      : notifiers_(std::move(notifiers)) {}

  Result<std::string> notify(const faults::TicketNotice& n) override {
    std::lock_guard<std::mutex> lock(mu_);
    AlertNotice a;
    a.rule = "ticket";
    a.key = n.ticketId;
    a.source = "faults";
    a.event = n.event;
    a.summary = n.summary + " [" + std::string(faults::toString(n.severity)) + ", group " +
                n.group + (n.assignee.empty() ? "" : ", assignee " + n.assignee) + "]";
    a.openedAt = n.at;
    a.at = n.at;
    std::string outcome;
    bool anySent = false;
    for (const auto& ch : notifiers_) {
      if (!n.channels.empty() &&
          std::find(n.channels.begin(), n.channels.end(), ch->name()) == n.channels.end())
        continue;
      auto r = ch->send(a);
      anySent = anySent || r.ok();
      outcome += (outcome.empty() ? "" : "; ") + ch->name() + ": " +
                 (r.ok() ? r.value() : "failed " + r.error().message);
    }
    if (outcome.empty())
      return std::string("no channel configured");
    if (!anySent)
      return Error{"notify.failed", outcome, ""};
    return outcome;
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<Notifier>> notifiers_;
};

// Without notify channels a notice is a log line (and the ticket's `notified` event says so).
class LogNotifier final : public faults::TicketNotifier {
 public:
  Result<std::string> notify(const faults::TicketNotice& n) override {
    http::logLine("notice", "ticket " + n.event,
                  {{"ticket", n.ticketId},
                   {"group", n.group},
                   {"assignee", n.assignee},
                   {"summary", n.summary}});
    return std::string("logged (no monitor notify channels)");
  }
};

// The reports' monitoring evidence: every check's runs over the window from the results store
// (hourly rollups once the raw runs are pruned), and the ticket's system's items from the
// latest health snapshot with the exchange store's figures over the window.
class MonitoringEvidence final : public faults::IncidentEvidenceSource {
 public:
  explicit MonitoringEvidence(MonitorWiring* monitoring) : monitoring_(monitoring) {}
  void useItemHealth(health::HealthService& h, storage::ExchangeStore& x) {
    health_ = &h;
    exchange_ = &x;
  }

  sla::IncidentEvidence evidence(const std::string& system, const std::string& item,
                                 EpochMillis from, EpochMillis to) override {
    sla::IncidentEvidence e;
    e.from = from;
    e.to = to;
    probes(e);
    items(e, system, item);
    return e;
  }

 private:
  void probes(sla::IncidentEvidence& e) {
    if (monitoring_ == nullptr) {
      e.notes.push_back("monitoring is not configured (no monitor block): no probe results");
      return;
    }
    auto& store = monitoring_->service().store();
    for (const auto& c : monitoring_->service().scheduler().snapshot()) {
      auto runs = store.results(c.id, e.from, e.to + 1, monitor::schedule::kMaxResultPage);
      if (!runs.ok()) {
        e.notes.push_back("probe " + c.id + " not read: " + runs.error().describe());
        continue;
      }
      sla::ProbeEvidence p;
      if (!runs.value().empty()) {
        p = faults::probeEvidence(c.id, c.kind, runs.value());
      } else {
        auto hours = store.rollups(c.id, e.from - e.from % 3'600'000, e.to + 1);
        if (!hours.ok()) {
          e.notes.push_back("probe " + c.id + " not read: " + hours.error().describe());
          continue;
        }
        p = faults::probeEvidence(c.id, c.kind, hours.value());
      }
      if (p.runs > 0)
        e.probes.push_back(p);
    }
  }

  void items(sla::IncidentEvidence& e, const std::string& system, const std::string& item) {
    if (system.empty()) {
      e.notes.push_back("the ticket names no system: no item health");
      return;
    }
    if (health_ == nullptr || exchange_ == nullptr) {
      e.notes.push_back("item health is not available here");
      return;
    }
    std::vector<sla::HealthEvidence> found;
    if (auto snapshot = health_->latest()) {
      for (const auto& h : snapshot->items) {
        if (h.system != system || (!item.empty() && h.item != item))
          continue;
        sla::HealthEvidence x;
        x.system = h.system;
        x.item = h.item;
        x.status = health::toString(h.status);
        x.at = snapshot->computedAt;
        for (const auto& r : h.reasons)
          x.reasons += (x.reasons.empty() ? "" : "; ") + r.text;
        found.push_back(x);
      }
    }
    if (found.empty())
      found.push_back(
          sla::HealthEvidence{system, item, "unknown", 0, "not in the health snapshot", 0, 0, 0});
    auto events = exchange_->itemEvents(system, e.from);
    if (!events.ok()) {
      e.notes.push_back("exchange figures of " + system +
                        " not read: " + events.error().describe());
    } else {
      for (auto& x : found)
        faults::countExchange(x, events.value(), e.from, e.to);
    }
    e.health = std::move(found);
  }

  MonitorWiring* monitoring_;
  health::HealthService* health_ = nullptr;
  storage::ExchangeStore* exchange_ = nullptr;
};

// Every channel named in the faults block must be a monitor notify channel.
Result<void> checkChannels(const ConfigNode& block, const faults::FaultRules& rules,
                           const std::set<std::string>& known) {
  auto missing = [&](const std::vector<std::string>& names) -> std::string {
    for (const auto& n : names) {
      if (known.count(n) == 0)
        return n;
    }
    return "";
  };
  if (auto m = missing(rules.channels); !m.empty())
    return block.fail("channels", "no notify channel named '" + m + "' in monitor.notify");
  for (const auto& g : rules.groups) {
    if (auto m = missing(g.channels); !m.empty())
      return block.fail("groups", "group \"" + g.name + "\": no notify channel named '" + m +
                                      "' in monitor.notify");
  }
  return {};
}

// Notices waiting for the sender at most: a burst of alert tickets (hundreds at once) fits; a
// channel down for long makes the oldest wait, and what does not fit is dropped and counted.
constexpr std::size_t kNoticeQueueCapacity = 1000;

}  // namespace

void FaultsWiring::stopNotifications(std::chrono::milliseconds deadline) {
  if (notices_)
    notices_->stop(deadline);
}

std::string FaultsWiring::renderMetrics() const {
  return notices_ ? notices_->renderMetrics() : std::string();
}

FaultsWiring::~FaultsWiring() {
  stopNotifications(std::chrono::milliseconds(0));
  // The alert engine must not call into a destroyed hook.
  if (monitoring_ != nullptr)
    monitoring_->service().alerts().setFaultTicketHook(nullptr);
}

Result<std::unique_ptr<FaultsWiring>> FaultsWiring::create(const std::optional<ConfigNode>& block,
                                                           const storage::StoreConfig& storeConfig,
                                                           registry::RegistryStore& trail,
                                                           MonitorWiring* monitoring,
                                                           const WorkCalendar& calendar,
                                                           const Clock& clock) {
  std::unique_ptr<FaultsWiring> w(new FaultsWiring());
  if (block) {
    auto rules = faults::FaultRules::parse(*block);
    if (!rules.ok())
      return rules.error();
    w->rules_ = std::move(rules).value();
  }
  sla::SlaPolicy policy;
  if (block && block->has("sla")) {
    auto node = block->object("sla");
    if (!node.ok())
      return node.error();
    auto read = sla::SlaPolicy::read(node.value());
    if (!read.ok())
      return read.error();
    policy = std::move(read).value();
  }
  if (w->rules_.groups.empty()) {
    faults::MaintainerGroup g;
    g.name = "operators";
    auto accounts = trail.accounts();
    if (!accounts.ok())
      return accounts.error();
    for (const auto& a : accounts.value()) {
      if (!a.disabled && (a.role == registry::Role::kAdmin || a.role == registry::Role::kOperator))
        g.members.push_back(a.name);
    }
    std::sort(g.members.begin(), g.members.end());
    w->rules_.groups.push_back(g);
  }
  if (monitoring != nullptr) {
    if (block) {
      if (auto c = checkChannels(*block, w->rules_, monitoring->channelNames()); !c.ok())
        return c.error();
    }
    auto notifiers = monitoring->makeNotifiers();
    if (!notifiers.ok())
      return notifiers.error();
    w->notifier_ = std::make_unique<ChannelNotifier>(std::move(notifiers).value());
  } else {
    if (block) {
      if (auto c = checkChannels(*block, w->rules_, {}); !c.ok())
        return c.error();
    }
    w->notifier_ = std::make_unique<LogNotifier>();
  }
  auto store = faults::TicketStore::open(storeConfig);
  if (!store.ok())
    return store.error();
  w->store_ = std::move(store).value();
  w->service_ =
      std::make_unique<faults::TicketService>(*w->store_, trail, w->rules_, clock, calendar);
  // The queue's outcomes go on the tickets through the service, created just above.
  faults::TicketService* service = w->service_.get();
  w->notices_ = std::make_unique<faults::NotificationQueue>(
      *w->notifier_, kNoticeQueueCapacity,
      [service](const faults::TicketNotice& n, const Result<std::string>& outcome) {
        service->recordNotified(n, outcome);
      },
      [](const std::string& message, const faults::TicketNotice& n) {
        http::logLine("warning", message, {{"ticket", n.ticketId}, {"event", n.event}});
      });
  w->service_->setNotifier(w->notices_.get());
  w->notices_->start();
  w->evidence_ = std::make_unique<MonitoringEvidence>(monitoring);
  w->service_->setEvidenceSource(w->evidence_.get());
  w->watcher_ = std::make_unique<faults::SlaWatcher>(*w->service_, policy, clock, calendar);
  w->watcher_->setLog([](const std::string& m) { http::logLine("warning", m, {}); });
  w->api_ = std::make_unique<http::FaultsApi>(*w->service_, std::move(policy), calendar, clock);
  // The fault mailboxes (docs/faults.md "Email intake"): each mail a ticket or a comment.
  std::vector<faults::mail::MailboxConfig> mailboxes;
  if (block) {
    auto read = faults::mail::readMailboxes(*block);
    if (!read.ok())
      return read.error();
    mailboxes = std::move(read).value();
  }
  auto mailLog = [](const std::string& level, const std::string& message,
                    const std::vector<std::pair<std::string, std::string>>& fields) {
    http::logLine(level, message, fields);
  };
  w->mailTickets_ = std::make_unique<faults::MailTickets>(*w->service_, *w->store_, mailLog);
  w->mailIntake_ =
      std::make_unique<faults::MailIntake>(std::move(mailboxes), *w->mailTickets_, mailLog);
  if (monitoring != nullptr) {
    w->alertTickets_ = std::make_unique<faults::AlertTickets>(*w->service_);
    monitoring->service().alerts().setFaultTicketHook(w->alertTickets_.get());
    w->monitoring_ = monitoring;
  }
  return w;
}

void FaultsWiring::useItemHealth(health::HealthService& health, storage::ExchangeStore& exchange) {
  static_cast<MonitoringEvidence&>(*evidence_).useItemHealth(health, exchange);
}

std::string FaultsWiring::summary() const {
  std::string out;
  for (const auto& g : rules_.groups)
    out += (out.empty() ? "" : ",") + g.name + "(" + std::to_string(g.members.size()) + ")";
  return out;
}

}  // namespace huitong::app
