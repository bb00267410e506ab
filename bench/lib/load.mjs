// The load tools, pinned to the load core. `hey` (Go) for one URL: it reports true per-request latency percentiles
// (wrk 4.1 inserts synthetic samples against workerd) and can send HEAD; output is parsed from its summary.
// `ranged` (bench/lib/loadgen.mjs) for the edge-cache cells, whose requests each carry their own Range.
import { spawn } from "node:child_process";

// opts: { url, method, headers: {k: v}, bodyFile (sent with every request), c, n | seconds, cpu }
export function hey(opts) {
  const args = ["-c", String(opts.cpu), "hey", "-cpus", "1", "-disable-compression", "-disable-redirects", "-t", "30",
    "-c", String(opts.c), "-m", opts.method ?? "GET"];
  if (opts.n) args.push("-n", String(Math.max(opts.n, opts.c)));
  else args.push("-z", `${opts.seconds}s`);
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push("-H", `${k}: ${v}`);
  if (opts.bodyFile) args.push("-D", opts.bodyFile);
  args.push(opts.url);
  return new Promise((resolve, reject) => {
    const child = spawn("taskset", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`hey exited ${code}: ${err || out}`));
      try {
        resolve(parseHey(out));
      } catch (e) {
        reject(new Error(`${e.message}\n${out}\n${err}`));
      }
    });
  });
}

export function parseHey(out) {
  const num = (re) => {
    const m = out.match(re);
    return m ? Number(m[1]) : NaN;
  };
  const statuses = {};
  for (const m of out.matchAll(/\[(\d{3})\]\s+(\d+) responses/g)) statuses[m[1]] = Number(m[2]);
  const responses = Object.values(statuses).reduce((a, b) => a + b, 0);
  const errors = [...out.matchAll(/\[(\d+)\]\s+(Get|Head|Post|Put)[^\n]*/g)].map((m) => m[0]);
  const r = {
    seconds: num(/Total:\s+([\d.]+) secs/),
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    bytes: num(/Total data:\s+(\d+) bytes/),
    p50: num(/50% in ([\d.]+) secs/) * 1000,
    p99: num(/99% in ([\d.]+) secs/) * 1000,
    statuses,
    responses,
    errors,
  };
  if (!Number.isFinite(r.rps) || responses === 0) throw new Error("could not parse hey's output");
  if (Number.isNaN(r.bytes)) r.bytes = 0; // HEAD: hey prints no "Total data"
  return r;
}

// The edge-cache cells' load: bench/lib/loadgen.mjs (a different Range per request, ordered sessions), pinned to
// the load core. opts: { base, c, n | seconds, pattern, cpu }; resolves to loadgen's result object.
const LOADGEN = new URL("./loadgen.mjs", import.meta.url).pathname;
export function ranged(opts) {
  const { cpu, ...args } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn("taskset", ["-c", String(cpu), process.execPath, LOADGEN, JSON.stringify(args)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`loadgen exited ${code}: ${err || out}`));
      try {
        resolve(JSON.parse(out));
      } catch (e) {
        reject(new Error(`could not parse loadgen's output: ${e.message}\n${out}\n${err}`));
      }
    });
  });
}
