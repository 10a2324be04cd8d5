#!/usr/bin/env bash
# db_poll benchmark: a ROWS-row funeral front-end table (SQLite, generated at run time from the
# demo's own schema) polled by `huitong serve` through db_poll (POCO Data, batches of
# BATCH_ROWS, REC_FLAG set after each journal commit), mapped, validated, queued and delivered
# to `huitong mock-platform`. Measures rows/s from the moment the table appears to the moment
# the mock holds every event, beside the plain baseline of the same run: the `sqlite3` CLI
# selecting the same rows (as text, and as JSON with -json), and prints the ratios. Bounded
# (DRAIN_TIMEOUT); stops what it started (by pid) and removes its temp dir. Exits non-zero only
# when something failed or not every row arrived; never because a number is slow.
#
#   tests/bench/db-poll/run-db-poll-bench.sh
#   ROWS=20000 BUILD_DIR=build-dbpoll tests/bench/db-poll/run-db-poll-bench.sh
#
# Environment: ROWS (default 100000), BATCH_ROWS (db_poll batch_rows, default 500),
# DRAIN_TIMEOUT (seconds, default 900), BUILD_DIR (default build; huitong is built there when
# missing).
set -euo pipefail

ROWS=${ROWS:-100000}
BATCH_ROWS=${BATCH_ROWS:-500}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-900}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
BUILD=${BUILD_DIR:-build}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD
TOKEN=bench-platform-token
cd "$ROOT"
say() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

for tool in sqlite3 curl python3; do
  command -v "$tool" >/dev/null || { say "$tool is required (bash .ci/install-deps.sh)"; exit 2; }
done
HUITONG=$BUILD/gateway/app/huitong
if [[ ! -x $HUITONG ]]; then
  say "building huitong in $BUILD"
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" --target huitong >/dev/null
fi

TMP=$(mktemp -d /tmp/huitong-db-poll-bench.XXXXXX)
PIDS=()
cleanup() {
  local pid i
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_http() {  # name url: until it answers, at most 60 s
  local i
  for i in $(seq 1 300); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$2" || true) != 000 ]] && return 0
    sleep 0.2
  done
  say "FAILED: $1 did not answer at $2 within 60 s"
  exit 1
}
now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%8.3f", b - a }'; }
mock_accepted() {
  curl -s --max-time 5 "$MOCK/control/v1/stats" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["accepted"])' 2>/dev/null || echo 0
}

# ---- the table: ROWS 申办 rows, one case each, valid for the funeral mapping. It is built as
# EX_CASE_STAGE_READY and renamed into place once the gateway polls, so that the clock starts
# when the rows appear, not when the gateway starts.
DB=$TMP/front.db
say "generating $ROWS rows in $DB"
sed 's/EX_CASE_STAGE/EX_CASE_STAGE_READY/g' sandbox/simulator/scripts/funeral/schema.sql |
  sqlite3 "$DB"
sqlite3 "$DB" <<SQL
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $ROWS)
INSERT INTO EX_CASE_STAGE_READY (ID, SBLSH, SXBM, SXMC, STAGE_CODE, STAGE_TIME, SQRMC, SQRZJLX,
                                 SQRZJHM, CLQD)
SELECT 100000 + i,
       printf('BZ2026%02d%02d%05d', 1 + (i / 280000) % 10, 1 + (i / 10000) % 28, i % 10000),
       '1244200045586402424442094003000', '惠民殡葬补贴申领', 'SB',
       printf('2026-11-%02d %02d:%02d:%02d', 1 + i % 28, 8 + i % 10, i % 60, (i / 60) % 60),
       '欧阳秀兰', '1', '442000195803120521', '火化证明|申请人居民身份证|户口簿'
FROM n;
SQL
[[ $(sqlite3 "$DB" "SELECT COUNT(DISTINCT SBLSH) FROM EX_CASE_STAGE_READY") == "$ROWS" ]] ||
  { say "FAILED: case numbers are not distinct (ROWS at most 2800000)"; exit 1; }

# ---- baseline: the sqlite3 CLI reading the same rows (best of 3 each)
baseline() {  # sqlite3-args...: sets BASE_S (seconds)
  local best=999999 t0 t1 k
  for k in 1 2 3; do
    t0=$(now)
    sqlite3 "$@" "$DB" "SELECT * FROM EX_CASE_STAGE_READY WHERE REC_FLAG = 0 ORDER BY ID" \
      >"$TMP/base.out"
    t1=$(now)
    best=$(awk -v a="$t0" -v b="$t1" -v m="$best" 'BEGIN { d = b - a; print (d < m ? d : m) }')
  done
  [[ $(wc -l <"$TMP/base.out") -ge $ROWS ]] || { say "FAILED: the baseline read too few rows"; exit 1; }
  BASE_S=$best
}
baseline
BASE_TEXT_S=$BASE_S
baseline -json
BASE_JSON_S=$BASE_S

# ---- the mock platform and the gateway (only funeral, through db_poll)
MOCK_PORT=$(free_port)
MOCK=http://127.0.0.1:$MOCK_PORT
"$HUITONG" mock-platform --listen "127.0.0.1:$MOCK_PORT" --token "$TOKEN" --threads 16 \
  >"$TMP/mock.out" 2>"$TMP/mock.err" &
PIDS+=($!)
wait_http "mock platform" "$MOCK/exchange/v1/health"

GW_PORT=$(free_port)
mkdir -p "$TMP/gw"
cat >"$TMP/gw/gateway.json" <<JSON
{
  "listen": "127.0.0.1:$GW_PORT",
  "mappings": "$ROOT/mappings",
  "store": {"kind": "sqlite", "path": "$TMP/gw/huitong.db"},
  "platform": {"url": "$MOCK", "token": "$TOKEN", "timeout_ms": 10000},
  "delivery": {"workers": 2, "batch_size": 100, "batch_threshold": 4},
  "ops_token": "bench-ops-token",
  "systems": {
    "funeral": {"adapter": {"kind": "db_poll", "connector": "sqlite", "connection": "$DB",
                            "table": "EX_CASE_STAGE", "batch_rows": $BATCH_ROWS,
                            "poll_ms": 100, "max_backoff_ms": 100}}
  }
}
JSON
"$HUITONG" serve --config "$TMP/gw/gateway.json" >"$TMP/gw/out" 2>"$TMP/gw/log" &
GW_PID=$!
PIDS+=($GW_PID)
wait_http gateway "http://127.0.0.1:$GW_PORT/readyz"

say "renaming the table into place; the gateway takes it from here"
T0=$(now)
sqlite3 "$DB" "ALTER TABLE EX_CASE_STAGE_READY RENAME TO EX_CASE_STAGE"
T_FLAGGED=""
T_DELIVERED=""
deadline=$(($(date +%s) + DRAIN_TIMEOUT))
while (($(date +%s) < deadline)); do
  if [[ -z $T_FLAGGED ]] && [[ $(sqlite3 -cmd ".timeout 5000" "$DB" \
      "SELECT COUNT(*) FROM EX_CASE_STAGE WHERE REC_FLAG = 0") == 0 ]]; then
    T_FLAGGED=$(now)
  fi
  if (($(mock_accepted) >= ROWS)); then
    T_DELIVERED=$(now)
    [[ -n $T_FLAGGED ]] || T_FLAGGED=$T_DELIVERED
    break
  fi
  kill -0 "$GW_PID" 2>/dev/null || { say "FAILED: the gateway exited"; tail -5 "$TMP/gw/log" >&2; exit 1; }
  sleep 0.2
done
if [[ -z $T_DELIVERED ]]; then
  say "FAILED: the mock holds $(mock_accepted) of $ROWS events after ${DRAIN_TIMEOUT}s"
  tail -5 "$TMP/gw/log" >&2
  exit 1
fi
HELD=$(mock_accepted)
INVALID=$(grep -c '"invalid row left unflagged"' "$TMP/gw/log" || true)
RSS=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$GW_PID/status" 2>/dev/null || echo "?")

BASE_TEXT_RATE=$(rate "$ROWS" 0 "$BASE_TEXT_S")
BASE_JSON_RATE=$(rate "$ROWS" 0 "$BASE_JSON_S")
TAKEN_RATE=$(rate "$ROWS" "$T0" "$T_FLAGGED")
DELIVERED_RATE=$(rate "$ROWS" "$T0" "$T_DELIVERED")
cat <<EOT

db_poll benchmark: $ROWS rows, batch_rows $BATCH_ROWS, SQLite front-end table and store
machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $HUITONG

  sqlite3 CLI SELECT (text)        $(secs 0 "$BASE_TEXT_S") s  $(printf '%9s' "$BASE_TEXT_RATE") rows/s
  sqlite3 CLI SELECT (-json)       $(secs 0 "$BASE_JSON_S") s  $(printf '%9s' "$BASE_JSON_RATE") rows/s
  db_poll: every row REC_FLAG = 1  $(secs "$T0" "$T_FLAGGED") s  $(printf '%9s' "$TAKEN_RATE") rows/s  (journaled, mapped, queued)
  db_poll: every event delivered   $(secs "$T0" "$T_DELIVERED") s  $(printf '%9s' "$DELIVERED_RATE") rows/s  (held by the mock platform)

  ratio sqlite3 text / delivered   $(awk -v a="$BASE_TEXT_RATE" -v b="$DELIVERED_RATE" 'BEGIN { printf "%.1fx", a / b }')
  ratio sqlite3 json / delivered   $(awk -v a="$BASE_JSON_RATE" -v b="$DELIVERED_RATE" 'BEGIN { printf "%.1fx", a / b }')
  events held $HELD, invalid rows $INVALID, gateway peak RSS $RSS MiB
EOT
