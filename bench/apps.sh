#!/usr/bin/env bash
# Unmodified programs on synack (synack-run) against synack's native API and against Linux,
# in one run, on this machine (issue 13's floors):
#   native  bench/stack_synack.c: synack's own API on a TUN (real.sh's synack row), served
#           to kperf from Linux: recv, send, crr, rr
#   run     `synack-run -- kperf server`: the same kperf server, an ordinary Linux program,
#           with its sockets on synack, served to the same kperf client
#   iperf3  `synack-run -- iperf3 -s`, Linux's iperf3 client: recv (-c) and send (-R)
#   nginx   nginx (two workers) through synack-run on a TUN, and nginx on Linux over veth,
#           served to wrk from Linux: a 1 KiB file over 32 keep-alive connections
# The server side (the stack and the program) runs on CPU 1, the Linux client on CPU 0.
# Each row prints its figure and the CPU seconds per second of the server side (every
# process of it) and of the client. Floors: iperf3 through synack-run at least 0.9x the
# native recv and send; nginx through synack-run at least 0.8x nginx on Linux.
#
# Usage: bash bench/apps.sh     (as root)
#   env: APPS_SECONDS per test (5), APPS_RUN_OPTS more synack-run options (say --busy-poll 0),
#        APPS_BUILD build directory (build-bench),
#        APPS_NO_BUILD=1 to use it as it is
# Exit: 0 the floors hold; 1 a floor failed or something went wrong; 77 cannot run here.
# Addresses only inside the namespaces it creates (192.0.2.0/24, 198.51.100.0/24).
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${APPS_SECONDS:-5}
BUILD=${APPS_BUILD:-build-bench}
PORT=5201
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
	echo "apps.sh: skipped: needs root and /dev/net/tun"
	exit 77
fi
if [ -z "${APPS_NO_BUILD:-}" ]; then
	bash scripts/deps.sh
	for p in wrk; do
		command -v $p >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $p >/dev/null
	done
	cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$BUILD" -j"$(nproc)" --target kperf stack-synack synack-run synack_preload >/dev/null
fi
for t in iperf3 nginx wrk taskset; do
	command -v $t >/dev/null || { echo "apps.sh: $t is not installed" >&2; exit 1; }
done
BIN=$BUILD/bench
RUN=$BUILD/synack-run
SRV_CPU=1 CLI_CPU=0
[ "$(nproc)" -ge 2 ] || SRV_CPU=0

TAG="ska$$"
NS_S="$TAG-s" NS_A="$TAG-a" NS_B="$TAG-b"
W=$(mktemp -d /tmp/synack-apps.XXXXXX)
SRV=""
cleanup() {
	stop_server
	for ns in "$NS_S" "$NS_A" "$NS_B"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM
. bench/netns.sh
mkns "$NS_S"
mkns "$NS_A"
mkns "$NS_B"
veth_pair "$NS_A" "$TAG-va" "$NS_B" "$TAG-vb"
DEV=(--tun skapps0 --addr 192.0.2.2/24 --host-addr 192.0.2.1/24 ${APPS_RUN_OPTS:-})

# CPU ticks of a process and all its descendants (the children that ended included).
tree_ticks() {
	local pid=$1 t=0 c
	[ -r /proc/$pid/stat ] && t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' /proc/$pid/stat)
	for c in $(pgrep -P "$pid" 2>/dev/null); do
		t=$((t + $(tree_ticks "$c")))
	done
	echo "$t"
}
HZ=$(getconf CLK_TCK)

# start_server NS READY CMD...: CMD in NS on the server CPU; waits until READY (a command) holds.
start_server() {
	local ns=$1 ready=$2
	shift 2
	ip netns exec "$ns" taskset -c "$SRV_CPU" "$@" >"$W/server.out" 2>"$W/server.err" &
	SRV=$!
	for _ in $(seq 200); do
		if eval "$ready" >/dev/null 2>&1; then return 0; fi
		kill -0 "$SRV" 2>/dev/null || break
		sleep 0.05
	done
	echo "apps.sh: the server $* did not start: $(tail -3 "$W/server.err")" >&2
	exit 1
}
stop_server() {
	[ -n "$SRV" ] || return 0
	kill -TERM "$SRV" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 "$SRV" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$SRV" 2>/dev/null || true
	wait "$SRV" 2>/dev/null || true
	SRV=""
}

declare -A VAL SCPU CCPU
# measure KEY NS CMD...: runs the client CMD in NS on the client CPU; its output in
# $W/KEY.out; records the server side's and the client's CPU per second (the client's from
# the ticks its reaped child left in a wrapper shell: nothing polls while it runs).
measure() {
	local key=$1 ns=$2 s0 s1 t0 t1
	shift 2
	s0=$(tree_ticks "$SRV")
	t0=$(date +%s.%N)
	ip netns exec "$ns" taskset -c "$CLI_CPU" env OUT="$W/$key.out" \
		sh -c '"$@" >"$OUT" 2>&1; r=$?; cat /proc/$$/stat >"$OUT.stat"; exit $r' sh "$@" </dev/null ||
		echo "apps.sh: $key: the client failed: $(tail -2 "$W/$key.out")" >&2
	t1=$(date +%s.%N)
	s1=$(tree_ticks "$SRV")
	SCPU[$key]=$(awk -v a="$s0" -v b="$s1" -v t0="$t0" -v t1="$t1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz / (t1 - t0) }')
	CCPU[$key]=$(awk -v t0="$t0" -v t1="$t1" -v hz="$HZ" '{ sub(/^.*\) /, ""); printf "%.2f", ($14 + $15) / hz / (t1 - t0) }' \
		"$W/$key.out.stat")
}
kperf_val() { # KEY FIELD
	sed -n "s/.* $2=\([0-9.]*\).*/\1/p" "$W/$1.out" | head -1
}

echo "== unmodified programs: ${SECS} s per test; server side on CPU $SRV_CPU, Linux client on CPU $CLI_CPU"
echo "   ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), kernel $(uname -r); logs in $W)"

# native and run: kperf's four tests against synack's API and against kperf under synack-run.
for row in native run; do
	if [ $row = native ]; then
		start_server "$NS_S" "grep -q '^ready' $W/server.out" "$BIN/stack-synack" --tun skapps0 \
			--host 192.0.2.1 --addr 192.0.2.2 --port $PORT --mtu 1500
	else
		start_server "$NS_S" "grep -q '^ready' $W/server.out" "$RUN" "${DEV[@]}" -- "$BIN/kperf" server $PORT
	fi
	for t in recv send crr rr; do
		case $t in recv) m=send ;; send) m=recv ;; *) m=$t ;; esac
		measure $row.$t "$NS_S" "$BIN/kperf" client 192.0.2.2 $PORT --mode $m --seconds "$SECS"
		case $t in recv | send) f=gbps ;; *) f=ops_per_s ;; esac
		VAL[$row.$t]=$(kperf_val $row.$t $f)
	done
	stop_server
	sleep 0.5
done

# iperf3 under synack-run, Linux's client both ways.
start_server "$NS_S" "grep -q 'Server listening' $W/server.out" "$RUN" "${DEV[@]}" -- iperf3 -s --forceflush
for t in recv send; do
	measure iperf3.$t "$NS_S" iperf3 -c 192.0.2.2 -t "$SECS" -J $([ $t = send ] && echo -R)
	VAL[iperf3.$t]=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9)' "$W/iperf3.$t.out" 2>/dev/null || true)
	sleep 0.5
done
stop_server
sleep 0.5

# nginx: through synack-run on the TUN, and on Linux over veth; wrk from Linux.
mkdir -p "$W/www" "$W/ng"
head -c 1024 /dev/urandom >"$W/www/k"
cat >"$W/nginx.conf" <<EOF
worker_processes 2;
daemon off;
user root;
pid $W/ng/pid;
error_log $W/ng/error.log;
events { worker_connections 256; }
http {
	access_log off;
	keepalive_requests 1000000;
	client_body_temp_path $W/ng/b; proxy_temp_path $W/ng/p; fastcgi_temp_path $W/ng/f;
	uwsgi_temp_path $W/ng/u; scgi_temp_path $W/ng/s;
	server { listen 8080; root $W/www; }
}
EOF
wrk_rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$W/$1.out"; }
start_server "$NS_S" "ip netns exec $NS_S bash -c 'exec 3<>/dev/tcp/192.0.2.2/8080'" "$RUN" "${DEV[@]}" -- \
	nginx -c "$W/nginx.conf"
measure nginx.run "$NS_S" wrk -t1 -c32 -d"${SECS}s" http://192.0.2.2:8080/k
VAL[nginx.run]=$(wrk_rps nginx.run)
stop_server
start_server "$NS_B" "ip netns exec $NS_A bash -c 'exec 3<>/dev/tcp/198.51.100.2/8080'" nginx -c "$W/nginx.conf"
measure nginx.linux "$NS_A" wrk -t1 -c32 -d"${SECS}s" http://198.51.100.2:8080/k
VAL[nginx.linux]=$(wrk_rps nginx.linux)
stop_server

echo
printf '%-8s %-6s %12s %-7s %11s %10s\n' row test result unit "server cpu" "client cpu"
for k in native.recv native.send native.crr native.rr run.recv run.send run.crr run.rr iperf3.recv iperf3.send \
	nginx.run nginx.linux; do
	case $k in *.recv | *.send) u=Gbit/s fmt='%.2f' ;; nginx.*) u=req/s fmt='%.0f' ;; *.crr) u=conn/s fmt='%.0f' ;; *) u=rt/s fmt='%.0f' ;; esac
	v=${VAL[$k]:-}
	printf '%-8s %-6s %12s %-7s %11s %10s\n' "${k%%.*}" "${k#*.}" "$([ -n "$v" ] && printf "$fmt" "$v" || echo -)" \
		$u "${SCPU[$k]:--}" "${CCPU[$k]:--}"
done
echo
. bench/floor.sh
floor "iperf3 recv through synack-run vs the native API's recv" "${VAL[iperf3.recv]:-}" "${VAL[native.recv]:-}" 0.9
floor "iperf3 send through synack-run vs the native API's send" "${VAL[iperf3.send]:-}" "${VAL[native.send]:-}" 0.9
floor "nginx through synack-run vs nginx on Linux (req/s)" "${VAL[nginx.run]:-}" "${VAL[nginx.linux]:-}" 0.8
exit $FAIL
