// ListObjectsV2 continuation tokens end to end (issue 9 defect 8): the proxy hands out sealed tokens, never the
// backend's (Ceph RGW puts the raw next key, backend prefix included, in its token); real clients page with them;
// and a token that does not open (tampered, truncated, foreign, garbage) is S3's 400 InvalidArgument without any
// backend request (the emulator's counter).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AwsV4Signer } from "aws4fetch";
import { client, DEMO_SECRETS, DEMO_USER, demoConfig, EMU, emu, startProxy, xmlField } from "./harness.mjs";

const AWS_V2 = "/usr/bin/aws";
const INCORRECT = "The continuation token provided is incorrect";
const keys = (xml) => [...xml.matchAll(/<Key>(.*?)<\/Key>/g)].map((m) => m[1]);
const unescape = (s) => s.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'");
const s3Requests = async () => (await emu("stats")).s3_requests;

// Every key under a backend prefix of the public bucket, listed from the emulator directly.
async function backendKeys(prefix) {
  const xml = await (await fetch(`${EMU}/public-bucket/?${new URLSearchParams({ "list-type": "2", prefix })}`)).text();
  return keys(xml).map(unescape);
}

describe("continuation tokens: sealed, bound to their listing, refused without a backend request when bad", () => {
  let proxy;
  // The demo as it ships: public-data public, secret-data private (the demo key may list it).
  const config = demoConfig();
  const list = async (params, { signed = false, p = proxy } = {}) => {
    const url = `${p.url}/demo-org?${new URLSearchParams(params)}`;
    const req = signed
      ? await new AwsV4Signer({ url, accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret, service: "s3", region: "us-east-1" }).sign()
      : { url, headers: {} };
    const r = await fetch(req.url, { headers: req.headers });
    return { status: r.status, xml: await r.text() };
  };
  const nextToken = (xml) => unescape(xmlField(xml, "NextContinuationToken") ?? "");

  before(async () => {
    proxy = await startProxy({ config });
  });
  after(() => proxy?.close());

  it("hands out a token that holds neither the backend's token nor its key prefix", async () => {
    const direct = await (await fetch(`${EMU}/public-bucket/?list-type=2&prefix=public-data/&max-keys=2`)).text();
    const backendToken = unescape(xmlField(direct, "NextContinuationToken"));
    assert.ok(backendToken, "the emulator pages this prefix");
    const { status, xml } = await list({ "list-type": "2", prefix: "public-data/", "max-keys": "2" });
    assert.equal(status, 200);
    const token = nextToken(xml);
    assert.ok(token);
    assert.match(token, /^[A-Za-z0-9_-]+$/, "base64url, nothing else");
    const bytes = Buffer.from(token, "base64url").toString("latin1");
    for (const leak of [backendToken, "public-data/", "public-bucket"]) {
      assert.ok(!token.includes(leak) && !bytes.includes(leak), `token shows ${leak}`);
    }
    // (moto's token is the last key's ETag, which the document rightly carries in <ETag>: not checked there.)
  });

  it("boto3 pages a repository with max 1 key per page and sees every key once", async () => {
    const py = `
import boto3, botocore, botocore.config, json, sys
c = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                 config=botocore.config.Config(signature_version=botocore.UNSIGNED, s3={"addressing_style": "path"}))
pages = [[o["Key"] for o in p.get("Contents", [])] for p in
         c.get_paginator("list_objects_v2").paginate(Bucket="demo-org", Prefix="public-data/nested/",
                                                      PaginationConfig={"PageSize": 1})]
print(json.dumps(pages))`;
    const { stdout } = await client("python3", ["-c", py, proxy.url]);
    const pages = JSON.parse(String(stdout));
    const expected = (await backendKeys("public-data/nested/")).map((k) => k);
    assert.ok(expected.length >= 2, "enough keys to page");
    assert.equal(pages.length, expected.length, "one key per page");
    assert.deepEqual(pages.flat(), expected);
  });

  it("aws cli pages a private repository (signed, --page-size 1) and sees every key once", async () => {
    const { stdout } = await client(AWS_V2, ["--endpoint-url", proxy.url, "s3api", "list-objects-v2", "--bucket", "demo-org",
      "--prefix", "secret-data/", "--page-size", "1", "--output", "json"]);
    const got = JSON.parse(String(stdout)).Contents.map((o) => o.Key);
    assert.deepEqual(got, ["secret-data/big/blob.bin", "secret-data/hello.txt", "secret-data/nested/a.txt"]);
  });

  it("a tampered, truncated, extended, foreign, unsealed or garbage token is 400 InvalidArgument, no backend request", async () => {
    const pub = nextToken((await list({ "list-type": "2", prefix: "public-data/", "max-keys": "1" })).xml);
    const sec = nextToken((await list({ "list-type": "2", prefix: "secret-data/", "max-keys": "1" }, { signed: true })).xml);
    const walk = nextToken((await list({ "list-type": "2", "max-keys": "1" })).xml);
    assert.ok(pub && sec && walk);
    const flip = (t, i) => t.slice(0, i) + (t[i] === "A" ? "B" : "A") + t.slice(i + 1);
    const bytes = Buffer.from(pub, "base64url");
    const cases = [
      ["first character changed", pub, flip(pub, 0)],
      ["middle character changed", pub, flip(pub, pub.length >> 1)],
      ["last byte changed", pub, Buffer.concat([bytes.subarray(0, -1), Buffer.from([bytes.at(-1) ^ 1])]).toString("base64url")],
      ["truncated", pub, pub.slice(0, -4)],
      ["extended", pub, pub + "AAAA"],
      ["another repository's token", pub, sec],                  // sealed for secret-data/, sent with public-data/
      ["another listing's token", pub, walk],                    // the account walk's token inside a repository
      ["unsealed (the old format)", pub, "public-data/1ueGcxLPRx1Tr"],
      ["garbage", pub, "not a token"],
      ["not base64url", pub, "%%%%"],
    ];
    const before = await s3Requests();
    for (const [what, , bad] of cases) {
      const { status, xml } = await list({ "list-type": "2", prefix: "public-data/", "max-keys": "1", "continuation-token": bad });
      assert.equal(status, 400, what);
      assert.equal(xmlField(xml, "Code"), "InvalidArgument", what);
      assert.equal(xmlField(xml, "Message"), INCORRECT, what);
    }
    // The walk's token with another prefix, and the repository's with the walk.
    for (const [params, what] of [[{ prefix: "p" }, "walk token, other prefix"], [{ "continuation-token": pub }, "repository token in a walk"]]) {
      const { status } = await list({ "list-type": "2", "continuation-token": walk, ...params });
      assert.equal(status, 400, what);
    }
    assert.equal(await s3Requests(), before, "no request reached the backend");
    // The untampered tokens still work.
    assert.equal((await list({ "list-type": "2", prefix: "public-data/", "max-keys": "1", "continuation-token": pub })).status, 200);
  });

  it("a token opens on another isolate with the same key, and not under another key", async () => {
    const { xml } = await list({ "list-type": "2", prefix: "public-data/", "max-keys": "1" });
    const token = nextToken(xml);
    const params = { "list-type": "2", prefix: "public-data/", "max-keys": "1", "continuation-token": token };
    const second = await startProxy({ config });
    const other = await startProxy({ config, bindings: { ...DEMO_SECRETS, DEMO_LISTING_TOKEN_KEY: "another key of at least thirty-two bytes" } });
    try {
      const same = await list(params, { p: second });
      assert.equal(same.status, 200);
      assert.notDeepEqual(keys(same.xml), keys(xml));
      const before = await s3Requests();
      const foreign = await list(params, { p: other });
      assert.equal(foreign.status, 400);
      assert.equal(await s3Requests(), before);
    } finally {
      await second.close();
      await other.close();
    }
  });
});
