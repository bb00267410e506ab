// Summarizes `perf record` data of workerd (from bench/workerd-profile.mjs --perf) as CPU µs per request by
// category — wasm, JS, V8 builtins/runtime, workerd API bindings (jsg), kj event loop, malloc, kernel — and the
// top symbols; several files side by side (e.g. P and B) show where B's extra CPU goes.
//   node bench/perf-summary.mjs .state/bench/profile/P.perf.data .state/bench/profile/B.perf.data [--top 25]
import { execFileSync } from "node:child_process";
import fs from "node:fs";

const argv = process.argv.slice(2);
const top = argv.includes("--top") ? Number(argv[argv.indexOf("--top") + 1]) : 25;
const files = argv.filter((a, i) => a.endsWith(".perf.data"));

function category(sym, kernel) {
  if (kernel) return "kernel";
  if (sym.startsWith("JS:")) {
    if (/\.m?js:\d+/.test(sym) || /^JS:[*~+^]/.test(sym)) return "JS (ours + runtime JS)";
    return "wasm";
  }
  if (/^Builtins_/.test(sym)) return "V8 builtins";
  if (/tcmalloc|TCMalloc/.test(sym)) return "malloc (tcmalloc)";
  if (/^v8::|^_ZN2v8/.test(sym)) return "V8 runtime/API";
  if (/^workerd::|jsg/.test(sym)) return "workerd API (jsg bindings)";
  if (/^kj::|^capnp::|^non-virtual thunk to kj/.test(sym)) return "kj/capnp (event loop, HTTP)";
  if (/^ada::|^simdutf|^icu|utf8/i.test(sym)) return "URL/UTF-8";
  if (/^__mem|^__str|^mem|^str/.test(sym)) return "libc mem/str";
  return "other";
}

const results = [];
for (const f of files) {
  const meta = JSON.parse(fs.readFileSync(f.replace(/\.perf\.data$/, ".perf.json"), "utf8"));
  const out = execFileSync("perf", ["report", "-i", f, "--no-children", "-g", "none", "--sort", "sym", "--stdio", "-n"],
    { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "ignore"] });
  let total = 0;
  const rows = [];
  for (const line of out.split("\n")) {
    const m = line.match(/^\s+([\d.]+)%\s+(\d+)\s+\[(.)\]\s+(.*)$/);
    if (!m) continue;
    const samples = Number(m[2]);
    total += samples;
    rows.push({ samples, kernel: m[3] === "k", sym: m[4].trim() });
  }
  // µs per request: this run's workerd CPU per request, split by sample share
  const perSample = meta.cpuUsPerReq / total;
  const cats = {};
  for (const r of rows) {
    const c = category(r.sym, r.kernel);
    cats[c] = (cats[c] ?? 0) + r.samples * perSample;
  }
  results.push({ f, meta, cats, rows: rows.slice(0, top).map((r) => ({ us: r.samples * perSample, sym: r.sym })) });
}

const allCats = [...new Set(results.flatMap((r) => Object.keys(r.cats)))].sort();
console.log(`| category (workerd CPU µs per request) | ${results.map((r) => r.meta.variant).join(" | ")} |`);
console.log(`| --- | ${results.map(() => "---:").join(" | ")} |`);
for (const c of allCats) console.log(`| ${c} | ${results.map((r) => (r.cats[c] ?? 0).toFixed(1)).join(" | ")} |`);
console.log(`| total | ${results.map((r) => r.meta.cpuUsPerReq.toFixed(1)).join(" | ")} |`);
for (const r of results) {
  console.log(`\ntop symbols, ${r.meta.variant} (${r.meta.rps.toFixed(0)} req/s, ${r.meta.cpuUsPerReq.toFixed(0)} µs/request):`);
  for (const x of r.rows) console.log(`  ${x.us.toFixed(2).padStart(7)} µs  ${x.sym.slice(0, 150)}`);
}
