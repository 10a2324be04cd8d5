// One conformance suite for ExchangeStore, run against every backend (SQLite, PostgreSQL).
// Each check takes a fresh, empty store (or the config of one, when it opens several
// instances or reopens); HUITONG_STORE_CONFORMANCE_TESTS registers them all for a fixture.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gateway/storage/ExchangeStore.h"

namespace huitong::storage::testing {

// A message from `system` with `events` ({eventId, caseKey}); bytes derive from messageId
// unless given, and the digest from system + bytes, like intake does.
IntakeRecord makeIntake(const std::string& system, const std::string& messageId,
                        const std::vector<std::pair<std::string, std::string>>& events,
                        EpochMillis receivedAt = 0, std::string bytes = "");

std::unique_ptr<ExchangeStore> openOrFail(const StoreConfig& config);

void checkIntakeAndDedupe(ExchangeStore& store);
void checkEventIdDedupe(ExchangeStore& store);
void checkPerCaseFifoClaiming(ExchangeStore& store);
void checkLeaseExpiry(ExchangeStore& store);
void checkRetryScheduling(ExchangeStore& store);
void checkDeadLettersRequeueDiscard(ExchangeStore& store);
void checkMessageStatusDerivation(ExchangeStore& store);
void checkRefusedTransitions(ExchangeStore& store);
void checkSettleRound(ExchangeStore& store);
void checkSettleRefusalsStandAlone(ExchangeStore& store);
void checkConcurrentIntake(ExchangeStore& store);
// journalPage / journalCount: a system's messages by received time, paged by journal id.
void checkJournalPages(ExchangeStore& store);
void checkConcurrentClaimersNeverDoubleClaim(const StoreConfig& config);
void checkReopenPersistence(const StoreConfig& config);
void checkMigrationsIdempotent(const StoreConfig& config);
// Prints intakes/s for 1 thread and for 8 threads x 500 (group commit); asserts no timing.
void measureIntakeThroughput(const StoreConfig& config, const std::string& label);

}  // namespace huitong::storage::testing

// Fixture: default-constructible, with `StoreConfig config()` (the same fresh store for the
// whole test case) and `ExchangeStore& store()` (opened on first use).
#define HUITONG_STORE_CONFORMANCE_TESTS(Fixture)                                  \
  BOOST_FIXTURE_TEST_CASE(intake_and_dedupe, Fixture) {                           \
    huitong::storage::testing::checkIntakeAndDedupe(store());                     \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(event_id_dedupe, Fixture) {                             \
    huitong::storage::testing::checkEventIdDedupe(store());                       \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(per_case_fifo_claiming, Fixture) {                      \
    huitong::storage::testing::checkPerCaseFifoClaiming(store());                 \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(lease_expiry, Fixture) {                                \
    huitong::storage::testing::checkLeaseExpiry(store());                         \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(retry_scheduling, Fixture) {                            \
    huitong::storage::testing::checkRetryScheduling(store());                     \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(dead_letters_requeue_discard, Fixture) {                \
    huitong::storage::testing::checkDeadLettersRequeueDiscard(store());           \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(message_status_derivation, Fixture) {                   \
    huitong::storage::testing::checkMessageStatusDerivation(store());             \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(refused_transitions, Fixture) {                         \
    huitong::storage::testing::checkRefusedTransitions(store());                  \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(settle_round, Fixture) {                                \
    huitong::storage::testing::checkSettleRound(store());                         \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(settle_refusals_stand_alone, Fixture) {                 \
    huitong::storage::testing::checkSettleRefusalsStandAlone(store());            \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(concurrent_intake, Fixture) {                           \
    huitong::storage::testing::checkConcurrentIntake(store());                    \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(journal_pages, Fixture) {                               \
    huitong::storage::testing::checkJournalPages(store());                        \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(concurrent_claimers_never_double_claim, Fixture) {      \
    huitong::storage::testing::checkConcurrentClaimersNeverDoubleClaim(config()); \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(reopen_persistence, Fixture) {                          \
    huitong::storage::testing::checkReopenPersistence(config());                  \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(migrations_idempotent, Fixture) {                       \
    huitong::storage::testing::checkMigrationsIdempotent(config());               \
  }                                                                               \
  BOOST_FIXTURE_TEST_CASE(intake_throughput, Fixture) {                           \
    huitong::storage::testing::measureIntakeThroughput(config(), config().kind);  \
  }
