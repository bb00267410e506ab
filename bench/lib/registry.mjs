// The registry rows' namespaces (issue 16): B's own namespace moved from S3P_CONFIG into a KV registry, as
// `./scripts/registry import` moves it, and a big registry of 100,000 repositories and 10,000 keys beside it.
// Everything is sealed, derived and laid out by the CLI's own code (scripts/lib/registry/*.mjs); nothing here
// re-implements the layout or the seal.
//
//   small  B's accounts and keys (entriesFromConfig, as `import` splits a config), validated by the core's own rules
//          and written through the CLI's Registry (sealed, index kept), plus the FEW accounts (below)
//   big    the small registry's values, then GENERATED accounts acct-00000 … (each REPOS_PER_ACCOUNT repositories,
//          so 10,000 accounts hold 100,000 repositories) and as many keys (key i reads repo-1 of account i), sealed with
//          seal() directly (one account and one key first validated by the core: 20,000 validations would take
//          minutes), and the account index rebuilt over every account (indexEntry)
//
// A registry is a Map name → sealed value; bench/lib/kv.mjs serves it to the Worker's KV binding.
import { entriesFromConfig, indexEntry, isPublic, accountKey, keyKey, INDEX_KEY } from "../../scripts/lib/registry/layout.mjs";
import { deriveSecret, newNonce, seal } from "../../scripts/lib/registry/derive.mjs";
import { Deployment } from "../../scripts/lib/registry/deployment.mjs";
import { Registry } from "../../scripts/lib/registry/registry.mjs";
import { Validator } from "../../scripts/lib/registry/validate.mjs";
import { NO_CACHE } from "./config.mjs";
import { PREFIX } from "./fixtures.mjs";

export const BINDING = "REGISTRY";
export const KEY_SECRET = "BENCH_REGISTRY_KEY";
// The deployment key K (a Worker secret in a deployment): fixed, so that runs are repeatable.
export const DEPLOYMENT_KEY = "s3-edge-proxy bench deployment key, 32+ bytes long";

export const REPOS_PER_ACCOUNT = 10;
export const BIG_ACCOUNTS = 10_000; // × REPOS_PER_ACCOUNT = 100,000 repositories
export const BIG_KEYS = 10_000;
export const FEW = 8; // the few names of the warm "over a few names" cell: generated accounts 0..FEW-1, in both registries
// The isolate tier's capacity (worker/registry/registry_cache.h kCapacity; negative answers have as many again), and
// how many distinct names of each kind the memory sweep asks for (twice the capacity; at most BIG_ACCOUNTS, BIG_KEYS).
export const ISOLATE_CAPACITY = 5000;
export const SWEEP_NAMES = 2 * ISOLATE_CAPACITY;

export const accountName = (i) => `acct-${String(i).padStart(5, "0")}`;
export const keyId = (i) => `AKIDREG${String(i).padStart(13, "0")}`;
// repo-0 (public) is what anonymous requests read; repo-1 (private) what key i may read. Every repository points at
// the bench's fixture prefix on the static-key deployment backend "origin", so every request the bench makes is a
// 200 from the origin; even repositories are public, odd ones private.
export const PUBLIC_REPO = "repo-0";
export const KEYED_REPO = "repo-1";

export function generatedAccount() {
  const repositories = {};
  for (let r = 0; r < REPOS_PER_ACCOUNT; r++)
    repositories[`repo-${r}`] = { backend: "origin", prefix: PREFIX, public: r % 2 === 0, cache: NO_CACHE };
  return { repositories, backends: {} };
}
export const generatedKey = (i) => ({
  scopes: [{ account: accountName(i % BIG_ACCOUNTS), repository: KEYED_REPO, actions: ["read", "list"] }],
  generation: 1, nonce: newNonce(),
});

// The CLI's store interface (scripts/lib/registry/store.mjs) over a Map.
class MapStore {
  constructor() {
    this.values = new Map();
  }
  describe() {
    return "the bench's in-memory KV";
  }
  async get(key) {
    return this.values.get(key) ?? null;
  }
  async put(key, value) {
    this.values.set(key, value);
  }
  async delete(key) {
    this.values.delete(key);
  }
  async list(prefix) {
    return [...this.values.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  async close() {}
}

// The registry variant of a static config `cfg` (S3P_CONFIG's format): { deployment (the S3P_CONFIG that stays: its
// settings and the backends with static keys), small (Map), secrets (key id → derived secret), accounts (Map name →
// entry), warnings }. `wasm`: the core whose rules validate every entry.
export async function smallRegistry(cfg, wasm) {
  const parts = entriesFromConfig(cfg);
  const deployment = structuredClone(cfg);
  for (const s of ["accounts", "buckets", "access_keys"]) delete deployment[s];
  deployment.backends = Object.fromEntries([...parts.kept.keys()].map((b) => [b, cfg.backends[b]]));
  deployment.registry = { kv_binding: BINDING, key_secret: KEY_SECRET };
  const warnings = [];
  const store = new MapStore();
  const validator = new Validator(wasm, { deployment: new Deployment(deployment, { label: "the bench's registry deployment" }) });
  const reg = new Registry(store, validator, { k: DEPLOYMENT_KEY, warn: (w) => warnings.push(w) });
  const accounts = new Map(parts.accounts);
  for (let i = 0; i < FEW; i++) accounts.set(accountName(i), generatedAccount());
  for (const [name, entry] of accounts) await reg.writeAccount(name, entry, { force: true, index: false });
  await reg.updateIndex((idx) => {
    for (const [name, entry] of accounts) idx.accounts[name] = { public: isPublic(entry) };
  });
  const secrets = {};
  for (const [id, { scopes }] of parts.keys) {
    const entry = { scopes, generation: 1, nonce: newNonce() };
    await reg.validateKey(id, entry, accounts);
    await reg.writeKey(id, entry);
    secrets[id] = deriveSecret(DEPLOYMENT_KEY, id, entry.generation, entry.nonce);
  }
  return { deployment, small: store.values, secrets, accounts, validator, warnings };
}

// The big registry: the small one's values plus the generated accounts and keys. Returns { big (Map), keySecrets
// (index → derived secret), counts }.
export function bigRegistry({ small, accounts, validator }) {
  const big = new Map(small);
  const all = new Map(accounts);
  const sample = generatedAccount();
  validator.account(accountName(FEW), sample); // throws naming the field if the core refuses the generated shape
  const body = JSON.stringify(sample); // every generated account has the same body; each is sealed under its own name
  for (let i = FEW; i < BIG_ACCOUNTS; i++) {
    const name = accountName(i);
    big.set(accountKey(name), seal(DEPLOYMENT_KEY, accountKey(name), body));
    all.set(name, sample);
  }
  big.set(INDEX_KEY, seal(DEPLOYMENT_KEY, INDEX_KEY, JSON.stringify(indexEntry(all))));
  const keySecrets = [];
  for (let i = 0; i < BIG_KEYS; i++) {
    const entry = generatedKey(i);
    if (i === 0) validator.key(keyId(i), entry, all);
    big.set(keyKey(keyId(i)), seal(DEPLOYMENT_KEY, keyKey(keyId(i)), JSON.stringify(entry)));
    keySecrets.push(deriveSecret(DEPLOYMENT_KEY, keyId(i), entry.generation, entry.nonce));
  }
  let repositories = 0;
  for (const e of all.values()) repositories += Object.keys(e.repositories ?? {}).length;
  return { big, keySecrets, counts: { accounts: all.size, repositories, keys: big.size - all.size - 1 } };
}
