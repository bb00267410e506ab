// Validating registry entries with the core's own rules: each entry becomes a small S3P_CONFIG-format config, a
// core is created from dist/core.wasm in node (as tests/wasm/abi.test.mjs does) and its config error — which names
// the field — is mapped back to the entry ("accounts.acme.repositories.x.backend: …" becomes
// "v1/account/acme: repositories.x.backend: …").
//
// Worker secrets are the deployment's, not the registry's: every secret an entry names gets a stand-in value here,
// so a name that is not set in the deployment is not caught (wrangler secret list shows what is).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Core } from "../../../js/core.mjs";
import { namedSecrets } from "../../../js/init.mjs";
import {
  EntryError, accountKey, accountShapeErrors, isFlat, keyKey, keyShapeErrors, parseIsoUtc, repositoriesOf, unusedBackends,
} from "./layout.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const DEFAULT_WASM = path.join(ROOT, "dist/core.wasm");

const STAND_IN = "registry-validate-stand-in-value-0123456789abcdef";
const KEY_SECRET_NAME = "__REGISTRY_VALIDATE_ACCESS_KEY";
const SIGNING_NAME = "__REGISTRY_VALIDATE_SIGNING_KEY";
const L2_NAME = "__REGISTRY_VALIDATE_L2_KEY";
const STUB_BACKEND = "__registry_validate_stub";

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

export class Validator {
  constructor(wasm = process.env.S3P_CORE_WASM || DEFAULT_WASM) {
    this.wasm = wasm;
    this.module = null;
    this.signingPem = null;
  }

  #core() {
    if (!this.module) {
      let bytes;
      try {
        bytes = fs.readFileSync(this.wasm);
      } catch {
        throw new Error(`${path.relative(process.cwd(), this.wasm) || this.wasm}: not found — the registry is validated by the ` +
          "core's own rules, which need it (./scripts/build --wasm-only builds it)");
      }
      this.module = new WebAssembly.Module(bytes);
    }
    return new Core(this.module);
  }

  // The core's verdict on one config: "" (valid) or its error naming the field.
  coreError(config, env) {
    const { ok, error } = this.#core().init(JSON.stringify(config), env);
    return ok ? "" : error;
  }

  // A web_identity backend needs the deployment's "federation" section; a stand-in one (with a throwaway RSA key
  // and a zero L2 key) lets the core check the backend's own fields.
  #federation(env) {
    this.signingPem ??= crypto.generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" });
    env[SIGNING_NAME] = this.signingPem;
    env[L2_NAME] = Buffer.alloc(32).toString("base64");
    return { issuer: "https://registry-validate.invalid", sts_endpoint: "https://registry-validate.invalid",
      signing_key_secret: SIGNING_NAME, l2_key_secret: L2_NAME };
  }

  // One account entry: throws EntryError naming the entry and the field; returns { warnings }.
  account(name, entry) {
    const where = accountKey(name);
    const shape = accountShapeErrors(entry);
    if (shape.length) throw new EntryError(where, shape[0], { all: shape });
    const env = {};
    for (const secret of namedSecrets(entry).keys()) env[secret] = STAND_IN;
    const config = { backends: entry.backends };
    if (isFlat(entry)) {
      config.accounts = {};
      config.buckets = { [name]: entry.bucket };
    } else {
      config.accounts = { [name]: { repositories: entry.repositories } };
    }
    const warnings = [];
    // web_identity: true when a backend needs the deployment's "federation" section (which the registry cannot see).
    const webIdentity = isObject(entry.backends) && Object.values(entry.backends).some((b) => b?.auth?.type === "web_identity");
    if (webIdentity) config.federation = this.#federation(env);
    const error = this.coreError(config, env);
    if (error) throw new EntryError(where, mapAccountError(name, error), { configError: error });
    for (const b of unusedBackends(entry))
      warnings.push(`${where}: backends.${b}: no repository uses it (the entry should embed only the backends its repositories use)`);
    return { warnings, webIdentity };
  }

  // One key entry, its scopes checked against `accounts` (Map name -> entry, holding at least the accounts its
  // scopes name). Throws EntryError; returns { warnings }.
  key(id, entry, accounts, { now = Date.now() } = {}) {
    const where = keyKey(id);
    const shape = keyShapeErrors(entry);
    if (shape.length) throw new EntryError(where, shape[0], { all: shape });
    // The accounts its scopes name, as stubs: same names, same repositories, one anonymous stand-in backend.
    const config = { backends: { [STUB_BACKEND]: { endpoint: "http://127.0.0.1:9", bucket: "stub" } }, accounts: {}, buckets: {} };
    const named = new Set((Array.isArray(entry.scopes) ? entry.scopes : []).map((s) => s?.account).filter((a) => typeof a === "string"));
    for (const a of named) {
      const acct = accounts.get(a);
      if (!acct) continue;
      if (isFlat(acct)) config.buckets[a] = { backend: STUB_BACKEND };
      else {
        const repos = {};
        for (const r of Object.keys(repositoriesOf(acct))) repos[r] = { backend: STUB_BACKEND };
        config.accounts[a] = { repositories: repos };
      }
    }
    config.access_keys = { [id]: { secret_access_key_secret: KEY_SECRET_NAME, scopes: entry.scopes } };
    const error = this.coreError(config, { [KEY_SECRET_NAME]: STAND_IN });
    if (error) throw new EntryError(where, mapKeyError(id, error), { configError: error });
    const warnings = [];
    const t = entry.expires === undefined ? null : parseIsoUtc(entry.expires);
    if (t !== null && t <= now) warnings.push(`${where}: expired at ${entry.expires} (the proxy refuses it)`);
    return { warnings };
  }
}

// "accounts.acme.repositories.x.backend: why" -> "repositories.x.backend: why"; "accounts.acme: why" -> "why";
// "buckets.b.prefix: why" -> "bucket.prefix: why"; backends.* stay as they are (the entry embeds them by name).
export function mapAccountError(name, error) {
  for (const [from, to] of [[`accounts.${name}`, ""], [`buckets.${name}`, "bucket"]]) {
    if (error.startsWith(`${from}: `)) return (to ? `${to}: ` : "") + error.slice(from.length + 2);
    if (error.startsWith(`${from}.`)) return (to ? `${to}.` : "") + error.slice(from.length + 1);
  }
  return error;
}

export function mapKeyError(id, error) {
  const from = `access_keys.${id}`;
  if (error.startsWith(`${from}: `)) return error.slice(from.length + 2);
  if (error.startsWith(`${from}.`)) return error.slice(from.length + 1);
  return `${error} (in the stand-in config built to check it)`;
}
