// The proxy's own STS (/.sts), end to end in workerd against the verifying emulator: unmodified boto3 and aws cli
// v1 assume a role the deployment defines with one of its access keys, then read with the session credentials
// within the role's scopes (∩ the key's) and are refused outside them; an altered token, an expired session, an
// untrusted key, a revoked role are refused with S3's or STS's code and no backend request; another proxy holding
// the same session key verifies the same session (stateless); no log line and no S3 answer carries a secret or a
// token. Roles in the registry (v1/role/NAME in Miniflare's KV): written while the Worker runs, assumable within the
// TTL by boto3 with a registry key; disabled, refused (AssumeRole and the live session) within it. The host's real
// AES-GCM seals and opens here (the units stand it in).
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { AwsV4Signer } from "aws4fetch";
import { signChunkedUpload } from "../lib/signed_chunks_client.mjs";
import {
  backendCalls, client, DEMO_SECRETS, DEMO_USER, demoConfig, eventually, jsonLogs, sealEntry, startProxy, xmlField,
} from "./harness.mjs";

const AWS_V1 = "aws"; // pyenv, first on PATH: aws cli v1
const OTHER = { id: "AKIDSTSOTHERKEY01", secret: "sts/other/key/secret/01" };
const ROLE_ARN = (name) => `arn:aws:iam::s3-edge-proxy:role/${name}`;
const NESTED = "nested a\n";

const configWith = (mutate) =>
  demoConfig((c) => {
    c.access_keys[OTHER.id] = { secret_access_key_secret: "STS_OTHER_SECRET",
      scopes: [{ account: "demo-org", repository: "secret-data", actions: ["read", "list"] }] };
    c.sts = { session_key_secret: "STS_SESSION_KEY", test_only_min_session_s: 1 };
    c.roles = {
      // The demo key reads and lists all of secret-data; the role only nested/: the session gets nested/ only.
      reader: { scopes: [{ account: "demo-org", repository: "secret-data", prefix: "nested/", actions: ["read", "list", "write"] }],
        max_session_s: 3600, trusted_keys: [DEMO_USER.id] },
      // Sessions of 2 s by default (botocore refuses DurationSeconds < 900 itself; the role's max caps the default).
      // Writes under uploads/sts-chunks/ (the demo key writes all of uploads).
      uploader: { scopes: [{ account: "demo-org", repository: "uploads", prefix: "sts-chunks/", actions: ["read", "write"] }],
        max_session_s: 3600, trusted_keys: [DEMO_USER.id] },
      brief: { scopes: [{ account: "demo-org", repository: "secret-data", prefix: "nested/", actions: ["read"] }],
        max_session_s: 2, trusted_keys: [DEMO_USER.id] },
    };
    mutate?.(c);
  });
const bindings = { ...DEMO_SECRETS, STS_OTHER_SECRET: OTHER.secret, STS_SESSION_KEY: crypto.randomBytes(32).toString("base64") };

// boto3, unmodified: an STS client on <proxy>/.sts, then S3 clients with what it returned. One process, JSON out.
const BOTO = `
import boto3, botocore.config, json, sys, urllib.request, urllib.error
from botocore.exceptions import ClientError
ep, role, duration = sys.argv[1], sys.argv[2], int(sys.argv[3])
cfg = botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
def err(e): return {"status": e.response["ResponseMetadata"]["HTTPStatusCode"], "code": e.response["Error"]["Code"], "message": e.response["Error"].get("Message")}
out = {}
sts = boto3.client("sts", endpoint_url=ep + "/.sts", region_name="us-east-1", config=cfg)
try:
    r = sts.assume_role(RoleArn=role, RoleSessionName="boto-job", **({"DurationSeconds": duration} if duration else {}))
except ClientError as e:
    print(json.dumps({"assume": err(e)})); sys.exit(0)
c = r["Credentials"]
out["assume"] = {"key": c["AccessKeyId"], "secret": c["SecretAccessKey"], "token": c["SessionToken"],
                 "expiration": c["Expiration"].isoformat(), "arn": r["AssumedRoleUser"]["Arn"]}
kw = dict(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
s3 = boto3.client("s3", endpoint_url=ep, region_name="us-east-1", config=cfg, **kw)
def get(key):
    try: return {"body": s3.get_object(Bucket="demo-org", Key=key)["Body"].read().decode()}
    except ClientError as e: return err(e)
out["inside"] = get("secret-data/nested/a.txt")
out["outside"] = get("secret-data/hello.txt")
try:
    out["list"] = [o["Key"] for o in s3.list_objects_v2(Bucket="demo-org", Prefix="secret-data/nested/").get("Contents", [])]
except ClientError as e: out["list"] = err(e)
try:
    s3.put_object(Bucket="demo-org", Key="uploads/from-session.txt", Body=b"x")
    out["write_outside"] = "written"
except ClientError as e: out["write_outside"] = err(e)
v4 = boto3.client("s3", endpoint_url=ep, region_name="us-east-1",
                  config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": "path"}), **kw)
u = v4.generate_presigned_url("get_object", Params={"Bucket": "demo-org", "Key": "secret-data/nested/a.txt"}, ExpiresIn=300)
out["presigned"] = {"has_token": "X-Amz-Security-Token=" in u, "body": urllib.request.urlopen(u).read().decode()}
who = boto3.client("sts", endpoint_url=ep + "/.sts", region_name="us-east-1", config=cfg, **kw).get_caller_identity()
out["whoami"] = {"arn": who["Arn"], "user": who["UserId"], "account": who["Account"]}
print(json.dumps(out))
`;
async function boto(url, role = ROLE_ARN("reader"), duration = 900) {
  const { stdout } = await client("python3", ["-c", BOTO, url, role, String(duration)]);
  return JSON.parse(String(stdout));
}

// An S3 GET signed with session credentials by aws4fetch (an independent signer). Every answer is kept: none may
// hold a secret or a token (the last test).
const answers = [];
async function sessionGet(url, creds) {
  const req = await new AwsV4Signer({ url, method: "GET", accessKeyId: creds.key, secretAccessKey: creds.secret,
    sessionToken: creds.token, service: "s3", region: "us-east-1" }).sign();
  const r = await fetch(req.url, { method: req.method, headers: req.headers });
  const out = { status: r.status, text: await r.text(), headers: JSON.stringify([...r.headers]) };
  answers.push(out);
  return out;
}

// Refused with `status` and `code`, and not one backend request spent on it.
async function refused(send, status, code) {
  const before = await backendCalls();
  const r = await send();
  assert.equal(r.status, status, r.text);
  assert.equal(xmlField(r.text, "Code"), code, r.text);
  assert.equal(await backendCalls(), before);
  return r;
}

describe("sts: the proxy's own AssumeRole / GetCallerIdentity and the sessions it issues", () => {
  let proxy, creds, seen;
  const url = (p) => `${proxy.url}${p}`;
  const secretsSeen = new Set();

  before(async () => {
    proxy = await startProxy({ config: configWith(), bindings });
    seen = await boto(proxy.url);
    creds = seen.assume;
    secretsSeen.add(creds.secret).add(creds.token);
  });
  after(() => proxy?.close());

  it("boto3: assume_role on <proxy>/.sts returns ASIA… credentials for the role session", () => {
    assert.match(creds.key, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(creds.secret.length, 40);
    assert.match(creds.token, /^S3P1[A-Za-z0-9_-]+$/);
    assert.equal(seen.assume.arn, "arn:aws:sts::s3-edge-proxy:assumed-role/reader/boto-job");
    const left = (Date.parse(creds.expiration) - Date.now()) / 1000;
    assert.ok(left > 880 && left <= 901, `expires in ${left} s`);
  });

  it("boto3 with the session: reads and lists within the role's scopes, AccessDenied outside (read and write)", () => {
    assert.deepEqual(seen.inside, { body: NESTED });
    assert.equal(seen.outside.status, 403);
    assert.equal(seen.outside.code, "AccessDenied"); // the key may read hello.txt; the role may not
    assert.ok(Array.isArray(seen.list) && seen.list.length > 0 && seen.list.every((k) => k.startsWith("secret-data/nested/")), JSON.stringify(seen.list));
    assert.equal(seen.write_outside.code, "AccessDenied"); // the key may write uploads/; the role names nothing there
    assert.deepEqual(seen.presigned, { has_token: true, body: NESTED });
  });

  it("GetCallerIdentity: boto3 and `aws sts get-caller-identity` (cli v1) name the role session; a key names itself", async () => {
    assert.equal(seen.whoami.arn, "arn:aws:sts::s3-edge-proxy:assumed-role/reader/boto-job");
    assert.match(seen.whoami.user, /^AROA[A-Z2-7]{17}:boto-job$/);
    assert.equal(seen.whoami.account, "s3-edge-proxy");
    const { stdout } = await client(AWS_V1, ["sts", "get-caller-identity", "--endpoint-url", url("/.sts"), "--output", "json"],
      { AWS_ACCESS_KEY_ID: creds.key, AWS_SECRET_ACCESS_KEY: creds.secret, AWS_SESSION_TOKEN: creds.token });
    assert.equal(JSON.parse(String(stdout)).Arn, "arn:aws:sts::s3-edge-proxy:assumed-role/reader/boto-job");
    const mine = await client(AWS_V1, ["sts", "get-caller-identity", "--endpoint-url", url("/.sts"), "--output", "json"]);
    assert.equal(JSON.parse(String(mine.stdout)).Arn, `arn:aws:iam::s3-edge-proxy:user/${DEMO_USER.id}`);
  });

  it("aws cli v1: sts assume-role, then s3 cp with the session reads inside and is refused outside", async () => {
    const { stdout } = await client(AWS_V1, ["sts", "assume-role", "--endpoint-url", url("/.sts"), "--role-arn", ROLE_ARN("reader"),
      "--role-session-name", "cli-job", "--output", "json"]);
    const c = JSON.parse(String(stdout)).Credentials;
    secretsSeen.add(c.SecretAccessKey).add(c.SessionToken);
    const env = { AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken };
    const got = await client(AWS_V1, ["--endpoint-url", proxy.url, "s3", "cp", "s3://demo-org/secret-data/nested/a.txt", "-"], env);
    assert.equal(String(got.stdout), NESTED);
    await assert.rejects(client(AWS_V1, ["--endpoint-url", proxy.url, "s3", "cp", "s3://demo-org/secret-data/hello.txt", "-"], env),
      (e) => /403|Forbidden|AccessDenied/.test(String(e.stderr)));
    // `s3 presign` (SigV2: the token rides in x-amz-security-token, signed as a header): the URL reads; without
    // its token, or with the token altered, it does not.
    const presigned = String((await client(AWS_V1, ["--endpoint-url", proxy.url, "s3", "presign",
      "s3://demo-org/secret-data/nested/a.txt"], env)).stdout).trim();
    assert.match(presigned, /AWSAccessKeyId=ASIA.*x-amz-security-token=S3P1/);
    const r = await fetch(presigned);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), NESTED);
    const u = new URL(presigned);
    u.searchParams.delete("x-amz-security-token");
    const without = await fetch(u);
    assert.equal(without.status, 403);
    assert.equal(xmlField(await without.text(), "Code"), "InvalidAccessKeyId"); // an ASIA id is no key of ours
    const t = new URL(presigned).searchParams.get("x-amz-security-token");
    const altered = new URL(presigned);
    altered.searchParams.set("x-amz-security-token", t.slice(0, 20) + (t[20] === "A" ? "B" : "A") + t.slice(21));
    const bad = await fetch(altered);
    assert.equal(bad.status, 400);
    assert.equal(xmlField(await bad.text(), "Code"), "InvalidToken");
  });

  it("a session token altered by one byte is 400 InvalidToken; a token with another key's signature too", async () => {
    const i = 20;
    const altered = creds.token.slice(0, i) + (creds.token[i] === "A" ? "B" : "A") + creds.token.slice(i + 1);
    await refused(() => sessionGet(url("/demo-org/secret-data/nested/a.txt"), { ...creds, token: altered }), 400, "InvalidToken");
    await refused(() => sessionGet(url("/demo-org/secret-data/nested/a.txt"), { key: DEMO_USER.id, secret: DEMO_USER.secret, token: creds.token }),
      400, "InvalidToken");
    // Unaltered, the same request is served.
    assert.equal((await sessionGet(url("/demo-org/secret-data/nested/a.txt"), creds)).text, NESTED);
  });

  it("a session used after its expiry is 400 ExpiredToken (a 2 s session: the test-only minimum)", async () => {
    const short = (await boto(proxy.url, ROLE_ARN("brief"), 0)).assume;
    secretsSeen.add(short.secret).add(short.token);
    assert.equal((await sessionGet(url("/demo-org/secret-data/nested/a.txt"), short)).status, 200);
    await new Promise((r) => setTimeout(r, 2500));
    await refused(() => sessionGet(url("/demo-org/secret-data/nested/a.txt"), short), 400, "ExpiredToken");
  });

  it("a signed aws-chunked upload (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) with session credentials is stored as sent; a changed byte is refused", async () => {
    const signed = await new AwsV4Signer({ url: url("/.sts"), method: "POST", accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret,
      service: "sts", region: "us-east-1", headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE_ARN("uploader"))}&RoleSessionName=chunks` }).sign();
    const xml = await (await fetch(signed.url, { method: "POST", headers: signed.headers, body: signed.body })).text();
    const up = { key: xmlField(xml, "AccessKeyId"), secret: xmlField(xml, "SecretAccessKey"), token: xmlField(xml, "SessionToken") };
    assert.match(up.key ?? "", /^ASIA/, xml);
    secretsSeen.add(up.secret).add(up.token);
    const data = crypto.randomBytes(200_000);
    const send = async (p, tamper) => {
      const u = signChunkedUpload({ url: url(p), data, chunkSize: 65536, accessKeyId: up.key, secretAccessKey: up.secret,
        headers: { "x-amz-security-token": up.token } });
      const body = Buffer.from(u.body);
      if (tamper) body[body.length - 100] ^= 0x01;
      const r = await fetch(url(p), { method: "PUT", headers: u.headers, body });
      return { status: r.status, text: await r.text() };
    };
    const ok = await send("/demo-org/uploads/sts-chunks/chunked.bin");
    assert.equal(ok.status, 200, ok.text);
    const back = await new AwsV4Signer({ url: url("/demo-org/uploads/sts-chunks/chunked.bin"), method: "GET", accessKeyId: up.key,
      secretAccessKey: up.secret, sessionToken: up.token, service: "s3", region: "us-east-1" }).sign();
    const got = await fetch(back.url, { headers: back.headers });
    assert.equal(got.status, 200);
    assert.ok(Buffer.from(await got.arrayBuffer()).equals(data), "the bytes stored are the bytes sent");
    const bad = await send("/demo-org/uploads/sts-chunks/tampered.bin", true);
    assert.equal(bad.status, 403, bad.text);
    assert.equal(xmlField(bad.text, "Code"), "SignatureDoesNotMatch");
    // Outside the role's prefix (inside the key's): refused before any byte is read.
    await refused(() => send("/demo-org/uploads/elsewhere.bin"), 403, "AccessDenied");
  });

  it("AssumeRole refusals in STS's XML: an untrusted key (403 AccessDenied), an unknown role, a duration over the role's max", async () => {
    const py = `
import boto3, json, sys
from botocore.exceptions import ClientError
ep, key, secret = sys.argv[1:4]
sts = boto3.client("sts", endpoint_url=ep + "/.sts", region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret)
out = []
for arn, d in [("arn:aws:iam::s3-edge-proxy:role/reader", 900), ("arn:aws:iam::s3-edge-proxy:role/nope", 900), ("arn:aws:iam::s3-edge-proxy:role/reader", 7200)]:
    try:
        sts.assume_role(RoleArn=arn, RoleSessionName="x-job", DurationSeconds=d); out.append("issued")
    except ClientError as e:
        out.append([e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"], e.response["Error"]["Type"]])
print(json.dumps(out))`;
    const before = await backendCalls();
    const other = JSON.parse(String((await client("python3", ["-c", py, proxy.url, OTHER.id, OTHER.secret])).stdout));
    assert.deepEqual(other[0], [403, "AccessDenied", "Sender"]); // OTHER may read secret-data, but reader does not trust it
    assert.deepEqual(other[1], [403, "AccessDenied", "Sender"]);
    const demo = JSON.parse(String((await client("python3", ["-c", py, proxy.url, DEMO_USER.id, DEMO_USER.secret])).stdout));
    assert.deepEqual(demo, ["issued", [403, "AccessDenied", "Sender"], [400, "ValidationError", "Sender"]]);
    assert.equal(await backendCalls(), before);
    // Unsigned, and a session policy.
    const r = await fetch(url("/.sts?Action=GetCallerIdentity&Version=2011-06-15"));
    assert.equal(r.status, 403);
    assert.equal(xmlField(await r.text(), "Code"), "MissingAuthenticationToken");
    const signed = await new AwsV4Signer({ url: url("/.sts"), method: "POST", service: "sts", region: "us-east-1",
      accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret, headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE_ARN("reader"))}&RoleSessionName=p-job&Policy=%7B%7D` }).sign();
    const policy = await (await fetch(signed.url, { method: signed.method, headers: signed.headers, body: signed.body })).text();
    assert.equal(xmlField(policy, "Code"), "ValidationError");
    assert.match(xmlField(policy, "Message"), /Session policies/);
  });

  it("stateless: another proxy with the same session key serves the session; one without the role refuses it (revocation)", async () => {
    const twin = await startProxy({ config: configWith(), bindings });
    try {
      assert.equal((await sessionGet(`${twin.url}/demo-org/secret-data/nested/a.txt`, creds)).text, NESTED);
    } finally {
      await twin.close();
    }
    const revoked = await startProxy({ config: configWith((c) => { delete c.roles.reader; c.roles.other = { scopes: [], trusted_keys: [OTHER.id] }; }), bindings });
    try {
      const r = await refused(() => sessionGet(`${revoked.url}/demo-org/secret-data/nested/a.txt`, creds), 400, "InvalidToken");
      assert.ok(!r.text.includes(creds.token));
    } finally {
      await revoked.close();
    }
    const foreignKey = await startProxy({ config: configWith(), bindings: { ...bindings, STS_SESSION_KEY: crypto.randomBytes(32).toString("base64") } });
    try {
      await refused(() => sessionGet(`${foreignKey.url}/demo-org/secret-data/nested/a.txt`, creds), 400, "InvalidToken");
    } finally {
      await foreignKey.close();
    }
  });

  it("the log names role and session on every session request; no log line and no S3 answer holds a secret or a token", async () => {
    const lines = jsonLogs(proxy);
    const sessionLines = lines.filter((l) => l.role === "reader" && l.session === "boto-job");
    assert.ok(sessionLines.length >= 5, `${sessionLines.length} lines with role and session`);
    assert.ok(sessionLines.every((l) => l.source_key === DEMO_USER.id && /^ASIA/.test(l.key ?? l.claimed_key)));
    assert.ok(lines.some((l) => l.op === "StsAssumeRole" && l.assumed_role === "reader" && l.status === 200));
    for (const line of proxy.logs)
      for (const s of secretsSeen) assert.ok(!line.includes(s), `a log line holds a secret or token: ${line.slice(0, 200)}`);
    assert.ok(answers.length >= 8);
    for (const a of answers)
      for (const s of secretsSeen) assert.ok(!a.text.includes(s) && !a.headers.includes(s), `an answer holds a secret or token: ${a.text.slice(0, 200)}`);
  });
});

describe("sts: roles in the registry (v1/role/NAME), changed while the Worker runs", () => {
  const REGISTRY_KEY = "e2e sts registry deployment key: " + crypto.randomBytes(16).toString("hex");
  const TTL_S = 2;
  const KEY_ID = "AKIDSTSREGISTRY01";
  const nonce = crypto.randomBytes(16).toString("base64url");
  // The key's secret as the core derives it (README "Registry"), computed independently.
  const keySecret = crypto.createHmac("sha256", REGISTRY_KEY).update(`s3-edge-proxy access key secret v1\0${KEY_ID}\0${1}\0${nonce}`)
    .digest("base64url");
  const asKey = { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: keySecret };
  const role = (fields = {}) => ({ scopes: [{ account: "demo-org", repository: "secret-data", prefix: "nested/", actions: ["read", "list"] }],
    max_session_s: 3600, trusted_keys: [KEY_ID], ...fields });
  let proxy, kv, dir;
  const put = (name, value) => kv.put(name, sealEntry(REGISTRY_KEY, name, JSON.stringify(value)));
  const assume = async (name = "kv-reader") =>
    JSON.parse(String((await client("python3", ["-c", BOTO, proxy.url, ROLE_ARN(name), "900"], asKey)).stdout));

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-sts-registry-e2e-"));
    // S3P_CONFIG keeps the demo's accounts and the static roles; the key and the role kv-reader are the registry's.
    const config = configWith((c) => {
      c.registry = { key_secret: "STS_REGISTRY_KEY", entry_ttl_s: TTL_S, negative_ttl_s: TTL_S, listing_ttl_s: TTL_S, stale_s: 0 };
    });
    proxy = await startProxy({ config, bindings: { ...bindings, STS_REGISTRY_KEY: REGISTRY_KEY }, kvPersist: dir });
    kv = await proxy.mf.getKVNamespace("REGISTRY");
    await put(`v1/key/${KEY_ID}`, { scopes: [{ account: "demo-org", repository: "secret-data", actions: ["read", "list"] }],
      generation: 1, nonce });
  });
  after(async () => {
    await proxy?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a role written to KV while the Worker runs is assumable within the TTL (boto3, a registry key); disabled, refused within it", async () => {
    // Not there yet: AccessDenied (and "no such role" is cached for the negative TTL only).
    const before = await assume();
    assert.deepEqual(before.assume, { status: 403, code: "AccessDenied", message: before.assume.message });
    await put("v1/role/kv-reader", role());
    const t0 = Date.now();
    const seen = await eventually(assume, { timeoutMs: 15_000, intervalMs: 250, until: (o) => !!o.assume?.key, what: "the role assumable" });
    assert.ok(Date.now() - t0 < (TTL_S + 5) * 1000, `assumable after ${Date.now() - t0} ms`);
    assert.equal(seen.assume.arn, "arn:aws:sts::s3-edge-proxy:assumed-role/kv-reader/boto-job");
    assert.deepEqual(seen.inside, { body: NESTED });
    assert.equal(seen.outside.code, "AccessDenied"); // the key may read hello.txt; the role may not
    assert.equal(seen.whoami.arn, "arn:aws:sts::s3-edge-proxy:assumed-role/kv-reader/boto-job");
    const creds = seen.assume;
    // Disabled in KV: within the TTL the live session is refused (InvalidToken), and AssumeRole (AccessDenied).
    await put("v1/role/kv-reader", role({ disabled: true }));
    const t1 = Date.now();
    const refusedSession = await eventually(() => sessionGet(`${proxy.url}/demo-org/secret-data/nested/a.txt`, creds),
      { timeoutMs: 15_000, intervalMs: 250, until: (r) => r.status !== 200, what: "the session refused" });
    assert.equal(refusedSession.status, 400, refusedSession.text);
    assert.equal(xmlField(refusedSession.text, "Code"), "InvalidToken");
    assert.ok(Date.now() - t1 < (TTL_S + 5) * 1000, `refused after ${Date.now() - t1} ms`);
    const again = await assume();
    assert.equal(again.assume.status, 403);
    assert.equal(again.assume.code, "AccessDenied");
    // The log names where the role came from and why the session was refused; never the token.
    const lines = jsonLogs(proxy);
    assert.ok(lines.some((l) => l.op === "StsAssumeRole" && l.assumed_role === "kv-reader" && l.status === 200 && l.registry));
    for (const line of proxy.logs) assert.ok(!line.includes(creds.token) && !line.includes(creds.secret));
  });
});
