#!/usr/bin/env bash
# Loss recovery on real paths: synack against Linux, and Linux against Linux, through the same
# impairment applied the same way, in one go, on this machine (issue 10's floors).
#
# Topology: a router namespace A joins the Linux peer of every transfer (namespace B, over a
# veth pair) to the end under test: synack behind a TUN in A, or Linux in namespace C over a
# second veth pair, the reference. Everything between B and the end under test is forwarded
# by A, and A's forward hook is the path: nftables drops there, and a delay line (bench/
# delaybox, an NFQUEUE program: this kernel has no sch_netem, and no nft queue expression
# either, so an iptables-legacy NFQUEUE rule feeds it) holds the packets going to B for the
# RTT. A drop in a forward hook is a loss neither end can see, as on a real path (a drop in
# the sender's own output hook is not: Linux's TCP gets the error and sends again, with no
# loss recovery at all):
#   random loss  numgen random mod 1000 < N   (N per mille, each way)
#   burst        numgen inc mod 500 245-249   (five in a row of every 500, each way)
# SYNs and SYN+ACKs are spared (and not counted): a lost one costs either stack the same
# fixed 1 s initial RTO, which would swamp what is measured here, the recovery of data; and
# the burst pattern is "< 5" shifted by 245: unshifted, its first five were a connection's
# first five packets (every handshake timed out three times), and shifted by 495 a transfer
# of fewer than 495 packets each way (20 MB in TSO packets) met no burst at all.
# Rows: loss 0 (clean), 5, 10, 20, 50 per mille and burst, at RTT 0 (about 0.05 ms), 10 and
# 50 ms. Each row moves one file each way four times: synack sends (Linux in B receives),
# synack receives (Linux in B sends), and Linux in C sends to / receives from Linux in B, the
# reference; every Linux socket uses cubic (TCP_CONGESTION, whatever the host's default), as
# synack does. Each transfer is checked by sha256. Per row it prints the throughput, what
# the rules dropped (nft counters: packets and bytes; with GSO one drop can take a whole
# super-packet), the sender's retransmissions, timeouts, srtt, and synack's ratio to Linux.
# Then the floors (PASS/FAIL).
#
# Usage: sudo bash bench/lossy.sh
#   env: LOSSY_MB size at RTT 0 (100), LOSSY_MB_10 at 10 ms (20), LOSSY_MB_50 at 50 ms (5);
#        LOSSY_REPEAT rounds per row (3; each figure is the median round);
#        LOSSY_RTTS ("0 10 50"), LOSSY_LOSS ("0 5 10 20 50 burst"), LOSSY_BUILD (build-bench),
#        LOSSY_KINDS (all four: "lsend ssend lrecv srecv"; a floor needs both its kinds),
#        LOSSY_SNC_OPTS more options for synack-nc (-w FILE: a capture of each synack run),
#        LOSSY_NO_BUILD=1 to use the build as it is, LOSSY_TIMEOUT seconds per transfer (300)
# Exit: 0 all ran and the floors hold; 1 a floor failed or something went wrong; 77 cannot
# run here (not root, no TUN, no nft, no network namespaces). Only addresses in the
# namespaces it makes (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24); they go on exit.
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD=${LOSSY_BUILD:-build-bench}
RTTS=${LOSSY_RTTS:-"0 10 50"}
LOSSES=${LOSSY_LOSS:-"0 5 10 20 50 burst"}
TMO=${LOSSY_TIMEOUT:-300}
REPEAT=${LOSSY_REPEAT:-3}
KINDS=${LOSSY_KINDS:-"lsend ssend lrecv srecv"}
SNC_OPTS=${LOSSY_SNC_OPTS:-} # more synack-nc options, e.g. "-w /tmp/s.pcap" to look at a run
PORT=5301

skip() { echo "lossy.sh: skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, TUN, nftables)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
if [ -z "${LOSSY_NO_BUILD:-}" ]; then
	bash scripts/deps.sh || exit 1
	cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 1
	cmake --build "$BUILD" -j"$(nproc)" --target kperf delaybox synack-nc >/dev/null || exit 1
fi
command -v nft >/dev/null || skip "needs nft (nftables)"
command -v iptables-legacy >/dev/null || skip "needs iptables-legacy (iptables)"
command -v ip >/dev/null || skip "needs ip (iproute2)"
KPERF=$BUILD/bench/kperf DELAYBOX=$BUILD/bench/delaybox SNC=$BUILD/synack-nc
for p in "$KPERF" "$DELAYBOX" "$SNC"; do
	[ -x "$p" ] || { echo "lossy.sh: $p is missing (delaybox needs libnetfilter-queue-dev)" >&2; exit 1; }
done
if ! ip netns add "skl$$-probe" 2>/dev/null; then skip "cannot create network namespaces"; fi
ip netns del "skl$$-probe"

TAG=skl$$
A=$TAG-a B=$TAG-b C=$TAG-c
LOG=$(mktemp -d /tmp/synack-lossy.XXXXXX)
DBPID=""
cleanup() {
	[ -n "$DBPID" ] && kill "$DBPID" 2>/dev/null
	pkill -f "$TAG" 2>/dev/null
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	ip netns del "$C" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkns() {
	ip netns add "$1"
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}
mkns "$A"
mkns "$B"
mkns "$C"
ip netns exec "$A" sysctl -qw net.ipv4.ip_forward=1
ip link add "$TAG-ab" netns "$A" type veth peer name "$TAG-b" netns "$B"
ip link add "$TAG-ac" netns "$A" type veth peer name "$TAG-c" netns "$C"
ip -n "$A" addr add 198.51.100.1/24 dev "$TAG-ab"
ip -n "$B" addr add 198.51.100.2/24 dev "$TAG-b"
ip -n "$A" addr add 203.0.113.1/24 dev "$TAG-ac"
ip -n "$C" addr add 203.0.113.2/24 dev "$TAG-c"
for l in "$A $TAG-ab" "$A $TAG-ac" "$B $TAG-b" "$C $TAG-c"; do ip -n ${l% *} link set ${l#* } up; done
ip -n "$B" route add default via 198.51.100.1
ip -n "$C" route add default via 203.0.113.1
# Linux's buffers as large as synack's (tcp_rmem[2], tcp_wmem[2] of 32 and 4 MiB are Linux's
# own defaults; nothing is tuned for either side).
SYN=192.0.2.2 PEER=198.51.100.2 REF=203.0.113.2

# rules LOSS DELAY_MS: the path in A's forward hook: drops each way (counted per way), and
# the delay on what goes to B (both ends' packets to B pass it: the same RTT for every kind).
rules() {
	local loss=$1 delay=$2 drop
	case $loss in
	0) drop="" ;;
	burst) drop="tcp flags & syn == 0 numgen inc mod 500 245-249 counter drop" ;;
	*) drop="tcp flags & syn == 0 numgen random mod 1000 < $loss counter drop" ;;
	esac
	ip netns exec "$A" nft delete table inet lossy 2>/dev/null
	{
		echo "table inet lossy {"
		echo " counter to_peer { }"
		echo " counter from_peer { }"
		echo " chain path { type filter hook forward priority -10;"
		# every packet each way, before any drop: how many device writes each sender made
		echo "  ip daddr $PEER counter name to_peer"
		echo "  ip saddr $PEER counter name from_peer"
		[ -n "$drop" ] && echo "  ip daddr $PEER $drop" && echo "  ip saddr $PEER $drop"
		echo " }"
		echo "}"
	} | ip netns exec "$A" nft -f - || return 1
	ip netns exec "$A" iptables-legacy -F FORWARD
	if [ "$delay" -gt 0 ]; then
		ip netns exec "$A" iptables-legacy -A FORWARD -d $PEER -j NFQUEUE --queue-num 0 || return 1
	fi
}

# dropped: "packets bytes" the rules dropped since they were made (both chains).
dropped() {
	ip netns exec "$A" nft list table inet lossy 2>/dev/null |
		awk '/counter packets/ { for (i = 1; i <= NF; i++) { if ($i == "packets") p += $(i+1); if ($i == "bytes") b += $(i+1) } }
		     END { printf "%d %d", p, b }'
}

# passed KIND: "data/acks", the packets (device writes: with GSO one can carry 44 segments)
# that reached the path from the sender and from the receiver, drops included.
passed() {
	local c
	for c in to_peer from_peer; do
		ip netns exec "$A" nft list counter inet lossy $c 2>/dev/null | awk '/packets/ { print $2 }'
	done | { read -r to; read -r from; case $1 in *send) echo "$to/$from" ;; *) echo "$from/$to" ;; esac; }
}

# timeouts NS: Linux's TcpExtTCPTimeouts in NS.
timeouts() {
	ip netns exec "$1" awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) n[i] = $i; h = 1 } else for (i = 1; i <= NF; i++) if (n[i] == "TCPTimeouts") print $i }' /proc/net/netstat
}

field() { # field NAME TEXT
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1
}

# xfer KIND FILE: one transfer; prints "secs retrans timeouts srtt_us ok|BAD lost" where lost
# is synack's "F/T": F retransmissions found lost without a timeout (RACK), T timeouts that
# fired with a retransmission outstanding (it was lost: the one case a timeout is allowed).
# Linux in B is the peer of every kind; the end under test listens, B connects:
#   ssend: synack sends, Linux in B receives    srecv: Linux in B sends, synack receives
#   lsend: Linux in C sends, Linux in B receives lrecv: Linux in B sends, Linux in C receives
xfer() {
	local kind=$1 file=$2 want got sp t0 t1 log=$LOG/$kind.log klog=$LOG/$kind.k st rx to=0 to0 lost=-
	local dst sender_ns=$B dir=--recv in=/dev/null
	want=$(sha256sum <"$file" | cut -d' ' -f1)
	rm -f "$log" "$klog" "$LOG/$kind.sha" "$LOG/$kind.kha"
	case $kind in *recv) dir=--send in=$file ;; esac
	case $kind in
	ssend | srecv)
		local io=(-d) sin=/dev/null
		[ "$kind" = ssend ] && { io=(); sin=$file; }
		dst=$SYN
		ip netns exec "$A" taskset -c 1 "$SNC" --tun "$TAG" --addr $SYN/24 --host-addr 192.0.2.1/24 \
			--stats -v $SNC_OPTS "${io[@]}" -l $PORT <"$sin" 2>"$log" | sha256sum >"$LOG/$kind.sha" &
		sp=$!
		for _ in $(seq 100); do grep -q "Listening" "$log" 2>/dev/null && break; sleep 0.05; done
		;;
	lsend | lrecv)
		dst=$REF
		[ "$kind" = lsend ] && sender_ns=$C
		if [ "$kind" = lsend ]; then
			ip netns exec "$C" taskset -c 1 "$KPERF" xfer --listen $PORT --send --cc cubic <"$file" 2>"$log" &
		else
			ip netns exec "$C" taskset -c 1 "$KPERF" xfer --listen $PORT --recv --cc cubic 2>"$log" |
				sha256sum >"$LOG/$kind.sha" &
		fi
		sp=$!
		sleep 0.2
		;;
	esac
	to0=$(timeouts "$sender_ns")
	t0=$(date +%s.%N)
	timeout "$TMO" ip netns exec "$B" taskset -c 0 "$KPERF" xfer --connect $dst $PORT $dir --cc cubic \
		<"$in" 2>"$klog" | sha256sum >"$LOG/$kind.kha"
	wait "$sp"
	t1=$(date +%s.%N)
	case $kind in *send) got=$(cut -d' ' -f1 "$LOG/$kind.kha") ;; *) got=$(cut -d' ' -f1 "$LOG/$kind.sha") ;; esac
	case $kind in
	ssend)
		st=$(grep 'stats' "$log")
		rx=$(field total_retrans "$st") to=$(field timeouts "$st")
		srtt=$(field srtt_us "$st") lost=$(field lost_retransmits "$st")/$(field timeouts_rxt_lost "$st") ;;
	lsend)
		st=$(cat "$log")
		rx=$(field total_retrans "$st") srtt=$(field srtt_us "$st")
		to=$(($(timeouts "$sender_ns") - to0)) ;;
	*)
		st=$(cat "$klog")
		rx=$(field total_retrans "$st") srtt=$(field srtt_us "$st")
		to=$(($(timeouts "$sender_ns") - to0)) ;;
	esac
	local ok=ok secs
	[ "$got" = "$want" ] || ok=BAD
	# The time is the one kperf in B measured, from its connect to the end of the stream
	# (for every kind: the same end of the same path), so neither side's start-up nor its
	# exit (synack-nc removing its TUN device) counts; the wall clock when kperf has none.
	secs=$(field seconds "$(cat "$klog" 2>/dev/null)")
	[ -n "$secs" ] && t0=0 t1=$secs
	awk -v a="$t0" -v b="$t1" -v r="${rx:-?}" -v t="${to:-?}" -v s="${srtt:-?}" -v ok=$ok -v lo="${lost:-?}" \
		'BEGIN { printf "%.4f %s %s %s %s %s", b - a, r, t, s, ok, lo }'
}

echo "== lossy paths: synack (TUN, TSO on) and Linux (veth), each to Linux through the same forwarding path"
echo "   ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), kernel $(uname -r); logs in $LOG)"
RESULTS=$LOG/results RUNS=$LOG/runs
: >"$RESULTS"
: >"$RUNS"
FAIL=0
printf '%-5s %-6s %-6s %9s %6s %9s %9s %9s %4s %10s %12s %12s %13s  %s\n' rtt loss kind MB/s \
	ratio retrans timeouts srtt_us ok drop_pkts drop_bytes lost_rtx/rto data/ack_pkts "MB/s of each round"
for rtt in $RTTS; do
	case $rtt in 0) mb=${LOSSY_MB:-100} ;; 10) mb=${LOSSY_MB_10:-20} ;; *) mb=${LOSSY_MB_50:-5} ;; esac
	file=$LOG/data-$mb.bin
	[ -f "$file" ] || head -c $((mb << 20)) /dev/urandom >"$file"
	if [ -n "$DBPID" ]; then kill "$DBPID"; wait "$DBPID" 2>/dev/null; DBPID=""; fi
	if [ "$rtt" -gt 0 ]; then
		ip netns exec "$A" taskset -c 0 "$DELAYBOX" --queue 0 --delay "$rtt" 2>"$LOG/delaybox-$rtt.log" \
			>"$LOG/delaybox-$rtt.out" &
		DBPID=$!
		sleep 0.3
	fi
	for loss in $LOSSES; do
		# REPEAT rounds of the four transfers, interleaved (a disturbance then hits
		# every kind alike); each kind's median round is its figure.
		for rep in $(seq "$REPEAT"); do
			for kind in $KINDS; do
				rules "$loss" "$rtt" || { echo "lossy.sh: nft rules failed" >&2; exit 1; }
				r=$(xfer $kind "$file")
				read -r secs rx to srtt ok lost <<<"$r"
				read -r dp db <<<"$(dropped)"
				pk=$(passed $kind)
				mbs=$(awk -v s="$secs" -v m="$mb" 'BEGIN { printf "%.2f", m * 1.048576 / s }')
				echo "$rtt $loss $kind $mbs $rx $to $srtt $ok $dp $db $lost $pk" >>"$RUNS"
				[ "$ok" = ok ] || { FAIL=1; echo "lossy.sh: rtt $rtt loss $loss $kind: data corrupted" >&2; }
			done
		done
		for kind in $KINDS; do
			# the median round by throughput (the lower middle one for an even count)
			awk -v r=$rtt -v l=$loss -v k=$kind '$1==r && $2==l && $3==k' "$RUNS" | sort -g -k4 |
				awk -v n="$REPEAT" 'NR == int((n + 1) / 2)' >>"$RESULTS"
			read -r _ _ _ mbs rx to srtt ok dp db lost pk < <(awk -v r=$rtt -v l=$loss -v k=$kind '$1==r && $2==l && $3==k' "$RESULTS")
			ratio=""
			case $kind in
			ssend | srecv)
				ref=$(awk -v r=$rtt -v l=$loss -v k=l${kind#s} '$1==r && $2==l && $3==k {print $4}' "$RESULTS")
				ratio=$(awk -v a="$mbs" -v b="$ref" 'BEGIN { if (b > 0) printf "%.2f", a / b }') ;;
			esac
			spread=$(awk -v r=$rtt -v l=$loss -v k=$kind '$1==r && $2==l && $3==k {printf "%s%s", sep, $4; sep="/"}' "$RUNS")
			printf '%-5s %-6s %-6s %9s %6s %9s %9s %9s %4s %10s %12s %12s %13s  %s\n' "$rtt" "$loss" "$kind" "$mbs" "$ratio" \
				"$rx" "$to" "$srtt" "$ok" "$dp" "$db" "$lost" "$pk" "$spread"
		done
	done
done
if [ -n "$DBPID" ]; then kill "$DBPID"; wait "$DBPID" 2>/dev/null; DBPID=""; fi

# The floors (issue 10).
echo
echo "== floors"
check() { # check NAME CONDITION-TEXT PASS(0/1)
	if [ "$3" = 1 ]; then echo "PASS  $1: $2"; else echo "FAIL  $1: $2"; FAIL=1; fi
}
get() { awk -v r=$1 -v l=$2 -v k=$3 -v c=$4 '$1==r && $2==l && $3==k {print $c}' "$RESULTS"; }
# median NAME RTT LOSS KIND COLUMN: the median over the rounds (the lower middle one): the srtt
# a transfer ends with is its last sample, which one late ACK can make ten times the rest
median() { awk -v r=$1 -v l=$2 -v k=$3 -v c=$4 '$1==r && $2==l && $3==k {print $c}' "$RUNS" | sort -g |
	awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
for rtt in $RTTS; do
	for loss in $LOSSES; do
		[ "$loss" = 0 ] && continue
		s=$(get $rtt $loss ssend 4) l=$(get $rtt $loss lsend 4)
		if [ -z "$s" ] || [ -z "$l" ]; then
			: # a floor whose two kinds did not both run (LOSSY_KINDS) is left out
		elif [ "$loss" = 5 ]; then
			s0=$(get $rtt 0 ssend 4) l0=$(get $rtt 0 lsend 4)
			v=$(awk -v s=$s -v l=$l -v s0=$s0 -v l0=$l0 'BEGIN { a = s / s0; b = l / l0; printf "%.2f %d", a / b, (a >= 0.8 * b) }')
			check "send rtt=$rtt loss=$loss" "lossy/clean ratio $(echo $v | cut -d' ' -f1)x Linux's (>= 0.8)" "${v#* }"
		else
			v=$(awk -v s=$s -v l=$l 'BEGIN { printf "%.2f %d", s / l, (s >= 0.8 * l) }')
			check "send rtt=$rtt loss=$loss" "${v% *}x Linux (>= 0.8)" "${v#* }"
		fi
		s=$(get $rtt $loss srecv 4) l=$(get $rtt $loss lrecv 4)
		if [ -n "$s" ] && [ -n "$l" ]; then
			v=$(awk -v s=$s -v l=$l 'BEGIN { printf "%.2f %d", s / l, (s >= 0.9 * l) }')
			check "recv rtt=$rtt loss=$loss" "${v% *}x Linux (>= 0.9)" "${v#* }"
		fi
		s=$(median $rtt $loss ssend 7) l=$(median $rtt $loss lsend 7)
		[ -z "$s" ] || [ -z "$l" ] && continue
		# The floor is about inflation: synack's no more than twice Linux's (both under
		# 1 ms count as equal); below Linux's is the path's own RTT, which Linux's
		# coarser samples overshoot under loss.
		v=$(awk -v s=$s -v l=$l 'BEGIN { printf "%.2f %d", s / l, (s <= 2 * l || (s < 1000 && l < 1000)) }')
		check "srtt rtt=$rtt loss=$loss" "synack ${s} us, Linux ${l} us (medians of the rounds): ${v% *}x (at most 2x)" "${v#* }"
	done
	case " $LOSSES $KINDS " in *" 10 "*ssend*)
		to=$(get $rtt 10 ssend 6) lr=$(get $rtt 10 ssend 11)
		check "rto rtt=$rtt loss=10" "synack sender timeouts ${to:-?}, with a retransmission lost ${lr#*/} (a timeout only after a lost retransmission)" \
			"$(awk -v t="${to:-1}" -v l="${lr#*/}" 'BEGIN { print (t == 0 || t <= l + 0) ? 1 : 0 }')" ;;
	esac
done
exit $FAIL
