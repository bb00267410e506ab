// The benchmark: one run, one workerd binary, the server pinned to one core and the load tool to the other.
//   A  direct to the origin (nginx)           P  bare pass-through Worker (the runtime's floor)
//   C  aws4fetch re-signing Worker (the peer) B  our worker (js/ + the shipped wasm), B′ the same with the other
//                                                toolchain's module;  Bf  our worker with web-identity credentials
//   CL the listing peer (C's column in the ListObjectsV2 row)
//   Bc our worker with the edge chunk cache on (the edge-cache cells, against a delayed origin, beside A, P, C, B)
//   Br our worker with its namespace (accounts, access keys) in a KV registry instead of S3P_CONFIG: B's own
//      namespace moved there as ./scripts/registry import moves it (bench/lib/registry.mjs), served by an in-memory
//      KV on the load core (bench/lib/kv.mjs);  Brb  the same with a big registry: 100,000 repositories (10,000
//      accounts) and 10,000 keys, its isolate's LRU filled to capacity before it is measured. The registry rows
//      (beside B): warm requests, the first request of a cold isolate, and the isolate's memory over many names.
// Started by ./scripts/bench (which installs and builds first). Options:
//   --quick            ~5 minutes: fewer, shorter rounds
//   --rounds N         rounds per cell (default 3; medians are reported)
//   --seconds S        target seconds per round (default 4)
//   --only a,b         only these cells (ids below); "registry" selects the registry rows (reg-get, reg-signed,
//                      reg-few, reg-cold, reg-sweep)
//   --ablation         also the ablation ladder (bench/workers/ladder.mjs): P → L1..L4 → B at GET 1 KiB c=16,
//                      attributing B − P to its parts by workerd CPU per request
//   --origin-delay-ms D  the delayed origin's first-byte delay in the edge-cache cells (default 20)
// Writes .state/bench/results.md (the table) and .state/bench/results.json (every round).
import { execFileSync, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AwsV4Signer } from "aws4fetch";
import { CACHE_CHUNK, EDGE_CACHE, FAR_REPO, federatedConfig, KEY_ID, proxyConfig, proxySecrets, READER_ID, READER_SECRET, REGION,
  SECRET, SINK_BUCKET, UPLOADER_ID, UPLOADER_SECRET, UPLOADS_REPO, buckets, routes } from "./lib/config.mjs";
import { ACCOUNT, BIG, BIG_SIZE, BUCKET, COLD, COLD_SIZE, fixtureBytes, PREFIX, REPO, SMALL, WINDOW, writeFixtures } from "./lib/fixtures.mjs";
import { startKv } from "./lib/kv.mjs";
import { hey, ranged } from "./lib/load.mjs";
import { startNginx } from "./lib/nginx.mjs";
import { coldRange, parseRange, warmRanges, windowSessions } from "./lib/patterns.mjs";
import { startSink } from "./lib/sink.mjs";
import { cpuOfAll } from "./lib/proc.mjs";
import { BIG_ACCOUNTS, BINDING, DEPLOYMENT_KEY, FEW, ISOLATE_CAPACITY, KEY_SECRET, KEYED_REPO, PUBLIC_REPO, SWEEP_NAMES, accountName,
  bigRegistry, keyId, smallRegistry } from "./lib/registry.mjs";
import { coldIsolates, inspectorHeap, sweep, waitListening } from "./lib/registry_runs.mjs";
import { busyBetween, coreTimes, median } from "./lib/stats.mjs";
import { renderCacheTable, renderLadder, renderRegistryTable, renderStartup, renderTable } from "./lib/table.mjs";
import { freePort, startWorkerd, waitForPort, writeCapnp } from "./lib/workerd.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const STATE = path.join(ROOT, ".state/bench");
const WORKERD = path.join(ROOT, "node_modules/@cloudflare/workerd-linux-64/bin/workerd");
const LOAD_CPU = 0;
const SERVER_CPU = 1;

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const QUICK = argv.includes("--quick");
const ROUNDS = Number(opt("--rounds", QUICK ? 2 : 3));
const SECONDS = Number(opt("--seconds", QUICK ? 1.5 : 4));
const WARM_SECONDS = QUICK ? 0.6 : 1.2;
// The registry's warm cells compare processes whose CPU differs by a few per cent, so they take their time in more,
// shorter rounds (the same seconds per variant), which follow background load more closely; --rounds/--seconds
// override both.
const REG_ROUNDS = argv.includes("--rounds") ? ROUNDS : QUICK ? 4 : 8;
const REG_SECONDS = argv.includes("--seconds") ? SECONDS : QUICK ? 1 : 1.5;
const ONLY = opt("--only", "").split(",").filter(Boolean);
const ABLATION = argv.includes("--ablation");
const DELAY_MS = Number(opt("--origin-delay-ms", 20));
const REGISTRY_IDS = ["reg-get", "reg-signed", "reg-few", "reg-cold", "reg-sweep"];
const wants = (id) => ONLY.length === 0 || ONLY.includes(id) || (REGISTRY_IDS.includes(id) && ONLY.includes("registry"));
const REGISTRY = REGISTRY_IDS.some(wants);
const log = (...a) => console.error("[bench]", ...a);
const started = Date.now();

// ---------- snapshot what is measured (others may rebuild dist/ or edit js/ while this runs) ----------
const SNAP = path.join(STATE, "snapshot");
fs.rmSync(SNAP, { recursive: true, force: true });
fs.mkdirSync(path.join(SNAP, "js"), { recursive: true });
fs.mkdirSync(path.join(SNAP, "dist"), { recursive: true });
for (const f of fs.readdirSync(path.join(ROOT, "js")).filter((f) => f.endsWith(".mjs")))
  fs.copyFileSync(path.join(ROOT, "js", f), path.join(SNAP, "js", f));
for (const f of ["core.wasm", "core-wasi.wasm", "core-emcc.wasm"])
  fs.copyFileSync(path.join(ROOT, "dist", f), path.join(SNAP, "dist", f));
const shippedBytes = fs.readFileSync(path.join(SNAP, "dist/core.wasm"));
const SHIPPED = ["core-wasi", "core-emcc"].find((n) => shippedBytes.equals(fs.readFileSync(path.join(SNAP, `dist/${n}.wasm`))));
if (!SHIPPED) throw new Error("dist/core.wasm is neither core-wasi.wasm nor core-emcc.wasm: rebuild");
const OTHER = SHIPPED === "core-wasi" ? "core-emcc" : "core-wasi";
const short = (n) => n.replace("core-", "");
log(`shipped module: ${SHIPPED}; also measured: ${OTHER}`);

// ---------- in-module figures first, while nothing else of ours runs ----------
const inmoduleJson = path.join(STATE, "inmodule.json");
log("in-module figures (node, both modules)");
execFileSync("taskset", ["-c", String(SERVER_CPU), process.execPath, path.join(ROOT, "bench/inmodule.mjs"),
  ...(QUICK ? ["--quick"] : []), "--json", inmoduleJson, path.join(SNAP, "dist")], { stdio: ["ignore", "ignore", "inherit"] });
const inmodule = Object.fromEntries(JSON.parse(fs.readFileSync(inmoduleJson, "utf8")).map((r) => [r.name, r]));

// ---------- origin ----------
const children = [];
let nginx = null;
let sink = null;
function cleanup() {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  if (sink?.child.exitCode === null) sink.child.kill("SIGTERM");
  nginx?.stop();
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

const ROOT_DIR = path.join(STATE, "root");
writeFixtures(ROOT_DIR);
const originPort = await freePort();
nginx = startNginx(path.join(STATE, "nginx"), ROOT_DIR, originPort, LOAD_CPU, { port: await freePort(), delayMs: DELAY_MS });
const ORIGIN = `http://127.0.0.1:${originPort}`;
const FAR = nginx.far.url;
log(`origin: nginx on ${ORIGIN}; the same, first byte +${DELAY_MS} ms, on ${FAR}`);
sink = startSink(await freePort(), LOAD_CPU);
await sink.ready;
const SINK = sink.url;
log(`upload origin: ${SINK}`);

// ---------- Worker variants, each its own workerd process (same binary), all pinned to the server core ----------
const proxyModules = (wasm) => [
  { name: "js/worker.mjs", type: "esModule", file: path.join(SNAP, "js/worker.mjs") },
  ...fs.readdirSync(path.join(SNAP, "js")).filter((f) => f.endsWith(".mjs") && f !== "worker.mjs")
    .map((f) => ({ name: `js/${f}`, type: "esModule", file: path.join(SNAP, "js", f) })),
  { name: "dist/core.wasm", type: "wasm", file: path.join(SNAP, `dist/${wasm}.wasm`) },
];
const peerModules = (file) => [
  { name: "worker.mjs", type: "esModule", file: path.join(ROOT, file) },
  { name: "aws4fetch", type: "esModule", file: path.join(ROOT, "node_modules/aws4fetch/dist/aws4fetch.esm.mjs") },
];
const peerBindings = { ROUTES: JSON.stringify(routes(ORIGIN, undefined, FAR)), BACKEND_KEY_ID: KEY_ID, BACKEND_SECRET: SECRET, BACKEND_REGION: REGION };
const B_CONFIG = JSON.stringify(proxyConfig(ORIGIN, SINK, { far: FAR }));
const DEFS = {
  P: {
    modules: [{ name: "worker.mjs", type: "esModule", file: path.join(ROOT, "bench/workers/passthrough.mjs") }],
    bindings: { ROUTES: JSON.stringify(routes(ORIGIN, SINK, FAR)), BUCKETS: JSON.stringify(buckets(ORIGIN)) },
  },
  C: { modules: peerModules("bench/workers/aws4fetch.mjs"), bindings: peerBindings },
  Pl: { modules: [{ name: "worker.mjs", type: "esModule", file: path.join(ROOT, "bench/workers/passthrough.mjs") }],
    bindings: { ROUTES: JSON.stringify(routes(ORIGIN, SINK, FAR)), BUCKETS: JSON.stringify(buckets(ORIGIN)), LOG_LINE: "1" } },
  CL: { modules: peerModules("bench/workers/listing.mjs"), bindings: peerBindings },
  B: { modules: proxyModules(SHIPPED), bindings: { S3P_CONFIG: B_CONFIG, ...proxySecrets() } },
  "B′": { modules: proxyModules(OTHER), bindings: { S3P_CONFIG: B_CONFIG, ...proxySecrets() } },
};

// Bc: B's config with the edge chunk cache on for FAR_REPO (the only difference from B). Used when the snapshot's
// core accepts the config; whether the core actually caches shows in the x-edge-cache header (checked below).
let CACHE_NOTE = "";
const bcConfig = JSON.stringify(proxyConfig(ORIGIN, SINK, { far: FAR, cache: EDGE_CACHE }));
try {
  const { Core } = await import(path.join(SNAP, "js/core.mjs"));
  const core = new Core(new WebAssembly.Module(fs.readFileSync(path.join(SNAP, `dist/${SHIPPED}.wasm`))));
  const { ok, error } = core.init(bcConfig, proxySecrets());
  if (ok) DEFS.Bc = { modules: proxyModules(SHIPPED), bindings: { S3P_CONFIG: bcConfig, ...proxySecrets() } };
  else CACHE_NOTE = `not run: the core rejects the cache setting (${error})`;
} catch (err) {
  CACHE_NOTE = `not run: ${err.message}`;
}
if (CACHE_NOTE) log(`Bc ${CACHE_NOTE}`);

// Br and Brb: B's namespace in a KV registry, and the big registry (bench/lib/registry.mjs), each served by its own
// in-memory KV process on the load core (bench/lib/kv.mjs). Used when the snapshot's core accepts the deployment's
// S3P_CONFIG with a "registry" section; otherwise the registry rows say why they did not run.
let REG_NOTE = "";
let reg = null;
if (REGISTRY) {
  try {
    const t0 = performance.now();
    const small = await smallRegistry(proxyConfig(ORIGIN, SINK, { far: FAR }), path.join(SNAP, `dist/${SHIPPED}.wasm`));
    const big = bigRegistry(small);
    const secrets = { ...proxySecrets(), [KEY_SECRET]: DEPLOYMENT_KEY };
    const deployment = JSON.stringify(small.deployment);
    const { Core } = await import(path.join(SNAP, "js/core.mjs"));
    const core = new Core(new WebAssembly.Module(fs.readFileSync(path.join(SNAP, `dist/${SHIPPED}.wasm`))));
    const { ok, error } = core.init(deployment, secrets);
    if (!ok) throw new Error(`the core rejects the registry deployment's S3P_CONFIG (${error})`);
    fs.mkdirSync(path.join(STATE, "kv"), { recursive: true });
    const kvSmall = startKv(path.join(STATE, "kv/small.json"), await freePort(), LOAD_CPU, small.small);
    const kvBig = startKv(path.join(STATE, "kv/big.json"), await freePort(), LOAD_CPU, big.big);
    children.push(kvSmall.child, kvBig.child);
    await Promise.all([kvSmall.ready, kvBig.ready]);
    const def = (kv) => ({ modules: proxyModules(SHIPPED), bindings: { S3P_CONFIG: deployment, ...secrets }, kv: { [BINDING]: kv.address }, kvServer: kv });
    // B2: a second process of B itself, the null comparison beside Br and Brb (how far two processes of one worker
    // land apart in one run: the noise floor under the ≤ 1.05× target)
    DEFS.B2 = DEFS.B;
    DEFS.Br = def(kvSmall);
    DEFS.Brb = def(kvBig);
    reg = { small, big, kvSmall, kvBig, seedS: (performance.now() - t0) / 1000 };
    for (const w of small.warnings) log(`registry: ${w}`);
    log(`registry: small ${small.small.size} entries; big ${big.big.size} entries (${big.counts.accounts} accounts, ` +
      `${big.counts.repositories} repositories, ${big.counts.keys} keys); sealed and served in ${reg.seedS.toFixed(1)} s`);
  } catch (err) {
    REG_NOTE = `not run: ${err.message}`;
    log(`registry rows ${REG_NOTE}`);
  }
}

if (ABLATION) {
  const ladderModules = [
    { name: "bench/workers/ladder.mjs", type: "esModule", file: path.join(ROOT, "bench/workers/ladder.mjs") },
    { name: "js/core.mjs", type: "esModule", file: path.join(SNAP, "js/core.mjs") },
    { name: "dist/core.wasm", type: "wasm", file: path.join(SNAP, `dist/${SHIPPED}.wasm`) },
  ];
  const steps = ["abort", "core", "fetchinit", "feedheaders", "respond", "log"];
  DEFS.S = { modules: ladderModules, bindings: { ROUTES: JSON.stringify(routes(ORIGIN)), STEPS: "shape",
    S3P_CONFIG: JSON.stringify(proxyConfig(ORIGIN)), ...proxySecrets() } };
  steps.forEach((_, i) => {
    DEFS[`L${i + 1}`] = {
      modules: ladderModules,
      bindings: { ROUTES: JSON.stringify(routes(ORIGIN)), STEPS: steps.slice(0, i + 1).join(","),
        S3P_CONFIG: JSON.stringify(proxyConfig(ORIGIN)), ...proxySecrets() },
    };
  });
}

// HOOK (federation): B with web-identity credentials (JWT signed in WebCrypto, exchanged at the origin's /sts/,
// then served from L1). Used only when the snapshot's core accepts a federation config and the host has the
// signing action; otherwise the table says "skipped".
let FED_NOTE = "skipped: federation not present in this build";
const fedPort = await freePort();
const fed = await federationDefinition(`http://127.0.0.1:${fedPort}`);
if (fed) DEFS.Bf = fed;

async function federationDefinition(issuer) {
  try {
    const { Core, Kind } = await import(path.join(SNAP, "js/core.mjs"));
    if (Kind.SIGN_RS256 === undefined) return null;
    const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    const secrets = {
      ...proxySecrets(),
      BENCH_OIDC_KEY: privateKey.export({ type: "pkcs8", format: "pem" }),
      BENCH_L2_KEY: crypto.randomBytes(32).toString("base64"),
    };
    const cfg = JSON.stringify(federatedConfig(ORIGIN, issuer));
    const core = new Core(new WebAssembly.Module(fs.readFileSync(path.join(SNAP, `dist/${SHIPPED}.wasm`))));
    const { ok, error } = core.init(cfg, secrets);
    if (!ok) {
      FED_NOTE = `skipped: the core rejects the federation config (${error})`;
      return null;
    }
    FED_NOTE = "";
    return { modules: proxyModules(SHIPPED), bindings: { S3P_CONFIG: cfg, ...secrets }, fixedPort: fedPort };
  } catch (err) {
    FED_NOTE = `skipped: ${err.message}`;
    return null;
  }
}

const servers = {};
fs.mkdirSync(path.join(STATE, "workerd"), { recursive: true });
// inspector: also listen for the inspector protocol (the memory sweep reads the JS heap through it)
async function startVariant(name, def, tag = name, { inspector = false } = {}) {
  const port = def.fixedPort && tag === name ? def.fixedPort : await freePort();
  const inspectorPort = inspector ? await freePort() : null;
  const file = path.join(STATE, "workerd", `${tag}.capnp`);
  writeCapnp(file, { port, modules: def.modules, bindings: def.bindings, kv: def.kv });
  const child = startWorkerd(WORKERD, file, SERVER_CPU, path.join(STATE, "workerd", `${tag}.log`),
    inspector ? [`--inspector-addr=127.0.0.1:${inspectorPort}`] : []);
  children.push(child);
  await waitForPort(port);
  return { url: `http://127.0.0.1:${port}`, pids: () => [child.pid], child, kv: def.kvServer, inspectorPort };
}
for (const [name, def] of Object.entries(DEFS)) servers[name] = await startVariant(name, def);
servers.A = {
  url: ORIGIN,
  pids: () => nginx.workers(),
  // direct: the origin itself is the server, so it gets the server core for these runs
  pin: () => nginx.workers().forEach((p) => spawnSync("taskset", ["-pc", String(SERVER_CPU), String(p)])),
  unpin: () => nginx.workers().forEach((p) => spawnSync("taskset", ["-pc", String(LOAD_CPU), String(p)])),
};
servers.Afar = { ...servers.A, url: FAR }; // A in the edge-cache cells: the delayed listener of the same nginx
log(`workerd ${execFileSync(WORKERD, ["--version"], { encoding: "utf8" }).trim()}: ${Object.keys(DEFS).join(", ")}`);

// ---------- workloads ----------
const objectPath = (v, key) => (v === "A" ? `/${BUCKET}/${PREFIX}${key}` : `/${ACCOUNT}/${REPO}/${key}`);
const listPath = (v) => (v === "A" ? `/${BUCKET}/?list-type=2&prefix=${PREFIX}` : `/${ACCOUNT}?list-type=2&prefix=${REPO}/`);
const RANGE = { range: `bytes=${1 << 20}-${(1 << 20) + 65535}` };
const ALL = ["A", "P", "C", "B"];
const withOther = [...ALL, "B′"];
const withFed = (vs) => (DEFS.Bf ? [...vs, "Bf"] : vs);
// Uploads: one 16 MiB body per PUT. B is called the way a browser or curl uploads to it: a presigned URL of the
// uploader key (SigV4 query form, UNSIGNED-PAYLOAD), verified and authorized by the core on every request.
const UPLOAD_SIZE = 16 << 20;
const UPLOAD_FILE = path.join(STATE, "upload.bin");
fs.writeFileSync(UPLOAD_FILE, crypto.randomBytes(UPLOAD_SIZE));
const presign = async (base, p, accessKeyId, secretAccessKey, method = "GET") => {
  const signer = new AwsV4Signer({ url: `${base}${p}?X-Amz-Expires=86400`, method, signQuery: true, accessKeyId, secretAccessKey,
    service: "s3", region: REGION });
  const u = new URL((await signer.sign()).url);
  return u.pathname + u.search;
};
const presignedPut = (base) => presign(base, `/${ACCOUNT}/${UPLOADS_REPO}/bench.bin`, UPLOADER_ID, UPLOADER_SECRET, "PUT");
const uploadPath = {};
for (const v of ["B", "B′"]) uploadPath[v] = await presignedPut(servers[v].url);
const putPath = (v) => (v === "A" ? `/${SINK_BUCKET}/up/bench.bin` : v === "P" ? `/${ACCOUNT}/${UPLOADS_REPO}/bench.bin` : uploadPath[v]);
// The registry rows' presigned GET: the reader key, whose secret is B's Worker secret, or derived from the deployment
// key for the registry variants (the same key entry in both registries).
const readerSecret = (v) => (v === "B" || v === "B2" ? READER_SECRET : reg.small.secrets[READER_ID]);
const readerPath = {};
const REG_VARIANTS = DEFS.Brb ? ["B", "Br", "Brb"] : [];
const REG_WARM = DEFS.Brb ? ["B", "B2", "Br", "Brb"] : []; // the warm cells, with the null comparison
for (const v of REG_WARM) readerPath[v] = await presign(servers[v].url, objectPath(v, SMALL), READER_ID, readerSecret(v));
const fewPath = (i) => `/${accountName(i)}/${PUBLIC_REPO}/${SMALL}`;
const serverOf = (cell, v) => (cell.upload && v === "A" ? { url: SINK, pids: sink.pids } : cell.ranged && v === "A" ? servers.Afar : servers[v]);

// The edge-cache cells: every variant reads the delayed origin (A directly, the Workers through FAR_REPO) with the
// same request sequence (bench/lib/patterns.mjs), driven by bench/lib/loadgen.mjs.
const farPath = (v, key) => (v === "A" ? `/${BUCKET}/${PREFIX}${key}` : `/${ACCOUNT}/${FAR_REPO}/${key}`);
const CACHE_VARIANTS = DEFS.Bc ? ["A", "P", "C", "B", "Bc"] : ["A", "P", "C", "B"];
const coldCursor = Object.fromEntries(CACHE_VARIANTS.map((v) => [v, 0])); // next fresh chunk of each variant
const coldWrapped = new Set();
const WARM = warmRanges({ size: BIG_SIZE, chunk: CACHE_CHUNK });

const CELLS = [
  { id: "get16", label: "GET 1 KiB c=16", c: 16, variants: withFed(withOther), path: (v) => objectPath(v, SMALL), status: 200 },
  { id: "get64", label: "GET 1 KiB c=64", c: 64, variants: ALL, path: (v) => objectPath(v, SMALL), status: 200 },
  { id: "head16", label: "HEAD c=16", c: 16, method: "HEAD", variants: withOther, path: (v) => objectPath(v, SMALL), status: 200 },
  { id: "head64", label: "HEAD c=64", c: 64, method: "HEAD", variants: ALL, path: (v) => objectPath(v, SMALL), status: 200 },
  { id: "range16", label: "GET 64 KiB range c=16", c: 16, headers: RANGE, variants: withOther, path: (v) => objectPath(v, BIG), status: 206 },
  { id: "stream", label: "GET 64 MiB c=2", c: 2, variants: ALL, path: (v) => objectPath(v, BIG), status: 200, big: true },
  { id: "put", label: "PUT 16 MiB c=2", c: 2, method: "PUT", variants: ["A", "P", "B"], path: putPath, status: 200, big: true, upload: true },
  { id: "list", label: "ListObjectsV2 1000 keys c=16", c: 16, variants: ["A", "P", "CL", "B"], peer: "CL", path: listPath, status: 200 },
  { id: "cold", label: "cold 64 KiB ranges c=16", c: 16, ranged: true, flushesCache: true, variants: CACHE_VARIANTS, status: 206, key: COLD,
    pattern: (v) => ({ kind: "cold", path: farPath(v, COLD), size: COLD_SIZE, chunk: CACHE_CHUNK, start: coldCursor[v] }) },
  { id: "warm", label: "warm 64 KiB ranges c=16", c: 16, ranged: true, variants: CACHE_VARIANTS, status: 206, key: BIG,
    pattern: (v) => ({ kind: "sessions", sessions: WARM.map((range) => [{ path: farPath(v, BIG), range }]) }) },
  // paced: after each round's variants, Bc again with its requests paced at that round's B req/s (key window/Bc@B):
  // its latency at B's load, where the closed loop drives the faster Bc to saturate its core.
  { id: "window", label: "windowed reads (footer + 3 row groups) c=16", c: 16, ranged: true, variants: CACHE_VARIANTS, status: 206,
    key: WINDOW, pattern: (v) => ({ kind: "sessions", sessions: windowSessions(farPath(v, WINDOW)) }),
    paced: DEFS.Bc ? { v: "Bc", at: "B" } : null },
  // The registry rows (issue 16): B against the same worker reading its namespace from KV, entries warm in the isolate.
  { id: "reg-get", group: "registry", rounds: REG_ROUNDS, seconds: REG_SECONDS, label: "GET 1 KiB c=16, anonymous", c: 16, variants: REG_WARM, path: (v) => objectPath(v, SMALL), status: 200 },
  { id: "reg-signed", group: "registry", rounds: REG_ROUNDS, seconds: REG_SECONDS, label: "presigned GET 1 KiB c=16 (an access key's SigV4 query)", c: 16, variants: REG_WARM,
    path: (v) => readerPath[v], status: 200 },
  { id: "reg-few", group: "registry", rounds: REG_ROUNDS, seconds: REG_SECONDS, label: `GET 1 KiB c=16 over ${FEW} accounts (loadgen)`, c: 16, variants: REG_VARIANTS.slice(1), status: 200,
    pattern: () => ({ kind: "sessions", sessions: Array.from({ length: FEW }, (_, i) => [{ path: fewPath(i) }]) }) },
  ...(ABLATION ? [{ id: "ladder", label: "ablation: GET 1 KiB c=16", c: 16, variants: ["P", "S", "L1", "L2", "L3", "L4", "L5", "L6", "B", "C"],
    path: (v) => objectPath(v, SMALL), status: 200, ladder: true }] : []),
].filter((c) => (c.group ? wants(c.id) : ONLY.length === 0 || ONLY.includes(c.id) || c.ladder) && c.variants.length);

// Origin GETs that carried bytes (200/206) per distinct (object, Range) of each edge-cache cell and variant over the
// whole run (sanity, warm-up and rounds): with chunk-aligned fetches, the most-fetched range is the most-fetched
// chunk. A 304 is not counted: it is the cache revalidating expired metadata (If-None-Match), once per TTL, and
// carries no chunk.
const originRanges = {};
function tallyOrigin(cell, v, lines) {
  const m = (originRanges[`${cell.id}/${v}`] ??= new Map());
  for (const line of lines) {
    const [method, uri, range, status] = line.split(" ");
    if (method === "GET" && range !== '"-"' && (status === "200" || status === "206")) m.set(`${uri} ${range}`, (m.get(`${uri} ${range}`) ?? 0) + 1);
  }
}

async function measure(cell, v, { n, seconds, rate }) {
  const s = serverOf(cell, v);
  s.pin?.();
  try {
    const pids = s.pids();
    const log0 = nginx.far.logSize();
    const kv0 = s.kv ? (await s.kv.stats()).reads : 0;
    const cpu0 = cpuOfAll(pids), ct0 = coreTimes(), t0 = performance.now();
    const r = cell.pattern
      ? await ranged({ base: s.url, c: cell.c, n, seconds, rate, pattern: cell.pattern(v), cpu: LOAD_CPU })
      : await hey({ url: s.url + cell.path(v), method: cell.method, headers: cell.headers, bodyFile: cell.upload ? UPLOAD_FILE : undefined,
        c: cell.c, n, seconds, cpu: LOAD_CPU });
    if (cell.upload) r.bytes = r.responses * UPLOAD_SIZE; // bytes carried are the bodies sent, not the (empty) answers
    const wall = (performance.now() - t0) / 1000;
    const cpu = cpuOfAll(pids) - cpu0;
    const busy = busyBetween(ct0, coreTimes());
    const bad = Object.entries(r.statuses).filter(([k]) => Number(k) !== cell.status);
    if (bad.length || r.errors.length) throw new Error(`${cell.id}/${v}: unexpected ${JSON.stringify(r.statuses)} ${r.errors.join("; ")}`);
    const out = {
      rps: r.rps, p50: r.p50, p99: r.p99, responses: r.responses,
      cpuUs: (cpu / r.responses) * 1e6,
      mbps: r.bytes / r.seconds / 1e6,
      cpuPerGiB: r.bytes > 0 ? cpu / (r.bytes / 2 ** 30) : NaN,
      util: cpu / wall, serverCoreBusy: busy[SERVER_CPU], loadCoreBusy: busy[LOAD_CPU],
    };
    if (s.kv) out.kvPer1000 = (((await s.kv.stats()).reads - kv0) / r.responses) * 1000;
    if (cell.ranged) {
      const lines = nginx.far.linesSince(log0);
      tallyOrigin(cell, v, lines);
      if (cell.id === "cold") {
        coldCursor[v] += r.sessions;
        if (r.wrapped) coldWrapped.add(v);
      }
      out.originPer1000 = (lines.length / r.responses) * 1000;
      // The far log's last field is $body_bytes_sent: the origin's bytes per client request.
      out.originKiBPerRequest = lines.reduce((n, l) => n + (Number(l.trim().split(" ").at(-1)) || 0), 0) / 1024 / r.responses;
      out.hitShare = (r.edge.hit ?? 0) / r.responses;
    }
    return out;
  } finally {
    s.unpin?.();
  }
}

// Sanity first: every variant answers every workload with the right status (B's and the listing peer's listings
// are rewritten; ranged reads carry exactly the object's bytes, twice over for the cache's miss and hit).
const edgeSeen = {};
for (const cell of CELLS)
  for (const v of cell.variants) {
    const log0 = nginx.far.logSize();
    const reqs = [];
    if (cell.ranged) {
      const p = cell.pattern(v);
      const first = p.kind === "cold" ? { path: p.path, range: coldRange(coldCursor[v]++, p).range } : p.sessions[0].at(-1);
      reqs.push(first, first);
    } else if (cell.pattern) reqs.push(...cell.pattern(v).sessions.flat());
    else reqs.push({ path: cell.path(v), range: cell.headers?.range });
    for (const { path: p, range } of reqs) {
      const headers = { ...cell.headers, ...(range ? { range } : {}) };
      const res = await fetch(serverOf(cell, v).url + p, { method: cell.method ?? "GET", headers,
        body: cell.upload ? fs.readFileSync(UPLOAD_FILE) : undefined });
      const body = Buffer.from(await res.arrayBuffer());
      if (res.status !== cell.status) throw new Error(`sanity ${cell.id}/${v}: status ${res.status}: ${body.toString().slice(0, 300)}`);
      if (cell.id === "list" && v !== "A" && v !== "P" && !body.includes(`<Key>${REPO}/era5/`)) throw new Error(`sanity: ${v}'s listing is not rewritten`);
      if (cell.ranged) {
        const [a, b] = parseRange(range);
        if (!body.equals(fixtureBytes(ROOT_DIR, cell.key, a, b))) throw new Error(`sanity ${cell.id}/${v}: wrong bytes for ${range}`);
        (edgeSeen[v] ??= []).push(res.headers.get("x-edge-cache"));
      }
    }
    if (cell.ranged) tallyOrigin(cell, v, nginx.far.linesSince(log0));
  }
if (edgeSeen.Bc && !edgeSeen.Bc.some((x) => x !== null))
  CACHE_NOTE = "the core in this build ignores the repository's cache setting (no x-edge-cache header), so Bc ran uncached, as B";
log(`sanity: every variant answers every workload${edgeSeen.Bc && CACHE_NOTE ? `; Bc: ${CACHE_NOTE}` : ""}`);

// Brb's isolate tier filled to capacity before any of its rounds, with accounts that the cells never read: its warm
// rows then run with a full LRU (ISOLATE_CAPACITY found entries; the cells' own names, read in the sanity step and
// then every round, are the most recently used and stay in it).
let prefill = null;
if (CELLS.some((c) => c.variants.includes("Brb"))) {
  const n = ISOLATE_CAPACITY - 1 - FEW - 1; // B's account, the FEW accounts and the reader key are in it already
  const file = path.join(STATE, "kv/prefill.json");
  fs.writeFileSync(file, JSON.stringify(Array.from({ length: n }, (_, i) => [{ path: fewPath(FEW + i) }])));
  const kv0 = (await reg.kvBig.stats()).reads;
  const r = await ranged({ base: servers.Brb.url, c: 16, n, pattern: { kind: "sessions", file }, cpu: LOAD_CPU });
  if (r.responses !== n || Object.keys(r.statuses).some((x) => x !== "200")) throw new Error(`Brb prefill: ${JSON.stringify(r.statuses)} ${r.errors.join("; ")}`);
  prefill = { names: n, seconds: r.seconds, kvReads: (await reg.kvBig.stats()).reads - kv0 };
  log(`Brb: isolate tier filled with ${n} more accounts in ${r.seconds.toFixed(1)} s (${prefill.kvReads} KV reads)`);
}

// Warm-up (JIT tier-up, connection pools) doubles as the throughput estimate that sizes each round's fixed
// request count: CPU per request is process CPU before/after a fixed number of requests. Then the rounds, variants
// rotated. The cold cell runs its warm-up and rounds after every other cell's rounds: each of its requests stores a
// fresh chunk in the (bounded) cache, which would push the warm cells' chunks out between their rounds.
const plan = {};
const rounds = {};
for (const cells of [CELLS.filter((c) => !c.flushesCache), CELLS.filter((c) => c.flushesCache)]) {
  if (!cells.length) continue;
  for (const cell of cells)
    for (const v of cell.variants) {
      const w = await measure(cell, v, { seconds: WARM_SECONDS });
      plan[`${cell.id}/${v}`] = Math.max(cell.c * (cell.big ? 2 : 20), Math.round(w.rps * (cell.seconds ?? SECONDS)));
    }
  const ids = cells.map((c) => c.id).join(", ");
  const most = Math.max(...cells.map((c) => c.rounds ?? ROUNDS));
  log(`warm-up of ${ids} done; ${ROUNDS} rounds of ~${SECONDS} s per cell` +
    (most > ROUNDS || cells.some((c) => c.rounds) ? ` (registry cells: ${REG_ROUNDS} of ~${REG_SECONDS} s)` : ""));
  for (let r = 0; r < most; r++) {
    for (const cell of cells) {
      if (r >= (cell.rounds ?? ROUNDS)) continue;
      const order = cell.variants.map((_, i) => cell.variants[(i + r) % cell.variants.length]); // rotate: no position bias
      for (const v of order) {
        const key = `${cell.id}/${v}`;
        (rounds[key] ??= []).push(await measure(cell, v, { n: plan[key] }));
      }
      if (cell.paced) {
        const { v, at } = cell.paced;
        const rate = rounds[`${cell.id}/${at}`].at(-1).rps;
        (rounds[`${cell.id}/${v}@${at}`] ??= []).push(await measure(cell, v, { n: plan[`${cell.id}/${at}`], rate }));
      }
    }
    log(`round ${r + 1}/${most} of ${ids} done (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
}

const agg = {};
for (const [key, rs] of Object.entries(rounds)) {
  agg[key] = {};
  for (const m of Object.keys(rs[0])) agg[key][m] = median(rs.map((x) => x[m]));
}
for (const [key, m] of Object.entries(originRanges)) if (agg[key]) agg[key].maxRangeFetches = Math.max(0, ...m.values());
// The registry cells' CPU also as paired ratios: per round, each variant's CPU per request over B's in the same round
// (rounds rotate the variants, so a round's measurements are minutes apart at most), then the median.
for (const cell of CELLS.filter((c) => c.group && c.variants.includes("B")))
  for (const v of cell.variants) {
    const mine = rounds[`${cell.id}/${v}`], base = rounds[`${cell.id}/B`];
    if (mine && base) agg[`${cell.id}/${v}`].cpuVsB = median(mine.map((x, i) => x.cpuUs / base[i].cpuUs));
  }

// STS exchanges for N concurrent cold requests (a fresh isolate, nothing in L1 or L2).
let sts = { note: FED_NOTE };
if (DEFS.Bf) {
  try {
    const N = 64;
    const cold = await startVariant("Bf", DEFS.Bf, "Bf-cold");
    const before = nginx.stsCount();
    const r = await hey({ url: cold.url + objectPath("Bf", SMALL), c: N, n: N, cpu: LOAD_CPU });
    sts = { n: N, exchanges: nginx.stsCount() - before, statuses: r.statuses, note: "" };
  } catch (err) {
    sts = { note: `failed: ${err.message}` };
  }
}

// ---------- the registry rows that are not load cells ----------
// The first request of cold isolates (fresh processes); then the memory sweep in a fresh Brb with the test hooks on
// (for the core's memory figure; the hooks cost CPU per request, so no other row uses them) and the inspector (the
// JS heap), and its control.
let regCold = null, regSweep = null, regControl = null;
// A fresh workerd process of variant v (its load cells' config), timed from spawn to listening.
const startFresh = async (v) => {
  const port = await freePort();
  const file = path.join(STATE, "workerd", `${v}-cold.capnp`);
  writeCapnp(file, { port, modules: DEFS[v].modules, bindings: DEFS[v].bindings, kv: DEFS[v].kv });
  const t0 = performance.now();
  const child = startWorkerd(WORKERD, file, SERVER_CPU, path.join(STATE, "workerd", `${v}-cold.log`));
  children.push(child);
  await waitListening(port);
  return {
    url: `http://127.0.0.1:${port}`, pid: child.pid, startMs: performance.now() - t0,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    }),
  };
};

// Start-up in workerd: fresh processes of P, Pl (P with B's log line) and B, rotated. What a cold B costs over a cold P — at start-up (the
// module compiled and the scripts loaded) and on its first request over its second (the core instantiated and
// initialised, the functions it runs compiled lazily) — bounds compile + instantiate + init from above.
let startup = null;
if (wants("startup")) startup = (await coldIsolates({
  variants: ["P", "Pl", "B"], reps: QUICK ? 5 : 9, start: startFresh, log, kvReads: async () => 0,
  kinds: [{ id: "get", path: async (v) => objectPath(v, SMALL) }],
})).get;

if (REG_VARIANTS.length && wants("reg-cold")) {
  regCold = await coldIsolates({
    variants: REG_VARIANTS, reps: QUICK ? 3 : 5, start: startFresh, log,
    kinds: [
      { id: "get", path: async (v) => objectPath(v, SMALL) },
      { id: "signed", path: (v, base) => presign(base, objectPath(v, SMALL), READER_ID, readerSecret(v)) },
    ],
    kvReads: async (v) => (DEFS[v].kvServer ? (await DEFS[v].kvServer.stats()).reads : 0),
  });
}
if (REG_VARIANTS.length && wants("reg-sweep")) {
  const m = await startVariant("Brb", { ...DEFS.Brb, bindings: { ...DEFS.Brb.bindings, S3P_TEST_HOOKS: "1" } }, "Brb-memory", { inspector: true });
  const mHeap = await inspectorHeap(m.inspectorPort);
  const keyPaths = [];
  for (let i = 0; i < SWEEP_NAMES; i++)
    keyPaths.push(await presign(m.url, `/${accountName(i % BIG_ACCOUNTS)}/${KEYED_REPO}/${SMALL}`, keyId(i), reg.big.keySecrets[i]));
  regSweep = await sweep({
    base: m.url, pid: m.child.pid, c: 16, cpu: LOAD_CPU, chunk: SWEEP_NAMES / 4, dir: path.join(STATE, "kv/sweep"), log, heap: mHeap,
    kvStats: () => reg.kvBig.stats(),
    phases: [
      { id: "accounts", label: "distinct accounts", count: SWEEP_NAMES, request: (i) => ({ path: fewPath(i) }), status: 200 },
      { id: "keys", label: "distinct keys (presigned, each also reads its account)", count: SWEEP_NAMES, request: (i) => ({ path: keyPaths[i] }), status: 200 },
      { id: "unknown", label: "unknown account names", count: SWEEP_NAMES, status: 404,
        request: (i) => ({ path: `/none-${String(i).padStart(5, "0")}/${PUBLIC_REPO}/${SMALL}` }) },
    ],
  });
  mHeap.close();
  m.child.kill("SIGTERM");
  // The control: a fresh B (static namespace, test hooks on) given as many requests of the same shapes, its names
  // all known at start-up (one account, one key; unknown names cost a static lookup and are not remembered). What
  // its RSS does is what the request volume does to any workerd process, not the registry.
  const b = await startVariant("B", { ...DEFS.B, bindings: { ...DEFS.B.bindings, S3P_TEST_HOOKS: "1" } }, "B-memory", { inspector: true });
  const bHeap = await inspectorHeap(b.inspectorPort);
  const reader = await presign(b.url, objectPath("B", SMALL), READER_ID, READER_SECRET);
  regControl = await sweep({
    base: b.url, pid: b.child.pid, c: 16, cpu: LOAD_CPU, chunk: SWEEP_NAMES / 4, dir: path.join(STATE, "kv/sweep"),
    kvStats: async () => ({ reads: 0 }), heap: bHeap,
    phases: [
      { id: "accounts", label: "one account", count: SWEEP_NAMES, request: () => ({ path: objectPath("B", SMALL) }), status: 200 },
      { id: "keys", label: "one key", count: SWEEP_NAMES, request: () => ({ path: reader }), status: 200 },
      { id: "unknown", label: "unknown account names", count: SWEEP_NAMES, status: 404,
        request: (i) => ({ path: `/none-${String(i).padStart(5, "0")}/${PUBLIC_REPO}/${SMALL}` }) },
    ],
  });
  bHeap.close();
  b.child.kill("SIGTERM");
}

// ---------- report ----------
const env = {
  date: new Date().toISOString(),
  workerd: execFileSync(WORKERD, ["--version"], { encoding: "utf8" }).trim(),
  nginx: spawnSync("nginx", ["-v"], { encoding: "utf8" }).stderr.trim(),
  node: process.version,
  cpu: fs.readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? "?",
  rounds: ROUNDS, seconds: SECONDS, quick: QUICK, shipped: SHIPPED, other: OTHER,
  loadavg: fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
};
let table = renderTable({ agg, inmodule, shipped: SHIPPED, other: OTHER, sts, env, cells: CELLS.filter((c) => !c.ladder && !c.ranged && !c.group), short });
if (startup) table += `\n${renderStartup(startup)}`;
const cacheCells = CELLS.filter((c) => c.ranged);
if (cacheCells.length) {
  const wrapped = [...coldWrapped];
  table += `\n${renderCacheTable({ agg, cells: cacheCells, env, delayMs: DELAY_MS, chunk: CACHE_CHUNK, note: CACHE_NOTE,
    wrapped: wrapped.length ? `the cold pattern ran out of fresh chunks for ${wrapped.join(", ")} (some reads were repeats)` : "" })}`;
}
const regCells = CELLS.filter((c) => c.group === "registry");
if (REGISTRY)
  table += `\n${renderRegistryTable({ agg, cells: regCells, inmodule: inmodule[SHIPPED], cold: regCold, sweep: regSweep, control: regControl, prefill, env, note: REG_NOTE,
    counts: reg?.big.counts, seedS: reg?.seedS, capacity: ISOLATE_CAPACITY, few: FEW, rounds: REG_ROUNDS, seconds: REG_SECONDS })}`;
if (ABLATION) table += `\n${renderLadder(agg)}`;
fs.writeFileSync(path.join(STATE, "results.md"), table);
fs.writeFileSync(path.join(STATE, "results.json"), JSON.stringify({ env, rounds, agg, inmodule, sts, startup, cacheNote: CACHE_NOTE,
  registry: { note: REG_NOTE, counts: reg?.big.counts, prefill, cold: regCold, sweep: regSweep, control: regControl } }, null, 2));
console.log(table);
log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; table in .state/bench/results.md, rounds in .state/bench/results.json`);
process.exit(0);
