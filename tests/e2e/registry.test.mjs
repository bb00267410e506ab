// The namespace registry end to end in workerd: accounts and keys in Miniflare's KV (the REGISTRY binding), read per
// request by the core, cached in the isolate with the configured TTLs; changes made while the Worker runs are
// served within the TTL, revoked keys refused within it; faults injected into the binding (js/test_hooks.mjs):
// stale serving within its bound, 503 with nothing to serve, one bad entry failing only its own account; single
// flight and negative caching counted in registry reads. Real clients (aws cli) sign with derived secrets.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { signChunkedUpload } from "../lib/signed_chunks_client.mjs";
import { client, DEMO_SECRETS, EMU, eventually, jsonLogs, requestLogs, sealEntry, startProxy, xmlField } from "./harness.mjs";

const REGISTRY_KEY = "e2e registry deployment key: " + crypto.randomBytes(16).toString("hex");
const TTL_S = 2; // short, so that "within the TTL" can be waited for
const code = (body) => xmlField(body, "Code");

// A registry key's entry (its random nonce makes it another key than any earlier one of that id), and the secret the
// core derives for it (README "Registry"), computed independently.
const NONCES = new Map();
const nonceOf = (id) => NONCES.get(id) ?? NONCES.set(id, crypto.randomBytes(16).toString("base64url")).get(id);
const keyEntry = (id, fields) => ({ generation: 1, nonce: nonceOf(id), ...fields });
const secretOf = (id, generation = 1) =>
  crypto.createHmac("sha256", REGISTRY_KEY).update(`s3-edge-proxy access key secret v1\0${id}\0${generation}\0${nonceOf(id)}`)
    .digest("base64url");

// A deployment whose S3P_CONFIG holds no account at all: the namespace is the registry's.
function registryConfig() {
  const demo = JSON.parse(fs.readFileSync(new URL("../../config/demo.json", import.meta.url), "utf8").replaceAll("${EMULATOR}", EMU));
  return JSON.stringify({
    owner_id: demo.owner_id,
    listing_token_key_secret: demo.listing_token_key_secret,
    federation: demo.federation,
    registry: { key_secret: "REGISTRY_KEY", entry_ttl_s: TTL_S, negative_ttl_s: TTL_S, listing_ttl_s: TTL_S, stale_s: 30, timeout_ms: 500 },
  });
}

// Account entries over the emulator: public data (anonymous backend) and private data (web identity: the
// emulator's role reads private-bucket).
const publicBackend = () => ({ endpoint: EMU, bucket: "public-bucket", region: "us-east-1", timeout_ms: 10000 });
const federatedBackend = () => ({ endpoint: EMU, bucket: "private-bucket", region: "us-east-1", timeout_ms: 10000,
  auth: { type: "web_identity", role_arn: "arn:aws:iam::123456789012:role/demo/s3-edge-proxy-reader", subject: "s3-edge-proxy:registry-e2e" } });
const orgEntry = (repos = {}) => ({
  backends: { pub: publicBackend(), fed: federatedBackend() },
  repositories: {
    open: { backend: "pub", prefix: "public-data/", public: true },
    secret: { backend: "fed", prefix: "repos/secret-data/" },
    ...repos,
  },
});

describe("registry: the namespace in KV, served without a redeploy", () => {
  let proxy, kv, dir;
  const url = (p) => `${proxy.url}${p}`;
  // Written as ./scripts/registry writes: sealed by the deployment key.
  const put = (name, value) => kv.put(name, sealEntry(REGISTRY_KEY, name, typeof value === "string" ? value : JSON.stringify(value)));
  const hook = async (mode, reset = true) =>
    (await fetch(url(`/__test/registry?mode=${mode}${reset ? "&reset=1" : ""}`), { method: "POST" })).json();
  const reads = async () => (await (await fetch(url("/__test/registry"))).json()).reads;
  const get = async (p, init) => {
    const r = await fetch(url(p), init);
    return { status: r.status, body: await r.text(), headers: r.headers };
  };
  const awsCat = (key, object) =>
    client("aws", ["--endpoint-url", proxy.url, "s3", "cp", object, "-"],
      { AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: secretOf(key) });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-registry-e2e-"));
    proxy = await startProxy({ config: registryConfig(), bindings: { ...DEMO_SECRETS, REGISTRY_KEY }, kvPersist: dir, testHooks: true });
    kv = await proxy.mf.getKVNamespace("REGISTRY");
    await put("v1/account/reg-org", orgEntry());
    await put("v1/index/accounts", { accounts: { "reg-org": { public: true } } });
  });
  after(async () => {
    await proxy?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("serves an account from the registry: public reads, listings and ListBuckets", async () => {
    const r = await get("/reg-org/open/README.txt");
    assert.equal(r.status, 200);
    const listing = await get("/reg-org?list-type=2&delimiter=/");
    assert.equal(listing.status, 200);
    assert.match(listing.body, /<Prefix>open\/<\/Prefix>/);
    assert.doesNotMatch(listing.body, /secret\//); // a private repository stays invisible to anonymous callers
    const root = await get("/");
    assert.deepEqual([...root.body.matchAll(/<Name>(.*?)<\/Name>/g)].map((m) => m[1]), ["reg-org"]);
    const [line] = await requestLogs(proxy, [r]);
    assert.equal(line.registry, "registry");
  });

  it("a key created while the Worker runs signs for aws cli within the TTL; revoked, it is refused within the TTL", async () => {
    const id = "AKIDREGE2E" + crypto.randomBytes(4).toString("hex").toUpperCase();
    await assert.rejects(awsCat(id, "s3://reg-org/secret/hello.txt")); // no such key yet
    await put(`v1/key/${id}`, keyEntry(id, { scopes: [{ account: "reg-org", repository: "secret", actions: ["read", "list"] }] }));
    const out = await eventually(async () => {
      try {
        return String((await awsCat(id, "s3://reg-org/secret/hello.txt")).stdout);
      } catch {
        return null;
      }
    }, { timeoutMs: 20_000, what: "the new key to be served" });
    assert.equal(out, "hello from a signed backend\n");
    // No entry holds the secret: a grep of the whole KV directory finds none.
    for (const f of fs.readdirSync(dir, { recursive: true }))
      if (fs.statSync(path.join(dir, f)).isFile()) assert.ok(!fs.readFileSync(path.join(dir, f)).includes(secretOf(id)), f);
    // Disabled: refused within the TTL, as unknown.
    await put(`v1/key/${id}`, keyEntry(id, { scopes: [{ account: "reg-org", repository: "secret", actions: ["read"] }], disabled: true }));
    const refused = await eventually(async () => {
      const r = await fetch(url("/reg-org/secret/hello.txt"), { headers: await signedHeaders(id, "/reg-org/secret/hello.txt") });
      return r.status === 403 ? r.text() : null;
    }, { timeoutMs: 20_000, what: "the disabled key to be refused" });
    assert.equal(code(refused), "InvalidAccessKeyId");
    // Revoked (entry removed): still refused.
    await kv.delete(`v1/key/${id}`);
    await new Promise((r) => setTimeout(r, TTL_S * 1000 + 100));
    const r = await fetch(url("/reg-org/secret/hello.txt"), { headers: await signedHeaders(id, "/reg-org/secret/hello.txt") });
    assert.equal(code(await r.text()), "InvalidAccessKeyId");
  });

  it("signed aws-chunked uploads verify with a registry key (the host derives its secret from the deployment key)", async () => {
    const id = "AKIDREGCHUNK" + crypto.randomBytes(4).toString("hex").toUpperCase();
    await put("v1/account/chunk-org", orgEntry({ drop: { backend: "fed", prefix: `repos/registry-e2e-${id}/` } }));
    await put(`v1/key/${id}`, keyEntry(id, { scopes: [{ account: "chunk-org", repository: "drop", actions: ["read", "write"] }] }));
    const data = crypto.randomBytes(200_000);
    const send = async (p, tamper) => {
      const u = signChunkedUpload({ url: url(p), data, chunkSize: 65536, accessKeyId: id, secretAccessKey: secretOf(id) });
      const body = Buffer.from(u.body);
      if (tamper) body[body.length - 100] ^= 0x01;
      const r = await fetch(url(p), { method: "PUT", headers: u.headers, body });
      return { status: r.status, text: await r.text() };
    };
    const ok = await send("/chunk-org/drop/chunked.bin");
    assert.equal(ok.status, 200, ok.text);
    const back = await fetch(url("/chunk-org/drop/chunked.bin"), { headers: await signedHeaders(id, "/chunk-org/drop/chunked.bin") });
    assert.ok(Buffer.from(await back.arrayBuffer()).equals(data));
    const bad = await send("/chunk-org/drop/tampered.bin", true);
    assert.equal(bad.status, 403, bad.text);
    assert.equal(code(bad.text), "SignatureDoesNotMatch");
  });

  it("a repository added while the Worker runs is served within the TTL", async () => {
    assert.equal((await get("/reg-org/rasters/README.txt")).status, 403); // not there yet: like a private one
    await put("v1/account/reg-org", orgEntry({ rasters: { backend: "pub", prefix: "public-data/", public: true } }));
    await eventually(async () => (await get("/reg-org/rasters/README.txt")).status === 200, {
      timeoutMs: 20_000, what: "the new repository to be served" });
  });

  it("100 concurrent cold requests for one account make one registry read", async () => {
    await put("v1/account/cold-org", orgEntry());
    await hook("off");
    const answers = await Promise.all(Array.from({ length: 100 }, () => get("/cold-org/open/README.txt")));
    assert.deepEqual([...new Set(answers.map((a) => a.status))], [200]);
    assert.equal(await reads(), 1);
  });

  it("a paged account index: aws s3api list-buckets follows the pages, one page read per response", async () => {
    const page = (n) => `v1/index/accounts/p${n}`;
    const names = Array.from({ length: 12 }, (_, i) => `paged-${String(i).padStart(2, "0")}`);
    try {
      await put(page(1), { accounts: Object.fromEntries(names.slice(0, 5).map((n) => [n, { public: true }])) });
      await put(page(2), { accounts: Object.fromEntries(names.slice(5, 8).map((n) => [n, { public: true }])) });
      await put(page(3), { accounts: Object.fromEntries([...names.slice(8).map((n, i) => [n, { public: i !== 0 }]), // paged-08: private
        ["reg-org", { public: true }]]) });
      await put("v1/index/accounts", { pages: [{ entry: page(1), first: "" }, { entry: page(2), first: names[5] }, { entry: page(3), first: names[8] }] });
      await hook("off");
      await new Promise((r) => setTimeout(r, TTL_S * 1000 + 100)); // the small index this Worker learnt expires
      const out = await client("aws", ["--endpoint-url", proxy.url, "--no-sign-request", "s3api", "list-buckets", "--output", "json"]);
      const listed = JSON.parse(String(out.stdout)).Buckets.map((b) => b.Name);
      assert.deepEqual(listed, names.filter((n) => n !== "paged-08").concat("reg-org").sort());
      assert.equal(await reads(), 4); // the index and its three pages, each once
      // A page at a time, whatever max-buckets asks: the first response ends where page 1 does.
      const first = await get("/?max-buckets=100");
      assert.deepEqual([...first.body.matchAll(/<Name>(.*?)<\/Name>/g)].map((m) => m[1]), names.slice(0, 5));
      assert.ok(xmlField(first.body, "ContinuationToken"));
    } finally {
      await put("v1/index/accounts", { accounts: { "reg-org": { public: true } } });
      await new Promise((r) => setTimeout(r, TTL_S * 1000 + 100));
    }
  });

  it("a scanner of unknown accounts costs one read per name per negative TTL", async () => {
    await hook("off");
    const names = Array.from({ length: 50 }, (_, i) => `scan-${i}-${crypto.randomBytes(3).toString("hex")}`);
    for (const n of names) assert.equal((await get(`/${n}/x/y`)).status, 404);
    assert.equal(await reads(), 50);
    for (const n of names) assert.equal((await get(`/${n}/x/y`)).status, 404);
    assert.ok((await reads()) <= 100); // at most once more each if the negative TTL ran out meanwhile
    for (const n of ["UPPER", "a_b", "x"]) await get(`/${n}/x/y`); // names no account can have: no read at all
    assert.ok((await reads()) <= 100);
  });

  it("registry faults: the last good entry serves within its bound; with nothing to serve 503 + Retry-After", async () => {
    await put("v1/account/fault-org", orgEntry());
    await hook("off");
    assert.equal((await get("/fault-org/open/README.txt")).status, 200); // learnt
    try {
      for (const mode of ["throw", "garbage", "stall"]) {
        await hook(mode);
        await new Promise((r) => setTimeout(r, TTL_S * 1000 + 100)); // past the TTL: the next request reads
        const r = await get("/fault-org/open/README.txt");
        assert.equal(r.status, 200, mode);
        const [line] = await requestLogs(proxy, [r]);
        assert.equal(line.registry, "stale", mode);
        assert.match(line.registry_note, /served stale/, mode);
        // An account never learnt has nothing to fall back to: 503, never NoSuchBucket; not cached.
        const none = await get(`/never-seen-${mode}/open/README.txt`);
        assert.equal(none.status, 503, mode);
        assert.equal(code(none.body), "ServiceUnavailable");
        assert.ok(none.headers.get("retry-after"));
      }
    } finally {
      await hook("off");
    }
    await put("v1/account/never-seen-throw", orgEntry());
    assert.equal((await get("/never-seen-throw/open/README.txt")).status, 200); // the failure was not remembered
  });

  it("an entry written into the namespace without the deployment key is refused (503), the others served", async () => {
    await hook("off");
    await kv.put("v1/account/forged-org", JSON.stringify(orgEntry({ all: { backend: "fed", prefix: "", public: true } })));
    const forged = await get("/forged-org/all/repos/secret-data/hello.txt");
    assert.equal(forged.status, 503);
    const [line] = await requestLogs(proxy, [forged]);
    assert.match(line.detail, /not sealed by the deployment key/);
    const copied = await kv.get("v1/account/reg-org"); // a sealed entry moved under another name does not open
    await kv.put("v1/account/copied-org", copied);
    assert.equal((await get("/copied-org/open/README.txt")).status, 503);
    assert.equal((await get("/reg-org/open/README.txt")).status, 200);
  });

  it("a malformed entry fails its own account (the field named in the log), never another", async () => {
    await hook("off");
    await put("v1/account/bad-org", { backends: {}, repositories: { data: { backend: "missing" } } });
    const bad = await get("/bad-org/data/hello.txt");
    assert.equal(bad.status, 503);
    const [line] = await requestLogs(proxy, [bad]);
    assert.match(line.detail, /repositories\.data\.backend: unknown backend/);
    assert.equal(line.fault, "config");
    assert.equal((await get("/reg-org/open/README.txt")).status, 200);
  });

  // SigV4 header signing with a registry key's derived secret (aws4fetch, an independent signer).
  async function signedHeaders(id, p) {
    const { AwsV4Signer } = await import("aws4fetch");
    const signed = await new AwsV4Signer({ url: url(p), method: "GET", accessKeyId: id, secretAccessKey: secretOf(id),
      service: "s3", region: "us-east-1" }).sign();
    return signed.headers;
  }
});

describe("registry: a config that names no registry is served exactly as before", () => {
  it("its log lines carry no registry field", async () => {
    const p = await startProxy({ asConfigured: true });
    try {
      const r = await fetch(`${p.url}/demo-org/public-data/README.txt`);
      assert.equal(r.status, 200);
      const [line] = await requestLogs(p, [r]);
      assert.equal(line.registry, undefined);
      assert.ok(jsonLogs(p).length > 0);
    } finally {
      await p.close();
    }
  });
});
