// The host primitives the core asks for by name (Kind.RANDOM … Kind.CACHE_PUT): WebCrypto and the Cache API.
// Policy (what to sign, what to cache, for how long) is the core's; this file only performs. Secrets are looked up
// by the name the core passes, imported once per isolate and kept as non-extractable CryptoKeys. Never throws:
// every failure is a typed result { ok: false, error } for the core (errors never include secret material).
import { readBodyLimited } from "./body.mjs";
import { Kind } from "./core.mjs";

const MAX_CACHED_ENTRY = 256 * 1024; // L2 entries are ~3 KB; anything bigger is not ours

const signingKeys = new Map(); // secret name → Promise<CryptoKey>
const aesKeys = new Map();

function secretBytesOf(env, name) {
  const value = env?.[name];
  if (typeof value !== "string" || value === "") throw new Error(`Worker secret ${name} is not set`);
  return value;
}

function base64Bytes(text) {
  const bin = atob(text.replace(/\s+/g, ""));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

// One import per secret per isolate; a failed import is forgotten so a later call can retry.
function cachedKey(cache, name, load) {
  let p = cache.get(name);
  if (!p) {
    p = load();
    cache.set(name, p);
    p.catch(() => cache.delete(name));
  }
  return p;
}

function signingKey(env, name) {
  return cachedKey(signingKeys, name, async () => {
    const pem = secretBytesOf(env, name);
    const body = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, "");
    return crypto.subtle.importKey("pkcs8", base64Bytes(body), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
  });
}

function aesKey(env, name) {
  return cachedKey(aesKeys, name, async () => {
    const raw = base64Bytes(secretBytesOf(env, name));
    if (raw.length !== 32) throw new Error(`Worker secret ${name} is not a 32-byte key`);
    return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  });
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

async function seal(env, a) {
  const key = await aesKey(env, a.secret);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: a.aad }, key, a.data));
  const out = new Uint8Array(IV_BYTES + ct.length);
  out.set(iv);
  out.set(ct, IV_BYTES);
  return { ok: true, data: out };
}

async function open(env, a) {
  const key = await aesKey(env, a.secret);
  if (a.data.length < IV_BYTES + TAG_BYTES) return { ok: false, error: "sealed data too short" };
  try {
    const iv = a.data.subarray(0, IV_BYTES);
    const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: a.aad }, key, a.data.subarray(IV_BYTES));
    return { ok: true, data: new Uint8Array(pt) };
  } catch {
    return { ok: false, error: "does not authenticate" }; // wrong key, tampered or truncated: a typed miss
  }
}

async function cacheMatch(a) {
  if (typeof caches === "undefined") return { ok: false, error: "no Cache API" };
  const resp = await caches.default.match(a.url);
  if (!resp) return { ok: false };
  const data = await readBodyLimited(resp, MAX_CACHED_ENTRY); // stops reading at the cap
  if (data === null) return { ok: false, error: "cached entry too large" };
  return { ok: true, data };
}

async function cachePut(a) {
  if (typeof caches === "undefined") return { ok: false, error: "no Cache API" };
  await caches.default.put(a.url, new Response(a.data, { headers: a.headers }));
  return { ok: true };
}

async function cacheDelete(a) {
  if (typeof caches === "undefined") return { ok: false, error: "no Cache API" };
  await caches.default.delete(a.url);
  return { ok: true };
}

// A registry entry's text ("" when there is none) within the core's timeout, from the KV binding the core names or
// from the registry API at the URL it names (README "Registry": 200 = the entry, 404 = none, anything else = a
// failure; the bearer token is read here from the Worker secret the core names, never handed to the core).
// Any failure — no such binding, KV throwing, the API failing or answering another status, the timeout — is a
// failed read: the core decides (stale, or 503).
async function registryGet(a, env) {
  if (/^https?:\/\//.test(a.source)) return registryApiGet(a, env);
  const kv = env[a.source];
  if (!kv || typeof kv.get !== "function") return { ok: false, error: `no KV binding ${a.source}` };
  let timer;
  const expired = new Promise((resolve) => { timer = setTimeout(resolve, a.timeoutMs, TIMED_OUT); });
  try {
    const value = await Promise.race([kv.get(a.name, { type: "text" }), expired]);
    if (value === TIMED_OUT) return { ok: false, error: `timeout after ${a.timeoutMs} ms` };
    if (value !== null && value.length > MAX_REGISTRY_ENTRY) return { ok: false, error: `entry over ${MAX_REGISTRY_ENTRY} bytes` };
    return { ok: true, data: value === null ? new Uint8Array(0) : new TextEncoder().encode(value) };
  } finally {
    clearTimeout(timer);
  }
}
const TIMED_OUT = Symbol("timed out");

async function registryApiGet(a, env) {
  const token = env[a.tokenSecret];
  if (typeof token !== "string" || token === "") return { ok: false, error: `Worker secret ${a.tokenSecret} is not set` };
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), a.timeoutMs);
  try {
    const resp = await fetch(a.source, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      signal: abort.signal,
      redirect: "manual", // a redirect is an answer of its own (a failure), never followed with the token
    });
    if (resp.status === 404) {
      await resp.body?.cancel();
      return { ok: true, data: new Uint8Array(0) };
    }
    if (resp.status !== 200) {
      await resp.body?.cancel();
      return { ok: false, error: `registry API answered ${resp.status}` };
    }
    const data = await readBodyLimited(resp, MAX_REGISTRY_ENTRY); // the timeout covers the body too
    if (data === null) return { ok: false, error: `entry over ${MAX_REGISTRY_ENTRY} bytes` };
    if (data.length === 0) return { ok: false, error: "registry API answered 200 with no entry" };
    return { ok: true, data };
  } catch (err) {
    if (abort.signal.aborted) return { ok: false, error: `timeout after ${a.timeoutMs} ms` };
    return { ok: false, error: `registry API: ${err?.name ?? "Error"}` }; // no URL or token in the log
  } finally {
    clearTimeout(timer);
  }
}
// An entry is one account (its repositories and backends): far below this. What is larger never enters the core.
const MAX_REGISTRY_ENTRY = 4 << 20;

// A JWS signature (AssumeRoleWithWebIdentity): the core chose the key from the provider's JWKS and checked that
// its type matches the token's alg, and hands over the normalised public JWK. Imported keys are kept per isolate
// by their JWK text (public: nothing secret is cached), bounded.
const JWS_ALGS = {
  RS256: { import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, verify: { name: "RSASSA-PKCS1-v1_5" } },
  ES256: { import: { name: "ECDSA", namedCurve: "P-256" }, verify: { name: "ECDSA", hash: "SHA-256" } },
};
const verifyKeys = new Map(); // alg + JWK text → Promise<CryptoKey>
const MAX_VERIFY_KEYS = 256;

async function verifySignature(a) {
  const alg = JWS_ALGS[a.alg];
  if (!alg) return { ok: false, error: `unsupported alg ${a.alg}` };
  const id = `${a.alg} ${a.jwk}`;
  if (!verifyKeys.has(id) && verifyKeys.size >= MAX_VERIFY_KEYS) verifyKeys.delete(verifyKeys.keys().next().value);
  let key;
  try {
    key = await cachedKey(verifyKeys, id, () => crypto.subtle.importKey("jwk", JSON.parse(a.jwk), alg.import, false, ["verify"]));
  } catch (err) {
    return { ok: false, error: `key does not import: ${err?.name ?? "Error"}` };
  }
  const ok = await crypto.subtle.verify(alg.verify, key, a.signature, a.data);
  return ok ? { ok: true } : { ok: false, error: "signature does not verify" };
}

// Performs one host primitive. Returns { ok, data?: Uint8Array, error?: string }.
export async function performCall(a, env) {
  try {
    switch (a.kind) {
      case Kind.RANDOM:
        return { ok: true, data: crypto.getRandomValues(new Uint8Array(a.count)) };
      case Kind.SIGN_RS256: {
        const key = await signingKey(env, a.secret);
        return { ok: true, data: new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, a.data)) };
      }
      case Kind.SEAL:
        return await seal(env, a);
      case Kind.OPEN:
        return await open(env, a);
      case Kind.CACHE_MATCH:
        return await cacheMatch(a);
      case Kind.CACHE_PUT:
        return await cachePut(a);
      case Kind.CACHE_DELETE:
        return await cacheDelete(a);
      case Kind.REGISTRY_GET:
        return await registryGet(a, env);
      case Kind.VERIFY_SIGNATURE:
        return await verifySignature(a);
      default:
        return { ok: false, error: `unknown host call ${a.kind}` };
    }
  } catch (err) {
    return { ok: false, error: `${err?.name ?? "Error"}: ${err?.message ?? err}` };
  }
}
