#!/usr/bin/env bash
# The main demo: synack's TCP on the simulated network, no privileges needed. Builds, then
# replays a few behaviours of the catalogue segment by segment (tcpdump format, virtual
# time) and shows that synack-dump prints the captured pcap exactly as tcpdump does.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
sim=./build/synack-sim
dump=./build/synack-dump
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

show() { # scenario, what to say
	echo
	echo "=================================================================="
	echo "== synack-sim $1: $2"
	echo "=================================================================="
	"$sim" "$1" -w "$out/$1.pcap"
}

show hs-1 "the three-way handshake"
show hs-7 "every SYN is lost: retries at 1, 3, 7, 15, 31 s, ETIMEDOUT at 63 s"
show cl-1 "the four-way close and TIME-WAIT"
show rel-5 "three segments lost in one window, repaired by SACK without a timeout"

echo
echo "=================================================================="
echo "== synack-sim transfer: 20 MiB each way at once, 5% loss, 2% reordering, 1% corruption"
echo "=================================================================="
"$sim" transfer --bytes 20M --both-ways --loss 0.05 --reorder 0.02 --corrupt 0.01 --rate 100 --queue 200

echo
echo "=================================================================="
echo "== synack-dump vs tcpdump on the pcap synack-sim hs-1 wrote"
echo "=================================================================="
TZ=UTC "$dump" -r "$out/hs-1.pcap" -v >"$out/ours.txt" 2>/dev/null
TZ=UTC tcpdump -n -S -v -r "$out/hs-1.pcap" >"$out/theirs.txt" 2>/dev/null
cat "$out/ours.txt"
if cmp -s "$out/ours.txt" "$out/theirs.txt"; then
	echo "-> identical to tcpdump -n -S -v ($(wc -l <"$out/ours.txt") lines)"
else
	echo "-> DIFFERS from tcpdump:"
	diff "$out/theirs.txt" "$out/ours.txt" || true
	exit 1
fi
echo
echo "More: $sim --list, $sim NAME -X, $dump -r FILE.pcap [-v] [-X]"
