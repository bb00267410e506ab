// What the registry CLI's tests check behind its back: the sealed form of a value, computed independently of the
// CLI, and the raw values of a --local KV directory.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { Miniflare } from "miniflare";

// The value the layout stores under KV name `name` for the JSON text `body`:
// "v1." + base64url(HMAC-SHA256(E, name "\n" body)) + "\n" + body, E = HMAC-SHA256(K, "s3-edge-proxy registry entries v1").
export function sealed(k, name, body) {
  const e = crypto.createHmac("sha256", Buffer.from(k, "utf8")).update("s3-edge-proxy registry entries v1").digest();
  return `v1.${crypto.createHmac("sha256", e).update(Buffer.from(`${name}\n${body}`, "utf8")).digest("base64url")}\n${body}`;
}

// A stored value's JSON body, after checking that its seal is the one computed here.
export function opened(k, name, value) {
  const m = /^v1\.([A-Za-z0-9_-]{43})\n/.exec(value);
  assert.ok(m, `${name}: not in the sealed form: ${JSON.stringify(value?.slice(0, 80))}`);
  const body = value.slice(m[0].length);
  assert.equal(value, sealed(k, name, body), `${name}: the seal is HMAC-SHA256(E, name "\\n" body)`);
  return JSON.parse(body);
}

// Reads (or, with `f`, changes) the raw values of a --local KV directory behind the CLI's back.
export async function withKv(kvDir, f) {
  const mf = new Miniflare({ kvNamespaces: ["REGISTRY"], kvPersist: kvDir, modules: true, compatibilityDate: "2026-04-01",
    host: "127.0.0.1", port: 0, script: "export default {fetch(){return new Response('')}}" });
  try {
    return await f(await mf.getKVNamespace("REGISTRY"));
  } finally {
    await mf.dispose();
  }
}
