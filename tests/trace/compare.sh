#!/bin/bash
# Differential test: synack-dump must print, byte for byte, what tcpdump prints for the same
# capture, with -n -S and each of no flag, -v, -X and -v -X, in UTC and two other time zones.
#
# usage: compare.sh SYNACK_DUMP WORKDIR (--gen GEN_CAPTURES GEN_ARGS... | FILE...)
# Exit status: 0 all equal, 1 a difference (the first differing lines are shown), 77 skipped.
set -u

dump=$1
work=$2
shift 2

tcpdump=$(command -v tcpdump || true)
for t in /usr/sbin/tcpdump /usr/bin/tcpdump; do
	[ -n "$tcpdump" ] || { [ -x "$t" ] && tcpdump=$t; }
done
if [ -z "$tcpdump" ]; then
	echo "SKIP: tcpdump is not installed"
	exit 77
fi

mkdir -p "$work" || exit 1
list="$work/files"
if [ "${1:-}" = "--gen" ]; then
	gen=$2
	shift 2
	rm -f "$work"/*.pcap "$work"/*.pcapng
	"$gen" "$work" "$@" >"$list" || { echo "FAIL: $gen $work $* did not run"; exit 1; }
else
	: >"$list"
	for f in "$@"; do
		echo "$f ?" >>"$list"
	done
fi

# Both programs see the same time zone: Asia/Kolkata (UTC+5:30) proves local time is used,
# America/New_York that daylight saving changes follow the date of each packet.
zones="UTC Asia/Kolkata America/New_York"
fail=0
compared=0
packets=0
while read -r file count; do
	[ "$count" != "?" ] || count=$("$tcpdump" -n -q -r "$file" 2>/dev/null | grep -c '^[0-9[]')
	packets=$((packets + count))
	for tz in $zones; do
		for flags in "" "-v" "-X" "-v -X"; do
			# $flags is split into words on purpose
			# shellcheck disable=SC2086
			TZ=$tz "$tcpdump" -n -S $flags -r "$file" >"$work/expected" 2>"$work/expected.err"
			# shellcheck disable=SC2086
			TZ=$tz "$dump" $flags -r "$file" >"$work/actual" 2>"$work/actual.err"
			status=$?
			compared=$((compared + 1))
			what="$(basename "$file") TZ=$tz flags='$flags'"
			if [ $status -ne 0 ]; then
				echo "FAIL: synack-dump exited with $status on $what:"
				head -5 "$work/actual.err"
				fail=$((fail + 1))
				continue
			fi
			# tcpdump's stderr starts with its "reading from file" line; so must ours.
			if ! cmp -s <(head -1 "$work/expected.err") <(head -1 "$work/actual.err"); then
				echo "FAIL: stderr banner differs for $what"
				echo "  tcpdump:     $(head -1 "$work/expected.err")"
				echo "  synack-dump: $(head -1 "$work/actual.err")"
				fail=$((fail + 1))
			fi
			if ! cmp -s "$work/expected" "$work/actual"; then
				fail=$((fail + 1))
				echo "FAIL: output differs for $what"
				# the first differing lines of the first few runs say enough
				[ $fail -le 3 ] && diff -u --label tcpdump --label synack-dump \
					"$work/expected" "$work/actual" | sed -n '3,40p'
			fi
		done
	done
done <"$list"

if [ "$compared" -eq 0 ]; then
	echo "FAIL: no capture was compared"
	exit 1
fi
echo "compared $compared runs over $(wc -l <"$list") captures ($packets packets), zones: $zones"
[ $fail -eq 0 ] || { echo "FAIL: $fail of $compared runs differ"; exit 1; }
exit 0
