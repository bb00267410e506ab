// The soak run behind ./scripts/soak: mixed concurrent load through the Worker (in Miniflare/workerd) against the
// verifying emulator while faults are switched on and off in it. Every answer is classified:
//   correct    the exact bytes / the expected status (bodies checked against the seed or what this run wrote)
//   s3-error   a parseable S3 XML error with a 5xx status (what a fault must turn into)
//   truncated  a body that broke off before Content-Length, every byte received right (reset mid-body)
//   body-stall headers and correct bytes, then nothing until the client gave up (no idle timeout for streamed
//              bodies: see tests/e2e/chaos.test.mjs)
//   wrong      anything else: wrong bytes, a 4xx where success was due, plaintext, an error that is not S3 XML
//   hung       no response head within the hang bound (backend/STS timeout + slack)
// Writes: each worker owns one key; after a failed PUT the object must be the previous version or the new one,
// whole (never partial), and after a DELETE it must be gone.
// Memory: the workerd process's RSS (and the wasm core's memory) at start, middle and end. Ends with a line
// "N passed, M failed (soak ...)" whose checks are: wrong = 0, hung = 0, every operation succeeded at least
// once, the core holds no request state after the run, and RSS growth over the second half within the bound.
import crypto from "node:crypto";
import fs from "node:fs";
import { AwsV4Signer } from "aws4fetch";
import { DEMO_USER_ACCESS_KEY_ID, demoFederationSecrets, demoListingSecrets, demoUserSecrets } from "./demo-keys.mjs";
import { loadConfig, startWorker } from "./miniflare.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const SECONDS = Number(args.seconds ?? 600);
const CONCURRENCY = Number(args.concurrency ?? 32);
// Memory flat = the workerd process's RSS grows at most this much over the second half of the run. workerd itself
// grows for minutes before it levels off (a bare pass-through Worker under the same load: 133 → ~400 MiB over
// 10 min, +20..40 MiB in the second half), so the first half is warm-up; a leak of 1 KiB per request (~15 MiB/min
// here) would add ~75 MiB to a 10-minute run's second half.
const RSS_BOUND_MIB = Number(args["rss-bound-mib"] ?? 96);
// With --rss-bound-kib-per-request K as well, the bound is the larger of the two: K KiB per request served in the
// second half. workerd's own growth in its first minutes follows the requests it serves (8–11 KiB each over a
// 1-minute soak on the 2-core machine, whatever the core), so a fixed MiB bound alone sits at its edge on a fast run.
const RSS_BOUND_KIB_PER_REQUEST = Number(args["rss-bound-kib-per-request"] ?? 0);
const NO_FAULTS = "no-faults" in args;
const EMU = process.env.EMU_URL;
if (!EMU) throw new Error("EMU_URL is not set (./scripts/soak starts the emulator)");
const TIMEOUT = 2000; // backend and STS timeouts of the soak proxy
const HANG_MS = TIMEOUT + 8000; // no response head by then: hung
const BODY_GIVE_UP_MS = 5000; // a client's read timeout: no byte for this long after the head

const README = "Public test data for s3-edge-proxy.\nAnyone may read this bucket.\n";
const HELLO = "hello from a signed backend\n";
const BIG_SIZE = 2 * 1024 * 1024;
const BLOB = (() => {
  const out = Buffer.alloc(BIG_SIZE);
  for (let i = 0; i < BIG_SIZE; i++) out[i] = Math.floor((i * 2654435761) / 8192) % 256;
  return out;
})();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha = (b) => crypto.createHash("sha256").update(b).digest("hex");

// ---- the proxy -------------------------------------------------------------------------------------------------
const cfg = JSON.parse(loadConfig("config/demo.json", EMU));
for (const b of Object.values(cfg.backends)) b.timeout_ms = TIMEOUT;
cfg.federation.sts_timeout_ms = TIMEOUT;
cfg.backends["local-federated"].auth.session_name = `soak-${process.pid}`;
const user = { id: DEMO_USER_ACCESS_KEY_ID, ...demoUserSecrets() };
const bindings = {
  DEMO_BACKEND_ACCESS_KEY_ID: process.env.DEMO_BACKEND_ACCESS_KEY_ID,
  DEMO_BACKEND_SECRET_ACCESS_KEY: process.env.DEMO_BACKEND_SECRET_ACCESS_KEY,
  ...demoFederationSecrets(),
  ...demoListingSecrets(), // the key that seals listing continuation tokens (config/demo.json names it)
  DEMO_USER_SECRET: user.DEMO_USER_SECRET,
  S3P_TEST_HOOKS: "1", // /__test/core: the core's in-flight count and memory
};
const emu = async (path, body) => {
  const r = await fetch(`${EMU}/__emu/${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`emulator ${path}: ${r.status}`);
  return r.json();
};
let logLines = 0;
const worker = await startWorker({ config: JSON.stringify(cfg), bindings, log: (s) => (logLines += s.split("\n").length - 1) });
const URL_ = worker.url;
await emu("jwks", { issuer: cfg.federation.issuer, jwks: await (await fetch(`${URL_}/.well-known/jwks.json`)).json() });
await emu("sts-duration", { seconds: 75 }); // credentials renew in the background every ~15 s, faults or not

function workerdPid() {
  // Miniflare's workerd is a child of this process.
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && /workerd/.test(fs.readFileSync(`/proc/${d}/cmdline`, "utf8"))) return Number(d);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}
const PID = workerdPid();
const rssMiB = () => {
  if (!PID) return NaN;
  const m = fs.readFileSync(`/proc/${PID}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
};
const core = async () => (await fetch(`${URL_}/__test/core`)).json();

// ---- requests --------------------------------------------------------------------------------------------------
const counts = { correct: 0, "s3-error": 0, truncated: 0, "body-stall": 0, wrong: 0, hung: 0 };
const byCode = new Map();
const okByOp = new Map();
const latencies = [];
const wrongSamples = [];

function sign(path, { method = "GET", body, headers = {} } = {}) {
  return new AwsV4Signer({ url: `${URL_}${path}`, method, body, headers, accessKeyId: user.id,
    secretAccessKey: user.DEMO_USER_SECRET, service: "s3", region: "us-east-1" }).sign();
}

// A keep-alive connection the server closed just as a request went out on it fails that request with no answer
// (ECONNRESET on the write, or "other side closed" before any head). HTTP clients retry such a GET or HEAD once
// (RFC 9110 §9.2.2: idempotent); so does the soak, and it counts and prints every retry.
const RETRIED_CODES = new Set(["ECONNRESET", "UND_ERR_SOCKET"]);
let retries = 0;

// Performs one request; returns { status, headers, body, outcome } where outcome is set for non-complete bodies.
async function perform(url, init, retry = true) {
  const ctl = new AbortController();
  const t0 = performance.now();
  let headTimer = setTimeout(() => ctl.abort(), HANG_MS);
  let r;
  try {
    r = await fetch(url, { ...init, signal: ctl.signal });
  } catch (err) {
    clearTimeout(headTimer);
    const method = init?.method ?? "GET";
    if (retry && !ctl.signal.aborted && RETRIED_CODES.has(err?.cause?.code) && (method === "GET" || method === "HEAD")) {
      retries++;
      return perform(url, init, false);
    }
    // undici's "fetch failed" hides the socket's reason in `cause` (a reset, the other side closing, …).
    const cause = err?.cause ? ` (${err.cause.code ?? ""} ${err.cause.message ?? err.cause})` : "";
    return { outcome: ctl.signal.aborted ? "hung" : "wrong", error: String(err) + cause, ms: performance.now() - t0 };
  }
  clearTimeout(headTimer);
  const ms = performance.now() - t0;
  const chunks = [];
  if (r.body) {
    const reader = r.body.getReader();
    for (;;) {
      let timer;
      const idle = new Promise((res) => (timer = setTimeout(() => res("idle"), BODY_GIVE_UP_MS)));
      let step;
      try {
        step = await Promise.race([reader.read(), idle]);
      } catch {
        clearTimeout(timer);
        return { status: r.status, headers: r.headers, body: Buffer.concat(chunks), outcome: "broke", ms };
      }
      clearTimeout(timer);
      if (step === "idle") {
        ctl.abort();
        return { status: r.status, headers: r.headers, body: Buffer.concat(chunks), outcome: "stalled", ms };
      }
      if (step.done) break;
      chunks.push(step.value);
    }
  }
  return { status: r.status, headers: r.headers, body: Buffer.concat(chunks), ms };
}

// An S3 error: XML whose RequestId is the x-amz-request-id header; a HEAD answer carries the status alone.
const isS3Error = (r, head) => head ? r.body.length === 0 && /^[0-9A-F]{16}$/.test(r.headers.get("x-amz-request-id") ?? "")
  : r.headers?.get("content-type") === "application/xml" &&
    /^<\?xml[^>]*>\s*<Error><Code>[A-Za-z]+<\/Code>/.test(r.body.toString()) &&
    r.body.toString().includes(`<RequestId>${r.headers.get("x-amz-request-id")}</RequestId>`);

// `expect(r)` → true when the answer is the correct one. Classifies and records.
function record(op, r, expect, prefixOf) {
  let outcome;
  if (r.outcome === "hung") outcome = "hung";
  else if (r.outcome === "broke" || r.outcome === "stalled") {
    const len = Number(r.headers.get("content-length"));
    const rightSoFar = prefixOf && r.body.length < len && prefixOf(r.body);
    outcome = rightSoFar ? (r.outcome === "broke" ? "truncated" : "body-stall") : "wrong";
  } else if (r.status >= 500 && isS3Error(r, op === "HEAD")) outcome = "s3-error";
  else if (expect(r)) outcome = "correct";
  else outcome = "wrong";
  counts[outcome]++;
  if (outcome === "s3-error") {
    const code = `${r.status} ${r.body.toString().match(/<Code>(\w+)<\/Code>/)?.[1] ?? "(HEAD)"}`;
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
  }
  if (outcome === "correct") okByOp.set(op, (okByOp.get(op) ?? 0) + 1);
  if (outcome === "wrong" && wrongSamples.length < 10 && !wrongSamples.some((w) => w.startsWith(`${op}: ${r.status}`)))
    wrongSamples.push(`${op}: ${r.status ?? r.error} ${r.outcome ?? ""} ${r.body?.toString().slice(0, 160)}`);
  if (r.ms !== undefined) latencies.push(r.ms);
  return outcome;
}

const blobPrefix = (start) => (b) => b.equals(BLOB.subarray(start, start + b.length));
const OPS = {
  async getSmall() {
    const r = await perform(`${URL_}/demo-org/public-data/README.txt`);
    record("GET", r, (x) => x.status === 200 && x.body.toString() === README, (b) => README.startsWith(b.toString()));
  },
  async getRange() {
    const start = crypto.randomInt(0, BIG_SIZE - 65536), len = crypto.randomInt(1, 65536);
    const r = await perform(`${URL_}/demo-org/public-data/big/blob.bin`, { headers: { range: `bytes=${start}-${start + len - 1}` } });
    record("GET range", r, (x) => x.status === 206 && x.body.equals(BLOB.subarray(start, start + len)), blobPrefix(start));
  },
  async getBig() {
    const r = await perform(`${URL_}/demo-org/public-data/big/blob.bin`);
    record("GET 2 MiB", r, (x) => x.status === 200 && x.body.length === BIG_SIZE && sha(x.body) === BLOB_SHA, blobPrefix(0));
  },
  async head() {
    const r = await perform(`${URL_}/demo-org/public-data/big/blob.bin`, { method: "HEAD" });
    record("HEAD", r, (x) => x.status === 200 && Number(x.headers.get("content-length")) === BIG_SIZE);
  },
  async list() {
    const r = await perform(`${URL_}/demo-org?list-type=2&prefix=public-data/&max-keys=5`);
    record("LIST", r, (x) => x.status === 200 && x.body.toString().includes("<Key>public-data/README.txt</Key>") &&
      x.body.toString().trimEnd().endsWith("</ListBucketResult>"));
  },
  async signedGet() {
    const s = await sign("/demo-org/secret-data/hello.txt");
    const r = await perform(s.url, { headers: s.headers });
    record("signed GET", r, (x) => x.status === 200 && x.body.toString() === HELLO, (b) => HELLO.startsWith(b.toString()));
  },
  async federatedGet() {
    const s = await sign("/demo-org/federated-data/hello.txt");
    const r = await perform(s.url, { headers: s.headers });
    record("federated GET", r, (x) => x.status === 200 && x.body.toString() === HELLO, (b) => HELLO.startsWith(b.toString()));
  },
};
const BLOB_SHA = sha(BLOB);

// One writer per worker: PUT a new version, read it back, sometimes DELETE. `current` is what must be there.
function writer(n) {
  const key = `/demo-org/uploads/soak/${process.pid}/w${n}.bin`;
  let current = null; // null = no object
  let version = 0;
  const read = async () => {
    const s = await sign(key);
    const r = await perform(s.url, { headers: s.headers });
    return r;
  };
  return async function write() {
    const pick = crypto.randomInt(0, 10);
    if (pick < 6) {
      const body = crypto.randomBytes(crypto.randomInt(1, 256 * 1024));
      body.write(`v${++version};`, 0);
      const s = await sign(key, { method: "PUT", body, headers: { "x-amz-content-sha256": sha(body) } });
      const r = await perform(s.url, { method: "PUT", headers: s.headers, body });
      const outcome = record("PUT", r, (x) => x.status === 200);
      // After a failed PUT the object is the previous version or, if the backend stored it before failing,
      // the new one: whole either way.
      const after = await read();
      const allowed = outcome === "correct" ? [body] : [current, body];
      const o = record("GET after PUT", after, (x) => allowed.some((a) => a === null ? x.status === 404 : x.status === 200 && x.body.equals(a)),
        (b) => allowed.some((a) => a !== null && b.equals(a.subarray(0, b.length))));
      if (o === "correct") current = after.status === 404 ? null : after.body;
      else if (outcome === "correct") current = body;
    } else if (pick < 8) {
      const s = await sign(key, { method: "DELETE" });
      const r = await perform(s.url, { method: "DELETE", headers: s.headers });
      if (record("DELETE", r, (x) => x.status === 204) === "correct") current = null;
    } else {
      const r = await read();
      record("GET own", r, (x) => current === null ? x.status === 404 : x.status === 200 && x.body.equals(current),
        (b) => current !== null && b.equals(current.subarray(0, b.length)));
    }
  };
}

// ---- faults ----------------------------------------------------------------------------------------------------
// A fault switched on for a window, then off. Stalled bodies are released when the window ends (the runtime does
// not pass a client's give-up on to the backend fetch; see tests/e2e/chaos.test.mjs).
const FAULTS = [
  { target: "s3", mode: "status", status: 500 },
  { target: "s3", mode: "status", status: 503 },
  { target: "s3", mode: "reset" },
  { target: "s3", mode: "stall" },
  { target: "s3", mode: "reset-body", after_bytes: 32 * 1024 },
  { target: "s3", mode: "stall-body", after_bytes: 16 * 1024 },
  { target: "s3", mode: "trickle", chunk_bytes: 16 * 1024, delay_ms: 20 },
  { target: "s3", mode: "truncated" },
  { target: "s3", mode: "reset-upload", after_bytes: 8 * 1024 },
  { target: "sts", mode: "status", status: 500 },
  { target: "sts", mode: "stall" },
  { target: "sts", mode: "garbage" },
];
const faultLog = new Map();
let stop = false;
async function faultLoop() {
  while (!stop && !NO_FAULTS) {
    await sleep(4000);
    if (stop) break;
    const f = FAULTS[crypto.randomInt(0, FAULTS.length)];
    await emu("fault", f);
    faultLog.set(`${f.target} ${f.mode}`, (faultLog.get(`${f.target} ${f.mode}`) ?? 0) + 1);
    await sleep(700);
    await emu("fault", { target: f.target, mode: "none" });
    await emu("release-stalls", {});
  }
}

// ---- the run ---------------------------------------------------------------------------------------------------
const READS = [
  [OPS.getSmall, 20], [OPS.getRange, 25], [OPS.getBig, 3], [OPS.head, 10], [OPS.list, 12],
  [OPS.signedGet, 10], [OPS.federatedGet, 10],
];
const WEIGHT = READS.reduce((n, [, w]) => n + w, 0) + 10; // + writes
async function loop(n, until) {
  const write = writer(n);
  while (Date.now() < until) {
    let pick = crypto.randomInt(0, WEIGHT);
    let op = write;
    for (const [f, w] of READS) {
      if (pick < w) {
        op = f;
        break;
      }
      pick -= w;
    }
    await op();
  }
}

const started = Date.now();
const until = started + SECONDS * 1000;
const rss = { start: rssMiB() };
const wasm = { start: (await core()).memory_bytes };
const trace = [];
const sampler = (async () => {
  await sleep(Math.min(15000, SECONDS * 100)); // warm-up: JIT, caches, pools
  rss.warm = rssMiB();
  for (let i = 1; i <= 10 && !stop; i++) {
    await sleep(Math.max(0, started + (SECONDS * 1000 * i) / 10 - Date.now()));
    trace.push(rssMiB());
    if (i === 5) {
      rss.mid = trace.at(-1);
      rss.midRequests = Object.values(counts).reduce((a, b) => a + b, 0);
    }
  }
})();
const faults = faultLoop();
await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => loop(i, until)));
stop = true;
await faults;
await sampler;
const elapsed = (Date.now() - started) / 1000;
await emu("release-stalls", {});
await emu("fault", { target: "s3", mode: "none" });
await emu("fault", { target: "sts", mode: "none" });
await emu("sts-duration", { seconds: null });
let drained = await core();
for (let i = 0; i < 100 && drained.in_flight > 0; i++) {
  await sleep(100);
  drained = await core();
}
rss.end = rssMiB();
wasm.end = drained.memory_bytes;
await worker.close();

// ---- report ----------------------------------------------------------------------------------------------------
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
const total = Object.values(counts).reduce((a, b) => a + b, 0);
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
console.log(`soak: ${elapsed.toFixed(0)} s, concurrency ${CONCURRENCY}, ${total} requests, ${(total / elapsed).toFixed(0)} req/s, ` +
  `latency p50 ${f1(pct(50))} ms, p99 ${f1(pct(99))} ms (response head), ${logLines} worker log lines`);
console.log(`outcomes: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(", ")}`);
console.log(`s3 errors by code: ${[...byCode].map(([k, v]) => `${k} × ${v}`).join(", ") || "none"}`);
console.log(`correct by op: ${[...okByOp].map(([k, v]) => `${k} ${v}`).join(", ")}`);
console.log(`faults switched on: ${[...faultLog].map(([k, v]) => `${k} × ${v}`).join(", ")}`);
console.log(`workerd RSS (MiB): start ${f1(rss.start)}, after warm-up ${f1(rss.warm)}, middle ${f1(rss.mid)}, end ${f1(rss.end)}; ` +
  `wasm memory ${wasm.start >> 10} → ${wasm.end >> 10} KiB; core in flight after the run ${drained.in_flight}`);
console.log(`workerd RSS every ${SECONDS / 10} s (MiB): ${trace.map(f1).join(" ")}; ` +
  `${f1(((rss.end - rss.warm) * 1024) / Math.max(1, total))} KiB per request after the warm-up`);
for (const w of wrongSamples) console.log(`wrong: ${w}`);
console.log(`GET/HEAD retried once after the server closed the connection as the request went out: ${retries}`);

const secondHalf = total - rss.midRequests;
const rssBoundMiB = Math.max(RSS_BOUND_MIB, (RSS_BOUND_KIB_PER_REQUEST * secondHalf) / 1024);
const checks = [
  ["no wrong answer", counts.wrong === 0],
  ["no hung request", counts.hung === 0],
  ["every operation succeeded at least once", ["GET", "GET range", "HEAD", "LIST", "signed GET", "federated GET", "PUT", "GET after PUT"]
    .every((op) => okByOp.get(op) > 0)],
  ["the core holds no request state after the run", drained.in_flight === 0],
  [`workerd RSS grew at most ${f1(rssBoundMiB)} MiB over the second half (${RSS_BOUND_MIB} MiB, or ` +
    `${RSS_BOUND_KIB_PER_REQUEST} KiB × ${secondHalf} requests; ${f1(rss.mid)} → ${f1(rss.end)})`,
    Number.isFinite(rss.end) && rss.end - rss.mid <= rssBoundMiB],
];
for (const [name, ok] of checks) console.log(`${ok ? "CHECK OK" : "CHECK FAILED"} ${name}`);
const failed = checks.filter(([, ok]) => !ok).length;
console.log(`${checks.length - failed} passed, ${failed} failed (soak: ${total} requests, wrong ${counts.wrong}, hung ${counts.hung}, ` +
  `rss ${f1(rss.mid)} → ${f1(rss.end)} MiB in the second half)`);
process.exit(failed ? 1 : 0);
