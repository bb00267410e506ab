// A minimal SigV4 query presigner for tests (node's crypto), used where a test needs a signed URL for a path of
// its own; the verifier itself is checked against AWS's published vectors (tests/unit/test_auth.cpp, and the
// presigned example in tests/wasm/abi.test.mjs).
import crypto from "node:crypto";

const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
const hmac = (k, s) => crypto.createHmac("sha256", k).update(s).digest();

// rawPath: already percent-encoded as it will be sent. params: [[name, value]] (decoded). Returns the query string.
export function presignV4({ method = "GET", host, rawPath, params = [], id, secret, region = "us-east-1", now = Date.now(), expires = 3600 }) {
  const amzDate = new Date(now).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/s3/aws4_request`;
  const all = [...params, ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"], ["X-Amz-Credential", `${id}/${scope}`],
    ["X-Amz-Date", amzDate], ["X-Amz-Expires", String(expires)], ["X-Amz-SignedHeaders", "host"]];
  const query = all.map(([k, v]) => [enc(k), enc(v)]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`).join("&");
  const creq = [method, rawPath, query, `host:${host}\n`, "host", "UNSIGNED-PAYLOAD"].join("\n");
  const sts = ["AWS4-HMAC-SHA256", amzDate, scope, crypto.createHash("sha256").update(creq).digest("hex")].join("\n");
  const key = hmac(hmac(hmac(hmac("AWS4" + secret, day), region), "s3"), "aws4_request");
  return `${query}&X-Amz-Signature=${hmac(key, sts).toString("hex")}`;
}
