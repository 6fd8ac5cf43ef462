#!/bin/bash
# Linux's ping -6 to synack on a TUN device in a namespace of its own (IP6-1, IP6-2, IP6-3):
# synack takes an IPv6 --addr, configures the kernel side's IPv6 --host-addr itself, answers
# echo requests, puts back together those Linux sends in fragments and fragments its
# replies to them, and tshark finds nothing wrong in its capture.
# (synack-nc -u -l is only there to keep a synack stack running.)
#
# usage: ping6.sh SYNACK_NC
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no TUN, a tool missing).
NS_TAG=ping6
. "$(dirname "$0")/lib.sh"

snc=$1
need_root_and_tools ping
[ -x "$snc" ] || die "no synack-nc at '$snc'"

setup_ns
# setup_ns turns IPv6 off in the namespace; this test wants it on.
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 || die "IPv6 on"
S=2001:db8::2
L=2001:db8::1
bg_io NC /dev/null /dev/null "$W/nc.log" \
	"$snc" --tun tun0 --addr $S/64 --host-addr $L/64 -w "$W/ping6.pcap" -v -u -l 9
wait_for 10 grep -q "Listening on" "$W/nc.log" || die "synack-nc did not start: $(cat "$W/nc.log")"
in_ns ip -6 addr show dev tun0 | grep -q "inet6 $L/64" && ok "the kernel side has $L/64" ||
	bad "the kernel side's addresses: $(in_ns ip -6 addr show dev tun0 | tr '\n' ' ')"

ping_ok $S 56 -6
ping_ok $S 1452 -6 # the largest unfragmented at MTU 1500 (40 + 8 + 1452)
ping_ok $S 1453 -6 # the smallest fragmented
ping_ok $S 3000 -6
ping_ok $S 8000 -6

kill -TERM "$NC"
wait_exit "$NC" 10
[ "$EXIT_STATUS" = 143 ] && ok "synack-nc ended by SIGTERM: status 143" ||
	bad "synack-nc after SIGTERM: status $EXIT_STATUS"

# Every request answered in the capture (tshark puts fragments back together), each reply
# with hop limit 64; fragments both ways.
q=$(tshark -r "$W/ping6.pcap" -n -Y "icmpv6.type == 128" 2>/dev/null | wc -l)
r=$(tshark -r "$W/ping6.pcap" -n -Y "icmpv6.type == 129 && ipv6.hlim == 64 && ipv6.src == $S" 2>/dev/null | wc -l)
[ "$q" = 15 ] && [ "$r" = 15 ] && ok "ping6.pcap: 15 echo requests, 15 replies from $S with hop limit 64" ||
	bad "ping6.pcap: $q requests, $r replies"
fl=$(tshark -r "$W/ping6.pcap" -n -Y "ipv6.src == $L && ipv6.fraghdr.more == 1" 2>/dev/null | wc -l)
fs=$(tshark -r "$W/ping6.pcap" -n -Y "ipv6.src == $S && ipv6.fraghdr.more == 1" 2>/dev/null | wc -l)
# 1448 bytes a fragment at MTU 1500: with M set, one for 1453, two for 3000, five for 8000
[ "$fl" = 24 ] && [ "$fs" = 24 ] && ok "ping6.pcap: fragmented both ways ($fl fragments with M from Linux, $fs from synack)" ||
	bad "ping6.pcap: fragments with M from Linux $fl, from synack $fs (24 each expected)"
check_pcap "$W/ping6.pcap" $L
finish
