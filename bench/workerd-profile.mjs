// A CPU profile of a Worker variant inside workerd itself (V8's sampling profiler over the inspector protocol),
// under the bench's load: what the runtime really spends per request, JS and wasm frames alike.
//   node bench/workerd-profile.mjs [--variant B|P|C|F] [--wasm FILE] [--seconds S] [--c N] [--out FILE] [--list] [--perf]
//                                  [--heap]
// --wasm: a module with a "name" section makes wasm frames readable (bench/README.md, "Profiling").
// The summary is printed by bench/profile.mjs --summarize. Loopback only; nginx and workerd are stopped at exit.
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { KEY_ID, REGION, SECRET, buckets, proxyConfig, proxySecrets, routes } from "./lib/config.mjs";
import { ACCOUNT, REPO, SMALL, writeFixtures } from "./lib/fixtures.mjs";
import { hey } from "./lib/load.mjs";
import { startNginx } from "./lib/nginx.mjs";
import { cpuSeconds } from "./lib/proc.mjs";
import { freePort, waitForPort, writeCapnp } from "./lib/workerd.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const STATE = path.join(ROOT, ".state/bench/profile");
const WebSocket = createRequire(path.join(ROOT, "node_modules/miniflare/package.json"))("ws"); // miniflare's dependency
const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const VARIANT = opt("--variant", "B");
const WASM = path.resolve(opt("--wasm", path.join(ROOT, "dist/core.wasm")));
const SECONDS = Number(opt("--seconds", 8));
const C = Number(opt("--c", 16));
const OUT = path.resolve(opt("--out", path.join(STATE, `${VARIANT}.cpuprofile`)));
const PROFILE = !argv.includes("--no-profile") && !argv.includes("--perf") && !argv.includes("--heap"); // --no-profile: without the profiler
// --perf: sample the whole workerd process (native C++, kernel, JIT'd JS and wasm via --perf-basic-prof) with
// `perf record -e cpu-clock` instead of V8's profiler; report with `perf report -i FILE --no-children --sort dso,sym`
const PERF = argv.includes("--perf");
// --heap: instead of a profile, where memory goes under the load: the isolate's JS heap (inspector
// Runtime.getHeapUsage; workerd's inspector never answers HeapProfiler.collectGarbage, so garbage not yet collected
// counts too) against the whole process's RSS, sampled ten times. A heap that stays
// flat while RSS climbs is the runtime's memory, not the Worker's.
const HEAP = argv.includes("--heap");

fs.mkdirSync(STATE, { recursive: true });
writeFixtures(path.join(ROOT, ".state/bench/root"));
const originPort = await freePort();
const nginx = startNginx(path.join(STATE, "nginx"), path.join(ROOT, ".state/bench/root"), originPort, 0);
const ORIGIN = `http://127.0.0.1:${originPort}`;
let child = null;
process.on("exit", () => {
  child?.kill("SIGTERM");
  nginx.stop();
});

const js = (f) => ({ name: `js/${f}`, type: "esModule", file: path.join(ROOT, "js", f) });
const defs = {
  P: { modules: [{ name: "worker.mjs", type: "esModule", file: path.join(ROOT, "bench/workers/passthrough.mjs") }],
    bindings: { ROUTES: JSON.stringify(routes(ORIGIN)), BUCKETS: JSON.stringify(buckets(ORIGIN)) } },
  C: { modules: [{ name: "worker.mjs", type: "esModule", file: path.join(ROOT, "bench/workers/aws4fetch.mjs") },
    { name: "aws4fetch", type: "esModule", file: path.join(ROOT, "node_modules/aws4fetch/dist/aws4fetch.esm.mjs") }],
  bindings: { ROUTES: JSON.stringify(routes(ORIGIN)), BACKEND_KEY_ID: KEY_ID, BACKEND_SECRET: SECRET, BACKEND_REGION: REGION } },
  // F: the listing's I/O floor (read the backend's body whole, answer it as bytes; bench/workers/listing_floor.mjs)
  F: { modules: [{ name: "worker.mjs", type: "esModule", file: path.join(ROOT, "bench/workers/listing_floor.mjs") }],
    bindings: { BUCKETS: JSON.stringify(buckets(ORIGIN)) } },
  B: { modules: [js("worker.mjs"), ...fs.readdirSync(path.join(ROOT, "js")).filter((f) => f.endsWith(".mjs") && f !== "worker.mjs").map(js),
    { name: "dist/core.wasm", type: "wasm", file: WASM }],
  bindings: { S3P_CONFIG: JSON.stringify(proxyConfig(ORIGIN)), ...proxySecrets() } },
};
const port = await freePort();
const inspectorPort = await freePort();
const capnp = path.join(STATE, `${VARIANT}.capnp`);
writeCapnp(capnp, { port, ...defs[VARIANT], v8Flags: PERF ? ["--perf-basic-prof"] : [] });
const bin = path.join(ROOT, "node_modules/@cloudflare/workerd-linux-64/bin/workerd");
const wargs = ["-c", "1", bin, "serve", ...(PROFILE || HEAP ? [`--inspector-addr=127.0.0.1:${inspectorPort}`] : []), capnp];
child = spawn("taskset", wargs, { stdio: ["ignore", fs.openSync(path.join(STATE, `${VARIANT}.log`), "w"), "inherit"] });
await waitForPort(port);
// --list: ListObjectsV2 of the 1000-key page instead of the 1 KiB GetObject
const url = argv.includes("--list")
  ? `http://127.0.0.1:${port}/${ACCOUNT}?list-type=2&prefix=${REPO}/`
  : `http://127.0.0.1:${port}/${ACCOUNT}/${REPO}/${SMALL}`;
await hey({ url, c: C, seconds: 2, cpu: 0 }); // warm-up: JIT tier-up

let ws = null, nextId = 1;
const pending = new Map();
const send = (method, params = {}) =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, params }));
  });
if (PROFILE || HEAP) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl) ?? targets[0];
  ws = new WebSocket(target.webSocketDebuggerUrl ?? `ws://127.0.0.1:${inspectorPort}/main`);
  await new Promise((resolve, reject) => ws.on("open", resolve).on("error", reject));
  ws.on("message", (m) => {
    const msg = JSON.parse(m);
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    msg.error ? p.reject(new Error(JSON.stringify(msg.error))) : p.resolve(msg.result);
  });
}
if (PROFILE) {
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  await send("Profiler.start");
}
let perf = null;
if (PERF) {
  const perfOut = OUT.replace(/\.cpuprofile$/, "") + ".perf.data";
  perf = spawn("perf", ["record", "-e", "cpu-clock", "-F", "4000", "-g", "-o", perfOut, "-p", String(child.pid)], { stdio: "ignore" });
  console.log(`perf data: ${perfOut}`);
}
if (HEAP) {
  const rssMiB = () => Number(fs.readFileSync(`/proc/${child.pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/)[1]) / 1024;
  const heapMiB = async () => {
    const { usedSize } = await send("Runtime.getHeapUsage");
    return usedSize / 2 ** 20;
  };
  let served = 0;
  const f1 = (x) => x.toFixed(1);
  console.log(`requests   JS heap MiB   process RSS MiB   (${VARIANT}, c=${C}, ${SECONDS / 10} s per step)`);
  console.log(`${String(served).padStart(8)}   ${f1(await heapMiB()).padStart(11)}   ${f1(rssMiB()).padStart(15)}`);
  for (let i = 0; i < 10; i++) {
    served += (await hey({ url, c: C, seconds: SECONDS / 10, cpu: 0 })).responses;
    console.log(`${String(served).padStart(8)}   ${f1(await heapMiB()).padStart(11)}   ${f1(rssMiB()).padStart(15)}`);
  }
  ws.close();
  process.exit(0);
}
const cpu0 = cpuSeconds(child.pid);
const r = await hey({ url, c: C, seconds: SECONDS, cpu: 0 });
if (perf) {
  perf.kill("SIGINT");
  await new Promise((resolve) => perf.on("close", resolve));
}
const cpu = cpuSeconds(child.pid) - cpu0;
console.log(`${VARIANT}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, workerd ${((cpu / r.responses) * 1e6).toFixed(0)} µs CPU/request` +
  `${PROFILE ? " (profiler on)" : ""}`);
if (PERF) {
  const meta = { variant: VARIANT, rps: r.rps, responses: r.responses, cpuUsPerReq: (cpu / r.responses) * 1e6 };
  fs.writeFileSync(OUT.replace(/\.cpuprofile$/, "") + ".perf.json", JSON.stringify(meta));
}
if (PROFILE) {
  const { profile } = await send("Profiler.stop");
  fs.writeFileSync(OUT, JSON.stringify(profile));
  console.log(`profile: ${OUT}`);
  ws.close();
}
process.exit(0);
