// One conformance suite for registry::RegistryStore (filings, audit trail, anchor, queries) and
// the RegistryService on top of it, run against every backend (SQLite, PostgreSQL) beside the
// exchange store's suite. Each check takes the config of a fresh, empty database.
#pragma once

#include <memory>

#include "gateway/registry/RegistryStore.h"

namespace huitong::registry::testing {

std::unique_ptr<RegistryStore> openRegistryOrFail(const storage::StoreConfig& config);

void checkFilingsCreateGetListUpdate(const storage::StoreConfig& config);
void checkAuditAppendChainsAndAnchors(const storage::StoreConfig& config);
void checkRefusedWritesLeaveNoTrace(const storage::StoreConfig& config);
void checkConcurrentAppendsNeverFork(const storage::StoreConfig& config);
void checkAuditQueryFiltersAndPaging(const storage::StoreConfig& config);
void checkHostileFilterText(const storage::StoreConfig& config);
void checkServiceAuditsEveryChange(const storage::StoreConfig& config);
void checkRegistrySharesTheExchangeDatabase(const storage::StoreConfig& config);
void checkMappingVersionsLife(const storage::StoreConfig& config);

}  // namespace huitong::registry::testing

// Fixture: default-constructible with `StoreConfig config()` (a fresh database per test case).
#define HUITONG_REGISTRY_STORE_CONFORMANCE_TESTS(Fixture)                         \
  BOOST_FIXTURE_TEST_CASE(registry_filings_create_get_list_update, Fixture) {     \
    huitong::registry::testing::checkFilingsCreateGetListUpdate(config());        \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(registry_audit_append_chains_and_anchors, Fixture) {    \
    huitong::registry::testing::checkAuditAppendChainsAndAnchors(config());       \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(registry_refused_writes_leave_no_trace, Fixture) {      \
    huitong::registry::testing::checkRefusedWritesLeaveNoTrace(config());         \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(registry_concurrent_appends_never_fork, Fixture) {      \
    huitong::registry::testing::checkConcurrentAppendsNeverFork(config());        \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(registry_audit_query_filters_and_paging, Fixture) {     \
    huitong::registry::testing::checkAuditQueryFiltersAndPaging(config());        \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(registry_hostile_filter_text, Fixture) {                \
    huitong::registry::testing::checkHostileFilterText(config());                 \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(registry_service_audits_every_change, Fixture) {        \
    huitong::registry::testing::checkServiceAuditsEveryChange(config());          \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(registry_shares_the_exchange_database, Fixture) {       \
    huitong::registry::testing::checkRegistrySharesTheExchangeDatabase(config()); \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(registry_mapping_versions_life, Fixture) {              \
    huitong::registry::testing::checkMappingVersionsLife(config());               \
  }
