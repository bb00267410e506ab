// A/B of wasm modules on the same in-module work, samples interleaved so machine noise hits both alike:
//   node bench/compare-modules.mjs A.wasm B.wasm [...]     best-of-samples µs per signed GetObject and list rewrite
import fs from "node:fs";
import path from "node:path";
import { Core } from "../js/core.mjs";
import { proxyConfig, proxySecrets } from "./lib/config.mjs";
import { ACCOUNT, REPO, SMALL, listing1000 } from "./lib/fixtures.mjs";
import { rawGetObject } from "./lib/replay.mjs";

const files = process.argv.slice(2);
const NOW = Date.now();
const CLIENT = [["host", "127.0.0.1:8787"], ["user-agent", "hey/0.0.1"], ["content-type", "text/html"]];
const ORIGIN = [["accept-ranges", "bytes"], ["content-length", "1024"], ["content-type", "application/octet-stream"],
  ["date", "Thu, 26 Nov 2026 12:00:00 GMT"], ["etag", '"6b082d97-400"'], ["last-modified", "Thu, 26 Nov 2026 11:00:00 GMT"], ["server", "nginx/1.22.1"]];
const doc = listing1000();
const subjects = files.map((f) => {
  const core = new Core(new WebAssembly.Module(fs.readFileSync(f)));
  if (!core.init(JSON.stringify(proxyConfig("http://127.0.0.1:9")), proxySecrets()).ok) throw new Error(`${f}: config`);
  const raw = rawGetObject(core, `/${ACCOUNT}/${REPO}/${SMALL}`, CLIENT, ORIGIN, NOW);
  const anon = rawGetObject(core, `/${ACCOUNT}/${REPO}-anonymous/${SMALL}`, CLIENT, ORIGIN, NOW);
  const x = core.x;
  let list = null;
  if (x.bench_list_rewrite) {
    const p = x.bench_in(doc.length);
    new Uint8Array(x.memory.buffer, p, doc.length).set(doc);
    list = () => x.bench_list_rewrite(doc.length, 1);
  }
  return { f: path.basename(path.dirname(f)) + "/" + path.basename(f), fns: { beginToFetch: raw.beginToFetch, anonBeginToFetch: anon.beginToFetch, cycle: raw.cycle, list }, best: {} };
});
const ITERS = { beginToFetch: 3000, anonBeginToFetch: 3000, cycle: 3000, list: 30 };
for (let round = 0; round < 15; round++)
  for (const s of subjects)
    for (const [name, fn] of Object.entries(s.fns)) {
      if (!fn) continue;
      const t0 = performance.now();
      for (let i = 0; i < ITERS[name]; i++) fn();
      const us = ((performance.now() - t0) * 1000) / ITERS[name];
      if (round > 1) s.best[name] = Math.min(s.best[name] ?? Infinity, us);
    }
for (const s of subjects)
  console.log(`${s.f}: begin→Fetch ${s.best.beginToFetch.toFixed(2)} µs (unsigned ${s.best.anonBeginToFetch.toFixed(2)}, SigV4 ` +
    `${(s.best.beginToFetch - s.best.anonBeginToFetch).toFixed(2)}), whole GetObject ${s.best.cycle.toFixed(2)} µs, ` +
    `list rewrite ${s.best.list ? (s.best.list / 1000).toFixed(3) + " ms" : "n/a"}`);
