#!/bin/bash
# Start-to-ready time of the built server: `server start` until /health/ready is 200 and /v1/models 401.
# bench/startup.sh [--clean]   (uses the benchmark database and port 19280)
cd "$(dirname "$0")/.."  # run after ./switchboard bench has built the server; PostgreSQL up
export SWITCHBOARD_HTTP_PORT=19280 SWITCHBOARD_HTTPS_PORT=19284 SWITCHBOARD_ADMIN_TOKEN=bench-admin \
    SWITCHBOARD_DB_URL=jdbc:postgresql://127.0.0.1:5432/switchboard_bench SWITCHBOARD_DB_USER=switchboard_bench \
    SWITCHBOARD_DB_PASSWORD=switchboard_bench SWITCHBOARD_DEMO_SEED=false \
    SWITCHBOARD_SIM_JAR=$PWD/target/switchboard-vllm-sim.jar SWITCHBOARD_SIM_TIME_SCALE=0 SWITCHBOARD_SIM_GPU_DIR=/tmp/st-gpus
[ -x target/liberty/wlp/bin/server ] || { echo "no built server: run ./switchboard bench first" >&2; exit 1; }
# the benchmark's database (./switchboard bench creates it); without it the application cannot start
psql -h 127.0.0.1 -U switchboard_bench -d switchboard_bench -qAtc 'SELECT 1' >/dev/null 2>&1 || \
  { echo "no database switchboard_bench on 127.0.0.1: run ./switchboard bench first" >&2; exit 1; }
start=$(date +%s.%N)
target/liberty/wlp/bin/server start defaultServer $1 >/dev/null
t1=$(date +%s.%N)
ready=false
for i in $(seq 1 600); do
  r=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:19280/health/ready)
  m=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:19280/v1/models)
  [ "$r" = 200 ] && [ "$m" = 401 ] && { ready=true; break; }
  sleep 0.1
done
end=$(date +%s.%N)
if $ready; then
  echo "server start returned after $(echo "$t1 - $start" | bc) s; ready after $(echo "$end - $start" | bc) s"
else
  echo "server start returned after $(echo "$t1 - $start" | bc) s; NOT ready after $(echo "$end - $start" | bc) s (see the log lines below)"
fi
grep -E "CWWKZ0001I|CWWKF0011I|CWWKE0001I|SchemaMigrator|Flyway|GPU memory" target/liberty/wlp/usr/servers/defaultServer/logs/messages.log | cut -c1-160
target/liberty/wlp/bin/server stop defaultServer >/dev/null
