// Who may read what, end to end in workerd against the verifying emulator, on the demo as it ships
// (config/demo.json: public-data and rasters public, secret-data and federated-data private, one access key).
// Real clients sign (aws cli v1/v2, boto3, curl with presigned URLs from boto3 and both aws clis); a negative matrix
// proves every refusal carries S3's exact code and costs no backend or STS request (the emulator's counters).
import assert from "node:assert/strict";
import crypto from "node:crypto";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { AwsV4Signer } from "aws4fetch";
import { backendCalls, client, DEMO_SECRETS, DEMO_USER, demoConfig, emu, startProxy, xmlField } from "./harness.mjs";

const AWS_V1 = "aws"; // pyenv, first on PATH
const AWS_V2 = "/usr/bin/aws";
const HELLO = "hello from a signed backend\n";
const SCOPED = { id: "AKIDSCOPEDNESTED01", secret: "scoped/nested/secret/0001" };

// The demo plus a private repository nobody's key covers, and a second key limited to secret-data's nested/.
const config = demoConfig((c) => {
  c.accounts["demo-org"].repositories.restricted = { backend: "local-signed", prefix: "repos/secret-data/" };
  c.access_keys[SCOPED.id] = { secret_access_key_secret: "SCOPED_SECRET",
    scopes: [{ account: "demo-org", repository: "secret-data", prefix: "nested/", actions: ["read", "list"] }] };
});


const code = (body) => xmlField(body, "Code");

describe("auth: private repositories, signed clients, and the refusals", () => {
  let proxy;
  const url = (p) => `${proxy.url}${p}`;
  // A SigV4 header-signed request by aws4fetch (an independent signer), optionally at another time.
  const signV4 = (path, { key = DEMO_USER, method = "GET", headers = {}, datetime, signQuery = false, query } = {}) => {
    const u = new URL(url(path));
    if (query) for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    return new AwsV4Signer({ url: u.toString(), method, headers, accessKeyId: key.id, secretAccessKey: key.secret,
      service: "s3", region: "us-east-1", datetime, signQuery }).sign();
  };
  const amzDate = (offsetMs) => new Date(Date.now() + offsetMs).toISOString().replace(/[:-]|\.\d{3}/g, "");
  // A SigV2 presigned URL (as boto3's default presigner makes them), computed here.
  const presignV2 = (path, { key = DEMO_USER, expires }) => {
    const sig = crypto.createHmac("sha1", key.secret).update(`GET\n\n\n${expires}\n${path}`).digest("base64");
    return url(`${path}?AWSAccessKeyId=${key.id}&Signature=${encodeURIComponent(sig)}&Expires=${expires}`);
  };
  const send = async (req) => {
    const r = await fetch(req.url, { method: req.method, headers: req.headers });
    return { status: r.status, body: await r.text(), headers: r.headers };
  };

  before(async () => {
    proxy = await startProxy({ config, bindings: { ...DEMO_SECRETS, SCOPED_SECRET: SCOPED.secret } });
  });
  after(() => proxy?.close());

  describe("what anonymous callers see", () => {
    it("ListBuckets and the account listing show public repositories only", async () => {
      const { stdout } = await client(AWS_V2, ["--endpoint-url", proxy.url, "--no-sign-request", "s3", "ls", "s3://demo-org/"]);
      assert.deepEqual(String(stdout).trim().split("\n").map((l) => l.trim()), ["PRE public-data/"]);
      const root = await (await fetch(url("/"))).text();
      assert.deepEqual([...root.matchAll(/<Name>(.*?)<\/Name>/g)].map((m) => m[1]), ["demo-org", "geo-lab"]);
    });
    it("a private object is 403 AccessDenied without touching the backend; a public one is served", async () => {
      const before = await backendCalls();
      const r = await fetch(url("/demo-org/secret-data/hello.txt"));
      assert.equal(r.status, 403);
      assert.equal(code(await r.text()), "AccessDenied");
      assert.equal(await backendCalls(), before);
      assert.equal((await fetch(url("/demo-org/public-data/README.txt"))).status, 200);
    });
    it("a walk across repositories skips private ones", async () => {
      const xml = await (await fetch(url("/demo-org?list-type=2"))).text();
      const keys = [...xml.matchAll(/<Key>(.*?)<\/Key>/g)].map((m) => m[1]);
      assert.ok(keys.length > 0);
      assert.ok(keys.every((k) => k.startsWith("public-data/")), keys.join(","));
    });
  });

  describe("signed clients read what their key allows", () => {
    for (const [name, bin] of [["aws cli v1", AWS_V1], ["aws cli v2", AWS_V2]]) {
      it(`${name}: s3 cp of a private object and s3 ls of the account`, async () => {
        const { stdout } = await client(bin, ["--endpoint-url", proxy.url, "s3", "cp", "s3://demo-org/secret-data/hello.txt", "-"]);
        assert.equal(String(stdout), HELLO);
        const ls = await client(bin, ["--endpoint-url", proxy.url, "s3", "ls", "s3://demo-org/"]);
        assert.deepEqual(String(ls.stdout).trim().split("\n").map((l) => l.trim()),
          ["PRE federated-data/", "PRE public-data/", "PRE secret-data/", "PRE uploads/"]);
      });
      it(`${name}: s3 presign makes a URL curl can GET (SigV2 from v1, SigV4 from v2)`, async () => {
        const { stdout } = await client(bin, ["--endpoint-url", proxy.url, "s3", "presign", "s3://demo-org/secret-data/hello.txt"]);
        const presigned = String(stdout).trim();
        assert.match(presigned, bin === AWS_V1 ? /AWSAccessKeyId=/ : /X-Amz-Signature=/);
        const got = await client("curl", ["-sS", "--fail-with-body", presigned]);
        assert.equal(String(got.stdout), HELLO);
      });
    }
    // The Worker runtime replaces a request's Accept-Encoding with its own ("br, gzip"; the client's value is in
    // request.cf.clientAcceptEncoding), and aws-sdk-go v1 (rclone) signs Accept-Encoding on every GET: the verifier
    // must see the header the client sent and signed, whatever the runtime made of it — and still refuse a value
    // other than the signed one. node:http sends exactly the headers given (fetch would add its own).
    it("a signed Accept-Encoding (rclone's GETs) is verified as the client sent it; another value than signed is refused", async () => {
      const raw = (req, headers = req.headers) => new Promise((resolve, reject) => {
        const u = new URL(req.url);
        const r = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: req.method,
          headers: Object.fromEntries(headers) }, (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        });
        r.on("error", reject);
        r.end();
      });
      for (const ae of ["gzip", "identity", "gzip, deflate, br"]) {
        const req = await signV4("/demo-org/secret-data/hello.txt", { headers: { "accept-encoding": ae } });
        assert.match(req.headers.get("authorization"), /SignedHeaders=accept-encoding;host;/);
        const ok = await raw(req);
        assert.equal(ok.status, 200, `${ae}: ${ok.body}`);
        if (ae === "identity") assert.equal(ok.body, HELLO);
        const other = new Headers(req.headers);
        other.set("accept-encoding", ae === "identity" ? "gzip" : "identity");
        assert.equal((await raw(req, other)).status, 403, `${ae} signed, another sent`);
        const none = new Headers(req.headers);
        none.delete("accept-encoding");
        assert.equal((await raw(req, none)).status, 403, `${ae} signed, none sent`);
      }
    });
    it("boto3: get_object signed, and presigned URLs from its default presigner and from s3v4", async () => {
      const py = `
import boto3, botocore.config, json, sys, urllib.request
ep = sys.argv[1]
out = {}
s3 = boto3.client("s3", endpoint_url=ep, region_name="us-east-1",
                  config=botocore.config.Config(s3={"addressing_style": "path"}))
out["get"] = s3.get_object(Bucket="demo-org", Key="secret-data/hello.txt")["Body"].read().decode()
for sv in ["default", "s3v4"]:
    c = s3 if sv == "default" else boto3.client("s3", endpoint_url=ep, region_name="us-east-1",
        config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    u = c.generate_presigned_url("get_object", Params={"Bucket": "demo-org", "Key": "secret-data/nested/a.txt"}, ExpiresIn=300)
    out[sv] = {"v2": "AWSAccessKeyId=" in u, "body": urllib.request.urlopen(u).read().decode()}
print(json.dumps(out))`;
      const { stdout } = await client("python3", ["-c", py, proxy.url]);
      const out = JSON.parse(String(stdout));
      assert.equal(out.get, HELLO);
      assert.deepEqual(out.default, { v2: true, body: "nested a\n" });
      assert.deepEqual(out.s3v4, { v2: false, body: "nested a\n" });
    });
    it("a key scoped to a prefix reads inside it", async () => {
      const r = await send(await signV4("/demo-org/secret-data/nested/a.txt", { key: SCOPED }));
      assert.equal(r.status, 200);
      assert.equal(r.body, "nested a\n");
    });
    it("signed and unknown-key requests to public data: the known key is served, the unknown one refused as S3 does", async () => {
      assert.equal((await send(await signV4("/demo-org/public-data/README.txt"))).status, 200);
      const r = await send(await signV4("/demo-org/public-data/README.txt", { key: { id: "AKIDSOMEONEELSE0001", secret: "x" } }));
      assert.equal(r.status, 403);
      assert.equal(code(r.body), "InvalidAccessKeyId");
    });
    it("with unknown_keys_as_anonymous, an unknown key reads public data but never private data", async () => {
      const lenient = await startProxy({ config: demoConfig((c) => { c.unknown_keys_as_anonymous = true; }) });
      try {
        const someone = { id: "AKIDSOMEONEELSE0001", secret: "their own aws secret" };
        const sign = (p) => new AwsV4Signer({ url: `${lenient.url}${p}`, accessKeyId: someone.id, secretAccessKey: someone.secret,
          service: "s3", region: "us-east-1" }).sign();
        assert.equal((await send(await sign("/demo-org/public-data/README.txt"))).status, 200);
        const r = await send(await sign("/demo-org/secret-data/hello.txt"));
        assert.equal(r.status, 403);
        assert.equal(code(r.body), "AccessDenied");
      } finally {
        await lenient.close();
      }
    });
  });

  describe("the negative matrix: S3's exact code, no backend or STS request", () => {
    const cases = [
      ["wrong secret", 403, "SignatureDoesNotMatch", () => signV4("/demo-org/secret-data/hello.txt", { key: { id: DEMO_USER.id, secret: "not-the-secret" } })],
      ["unknown key", 403, "InvalidAccessKeyId", () => signV4("/demo-org/secret-data/hello.txt", { key: { id: "AKIDNOBODY00000001", secret: "x" } })],
      ["tampered path", 403, "SignatureDoesNotMatch", async () => {
        const r = await signV4("/demo-org/secret-data/hello.txt");
        return { ...r, url: r.url.toString().replace("hello.txt", "nested/a.txt") };
      }],
      ["tampered query", 403, "SignatureDoesNotMatch", async () => {
        const r = await signV4("/demo-org/secret-data/hello.txt");
        return { ...r, url: r.url.toString() + "?versionId=1" };
      }],
      ["tampered signed header", 403, "SignatureDoesNotMatch", async () => {
        const r = await signV4("/demo-org/secret-data/hello.txt", { headers: { "if-none-match": '"abc"' } });
        r.headers.set("if-none-match", '"abd"');
        return r;
      }],
      ["x-amz-date 16 min ahead", 403, "RequestTimeTooSkewed", () => signV4("/demo-org/secret-data/hello.txt", { datetime: amzDate(16 * 60e3) })],
      ["x-amz-date 16 min behind", 403, "RequestTimeTooSkewed", () => signV4("/demo-org/secret-data/hello.txt", { datetime: amzDate(-16 * 60e3) })],
      ["expired SigV4 presign", 403, "AccessDenied", () => signV4("/demo-org/secret-data/hello.txt",
        { signQuery: true, datetime: amzDate(-2 * 3600e3), query: { "X-Amz-Expires": "3600" } })],
      ["expired SigV2 presign", 403, "AccessDenied", () => ({ url: presignV2("/demo-org/secret-data/hello.txt", { expires: Math.floor(Date.now() / 1000) - 5 }) })],
      ["X-Amz-Expires over a week", 400, "AuthorizationQueryParametersError", () => signV4("/demo-org/secret-data/hello.txt",
        { signQuery: true, query: { "X-Amz-Expires": "604801" } })],
      ["host not signed", 400, "AuthorizationHeaderMalformed", async () => {
        const r = await signV4("/demo-org/secret-data/hello.txt");
        r.headers.set("authorization", r.headers.get("authorization").replace("SignedHeaders=host;", "SignedHeaders="));
        return r;
      }],
      ["forged SigV2 header", 403, "SignatureDoesNotMatch", () => ({ url: url("/demo-org/secret-data/hello.txt"),
        headers: { date: new Date().toUTCString(), authorization: `AWS ${DEMO_USER.id}:AAAAAAAAAAAAAAAAAAAAAAAAAAA=` } })],
      ["forged SigV2 URL", 403, "SignatureDoesNotMatch", () => {
        const u = presignV2("/demo-org/secret-data/hello.txt", { expires: Math.floor(Date.now() / 1000) + 300 });
        return { url: u.replace("hello.txt", "nested/a.txt") };
      }],
      ["anonymous read of a private repository", 403, "AccessDenied", () => ({ url: url("/demo-org/secret-data/hello.txt") })],
      ["read outside the key's scope: another repository", 403, "AccessDenied", () => signV4("/demo-org/restricted/hello.txt")],
      ["read outside the key's scope: another prefix", 403, "AccessDenied", () => signV4("/demo-org/secret-data/hello.txt", { key: SCOPED })],
      ["listing outside the key's prefix", 403, "AccessDenied", () => signV4("/demo-org", { key: SCOPED, query: { "list-type": "2", prefix: "secret-data/" } })],
      ["anonymous response-* override", 400, "InvalidRequest", () => ({ url: url("/demo-org/public-data/README.txt?response-content-type=text%2Fhtml") })],
    ];
    for (const [name, status, want, make] of cases) {
      it(`${name} → ${status} ${want}`, async () => {
        const req = await make();
        const before = await backendCalls();
        const r = await send({ method: "GET", headers: {}, ...req, url: req.url.toString() });
        assert.equal(r.status, status, r.body);
        assert.equal(code(r.body), want);
        assert.equal(xmlField(r.body, "RequestId"), r.headers.get("x-amz-request-id"));
        assert.equal(await backendCalls(), before, "a refused request reaches no backend");
        assert.ok(!r.body.includes(DEMO_USER.secret) && !r.body.includes("StringToSign"), "no secret or signing detail in the answer");
      });
    }
  });

  it("anonymous listing of a private repository answers as one that does not exist: empty, no backend request", async () => {
    const before = await backendCalls();
    const hidden = await send({ url: url("/demo-org?list-type=2&prefix=secret-data/"), method: "GET", headers: {} });
    const missing = await send({ url: url("/demo-org?list-type=2&prefix=no-such-repository/"), method: "GET", headers: {} });
    assert.equal(hidden.status, 200);
    assert.equal(xmlField(hidden.body, "KeyCount"), "0");
    assert.equal(hidden.body.replace(/secret-data/g, "X"), missing.body.replace(/no-such-repository/g, "X"));
    assert.equal(await backendCalls(), before);
  });

  it("every object response says nosniff; the log line names the scheme and the key, never its secret", async () => {
    const r = await send(await signV4("/demo-org/secret-data/hello.txt"));
    assert.equal(r.headers.get("x-content-type-options"), "nosniff");
    const line = proxy.logs.map((l) => { try { return JSON.parse(l); } catch { return null; } })
      .filter((l) => l && l.path === "/demo-org/secret-data/hello.txt" && l.status === 200).at(-1);
    assert.equal(line.auth, "sigv4");
    assert.equal(line.key, DEMO_USER.id);
    assert.ok(!proxy.logs.some((l) => l.includes(DEMO_USER.secret) || l.includes(SCOPED.secret)));
  });
});
