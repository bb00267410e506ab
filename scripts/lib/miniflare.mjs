// Starts the Worker in Miniflare (workerd) — used by ./scripts/run and the end-to-end tests.
// Plain Miniflare, not `wrangler dev`: wrangler dev's inspector makes streaming crawl (see TOOLCHAIN.md).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// The demo/test config with ${EMULATOR} replaced by the local backend's URL.
export function loadConfig(file, emulator) {
  return fs.readFileSync(path.resolve(ROOT, file), "utf8").replaceAll("${EMULATOR}", emulator);
}

// options: { config (JSON string), bindings (secrets), port, wasm ("dist/core.wasm"), cachePersist, log,
//   kvPersist: a directory for the REGISTRY KV namespace (the namespace registry: README "Registry"); the CLI
//   (./scripts/registry --local DIR) writes where a Worker started with the same directory reads;
//   trustedCertificates: PEM certificates the Worker's outbound fetch() trusts (tests only: a local HTTPS backend
//   with a self-signed certificate, e.g. Azurite with OAuth); the Worker's fetch then goes through a workerd network
//   service that allows public, private and local addresses }
export async function startWorker({ config, bindings = {}, port = 0, wasm = "dist/core.wasm", cachePersist, kvPersist, log,
  trustedCertificates } = {}) {
  const wasmPath = path.resolve(ROOT, wasm);
  const mf = new Miniflare({
    modules: [
      // js/worker.mjs is the entry (first); every other js/*.mjs is a module it may import.
      ...["worker.mjs", ...fs.readdirSync(path.join(ROOT, "js")).filter((f) => f.endsWith(".mjs") && f !== "worker.mjs").sort()]
        .map((f) => ({ type: "ESModule", path: path.join(ROOT, "js", f) })),
      { type: "CompiledWasm", path: path.join(ROOT, "dist/core.wasm"), contents: fs.readFileSync(wasmPath) },
    ],
    modulesRoot: ROOT,
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["enable_request_signal"], // keep in step with wrangler.toml
    bindings: { S3P_CONFIG: config, ...bindings },
    host: "127.0.0.1",
    port,
    cachePersist,
    ...(kvPersist ? { kvNamespaces: ["REGISTRY"], kvPersist } : {}),
    ...(trustedCertificates?.length
      ? { outboundService: { network: { allow: ["public", "private", "local"], tlsOptions: { trustedCertificates } } } }
      : {}),
    handleRuntimeStdio: log
      ? (stdout, stderr) => {
          stdout.on("data", (d) => log(String(d)));
          stderr.on("data", (d) => log(String(d)));
        }
      : (stdout, stderr) => {
          stdout.resume();
          stderr.resume();
        },
  });
  const url = await mf.ready;
  return { mf, url: url.origin, close: () => mf.dispose() };
}
