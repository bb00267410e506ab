// The bench's Cache API for raw workerd (bench/workers/cache.mjs behind cacheApiOutbound, wired by
// bench/lib/workerd.mjs): a Worker's caches.default / caches.open put, match (whole, Range, conditional), TTL,
// delete and the memory bound, through a real `workerd serve` with the config the bench generates.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { freePort, startWorkerd, waitForPort, writeCapnp } from "../../bench/lib/workerd.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WORKERD = path.join(ROOT, "node_modules/@cloudflare/workerd-linux-64/bin/workerd");

// A Worker that drives the Cache API from the query: /put?key=&size=&cc=&stream=1, /match?key= (the request's
// Range / If-None-Match go to match), /delete?key=; &ns=NAME uses caches.open(NAME) instead of caches.default.
const TEST_WORKER = `
const body = (n) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8)) & 255; return b; };
export default {
  async fetch(request) {
    const u = new URL(request.url);
    const q = (k) => u.searchParams.get(k);
    const cache = q("ns") ? await caches.open(q("ns")) : caches.default;
    const key = "https://chunks.cache.internal/" + q("key");
    if (u.pathname === "/put") {
      const bytes = body(Number(q("size")));
      const headers = { "content-type": "application/octet-stream", etag: '"e-' + q("key") + '"' };
      if (q("cc")) headers["cache-control"] = q("cc");
      const payload = q("stream") ? new Blob([bytes]).stream() : bytes; // a stream: no Content-Length, serialized chunked
      await cache.put(key, new Response(payload, { headers }));
      return new Response("ok");
    }
    if (u.pathname === "/match") {
      const headers = {};
      for (const h of ["range", "if-none-match"]) if (request.headers.get(h) !== null) headers[h] = request.headers.get(h);
      const r = await cache.match(new Request(key, { headers }));
      if (!r) return new Response("miss", { status: 404, headers: { "x-test": "miss" } });
      return new Response(r.body, { status: r.status, headers: r.headers });
    }
    if (u.pathname === "/delete") return new Response(String(await cache.delete(key)));
    return new Response("no route", { status: 400 });
  },
};
`;
const expected = (n) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8)) & 255;
  return b;
};

describe("bench Cache API service (raw workerd, cacheApiOutbound)", () => {
  let dir, child, base;
  before(async () => {
    assert.ok(fs.existsSync(WORKERD), `workerd binary missing (${WORKERD}): npm ci`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-bench-cache-"));
    fs.writeFileSync(path.join(dir, "test.mjs"), TEST_WORKER);
    const port = await freePort();
    writeCapnp(path.join(dir, "test.capnp"), {
      port, modules: [{ name: "test.mjs", type: "esModule", file: path.join(dir, "test.mjs") }], bindings: {},
      cacheMaxBytes: 250_000,
    });
    child = startWorkerd(WORKERD, path.join(dir, "test.capnp"), 0, path.join(dir, "workerd.log"));
    await waitForPort(port);
    base = `http://127.0.0.1:${port}`;
  });
  after(() => {
    child?.kill("SIGTERM");
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  const get = async (p, headers = {}) => {
    const r = await fetch(base + p, { headers });
    return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
  };

  it("put then match returns the whole entry with its headers and CF-Cache-Status: HIT", async () => {
    assert.equal((await get("/put?key=a&size=100000&cc=max-age%3D600")).status, 200);
    const m = await get("/match?key=a");
    assert.equal(m.status, 200);
    assert.equal(m.headers.get("cf-cache-status"), "HIT");
    assert.equal(m.headers.get("etag"), '"e-a"');
    assert.equal(m.headers.get("content-length"), "100000");
    assert.ok(m.body.equals(expected(100000)));
  });

  it("match with a Range header answers 206 with Content-Range and exactly those bytes", async () => {
    const m = await get("/match?key=a", { range: "bytes=1000-66535" });
    assert.equal(m.status, 206);
    assert.equal(m.headers.get("content-range"), "bytes 1000-66535/100000");
    assert.ok(m.body.equals(expected(100000).subarray(1000, 66536)));
    const suffix = await get("/match?key=a", { range: "bytes=-10" });
    assert.equal(suffix.status, 206);
    assert.ok(suffix.body.equals(expected(100000).subarray(99990)));
    const open = await get("/match?key=a", { range: "bytes=99000-" });
    assert.equal(open.headers.get("content-range"), "bytes 99000-99999/100000");
    const past = await get("/match?key=a", { range: "bytes=200000-" });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get("content-range"), "bytes */100000");
  });

  it("If-None-Match with the stored ETag answers 304", async () => {
    assert.equal((await get("/match?key=a", { "if-none-match": '"e-a"' })).status, 304);
    assert.equal((await get("/match?key=a", { "if-none-match": '"other"' })).status, 200);
  });

  it("a streamed body (no Content-Length, serialized as chunked) is stored whole", async () => {
    await get("/put?key=s&size=70000&cc=max-age%3D600&stream=1");
    const m = await get("/match?key=s", { range: "bytes=65536-69999" });
    assert.equal(m.status, 206);
    assert.ok(m.body.equals(expected(70000).subarray(65536)));
  });

  it("misses: an absent key, no-store, private; a named cache is separate from the default one", async () => {
    assert.equal((await get("/match?key=never")).headers.get("x-test"), "miss");
    await get("/put?key=ns&size=10&cc=no-store");
    assert.equal((await get("/match?key=ns")).status, 404);
    await get("/put?key=pv&size=10&cc=private");
    assert.equal((await get("/match?key=pv")).status, 404);
    await get("/put?key=n&size=10&cc=max-age%3D600&ns=other");
    assert.equal((await get("/match?key=n&ns=other")).status, 200);
    assert.equal((await get("/match?key=n")).status, 404);
  });

  it("max-age is the TTL: the entry is gone once it expires", async () => {
    await get("/put?key=t&size=10&cc=max-age%3D1");
    assert.equal((await get("/match?key=t")).status, 200);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await get("/match?key=t")).status, 404);
  });

  it("delete removes the entry (true once, then false)", async () => {
    await get("/put?key=d&size=10&cc=max-age%3D600");
    assert.equal((await get("/delete?key=d")).body.toString(), "true");
    assert.equal((await get("/delete?key=d")).body.toString(), "false");
    assert.equal((await get("/match?key=d")).status, 404);
  });

  it("the memory bound evicts the least recently used entry first", async () => {
    for (const k of ["l1", "l2"]) await get(`/put?key=${k}&size=100000&cc=max-age%3D600`);
    await get("/match?key=l1"); // l1 is now more recent than l2
    await get("/put?key=l3&size=100000&cc=max-age%3D600"); // 300 KB > 250 KB: the oldest go
    assert.equal((await get("/match?key=l2")).status, 404);
    assert.equal((await get("/match?key=l1")).status, 200);
    assert.equal((await get("/match?key=l3")).status, 200);
  });
});
