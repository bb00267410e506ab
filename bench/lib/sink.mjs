// The upload origin: a node HTTP server that reads every request body to its end, then answers 200 with an ETag
// (what a store answers a PutObject). It runs on the load core beside nginx. Direct uploads (A) and both Workers'
// (P, B) land here, so the upload row compares the Workers' own cost of carrying a body.
import { spawn } from "node:child_process";

const SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  let n = 0;
  req.on("data", (c) => (n += c.length));
  req.on("end", () => {
    res.writeHead(200, { etag: '"' + n.toString(16) + '"', "content-length": "0" });
    res.end();
  });
});
server.keepAliveTimeout = 300000;
server.listen(Number(process.argv[1]), "127.0.0.1", () => process.stdout.write("ready\\n"));
`;

export function startSink(port, cpu) {
  const child = spawn("taskset", ["-c", String(cpu), process.execPath, "-e", SERVER, String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  const ready = new Promise((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`upload sink exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child, ready, pids: () => [child.pid] };
}
