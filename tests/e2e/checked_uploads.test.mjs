// Uploads whose integrity the client declared (x-amz-content-sha256's hex, an x-amz-checksum-* header, or a checksum
// in the trailer of an unsigned aws-chunked body, as current SDKs send by default over TLS) land exactly as sent or
// not at all, whatever the backend: the S3 emulator recomputes them itself; for Azure (Azurite, Shared Key verified)
// the proxy's host checks them and takes the aws-chunked framing off (js/checked_body.mjs). One table of cases, run
// against both repositories; a body that differs from its declaration is refused with S3's code and nothing stored.
//
// Starts its own Azurite (scripts/lib/azurite.sh) unless AZURITE_URL names one.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { after, before, describe, it } from "node:test";
import { AwsV4Signer } from "aws4fetch";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { azureFetch, DEV_ACCOUNT, DEV_KEY } from "../azurite/shared_key.mjs";
import { DEMO_SECRETS, DEMO_USER, openDemoConfig, startProxy, startAzurite } from "./harness.mjs";

const REPOS = ["c-s3", "c-az"];
const RUN = crypto.randomBytes(4).toString("hex"); // the backends outlive a run (the registry stage runs this again)

let azurite;
let azuriteServer;
let proxy;

const sha256 = (b) => crypto.createHash("sha256").update(b).digest("hex");
const crc32 = (b) => { const x = Buffer.alloc(4); x.writeUInt32BE(zlib.crc32(b)); return x.toString("base64"); };
const sha256b64 = (b) => crypto.createHash("sha256").update(b).digest("base64");

before(async () => {
  azuriteServer = startAzurite();
  azurite = azuriteServer.url;
  const r = await azureFetch(azurite, { method: "PUT", path: `/${DEV_ACCOUNT}/checked`, query: [["restype", "container"]], headers: [] });
  assert.ok([201, 409].includes(r.status), `container: ${r.status}`);
  const config = openDemoConfig((c) => {
    c.backends["az-checked"] = { dialect: "azure", endpoint: `${azurite}/${DEV_ACCOUNT}`, account: DEV_ACCOUNT,
      container: "checked", auth: { type: "shared_key", account_key_secret: "AZURE_CHECKED_KEY" } };
    const repos = c.accounts["demo-org"].repositories;
    repos["c-s3"] = { backend: "local-signed", prefix: "checked/", cache: { enabled: false } };
    repos["c-az"] = { backend: "az-checked", prefix: "c/", cache: { enabled: false } };
    for (const repository of REPOS)
      c.access_keys[DEMO_USER.id].scopes.push({ account: "demo-org", repository, actions: ["read", "list", "write", "delete"] });
  });
  proxy = await startProxy({ config, bindings: { ...DEMO_SECRETS, AZURE_CHECKED_KEY: DEV_KEY } });
});
after(async () => {
  await proxy?.close();
  azuriteServer?.stop();
});

async function signed(method, p, { body, payload, headers = {} } = {}) {
  const s = await new AwsV4Signer({ url: `${proxy.url}${p}`, method, headers: { "x-amz-content-sha256": payload, ...headers },
    accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret, service: "s3", region: "us-east-1" }).sign();
  const r = await fetch(s.url, { method, headers: s.headers, body, duplex: "half" });
  const bytes = Buffer.from(await r.arrayBuffer());
  return { status: r.status, code: bytes.toString().match(/<Code>(.*?)<\/Code>/)?.[1], bytes, headers: r.headers };
}
const read = (key) => signed("GET", `/demo-org/${key}`, { payload: "UNSIGNED-PAYLOAD" });

// botocore's framing of STREAMING-UNSIGNED-PAYLOAD-TRAILER: `hex-size\r\n<data>\r\n` …, `0\r\n`, the trailer, `\r\n`.
function awsChunked(data, trailer, chunk = 65536) {
  const parts = [];
  for (let off = 0; off < data.length; off += chunk) {
    const piece = data.subarray(off, off + chunk);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from(`0\r\n${trailer ? `${trailer}\r\n` : ""}\r\n`));
  return Buffer.concat(parts);
}
const trailerPut = (key, data, name, value) => signed("PUT", `/demo-org/${key}`, {
  payload: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", body: awsChunked(data, name ? `${name}:${value}` : ""),
  headers: { "content-encoding": "aws-chunked", "x-amz-decoded-content-length": String(data.length), ...(name ? { "x-amz-trailer": name } : {}) },
});

// Each case returns what a client saw; the Azure repository's answer must equal the S3 one's.
const CASES = [
  ["unsigned aws-chunked with a CRC32 trailer: stored decoded", async (repo) => {
    const data = crypto.randomBytes(300_000), key = `${repo}/trailer-${RUN}.bin`;
    const put = await trailerPut(key, data, "x-amz-checksum-crc32", crc32(data));
    const got = await read(key);
    return { put: put.status, get: got.status, same: got.bytes.equals(data) };
  }],
  ["unsigned aws-chunked with a SHA-256 trailer, and with none: stored decoded", async (repo) => {
    const data = crypto.randomBytes(70_000);
    const a = await trailerPut(`${repo}/trailer-sha-${RUN}.bin`, data, "x-amz-checksum-sha256", sha256b64(data));
    const b = await trailerPut(`${repo}/trailer-none-${RUN}.bin`, data, "", "");
    return { a: a.status, b: b.status, same: [(await read(`${repo}/trailer-sha-${RUN}.bin`)).bytes.equals(data),
      (await read(`${repo}/trailer-none-${RUN}.bin`)).bytes.equals(data)] };
  }],
  ["a trailer checksum that does not match: BadDigest, nothing stored", async (repo) => {
    const data = crypto.randomBytes(200_000), key = `${repo}/trailer-bad-${RUN}.bin`;
    const put = await trailerPut(key, data, "x-amz-checksum-crc32", crc32(Buffer.from("other")));
    return { put: put.status, code: put.code, get: (await read(key)).status };
  }],
  ["x-amz-content-sha256 that does not match the body: XAmzContentSHA256Mismatch, nothing stored", async (repo) => {
    const data = crypto.randomBytes(100_000), key = `${repo}/sha-bad-${RUN}.bin`;
    const put = await signed("PUT", `/demo-org/${key}`, { payload: sha256(Buffer.from("other")), body: data });
    return { put: put.status, code: put.code, get: (await read(key)).status };
  }],
  ["x-amz-checksum-crc32 header: the right one stores, a wrong one is BadDigest", async (repo) => {
    const data = crypto.randomBytes(50_000);
    const good = await signed("PUT", `/demo-org/${repo}/crc-${RUN}.bin`, { payload: "UNSIGNED-PAYLOAD", body: data, headers: { "x-amz-checksum-crc32": crc32(data) } });
    const bad = await signed("PUT", `/demo-org/${repo}/crc-bad-${RUN}.bin`, { payload: "UNSIGNED-PAYLOAD", body: data, headers: { "x-amz-checksum-crc32": crc32(Buffer.from("x")) } });
    return { good: good.status, same: (await read(`${repo}/crc-${RUN}.bin`)).bytes.equals(data), bad: bad.status, code: bad.code,
      stored: (await read(`${repo}/crc-bad-${RUN}.bin`)).status };
  }],
  ["the JS SDK's own streamed PutObject (its default checksum, aws-chunked with a trailer)", async (repo) => {
    const s3 = new S3Client({ endpoint: proxy.url, region: "us-east-1", forcePathStyle: true,
      credentials: { accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret } });
    try {
      const data = crypto.randomBytes(400_000), Key = `${repo}/sdk-${RUN}.bin`;
      await s3.send(new PutObjectCommand({ Bucket: "demo-org", Key, Body: Readable.from([data]), ContentLength: data.length, ChecksumAlgorithm: "CRC32" }));
      const o = await s3.send(new GetObjectCommand({ Bucket: "demo-org", Key }));
      return { same: Buffer.from(await o.Body.transformToByteArray()).equals(data) };
    } finally {
      s3.destroy();
    }
  }],
];

describe("checked uploads: one table, S3 and Azure repositories", () => {
  for (const [name, run] of CASES) {
    it(name, async () => {
      const s3 = await run("c-s3");
      const az = await run("c-az");
      assert.deepEqual(az, s3, `Azure ${JSON.stringify(az)} vs S3 ${JSON.stringify(s3)}`);
    });
  }

  it("an unsigned aws-chunked part through Azure's Put Block: the completed object is the decoded parts", async () => {
    const key = `c-az/mp-${RUN}.bin`;
    const init = await signed("POST", `/demo-org/${key}?uploads=`, { payload: sha256("") });
    assert.equal(init.status, 200, init.bytes.toString());
    const uploadId = init.bytes.toString().match(/<UploadId>(.*?)<\/UploadId>/)[1];
    const parts = [crypto.randomBytes(5 * 1024 * 1024), crypto.randomBytes(123_457)];
    const etags = [];
    for (const [i, data] of parts.entries()) {
      const r = await signed("PUT", `/demo-org/${key}?partNumber=${i + 1}&uploadId=${encodeURIComponent(uploadId)}`, {
        payload: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", body: awsChunked(data, `x-amz-checksum-crc32:${crc32(data)}`),
        headers: { "content-encoding": "aws-chunked", "x-amz-decoded-content-length": String(data.length), "x-amz-trailer": "x-amz-checksum-crc32" } });
      assert.equal(r.status, 200, r.bytes.toString());
      etags.push(r.headers.get("etag"));
    }
    const doc = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join("")}</CompleteMultipartUpload>`;
    const done = await signed("POST", `/demo-org/${key}?uploadId=${encodeURIComponent(uploadId)}`, { payload: sha256(doc), body: doc });
    assert.equal(done.status, 200, done.bytes.toString());
    assert.equal(sha256((await read(key)).bytes), sha256(Buffer.concat(parts)));
  });
});
