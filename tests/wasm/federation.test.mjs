// Web-identity federation at the wasm level, for BOTH modules: the test plays the host (node's crypto for RS256
// and AES-GCM, a Map for the Cache API, canned STS and backend answers) and drives many requests through one core
// instance, the way workerd interleaves them in one isolate.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { describe, it } from "node:test";
import { Core, Kind, Outcome } from "../../js/core.mjs";

const MODULES = ["core-emcc", "core-wasi"];
const text = (b) => new TextDecoder().decode(b);
const header = (a, name) => a.headers.get(name) ?? undefined;

const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = privateKey.export({ type: "pkcs8", format: "pem" });
const ENV = { OIDC_KEY: PEM, L2_KEY: crypto.randomBytes(32).toString("base64") };
const ROLE = "arn:aws:iam::123456789012:role/data/reader";
const SESSION = "repo-acme-data";
const L2_URL = `https://sts-creds.cache.internal/v1/${encodeURIComponent(ROLE)}/${SESSION}`;
// What an L2 entry is sealed to: its key and the subject its credentials were issued for (worker/creds/l2_entry.h).
const L2_BINDING = `${L2_URL}\nrepo:acme/data`;

function config(fed = {}) {
  return JSON.stringify({
    federation: { issuer: "https://proxy.example.org", signing_key_secret: "OIDC_KEY", kid: "k1",
      sts_endpoint: "https://sts.example.org", l2_key_secret: "L2_KEY", ...fed },
    backends: { fed: { endpoint: "https://s3.example.org", bucket: "b",
      auth: { type: "web_identity", role_arn: ROLE, subject: "repo:acme/data" } } },
    accounts: { acme: { repositories: { data: { backend: "fed", prefix: "p/", public: true, cache: { enabled: false } } } } },
  });
}

function load(name, fed) {
  const core = new Core(new WebAssembly.Module(fs.readFileSync(new URL(`../../dist/${name}.wasm`, import.meta.url))));
  const r = core.init(config(fed), ENV);
  assert.deepEqual(r, { ok: true, error: "" });
  return core;
}

const iso = (ms) => new Date(ms).toISOString();
const stsXml = (id, expiresMs) =>
  `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>` +
  `<Credentials><AccessKeyId>${id}</AccessKeyId><SecretAccessKey>secret-${id}</SecretAccessKey>` +
  `<SessionToken>token-${id}</SessionToken><Expiration>${iso(expiresMs)}</Expiration></Credentials>` +
  `</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`;
const stsError = (code) =>
  `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>nope</Message></Error></ErrorResponse>`;

// A synchronous host: performs every primitive with node's crypto; STS/backend answers come from `answer`.
class Host {
  constructor(core, cache = new Map()) {
    this.core = core;
    this.cache = cache;
    this.stsFetches = [];
    this.backendFetches = [];
    this.log = [];
  }

  primitive(a) {
    switch (a.kind) {
      case Kind.RANDOM: return { ok: true, data: crypto.randomBytes(a.count) };
      case Kind.SIGN_RS256: {
        const pem = ENV[a.secret];
        return { ok: true, data: crypto.sign("sha256", a.data, pem) };
      }
      case Kind.SEAL: {
        const iv = crypto.randomBytes(12);
        const c = crypto.createCipheriv("aes-256-gcm", Buffer.from(ENV[a.secret], "base64"), iv);
        c.setAAD(a.aad);
        const ct = Buffer.concat([c.update(a.data), c.final()]);
        return { ok: true, data: Buffer.concat([iv, ct, c.getAuthTag()]) };
      }
      case Kind.OPEN: {
        try {
          const d = crypto.createDecipheriv("aes-256-gcm", Buffer.from(ENV[a.secret], "base64"), a.data.subarray(0, 12));
          d.setAAD(a.aad);
          d.setAuthTag(a.data.subarray(a.data.length - 16));
          return { ok: true, data: Buffer.concat([d.update(a.data.subarray(12, a.data.length - 16)), d.final()]) };
        } catch {
          return { ok: false, error: "does not authenticate" };
        }
      }
      case Kind.CACHE_MATCH: {
        const hit = this.cache.get(a.url);
        return hit ? { ok: true, data: hit.data } : { ok: false };
      }
      case Kind.CACHE_PUT:
        this.cache.set(a.url, { data: a.data, headers: a.headers });
        return { ok: true };
    }
    throw new Error(`not a primitive: ${a.kind}`);
  }

  // Performs `id`'s actions until it parks (Wait), reaches an STS fetch (left pending for the test), or responds.
  // Spawned tasks run to completion at once. Backend fetches answer 200 unless `backend` says otherwise.
  step(id, backend = () => ({ outcome: Outcome.OK, status: 200, headers: [] })) {
    for (;;) {
      const a = this.core.next(id);
      switch (a.kind) {
        case Kind.FETCH:
          if (a.method === "POST") {
            this.stsFetches.push(a);
            return { sts: a };
          }
          this.backendFetches.push({ id, token: header(a, "x-amz-security-token"), auth: header(a, "authorization") });
          this.core.feedFetch(id, backend(a));
          break;
        case Kind.WAIT: return { wait: a.timeoutMs };
        case Kind.SPAWN: this.runBackground(a.task); break;
        case Kind.RESPOND:
          this.log.push(JSON.parse(a.log));
          this.core.free(id);
          return { respond: a };
        case Kind.DONE: return { done: true };
        default: {
          const r = this.primitive(a);
          this.core.feedHost(id, a.kind, r.ok, r.data, r.error ?? "");
        }
      }
    }
  }

  runBackground(task) {
    const r = this.step(task);
    if (r.sts) throw new Error("background STS exchange must be answered by the test");
    this.core.free(task);
  }

  answerSts(id, body, status = 200) {
    this.core.feedFetch(id, { outcome: Outcome.OK, status, headers: [["content-type", "text/xml"]], body });
  }
}

for (const name of MODULES) {
  describe(`federation (${name})`, () => {
    it("50 concurrent requests for a cold role make ONE STS exchange; all are signed with its token", () => {
      const core = load(name);
      const host = new Host(core);
      const ids = Array.from({ length: 50 }, (_, i) => core.begin("GET", `/acme/data/k${i}`, "", [], false));
      const steps = ids.map((id) => host.step(id));
      assert.ok(steps[0].sts, "the first request leads the exchange");
      for (const s of steps.slice(1)) assert.ok(s.wait > 10000 && s.wait <= 11000, `the others park, bounded by sts_timeout + grace (${s.wait})`);
      assert.equal(host.stsFetches.length, 1);
      const form = new URLSearchParams(text(steps[0].sts.body.bytes));
      assert.equal(form.get("Action"), "AssumeRoleWithWebIdentity");
      assert.equal(form.get("Version"), "2011-06-15");
      assert.equal(form.get("RoleArn"), ROLE);
      assert.equal(form.get("RoleSessionName"), SESSION);
      assert.equal(form.get("DurationSeconds"), null);
      assert.equal(steps[0].sts.timeoutMs, 10000, "default STS timeout");
      assert.equal(header(steps[0].sts, "content-type"), "application/x-www-form-urlencoded; charset=utf-8");

      host.answerSts(ids[0], stsXml("ASIA1", Date.now() + 3600_000));
      const woken = core.wakeups();
      assert.deepEqual(woken.sort((a, b) => a - b), ids.slice(1));
      assert.ok(host.step(ids[0]).respond);
      for (const id of woken) {
        core.feedWait(id, true);
        assert.equal(host.step(id).respond.status, 200);
      }
      assert.equal(host.backendFetches.length, 50);
      assert.ok(host.backendFetches.every((f) => f.token === "token-ASIA1" && f.auth.includes("Credential=ASIA1/")));
      assert.deepEqual(host.log.map((l) => l.creds).sort(), [...Array(49).fill("L1"), "STS"]);
      assert.equal(host.stsFetches.length, 1);
      assert.ok(host.cache.has(L2_URL), "the STS answer was written to L2 by a background task");
      assert.equal(core.inFlight(), 0);
    });

    it("a failed exchange wakes all waiters with the error; the next request retries", () => {
      const core = load(name);
      const host = new Host(core);
      const ids = Array.from({ length: 10 }, () => core.begin("GET", "/acme/data/k", "", [], false));
      const steps = ids.map((id) => host.step(id));
      host.answerSts(ids[0], stsError("AccessDenied"), 403);
      const woken = core.wakeups();
      assert.equal(woken.length, 9);
      assert.equal(host.step(ids[0]).respond.status, 403);
      for (const id of woken) {
        core.feedWait(id, true);
        const r = host.step(id).respond;
        assert.equal(r.status, 403);
        assert.match(text(r.body.bytes), /<Code>AccessDenied<\/Code>/);
        assert.doesNotMatch(text(r.body.bytes), /nope/, "STS's message stays in the log");
      }
      assert.equal(steps.length, 10);
      assert.equal(host.cache.size, 0, "nothing cached in L2");
      // Retried: a new exchange, which succeeds.
      const again = core.begin("GET", "/acme/data/k", "", [], false);
      const s = host.step(again);
      assert.ok(s.sts);
      assert.equal(host.stsFetches.length, 2);
      host.answerSts(again, "this is not XML", 200);
      const r = host.step(again).respond;
      assert.equal(r.status, 502);
      assert.match(host.log.at(-1).detail, /unparseable/);
      assert.equal(core.inFlight(), 0);
    });

    it("the minted JWT verifies against the served JWKS (node's crypto) with the configured claims", () => {
      const core = load(name, { token_lifetime_seconds: 120 });
      const host = new Host(core);
      const jwksResp = host.step(core.begin("GET", "/.well-known/jwks.json", "", [], false)).respond;
      assert.equal(jwksResp.status, 200);
      const jwks = JSON.parse(text(jwksResp.body.bytes));
      const disco = JSON.parse(text(host.step(core.begin("GET", "/.well-known/openid-configuration", "", [], false)).respond.body.bytes));
      assert.equal(disco.jwks_uri, "https://proxy.example.org/.well-known/jwks.json");
      assert.deepEqual(disco.id_token_signing_alg_values_supported, ["RS256"]);

      const id = core.begin("GET", "/acme/data/k", "", [], false);
      const token = new URLSearchParams(text(host.step(id).sts.body.bytes)).get("WebIdentityToken");
      const [h, c, sig] = token.split(".");
      const headerJson = JSON.parse(Buffer.from(h, "base64url"));
      assert.deepEqual(headerJson, { alg: "RS256", typ: "JWT", kid: "k1" });
      const jwk = jwks.keys.find((k) => k.kid === headerJson.kid);
      const pub = crypto.createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: "jwk" });
      assert.ok(crypto.verify("sha256", Buffer.from(`${h}.${c}`), pub, Buffer.from(sig, "base64url")));
      const claims = JSON.parse(Buffer.from(c, "base64url"));
      assert.equal(claims.iss, "https://proxy.example.org");
      assert.equal(claims.sub, "repo:acme/data");
      assert.equal(claims.aud, "sts.amazonaws.com");
      assert.equal(claims.exp - claims.iat, 120);
      assert.equal(claims.nbf, claims.iat);
      assert.ok(Math.abs(claims.iat - Date.now() / 1000) < 5);
      assert.match(claims.jti, /^[0-9a-f]{32}$/);
      host.answerSts(id, stsXml("X", Date.now() + 3600_000));
      host.step(id);
    });

    it("L2: a second isolate is served from the colo cache; corrupt or truncated entries are misses", () => {
      const cache = new Map();
      const a = new Host(load(name), cache);
      const id = a.core.begin("GET", "/acme/data/k", "", [], false);
      a.step(id);
      a.answerSts(id, stsXml("FIRST", Date.now() + 3600_000));
      a.step(id);
      const entry = cache.get(L2_URL);
      assert.match(entry.headers.get("cache-control"), /^max-age=(3299|3300)$/);
      assert.doesNotMatch(Buffer.from(entry.data).toString("latin1"), /FIRST|secret-|token-/, "sealed, no plaintext");

      const b = new Host(load(name), cache);
      assert.equal(b.step(b.core.begin("GET", "/acme/data/k", "", [], false)).respond.status, 200);
      assert.equal(b.stsFetches.length, 0);
      assert.equal(b.log[0].creds, "L2");
      assert.equal(b.backendFetches[0].token, "token-FIRST");

      const damaged = [
        ["corrupt", (d) => { const c = Buffer.from(d); c[40] ^= 1; return c; }],
        ["truncated", (d) => Buffer.from(d).subarray(0, d.length - 20)],
        ["sealed for another key", (d) => {
          // The same plaintext sealed with another cache key as AAD: valid AES-GCM, but bound to that key.
          const plain = a.primitive({ kind: Kind.OPEN, secret: "L2_KEY", aad: Buffer.from(L2_BINDING), data: Buffer.from(d) });
          assert.ok(plain.ok);
          const other = Buffer.from(L2_BINDING.replace("reader", "writer"));
          return a.primitive({ kind: Kind.SEAL, secret: "L2_KEY", aad: other, data: plain.data }).data;
        }],
      ];
      for (const [what, damage] of damaged) {
        // A copy of the entry re-keyed (or damaged) must not open: the AAD binds it to its cache key.
        cache.set(L2_URL, { ...entry, data: damage(entry.data) });
        const c = new Host(load(name), cache);
        const cid = c.core.begin("GET", "/acme/data/k", "", [], false);
        const s = c.step(cid);
        assert.ok(s.sts, `${what}: a miss goes on to STS`);
        c.answerSts(cid, stsXml("AGAIN", Date.now() + 3600_000));
        assert.equal(c.step(cid).respond.status, 200);
        assert.equal(c.log[0].creds, "STS");
        assert.equal(c.log[0].creds_note, "l2 entry undecryptable");
        const fresh = new Host(load(name), cache);
        fresh.step(fresh.core.begin("GET", "/acme/data/k", "", [], false));
        assert.equal(fresh.log[0].creds, "L2", `${what}: the entry was replaced`);
      }
    });

    it("short-lived credentials are not cached in L2 (TTL <= 0)", () => {
      const host = new Host(load(name));
      const id = host.core.begin("GET", "/acme/data/k", "", [], false);
      host.step(id);
      host.answerSts(id, stsXml("SHORT", Date.now() + 299_000));
      assert.equal(host.step(id).respond.status, 200);
      assert.equal(host.cache.size, 0);
    });

    it("STS timeout and transport failures are 503 with Retry-After; sts_timeout_ms is passed to the host", () => {
      const host = new Host(load(name, { sts_timeout_ms: 2000 }));
      for (const outcome of [Outcome.TIMEOUT, Outcome.NETWORK_ERROR]) {
        const id = host.core.begin("GET", "/acme/data/k", "", [], false);
        const s = host.step(id);
        assert.equal(s.sts.timeoutMs, 2000);
        host.core.feedFetch(id, { outcome, status: 0, error: "stalled" });
        const r = host.step(id).respond;
        assert.equal(r.status, 503);
        assert.equal(header(r, "retry-after"), "1");
        assert.match(text(r.body.bytes), /<Code>ServiceUnavailable<\/Code>/);
      }
      assert.equal(host.stsFetches.length, 2, "a failure is not cached");
    });

    it("rejects bad federation config naming the field", () => {
      const core = new Core(new WebAssembly.Module(fs.readFileSync(new URL(`../../dist/${name}.wasm`, import.meta.url))));
      const bad = JSON.parse(config());
      bad.backends.fed.auth.role_arn = "arn:aws:iam::12345678901:role/x";
      assert.deepEqual(core.init(JSON.stringify(bad), ENV), { ok: false, error: "backends.fed.auth.role_arn: account must be 12 digits" });
      assert.deepEqual(core.init(config(), { OIDC_KEY: PEM }),
        { ok: false, error: 'federation.l2_key_secret: Worker secret "L2_KEY" is not set' });
    });
  });
}
