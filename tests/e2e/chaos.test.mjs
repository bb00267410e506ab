// Chaos: the origin and STS misbehave on purpose (tests/emulator/faults.py) and every answer must still be S3:
// a parseable S3 XML error (503 + Retry-After for transport failures) or, once a body has started, a clean
// truncation (fewer bytes than Content-Length, each of them right); nothing hangs past the configured timeouts;
// the next request after the fault clears succeeds; a failed write leaves no object behind.
// Time bounds are bounded-hang guards only (timeout + slack), never performance assertions: a stall lasts until it
// is released (or an hour), so a generous slack still tells a hang from an answer, and a loaded machine cannot
// reach it. Where "at once" matters (a reset, a 500: not the timeout), the request's log line says which it was.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { AwsV4Signer } from "aws4fetch";
import { Response as MfResponse } from "miniflare";
import { BIG_SIZE, blob, clearFaults, DEMO_USER, demoConfig, emu, EMU, releaseStalls, requestLogs, startProxy, xmlField } from "./harness.mjs";

const TIMEOUT = 2000; // backend and STS timeouts of the chaos proxies
const SLACK = 10_000; // a 2-core machine shared with other work: a bound on a hang, never a measurement
// The chaos proxies' floor rate for streamed answers: BIG (2 MiB) must arrive within TIMEOUT + 2 s.
const BODY_RATE_KIB_S = 1024;
const ROLE = "arn:aws:iam::123456789012:role/e2e/chaos";
const BLOB = blob(BIG_SIZE);
const README = "/demo-org/public-data/README.txt";
const BIG = "/demo-org/public-data/big/blob.bin";
const FED = "/demo-org/fed-chaos/hello.txt";
const HELLO = "hello from a signed backend\n";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (b) => crypto.createHash("sha256").update(b).digest("hex");
let seq = 0;

// The demo (uploads writable by the demo key) with short timeouts, plus demo-org/fed-chaos: public, read through
// web-identity federation with a session of its own (cold L1 and L2 per proxy).
function config() {
  return demoConfig((c) => {
    for (const b of Object.values(c.backends)) {
      b.timeout_ms = TIMEOUT;
      b.min_body_rate_kib_s = BODY_RATE_KIB_S;
    }
    c.federation = { ...c.federation, sts_endpoint: EMU, sts_timeout_ms: TIMEOUT };
    c.backends["fed-chaos"] = { endpoint: EMU, bucket: "private-bucket", region: "us-east-1", timeout_ms: TIMEOUT,
      auth: { type: "web_identity", role_arn: ROLE, subject: "chaos", session_name: `e2e-chaos-${process.pid}-${++seq}` } };
    c.accounts["demo-org"].repositories["fed-chaos"] = { backend: "fed-chaos", prefix: "repos/secret-data/", public: true };
    c.accounts["demo-org"].repositories["public-data"].public = true;
    // Origin faults on the read path are this suite's subject: the edge cache would answer repeated reads without
    // the origin (its own faults are tests/e2e/edge_cache.test.mjs's).
    for (const r of Object.values(c.accounts["demo-org"].repositories)) r.cache = { enabled: false };
  });
}

const proxies = [];
const tmpdirs = [];
async function proxy(opts = {}) {
  const p = await startProxy({ config: config(), testHooks: true, ...opts });
  proxies.push(p);
  return p;
}
const coreState = async (p) => (await fetch(`${p.url}/__test/core`)).json();
async function waitFor(probe, ok, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await sleep(25);
  }
}
const stats = () => emu("stats");
const fault = (target, spec) => emu("fault", { target, ...spec });

async function get(p, pathname, headers = {}) {
  const t0 = performance.now();
  const r = await fetch(`${p.url}${pathname}`, { headers });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, headers: r.headers, body, text: body.toString(), ms: performance.now() - t0 };
}

// S3 XML with the status and code, the request id consistent; 503s carry Retry-After.
function assertS3Error(r, status, code) {
  assert.equal(r.status, status, `status ${r.status}: ${r.text.slice(0, 300)}`);
  assert.equal(r.headers.get("content-type"), "application/xml");
  assert.equal(xmlField(r.text, "Code"), code, r.text);
  assert.equal(xmlField(r.text, "RequestId"), r.headers.get("x-amz-request-id"));
  if (status === 503) assert.equal(r.headers.get("retry-after"), "1");
}
const within = (r, bound, what) => assert.ok(r.ms < bound, `${what} answered after ${Math.round(r.ms)} ms (bound ${bound} ms)`);
// Answered for the fault itself, not by the backend timeout: the request's log line names the cause.
async function notByTimeout(p, r, what) {
  const [line] = await requestLogs(p, [r]);
  assert.ok(line.detail && !/timeout/.test(line.detail), `${what}: answered by ${JSON.stringify(line.detail)}`);
}

// Reads a streamed body as far as it goes: { status, length (Content-Length), bytes, error }.
async function readAsFarAsItGoes(p, pathname, { abortAfterBytes } = {}) {
  const ctl = new AbortController();
  const r = await fetch(`${p.url}${pathname}`, { signal: ctl.signal });
  const reader = r.body.getReader();
  const chunks = [];
  let got = 0, error = null;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      got += value.length;
      if (abortAfterBytes && got >= abortAfterBytes) {
        ctl.abort();
        break;
      }
    }
  } catch (err) {
    error = err;
  }
  return { status: r.status, length: Number(r.headers.get("content-length")), bytes: Buffer.concat(chunks), error };
}

// A PUT by the demo key, payload hash signed (the backend checks the bytes it receives).
async function signedPut(p, key, body) {
  const s = await new AwsV4Signer({ url: `${p.url}/demo-org/uploads/${key}`, method: "PUT", body,
    headers: { "x-amz-content-sha256": sha256(body) }, accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret,
    service: "s3", region: "us-east-1" }).sign();
  return { url: s.url, headers: s.headers };
}
async function put(p, key, body) {
  const t0 = performance.now();
  const s = await signedPut(p, key, body);
  const r = await fetch(s.url, { method: "PUT", headers: s.headers, body });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, ms: performance.now() - t0 };
}
async function signedGet(p, key) {
  const s = await new AwsV4Signer({ url: `${p.url}/demo-org/uploads/${key}`, accessKeyId: DEMO_USER.id,
    secretAccessKey: DEMO_USER.secret, service: "s3", region: "us-east-1" }).sign();
  const r = await fetch(s.url, { headers: s.headers });
  return { status: r.status, body: Buffer.from(await r.arrayBuffer()) };
}
async function objectAbsent(p, key) {
  const r = await signedGet(p, key);
  assert.equal(r.status, 404, `an object exists under uploads/${key} after the failed upload`);
}

describe("chaos: origin and STS faults, write-path failures", () => {
  let p;
  before(async () => {
    await clearFaults();
    await emu("sts-duration", { seconds: null });
    p = await proxy();
  });
  afterEach(async () => { // a failed test never leaves a fault armed, or a request stalled, for the next
    await clearFaults();
    await releaseStalls();
  });
  after(async () => {
    await clearFaults();
    await emu("sts-duration", { seconds: null });
    await Promise.all(proxies.map((x) => x.close().catch(() => {})));
    for (const d of tmpdirs) fs.rmSync(d, { recursive: true, force: true });
  });

  describe("origin, read path", () => {
    it("stall before headers → 503 + Retry-After within the backend timeout; the next request succeeds", async () => {
      await fault("s3", { mode: "stall", count: 1 });
      const r = await get(p, README);
      assertS3Error(r, 503, "ServiceUnavailable");
      assert.ok(r.ms >= TIMEOUT - 50, `answered after ${Math.round(r.ms)} ms, before the timeout`);
      within(r, TIMEOUT + SLACK, "a stalled origin");
      const [line] = await requestLogs(p, [r]);
      assert.match(line.detail, /backend timeout/, "answered by the backend timeout");
      await waitFor(async () => (await stats()).stalled_now, (n) => n === 0, "the proxy to drop the stalled connection");
      assert.equal((await get(p, README)).status, 200);
    });

    it("connection reset before headers → 503 + Retry-After at once", async () => {
      await fault("s3", { mode: "reset", count: 1 });
      const r = await get(p, README);
      assertS3Error(r, 503, "ServiceUnavailable");
      within(r, SLACK, "a reset");
      await notByTimeout(p, r, "a reset");
      assert.equal((await get(p, README)).status, 200);
    });

    it("a burst of 5xx (500, 502-like, 503 SlowDown) → each 503 + Retry-After; the next request succeeds", async () => {
      for (const [status, n] of [[500, 3], [503, 2]]) {
        await fault("s3", { mode: "status", status, count: n });
        for (let i = 0; i < n; i++) assertS3Error(await get(p, README), 503, "ServiceUnavailable");
      }
      const ok = await get(p, README);
      assert.equal(ok.status, 200);
      assert.match(ok.text, /Public test data/);
    });

    it("connection reset mid-body → a clean truncation: fewer bytes than Content-Length, each of them right", async () => {
      await fault("s3", { mode: "reset-body", after_bytes: 256 * 1024, count: 1 });
      const r = await readAsFarAsItGoes(p, BIG);
      assert.equal(r.status, 200);
      assert.equal(r.length, BIG_SIZE);
      assert.ok(r.bytes.length < BIG_SIZE, `all ${r.bytes.length} bytes arrived`);
      assert.ok(r.error, "the client is told the body broke off");
      assert.ok(r.bytes.equals(Buffer.from(BLOB.subarray(0, r.bytes.length))), "the bytes that arrived are the object's");
      const ok = await get(p, BIG);
      assert.equal(ok.status, 200);
      assert.ok(ok.body.equals(Buffer.from(BLOB)));
    });

    // A streamed body has no idle timer (a native pipe gives no signal, and timing every chunk in JavaScript would
    // cost every download), so with min_body_rate_kib_s set (these proxies: BODY_RATE_KIB_S) the core gives a body
    // larger than 256 KiB a deadline: the backend's timeout plus its length at that rate. A body that stalls after its headers ends short there, and the backend's
    // stream is cancelled: nothing waits for the client (or anyone) to give up. What must hold: the client has the
    // headers and the bytes sent so far, then a broken body within the deadline; the isolate keeps serving
    // meanwhile; the request's core state is gone; the backend connection is released.
    it("stall mid-body → the bytes so far, then a broken body at the deadline; the backend connection released", async () => {
      const before = await coreState(p);
      await fault("s3", { mode: "stall-body", after_bytes: 128 * 1024, count: 1 });
      const t0 = performance.now();
      const reading = readAsFarAsItGoes(p, BIG);
      await waitFor(async () => (await stats()).stalled_now, (n) => n === 1, "the backend to stall mid-body");
      assert.equal((await get(p, README)).status, 200, "the isolate serves others during the stall");
      const r = await reading;
      const ms = performance.now() - t0;
      const deadline = TIMEOUT + (BIG_SIZE / 1024 / BODY_RATE_KIB_S) * 1000;
      assert.equal(r.status, 200);
      assert.equal(r.length, BIG_SIZE);
      assert.ok(r.error, `the body must break off (got ${r.bytes.length} of ${BIG_SIZE} bytes)`);
      assert.ok(r.bytes.length < BIG_SIZE);
      assert.ok(r.bytes.equals(Buffer.from(BLOB.subarray(0, r.bytes.length))), "the bytes that arrived are the object's");
      assert.ok(ms >= deadline - 200, `cut at ${Math.round(ms)} ms, before its deadline of ${deadline} ms`);
      assert.ok(ms < deadline + SLACK, `cut at ${Math.round(ms)} ms, past its deadline of ${deadline} ms + ${SLACK}`);
      await waitFor(() => coreState(p), (s) => s.in_flight === before.in_flight, "the request state freed");
      await waitFor(async () => (await stats()).stalled_now, (n) => n === 0, "the proxy to drop the stalled backend body");
      const ok = await get(p, BIG);
      assert.ok(ok.body.equals(Buffer.from(BLOB)));
    });

    it("a slow trickle that keeps coming is delivered whole, even past the first-byte timeout", async () => {
      await fault("s3", { mode: "trickle", chunk_bytes: 8192, delay_ms: 300, count: 1 });
      const t0 = performance.now();
      const r = await get(p, BIG, { range: "bytes=0-65535" });
      assert.equal(r.status, 206);
      assert.ok(performance.now() - t0 > TIMEOUT, "the trickle outlasted the first-byte timeout");
      assert.ok(r.body.equals(Buffer.from(BLOB.subarray(0, 65536))));
    });

    for (const [what, spec] of [
      ["stalls mid-body", { mode: "stall-body", after_bytes: 100 }],
      ["trickles past the timeout", { mode: "trickle", chunk_bytes: 64, delay_ms: 400 }],
    ]) {
      it(`a listing (buffered, rewritten) whose body ${what} → 503 + Retry-After within the timeout`, async () => {
        await fault("s3", { ...spec, count: 1 });
        const r = await get(p, "/demo-org?list-type=2&prefix=public-data/");
        assertS3Error(r, 503, "ServiceUnavailable");
        within(r, TIMEOUT + SLACK, "a stalled listing");
        await waitFor(async () => (await stats()).stalled_now, (n) => n === 0, "the stalled listing released");
        assert.equal((await get(p, "/demo-org?list-type=2&prefix=public-data/")).status, 200);
      });
    }

    it("a listing cut off halfway (a complete HTTP answer, half an XML document) → 502 BadGateway", async () => {
      await fault("s3", { mode: "truncated", count: 1 });
      const r = await get(p, "/demo-org?list-type=2&prefix=public-data/");
      assertS3Error(r, 502, "BadGateway");
      assert.doesNotMatch(r.text, /public-bucket/, "no backend detail");
      assert.equal((await get(p, "/demo-org?list-type=2&prefix=public-data/")).status, 200);
    });
  });

  describe("STS", () => {
    // Each case on a fresh proxy: its role session is cold, so the request exchanges.
    const cases = [
      ["stalls", { mode: "stall" }, 503, "ServiceUnavailable"],
      ["answers 500", { mode: "status", status: 500 }, 503, "ServiceUnavailable"],
      ["answers 503 twice", { mode: "status", status: 503, count: 2 }, 503, "ServiceUnavailable"],
      ["resets", { mode: "reset" }, 503, "ServiceUnavailable"],
      ["answers garbage", { mode: "garbage" }, 502, "BadGateway"],
      ["answers half an XML document", { mode: "truncated" }, 502, "BadGateway"],
      ["hands out credentials that have already expired", { mode: "expired" }, 502, "BadGateway"],
    ];
    for (const [what, spec, status, code] of cases) {
      it(`STS ${what} → ${status} ${code} within the STS timeout; nothing is signed with bad credentials; then it recovers`, async () => {
        const f = await proxy();
        const before = await stats();
        await fault("sts", { count: 1, ...spec });
        for (let i = 0; i < (spec.count ?? 1); i++) {
          const r = await get(f, FED);
          assertS3Error(r, status, code);
          within(r, TIMEOUT + SLACK, `STS that ${what}`);
          assert.doesNotMatch(r.text, /Injected|sts|Expir/i, "STS details stay in the log");
        }
        const during = await stats();
        assert.equal(during.s3_requests, before.s3_requests, "no backend request was made without good credentials");
        const ok = await get(f, FED);
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.text, HELLO);
      });
    }

    it("a renewal that fails (STS 500) logs RenewCredentials failed; requests keep being served with the old credentials", async () => {
      await emu("sts-duration", { seconds: 64 }); // L1-fresh for ~4 s, then inside the 60 s refresh window
      const f = await proxy();
      assert.equal((await get(f, FED)).status, 200);
      const issued = Date.now(); // STS issued the credentials before this, however long the exchange took
      await emu("sts-duration", { seconds: null });
      await sleep(Math.max(0, issued + 5000 - Date.now())); // into the refresh window: a wait on the clock is the point
      await fault("sts", { mode: "status", status: 500, count: 1 });
      const before = await stats();
      const r = await get(f, FED);
      assert.equal(r.status, 200, "served with the current credentials while the renewal runs");
      const line = await waitFor(() => f.logs.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l))
        .find((l) => l.op === "RenewCredentials"), Boolean, "the renewal's log line");
      assert.equal(line.task, "background");
      assert.equal(line.outcome, "failed");
      assert.equal(line.code, "ServiceUnavailable");
      assert.match(line.detail, /sts HTTP 500/);
      assert.equal(line.role, ROLE);
      assert.equal(typeof line.total_ms, "number");
      assert.equal((await stats()).sts_exchanges - before.sts_exchanges, 1, "one renewal attempt");
      assert.equal((await get(f, FED)).status, 200);
    });

    for (const [what, bytes] of [["random bytes", crypto.randomBytes(300)], ["an empty entry", Buffer.alloc(0)]]) {
      it(`an L2 entry of ${what} is a miss, never an error: the request exchanges and succeeds`, async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-chaos-l2-"));
        tmpdirs.push(dir);
        const cfg = config();
        const session = JSON.parse(cfg).backends["fed-chaos"].auth.session_name;
        const key = `https://sts-creds.cache.internal/v1/${encodeURIComponent(ROLE)}/${encodeURIComponent(session)}`;
        const f = await proxy({ config: cfg, cachePersist: dir });
        await (await f.mf.getCaches()).default.put(key, new MfResponse(bytes, { headers: { "cache-control": "max-age=3000" } }));
        const before = await stats();
        const r = await get(f, FED);
        assert.equal(r.status, 200, r.text);
        assert.equal((await stats()).sts_exchanges - before.sts_exchanges, 1);
      });
    }
  });

  describe("write path", () => {
    const body = crypto.randomBytes(1024 * 1024);
    for (const [what, spec, bound, atOnce] of [
      ["answers 500", { mode: "status", status: 500 }, SLACK, true],
      ["resets mid-upload", { mode: "reset-upload", after_bytes: 64 * 1024 }, SLACK, true],
      ["stalls mid-upload", { mode: "stall-upload", after_bytes: 64 * 1024 }, TIMEOUT + SLACK, false],
    ]) {
      it(`the backend ${what} → 503 + Retry-After, and no object exists afterwards; the next PUT succeeds`, async () => {
        const key = `chaos/${spec.mode}-${process.pid}.bin`;
        await fault("s3", { ...spec, count: 1 });
        const r = await put(p, key, body);
        assert.equal(r.status, 503, r.text);
        assert.equal(xmlField(r.text, "Code"), "ServiceUnavailable");
        assert.equal(r.headers.get("retry-after"), "1");
        within(r, bound, `a backend that ${what}`);
        if (atOnce) await notByTimeout(p, r, `a backend that ${what}`);
        await waitFor(async () => (await stats()).stalled_now, (n) => n === 0, "the stalled upload released");
        await objectAbsent(p, key);
        const ok = await put(p, key, body);
        assert.equal(ok.status, 200, ok.text);
        assert.equal(sha256((await signedGet(p, key)).body), sha256(body));
      });
    }

    it("a client that aborts mid-upload leaves no object, and its request state is freed", async () => {
      const key = `chaos/client-abort-${process.pid}.bin`;
      const before = await coreState(p);
      const forwardedBefore = (await stats()).s3_forwarded;
      const s = await signedPut(p, key, body);
      const u = new URL(s.url);
      const head = [`PUT ${u.pathname}${u.search} HTTP/1.1`, `Host: ${u.host}`, `Content-Length: ${body.length}`,
        ...[...s.headers].filter(([k]) => k !== "host").map(([k, v]) => `${k}: ${v}`)].join("\r\n");
      await new Promise((resolve, reject) => {
        const sock = net.connect(Number(u.port), "127.0.0.1", () => {
          sock.write(`${head}\r\n\r\n`);
          sock.write(body.subarray(0, 100 * 1024), () => setTimeout(() => { sock.destroy(); resolve(); }, 200));
        });
        sock.on("error", reject);
      });
      await waitFor(() => coreState(p), (st) => st.in_flight === before.in_flight, "the aborted upload's state freed");
      await objectAbsent(p, key);
      assert.equal((await stats()).s3_forwarded, forwardedBefore + 1, "only the GET above reached moto, never the PUT");
      const ok = await put(p, key, body);
      assert.equal(ok.status, 200, ok.text);
    });
  });
});
