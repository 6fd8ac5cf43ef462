#!/usr/bin/env bash
# Linux, synack and lwIP against Linux over real devices, in one go, on this machine:
#   linux   Linux to Linux TCP over a veth pair between two network namespaces
#   synack  Linux to synack (bench/stack_synack.c) over a TUN at MTU 1500
#   lwip    Linux to lwIP (Debian's liblwip, bench/stack_lwip.c) over a TUN at MTU 1500
#   linux6  Linux to Linux over a veth pair, over IPv6
#   synack6 Linux to synack over a TUN, over IPv6 (offloads on, as the synack row)
#   synack2 the synack row with two shards (stack_synack --cores 2: a stack per CPU, each on
#           its own queue of a multi-queue TUN), allowed every CPU, the Linux client's too
#   sink, sinkplain  what the TUN itself allows, with offloads and without (bench/tunsink.c:
#           a receiver that only ACKs, a sender that only writes; recv and send only)
#   sink6   the sink row over IPv6: what the TUN allows over IPv6, the bound of synack6
# The Linux side is bench/kperf.c in every row. Each test runs REAL_SECONDS (default 5):
#   recv  bulk, Linux sends to the stack (the stack's receive), Gbit/s
#   send  bulk, the stack sends to Linux (the stack's send), Gbit/s
#   crr   connections per second: connect, 1 byte, end of stream, the server closes
#   rr    1-byte round trips per second over one connection
# with the CPU use (user+system seconds per second) of the stack's process, of the Linux
# client, of the whole machine and of other processes (a disturbance). Then the floors:
# synack recv >= 1.75x lwIP recv and synack send >= 1.25x lwIP send, and synack over IPv6 at
# least 0.9x synack over IPv4 in every test (issue 11), judged on the median of the rounds'
# ratios (each round's IPv6 figure over the same round's IPv4 one).
#
# Usage: bash bench/real.sh     (as root)
#   env: REAL_SECONDS per test (5), REAL_REPEAT rounds (3; figures are medians; the IPv6 floor wants several),
#        REAL_TRIES runs of a test disturbed by other processes (3; the least disturbed counts;
#        before another try it waits up to REAL_QUIET_WAIT (10) s for an idle second),
#        REAL_BUILD build directory (build-bench), REAL_NO_BUILD=1 to use it as it is,
#        REAL_ROWS and REAL_TESTS a part of the run (a floor without its figures fails)
# Exit: 0 all ran and the floors hold; 1 a floor failed or something went wrong;
#       77 cannot run here (not root, no /dev/net/tun, no ip(8), no network namespaces).
# Only addresses inside the namespaces it creates (192.0.2.0/24, 198.51.100.0/24,
# 2001:db8:5::/64, 2001:db8:6::/64); it
# removes them on exit. The stack (or server) runs on CPU 1 and the client on CPU 0.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${REAL_SECONDS:-5}
REPEAT=${REAL_REPEAT:-3}
TRIES=${REAL_TRIES:-3}
QUIET_WAIT=${REAL_QUIET_WAIT:-10}
HZ=$(getconf CLK_TCK)
BUILD=${REAL_BUILD:-build-bench}
PORT=5201

if ! command -v ip >/dev/null || ! command -v taskset >/dev/null; then
	echo "real.sh: skipped: needs ip(8) (iproute2) and taskset (util-linux)"
	exit 77
fi
. bench/netns.sh
need_netns real.sh

if [ -z "${REAL_NO_BUILD:-}" ]; then
	bash scripts/deps.sh
	cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$BUILD" -j"$(nproc)" --target kperf stack-synack stack-lwip tunsink >/dev/null
fi
BIN=$BUILD/bench
for p in kperf stack-synack stack-lwip tunsink; do
	if [ ! -x "$BIN/$p" ]; then
		echo "real.sh: $BIN/$p is missing (stack-lwip needs Debian's liblwip-dev)" >&2
		exit 1
	fi
done

# CPU placement: the stack (or Linux server) on one core, the client on another.
ncpu=$(nproc)
if [ "$ncpu" -ge 2 ]; then
	SRV_CPU=1 CLI_CPU=0
	PIN_NOTE="stack/server pinned to CPU $SRV_CPU, Linux client to CPU $CLI_CPU"
else
	SRV_CPU=0 CLI_CPU=0
	PIN_NOTE="one CPU only: stack and client share CPU 0"
fi

TAG="skr$$"
NS_A="$TAG-a" NS_B="$TAG-b" NS_S="$TAG-syn" NS_P="$TAG-plain" NS_L="$TAG-lwip"
NS_A6="$TAG-a6" NS_B6="$TAG-b6" NS_S6="$TAG-syn6" NS_K="$TAG-sink" NS_KP="$TAG-sinkp" NS_K6="$TAG-sink6"
NS_S2="$TAG-syn2"
LOG=$(mktemp -d /tmp/synack-real.XXXXXX)
# synack runs twice: with the TUN's checksum and TSO offloads (its default: the kernel hands
# over and takes segments of up to 64 KiB) and without ("plain": one packet per segment,
# what lwIP gets, since its raw API has no TSO).
ROWS=${REAL_ROWS:-linux linux6 sink sink6 synack synack2 synack6 sinkplain plain lwip}
TESTS=${REAL_TESTS:-recv send crr rr}
declare -A PID NS ADDR
ERRORS=0

cleanup() {
	local row
	for row in $ROWS; do
		if [ -n "${PID[$row]:-}" ]; then
			kill "${PID[$row]}" 2>/dev/null || true
			wait "${PID[$row]}" 2>/dev/null || true
		fi
	done
	for ns in "$NS_A" "$NS_B" "$NS_S" "$NS_P" "$NS_L" "$NS_A6" "$NS_B6" "$NS_S6" "$NS_K" "$NS_KP" "$NS_K6" "$NS_S2"; do
		ip netns del "$ns" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# A namespace with loopback up, no IPv6 (nothing but the test's packets on the TUN: off on
# the devices made later too), a wide ephemeral port range and no TIME-WAIT kept by the
# Linux client (the connect/close test opens more connections than one port range holds
# for 60 s; the same for every row): bench/netns.sh's mkns, and default.disable_ipv6.
mkns4() {
	mkns "$1"
	ip netns exec "$1" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
}

# The same with IPv6 on (for the IPv6 rows), and no duplicate address detection: the
# addresses are usable at once, and nothing but the test's packets and a few of neighbour
# discovery cross the link.
mkns6() {
	mkns4 "$1"
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# start_server ROW NS CMD...: runs CMD in NS on the server CPU (every CPU for synack2, whose
# shards take one each) and waits for its "ready".
start_server() {
	local row=$1 ns=$2 pid cpus=$SRV_CPU
	shift 2
	[[ " $ROWS " == *" $row "* ]] || return 0 # (not in REAL_ROWS: not started, nothing to stop)
	[ "$row" = synack2 ] && cpus=0-$((ncpu - 1))
	ip netns exec "$ns" taskset -c "$cpus" "$@" >"$LOG/$row.out" 2>"$LOG/$row.err" &
	pid=$!
	PID[$row]=$pid
	wait_ready "$LOG/$row.out" "$pid" && return 0
	echo "real.sh: the $row server did not start:" >&2
	cat "$LOG/$row.err" >&2
	PID[$row]=""
	ERRORS=$((ERRORS + 1))
	return 1
}

# Busy CPUs of the whole machine over one second (other processes disturb the figures).
busy_now() {
	local a b
	a=$(awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat)
	sleep 1
	b=$(awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat)
	awk -v a="$a" -v b="$b" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'
}

echo "== real devices: ${SECS} s per test, MTU 1500, $REPEAT round(s); $PIN_NOTE"
echo "   ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), kernel $(uname -r); logs in $LOG)"
BUSY=$(busy_now)
if awk -v b="$BUSY" 'BEGIN { exit !(b > 0.2) }'; then
	echo "   warning: $BUSY CPUs were busy before the run (other processes): the figures will be noisy"
fi

# Row linux: Linux to Linux over a veth pair, kperf server in NS_B, clients in NS_A.
mkns4 "$NS_A"
mkns4 "$NS_B"
veth_pair "$NS_A" "$TAG-va" "$NS_B" "$TAG-vb"
NS[linux]=$NS_A ADDR[linux]=198.51.100.2
start_server linux "$NS_B" "$BIN/kperf" server "$PORT" || true
# Rows synack and lwip: the stack behind a TUN it creates in its own namespace; the kernel
# side is 192.0.2.1, the stack 192.0.2.2, and the clients run in the same namespace.
NS[synack]=$NS_S NS[plain]=$NS_P NS[lwip]=$NS_L NS[sink]=$NS_K NS[sinkplain]=$NS_KP NS[synack2]=$NS_S2
for row in synack synack2 plain lwip sink sinkplain; do
	ADDR[$row]=192.0.2.2
	mkns4 "${NS[$row]}"
	case $row in
	plain) cmd=("$BIN/stack-synack" --offload 0) ;;
	synack2) cmd=("$BIN/stack-synack" --cores 2) ;;
	sink) cmd=("$BIN/tunsink") ;;
	sinkplain) cmd=("$BIN/tunsink" --offload 0) ;;
	*) cmd=("$BIN/stack-$row") ;;
	esac
	start_server $row "${NS[$row]}" "${cmd[@]}" --tun skbench0 --host 192.0.2.1 --addr 192.0.2.2 \
		--port "$PORT" --mtu 1500 || true
done
# The IPv6 rows: the same over IPv6 (the Linux server listens dual-stack at ::).
mkns6 "$NS_A6"
mkns6 "$NS_B6"
ip link add "$TAG-v6a" netns "$NS_A6" type veth peer name "$TAG-v6b" netns "$NS_B6"
ip -n "$NS_A6" addr add 2001:db8:5::1/64 dev "$TAG-v6a" nodad
ip -n "$NS_B6" addr add 2001:db8:5::2/64 dev "$TAG-v6b" nodad
ip -n "$NS_A6" link set "$TAG-v6a" up
ip -n "$NS_B6" link set "$TAG-v6b" up
NS[linux6]=$NS_A6 ADDR[linux6]=2001:db8:5::2
start_server linux6 "$NS_B6" "$BIN/kperf" server "$PORT" :: || true
mkns6 "$NS_S6"
NS[synack6]=$NS_S6 ADDR[synack6]=2001:db8:6::2
start_server synack6 "$NS_S6" "$BIN/stack-synack" --tun skbench6 --host 2001:db8:6::1 --addr 2001:db8:6::2 \
	--port "$PORT" --mtu 1500 || true
mkns6 "$NS_K6"
NS[sink6]=$NS_K6 ADDR[sink6]=2001:db8:6::2
start_server sink6 "$NS_K6" "$BIN/tunsink" --tun skbench6 --host 2001:db8:6::1 --addr 2001:db8:6::2 \
	--port "$PORT" --mtu 1500 || true

# CPU ticks used so far by every user-space process but this script (and so its finished
# children) and the servers: other work on the machine that disturbs a measurement. Dead
# children count through their parent's cutime/cstime; kernel threads (ppid 2) do not.
others_ticks() {
	local skip=" $$ ${PID[*]} "
	# (a process may end between the glob and the read: cat's failure is no error here)
	{ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v skip="$skip" '{
		pid = $1
		sub(/^.*\) /, "")
		if ($2 == 2 || pid == 2 || index(skip, " " pid " ")) next
		t += $12 + $13 + $14 + $15
	} END { print t + 0 }'
}

# Waits (up to REAL_QUIET_WAIT seconds) for a second in which the machine is nearly idle.
wait_quiet() {
	local i
	for i in $(seq "$QUIET_WAIT"); do
		awk -v b="$(busy_now)" 'BEGIN { exit !(b > 0.2) }' || return 0
	done
}

# run_test ROW TEST: one kperf client; appends "ROW TEST <kperf line> others=X" to
# $LOG/results. Run again (up to REAL_TRIES times) while other processes and the hypervisor
# (steal, as kperf reports it) took more than 0.25 CPU together during it; the least
# disturbed try counts. (Steal of 0.4-0.8 CPU once halved both crr rows of a run.)
run_test() {
	local row=$1 t=$2 mode out o0 o1 others steal dist best="" best_d="" best_o="" try
	case $t in
	recv) mode=send ;; # Linux sends: the stack receives
	send) mode=recv ;; # the stack sends
	*) mode=$t ;;
	esac
	for try in $(seq "$TRIES"); do
		o0=$(others_ticks)
		if ! out=$(timeout $((SECS + 60)) ip netns exec "${NS[$row]}" taskset -c "$CLI_CPU" \
			"$BIN/kperf" client "${ADDR[$row]}" "$PORT" --mode "$mode" --seconds "$SECS" \
			--peer-pid "${PID[$row]}" 2>>"$LOG/$row.client.err"); then
			echo "real.sh: $row $t failed:" >&2
			tail -3 "$LOG/$row.client.err" >&2 || true
			ERRORS=$((ERRORS + 1))
			break
		fi
		o1=$(others_ticks)
		others=$(awk -v a="$o0" -v b="$o1" -v hz="$HZ" -v s="$SECS" 'BEGIN { printf "%.3f", (b - a) / hz / s }')
		echo "$row $t try $try $out others=$others" >>"$LOG/tries"
		steal=$(echo "$out" | tr ' ' '\n' | sed -n 's/^steal=//p')
		dist=$(awk -v o="$others" -v s="${steal:-0}" 'BEGIN { printf "%.3f", o + s }')
		if [ -z "$best" ] || awk -v a="$dist" -v b="$best_d" 'BEGIN { exit !(a < b) }'; then
			best=$out best_o=$others best_d=$dist
		fi
		if ! kill -0 "${PID[$row]}" 2>/dev/null; then
			break
		fi
		awk -v d="$dist" 'BEGIN { exit !(d > 0.25) }' || break
		wait_quiet
	done
	[ -n "$best" ] && echo "$row $t $best others=$best_o" >>"$LOG/results"
	if ! kill -0 "${PID[$row]}" 2>/dev/null; then
		echo "real.sh: the $row server died:" >&2
		cat "$LOG/$row.err" >&2
		PID[$row]=""
		ERRORS=$((ERRORS + 1))
	fi
	sleep 0.2
}

# Interleaved: each test runs on all rows back to back, so that a disturbance hits the rows
# alike, in the opposite order every other round, so that no row always runs first after a
# pause; with several rounds, each figure is the median of its rounds.
: >"$LOG/results"
: >"$LOG/tries"
REVERSED=$(printf '%s\n' $ROWS | tac | tr '\n' ' ')
for round in $(seq "$REPEAT"); do
	order=$ROWS
	[ $((round % 2)) -eq 0 ] && order=$REVERSED
	for t in $TESTS; do
		for row in $order; do
			case $row.$t in sink*.crr | sink*.rr) continue ;; esac # (the sinks only move bulk)
			[ -n "${PID[$row]:-}" ] && run_test $row $t
		done
	done
done
for row in $ROWS; do
	if [ -n "${PID[$row]:-}" ]; then
		kill -TERM "${PID[$row]}" 2>/dev/null || true
		wait "${PID[$row]}" 2>/dev/null || true
		PID[$row]=""
	fi
done

# median ROW TEST FIELD: the median over the rounds of one field of the kperf lines.
median() {
	awk -v r="$1" -v t="$2" -v f="$3" '$1 == r && $2 == t {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) v[n++] = kv[2] } }
		END {
			if (!n) exit
			for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] + 0 < v[i] + 0) { x = v[i]; v[i] = v[j]; v[j] = x }
			print (n % 2) ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2
		}' "$LOG/results"
}
declare -A VAL CPU_S CPU_C CPU_M CPU_O
for row in $ROWS; do
	for t in $TESTS; do
		case $t in recv | send) f=gbps ;; *) f=ops_per_s ;; esac
		VAL[$row.$t]=$(median $row $t $f)
		CPU_S[$row.$t]=$(median $row $t cpu_peer)
		CPU_C[$row.$t]=$(median $row $t cpu_client)
		CPU_M[$row.$t]=$(median $row $t cpu_machine)
		CPU_O[$row.$t]=$(median $row $t others)
	done
done

# The table.
unit() { case $1 in recv | send) echo "Gbit/s" ;; crr) echo "conn/s" ;; rr) echo "rt/s" ;; esac; }
fmt() { # value test
	if [ -z "$1" ]; then
		echo "-"
	elif [ "$2" = recv ] || [ "$2" = send ]; then
		printf '%.2f' "$1"
	else
		printf '%.0f' "$1"
	fi
}
ratio() { # a b
	if [ -z "$1" ] || [ -z "$2" ]; then echo "-"; else awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; fi
}
echo
echo "test: recv = Linux sends to the stack, send = the stack sends to Linux, crr = connect/1 byte/close,"
echo "rr = 1-byte round trips. cpu = user+sys CPU seconds per second: of the stack's process (for"
echo "linux, the kperf server), of the Linux client, of the whole machine (all CPUs, irq included), and"
echo "of other processes (a disturbance: a test is run again, up to $TRIES times, while others plus"
echo "the hypervisor's steal > 0.25)."
echo
printf '%-7s %-5s %12s %-7s %8s %9s %10s %11s %7s\n' row test result unit "x linux" "stack cpu" "client cpu" \
	"machine cpu" others
# (an IPv6 row's "x linux" is against Linux over IPv6)
base_of() { case $1 in *6) echo linux6 ;; *) echo linux ;; esac; }
disturbed() { awk -v o="${CPU_O[$1]:-0}" 'BEGIN { exit !(o > 0.25) }'; }
DISTURBED=0
for row in $ROWS; do
	for t in $TESTS; do
		k=$row.$t
		if disturbed $k; then DISTURBED=1; fi
		printf '%-7s %-5s %12s %-7s %8s %9s %10s %11s %7s\n' $row $t "$(fmt "${VAL[$k]:-}" $t)" "$(unit $t)" \
			"$(ratio "${VAL[$k]:-}" "${VAL[$(base_of $row).$t]:-}")" "${CPU_S[$k]:--}" "${CPU_C[$k]:--}" "${CPU_M[$k]:--}" \
			"${CPU_O[$k]:--}$(disturbed $k && echo '*')"
	done
done

if [ "$DISTURBED" -ne 0 ]; then
	echo "* disturbed: other processes took more than 0.25 CPU in every try; that figure is unreliable"
fi

# The floors.
echo
FAIL=0
floor() { # test factor
	local t=$1 f=$2 s=${VAL[synack.$1]:-} l=${VAL[lwip.$1]:-}
	if [ -z "$s" ] || [ -z "$l" ]; then
		echo "floor: synack $t >= ${f}x lwIP $t: no figure: FAIL"
		FAIL=1
		return
	fi
	local r verdict
	r=$(ratio "$s" "$l")
	verdict=$(awk -v s="$s" -v l="$l" -v f="$f" 'BEGIN { print (s >= f * l) ? "PASS" : "FAIL" }')
	local note=""
	if disturbed synack.$t || disturbed lwip.$t; then note=" (disturbed figures)"; fi
	printf 'floor: synack %s >= %sx lwIP %s: %.2f vs %.2f Gbit/s = %sx: %s%s\n' "$t" "$f" "$t" "$s" "$l" "$r" "$verdict" "$note"
	[ "$verdict" = PASS ] || FAIL=1
}
floor recv 1.75
floor send 1.25
# IPv6: synack over IPv6 against synack over IPv4, every test (issue 11). The two rows run
# back to back in every round, so the comparison is paired: the ratio of each round's two
# figures, and the verdict on the median of those ratios (with one round, the plain ratio).
# A round's figures move together with the machine (crr rounds of one row spread by a third
# on this VM), which the ratio of two medians taken from different rounds does not cancel.
# paired_ratios TEST FIELD: each round's synack6/synack ratio, in round order.
paired_ratios() {
	awk -v t="$1" -v f="$2" '$2 == t && ($1 == "synack" || $1 == "synack6") {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) v[$1, n[$1]++] = kv[2] } }
		END {
			if (n["synack"] != n["synack6"]) exit
			for (i = 0; i < n["synack"]; i++) if (v["synack", i] > 0) printf "%.2f ", v["synack6", i] / v["synack", i]
		}' "$LOG/results"
}
for t in $TESTS; do
	s6=${VAL[synack6.$t]:-} s4=${VAL[synack.$t]:-}
	case $t in recv | send) f=gbps ;; *) f=ops_per_s ;; esac
	rs=$(paired_ratios $t $f)
	if [ -z "$s6" ] || [ -z "$s4" ] || [ -z "$rs" ]; then
		echo "floor: synack IPv6 $t >= 0.9x synack IPv4 $t: no paired figures: FAIL"
		FAIL=1
		continue
	fi
	mr=$(printf '%s\n' $rs | sort -g | awk '{ v[n++] = $1 } END { print (n % 2) ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2 }')
	verdict=$(awk -v r="$mr" 'BEGIN { print (r >= 0.9) ? "PASS" : "FAIL" }')
	note=""
	if disturbed synack6.$t || disturbed synack.$t; then note=" (disturbed figures)"; fi
	printf 'floor: synack IPv6 %s >= 0.9x synack IPv4 %s: medians %s vs %s %s (Linux IPv6 %s); per round %s-> median %.2fx: %s%s\n' \
		"$t" "$t" "$(fmt "$s6" $t)" "$(fmt "$s4" $t)" "$(unit $t)" "$(fmt "${VAL[linux6.$t]:-}" $t)" "$rs" "$mr" \
		"$verdict" "$note"
	[ "$verdict" = PASS ] || FAIL=1
done
# What the device allows (issue 15's targets, not yet floors here): synack's bulk figures as
# a fraction of the sink rows', with offloads and without.
for t in recv send; do
	for pair in "synack sink" "plain sinkplain"; do
		set -- $pair
		[ -n "${VAL[$1.$t]:-}" ] && [ -n "${VAL[$2.$t]:-}" ] &&
			printf 'device: %s %s %.2f of the %s row'"'"'s %.2f Gbit/s = %sx (issue 15 asks 0.9x)\n' "$1" "$t" \
				"${VAL[$1.$t]}" "$2" "${VAL[$2.$t]}" "$(ratio "${VAL[$1.$t]}" "${VAL[$2.$t]}")"
	done
	# what the device itself allows over IPv6 against IPv4: the bound of the IPv6 floor
	[ -n "${VAL[sink6.$t]:-}" ] && [ -n "${VAL[sink.$t]:-}" ] &&
		printf 'device: sink6 %s %.2f of the sink row'"'"'s %.2f Gbit/s = %sx (the TUN over IPv6 against IPv4)\n' "$t" \
			"${VAL[sink6.$t]}" "${VAL[sink.$t]}" "$(ratio "${VAL[sink6.$t]}" "${VAL[sink.$t]}")"
done
# Shards (issue 15): synack's figures per CPU second of its process with two shards against
# one; the issue asks them within 10% (0.9x or more) for recv, send and crr.
for t in $TESTS; do
	a=${VAL[synack2.$t]:-} b=${VAL[synack.$t]:-} ca=${CPU_S[synack2.$t]:-} cb=${CPU_S[synack.$t]:-}
	[ -n "$a" ] && [ -n "$b" ] && [ -n "$ca" ] && [ -n "$cb" ] &&
		awk -v t="$t" -v a="$a" -v b="$b" -v ca="$ca" -v cb="$cb" -v u="$(unit "$t")" 'BEGIN {
			pa = ca > 0 ? a / ca : 0; pb = cb > 0 ? b / cb : 0
			printf "shards: synack2 %s %.2f %s on %.2f CPU, synack %.2f on %.2f: per CPU second %.2f vs %.2f = %.2fx (issue 15 asks 0.9x for recv, send, crr)\n",
				t, a, u, ca, b, cb, pa, pb, (pb > 0 ? pa / pb : 0) }'
done
# Without offloads, for the record (no floor): the same stacks on equal terms.
for t in recv send; do
	[ -n "${VAL[plain.$t]:-}" ] && [ -n "${VAL[lwip.$t]:-}" ] &&
		printf 'without offloads: synack %s %.2f vs lwIP %.2f Gbit/s = %sx\n' "$t" "${VAL[plain.$t]}" \
			"${VAL[lwip.$t]}" "$(ratio "${VAL[plain.$t]}" "${VAL[lwip.$t]}")"
done
echo
for row in synack synack2 plain lwip synack6 sink sinkplain sink6; do
	[ -s "$LOG/$row.err" ] && sed 's/^/  /' "$LOG/$row.err"
done
if [ "$ERRORS" -ne 0 ]; then
	echo "real.sh: $ERRORS error(s); see $LOG" >&2
	exit 1
fi
if [ "$FAIL" -ne 0 ]; then
	exit 1
fi
exit 0
