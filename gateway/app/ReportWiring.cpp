#include "gateway/app/ReportWiring.h"

#include <filesystem>

#include "gateway/ops/report/LedgerSources.h"

namespace huitong::app {

ReportWiring::~ReportWiring() = default;

Result<std::unique_ptr<ReportWiring>> ReportWiring::create(const Inputs& in) {
  std::unique_ptr<ReportWiring> w(new ReportWiring());
  const http::GatewayConfig& c = *in.config;
  const std::string configDir = std::filesystem::path(c.file).parent_path().string();
  auto settings = ops::report::readReportSettings(c.report, configDir);
  if (!settings.ok())
    return settings.error();
  w->settings_ = std::move(settings).value();
  auto when = ops::parseJobWhen(w->settings_.schedule);
  if (!when.ok())
    return when.error();
  w->when_ = std::move(when).value();

  ops::report::ReportInputs& base = w->base_;
  base.calendar = in.calendar;
  if (c.faults && c.faults->has("sla")) {
    auto node = c.faults->object("sla");
    if (!node.ok())
      return node.error();
    auto policy = sla::SlaPolicy::read(node.value());
    if (!policy.ok())
      return policy.error();
    base.policy = std::move(policy).value();
  }
  if (in.exchange == nullptr) {
    auto opened = storage::ExchangeStore::open(c.store);
    if (!opened.ok())
      return opened.error();
    w->ownExchange_ = std::move(opened).value();
  }
  base.exchange = in.exchange != nullptr ? in.exchange : w->ownExchange_.get();
  auto tickets = faults::TicketStore::open(c.store);
  if (!tickets.ok())
    return tickets.error();
  w->tickets_ = std::move(tickets).value();
  base.tickets = w->tickets_.get();
  auto results = monitor::schedule::ResultsStore::open(c.store);
  if (!results.ok())
    return results.error();
  w->results_ = std::move(results).value();
  base.results = w->results_.get();
  base.checks = in.checks;
  for (const auto& s : c.systems)
    base.systems.push_back(s.id);
  auto ledgers = ops::report::openLedgerSources(c.store);
  if (!ledgers.ok())
    return ledgers.error();
  base.ledgers = std::move(ledgers).value();

  ReportWiring* self = w.get();
  w->service_ = std::make_unique<ops::report::MonthlyReportService>(
      [self](const std::string& by) {
        ops::report::ReportInputs i = self->base_;
        i.generatedBy = by;
        return i;
      },
      ops::report::ReportArchive(w->settings_.dir));
  w->api_ = std::make_unique<ops::report::ReportsApi>(w->service_->archive());
  return w;
}

ops::Job ReportWiring::job() const {
  return service_->job(when_);
}

}  // namespace huitong::app
