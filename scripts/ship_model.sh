#!/usr/bin/env bash
# Ships a training run's best model as data/models/NAME.fmp, with its log, metrics, curves and
# test-split evaluation beside it (scripts/record_run.sh), for docs/results.md.
# Usage: scripts/ship_model.sh RUN_DIR NAME [DATA]   e.g. scripts/ship_model.sh /work/runs/fast-s1 custom_cnn
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p data/models
cp "$1/best.fmp" "data/models/$2.fmp"
bash scripts/record_run.sh "$1" "data/models/$2" "${3:-../shared/data/fer2013}" "data/models/$2.fmp"
