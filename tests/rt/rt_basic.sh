#!/bin/bash
# The runtime on a real TUN device in a network namespace, against Linux: rt_echo serves TCP
# and UDP echo with the blocking API at 192.0.2.2 and Linux's nc talks to it from the
# kernel's side (192.0.2.1). Checks a TCP round trip byte for byte (the client half-closes
# and still gets everything back), a refused connection, UDP echo, what synack-ss lists
# (LISTEN, ESTAB, -i and -o lines), the removal of a dead process's control socket, and a
# clean exit on SIGTERM.
#
# usage: rt_basic.sh RT_ECHO SYNACK_SS WORKDIR
# Exit status: 0 passed, 1 failed, 77 skipped (not root, no /dev/net/tun, no namespaces).
set -u

echo_bin=$1
ss_bin=$2
work=$3

skip() {
	echo "SKIP: $*"
	exit 77
}
fail() {
	echo "FAIL: $*"
	for f in "$work"/echo*.err; do
		[ -s "$f" ] && { echo "--- $f"; cat "$f"; }
	done
	exit 1
}

[ "$(id -u)" = 0 ] || skip "needs root for ip netns and TUN devices"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
for tool in ip nc sha256sum timeout head; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/deps.sh)"
done
nc -h 2>&1 | grep -q -- "-N" || skip "nc is not netcat-openbsd (needs -N)"

ns="synack-rt-$$"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "$ns" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

rm -rf "$work"
mkdir -p "$work" || exit 1
export SYNACK_RUN_DIR="$work/run"
mkdir -m 700 "$SYNACK_RUN_DIR" || exit 1

ip netns add "$ns" 2>/dev/null || skip "ip netns add failed (no network namespaces here)"
in_ns() { ip netns exec "$ns" "$@"; }
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
in_ns ip link set lo up || exit 1

# Waits for "ready" on the server's stdout (file $1), at most 10 s.
wait_ready() {
	for _ in $(seq 1 100); do
		grep -q "^ready" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# (ip netns exec, not the in_ns function, in the background: $! is then the server itself)
ip netns exec "$ns" "$echo_bin" --tun sk0 --addr 192.0.2.2/24 --host-addr 192.0.2.1/24 --port 7 --udp-port 7 \
	>"$work/echo.out" 2>"$work/echo.err" &
echo_pid=$!
pids+=($echo_pid)
wait_ready "$work/echo.out" || fail "rt_echo did not start"
ctl=$(awk '/^ready/ {print $2}' "$work/echo.out")
[ -S "$ctl" ] || fail "no control socket at '$ctl'"
echo "rt_echo up, control socket $ctl"

# 1. TCP round trips, byte for byte: nc -N half-closes after its input and reads to the end.
for size in 5000 200000; do
	head -c $size /dev/urandom >"$work/in.$size"
	in_ns timeout 20 nc -N 192.0.2.2 7 <"$work/in.$size" >"$work/out.$size" ||
		fail "nc to the echo port failed ($size bytes)"
	a=$(sha256sum <"$work/in.$size")
	b=$(sha256sum <"$work/out.$size")
	[ "$a" = "$b" ] || fail "echo of $size bytes differs ($(stat -c %s "$work/out.$size") bytes back)"
	echo "ok: TCP echo of $size bytes, sha256 equal"
done

# 2. A closed port: the stack answers the SYN with a RST.
out=$(in_ns timeout 10 nc -v -w 3 192.0.2.2 9 </dev/null 2>&1)
echo "$out" | grep -q "Connection refused" || fail "connect to a closed port: '$out'"
echo "ok: closed port refused"

# 3. UDP echo (when the stack has UDP).
if grep -q "no-udp" "$work/echo.out"; then
	echo "note: no UDP in this build, UDP echo not checked"
else
	got=$(echo "hello synack" | in_ns timeout 10 nc -u -w 1 192.0.2.2 7)
	[ "$got" = "hello synack" ] || fail "UDP echo returned '$got'"
	echo "ok: UDP echo"
fi

# 4. synack-ss: the listener with -l, not without; an established connection with -t, -i, -o.
ssl=$("$ss_bin" -tlp) || fail "synack-ss -tlp failed"
echo "$ssl"
echo "$ssl" | head -1 | grep -q "^State  *Recv-Q  *Send-Q  *Local Address:Port  *Peer Address:Port  *Process" ||
	fail "synack-ss header"
echo "$ssl" | grep -Eq '^LISTEN +0 +128 +0\.0\.0\.0:7 +0\.0\.0\.0:\* +users:\(\("rt_echo",pid=[0-9]+,sock=[0-9]+\)\)' ||
	fail "no LISTEN row for port 7 in synack-ss -tlp"
"$ss_bin" -tl | grep -Eq '^LISTEN +0 +128 +0\.0\.0\.0:7 +0\.0\.0\.0:\*$' || fail "synack-ss -tl (no -p) row"
"$ss_bin" -t | grep -q LISTEN && fail "synack-ss -t lists a listener (ss hides them without -l/-a)"
if ! grep -q "no-udp" "$work/echo.out"; then
	"$ss_bin" -ul | grep -Eq '^UNCONN +0 +0 +0\.0\.0\.0:7 ' || fail "no UNCONN UDP row in synack-ss -ul"
	"$ss_bin" -l | grep -Eq '^udp +UNCONN' || fail "no udp row with Netid in synack-ss -l"
fi

mkfifo "$work/hold"
ip netns exec "$ns" timeout 30 nc -N 192.0.2.2 7 <"$work/hold" >/dev/null &
nc_pid=$!
pids+=($nc_pid)
exec 7>"$work/hold" # keeps nc's input open: the connection stays up
echo "ping" >&7
for _ in $(seq 1 50); do
	"$ss_bin" -t | grep -q ESTAB && break
	sleep 0.1
done
sst=$("$ss_bin" -tp)
echo "$sst"
echo "$sst" | grep -Eq '^ESTAB +0 +0 +192\.0\.2\.2:7 +192\.0\.2\.1:[0-9]+ +users:' ||
	fail "no ESTAB row in synack-ss -t while nc is connected"
ssi=$("$ss_bin" -ti)
echo "$ssi"
echo "$ssi" | grep -Eq '^	 ts sack cubic wscale:[0-9]+,[0-9]+ rto:[0-9.]+ rtt:[0-9.]+/[0-9.]+ mss:[0-9]+ .*cwnd:[0-9]+ .*retrans:0/0' ||
	fail "synack-ss -ti: no info line"
sso=$("$ss_bin" -top)
echo "$sso"
echo "$sso" | grep -Eq '^ESTAB .* users:\(\("rt_echo",pid=[0-9]+,sock=[0-9]+\)\) timer:\(keepalive,1[01][0-9]min,0\)$' ||
	fail "synack-ss -to: no keepalive timer"
"$ss_bin" -tan | grep -q "LISTEN" || fail "synack-ss -tan lists no listener"
exec 7>&-
wait "$nc_pid" || fail "nc did not end after its input closed (status $?)"
echo "ok: synack-ss rows"

# 5. Bad options: one line on stderr, non-zero status.
"$ss_bin" -Z >/dev/null 2>"$work/ss.err" && fail "synack-ss -Z succeeded"
[ "$(wc -l <"$work/ss.err")" = 1 ] || fail "synack-ss -Z: not one line: $(cat "$work/ss.err")"
"$echo_bin" --tun >/dev/null 2>"$work/echo-opt.err" && fail "rt_echo --tun without a name succeeded"
grep -q -- "--tun: missing value" "$work/echo-opt.err" || fail "option error: $(cat "$work/echo-opt.err")"
echo "ok: option errors"

# 6. A process killed outright leaves its control socket: synack-ss removes it.
ip netns exec "$ns" "$echo_bin" --tun sk1 --addr 192.0.2.10/24 --port 7 >"$work/echo2.out" 2>"$work/echo2.err" &
echo2=$!
pids+=($echo2)
wait_ready "$work/echo2.out" || fail "second rt_echo did not start"
ctl2=$(awk '/^ready/ {print $2}' "$work/echo2.out")
[ "$("$ss_bin" -tl | grep -c LISTEN)" = 2 ] || fail "synack-ss does not list both processes"
kill -9 "$echo2"
wait "$echo2" 2>/dev/null
[ -S "$ctl2" ] || fail "the killed process's socket is already gone?"
"$ss_bin" -tl >/dev/null
[ -e "$ctl2" ] && fail "synack-ss left the stale socket $ctl2"
echo "ok: stale control socket removed"

# 7. SIGTERM: clean exit, control socket removed.
kill -TERM "$echo_pid"
for _ in $(seq 1 100); do
	kill -0 "$echo_pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$echo_pid" 2>/dev/null && fail "rt_echo did not exit on SIGTERM"
wait "$echo_pid"
st=$?
[ $st = 0 ] || fail "rt_echo exited with status $st"
[ -e "$ctl" ] && fail "control socket left behind after a clean exit"
if [ -s "$work/echo.err" ]; then
	grep -v "no UDP echo" "$work/echo.err" | grep -q . && fail "rt_echo complained"
fi
echo "ok: clean exit"
echo "PASS"
