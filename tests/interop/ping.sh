#!/bin/bash
# Linux's ping to synack on a TUN device in a namespace of its own: plain echo requests, and
# requests larger than the MTU, which Linux fragments and synack must reassemble, and whose
# replies synack must fragment. tshark finds nothing wrong in synack's capture.
# (synack-nc -u -l is only there to keep a synack stack running.)
#
# usage: ping.sh SYNACK_NC
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no TUN, a tool missing).
NS_TAG=ping
. "$(dirname "$0")/lib.sh"

snc=$1
need_root_and_tools ping
[ -x "$snc" ] || die "no synack-nc at '$snc'"

setup_ns
S=192.0.2.2
L=192.0.2.1
bg_io NC /dev/null /dev/null "$W/nc.log" \
	"$snc" --tun tun0 --addr $S/24 --host-addr $L/24 -w "$W/ping.pcap" -v -d -u -l 9
wait_for 10 grep -q "Listening on" "$W/nc.log" || die "synack-nc did not start: $(cat "$W/nc.log")"

ping_ok $S 56
ping_ok $S 1472 # the largest unfragmented at MTU 1500
ping_ok $S 1473 # the smallest fragmented
ping_ok $S 3000
ping_ok $S 8000

kill -TERM "$NC"
wait_exit "$NC" 10
[ "$EXIT_STATUS" = 143 ] && ok "synack-nc ended by SIGTERM: status 143" ||
	bad "synack-nc after SIGTERM: status $EXIT_STATUS"

count() { tshark -r "$W/ping.pcap" -n -Y "$1" 2>/dev/null | wc -l; }
# Per size: the requests and replies tshark saw whole (reassembled from fragments, when
# they were): "TYPE ICMP-LENGTH" lines, the ICMP length being SIZE + 8.
tshark -r "$W/ping.pcap" -n -Y "icmp.type == 0 || icmp.type == 8" -T fields -e icmp.type -e ip.len \
	-e ip.reassembled.length 2>/dev/null | awk '{print $1, ($3 != "" ? $3 : $2 - 20)}' >"$W/echoes"
for size in 56 1472 1473 3000 8000; do
	q=$(grep -c "^8 $((size + 8))\$" "$W/echoes")
	r=$(grep -c "^0 $((size + 8))\$" "$W/echoes")
	[ "$q" = 3 ] && [ "$r" = 3 ] && ok "ping.pcap: $size-byte echo: 3 requests, 3 replies" ||
		bad "ping.pcap: $size-byte echo: $q requests, $r replies"
done
fl=$(count "ip.src == $L && ip.flags.mf == 1")
fs=$(count "ip.src == $S && ip.flags.mf == 1")
# 1473, 3000: one more fragment each; 8000: five more (payload 1480 per fragment)
[ "$fl" -ge 21 ] && [ "$fs" -ge 21 ] && ok "ping.pcap: fragmented both ways ($fl fragments from Linux, $fs from synack with MF set)" ||
	bad "ping.pcap: fragments with MF from Linux $fl, from synack $fs (21 each expected)"
check_pcap "$W/ping.pcap" $L
finish
