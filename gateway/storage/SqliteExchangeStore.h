// The embedded store: one SQLite file in WAL mode with synchronous=FULL. All writes go through
// one writer thread that group-commits whatever callers queued meanwhile (one transaction and
// one fsync per batch, each call in its own savepoint); reads use a pool of read-only
// connections. Several processes may open the same file (BEGIN IMMEDIATE serialises writers).
#pragma once

#include <memory>

#include "gateway/storage/ExchangeStore.h"

namespace huitong::storage {

// REQUIRES: config.kind == "sqlite", config.path names a file in an existing directory.
Result<std::unique_ptr<ExchangeStore>> openSqliteStore(const StoreConfig& config);

}  // namespace huitong::storage
