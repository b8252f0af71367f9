#!/usr/bin/env bash
# Copies a training run's best model into data/models/ with its log, metrics and curves, and
# evaluates it on the test split (metrics JSON, confusion matrix CSV and PNG) for docs/results.md.
# Usage: scripts/ship_model.sh RUN_DIR NAME [DATA]   e.g. scripts/ship_model.sh /work/runs/fast-s1 custom_cnn
set -euo pipefail
cd "$(dirname "$0")/.."
run=$1
name=$2
data=${3:-../shared/data/fer2013}
out=data/models
mkdir -p "$out"
cp "$run/best.fmp" "$out/$name.fmp"
cp "$run/train.log" "$out/$name.train.log"
cp "$run/metrics.csv" "$out/$name.metrics.csv"
cp "$run/curves.png" "$out/$name.curves.png"
./build/tools/fermap eval "$out/$name.fmp" --data "$data" --json \
  --confusion-csv "$out/$name.confusion.csv" --confusion-png "$out/$name.confusion.png" > "$out/$name.eval.json"
./build/tools/fermap eval "$out/$name.fmp" --data "$data" --tta --json > "$out/$name.eval-tta.json"
./build/tools/fermap eval "$out/$name.fmp" --data "$data"
