// Reading and writing the registry's entries over a store (store.mjs), every write validated first (validate.mjs)
// and sealed with the deployment key K (derive.mjs), every read's seal verified (when K is known), and the account
// index kept in step with every account written or removed.
import { SealError, seal, unseal } from "./derive.mjs";
import {
  ACCOUNT_PREFIX, EntryError, INDEX_KEY, INDEX_MAX_PAGES, INDEX_MAX_PAGE_NUMBER, INDEX_PAGE_MAX, INDEX_PAGE_PREFIX, KEY_PREFIX,
  PREFIX, ROLE_PREFIX, accountKey, inIndexRange, indexEntry, indexPageKey, indexPageNumber, indexPageRange, indexPageShapeErrors,
  indexPageSize, indexPages, indexShapeErrors, isFlat, isPagedIndex, isPublic, keyKey, keyShapeErrors, repositoriesOf,
  roleKey, roleShapeErrors, sameJson, idpKey, IDP_PREFIX,
} from "./layout.mjs";

export const FEDERATION_NOTE = (names) => `web_identity backends (${names.map(accountKey).join(", ")}) need the deployment's ` +
  "S3P_CONFIG to hold a \"federation\" section";

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const byName = ([a], [b]) => (a < b ? -1 : a > b ? 1 : 0);
// Index rows (name -> {"public": bool}) sorted by name, as they are written.
const sortedRows = (rows) => Object.fromEntries(Object.entries(rows).sort(byName));
// Applies index changes (name -> row, or null: removed) to rows, in place.
function applyChanges(rows, changes) {
  for (const [name, row] of changes) {
    if (row === null) delete rows[name];
    else rows[name] = row;
  }
  return rows;
}
// The page of a paged head that covers `name`: the last one whose first is not after it.
function pageFor(head, name) {
  let lo = 0, hi = head.pages.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (head.pages[mid].first <= name) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export const UNCHECKED_NOTE = (what) => `the entries' seals were not checked: no deployment key K (${what}); ` +
  "an entry written or changed without K (which the proxy refuses) is not told apart from a good one";

export class Registry {
  // k: the deployment key K (text), or null: entries are then read without verifying their seals (said once through
  // `warn`, with `noKey` saying why), and nothing can be written.
  // pageSize: the most accounts the CLI puts in a page of the account index (and in its small form) before it
  // splits it (INDEX_PAGE_MAX; tests lower it through S3P_REGISTRY_INDEX_PAGE_SIZE).
  constructor(store, validator, { warn = () => {}, k = null, noKey = "REGISTRY_KEY is not set", pageSize = indexPageSize() } = {}) {
    if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > INDEX_PAGE_MAX) throw new Error(`index page size ${pageSize}: must be in 1..${INDEX_PAGE_MAX}`);
    this.pageSize = pageSize;
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

  role(name) {
    return this.readJson(roleKey(name));
  }

  idp(name) {
    return this.readJson(idpKey(name));
  }

  // An identity provider entry, validated by the core's rules first.
  async writeIdp(name, entry) {
    this.validator.idp(name, entry);
    await this.#putJson(idpKey(name), entry);
  }

  async removeIdp(name) {
    if (!(await this.store.get(idpKey(name)))) throw new Error(`${idpKey(name)}: no such identity provider`);
    await this.store.delete(idpKey(name));
  }

  async roleNames() {
    return (await this.store.list(ROLE_PREFIX)).map((k) => k.slice(ROLE_PREFIX.length));
  }

  async roles() {
    const out = new Map();
    for (const name of await this.roleNames()) out.set(name, await this.role(name));
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

  // `overrides`: accounts (name -> entry) being written with it (import); `keys`: key ids being written with it.
  async validateRole(name, entry, overrides, keys = new Set()) {
    const known = new Set([...(await this.keyIds()), ...keys]);
    const { warnings } = this.validator.role(name, entry, await this.accountsFor(entry, overrides), { keys: known });
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
    await this.updateIndexEntries(new Map([[name, { public: isPublic(entry) }]]));
  }

  async removeAccount(name, { force = false } = {}) {
    if (!(await this.store.get(accountKey(name)))) throw new Error(`${accountKey(name)}: no such account`);
    await this.#refuseBrokenKeys(new Map([[name, null]]), force, `removing ${accountKey(name)}`);
    // Out of the index first: a listing never names an account whose entry is gone.
    await this.updateIndexEntries(new Map([[name, null]]));
    await this.store.delete(accountKey(name));
  }

  // ---- the account index (layout.mjs: a small head, or a paged head and its pages) ----

  // The head v1/index/accounts, its shape checked: null when absent; throws an EntryError when it cannot be read or
  // is malformed.
  async #readIndexHead() {
    const head = await this.readJson(INDEX_KEY);
    if (head === null) return null;
    const shape = indexShapeErrors(head);
    if (shape.length) throw new EntryError(INDEX_KEY, shape[0], { all: shape });
    return head;
  }

  // Page i of a paged head, its shape and range checked; throws an EntryError when it is missing, cannot be read or
  // is malformed.
  async #readIndexPage(head, i) {
    const { entry } = head.pages[i];
    const page = await this.readJson(entry);
    if (page === null) throw new EntryError(entry, `missing (${INDEX_KEY} names it)`);
    const shape = indexPageShapeErrors(page, indexPageRange(head, i));
    if (shape.length) throw new EntryError(entry, shape[0], { all: shape });
    return page;
  }

  // The whole index, merged: { accounts: {NAME: {"public": bool}} (sorted), pages: how many (null: the small form) };
  // null when there is none. Throws an EntryError when the head or a page cannot be read or is malformed.
  async readIndex() {
    const head = await this.#readIndexHead();
    if (head === null) return null;
    if (!isPagedIndex(head)) return { accounts: sortedRows(head.accounts), pages: null };
    const rows = {};
    for (let i = 0; i < head.pages.length; i++) Object.assign(rows, (await this.#readIndexPage(head, i)).accounts);
    return { accounts: sortedRows(rows), pages: head.pages.length };
  }

  // Reads the whole index (rebuilt from the account entries when absent or malformed) as {"accounts": {...}}, applies
  // `mutate` to it, and writes what changed (updateIndexEntries). Read-modify-write: two publishers writing at once
  // can lose one's change (`index rebuild` repairs it). A paged index is read whole: updateIndexEntries reads only the
  // pages a change falls in.
  async updateIndex(mutate) {
    let current;
    try {
      current = await this.readIndex();
    } catch (e) {
      if (!(e instanceof EntryError)) throw e;
      this.warn(`${e.message}; rewriting the account index from the account entries`);
    }
    if (!current) {
      const rows = indexEntry(await this.#indexableAccounts()).accounts;
      const idx = { accounts: rows };
      await mutate(idx);
      await this.#writeIndex(idx.accounts, { current: null, cleanup: true });
      return { accounts: sortedRows(idx.accounts) };
    }
    const idx = { accounts: structuredClone(current.accounts) };
    await mutate(idx);
    const changes = new Map();
    for (const [name, row] of Object.entries(idx.accounts)) if (!sameJson(current.accounts[name], row)) changes.set(name, row);
    for (const name of Object.keys(current.accounts)) if (!Object.hasOwn(idx.accounts, name)) changes.set(name, null);
    if (changes.size) await this.updateIndexEntries(changes);
    return { accounts: sortedRows(idx.accounts) };
  }

  // Applies `changes` (Map name -> {"public": bool}, or null: removed) to the index, reading and writing only what
  // they touch, in an order that keeps every state a reader can see whole (KV has no transactions; the CLI is the
  // index's single writer):
  //   small form: the head rewritten; past the page size it becomes paged (its pages written, then the head);
  //   paged: each page a change falls in rewritten; a page past the page size splits (its upper part into a new page
  //   numbered max + 1 — several when a bulk change overfilled it — written first, then the page shrunk, then the
  //   head); a page left empty (not the first) leaves the head, then is deleted.
  // An index that is absent, or whose head or a touched page cannot be read or is malformed, is rewritten whole from
  // the account entries (said).
  async updateIndexEntries(changes) {
    if (!changes.size) return;
    const rewrite = async (e) => {
      if (e) this.warn(`${e.message}; rewriting the account index from the account entries`);
      const rows = applyChanges(indexEntry(await this.#indexableAccounts()).accounts, changes);
      await this.#writeIndex(rows, { current: null, cleanup: true });
    };
    let head;
    try {
      head = await this.#readIndexHead();
    } catch (e) {
      if (!(e instanceof EntryError)) throw e;
      return rewrite(e);
    }
    if (head === null) return rewrite(null);
    if (!isPagedIndex(head)) {
      const rows = applyChanges({ ...head.accounts }, changes);
      if (Object.keys(rows).length > this.pageSize) return this.#writeIndex(rows, { current: head, cleanup: false });
      const next = { accounts: sortedRows(rows) };
      if (!sameJson(head, next)) await this.#putJson(INDEX_KEY, next);
      return;
    }
    const byPage = new Map(); // page index -> Map of its changes
    for (const [name, row] of changes) {
      const i = pageFor(head, name);
      if (!byPage.has(i)) byPage.set(i, new Map());
      byPage.get(i).set(name, row);
    }
    const used = new Set(head.pages.map((p) => indexPageNumber(p.entry)));
    let max = Math.max(...used);
    const nextNumber = () => {
      // max + 1; past the largest number a page may have, the smallest one no page uses.
      if (max < INDEX_MAX_PAGE_NUMBER) return ++max;
      for (let n = 1; ; n++) if (!used.has(n)) return n;
    };
    const pages = []; // the head's pages after the change
    const writes = []; // [entry, body], in order
    const deletes = []; // pages dropped from the head: deleted after it is written
    for (let i = 0; i < head.pages.length; i++) {
      const p = head.pages[i];
      if (!byPage.has(i)) {
        pages.push(p);
        continue;
      }
      let page;
      try {
        page = await this.#readIndexPage(head, i);
      } catch (e) {
        if (!(e instanceof EntryError)) throw e;
        return rewrite(e);
      }
      const rows = sortedRows(applyChanges({ ...page.accounts }, byPage.get(i)));
      const n = Object.keys(rows).length;
      if (n === 0 && i > 0) {
        deletes.push(p.entry);
        continue;
      }
      pages.push(p);
      if (n > this.pageSize) {
        // In two halves; a page a bulk change filled past twice the page size, into pages half full.
        const parts = indexPages(rows, n <= 2 * this.pageSize ? Math.ceil(n / 2) : Math.max(1, Math.floor(this.pageSize / 2)));
        for (const part of parts.slice(1)) {
          const number = nextNumber();
          used.add(number);
          const entry = indexPageKey(number);
          writes.push([entry, { accounts: part.accounts }]);
          pages.push({ entry, first: part.first });
        }
        writes.push([p.entry, { accounts: parts[0].accounts }]);
      } else if (!sameJson(page.accounts, rows)) writes.push([p.entry, { accounts: rows }]);
    }
    if (pages.length > INDEX_MAX_PAGES)
      throw new Error(`${INDEX_KEY}: the change needs ${pages.length} pages, more than the ${INDEX_MAX_PAGES} the index may name; nothing written`);
    for (const [entry, body] of writes) await this.#putJson(entry, body);
    if (!sameJson(pages, head.pages)) await this.#putJson(INDEX_KEY, { pages });
    for (const entry of deletes) await this.store.delete(entry);
  }

  // Writes the whole index over `rows` (name -> {"public": bool}): the small form up to the page size, else pages
  // half full (room to grow before they split), each written before the head that names them. The pages take numbers
  // that `current` (the head being replaced, if any) does not name, so that what it names stays as it was until the
  // new head replaces it. cleanup: page entries the new head does not name are deleted after it is written.
  async #writeIndex(rows, { current = null, cleanup = false } = {}) {
    const names = Object.keys(rows);
    let head;
    const pageWrites = [];
    if (names.length <= this.pageSize) head = { accounts: sortedRows(rows) };
    else {
      const parts = indexPages(rows, Math.max(1, Math.floor(this.pageSize / 2)));
      if (parts.length > INDEX_MAX_PAGES)
        throw new Error(`${INDEX_KEY}: ${names.length} accounts need ${parts.length} pages, more than the ${INDEX_MAX_PAGES} the index may name; nothing written`);
      const used = new Set(current && isPagedIndex(current) ? current.pages.map((p) => indexPageNumber(p.entry)) : []);
      let n = used.size ? Math.max(...used) : 0;
      if (n + parts.length > INDEX_MAX_PAGE_NUMBER) n = 0;
      head = { pages: [] };
      for (const part of parts) {
        do n++;
        while (used.has(n));
        head.pages.push({ entry: indexPageKey(n), first: part.first });
        pageWrites.push([indexPageKey(n), { accounts: part.accounts }]);
      }
    }
    for (const [entry, body] of pageWrites) await this.#putJson(entry, body);
    await this.#putJson(INDEX_KEY, head);
    if (cleanup) {
      const named = new Set(isPagedIndex(head) ? head.pages.map((p) => p.entry) : []);
      for (const k of await this.store.list(INDEX_PAGE_PREFIX)) if (indexPageNumber(k) !== null && !named.has(k)) await this.store.delete(k);
    }
    return head;
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

  // Rewrites the whole index from the account entries (pages half full past the page size; page entries the new
  // head does not name are deleted after it): { accounts (the rows), pages (how many; null: the small form) }.
  async rebuildIndex() {
    let current = null;
    try {
      current = await this.#readIndexHead();
    } catch (e) {
      if (!(e instanceof EntryError)) throw e;
    }
    const rows = indexEntry(await this.#indexableAccounts()).accounts;
    const head = await this.#writeIndex(rows, { current, cleanup: true });
    return { accounts: rows, pages: isPagedIndex(head) ? head.pages.length : null };
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

  // ---- writing roles ----

  // `shapeOnly`: for disabling (it only takes power away), the entry's shape only, as for keys.
  async writeRole(name, entry, { shapeOnly = false } = {}) {
    if (shapeOnly) {
      const shape = roleShapeErrors(entry);
      if (shape.length) throw new EntryError(roleKey(name), shape[0]);
    } else {
      await this.validateRole(name, entry);
    }
    await this.#putJson(roleKey(name), entry);
  }

  async removeRole(name) {
    if (!(await this.store.get(roleKey(name)))) throw new Error(`${roleKey(name)}: no such role`);
    await this.store.delete(roleKey(name));
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
    let nRoles = 0;
    const keyIds = new Set(all.filter((k) => k.startsWith(KEY_PREFIX)).map((k) => k.slice(KEY_PREFIX.length)));
    for (const k of all.filter((k) => k.startsWith(ROLE_PREFIX))) {
      nRoles++;
      const name = k.slice(ROLE_PREFIX.length);
      try {
        const entry = await this.readJson(k);
        const named = [...new Set((Array.isArray(entry?.scopes) ? entry.scopes : []).map((s) => s?.account))].filter((a) => unreadable.has(a));
        if (named.length) {
          const shape = roleShapeErrors(entry);
          if (shape.length) throw new EntryError(k, shape[0], { all: shape });
          warnings.push(`${k}: scopes not checked: ${named.map(accountKey).join(", ")} cannot be read`);
        } else warnings.push(...this.validator.role(name, entry, accounts, { keys: keyIds }).warnings);
      } catch (e) {
        errors.push(...(e instanceof EntryError ? e.all.map((d) => `${e.entry}: ${d}`) : [e.message]));
      }
    }
    const idps = all.filter((k) => k.startsWith(IDP_PREFIX));
    for (const k of idps) {
      try {
        this.validator.idp(k.slice(IDP_PREFIX.length), await this.readJson(k));
      } catch (e) {
        errors.push(...(e instanceof EntryError ? e.all.map((d) => `${e.entry}: ${d}`) : [e.message]));
      }
    }
    const index = await this.#validateIndex(all, listed, accounts, unreadable, nAccounts);
    errors.push(...index.errors);
    warnings.push(...index.warnings);
    for (const k of all)
      if (!k.startsWith(ACCOUNT_PREFIX) && !k.startsWith(KEY_PREFIX) && !k.startsWith(ROLE_PREFIX) && !k.startsWith(IDP_PREFIX) && k !== INDEX_KEY &&
          indexPageNumber(k) === null)
        warnings.push(`${k}: not part of the v1 layout (ignored)`);
    if (webIdentity.length) warnings.push(FEDERATION_NOTE(webIdentity));
    return { errors, warnings, counts: { accounts: nAccounts, keys: nKeys, roles: nRoles, indexPages: index.pages } };
  }

  // The account index against the accounts: the head's shape (small or paged), each page's (present, sealed, the
  // small form, at most INDEX_PAGE_MAX accounts, every name within its range), no account missing or extra or with
  // another "public"; page entries the head does not name are left over (warned). `all`: every entry name listed;
  // `listed`: the account names; `accounts`: those read (name -> entry); `unreadable`: those that could not be.
  async #validateIndex(all, listed, accounts, unreadable, nAccounts) {
    const errors = [], warnings = [];
    const pageEntries = all.filter((k) => indexPageNumber(k) !== null);
    const present = new Set(all);
    let idx = null;
    try {
      idx = await this.readJson(INDEX_KEY);
    } catch (e) {
      errors.push(e.message);
      return { errors, warnings, pages: null };
    }
    const leftOver = (named) => {
      for (const k of pageEntries)
        if (!named.has(k)) warnings.push(`${k}: a page of the account index that ${INDEX_KEY} does not name (left over; index rebuild deletes it)`);
    };
    if (idx === null) {
      if (nAccounts) errors.push(`${INDEX_KEY}: missing (index rebuild writes it)`);
      leftOver(new Set());
      return { errors, warnings, pages: null };
    }
    const shape = indexShapeErrors(idx);
    if (shape.length) {
      errors.push(...shape.map((d) => `${INDEX_KEY}: ${d}`));
      return { errors, warnings, pages: null };
    }
    const rows = new Map(); // name -> [row, the entry holding it] (well-formed rows)
    const seen = new Set(); // every name a page holds (a malformed row's error says what is wrong with it)
    const unchecked = []; // ranges of pages that could not be read: the names in them are not checked
    let where = () => INDEX_KEY; // the entry that covers a name
    if (!isPagedIndex(idx)) {
      for (const [name, v] of Object.entries(idx.accounts)) {
        rows.set(name, [v, INDEX_KEY]);
        seen.add(name);
      }
      const n = rows.size;
      if (n > INDEX_PAGE_MAX)
        warnings.push(`${INDEX_KEY}: ${n} accounts in the small form; past ${INDEX_PAGE_MAX} the index is paged (index rebuild pages it)`);
      leftOver(new Set());
    } else {
      where = (name) => idx.pages[pageFor(idx, name)].entry;
      for (let i = 0; i < idx.pages.length; i++) {
        const { entry } = idx.pages[i];
        const range = indexPageRange(idx, i);
        let page = null;
        if (!present.has(entry)) errors.push(`${entry}: missing (${INDEX_KEY} names it; index rebuild fixes it)`);
        else
          try {
            page = await this.readJson(entry);
          } catch (e) {
            errors.push(e.message);
          }
        const pageShape = page === null ? [] : indexPageShapeErrors(page, range);
        errors.push(...pageShape.map((d) => `${entry}: ${d}`));
        if (page === null || !isObject(page?.accounts)) {
          unchecked.push(range);
          continue;
        }
        for (const [name, v] of Object.entries(page.accounts)) {
          seen.add(name);
          if (isObject(v) && typeof v.public === "boolean") rows.set(name, [v, entry]);
        }
      }
      leftOver(new Set(idx.pages.map((p) => p.entry)));
    }
    const want = indexEntry(new Map([...accounts].filter(([, e]) => isObject(e))));
    for (const name of listed)
      if (!seen.has(name) && !unreadable.has(name) && !unchecked.some((r) => inIndexRange(name, r)))
        errors.push(`${where(name)}: accounts.${name}: missing (the account exists; index rebuild fixes it)`);
    for (const [name, [v, at]] of rows) {
      if (!listed.has(name)) errors.push(`${at}: accounts.${name}: no such account (index rebuild fixes it)`);
      else if (want.accounts[name] && v.public !== want.accounts[name].public)
        errors.push(`${at}: accounts.${name}.public: is ${v.public}, the entry says ${want.accounts[name].public} (index rebuild fixes it)`);
    }
    return { errors, warnings, pages: isPagedIndex(idx) ? idx.pages.length : null };
  }
}
