#!/usr/bin/env bash
# Readiness without scanning (issue 12's floor): the instructions synack_ready spends
# while a server serves one active connection beside 100 and beside 100,000 idle ones,
# counted by callgrind (only inside synack_ready, only during the round trips). The
# floor: the two counts within 10% of each other.
# Usage: bench/ready.sh [ROUNDS]   (default 2000; needs valgrind, installed if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2000}
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
build=${READY_BUILD:-build-bench}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target bench-ready >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count() { # IDLE -> instructions inside synack_ready during the rounds
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$1" --collect-atstart=no \
		--toggle-collect=synack_ready "$build/bench/bench-ready" "$1" "$rounds" >"$tmp/out.$1" 2>"$tmp/err.$1" ||
		{ echo "bench-ready $1 failed:"; cat "$tmp/err.$1"; exit 1; }
	awk '/^totals:/ {print $2}' "$tmp/cg.$1"
}
small=$(count 100)
large=$(count 100000)
printf '%-28s %14s %12s\n' "idle connections" "instructions" "per round"
printf '%-28s %14d %12.1f\n' 100 "$small" "$(echo "$small / $rounds" | bc -l)"
printf '%-28s %14d %12.1f\n' 100000 "$large" "$(echo "$large / $rounds" | bc -l)"
ratio=$(echo "$large / $small" | bc -l)
verdict=FAIL
if [ "$(echo "$ratio <= 1.10 && $ratio >= 0.90" | bc)" = 1 ]; then verdict=PASS; fi
printf 'ratio 100000/100: %.3f (floor: within 10%%) %s\n' "$ratio" "$verdict"
[ "$verdict" = PASS ]
