// A paired comparison of two builds of our worker (B0 = a baseline js/ + module, B1 = another), beside P and C, on
// one cell, for a machine shared with other work: the variants run in interleaved short rounds (rotated order), and
// the figures that count are the per-round ratios to the peer measured in the same round. Not run by scripts/bench.
//   node bench/ab.mjs --base-js DIR --base-wasm FILE [--js DIR] [--wasm FILE] [--cell get|head|range|list]
//                     [--rounds N] [--seconds S] [--c N] [--floor FILE]
// (--js/--wasm default to this tree's js/ and dist/core.wasm.) --floor: one more variant F, a Worker module given P's
// bindings (e.g. bench/workers/listing_floor.mjs: the listing's I/O without the rewrite). Server pinned to core 1, hey to core 0; loopback only.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KEY_ID, REGION, SECRET, buckets, proxyConfig, proxySecrets, routes } from "./lib/config.mjs";
import { ACCOUNT, BIG, REPO, SMALL, writeFixtures } from "./lib/fixtures.mjs";
import { hey } from "./lib/load.mjs";
import { startNginx } from "./lib/nginx.mjs";
import { cpuSecondsPrecise } from "./lib/proc.mjs";
import { median } from "./lib/stats.mjs";
import { freePort, startWorkerd, waitForPort, writeCapnp } from "./lib/workerd.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const STATE = path.join(ROOT, ".state/bench/ab");
const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const CELL = opt("--cell", "get");
const ROUNDS = Number(opt("--rounds", 6));
const SECONDS = Number(opt("--seconds", 1.5));
const C = Number(opt("--c", 16));
const trees = {
  B0: { js: path.resolve(opt("--base-js", "")), wasm: path.resolve(opt("--base-wasm", "")) },
  B1: { js: path.resolve(opt("--js", path.join(ROOT, "js"))), wasm: path.resolve(opt("--wasm", path.join(ROOT, "dist/core.wasm"))) },
};
if (!argv.includes("--base-js") || !argv.includes("--base-wasm")) throw new Error("--base-js DIR and --base-wasm FILE are required");

fs.mkdirSync(STATE, { recursive: true });
writeFixtures(path.join(ROOT, ".state/bench/root"));
const originPort = await freePort();
const nginx = startNginx(path.join(STATE, "nginx"), path.join(ROOT, ".state/bench/root"), originPort, 0);
const ORIGIN = `http://127.0.0.1:${originPort}`;
const children = [];
process.on("exit", () => {
  for (const c of children) c.kill("SIGTERM");
  nginx.stop();
});

const ours = ({ js, wasm }) => ({
  modules: [
    ...fs.readdirSync(js).filter((f) => f.endsWith(".mjs")).map((f) => ({ name: `js/${f}`, type: "esModule", file: path.join(js, f) })),
    { name: "dist/core.wasm", type: "wasm", file: wasm },
  ],
  bindings: { S3P_CONFIG: JSON.stringify(proxyConfig(ORIGIN)), ...proxySecrets() },
});
const defs = {
  P: { modules: [{ name: "worker.mjs", type: "esModule", file: path.join(ROOT, "bench/workers/passthrough.mjs") }],
    bindings: { ROUTES: JSON.stringify(routes(ORIGIN)), BUCKETS: JSON.stringify(buckets(ORIGIN)) } },
  C: { modules: [{ name: "worker.mjs", type: "esModule", file: path.join(ROOT, "bench/workers/aws4fetch.mjs") },
    { name: "aws4fetch", type: "esModule", file: path.join(ROOT, "node_modules/aws4fetch/dist/aws4fetch.esm.mjs") }],
  bindings: { ROUTES: JSON.stringify(routes(ORIGIN)), BACKEND_KEY_ID: KEY_ID, BACKEND_SECRET: SECRET, BACKEND_REGION: REGION } },
  B0: ours(trees.B0),
  B1: ours(trees.B1),
};
const FLOOR = opt("--floor", "");
if (FLOOR) defs.F = { modules: [{ name: "worker.mjs", type: "esModule", file: path.resolve(FLOOR) }], bindings: defs.P.bindings };
// workerd's main module is the first one listed: ours is js/worker.mjs.
for (const v of ["B0", "B1"]) defs[v].modules.sort((a, b) => (b.name === "js/worker.mjs") - (a.name === "js/worker.mjs"));
const variants = [...(CELL === "list" ? ["P", "B0", "B1"] : ["P", "C", "B0", "B1"]), ...(FLOOR ? ["F"] : [])];
const bin = path.join(ROOT, "node_modules/@cloudflare/workerd-linux-64/bin/workerd");
const servers = {};
for (const v of variants) {
  const port = await freePort();
  const capnp = path.join(STATE, `${v}.capnp`);
  writeCapnp(capnp, { port, ...defs[v] });
  const child = startWorkerd(bin, capnp, 1, path.join(STATE, `${v}.log`));
  children.push(child);
  servers[v] = { port, child };
}
for (const v of variants) await waitForPort(servers[v].port);

const load = (v, seconds) => {
  const base = `http://127.0.0.1:${servers[v].port}`;
  const cell = {
    get: { url: `${base}/${ACCOUNT}/${REPO}/${SMALL}` },
    head: { url: `${base}/${ACCOUNT}/${REPO}/${SMALL}`, method: "HEAD" },
    range: { url: `${base}/${ACCOUNT}/${REPO}/${BIG}`, headers: { range: `bytes=${1 << 20}-${(1 << 20) + 65535}` } },
    list: { url: `${base}/${ACCOUNT}?list-type=2&prefix=${REPO}/` },
  }[CELL];
  return hey({ ...cell, c: C, seconds, cpu: 0 });
};

for (const v of variants) await load(v, 2); // warm-up: JIT tier-up
// What each variant answers, once (a build that fails fast would look cheap): status and body length.
{
  const paths = { get: `/${ACCOUNT}/${REPO}/${SMALL}`, head: `/${ACCOUNT}/${REPO}/${SMALL}`, range: `/${ACCOUNT}/${REPO}/${BIG}`,
    list: `/${ACCOUNT}?list-type=2&prefix=${REPO}/` };
  for (const v of variants) {
    const resp = await fetch(`http://127.0.0.1:${servers[v].port}${paths[CELL]}`, {
      method: CELL === "head" ? "HEAD" : "GET", headers: CELL === "range" ? { range: `bytes=${1 << 20}-${(1 << 20) + 65535}` } : {} });
    console.log(`${v}: status ${resp.status}, ${(await resp.arrayBuffer()).byteLength} body bytes`);
  }
}
const rows = Object.fromEntries(variants.map((v) => [v, []]));
for (let r = 0; r < ROUNDS; r++) {
  const order = variants.map((_, i) => variants[(i + r) % variants.length]);
  for (const v of order) {
    const pid = servers[v].child.pid;
    const c0 = cpuSecondsPrecise(pid);
    const res = await load(v, SECONDS);
    const n = Object.values(res.statuses).reduce((a, b) => a + b, 0);
    // A variant that answers errors is measuring its error path: stop rather than print its figures.
    const bad = Object.entries(res.statuses).filter(([s]) => !/^2/.test(s));
    if (bad.length) throw new Error(`${v} answered ${JSON.stringify(Object.fromEntries(bad))} (log: ${path.join(STATE, `${v}.log`)})`);
    rows[v].push({ rps: res.rps, us: ((cpuSecondsPrecise(pid) - c0) * 1e6) / n });
  }
}
const peer = CELL === "list" ? "P" : "C";
const f = (x, d = 0) => x.toFixed(d);
console.log(`cell ${CELL}, c=${C}, ${ROUNDS} rounds of ${SECONDS} s (medians; ratios are medians of per-round ratios to ${peer})`);
console.log("| variant | req/s | CPU µs/req | req/s ÷ peer | CPU ÷ peer |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const v of variants) {
  const rps = median(rows[v].map((x) => x.rps)), us = median(rows[v].map((x) => x.us));
  const rr = median(rows[v].map((x, i) => x.rps / rows[peer][i].rps)), ru = median(rows[v].map((x, i) => x.us / rows[peer][i].us));
  console.log(`| ${v} | ${f(rps)} | ${f(us)} | ${f(rr, 2)}× | ${f(ru, 2)}× |`);
}
console.log(`per round, CPU ÷ ${peer}: ` + variants.filter((v) => v !== peer).map((v) => `${v} ` +
  rows[v].map((x, i) => f(x.us / rows[peer][i].us, 2)).join(" ")).join("; ") + `; ${peer} µs ` + rows[peer].map((x) => f(x.us)).join(" "));
const b1b0 = median(rows.B1.map((x, i) => x.us / rows.B0[i].us));
console.log(`B1 ÷ B0 CPU per request (median of per-round ratios): ${f(b1b0, 3)}×`);
process.exit(0);
