#!/bin/sh
# synack-netsim against the real tools: its pcap files read cleanly in tcpdump and tshark,
# runs are reproducible by seed, and (mode "trace") --trace prints what tcpdump prints.
# usage: netsim_pcap.sh pcap|trace PATH-TO-synack-netsim
set -u
mode=$1
netsim=$2
for tool in tcpdump tshark; do
	command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool not installed"; exit 77; }
done
dir=$(mktemp -d /tmp/synack-netsim-XXXXXX) || exit 1
trap 'rm -rf "$dir"' EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Everything but corruption, hard enough that frames are lost, duplicated, reordered and
# queued, so the captures hold retransmissions and out-of-order segments.
impair="--loss 0.15 --dup 0.1 --reorder 0.1 --hold 4 --delay 10 --jitter 4 --rate 2 --queue 3"

# tshark with checksum validation on; prints the frames that are malformed, carry an error,
# or fail a checksum (none expected unless bits were flipped).
tshark_bad() {
	tshark -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -r "$1" \
		-Y '_ws.malformed || _ws.expert.severity >= error || ip.checksum.status == 0 || tcp.checksum.status == 0' \
		2>/dev/null
}

if [ "$mode" = trace ]; then
	# The trace and the wire capture are the same frames at the same times, and
	# sk_print_packet renders them as tcpdump does (tcpdump prints local time: use UTC).
	for seed in 1 2 3; do
		"$netsim" --seed $seed $impair --trace -w "$dir/w.pcap" >"$dir/trace.txt" 2>"$dir/sum.txt" ||
			fail "netsim seed $seed: exit $?"
		TZ=UTC tcpdump -n -S -r "$dir/w.pcap" >"$dir/tcpdump.txt" 2>/dev/null || fail "tcpdump -r"
		diff -u "$dir/tcpdump.txt" "$dir/trace.txt" || fail "seed $seed: --trace differs from tcpdump"
		"$netsim" --seed $seed $impair --trace -v -w "$dir/w.pcap" >"$dir/trace.txt" 2>/dev/null
		TZ=UTC tcpdump -n -S -v -r "$dir/w.pcap" >"$dir/tcpdump.txt" 2>/dev/null
		diff -u "$dir/tcpdump.txt" "$dir/trace.txt" || fail "seed $seed: --trace -v differs from tcpdump -v"
	done
	echo "OK"
	exit 0
fi

# 1. An impaired run without corruption: both views read cleanly.
"$netsim" --seed 7 $impair --trace -w "$dir/wire.pcap" --rx-w "$dir/rx.pcap" \
	>"$dir/trace.txt" 2>"$dir/sum.txt" || fail "netsim exit $?"
grep -q '^exchange: complete' "$dir/sum.txt" || fail "exchange incomplete: $(cat "$dir/sum.txt")"
grep -q 'retransmitted' "$dir/sum.txt" || fail "no summary"
for f in wire rx; do
	tcpdump -n -S -r "$dir/$f.pcap" >"$dir/$f.tcpdump" 2>"$dir/err" || fail "tcpdump -r $f.pcap: $(cat "$dir/err")"
	grep -q 'link-type RAW' "$dir/err" || fail "$f.pcap is not LINKTYPE_RAW: $(cat "$dir/err")"
	tshark -r "$dir/$f.pcap" >"$dir/$f.tshark" 2>"$dir/err" || fail "tshark -r $f.pcap: $(cat "$dir/err")"
	[ -s "$dir/$f.tshark" ] || fail "tshark read nothing from $f.pcap"
	bad=$(tshark_bad "$dir/$f.pcap")
	[ -z "$bad" ] || fail "tshark finds problems in $f.pcap: $bad"
done
n_trace=$(wc -l <"$dir/trace.txt")
n_wire=$(wc -l <"$dir/wire.tcpdump")
[ "$n_trace" -eq "$n_wire" ] || fail "trace has $n_trace lines, wire.pcap $n_wire frames"
[ "$(wc -l <"$dir/wire.tshark")" -eq "$n_wire" ] || fail "tshark and tcpdump disagree on frame count"
grep -q 'Flags \[S\.\]' "$dir/rx.tcpdump" || fail "no SYN+ACK delivered"
grep -q 'Flags \[F\.\]' "$dir/rx.tcpdump" || fail "no FIN delivered"

# 2. With corruption: still readable (bad checksums are expected now, malformed or not).
"$netsim" --seed 7 $impair --corrupt 0.3 -w "$dir/cw.pcap" --rx-w "$dir/crx.pcap" 2>"$dir/sum.txt" ||
	fail "netsim --corrupt exit $?"
grep -Eq 'corrupted [1-9]' "$dir/sum.txt" || fail "nothing corrupted: $(cat "$dir/sum.txt")"
for f in cw crx; do
	tcpdump -n -S -r "$dir/$f.pcap" >/dev/null 2>&1 || fail "tcpdump -r $f.pcap"
	tshark -r "$dir/$f.pcap" >/dev/null 2>&1 || fail "tshark -r $f.pcap"
done
[ -n "$(tshark_bad "$dir/crx.pcap")" ] || fail "corruption invisible to tshark"

# 3. Reproducible: same seed, same bytes; another seed, another run.
"$netsim" --seed 99 $impair --corrupt 0.05 -w "$dir/s1.pcap" --rx-w "$dir/r1.pcap" 2>"$dir/sum1.txt" || fail "run 1"
"$netsim" --seed 99 $impair --corrupt 0.05 -w "$dir/s2.pcap" --rx-w "$dir/r2.pcap" 2>"$dir/sum2.txt" || fail "run 2"
"$netsim" --seed 100 $impair --corrupt 0.05 -w "$dir/s3.pcap" 2>/dev/null || fail "run 3"
cmp -s "$dir/s1.pcap" "$dir/s2.pcap" || fail "same seed, different wire pcap"
cmp -s "$dir/r1.pcap" "$dir/r2.pcap" || fail "same seed, different rx pcap"
cmp -s "$dir/sum1.txt" "$dir/sum2.txt" || fail "same seed, different summary"
cmp -s "$dir/s1.pcap" "$dir/s3.pcap" && fail "different seeds, same pcap"

# 4. A scripted rule: every SYN+ACK is put on the wire and none arrives.
"$netsim" --drop-synack -w "$dir/dw.pcap" --rx-w "$dir/drx.pcap" 2>"$dir/sum.txt" || fail "--drop-synack exit $?"
grep -q 'gave up at segment 2' "$dir/sum.txt" || fail "--drop-synack: $(cat "$dir/sum.txt")"
synacks() {
	tcpdump -n -r "$1" 'tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)' 2>/dev/null | wc -l
}
[ "$(synacks "$dir/dw.pcap")" -eq 6 ] || fail "expected 6 SYN+ACKs on the wire"
[ "$(synacks "$dir/drx.pcap")" -eq 0 ] || fail "a SYN+ACK was delivered"

# 5. Bad arguments: exit 2 with one line on stderr.
for args in "--loss 1.5" "--delay x" "--bogus" "--seed" "stray" "--size 0"; do
	# shellcheck disable=SC2086
	"$netsim" $args >/dev/null 2>"$dir/err"
	rc=$?
	[ $rc -eq 2 ] || fail "'$args' exit $rc, expected 2"
	[ "$(wc -l <"$dir/err")" -eq 1 ] || fail "'$args': not one line: $(cat "$dir/err")"
done
"$netsim" -w /nonexistent-dir/x.pcap >/dev/null 2>&1 && fail "unwritable -w accepted"
"$netsim" --help | grep -q '^usage: synack-netsim' || fail "--help"
echo "OK"
