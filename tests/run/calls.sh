#!/bin/bash
# The socket calls of tests/run/calls.c with Linux as the oracle: the same program runs on
# the kernel's TCP (program and tests/run/peer.py on the loopback of a namespace) and then
# under synack-run (the program on synack over a TUN, the peer on the kernel's side), and
# the two outputs must be the same, line for line. Every line names a call and prints its
# result or errno, or a check that holds on either stack; a line that differs is a call
# whose semantics synack-run does not give as Linux does.
#
# usage: calls.sh CALLS SYNACK_RUN
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no TUN, no python3).
NS_TAG=calls
. "$(dirname "$0")/../interop/lib.sh"

calls=$1
run=$2
peer=$(dirname "$0")/peer.py
need_root_and_tools python3 diff
setup_ns
peer_up() { in_ns timeout 2 bash -c "exec 3<>/dev/tcp/$1/7001" 2>/dev/null; }

bg PEER python3 "$peer" 127.0.0.1
wait_for 10 peer_up 127.0.0.1 || die "peer.py did not start"
in_ns timeout 120 "$calls" 127.0.0.1 >"$W/linux.out" 2>"$W/linux.err"
rc=$?
[ $rc = 0 ] && ok "calls on Linux: exit 0, $(wc -l <"$W/linux.out") lines" || bad "calls on Linux: exit $rc: $(cat "$W/linux.err")"
kill "$PEER"
wait_exit "$PEER" 5

bg PEER python3 "$peer" 0.0.0.0
wait_for 10 peer_up 127.0.0.1 || die "peer.py did not start"
in_ns timeout 120 "$run" --tun tun0 --addr 192.0.2.2/24 --host-addr 192.0.2.1/24 -- "$calls" 192.0.2.1 \
	>"$W/synack.out" 2>"$W/synack.err"
rc=$?
[ $rc = 0 ] && ok "calls under synack-run: exit 0, $(wc -l <"$W/synack.out") lines" ||
	bad "calls under synack-run: exit $rc: $(cat "$W/synack.err")"
if [ "$(wc -l <"$W/linux.out")" -lt 80 ]; then
	bad "the Linux run printed only $(wc -l <"$W/linux.out") lines"
elif diff -u "$W/linux.out" "$W/synack.out" >"$W/diff"; then
	ok "every call's result under synack-run is Linux's ($(wc -l <"$W/linux.out") lines)"
else
	bad "calls whose results differ from Linux's (- Linux, + synack-run):"
	grep '^[-+][^-+]' "$W/diff"
fi
[ "$FAILS" = 0 ] || exit 1
echo "PASS"
