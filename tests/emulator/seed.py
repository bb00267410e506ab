#!/usr/bin/env python3
"""Seed the S3 emulator with the fixture buckets and objects (idempotent).

    python3 tests/emulator/seed.py --endpoint http://127.0.0.1:19000 --key AKID:SECRET

Goes through the verifying front with boto3 (path style, us-east-1), so it is
also a smoke test of the signature checks.

Fixture content
---------------
public-bucket (anonymous GET/HEAD when the emulator runs with
--public-bucket public-bucket):
    public-data/README.txt                 README_TEXT
    public-data/nested/deeper/file.txt     b"deeper file\\n"
    public-data/nested/data.csv            DATA_CSV
    public-data/big/blob.bin               blob(2 MiB)
    public-data/meta/tagged.txt            b"tagged\\n", Content-Type text/plain,
                                           x-amz-meta-owner: demo
    public-data/awkward/<name>             body = the full key, UTF-8, for each
                                           name in AWKWARD_NAMES
    public-data/cogs/demo.tif              a Cloud-Optimized GeoTIFF made at seed time
                                           by gdal_translate -of COG (only when GDAL is
                                           installed): COG_SIZE² bytes, cog_pixel(x, y),
                                           EPSG:4326, 256² tiles, DEFLATE, one overview
private-bucket:
    repos/secret-data/hello.txt            b"hello from a signed backend\\n"
    repos/secret-data/nested/a.txt         b"nested a\\n"
    repos/secret-data/big/blob.bin         blob(2 MiB)
scratch-bucket (anyone may read, write and delete its objects when the emulator
runs with --public-write-bucket scratch-bucket):
    empty: tests write (and remove) what they need

blob(n) is the deterministic generator tests can recompute:
    bytes(((i * 2654435761) >> 13) & 0xFF for i in range(n))
and cog_pixel(x, y) the COG's band-1 value at column x, row y:
    (x * 3 + y * 5 + ((x * y) >> 7)) & 0xFF
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

BIG_SIZE = 2 * 1024 * 1024
README_TEXT = b"Public test data for s3-edge-proxy.\nAnyone may read this bucket.\n"
DATA_CSV = b"id,name,score\n1,alpha,3.5\n2,beta,4.25\n3,gamma,-1\n"
HELLO_TEXT = b"hello from a signed backend\n"
AWKWARD_NAMES = ["a b.txt", "plus+sign.txt", "eq=colon:.txt", "percent%41.txt",
                 "double//slash.txt", "unicodé-ключ.txt", "dots/../x.txt"]
AWKWARD_PREFIX = "public-data/awkward/"
METADATA_KEY = "public-data/meta/tagged.txt"
COG_KEY = "public-data/cogs/demo.tif"
COG_SIZE = 512


def blob(n: int) -> bytes:
    """Deterministic pseudo-random bytes (Knuth multiplicative hash of the index)."""
    return bytes(((i * 2654435761) >> 13) & 0xFF for i in range(n))


def cog_pixel(x: int, y: int) -> int:
    """The COG's band-1 value at column x, row y (a gradient with some texture)."""
    return (x * 3 + y * 5 + ((x * y) >> 7)) & 0xFF


def cog() -> bytes | None:
    """A small Cloud-Optimized GeoTIFF, made with gdal_translate; None without GDAL."""
    if not shutil.which("gdal_translate"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "src.pgm"), os.path.join(tmp, "demo.tif")
        with open(src, "wb") as f:   # binary PGM (P5): GDAL's PNM driver reads it, no bindings needed
            f.write(b"P5\n%d %d\n255\n" % (COG_SIZE, COG_SIZE))
            f.write(bytes(cog_pixel(x, y) for y in range(COG_SIZE) for x in range(COG_SIZE)))
        subprocess.run(["gdal_translate", "-q", "-of", "COG", "-a_srs", "EPSG:4326",
                        "-a_ullr", "10", "50", "20", "40", "-co", "BLOCKSIZE=256",
                        "-co", "COMPRESS=DEFLATE", "-co", "OVERVIEWS=AUTO", src, dst],
                       check=True, env={**os.environ, "GDAL_PAM_ENABLED": "NO"})
        with open(dst, "rb") as f:
            return f.read()


def fixtures() -> dict:
    """{bucket: [(key, body, extra put_object kwargs)]}."""
    big = blob(BIG_SIZE)
    public = [
        ("public-data/README.txt", README_TEXT, {"ContentType": "text/plain"}),
        ("public-data/nested/deeper/file.txt", b"deeper file\n", {}),
        ("public-data/nested/data.csv", DATA_CSV, {"ContentType": "text/csv"}),
        ("public-data/big/blob.bin", big, {"ContentType": "application/octet-stream"}),
        (METADATA_KEY, b"tagged\n", {"ContentType": "text/plain",
                                     "Metadata": {"owner": "demo"}}),
    ]
    public += [(AWKWARD_PREFIX + name, (AWKWARD_PREFIX + name).encode("utf-8"), {})
               for name in AWKWARD_NAMES]
    tif = cog()
    if tif is None:
        print(f"seed: gdal_translate not found, {COG_KEY} not seeded", file=sys.stderr)
    else:
        public.append((COG_KEY, tif, {"ContentType": "image/tiff"}))
    private = [
        ("repos/secret-data/hello.txt", HELLO_TEXT, {"ContentType": "text/plain"}),
        ("repos/secret-data/nested/a.txt", b"nested a\n", {}),
        ("repos/secret-data/big/blob.bin", big, {"ContentType": "application/octet-stream"}),
    ]
    return {"public-bucket": public, "private-bucket": private, "scratch-bucket": []}


def client(endpoint: str, akid: str, secret: str, token: str | None = None):
    import boto3
    import botocore.config
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=akid,
        aws_secret_access_key=secret, aws_session_token=token,
        config=botocore.config.Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                                      retries={"max_attempts": 1}))


def seed(endpoint: str, akid: str, secret: str) -> str:
    s3 = client(endpoint, akid, secret)
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    created = written = 0
    for bucket, objects in fixtures().items():
        if bucket not in existing:
            s3.create_bucket(Bucket=bucket)
            created += 1
        for key, body, extra in objects:
            s3.put_object(Bucket=bucket, Key=key, Body=body, **extra)
            written += 1
    # Read back what moto stored: awkward keys must come back literally.
    listed = {o["Key"] for o in s3.list_objects_v2(Bucket="public-bucket",
                                                   Prefix=AWKWARD_PREFIX).get("Contents", [])}
    missing = {AWKWARD_PREFIX + n for n in AWKWARD_NAMES} - listed
    if missing:
        raise SystemExit(f"seed: backend mangled keys: missing {sorted(missing)}, "
                         f"listed {sorted(listed)}")
    return (f"seeded {endpoint}: {created} bucket(s) created, {written} object(s) written "
            f"to public-bucket and private-bucket; scratch-bucket exists")


def main() -> int:
    p = argparse.ArgumentParser(description="Seed the S3 emulator fixtures.")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--key", required=True, metavar="AKID:SECRET")
    args = p.parse_args()
    akid, _, secret = args.key.partition(":")
    print(seed(args.endpoint, akid, secret))
    return 0


if __name__ == "__main__":
    sys.exit(main())
