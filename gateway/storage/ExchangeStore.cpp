#include "gateway/storage/ExchangeStore.h"

#include <exception>

#include "gateway/storage/PostgresExchangeStore.h"
#include "gateway/storage/SqliteExchangeStore.h"

namespace huitong::storage {

Result<std::unique_ptr<ExchangeStore>> ExchangeStore::open(const StoreConfig& config) {
  try {
    if (config.poolSize == 0) {
      return Error{"store.config", "store poolSize must be at least 1", "storage.poolSize"};
    }
    if (config.kind == "sqlite") {
      if (config.path.empty()) {
        return Error{"store.config", "a sqlite store needs a file path", "storage.path"};
      }
      return openSqliteStore(config);
    }
    if (config.kind == "postgresql") {
      if (config.connection.empty()) {
        return Error{"store.config", "a postgresql store needs a connection string",
                     "storage.connection"};
      }
      return openPostgresStore(config);
    }
    return Error{"store.config",
                 "unknown store kind '" + config.kind + "' (expected sqlite or postgresql)",
                 "storage.kind"};
  } catch (const std::exception& e) {
    return Error{"store.internal", std::string("opening the store failed: ") + e.what(), ""};
  }
}

Result<void> ExchangeStore::migrate(const StoreConfig& config) {
  auto store = open(config);
  if (!store.ok()) {
    return store.error();
  }
  return {};
}

Result<std::vector<Result<void>>> ExchangeStore::settle(
    const std::vector<Settlement>& settlements) {
  std::vector<Result<void>> results;
  results.reserve(settlements.size());
  for (const Settlement& s : settlements) {
    switch (s.outcome) {
      case Settlement::Outcome::kDelivered:
        results.push_back(markDelivered(s.outboxId, s.detail, s.at));
        break;
      case Settlement::Outcome::kRetry:
        results.push_back(markRetry(s.outboxId, s.detail, s.at));
        break;
      case Settlement::Outcome::kDead:
        results.push_back(markDead(s.outboxId, s.detail, s.at));
        break;
    }
  }
  return results;
}

Result<std::vector<JournalEntry>> ExchangeStore::journalPage(const JournalRange&, std::int64_t,
                                                             int) {
  return Error{"store.unsupported", "this store cannot read its journal by time", ""};
}

Result<std::int64_t> ExchangeStore::journalCount(const JournalRange&) {
  return Error{"store.unsupported", "this store cannot read its journal by time", ""};
}

Result<std::vector<ItemEvent>> ExchangeStore::itemEvents(const std::string&, EpochMillis) {
  return Error{"store.unsupported", "this store keeps no per-item figures", ""};
}

Result<std::vector<ItemBacklog>> ExchangeStore::itemBacklogs() {
  return Error{"store.unsupported", "this store keeps no per-item figures", ""};
}

Result<std::vector<std::string>> ExchangeStore::rejectionAnswers(const std::string&, EpochMillis) {
  return Error{"store.unsupported", "this store keeps no per-item figures", ""};
}

Result<ItemLast> ExchangeStore::itemLast(const std::string&, const std::string&) {
  return Error{"store.unsupported", "this store keeps no per-item figures", ""};
}

}  // namespace huitong::storage
