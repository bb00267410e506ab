// End-to-end helpers: the Worker in Miniflare (workerd) against the verifying emulator that ./scripts/test
// started (EMU_URL), plus the emulator's control API and real-client runners.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { DEMO_USER_ACCESS_KEY_ID, demoFederationSecrets, demoListingSecrets, demoUserSecrets } from "../../scripts/lib/demo-keys.mjs";
import { loadConfig, startWorker } from "../../scripts/lib/miniflare.mjs";

export const EMU = process.env.EMU_URL;
if (!EMU) throw new Error("EMU_URL is not set: run the e2e tests through ./scripts/test (it starts the emulator)");

export const DEMO_SECRETS = {
  DEMO_BACKEND_ACCESS_KEY_ID: process.env.DEMO_BACKEND_ACCESS_KEY_ID,
  DEMO_BACKEND_SECRET_ACCESS_KEY: process.env.DEMO_BACKEND_SECRET_ACCESS_KEY,
  ...demoFederationSecrets(), // the OIDC signing key and L2 key config/demo.json's federation section names
  ...demoUserSecrets(), // the secret of the demo access key
  ...demoListingSecrets(), // the key that seals listing continuation tokens
};
// The demo access key as a client holds it (may read demo-org/secret-data and federated-data).
export const DEMO_USER = { id: DEMO_USER_ACCESS_KEY_ID, secret: DEMO_SECRETS.DEMO_USER_SECRET };

export function demoConfig(mutate) {
  const cfg = JSON.parse(loadConfig("config/demo.json", EMU));
  mutate?.(cfg);
  return JSON.stringify(cfg);
}

// The demo with every repository public: for the read-path suites, which test what anonymous clients see of
// listings and objects (who may see what is tests/e2e/auth.test.mjs's subject, on the demo as it ships).
export function openDemoConfig(mutate) {
  return demoConfig((c) => {
    // The writable repository (and the demo key's grant on it) is tests/e2e/writes.test.mjs's.
    delete c.accounts["demo-org"].repositories.uploads;
    for (const k of Object.values(c.access_keys ?? {})) k.scopes = k.scopes.filter((s) => s.repository !== "uploads");
    mutate?.(c);
    for (const a of Object.values(c.accounts ?? {})) for (const r of Object.values(a.repositories)) r.public = true;
    for (const b of Object.values(c.buckets ?? {})) b.public = true;
  });
}

// Starts a proxy; `logs` collects the Worker's log lines.
// `cachePersist`: a directory for the Cache API's storage; proxies given the same one share it (like one colo).
// `registerJwks` (default true): tell the emulator's STS which keys the proxy's issuer publishes (see
// registerIssuer); false leaves STS trusting whatever was registered before (negative tests).
// `testHooks`: serve js/test_hooks.mjs's /__test/ routes (core introspection, trap injection, registry faults).
// `kvPersist`: a directory for the REGISTRY KV namespace (the namespace registry); `mf.getKVNamespace("REGISTRY")`
// writes to it while the Worker runs. `asConfigured`: never move the namespace into the registry (see toRegistry).
// `trustedCertificates`: PEMs the Worker's fetch trusts (a local HTTPS backend: scripts/lib/miniflare.mjs).
export async function startProxy({ config = openDemoConfig(), bindings = DEMO_SECRETS, wasm, cachePersist, kvPersist, registerJwks = true, testHooks = false, asConfigured = false, trustedCertificates } = {}) {
  const logs = [];
  if (testHooks) bindings = { ...bindings, S3P_TEST_HOOKS: "1" };
  // workerd's output arrives in pipe-sized pieces (4 KiB): a longer line comes in several, so a piece's last
  // line is kept until its newline arrives, and `logs` only ever holds whole lines.
  let partial = "";
  const log = (s) => {
    const lines = (partial + s).split("\n");
    partial = lines.pop();
    logs.push(...lines.filter(Boolean));
  };
  const served = NAMESPACE_FROM_REGISTRY && !kvPersist && !asConfigured ? toRegistry(config, bindings) : null;
  if (served) ({ config, bindings, kvPersist } = served);
  const w = await startWorker({ config, bindings, wasm, cachePersist, kvPersist, log, trustedCertificates });
  if (served) await served.fill(await w.mf.getKVNamespace("REGISTRY"));
  if (registerJwks) await registerIssuer(w.url, JSON.parse(config).federation?.issuer);
  const close = async () => {
    await w.close();
    if (served) fs.rmSync(served.kvPersist, { recursive: true, force: true });
  };
  return { ...w, close, logs };
}

// A registry value as ./scripts/registry writes it: sealed by the deployment key `k` (worker/config/registry_settings.h).
export function sealEntry(k, name, body) {
  const e = crypto.createHmac("sha256", k).update("s3-edge-proxy registry entries v1").digest();
  return `v1.${crypto.createHmac("sha256", e).update(`${name}\n${body}`).digest("base64url")}\n${body}`;
}

// S3P_E2E_NAMESPACE=registry (the "e2e-registry" stage of ./scripts/test): every suite runs again with the
// accounts of its config served from the namespace registry (Miniflare's KV) instead of S3P_CONFIG, which keeps
// the deployment's settings, backends and access keys; registry entries name those backends.
const NAMESPACE_FROM_REGISTRY = process.env.S3P_E2E_NAMESPACE === "registry";
function toRegistry(configText, bindings) {
  let cfg;
  try {
    cfg = JSON.parse(configText);
  } catch {
    return null; // a test of a broken config: served as it is
  }
  if (!cfg || cfg.registry || (!cfg.accounts && !cfg.buckets)) return null;
  const entries = new Map();
  const index = {};
  const isPublic = (r) => r?.public === true;
  for (const [name, a] of Object.entries(cfg.accounts ?? {})) {
    entries.set(`v1/account/${name}`, { repositories: a.repositories, backends: {} });
    index[name] = { public: Object.values(a.repositories ?? {}).some(isPublic) };
  }
  for (const [name, b] of Object.entries(cfg.buckets ?? {})) {
    entries.set(`v1/account/${name}`, { bucket: b, backends: {} });
    index[name] = { public: isPublic(b) };
  }
  entries.set("v1/index/accounts", { accounts: index });
  delete cfg.accounts;
  delete cfg.buckets;
  cfg.registry = { key_secret: "S3P_E2E_REGISTRY_KEY" };
  const key = "e2e deployment key for the registry stage, 32+ bytes";
  const kvPersist = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-e2e-kv-"));
  return {
    config: JSON.stringify(cfg),
    bindings: { ...bindings, S3P_E2E_REGISTRY_KEY: key },
    kvPersist,
    fill: async (kv) => {
      for (const [name, value] of entries) await kv.put(name, sealEntry(key, name, JSON.stringify(value)));
    },
  };
}

// The emulator's STS verifies every web-identity JWT against its issuer's JWKS. Test proxies listen on a port
// chosen at start, while their configured issuer is fixed (config/demo.json), so STS cannot fetch the issuer's
// discovery document itself: the JWKS the proxy serves is registered for its issuer instead.
export async function registerIssuer(proxyUrl, issuer) {
  if (!issuer) return;
  const r = await fetch(`${proxyUrl}/.well-known/jwks.json`);
  if (!r.ok) return; // no valid federation config: nothing to trust
  await emu("jwks", { issuer, jwks: await r.json() });
}

export async function emu(path, body) {
  const r = await fetch(`${EMU}/__emu/${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`emulator control ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

// Requests the emulator has received (S3 and STS): a refusal must leave it unchanged.
export async function backendCalls() {
  const s = await emu("stats");
  return s.s3_requests + s.sts_requests;
}

// A refusal as S3 gives it: the status, S3 XML with the code, and not one backend or STS request spent on it.
// `send` returns a fetch Response or { status, text }.
export async function expectRefusal(send, status, code) {
  const before = await backendCalls();
  const r = await send();
  const text = r.text instanceof Function ? await r.text() : r.text;
  assert.equal(r.status, status, text);
  assert.equal(xmlField(text, "Code"), code);
  assert.equal(await backendCalls(), before);
}

export const clearFaults = () => Promise.all([emu("fault", { target: "s3", mode: "none" }), emu("fault", { target: "sts", mode: "none" })]);
// Ends every request the emulator holds (stall, hold): its connection closes (stall) or it proceeds (hold).
export const releaseStalls = () => emu("release-stalls", {});

// Arms `spec` (one fault, {target, mode, ...}, or a list of them), runs `fn`, and whatever happens disarms the
// targets it armed and releases any request still held or stalled, so a failing test never leaves a fault (or a
// stalled connection) behind for the next one. Returns what `fn` returns.
export async function withFault(spec, fn) {
  const specs = Array.isArray(spec) ? spec : [spec];
  try {
    for (const s of specs) await emu("fault", s);
    return await fn();
  } finally {
    for (const target of new Set(specs.map((s) => s.target))) await emu("fault", { target, mode: "none" });
    await releaseStalls();
  }
}

// Polls `probe` (sync or async) until `until(value)` holds (default: the value is truthy) and returns that value.
// Fails with `what` and the last value seen once `timeoutMs` have passed: the deadline is a bound on a hang,
// generous enough for a loaded 2-core machine, never a measurement. A probe that throws is retried until then,
// except for a failed assert, which fails at once (a wrong answer is not a late one).
export async function eventually(probe, { timeoutMs = 20_000, intervalMs = 25, until = Boolean, what = "a condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let v, err;
    try {
      v = await probe();
      if (until(v)) return v;
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      err = e;
    }
    if (Date.now() > deadline) {
      const last = err ? `threw ${err.message ?? err}` : `last: ${JSON.stringify(v)?.slice(0, 500)}`;
      assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}; ${last}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// The Worker's JSON log lines so far (workerd's stdout reaches us through a pipe: a line can trail its response).
export const jsonLogs = (p) => p.logs.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));

// Waits for the request log lines of `responses` (fetch Responses, or anything with `headers`, or request ids) and
// returns them in the same order. Each line names its request id ("rid" = x-amz-request-id).
export async function requestLogs(p, responses, opts = {}) {
  const rids = responses.map((r) => (typeof r === "string" ? r : r.headers.get?.("x-amz-request-id") ?? r.headers["x-amz-request-id"]));
  assert.ok(rids.every(Boolean), "every response carries x-amz-request-id");
  return eventually(() => {
    const byRid = new Map(jsonLogs(p).filter((l) => l.rid).map((l) => [l.rid, l]));
    const lines = rids.map((rid) => byRid.get(rid));
    return lines.every(Boolean) ? lines : null;
  }, { what: `the log lines of ${rids.length} request(s)`, ...opts });
}

// Waits until at least `n` log lines satisfy `filter`; returns all of those present then.
export const logsMatching = (p, filter, n = 1, opts = {}) =>
  eventually(() => {
    const lines = jsonLogs(p).filter(filter);
    return lines.length >= n ? lines : null;
  }, { what: `${n} log line(s) matching ${filter}`, ...opts });

// The seed's deterministic 2 MiB object (tests/emulator/seed.py: blob()).
export function blob(n) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor((i * 2654435761) / 8192) % 256;
  return out;
}
export const BIG_SIZE = 2 * 1024 * 1024;

const run = promisify(execFile);
// Runs a real client; returns { stdout (Buffer), stderr }. Rejects on a non-zero exit.
export async function client(cmd, args, env = {}) {
  return run(cmd, args, {
    encoding: "buffer",
    maxBuffer: 64 << 20,
    timeout: 120_000,
    env: { ...process.env, AWS_ACCESS_KEY_ID: DEMO_USER.id, AWS_SECRET_ACCESS_KEY: DEMO_USER.secret, AWS_DEFAULT_REGION: "us-east-1",
      AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", ...env },
  });
}

export const xmlField = (xml, name) => xml.match(new RegExp(`<${name}>(.*?)</${name}>`))?.[1];

// Azurite for the Azure e2e files: the one AZURITE_URL names, else one of this file's own (scripts/lib/azurite.sh:
// blob service on a free loopback port, in memory, Shared Key verified). `stop()` ends only an Azurite it started.
export function startAzurite({ memoryMb } = {}) {
  if (process.env.AZURITE_URL) return { url: process.env.AZURITE_URL, stop() {} };
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "s3p-azurite-")), "azurite.log");
  const memory = memoryMb ? `AZURITE_MEMORY_MB=${Number(memoryMb)} ` : "";
  const [url, pid] = execFileSync("bash", ["-c",
    `. scripts/lib/deps.sh && deps_azurite && . scripts/lib/azurite.sh && ${memory}start_azurite 0 "${log}" && echo "$AZURITE_URL $AZURITE_PID"`],
  { cwd: path.resolve(path.dirname(new URL(import.meta.url).pathname), "../.."), encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
    .trim().split(/\s+/);
  return { url, stop: () => { try { process.kill(Number(pid)); } catch {} } };
}
