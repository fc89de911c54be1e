#!/usr/bin/env bash
# A system-wide CPU profile of the treasure hunt's measured latency window, for docs/performance.md.
#
#   scripts/profile-latency-window.sh OUT [RATE] [SECONDS]
#
# Runs `hunt --latency-only --rate RATE --seconds 30` (default 5000) from an existing Release build and records
# `perf record -a -g -F 299` for SECONDS (default 20) inside the 30 measured seconds. The window is found from the
# benchmark's own output, not from a delay: its start moves with the machine (90-100 s after launch on 2026-12-05,
# 75-80 s earlier), and a profile taken by a fixed delay can fall in the warm-up. The benchmark prints
# "latency warm-up" and then warms up for 5 s, joins the measured hunt's players and reads the apps' /metrics: the
# recording starts 8 s after that line. Managed frames resolve through the runtime's perf maps
# (DOTNET_PerfMapEnabled=1, set here for every process the benchmark starts).
#
# Writes OUT.txt (the benchmark's output), OUT.perf and OUT.script (`perf script`: comm, pid, tid, ip, sym, dso), which
# scripts/flamegraph.py draws. Needs `perf` (Debian: linux-perf) and root or kernel.perf_event_paranoid <= 0.
set -euo pipefail

out=${1:?usage: scripts/profile-latency-window.sh OUT [RATE] [SECONDS]}
rate=${2:-5000}
seconds=${3:-20}
(( seconds <= 25 )) || { echo "SECONDS must be at most 25: the measured window is 30 s and the recording starts inside it" >&2; exit 2; }
command -v perf >/dev/null || { echo "perf is not installed (Debian: apt-get install linux-perf)" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)

DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 \
  dotnet run -c Release --no-build --project "$repo/bench/Veltrix.Bench" -- hunt --latency-only --rate "$rate" --seconds 30 > "$out.txt" 2>&1 &
bench=$!
until grep -q "latency warm-up" "$out.txt"; do
  kill -0 "$bench" 2>/dev/null || { echo "the benchmark ended before its latency warm-up: see $out.txt" >&2; exit 1; }
  sleep 0.2
done
sleep 8
began=$(date -u +%T.%3N)
perf record -a -g -F 299 -o "$out.perf" -- sleep "$seconds" > "$out.perf.log" 2>&1
# The profile is converted whatever the benchmark's result (a board that is not exact exits 1); its status is ours.
status=0
wait "$bench" || status=$?
perf script -i "$out.perf" -F comm,pid,tid,ip,sym,dso > "$out.script" 2>/dev/null
grep -E "p50 / p99|second 0 began" "$out.txt" || echo "the benchmark printed no result (exit $status): see $out.txt" >&2
echo "the recording began at $began UTC and took $seconds s; profile: $out.perf, $out.script"
exit "$status"
