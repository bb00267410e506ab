// ./scripts/registry's account index past one KV value: the small form up to the page size, then the paged form
// (v1/index/accounts names pages v1/index/accounts/pN, each the small form over a range of names), kept by every
// write in the order the layout gives (scripts/lib/registry/layout.mjs), rebuilt by `index rebuild`, checked by
// `validate`. The page size is lowered to 4 (S3P_REGISTRY_INDEX_PAGE_SIZE, a test-only setting) so that a few
// accounts reach the paged form and its splits. Each test has its own Miniflare KV directory (--local DIR); the
// values are read back behind the CLI's back, their seals recomputed here.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { opened, sealed, withKv } from "./lib/registry_kv.mjs";
import { Registry } from "../../scripts/lib/registry/registry.mjs";
import { LocalStore } from "../../scripts/lib/registry/store.mjs";
import { Validator } from "../../scripts/lib/registry/validate.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CLI = path.join(ROOT, "scripts/registry");
const K = "test deployment key: 0123456789abcdefghijklmnopqrstuvwxyz"; // >= 32 bytes
const PAGE_SIZE = 4;
const INDEX = "v1/index/accounts";
const page = (n) => `${INDEX}/p${n}`;
const BACKEND = { endpoint: "http://127.0.0.1:9000", bucket: "data", region: "us-east-1", timeout_ms: 5000 };
const ACCOUNT = { repositories: { r: { backend: "main", prefix: "r/" } }, backends: { main: BACKEND } };
const name = (i) => `org-${String(i).padStart(2, "0")}`;

// The index as stored: { head, pages: {entry: {NAME: {public}}} for every page entry present (named or not) }, every
// value's seal checked.
function storedIndex(kvDir) {
  return withKv(kvDir, async (kv) => {
    const head = opened(K, INDEX, await kv.get(INDEX));
    const pages = {};
    for (const { name: n } of (await kv.list({ prefix: `${INDEX}/` })).keys) pages[n] = opened(K, n, await kv.get(n)).accounts;
    return { head, pages };
  });
}
// A page list as the head holds it, from [number, first] pairs.
const pagesOf = (...pairs) => ({ pages: pairs.map(([n, first]) => ({ entry: page(n), first })) });
// Index rows {NAME: {public: false}} for the account numbers given.
const rows = (...numbers) => Object.fromEntries(numbers.map((i) => [name(i), { public: false }]));
const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

const tempDirs = [];
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-registry-pages-"));
  tempDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function makeCli(dir, { env = {} } = {}) {
  return (...args) => {
    const r = spawnSync(CLI, ["--local", path.join(dir, "kv"), ...args], {
      cwd: dir, encoding: "utf8", timeout: 120_000,
      env: { ...process.env, REGISTRY_KEY: K, S3P_REGISTRY_INDEX_PAGE_SIZE: String(PAGE_SIZE), ...env },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}
const ok = (r) => {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^warning: /m);
  return r;
};
const json = (r) => JSON.parse(ok(r).stdout);
function writeJson(dir, file, value) {
  const p = path.join(dir, file);
  fs.writeFileSync(p, JSON.stringify(value));
  return p;
}
// An S3P_CONFIG-format file with the accounts numbered `numbers`.
const configWith = (dir, numbers) => writeJson(dir, `config-${numbers[0]}-${numbers.length}.json`, {
  backends: { main: BACKEND }, accounts: Object.fromEntries(numbers.map((i) => [name(i), { repositories: ACCOUNT.repositories }])),
});
const put = (cli, dir, i) => ok(cli("account", "put", name(i), "--file", writeJson(dir, "account.json", ACCOUNT)));

// A store that records the writes and deletes it passes on (in order).
class Recording {
  constructor(store) {
    this.store = store;
    this.log = [];
  }
  describe() {
    return this.store.describe();
  }
  get(k) {
    return this.store.get(k);
  }
  async put(k, v) {
    this.log.push(`put ${k}`);
    await this.store.put(k, v);
  }
  async delete(k) {
    this.log.push(`delete ${k}`);
    await this.store.delete(k);
  }
  list(prefix) {
    return this.store.list(prefix);
  }
  close() {
    return this.store.close();
  }
}

describe("./scripts/registry: the paged account index (page size lowered to 4)", () => {
  it("adding accounts: the small form up to the page size, then paged; a full page splits in two; list --json merges", async () => {
    const dir = tempDir();
    const kv = path.join(dir, "kv");
    const cli = makeCli(dir);
    ok(cli("import", configWith(dir, range(1, 4)), "--skip-keys"));
    assert.deepEqual(await storedIndex(kv), { head: { accounts: rows(1, 2, 3, 4) }, pages: {} }, "4 accounts: the small form");

    // The fifth account: the registry passes the page size and becomes paged, pages half full.
    put(cli, dir, 5);
    assert.deepEqual(await storedIndex(kv), {
      head: pagesOf([1, ""], [2, name(3)], [3, name(5)]),
      pages: { [page(1)]: rows(1, 2), [page(2)]: rows(3, 4), [page(3)]: rows(5) },
    });
    // Into the last page until it is full (its head unchanged), then it splits: the new page (max + 1) takes its
    // upper half.
    for (const i of [6, 7, 8]) put(cli, dir, i);
    assert.deepEqual((await storedIndex(kv)).pages[page(3)], rows(5, 6, 7, 8));
    put(cli, dir, 9);
    assert.deepEqual(await storedIndex(kv), {
      head: pagesOf([1, ""], [2, name(3)], [3, name(5)], [4, name(8)]),
      pages: { [page(1)]: rows(1, 2), [page(2)]: rows(3, 4), [page(3)]: rows(5, 6, 7), [page(4)]: rows(8, 9) },
    });
    // A name that sorts into the first page lands there; a public repository makes its row public.
    ok(cli("account", "put", "aaa-first", "--file", writeJson(dir, "a.json", ACCOUNT)));
    ok(cli("repo", "add", name(6), "open", "--backend", "main", "--prefix", "open/", "--public"));
    const { head, pages } = await storedIndex(kv);
    assert.deepEqual(head, pagesOf([1, ""], [2, name(3)], [3, name(5)], [4, name(8)]));
    assert.deepEqual(pages[page(1)], { "aaa-first": { public: false }, ...rows(1, 2) });
    assert.deepEqual(pages[page(3)], { ...rows(5), [name(6)]: { public: true }, ...rows(7) });

    // account list --json: the pages merged into one {"accounts": …}, stderr saying it is paged.
    const listed = ok(cli("account", "list", "--json"));
    assert.deepEqual(JSON.parse(listed.stdout), { accounts: { "aaa-first": { public: false }, ...rows(1, 2, 3, 4, 5), [name(6)]: { public: true }, ...rows(7, 8, 9) } });
    assert.match(listed.stderr, /^v1\/index\/accounts: paged, 4 page\(s\) \(v1\/index\/accounts\/pN\), printed merged$/m);
    assert.match(ok(cli("validate")).stdout, /^ok: 10 account\(s\), 0 key\(s\), v1\/index\/accounts in step \(paged: 4 page\(s\)\), sealed by K/);

    // export / import keep working: the index is derived, so a fresh namespace gets its own.
    const exported = writeJson(dir, "export.json", json(cli("export")));
    const dir2 = tempDir();
    ok(makeCli(dir2)("import", exported));
    assert.deepEqual(json(makeCli(dir2)("account", "list", "--json")), json(cli("account", "list", "--json")));
    assert.match(ok(makeCli(dir2)("validate")).stdout, /in step \(paged: 5 page\(s\)\)/, "10 accounts, pages half full");
    // An import of many accounts falling in one page: that page splits into as many as it needs.
    ok(cli("import", configWith(dir, range(20, 31)), "--skip-keys"));
    const big = await storedIndex(kv);
    assert.ok(Object.values(big.pages).every((p) => Object.keys(p).length <= PAGE_SIZE), JSON.stringify(big.pages));
    assert.deepEqual(big.head.pages.slice(0, 4), pagesOf([1, ""], [2, name(3)], [3, name(5)], [4, name(8)]).pages);
    assert.deepEqual(big.head.pages.slice(4).map((p) => p.entry), range(5, big.head.pages.length).map(page), "new pages numbered max + 1, …");
    assert.match(ok(cli("validate")).stdout, /^ok: 22 account\(s\), .* in step \(paged: \d+ page\(s\)\)/);
  });

  it("writes in the layout's order: a split writes the new page, then the old one shrunk, then the head; an emptied page leaves the head, then is deleted", async () => {
    const dir = tempDir();
    const kv = path.join(dir, "kv");
    const store = new Recording(new LocalStore(kv));
    const reg = new Registry(store, new Validator(), { k: K, pageSize: PAGE_SIZE, warn: (w) => assert.fail(`warning: ${w}`) });
    try {
      for (const i of range(1, 4)) await reg.writeAccount(name(i), ACCOUNT);
      store.log = [];
      await reg.writeAccount(name(5), ACCOUNT);
      assert.deepEqual(store.log, [`put v1/account/${name(5)}`, `put ${page(1)}`, `put ${page(2)}`, `put ${page(3)}`, `put ${INDEX}`],
        "the small form becomes paged: its pages, then the head");
      for (const i of [6, 7, 8]) await reg.writeAccount(name(i), ACCOUNT);
      store.log = [];
      await reg.writeAccount(name(9), ACCOUNT);
      assert.deepEqual(store.log, [`put v1/account/${name(9)}`, `put ${page(4)}`, `put ${page(3)}`, `put ${INDEX}`]);
      store.log = [];
      await reg.writeAccount(name(1), { ...ACCOUNT, repositories: { r: { ...ACCOUNT.repositories.r, public: true } } });
      assert.deepEqual(store.log, [`put v1/account/${name(1)}`, `put ${page(1)}`], "a changed row: its page only");
      store.log = [];
      await reg.removeAccount(name(3));
      assert.deepEqual(store.log, [`put ${page(2)}`, `delete v1/account/${name(3)}`], "out of its page first");
      store.log = [];
      await reg.removeAccount(name(4));
      assert.deepEqual(store.log, [`put ${INDEX}`, `delete ${page(2)}`, `delete v1/account/${name(4)}`], "an empty page: the head first");
      // The first page stays, even empty (it covers every name before the second page's first).
      await reg.removeAccount(name(1));
      store.log = [];
      await reg.removeAccount(name(2));
      assert.deepEqual(store.log, [`put ${page(1)}`, `delete v1/account/${name(2)}`]);
      const { errors, warnings, counts } = await reg.validateAll();
      assert.deepEqual([errors, warnings, counts], [[], [], { accounts: 5, keys: 0, roles: 0, indexPages: 3 }]);
    } finally {
      await store.close();
    }
    assert.deepEqual(await storedIndex(kv), {
      head: pagesOf([1, ""], [3, name(5)], [4, name(8)]),
      pages: { [page(1)]: {}, [page(3)]: rows(5, 6, 7), [page(4)]: rows(8, 9) },
    });
  });

  it("account rm keeps the pages; index rebuild rewrites them half full under new numbers, or the small form, deleting the old pages", async () => {
    const dir = tempDir();
    const kv = path.join(dir, "kv");
    const cli = makeCli(dir);
    ok(cli("import", configWith(dir, range(1, 9)), "--skip-keys"));
    // A bulk change to a small form past the page size: paged at once, half full.
    assert.deepEqual(await storedIndex(kv), {
      head: pagesOf([1, ""], [2, name(3)], [3, name(5)], [4, name(7)], [5, name(9)]),
      pages: { [page(1)]: rows(1, 2), [page(2)]: rows(3, 4), [page(3)]: rows(5, 6), [page(4)]: rows(7, 8), [page(5)]: rows(9) },
    });
    ok(cli("account", "rm", name(5)));
    ok(cli("account", "rm", name(6)));
    ok(cli("account", "rm", name(2)));
    assert.deepEqual(await storedIndex(kv), {
      head: pagesOf([1, ""], [2, name(3)], [4, name(7)], [5, name(9)]),
      pages: { [page(1)]: rows(1), [page(2)]: rows(3, 4), [page(4)]: rows(7, 8), [page(5)]: rows(9) },
    });
    assert.deepEqual(json(cli("account", "list", "--json")), { accounts: rows(1, 3, 4, 7, 8, 9) });
    assert.match(ok(cli("validate")).stdout, /^ok: 6 account\(s\), 0 key\(s\), v1\/index\/accounts in step \(paged: 4 page\(s\)\)/);

    // rebuild: pages of 2 under numbers the current head does not use (so that what it names stays whole until the
    // new head replaces it); the old pages deleted after.
    assert.match(ok(cli("index", "rebuild")).stderr, /^wrote v1\/index\/accounts: 6 account\(s\) in 3 page\(s\)/m);
    assert.deepEqual(await storedIndex(kv), {
      head: pagesOf([6, ""], [7, name(4)], [8, name(8)]),
      pages: { [page(6)]: rows(1, 3), [page(7)]: rows(4, 7), [page(8)]: rows(8, 9) },
    });
    // Down to the page size: the rebuild writes the small form and deletes every page.
    for (const i of [1, 3]) ok(cli("account", "rm", name(i)));
    assert.match(ok(cli("index", "rebuild")).stderr, /^wrote v1\/index\/accounts: 4 account\(s\)$/m);
    assert.deepEqual(await storedIndex(kv), { head: { accounts: rows(4, 7, 8, 9) }, pages: {} });
    assert.match(ok(cli("validate")).stdout, /^ok: 4 account\(s\), 0 key\(s\), v1\/index\/accounts in step, sealed by K/);
  });

  it("validate finds broken pages, a broken head, accounts missing or extra, left-over pages; a write repairs a broken page; index rebuild fixes all", async () => {
    const dir = tempDir();
    const kv = path.join(dir, "kv");
    const cli = makeCli(dir);
    ok(cli("import", configWith(dir, range(1, 8)), "--skip-keys"));
    assert.deepEqual((await storedIndex(kv)).head, pagesOf([1, ""], [2, name(3)], [3, name(5)], [4, name(7)]));
    const putSealed = (kvns, n, body) => kvns.put(n, sealed(K, n, JSON.stringify(body)));

    // Behind the CLI's back (sealed with K): p2 holds a name outside its range and a malformed row, p3 is gone,
    // p4 sealed with another K, an account no page holds, a page the head does not name.
    await withKv(kv, async (kvns) => {
      await putSealed(kvns, page(2), { accounts: { ...rows(3), [name(4)]: { public: "yes" }, [name(6)]: { public: false } } });
      await kvns.delete(page(3));
      await kvns.put(page(4), sealed(`${K}-another`, page(4), JSON.stringify({ accounts: rows(7, 8) })));
      await putSealed(kvns, `v1/account/${name(0)}`, ACCOUNT);
      await putSealed(kvns, page(99), { accounts: rows(1) });
    });
    const r = cli("validate");
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^v1\/index\/accounts\/p2: accounts\.org-04\.public: must be true or false$/m);
    assert.match(r.stderr, /^v1\/index\/accounts\/p2: accounts\.org-06: outside the page's range \["org-03", "org-05"\)$/m);
    assert.match(r.stderr, /^v1\/index\/accounts\/p3: missing \(v1\/index\/accounts names it; index rebuild fixes it\)$/m);
    assert.match(r.stderr, /^v1\/index\/accounts\/p4: its seal does not verify with the deployment key K/m);
    assert.match(r.stderr, /^v1\/index\/accounts\/p1: accounts\.org-00: missing \(the account exists; index rebuild fixes it\)$/m);
    assert.match(r.stderr, /^warning: v1\/index\/accounts\/p99: a page of the account index that v1\/index\/accounts does not name \(left over; index rebuild deletes it\)$/m);
    // The names in the pages that could not be read are not reported missing one by one (their page's error says it).
    assert.doesNotMatch(r.stderr, /accounts\.org-0[4578]: missing/);
    assert.doesNotMatch(r.stderr, /not part of the v1 layout/);

    // A write that falls in a broken page rewrites the index from the account entries (said), whole and in step.
    const w = cli("account", "put", name(4), "--file", writeJson(dir, "a.json", ACCOUNT));
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stderr, /^warning: v1\/index\/accounts\/p2: accounts\.org-04\.public: must be true or false.*; rewriting the account index from the account entries$/m);
    assert.match(ok(cli("validate")).stdout, /^ok: 9 account\(s\), 0 key\(s\), v1\/index\/accounts in step \(paged: 5 page\(s\)\)/);
    assert.deepEqual(Object.keys((await storedIndex(kv)).pages), range(1, 5).map(page), "p99 deleted, pages rewritten from p1");

    // A head out of order, a head naming a page twice, a head in both forms: its shape errors; the pages unread.
    for (const [head, pattern] of [
      [pagesOf([1, ""], [2, name(5)], [3, name(3)]), /^v1\/index\/accounts: pages\[2\]\.first: "org-03" does not follow pages\[1\]\.first "org-05" \(strictly ascending\)$/m],
      [pagesOf([1, "a"]), /^v1\/index\/accounts: pages\[0\]\.first: must be ""/m],
      [pagesOf([1, ""], [1, name(3)]), /^v1\/index\/accounts: pages\[1\]\.entry: v1\/index\/accounts\/p1 is named twice$/m],
      [pagesOf([1, ""], ["01", name(3)]), /^v1\/index\/accounts: pages\[1\]\.entry: must be "v1\/index\/accounts\/pN", N in 1\.\.999999999/m],
      [{ ...pagesOf([1, ""]), accounts: {} }, /^v1\/index\/accounts: pages: the account index is either small \("accounts"\) or paged \("pages"\), not both$/m],
      [{ pages: [] }, /^v1\/index\/accounts: pages: must be a non-empty list/m],
    ]) {
      await withKv(kv, (kvns) => putSealed(kvns, INDEX, head));
      const v = cli("validate");
      assert.equal(v.code, 1, JSON.stringify(head));
      assert.match(v.stderr, pattern, JSON.stringify(head));
    }
    // A page over the format's 1000 accounts is refused whatever the page size.
    await withKv(kv, async (kvns) => {
      await putSealed(kvns, INDEX, pagesOf([1, ""]));
      await putSealed(kvns, page(1), { accounts: Object.fromEntries(range(0, 1000).map((i) => [`x-${String(i).padStart(4, "0")}`, { public: false }])) });
    });
    assert.match(cli("validate").stderr, /^v1\/index\/accounts\/p1: accounts: 1001 accounts, more than the 1000 a page may hold$/m);

    // index rebuild repairs everything; every page entry it does not name is gone.
    ok(cli("index", "rebuild"));
    assert.match(ok(cli("validate")).stdout, /^ok: 9 account\(s\), 0 key\(s\), v1\/index\/accounts in step \(paged: 5 page\(s\)\)/);
    const { head, pages } = await storedIndex(kv);
    assert.deepEqual(Object.keys(pages).sort(), head.pages.map((p) => p.entry).sort());
    assert.deepEqual(json(cli("account", "list", "--json")), { accounts: rows(0, 1, 2, 3, 4, 5, 6, 7, 8) });
  });

  it("validate --file checks a paged head and a page (against the range the target's head gives it); the page size setting is bounded", async () => {
    const dir = tempDir();
    const cli = makeCli(dir);
    ok(cli("import", configWith(dir, range(1, 5)), "--skip-keys"));
    const headFile = writeJson(dir, "head.json", pagesOf([1, ""], [2, name(3)]));
    assert.match(ok(cli("validate", "--file", headFile)).stdout, /^ok: .*head\.json is a valid account index \(paged\)$/m);
    assert.match(ok(cli("validate", "--file", headFile, "--as", INDEX)).stdout, /valid account index \(paged\)/);
    const badHead = cli("validate", "--file", writeJson(dir, "bad-head.json", pagesOf([1, ""], [2, ""])));
    assert.equal(badHead.code, 1);
    assert.match(badHead.stderr, /pages\[1\]\.first: must not be empty/);
    // p2 covers [org-03, org-05) in the target.
    assert.match(ok(cli("validate", "--file", writeJson(dir, "p2.json", { accounts: rows(3, 4) }), "--as", page(2))).stdout, /valid account index page$/m);
    const out = cli("validate", "--file", writeJson(dir, "p2-bad.json", { accounts: rows(3, 5) }), "--as", page(2));
    assert.equal(out.code, 1);
    assert.match(out.stderr, /v1\/index\/accounts\/p2: accounts\.org-05: outside the page's range \["org-03", "org-05"\)/);
    const unnamed = cli("validate", "--file", path.join(dir, "p2-bad.json"), "--as", page(7));
    assert.equal(unnamed.code, 0, unnamed.stderr);
    assert.match(unnamed.stderr, /warning: v1\/index\/accounts\/p7: v1\/index\/accounts in the target does not name this page: its range is not checked/);
    assert.equal(cli("validate", "--file", path.join(dir, "p2.json"), "--as", `${INDEX}/p01`).code, 2);

    for (const bad of ["0", "1001", "many"]) {
      const r = makeCli(dir, { env: { S3P_REGISTRY_INDEX_PAGE_SIZE: bad } })("account", "list");
      assert.equal(r.code, 1, bad);
      assert.match(r.stderr, new RegExp(`S3P_REGISTRY_INDEX_PAGE_SIZE=${bad}: must be an integer in 1\\.\\.1000`));
    }
    // Without the setting the page size is 1000: the index stays paged (it never goes back by itself) and in step.
    const full = makeCli(dir, { env: { S3P_REGISTRY_INDEX_PAGE_SIZE: "" } });
    ok(full("account", "rm", name(5)));
    assert.match(ok(full("validate")).stdout, /in step \(paged: 2 page\(s\)\)/);
    ok(full("index", "rebuild"));
    assert.match(ok(full("validate")).stdout, /^ok: 4 account\(s\), 0 key\(s\), v1\/index\/accounts in step, sealed by K/);
  });
});
