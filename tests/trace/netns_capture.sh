#!/bin/bash
# Captures real Linux traffic between two network namespaces joined by a veth pair and requires
# synack-dump to print it exactly as tcpdump does (through compare.sh).
#
# usage: netns_capture.sh SYNACK_DUMP COMPARE_SH WORKDIR
# Exit status: 0 identical, 1 a difference or a broken setup, 77 skipped (not root, no netns).
set -u

dump=$1
compare=$2
work=$3

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root for ip netns"
for tool in ip tcpdump nc ping timeout; do
	command -v "$tool" >/dev/null || skip "$tool is not installed"
done

ns_a="synack-trc-a-$$"
ns_b="synack-trc-b-$$"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "$ns_a" 2>/dev/null
	ip netns del "$ns_b" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$ns_a" 2>/dev/null || skip "ip netns add failed (no network namespaces here)"
ip netns add "$ns_b" || exit 1

in_a() { ip netns exec "$ns_a" "$@"; }
in_b() { ip netns exec "$ns_b" "$@"; }

for ns in "$ns_a" "$ns_b"; do
	# No IPv6 at all, so no router solicitations or MLD reports join the capture (a kernel
	# without IPv6 has no such sysctl and no such noise); and ephemeral ports clear of any
	# port tcpdump would decode a payload for.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="41000 41999" || exit 1
	ip netns exec "$ns" ip link set lo up || exit 1
done
ip -n "$ns_a" link add veth0 type veth peer name veth1 netns "$ns_b" ||
	skip "cannot create a veth pair"
set -e
ip -n "$ns_a" addr add 192.0.2.1/24 dev veth0
ip -n "$ns_b" addr add 192.0.2.2/24 dev veth1
ip -n "$ns_a" link set veth0 up
ip -n "$ns_b" link set veth1 up
set +e

mkdir -p "$work" || exit 1
pcap="$work/netns.pcap"
rm -f "$pcap" "$work/tcpdump.log"

ip netns exec "$ns_b" tcpdump -i veth1 -n -U -w "$pcap" >"$work/tcpdump.log" 2>&1 &
pids+=($!)
capture=$!
# tcpdump says "listening on" once its socket is open; wait for that, but not forever.
for _ in $(seq 1 100); do
	grep -q "listening on" "$work/tcpdump.log" 2>/dev/null && break
	sleep 0.1
done
grep -q "listening on" "$work/tcpdump.log" || {
	echo "FAIL: tcpdump did not start:"
	cat "$work/tcpdump.log"
	exit 1
}

# A bulk TCP transfer (ARP first, then handshake, data, FIN); a connection refused (RST);
# pings; a UDP datagram to a closed port (ICMP port unreachable); and one large enough to be
# fragmented (4000 bytes over a 1500-byte MTU).
ip netns exec "$ns_b" timeout 20 nc -l 40000 >/dev/null &
pids+=($!)
server=$!
for _ in $(seq 1 50); do
	in_b ss -ltn 2>/dev/null | grep -q ':40000 ' && break
	sleep 0.1
done
head -c 300000 /dev/urandom | in_a timeout 20 nc -N 192.0.2.2 40000 ||
	echo "note: the bulk transfer client exited with $?"
wait "$server" 2>/dev/null
in_a timeout 5 nc -z -w 2 192.0.2.2 40001
in_a timeout 10 ping -c 3 -i 0.2 -W 1 192.0.2.2 >/dev/null ||
	echo "note: ping exited with $?"
in_a timeout 5 bash -c 'echo "hello, nobody" >/dev/udp/192.0.2.2/40002'
in_a timeout 5 bash -c 'printf "%4000s" fragment >/dev/udp/192.0.2.2/40003'
sleep 0.5 # let the last replies reach the capture

# SIGTERM, not SIGINT: background jobs of a script ignore SIGINT.
kill -TERM "$capture"
for _ in $(seq 1 50); do
	kill -0 "$capture" 2>/dev/null || break
	sleep 0.1
done
kill -9 "$capture" 2>/dev/null
wait "$capture" 2>/dev/null

# The capture must hold what the test is about, or a comparison would prove little.
summary=$(tcpdump -n -r "$pcap" 2>/dev/null)
missing=""
for what in "ARP, Request" "ARP, Reply" "Flags \[S\]" "Flags \[S\.\]" "Flags \[P\.\]" \
	"Flags \[F\.\]" "Flags \[R\.\]" "ICMP echo request" "ICMP echo reply" \
	"udp port 40002 unreachable" "ip-proto-17"; do
	echo "$summary" | grep -q "$what" || missing="$missing '$what'"
done
if [ -n "$missing" ]; then
	echo "FAIL: the capture lacks:$missing"
	echo "$summary" | head -30
	exit 1
fi
echo "captured $(echo "$summary" | wc -l) packets of real traffic"

"$compare" "$dump" "$work/compare" "$pcap"
