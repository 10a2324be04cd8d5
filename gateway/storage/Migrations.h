// The store's schema as numbered migrations, applied in order by open() on both backends; the
// version applied is recorded in schema_migrations, so reopening applies nothing twice.
// One logical schema, spelled per backend (BLOB/BYTEA, INTEGER/BIGINT identity).
#pragma once

#include <vector>

namespace huitong::storage {

struct Migration {
  int version;  // 1, 2, ...: strictly increasing, never renumbered or edited once shipped
  const char* name;
  const char* sqlite;  // one or more statements
  const char* postgres;
};

// All migrations, in version order.
const std::vector<Migration>& migrations();

}  // namespace huitong::storage
