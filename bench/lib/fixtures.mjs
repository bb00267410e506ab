// What the origin serves: the objects and the listing an S3 backend would hold for the bench's one repository.
//   account "acme", repository "climate" → backend bucket "bench-bucket", prefix "datasets/climate/"
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { windowLayout } from "./patterns.mjs";

export const ACCOUNT = "acme";
export const REPO = "climate";
export const BUCKET = "bench-bucket";
export const PREFIX = "datasets/climate/";
export const SMALL = "obj-1k";
export const BIG = "obj-64m";
export const BIG_SIZE = 64 << 20;
export const LIST_FILE = "list1000.xml";
// The edge-cache cells' objects (read through the delayed origin; patterns in bench/lib/patterns.mjs):
export const COLD = "cold-32g"; // sparse: 32 GiB of holes, no disk used; every cold request reads a fresh chunk
export const COLD_SIZE = 32 * 2 ** 30;
export const WINDOW = "table.parquet"; // a Parquet-shaped file: row groups, then a 64 KiB footer (random bytes)

// A realistic 1000-key ListObjectsV2 page as AWS S3 writes it (~255 KB). Also used by
// tests/wasm/list_rewrite_bench.mjs; must match bench_listing_1000() in tests/unit/test_list_rewrite.cpp.
export function listing1000() {
  const p2 = (n) => String(n).padStart(2, "0");
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>backend-bucket</Name>' +
      "<Prefix>datasets/climate/</Prefix>" +
      "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>" +
      "<KeyCount>1000</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>",
  ];
  for (let i = 0; i < 1000; i++) {
    const y = 1990 + Math.floor(i / 40), m = p2(1 + (i % 12)), d = p2(1 + (i % 28)), h = p2(i % 24);
    const key = `datasets/climate/era5/reanalysis/${y}/${m}/t2m_${y}${m}${d}_${h}.nc`;
    parts.push(
      `<Contents><Key>${key}</Key><LastModified>2024-05-02T10:11:12.000Z</LastModified>` +
        "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1048576</Size>" +
        "<StorageClass>STANDARD</StorageClass></Contents>",
    );
  }
  parts.push("</ListBucketResult>");
  return new TextEncoder().encode(parts.join(""));
}

// Creates (once) the origin's document root under `root`.
export function writeFixtures(root) {
  const dir = path.join(root, BUCKET, PREFIX);
  fs.mkdirSync(dir, { recursive: true });
  const small = path.join(dir, SMALL);
  if (!fs.existsSync(small)) fs.writeFileSync(small, crypto.randomBytes(1024));
  const big = path.join(dir, BIG);
  if (!fs.existsSync(big) || fs.statSync(big).size !== BIG_SIZE) {
    const fd = fs.openSync(big + ".tmp", "w");
    const chunk = crypto.randomBytes(1 << 20);
    for (let i = 0; i < BIG_SIZE >> 20; i++) {
      chunk[0] = i; // not the same MiB 64 times over
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);
    fs.renameSync(big + ".tmp", big);
  }
  fs.writeFileSync(path.join(root, LIST_FILE), listing1000());
  const cold = path.join(dir, COLD);
  if (!fs.existsSync(cold) || fs.statSync(cold).size !== COLD_SIZE) {
    const fd = fs.openSync(cold, "w");
    fs.ftruncateSync(fd, COLD_SIZE);
    fs.closeSync(fd);
  }
  const win = path.join(dir, WINDOW);
  if (!fs.existsSync(win) || fs.statSync(win).size !== windowLayout().size) {
    const bytes = crypto.randomBytes(windowLayout().size);
    bytes.write("PAR1", 0, "latin1");
    bytes.write("PAR1", bytes.length - 4, "latin1");
    fs.writeFileSync(win + ".tmp", bytes);
    fs.renameSync(win + ".tmp", win);
  }
}

// The bytes a range of a fixture object should carry (the sanity check compares every variant's answer to them).
export function fixtureBytes(root, key, start, end) {
  const fd = fs.openSync(path.join(root, BUCKET, PREFIX, key), "r");
  try {
    const b = Buffer.alloc(end - start + 1);
    fs.readSync(fd, b, 0, b.length, start);
    return b;
  } finally {
    fs.closeSync(fd);
  }
}
