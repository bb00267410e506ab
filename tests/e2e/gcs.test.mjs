// Google Cloud Storage behind the proxy ("dialect": "gcs"), against local stand-ins (no GCS emulator exists):
// the emulator's S3 front plays GCS's XML API (SigV4 with HMAC keys verified as for S3; "Authorization: Bearer"
// accepted only for tokens its Google STS / iamcredentials stand-ins issued, while unexpired), and
// tests/emulator/gcp.py plays Google STS (verifies the proxy's JWT against the proxy's JWKS, its iss, aud, exp,
// the form and the audience format) and iamcredentials (checks the federated Bearer). What this proves and what it
// cannot (real Google) is in README.md's GCS section.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { AwsV4Signer } from "aws4fetch";
import { DEMO_USER, demoConfig, emu, EMU, eventually, requestLogs, startProxy, xmlField } from "./harness.mjs";

const HELLO = "hello from a signed backend\n";
const PROVIDER = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/e2e-pool/providers/e2e-proxy";
const SA = "gcs-reader@e2e-project.iam.gserviceaccount.com";
const SCOPE = "https://www.googleapis.com/auth/devstorage.read_write";
const STS = `${EMU}/__gcp/sts/v1/token`;
const IAM = `${EMU}/__gcp/iam`;
const sha256 = (b) => crypto.createHash("sha256").update(b).digest("hex");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let seq = 0;
const uniqueSubject = (what) => `s3-edge-proxy:gcs-${what}-${process.pid}-${++seq}`;
const gcp = () => emu("gcp");

// The demo config with GCS backends: gcs-hmac (HMAC keys) behind demo-org/gcs-hmac (read) and demo-org/uploads
// (the demo user's writable repository), and a workload-identity backend behind demo-org/gcs-wif.
function gcsConfig({ subject = uniqueSubject("x"), wif = {} } = {}) {
  return demoConfig((c) => {
    c.backends["gcs-hmac"] = {
      dialect: "gcs", endpoint: EMU, bucket: "private-bucket", region: "us-east-1", timeout_ms: 10000,
      auth: { type: "hmac", access_key_id_secret: "DEMO_BACKEND_ACCESS_KEY_ID", secret_access_key_secret: "DEMO_BACKEND_SECRET_ACCESS_KEY" },
    };
    c.backends["gcs-wif"] = {
      dialect: "gcs", endpoint: EMU, bucket: "private-bucket", timeout_ms: 10000,
      auth: { type: "gcp_workload_identity", audience: PROVIDER, subject, sts_endpoint: STS, iam_endpoint: IAM, ...wif },
    };
    const repos = c.accounts["demo-org"].repositories;
    repos["gcs-hmac"] = { backend: "gcs-hmac", prefix: "repos/secret-data/", public: true };
    // No edge cache here: each read is one backend request, so the counts below are exact.
    repos["gcs-wif"] = { backend: "gcs-wif", prefix: "repos/secret-data/", public: true, cache: { enabled: false } };
    repos.uploads = { backend: "gcs-hmac", prefix: "repos/uploads/" };
  });
}

const proxies = [];
const tmpdirs = [];
async function proxy(opts, cachePersist) {
  const p = await startProxy({ config: gcsConfig(opts), cachePersist });
  proxies.push(p);
  return p;
}
async function get(p, repo, key = "hello.txt") {
  const r = await fetch(`${p.url}/demo-org/${repo}/${key}`);
  return { status: r.status, body: await r.text(), headers: r.headers };
}
const logOf = async (p, r) => (await requestLogs(p, [r]))[0];

describe("gcs: the GCS dialect (XML API) with HMAC keys and with GCP workload identity federation", () => {
  before(async () => {
    await emu("gcp", { providers: { [PROVIDER]: { issuer: "http://127.0.0.1:8787", service_accounts: [SA] } }, token_lifetime_s: 3600 });
  });
  after(async () => {
    await emu("gcp", { token_lifetime_s: 3600 });
    await Promise.all(proxies.map((p) => p.close().catch(() => {})));
    for (const d of tmpdirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("HMAC keys: reads, ranges, listings and a write through a gcs repository (SigV4 verified by the stand-in)", async () => {
    const p = await proxy();
    const r = await get(p, "gcs-hmac");
    assert.equal(r.status, 200, r.body);
    assert.equal(r.body, HELLO);
    const ranged = await fetch(`${p.url}/demo-org/gcs-hmac/hello.txt`, { headers: { range: "bytes=0-4" } });
    assert.equal(ranged.status, 206);
    assert.equal(await ranged.text(), "hello");
    const list = await fetch(`${p.url}/demo-org?list-type=2&prefix=gcs-hmac/`);
    const xml = await list.text();
    assert.equal(list.status, 200, xml);
    assert.match(xml, /<Key>gcs-hmac\/hello\.txt<\/Key>/);
    assert.doesNotMatch(xml, /repos\/secret-data/); // the backend prefix never leaks
    const missing = await get(p, "gcs-hmac", "no-such-key.txt");
    assert.equal(missing.status, 404);
    assert.equal(xmlField(missing.body, "Code"), "NoSuchKey");

    // A write with an S3 checksum header: GCS takes none, so the proxy sends none (its own SigV4 covers the rest).
    const body = Buffer.from(`gcs write ${Date.now()}\n`);
    const since = (await emu("requests")).last;
    const s = await new AwsV4Signer({ url: `${p.url}/demo-org/uploads/gcs/${seq}.txt`, method: "PUT", body,
      headers: { "x-amz-content-sha256": sha256(body), "x-amz-checksum-sha256": crypto.createHash("sha256").update(body).digest("base64") },
      accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret, service: "s3", region: "us-east-1" }).sign();
    const put = await fetch(s.url, { method: "PUT", headers: s.headers, body });
    assert.equal(put.status, 200, await put.text());
    const sent = (await emu(`requests?since=${since}`)).requests.filter((q) => q.method === "PUT");
    assert.equal(sent.length, 1);
    assert.ok(!sent[0].headers.some(([n]) => n.toLowerCase().startsWith("x-amz-checksum-")), JSON.stringify(sent[0].headers));
    const s2 = await new AwsV4Signer({ url: `${p.url}/demo-org/uploads/gcs/${seq}.txt`, accessKeyId: DEMO_USER.id,
      secretAccessKey: DEMO_USER.secret, service: "s3", region: "us-east-1" }).sign();
    const back = await fetch(s2.url, { headers: s2.headers });
    assert.equal(back.status, 200);
    assert.equal(await back.text(), body.toString());
    const s3 = await new AwsV4Signer({ url: `${p.url}/demo-org/uploads/gcs/${seq}.txt`, method: "DELETE", accessKeyId: DEMO_USER.id,
      secretAccessKey: DEMO_USER.secret, service: "s3", region: "us-east-1" }).sign();
    assert.equal((await fetch(s3.url, { method: "DELETE", headers: s3.headers })).status, 204);
    const s4 = await new AwsV4Signer({ url: `${p.url}/demo-org/uploads/gcs/${seq}.txt`, accessKeyId: DEMO_USER.id,
      secretAccessKey: DEMO_USER.secret, service: "s3", region: "us-east-1" }).sign();
    assert.equal((await fetch(s4.url, { headers: s4.headers })).status, 404);
  });

  // GCS's XML API has no multi-object delete: one DELETE per key, 16 at a time (FetchBatch windows, as on Azure).
  it("HMAC keys: DeleteObjects of 40 keys (2 never written) is one DELETE per key, each reported, all gone", async () => {
    const p = await proxy();
    const sign = (url, init = {}) => new AwsV4Signer({ url, accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret,
      service: "s3", region: "us-east-1", ...init }).sign();
    const run = `${process.pid}-${Date.now()}`;
    const keys = Array.from({ length: 40 }, (_, i) => `uploads/gcs-batch-${run}/k${i}`);
    await Promise.all(keys.slice(0, 38).map(async (k) => {
      const body = Buffer.from(k);
      const s = await sign(`${p.url}/demo-org/${k}`, { method: "PUT", body, headers: { "x-amz-content-sha256": sha256(body) } });
      assert.equal((await fetch(s.url, { method: "PUT", headers: s.headers, body })).status, 200);
    }));
    const since = (await emu("requests")).last;
    const doc = `<Delete>${keys.map((k) => `<Object><Key>${k}</Key></Object>`).join("")}</Delete>`;
    const s = await sign(`${p.url}/demo-org?delete=`, { method: "POST", body: doc, headers: { "x-amz-content-sha256": sha256(doc) } });
    const r = await fetch(s.url, { method: "POST", headers: s.headers, body: doc });
    const xml = await r.text();
    assert.equal(r.status, 200, xml);
    assert.deepEqual([...xml.matchAll(/<Deleted><Key>(.*?)<\/Key>/g)].map((m) => m[1]), keys); // in request order
    assert.doesNotMatch(xml, /<Error>/);
    const sent = (await emu(`requests?since=${since}`)).requests;
    assert.equal(sent.filter((q) => q.method === "DELETE").length, 40);
    assert.equal(sent.filter((q) => q.method === "POST").length, 0);
    for (const k of [keys[0], keys[37]]) {
      const g = await sign(`${p.url}/demo-org/${k}`);
      assert.equal((await fetch(g.url, { headers: g.headers })).status, 404);
    }
  });

  it("workload identity: 50 concurrent cold requests make 1 exchange (+1 impersonation); a second proxy on the colo cache makes 0", async () => {
    const subject = uniqueSubject("cold");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-gcs-l2-"));
    tmpdirs.push(dir);
    const a = await proxy({ subject, wif: { service_account: SA } }, dir);
    const before = await gcp();
    const results = await Promise.all(Array.from({ length: 50 }, () => get(a, "gcs-wif")));
    for (const r of results) {
      assert.equal(r.status, 200, r.body);
      assert.equal(r.body, HELLO);
    }
    const mid = await gcp();
    assert.equal(mid.sts_exchanges - before.sts_exchanges, 1);
    assert.equal(mid.impersonations - before.impersonations, 1);
    assert.equal(mid.gcs_bearer_ok - before.gcs_bearer_ok, 50);
    assert.equal(mid.last_sts_form.audience, PROVIDER);
    assert.equal(mid.last_sts_form.grant_type, "urn:ietf:params:oauth:grant-type:token-exchange");
    assert.equal(mid.last_sts_form.scope, "https://www.googleapis.com/auth/cloud-platform");

    // The colo tier: the entry is written in the background, sealed (no token in it in plaintext).
    const l1 = ["gcp", PROVIDER, "https:" + PROVIDER, SA, SCOPE, STS, IAM, "3600", subject].join("\n");
    const key = `https://sts-creds.cache.internal/v1/${encodeURIComponent(PROVIDER)}/${encodeURIComponent(SA)}/${sha256(l1)}`;
    const entry = await eventually(async () => {
      const r = await (await a.mf.getCaches()).default.match(key);
      return r ? Buffer.from(await r.arrayBuffer()) : null;
    }, { what: `the L2 entry ${key}` });
    const { gcp_tokens: tokens } = await emu("credentials");
    for (const t of tokens) assert.ok(!entry.includes(Buffer.from(t)), "a token in the L2 entry in plaintext");

    const b = await proxy({ subject, wif: { service_account: SA } }, dir);
    const r = await get(b, "gcs-wif");
    assert.equal(r.status, 200, r.body);
    const bLine = await logOf(b, r);
    assert.equal(bLine.creds, "L2", JSON.stringify(bLine));
    const end = await gcp();
    assert.equal(end.sts_exchanges - mid.sts_exchanges, 0);
    assert.equal(end.impersonations - mid.impersonations, 0);

    // No token in any log line or response.
    for (const t of tokens)
      for (const p of [a, b]) assert.ok(!p.logs.some((l) => l.includes(t)), "a GCP token in the log");
  });

  it("workload identity without impersonation: the federated token reads and lists", async () => {
    const p = await proxy({ subject: uniqueSubject("fed") });
    const before = await gcp();
    const r = await get(p, "gcs-wif");
    assert.equal(r.status, 200, r.body);
    const list = await fetch(`${p.url}/demo-org?list-type=2&prefix=gcs-wif/`);
    assert.equal(list.status, 200);
    assert.match(await list.text(), /<Key>gcs-wif\/hello\.txt<\/Key>/);
    const after = await gcp();
    assert.equal(after.sts_exchanges - before.sts_exchanges, 1);
    assert.equal(after.impersonations - before.impersonations, 0);
    assert.equal(after.last_sts_form.scope, SCOPE);
  });

  it("a token for the wrong audience is refused by Google STS: 502 BadGateway, invalid_grant in the log, nothing cached", async () => {
    const p = await proxy({ subject: uniqueSubject("aud"), wif: { token_audience: "https://not-the-provider.example" } });
    const before = await gcp();
    const r = await get(p, "gcs-wif");
    assert.equal(r.status, 502, r.body);
    assert.equal(xmlField(r.body, "Code"), "BadGateway");
    const line = await logOf(p, r);
    assert.match(line.detail ?? JSON.stringify(line), /gcp sts HTTP 400 invalid_grant: InvalidIdentityToken: Incorrect token audience/);
    const after = await gcp();
    assert.equal(after.sts_rejected - before.sts_rejected, 1);
    assert.equal(after.sts_exchanges - before.sts_exchanges, 0);
    // Errors are not cached: the next request asks again.
    const again = await get(p, "gcs-wif");
    assert.equal(again.status, 502);
    assert.equal((await gcp()).sts_rejected - before.sts_rejected, 2);
  });

  it("a service account the provider may not impersonate: 403 AccessDenied (PERMISSION_DENIED)", async () => {
    const p = await proxy({ subject: uniqueSubject("perm"), wif: { service_account: "other@e2e-project.iam.gserviceaccount.com" } });
    const r = await get(p, "gcs-wif");
    assert.equal(r.status, 403, r.body);
    assert.equal(xmlField(r.body, "Code"), "AccessDenied");
    assert.match((await logOf(p, r)).detail, /gcp iamcredentials HTTP 403 PERMISSION_DENIED/);
  });

  it("a token about to expire is not used: the next request exchanges again, and GCS refuses the expired one", async () => {
    await emu("gcp", { token_lifetime_s: 8 });
    try {
      const p = await proxy({ subject: uniqueSubject("exp") });
      const before = await gcp();
      assert.equal((await get(p, "gcs-wif")).status, 200);
      const first = (await emu("credentials")).gcp_tokens.at(-1);
      await sleep(4000); // < 5 s left: never served (L1's rule), so this request leads a new exchange
      const r = await get(p, "gcs-wif");
      assert.equal(r.status, 200, r.body);
      assert.equal((await gcp()).sts_exchanges - before.sts_exchanges, 2);
      await sleep(4500); // the first token has expired: the GCS stand-in refuses it
      const direct = await fetch(`${EMU}/private-bucket/repos/secret-data/hello.txt`, { headers: { authorization: `Bearer ${first}` } });
      assert.equal(direct.status, 401);
      assert.equal(xmlField(await direct.text(), "Code"), "AuthenticationRequired");
    } finally {
      await emu("gcp", { token_lifetime_s: 3600 });
    }
  });
});
