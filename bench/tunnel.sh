#!/usr/bin/env bash
# User-mode networking for a namespace, side by side in one run (issue 14's floors): a client
# in a network namespace reaches servers outside it through
#   veth    a veth pair, the kernel routing: the ceiling
#   synack  `synack-tunnel --mtu TUNNEL_MTU -- COMMAND` (this repository's tool, Release)
#   slirp   slirp4netns --configure --mtu=65520 --disable-host-loopback (Debian's)
#   pasta   pasta --config-net -- COMMAND (Debian's passt; MTU 65520, its default), run as
#           an unprivileged user the script creates (pasta won't run as root); it makes its
#           own user and network namespace
# and measures for each row, with the same Linux programs at both ends, TCP only:
#   up    iperf3 -c: the client in the namespace sends for TUNNEL_SECONDS, Gbit/s received
#   down  iperf3 -c -R: the server sends, Gbit/s the client received
#   crr   connections per second (`kperf client --mode crr`: connect, 1 byte, end of stream,
#         the server closes) against `kperf server`
#   rr    1-byte round trips per second over one connection (`kperf client --mode rr`)
#   idle  the tool's RSS per idle relayed connection: TUNNEL_CONNS (10,000) connections
#         opened from inside and held open by a server outside; (the tool process's VmRSS
#         with them - its VmRSS just before) / connections, in bytes (not for veth)
# Each test starts the tool afresh. The client runs on CPU 0 and the tool on CPU 1 (taskset);
# the servers run on CPU 0 beside the client, but in the veth row, which has no tool, on
# CPU 1. An iperf3 run that stalls (a one-second interval under a quarter of its best) is run
# again, up to TUNNEL_TRIES times in all, and the best run counts. Besides the figures it
# prints the CPU seconds per second of the tool's process and how busy each CPU was.
# Floors: synack's throughput at least 2x slirp4netns' and at least 1.0x pasta's, each
# direction; its connection rate at least 1.0x pasta's; at most 2 KiB of RSS per idle
# relayed connection.
#
# Usage: bash bench/tunnel.sh     (as root; about 4 minutes)
#   env: TUNNEL_SECONDS per test (5), TUNNEL_CONNS idle connections (10000),
#        TUNNEL_MTU synack-tunnel's --mtu (65520, what slirp4netns and pasta get here; the
#        tool's own default is 1500), TUNNEL_TRIES runs of a stalled iperf3 test (3),
#        TUNNEL_REPEAT rounds of crr and rr, median kept (3), TUNNEL_ROWS and TUNNEL_TESTS
#        a part of the run (a floor without its figures fails),
#        TUNNEL_BUILD build directory (build-bench), TUNNEL_NO_BUILD=1 to use it as it is
#        (and install no packages)
# Exit: 0 every row ran and the floors hold; 1 a floor failed or something went wrong;
#       77 cannot run here (not root, no /dev/net/tun, no network namespaces, or unprivileged
#       user namespaces off, which pasta needs).
# Everything runs in network namespaces it creates and removes: "h" holds the servers on
# 203.0.113.1 (its lo) and the tools' own sockets, with a veth to "c" (198.51.100.1 and .2,
# the veth row's client); slirp4netns serves namespace "s" (10.0.2.100), synack-tunnel and
# pasta make their own (10.0.2.15; pasta copies h's 198.51.100.1/24). It creates the user
# synackbench for pasta and removes it on exit; pasta opens /dev/net/tun through a node of
# mode 666 bind-mounted in a private mount namespace (the host's node is left as it is). The
# open-file limit is raised to its hard limit, which must leave room for TUNNEL_CONNS.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${TUNNEL_SECONDS:-5}
CONNS=${TUNNEL_CONNS:-10000}
MTU=${TUNNEL_MTU:-65520}
TRIES=${TUNNEL_TRIES:-3}
REPEAT=${TUNNEL_REPEAT:-3}
BUILD=${TUNNEL_BUILD:-build-bench}
BUSER=synackbench
SRV_ADDR=203.0.113.1
P_IPERF=5201 P_KPERF=5202 P_HOLD=5203
CLI_CPU=0 TOOL_CPU=1
[ "$(nproc)" -ge 2 ] || TOOL_CPU=0
ME=tunnel.sh

skip() {
	echo "$ME: skipped: $*"
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, TUN devices, a user for pasta)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
for t in ip taskset setpriv useradd; do
	command -v $t >/dev/null || skip "needs $t"
done
if [ "$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 1)" != 1 ] ||
	[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" -eq 0 ] ||
	[ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null || echo 0)" != 0 ]; then
	skip "unprivileged user namespaces are off (kernel.unprivileged_userns_clone, user.max_user_namespaces or kernel.apparmor_restrict_unprivileged_userns), and pasta needs them"
fi
ip netns add "skt$$-probe" 2>/dev/null || skip "cannot create network namespaces here"
ip netns del "skt$$-probe"

if [ -z "${TUNNEL_NO_BUILD:-}" ]; then
	bash scripts/deps.sh
	missing=()
	for p in iperf3 slirp4netns passt python3; do
		dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "$ME: installing ${missing[*]}" >&2
		DEBIAN_FRONTEND=noninteractive apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
	cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$BUILD" -j"$(nproc)" --target synack-tunnel kperf >/dev/null
fi
for t in iperf3 slirp4netns pasta python3 "$BUILD/synack-tunnel" "$BUILD/bench/kperf"; do
	command -v "$t" >/dev/null || { echo "$ME: $t is not installed (or built)" >&2; exit 1; }
done
# Every process of a row holds up to CONNS sockets at once.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((CONNS + 200)) ]; then
	echo "$ME: the open-file limit here ($(ulimit -n), hard $(ulimit -Hn)) is too low for $CONNS connections (TUNNEL_CONNS)" >&2
	exit 1
fi

TAG="skt$$"
NS_H="$TAG-h" NS_C="$TAG-c" NS_S="$TAG-s"
W=$(mktemp -d /tmp/synack-tunnel.XXXXXX)
chmod 755 "$W"
MADE_USER=0
PIDS=()
cleanup() {
	local p ns
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	# whatever is left in the namespaces is ours: the tools' commands, the servers
	for ns in "$NS_S" "$NS_C" "$NS_H"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
	done
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	if [ $MADE_USER = 1 ]; then
		for p in $(pgrep -u "$BUSER" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
		for _ in $(seq 50); do pgrep -u "$BUSER" >/dev/null 2>&1 || break; sleep 0.1; done
		userdel "$BUSER" 2>/dev/null || echo "$ME: could not remove the user $BUSER" >&2
	fi
	for ns in "$NS_S" "$NS_C" "$NS_H"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The unprivileged user for pasta; one left by an earlier run that was killed is reused.
if id "$BUSER" >/dev/null 2>&1; then
	if [ "$(getent passwd "$BUSER" | cut -d: -f5)" != "synack bench/tunnel.sh" ]; then
		echo "$ME: a user $BUSER exists and is not this script's" >&2
		exit 1
	fi
else
	useradd --system --no-create-home --shell /usr/sbin/nologin --comment "synack bench/tunnel.sh" "$BUSER"
fi
MADE_USER=1

. bench/netns.sh
mkns "$NS_H"
mkns "$NS_C"
mkns "$NS_S"
veth_pair "$NS_H" "$TAG-h0" "$NS_C" "$TAG-c0"
ip -n "$NS_H" addr add $SRV_ADDR/32 dev lo
ip -n "$NS_C" route add default via 198.51.100.1
# pasta copies the address, gateway and MTU of h's interface with the default route
ip -n "$NS_H" route add default via 198.51.100.2

# What the pasta user must reach: the programs and the files the clients write.
cp "$BUILD/bench/kperf" "$W/kperf"
mkdir -m 755 "$W/x" "$W/dev"
chown "$BUSER" "$W/x"
cat >"$W/inner.sh" <<'EOF'
#!/bin/sh
# In the client's namespace: room for the connect/close test's TIME-WAITs, the link up, then
# the client on its CPU; $DONE once it has ended.
sysctl -qw net.ipv4.ip_local_port_range="1024 65535" net.ipv4.tcp_max_tw_buckets=0 2>/dev/null || true
i=0
until awk '$2 == "00000000" { f = 1 } END { exit !f }' /proc/net/route; do
	i=$((i + 1))
	[ $i -le 200 ] || { echo "inner: no default route after 10 s" >&2; exit 1; }
	sleep 0.05
done
taskset -c "$CLI_CPU" "$@"
r=$?
: >"$DONE"
exit $r
EOF
cat >"$W/idle.py" <<'EOF'
# hold ADDR PORT FILE: accept and keep connections, their count in FILE; each is closed
# when its client's end of stream arrives (at most 900 s).
# open ADDR PORT N DIR: DIR/ready, wait for DIR/go, open N connections, DIR/opened
# ("established=E failed=F seconds=S"), wait for DIR/release (at most 300 s), close them.
import errno, os, resource, select, socket, sys, time

def put(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text + "\n")
    os.rename(path + ".tmp", path)

def wait_for(path, secs):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if os.path.exists(path):
            return True
        time.sleep(0.05)
    return False

def hold(addr, port, out):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(4096)
    ls.setblocking(False)
    ep = select.epoll()
    ep.register(ls, select.EPOLLIN)
    held, total, last, err = {}, 0, -1, ""
    end = time.monotonic() + 900
    while time.monotonic() < end:
        for fd, _ev in ep.poll(0.2):
            if fd == ls.fileno():
                continue
            c = held[fd]
            try:
                if c.recv(4096):
                    continue
            except BlockingIOError:
                continue
            except OSError:
                pass
            ep.unregister(fd)
            del held[fd]
            c.close()
        for _ in range(4096):
            try:
                c, _a = ls.accept()
            except BlockingIOError:
                break
            except OSError as e:
                err = " error=" + e.strerror.replace(" ", "_")
                break
            c.setblocking(False)
            held[c.fileno()] = c
            ep.register(c, select.EPOLLIN | select.EPOLLRDHUP)
            total += 1
        if total != last:
            put(out, "%d%s" % (total, err))
            last = total

def open_(addr, port, n, d):
    n = int(n)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(n + 64, hard), hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < n + 64:
        sys.exit("idle: open-file limit %d too low for %d connections" % (hard, n))
    put(d + "/ready", "1")
    if not wait_for(d + "/go", 60):
        sys.exit("idle: no go after 60 s")
    ep = select.epoll()
    pending, done, failed, started = {}, [], 0, 0
    t0 = time.monotonic()
    while (started < n or pending) and time.monotonic() < t0 + 120:
        while started < n and len(pending) < 256:
            s = socket.socket()
            s.setblocking(False)
            r = s.connect_ex((addr, int(port)))
            started += 1
            if r in (0, errno.EINPROGRESS):
                pending[s.fileno()] = s
                ep.register(s, select.EPOLLOUT)
            else:
                failed += 1
                s.close()
        for fd, _ev in ep.poll(0.5):
            s = pending.pop(fd)
            ep.unregister(fd)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                failed += 1
                s.close()
            else:
                done.append(s)
    put(d + "/opened", "established=%d failed=%d unfinished=%d seconds=%.2f" %
        (len(done), failed, len(pending) + n - started, time.monotonic() - t0))
    wait_for(d + "/release", 300)

{"hold": hold, "open": open_}[sys.argv[1]](*sys.argv[2:])
EOF
chmod 755 "$W/inner.sh" "$W/kperf"
chmod 644 "$W/idle.py"
export CLI_CPU DONE="$W/x/done"
HZ=$(getconf CLK_TCK)
TUNNEL_BIN=$(realpath "$BUILD/synack-tunnel")

# Servers in h: iperf3, kperf (crr, rr) and the idle connections' holder, for the whole run;
# pin_servers ROW moves them to that row's CPU.
SERVERS=()
start_servers() {
	local p
	ip netns exec "$NS_H" iperf3 -s -B $SRV_ADDR -p $P_IPERF >"$W/iperf3-server.log" 2>&1 &
	SERVERS+=("$!")
	ip netns exec "$NS_H" "$W/kperf" server $P_KPERF $SRV_ADDR >"$W/kperf-server.log" 2>&1 &
	SERVERS+=("$!")
	ip netns exec "$NS_H" python3 "$W/idle.py" hold $SRV_ADDR $P_HOLD "$W/held" >"$W/hold.log" 2>&1 &
	SERVERS+=("$!")
	PIDS+=("${SERVERS[@]}")
	for p in $P_IPERF $P_KPERF $P_HOLD; do
		for _ in $(seq 100); do
			ip netns exec "$NS_H" ss -Hltn "sport = :$p" | grep -q . && break
			sleep 0.05
		done
		ip netns exec "$NS_H" ss -Hltn "sport = :$p" | grep -q . ||
			{ echo "$ME: a server in $NS_H did not listen on port $p (logs in $W)" >&2; exit 1; }
	done
}
pin_servers() {
	local p cpu=$CLI_CPU
	[ "$1" != veth ] || cpu=$TOOL_CPU
	for p in "${SERVERS[@]}"; do
		taskset -apc "$cpu" "$p" >/dev/null || { echo "$ME: the server $p went away (logs in $W)" >&2; exit 1; }
	done
}

# launch ROW LOG CMD...: CMD (a client) in ROW's namespace, through ROW's tool, in the
# background; LAUNCHED is the pid to wait for, TOOL the tool's pid (empty for veth).
launch() {
	local row=$1 log=$2
	shift 2
	TOOL=""
	rm -f "$DONE"
	case $row in
	veth)
		ip netns exec "$NS_C" "$W/inner.sh" "$@" >"$log" 2>"$log.err" </dev/null &
		LAUNCHED=$!
		;;
	synack)
		ip netns exec "$NS_H" taskset -c $TOOL_CPU "$TUNNEL_BIN" --mtu "$MTU" -- "$W/inner.sh" "$@" \
			>"$log" 2>"$log.err" </dev/null &
		LAUNCHED=$!
		TOOL=$LAUNCHED
		;;
	slirp)
		ip netns exec "$NS_H" taskset -c $TOOL_CPU slirp4netns --configure --mtu=65520 --disable-host-loopback \
			--netns-type=path "/run/netns/$NS_S" tap0 >"$log.slirp" 2>&1 </dev/null &
		TOOL=$!
		PIDS+=("$TOOL")
		ip netns exec "$NS_S" "$W/inner.sh" "$@" >"$log" 2>"$log.err" </dev/null &
		LAUNCHED=$!
		;;
	pasta)
		# a /dev/net/tun pasta's user may open, in this command's own mount namespace only
		ip netns exec "$NS_H" sh -c 'mount -t tmpfs -o mode=755 none "$0/dev" &&
			mknod -m 666 "$0/dev/tun" c 10 200 && mount --bind "$0/dev/tun" /dev/net/tun &&
			u=$1 cpu=$2 && shift 2 &&
			exec setpriv --reuid "$u" --regid "$u" --clear-groups taskset -c "$cpu" \
				pasta --config-net -f -q -t none -u none -T none -U none -- "$0/inner.sh" "$@"' \
			"$W" "$BUSER" $TOOL_CPU "$@" >"$log" 2>"$log.err" </dev/null &
		LAUNCHED=$!
		TOOL=$LAUNCHED
		;;
	esac
	PIDS+=("$LAUNCHED")
}
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
# sample: "time tool-ticks cpu0-busy-ticks cpu1-busy-ticks" (the tool's -1 when there is none)
sample() {
	local tk=""
	[ -z "$TOOL" ] || tk=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$TOOL/stat" 2>/dev/null || true)
	echo "$(date +%s.%N) ${tk:--1} $(awk '$1 == "cpu0" || $1 == "cpu1" { printf "%d ", $2 + $3 + $4 + $7 + $8 }' /proc/stat)"
}
# finish SECONDS: waits for LAUNCHED (at most SECONDS), then stops the tool; sets TOOL_CPU_S
# to "tool/cpu0/cpu1": the CPU seconds per second of the tool's process and how busy CPUs 0
# and 1 were, from samples taken while the client ran.
finish() {
	local limit=$1 s0="" s1=""
	for _ in $(seq $((limit * 5))); do
		kill -0 "$LAUNCHED" 2>/dev/null || break
		s1=$(sample)
		[ -n "$s0" ] || s0=$s1
		[ -e "$DONE" ] && break
		sleep 0.2
	done
	# synack-tunnel and pasta end with their command
	for _ in $(seq 50); do
		kill -0 "$LAUNCHED" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$LAUNCHED" 2>/dev/null; then
		if [ -e "$DONE" ]; then
			echo "$ME: $row $test: the tool had not ended 5 s after its client; sent SIGTERM" >&2
		else
			echo "$ME: $row $test: the client still ran after $limit s; sent SIGTERM" >&2
		fi
		kill -TERM "$LAUNCHED" 2>/dev/null || true
	fi
	[ -n "$TOOL" ] && [ "$TOOL" != "$LAUNCHED" ] && kill -TERM "$TOOL" 2>/dev/null || true
	for _ in $(seq 50); do
		alive "$LAUNCHED" || alive "$TOOL" || break
		sleep 0.1
	done
	if alive "$LAUNCHED" || alive "$TOOL"; then
		echo "$ME: $row $test: did not end 5 s after SIGTERM; killed" >&2
		kill -KILL "$LAUNCHED" ${TOOL:+"$TOOL"} 2>/dev/null || true
	fi
	wait "$LAUNCHED" 2>/dev/null || true
	[ -n "$TOOL" ] && wait "$TOOL" 2>/dev/null || true
	echo "$row $test: $s0| $s1" >>"$W/cpu-samples"
	TOOL_CPU_S=$(echo "${s0:-0 -1 0 0}" "${s1:-0 -1 0 0}" | awk -v hz="$HZ" '{
		dt = $5 - $1
		if (dt < 1) { print "-"; exit }
		printf "%s/%.2f/%.2f", $2 < 0 || $6 < 0 ? "-" : sprintf("%.2f", ($6 - $2) / hz / dt),
			($7 - $3) / hz / dt, ($8 - $4) / hz / dt }')
}

declare -A VAL CPU NOTE EST HELD TRY
ROWS=${TUNNEL_ROWS:-veth synack slirp pasta}
TESTS=${TUNNEL_TESTS:-up down crr rr idle}
declare -A NAME=([veth]="veth (ceiling)" [synack]="synack-tunnel" [slirp]="slirp4netns" [pasta]="pasta")
# iperf_stats FILE: "Gbit/s stalled retransmits" of an iperf3 -J run; stalled (1) when a
# one-second interval moved less than a quarter of the best one.
iperf_stats() {
	python3 - "$1" 2>/dev/null <<'EOF' || true
import json, sys
j = json.load(open(sys.argv[1]))
iv = [i["sum"]["bits_per_second"] for i in j["intervals"] if i["sum"]["seconds"] > 0.5]
print("%.3f %d %d" % (j["end"]["sum_received"]["bits_per_second"] / 1e9,
                      bool(iv) and min(iv) < 0.25 * max(iv), j["end"]["sum_sent"].get("retransmits", 0)))
EOF
}
held_count() { cut -d' ' -f1 "$W/held" 2>/dev/null || echo 0; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

echo "== tunnel mode: ${SECS} s per test, $CONNS idle connections; client on CPU $CLI_CPU, tool on CPU $TOOL_CPU"
echo "   ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), kernel $(uname -r);" \
	"slirp4netns $(slirp4netns --version | sed -n 's/^slirp4netns version //p'), passt $(dpkg-query -W -f='${Version}' passt);" \
	"synack-tunnel --mtu $MTU; logs in $W)"
start_servers
# Each test on every row back to back, so that a disturbance hits the rows alike; crr and rr,
# whose figures swing by 10-20% from run to run here, REPEAT rounds of that, their median kept.
declare -A RUNS
for test in ${TESTS/idle/}; do
	reps=1
	case $test in crr | rr) reps=$REPEAT ;; esac
	for rep in $(seq "$reps"); do
	for row in $ROWS; do
		pin_servers "$row"
		tries=1
		case $test in up | down) tries=$TRIES ;; esac
		[ "$rep" -gt 1 ] || VAL[$row.$test]=""
		for try in $(seq "$tries"); do
			log="$W/$row.$test.$rep.$try.out"
			case $test in
			up) launch "$row" "$log" iperf3 -c $SRV_ADDR -p $P_IPERF -t "$SECS" -J ;;
			down) launch "$row" "$log" iperf3 -c $SRV_ADDR -p $P_IPERF -t "$SECS" -J -R ;;
			*) launch "$row" "$log" "$W/kperf" client $SRV_ADDR $P_KPERF --mode $test --seconds "$SECS" ;;
			esac
			finish $((SECS + 30))
			stalled=0 v=""
			case $test in
			up | down)
				read -r v stalled retr <<<"$(iperf_stats "$log")" || true
				if [ -n "$v" ]; then
					t=$v
					[ "$stalled" = 0 ] || t+=" stalled"
					[ "$retr" = 0 ] || t+=" ($retr retransmits)"
					TRY[$row.$test]+="${TRY[$row.$test]:+, }$t"
				fi
				;;
			*) v=$(sed -n 's/.* ops_per_s=\([0-9.]*\).*/\1/p' "$log" | head -1 || true) ;;
			esac
			if [ -z "$v" ]; then
				echo "$ME: $row $test: no figure: $(cat "$log" "$log.err" | grep -v '^Failed to send' | tail -2 | tr '\n' ' ')" >&2
			elif [ "$reps" -gt 1 ]; then
				RUNS[$row.$test]+="${RUNS[$row.$test]:+ }$v"
				CPU[$row.$test]+="${CPU[$row.$test]:+ }$TOOL_CPU_S"
			elif [ -z "${VAL[$row.$test]}" ] || awk -v a="$v" -v b="${VAL[$row.$test]}" 'BEGIN { exit !(a > b) }'; then
				VAL[$row.$test]=$v CPU[$row.$test]=$TOOL_CPU_S
			fi
			sleep 0.3
			[ -n "$v" ] && [ "${stalled:-0}" = 0 ] && break
		done
	done
	done
	# the median round of each row (and the CPU figures of that round)
	for row in $ROWS; do
		[ "$reps" -gt 1 ] && [ -n "${RUNS[$row.$test]:-}" ] || continue
		read -r VAL[$row.$test] CPU[$row.$test] <<<"$(paste <(tr ' ' '\n' <<<"${RUNS[$row.$test]}") \
			<(tr ' ' '\n' <<<"${CPU[$row.$test]}") | sort -g | awk '{ v[NR] = $1; c[NR] = $2 }
			END { m = int((NR + 1) / 2); print v[m], c[m] }')"
	done
done
# The idle connections: the tool's RSS just before the opener starts and with all of them
# held at the server (whose count of connections accepted only grows).
test=idle
for row in $ROWS; do
	[ "$row" != veth ] && [[ " $TESTS " == *" idle "* ]] || continue
	pin_servers "$row"
	log="$W/$row.idle.out"
	rm -f "$W/x/"*
	base=$(held_count)
	launch "$row" "$log" python3 "$W/idle.py" open $SRV_ADDR $P_HOLD "$CONNS" "$W/x"
	for _ in $(seq 300); do [ -e "$W/x/ready" ] || ! kill -0 "$LAUNCHED" 2>/dev/null && break; sleep 0.1; done
	sleep 0.5
	r0=$(rss_kb "$TOOL")
	touch "$W/x/go"
	for _ in $(seq 1500); do
		[ -e "$W/x/opened" ] || ! kill -0 "$LAUNCHED" 2>/dev/null && break
		sleep 0.1
	done
	held=0
	for _ in $(seq 100); do
		held=$(($(held_count) - base))
		[ "$held" -ge "$CONNS" ] && break
		sleep 0.1
	done
	sleep 1
	r1=$(rss_kb "$TOOL")
	opened=$(cat "$W/x/opened" 2>/dev/null || echo "not opened: $(tail -1 "$log.err")")
	est=$(sed -n 's/.*established=\([0-9]*\).*/\1/p' "$W/x/opened" 2>/dev/null || true)
	touch "$W/x/release"
	finish 60
	if [ -n "$r0" ] && [ -n "$r1" ] && [ "${est:-0}" -gt 0 ]; then
		VAL[$row.idle]=$(((r1 - r0) * 1024 / est))
	fi
	EST[$row]=${est:-0} HELD[$row]=$held
	NOTE[$row]="idle: RSS $r0 kB before, $r1 kB with the connections; opener: $opened; held at the server: $held"
	[ "${est:-0}" -ge "$CONNS" ] && [ "$held" -ge "$CONNS" ] ||
		echo "$ME: $row: not all $CONNS idle connections were made ($opened; held at the server: $held)" >&2
done

echo
pct() { # value base: "value (ratio)"
	local v=$1 b=$2 fmt=$3
	if [ -z "$v" ]; then
		echo -
	elif [ -z "$b" ]; then
		printf "$fmt" "$v"
	else
		awk -v v="$v" -v b="$b" -v f="$fmt" 'BEGIN { printf f " (%.2f)", v, v / b }'
	fi
}
printf '%-15s %-14s %-14s %-14s %-14s %s\n' row "up Gbit/s" "down Gbit/s" conn/s rt/s "idle B/conn"
for row in $ROWS; do
	printf '%-15s %-14s %-14s %-14s %-14s %s\n' "${NAME[$row]}" \
		"$(pct "${VAL[$row.up]:-}" "${VAL[veth.up]:-}" %.2f)" "$(pct "${VAL[$row.down]:-}" "${VAL[veth.down]:-}" %.2f)" \
		"$(pct "${VAL[$row.crr]:-}" "${VAL[veth.crr]:-}" %.0f)" "$(pct "${VAL[$row.rr]:-}" "${VAL[veth.rr]:-}" %.0f)" \
		"${VAL[$row.idle]:--}"
done
echo "(in brackets: the ratio to the veth row)"
echo
echo "CPU per test, tool/cpu0/cpu1: CPU seconds per second of the tool's process; how busy CPU 0"
echo "(the client; the servers too but in the veth row) and CPU 1 (the tool) were"
printf '%-15s %-16s %-16s %-16s %s\n' row up down crr rr
for row in $ROWS; do
	printf '%-15s %-16s %-16s %-16s %s\n' "${NAME[$row]}" "${CPU[$row.up]:--}" "${CPU[$row.down]:--}" \
		"${CPU[$row.crr]:--}" "${CPU[$row.rr]:--}"
done
echo
for row in $ROWS; do
	echo "${NAME[$row]}: iperf3 runs, Gbit/s: up ${TRY[$row.up]:--}; down ${TRY[$row.down]:--}"
	echo "${NAME[$row]}: rounds, per second: crr ${RUNS[$row.crr]:--}; rr ${RUNS[$row.rr]:--}"
	[ $row = veth ] || echo "${NAME[$row]}: ${NOTE[$row]:-}"
done
echo
. bench/floor.sh
floor "synack-tunnel up vs slirp4netns (Gbit/s)" "${VAL[synack.up]:-}" "${VAL[slirp.up]:-}" 2
floor "synack-tunnel down vs slirp4netns (Gbit/s)" "${VAL[synack.down]:-}" "${VAL[slirp.down]:-}" 2
floor "synack-tunnel up vs pasta (Gbit/s)" "${VAL[synack.up]:-}" "${VAL[pasta.up]:-}" 1.0
floor "synack-tunnel down vs pasta (Gbit/s)" "${VAL[synack.down]:-}" "${VAL[pasta.down]:-}" 1.0
floor "synack-tunnel connections vs pasta (conn/s)" "${VAL[synack.crr]:-}" "${VAL[pasta.crr]:-}" 1.0
v=${VAL[synack.idle]:-}
if [ -z "$v" ] || [ "${EST[synack]:-0}" -lt "$CONNS" ] || [ "${HELD[synack]:-0}" -lt "$CONNS" ]; then
	echo "floor: synack-tunnel RSS per idle relayed connection <= 2048 B: no figure for $CONNS connections: FAIL"
	FAIL=1
elif [ "$v" -le 2048 ]; then
	echo "floor: synack-tunnel RSS per idle relayed connection <= 2048 B: $v B: PASS"
else
	echo "floor: synack-tunnel RSS per idle relayed connection <= 2048 B: $v B: FAIL"
	FAIL=1
fi
exit $FAIL
