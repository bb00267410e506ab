// Writes through the proxy, end to end in workerd against the verifying emulator: PutObject (the client's body
// streamed to the backend by handle) and DeleteObject with real clients, the refusals (no backend request), and
// body integrity: a body changed after the client signed it never becomes an object.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { AwsV4Signer } from "aws4fetch";
import { client, DEMO_USER, demoConfig, emu, startProxy, xmlField } from "./harness.mjs";

const AWS_V1 = "aws";
const AWS_V2 = "/usr/bin/aws";
const sha256 = (b) => crypto.createHash("sha256").update(b).digest("hex");
const backendCalls = async () => {
  const s = await emu("stats");
  return s.s3_requests + s.sts_requests;
};

describe("writes: PutObject and DeleteObject through the proxy", () => {
  let proxy, dir;
  const url = (p) => `${proxy.url}${p}`;
  const get = async (p) => {
    const s = await new AwsV4Signer({ url: url(p), accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret, service: "s3", region: "us-east-1" }).sign();
    const r = await fetch(s.url, { headers: s.headers });
    return { status: r.status, body: Buffer.from(await r.arrayBuffer()), headers: r.headers };
  };
  const put = async (p, body, { headers = {}, key = DEMO_USER, sendBody = body } = {}) => {
    const s = await new AwsV4Signer({ url: url(p), method: "PUT", body, headers: { "x-amz-content-sha256": sha256(body), ...headers },
      accessKeyId: key.id, secretAccessKey: key.secret, service: "s3", region: "us-east-1" }).sign();
    const r = await fetch(s.url, { method: "PUT", headers: s.headers, body: sendBody });
    return { status: r.status, text: await r.text(), headers: r.headers };
  };

  before(async () => {
    proxy = await startProxy({ config: demoConfig() });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-writes-"));
  });
  after(async () => {
    await proxy?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, bin] of [["aws cli v1", AWS_V1], ["aws cli v2", AWS_V2]]) {
    it(`${name}: s3 cp up, read back byte-exact, s3 rm`, async () => {
      const file = path.join(dir, `${name.replace(/ /g, "-")}.bin`);
      const bytes = crypto.randomBytes(300_000);
      fs.writeFileSync(file, bytes);
      const target = `s3://demo-org/uploads/cli/${path.basename(file)}`;
      await client(bin, ["--endpoint-url", proxy.url, "s3", "cp", file, target]);
      const back = await get(`/demo-org/uploads/cli/${path.basename(file)}`);
      assert.equal(back.status, 200);
      assert.equal(sha256(back.body), sha256(bytes));
      await client(bin, ["--endpoint-url", proxy.url, "s3", "rm", target]);
      assert.equal((await get(`/demo-org/uploads/cli/${path.basename(file)}`)).status, 404);
    });
  }

  it("aws cli v2 s3api put-object: content type, cache control and metadata round-trip", async () => {
    const file = path.join(dir, "meta.txt");
    fs.writeFileSync(file, "with metadata\n");
    const { stdout } = await client(AWS_V2, ["--endpoint-url", proxy.url, "s3api", "put-object", "--bucket", "demo-org", "--key", "uploads/meta.txt",
      "--body", file, "--content-type", "text/x-s3p", "--cache-control", "max-age=60", "--metadata", "origin=e2e,owner=writes"]);
    const etag = JSON.parse(String(stdout)).ETag;
    const head = JSON.parse(String((await client(AWS_V2, ["--endpoint-url", proxy.url, "s3api", "head-object", "--bucket", "demo-org", "--key", "uploads/meta.txt"])).stdout));
    assert.equal(head.ETag, etag);
    assert.equal(head.ContentType, "text/x-s3p");
    assert.equal(head.CacheControl, "max-age=60");
    assert.deepEqual(head.Metadata, { origin: "e2e", owner: "writes" });
  });

  it("boto3: put_object with metadata, and IfNoneMatch='*' refuses to overwrite (412)", async () => {
    const py = `
import boto3, botocore.config, json, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", config=botocore.config.Config(s3={"addressing_style": "path"}))
out = {}
r = s3.put_object(Bucket="demo-org", Key="uploads/boto3.txt", Body=b"from boto3\\n", Metadata={"k": "v"}, ContentType="text/plain")
out["etag"] = r["ETag"]
h = s3.head_object(Bucket="demo-org", Key="uploads/boto3.txt")
out["meta"] = h["Metadata"]
try:
    s3.put_object(Bucket="demo-org", Key="uploads/boto3.txt", Body=b"again", IfNoneMatch="*")
    out["second"] = "stored"
except Exception as e:
    out["second"] = e.response["Error"]["Code"]
out["body"] = s3.get_object(Bucket="demo-org", Key="uploads/boto3.txt")["Body"].read().decode()
print(json.dumps(out))`;
    const out = JSON.parse(String((await client("python3", ["-c", py, proxy.url])).stdout));
    assert.deepEqual(out.meta, { k: "v" });
    assert.equal(out.second, "PreconditionFailed");
    assert.equal(out.body, "from boto3\n");
  });

  it("a presigned PUT (boto3, s3v4) works with curl", async () => {
    const py = `
import boto3, botocore.config, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": "path"}))
print(s3.generate_presigned_url("put_object", Params={"Bucket": "demo-org", "Key": "uploads/presigned.txt"}, ExpiresIn=300))`;
    const u = String((await client("python3", ["-c", py, proxy.url])).stdout).trim();
    const file = path.join(dir, "presigned.txt");
    fs.writeFileSync(file, "put by presigned url\n");
    await client("curl", ["-sS", "--fail-with-body", "-T", file, u]);
    assert.equal(String((await get("/demo-org/uploads/presigned.txt")).body), "put by presigned url\n");
  });

  it("a body changed after signing is refused by the backend and never becomes an object", async () => {
    const r = await put("/demo-org/uploads/tampered.txt", "the signed body", { sendBody: "another body!!!" });
    assert.equal(r.status, 400, r.text);
    assert.equal(xmlField(r.text, "Code"), "XAmzContentSHA256Mismatch");
    assert.equal((await get("/demo-org/uploads/tampered.txt")).status, 404);
  });

  it("an upload that takes longer than the backend's timeout still lands (the timeout starts after the last byte)", async () => {
    // A backend timeout of 1 s, and a body that takes ~2.5 s to arrive.
    const slow = await startProxy({ config: demoConfig((c) => (c.backends["local-signed"].timeout_ms = 1000)) });
    try {
      const chunks = Array.from({ length: 5 }, (_, i) => Buffer.alloc(20_000, 97 + i));
      const whole = Buffer.concat(chunks);
      const s = await new AwsV4Signer({ url: `${slow.url}/demo-org/uploads/slow.bin`, method: "PUT",
        headers: { "x-amz-content-sha256": sha256(whole), "content-length": String(whole.length) },
        accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret, service: "s3", region: "us-east-1" }).sign();
      let i = 0;
      const body = new ReadableStream({
        async pull(controller) {
          if (i === chunks.length) return controller.close();
          await new Promise((r) => setTimeout(r, 500));
          controller.enqueue(chunks[i++]);
        },
      });
      const r = await fetch(s.url, { method: "PUT", headers: s.headers, body, duplex: "half" });
      assert.equal(r.status, 200, await r.text());
      const back = await get("/demo-org/uploads/slow.bin");
      assert.equal(sha256(back.body), sha256(whole));
    } finally {
      await slow.close();
    }
  });

  const refusals = [
    ["anonymous write", 403, "AccessDenied", () => fetch(url("/demo-org/uploads/anon.txt"), { method: "PUT", body: "x" })],
    ["write to a read-only repository", 403, "AccessDenied", () => put("/demo-org/public-data/x.txt", "x")],
    ["write outside the key's scope", 403, "AccessDenied", () => put("/demo-org/secret-data/x.txt", "x")],
    ["anonymous delete", 403, "AccessDenied", () => fetch(url("/demo-org/uploads/boto3.txt"), { method: "DELETE" })],
  ];
  for (const [name, status, code, send] of refusals) {
    it(`${name} → ${status} ${code}, no backend request`, async () => {
      const before = await backendCalls();
      const r = await send();
      const text = r.text instanceof Function ? await r.text() : r.text;
      assert.equal(r.status, status, text);
      assert.equal(xmlField(text, "Code"), code);
      assert.equal(await backendCalls(), before);
    });
  }
});
