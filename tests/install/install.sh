#!/usr/bin/env bash
# synack as a library, installed and consumed the ways C libraries are (issue 12):
#  - `cmake --install` of this build into a temporary prefix gives libsynack.a, libsynack.so
#    (soname libsynack.so.0, exporting only synack_ symbols), the public headers,
#    synack.pc and the CMake package;
#  - consumer.c, copied out of the source tree, builds against that prefix with pkg-config
#    (shared, and static with --static) and with find_package(synack) (synack::synack and
#    synack::synack_static), and every program runs and prints the version;
#  - a project that add_subdirectory()s the source tree builds the library and nothing else.
# Everything happens in a temporary folder outside the source tree, removed when all passed.
# Usage: install.sh BUILD_DIR SOURCE_DIR VERSION [CC]
set -euo pipefail
build=$1 src=$2 version=$3 cc=${4:-cc}
jobs=-j2
for p in pkg-config nm readelf cmake "$cc"; do
	command -v "$p" >/dev/null || { echo "skipped: $p not found"; exit 77; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/synack-install.XXXXXX")
fail() { echo "FAIL: $* (files left in $work)" >&2; exit 1; }
step() { echo "=== $* ($SECONDS s)"; }

prefix=$work/prefix
consumer=$work/consumer # outside the source tree
mkdir -p "$consumer"
cp "$src/tests/install/consumer.c" "$consumer/"

step "cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; fail "install"; }
libdir=
for d in "$prefix"/lib "$prefix"/lib64 "$prefix"/lib/*-linux-gnu; do
	[ -f "$d/pkgconfig/synack.pc" ] && libdir=$d && break
done
[ -n "$libdir" ] || fail "no synack.pc under $prefix"
for f in include/synack/synack.h include/synack/rt.h include/synack/version.h; do
	[ -f "$prefix/$f" ] || fail "$f not installed"
done
for h in "$src"/include/synack/*.h; do
	[ -f "$prefix/include/synack/$(basename "$h")" ] || fail "$(basename "$h") not installed"
done
for f in libsynack.a "libsynack.so.$version" cmake/synack/synackConfig.cmake \
	cmake/synack/synackConfigVersion.cmake cmake/synack/synackTargets.cmake; do
	[ -f "$libdir/$f" ] || fail "$libdir/$f not installed"
done
[ "$(readlink "$libdir/libsynack.so")" = libsynack.so.0 ] || fail "libsynack.so is not a link to libsynack.so.0"
[ "$(readlink "$libdir/libsynack.so.0")" = "libsynack.so.$version" ] || fail "libsynack.so.0 is not a link to libsynack.so.$version"

step "the shared library: soname, dependencies, exports"
dyn=$(readelf -d "$libdir/libsynack.so.$version")
grep -q 'Library soname: \[libsynack.so.0\]' <<<"$dyn" || fail "soname is not libsynack.so.0: $dyn"
if grep 'NEEDED' <<<"$dyn" | grep -vE '\[(libc|libm|libpthread)\.so\.[0-9]+\]'; then
	fail "libsynack.so needs more than libc, libm and pthreads"
fi
nm -D --defined-only "$libdir/libsynack.so.$version" | awk '{print $NF}' >"$work/exports"
grep -q '^synack_version$' "$work/exports" || fail "synack_version not exported"
if grep -v '^synack_' "$work/exports"; then
	fail "libsynack.so exports symbols outside the synack_ API (above)"
fi
echo "$(wc -l <"$work/exports") symbols exported, all synack_"
if nm "$libdir/libsynack.a" 2>/dev/null | grep -q ' U pcap_'; then
	fail "libsynack.a refers to libpcap"
fi

export PKG_CONFIG_PATH=$libdir/pkgconfig
step "pkg-config: $(pkg-config --modversion synack)"
[ "$(pkg-config --modversion synack)" = "$version" ] || fail "synack.pc says version $(pkg-config --modversion synack)"
pkg-config --static --libs synack | grep -q -- '-lm' || fail "pkg-config --static --libs lacks -lm"
check_run() { # program: runs it and checks what it prints
	local out
	out=$("$@") || fail "$1 exited $?"
	[ "$out" = "synack $version" ] || fail "$1 printed '$out', not 'synack $version'"
	echo "$1: $out"
}
# shellcheck disable=SC2046
"$cc" -o "$consumer/pc_shared" "$consumer/consumer.c" $(pkg-config --cflags --libs synack)
readelf -d "$consumer/pc_shared" | grep -q 'NEEDED.*\[libsynack.so.0\]' || fail "pc_shared does not use libsynack.so.0"
LD_LIBRARY_PATH=$libdir check_run "$consumer/pc_shared"
# shellcheck disable=SC2046
"$cc" -static -o "$consumer/pc_static" "$consumer/consumer.c" $(pkg-config --static --cflags --libs synack)
if readelf -d "$consumer/pc_static" 2>/dev/null | grep -q NEEDED; then
	fail "pc_static is not linked statically"
fi
check_run "$consumer/pc_static"

step "find_package(synack)"
cp -r "$src/tests/install/find_package" "$consumer/fp"
cp "$consumer/consumer.c" "$consumer/fp/"
cmake -S "$consumer/fp" -B "$consumer/fp/build" -DCMAKE_C_COMPILER="$cc" \
	-DCMAKE_PREFIX_PATH="$prefix" >"$work/fp.log" 2>&1 || { cat "$work/fp.log"; fail "configure"; }
cmake --build "$consumer/fp/build" $jobs >>"$work/fp.log" 2>&1 || { cat "$work/fp.log"; fail "build"; }
readelf -d "$consumer/fp/build/consumer" | grep -q 'NEEDED.*\[libsynack.so.0\]' || fail "find_package's synack::synack is not libsynack.so.0"
if readelf -d "$consumer/fp/build/consumer_static" | grep -q 'NEEDED.*libsynack'; then
	fail "synack::synack_static links libsynack.so"
fi
check_run "$consumer/fp/build/consumer" # the build tree's RPATH finds the prefix's library
check_run "$consumer/fp/build/consumer_static"

step "add_subdirectory of the source tree"
cp -r "$src/tests/install/subproject" "$consumer/sub"
cp "$consumer/consumer.c" "$consumer/sub/"
cmake -S "$consumer/sub" -B "$consumer/sub/build" -DCMAKE_C_COMPILER="$cc" \
	-DSYNACK_SOURCE_DIR="$src" >"$work/sub.log" 2>&1 || { cat "$work/sub.log"; fail "configure"; }
cmake --build "$consumer/sub/build" $jobs >>"$work/sub.log" 2>&1 || { cat "$work/sub.log"; fail "build"; }
check_run "$consumer/sub/build/consumer"
check_run "$consumer/sub/build/consumer_static"
# What was built: the two programs and the library, nothing else (no tools, tests, benchmarks).
built=$(cd "$consumer/sub/build" && find . -path '*/CMakeFiles' -prune -o -type f -perm -u+x -print | sort | tr '\n' ' ')
[ "$built" = "./consumer ./consumer_static ./synack/libsynack.so.$version " ] || fail "the subproject built more than the library: $built"
[ -f "$consumer/sub/build/synack/libsynack.a" ] || fail "the subproject did not build libsynack.a"
if grep -qE '^(PCAP|CMOCKA)_' "$consumer/sub/build/CMakeCache.txt"; then
	fail "the subproject looked for libpcap or cmocka"
fi

step "done"
rm -rf "$work"
