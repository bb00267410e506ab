// What the edge-cache cells read: deterministic ranged-request patterns over the delayed origin's objects
// (bench/lib/fixtures.mjs). Every variant gets the same sequence.
//   cold    each request reads a 64 KiB range in a chunk no earlier request of this variant touched
//   warm    a small set of 64 KiB ranges (one per chunk) read over and over
//   window  a Parquet-style reader: the footer (last 64 KiB), then a few ~1 MiB row groups; many clients repeat it
// A pattern is a list (or generator) of sessions; a session is the requests one client makes in order.

export const RANGE = 64 << 10;

const isPow2 = (n) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

// Request i of the cold pattern over an object of `size` bytes cut into `chunk`-byte chunks: chunk perm(i), where
// perm is a bijection of [0, n) (an odd multiplier modulo the power of two n), so requests 0..n-1 touch n different
// chunks; within the chunk, a 64 KiB-aligned slot. `wrapped` says i ≥ n (chunks are reused from there on).
export function coldRange(i, { size, chunk, range = RANGE }) {
  const n = size / chunk;
  if (!isPow2(n) || !isPow2(chunk / range)) throw new Error(`cold pattern: size/chunk (${n}) and chunk/range must be powers of two`);
  const idx = (Math.imul(i % n, 0x9e3779b1) + 0x2545f491) & (n - 1);
  const slot = (Math.imul(i, 0x85ebca6b) >>> 13) % (chunk / range);
  const start = idx * chunk + slot * range;
  return { range: `bytes=${start}-${start + range - 1}`, chunk: idx, wrapped: i >= n };
}

// The warm set: `count` 64 KiB ranges over an object of `size` bytes, each inside its own `chunk`-byte chunk, the
// chunks spread over the object.
export function warmRanges({ size, chunk, count = 16, range = RANGE }) {
  const n = Math.floor(size / chunk);
  if (count > n) throw new Error(`warm pattern: ${count} ranges need ${count} chunks; the object has ${n}`);
  const out = [];
  for (let k = 0; k < count; k++) {
    const idx = Math.floor((k * n) / count);
    const slot = (k * 5 + 3) % Math.max(1, Math.floor(chunk / range));
    const start = idx * chunk + slot * range;
    out.push(`bytes=${start}-${start + range - 1}`);
  }
  return out;
}

// A Parquet-like file: "PAR1", 8 row groups of 0.85–1.2 MiB (sizes that do not line up with any chunk size, so row
// groups straddle chunk boundaries as real ones do), then a 64 KiB footer. Ranges are inclusive [start, end].
const ROW_GROUP_KIB = [1024, 893, 1229, 977, 1131, 911, 1187, 1049];
export const WINDOW_FOOTER = 64 << 10;
export function windowLayout() {
  let at = 4;
  const rowGroups = ROW_GROUP_KIB.map((kib) => {
    const rg = { start: at, end: at + kib * 1024 - 1 };
    at += kib * 1024;
    return rg;
  });
  const footer = { start: at, end: at + WINDOW_FOOTER - 1 };
  return { size: at + WINDOW_FOOTER, rowGroups, footer };
}

// Client s reads the footer, then row groups s, s+3 and s+5 (mod 8): 8 distinct sessions, cycled by the clients.
export function windowSessions(path) {
  const { rowGroups: rg, footer } = windowLayout();
  const req = (r) => ({ path, range: `bytes=${r.start}-${r.end}` });
  return rg.map((_, s) => [req(footer), req(rg[s]), req(rg[(s + 3) % rg.length]), req(rg[(s + 5) % rg.length])]);
}

// "bytes=a-b" → [a, b]
export const parseRange = (r) => r.slice(6).split("-").map(Number);
