#!/usr/bin/env bash
# Installs the Debian packages fermap needs. Idempotent: packages already present are skipped.
# Works as root or through sudo.
#   bash scripts/setup.sh          what building and running fermap needs (the demo)
#   bash scripts/setup.sh --dev    that, plus what the tests, fuzzers and benchmarks need: PyTorch
#                                  (the parity oracle and the speed peer), clang's libFuzzer,
#                                  Google Benchmark, chromium and playwright-core (the browser test)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libopencv-dev opencv-data libstb-dev libcli11-dev nlohmann-json3-dev
  libcpp-httplib-dev libsqlite3-dev
)
dev=0
[ "${1:-}" = "--dev" ] && dev=1
if [ $dev -eq 1 ]; then
  packages+=(catch2 libbenchmark-dev python3-torch python3-numpy clang libclang-rt-14-dev libomp-14-dev chromium)
  # The browser test runs under Node.js: Debian's nodejs (+ npm), unless a node and npm are already
  # there (a NodeSource nodejs carries its own npm, which Debian's npm package would conflict with).
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
else
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ $dev -eq 1 ]; then
  # playwright-core (the pinned version of tests/e2e/package-lock.json) drives Debian's chromium in
  # the browser test; it downloads no browser of its own.
  e2e="$(dirname "$0")/../tests/e2e"
  if [ ! -f "$e2e/node_modules/playwright-core/package.json" ]; then
    echo "setup: npm ci in tests/e2e (playwright-core)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$e2e" --no-audit --no-fund --loglevel=error
  fi
fi
echo "setup: done"
