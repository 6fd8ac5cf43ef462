#!/bin/bash
# synack-dump's command line and error paths: a one-line reason on stderr and a non-zero
# status for bad usage, a missing file, a file that is not a capture and an unsupported link.
#
# usage: dump_errors.sh SYNACK_DUMP WORKDIR
set -u

dump=$1
work=$2
mkdir -p "$work" || exit 1
fail=0

# expect ok|error PATTERN -- ARGS...: runs synack-dump, checks the status and stderr.
expect() {
	local want=$1 pattern=$2
	shift 3
	"$dump" "$@" >"$work/out" 2>"$work/err"
	local status=$?
	local lines
	lines=$(grep -vc '^reading from file' "$work/err")
	if { [ "$want" = ok ] && [ $status -ne 0 ]; } || { [ "$want" = error ] && [ $status -eq 0 ]; }; then
		echo "FAIL: synack-dump $*: exit status $status"
		fail=1
	fi
	if ! grep -q -- "$pattern" "$work/err"; then
		echo "FAIL: synack-dump $*: stderr does not match '$pattern':"
		cat "$work/err"
		fail=1
	fi
	# every error is one line (usage errors point to --help instead of printing the usage)
	if [ "$want" = error ] && [ "$lines" -ne 1 ]; then
		echo "FAIL: synack-dump $*: expected one line on stderr, got $lines"
		fail=1
	fi
}

expect error "^synack-dump: unknown option or missing argument: -q (see --help)" -- -q
expect error "^synack-dump: no input file (-r FILE; see --help)" --
expect error "^synack-dump: unknown option or missing argument: -r (see --help)" -- -r
expect error "^synack-dump: unexpected argument: extra (see --help)" -- -r "$work/x.pcap" extra
expect error "^synack-dump: unknown option or missing argument: --svg (see --help)" -- -r "$work/x.pcap" --svg
if ! "$dump" --help >"$work/out" 2>&1 || ! grep -q "usage: synack-dump -r FILE" "$work/out"; then
	echo "FAIL: --help"
	fail=1
fi

expect error "^synack-dump: $work/missing.pcap: " -- -r "$work/missing.pcap"

printf 'this is not a capture file at all, just text\n' >"$work/text.pcap"
expect error "^synack-dump: $work/text.pcap: " -- -r "$work/text.pcap"

: >"$work/empty.pcap"
expect error "^synack-dump: $work/empty.pcap: " -- -r "$work/empty.pcap"

# A pcap header with link type 105 (802.11), which synack-dump does not decode.
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x69\x00\x00\x00' \
	>"$work/wifi.pcap"
expect error "^synack-dump: $work/wifi.pcap: unsupported link type 105" -- -r "$work/wifi.pcap"

# A capture cut in the middle of a packet: the packets before it print, then the error.
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00\x40\x00\x00\x00abc' \
	>"$work/cut.pcap"
expect error "^synack-dump: $work/cut.pcap: " -- -r "$work/cut.pcap"

# An empty but valid capture prints nothing and succeeds, with tcpdump's banner.
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x65\x00\x00\x00' \
	>"$work/none.pcap"
expect ok "reading from file $work/none.pcap, link-type RAW (Raw IP), snapshot length 262144" \
	-- -r "$work/none.pcap"
if [ -s "$work/out" ]; then
	echo "FAIL: output for an empty capture"
	fail=1
fi

# A picture that cannot be written names its file.
expect error "^synack-dump: $work/no/dir/x.svg: No such file or directory" -- -r "$work/none.pcap" --svg "$work/no/dir/x.svg"

[ $fail -eq 0 ] && echo "synack-dump error handling as expected"
exit $fail
