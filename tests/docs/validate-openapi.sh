#!/usr/bin/env bash
# Validates an OpenAPI document with every validator found, failing with its message:
#   openapi-spec-validator — a python3 (PATH, then /usr/bin) that imports openapi_spec_validator
#     (pip's, or Debian's python3-openapi-spec-validator from Debian 13 on);
#   Redocly CLI (`redocly lint`) — on PATH, or where .ci/install-deps.sh puts it when no python3
#     has the former (${HUITONG_TOOLS_DIR:-~/.cache/huitong-tools}/redocly).
# Usage: validate-openapi.sh docs/openapi.yaml    Exit 0 valid, 1 invalid or no validator.
set -uo pipefail
spec="${1:?usage: validate-openapi.sh SPEC}"
tools="${HUITONG_TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/huitong-tools}"
ran=0
failed=0

for py in python3 /usr/bin/python3; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import openapi_spec_validator' 2>/dev/null; then
    echo "== openapi-spec-validator ($(command -v "$py"))"
    "$py" -m openapi_spec_validator "$spec" || failed=1
    ran=1
    break
  fi
done

redocly="$(command -v redocly 2>/dev/null || true)"
if [ -z "$redocly" ] && [ -x "$tools/redocly/node_modules/.bin/redocly" ]; then
  redocly="$tools/redocly/node_modules/.bin/redocly"
fi
if [ -n "$redocly" ]; then
  echo "== redocly lint ($redocly)"
  # Errors fail; warnings (no license, no 4xx on /healthz) are printed only.
  REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    "$redocly" lint --format stylish "$spec" 2>&1 || failed=1
  ran=1
fi

if [ "$ran" -eq 0 ]; then
  echo "no OpenAPI validator: run bash .ci/install-deps.sh (openapi-spec-validator or Redocly CLI)"
  exit 1
fi
exit "$failed"
