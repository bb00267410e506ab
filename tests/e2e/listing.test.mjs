// Listings end to end: repositories as CommonPrefixes, listings inside a repository rewritten into the client's
// key space, walks across repositories with continuation tokens and markers, flat buckets and virtual hosts.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { openDemoConfig, EMU, startProxy, xmlField } from "./harness.mjs";

const all = (xml, name) => [...xml.matchAll(new RegExp(`<${name}>(.*?)</${name}>`, "g"))].map((m) => m[1]);
const keys = (xml) => all(xml, "Key");
const prefixes = (xml) => [...xml.matchAll(/<CommonPrefixes><Prefix>(.*?)<\/Prefix><\/CommonPrefixes>/g)].map((m) => m[1]);
const unescape = (s) => s.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'");

// Ground truth: every key of a backend bucket under a prefix, listed directly from the emulator (anonymous,
// public bucket), mapped into the client's key space.
async function truth(bucket, backendPrefix, clientPrefix) {
  const out = [];
  let token = "";
  for (;;) {
    const q = new URLSearchParams({ "list-type": "2", prefix: backendPrefix, ...(token ? { "continuation-token": token } : {}) });
    const xml = await (await fetch(`${EMU}/${bucket}/?${q}`)).text();
    out.push(...keys(xml).map((k) => clientPrefix + unescape(k).slice(backendPrefix.length)));
    if (xmlField(xml, "IsTruncated") !== "true") return out;
    token = unescape(xmlField(xml, "NextContinuationToken"));
  }
}

describe("listings", () => {
  let proxy;
  before(async () => {
    proxy = await startProxy({
      config: openDemoConfig((c) => {
        c.buckets = { "flat-public": { backend: "local-public", prefix: "public-data/nested/" } };
        c.virtual_host_domain = "s3.proxy.test";
      }),
    });
  });
  after(() => proxy?.close());

  const list = async (bucket, params) => {
    const r = await fetch(`${proxy.url}/${bucket}?${new URLSearchParams(params)}`);
    const xml = await r.text();
    return { status: r.status, xml, r };
  };

  it("lists an account's repositories as CommonPrefixes, filtered by a partial prefix", async () => {
    let { status, xml } = await list("demo-org", { "list-type": "2", delimiter: "/" });
    assert.equal(status, 200);
    assert.deepEqual(prefixes(xml), ["federated-data/", "public-data/", "secret-data/"]);
    assert.deepEqual(keys(xml), []);
    assert.equal(xmlField(xml, "Name"), "demo-org");
    assert.equal(xmlField(xml, "KeyCount"), "3");
    ({ xml } = await list("demo-org", { "list-type": "2", delimiter: "/", prefix: "pub" }));
    assert.deepEqual(prefixes(xml), ["public-data/"]);
    assert.equal(xmlField(xml, "Prefix"), "pub");
    ({ status, xml } = await list("demo-org", { "list-type": "2", delimiter: "/", prefix: "nothing-here" }));
    assert.equal(status, 200, "a prefix matching nothing is an empty listing, not a 404");
    assert.deepEqual(prefixes(xml), []);
  });

  it("paginates repositories with max-keys and continuation tokens (V2) and markers (V1)", async () => {
    let { xml } = await list("demo-org", { "list-type": "2", delimiter: "/", "max-keys": "1" });
    assert.deepEqual(prefixes(xml), ["federated-data/"]);
    assert.equal(xmlField(xml, "IsTruncated"), "true");
    ({ xml } = await list("demo-org", { "list-type": "2", delimiter: "/", "max-keys": "1", "continuation-token": xmlField(xml, "NextContinuationToken") }));
    assert.deepEqual(prefixes(xml), ["public-data/"]);
    assert.equal(xmlField(xml, "IsTruncated"), "true");
    ({ xml } = await list("demo-org", { "list-type": "2", delimiter: "/", "max-keys": "1", "continuation-token": xmlField(xml, "NextContinuationToken") }));
    assert.deepEqual(prefixes(xml), ["secret-data/"]);
    assert.equal(xmlField(xml, "IsTruncated"), "false");
    ({ xml } = await list("demo-org", { delimiter: "/", "max-keys": "1" }));
    assert.equal(xmlField(xml, "NextMarker"), "federated-data/");
    ({ xml } = await list("demo-org", { delimiter: "/", marker: "public-data/" }));
    assert.deepEqual(prefixes(xml), ["secret-data/"]);
  });

  it("lists inside a repository in the client's key space, with no backend prefix or bucket leaking", async () => {
    const { status, xml } = await list("demo-org", { "list-type": "2", prefix: "public-data/nested/", delimiter: "/" });
    assert.equal(status, 200);
    assert.deepEqual(keys(xml), ["public-data/nested/data.csv"]);
    assert.deepEqual(prefixes(xml), ["public-data/nested/deeper/"]);
    assert.equal(xmlField(xml, "Prefix"), "public-data/nested/");
    assert.doesNotMatch(xml, /public-bucket/);
    const secret = await list("demo-org", { "list-type": "2", prefix: "secret-data/" });
    // tests/emulator/seed.py writes these three under private-bucket repos/secret-data/.
    assert.deepEqual(keys(secret.xml), ["secret-data/big/blob.bin", "secret-data/hello.txt", "secret-data/nested/a.txt"]);
    assert.doesNotMatch(secret.xml, /repos\/|private-bucket/);
  });

  it("walks every repository without a delimiter, page by page, exactly once each key (V2 and V1)", async () => {
    const expected = [...(await truth("public-bucket", "public-data/", "public-data/"))];
    const seen = [];
    let token;
    for (let page = 0; page < 50; page++) {
      const { xml } = await list("demo-org", { "list-type": "2", "max-keys": "4", ...(token ? { "continuation-token": token } : {}) });
      seen.push(...keys(xml).map(unescape));
      if (xmlField(xml, "IsTruncated") !== "true") break;
      token = unescape(xmlField(xml, "NextContinuationToken"));
    }
    assert.deepEqual(seen.filter((k) => k.startsWith("public-data/")), expected);
    assert.ok(seen.includes("secret-data/hello.txt"));
    assert.equal(new Set(seen).size, seen.length, "no key twice");
    assert.deepEqual(seen, [...seen].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))), "in key order");

    const v1 = [];
    let marker = "";
    for (let page = 0; page < 50; page++) {
      const { xml } = await list("demo-org", { "max-keys": "5", ...(marker ? { marker } : {}) });
      const ks = keys(xml).map(unescape);
      v1.push(...ks);
      if (xmlField(xml, "IsTruncated") !== "true") break;
      marker = ks.at(-1) ?? marker;
    }
    assert.deepEqual(v1, seen);
  });

  it("echoes start-after and starts after it, across repositories", async () => {
    const { xml } = await list("demo-org", { "list-type": "2", "start-after": "public-data/nested/deeper/file.txt" });
    assert.equal(xmlField(xml, "StartAfter"), "public-data/nested/deeper/file.txt");
    assert.equal(keys(xml)[0], "secret-data/big/blob.bin");
  });

  it("url-encodes keys when asked (encoding-type=url), decodable back to the exact key", async () => {
    const { xml } = await list("demo-org", { "list-type": "2", prefix: "public-data/awkward/", "encoding-type": "url" });
    const decoded = keys(xml).map((k) => decodeURIComponent(k.replace(/\+/g, " ")));
    assert.deepEqual(decoded, await truth("public-bucket", "public-data/awkward/", "public-data/awkward/"));
    assert.ok(decoded.includes("public-data/awkward/unicodé-ключ.txt"));
    assert.equal(xmlField(xml, "EncodingType"), "url");
  });

  it("rejects bad listing parameters with S3 XML", async () => {
    for (const [params, status, code] of [
      [{ "list-type": "2", "max-keys": "-1" }, 400, "InvalidArgument"],
      [{ "list-type": "3" }, 400, "InvalidArgument"],
      [{ "list-type": "2", "continuation-token": "no-such-repo/abc" }, 400, "InvalidArgument"],
      [{ "list-type": "2", "encoding-type": "base64" }, 400, "InvalidArgument"],
      [{ versioning: "" }, 501, "NotImplemented"],
      [{ acl: "" }, 501, "NotImplemented"],
    ]) {
      const { status: s, xml, r } = await list("demo-org", params);
      assert.equal(s, status, JSON.stringify(params));
      assert.equal(xmlField(xml, "Code"), code);
      assert.equal(xmlField(xml, "RequestId"), r.headers.get("x-amz-request-id"));
    }
    const missing = await list("no-such-account", { "list-type": "2" });
    assert.equal(missing.status, 404);
    assert.equal(xmlField(missing.xml, "Code"), "NoSuchBucket");
  });

  it("answers HeadBucket and GetBucketLocation", async () => {
    const head = await fetch(`${proxy.url}/demo-org`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal((await fetch(`${proxy.url}/nope-org`, { method: "HEAD" })).status, 404);
    const loc = await (await fetch(`${proxy.url}/demo-org?location`)).text();
    assert.match(loc, /<LocationConstraint[^>]*><\/LocationConstraint>/);
  });

  it("serves a flat bucket 1:1 onto its backend prefix", async () => {
    const r = await fetch(`${proxy.url}/flat-public/data.csv`);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), await (await fetch(`${EMU}/public-bucket/public-data/nested/data.csv`)).text());
    const { xml } = await list("flat-public", { "list-type": "2", delimiter: "/" });
    assert.deepEqual(keys(xml), ["data.csv"]);
    assert.deepEqual(prefixes(xml), ["deeper/"]);
    const all2 = await list("flat-public", { "list-type": "2", "max-keys": "1" });
    assert.deepEqual(keys(all2.xml), ["data.csv"]);
    const next = await list("flat-public", { "list-type": "2", "continuation-token": unescape(xmlField(all2.xml, "NextContinuationToken")) });
    assert.deepEqual(keys(next.xml), ["deeper/file.txt"]);
  });

  it("routes virtual-host style requests ({account}.{domain}) like path style", async () => {
    const port = new URL(proxy.url).port;
    const get = (host, path) => new Promise((resolve, reject) => {
      http.get({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      }).on("error", reject);
    });
    const obj = await get(`demo-org.s3.proxy.test:${port}`, "/public-data/README.txt");
    assert.equal(obj.status, 200);
    assert.match(obj.body, /^Public test data/);
    const lst = await get("demo-org.s3.proxy.test", "/?list-type=2&delimiter=/");
    assert.deepEqual(prefixes(lst.body), ["federated-data/", "public-data/", "secret-data/"]);
    const other = await get("elsewhere.test", "/demo-org/public-data/README.txt");
    assert.equal(other.status, 200, "other hosts stay path style");
  });
});
