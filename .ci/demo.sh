#!/usr/bin/env bash
# Installs what is missing, builds, and shows the mapping engine at work on the four sample
# departments: their embedded tests, then one message of each mapped into case events.
# (The gateway server and mock platform join this demo with the exchange spine.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh
bash .ci/build.sh build
huitong=build/gateway/app/huitong

echo
echo "== huitong mapping test: every mapping's embedded test cases"
$huitong mapping test mappings

for example in \
  "marriage mappings/marriage/tests/divorce-accepted.json" \
  "elderly-subsidy mappings/elderly-subsidy/tests/review-landline.xml" \
  "social-assistance mappings/social-assistance/tests/DB_20261102.csv"; do
  set -- $example
  echo
  echo "== huitong map --system $1 --input $2"
  $huitong map --system "$1" --input "$2" || true
done
echo
echo "== huitong map --system funeral --input <an SQL script> --query ... (database rows)"
sql=$(mktemp --suffix=.sql)
trap 'rm -f "$sql"' EXIT
cat > "$sql" <<'SQL'
CREATE TABLE EX_CASE_STAGE (ID INTEGER PRIMARY KEY, SBLSH TEXT, SXBM TEXT, SXMC TEXT, STAGE_CODE TEXT,
  STAGE_TIME TEXT, SQRMC TEXT, SQRZJLX TEXT, SQRZJHM TEXT, JG_CODE TEXT, YJ TEXT, SFJE_YUAN REAL, CLQD TEXT,
  BZJZRQ TEXT, ZZMC TEXT, ZZBH TEXT, ZZYXQ TEXT, VERSION INTEGER DEFAULT 1, REC_FLAG INTEGER DEFAULT 0);
INSERT INTO EX_CASE_STAGE (ID, SBLSH, SXBM, SXMC, STAGE_CODE, STAGE_TIME, SQRMC, SQRZJLX, SQRZJHM, JG_CODE, YJ, SFJE_YUAN, ZZMC, ZZBH, ZZYXQ)
VALUES (3001, 'BZ2026112700001', '1244200045586402424442204001000', '骨灰寄存服务', 'BJ', '2026-11-27 10:00:00',
  '梁伟明', '1', '442000196507220354', '0', '已办理骨灰寄存', 187.6, '骨灰寄存证', 'GHJC-2026-11-0501', '2027-11-26');
SQL
$huitong map --system funeral --input "$sql" --query "SELECT * FROM EX_CASE_STAGE WHERE REC_FLAG = 0 ORDER BY ID"
echo
echo "Try it yourself:  $huitong map --system marriage --input FILE [--trace]"
echo "                  $huitong jsonpath '\$.applicants[0].name' mappings/marriage/tests/divorce-accepted.json"
