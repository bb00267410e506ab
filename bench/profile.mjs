// Where does B spend its per-request CPU beyond P? Drives the real request handlers in node with a stub fetch
// (no network): P (bench/workers/passthrough.mjs), C (bench/workers/aws4fetch.mjs) and B (js/host.mjs
// handleRequest over the wasm core), then breaks B down.
//   node bench/profile.mjs [--wasm FILE] [--iters N]            µs per request for P, C, B, and micro-costs
//   node --cpu-prof --cpu-prof-dir=DIR bench/profile.mjs --only B   profile B's loop; summarize with
//   node bench/profile.mjs --summarize DIR/FILE.cpuprofile       self time by function (JS and wasm frames)
// A module with a "name" section (see bench/README.md, "Profiling") makes wasm frames readable.
// Node's Request/Response/Headers are undici's (JS), slower than workerd's native ones: read the absolute
// figures as node's; the differences between P and B and the ranking of hot spots are what carry over.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Core, Kind, Outcome } from "../js/core.mjs";
import { handleRequest } from "../js/host.mjs";
import { proxyConfig, proxySecrets, KEY_ID, SECRET, REGION, buckets, routes } from "./lib/config.mjs";
import { ACCOUNT, REPO, SMALL } from "./lib/fixtures.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);

if (argv.includes("--summarize")) {
  summarize(opt("--summarize"), Number(opt("--top", 30)));
  process.exit(0);
}

const ITERS = Number(opt("--iters", 20000));
const WASM_LOOP = argv.includes("--wasm-loop"); // the wasm alone: replay one signed GetObject through raw exports
const ONLY = opt("--only", "P,C,B").split(",");
const WASM = opt("--wasm", path.join(ROOT, "dist/core.wasm"));
const ORIGIN = "http://127.0.0.1:9";
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// What hey sends, and what nginx answers for the 1 KiB object.
const CLIENT_HEADERS = { "user-agent": "hey/0.0.1", "content-type": "text/html" };
const ORIGIN_HEADERS = [
  ["accept-ranges", "bytes"], ["content-length", "1024"], ["content-type", "application/octet-stream"],
  ["date", "Thu, 26 Nov 2026 12:00:00 GMT"], ["etag", '"6b082d97-400"'], ["last-modified", "Thu, 26 Nov 2026 11:00:00 GMT"],
  ["server", "nginx/1.22.1"],
];
const BODY = new Uint8Array(1024);
globalThis.fetch = async (input) => {
  if (input instanceof Request) await input.arrayBuffer?.().catch(() => {});
  return new Response(BODY, { status: 200, headers: ORIGIN_HEADERS });
};
const ctx = { waitUntil() {}, passThroughOnException() {} };
const consoleLog = console.log;
let logged = 0;
console.log = () => void logged++; // B logs one JSON line per request; workerd's console costs differ anyway

const url = `http://127.0.0.1:8787/${ACCOUNT}/${REPO}/${SMALL}`;
const request = new Request(url, { headers: CLIENT_HEADERS });

const P = (await import("./workers/passthrough.mjs")).default;
const C = (await import("./workers/aws4fetch.mjs")).default;
const envP = { ROUTES: JSON.stringify(routes(ORIGIN)), BUCKETS: JSON.stringify(buckets(ORIGIN)) };
const envC = { ROUTES: envP.ROUTES, BACKEND_KEY_ID: KEY_ID, BACKEND_SECRET: SECRET, BACKEND_REGION: REGION };
const envB = { S3P_CONFIG: JSON.stringify(proxyConfig(ORIGIN)), ...proxySecrets() };
const core = new Core(new WebAssembly.Module(fs.readFileSync(WASM)));
const init = core.init(envB.S3P_CONFIG, proxySecrets());
if (!init.ok) throw new Error(init.error);

if (WASM_LOOP) {
  const { rawGetObject } = await import("./lib/replay.mjs");
  const heads = Object.entries(CLIENT_HEADERS);
  const NOW = Date.now();
  for (const [label, repo] of [["signed", REPO], ["anonymous", `${REPO}-anonymous`]]) {
    const raw = rawGetObject(core, `/${ACCOUNT}/${repo}/${SMALL}`, heads, ORIGIN_HEADERS, NOW);
    for (const [what, fn] of [["begin→Fetch", raw.beginToFetch], ["whole GetObject", raw.cycle]]) {
      for (let i = 0; i < ITERS / 10; i++) fn();
      const xs = [];
      for (let s = 0; s < 7; s++) {
        const t0 = performance.now();
        for (let i = 0; i < ITERS / 7; i++) fn();
        xs.push(((performance.now() - t0) * 1000) / (ITERS / 7));
      }
      consoleLog(`wasm ${label} ${what}: min ${Math.min(...xs).toFixed(2)} µs, median ${median(xs).toFixed(2)} µs`);
    }
  }
  process.exit(0);
}

const handlers = {
  P: () => P.fetch(request, envP, ctx),
  C: () => C.fetch(request, envC, ctx),
  B: () => handleRequest(core, request, ctx, envB),
};

async function perRequestUs(fn, iters) {
  for (let i = 0; i < Math.min(iters, 3000); i++) await (await fn()).body?.cancel();
  const xs = [];
  for (let s = 0; s < 5; s++) {
    const t0 = performance.now();
    for (let i = 0; i < iters / 5; i++) {
      const r = await fn();
      if (r.status !== 200) throw new Error(`status ${r.status}`);
      await r.body?.cancel();
    }
    xs.push(((performance.now() - t0) * 1000) / (iters / 5));
  }
  return median(xs);
}

const out = {};
for (const name of ONLY) {
  out[name] = await perRequestUs(handlers[name], ITERS);
  consoleLog(`${name}: ${out[name].toFixed(1)} µs per request (node, stub fetch)`);
}
if (out.P && out.B) consoleLog(`B − P: ${(out.B - out.P).toFixed(1)} µs`);
if (argv.includes("--micro")) micro();

// ---- micro-costs of the steps B adds (each timed alone, µs per call) ----
function t(label, fn, iters = 100000) {
  for (let i = 0; i < iters / 10; i++) fn();
  const xs = [];
  for (let s = 0; s < 5; s++) {
    const t0 = performance.now();
    for (let i = 0; i < iters / 5; i++) fn();
    xs.push(((performance.now() - t0) * 1000) / (iters / 5));
  }
  consoleLog(`  ${label}: ${median(xs).toFixed(3)} µs`);
  return median(xs);
}

function micro() {
  consoleLog("micro-costs (node):");
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const buf = new Uint8Array(4096);
  const s40 = "x-amz-content-sha256: UNSIGNED-PAYLOAD..";
  t("TextEncoder.encodeInto, one 40-char string", () => enc.encodeInto(s40, buf.subarray(8)));
  const b40 = enc.encode(s40);
  t("TextDecoder.decode, one 40-byte string (subarray)", () => dec.decode(b40.subarray(0, 40)));
  t("decode 40 bytes as Latin-1 by String.fromCharCode.apply", () => String.fromCharCode.apply(null, b40));
  t("new URL(request.url)", () => new URL(request.url));
  t("[...request.headers] (2 headers)", () => [...request.headers]);
  t("crypto.getRandomValues(new Uint32Array(2))", () => crypto.getRandomValues(new Uint32Array(2)));
  t("new AbortController + setTimeout + clearTimeout", () => {
    const c = new AbortController();
    clearTimeout(setTimeout(() => c.abort(), 10000));
  });
  const resp = new Response(BODY, { status: 200, headers: ORIGIN_HEADERS });
  t("[...resp.headers] (7 headers)", () => [...resp.headers]);
  const respondHeaders = [...ORIGIN_HEADERS.filter(([k]) => k !== "server" && k !== "date"),
    ["access-control-allow-origin", "*"], ["access-control-expose-headers", "ETag, Content-Length, Content-Range, Content-Type, Accept-Ranges, Last-Modified, x-amz-request-id, x-amz-version-id, x-amz-delete-marker, Server-Timing"],
    ["server-timing", "backend;dur=1.0, total;dur=1.0"], ["x-amz-request-id", "7143CFEC00774FB9"]];
  t(`new Response(null, {headers: ${respondHeaders.length} pairs})`, () => new Response(null, { status: 200, headers: respondHeaders }));
  t("new Response(null, {headers: Headers (prebuilt)}) ", () => new Response(null, { status: 200, headers: resp.headers }));
  t("Date.now()", () => Date.now());

  // The wrapper's own encode/decode for one GetObject, against the wasm alone (same module, same inputs).
  const NOW = Date.now();
  const hdrs = [...request.headers];
  const path = `/${ACCOUNT}/${REPO}/${SMALL}`;
  t("core.begin (encode head + wasm req_begin) + free", () => core.free(core.begin("GET", path, "", hdrs, false, NOW)), 20000);
  t("core.begin + core.next → Fetch (decode) + free", () => {
    const id = core.begin("GET", path, "", hdrs, false, NOW);
    core.next(id, NOW);
    core.free(id);
  }, 20000);
  const whole = () => {
    const id = core.begin("GET", path, "", hdrs, false, NOW);
    core.next(id, NOW);
    core.feedFetch(id, { outcome: Outcome.OK, status: 200, headers: ORIGIN_HEADERS, handle: 2 }, NOW);
    const r = core.next(id, NOW);
    core.next(id, NOW);
    core.free(id);
    return r;
  };
  const r = whole();
  consoleLog(`  (Respond action: ${r.headers.length} headers, log line ${r.log.length} chars)`);
  t("whole GetObject through core.mjs (begin, next, feedFetch, next, next, free)", whole, 20000);
}

// ---- .cpuprofile summary: self time by function, wasm frames marked ----
function summarize(file, top) {
  const prof = JSON.parse(fs.readFileSync(file, "utf8"));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = new Map();
  for (let i = 0; i < prof.samples.length; i++) dt.set(i, prof.timeDeltas[i] ?? 0);
  const hits = new Map();
  prof.samples.forEach((id, i) => hits.set(id, (hits.get(id) ?? 0) + (prof.timeDeltas[i + 1] ?? prof.timeDeltas[i] ?? 0)));
  let total = 0, wasm = 0, gc = 0, idle = 0;
  for (const [id, us] of hits) {
    const n = byId.get(id);
    const cf = n.callFrame;
    const isWasm = cf.url.startsWith("wasm://");
    const key = `${isWasm ? "[wasm] " : ""}${cf.functionName || "(anonymous)"} ${isWasm ? "" : `${path.basename(cf.url)}:${cf.lineNumber + 1}`}`.trim();
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
    if (isWasm) wasm += us;
    if (cf.functionName === "(garbage collector)") gc += us;
    if (cf.functionName === "(idle)" || cf.functionName === "(program)") idle += us;
  }
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled; wasm ${((100 * wasm) / total).toFixed(1)}%, ` +
    `GC ${((100 * gc) / total).toFixed(1)}%, program/idle ${((100 * idle) / total).toFixed(1)}%`);
  for (const [k, us] of rows) console.log(`  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
}
