#!/bin/bash
# Real-path loss (issue 10): synack-nc against Linux's nc over a TUN whose traffic nftables
# drops at random, 2% and then 5% of the packets each way (with TSO a drop takes a whole
# super-packet of up to 44 segments). Each way, a file arrives intact (sha256); the time is
# bounded generously, for integrity is the test and speed is bench/lossy.sh's. The synack
# sender reports its statistics (--stats): its smoothed RTT stays near the path's (a few ms
# at most on this 0.05 ms path, where a 200 ms minimum RTO costs thousands of round trips).
# Release build only (tests/interop/tests.cmake): the sanitizer build is too slow for it.
#
# usage: lossy.sh SYNACK_NC
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no TUN, no nft, a tool missing).
NS_TAG=lossy
. "$(dirname "$0")/lib.sh"

snc=$1
need_root_and_tools nc nft
[ -x "$snc" ] || die "no synack-nc at '$snc'"
nc -h 2>&1 | grep -q -- '-N' || skip "nc is not OpenBSD netcat (netcat-openbsd)"

setup_ns
S=192.0.2.2
L=192.0.2.1
DEV=(--tun tun0 --addr $S/24 --host-addr $L/24)
head -c $((16 << 20)) /dev/urandom >"$W/data.bin"

# drop_rules PER_MILLE: the same random loss both ways on the kernel's side of the TUN.
drop_rules() {
	in_ns nft delete table inet lossy 2>/dev/null
	in_ns nft -f - <<EOF || die "nft rules"
table inet lossy {
 chain out { type filter hook output priority 0; ip daddr $S numgen random mod 1000 < $1 counter drop; }
 chain in { type filter hook input priority 0; ip saddr $S numgen random mod 1000 < $1 counter drop; }
}
EOF
}
dropped() {
	in_ns nft list table inet lossy | awk '/counter packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") p += $(i+1) } END { print p + 0 }'
}

for pm in 20 50; do
	drop_rules $pm
	# synack sends: synack-nc -l with the file as input, Linux nc reads it to the end.
	T0=$(date +%s.%N)
	bg_io SEND "$W/data.bin" /dev/null "$W/send-$pm.log" "$snc" "${DEV[@]}" --stats -v -l 5000
	wait_for 10 grep -q "Listening on" "$W/send-$pm.log" || die "synack-nc -l did not start: $(cat "$W/send-$pm.log")"
	if in_ns timeout 60 nc -N -d $S 5000 >"$W/got-send-$pm.bin"; then
		wait_exit "$SEND" 20
		[ "$EXIT_STATUS" = 0 ] || bad "$pm per mille: synack-nc exited $EXIT_STATUS"
	else
		bad "$pm per mille: Linux nc did not finish receiving within 60 s"
	fi
	same_file "$pm per mille each way, synack sends 16 MiB in $(elapsed), $(dropped) packets dropped" \
		"$W/data.bin" "$W/got-send-$pm.bin"
	st=$(grep 'stats' "$W/send-$pm.log")
	srtt=$(echo "$st" | tr ' ' '\n' | sed -n 's/^srtt_us=//p')
	if [ -n "$srtt" ] && [ "$srtt" -lt 20000 ]; then
		ok "$pm per mille: the sender's srtt $srtt us stays near the path's ($(echo "$st" | tr ' ' '\n' | grep -E '^(timeouts|total_retrans)=' | tr '\n' ' '))"
	else
		bad "$pm per mille: the sender's srtt is '$srtt' us on a 0.05 ms path ($st)"
	fi
	drop_rules $pm
	# synack receives: Linux nc sends the file, synack-nc writes what arrives.
	T0=$(date +%s.%N)
	bg_io RECV /dev/null "$W/got-recv-$pm.bin" "$W/recv-$pm.log" "$snc" "${DEV[@]}" -d -v -l 5001
	wait_for 10 grep -q "Listening on" "$W/recv-$pm.log" || die "synack-nc -l did not start: $(cat "$W/recv-$pm.log")"
	in_ns timeout 60 nc -N $S 5001 <"$W/data.bin" >/dev/null || bad "$pm per mille: Linux nc did not finish sending within 60 s"
	wait_exit "$RECV" 20
	[ "$EXIT_STATUS" = 0 ] || bad "$pm per mille: synack-nc (receiving) exited $EXIT_STATUS"
	same_file "$pm per mille each way, synack receives 16 MiB in $(elapsed), $(dropped) packets dropped" \
		"$W/data.bin" "$W/got-recv-$pm.bin"
done
finish
