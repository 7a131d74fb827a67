"""WeasyPrint renders the benchmark's invoice (the same HTML, fonts and
logo) N times and prints invoices per second and peak memory.

Usage: python weasy.py OUT_DIR N
"""
import resource
import sys
import time

import weasyprint

out, n = sys.argv[1], int(sys.argv[2])
html = weasyprint.HTML(filename=f"{out}/invoice.html", base_url=out + "/")
html.write_pdf(f"{out}/weasyprint-invoice.pdf")  # warm-up, kept to look at
start = time.perf_counter()
for _ in range(n):
    weasyprint.HTML(filename=f"{out}/invoice.html", base_url=out + "/").write_pdf()
secs = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"weasyprint: {n} invoices in {secs:.2f} s = {n / secs:.1f} invoices/s, peak memory {peak:.0f} MiB")
with open(f"{out}/weasy-rate", "w") as f:
    f.write(f"{n / secs:.4f}\n")
