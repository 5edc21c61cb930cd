#!/usr/bin/env bash
# `npm test` N times in a row (default 10) beside CPU hogs (default 2: one busy process per core), to show that no
# test depends on a quiet machine. Prints one line per run and a final count; exits 1 if any run failed.
#   scripts/test-under-load.sh [runs] [hogs]
set -u
runs=${1:-10}
hogs=${2:-2}
cd "$(dirname "$0")/.."
pids=()
for _ in $(seq "$hogs"); do node -e 'for(;;){}' & pids+=($!); done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
passed=0
for i in $(seq "$runs"); do
  start=$(date +%s)
  if npx jest --silent >"/tmp/test-under-load-$i.log" 2>&1; then passed=$((passed + 1)); verdict=passed; else verdict="FAILED (see /tmp/test-under-load-$i.log)"; fi
  echo "run $i/$runs: $verdict in $(( $(date +%s) - start )) s, beside $hogs CPU hog(s)"
done
echo "$passed passed, $((runs - passed)) failed"
[ "$passed" -eq "$runs" ]
