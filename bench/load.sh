#!/usr/bin/env bash
# synack under load on the real device, beside Linux, in one go (issue 15's point 6):
#   flood  hping3 -S --flood floods the listener from random sources in 198.51.100.0/24 and
#          203.0.113.0/24 for LOAD_FLOOD_SECONDS (default 5; hping3 ignores a packet count
#          when it floods, so the time bounds it), while a legitimate client (bench/kload.c
#          connlat, real-time priority on the flood's CPU, so that the scheduler's time
#          slices are not what it measures) opens LOAD_CLIENTS (300) connections 10 ms apart.
#          Rows: linux (Linux to Linux over a veth pair, the server bench/kperf.c) and synack
#          (Linux to bench/stack_synack.c over its TUN). Per row: SYNs sent, SYN-ACKs
#          answered (and per second), the legitimate clients that connected and their
#          connect time (p50, p90, p99, max), and the same client's p99 with no flood.
#   close  LOAD_CONNS (100,000) connections from Linux to synack over its TUN, all open at
#          once, then all closed at the same moment (several kload processes, each under the
#          descriptor limit, told by SIGUSR1); then waits up to LOAD_CLOSE_WAIT (120) s until
#          Linux has none of them left but in TIME-WAIT, and counts what synack still holds.
# Floors: synack answers at least as many SYNs per second as Linux; every legitimate client
# connects in both rows; synack's p99 connect time is within 2x Linux's; after the mass
# close synack holds no connection.
#
# The flood's sources: hping3 --rand-source draws from all of IPv4; an nftables rule in the
# flooding namespace's output hook (before anything leaves the namespace) rewrites the source
# to 198.51.100.x or 203.0.113.x (the low byte kept), and the replies to those prefixes are
# counted in that namespace and dropped there (blackhole routes). Only 192.0.2.0/24 and
# those two prefixes are used, inside namespaces the script makes and removes.
#
# Usage: bash bench/load.sh        (as root)
#   env: LOAD_PARTS "flood close" (default both), LOAD_BUILD (build-bench), LOAD_NO_BUILD=1
# Exit: 0 ran and the floors hold; 1 a floor failed or something went wrong; 77 cannot run
# here (not root, no /dev/net/tun, no network namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."

PARTS=${LOAD_PARTS:-flood close}
BUILD=${LOAD_BUILD:-build-bench}
FLOOD_SECS=${LOAD_FLOOD_SECONDS:-5}
CLIENTS=${LOAD_CLIENTS:-300}
CONNS=${LOAD_CONNS:-100000}
CLOSE_WAIT=${LOAD_CLOSE_WAIT:-120}
PORT=5201

. bench/netns.sh
need_netns load.sh

if [ -z "${LOAD_NO_BUILD:-}" ]; then
	bash scripts/deps.sh
	cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$BUILD" -j"$(nproc)" --target kperf kload stack-synack >/dev/null
fi
BIN=$BUILD/bench
for p in kperf kload stack-synack; do
	if [ ! -x "$BIN/$p" ]; then
		echo "load.sh: $BIN/$p is missing" >&2
		exit 1
	fi
done
for t in hping3 nft ss taskset; do
	if ! command -v $t >/dev/null; then
		echo "load.sh: $t is missing (bash scripts/deps.sh installs it)" >&2
		exit 1
	fi
done

# The server on CPU 1, the Linux side (flood, clients) on CPU 0.
SRV_CPU=1 CLI_CPU=0
[ "$(nproc)" -ge 2 ] || SRV_CPU=0

TAG="skl$$"
LOG=$(mktemp -d /tmp/synack-load.XXXXXX)
PIDS=()
NSS=()
FAIL=0
cleanup() {
	local p ns
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	for ns in "${NSS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# newns NAME: bench/netns.sh's namespace, remembered for removal.
newns() {
	mkns "$1"
	NSS+=("$1")
}

# start_synack NS LOGNAME: stack_synack on a TUN in NS (kernel side 192.0.2.1, synack
# 192.0.2.2), waiting for its "ready"; its pid in SYN_PID.
start_synack() {
	ip netns exec "$1" taskset -c "$SRV_CPU" "$BIN/stack-synack" --tun skload0 --host 192.0.2.1 --addr 192.0.2.2 \
		--port "$PORT" --mtu 1500 >"$LOG/$2.out" 2>"$LOG/$2.err" &
	SYN_PID=$!
	PIDS+=("$SYN_PID")
	wait_ready "$LOG/$2.out" "$SYN_PID" && return 0
	echo "load.sh: stack_synack did not start:" >&2
	cat "$LOG/$2.err" >&2
	exit 1
}

# stop NAME PID: SIGTERM, and its exit awaited (stack_synack prints its counters then).
stop() {
	kill "$2" 2>/dev/null || true
	wait "$2" 2>/dev/null || true
}

# flood_rules NS [PACE]: in the flooding namespace NS (again from zero), the source rewrite,
# the SYN-ACK counter and the blackhole routes for the two prefixes; with PACE, flood SYNs
# beyond PACE a second are dropped before they leave.
flood_rules() {
	local pace=""
	[ -n "${2:-}" ] && pace="ip protocol tcp ip saddr != 192.0.2.0/24 limit rate over $2/second burst 64 packets drop"
	ip -n "$1" route replace blackhole 198.51.100.0/24
	ip -n "$1" route replace blackhole 203.0.113.0/24
	ip netns exec "$1" nft delete table ip load 2>/dev/null || true
	ip netns exec "$1" nft -f - <<-EOF
	table ip load {
		chain out {
			type filter hook output priority -300;
			$pace
			ip protocol tcp ip saddr != 192.0.2.0/24 ip saddr & 0.0.1.0 == 0.0.0.0 ip saddr set ip saddr & 0.0.0.255 | 198.51.100.0 counter
			ip protocol tcp ip saddr != 192.0.2.0/24 ip saddr != 198.51.100.0/24 ip saddr set ip saddr & 0.0.0.255 | 203.0.113.0 counter
		}
		chain pre {
			type filter hook prerouting priority -300;
			ip daddr { 198.51.100.0/24, 203.0.113.0/24 } tcp flags & (syn | ack) == syn | ack counter
		}
	}
	EOF
}

# counter NS N: the packets of the N-th counter of NS's load table.
counter() {
	ip netns exec "$1" nft list table ip load | grep -o 'counter packets [0-9]*' | sed -n "$2p" | awk '{print $3}'
}

# connlat NS FILE: the legitimate client, real-time on the client CPU.
connlat() {
	ip netns exec "$1" taskset -c "$CLI_CPU" chrt -f 10 "$BIN/kload" connlat 192.0.2.2 "$PORT" --count "$CLIENTS" \
		--interval-ms 10 >"$2"
}

# flood NS LOGNAME [PACE]: FLOOD_SECS of hping3 from NS at 192.0.2.2 (paced if PACE); leaves
# the SYNs sent, the SYN-ACKs counted and their rate in SYNS, SYNACKS and RATE. nice: the
# flood takes what CPU the client leaves, as a flood from elsewhere would.
flood() {
	local t0 t1
	flood_rules "$1" "${3:-}"
	t0=$(date +%s.%N)
	ip netns exec "$1" taskset -c "$CLI_CPU" nice -n 19 timeout "$FLOOD_SECS" hping3 -q -S -p "$PORT" --flood \
		--rand-source 192.0.2.2 >"$LOG/$2.hping" 2>&1 || true
	t1=$(date +%s.%N)
	SYNS=$(($(counter "$1" 1) + $(counter "$1" 2)))
	SYNACKS=$(counter "$1" 3)
	RATE=$(echo "$SYNACKS / ($t1 - $t0)" | bc -l)
}

if [[ " $PARTS " == *" flood "* ]]; then
	echo "== SYN flood: ${FLOOD_SECS} s of hping3 -S --flood in each row"
	# linux: kperf server in B behind a veth pair, the flood and the client in A
	newns "$TAG-a"
	newns "$TAG-b"
	ip link add "$TAG-va" netns "$TAG-a" type veth peer name "$TAG-vb" netns "$TAG-b"
	ip -n "$TAG-a" addr add 192.0.2.1/24 dev "$TAG-va"
	ip -n "$TAG-b" addr add 192.0.2.2/24 dev "$TAG-vb"
	ip -n "$TAG-a" link set "$TAG-va" up
	ip -n "$TAG-b" link set "$TAG-vb" up
	ip -n "$TAG-b" route add 198.51.100.0/24 via 192.0.2.1
	ip -n "$TAG-b" route add 203.0.113.0/24 via 192.0.2.1
	ip netns exec "$TAG-b" taskset -c "$SRV_CPU" "$BIN/kperf" server "$PORT" >"$LOG/linux.out" 2>&1 &
	kpid=$!
	PIDS+=("$kpid")
	# synack: stack_synack on a TUN in S, the flood and the client in S
	newns "$TAG-s"
	start_synack "$TAG-s" synack-flood
	declare -A FNS=([linux]=$TAG-a [synack]=$TAG-s) F_RATE F_OK F_P99
	printf '%-7s %10s %10s %10s\n' row syns synacks synacks/s
	for row in linux synack; do
		flood "${FNS[$row]}" "$row-full"
		F_RATE[$row]=$RATE
		printf '%-7s %10d %10d %10.0f\n' $row "$SYNS" "$SYNACKS" "$RATE"
	done
	# The legitimate clients under the same offered flood in both rows: hping3 on the
	# client's CPU floods Linux more slowly than synack (Linux answers inside hping3's own
	# sends, on that CPU), so both rows get 90% of the lower of the two rates.
	pace=$(echo "${F_RATE[linux]} ${F_RATE[synack]}" | awk '{ m = $1 < $2 ? $1 : $2; printf "%d", int(m * 0.9 / 1000) * 1000 }')
	echo "-- $CLIENTS legitimate clients 10 ms apart, alone and then under the flood paced at $pace SYNs/s"
	printf '%-7s %10s %10s %15s %8s %8s %8s %8s %12s\n' row syns synacks "clients ok" p50_ms p90_ms p99_ms max_ms \
		p99_no_flood
	for row in linux synack; do
		ns=${FNS[$row]}
		connlat "$ns" "$LOG/$row.quiet" || FAIL=1
		quiet=$(sed -E 's/.*p99_ms=([-0-9.]+).*/\1/' "$LOG/$row.quiet")
		connlat "$ns" "$LOG/$row.lat" &
		lat=$!
		flood "$ns" "$row-paced" "$pace"
		wait "$lat" || FAIL=1
		read -r ok p50 p90 p99 max < <(sed -E 's/.* ok=([0-9]+) .*p50_ms=([-0-9.]+) p90_ms=([-0-9.]+) p99_ms=([-0-9.]+) max_ms=([-0-9.]+).*/\1 \2 \3 \4 \5/' \
			"$LOG/$row.lat")
		F_OK[$row]=$ok F_P99[$row]=$p99
		printf '%-7s %10d %10d %9s/%-5d %8s %8s %8s %8s %12s\n' $row "$SYNS" "$SYNACKS" "$ok" "$CLIENTS" "$p50" "$p90" \
			"$p99" "$max" "$quiet"
	done
	ip netns exec "$TAG-b" nstat -az TcpExtSyncookiesSent TcpExtListenDrops >"$LOG/linux.nstat"
	stop kperf "$kpid"
	stop stack_synack "$SYN_PID"
	sed 's/^/   /' "$LOG/synack-flood.err"
	ratio=$(echo "${F_RATE[synack]} / ${F_RATE[linux]}" | bc -l)
	verdict=holds
	awk -v r="$ratio" 'BEGIN { exit !(r < 1) }' && verdict=FAILS && FAIL=1
	printf 'floor: synack answers SYNs at least as fast as Linux: %.2fx %s\n' "$ratio" "$verdict"
	verdict=holds
	[ "${F_OK[linux]}" = "$CLIENTS" ] && [ "${F_OK[synack]}" = "$CLIENTS" ] || { verdict=FAILS; FAIL=1; }
	printf 'floor: every legitimate client connects under the flood: linux %s, synack %s of %s %s\n' "${F_OK[linux]}" \
		"${F_OK[synack]}" "$CLIENTS" "$verdict"
	ratio=$(echo "${F_P99[synack]} / ${F_P99[linux]}" | bc -l)
	verdict=holds
	awk -v r="$ratio" 'BEGIN { exit !(r > 2) }' && verdict=FAILS && FAIL=1
	printf 'floor: synack p99 connect time under the flood within 2x Linux: %.2fx %s\n' "$ratio" "$verdict"
fi

if [[ " $PARTS " == *" close "* ]]; then
	# Each kload process holds at most PER connections (under the descriptor limit), from a
	# source address of its own (the whole port range each).
	lim=$(ulimit -Hn)
	PER=$((lim - 100))
	[ "$PER" -gt 20000 ] && PER=20000
	procs=$(((CONNS + PER - 1) / PER))
	echo "== $CONNS connections from Linux to synack over its TUN, opened, then all closed at once ($procs clients)"
	ns="$TAG-c"
	newns "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv4.tcp_max_tw_buckets=262144 # every closed connection keeps its record
	start_synack "$ns" synack-close
	kpids=()
	for i in $(seq "$procs"); do
		a=192.0.2.$((i + 10))
		ip -n "$ns" addr add "$a/24" dev skload0
		n=$PER
		[ $((i * PER)) -gt "$CONNS" ] && n=$((CONNS - (i - 1) * PER))
		ip netns exec "$ns" taskset -c "$CLI_CPU" "$BIN/kload" many 192.0.2.2 "$PORT" --count "$n" --src "$a" \
			>"$LOG/many.$i" 2>&1 &
		kpids+=($!)
		PIDS+=($!)
	done
	for _ in $(seq 1200); do
		[ "$(cat "$LOG"/many.* | grep -c established=)" = "$procs" ] && break
		sleep 0.1
	done
	est=$(cat "$LOG"/many.* | sed -n 's/.*established=\([0-9]*\).*/\1/p' | paste -sd+ | bc)
	echo "established: $est of $CONNS"
	kill -USR1 "${kpids[@]}"
	wait "${kpids[@]}" || true
	t0=$(date +%s)
	left=-1
	for _ in $(seq $((CLOSE_WAIT * 2))); do
		left=$(ip netns exec "$ns" ss -Htan state established state fin-wait-1 state fin-wait-2 state closing \
			state last-ack dst 192.0.2.2 | wc -l)
		[ "$left" = 0 ] && break
		sleep 0.5
	done
	echo "Linux: $left of them not yet closed after $(($(date +%s) - t0)) s ($(ip netns exec "$ns" ss -Htan state time-wait | wc -l) in TIME-WAIT)"
	ip netns exec "$ns" nstat -az TcpExtTCPAbortOnTimeout TcpRetransSegs | grep -v "^#" | sed 's/^/   /'
	echo "   the TUN's kernel side: $(ip -s -n "$ns" link show skload0 | awk '/TX:/{getline; print "sent " $2 " packets, dropped " $4}') ($(ip -n "$ns" link show skload0 | grep -o 'qlen [0-9]*'))"
	stop stack_synack "$SYN_PID"
	sed 's/^/   /' "$LOG/synack-close.err"
	held=$(sed -n 's/.* held \([0-9]*\).*/\1/p' "$LOG/synack-close.err")
	conns=$(sed -n 's/.* conns \([0-9]*\) .*/\1/p' "$LOG/synack-close.err")
	verdict=holds
	[ "$est" = "$CONNS" ] && [ "${held:-x}" = 0 ] && [ "${conns:-x}" = 0 ] || { verdict=FAILS; FAIL=1; }
	echo "floor: after the mass close synack holds no connection: held by the server ${held:-?}, connections ${conns:-?} $verdict"
fi

echo "(logs in $LOG)"
exit $FAIL
