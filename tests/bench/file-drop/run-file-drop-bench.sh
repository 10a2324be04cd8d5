#!/usr/bin/env bash
# file_drop throughput: a generated ROWS-row GB18030 CSV export of the social-assistance
# department (header, one 申请 row per case with a valid resident ID, trailer 合计,ROWS) renamed
# into the folder of a real `huitong serve` (SQLite store) delivering to `huitong mock-platform`.
# Measures rows/s from the rename to the file in done/ (journaled: decoded, mapped, validated,
# committed with its outbox) and to the last event held by the platform (delivered), beside a
# plain baseline in the same run over the same file: `iconv -f GB18030 -t UTF-8 | wc -l`.
# Prints the figures and the ratios. Bounded (TIMEOUT), stops what it started, exits non-zero
# only when something failed or not every row arrived; never because a number is slow.
#
#   tests/bench/file-drop/run-file-drop-bench.sh
#   ROWS=20000 tests/bench/file-drop/run-file-drop-bench.sh
#
# Environment: ROWS (default 100000), TIMEOUT (seconds for the whole gateway run, default
# 900), BUILD_DIR (default build-filedrop; `huitong` is built there with -j2 when missing),
# WORKERS (delivery threads, default 2), BATCH (events per platform batch, default 500).
set -euo pipefail

ROWS=${ROWS:-100000}
TIMEOUT=${TIMEOUT:-900}
WORKERS=${WORKERS:-2}
BATCH=${BATCH:-500}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-filedrop}
HUITONG=$BUILD/gateway/app/huitong

say() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{$1 / max($2, 1e-9):,.0f}')"; }

if [[ ! -x $HUITONG ]]; then
  say "building huitong in $BUILD"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD" --target huitong -j 2 >/dev/null
fi

WORK=$(mktemp -d /tmp/huitong-bench-filedrop.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---- the file: GB18030, CR LF, a trailer that matches
say "generating $ROWS rows"
python3 - "$ROWS" "$WORK/DB_20261120.csv" <<'PY'
import sys
rows, path = int(sys.argv[1]), sys.argv[2]
weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
names = ["欧阳秀英", "刘䶮", "何丽娟", "陈志强", "黄淑芬", "李建国", "张伟", "王芳"]
header = "办件号,事项编码,事项名称,申请人姓名,证件号码,环节,环节时间,结果,意见,承诺天数,版本,材料清单,补正期限,证照编号"
out = [header]
for i in range(rows):
    birth = 19600101 + (i % 28) + 100 * (i // 28 % 12) + 10000 * (i // 336 % 40)
    first17 = f"442000{birth:08d}{i % 1000:03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]
    minute = i % 600
    out.append(",".join([
        f"ZSDB-2026-B{i:06d}", "12442000MB2C09173L4442093001000", "最低生活保障对象认定",
        names[i % len(names)], first17 + check, "申请",
        f"2026/11/20 {8 + minute // 60}:{minute % 60:02d}", "", "", "", "1",
        "低保申请书、户口簿、居民身份证", "", ""]))
out.append(f"合计,{rows}")
with open(path, "wb") as f:
    f.write(("\r\n".join(out) + "\r\n").encode("gb18030"))
PY
FILE=$WORK/DB_20261120.csv
BYTES=$(stat -c %s "$FILE")
say "file: $BYTES bytes"

# ---- baseline: decode and count lines
t0=$(now)
lines=$(iconv -f GB18030 -t UTF-8 "$FILE" | wc -l)
t1=$(now)
BASE_S=$(python3 -c "print($t1 - $t0)")
[[ $lines -eq $((ROWS + 2)) ]] || { say "baseline counted $lines lines, expected $((ROWS + 2))"; exit 1; }

# ---- mock platform and gateway
"$HUITONG" mock-platform --listen 127.0.0.1:0 --token bench-token --max-events $((ROWS + 1000)) \
  >"$WORK/mock.out" 2>/dev/null </dev/null &
PIDS+=($!)
for _ in $(seq 100); do grep -q "listening on http://" "$WORK/mock.out" 2>/dev/null && break; sleep 0.1; done
MOCK=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/mock.out" | head -1)
[[ -n $MOCK ]] || { say "mock platform did not start"; exit 1; }

mkdir -p "$WORK/drop" "$WORK/store"
cat >"$WORK/gateway.json" <<JSON
{
  "listen": "127.0.0.1:0",
  "mappings": "$ROOT/mappings",
  "store": {"kind": "sqlite", "path": "$WORK/store/huitong.db"},
  "platform": {"url": "$MOCK", "token": "bench-token", "timeout_ms": 30000},
  "delivery": {"workers": $WORKERS, "batch_size": $BATCH, "batch_threshold": 4, "idle_ms": 20},
  "ops_token": "bench-ops-token",
  "systems": {
    "social-assistance": {
      "adapter": {"kind": "file_drop", "folder": "$WORK/drop", "encoding": "GB18030",
                  "poll_ms": 100, "stable_ms": 1000}
    }
  }
}
JSON
"$HUITONG" serve --config "$WORK/gateway.json" >/dev/null 2>"$WORK/gateway.log" </dev/null &
GW_PID=$!
PIDS+=($GW_PID)
for _ in $(seq 300); do grep -q '"gateway ready"' "$WORK/gateway.log" 2>/dev/null && break; sleep 0.1; done
grep -q '"gateway ready"' "$WORK/gateway.log" || { say "gateway did not start"; tail -5 "$WORK/gateway.log" >&2; exit 1; }

held() { curl -fsS "$MOCK/control/v1/received?since=0&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }

# ---- the run: rename the file in, wait for done/ and for every event at the platform
say "dropping the file"
cp "$FILE" "$WORK/drop/.DB_20261120.csv.tmp"
t0=$(now)
mv "$WORK/drop/.DB_20261120.csv.tmp" "$WORK/drop/DB_20261120.csv"
deadline=$(( $(date +%s) + TIMEOUT ))
JOURNALED_S=""
while :; do
  if [[ -z $JOURNALED_S && -e $WORK/drop/done/DB_20261120.csv ]]; then
    JOURNALED_S=$(python3 -c "print($(now) - $t0)")
    say "journaled after $JOURNALED_S s"
  fi
  if [[ -e $WORK/drop/error/DB_20261120.csv ]]; then
    say "the file went to error/:"; head -c 1500 "$WORK/drop/error/DB_20261120.csv.error.json" >&2; exit 1
  fi
  if [[ -n $JOURNALED_S ]]; then
    n=$(held)
    [[ $n -ge $ROWS ]] && break
  fi
  if (( $(date +%s) > deadline )); then
    say "timeout after $TIMEOUT s: platform holds $(held) of $ROWS"; exit 1
  fi
  sleep 0.2
done
DELIVERED_S=$(python3 -c "print($(now) - $t0)")
PEAK_RSS=$(awk '/VmHWM/ {print $2}' /proc/$GW_PID/status)
HELD=$(held)

cat <<OUT

file_drop benchmark: $ROWS rows, $BYTES bytes GB18030 ($(nproc) cores, $(date -u +%FT%TZ))
  baseline  iconv GB18030->UTF-8 | wc -l     $(printf '%8.3f' "$BASE_S") s   $(rate "$ROWS" "$BASE_S") rows/s
  gateway   rename -> done/ (journaled)      $(printf '%8.3f' "$JOURNALED_S") s   $(rate "$ROWS" "$JOURNALED_S") rows/s
  gateway   rename -> all events delivered   $(printf '%8.3f' "$DELIVERED_S") s   $(rate "$ROWS" "$DELIVERED_S") rows/s
  platform holds $HELD events; gateway peak RSS $((PEAK_RSS / 1024)) MiB
  ratio baseline / gateway: journaled $(python3 -c "print(f'{$JOURNALED_S / $BASE_S:,.0f}')")x, delivered $(python3 -c "print(f'{$DELIVERED_S / $BASE_S:,.0f}')")x slower
OUT
[[ $HELD -eq $ROWS ]] || { say "platform holds $HELD events, expected exactly $ROWS"; exit 1; }
