// ./scripts/registry: the publisher's CLI for the namespace registry in Workers KV (layout: layout.mjs; the seal on
// every value and the access key secrets, both from the deployment key K: derive.mjs).
// `node scripts/lib/registry/cli.mjs --help` lists the commands; each has its own --help.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_KEY_ENV, SealError, deriveSecret, newNonce, readDeploymentKey, splitSealed, unseal } from "./derive.mjs";
import {
  EntryError, INDEX_KEY, INDEX_PAGE_MAX, INDEX_PAGE_PREFIX, accountKey, configFromEntries, entriesFromConfig, formatScope,
  indexPageNumber, indexPageRange, indexPageShapeErrors, indexPageSize, indexShapeErrors, isFlat, isPagedIndex, isPublic, keyKey,
  keyShapeErrors, parseIsoUtc, parseJson, parseScope, pretty, backendsUsed, roleKey, ROLE_NAME_RE, sameJson, idpKey, IDP_NAME_RE,
} from "./layout.mjs";
import { Deployment } from "./deployment.mjs";
import { FEDERATION_NOTE, Registry, UNCHECKED_NOTE } from "./registry.mjs";
import { BINDING, CachedStore, DEFAULT_LOCAL_DIR, LocalStore, WranglerStore } from "./store.mjs";
import { ROOT, Validator } from "./validate.mjs";

class UsageError extends Error {}

const TARGET_HELP = `Target (one of):
  --local [DIR]        Miniflare's persisted KV under DIR (default .state/registry-kv in the repository), namespace
                       and binding "${BINDING}": a Worker started with kvPersist DIR and kvNamespaces ["${BINDING}"]
                       reads what is written. (wrangler dev --persist-to P keeps KV under P/v3/kv.) The default.
                       DIR is the next word when it is not an option and not one of the command's own words; or
                       write --local=DIR.
  --namespace-id ID    a deployed namespace, through npx wrangler kv key get/put/list/delete --namespace-id ID --remote
                       (wrangler's own login). KV is eventually consistent: a write can take ~60 s to be seen
                       everywhere, and two publishers changing one entry at once can lose one change.
  --dry-run            with --namespace-id: reads run, writes are printed as the wrangler commands they would be.`;

const DEPLOYMENT_HELP = `The deployment (optional, with any target):
  --deployment FILE    the Worker's S3P_CONFIG (JSON; \${EMULATOR} placeholders are read as a stand-in URL). Entries
                       are then checked as the proxy reads them: a repository may name one of its backends (a backend
                       with static keys, i.e. naming Worker secrets, can only live there: the proxy holds only the
                       secrets S3P_CONFIG names), web_identity backends are checked against its "federation" section,
                       and a key's scopes may name its accounts. export merges its backends.`;

const KEY_SECRET_HELP = `The deployment key K (the Worker secret that S3P_CONFIG's "registry": {"key_secret": NAME} names; any text
of at least 32 bytes) seals every entry — each value is "v1.<MAC>", a newline and the entry's JSON, and the proxy
refuses (503) an entry that K did not seal, so that writing the KV namespace is not enough to change what it
trusts — and derives every access key's secret. Every command that writes an entry needs K (key revoke, which only
deletes one, does not); the commands that read entries verify their seals with K, and without it say that they
did not (an entry that is not sealed at all is reported either way):
  --key-secret-env NAME   read K from environment variable NAME (default ${DEFAULT_KEY_ENV})
  --key-secret-file PATH  read K from a file (trailing whitespace trimmed, as wrangler secret put NAME < PATH stores it)`;

// Options: name -> kind. Each command lists the ones it takes (besides the global ones).
// A command's `key`: "write" (it writes entries: K seals them, so it is required), "derive" (it prints a key's
// secret: K is required), or none (it reads, and verifies seals when K is given).
const OPTIONS = {
  file: "string", backend: "string", prefix: "string", public: "boolean", "read-only": "boolean", cache: "boolean",
  replace: "boolean", scope: "multiple", expires: "string", "key-secret-env": "string", "key-secret-file": "string",
  "skip-keys": "boolean", json: "boolean", as: "string", force: "boolean", trust: "multiple", "max-session-s": "string",
  issuer: "string", audience: "multiple", "jwks-url": "string",
};
const KEY_SECRET_OPTIONS = ["key-secret-env", "key-secret-file"];
const GLOBAL_OPTIONS = ["local", "namespace-id", "dry-run", "deployment", "help", ...KEY_SECRET_OPTIONS];

const COMMANDS = [
  {
    words: ["account", "put"], key: "write", args: ["NAME"], options: ["file", "force"],
    summary: "write an account entry from a file",
    help: `Writes v1/account/NAME from --file (JSON): {"repositories": {REPO: {backend, prefix, public, read_only, cache}},
"backends": {BACKEND: {endpoint, bucket, region, timeout_ms, min_body_rate_kib_s, auth}}} — the fields exactly as in
S3P_CONFIG — or, for a flat bucket, {"bucket": {backend, prefix, public, read_only, cache}, "backends": {...}}.
The entry is validated by the core's rules first; the account index follows. Taking away a repository that a
key's scope names is refused unless --force.`,
    run: accountPut,
  },
  { words: ["account", "get"], args: ["NAME"], options: [], summary: "print an account entry", help: "Prints v1/account/NAME as JSON.", run: accountGet },
  {
    words: ["account", "list"], args: [], options: ["json"], summary: "list the accounts",
    help: `Prints the account names, one a line (from the account entries). --json: the account index, what ListBuckets
pages over, as {"accounts": {NAME: {"public": bool}}}: ${INDEX_KEY} itself, or, when it is paged, its pages
(${INDEX_PAGE_PREFIX}N) merged into that one form (stderr says how many pages).`,
    run: accountList,
  },
  {
    words: ["account", "rm"], key: "write", args: ["NAME"], options: ["force"], summary: "remove an account",
    help: "Removes v1/account/NAME (from the index first). Refused while a key's scope names it, unless --force.",
    run: accountRm,
  },
  {
    words: ["repo", "add"], key: "write", args: ["ACCOUNT", "REPO"], options: ["backend", "prefix", "public", "read-only", "cache", "replace"],
    summary: "add a repository to an account",
    help: `Adds repository REPO to v1/account/ACCOUNT:
  --backend NAME   one of the entry's backends (backend put ACCOUNT NAME --file adds one), or one of S3P_CONFIG's
                   (with --deployment FILE; a backend with static keys can only be one of those)
  --prefix P       the backend key prefix, empty ('') or ending in '/' (required: an empty one exposes the bucket)
  --public         anyone, anonymous included, may read and list it
  --read-only      no key may write or delete in it
  --cache          the edge chunk cache on ("cache": {"enabled": true}; it defaults to public)
  --replace        replace a repository of that name (else refused)`,
    run: repoAdd,
  },
  {
    words: ["repo", "rm"], key: "write", args: ["ACCOUNT", "REPO"], options: ["force"], summary: "remove a repository",
    help: `Removes REPO from v1/account/ACCOUNT, and the backends no repository of it uses any more. Refused while a
key's scope names the repository, unless --force.`,
    run: repoRm,
  },
  {
    words: ["backend", "put"], key: "write", args: ["ACCOUNT", "NAME"], options: ["file"], summary: "write a backend into an account",
    help: `Writes backend NAME into v1/account/ACCOUNT from --file (JSON, S3P_CONFIG's backends.NAME: endpoint, bucket,
region, timeout_ms, min_body_rate_kib_s, auth {type anonymous|web_identity …}). A backend is embedded in each
account that uses it: put it into each. An account that does not exist yet is created with no repository.
A backend with static keys (auth type static: Worker secrets named by *_secret) cannot be used from an entry (the
proxy holds only the secrets S3P_CONFIG names): define it in S3P_CONFIG's backends and name it from the repositories
(repo add --backend NAME, with --deployment FILE).`,
    run: backendPut,
  },
  {
    words: ["backend", "rm"], key: "write", args: ["ACCOUNT", "NAME"], options: [], summary: "remove an unused backend from an account",
    help: "Removes backend NAME from v1/account/ACCOUNT; refused while a repository uses it.", run: backendRm,
  },
  {
    words: ["key", "create"], key: "write", args: ["ID"], options: ["scope", "expires"], summary: "create an access key, print its secret",
    help: `Writes v1/key/ID with generation 1 and a fresh random nonce, and prints its secret (derived from K, the id, the
generation and the nonce; stored nowhere). An id that was revoked and is created again gets a new secret.
  --scope account/repo[/prefix]:read,list,write,delete   (repeatable; repo may be *; a flat bucket: bucket:read or
                                                        bucket/*/prefix:read)
  --expires 2027-01-31T00:00:00Z                        (optional; ISO 8601 UTC; refused after it)`,
    run: keyCreate,
  },
  {
    words: ["key", "rotate"], key: "write", args: ["ID"], options: [], summary: "new secret for a key (generation + 1, new nonce)",
    help: "Raises v1/key/ID's generation by one, gives it a fresh random nonce, and prints the new secret; the old one\nstops working.",
    run: keyRotate,
  },
  { words: ["key", "disable"], key: "write", args: ["ID"], options: [], summary: "refuse a key (kept)", help: "Sets \"disabled\": true on v1/key/ID: the proxy refuses the key.", run: (c) => keySetDisabled(c, true) },
  { words: ["key", "enable"], key: "write", args: ["ID"], options: [], summary: "accept a disabled key again", help: "Clears \"disabled\" on v1/key/ID (its scopes are validated again).", run: (c) => keySetDisabled(c, false) },
  {
    words: ["key", "revoke"], args: ["ID"], options: [], summary: "delete a key",
    help: "Deletes v1/key/ID. It writes no entry, so it needs no K. Creating ID again gives it a new secret.", run: keyRevoke,
  },
  {
    words: ["key", "list"], args: [], options: ["json"], summary: "list the keys",
    help: "Prints one line per key: id, generation, disabled/expires (--json: the entries). Never a secret.", run: keyList,
  },
  {
    words: ["key", "show"], args: ["ID"], options: [], summary: "print a key's entry (no secret)",
    help: "Prints v1/key/ID's JSON (which holds no secret: its nonce gives none without K).", run: keyShow,
  },
  {
    words: ["key", "secret"], key: "derive", args: ["ID"], options: [], summary: "re-derive and print a key's secret",
    help: "Prints v1/key/ID's current secret, derived again from K and the entry's generation and nonce (its seal\nverified with K first).",
    run: keySecret,
  },
  {
    words: ["role", "put"], key: "write", args: ["NAME"], options: ["scope", "trust", "max-session-s", "file"],
    summary: "write an STS role (its scopes, trusted keys, longest session)",
    help: `Writes v1/role/NAME, a role of the proxy's STS (README "Temporary credentials (STS)"): AssumeRole signed by one
of its trusted keys mints a session granting the role's scopes ∩ the key's. The same fields and rules as
S3P_CONFIG's roles.NAME (which takes precedence over an entry of its name), validated by the core first:
  --scope account/repo[/prefix]:read,list,write,delete   (repeatable; as for key create; none: a role granting nothing)
  --trust KEYID                                         (repeatable, at least one: an access key, the registry's or
                                                        S3P_CONFIG's, that may assume it)
  --max-session-s N                                     (900..43200; default 3600)
  --file F                                              (instead: the entry's JSON, {"scopes", "trusted_keys",
                                                        "max_session_s", "disabled"})
An existing role is replaced (enabled, unless the file says otherwise). Changes reach every isolate within the
registry's entry_ttl_s: live sessions are then narrowed or, for an untrusted key, refused.`,
    run: rolePut,
  },
  { words: ["role", "get"], args: ["NAME"], options: [], summary: "print a role entry", help: "Prints v1/role/NAME as JSON.", run: roleGet },
  {
    words: ["role", "list"], args: [], options: ["json"], summary: "list the roles",
    help: "Prints one line per role: name, max_session_s, disabled, trusted keys, scopes (--json: the entries).", run: roleList,
  },
  {
    words: ["role", "rm"], args: ["NAME"], options: [], summary: "delete a role",
    help: "Deletes v1/role/NAME: it can no longer be assumed, and its sessions are refused within entry_ttl_s. It writes\nno entry, so it needs no K.",
    run: roleRm,
  },
  {
    words: ["role", "disable"], key: "write", args: ["NAME"], options: [], summary: "refuse a role and its sessions (kept)",
    help: "Sets \"disabled\": true on v1/role/NAME: within entry_ttl_s it can no longer be assumed and its live sessions are\nrefused (InvalidToken).",
    run: (c) => roleSetDisabled(c, true),
  },
  {
    words: ["role", "enable"], key: "write", args: ["NAME"], options: [], summary: "accept a disabled role again",
    help: "Clears \"disabled\" on v1/role/NAME (validated again); sessions issued before, not yet expired, work again.",
    run: (c) => roleSetDisabled(c, false),
  },
  {
    words: ["idp", "put"], key: "write", args: ["NAME"], options: ["issuer", "audience", "jwks-url", "file"],
    summary: "write an OIDC identity provider (issuer, audiences, JWKS URL)",
    help: `Writes v1/idp/NAME, an identity provider whose tokens AssumeRoleWithWebIdentity accepts for the roles that
trust it by name (README "Temporary credentials (STS)"). The same fields and rules as S3P_CONFIG's
sts.identity_providers.NAME (which takes precedence), validated by the core first:
  --issuer URL         the tokens' iss, exactly
  --audience AUD       (repeatable) a token's aud must hold one of them
  --jwks-url URL       https:// (http:// only on a loopback host)
  --file F             the entry's JSON instead`,
    run: idpPut,
  },
  { words: ["idp", "get"], args: ["NAME"], options: [], summary: "print an identity provider entry", help: "Prints v1/idp/NAME as JSON.", run: idpGet },
  {
    words: ["idp", "rm"], args: ["NAME"], options: [], summary: "delete an identity provider",
    help: "Deletes v1/idp/NAME: within entry_ttl_s its tokens can no longer assume a role (live sessions run out).",
    run: idpRm,
  },
  {
    words: ["import"], key: "write", args: ["CONFIG"], options: ["skip-keys", "force"], summary: "import an S3P_CONFIG-format file",
    help: `Writes every account of CONFIG (S3P_CONFIG's format: accounts, buckets, backends, access_keys) as an entry with
the backends it uses, the account index, and a key entry per access key. Everything is validated before anything
is written. Other accounts and keys in the registry are left as they are.
A backend naming Worker secrets (static keys) is not embedded: the proxy cannot use it from an entry, so it stays
in S3P_CONFIG's backends and the entries name it (said on stderr). The entries are checked against --deployment
FILE's backends and federation section when given (it must then define those backends), else against CONFIG's own.
Today's keys have their secrets in Worker secrets; the registry derives them instead, so each imported key gets
generation 1, a fresh random nonce and a NEW secret, printed once as "ID<TAB>SECRET" lines (hand them to the keys'
holders). A key already in the registry keeps its generation and nonce (and so its secret); its scopes are
replaced. --skip-keys imports no key.
Deployment settings (owner_id, federation, region, listing_token_key_secret, cors_origins, …) stay in S3P_CONFIG.`,
    run: importConfig,
  },
  {
    words: ["export"], args: [], options: [], summary: "print the registry as S3P_CONFIG JSON",
    help: `Prints the registry in S3P_CONFIG's format: backends (merged; a name two accounts use for different backends
becomes NAME@ACCOUNT), accounts, buckets, access_keys with "secret_access_key_secret": "<ID>_SECRET" placeholders.
Backends the entries name but do not embed are S3P_CONFIG's: with --deployment FILE its backends are merged in
(first; an entry's backend of the same name and other fields becomes NAME@ACCOUNT), else stderr names them.
Disabled and expired keys are left out; a live key's expiry cannot be expressed there and is dropped (said on stderr).`,
    run: exportConfig,
  },
  {
    words: ["validate"], args: [], options: ["file", "as"], summary: "check entries' seals, and the entries with the core's rules",
    help: `Checks every entry: its seal (with K; without K only that it is sealed, and a warning says so), then its body
(accounts with their backends, keys' scopes against the accounts, the index in step) with the core's own config
rules (dist/core.wasm run in node), naming the entry and the field. Exit 1 on any error.
Entries naming S3P_CONFIG's backends need --deployment FILE.
  --file F     check one entry from a file instead (an account, a key — its scopes against the target's accounts
               — or the index): its JSON, or a value as stored ("v1.<MAC>", newline, JSON: its seal is checked
               too, which needs --as); its kind is read from --as or from its fields
  --as KEY     the entry's KV key, e.g. v1/account/acme, v1/key/AKID123, ${INDEX_KEY} or ${INDEX_PAGE_PREFIX}3 (names the
               account or key; a page of the paged index is checked against the range the target's head gives it)`,
    run: validate,
  },
  {
    words: ["index", "rebuild"], key: "write", args: [], options: [], summary: "rewrite the account index from the accounts",
    help: `Rewrites the account index from the account entries (after two publishers raced, or entries written by hand):
${INDEX_KEY} in the small form ({"accounts": {...}}) up to ${INDEX_PAGE_MAX} accounts, else paged: pages
${INDEX_PAGE_PREFIX}N of ${INDEX_PAGE_MAX / 2} accounts (half full: room to grow before one splits), written before the
head {"pages": [{"entry", "first"}, ...]} that names them; page entries it no longer names are deleted after it.`,
    run: indexRebuild,
  },
];

// ---- argument parsing ----

const COMMAND_WORDS = new Set(COMMANDS.flatMap((c) => c.words));

export function parseArgs(argv) {
  const opts = { multiple: {} };
  const positionals = []; // { text, index }
  let localCandidate = null; // index of a word after a bare --local
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i];
    if (t === "--") {
      for (const r of argv.slice(i + 1)) positionals.push({ text: r, index: positionals.length });
      break;
    }
    if (t === "-h" || t === "--help") {
      help = true;
      continue;
    }
    if (!t.startsWith("--") || t === "-") {
      if (t.startsWith("-") && t !== "-") throw new UsageError(`unknown option ${t}`);
      positionals.push({ text: t, index: positionals.length });
      continue;
    }
    const eq = t.indexOf("=");
    const name = t.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : t.slice(eq + 1);
    if (name === "local") {
      opts.local = inline ?? true;
      if (inline === undefined && i + 1 < argv.length && !argv[i + 1].startsWith("-")) localCandidate = positionals.length;
      continue;
    }
    if (name === "dry-run") {
      opts["dry-run"] = true;
      continue;
    }
    const kind = name === "namespace-id" || name === "deployment" ? "string" : OPTIONS[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === "boolean") {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      opts[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      value = argv[++i];
    }
    if (kind === "multiple") (opts.multiple[name] ??= []).push(value);
    else opts[name] = value;
  }
  // The command: the longest list of command words the positionals start with.
  const match = (words) => {
    const cmd = COMMANDS.filter((c) => c.words.every((w, i) => words[i] === w)).sort((a, b) => b.words.length - a.words.length)[0];
    return cmd ? { cmd, args: words.slice(cmd.words.length) } : null;
  };
  const texts = positionals.map((p) => p.text);
  let parsed = null;
  let localDir = typeof opts.local === "string" ? opts.local : undefined;
  if (localCandidate !== null && !COMMAND_WORDS.has(texts[localCandidate])) {
    // The word after a bare --local is its DIR unless the command needs it as an argument.
    const asArg = match(texts);
    const asDir = match(texts.filter((_, i) => i !== localCandidate));
    if (asArg && asArg.args.length === asArg.cmd.args.length) parsed = asArg;
    else if (asDir) {
      parsed = asDir;
      localDir = texts[localCandidate];
    }
  }
  parsed ??= match(texts);
  let words = texts;
  if (!parsed && localCandidate !== null && !COMMAND_WORDS.has(texts[localCandidate])) {
    // No command either way: the word after --local was its DIR (for the messages about the rest).
    words = texts.filter((_, i) => i !== localCandidate);
    localDir = texts[localCandidate];
  }
  return { ...parsed, words, opts, help, localDir };
}

function usage() {
  const width = Math.max(...COMMANDS.map((c) => [...c.words, ...c.args].join(" ").length));
  const lines = COMMANDS.map((c) => `  ${[...c.words, ...c.args].join(" ").padEnd(width)}   ${c.summary}`);
  return `Usage: ./scripts/registry [target] [--deployment FILE] COMMAND [options]   (COMMAND --help for its options)

The namespace registry in Workers KV: accounts, repositories, backends and access keys outside the Worker's
S3P_CONFIG, changed without a redeploy. Layout (each value is a JSON entry sealed by the deployment key K):
v1/account/{account} (an account with the backends it uses), v1/key/{access key id} (scopes, generation and
nonce; no secret), v1/role/{name} (an STS role: scopes, trusted keys, longest session), v1/index/accounts (the account index; past ${INDEX_PAGE_MAX} accounts, a list of pages
v1/index/accounts/pN of at most ${INDEX_PAGE_MAX} accounts each, kept by every write).

Commands:
${lines.join("\n")}

${TARGET_HELP}

${DEPLOYMENT_HELP}

${KEY_SECRET_HELP}

A value stored under NAME is "v1." + base64url(HMAC-SHA256(E, NAME "\\n" JSON)) + "\\n" + JSON, where
E = HMAC-SHA256(K, "s3-edge-proxy registry entries v1"). Access key secrets are derived, never stored:
secret = base64url(HMAC-SHA256(K, "s3-edge-proxy access key secret v1" \\0 id \\0 generation \\0 nonce)).
Rotating K (the Worker secret) voids every entry's seal and every key's secret: export with the old K, then import
that file with the new K (it replaces the entries that do not verify with it, and gives every key a new secret to
re-issue; export leaves out disabled and expired keys, and keys' expiries).`;
}

function commandHelp(cmd) {
  const opts = [...cmd.options.map((o) => `[--${o}]`), "[--deployment FILE]", "[--key-secret-env NAME | --key-secret-file PATH]"].join(" ");
  const k = { write: "It writes entries: K is required, to seal them.", derive: "It derives a secret: K is required." }[cmd.key] ??
    (["key revoke", "role rm", "idp rm"].includes(cmd.words.join(" ")) ? "It writes no entry: K is not needed." : "It reads entries: their seals are verified with K when it is given.");
  return `Usage: ./scripts/registry [target] ${[...cmd.words, ...cmd.args].join(" ")} ${opts}\n\n${cmd.help}\n\n` +
    `${TARGET_HELP}\n\n${DEPLOYMENT_HELP}\n\n${KEY_SECRET_HELP}\n${k}`;
}

// ---- commands ----

function readFileText(file, what = file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`${what}: cannot read it (${e.code ?? e.message})`);
  }
}

const readFileJson = (file, what = file) => parseJson(readFileText(file, what), what);

async function must(key, getter) {
  const v = await getter;
  if (v === null) throw new Error(`${key}: no such ${key.startsWith("v1/key/") ? "key" : key.startsWith("v1/role/") ? "role" : key.startsWith("v1/idp/") ? "identity provider" : "account"}`);
  return v;
}

async function accountPut({ reg, args: [name], opts, note }) {
  if (!opts.file) throw new UsageError("account put needs --file entry.json");
  const entry = readFileJson(opts.file);
  await reg.writeAccount(name, entry, { force: opts.force });
  note(`wrote ${accountKey(name)}`);
}

async function accountGet({ reg, args: [name], out }) {
  out(pretty(await must(accountKey(name), reg.account(name))));
}

async function accountList({ reg, opts, out, note }) {
  if (opts.json) {
    const idx = await reg.readIndex();
    if (idx?.pages) note(`${INDEX_KEY}: paged, ${idx.pages} page(s) (${INDEX_PAGE_PREFIX}N), printed merged`);
    out(pretty({ accounts: idx?.accounts ?? {} }));
    return;
  }
  for (const name of await reg.accountNames()) out(name);
}

async function accountRm({ reg, args: [name], opts, note }) {
  await reg.removeAccount(name, { force: opts.force });
  note(`removed ${accountKey(name)}`);
}

async function repoAdd({ reg, args: [account, repo], opts, note }) {
  if (opts.backend === undefined) throw new UsageError("repo add needs --backend NAME");
  if (opts.prefix === undefined) throw new UsageError("repo add needs --prefix P ('' for the whole bucket)");
  const entry = await reg.account(account);
  if (!entry) throw new Error(`${accountKey(account)}: no such account (backend put ${account} NAME --file … creates it with a backend)`);
  if (isFlat(entry)) throw new Error(`${accountKey(account)}: is a flat bucket, which has no repositories`);
  if (entry.repositories?.[repo] !== undefined && !opts.replace)
    throw new Error(`${accountKey(account)}: repositories.${repo}: already exists (--replace to replace it)`);
  const def = { backend: opts.backend, prefix: opts.prefix };
  if (opts.public) def.public = true;
  if (opts["read-only"]) def.read_only = true;
  if (opts.cache) def.cache = { enabled: true };
  entry.repositories = { ...entry.repositories, [repo]: def };
  await reg.writeAccount(account, entry);
  note(`wrote ${accountKey(account)}: repositories.${repo}`);
}

async function repoRm({ reg, args: [account, repo], opts, note }) {
  const entry = await must(accountKey(account), reg.account(account));
  if (isFlat(entry) || entry.repositories?.[repo] === undefined) throw new Error(`${accountKey(account)}: repositories.${repo}: no such repository`);
  const backend = entry.repositories[repo]?.backend;
  delete entry.repositories[repo];
  // The entry embeds only the backends its repositories use: the one this repository was the last to use goes.
  const pruned = typeof backend === "string" && !backendsUsed(entry).has(backend) && entry.backends && Object.hasOwn(entry.backends, backend);
  if (pruned) delete entry.backends[backend];
  await reg.writeAccount(account, entry, { force: opts.force });
  note(`wrote ${accountKey(account)}: repositories.${repo} removed` +
    (pruned ? `, and backends.${backend} (no repository uses it any more)` : ""));
}

async function backendPut({ reg, args: [account, name], opts, note }) {
  if (!opts.file) throw new UsageError("backend put needs --file backend.json");
  const def = readFileJson(opts.file);
  const entry = (await reg.account(account)) ?? (note(`${accountKey(account)}: new account (no repository yet)`), { repositories: {}, backends: {} });
  entry.backends = { ...(entry.backends ?? {}), [name]: def };
  await reg.writeAccount(account, entry);
  note(`wrote ${accountKey(account)}: backends.${name}`);
}

async function backendRm({ reg, args: [account, name], note }) {
  const entry = await must(accountKey(account), reg.account(account));
  if (!entry.backends || !Object.hasOwn(entry.backends, name)) throw new Error(`${accountKey(account)}: backends.${name}: no such backend`);
  if (backendsUsed(entry).has(name)) throw new Error(`${accountKey(account)}: backends.${name}: a repository uses it`);
  delete entry.backends[name];
  await reg.writeAccount(account, entry);
  note(`wrote ${accountKey(account)}: backends.${name} removed`);
}

// K was read before the command ran (main): nothing is written without it, and a key whose secret was never shown
// is no use.
async function keyCreate({ reg, k, args: [id], opts, out, note }) {
  const scopes = (opts.multiple.scope ?? []).map(parseScope);
  if (!scopes.length) throw new UsageError("key create needs at least one --scope account/repo[/prefix]:actions");
  if (await reg.store.get(keyKey(id))) throw new Error(`${keyKey(id)}: already exists (key rotate ${id} gives it a new secret)`);
  // A fresh nonce: an id that was revoked and is created again does not get its old secret back.
  const entry = { scopes, generation: 1, nonce: newNonce() };
  if (opts.expires !== undefined) {
    const t = parseIsoUtc(opts.expires);
    if (t === null) throw new Error(`${keyKey(id)}: expires: must be an ISO 8601 UTC time such as 2027-01-31T00:00:00Z`);
    if (t <= Date.now()) throw new Error(`${keyKey(id)}: expires: ${opts.expires} is in the past`);
    entry.expires = opts.expires;
  }
  await reg.writeKey(id, entry);
  note(`wrote ${keyKey(id)} (generation 1). Its secret, shown this once (stored nowhere; key secret ${id} derives it again from K):`);
  out(deriveSecret(k, id, entry.generation, entry.nonce));
}

async function keyRotate({ reg, k, args: [id], out, note }) {
  const entry = await must(keyKey(id), reg.key(id));
  entry.generation = (Number.isSafeInteger(entry.generation) ? entry.generation : 0) + 1;
  entry.nonce = newNonce();
  await reg.writeKey(id, entry);
  note(`wrote ${keyKey(id)} (generation ${entry.generation}, a new nonce; the previous secret no longer works). New secret:`);
  out(deriveSecret(k, id, entry.generation, entry.nonce));
}

async function keySetDisabled({ reg, args: [id], note }, disabled) {
  const entry = await must(keyKey(id), reg.key(id));
  if (disabled) entry.disabled = true;
  else delete entry.disabled;
  await reg.writeKey(id, entry, { shapeOnly: disabled });
  note(`wrote ${keyKey(id)}: ${disabled ? "disabled" : "enabled"}`);
}

async function keyRevoke({ reg, args: [id], note }) {
  await reg.removeKey(id);
  note(`removed ${keyKey(id)}`);
}

async function keyList({ reg, opts, out }) {
  const keys = await reg.keys();
  if (opts.json) {
    out(pretty(Object.fromEntries(keys)));
    return;
  }
  const now = Date.now();
  for (const [id, e] of keys) {
    const t = e?.expires === undefined ? null : parseIsoUtc(e.expires);
    const flags = [`generation=${e?.generation}`];
    if (e?.disabled) flags.push("disabled");
    if (e?.expires !== undefined) flags.push(`expires=${e.expires}${t !== null && t <= now ? " (expired)" : ""}`);
    const scopes = Array.isArray(e?.scopes) ? e.scopes.map(formatScope).join(" ") : "";
    out(`${id}\t${flags.join(" ")}\t${scopes}`);
  }
}

async function keyShow({ reg, args: [id], out }) {
  out(pretty(await must(keyKey(id), reg.key(id))));
}

async function keySecret({ reg, k, args: [id], out }) {
  const entry = await must(keyKey(id), reg.key(id)); // its seal verified with K
  const shape = keyShapeErrors(entry).filter((e) => /^(generation|nonce): /.test(e));
  if (shape.length) throw new Error(`${keyKey(id)}: ${shape[0]}`);
  out(deriveSecret(k, id, entry.generation, entry.nonce));
}

function roleName(name) {
  if (!ROLE_NAME_RE.test(name)) throw new UsageError(`role ${name}: role names are 1-64 of A-Z a-z 0-9 _ + = , . @ -`);
  return name;
}

async function rolePut({ reg, args: [name], opts, note }) {
  roleName(name);
  let entry;
  if (opts.file) {
    if (opts.multiple.scope || opts.multiple.trust || opts["max-session-s"] !== undefined)
      throw new UsageError("role put: --file, or --scope/--trust/--max-session-s, not both");
    entry = readFileJson(opts.file);
  } else {
    const trusted = opts.multiple.trust ?? [];
    if (!trusted.length) throw new UsageError("role put needs at least one --trust KEYID (a key that may assume it)");
    entry = { scopes: (opts.multiple.scope ?? []).map(parseScope), trusted_keys: [...new Set(trusted)] };
    if (opts["max-session-s"] !== undefined) {
      const n = Number(opts["max-session-s"]);
      if (!/^[0-9]+$/.test(opts["max-session-s"]) || !Number.isSafeInteger(n))
        throw new Error(`${roleKey(name)}: max_session_s: must be an integer in 900..43200`);
      entry.max_session_s = n;
    }
  }
  await reg.writeRole(name, entry);
  note(`wrote ${roleKey(name)}`);
}

function idpName(name) {
  if (!IDP_NAME_RE.test(name)) throw new UsageError(`idp ${name}: provider names are 1-64 of A-Z a-z 0-9 _ . -`);
  return name;
}

async function idpPut({ reg, args: [name], opts, note }) {
  idpName(name);
  let entry;
  if (opts.file) {
    if (opts.issuer !== undefined || opts.multiple.audience || opts["jwks-url"] !== undefined)
      throw new UsageError("idp put: --file, or --issuer/--audience/--jwks-url, not both");
    entry = readFileJson(opts.file);
  } else {
    entry = { issuer: opts.issuer, audiences: [...new Set(opts.multiple.audience ?? [])], jwks_url: opts["jwks-url"] };
  }
  await reg.writeIdp(name, entry);
  note(`wrote ${idpKey(name)}`);
}

async function idpGet({ reg, args: [name], out }) {
  out(pretty(await must(idpKey(idpName(name)), reg.idp(name))));
}

async function idpRm({ reg, args: [name], note }) {
  await reg.removeIdp(idpName(name));
  note(`removed ${idpKey(name)}`);
}

async function roleGet({ reg, args: [name], out }) {
  out(pretty(await must(roleKey(roleName(name)), reg.role(name))));
}

async function roleList({ reg, opts, out }) {
  const roles = await reg.roles();
  if (opts.json) {
    out(pretty(Object.fromEntries(roles)));
    return;
  }
  for (const [name, e] of roles) {
    const flags = [`max_session_s=${e?.max_session_s ?? 3600}`];
    if (e?.disabled) flags.push("disabled");
    const trusted = Array.isArray(e?.trusted_keys) ? e.trusted_keys.join(",") : "";
    const scopes = Array.isArray(e?.scopes) ? e.scopes.map(formatScope).join(" ") : "";
    out(`${name}\t${flags.join(" ")}\ttrust=${trusted}\t${scopes}`);
  }
}

async function roleRm({ reg, args: [name], note }) {
  await reg.removeRole(roleName(name));
  note(`removed ${roleKey(name)}`);
}

async function roleSetDisabled({ reg, args: [name], note }, disabled) {
  const entry = await must(roleKey(roleName(name)), reg.role(name));
  if (disabled) entry.disabled = true;
  else delete entry.disabled;
  await reg.writeRole(name, entry, { shapeOnly: disabled });
  note(`wrote ${roleKey(name)}: ${disabled ? "disabled" : "enabled"}`);
}

async function importConfig({ reg, k, args: [file], opts, out, note, warn }) {
  const cfg = readFileJson(file);
  let parts;
  try {
    parts = entriesFromConfig(cfg);
  } catch (e) {
    throw new Error(`${file}: ${e.message}`);
  }
  const { accounts, ignored, unknown, unusedBackends: unused, kept } = parts;
  const keys = opts["skip-keys"] ? new Map() : parts.keys;
  const roles = parts.roles;
  for (const name of roles.keys())
    if (!ROLE_NAME_RE.test(name)) throw new Error(`${file}: roles.${name}: role names are 1-64 of A-Z a-z 0-9 _ + = , . @ -`);
  // Backends naming Worker secrets stay in S3P_CONFIG: the entries name them. They are checked against the
  // deployment's (--deployment), which must define them, or else against this file's own.
  if (kept.size) {
    const d = reg.validator.deployment;
    const names = [...kept.keys()];
    const secrets = [...new Set([...kept.values()].flat())];
    const they = names.length === 1 ? ["it", "s"] : ["they", ""];
    warn(`${file}: backends ${names.join(", ")}: name${they[1]} Worker secrets (${secrets.join(", ")}), which the proxy cannot use ` +
      `from a registry entry: not embedded into the account entries, which name ${they[0] === "it" ? "it" : "them"}; ` +
      `${they[0]} must stay in S3P_CONFIG's backends. ` +
      (d ? `Checked against ${d.label}.` : `Checked against ${file} itself; later changes to these accounts are validated with ` +
        `--deployment FILE (S3P_CONFIG, or this file)`));
    if (d) {
      const absent = names.filter((b) => !d.hasBackend(b));
      if (absent.length)
        throw new Error(`nothing written: ${file}: backends ${absent.join(", ")}: stay${absent.length === 1 ? "s" : ""} in S3P_CONFIG (Worker secrets), ` +
          `but ${d.label} defines no backend of that name`);
      for (const b of names)
        if (!sameJson(d.rawBackends[b], cfg.backends[b]))
          warn(`${file}: backends.${b}: differs from ${d.label}'s backends.${b}, which is the one the entries will use`);
    } else {
      reg.validator = reg.validator.withDeployment(Deployment.fromImport(cfg, file, names));
    }
  }
  // Everything is checked before anything is written.
  const errors = [];
  const webIdentity = [];
  for (const [name, entry] of accounts) {
    try {
      const v = reg.validator.account(name, entry);
      v.warnings.forEach((w) => warn(w));
      if (v.webIdentity) webIdentity.push(name);
    } catch (e) {
      if (!(e instanceof EntryError)) throw e;
      errors.push(e.configError ? `${file}: ${e.configError}  (entry ${e.message})` : `${file}: ${e.message}`);
    }
  }
  const existingKeys = new Map();
  // An entry already there that does not verify (written without K, or sealed with a previous K) is replaced like a
  // missing one: the proxy refuses it as it is.
  const replacing = "replaced by the entry written";
  for (const [id, kk] of keys) {
    const existing = await reg.readForReplace(keyKey(id), replacing);
    if (existing) existingKeys.set(id, existing);
    const entry = existing ? { ...existing, scopes: kk.scopes } : { scopes: kk.scopes, generation: 1, nonce: newNonce() };
    if (!existing) kk.entry = entry; // written as checked (its nonce made once)
    try {
      await reg.validateKey(id, entry, accounts);
    } catch (e) {
      if (!(e instanceof EntryError)) throw e;
      errors.push(e.configError ? `${file}: ${e.configError}  (entry ${e.message})` : `${file}: ${e.message}`);
    }
  }
  for (const [name, entry] of roles) {
    try {
      await reg.validateRole(name, entry, accounts, new Set(keys.keys()));
    } catch (e) {
      if (!(e instanceof EntryError)) throw e;
      errors.push(e.configError ? `${file}: ${e.configError}  (entry ${e.message})` : `${file}: ${e.message}`);
    }
  }
  if (errors.length) throw new Error(`nothing written:\n${errors.join("\n")}`);
  // Keys already in the registry that the imported accounts would break.
  const changed = new Map();
  for (const [name, entry] of accounts)
    if (Registry.removesNames(await reg.readForReplace(accountKey(name), replacing), entry)) changed.set(name, entry);
  if (changed.size) {
    const broken = await reg.keysBrokenBy(changed, new Set(keys.keys()));
    if (broken.length && !opts.force)
      throw new Error(`nothing written: the import takes away what these keys' scopes name:\n${broken.map((e) => `  ${e.message}`).join("\n")}\n` +
        "change or revoke them first, or pass --force");
  }
  if (ignored.length) note(`${file}: ${ignored.join(", ")}: deployment settings, not imported (they stay in S3P_CONFIG)`);
  if (unknown.length) warn(`${file}: ${unknown.join(", ")}: not S3P_CONFIG fields, not imported`);
  if (webIdentity.length) note(FEDERATION_NOTE(webIdentity));
  if (unused.length) warn(`${file}: backends ${unused.join(", ")}: no account uses them, not imported`);
  for (const [name, entry] of accounts) await reg.writeAccount(name, entry, { force: true, index: false });
  // The index once for all of them (a paged index: only the pages they fall in).
  await reg.updateIndexEntries(new Map([...accounts].map(([name, entry]) => [name, { public: isPublic(entry) }])));
  note(`wrote ${accounts.size} account(s) and the account index`);
  for (const [name, entry] of roles) await reg.writeRole(name, entry);
  if (roles.size) note(`wrote ${roles.size} role(s) (the "sts" section, its session key, stays in S3P_CONFIG)`);
  if (opts["skip-keys"]) {
    if (parts.keys.size) note(`--skip-keys: ${parts.keys.size} access key(s) not imported`);
    return;
  }
  const fresh = [];
  for (const [id, kk] of keys) {
    const existing = existingKeys.get(id);
    const entry = existing ? { ...existing, scopes: kk.scopes } : kk.entry;
    await reg.writeKey(id, entry);
    if (existing) note(`${keyKey(id)}: already in the registry: scopes replaced, generation ${existing.generation} kept (its secret is unchanged)`);
    else fresh.push(id);
  }
  if (fresh.length) {
    note(`${fresh.length} access key(s) imported with generation 1 and a fresh nonce. Their secrets are NEW (derived from K; ` +
      "the Worker secrets that held the old ones no longer apply): hand each to its key's holder. Printed once, as ID<TAB>SECRET:");
    for (const id of fresh) out(`${id}\t${deriveSecret(k, id, 1, keys.get(id).entry.nonce)}`);
  }
}

async function exportConfig({ reg, out, note, warn }) {
  const d = reg.validator.deployment;
  const { config, renamed, skipped, expiryDropped, missing } =
    configFromEntries(await reg.accounts(), await reg.keys(), { shared: d?.rawBackends, roles: await reg.roles() });
  for (const r of renamed)
    note(`backends.${r.as}: ${accountKey(r.account)}'s backend "${r.backend}" differs from ${d?.hasBackend(r.backend) ? `${d.label}'s` : "another account's"} of that name`);
  for (const [b, where] of missing)
    warn(`backends.${b}: named by ${where.join(", ")}, defined in no entry` +
      (d ? ` nor in ${d.label}: the proxy refuses those entries` : ": it is S3P_CONFIG's; --deployment FILE merges the deployment's backends"));
  for (const s of skipped) note(`access_keys.${s.id}: left out (${s.why})`);
  for (const e of expiryDropped) note(`access_keys.${e.id}: its expiry (${e.expires}) cannot be expressed in S3P_CONFIG and is dropped`);
  if (config.access_keys) note(`access_keys: each names the Worker secret <ID>_SECRET, a placeholder (the registry stores no secret)`);
  if (config.roles) note(`roles: S3P_CONFIG needs an "sts" section (its session_key_secret) beside them`);
  out(pretty(config));
}

async function validate({ reg, k, noKey, opts, out, warn }) {
  if (opts.file) {
    // The entry's JSON, or a value as stored (sealed: its seal is checked too, against the name --as gives).
    let text = readFileText(opts.file);
    let sealed = "";
    if (splitSealed(text)) {
      if (!opts.as) throw new UsageError(`${opts.file} holds a sealed value, whose seal covers its KV key: --as KEY names it`);
      let verified;
      try {
        ({ body: text, verified } = unseal(k, opts.as, text));
      } catch (e) {
        if (e instanceof SealError) throw new Error(`${opts.file}: ${e.message}`);
        throw e;
      }
      if (verified) sealed = ", sealed by K";
      else {
        warn(UNCHECKED_NOTE(noKey));
        sealed = " (its seal not checked: no K)";
      }
    }
    const entry = parseJson(text, opts.file);
    let kind, name;
    if (opts.as) {
      const m = /^v1\/(account|key|role)\/(.+)$/.exec(opts.as);
      if (m) [kind, name] = [m[1], m[2]];
      else if (opts.as === INDEX_KEY) kind = "index";
      else if (indexPageNumber(opts.as) !== null) [kind, name] = ["page", opts.as];
      else throw new UsageError(`--as ${opts.as}: expected v1/account/NAME, v1/key/ID, v1/role/NAME, ${INDEX_KEY} or ${INDEX_PAGE_PREFIX}N`);
    } else if (entry && typeof entry === "object" && "trusted_keys" in entry) [kind, name] = ["role", "file-entry"];
    else if (entry && typeof entry === "object" && ("scopes" in entry || "generation" in entry)) [kind, name] = ["key", "FILE_ENTRY"];
    else if (entry && typeof entry === "object" && ("accounts" in entry || "pages" in entry) && !("backends" in entry)) kind = "index";
    else [kind, name] = ["account", "file-entry"];
    const label = (e) => (opts.as ? e.message : `${opts.file}: ${e.detail}`);
    try {
      let warnings = [];
      if (kind === "account") {
        let webIdentity;
        ({ warnings, webIdentity } = reg.validator.account(name, entry));
        if (webIdentity) warn(FEDERATION_NOTE([name]));
      }
      else if (kind === "key") ({ warnings } = reg.validator.key(name, entry, await reg.accountsFor(entry)));
      else if (kind === "role") ({ warnings } = reg.validator.role(name, entry, await reg.accountsFor(entry), { keys: new Set(await reg.keyIds()) }));
      else if (kind === "page") {
        // Its range is the one the target's head gives it (when the head names it).
        let range = null;
        const head = await reg.readJson(INDEX_KEY).catch(() => null);
        const i = isPagedIndex(head) && Array.isArray(head.pages) ? head.pages.findIndex((p) => p?.entry === name) : -1;
        if (i >= 0 && !indexShapeErrors(head).length) range = indexPageRange(head, i);
        else warnings.push(`${name}: ${INDEX_KEY} in the target does not name this page: its range is not checked`);
        const shape = indexPageShapeErrors(entry, range);
        if (shape.length) throw new EntryError(name, shape[0]);
      } else {
        const shape = indexShapeErrors(entry);
        if (shape.length) throw new EntryError(INDEX_KEY, shape[0]);
      }
      warnings.forEach((w) => warn(w));
    } catch (e) {
      if (e instanceof EntryError) throw new Error(label(e));
      throw e;
    }
    const what = { index: isPagedIndex(entry) ? "account index (paged)" : "account index", page: "account index page" }[kind] ?? `${kind} entry`;
    out(`ok: ${opts.file} is a valid ${what}${sealed}`);
    return;
  }
  const { errors, warnings, counts } = await reg.validateAll();
  warnings.forEach((w) => warn(w));
  if (errors.length) {
    const e = new Error(`${errors.length} error(s):\n${errors.join("\n")}`);
    e.plain = true;
    throw e;
  }
  const seals = k === null ? "seals NOT checked (no deployment key K)" : "sealed by K";
  const paged = counts.indexPages ? ` (paged: ${counts.indexPages} page(s))` : "";
  const roles = counts.roles ? `, ${counts.roles} role(s)` : "";
  out(`ok: ${counts.accounts} account(s), ${counts.keys} key(s)${roles}, ${INDEX_KEY} in step${paged}, ${seals} (${reg.store.describe()})`);
}

async function indexRebuild({ reg, note }) {
  const idx = await reg.rebuildIndex();
  note(`wrote ${INDEX_KEY}: ${Object.keys(idx.accounts).length} account(s)` + (idx.pages ? ` in ${idx.pages} page(s) (${INDEX_PAGE_PREFIX}N)` : ""));
}

// ---- main ----

export async function main(argv, { stdout = process.stdout, stderr = process.stderr, env = process.env } = {}) {
  const out = (s) => stdout.write(`${s}\n`);
  const note = (s) => stderr.write(`${s}\n`);
  const warned = new Set();
  const warn = (s) => warned.has(s) || (warned.add(s), stderr.write(`warning: ${s}\n`));
  let p;
  try {
    p = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    note(`error: ${e.message}\n(./scripts/registry --help lists the commands)`);
    return 2;
  }
  if (!p.cmd) {
    const group = p.words.length ? COMMANDS.filter((c) => c.words[0] === p.words[0]) : [];
    if (group.length && (p.help || p.words.length === 1)) {
      const width = Math.max(...group.map((c) => [...c.words, ...c.args].join(" ").length));
      (p.help ? out : note)(`Usage: ./scripts/registry [target] ${p.words[0]} SUBCOMMAND …\n\n` +
        group.map((c) => `  ${[...c.words, ...c.args].join(" ").padEnd(width)}   ${c.summary}`).join("\n") +
        `\n\n(${p.words[0]} SUBCOMMAND --help for its options)`);
      return p.help ? 0 : 2;
    }
    if (p.help || !p.words.length) {
      (p.help ? out : note)(usage());
      return p.help ? 0 : 2;
    }
    note(`error: unknown command "${p.words.join(" ")}"\n(./scripts/registry --help lists the commands)`);
    return 2;
  }
  const { cmd, args, opts } = p;
  if (p.help) {
    out(commandHelp(cmd));
    return 0;
  }
  try {
    if (args.length !== cmd.args.length)
      throw new UsageError(`${cmd.words.join(" ")} takes ${cmd.args.length ? cmd.args.join(" ") : "no argument"}` +
        (args.length > cmd.args.length ? ` (extra: ${args.slice(cmd.args.length).join(" ")})` : ""));
    for (const o of [...Object.keys(opts).filter((o) => o !== "multiple"), ...Object.keys(opts.multiple)])
      if (!GLOBAL_OPTIONS.includes(o) && !cmd.options.includes(o)) throw new UsageError(`${cmd.words.join(" ")} does not take --${o}`);
    if (opts["namespace-id"] !== undefined && opts.local !== undefined) throw new UsageError("--local and --namespace-id exclude each other");
    if (opts["dry-run"] && opts["namespace-id"] === undefined) throw new UsageError("--dry-run goes with --namespace-id");
    if (opts["namespace-id"] === "") throw new UsageError("--namespace-id needs an id");
    if (opts.deployment === "") throw new UsageError("--deployment needs a file");
  } catch (e) {
    note(`error: ${e.message}\n(./scripts/registry ${cmd.words.join(" ")} --help)`);
    return 2;
  }
  let deployment = null;
  if (opts.deployment !== undefined) {
    try {
      deployment = Deployment.load(opts.deployment);
    } catch (e) {
      note(`error: ${e.message}`);
      return 1;
    }
  }
  // The deployment key K: required by the commands that write (it seals what they write) or derive a secret, read
  // before anything else happens; optional for the others (they verify the seals of what they read with it).
  let k;
  const name = cmd.words.join(" ");
  try {
    k = readDeploymentKey({
      env, envName: opts["key-secret-env"], file: opts["key-secret-file"], optional: !cmd.key,
      need: cmd.key === "write"
        ? `by ${name}: every entry written is sealed with it (the proxy refuses an entry K did not seal)` +
          (name === "key create" || name === "key rotate" || name === "import" ? ", and it derives the access key secrets printed" : "")
        : `by ${name} to derive access key secrets`,
    });
  } catch (e) {
    note(`error: ${e.message}`);
    return 1;
  }
  const noKey = `${DEFAULT_KEY_ENV} is not set; --key-secret-env NAME or --key-secret-file PATH gives K`;
  let pageSize;
  try {
    pageSize = indexPageSize(env);
  } catch (e) {
    note(`error: ${e.message}`);
    return 1;
  }
  const store = new CachedStore(opts["namespace-id"] !== undefined
    ? new WranglerStore(opts["namespace-id"], { dryRun: !!opts["dry-run"], print: out, env })
    : new LocalStore(p.localDir ?? DEFAULT_LOCAL_DIR));
  const reg = new Registry(store, new Validator(undefined, { deployment }), { warn, k, noKey, pageSize });
  try {
    await cmd.run({ reg, k, noKey, args, opts, out, note, warn });
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      note(`error: ${e.message}\n(./scripts/registry ${cmd.words.join(" ")} --help)`);
      return 2;
    }
    note(`error: ${e.message}`);
    if (!deployment && /: unknown backend "/.test(e.message))
      note("(a backend that S3P_CONFIG defines, not the entry? --deployment FILE shows the deployment's backends to this CLI)");
    if (process.env.S3P_REGISTRY_DEBUG) note(e.stack);
    return 1;
  } finally {
    await store.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}

export { ROOT };
