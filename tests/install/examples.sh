#!/usr/bin/env bash
# The examples (examples/) as a user meets them (issue 12 point 5): this build installed into
# a temporary prefix; every example copied out of the source tree and built against that
# prefix twice, with `cc ... $(pkg-config --cflags --libs synack)` and through
# examples/CMakeLists.txt (find_package, CMAKE_PREFIX_PATH); then each build of each example
# run against Linux, each in a network namespace of its own:
#  - echo_server (the runtime, a thread per connection): two nc clients at once, each
#    getting its 100 kB back byte for byte;
#  - sansio_tun (the sans-I/O core on a TUN the program opens itself, the kernel's side
#    configured here with ip): nc clients, at once and one sending a request, get the line;
#  - epoll_loop (a runtime without thread in the program's epoll loop): two nc clients get
#    their bytes back, and the program's own timerfd ticks in the same loop, its line
#    counting the bytes echoed;
#  - udp_service: datagrams from nc -u come back in upper case.
# Each prints its ready line, ends within a second of SIGTERM with status 0, and answers a
# bad argument with one line and a non-zero status. Every wait is bounded; namespaces and
# processes are removed on exit. Root only (namespaces, TUN): exit 77 otherwise.
# Usage: examples.sh BUILD_DIR SOURCE_DIR [CC]
set -uo pipefail
build=$1 src=$2 cc=${3:-cc}
examples=(echo_server sansio_tun epoll_loop udp_service)

skip() {
	echo "SKIP: $*"
	exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces and TUN devices"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
for p in pkg-config cmake ip nc timeout sha256sum head readelf "$cc"; do
	command -v "$p" >/dev/null || skip "$p not found (scripts/deps.sh)"
done
nc -h 2>&1 | grep -q -- "-N" || skip "nc is not netcat-openbsd (needs -N)"

work=$(mktemp -d "${TMPDIR:-/tmp}/synack-examples.XXXXXX")
namespaces=()
pids=()
cleanup() {
	local pid ns
	for pid in "${pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	for ns in "${namespaces[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
	echo "FAIL: $*" >&2
	for f in "$work"/run-*.out "$work"/run-*.err; do
		[ -s "$f" ] && { echo "--- $f" >&2; tail -20 "$f" >&2; }
	done
	echo "(files left in $work)" >&2
	exit 1
}
step() { echo "=== $* ($SECONDS s)"; }

# ---- install, copy out, build twice ----

prefix=$work/prefix
step "cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "install"; }
libdir=
for d in "$prefix"/lib "$prefix"/lib64 "$prefix"/lib/*-linux-gnu; do
	[ -f "$d/pkgconfig/synack.pc" ] && libdir=$d && break
done
[ -n "$libdir" ] || fail "no synack.pc under $prefix"
grep -Eq '^[^#]*add_subdirectory\(\s*examples' "$src/CMakeLists.txt" && fail "the main build adds examples/"

copy=$work/examples # outside the source tree, as a user's copy
mkdir -p "$copy"
for e in "${examples[@]}"; do
	cp "$src/examples/$e.c" "$copy/" || fail "examples/$e.c missing"
done
cp "$src/examples/CMakeLists.txt" "$src/examples/Makefile" "$copy/" || fail "examples/CMakeLists.txt or Makefile missing"

step "build with pkg-config"
export PKG_CONFIG_PATH=$libdir/pkgconfig
mkdir -p "$work/pc"
for e in "${examples[@]}"; do
	# shellcheck disable=SC2046
	"$cc" -O2 -Wall -Wextra -Werror -o "$work/pc/$e" "$copy/$e.c" $(pkg-config --cflags --libs synack) -pthread \
		2>"$work/pc/$e.log" || { cat "$work/pc/$e.log"; fail "$e does not build with pkg-config"; }
	readelf -d "$work/pc/$e" | grep -q 'NEEDED.*\[libsynack.so.0\]' || fail "$e does not use libsynack.so.0"
done
make -s -C "$copy" CC="$cc" >"$work/make.log" 2>&1 || { cat "$work/make.log"; fail "examples/Makefile"; }
for e in "${examples[@]}"; do
	[ -x "$copy/$e" ] || fail "examples/Makefile did not build $e"
done

step "build with find_package"
cmake -S "$copy" -B "$work/cmake" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix" \
	>"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "examples/CMakeLists.txt: configure"; }
cmake --build "$work/cmake" -j2 >>"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "examples/CMakeLists.txt: build"; }
for e in "${examples[@]}"; do
	[ -x "$work/cmake/$e" ] || fail "find_package build made no $e"
done

# ---- running them ----

export SYNACK_RUN_DIR=$work/run # the runtime's control sockets
mkdir -m 700 "$SYNACK_RUN_DIR"

nsn=0
new_ns() { # makes a namespace (lo up, no IPv6 chatter) and sets $ns
	nsn=$((nsn + 1))
	ns=synack-ex-$$-$nsn
	ip netns add "$ns" || skip "ip netns add failed (no network namespaces here)"
	namespaces+=("$ns")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
	ip netns exec "$ns" ip link set lo up || fail "lo up in $ns"
}
in_ns() { ip netns exec "$ns" "$@"; }

# Starts an example in $ns (output in $work/run-NAME.out/.err), sets $pid, waits (5 s at
# most) for its ready line.
start() { # name, program, args...
	local name=$1
	shift
	out=$work/run-$name.out err=$work/run-$name.err
	# ip netns exec, not in_ns, in the background: $! is then the example itself
	ip netns exec "$ns" "$@" >"$out" 2>"$err" &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 1 100); do
		grep -q ': ready' "$out" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || fail "$name exited before its ready line"
		sleep 0.05
	done
	fail "$name printed no ready line in 5 s"
}

# SIGTERM: gone within a second, status 0, nothing on stderr.
stop_check() { # name
	local t0 t1 st
	t0=$(date +%s%N)
	kill -TERM "$pid"
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	kill -0 "$pid" 2>/dev/null && fail "$1 still running 1 s after SIGTERM"
	t1=$(date +%s%N)
	wait "$pid"
	st=$?
	[ "$st" = 0 ] || fail "$1 exited with status $st after SIGTERM"
	[ -s "$err" ] && fail "$1 wrote to stderr: $(head -3 "$err")"
	echo "ok: $1 ended $(((t1 - t0) / 1000000)) ms after SIGTERM"
}

# A bad argument: one line on stderr, a non-zero status (run in $ns: should the program
# open a device all the same, it is no device of the machine's).
bad_arg() { # name, program, args...
	local name=$1 st
	shift
	in_ns "$@" >/dev/null 2>"$work/bad.err"
	st=$?
	[ "$st" != 0 ] || fail "$name $* succeeded"
	[ "$(wc -l <"$work/bad.err")" = 1 ] || fail "$name $*: not one line on stderr: $(cat "$work/bad.err")"
	echo "ok: $name ${*:2} -> status $st: $(cat "$work/bad.err")"
}

same_bytes() { # in, out, what
	[ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ] ||
		fail "$3: $(stat -c %s "$2") bytes back of $(stat -c %s "$1"), not the same"
}

run_echo_server() { # bin dir
	local b=$1/echo_server
	new_ns
	bad_arg echo_server "$b" --tun ske0 --addr 192.0.2.2/24 --port 70000
	bad_arg echo_server "$b" --tun ske0 --addr 192.0.2.2/24 --port 7 --bogus
	bad_arg echo_server "$b" --tun ske0 --port 7
	start echo_server "$b" --tun ske0 --addr 192.0.2.2/24 --host-addr 192.0.2.1/24 --port 7
	head -c 100000 /dev/urandom >"$work/in.a"
	head -c 100000 /dev/urandom >"$work/in.b"
	in_ns timeout 10 nc -N 192.0.2.2 7 <"$work/in.a" >"$work/out.a" &
	local c1=$!
	in_ns timeout 10 nc -N 192.0.2.2 7 <"$work/in.b" >"$work/out.b" &
	local c2=$!
	wait "$c1" || fail "echo_server: first nc failed"
	wait "$c2" || fail "echo_server: second nc failed"
	same_bytes "$work/in.a" "$work/out.a" "echo_server, first client"
	same_bytes "$work/in.b" "$work/out.b" "echo_server, second client"
	echo "ok: echo_server echoed 100000 bytes to each of two clients at once"
	stop_check echo_server
}

run_sansio_tun() {
	local b=$1/sansio_tun
	new_ns
	bad_arg sansio_tun "$b"
	bad_arg sansio_tun "$b" sks0 198.51.100.2 7000
	bad_arg sansio_tun "$b" sks0 198.51.100.2/24 0
	start sansio_tun "$b" sks0 198.51.100.2/24 7000
	# The program only opens the device: the kernel's side is ours to configure.
	in_ns ip addr add 198.51.100.1/24 dev sks0 || fail "ip addr add"
	in_ns ip link set sks0 up || fail "ip link set up"
	local i c want='^hello 198\.51\.100\.1:[0-9]+, this is synack$'
	local cs=()
	for i in 1 2 3; do
		in_ns timeout 10 nc -N 198.51.100.2 7000 </dev/null >"$work/line.$i" &
		cs+=($!)
	done
	printf 'GET / HTTP/1.0\r\n\r\n' | in_ns timeout 10 nc -N 198.51.100.2 7000 >"$work/line.4" ||
		fail "sansio_tun: nc with a request failed"
	for c in "${cs[@]}"; do
		wait "$c" || fail "sansio_tun: nc failed"
	done
	for i in 1 2 3 4; do
		grep -Eq "$want" "$work/line.$i" || fail "sansio_tun: client $i got '$(cat "$work/line.$i")'"
		[ "$(wc -l <"$work/line.$i")" = 1 ] || fail "sansio_tun: client $i got more than the line"
	done
	echo "ok: sansio_tun answered four clients: $(cat "$work/line.4")"
	out=$(in_ns timeout 10 nc -v -w 3 198.51.100.2 7001 </dev/null 2>&1)
	grep -q "Connection refused" <<<"$out" || fail "sansio_tun: a closed port: '$out'"
	stop_check sansio_tun
}

run_epoll_loop() {
	local b=$1/epoll_loop
	new_ns
	bad_arg epoll_loop "$b" --tun skp0 --addr 203.0.113.2/24 --port x
	bad_arg epoll_loop "$b" --tun skp0 --addr 203.0.113.2 --port 7
	start epoll_loop "$b" --tun skp0 --addr 203.0.113.2/24 --host-addr 203.0.113.1/24 --port 7
	head -c 200000 /dev/urandom >"$work/in.c"
	head -c 50000 /dev/urandom >"$work/in.d"
	in_ns timeout 10 nc -N 203.0.113.2 7 <"$work/in.c" >"$work/out.c" &
	local c1=$!
	in_ns timeout 10 nc -N 203.0.113.2 7 <"$work/in.d" >"$work/out.d" &
	local c2=$!
	wait "$c1" || fail "epoll_loop: first nc failed"
	wait "$c2" || fail "epoll_loop: second nc failed"
	same_bytes "$work/in.c" "$work/out.c" "epoll_loop, first client"
	same_bytes "$work/in.d" "$work/out.d" "epoll_loop, second client"
	echo "ok: epoll_loop echoed 200000 and 50000 bytes to two clients at once"
	# The kernel descriptor in the same loop: the timerfd's line, counting what was echoed.
	local tick=
	for _ in $(seq 1 50); do
		tick=$(grep -E '^epoll_loop: tick [0-9]+, 0 connections open, 250000 bytes echoed$' "$out" | tail -1)
		[ -n "$tick" ] && break
		sleep 0.05
	done
	[ -n "$tick" ] || fail "epoll_loop: no tick line after the echo: $(tail -2 "$out")"
	echo "ok: epoll_loop's timerfd fired in the same loop: $tick"
	stop_check epoll_loop
}

run_udp_service() {
	local b=$1/udp_service
	new_ns
	bad_arg udp_service "$b" --tun sku0 --addr 192.0.2.2/24
	bad_arg udp_service "$b" --tun sku0 --addr 192.0.2.2/24 --port 5000 extra
	start udp_service "$b" --tun sku0 --addr 192.0.2.2/24 --host-addr 192.0.2.1/24 --port 5000
	echo "hello synack" | in_ns timeout 5 nc -u -w 1 192.0.2.2 5000 >"$work/udp.1" &
	local c1=$!
	printf 'second datagram, from another port' | in_ns timeout 5 nc -u -w 1 192.0.2.2 5000 >"$work/udp.2" &
	local c2=$!
	wait "$c1"
	wait "$c2"
	[ "$(cat "$work/udp.1")" = "HELLO SYNACK" ] || fail "udp_service: got '$(cat "$work/udp.1")'"
	[ "$(cat "$work/udp.2")" = "SECOND DATAGRAM, FROM ANOTHER PORT" ] || fail "udp_service: got '$(cat "$work/udp.2")'"
	echo "ok: udp_service answered two clients in upper case"
	stop_check udp_service
}

for variant in pc cmake; do
	# The pkg-config builds find libsynack.so.0 through LD_LIBRARY_PATH, the CMake ones
	# through the RPATH CMake gives a build tree.
	if [ $variant = pc ]; then export LD_LIBRARY_PATH=$libdir; else unset LD_LIBRARY_PATH; fi
	for e in "${examples[@]}"; do
		step "$e ($variant build)"
		"run_$e" "$work/$variant"
	done
done

step "done"
rm -rf "$work"
echo "PASS"
