#!/usr/bin/env bash
# Issue 12's round-trip floor: an echo server on the runtime driven from the application's
# epoll loop through the runtime's descriptor (rt-echo --loop epoll: no loop thread)
# against the same server on the runtime's own loop thread with the blocking API
# (rt-echo --loop blocking), both over a TUN in a namespace this script makes, with
# Linux's kperf as the client (1-byte round trips over one connection). Rounds alternate
# the two shapes; the medians are compared. The floor: epoll >= 0.95 x blocking.
#
# Usage: bash bench/embed.sh   (as root)
#   env: EMBED_SECONDS per run (5), EMBED_ROUNDS (3), EMBED_BUILD (build-bench),
#        EMBED_NO_BUILD=1 to use the build as it is
# Exit: 0 the floor holds; 1 it fails or something went wrong; 77 cannot run here.
# Addresses: 192.0.2.1 (the kernel side) and 192.0.2.2 (synack), inside the namespace only.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${EMBED_SECONDS:-5}
ROUNDS=${EMBED_ROUNDS:-3}
BUILD=${EMBED_BUILD:-build-bench}
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ] || ! command -v ip >/dev/null; then
	echo "embed.sh: skipped: needs root, /dev/net/tun and ip(8)"
	exit 77
fi
if [ -z "${EMBED_NO_BUILD:-}" ]; then
	bash scripts/deps.sh
	cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$BUILD" -j"$(nproc)" --target kperf rt-echo >/dev/null
fi
BIN=$BUILD/bench
NS=skemb$$
LOG=$(mktemp -d)
SRV=""
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$LOG"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

# one LOOP ROUND: starts rt-echo, runs kperf rr against it, prints the round trips per second.
one() {
	local loop=$1 out=$LOG/$1.$2
	ip netns exec "$NS" taskset -c 1 "$BIN/rt-echo" --loop "$loop" --port 5201 --tun skemb0 \
		--addr 192.0.2.2/24 --host-addr 192.0.2.1/24 --no-control >"$out.srv" 2>"$out.err" &
	SRV=$!
	for _ in $(seq 100); do
		grep -q '^ready' "$out.srv" 2>/dev/null && break
		kill -0 "$SRV" 2>/dev/null || break
		sleep 0.05
	done
	if ! grep -q '^ready' "$out.srv"; then
		echo "embed.sh: rt-echo --loop $loop did not start:" >&2
		cat "$out.err" >&2
		exit 1
	fi
	ip netns exec "$NS" taskset -c 0 "$BIN/kperf" client 192.0.2.2 5201 --mode rr --seconds "$SECS" \
		--peer-pid "$SRV" >"$out.kperf" 2>"$out.kerr" || { cat "$out.kerr" >&2; exit 1; }
	kill "$SRV"
	wait "$SRV" 2>/dev/null || true
	SRV=""
	sed -n 's/.*ops_per_s=\([0-9.]*\).*cpu_peer=\([0-9.-]*\).*/\1 \2/p' "$out.kperf"
}

median() { sort -n | awk '{v[NR] = $1} END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "== the runtime's round trips: blocking API on its loop thread vs the application's epoll loop"
echo "   ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), kernel $(uname -r); ${SECS} s per run, $ROUNDS rounds)"
: >"$LOG/blocking.all"
: >"$LOG/epoll.all"
for r in $(seq "$ROUNDS"); do
	for loop in blocking epoll; do
		line=$(one "$loop" "$r")
		printf '   round %d %-9s %10.0f rt/s  server cpu %s\n' "$r" "$loop" ${line}
		echo "$line" | awk '{print $1}' >>"$LOG/$loop.all"
	done
done
b=$(median <"$LOG/blocking.all")
e=$(median <"$LOG/epoll.all")
ratio=$(awk -v e="$e" -v b="$b" 'BEGIN { printf "%.3f", e / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.95) ? "PASS" : "FAIL" }')
printf 'median: blocking %.0f rt/s, epoll %.0f rt/s, epoll/blocking %s (floor >= 0.95) %s\n' "$b" "$e" "$ratio" "$verdict"
[ "$verdict" = PASS ]
