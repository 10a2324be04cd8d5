#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz and runs each for SECONDS (default 30).
# Seed corpora are generated here from the repository's mappings and, when present, the shared
# samples and corpora next to the repository (../shared); nothing of ../shared is copied into
# the repository. Corpora grown by earlier runs are kept in build-fuzz/fuzz-work/corpus.
# Exit status: 0 when no target found anything, 1 when one crashed, hung, leaked or ran out
# of memory (the artifact stays in build-fuzz/fuzz-work/artifacts and its path and the
# reproducer command are printed), 2 when the build failed.
#
# usage: tests/fuzz/run-fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# environment: HUITONG_FUZZ_BUILD_DIR (default <repo>/build-fuzz), CXX (default clang++),
#              HUITONG_FUZZ_JOBS (parallel build jobs, default 2).
set -u -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SHARED="$ROOT/../shared"
SECONDS_PER_TARGET="${1:-30}"
shift || true
ALL_TARGETS=(fuzz_json fuzz_xml fuzz_csv fuzz_jsonpath fuzz_mapping fuzz_mapping_run fuzz_mail)
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi
BUILD="${HUITONG_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
WORK="$BUILD/fuzz-work"

max_len() {
  case "$1" in
    fuzz_jsonpath) echo 512 ;;
    fuzz_csv) echo 8192 ;;
    fuzz_mapping_run) echo 8192 ;;
    *) echo 16384 ;;
  esac
}

echo "== configure and build ($BUILD)"
mkdir -p "$BUILD"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if ! cmake -S "$ROOT" -B "$BUILD" "${generator[@]}" -DCMAKE_CXX_COMPILER="${CXX:-clang++}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHUITONG_FUZZ=ON >"$BUILD/configure.log" 2>&1; then
  cat "$BUILD/configure.log" >&2
  echo "run-fuzz: configure failed" >&2
  exit 2
fi
if ! cmake --build "$BUILD" --parallel "${HUITONG_FUZZ_JOBS:-2}" --target "${TARGETS[@]}"; then
  echo "run-fuzz: build failed" >&2
  exit 2
fi

# ------------------------------------------------------------------ seeds
rm -rf "$WORK/seeds"
mkdir -p "$WORK/seeds" "$WORK/artifacts" "$WORK/logs"
seed() {  # seed <target> <file>...: copies existing regular files into the target's seeds
  local dir="$WORK/seeds/$1"
  shift
  mkdir -p "$dir"
  local f
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "$dir/$(basename "$(dirname "$f")")-$(basename "$f")"
  done
  return 0
}
shopt -s nullglob globstar
seed fuzz_json "$ROOT"/tests/fuzz/seeds/json/* "$ROOT"/mappings/*/tests/*.json \
  "$ROOT"/mappings/*/mapping.json
seed fuzz_xml "$ROOT"/tests/fuzz/seeds/xml/* "$ROOT"/mappings/*/tests/*.xml
seed fuzz_csv "$ROOT"/tests/fuzz/seeds/csv/* "$ROOT"/mappings/*/tests/*.csv
seed fuzz_jsonpath "$ROOT"/tests/fuzz/seeds/jsonpath/*
seed fuzz_mapping "$ROOT"/tests/fuzz/seeds/mapping/* "$ROOT"/mappings/*/mapping.json
seed fuzz_mail "$ROOT"/tests/fuzz/seeds/mail/*
seed fuzz_mapping_run "$ROOT"/tests/fuzz/seeds/mapping_run/* "$ROOT"/mappings/marriage/tests/*.json
# Selectors and embedded test messages of the mappings, one file each.
python3 - "$ROOT" "$WORK/seeds" <<'PY'
import glob, json, os, re, sys
root, seeds = sys.argv[1], sys.argv[2]
def put(target, name, text):
    os.makedirs(os.path.join(seeds, target), exist_ok=True)
    with open(os.path.join(seeds, target, name), "w", encoding="utf-8") as f:
        f.write(text)
for path in glob.glob(os.path.join(root, "mappings/*/mapping.json")):
    system = os.path.basename(os.path.dirname(path))
    text = open(path, encoding="utf-8").read()
    for i, sel in enumerate(sorted(set(re.findall(r'"(\$[^"]*)"', text)))):
        put("fuzz_jsonpath", f"{system}-{i}", sel)
    if system == "marriage":
        for i, t in enumerate(json.loads(text).get("tests", [])):
            if "input" in t:
                put("fuzz_mapping_run", f"embedded-{i}", json.dumps(t["input"], ensure_ascii=False))
PY
if [ -d "$SHARED" ]; then
  echo "== seeds from $SHARED"
  seed fuzz_json "$SHARED"/testdata/JSONTestSuite/test_parsing/* "$SHARED"/departments/marriage/samples/*
  seed fuzz_xml "$SHARED"/departments/elderly-subsidy/samples/* "$SHARED"/testdata/xml-attacks/**/*.xml
  seed fuzz_csv "$SHARED"/departments/social-assistance/samples/*
  seed fuzz_mapping_run "$SHARED"/departments/marriage/samples/*
  if [ -f "$SHARED/testdata/jsonpath-cts/cts.json" ]; then
    python3 - "$SHARED/testdata/jsonpath-cts/cts.json" "$WORK/seeds/fuzz_jsonpath" <<'PY'
import json, os, sys
tests = json.load(open(sys.argv[1], encoding="utf-8"))["tests"]
for i, t in enumerate(tests):
    with open(os.path.join(sys.argv[2], f"cts-{i}"), "w", encoding="utf-8") as f:
        f.write(t["selector"])
PY
  fi
else
  echo "== $SHARED is missing: seeding from the repository only"
fi

# ------------------------------------------------------------------ run
status=0
summary=()
for t in "${TARGETS[@]}"; do
  corpus="$WORK/corpus/$t"
  mkdir -p "$corpus" "$WORK/seeds/$t"
  dict=()
  [ -f "$ROOT/tests/fuzz/dict/$t.dict" ] && dict=(-dict="$ROOT/tests/fuzz/dict/$t.dict")
  log="$WORK/logs/$t.log"
  before="$(ls "$WORK/artifacts" | grep "^$t-" | sort)"
  echo "== $t: ${SECONDS_PER_TARGET}s, -max_len=$(max_len "$t") (log: $log)"
  (cd "$ROOT" && "$BUILD/tests/fuzz/$t" "$corpus" "$WORK/seeds/$t" "${dict[@]}" \
    -max_total_time="$SECONDS_PER_TARGET" -max_len="$(max_len "$t")" -rss_limit_mb=2048 \
    -timeout=5 -print_final_stats=1 -artifact_prefix="$WORK/artifacts/$t-" >"$log" 2>&1)
  rc=$?
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1)"
  after="$(ls "$WORK/artifacts" | grep "^$t-" | sort)"
  found="$(comm -13 <(echo "$before") <(echo "$after") | grep . || true)"
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    status=1
    summary+=("$t: FOUND (exit $rc), ${execs:-?} executions")
    echo "!! $t exited $rc"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -5
    grep -E '^    #[0-9]+ ' "$log" | head -8
    for a in $found; do
      echo "   artifact:   $WORK/artifacts/$a"
      echo "   reproduce:  (cd $ROOT && $BUILD/tests/fuzz/$t $WORK/artifacts/$a)"
      echo "   minimize:   (cd $ROOT && $BUILD/tests/fuzz/$t -minimize_crash=1 -runs=20000 $WORK/artifacts/$a)"
    done
  else
    summary+=("$t: ok, ${execs:-?} executions in ${SECONDS_PER_TARGET}s, ${cov:-cov ?}, corpus $(ls "$corpus" | wc -l)")
  fi
done

echo "== summary"
printf '  %s\n' "${summary[@]}"
exit "$status"
