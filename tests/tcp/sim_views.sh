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

# Pictures from the tool (the drawing itself is tests/trace's): hs-7's ladder has its six
# SYNs, all lost, the timer doubling from 1 s to 16 s between them and 32 s more before it
# gives up, and the client in
# SYN-SENT from 0 to 63 s; the page holds the trace and both pictures; a transfer's plot
# has its ACK, window, cwnd and ssthresh lines.
"$sim" -q hs-7 --svg "$tmp/l.svg" --plot "$tmp/p.svg" --html "$tmp/p.html" >"$tmp/q.txt" || fail "hs-7 pictures"
[ "$(grep -c '<line class="seg' "$tmp/l.svg")" -eq 6 ] || fail "hs-7 ladder: want 6 segments"
[ "$(grep -c '<line class="seg[^"]*lost' "$tmp/l.svg")" -eq 6 ] || fail "hs-7 ladder: want 6 lost"
[ "$(grep -o 'class="bracket-label"[^>]*>[^<]*' "$tmp/l.svg" | sed 's/.*>//' | tr '\n' ' ')" = "1 s 2 s 4 s 8 s 16 s 32 s " ] ||
	fail "hs-7 ladder: timer brackets $(grep -o 'class="bracket-label"[^>]*>[^<]*' "$tmp/l.svg" | sed 's/.*>//' | tr '\n' ' ')"
grep -q 'class="state"[^>]*sk:t0="0" sk:t1="63000000" sk:name="SYN-SENT"' "$tmp/l.svg" || fail "hs-7 ladder: SYN-SENT box"
[ "$(grep -c '<svg' "$tmp/p.html")" -ge 2 ] || fail "hs-7 page: want both pictures inline"
grep -q '00:01:03.000000 # client connect() = -1 ETIMEDOUT' "$tmp/p.html" || fail "hs-7 page: the trace"
[ "$(wc -l <"$tmp/q.txt")" -eq 1 ] || fail "-q with pictures printed more than the verdict"
"$sim" transfer --bytes 2M --loss 0.02 --plot "$tmp/t.svg" >/dev/null || fail "transfer --plot"
for c in ack window cwnd ssthresh; do
	grep -q "<polyline class=\"$c\"" "$tmp/t.svg" || fail "transfer plot: no $c line"
done

# The pictures docs/ shows are what the tools draw today.
repo=$(cd "$(dirname "$0")/../.." && pwd)
bash "$repo/scripts/pictures.sh" "$(dirname "$sim")" "$tmp/pictures" || fail "scripts/pictures.sh"
for f in "$repo"/docs/pictures/*.svg; do
	cmp -s "$f" "$tmp/pictures/$(basename "$f")" ||
		fail "docs/pictures/$(basename "$f") is not what synack-sim draws now (run scripts/pictures.sh)"
done

# Bad input: one line on stderr that says what, and status 2.
"$sim" --bogus hs-1 >/dev/null 2>"$tmp/err" && fail "unknown option accepted"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- '--bogus.*--help' "$tmp/err" || fail "unknown option: $(cat "$tmp/err")"
"$sim" -w "$tmp/no/such/dir/x.pcap" hs-1 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "$tmp/no/such/dir/x.pcap" "$tmp/err" || fail "unwritable -w: $(cat "$tmp/err")"
"$sim" transfer --bytes 1M --cc cubic >/dev/null 2>"$tmp/err" && fail "transfer --cc cubic accepted"
grep -q 'unexpected argument: cubic' "$tmp/err" || fail "transfer --cc cubic: $(cat "$tmp/err")"
"$sim" transfer --bytes 64K --algo newreno >/dev/null || fail "transfer --algo newreno"
exit $status
