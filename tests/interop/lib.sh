# Shared by the interop tests (sourced): a network namespace of the test's own with a synack
# tool inside it on a TUN or TAP device and Linux programs on the kernel's side of that
# device, readiness by polling, assertions that count failures, and tshark's verdict on
# every capture the tools write.
#
# The caller sets NS_TAG (a short word) before sourcing. Everything the test creates (the
# namespace, its processes, the work directory) goes away on exit, however it exits; set
# SYNACK_INTEROP_KEEP=1 to keep the work directory (captures, logs) for a look afterwards.
set -u

FAILS=0
T0=$(date +%s.%N)
EXTRA_NS=() # more namespaces a test made, deleted with its own

skip() {
	echo "SKIP: $*"
	exit 77
}

die() {
	echo "FAIL: $*"
	exit 1
}

ok() {
	echo "ok   [$(elapsed)] $*"
}

bad() {
	echo "FAIL [$(elapsed)] $*"
	FAILS=$((FAILS + 1))
}

# check DESCRIPTION COMMAND...: runs the command, ok if it succeeds.
check() {
	local what=$1
	shift
	if "$@"; then
		ok "$what"
	else
		bad "$what"
	fi
}

elapsed() {
	echo "$(date +%s.%N) $T0" | awk '{printf "%5.1fs", $1 - $2}'
}

need_root_and_tools() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TUN devices)"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	local t
	for t in ip timeout sha256sum tshark capinfos "$@"; do
		command -v "$t" >/dev/null || skip "$t is not installed"
	done
}

# The namespace, the work directory and the cleanup.
NS="synack-io-${NS_TAG:-t}-$$"
W=""
BG_PIDS=()

cleanup() {
	local status=$? pid f
	for pid in "${BG_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do
		# give a tool a moment to finish its capture, then make sure it is gone
		for _ in $(seq 1 30); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	for f in "${EXTRA_NS[@]}"; do
		ip netns del "$f" 2>/dev/null
	done
	if [ "$status" != 0 ] && [ "$status" != 77 ] && [ -n "$W" ]; then
		for f in "$W"/*.log; do
			[ -s "$f" ] || continue
			echo "---- last lines of $(basename "$f"):"
			tail -n 15 "$f"
		done
	fi
	if [ -n "$W" ] && [ -d "$W" ]; then
		if [ "${SYNACK_INTEROP_KEEP:-0}" = 1 ]; then
			echo "work directory kept: $W"
		else
			rm -rf "$W"
		fi
	fi
}

setup_ns() {
	trap cleanup EXIT
	trap 'exit 1' INT TERM
	ip netns add "$NS" 2>/dev/null || skip "ip netns add failed (no network namespaces here)"
	ip -n "$NS" link set lo up || die "lo up"
	# No IPv6: no router solicitations or MLD reports join the captures.
	ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
	W=$(mktemp -d "${TMPDIR:-/tmp}/synack-interop-${NS_TAG:-t}.XXXXXX") || die "mktemp"
	# synack-ss finds the tools of this test, and only those, through their control sockets.
	export SYNACK_RUN_DIR="$W/run"
	mkdir -p "$SYNACK_RUN_DIR"
}

# use_family 4|6: the addresses and names a test that runs over either family uses (the
# INTEROP_FAMILY environment variable chooses, 4 by default): S synack's address, L Linux's,
# P the prefix length, H S as a URL host, SILENT an on-link address nobody has, IPF
# tshark's IP protocol name and MF its more-fragments filter, SEG the payload of a full
# segment with timestamps (the MTU of 1500 less the IP and TCP headers and 12). For IPv6 it
# turns IPv6 on in the namespace, which setup_ns turned off.
use_family() {
	if [ "$1" = 6 ]; then
		S=2001:db8::2 L=2001:db8::1 P=64 H="[$S]" SILENT=2001:db8::77 IPF=ipv6
		MF="ipv6.fraghdr.more == 1" SEG=1428
		in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 ||
			die "IPv6 on in the namespace"
	else
		S=192.0.2.2 L=192.0.2.1 P=24 H=$S SILENT=192.0.2.77 IPF=ip MF="ip.flags.mf == 1" SEG=1448
	fi
	FAMILY=$1
}
# ss and synack-ss write an IPv6 address with its port in brackets: [A]:PORT.
hostport() {
	case $1 in *:*) echo "[$1]:$2" ;; *) echo "$1:$2" ;; esac
}

in_ns() {
	ip netns exec "$NS" "$@"
}

# bg VAR COMMAND...: starts COMMAND (with its redirections done by the caller's subshell)
# in the background inside the namespace and puts its pid in VAR. `ip netns exec` execs
# the command, so the pid is the program's own.
bg() {
	local var=$1
	shift
	(
		exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
		exec ip netns exec "$NS" "$@"
	) &
	local pid=$!
	BG_PIDS+=("$pid")
	printf -v "$var" '%s' "$pid"
}

# bg_io VAR IN OUT ERR COMMAND...: bg with standard input, output and error from/to these
# files, opened by the background process itself (so a FIFO's open blocks it, not us).
bg_io() {
	local var=$1 in=$2 out=$3 err=$4
	shift 4
	(
		# not the write ends of other FIFOs the caller holds: their readers must see EOF
		exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
		exec <"$in" >"$out" 2>"$err"
		exec ip netns exec "$NS" "$@"
	) &
	local pid=$!
	BG_PIDS+=("$pid")
	printf -v "$var" '%s' "$pid"
}

# wait_for SECONDS COMMAND...: polls until COMMAND succeeds; 1 if it never does.
wait_for() {
	local secs=$1
	shift
	local end=$(($(date +%s%N) / 1000000 + secs * 1000))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ $(($(date +%s%N) / 1000000)) -ge $end ] && return 1
		sleep 0.05
	done
}

# wait_exit PID SECONDS: waits for a background program and sets EXIT_STATUS to its exit
# status, or to "timeout" (and kills it) if it is still running after SECONDS. (Not in a
# command substitution: only this shell can wait for its children.)
EXIT_STATUS=
wait_exit() {
	local pid=$1 secs=$2
	local end=$(($(date +%s%N) / 1000000 + secs * 1000))
	while kill -0 "$pid" 2>/dev/null; do
		if [ $(($(date +%s%N) / 1000000)) -ge $end ]; then
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			forget "$pid"
			EXIT_STATUS=timeout
			return
		fi
		sleep 0.05
	done
	wait "$pid"
	EXIT_STATUS=$?
	forget "$pid"
}

# Once a child is reaped its pid may be reused: cleanup must not signal it any more.
forget() {
	local keep=() p
	for p in "${BG_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	BG_PIDS=("${keep[@]}")
}

# stop_tool PID NAME: SIGTERM, and the tool must exit 0 (it then has written its capture).
stop_tool() {
	local pid=$1 name=$2
	kill -TERM "$pid" 2>/dev/null
	wait_exit "$pid" 15
	if [ "$EXIT_STATUS" = 0 ]; then
		ok "$name stopped cleanly on SIGTERM"
	else
		bad "$name did not stop cleanly on SIGTERM (status $EXIT_STATUS)"
	fi
}

sha() {
	sha256sum "$1" | cut -d' ' -f1
}

# same_file DESCRIPTION EXPECTED ACTUAL
same_file() {
	if [ -f "$3" ] && [ "$(sha "$2")" = "$(sha "$3")" ]; then
		ok "$1 (sha256 $(sha "$3" | cut -c1-16)..., $(stat -c %s "$3") bytes)"
	else
		bad "$1: $3 differs from $2 ($( [ -f "$3" ] && stat -c %s "$3" || echo missing) vs $(stat -c %s "$2") bytes)"
	fi
}

# A capture passes when tshark reads it, finds packets in it, and flags none: no malformed
# packet, no expert error, no bad IPv4, TCP, UDP or ICMP checksum (checked, not trusted).
# One exception: Linux writes a TCP checksum that comes out 0 as 0xffff (skb_checksum_help
# turns 0 into CSUM_MANGLED_0 for TCP too, once in 65536 segments), which tshark calls bad
# (RFC 1624): that is excused in segments from the Linux address given, never in synack's.
# Only the stack's own protocols are dissected, every TCP and UDP payload is plain data: the
# payloads are random bytes, and a dissector that claims them by port or heuristics (HTTP
# on a segment that happens to start with CR LF, GSM over IP on port 5000) calls them
# malformed. ("--disable-protocol ALL" alone leaves gsm_ipa on in tshark 4.0, hence the
# Decode As of every port.) curl and sha256 judge the payloads.
# A second: an ICMP error Linux sends about one of synack's TSO super-segments quotes it as
# it was, its TCP checksum still the pseudo-header seed the device was to complete; the TCP
# checksum (and the expert error it raises) inside such a quote is excused, the ICMP
# checksum of the message itself never.
tshark_bad() {
	local src=ip.src
	case $1 in *:*) src=ipv6.src ;; esac
	local quote="((icmpv6.type < 128 || icmp.type == 3 || icmp.type == 11) && $src == $1)"
	echo "_ws.malformed || ip.checksum.status == \"Bad\" ||" \
		"((_ws.expert.severity == error ||" \
		"(tcp.checksum.status == \"Bad\" && !(tcp.checksum.ffff && $src == $1))) && !$quote) ||" \
		"udp.checksum.status == \"Bad\" || icmp.checksum.status == \"Bad\" ||" \
		"icmpv6.checksum.status == \"Bad\""
}
TSHARK_OPTS=(-n -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE
	-o tcp.desegment_tcp_streams:FALSE --disable-protocol ALL
	--enable-protocol frame,raw,eth,arp,ip,icmp,tcp,udp,data,ipv6,icmpv6
	-d tcp.port==1-65535,data -d udp.port==1-65535,data)
# check_pcap FILE LINUX_ADDR
check_pcap() {
	local f=$1
	if [ ! -s "$f" ]; then
		bad "capture $f is missing or empty"
		return
	fi
	local out n
	local linux=$2
	out=$(tshark -r "$f" "${TSHARK_OPTS[@]}" -Y "$(tshark_bad "$linux")" 2>&1)
	local st=$?
	n=$(capinfos -c -M "$f" 2>/dev/null | awk '/Number of packets/ {print $NF}')
	if [ $st -ne 0 ]; then
		bad "tshark could not read $(basename "$f"): $(echo "$out" | grep -v 'Running as user' | head -3)"
	elif echo "$out" | grep -v 'Running as user' | grep -q .; then
		bad "tshark flags packets in $(basename "$f"):"
		echo "$out" | grep -v 'Running as user' | head -20
		local first
		first=$(echo "$out" | grep -v 'Running as user' | awk 'NR == 1 {print $1}')
		echo "---- frame $first in detail (expert information):"
		tshark -r "$f" "${TSHARK_OPTS[@]}" -V -Y "frame.number == $first" 2>/dev/null |
			grep -iE 'expert|malformed|bad|error' | head -20
	else
		ok "tshark: $(basename "$f") has ${n:-?} packets, none malformed, no bad checksum, no expert error"
	fi
}

# ping_ok ADDR SIZE [PING_FLAGS...]: three echo requests of SIZE bytes of data from the
# namespace to ADDR, three replies of the same size.
ping_ok() {
	local addr=$1 size=$2 out st
	shift 2
	out=$(in_ns ping "$@" -n -c 3 -i 0.2 -W 2 -s "$size" "$addr" 2>&1)
	st=$?
	if [ $st = 0 ] && echo "$out" | grep -q '3 packets transmitted, 3 received' &&
		[ "$(echo "$out" | grep -c "^$((size + 8)) bytes from $addr")" = 3 ]; then
		ok "ping ${*:+$* }-s $size: 3 of 3 replies of $((size + 8)) bytes ($(echo "$out" | tail -1))"
	else
		bad "ping ${*:+$* }-s $size: status $st: $(echo "$out" | tail -3 | tr '\n' ' ')"
	fi
}

finish() {
	echo "time: $(elapsed)"
	if [ "$FAILS" -gt 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}
