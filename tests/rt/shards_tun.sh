#!/bin/bash
# Shards on a real multi-queue TUN against Linux: the bench's sharded server (bench/
# stack_synack.c --cores 2: a stack per queue, each on its own thread, <synack/shards.h>
# handing strays between them) at 192.0.2.2 in a network namespace, and Linux's TCP from the
# kernel's side (192.0.2.1); then the same over IPv6 (2001:db8:7::2 and ::1). Linux picks a
# queue per flow, so the connections spread over both shards; every one must be served
# whole (an echo of random bytes, one of them of several MiB, checked byte for byte) with no
# reset, and what one shard handed on the other must have taken. A clean exit on SIGTERM,
# with each shard's counters.
#
# usage: shards_tun.sh SHARD_SERVER WORKDIR
#   env: SYNACK_TRANSFER_MIB size of the large echo (16; the ASan build's CI sets it small)
# Exit status: 0 passed, 1 failed, 77 skipped (not root, no /dev/net/tun, no namespaces).
set -u

server=$1
work=$2
mib=${SYNACK_TRANSFER_MIB:-16}
[ "$mib" -gt 16 ] && mib=16

skip() {
	echo "SKIP: $*"
	exit 77
}
fail() {
	echo "FAIL: $*"
	[ -s "$work/server.err" ] && { echo "--- server"; cat "$work/server.err"; }
	exit 1
}

[ "$(id -u)" = 0 ] || skip "needs root for ip netns and TUN devices"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
for tool in ip python3 timeout; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/deps.sh)"
done

ns="synack-shards-$$"
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	wait 2>/dev/null
	ip netns del "$ns" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

rm -rf "$work"
mkdir -p "$work" || exit 1
ip netns add "$ns" 2>/dev/null || skip "ip netns add failed (no network namespaces here)"
# IPv6 without duplicate address detection: the addresses are usable at once
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 2>/dev/null
ip netns exec "$ns" ip link set lo up || exit 1

# The client: N short echoes and one of MIB MiB, each on its own connection to ADDR: the
# mode byte 'E', then random bytes; it half-closes and reads the echo to the server's end
# of stream.
cat >"$work/client.py" <<'PY'
import os, socket, sys, threading

addr, conns, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def echo(payload):
    s = socket.create_connection((addr, 5201), timeout=20)
    def send():
        s.sendall(b"E" + payload)
        s.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send)
    t.start()
    got = bytearray()
    while True:
        b = s.recv(1 << 16)
        if not b:
            break
        got += b
    t.join()
    s.close()
    if bytes(got) != payload:
        sys.exit("echo of %d bytes came back as %d different bytes" % (len(payload), len(got)))

for i in range(conns):
    echo(os.urandom(1 + i * 7))
echo(os.urandom(mib << 20))
print("%d echoes whole" % (conns + 1))
PY

# field SHARD NAME: a counter from the shard's line.
field() {
	sed -n "s/^stack_synack: shard $1: .* $2 \([0-9]*\).*/\1/p" "$work/server.err"
}

# run FAMILY HOST ADDR DEV CONNS: the sharded server at ADDR on its own TUN DEV, CONNS short
# echoes and a long one from Linux at HOST, and the checks.
run() {
	local family=$1 host=$2 addr=$3 dev=$4 conns=$5 o0 o1 h0 h1 t0 t1
	: >"$work/server.out"
	ip netns exec "$ns" "$server" --cores 2 --tun "$dev" --host "$host" --addr "$addr" --port 5201 \
		>"$work/server.out" 2>"$work/server.err" &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q "^ready" "$work/server.out" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "^ready" "$work/server.out" || fail "the sharded server did not start ($family)"
	ip netns exec "$ns" timeout 120 python3 "$work/client.py" "$addr" "$conns" "$mib" >"$work/client.out" 2>&1 ||
		fail "the client failed ($family): $(tail -3 "$work/client.out")"
	cat "$work/client.out"

	kill -TERM "$pid"
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "the server did not exit on SIGTERM within 5 s ($family)"
	wait "$pid" || fail "the server exited with status $? ($family)"
	pid=""
	cat "$work/server.err"

	o0=$(field 0 passive_opens) o1=$(field 1 passive_opens)
	[ -n "$o0" ] && [ -n "$o1" ] || fail "no counters from both shards ($family)"
	[ $((o0 + o1)) -eq $((conns + 1)) ] || fail "$o0 + $o1 connections accepted, not $((conns + 1)) ($family)"
	[ "$o0" -gt 0 ] && [ "$o1" -gt 0 ] ||
		fail "Linux did not spread the connections over both queues ($o0 and $o1, $family)"
	h0=$(field 0 strays_handed) h1=$(field 1 strays_handed) t0=$(field 0 strays_taken) t1=$(field 1 strays_taken)
	[ "$h0" -eq "$t1" ] && [ "$h1" -eq "$t0" ] || fail "handed $h0 and $h1, taken $t1 and $t0 ($family)"
	[ "$(field 0 strays_dropped)" -eq 0 ] && [ "$(field 1 strays_dropped)" -eq 0 ] || fail "strays dropped ($family)"
	echo "PASS ($family): $((conns + 1)) connections over two shards ($o0 and $o1), strays handed $h0 and $h1"
}

run IPv4 192.0.2.1 192.0.2.2 skshard4 300
run IPv6 2001:db8:7::1 2001:db8:7::2 skshard6 100
exit 0
