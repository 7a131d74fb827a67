#!/usr/bin/env bash
# Idle memory of `darkroom serve` after it rendered a shoot, against the same
# server restarted on the same data (the peer: what the data itself needs, so
# the ratio is the memory rendering failed to give back):
#   bench/ingest/idle-memory.sh              # 500 x 12 MP
#   PHOTOS=100 bench/ingest/idle-memory.sh   # quicker
# Builds the release binaries (the README's profile), generates the photos
# under target/, makes a studio, imports the card with `darkroom ingest
# --no-wait` so the running server renders every photo, waits for its queue
# to empty and for 30 s of quiet, and reads its resident memory; then
# restarts it on the same data and reads it again after the same quiet.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$root/target/bench-memory
PHOTOS=${PHOTOS:-500}
QUIET=${QUIET:-30}
mkdir -p "$work"

if [ "${PROFILE:-release}" = debug ]; then  # a quick try of the script itself
  cargo build --locked -q -p darkroom-server -p darkroom-bench-ingest
  bin=$root/target/debug
else
  echo "== build (release, as the README's command)"
  cargo build --release --locked -q -p darkroom-server -p darkroom-bench-ingest
  bin=$root/target/release
fi

corpus=$work/corpus-$PHOTOS
if [ ! -d "$corpus" ]; then
  echo "== corpus: $PHOTOS x 12 MP"
  "$bin/ingest-bench" gen "$corpus" "$PHOTOS" 0
fi

data=$work/data
rm -rf "$data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export DARKROOM_LOG=warn
"$bin/darkroom" --data-dir "$data" migrate >/dev/null
serve() {
  "$bin/darkroom" --data-dir "$data" serve --bind "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf "$base/readyz" >/dev/null 2>&1 && return; sleep 0.2; done
  echo "the server did not start; see $work/serve.log"; exit 1
}
rss_mb() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$server/status"; }
trap 'kill $server 2>/dev/null || true' EXIT

echo "== a studio, then the card imported while the server renders"
serve
setup=$(grep -o "$base/setup/[A-Za-z0-9_-]*" "$work/serve.log" | head -1)
token=${setup##*/}
csrf=$(curl -s -c "$work/jar" "$setup" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -s -b "$work/jar" -c "$work/jar" -o /dev/null -H "Origin: $base" \
  --data-urlencode "_csrf=$csrf" --data-urlencode "studio_name=Memory Bench" \
  --data-urlencode "owner_name=Bench Owner" --data-urlencode "email=owner@bench.test" \
  --data-urlencode "password=correct horse battery staple" --data-urlencode "currency=EUR" \
  --data-urlencode "time_zone=Europe/Berlin" --data-urlencode "locale=en-GB" "$base/setup/$token"
api=$("$bin/darkroom" --data-dir "$data" token create --name bench 2>/dev/null)
"$bin/darkroom" --data-dir "$data" ingest "$corpus" --gallery "Shoot" --create --no-wait | tail -1 | sed 's/^/   /'
start=$(date +%s)
while :; do
  q=$(curl -sf -H "Authorization: Bearer $api" "$base/api/v1/jobs?status=queued&limit=1")
  r=$(curl -sf -H "Authorization: Bearer $api" "$base/api/v1/jobs?status=running&limit=1")
  case "$q$r" in *'"items":[]'*'"items":[]'*) break ;; esac
  sleep 1
done
echo "   rendered in $(( $(date +%s) - start )) s; peak $(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$server/status") MB"
sleep "$QUIET"
after=$(rss_mb)
kill "$server"; wait "$server" 2>/dev/null || true

echo "== the same data, the server restarted"
serve
sleep "$QUIET"
fresh=$(rss_mb)
echo "   idle after rendering $PHOTOS photos: $after MB"
echo "   idle after a restart on the same data (peer): $fresh MB"
python3 -c "print(f'   ratio: {$after / $fresh:.2f}x the restarted server')"
