#!/usr/bin/env bash
# Installs every Debian package fermap needs to build, test, benchmark and run its demo.
# Idempotent: packages already present are skipped. Works as root or through sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev libopencv-dev opencv-data libstb-dev libcli11-dev catch2
  libbenchmark-dev nlohmann-json3-dev libcpp-httplib-dev libsqlite3-dev
  python3-torch python3-numpy
  chromium
)
# The browser test runs under Node.js: Debian's nodejs (+ npm), unless a node and npm are already
# there (a NodeSource nodejs carries its own npm, which Debian's npm package would conflict with).
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

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

# playwright-core (the pinned version of tests/e2e/package-lock.json) drives Debian's chromium in
# the browser test; it downloads no browser of its own.
e2e="$(dirname "$0")/../tests/e2e"
if [ ! -f "$e2e/node_modules/playwright-core/package.json" ]; then
  echo "setup: npm ci in tests/e2e (playwright-core)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$e2e" --no-audit --no-fund --loglevel=error
fi
echo "setup: done"
