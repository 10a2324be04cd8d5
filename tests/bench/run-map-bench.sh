#!/usr/bin/env bash
# Map+validate throughput of the marriage mapping: huitong_bench_map against the same
# transformation in jq (marriage.jq) and JSONata (marriage.jsonata), over the same generated
# messages, in one run. Prints events/s, peak RSS and the ratios. Exits non-zero only when
# something crashed or the three disagree on the output, never because of slow numbers.
#
#   tests/bench/run-map-bench.sh              # N=200000 messages, peers on the first 50000
#   N=20000 tests/bench/run-map-bench.sh      # smaller
#   PEER_N=200000 tests/bench/run-map-bench.sh   # peers over the whole batch (~10 min)
#
# Environment: N (messages, default 200000), PEER_N (messages given to jq and JSONata: the
# first PEER_N of the batch, default min(N, 50000) to keep the run to a few minutes),
# COMPARE_N (messages compared output for output, default 1000), SEED, BUILD_DIR
# (default build-bench), THREADS (the parallel figure, default 2).
set -euo pipefail

N=${N:-200000}
PEER_N=${PEER_N:-$((N < 50000 ? N : 50000))}
((PEER_N > N)) && PEER_N=$N
COMPARE_N=${COMPARE_N:-1000}
((COMPARE_N > PEER_N)) && COMPARE_N=$PEER_N
SEED=${SEED:-20261128}
THREADS=${THREADS:-2}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BENCH=$ROOT/tests/bench
BUILD=${BUILD_DIR:-$ROOT/build-bench}
# One fixed clock for all three: future_time must not depend on the machine's date.
NOW=2026-12-01T00:00:00+08:00
LATEST=2026-12-01T00:05:00  # NOW + 5 minutes, Beijing time
RECEIVED_AT=2026-12-01T00:00:00+08:00

cd "$ROOT"
say() { printf '%s\n' "$*" >&2; }

# ---- tools
missing=()
command -v jq >/dev/null || missing+=(jq)
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  apt-get install -y "${missing[@]}" >/dev/null || { apt-get update >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; }
fi
command -v node >/dev/null || { say "node (Node.js) is required"; exit 2; }
if [[ ! -f $BENCH/.node/node_modules/jsonata/package.json ]]; then
  say "installing jsonata@2 into tests/bench/.node"
  npm install --prefix "$BENCH/.node" --no-audit --no-fund jsonata@2 >/dev/null
fi
JQ_VERSION=$(jq --version)
JSONATA_VERSION=$(node -p "require('$BENCH/.node/node_modules/jsonata/package.json').version")
NODE_VERSION=$(node --version)

# ---- build
say "building huitong_bench_map (Release) in $BUILD"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -G Ninja >/dev/null
cmake --build "$BUILD" --target huitong_bench_map >/dev/null
BIN=$BUILD/tests/bench/huitong_bench_map

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

say "generating $N messages (seed $SEED)"
"$BIN" --generate "$TMP/messages.ndjson" --count "$N" --seed "$SEED" >&2
head -n "$PEER_N" "$TMP/messages.ndjson" >"$TMP/peer.ndjson"

failed=0
# measure NAME CMD...: runs CMD under /usr/bin/time; sets WALL, CPU, RSS_KIB.
measure() {
  local name=$1
  shift
  if ! /usr/bin/time -f '%e %U %S %M' -o "$TMP/$name.time" "$@"; then
    say "FAILED: $name exited with an error (see above)"
    failed=1
  fi
  read -r WALL user sys RSS_KIB <"$TMP/$name.time" || true
  CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
}
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" "$2"; }

rows=()
row() {  # name messages events rejected wall cpu rss_kib
  local rate
  rate=$(awk -v n=$(($3 + $4)) -v w="$5" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')
  rows+=("$(printf '%-28s %9s %9s %8s %8s %8s %11s %9.1f' "$1" "$2" "$3" "$4" "$5" "$6" "$rate" \
    "$(awk -v k="$7" 'BEGIN { print k / 1024 }')")")
  LAST_RATE=$rate
}

say "huitong, 1 thread, $N messages"
measure ours1 "$BIN" --run "$TMP/messages.ndjson" --threads 1 --now "$NOW" >"$TMP/ours1.out"
cat "$TMP/ours1.out" >&2
row "huitong (1 thread)" "$(field messages "$TMP/ours1.out")" "$(field events "$TMP/ours1.out")" \
  "$(field rejected "$TMP/ours1.out")" "$WALL" "$CPU" "$RSS_KIB"
OURS_RATE=$LAST_RATE
OURS_CPU_RATE=$(awk -v n=$(($(field events "$TMP/ours1.out") + $(field rejected "$TMP/ours1.out"))) \
  -v c="$CPU" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }')
[[ $(field messages "$TMP/ours1.out") == "$N" && $(field errors "$TMP/ours1.out") == 0 ]] ||
  { say "MISMATCH: huitong did not map all $N messages without errors"; failed=1; }

say "huitong, $THREADS threads, $N messages"
measure oursN "$BIN" --run "$TMP/messages.ndjson" --threads "$THREADS" --now "$NOW" >"$TMP/oursN.out"
cat "$TMP/oursN.out" >&2
row "huitong ($THREADS threads)" "$(field messages "$TMP/oursN.out")" "$(field events "$TMP/oursN.out")" \
  "$(field rejected "$TMP/oursN.out")" "$WALL" "$CPU" "$RSS_KIB"
[[ $(field events "$TMP/oursN.out") == $(field events "$TMP/ours1.out") ]] ||
  { say "MISMATCH: $THREADS threads produced a different number of events"; failed=1; }

# Peers write one line per message: the event, or {"rejected": [...]}.
count_lines() {  # file -> "events rejected"
  local total rejected
  total=$(wc -l <"$1")
  rejected=$(grep -c '^{"rejected":' "$1" || true)
  echo "$((total - rejected)) $rejected"
}

say "jq, $PEER_N messages"
measure jq jq -c --arg received_at "$RECEIVED_AT" --arg latest "$LATEST" -f "$BENCH/marriage.jq" \
  "$TMP/peer.ndjson" >"$TMP/jq.ndjson"
read -r ev rj < <(count_lines "$TMP/jq.ndjson")
row "$JQ_VERSION" "$PEER_N" "$ev" "$rj" "$WALL" "$CPU" "$RSS_KIB"
JQ_RATE=$LAST_RATE
JQ_CPU_RATE=$(awk -v n=$((ev + rj)) -v c="$CPU" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }')

say "JSONata, $PEER_N messages"
measure jsonata node "$BENCH/jsonata-run.mjs" --received-at "$RECEIVED_AT" --latest "$LATEST" \
  "$TMP/peer.ndjson" >"$TMP/jsonata.ndjson"
read -r ev rj < <(count_lines "$TMP/jsonata.ndjson")
row "JSONata $JSONATA_VERSION (node $NODE_VERSION)" "$PEER_N" "$ev" "$rj" "$WALL" "$CPU" "$RSS_KIB"
JSONATA_RATE=$LAST_RATE
JSONATA_CPU_RATE=$(awk -v n=$((ev + rj)) -v c="$CPU" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }')

# ---- equivalence: the same counts over the peers' messages, the same JSON for COMPARE_N
say "checking that the three agree"
"$BIN" --run "$TMP/peer.ndjson" --now "$NOW" --emit "$TMP/ours.ndjson" --limit "$PEER_N" >/dev/null
ours_counts=$(count_lines "$TMP/ours.ndjson")
for peer in jq jsonata; do
  peer_counts=$(count_lines "$TMP/$peer.ndjson")
  if [[ $peer_counts != "$ours_counts" ]]; then
    say "MISMATCH: events/rejected over $PEER_N messages: huitong $ours_counts, $peer $peer_counts"
    failed=1
  fi
done
canon() { head -n "$COMPARE_N" "$1" | jq -S -c 'del(.source.received_at?)'; }
canon "$TMP/ours.ndjson" >"$TMP/ours.canon"
for peer in jq jsonata; do
  canon "$TMP/$peer.ndjson" >"$TMP/$peer.canon"
  if ! cmp -s "$TMP/ours.canon" "$TMP/$peer.canon"; then
    say "MISMATCH: huitong and $peer differ on the first $COMPARE_N messages:"
    diff <(nl -ba "$TMP/ours.canon") <(nl -ba "$TMP/$peer.canon") | head -n 12 >&2 || true
    failed=1
  fi
done

# ---- report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
verdict() { awk -v r="$1" 'BEGIN { print (r >= 10 ? "meets" : "BELOW") " the 10x goal" }'; }
R_JQ=$(ratio "$OURS_RATE" "$JQ_RATE")
R_JN=$(ratio "$OURS_RATE" "$JSONATA_RATE")
echo
echo "Map+validate, marriage mapping: $N generated messages (seed $SEED); jq and JSONata on the first $PEER_N"
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end of the run"
printf '%-28s %9s %9s %8s %8s %8s %11s %9s\n' implementation messages events rejected "wall s" "cpu s" \
  "events/s" "peak MiB"
printf '%s\n' "${rows[@]}"
echo "events/s = (valid + rejected events) / wall seconds of the whole process (start-up included)"
echo "ours/jq      = ${R_JQ}x  ($(verdict "$R_JQ"); by CPU time $(ratio "$OURS_CPU_RATE" "$JQ_CPU_RATE")x)"
echo "ours/JSONata = ${R_JN}x  ($(verdict "$R_JN"); by CPU time $(ratio "$OURS_CPU_RATE" "$JSONATA_CPU_RATE")x)"
echo "(single-thread huitong against the single-threaded peers)"
if ((failed)); then
  echo "FAILED: see the messages above"
  exit 1
fi
echo "outputs agree: same events/rejections over $PEER_N messages, same JSON for the first $COMPARE_N"
