"""Uploads files to Darkroom with tuspy (a standard tus 1.0 client).

usage: tus_py.py ENDPOINT TOKEN GALLERY CHUNK FILE...

Each file is sent with the checksum extension (SHA-1 per chunk). The first
file is interrupted after its first chunk and finished by a *new* uploader
on the same URL, as an app restarted mid-upload would. Prints one line per
file: `<name> <upload url>`.
"""
import os
import sys

from tusclient import client

endpoint, token, gallery, chunk = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
files = sys.argv[5:]

tus = client.TusClient(endpoint, headers={"Authorization": "Bearer " + token})
for i, path in enumerate(files):
    meta = {"filename": os.path.basename(path), "gallery": gallery}
    up = tus.uploader(path, chunk_size=chunk, metadata=meta, upload_checksum=True)
    if i == 0:
        up.upload(stop_at=chunk)  # one chunk, then the "app" stops
        assert up.offset == chunk, up.offset
        again = tus.uploader(path, url=up.url, chunk_size=chunk, upload_checksum=True)
        assert again.offset == chunk, "the server did not report the offset reached"
        again.upload()
        up = again
    else:
        up.upload()
    assert up.offset == os.path.getsize(path), (up.offset, os.path.getsize(path))
    print(os.path.basename(path), up.url, flush=True)
