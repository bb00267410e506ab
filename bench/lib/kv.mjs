// The registry's Workers KV for raw workerd: a node HTTP server, on the load core beside the origin, holding one
// namespace in memory and speaking the protocol of workerd's KV binding (a `kvNamespace` binding designates a
// service; `get(name)` becomes `GET /<encodeURIComponent(name)>?urlencoded=true` to it, answered with the value,
// or 404 for "no such key"; Miniflare's KV worker answers the same requests from its persisted store). A separate
// process, so that neither the namespace's memory nor its CPU is the measured workerd's (at the edge KV is another
// service too). `GET /__bench/stats` answers {"reads", "misses"} (an encoded key never contains a bare '/').
//   startKv(file, port, cpu): file is JSON [[name, value], …] (bench/lib/registry.mjs's Map)
import { spawn } from "node:child_process";
import fs from "node:fs";

const SERVER = `
const http = require("node:http");
const fs = require("node:fs");
const values = new Map(JSON.parse(fs.readFileSync(process.argv[1], "utf8")));
let reads = 0, misses = 0;
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://kv");
  if (url.pathname === "/__bench/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify({ reads, misses, entries: values.size }));
  }
  if (req.method !== "GET") {
    res.writeHead(405);
    return res.end("read-only");
  }
  let name = url.pathname.slice(1);
  if (url.searchParams.get("urlencoded") === "true") name = decodeURIComponent(name);
  reads++;
  const v = values.get(name);
  if (v === undefined) {
    misses++;
    res.writeHead(404, { "content-length": "9" });
    return res.end("Not Found");
  }
  res.writeHead(200, { "content-length": String(Buffer.byteLength(v)) });
  res.end(v);
});
server.keepAliveTimeout = 300000;
server.listen(Number(process.argv[2]), "127.0.0.1", () => process.stdout.write("ready\\n"));
`;

export function startKv(file, port, cpu, values) {
  fs.writeFileSync(file, JSON.stringify([...values]));
  const child = spawn("taskset", ["-c", String(cpu), process.execPath, "-e", SERVER, file, String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  const ready = new Promise((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`KV server exited ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return { url, address: `127.0.0.1:${port}`, child, ready, stats: async () => (await fetch(`${url}/__bench/stats`)).json() };
}
