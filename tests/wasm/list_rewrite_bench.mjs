// Benchmark (not a test): ms of wasm CPU per 1000-key ListObjectsV2 rewrite, for both modules.
//   node tests/wasm/list_rewrite_bench.mjs        (after scripts/build --wasm-only)
// The budget (DESIGN.md) is <= 1 ms per 1000-key listing. The native figure comes from
//   build/native/unit_tests "[.bench]"
// which rewrites the same document.
import fs from "node:fs";
import { listing1000 } from "../../bench/lib/fixtures.mjs"; // must match bench_listing_1000() in test_list_rewrite.cpp
import { Core } from "../../js/core.mjs";

const MODULES = ["core-emcc", "core-wasi"];
const RUNS = 9;
const ITERATIONS = 100;

const doc = listing1000();
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`listing: ${doc.length} bytes, 1000 keys; ${RUNS} runs x ${ITERATIONS} rewrites`);

for (const name of MODULES) {
  const bytes = fs.readFileSync(new URL(`../../dist/${name}.wasm`, import.meta.url));
  const core = new Core(new WebAssembly.Module(bytes));
  const x = core.instance.exports;
  if (!x.bench_in || !x.bench_list_rewrite) throw new Error(`${name}: no bench exports (rebuild the wasm)`);
  const ptr = x.bench_in(doc.length);
  new Uint8Array(core.memory.buffer, ptr, doc.length).set(doc); // after bench_in: memory may have grown
  const outSize = x.bench_list_rewrite(doc.length, 1);
  if (outSize === 0) throw new Error(`${name}: rewrite failed`);
  x.bench_list_rewrite(doc.length, ITERATIONS); // warm-up (tier-up to the optimizing compiler)
  // CPU time of this process (the budget is CPU, and this machine may be shared), and wall time.
  const cpu = [], wall = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    const n = x.bench_list_rewrite(doc.length, ITERATIONS);
    const t1 = performance.now(), c1 = process.cpuUsage(c0);
    if (n !== outSize) throw new Error(`${name}: output size changed`);
    cpu.push((c1.user + c1.system) / 1000 / ITERATIONS);
    wall.push((t1 - t0) / ITERATIONS);
  }
  console.log(
    `${name}: ${median(cpu).toFixed(3)} ms CPU per 1000-key rewrite (min ${Math.min(...cpu).toFixed(3)}; ` +
      `wall median ${median(wall).toFixed(3)}); out ${outSize} bytes`,
  );
}
