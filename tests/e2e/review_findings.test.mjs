// The security review's findings (issue 20), each proved end to end where a client can see it: the Worker in
// workerd against the verifying emulator, every refusal with S3's code and the emulator's counters showing that
// not one backend (or STS) request was spent on it (expectRefusal). A test marked "before:" fails on the core as
// it was before the fix (what it answered is named there); the others are controls (what must keep working: a
// presigned URL used as signed, a normal DeleteObjects, a preflight with an allowed Origin) or guards that held
// before too (SigV2 signs every x-amz-* header by construction; read_only has always outranked a key's scope).
//
// Every describe starts its own proxy (config/demo.json plus what the finding needs) and writes only under keys
// holding this run's RUN segment, and removes what it wrote.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, it } from "node:test";
import { AwsClient, AwsV4Signer } from "aws4fetch";
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { backendCalls, client, DEMO_SECRETS, DEMO_USER, demoConfig, emu, EMU, eventually, expectRefusal, requestLogs, startProxy, xmlField } from "./harness.mjs";
import { presignV4 } from "../lib/presign.mjs";

const HELLO = "hello from a signed backend\n"; // tests/emulator/seed.py: private-bucket/repos/secret-data/hello.txt
const RUN = `rf-${process.pid}`; // this run's key segment
const sha256 = (b) => crypto.createHash("sha256").update(b).digest("hex");
const REGION = "us-east-1";

// The backend itself, signed with the backend's key: ground truth, independent of the proxy.
const origin = new AwsClient({ accessKeyId: DEMO_SECRETS.DEMO_BACKEND_ACCESS_KEY_ID, secretAccessKey: DEMO_SECRETS.DEMO_BACKEND_SECRET_ACCESS_KEY,
  service: "s3", region: REGION });
const atOrigin = (path, init) => origin.fetch(`${EMU}/${path}`, init);
const originStatus = async (path) => (await atOrigin(path, { method: "HEAD" })).status;
async function originPut(path, body) {
  const r = await atOrigin(path, { method: "PUT", body });
  assert.equal(r.status, 200, await r.text());
}
async function originDelete(path) {
  const r = await atOrigin(path, { method: "DELETE" });
  await r.arrayBuffer();
  assert.ok(r.status === 204 || r.status === 200, `origin DELETE ${path}: ${r.status}`);
}

// A response read whole: { status, text, headers } (what expectRefusal accepts).
const collect = async (pending) => {
  const r = await pending;
  return { status: r.status, text: await r.text(), headers: r.headers };
};
// A SigV4 header-signed request through the proxy (aws4fetch: every header given is signed), payload hash declared.
async function signed(p, method, path, { body = "", headers = {}, key = DEMO_USER } = {}) {
  const s = await new AwsV4Signer({ url: `${p.url}${path}`, method, headers: { "x-amz-content-sha256": sha256(body), ...headers },
    accessKeyId: key.id, secretAccessKey: key.secret, service: "s3", region: REGION }).sign();
  return collect(fetch(s.url, { method, headers: s.headers, body: method === "GET" || method === "HEAD" ? undefined : body }));
}
const anon = (p, method, path, init = {}) => collect(fetch(`${p.url}${path}`, { method, ...init }));

// expectRefusal (status, code, no backend request), returning the answer for further checks.
async function refused(send, status, code) {
  let seen;
  await expectRefusal(async () => (seen = await send()), status, code);
  return seen;
}

// Runs `fn` and returns [its result, the S3 requests the emulator received meanwhile].
async function withBackendLog(fn) {
  const { last } = await emu("requests?since=999999999");
  const out = await fn();
  const { requests } = await emu(`requests?since=${last}`);
  return [out, requests.filter((q) => q.target === "s3")];
}
const headerOf = (req, name) => req.headers.find(([n]) => n.toLowerCase() === name)?.[1];

// A SigV4 presigned URL (SignedHeaders=host) for `path` on proxy `p`.
function presigned(p, method, path, params = [], key = DEMO_USER) {
  const host = new URL(p.url).host;
  return `${p.url}${path}?${presignV4({ method, host, rawPath: path, params, id: key.id, secret: key.secret })}`;
}

// ------------------------------------------------------------------------------------------------------------ 1
describe("finding 1: a presigned URL's holder cannot add x-amz-* headers", () => {
  let p;
  const K = `uploads/${RUN}/presign`;
  before(async () => (p = await startProxy({ config: demoConfig() })));
  after(() => p?.close());

  const UNSIGNED = "There were headers present in the request which were not signed";

  // before: 200 CopyObjectResult, the private object copied into uploads/.
  it("presigned SigV4 PUT + x-amz-copy-source → 403 AccessDenied, nothing copied; the URL as signed still PUTs (200)", async () => {
    const key = `${K}/copy-target.txt`;
    const url = presigned(p, "PUT", `/demo-org/${key}`);
    try {
      const r = await refused(() => collect(fetch(url, { method: "PUT", headers: { "x-amz-copy-source": "/demo-org/secret-data/hello.txt" } })),
        403, "AccessDenied");
      assert.equal(xmlField(r.text, "Message"), UNSIGNED);
      assert.doesNotMatch(r.text, /CopyObjectResult/);
      assert.equal(await originStatus(`private-bucket/repos/${key}`), 404, "no object was made");
      assert.equal((await signed(p, "GET", `/demo-org/${key}`)).status, 404);
      // The same URL, used as it was signed, is an ordinary upload.
      const ok = await collect(fetch(url, { method: "PUT", body: Buffer.from("as signed\n") }));
      assert.equal(ok.status, 200, ok.text);
      assert.equal(await (await atOrigin(`private-bucket/repos/${key}`)).text(), "as signed\n");
    } finally {
      await signed(p, "DELETE", `/demo-org/${key}`);
    }
  });

  it("presigned SigV4 PUT with an unsigned x-amz-content-sha256: UNSIGNED-PAYLOAD still works (200)", async () => {
    const key = `${K}/unsigned-payload.txt`;
    try {
      const r = await collect(fetch(presigned(p, "PUT", `/demo-org/${key}`), { method: "PUT", headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
        body: Buffer.from("unsigned payload\n") }));
      assert.equal(r.status, 200, r.text);
      assert.equal(await (await atOrigin(`private-bucket/repos/${key}`)).text(), "unsigned payload\n");
    } finally {
      await signed(p, "DELETE", `/demo-org/${key}`);
    }
  });

  // before: 200 CopyPartResult, the private object became a part of the caller's upload.
  it("presigned UploadPart + x-amz-copy-source → 403 AccessDenied, no part; the URL as signed uploads the part", async () => {
    const key = `${K}/mpu.bin`;
    const created = await signed(p, "POST", `/demo-org/${key}?uploads`);
    assert.equal(created.status, 200, created.text);
    const uploadId = xmlField(created.text, "UploadId");
    const q = `?uploadId=${encodeURIComponent(uploadId)}`;
    try {
      const url = presigned(p, "PUT", `/demo-org/${key}`, [["partNumber", "1"], ["uploadId", uploadId]]);
      const r = await refused(() => collect(fetch(url, { method: "PUT", headers: { "x-amz-copy-source": "/demo-org/secret-data/hello.txt" } })),
        403, "AccessDenied");
      assert.equal(xmlField(r.text, "Message"), UNSIGNED);
      assert.doesNotMatch(r.text, /CopyPartResult/);
      const parts = await signed(p, "GET", `/demo-org/${key}${q}`);
      assert.equal(parts.status, 200, parts.text);
      assert.doesNotMatch(parts.text, /<Part>/, "no part was made");
      const ok = await collect(fetch(url, { method: "PUT", body: Buffer.from("part one") }));
      assert.equal(ok.status, 200, ok.text);
      assert.ok(ok.headers.get("etag"));
    } finally {
      const abort = await signed(p, "DELETE", `/demo-org/${key}${q}`);
      assert.equal(abort.status, 204, abort.text);
    }
  });

  // before: 200, the object stored with the added metadata / tags.
  for (const [name, value] of [["x-amz-meta-x", "added"], ["x-amz-tagging", "owner=mallory"]]) {
    it(`presigned SigV4 PUT + ${name} → 403 AccessDenied, no object`, async () => {
      const key = `${K}/with-${name}.txt`;
      const url = presigned(p, "PUT", `/demo-org/${key}`);
      try {
        const r = await refused(() => collect(fetch(url, { method: "PUT", headers: { [name]: value }, body: Buffer.from("body\n") })), 403, "AccessDenied");
        assert.equal(xmlField(r.text, "Message"), UNSIGNED);
        assert.equal(await originStatus(`private-bucket/repos/${key}`), 404);
      } finally {
        await signed(p, "DELETE", `/demo-org/${key}`); // only if it got through
      }
    });
  }

  // SigV2 signs every x-amz-* header by construction (CanonicalizedAmzHeaders): an added one breaks the signature.
  it("boto3's default presigner (SigV2 here): PUT + x-amz-copy-source → 403 SignatureDoesNotMatch, nothing copied; as signed → 200", async () => {
    const key = `${K}/v2-target.txt`;
    const py = `
import boto3, botocore.config, sys
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", config=botocore.config.Config(s3={"addressing_style": "path"}))
print(s3.generate_presigned_url("put_object", Params={"Bucket": "demo-org", "Key": sys.argv[2]}, ExpiresIn=300))`;
    const url = String((await client("python3", ["-c", py, p.url, key])).stdout).trim();
    assert.match(url, /[?&]Signature=/, "a SigV2 presigned URL");
    try {
      await refused(() => collect(fetch(url, { method: "PUT", headers: { "x-amz-copy-source": "/demo-org/secret-data/hello.txt" } })),
        403, "SignatureDoesNotMatch");
      assert.equal(await originStatus(`private-bucket/repos/${key}`), 404, "no object was made");
      const ok = await collect(fetch(url, { method: "PUT", body: Buffer.from("v2 as signed\n") }));
      assert.equal(ok.status, 200, ok.text);
      assert.equal(await (await atOrigin(`private-bucket/repos/${key}`)).text(), "v2 as signed\n");
    } finally {
      await signed(p, "DELETE", `/demo-org/${key}`);
    }
  });
});

// ------------------------------------------------------------------------------------------------------------ 2
describe("finding 2: DeleteObjects reads no body for a caller who may delete nothing, and at most 2 MiB", () => {
  const READER = { id: "AKIDRFREADONLY01", secret: "rf/read-only/secret/0001" };
  let p;
  const K = `uploads/${RUN}/delete`;
  const deleteDoc = (keys, pad = "") => `<Delete>${keys.map((k) => `<Object><Key>${k}</Key></Object>`).join("")}${pad}</Delete>`;
  const md5 = (b) => crypto.createHash("md5").update(b).digest("base64");
  before(async () => {
    p = await startProxy({
      config: demoConfig((c) => {
        // A key that may read and list uploads and secret-data, and delete nothing in the account.
        c.access_keys[READER.id] = { secret_access_key_secret: "RF_READER_SECRET", scopes: [
          { account: "demo-org", repository: "uploads", actions: ["read", "list"] },
          { account: "demo-org", repository: "secret-data", actions: ["read", "list"] }] };
      }),
      bindings: { ...DEMO_SECRETS, RF_READER_SECRET: READER.secret },
    });
  });
  after(() => p?.close());

  // before: the core read (up to 4 MiB) and parsed the anonymous body: 400 MalformedXML.
  it("anonymous POST ?delete with ~1 MB of <a/> → 403 AccessDenied, no backend request", async () => {
    const flood = "<a/>".repeat(256 * 1024);
    const r = await refused(() => anon(p, "POST", "/demo-org?delete", { body: flood }), 403, "AccessDenied");
    assert.equal(xmlField(r.text, "RequestId"), r.headers.get("x-amz-request-id"));
  });

  // before: 200, every key an <Error> AccessDenied (the body read and parsed for a caller who may delete nothing).
  it("a key that may delete nothing in the account → 403 AccessDenied, no backend request, the object stays", async () => {
    const key = `${K}/kept.txt`;
    assert.equal((await signed(p, "PUT", `/demo-org/${key}`, { body: "kept\n" })).status, 200);
    try {
      const doc = deleteDoc([key]);
      await refused(() => signed(p, "POST", "/demo-org?delete", { body: doc, headers: { "content-md5": md5(doc) }, key: READER }), 403, "AccessDenied");
      assert.equal(await originStatus(`private-bucket/repos/${key}`), 200);
    } finally {
      await signed(p, "DELETE", `/demo-org/${key}`);
    }
  });

  // before: bodies up to 4 MiB were read and this (valid) document ran: 200 and a backend DeleteObjects.
  it("the demo user with a 2.1 MB document (two keys, padded) → 400 MalformedXML, no backend request, both objects stay", async () => {
    const keys = [`${K}/big-a.txt`, `${K}/big-b.txt`];
    for (const k of keys) assert.equal((await signed(p, "PUT", `/demo-org/${k}`, { body: "stays\n" })).status, 200);
    try {
      const bare = deleteDoc(keys);
      const doc = deleteDoc(keys, " ".repeat(2_100_000 - bare.length));
      assert.equal(doc.length, 2_100_000);
      assert.ok(doc.length > 2 * 1024 * 1024);
      await refused(() => signed(p, "POST", "/demo-org?delete", { body: doc, headers: { "content-md5": md5(doc) } }), 400, "MalformedXML");
      for (const k of keys) assert.equal(await originStatus(`private-bucket/repos/${k}`), 200, `${k} still there`);
    } finally {
      for (const k of keys) await signed(p, "DELETE", `/demo-org/${k}`);
    }
  });

  it("a normal DeleteObjects of two keys still works (one backend request; both gone)", async () => {
    const keys = [`${K}/one.txt`, `${K}/two.txt`];
    for (const k of keys) assert.equal((await signed(p, "PUT", `/demo-org/${k}`, { body: k })).status, 200);
    const doc = deleteDoc(keys);
    const before = await backendCalls();
    const r = await signed(p, "POST", "/demo-org?delete", { body: doc, headers: { "content-md5": md5(doc) } });
    assert.equal(r.status, 200, r.text);
    assert.equal(await backendCalls() - before, 1, "one backend DeleteObjects");
    assert.deepEqual([...r.text.matchAll(/<Deleted><Key>(.*?)<\/Key>/g)].map((m) => m[1]).sort(), keys);
    assert.doesNotMatch(r.text, /<Error>/);
    for (const k of keys) assert.equal(await originStatus(`private-bucket/repos/${k}`), 404);
  });
});

// ------------------------------------------------------------------------------------------------------------ 3
describe("finding 3: the edge cache's identity includes the backend's credentials", () => {
  let p;
  before(async () => {
    p = await startProxy({
      config: demoConfig((c) => {
        // An anonymous backend over the private bucket (the emulator refuses anonymous reads of it), and a public
        // repository on it over secret-data's keys; secret-data itself cached (private: only when configured).
        c.backends["anon-private"] = { endpoint: c.backends["local-signed"].endpoint, bucket: "private-bucket", region: REGION, timeout_ms: 10000 };
        const repos = c.accounts["demo-org"].repositories;
        repos["open-view"] = { backend: "anon-private", prefix: "repos/secret-data/", public: true };
        repos["secret-data"].cache = { enabled: true };
      }),
    });
  });
  after(() => p?.close());

  // before: the anonymous GET and HEAD were 200 x-edge-cache: hit, with the private bytes and ETag.
  it("after the demo user's cached reads, an anonymous GET and HEAD of the same object via open-view are the backend's 403", async () => {
    const first = await signed(p, "GET", "/demo-org/secret-data/hello.txt");
    assert.equal(first.status, 200, first.text);
    assert.equal(first.text, HELLO);
    assert.ok(first.headers.get("x-edge-cache"), "secret-data is served through the cache");
    // The chunk is stored in the background: read again until the answer comes from the cache.
    const hit = await eventually(async () => {
      const r = await signed(p, "GET", "/demo-org/secret-data/hello.txt");
      assert.equal(r.text, HELLO);
      return r.headers.get("x-edge-cache") === "hit" ? r : null;
    }, { what: "a cache hit for the demo user's GET" });
    const etag = hit.headers.get("etag");
    assert.ok(etag);

    const [get, getAtBackend] = await withBackendLog(() => anon(p, "GET", "/demo-org/open-view/hello.txt"));
    assert.equal(get.status, 403, get.text);
    assert.equal(xmlField(get.text, "Code"), "AccessDenied");
    assert.notEqual(get.headers.get("x-edge-cache"), "hit");
    assert.ok(!get.text.includes(HELLO.trim()), "no private bytes");
    assert.equal(get.headers.get("etag"), null);
    // The backend was asked, anonymously, and refused.
    const asked = getAtBackend.filter((q) => q.path.startsWith("/private-bucket/repos/secret-data/hello.txt"));
    assert.ok(asked.length >= 1, `the backend was asked: ${JSON.stringify(getAtBackend.map((q) => q.path))}`);
    for (const q of asked) assert.equal(headerOf(q, "authorization"), undefined, "an anonymous backend request");

    const [head, headAtBackend] = await withBackendLog(() => anon(p, "HEAD", "/demo-org/open-view/hello.txt"));
    assert.equal(head.status, 403);
    assert.notEqual(head.headers.get("x-edge-cache"), "hit");
    assert.equal(head.headers.get("etag"), null, "no ETag leaks");
    assert.equal(head.headers.get("last-modified"), null);
    assert.ok(headAtBackend.some((q) => q.path.startsWith("/private-bucket/repos/secret-data/hello.txt")), "the HEAD asked the backend");

    // The anonymous refusals did not spoil the demo user's entry.
    const again = await signed(p, "GET", "/demo-org/secret-data/hello.txt");
    assert.equal(again.text, HELLO);
    assert.equal(again.headers.get("etag"), etag);
  });
});

// ------------------------------------------------------------------------------------------------------------ 4
describe("finding 4: a private repository's name cannot be told from a name that does not exist", () => {
  let p;
  before(async () => (p = await startProxy({ config: demoConfig() })));
  after(() => p?.close());

  // before: the unknown repository answered 404 NoSuchKey, the private one 403 AccessDenied.
  for (const method of ["GET", "HEAD"]) {
    it(`anonymous ${method} of secret-data/hello.txt and of no-such-repo/hello.txt: the same 403, no backend request`, async () => {
      const code = method === "HEAD" ? undefined : "AccessDenied"; // a HEAD answer has no body to carry a code
      const hidden = await refused(() => anon(p, method, "/demo-org/secret-data/hello.txt"), 403, code);
      const unknown = await refused(() => anon(p, method, "/demo-org/no-such-repo/hello.txt"), 403, code);
      assert.equal(unknown.status, hidden.status);
      assert.equal(xmlField(unknown.text, "Code"), xmlField(hidden.text, "Code"));
      assert.equal(xmlField(unknown.text, "Message"), xmlField(hidden.text, "Message"));
      for (const h of ["content-type", "content-length", "x-amz-error-code"]) assert.equal(unknown.headers.get(h), hidden.headers.get(h), h);
    });
  }

  for (const delimiter of ["", "&delimiter=%2F"]) {
    it(`anonymous ListObjectsV2 with prefix=secret-data/ and prefix=no-such-repo/${delimiter ? " (delimiter /)" : ""}: the same empty 200`, async () => {
      const before = await backendCalls();
      const hidden = await anon(p, "GET", `/demo-org?list-type=2&prefix=secret-data%2F${delimiter}`);
      const unknown = await anon(p, "GET", `/demo-org?list-type=2&prefix=no-such-repo%2F${delimiter}`);
      assert.equal(await backendCalls(), before, "no backend request");
      for (const r of [hidden, unknown]) {
        assert.equal(r.status, 200, r.text);
        assert.equal(xmlField(r.text, "KeyCount"), "0");
        assert.doesNotMatch(r.text, /<Contents>|<CommonPrefixes>/);
      }
      assert.equal(unknown.text.replace("no-such-repo/", "PREFIX"), hidden.text.replace("secret-data/", "PREFIX"));
    });
  }
});

// ------------------------------------------------------------------------------------------------------------ 5
describe("finding 5: checksums come back on reads", () => {
  let p, s3;
  const key = `uploads/${RUN}/checksum/object.bin`;
  before(async () => {
    p = await startProxy({ config: demoConfig() });
    s3 = new S3Client({ endpoint: p.url, region: REGION, forcePathStyle: true, maxAttempts: 1,
      credentials: { accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret } });
  });
  after(async () => {
    await s3?.send(new DeleteObjectCommand({ Bucket: "demo-org", Key: key })).catch(() => {});
    s3?.destroy();
    await p?.close();
  });

  // before: GetObject/HeadObject did not forward x-amz-checksum-mode nor pass x-amz-checksum-* back: absent.
  it("@aws-sdk/client-s3: PutObject with SHA256, then GetObject and HeadObject with ChecksumMode ENABLED return the backend's ChecksumSHA256", async () => {
    const body = crypto.randomBytes(50_000);
    const expected = crypto.createHash("sha256").update(body).digest("base64");
    const put = await s3.send(new PutObjectCommand({ Bucket: "demo-org", Key: key, Body: body, ChecksumAlgorithm: "SHA256" }));
    assert.equal(put.ChecksumSHA256, expected);
    // Straight from the backend: what the proxy should pass on.
    const direct = await atOrigin(`private-bucket/repos/${key}`, { method: "HEAD", headers: { "x-amz-checksum-mode": "ENABLED" } });
    assert.equal(direct.status, 200);
    assert.equal(direct.headers.get("x-amz-checksum-sha256"), expected, "the emulator (moto) stores and returns the checksum");

    const [got, getAtBackend] = await withBackendLog(async () => {
      const r = await s3.send(new GetObjectCommand({ Bucket: "demo-org", Key: key, ChecksumMode: "ENABLED" }));
      return { ...r, bytes: Buffer.from(await r.Body.transformToByteArray()) };
    });
    assert.ok(got.bytes.equals(body));
    assert.equal(got.ChecksumSHA256, expected);
    assert.ok(getAtBackend.length >= 1);
    for (const q of getAtBackend) assert.equal(headerOf(q, "x-amz-checksum-mode"), "ENABLED", `forwarded on ${q.method} ${q.path}`);

    const head = await s3.send(new HeadObjectCommand({ Bucket: "demo-org", Key: key, ChecksumMode: "ENABLED" }));
    assert.equal(head.ChecksumSHA256, expected);
    assert.equal(head.ContentLength, body.length);
  });
});

// ------------------------------------------------------------------------------------------------------------ 6
describe("finding 6: a preflight without Origin is 400 BadRequest", () => {
  let p;
  before(async () => (p = await startProxy({ config: demoConfig((c) => (c.cors_origins = ["https://app.example"])) })));
  after(() => p?.close());

  // before: 403 AccessForbidden.
  for (const path of ["/demo-org/public-data/README.txt", "/demo-org/uploads/x"]) {
    it(`OPTIONS ${path} without Origin → 400 BadRequest, no backend request`, async () => {
      await refused(() => anon(p, "OPTIONS", path, { headers: { "access-control-request-method": "GET" } }), 400, "BadRequest");
    });
  }

  it("with an allowed origin the preflight is still 204", async () => {
    const pub = await anon(p, "OPTIONS", "/demo-org/public-data/README.txt", { headers: { origin: "https://any.example", "access-control-request-method": "GET" } });
    assert.equal(pub.status, 204, pub.text);
    assert.equal(pub.headers.get("access-control-allow-origin"), "*");
    const priv = await anon(p, "OPTIONS", "/demo-org/uploads/x", { headers: { origin: "https://app.example", "access-control-request-method": "PUT" } });
    assert.equal(priv.status, 204, priv.text);
    assert.equal(priv.headers.get("access-control-allow-origin"), "https://app.example");
  });
});

// ------------------------------------------------------------------------------------------------------------ 7
describe("finding 7: an empty continuation-token lists from the start", () => {
  let p;
  before(async () => (p = await startProxy({ config: demoConfig() })));
  after(() => p?.close());
  const keysOf = (xml) => [...xml.matchAll(/<Key>(.*?)<\/Key>/g)].map((m) => m[1]);

  // before: 400 InvalidArgument (an empty token did not open).
  it("anonymous ListObjectsV2 of public-data/ with continuation-token= → 200, the first page, the empty token echoed", async () => {
    const plain = await anon(p, "GET", "/demo-org?list-type=2&prefix=public-data%2F");
    assert.equal(plain.status, 200, plain.text);
    const [r, atBackend] = await withBackendLog(() => anon(p, "GET", "/demo-org?list-type=2&prefix=public-data%2F&continuation-token="));
    assert.equal(r.status, 200, r.text);
    assert.ok(keysOf(r.text).length > 0);
    assert.deepEqual(keysOf(r.text), keysOf(plain.text));
    assert.match(r.text, /<ContinuationToken><\/ContinuationToken>/);
    assert.equal(atBackend.length, 1);
    assert.doesNotMatch(atBackend[0].path, /continuation-token/, "no token sent to the backend");
  });

  it("signed ListObjectsV2 of secret-data/ with continuation-token= and max-keys=1 → 200, the first key", async () => {
    const all = await signed(p, "GET", "/demo-org?list-type=2&prefix=secret-data%2F");
    assert.equal(all.status, 200, all.text);
    const r = await signed(p, "GET", "/demo-org?list-type=2&prefix=secret-data%2F&max-keys=1&continuation-token=");
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(keysOf(r.text), keysOf(all.text).slice(0, 1));
    assert.match(r.text, /<ContinuationToken><\/ContinuationToken>/);
    assert.ok(xmlField(r.text, "NextContinuationToken"), "and the listing pages on from there");
  });
});

// ------------------------------------------------------------------------------------------------------------ 8
describe("finding 8: copies run in the backend when both sides share endpoint and credentials", () => {
  let p;
  const K = `${RUN}/copies`;
  before(async () => {
    p = await startProxy({
      config: demoConfig((c) => {
        // The backend key of local-signed, over the other bucket; a repository on it the demo user may write.
        c.backends["signed-public"] = { ...c.backends["local-signed"], bucket: "public-bucket" };
        c.accounts["demo-org"].repositories["pub-writable"] = { backend: "signed-public", prefix: "review-findings/" };
        c.access_keys[DEMO_USER.id].scopes.push({ account: "demo-org", repository: "pub-writable", actions: ["read", "list", "write", "delete"] });
      }),
    });
  });
  after(() => p?.close());

  // before: 501 NotImplemented (another bucket counted as another backend).
  it("CopyObject secret-data/hello.txt (private-bucket) → pub-writable (public-bucket): 200, the copy reads back byte-exact", async () => {
    const key = `${K}/copy.txt`;
    try {
      const [r, atBackend] = await withBackendLog(() => signed(p, "PUT", `/demo-org/pub-writable/${key}`, { headers: { "x-amz-copy-source": "/demo-org/secret-data/hello.txt" } }));
      assert.equal(r.status, 200, r.text);
      assert.ok(xmlField(r.text, "ETag"), r.text);
      assert.equal(atBackend.length, 1, "one backend request: the copy itself");
      assert.equal(headerOf(atBackend[0], "x-amz-copy-source"), "/private-bucket/repos/secret-data/hello.txt");
      assert.ok(atBackend[0].path.startsWith(`/public-bucket/review-findings/${key}`), atBackend[0].path);
      const back = await signed(p, "GET", `/demo-org/pub-writable/${key}`);
      assert.equal(back.status, 200);
      assert.equal(back.text, HELLO);
      assert.equal(await (await atOrigin(`public-bucket/review-findings/${key}`)).text(), HELLO);
    } finally {
      await signed(p, "DELETE", `/demo-org/pub-writable/${key}`);
      assert.equal(await originStatus(`public-bucket/review-findings/${key}`), 404);
    }
  });

  it("UploadPartCopy across the two buckets: 200, and the completed object reads back byte-exact", async () => {
    const key = `${K}/part-copy.bin`;
    const created = await signed(p, "POST", `/demo-org/pub-writable/${key}?uploads`);
    assert.equal(created.status, 200, created.text);
    const q = `?uploadId=${encodeURIComponent(xmlField(created.text, "UploadId"))}`;
    let completed = false;
    try {
      const part = await signed(p, "PUT", `/demo-org/pub-writable/${key}${q}&partNumber=1`, { headers: { "x-amz-copy-source": "/demo-org/secret-data/hello.txt" } });
      assert.equal(part.status, 200, part.text);
      const etag = xmlField(part.text, "ETag");
      assert.ok(etag, part.text);
      const doc = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`;
      const done = await signed(p, "POST", `/demo-org/pub-writable/${key}${q}`, { body: doc });
      assert.equal(done.status, 200, done.text);
      completed = true;
      assert.equal((await signed(p, "GET", `/demo-org/pub-writable/${key}`)).text, HELLO);
    } finally {
      if (!completed) await signed(p, "DELETE", `/demo-org/pub-writable/${key}${q}`);
      await signed(p, "DELETE", `/demo-org/pub-writable/${key}`);
    }
  });

  // local-federated reaches private-bucket as another principal (an STS role): its objects are not the backend
  // key's to copy, on the same bucket (uploads) or another (pub-writable).
  for (const target of ["pub-writable", "uploads"]) {
    it(`CopyObject from federated-data (another principal) into ${target} → 501 NotImplemented, no backend or STS request`, async () => {
      const key = `${K}/from-federated.txt`;
      await refused(() => signed(p, "PUT", `/demo-org/${target}/${key}`, { headers: { "x-amz-copy-source": "/demo-org/federated-data/hello.txt" } }),
        501, "NotImplemented");
    });
  }
});

// ------------------------------------------------------------------------------------------------------------ 9
describe("finding 9: CompleteMultipartUpload of an upload that does not exist", () => {
  let p;
  const key = `uploads/${RUN}/no-such-upload.bin`;
  const q = "?uploadId=rf-no-such-upload-id";
  before(async () => (p = await startProxy({ config: demoConfig() })));
  after(() => p?.close());

  it("ListParts and AbortMultipartUpload of an unknown uploadId → 404 NoSuchUpload (the backend's answer, passed on)", async () => {
    for (const method of ["GET", "DELETE"]) {
      const r = await signed(p, method, `/demo-org/${key}${q}`);
      assert.equal(r.status, 404, `${method}: ${r.text}`);
      assert.equal(xmlField(r.text, "Code"), "NoSuchUpload");
    }
  });

  // S3 answers 404 NoSuchUpload. (The review saw a backend 500 become 503.)
  it("CompleteMultipartUpload of an unknown uploadId → 404 NoSuchUpload", async () => {
    const doc = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"0123456789abcdef0123456789abcdef"</ETag></Part></CompleteMultipartUpload>`;
    const r = await signed(p, "POST", `/demo-org/${key}${q}`, { body: doc });
    const [line] = await requestLogs(p, [r]);
    assert.equal(r.status, 404, `${r.status} ${xmlField(r.text, "Code")}; log: ${JSON.stringify(line)}`);
    assert.equal(xmlField(r.text, "Code"), "NoSuchUpload");
  });
});

// ----------------------------------------------------------------------------------------------------------- 10
describe("finding 10: observability of refused signatures and of the cache's first HEAD", () => {
  let p;
  const WRONG = { id: DEMO_USER.id, secret: "not-the-demo-user-secret-0001" };
  before(async () => (p = await startProxy({ config: demoConfig((c) => (c.accounts["demo-org"].repositories.uploads.cache = { enabled: true })) })));
  after(() => p?.close());

  // before: "op":"Unknown","auth":"anonymous", and no key id.
  const cases = [
    ["a SigV4 header GetObject", "GetObject", "sigv4", () => signed(p, "GET", "/demo-org/secret-data/hello.txt", { key: WRONG })],
    ["a SigV4 header PutObject", "PutObject", "sigv4", () => signed(p, "PUT", `/demo-org/uploads/${RUN}/obs/never.txt`, { body: "x", key: WRONG })],
    ["a SigV4 presigned GetObject", "GetObject", "sigv4-query", () => collect(fetch(presigned(p, "GET", "/demo-org/secret-data/hello.txt", [], WRONG)))],
  ];
  for (const [name, op, auth, send] of cases) {
    it(`${name} signed with a wrong secret: 403 SignatureDoesNotMatch, its log line names ${op}, ${auth} and the claimed key`, async () => {
      const r = await refused(send, 403, "SignatureDoesNotMatch");
      const [line] = await requestLogs(p, [r]);
      assert.equal(line.op, op, JSON.stringify(line));
      assert.equal(line.auth, auth, JSON.stringify(line));
      assert.equal(line.claimed_key, DEMO_USER.id, JSON.stringify(line));
      assert.equal(line.key, undefined, "not logged as an authenticated key");
      assert.equal(line.status, 403);
      assert.equal(line.code, "SignatureDoesNotMatch");
    });
  }

  // before: the first HEAD answered x-edge-cache: hit (the metadata it had just learnt from the origin).
  it("the first HEAD of an uncached object in a cached repository: x-edge-cache miss, logged cache miss / cache_meta origin", async () => {
    const key = `uploads/${RUN}/obs/fresh.txt`;
    await originPut(`private-bucket/repos/${key}`, "written at the origin\n");
    try {
      const first = await signed(p, "HEAD", `/demo-org/${key}`);
      assert.equal(first.status, 200);
      assert.equal(first.headers.get("x-edge-cache"), "miss");
      const second = await signed(p, "HEAD", `/demo-org/${key}`);
      assert.equal(second.status, 200);
      assert.equal(second.headers.get("x-edge-cache"), "hit");
      assert.equal(second.headers.get("etag"), first.headers.get("etag"));
      const [l1, l2] = await requestLogs(p, [first, second]);
      assert.equal(l1.op, "HeadObject");
      assert.equal(l1.cache, "miss", JSON.stringify(l1));
      assert.equal(l1.cache_meta, "origin", JSON.stringify(l1));
      assert.equal(l2.cache, "hit", JSON.stringify(l2));
      assert.equal(l2.cache_meta, "l1", JSON.stringify(l2));
    } finally {
      await originDelete(`private-bucket/repos/${key}`);
    }
  });
});

// ----------------------------------------------------------------------------------------------------------- 11
describe("finding 11: a read_only repository refuses writes whatever a key's scope says", () => {
  const WRITER = { id: "AKIDRFROWRITER01", secret: "rf/read-only-writer/secret/0001" };
  let p;
  const seed = `review-findings/ro/${RUN}/seed.txt`; // in private-bucket
  before(async () => {
    p = await startProxy({
      config: demoConfig((c) => {
        // A read-only repository on the signed backend (so a write that got through would land), and a key whose
        // scope grants every action on it.
        c.accounts["demo-org"].repositories["ro-signed"] = { backend: "local-signed", prefix: "review-findings/ro/", read_only: true };
        c.access_keys[WRITER.id] = { secret_access_key_secret: "RF_RO_WRITER_SECRET", scopes: [
          { account: "demo-org", repository: "ro-signed", actions: ["read", "list", "write", "delete"] },
          { account: "demo-org", repository: "secret-data", actions: ["read"] }] };
      }),
      bindings: { ...DEMO_SECRETS, RF_RO_WRITER_SECRET: WRITER.secret },
    });
    await originPut(`private-bucket/${seed}`, "seed\n");
  });
  after(async () => {
    // The seed, and whatever a write that got through would have made.
    for (const k of [seed, ...["new.txt", "copy.txt", "mpu.bin"].map((n) => `review-findings/ro/${RUN}/${n}`)])
      await originDelete(`private-bucket/${k}`).catch(() => {});
    await p?.close();
  });

  it("the key reads the repository (its scope is live)", async () => {
    const r = await signed(p, "GET", `/demo-org/ro-signed/${RUN}/seed.txt`, { key: WRITER });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, "seed\n");
  });

  // These were refused before the fix as well (authorize() has always put read_only above a scope): a guard.
  const complete = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`;
  const attempts = [
    ["PutObject over an existing object", () => signed(p, "PUT", `/demo-org/ro-signed/${RUN}/seed.txt`, { body: "overwritten\n", key: WRITER })],
    ["PutObject of a new key", () => signed(p, "PUT", `/demo-org/ro-signed/${RUN}/new.txt`, { body: "new\n", key: WRITER })],
    ["DeleteObject", () => signed(p, "DELETE", `/demo-org/ro-signed/${RUN}/seed.txt`, { key: WRITER })],
    ["CreateMultipartUpload", () => signed(p, "POST", `/demo-org/ro-signed/${RUN}/mpu.bin?uploads`, { key: WRITER })],
    ["UploadPart", () => signed(p, "PUT", `/demo-org/ro-signed/${RUN}/mpu.bin?partNumber=1&uploadId=u`, { body: "part", key: WRITER })],
    ["CompleteMultipartUpload", () => signed(p, "POST", `/demo-org/ro-signed/${RUN}/mpu.bin?uploadId=u`, { body: complete, key: WRITER })],
    ["AbortMultipartUpload", () => signed(p, "DELETE", `/demo-org/ro-signed/${RUN}/mpu.bin?uploadId=u`, { key: WRITER })],
    ["CopyObject into it", () => signed(p, "PUT", `/demo-org/ro-signed/${RUN}/copy.txt`, { headers: { "x-amz-copy-source": "/demo-org/secret-data/hello.txt" }, key: WRITER })],
    // New with the fix: a key whose only delete grant is on a read_only repository may delete nothing in the
    // account, so its DeleteObjects is refused whole before its body is read (before: 200, each key AccessDenied).
    ["DeleteObjects of its keys", () => signed(p, "POST", "/demo-org?delete",
      { body: `<Delete><Object><Key>ro-signed/${RUN}/seed.txt</Key></Object></Delete>`, key: WRITER })],
  ];
  for (const [name, send] of attempts) {
    it(`${name} → 403 AccessDenied, no backend request`, async () => {
      await refused(send, 403, "AccessDenied");
      assert.equal(await (await atOrigin(`private-bucket/${seed}`)).text(), "seed\n", "the object is unchanged");
      for (const k of ["new.txt", "copy.txt"]) assert.equal(await originStatus(`private-bucket/review-findings/ro/${RUN}/${k}`), 404);
    });
  }
});

// ----------------------------------------------------------------------------------------------------------- 12
describe("anonymous backends: a write's declared payload hash reaches the backend, which checks it", () => {
  // scratch-bucket is the emulator's --public-write-bucket (scripts/lib/emulator.sh): anyone may write its objects,
  // and it checks an anonymous write's x-amz-content-sha256 against the body as S3 does.
  let p;
  const K = `${RUN}/anon-write`;
  const atScratch = (key) => `scratch-bucket/review-findings/${key}`;
  before(async () => {
    p = await startProxy({
      config: demoConfig((c) => {
        // An anonymous backend over the public-write bucket, and a private repository on it the demo key may write.
        c.backends["anon-scratch"] = { endpoint: c.backends["local-signed"].endpoint, bucket: "scratch-bucket", region: REGION, timeout_ms: 10000 };
        c.accounts["demo-org"].repositories["scratch"] = { backend: "anon-scratch", prefix: "review-findings/" };
        c.access_keys[DEMO_USER.id].scopes.push({ account: "demo-org", repository: "scratch", actions: ["read", "list", "write", "delete"] });
      }),
    });
  });
  after(() => p?.close());

  // before: 200, and the body that did not match its declared hash was stored (the unsigned backend request
  // carried no x-amz-content-sha256, so nothing could check it).
  it("PutObject signed with the demo key declaring a hash the body does not have → 400 XAmzContentSHA256Mismatch, nothing stored", async () => {
    const key = `${K}/mismatch.txt`;
    const declared = "the body the client signed for\n";
    const sent = "another body, changed on the way\n";
    try {
      const [r, atBackend] = await withBackendLog(() => signed(p, "PUT", `/demo-org/scratch/${key}`,
        { body: sent, headers: { "x-amz-content-sha256": sha256(declared) } }));
      assert.equal(r.status, 400, r.text);
      assert.equal(xmlField(r.text, "Code"), "XAmzContentSHA256Mismatch");
      const puts = atBackend.filter((q) => q.method === "PUT");
      assert.equal(puts.length, 1, "one backend PutObject");
      assert.equal(headerOf(puts[0], "authorization"), undefined, "an anonymous backend request");
      assert.equal(headerOf(puts[0], "x-amz-content-sha256"), sha256(declared), "carrying the client's declared hash");
      assert.equal((await collect(fetch(`${EMU}/${atScratch(key)}`))).status, 404, "nothing was stored at the backend");
      const back = await signed(p, "GET", `/demo-org/scratch/${key}`);
      assert.equal(back.status, 404, back.text);
    } finally {
      await signed(p, "DELETE", `/demo-org/scratch/${key}`); // only if it got through
    }
  });

  it("the same PutObject with the body's own hash → 200, and the object reads back byte-exact", async () => {
    const key = `${K}/match.bin`;
    const body = crypto.randomBytes(70_000);
    try {
      const r = await signed(p, "PUT", `/demo-org/scratch/${key}`, { body });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.headers.get("etag"));
      const back = await fetch(presigned(p, "GET", `/demo-org/scratch/${key}`));
      assert.equal(back.status, 200);
      assert.ok(Buffer.from(await back.arrayBuffer()).equals(body), "read back through the proxy");
      const direct = await fetch(`${EMU}/${atScratch(key)}`);
      assert.equal(direct.status, 200);
      assert.ok(Buffer.from(await direct.arrayBuffer()).equals(body), "as stored at the backend");
    } finally {
      const d = await signed(p, "DELETE", `/demo-org/scratch/${key}`);
      assert.equal(d.status, 204, d.text);
      assert.equal((await collect(fetch(`${EMU}/${atScratch(key)}`))).status, 404);
    }
  });
});

// ----------------------------------------------------------------------------------------------------------- 13
describe("finding 3, a write's side: it forgets the object under every backend over the bucket", () => {
  // Two cached repositories over the same bucket and prefix, reached as two principals: the backend's static key
  // (local-signed) and a federated role (local-federated: STS web identity). The cache keeps their entries apart
  // (finding 3); a write through either must forget both. The emulator checks signatures, not IAM policies: the
  // role, though meant as a reader, may write, so writes go through both repositories.
  // Before finding 3's fix both principals shared one entry (a write forgot it for both, and these pass on that
  // core except for the separate-entries check); a core that keys by principal but forgets only the writer's
  // entries serves the old bytes (or a deleted object) to the other repository until metadata_ttl_s: all three fail.
  let p;
  const PREFIX = "review-findings/shared/"; // in private-bucket
  const K = `${RUN}/cache`;
  const cache = { enabled: true, metadata_ttl_s: 300 }; // long: only the write's invalidation explains a fresh read
  before(async () => {
    p = await startProxy({
      config: demoConfig((c) => {
        const repos = c.accounts["demo-org"].repositories;
        repos["shared-signed"] = { backend: "local-signed", prefix: PREFIX, cache };
        repos["shared-federated"] = { backend: "local-federated", prefix: PREFIX, cache };
        for (const repository of ["shared-signed", "shared-federated"])
          c.access_keys[DEMO_USER.id].scopes.push({ account: "demo-org", repository, actions: ["read", "list", "write", "delete"] });
      }),
    });
  });
  after(() => p?.close());

  const get = (repo, key) => signed(p, "GET", `/demo-org/${repo}/${key}`);
  // Reads until the answer is a cache hit (its chunk is stored in the background) and returns that answer.
  const cachedRead = (repo, key, text) =>
    eventually(async () => {
      const r = await get(repo, key);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.text, text, `${repo}/${key}`);
      return r.headers.get("x-edge-cache") === "hit" ? r : null;
    }, { what: `a cache hit for ${repo}/${key}` });

  // Cached through `first`, then through `second`: the second's first read is its own (not the first's entry).
  async function cachedByBoth(first, second, key, text) {
    const a = await cachedRead(first, key, text);
    const own = await get(second, key);
    assert.equal(own.text, text);
    assert.notEqual(own.headers.get("x-edge-cache"), "hit", `${second} has an entry of its own, not ${first}'s`);
    return [a, await cachedRead(second, key, text)];
  }

  for (const [writer, reader] of [["shared-signed", "shared-federated"], ["shared-federated", "shared-signed"]]) {
    // A core forgetting only the writer's entries: the reader's next GET was a cache hit with the old bytes.
    it(`both cached; a PutObject through ${writer} → the next GET through ${reader} returns the new bytes at once`, async () => {
      const key = `${K}/written-through-${writer}.txt`;
      const old = `the old bytes (${writer})\n`;
      const fresh = `the new bytes, written through ${writer}\n`;
      await originPut(`private-bucket/${PREFIX}${key}`, old);
      try {
        // Two principals: the same object, two entries (and the write below must reach both).
        const [, seen] = await cachedByBoth(writer, reader, key, old);
        const w = await signed(p, "PUT", `/demo-org/${writer}/${key}`, { body: fresh });
        assert.equal(w.status, 200, w.text);
        assert.notEqual(w.headers.get("etag"), seen.headers.get("etag"));

        const r = await get(reader, key);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.text, fresh, `${reader} after the write through ${writer}`);
        assert.notEqual(r.headers.get("x-edge-cache"), "hit", "the old entry was forgotten, not served");
        assert.equal(r.headers.get("etag"), w.headers.get("etag"));
        const head = await signed(p, "HEAD", `/demo-org/${reader}/${key}`);
        assert.equal(head.headers.get("etag"), w.headers.get("etag"));
        assert.equal(head.headers.get("content-length"), String(Buffer.byteLength(fresh)));
        // And the writer's own view.
        const own = await get(writer, key);
        assert.equal(own.text, fresh);
        // The new bytes are cached in turn.
        await cachedRead(reader, key, fresh);
      } finally {
        await originDelete(`private-bucket/${PREFIX}${key}`);
      }
    });
  }

  // A delete is a write too: the object is gone for both.
  it("both cached; a DeleteObject through shared-signed → the next GET through shared-federated is 404", async () => {
    const key = `${K}/deleted.txt`;
    const old = "deleted soon\n";
    await originPut(`private-bucket/${PREFIX}${key}`, old);
    try {
      await cachedByBoth("shared-signed", "shared-federated", key, old);
      const d = await signed(p, "DELETE", `/demo-org/shared-signed/${key}`);
      assert.equal(d.status, 204, d.text);
      const r = await get("shared-federated", key);
      assert.equal(r.status, 404, `after the delete: ${r.status} ${r.headers.get("x-edge-cache")} ${r.text}`);
      assert.equal(xmlField(r.text, "Code"), "NoSuchKey");
      const head = await signed(p, "HEAD", `/demo-org/shared-federated/${key}`);
      assert.equal(head.status, 404);
    } finally {
      await originDelete(`private-bucket/${PREFIX}${key}`);
    }
  });
});
