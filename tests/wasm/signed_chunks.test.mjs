// The host's signed-chunks decoder (js/signed_chunks.mjs) against AWS's published example ("Example: PUT Object",
// 65536 + 1024 bytes of 'a' in 64 KiB chunks) and the independent test client (tests/lib), fed in random network
// splits; every kind of tampering errors the stream before its last decoded byte. The chunk-size cap (1 MiB): a
// chunk of exactly the cap decodes, one byte more is refused on its header alone, and through the host and the
// wasm core that refusal is a 400 IncompleteBody whose backend request was aborted before any byte reached it.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { after, before, describe, it } from "node:test";
import { Core, handleRequest } from "../../js/host.mjs";
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
// The SigV4 signing key the core hands the host (derived here with node:crypto, independently of the core).
function derivedKey(secret, scope) {
  let k = Buffer.from("AWS4" + secret);
  for (const part of scope.split("/")) k = crypto.createHmac("sha256", k).update(part).digest();
  return new Uint8Array(k);
}
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
  const t = signedChunksTransform(s, signingKey(derivedKey(AWS.secret, s.scope)));
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

  it("an empty body with its final chunk decodes to nothing; a signing key that is not 32 bytes is the host's failure", async () => {
    const e = signChunkedUpload({ url: "http://127.0.0.1/b/k", data: Buffer.alloc(0), accessKeyId: "AKID",
      secretAccessKey: AWS.secret, amzDate: AWS.amzDate });
    const { out, error } = await decode([new Uint8Array(e.body)], spec(e, 0));
    assert.equal(error, null);
    assert.equal(out.length, 0);
    for (const bad of [undefined, new Uint8Array(0), new Uint8Array(31)])
      await assert.rejects(signingKey(bad), (err) => err.kind === "host");
  });
});

// The cap is pinned here, not imported: raising it in js/ (to 16 MiB, 1 GiB) must fail these tests.
const CAP = 1024 * 1024;

// The frame header of an upload's first chunk ("hex-size;chunk-signature=…\r\n"), and the rest of its body.
const firstHeader = (body) => body.subarray(0, body.indexOf("\r\n") + 2);

// A client body that sends `first` and then neither more bytes nor its end, as a client still uploading would.
function stalledBody(first) {
  let pulls = 0;
  const stream = new ReadableStream({
    start(c) { c.enqueue(new Uint8Array(first)); },
    pull() { pulls++; return new Promise(() => {}); }, // never answers: no more bytes will come
  }, { highWaterMark: 0 });
  return { stream, pulls: () => pulls };
}

const within = (ms, p, what) => Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms))]);

describe("signed chunks: at most 1 MiB per chunk", () => {
  it("a chunk of exactly 1 MiB decodes (twice, then a short one), whatever the splits", async () => {
    const data = crypto.randomBytes(2 * CAP + 1000);
    const u = signChunkedUpload({ url: "http://127.0.0.1/b/k", data, accessKeyId: "AKID", secretAccessKey: AWS.secret,
      amzDate: AWS.amzDate, chunkSize: CAP });
    assert.equal(firstHeader(u.body).toString(), `100000;chunk-signature=${u.chunkSignatures[0]}\r\n`);
    for (const [seed, max] of [[11, 70000], [12, 3 * CAP]]) {
      const { out, error } = await decode(splits(u.body, rng(seed), max), spec(u, data.length));
      assert.equal(error, null, error?.message);
      assert.ok(out.equals(data));
    }
  });

  it("a correctly signed chunk of 1 MiB + 1 is refused (malformed), and nothing of it comes out", async () => {
    const data = crypto.randomBytes(CAP + 1);
    const u = signChunkedUpload({ url: "http://127.0.0.1/b/k", data, accessKeyId: "AKID", secretAccessKey: AWS.secret,
      amzDate: AWS.amzDate, chunkSize: CAP + 1 });
    const { out, error } = await decode([new Uint8Array(u.body)], spec(u, data.length));
    assert.equal(error?.kind, "malformed");
    assert.match(error.message, /chunk of 1048577 bytes declared \(at most 1048576\)/);
    assert.equal(out.length, 0);
  });

  for (const [name, size] of [["1 MiB + 1", CAP + 1], ["4 GiB - 1 (ffffffff)", 0xffffffff]]) {
    it(`a declared size of ${name} is refused on its header, before any of its bytes arrive`, async () => {
      const header = Buffer.from(`${size.toString(16)};chunk-signature=${"ab".repeat(32)}\r\n`);
      const client = stalledBody(header);
      const t = signedChunksTransform(spec({ seedSignature: AWS.seed }, size), signingKey(derivedKey(AWS.secret, AWS.scope)));
      const reader = client.stream.pipeThrough(t.stream).getReader();
      const error = await within(2000, reader.read().then(() => null, (err) => err), "the refusal");
      assert.ok(error, "the stream must error");
      assert.equal(error.kind, "malformed");
      assert.equal(t.failure, error);
      assert.match(error.message, new RegExp(`chunk of ${size} bytes declared`));
    });
  }
});

// Through the host (js/host.mjs) and the wasm core: the client sends a chunk header declaring 1 MiB + 1 and then
// waits. workerd's FixedLengthStream is stood in for (its length check), so that the host's own abort of the
// backend request — on the decoded body's failure — is what is exercised; the backend is a stub in place of fetch.
for (const name of ["core-emcc", "core-wasi"]) {
  describe(`signed chunks through the host and the core (${name}): an oversized chunk`, () => {
    const CONFIG = {
      backends: { main: { endpoint: "http://127.0.0.1:9", bucket: "bb",
        auth: { type: "static", access_key_id_secret: "BK_ID", secret_access_key_secret: "BK_SECRET" } } },
      access_keys: { AKIDCHUNKS: { secret_access_key_secret: "KEY_SECRET",
        scopes: [{ account: "acct", repository: "a", actions: ["read", "write"] }] } },
      accounts: { acct: { repositories: { a: { backend: "main", prefix: "pa/", cache: { enabled: false } } } } },
    };
    const ENV = { KEY_SECRET: AWS.secret, BK_ID: "BKID", BK_SECRET: "bk-secret" };
    const saved = { fetch: globalThis.fetch, FixedLengthStream: globalThis.FixedLengthStream };
    let backend; // what the stub backend saw of its one request
    before(() => {
      globalThis.FixedLengthStream = class extends TransformStream {
        constructor(length) {
          let seen = 0;
          super({
            transform(c, ctl) {
              seen += c.byteLength;
              if (seen > length) throw new TypeError("FixedLengthStream: too many bytes");
              ctl.enqueue(c);
            },
            flush() { if (seen !== length) throw new TypeError("FixedLengthStream: too few bytes"); },
          });
        }
      };
      globalThis.fetch = async (url, init) => {
        backend = { url: String(url), method: init.method, signal: init.signal, received: 0, stored: false };
        const aborted = new Promise((_, reject) => {
          const abort = () => reject(new DOMException("The operation was aborted", "AbortError"));
          if (init.signal.aborted) abort();
          init.signal.addEventListener("abort", abort);
        });
        const drained = (async () => {
          for await (const c of init.body) backend.received += c.byteLength;
        })();
        await Promise.race([drained, aborted]); // an S3 backend answers once the body has ended, or never
        backend.stored = true;
        return new Response("", { status: 200, headers: { etag: '"stub"' } });
      };
    });
    after(() => {
      globalThis.fetch = saved.fetch;
      if (saved.FixedLengthStream === undefined) delete globalThis.FixedLengthStream;
      else globalThis.FixedLengthStream = saved.FixedLengthStream;
    });

    it("→ 400 IncompleteBody without its bytes; the backend request was aborted and stored nothing", async () => {
      const core = new Core(new WebAssembly.Module(fs.readFileSync(new URL(`../../dist/${name}.wasm`, import.meta.url))));
      assert.deepEqual(core.init(JSON.stringify(CONFIG), ENV), { ok: true, error: "" });
      const data = Buffer.alloc(CAP + 1, "z");
      const url = "http://127.0.0.1/acct/a/big.bin";
      const u = signChunkedUpload({ url, data, chunkSize: CAP + 1, accessKeyId: "AKIDCHUNKS", secretAccessKey: AWS.secret,
        headers: { "content-length": String(encodedLength(data.length, CAP + 1)) } });
      const client = stalledBody(firstHeader(u.body));
      const request = { url, method: "PUT", headers: new Headers({ host: "127.0.0.1", ...u.headers }), body: client.stream };
      const ctx = { waitUntil() {} };
      const logs = [];
      const log = console.log;
      console.log = (line) => logs.push(line);
      let resp;
      try {
        resp = await within(5000, handleRequest(core, request, ctx, ENV), "the answer");
      } finally {
        console.log = log;
      }
      const text = await resp.text();
      assert.equal(resp.status, 400, text);
      assert.equal(text.match(/<Code>(.*?)<\/Code>/)?.[1], "IncompleteBody", text);
      assert.ok(backend, "the core planned the backend PUT (the seed signature verified)");
      assert.equal(backend.url, "http://127.0.0.1:9/bb/pa/big.bin");
      assert.equal(backend.signal.aborted, true, "the host aborted the backend request");
      assert.equal(backend.stored, false);
      assert.equal(backend.received, 0, "no byte of the refused chunk reached the backend");
      assert.ok(logs.some((l) => /chunk of 1048577 bytes declared/.test(l)), logs.join("\n"));
    });
  });
}
