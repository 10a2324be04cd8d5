#!/usr/bin/env bash
# Configures and builds Huitong into a build folder.
# Usage: bash .ci/build.sh [BUILD_DIR] [extra cmake args...]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build}"
shift || true
cmake -S . -B "$dir" -G Ninja -DHUITONG_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
