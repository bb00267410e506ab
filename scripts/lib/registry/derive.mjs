// What the deployment key K (a Worker secret) does for the registry; the core applies the same two rules per request,
// and this module is the CLI's side of them.
//
// Access key secrets are not stored: each is derived from K and the key entry's id, generation and nonce (random,
// made by the CLI whenever it issues a secret: key create, key rotate, import):
//
//   secret = base64url, no padding ( HMAC-SHA256( key = UTF-8(K),
//                 msg = UTF-8("s3-edge-proxy access key secret v1" \0 id \0 decimal(generation) \0 nonce) ) )
//
// 43 characters. A new nonce (and generation + 1) gives a new secret, so the old one stops working and a key id that
// is revoked and created again does not get its old secret back; another K changes every secret.
//
// Every registry value is sealed by K, so that writing the KV namespace (a Cloudflare permission of its own) is not
// enough to write entries the proxy trusts. A value stored under KV name N with JSON body B (UTF-8, as stored) is
//
//   "v1." + base64url_nopad( HMAC-SHA256( key = E, msg = UTF-8(N "\n" B) ) ) + "\n" + B
//   where E = HMAC-SHA256( key = UTF-8(K), msg = "s3-edge-proxy registry entries v1" )   (32 raw bytes)
//
// The proxy refuses a value that is not sealed or whose MAC does not verify (503 for what needs it), and reads B
// only after verifying it.
import crypto from "node:crypto";
import fs from "node:fs";

export const DERIVATION_LABEL = "s3-edge-proxy access key secret v1";
export const SEAL_LABEL = "s3-edge-proxy registry entries v1";
export const SEAL_PREFIX = "v1.";
export const MIN_KEY_BYTES = 32;
export const DEFAULT_KEY_ENV = "REGISTRY_KEY";
export const MAX_GENERATION = 2 ** 30; // the core's bound
export const NONCE_RE = /^[A-Za-z0-9_-]{16,128}$/;

// A fresh nonce: 16 random bytes, 22 characters of base64url.
export const newNonce = () => crypto.randomBytes(16).toString("base64url");

export function deriveSecret(k, id, generation, nonce) {
  if (!Number.isSafeInteger(generation) || generation < 1) throw new Error(`generation must be an integer >= 1, not ${generation}`);
  if (typeof nonce !== "string" || !NONCE_RE.test(nonce)) throw new Error("nonce must be 16-128 characters of A-Z a-z 0-9 - _");
  return crypto.createHmac("sha256", Buffer.from(k, "utf8"))
    .update(Buffer.from(`${DERIVATION_LABEL}\0${id}\0${generation}\0${nonce}`, "utf8"))
    .digest("base64url");
}

const sealKeys = new Map(); // K -> E
function sealKey(k) {
  let e = sealKeys.get(k);
  if (!e) sealKeys.set(k, (e = crypto.createHmac("sha256", Buffer.from(k, "utf8")).update(SEAL_LABEL, "utf8").digest()));
  return e;
}

const sealMac = (k, name, body) => crypto.createHmac("sha256", sealKey(k)).update(Buffer.from(`${name}\n${body}`, "utf8")).digest("base64url");

// The value stored under `name` for the JSON text `body`.
export function seal(k, name, body) {
  return `${SEAL_PREFIX}${sealMac(k, name, body)}\n${body}`;
}

// A stored value split into its MAC and body: { mac, body }, or null when it is not in the sealed form.
export function splitSealed(value) {
  if (typeof value !== "string" || !value.startsWith(SEAL_PREFIX)) return null;
  const nl = value.indexOf("\n");
  if (nl < 0) return null;
  return { mac: value.slice(SEAL_PREFIX.length, nl), body: value.slice(nl + 1) };
}

// Opens the value stored under `name`: { body, verified } where verified is true (the MAC holds for K) or false (no
// K: not checked). Throws a SealError when the value is not sealed, or when its MAC does not verify with K.
export class SealError extends Error {
  constructor(name, detail) {
    super(`${name}: ${detail}`);
    this.entry = name;
    this.detail = detail;
  }
}

export function unseal(k, name, value) {
  const parts = splitSealed(value);
  if (!parts)
    throw new SealError(name, "is not sealed by the deployment key (a value the CLI writes starts \"v1.<MAC>\" and a " +
      "newline): written behind the CLI's back; the proxy refuses it (503)");
  if (k === null || k === undefined) return { body: parts.body, verified: false };
  const want = Buffer.from(sealMac(k, name, parts.body), "utf8");
  const got = Buffer.from(parts.mac, "utf8");
  if (want.length !== got.length || !crypto.timingSafeEqual(want, got))
    throw new SealError(name, "its seal does not verify with the deployment key K: the value was written or changed " +
      "without K (behind the CLI's back), or K is not the deployment's; the proxy refuses it (503)");
  return { body: parts.body, verified: true };
}

// K from a file is read as `wrangler secret put NAME < FILE` stores it: wrangler trims trailing whitespace, so a
// file written by `openssl rand -base64 32 > FILE` (with its newline) gives the same K on both sides.
// `need`: what K is needed for, in the message when it is missing. `optional`: returns null instead of throwing
// when K is not given at all (the default environment variable unset, no option naming one).
export function readDeploymentKey({ env = process.env, envName, file, need = "to seal the entries it writes and derive access key secrets", optional = false } = {}) {
  let k;
  let from;
  const explicitEnv = envName !== undefined;
  envName ??= DEFAULT_KEY_ENV;
  if (file) {
    try {
      k = fs.readFileSync(file, "utf8").replace(/\s+$/, "");
    } catch (e) {
      throw new Error(`--key-secret-file ${file}: cannot read it (${e.code ?? e.message})`);
    }
    from = `--key-secret-file ${file}`;
  } else {
    k = env[envName];
    from = `environment variable ${envName}` + (explicitEnv ? " (--key-secret-env)" : "");
    if (k === undefined || k === "") {
      if (optional && !explicitEnv) return null;
      throw new Error(`${from} is not set: the deployment key K (the Worker secret that S3P_CONFIG's ` +
        `"registry": {"key_secret": NAME} names) is needed ${need}; set ${envName} or pass --key-secret-file PATH`);
    }
  }
  if (Buffer.byteLength(k, "utf8") < MIN_KEY_BYTES)
    throw new Error(`${from}: the deployment key must hold at least ${MIN_KEY_BYTES} bytes (e.g. openssl rand -base64 32)`);
  return k;
}
