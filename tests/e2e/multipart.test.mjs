// Uploads beyond one PUT, end to end in workerd against the verifying emulator: multipart (create, upload part,
// complete, abort, list parts, list uploads) with real clients, CopyObject and UploadPartCopy inside a backend,
// DeleteObjects with per-key authorization — and the refusals, each costing no backend request. Every object is
// checked against the bytes that were sent, read back through the proxy with a SHA-256 of the stream.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { spawn, execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { Readable } from "node:stream";
import { AwsV4Signer } from "aws4fetch";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { backendCalls, client, DEMO_USER, demoConfig, emu, expectRefusal, startProxy, xmlField } from "./harness.mjs";

const AWS_V1 = "aws";
const AWS_V2 = "/usr/bin/aws";
const MiB = 1024 * 1024;
const sha256 = (b) => crypto.createHash("sha256").update(b).digest("hex");

// A file of `size` pseudo-random bytes (fast, no entropy needed) and its SHA-256.
function writeFile(file, size, seed = 1) {
  const fd = fs.openSync(file, "w");
  const hash = crypto.createHash("sha256");
  const block = Buffer.alloc(MiB);
  let x = seed * 2654435761;
  for (let done = 0; done < size; ) {
    for (let i = 0; i < block.length; i += 4) {
      x = (x * 1103515245 + 12345) >>> 0;
      block.writeUInt32LE(x, i);
    }
    const n = Math.min(block.length, size - done);
    fs.writeSync(fd, block, 0, n);
    hash.update(block.subarray(0, n));
    done += n;
  }
  fs.closeSync(fd);
  return hash.digest("hex");
}

const BOTO = `
import boto3, botocore.config, json, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", config=botocore.config.Config(s3={"addressing_style": "path"}))
def code(f):
    try:
        f()
        return "ok"
    except Exception as e:
        return e.response["Error"]["Code"]
`;
const boto = async (proxyUrl, body, ...args) => JSON.parse(String((await client("python3", ["-c", BOTO + body, proxyUrl, ...args])).stdout));

describe("multipart uploads, copies and DeleteObjects through the proxy", () => {
  let proxy, dir;
  const url = (p) => `${proxy.url}${p}`;
  const signed = async (method, p, body = "", { headers = {}, sendBody = body, key = DEMO_USER } = {}) => {
    const s = await new AwsV4Signer({ url: url(p), method, body: body || undefined, headers: { "x-amz-content-sha256": sha256(body), ...headers },
      accessKeyId: key.id, secretAccessKey: key.secret, service: "s3", region: "us-east-1" }).sign();
    const r = await fetch(s.url, { method, headers: s.headers, body: method === "GET" || method === "HEAD" ? undefined : sendBody });
    return { status: r.status, text: await r.text(), headers: r.headers };
  };
  // The object as the proxy serves it: status and the SHA-256 of the streamed body.
  const digest = async (p) => {
    const s = await new AwsV4Signer({ url: url(p), accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret, service: "s3", region: "us-east-1" }).sign();
    const r = await fetch(s.url, { headers: s.headers });
    if (r.status !== 200) return { status: r.status };
    const hash = crypto.createHash("sha256");
    let size = 0;
    for await (const chunk of Readable.fromWeb(r.body)) {
      hash.update(chunk);
      size += chunk.length;
    }
    return { status: 200, sha: hash.digest("hex"), size, headers: r.headers };
  };

  before(async () => {
    // The demo key without its federated-data grant: a source it may not read, for the CopyObject refusal.
    proxy = await startProxy({ config: demoConfig((c) => {
      for (const k of Object.values(c.access_keys)) k.scopes = k.scopes.filter((s) => s.repository !== "federated-data");
      c.cors_origins = ["https://app.example"]; // the one page that may read the private repositories
    }) });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-multipart-"));
  });
  after(async () => {
    await proxy?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("aws cli v2: s3 cp up of 100 MiB (multipart), read back byte-exact", async () => {
    const file = path.join(dir, "hundred.bin");
    const sum = writeFile(file, 100 * MiB, 7);
    await client(AWS_V2, ["--endpoint-url", proxy.url, "s3", "cp", file, "s3://demo-org/uploads/mp/hundred.bin"]);
    const back = await digest("/demo-org/uploads/mp/hundred.bin");
    assert.equal(back.size, 100 * MiB);
    assert.equal(back.sha, sum);
    assert.match(back.headers.get("etag"), /-\d+"$/, "a multipart ETag");
    fs.rmSync(file);
  });

  it("aws cli v1: s3 cp up of 100 MiB (multipart), then s3 mv (CopyObject + delete) and s3 rm", async () => {
    const file = path.join(dir, "twenty.bin");
    const sum = writeFile(file, 100 * MiB, 3);
    await client(AWS_V1, ["--endpoint-url", proxy.url, "s3", "cp", file, "s3://demo-org/uploads/mp/twenty.bin"]);
    assert.equal((await digest("/demo-org/uploads/mp/twenty.bin")).sha, sum);
    await client(AWS_V1, ["--endpoint-url", proxy.url, "s3", "mv", "s3://demo-org/uploads/mp/twenty.bin", "s3://demo-org/uploads/mp/moved.bin"]);
    assert.equal((await digest("/demo-org/uploads/mp/twenty.bin")).status, 404);
    assert.equal((await digest("/demo-org/uploads/mp/moved.bin")).sha, sum);
    await client(AWS_V1, ["--endpoint-url", proxy.url, "s3", "rm", "s3://demo-org/uploads/mp/moved.bin"]);
    assert.equal((await digest("/demo-org/uploads/mp/moved.bin")).status, 404);
  });

  it("aws cli v2: s3 sync up a directory (small files and a multipart one), then sync finds nothing to do", async () => {
    const tree = path.join(dir, "tree");
    fs.mkdirSync(path.join(tree, "sub"), { recursive: true });
    const sums = {
      "a.txt": (fs.writeFileSync(path.join(tree, "a.txt"), "alpha\n"), sha256("alpha\n")),
      "sub/b.txt": (fs.writeFileSync(path.join(tree, "sub/b.txt"), "beta\n"), sha256("beta\n")),
      "sub/big.bin": writeFile(path.join(tree, "sub/big.bin"), 9 * MiB, 5),
    };
    await client(AWS_V2, ["--endpoint-url", proxy.url, "s3", "sync", tree, "s3://demo-org/uploads/synced/"]);
    for (const [rel, sum] of Object.entries(sums)) assert.equal((await digest(`/demo-org/uploads/synced/${rel}`)).sha, sum, rel);
    const again = await client(AWS_V2, ["--endpoint-url", proxy.url, "s3", "sync", tree, "s3://demo-org/uploads/synced/"]);
    assert.equal(String(again.stdout).trim(), "", "a second sync uploads nothing");
  });

  it("boto3: upload_file in parts with CRC32 checksums, read back byte-exact", async () => {
    const file = path.join(dir, "boto.bin");
    const sum = writeFile(file, 12 * MiB, 11);
    const out = await boto(proxy.url, `
from boto3.s3.transfer import TransferConfig
s3.upload_file(sys.argv[2], "demo-org", "uploads/mp/boto.bin", Config=TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024),
               ExtraArgs={"ChecksumAlgorithm": "CRC32", "Metadata": {"via": "upload_file"}})
h = s3.head_object(Bucket="demo-org", Key="uploads/mp/boto.bin")
print(json.dumps({"etag": h["ETag"], "meta": h["Metadata"], "size": h["ContentLength"]}))`, file);
    assert.match(out.etag, /-3"$/, "three parts");
    assert.deepEqual(out.meta, { via: "upload_file" });
    assert.equal((await digest("/demo-org/uploads/mp/boto.bin")).sha, sum);
  });

  it("boto3: create, upload_part, upload_part_copy, list_parts, list_multipart_uploads, complete; abort another", async () => {
    const out = await boto(proxy.url, `
part1 = b"p" * (5 * 1024 * 1024)
m = s3.create_multipart_upload(Bucket="demo-org", Key="uploads/mp/steps.bin", ContentType="application/x-steps")
uid = m["UploadId"]
r = {"create_bucket": m["Bucket"], "create_key": m["Key"]}
e1 = s3.upload_part(Bucket="demo-org", Key="uploads/mp/steps.bin", UploadId=uid, PartNumber=1, Body=part1)["ETag"]
c2 = s3.upload_part_copy(Bucket="demo-org", Key="uploads/mp/steps.bin", UploadId=uid, PartNumber=2,
                         CopySource={"Bucket": "demo-org", "Key": "secret-data/hello.txt"})["CopyPartResult"]["ETag"]
lp = s3.list_parts(Bucket="demo-org", Key="uploads/mp/steps.bin", UploadId=uid)
r["parts"] = [[p["PartNumber"], p["Size"]] for p in lp["Parts"]]
r["parts_bucket"], r["parts_key"], r["owner"] = lp["Bucket"], lp["Key"], lp["Owner"]["ID"]
lu = s3.list_multipart_uploads(Bucket="demo-org", Prefix="uploads/mp/")
r["uploads"] = [u["Key"] for u in lu.get("Uploads", []) if u["UploadId"] == uid]
done = s3.complete_multipart_upload(Bucket="demo-org", Key="uploads/mp/steps.bin", UploadId=uid,
                                    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": c2}]})
r["done_bucket"], r["done_key"], r["done_etag"] = done["Bucket"], done["Key"], done["ETag"]
o = s3.get_object(Bucket="demo-org", Key="uploads/mp/steps.bin")
body = o["Body"].read()
r["body_ok"] = body == part1 + b"hello from a signed backend\\n"
r["type"] = o["ContentType"]
a = s3.create_multipart_upload(Bucket="demo-org", Key="uploads/mp/aborted.bin")["UploadId"]
s3.abort_multipart_upload(Bucket="demo-org", Key="uploads/mp/aborted.bin", UploadId=a)
lu = s3.list_multipart_uploads(Bucket="demo-org", Prefix="uploads/mp/")
r["after_abort"] = [u["Key"] for u in lu.get("Uploads", []) if u["UploadId"] in (a, uid)]
r["parts_of_aborted"] = code(lambda: s3.list_parts(Bucket="demo-org", Key="uploads/mp/aborted.bin", UploadId=a))
print(json.dumps(r))`);
    assert.equal(out.create_bucket, "demo-org");
    assert.equal(out.create_key, "uploads/mp/steps.bin");
    assert.deepEqual(out.parts, [[1, 5 * MiB], [2, 28]]);
    assert.equal(out.parts_bucket, "demo-org");
    assert.equal(out.parts_key, "uploads/mp/steps.bin");
    assert.equal(out.owner, "s3-edge-proxy-demo", "our owner, never the backend's");
    assert.deepEqual(out.uploads, ["uploads/mp/steps.bin"]);
    assert.equal(out.done_bucket, "demo-org");
    assert.equal(out.done_key, "uploads/mp/steps.bin");
    assert.match(out.done_etag, /-2"$/);
    assert.equal(out.body_ok, true);
    assert.equal(out.type, "application/x-steps");
    assert.deepEqual(out.after_abort, []);
    assert.equal(out.parts_of_aborted, "NoSuchUpload");
  });

  it("boto3: copy_object within a backend, with metadata replaced; from a public repository on another backend → 501", async () => {
    const out = await boto(proxy.url, `
r = {}
c = s3.copy_object(Bucket="demo-org", Key="uploads/copied.txt", CopySource="demo-org/secret-data/hello.txt",
                   MetadataDirective="REPLACE", Metadata={"copied": "yes"}, ContentType="text/x-copied")
r["etag"] = c["CopyObjectResult"]["ETag"]
h = s3.head_object(Bucket="demo-org", Key="uploads/copied.txt")
r["meta"], r["type"] = h["Metadata"], h["ContentType"]
r["body"] = s3.get_object(Bucket="demo-org", Key="uploads/copied.txt")["Body"].read().decode()
r["cross"] = code(lambda: s3.copy_object(Bucket="demo-org", Key="uploads/x.txt", CopySource="demo-org/public-data/README.txt"))
r["missing"] = code(lambda: s3.copy_object(Bucket="demo-org", Key="uploads/x.txt", CopySource="demo-org/secret-data/no-such-key"))
print(json.dumps(r))`);
    assert.equal(out.body, "hello from a signed backend\n");
    assert.deepEqual(out.meta, { copied: "yes" });
    assert.equal(out.type, "text/x-copied");
    assert.equal(out.cross, "NotImplemented");
    assert.equal(out.missing, "NoSuchKey");
  });

  it("boto3: delete_objects deletes what the key may delete and reports the forbidden key as AccessDenied", async () => {
    await signed("PUT", "/demo-org/uploads/del/one.txt", "1");
    await signed("PUT", "/demo-org/uploads/del/two.txt", "2");
    const before = (await emu("stats")).s3_requests;
    const out = await boto(proxy.url, `
d = s3.delete_objects(Bucket="demo-org", Delete={"Objects": [{"Key": "uploads/del/one.txt"}, {"Key": "public-data/README.txt"},
                                                            {"Key": "uploads/del/two.txt"}, {"Key": "nowhere/x"}]})
print(json.dumps({"deleted": sorted(x["Key"] for x in d.get("Deleted", [])),
                  "errors": sorted([x["Key"], x["Code"]] for x in d.get("Errors", []))}))`);
    assert.deepEqual(out.deleted, ["uploads/del/one.txt", "uploads/del/two.txt"]);
    assert.deepEqual(out.errors, [["nowhere/x", "AccessDenied"], ["public-data/README.txt", "AccessDenied"]]);
    assert.equal((await emu("stats")).s3_requests - before, 1, "one backend DeleteObjects, for the allowed keys only");
    assert.equal((await fetch(url("/demo-org/public-data/README.txt"))).status, 200, "the forbidden key is untouched");
    assert.equal((await digest("/demo-org/uploads/del/one.txt")).status, 404);
  });

  it("@aws-sdk/client-s3 PutObject with CRC32 and @aws-sdk/lib-storage Upload (multipart)", async () => {
    const s3 = new S3Client({ endpoint: proxy.url, region: "us-east-1", forcePathStyle: true,
      credentials: { accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret } });
    const small = crypto.randomBytes(100_000);
    await s3.send(new PutObjectCommand({ Bucket: "demo-org", Key: "uploads/sdk/put.bin", Body: small, ChecksumAlgorithm: "CRC32" }));
    assert.equal((await digest("/demo-org/uploads/sdk/put.bin")).sha, sha256(small));
    const big = crypto.randomBytes(11 * MiB);
    const up = new Upload({ client: s3, params: { Bucket: "demo-org", Key: "uploads/sdk/lib-storage.bin", Body: Readable.from([big]) },
      partSize: 5 * MiB, queueSize: 2 });
    const res = await up.done();
    assert.match(res.ETag, /-3"$/);
    assert.equal((await digest("/demo-org/uploads/sdk/lib-storage.bin")).sha, sha256(big));
    s3.destroy();
  });

  it("rclone: copy a directory up (one file multipart) and delete it", async () => {
    const tree = path.join(dir, "rclone");
    fs.mkdirSync(tree);
    fs.writeFileSync(path.join(tree, "r.txt"), "from rclone\n");
    const sum = writeFile(path.join(tree, "r.bin"), 7 * MiB, 9);
    // After a multipart upload rclone 1.60 HEADs the object with ?versionId=null (S3's null version: the object, in
    // a bucket that never had versioning), which the emulator answers as S3 does (moto alone refuses it).
    const rclone = (...args) => client("env", ["-u", "AWS_CA_BUNDLE", "rclone", "--config", "/dev/null", "--s3-provider", "Other",
      "--s3-endpoint", proxy.url, "--s3-force-path-style=true", "--s3-access-key-id", DEMO_USER.id, "--s3-secret-access-key", DEMO_USER.secret,
      "--s3-region", "us-east-1", "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M", "--retries", "1", "--low-level-retries", "1", ...args]);
    await rclone("copy", tree, ":s3:demo-org/uploads/rclone/");
    assert.equal((await digest("/demo-org/uploads/rclone/r.txt")).sha, sha256("from rclone\n"));
    assert.equal((await digest("/demo-org/uploads/rclone/r.bin")).sha, sum);
    await rclone("delete", ":s3:demo-org/uploads/rclone/");
    assert.equal((await digest("/demo-org/uploads/rclone/r.bin")).status, 404);
  });

  // The refusals: S3's code, and not one backend (or STS) request.
  const complete = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`;
  const deleteDoc = (keys) => `<Delete>${keys.map((k) => `<Object><Key>${k}</Key></Object>`).join("")}</Delete>`;
  const refusals = [
    ["CopyObject from a source the key may not read", 403, "AccessDenied",
      () => signed("PUT", "/demo-org/uploads/stolen.txt", "", { headers: { "x-amz-copy-source": "/demo-org/federated-data/hello.txt" } })],
    ["CopyObject to a read-only repository", 403, "AccessDenied",
      () => signed("PUT", "/demo-org/public-data/copy.txt", "", { headers: { "x-amz-copy-source": "/demo-org/public-data/README.txt" } })],
    ["CopyObject with a copy source that names no object", 400, "InvalidArgument",
      () => signed("PUT", "/demo-org/uploads/c.txt", "", { headers: { "x-amz-copy-source": "demo-org" } })],
    ["CopyObject with a dot segment in the copy source", 400, "InvalidArgument",
      () => signed("PUT", "/demo-org/uploads/c.txt", "", { headers: { "x-amz-copy-source": "/demo-org/uploads/%2e%2e/secret-data/hello.txt" } })],
    ["anonymous CreateMultipartUpload", 403, "AccessDenied", () => fetch(url("/demo-org/uploads/big?uploads"), { method: "POST" })],
    ["CreateMultipartUpload outside the key's scope", 403, "AccessDenied", () => signed("POST", "/demo-org/secret-data/big?uploads")],
    ["UploadPart with partNumber 0", 400, "InvalidArgument", () => signed("PUT", "/demo-org/uploads/big?partNumber=0&uploadId=u", "x")],
    ["CompleteMultipartUpload with a body changed after signing", 400, "XAmzContentSHA256Mismatch",
      () => signed("POST", "/demo-org/uploads/big?uploadId=u", complete, { sendBody: complete.replace("1<", "2<") })],
    ["CompleteMultipartUpload with malformed XML", 400, "MalformedXML", () => signed("POST", "/demo-org/uploads/big?uploadId=u", "<Complete")],
    ["CompleteMultipartUpload with parts out of order", 400, "InvalidPartOrder",
      () => signed("POST", "/demo-org/uploads/big?uploadId=u", complete.replace("</CompleteMultipartUpload>", `<Part><PartNumber>1</PartNumber><ETag>"y"</ETag></Part></CompleteMultipartUpload>`))],
    ["DeleteObjects with a body changed after signing", 400, "XAmzContentSHA256Mismatch",
      () => signed("POST", "/demo-org?delete", deleteDoc(["uploads/a"]), { sendBody: deleteDoc(["uploads/b"]) })],
    ["DeleteObjects with 1001 keys", 400, "MalformedXML",
      () => signed("POST", "/demo-org?delete", deleteDoc(Array.from({ length: 1001 }, (_, i) => `uploads/k${i}`)))],
    ["DeleteObjects with a wrong Content-MD5", 400, "BadDigest",
      () => signed("POST", "/demo-org?delete", deleteDoc(["uploads/a"]), { headers: { "content-md5": "1B2M2Y8AsgTpgAmY7PhCfg==" } })],
    ["ListMultipartUploads across repositories", 501, "NotImplemented", () => signed("GET", "/demo-org?uploads")],
  ];
  for (const [name, status, code, send] of refusals)
    it(`${name} → ${status} ${code}, no backend request`, () => expectRefusal(send, status, code));

  it("a DeleteObjects whose keys are all forbidden answers locally, each key AccessDenied", async () => {
    const before = await backendCalls();
    const r = await signed("POST", "/demo-org?delete", deleteDoc(["public-data/README.txt", "secret-data/hello.txt"]));
    assert.equal(r.status, 200, r.text);
    assert.equal((r.text.match(/<Code>AccessDenied<\/Code>/g) ?? []).length, 2);
    assert.equal(await backendCalls(), before);
  });

  it("preflight allows the write methods to an allowed origin, and a browser may read the ETag of a part", async () => {
    const r = await fetch(url("/demo-org/uploads/x?partNumber=1&uploadId=u"), { method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "PUT", "access-control-request-headers": "content-type" } });
    assert.equal(r.status, 204);
    assert.match(r.headers.get("access-control-allow-methods"), /PUT/);
    assert.match(r.headers.get("access-control-allow-methods"), /POST/);
    assert.equal(r.headers.get("access-control-allow-origin"), "https://app.example");
    const put = await signed("PUT", "/demo-org/uploads/cors.txt", "cors", { headers: { origin: "https://app.example" } });
    assert.match(put.headers.get("access-control-expose-headers"), /ETag/);
    assert.equal(put.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(put.headers.get("vary"), "Origin");
  });

  it("private data is not readable from an origin outside cors_origins; public data stays '*'", async () => {
    const pre = await fetch(url("/demo-org/uploads/x"), { method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "PUT" } });
    assert.equal(pre.status, 403);
    assert.equal(xmlField(await pre.text(), "Code"), "AccessForbidden");
    assert.equal(pre.headers.get("access-control-allow-origin"), null);
    const get = await signed("GET", "/demo-org/secret-data/hello.txt", "", { headers: { origin: "https://evil.example" } });
    assert.equal(get.status, 200, "the request itself is served (a browser just may not read it)");
    assert.equal(get.headers.get("access-control-allow-origin"), null);
    assert.equal(get.headers.get("vary"), "Origin");
    const pub = await fetch(url("/demo-org/public-data/README.txt"), { headers: { origin: "https://evil.example" } });
    assert.equal(pub.headers.get("access-control-allow-origin"), "*");
  });

  it("headless Chromium: a page on an allowed origin PUTs through a presigned URL (preflight, ETag readable)", async () => {
    const body = "written by a browser on another origin\n";
    let target = "";
    const server = http.createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      // Content-Type text/plain is signed, and a PUT always needs a preflight.
      res.end(`<!doctype html><title>loading</title><script>
(async () => {
  try {
    const r = await fetch(${JSON.stringify(target)}, { method: "PUT", headers: { "content-type": "text/plain" }, body: ${JSON.stringify(body)} });
    document.title = JSON.stringify({ status: r.status, etag: r.headers.get("etag"), text: await r.text() });
  } catch (e) { document.title = JSON.stringify({ error: String(e) }); }
})();
</script>`);
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const pageOrigin = `http://127.0.0.1:${server.address().port}`;
    // The uploads repository is private: only the origins in cors_origins may use it from a page.
    const pageProxy = await startProxy({ config: demoConfig((c) => (c.cors_origins = [pageOrigin])) });
    const presign = `
import boto3, botocore.config, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": "path"}))
print(s3.generate_presigned_url("put_object", Params={"Bucket": "demo-org", "Key": "uploads/browser.txt", "ContentType": "text/plain"}, ExpiresIn=300))`;
    target = String((await client("python3", ["-c", presign, pageProxy.url])).stdout).trim();
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", timeout: 30_000,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    try {
      const page = await browser.newPage();
      await page.goto(`${pageOrigin}/`);
      await page.waitForFunction(() => document.title.startsWith("{"), null, { timeout: 20_000 });
      const got = JSON.parse(await page.title());
      assert.equal(got.error, undefined, got.error);
      assert.equal(got.status, 200, got.text);
      assert.equal(got.etag, `"${crypto.createHash("md5").update(body).digest("hex")}"`, "the ETag is exposed to the page");
      const back = await digest("/demo-org/uploads/browser.txt");
      assert.equal(back.sha, sha256(body));
      assert.equal(back.headers.get("content-type"), "text/plain");
    } finally {
      await browser.close();
      await pageProxy.close();
      await new Promise((r) => server.close(r));
    }
  });

  it("s3fs: a file written through a FUSE mount lands byte-exact (PutObject through the mount's own signing)", async () => {
    const mnt = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-s3fs-"));
    const passwd = path.join(dir, "s3fs.passwd");
    fs.writeFileSync(passwd, `${DEMO_USER.id}:${DEMO_USER.secret}\n`, { mode: 0o600 });
    const s3fs = spawn("s3fs", ["demo-org:/uploads", mnt, "-f", "-o", `url=${proxy.url}`, "-o", "use_path_request_style",
      "-o", `passwd_file=${passwd}`, "-o", "endpoint=us-east-1", "-o", "retries=1"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    s3fs.stderr.on("data", (d) => (stderr += d));
    try {
      // Mounted once the root lists (s3fs answers from the bucket listing).
      for (let i = 0; i < 50 && !fs.readdirSync(mnt).length; i++) await new Promise((r) => setTimeout(r, 100));
      const bytes = crypto.randomBytes(700_000);
      fs.mkdirSync(path.join(mnt, "s3fs"), { recursive: true });
      fs.writeFileSync(path.join(mnt, "s3fs", "file.bin"), bytes);
      assert.deepEqual(fs.readdirSync(path.join(mnt, "s3fs")), ["file.bin"]);
      execFileSync("fusermount", ["-u", mnt]);
      const back = await digest("/demo-org/uploads/s3fs/file.bin");
      assert.equal(back.sha, sha256(bytes), stderr);
    } finally {
      try { execFileSync("fusermount", ["-u", mnt], { stdio: "ignore" }); } catch {}
      s3fs.kill();
      fs.rmSync(mnt, { recursive: true, force: true });
    }
  });
});
