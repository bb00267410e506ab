// The registry's isolate tier is bounded: the memory a core holds for registry entries stops growing at the
// tier's capacity however many distinct accounts are asked for (an LRU), and the figure per entry is printed.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { describe, it } from "node:test";
import { Core, Kind } from "../../js/core.mjs";

const CAPACITY = 5000; // worker/registry/registry_cache.h kCapacity
const NEGATIVE_CAPACITY = 20000; // kNegativeCapacity
const K = "a registry deployment key, 32+ bytes";
// Sealed as ./scripts/registry writes it (worker/config/registry_settings.h).
const seal = (name, body) => {
  const e = crypto.createHmac("sha256", K).update("s3-edge-proxy registry entries v1").digest();
  return `v1.${crypto.createHmac("sha256", e).update(`${name}\n${body}`).digest("base64url")}\n${body}`;
};
const enc = new TextEncoder();
const entry = (i) => JSON.stringify({
  backends: { main: { endpoint: "https://s3.us-west-2.amazonaws.com", bucket: `bucket-${i}`, region: "us-west-2" } },
  repositories: { data: { backend: "main", prefix: `datasets/${i}/`, public: true, cache: { enabled: false } }, raw: { backend: "main", prefix: `raw/${i}/` } },
});

// The core's memory growth over `count` calls of `fn`, then over `more` calls after them: [at capacity, after].
function growth(core, fn, count, more) {
  const before = core.memory.buffer.byteLength;
  for (let i = 0; i < count; i++) fn(i);
  const atCapacity = core.memory.buffer.byteLength - before;
  for (let i = count; i < count + more; i++) fn(i);
  return [atCapacity, core.memory.buffer.byteLength - before];
}
const mib = (bytes) => (bytes / 1048576).toFixed(1);

for (const name of ["core-emcc", "core-wasi"]) {
  describe(`registry memory (${name})`, () => {
    it("grows with distinct accounts up to the capacity, then stays flat", () => {
      const core = new Core(new WebAssembly.Module(fs.readFileSync(new URL(`../../dist/${name}.wasm`, import.meta.url))));
      assert.deepEqual(core.init(JSON.stringify({ registry: { key_secret: "K" } }), { K }),
        { ok: true, error: "" });
      let reads = 0;
      const now = Date.now();
      const request = (i) => {
        const id = core.begin("GET", `/account-${String(i).padStart(6, "0")}/data/k`, "", [["host", "h"]], false, now);
        let a = core.next(id, now);
        if (a.kind === Kind.REGISTRY_GET) {
          reads++;
          core.feedHost(id, a.kind, true, enc.encode(seal(a.name, entry(i))), "", now);
          a = core.next(id, now);
        }
        assert.equal(a.kind, Kind.FETCH);
        core.feedFetch(id, { outcome: 0, status: 404, headers: [] }, now);
        assert.equal(core.next(id, now).kind, Kind.RESPOND);
        core.next(id, now);
        core.free(id);
      };
      const [atCapacity, after] = growth(core, request, CAPACITY, 2 * CAPACITY);
      console.log(`# registry tier (${name}): ${mib(atCapacity)} MiB for ${CAPACITY} entries ` +
        `(${Math.round(atCapacity / CAPACITY)} B each); ${mib(after)} MiB after ${3 * CAPACITY} accounts`);
      assert.equal(reads, 3 * CAPACITY);
      assert.ok(atCapacity < 16 << 20, `${atCapacity} bytes for ${CAPACITY} entries`);
      assert.ok(after <= atCapacity * 1.1 + (1 << 20), `grew past the capacity: ${after} vs ${atCapacity}`);
      // The oldest went; the newest are still served from the isolate.
      request(0);
      assert.equal(reads, 3 * CAPACITY + 1);
      request(3 * CAPACITY - 1);
      assert.equal(reads, 3 * CAPACITY + 1);
    });

    it("a scanner's unknown names: bounded apart, their figure printed", () => {
      const core = new Core(new WebAssembly.Module(fs.readFileSync(new URL(`../../dist/${name}.wasm`, import.meta.url))));
      assert.equal(core.init(JSON.stringify({ registry: { key_secret: "K" } }), { K }).ok, true);
      const now = Date.now();
      let reads = 0;
      const scan = (i) => {
        const id = core.begin("GET", `/scan-${String(i).padStart(7, "0")}/r/k`, "", [["host", "h"]], false, now);
        let a = core.next(id, now);
        if (a.kind === Kind.REGISTRY_GET) {
          reads++;
          core.feedHost(id, a.kind, true, new Uint8Array(0), "", now); // no such account
          a = core.next(id, now);
        }
        assert.equal(a.kind, Kind.RESPOND);
        core.next(id, now);
        core.free(id);
      };
      const [atCapacity, after] = growth(core, scan, NEGATIVE_CAPACITY, NEGATIVE_CAPACITY);
      console.log(`# negative answers (${name}): ${mib(atCapacity)} MiB for ${NEGATIVE_CAPACITY} names ` +
        `(${Math.round(atCapacity / NEGATIVE_CAPACITY)} B each); ${mib(after)} MiB after ${2 * NEGATIVE_CAPACITY}`);
      assert.equal(reads, 2 * NEGATIVE_CAPACITY);
      assert.ok(after <= atCapacity * 1.1 + (1 << 20), `grew past the capacity: ${after} vs ${atCapacity}`);
      for (let i = 2 * NEGATIVE_CAPACITY - 10000; i < 2 * NEGATIVE_CAPACITY; i++) scan(i); // the newest 10,000: no read
      assert.equal(reads, 2 * NEGATIVE_CAPACITY);
    });
  });
}
