#!/bin/bash
# Unmodified programs on synack (synack-run, issue 13): Debian's own binaries with their
# sockets on synack over a TUN, against Linux's programs on the kernel's side.
#   - python3 -m http.server (a dual-stack listener) serving curl -4 and curl -6 downloads;
#   - nginx in its default master/worker mode (two workers, forked by the master after it
#     opened the listeners) serving parallel downloads, both workers answering;
#   - redis-server answering every request of redis-benchmark -n 20000 -t get,set;
#   - an iperf3 server, Linux's iperf3 client for 3 s each direction;
#   - curl on synack fetching from a Linux server (non-blocking connect, SO_ERROR);
#   - a UDP echo (recvfrom/sendto on an AF_INET6 socket) answering Linux's nc -u;
#   - a listener inherited across fork and exec by a Python child that accepts on it;
#   - Linux's ss showing the states the catalogue predicts; one-line errors.
# SYNACK_TRANSFER_MIB (default 100) sizes the largest download; the sanitizer build runs
# with a small one and leaves out iperf3's timed runs.
#
# usage: run.sh SYNACK_RUN
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no TUN, a program missing).
NS_TAG=run
. "$(dirname "$0")/lib.sh"

run=$1
need_root_and_tools curl python3 nginx redis-server redis-benchmark iperf3 nc ss
[ -x "$run" ] || die "no synack-run at '$run'"
setup_ns
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 || die "IPv6 on"
S4=192.0.2.2 L4=192.0.2.1 S6=2001:db8::2 L6=2001:db8::1
DEV=(--tun tun0 --addr $S4/24 --host-addr $L4/24 --addr $S6/64 --host-addr $L6/64)
MIB=${SYNACK_TRANSFER_MIB:-100}
mkdir -p "$W/www"
head -c $((1 << 20)) /dev/urandom >"$W/www/small"
head -c $((MIB << 20)) /dev/urandom >"$W/www/big"

# start_run NAME PROGRAM...: synack-run with PROGRAM in the background (pid in RUN_PID),
# its output in $W/NAME.log; then waits for the previous one's device to be free.
start_run() {
	local name=$1
	shift
	bg_io RUN_PID /dev/null "$W/$name.log" "$W/$name.log" "$run" "${DEV[@]}" -- "$@"
}
# end_run NAME: SIGTERM (passed on to the program); synack-run must exit once it has.
end_run() {
	kill -TERM "$RUN_PID" 2>/dev/null
	wait_exit "$RUN_PID" 20
	case $EXIT_STATUS in
	timeout) bad "$1: synack-run still running 20 s after SIGTERM" ;;
	*) ok "$1: synack-run exited after SIGTERM (status $EXIT_STATUS)" ;;
	esac
	wait_for 10 sh -c "! ip netns exec $NS ip link show tun0" || bad "$1: tun0 still there"
}
port_open() { # HOST PORT: Linux can connect
	in_ns timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# ---- python3 -m http.server: one dual-stack listener, both families ----
start_run http python3 -m http.server 8080 --bind :: --directory "$W/www"
wait_for 20 port_open $S4 8080 || die "http.server on synack did not listen within 20 s: $(cat "$W/http.log")"
in_ns curl -4 -sS --max-time 120 -o "$W/h4" http://$S4:8080/big
same_file "python3 http.server on synack, curl -4 ($MIB MiB)" "$W/www/big" "$W/h4"
in_ns curl -6 -g -sS --max-time 120 -o "$W/h6" "http://[$S6]:8080/small"
same_file "python3 http.server on synack, curl -6 (1 MiB, same listener)" "$W/www/small" "$W/h6"
grep -q "\"GET /small HTTP/1.1\" 200" "$W/http.log" && grep -q "^::ffff:$L4 .*\"GET /big" "$W/http.log" &&
	ok "http.server's log names the IPv4 client as ::ffff:$L4 (a dual-stack socket, as on Linux)" ||
	bad "http.server's log: $(grep GET "$W/http.log" | head -2 | tr '\n' ' ')"
end_run http.server

# ---- nginx, default master/worker mode with two workers ----
mkdir -p "$W/nginx"
cat >"$W/nginx.conf" <<EOF
worker_processes 2;
daemon off;
user root;
pid $W/nginx/pid;
error_log $W/nginx/error.log notice;
events { worker_connections 128; }
http {
	log_format w '\$pid \$status \$body_bytes_sent';
	access_log $W/nginx/access.log w;
	client_body_temp_path $W/nginx/b; proxy_temp_path $W/nginx/p; fastcgi_temp_path $W/nginx/f;
	uwsgi_temp_path $W/nginx/u; scgi_temp_path $W/nginx/s;
	server { listen 8081; listen [::]:8081; root $W/www; }
}
EOF
start_run nginx nginx -c "$W/nginx.conf"
wait_for 20 port_open $S4 8081 || die "nginx on synack did not listen within 20 s: $(cat "$W/nginx.log")"
[ "$(pgrep -f -c "nginx: worker process")" -ge 2 ] && ok "nginx runs a master and two workers" ||
	bad "nginx processes: $(pgrep -a nginx | tr '\n' ' ')"
CURLS=()
for i in 1 2 3 4; do
	in_ns curl -4 -s --max-time 120 -o "$W/n$i" http://$S4:8081/big &
	CURLS+=($!)
done
for i in 1 2 3 4 5 6 7 8; do
	in_ns curl -6 -g -s --max-time 60 -o "$W/ns$i" "http://[$S6]:8081/small" &
	CURLS+=($!)
done
wait "${CURLS[@]}"
for i in 1 2 3 4; do
	same_file "nginx on synack: parallel download $i ($MIB MiB)" "$W/www/big" "$W/n$i"
done
small_ok=0
for i in 1 2 3 4 5 6 7 8; do
	[ "$(sha "$W/ns$i" 2>/dev/null)" = "$(sha "$W/www/small")" ] && small_ok=$((small_ok + 1))
done
[ $small_ok = 8 ] && ok "nginx on synack: 8 parallel curl -6 downloads of 1 MiB intact" ||
	bad "nginx on synack: $small_ok of 8 small downloads intact"
# More requests until both workers have answered some (the kernel wakes either).
for _ in $(seq 1 40); do
	[ "$(awk '{print $1}' "$W/nginx/access.log" | sort -u | wc -l)" -ge 2 ] && break
	in_ns curl -4 -s --max-time 10 -o /dev/null http://$S4:8081/small &
	c=$!
	in_ns curl -4 -s --max-time 10 -o /dev/null http://$S4:8081/small
	wait "$c" # (that curl only: a bare wait would wait for synack-run too, for ever)
done
workers=$(awk '$2 == 200 {print $1}' "$W/nginx/access.log" | sort -u | wc -l)
[ "$workers" -ge 2 ] && ok "both nginx workers accepted connections on the listener the master opened" ||
	bad "only $workers nginx worker answered: $(awk '{print $1}' "$W/nginx/access.log" | sort | uniq -c | tr '\n' ' ')"
# Linux, the client, closed first after each response: its side is in TIME-WAIT (CL-1, TW-1).
in_ns ss -Htan state time-wait | grep -q "$L4:[0-9]* *$S4:8081" &&
	ok "Linux ss: the client's side of a finished download is in TIME-WAIT" ||
	bad "Linux ss shows no TIME-WAIT towards $S4:8081: $(in_ns ss -Htan | head -3 | tr '\n' ' ')"
end_run nginx

# ---- redis-server and redis-benchmark ----
start_run redis redis-server --port 6379 --save "" --appendonly no --protected-mode no
wait_for 20 port_open $S4 6379 || die "redis-server on synack did not listen within 20 s: $(cat "$W/redis.log")"
in_ns timeout 120 redis-benchmark -h $S4 -p 6379 -n 20000 -t get,set >"$W/bench.out" 2>&1
done_n=$(grep -c "20000 requests completed" "$W/bench.out")
[ "$done_n" = 2 ] && ok "redis-benchmark -n 20000 -t get,set: every request answered ($(grep -o 'throughput summary: [0-9.]* requests per second' "$W/bench.out" | awk '{printf "%s%d", s, $3; s="/"}') requests/s)" ||
	bad "redis-benchmark: $(tail -3 "$W/bench.out" | tr '\n' ' ')"
cmds=$(in_ns redis-cli -h $S4 info stats 2>/dev/null | tr -d '\r' | awk -F: '$1 == "total_commands_processed" {print $2}')
[ "${cmds:-0}" -ge 40000 ] && ok "redis-server counted $cmds commands" || bad "redis-server counted '${cmds}' commands"
end_run redis

# ---- iperf3, 3 s each way (the release build) ----
if [ "${SYNACK_RUN_IPERF:-1}" = 1 ]; then
	for dir in "" -R; do
		start_run "iperf$dir" iperf3 -s -1 --forceflush
		# (not port_open: iperf3 -s -1 would take that connection for its one test)
		wait_for 20 grep -q "Server listening on 5201" "$W/iperf$dir.log" ||
			die "iperf3 -s on synack did not listen: $(cat "$W/iperf$dir.log")"
		in_ns timeout 30 iperf3 -c $S4 -t 3 $dir -J >"$W/iperf$dir.json" 2>&1
		bits=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$W/iperf$dir.json" 2>/dev/null)
		[ "${bits:-0}" -gt 100000000 ] &&
			ok "iperf3 ${dir:-(synack receives)} 3 s against iperf3 -s on synack: $((bits / 1000000)) Mbit/s" ||
			bad "iperf3 $dir: $(tail -3 "$W/iperf$dir.json" | tr '\n' ' ')"
		wait_exit "$RUN_PID" 20
		[ "$EXIT_STATUS" = 0 ] && ok "iperf3 -s -1 on synack exited 0 after its test, and synack-run with it" ||
			bad "synack-run with iperf3 -s -1: status $EXIT_STATUS"
		wait_for 10 sh -c "! ip netns exec $NS ip link show tun0" || bad "tun0 still there"
	done
fi

# ---- curl on synack, fetching from Linux ----
bg LSRV python3 -m http.server 8090 --bind $L4 --directory "$W/www"
in_ns timeout 60 "$run" "${DEV[@]}" -- sh -c \
	"until curl -s -o /dev/null http://$L4:8090/small 2>/dev/null; do sleep 0.1; done; curl -sS --max-time 60 -o '$W/c4' http://$L4:8090/big" \
	>"$W/curl.log" 2>&1
rc=$?
same_file "curl on synack (exit $rc) downloading from a Linux python3 http.server ($MIB MiB)" "$W/www/big" "$W/c4"
kill "$LSRV" 2>/dev/null
in_ns timeout 20 "$run" "${DEV[@]}" -- curl -sS --max-time 10 http://$L4:1/ >"$W/refused.log" 2>&1
rc=$?
[ $rc = 7 ] && grep -q "Couldn't connect" "$W/refused.log" &&
	ok "curl on synack to a closed Linux port: refused (curl exit 7), synack-run passes the status on" ||
	bad "curl to a closed port: exit $rc, $(cat "$W/refused.log")"

# ---- UDP: an echo server on an AF_INET6 socket, Linux's nc -u as client ----
cat >"$W/echo.py" <<'EOF'
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 5353))
for _ in range(3):
    d, a = s.recvfrom(2000)
    s.sendto(d.upper() + a[0].encode(), a)
EOF
start_run udp python3 "$W/echo.py"
got=""
for w in one two; do
	for _ in $(seq 1 40); do # until the server is up: a datagram sent before is lost
		r=$(printf %s $w | in_ns timeout 2 nc -u -w1 $S4 5353)
		[ -n "$r" ] && break
	done
	got="$got$r "
done
r=$(printf three | in_ns timeout 2 nc -6 -u -w1 $S6 5353)
got="$got$r"
[ "$got" = "ONE::ffff:$L4 TWO::ffff:$L4 THREE$L6" ] &&
	ok "UDP echo on synack answered three datagrams, naming each sender as Linux would" ||
	bad "UDP echo: '$got'"
wait_exit "$RUN_PID" 20
[ "$EXIT_STATUS" = 0 ] || bad "synack-run with the UDP echo: status $EXIT_STATUS"

# ---- a listener inherited across fork and exec ----
cat >"$W/inherit.py" <<EOF
import os, socket, sys
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l.bind(("0.0.0.0", 8099)); l.listen(4)
os.set_inheritable(l.fileno(), True)
child = os.fork()
if child == 0:
    code = "import socket,sys; l=socket.socket(fileno=int(sys.argv[1])); c,a=l.accept(); " \
           "c.sendall(b'child %d %s %d\\\\n' % (l.family, a[0].encode(), l.getsockname()[1])); c.close()"
    os.execvp(sys.executable, [sys.executable, "-c", code, str(l.fileno())])
l.close()
sys.exit(os.waitpid(child, 0)[1] >> 8)
EOF
start_run inherit python3 "$W/inherit.py"
r=""
for _ in $(seq 1 100); do # the child answers the first connection it accepts
	r=$(in_ns timeout 5 nc -w2 $S4 8099 </dev/null 2>/dev/null) && [ -n "$r" ] && break
	sleep 0.1
done
[ "$r" = "child 2 $L4 8099" ] &&
	ok "a listener opened before fork and exec accepts in the exec'd child ('$r': AF_INET, peer, port)" ||
	bad "inherited listener: '$r'"
wait_exit "$RUN_PID" 20
[ "$EXIT_STATUS" = 0 ] && ok "the exec'd child's exit ended synack-run with status 0" || bad "inherit: status $EXIT_STATUS"

# ---- errors: one line and a non-zero status ----
out=$("$run" --tun tun0 --addr $S4/24 2>&1)
[ $? = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && ok "no program: one line, status 2 ($out)" || bad "no program: '$out'"
out=$("$run" --busy-poll -1 --tun tun0 --addr $S4/24 -- true 2>&1)
[ $? = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && ok "a bad --busy-poll: one line, status 2 ($out)" || bad "bad busy-poll: '$out'"
out=$(in_ns "$run" "${DEV[@]}" -- /nonexistent/prog 2>&1)
[ $? = 127 ] && echo "$out" | grep -q "synack-run: /nonexistent/prog: No such file or directory" &&
	ok "a missing program: status 127 and '$out'" || bad "missing program: '$out'"
out=$(SYNACK_PRELOAD=/nonexistent.so "$run" "${DEV[@]}" -- true 2>&1)
[ $? = 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && ok "a missing preload library: one line, status 1" || bad "missing preload: '$out'"
out=$(in_ns "$run" "${DEV[@]}" -- python3 -c '
import socket, errno
try:
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
except OSError as e:
    print("raw", errno.errorcode[e.errno])
for _ in range(2):
    try:
        socket.socket().setsockopt(socket.SOL_SOCKET, socket.SO_PRIORITY, 1)
    except OSError as e:
        print("opt", errno.errorcode[e.errno])
' 2>&1)
echo "$out" | grep -q "^raw ESOCKTNOSUPPORT" && [ "$(echo "$out" | grep -c "^opt ENOPROTOOPT")" = 2 ] &&
	[ "$(echo "$out" | grep -c "synack-run: setsockopt(level 1, option 12): not supported on synack")" = 1 ] &&
	ok "unsupported calls: an errno and one log line per call ($(echo "$out" | tr '\n' '|'))" ||
	bad "unsupported calls: '$out'"

# The device deleted under it: one line, the program told to stop, status 1.
start_run gone sleep 30
wait_for 10 in_ns ip link show tun0 || bad "tun0 never came up"
in_ns ip link del tun0
wait_exit "$RUN_PID" 15
[ "$EXIT_STATUS" = 1 ] && grep -q "^synack-run: tun0: the device is gone" "$W/gone.log" &&
	ok "the device deleted: '$(head -1 "$W/gone.log")', the program stopped, status 1" ||
	bad "the device deleted: status $EXIT_STATUS, '$(cat "$W/gone.log")'"

[ "$FAILS" = 0 ] || exit 1
echo "PASS"
