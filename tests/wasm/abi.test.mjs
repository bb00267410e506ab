// The wasm core driven from node through the same JS ABI wrapper the Worker uses, for BOTH modules
// (Emscripten and wasm32-wasi). No network: the test plays the host and feeds results itself.
import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { Body, Core, Kind, Mode, Outcome } from "../../js/core.mjs";
import { presignV4 } from "../lib/presign.mjs";

const MODULES = ["core-emcc", "core-wasi"];
const text = (b) => new TextDecoder().decode(b.bytes);
const header = (a, name) => a.headers.get(name) ?? undefined;

const CONFIG = {
  backends: {
    anon: { endpoint: "http://127.0.0.1:9", bucket: "pub-bucket", timeout_ms: 1500 },
    keyed: {
      endpoint: "https://s3.example.test:443", bucket: "priv", region: "eu-west-1",
      auth: { type: "static", access_key_id_secret: "KEY_ID", secret_access_key_secret: "KEY_SECRET" },
    },
  },
  accounts: {
    "acme-data": { repositories: { open: { backend: "anon", prefix: "open/", public: true, cache: { enabled: false } }, closed: { backend: "keyed", public: true, cache: { enabled: false } } } },
    "zeta-org": { repositories: { x: { backend: "anon", public: true, cache: { enabled: false } } } },
    // AWS's S3 SigV4 examples address examplebucket/test.txt virtual-host style: path "/test.txt". Path style
    // makes that the bucket "test.txt", which this account is; its repository is private.
    "test.txt": { repositories: { r: { backend: "anon" } } },
  },
  access_keys: {
    AKIAIOSFODNN7EXAMPLE: { secret_access_key_secret: "USER_SECRET",
      scopes: [{ account: "test.txt", repository: "*", actions: ["read", "list"] }, { account: "acme-data", repository: "open", actions: ["read"] }] },
  },
};
const ENV = { KEY_ID: "AKIDEXAMPLE", KEY_SECRET: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", USER_SECRET: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
// Amazon S3 API Reference, "Authenticating Requests: Using Query Parameters", the example presigned URL
// (20130524T000000Z, valid 86400 s) — its signature copied verbatim.
const AWS_PRESIGNED = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
  "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
  "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
const T_20130524 = Date.UTC(2013, 4, 24, 0, 0, 30);

function load(name) {
  const core = new Core(new WebAssembly.Module(fs.readFileSync(new URL(`../../dist/${name}.wasm`, import.meta.url))));
  assert.deepEqual(core.init(JSON.stringify(CONFIG), ENV), { ok: true, error: "" });
  return core;
}

function errorOf(a) {
  const xml = text(a.body);
  return {
    code: xml.match(/<Code>(.*?)<\/Code>/)?.[1],
    requestId: xml.match(/<RequestId>(.*?)<\/RequestId>/)?.[1],
    resource: xml.match(/<Resource>(.*?)<\/Resource>/)?.[1],
    xml,
  };
}

// Runs one request to its Respond, answering a Fetch (if any) with `answer(fetchAction)`.
function run(core, method, path, query = "", headers = [], answer, now = Date.now()) {
  const id = core.begin(method, path, query, headers, false, now);
  assert.ok(id > 0);
  let a = core.next(id, now);
  let fetch = null;
  if (a.kind === Kind.FETCH) {
    fetch = a;
    core.feedFetch(id, answer(a), now);
    a = core.next(id, now);
  }
  assert.equal(a.kind, Kind.RESPOND);
  assert.equal(core.next(id).kind, Kind.DONE);
  core.free(id);
  return { respond: a, fetch };
}

for (const name of MODULES) {
  describe(`wasm ABI (${name})`, () => {
    const core = load(name);

    it("reports an invalid config naming the field, and then answers 503 XML", () => {
      const bad = new Core(new WebAssembly.Module(fs.readFileSync(new URL(`../../dist/${name}.wasm`, import.meta.url))));
      const cfg = structuredClone(CONFIG);
      cfg.accounts["acme-data"].repositories.open.backend = "nope";
      const { ok, error } = bad.init(JSON.stringify(cfg), ENV);
      assert.equal(ok, false);
      assert.match(error, /^accounts\.acme-data\.repositories\.open\.backend: unknown backend "nope"$/);
      const { respond } = run(bad, "GET", "/");
      assert.equal(respond.status, 503);
      assert.equal(errorOf(respond).code, "ServiceUnavailable");
      assert.doesNotMatch(respond.log, /KEY_SECRET|wJalr/);
    });

    it("names a missing Worker secret without revealing any value", () => {
      const bad = new Core(new WebAssembly.Module(fs.readFileSync(new URL(`../../dist/${name}.wasm`, import.meta.url))));
      const { ok, error } = bad.init(JSON.stringify(CONFIG), { KEY_ID: "AKIDEXAMPLE" });
      assert.equal(ok, false);
      assert.equal(error, 'backends.keyed.auth.secret_access_key_secret: Worker secret "KEY_SECRET" is not set');
    });

    it("answers GET / with ListBuckets of the configured accounts", () => {
      const { respond } = run(core, "GET", "/");
      assert.equal(respond.status, 200);
      const xml = text(respond.body);
      assert.match(xml, /^<\?xml/);
      assert.deepEqual([...xml.matchAll(/<Name>(.*?)<\/Name>/g)].map((m) => m[1]), ["acme-data", "zeta-org"]);
      assert.equal(header(respond, "content-type"), "application/xml");
      // The deployment has a private repository ("closed"), so a service listing is not for any page to read.
      assert.equal(header(respond, "access-control-allow-origin"), undefined);
      assert.equal(header(respond, "vary"), "Origin");
      assert.match(header(respond, "x-amz-request-id"), /^[0-9A-F]{16}$/);
    });

    it("plans an anonymous GetObject: path-style URL, encoded key, range forwarded, no signature", () => {
      const { fetch } = run(core, "GET", "/acme-data/open/dir/a%20b+c.txt", "x-id=GetObject",
        [["range", "bytes=0-9"], ["accept-encoding", "gzip"], ["if-none-match", '"abc"']],
        () => ({ outcome: Outcome.OK, status: 404, headers: [] }));
      assert.equal(fetch.method, "GET");
      assert.equal(fetch.url, "http://127.0.0.1:9/pub-bucket/open/dir/a%20b%2Bc.txt");
      assert.deepEqual([...fetch.headers], [["if-none-match", '"abc"'], ["range", "bytes=0-9"]]);
      assert.equal(fetch.timeoutMs, 1500);
      assert.equal(fetch.mode, Mode.STREAM_UNLESS_ERROR);
      assert.equal(fetch.body.kind, Body.NONE);
    });

    it("signs a static-key backend request with SigV4 (host, range, date, payload hash signed; accept-encoding not)", () => {
      const { fetch } = run(core, "HEAD", "/acme-data/closed/k%C3%A9y", "", [["range", "bytes=5-"], ["accept-encoding", "br"]],
        () => ({ outcome: Outcome.OK, status: 200, headers: [["content-length", "3"]] }));
      assert.equal(fetch.url, "https://s3.example.test/priv/k%C3%A9y");
      const auth = header(fetch, "authorization");
      assert.match(auth, /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
      assert.equal(header(fetch, "accept-encoding"), undefined);
      assert.equal(header(fetch, "host"), undefined, "fetch() sets Host from the URL");
      assert.match(header(fetch, "x-amz-date"), /^\d{8}T\d{6}Z$/);
    });

    it("streams a 200/206 by handle and passes only allow-listed headers", () => {
      const { respond } = run(core, "GET", "/acme-data/open/obj", "", [["range", "bytes=0-1"]], () => ({
        outcome: Outcome.OK, status: 206, handle: 7,
        headers: [["content-range", "bytes 0-1/10"], ["content-length", "2"], ["etag", '"e"'], ["x-amz-meta-owner", "me"],
          ["x-amz-id-2", "backend-internal"], ["server", "AmazonS3"], ["x-amz-request-id", "BACKENDRID"]],
      }));
      assert.equal(respond.status, 206);
      assert.deepEqual(respond.body, { kind: Body.HANDLE, handle: 7 });
      assert.equal(header(respond, "content-range"), "bytes 0-1/10");
      assert.equal(header(respond, "x-amz-meta-owner"), "me");
      assert.equal(header(respond, "x-amz-id-2"), undefined);
      assert.equal(header(respond, "server"), undefined);
      assert.notEqual(header(respond, "x-amz-request-id"), "BACKENDRID");
      const log = JSON.parse(respond.log);
      assert.equal(log.op, "GetObject");
      assert.equal(log.status, 206);
    });

    it("rewrites a backend 404 into NoSuchKey in our key space with matching request ids", () => {
      const backendXml = "<Error><Code>NoSuchKey</Code><Key>open/missing</Key><BucketName>pub-bucket</BucketName></Error>";
      const { respond } = run(core, "GET", "/acme-data/open/missing", "", [], () => ({
        outcome: Outcome.OK, status: 404, headers: [["content-type", "application/xml"]], body: backendXml,
      }));
      assert.equal(respond.status, 404);
      const e = errorOf(respond);
      assert.equal(e.code, "NoSuchKey");
      assert.equal(e.resource, "/acme-data/open/missing");
      assert.equal(e.requestId, header(respond, "x-amz-request-id"));
      assert.doesNotMatch(e.xml + JSON.stringify([...respond.headers]), /pub-bucket|<Key>|<BucketName>/);
    });

    for (const [status, code] of [[403, "AccessDenied"], [412, "PreconditionFailed"], [416, "InvalidRange"], [500, "ServiceUnavailable"], [301, "BadGateway"]]) {
      it(`maps backend ${status} to ${code}`, () => {
        const { respond } = run(core, "GET", "/acme-data/open/k", "", [], () => ({ outcome: Outcome.OK, status, headers: [], body: "" }));
        assert.equal(errorOf(respond).code, code);
      });
    }

    it("passes 304 through without a body", () => {
      const { respond } = run(core, "GET", "/acme-data/open/k", "", [["if-none-match", '"e"']], () => ({ outcome: Outcome.OK, status: 304, headers: [["etag", '"e"']], handle: 3 }));
      assert.equal(respond.status, 304);
      assert.equal(respond.body.kind, Body.NONE);
    });

    it("turns a timeout or transport failure into 503 ServiceUnavailable with Retry-After", () => {
      for (const outcome of [Outcome.TIMEOUT, Outcome.NETWORK_ERROR]) {
        const { respond } = run(core, "GET", "/acme-data/open/k", "", [], () => ({ outcome, status: 0, error: "boom" }));
        assert.equal(respond.status, 503);
        assert.equal(errorOf(respond).code, "ServiceUnavailable");
        assert.equal(header(respond, "retry-after"), "1");
        assert.doesNotMatch(errorOf(respond).xml, /boom/, "transport details stay in the log");
        assert.match(respond.log, /boom/);
      }
    });

    it("answers HEAD errors with status and no body", () => {
      const { respond } = run(core, "HEAD", "/acme-data/open/k", "", [], () => ({ outcome: Outcome.OK, status: 404, headers: [] }));
      assert.equal(respond.status, 404);
      assert.equal(respond.body.kind, Body.NONE);
    });

    it("rejects bad input with S3 XML and never reaches the backend", () => {
      const cases = [
        ["/acme-data/open/bad%zzkey", "", 400, "InvalidURI"],
        ["/acme-data/open/a/%2E%2E/b", "", 400, "InvalidArgument"],
        ["/acme-data/open/..%2Fclosed%2Fx", "", 400, "InvalidArgument"],
        ["/acme-data/open/" + "k".repeat(1025), "", 400, "KeyTooLongError"],
        ["/no-such-account/x/y", "", 404, "NoSuchBucket"],
        ["/acme-data/nope/y", "", 404, "NoSuchKey"],  // every repository of acme-data is public: nothing to hide
        ["/test.txt/nope/y", "", 403, "AccessDenied"],  // test.txt has a private one: answered as it would be
        ["/acme-data/open/k", "acl", 501, "NotImplemented"],
        ["/acme-data/open/k", "tagging=", 501, "NotImplemented"],
      ];
      for (const [path, query, status, code] of cases) {
        const { respond, fetch } = run(core, "GET", path, query, [], () => assert.fail(`fetched for ${path}`));
        assert.equal(fetch, null);
        assert.equal(respond.status, status, path);
        assert.equal(errorOf(respond).code, code, path);
      }
      // Writes need a key with write scope: anonymous ones are refused before any backend work.
      for (const method of ["PUT", "DELETE"]) {
        const { respond, fetch } = run(core, method, "/acme-data/open/k");
        assert.equal(fetch, null);
        assert.equal(errorOf(respond).code, "AccessDenied", method);
      }
      assert.equal(run(core, "PATCH", "/acme-data/open/k").respond.status, 405);
      assert.equal(run(core, "PUT", "/acme-data").respond.status, 405);
    });

    it("verifies AWS's presigned example; a tampered or expired one costs no backend request", () => {
      const ok = run(core, "GET", "/test.txt", AWS_PRESIGNED, [["host", "examplebucket.s3.amazonaws.com"]],
        () => ({ outcome: Outcome.OK, status: 200, headers: [], body: "<ListBucketResult></ListBucketResult>" }), T_20130524);
      assert.ok(ok.fetch, "the signed listing reaches the backend");
      assert.ok(!ok.fetch.url.includes("X-Amz-"), "authentication parameters are not forwarded");
      const tampered = run(core, "GET", "/test.txt", AWS_PRESIGNED.replace("aeeed9", "aeeed8"), [["host", "examplebucket.s3.amazonaws.com"]], undefined, T_20130524);
      assert.equal(errorOf(tampered.respond).code, "SignatureDoesNotMatch");
      assert.equal(tampered.fetch, null);
      const otherHost = run(core, "GET", "/test.txt", AWS_PRESIGNED, [["host", "evil.example.org"]], undefined, T_20130524);
      assert.equal(errorOf(otherHost.respond).code, "SignatureDoesNotMatch");
      const expired = run(core, "GET", "/test.txt", AWS_PRESIGNED, [["host", "examplebucket.s3.amazonaws.com"]], undefined, T_20130524 + 86400_000);
      assert.equal(errorOf(expired.respond).code, "AccessDenied");
      const anonymous = run(core, "GET", "/test.txt/r/k", "", [], undefined, T_20130524);
      assert.equal(anonymous.respond.status, 403);
      assert.equal(anonymous.fetch, null);
    });

    it("forwards versionId and partNumber, applies response-* overrides itself (signed callers only), drops x-id", () => {
      const anonymous = run(core, "GET", "/acme-data/open/k", "response-content-type=text%2Fhtml");
      assert.equal(anonymous.respond.status, 400);
      assert.equal(errorOf(anonymous.respond).code, "InvalidRequest");
      assert.equal(anonymous.fetch, null);
      const signed = presignV4({ host: "proxy.test", rawPath: "/acme-data/open/k", id: "AKIAIOSFODNN7EXAMPLE", secret: ENV.USER_SECRET,
        params: [["x-id", "GetObject"], ["versionId", "v1"], ["partNumber", "2"], ["response-content-type", "text/plain"], ["response-content-disposition", "attachment"]] });
      const { fetch, respond } = run(core, "GET", "/acme-data/open/k", signed, [["host", "proxy.test"]],
        () => ({ outcome: Outcome.OK, status: 200, headers: [["content-type", "application/octet-stream"]], handle: 5 }));
      assert.equal(respond.status, 200, "signed");
      assert.equal(fetch.url, "http://127.0.0.1:9/pub-bucket/open/k?partNumber=2&versionId=v1");
      assert.equal(header(respond, "content-type"), "text/plain");
      assert.equal(header(respond, "content-disposition"), "attachment");
      assert.equal([...respond.headers].filter(([k]) => k === "content-type").length, 1);
      const bad = run(core, "GET", "/acme-data/open/k", "response-content-type=a%0D%0Ax-evil:1");
      assert.equal(bad.respond.status, 400);
      assert.equal(bad.fetch, null);
    });

    it("answers CORS preflight", () => {
      const { respond } = run(core, "OPTIONS", "/acme-data/open/k", "", [["origin", "https://app.example"], ["access-control-request-headers", "range"]]);
      assert.equal(respond.status, 204);
      assert.equal(header(respond, "access-control-allow-origin"), "*");
      assert.equal(header(respond, "access-control-allow-headers"), "range");
    });

    it("keeps interleaved requests apart", () => {
      const ids = [];
      for (let i = 0; i < 50; i++) {
        const id = core.begin("GET", `/acme-data/open/k${i}`, "", [], false);
        const a = core.next(id);
        assert.equal(a.url, `http://127.0.0.1:9/pub-bucket/open/k${i}`);
        ids.push([id, i]);
      }
      // Answer in reverse order: each request must get its own result.
      for (const [id, i] of ids.reverse()) {
        core.feedFetch(id, { outcome: Outcome.OK, status: 200, headers: [["etag", `"${i}"`]], handle: 100 + i });
        const r = core.next(id);
        assert.equal(header(r, "etag"), `"${i}"`);
        assert.equal(r.body.handle, 100 + i);
        core.free(id);
      }
      assert.equal(core.inFlight(), 0);
    });

    it("survives host misuse: malformed results, unknown ids, results nobody asked for", () => {
      const id = core.begin("GET", "/acme-data/open/k", "", [], false);
      core.next(id);
      assert.equal(core.x.req_feed(id, 3, Date.now()), 1); // 3 bytes: malformed
      const r = core.next(id);
      assert.equal(r.status, 500);
      core.free(id);
      assert.equal(core.next(987654).kind, Kind.DONE);
      core.feedWait(987654, true);
      assert.equal(core.x.req_begin(2, Date.now()), 0);
      assert.equal(core.inFlight(), 0);
    });
  });
}
