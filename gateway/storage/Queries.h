// The statements both backends run, written once with PostgreSQL's $1..$n parameters (SQLite
// reads them as ?1..?n: SqliteExchangeStore rewrites '$' to '?'). Only claiming differs.
// Internal to gateway/storage.
#pragma once

namespace huitong::storage::queries {

inline constexpr const char* kFindByDigest =
    "SELECT message_id, answer_json FROM journal WHERE system = $1 AND digest = $2";

// PostgreSQL: ON CONFLICT lets a concurrent duplicate intake wait for the first and then skip.
inline constexpr const char* kInsertJournal =
    "INSERT INTO journal (message_id, system, adapter, content_type, charset, bytes, source_ref,"
    " received_at, digest, state, answer_json)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    " ON CONFLICT (system, digest) DO NOTHING";

// An event_id already in the outbox keeps its one row (see ExchangeStore::recordIntake).
inline constexpr const char* kInsertOutbox =
    "INSERT INTO outbox (event_id, case_key, message_id, payload, state, next_attempt_at,"
    " created_at) VALUES ($1, $2, $3, $4, 'pending', $5, $5) ON CONFLICT (event_id) DO NOTHING";

inline constexpr const char* kInsertJournalEvent =
    "INSERT INTO journal_event (message_id, seq, event_id) VALUES ($1, $2, $3)";

// Per-case FIFO: a pending row is eligible only when no older pending row of its case exists.
// SQLite finds candidates on a reader connection (off the writer thread), then claims them on
// the writer with kSqliteClaimByIds, which checks every condition again: a row another claimer
// took, settled or re-queued ahead of meanwhile is not claimed.
inline constexpr const char* kSqliteClaimCandidates =
    "SELECT id FROM outbox o"
    " WHERE state = 'pending' AND next_attempt_at <= $1 AND claimed_until < $1"
    " AND NOT EXISTS (SELECT 1 FROM outbox p"
    "   WHERE p.case_key = o.case_key AND p.state = 'pending' AND p.id < o.id)"
    " ORDER BY id LIMIT $2";
// $3 = the candidates' ids as a JSON array ("[12,13]"); rows come back in no particular order.
inline constexpr const char* kSqliteClaimByIds =
    "UPDATE outbox SET claimed_until = $2"
    " WHERE id IN (SELECT value FROM json_each($3))"
    " AND state = 'pending' AND next_attempt_at <= $1 AND claimed_until < $1"
    " AND NOT EXISTS (SELECT 1 FROM outbox p"
    "   WHERE p.case_key = outbox.case_key AND p.state = 'pending' AND p.id < outbox.id)"
    " RETURNING id, event_id, case_key, message_id, payload, attempts";

// PostgreSQL: rows another claimer holds locked are skipped; one a claimer committed meanwhile
// is re-checked on its new version (claimed_until < now fails) and dropped. $3 = now + lease.
// "The oldest pending row of its case" is a correlated min() (an index probe per candidate on
// outbox_pending_case), not NOT EXISTS: PostgreSQL turns NOT EXISTS into an anti-join whose plan
// depends on statistics, and right after one message queued 30,000 events (before autovacuum's
// ANALYZE) that plan compared every pending row with every other for minutes, holding the rows.
inline constexpr const char* kPostgresClaim =
    "WITH heads AS ("
    " SELECT id FROM outbox o"
    " WHERE state = 'pending' AND next_attempt_at <= $1 AND claimed_until < $1"
    " AND o.id = (SELECT min(p.id) FROM outbox p"
    "   WHERE p.case_key = o.case_key AND p.state = 'pending')"
    " ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)"
    " UPDATE outbox SET claimed_until = $3 FROM heads WHERE outbox.id = heads.id"
    " RETURNING outbox.id, outbox.event_id, outbox.case_key, outbox.message_id, outbox.payload,"
    " outbox.attempts";

inline constexpr const char* kOutboxState = "SELECT state FROM outbox WHERE id = $1";

inline constexpr const char* kMarkDelivered =
    "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, receipt_json = $2,"
    " delivered_at = $3, claimed_until = 0 WHERE id = $1 AND state = 'pending'";
inline constexpr const char* kMarkRetry =
    "UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3,"
    " claimed_until = 0 WHERE id = $1 AND state = 'pending'";
inline constexpr const char* kMarkDead =
    "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = $2, dead_at = $3,"
    " claimed_until = 0 WHERE id = $1 AND state = 'pending'";
inline constexpr const char* kRequeue =
    "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $2, claimed_until = 0,"
    " dead_at = NULL, payload = CASE WHEN $3 = '' THEN payload ELSE $3 END"
    " WHERE id = $1 AND state = 'dead'";
inline constexpr const char* kDiscard =
    "UPDATE outbox SET state = 'discarded' WHERE id = $1 AND state = 'dead'";
// $2 = action ('dead' after the transition, 'requeued'/'discarded' before it). The casts tell
// PostgreSQL the types a SELECT list cannot infer.
inline constexpr const char* kLogDeadLetter =
    "INSERT INTO dead_letter_log (outbox_id, action, at, error, attempts)"
    " SELECT id, CAST($2 AS TEXT), CAST($3 AS BIGINT), last_error, attempts FROM outbox"
    " WHERE id = $1";

// One row per event in message order; one row with NULL event columns when there are none.
inline constexpr const char* kMessageStatus =
    "SELECT j.state, j.received_at, j.answer_json, je.event_id, o.state, o.attempts,"
    " o.receipt_json, o.last_error FROM journal j"
    " LEFT JOIN journal_event je ON je.message_id = j.message_id"
    " LEFT JOIN outbox o ON o.event_id = je.event_id"
    " WHERE j.message_id = $1 AND j.system = $2 ORDER BY je.seq";

inline constexpr const char* kJournaledMessage =
    "SELECT system, adapter, content_type, charset, bytes, source_ref, received_at FROM journal"
    " WHERE message_id = $1";

// Replay (ExchangeStore::journalPage): $1 system, $2 the page's lowest received_at (the
// range's start, or the cursor's received_at), $3 the range's end (exclusive), $4/$5 the
// cursor's (received_at, id) — rows at or before it are skipped —, $6 the page size. The page
// is one range of index journal_system_received; its events come joined, one row each (one row
// with NULL event columns for a message without events), in (received_at, id, seq) order.
inline constexpr const char* kJournalPage =
    "WITH page AS (SELECT id, message_id, adapter, content_type, charset, bytes, source_ref,"
    " received_at, state, answer_json FROM journal"
    " WHERE system = $1 AND received_at >= $2 AND received_at < $3"
    " AND (received_at > $4 OR id > $5) ORDER BY received_at, id LIMIT $6)"
    " SELECT p.id, p.message_id, p.adapter, p.content_type, p.charset, p.bytes, p.source_ref,"
    " p.received_at, p.state, p.answer_json, je.event_id, o.payload FROM page p"
    " LEFT JOIN journal_event je ON je.message_id = p.message_id"
    " LEFT JOIN outbox o ON o.event_id = je.event_id"
    " ORDER BY p.received_at, p.id, je.seq";
inline constexpr const char* kJournalCursor =
    "SELECT received_at FROM journal WHERE id = $1 AND system = $2";
inline constexpr const char* kJournalCount =
    "SELECT COUNT(*) FROM journal WHERE system = $1 AND received_at >= $2 AND received_at < $3";

inline constexpr const char* kDeadLetters =
    "SELECT o.id, o.event_id, o.message_id, j.system, o.payload, o.last_error, o.attempts,"
    " o.dead_at FROM outbox o JOIN journal j ON j.message_id = o.message_id"
    " WHERE o.state = 'dead' AND o.id > $1 ORDER BY o.id LIMIT $2";

inline constexpr const char* kDepths =
    "SELECT (SELECT COUNT(*) FROM journal),"
    " (SELECT COUNT(*) FROM outbox WHERE state = 'pending'),"
    " (SELECT COUNT(*) FROM outbox WHERE state = 'dead')";

// Per-item health (ExchangeStore::itemEvents and the rest). The item is read from the payload
// (-> and ->>, on SQLite 3.38+ and PostgreSQL's json cast; the column has no index and needs none
// here, the rows being found by the indexes named below); the system is the case key's prefix. $1
// system, $2 from: one range of journal_system_received, events by outbox_message.
inline constexpr const char* kSqliteItemEvents =
    "SELECT o.payload -> 'item' ->> 'code', j.received_at, o.state, o.delivered_at"
    " FROM journal j JOIN outbox o ON o.message_id = j.message_id"
    " WHERE j.system = $1 AND j.received_at >= $2";
inline constexpr const char* kPostgresItemEvents =
    "SELECT (o.payload::json)->'item'->>'code', j.received_at, o.state, o.delivered_at"
    " FROM journal j JOIN outbox o ON o.message_id = j.message_id"
    " WHERE j.system = $1 AND j.received_at >= $2";
// Pending rows by outbox_pending_id, dead ones by outbox_dead (each partial index's own
// condition, so that both databases use them).
inline constexpr const char* kSqliteItemBacklogs =
    "SELECT substr(case_key, 1, instr(case_key, ':') - 1), payload -> 'item' ->> 'code',"
    " 'pending', COUNT(*), MIN(created_at), 0 FROM outbox WHERE state = 'pending' GROUP BY 1, 2"
    " UNION ALL"
    " SELECT substr(case_key, 1, instr(case_key, ':') - 1), payload -> 'item' ->> 'code',"
    " 'dead', COUNT(*), 0, MAX(dead_at) FROM outbox WHERE state = 'dead' GROUP BY 1, 2";
inline constexpr const char* kPostgresItemBacklogs =
    "SELECT split_part(case_key, ':', 1), (payload::json)->'item'->>'code',"
    " 'pending', COUNT(*), MIN(created_at), 0 FROM outbox WHERE state = 'pending' GROUP BY 1, 2"
    " UNION ALL"
    " SELECT split_part(case_key, ':', 1), (payload::json)->'item'->>'code',"
    " 'dead', COUNT(*), 0, MAX(dead_at) FROM outbox WHERE state = 'dead' GROUP BY 1, 2";
// An answer without refusals holds "rejected":[] (json::write writes no spaces).
inline constexpr const char* kRejectionAnswers =
    "SELECT answer_json FROM journal WHERE system = $1 AND received_at >= $2"
    " AND answer_json NOT LIKE '%\"rejected\":[]%'";
// Newest first along journal_system_received (backwards), the first match ends the walk.
// $1 system, $2 item.
inline constexpr const char* kSqliteItemLastReceived =
    "SELECT j.received_at FROM journal j JOIN outbox o ON o.message_id = j.message_id"
    " WHERE j.system = $1 AND o.payload -> 'item' ->> 'code' = $2"
    " ORDER BY j.received_at DESC, j.id DESC LIMIT 1";
inline constexpr const char* kSqliteItemLastDelivered =
    "SELECT o.delivered_at FROM journal j JOIN outbox o ON o.message_id = j.message_id"
    " WHERE j.system = $1 AND o.state = 'delivered' AND o.payload -> 'item' ->> 'code' = $2"
    " ORDER BY j.received_at DESC, j.id DESC LIMIT 1";
inline constexpr const char* kPostgresItemLastReceived =
    "SELECT j.received_at FROM journal j JOIN outbox o ON o.message_id = j.message_id"
    " WHERE j.system = $1 AND (o.payload::json)->'item'->>'code' = $2"
    " ORDER BY j.received_at DESC, j.id DESC LIMIT 1";
inline constexpr const char* kPostgresItemLastDelivered =
    "SELECT o.delivered_at FROM journal j JOIN outbox o ON o.message_id = j.message_id"
    " WHERE j.system = $1 AND o.state = 'delivered' AND (o.payload::json)->'item'->>'code' = $2"
    " ORDER BY j.received_at DESC, j.id DESC LIMIT 1";

inline constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
inline constexpr const char* kMigrationVersions =
    "SELECT version FROM schema_migrations ORDER BY version";
inline constexpr const char* kRecordMigration =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)";

}  // namespace huitong::storage::queries
