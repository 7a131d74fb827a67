#!/usr/bin/env bash
# The documents benchmark: darkroom-docs typesets 1,000 invoice PDFs (a logo,
# 20 lines, Hangul and Devanagari names) and WeasyPrint renders the same
# invoice from HTML, in the same run; prints both rates, the ratio (target:
# at least 5x) and darkroom-docs' peak memory after 100 and after 1,000
# invoices (target: flat).
#   bench/documents/run.sh              # 1,000 invoices, WeasyPrint 100
#   N=200 WEASY_N=30 bench/documents/run.sh   # quicker
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-1000} WEASY_N=${WEASY_N:-100}
out=target/bench-documents
mkdir -p "$out"
cargo build --release --locked -q -p darkroom-bench-documents
py=target/test-peers/venv/bin/python
if ! "$py" -c 'import weasyprint' 2>/dev/null; then
  [ -x "$py" ] || python3 -m venv target/test-peers/venv
  "$py" -m pip install --quiet 'weasyprint>=66'
fi
# The HTML and logo for WeasyPrint, then WeasyPrint, then darkroom-docs.
target/release/documents-bench "$out" 0 >/dev/null
"$py" bench/documents/weasy.py "$out" "$WEASY_N"
theirs_rate=$(cat "$out/weasy-rate")
ours=$(target/release/documents-bench "$out" "$N")
echo "$ours"
ours_rate=$(echo "$ours" | sed -E 's/.*= ([0-9.]+) invoices\/s.*/\1/')
python3 -c "print(f'ratio: darkroom-docs is {float(\"$ours_rate\") / float(\"$theirs_rate\"):.1f}x WeasyPrint (target: 5x)')"
echo "PDFs to look at: $out/darkroom-invoice.pdf and $out/weasyprint-invoice.pdf"
