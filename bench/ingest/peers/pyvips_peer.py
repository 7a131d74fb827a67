"""The ingest pipeline with pyvips (libvips from Python), shrink-on-load.

usage: python pyvips_peer.py <corpus dir> <out dir> <workers>

Per photo: read, SHA-256, EXIF (libvips parses it on load), then one
shrink-on-load decode to a 2048 px upright image (thumbnail_buffer), from
which the preview, the watermarked proof, the 800 px mediums and the 400 px thumbnail are
encoded: the same outputs as Darkroom's and sharp's.
"""
import hashlib
import os
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pyvips

src, out, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)
pyvips.cache_set_max(0)
files = sorted(f for f in os.listdir(src) if f.endswith(".jpg"))
marks = {}


def watermark(width):
    if width not in marks:
        w = round(width * 0.3)
        text = pyvips.Image.text("© Lumen Studio proof", width=w, dpi=72 * 4, font="sans")
        # white text at 60 % opacity: an RGBA overlay.
        alpha = (text * 0.6).cast("uchar")
        marks[width] = text.new_from_image([255, 255, 255]).bandjoin(alpha).copy(interpretation="srgb")
    return marks[width]


def one(name):
    path = os.path.join(src, name)
    with open(path, "rb") as f:
        buf = f.read()
    digest = hashlib.sha256(buf).hexdigest()
    head = pyvips.Image.new_from_buffer(buf, "", access="sequential")
    exif = head.get("exif-data") if head.get_typeof("exif-data") else None
    preview = pyvips.Image.thumbnail_buffer(buf, 2048, size="down").copy_memory()
    stem = name[:-4]
    preview.jpegsave(os.path.join(out, stem + ".preview.jpg"), Q=85, strip=True)
    wm = watermark(preview.width)
    proof = preview.composite2(wm, "over", x=preview.width - wm.width - 10, y=preview.height - wm.height - 10)
    proof.jpegsave(os.path.join(out, stem + ".proof.jpg"), Q=82, strip=True)
    preview.thumbnail_image(400).jpegsave(os.path.join(out, stem + ".thumb.jpg"), Q=80, strip=True)
    preview.thumbnail_image(800).jpegsave(os.path.join(out, stem + ".medium.jpg"), Q=80, strip=True)
    proof.thumbnail_image(800).jpegsave(os.path.join(out, stem + ".medium-proof.jpg"), Q=80, strip=True)
    return digest, exif is not None


start = time.perf_counter()
with ThreadPoolExecutor(max_workers=workers) as pool:
    list(pool.map(one, files))
secs = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"pyvips photos={len(files)} seconds={secs:.3f} photos_per_s={len(files) / secs:.3f} peak_rss_mb={rss:.1f}")
