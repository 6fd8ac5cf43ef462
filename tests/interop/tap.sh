#!/bin/bash
# synack on a TAP device (Ethernet and ARP) in a namespace of its own, 198.51.100.0/24:
#   1. synack-httpd: curl downloads 1 MiB intact; Linux resolved synack's address by ARP
#      (ip neigh holds synack's MAC, the capture holds Linux's request and synack's reply).
#   2. synack-nc connects to Linux nc -l: synack resolves Linux's address by ARP (its request,
#      Linux's reply in the capture), sends 1 MiB intact.
# and tshark finds nothing wrong in either capture.
#
# usage: tap.sh SYNACK_HTTPD SYNACK_NC
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no TUN/TAP, a tool missing).
NS_TAG=tap
. "$(dirname "$0")/lib.sh"

httpd=$1
snc=$2
need_root_and_tools curl nc ss
[ -x "$httpd" ] || die "no synack-httpd at '$httpd'"
[ -x "$snc" ] || die "no synack-nc at '$snc'"

setup_ns
S=198.51.100.2
L=198.51.100.1
DEV=(--tap tap0 --addr $S/24 --host-addr $L/24)
mkdir -p "$W/www"
head -c $((1 << 20)) /dev/urandom >"$W/www/f1m"

# ---- 1. synack-httpd on TAP ----
bg HTTPD "$httpd" "${DEV[@]}" -w "$W/tap_httpd.pcap" --root "$W/www" --port 80 -v 2>"$W/httpd.log"
wait_for 10 in_ns curl -sf -o /dev/null --max-time 1 http://$S/f1m ||
	die "synack-httpd on tap0 did not answer within 10 s"
in_ns curl -s --max-time 60 -o "$W/got" http://$S/f1m
same_file "TAP: GET /f1m" "$W/www/f1m" "$W/got"
neigh=$(in_ns ip neigh show $S dev tap0)
kmac=$(in_ns cat /sys/class/net/tap0/address)
stop_tool "$HTTPD" synack-httpd
f=$W/tap_httpd.pcap
smac=$(tshark -r "$f" -n -Y "ip.src == $S" -T fields -e eth.src 2>/dev/null | head -1)
if [ -n "$smac" ] && echo "$neigh" | grep -qi "lladdr $smac" && [ "$smac" != "$kmac" ]; then
	ok "ip neigh: $neigh (synack's MAC, not tap0's $kmac)"
else
	bad "ip neigh: '$neigh'; synack sends from '$smac', tap0 is $kmac"
fi
arp() { tshark -r "$1" -n -Y "arp && $2" 2>/dev/null | wc -l; }
q=$(arp "$f" "arp.opcode == 1 && arp.src.proto_ipv4 == $L && arp.dst.proto_ipv4 == $S")
r=$(arp "$f" "arp.opcode == 2 && arp.src.proto_ipv4 == $S && arp.src.hw_mac == $smac && arp.dst.proto_ipv4 == $L && eth.src == $smac")
[ "$q" -ge 1 ] && [ "$r" -ge 1 ] && ok "tap_httpd.pcap: Linux's ARP request for $S ($q), synack's reply with $smac ($r)" ||
	bad "tap_httpd.pcap: ARP requests from Linux $q, replies from synack $r"
check_pcap "$f" $L

# ---- 2. synack-nc on TAP connects to Linux ----
bg_io LNC "/dev/null" "$W/got2" "$W/lnc.log" nc -l 6000
wait_for 10 sh -c "ip netns exec $NS ss -tlnH '( sport = :6000 )' | grep -q ." || die "Linux nc -l did not start"
in_ns timeout 60 "$snc" "${DEV[@]}" -w "$W/tap_nc.pcap" $L 6000 <"$W/www/f1m" >/dev/null 2>"$W/nc.log"
st=$?
[ $st = 0 ] && ok "synack-nc --tap to $L 6000 exited 0" || bad "synack-nc --tap: status $st: $(cat "$W/nc.log")"
wait_exit "$LNC" 10
same_file "TAP: synack-nc -> Linux nc -l (1 MiB)" "$W/www/f1m" "$W/got2"
f=$W/tap_nc.pcap
smac=$(tshark -r "$f" -n -Y "ip.src == $S" -T fields -e eth.src 2>/dev/null | head -1)
q=$(arp "$f" "arp.opcode == 1 && arp.src.proto_ipv4 == $S && arp.dst.proto_ipv4 == $L && eth.src == $smac")
r=$(arp "$f" "arp.opcode == 2 && arp.src.proto_ipv4 == $L && arp.dst.proto_ipv4 == $S")
[ "$q" -ge 1 ] && [ "$r" -ge 1 ] && ok "tap_nc.pcap: synack's ARP request for $L ($q), Linux's reply ($r)" ||
	bad "tap_nc.pcap: ARP requests from synack $q, replies from Linux $r"
first=$(tshark -r "$f" -n -T fields -e _ws.col.Protocol -c 1 2>/dev/null)
[ "$first" = ARP ] && ok "tap_nc.pcap: the first frame synack sent is its ARP request" ||
	bad "tap_nc.pcap: the first frame is $first, not ARP"
check_pcap "$f" $L
finish
