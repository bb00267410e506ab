// Writes through the proxy behave alike whatever the backend's dialect (issue 17 part 2): ONE table of write cases
// — PutObject (bytes, content type, metadata read back), the conditional put, metadata names S3 allows and Azure
// does not, the ETag (listing = HEAD = PUT's, in If-Match / If-None-Match / copy-source-if-match), versionId=null,
// DeleteObject, DeleteObjects,
// CopyObject, multipart (3 parts of 5 MiB, ListParts, complete, abort, a part that was never uploaded, an upload
// id that is not one) — run against a repository on the verifying S3 emulator and one on Azurite (Shared Key
// verified: no --loose). Then real clients write through the Azure repository exactly as through the S3 one:
// aws cli v1 and v2 (`s3 cp` up and down, ≥ 100 MiB multipart), GDAL /vsis3/ (a COG written and read back) and
// boto3 (`upload_file` ≥ 100 MiB multipart, with checksums), rclone signed (a tree up with one multipart file, lsf -R,
// cat --offset/--count, copy down, delete) and s3cmd (put with one multipart file, ls, get, del: its MD5 checks
// pass because Azure ETags are presented as no MD5, "…-azure", and its x-amz-meta-s3cmd-attrs round-trips through
// the metadata name encoding; worker/README.md "Azure reads"). What was sent is what reads back, by SHA-256; on
// Azure the blobs are also read from Azurite directly.
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
  ListObjectsV2Command, ListPartsCommand, PutObjectCommand, S3Client, UploadPartCommand,
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
  // s3cmd's metadata name has a '-' (no C# identifier: encoded on Azure) and its MD5 checks want an ETag that is
  // an MD5 or says it is none; either way the one ETag a client sees must work in every condition it sends.
  ["metadata names with '-', '.', a digit first; the ETag: listing = HEAD = PUT's, and it works in conditions", async (repo) => {
    const Key = `${repo}/put/etag-${RUN}.txt`;
    const Metadata = { "s3cmd-attrs": "md5:x/mode:33188", "a.b": "1", "2nd": "2", plain: "4" };
    const put = await send(new PutObjectCommand({ Bucket, Key, Body: "etag body", Metadata }));
    const head = await send(new HeadObjectCommand({ Bucket, Key }));
    const listed = (await send(new ListObjectsV2Command({ Bucket, Prefix: Key }))).Contents?.[0]?.ETag;
    const md5 = `"${crypto.createHash("md5").update("etag body").digest("hex")}"`;
    const cond = async (c) => {
      try {
        return (await send(new GetObjectCommand({ Bucket, Key, ...c }))).$metadata.httpStatusCode;
      } catch (e) {
        return e.$metadata?.httpStatusCode;
      }
    };
    const copied = await send(new CopyObjectCommand({ Bucket, Key: `${Key}.copy`, CopySource: `${Bucket}/${Key}`, CopySourceIfMatch: head.ETag }));
    // (A stale tag in a copy's source condition is not compared here: moto, behind the S3 emulator, ignores
    // x-amz-copy-source-if-match; the mapping of it is unit-tested.)
    const overwrite = await send(new PutObjectCommand({ Bucket, Key, Body: "etag body 2", IfMatch: head.ETag }));
    const lost = await send(new PutObjectCommand({ Bucket, Key, Body: "etag body 3", IfMatch: head.ETag })).then((r) => r.$metadata.httpStatusCode, (e) => e.$metadata?.httpStatusCode);
    return {
      meta: head.Metadata, same: put.ETag === head.ETag && listed === head.ETag && copied.CopyObjectResult?.ETag !== undefined,
      md5OrMarked: head.ETag === md5 || head.ETag.includes("-"),
      ifMatch: await cond({ IfMatch: overwrite.ETag }), ifNoneMatch: await cond({ IfNoneMatch: overwrite.ETag }),
      lost, ifMatchOld: await cond({ IfMatch: head.ETag }), ifNoneMatchOld: await cond({ IfNoneMatch: head.ETag }),
      kept: (await read(Key)).bytes.toString(), copy: (await read(`${Key}.copy`)).bytes.toString(),
    };
  }],
  ["empty object", async (repo) => {
    await send(new PutObjectCommand({ Bucket, Key: `${repo}/put/empty`, Body: "" }));
    return { len: (await read(`${repo}/put/empty`)).bytes.length };
  }],
  // S3's null version is the object itself in a bucket that never had versioning; rclone 1.60 HEADs
  // ?versionId=null after a multipart upload.
  ["versionId=null: HEAD, GET and DELETE address the object (S3's null version)", async (repo) => {
    const Key = `${repo}/put/null-version.txt`;
    await send(new PutObjectCommand({ Bucket, Key, Body: "null version" }));
    const head = await send(new HeadObjectCommand({ Bucket, Key, VersionId: "null" }));
    const get = await send(new GetObjectCommand({ Bucket, Key, VersionId: "null" }));
    const bytes = Buffer.from(await get.Body.transformToByteArray()).toString();
    const del = await send(new DeleteObjectCommand({ Bucket, Key, VersionId: "null" }));
    return { head: head.ContentLength, bytes, del: del.$metadata.httpStatusCode, after: await status(Key) };
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
  ["copy REPLACE: the new content type, cache control and metadata; what it does not name is cleared", async (repo) => {
    const body = crypto.randomBytes(5_000);
    await send(new PutObjectCommand({ Bucket, Key: `${repo}/copy/r-src.bin`, Body: body, ContentType: "application/x-src",
      ContentLanguage: "fr", Metadata: { from: "src" } }));
    const c = await send(new CopyObjectCommand({ Bucket, Key: `${repo}/copy/r-dst.html`, CopySource: `${Bucket}/${repo}/copy/r-src.bin`,
      MetadataDirective: "REPLACE", ContentType: "text/html", CacheControl: "max-age=5", Metadata: { to: "dst" } }));
    const r = await read(`${repo}/copy/r-dst.html`);
    const head = await send(new HeadObjectCommand({ Bucket, Key: `${repo}/copy/r-dst.html` }));
    return { same: r.bytes.equals(body), type: r.type, cache: r.cache, meta: r.meta, language: head.ContentLanguage ?? null,
      etag: c.CopyObjectResult?.ETag === head.ETag };
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

  // Names with '_' are left out of the table: the S3 emulator's moto drops them (its WSGI server does).
  it("Azure only: metadata names under the encoding's marker, with '_', and mixed round-trip; stored as C# identifiers", async () => {
    const Key = `w-az/put/marker-${RUN}.txt`;
    const Metadata = { s3m_x: "1", "s3m_2d": "2", "under_score": "3", "x-_y": "4" };
    await send(new PutObjectCommand({ Bucket, Key, Body: "m", Metadata }));
    assert.deepEqual((await send(new HeadObjectCommand({ Bucket, Key }))).Metadata, Metadata);
    const r = await azureFetch(azurite, { method: "HEAD", path: `/${DEV_ACCOUNT}/wparity/w/put/marker-${RUN}.txt` });
    const stored = [...r.headers.keys()].filter((k) => k.startsWith("x-ms-meta-")).map((k) => k.slice(10)).sort();
    assert.deepEqual(stored, ["s3m_s3m_5f2d", "s3m_s3m_5fx", "s3m_x_2d_5fy", "under_score"]);
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

  // A tree with keys that need encoding in a signed path and one file above rclone's 5 MiB cutoff (multipart);
  // what every repository must then hold, by SHA-256.
  const clientTree = (tag) => {
    const root = path.join(dir, `${tag}-tree`);
    const files = { "r.txt": Buffer.from(`from ${tag}\n`), "sub/a b+ü=.txt": crypto.randomBytes(3000),
      "sub/deeper/empty": Buffer.alloc(0), "r.bin": crypto.randomBytes(7 * MiB + 333) };
    for (const [rel, bytes] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), bytes);
    }
    return { root, files, sums: Object.fromEntries(Object.entries(files).map(([k, b]) => [k, sha256(b)]).sort()) };
  };
  // {relative path → SHA-256} of a local directory.
  const localTree = (root) => {
    const out = {};
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else out[path.relative(root, p).split(path.sep).join("/")] = sha256(fs.readFileSync(p));
      }
    };
    walk(root);
    return Object.fromEntries(Object.entries(out).sort());
  };
  // What is stored under a repository key, by SHA-256 (or the status): the blob read from Azurite directly (not
  // through the proxy, whose answers are what is under test); the S3 repository's object through the proxy.
  const stored = async (repo, key) => {
    if (repo === "w-az") {
      const r = await azureFetch(azurite, { path: `/${DEV_ACCOUNT}/wparity/w/${key.split("/").map(encodeURIComponent).join("/")}` });
      return r.status === 200 ? sha256(Buffer.from(await r.arrayBuffer())) : r.status;
    }
    try {
      return sha256((await read(`${repo}/${key}`)).bytes);
    } catch (e) {
      return e.$metadata?.httpStatusCode;
    }
  };

  it("rclone (signed, path style): copy a tree up (one file multipart), lsf -R, cat --offset/--count, copy down, delete", async () => {
    const rclone = (...args) => client("env", ["-u", "AWS_CA_BUNDLE", "rclone", "--config", "/dev/null", "--s3-provider", "Other",
      "--s3-endpoint", proxy.url, "--s3-force-path-style=true", "--s3-access-key-id", DEMO_USER.id, "--s3-secret-access-key", DEMO_USER.secret,
      "--s3-region", "us-east-1", "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M", "--retries", "1", "--low-level-retries", "1", ...args]);
    const { root, files, sums } = clientTree("rclone");
    const out = {};
    for (const repo of Object.keys(REPOS)) {
      const base = `rclone-${RUN}`, remote = `:s3:demo-org/${repo}/${base}/`;
      await rclone("copy", root, remote);  // with its HEAD after each upload (versionId=null after the multipart one)
      const listed = String((await rclone("lsf", "-R", "--files-only", remote)).stdout).split("\n").filter(Boolean).sort();
      const bytes = {};
      for (const rel of Object.keys(files)) bytes[rel] = await stored(repo, `${base}/${rel}`);
      const slice = (await rclone("cat", "--offset", "5242000", "--count", "70000", `${remote}r.bin`)).stdout;
      const down = path.join(dir, `rclone-down-${repo}`);
      await rclone("copy", remote, down);
      await rclone("delete", remote);
      const left = String((await rclone("lsf", "-R", remote)).stdout).trim();
      out[repo] = { listed, stored: bytes, slice: sha256(slice) === sha256(files["r.bin"].subarray(5242000, 5242000 + 70000)),
        down: localTree(down), left, gone: await stored(repo, `${base}/r.bin`) };
    }
    assert.deepEqual(out["w-s3"], { listed: Object.keys(files).sort(), stored: sums, slice: true, down: sums, left: "", gone: 404 });
    assert.deepEqual(out["w-az"], out["w-s3"]);
  });

  it("s3cmd (signed v4, path style): put (one file multipart), ls, get, del; no MD5 complaint", async () => {
    const host = new URL(proxy.url).host;
    const s3cmd = (...args) => client("s3cmd", ["-c", "/dev/null", `--host=${host}`, `--host-bucket=${host}`, "--no-ssl",
      `--access_key=${DEMO_USER.id}`, `--secret_key=${DEMO_USER.secret}`, "--region=us-east-1", "--multipart-chunk-size-mb=5", ...args]);
    const { root, files, sums } = clientTree("s3cmd");
    const out = {};
    for (const repo of Object.keys(REPOS)) {
      const base = `s3cmd-${RUN}`, remote = `s3://demo-org/${repo}/${base}/`;
      const put = await s3cmd("put", "--recursive", `${root}/`, remote);
      const ls = String((await s3cmd("ls", "--recursive", remote)).stdout).split("\n").filter(Boolean)
        .map((l) => l.trim().split(/\s+/)).map((f) => [f[2], f.slice(3).join(" ").slice(remote.length)]).sort((a, b) => (a[1] < b[1] ? -1 : 1));
      const bytes = {}, meta = {};
      for (const rel of Object.keys(files)) {
        bytes[rel] = await stored(repo, `${base}/${rel}`);
        meta[rel] = Object.keys((await read(`${repo}/${base}/${rel}`)).meta ?? {}).sort();
      }
      const down = path.join(dir, `s3cmd-down-${repo}`);
      fs.mkdirSync(down);
      const get = await s3cmd("get", "--recursive", remote, `${down}/`);
      await s3cmd("del", "--recursive", remote);
      const warnings = String(put.stderr) + String(get.stderr);
      out[repo] = { ls, stored: bytes, meta, down: localTree(down), md5: /MD5/i.test(warnings) ? warnings : "",
        gone: await stored(repo, `${base}/r.bin`) };
    }
    assert.deepEqual(out["w-s3"].ls, Object.entries(files).map(([k, b]) => [String(b.length), k]).sort((a, b) => (a[1] < b[1] ? -1 : 1)));
    assert.deepEqual(out["w-s3"].stored, sums);
    assert.deepEqual(out["w-s3"].down, sums);
    assert.deepEqual(out["w-s3"].meta["r.txt"], ["s3cmd-attrs"]);  // s3cmd's attributes, a name with '-'
    assert.equal(out["w-s3"].md5, "");
    assert.equal(out["w-s3"].gone, 404);
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
