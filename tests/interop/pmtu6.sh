#!/bin/bash
# Path MTU over IPv6 (IP6-4, RFC 8201) against a Linux router: synack on a TUN in the
# router's namespace sends 4 MiB to Linux nc in a second namespace behind a veth whose
# router end has an MTU of 1280 (the server's end has 1500, so the server offers an MSS of
# 1440 and only the path knows better). The router answers synack's 1500-byte packets with Packet Too Big; synack lowers
# the connection's MSS to 1220 in the middle of the transfer, sends what was lost again at the
# new size, and the file arrives intact. tshark finds nothing wrong in the capture.
#
# usage: pmtu6.sh SYNACK_NC
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no TUN, a tool missing).
NS_TAG=pmtu6
. "$(dirname "$0")/lib.sh"

snc=$1
need_root_and_tools nc ss
[ -x "$snc" ] || die "no synack-nc at '$snc'"

setup_ns
use_family 6
# The second hop: namespace SRV behind veth r0 (router, MTU 1280) / s0 (server, 1500).
SRV=$NS-srv
ip netns add "$SRV" || die "ip netns add $SRV"
EXTRA_NS+=("$SRV")
ip -n "$SRV" link set lo up
ip -n "$SRV" link add s0 type veth peer name r0 netns "$NS" || die "veth"
ip netns exec "$SRV" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
	net.ipv6.conf.s0.disable_ipv6=0 || die "IPv6 on in $SRV"
in_ns sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.r0.disable_ipv6=0 || die "forwarding"
# no duplicate address detection on the veth: its link-local addresses usable at once
ip netns exec "$SRV" sysctl -qw net.ipv6.conf.s0.accept_dad=0
in_ns sysctl -qw net.ipv6.conf.r0.accept_dad=0
ip -n "$SRV" link set s0 up
ip -n "$NS" link set r0 mtu 1280 up
ip -n "$SRV" addr add 2001:db8:2::2/64 dev s0 nodad
ip -n "$NS" addr add 2001:db8:2::1/64 dev r0 nodad
ip -n "$SRV" route add default via 2001:db8:2::1 dev s0 || die "default route in $SRV"
FAR=2001:db8:2::2

head -c $((4 << 20)) /dev/urandom >"$W/a.bin"
ip netns exec "$SRV" nc -6 -l 6000 >"$W/got" 2>"$W/lnc.log" &
LNC=$!
BG_PIDS+=("$LNC")
wait_for 10 sh -c "ip netns exec $SRV ss -tlnH '( sport = :6000 )' | grep -q ." || die "Linux nc -l did not start"
in_ns timeout 60 "$snc" --tun tun0 --addr $S/64 --host-addr $L/64 -w "$W/pmtu.pcap" -v -N $FAR 6000 \
	<"$W/a.bin" >/dev/null 2>"$W/nc.log"
st=$?
[ $st = 0 ] && ok "synack-nc to $FAR (beyond a hop of MTU 1280) exited 0" ||
	bad "synack-nc to $FAR: status $st: $(cat "$W/nc.log")"
wait_exit "$LNC" 20
same_file "4 MiB through the 1280-byte hop" "$W/a.bin" "$W/got"

# The capture: Packet Too Big (MTU 1280) from the router, and after the first of them no
# segment from synack larger than 1280 bytes of IPv6 (a payload of 1220 - 12 with timestamps).
count() { tshark -r "$W/pmtu.pcap" -n -Y "$1" 2>/dev/null | wc -l; }
ptb=$(count "icmpv6.type == 2 && icmpv6.mtu == 1280 && ipv6.src == $L")
first=$(tshark -r "$W/pmtu.pcap" -n -Y "icmpv6.type == 2" -T fields -e frame.number 2>/dev/null | head -1)
[ "$ptb" -ge 1 ] && ok "the router sent Packet Too Big, MTU 1280 ($ptb times)" ||
	bad "no Packet Too Big from the router in the capture"
if [ -n "$first" ]; then
	big=$(count "frame.number > $((first + 20)) && ipv6.src == $S && ipv6.plen > 1240")
	small=$(count "frame.number > $first && ipv6.src == $S && tcp.len == 1208")
	[ "$big" = 0 ] && [ "$small" -gt 1000 ] &&
		ok "after it: $small full segments of 1208 bytes from synack, none over 1280 bytes" ||
		bad "after the Packet Too Big: $big packets over 1280 bytes, $small of 1208 bytes"
fi
check_pcap "$W/pmtu.pcap" $L
finish
