// AssumeRoleWithWebIdentity on the proxy's own STS (/.sts), end to end in workerd: a local OIDC identity provider
// (scripts/lib/oidc_idp.mjs, on loopback) stands in for GitHub Actions. Unmodified clients — aws cli v1, boto3, the
// JS SDK v3 — configured only by AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ENDPOINT_URL_STS obtain
// credentials, read within the role's scopes, are refused outside them and keep working across a session expiry
// (the SDK refreshes). Debian's aws cli v2 (2.9) predates AWS_ENDPOINT_URL_STS (2.13) and cannot be pointed at the
// proxy this way: not tested. The negative matrix: each bad token refused with STS's exact code, no backend
// request; a session altered, expired, or whose role is gone refused with S3's. The JWKS: one fetch for 50
// concurrent cold calls, unknown kids not refetched within the interval, the colo tier shared by a second proxy.
// The host's real WebCrypto verifies the signatures here (the units stand it in).
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { AwsV4Signer } from "aws4fetch";
import { backendCalls, DEMO_SECRETS, demoConfig, eventually, jsonLogs, sealEntry, startProxy, xmlField } from "./harness.mjs";
import { startIdp } from "../../scripts/lib/oidc_idp.mjs";

const ROLE_ARN = (name) => `arn:aws:iam::s3-edge-proxy:role/${name}`;
const NESTED = "nested a\n";
const run = promisify(execFile);
const bindings = { ...DEMO_SECRETS, STS_SESSION_KEY: crypto.randomBytes(32).toString("base64") };

const configWith = (idp, mutate) =>
  demoConfig((c) => {
    c.sts = { session_key_secret: "STS_SESSION_KEY", test_only_min_session_s: 1,
      identity_providers: { local: { issuer: idp.issuer, audiences: ["sts.amazonaws.com"], jwks_url: idp.jwksUrl } } };
    const trust = { provider: "local", conditions: { sub: "repo:my-org/pipeline:*", ref: "refs/heads/main" } };
    c.roles = {
      pipeline: { scopes: [{ account: "demo-org", repository: "secret-data", prefix: "nested/", actions: ["read", "list"] }],
        max_session_s: 3600, web_identity: trust },
      // Sessions of 3 s (the SDKs send no DurationSeconds: the role's maximum caps the default hour).
      brief: { scopes: [{ account: "demo-org", repository: "secret-data", prefix: "nested/", actions: ["read", "list"] }],
        max_session_s: 3, web_identity: trust },
    };
    mutate?.(c);
  });

// An unsigned AssumeRoleWithWebIdentity form POST, as the SDKs send it.
async function assumeWeb(url, token, { role = "pipeline", extra = "" } = {}) {
  const body = `Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE_ARN(role))}` +
    `&RoleSessionName=e2e-job&WebIdentityToken=${encodeURIComponent(token)}${extra}`;
  const r = await fetch(`${url}/.sts`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
  return { status: r.status, text: await r.text() };
}

// A client process with only the web-identity environment: no keys, no config files, and a HOME of its own: aws
// cli v1 caches web-identity sessions in ~/.aws/cli/cache by role and session name, and would otherwise present a
// session an earlier run's proxy sealed under another key (InvalidClientTokenId, which it does not retry).
const sdkHome = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-webid-home-"));
function sdkEnv(proxyUrl, tokenFile, role = "pipeline") {
  const env = { ...process.env, HOME: sdkHome, PYENV_ROOT: process.env.PYENV_ROOT ?? path.join(os.homedir(), ".pyenv"), AWS_ROLE_ARN: ROLE_ARN(role), AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_SESSION_NAME: "sdk-job",
    AWS_ENDPOINT_URL_STS: `${proxyUrl}/.sts`, AWS_ENDPOINT_URL_S3: proxyUrl, AWS_DEFAULT_REGION: "us-east-1", AWS_REGION: "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" };
  for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"]) delete env[k];
  return env;
}
const exec = (cmd, args, env) => run(cmd, args, { env, timeout: 120_000, maxBuffer: 16 << 20 });

const BOTO = `
import boto3, botocore.config, json, sys, time
from botocore.exceptions import ClientError
cfg = botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
s3 = boto3.client("s3", config=cfg)
def get(key):
    try: return s3.get_object(Bucket="demo-org", Key=key)["Body"].read().decode()
    except ClientError as e: return e.response["Error"]["Code"]
out = {"whoami": boto3.client("sts").get_caller_identity()["Arn"], "inside": get("secret-data/nested/a.txt"),
       "outside": get("secret-data/hello.txt"),
       "list": [o["Key"] for o in s3.list_objects_v2(Bucket="demo-org", Prefix="secret-data/nested/").get("Contents", [])]}
if len(sys.argv) > 1:  # across an expiry: the session is shorter than the wait
    time.sleep(float(sys.argv[1]))
    out["after_expiry"] = get("secret-data/nested/a.txt")
print(json.dumps(out))
`;

const JS_SDK = `
import { S3Client, GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
const s3 = new S3Client({ forcePathStyle: true, maxAttempts: 1 });
const get = async (Key) => { try { return await (await s3.send(new GetObjectCommand({ Bucket: "demo-org", Key }))).Body.transformToString(); }
  catch (e) { return e.name; } };
const out = { inside: await get("secret-data/nested/a.txt"), outside: await get("secret-data/hello.txt"),
  list: ((await s3.send(new ListObjectsV2Command({ Bucket: "demo-org", Prefix: "secret-data/nested/" }))).Contents ?? []).map((o) => o.Key) };
const wait = Number(process.argv.slice(1).find((a) => /^[0-9]+$/.test(a)) ?? 0); // node -e: argv[1] is the first argument
if (wait) { await new Promise((r) => setTimeout(r, wait * 1000)); out.after_expiry = await get("secret-data/nested/a.txt"); }
console.log(JSON.stringify(out));
`;

describe("sts: AssumeRoleWithWebIdentity with a local OIDC provider", () => {
  let idp, proxy, tokenFile, dir;
  const secretsSeen = new Set();

  before(async () => {
    idp = await startIdp();
    proxy = await startProxy({ config: configWith(idp), bindings });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-webid-e2e-"));
    tokenFile = path.join(dir, "token");
    fs.writeFileSync(tokenFile, idp.mint());
  });
  after(async () => {
    await proxy?.close();
    await idp?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(sdkHome, { recursive: true, force: true });
  });

  it("a good token (RS256 and ES256) gets STS's AssumeRoleWithWebIdentityResponse", async () => {
    for (const alg of ["RS256", "ES256"]) {
      const r = await assumeWeb(proxy.url, idp.mint({}, { alg }));
      assert.equal(r.status, 200, r.text);
      assert.match(r.text, /^<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/">/);
      assert.equal(xmlField(r.text, "SubjectFromWebIdentityToken"), "repo:my-org/pipeline:ref:refs/heads/main");
      assert.equal(xmlField(r.text, "Arn"), "arn:aws:sts::s3-edge-proxy:assumed-role/pipeline/e2e-job");
      assert.equal(xmlField(r.text, "Provider"), idp.issuer);
      assert.equal(xmlField(r.text, "Audience"), "sts.amazonaws.com");
      assert.match(xmlField(r.text, "AccessKeyId"), /^ASIA[A-Z2-7]{16}$/);
      secretsSeen.add(xmlField(r.text, "SecretAccessKey")).add(xmlField(r.text, "SessionToken"));
    }
    // The same call as a GET query (unsigned), as STS takes it too.
    const q = new URLSearchParams({ Action: "AssumeRoleWithWebIdentity", Version: "2011-06-15", RoleArn: ROLE_ARN("pipeline"),
      RoleSessionName: "query-job", WebIdentityToken: idp.mint(), DurationSeconds: "900" });
    const g = await fetch(`${proxy.url}/.sts?${q}`);
    const text = await g.text();
    assert.equal(g.status, 200, text);
    assert.equal(xmlField(text, "Arn"), "arn:aws:sts::s3-edge-proxy:assumed-role/pipeline/query-job");
    const left = (Date.parse(xmlField(text, "Expiration")) - Date.now()) / 1000;
    assert.ok(left > 880 && left <= 901, `expires in ${left} s`);
    secretsSeen.add(xmlField(text, "SecretAccessKey")).add(xmlField(text, "SessionToken"));
  });

  it("the negative matrix: each token refused with STS's exact code and no backend request", async () => {
    const cases = [
      ["expired", idp.bad.expired(), 400, "ExpiredTokenException"],
      ["not yet valid", idp.bad.notYetValid(), 400, "InvalidIdentityToken"],
      ["wrong aud", idp.bad.wrongAud(), 400, "InvalidIdentityToken"],
      ["wrong iss", idp.bad.wrongIss(), 400, "InvalidIdentityToken"],
      ["bad signature", idp.bad.badSignature(), 400, "InvalidIdentityToken"],
      ["alg none", idp.bad.algNone(), 400, "InvalidIdentityToken"],
      ["HS256 keyed with the public key PEM", idp.bad.hs256PublicKey(), 400, "InvalidIdentityToken"],
      ["HS256 keyed with the JWK", idp.bad.hs256JwkBytes(), 400, "InvalidIdentityToken"],
      ["unknown kid", idp.bad.unknownKid(), 400, "InvalidIdentityToken"],
      ["claim condition (sub) not met", idp.mint({ sub: "repo:someone-else/app:ref:refs/heads/main" }), 403, "AccessDenied"],
      ["claim condition (ref) not met", idp.mint({ ref: "refs/heads/feature" }), 403, "AccessDenied"],
      ["garbage", "not-a-token", 400, "InvalidIdentityToken"],
    ];
    const before = await backendCalls();
    for (const [what, token, status, code] of cases) {
      const r = await assumeWeb(proxy.url, token);
      assert.equal(r.status, status, `${what}: ${r.text}`);
      assert.equal(xmlField(r.text, "Code"), code, what);
      assert.match(r.text, /<Type>Sender<\/Type>/);
    }
    const params = await assumeWeb(proxy.url, idp.mint(), { extra: "&DurationSeconds=7200" });
    assert.equal(xmlField(params.text, "Code"), "ValidationError");
    const role = await assumeWeb(proxy.url, idp.mint(), { role: "nope" });
    assert.deepEqual([role.status, xmlField(role.text, "Code")], [403, "AccessDenied"]);
    assert.equal(await backendCalls(), before);
    // The log names the refusal's role and subject, never the token.
    const lines = jsonLogs(proxy).filter((l) => l.op === "StsAssumeRoleWithWebIdentity");
    assert.ok(lines.some((l) => l.status === 403 && l.assumed_role === "pipeline" && l.subject === "repo:someone-else/app:ref:refs/heads/main"));
    for (const line of proxy.logs) for (const [, token] of cases) assert.ok(token.length < 20 || !line.includes(token.slice(-40)));
  });

  it("sessions: an altered token (InvalidToken), one past its expiry (ExpiredToken), no backend request", async () => {
    const r = await assumeWeb(proxy.url, idp.mint(), { role: "brief" });
    assert.equal(r.status, 200, r.text);
    const creds = { key: xmlField(r.text, "AccessKeyId"), secret: xmlField(r.text, "SecretAccessKey"), token: xmlField(r.text, "SessionToken") };
    secretsSeen.add(creds.secret).add(creds.token);
    const get = async (c) => {
      const req = await new AwsV4Signer({ url: `${proxy.url}/demo-org/secret-data/nested/a.txt`, method: "GET", accessKeyId: c.key,
        secretAccessKey: c.secret, sessionToken: c.token, service: "s3", region: "us-east-1" }).sign();
      const res = await fetch(req.url, { headers: req.headers });
      return { status: res.status, text: await res.text() };
    };
    assert.equal((await get(creds)).text, NESTED);
    const i = 30;
    const altered = { ...creds, token: creds.token.slice(0, i) + (creds.token[i] === "A" ? "B" : "A") + creds.token.slice(i + 1) };
    let before = await backendCalls();
    const a = await get(altered);
    assert.deepEqual([a.status, xmlField(a.text, "Code")], [400, "InvalidToken"]);
    await new Promise((res) => setTimeout(res, 3500));
    const e = await get(creds);
    assert.deepEqual([e.status, xmlField(e.text, "Code")], [400, "ExpiredToken"]);
    assert.equal(await backendCalls(), before);
  });

  it("a revoked role (gone, or revoking the subject): the live session refused, a new token AccessDenied", async () => {
    const r = await assumeWeb(proxy.url, idp.mint());
    const creds = { key: xmlField(r.text, "AccessKeyId"), secret: xmlField(r.text, "SecretAccessKey"), token: xmlField(r.text, "SessionToken") };
    secretsSeen.add(creds.secret).add(creds.token);
    for (const mutate of [(c) => { delete c.roles.pipeline; },
      (c) => { c.roles.pipeline.revoked_subjects = ["repo:my-org/pipeline:ref:refs/heads/main"]; }]) {
      const revoked = await startProxy({ config: configWith(idp, mutate), bindings });
      try {
        const before = await backendCalls();
        const req = await new AwsV4Signer({ url: `${revoked.url}/demo-org/secret-data/nested/a.txt`, method: "GET", accessKeyId: creds.key,
          secretAccessKey: creds.secret, sessionToken: creds.token, service: "s3", region: "us-east-1" }).sign();
        const res = await fetch(req.url, { headers: req.headers });
        assert.deepEqual([res.status, xmlField(await res.text(), "Code")], [400, "InvalidToken"]);
        const again = await assumeWeb(revoked.url, idp.mint());
        assert.deepEqual([again.status, xmlField(again.text, "Code")], [403, "AccessDenied"]);
        assert.equal(await backendCalls(), before);
      } finally {
        await revoked.close();
      }
    }
  });

  it("JWKS: 50 concurrent cold calls make one fetch; unknown kids are not refetched within the interval; a second proxy on the same colo fetches none", async () => {
    const colo = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-webid-colo-"));
    const cold = await startProxy({ config: configWith(idp), bindings, cachePersist: colo });
    try {
      idp.resetCount();
      idp.delayJwks(200); // the leader's fetch is still running while the others arrive
      const answers = await Promise.all(Array.from({ length: 50 }, () => assumeWeb(cold.url, idp.mint())));
      idp.delayJwks(0);
      assert.deepEqual(answers.map((a) => a.status), Array(50).fill(200), answers.find((a) => a.status !== 200)?.text);
      assert.equal(idp.jwksFetches, 1);
      for (let i = 0; i < 10; i++) {
        const r = await assumeWeb(cold.url, idp.bad.unknownKid());
        assert.equal(xmlField(r.text, "Code"), "InvalidIdentityToken");
      }
      assert.equal(idp.jwksFetches, 1, "unknown kids within the refetch interval cost no fetch");
      const twin = await startProxy({ config: configWith(idp), bindings, cachePersist: colo });
      try {
        const r = await assumeWeb(twin.url, idp.mint());
        assert.equal(r.status, 200, r.text);
        assert.equal(idp.jwksFetches, 1, "the colo tier answered the second proxy");
        const line = jsonLogs(twin).find((l) => l.op === "StsAssumeRoleWithWebIdentity");
        assert.equal(line?.jwks, "colo");
      } finally {
        await twin.close();
      }
    } finally {
      await cold.close();
      fs.rmSync(colo, { recursive: true, force: true });
    }
  });

  it("a JWKS the provider cannot serve is IDPCommunicationError (not cached: the next call succeeds)", async () => {
    const p = await startProxy({ config: configWith(idp), bindings });
    try {
      idp.failNextJwks(1);
      const r = await assumeWeb(p.url, idp.mint());
      assert.deepEqual([r.status, xmlField(r.text, "Code")], [400, "IDPCommunicationError"]);
      assert.equal((await assumeWeb(p.url, idp.mint())).status, 200);
    } finally {
      await p.close();
    }
  });

  it("aws cli v1 (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ENDPOINT_URL_STS): get-caller-identity, s3 cp / ls in scope, refused outside", async () => {
    const env = sdkEnv(proxy.url, tokenFile);
    const who = JSON.parse((await exec("aws", ["sts", "get-caller-identity", "--output", "json"], env)).stdout);
    assert.equal(who.Arn, "arn:aws:sts::s3-edge-proxy:assumed-role/pipeline/sdk-job");
    const got = await exec("aws", ["s3", "cp", "s3://demo-org/secret-data/nested/a.txt", "-"], env);
    assert.equal(got.stdout, NESTED);
    const ls = await exec("aws", ["s3", "ls", "s3://demo-org/secret-data/nested/"], env);
    assert.match(ls.stdout, /a\.txt/);
    await assert.rejects(exec("aws", ["s3", "cp", "s3://demo-org/secret-data/hello.txt", "-"], env),
      (e) => /403|Forbidden|AccessDenied/.test(String(e.stderr)));
  });

  it("boto3 (default chain, the same environment): caller identity, read and list in scope, AccessDenied outside", async () => {
    const out = JSON.parse((await exec("python3", ["-c", BOTO], sdkEnv(proxy.url, tokenFile))).stdout);
    assert.equal(out.whoami, "arn:aws:sts::s3-edge-proxy:assumed-role/pipeline/sdk-job");
    assert.equal(out.inside, NESTED);
    assert.equal(out.outside, "AccessDenied");
    assert.ok(out.list.length > 0 && out.list.every((k) => k.startsWith("secret-data/nested/")), JSON.stringify(out.list));
  });

  it("JS SDK v3 (default provider chain: fromTokenFile): read and list in scope, AccessDenied outside", async () => {
    const out = JSON.parse((await exec("node", ["--input-type=module", "-e", JS_SDK], sdkEnv(proxy.url, tokenFile))).stdout);
    assert.equal(out.inside, NESTED);
    assert.equal(out.outside, "AccessDenied");
    assert.ok(out.list.length > 0 && out.list.every((k) => k.startsWith("secret-data/nested/")), JSON.stringify(out.list));
  });

  it("across a session expiry (3 s sessions): boto3 and the JS SDK refresh by themselves and keep reading", async () => {
    const before = jsonLogs(proxy).filter((l) => l.op === "StsAssumeRoleWithWebIdentity" && l.assumed_role === "brief").length;
    const boto = JSON.parse((await exec("python3", ["-c", BOTO, "4"], sdkEnv(proxy.url, tokenFile, "brief"))).stdout);
    assert.equal(boto.inside, NESTED);
    assert.equal(boto.after_expiry, NESTED);
    const js = JSON.parse((await exec("node", ["--input-type=module", "-e", JS_SDK, "4"], sdkEnv(proxy.url, tokenFile, "brief"))).stdout);
    assert.equal(js.inside, NESTED);
    assert.equal(js.after_expiry, NESTED);
    const issued = jsonLogs(proxy).filter((l) => l.op === "StsAssumeRoleWithWebIdentity" && l.assumed_role === "brief" && l.status === 200).length;
    assert.ok(issued - before >= 4, `${issued - before} sessions issued: each SDK assumed the role again after the expiry`);
  });

  it("no log line holds a token, a secret or a session token", () => {
    for (const line of proxy.logs) for (const s of secretsSeen) assert.ok(!line.includes(s), `log holds a secret: ${line.slice(0, 200)}`);
    const token = fs.readFileSync(tokenFile, "utf8");
    for (const line of proxy.logs) assert.ok(!line.includes(token.split(".")[2]), "log holds a web identity token");
  });
});

describe("sts: identity providers and web-identity roles in the registry (v1/idp/NAME, v1/role/NAME)", () => {
  const REGISTRY_KEY = "e2e web identity registry key: " + crypto.randomBytes(16).toString("hex");
  const TTL_S = 2;
  let idp, proxy, kv, dir;
  const put = (name, value) => kv.put(name, sealEntry(REGISTRY_KEY, name, JSON.stringify(value)));
  const role = (fields = {}) => ({ scopes: [{ account: "demo-org", repository: "secret-data", prefix: "nested/", actions: ["read"] }],
    web_identity: { provider: "kv-ci", conditions: { repository: "my-org/*" } }, ...fields });

  before(async () => {
    idp = await startIdp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-webid-registry-"));
    const config = demoConfig((c) => {
      c.registry = { key_secret: "WEBID_REGISTRY_KEY", entry_ttl_s: TTL_S, negative_ttl_s: TTL_S, listing_ttl_s: TTL_S, stale_s: 0 };
      c.sts = { session_key_secret: "STS_SESSION_KEY" };
    });
    proxy = await startProxy({ config, bindings: { ...bindings, WEBID_REGISTRY_KEY: REGISTRY_KEY }, kvPersist: dir });
    kv = await proxy.mf.getKVNamespace("REGISTRY");
  });
  after(async () => {
    await proxy?.close();
    await idp?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a provider and a role written to KV while the Worker runs: assumable within the TTL; the role disabled, its session refused", async () => {
    await put("v1/idp/kv-ci", { issuer: idp.issuer, audiences: ["sts.amazonaws.com"], jwks_url: idp.jwksUrl });
    await put("v1/role/kv-web", role());
    const ok = await eventually(() => assumeWeb(proxy.url, idp.mint(), { role: "kv-web" }),
      { timeoutMs: 15_000, intervalMs: 250, until: (r) => r.status === 200, what: "the registry role assumable" });
    assert.equal(xmlField(ok.text, "Arn"), "arn:aws:sts::s3-edge-proxy:assumed-role/kv-web/e2e-job");
    const creds = { key: xmlField(ok.text, "AccessKeyId"), secret: xmlField(ok.text, "SecretAccessKey"), token: xmlField(ok.text, "SessionToken") };
    const get = async () => {
      const req = await new AwsV4Signer({ url: `${proxy.url}/demo-org/secret-data/nested/a.txt`, method: "GET", accessKeyId: creds.key,
        secretAccessKey: creds.secret, sessionToken: creds.token, service: "s3", region: "us-east-1" }).sign();
      const res = await fetch(req.url, { headers: req.headers });
      return { status: res.status, text: await res.text() };
    };
    assert.equal((await get()).text, NESTED);
    // A token of another repository: the condition is not met.
    const other = await assumeWeb(proxy.url, idp.mint({ repository: "someone/else" }), { role: "kv-web" });
    assert.deepEqual([other.status, xmlField(other.text, "Code")], [403, "AccessDenied"]);
    await put("v1/role/kv-web", role({ disabled: true }));
    const refused = await eventually(get, { timeoutMs: 15_000, intervalMs: 250, until: (r) => r.status !== 200, what: "the session refused" });
    assert.deepEqual([refused.status, xmlField(refused.text, "Code")], [400, "InvalidToken"]);
    const again = await assumeWeb(proxy.url, idp.mint(), { role: "kv-web" });
    assert.deepEqual([again.status, xmlField(again.text, "Code")], [403, "AccessDenied"]);
    const line = jsonLogs(proxy).find((l) => l.op === "StsAssumeRoleWithWebIdentity" && l.status === 200);
    assert.equal(line.provider, "kv-ci");
    assert.ok(line.registry);
  });
});
