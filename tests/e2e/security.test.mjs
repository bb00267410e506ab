// Security cases end to end: no request can make the proxy reach a key outside the repository it names (or another
// repository or account), nothing a client sends ends up as a forwarded header, oversized and duplicated inputs get
// S3's answer, virtual-host Host games resolve to the account the Host names (and authorization holds), and no
// secret the proxies know (or that STS issued to them) ever appears in a log line, a response header or a body.
//
// Requests go out over raw sockets: fetch() would normalise the very paths under test. What the backend actually
// received comes from the emulator's request log (GET /__emu/requests), not from inference.
// workerd itself normalises the request target before the Worker sees it (WHATWG: "..", "%2e%2e" and "\" resolve),
// so a dot segment the client sends names another resource, and authorization applies to that resource.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { AwsV4Signer } from "aws4fetch";
import { clearFaults, DEMO_SECRETS, DEMO_USER, demoConfig, emu, requestLogs, startProxy, withFault, xmlField } from "./harness.mjs";

const README = "Public test data for s3-edge-proxy.\nAnyone may read this bucket.\n"; // tests/emulator/seed.py
const captured = { responses: [], logs: [] }; // everything the proxies said, for the secret grep
const proxies = [];

async function proxy(config) {
  const p = await startProxy({ config });
  proxies.push(p);
  return p;
}

// One HTTP/1.1 exchange over a fresh socket, bytes exactly as given. Resolves { status, headers, body } once the
// response is complete (content-length or chunked), or { status: 0 } if the peer closed first.
function rawExchange(port, text) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, "127.0.0.1", () => sock.write(text, "latin1"));
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no complete answer within 15 s: ${buf.toString("latin1").slice(0, 200)}`));
    }, 15000);
    const done = (r) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const tryParse = () => {
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
      const status = Number(lines[0].split(" ")[1]);
      const headers = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(":");
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const rest = buf.subarray(end + 4);
      if (headers["content-length"] !== undefined) {
        const n = Number(headers["content-length"]);
        if (rest.length >= n) done({ status, headers, body: rest.subarray(0, n).toString("utf8") });
      } else if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
        let off = 0;
        const parts = [];
        for (;;) {
          const eol = rest.indexOf("\r\n", off);
          if (eol < 0) return;
          const size = parseInt(rest.subarray(off, eol).toString(), 16);
          if (size === 0) return done({ status, headers, body: Buffer.concat(parts).toString("utf8") });
          if (rest.length < eol + 2 + size + 2) return;
          parts.push(rest.subarray(eol + 2, eol + 2 + size));
          off = eol + 2 + size + 2;
        }
      } else if (status === 204 || status === 304) {
        done({ status, headers, body: "" });
      }
    };
    sock.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      tryParse();
    });
    sock.on("end", () => {
      if (buf.length === 0) return done({ status: 0, headers: {}, body: "" });
      const end = buf.indexOf("\r\n\r\n");
      const lines = buf.subarray(0, end < 0 ? buf.length : end).toString("latin1").split("\r\n");
      done({ status: Number(lines[0].split(" ")[1]), headers: {}, body: end < 0 ? "" : buf.subarray(end + 4).toString() });
    });
    sock.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

// Sends a request with the exact target and header lines given; returns the answer plus what the backend (S3 or
// STS) received meanwhile.
async function probe(p, { method = "GET", target, host, headers = [], rawHeaderLines = [] }) {
  const port = Number(new URL(p.url).port);
  const { last } = await emu("requests?since=999999999");
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${host ?? `127.0.0.1:${port}`}`];
  for (const [k, v] of headers) lines.push(`${k}: ${v}`);
  lines.push(...rawHeaderLines);
  const r = await rawExchange(port, `${lines.join("\r\n")}\r\n\r\n`);
  captured.responses.push(r);
  Object.defineProperty(r, "proxy", { value: p }); // which proxy answered (not part of the grep)
  r.backend = (await emu(`requests?since=${last}`)).requests;
  return r;
}

// S3 XML error with the expected status and code, its RequestId the x-amz-request-id header.
function assertS3Error(r, status, code) {
  assert.equal(r.status, status, `status ${r.status}: ${r.body.slice(0, 300)}`);
  assert.equal(r.headers["content-type"], "application/xml");
  assert.equal(xmlField(r.body, "Code"), code, r.body);
  assert.equal(xmlField(r.body, "RequestId"), r.headers["x-amz-request-id"]);
}

// Every S3 request the backend received names a key under one of `allowed` ("bucket/prefix"), has no "." or ".."
// segment once decoded, and carries no header a client smuggled in.
function assertBackendWithin(r, allowed) {
  for (const req of r.backend) {
    if (req.target !== "s3") continue;
    const path = decodeURIComponent(req.path.split("?")[0]);
    assert.ok(allowed.some((a) => path.startsWith(`/${a}`)), `backend asked for ${path}; allowed: ${allowed}`);
    const segments = path.split("/").slice(2);
    assert.ok(!segments.includes("..") && !segments.includes("."), `dot segment reached the backend: ${path}`);
    for (const [name, value] of req.headers) {
      assert.doesNotMatch(value, /[\r\n\0]/, `control character in forwarded header ${name}`);
      assert.doesNotMatch(name, /injected/i, `a client header line became forwarded header ${name}`);
    }
  }
}
const s3Requests = (r) => r.backend.filter((b) => b.target === "s3");

// A SigV4-signed request (aws4fetch) for `path` (kept as given, %2F included), as raw-sendable target + headers.
async function signed(p, path, { method = "GET", signQuery = false, host } = {}) {
  const base = host ? `http://${host}` : p.url;
  const s = await new AwsV4Signer({ url: `${base}${path}`, method, accessKeyId: DEMO_USER.id,
    secretAccessKey: DEMO_USER.secret, service: "s3", region: "us-east-1", signQuery }).sign();
  const u = new URL(s.url);
  return { target: u.pathname + u.search, headers: [...s.headers].filter(([k]) => k !== "host") };
}

describe("security: key containment, injection, limits, Host games, secrets", () => {
  let a; // the demo as it ships: public-data public, secret-data / federated-data private
  let vh; // the same with virtual-host style on s3.test

  before(async () => {
    await clearFaults();
    a = await proxy(demoConfig());
    vh = await proxy(demoConfig((c) => (c.virtual_host_domain = "s3.test")));
  });
  after(async () => {
    await clearFaults();
    await Promise.all(proxies.map((p) => p.close().catch(() => {})));
  });

  describe("a key never leaves its repository", () => {
    // [target, status, code]: anonymous requests from the public repository towards the private one.
    const cases = [
      ["/demo-org/public-data/../secret-data/hello.txt", 403, "AccessDenied"], // resolved by the runtime
      ["/demo-org/public-data/%2e%2e/secret-data/hello.txt", 403, "AccessDenied"],
      ["/demo-org/public-data/%2E%2e/secret-data/hello.txt", 403, "AccessDenied"],
      ["/demo-org/public-data//../../secret-data/hello.txt", 403, "AccessDenied"],
      ["/demo-org/public-data/..\\secret-data\\hello.txt", 403, "AccessDenied"], // '\' is '/' to the runtime
      ["/demo-org/public-data/..%2Fsecret-data/hello.txt", 400, "InvalidArgument"],
      ["/demo-org/public-data/%2e%2e%2F%2e%2e%2Fprivate-bucket/repos/secret-data/hello.txt", 400, "InvalidArgument"],
      ["/demo-org/public-data%2F..%2Fsecret-data/hello.txt", 400, "InvalidArgument"],
      ["/demo-org/public-data/nested/%2E%2E%2F%2E%2E%2F..%2Fsecret-data%2Fhello.txt", 400, "InvalidArgument"],
      ["/demo-org/public-data/x%2F%2e", 400, "InvalidArgument"], // "x/." once decoded
      ["/demo-org%2Fsecret-data/hello.txt", 404, "NoSuchBucket"],
      ["//demo-org/secret-data/hello.txt", 404, "NoSuchBucket"],
      ["/demo-org//secret-data/hello.txt", 403, "AccessDenied"], // no repository "": answered as a hidden one
      ["/demo-org/public-data/..%5Csecret-data%5Chello.txt", 404, "NoSuchKey"], // a key with backslashes, in the prefix
      ["/demo-org/public-data/%C0%AE%C0%AE/%C0%AE%C0%AE/secret-data/hello.txt", 400, "InvalidURI"], // overlong UTF-8 ".."
      ["/demo-org/public-data/a%00b", 400, "InvalidURI"], // NUL: no S3 key can hold it
      ["/demo-org/public-data/a%0D%0AX-Injected:%20yes", 404, "NoSuchKey"],
      ["/geo-lab/rasters/..%2F..%2FREADME.txt", 400, "InvalidArgument"],
    ];
    for (const [target, status, code] of cases) {
      it(`GET ${target} → ${status} ${code}, the backend sees only keys inside public-data/`, async () => {
        const r = await probe(a, { target });
        assertS3Error(r, status, code);
        assertBackendWithin(r, ["public-bucket/public-data/"]);
        assert.equal(r.backend.filter((b) => b.path.includes("private-bucket")).length, 0);
      });
    }

    it("a signed caller cannot step from its writable repository into another (PUT ..%2F), no backend request", async () => {
      const req = await signed(a, "/demo-org/uploads/..%2Fsecret-data%2Fplanted.txt", { method: "PUT" });
      const r = await probe(a, { method: "PUT", ...req, headers: [...req.headers, ["content-length", "0"]] });
      assertS3Error(r, 400, "InvalidArgument");
      assert.equal(s3Requests(r).length, 0);
    });

    it("a signed read with %2F..%2F inside its own repository stays refused (no prefix arithmetic)", async () => {
      const req = await signed(a, "/demo-org/secret-data/nested%2F..%2F..%2Fuploads%2Fx");
      const r = await probe(a, req);
      assertS3Error(r, 400, "InvalidArgument");
      assert.equal(s3Requests(r).length, 0);
    });

    it("a listing prefix with CRLF reaches the backend only as an encoded query value", async () => {
      const r = await probe(a, { target: "/demo-org?list-type=2&prefix=public-data/%0D%0AX-Injected:%20yes" });
      assert.equal(r.status, 200, r.body);
      assert.equal(s3Requests(r).length, 1);
      assertBackendWithin(r, ["public-bucket"]);
      assert.match(s3Requests(r)[0].path, /prefix=public-data%2F%0D%0AX-Injected%3A%20yes/);
    });
  });

  describe("nothing a client sends becomes a forwarded header", () => {
    it("a bare CR inside a Range value: no injected header, no control character forwarded", async () => {
      const r = await probe(a, { target: "/demo-org/public-data/README.txt", rawHeaderLines: ["Range: bytes=0-3\rX-Injected: yes"] });
      assert.ok(r.status < 500, `status ${r.status}`);
      assertBackendWithin(r, ["public-bucket/public-data/"]);
    });

    it("an obs-folded header value is never forwarded with its line break", async () => {
      const r = await probe(a, { target: "/demo-org/public-data/README.txt", rawHeaderLines: ["If-None-Match: \"x\"", " X-Injected: yes"] });
      assert.ok(r.status < 500, `status ${r.status}`);
      assertBackendWithin(r, ["public-bucket/public-data/"]);
    });

    it("a signed override with CRLF (response-content-disposition) is refused: 400 InvalidArgument", async () => {
      const req = await signed(a, "/demo-org/secret-data/hello.txt?response-content-disposition=inline%0D%0AX-Injected%3A%20yes", { signQuery: true });
      const r = await probe(a, req);
      assertS3Error(r, 400, "InvalidArgument");
      assert.equal(s3Requests(r).length, 0);
    });

    it("a client's own x-amz-security-token or authorization-like headers never reach the backend on anonymous reads", async () => {
      const r = await probe(a, { target: "/demo-org/public-data/README.txt",
        // x-amz-checksum-mode: the edge cache steps aside, so the read goes to the backend with what it forwards
        headers: [["x-amz-security-token", "client-supplied"], ["x-forwarded-host", "evil.example"],
          ["x-amz-expected-bucket-owner", "client-supplied"], ["x-amz-checksum-mode", "ENABLED"]] });
      assert.equal(r.status, 200, r.body);
      for (const [name, value] of s3Requests(r)[0].headers) assert.ok(!/client-supplied|evil\.example/.test(value), `${name}: ${value}`);
    });

    it("S3's read headers that belong to the object (SSE-C key, checksum mode) are forwarded, and nothing else", async () => {
      const r = await probe(a, { target: "/demo-org/public-data/README.txt",
        headers: [["x-amz-server-side-encryption-customer-key", "client-key"], ["x-amz-checksum-mode", "ENABLED"]] });
      const sent = Object.fromEntries(s3Requests(r)[0].headers.map(([n, v]) => [n.toLowerCase(), v]));
      assert.equal(sent["x-amz-server-side-encryption-customer-key"], "client-key");
      assert.equal(sent["x-amz-checksum-mode"], "ENABLED");
    });

    // workerd's HTTP parser refuses these before any Worker code runs (a plaintext 400 from the runtime itself):
    // recorded so a runtime that starts passing them through is noticed.
    it("a NUL in a header value is refused by the runtime before the Worker: no backend request", async () => {
      const lines = () => a.logs.filter((l) => l.startsWith("{"));
      const before = lines().length;
      const r = await probe(a, { target: "/demo-org/public-data/README.txt", rawHeaderLines: ["Range: bytes=0-3\0X-Injected: yes"] });
      assert.equal(r.status, 400);
      assert.equal(r.backend.length, 0);
      // A normal request after it: once its log line is out (lines keep their order), it must be the only new one.
      const ok = await probe(a, { target: "/demo-org/public-data/README.txt" });
      assert.equal(ok.status, 200);
      await requestLogs(a, [ok.headers["x-amz-request-id"]]);
      assert.equal(lines().length, before + 1, "the Worker logged the refused request");
    });
  });

  describe("oversized and duplicated inputs", () => {
    const key = (n) => `/demo-org/public-data/${"k".repeat(n - "public-data/".length)}`;
    it("a 1024-byte key is a key (404 NoSuchKey from the backend); 1025 bytes is 400 KeyTooLongError, no backend request", async () => {
      const ok = await probe(a, { target: key(1024) });
      assertS3Error(ok, 404, "NoSuchKey");
      assert.equal(s3Requests(ok).length, 1);
      const long = await probe(a, { target: key(1025) });
      assertS3Error(long, 400, "KeyTooLongError");
      assert.equal(long.backend.length, 0);
    });

    it("a 60 KiB path is 400 KeyTooLongError", async () => {
      const r = await probe(a, { target: key(60 * 1024) });
      assertS3Error(r, 400, "KeyTooLongError");
      assert.equal(r.backend.length, 0);
    });

    it("a 60 KiB header section is 400 RequestHeaderSectionTooLarge, no backend request", async () => {
      const r = await probe(a, { target: "/demo-org/public-data/README.txt", headers: [["x-pad", "p".repeat(60 * 1024)]] });
      assertS3Error(r, 400, "RequestHeaderSectionTooLarge");
      assert.equal(r.backend.length, 0);
    });

    it("a 60 KiB query string is 400 RequestHeaderSectionTooLarge, no backend request", async () => {
      const r = await probe(a, { target: `/demo-org?list-type=2&prefix=public-data/${"q".repeat(60 * 1024)}` });
      assertS3Error(r, 400, "RequestHeaderSectionTooLarge");
      assert.equal(r.backend.length, 0);
    });

    const dupes = [
      ["/demo-org?list-type=2&list-type=2", "InvalidArgument"],
      ["/demo-org?list-type=2&list-type=1", "InvalidArgument"],
      ["/demo-org?list-type=2&prefix=public-data/&prefix=secret-data/", "InvalidArgument"],
      ["/demo-org/public-data/README.txt?versionId=a&versionId=b", "InvalidArgument"],
    ];
    for (const [target, code] of dupes) {
      it(`duplicated query parameter ${target} → 400 ${code}, no backend request`, async () => {
        const r = await probe(a, { target });
        assertS3Error(r, 400, code);
        assert.equal(r.backend.length, 0);
      });
    }

    for (const [what, extra] of [["a second X-Amz-Signature", "&X-Amz-Signature=" + "0".repeat(64)],
      ["a second X-Amz-Credential", `&X-Amz-Credential=${DEMO_USER.id}%2F20200101%2Fus-east-1%2Fs3%2Faws4_request`]]) {
      it(`a presigned URL with ${what} → 400 AuthorizationQueryParametersError, no backend request`, async () => {
        const req = await signed(a, "/demo-org/secret-data/hello.txt", { signQuery: true });
        const valid = await probe(a, req);
        assert.equal(valid.status, 200, valid.body); // the URL as signed works
        const r = await probe(a, { ...req, target: req.target + extra });
        assertS3Error(r, 400, "AuthorizationQueryParametersError");
        assert.equal(r.backend.length, 0);
      });
    }
  });

  describe("virtual-host style: the Host names the account, and nothing else", () => {
    const ok = [["demo-org.s3.test"], ["demo-org.s3.test:8787"], ["DEMO-ORG.S3.TEST"], ["demo-org.s3.test."]];
    for (const [host] of ok) {
      it(`Host ${host} reads demo-org/public-data/README.txt`, async () => {
        const r = await probe(vh, { target: "/public-data/README.txt", host });
        assert.equal(r.status, 200, r.body);
        assert.equal(r.body, README);
        assertBackendWithin(r, ["public-bucket/public-data/"]);
      });
    }

    it("the bare domain is path style", async () => {
      const r = await probe(vh, { target: "/demo-org/public-data/README.txt", host: "s3.test" });
      assert.equal(r.status, 200, r.body);
    });

    const refused = [
      ["geo-lab.s3.test", "/public-data/README.txt", 404, "NoSuchKey"], // another account: no such repository (all of geo-lab is public: nothing hidden)
      ["demo-org.s3.test", "/secret-data/hello.txt", 403, "AccessDenied"],
      ["x.demo-org.s3.test", "/public-data/README.txt", 404, "NoSuchBucket"],
      ["demo-org.s3.test.evil.example", "/public-data/README.txt", 404, "NoSuchBucket"], // not our domain: path style
      ["..s3.test", "/demo-org/public-data/README.txt", 404, "NoSuchBucket"],
      ["geo-lab.s3.test", "/..%2Fdemo-org/public-data/README.txt", 400, "InvalidArgument"],
    ];
    for (const [host, target, status, code] of refused) {
      it(`Host ${host} ${target} → ${status} ${code}`, async () => {
        const r = await probe(vh, { target, host });
        assertS3Error(r, status, code);
        assert.equal(r.backend.filter((b) => b.path.includes("private-bucket")).length, 0);
      });
    }

    it("a request signed for one account's Host, replayed with another account's Host → 403 SignatureDoesNotMatch", async () => {
      const req = await signed(vh, "/secret-data/hello.txt", { host: "demo-org.s3.test" });
      const good = await probe(vh, { ...req, host: "demo-org.s3.test" });
      assert.equal(good.status, 200, good.body);
      assert.equal(good.body, "hello from a signed backend\n");
      const r = await probe(vh, { ...req, host: "geo-lab.s3.test" });
      assertS3Error(r, 403, "SignatureDoesNotMatch");
      assert.equal(s3Requests(r).length, 0);
    });

    // A Host that is no host name (a '/', '%', '@' ...) is refused by the runtime's URL parser before the Worker
    // runs (workerd answers a plaintext 500 locally; Cloudflare's edge refuses such a Host itself).
    it("a Host carrying a path (demo-org/secret-data.s3.test) never reaches the Worker or the backend", async () => {
      const r = await probe(vh, { target: "/hello.txt", host: "demo-org/secret-data.s3.test" });
      assert.notEqual(r.status, 200);
      assert.equal(r.backend.length, 0);
    });
  });

  describe("no secret in any log line, response header or body", () => {
    it("federated and failing requests run first, so STS-issued credentials are part of the grep", async () => {
      const req = await signed(a, "/demo-org/federated-data/hello.txt");
      const r = await probe(a, req);
      assert.equal(r.status, 200, r.body);
      assert.ok(r.backend.some((b) => b.target === "sts"), "an STS exchange happened");
      // Errors on the signed and federated paths: the backend's refusal text must not echo anything secret either.
      await withFault({ target: "s3", mode: "status", status: 403, count: 1 }, async () => {
        const denied = await probe(a, await signed(a, "/demo-org/secret-data/hello.txt"));
        assertS3Error(denied, 403, "AccessDenied");
      });
      const wrong = await probe(a, { ...(await signed(a, "/demo-org/secret-data/hello.txt")), target: "/demo-org/secret-data/hello.txt?x-id=GetObject" });
      assertS3Error(wrong, 403, "SignatureDoesNotMatch");
    });

    it("the demo user secret, backend secret, OIDC private key, L2 key and every STS-issued secret/token/JWT are absent", async () => {
      // workerd's stdout trails the answers: wait until the line of every answer the Worker gave is in (the
      // runtime's own refusals carry no request id and have no line).
      for (const p of proxies)
        await requestLogs(p, captured.responses.filter((r) => r.proxy === p).map((r) => r.headers["x-amz-request-id"]).filter(Boolean));
      const { issued, web_identity_tokens: tokens } = await emu("credentials");
      assert.ok(issued.length > 0 && tokens.length > 0, "STS issued credentials during this suite");
      const pemLines = DEMO_SECRETS.DEMO_OIDC_SIGNING_KEY.split("\n").filter((l) => l.length >= 40 && !l.startsWith("-----"));
      const secrets = {
        DEMO_USER_SECRET: DEMO_SECRETS.DEMO_USER_SECRET,
        DEMO_BACKEND_SECRET_ACCESS_KEY: DEMO_SECRETS.DEMO_BACKEND_SECRET_ACCESS_KEY,
        DEMO_L2_KEY: DEMO_SECRETS.DEMO_L2_KEY,
        ...Object.fromEntries(pemLines.map((l, i) => [`DEMO_OIDC_SIGNING_KEY line ${i}`, l])),
        ...Object.fromEntries(issued.flatMap((c, i) => [[`issued secret ${i}`, c.secret_access_key], [`issued token ${i}`, c.session_token]])),
        // Only real JWTs: other suites (the emulator's selftest, STS refusal cases) send short garbage tokens.
        ...Object.fromEntries(tokens.filter((t) => t.split(".").length === 3 && t.length >= 64).map((t, i) => [`web identity token ${i}`, t])),
      };
      const haystacks = [
        ...proxies.flatMap((p) => p.logs.map((l) => ["log line", l])),
        ...captured.responses.flatMap((r) => [["response body", r.body], ["response headers", JSON.stringify(r.headers)]]),
      ];
      assert.ok(haystacks.filter(([kind]) => kind === "log line").length > 40, "the proxies' log lines were captured");
      for (const [name, secret] of Object.entries(secrets)) {
        assert.ok(secret && secret.length >= 16, `${name} is a real secret`);
        for (const [kind, text] of haystacks) assert.ok(!text.includes(secret), `${name} appears in a ${kind}: ${text.slice(0, 120)}`);
      }
    });
  });
});
