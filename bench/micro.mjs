// Per-operation CPU costs inside workerd itself (the host-path building blocks B uses, and the wasm core), from the
// process's on-CPU time: for each op, requests that each run it K times, minus op=noop, divided by K.
//   node bench/micro.mjs [--wasm FILE] [--ops a,b,...]      (default: the shipped dist/core.wasm, every op)
// workerd pinned to core 1, the load tool to core 0; loopback only.
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { proxyConfig, proxySecrets } from "./lib/config.mjs";
import { ACCOUNT, REPO, SMALL } from "./lib/fixtures.mjs";
import { hey } from "./lib/load.mjs";
import { cpuSecondsPrecise } from "./lib/proc.mjs";
import { freePort, waitForPort, writeCapnp } from "./lib/workerd.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const STATE = path.join(ROOT, ".state/bench/micro");
const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const WASM = path.resolve(opt("--wasm", path.join(ROOT, "dist/core.wasm")));
const OPS = opt("--ops", "noop,encodeInto,encodeJs,decode,decodeLatin1,newUint8ArrayView,newDataView,wasmCall,getRandomValues," +
  "headersSpread,originHeadersSpread,abortTimer,response0,response9,responseFromHeaders,responseFromResponse,headers0,headers1," +
  "headers9,headers9obj,headersSet9,headersAppend9,headersForEach,request0,request3,consoleLog,dateNow,decodeJsLoop," +
  "wasmBeginToFetch,wasmBeginToFetchAnonymous,webcryptoSigV4,webcryptoDigest,wasmCycle,coreBegin,coreCycle").split(",");
const TARGET_S = Number(opt("--seconds", 1.5)); // op CPU per measurement

fs.mkdirSync(STATE, { recursive: true });
const port = await freePort();
const capnp = path.join(STATE, "micro.capnp");
writeCapnp(capnp, {
  port,
  modules: [
    { name: "bench/workers/micro.mjs", type: "esModule", file: path.join(ROOT, "bench/workers/micro.mjs") },
    { name: "bench/lib/replay.mjs", type: "esModule", file: path.join(ROOT, "bench/lib/replay.mjs") },
    { name: "js/core.mjs", type: "esModule", file: path.join(ROOT, "js/core.mjs") },
    { name: "dist/core.wasm", type: "wasm", file: WASM },
  ],
  bindings: { S3P_CONFIG: JSON.stringify(proxyConfig("http://127.0.0.1:9")), ...proxySecrets(), OBJECT_PATH: `/${ACCOUNT}/${REPO}/${SMALL}`,
    OBJECT_PATH_ANONYMOUS: `/${ACCOUNT}/${REPO}-anonymous/${SMALL}` },
});
const bin = path.join(ROOT, "node_modules/@cloudflare/workerd-linux-64/bin/workerd");
const child = spawn("taskset", ["-c", "1", bin, "serve", capnp], { stdio: ["ignore", fs.openSync("/dev/null", "w"), "inherit"] });
process.on("exit", () => child.kill("SIGTERM"));
await waitForPort(port);

// CPU µs per request for `n` requests of op×k.
async function perRequest(op, k, n) {
  const url = `http://127.0.0.1:${port}/?op=${op}&k=${k}`;
  const c0 = cpuSecondsPrecise(child.pid);
  const r = await hey({ url, c: 2, n, cpu: 0 });
  if (!r.statuses["204"]) throw new Error(`${op}: ${JSON.stringify(r.statuses)}`);
  return ((cpuSecondsPrecise(child.pid) - c0) / r.responses) * 1e6;
}

await perRequest("noop", 1, 4000); // warm-up
const N = 600;
const base = Math.min(await perRequest("noop", 1, 3000), await perRequest("noop", 1, 3000));
console.log(`workerd request floor (op=noop): ${base.toFixed(1)} µs CPU per request`);
const results = {};
for (const op of OPS.filter((o) => o !== "noop")) {
  // calibrate K so that one measurement spends ~TARGET_S seconds in the op
  const probe = Math.max(0.001, (await perRequest(op, 200, 200)) - base) / 200;
  const k = Math.max(1, Math.min(50000, Math.round((TARGET_S * 1e6) / N / probe)));
  const xs = [];
  for (let i = 0; i < 3; i++) xs.push(((await perRequest(op, k, N)) - base) / k);
  xs.sort((a, b) => a - b);
  results[op] = xs[1];
  console.log(`${op.padEnd(18)} ${xs[1].toFixed(3).padStart(9)} µs per op (k=${k}; spread ${xs[0].toFixed(3)}–${xs[2].toFixed(3)})`);
}
fs.writeFileSync(path.join(STATE, "micro.json"), JSON.stringify({ base, results }, null, 2));
process.exit(0);
