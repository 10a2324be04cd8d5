#!/usr/bin/env bash
# Installs the Debian 12 packages Huitong builds and tests with, and an OpenAPI validator for
# docs/openapi.yaml; a no-op when all are present.
# Usage: bash .ci/install-deps.sh [extra-package ...]
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libpoco-dev libpq-dev libexpat1-dev libsqlite3-dev sqlite3 postgresql-15
  rapidjson-dev libboost-test-dev libssl-dev libpcre2-dev
  jq curl prometheus python3-yaml procps
  dovecot-core dovecot-pop3d dovecot-imapd
  chromium fonts-wqy-microhei
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The OpenAPI validator of tests/docs/validate-openapi.sh: openapi-spec-validator when a python3
# has it (pip's on the machine image; Debian's python3-openapi-spec-validator exists from
# Debian 13, not in 12), else Redocly CLI from the npm registry into a cache folder.
has_validator() {
  local py
  for py in python3 /usr/bin/python3; do
    command -v "$py" >/dev/null 2>&1 && "$py" -c 'import openapi_spec_validator' 2>/dev/null &&
      return 0
  done
  command -v redocly >/dev/null 2>&1 && return 0
  [ -x "$tools/redocly/node_modules/.bin/redocly" ]
}
tools="${HUITONG_TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/huitong-tools}"
if has_validator; then
  echo "install-deps: OpenAPI validator present"
elif apt-cache policy python3-openapi-spec-validator 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  echo "install-deps: installing python3-openapi-spec-validator"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    python3-openapi-spec-validator
else
  echo "install-deps: installing @redocly/cli 2.77.0 (npm) into $tools/redocly"
  mkdir -p "$tools/redocly"
  npm install --no-audit --no-fund --silent --prefix "$tools/redocly" @redocly/cli@2.77.0
fi
