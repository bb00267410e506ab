// Azure backends beyond Shared Key (issue 17 item 2):
//
// - SAS ("auth": {"type": "sas", "sas_token_secret"}) against a real Azurite, which verifies SAS signatures,
//   permissions and expiry (no --loose). The SASs are service SASs made here with node:crypto per Azure's spec
//   (string to sign of version 2020-12-06 and later: sp, st, se, canonicalized resource, si, sip, spr, sv, sr,
//   snapshot time, encryption scope, rscc…rsct; HMAC-SHA256 with the account key). Reads, ranges, listings,
//   writes, a copy and deletes through a read-write SAS; a write through a read-only SAS and anything through an
//   expired one answer 403 AccessDenied, uncached; the SAS never shows in a log line or an answer.
// - Microsoft Entra workload identity federation ("auth": {"type": "entra_workload_identity", …}): the token
//   endpoint is tests/emulator/entra.py (verifies the proxy's assertion against the proxy's JWKS, its iss/sub/aud
//   against the app's federated credential, exp, client_id, grant_type, scope), the storage side is
//   tests/azurite/bearer_front.mjs (checks the bearer Entra issued, unexpired, and x-ms-version) forwarding to a
//   real Azurite. N cold requests → 1 exchange; a second proxy on the same colo cache → 0; a wrong audience or
//   subject → 502 BadGateway with the AADSTS code in the log and nothing cached; a short-lived token is renewed
//   ahead of its expiry.
//
// Starts its own Azurite (scripts/lib/azurite.sh) unless AZURITE_URL names one. Backends outlive a run: keys and
// subjects are this run's.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { AwsV4Signer } from "aws4fetch";
import { azureFetch, DEV_ACCOUNT, DEV_KEY } from "../azurite/shared_key.mjs";
import { startBearerFront } from "../azurite/bearer_front.mjs";
import { startOAuthAzurite } from "../azurite/oauth_azurite.mjs";
import { DEMO_SECRETS, DEMO_USER, demoConfig, emu, EMU, eventually, jsonLogs, requestLogs, startProxy, xmlField, startAzurite } from "./harness.mjs";

const CONTAINER = "authz";
const HELLO = "hello through an Azure SAS or an Entra token\n";
const RUN = `${process.pid}-${Date.now()}`;
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const ISSUER = "http://127.0.0.1:8787"; // config/demo.json's federation issuer
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let seq = 0;

let azurite;
let azuriteServer;
let front;
const proxies = [];
const tmpdirs = [];

// ---- a service SAS for the container, per "Create a service SAS" (version 2020-12-06 and later) ----
const SAS_VERSION = "2021-08-06";
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
export function serviceSas({ permissions, expiry, start = "", container = CONTAINER, key = DEV_KEY }) {
  const fields = [permissions, start, expiry, `/blob/${DEV_ACCOUNT}/${container}`, "", "", "", SAS_VERSION, "c", "", "",
    "", "", "", "", ""];
  const sig = crypto.createHmac("sha256", Buffer.from(key, "base64")).update(fields.join("\n"), "utf8").digest("base64");
  const q = [["sv", SAS_VERSION], ["sr", "c"], ["sp", permissions], ...(start ? [["st", start]] : []), ["se", expiry], ["sig", sig]];
  return { query: q.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&"), sig };
}
const HOUR = 3600_000;
const SAS_RW = serviceSas({ permissions: "racwdl", expiry: iso(Date.now() + 6 * HOUR) });
const SAS_RO = serviceSas({ permissions: "rl", expiry: iso(Date.now() + 6 * HOUR) });
const SAS_EXPIRED = serviceSas({ permissions: "racwdl", start: iso(Date.now() - 3 * HOUR), expiry: iso(Date.now() - HOUR) });
// Signed with another key: Azurite must refuse it (the SAS checks above prove something only if it verifies).
const SAS_FORGED = serviceSas({ permissions: "racwdl", expiry: iso(Date.now() + 6 * HOUR), key: Buffer.alloc(64, 7).toString("base64") });
const SAS_SECRETS = { AZ_SAS_RW: "?" + SAS_RW.query, AZ_SAS_RO: SAS_RO.query, AZ_SAS_EXPIRED: SAS_EXPIRED.query,
  AZ_SAS_FORGED: SAS_FORGED.query };
const SIGS = [SAS_RW.sig, SAS_RO.sig, SAS_EXPIRED.sig, SAS_FORGED.sig];

const blobPath = (name) => `/${DEV_ACCOUNT}/${CONTAINER}/` + name.split("/").map(encodeURIComponent).join("/");
async function azure(req, ok) {
  const r = await azureFetch(azurite, req);
  if (!ok.includes(r.status)) throw new Error(`azurite ${req.method} ${req.path}: ${r.status} ${await r.text()}`);
}

function config(mutate) {
  return demoConfig((c) => {
    const az = (auth, endpoint = `${azurite}/${DEV_ACCOUNT}`) => ({ dialect: "azure", endpoint, account: DEV_ACCOUNT,
      container: CONTAINER, timeout_ms: 10000, auth });
    c.backends["az-sas-rw"] = az({ type: "sas", sas_token_secret: "AZ_SAS_RW" });
    c.backends["az-sas-ro"] = az({ type: "sas", sas_token_secret: "AZ_SAS_RO" });
    c.backends["az-sas-expired"] = az({ type: "sas", sas_token_secret: "AZ_SAS_EXPIRED" });
    c.backends["az-sas-forged"] = az({ type: "sas", sas_token_secret: "AZ_SAS_FORGED" });
    const repos = c.accounts["demo-org"].repositories;
    repos["sas-rw"] = { backend: "az-sas-rw", prefix: "t/", cache: { enabled: false } };
    repos["sas-rw-cached"] = { backend: "az-sas-rw", prefix: "t/", public: true, cache: { chunk_size: 65536, admit_after: 1 } };
    repos["sas-ro"] = { backend: "az-sas-ro", prefix: "t/", cache: { enabled: false } };
    repos["sas-expired"] = { backend: "az-sas-expired", prefix: "t/", public: true, cache: { enabled: true, admit_after: 1 } };
    repos["sas-forged"] = { backend: "az-sas-forged", prefix: "t/", public: true, cache: { enabled: false } };
    mutate?.(c);
    const scopes = c.access_keys[DEMO_USER.id].scopes;
    for (const repository of ["sas-rw", "sas-ro", "entra"].filter((r) => repos[r]))
      scopes.push({ account: "demo-org", repository, actions: ["read", "list", "write", "delete"] });
  });
}

async function proxy({ cfg = config(), bindings = {}, cachePersist, trustedCertificates } = {}) {
  const p = await startProxy({ config: cfg, bindings: { ...DEMO_SECRETS, ...SAS_SECRETS, ...bindings }, cachePersist, trustedCertificates });
  proxies.push(p);
  return p;
}

// A request of the demo user's, SigV4-signed.
async function signed(p, method, key, { body, headers = {}, query = "" } = {}) {
  const s = await new AwsV4Signer({ url: `${p.url}/demo-org/${key}${query}`, method, body, headers, accessKeyId: DEMO_USER.id,
    secretAccessKey: DEMO_USER.secret, service: "s3", region: "us-east-1" }).sign();
  const r = await fetch(s.url, { method, headers: s.headers, body });
  return { status: r.status, headers: r.headers, text: await r.text() };
}
const logOf = async (p, r) => (await requestLogs(p, [r]))[0];

before(async () => {
  azuriteServer = startAzurite();
  azurite = azuriteServer.url;
  await azure({ method: "PUT", path: `/${DEV_ACCOUNT}/${CONTAINER}`, query: [["restype", "container"]] }, [201, 409]);
  for (const [k, body] of [["t/hello.txt", HELLO], ["t/dir/a.txt", "a\n"], ["t/dir/b.txt", "b\n"]])
    await azure({ method: "PUT", path: blobPath(k), body, headers: [["x-ms-blob-type", "BlockBlob"], ["content-type", "text/plain"]] }, [201]);
  front = await startBearerFront({ emu: EMU, azurite });
});
after(async () => {
  await Promise.all(proxies.map((p) => p.close().catch(() => {})));
  await front?.close();
  for (const d of tmpdirs) fs.rmSync(d, { recursive: true, force: true });
  azuriteServer?.stop();
});

// No SAS signature, and no Entra token, in any log line or answer of these proxies.
async function assertNoSecrets(ps, answers = []) {
  const { entra_tokens: tokens = [] } = await emu("credentials");
  for (const s of [...SIGS, ...SIGS.map(encodeURIComponent), ...tokens])
    for (const p of ps) {
      assert.ok(!p.logs.some((l) => l.includes(s)), "a secret in the log");
      for (const a of answers) assert.ok(!a.includes(s), "a secret in an answer");
    }
}

describe("azure SAS (Azurite verifies the SAS)", () => {
  it("a read-write SAS: read, range, HEAD, list, put, copy, delete — the SAS on every request, no Authorization header", async () => {
    const p = await proxy();
    const answers = [];
    const r = await signed(p, "GET", "sas-rw/hello.txt");
    answers.push(r.text, JSON.stringify([...r.headers]));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, HELLO);
    const ranged = await signed(p, "GET", "sas-rw/hello.txt", { headers: { range: "bytes=0-4" } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.text, "hello");
    const head = await signed(p, "HEAD", "sas-rw/hello.txt");
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(HELLO.length));
    const list = await signed(p, "GET", "", { query: "?list-type=2&prefix=sas-rw/dir/" });
    answers.push(list.text);
    assert.equal(list.status, 200, list.text);
    assert.deepEqual([...list.text.matchAll(/<Key>(.*?)<\/Key>/g)].map((m) => m[1]), ["sas-rw/dir/a.txt", "sas-rw/dir/b.txt"]);

    const key = `sas-rw/w/${RUN}-${++seq}.txt`;
    const body = `written through a SAS ${RUN}\n`;
    const put = await signed(p, "PUT", key, { body, headers: { "content-type": "text/plain", "x-amz-content-sha256": crypto.createHash("sha256").update(body).digest("hex") } });
    answers.push(put.text);
    assert.equal(put.status, 200, put.text);
    assert.equal((await signed(p, "GET", key)).text, body);
    // Copy Blob: the source URL carries the SAS too (the host appends it to x-ms-copy-source).
    const copy = await signed(p, "PUT", `${key}.copy`, { headers: { "x-amz-copy-source": `/demo-org/${key}` } });
    answers.push(copy.text);
    assert.equal(copy.status, 200, copy.text);
    assert.equal((await signed(p, "GET", `${key}.copy`)).text, body);
    for (const k of [key, `${key}.copy`]) assert.equal((await signed(p, "DELETE", k)).status, 204);
    assert.equal((await signed(p, "GET", key)).status, 404);
    // Azurite saw the blob go: the writes were real.
    assert.equal((await azureFetch(azurite, { method: "HEAD", path: blobPath(`t/w/${key.split("/w/")[1]}`) })).status, 404);

    // The public, cached repository on the same SAS: chunks fetched by the host carry the SAS too.
    const cached = await fetch(`${p.url}/demo-org/sas-rw-cached/hello.txt`);
    assert.equal(cached.status, 200);
    assert.equal(await cached.text(), HELLO);
    const again = await fetch(`${p.url}/demo-org/sas-rw-cached/hello.txt`);
    assert.equal(await again.text(), HELLO);
    assert.equal((await logOf(p, again)).cache, "hit");
    await assertNoSecrets([p], answers);
  });

  it("a read-only SAS: reads and lists, a write or delete is 403 AccessDenied (Azure's AuthorizationPermissionMismatch)", async () => {
    const p = await proxy();
    assert.equal((await signed(p, "GET", "sas-ro/hello.txt")).text, HELLO);
    assert.equal((await signed(p, "GET", "", { query: "?list-type=2&prefix=sas-ro/" })).status, 200);
    const put = await signed(p, "PUT", `sas-ro/w/${RUN}.txt`, { body: "no\n" });
    assert.equal(put.status, 403, put.text);
    assert.equal(xmlField(put.text, "Code"), "AccessDenied");
    const line = await logOf(p, put);
    assert.match(JSON.stringify(line), /backend 403 (AuthorizationPermissionMismatch|AuthorizationFailure)/);
    const del = await signed(p, "DELETE", "sas-ro/hello.txt");
    assert.equal(del.status, 403, del.text);
    assert.equal((await signed(p, "GET", "sas-ro/hello.txt")).text, HELLO); // still there
    await assertNoSecrets([p], [put.text, del.text]);
  });

  // Azure answers an expired SAS 403 AuthenticationFailed; Azurite 3.35 answers 403 AuthorizationFailure.
  it("an expired SAS: 403 AccessDenied on reads, HEAD and lists, and the refusal is not cached; a forged one: 403", async () => {
    const p = await proxy();
    const answers = [];
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${p.url}/demo-org/sas-expired/hello.txt`);
      const text = await r.text();
      answers.push(text);
      assert.equal(r.status, 403, text);
      assert.equal(xmlField(text, "Code"), "AccessDenied");
      const line = await logOf(p, r);
      assert.match(JSON.stringify(line), /backend 403 (AuthenticationFailed|AuthorizationFailure)/);
      assert.notEqual(line.cache, "hit");
    }
    const head = await fetch(`${p.url}/demo-org/sas-expired/hello.txt`, { method: "HEAD" });
    assert.equal(head.status, 403);
    const list = await fetch(`${p.url}/demo-org?list-type=2&prefix=sas-expired/`);
    const text = await list.text();
    answers.push(text);
    assert.equal(list.status, 403, text);
    // The same object through the valid SAS reads (a cached 403 would be no hit there: another principal), and the
    // expired repository still refuses after it.
    assert.equal((await signed(p, "GET", "sas-rw/hello.txt")).status, 200);
    assert.equal((await fetch(`${p.url}/demo-org/sas-expired/hello.txt`)).status, 403);
    const forged = await fetch(`${p.url}/demo-org/sas-forged/hello.txt`);
    answers.push(await forged.text());
    assert.equal(forged.status, 403);
    assert.match(JSON.stringify(await logOf(p, forged)), /backend 403 (AuthenticationFailed|AuthorizationFailure)/);
    await assertNoSecrets([p], answers);
  });

  it("a secret that is no SAS is a config error naming the field, without its value", async () => {
    const bad = "sv=2021-08-06&sig=abc def";
    const p = await proxy({ bindings: { AZ_SAS_RO: bad } });
    const r = await fetch(`${p.url}/demo-org/sas-ro/hello.txt`);
    await r.text();
    assert.equal(r.status >= 500, true);
    const line = await eventually(() => jsonLogs(p).find((l) => l.msg === "invalid config"), { what: "the config error" });
    assert.match(line.error, /backends\.az-sas-ro\.auth\.sas_token_secret: Worker secret "AZ_SAS_RO" is not a SAS query string/);
    assert.ok(!p.logs.some((l) => l.includes("abc def")));
  });
});

// ---- Entra: an app of its own per test (the stand-in's configuration outlives runs), one federated credential ----
const entra = () => emu("entra");
// An app of its own per test (configuration outlives runs), with one federated credential.
async function app({ subject, audiences } = {}) {
  const clientId = crypto.randomUUID();
  await emu("entra", { tenants: { [TENANT]: { apps: { [clientId]: { federated_credentials: [
    { issuer: ISSUER, subject, audiences: audiences ?? ["api://AzureADTokenExchange"] }] } } } } });
  return clientId;
}
const entraConfig = (auth, endpoint = `${front.url}/${DEV_ACCOUNT}`) => config((c) => {
  c.backends["az-entra"] = { dialect: "azure", endpoint, account: DEV_ACCOUNT,
    container: CONTAINER, timeout_ms: 10000,
    auth: { type: "entra_workload_identity", tenant_id: TENANT, authority: `${EMU}/__entra`, ...auth } };
  const repos = c.accounts["demo-org"].repositories;
  repos.entra = { backend: "az-entra", prefix: "t/", public: true, cache: { enabled: false } };
});
const subjectOf = (what) => `s3-edge-proxy:azure-${what}-${RUN}-${++seq}`;
const get = async (p, key = "hello.txt") => {
  const r = await fetch(`${p.url}/demo-org/entra/${key}`);
  return { status: r.status, text: await r.text(), headers: r.headers };
};

describe("azure with Microsoft Entra workload identity (Entra stand-in + bearer-checking front on Azurite)", () => {
  it("20 concurrent cold requests make 1 token exchange; reads, lists and writes carry the bearer; a second proxy on the colo cache makes 0", async () => {
    const subject = subjectOf("cold");
    const clientId = await app({ subject });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-entra-l2-"));
    tmpdirs.push(dir);
    const cfg = entraConfig({ client_id: clientId, subject });
    const a = await proxy({ cfg, cachePersist: dir });
    const before = await entra();
    const okBefore = front.stats.bearer_ok;
    const results = await Promise.all(Array.from({ length: 20 }, () => get(a)));
    for (const r of results) {
      assert.equal(r.status, 200, r.text);
      assert.equal(r.text, HELLO);
    }
    const mid = await entra();
    assert.equal(mid.exchanges_by_client[clientId], 1);
    assert.equal(mid.exchanges - before.exchanges, 1);
    assert.equal(front.stats.bearer_ok - okBefore, 20);
    assert.deepEqual(mid.last_form, { client_id: clientId, scope: "https://storage.azure.com/.default",
      grant_type: "client_credentials", client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" });

    const list = await fetch(`${a.url}/demo-org?list-type=2&prefix=entra/dir/`);
    const xml = await list.text();
    assert.equal(list.status, 200, xml);
    assert.deepEqual([...xml.matchAll(/<Key>(.*?)<\/Key>/g)].map((m) => m[1]), ["entra/dir/a.txt", "entra/dir/b.txt"]);
    const key = `entra/w/${RUN}-${++seq}.txt`;
    const put = await signed(a, "PUT", key, { body: "bearer write\n" });
    assert.equal(put.status, 200, put.text);
    assert.equal((await signed(a, "GET", key)).text, "bearer write\n");
    assert.equal((await signed(a, "DELETE", key)).status, 204);
    assert.equal((await entra()).exchanges_by_client[clientId], 1);

    // The colo tier: sealed (no token in it in plaintext), and enough for another isolate.
    const l1 = ["entra", `${EMU}/__entra/${TENANT}/oauth2/v2.0/token`, clientId, "api://AzureADTokenExchange",
      "https://storage.azure.com/.default", subject].join("\n");
    const l2 = `https://sts-creds.cache.internal/v1/${encodeURIComponent(`entra/${TENANT}`)}/${encodeURIComponent(clientId)}/` +
      crypto.createHash("sha256").update(l1).digest("hex");
    const entry = await eventually(async () => {
      const r = await (await a.mf.getCaches()).default.match(l2);
      return r ? Buffer.from(await r.arrayBuffer()) : null;
    }, { what: `the L2 entry ${l2}` });
    for (const t of (await emu("credentials")).entra_tokens) assert.ok(!entry.includes(Buffer.from(t)), "a token in the L2 entry");

    const b = await proxy({ cfg, cachePersist: dir });
    const r = await fetch(`${b.url}/demo-org/entra/hello.txt`);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), HELLO);
    assert.equal((await logOf(b, r)).creds, "L2");
    assert.equal((await entra()).exchanges_by_client[clientId], 1);
    await assertNoSecrets([a, b], [xml]);
  });

  for (const [what, auth, aadsts] of [
    ["a wrong audience", { token_audience: "api://SomethingElse" }, /AADSTS700212/],
    ["a wrong subject", { subject: "s3-edge-proxy:not-the-federated-one" }, /AADSTS700213/],
  ])
    it(`${what}: Entra refuses (invalid_client), 502 BadGateway with the AADSTS code in the log, nothing cached`, async () => {
      const subject = subjectOf("refused");
      const clientId = await app({ subject });
      const p = await proxy({ cfg: entraConfig({ client_id: clientId, subject, ...auth }) });
      const before = await entra();
      const fwd = front.stats.forwarded;
      for (let i = 1; i <= 2; i++) {
        const r = await get(p);
        assert.equal(r.status, 502, r.text);
        assert.equal(xmlField(r.text, "Code"), "BadGateway");
        assert.doesNotMatch(r.text, /AADSTS/); // the client gets a generic message
        const line = await logOf(p, r);
        assert.match(line.detail, /entra token HTTP 401 invalid_client: /);
        assert.match(line.detail, aadsts);
        const now = await entra();
        assert.equal(now.rejected_by_client[clientId], i); // not cached: each request asks again
        assert.equal(now.exchanges - before.exchanges, 0);
      }
      assert.equal(front.stats.forwarded, fwd); // no storage request without a token
    });

  it("a short-lived token is renewed before it expires: served while fresh, renewed in the lead, never used expired", async () => {
    await emu("entra", { token_lifetime_s: 66 }); // L1 serves it until expiry − 60 s, then renews ahead of expiry
    try {
      const subject = subjectOf("short");
      const clientId = await app({ subject });
      const p = await proxy({ cfg: entraConfig({ client_id: clientId, subject }) });
      assert.equal((await get(p)).status, 200);
      assert.equal((await get(p)).status, 200);
      assert.equal((await entra()).exchanges_by_client[clientId], 1);
      await sleep(6500); // inside the lead (< 60 s left): the next request is served and a renewal starts
      const rejectedBefore = front.stats.bearer_rejected;
      const r = await get(p);
      assert.equal(r.status, 200, r.text);
      await eventually(async () => (await entra()).exchanges_by_client[clientId] === 2, { what: "the renewal" });
      assert.equal((await get(p)).status, 200);
      assert.equal(front.stats.bearer_rejected, rejectedBefore); // no expired token ever reached storage
    } finally {
      await emu("entra", { token_lifetime_s: 3600 });
    }
  });
});

describe("azure with Microsoft Entra workload identity against Azurite's own OAuth (HTTPS, --oauth basic)", () => {
  let az;
  before(async () => {
    az = await startOAuthAzurite();
    const ok = (r, codes) => assert.ok(codes.includes(r.status), `${r.status} ${r.text}`);
    ok(await az.request({ method: "PUT", path: `/${DEV_ACCOUNT}/${CONTAINER}`, query: [["restype", "container"]] }), [201, 409]);
    for (const [k, body] of [["t/hello.txt", HELLO], ["t/dir/a.txt", "a\n"], ["t/dir/b.txt", "b\n"]])
      ok(await az.request({ method: "PUT", path: blobPath(k), body, headers: [["x-ms-blob-type", "BlockBlob"]] }), [201]);
  });
  after(() => az?.stop());

  it("the Entra token is what Azurite authorizes: reads, ranges, lists, writes; Azurite refuses a token it cannot read", async () => {
    const subject = subjectOf("azurite-oauth");
    const clientId = await app({ subject });
    const p = await proxy({ cfg: entraConfig({ client_id: clientId, subject }, `${az.url}/${DEV_ACCOUNT}`), trustedCertificates: [az.pem] });
    const r = await get(p);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, HELLO);
    const ranged = await fetch(`${p.url}/demo-org/entra/hello.txt`, { headers: { range: "bytes=6-12" } });
    assert.equal(ranged.status, 206);
    assert.equal(await ranged.text(), "through");
    const list = await fetch(`${p.url}/demo-org?list-type=2&prefix=entra/dir/`);
    const xml = await list.text();
    assert.equal(list.status, 200, xml);
    assert.deepEqual([...xml.matchAll(/<Key>(.*?)<\/Key>/g)].map((m) => m[1]), ["entra/dir/a.txt", "entra/dir/b.txt"]);
    const key = `entra/w/${RUN}-${++seq}.txt`;
    const put = await signed(p, "PUT", key, { body: "azurite oauth write\n" });
    assert.equal(put.status, 200, put.text);
    assert.equal((await signed(p, "GET", key)).text, "azurite oauth write\n");
    const copy = await signed(p, "PUT", `${key}.copy`, { headers: { "x-amz-copy-source": `/demo-org/${key}` } });
    assert.equal(copy.status, 200, copy.text);
    for (const k of [key, `${key}.copy`]) assert.equal((await signed(p, "DELETE", k)).status, 204);
    assert.equal((await entra()).exchanges_by_client[clientId], 1);

    // Azurite does check the bearer: the token the stand-in issued reads, a token it cannot read does not.
    const token = (await emu("credentials")).entra_tokens.at(-1);
    assert.equal((await az.request({ path: blobPath("t/hello.txt"), authorization: `Bearer ${token}` })).status, 200);
    const refused = await az.request({ path: blobPath("t/hello.txt"), authorization: "Bearer not.a-token.x" });
    assert.equal(refused.status, 403, refused.text);
    await assertNoSecrets([p], [xml]);
  });
});
