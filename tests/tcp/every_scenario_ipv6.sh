#!/bin/sh
# Every scenario synack-sim lists runs over IPv6 (--ipv6) with the verdict it has over IPv4, and a verified transfer moves the same bytes over IPv6; the captures read in tcpdump (and tshark).
sim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

# The catalogue does not change with the family.
"$sim" --list >"$tmp/list4.txt" || fail "--list failed"
"$sim" --list --ipv6 >"$tmp/list6.txt" || fail "--list --ipv6 failed"
cmp -s "$tmp/list4.txt" "$tmp/list6.txt" || fail "--list differs with --ipv6"
names=$(awk '{print $1}' "$tmp/list4.txt")
[ -n "$names" ] || fail "synack-sim --list printed nothing"

# Every scenario: the same verdict in both families, and that verdict is PASS. (Each run
# also checks that every frame it put on the wire was of its family.)
n=0
for name in $names; do
	"$sim" -q "$name" >"$tmp/v4.txt" 2>&1
	r4=$?
	"$sim" -q --ipv6 "$name" >"$tmp/v6.txt" 2>&1
	r6=$?
	n=$((n + 1))
	if [ "$r4" != "$r6" ] || [ "$r6" != 0 ]; then
		fail "$name: exit $r4 over IPv4, $r6 over IPv6"
		cat "$tmp/v6.txt"
	fi
done
echo "$n scenarios over IPv4 and IPv6"

# What a learner sees: IPv6 segments between 2001:db8::a00:1 and ::a00:2, MSS 1440 (1500
# less 40 + 20 bytes of headers), no IPv4 at all.
"$sim" --ipv6 hs-1 -w "$tmp/hs1.pcapng" >"$tmp/hs1.txt" || fail "hs-1 --ipv6 failed"
[ "$(grep -c '^[0-9:.]* IP6 2001:db8::a00:1\.[0-9]* > 2001:db8::a00:2\.6378: Flags \[S\], .*mss 1440' "$tmp/hs1.txt")" = 1 ] ||
	fail "hs-1 --ipv6: no SYN from 2001:db8::a00:1 with mss 1440"
grep -q '^[0-9:.]* IP ' "$tmp/hs1.txt" && fail "hs-1 --ipv6 printed an IPv4 packet"
grep -q 'connect(\[2001:db8::a00:2\]:6378) = -1 EINPROGRESS' "$tmp/hs1.txt" ||
	fail "hs-1 --ipv6: the connect() line does not name the IPv6 address"
if command -v tcpdump >/dev/null; then
	tcpdump -n -S -r "$tmp/hs1.pcapng" >"$tmp/hs1.tcpdump" 2>/dev/null || fail "tcpdump cannot read hs-1's IPv6 capture"
	[ "$(grep -c ' IP6 ' "$tmp/hs1.tcpdump")" = 3 ] || fail "hs-1 pcapng: want the 3 IPv6 handshake packets"
	# the tracer prints what tcpdump prints, IPv6 included
	grep '^[0-9:.]* IP6 ' "$tmp/hs1.txt" | diff - "$tmp/hs1.tcpdump" >/dev/null ||
		fail "hs-1 --ipv6: the trace and tcpdump's reading of its capture differ"
fi

# A scenario with retransmissions, SACK and scripted peers: tshark finds no malformed
# packet and no bad checksum in its IPv6 capture.
"$sim" -q --ipv6 rel-5 -w "$tmp/rel5.pcapng" >/dev/null || fail "rel-5 --ipv6 failed"
if command -v tshark >/dev/null; then
	total=$(tshark -r "$tmp/rel5.pcapng" 2>/dev/null | wc -l)
	bad=$(tshark -r "$tmp/rel5.pcapng" -o tcp.check_checksum:TRUE \
		-Y '_ws.malformed || tcp.checksum.status == 0 || !ipv6' 2>/dev/null | wc -l)
	[ "$total" -gt 50 ] && [ "$bad" = 0 ] || fail "rel-5 --ipv6 capture: $bad of $total packets malformed, bad or not IPv6"
fi

# The ladder over IPv6 has what it has over IPv4: hs-7's six SYNs, every one lost.
"$sim" -q hs-7 --svg "$tmp/hs7-4.svg" >/dev/null || fail "hs-7 --svg failed"
"$sim" -q --ipv6 hs-7 --svg "$tmp/hs7-6.svg" >/dev/null || fail "hs-7 --ipv6 --svg failed"
s4=$(grep -c 'class="seg[ a-z]* lost"' "$tmp/hs7-4.svg")
s6=$(grep -c 'class="seg[ a-z]* lost"' "$tmp/hs7-6.svg")
[ "$s6" = 6 ] && [ "$s4" = "$s6" ] || fail "hs-7 ladder: $s4 lost SYNs over IPv4, $s6 over IPv6 (want 6)"

# A verified transfer through 1% loss: every byte, the same digest as over IPv4.
"$sim" transfer --bytes 1000000 --loss 0.01 >"$tmp/t4.txt" || fail "transfer over IPv4 failed"
"$sim" transfer --ipv6 --bytes 1000000 --loss 0.01 -w "$tmp/t6.pcapng" >"$tmp/t6.txt" ||
	fail "transfer --ipv6 failed"
grep -qx 'OK: every byte delivered intact' "$tmp/t6.txt" || fail "transfer --ipv6: not intact"
d4=$(grep '^client -> server:' "$tmp/t4.txt")
d6=$(grep '^client -> server:' "$tmp/t6.txt")
case $d6 in "client -> server: 1000000 of 1000000 bytes delivered, digest "*) ;; *) fail "transfer --ipv6: $d6" ;; esac
[ "$d4" = "$d6" ] || fail "transfer: over IPv4 \"$d4\", over IPv6 \"$d6\""
if command -v tcpdump >/dev/null; then
	all=$(tcpdump -n -r "$tmp/t6.pcapng" 2>/dev/null | wc -l)
	v6=$(tcpdump -n -r "$tmp/t6.pcapng" 2>/dev/null | grep -c ' IP6 2001:db8::a00:[12]\.')
	[ "$all" -gt 700 ] && [ "$all" = "$v6" ] || fail "transfer --ipv6 capture: $v6 of $all packets IPv6"
fi
exit $status
