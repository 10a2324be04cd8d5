#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the normal build (all labels), then
# the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer (only their targets
# are built there).
# Usage: bash .ci/test.sh            (HUITONG_SKIP_SANITIZE=1 skips the sanitizer pass)
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh

echo "== build (warnings are errors)"
bash .ci/build.sh build
echo "== tests"
(cd build && ctest --output-on-failure -j "$(nproc)")

if [ "${HUITONG_SKIP_SANITIZE:-0}" != "1" ]; then
  echo "== sanitizer build (ASan + UBSan) of the unit tests"
  cmake -S . -B build-asan -G Ninja -DHUITONG_WERROR=ON -DHUITONG_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=Debug >/dev/null
  # Only what the unit tests need: the integration tests run on the normal build above.
  # (a unit test that is a script, not a built program, has no target of its own)
  unit=()
  while read -r name; do
    if ninja -C build-asan -t query "$name" >/dev/null 2>&1; then
      unit+=("$name")
    fi
  done < <(cd build-asan && ctest -N -L unit | sed -n 's/^ *Test *#[0-9]*: *//p')
  cmake --build build-asan -j "$(nproc)" --target "${unit[@]}"
  echo "== unit tests under ASan + UBSan"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest --output-on-failure -j "$(nproc)" -L unit)
fi
