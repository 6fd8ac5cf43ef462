#!/bin/bash
# synack-nc against Linux's nc (netcat-openbsd) in a namespace of its own, on a TUN device:
#   1. synack-nc -l, Linux nc connects: a file each way, half-closes; ss (and synack-ss) show
#      ESTAB while it is open; Linux closes first and ends in TIME-WAIT.
#   2. Linux nc -l, synack-nc connects: a file each way, half-closes.
#   3. synack-nc to a closed Linux port: "Connection refused", exit 1; to a silent address
#      with -W 1: timed out after about a second, exit 1.
#   4. UDP both ways (synack-nc -u to Linux nc -u -l, Linux nc -u to synack-nc -u -l), with
#      datagrams larger than the MTU (fragmented both ways) and their boundaries kept.
# and tshark finds nothing wrong in any capture. Over IPv4, or over IPv6 with
# INTEROP_FAMILY=6 (IP6-6: the same checks, the same tools).
#
# usage: [INTEROP_FAMILY=6] nc.sh SYNACK_NC [SYNACK_SS]
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no TUN, a tool missing).
NS_TAG=nc${INTEROP_FAMILY:-}
. "$(dirname "$0")/lib.sh"

snc=$1
synack_ss=${2:-}
need_root_and_tools nc ss mkfifo
[ -x "$snc" ] || die "no synack-nc at '$snc'"
nc -h 2>&1 | grep -q -- '-N' || skip "nc is not OpenBSD netcat (netcat-openbsd)"

setup_ns
use_family "${INTEROP_FAMILY:-4}"
NC_FAMILY= # Linux's nc listens on IPv4 unless told
[ "$FAMILY" = 6 ] && NC_FAMILY=-6
DEV=(--tun tun0 --addr $S/$P --host-addr $L/$P)
head -c $((4 << 20)) /dev/urandom >"$W/a.bin"
head -c $((1 << 20)) /dev/urandom >"$W/b.bin"
head -c 4000 /dev/urandom >"$W/d4000.bin"
head -c 3000 /dev/urandom >"$W/d3000.bin"

# ss_state SS-COMMAND... : the state of the connection LOCAL PEER (globals LOC, PEER).
state_of() {
	"$@" 2>/dev/null | awk -v l="$LOC" -v p="$PEER" '$4 == l && $5 == p {print $1; exit}'
}
linux_state_is() { # linux_state_is STATE
	[ "$(state_of in_ns ss -tanH)" = "$1" ]
}

# ---- 1. synack-nc listens, Linux nc connects and closes first ----
mkfifo "$W/syn_in" "$W/lin_in"
bg_io NC1 "$W/syn_in" "$W/got_a" "$W/nc1.log" \
	"$snc" "${DEV[@]}" -w "$W/nc1.pcap" -v -l 5000
exec 4>"$W/syn_in"
wait_for 10 grep -q "Listening on" "$W/nc1.log" || die "synack-nc -l did not start: $(cat "$W/nc1.log")"
bg_io LNC1 "$W/lin_in" "$W/got_b" "$W/lnc1.log" nc -N $S 5000
exec 5>"$W/lin_in"
est() { in_ns ss -tnH | awk -v p="$(hostport $S 5000)" '$1 == "ESTAB" && $5 == p {print $4; f=1} END {exit !f}'; }
if wait_for 10 est; then
	LOC=$(est)
	PEER=$(hostport $S 5000)
	ok "ss -tn in the namespace: ESTAB $LOC -> $PEER"
else
	bad "no ESTAB connection to $(hostport $S 5000) in ss -tn"
	LOC=none PEER=none
fi
if [ -n "$synack_ss" ] && [ -x "$synack_ss" ]; then
	# synack-ss lists synack's side: local $S port 5000, peer Linux's port. (Linux is
	# ESTABLISHED once it sent the handshake's last ACK; synack once that ACK arrived.)
	syn_st() { in_ns "$synack_ss" -tan | awk -v l=$PEER -v p=$LOC '$4 == l && $5 == p {print $1}'; }
	syn_estab() { [ "$(syn_st)" = ESTAB ]; }
	wait_for 5 syn_estab && ok "synack-ss -t: ESTAB $PEER -> $LOC" ||
		bad "synack-ss -t: '$(syn_st)' for $PEER -> $LOC"
fi
cat "$W/a.bin" >&5
exec 5>&- # Linux nc -N: all of a.bin, then FIN
if wait_for 10 linux_state_is FIN-WAIT-2; then
	ok "Linux closed first: FIN-WAIT-2 (synack acknowledged its FIN and stays open)"
else
	bad "Linux side not in FIN-WAIT-2 but '$(state_of in_ns ss -tanH)'"
fi
cat "$W/b.bin" >&4
exec 4>&- # synack-nc: all of b.bin, then FIN
wait_exit "$LNC1" 20
[ "$EXIT_STATUS" = 0 ] && ok "Linux nc exited 0" || bad "Linux nc: status $EXIT_STATUS"
if wait_for 5 linux_state_is TIME-WAIT; then
	ok "Linux, which closed first, is in TIME-WAIT for $LOC -> $PEER"
else
	bad "Linux side not in TIME-WAIT but '$(state_of in_ns ss -tanH)'"
fi
wait_exit "$NC1" 20
[ "$EXIT_STATUS" = 0 ] && ok "synack-nc -l exited 0" || bad "synack-nc -l: status $EXIT_STATUS"
same_file "Linux nc -> synack-nc -l (4 MiB)" "$W/a.bin" "$W/got_a"
same_file "synack-nc -l -> Linux nc (1 MiB)" "$W/b.bin" "$W/got_b"
grep -q "Connection received on $L" "$W/nc1.log" && ok "synack-nc -v: Connection received on $L" ||
	bad "synack-nc -v said: $(cat "$W/nc1.log")"

# ---- 2. Linux nc listens, synack-nc connects ----
bg_io LNC2 "$W/b.bin" "$W/got_a2" "$W/lnc2.log" nc $NC_FAMILY -N -l 6000
wait_for 10 sh -c "ip netns exec $NS ss -tlnH '( sport = :6000 )' | grep -q ." ||
	die "Linux nc -l did not start"
# (this one without offloads: one packet per segment both ways, the plain TUN path)
in_ns timeout 60 "$snc" "${DEV[@]}" --no-offload -w "$W/nc2.pcap" -v $L 6000 <"$W/a.bin" >"$W/got_b2" 2>"$W/nc2.log"
st=$?
[ $st = 0 ] && ok "synack-nc $L 6000 exited 0" || bad "synack-nc $L 6000: status $st: $(cat "$W/nc2.log")"
wait_exit "$LNC2" 20
[ "$EXIT_STATUS" = 0 ] && ok "Linux nc -l exited 0" || bad "Linux nc -l: status $EXIT_STATUS"
same_file "synack-nc -> Linux nc -l (4 MiB)" "$W/a.bin" "$W/got_a2"
same_file "Linux nc -l -> synack-nc (1 MiB)" "$W/b.bin" "$W/got_b2"

# ---- 3. errors ----
out=$(in_ns timeout 20 "$snc" "${DEV[@]}" -w "$W/nc3.pcap" $L 9 </dev/null 2>&1)
st=$?
if [ $st = 1 ] && [ "$out" = "synack-nc: connect $L:9: Connection refused" ]; then
	ok "synack-nc to closed Linux port 9: exit 1, '$out'"
else
	bad "synack-nc to a closed port: status $st, '$out'"
fi
t=$(date +%s%N)
out=$(in_ns timeout 20 "$snc" "${DEV[@]}" -W 1 $SILENT 80 </dev/null 2>&1)
st=$?
ms=$((($(date +%s%N) - t) / 1000000))
if [ $st = 1 ] && [ "$out" = "synack-nc: connect $SILENT:80: Connection timed out" ] && [ $ms -lt 5000 ]; then
	ok "synack-nc -W 1 to a silent address: exit 1 after $ms ms, '$out'"
else
	bad "synack-nc -W 1 to a silent address: status $st after $ms ms, '$out'"
fi

# ---- 4. UDP ----
# (a) synack-nc -u sends a 4000-byte datagram to Linux nc -u -l, which answers with 3000
# bytes; -q 2 ends synack-nc two seconds after its input ended.
bg_io LNC4 "$W/d3000.bin" "$W/got_u1" "$W/lnc4.log" nc $NC_FAMILY -u -l 7000
wait_for 10 sh -c "ip netns exec $NS ss -ulnH '( sport = :7000 )' | grep -q ." ||
	die "Linux nc -u -l did not start"
in_ns timeout 30 "$snc" "${DEV[@]}" -w "$W/nc4.pcap" -u -q 2 $L 7000 <"$W/d4000.bin" \
	>"$W/got_u2" 2>"$W/nc4.log"
st=$?
[ $st = 0 ] && ok "synack-nc -u -q 2 exited 0" || bad "synack-nc -u: status $st: $(cat "$W/nc4.log")"
same_file "UDP synack-nc -> Linux nc -u -l (one 4000-byte datagram)" "$W/d4000.bin" "$W/got_u1"
# (when it did not arrive: what the kernel's counters say happened to it)
cmp -s "$W/d4000.bin" "$W/got_u1" ||
	in_ns nstat -az 2>/dev/null | grep -E '^(Ip6|Udp6|Icmp6)' | awk '$2 != 0'
same_file "UDP Linux nc -u -l -> synack-nc (one 3000-byte datagram)" "$W/d3000.bin" "$W/got_u2"
kill -TERM "$LNC4" 2>/dev/null
wait_exit "$LNC4" 5
# (b) Linux nc -u sends 4000 bytes to synack-nc -u -l, which answers with 3000.
mkfifo "$W/udp_in"
bg_io NC5 "$W/udp_in" "$W/got_u3" "$W/nc5.log" "$snc" "${DEV[@]}" -w "$W/nc5.pcap" -v -u -l 7001
exec 6>"$W/udp_in"
wait_for 10 grep -q "Listening on" "$W/nc5.log" || die "synack-nc -u -l did not start: $(cat "$W/nc5.log")"
bg_io LNC5 "$W/d4000.bin" "$W/got_u4" "$W/lnc5.log" nc -u $S 7001
wait_for 10 grep -q "Connection received on $L" "$W/nc5.log" || bad "synack-nc -u -l got no datagram"
cat "$W/d3000.bin" >&6 # only once the peer is known: one datagram, to it
exec 6>&-
size_is() { [ "$(stat -c %s "$1" 2>/dev/null)" = "$2" ]; }
wait_for 10 size_is "$W/got_u3" 4000
wait_for 10 size_is "$W/got_u4" 3000
same_file "UDP Linux nc -u -> synack-nc -u -l (one 4000-byte datagram)" "$W/d4000.bin" "$W/got_u3"
same_file "UDP synack-nc -u -l -> Linux nc -u (one 3000-byte datagram)" "$W/d3000.bin" "$W/got_u4"
kill -TERM "$LNC5" 2>/dev/null
wait_exit "$LNC5" 5
kill -TERM "$NC5"
wait_exit "$NC5" 10
[ "$EXIT_STATUS" = 143 ] && ok "synack-nc -u -l ended by SIGTERM: status 143" ||
	bad "synack-nc -u -l after SIGTERM: status $EXIT_STATUS"
# Datagram boundaries and fragmentation, as the captures saw them (tshark reassembles).
count() { tshark -r "$1" -n -Y "$2" 2>/dev/null | wc -l; }
for pc in nc4 nc5; do
	f=$W/$pc.pcap
	n1=$(count "$f" "$IPF.src == $S && udp.length == 4008")
	n2=$(count "$f" "$IPF.src == $L && udp.length == 3008")
	[ "$pc" = nc5 ] && n1=$(count "$f" "$IPF.src == $L && udp.length == 4008") &&
		n2=$(count "$f" "$IPF.src == $S && udp.length == 3008")
	[ "$n1" = 1 ] && [ "$n2" = 1 ] && ok "$pc.pcap: exactly one 4000-byte and one 3000-byte datagram" ||
		bad "$pc.pcap: $n1 datagrams of 4000 bytes, $n2 of 3000"
	fs=$(count "$f" "$IPF.src == $S && $MF")
	fl=$(count "$f" "$IPF.src == $L && $MF")
	[ "$fs" -ge 1 ] && [ "$fl" -ge 1 ] && ok "$pc.pcap: fragmented both ways ($fs + $fl first fragments)" ||
		bad "$pc.pcap: fragments from synack $fs, from Linux $fl"
done

for f in nc1 nc2 nc3 nc4 nc5; do
	check_pcap "$W/$f.pcap" $L
done
# --no-offload: every segment synack sent on that run fits one MSS.
n_big=$(tshark -r "$W/nc2.pcap" -Y "$IPF.src == $S && tcp.len > $SEG" 2>/dev/null | wc -l)
n_data=$(tshark -r "$W/nc2.pcap" -Y "$IPF.src == $S && tcp.len > 0" 2>/dev/null | wc -l)
[ "$n_big" = 0 ] && [ "$n_data" -gt 2000 ] && ok "--no-offload: $n_data data segments, none over one MSS" ||
	bad "--no-offload: $n_big of $n_data data segments over one MSS"

finish
