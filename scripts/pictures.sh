#!/usr/bin/env bash
# Writes the pictures docs/ shows (docs/pictures/), from the scenarios and a transfer, with
# the synack-sim of a build: bash scripts/pictures.sh [BUILD_DIR] [OUT_DIR]
# tests/tcp/sim_views.sh runs it into a scratch directory and compares, so docs show what
# the tools draw today.
set -euo pipefail
sim=${1:-build}/synack-sim
out=${2:-docs/pictures}
[ -x "$sim" ] || { echo "pictures.sh: $sim is missing (build first)" >&2; exit 1; }
mkdir -p "$out"
for s in hs-1 hs-7 cl-1 lq-3; do
	"$sim" -q "$s" --svg "$out/$s.svg" >/dev/null
done
"$sim" -q cc-3 --plot "$out/cc-3-plot.svg" >/dev/null
"$sim" transfer --bytes 4M --loss 0.01 --delay 10 --algo cubic --seed 2 --plot "$out/cubic-loss-plot.svg" >/dev/null
