// Writes through the proxy behave alike whatever the backend's dialect (issue 17 part 2): ONE table of write cases
// — PutObject (bytes, content type, metadata read back), the conditional put, DeleteObject, DeleteObjects,
// CopyObject, multipart (3 parts of 5 MiB, ListParts, complete, abort, a part that was never uploaded, an upload
// id that is not one) — run against a repository on the verifying S3 emulator and one on Azurite (Shared Key
// verified: no --loose). Then real clients write through the Azure repository exactly as through the S3 one:
// aws cli v1 and v2 (`s3 cp` up and down, ≥ 100 MiB multipart), GDAL /vsis3/ (a COG written and read back) and
// boto3 (`upload_file` ≥ 100 MiB multipart, with checksums). What was sent is what reads back, by SHA-256. Not here (worker/README.md "Azure writes"): rclone, whose signed GETs
// the proxy refuses on the S3 repository as well (SignatureDoesNotMatch), and s3cmd, which checks every ETag
// against the MD5 of what it sent (Azure's ETags are not MD5s; Azurite sends no block MD5).
//
// Starts its own Azurite (scripts/lib/azurite.sh, 1.5 GiB of memory for the 100 MiB objects) unless AZURITE_URL
// names one.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand,
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand,
  ListPartsCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { azureFetch, DEV_ACCOUNT, DEV_KEY } from "../azurite/shared_key.mjs";
import { client, DEMO_SECRETS, DEMO_USER, openDemoConfig, startProxy } from "./harness.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const AWS_V1 = "aws";
const AWS_V2 = "/usr/bin/aws";
const MiB = 1024 * 1024;

// Repositories of demo-org under test: name → what it is.
const REPOS = { "w-s3": "S3 emulator, static keys", "w-az": "Azurite, Shared Key" };

let azurite = process.env.AZURITE_URL;
let azuritePid;
let proxy;
let s3;
let dir;

const sha256 = (b) => crypto.createHash("sha256").update(b).digest("hex");

function config() {
  return openDemoConfig((c) => {
    c.backends["az-writes"] = { dialect: "azure", endpoint: `${azurite}/${DEV_ACCOUNT}`, account: DEV_ACCOUNT,
      container: "wparity", timeout_ms: 30000, auth: { type: "shared_key", account_key_secret: "AZURE_PARITY_KEY" } };
    const repos = c.accounts["demo-org"].repositories;
    repos["w-s3"] = { backend: "local-signed", prefix: "wparity/", cache: { enabled: false } };
    repos["w-az"] = { backend: "az-writes", prefix: "w/", cache: { enabled: false } };
    for (const repository of Object.keys(REPOS))
      c.access_keys[DEMO_USER.id].scopes.push({ account: "demo-org", repository, actions: ["read", "list", "write", "delete"] });
  });
}

before(async () => {
  if (!azurite) {
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "s3p-azurite-")), "azurite.log");
    const out = execFileSync("bash", ["-c",
      `. scripts/lib/deps.sh && deps_azurite && . scripts/lib/azurite.sh && AZURITE_MEMORY_MB=1536 start_azurite 0 "${log}" && echo "$AZURITE_URL $AZURITE_PID"`],
    { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split(/\s+/);
    [azurite, azuritePid] = out;
  }
  const r = await azureFetch(azurite, { method: "PUT", path: `/${DEV_ACCOUNT}/wparity`, query: [["restype", "container"]], headers: [] });
  assert.ok([201, 409].includes(r.status), `container: ${r.status}`);
  proxy = await startProxy({ config: config(), bindings: { ...DEMO_SECRETS, AZURE_PARITY_KEY: DEV_KEY } });
  s3 = new S3Client({ endpoint: proxy.url, region: "us-east-1", forcePathStyle: true,
    credentials: { accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret } });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-azure-writes-"));
});
after(async () => {
  if (process.env.S3P_DUMP_LOGS && proxy) fs.writeFileSync(process.env.S3P_DUMP_LOGS, proxy.logs.join("\n"));
  s3?.destroy();
  await proxy?.close();
  if (azuritePid) process.kill(Number(azuritePid));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const Bucket = "demo-org";
const RUN = crypto.randomBytes(4).toString("hex");
const send = (cmd) => s3.send(cmd);
async function read(Key) {
  const o = await send(new GetObjectCommand({ Bucket, Key }));
  return { bytes: Buffer.from(await o.Body.transformToByteArray()), type: o.ContentType, meta: o.Metadata,
    cache: o.CacheControl, disposition: o.ContentDisposition, etag: o.ETag };
}
async function status(Key) {
  try {
    await send(new HeadObjectCommand({ Bucket, Key }));
    return 200;
  } catch (e) {
    return e.$metadata?.httpStatusCode;
  }
}
async function refused(p) {
  try {
    await p;
  } catch (e) {
    return { status: e.$metadata?.httpStatusCode, code: e.name };
  }
  assert.fail("expected a refusal");
}

// The table: each case runs on every repository (`repo`), and returns what it saw; the S3 repository's answer is
// the reference the Azure one must equal.
const CASES = [
  ["put, read back: bytes, content type, metadata, cache control, disposition", async (repo) => {
    const body = crypto.randomBytes(70_000);
    await send(new PutObjectCommand({ Bucket, Key: `${repo}/put/a b+ü.bin`, Body: body, ContentType: "application/x-test",
      Metadata: { color: "blue", n: "1" }, CacheControl: "max-age=60", ContentDisposition: "attachment" }));
    const r = await read(`${repo}/put/a b+ü.bin`);
    return { same: r.bytes.equals(body), type: r.type, meta: r.meta, cache: r.cache, disposition: r.disposition };
  }],
  ["conditional put: If-None-Match * creates once, then 412", async (repo) => {
    const Key = `${repo}/put/once-${RUN}.txt`; // the backends outlive a run (the registry stage runs this file again)
    await send(new PutObjectCommand({ Bucket, Key, Body: "first", IfNoneMatch: "*" }));
    const e = await refused(send(new PutObjectCommand({ Bucket, Key, Body: "second", IfNoneMatch: "*" })));
    return { ...e, kept: (await read(Key)).bytes.toString() };
  }],
  ["empty object", async (repo) => {
    await send(new PutObjectCommand({ Bucket, Key: `${repo}/put/empty`, Body: "" }));
    return { len: (await read(`${repo}/put/empty`)).bytes.length };
  }],
  ["delete: present → gone; missing → 204 as well", async (repo) => {
    await send(new PutObjectCommand({ Bucket, Key: `${repo}/del/x.txt`, Body: "x" }));
    const a = await send(new DeleteObjectCommand({ Bucket, Key: `${repo}/del/x.txt` }));
    const b = await send(new DeleteObjectCommand({ Bucket, Key: `${repo}/del/never.txt` }));
    return { a: a.$metadata.httpStatusCode, b: b.$metadata.httpStatusCode, after: await status(`${repo}/del/x.txt`) };
  }],
  ["DeleteObjects: three keys (one missing), each reported deleted, all gone", async (repo) => {
    for (const k of ["d1", "d2"]) await send(new PutObjectCommand({ Bucket, Key: `${repo}/many/${k}`, Body: k }));
    const keys = ["d1", "d2", "d3"].map((k) => `${repo}/many/${k}`);
    const r = await send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    return { deleted: (r.Deleted ?? []).map((d) => d.Key.slice(repo.length)).sort(), errors: r.Errors ?? [],
      after: await Promise.all(keys.map(status)) };
  }],
  // Azure has no batch delete: the proxy sends one Delete Blob per key, 16 at a time (FetchBatch windows).
  ["DeleteObjects: 120 keys (20 missing), each reported deleted, all gone", async (repo) => {
    const names = Array.from({ length: 120 }, (_, i) => `k${String(i).padStart(3, "0")}`);
    const keys = names.map((k) => `${repo}/many120-${RUN}/${k}`); // unique per run: the backends outlive a run
    for (let i = 0; i < 100; i += 20)
      await Promise.all(keys.slice(i, i + 20).map((Key) => send(new PutObjectCommand({ Bucket, Key, Body: Key }))));
    const r = await send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    const after = [];
    for (let i = 0; i < keys.length; i += 20) after.push(...await Promise.all(keys.slice(i, i + 20).map(status)));
    return { deleted: (r.Deleted ?? []).map((d) => d.Key.slice(repo.length)).sort(), errors: r.Errors ?? [],
      gone: after.every((s) => s === 404), unreported: keys.length - (r.Deleted ?? []).length };
  }],
  ["DeleteObjects, Quiet: 40 keys, nothing reported, all gone", async (repo) => {
    const keys = Array.from({ length: 40 }, (_, i) => `${repo}/quiet-${RUN}/k${i}`);
    await Promise.all(keys.map((Key) => send(new PutObjectCommand({ Bucket, Key, Body: "q" }))));
    const r = await send(new DeleteObjectsCommand({ Bucket, Delete: { Quiet: true, Objects: keys.map((Key) => ({ Key })) } }));
    return { deleted: r.Deleted ?? [], errors: r.Errors ?? [], after: [...new Set(await Promise.all(keys.map(status)))] };
  }],
  ["copy within the repository: bytes and metadata", async (repo) => {
    const body = crypto.randomBytes(10_000);
    await send(new PutObjectCommand({ Bucket, Key: `${repo}/copy/src.bin`, Body: body, Metadata: { from: "src" } }));
    const c = await send(new CopyObjectCommand({ Bucket, Key: `${repo}/copy/dst.bin`, CopySource: `${Bucket}/${repo}/copy/src.bin` }));
    const r = await read(`${repo}/copy/dst.bin`);
    return { etag: !!c.CopyObjectResult?.ETag, same: r.bytes.equals(body), meta: r.meta };
  }],
  ["multipart: 3 × 5 MiB, ListParts, complete; bytes, type and metadata read back", async (repo) => {
    const Key = `${repo}/mp/big.bin`;
    const up = await send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: "application/x-parts", Metadata: { parts: "3" } }));
    const bodies = [0, 1, 2].map(() => crypto.randomBytes(5 * MiB));
    const parts = [];
    for (const [i, Body] of bodies.entries()) {
      const p = await send(new UploadPartCommand({ Bucket, Key, UploadId: up.UploadId, PartNumber: i + 1, Body }));
      parts.push({ PartNumber: i + 1, ETag: p.ETag });
    }
    const listed = await send(new ListPartsCommand({ Bucket, Key, UploadId: up.UploadId }));
    // ETags are not compared: on Azure ListParts cannot show the MD5 UploadPart answered (README: Azure writes).
    const listedOk = JSON.stringify(listed.Parts.map((p) => [p.PartNumber, p.Size])) ===
      JSON.stringify(parts.map((p) => [p.PartNumber, 5 * MiB]));
    const done = await send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: up.UploadId, MultipartUpload: { Parts: parts } }));
    const r = await read(Key);
    return { listedOk, etag: !!done.ETag, key: done.Key.slice(repo.length), same: sha256(r.bytes) === sha256(Buffer.concat(bodies)), type: r.type, meta: r.meta };
  }],
  ["multipart: a part never uploaded → InvalidPart, nothing stored", async (repo) => {
    const Key = `${repo}/mp/bad.bin`;
    const up = await send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const p1 = await send(new UploadPartCommand({ Bucket, Key, UploadId: up.UploadId, PartNumber: 1, Body: "only part" }));
    const e = await refused(send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: up.UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: '"0123456789abcdef0123456789abcdef"' }] } })));
    return { ...e, after: await status(Key) };
  }],
  ["multipart: abort → 204, nothing stored", async (repo) => {
    const Key = `${repo}/mp/aborted.bin`;
    const up = await send(new CreateMultipartUploadCommand({ Bucket, Key }));
    await send(new UploadPartCommand({ Bucket, Key, UploadId: up.UploadId, PartNumber: 1, Body: "gone" }));
    const a = await send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: up.UploadId }));
    return { status: a.$metadata.httpStatusCode, after: await status(Key) };
  }],
];

describe("writes through the proxy: one table, S3 and Azure repositories", () => {
  for (const [name, run] of CASES) {
    it(name, async () => {
      const seen = {};
      for (const repo of Object.keys(REPOS)) seen[repo] = await run(repo);
      assert.deepEqual(seen["w-az"], seen["w-s3"], JSON.stringify(seen));
    });
  }

  it("Azure only: ListMultipartUploads answers 501 with a reason", async () => {
    const e = await refused(send(new ListMultipartUploadsCommand({ Bucket, Prefix: "w-az/" })));
    assert.deepEqual(e, { status: 501, code: "NotImplemented" });
  });

  // The S3 emulator answers an unknown upload id with a 500 (503 through the proxy), S3 with NoSuchUpload.
  it("Azure only: an upload id that is not one, or another object's → NoSuchUpload, nothing sent", async () => {
    const e = await refused(send(new UploadPartCommand({ Bucket, Key: "w-az/mp/x", UploadId: "not-an-upload", PartNumber: 1, Body: "x" })));
    assert.deepEqual(e, { status: 404, code: "NoSuchUpload" });
    const up = await send(new CreateMultipartUploadCommand({ Bucket, Key: "w-az/mp/one" }));
    const other = await refused(send(new UploadPartCommand({ Bucket, Key: "w-az/mp/two", UploadId: up.UploadId, PartNumber: 1, Body: "x" })));
    assert.deepEqual(other, { status: 404, code: "NoSuchUpload" });
  });

  // The S3 emulator does not check Content-MD5; Azure does: Azure answers Md5Mismatch (→ 400 BadDigest, unit
  // tested), Azurite 3.35 400 InvalidOperation ("Provided contentMD5 doesn't match": → 400 InvalidRequest).
  it("Azure only: a Content-MD5 that does not match the body → 400, nothing stored", async () => {
    const e = await refused(send(new PutObjectCommand({ Bucket, Key: "w-az/put/md5.txt", Body: "hello",
      ContentMD5: crypto.createHash("md5").update("other").digest("base64") })));
    assert.equal(e.status, 400);
    assert.ok(["BadDigest", "InvalidRequest"].includes(e.code), e.code);
    assert.equal(await status("w-az/put/md5.txt"), 404);
    const good = await send(new PutObjectCommand({ Bucket, Key: "w-az/put/md5.txt", Body: "hello",
      ContentMD5: crypto.createHash("md5").update("hello").digest("base64") }));
    assert.equal(good.$metadata.httpStatusCode, 200);
  });
});

describe("real clients write through the Azure repository as through the S3 one", () => {
  const big = () => {
    const file = path.join(dir, "big.bin");
    if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.randomBytes(100 * MiB + 12345));
    return file;
  };
  for (const [name, bin] of [["aws cli v1", AWS_V1], ["aws cli v2", AWS_V2]]) {
    it(`${name}: s3 cp up and down (small, and ≥ 100 MiB multipart), byte-exact`, async () => {
      const small = path.join(dir, `${name.replace(/ /g, "-")}-small.bin`);
      fs.writeFileSync(small, crypto.randomBytes(300_000));
      for (const repo of Object.keys(REPOS))
        for (const file of [small, big()]) {
          const target = `s3://demo-org/${repo}/cli/${name.replace(/ /g, "-")}/${path.basename(file)}`;
          await client(bin, ["--endpoint-url", proxy.url, "s3", "cp", file, target]);
          const back = path.join(dir, "back.bin");
          await client(bin, ["--endpoint-url", proxy.url, "s3", "cp", target, back]);
          assert.equal(sha256(fs.readFileSync(back)), sha256(fs.readFileSync(file)), `${repo} ${path.basename(file)}`);
          fs.rmSync(back);
          await client(bin, ["--endpoint-url", proxy.url, "s3", "rm", target]);  // Azurite keeps blobs in memory
        }
    });
  }

  it("GDAL /vsis3/: gdal_translate writes a COG, gdalinfo and a read back agree", async () => {
    const host = new URL(proxy.url).host;
    const env = { AWS_S3_ENDPOINT: host, AWS_HTTPS: "NO", AWS_VIRTUAL_HOSTING: "FALSE", AWS_REGION: "us-east-1",
      CPL_VSIL_USE_TEMP_FILE_FOR_RANDOM_WRITE: "YES", GDAL_PAM_ENABLED: "NO" };
    const pgm = path.join(dir, "src.pgm");
    const px = Buffer.alloc(256 * 256);
    for (let i = 0; i < px.length; i++) px[i] = (i * 7) % 251;
    fs.writeFileSync(pgm, Buffer.concat([Buffer.from("P5\n256 256\n255\n"), px]));
    const out = {};
    for (const repo of Object.keys(REPOS)) {
      const target = `/vsis3/demo-org/${repo}/gdal/out.tif`;
      await client("gdal_translate", ["-q", "-of", "COG", pgm, target], env);
      const info = JSON.parse(String((await client("gdalinfo", ["-json", "-checksum", target], env)).stdout));
      const local = path.join(dir, `gdal-${repo}.pgm`);
      await client("gdal_translate", ["-q", "-of", "PNM", target, local], env);
      out[repo] = { size: info.size, checksum: info.bands[0].checksum, same: fs.readFileSync(local).subarray(-px.length).equals(px) };
    }
    assert.equal(out["w-s3"].same, true);
    assert.deepEqual(out["w-az"], out["w-s3"]);
  });

  it("boto3: upload_file ≥ 100 MiB multipart with CRC32 checksums, download_file, byte-exact", async () => {
    const script = `
import sys, hashlib, boto3, botocore
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                  config=botocore.config.Config(s3={"addressing_style": "path"}))
from boto3.s3.transfer import TransferConfig
cfg = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=16 * 1024 * 1024)
key = sys.argv[3] + "/boto3/big.bin"
s3.upload_file(sys.argv[2], "demo-org", key, Config=cfg, ExtraArgs={"ChecksumAlgorithm": "CRC32", "ContentType": "application/x-big"})
s3.download_file("demo-org", key, sys.argv[2] + ".back")
h = s3.head_object(Bucket="demo-org", Key=key)
print(hashlib.sha256(open(sys.argv[2] + ".back", "rb").read()).hexdigest(), h["ContentType"], h["ContentLength"])
s3.delete_object(Bucket="demo-org", Key=key)
`;
    const out = {};
    for (const repo of Object.keys(REPOS))
      out[repo] = String((await client("python3", ["-c", script, proxy.url, big(), repo])).stdout).trim();
    assert.equal(out["w-s3"].split(" ")[0], sha256(fs.readFileSync(big())));
    assert.equal(out["w-az"], out["w-s3"]);
  });
});
