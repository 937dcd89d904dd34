#!/usr/bin/env bash
# Benchmark of the vLLM simulator alone (issue 3): at --sim-time-scale 0, with 256 connections,
# non-streamed requests/s and streamed tokens/s, the simulator's CPU time per request and its
# resident memory. Loopback only; bounded in time. Needs wrk (installed with apt-get when root).
#   ./switchboard bench-sim        (builds the jar first)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/switchboard-vllm-sim.jar
[ -f "$JAR" ] || mvn -q -B -DskipTests -DskipITs package
if ! command -v wrk >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi
PORT=18201
WORK=$(mktemp -d)
trap 'kill $SIM 2>/dev/null || true; rm -rf "$WORK"' EXIT
java -Xmx256m -jar "$JAR" serve meta-llama/Llama-3.1-8B-Instruct --host 127.0.0.1 --port $PORT \
  --gpu-memory-utilization 0.5 --max-model-len 4096 --max-num-seqs 1024 --sim-time-scale 0 \
  --sim-gpu-dir "$WORK/gpus" > "$WORK/sim.log" 2>&1 &
SIM=$!
for _ in $(seq 1 100); do
  (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break   # a subshell: a refused connect must not end the script
  sleep 0.1
done
cat > "$WORK/chat.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"messages":[{"role":"user","content":"Hello there"}],"max_tokens":8,"ignore_eos":true}'
LUA
cat > "$WORK/stream.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"messages":[{"role":"user","content":"Hello there"}],"max_tokens":200,"ignore_eos":true,"stream":true}'
LUA
cpu() { awk '{print $14+$15}' /proc/$SIM/stat; }   # user+system clock ticks
ticks=$(getconf CLK_TCK)
URL=http://127.0.0.1:$PORT/v1/chat/completions

timeout 30 wrk -t2 -c256 -d15s -s "$WORK/chat.lua" $URL >/dev/null   # warm-up (JIT)
c0=$(cpu)
out=$(timeout 30 wrk -t2 -c256 -d15s --latency -s "$WORK/chat.lua" $URL)
c1=$(cpu)
requests=$(echo "$out" | awk '/requests in/ {print $1}')
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
echo "non-streamed, 8 tokens, 256 connections: $rps requests/s; p50 $(echo "$out" | awk '$1=="50%" {print $2}'), p99 $(echo "$out" | awk '$1=="99%" {print $2}')"
echo "  simulator CPU per request: $(echo "scale=1; ($c1-$c0)*1000000/$ticks/$requests" | bc) us"

timeout 30 wrk -t2 -c256 -d5s -s "$WORK/stream.lua" $URL >/dev/null
out=$(timeout 30 wrk -t2 -c256 -d15s -s "$WORK/stream.lua" $URL)
srps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
echo "streamed, 200 tokens each, 256 connections: $srps streams/s = $(echo "$srps*200/1" | bc) tokens/s"
echo "  simulator resident memory: $(awk '/VmRSS/ {print $2/1024 " MiB"}' /proc/$SIM/status)"
