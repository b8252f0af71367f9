#!/usr/bin/env bash
# Records a finished training run beside PREFIX: its log, metrics CSV and curves, and the test-split
# evaluation of its best model (metrics JSON with and without test-time augmentation, confusion
# matrix CSV and PNG). The model itself stays where it is (scripts/ship_model.sh ships one).
# Usage: scripts/record_run.sh RUN_DIR PREFIX [DATA [MODEL]]   (MODEL: the run's best.fmp by default)
#   e.g. scripts/record_run.sh /work/runs/resnet50-s1 docs/runs/resnet50      (docs/runs/resnet50.eval.json, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
run=$1
prefix=$2
data=${3:-../shared/data/fer2013}
model=${4:-$run/best.fmp}
mkdir -p "$(dirname "$prefix")"
cp "$run/train.log" "$prefix.train.log"
cp "$run/metrics.csv" "$prefix.metrics.csv"
cp "$run/curves.png" "$prefix.curves.png"
./build/tools/fermap eval "$model" --data "$data" --json \
  --confusion-csv "$prefix.confusion.csv" --confusion-png "$prefix.confusion.png" > "$prefix.eval.json"
./build/tools/fermap eval "$model" --data "$data" --tta --json > "$prefix.eval-tta.json"
./build/tools/fermap eval "$model" --data "$data"
