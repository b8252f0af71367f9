#!/usr/bin/env bash
# Sets up and runs every test: the Release build with warnings as errors, the FER2013 dataset tests
# (when ../shared/data is present), the example built against the installed package, the kernel
# tests on the AVX2 and SSE2 paths, the unit tests again under AddressSanitizer +
# UndefinedBehaviorSanitizer, and a short run of each libFuzzer target (FERMAP_FUZZ_SECONDS
# each, default 60; docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)

bash scripts/setup.sh --dev
[ -x scripts/fetch_test_media.sh ] && bash scripts/fetch_test_media.sh

echo "== Release build (-Wall -Wextra -Werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DFERMAP_WERROR=ON -DFERMAP_BUILD_TESTS=ON \
  -DFERMAP_BUILD_BENCHMARKS=ON >/dev/null
cmake --build build -j "$jobs"

echo "== Tests"
export FERMAP_DATA=${FERMAP_DATA:-$root/../shared/data/fer2013}
if [ ! -d "$FERMAP_DATA" ]; then
  echo "FERMAP_DATA=$FERMAP_DATA not found: the [dataset] tests will be skipped"
  unset FERMAP_DATA
fi
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== Install, then build and run the example against the installed package"
rm -rf build/install build/examples
cmake --install build --prefix build/install >/dev/null
cmake -S examples -B build/examples -G Ninja -DCMAKE_PREFIX_PATH="$root/build/install" >/dev/null
cmake --build build/examples
./build/examples/train_your_own build/examples/tiny.fmp

# The machine above may well take the AVX-512 path; the kernels' AVX2 + FMA and SSE2 paths are
# built and checked against the reference loops too (the kernels alone: 15 small files each).
for isa in "avx2:-mavx2 -mfma" "sse2:"; do
  name=${isa%%:*} flags=${isa#*:}
  echo "== Kernel tests on the $name path"
  cmake -S . -B "build-$name" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFERMAP_NATIVE=OFF -DFERMAP_WERROR=ON \
    -DFERMAP_BUILD_BENCHMARKS=OFF -DCMAKE_CXX_FLAGS="$flags" >/dev/null
  cmake --build "build-$name" -j "$jobs" --target fermap_kernel_tests
  "./build-$name/tests/fermap_kernel_tests"
done

echo "== Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (Debug)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFERMAP_SANITIZE=ON -DFERMAP_WERROR=ON \
  -DFERMAP_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-asan -j "$jobs"
# Every test case runs again under the sanitizers but the full-dataset checks ([dataset]: 26,000
# images loaded, 5,212 evaluated) and the longest trainings ([slow]: 13 test cases, 3 minutes in
# Release but about half an hour under the sanitizers on a 2-core Zen 3); both ran in the Release
# build above. The trainer's code paths still run sanitized: one whole training (the tiny-dataset run),
# the resumes, and the distillation, weight-averaging and mixup runs of the command line.
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ./build-asan/tests/fermap_tests "~[dataset]~[slow]"

echo "== Fuzzing smoke run (clang + libFuzzer, ${FERMAP_FUZZ_SECONDS:-60} s per target)"
bash scripts/fuzz.sh "${FERMAP_FUZZ_SECONDS:-60}"
