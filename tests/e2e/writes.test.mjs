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
import { backendCalls, client, DEMO_USER, demoConfig, emu, expectRefusal, startProxy, xmlField } from "./harness.mjs";
import { signChunkedUpload } from "../lib/signed_chunks_client.mjs";

const AWS_V1 = "aws";
const AWS_V2 = "/usr/bin/aws";
const sha256 = (b) => crypto.createHash("sha256").update(b).digest("hex");

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

  it("a presigned PUT from boto3's default presigner (SigV2 against this endpoint) works with curl", async () => {
    const py = `
import boto3, botocore.config, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", config=botocore.config.Config(s3={"addressing_style": "path"}))
print(s3.generate_presigned_url("put_object", Params={"Bucket": "demo-org", "Key": "uploads/presigned-v2.txt"}, ExpiresIn=300))`;
    const u = String((await client("python3", ["-c", py, proxy.url])).stdout).trim();
    assert.match(u, /[?&]Signature=/, "boto3's default presigner makes a SigV2 URL here");
    const file = path.join(dir, "presigned-v2.txt");
    fs.writeFileSync(file, "put by a SigV2 presigned url\n");
    await client("curl", ["-sS", "--fail-with-body", "-T", file, u]);
    assert.equal(String((await get("/demo-org/uploads/presigned-v2.txt")).body), "put by a SigV2 presigned url\n");
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

  // Signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): the host checks every chunk and sends the backend the
  // decoded body; a changed byte errors the body before its end, so the backend stores nothing.
  const putChunked = async (p, data, { tamper, query = "" } = {}) => {
    const u = signChunkedUpload({ url: url(p) + query, data, chunkSize: 65536, accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret });
    const body = Buffer.from(u.body);
    if (tamper) body[tamper(body)] ^= 0x01;
    const r = await fetch(url(p) + query, { method: "PUT", headers: u.headers, body });
    return { status: r.status, text: await r.text(), headers: r.headers };
  };

  it("signed chunks: a 200 KB PutObject in 64 KiB chunks is stored byte-exact", async () => {
    const data = crypto.randomBytes(200_000);
    const r = await putChunked("/demo-org/uploads/chunked.bin", data);
    assert.equal(r.status, 200, r.text);
    const back = await get("/demo-org/uploads/chunked.bin");
    assert.equal(back.status, 200);
    assert.equal(back.headers.get("content-encoding"), null);
    assert.ok(back.body.equals(data), "the bytes stored equal the bytes sent");
  });

  for (const [name, slug, at] of [["the first chunk", "first", (b) => b.indexOf("\r\n") + 10], ["the last data chunk", "last", (b) => b.length - 100]]) {
    it(`signed chunks: a data byte changed after signing in ${name} → 403 SignatureDoesNotMatch, no object`, async () => {
      const r = await putChunked(`/demo-org/uploads/chunked-tampered-${slug}.bin`, crypto.randomBytes(200_000), { tamper: at });
      assert.equal(r.status, 403, r.text);
      assert.equal(xmlField(r.text, "Code"), "SignatureDoesNotMatch");
      assert.ok(r.headers.get("x-amz-request-id"));
      assert.equal((await get(`/demo-org/uploads/chunked-tampered-${slug}.bin`)).status, 404);
    });
  }

  it("signed chunks: the final chunk cut off → 400 IncompleteBody, no object", async () => {
    const data = crypto.randomBytes(100_000);
    const u = signChunkedUpload({ url: url("/demo-org/uploads/chunked-cut.bin"), data, accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret });
    const r = await fetch(url("/demo-org/uploads/chunked-cut.bin"), { method: "PUT", headers: u.headers, body: u.body.subarray(0, u.body.length - 86) });
    const text = await r.text();
    assert.equal(r.status, 400, text);
    assert.equal(xmlField(text, "Code"), "IncompleteBody");
    assert.equal((await get("/demo-org/uploads/chunked-cut.bin")).status, 404);
  });

  it("signed chunks: UploadPart, then complete; the object reads back byte-exact", async () => {
    const key = "/demo-org/uploads/chunked-multipart.bin";
    const signed = async (method, query, body = "") => {
      const s = await new AwsV4Signer({ url: url(key) + query, method, body, accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret,
        service: "s3", region: "us-east-1", headers: { "x-amz-content-sha256": sha256(body) } }).sign();
      const r = await fetch(s.url, { method, headers: s.headers, body: body || undefined });
      return { status: r.status, text: await r.text() };
    };
    const created = await signed("POST", "?uploads");
    assert.equal(created.status, 200, created.text);
    const uploadId = xmlField(created.text, "UploadId");
    const data = crypto.randomBytes(150_000);
    const part = await putChunked(key, data, { query: `?partNumber=1&uploadId=${encodeURIComponent(uploadId)}` });
    assert.equal(part.status, 200, part.text);
    const etag = part.headers.get("etag");
    const done = await signed("POST", `?uploadId=${encodeURIComponent(uploadId)}`,
      `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`);
    assert.equal(done.status, 200, done.text);
    assert.ok((await get(key)).body.equals(data));
  });

  it("signed chunks: no x-amz-decoded-content-length → 411; the trailer variant → 501; neither reaches the backend", async () => {
    const before = await backendCalls();
    const u = signChunkedUpload({ url: url("/demo-org/uploads/nolen.bin"), data: Buffer.from("abc"), accessKeyId: DEMO_USER.id,
      secretAccessKey: DEMO_USER.secret, headers: { "x-amz-decoded-content-length": undefined } });
    delete u.headers["x-amz-decoded-content-length"];
    const r = await fetch(url("/demo-org/uploads/nolen.bin"), { method: "PUT", headers: u.headers, body: u.body });
    assert.equal(r.status, 411, await r.text());
    const t = await put("/demo-org/uploads/trailer.bin", "x", { headers: { "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" } });
    assert.equal(t.status, 501, t.text);
    assert.equal(await backendCalls(), before);
  });

  const refusals = [
    ["anonymous write", 403, "AccessDenied", () => fetch(url("/demo-org/uploads/anon.txt"), { method: "PUT", body: "x" })],
    ["write to a read-only repository", 403, "AccessDenied", () => put("/demo-org/public-data/x.txt", "x")],
    ["write outside the key's scope", 403, "AccessDenied", () => put("/demo-org/secret-data/x.txt", "x")],
    ["anonymous delete", 403, "AccessDenied", () => fetch(url("/demo-org/uploads/boto3.txt"), { method: "DELETE" })],
  ];
  for (const [name, status, code, send] of refusals)
    it(`${name} → ${status} ${code}, no backend request`, () => expectRefusal(send, status, code));
});
