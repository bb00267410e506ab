// In-module figures, measured in node against the real wasm modules through js/core.mjs (the Worker's own ABI
// wrapper): module size, instantiate time, wasm time per signed GetObject, per 1000-key list rewrite, and what
// the JS encode/decode around it costs; and the same GetObject with the namespace from the registry (its entry warm
// in the core's isolate tier), against the static config.
//   node bench/inmodule.mjs [--quick] [--json FILE] [DIR]    (DIR holds core-emcc.wasm and core-wasi.wasm; default dist/)
// Timings are the best (minimum) of several samples of many iterations each, after a warm-up (V8 tiers wasm up to
// TurboFan), with the two modules' samples interleaved: on a shared machine the least-disturbed sample is the most
// reproducible estimate of CPU-bound code, and interleaving keeps the module comparison fair. These are hot-loop
// figures: inside workerd, per request, the same code costs more (cold caches, some Liftoff code; bench/README.md).
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { Core, Kind, Outcome } from "../js/core.mjs";
import { proxyConfig, proxySecrets } from "./lib/config.mjs";
import { ACCOUNT, REPO, SMALL, listing1000 } from "./lib/fixtures.mjs";
import { DEPLOYMENT_KEY, KEY_SECRET, smallRegistry } from "./lib/registry.mjs";
import { getObjectCycle, rawGetObject } from "./lib/replay.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : null;
const dir = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--json")[0] ?? new URL("../dist/", import.meta.url).pathname;
const SAMPLES = quick ? 5 : 9;
const ORIGIN = "http://127.0.0.1:9";
const CONFIG = JSON.stringify(proxyConfig(ORIGIN));
const ENV = proxySecrets();
const NOW = Date.parse("2026-11-26T12:00:00Z");
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// B's namespace moved into a registry (bench/lib/registry.mjs), for the registry figures; null when this build's
// core has no registry (its deployment config is refused, or the entries' validation fails).
let REGISTRY = null;
try {
  const any = ["core-wasi", "core-emcc"].map((n) => path.join(dir, `${n}.wasm`)).find((f) => fs.existsSync(f));
  const r = await smallRegistry(proxyConfig(ORIGIN), any);
  REGISTRY = { config: JSON.stringify(r.deployment), env: { ...ENV, [KEY_SECRET]: DEPLOYMENT_KEY }, values: r.small };
} catch (err) {
  console.error(`[inmodule] no registry figures: ${err.message}`);
}

// Headers an S3 SDK sends on a GetObject (what the Worker sees), and what the origin answers.
const CLIENT_HEADERS = [
  ["host", "proxy.example.com"], ["user-agent", "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 botocore/2.4.5"],
  ["accept-encoding", "identity"], ["x-amz-date", "20261126T120000Z"],
  ["x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  ["amz-sdk-invocation-id", "8d3a8b1e-1b3f-4a4e-9f11-1d2a6c1f6b7e"], ["amz-sdk-request", "attempt=1"],
];
const ORIGIN_HEADERS = [
  ["accept-ranges", "bytes"], ["content-length", "1024"], ["content-type", "application/octet-stream"],
  ["date", "Thu, 26 Nov 2026 12:00:00 GMT"], ["etag", '"6b082d97-400"'], ["last-modified", "Thu, 26 Nov 2026 11:00:00 GMT"],
  ["server", "nginx/1.22.1"],
];

function load(file) {
  const module = new WebAssembly.Module(fs.readFileSync(file));
  const core = new Core(module);
  const { ok, error } = core.init(CONFIG, ENV);
  if (!ok) throw new Error(`${file}: config rejected: ${error}`);
  return { module, core };
}

// Everything for one module, as closures the sampler below interleaves across modules.
function prepare(name, file) {
  const out = { name };
  const bytes = fs.readFileSync(file);
  out.size = bytes.length;
  out.gzip = zlib.gzipSync(bytes, { level: 9 }).length;
  const { module, core } = load(file);
  const x = core.x;
  const path = `/${ACCOUNT}/${REPO}/${SMALL}`;
  const raw = rawGetObject(core, path, CLIENT_HEADERS, ORIGIN_HEADERS, NOW);
  if (!raw.fetch.headers.has("authorization")) throw new Error("backend request is not signed");
  const anon = rawGetObject(core, `/${ACCOUNT}/${REPO}-anonymous/${SMALL}`, CLIENT_HEADERS, ORIGIN_HEADERS, NOW);
  if (anon.fetch.headers.has("authorization")) throw new Error("anonymous backend request is signed");
  const doc = listing1000();
  const fns = {
    // wasm only: begin → Fetch (route + plan + SigV4 with the cached signing key)
    wasmBeginToFetchUs: raw.beginToFetch,
    // the same request to an unsigned backend: the difference is SigV4
    wasmBeginToFetchAnonUs: anon.beginToFetch,
    // wasm only: the whole request (begin, Fetch, feed the origin's 200, Respond, Done, free)
    wasmCycleUs: raw.cycle,
    // the same through the wrapper: wasm + encoding the head/result + decoding the actions into JS objects
    wrapperCycleUs: () => getObjectCycle(core, path, CLIENT_HEADERS, ORIGIN_HEADERS, NOW),
    // a whole ListObjectsV2 through the ABI (plan, sign, feed the 255 KB page, rewrite, Respond, decode), in µs
    listRequestUs: () => {
      const id = core.begin("GET", `/${ACCOUNT}`, `list-type=2&prefix=${REPO}/`, CLIENT_HEADERS, false, NOW);
      const f = core.next(id, NOW);
      if (f.kind !== Kind.FETCH) throw new Error(`list: expected Fetch, got ${f.kind}`);
      core.feedFetch(id, { outcome: Outcome.OK, status: 200, headers: [["content-type", "application/xml"]], body: doc }, NOW);
      const r = core.next(id, NOW);
      if (r.kind !== Kind.RESPOND || r.status !== 200) throw new Error(`list: expected 200, got ${r.status}`);
      core.next(id, NOW);
      core.free(id);
    },
  };
  // the same GetObject with the account from the registry, its entry warm in the isolate tier (read once here; the
  // loops' fixed clock keeps it within its TTL)
  if (REGISTRY) {
    const rcore = new Core(module);
    const init = rcore.init(REGISTRY.config, REGISTRY.env);
    if (!init.ok) throw new Error(`${file}: registry deployment config rejected: ${init.error}`);
    const id = rcore.begin("GET", path, "", CLIENT_HEADERS, false, NOW);
    let a = rcore.next(id, NOW);
    while (a.kind === Kind.REGISTRY_GET) {
      rcore.feedHost(id, a.kind, true, new TextEncoder().encode(REGISTRY.values.get(a.name) ?? ""), "", NOW);
      a = rcore.next(id, NOW);
    }
    if (a.kind !== Kind.FETCH) throw new Error(`registry GetObject: expected Fetch, got ${a.kind}`);
    rcore.feedFetch(id, { outcome: Outcome.OK, status: 200, headers: ORIGIN_HEADERS, handle: 2 }, NOW);
    rcore.next(id, NOW);
    rcore.next(id, NOW);
    rcore.free(id);
    const rraw = rawGetObject(rcore, path, CLIENT_HEADERS, ORIGIN_HEADERS, NOW);
    fns.regCycleUs = rraw.cycle;
    fns.regWrapperCycleUs = () => getObjectCycle(rcore, path, CLIENT_HEADERS, ORIGIN_HEADERS, NOW);
  }
  // the 1000-key rewrite alone, through the bench export (when the module has it), in µs
  if (x.bench_in && x.bench_list_rewrite) {
    const p = x.bench_in(doc.length);
    new Uint8Array(x.memory.buffer, p, doc.length).set(doc);
    if (x.bench_list_rewrite(doc.length, 1) === 0) throw new Error("bench_list_rewrite failed");
    fns.listRewriteUs = () => x.bench_list_rewrite(doc.length, 1);
  }

  const N = quick ? 20 : 40;
  const inst = [], instInit = [];
  for (let i = 0; i < N; i++) {
    let t0 = performance.now();
    const c = new Core(module);
    inst.push(performance.now() - t0);
    t0 = performance.now();
    c.init(CONFIG, ENV);
    instInit.push(performance.now() - t0 + inst[inst.length - 1]);
  }
  out.instantiateMs = median(inst); // instantiation: median (a cold start is not best-case)
  out.instantiateInitMs = median(instInit);
  return { out, fns };
}

const ITERS = { listRequestUs: 20, listRewriteUs: 30 }; // per sample; the rest: DEFAULT_ITERS
const DEFAULT_ITERS = quick ? 1500 : 3000;

const subjects = [];
for (const name of ["core-wasi", "core-emcc"]) {
  const file = path.join(dir, `${name}.wasm`);
  if (fs.existsSync(file)) subjects.push(prepare(name, file));
}
// Samples interleaved across modules (and metrics), so machine noise hits both modules alike; best sample kept.
const ROUNDS = SAMPLES + 2;
for (let round = 0; round < ROUNDS; round++)
  for (const metric of Object.keys(subjects[0].fns))
    for (const s of subjects) {
      const fn = s.fns[metric];
      if (!fn) continue;
      const n = ITERS[metric] ?? DEFAULT_ITERS;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) fn();
      const us = ((performance.now() - t0) * 1000) / n;
      if (round >= 2) s.out[metric] = Math.min(s.out[metric] ?? Infinity, us); // rounds 0-1 warm up (tier-up)
    }
const results = subjects.map(({ out: r }) => {
  r.sigv4Us = r.wasmBeginToFetchUs - r.wasmBeginToFetchAnonUs;
  r.listRequestMs = r.listRequestUs / 1000;
  if (r.listRewriteUs !== undefined) r.listRewriteMs = r.listRewriteUs / 1000;
  console.error(
    `[inmodule] ${r.name}: ${r.size} B (${r.gzip} gzip); instantiate ${r.instantiateMs.toFixed(2)} ms (+init ` +
      `${r.instantiateInitMs.toFixed(2)}); wasm begin→Fetch ${r.wasmBeginToFetchUs.toFixed(2)} µs (unsigned ` +
      `${r.wasmBeginToFetchAnonUs.toFixed(2)}, SigV4 ${r.sigv4Us.toFixed(2)}), whole GetObject ${r.wasmCycleUs.toFixed(2)} µs ` +
      `(via js/core.mjs ${r.wrapperCycleUs.toFixed(2)} µs); list rewrite ${r.listRewriteMs?.toFixed(3) ?? "n/a"} ms, ` +
      `whole ListObjectsV2 ${r.listRequestMs.toFixed(3)} ms` +
      (r.regCycleUs === undefined ? "" : `; GetObject with the registry (entry warm) ${r.regCycleUs.toFixed(2)} µs (via js/core.mjs ` +
        `${r.regWrapperCycleUs.toFixed(2)} µs)`),
  );
  return r;
});
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(results, null, 2));
else console.log(JSON.stringify(results, null, 2));
