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
tests_passed=0
tests_failed=0
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

# Runs ctest and adds its counts ("N% tests passed, F tests failed out of T") to the totals.
run_ctest() { # build dir, env...
	local dir=$1 log
	shift
	log=$(mktemp)
	env "$@" ctest --test-dir "$dir" --output-on-failure -j"$jobs" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line total bad
	line=$(grep -E 'tests failed out of [0-9]+' "$log" | tail -1)
	total=$(echo "$line" | sed -E 's/.* out of ([0-9]+).*/\1/')
	bad=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed.*/\1/')
	if [ -n "$total" ] && [ -n "$bad" ]; then
		tests_passed=$((tests_passed + total - bad))
		tests_failed=$((tests_failed + bad))
	else
		tests_failed=$((tests_failed + 1))
	fi
	rm -f "$log"
	return "$rc"
}

mkdir -p build-test
step "build (gcc, RelWithDebInfo)" build build-test/release -DCMAKE_BUILD_TYPE=RelWithDebInfo
step "ctest (gcc)" run_ctest build-test/release
step "build (clang, ASan+UBSan)" build build-test/asan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DSYNACK_SANITIZE=ON
# The sanitizer build runs the same tests with small transfers (it is about five times slower).
step "ctest (ASan+UBSan)" run_ctest build-test/asan ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	SYNACK_TRANSFER_MIB=8

# The conformance corpus against the Linux kernel (tests/conformance, docs/conformance.md):
# each script, unchanged, in a network namespace of its own; root only. A script listed in
# DIFFERENCES must fail on Linux; any other failure fails the step. Slow scripts are left out.
kernel_conformance() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "skipped: the kernel run needs root (network namespaces, TUN)"
		return 0
	fi
	local log rc line total ok diff
	log=$(mktemp)
	mapfile -t scripts < <(find tests/conformance -name '*.pkt' | sort)
	timeout 600 build-test/release/synack-sim run --kernel --skip-slow \
		--differences tests/conformance/DIFFERENCES "${scripts[@]}" 2>&1 | tee "$log" | grep -vE '^(PASS|DIFF) '
	rc=${PIPESTATUS[0]}
	line=$(grep -E 'scripts against Linux' "$log" | tail -1)
	echo "$line"
	total=$(echo "$line" | sed -nE 's/^([0-9]+) scripts.*/\1/p')
	ok=$(echo "$line" | sed -nE 's/.*: ([0-9]+) passed.*/\1/p')
	diff=$(echo "$line" | sed -nE 's/.* ([0-9]+) with a declared difference.*/\1/p')
	if [ -n "$total" ] && [ -n "$ok" ] && [ -n "$diff" ]; then
		tests_passed=$((tests_passed + ok + diff))
		tests_failed=$((tests_failed + total - ok - diff))
	else
		tests_failed=$((tests_failed + 1))
	fi
	rm -f "$log"
	return "$rc"
}
step "conformance against Linux (--kernel)" kernel_conformance

fuzz_all() {
	local rc=0 t name corpus
	for t in build-test/fuzz/fuzz/fuzz_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		corpus=build-test/fuzz-corpus/$name
		mkdir -p "$corpus"
		cp -r fuzz/corpus/"$name"/. "$corpus"/ 2>/dev/null
		if "$t" -max_total_time="$fuzz_seconds" -timeout=30 -print_final_stats=1 "$corpus" >"$corpus.log" 2>&1; then
			echo "$name: $(grep -oE 'Done [0-9]+ runs' "$corpus.log") without a finding"
			tests_passed=$((tests_passed + 1))
		else
			echo "$name: FINDING"; tail -30 "$corpus.log"; rc=1
			tests_failed=$((tests_failed + 1))
		fi
	done
	return $rc
}
step "build (libFuzzer)" build build-test/fuzz -DCMAKE_C_COMPILER=clang -DSYNACK_FUZZ=ON -DSYNACK_SANITIZE=ON
step "fuzz (${fuzz_seconds}s per target)" fuzz_all

echo
echo "steps: $passed passed, $failed failed (builds, test suites, fuzzing)"
echo "total: $tests_passed passed, $tests_failed failed"
[ "$failed" -eq 0 ] && [ "$tests_failed" -eq 0 ]
