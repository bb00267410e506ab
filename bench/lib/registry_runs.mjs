// The registry rows that are not load cells (bench/run.mjs runs them after the rounds):
//   coldIsolates  the first request of a cold isolate: a fresh workerd process per sample (same binary, same
//                 config as the variant's), timed from spawn to listening, then one request on a new connection
//                 (wall time to its body's end, and the process's on-CPU time for it), then a second one
//   sweep         the isolate's memory over many distinct registry names: requests for N distinct accounts, then N
//                 distinct keys, then N names no account has, in chunks, sampling after each chunk the core's wasm
//                 linear memory (js/test_hooks.mjs GET /__test/core "memory_bytes": WebAssembly.Memory grows and
//                 never shrinks, so it is the high-water mark of everything the core holds, the registry tier
//                 included), the isolate's JS heap (inspector Runtime.getHeapUsage: used and total, garbage not yet
//                 collected included), the workerd process's VmRSS, and the KV reads the chunk made
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ranged } from "./load.mjs";
import { cpuSecondsPrecise } from "./proc.mjs";

// Spawn → accepting connections, polled every 2 ms (waitForPort's 100 ms steps are too coarse to time a start).
export async function waitListening(port, ms = 15000) {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${ms} ms`);
}

// One GET on a connection of its own: { ms (send → body's last byte), status, body (first 300 bytes) }.
export function timedGet(url) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.get(url, { agent: false }, (res) => {
      const chunks = [];
      res.on("data", (d) => chunks.push(d));
      res.on("end", () => resolve({ ms: performance.now() - t0, status: res.statusCode, body: Buffer.concat(chunks).subarray(0, 300).toString() }));
    });
    req.on("error", (err) => resolve({ ms: NaN, status: 0, body: err.message }));
  });
}

// The isolate's JS heap through workerd's inspector (`workerd serve --inspector-addr=127.0.0.1:PORT`), as
// bench/workerd-profile.mjs --heap reads it: () => Promise<{ usedMiB, totalMiB }>, and close().
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export async function inspectorHeap(port) {
  const WebSocket = createRequire(path.join(ROOT, "node_modules/miniflare/package.json"))("ws"); // miniflare's dependency
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl) ?? targets[0];
  const ws = new WebSocket(target?.webSocketDebuggerUrl ?? `ws://127.0.0.1:${port}/main`);
  await new Promise((resolve, reject) => ws.on("open", resolve).on("error", reject));
  let nextId = 1;
  const pending = new Map();
  ws.on("message", (m) => {
    const msg = JSON.parse(m);
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    msg.error ? p.reject(new Error(JSON.stringify(msg.error))) : p.resolve(msg.result);
  });
  const send = (method, params = {}) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, params }));
  });
  const heap = async () => {
    const { usedSize, totalSize } = await send("Runtime.getHeapUsage");
    return { usedMiB: usedSize / 2 ** 20, totalMiB: totalSize / 2 ** 20 };
  };
  heap.close = () => ws.close();
  return heap;
}

export function rssMiB(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}

// ctx: { variants, kinds: [{ id, path: async (v, base) => path }], reps, start: async (v) => { url, pid, startMs
// (spawn → listening), stop }, kvReads: async (v) => total reads so far (0 without a registry), log }. Variants rotate
// per rep. Returns { [kind]: { [v]: [{ startMs, startCpuMs (the process's CPU by then), firstMs, firstCpuMs, secondMs,
// secondCpuMs, kvReads }] } }.
export async function coldIsolates({ variants, kinds, reps, start, kvReads, log }) {
  const out = {};
  for (let r = 0; r < reps; r++)
    for (const kind of kinds)
      for (let i = 0; i < variants.length; i++) {
        const v = variants[(i + r) % variants.length];
        const s = await start(v);
        try {
          const url = s.url + (await kind.path(v, s.url));
          const kv0 = await kvReads(v);
          const cpu0 = cpuSecondsPrecise(s.pid);
          const first = await timedGet(url);
          const cpu1 = cpuSecondsPrecise(s.pid);
          const kv1 = await kvReads(v);
          const cpu2 = cpuSecondsPrecise(s.pid);
          const second = await timedGet(url);
          const cpu3 = cpuSecondsPrecise(s.pid);
          for (const x of [first, second])
            if (x.status !== 200) throw new Error(`cold ${kind.id}/${v}: status ${x.status}: ${x.body}`);
          ((out[kind.id] ??= {})[v] ??= []).push({ startMs: s.startMs, startCpuMs: cpu0 * 1000, firstMs: first.ms,
            firstCpuMs: (cpu1 - cpu0) * 1000, secondMs: second.ms, secondCpuMs: (cpu3 - cpu2) * 1000, kvReads: kv1 - kv0 });
        } finally {
          await s.stop();
        }
      }
  log?.(`cold isolates: ${reps} × ${kinds.length} × ${variants.length} fresh workerd processes`);
  return out;
}

// ctx: { base, pid, phases: [{ id, label, count, request: (i) => ({ path }), status }], chunk, c, cpu, dir,
// kvStats: async () => { reads }, heap (inspectorHeap's), log }. Returns [{ phase, names, wasmMiB, heapMiB,
// heapTotalMiB, rssMiB, kvReads, cpuUs, rps, statuses }],
// the first row being the state before the sweep (a fresh core, after one introspection request).
export async function sweep({ base, pid, phases, chunk, c, cpu, dir, kvStats, heap, log }) {
  fs.mkdirSync(dir, { recursive: true });
  const core = async () => (await (await fetch(`${base}/__test/core`)).json()).memory_bytes / 2 ** 20;
  const js = async () => {
    const h = heap ? await heap() : {};
    return { heapMiB: h.usedMiB, heapTotalMiB: h.totalMiB };
  };
  const rows = [];
  let names = 0;
  let kv = (await kvStats()).reads;
  rows.push({ phase: "start", names: 0, wasmMiB: await core(), ...(await js()), rssMiB: rssMiB(pid), kvReads: 0 });
  for (const ph of phases)
    for (let from = 0; from < ph.count; from += chunk) {
      const n = Math.min(chunk, ph.count - from);
      const file = `${dir}/${ph.id}-${from}.json`;
      fs.writeFileSync(file, JSON.stringify(Array.from({ length: n }, (_, j) => [ph.request(from + j)])));
      const cpu0 = cpuSecondsPrecise(pid);
      const r = await ranged({ base, c, n, pattern: { kind: "sessions", file }, cpu });
      const cpuS = cpuSecondsPrecise(pid) - cpu0;
      fs.rmSync(file);
      if (r.errors.length || r.responses !== n) throw new Error(`sweep ${ph.id}: ${r.responses}/${n} answered; ${r.errors.join("; ")}`);
      const bad = Object.keys(r.statuses).filter((s) => Number(s) !== ph.status);
      if (bad.length) throw new Error(`sweep ${ph.id}: statuses ${JSON.stringify(r.statuses)}, expected ${ph.status}`);
      names += n;
      const kvNow = (await kvStats()).reads;
      rows.push({ phase: ph.label, names, wasmMiB: await core(), ...(await js()), rssMiB: rssMiB(pid), kvReads: kvNow - kv, cpuUs: (cpuS / n) * 1e6,
        rps: r.rps, statuses: r.statuses });
      kv = kvNow;
    }
  log?.(`memory sweep: ${names} distinct names`);
  return rows;
}
