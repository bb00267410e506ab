// Reading and writing the registry's entries over a store (store.mjs), every write validated first (validate.mjs)
// and sealed with the deployment key K (derive.mjs), every read's seal verified (when K is known), and the account
// index kept in step with every account written or removed.
import { SealError, seal, unseal } from "./derive.mjs";
import {
  ACCOUNT_PREFIX, EntryError, INDEX_KEY, KEY_PREFIX, PREFIX, accountKey, indexEntry, indexShapeErrors, isFlat, isPublic,
  keyKey, keyShapeErrors, repositoriesOf, sameJson,
} from "./layout.mjs";

export const FEDERATION_NOTE = (names) => `web_identity backends (${names.map(accountKey).join(", ")}) need the deployment's ` +
  "S3P_CONFIG to hold a \"federation\" section";

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

export const UNCHECKED_NOTE = (what) => `the entries' seals were not checked: no deployment key K (${what}); ` +
  "an entry written or changed without K (which the proxy refuses) is not told apart from a good one";

export class Registry {
  // k: the deployment key K (text), or null: entries are then read without verifying their seals (said once through
  // `warn`, with `noKey` saying why), and nothing can be written.
  constructor(store, validator, { warn = () => {}, k = null, noKey = "REGISTRY_KEY is not set" } = {}) {
    this.store = store;
    this.validator = validator;
    this.warn = warn;
    this.k = k;
    this.noKey = noKey;
    this.unchecked = 0; // entries read without verifying their seal (no K)
  }

  // The stored value's body, its seal verified with K (throws an EntryError naming the entry when the value is not
  // sealed or its seal does not verify), as JSON; null when there is no such entry.
  async readJson(key) {
    const text = await this.store.get(key);
    if (text === null || text === undefined) return null;
    let body, verified;
    try {
      ({ body, verified } = unseal(this.k, key, text));
    } catch (e) {
      if (e instanceof SealError) throw new EntryError(key, e.detail);
      throw e;
    }
    if (!verified && !this.unchecked++) this.warn(UNCHECKED_NOTE(this.noKey));
    try {
      return JSON.parse(body);
    } catch (e) {
      throw new EntryError(key, `is not valid JSON (${e.message})`);
    }
  }

  // An entry about to be replaced or removed: one that cannot be read (its seal does not verify, …) is one the
  // proxy refuses already, so it is replaced like a missing one (said).
  async readForReplace(key, what) {
    try {
      return await this.readJson(key);
    } catch (e) {
      if (!(e instanceof EntryError)) throw e;
      this.warn(`${e.message}; ${what}`);
      return null;
    }
  }

  async #putJson(key, value) {
    if (this.k === null) throw new Error(`${key}: cannot be written without the deployment key K, which seals it`);
    await this.store.put(key, seal(this.k, key, JSON.stringify(value)));
  }

  // ---- reading ----

  account(name) {
    return this.readJson(accountKey(name));
  }

  async accountNames() {
    return (await this.store.list(ACCOUNT_PREFIX)).map((k) => k.slice(ACCOUNT_PREFIX.length));
  }

  async accounts() {
    const out = new Map();
    for (const name of await this.accountNames()) out.set(name, await this.account(name));
    return out;
  }

  key(id) {
    return this.readJson(keyKey(id));
  }

  async keyIds() {
    return (await this.store.list(KEY_PREFIX)).map((k) => k.slice(KEY_PREFIX.length));
  }

  async keys() {
    const out = new Map();
    for (const id of await this.keyIds()) out.set(id, await this.key(id));
    return out;
  }

  // The accounts a key's scopes name (those that exist), with `overrides` (name -> entry or null) applied.
  async accountsFor(entry, overrides = new Map()) {
    const out = new Map();
    const names = new Set((Array.isArray(entry?.scopes) ? entry.scopes : []).map((s) => s?.account).filter((a) => typeof a === "string"));
    for (const a of names) {
      const acct = overrides.has(a) ? overrides.get(a) : await this.account(a);
      if (acct) out.set(a, acct);
    }
    return out;
  }

  // ---- validating ----

  validateAccount(name, entry) {
    const { warnings } = this.validator.account(name, entry);
    warnings.forEach((w) => this.warn(w));
  }

  async validateKey(id, entry, overrides) {
    const { warnings } = this.validator.key(id, entry, await this.accountsFor(entry, overrides));
    warnings.forEach((w) => this.warn(w));
  }

  // Whether replacing `before` by `after` (null: removed) takes away something a scope can name: a repository, or
  // the account itself, or its kind (flat bucket / account).
  static removesNames(before, after) {
    if (!before) return false;
    if (!after || isFlat(before) !== isFlat(after)) return true;
    const kept = new Set(Object.keys(repositoriesOf(after)));
    return Object.keys(repositoriesOf(before)).some((r) => !kept.has(r));
  }

  // Keys that the accounts' new state (name -> entry, or null when removed) would leave invalid: [EntryError].
  // `skip`: key ids about to be rewritten anyway.
  async keysBrokenBy(changes, skip = new Set()) {
    const broken = [];
    for (const id of await this.keyIds()) {
      if (skip.has(id)) continue;
      const entry = await this.readForReplace(keyKey(id), "not checked against this change (the proxy refuses it as it is)");
      if (!entry) continue;
      const names = Array.isArray(entry?.scopes) ? entry.scopes.map((s) => s?.account) : [];
      if (!names.some((a) => changes.has(a))) continue;
      try {
        this.validator.key(id, entry, await this.accountsFor(entry, changes));
      } catch (e) {
        if (!(e instanceof EntryError)) throw e;
        broken.push(e);
      }
    }
    return broken;
  }

  async #refuseBrokenKeys(changes, force, what) {
    const broken = await this.keysBrokenBy(changes);
    if (!broken.length) return;
    const list = broken.map((e) => `  ${e.message}`).join("\n");
    if (!force)
      throw new Error(`${what} would leave ${broken.length} key(s) naming what it takes away:\n${list}\n` +
        "change or revoke those keys first, or pass --force (those scopes then name nothing)");
    this.warn(`--force: ${what} leaves these keys naming what it took away:\n${list}`);
  }

  // ---- writing accounts (and the index) ----

  // index: false when the caller updates the index once for many accounts (import).
  async writeAccount(name, entry, { force = false, index = true } = {}) {
    this.validateAccount(name, entry);
    const before = await this.readForReplace(accountKey(name), "replaced by the entry written");
    if (Registry.removesNames(before, entry)) await this.#refuseBrokenKeys(new Map([[name, entry]]), force, `writing ${accountKey(name)}`);
    await this.#putJson(accountKey(name), entry);
    if (!index) return;
    await this.updateIndex((idx) => {
      idx.accounts[name] = { public: isPublic(entry) };
    });
  }

  async removeAccount(name, { force = false } = {}) {
    if (!(await this.store.get(accountKey(name)))) throw new Error(`${accountKey(name)}: no such account`);
    await this.#refuseBrokenKeys(new Map([[name, null]]), force, `removing ${accountKey(name)}`);
    // Out of the index first: a listing never names an account whose entry is gone.
    await this.updateIndex((idx) => {
      delete idx.accounts[name];
    });
    await this.store.delete(accountKey(name));
  }

  // Reads the index (rebuilt from the account entries when absent or malformed), applies `mutate`, writes it back
  // when it changed. Read-modify-write: two publishers writing at once can lose one's change (`index rebuild`
  // repairs it).
  async updateIndex(mutate) {
    let idx = await this.readJson(INDEX_KEY).catch((e) => {
      this.warn(`${e.message}; rewriting it from the account entries`);
      return null;
    });
    const before = idx && !indexShapeErrors(idx).length ? structuredClone(idx) : null;
    if (!before) idx = indexEntry(await this.#indexableAccounts());
    await mutate(idx);
    const sorted = { accounts: Object.fromEntries(Object.entries(idx.accounts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
    if (!before || !sameJson(before, sorted)) await this.#putJson(INDEX_KEY, sorted);
    return sorted;
  }

  // The accounts an index is built from: those that can be read (one that cannot is one the proxy refuses; left out,
  // said).
  async #indexableAccounts() {
    const out = new Map();
    for (const name of await this.accountNames()) {
      const entry = await this.readForReplace(accountKey(name), "left out of the account index");
      if (entry) out.set(name, entry);
    }
    return out;
  }

  async rebuildIndex() {
    const idx = indexEntry(await this.#indexableAccounts());
    await this.#putJson(INDEX_KEY, idx);
    return idx;
  }

  // ---- writing keys ----

  // `shapeOnly`: for a change that only takes power away (disable), the entry's shape is checked, not its scopes
  // against today's accounts: a key whose account went away can still be disabled.
  async writeKey(id, entry, { shapeOnly = false } = {}) {
    if (shapeOnly) {
      const shape = keyShapeErrors(entry);
      if (shape.length) throw new EntryError(keyKey(id), shape[0]);
    } else {
      await this.validateKey(id, entry);
    }
    await this.#putJson(keyKey(id), entry);
  }

  async removeKey(id) {
    if (!(await this.store.get(keyKey(id)))) throw new Error(`${keyKey(id)}: no such key`);
    await this.store.delete(keyKey(id));
  }

  // ---- the whole registry ----

  // Every entry checked: { errors: [string], warnings: [string], counts }.
  async validateAll() {
    this.validator.checkDeployment(); // a broken deployment is one error, not one per entry
    const errors = [], warnings = [];
    const accounts = new Map();
    const unreadable = new Set(); // accounts whose value cannot be read (not sealed, seal not verified, not JSON)
    const webIdentity = [];
    let nAccounts = 0, nKeys = 0;
    const all = await this.store.list(PREFIX);
    const listed = new Set(all.filter((k) => k.startsWith(ACCOUNT_PREFIX)).map((k) => k.slice(ACCOUNT_PREFIX.length)));
    for (const k of all.filter((k) => k.startsWith(ACCOUNT_PREFIX))) {
      nAccounts++;
      const name = k.slice(ACCOUNT_PREFIX.length);
      try {
        let entry;
        try {
          entry = await this.readJson(k);
        } catch (e) {
          unreadable.add(name);
          throw e;
        }
        accounts.set(name, entry);
        const v = this.validator.account(name, entry);
        warnings.push(...v.warnings);
        if (v.webIdentity) webIdentity.push(name);
      } catch (e) {
        errors.push(...(e instanceof EntryError ? e.all.map((d) => `${e.entry}: ${d}`) : [e.message]));
      }
    }
    for (const k of all.filter((k) => k.startsWith(KEY_PREFIX))) {
      nKeys++;
      const id = k.slice(KEY_PREFIX.length);
      try {
        const entry = await this.readJson(k);
        // Scopes naming an account that cannot be read are not checked against it (its own error says why).
        const named = [...new Set((Array.isArray(entry?.scopes) ? entry.scopes : []).map((s) => s?.account))].filter((a) => unreadable.has(a));
        if (named.length) {
          const shape = keyShapeErrors(entry);
          if (shape.length) throw new EntryError(k, shape[0], { all: shape });
          warnings.push(`${k}: scopes not checked: ${named.map(accountKey).join(", ")} cannot be read`);
        } else warnings.push(...this.validator.key(id, entry, accounts).warnings);
      } catch (e) {
        errors.push(...(e instanceof EntryError ? e.all.map((d) => `${e.entry}: ${d}`) : [e.message]));
      }
    }
    let idx = null;
    try {
      idx = await this.readJson(INDEX_KEY);
    } catch (e) {
      errors.push(e.message);
    }
    if (idx === null && !errors.some((e) => e.startsWith(INDEX_KEY))) {
      if (nAccounts) errors.push(`${INDEX_KEY}: missing (index rebuild writes it)`);
    } else if (idx !== null) {
      const shape = indexShapeErrors(idx);
      if (shape.length) errors.push(...shape.map((d) => `${INDEX_KEY}: ${d}`));
      else {
        const want = indexEntry(new Map([...accounts].filter(([, e]) => isObject(e))));
        for (const name of listed)
          if (!Object.hasOwn(idx.accounts, name) && !unreadable.has(name)) errors.push(`${INDEX_KEY}: accounts.${name}: missing (the account exists; index rebuild fixes it)`);
        for (const [name, v] of Object.entries(idx.accounts)) {
          if (!listed.has(name)) errors.push(`${INDEX_KEY}: accounts.${name}: no such account (index rebuild fixes it)`);
          else if (want.accounts[name] && v.public !== want.accounts[name].public)
            errors.push(`${INDEX_KEY}: accounts.${name}.public: is ${v.public}, the entry says ${want.accounts[name].public} (index rebuild fixes it)`);
        }
      }
    }
    for (const k of all)
      if (!k.startsWith(ACCOUNT_PREFIX) && !k.startsWith(KEY_PREFIX) && k !== INDEX_KEY) warnings.push(`${k}: not part of the v1 layout (ignored)`);
    if (webIdentity.length) warnings.push(FEDERATION_NOTE(webIdentity));
    return { errors, warnings, counts: { accounts: nAccounts, keys: nKeys } };
  }
}
