#!/usr/bin/env bash
# Audit-query benchmark: ENTRIES audit entries (default 1,000,000; a year of realistic traffic,
# a valid hash chain with its anchor, made by huitong_bench_audit_gen through the real
# migrations) in a SQLite store, then, in one run and beside the `sqlite3` CLI running the
# equivalent SQL on the same file:
#   - the first page (100 entries) of filtered queries through `huitong serve`
#     (GET /ops/v1/audit, an auditor's login token) and through `huitong audit query`;
#   - the CSV export of the marriage system's ~100,000 entries (GET /ops/v1/audit/export and
#     `huitong audit query --format csv`) against `sqlite3 -csv` of the same rows to a file;
#   - `huitong audit verify` over the whole chain (beside sqlite3 reading every entry).
# Each measurement runs once cold (the store file's pages dropped from the OS cache with
# posix_fadvise; nothing else on the machine is touched), then RUNS times warm (median).
# Every answer is checked against sqlite3's (same seqs, same row count). Exits non-zero only
# when something failed or an answer differs; never because a number is slow.
#
#   tests/bench/audit/run-audit-bench.sh
#   ENTRIES=100000 BUILD_DIR=build-auditbench tests/bench/audit/run-audit-bench.sh
#   DB=/var/tmp/audit-1m.db tests/bench/audit/run-audit-bench.sh   # keep / reuse the store
#
# Environment: ENTRIES (default 1000000), RUNS (warm repetitions, default 5), BUILD_DIR
# (default build; huitong and huitong_bench_audit_gen are built there), DB (a store file to
# reuse, or to generate and keep; default: generated in a temp dir and removed).
set -euo pipefail

ENTRIES=${ENTRIES:-1000000}
RUNS=${RUNS:-5}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
BUILD=${BUILD_DIR:-build}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD
cd "$ROOT"
say() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

for tool in sqlite3 curl python3 jq; do
  command -v "$tool" >/dev/null || { say "$tool is required (apt-get install $tool)"; exit 2; }
done
say "building huitong and huitong_bench_audit_gen in $BUILD"
[[ -f $BUILD/CMakeCache.txt ]] || cmake -S . -B "$BUILD" -G Ninja >/dev/null
cmake --build "$BUILD" -j2 --target huitong huitong_bench_audit_gen >/dev/null
HUITONG=$BUILD/gateway/app/huitong
GEN=$BUILD/tests/bench/audit/huitong_bench_audit_gen

TMP=$(mktemp -d /tmp/huitong-audit-bench.XXXXXX)
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

# ---- the store
DB=${DB:-$TMP/huitong.db}
if [[ -f $DB ]]; then
  say "reusing $DB ($(sqlite3 "$DB" 'SELECT entry_count FROM audit_anchor') entries)"
  GEN_S=""
else
  say "generating $ENTRIES audit entries in $DB"
  t0=$EPOCHREALTIME
  "$GEN" --db "$DB" --entries "$ENTRIES" >"$TMP/gen.out"
  GEN_S=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
fi
DB_MB=$(du -m "$DB" | cut -f1)

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
CONFIG=$TMP/gateway.json
cat >"$CONFIG" <<JSON
{
  "listen": "127.0.0.1:$PORT",
  "mappings": "$ROOT/mappings",
  "store": {"kind": "sqlite", "path": "$DB"},
  "platform": {"url": "http://127.0.0.1:9", "token": "unused", "timeout_ms": 1000},
  "systems": {}
}
JSON

# An auditor account (a new name each run: a kept store may hold earlier ones).
AUDITOR=bench.auditor.$(date +%H%M%S)
PASSWORD=bench-auditor-password-$RANDOM$RANDOM
echo "$PASSWORD" | "$HUITONG" user create --config "$CONFIG" --name "$AUDITOR" --role auditor \
  >/dev/null

"$HUITONG" serve --config "$CONFIG" >"$TMP/serve.out" 2>"$TMP/serve.log" &
GW_PID=$!
PIDS+=($GW_PID)
for i in $(seq 1 300); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/readyz" || true) != 000 ]] &&
    break
  kill -0 "$GW_PID" 2>/dev/null || { say "FAILED: huitong serve exited"; tail -5 "$TMP/serve.log" >&2; exit 1; }
  sleep 0.2
done
TOKEN=$(curl -s --fail -H 'Content-Type: application/json' \
  -d "{\"name\":\"$AUDITOR\",\"password\":\"$PASSWORD\"}" "$BASE/auth/v1/login" | jq -r .token)
[[ -n $TOKEN && $TOKEN != null ]] || { say "FAILED: the auditor's login"; exit 1; }

# ---- timing helpers
evict() {  # drops the store's pages from the OS cache (this file only)
  python3 - "$DB" "$DB-wal" <<'PY'
import os, sys
for p in sys.argv[1:]:
    if os.path.exists(p):
        fd = os.open(p, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
PY
}
ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
  if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf (a / b < 1 ? "%.2fx" : "%.1fx"), a / b; else print "-" }'; }

# One timed run of each kind; the output goes to $TMP/<kind>.out, the ms to stdout.
COLUMNS_SQL="seq, strftime('%Y-%m-%dT%H:%M:%f', at / 1000.0, 'unixepoch', '+8 hours') || '+08:00' AS at,
 actor, role, action, target, system, item, before_json, after_json, alg, prev_hash, hash"
sqlite_stmt() {  # where limit mode: the statement's own time (.timer), without process start
  # .timer reports only for statements read from standard input, not for an argument
  printf '.timer on\nSELECT %s FROM audit_entry WHERE %s ORDER BY seq %s;\n' "$COLUMNS_SQL" "$1" "$2" |
    sqlite3 -readonly "-$3" "$DB" >"$TMP/sqlite.raw" || return 1
  grep -v '^Run Time:' "$TMP/sqlite.raw" >"$TMP/sqlite.out"
  grep '^Run Time:' "$TMP/sqlite.raw" | awk '{ printf "%.1f", $4 * 1000 }'
}
sqlite_proc() {  # where limit mode: the whole sqlite3 process
  local t0=$EPOCHREALTIME
  sqlite3 -readonly "-$3" "$DB" "SELECT $COLUMNS_SQL FROM audit_entry WHERE $1 ORDER BY seq $2" \
    >"$TMP/sqlite.out" || return 1
  ms_since "$t0"
}
api() {  # path?query: curl's time for the request (connect to last byte)
  local r
  r=$(curl -s -o "$TMP/api.out" -w '%{http_code} %{time_total}' \
    -H "Authorization: Bearer $TOKEN" "$BASE$1") || true
  [[ ${r%% *} == 200 ]] || { say "FAILED: GET $1 answered ${r%% *}: $(head -c 300 "$TMP/api.out")"; return 1; }
  awk -v s="${r#* }" 'BEGIN { printf "%.1f", s * 1000 }'
}
cli() {  # args...: the whole `huitong audit query` process
  local t0=$EPOCHREALTIME
  "$HUITONG" audit query --config "$CONFIG" "$@" >"$TMP/cli.out" || return 1
  ms_since "$t0"
}
# cold then RUNS warm: "cold median"
measure() {  # fn args...
  local cold v warm=() k
  evict
  cold=$("$@") || return 1
  for k in $(seq 1 "$RUNS"); do
    v=$("$@") || return 1
    warm+=("$v")
  done
  echo "$cold $(echo "${warm[*]}" | median)"
}

rfc_ms() { echo $(($(date -d "$1" +%s) * 1000)); }

# ---- the filters: API query string | CLI arguments | SQL WHERE
ITEM=$(sqlite3 -readonly "$DB" "SELECT item FROM audit_entry WHERE system = 'funeral' AND item <> '' ORDER BY seq LIMIT 1 OFFSET 40")
ACTOR=zhou.min
MAR_FROM=2026-03-01T00:00:00+08:00
MAR_TO=2026-03-31T23:59:59+08:00
JUN_FROM=2026-06-01T00:00:00+08:00
JUN_TO=2026-06-30T23:59:59+08:00
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
NAMES=("item" "actor" "action + time range (March)" "system + time range (June)"
  "target substring (frequent)" "target substring (rare: full scan)")
QS=("item=$ITEM" "actor=$ACTOR"
  "action=filing.move.refused&since=$(enc $MAR_FROM)&until=$(enc $MAR_TO)"
  "system=funeral&since=$(enc $JUN_FROM)&until=$(enc $JUN_TO)"
  "target=$(enc 'staff zhou.min')" "target=$(enc 'staff lu.xin3')")
CLI_ARGS=("--item $ITEM" "--actor $ACTOR"
  "--action filing.move.refused --since $MAR_FROM --until $MAR_TO"
  "--system funeral --since $JUN_FROM --until $JUN_TO"
  "--target staff@zhou.min" "--target staff@lu.xin3")
WHERE=("item = '$ITEM'" "actor = '$ACTOR'"
  "action = 'filing.move.refused' AND at >= $(rfc_ms $MAR_FROM) AND at <= $(rfc_ms $MAR_TO)"
  "system = 'funeral' AND at >= $(rfc_ms $JUN_FROM) AND at <= $(rfc_ms $JUN_TO)"
  "instr(target, 'staff zhou.min') > 0" "instr(target, 'staff lu.xin3') > 0")

say "first pages (cold, then median of $RUNS warm)"
ROWS_OUT=()
for i in "${!NAMES[@]}"; do
  read -r -a cli_args <<<"${CLI_ARGS[$i]}"
  cli_args=("${cli_args[@]//@/ }")
  r=$(measure sqlite_stmt "${WHERE[$i]}" "LIMIT 100" json) || exit 1
  read -r s_cold s_warm <<<"$r"
  want=$(jq -c '[.[].seq]' "$TMP/sqlite.out" 2>/dev/null || echo '[]')
  r=$(measure sqlite_proc "${WHERE[$i]}" "LIMIT 100" json) || exit 1
  read -r p_cold p_warm <<<"$r"
  r=$(measure api "/ops/v1/audit?${QS[$i]}&limit=100") || exit 1
  read -r a_cold a_warm <<<"$r"
  got=$(jq -c '[.entries[].seq]' "$TMP/api.out")
  [[ $got == "$want" ]] || { say "FAILED: ${NAMES[$i]}: the API's page differs from sqlite3's"; exit 1; }
  r=$(measure cli "${cli_args[@]}" --limit 100) || exit 1
  read -r c_cold c_warm <<<"$r"
  got=$(jq -c '[.[].seq]' "$TMP/cli.out")
  [[ $got == "$want" ]] || { say "FAILED: ${NAMES[$i]}: the CLI's page differs from sqlite3's"; exit 1; }
  n=$(jq length <<<"$want")
  ROWS_OUT+=("$(printf '| %s | %s | %s / %s | %s / %s | %s / %s | %s | %s / %s | %s |' \
    "${NAMES[$i]}" "$n" "$s_cold" "$s_warm" "$p_cold" "$p_warm" "$a_cold" "$a_warm" \
    "$(ratio "$a_warm" "$s_warm")" "$c_cold" "$c_warm" "$(ratio "$c_warm" "$p_warm")")")
  say "  ${NAMES[$i]}: $n rows; API ${a_cold}/${a_warm} ms, sqlite3 ${s_cold}/${s_warm} ms"
done

# ---- the export: every entry of the marriage system (~100,000)
say "CSV export of system=marriage (cold, then median of 3 warm)"
EXPORT_WHERE="system = 'marriage'"
EXPORT_N=$(sqlite3 -readonly "$DB" "SELECT COUNT(*) FROM audit_entry WHERE $EXPORT_WHERE")
RUNS_SAVED=$RUNS
RUNS=3
s_time() { local t0=$EPOCHREALTIME; sqlite3 -readonly -csv -header "$DB" \
  "SELECT $COLUMNS_SQL FROM audit_entry WHERE $EXPORT_WHERE ORDER BY seq" \
  >"$TMP/export.sqlite.csv" || return 1; ms_since "$t0"; }
a_time() { local r; r=$(curl -s -o "$TMP/export.api.csv" -w '%{http_code} %{time_total}' \
  -H "Authorization: Bearer $TOKEN" "$BASE/ops/v1/audit/export?system=marriage&format=csv") || true
  [[ ${r%% *} == 200 ]] || { say "FAILED: export answered ${r%% *}"; return 1; }
  awk -v s="${r#* }" 'BEGIN { printf "%.1f", s * 1000 }'; }
c_time() { local t0=$EPOCHREALTIME; "$HUITONG" audit query --config "$CONFIG" --system marriage \
  --format csv >"$TMP/export.cli.csv" || return 1; ms_since "$t0"; }
r=$(measure s_time) || exit 1
read -r es_cold es_warm <<<"$r"
r=$(measure a_time) || exit 1
read -r ea_cold ea_warm <<<"$r"
r=$(measure c_time) || exit 1
read -r ec_cold ec_warm <<<"$r"
RUNS=$RUNS_SAVED
lines() { python3 -c 'import csv, sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))) - 1)' "$1"; }
for f in export.sqlite.csv export.api.csv export.cli.csv; do
  n=$(lines "$TMP/$f")
  [[ $n == "$EXPORT_N" ]] || { say "FAILED: $f holds $n rows, not $EXPORT_N"; exit 1; }
done
cmp -s "$TMP/export.api.csv" "$TMP/export.cli.csv" ||
  { say "FAILED: the API's and the CLI's CSV differ"; exit 1; }
EXPORT_MB=$(du -m "$TMP/export.api.csv" | cut -f1)
sec() { awk -v m="$1" 'BEGIN { printf "%.2f", m / 1000 }'; }

# ---- what a process start costs, apart from any query (the CLI columns include it)
start_ms() { local t0=$EPOCHREALTIME; "$@" >/dev/null 2>&1 || return 1; ms_since "$t0"; }
r=$(measure start_ms "$HUITONG" audit --help) || exit 1
HUITONG_START=${r#* }
r=$(measure start_ms sqlite3 -version) || exit 1
SQLITE_START=${r#* }

# ---- verify the whole chain
say "huitong audit verify over the whole chain"
evict
t0=$EPOCHREALTIME
sqlite3 -readonly "$DB" "SELECT $COLUMNS_SQL FROM audit_entry ORDER BY seq" >/dev/null
SCAN_MS=$(ms_since "$t0")
evict
t0=$EPOCHREALTIME
"$HUITONG" audit verify --config "$CONFIG" >"$TMP/verify.out" 2>/dev/null ||
  { say "FAILED: audit verify: $(cat "$TMP/verify.out")"; exit 1; }
VERIFY_MS=$(ms_since "$t0")
RSS=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$GW_PID/status" 2>/dev/null || echo "?")

cat <<EOT

audit benchmark: $(sqlite3 -readonly "$DB" 'SELECT entry_count FROM audit_anchor') entries, SQLite store $DB_MB MiB${GEN_S:+, generated in $GEN_S s}
machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(sqlite3 --version | cut -d' ' -f1); $HUITONG

First page (100 entries), ms, cold / warm median of $RUNS. "sqlite3 stmt" is the statement's own
time (.timer), compared with the API (curl's request time); "sqlite3 proc" is the whole sqlite3
process, compared with the whole \`huitong audit query\` process.

| filter | rows | sqlite3 stmt | sqlite3 proc | API | API / sqlite3 stmt | CLI | CLI / sqlite3 proc |
|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${ROWS_OUT[@]}")

CSV export, system=marriage: $EXPORT_N entries, $EXPORT_MB MiB; s, cold / warm median of 3

| sqlite3 -csv to a file | GET /ops/v1/audit/export | ratio | huitong audit query --format csv | ratio |
|---|---|---|---|---|
| $(sec "$es_cold") / $(sec "$es_warm") | $(sec "$ea_cold") / $(sec "$ea_warm") | $(ratio "$ea_warm" "$es_warm") | $(sec "$ec_cold") / $(sec "$ec_warm") | $(ratio "$ec_warm" "$es_warm") |

huitong audit verify (cold): $(sec "$VERIFY_MS") s — $(cat "$TMP/verify.out" | cut -c1-60)…
sqlite3 reading every entry in seq order (cold, for scale): $(sec "$SCAN_MS") s
process start alone, warm median: huitong audit --help $HUITONG_START ms, sqlite3 -version $SQLITE_START ms
huitong serve peak RSS: $RSS MiB
EOT
