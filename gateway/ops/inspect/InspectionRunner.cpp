#include "gateway/ops/inspect/InspectionRunner.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <thread>
#include <utility>

namespace huitong::ops::inspect {

struct InspectionRunner::Pending {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  Result<CheckReport> result = Error{"inspection.check", "the check did not return", ""};
};

InspectionRunner::InspectionRunner(InspectionLedger& ledger, InspectionConfig config,
                                   std::vector<InspectionCheck> checks, const Clock& clock)
    : ledger_(ledger), config_(std::move(config)), clock_(clock) {
  for (auto& c : checks)
    checks_[c.id] = std::move(c.run);
}

InspectionRunner::~InspectionRunner() = default;

Result<InspectionRun> InspectionRunner::run(Trigger trigger, const std::string& startedBy,
                                            const std::string& gatewayVersion, bool intensified,
                                            const Progress& progress) {
  std::unique_lock<std::mutex> running(runMutex_, std::try_to_lock);
  if (!running.owns_lock())
    return Error{"inspection.running", "an inspection is running; try again when it has finished",
                 ""};
  auto previous = ledger_.latestFinishedRun();
  if (!previous)
    return previous.error();
  auto runId = ledger_.beginRun(clock_.now(), trigger, startedBy, gatewayVersion);
  if (!runId)
    return runId.error();
  std::vector<CheckOutcome> outcomes;
  std::map<std::string, std::string> figures;
  std::vector<ObservedProblem> problems;
  std::vector<std::string> checked;
  const auto timeout = std::chrono::seconds(config_.checkTimeoutSeconds);
  for (const auto& settings : config_.checks) {
    CheckOutcome outcome;
    outcome.check = settings.id;
    const CheckReport* report = nullptr;
    CheckReport kept;
    auto impl = checks_.find(settings.id);
    if (!settings.enabled) {
      outcome.status = "disabled";
      outcome.message = "switched off in the inspection block";
    } else if (impl == checks_.end() || !impl->second) {
      outcome.status = "failed";
      outcome.message = "not available in this process";
    } else {
      std::shared_ptr<Pending> stillHung;
      std::int64_t hungSince = 0;
      {
        std::lock_guard<std::mutex> lock(hungMutex_);
        auto h = hung_.find(settings.id);
        if (h != hung_.end()) {
          std::lock_guard<std::mutex> p(h->second.first->mu);
          if (h->second.first->done)
            hung_.erase(h);
          else {
            stillHung = h->second.first;
            hungSince = h->second.second;
          }
        }
      }
      if (stillHung) {
        outcome.status = "timed out";
        outcome.message = "still running since run " + std::to_string(hungSince) +
                          " timed out on it; not started again";
      } else {
        CheckContext ctx;
        ctx.now = clock_.now();
        ctx.intensified = intensified;
        ctx.thresholds = intensified ? settings.intensified : settings.thresholds;
        ctx.previous = previous.value();
        auto pending = std::make_shared<Pending>();
        const auto started = std::chrono::steady_clock::now();
        // Detached: a check that never returns must not hold up the run or the process's end.
        std::thread([pending, fn = impl->second, ctx]() {
          Result<CheckReport> r = Error{"inspection.check", "the check threw", ""};
          try {
            r = fn(ctx);
          } catch (const std::exception& e) {
            r = Error{"inspection.check", std::string("the check threw: ") + e.what(), ""};
          }
          std::lock_guard<std::mutex> lock(pending->mu);
          pending->result = std::move(r);
          pending->done = true;
          pending->cv.notify_all();
        }).detach();
        std::unique_lock<std::mutex> lock(pending->mu);
        const bool done = pending->cv.wait_for(lock, timeout, [&] { return pending->done; });
        outcome.durationMs =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                .count();
        if (!done) {
          outcome.status = "timed out";
          outcome.message = "timed out after " + std::to_string(config_.checkTimeoutSeconds) + " s";
          lock.unlock();
          std::lock_guard<std::mutex> h(hungMutex_);
          hung_[settings.id] = {pending, runId.value()};
        } else if (!pending->result.ok()) {
          outcome.status = "failed";
          outcome.message = pending->result.error().describe();
        } else {
          kept = pending->result.value();
          report = &kept;
          checked.push_back(settings.id);
          for (auto p : kept.problems) {
            p.check = settings.id;
            problems.push_back(std::move(p));
          }
          for (const auto& [k, v] : kept.figures)
            figures[k] = v;
          outcome.status = kept.problems.empty() ? "ok" : "findings";
          outcome.message = kept.summary;
        }
      }
    }
    if (progress)
      progress(outcome, report);
    outcomes.push_back(std::move(outcome));
  }
  return ledger_.finishRun(runId.value(), clock_.now(), outcomes, figures, problems, checked);
}

}  // namespace huitong::ops::inspect
