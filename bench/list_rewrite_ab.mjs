// The 1000-key list rewrite alone (the bench_list_rewrite export: wasm only, no ABI, no I/O), for two or more
// modules measured in interleaved samples so that a machine shared with other work loads them alike. Not run by
// scripts/bench.
//   node bench/list_rewrite_ab.mjs BASE.wasm NEW.wasm [...]   (e.g. a saved dist/core.wasm against this tree's)
// Prints, per module, the median and min µs of process CPU per rewrite, and each module's median ratio to the first.
import fs from "node:fs";
import { listing1000 } from "./lib/fixtures.mjs";
import { Core } from "../js/core.mjs";

const files = process.argv.slice(2);
if (files.length < 2) throw new Error("usage: node bench/list_rewrite_ab.mjs BASE.wasm NEW.wasm [...]");
const SAMPLES = 15, ITERATIONS = 50;
const doc = listing1000();
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const mods = files.map((file) => {
  const core = new Core(new WebAssembly.Module(fs.readFileSync(file)));
  const x = core.instance.exports;
  if (!x.bench_in || !x.bench_list_rewrite) throw new Error(`${file}: no bench exports`);
  const ptr = x.bench_in(doc.length);
  new Uint8Array(core.memory.buffer, ptr, doc.length).set(doc); // after bench_in: memory may have grown
  const out = x.bench_list_rewrite(doc.length, 1);
  if (out === 0) throw new Error(`${file}: rewrite failed`);
  x.bench_list_rewrite(doc.length, 200); // warm-up (tier-up)
  return { file, x, out, us: [] };
});
if (new Set(mods.map((m) => m.out)).size !== 1) console.log("note: output sizes differ:", mods.map((m) => m.out).join(" "));
for (let s = 0; s < SAMPLES; s++) {
  for (let k = 0; k < mods.length; k++) {
    const m = mods[(s + k) % mods.length]; // rotate the order
    const c0 = process.cpuUsage();
    m.x.bench_list_rewrite(doc.length, ITERATIONS);
    const c1 = process.cpuUsage(c0);
    m.us.push((c1.user + c1.system) / ITERATIONS);
  }
}
const base = mods[0].us;
for (const m of mods) {
  const ratio = median(m.us.map((u, i) => u / base[i]));
  console.log(`${m.file}: ${median(m.us).toFixed(1)} µs CPU per 1000-key rewrite (min ${Math.min(...m.us).toFixed(1)}), ` +
    `${ratio.toFixed(2)}× the first (median of paired samples); out ${m.out} bytes`);
}
