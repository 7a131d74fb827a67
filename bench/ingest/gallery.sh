#!/usr/bin/env bash
# A 1,000-photo client gallery: the listing and the thumbnails at 64
# connections against nginx serving the same bytes, then the client page in
# headless Chromium (time to the first screenful of thumbnails, layout shift):
#   bench/ingest/gallery.sh                 # 1,000 photos of 1600x1067
#   PHOTOS=200 bench/ingest/gallery.sh      # quicker
# Builds the release binaries (the README's profile), generates the photos
# under target/, installs nginx (and Chromium for the page) if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$root/target/bench-gallery
PHOTOS=${PHOTOS:-1000}
mkdir -p "$work"

echo "== build (release, as the README's command)"
cargo build --release --locked -q -p darkroom-server -p darkroom-bench-ingest
bin=$root/target/release

need=()
[ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

corpus=$work/corpus-$PHOTOS
echo "== corpus: $PHOTOS x 1600x1067"
"$bin/ingest-bench" small "$corpus" "$PHOTOS"

echo "== the gallery as its client gets it, against nginx serving the same bytes"
"$bin/gallery-bench" "$bin/darkroom" "$corpus" "$work/run" | sed 's/^/   /'
