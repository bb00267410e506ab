// The host's signed-chunks decoder (js/signed_chunks.mjs) against AWS's published example ("Example: PUT Object",
// 65536 + 1024 bytes of 'a' in 64 KiB chunks) and the independent test client (tests/lib), fed in random network
// splits; every kind of tampering errors the stream before its last decoded byte.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, it } from "node:test";
import { signedChunksTransform, signingKey } from "../../js/signed_chunks.mjs";
import { encodedLength, signChunkedUpload } from "../lib/signed_chunks_client.mjs";

const AWS = {
  secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  amzDate: "20130524T000000Z",
  scope: "20130524/us-east-1/s3/aws4_request",
  seed: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
  chunks: [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
  ],
};
const env = { CHUNK_TEST_SECRET: AWS.secret };
const awsData = Buffer.alloc(65536 + 1024, "a");
const awsUpload = () => signChunkedUpload({
  url: "https://s3.amazonaws.com/examplebucket/chunkObject.txt", data: awsData, accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: AWS.secret, amzDate: AWS.amzDate,
  headers: { "content-length": String(encodedLength(awsData.length, 65536)), "x-amz-storage-class": "REDUCED_REDUNDANCY" },
});
const spec = (upload, decodedLength) => ({ amzDate: AWS.amzDate, scope: AWS.scope, seedSignature: upload.seedSignature, decodedLength });

// A deterministic PRNG so that a failing split can be replayed.
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function splits(buf, rand, max) {
  const out = [];
  for (let off = 0; off < buf.length;) {
    const n = Math.max(1, Math.floor(rand() * max));
    out.push(new Uint8Array(buf.subarray(off, off + n)));
    off += n;
  }
  return out;
}

// Decodes `pieces`; returns { out: Buffer of what came out, error }.
async function decode(pieces, s) {
  const t = signedChunksTransform(s, signingKey(env, "CHUNK_TEST_SECRET", s.scope));
  const source = new ReadableStream({
    start(c) {
      for (const p of pieces) c.enqueue(p);
      c.close();
    },
  });
  const got = [];
  let error = null;
  try {
    for await (const c of source.pipeThrough(t.stream)) got.push(Buffer.from(c));
  } catch (err) {
    error = err;
  }
  if (error) assert.equal(t.failure, error);
  return { out: Buffer.concat(got), error };
}

describe("signed chunks: AWS's published example", () => {
  it("the test client reproduces AWS's seed and chunk signatures and the framed length", () => {
    const u = awsUpload();
    assert.equal(u.seedSignature, AWS.seed);
    assert.deepEqual(u.chunkSignatures, AWS.chunks);
    assert.equal(u.body.length, 66824);
  });

  it("decodes it byte-exact whatever the network splits", async () => {
    const u = awsUpload();
    for (const [seed, max] of [[1, 3], [2, 17], [3, 100], [4, 4096], [5, 70000], [6, 1 << 20]]) {
      const { out, error } = await decode(splits(u.body, rng(seed), max), spec(u, awsData.length));
      assert.equal(error, null, `split seed ${seed}`);
      assert.ok(out.equals(awsData), `split seed ${seed}`);
    }
  });
});

describe("signed chunks: tampering errors the stream before the last byte", () => {
  const data = crypto.randomBytes(200_000);
  const u = signChunkedUpload({ url: "http://127.0.0.1/b/k", data, accessKeyId: "AKID", secretAccessKey: AWS.secret,
    amzDate: AWS.amzDate, chunkSize: 65536 });
  const s = spec(u, data.length);
  const dataOffset = u.body.indexOf("\r\n") + 2; // the first data byte
  const cases = {
    "a data byte changed": [(b) => { b[dataOffset + 1000] ^= 1; return b; }, "signature"],
    "a data byte changed in the last data chunk": [(b) => { b[b.length - 100 - 86] ^= 1; return b; }, "signature"],
    "a chunk signature changed": [(b) => { b[dataOffset - 3] = b[dataOffset - 3] === 0x30 ? 0x31 : 0x30; return b; }, "signature"],
    "truncated inside a chunk": [(b) => b.subarray(0, 100_000), "malformed"],
    "the final chunk missing": [(b) => b.subarray(0, b.length - 86), "malformed"],
    "truncated inside the final frame": [(b) => b.subarray(0, b.length - 5), "malformed"],
    "bytes after the final chunk": [(b) => Buffer.concat([b, Buffer.from("x")]), "malformed"],
    "a frame header garbled": [(b) => { b[0] = 0x7a; return b; }, "malformed"],
    "CRLF missing after data": [(b) => { b[dataOffset + 65536] = 0x20; return b; }, "malformed"],
  };
  for (const [name, [mutate, kind]] of Object.entries(cases)) {
    it(`${name} → ${kind}`, async () => {
      for (const seed of [7, 8]) {
        const { out, error } = await decode(splits(mutate(Buffer.from(u.body)), rng(seed), 9000), s);
        assert.ok(error, "the stream must error");
        assert.equal(error.kind, kind, error.message);
        assert.ok(out.length < data.length, `${out.length} bytes came out`);
        assert.ok(data.subarray(0, out.length).equals(out), "what came out is a prefix of the signed data");
      }
    });
  }

  it("a decoded length other than the body's → malformed", async () => {
    for (const declared of [data.length - 1, data.length + 1]) {
      const { out, error } = await decode([new Uint8Array(u.body)], spec(u, declared));
      assert.equal(error?.kind, "malformed");
      assert.ok(out.length < data.length);
    }
  });

  it("another secret → signature", async () => {
    const other = signChunkedUpload({ url: "http://127.0.0.1/b/k", data, accessKeyId: "AKID", secretAccessKey: "not the secret",
      amzDate: AWS.amzDate, seedSignature: u.seedSignature });
    const { error } = await decode([new Uint8Array(other.body)], s);
    assert.equal(error?.kind, "signature");
  });

  it("an empty body with its final chunk decodes to nothing; a missing secret is the host's failure", async () => {
    const e = signChunkedUpload({ url: "http://127.0.0.1/b/k", data: Buffer.alloc(0), accessKeyId: "AKID",
      secretAccessKey: AWS.secret, amzDate: AWS.amzDate });
    const { out, error } = await decode([new Uint8Array(e.body)], spec(e, 0));
    assert.equal(error, null);
    assert.equal(out.length, 0);
    await assert.rejects(signingKey({}, "UNSET_SECRET", AWS.scope), (err) => err.kind === "host");
  });
});
