#!/usr/bin/env bash
# The front office benchmark on both engines, in the README's release build:
#   bench/front-office/run.sh                      # 100,000 clients and bookings
#   CLIENTS=20000 BOOKINGS=20000 bench/front-office/run.sh   # quicker
# Seeds a fresh database (SQLite file, then a fresh PostgreSQL database at
# 127.0.0.1:5432, user postgres), then prints p50/p99 of client search and of
# a 30-day free-slot search, and the throughput, p99 and double bookings (must
# be 0) of 64 concurrent clients booking one week, against the targets.
set -euo pipefail
cd "$(dirname "$0")/../.."
CLIENTS=${CLIENTS:-100000} BOOKINGS=${BOOKINGS:-100000}
cargo build --release --locked -q -p darkroom-bench-front-office
bin=target/release/front-office-bench
work=target/bench-front-office
rm -rf "$work" && mkdir -p "$work"
echo "== SQLite"
"$bin" "sqlite://$PWD/$work/bench.db?mode=rwc" "$CLIENTS" "$BOOKINGS"
if pg_isready -h 127.0.0.1 -p 5432 -q; then
  db="darkroom_bench_$$"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db" >/dev/null
  echo "== PostgreSQL"
  "$bin" "postgres://postgres@127.0.0.1:5432/$db" "$CLIENTS" "$BOOKINGS"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $db" >/dev/null
else
  echo "== PostgreSQL: no server at 127.0.0.1:5432, skipped"
fi
