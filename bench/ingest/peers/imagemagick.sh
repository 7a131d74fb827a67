#!/usr/bin/env bash
# The ingest pipeline with ImageMagick: per photo one `convert` that decodes
# with a size hint (libjpeg scaled decoding to no less than 2048 px), auto-orients, and writes the
# 2048 px preview, the watermarked proof, the 800 px mediums and the 400 px thumbnail, plus
# sha256sum; two photos at a time (both cores), one thread each.
# usage: imagemagick.sh <corpus dir> <out dir> <workers>
set -euo pipefail
src=$1 out=$2 workers=$3
# /usr/local/bin/convert on these machines is a stand-in; use Debian's.
IM=${IM_CONVERT:-/usr/bin/convert-im6.q16}
mkdir -p "$out"
export IM out MAGICK_THREAD_LIMIT=1
one() {
  f=$1; stem=$(basename "$f" .jpg)
  sha256sum "$f" >/dev/null
  "$IM" -define jpeg:size=2048x2048 "$f" -auto-orient -resize '2048x2048>' -strip \
    \( +clone -quality 85 -write "$out/$stem.preview.jpg" +delete \) \
    \( +clone -gravity southeast -fill 'rgba(255,255,255,0.6)' -stroke 'rgba(0,0,0,0.3)' \
       -pointsize 48 -annotate +10+10 '© Lumen Studio proof' -quality 82 -write "$out/$stem.proof.jpg" \
       -resize 800x800 -quality 80 -write "$out/$stem.medium-proof.jpg" +delete \) \
    -resize 800x800 -quality 80 -write "$out/$stem.medium.jpg" \
    -resize 400x400 -quality 80 "$out/$stem.thumb.jpg"
}
export -f one
n=$(find "$src" -maxdepth 1 -name '*.jpg' | wc -l)
start=$(date +%s.%N)
find "$src" -maxdepth 1 -name '*.jpg' | sort | xargs -P "$workers" -I{} bash -c 'one "$@"' _ {}
end=$(date +%s.%N)
awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN { printf "imagemagick photos=%d seconds=%.3f photos_per_s=%.3f\n", n, e - s, n / (e - s) }'
