#include "gateway/app/AuditHeadLog.h"

namespace huitong::app {

void AuditHeadLog::logHead() {
  auto anchor = store_.anchor();
  if (!anchor.ok()) {
    log_("error", "audit head unreadable", {{"reason", anchor.error().describe()}});
    return;
  }
  log_("info", "audit head",
       {{"count", std::to_string(anchor.value().count)}, {"hash", anchor.value().head}});
}

void AuditHeadLog::start() {
  logHead();
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, every_, [this] { return stopping_; })) {
      lock.unlock();
      logHead();
      lock.lock();
    }
  });
}

void AuditHeadLog::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

}  // namespace huitong::app
