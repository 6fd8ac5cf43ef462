#!/bin/sh
# synack-sim's views for learners (TRC-7): --cc lines, the --csv time series, and one-line
# errors for bad options and files.
sim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

# cc-1: after the retransmission timeout cwnd is one segment and ssthresh half the flight
# (RFC 5681 3.1, equation 4), on the line right after the RTO retransmission, at its time.
"$sim" cc-1 --cc >"$tmp/cc1.txt" || fail "cc-1 failed"
rto=$(grep -m1 '  # RTO retransmission$' "$tmp/cc1.txt")
line=$(grep -A1 -m1 '  # RTO retransmission$' "$tmp/cc1.txt" | tail -1)
case $line in *": cwnd "*) ;; *) fail "cc-1: no cwnd line after the RTO retransmission: $line" ;; esac
[ "${rto%% *}" = "${line%% *}" ] || fail "cc-1: the cwnd line is not at the retransmission's time"
echo "$line" | awk '{ for (i = 1; i < NF; i++) { if ($i == "ssthresh") s = $(i + 1); if ($i == "flight") f = $(i + 1) } }
	END { exit !(index($0, "(1.0 MSS)") && s == int(f / 2)) }' ||
	fail "cc-1: after the RTO want cwnd 1 MSS and ssthresh = flight / 2: $line"
n=$(grep -c ': cwnd ' "$tmp/cc1.txt")
[ "$n" -ge 5 ] || fail "cc-1: $n cwnd lines"
"$sim" cc-1 >"$tmp/plain.txt"
grep -q ': cwnd ' "$tmp/plain.txt" && fail "cwnd lines without --cc"

# transfer --csv: a header, 11 fields a row, time never going back, and the sender's
# snd_nxt reaches every byte plus the SYN and the FIN (the series ends when the receiver
# has read it all, before the last ACKs are back).
"$sim" transfer --bytes 1M --loss 0.02 --csv "$tmp/t.csv" >/dev/null || fail "transfer failed"
head -1 "$tmp/t.csv" | grep -qx 'time_s,host,connection,cwnd,ssthresh,in_flight,srtt_us,rto_us,snd_una,snd_nxt,peer_window' ||
	fail "csv header: $(head -1 "$tmp/t.csv")"
awk -F, 'NR > 1 { if (NF != 11) { print "row " NR ": " NF " fields"; bad = 1 } if ($1 + 0 < t) { print "row " NR ": time goes back"; bad = 1 } t = $1 + 0
	if ($2 == "client" && $10 + 0 > nxt) nxt = $10 + 0; rows++ }
	END { if (rows < 20) { print rows " rows"; bad = 1 } if (nxt != 1048578) { print "client snd_nxt ends at " nxt; bad = 1 } exit bad }' "$tmp/t.csv" ||
	fail "csv content"

# Bad input: one line on stderr that says what, and status 2.
"$sim" --bogus hs-1 >/dev/null 2>"$tmp/err" && fail "unknown option accepted"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- '--bogus.*--help' "$tmp/err" || fail "unknown option: $(cat "$tmp/err")"
"$sim" -w "$tmp/no/such/dir/x.pcap" hs-1 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "$tmp/no/such/dir/x.pcap" "$tmp/err" || fail "unwritable -w: $(cat "$tmp/err")"
"$sim" transfer --bytes 1M --cc cubic >/dev/null 2>"$tmp/err" && fail "transfer --cc cubic accepted"
grep -q 'unexpected argument: cubic' "$tmp/err" || fail "transfer --cc cubic: $(cat "$tmp/err")"
"$sim" transfer --bytes 64K --algo newreno >/dev/null || fail "transfer --algo newreno"
exit $status
