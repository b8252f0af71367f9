#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (in build-fuzz/) and runs each for SECONDS (default 60):
#   scripts/fuzz.sh [SECONDS] [TARGET...]     targets: model_loader song_table face_image
# Each fuzzer starts from its committed seeds (fuzz/corpus/<target>/) and the matching part of the
# hostile corpus (tests/fixtures/bad/); what it discovers goes to build-fuzz/corpus/<target>/, and a
# crashing input to build-fuzz/crashes/. Exits nonzero when a fuzzer finds a crash. Longer runs and
# what to do with a crash: docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(model_loader song_table face_image)
jobs=${FERMAP_FUZZ_JOBS:-$(nproc)}

echo "== Fuzz build (clang, libFuzzer + AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ -DFERMAP_FUZZ=ON \
  -DFERMAP_BUILD_TESTS=OFF -DFERMAP_BUILD_TOOLS=OFF -DFERMAP_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-fuzz -j "$jobs" --target "${targets[@]/#/fuzz_}"

declare -A hostile=([model_loader]=models [song_table]=songs [face_image]=images)
mkdir -p build-fuzz/crashes
for t in "${targets[@]}"; do
  echo "== fuzz_$t for ${seconds}s"
  mkdir -p "build-fuzz/corpus/$t"
  # One thread for the OpenMP kernels: the fuzzer runs one input at a time anyway.
  OMP_NUM_THREADS=1 ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=print_stacktrace=1 \
    "./build-fuzz/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/crashes/$t-" "build-fuzz/corpus/$t" "fuzz/corpus/$t" \
    "tests/fixtures/bad/${hostile[$t]}" 2>"build-fuzz/fuzz_$t.log" ||
    { tail -60 "build-fuzz/fuzz_$t.log"; echo "fuzz_$t found a crash: build-fuzz/crashes/"; exit 1; }
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)" "build-fuzz/fuzz_$t.log" || true
done
