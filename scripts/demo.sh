#!/usr/bin/env bash
# Sets up, builds and runs the demo: a bundled photo -> faces -> emotions -> songs, with the
# bundled model (data/models/custom_cnn.fmp) and song table (data/songs/data_moods.csv).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DFERMAP_BUILD_TESTS=OFF -DFERMAP_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build -j "$(nproc)" --target fermap_cli
./build/tools/fermap recommend data/demo/faces.png -n 8 --mode match --seed 2024
echo
echo "The same as a web page: ./build/tools/fermap serve   (then open http://127.0.0.1:8080/)"
