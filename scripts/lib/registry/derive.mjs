// Access key secrets are not stored: each is derived from the deployment key K (a Worker secret) and the key's
// id and generation. The core derives the same value per request; this module is the CLI's side of that rule.
//
//   secret = base64url, no padding ( HMAC-SHA256( key = UTF-8(K),
//                                                 msg = UTF-8("s3-edge-proxy access key secret v1" \0 id \0 generation) ) )
//
// 43 characters. generation + 1 gives a new secret (the old one stops working); another K changes every secret.
import crypto from "node:crypto";
import fs from "node:fs";

export const DERIVATION_LABEL = "s3-edge-proxy access key secret v1";
export const MIN_KEY_BYTES = 32;
export const DEFAULT_KEY_ENV = "REGISTRY_KEY";

export function deriveSecret(k, id, generation) {
  if (!Number.isSafeInteger(generation) || generation < 1) throw new Error(`generation must be an integer >= 1, not ${generation}`);
  return crypto.createHmac("sha256", Buffer.from(k, "utf8"))
    .update(Buffer.from(`${DERIVATION_LABEL}\0${id}\0${generation}`, "utf8"))
    .digest("base64url");
}

// K from a file is read as `wrangler secret put NAME < FILE` stores it: wrangler trims trailing whitespace, so a
// file written by `openssl rand -base64 32 > FILE` (with its newline) gives the same K on both sides.
export function readDeploymentKey({ env = process.env, envName = DEFAULT_KEY_ENV, file } = {}) {
  let k;
  let from;
  if (file) {
    try {
      k = fs.readFileSync(file, "utf8").replace(/\s+$/, "");
    } catch (e) {
      throw new Error(`--key-secret-file ${file}: cannot read it (${e.code ?? e.message})`);
    }
    from = `--key-secret-file ${file}`;
  } else {
    k = env[envName];
    from = `environment variable ${envName}` + (envName === DEFAULT_KEY_ENV ? "" : " (--key-secret-env)");
    if (k === undefined || k === "")
      throw new Error(`${from} is not set: the deployment key K (the Worker secret that S3P_CONFIG's ` +
        `"registry": {"key_secret": NAME} names) is needed to derive access key secrets; set ${envName} or pass --key-secret-file PATH`);
  }
  if (Buffer.byteLength(k, "utf8") < MIN_KEY_BYTES)
    throw new Error(`${from}: the deployment key must hold at least ${MIN_KEY_BYTES} bytes (e.g. openssl rand -base64 32)`);
  return k;
}
