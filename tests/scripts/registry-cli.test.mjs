// ./scripts/registry, the namespace registry's CLI: round trips through Miniflare's persisted KV, the derived key
// secrets and the values' seals (both checked against HMACs computed here), import/export of config/demo.json,
// validation by the core's rules (dist/core.wasm), a Worker reading what the CLI wrote, and the wrangler command
// lines of --namespace-id. Each test has its own temp directory.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { opened, sealed, withKv } from "./lib/registry_kv.mjs";
import { parseArgs } from "../../scripts/lib/registry/cli.mjs";
import { WranglerStore } from "../../scripts/lib/registry/store.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CLI = path.join(ROOT, "scripts/registry");
const K = "test deployment key: 0123456789abcdefghijklmnopqrstuvwxyz"; // >= 32 bytes
const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false", XDG_CONFIG_HOME: path.join(ROOT, ".state/xdg"), WRANGLER_LOG_PATH: path.join(ROOT, ".state/wrangler-logs"),
};

// The secret the layout defines, computed independently of the CLI.
const expectedSecret = (k, id, generation, nonce) => {
  assert.match(nonce, /^[A-Za-z0-9_-]{22,128}$/, "a nonce of 16+ random bytes in base64url");
  return crypto.createHmac("sha256", Buffer.from(k, "utf8"))
    .update(Buffer.from(`s3-edge-proxy access key secret v1\0${id}\0${generation}\0${nonce}`, "utf8")).digest("base64url");
};


const tempDirs = [];
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-registry-test-"));
  tempDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

// Runs the CLI; `target` defaults to --local <dir>/kv. Returns { code, stdout, stderr }.
function makeCli(dir, { env = {}, target } = {}) {
  const tgt = target ?? ["--local", path.join(dir, "kv")];
  return (...args) => {
    const r = spawnSync(CLI, [...tgt, ...args], {
      cwd: dir, encoding: "utf8", env: { ...process.env, REGISTRY_KEY: K, ...env }, timeout: 120_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}
const ok = (r) => {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
};
const json = (r) => JSON.parse(ok(r).stdout);

function writeJson(dir, name, value) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

function demoConfig() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "config/demo.json"), "utf8").replaceAll("${EMULATOR}", "http://127.0.0.1:9000"));
}

// The demo's deployment as a registry serves it (./scripts/run, the e2e-registry stage): S3P_CONFIG without its
// accounts, with a registry section; the backends stay.
function demoDeployment() {
  const d = demoConfig();
  delete d.accounts;
  d.registry = { kv_binding: "REGISTRY", key_secret: "DEMO_REGISTRY_KEY" };
  return d;
}

const INDEX = "v1/index/accounts";
const BACKEND = { endpoint: "http://127.0.0.1:9000", bucket: "data", region: "us-east-1", timeout_ms: 5000 };
const SIGNED = { ...BACKEND, auth: { type: "static", access_key_id_secret: "B_KEY_ID", secret_access_key_secret: "B_SECRET" } };

// Every file under dir, concatenated (values, sqlite pages, WAL) — what a `grep -r` would search.
function allBytes(dir) {
  const parts = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) parts.push(fs.readFileSync(path.join(e.parentPath ?? e.path, e.name)));
  return Buffer.concat(parts);
}

describe("./scripts/registry", () => {
  it("repo add, then account get shows it; backends, the index and repo rm follow", () => {
    const dir = tempDir();
    const cli = makeCli(dir);
    ok(cli("backend", "put", "acme", "main", "--file", writeJson(dir, "main.json", SIGNED)));
    ok(cli("repo", "add", "acme", "climate", "--backend", "main", "--prefix", "datasets/climate/", "--public", "--read-only", "--cache"));
    ok(cli("repo", "add", "acme", "private", "--backend", "main", "--prefix", "private/"));
    assert.deepEqual(json(cli("account", "get", "acme")), {
      repositories: {
        climate: { backend: "main", prefix: "datasets/climate/", public: true, read_only: true, cache: { enabled: true } },
        private: { backend: "main", prefix: "private/" },
      },
      backends: { main: SIGNED },
    });
    assert.deepEqual(json(cli("account", "list", "--json")), { accounts: { acme: { public: true } } });
    // A second account, private; the list is sorted.
    ok(cli("account", "put", "beta-lab", "--file", writeJson(dir, "beta.json",
      { repositories: { r: { backend: "b", prefix: "" } }, backends: { b: BACKEND } })));
    assert.equal(ok(cli("account", "list")).stdout, "acme\nbeta-lab\n");
    assert.deepEqual(json(cli("account", "list", "--json")), { accounts: { acme: { public: true }, "beta-lab": { public: false } } });
    // Adding a repository of an existing name is refused without --replace.
    const again = cli("repo", "add", "acme", "climate", "--backend", "main", "--prefix", "x/");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /v1\/account\/acme: repositories\.climate: already exists/);
    // Removing the public repository makes the account private in the index.
    ok(cli("repo", "rm", "acme", "climate"));
    assert.deepEqual(json(cli("account", "get", "acme")).repositories, { private: { backend: "main", prefix: "private/" } });
    assert.deepEqual(json(cli("account", "list", "--json")).accounts.acme, { public: false });
    // The last repository using a backend takes it along.
    ok(cli("repo", "rm", "acme", "private"));
    assert.deepEqual(json(cli("account", "get", "acme")), { repositories: {}, backends: {} });
    ok(cli("account", "rm", "acme"));
    assert.equal(ok(cli("account", "list")).stdout, "beta-lab\n");
    assert.deepEqual(json(cli("account", "list", "--json")), { accounts: { "beta-lab": { public: false } } });
    const gone = cli("account", "get", "acme");
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /v1\/account\/acme: no such account/);
    assert.match(ok(cli("validate")).stdout, /^ok: 1 account\(s\), 0 key\(s\)/);
  });

  it("key create prints the secret derived from K and a fresh nonce; rotate, disable, enable, show, list, secret, revoke; no secret in KV", () => {
    const dir = tempDir();
    const cli = makeCli(dir);
    ok(cli("account", "put", "acme", "--file", writeJson(dir, "acme.json",
      { repositories: { climate: { backend: "main", prefix: "c/" }, other: { backend: "main", prefix: "o/" } }, backends: { main: BACKEND } })));
    ok(cli("account", "put", "flatb", "--file", writeJson(dir, "flat.json", { bucket: { backend: "main", prefix: "f/" }, backends: { main: BACKEND } })));

    const created = ok(cli("key", "create", "AKIDTEST0001", "--scope", "acme/climate/sub/dir:read,list",
      "--scope", "acme/*:read", "--scope", "flatb:read,write", "--expires", "2099-01-31T00:00:00Z"));
    const secret1 = created.stdout.trim();
    assert.match(created.stderr, /shown this once/);
    const shown1 = json(cli("key", "show", "AKIDTEST0001"));
    assert.deepEqual(shown1, {
      scopes: [
        { account: "acme", repository: "climate", prefix: "sub/dir", actions: ["read", "list"] },
        { account: "acme", repository: "*", actions: ["read"] },
        { account: "flatb", actions: ["read", "write"] },
      ],
      generation: 1,
      nonce: shown1.nonce,
      expires: "2099-01-31T00:00:00Z",
    });
    assert.match(shown1.nonce, /^[A-Za-z0-9_-]{22}$/, "16 random bytes");
    assert.equal(secret1, expectedSecret(K, "AKIDTEST0001", 1, shown1.nonce));
    assert.equal(secret1.length, 43);
    // No secret anywhere in the KV directory (nor K).
    const bytes = allBytes(path.join(dir, "kv"));
    assert.ok(bytes.length > 0);
    assert.equal(bytes.indexOf(secret1), -1, "the secret is not stored");
    assert.equal(bytes.indexOf(K), -1, "K is not stored");
    const grep = spawnSync("grep", ["-rF", secret1, path.join(dir, "kv")]);
    assert.equal(grep.status, 1, "grep finds no secret");

    // key secret re-derives it; another K gives another secret (and another seal: the entry does not verify with
    // it); K from a file (trailing newline trimmed).
    assert.equal(ok(cli("key", "secret", "AKIDTEST0001")).stdout.trim(), secret1);
    const k2 = `${K}-rotated`;
    const unset = cli("key", "secret", "AKIDTEST0001", "--key-secret-env", "OTHER_KEY");
    assert.equal(unset.code, 1);
    assert.match(unset.stderr, /environment variable OTHER_KEY \(--key-secret-env\) is not set/);
    const other = makeCli(dir, { env: { OTHER_KEY: k2 } })("key", "secret", "AKIDTEST0001", "--key-secret-env", "OTHER_KEY");
    assert.equal(other.code, 1);
    assert.match(other.stderr, /^error: v1\/key\/AKIDTEST0001: its seal does not verify with the deployment key K/m);
    const kFile = path.join(dir, "k.txt");
    fs.writeFileSync(kFile, `${K}\n`);
    assert.equal(ok(makeCli(dir, { env: { REGISTRY_KEY: "" } })("key", "secret", "AKIDTEST0001", "--key-secret-file", kFile)).stdout.trim(), secret1);

    // rotate: generation 2, a new nonce, a new secret.
    const rotated = ok(cli("key", "rotate", "AKIDTEST0001")).stdout.trim();
    const shown2 = json(cli("key", "show", "AKIDTEST0001"));
    assert.equal(shown2.generation, 2);
    assert.notEqual(shown2.nonce, shown1.nonce);
    assert.deepEqual({ ...shown2, generation: 1, nonce: shown1.nonce }, shown1, "only the generation and the nonce change");
    assert.equal(rotated, expectedSecret(K, "AKIDTEST0001", 2, shown2.nonce));
    assert.notEqual(rotated, secret1);
    assert.equal(ok(cli("key", "secret", "AKIDTEST0001")).stdout.trim(), rotated);

    // disable / enable: the nonce (so the secret) stays.
    ok(cli("key", "disable", "AKIDTEST0001"));
    assert.equal(json(cli("key", "show", "AKIDTEST0001")).disabled, true);
    assert.match(ok(cli("key", "list")).stdout, /^AKIDTEST0001\tgeneration=2 disabled expires=2099-01-31T00:00:00Z\tacme\/climate\/sub\/dir:read,list acme\/\*:read flatb:read,write\n$/);
    ok(cli("key", "enable", "AKIDTEST0001"));
    assert.deepEqual(json(cli("key", "show", "AKIDTEST0001")), shown2);
    assert.equal(ok(cli("key", "secret", "AKIDTEST0001")).stdout.trim(), rotated);

    // a second key; list shows both, sorted; revoke removes one.
    ok(cli("key", "create", "AKIDTEST0000", "--scope", "acme/other:read"));
    assert.deepEqual(ok(cli("key", "list")).stdout.split("\n").filter(Boolean).map((l) => l.split("\t")[0]), ["AKIDTEST0000", "AKIDTEST0001"]);
    assert.deepEqual(Object.keys(json(cli("key", "list", "--json"))), ["AKIDTEST0000", "AKIDTEST0001"]);
    ok(cli("key", "revoke", "AKIDTEST0001"));
    assert.deepEqual(ok(cli("key", "list")).stdout.split("\n").filter(Boolean).map((l) => l.split("\t")[0]), ["AKIDTEST0000"]);
    const shown = cli("key", "show", "AKIDTEST0001");
    assert.equal(shown.code, 1);
    assert.match(shown.stderr, /v1\/key\/AKIDTEST0001: no such key/);
    assert.equal(cli("key", "revoke", "AKIDTEST0001").code, 1);

    // The revoked id created again, at generation 1 again: its old secrets do not come back.
    const again = ok(cli("key", "create", "AKIDTEST0001", "--scope", "acme/other:read")).stdout.trim();
    const shown3 = json(cli("key", "show", "AKIDTEST0001"));
    assert.equal(shown3.generation, 1);
    assert.ok(![shown1.nonce, shown2.nonce].includes(shown3.nonce));
    assert.equal(again, expectedSecret(K, "AKIDTEST0001", 1, shown3.nonce));
    assert.ok(![secret1, rotated].includes(again), "a re-created id gets a new secret");
    // key revoke writes no entry: it needs no K.
    ok(makeCli(dir, { env: { REGISTRY_KEY: "" } })("key", "revoke", "AKIDTEST0001"));

    // Without K nothing is created (a key whose secret was never shown is no use); a short K is refused.
    const noK = makeCli(dir, { env: { REGISTRY_KEY: "" } })("key", "create", "AKIDTEST0002", "--scope", "acme/other:read");
    assert.equal(noK.code, 1);
    assert.match(noK.stderr, /REGISTRY_KEY is not set: .* is needed by key create: every entry written is sealed with it/);
    const shortK = makeCli(dir, { env: { REGISTRY_KEY: "too short" } })("key", "create", "AKIDTEST0002", "--scope", "acme/other:read");
    assert.equal(shortK.code, 1);
    assert.match(shortK.stderr, /at least 32 bytes/);
    assert.equal(cli("key", "show", "AKIDTEST0002").code, 1);
    // An existing key is not created again; a past expiry is refused.
    assert.match(cli("key", "create", "AKIDTEST0000", "--scope", "acme/other:read").stderr, /v1\/key\/AKIDTEST0000: already exists/);
    assert.match(cli("key", "create", "AKIDTEST0003", "--scope", "acme/other:read", "--expires", "2001-01-01T00:00:00Z").stderr,
      /v1\/key\/AKIDTEST0003: expires: 2001-01-01T00:00:00Z is in the past/);
    assert.match(ok(cli("validate")).stdout, /^ok: 2 account\(s\), 1 key\(s\), v1\/index\/accounts in step, sealed by K/);
  });

  it("import of config/demo.json (local-signed stays in S3P_CONFIG), then export with --deployment gives back its namespace (key secrets aside)", () => {
    const dir = tempDir();
    const cli = makeCli(dir);
    const deployment = writeJson(dir, "deployment.json", demoDeployment());
    const dcli = makeCli(dir, { target: ["--local", path.join(dir, "kv"), "--deployment", deployment] });
    const cfg = demoConfig();
    const imported = ok(cli("import", writeJson(dir, "demo.json", cfg)));
    // The imported key gets a fresh nonce and a new, derived secret, printed once as ID<TAB>SECRET; the note says so.
    const importedKey = json(cli("key", "show", "AKIDDEMOUSER0000001"));
    assert.equal(imported.stdout, `AKIDDEMOUSER0000001\t${expectedSecret(K, "AKIDDEMOUSER0000001", 1, importedKey.nonce)}\n`);
    assert.match(imported.stderr, /secrets are NEW/);
    assert.match(imported.stderr, /owner_id, listing_token_key_secret, federation: deployment settings, not imported/);
    // local-signed names Worker secrets (static keys), which the proxy cannot use from an entry: one warning line.
    assert.match(imported.stderr, /^warning: .*demo\.json: backends local-signed: names Worker secrets \(DEMO_BACKEND_ACCESS_KEY_ID, DEMO_BACKEND_SECRET_ACCESS_KEY\).*not embedded.*must stay in S3P_CONFIG's backends.*Checked against .*demo\.json itself.*--deployment FILE/m);
    assert.deepEqual(importedKey, { scopes: cfg.access_keys.AKIDDEMOUSER0000001.scopes, generation: 1, nonce: importedKey.nonce });
    // Each account holds the backends it uses, and only those, but for local-signed, which its entries name.
    assert.deepEqual(Object.keys(json(cli("account", "get", "geo-lab")).backends), ["local-public"]);
    const demoOrg = json(cli("account", "get", "demo-org"));
    assert.deepEqual(Object.keys(demoOrg.backends).sort(), ["local-federated", "local-public"]);
    assert.equal(demoOrg.repositories["secret-data"].backend, "local-signed");
    assert.equal(demoOrg.repositories.uploads.backend, "local-signed");
    assert.deepEqual(demoOrg.repositories, cfg.accounts["demo-org"].repositories);
    assert.deepEqual(json(cli("account", "list", "--json")), { accounts: { "demo-org": { public: true }, "geo-lab": { public: true } } });

    // Export merges the deployment's backends; without --deployment it names the one it lacks.
    const exported = json(dcli("export"));
    const namespace = { backends: cfg.backends, accounts: cfg.accounts, access_keys: cfg.access_keys };
    // Secrets aside: the export names a placeholder Worker secret per key.
    assert.equal(exported.access_keys.AKIDDEMOUSER0000001.secret_access_key_secret, "AKIDDEMOUSER0000001_SECRET");
    exported.access_keys.AKIDDEMOUSER0000001.secret_access_key_secret = cfg.access_keys.AKIDDEMOUSER0000001.secret_access_key_secret;
    assert.deepEqual(exported, namespace);
    const bare = ok(cli("export"));
    assert.deepEqual(Object.keys(JSON.parse(bare.stdout).backends).sort(), ["local-federated", "local-public"]);
    assert.match(bare.stderr, /^warning: backends\.local-signed: named by demo-org\/secret-data, demo-org\/uploads, defined in no entry: it is S3P_CONFIG's; --deployment FILE merges/m);
    // The entries validate against the deployment that defines local-signed, not without it.
    assert.match(ok(dcli("validate")).stdout, /^ok: 2 account\(s\), 1 key\(s\), v1\/index\/accounts in step/);
    const alone = cli("validate");
    assert.equal(alone.code, 1);
    assert.match(alone.stderr, /^v1\/account\/demo-org: repositories\.secret-data\.backend: unknown backend "local-signed"$/m);
    assert.match(alone.stderr, /--deployment FILE/);

    // A second import (now with --deployment) keeps the key's generation and nonce (so its secret) and prints no
    // secret; --skip-keys writes no key; import needs K.
    const rotatedSecret = ok(cli("key", "rotate", "AKIDDEMOUSER0000001")).stdout.trim();
    const again = ok(dcli("import", path.join(dir, "demo.json")));
    assert.match(again.stderr, /backends local-signed: .*Checked against --deployment .*deployment\.json\./);
    assert.doesNotMatch(again.stderr, /differs from/);
    assert.equal(again.stdout, "");
    assert.match(again.stderr, /generation 2 kept/);
    assert.equal(json(cli("key", "show", "AKIDDEMOUSER0000001")).generation, 2);
    assert.equal(ok(cli("key", "secret", "AKIDDEMOUSER0000001")).stdout.trim(), rotatedSecret);
    const fresh = makeCli(tempDir());
    const noK = fresh("import", path.join(dir, "demo.json"), "--skip-keys", "--key-secret-env", "NO_SUCH_VARIABLE");
    assert.equal(noK.code, 1);
    assert.match(noK.stderr, /environment variable NO_SUCH_VARIABLE \(--key-secret-env\) is not set: .* needed by import: every entry written is sealed/);
    assert.equal(ok(fresh("account", "list")).stdout, "");
    const skipped = ok(fresh("import", path.join(dir, "demo.json"), "--skip-keys"));
    assert.equal(skipped.stdout, "");
    assert.equal(ok(fresh("key", "list")).stdout, "");
    assert.equal(ok(fresh("account", "list")).stdout, "demo-org\ngeo-lab\n");

    // A flat bucket round-trips too.
    const flat = { backends: { b: BACKEND }, buckets: { "flat-data": { backend: "b", prefix: "f/", public: true } },
      access_keys: { AKIDFLAT: { secret_access_key_secret: "X", scopes: [{ account: "flat-data", actions: ["read"] }] } } };
    const f = makeCli(tempDir());
    ok(f("import", writeJson(dir, "flat.json", flat)));
    assert.deepEqual(json(f("account", "get", "flat-data")), { bucket: flat.buckets["flat-data"], backends: { b: BACKEND } });
    const fx = json(f("export"));
    fx.access_keys.AKIDFLAT.secret_access_key_secret = "X";
    assert.deepEqual(fx, { ...flat, accounts: {} });
  });

  it("--deployment: an entry may name S3P_CONFIG's backends, web_identity meets its federation, keys may name its accounts", () => {
    const dir = tempDir();
    const kv = path.join(dir, "kv");
    const cli = makeCli(dir);
    // The deployment as config/demo.json writes it: ${EMULATOR} placeholders are fine.
    const template = JSON.parse(fs.readFileSync(path.join(ROOT, "config/demo.json"), "utf8"));
    const depCfg = { ...template, backends: { ...template.backends, shared: SIGNED }, accounts: { "static-acct": { repositories: { x: { backend: "shared", prefix: "x/" } } } },
      registry: { key_secret: "REGISTRY_KEY" } };
    const dep = writeJson(dir, "deployment.json", depCfg);
    const dcli = makeCli(dir, { target: ["--local", kv, "--deployment", dep] });
    const refused = (r, pattern) => {
      assert.equal(r.code, 1, `expected a refusal\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    };

    // An entry naming the deployment's backend (with static keys): refused without --deployment, valid with it.
    const entry = { repositories: { r: { backend: "shared", prefix: "r/" } }, backends: {} };
    const entryFile = writeJson(dir, "acme.json", entry);
    refused(cli("account", "put", "acme", "--file", entryFile), /^error: v1\/account\/acme: repositories\.r\.backend: unknown backend "shared"$/m);
    refused(cli("validate", "--file", entryFile, "--as", "v1/account/acme"), /unknown backend "shared"/);
    assert.match(ok(dcli("validate", "--file", entryFile, "--as", "v1/account/acme")).stdout, /^ok: .* valid account entry/);
    const put = ok(dcli("account", "put", "acme", "--file", entryFile));
    assert.doesNotMatch(put.stderr, /warning/);
    assert.deepEqual(json(cli("account", "get", "acme")), entry);
    // repo add names it too; the entry's own backend of the same name would take precedence (as in the core).
    ok(dcli("repo", "add", "acme", "more", "--backend", "local-signed", "--prefix", "m/"));
    refused(dcli("repo", "add", "acme", "none", "--backend", "nowhere", "--prefix", "n/"), /repositories\.none\.backend: unknown backend "nowhere"/);
    assert.match(ok(dcli("validate")).stdout, /^ok: 1 account\(s\), 0 key\(s\)/);
    refused(cli("validate"), /^v1\/account\/acme: repositories\.more\.backend: unknown backend "local-signed"$/m);

    // web_identity: checked against the deployment's federation section (no note about it then); a deployment
    // without one refuses it, as the core does.
    const fed = { ...BACKEND, auth: { type: "web_identity", role_arn: "arn:aws:iam::123456789012:role/x", subject: "s" } };
    const fedPut = ok(dcli("backend", "put", "acme", "fed", "--file", writeJson(dir, "fed.json", fed)));
    assert.doesNotMatch(fedPut.stderr, /need the deployment's/);
    const noFed = structuredClone(depCfg);
    delete noFed.federation;
    delete noFed.backends["local-federated"];
    const noFedCli = makeCli(dir, { target: ["--local", kv, "--deployment", writeJson(dir, "nofed.json", noFed)] });
    refused(noFedCli("repo", "add", "acme", "f", "--backend", "fed", "--prefix", "f/"), /v1\/account\/acme: backends\.fed\.auth\.type: web_identity needs a "federation" section/);
    ok(dcli("repo", "add", "acme", "f", "--backend", "fed", "--prefix", "f/"));

    // A key's scopes may name the deployment's accounts (S3P_CONFIG's own take precedence) as well as the registry's.
    refused(cli("key", "create", "AKIDDEP", "--scope", "static-acct/x:read"), /v1\/key\/AKIDDEP: scopes\[0\]\.account: unknown account "static-acct"/);
    refused(dcli("key", "create", "AKIDDEP", "--scope", "static-acct/y:read"), /v1\/key\/AKIDDEP: scopes\[0\]\.repository: unknown repository "y"/);
    assert.equal(ok(dcli("key", "create", "AKIDDEP", "--scope", "static-acct/x:read", "--scope", "acme/more:read")).stdout.trim(),
      expectedSecret(K, "AKIDDEP", 1, json(cli("key", "show", "AKIDDEP")).nonce));
    // An entry for an account S3P_CONFIG names itself is shadowed: said.
    assert.match(ok(dcli("account", "put", "static-acct", "--file", entryFile)).stderr,
      /warning: v1\/account\/static-acct: --deployment .*deployment\.json names account static-acct itself; S3P_CONFIG takes precedence/);
    ok(dcli("account", "rm", "static-acct"));

    // export merges the deployment's backends as the file has them (placeholders kept).
    const exported = json(dcli("export"));
    assert.deepEqual(exported.backends.shared, SIGNED);
    assert.equal(exported.backends["local-signed"].endpoint, "${EMULATOR}");
    assert.deepEqual(exported.backends.fed, fed);
    assert.equal(exported.accounts.acme.repositories.more.backend, "local-signed");

    // An embedded backend with static keys: the proxy cannot use it (warned); a broken deployment: refused once,
    // naming the file and the field, nothing written.
    assert.match(ok(dcli("backend", "put", "acme", "signed", "--file", writeJson(dir, "signed.json", SIGNED))).stderr,
      /warning: v1\/account\/acme: backends\.signed: names Worker secrets \(B_KEY_ID, B_SECRET\), which the proxy cannot use from a registry entry/);
    ok(dcli("backend", "rm", "acme", "signed"));
    const broken = structuredClone(depCfg);
    broken.backends.shared.endpoint = "ftp://host";
    const brokenCli = makeCli(dir, { target: ["--local", kv, "--deployment", writeJson(dir, "broken.json", broken)] });
    const b = brokenCli("validate");
    assert.equal(b.code, 1);
    assert.match(b.stderr, /^error: --deployment .*broken\.json: backends\.shared\.endpoint: must be http\(s\):\/\/host\[:port\]\n$/);
    refused(brokenCli("repo", "add", "acme", "z", "--backend", "shared", "--prefix", "z/"), /--deployment .*broken\.json: backends\.shared\.endpoint/);
    assert.equal(json(cli("account", "get", "acme")).repositories.z, undefined);
    refused(makeCli(dir, { target: ["--local", kv, "--deployment", path.join(dir, "none.json")] })("account", "list"), /--deployment .*none\.json: cannot read it/);

    // import with --deployment: the backends that stay in S3P_CONFIG must be the deployment's.
    const lacking = structuredClone(noFed);
    delete lacking.backends["local-signed"];
    const imp = makeCli(dir, { target: ["--local", path.join(dir, "kv2"), "--deployment", writeJson(dir, "lacking.json", lacking)] })(
      "import", writeJson(dir, "demo.json", demoConfig()), "--skip-keys");
    refused(imp, /nothing written: .*demo\.json: backends local-signed: stays in S3P_CONFIG \(Worker secrets\), but --deployment .*lacking\.json defines no backend of that name/);
    assert.equal(fs.existsSync(path.join(dir, "kv2")), false);
  });

  it("validation errors name the entry and the field, and refuse the write", () => {
    const dir = tempDir();
    const cli = makeCli(dir);
    const good = { repositories: { climate: { backend: "main", prefix: "c/" } }, backends: { main: BACKEND } };
    ok(cli("account", "put", "acme", "--file", writeJson(dir, "good.json", good)));

    const refused = (r, pattern) => {
      assert.equal(r.code, 1, `expected a refusal\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    };
    // The core's own rules and messages, mapped to the entry.
    refused(cli("repo", "add", "acme", "x", "--backend", "y", "--prefix", "x/"), /^error: v1\/account\/acme: repositories\.x\.backend: unknown backend "y"$/m);
    refused(cli("repo", "add", "acme", "x", "--backend", "main", "--prefix", "/x"),
      /v1\/account\/acme: repositories\.x\.prefix: must be empty or end with '\/' and not start with '\/'/);
    refused(cli("backend", "put", "acme", "main", "--file", writeJson(dir, "b1.json", { ...BACKEND, endpoint: "ftp://host" })),
      /v1\/account\/acme: backends\.main\.endpoint: must be http\(s\):\/\/host\[:port\]/);
    refused(cli("backend", "put", "acme", "main", "--file", writeJson(dir, "b2.json", { ...BACKEND, timeout_ms: 0 })),
      /v1\/account\/acme: backends\.main\.timeout_ms: must be an integer in 1\.\.600000/);
    refused(cli("account", "put", "Bad_Name", "--file", path.join(dir, "good.json")), /v1\/account\/Bad_Name: account names follow S3 bucket naming/);
    refused(cli("account", "put", "flat1", "--file", writeJson(dir, "f.json", { bucket: { backend: "main", cache: { chunk_size: 1 } }, backends: { main: BACKEND } })),
      /v1\/account\/flat1: bucket\.cache\.chunk_size: must be an integer in 65536\.\.67108864/);
    refused(cli("backend", "put", "acme", "fed", "--file", writeJson(dir, "b3.json", { ...BACKEND, auth: { type: "web_identity", role_arn: "arn:aws:iam::1:role/x", subject: "s" } })),
      /v1\/account\/acme: backends\.fed\.auth\.role_arn: /);
    // The layout's own rules: a secret's value never goes into KV; unknown fields; the key entry's fields.
    refused(cli("backend", "put", "acme", "main", "--file", writeJson(dir, "b4.json", { ...BACKEND, auth: { type: "static", access_key_id: "AKIA", secret_access_key: "s3cr3t" } })),
      /v1\/account\/acme: backends\.main\.auth\.access_key_id: a secret's value never goes into the registry/);
    refused(cli("account", "put", "acme", "--file", writeJson(dir, "u.json", { ...good, owner: "me" })), /v1\/account\/acme: owner: is not a field of a v1 account entry/);
    refused(cli("key", "create", "AKIDTEST", "--scope", "acme/nope:read"), /^error: v1\/key\/AKIDTEST: scopes\[0\]\.repository: unknown repository "nope" \(or "\*"\)$/m);
    refused(cli("key", "create", "AKIDTEST", "--scope", "zeta/x:read"), /v1\/key\/AKIDTEST: scopes\[0\]\.account: unknown account "zeta"/);
    refused(cli("key", "create", "AKID-TEST", "--scope", "acme/climate:read"), /v1\/key\/AKID-TEST: access key ids are 3-128 of A-Z a-z 0-9 _/);
    refused(cli("key", "create", "AKIDTEST", "--scope", "acme:read"), /v1\/key\/AKIDTEST: scopes\[0\]\.repository: is required/);
    refused(cli("key", "create", "AKIDTEST", "--scope", "acme/climate:read,fly"), /--scope acme\/climate:read,fly: unknown action "fly"/);
    // Nothing of it was written.
    assert.deepEqual(json(cli("account", "get", "acme")), good);
    assert.equal(ok(cli("account", "list")).stdout, "acme\n");
    assert.equal(ok(cli("key", "list")).stdout, "");
    // An import with one bad account writes nothing, and names the field in the config's terms.
    const bad = demoConfig();
    bad.accounts["geo-lab"].repositories.rasters.backend = "missing";
    const imp = cli("import", writeJson(dir, "bad.json", bad));
    refused(imp, /bad\.json: accounts\.geo-lab\.repositories\.rasters\.backend: unknown backend "missing"  \(entry v1\/account\/geo-lab: repositories\.rasters\.backend/);
    assert.equal(ok(cli("account", "list")).stdout, "acme\n");
    // Taking away a repository that a key names is refused (unless --force).
    ok(cli("repo", "add", "acme", "extra", "--backend", "main", "--prefix", "e/"));
    ok(cli("key", "create", "AKIDTEST", "--scope", "acme/extra:read"));
    refused(cli("repo", "rm", "acme", "extra"), /v1\/key\/AKIDTEST: scopes\[0\]\.repository: unknown repository "extra"/);
    refused(cli("account", "rm", "acme"), /v1\/key\/AKIDTEST: scopes\[0\]\.account: unknown account "acme"/);
    assert.ok(json(cli("account", "get", "acme")).repositories.extra);

    // validate --file: one entry, its kind from --as or its fields.
    assert.match(ok(cli("validate", "--file", path.join(dir, "good.json"), "--as", "v1/account/acme")).stdout, /^ok: .* valid account entry/);
    const nonce = "0123456789abcdefABCDEF";
    refused(cli("validate", "--file", writeJson(dir, "k.json", { scopes: [{ account: "acme", repository: "zz", actions: ["read"] }], generation: 1, nonce }), "--as", "v1/key/AKIDX"),
      /v1\/key\/AKIDX: scopes\[0\]\.repository: unknown repository "zz"/);
    refused(cli("validate", "--file", writeJson(dir, "k2.json", { scopes: [], generation: 0, nonce })), /k2\.json: generation: must be an integer in 1\.\.1073741824/);
    refused(cli("validate", "--file", writeJson(dir, "k3.json", { scopes: [], generation: 1 })), /k3\.json: nonce: is required/);
    refused(cli("validate", "--file", writeJson(dir, "k4.json", { scopes: [], generation: 1, nonce: "short" })), /k4\.json: nonce: must be 16-128 characters of A-Z a-z 0-9 - _/);
    assert.match(ok(cli("validate", "--file", writeJson(dir, "k5.json", { scopes: [], generation: 1, nonce }))).stdout, /^ok: .* valid key entry$/m);
    refused(cli("validate", "--file", path.join(dir, "f.json")), /f\.json: bucket\.cache\.chunk_size: must be an integer/);
  });

  it("validate finds a bad entry written behind the CLI's back (sealed with K), and an index out of step", async () => {
    const dir = tempDir();
    const cli = makeCli(dir);
    ok(cli("account", "put", "acme", "--file", writeJson(dir, "a.json", { repositories: { r: { backend: "main", public: true } }, backends: { main: BACKEND } })));
    // Written by hand by someone holding K: the seals hold, the bodies are wrong.
    const put = (kv, name, entry) => kv.put(name, sealed(K, name, JSON.stringify(entry)));
    await withKv(path.join(dir, "kv"), async (kv) => {
      await put(kv, "v1/account/broken", { repositories: { r: { backend: "gone" } }, backends: {} });
      await put(kv, "v1/key/AKIDHAND", { scopes: [{ account: "acme", repository: "r", actions: ["read"] }], generation: 1, nonce: "0123456789abcdefABCDEF", secret: "x" });
      await put(kv, "v1/index/accounts", { accounts: { acme: { public: false }, ghost: { public: true } } });
    });
    const r = cli("validate");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^v1\/account\/broken: repositories\.r\.backend: unknown backend "gone"$/m);
    assert.match(r.stderr, /^v1\/key\/AKIDHAND: secret: is not a field of a v1 key entry .*never stored$/m);
    assert.match(r.stderr, /^v1\/index\/accounts: accounts\.broken: missing/m);
    assert.match(r.stderr, /^v1\/index\/accounts: accounts\.ghost: no such account/m);
    assert.match(r.stderr, /^v1\/index\/accounts: accounts\.acme\.public: is false, the entry says true/m);
    ok(cli("index", "rebuild"));
    assert.deepEqual(json(cli("account", "list", "--json")), { accounts: { acme: { public: true }, broken: { public: false } } });
  });

  it("every value is sealed by K (recomputed here); a changed or unsealed value is reported by get and validate", async () => {
    const dir = tempDir();
    const kvDir = path.join(dir, "kv");
    const cli = makeCli(dir);
    const noK = makeCli(dir, { env: { REGISTRY_KEY: "" } });
    const entry = { repositories: { r: { backend: "main", prefix: "r/", public: true } }, backends: { main: BACKEND } };
    ok(cli("account", "put", "acme", "--file", writeJson(dir, "a.json", entry)));
    ok(cli("account", "put", "beta", "--file", writeJson(dir, "b.json", entry)));
    ok(cli("key", "create", "AKIDSEAL", "--scope", "acme/r:read"));
    const raw = await withKv(kvDir, async (kv) => Object.fromEntries(await Promise.all(
      ["v1/account/acme", "v1/account/beta", "v1/key/AKIDSEAL", INDEX].map(async (n) => [n, await kv.get(n)]))));
    // "v1." + base64url(HMAC-SHA256(E, N "\n" B)) + "\n" + B, B the entry's JSON as the CLI reads it back.
    assert.deepEqual(opened(K, "v1/account/acme", raw["v1/account/acme"]), entry);
    assert.equal(raw["v1/account/acme"], sealed(K, "v1/account/acme", JSON.stringify(entry)));
    assert.deepEqual(opened(K, "v1/key/AKIDSEAL", raw["v1/key/AKIDSEAL"]), json(cli("key", "show", "AKIDSEAL")));
    assert.deepEqual(opened(K, INDEX, raw[INDEX]), { accounts: { acme: { public: true }, beta: { public: true } } });
    // The MAC covers the name: acme's value under beta's name does not verify.
    assert.notEqual(raw["v1/account/acme"], raw["v1/account/beta"]);

    // A value sealed here (with K) is one the CLI takes: the rule is the same on both sides.
    const handKey = { scopes: [{ account: "acme", repository: "r", actions: ["read"] }], generation: 7, nonce: "handmade-nonce_0123456789" };
    await withKv(kvDir, (kv) => kv.put("v1/key/AKIDHAND", sealed(K, "v1/key/AKIDHAND", JSON.stringify(handKey))));
    assert.equal(ok(cli("key", "secret", "AKIDHAND")).stdout.trim(), expectedSecret(K, "AKIDHAND", 7, handKey.nonce));
    assert.match(ok(cli("validate")).stdout, /^ok: 2 account\(s\), 2 key\(s\), v1\/index\/accounts in step, sealed by K/);

    // Behind the CLI's back, without K: one byte of acme's body changed (its MAC kept), beta's value moved to
    // another name, a key written unsealed, one sealed with another K.
    const flipped = raw["v1/account/acme"].replace('"prefix":"r/"', '"prefix":"s/"');
    assert.notEqual(flipped, raw["v1/account/acme"]);
    const otherK = `${K}-not-the-deployment's`;
    await withKv(kvDir, async (kv) => {
      await kv.put("v1/account/acme", flipped);
      await kv.put("v1/account/gamma", raw["v1/account/beta"]);
      await kv.put("v1/key/AKIDPLAIN", JSON.stringify(handKey));
      await kv.put("v1/key/AKIDOTHER", sealed(otherK, "v1/key/AKIDOTHER", JSON.stringify(handKey)));
    });
    const NOT_VERIFIED = "its seal does not verify with the deployment key K";
    const v = cli("validate");
    assert.equal(v.code, 1);
    assert.match(v.stderr, new RegExp(`^v1/account/acme: ${NOT_VERIFIED}`, "m"));
    assert.match(v.stderr, new RegExp(`^v1/account/gamma: ${NOT_VERIFIED}`, "m"));
    assert.match(v.stderr, new RegExp(`^v1/key/AKIDOTHER: ${NOT_VERIFIED}`, "m"));
    assert.match(v.stderr, /^v1\/key\/AKIDPLAIN: is not sealed by the deployment key/m);
    assert.doesNotMatch(v.stderr, /^v1\/(account\/beta|key\/AKIDSEAL|key\/AKIDHAND): /m);
    for (const [args, name] of [[["account", "get", "acme"], "v1/account/acme"], [["account", "get", "gamma"], "v1/account/gamma"],
      [["key", "show", "AKIDOTHER"], "v1/key/AKIDOTHER"], [["key", "secret", "AKIDOTHER"], "v1/key/AKIDOTHER"]]) {
      const r = cli(...args);
      assert.equal(r.code, 1, args.join(" "));
      assert.equal(r.stdout, "");
      assert.match(r.stderr, new RegExp(`^error: ${name}: ${NOT_VERIFIED}`, "m"));
    }
    const plain = cli("key", "show", "AKIDPLAIN");
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /^error: v1\/key\/AKIDPLAIN: is not sealed by the deployment key .*the proxy refuses it \(503\)/m);
    assert.equal(cli("key", "list").code, 1);
    assert.equal(cli("export").code, 1);
    // validate --file: a value as stored is checked with its name (--as).
    const file = path.join(dir, "value.txt");
    fs.writeFileSync(file, raw["v1/account/beta"]);
    assert.match(ok(cli("validate", "--file", file, "--as", "v1/account/beta")).stdout, /^ok: .* valid account entry, sealed by K$/m);
    const moved = cli("validate", "--file", file, "--as", "v1/account/gamma");
    assert.equal(moved.code, 1);
    assert.match(moved.stderr, new RegExp(`value\\.txt: v1/account/gamma: ${NOT_VERIFIED}`));
    assert.equal(cli("validate", "--file", file).code, 2, "a sealed value needs --as");

    // Without K the seals cannot be checked: reads say so; an unsealed value is still reported; writes are refused.
    const got = ok(noK("account", "get", "acme"));
    assert.equal(JSON.parse(got.stdout).repositories.r.prefix, "s/");
    assert.match(got.stderr, /^warning: the entries' seals were not checked: no deployment key K \(REGISTRY_KEY is not set/m);
    assert.match(noK("key", "show", "AKIDPLAIN").stderr, /v1\/key\/AKIDPLAIN: is not sealed/);
    const nv = noK("validate");
    assert.equal(nv.code, 1);
    assert.match(nv.stderr, /^v1\/key\/AKIDPLAIN: is not sealed/m);
    assert.doesNotMatch(nv.stderr, /does not verify/);
    assert.match(nv.stderr, /seals were not checked/);
    for (const args of [["repo", "add", "beta", "x", "--backend", "main", "--prefix", "x/"], ["account", "put", "delta", "--file", path.join(dir, "a.json")],
      ["backend", "put", "beta", "other", "--file", writeJson(dir, "bk.json", BACKEND)], ["key", "disable", "AKIDSEAL"], ["key", "rotate", "AKIDSEAL"],
      ["index", "rebuild"], ["repo", "rm", "beta", "r"], ["account", "rm", "beta"]]) {
      const r = noK(...args);
      assert.equal(r.code, 1, args.join(" "));
      assert.match(r.stderr, new RegExp(`REGISTRY_KEY is not set: .* needed by ${args.slice(0, 2).join(" ")}: every entry written is sealed with it`), args.join(" "));
    }
    assert.equal(ok(cli("account", "list")).stdout, "acme\nbeta\ngamma\n");

    // Repaired with K: the operator writes acme again (put), and removes what they did not write.
    ok(cli("account", "put", "acme", "--file", path.join(dir, "a.json")));
    ok(cli("key", "revoke", "AKIDPLAIN"));
    ok(cli("key", "revoke", "AKIDOTHER"));
    await withKv(kvDir, (kv) => kv.delete("v1/account/gamma"));
    assert.match(ok(cli("validate")).stdout, /^ok: 2 account\(s\), 2 key\(s\), v1\/index\/accounts in step, sealed by K/);

    // A new K voids every seal: export with the old K, import with the new one (the entries that do not verify
    // with it are replaced; every key gets a new nonce and secret, printed).
    const exported = path.join(dir, "export.json");
    fs.writeFileSync(exported, ok(cli("export")).stdout);
    const k2 = `${K}, rotated`;
    const cli2 = makeCli(dir, { env: { REGISTRY_KEY: k2 } });
    assert.match(cli2("validate").stderr, new RegExp(`^v1/account/acme: ${NOT_VERIFIED}`, "m"));
    const imp = ok(cli2("import", exported));
    assert.match(imp.stderr, new RegExp(`^warning: v1/key/AKIDSEAL: ${NOT_VERIFIED}.*; replaced by the entry written$`, "m"));
    const printed = Object.fromEntries(imp.stdout.trim().split("\n").map((l) => l.split("\t")));
    assert.deepEqual(Object.keys(printed), ["AKIDHAND", "AKIDSEAL"]);
    for (const id of ["AKIDHAND", "AKIDSEAL"]) {
      const e = json(cli2("key", "show", id));
      assert.equal(e.generation, 1);
      assert.equal(printed[id], expectedSecret(k2, id, 1, e.nonce));
    }
    assert.match(ok(cli2("validate")).stdout, /^ok: 2 account\(s\), 2 key\(s\), v1\/index\/accounts in step, sealed by K/);
    assert.match(cli("validate").stderr, new RegExp(`^v1/index/accounts: ${NOT_VERIFIED}`, "m"));
    await withKv(kvDir, async (kv) => assert.deepEqual(opened(k2, "v1/account/acme", await kv.get("v1/account/acme")), entry));
  });

  it("a Worker on the same kvPersist directory with a REGISTRY binding reads what the CLI wrote, also while it runs", async () => {
    const dir = tempDir();
    const kvDir = path.join(dir, "kv");
    const cli = makeCli(dir);
    ok(cli("import", writeJson(dir, "demo.json", demoConfig())));
    const written = ok(cli("account", "get", "demo-org")).stdout;
    const mf = new Miniflare({
      modules: true,
      script: `export default {
        async fetch(request, env) {
          const key = new URL(request.url).searchParams.get("key");
          const value = await env.REGISTRY.get(key);
          return new Response(value ?? "", { status: value === null ? 404 : 200 });
        },
      };`,
      kvNamespaces: ["REGISTRY"],
      kvPersist: kvDir,
      compatibilityDate: "2026-04-01",
      host: "127.0.0.1",
      port: 0,
    });
    try {
      const url = await mf.ready;
      const read = async (key) => {
        const res = await fetch(`${url.origin}/?key=${encodeURIComponent(key)}`);
        return { status: res.status, text: await res.text() };
      };
      // What the Worker reads is the sealed value (the seal checked here, independently of the CLI).
      const acct = await read("v1/account/demo-org");
      assert.equal(acct.status, 200);
      assert.deepEqual(opened(K, "v1/account/demo-org", acct.text), JSON.parse(written));
      assert.deepEqual(opened(K, INDEX, (await read(INDEX)).text), { accounts: { "demo-org": { public: true }, "geo-lab": { public: true } } });
      const key = opened(K, "v1/key/AKIDDEMOUSER0000001", (await read("v1/key/AKIDDEMOUSER0000001")).text);
      assert.equal(key.generation, 1);
      assert.match(key.nonce, /^[A-Za-z0-9_-]{22}$/);
      assert.equal((await read("v1/account/nope")).status, 404);
      // Changed while the Worker runs: seen without a restart.
      ok(cli("repo", "add", "geo-lab", "fresh", "--backend", "local-public", "--prefix", "fresh/", "--public"));
      assert.deepEqual(opened(K, "v1/account/geo-lab", (await read("v1/account/geo-lab")).text).repositories.fresh,
        { backend: "local-public", prefix: "fresh/", public: true });
    } finally {
      await mf.dispose();
    }
  });

  it("--namespace-id runs npx wrangler kv key get/put/list/delete --namespace-id ID --remote; --dry-run prints the writes", () => {
    const dir = tempDir();
    // A stand-in for `npx wrangler`: logs its arguments, keeps the namespace in a JSON file, answers as wrangler
    // does (get: the raw value, or a 404 failure; list: a JSON array of {name}).
    const fake = path.join(dir, "fake-wrangler.mjs");
    fs.writeFileSync(fake, `#!/usr/bin/env node
import fs from "node:fs";
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(path.join(dir, "calls.log"))}, JSON.stringify(args) + "\\n");
const dbFile = ${JSON.stringify(path.join(dir, "ns.json"))};
const db = fs.existsSync(dbFile) ? JSON.parse(fs.readFileSync(dbFile, "utf8")) : {};
const save = () => fs.writeFileSync(dbFile, JSON.stringify(db));
const [, , op, key, value] = args;
if (op === "get") {
  if (Object.hasOwn(db, key)) process.stdout.write(db[key]);
  else { process.stderr.write("X [ERROR] Failed to fetch https://api.cloudflare.com/client/v4/accounts/a/storage/kv/namespaces/n/values/x - 404: Not Found);\\n"); process.exit(1); }
} else if (op === "put") { db[key] = value; save(); process.stdout.write("Writing the value ...\\n"); }
else if (op === "delete") { delete db[key]; save(); }
else if (op === "list") {
  const prefix = args[args.indexOf("--prefix") + 1] ?? "";
  process.stdout.write(JSON.stringify(Object.keys(db).filter((k) => k.startsWith(prefix)).sort().map((name) => ({ name })), null, 2) + "\\n");
} else process.exit(2);
`);
    fs.chmodSync(fake, 0o755);
    const calls = () => fs.readFileSync(path.join(dir, "calls.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const env = { S3P_REGISTRY_WRANGLER: fake };
    const remote = makeCli(dir, { env, target: ["--namespace-id", "0123abcd"] });
    const dry = makeCli(dir, { env, target: ["--namespace-id", "0123abcd", "--dry-run"] });
    const entry = { repositories: { r: { backend: "main", prefix: "r/", public: true } }, backends: { main: BACKEND } };
    const file = writeJson(dir, "acme.json", entry);

    // The words of a printed command line, as bash reads them (the sealed values hold a newline: $'…').
    const words = (line) => {
      const r = spawnSync("bash", ["-c", `printf '%s\\0' ${line}`], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split("\0").slice(0, -1);
    };
    const indexValue = sealed(K, INDEX, '{"accounts":{"acme":{"public":true}}}');
    const acmeValue = sealed(K, "v1/account/acme", JSON.stringify(entry));
    // Dry run: reads run (get/list), the writes are printed as paste-ready commands, one a line, and not run.
    const d = ok(dry("account", "put", "acme", "--file", file));
    const printed = d.stdout.trim().split("\n");
    assert.equal(printed.length, 2, d.stdout);
    assert.deepEqual(printed.map(words), [
      ["npx", "wrangler", "kv", "key", "put", "v1/account/acme", acmeValue, "--namespace-id", "0123abcd", "--remote"],
      ["npx", "wrangler", "kv", "key", "put", INDEX, indexValue, "--namespace-id", "0123abcd", "--remote"],
    ]);
    assert.ok(calls().every((a) => a[2] === "get" || a[2] === "list"), JSON.stringify(calls()));
    assert.ok(calls().every((a) => a.at(-3) === "--namespace-id" && a.at(-2) === "0123abcd" && a.at(-1) === "--remote"));
    assert.equal(fs.existsSync(path.join(dir, "ns.json")), false);

    // For real (through the stand-in): the exact argument lists.
    fs.rmSync(path.join(dir, "calls.log"));
    ok(remote("account", "put", "acme", "--file", file));
    assert.deepEqual(calls().filter((a) => a[2] === "put"), [
      ["kv", "key", "put", "v1/account/acme", acmeValue, "--namespace-id", "0123abcd", "--remote"],
      ["kv", "key", "put", INDEX, indexValue, "--namespace-id", "0123abcd", "--remote"],
    ]);
    assert.deepEqual(calls()[0], ["kv", "key", "get", "v1/account/acme", "--namespace-id", "0123abcd", "--remote"]);
    assert.deepEqual(json(remote("account", "get", "acme")), entry);
    const missing = remote("account", "get", "nope");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /v1\/account\/nope: no such account/);
    assert.equal(ok(remote("account", "list")).stdout, "acme\n");
    assert.deepEqual(calls().at(-1), ["kv", "key", "list", "--prefix", "v1/account/", "--namespace-id", "0123abcd", "--remote"]);
    const secret = ok(remote("key", "create", "AKIDREMOTE", "--scope", "acme/r:read")).stdout.trim();
    const keyPut = calls().at(-1);
    assert.deepEqual([...keyPut.slice(0, 4), ...keyPut.slice(5)], ["kv", "key", "put", "v1/key/AKIDREMOTE", "--namespace-id", "0123abcd", "--remote"]);
    const keyEntry = opened(K, "v1/key/AKIDREMOTE", keyPut[4]);
    assert.deepEqual(keyEntry, { scopes: [{ account: "acme", repository: "r", actions: ["read"] }], generation: 1, nonce: keyEntry.nonce });
    assert.equal(secret, expectedSecret(K, "AKIDREMOTE", 1, keyEntry.nonce));
    ok(remote("key", "revoke", "AKIDREMOTE"));
    assert.deepEqual(calls().at(-1), ["kv", "key", "delete", "v1/key/AKIDREMOTE", "--namespace-id", "0123abcd", "--remote"]);
    // A dry-run removal prints the index update first, then the delete.
    assert.deepEqual(ok(dry("account", "rm", "acme")).stdout.trim().split("\n").map(words), [
      ["npx", "wrangler", "kv", "key", "put", INDEX, sealed(K, INDEX, '{"accounts":{}}'), "--namespace-id", "0123abcd", "--remote"],
      ["npx", "wrangler", "kv", "key", "delete", "v1/account/acme", "--namespace-id", "0123abcd", "--remote"],
    ]);
    assert.match(ok(remote("validate")).stdout, /^ok: 1 account\(s\), 0 key\(s\)/);
  });

  it("the wrangler command lines are ones wrangler itself accepts (its --local KV standing in for --remote)", async () => {
    const dir = tempDir();
    const persist = path.join(dir, "wrangler-state");
    // Runs the real wrangler with --remote replaced by --local --persist-to (no network here).
    const fake = path.join(dir, "wrangler-local.mjs");
    fs.writeFileSync(fake, `#!/usr/bin/env node
import { spawnSync } from "node:child_process";
const args = process.argv.slice(2);
const i = args.indexOf("--remote");
const r = spawnSync(${JSON.stringify(path.join(ROOT, "node_modules/.bin/wrangler"))},
  [...args.slice(0, i), "--local", "--persist-to", ${JSON.stringify(persist)}, ...args.slice(i + 1)], { stdio: "inherit" });
process.exit(r.status ?? 1);
`);
    fs.chmodSync(fake, 0o755);
    const store = new WranglerStore("REGISTRY", { env: { ...process.env, ...WRANGLER_ENV, S3P_REGISTRY_WRANGLER: fake } });
    const body = JSON.stringify({ repositories: { "it's": { backend: "m", prefix: "a b/" } }, backends: { m: BACKEND } });
    const value = sealed(K, "v1/account/acme", body); // a newline in the value: it must come back byte for byte
    await store.put("v1/account/acme", value);
    assert.equal(await store.get("v1/account/acme"), value);
    assert.equal(await store.get("v1/account/none"), null);
    assert.deepEqual(await store.list("v1/account/"), ["v1/account/acme"]);
    // wrangler --persist-to P keeps KV under P/v3/kv: the CLI's --local reads it there (namespace id REGISTRY).
    const local = makeCli(dir, { target: ["--local", path.join(persist, "v3/kv")] });
    assert.deepEqual(json(local("account", "get", "acme")), JSON.parse(body));
    await store.delete("v1/account/acme");
    assert.equal(await store.get("v1/account/acme"), null);
  });

  it("parses --local [DIR] before or after the command, and every command has --help", () => {
    const p = (s) => {
      const r = parseArgs(s.split(" "));
      return { cmd: r.cmd?.words.join(" "), args: r.args, dir: r.localDir };
    };
    assert.deepEqual(p("--local /tmp/x account list"), { cmd: "account list", args: [], dir: "/tmp/x" });
    assert.deepEqual(p("account list --local /tmp/x"), { cmd: "account list", args: [], dir: "/tmp/x" });
    assert.deepEqual(p("--local account list"), { cmd: "account list", args: [], dir: undefined });
    assert.deepEqual(p("account get --local acme"), { cmd: "account get", args: ["acme"], dir: undefined });
    assert.deepEqual(p("import --local config/demo.json"), { cmd: "import", args: ["config/demo.json"], dir: undefined });
    assert.deepEqual(p("import --local kvdir config/demo.json"), { cmd: "import", args: ["config/demo.json"], dir: "kvdir" });
    assert.deepEqual(p("--local=kv key show AKID"), { cmd: "key show", args: ["AKID"], dir: "kv" });
    assert.deepEqual(parseArgs(["key", "create", "A", "--scope", "a/b:read", "--scope=c/d:list"]).opts.multiple.scope, ["a/b:read", "c/d:list"]);
    // --deployment FILE, a global option, anywhere.
    const d = parseArgs("--local .state/registry-kv --deployment .state/d.json repo add demo-org more --backend b --prefix p/".split(" "));
    assert.deepEqual([d.cmd.words.join(" "), d.args, d.localDir, d.opts.deployment], ["repo add", ["demo-org", "more"], ".state/registry-kv", ".state/d.json"]);
    assert.equal(parseArgs(["validate", "--deployment=x.json"]).opts.deployment, "x.json");

    const cli = makeCli(tempDir());
    const top = ok(cli("--help"));
    const commands = [...top.stdout.matchAll(/^ {2}([a-z]+(?: [a-z]+)?)(?= [A-Z]| {2})/gm)].map((m) => m[1]);
    assert.ok(commands.length >= 20, commands.join(","));
    for (const c of commands) {
      const h = ok(cli(...c.split(" "), "--help"));
      assert.match(h.stdout, new RegExp(`^Usage: ./scripts/registry \\[target\\] ${c}`), c);
    }
    assert.match(top.stdout, /--deployment FILE/);
    assert.ok(top.stdout.includes(`"v1." + base64url(HMAC-SHA256(E, NAME "\\n" JSON)) + "\\n" + JSON, where\nE = HMAC-SHA256(K, "s3-edge-proxy registry entries v1")`), top.stdout);
    assert.ok(top.stdout.includes(`"s3-edge-proxy access key secret v1" \\0 id \\0 generation \\0 nonce`), top.stdout);
    assert.match(ok(cli("key", "revoke", "--help")).stdout, /K is not needed/);
    assert.match(ok(cli("repo", "add", "--help")).stdout, /K is required, to seal them/);
    const bad = cli("account", "frobnicate");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown command "account frobnicate"/);
    const wrongOpt = cli("account", "get", "acme", "--scope", "x");
    assert.equal(wrongOpt.code, 2);
    assert.match(wrongOpt.stderr, /account get does not take --scope/);
  });
});

describe("./scripts/registry role", () => {
  it("role put/get/list/disable/enable/rm: v1/role/NAME sealed by K, validated by the core's rules (field named)", () => {
    const dir = tempDir();
    const cli = makeCli(dir);
    ok(cli("account", "put", "acme", "--file", writeJson(dir, "acme.json",
      { repositories: { climate: { backend: "main", prefix: "c/" } }, backends: { main: BACKEND } })));
    ok(cli("key", "create", "AKIDPIPE0001", "--scope", "acme/*:read,list"));
    const put = ok(cli("role", "put", "ci-reader", "--scope", "acme/climate/2024/:read,list", "--trust", "AKIDPIPE0001",
      "--max-session-s", "7200"));
    assert.match(put.stderr, /wrote v1\/role\/ci-reader/);
    assert.deepEqual(json(cli("role", "get", "ci-reader")), {
      scopes: [{ account: "acme", repository: "climate", prefix: "2024/", actions: ["read", "list"] }],
      trusted_keys: ["AKIDPIPE0001"], max_session_s: 7200,
    });
    assert.match(ok(cli("role", "list")).stdout, /^ci-reader\tmax_session_s=7200\ttrust=AKIDPIPE0001\tacme\/climate\/2024\/:read,list$/m);
    // Disable and enable: the flag, and the seal recomputed here.
    ok(cli("role", "disable", "ci-reader"));
    assert.equal(json(cli("role", "get", "ci-reader")).disabled, true);
    assert.match(ok(cli("role", "list")).stdout, /max_session_s=7200 disabled/);
    ok(cli("role", "enable", "ci-reader"));
    assert.equal(json(cli("role", "get", "ci-reader")).disabled, undefined);
    ok(cli("validate"));
    assert.match(ok(cli("validate")).stdout, /1 account\(s\), 1 key\(s\), 1 role\(s\)/);
    // The core's rules, the field named: too long a session, an unknown action, an account no one has, bad names.
    let r = cli("role", "put", "r2", "--scope", "acme/climate:read", "--trust", "AKIDPIPE0001", "--max-session-s", "50000");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /v1\/role\/r2: max_session_s: must be an integer in 900\.\.43200/);
    r = cli("role", "put", "r2", "--scope", "nosuch/x:read", "--trust", "AKIDPIPE0001");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /v1\/role\/r2: scopes\[0\]/);
    r = cli("role", "put", "r2", "--file", writeJson(dir, "bad.json", { scopes: [], trusted_keys: ["AKIDPIPE0001"], max_sesion_s: 900 }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /v1\/role\/r2: max_sesion_s: is not a field of a v1 role entry/);
    r = cli("role", "put", "bad!name", "--trust", "AKIDPIPE0001");
    assert.equal(r.code, 2);
    r = cli("role", "put", "r2", "--scope", "acme/climate:read");
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--trust/);
    // A trusted key the registry does not hold: written, with a warning (it may be S3P_CONFIG's).
    r = ok(cli("role", "put", "r3", "--trust", "AKIDELSEWHERE"));
    assert.match(r.stderr, /trusted_keys: AKIDELSEWHERE: no such key in the registry/);
    // Removed; then get says so.
    ok(cli("role", "rm", "r3"));
    r = cli("role", "get", "r3");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /v1\/role\/r3: no such role/);
    // The stored value: sealed by K (recomputed here), no secret in it.
    return withKv(path.join(dir, "kv"), async (kv) => {
      const v = await kv.get("v1/role/ci-reader");
      assert.deepEqual(opened(K, "v1/role/ci-reader", v).trusted_keys, ["AKIDPIPE0001"]);
    });
  });

  it("idp put/get/rm: v1/idp/NAME sealed by K, the core's rules; a role trusting it by web_identity (no trusted key)", () => {
    const dir = tempDir();
    const cli = makeCli(dir);
    ok(cli("account", "put", "acme", "--file", writeJson(dir, "acme.json",
      { repositories: { climate: { backend: "main", prefix: "c/" } }, backends: { main: BACKEND } })));
    const put = ok(cli("idp", "put", "gha", "--issuer", "https://token.actions.githubusercontent.com", "--audience", "sts.amazonaws.com",
      "--jwks-url", "https://token.actions.githubusercontent.com/.well-known/jwks"));
    assert.match(put.stderr, /wrote v1\/idp\/gha/);
    assert.deepEqual(json(cli("idp", "get", "gha")), { issuer: "https://token.actions.githubusercontent.com",
      audiences: ["sts.amazonaws.com"], jwks_url: "https://token.actions.githubusercontent.com/.well-known/jwks" });
    let r = cli("idp", "put", "bad", "--issuer", "https://x", "--audience", "a", "--jwks-url", "http://x.example/jwks");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /v1\/idp\/bad: jwks_url: must be an https:\/\/ URL/);
    r = cli("idp", "put", "bad", "--issuer", "https://x", "--jwks-url", "https://x/j");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /v1\/idp\/bad: audiences:/);
    const role = { scopes: [{ account: "acme", repository: "climate", actions: ["read"] }],
      web_identity: { provider: "gha", conditions: { repository: "acme/*", ref: "refs/heads/main" } } };
    ok(cli("role", "put", "ci-web", "--file", writeJson(dir, "role.json", role)));
    assert.deepEqual(json(cli("role", "get", "ci-web")), role);
    r = cli("role", "put", "ci-web2", "--file", writeJson(dir, "role2.json", { scopes: [], web_identity: { provider: "gha" } }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /v1\/role\/ci-web2: web_identity\.conditions:/);
    ok(cli("idp", "rm", "gha"));
    r = cli("idp", "get", "gha");
    assert.equal(r.code, 1);
    return withKv(path.join(dir, "kv"), async (kv) => {
      assert.deepEqual(opened(K, "v1/role/ci-web", await kv.get("v1/role/ci-web")).web_identity.provider, "gha");
    });
  });

  it("import takes S3P_CONFIG's roles (sts stays), export gives them back; validate --file --as v1/role/NAME", () => {
    const dir = tempDir();
    const cli = makeCli(dir);
    const cfg = demoConfig();
    const acct = Object.keys(cfg.accounts)[0];
    const keyId = Object.keys(cfg.access_keys)[0];
    cfg.sts = { session_key_secret: "S3P_STS_SESSION_KEY" };
    cfg.roles = { "ci-reader": { scopes: [{ account: acct, repository: "*", actions: ["read"] }], max_session_s: 1800, trusted_keys: [keyId] },
                  "off": { scopes: [], trusted_keys: [keyId], disabled: true } };
    const imported = ok(cli("import", writeJson(dir, "cfg.json", cfg)));
    assert.match(imported.stderr, /wrote 2 role\(s\)/);
    assert.match(imported.stderr, /sts: deployment settings, not imported|sts.*not imported/);
    assert.deepEqual(json(cli("role", "get", "ci-reader")), cfg.roles["ci-reader"]);
    const exported = ok(cli("export"));
    assert.deepEqual(JSON.parse(exported.stdout).roles, cfg.roles);
    assert.match(exported.stderr, /roles: S3P_CONFIG needs an "sts" section/);
    // A role referring to an account the file lacks: nothing written, the field named.
    const bad = structuredClone(cfg);
    bad.roles = { broken: { scopes: [{ account: "nosuchacct", repository: "*", actions: ["read"] }], trusted_keys: [keyId] } };
    const r = cli("import", writeJson(dir, "bad.json", bad));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nothing written/);
    assert.match(r.stderr, /roles\.broken\.scopes\[0\]/);
    // One entry from a file.
    assert.match(ok(cli("validate", "--file", writeJson(dir, "role.json", cfg.roles["ci-reader"]), "--as", "v1/role/x")).stdout,
      /is a valid role entry/);
  });
});
