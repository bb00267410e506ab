// A second Azurite for Entra tests, with its own OAuth on: HTTPS (Azurite takes Bearer tokens only over HTTPS) with
// a certificate made here for 127.0.0.1 (openssl, valid 2 days, in a temporary directory), "--oauth basic" (Azurite
// then checks a bearer token's aud, iss prefix https://sts.windows.net/ and iat/nbf/exp — not its signature), blob
// service only, in memory, loopback, a free port. The Worker trusts the certificate through
// startProxy({trustedCertificates}) (scripts/lib/miniflare.mjs); node talks to it with `ca` (request below).
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { API_VERSION, DEV_ACCOUNT, sign } from "./shared_key.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export async function startOAuthAzurite() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-azurite-tls-"));
  const cert = path.join(dir, "cert.pem"), key = path.join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  const bin = path.join(ROOT, ".state/azurite/node_modules/.bin/azurite-blob");
  const env = { ...process.env };
  delete env.AZURITE_ACCOUNTS;
  const child = spawn(bin, ["--blobHost", "127.0.0.1", "--blobPort", "0", "--inMemoryPersistence", "--extentMemoryLimit", "64",
    "--disableTelemetry", "--oauth", "basic", "--cert", cert, "--key", key], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`azurite (oauth) did not start: ${out}`)), 30_000);
    const seen = (d) => {
      out += d;
      const m = out.match(/listens on (https:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    child.stdout.on("data", seen);
    child.stderr.on("data", seen);
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`azurite (oauth) exited ${code}: ${out}`)); });
  });
  child.stdout.resume();
  child.stderr.resume();
  const pem = fs.readFileSync(cert, "utf8");
  // One request over HTTPS trusting this certificate: Shared Key (authorization: "shared") or a given header.
  const request = ({ method = "GET", path: p, query = [], headers = [], body, authorization = "shared" }) => {
    const all = [["x-ms-date", new Date().toUTCString()], ["x-ms-version", API_VERSION], ...headers];
    if (body !== undefined) all.push(["content-length", String(Buffer.byteLength(body))]);
    const auth = authorization === "shared" ? sign({ method, account: DEV_ACCOUNT, path: p, query, headers: all }).authorization : authorization;
    const qs = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
    return new Promise((resolve, reject) => {
      const req = https.request(`${url}${p}${qs ? "?" + qs : ""}`, { method, ca: pem,
        headers: Object.fromEntries([...all, ...(auth ? [["authorization", auth]] : [])]) }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      });
      req.on("error", reject);
      req.end(body);
    });
  };
  const stop = () => {
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { url, pem, request, stop };
}
