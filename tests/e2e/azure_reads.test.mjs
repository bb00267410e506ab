// Reads through the proxy behave alike whatever the backend's dialect (issue 17): ONE table of cases — whole and
// ranged gets (every Range form, unsatisfiable included), conditionals (304 / 412), HEAD with metadata, missing
// keys, listings (V2 and V1, delimiter, prefix, pagination across pages, url encoding) over awkward keys — run
// against repositories on the verifying S3 emulator and on Azurite (Shared Key verified: no --loose), cached and
// uncached, keyed and anonymous. The same objects are seeded into both; what differs by backend (ETags, dates) is
// read off the object first and expected back.
//
// Starts its own Azurite (scripts/lib/azurite.sh) unless AZURITE_URL names one.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { after, before, describe, it } from "node:test";
import { DeleteObjectsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { azureFetch, DEV_ACCOUNT, DEV_KEY } from "../azurite/shared_key.mjs";
import { client, DEMO_SECRETS, DEMO_USER, EMU, eventually, openDemoConfig, startProxy, startAzurite } from "./harness.mjs";


// The objects of every repository under test (repository-relative keys), in S3 key order.
const OBJECTS = {
  "a&b<c>.txt": "markup\n",
  "deep/a/b/leaf.bin": "deep leaf\n",
  "deep/other.txt": "other\n",
  "hello.txt": "hello, parity\n",
  "percent%41.txt": "percent\n",
  "plus+sign.txt": "plus\n",
  "with space.txt": "a space\n",
  "ünïcödé/日本語.txt": "unicode\n",
};
const KEYS = Object.keys(OBJECTS);
const HELLO = OBJECTS["hello.txt"];

// Repositories of demo-org: name → what it is. Each is public (openDemoConfig).
const REPOS = {
  "p-s3": "S3 emulator, static keys, edge cache",
  "p-s3-nc": "S3 emulator, static keys, no cache",
  "p-az": "Azurite, Shared Key, edge cache",
  "p-az-nc": "Azurite, Shared Key, no cache",
  "p-az-anon": "Azurite public container, anonymous, no cache",
};

let azurite;
let azuriteServer;
let proxy;

const blobPath = (container, name) => `/${DEV_ACCOUNT}/${container}/` + name.split("/").map(encodeURIComponent).join("/");

async function azure(req, ok) {
  const r = await azureFetch(azurite, req);
  if (!ok.includes(r.status)) throw new Error(`azurite ${req.method} ${req.path}: ${r.status} ${await r.text()}`);
}

async function seedAzure() {
  for (const [container, access] of [["parity", null], ["parity-open", "container"]]) {
    const headers = access ? [["x-ms-blob-public-access", access]] : [];
    await azure({ method: "PUT", path: `/${DEV_ACCOUNT}/${container}`, query: [["restype", "container"]], headers }, [201, 409]);
    for (const [k, body] of Object.entries(OBJECTS)) {
      const headers = [["x-ms-blob-type", "BlockBlob"], ["content-type", "text/plain"]];
      if (k === "hello.txt") headers.push(["x-ms-meta-color", "blue"]);
      await azure({ method: "PUT", path: blobPath(container, `t/${k}`), body, headers }, [201]);
    }
  }
}

async function seedS3() {
  const s3 = new S3Client({
    endpoint: EMU, region: "us-east-1", forcePathStyle: true,
    credentials: { accessKeyId: DEMO_SECRETS.DEMO_BACKEND_ACCESS_KEY_ID, secretAccessKey: DEMO_SECRETS.DEMO_BACKEND_SECRET_ACCESS_KEY },
  });
  for (const [k, body] of Object.entries(OBJECTS))
    await s3.send(new PutObjectCommand({ Bucket: "private-bucket", Key: `parity/${k}`, Body: body, ContentType: "text/plain",
      Metadata: k === "hello.txt" ? { color: "blue" } : undefined }));
  s3.destroy();
}

function config() {
  return openDemoConfig((c) => {
    const az = (container, auth) => ({ dialect: "azure", endpoint: `${azurite}/${DEV_ACCOUNT}`, account: DEV_ACCOUNT, container,
      timeout_ms: 10000, ...(auth ? { auth } : {}) });
    c.backends["az-keyed"] = az("parity", { type: "shared_key", account_key_secret: "AZURE_PARITY_KEY" });
    c.backends["az-open"] = az("parity-open");
    c.backends["az-wrong-key"] = az("parity", { type: "shared_key", account_key_secret: "AZURE_WRONG_KEY" });
    c.backends["az-no-container"] = az("no-such-container", { type: "shared_key", account_key_secret: "AZURE_PARITY_KEY" });
    const repos = c.accounts["demo-org"].repositories;
    const off = { enabled: false };
    repos["p-s3"] = { backend: "local-signed", prefix: "parity/" };
    repos["p-s3-nc"] = { backend: "local-signed", prefix: "parity/", cache: off };
    repos["p-az"] = { backend: "az-keyed", prefix: "t/" };
    repos["p-az-nc"] = { backend: "az-keyed", prefix: "t/", cache: off };
    repos["p-az-anon"] = { backend: "az-open", prefix: "t/", cache: off };
    // Small chunks, stored at the first miss: reads across chunks make the host fetch chunks If-Match the ETag.
    repos["p-az-chunks"] = { backend: "az-keyed", prefix: "chunks/", cache: { chunk_size: 65536, admit_after: 1 } };
    repos["p-az-wrong-key"] = { backend: "az-wrong-key", prefix: "t/", cache: off };
    // The demo key may write to one Azure repository.
    c.access_keys[DEMO_USER.id].scopes.push({ account: "demo-org", repository: "p-az-nc", actions: ["read", "list", "write", "delete"] });
    c.buckets = { ...(c.buckets ?? {}), "az-flat": { backend: "az-keyed", prefix: "t/" },
      "az-flat-gone": { backend: "az-no-container", prefix: "" } };
  });
}

before(async () => {
  azuriteServer = startAzurite();
  azurite = azuriteServer.url;
  await Promise.all([seedAzure(), seedS3()]);
  const wrong = Buffer.alloc(64, 7).toString("base64");  // a well-formed key that is not the account's
  // Under S3P_E2E_NAMESPACE=registry the accounts (Azure repositories included) are served from the registry.
  proxy = await startProxy({ config: config(), bindings: { ...DEMO_SECRETS, AZURE_PARITY_KEY: DEV_KEY, AZURE_WRONG_KEY: wrong } });
});
after(async () => {
  await proxy?.close();
  azuriteServer?.stop();
});

const enc = (k) => k.split("/").map(encodeURIComponent).join("/");
const url = (repo, key, query = "") => `${proxy.url}/demo-org/${repo}/${enc(key)}${query}`;

async function get(repo, key, headers = {}, method = "GET") {
  const r = await fetch(url(repo, key), { method, headers });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

const unescapeXml = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'")
  .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, "&");
const all = (xml, re) => [...xml.matchAll(re)].map((m) => unescapeXml(m[1]));
const field = (xml, name) => { const m = xml.match(new RegExp(`<${name}>(.*?)</${name}>`)); return m ? unescapeXml(m[1]) : undefined; };

// One listing page: its keys and common prefixes (in the client's key space), and where to resume.
async function listPage(query) {
  const r = await fetch(`${proxy.url}/demo-org?${query}`);
  const xml = await r.text();
  assert.equal(r.status, 200, xml);
  return {
    xml,
    keys: all(xml, /<Contents>.*?<Key>(.*?)<\/Key>/gs),
    prefixes: all(xml, /<CommonPrefixes><Prefix>(.*?)<\/Prefix><\/CommonPrefixes>/gs),
    truncated: field(xml, "IsTruncated") === "true",
    token: field(xml, "NextContinuationToken"),
    nextMarker: field(xml, "NextMarker"),
  };
}

// Every page of a listing: V2 by continuation token, V1 by NextMarker (or the last key, as clients do).
async function listAll(repo, { v2 = true, delimiter = "", maxKeys = 1000, prefix = "", start } = {}) {
  const q = new URLSearchParams({ prefix: `${repo}/${prefix}`, "max-keys": String(maxKeys) });
  if (v2) q.set("list-type", "2");
  if (delimiter) q.set("delimiter", delimiter);
  if (start) q.set(v2 ? "start-after" : "marker", `${repo}/${start}`);
  const out = { keys: [], prefixes: [], pages: 0 };
  for (let resume; ;) {
    const page = new URLSearchParams(q);
    if (resume) page.set(v2 ? "continuation-token" : "marker", resume);
    const p = await listPage(page.toString());
    out.keys.push(...p.keys);
    out.prefixes.push(...p.prefixes);
    out.pages++;
    assert.ok(out.pages <= 20, "pages forever");
    if (!p.truncated) return out;
    if (v2) {
      assert.ok(p.token, "a truncated V2 page carries a token");
      assert.ok(!p.token.includes("!"), "the token is sealed (no Azure marker shows)");
    }
    resume = v2 ? p.token : p.nextMarker ?? p.keys.at(-1);
    assert.ok(resume, "a truncated page says where to resume");
  }
}

// The table: each case runs on every repository, with `o` = what that repository's hello.txt is (ETag, date).
const READS = [
  ["whole GET", () => ({ key: "hello.txt" }),
    { status: 200, text: HELLO, headers: { "content-type": "text/plain" } }],
  ["range a-b", () => ({ key: "hello.txt", headers: { range: "bytes=0-4" } }),
    { status: 206, text: "hello", headers: { "content-range": `bytes 0-4/${HELLO.length}` } }],
  ["range a-", () => ({ key: "hello.txt", headers: { range: "bytes=7-" } }),
    { status: 206, text: HELLO.slice(7), headers: { "content-range": `bytes 7-${HELLO.length - 1}/${HELLO.length}` } }],
  ["suffix range -n", () => ({ key: "hello.txt", headers: { range: "bytes=-5" } }),
    { status: 206, text: HELLO.slice(-5), headers: { "content-range": `bytes ${HELLO.length - 5}-${HELLO.length - 1}/${HELLO.length}` } }],
  ["suffix longer than the object", () => ({ key: "hello.txt", headers: { range: "bytes=-100" } }),
    { status: 206, text: HELLO }],
  ["range past the end is clamped", () => ({ key: "hello.txt", headers: { range: "bytes=3-1000" } }),
    { status: 206, text: HELLO.slice(3) }],
  ["unsatisfiable range", () => ({ key: "hello.txt", headers: { range: "bytes=100-" } }),
    { status: 416, code: "InvalidRange" }],
  ["If-None-Match: its ETag → 304", (o) => ({ key: "hello.txt", headers: { "if-none-match": o.etag } }), { status: 304, text: "" }],
  ["If-Match: another ETag → 412", () => ({ key: "hello.txt", headers: { "if-match": '"0x0"' } }),
    { status: 412, code: "PreconditionFailed" }],
  ["If-Match: its ETag, ranged", (o) => ({ key: "hello.txt", headers: { "if-match": o.etag, range: "bytes=0-4" } }),
    { status: 206, text: "hello" }],
  ["If-Modified-Since: its date → 304", (o) => ({ key: "hello.txt", headers: { "if-modified-since": o.lastModified } }),
    { status: 304 }],
  ["If-Unmodified-Since: long ago → 412", () => ({ key: "hello.txt", headers: { "if-unmodified-since": "Mon, 01 Jan 2001 00:00:00 GMT" } }),
    { status: 412, code: "PreconditionFailed" }],
  ["HEAD: size, type, metadata", () => ({ key: "hello.txt", method: "HEAD" }),
    { status: 200, text: "", headers: { "content-length": String(HELLO.length), "content-type": "text/plain", "x-amz-meta-color": "blue" } }],
  ["HEAD If-None-Match → 304", (o) => ({ key: "hello.txt", method: "HEAD", headers: { "if-none-match": o.etag } }), { status: 304 }],
  ["missing key", () => ({ key: "no/such.txt" }), { status: 404, code: "NoSuchKey" }],
  ["HEAD missing key: 404 without a body", () => ({ key: "no/such.txt", method: "HEAD" }), { status: 404, text: "" }],
  ...KEYS.map((k) => [`GET ${JSON.stringify(k)}`, () => ({ key: k }), { status: 200, text: OBJECTS[k] }]),
];

describe("reads: one table, every dialect", () => {
  for (const [repo, what] of Object.entries(REPOS))
    it(`${repo} (${what})`, async () => {
      const head = await get(repo, "hello.txt", {}, "HEAD");
      assert.equal(head.status, 200);
      const o = { etag: head.headers.get("etag"), lastModified: head.headers.get("last-modified") };
      assert.match(o.etag, /^"[^"]+"$/);
      assert.ok(!Number.isNaN(Date.parse(o.lastModified)), o.lastModified);
      for (const h of head.headers.keys()) assert.ok(!h.startsWith("x-ms-"), `${h} leaked`);
      for (const [name, make, want] of READS) {
        const c = make(o);
        const r = await get(repo, c.key, c.headers, c.method);
        const at = `${repo}: ${name}`;
        assert.equal(r.status, want.status, `${at}: ${r.text}`);
        if (want.text !== undefined) assert.equal(r.text, want.text, at);
        for (const [h, v] of Object.entries(want.headers ?? {})) assert.equal(r.headers.get(h), v, `${at}: ${h}`);
        if (want.code) assert.equal(field(r.text, "Code"), want.code, at);
        if (r.status >= 400 && r.text) assert.ok(!/parity|devstoreaccount1|t\//.test(field(r.text, "Message") ?? ""), `${at}: leaks`);
      }
    });
});

describe("listings: one table, every dialect", () => {
  const rootContents = KEYS.filter((k) => !k.includes("/"));
  const LISTINGS = [
    ["V2, no delimiter, one page", { v2: true }, { keys: KEYS, prefixes: [] }],
    ["V2, no delimiter, pages of 2", { v2: true, maxKeys: 2 }, { keys: KEYS, prefixes: [], pages: 4 }],
    ["V2, delimiter /", { v2: true, delimiter: "/" }, { keys: rootContents, prefixes: ["deep/", "ünïcödé/"] }],
    ["V2, delimiter /, pages of 2", { v2: true, delimiter: "/", maxKeys: 2 }, { keys: rootContents, prefixes: ["deep/", "ünïcödé/"], pages: 4 }],
    ["V2, prefix deep/", { v2: true, prefix: "deep/" }, { keys: ["deep/a/b/leaf.bin", "deep/other.txt"], prefixes: [] }],
    ["V2, prefix deep/, delimiter /", { v2: true, prefix: "deep/", delimiter: "/" }, { keys: ["deep/other.txt"], prefixes: ["deep/a/"] }],
    ["V2, prefix p (partial segment)", { v2: true, prefix: "p" }, { keys: ["percent%41.txt", "plus+sign.txt"], prefixes: [] }],
    ["V2, unicode prefix", { v2: true, prefix: "ünïcödé/" }, { keys: ["ünïcödé/日本語.txt"], prefixes: [] }],
    ["V1, no delimiter, pages of 3", { v2: false, maxKeys: 3 }, { keys: KEYS, prefixes: [], pages: 3 }],
    ["V1, delimiter /, pages of 2", { v2: false, delimiter: "/", maxKeys: 2 }, { keys: rootContents, prefixes: ["deep/", "ünïcödé/"], pages: 4 }],
    ["V1, marker = a key", { v2: false, start: "hello.txt", maxKeys: 2 }, { keys: KEYS.slice(4), prefixes: [], pages: 2 }],
    ["V2, start-after = a key", { v2: true, start: "deep/other.txt", maxKeys: 2 }, { keys: KEYS.slice(3), prefixes: [], pages: 3 }],
    ["V1, pages of 1", { v2: false, maxKeys: 1 }, { keys: KEYS, prefixes: [], pages: KEYS.length }],
    ["V2, nothing under the prefix", { v2: true, prefix: "nothing/" }, { keys: [], prefixes: [] }],
  ];
  for (const [repo, what] of Object.entries(REPOS))
    it(`${repo} (${what})`, async () => {
      for (const [name, opts, want] of LISTINGS) {
        const got = await listAll(repo, opts);
        const at = `${repo}: ${name}`;
        // Contents and CommonPrefixes interleave across pages; each in order within its kind.
        assert.deepEqual(got.keys, want.keys.map((k) => `${repo}/${k}`), at);
        assert.deepEqual(got.prefixes, want.prefixes.map((k) => `${repo}/${k}`), at);
        if (want.pages) assert.equal(got.pages, want.pages, at);
      }
      // encoding-type=url: keys percent-encoded, '/' kept.
      const p = await listPage(new URLSearchParams({ "list-type": "2", prefix: `${repo}/w`, "encoding-type": "url" }).toString());
      assert.deepEqual(p.keys, [`${repo}/with%20space.txt`]);
      // A token from another listing does not open here.
      const first = await listPage(new URLSearchParams({ "list-type": "2", prefix: `${repo}/`, "max-keys": "1" }).toString());
      const other = await fetch(`${proxy.url}/demo-org?${new URLSearchParams({ "list-type": "2", prefix: `${repo}/deep/`,
        "continuation-token": first.token })}`);
      assert.equal(other.status, 400);
      assert.equal(field(await other.text(), "Code"), "InvalidArgument");
    });
});

describe("Azure specifics", () => {
  it("the edge chunk cache serves Azure objects: ETag-conditional chunk fetches, then hits", async () => {
    let last;
    await eventually(async () => {
      const r = await get("p-az", "hello.txt", { range: "bytes=0-4" });
      assert.equal(r.status, 206);
      assert.equal(r.text, "hello");
      last = r.headers.get("x-edge-cache");
      return last === "hit";
    }, { what: "an edge-cache hit on an Azure object", intervalMs: 50 });
    const whole = await get("p-az", "hello.txt");
    assert.equal(whole.text, HELLO);
  });

  it("chunk fetches are conditional on the ETag over Azure too: a blob changed under cached metadata is learnt again", async () => {
    const size = 4 * 65536 + 1000;
    const v1 = crypto.randomBytes(size), v2 = crypto.randomBytes(size);
    const put = (body) => azure({ method: "PUT", path: blobPath("parity", "chunks/big.bin"), body,
      headers: [["x-ms-blob-type", "BlockBlob"], ["content-type", "application/octet-stream"]] }, [201]);
    const read = async (first, last) => {
      const r = await fetch(url("p-az-chunks", "big.bin"), { headers: { range: `bytes=${first}-${last}` } });
      assert.equal(r.status, 206);
      return { bytes: Buffer.from(await r.arrayBuffer()), cache: r.headers.get("x-edge-cache") };
    };
    await put(v1);
    // Chunks 1 and 2: the discovery fetches chunk 1, the plan fetches chunk 2 (Range + If-Match) and stores both.
    assert.ok((await read(70000, 140000)).bytes.equals(v1.subarray(70000, 140001)));
    await eventually(async () => (await read(70000, 140000)).cache === "hit", { what: "chunks 1-2 cached" });
    // Changed under the metadata the isolate still trusts: chunk 3's fetch If-Match the old ETag answers 412, the
    // object is learnt again, and the client gets the new bytes, never a mix.
    await put(v2);
    const after = await read(3 * 65536 + 10, 3 * 65536 + 500);
    assert.ok(after.bytes.equals(v2.subarray(3 * 65536 + 10, 3 * 65536 + 501)), "the new object's bytes");
  });

  it("V1 pages on Azure resume by a sealed NextMarker (List Blobs cannot start after a key); on S3 by the key", async () => {
    const q = (repo) => new URLSearchParams({ prefix: `${repo}/`, "max-keys": "2" }).toString();
    const az = await listPage(q("p-az-nc"));
    assert.ok(az.truncated && az.nextMarker && !az.nextMarker.startsWith("p-az-nc/"), az.nextMarker);
    const s3 = await listPage(q("p-s3-nc"));
    assert.equal(s3.nextMarker, `p-s3-nc/${KEYS[1]}`);
    // The sealed marker is bound to its listing: under another prefix it is taken as a key (as S3 takes any marker).
    const other = await listPage(new URLSearchParams({ prefix: "p-az-nc/deep/", marker: az.nextMarker }).toString());
    assert.deepEqual(other.keys, ["p-az-nc/deep/a/b/leaf.bin", "p-az-nc/deep/other.txt"]);  // they sort after "AQ…"
  });

  it("a refused Shared Key is the proxy's fault (502), not the client's, and says nothing of the backend", async () => {
    const r = await get("p-az-wrong-key", "hello.txt");
    assert.equal(r.status, 502, r.text);
    assert.ok(!/devstoreaccount1|parity|Authoriz/.test(r.text), r.text);
  });

  it("HeadBucket on a flat bucket asks for the container's properties", async () => {
    assert.equal((await fetch(`${proxy.url}/az-flat`, { method: "HEAD" })).status, 200);
    assert.equal((await fetch(`${proxy.url}/az-flat-gone`, { method: "HEAD" })).status, 404);
    const l = await fetch(`${proxy.url}/az-flat?list-type=2&delimiter=/`);
    const xml = await l.text();
    assert.deepEqual(all(xml, /<CommonPrefixes><Prefix>(.*?)<\/Prefix><\/CommonPrefixes>/gs), ["deep/", "ünïcödé/"]);
    const g = await fetch(`${proxy.url}/az-flat/${enc("ünïcödé/日本語.txt")}`);
    assert.equal(await g.text(), "unicode\n");
  });

  it("a write to an Azure repository lands and reads back; DeleteObjects removes it (tests/e2e/azure_writes has the table)", async () => {
    const s3 = new S3Client({ endpoint: proxy.url, region: "us-east-1", forcePathStyle: true,
      credentials: { accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret } });
    await s3.send(new PutObjectCommand({ Bucket: "demo-org", Key: "p-az-nc/new.txt", Body: "x" }));
    assert.equal((await get("p-az-nc", "new.txt")).text, "x");
    const del = await s3.send(new DeleteObjectsCommand({ Bucket: "demo-org", Delete: { Objects: [{ Key: "p-az-nc/new.txt" }] } }));
    assert.deepEqual(del.Deleted?.map((d) => d.Key), ["p-az-nc/new.txt"]);
    s3.destroy();
    assert.equal((await get("p-az-nc", "new.txt", {}, "HEAD")).status, 404);
    assert.equal((await get("p-az-nc", "hello.txt")).text, HELLO);
  });

  it("aws cli and boto3 read through it as from the S3 repository", async () => {
    const out = {};
    for (const repo of ["p-s3-nc", "p-az-nc"]) {
      const ls = await client("aws", ["s3", "ls", "--recursive", "--no-sign-request", "--endpoint-url", proxy.url, `s3://demo-org/${repo}/`]);
      const cp = await client("aws", ["s3", "cp", "--no-sign-request", "--endpoint-url", proxy.url, `s3://demo-org/${repo}/${"ünïcödé/日本語.txt"}`, "-"]);
      out[repo] = { ls: ls.stdout.toString().split("\n").map((l) => l.replace(/^.{19}\s+\d+\s+/, "").trim()).filter(Boolean), cp: cp.stdout.toString() };
    }
    assert.deepEqual(out["p-az-nc"].ls.map((k) => k.replace("p-az-nc/", "")), out["p-s3-nc"].ls.map((k) => k.replace("p-s3-nc/", "")));
    assert.equal(out["p-az-nc"].ls.length, KEYS.length);
    assert.equal(out["p-az-nc"].cp, "unicode\n");
    // boto3: paginated listing (MaxKeys 3), a suffix range, a HEAD's metadata — the same from both.
    const script = `
import sys, json, boto3
from botocore import UNSIGNED
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                  config=Config(signature_version=UNSIGNED, s3={"addressing_style": "path"}))
repo = sys.argv[2]
keys = [o["Key"][len(repo) + 1:] for p in s3.get_paginator("list_objects_v2").paginate(
    Bucket="demo-org", Prefix=repo + "/", PaginationConfig={"PageSize": 3}) for o in p.get("Contents", [])]
tail = s3.get_object(Bucket="demo-org", Key=repo + "/hello.txt", Range="bytes=-5")["Body"].read().decode()
meta = s3.head_object(Bucket="demo-org", Key=repo + "/hello.txt")["Metadata"]
print(json.dumps({"keys": keys, "tail": tail, "meta": meta}))
`;
    const boto = {};
    for (const repo of ["p-s3-nc", "p-az-nc", "p-az"])
      boto[repo] = JSON.parse((await client("python3", ["-c", script, proxy.url, repo])).stdout.toString());
    assert.deepEqual(boto["p-s3-nc"], { keys: KEYS, tail: HELLO.slice(-5), meta: { color: "blue" } });
    assert.deepEqual(boto["p-az-nc"], boto["p-s3-nc"]);
    assert.deepEqual(boto["p-az"], boto["p-s3-nc"]);
  });
});
