#!/bin/bash
# Captures real Linux traffic, IPv4 and IPv6, between two network namespaces joined by a veth
# pair, on the veth (Ethernet) and on "any" (Linux cooked v2, and v1 with -y LINUX_SLL), and
# requires synack-dump to print it exactly as tcpdump does (through compare.sh).
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

have_ipv6=1
for ns in "$ns_a" "$ns_b"; do
	# IPv6 without link-local addresses (addr_gen_mode 1), so that the only unicast
	# addresses on the wire are the documentation ones given below; no router
	# solicitations. Ephemeral ports clear of any port tcpdump would decode a payload for
	# (the range serves IPv6 too).
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.addr_gen_mode=1 \
		net.ipv6.conf.default.router_solicitations=0 2>/dev/null || have_ipv6=0
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="41000 41999" || exit 1
	ip netns exec "$ns" ip link set lo up || exit 1
done
ip -n "$ns_a" link add veth0 type veth peer name veth1 netns "$ns_b" ||
	skip "cannot create a veth pair"
set -e
ip -n "$ns_a" addr add 192.0.2.1/24 dev veth0
ip -n "$ns_b" addr add 192.0.2.2/24 dev veth1
if [ $have_ipv6 = 1 ]; then
	# nodad: usable at once; neighbour discovery still resolves each side's address
	ip -n "$ns_a" addr add 2001:db8::1/64 dev veth0 nodad
	ip -n "$ns_b" addr add 2001:db8::2/64 dev veth1 nodad
fi
ip -n "$ns_a" link set veth0 up
ip -n "$ns_b" link set veth1 up
set +e

mkdir -p "$work" || exit 1
pcap="$work/netns.pcap"         # on veth1: Ethernet
any="$work/netns_any.pcap"      # on "any": LINUX_SLL2
any1="$work/netns_any_sll.pcap" # on "any" as LINUX_SLL
rm -f "$pcap" "$any" "$any1" "$work"/tcpdump*.log

captures=()
start_capture() { # LOG ARGS...: tcpdump in ns_b, waited for until it listens
	local log=$1
	shift
	# --immediate-mode: packets reach the file as they come (not a buffer block later, lost
	# if tcpdump is stopped before the block is handed over). In that mode the kernel's ring
	# holds whole snap-length frames (256 KiB on "any"), so the default 2 MiB buffer holds
	# about eight packets and a bulk transfer overflows it ("N packets dropped by kernel",
	# a FIN missing from the capture); -B gives it room for the whole test's traffic.
	ip netns exec "$ns_b" tcpdump -n -U --immediate-mode -B 131072 "$@" >"$log" 2>&1 &
	pids+=($!)
	captures+=($!)
	# tcpdump says "listening on" once its socket is open; wait for that, not forever.
	for _ in $(seq 1 100); do
		grep -q "listening on" "$log" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "FAIL: tcpdump $* did not start:"
	cat "$log"
	exit 1
}
start_capture "$work/tcpdump.log" -i veth1 -w "$pcap"
start_capture "$work/tcpdump_any.log" -i any -w "$any"
start_capture "$work/tcpdump_any_sll.log" -i any -y LINUX_SLL -w "$any1"
# An address added now joins its solicited-node group: an MLDv2 report while we listen
# (the reports for the first addresses may have gone before tcpdump started).
[ $have_ipv6 = 1 ] && ip -n "$ns_b" addr add 2001:db8::3/64 dev veth1 nodad

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

# The same over IPv6: neighbour discovery first (a solicitation to the solicited-node
# group, an advertisement back), a bulk TCP transfer, a refused connection, pings small
# and fragmented, UDP to a closed port (ICMPv6 port unreachable) and a fragmented
# datagram; then the neighbour entries are flushed on both sides so that the next ping
# resolves again.
if [ $have_ipv6 = 1 ]; then
	ip netns exec "$ns_b" timeout 20 nc -6 -l 2001:db8::2 40010 >/dev/null &
	pids+=($!)
	server=$!
	for _ in $(seq 1 50); do
		in_b ss -ltn 2>/dev/null | grep -q ':40010 ' && break
		sleep 0.1
	done
	head -c 200000 /dev/urandom | in_a timeout 20 nc -6 -N 2001:db8::2 40010 ||
		echo "note: the IPv6 bulk transfer client exited with $?"
	wait "$server" 2>/dev/null
	in_a timeout 5 nc -6 -z -w 2 2001:db8::2 40011
	in_a timeout 10 ping -6 -c 3 -i 0.2 -W 1 2001:db8::2 >/dev/null ||
		echo "note: ping -6 exited with $?"
	in_a timeout 10 ping -6 -c 1 -s 3000 -W 1 2001:db8::2 >/dev/null ||
		echo "note: ping -6 -s 3000 exited with $?"
	in_a timeout 5 bash -c 'echo "hello, nobody" >/dev/udp/2001:db8::2/40012'
	in_a timeout 5 bash -c 'printf "%4000s" fragment >/dev/udp/2001:db8::2/40013'
	in_a ip -6 neigh flush dev veth0
	in_b ip -6 neigh flush dev veth1
	in_b timeout 10 ping -6 -c 1 -W 1 2001:db8::1 >/dev/null ||
		echo "note: ping -6 back exited with $?"
fi
sleep 0.5 # let the last replies reach the capture

# SIGTERM, not SIGINT: background jobs of a script ignore SIGINT.
for capture in "${captures[@]}"; do
	kill -TERM "$capture"
done
for capture in "${captures[@]}"; do
	for _ in $(seq 1 50); do
		kill -0 "$capture" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$capture" 2>/dev/null
	wait "$capture" 2>/dev/null
done

# The captures must hold what the test is about, or a comparison would prove little.
check_capture() { # FILE PATTERN...
	local file=$1 summary missing=""
	shift
	summary=$(tcpdump -n -r "$file" 2>/dev/null)
	for what in "$@"; do
		echo "$summary" | grep -q -- "$what" || missing="$missing '$what'"
	done
	if [ -n "$missing" ]; then
		echo "FAIL: $(basename "$file") lacks:$missing"
		grep -h "dropped by kernel" "$work"/tcpdump*.log
		echo "$summary" | head -40
		exit 1
	fi
	echo "captured $(echo "$summary" | wc -l) packets of real traffic in $(basename "$file")"
}
ipv4=("ARP, Request" "ARP, Reply" "Flags \[S\]" "Flags \[S\.\]" "Flags \[P\.\]"
	"Flags \[F\.\]" "Flags \[R\.\]" "ICMP echo request" "ICMP echo reply"
	"udp port 40002 unreachable" "ip-proto-17")
ipv6=()
if [ $have_ipv6 = 1 ]; then
	ipv6=("ICMP6, neighbor solicitation, who has 2001:db8::2"
		"ICMP6, neighbor advertisement, tgt is 2001:db8::2"
		"ICMP6, neighbor solicitation, who has 2001:db8::1"
		"IP6 2001:db8::1.4[0-9]* > 2001:db8::2.40010: Flags \[S\]"
		"IP6 2001:db8::2.40010 > 2001:db8::1.4[0-9]*: Flags \[S\.\]"
		"2001:db8::2.40011 > 2001:db8::1.4[0-9]*: Flags \[R\.\]"
		"ICMP6, echo request" "ICMP6, echo reply" "frag (0|"
		"2001:db8::2 udp port 40012, length"
		"multicast listener report v2")
fi
check_capture "$pcap" "${ipv4[@]}" "${ipv6[@]}"
check_capture "$any" "${ipv4[@]}" "${ipv6[@]}"
check_capture "$any1" "${ipv4[@]}" "${ipv6[@]}"
[ $have_ipv6 = 1 ] || echo "note: no IPv6 in these namespaces; only IPv4 was captured"

"$compare" "$dump" "$work/compare" "$pcap" "$any" "$any1"
