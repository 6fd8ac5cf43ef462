#!/bin/bash
# IPv6 over TAP against Linux: neighbour discovery (RFC 4861) and duplicate address detection (RFC 4862), IP6-5.
#
# 1. synack-nc on tap0 with 2001:db8::2/64 (and 192.0.2.2/24 beside it: ARP and ping on the same
#    device) and Linux's link-local address as its IPv6
#    gateway; Linux has 2001:db8::1/64 on tap0 and 2001:db8:5::1 on lo (off-link for synack):
#    - synack does DAD for 2001:db8::2 and its fe80:: address (NS from ::, hop limit 255,
#      after RFC 4862's start delay) before it sends anything from them;
#    - Linux's ping -6 to 2001:db8::2 from 2001:db8:5::1: the reply goes to the gateway,
#      which synack resolves from scratch (INCOMPLETE: NS to its solicited-node group,
#      Linux's solicited NA), and it leaves to Linux's MAC;
#    - Linux's ping -6 to 2001:db8::2 (Linux resolves synack: synack's NA, solicited,
#      override, its MAC) and to synack's link-local address;
#    - `ip -6 neigh` on Linux holds synack's MAC (not tap0's) REACHABLE or STALE;
#    - synack learned 2001:db8::1 from Linux's NS as STALE, sent to it (DELAY) and 5 s later
#      probes it by unicast NS (PROBE), which Linux confirms with a solicited NA;
#    - every NDP message synack sends has hop limit 255 and tshark finds nothing wrong.
# 2. TCP over IPv6 on tap0: synack-nc sends 1 MiB to Linux's nc -6 -l; it resolves Linux
#    (multicast NS, Linux's NA) before its SYN leaves, to Linux's MAC.
# 3. DAD conflict: Linux already has 2001:db8::2 on tap1; synack-nc --addr 2001:db8::2/64 on
#    tap1 sends its DAD NS, Linux defends with an NA, synack says the address is a duplicate,
#    never sends from it, and still answers on its link-local address.
#
# usage: tap6.sh SYNACK_NC
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no TUN/TAP, a tool missing).
NS_TAG=tap6
. "$(dirname "$0")/lib.sh"

snc=$1
need_root_and_tools ping nc ss
[ -x "$snc" ] || die "no synack-nc at '$snc'"

setup_ns
# setup_ns turns IPv6 off in the namespace; this test wants it on.
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 || die "IPv6 on"
S=2001:db8::2
L=2001:db8::1
FAR=2001:db8:5::1 # Linux's, on lo: off-link for synack
KMAC=02:00:00:00:00:01
KLL=fe80::ff:fe00:1 # Linux's link-local on tap0: modified EUI-64 of $KMAC
S4=192.0.2.2 # and IPv4 on the same device: ARP beside neighbour discovery
L4=192.0.2.1

# nd FILE TYPE FILTER: how many NDP messages of TYPE (135 NS, 136 NA) match FILTER.
nd() { tshark -r "$1" -n -Y "icmpv6.type == $2 && $3" 2>/dev/null | wc -l; }
# The link-local address of a MAC: fe80:: and its modified EUI-64 (RFC 4291 appendix A), in
# the text form ping prints (RFC 5952: no leading zeros, the zero groups after fe80 as ::).
ll_of() {
	local IFS=:
	set -- $1
	local g1=$(((0x$1 ^ 2) << 8 | 0x$2)) g2=$((0x$3 << 8 | 0xff)) g3=$((0xfe00 | 0x$4)) g4=$((0x$5 << 8 | 0x$6))
	if [ $g1 = 0 ]; then
		printf 'fe80::%x:%x:%x' $g2 $g3 $g4
	else
		printf 'fe80::%x:%x:%x:%x' $g1 $g2 $g3 $g4
	fi
}

# ---- 1. neighbour discovery both ways ----
# tap0 made beforehand with a MAC we know, so that its link-local address can be synack's --gw.
in_ns ip tuntap add dev tap0 mode tap || die "ip tuntap add tap0"
in_ns ip link set tap0 address $KMAC || die "tap0 address"
in_ns ip addr add $FAR/128 dev lo || die "$FAR on lo"
bg_io NC /dev/null /dev/null "$W/nc.log" \
	"$snc" --tap tap0 --addr $S/64 --host-addr $L/64 --addr $S4/24 --host-addr $L4/24 --gw $KLL \
	-w "$W/tap6.pcap" -v -u -l 9
wait_for 10 grep -q "Listening on" "$W/nc.log" || die "synack-nc did not start: $(cat "$W/nc.log")"
# Linux's own DAD for its addresses on tap0 must finish before it can use them.
wait_for 10 sh -c "ip netns exec $NS ip -6 addr show dev tap0 | grep -q 'inet6 $L/64' &&
	! ip netns exec $NS ip -6 addr show dev tap0 | grep -q tentative" ||
	die "the kernel side's addresses: $(in_ns ip -6 addr show dev tap0 | tr '\n' ' ')"
ok "the kernel side has $L/64 and $KLL, DAD done"
# synack's own DAD: it waits 0.5 to 1 s (RFC 4862 5.4.2), then 1 s for an answer.
wait_for 10 in_ns ping -6 -n -c 1 -W 1 $S || die "synack never answered on $S"

# Off-link first, while synack knows nothing of the gateway.
ping_ok $S 56 -6 -I $FAR
ping_ok $S 56 -6
ping_ok $S 1452 -6
neigh=$(in_ns ip -6 neigh show $S dev tap0)
smac=$(echo "$neigh" | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2)
[ -n "$smac" ] || die "Linux has no neighbour entry for $S: '$neigh'"
# synack's link-local address: fe80:: and the modified EUI-64 of its MAC.
SLL=$(ll_of "$smac")
ping_ok "$SLL%tap0" 56 -6
# The IPv4 address on the same device answers too, resolved by ARP to the same MAC.
ping_ok $S4 56
neigh4=$(in_ns ip -4 neigh show $S4 dev tap0)
echo "$neigh4" | grep -q "lladdr $smac " && ok "ip -4 neigh: $neigh4 (the same adapter)" ||
	bad "ip -4 neigh: '$neigh4' (synack's MAC is $smac)"
if echo "$neigh" | grep -qE "lladdr $smac (REACHABLE|STALE|DELAY)" && [ "$smac" != "$KMAC" ]; then
	ok "ip -6 neigh: $neigh (synack's MAC, not tap0's $KMAC)"
else
	bad "ip -6 neigh: '$neigh' (tap0 is $KMAC)"
fi
# synack's entry for $L went STALE -> DELAY with its first reply; 5 s later it probes.
sleep 6
ping_ok $S 56 -6
kill -TERM "$NC"
wait_exit "$NC" 10
[ "$EXIT_STATUS" = 143 ] && ok "synack-nc ended by SIGTERM: status 143" ||
	bad "synack-nc after SIGTERM: status $EXIT_STATUS"

f=$W/tap6.pcap
sm="eth.src == $smac"
# DAD: an NS from :: for each address, to its solicited-node group, before any packet from it.
d1=$(nd "$f" 135 "$sm && ipv6.src == :: && ipv6.dst == ff02::1:ff00:2 && icmpv6.nd.ns.target_address == $S && ipv6.hlim == 255 && !icmpv6.opt")
d2=$(nd "$f" 135 "$sm && ipv6.src == :: && icmpv6.nd.ns.target_address == $SLL && ipv6.hlim == 255")
first_dad=$(tshark -r "$f" -n -Y "$sm && ipv6.src == :: && icmpv6.type == 135 && icmpv6.nd.ns.target_address == $S" -T fields -e frame.number 2>/dev/null | head -1)
first_use=$(tshark -r "$f" -n -Y "ipv6.src == $S" -T fields -e frame.number 2>/dev/null | head -1)
[ "$d1" -ge 1 ] && [ "$d2" -ge 1 ] && [ -n "$first_use" ] && [ "$first_dad" -lt "$first_use" ] &&
	ok "tap6.pcap: DAD for $S ($d1 NS from ::, frame $first_dad, first use frame $first_use) and $SLL ($d2)" ||
	bad "tap6.pcap: DAD NS for $S: $d1 (frame '$first_dad', first use '$first_use'), for $SLL: $d2"
# Linux resolves synack: its NS, synack's NA (solicited, override, target link-layer address).
q=$(nd "$f" 135 "eth.src == $KMAC && icmpv6.nd.ns.target_address == $S")
a=$(nd "$f" 136 "$sm && ipv6.src == $S && icmpv6.nd.na.flag.s == 1 && icmpv6.nd.na.flag.o == 1 && icmpv6.nd.na.flag.r == 0 && icmpv6.opt.linkaddr == $smac")
[ "$q" -ge 1 ] && [ "$a" -ge 1 ] && ok "tap6.pcap: Linux's NS for $S ($q), synack's NA S=1 O=1 with $smac ($a)" ||
	bad "tap6.pcap: NS from Linux for $S: $q, NA from synack: $a"
# synack resolves a Linux address from scratch (INCOMPLETE): an NS to their solicited-node
# group (both $L and $KLL are in ff02::1:ff00:1) with its MAC, and Linux's solicited NA.
# Which one depends on the source Linux gave its own NS for $S: synack learned that one
# (STALE) from it, and resolves the other when it first sends to it.
lin="(icmpv6.nd.ns.target_address == $L || icmpv6.nd.ns.target_address == $KLL)"
q=$(nd "$f" 135 "$sm && ipv6.dst == ff02::1:ff00:1 && $lin && icmpv6.opt.linkaddr == $smac")
a=$(nd "$f" 136 "eth.src == $KMAC && (icmpv6.nd.na.target_address == $L || icmpv6.nd.na.target_address == $KLL) && icmpv6.nd.na.flag.s == 1 && ipv6.dst != ff02::1")
[ "$q" -ge 1 ] && [ "$a" -ge 1 ] && ok "tap6.pcap: synack resolved Linux by multicast NS ($q), Linux's solicited NA ($a)" ||
	bad "tap6.pcap: multicast NS from synack for Linux: $q, Linux's solicited NA: $a"
# The replies to the off-link address left to the gateway, Linux's MAC.
r=$(tshark -r "$f" -n -Y "icmpv6.type == 129 && ipv6.dst == $FAR && eth.dst == $KMAC" 2>/dev/null | wc -l)
[ "$r" = 3 ] && ok "tap6.pcap: the 3 replies to $FAR (off-link) went to the gateway $KLL at $KMAC" ||
	bad "tap6.pcap: replies to $FAR through $KMAC: $r"
# NUD: the address synack learned as STALE was used (DELAY), so 5 s later synack probed it
# by unicast NS (PROBE) and Linux confirmed it (REACHABLE).
q=$(nd "$f" 135 "$sm && $lin && ipv6.dst == icmpv6.nd.ns.target_address && eth.dst == $KMAC")
[ "$q" -ge 1 ] && ok "tap6.pcap: synack probed Linux by unicast NS after DELAY ($q)" ||
	bad "tap6.pcap: no unicast NS from synack to Linux"
n=$(tshark -r "$f" -n -Y "$sm && icmpv6.type >= 133 && icmpv6.type <= 137 && ipv6.hlim != 255" 2>/dev/null | wc -l)
[ "$n" = 0 ] && ok "tap6.pcap: every NDP message from synack has hop limit 255" ||
	bad "tap6.pcap: $n NDP messages from synack without hop limit 255"
check_pcap "$f" $L

# ---- 2. TCP over IPv6 on the TAP: synack-nc connects to Linux's nc -6 -l ----
# tap0 keeps Linux's addresses; Linux forgets the old synack (a new one has a new MAC).
in_ns ip -6 neigh flush dev tap0
head -c $((1 << 20)) /dev/urandom >"$W/f1m"
bg_io LNC /dev/null "$W/got" "$W/lnc.log" nc -6 -l 6000
wait_for 10 sh -c "ip netns exec $NS ss -tlnH '( sport = :6000 )' | grep -q ." || die "Linux nc -6 -l did not start"
in_ns timeout 60 "$snc" --tap tap0 --addr $S/64 -w "$W/tap6_nc.pcap" $L 6000 <"$W/f1m" >/dev/null 2>"$W/nc3.log"
st=$?
[ $st = 0 ] && ok "synack-nc --tap to $L 6000 exited 0" || bad "synack-nc --tap to $L: status $st: $(cat "$W/nc3.log")"
wait_exit "$LNC" 10
same_file "TAP, IPv6: synack-nc -> Linux nc -6 -l (1 MiB)" "$W/f1m" "$W/got"
f=$W/tap6_nc.pcap
sm3=$(tshark -r "$f" -n -Y "ipv6.src == :: && icmpv6.type == 135" -T fields -e eth.src 2>/dev/null | head -1)
# synack resolves Linux before its first segment leaves: NS to ff02::1:ff00:1 from $S,
# Linux's solicited NA, and the SYN (every SYN) to Linux's MAC.
q=$(nd "$f" 135 "eth.src == $sm3 && ipv6.src == $S && ipv6.dst == ff02::1:ff00:1 && icmpv6.nd.ns.target_address == $L")
a=$(nd "$f" 136 "eth.src == $KMAC && icmpv6.nd.na.target_address == $L && icmpv6.nd.na.flag.s == 1")
ns1=$(tshark -r "$f" -n -Y "icmpv6.type == 135 && ipv6.src == $S" -T fields -e frame.number 2>/dev/null | head -1)
syn=$(tshark -r "$f" -n -Y "tcp.flags.syn == 1 && tcp.flags.ack == 0 && ipv6.src == $S" -T fields -e frame.number 2>/dev/null | head -1)
syn_other=$(tshark -r "$f" -n -Y "tcp.flags.syn == 1 && tcp.flags.ack == 0 && ipv6.src == $S && eth.dst != $KMAC" 2>/dev/null | wc -l)
[ "$q" -ge 1 ] && [ "$a" -ge 1 ] && [ -n "$syn" ] && [ "$ns1" -lt "$syn" ] && [ "$syn_other" = 0 ] &&
	ok "tap6_nc.pcap: synack's NS for $L (frame $ns1), Linux's NA ($a), then the SYN (frame $syn) to $KMAC" ||
	bad "tap6_nc.pcap: NS for $L $q (frame '$ns1'), NA $a, first SYN frame '$syn', SYNs elsewhere $syn_other"
check_pcap "$f" $L

# ---- 3. DAD conflict: Linux already has synack's address ----
in_ns ip tuntap add dev tap1 mode tap || die "ip tuntap add tap1"
in_ns ip link set tap1 address 02:00:00:00:00:11 up || die "tap1 up"
in_ns ip addr add $S/64 dev tap1 nodad || die "$S on tap1"
bg_io NC2 /dev/null /dev/null "$W/nc2.log" "$snc" --tap tap1 --addr $S/64 -w "$W/dad.pcap" -v -u -l 9
wait_for 10 grep -q "Listening on" "$W/nc2.log" || die "synack-nc on tap1 did not start: $(cat "$W/nc2.log")"
wait_for 5 grep -q "$S: duplicate address" "$W/nc2.log" &&
	ok "synack-nc: $(grep "$S: duplicate" "$W/nc2.log")" ||
	bad "synack-nc did not report $S as a duplicate: $(tr '\n' ' ' <"$W/nc2.log")"
# synack's MAC from its control socket (the capture is written out at exit); once its
# link-local address and tap1's are through DAD, Linux reaches synack there.
smac2=$(in_ns nc -U "$SYNACK_RUN_DIR/$NC2.sock" </dev/null 2>/dev/null | grep -o 'mac=[0-9a-f:]*' | cut -d= -f2)
[ -n "$smac2" ] || die "no MAC from synack-nc's control socket"
SLL2=$(ll_of "$smac2")
wait_for 10 in_ns ping -6 -n -c 1 -W 1 "$SLL2%tap1" || bad "synack never answered on $SLL2"
ping_ok "$SLL2%tap1" 56 -6
kill -TERM "$NC2"
wait_exit "$NC2" 10
f=$W/dad.pcap
q=$(nd "$f" 135 "eth.src == $smac2 && ipv6.src == :: && icmpv6.nd.ns.target_address == $S")
a=$(nd "$f" 136 "eth.src == 02:00:00:00:00:11 && ipv6.dst == ff02::1 && icmpv6.nd.na.target_address == $S")
u=$(tshark -r "$f" -n -Y "eth.src == $smac2 && ipv6.src == $S" 2>/dev/null | wc -l)
[ "$q" -ge 1 ] && [ "$a" -ge 1 ] && [ "$u" = 0 ] &&
	ok "dad.pcap: synack's DAD NS for $S ($q), Linux's defence NA ($a), nothing from $S after" ||
	bad "dad.pcap: DAD NS $q, Linux's NA $a, packets from $S by synack $u"
check_pcap "$f" $L
finish
