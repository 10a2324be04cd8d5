#!/usr/bin/env bash
# Installs what is missing, builds, and starts the demo: the mock platform on 127.0.0.1:8601,
# the gateway on 127.0.0.1:8600 (embedded SQLite store, the four sample departments with the
# demo credentials of sandbox/demo/credentials.json) and the department simulator, which plays
# the four departments through their own adapters at a gentle pace: marriage (signed JSON,
# http_json), elderly-subsidy (signed SOAP, soap11), social-assistance (GB18030 CSV files renamed
# into var/demo/drop/social-assistance, file_drop) and funeral (rows in the front-end table
# var/demo/funeral-frontend.db, db_poll). All three keep running in the background.
#   HUITONG_PORT=8600 HUITONG_PLATFORM_PORT=8601   override the ports
#   bash .ci/demo.sh stop                          stops what a previous run started
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
state="$root/var/demo"
gw_port="${HUITONG_PORT:-8600}"
mock_port="${HUITONG_PLATFORM_PORT:-8601}"
huitong="$root/build/gateway/app/huitong"

stop_previous() {
  for name in simulator gateway mock-platform; do
    if [ -f "$state/$name.pid" ]; then
      pid=$(cat "$state/$name.pid")
      if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      fi
      rm -f "$state/$name.pid"
    fi
  done
}

if [ "${1:-}" = "stop" ]; then
  stop_previous
  echo "demo stopped"
  exit 0
fi

bash .ci/install-deps.sh
bash .ci/build.sh build

echo
echo "== the mapping engine: every mapping's embedded tests"
"$huitong" mapping test mappings

mkdir -p "$state"
stop_previous
# The demo's config with absolute paths and the chosen ports.
sed -e "s#\"listen\": \"127.0.0.1:8600\"#\"listen\": \"127.0.0.1:$gw_port\"#" \
    -e "s#\"url\": \"http://127.0.0.1:8601\"#\"url\": \"http://127.0.0.1:$mock_port\"#" \
    -e "s#http://127.0.0.1:8601/exchange/#http://127.0.0.1:$mock_port/exchange/#" \
    -e "s#\"mappings\": \"../../mappings\"#\"mappings\": \"$root/mappings\"#" \
    -e "s#\"path\": \"../../var/demo/huitong.db\"#\"path\": \"$state/huitong.db\"#" \
    -e "s#\"public_key_file\": \"keys/#\"public_key_file\": \"$root/sandbox/demo/keys/#" \
    -e "s#\"folder\": \"../../var/demo/drop/#\"folder\": \"$state/drop/#" \
    -e "s#\"connection\": \"../../var/demo/#\"connection\": \"$state/#" \
    -e "s#\"state_dir\": \"../../var/demo/#\"state_dir\": \"$state/#" \
    -e "s#\"filings\": \"filings.json\"#\"filings\": \"$root/sandbox/demo/filings.json\"#" \
    sandbox/demo/gateway.json > "$state/gateway.json"
# It holds the demo's secrets (ops token, platform token): owner-only, as the configuration
# check (huitong config check, the inspection) asks of any config with secrets.
chmod 600 "$state/gateway.json"

# social-assistance's exchange folder (file_drop); done/ and error/ are made by the gateway.
drop="$state/drop/social-assistance"
mkdir -p "$drop"
# funeral's front-end table (db_poll polls it, the simulator adds rows): the project's own rows.
sqlite3 "$state/funeral-frontend.db" < sandbox/simulator/scripts/funeral/schema.sql
sqlite3 "$state/funeral-frontend.db" < sandbox/demo/funeral-rows.sql

nohup "$huitong" mock-platform --listen "127.0.0.1:$mock_port" --token demo-platform-token \
  > "$state/mock-platform.out" 2> "$state/mock-platform.log" < /dev/null &
echo $! > "$state/mock-platform.pid"
nohup "$huitong" serve --config "$state/gateway.json" > "$state/gateway.out" 2> "$state/gateway.log" < /dev/null &
echo $! > "$state/gateway.pid"

for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$gw_port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
if ! curl -fsS "http://127.0.0.1:$gw_port/readyz" >/dev/null 2>&1; then
  echo "the gateway did not become ready; its log:" >&2
  tail -20 "$state/gateway.log" >&2
  exit 1
fi

submit() {  # system content-type file
  local system=$1 type=$2 file=$3 cred
  cred=$(jq -r --arg s "$system" '.[$s] | if .alg == "ed25519" then "--private-key sandbox/demo/" + .private_key else "--secret " + .secret end + " --key-id " + .keyid + " --alg " + .alg' sandbox/demo/credentials.json)
  # shellcheck disable=SC2086
  eval "$("$huitong" sign $cred --url "http://127.0.0.1:$gw_port/intake/v1/$system" \
          --content-type "$type" --data-file "$file" --curl)"
  echo
}

echo
echo "== signed submissions (see README: 'Submit a message')"
submit marriage "application/json;charset=UTF-8" mappings/marriage/tests/divorce-accepted.json
submit elderly-subsidy "text/xml; charset=utf-8" mappings/elderly-subsidy/tests/review-landline.xml

echo "== a GB18030 CSV export renamed into the social-assistance folder (file_drop)"
cp mappings/social-assistance/tests/DB_20261102.csv "$drop/.DB_20261102.csv.tmp"
mv "$drop/.DB_20261102.csv.tmp" "$drop/DB_20261102.csv"
for _ in $(seq 100); do [ -e "$drop/DB_20261102.csv" ] || break; sleep 0.1; done
ls "$drop/done" "$drop/error"

echo
echo "== the department simulator: one stage of a case per department every 4 s"
nohup "$huitong" simulate --config sandbox/demo/simulator.json --gateway "http://127.0.0.1:$gw_port" \
  > "$state/simulator.log" 2>&1 < /dev/null &
echo $! > "$state/simulator.pid"
# Long enough for the folder watcher (2 s stable) and the table poller (every 5 s).
sleep 9
head -8 "$state/simulator.log"
echo
echo "== what the mock platform received, by department"
curl -sS "http://127.0.0.1:$mock_port/control/v1/received?limit=200" |
  jq -r '[.events[] | .event_id | split(":")[0]] | group_by(.) | map("\(.[0]): \(length) events") | .[]'
cat <<EOT

The gateway listens on http://127.0.0.1:$gw_port and the mock platform on http://127.0.0.1:$mock_port;
the simulator keeps sending (see $state/simulator.log).
  logs:      $state/gateway.log, $state/mock-platform.log, $state/simulator.log
  metrics:   curl -s http://127.0.0.1:$gw_port/metrics
  received:  curl -s 'http://127.0.0.1:$mock_port/control/v1/received?limit=20' | jq
  systems:   curl -s -H 'Authorization: Bearer demo-ops-token' http://127.0.0.1:$gw_port/ops/v1/systems | jq
  stop:      bash .ci/demo.sh stop
EOT
