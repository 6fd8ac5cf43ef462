#!/bin/bash
# synack-sim -w writes pcapng whose packet comments mark what the simulated network did to
# a frame: tcpdump reads the file and prints the sim's packet lines, tshark shows the
# comments on exactly the frames the sim's trace says were lost, and synack-dump prints them
# after their packets as "# " lines.
#
# usage: sim_comments.sh SYNACK_SIM SYNACK_DUMP WORKDIR
# Exit status: 0 as expected, 1 a difference (shown), 77 tcpdump or tshark missing.
set -u

sim=$1
dump=$2
work=$3

for tool in tcpdump tshark; do
	command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
mkdir -p "$work" || exit 1
rm -f "$work"/*
fail=0
bad() {
	echo "FAIL: $*"
	fail=1
}

# The name of the packet comment field: frame.comment since Wireshark 3.6, pkt_comment before.
field=$(tshark -G fields 2>/dev/null |
	awk -F'\t' '$1 == "F" && ($3 == "frame.comment" || $3 == "pkt_comment") { print $3 }' | sort | head -1)
[ -n "$field" ] || { echo "SKIP: this tshark has no packet comment field"; exit 77; }

# A packet line: a time stamp and no "#" after it (the sim stamps its "#" lines too).
packet_re='^[0-9][0-9]:[0-9][0-9]:[0-9][0-9][.][0-9][0-9][0-9][0-9][0-9][0-9] [^#]'

# From a trace of the sim: its packet lines (a label the sim appends, "  # ...", removed).
trace_packets() {
	grep -E "$packet_re" "$1" | sed 's/  # .*$//'
}

# From a trace: "N<TAB>lost: REASON" for every "#   (lost: REASON)" line, N the number of the
# packet (from 1, as tshark numbers frames) it follows.
trace_losses() {
	awk -v re="$packet_re" '$0 ~ re { n++ } /^#   \(lost: .*\)$/ { s = $0; sub(/^#   \(/, "", s); sub(/\)$/, "", s); print n "\t" s }' "$1"
}

# "N<TAB>COMMENT" for every comment tshark shows, in frame order (into $2; status of tshark).
tshark_comments() {
	tshark -r "$1" -T fields -E aggregator='|' -e frame.number -e "$field" >"$2.raw" 2>"$2.err" ||
		return 1
	awk -F'\t' '$2 != "" { k = split($2, c, "|"); for (i = 1; i <= k; i++) print $1 "\t" c[i] }' \
		"$2.raw" >"$2"
}

# "N<TAB>COMMENT" for every "# COMMENT" line synack-dump printed after packet N.
dump_comments() {
	awk -v re="$packet_re" '$0 ~ re { n++; next } /^# / { print n "\t" substr($0, 3); next } { print "unexpected line: " $0 }' "$1"
}

# check NAME FILE TRACE: the checks every capture passes.
check() {
	local name=$1 f=$2 trace=$3
	TZ=UTC tcpdump -n -S -r "$f" >"$work/$name.tcpdump" 2>"$work/$name.tcpdump.err" ||
		bad "$name: tcpdump -r: $(cat "$work/$name.tcpdump.err")"
	grep -q 'link-type RAW' "$work/$name.tcpdump.err" || bad "$name: not LINKTYPE_RAW: $(cat "$work/$name.tcpdump.err")"
	trace_packets "$trace" >"$work/$name.packets"
	[ -s "$work/$name.packets" ] || bad "$name: no packets in the trace"
	diff -u "$work/$name.packets" "$work/$name.tcpdump" >"$work/$name.diff" ||
		{ bad "$name: tcpdump's packet lines differ from the trace's"; head -20 "$work/$name.diff"; }
	capinfos -t "$f" 2>/dev/null | grep -q 'pcapng' || bad "$name: capinfos does not call it pcapng"

	tshark_comments "$f" "$work/$name.tshark" || bad "$name: tshark -r: $(head -3 "$work/$name.tshark.err")"
	TZ=UTC "$dump" -r "$f" >"$work/$name.dump" 2>"$work/$name.dump.err" ||
		bad "$name: synack-dump -r: $(cat "$work/$name.dump.err")"
	grep -E "$packet_re" "$work/$name.dump" >"$work/$name.dump.packets"
	cmp -s "$work/$name.dump.packets" "$work/$name.tcpdump" ||
		bad "$name: synack-dump's packet lines differ from tcpdump's"
	dump_comments "$work/$name.dump" >"$work/$name.dump.comments"
	diff -u "$work/$name.tshark" "$work/$name.dump.comments" >"$work/$name.diff" ||
		{ bad "$name: synack-dump's comments differ from tshark's"; head -20 "$work/$name.diff"; }

	# the lost frames, as the trace says and as the comments say
	trace_losses "$trace" >"$work/$name.losses"
	grep -P '\tlost: ' "$work/$name.tshark" | sed 's/ (to [^)]*)$//' >"$work/$name.tshark.losses"
	diff -u "$work/$name.losses" "$work/$name.tshark.losses" >"$work/$name.diff" ||
		{ bad "$name: the lost frames differ between the trace and the comments"; head -20 "$work/$name.diff"; }
	echo "$name: $(wc -l <"$work/$name.packets") packets, $(wc -l <"$work/$name.losses") lost, $(wc -l <"$work/$name.tshark") comments"
}

# 1. hs-7: every SYN is lost by a rule; the comments are exactly those losses, and
#    synack-dump prints what the trace prints, "#   (lost: rule)" as "# lost: rule".
TZ=UTC "$sim" hs-7 -w "$work/hs7.pcapng" >"$work/hs7.trace" 2>"$work/hs7.err" ||
	bad "synack-sim hs-7: exit $?: $(cat "$work/hs7.err")"
lost=$(grep -c '^#   (lost: ' "$work/hs7.trace")
[ "$lost" -ge 5 ] || bad "hs-7: expected the SYNs lost in the trace, found $lost"
check hs7 "$work/hs7.pcapng" "$work/hs7.trace"
[ "$(wc -l <"$work/hs7.tshark")" -eq "$lost" ] || bad "hs-7: $(wc -l <"$work/hs7.tshark") comments for $lost losses"
[ "$(grep -c '^# lost: rule$' "$work/hs7.dump")" -eq "$lost" ] || bad "hs-7: synack-dump's '# lost: rule' lines are not $lost"
awk -v re="$packet_re" '$0 ~ re { sub(/  # .*$/, ""); print; next } /^#   \(lost: .*\)$/ { s = $0; sub(/^#   \(/, "# ", s); sub(/\)$/, "", s); print s }' \
	"$work/hs7.trace" >"$work/hs7.expected"
diff -u "$work/hs7.expected" "$work/hs7.dump" >"$work/hs7.diff" ||
	{ bad "hs-7: synack-dump differs from the trace"; head -20 "$work/hs7.diff"; }
# every lost frame is a SYN
awk -F'\t' '{ print $1 }' "$work/hs7.tshark" | while read -r n; do
	sed -n "${n}p" "$work/hs7.tcpdump" | grep -q 'Flags \[S\]' || echo "frame $n"
done >"$work/hs7.notsyn"
[ -s "$work/hs7.notsyn" ] && bad "hs-7: comments on frames that are not SYNs: $(cat "$work/hs7.notsyn")"

# 2. A transfer through random loss, duplication, corruption and reordering: the lost
#    frames match the trace; duplicates and corruption are marked too, and each corrupted
#    comment names a bit inside its frame, consistently (byte = bit / 8, mask = 1 << bit % 8).
"$sim" transfer --bytes 200K --loss 0.03 --dup 0.03 --corrupt 0.02 --reorder 0.02 --seed 5 \
	-w "$work/xfer.pcapng" --trace >"$work/xfer.trace" 2>"$work/xfer.err" ||
	bad "synack-sim transfer: exit $?: $(cat "$work/xfer.err")"
grep -q '^OK: every byte delivered intact' "$work/xfer.trace" || bad "transfer did not complete"
check xfer "$work/xfer.pcapng" "$work/xfer.trace"
[ "$(grep -c '	lost: ' "$work/xfer.tshark")" -gt 0 ] || bad "transfer: no lost frame marked"
[ "$(grep -c '	duplicate' "$work/xfer.tshark")" -gt 0 ] || bad "transfer: no duplicate marked"
ncorrupt=$(grep -c 'corrupted: ' "$work/xfer.tshark")
[ "$ncorrupt" -gt 0 ] || bad "transfer: no corruption marked"
tshark -r "$work/xfer.pcapng" -T fields -e frame.number -e frame.len 2>/dev/null >"$work/xfer.lens"
awk -F'\t' 'NR == FNR { len[$1] = $2; next }
	/corrupted: / {
		if (!match($2, /corrupted: bit [0-9]+ flipped \(byte [0-9]+ \^ 0x[0-9a-f][0-9a-f]\)$/)) {
			print "malformed: " $0
			next
		}
		s = substr($2, RSTART)
		match(s, /bit [0-9]+ /); bit = substr(s, RSTART + 4, RLENGTH - 5) + 0
		match(s, /byte [0-9]+ /); byte = substr(s, RSTART + 5, RLENGTH - 6) + 0
		match(s, /0x[0-9a-f][0-9a-f]/); mask = substr(s, RSTART, RLENGTH)
		if (byte != int(bit / 8) || mask != sprintf("0x%02x", 2 ^ (bit % 8)) || byte >= len[$1])
			print "inconsistent: " $0 " (frame length " len[$1] ")"
	}' "$work/xfer.lens" "$work/xfer.tshark" >"$work/xfer.badbits"
[ -s "$work/xfer.badbits" ] && { bad "transfer: corrupted comments"; head -5 "$work/xfer.badbits"; }

# 3. Classic pcap (synack-nc, the pcap device) has no comments: synack-dump prints exactly
#    what tcpdump prints. A classic copy of the transfer's capture, made by editcap if present.
if command -v editcap >/dev/null 2>&1; then
	editcap -F pcap "$work/xfer.pcapng" "$work/xfer.pcap" 2>/dev/null || bad "editcap -F pcap failed"
	TZ=UTC "$dump" -r "$work/xfer.pcap" >"$work/classic.dump" 2>/dev/null || bad "synack-dump -r xfer.pcap"
	cmp -s "$work/classic.dump" "$work/xfer.tcpdump" || bad "synack-dump on classic pcap differs from tcpdump"
fi

# 4. Damage and odd comments, on copies of hs-7's capture.
hs7=$work/hs7.pcapng
# poke FILE OFFSET PRINTF-BYTES: overwrites bytes in place
poke() {
	# shellcheck disable=SC2059
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
comment_at() { # the offset of the Nth "lost: rule" in FILE
	grep -obUa 'lost: rule' "$1" | sed -n "${2}p" | cut -d: -f1
}
# a) Cut inside the last block: both stop there with an error; the packets before keep
#    their comments.
size=$(stat -c %s "$hs7")
head -c $((size - 20)) "$hs7" >"$work/cut.pcapng"
TZ=UTC tcpdump -n -S -r "$work/cut.pcapng" >"$work/cut.tcpdump" 2>/dev/null
TZ=UTC "$dump" -r "$work/cut.pcapng" >"$work/cut.dump" 2>"$work/cut.err" && bad "cut: synack-dump exit 0"
[ "$(grep -vc '^reading from file' "$work/cut.err")" -eq 1 ] || bad "cut: want one line of error: $(cat "$work/cut.err")"
grep -E "$packet_re" "$work/cut.dump" | cmp -s - "$work/cut.tcpdump" || bad "cut: packets differ from tcpdump's"
n=$(wc -l <"$work/cut.tcpdump")
[ "$n" -eq 5 ] && [ "$(grep -c '^# lost: rule$' "$work/cut.dump")" -eq 5 ] ||
	bad "cut: want 5 packets with their comments: $(cat "$work/cut.dump")"
# b) The 3rd packet's comment option claims more bytes than its block has: libpcap does not
#    read options and prints every packet; the comments stop at that packet.
cp "$hs7" "$work/badopt.pcapng"
poke "$work/badopt.pcapng" $(($(comment_at "$hs7" 3) - 2)) '\x40'
TZ=UTC "$dump" -r "$work/badopt.pcapng" >"$work/badopt.dump" 2>"$work/badopt.err" ||
	bad "badopt: synack-dump: $(cat "$work/badopt.err")"
grep -E "$packet_re" "$work/badopt.dump" | cmp -s - "$work/hs7.tcpdump" || bad "badopt: packets differ"
dump_comments "$work/badopt.dump" >"$work/badopt.comments"
printf '1\tlost: rule\n2\tlost: rule\n' | cmp -s - "$work/badopt.comments" ||
	bad "badopt: want comments on packets 1 and 2 only: $(cat "$work/badopt.comments")"
# c) A comment with line breaks (CRLF and LF), an escape character and a tab: a "# " line
#    per line, the escape as \x1b.
cp "$hs7" "$work/lines.pcapng"
poke "$work/lines.pcapng" "$(comment_at "$hs7" 1)" 'x\r\ny\033z\tw\n\n'
TZ=UTC "$dump" -r "$work/lines.pcapng" 2>/dev/null | sed -n 2,4p >"$work/lines.dump"
printf '# x\n# y\\x1bz\tw\n#\n' | cmp -s - "$work/lines.dump" ||
	bad "lines: $(cat -A "$work/lines.dump")"

[ $fail -eq 0 ] && echo "pcapng comments as expected"
exit $fail
