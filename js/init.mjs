// Creating a core for an isolate: the config JSON and the Worker secrets it may see.
//
// The core gets only the secrets the config names — the string value of every field whose name ends in
// `_secret`, anywhere in the config (the config format's convention) — never any other binding. Of those, the
// ones only host primitives use (the OIDC signing keys for SignRs256, the L2 and STS session keys for Seal/Open: WebCrypto reads
// them from env by name) are replaced by stand-ins that carry what the core checks at config load and nothing
// secret:
//   - a signing key becomes a PKCS#8 PEM holding only the public modulus and exponent (the core reads n and e
//     from it to serve the JWKS; it never reads the private fields), computed here with WebCrypto;
//   - the L2 key (and the STS session key) becomes 32 zero bytes in base64 when the real one is valid base64 of 32 bytes (the core only
//     checks its shape), else a value the core rejects with the same config error the real one would get;
//   - the registry API's bearer token becomes a placeholder (the core only checks that it is set);
//   - an Azure SAS (sas_token_secret) becomes a placeholder saying whether the value is a SAS query string (the core
//     reports a config error naming the field when it is not); the host appends the real value to each request's
//     URL (host.mjs applyUrlSecret).
import { Core } from "./core.mjs";

const HOST_ONLY = {
  signing_key_secret: publicStandIn,
  previous_signing_key_secret: publicStandIn,
  l2_key_secret: aesStandIn,
  session_key_secret: aesStandIn, // the STS session key: only the host's Seal/Open use it
  api_token_secret: () => "(held by the host)", // the registry API's bearer token: only registryGet sends it
  sas_token_secret: sasStandIn, // an Azure SAS: only performFetch appends it to URLs
};

// What the core gets for a SAS: worker/config/entra_auth.h kSasHeldByHost when `value` has a SAS's shape (the
// same check as sas_problem there: '&'-separated name=value pairs of URL-safe characters, with sv and sig), else a
// value that is no SAS, which the core refuses with the field's name.
export const SAS_HELD_BY_HOST = "(a SAS, held by the host)";
export function sasStandIn(value) {
  const q = value.startsWith("?") ? value.slice(1) : value;
  if (q === "" || q.length > 4096 || !/^[A-Za-z0-9\-._~%&=:,]+$/.test(q)) return "not a SAS";
  const names = new Set();
  for (const pair of q.split("&")) {
    const eq = pair.indexOf("=");
    if (eq <= 0 || eq === pair.length - 1) return "not a SAS";
    names.add(pair.slice(0, eq));
  }
  return names.has("sv") && names.has("sig") ? SAS_HELD_BY_HOST : "not a SAS";
}

// Secret names the config refers to: { name → field } for every "<field>_secret": "NAME" in the JSON tree.
export function namedSecrets(config) {
  const out = new Map();
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (k.endsWith("_secret") && typeof x === "string") out.set(x, out.has(x) && out.get(x) !== k ? "" : k);
        else walk(x);
      }
  };
  walk(config);
  return out;
}

export async function coreEnv(config, env) {
  const out = {};
  for (const [name, field] of namedSecrets(config)) {
    const value = env[name];
    if (typeof value !== "string") continue; // missing: the core reports it, naming the field
    const standIn = HOST_ONLY[field];
    out[name] = standIn ? await standIn(value) : value;
    if (field === "l2_key_secret") {
      const derived = await namesKey(value);
      if (derived) out[HOST_DERIVED_NAMES_KEY] = derived;
    }
  }
  return out;
}

// A config whose only secrets are host-only (federation) still names its edge-cache entries with a key: one
// derived from the L2 key for that purpose alone (worker/config/listing_token_key.h), never the key itself.
export const HOST_DERIVED_NAMES_KEY = "S3P_HOST_DERIVED_NAMES_KEY";
async function namesKey(l2Base64) {
  let raw;
  try {
    raw = base64Bytes(l2Base64);
  } catch {
    return null;
  }
  if (raw.length !== 32) return null;
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode("s3-edge-proxy object cache entry names v1"));
  return toBase64(new Uint8Array(mac));
}

export async function createCore(module, env) {
  const c = new Core(module);
  const cfg = env.S3P_CONFIG;
  const json = typeof cfg === "string" ? cfg : JSON.stringify(cfg ?? null);
  let parsed = null;
  try {
    parsed = JSON.parse(json);
  } catch {
    // the core reports the syntax error
  }
  const { ok, error } = c.init(json, await coreEnv(parsed, env));
  return { core: c, ok, error };
}

// ---- stand-ins ----

function base64Bytes(text) {
  const bin = atob(text.replace(/\s+/g, ""));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}
const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
const fromBase64Url = (s) => base64Bytes(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));

function aesStandIn(value) {
  let ok = false;
  try {
    ok = base64Bytes(value).length === 32;
  } catch {
    // not base64
  }
  return ok ? toBase64(new Uint8Array(32)) : "!";
}

// DER: tag, length, contents.
function der(tag, ...parts) {
  const body = parts.reduce((n, p) => n + p.length, 0);
  const len = body < 0x80 ? [body] : body < 0x100 ? [0x81, body] : body < 0x10000 ? [0x82, body >> 8, body & 0xff]
    : [0x83, body >> 16, (body >> 8) & 0xff, body & 0xff];
  const out = new Uint8Array(1 + len.length + body);
  out[0] = tag;
  out.set(len, 1);
  let off = 1 + len.length;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
const derUint = (bytes) => der(0x02, ...(bytes[0] & 0x80 ? [new Uint8Array([0]), bytes] : [bytes]));
const RSA_ALG = der(0x30, der(0x06, new Uint8Array([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01])), der(0x05));
const ZERO = derUint(new Uint8Array([0]));

// PKCS#8 { version 0, rsaEncryption, RSAPrivateKey { version 0, n, e } }: the public half in the layout the core
// parses. Not a usable private key (no private fields), so it is not a secret.
async function publicStandIn(pem) {
  const body = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, "");
  let jwk;
  try {
    const key = await crypto.subtle.importKey("pkcs8", base64Bytes(body),
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"]);
    jwk = await crypto.subtle.exportKey("jwk", key);
  } catch {
    // Not an importable RSA PKCS#8 key: an empty PEM makes the core report "is not an RSA PKCS#8 private key".
    return "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n";
  }
  const rsa = der(0x30, ZERO, derUint(fromBase64Url(jwk.n)), derUint(fromBase64Url(jwk.e)));
  const lines = toBase64(der(0x30, ZERO, RSA_ALG, der(0x04, rsa))).match(/.{1,64}/g).join("\n");
  return `-----BEGIN PRIVATE KEY-----\n${lines}\n-----END PRIVATE KEY-----\n`;
}
