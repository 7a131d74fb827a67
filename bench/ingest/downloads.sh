#!/usr/bin/env bash
# Gallery ZIP downloads against nginx and Info-ZIP, on the same bytes:
#   bench/ingest/downloads.sh                 # 500 x 12 MP originals (~3 GB)
#   PHOTOS=100 bench/ingest/downloads.sh      # quicker
#   CORPUS=/some/dir bench/ingest/downloads.sh
# Builds the release binaries (the README's profile), generates the photos
# under target/ unless CORPUS names a folder of JPEGs, installs nginx and zip
# if missing, then prints each one's MB/s, Darkroom's ratios and its memory.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$root/target/bench-downloads
PHOTOS=${PHOTOS:-500}
mkdir -p "$work"

echo "== build (release, as the README's command)"
cargo build --release --locked -q -p darkroom-server -p darkroom-bench-ingest
bin=$root/target/release

need=()
[ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v zip >/dev/null 2>&1 || need+=(zip)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

corpus=${CORPUS:-$work/corpus-$PHOTOS}
if [ -z "${CORPUS:-}" ]; then
  echo "== corpus: $PHOTOS x 12 MP"
  "$bin/ingest-bench" gen "$corpus" "$PHOTOS" 0
fi
du -sh "$corpus" | sed 's/^/   /'

echo "== a gallery as one ZIP, nginx one file of the same size, zip -0 to a pipe"
"$bin/download-bench" "$bin/darkroom" "$corpus" "$work/run" | sed 's/^/   /'
