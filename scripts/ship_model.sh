#!/usr/bin/env bash
# Ships a training run's best model as data/models/NAME.fmp, with its log, metrics, curves and
# test-split evaluation beside it (scripts/record_run.sh), for docs/results.md. With --calibrate,
# the shipped copy's batch-norm statistics are first recomputed on its training split's plain images
# (`fermap calibrate`; its report goes to data/models/NAME.calibrate.log); with --class-bias as well,
# that calibration also fits per-class offsets of the logits on the validation images.
# Usage: scripts/ship_model.sh [--calibrate [--class-bias]] RUN_DIR NAME [DATA]
#   e.g. scripts/ship_model.sh --calibrate /work/runs/fast-s1 custom_cnn
set -euo pipefail
cd "$(dirname "$0")/.."
calibrate=0
calibrate_flags=()
if [ "${1:-}" = "--calibrate" ]; then
  calibrate=1
  shift
  if [ "${1:-}" = "--class-bias" ]; then
    calibrate_flags+=(--class-bias)
    shift
  fi
fi
data=${3:-../shared/data/fer2013}
mkdir -p data/models
cp "$1/best.fmp" "data/models/$2.fmp"
rm -f "data/models/$2.calibrate.log"
if [ $calibrate -eq 1 ]; then
  ./build/tools/fermap calibrate "data/models/$2.fmp" --data "$data" --out "data/models/$2.fmp" "${calibrate_flags[@]}" | tee "data/models/$2.calibrate.log"
fi
bash scripts/record_run.sh "$1" "data/models/$2" "$data" "data/models/$2.fmp"
