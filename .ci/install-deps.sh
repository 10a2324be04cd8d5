#!/usr/bin/env bash
# Installs the Debian 12 packages Huitong builds and tests with; a no-op when all are present.
# Usage: bash .ci/install-deps.sh [extra-package ...]
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libpoco-dev libpq-dev libexpat1-dev libsqlite3-dev sqlite3 postgresql-15
  rapidjson-dev libboost-test-dev libssl-dev libpcre2-dev
  jq curl prometheus
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
