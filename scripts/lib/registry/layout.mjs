// The registry's layout in Workers KV (version prefix "v1/"; each value is a JSON body sealed by the deployment
// key: "v1.<MAC>\n<JSON>", derive.mjs):
//
//   v1/account/{account}  {"repositories": {REPO: {backend, prefix, public, read_only, cache}}, "backends": {NAME: {...}}}
//                         or, for a flat bucket, {"bucket": {backend, prefix, public, read_only, cache}, "backends": {...}}
//                         — one self-contained entry per account: the backends it uses are embedded in it, with the
//                         same fields as S3P_CONFIG's backends.NAME (static keys stay Worker secrets named by *_secret).
//   v1/key/{id}           {"scopes": [...as S3P_CONFIG's access_keys.ID.scopes], "generation": N >= 1,
//                          "nonce": random (16-128 of A-Z a-z 0-9 - _), "disabled": bool (optional),
//                          "expires": "YYYY-MM-DDTHH:MM:SSZ" (optional)} — no secret: it is derived from the deployment
//                         key, the id, the generation and the nonce (derive.mjs).
//   v1/role/{name}        {"scopes": [...], "max_session_s": 900..43200 (optional, 3600), "trusted_keys": [KEYID, ...],
//                          "disabled": bool (optional), "web_identity": {"provider": IDP, "conditions": {...}} (optional),
//                          "revoked_subjects": [SUB, ...] (optional)} — an STS role, the fields and rules of S3P_CONFIG's
//                         roles.NAME (which takes precedence over an entry of its name); trusted_keys or web_identity.
//   v1/idp/{name}         {"issuer": URL, "audiences": [...], "jwks_url": URL, "disabled": bool (optional)} — an OIDC
//                         identity provider roles trust by name, the fields and rules of S3P_CONFIG's
//                         sts.identity_providers.NAME (which takes precedence).
//   v1/index/accounts     the account index, what ListBuckets pages over, in one of two forms:
//                         - small (a registry of at most INDEX_PAGE_MAX = 1000 accounts):
//                           {"accounts": {ACCOUNT: {"public": bool}}};
//                         - paged (past 1000 accounts): {"pages": [{"entry": "v1/index/accounts/p1", "first": ""},
//                           {"entry": "v1/index/accounts/p2", "first": "m-org"}, …]} — at most INDEX_MAX_PAGES
//                           (10,000) pages sorted by "first", strictly ascending, the first page's "first" being "";
//                           a page covers the names from its "first" up to (not including) the next page's "first"
//                           (the last page: every name from its "first" on).
//   v1/index/accounts/pN  a page of the paged index (N decimal, 1..999999999, no leading zero; unique in the head):
//                         {"accounts": {ACCOUNT: {"public": bool}}} as the small form, at most 1000 accounts, every
//                         one within the page's range.
//                         The CLI is the index's only writer (KV has no transactions), in an order that keeps what a
//                         reader sees whole: a page is written before the head that names it, an account is added to
//                         (or removed from) the page covering it; a page past the page size splits in two (the new
//                         page, numbered max + 1, written first, then the old page shrunk, then the head); an empty page
//                         other than the first leaves the head first and is deleted after; the small form becomes paged
//                         when the registry passes the page size (its pages written, then the head). `index rebuild`
//                         writes pages half full (room to grow before they split).
//
// This module holds the layout's own rules (the shape of an entry's body) and the conversions between entries and
// S3P_CONFIG's format; the field rules themselves are the core's (validate.mjs runs them), the seal is derive.mjs's.

import { MAX_GENERATION, NONCE_RE } from "./derive.mjs";

export const PREFIX = "v1/";
export const ACCOUNT_PREFIX = "v1/account/";
export const KEY_PREFIX = "v1/key/";
export const ROLE_PREFIX = "v1/role/";
export const IDP_PREFIX = "v1/idp/";
export const INDEX_KEY = "v1/index/accounts";

export const INDEX_PAGE_PREFIX = `${INDEX_KEY}/p`;
// A page entry's name: "v1/index/accounts/p" and its number, 1..999999999 in decimal with no leading zero.
export const INDEX_PAGE_RE = /^v1\/index\/accounts\/p([1-9][0-9]{0,8})$/;
export const INDEX_MAX_PAGE_NUMBER = 999_999_999;
// The format's limits: the most accounts a page (and the small form, as the CLI writes it) holds, and the most
// pages the head names.
export const INDEX_PAGE_MAX = 1000;
export const INDEX_MAX_PAGES = 10_000;
// TEST ONLY: S3P_REGISTRY_INDEX_PAGE_SIZE lowers the page size the CLI writes with (1..1000; default 1000), so that
// tests reach the paged form and its splits with a few accounts. It never raises it: the format's limit stays 1000.
export const INDEX_PAGE_SIZE_ENV = "S3P_REGISTRY_INDEX_PAGE_SIZE";

export const accountKey = (name) => ACCOUNT_PREFIX + name;
export const keyKey = (id) => KEY_PREFIX + id;
export const roleKey = (name) => ROLE_PREFIX + name;
export const idpKey = (name) => IDP_PREFIX + name;
// Identity provider names (the core's valid_idp_name): 1-64 of A-Z a-z 0-9 _ . -.
export const IDP_NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
// IAM role names (the core's valid_role_name): 1-64 of A-Z a-z 0-9 _ + = , . @ -.
export const ROLE_NAME_RE = /^[A-Za-z0-9_+=,.@-]{1,64}$/;
export const KEY_ID_RE = /^[A-Za-z0-9_]{3,128}$/;
export const MIN_SESSION_S = 900;
export const MAX_SESSION_S = 43200;
export const indexPageKey = (n) => INDEX_PAGE_PREFIX + n;
// The page number an entry name holds, or null when it is not a page entry's name.
export function indexPageNumber(name) {
  const m = typeof name === "string" ? INDEX_PAGE_RE.exec(name) : null;
  return m ? Number(m[1]) : null;
}

// The page size the CLI writes with: INDEX_PAGE_MAX, or S3P_REGISTRY_INDEX_PAGE_SIZE's value (tests).
export function indexPageSize(env = process.env) {
  const v = env[INDEX_PAGE_SIZE_ENV];
  if (v === undefined || v === "") return INDEX_PAGE_MAX;
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || n < 1 || n > INDEX_PAGE_MAX)
    throw new Error(`${INDEX_PAGE_SIZE_ENV}=${v}: must be an integer in 1..${INDEX_PAGE_MAX} (a test setting: it lowers the index's page size)`);
  return n;
}

export const ACTIONS = ["read", "list", "write", "delete"];
const ACCOUNT_FIELDS = ["repositories", "bucket", "backends"];
const KEY_FIELDS = ["scopes", "generation", "nonce", "disabled", "expires"];
const ROLE_FIELDS = ["scopes", "max_session_s", "trusted_keys", "disabled", "web_identity", "revoked_subjects"];
const IDP_FIELDS = ["issuer", "audiences", "jwks_url", "disabled"];
// A field by one of these names holds a secret's value, which never goes into KV (the layout names Worker secrets).
const SECRET_VALUE_FIELDS = new Set(["access_key_id", "secret_access_key", "session_token", "secret", "password", "private_key"]);
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// An error about one registry entry: "v1/account/acme: repositories.x.backend: unknown backend \"y\"".
export class EntryError extends Error {
  constructor(entry, detail, { configError, all } = {}) {
    super(`${entry}: ${detail}`);
    this.entry = entry;
    this.detail = detail;
    this.configError = configError; // the core's error in S3P_CONFIG's terms, when the core found it
    this.all = all ?? [detail]; // every shape problem found (the core stops at its first)
  }
}

export function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what}: is not valid JSON (${e.message})`);
  }
}

// ---- the layout's own shape rules (what the core's config rules cannot see) ----

// Fields holding a secret's value, anywhere in the entry: [path, name].
function secretValueFields(v, path = "", out = []) {
  if (Array.isArray(v)) v.forEach((x, i) => secretValueFields(x, `${path}[${i}]`, out));
  else if (isObject(v))
    for (const [k, x] of Object.entries(v)) {
      const p = path ? `${path}.${k}` : k;
      if (SECRET_VALUE_FIELDS.has(k)) out.push([p, k]);
      else secretValueFields(x, p, out);
    }
  return out;
}

// Problems with an account entry's shape, as "field: why" strings (empty: the shape is right).
export function accountShapeErrors(entry) {
  if (!isObject(entry)) return ["must be a JSON object {\"repositories\": {...}, \"backends\": {...}} (or \"bucket\" for a flat bucket)"];
  const errors = [];
  for (const k of Object.keys(entry))
    if (!ACCOUNT_FIELDS.includes(k)) errors.push(`${k}: is not a field of a v1 account entry (repositories or bucket, and backends)`);
  const hasRepos = "repositories" in entry, hasBucket = "bucket" in entry;
  if (hasRepos && hasBucket) errors.push("bucket: an entry is either an account (repositories) or a flat bucket (bucket), not both");
  if (!hasRepos && !hasBucket) errors.push("repositories: is required (or \"bucket\" for a flat bucket)");
  if (!("backends" in entry)) errors.push("backends: is required (the backends its repositories use)");
  for (const [p, k] of secretValueFields(entry))
    errors.push(`${p}: a secret's value never goes into the registry; put it in a Worker secret and name that secret in ${k}_secret`);
  return errors;
}

export function parseIsoUtc(s) {
  const m = typeof s === "string" && ISO_UTC.exec(s);
  if (!m) return null;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return new Date(t).toISOString().replace(".000Z", "Z") === s ? t : null;
}

export function keyShapeErrors(entry) {
  if (!isObject(entry)) return ["must be a JSON object {\"scopes\": [...], \"generation\": N, \"nonce\": \"...\"}"];
  const errors = [];
  for (const k of Object.keys(entry))
    if (!KEY_FIELDS.includes(k))
      errors.push(`${k}: is not a field of a v1 key entry (scopes, generation, nonce, disabled, expires)` +
        (/secret/i.test(k) ? "; a key's secret is derived from the deployment key, never stored" : ""));
  if (!("scopes" in entry)) errors.push("scopes: is required");
  if (!Number.isSafeInteger(entry.generation) || entry.generation < 1 || entry.generation > MAX_GENERATION)
    errors.push(`generation: must be an integer in 1..${MAX_GENERATION}`);
  if (!("nonce" in entry)) errors.push("nonce: is required (random; key create, key rotate and import make one)");
  else if (typeof entry.nonce !== "string" || !NONCE_RE.test(entry.nonce))
    errors.push("nonce: must be 16-128 characters of A-Z a-z 0-9 - _ (random, made by the CLI)");
  if ("disabled" in entry && typeof entry.disabled !== "boolean") errors.push("disabled: must be true or false");
  if ("expires" in entry && parseIsoUtc(entry.expires) === null)
    errors.push("expires: must be an ISO 8601 UTC time such as 2027-01-31T00:00:00Z");
  return errors;
}

// The layout's own rules for a role entry (the field rules proper are the core's: validate.mjs).
export function roleShapeErrors(entry) {
  if (!isObject(entry)) return ["must be a JSON object {\"scopes\": [...], \"trusted_keys\": [...], \"max_session_s\": N}"];
  const errors = [];
  for (const k of Object.keys(entry))
    if (!ROLE_FIELDS.includes(k)) errors.push(`${k}: is not a field of a v1 role entry (${ROLE_FIELDS.join(", ")})`);
  if (!Array.isArray(entry.scopes)) errors.push("scopes: must be an array");
  // A role assumed only with web identity tokens needs no trusted key (the core checks web_identity itself).
  if (!("web_identity" in entry && !("trusted_keys" in entry)) &&
      (!Array.isArray(entry.trusted_keys) || (!entry.trusted_keys.length && !("web_identity" in entry)) ||
       !entry.trusted_keys.every((k) => typeof k === "string" && KEY_ID_RE.test(k))))
    errors.push("trusted_keys: must be a non-empty array of access key ids");
  if ("max_session_s" in entry &&
      (!Number.isSafeInteger(entry.max_session_s) || entry.max_session_s < MIN_SESSION_S || entry.max_session_s > MAX_SESSION_S))
    errors.push(`max_session_s: must be an integer in ${MIN_SESSION_S}..${MAX_SESSION_S}`);
  if ("disabled" in entry && typeof entry.disabled !== "boolean") errors.push("disabled: must be true or false");
  return errors;
}

// An identity provider entry's shape; the field rules are the core's (validate.mjs).
export function idpShapeErrors(entry) {
  if (!isObject(entry)) return ['must be a JSON object {"issuer": URL, "audiences": [...], "jwks_url": URL}'];
  const errors = [];
  for (const k of Object.keys(entry))
    if (!IDP_FIELDS.includes(k)) errors.push(`${k}: is not a field of a v1 identity provider entry (${IDP_FIELDS.join(", ")})`);
  return errors;
}

// true when an index head is in the paged form ({"pages": [...]}), false for the small form (or a malformed one).
export const isPagedIndex = (entry) => isObject(entry) && "pages" in entry && !("accounts" in entry);

// The small form's shape: {"accounts": {ACCOUNT: {"public": bool}}}; also a page entry's.
function accountsShapeErrors(entry, what) {
  if (!isObject(entry) || !isObject(entry.accounts)) return [`accounts: must be an object {ACCOUNT: {"public": bool}}`];
  const errors = [];
  for (const k of Object.keys(entry)) if (k !== "accounts") errors.push(`${k}: is not a field of ${what}`);
  for (const [name, v] of Object.entries(entry.accounts))
    if (!isObject(v) || typeof v.public !== "boolean") errors.push(`accounts.${name}.public: must be true or false`);
  return errors;
}

// The head v1/index/accounts, in either form (the small one: {"accounts": …}; the paged one: {"pages": […]}).
export function indexShapeErrors(entry) {
  if (isObject(entry) && "pages" in entry) {
    if ("accounts" in entry) return ["pages: the account index is either small (\"accounts\") or paged (\"pages\"), not both"];
    return pagedHeadShapeErrors(entry);
  }
  if (!isObject(entry) || !isObject(entry.accounts))
    return ["accounts: must be an object {ACCOUNT: {\"public\": bool}} (or, paged, \"pages\": [{\"entry\": …, \"first\": …}, …])"];
  return accountsShapeErrors(entry, "the account index");
}

function pagedHeadShapeErrors(entry) {
  const errors = [];
  for (const k of Object.keys(entry)) if (k !== "pages") errors.push(`${k}: is not a field of the paged account index`);
  const pages = entry.pages;
  if (!Array.isArray(pages) || !pages.length)
    return [...errors, `pages: must be a non-empty list [{"entry": "${INDEX_PAGE_PREFIX}N", "first": ""}, …]`];
  if (pages.length > INDEX_MAX_PAGES) errors.push(`pages: ${pages.length} pages, more than the ${INDEX_MAX_PAGES} the index may name`);
  const seen = new Set();
  let prev = null;
  pages.forEach((p, i) => {
    const at = `pages[${i}]`;
    if (!isObject(p)) {
      errors.push(`${at}: must be an object {"entry": "${INDEX_PAGE_PREFIX}N", "first": NAME}`);
      prev = null;
      return;
    }
    for (const k of Object.keys(p)) if (k !== "entry" && k !== "first") errors.push(`${at}.${k}: is not a field of a page (entry, first)`);
    if (indexPageNumber(p.entry) === null)
      errors.push(`${at}.entry: must be "${INDEX_PAGE_PREFIX}N", N in 1..${INDEX_MAX_PAGE_NUMBER} (decimal, no leading zero)`);
    else if (seen.has(p.entry)) errors.push(`${at}.entry: ${p.entry} is named twice`);
    else seen.add(p.entry);
    if (typeof p.first !== "string") errors.push(`${at}.first: must be a string (the first name the page covers)`);
    else if (i === 0 && p.first !== "") errors.push(`${at}.first: must be "" (the first page covers every name before the second's first)`);
    else if (i > 0 && p.first === "") errors.push(`${at}.first: must not be empty (only the first page's is "")`);
    else if (i > 0 && prev !== null && !(prev < p.first))
      errors.push(`${at}.first: "${p.first}" does not follow pages[${i - 1}].first "${prev}" (strictly ascending)`);
    prev = typeof p.first === "string" ? p.first : null;
  });
  return errors;
}

// The range a paged head gives its i-th page: { first, next } (next: the following page's first, or null).
export function indexPageRange(head, i) {
  return { first: head.pages[i].first, next: i + 1 < head.pages.length ? head.pages[i + 1].first : null };
}

export const inIndexRange = (name, { first, next }) => name >= first && (next === null || name < next);

// A page entry's shape: the small form, at most INDEX_PAGE_MAX accounts, and (given its range) every name within it.
export function indexPageShapeErrors(entry, range = null) {
  const errors = accountsShapeErrors(entry, "an account index page");
  if (!isObject(entry) || !isObject(entry.accounts)) return errors;
  const names = Object.keys(entry.accounts);
  if (names.length > INDEX_PAGE_MAX) errors.push(`accounts: ${names.length} accounts, more than the ${INDEX_PAGE_MAX} a page may hold`);
  if (range)
    for (const name of names)
      if (!inIndexRange(name, range))
        errors.push(`accounts.${name}: outside the page's range [${JSON.stringify(range.first)}, ${range.next === null ? "…" : JSON.stringify(range.next)})`);
  return errors;
}

// ---- what an entry says ----

export const isFlat = (entry) => isObject(entry) && "bucket" in entry;

export function repositoriesOf(entry) {
  if (!isObject(entry)) return {};
  if (isFlat(entry)) return isObject(entry.bucket) ? { "": entry.bucket } : {};
  return isObject(entry.repositories) ? entry.repositories : {};
}

// true when anything in the account (a repository, or the flat bucket) is public: ListBuckets shows it to anyone.
export const isPublic = (entry) => Object.values(repositoriesOf(entry)).some((r) => isObject(r) && r.public === true);

export function backendsUsed(entry) {
  const used = new Set();
  for (const r of Object.values(repositoriesOf(entry))) if (isObject(r) && typeof r.backend === "string") used.add(r.backend);
  return used;
}

export function unusedBackends(entry) {
  const used = backendsUsed(entry);
  return isObject(entry?.backends) ? Object.keys(entry.backends).filter((b) => !used.has(b)) : [];
}

// The small form over `accounts` (Map name -> entry), whatever their number (indexEntries pages it past the size).
export function indexEntry(accounts /* Map name -> entry */) {
  const out = {};
  for (const name of [...accounts.keys()].sort()) out[name] = { public: isPublic(accounts.get(name)) };
  return { accounts: out };
}

// The index rows (name -> {"public": bool}) cut into pages of `fill` names at most: [{ first, accounts }], the first
// page's first being "" (also when there is no row at all).
export function indexPages(rows /* {name: {public}} */, fill) {
  const names = Object.keys(rows).sort();
  const pages = [];
  for (let i = 0; i < names.length || !pages.length; i += fill) {
    const chunk = names.slice(i, i + fill);
    pages.push({ first: i === 0 ? "" : chunk[0], accounts: Object.fromEntries(chunk.map((n) => [n, rows[n]])) });
  }
  return pages;
}

// How `index rebuild` lays the index out over `accounts` (Map name -> entry), with page size `pageSize`: a Map entry
// name -> body, the head first. The small form up to pageSize accounts, else pages half full ("p1", "p2", …), so
// that each has room before it splits. (What a tool filling a namespace directly writes.)
export function indexEntries(accounts, { pageSize = INDEX_PAGE_MAX } = {}) {
  const rows = indexEntry(accounts).accounts;
  if (Object.keys(rows).length <= pageSize) return new Map([[INDEX_KEY, { accounts: rows }]]);
  const pages = indexPages(rows, Math.max(1, Math.floor(pageSize / 2)));
  if (pages.length > INDEX_MAX_PAGES)
    throw new Error(`${INDEX_KEY}: ${Object.keys(rows).length} accounts need ${pages.length} pages, more than the ${INDEX_MAX_PAGES} the index may name`);
  const out = new Map([[INDEX_KEY, { pages: pages.map((p, i) => ({ entry: indexPageKey(i + 1), first: p.first })) }]]);
  pages.forEach((p, i) => out.set(indexPageKey(i + 1), { accounts: p.accounts }));
  return out;
}

// ---- scopes on the command line: account/repo[/prefix]:read,list,write,delete ----
// The repository may be "*" (every repository of the account); a flat bucket's scope is "bucket:actions" or
// "bucket/*/prefix:actions". The actions follow the last ':' (a prefix may itself hold ':' and '/').
export function parseScope(text) {
  const colon = text.lastIndexOf(":");
  if (colon < 0) throw new Error(`--scope ${text}: expected account/repo[/prefix]:read,list,write,delete`);
  const path = text.slice(0, colon);
  const actions = text.slice(colon + 1).split(",").map((a) => a.trim()).filter(Boolean);
  for (const a of actions)
    if (!ACTIONS.includes(a)) throw new Error(`--scope ${text}: unknown action "${a}" (read, list, write, delete)`);
  if (!actions.length) throw new Error(`--scope ${text}: no action (read, list, write, delete)`);
  const [account, repository, ...rest] = path.split("/");
  if (!account) throw new Error(`--scope ${text}: no account`);
  const scope = { account };
  if (repository !== undefined && repository !== "") scope.repository = repository;
  if (rest.length) {
    const prefix = rest.join("/");
    if (prefix) scope.prefix = prefix;
  }
  scope.actions = actions;
  return scope;
}

export function formatScope(s) {
  if (!isObject(s)) return JSON.stringify(s);
  let p = String(s.account);
  if (s.repository !== undefined) p += `/${s.repository}`;
  if (s.prefix) p += `${s.repository === undefined ? "/*" : ""}/${s.prefix}`;
  return `${p}:${Array.isArray(s.actions) ? s.actions.join(",") : s.actions}`;
}

// ---- S3P_CONFIG <-> entries ----

// The settings S3P_CONFIG holds that are the deployment's, not the namespace's: they stay in the Worker's variable.
export const DEPLOYMENT_SETTINGS = ["owner_id", "virtual_host_domain", "region", "federation", "listing_token_key_secret",
  "cors_origins", "server_timing", "unknown_keys_as_anonymous", "registry", "sts"];

// The Worker secrets a backend names (the string value of every "*_secret" field in it, as js/init.mjs reads
// them). A backend that names any cannot live in a registry entry: the core holds only the secrets S3P_CONFIG
// names, so an entry embedding it fails as malformed ("Worker secret … is not set"). It stays in S3P_CONFIG's
// backends, and entries name it.
export function backendSecretNames(def) {
  const out = [];
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v))
      for (const [k, x] of Object.entries(v)) {
        if (k.endsWith("_secret") && typeof x === "string") out.push(x);
        else walk(x);
      }
  };
  walk(def);
  return [...new Set(out)];
}

// Splits an S3P_CONFIG-format config into registry entries: { accounts: Map, keys: Map (id -> {scopes}),
// roles: Map (name -> its entry, as S3P_CONFIG's roles.NAME), ignored: [...],
// kept: Map (backend name -> the Worker secrets it names) }.
// Each account gets the backends its repositories use (a backend several accounts use is copied into each), except
// those naming Worker secrets (static keys): they stay in S3P_CONFIG (`kept`, those some account uses), and the
// entries name them.
export function entriesFromConfig(cfg) {
  if (!isObject(cfg)) throw new Error("config: must be a JSON object (S3P_CONFIG's format)");
  for (const section of ["accounts", "buckets", "backends", "access_keys", "roles"])
    if (section in cfg && !isObject(cfg[section])) throw new Error(`${section}: must be an object`);
  const backends = cfg.backends ?? {};
  const kept = new Map();
  const pick = (names) => {
    const out = {};
    for (const n of [...names].sort()) {
      if (!Object.hasOwn(backends, n)) continue;
      const secrets = backendSecretNames(backends[n]);
      if (secrets.length) kept.set(n, secrets);
      else out[n] = structuredClone(backends[n]);
    }
    return out;
  };
  const accounts = new Map();
  for (const [name, acct] of Object.entries(cfg.accounts ?? {})) {
    const entry = { repositories: structuredClone(isObject(acct) ? acct.repositories : acct) };
    entry.backends = pick(backendsUsed(entry));
    accounts.set(name, entry);
  }
  for (const [name, bucket] of Object.entries(cfg.buckets ?? {})) {
    if (accounts.has(name)) throw new Error(`buckets.${name}: is also an account`);
    const entry = { bucket: structuredClone(bucket) };
    entry.backends = pick(backendsUsed(entry));
    accounts.set(name, entry);
  }
  const keys = new Map();
  for (const [id, key] of Object.entries(cfg.access_keys ?? {}))
    keys.set(id, { scopes: structuredClone(isObject(key) ? key.scopes : key) });
  const roles = new Map();
  for (const [name, role] of Object.entries(cfg.roles ?? {})) roles.set(name, structuredClone(role));
  const ignored = Object.keys(cfg).filter((k) => DEPLOYMENT_SETTINGS.includes(k));
  const unknown = Object.keys(cfg).filter((k) => !DEPLOYMENT_SETTINGS.includes(k) && !["accounts", "buckets", "backends", "access_keys", "roles"].includes(k));
  const unusedConfigBackends = Object.keys(backends).filter((b) => ![...accounts.values()].some((e) => backendsUsed(e).has(b)));
  const sortedKept = new Map([...kept].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { accounts, keys, roles, ignored, unknown, unusedBackends: unusedConfigBackends, kept: sortedKept };
}

// The registry as one S3P_CONFIG-format config. Backends of the same name and the same fields merge; a name two
// accounts use for different backends is renamed NAME@ACCOUNT (in `renamed`). `shared`: the deployment's own
// backends (S3P_CONFIG's, --deployment), which entries may name without embedding them: they come first, and an
// entry's backend of the same name but other fields is renamed as above. Backends that repositories name but that
// neither an entry nor `shared` defines are in `missing` (name -> [ACCOUNT or ACCOUNT/REPO]). Keys that the core
// would refuse at once (disabled, expired) are left out (in `skipped`); S3P_CONFIG has no expiry, so a live key's is
// dropped (in `expiryDropped`). `roles` (name -> entry): S3P_CONFIG's "roles", as they are ("disabled" included).
export function configFromEntries(accounts, keys, { now = Date.now(), shared = {}, roles = new Map() } = {}) {
  const cfg = { backends: structuredClone(isObject(shared) ? shared : {}), accounts: {}, buckets: {}, access_keys: {} };
  const renamed = [], skipped = [], expiryDropped = [];
  const missing = new Map();
  for (const name of [...accounts.keys()].sort()) {
    const entry = structuredClone(accounts.get(name));
    const rename = new Map();
    for (const [b, def] of Object.entries(isObject(entry.backends) ? entry.backends : {})) {
      let target = b;
      if (Object.hasOwn(cfg.backends, b) && !sameJson(cfg.backends[b], def)) {
        target = `${b}@${name}`;
        renamed.push({ account: name, backend: b, as: target });
      }
      cfg.backends[target] = def;
      rename.set(b, target);
    }
    const fix = (r, where) => {
      if (isObject(r) && rename.has(r.backend)) r.backend = rename.get(r.backend);
      else if (isObject(r) && typeof r.backend === "string" && !(isObject(shared) && Object.hasOwn(shared, r.backend))) {
        if (!missing.has(r.backend)) missing.set(r.backend, []);
        missing.get(r.backend).push(where);
      }
      return r;
    };
    if (isFlat(entry)) cfg.buckets[name] = fix(entry.bucket, name);
    else {
      const repos = {};
      for (const [r, def] of Object.entries(isObject(entry.repositories) ? entry.repositories : {})) repos[r] = fix(def, `${name}/${r}`);
      cfg.accounts[name] = { repositories: repos };
    }
  }
  for (const id of [...keys.keys()].sort()) {
    const k = keys.get(id);
    const expires = k.expires === undefined ? null : parseIsoUtc(k.expires);
    if (k.disabled === true) skipped.push({ id, why: "disabled" });
    else if (expires !== null && expires <= now) skipped.push({ id, why: `expired ${k.expires}` });
    else {
      if (k.expires !== undefined) expiryDropped.push({ id, expires: k.expires });
      cfg.access_keys[id] = { secret_access_key_secret: `${id}_SECRET`, scopes: structuredClone(k.scopes) };
    }
  }
  cfg.roles = {};
  for (const name of [...roles.keys()].sort()) cfg.roles[name] = structuredClone(roles.get(name));
  for (const s of ["buckets", "access_keys", "roles"]) if (!Object.keys(cfg[s]).length) delete cfg[s];
  return { config: cfg, renamed, skipped, expiryDropped, missing };
}

// Canonical JSON (object keys sorted), for comparing entries and printing them stably.
export function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObject(v)) {
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical(v[k]);
    return out;
  }
  return v;
}
export const sameJson = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
export const pretty = (v) => JSON.stringify(v, null, 2);
