#!/usr/bin/env bash
# The ingest benchmark, all peers in one run on the same files:
#   bench/ingest/run.sh                  # 25 x 12 MP + 75 x 24 MP (a shoot-sized run, the 1:3 mix)
#   bench/ingest/run.sh --quick          # 4 x 12 MP + 12 x 24 MP, a minute
#   N12=10 N24=30 bench/ingest/run.sh    # any other size
# Builds with the README's release profile, generates the corpus (never
# committed) under target/bench-ingest/, installs the peers it needs (sharp and
# exif-reader from npm, pyvips from PyPI, Debian's libvips and ImageMagick),
# then runs two rounds, each tool once per round in alternation (Darkroom,
# sharp, pyvips, the decode-only ceiling), and prints photos/s of each,
# Darkroom's ratio to each in both rounds, its time per stage, ImageMagick
# once, Darkroom's peak memory on 45 MP photos, and upload throughput
# against the raw disk.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$root/target/bench-ingest
peers=$root/target/bench-peers
if [ "${1:-}" = "--quick" ]; then N12=${N12:-4} N24=${N24:-12}; fi
N12=${N12:-25} N24=${N24:-75} WORKERS=${WORKERS:-2} ROUNDS=${ROUNDS:-2}
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

# ES modules resolve packages beside the script: run a copy inside the peer's folder.
cp "$root/bench/ingest/peers/sharp.mjs" "$peers/node/sharp.mjs"
ratio() { awk -v a="$(cat "$work/rate-$1")" -v b="$(cat "$work/rate-$2")" 'BEGIN { printf "%.2f", a / b }'; }
met=yes
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round: the per-photo pipeline (hash, EXIF, thumbnail, mediums, preview, watermarked proof), $WORKERS at a time"
  stages=()
  [ "$round" = 1 ] && stages=(--stages)
  rm -rf "$work/out-darkroom"; sync
  "$bin/ingest-bench" run "$corpus" "$work/out-darkroom" "$WORKERS" "${stages[@]}" > "$work/darkroom.log"
  sed 's/^/   /' "$work/darkroom.log"
  tail -1 "$work/darkroom.log" | sed -n 's/.*photos_per_s=\([0-9.]*\).*/\1/p' > "$work/rate-darkroom"
  run sharp node "$peers/node/sharp.mjs" "$corpus" "$work/out-sharp" "$WORKERS"
  VIPS_CONCURRENCY=1 run pyvips "$peers/venv/bin/python" "$root/bench/ingest/peers/pyvips_peer.py" "$corpus" "$work/out-pyvips" "$WORKERS"
  run ceiling "$bin/ingest-bench" ceiling "$corpus" "$WORKERS"
  for p in sharp pyvips; do
    echo "   round $round: ratio darkroom/$p = $(ratio darkroom "$p")"
  done
  echo "   round $round: darkroom's share of the decode-only ceiling = $(ratio darkroom ceiling)"
  awk -v r="$(ratio darkroom sharp)" 'BEGIN { exit !(r >= 2.0) }' || met=no
done
[ "$met" = yes ] && echo "   target (>= 2x sharp in every round): met" || echo "   target (>= 2x sharp in every round): NOT met"

echo "== ImageMagick (one round; far behind the others)"
run imagemagick "$root/bench/ingest/peers/imagemagick.sh" "$corpus" "$work/out-imagemagick" "$WORKERS"
echo "   ratio darkroom/imagemagick = $(ratio darkroom imagemagick)"

echo "== peak memory on 45 MP photos, one worker"
"$bin/ingest-bench" run "$work/corpus-45mp" "$work/out-45mp" 1 | sed 's/^/   /'

echo "== upload throughput"
"$bin/upload-bench" "$bin/darkroom" "$corpus" "$work/upload" "${BIG_MB:-1024}" | sed 's/^/   /'
