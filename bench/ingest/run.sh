#!/usr/bin/env bash
# The ingest benchmark, all peers in one run on the same files:
#   bench/ingest/run.sh                  # 10 x 12 MP + 30 x 24 MP (the 1:3 mix)
#   N12=4 N24=12 bench/ingest/run.sh     # quicker
# Builds with the README's release profile, generates the corpus (never
# committed) under target/bench-ingest/, installs the peers it needs (sharp and
# exif-reader from npm, pyvips from PyPI, Debian's libvips and ImageMagick),
# then prints photos/s of each and Darkroom's ratio to each peer, Darkroom's
# peak memory on 45 MP photos, and upload throughput against the raw disk.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$root/target/bench-ingest
peers=$root/target/bench-peers
N12=${N12:-10} N24=${N24:-30} WORKERS=${WORKERS:-2}
mkdir -p "$work" "$peers"

echo "== build (release, as the README's command)"
cargo build --release --locked -q -p darkroom-server -p darkroom-bench-ingest
bin=$root/target/release

echo "== peers"
need=()
[ -e /usr/lib/x86_64-linux-gnu/libvips.so.42 ] || ls /usr/lib/*/libvips.so.42 >/dev/null 2>&1 || need+=(libvips42)
[ -x /usr/bin/convert-im6.q16 ] || need+=(imagemagick)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -d "$peers/node/node_modules/sharp" ]; then
  npm install --silent --no-audit --no-fund --prefix "$peers/node" sharp exif-reader
fi
if ! "$peers/venv/bin/python" -c 'import pyvips' 2>/dev/null; then
  python3 -m venv "$peers/venv" && "$peers/venv/bin/pip" install --quiet pyvips
fi

echo "== corpus: $N12 x 12 MP + $N24 x 24 MP (and 2 x 45 MP for memory)"
corpus=$work/corpus-$N12-$N24
"$bin/ingest-bench" gen "$corpus" "$N12" "$N24"
"$bin/ingest-bench" big "$work/corpus-45mp"
du -sh "$corpus" | sed 's/^/   /'

run() { # name, command...
  local name=$1; shift
  rm -rf "$work/out-$name"; sync
  local line
  line=$("$@" | tail -1)
  echo "   $line"
  echo "$line" | sed -n 's/.*photos_per_s=\([0-9.]*\).*/\1/p' > "$work/rate-$name"
}

echo "== the per-photo pipeline (hash, EXIF, thumbnail, preview, watermarked proof), $WORKERS at a time"
run darkroom "$bin/ingest-bench" run "$corpus" "$work/out-darkroom" "$WORKERS"
# ES modules resolve packages beside the script: run a copy inside the peer's folder.
cp "$root/bench/ingest/peers/sharp.mjs" "$peers/node/sharp.mjs"
run sharp node "$peers/node/sharp.mjs" "$corpus" "$work/out-sharp" "$WORKERS"
VIPS_CONCURRENCY=1 run pyvips "$peers/venv/bin/python" "$root/bench/ingest/peers/pyvips_peer.py" "$corpus" "$work/out-pyvips" "$WORKERS"
run imagemagick "$root/bench/ingest/peers/imagemagick.sh" "$corpus" "$work/out-imagemagick" "$WORKERS"

d=$(cat "$work/rate-darkroom")
for p in sharp pyvips imagemagick; do
  r=$(cat "$work/rate-$p")
  awk -v d="$d" -v r="$r" -v p="$p" 'BEGIN { printf "   ratio darkroom/%s = %.2f\n", p, d / r }'
done
awk -v d="$d" -v r="$(cat "$work/rate-sharp")" 'BEGIN { exit !(d / r >= 1.5) }' \
  && echo "   target (>= 1.5x sharp): met" || echo "   target (>= 1.5x sharp): NOT met"

echo "== peak memory on 45 MP photos, one worker"
"$bin/ingest-bench" run "$work/corpus-45mp" "$work/out-45mp" 1 | sed 's/^/   /'

echo "== upload throughput"
"$bin/upload-bench" "$bin/darkroom" "$corpus" "$work/upload" "${BIG_MB:-1024}" | sed 's/^/   /'
