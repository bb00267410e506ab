// Background tasks (the L1 renewal, the L2 write) end with a log line carried by their Done action, for BOTH
// modules: op, outcome, duration and, on failure, the code and a detail — never a secret. The test plays the host
// and the clock (every call gets an explicit now), so the refresh window is reached without waiting.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { describe, it } from "node:test";
import { Core, Kind, Outcome } from "../../js/core.mjs";

const MODULES = ["core-emcc", "core-wasi"];
const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const ENV = { OIDC_KEY: privateKey.export({ type: "pkcs8", format: "pem" }), L2_KEY: crypto.randomBytes(32).toString("base64") };
const ROLE = "arn:aws:iam::123456789012:role/data/reader";
const CONFIG = JSON.stringify({
  federation: { issuer: "https://proxy.example.org", signing_key_secret: "OIDC_KEY", kid: "k1",
    sts_endpoint: "https://sts.example.org", l2_key_secret: "L2_KEY" },
  backends: { fed: { endpoint: "https://s3.example.org", bucket: "b",
    auth: { type: "web_identity", role_arn: ROLE, subject: "repo:acme/data", session_name: "acme-data" } } },
  accounts: { acme: { repositories: { data: { backend: "fed", prefix: "p/", public: true, cache: { enabled: false } } } } },
});
const stsXml = (id, expiresMs) =>
  `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>${id}</AccessKeyId>` +
  `<SecretAccessKey>secret-${id}-0123456789</SecretAccessKey><SessionToken>token-${id}-0123456789</SessionToken>` +
  `<Expiration>${new Date(expiresMs).toISOString()}</Expiration></Credentials></AssumeRoleWithWebIdentityResult>` +
  `</AssumeRoleWithWebIdentityResponse>`;

// A host with an explicit clock. `sts(now)` answers every STS fetch; `cachePut` decides whether L2 writes succeed.
class Host {
  constructor(name, { sts, cachePut = () => ({ ok: true }) }) {
    this.core = new Core(new WebAssembly.Module(fs.readFileSync(new URL(`../../dist/${name}.wasm`, import.meta.url))));
    assert.deepEqual(this.core.init(CONFIG, ENV), { ok: true, error: "" });
    this.sts = sts;
    this.cachePut = cachePut;
    this.now = Date.now();
    this.requestLog = [];
    this.backgroundLog = []; // log lines of Done actions
    this.tokens = [];
  }

  primitive(a) {
    switch (a.kind) {
      case Kind.RANDOM: return { ok: true, data: crypto.randomBytes(a.count) };
      case Kind.SIGN_RS256: return { ok: true, data: crypto.sign("sha256", a.data, ENV[a.secret]) };
      case Kind.SEAL: return { ok: true, data: crypto.randomBytes(a.data.length + 28) }; // opaque to the core
      case Kind.CACHE_MATCH: return { ok: false }; // an empty colo cache: every exchange goes to STS
      case Kind.CACHE_PUT: return this.cachePut(a);
    }
    throw new Error(`unexpected primitive ${a.kind}`);
  }

  // Runs task `id` to its end (elapsing `stsMs` of clock per STS exchange); spawned tasks run when spawned.
  run(id, stsMs = 0) {
    for (;;) {
      const a = this.core.next(id, this.now);
      switch (a.kind) {
        case Kind.FETCH:
          if (a.method === "POST") {
            this.tokens.push(new URLSearchParams(new TextDecoder().decode(a.body.bytes)).get("WebIdentityToken"));
            this.now += stsMs;
            this.core.feedFetch(id, this.sts(this.now), this.now);
          } else {
            this.core.feedFetch(id, { outcome: Outcome.OK, status: 200, headers: [] }, this.now);
          }
          break;
        case Kind.SPAWN:
          this.run(a.task, stsMs);
          break;
        case Kind.RESPOND:
          this.requestLog.push(JSON.parse(a.log));
          break;
        case Kind.DONE:
          if (a.log) this.backgroundLog.push(a.log);
          this.core.free(id);
          return;
        default: {
          const r = this.primitive(a);
          this.core.feedHost(id, a.kind, r.ok, r.data, r.error ?? "", this.now);
        }
      }
    }
  }

  get(stsMs) {
    this.run(this.core.begin("GET", "/acme/data/k", "", [], false, this.now), stsMs);
    return this.requestLog.at(-1);
  }
}

const parse = (lines, op) => lines.map((l) => JSON.parse(l)).filter((l) => l.op === op);
const secretsOf = (host) => ["secret-A-0123456789", "token-A-0123456789", "secret-B-0123456789", "token-B-0123456789",
  ENV.L2_KEY, ...host.tokens];

for (const name of MODULES) {
  describe(`background task log lines (${name})`, () => {
    it("a failed renewal (STS 5xx) logs op, outcome, duration, code and detail; requests keep the old credentials", () => {
      let expires;
      const host = new Host(name, {
        sts: (now) => (host.stsCalls = (host.stsCalls ?? 0) + 1) === 1
          ? { outcome: Outcome.OK, status: 200, headers: [], body: stsXml("A", (expires = now + 3600_000)) }
          : { outcome: Outcome.OK, status: 503, headers: [], body: "<ErrorResponse><Error><Code>ServiceUnavailable</Code></Error></ErrorResponse>" },
      });
      assert.equal(host.get().creds, "STS");
      host.now = expires - 30_000; // inside L1's refresh window (Expiration − 60 s), still served
      const served = host.get(250);
      assert.equal(served.creds, "L1+refresh");
      assert.equal(served.status, 200);

      const [renewal] = parse(host.backgroundLog, "RenewCredentials");
      assert.ok(renewal, `no renewal log line in ${JSON.stringify(host.backgroundLog)}`);
      assert.equal(renewal.task, "background");
      assert.equal(renewal.outcome, "failed");
      assert.equal(renewal.code, "ServiceUnavailable");
      assert.match(renewal.detail, /sts.*503/i);
      assert.equal(renewal.role, ROLE);
      assert.equal(renewal.session, "acme-data");
      assert.equal(renewal.total_ms, 250, "the clock the host gave, from spawn to done");
      for (const s of secretsOf(host)) for (const l of [...host.backgroundLog, ...host.requestLog.map((x) => JSON.stringify(x))])
        assert.ok(!l.includes(s), `a secret in a log line: ${l}`);
      assert.equal(host.core.inFlight(), 0);
    });

    it("a successful renewal and the L2 writes log their outcome", () => {
      let n = 0, expires;
      const host = new Host(name, { sts: (now) => ({ outcome: Outcome.OK, status: 200, headers: [],
        body: stsXml(++n === 1 ? "A" : "B", (expires = now + 3600_000)) }) });
      host.get();
      host.now = expires - 30_000;
      host.get(40);
      const [renewal] = parse(host.backgroundLog, "RenewCredentials");
      assert.equal(renewal.outcome, "ok");
      assert.equal(renewal.creds, "STS");
      assert.equal(renewal.total_ms >= 40, true);
      assert.equal(renewal.code, undefined);
      const writes = parse(host.backgroundLog, "L2Write");
      assert.equal(writes.length, 2, "one L2 write per STS answer");
      assert.ok(writes.every((w) => w.outcome === "stored" && w.task === "background" && typeof w.total_ms === "number"));
      assert.ok(writes.every((w) => w.ttl_s > 0));
      for (const s of secretsOf(host)) for (const l of host.backgroundLog) assert.ok(!l.includes(s), l);
    });

    it("a failed L2 write logs the host's reason", () => {
      const host = new Host(name, {
        sts: (now) => ({ outcome: Outcome.OK, status: 200, headers: [], body: stsXml("A", now + 3600_000) }),
        cachePut: () => ({ ok: false, error: "QuotaExceeded: cache full" }),
      });
      host.get();
      const [write] = parse(host.backgroundLog, "L2Write");
      assert.equal(write.outcome, "failed");
      assert.match(write.detail, /cache put.*QuotaExceeded/);
    });

    it("a client request's Done carries no second log line (its line went with Respond)", () => {
      const host = new Host(name, { sts: (now) => ({ outcome: Outcome.OK, status: 200, headers: [], body: stsXml("A", now + 3600_000) }) });
      const id = host.core.begin("GET", "/nope", "", [], false, host.now);
      assert.equal(host.core.next(id, host.now).kind, Kind.RESPOND);
      const done = host.core.next(id, host.now);
      assert.equal(done.kind, Kind.DONE);
      assert.equal(done.log, "");
      host.core.free(id);
    });
  });
}
