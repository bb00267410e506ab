// The edge chunk cache end to end: the Worker in workerd (Miniflare's Cache API) in front of the verifying
// emulator. Objects are written straight to the backend (signed with the backend's keys), so the proxy learns of
// a change only as a real origin would tell it. Chunks are 64 KiB here, so a few hundred KiB span many of them.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, afterEach, before, describe, it } from "node:test";
import { AwsClient } from "aws4fetch";
import { Response as RuntimeResponse } from "miniflare";
import { clearFaults, DEMO_SECRETS, DEMO_USER, demoConfig, emu, EMU, eventually, jsonLogs, requestLogs, startProxy, withFault, xmlField } from "./harness.mjs";

const CHUNK = 64 * 1024;
const PREFIX = `edge-cache-e2e/${process.pid}/`;
const backend = new AwsClient({
  accessKeyId: process.env.DEMO_BACKEND_ACCESS_KEY_ID, secretAccessKey: process.env.DEMO_BACKEND_SECRET_ACCESS_KEY,
  service: "s3", region: "us-east-1",
});
const user = new AwsClient({ accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret, service: "s3", region: "us-east-1" });

// Deterministic bytes that differ per `seed`, so two versions of an object never share a chunk's content.
function bytesOf(n, seed) {
  const out = new Uint8Array(n);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

async function putAtOrigin(key, body) {
  const r = await backend.fetch(`${EMU}/private-bucket/${PREFIX}${key}`, { method: "PUT", body });
  assert.equal(r.status, 200, await r.text());
  return r.headers.get("etag");
}

// demo-org/cached: public, cached (64 KiB chunks, metadata for 60 s); cached-short: the same with metadata for 2 s
// (the tests about expiry); private-cached: the demo key's, cached because configured; private-plain: the demo
// key's, private and so not cached; uploads: cached, written through the proxy.
function config(mutate) {
  return demoConfig((c) => {
    const repos = c.accounts["demo-org"].repositories;
    // Every miss stores its chunk (admit_after 1): these tests are about what is stored; admission has its own.
    const cache = { enabled: true, chunk_size: CHUNK, metadata_ttl_s: 60, admit_after: 1 };
    repos.cached = { backend: "local-signed", prefix: PREFIX, public: true, cache };
    repos["cached-short"] = { backend: "local-signed", prefix: PREFIX, public: true, cache: { ...cache, metadata_ttl_s: 2 } };
    repos["private-cached"] = { backend: "local-signed", prefix: PREFIX, cache };
    repos["private-plain"] = { backend: "local-signed", prefix: PREFIX };
    repos["cached-fresh"] = { backend: "local-signed", prefix: PREFIX, public: true, cache, cache_control: "public, max-age=600" };
    repos["cached-admit"] = { backend: "local-signed", prefix: PREFIX, public: true, cache: { enabled: true, chunk_size: CHUNK } };
    repos.uploads.cache = cache;
    const scopes = c.access_keys[DEMO_USER.id].scopes;
    for (const r of ["private-cached", "private-plain"]) scopes.push({ account: "demo-org", repository: r, actions: ["read"] });
    mutate?.(c);
  });
}

const origin = async () => (await emu("stats")).s3_requests;
const rangeOf = (first, last) => ({ range: `bytes=${first}-${last ?? ""}` });
async function get(p, key, headers = {}, repo = "cached") {
  const r = await fetch(`${p.url}/demo-org/${repo}/${key}`, { headers });
  return { status: r.status, headers: r.headers, bytes: new Uint8Array(await r.arrayBuffer()) };
}
const equalBytes = (a, b) => a.length === b.length && Buffer.from(a).equals(Buffer.from(b));

// Where the core stores chunk `index` of `key` (its ETag `etag`), as worker/cache/chunk_plan.cpp names it: an HMAC
// keyed from the deployment's listing-token secret (worker/config/listing_token_key.cpp), so only this proxy can
// find it, of the object's identity — who the proxy is at the backend (local-signed: its static key), the
// endpoint, bucket and key. Returns { url, tag }.
function chunkEntry(key, etag, index) {
  const identity = `static ${DEMO_SECRETS.DEMO_BACKEND_ACCESS_KEY_ID}\n${EMU.replace(/\/$/, "")}/private-bucket\n${PREFIX}${key}`;
  const tag = `${CHUNK} ${index} ${etag}`;
  const hmac = (k, d) => crypto.createHmac("sha256", k).update(d).digest();
  const root = hmac("s3-edge-proxy listing tokens v1: configured", DEMO_SECRETS.DEMO_LISTING_TOKEN_KEY);
  const nameKey = hmac(root, "s3-edge-proxy object cache entry names v1");
  return { url: `https://object-cache.internal/v1/chunk/${hmac(nameKey, `${identity}\n${tag}`).toString("hex")}`, tag };
}
// Chunks are stored by a background task (which logs only failures): waits until chunk `index` of `key` is in the
// cache, whole and tagged with `etag`, its bytes those of `data` at that chunk.
async function chunkStored(p, key, etag, index, data) {
  const { url, tag } = chunkEntry(key, etag, index);
  const want = data.subarray(index * CHUNK, Math.min(data.length, (index + 1) * CHUNK));
  const caches = await p.mf.getCaches();
  await eventually(async () => {
    const e = await caches.default.match(url);
    if (!e) return false;
    const bytes = new Uint8Array(await e.arrayBuffer());
    return e.headers.get("x-s3p-chunk") === tag && equalBytes(bytes, want);
  }, { what: `chunk ${index} of ${key} stored` });
  return url;
}

describe("edge chunk cache", () => {
  let p;
  before(async () => {
    await clearFaults();
    p = await startProxy({ config: config() });
  });
  afterEach(clearFaults); // a test that failed midway never leaves a fault armed for the next
  after(() => p?.close());

  it("random ranges (across chunk boundaries, suffix, open) equal the origin's bytes, and repeat reads hit", async () => {
    const size = 7 * CHUNK + 12345; // a short last chunk
    const data = bytesOf(size, 1);
    const etag = await putAtOrigin("ranges.bin", data);
    const cases = [[0, 0], [0, CHUNK - 1], [CHUNK - 10, CHUNK + 9], [size - 1, size - 1], [3 * CHUNK, 6 * CHUNK + 1],
      [5, undefined], [6 * CHUNK + 7, undefined], [0, size + 1000]];
    for (let i = 0; i < 24; i++) {
      const a = Math.floor(Math.random() * size);
      cases.push([a, Math.min(size - 1, a + Math.floor(Math.random() * 3 * CHUNK))]);
    }
    for (const [first, last] of cases) {
      const r = await get(p, "ranges.bin", rangeOf(first, last));
      const end = last === undefined || last >= size ? size - 1 : last;
      assert.equal(r.status, 206, `${first}-${last}`);
      assert.equal(r.headers.get("content-range"), `bytes ${first}-${end}/${size}`);
      assert.equal(r.headers.get("content-length"), String(end - first + 1));
      assert.ok(equalBytes(r.bytes, data.subarray(first, end + 1)), `bytes ${first}-${last}`);
    }
    for (const suffix of [1, 100, CHUNK + 1, size, size + 5]) {
      const r = await get(p, "ranges.bin", { range: `bytes=-${suffix}` });
      assert.equal(r.status, 206);
      assert.ok(equalBytes(r.bytes, data.subarray(Math.max(0, size - suffix))), `suffix ${suffix}`);
    }
    const whole = await get(p, "ranges.bin");
    assert.equal(whole.status, 200);
    assert.ok(equalBytes(whole.bytes, data));
    // Everything is cached once the background stores have landed: the same reads again cost the origin nothing
    // and say so.
    for (let i = 0; i * CHUNK < size; i++) await chunkStored(p, "ranges.bin", etag, i, data);
    const before = await origin();
    const again = [];
    for (const [first, last] of cases.slice(0, 8)) {
      const r = await get(p, "ranges.bin", rangeOf(first, last));
      assert.equal(r.headers.get("x-edge-cache"), "hit", `${first}-${last}`);
      again.push(r);
    }
    assert.equal(await origin(), before);
    await requestLogs(p, again); // the lines trail the answers
    const lines = jsonLogs(p).filter((l) => l.op === "GetObject");
    assert.ok(lines.some((l) => l.cache === "hit") && lines.some((l) => l.cache === "miss"), "log lines say hit / miss");
  });

  it("admission (the default): one-off reads store nothing and ask the origin for the client's bytes only; a chunk read twice is stored, then hit", async () => {
    const data = bytesOf(4 * CHUNK, 21);
    const etag = await putAtOrigin("admit.bin", data);
    const read = async (first, last) => {
      const { last: seq } = await emu("requests?since=999999999");
      const r = await get(p, "admit.bin", rangeOf(first, last), "cached-admit");
      assert.ok(equalBytes(r.bytes, data.subarray(first, last + 1)), `${first}-${last}`);
      const { requests } = await emu(`requests?since=${seq}`);
      const ranges = requests.filter((q) => q.target === "s3").map((q) => q.headers.find(([n]) => n.toLowerCase() === "range")?.[1]);
      const [line] = await requestLogs(p, [r]);
      return { cache: r.headers.get("x-edge-cache"), ranges, line };
    };
    // Cold object, first read of chunk 1: the origin is asked for exactly the client's range (as without the cache).
    let r = await read(CHUNK + 100, CHUNK + 199);
    assert.equal(r.cache, "miss");
    assert.deepEqual(r.ranges, [`bytes=${CHUNK + 100}-${CHUNK + 199}`]);
    assert.equal(r.line.chunks_admitted, 0);
    // Metadata known, first read of chunk 2: planned, its miss fetches only the client's bytes, nothing stored.
    r = await read(2 * CHUNK + 5, 2 * CHUNK + 50);
    assert.deepEqual(r.ranges, [`bytes=${2 * CHUNK + 5}-${2 * CHUNK + 50}`]);
    assert.equal(r.line.chunks_admitted, 0);
    // Chunk 1 asked for again: admitted — fetched whole and stored; from then on, a hit with no origin request.
    r = await read(CHUNK + 300, CHUNK + 399);
    assert.deepEqual(r.ranges, [`bytes=${CHUNK}-${2 * CHUNK - 1}`]);
    assert.equal(r.line.chunks_admitted, 1);
    await chunkStored(p, "admit.bin", etag, 1, data);
    r = await read(CHUNK + 1000, CHUNK + 1099);
    assert.equal(r.cache, "hit");
    assert.deepEqual(r.ranges, []);
    // Chunk 2, read once only, was never stored (its entry would be there by now: chunk 1's is).
    const { url } = chunkEntry("admit.bin", etag, 2);
    assert.equal(await (await p.mf.getCaches()).default.match(url), undefined);
  });

  it("Cache-Control: the repository's on misses, hits and bypasses; else the backend's, else a short public max-age", async () => {
    const data = bytesOf(20 * CHUNK, 23); // a whole GET of 20 chunks is more than a plan holds: bypassed
    const etag = await putAtOrigin("fresh.bin", data);
    const miss = await get(p, "fresh.bin", rangeOf(0, 99), "cached-fresh");
    assert.equal(miss.headers.get("x-edge-cache"), "miss");
    await chunkStored(p, "fresh.bin", etag, 0, data);
    const hit = await get(p, "fresh.bin", rangeOf(100, 199), "cached-fresh");
    assert.equal(hit.headers.get("x-edge-cache"), "hit");
    const bypass = await get(p, "fresh.bin", {}, "cached-fresh");
    assert.equal(bypass.headers.get("x-edge-cache"), "bypass");
    for (const r of [miss, hit, bypass]) assert.equal(r.headers.get("cache-control"), "public, max-age=600");
    const head = await fetch(`${p.url}/demo-org/cached-fresh/fresh.bin`, { method: "HEAD" });
    assert.equal(head.headers.get("cache-control"), "public, max-age=600");
    // Without a configured value: the default for a public repository (the emulator's objects carry none).
    assert.equal((await get(p, "fresh.bin", rangeOf(0, 99))).headers.get("cache-control"), "public, max-age=60");
  });

  it("HEAD and conditional reads answer from the cached metadata, with S3's semantics", async () => {
    const data = bytesOf(3 * CHUNK, 2);
    const etag = await putAtOrigin("meta.bin", data);
    assert.equal((await get(p, "meta.bin", rangeOf(0, 9))).status, 206); // learns the metadata
    const before = await origin();
    const head = await fetch(`${p.url}/demo-org/cached/meta.bin`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(data.length));
    assert.equal(head.headers.get("etag"), etag);
    assert.equal((await get(p, "meta.bin", { "if-none-match": etag })).status, 304);
    const other = await fetch(`${p.url}/demo-org/cached/meta.bin`, { method: "HEAD", headers: { "if-none-match": '"other"' } });
    assert.equal(other.status, 200);
    const failed = await fetch(`${p.url}/demo-org/cached/meta.bin`, { headers: { "if-match": '"other"' } });
    assert.equal(failed.status, 412);
    assert.equal(xmlField(await failed.text(), "Code"), "PreconditionFailed");
    const lm = head.headers.get("last-modified");
    assert.equal((await get(p, "meta.bin", { "if-modified-since": lm })).status, 304);
    assert.equal((await get(p, "meta.bin", { "if-unmodified-since": "Sat, 01 Jan 2000 00:00:00 GMT" })).status, 412);
    // If-Match true beats If-Unmodified-Since false (S3): 200.
    const both = await fetch(`${p.url}/demo-org/cached/meta.bin`,
      { method: "HEAD", headers: { "if-match": etag, "if-unmodified-since": "Sat, 01 Jan 2000 00:00:00 GMT" } });
    assert.equal(both.status, 200);
    assert.equal(await origin(), before, "none of these asked the origin");
  });

  it("after the metadata TTL one conditional request revalidates it (304): the cached chunks serve on, no bytes refetched", async () => {
    const data = bytesOf(2 * CHUNK, 12);
    const etag = await putAtOrigin("revalidate.bin", data);
    assert.equal((await get(p, "revalidate.bin", rangeOf(0, 99), "cached-short")).status, 206);
    await chunkStored(p, "revalidate.bin", etag, 0, data); // its background store
    await new Promise((r) => setTimeout(r, 2200)); // metadata_ttl_s: 2, learned before the read returned: a wait on the clock is the point
    const before = await origin();
    const r = await get(p, "revalidate.bin", rangeOf(100, 199), "cached-short");
    assert.ok(equalBytes(r.bytes, data.subarray(100, 200)));
    assert.equal(r.headers.get("x-edge-cache"), "hit");
    assert.equal(await origin() - before, 1, "one If-None-Match request, answered 304");
    const [line] = await requestLogs(p, [r]);
    assert.equal(line.op, "GetObject");
    assert.equal(line.cache_meta, "revalidated");
  });

  it("N concurrent cold reads of one chunk make one origin request", async () => {
    const data = bytesOf(4 * CHUNK, 3);
    await putAtOrigin("herd.bin", data);
    const before = await origin();
    const reads = await Promise.all(Array.from({ length: 24 }, (_, i) => get(p, "herd.bin", rangeOf(CHUNK + i * 100, CHUNK + i * 100 + 99))));
    for (const [i, r] of reads.entries()) assert.ok(equalBytes(r.bytes, data.subarray(CHUNK + i * 100, CHUNK + i * 100 + 100)));
    assert.equal(await origin() - before, 1);
  });

  it("with the metadata known, N concurrent reads of one uncached chunk make one origin request", async () => {
    const data = bytesOf(3 * CHUNK, 13);
    await putAtOrigin("herd2.bin", data);
    assert.equal((await fetch(`${p.url}/demo-org/cached/herd2.bin`, { method: "HEAD" })).status, 200); // metadata only
    const before = await origin();
    const at = 2 * CHUNK + 500;
    const reads = await Promise.all(Array.from({ length: 16 }, (_, i) => get(p, "herd2.bin", rangeOf(at + i * 10, at + i * 10 + 99))));
    for (const [i, r] of reads.entries()) assert.ok(equalBytes(r.bytes, data.subarray(at + i * 10, at + i * 10 + 100)), `read ${i}`);
    assert.equal(await origin() - before, 1, "one chunk fetch for 16 readers");
  });

  it("an object overwritten at the origin during a read series is never served mixed", async () => {
    const size = 6 * CHUNK;
    const v1 = bytesOf(size, 10), v2 = bytesOf(size, 11);
    await putAtOrigin("flip.bin", v1);
    assert.equal((await get(p, "flip.bin", rangeOf(0, CHUNK - 1), "cached-short")).status, 206); // chunk 0, metadata
    const learned = Date.now(); // the metadata (v1) was learned before this; it expires 2 s after that at the latest
    await putAtOrigin("flip.bin", v2);
    let truncated = 0, whole = 0;
    // One read: its version (1 or 2) if whole, or null if it broke off — the only acceptable alternative to one
    // version's bytes.
    const readOne = async () => {
      const first = Math.floor(Math.random() * (size - 2 * CHUNK));
      const end = first + CHUNK + Math.floor(Math.random() * CHUNK);
      let r;
      try {
        r = await get(p, "flip.bin", rangeOf(first, end), "cached-short");
      } catch {
        truncated++;
        return null;
      }
      const one = equalBytes(r.bytes, v1.subarray(first, end + 1)) || equalBytes(r.bytes, v2.subarray(first, end + 1));
      if (!one && r.bytes.length < end - first + 1) {
        truncated++;
        return null;
      }
      assert.ok(one, `range ${first}-${end} is one version's bytes`);
      whole++;
      return equalBytes(r.bytes, v2.subarray(first, end + 1)) ? 2 : 1;
    };
    const until = learned + 4000; // the series runs across the 2 s metadata TTL
    while (Date.now() < until) await readOne();
    // Past the TTL (read started after it, whatever the load did to the series): the new version, whole.
    const afterTtl = learned + 2000 + 250;
    await new Promise((r) => setTimeout(r, Math.max(0, afterTtl - Date.now())));
    const last = await eventually(readOne, { what: "a complete read after the metadata TTL" });
    assert.ok(whole > 0, `complete answers: ${whole}, broken off: ${truncated}`);
    assert.equal(last, 2, "after the metadata TTL the new version is served");
  });

  it("an answer broken off because the object changed under it is followed at once by the new version", async () => {
    const v1 = bytesOf(3 * CHUNK, 20), v2 = bytesOf(3 * CHUNK, 21);
    await putAtOrigin("changed.bin", v1);
    assert.equal((await get(p, "changed.bin", rangeOf(0, 99))).status, 206); // metadata and chunk 0 of v1
    await putAtOrigin("changed.bin", v2);
    // Chunk 0 comes from the cache (v1), chunk 1 from the origin conditional on v1's ETag: 412, so the answer
    // breaks off rather than mix versions.
    let broken;
    try {
      const r = await get(p, "changed.bin", rangeOf(0, 2 * CHUNK - 1));
      broken = r.bytes.length < 2 * CHUNK;
      assert.ok(broken || equalBytes(r.bytes, v1.subarray(0, 2 * CHUNK)), "one version's bytes, or broken off");
    } catch {
      broken = true;
    }
    assert.ok(broken, "the v1 plan could not be completed");
    // The retry (well within the metadata TTL) learns v2.
    const again = await get(p, "changed.bin", rangeOf(0, 2 * CHUNK - 1));
    assert.ok(equalBytes(again.bytes, v2.subarray(0, 2 * CHUNK)), "the retry gets v2 whole");
  });

  it("a corrupted, truncated or foreign chunk entry is a miss: the origin's bytes are served", async () => {
    const data = bytesOf(2 * CHUNK, 4);
    const etag = await putAtOrigin("corrupt.bin", data);
    assert.equal((await get(p, "corrupt.bin", rangeOf(0, 99))).status, 206);
    // The chunk's background store lands where the core names it (chunkEntry).
    const url = await chunkStored(p, "corrupt.bin", etag, 0, data);
    const { tag } = chunkEntry("corrupt.bin", etag, 0);
    const caches = await p.mf.getCaches();
    const entries = [
      ["truncated", new RuntimeResponse(data.subarray(0, CHUNK - 1), { headers: { "x-s3p-chunk": tag, "cache-control": "max-age=600" } })],
      ["foreign tag", new RuntimeResponse(bytesOf(CHUNK, 99), { headers: { "x-s3p-chunk": "another", "cache-control": "max-age=600" } })],
      ["no tag", new RuntimeResponse(bytesOf(CHUNK, 98), { headers: { "cache-control": "max-age=600" } })],
    ];
    for (const [what, entry] of entries) {
      await caches.default.put(url, entry);
      const before = await origin();
      const r = await get(p, "corrupt.bin", rangeOf(10, 5000));
      assert.ok(equalBytes(r.bytes, data.subarray(10, 5001)), what);
      assert.equal(r.headers.get("x-edge-cache"), "miss", what);
      assert.equal(await origin() - before, 1, `${what}: one origin request`);
      // The miss stores the origin's chunk again in the background: let it land before the next entry is planted,
      // or it would overwrite that entry.
      await chunkStored(p, "corrupt.bin", etag, 0, data);
    }
  });

  it("private repositories are not cached unless configured; configured ones are, after authorization", async () => {
    const data = bytesOf(CHUNK, 5);
    const etag = await putAtOrigin("private.bin", data);
    const read = async (repo) => {
      const r = await user.fetch(`${p.url}/demo-org/${repo}/private.bin`, { headers: rangeOf(0, 99) });
      return { status: r.status, cache: r.headers.get("x-edge-cache"), bytes: new Uint8Array(await r.arrayBuffer()) };
    };
    let before = await origin();
    for (let i = 0; i < 3; i++) {
      const r = await read("private-plain");
      assert.equal(r.status, 206);
      assert.equal(r.cache, null);
    }
    assert.equal(await origin() - before, 3, "every read of an uncached repository reaches the origin");
    await read("private-cached");
    await chunkStored(p, "private.bin", etag, 0, data); // its background store
    before = await origin();
    const r = await read("private-cached");
    assert.equal(r.cache, "hit");
    assert.ok(equalBytes(r.bytes, data.subarray(0, 100)));
    assert.equal(await origin(), before);
    // Anonymous callers are refused before the cache is consulted.
    const anon = await fetch(`${p.url}/demo-org/private-cached/private.bin`);
    assert.equal(anon.status, 403);
  });

  it("a write through the proxy is seen at once: the metadata is forgotten, the new bytes served", async () => {
    const url = `${p.url}/demo-org/uploads/edge-cache-${process.pid}.bin`;
    const v1 = bytesOf(CHUNK + 10, 6), v2 = bytesOf(CHUNK + 20, 7);
    for (const [v, n] of [[v1, 1], [v2, 2]]) {
      const put = await user.fetch(url, { method: "PUT", body: v });
      assert.equal(put.status, 200, `PUT v${n}`);
      const r = await user.fetch(url);
      assert.ok(equalBytes(new Uint8Array(await r.arrayBuffer()), v), `GET after PUT v${n}`);
      await (await user.fetch(url, { method: "HEAD" })).arrayBuffer();
    }
    assert.equal((await user.fetch(url, { method: "DELETE" })).status, 204);
    assert.equal((await user.fetch(url)).status, 404);
  });

  it("origin faults on a cold chunk answer S3 XML 503; nothing broken is cached", async () => {
    const data = bytesOf(2 * CHUNK, 8);
    await putAtOrigin("faulty.bin", data);
    await withFault({ target: "s3", count: 1, mode: "status", status: 500 }, async () => {
      const r = await fetch(`${p.url}/demo-org/cached/faulty.bin`, { headers: rangeOf(0, 99) });
      assert.equal(r.status, 503);
      assert.equal(xmlField(await r.text(), "Code"), "ServiceUnavailable");
      assert.ok(r.headers.get("retry-after"));
    });
    const ok = await get(p, "faulty.bin", rangeOf(0, 99));
    assert.ok(equalBytes(ok.bytes, data.subarray(0, 100)));
  });
});
