// Validating registry entries with the core's own rules: each entry becomes a small S3P_CONFIG-format config, a
// core is created from dist/core.wasm in node (as tests/wasm/abi.test.mjs does) and its config error — which names
// the field — is mapped back to the entry ("accounts.acme.repositories.x.backend: …" becomes
// "v1/account/acme: repositories.x.backend: …").
//
// Worker secrets are the deployment's, not the registry's: every secret an entry names gets a stand-in value here,
// so a name that is not set in the deployment is not caught (wrangler secret list shows what is). The core itself
// loads an entry's backends with no secret at all, so an entry backend naming one is warned about (see
// secretBackendWarning).
//
// With the deployment's S3P_CONFIG (a Deployment, deployment.mjs: --deployment FILE), an entry is checked as the
// core reads it: its repositories may name the deployment's backends as well as its own, a web_identity backend
// is checked against the deployment's federation section (none: refused, as the core refuses it), and a key's
// scopes may name the accounts S3P_CONFIG holds. The deployment itself is checked once, first.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Core } from "../../../js/core.mjs";
import { namedSecrets } from "../../../js/init.mjs";
import {
  EntryError, KEY_ID_RE, accountKey, accountShapeErrors, backendSecretNames, isFlat, keyKey, keyShapeErrors, parseIsoUtc,
  repositoriesOf, roleKey, roleShapeErrors, unusedBackends, idpKey, idpShapeErrors, IDP_NAME_RE,
} from "./layout.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const DEFAULT_WASM = path.join(ROOT, "dist/core.wasm");

const STAND_IN = "registry-validate-stand-in-value-0123456789abcdef";
const KEY_SECRET_NAME = "__REGISTRY_VALIDATE_ACCESS_KEY";
const SIGNING_NAME = "__REGISTRY_VALIDATE_SIGNING_KEY";
const L2_NAME = "__REGISTRY_VALIDATE_L2_KEY";
const STUB_BACKEND = "__registry_validate_stub";
const REGISTRY_KEY_NAME = "__REGISTRY_VALIDATE_REGISTRY_KEY";
const STS_KEY_NAME = "__REGISTRY_VALIDATE_STS_KEY";
// The secrets that only host primitives read, which the core checks by their form (js/init.mjs's HOST_ONLY).
const SIGNING_FIELDS = new Set(["signing_key_secret", "previous_signing_key_secret"]);

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

export class Validator {
  // deployment: a Deployment (deployment.mjs), or null.
  constructor(wasm = process.env.S3P_CORE_WASM || DEFAULT_WASM, { deployment = null } = {}) {
    this.wasm = wasm;
    this.module = null;
    this.signingPem = null;
    this.deployment = deployment;
    this.deploymentEnv = null; // stand-ins for the deployment's secrets, once it was checked
  }

  // The same validator (and compiled core) with another deployment.
  withDeployment(deployment) {
    const v = new Validator(this.wasm, { deployment });
    v.module = this.module;
    v.signingPem = this.signingPem;
    return v;
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

  #pem() {
    this.signingPem ??= crypto.generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" });
    return this.signingPem;
  }

  // A web_identity backend needs the deployment's "federation" section; a stand-in one (with a throwaway RSA key
  // and a zero L2 key) lets the core check the backend's own fields.
  #federation(env) {
    env[SIGNING_NAME] = this.#pem();
    env[L2_NAME] = Buffer.alloc(32).toString("base64");
    return { issuer: "https://registry-validate.invalid", sts_endpoint: "https://registry-validate.invalid",
      signing_key_secret: SIGNING_NAME, l2_key_secret: L2_NAME };
  }

  // Stand-in values for every Worker secret a config names, in the form the core checks (an RSA key for the
  // signing keys, base64 of 32 bytes for the L2 key).
  #standIns(config) {
    const env = {};
    for (const [name, field] of namedSecrets(config)) {
      if (SIGNING_FIELDS.has(field)) env[name] = this.#pem();
      else if (field === "l2_key_secret" || field === "session_key_secret") env[name] = Buffer.alloc(32).toString("base64");
      else env[name] = STAND_IN;
    }
    return env;
  }

  // The deployment, checked by the core once (as the Worker would load it, its secrets stood in for; with a
  // stand-in "registry" section when it has none, so that it needs no accounts): null when there is none.
  // Throws naming the file and the field.
  #deployment() {
    const d = this.deployment;
    if (!d || this.deploymentEnv) return d;
    const config = structuredClone(d.config);
    if (!d.explicit) for (const k of Object.keys(config)) if (k !== "backends" && k !== "federation") delete config[k];
    config.registry ??= { key_secret: REGISTRY_KEY_NAME };
    const env = this.#standIns(config);
    if (config.registry.key_secret === REGISTRY_KEY_NAME) env[REGISTRY_KEY_NAME] = STAND_IN;
    const error = this.coreError(config, env);
    if (error) throw new Error(`${d.label}: ${error}`);
    this.deploymentEnv = env;
    return d;
  }

  // Checks the deployment (once); throws naming the file and the field.
  checkDeployment() {
    this.#deployment();
  }

  // One account entry: throws EntryError naming the entry and the field; returns { warnings, webIdentity }.
  // With a deployment, its backends are known too (the entry's own take precedence, as in the core) and its
  // federation section is the one web_identity backends are checked against.
  account(name, entry) {
    const where = accountKey(name);
    const shape = accountShapeErrors(entry);
    if (shape.length) throw new EntryError(where, shape[0], { all: shape });
    const d = this.#deployment();
    const env = {};
    for (const secret of namedSecrets(entry).keys()) env[secret] = STAND_IN;
    Object.assign(env, this.deploymentEnv ?? {});
    const own = isObject(entry.backends) ? entry.backends : null;
    const config = { backends: own && d ? { ...d.backends, ...own } : entry.backends };
    if (isFlat(entry)) {
      config.accounts = {};
      config.buckets = { [name]: entry.bucket };
    } else {
      config.accounts = { [name]: { repositories: entry.repositories } };
    }
    const warnings = [];
    const ownWebIdentity = !!own && Object.values(own).some((b) => b?.auth?.type === "web_identity");
    // webIdentity: true when a backend needs the deployment's "federation" section and the deployment is not known
    // (without --deployment: a stand-in section, or the imported file's, lets the core check the backend's fields).
    const webIdentity = ownWebIdentity && !d?.explicit;
    if (d?.federation) config.federation = d.federation;
    else if (webIdentity) config.federation = this.#federation(env);
    const error = this.coreError(config, env);
    if (error) throw new EntryError(where, mapAccountError(name, error), { configError: error });
    for (const b of unusedBackends(entry))
      warnings.push(`${where}: backends.${b}: no repository uses it (the entry should embed only the backends its repositories use)`);
    for (const [b, def] of Object.entries(own ?? {})) {
      const secrets = backendSecretNames(def);
      if (secrets.length) warnings.push(secretBackendWarning(where, b, secrets));
    }
    if (d?.explicit && d.account(name))
      warnings.push(`${where}: ${d.label} names ${isFlat(d.account(name)) ? "flat bucket" : "account"} ${name} itself; ` +
        "S3P_CONFIG takes precedence, so this entry is not served while it does");
    return { warnings, webIdentity };
  }

  // The accounts `scopes` name, as stubs in `config` (same names, same repositories, one anonymous stand-in backend):
  // S3P_CONFIG's own account of that name when the deployment has one, else the registry's from `accounts`.
  #stubAccounts(scopes, accounts) {
    const config = { backends: { [STUB_BACKEND]: { endpoint: "http://127.0.0.1:9", bucket: "stub" } }, accounts: {}, buckets: {} };
    const named = new Set((Array.isArray(scopes) ? scopes : []).map((s) => s?.account).filter((a) => typeof a === "string"));
    const d = this.#deployment();
    for (const a of named) {
      const acct = (d?.explicit ? d.account(a) : null) ?? accounts.get(a);
      if (!acct) continue;
      if (isFlat(acct)) config.buckets[a] = { backend: STUB_BACKEND };
      else {
        const repos = {};
        for (const r of Object.keys(repositoriesOf(acct))) repos[r] = { backend: STUB_BACKEND };
        config.accounts[a] = { repositories: repos };
      }
    }
    return config;
  }

  // One role entry (v1/role/NAME), with S3P_CONFIG's rules for roles.NAME: its scopes checked against `accounts`
  // (as a key's), its trusted keys' ids by their form (they are looked up per request). Throws EntryError; returns
  // { warnings } (`keys`: the key ids the registry holds, or null: a trusted key in neither is warned about).
  role(name, entry, accounts, { keys = null } = {}) {
    const where = roleKey(name);
    const shape = roleShapeErrors(entry);
    if (shape.length) throw new EntryError(where, shape[0], { all: shape });
    const config = this.#stubAccounts(entry.scopes, accounts);
    const env = { [KEY_SECRET_NAME]: STAND_IN, [STS_KEY_NAME]: Buffer.alloc(32, 7).toString("base64") };
    config.access_keys = {};
    for (const id of entry.trusted_keys ?? [])
      if (KEY_ID_RE.test(id)) config.access_keys[id] = { secret_access_key_secret: KEY_SECRET_NAME, scopes: [] };
    config.sts = { session_key_secret: STS_KEY_NAME };
    // The provider a role trusts is looked up per request (S3P_CONFIG's or v1/idp/NAME): a stand-in here.
    const provider = entry.web_identity?.provider;
    if (typeof provider === "string" && IDP_NAME_RE.test(provider))
      config.sts.identity_providers = { [provider]: { issuer: "https://stand-in.invalid", audiences: ["stand-in"],
        jwks_url: "https://stand-in.invalid/jwks" } };
    config.roles = { [name]: entry };
    const error = this.coreError(config, env);
    if (error) throw new EntryError(where, mapRoleError(name, error), { configError: error });
    const warnings = [];
    const d = this.#deployment();
    if (keys) {
      const unknown = (entry.trusted_keys ?? []).filter((id) => !keys.has(id) && !(d?.explicit && d.config?.access_keys?.[id]));
      if (unknown.length) warnings.push(`${where}: trusted_keys: ${unknown.join(", ")}: no such key in the registry` +
        (d?.explicit ? ` nor in ${d.label}` : " (S3P_CONFIG's keys are not known without --deployment FILE)"));
    }
    if (d?.explicit && d.config?.roles?.[name])
      warnings.push(`${where}: ${d.label} defines role ${name} itself; S3P_CONFIG takes precedence, so this entry is not used while it does`);
    return { warnings };
  }

  // One identity provider entry (v1/idp/NAME), with S3P_CONFIG's rules for sts.identity_providers.NAME. Throws
  // EntryError.
  idp(name, entry) {
    const where = idpKey(name);
    const shape = idpShapeErrors(entry);
    if (shape.length) throw new EntryError(where, shape[0], { all: shape });
    const config = this.#stubAccounts([], new Map());
    config.sts = { session_key_secret: STS_KEY_NAME, identity_providers: { [name]: entry } };
    const error = this.coreError(config, { [STS_KEY_NAME]: Buffer.alloc(32, 7).toString("base64") });
    const from = `sts.identity_providers.${name}`;
    if (error) throw new EntryError(where, error.startsWith(`${from}.`) ? error.slice(from.length + 1) :
      error.startsWith(`${from}: `) ? error.slice(from.length + 2) : error, { configError: error });
    return { warnings: [] };
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
    const d = this.#deployment();
    for (const a of named) {
      // S3P_CONFIG's own account of that name, if any, is the one the proxy serves.
      const acct = (d?.explicit ? d.account(a) : null) ?? accounts.get(a);
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

export function secretBackendWarning(where, backend, secrets) {
  return `${where}: backends.${backend}: names Worker secrets (${secrets.join(", ")}), which the proxy cannot use from ` +
    "a registry entry (it holds only the secrets S3P_CONFIG names: requests that need this backend fail with 503); " +
    `keep backends.${backend} in S3P_CONFIG's backends and let the repositories name it (--deployment FILE shows it to this CLI)`;
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

export function mapRoleError(name, error) {
  const from = `roles.${name}`;
  if (error.startsWith(`${from}: `)) return error.slice(from.length + 2);
  if (error.startsWith(`${from}.`)) return error.slice(from.length + 1);
  return `${error} (in the stand-in config built to check it)`;
}

export function mapKeyError(id, error) {
  const from = `access_keys.${id}`;
  if (error.startsWith(`${from}: `)) return error.slice(from.length + 2);
  if (error.startsWith(`${from}.`)) return error.slice(from.length + 1);
  return `${error} (in the stand-in config built to check it)`;
}
