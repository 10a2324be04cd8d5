#include "gateway/storage/Migrations.h"

#include "gateway/storage/ExchangeStore.h"

namespace huitong::storage {

// Migration 6, the same on both databases: mapping versions (gateway/registry/MappingVersions.h):
// every uploaded version of a system's mapping with its files (`bundle`, JSON of base64
// contents) and state, and the one the gateways run (`mapping_live`; `generation` grows with
// every switch, which is how a running gateway notices a publish made elsewhere).
constexpr const char* kMappingVersionsSql = R"sql(
CREATE TABLE mapping_version (
  system TEXT NOT NULL,
  version TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('draft', 'tested', 'published')),
  sha256 TEXT NOT NULL,
  input_format TEXT NOT NULL,
  bundle TEXT NOT NULL,
  test_report TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  tested_at BIGINT NOT NULL DEFAULT 0,
  published_by TEXT NOT NULL DEFAULT '',
  published_at BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (system, version)
);
CREATE TABLE mapping_live (
  system TEXT PRIMARY KEY,
  version TEXT NOT NULL,
  generation BIGINT NOT NULL,
  switched_by TEXT NOT NULL,
  switched_at BIGINT NOT NULL
);
)sql";

// Times are epoch milliseconds (UTC). Text columns are NOT NULL DEFAULT '' where "none" is
// ordinary, so that readers never confuse NULL with "".
// The outbox is never pruned by the store; ids are never reused, which per-case FIFO (oldest
// pending id first) and dead-letter paging (afterId) rely on.
// Migration 10's tables; SQLite and PostgreSQL differ only in identity, integer and float types.
#define HUITONG_MONITORING_SQL(ID, BIG, FLOAT)                                        \
  "CREATE TABLE monitor_result (\n"                                                   \
  "  seq " ID                                                                         \
  ",\n"                                                                               \
  "  check_id TEXT NOT NULL,\n"                                                       \
  "  kind TEXT NOT NULL,\n"                                                           \
  "  started_at " BIG                                                                 \
  " NOT NULL,\n"                                                                      \
  "  due_at " BIG                                                                     \
  " NOT NULL,\n"                                                                      \
  "  lateness_ms " FLOAT                                                              \
  " NOT NULL,\n"                                                                      \
  "  duration_ms " FLOAT                                                              \
  " NOT NULL,\n"                                                                      \
  "  status TEXT NOT NULL CHECK (status IN ('ok', 'fail', 'error')),\n"               \
  "  intensified INTEGER NOT NULL,\n"                                                 \
  "  message TEXT NOT NULL,\n"                                                        \
  "  values_json TEXT NOT NULL,\n"                                                    \
  "  result_json TEXT NOT NULL\n"                                                     \
  ");\n"                                                                              \
  "CREATE INDEX monitor_result_check ON monitor_result (check_id, started_at);\n"     \
  "CREATE INDEX monitor_result_time ON monitor_result (started_at);\n"                \
  "CREATE TABLE monitor_rollup (\n"                                                   \
  "  check_id TEXT NOT NULL,\n"                                                       \
  "  hour " BIG                                                                       \
  " NOT NULL,\n"                                                                      \
  "  runs " BIG                                                                       \
  " NOT NULL,\n"                                                                      \
  "  ok_runs " BIG                                                                    \
  " NOT NULL,\n"                                                                      \
  "  min_ms " FLOAT                                                                   \
  " NOT NULL,\n"                                                                      \
  "  avg_ms " FLOAT                                                                   \
  " NOT NULL,\n"                                                                      \
  "  max_ms " FLOAT                                                                   \
  " NOT NULL,\n"                                                                      \
  "  p95_ms " FLOAT                                                                   \
  " NOT NULL,\n"                                                                      \
  "  values_json TEXT NOT NULL,\n"                                                    \
  "  PRIMARY KEY (check_id, hour)\n"                                                  \
  ");\n"                                                                              \
  "CREATE INDEX monitor_rollup_hour ON monitor_rollup (hour);\n"                      \
  "CREATE TABLE monitor_alert (\n"                                                    \
  "  id " ID                                                                          \
  ",\n"                                                                               \
  "  rule TEXT NOT NULL,\n"                                                           \
  "  alert_key TEXT NOT NULL,\n"                                                      \
  "  source TEXT NOT NULL,\n"                                                         \
  "  state TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),\n"                  \
  "  opened_at " BIG                                                                  \
  " NOT NULL,\n"                                                                      \
  "  resolved_at " BIG                                                                \
  " NOT NULL,\n"                                                                      \
  "  summary TEXT NOT NULL,\n"                                                        \
  "  silenced INTEGER NOT NULL\n"                                                     \
  ");\n"                                                                              \
  "CREATE INDEX monitor_alert_open ON monitor_alert (state, rule, alert_key);\n"      \
  "CREATE TABLE monitor_delivery (\n"                                                 \
  "  alert_id " BIG                                                                   \
  " NOT NULL REFERENCES monitor_alert (id),\n"                                        \
  "  channel TEXT NOT NULL,\n"                                                        \
  "  event TEXT NOT NULL,\n"                                                          \
  "  at " BIG                                                                         \
  " NOT NULL,\n"                                                                      \
  "  attempts INTEGER NOT NULL,\n"                                                    \
  "  outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'failed', 'silenced')),\n" \
  "  detail TEXT NOT NULL\n"                                                          \
  ");\n"                                                                              \
  "CREATE INDEX monitor_delivery_alert ON monitor_delivery (alert_id);\n"             \
  "CREATE TABLE monitor_window (\n"                                                   \
  "  id " ID                                                                          \
  ",\n"                                                                               \
  "  kind TEXT NOT NULL CHECK (kind IN ('event', 'silence')),\n"                      \
  "  name TEXT NOT NULL,\n"                                                           \
  "  matcher TEXT NOT NULL,\n"                                                        \
  "  from_at " BIG                                                                    \
  " NOT NULL,\n"                                                                      \
  "  to_at " BIG                                                                      \
  " NOT NULL,\n"                                                                      \
  "  created_by TEXT NOT NULL,\n"                                                     \
  "  created_at " BIG                                                                 \
  " NOT NULL\n"                                                                       \
  ");\n"                                                                              \
  "CREATE INDEX monitor_window_to ON monitor_window (to_at);\n"

constexpr const char* kMonitoringSql =
    HUITONG_MONITORING_SQL("INTEGER PRIMARY KEY", "INTEGER", "REAL");
constexpr const char* kMonitoringPostgresSql = HUITONG_MONITORING_SQL(
    "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT", "DOUBLE PRECISION");
#undef HUITONG_MONITORING_SQL

// Migration 12's tables (gateway/faults/TicketStore.h): fault tickets, their history, their
// attachments (bytes bounded by faults.attachments), the per-year number counter, the mail
// Message-IDs that thread into a ticket, and each maintainer group's round-robin position.
// At most one open ticket per dedup key (an ongoing alert/health problem): a partial unique index.
#define HUITONG_FAULTS_SQL(ID, BIG, BLOB)                                                  \
  "CREATE TABLE ticket (\n"                                                                \
  "  id TEXT PRIMARY KEY,\n"                                                               \
  "  year INTEGER NOT NULL,\n"                                                             \
  "  number " BIG                                                                          \
  " NOT NULL,\n"                                                                           \
  "  channel TEXT NOT NULL,\n"                                                             \
  "  reporter TEXT NOT NULL,\n"                                                            \
  "  contact TEXT NOT NULL,\n"                                                             \
  "  reported_at " BIG                                                                     \
  " NOT NULL,\n"                                                                           \
  "  system TEXT NOT NULL,\n"                                                              \
  "  item TEXT NOT NULL,\n"                                                                \
  "  type TEXT NOT NULL,\n"                                                                \
  "  severity TEXT NOT NULL CHECK (severity IN ('general', 'major')),\n"                   \
  "  status TEXT NOT NULL,\n"                                                              \
  "  group_name TEXT NOT NULL,\n"                                                          \
  "  assignee TEXT NOT NULL,\n"                                                            \
  "  on_site INTEGER NOT NULL,\n"                                                          \
  "  title TEXT NOT NULL,\n"                                                               \
  "  description TEXT NOT NULL,\n"                                                         \
  "  source TEXT NOT NULL,\n"                                                              \
  "  dedup_key TEXT NOT NULL,\n"                                                           \
  "  created_by TEXT NOT NULL,\n"                                                          \
  "  classified_by TEXT NOT NULL,\n"                                                       \
  "  fix_version TEXT NOT NULL,\n"                                                         \
  "  fix_commit TEXT NOT NULL,\n"                                                          \
  "  fix_changed TEXT NOT NULL,\n"                                                         \
  "  fix_documentation TEXT NOT NULL,\n"                                                   \
  "  created_at " BIG                                                                      \
  " NOT NULL,\n"                                                                           \
  "  updated_at " BIG                                                                      \
  " NOT NULL,\n"                                                                           \
  "  resolved_at " BIG                                                                     \
  " NOT NULL,\n"                                                                           \
  "  closed_at " BIG                                                                       \
  " NOT NULL,\n"                                                                           \
  "  version " BIG                                                                         \
  " NOT NULL,\n"                                                                           \
  "  UNIQUE (year, number)\n"                                                              \
  ");\n"                                                                                   \
  "CREATE INDEX ticket_open_status ON ticket (status, assignee);\n"                        \
  "CREATE INDEX ticket_group ON ticket (group_name, status);\n"                            \
  "CREATE INDEX ticket_system ON ticket (system, created_at);\n"                           \
  "CREATE INDEX ticket_created ON ticket (created_at);\n"                                  \
  "CREATE UNIQUE INDEX ticket_dedup_open ON ticket (dedup_key) WHERE dedup_key <> '' AND " \
  "status NOT IN ('resolved', 'closed');\n"                                                \
  "CREATE TABLE ticket_event (\n"                                                          \
  "  seq " ID                                                                              \
  ",\n"                                                                                    \
  "  ticket_id TEXT NOT NULL REFERENCES ticket (id),\n"                                    \
  "  at " BIG                                                                              \
  " NOT NULL,\n"                                                                           \
  "  actor TEXT NOT NULL,\n"                                                               \
  "  kind TEXT NOT NULL,\n"                                                                \
  "  from_status TEXT NOT NULL,\n"                                                         \
  "  to_status TEXT NOT NULL,\n"                                                           \
  "  group_name TEXT NOT NULL,\n"                                                          \
  "  assignee TEXT NOT NULL,\n"                                                            \
  "  text TEXT NOT NULL,\n"                                                                \
  "  detail TEXT NOT NULL\n"                                                               \
  ");\n"                                                                                   \
  "CREATE INDEX ticket_event_ticket ON ticket_event (ticket_id, seq);\n"                   \
  "CREATE TABLE ticket_attachment (\n"                                                     \
  "  id " ID                                                                               \
  ",\n"                                                                                    \
  "  ticket_id TEXT NOT NULL REFERENCES ticket (id),\n"                                    \
  "  name TEXT NOT NULL,\n"                                                                \
  "  content_type TEXT NOT NULL,\n"                                                        \
  "  size " BIG                                                                            \
  " NOT NULL,\n"                                                                           \
  "  sha256 TEXT NOT NULL,\n"                                                              \
  "  stored INTEGER NOT NULL,\n"                                                           \
  "  note TEXT NOT NULL,\n"                                                                \
  "  added_at " BIG                                                                        \
  " NOT NULL,\n"                                                                           \
  "  bytes " BLOB                                                                          \
  " NOT NULL\n"                                                                            \
  ");\n"                                                                                   \
  "CREATE INDEX ticket_attachment_ticket ON ticket_attachment (ticket_id, id);\n"          \
  "CREATE TABLE ticket_counter (year INTEGER PRIMARY KEY, last " BIG                       \
  " NOT NULL);\n"                                                                          \
  "CREATE TABLE ticket_mail_ref (message_id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL "    \
  "REFERENCES ticket (id));\n"                                                             \
  "CREATE TABLE ticket_rotation (group_name TEXT PRIMARY KEY, position " BIG " NOT NULL);\n"

constexpr const char* kFaultsSql = HUITONG_FAULTS_SQL("INTEGER PRIMARY KEY", "INTEGER", "BLOB");
constexpr const char* kFaultsPostgresSql =
    HUITONG_FAULTS_SQL("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT", "BYTEA");
#undef HUITONG_FAULTS_SQL

// Migration 16's tables (gateway/faults/FollowUps.h): the latest major-fault report of each
// ticket and one follow-up task per improvement with an owner and a due date ("YYYY-MM-DD",
// China time; text sorts as dates do).
#define HUITONG_FOLLOW_UP_SQL(BIG, BACKFILL_COMPLETE)                                       \
  "CREATE TABLE major_report (\n"                                                           \
  "  ticket_id TEXT PRIMARY KEY,\n"                                                         \
  "  title TEXT NOT NULL,\n"                                                                \
  "  system TEXT NOT NULL,\n"                                                               \
  "  item TEXT NOT NULL,\n"                                                                 \
  "  incident_start " BIG                                                                   \
  " NOT NULL,\n"                                                                            \
  "  resolved_at " BIG                                                                      \
  " NOT NULL DEFAULT 0,\n"                                                                  \
  "  saved_at " BIG                                                                         \
  " NOT NULL,\n"                                                                            \
  "  saved_by TEXT NOT NULL,\n"                                                             \
  "  complete INTEGER NOT NULL,\n"                                                          \
  "  saves INTEGER NOT NULL,\n"                                                             \
  "  report_json TEXT NOT NULL\n"                                                           \
  ");\n"                                                                                    \
  "CREATE INDEX major_report_incident ON major_report (incident_start, ticket_id);\n"       \
  "CREATE TABLE follow_up (\n"                                                              \
  "  ticket_id TEXT NOT NULL,\n"                                                            \
  "  n INTEGER NOT NULL,\n"                                                                 \
  "  action TEXT NOT NULL,\n"                                                               \
  "  owner TEXT NOT NULL,\n"                                                                \
  "  due TEXT NOT NULL,\n"                                                                  \
  "  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),\n"                          \
  "  created_at " BIG                                                                       \
  " NOT NULL,\n"                                                                            \
  "  updated_at " BIG                                                                       \
  " NOT NULL,\n"                                                                            \
  "  closed_at " BIG                                                                        \
  " NOT NULL DEFAULT 0,\n"                                                                  \
  "  closed_by TEXT NOT NULL DEFAULT '',\n"                                                 \
  "  note TEXT NOT NULL DEFAULT '',\n"                                                      \
  "  PRIMARY KEY (ticket_id, n)\n"                                                          \
  ");\n"                                                                                    \
  "CREATE INDEX follow_up_status_due ON follow_up (status, due, ticket_id, n);\n"           \
  "INSERT INTO major_report (ticket_id, title, system, item, incident_start, resolved_at, " \
  "saved_at, saved_by, complete, saves, report_json) "                                      \
  "SELECT e.ticket_id, t.title, t.system, t.item, t.created_at, t.resolved_at, e.at, "      \
  "e.actor, " BACKFILL_COMPLETE                                                             \
  ", 1, e.detail FROM ticket_event e JOIN ticket t ON t.id = "                              \
  "e.ticket_id WHERE e.kind = 'major_report' AND e.seq = (SELECT MAX(x.seq) FROM "          \
  "ticket_event x WHERE x.ticket_id = e.ticket_id AND x.kind = 'major_report');\n"
constexpr const char* kFollowUpSql =
    HUITONG_FOLLOW_UP_SQL("INTEGER", "CASE WHEN e.text LIKE '%(complete)' THEN 1 ELSE 0 END");
constexpr const char* kFollowUpPostgresSql =
    HUITONG_FOLLOW_UP_SQL("BIGINT", "CASE WHEN e.text LIKE '%(complete)' THEN 1 ELSE 0 END");
#undef HUITONG_FOLLOW_UP_SQL

// Migration 14's tables (docs/operations.md "Inspections", gateway/ops/inspect/InspectionLedger.h):
// one row per inspection run with its per-check outcomes as JSON, one row per finding (keyed by
// check + subject, so the same problem stays one finding across runs) and one row per run that
// looked at a finding (new, still open, worse, better, resolved). Runs are never deleted.
#define HUITONG_INSPECTION_SQL(ID, BIG)                                                    \
  "CREATE TABLE inspection_run (\n"                                                        \
  "  id " ID                                                                               \
  ",\n"                                                                                    \
  "  started_at " BIG                                                                      \
  " NOT NULL,\n"                                                                           \
  "  finished_at " BIG                                                                     \
  " NOT NULL DEFAULT 0,\n"                                                                 \
  "  trigger_kind TEXT NOT NULL CHECK (trigger_kind IN ('scheduled', 'manual', "           \
  "'intensified')),\n"                                                                     \
  "  started_by TEXT NOT NULL DEFAULT '',\n"                                               \
  "  gateway_version TEXT NOT NULL DEFAULT '',\n"                                          \
  "  checks_json TEXT NOT NULL DEFAULT '[]',\n"                                            \
  "  figures_json TEXT NOT NULL DEFAULT '{}',\n"                                           \
  "  signed_off_by TEXT NOT NULL DEFAULT '',\n"                                            \
  "  signed_off_at " BIG                                                                   \
  " NOT NULL DEFAULT 0,\n"                                                                 \
  "  sign_off_note TEXT NOT NULL DEFAULT ''\n"                                             \
  ");\n"                                                                                   \
  "CREATE INDEX inspection_run_started ON inspection_run (started_at, id);\n"              \
  "CREATE TABLE inspection_finding (\n"                                                    \
  "  id " ID                                                                               \
  ",\n"                                                                                    \
  "  finding_key TEXT NOT NULL,\n"                                                         \
  "  check_id TEXT NOT NULL,\n"                                                            \
  "  subject TEXT NOT NULL,\n"                                                             \
  "  severity TEXT NOT NULL CHECK (severity IN ('info', 'minor', 'major', 'critical')),\n" \
  "  title TEXT NOT NULL,\n"                                                               \
  "  detail TEXT NOT NULL,\n"                                                              \
  "  status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),\n"                       \
  "  first_seen_run " BIG                                                                  \
  " NOT NULL,\n"                                                                           \
  "  last_seen_run " BIG                                                                   \
  " NOT NULL,\n"                                                                           \
  "  resolved_run " BIG                                                                    \
  " NOT NULL DEFAULT 0,\n"                                                                 \
  "  first_seen_at " BIG                                                                   \
  " NOT NULL,\n"                                                                           \
  "  resolved_at " BIG                                                                     \
  " NOT NULL DEFAULT 0\n"                                                                  \
  ");\n"                                                                                   \
  "CREATE INDEX inspection_finding_key ON inspection_finding (finding_key, status);\n"     \
  "CREATE INDEX inspection_finding_open ON inspection_finding (status, id);\n"             \
  "CREATE TABLE inspection_observation (\n"                                                \
  "  run_id " BIG                                                                          \
  " NOT NULL,\n"                                                                           \
  "  finding_id " BIG                                                                      \
  " NOT NULL,\n"                                                                           \
  "  outcome TEXT NOT NULL CHECK (outcome IN ('new', 'still open', 'worse', 'better', "    \
  "'resolved', 'not re-checked')),\n"                                                      \
  "  severity TEXT NOT NULL,\n"                                                            \
  "  detail TEXT NOT NULL,\n"                                                              \
  "  PRIMARY KEY (run_id, finding_id)\n"                                                   \
  ");\n"                                                                                   \
  "CREATE INDEX inspection_observation_finding ON inspection_observation (finding_id, "    \
  "run_id);\n"
constexpr const char* kInspectionSql = HUITONG_INSPECTION_SQL("INTEGER PRIMARY KEY", "INTEGER");
constexpr const char* kInspectionPostgresSql =
    HUITONG_INSPECTION_SQL("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT");
#undef HUITONG_INSPECTION_SQL

// Migration 15's tables (gateway/ops/baseline): a recorded baseline of the gateway's
// configuration (its settings as JSON), each file it covers with hash, mode and owner (the bytes
// of text files, for diffs), and the change/optimisation records approved against it.
#define HUITONG_BASELINE_SQL(ID, BIG, BLOB)                            \
  "CREATE TABLE config_baseline (\n"                                   \
  "  id " ID                                                           \
  ",\n"                                                                \
  "  recorded_at " BIG                                                 \
  " NOT NULL,\n"                                                       \
  "  recorded_by TEXT NOT NULL,\n"                                     \
  "  note TEXT NOT NULL,\n"                                            \
  "  config_file TEXT NOT NULL,\n"                                     \
  "  settings TEXT NOT NULL\n"                                         \
  ");\n"                                                               \
  "CREATE TABLE config_baseline_file (\n"                              \
  "  baseline_id " BIG                                                 \
  " NOT NULL REFERENCES config_baseline (id),\n"                       \
  "  path TEXT NOT NULL,\n"                                            \
  "  role TEXT NOT NULL,\n"                                            \
  "  sha256 TEXT NOT NULL,\n"                                          \
  "  size " BIG                                                        \
  " NOT NULL,\n"                                                       \
  "  mode INTEGER NOT NULL,\n"                                         \
  "  owner TEXT NOT NULL,\n"                                           \
  "  is_text INTEGER NOT NULL,\n"                                      \
  "  content " BLOB                                                    \
  " NOT NULL,\n"                                                       \
  "  PRIMARY KEY (baseline_id, path)\n"                                \
  ");\n"                                                               \
  "CREATE TABLE config_change (\n"                                     \
  "  id " ID                                                           \
  ",\n"                                                                \
  "  at " BIG                                                          \
  " NOT NULL,\n"                                                       \
  "  by_user TEXT NOT NULL,\n"                                         \
  "  kind TEXT NOT NULL CHECK (kind IN ('change', 'optimisation')),\n" \
  "  note TEXT NOT NULL,\n"                                            \
  "  baseline_before " BIG                                             \
  " NOT NULL,\n"                                                       \
  "  baseline_after " BIG                                              \
  " NOT NULL,\n"                                                       \
  "  files TEXT NOT NULL,\n"                                           \
  "  summary TEXT NOT NULL,\n"                                         \
  "  diff TEXT NOT NULL\n"                                             \
  ");\n"                                                               \
  "CREATE INDEX config_change_at ON config_change (at);\n"

constexpr const char* kConfigBaselineSql =
    HUITONG_BASELINE_SQL("INTEGER PRIMARY KEY", "INTEGER", "BLOB");
constexpr const char* kConfigBaselinePostgresSql =
    HUITONG_BASELINE_SQL("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT", "BYTEA");
#undef HUITONG_BASELINE_SQL

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "journal and outbox",
       R"sql(
CREATE TABLE journal (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  system TEXT NOT NULL,
  adapter TEXT NOT NULL,
  content_type TEXT NOT NULL,
  charset TEXT NOT NULL,
  bytes BLOB NOT NULL,
  source_ref TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  digest TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('accepted', 'rejected')),
  answer_json TEXT NOT NULL,
  UNIQUE (system, digest)
);
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  case_key TEXT NOT NULL,
  message_id TEXT NOT NULL REFERENCES journal (message_id),
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead', 'discarded')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  claimed_until INTEGER NOT NULL DEFAULT 0,
  receipt_json TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  dead_at INTEGER
);
CREATE INDEX outbox_pending_case ON outbox (case_key, id) WHERE state = 'pending';
CREATE INDEX outbox_pending_due ON outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_message ON outbox (message_id);
CREATE TABLE journal_event (
  message_id TEXT NOT NULL REFERENCES journal (message_id),
  seq INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (message_id, seq)
);
)sql",
       R"sql(
CREATE TABLE journal (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  system TEXT NOT NULL,
  adapter TEXT NOT NULL,
  content_type TEXT NOT NULL,
  charset TEXT NOT NULL,
  bytes BYTEA NOT NULL,
  source_ref TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  digest TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('accepted', 'rejected')),
  answer_json TEXT NOT NULL,
  UNIQUE (system, digest)
);
CREATE TABLE outbox (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  case_key TEXT NOT NULL,
  message_id TEXT NOT NULL REFERENCES journal (message_id),
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead', 'discarded')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  claimed_until BIGINT NOT NULL DEFAULT 0,
  receipt_json TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  delivered_at BIGINT,
  dead_at BIGINT
);
CREATE INDEX outbox_pending_case ON outbox (case_key, id) WHERE state = 'pending';
CREATE INDEX outbox_pending_due ON outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_message ON outbox (message_id);
CREATE TABLE journal_event (
  message_id TEXT NOT NULL REFERENCES journal (message_id),
  seq INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (message_id, seq)
);
)sql"},
      {2, "dead letters",
       R"sql(
CREATE INDEX outbox_dead ON outbox (id) WHERE state = 'dead';
CREATE TABLE dead_letter_log (
  id INTEGER PRIMARY KEY,
  outbox_id INTEGER NOT NULL REFERENCES outbox (id),
  action TEXT NOT NULL CHECK (action IN ('dead', 'requeued', 'discarded')),
  at INTEGER NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL
);
CREATE INDEX dead_letter_log_outbox ON dead_letter_log (outbox_id, id);
)sql",
       R"sql(
CREATE INDEX outbox_dead ON outbox (id) WHERE state = 'dead';
CREATE TABLE dead_letter_log (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  outbox_id BIGINT NOT NULL REFERENCES outbox (id),
  action TEXT NOT NULL CHECK (action IN ('dead', 'requeued', 'discarded')),
  at BIGINT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL
);
CREATE INDEX dead_letter_log_outbox ON dead_letter_log (outbox_id, id);
)sql"},
      // The claim reads pending rows in id order; without this index SQLite walked every
      // delivered row first (16 ms per claim with 17,000 delivered rows, on the writer thread;
      // 0.3 ms with it: tests/bench/gateway/README.md).
      {3, "pending outbox rows in id order",
       R"sql(
CREATE INDEX outbox_pending_id ON outbox (id) WHERE state = 'pending';
)sql",
       R"sql(
CREATE INDEX outbox_pending_id ON outbox (id) WHERE state = 'pending';
)sql"},
      // The filing registry and its audit trail (gateway/registry/RegistryStore.h). audit_entry
      // is append-only (triggers refuse UPDATE and DELETE; the hash chain, not the triggers, is
      // what proves it); audit_anchor is its one-row (count, head). Every query filter but the
      // target substring has a (column, seq) index: a filtered page is one index range.
      {4, "filing registry and audit trail",
       R"sql(
CREATE TABLE filing (
  system TEXT NOT NULL,
  item_code TEXT NOT NULL,
  item_name TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('requested', 'configuring', 'joint_debugging', 'online', 'suspended', 'retired')),
  version INTEGER NOT NULL,
  contact_name TEXT NOT NULL DEFAULT '',
  contact_phone TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  requirement_confirmed_at INTEGER,
  configuring_due TEXT NOT NULL DEFAULT '',
  configuring_due_provisional INTEGER NOT NULL DEFAULT 0,
  live_mapping_version TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (system, item_code)
);
CREATE INDEX filing_state ON filing (state, configuring_due);
CREATE TABLE audit_entry (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  system TEXT NOT NULL DEFAULT '',
  item TEXT NOT NULL DEFAULT '',
  before_json TEXT NOT NULL,
  after_json TEXT NOT NULL,
  alg TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_entry_system ON audit_entry (system, seq);
CREATE INDEX audit_entry_item ON audit_entry (item, seq);
CREATE INDEX audit_entry_actor ON audit_entry (actor, seq);
CREATE INDEX audit_entry_action ON audit_entry (action, seq);
CREATE INDEX audit_entry_at ON audit_entry (at, seq);
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE audit_anchor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  entry_count INTEGER NOT NULL,
  head TEXT NOT NULL
);
INSERT INTO audit_anchor (id, entry_count, head) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
)sql",
       R"sql(
CREATE TABLE filing (
  system TEXT NOT NULL,
  item_code TEXT NOT NULL,
  item_name TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('requested', 'configuring', 'joint_debugging', 'online', 'suspended', 'retired')),
  version BIGINT NOT NULL,
  contact_name TEXT NOT NULL DEFAULT '',
  contact_phone TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  requirement_confirmed_at BIGINT,
  configuring_due TEXT NOT NULL DEFAULT '',
  configuring_due_provisional INTEGER NOT NULL DEFAULT 0,
  live_mapping_version TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (system, item_code)
);
CREATE INDEX filing_state ON filing (state, configuring_due);
CREATE TABLE audit_entry (
  seq BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  system TEXT NOT NULL DEFAULT '',
  item TEXT NOT NULL DEFAULT '',
  before_json TEXT NOT NULL,
  after_json TEXT NOT NULL,
  alg TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_entry_system ON audit_entry (system, seq);
CREATE INDEX audit_entry_item ON audit_entry (item, seq);
CREATE INDEX audit_entry_actor ON audit_entry (actor, seq);
CREATE INDEX audit_entry_action ON audit_entry (action, seq);
CREATE INDEX audit_entry_at ON audit_entry (at, seq);
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;
CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry
  FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
  FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
CREATE TABLE audit_anchor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  entry_count BIGINT NOT NULL,
  head TEXT NOT NULL
);
INSERT INTO audit_anchor (id, entry_count, head) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
)sql"},
      // Staff accounts and their login sessions (gateway/registry/StaffAccess.h). A session
      // row holds only the SHA-256 of its bearer token; a stolen database gives no live token.
      {5, "staff accounts and sessions",
       R"sql(
CREATE TABLE staff_account (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor', 'department')),
  system TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE staff_session (
  token_hash TEXT PRIMARY KEY,
  name TEXT NOT NULL REFERENCES staff_account (name),
  expires_at BIGINT NOT NULL
);
CREATE INDEX staff_session_expiry ON staff_session (expires_at);
)sql",
       R"sql(
CREATE TABLE staff_account (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor', 'department')),
  system TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE staff_session (
  token_hash TEXT PRIMARY KEY,
  name TEXT NOT NULL REFERENCES staff_account (name),
  expires_at BIGINT NOT NULL
);
CREATE INDEX staff_session_expiry ON staff_session (expires_at);
)sql"},
      {6, "mapping versions", kMappingVersionsSql, kMappingVersionsSql},
      // Replay before publishing (ExchangeStore::journalPage) reads a system's messages by
      // received time in (received_at, id) order: one index range per page, no sort.
      {7, "journal by system and received time",
       R"sql(
CREATE INDEX journal_system_received ON journal (system, received_at, id);
)sql",
       R"sql(
CREATE INDEX journal_system_received ON journal (system, received_at, id);
)sql"},
      // Audit queries by target substring (docs/audit.md): without an index a substring that
      // few entries hold scans the whole trail. SQLite: an FTS5 trigram table over
      // audit_entry.target (external content, rowid = seq), filled from the existing entries
      // and then by an insert trigger (the trail refuses UPDATE and DELETE, so insert is all).
      // PostgreSQL: a pg_trgm GIN index, when the extension can be created (trusted from
      // PG 13: a database owner may); if it cannot, the migration still succeeds (the DO
      // block's handler undoes only the failed statement) and the query scans as before.
      {8, "audit target substring index",
       R"sql(
CREATE VIRTUAL TABLE audit_entry_target USING fts5(target, content='audit_entry',
  content_rowid='seq', tokenize='trigram case_sensitive 1', columnsize=0);
INSERT INTO audit_entry_target (audit_entry_target) VALUES ('rebuild');
CREATE TRIGGER audit_entry_target_add AFTER INSERT ON audit_entry
BEGIN INSERT INTO audit_entry_target (rowid, target) VALUES (new.seq, new.target); END;
)sql",
       R"sql(
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'pg_trgm could not be created (%): audit queries by target substring scan', SQLERRM;
END
$$;
DO $$
DECLARE
  trgm_schema name;
BEGIN
  SELECT n.nspname INTO trgm_schema FROM pg_extension e
    JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF trgm_schema IS NOT NULL THEN
    EXECUTE format('CREATE INDEX audit_entry_target_trgm ON audit_entry USING gin (target %I.gin_trgm_ops)',
                   trgm_schema);
  END IF;
END
$$;
)sql"},
      // Joint-debug sessions kept as evidence (docs/sandbox.md): only ever inserted. The event
      // rows carry what the go-live gate asks (system, item, mapping version and files).
      {9, "sandbox sessions",
       R"sql(
CREATE TABLE sandbox_session (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  system TEXT NOT NULL,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL,
  mapping_version TEXT NOT NULL,
  mapping_sha256 TEXT NOT NULL,
  outcome TEXT NOT NULL,
  content_type TEXT NOT NULL,
  input BLOB NOT NULL,
  trace_json TEXT NOT NULL,
  summary_json TEXT NOT NULL
);
CREATE INDEX sandbox_session_system ON sandbox_session (system, seq);
CREATE TABLE sandbox_event (
  session_seq INTEGER NOT NULL REFERENCES sandbox_session (seq),
  n INTEGER NOT NULL,
  session_id TEXT NOT NULL,
  system TEXT NOT NULL,
  item_code TEXT NOT NULL,
  stage TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('accepted', 'duplicate', 'conflict', 'rejected')),
  rules INTEGER NOT NULL,
  rules_json TEXT NOT NULL,
  mapping_version TEXT NOT NULL,
  mapping_sha256 TEXT NOT NULL,
  PRIMARY KEY (session_seq, n)
);
CREATE INDEX sandbox_event_item ON sandbox_event (system, item_code, mapping_version, session_seq);
)sql",
       R"sql(
CREATE TABLE sandbox_session (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  system TEXT NOT NULL,
  actor TEXT NOT NULL,
  at BIGINT NOT NULL,
  mapping_version TEXT NOT NULL,
  mapping_sha256 TEXT NOT NULL,
  outcome TEXT NOT NULL,
  content_type TEXT NOT NULL,
  input BYTEA NOT NULL,
  trace_json TEXT NOT NULL,
  summary_json TEXT NOT NULL
);
CREATE INDEX sandbox_session_system ON sandbox_session (system, seq);
CREATE TABLE sandbox_event (
  session_seq BIGINT NOT NULL REFERENCES sandbox_session (seq),
  n INTEGER NOT NULL,
  session_id TEXT NOT NULL,
  system TEXT NOT NULL,
  item_code TEXT NOT NULL,
  stage TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('accepted', 'duplicate', 'conflict', 'rejected')),
  rules INTEGER NOT NULL,
  rules_json TEXT NOT NULL,
  mapping_version TEXT NOT NULL,
  mapping_sha256 TEXT NOT NULL,
  PRIMARY KEY (session_seq, n)
);
CREATE INDEX sandbox_event_item ON sandbox_event (system, item_code, mapping_version, session_seq);
)sql"},
      // Monitoring (docs/monitoring.md): each check run kept raw for days, hourly rollups for
      // months, alerts with their notifications, and major events and silences declared at run
      // time (gateway/monitor/schedule/ResultsStore.h).
      {10, "monitoring results and alerts", kMonitoringSql, kMonitoringPostgresSql},
      // A filing's own sandbox scenarios (gateway/registry/RequiredScenarios.h); '' = defaults.
      {11, "filing scenarios", "ALTER TABLE filing ADD COLUMN scenarios TEXT NOT NULL DEFAULT '';",
       "ALTER TABLE filing ADD COLUMN scenarios TEXT NOT NULL DEFAULT '';"},
      // Fault tickets (docs/faults.md, gateway/faults/TicketStore.h).
      {12, "fault tickets", kFaultsSql, kFaultsPostgresSql},
      // Backups and their restore tests (docs/operations.md, gateway/ops/backup/BackupLedger.h):
      // one row per create, verify or restore, only ever inserted.
      {13, "backup records",
       R"sql(
CREATE TABLE backup_record (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('create', 'verify', 'restore')),
  backup_id TEXT NOT NULL DEFAULT '',
  started_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL,
  ok INTEGER NOT NULL,
  store_kind TEXT NOT NULL,
  path TEXT NOT NULL DEFAULT '',
  bytes BIGINT NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL DEFAULT '',
  encrypted INTEGER NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT '',
  restore_ok INTEGER NOT NULL DEFAULT 0,
  row_counts_json TEXT NOT NULL DEFAULT '{}',
  audit_head_matches INTEGER NOT NULL DEFAULT 0,
  actor TEXT NOT NULL DEFAULT ''
);
CREATE INDEX backup_record_time ON backup_record (started_at, seq);
)sql",
       R"sql(
CREATE TABLE backup_record (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('create', 'verify', 'restore')),
  backup_id TEXT NOT NULL DEFAULT '',
  started_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL,
  ok INTEGER NOT NULL,
  store_kind TEXT NOT NULL,
  path TEXT NOT NULL DEFAULT '',
  bytes BIGINT NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL DEFAULT '',
  encrypted INTEGER NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT '',
  restore_ok INTEGER NOT NULL DEFAULT 0,
  row_counts_json TEXT NOT NULL DEFAULT '{}',
  audit_head_matches INTEGER NOT NULL DEFAULT 0,
  actor TEXT NOT NULL DEFAULT ''
);
CREATE INDEX backup_record_time ON backup_record (started_at, seq);
)sql"},
      // Inspections: runs, findings and each run's look at a finding (gateway/ops/inspect).
      {14, "inspections", kInspectionSql, kInspectionPostgresSql},
      // Configuration baselines, their files (text content kept for diffs) and the approved
      // change/optimisation records (gateway/ops/baseline/ConfigBaseline.h).
      {15, "configuration baselines and change records", kConfigBaselineSql,
       kConfigBaselinePostgresSql},
      // Major-fault reports kept and listed across tickets, and the improvements with owners and
      // due dates as follow-up tasks (docs/faults.md, gateway/faults/FollowUps.h). A report's
      // every saved version stays the ticket's major_report event; the row is the latest one.
      // Reports saved before this migration are copied from their latest event (incident start:
      // the ticket's creation; completeness: the event's text).
      {16, "major-fault reports and follow-up tasks", kFollowUpSql, kFollowUpPostgresSql},
  };
  return kMigrations;
}

int latestSchemaVersion() {
  return migrations().back().version;
}

}  // namespace huitong::storage
