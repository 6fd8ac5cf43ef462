#!/bin/bash
# The runtime tools as an operator meets them (issue 12 point 7), each case the way a new
# user would run into it, in a namespace of the test's own:
#   1. port 0 is refused by synack-nc -l (and synack-httpd --port) with one line, exit 2;
#   2. TUNSETIFF's "Invalid argument" and "busy" become reasons: a TAP where a TUN is asked
#      for and the other way round, an interface that is no TUN/TAP at all, a device another
#      process holds (named);
#   3. the device deleted under a running synack-nc (connected, and waiting in accept) and
#      synack-httpd: each exits 1 with one line, "...: tun0: the device is gone", at once;
#      a program that does not check (rt_echo) lives on without spinning, and synack-ss
#      says its device is gone;
#   4. synack-ss names the control sockets that do not answer (one whose backlog is full,
#      one that accepts and never writes) and still lists the others, within its 2 s;
#   5. SIGTERM ends synack-nc (connected, and in accept) and synack-httpd (with a
#      keep-alive connection and a download in progress) within 1 s, as docs/tools.md says,
#      with their documented statuses; synack-sim transfer and synack-dump too.
#
# usage: operator.sh SYNACK_NC SYNACK_HTTPD SYNACK_SS SYNACK_SIM SYNACK_DUMP RT_ECHO
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no TUN, a tool missing).
NS_TAG=op
. "$(dirname "$0")/lib.sh"

nc_bin=$1
httpd=$2
ss_bin=$3
sim=$4
dump=$5
echo_bin=$6
need_root_and_tools nc curl python3
for t in "$nc_bin" "$httpd" "$ss_bin" "$sim" "$dump" "$echo_bin"; do
	[ -x "$t" ] || die "no program at '$t'"
done
setup_ns
mkdir -p "$W/www"
echo "<h1>synack</h1>" >"$W/www/index.html"
head -c $((8 << 20)) /dev/urandom >"$W/www/f8m"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# one_line FILE: the file holds exactly one line.
one_line() { [ "$(wc -l <"$1")" = 1 ]; }

# ---- 1. port 0 ----
"$nc_bin" --tun tun0 --addr 192.0.2.2/24 -l 0 </dev/null >/dev/null 2>"$W/p0.err"
st=$?
[ $st = 2 ] && one_line "$W/p0.err" && grep -q "^synack-nc: bad port '0'" "$W/p0.err" &&
	ok "synack-nc -l 0: exit 2, $(cat "$W/p0.err")" || bad "synack-nc -l 0: status $st, '$(cat "$W/p0.err")'"
"$nc_bin" --tun tun0 --addr 192.0.2.2/24 -l -p 0 </dev/null >/dev/null 2>"$W/p0.err"
st=$?
[ $st = 2 ] && one_line "$W/p0.err" && ok "synack-nc -l -p 0: exit 2" || bad "synack-nc -l -p 0: status $st"
"$httpd" --tun tun0 --addr 192.0.2.2/24 --root "$W/www" --port 0 2>"$W/p0.err"
st=$?
[ $st = 2 ] && one_line "$W/p0.err" && ok "synack-httpd --port 0: exit 2, as synack-nc" ||
	bad "synack-httpd --port 0: status $st, '$(cat "$W/p0.err")'"

# ---- 2. TUNSETIFF refused: the reason ----
# devfail NAME EXPECTED-REGEX -- TOOL ARGS: the tool must fail with exit 1 and one line
# matching, and no bare errno text.
devfail() {
	local what=$1 want=$2
	shift 3
	in_ns timeout 10 "$@" </dev/null >/dev/null 2>"$W/dev.err"
	local st=$?
	if [ $st = 1 ] && one_line "$W/dev.err" && grep -Eq "$want" "$W/dev.err" &&
		! grep -q "TUNSETIFF" "$W/dev.err"; then
		ok "$what: $(cat "$W/dev.err")"
	else
		bad "$what: status $st, '$(cat "$W/dev.err")'"
	fi
}
in_ns ip tuntap add dev tun0 mode tap || die "ip tuntap add (tap)"
devfail "--tun on an existing TAP" \
	'^synack-nc: tun0: the device exists and is a TAP, not a TUN \(use --tap tun0, or another name\)$' -- \
	"$nc_bin" --tun tun0 --addr 192.0.2.2/24 -l 5000
in_ns ip link del tun0
in_ns ip tuntap add dev tap0 mode tun || die "ip tuntap add (tun)"
devfail "--tap on an existing TUN" \
	'^synack-httpd: tap0: the device exists and is a TUN, not a TAP \(use --tun tap0, or another name\)$' -- \
	"$httpd" --tap tap0 --addr 198.51.100.2/24 --root "$W/www"
in_ns ip link del tap0
if in_ns ip link add tun0 type dummy 2>/dev/null || in_ns ip link add tun0 type veth peer name op-peer0; then
	devfail "--tun on an interface that is no TUN/TAP" \
		'^synack-nc: tun0: the interface exists and is not a TUN or TAP device \(its driver: (dummy|veth)\); choose another name$' -- \
		"$nc_bin" --tun tun0 --addr 192.0.2.2/24 -l 5000
	in_ns ip link del tun0
else
	echo "note: no dummy or veth interfaces here: that case is not checked"
fi
bg_io HOLD /dev/null /dev/null "$W/hold.err" "$nc_bin" --tun tun1 --addr 192.0.2.2/24 -d -l 5000
wait_for 10 in_ns ip link show tun1 || bad "synack-nc on tun1 did not start"
sleep 0.2
devfail "a device another process holds" \
	"^synack-nc: tun1: the device is in use by another process \\(pid $HOLD, synack-nc\\): a TUN device has one reader\$" -- \
	"$nc_bin" --tun tun1 --addr 192.0.2.3/24 -d -l 5001
kill -TERM "$HOLD"
wait_exit "$HOLD" 5

# ---- 3. the device disappears ----
# gone_check NAME PID ERRFILE LINE: after `ip link del`, the program exits 1 within 2 s
# with exactly LINE (or, for synack-httpd, LINE after the time stamp) as its last line.
gone_check() {
	local name=$1 pid=$2 err=$3 line=$4 dev=$5
	local t0
	t0=$(now_ms)
	in_ns ip link del "$dev" || bad "ip link del $dev"
	wait_exit "$pid" 5
	local ms=$(($(now_ms) - t0))
	if [ "$EXIT_STATUS" = 1 ] && [ $ms -lt 2000 ] && tail -n 1 "$err" | grep -Eq "$line"; then
		ok "$name: exit 1 $ms ms after ip link del: $(tail -n 1 "$err")"
	else
		bad "$name: status $EXIT_STATUS after $ms ms, stderr: '$(cat "$err")'"
	fi
}
# synack-nc -l with a Linux nc connected and idle (its input held open).
mkfifo "$W/hold"
bg_io NCL /dev/null "$W/ncl.out" "$W/ncl.err" "$nc_bin" --tun tun0 --addr 192.0.2.2/24 \
	--host-addr 192.0.2.1/24 -d -l 5000
wait_for 10 bash -c "'$ss_bin' -tln | grep -q ':5000 '" || bad "synack-nc -l did not listen"
bg_io LNC "$W/hold" /dev/null /dev/null nc 192.0.2.2 5000
exec 8>"$W/hold"
wait_for 10 bash -c "'$ss_bin' -tn | grep -q '^ESTAB'" || bad "no connection to synack-nc"
gone_check "synack-nc (connected)" "$NCL" "$W/ncl.err" '^synack-nc: tun0: the device is gone$' tun0
one_line "$W/ncl.err" || bad "synack-nc said more than one line: $(cat "$W/ncl.err")"
exec 8>&-
kill "$LNC" 2>/dev/null # Linux's nc still holds a connection whose other end is gone
wait_exit "$LNC" 5
# synack-nc waiting in accept.
bg_io NCA /dev/null /dev/null "$W/nca.err" "$nc_bin" --tun tun2 --addr 192.0.2.2/24 -d -l 5000
wait_for 10 in_ns ip link show tun2 || bad "synack-nc on tun2 did not start"
sleep 0.2
gone_check "synack-nc (in accept)" "$NCA" "$W/nca.err" '^synack-nc: tun2: the device is gone$' tun2
one_line "$W/nca.err" || bad "synack-nc said more than one line: $(cat "$W/nca.err")"
# synack-httpd, after serving a request.
bg HTTPD "$httpd" --tun tun3 --addr 192.0.2.10/24 --host-addr 192.0.2.9/24 --root "$W/www" -v 2>"$W/h.log"
wait_for 10 in_ns curl -sf -o /dev/null --max-time 1 http://192.0.2.10/index.html || bad "synack-httpd did not answer"
STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
gone_check "synack-httpd" "$HTTPD" "$W/h.log" "^$STAMP synack-httpd: tun3: the device is gone\$" tun3
# A program that does not ask: it lives on, idle, and synack-ss says what happened to it.
bg_io ECHO /dev/null "$W/echo.out" "$W/echo.err" "$echo_bin" --tun tun4 --addr 192.0.2.2/24 --port 7
wait_for 10 grep -q '^ready' "$W/echo.out" || bad "rt_echo did not start"
in_ns ip link del tun4
sleep 1
"$ss_bin" -tl >"$W/ss.out" 2>"$W/ss.err"
st=$?
grep -q "^synack-ss: pid $ECHO (rt_echo): tun4: the device is gone$" "$W/ss.err" && [ $st = 0 ] &&
	grep -q "^LISTEN .*0\.0\.0\.0:7 " "$W/ss.out" && ok "synack-ss: $(cat "$W/ss.err")" ||
	bad "synack-ss after the device went: status $st, '$(cat "$W/ss.err")'"
cpu=$(awk '{print $14 + $15}' "/proc/$ECHO/stat")
sleep 1
cpu2=$(awk '{print $14 + $15}' "/proc/$ECHO/stat")
[ $((cpu2 - cpu)) -le 5 ] && ok "rt_echo, told ENETDOWN once per socket, does not spin ($((cpu2 - cpu)) ticks in 1 s)" ||
	bad "rt_echo spins after its device went: $((cpu2 - cpu)) ticks of CPU in 1 s"
n=$(grep -c 'Network is down' "$W/echo.err")
[ "$n" -le 2 ] && ok "rt_echo heard ENETDOWN $n times (accept, recvfrom)" || bad "rt_echo heard ENETDOWN $n times"
kill -TERM "$ECHO"
wait_exit "$ECHO" 5

# ---- 4. synack-ss names the control sockets that do not answer ----
bg_io NCS /dev/null /dev/null "$W/ncs.err" "$nc_bin" --tun tun5 --addr 192.0.2.2/24 -d -l 5005
wait_for 10 bash -c "'$ss_bin' -tln | grep -q ':5005 '" ||
	bad "synack-nc on tun5 did not listen: $(kill -0 "$NCS" 2>/dev/null && echo running || echo gone);" \
		"stderr: $(tr '\n' ' ' <"$W/ncs.err"); synack-ss: $("$ss_bin" -tlnp 2>&1 | tr '\n' ' ')"
# One listens and never accepts, its backlog full; one accepts and never writes.
python3 - "$SYNACK_RUN_DIR" >"$W/py.out" 2>&1 <<'EOF' &
import os, socket, sys, time
d = sys.argv[1]
full = socket.socket(socket.AF_UNIX)
full.bind(os.path.join(d, "999990.sock"))
full.listen(0)
fill = []
for _ in range(4):
    c = socket.socket(socket.AF_UNIX)
    c.setblocking(False)
    try:
        c.connect(os.path.join(d, "999990.sock"))
    except OSError:
        pass
    fill.append(c)
mute = socket.socket(socket.AF_UNIX)
mute.bind(os.path.join(d, "%d.sock" % os.getpid()))
mute.listen(8)
print("ready", os.getpid(), flush=True)
time.sleep(20)
EOF
PY=$!
BG_PIDS+=("$PY")
wait_for 10 grep -q ready "$W/py.out" || bad "the silent control sockets did not start"
pypid=$(awk '/ready/ {print $2}' "$W/py.out")
t0=$(now_ms)
"$ss_bin" -tlp >"$W/ss.out" 2>"$W/ss.err"
st=$?
ms=$(($(now_ms) - t0))
cat "$W/ss.err"
grep -q "^synack-ss: pid 999990 (no such process here): did not answer (its control socket's backlog is full: stopped or stuck?); its sockets are not listed ($SYNACK_RUN_DIR/999990.sock)$" "$W/ss.err" &&
	ok "synack-ss names the control socket whose backlog is full" || bad "no line for the full backlog"
grep -Eq "^synack-ss: pid $pypid \(python[0-9.]*\): did not answer within 2 s; its sockets are not listed \($SYNACK_RUN_DIR/$pypid.sock\)$" "$W/ss.err" &&
	ok "synack-ss names the process that accepted and did not answer" || bad "no line for the silent process"
[ $st = 1 ] && ok "synack-ss exits 1 when a listing is missing" || bad "synack-ss exit status $st"
grep -Eq "^LISTEN .*:5005 .*users:\(\(\"synack-nc\",pid=$NCS," "$W/ss.out" &&
	ok "synack-ss still lists the process that answered" || bad "synack-ss: $(cat "$W/ss.out")"
[ $ms -lt 3000 ] && ok "synack-ss took $ms ms (the silent ones waited for together)" ||
	bad "synack-ss took $ms ms with two silent sockets"
kill "$PY" 2>/dev/null
wait "$PY" 2>/dev/null
forget "$PY"
rm -f "$SYNACK_RUN_DIR/999990.sock" "$SYNACK_RUN_DIR/$pypid.sock"
kill -TERM "$NCS"
wait_exit "$NCS" 5

# ---- 5. SIGTERM within 1 s ----
# term_check NAME PID STATUS: SIGTERM, then the exit status within 1 s.
term_check() {
	local name=$1 pid=$2 want=$3 t0 ms
	t0=$(now_ms)
	kill -TERM "$pid"
	wait_exit "$pid" 5
	ms=$(($(now_ms) - t0))
	if [ "$EXIT_STATUS" = "$want" ] && [ $ms -le 1000 ]; then
		ok "$name: SIGTERM, exit $EXIT_STATUS after $ms ms"
	else
		bad "$name: SIGTERM, exit $EXIT_STATUS after $ms ms (expected $want within 1000 ms)"
	fi
}
# synack-nc connected to a Linux listener that never closes.
bg_io LL /dev/null /dev/null /dev/null nc -l 6000
wait_for 10 bash -c "ip netns exec '$NS' ss -tlnH | grep -q ':6000 '" || bad "Linux nc -l did not listen"
bg_io NCC /dev/null /dev/null "$W/ncc.err" "$nc_bin" --tun tun6 --addr 192.0.2.2/24 \
	--host-addr 192.0.2.1/24 -d 192.0.2.1 6000
wait_for 10 bash -c "'$ss_bin' -tn | grep -q '^ESTAB'" || bad "synack-nc did not connect"
term_check "synack-nc (connected)" "$NCC" 143
kill "$LL" 2>/dev/null
bg_io NCA /dev/null /dev/null "$W/nca2.err" "$nc_bin" --tun tun7 --addr 192.0.2.2/24 -d -l 5000
wait_for 10 in_ns ip link show tun7 || bad "synack-nc on tun7 did not start"
sleep 0.2
term_check "synack-nc (in accept)" "$NCA" 143
# synack-httpd with an idle keep-alive connection and a slow download going on.
bg HTTPD "$httpd" --tun tun8 --addr 192.0.2.20/24 --host-addr 192.0.2.19/24 --root "$W/www" -v 2>"$W/h2.log"
wait_for 10 in_ns curl -sf -o /dev/null --max-time 1 http://192.0.2.20/index.html || bad "synack-httpd did not answer"
bg KA bash -c 'exec 3<>/dev/tcp/192.0.2.20/80; printf "GET / HTTP/1.1\r\nHost: a\r\n\r\n" >&3; sleep 20'
bg SLOW curl -s -o /dev/null --limit-rate 200K http://192.0.2.20/f8m
two_conns() { [ "$("$ss_bin" -tn | grep -c '^ESTAB')" = 2 ]; }
wait_for 10 two_conns || bad "synack-httpd does not have 2 connections: $("$ss_bin" -tn)"
sleep 0.2
term_check "synack-httpd (a keep-alive connection, a download)" "$HTTPD" 0
grep -Eq "^$STAMP synack-httpd: stopped$" "$W/h2.log" && ok "synack-httpd logged its stop" ||
	bad "synack-httpd's log: $(tail -n 2 "$W/h2.log")"
kill "$KA" "$SLOW" 2>/dev/null
# synack-sim transfer and synack-dump (no device): the default action, at once.
"$sim" transfer --bytes 100G --delay 0.025 >/dev/null 2>&1 &
SIM=$!
BG_PIDS+=("$SIM")
sleep 0.3
term_check "synack-sim transfer" "$SIM" 143
mkfifo "$W/cap.fifo"
exec 9<>"$W/cap.fifo" # a capture that never comes: synack-dump waits for its header
"$dump" -r "$W/cap.fifo" >/dev/null 2>&1 &
DUMP=$!
BG_PIDS+=("$DUMP")
sleep 0.3
term_check "synack-dump (waiting for input)" "$DUMP" 143
exec 9>&-
finish
