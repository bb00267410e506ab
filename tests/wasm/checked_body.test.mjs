// The host's check of an upload to a backend that recomputes no digest (js/checked_body.mjs): unsigned aws-chunked
// framing (STREAMING-UNSIGNED-PAYLOAD-TRAILER) taken off, in random network splits, and the declared digest — in
// the trailer or declared up front — compared before the last byte goes on. Checksum values: the published check
// values of "123456789" (CRC-32 cbf43926, CRC-32C e3069283, CRC-64/NVME ae8b14860a799888) and node's zlib.crc32 /
// node:crypto for the rest; every kind of tampering errors the stream before its last byte.
import assert from "node:assert/strict";
import nodeCrypto from "node:crypto";
import zlib from "node:zlib";
import { describe, it } from "node:test";
import { DIGESTS, checkedBodyTransform } from "../../js/checked_body.mjs";

// workerd's crypto.DigestStream, which node lacks: the same interface over node:crypto.
if (!globalThis.crypto.DigestStream) {
  globalThis.crypto.DigestStream = class extends WritableStream {
    constructor(name) {
      const hash = nodeCrypto.createHash(name.replace("-", "").toLowerCase());
      let done;
      const digest = new Promise((resolve) => (done = resolve));
      super({ write: (c) => hash.update(c), close: () => done(hash.digest().buffer) });
      this.digest = digest;
    }
  };
}

const b64 = (buf) => Buffer.from(buf).toString("base64");
const crc32b64 = (data) => { const b = Buffer.alloc(4); b.writeUInt32BE(zlib.crc32(data)); return b64(b); };
const sha = (name, data) => nodeCrypto.createHash(name).update(data).digest();

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

// botocore's framing: `hex-size\r\n<data>\r\n` per chunk, `0\r\n`, trailer lines, an empty line.
function frame(data, chunk, trailer) {
  const parts = [];
  for (let off = 0; off < data.length; off += chunk) {
    const piece = data.subarray(off, off + chunk);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from("0\r\n"), Buffer.from(trailer.map(([k, v]) => `${k}:${v}\r\n`).join("")), Buffer.from("\r\n"));
  return Buffer.concat(parts);
}

// Feeds `input` in random splits; returns { out (bytes passed on), error }.
async function run(spec, input, seed = 1) {
  const t = checkedBodyTransform(spec);
  const writer = t.stream.writable.getWriter();
  const reader = t.stream.readable.getReader();
  const out = [];
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ done: true }));
      if (done) return;
      out.push(Buffer.from(value));
    }
  })();
  const r = rng(seed);
  let error = null;
  try {
    for (let off = 0; off < input.length;) {
      const n = 1 + Math.floor(r() * 70000);
      await writer.write(new Uint8Array(input.subarray(off, off + n)));
      off += n;
    }
    await writer.close();
  } catch (err) {
    error = t.failure ?? err;
  }
  await reading;
  return { out: Buffer.concat(out), error };
}

describe("checked body: checksums", () => {
  it("the published check values of 123456789, fed in two pieces", async () => {
    const x = Buffer.from("123456789");
    for (const [name, hex] of [["crc32", "cbf43926"], ["crc32c", "e3069283"], ["crc64nvme", "ae8b14860a799888"]]) {
      const d = DIGESTS[name]();
      d.update(x.subarray(0, 4));
      d.update(x.subarray(4));
      assert.equal(Buffer.from(await d.digest()).toString("hex"), hex, name);
    }
  });
  it("CRC-32 equals zlib's over 1 MiB in uneven pieces (the slice-by-8 path and its tail)", async () => {
    const data = nodeCrypto.randomBytes(1 << 20);
    const d = DIGESTS.crc32();
    for (let off = 0, n = 1; off < data.length; off += n, n = (n * 7 + 3) % 9000 + 1) d.update(data.subarray(off, off + n));
    assert.equal(b64(await d.digest()), crc32b64(data));
  });
});

describe("checked body: unsigned aws-chunked with a trailer checksum", () => {
  const data = nodeCrypto.randomBytes(300_000);
  const cases = [
    ["crc32", crc32b64(data)],
    ["sha1", b64(sha("sha1", data))],
    ["sha256", b64(sha("sha256", data))],
  ];
  for (const [algorithm, value] of cases) {
    it(`${algorithm}: decoded bytes equal the data, in random splits`, async () => {
      const spec = { awsChunked: true, length: data.length, digests: [{ algorithm, hex: false, expected: "", trailer: `x-amz-checksum-${algorithm}` }] };
      for (const seed of [1, 2, 3]) {
        const { out, error } = await run(spec, frame(data, 65536, [[`x-amz-checksum-${algorithm}`, value]]), seed);
        assert.equal(error, null);
        assert.ok(out.equals(data));
      }
    });
  }
  it("crc32c and crc64nvme trailers: a one-chunk body of 123456789", async () => {
    for (const [algorithm, hex] of [["crc32c", "e3069283"], ["crc64nvme", "ae8b14860a799888"]]) {
      const x = Buffer.from("123456789");
      const spec = { awsChunked: true, length: 9, digests: [{ algorithm, hex: false, expected: "", trailer: `x-amz-checksum-${algorithm}` }] };
      const { out, error } = await run(spec, frame(x, 4, [[`x-amz-checksum-${algorithm}`, b64(Buffer.from(hex, "hex"))]]));
      assert.equal(error, null, algorithm);
      assert.ok(out.equals(x));
    }
  });
  it("no trailer at all: the framing alone is taken off", async () => {
    const { out, error } = await run({ awsChunked: true, length: data.length, digests: [] }, frame(data, 8192, []));
    assert.equal(error, null);
    assert.ok(out.equals(data));
  });

  const spec = { awsChunked: true, length: data.length, digests: [{ algorithm: "crc32", hex: false, expected: "", trailer: "x-amz-checksum-crc32" }] };
  const good = frame(data, 65536, [["x-amz-checksum-crc32", crc32b64(data)]]);
  const refusals = [
    ["a changed data byte", "digest", () => { const b = Buffer.from(good); b[70000] ^= 1; return b; }],
    ["another checksum in the trailer", "digest", () => frame(data, 65536, [["x-amz-checksum-crc32", "AAAAAA=="]])],
    ["no checksum line in the trailer", "malformed", () => frame(data, 65536, [["x-amz-checksum-sha1", "AAAAAA=="]])],
    ["a chunk shorter than declared", "malformed", () => Buffer.concat([Buffer.from("10\r\nabc\r\n"), good])],
    ["no final chunk", "malformed", () => good.subarray(0, good.indexOf("0\r\nx-amz"))],
    ["bytes after the end", "malformed", () => Buffer.concat([good, Buffer.from("x")])],
    ["more bytes than declared", "malformed", () => frame(Buffer.concat([data, Buffer.from("x")]), 65536, [["x-amz-checksum-crc32", crc32b64(data)]])],
    ["fewer bytes than declared", "malformed", () => frame(data.subarray(1), 65536, [["x-amz-checksum-crc32", crc32b64(data.subarray(1))]])],
    ["an unparseable frame header", "malformed", () => Buffer.concat([Buffer.from("zz\r\n"), good])],
    ["a trailer that never ends", "malformed", () => Buffer.concat([good.subarray(0, good.length - 2), Buffer.alloc(8192, 0x61)])],
  ];
  for (const [what, kind, body] of refusals) {
    it(`${what}: refused (${kind}) before the last byte went on`, async () => {
      const { out, error } = await run(spec, body());
      assert.ok(error, "an error");
      assert.equal(error.kind, kind, error.message);
      assert.ok(out.length < data.length, `${out.length} bytes went on`);
    });
  }
});

describe("checked body: a plain body against digests declared up front", () => {
  const data = nodeCrypto.randomBytes(200_000);
  it("x-amz-content-sha256's hex and an x-amz-checksum-crc32 both match: the bytes go on", async () => {
    const spec = { awsChunked: false, length: data.length, digests: [
      { algorithm: "sha256", hex: true, expected: sha("sha256", data).toString("hex").toUpperCase(), trailer: "" },
      { algorithm: "crc32", hex: false, expected: crc32b64(data), trailer: "" }] };
    const { out, error } = await run(spec, data);
    assert.equal(error, null);
    assert.ok(out.equals(data));
  });
  for (const [what, digests, input] of [
    ["one changed byte against the sha256", [{ algorithm: "sha256", hex: true, expected: sha("sha256", data).toString("hex"), trailer: "" }],
      () => { const b = Buffer.from(data); b[199_999] ^= 0x80; return b; }],
    ["one changed byte against the crc32", [{ algorithm: "crc32", hex: false, expected: crc32b64(data), trailer: "" }],
      () => { const b = Buffer.from(data); b[0] ^= 1; return b; }],
  ]) {
    it(`${what}: refused before the last byte went on`, async () => {
      const { out, error } = await run({ awsChunked: false, length: data.length, digests }, input());
      assert.equal(error?.kind, digests[0].hex ? "content-sha256" : "digest");
      assert.ok(out.length < data.length);
    });
  }
  it("a body longer or shorter than the length: malformed", async () => {
    for (const input of [Buffer.concat([data, Buffer.from("x")]), data.subarray(1)]) {
      const { error } = await run({ awsChunked: false, length: data.length, digests: [] }, input);
      assert.equal(error?.kind, "malformed");
    }
  });
});
