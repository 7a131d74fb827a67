#!/usr/bin/env bash
# Schemathesis against a demo Darkroom: the OpenAPI document must describe
# the server that exists. Builds the server, starts it with demo data in a
# temporary folder, makes an owner token, and runs every check with a fixed
# seed and EXAMPLES examples per operation (default 100). Fails on any 5xx
# and any failure not excused in schemathesis.toml.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=.ci/schemathesis
EXAMPLES=${EXAMPLES:-100}
SEED=${SEED:-20261201}
PY=${DARKROOM_TEST_PYTHON:-target/test-peers/venv/bin/python}
if ! "$PY" -c 'import schemathesis' 2>/dev/null; then
  "$(dirname "$PY")/pip" install --quiet 'schemathesis==4.32.5'
fi
if ! "$PY" -c 'import localstripe' 2>/dev/null; then
  "$(dirname "$PY")/pip" install --quiet 'localstripe==1.15.*'
fi
# CI passes the binary its test run already built (CI_DARKROOM_BIN): building
# the one package alone resolves features differently and rebuilds half the
# tree. (Not DARKROOM_...: the server reads those as its config and refuses
# unknown ones.)
bin=${CI_DARKROOM_BIN:-}
if [ -z "$bin" ]; then
  cargo build --locked -q -p darkroom-server --bin darkroom
  bin=target/debug/darkroom
fi
[ -x "$bin" ] || { echo "no darkroom binary at $bin: build it or unset CI_DARKROOM_BIN"; exit 1; }
data=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
# The Stripe peer: connecting a studio's Stripe keys tries them against it.
stripe_port=$(free_port)
"$PY" -m localstripe --port "$stripe_port" >"$data/localstripe.log" 2>&1 &
stripe=$!
# Generous per-address limits: the run is one client sending thousands of
# requests, many without (or with bad) credentials on purpose.
DARKROOM_HTTP__ANONYMOUS_PER_MINUTE=10000000 DARKROOM_LOG=warn \
  DARKROOM_PAYMENTS__STRIPE_API_BASE="http://127.0.0.1:$stripe_port" \
  "$bin" --data-dir "$data" serve --demo --bind "127.0.0.1:$port" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server $stripe 2>/dev/null; wait $server $stripe 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && grep -q "listening" "$data/server.log" && break
  sleep 1
done
token=$("$bin" --data-dir "$data" token create --name schemathesis 2>/dev/null)
SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$here" "$(dirname "$PY")/schemathesis" \
  --config-file "$here/schemathesis.toml" --no-color run \
  "http://127.0.0.1:$port/api/v1/openapi.json" \
  -H "Authorization: Bearer $token" \
  --seed "$SEED" --max-examples "$EXAMPLES" \
  --report junit --report-dir "target/schemathesis" "$@"
