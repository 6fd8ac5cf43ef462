#!/usr/bin/env bash
# Builds synack and runs every test: the normal build, the same tests under ASan+UBSan
# (clang), and each libFuzzer target for a bounded time on its seed corpus.
# Usage: scripts/test.sh            (FUZZ_SECONDS=N to change the per-target fuzz time)
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh || exit 1
jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-15}
passed=0
failed=0
step() { # name, command...
	local name=$1
	shift
	echo "=== $name"
	if "$@"; then
		passed=$((passed + 1))
	else
		echo "=== FAILED: $name" >&2
		failed=$((failed + 1))
	fi
}

build() { # dir, cmake args...
	local dir=$1
	shift
	cmake -S . -B "$dir" "$@" >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
	cmake --build "$dir" -j"$jobs" 2>&1 | grep -E 'error|warning|Error' ; return "${PIPESTATUS[0]}"
}

mkdir -p build-test
step "build (gcc, RelWithDebInfo)" build build-test/release -DCMAKE_BUILD_TYPE=RelWithDebInfo
step "ctest (gcc)" ctest --test-dir build-test/release --output-on-failure -j"$jobs"
step "build (clang, ASan+UBSan)" build build-test/asan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DSYNACK_SANITIZE=ON
step "ctest (ASan+UBSan)" env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --test-dir build-test/asan --output-on-failure -j"$jobs"

fuzz_all() {
	local rc=0 t name corpus
	for t in build-test/fuzz/fuzz/fuzz_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		corpus=build-test/fuzz-corpus/$name
		mkdir -p "$corpus"
		cp -r fuzz/corpus/"$name"/. "$corpus"/ 2>/dev/null
		if "$t" -max_total_time="$fuzz_seconds" -print_final_stats=1 "$corpus" >"$corpus.log" 2>&1; then
			echo "$name: $(grep -oE 'Done [0-9]+ runs' "$corpus.log") without a finding"
		else
			echo "$name: FINDING"; tail -30 "$corpus.log"; rc=1
		fi
	done
	return $rc
}
step "build (libFuzzer)" build build-test/fuzz -DCMAKE_C_COMPILER=clang -DSYNACK_FUZZ=ON -DSYNACK_SANITIZE=ON
step "fuzz (${fuzz_seconds}s per target)" fuzz_all

echo
echo "test.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
