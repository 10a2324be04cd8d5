#!/usr/bin/env bash
# Gateway benchmark: signed marriage submissions through `huitong serve` (signature check,
# durable SQLite journal, mapping, validation, outbox, delivery to the mock platform) against
# the same flow on Node-RED 4 and against nginx answering a static 202 (the ceiling), in one
# run, with the same load client (huitong_bench_load). Prints accepted msgs/s, p50/p99, peak
# RSS and the ratios. Exits non-zero only when something crashed, answered errors, or the
# mock platform did not receive every accepted message; never because a number is slow.
#
#   tests/bench/gateway/run-gateway-bench.sh
#   DURATION=10 tests/bench/gateway/run-gateway-bench.sh
#
# Order: mock platform; gateway A (empty store) at a fixed RATE; gateway B (empty store) closed
# loop, drain, then the fixed RATE again on its now full store; Node-RED (file, fsync); nginx.
#
# Environment: DURATION (closed-loop seconds per target, default 20), CONNECTIONS (default 32),
# WARMUP (seconds of unmeasured load before each measured run, default 5), RATE (the
# fixed-rate run against the gateway, msgs/s, default 1000), RATE_DURATION (default 15),
# NODERED_PERSIST (file: the core file node, no fsync; fsync: a function node that fdatasyncs
# every message; both: measure both, the default), DRAIN_TIMEOUT (seconds to wait for the
# gateway's outbox to reach the mock, default 300), BUILD_DIR (default build-bench), TARGETS
# (default "gateway nodered nginx"; the gateway always runs, TARGETS=gateway leaves the peers
# out: a quick check of a gateway change, without the ratios).
set -euo pipefail

DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-5}
RATE=${RATE:-1000}
RATE_DURATION=${RATE_DURATION:-15}
NODERED_PERSIST=${NODERED_PERSIST:-both}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-300}
TARGETS=${TARGETS:-gateway nodered nginx}
wanted() { [[ " $TARGETS " == *" $1 "* ]]; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HERE=$ROOT/tests/bench/gateway
BUILD=${BUILD_DIR:-$ROOT/build-bench}
KEY_ID=marriage-bench-1
SECRET=bench-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
TOKEN=bench-platform-token
BODY=$ROOT/mappings/marriage/tests/divorce-accepted.json
RUN_ID=$(date +%H%M%S)

cd "$ROOT"
say() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

# ---- tools
apt_install() {  # waits for another apt/dpkg run holding the lock (bounded)
  local i
  for i in $(seq 1 30); do
    if apt-get install -y "$@" >/dev/null 2>&1; then return 0; fi
    apt-get update >/dev/null 2>&1 || true
    sleep 10
  done
  say "could not install $*"
  exit 2
}
missing=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  apt_install "${missing[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v node >/dev/null || { say "node (Node.js 20) is required"; exit 2; }
if [[ ! -f $HERE/.node/node_modules/node-red/package.json ]]; then
  say "installing node-red@4 into tests/bench/gateway/.node"
  npm install --prefix "$HERE/.node" --no-audit --no-fund node-red@4 >/dev/null
fi
NODERED_VERSION=$(node -p "require('$HERE/.node/node_modules/node-red/package.json').version")
NODE_VERSION=$(node --version)
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's/.*: //')

# ---- build
say "building huitong and huitong_bench_load (Release) in $BUILD"
for attempt in 1 2 3; do
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -G Ninja >/dev/null && break
  ((attempt == 3)) && { say "configure failed"; exit 2; }
  say "configure failed; retrying in 60 s"
  sleep 60
done
cmake --build "$BUILD" --target huitong huitong_bench_load >/dev/null
HUITONG=$BUILD/gateway/app/huitong
LOAD=$BUILD/tests/bench/gateway/huitong_bench_load

# ---- processes: every one started here is stopped by its pid on exit
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  local pid i
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
stop() {  # pid: stops one process started here and forgets it
  local pid=$1 i keep=()
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for i in "${PIDS[@]}"; do [[ $i == "$pid" ]] || keep+=("$i"); done
  PIDS=("${keep[@]}")
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_http() {  # name url [curl args...]: until it answers anything, at most 60 s
  local name=$1 url=$2 i
  shift 2
  for i in $(seq 1 300); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" || true) != 000 ]] && return 0
    sleep 0.2
  done
  say "FAILED: $name did not answer at $url within 60 s"
  exit 1
}
# Peak resident set (VmHWM, KiB) and CPU ticks of a process and its children (nginx workers).
family() { echo "$1"; ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ' || true; }
hwm_kib() {
  local sum=0 p v
  for p in $(family "$1"); do
    v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}
cpu_ticks() {
  local sum=0 p v
  for p in $(family "$1"); do
    v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}
HZ=$(getconf CLK_TCK)
field() { sed -n "s/^$1=//p" "$2"; }
mock_accepted() {
  curl -s --max-time 5 "$MOCK/control/v1/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accepted"])'
}

failed=0
# load NAME URL DURATION [extra args]: the client against URL, output in $TMP/NAME.out
load() {
  local name=$1 url=$2 seconds=$3
  shift 3
  "$LOAD" --url "$url" --body-file "$BODY" --connections "$CONNECTIONS" --duration "$seconds" \
    --key-id "$KEY_ID" --secret "$SECRET" --prefix "HB$RUN_ID-$name" "$@" >"$TMP/$name.out"
  if [[ $(field non2xx "$TMP/$name.out") != 0 || $(field errors "$TMP/$name.out") != 0 ]]; then
    say "FAILED: $name: $(field non2xx "$TMP/$name.out") non-2xx ($(field non2xx_statuses "$TMP/$name.out")), $(field errors "$TMP/$name.out") without answer"
    failed=1
  fi
}

rows=()
# measure NAME LABEL URL PID: warm-up, then the measured closed-loop run; adds a table row
measure() {
  local name=$1 label=$2 url=$3 pid=$4 t0 t1 cpu
  if ((WARMUP > 0)); then load "$name-warm" "$url" "$WARMUP"; fi
  t0=$(cpu_ticks "$pid")
  LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
  load "$name" "$url" "$DURATION"
  LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)
  t1=$(cpu_ticks "$pid")
  cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" 'BEGIN { printf "%.1f", (b - a) / hz }')
  local out=$TMP/$name.out
  rows+=("$(printf '%-30s %9s %8s %8s %8s %9s %8s %10s %11s' "$label" "$(field rate "$out")" \
    "$(field p50_ms "$out")" "$(field p99_ms "$out")" "$(field max_ms "$out")" \
    "$(awk -v k="$(hwm_kib "$pid")" 'BEGIN { printf "%.1f", k / 1024 }')" "$cpu" \
    "$(awk -v n="$(field ok "$out")" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }')" \
    "$LOAD_BEFORE→$LOAD_AFTER")")
  say "$label: $(field rate "$out") msgs/s, p50 $(field p50_ms "$out") ms, p99 $(field p99_ms "$out") ms"
}

LOADS_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the mock platform (receives the gateway's and Node-RED's deliveries)
MOCK_PORT=$(free_port)
MOCK=http://127.0.0.1:$MOCK_PORT
"$HUITONG" mock-platform --listen "127.0.0.1:$MOCK_PORT" --token "$TOKEN" --threads 64 \
  >"$TMP/mock.out" 2>/dev/null &
PIDS+=($!)
wait_http "mock platform" "$MOCK/exchange/v1/health"

# ---- (a) the gateway; each phase below starts one on a new, empty store
start_gateway() {  # store dir name: sets GW, GW_PID
  local dir=$TMP/$1 port
  port=$(free_port)
  GW=http://127.0.0.1:$port
  mkdir -p "$dir"
  cat >"$dir/gateway.json" <<EOF
{
  "listen": "127.0.0.1:$port",
  "threads": 64,
  "mappings": "$ROOT/mappings",
  "store": {"kind": "sqlite", "path": "$dir/huitong.db"},
  "platform": {"url": "$MOCK", "token": "$TOKEN", "timeout_ms": 10000},
  "delivery": {"workers": 2, "batch_size": 100, "batch_threshold": 4},
  "ops_token": "bench-ops-token",
  "systems": {
    "marriage": {"auth": "signature",
                 "keys": [{"key_id": "$KEY_ID", "alg": "hmac-sha256", "secret": "$SECRET"}]}
  }
}
EOF
  "$HUITONG" serve --config "$dir/gateway.json" >"$dir/log" 2>&1 &
  GW_PID=$!
  PIDS+=($GW_PID)
  wait_http gateway "$GW/readyz"
}
mkdir -p "$TMP/gateway"

# drain: every message the gateway accepted must reach the mock (one event per message)
GW_ACCEPTED=0  # messages accepted so far (warm-ups included)
drain() {  # waits until the mock holds GW_ACCEPTED events; sets DRAIN_S, DRAIN_GOT
  local start=$SECONDS got=0
  while ((SECONDS - start < DRAIN_TIMEOUT)); do
    got=$(mock_accepted)
    ((got >= GW_ACCEPTED)) && break
    sleep 0.5
  done
  DRAIN_S=$((SECONDS - start))
  DRAIN_GOT=$got
  if ((got != GW_ACCEPTED)); then
    say "FAILED: the mock platform holds $got events, the gateway accepted $GW_ACCEPTED"
    failed=1
  fi
}
accepted() { GW_ACCEPTED=$((GW_ACCEPTED + $(field ok "$TMP/$1.out"))); }
# The gateway's own view of a run: huitong_http_request_duration_seconds buckets between two
# scrapes; a percentile is reported as "at most the bound of the bucket holding it".
server_pct() {  # p before after
  awk -v p="$1" '
    FNR == NR && /^huitong_http_request_duration_seconds_bucket/ { match($0, /le="[^"]*"/); b[substr($0, RSTART + 4, RLENGTH - 5)] = $2; next }
    /^huitong_http_request_duration_seconds_bucket/ {
      match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); n = $2 - b[le]
      les[++k] = le; cnt[k] = n }
    END { total = cnt[k]; for (i = 1; i <= k; ++i) if (cnt[i] >= p * total) {
            print (les[i] == "+Inf" ? "> " les[i-1] * 1000 : "<= " les[i] * 1000) " ms"; exit } }' \
    "$2" "$3"
}
pending_in() { awk '/^huitong_outbox_pending /{ print $2 }' "$1"; }
RATE_REPORT=()
# (d) fixed_rate NAME LABEL: open loop at RATE msgs/s, then the drain; adds to RATE_REPORT
fixed_rate() {
  local name=$1 label=$2 out=$TMP/$1.out rows
  rows=$(store_rows)
  say "gateway ($label): open loop at $RATE msgs/s for $RATE_DURATION s"
  curl -s "$GW/metrics" >"$TMP/gateway/metrics.before-$name"
  load "$name" "$GW/intake/v1/marriage" "$RATE_DURATION" --rate "$RATE"
  curl -s "$GW/metrics" >"$TMP/gateway/metrics.after-$name"
  accepted "$name"
  local sp50 sp99
  sp50=$(server_pct 0.50 "$TMP/gateway/metrics.before-$name" "$TMP/gateway/metrics.after-$name")
  sp99=$(server_pct 0.99 "$TMP/gateway/metrics.before-$name" "$TMP/gateway/metrics.after-$name")
  drain
  RATE_REPORT+=("$label ($rows outbox rows at the start):"
    "  client: $(field rate "$out") msgs/s, p50 $(field p50_ms "$out") ms, p90 $(field p90_ms "$out") ms, p99 $(field p99_ms "$out") ms, max $(field max_ms "$out") ms; $(field late "$out") of $(field requests "$out") requests sent > 1 ms late"
    "  gateway's own histogram (huitong_http_request_duration_seconds): p50 $sp50, p99 $sp99"
    "  outbox pending: $(pending_in "$TMP/gateway/metrics.before-$name") at the start, $(pending_in "$TMP/gateway/metrics.after-$name") at the end; drained to the mock $DRAIN_S s after the load stopped ($DRAIN_GOT of $GW_ACCEPTED)")
  P99_LINE+=("p99 at $RATE msgs/s, $label = $(field p99_ms "$out") ms ($(awk -v p="$(field p99_ms "$out")" -v r="$(field rate "$out")" -v t="$RATE" 'BEGIN { print (p < 25 && r >= 0.98 * t ? "meets" : "MISSES") }') the < 25 ms target)")
}
store_rows() {  # rows in the outbox (delivered ones included), from the intake counter
  awk '/^huitong_intake_messages_total/ { n += $2 } END { print n + 0 }' <(curl -s "$GW/metrics")
}
P99_LINE=()

start_gateway gateway-a
fixed_rate gateway-rate-fresh "fresh store"
stop "$GW_PID"

start_gateway gateway-b

say "gateway: $CONNECTIONS connections, ${WARMUP}+${DURATION} s"
measure gateway "huitong serve" "$GW/intake/v1/marriage" "$GW_PID"
[[ -f $TMP/gateway-warm.out ]] && accepted gateway-warm
accepted gateway
say "waiting for the gateway's outbox to drain to the mock ($GW_ACCEPTED events)"
drain
GW_DRAIN="$DRAIN_GOT of $GW_ACCEPTED accepted messages delivered to the mock; the closed-loop run's backlog drained $DRAIN_S s after its load stopped"
say "$GW_DRAIN"

fixed_rate gateway-rate-aged "after the closed-loop run"
curl -s "$GW/metrics" >"$TMP/gateway/metrics.end"
stop "$GW_PID"

# ---- (b) Node-RED: the same flow (JSONata mapping, persist, deliver, answer 202)
nodered() {  # persist mode
  local mode=$1 dir=$TMP/nodered-$1 port pid before
  mkdir -p "$dir"
  port=$(free_port)
  node "$HERE/make-nodered-flow.mjs" --user-dir "$dir" --port "$port" --platform "$MOCK" \
    --token "$TOKEN" --journal "$dir/journal.ndjson" --persist "$mode"
  : >"$dir/journal.ndjson"
  node "$HERE/.node/node_modules/node-red/red.js" --userDir "$dir" --settings "$dir/settings.js" \
    >"$dir/log" 2>&1 &
  pid=$!
  PIDS+=($pid)
  wait_http "Node-RED ($mode)" "http://127.0.0.1:$port/intake/v1/marriage"
  before=$(mock_accepted)
  say "Node-RED $NODERED_VERSION, persist=$mode: $CONNECTIONS connections, ${WARMUP}+${DURATION} s"
  local label="Node-RED (file node, no fsync)"
  [[ $mode == fsync ]] && label="Node-RED (fdatasync/message)"
  measure "nodered-$mode" "$label" "http://127.0.0.1:$port/intake/v1/marriage" "$pid"
  local ok=$(($(field ok "$TMP/nodered-$mode-warm.out" 2>/dev/null || echo 0) + $(field ok "$TMP/nodered-$mode.out")))
  sleep 1
  local got=$(($(mock_accepted) - before)) lines
  lines=$(wc -l <"$dir/journal.ndjson")
  NODERED_CHECK+=("Node-RED ($mode): $ok accepted, $got delivered to the mock, $lines journal lines")
  if ((got != ok || lines < ok)); then
    say "FAILED: Node-RED ($mode) accepted $ok, the mock received $got, the journal has $lines lines"
    failed=1
  fi
  if grep -qi error "$dir/log"; then say "Node-RED log:"; head -n 5 "$dir/log" >&2; fi
  stop "$pid"
}
NODERED_CHECK=()
if wanted nodered; then
  curl -s -X POST "$MOCK/control/v1/reset" >/dev/null
  case $NODERED_PERSIST in
    file | fsync) nodered "$NODERED_PERSIST" ;;
    both) nodered file; nodered fsync ;;
    *) say "NODERED_PERSIST must be file, fsync or both"; exit 2 ;;
  esac
fi

# ---- (c) nginx: a static 202, the ceiling of this client on this machine
if wanted nginx; then
NGX_PORT=$(free_port)
mkdir -p "$TMP/nginx"
cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGX_PORT;
    location / {
      default_type application/json;
      return 202 '{"message_id":"m-static","events":["marriage:static:accept:1:v1"],"rejected":[]}';
    }
  }
}
EOF
"$NGINX" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' &
NGX_PID=$!
PIDS+=($NGX_PID)
wait_http nginx "http://127.0.0.1:$NGX_PORT/"
say "nginx $NGINX_VERSION: $CONNECTIONS connections, ${WARMUP}+${DURATION} s"
measure nginx "nginx static 202 (2 workers)" "http://127.0.0.1:$NGX_PORT/intake/v1/marriage" "$NGX_PID"
stop "$NGX_PID"
fi

# ---- report
rate_of() { field rate "$TMP/$1.out"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
GW_RATE=$(rate_of gateway)
echo
echo "Gateway benchmark: signed marriage submissions, $CONNECTIONS keep-alive connections, ${DURATION} s each (after ${WARMUP} s warm-up)"
echo "huitong serve (SQLite journal synchronous=FULL, delivery on), Node-RED $NODERED_VERSION on node $NODE_VERSION, nginx $NGINX_VERSION"
echo "$(nproc) cores shared by server, load client and anything else running; load average $LOADS_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
printf '%-30s %9s %8s %8s %8s %9s %8s %10s %11s\n' target "msgs/s" "p50 ms" "p99 ms" "max ms" \
  "peak MiB" "srv cpu" "msgs/cpu-s" "load 1m"
printf '%s\n' "${rows[@]}"
echo "msgs/s: 2xx answers per second; latency: request sent → answer read; peak MiB: VmHWM (nginx: master + workers);"
echo "srv cpu: the server's CPU seconds during the measured run (the client's are not counted)"
echo
echo "gateway at a fixed $RATE msgs/s (open loop, latency from each request's due time), $RATE_DURATION s:"
printf '%s\n' "${RATE_REPORT[@]}"
echo
NR_FILE=$( [[ -f $TMP/nodered-file.out ]] && rate_of nodered-file || echo 0)
NR_FSYNC=$( [[ -f $TMP/nodered-fsync.out ]] && rate_of nodered-fsync || echo 0)
if [[ -f $TMP/nodered-file.out ]]; then
  R=$(ratio "$GW_RATE" "$NR_FILE")
  echo "gateway/Node-RED (file node, no fsync) = ${R}x  ($(awk -v r="$R" 'BEGIN { print (r >= 5 ? "meets" : "BELOW") }') the 5x target)"
fi
if [[ -f $TMP/nodered-fsync.out ]]; then
  R=$(ratio "$GW_RATE" "$NR_FSYNC")
  echo "gateway/Node-RED (fdatasync/message)   = ${R}x  ($(awk -v r="$R" 'BEGIN { print (r >= 5 ? "meets" : "BELOW") }') the 5x target)"
fi
if [[ -f $TMP/nginx.out ]]; then
  R=$(ratio "$GW_RATE" "$(rate_of nginx)")
  echo "gateway/nginx static                  = ${R}   ($(awk -v r="$R" 'BEGIN { print (r >= 0.25 ? "reaches" : "below") }') the 0.25 goal)"
fi
printf '%s\n' "${P99_LINE[@]}"
echo
echo "checks: $GW_DRAIN"
for c in "${NODERED_CHECK[@]}"; do echo "        $c"; done
grep -E '^huitong_(http_request_duration_seconds|delivery_latency_seconds)_(sum|count)|^huitong_(delivered_events_total|delivery_attempts_total|dead_letters_total|outbox_pending|intake_messages_total)' \
  "$TMP/gateway/metrics.end" | sed 's/^/        metrics: /' || true
if ((failed)); then
  echo "FAILED: see the messages above"
  exit 1
fi
