// A Fetch action's Checked body (host_shim/README.md, Fetch body kind 4): the client's upload for a backend that
// recomputes no digest the client declared (Azure, GCS's XML API), checked here instead. The core names the
// digests (x-amz-content-sha256's hex, an x-amz-checksum-* value, or the checksum an unsigned aws-chunked body
// carries in its trailer) and whether the body is STREAMING-UNSIGNED-PAYLOAD-TRAILER framing to take off:
//   `hex-size[;ext]\r\n<size bytes>\r\n` … `0\r\n` then trailer lines `name:value\r\n` and an empty line.
//
// The bytes go on as they arrive except the last piece, which is held back until the body has ended, its length is
// the declared one and every digest matches; so whatever is wrong (a digest, the framing, the length), the stream
// errors before its last byte and the backend request — exactly `length` bytes, or none — never completes.
// Memory: one held piece (the size the runtime hands over) and a trailer of at most MAX_TRAILER bytes.
import { ChunkError } from "./signed_chunks.mjs";

const MAX_HEADER = 256; // "hex-size;extensions\r\n"
const MAX_TRAILER = 4096; // trailer lines; S3's are one checksum line
const CR = 0x0d, LF = 0x0a;

// CRC-32 (ISO-HDLC, the zlib one) and CRC-32C (Castagnoli), reflected, slice-by-8 tables.
function crc32Tables(poly) {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[0][i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++)
    for (let s = 1; s < 8; s++) t[s][i] = (t[s - 1][i] >>> 8) ^ t[0][t[s - 1][i] & 0xff];
  return t;
}

function crc32Digest(poly) {
  let tables = null;
  return () => {
    tables ??= crc32Tables(poly);
    const [t0, t1, t2, t3, t4, t5, t6, t7] = tables;
    let crc = 0xffffffff;
    return {
      update(b) {
        let i = 0;
        const n8 = b.length - (b.length % 8);
        for (; i < n8; i += 8) {
          const lo = (crc ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24))) >>> 0;
          crc = t7[lo & 0xff] ^ t6[(lo >>> 8) & 0xff] ^ t5[(lo >>> 16) & 0xff] ^ t4[lo >>> 24] ^
            t3[b[i + 4]] ^ t2[b[i + 5]] ^ t1[b[i + 6]] ^ t0[b[i + 7]];
        }
        for (; i < b.length; i++) crc = (crc >>> 8) ^ t0[(crc ^ b[i]) & 0xff];
      },
      async digest() {
        const v = (crc ^ 0xffffffff) >>> 0;
        return new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
      },
    };
  };
}

// CRC-64/NVME: reflected polynomial 0x9a6c9329ac4bc9b5, init and xorout all ones; 64 bits as two 32-bit halves.
let crc64Tables = null;
function crc64nvme() {
  if (!crc64Tables) {
    const hi = new Uint32Array(256), lo = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let h = 0, l = i;
      for (let k = 0; k < 8; k++) {
        const bit = l & 1;
        l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
        h >>>= 1;
        if (bit) { h = (h ^ 0x9a6c9329) >>> 0; l = (l ^ 0xac4bc9b5) >>> 0; }
      }
      hi[i] = h;
      lo[i] = l;
    }
    crc64Tables = { hi, lo };
  }
  const { hi: th, lo: tl } = crc64Tables;
  let h = 0xffffffff, l = 0xffffffff;
  return {
    update(b) {
      for (let i = 0; i < b.length; i++) {
        const x = (l ^ b[i]) & 0xff;
        l = ((l >>> 8) | (h << 24)) ^ tl[x];
        h = (h >>> 8) ^ th[x];
      }
    },
    async digest() {
      const H = (h ^ 0xffffffff) >>> 0, L = (l ^ 0xffffffff) >>> 0;
      return new Uint8Array([H >>> 24, (H >>> 16) & 0xff, (H >>> 8) & 0xff, H & 0xff, L >>> 24, (L >>> 16) & 0xff, (L >>> 8) & 0xff, L & 0xff]);
    },
  };
}

// SHA-1 / SHA-256 by the runtime's streaming digest (workerd's crypto.DigestStream).
function streamDigest(name) {
  return () => {
    const stream = new crypto.DigestStream(name);
    const writer = stream.getWriter();
    return {
      update(b) { writer.write(b.slice()).catch(() => {}); }, // a copy: the piece itself goes on to the backend
      async digest() {
        await writer.close();
        return new Uint8Array(await stream.digest);
      },
    };
  };
}

export const DIGESTS = {
  crc32: crc32Digest(0xedb88320),
  crc32c: crc32Digest(0x82f63b78),
  crc64nvme,
  sha1: streamDigest("SHA-1"),
  sha256: streamDigest("SHA-256"),
};

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const hex = (b) => Array.from(b, (x) => HEX[x]).join("");
const base64 = (b) => btoa(String.fromCharCode(...b));

// A TransformStream from the client's body to the bytes the backend gets. `spec`: { awsChunked, length,
// digests: [{ algorithm, hex, expected, trailer }] }. `failure` is set when (and before) the stream errors.
export function checkedBodyTransform(spec) {
  const HEADER = 0, DATA = 1, DATA_END = 2, TRAILER = 3, DONE = 4;
  let state = spec.awsChunked ? HEADER : DATA;
  let line = ""; // a frame header or the trailer read so far (ASCII)
  let need = spec.awsChunked ? 0 : Infinity, crlf = 0;
  let total = 0;
  let held = null; // the last piece of data, released when more data follows (or at the end, once checked)
  const t = { failure: null, stream: null };
  const fail = (kind, message) => {
    t.failure = new ChunkError(kind, message);
    throw t.failure;
  };
  const digests = spec.digests.map((d) => {
    const make = DIGESTS[d.algorithm];
    if (!make) fail("malformed", `no digest ${d.algorithm}`);
    return { ...d, state: make() };
  });
  const data = (piece, controller) => {
    if (piece.length === 0) return;
    total += piece.length;
    if (total > spec.length) fail("malformed", `more than the declared length ${spec.length}`);
    for (const d of digests) d.state.update(piece);
    if (held) controller.enqueue(held);
    held = piece;
  };

  async function check() {
    const trailers = new Map();
    for (const l of line.split("\r\n")) {
      if (!l) continue;
      const colon = l.indexOf(":");
      if (colon <= 0) fail("malformed", "unparseable trailer line");
      trailers.set(l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim());
    }
    if (total !== spec.length) fail("malformed", `received ${total} bytes, declared ${spec.length}`);
    for (const d of digests) {
      const expected = d.trailer ? trailers.get(d.trailer) : d.expected;
      if (expected === undefined) fail("malformed", `no ${d.trailer} in the trailer`);
      const got = await d.state.digest();
      const ok = d.hex ? hex(got) === expected.toLowerCase() : base64(got) === expected;
      if (!ok) fail(d.hex ? "content-sha256" : "digest", `${d.algorithm} of the body does not match the declared one`);
    }
  }

  t.stream = new TransformStream({
    transform(input, controller) {
      if (!(input instanceof Uint8Array)) input = new Uint8Array(input);
      let off = 0;
      while (off < input.length) {
        if (state === DATA) {
          const take = Math.min(need, input.length - off);
          data(input.subarray(off, off + take), controller);
          off += take;
          need -= take;
          if (need === 0) { state = DATA_END; crlf = 0; }
        } else if (state === DATA_END) {
          if (input[off++] !== (crlf === 0 ? CR : LF)) fail("malformed", "chunk data not followed by CRLF");
          if (++crlf === 2) state = HEADER;
        } else if (state === HEADER) {
          const lf = input.indexOf(LF, off);
          const end = lf < 0 ? input.length : lf + 1;
          if (line.length + (end - off) > MAX_HEADER) fail("malformed", "frame header too long");
          for (let i = off; i < end; i++) line += String.fromCharCode(input[i]);
          off = end;
          if (lf < 0) break;
          const m = /^([0-9a-fA-F]{1,16})(;[^\r\n]*)?\r\n$/.exec(line);
          if (!m) fail("malformed", "unparseable frame header");
          line = "";
          need = parseInt(m[1], 16);
          state = need === 0 ? TRAILER : DATA;
        } else if (state === TRAILER) {
          // Trailer lines up to the empty line that ends the body (CRLF CRLF, or a lone CRLF when there are none).
          for (; off < input.length && state === TRAILER; off++) {
            if (line.length === MAX_TRAILER) fail("malformed", "trailer too long");
            line += String.fromCharCode(input[off]);
            if (line === "\r\n" || line.endsWith("\r\n\r\n")) state = DONE;
          }
        } else {
          fail("malformed", "bytes after the end of the body");
        }
      }
    },
    async flush(controller) {
      if (spec.awsChunked && state !== DONE) fail("malformed", "body ended before its final chunk and trailer");
      await check();
      if (held) controller.enqueue(held);
      held = null;
    },
  });
  return t;
}

// The body a Fetch action sends for a Checked body: `source` (the client's) through the check, then through
// workerd's FixedLengthStream so that the backend request has its Content-Length. Returns { body, sent, failure() }.
export function checkBody(source, spec) {
  let t;
  try {
    t = checkedBodyTransform(spec);
  } catch (err) {
    const failed = new ReadableStream({ start: (c) => c.error(err) });
    return { body: failed, sent: Promise.reject(err), failure: () => err };
  }
  source ??= new ReadableStream({ start: (c) => c.close() });
  const body = source.pipeThrough(t.stream);
  if (typeof FixedLengthStream !== "function") return { body, sent: Promise.resolve(), failure: () => t.failure };
  const fixed = new FixedLengthStream(spec.length);
  return { body: fixed.readable, sent: body.pipeTo(fixed.writable), failure: () => t.failure };
}
