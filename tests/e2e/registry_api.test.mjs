// The namespace registry from an HTTP registry API (S3P_CONFIG registry.api_url), end to end in workerd: the
// reference API (scripts/lib/registry/api_server.mjs) on loopback, read with the bearer token the host holds; the
// colo tier (the Cache API, shared by two Workers given one cache directory, as the isolates of one colo are);
// changes and revocations within the TTL; the API failing (stall, stalled body, 5xx, garbage, truncated entries,
// a wrong token): stale within its bound, else 503 + Retry-After; single flight counted in API requests.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startRegistryApi } from "../../scripts/lib/registry/api_server.mjs";
import { DEMO_SECRETS, EMU, eventually, requestLogs, sealEntry, startProxy, xmlField } from "./harness.mjs";

const REGISTRY_KEY = "e2e registry API deployment key: " + crypto.randomBytes(16).toString("hex");
const TOKEN = "registry API token " + crypto.randomBytes(16).toString("hex");
const TTL_S = 2;
const code = (body) => xmlField(body, "Code");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const NONCES = new Map();
const nonceOf = (id) => NONCES.get(id) ?? NONCES.set(id, crypto.randomBytes(16).toString("base64url")).get(id);
const secretOf = (id) =>
  crypto.createHmac("sha256", REGISTRY_KEY).update(`s3-edge-proxy access key secret v1\0${id}\x001\0${nonceOf(id)}`).digest("base64url");

function apiConfig(apiUrl, tokenSecret = "REGISTRY_API_TOKEN") {
  const demo = JSON.parse(fs.readFileSync(new URL("../../config/demo.json", import.meta.url), "utf8").replaceAll("${EMULATOR}", EMU));
  return JSON.stringify({
    owner_id: demo.owner_id,
    listing_token_key_secret: demo.listing_token_key_secret,
    federation: demo.federation,
    registry: { api_url: apiUrl, api_token_secret: tokenSecret, key_secret: "REGISTRY_KEY",
      entry_ttl_s: TTL_S, negative_ttl_s: TTL_S, listing_ttl_s: TTL_S, stale_s: 30, timeout_ms: 500 },
  });
}

const orgEntry = (repos = {}) => ({
  backends: {
    pub: { endpoint: EMU, bucket: "public-bucket", region: "us-east-1", timeout_ms: 10000 },
    fed: { endpoint: EMU, bucket: "private-bucket", region: "us-east-1", timeout_ms: 10000,
      auth: { type: "web_identity", role_arn: "arn:aws:iam::123456789012:role/demo/s3-edge-proxy-reader", subject: "s3-edge-proxy:registry-api-e2e" } },
  },
  repositories: { open: { backend: "pub", prefix: "public-data/", public: true }, secret: { backend: "fed", prefix: "repos/secret-data/" }, ...repos },
});

describe("registry API: the namespace from a publisher's catalogue service", () => {
  const entries = new Map(); // what the API serves: name → sealed value
  let api, proxy, cacheDir;
  const put = (name, value) => entries.set(name, sealEntry(REGISTRY_KEY, name, JSON.stringify(value)));
  const bindings = { ...DEMO_SECRETS, REGISTRY_KEY, REGISTRY_API_TOKEN: TOKEN };
  const get = async (p, init, via = proxy) => {
    const r = await fetch(`${via.url}${p}`, init);
    return { status: r.status, body: await r.text(), headers: r.headers };
  };
  const apiReads = (name) => api.requests.filter((n) => n === name).length;
  async function signedHeaders(id, p, via = proxy) {
    const { AwsV4Signer } = await import("aws4fetch");
    return (await new AwsV4Signer({ url: `${via.url}${p}`, method: "GET", accessKeyId: id, secretAccessKey: secretOf(id),
      service: "s3", region: "us-east-1" }).sign()).headers;
  }
  async function withFault(mode, body) {
    api.fault = mode;
    try {
      return await body();
    } finally {
      api.fault = null;
    }
  }

  before(async () => {
    api = await startRegistryApi({ store: { get: async (n) => entries.get(n) ?? null }, token: TOKEN });
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-registry-api-cache-"));
    put("v1/account/api-org", orgEntry());
    put("v1/index/accounts", { accounts: { "api-org": { public: true } } });
    proxy = await startProxy({ config: apiConfig(api.url), bindings, cachePersist: cacheDir });
  });
  after(async () => {
    await proxy?.close();
    await api?.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it("serves an account, its listing and ListBuckets from the API, which sees the proxy's bearer token", async () => {
    const r = await get("/api-org/open/README.txt");
    assert.equal(r.status, 200);
    assert.match((await get("/api-org?list-type=2&delimiter=/")).body, /<Prefix>open\/<\/Prefix>/);
    const root = await get("/");
    assert.deepEqual([...root.body.matchAll(/<Name>(.*?)<\/Name>/g)].map((m) => m[1]), ["api-org"]);
    const [line] = await requestLogs(proxy, [r]);
    assert.equal(line.registry, "registry");
    assert.ok(apiReads("v1/account/api-org") >= 1);
  });

  it("a second Worker of the same colo reads the entry from the colo tier, not the API", async () => {
    put("v1/account/colo-org", orgEntry());
    assert.equal((await get("/colo-org/open/README.txt")).status, 200);
    assert.equal(apiReads("v1/account/colo-org"), 1);
    const other = await startProxy({ config: apiConfig(api.url), bindings, cachePersist: cacheDir });
    try {
      // The colo write runs after the first answer (waitUntil): wait for it to be visible, then count.
      const r = await eventually(async () => {
        const x = await get("/colo-org/open/README.txt", undefined, other);
        const [l] = await requestLogs(other, [x]);
        return l.registry === "colo" ? x : null;
      }, { timeoutMs: 10_000, what: "the colo tier to answer the second Worker" });
      assert.equal(r.status, 200);
      assert.equal(apiReads("v1/account/colo-org"), 1);
    } finally {
      await other.close();
    }
  });

  it("a key created while the Worker runs is served within the TTL; disabled or removed, refused within it", async () => {
    const id = "AKIDREGAPI" + crypto.randomBytes(4).toString("hex").toUpperCase();
    const p = "/api-org/secret/hello.txt";
    const status = async () => (await fetch(`${proxy.url}${p}`, { headers: await signedHeaders(id, p) })).status;
    assert.equal(await status(), 403);
    put(`v1/key/${id}`, { generation: 1, nonce: nonceOf(id), scopes: [{ account: "api-org", repository: "secret", actions: ["read"] }] });
    await eventually(async () => (await status()) === 200, { timeoutMs: 20_000, what: "the new key to be served" });
    // What the API answers holds no secret of any key.
    for (const value of entries.values()) assert.ok(!value.includes(secretOf(id)));
    put(`v1/key/${id}`, { generation: 1, nonce: nonceOf(id), disabled: true, scopes: [] });
    await eventually(async () => (await status()) === 403, { timeoutMs: 20_000, what: "the disabled key to be refused" });
    entries.delete(`v1/key/${id}`);
    await sleep(TTL_S * 1000 + 100);
    const r = await fetch(`${proxy.url}${p}`, { headers: await signedHeaders(id, p) });
    assert.equal(code(await r.text()), "InvalidAccessKeyId");
  });

  it("100 concurrent cold requests for one account make one API request", async () => {
    put("v1/account/cold-api-org", orgEntry());
    const answers = await Promise.all(Array.from({ length: 100 }, () => get("/cold-api-org/open/README.txt")));
    assert.deepEqual([...new Set(answers.map((a) => a.status))], [200]);
    assert.equal(apiReads("v1/account/cold-api-org"), 1);
  });

  it("the API failing: the last good entry serves within its bound; with nothing to serve 503 + Retry-After", async () => {
    put("v1/account/flaky-org", orgEntry());
    assert.equal((await get("/flaky-org/open/README.txt")).status, 200); // learnt
    for (const mode of ["stall", "stall-body", "status500", "garbage", "truncate"]) {
      await withFault(mode, async () => {
        await sleep(TTL_S * 1000 + 100); // past the TTL: the next request asks the API
        const r = await get("/flaky-org/open/README.txt");
        assert.equal(r.status, 200, mode);
        const [line] = await requestLogs(proxy, [r]);
        assert.equal(line.registry, "stale", mode);
        assert.match(line.registry_note, /served stale/, mode);
        // An account the API has but this Worker never learnt: nothing to fall back to.
        const fresh = `never-seen-${mode.replace(/[^a-z0-9]/g, "")}`;
        put(`v1/account/${fresh}`, orgEntry());
        const none = await get(`/${fresh}/open/README.txt`);
        assert.equal(none.status, 503, mode);
        assert.equal(code(none.body), "ServiceUnavailable", mode);
        assert.ok(none.headers.get("retry-after"), mode);
      });
    }
    assert.equal((await get("/never-seen-stall/open/README.txt")).status, 200); // the failure was not remembered
  });

  it("a malformed or unsealed entry fails its own account only, the field named in the log", async () => {
    put("v1/account/broken-org", { backends: {}, repositories: { data: { backend: "missing" } } });
    entries.set("v1/account/unsealed-org", JSON.stringify(orgEntry()));
    const bad = await get("/broken-org/data/x");
    assert.equal(bad.status, 503);
    assert.match((await requestLogs(proxy, [bad]))[0].detail, /repositories\.data\.backend: unknown backend/);
    const unsealed = await get("/unsealed-org/open/README.txt");
    assert.equal(unsealed.status, 503);
    assert.match((await requestLogs(proxy, [unsealed]))[0].detail, /not sealed by the deployment key/);
    assert.equal((await get("/api-org/open/README.txt")).status, 200);
  });

  it("a Worker holding the wrong token gets 401 from the API: 503 to its clients, the token in no log line", async () => {
    const wrong = await startProxy({ config: apiConfig(api.url), bindings: { ...bindings, REGISTRY_API_TOKEN: "not the token" } });
    try {
      const r = await get("/api-org/open/README.txt", undefined, wrong);
      assert.equal(r.status, 503);
      const [line] = await requestLogs(wrong, [r]);
      assert.match(line.detail, /registry API answered 401/);
      assert.ok(!wrong.logs.some((l) => l.includes(TOKEN) || l.includes("not the token")));
      assert.ok(!proxy.logs.some((l) => l.includes(TOKEN)));
    } finally {
      await wrong.close();
    }
  });
});
