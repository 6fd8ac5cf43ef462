#!/usr/bin/env bash
# Builds the benchmarks (Release) and runs them, printing their figures.
# Usage: bench/run.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j"$(nproc)" --target bench-csum bench-conn bench-transfer >/dev/null
echo "== Internet checksum (bench-csum)"
./build-bench/bench/bench-csum "${1:+0.1}"
echo
echo "== Connection management (bench-conn)"
./build-bench/bench/bench-conn ${1:-}
echo
echo "== Bulk transfer (bench-transfer)"
./build-bench/bench/bench-transfer ${1:+64}
