// Backend AssumeRole with ExternalId end to end: the Worker in Miniflare (workerd) signs STS AssumeRole with the
// backend's base keys (SigV4, service sts), the emulator's STS verifies that signature, the ExternalId its partner
// role's trust policy names and the duration bounds before it issues credentials (tests/emulator/assume_role.py),
// and its S3 side accepts the session (token verified) for the role's bucket only. Credentials go through L1
// (isolate) and L2 (Cache API, sealed). Each test uses its own RoleSessionName, so cache keys never leak between
// tests; emulator counters are deltas.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { clearFaults, eventually, openDemoConfig, DEMO_SECRETS, emu, EMU, logsMatching, requestLogs, startProxy, xmlField } from "./harness.mjs";

// The emulator's built-in partner role (tests/emulator/assume_role.py DEFAULT_ROLES).
const ROLE = "arn:aws:iam::210987654321:role/partner/s3-edge-proxy-reader";
const EXTERNAL_ID = "s3p-partner-7f3a:demo";
const HELLO = "hello from a signed backend\n";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const exchanges = async () => (await emu("stats")).sts_assume_role;
let seq = 0;
const uniqueSession = (what) => `e2e-ar-${what}-${process.pid}-${++seq}`;

// The demo config plus one assume_role repository, demo-org/ar-e2e, reading the same private-bucket prefix as
// secret-data with the partner role's credentials. `auth` overrides auth fields (external_id: null drops it).
function arConfig(session, auth = {}) {
  return openDemoConfig((c) => {
    const a = {
      type: "assume_role", role_arn: ROLE, external_id: EXTERNAL_ID, duration_s: 900, session_name: session,
      access_key_id_secret: "DEMO_BACKEND_ACCESS_KEY_ID", secret_access_key_secret: "DEMO_BACKEND_SECRET_ACCESS_KEY",
      ...auth,
    };
    if (a.external_id === null) delete a.external_id;
    c.backends["e2e-assume-role"] = { endpoint: EMU, bucket: "private-bucket", region: "us-east-1", timeout_ms: 10000, auth: a };
    c.accounts["demo-org"].repositories["ar-e2e"] = { backend: "e2e-assume-role", prefix: "repos/secret-data/" };
  });
}

// The L2 entry's name and seal binding (worker/creds/credential_source.cpp): every input of the exchange.
function l2Of(session, { externalId = EXTERNAL_ID, duration = 900 } = {}) {
  const l1 = ["assume_role", ROLE, session, String(duration), externalId, "us-east-1", DEMO_SECRETS.DEMO_BACKEND_ACCESS_KEY_ID].join("\n");
  const key = `https://sts-creds.cache.internal/v1/${encodeURIComponent(ROLE)}/${encodeURIComponent(session)}/` +
    crypto.createHash("sha256").update(l1).digest("hex");
  return { key, aad: `${key}\n${l1}` };
}
function openEntry(sealed, aad) {
  const d = crypto.createDecipheriv("aes-256-gcm", Buffer.from(DEMO_SECRETS.DEMO_L2_KEY, "base64"), sealed.subarray(0, 12));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]).toString();
}
async function cached(p, key) {
  const r = await (await p.mf.getCaches()).default.match(key);
  return r ? Buffer.from(await r.arrayBuffer()) : null;
}

const tmpdirs = [];
function cacheDir() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-ar-l2-"));
  tmpdirs.push(d);
  return d;
}
const proxies = [];
async function proxy(session, { auth, cachePersist } = {}) {
  const p = await startProxy({ config: arConfig(session, auth), cachePersist });
  proxies.push(p);
  return p;
}
async function get(p, key = "hello.txt") {
  const r = await fetch(`${p.url}/demo-org/ar-e2e/${key}`);
  return { status: r.status, body: await r.text(), headers: r.headers };
}
const logLines = (p) => p.logs.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)).filter((l) => l.op);
async function credsOf(p, responses) {
  const lines = await requestLogs(p, responses);
  return lines.map((l) => l.creds);
}

describe("backend assume_role: SigV4-signed STS AssumeRole with ExternalId, through L1 and L2", () => {
  const reset = async () => {
    await clearFaults();
    await emu("sts-duration", { seconds: null });
  };
  before(reset);
  afterEach(reset);
  after(async () => {
    await reset();
    await Promise.all(proxies.map((p) => p.close().catch(() => {})));
    for (const d of tmpdirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("serves reads; 50 concurrent cold requests make exactly 1 AssumeRole, with the ExternalId and duration", async () => {
    const session = uniqueSession("cold");
    const p = await proxy(session);
    const before = await exchanges();
    const rejectedBefore = (await emu("stats")).assume_role_rejected;
    const results = await Promise.all(Array.from({ length: 50 }, () => get(p)));
    for (const r of results) {
      assert.equal(r.status, 200, r.body);
      assert.equal(r.body, HELLO);
    }
    const stats = await emu("stats");
    assert.equal(stats.sts_assume_role - before, 1);
    assert.equal(stats.assume_role_rejected, rejectedBefore, stats.last_assume_role_rejection);
    assert.deepEqual(stats.last_assume_role_request,
      { RoleArn: ROLE, RoleSessionName: session, ExternalId: EXTERNAL_ID, DurationSeconds: "900" });
    const creds = await credsOf(p, results);
    assert.equal(creds.length, 50);
    assert.deepEqual(creds.filter((c) => c !== "L1"), ["STS"]);
    // The session reads the role's bucket only: a listing of another repository's bucket is not what it may do,
    // but the proxy never asks for one; the assumed credentials never reach the client.
    const issued = (await emu("credentials")).issued.map((c) => c.secret_access_key);
    for (const r of results.slice(0, 3)) for (const s of issued) assert.ok(!r.body.includes(s));
    for (const line of p.logs) {
      assert.ok(!line.includes(DEMO_SECRETS.DEMO_BACKEND_SECRET_ACCESS_KEY), "the base secret in a log line");
      for (const s of issued) assert.ok(!line.includes(s), "an issued secret in a log line");
    }
  });

  for (const [what, auth] of [["a wrong ExternalId", { external_id: "s3p-partner-7f3b:demo" }], ["no ExternalId", { external_id: null }]]) {
    it(`${what}: the emulator refuses AssumeRole (AccessDenied), the proxy answers S3 XML 403, nothing is cached`, async () => {
      const session = uniqueSession(what.replace(/\W+/g, "-"));
      const p = await proxy(session, { auth });
      const before = await emu("stats");
      const a = await get(p);
      assert.equal(a.status, 403, a.body);
      assert.equal(xmlField(a.body, "Code"), "AccessDenied");
      assert.equal(xmlField(a.body, "RequestId"), a.headers.get("x-amz-request-id"));
      assert.ok(!a.body.includes("sts:AssumeRole") && !a.body.includes(ROLE), "STS's message stays in the log");
      let stats = await emu("stats");
      assert.equal(stats.sts_assume_role - before.sts_assume_role, 1);
      assert.equal(stats.assume_role_rejected - before.assume_role_rejected, 1);
      assert.match(stats.last_assume_role_rejection, /^AccessDenied: /);
      assert.equal(stats.sts_credentials_issued, before.sts_credentials_issued);
      const [line] = await requestLogs(p, [a]);
      assert.equal(line.status, 403);
      assert.match(line.detail ?? JSON.stringify(line), /AccessDenied/);
      // Not cached in L1: the next request asks STS again (and is refused again); nothing was written to L2.
      const b = await get(p);
      assert.equal(b.status, 403);
      stats = await emu("stats");
      assert.equal(stats.sts_assume_role - before.sts_assume_role, 2);
      const ext = auth.external_id === null ? "" : auth.external_id;
      await sleep(200); // an L2 write is a background task: give one time to land, if any were made
      assert.equal(await cached(p, l2Of(session, { externalId: ext }).key), null);
    });
  }

  it("a second proxy sharing the colo cache makes 0 exchanges (L2, sealed to every input of the exchange)", async () => {
    const session = uniqueSession("l2");
    const dir = cacheDir();
    const a = await proxy(session, { cachePersist: dir });
    let before = await exchanges();
    assert.equal((await get(a)).status, 200);
    assert.equal((await exchanges()) - before, 1);
    const { key, aad } = l2Of(session);
    const sealed = await eventually(() => cached(a, key), { what: "the L2 entry" });
    assert.match(openEntry(sealed, aad), /<AssumeRoleResponse[\s\S]*<SessionToken>/);
    assert.throws(() => openEntry(sealed, l2Of(session, { externalId: "another-id" }).aad), "sealed to the ExternalId too");

    const b = await proxy(session, { cachePersist: dir });
    before = await exchanges();
    const results = await Promise.all(Array.from({ length: 10 }, () => get(b)));
    for (const r of results) assert.equal(r.status, 200, r.body);
    assert.equal((await exchanges()) - before, 0, "served from L2");
    const creds = await credsOf(b, results);
    assert.deepEqual(creds.filter((c) => c !== "L1"), ["L2"]);

    // A backend that differs only in its ExternalId shares nothing with it: its own exchange (refused here).
    const c = await proxy(session, { cachePersist: dir, auth: { external_id: "s3p-partner-other" } });
    before = await exchanges();
    assert.equal((await get(c)).status, 403);
    assert.equal((await exchanges()) - before, 1);
  });

  it("role chaining: the proxy's web-identity session signs AssumeRole (token sent and signed); a role that does not trust that role refuses it", async () => {
    const demo = JSON.parse(fs.readFileSync(new URL("../../config/demo.json", import.meta.url), "utf8"));
    const FED_ROLE = Object.values(demo.backends).find((b) => b.auth?.type === "web_identity").auth.role_arn;
    const CHAINED = "arn:aws:iam::210987654321:role/partner/chained-reader";
    const UNTRUSTING = "arn:aws:iam::210987654321:role/partner/trusts-another-role";
    await emu("roles", { arn: CHAINED, external_id: EXTERNAL_ID, principals: [FED_ROLE], buckets: ["private-bucket"], max_session_s: 3600 });
    await emu("roles", { arn: UNTRUSTING, external_id: EXTERNAL_ID, principals: ["arn:aws:iam::123456789012:role/demo/another"],
      buckets: ["private-bucket"], max_session_s: 3600 });
    const chained = (role, session) => ({ role_arn: role, session_name: session, access_key_id_secret: undefined, secret_access_key_secret: undefined,
      source: { type: "web_identity", role_arn: FED_ROLE, subject: "s3-edge-proxy:demo-org/ar-chain", session_name: session + "-src" } });
    try {
      const session = uniqueSession("chain");
      const p = await proxy(session, { auth: chained(CHAINED, session) });
      const before = await emu("stats");
      const results = await Promise.all(Array.from({ length: 20 }, () => get(p)));
      for (const r of results) assert.equal(r.status, 200, r.body);
      assert.equal(results[0].body, HELLO);
      const stats = await emu("stats");
      assert.equal(stats.sts_exchanges - before.sts_exchanges, 1, "one web-identity exchange");
      assert.equal(stats.sts_assume_role - before.sts_assume_role, 1, "one chained AssumeRole");
      assert.equal(stats.assume_role_rejected, before.assume_role_rejected, stats.last_assume_role_rejection);
      assert.deepEqual(stats.last_assume_role_request,
        { RoleArn: CHAINED, RoleSessionName: session, ExternalId: EXTERNAL_ID, DurationSeconds: "900" });
      const [call] = (await emu("requests")).requests.filter((r) => r.target === "sts" && r.seq > 0).slice(-1);
      const header = (n) => call?.headers.find(([k]) => k.toLowerCase() === n)?.[1];
      assert.match(header("authorization") ?? "", /^AWS4-HMAC-SHA256 Credential=ASIA\w+\/.*SignedHeaders=[^,]*x-amz-security-token/);
      // The role the session is of is not trusted by this one: STS refuses it, the client gets S3's 403.
      const s2 = uniqueSession("chain-untrusted");
      const q = await proxy(s2, { auth: chained(UNTRUSTING, s2) });
      const refused = await get(q);
      assert.equal(refused.status, 403, refused.body);
      assert.equal(xmlField(refused.body, "Code"), "AccessDenied");
      assert.match((await emu("stats")).last_assume_role_rejection, /^AccessDenied: User: arn:aws:iam::123456789012:role\/demo\//);
    } finally {
      await emu("roles", { arn: CHAINED, delete: true });
      await emu("roles", { arn: UNTRUSTING, delete: true });
    }
  });

  it("renewal ahead of expiry keeps requests flowing (one background AssumeRole)", async () => {
    const session = uniqueSession("refresh");
    await emu("sts-duration", { seconds: 66 }); // L1-fresh for ~6 s, then in the 60 s refresh window; never in L2
    const p = await proxy(session);
    const before = await exchanges();
    const first = await get(p);
    assert.equal(first.status, 200, first.body);
    assert.equal((await exchanges()) - before, 1);
    await sleep(6_500); // into the refresh window
    const burst = [];
    for (let i = 0; i < 10; i++) burst.push(await get(p));
    for (const r of burst) assert.equal(r.status, 200, r.body);
    const [renewal] = await logsMatching(p, (l) => l.op === "RenewCredentials" && l.task === "background");
    assert.equal(renewal.outcome, "ok", JSON.stringify(renewal));
    assert.equal(renewal.role, ROLE);
    assert.equal(renewal.session, session);
    assert.equal(renewal.creds, "STS");
    assert.equal((await exchanges()) - before, 2, "exactly one renewal");
    const creds = await credsOf(p, burst);
    assert.equal(creds.filter((c) => c === "L1+refresh").length, 1);
    assert.equal(creds.filter((c) => c === "STS").length, 0, "no request waited for an exchange");
    // The renewed credentials serve (another 10 requests, no further exchange).
    const later = await Promise.all(Array.from({ length: 10 }, () => get(p)));
    for (const r of later) assert.equal(r.status, 200, r.body);
    assert.equal((await exchanges()) - before, 2);
    assert.equal(logLines(p).filter((l) => l.op === "RenewCredentials").length, 1);
  });
});
