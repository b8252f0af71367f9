#!/usr/bin/env bash
# Fetches the photos and videos the face tests use from Debian's opencv-doc package into
# tests/fixtures/app/media/ (gitignored). Only the few files needed are unpacked; the package
# itself (~96 MB) is downloaded to a temporary folder and deleted. Does nothing when every file
# is already there; a failed download is a warning, not an error. Usage: scripts/fetch_test_media.sh [DEST_DIR]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$here/tests/fixtures/app/media}"
prefix="./usr/share/doc/opencv-doc/examples/data"
files=(messi5.jpg fruits.jpg Megamind.avi vtest.avi)

missing=()
for f in "${files[@]}"; do
  [[ -s "$dest/$f" ]] || missing+=("$f")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "fetch_test_media: all ${#files[@]} files present in $dest"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# apt downloads as its own user (_apt), which must be able to write here.
chmod 777 "$tmp"
# Without the package (offline, no apt lists) the tests that need these files skip with a warning.
if ! (cd "$tmp" && apt-get download -q opencv-doc >/dev/null 2>&1); then
  echo "fetch_test_media: warning: 'apt-get download opencv-doc' failed; the tests using ${missing[*]} will be skipped" >&2
  exit 0
fi
deb="$(ls "$tmp"/opencv-doc_*.deb)"

members=()
for f in "${missing[@]}"; do members+=("$prefix/$f"); done
mkdir -p "$tmp/x" "$dest"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/x" "${members[@]}"
for f in "${missing[@]}"; do
  mv "$tmp/x/$prefix/$f" "$dest/$f"
done
echo "fetch_test_media: unpacked ${missing[*]} into $dest"
