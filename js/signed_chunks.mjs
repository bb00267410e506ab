// Signed aws-chunked bodies (x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD), decoded in a stream.
// The body is a series of frames `hex-size;chunk-signature=sig\r\n<size bytes>\r\n` ending with a 0-size frame;
// each signature is HMAC-SHA256 (the request's SigV4 signing key) over
//   "AWS4-HMAC-SHA256-PAYLOAD\n{amz date}\n{scope}\n{previous signature}\n{sha256("")}\n{sha256(chunk)}",
// chained from the request's own signature (the seed, which the core has verified). The core decides that a body
// is decoded and with what (host_shim/README.md, Fetch body kind 3); this file only performs it.
//
// The decoded stream carries a chunk's bytes only once its signature has been checked, and holds the last data
// chunk back until the final frame has been checked and nothing follows it. So whatever goes wrong (a changed
// byte or signature, a broken or truncated frame, bytes after the end, a total other than the decoded length),
// the stream errors before its last byte: a request that must send exactly the decoded length never completes,
// and no object is stored.
//
// Memory: a frame is held whole to hash it, so its size is capped (MAX_CHUNK) and refused as soon as its header
// declares more — before any of its bytes are buffered or allocated. The decoder then holds at most two frames of
// an upload at once, each in its own buffer (never a view pinning a larger input buffer): the verified chunk held
// back, and the frame being filled — 2 × MAX_CHUNK = 2 MiB, 3 MiB while WebCrypto hashes its copy of a frame.
// (The cap was 16 MiB: ≈ 32 MiB and more per upload, so four uploads could fill an isolate's 128 MB.) Signers use
// far smaller chunks: aws-sdk-java v1 and v2 and the .NET SDK 128 KiB, minio-go (restic) and AWS's own example
// 64 KiB; 1 MiB leaves them 8× margin. Bytes already passed on are the backend fetch's, under backpressure.

const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const MAX_HEADER = 256; // "hex-size;chunk-signature=" + 64 hex + CRLF is < 100 bytes
const MAX_CHUNK = 1024 * 1024; // the largest frame accepted (see Memory above); the tests pin it at 1 MiB
const CR = 0x0d, LF = 0x0a;

const encoder = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const hex = (buf) => {
  const b = new Uint8Array(buf);
  let s = "";
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
};

// Why a body was refused: `kind` is "signature" (a chunk signature does not match), "malformed" (the framing or
// the length is wrong) or "host" (the secret is missing). `message` is for the log; it never holds key material.
export class ChunkError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

// The core hands over the SigV4 signing key its verification of the seed signature derived (for the request's
// scope only), whatever kind of key signed: a Worker secret's, a registry key's, a session's. Imported once per
// upload as a non-extractable CryptoKey; a key of the wrong length is the host's failure, never a chunk's.
export function signingKey(raw) {
  if (!(raw instanceof Uint8Array) || raw.length !== 32)
    return Promise.reject(new ChunkError("host", "no 32-byte signing key for the chunk signatures"));
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

function equalHex(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

const FRAME_HEADER = /^([0-9a-fA-F]{1,8});chunk-signature=([0-9a-fA-F]{64})\r\n$/;

// A TransformStream from the framed body to the decoded bytes. `spec`: { amzDate, scope, seedSignature,
// decodedLength }; `key`: a Promise of the signing key. `failure` is set when (and before) the stream errors.
export function signedChunksTransform(spec, key) {
  const HEADER = 0, DATA = 1, TRAILER = 2, DONE = 3;
  let state = HEADER;
  let header = ""; // the frame header read so far (ASCII)
  let size = 0, need = 0, crlf = 0, signature = "";
  let frame = null; // the frame being filled: its own buffer of exactly `size` bytes (size <= MAX_CHUNK)
  let previous = spec.seedSignature;
  let total = 0; // decoded bytes accepted so far
  let held = null; // the last verified data chunk, released once the next frame verifies (or at the end)
  const t = { failure: null, stream: null };
  const fail = (kind, message) => {
    t.failure = new ChunkError(kind, message);
    throw t.failure;
  };

  async function endOfFrame(controller) {
    const data = frame;
    frame = null;
    const k = await key;
    const digest = hex(await crypto.subtle.digest("SHA-256", data));
    const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${spec.amzDate}\n${spec.scope}\n${previous}\n${EMPTY_SHA256}\n${digest}`;
    const expected = hex(await crypto.subtle.sign("HMAC", k, encoder.encode(sts)));
    if (!equalHex(expected, signature)) fail("signature", `chunk at decoded offset ${total} does not match its signature`);
    previous = expected;
    total += size;
    if (total > spec.decodedLength) fail("malformed", `more than the decoded length ${spec.decodedLength}`);
    if (size === 0) {
      state = DONE; // the held chunk goes out in flush, once nothing has followed
      return;
    }
    if (held) controller.enqueue(held);
    held = data;
    state = HEADER;
  }

  t.stream = new TransformStream({
    async transform(input, controller) {
      if (!(input instanceof Uint8Array)) input = new Uint8Array(input);
      let off = 0;
      while (off < input.length) {
        if (state === HEADER) {
          const lf = input.indexOf(LF, off);
          const end = lf < 0 ? input.length : lf + 1;
          if (header.length + (end - off) > MAX_HEADER) fail("malformed", "frame header too long");
          for (let i = off; i < end; i++) header += String.fromCharCode(input[i]);
          off = end;
          if (lf < 0) break;
          const m = FRAME_HEADER.exec(header);
          if (!m) fail("malformed", "unparseable frame header");
          header = "";
          size = need = parseInt(m[1], 16);
          signature = m[2];
          // Refused on the header alone: none of its bytes is read, nothing of its size allocated.
          if (size > MAX_CHUNK) fail("malformed", `chunk of ${size} bytes declared (at most ${MAX_CHUNK})`);
          frame = new Uint8Array(size);
          state = DATA;
        }
        if (state === DATA) {
          const take = Math.min(need, input.length - off);
          if (take > 0) frame.set(input.subarray(off, off + take), size - need);
          need -= take;
          off += take;
          if (need === 0) {
            state = TRAILER;
            crlf = 0;
          }
        }
        if (state === TRAILER) {
          while (crlf < 2 && off < input.length) {
            if (input[off++] !== (crlf === 0 ? CR : LF)) fail("malformed", "chunk data not followed by CRLF");
            crlf++;
          }
          if (crlf === 2) await endOfFrame(controller);
        }
        if (state === DONE && off < input.length) fail("malformed", "bytes after the final chunk");
      }
    },
    flush(controller) {
      if (state !== DONE) fail("malformed", "body ended before the final chunk");
      if (total !== spec.decodedLength) fail("malformed", `decoded ${total} bytes, declared ${spec.decodedLength}`);
      if (held) controller.enqueue(held);
      held = null;
    },
  });
  return t;
}

// The decoded body of a Fetch action's SignedChunks body: `source` (the client's body) through the decoder, then
// through workerd's FixedLengthStream so that the backend request has a Content-Length (S3 refuses a PUT without
// one). Returns { body, sent (settles when the last byte went on), failure() }.
export function decodeSignedChunks(source, spec) {
  const key = signingKey(spec.signingKey);
  key.catch(() => {}); // reported through the stream when it is needed
  const t = signedChunksTransform(spec, key.catch((err) => {
    t.failure = err instanceof ChunkError ? err : new ChunkError("host", `signing key: ${err?.message ?? err}`);
    throw t.failure;
  }));
  source ??= new ReadableStream({ start: (c) => c.close() });
  const body = source.pipeThrough(t.stream);
  if (typeof FixedLengthStream !== "function") return { body, sent: Promise.resolve(), failure: () => t.failure };
  const fixed = new FixedLengthStream(spec.decodedLength);
  return { body: fixed.readable, sent: body.pipeTo(fixed.writable), failure: () => t.failure };
}
