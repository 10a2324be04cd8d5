#!/usr/bin/env bash
# Writes an OpenAPI YAML document as JSON (for C++ tests that parse it with huitong::json),
# with the first python3 that has PyYAML (Debian python3-yaml; .ci/install-deps.sh).
# Usage: openapi-json.sh docs/openapi.yaml OUT.json
set -euo pipefail
in="${1:?usage: openapi-json.sh SPEC.yaml OUT.json}"
out="${2:?usage: openapi-json.sh SPEC.yaml OUT.json}"
for py in python3 /usr/bin/python3; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import yaml' 2>/dev/null; then
    exec "$py" -c '
import json, sys, yaml
with open(sys.argv[1], encoding="utf-8") as f:
    spec = yaml.safe_load(f)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(spec, f, ensure_ascii=False, default=str)
print("wrote", sys.argv[2])
' "$in" "$out"
  fi
done
echo "no python3 with PyYAML (Debian python3-yaml): run bash .ci/install-deps.sh" >&2
exit 1
