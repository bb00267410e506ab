// The edge-cache cells' helpers (bench/lib/patterns.mjs, bench/lib/loadgen.mjs via load.mjs#ranged) and the
// listing peer (bench/workers/listing.mjs), without workerd: the patterns read what the cells claim, the load tool
// sends each request's own Range and counts what came back, the peer's regex rewrite yields the repository's keys.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { listing1000 } from "../../bench/lib/fixtures.mjs";
import { ranged } from "../../bench/lib/load.mjs";
import { coldRange, parseRange, RANGE, warmRanges, windowLayout, windowSessions } from "../../bench/lib/patterns.mjs";

const MiB = 1 << 20;

describe("edge-cache patterns", () => {
  it("cold: n requests touch n different chunks, each a 64 KiB range inside one chunk of the object", () => {
    for (const chunk of [MiB, 4 * MiB]) {
      const size = 1024 * chunk, seen = new Set();
      for (let i = 0; i < 1024; i++) {
        const r = coldRange(i, { size, chunk });
        const [a, b] = parseRange(r.range);
        assert.equal(b - a + 1, RANGE);
        assert.equal(a % RANGE, 0);
        assert.equal(Math.floor(a / chunk), Math.floor(b / chunk), "inside one chunk");
        assert.equal(Math.floor(a / chunk), r.chunk);
        assert.ok(b < size);
        assert.equal(r.wrapped, false);
        seen.add(r.chunk);
      }
      assert.equal(seen.size, 1024);
      assert.equal(coldRange(1024, { size, chunk }).wrapped, true);
    }
    assert.throws(() => coldRange(0, { size: 3 * MiB, chunk: MiB }), /powers of two/);
  });

  it("warm: 16 ranges in 16 different chunks of the object", () => {
    const rs = warmRanges({ size: 64 * MiB, chunk: MiB });
    assert.equal(rs.length, 16);
    const chunks = rs.map((r) => parseRange(r)).map(([a, b]) => {
      assert.equal(b - a + 1, RANGE);
      assert.equal(Math.floor(a / MiB), Math.floor(b / MiB));
      return Math.floor(a / MiB);
    });
    assert.equal(new Set(chunks).size, 16);
  });

  it("window: row groups tile the file after the magic, the footer is its last 64 KiB, row groups straddle chunks", () => {
    const { size, rowGroups, footer } = windowLayout();
    assert.equal(rowGroups[0].start, 4);
    for (let i = 1; i < rowGroups.length; i++) assert.equal(rowGroups[i].start, rowGroups[i - 1].end + 1);
    assert.equal(footer.start, rowGroups.at(-1).end + 1);
    assert.equal(footer.end, size - 1);
    assert.equal(footer.end - footer.start + 1, 64 * 1024);
    for (const chunk of [MiB, 4 * MiB])
      assert.ok(rowGroups.some((r) => Math.floor(r.start / chunk) !== Math.floor(r.end / chunk)), `some row group straddles ${chunk}`);
    const sessions = windowSessions("/a/b/t.parquet");
    assert.equal(sessions.length, 8);
    for (const s of sessions) {
      assert.equal(s.length, 4);
      assert.equal(s[0].range, `bytes=${footer.start}-${footer.end}`);
      assert.equal(new Set(s.map((r) => r.range)).size, 4);
    }
  });
});

describe("loadgen (ranged)", () => {
  let server, base;
  const seen = [];
  before(async () => {
    // answers 206 with as many bytes as the Range asks for; x-edge-cache alternates hit/miss
    server = http.createServer((req, res) => {
      seen.push(req.headers.range);
      const [a, b] = parseRange(req.headers.range);
      res.writeHead(206, { "content-length": b - a + 1, "x-edge-cache": seen.length % 2 ? "miss" : "hit" });
      res.end(Buffer.alloc(b - a + 1));
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${server.address().port}`;
  });
  after(() => server.close());

  it("cold: n requests from the cursor, each its own range; reports statuses, bytes, edge outcomes, sessions used", async () => {
    seen.length = 0;
    const pattern = { kind: "cold", path: "/x", size: 1024 * MiB, chunk: MiB, start: 10 };
    const r = await ranged({ base, c: 4, n: 40, pattern, cpu: 0 });
    assert.equal(r.responses, 40);
    assert.deepEqual(r.statuses, { 206: 40 });
    assert.equal(r.bytes, 40 * RANGE);
    assert.equal(r.edge.hit + r.edge.miss, 40);
    assert.ok(r.sessions >= 40);
    assert.equal(new Set(seen).size, 40);
    const expected = new Set(Array.from({ length: r.sessions }, (_, i) => coldRange(10 + i, pattern).range));
    for (const s of seen) assert.ok(expected.has(s));
    assert.ok(r.p50 > 0 && r.p99 >= r.p50);
  });

  it("sessions: each client makes a session's requests in order", async () => {
    seen.length = 0;
    const sessions = windowSessions("/t");
    const r = await ranged({ base, c: 1, n: 8, pattern: { kind: "sessions", sessions }, cpu: 0 });
    assert.equal(r.responses, 8);
    assert.deepEqual(seen, [...sessions[0], ...sessions[1]].map((x) => x.range));
  });
});

describe("listing peer (bench/workers/listing.mjs)", () => {
  let server, origin, worker;
  const asked = [];
  before(async () => {
    server = http.createServer((req, res) => {
      asked.push({ url: req.url, auth: req.headers.authorization });
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(Buffer.from(listing1000()));
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${server.address().port}`;
    worker = (await import("../../bench/workers/listing.mjs")).default;
  });
  after(() => server.close());

  it("lists the backend prefix, signed, and answers the repository's keys", async () => {
    const env = { ROUTES: JSON.stringify({ "acme/climate": `${origin}/bench-bucket/datasets/climate/` }),
      BACKEND_KEY_ID: "AKIDTEST", BACKEND_SECRET: "secret", BACKEND_REGION: "us-east-1" };
    const resp = await worker.fetch(new Request("http://proxy/acme?list-type=2&prefix=climate/era5/"), env);
    assert.equal(resp.status, 200);
    const xml = await resp.text();
    assert.equal(asked.length, 1);
    assert.match(asked[0].url, /^\/bench-bucket\/\?list-type=2&prefix=datasets%2Fclimate%2Fera5%2F$/);
    assert.match(asked[0].auth, /^AWS4-HMAC-SHA256 Credential=AKIDTEST\//);
    assert.equal(xml.match(/<Key>climate\/era5\//g).length, 1000);
    assert.doesNotMatch(xml, /datasets\/climate/);
    assert.match(xml, /<Name>acme<\/Name>/);
    assert.match(xml, /<Prefix>climate\/<\/Prefix>/);
  });
});
