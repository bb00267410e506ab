// A test client for signed aws-chunked uploads (x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD), written
// from AWS's "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks" with
// node:crypto, independently of js/ (so that a shared misreading of the spec cannot make both sides agree).
import crypto from "node:crypto";

export const STREAMING = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
const EMPTY_SHA256 = crypto.createHash("sha256").update("").digest("hex");
const hmac = (key, data) => crypto.createHmac("sha256", key).update(data).digest();
const sha256 = (data) => crypto.createHash("sha256").update(data).digest("hex");
const rfc3986 = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

export function amzDateOf(date = new Date()) {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

// The chunk sizes a body of `length` bytes is framed in: full chunks, the rest, then the final 0-size chunk.
function chunkSizes(length, chunkSize) {
  const sizes = [];
  for (let left = length; left > 0; left -= chunkSize) sizes.push(Math.min(left, chunkSize));
  sizes.push(0);
  return sizes;
}

// The framed body's length for `length` decoded bytes (what Content-Length must say).
export function encodedLength(length, chunkSize) {
  return chunkSizes(length, chunkSize).reduce((n, s) => n + s.toString(16).length + ";chunk-signature=".length + 64 + 2 + s + 2, 0);
}

// Signs a chunked upload of `data`. `url`: the full URL (path and query as sent); `headers`: more headers to send
// and sign (lower-case names). `seedSignature` may be forced (to check chunk signatures against a published
// example). Returns { headers (to send, without host), body: Buffer, seedSignature, chunkSignatures }.
export function signChunkedUpload({ url, method = "PUT", data, chunkSize = 65536, accessKeyId, secretAccessKey,
  region = "us-east-1", amzDate = amzDateOf(), headers = {}, seedSignature }) {
  const u = new URL(url);
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${region}/s3/aws4_request`;
  const all = {
    host: u.host, "content-encoding": "aws-chunked", "x-amz-content-sha256": STREAMING, "x-amz-date": amzDate,
    "x-amz-decoded-content-length": String(data.length), ...headers,
  };
  for (const k of Object.keys(all)) if (all[k] === undefined) delete all[k]; // headers a test leaves out
  const names = Object.keys(all).sort();
  const query = [...u.searchParams].map(([k, v]) => [rfc3986(k), rfc3986(v)]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
  const creq = [method, u.pathname, query.map(([k, v]) => `${k}=${v}`).join("&"),
    names.map((n) => `${n}:${String(all[n]).trim()}\n`).join(""), names.join(";"), STREAMING].join("\n");
  let key = hmac("AWS4" + secretAccessKey, date);
  for (const part of [region, "s3", "aws4_request"]) key = hmac(key, part);
  const sts = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(creq)].join("\n");
  const seed = seedSignature ?? hmac(key, sts).toString("hex");

  const frames = [];
  const chunkSignatures = [];
  let previous = seed, off = 0;
  for (const size of chunkSizes(data.length, chunkSize)) {
    const chunk = data.subarray(off, off + size);
    off += size;
    const csts = ["AWS4-HMAC-SHA256-PAYLOAD", amzDate, scope, previous, EMPTY_SHA256, sha256(chunk)].join("\n");
    previous = hmac(key, csts).toString("hex");
    chunkSignatures.push(previous);
    frames.push(Buffer.from(`${size.toString(16)};chunk-signature=${previous}\r\n`), chunk, Buffer.from("\r\n"));
  }
  const send = { ...all };
  delete send.host;
  send.authorization = `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${seed}`;
  return { headers: send, body: Buffer.concat(frames), seedSignature: seed, chunkSignatures, scope };
}
