// The edge-cache cells' load tool: hey sends one URL with fixed headers, these cells need a different Range per
// request (and ordered sessions), so this small node client runs them instead. Started by load.mjs#ranged as its
// own process, pinned to the load core like hey; one JSON line of results on stdout.
//   node bench/lib/loadgen.mjs '{"base": "http://127.0.0.1:PORT", "c": 16, "n": 2000 | "seconds": 1.5, ["rate": R,]
//     "pattern": {"kind": "cold", "path": "/…", "size": …, "chunk": …, "start": 0}
//              | {"kind": "sessions", "sessions": [[{"path": "/…", "range": "bytes=a-b"}, …], …]}
//              | {"kind": "sessions", "file": "sessions.json"}}'   (the same list, from a file: too long for argv)
// c clients, each on its own keep-alive connection, take the next session and make its requests in order. A
// request's latency runs from sending it to its body's last byte (as hey measures). Stops issuing at n requests
// or after `seconds`. Counts statuses, body bytes, and the x-edge-cache header's values (our cache's outcome).
// rate (optional): R requests a second in all, request k due at k/R s. A client then waits for the next due time,
// and a request that was due before a client was free has its latency run from its due time (a server that falls
// behind is charged the wait: no coordinated omission). Without it the clients are a closed loop, each as fast as
// it can: a faster server then gets more load, so its tail is taken at a higher throughput than a slower peer's.
import fs from "node:fs";
import http from "node:http";
import { coldRange } from "./patterns.mjs";

const opts = JSON.parse(process.argv[2]);
const base = new URL(opts.base);
const agent = new http.Agent({ keepAlive: true, maxSockets: opts.c, maxFreeSockets: opts.c });

// Next session: cold generates one request per session from the cursor; sessions cycle through the list.
let issued = 0, sessionNo = 0, wrapped = false;
const p = opts.pattern;
if (p.file) p.sessions = JSON.parse(fs.readFileSync(p.file, "utf8"));
const nextSession = p.kind === "cold"
  ? () => {
    const r = coldRange((p.start ?? 0) + sessionNo++, p);
    wrapped ||= r.wrapped;
    return [{ path: p.path, range: r.range }];
  }
  : () => p.sessions[sessionNo++ % p.sessions.length];

function once({ path, range }, due) {
  return new Promise((resolve) => {
    const t0 = Math.min(due, performance.now());
    const req = http.request({ agent, host: base.hostname, port: base.port, path, headers: range ? { range } : {} }, (res) => {
      let bytes = 0;
      res.on("data", (d) => (bytes += d.length));
      res.on("end", () => resolve({ ms: performance.now() - t0, status: res.statusCode, bytes, edge: res.headers["x-edge-cache"] }));
      res.on("error", (err) => resolve({ ms: performance.now() - t0, error: err.message }));
    });
    req.on("error", (err) => resolve({ ms: performance.now() - t0, error: err.message }));
    req.end();
  });
}

const lat = [];
const statuses = {}, edge = {}, errors = [];
let bytes = 0;
const started = performance.now();
const deadline = opts.seconds ? started + opts.seconds * 1000 : Infinity;
const more = () => (opts.n ? issued < opts.n : performance.now() < deadline);

async function client() {
  while (more()) {
    for (const r of nextSession()) {
      if (!more()) return;
      const due = opts.rate ? started + (issued / opts.rate) * 1000 : Infinity;
      issued++;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const x = await once(r, wait > 0 ? Infinity : due); // after a sleep, the timer's own lateness is not the server's
      if (x.error) {
        if (errors.length < 5) errors.push(x.error);
        continue;
      }
      lat.push(x.ms);
      statuses[x.status] = (statuses[x.status] ?? 0) + 1;
      edge[x.edge ?? "none"] = (edge[x.edge ?? "none"] ?? 0) + 1;
      bytes += x.bytes;
    }
  }
}
await Promise.all(Array.from({ length: opts.c }, client));
const seconds = (performance.now() - started) / 1000;
agent.destroy();

lat.sort((a, b) => a - b);
const pct = (q) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] : NaN);
process.stdout.write(`${JSON.stringify({
  responses: lat.length, seconds, rps: lat.length / seconds, bytes, p50: pct(0.5), p99: pct(0.99),
  statuses, edge, errors, issued, sessions: sessionNo, wrapped,
})}\n`);
