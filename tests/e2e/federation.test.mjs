// Web-identity federation end to end: the Worker in Miniflare (workerd) mints RS256 JWTs with WebCrypto,
// exchanges them at the emulator's STS (AssumeRoleWithWebIdentity), signs backend requests with the session token
// (the emulator verifies signature + token), and caches credentials in L1 (isolate) and L2 (Cache API, encrypted).
// Each test uses its own RoleSessionName, so L1/L2 keys never leak between tests; emulator counters are deltas.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { Response as MfResponse } from "miniflare";
import { clearFaults, eventually, openDemoConfig, DEMO_SECRETS, emu, EMU, logsMatching, requestLogs, startProxy, withFault, xmlField } from "./harness.mjs";

const ROLE = "arn:aws:iam::123456789012:role/e2e/federated-reader";
const HELLO = "hello from a signed backend\n";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const exchanges = async () => (await emu("stats")).sts_exchanges;
const l2Key = (session) => `https://sts-creds.cache.internal/v1/${encodeURIComponent(ROLE)}/${encodeURIComponent(session)}`;
let seq = 0;
const uniqueSession = (what) => `e2e-${what}-${process.pid}-${++seq}`;
// How long past its timeout a stalled STS exchange may hold its requests before the test calls it a hang (the stall
// itself lasts until released): a bound on a hang, never a measurement, so a loaded machine cannot reach it.
const HANG_SLACK_MS = 10_000;

// The demo config plus a federation section and one web_identity repository, demo-org/fed-e2e, reading the same
// private-bucket prefix as secret-data.
function fedConfig(session, federation = {}) {
  return openDemoConfig((c) => {
    c.federation = {
      issuer: "http://127.0.0.1:8787", signing_key_secret: "DEMO_OIDC_SIGNING_KEY", kid: "e2e-1",
      sts_endpoint: EMU, l2_key_secret: "DEMO_L2_KEY", ...federation,
    };
    c.backends["e2e-federated"] = {
      endpoint: EMU, bucket: "private-bucket", region: "us-east-1", timeout_ms: 10000,
      auth: { type: "web_identity", role_arn: ROLE, subject: "s3-edge-proxy:demo-org/fed-e2e", session_name: session },
    };
    c.accounts["demo-org"].repositories["fed-e2e"] = { backend: "e2e-federated", prefix: "repos/secret-data/" };
  });
}

const tmpdirs = [];
function cacheDir() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-l2-"));
  tmpdirs.push(d);
  return d;
}
const proxies = [];
async function proxy(session, { federation, cachePersist, bindings, registerJwks } = {}) {
  const p = await startProxy({ config: fedConfig(session, federation), cachePersist, bindings, registerJwks });
  proxies.push(p);
  return p;
}
async function get(p, key = "hello.txt") {
  const t0 = performance.now();
  const r = await fetch(`${p.url}/demo-org/fed-e2e/${key}`);
  const body = await r.text();
  return { status: r.status, body, ms: performance.now() - t0, headers: r.headers };
}
// The JSON log lines of requests so far. Call it once the lines of the requests in question are in (requestLogs
// waits for them by request id: workerd's stdout trails the responses).
const logLines = (p, filter = () => true) =>
  p.logs.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)).filter((l) => l.op && filter(l));
// Where the credentials of every request to demo-org/fed-e2e came from, once the lines of `responses` are in.
async function credsOf(p, responses) {
  await requestLogs(p, responses);
  return logLines(p, (l) => l.path?.startsWith("/demo-org/fed-e2e/")).map((l) => l.creds);
}

// L2 as stored: opens an entry with the AES key the Worker was given (AAD = cache key + "\n" + the backend's
// subject: worker/creds/l2_entry.h seal_binding) → the plaintext.
function openEntry(sealed, key) {
  const d = crypto.createDecipheriv("aes-256-gcm", Buffer.from(DEMO_SECRETS.DEMO_L2_KEY, "base64"), sealed.subarray(0, 12));
  d.setAAD(Buffer.from(`${key}\ns3-edge-proxy:demo-org/fed-e2e`));
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]).toString();
}
async function cached(p, key) {
  const r = await (await p.mf.getCaches()).default.match(key);
  return r ? { data: Buffer.from(await r.arrayBuffer()), headers: [...r.headers] } : null;
}
// The L2 write is a background task: wait for it to land (an entry other than `differentFrom`, if given).
const waitForEntry = (p, key, differentFrom) =>
  eventually(async () => {
    const e = await cached(p, key);
    return e && (!differentFrom || !e.data.equals(differentFrom)) ? e : null;
  }, { what: `an L2 entry for ${key}` });

describe("federation: OIDC provider, STS exchange, L1 and L2 credential caches", () => {
  before(async () => {
    await clearFaults();
    await emu("sts-duration", { seconds: null });
    await emu("sts-clock", { offset_seconds: 0 });
  });
  // A test that fails midway leaves no fault, STS lifetime or STS clock behind for the next one.
  afterEach(async () => {
    await clearFaults();
    await emu("sts-duration", { seconds: null });
    await emu("sts-clock", { offset_seconds: 0 });
  });
  after(async () => {
    await clearFaults();
    await emu("sts-duration", { seconds: null });
    await emu("sts-clock", { offset_seconds: 0 });
    await Promise.all(proxies.map((p) => p.close().catch(() => {})));
    for (const d of tmpdirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("50 concurrent cold requests make exactly 1 STS exchange, and all 50 succeed", async () => {
    const session = uniqueSession("cold");
    const p = await proxy(session);
    const before = await exchanges();
    const results = await Promise.all(Array.from({ length: 50 }, () => get(p)));
    for (const r of results) {
      assert.equal(r.status, 200, r.body);
      assert.equal(r.body, HELLO);
    }
    assert.equal((await exchanges()) - before, 1);
    const stats = await emu("stats");
    assert.equal(stats.last_sts_request.RoleArn, ROLE);
    assert.equal(stats.last_sts_request.RoleSessionName, session);
    assert.equal(stats.last_sts_request.DurationSeconds, null);
    const creds = await credsOf(p, results);
    assert.equal(creds.length, 50);
    assert.deepEqual(creds.filter((c) => c !== "L1"), ["STS"]);
  });

  it("the JWKS served verifies the JWT STS received (node's crypto), with the configured claims", async () => {
    const p = await proxy(uniqueSession("jwks"), { federation: { token_lifetime_seconds: 120 } });
    assert.equal((await get(p)).status, 200);
    const token = (await emu("stats")).last_sts_request.WebIdentityToken;
    const [h, c, s] = token.split(".");
    const header = JSON.parse(Buffer.from(h, "base64url"));
    assert.deepEqual(header, { alg: "RS256", typ: "JWT", kid: "e2e-1" });

    const jr = await fetch(`${p.url}/.well-known/jwks.json`);
    assert.equal(jr.status, 200);
    assert.equal(jr.headers.get("content-type"), "application/json");
    const jwk = (await jr.json()).keys.find((k) => k.kid === header.kid);
    assert.equal(jwk.alg, "RS256");
    const pub = crypto.createPublicKey({ key: jwk, format: "jwk" });
    assert.ok(crypto.verify("sha256", Buffer.from(`${h}.${c}`), pub, Buffer.from(s, "base64url")), "signature verifies");
    // Independently: the JWK is the public half of the secret the Worker was given.
    const expected = crypto.createPublicKey(DEMO_SECRETS.DEMO_OIDC_SIGNING_KEY).export({ format: "jwk" });
    assert.equal(jwk.n, expected.n);

    const claims = JSON.parse(Buffer.from(c, "base64url"));
    assert.equal(claims.iss, "http://127.0.0.1:8787");
    assert.equal(claims.sub, "s3-edge-proxy:demo-org/fed-e2e");
    assert.equal(claims.aud, "sts.amazonaws.com");
    assert.equal(claims.exp - claims.iat, 120);
    assert.ok(claims.nbf <= Date.now() / 1000 && claims.exp > Date.now() / 1000);
    assert.match(claims.jti, /^[0-9a-f]{32}$/);

    const disco = await (await fetch(`${p.url}/.well-known/openid-configuration`)).json();
    assert.equal(disco.issuer, "http://127.0.0.1:8787");
    assert.equal(disco.jwks_uri, "http://127.0.0.1:8787/.well-known/jwks.json");
    assert.deepEqual(disco.id_token_signing_alg_values_supported, ["RS256"]);
  });

  it("a second instance sharing the colo cache is served from L2 (0 exchanges); after the L2 TTL it exchanges again; no plaintext in storage", async () => {
    const session = uniqueSession("l2");
    const dir = cacheDir();
    await emu("sts-duration", { seconds: 310 }); // Expiration = now + 310 s → L2 TTL ≈ 10 s
    const a = await proxy(session, { cachePersist: dir });
    let before = await exchanges();
    const askedAt = Date.now();
    assert.equal((await get(a)).status, 200);
    const issuedAt = Date.now();
    assert.equal((await exchanges()) - before, 1);
    const entry = await waitForEntry(a, l2Key(session));
    const maxAge = Number(entry.headers.find(([k]) => k === "cache-control")[1].match(/max-age=(\d+)/)[1]);
    // Expiration − 300 s − the time of the write: 10 s, less the time STS and the Worker took to answer (the
    // Expiration is whole seconds, 1 more) — what a loaded machine stretches; the TTL never exceeds 10 s.
    const lag = Math.ceil((issuedAt - askedAt) / 1000);
    assert.ok(maxAge >= 8 - lag && maxAge <= 10, `max-age ${maxAge} (the exchange took ${issuedAt - askedAt} ms)`);

    const b = await proxy(session, { cachePersist: dir });
    before = await exchanges();
    const r = await get(b);
    assert.equal(r.status, 200);
    assert.equal(r.body, HELLO);
    assert.equal((await exchanges()) - before, 0, "served from L2");
    assert.deepEqual(await credsOf(b, [r]), ["L2"]);

    // The raw cache storage holds no plaintext credentials: decrypt the entry to learn them, then search every file.
    const plain = openEntry(entry.data, l2Key(session));
    const field = (n) => plain.match(new RegExp(`<${n}>([^<]+)</${n}>`))[1];
    const secrets = [field("AccessKeyId"), field("SecretAccessKey"), field("SessionToken")];
    const files = fs.readdirSync(dir, { recursive: true }).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile());
    assert.ok(files.length > 0);
    for (const f of files) {
      const raw = fs.readFileSync(f);
      for (const s of [...secrets, "SessionToken", "SecretAccessKey"])
        assert.equal(raw.indexOf(s), -1, `${path.basename(f)} holds ${s.slice(0, 12)}… in plaintext`);
    }

    // After the TTL: a fresh isolate (empty L1) misses L2 and exchanges again. The entry was written before the
    // first answer (issuedAt) and says it expires max-age seconds after its write: a wait on the clock is the point.
    await sleep(Math.max(0, issuedAt + (maxAge + 1.5) * 1000 - Date.now()));
    const c = await proxy(session, { cachePersist: dir });
    before = await exchanges();
    const rc = await get(c);
    assert.equal(rc.status, 200);
    assert.equal((await exchanges()) - before, 1);
    assert.deepEqual(await credsOf(c, [rc]), ["STS"]);
    await emu("sts-duration", { seconds: null });
  });

  for (const [what, damage] of [
    ["corrupted", (d) => { const c = Buffer.from(d); c[c.length >> 1] ^= 0x40; return c; }],
    ["truncated", (d) => d.subarray(0, d.length - 100)],
  ]) {
    it(`a ${what} L2 entry is a miss (logged) and is replaced`, async () => {
      const session = uniqueSession(what);
      const key = l2Key(session);
      const dir = cacheDir();
      const a = await proxy(session, { cachePersist: dir });
      assert.equal((await get(a)).status, 200);
      const good = await waitForEntry(a, key);
      const bad = damage(good.data);
      await (await a.mf.getCaches()).default.put(key, new MfResponse(bad, { headers: { "cache-control": "max-age=3000" } }));
      assert.ok((await cached(a, key)).data.equals(bad));

      const b = await proxy(session, { cachePersist: dir });
      const before = await exchanges();
      const r = await get(b);
      assert.equal(r.status, 200, "a damaged entry is never an error");
      assert.equal((await exchanges()) - before, 1);
      const [line] = await requestLogs(b, [r]);
      assert.deepEqual(logLines(b, (l) => l.path?.startsWith("/demo-org/fed-e2e/")), [line]);
      assert.equal(line.creds, "STS");
      assert.equal(line.creds_note, "l2 entry undecryptable");
      const replaced = await waitForEntry(b, key, bad);
      assert.match(openEntry(replaced.data, key), /<AccessKeyId>/);

      const c = await proxy(session, { cachePersist: dir });
      const before2 = await exchanges();
      const rc = await get(c);
      assert.equal(rc.status, 200);
      assert.equal((await exchanges()) - before2, 0);
      assert.deepEqual(await credsOf(c, [rc]), ["L2"]);
    });
  }

  for (const timeout of [2000, undefined]) {
    const limit = timeout ?? 10000;
    it(`STS stalled → S3 XML 503 at its timeout (${limit} ms${timeout ? "" : ", the default"}), not at the stall's end; the next request after recovery succeeds`, async () => {
      const session = uniqueSession("stall");
      const p = await proxy(session, { federation: timeout ? { sts_timeout_ms: timeout } : {} });
      const before = await exchanges();
      const results = await withFault({ target: "sts", mode: "stall", count: 1 }, async () => {
        const results = await Promise.all(Array.from({ length: 5 }, () => get(p)));
        for (const r of results) {
          assert.equal(r.status, 503);
          assert.equal(r.headers.get("retry-after"), "1");
          assert.equal(xmlField(r.body, "Code"), "ServiceUnavailable");
          assert.equal(xmlField(r.body, "RequestId"), r.headers.get("x-amz-request-id"));
          // Not before the timeout (load only makes it later), and long before the stall would end by itself.
          assert.ok(r.ms >= limit - 50 && r.ms < limit + HANG_SLACK_MS, `answered after ${Math.round(r.ms)} ms`);
        }
        return results;
      });
      assert.equal((await exchanges()) - before, 1, "the waiters did not start exchanges of their own");
      const lines = await requestLogs(p, results);
      assert.ok(lines.every((l) => l.status === 503), JSON.stringify(lines));
      assert.ok(lines.some((l) => /sts timeout/.test(l.detail)), JSON.stringify(lines));
      const ok = await get(p); // the fault was armed for one request: STS has recovered
      assert.equal(ok.status, 200);
      assert.equal((await exchanges()) - before, 2);
      console.log(`# stall (sts_timeout_ms ${limit}): 503 after ${results.map((r) => Math.round(r.ms)).join(", ")} ms`);
    });
  }

  // STS verifies the JWT against the issuer's JWKS (tests/emulator/web_identity.py). A token STS refuses is one of
  // "any other STS error" in the README's failure table: 502, STS's code in the log only; nothing is cached.
  const otherKey = () => crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" });
  const refused = [
    ["signed by a key the issuer does not publish",
      () => ({ bindings: { ...DEMO_SECRETS, DEMO_OIDC_SIGNING_KEY: otherKey() }, registerJwks: false }), "InvalidIdentityToken"],
    ["for another audience", () => ({ federation: { audience: "not-sts.example.org" } }), "InvalidIdentityToken"],
    ["expired by the time STS reads it", () => ({ clockOffset: 301 }), "ExpiredTokenException"],
  ];
  for (const [what, setup, code] of refused) {
    it(`a token ${what} is refused by STS → S3 XML 502, ${code} in the log only, nothing cached`, async () => {
      const session = uniqueSession("refused");
      const { clockOffset, ...opts } = setup();
      const p = await proxy(session, { ...opts, cachePersist: cacheDir() });
      const before = await emu("stats");
      if (clockOffset) await emu("sts-clock", { offset_seconds: clockOffset });
      let r;
      try {
        r = await get(p);
      } finally {
        await emu("sts-clock", { offset_seconds: 0 });
      }
      assert.equal(r.status, 502, r.body);
      assert.equal(xmlField(r.body, "Code"), "BadGateway");
      assert.doesNotMatch(r.body, new RegExp(code), "STS details stay in the log");
      const after = await emu("stats");
      assert.equal(after.sts_exchanges - before.sts_exchanges, 1);
      assert.equal(after.sts_tokens_rejected - before.sts_tokens_rejected, 1);
      assert.match(after.last_token_rejection, new RegExp(`^${code}`));
      assert.equal(after.sts_credentials_issued, before.sts_credentials_issued);
      const [line] = await requestLogs(p, [r]);
      assert.equal(line.status, 502);
      assert.match(line.detail, new RegExp(code));
      assert.equal(await cached(p, l2Key(session)), null, "nothing cached in L2");
    });
  }

  it("STS error documents → 403 (AccessDenied) / 503 (5xx) / 502 (other code, garbage); nothing is cached at either tier", async () => {
    const session = uniqueSession("errors");
    const dir = cacheDir();
    const p = await proxy(session, { cachePersist: dir });
    const before = await exchanges();
    const cases = [
      [{ mode: "status", status: 403 }, 403, "AccessDenied"],
      [{ mode: "status", status: 400, code: "InvalidIdentityToken" }, 502, "BadGateway"],
      [{ mode: "status", status: 500 }, 503, "ServiceUnavailable"],
      [{ mode: "garbage" }, 502, "BadGateway"],
    ];
    const failed = [];
    for (const [i, [fault, status, code]] of cases.entries()) {
      const r = await withFault({ target: "sts", count: 1, ...fault }, () => get(p));
      failed.push(r);
      assert.equal(r.status, status, JSON.stringify(fault));
      assert.equal(xmlField(r.body, "Code"), code);
      assert.doesNotMatch(r.body, /Injected fault|garbage|sts/i, "STS details stay in the log");
      assert.equal((await exchanges()) - before, i + 1, "every request went to STS again: no failure cached in L1");
      assert.equal(await cached(p, l2Key(session)), null, "nothing cached in L2");
    }
    const lines = await requestLogs(p, failed);
    assert.match(lines[0].detail, /AccessDenied/);
    assert.match(lines[1].detail, /InvalidIdentityToken/);
    assert.match(lines[3].detail, /unparseable/);
    const ok = await get(p);
    assert.equal(ok.status, 200);
    assert.equal((await exchanges()) - before, cases.length + 1);
  });

  it("credentials inside the refresh window are renewed in the background while requests are served without waiting", async () => {
    const session = uniqueSession("refresh");
    await emu("sts-duration", { seconds: 66 }); // L1-fresh for ~6 s, then in the 60 s refresh window; never in L2
    try {
      // The renewal's STS answer is held until the test releases it (at most 60 s; STS timeout 90 s), so "served
      // without waiting" is a matter of order, not of milliseconds: every request below is answered while the
      // renewal is provably still unanswered.
      const p = await proxy(session, { federation: { sts_timeout_ms: 90_000 } });
      const before = await exchanges();
      const first = await get(p);
      assert.equal(first.status, 200);
      const issued = Date.now(); // STS issued the credentials before this: Expiration ≤ issued + 66 s
      assert.equal((await exchanges()) - before, 1);
      await sleep(Math.max(0, issued + 7000 - Date.now())); // now inside Expiration − 60 s: a wait on the clock is the point

      const responses = [first];
      const stalledBefore = (await emu("stats")).stalled_now;
      const burst = await withFault({ target: "sts", mode: "hold", delay_ms: 60_000, count: 1 }, async () => {
        const trigger = await get(p); // served from L1; starts the renewal in the background
        assert.equal(trigger.status, 200, trigger.body);
        responses.push(trigger);
        // The renewal has reached STS and is held there.
        await eventually(async () => (await emu("stats")).stalled_now === stalledBefore + 1 && (await exchanges()) - before === 2,
          { what: "the renewal's STS request, held" });
        const issuedBefore = (await emu("stats")).sts_credentials_issued;
        const burst = [];
        for (let round = 0; round < 5; round++) {
          burst.push(...(await Promise.all(Array.from({ length: 5 }, () => get(p)))));
          await sleep(100);
        }
        for (const r of burst) assert.equal(r.status, 200, r.body);
        const held = await emu("stats");
        assert.equal(held.stalled_now, stalledBefore + 1, "the renewal is still held");
        assert.equal(held.sts_credentials_issued, issuedBefore, "no credentials issued while the burst was served");
        assert.equal((await exchanges()) - before, 2, "exactly one renewal: no request started another");
        return burst;
      }); // releases the held renewal
      responses.push(...burst);
      // The renewal ends (its background task logs one line) with the new credentials in L1.
      const [renewal] = await logsMatching(p, (l) => l.op === "RenewCredentials" && l.task === "background");
      assert.equal(renewal.outcome, "ok", JSON.stringify(renewal));
      const afterRenewal = await get(p);
      assert.equal(afterRenewal.status, 200);
      responses.push(afterRenewal);
      assert.equal((await exchanges()) - before, 2);
      const creds = await credsOf(p, responses);
      assert.equal(creds.length, responses.length);
      assert.equal(creds.filter((c) => c === "L1+refresh").length, 1);
      assert.equal(creds.at(-1), "L1");
      const ms = burst.map((r) => r.ms).sort((x, y) => x - y);
      console.log(`# refresh-ahead: ${burst.length} requests while the renewal was held, slowest ${Math.round(ms.at(-1))} ms, median ${Math.round(ms[ms.length >> 1])} ms`);
    } finally {
      await emu("sts-duration", { seconds: null });
    }
  });
});
