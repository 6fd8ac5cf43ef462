#!/bin/sh
# Fails if a scenario listed by synack-sim is not run by name in a tests/tcp/test_*.c file,
# or if synack-sim mishandles its arguments.
sim=$1
dir=$2
status=0
names=$("$sim" --list | awk '{print $1}')
[ -n "$names" ] || { echo "synack-sim --list printed nothing"; exit 1; }
for n in $names; do
	if ! grep -q "sk_test_scenario(\"$n\")" "$dir"/test_*.c; then
		echo "scenario $n is not run by any test in $dir"
		status=1
	fi
done
# Bad input: a one-line reason and a non-zero status.
if "$sim" no-such-scenario >/dev/null 2>err.txt; then echo "unknown scenario accepted"; status=1; fi
[ "$(wc -l <err.txt)" -eq 1 ] || { echo "unknown scenario: expected one line on stderr"; cat err.txt; status=1; }
if "$sim" --seed x hs-1 >/dev/null 2>&1; then echo "bad --seed accepted"; status=1; fi
rm -f err.txt
# A scenario's verdict is the exit status, and -w writes a pcap tcpdump can read.
"$sim" -q hs-1 -w hs1.pcap >/dev/null || { echo "hs-1 failed"; status=1; }
if command -v tcpdump >/dev/null; then
	n=$(tcpdump -n -r hs1.pcap 2>/dev/null | wc -l)
	[ "$n" -ge 3 ] || { echo "hs-1 pcap: expected the handshake, got $n packets"; status=1; }
fi
rm -f hs1.pcap
exit $status
