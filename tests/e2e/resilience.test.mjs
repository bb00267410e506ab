// What must not leak or hang when things go wrong around a request: clients that go away mid-request (their core
// state is freed; an abandoned STS leader does not strand its waiters), a core that traps while others are in
// flight (they answer 500, the fresh core is unaffected), and bodies that decode past the cap (gzip).
// Waits are on observable state (emulator counters, the core's in-flight count), never on fixed sleeps.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { clearFaults, demoConfig, emu, EMU, releaseStalls, startProxy, withFault, xmlField } from "./harness.mjs";

const ROLE = "arn:aws:iam::123456789012:role/e2e/resilience";
let seq = 0;
const session = () => `e2e-resilience-${process.pid}-${++seq}`;

// demo-org/fed-r (public, so anonymous requests reach it) reads the private bucket through web-identity federation
// with its own session (cold L1 each time).
function config({ stsTimeoutMs } = {}) {
  return demoConfig((c) => {
    c.federation = { ...c.federation, issuer: "http://127.0.0.1:8787", sts_endpoint: EMU,
      ...(stsTimeoutMs ? { sts_timeout_ms: stsTimeoutMs } : {}) };
    c.backends["fed-r"] = { endpoint: EMU, bucket: "private-bucket", region: "us-east-1", timeout_ms: 10000,
      auth: { type: "web_identity", role_arn: ROLE, subject: "resilience", session_name: session() } };
    c.accounts["demo-org"].repositories["fed-r"] = { backend: "fed-r", prefix: "repos/secret-data/", public: true };
  });
}

const proxies = [];
async function proxy(opts) {
  const p = await startProxy({ config: config(opts), testHooks: true });
  proxies.push(p);
  return p;
}
const coreState = async (p) => (await fetch(`${p.url}/__test/core`)).json();

// Polls `probe` until `ok(value)`; fails with the last value after `timeoutMs` (a bound on a hang, not a measurement).
async function waitFor(probe, ok, timeoutMs = 20_000, what = "condition") {
  const deadline = Date.now() + timeoutMs;
  let v;
  for (;;) {
    v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
// The backend timeout (10 s, config/demo.json) can be what frees a request's state (see below): wait well past it.
const inFlight = (p, n, what) => waitFor(() => coreState(p), (s) => s.in_flight === n, 30_000, what ?? `core_in_flight == ${n}`);
const stat = (name) => async () => (await emu("stats"))[name];

// A request the test can abandon: { done: Promise<{status, body, ms}>, abort() }.
function start(p, path) {
  const ctl = new AbortController();
  const t0 = performance.now();
  const done = fetch(`${p.url}${path}`, { signal: ctl.signal })
    .then(async (r) => ({ status: r.status, body: await r.text(), ms: performance.now() - t0 }))
    .catch((err) => ({ status: 0, error: err.name, ms: performance.now() - t0 }));
  return { done, abort: () => ctl.abort() };
}
const FED = "/demo-org/fed-r/hello.txt";
const PUBLIC = "/demo-org/public-data/README.txt";

describe("resilience: abandoned requests, traps, decoded-size caps", () => {
  before(async () => {
    await clearFaults();
    await emu("sts-clock", { offset_seconds: 0 });
  });
  afterEach(async () => { // a test that failed midway never leaves a fault armed, or a request stalled, for the next
    await clearFaults();
    await releaseStalls();
  });
  after(async () => {
    await clearFaults();
    await Promise.all(proxies.map((p) => p.close().catch(() => {})));
  });

  // workerd 1.20260426 (Miniflare or raw) neither fires request.signal on a client disconnect nor drops the
  // request's promise chain, so locally the request runs on to its backend timeout and frees its state then; in
  // production js/host.mjs frees it on the abort signal. Either way nothing may stay behind.
  it("a client that goes away during a backend fetch: its core state is released and the next request succeeds", async () => {
    const p = await proxy();
    await inFlight(p, 0);
    const s3Before = await stat("s3_requests")();
    await emu("fault", { target: "s3", mode: "stall", count: 1 }); // disarmed and released by afterEach
    const r = start(p, PUBLIC);
    await waitFor(stat("s3_requests"), (n) => n > s3Before, 20_000, "the backend request");
    await inFlight(p, 1);
    r.abort();
    assert.equal((await r.done).status, 0);
    await inFlight(p, 0, "the aborted request's state freed");
    const ok = await start(p, PUBLIC).done;
    assert.equal(ok.status, 200);
    await inFlight(p, 0);
  });

  it("a trap while requests are in flight: they answer S3 XML 500 at once, the fresh core serves the next ones", async () => {
    // The leader's STS exchange stalls until the test releases it (STS timeout 60 s): "at once" is a matter of
    // order — the waiters must answer while the exchange they wait on is still stalled — not of milliseconds.
    const p = await proxy({ stsTimeoutMs: 60_000 });
    const { generation } = await coreState(p);
    const stsBefore = await stat("sts_exchanges")();
    const stalledBefore = await stat("stalled_now")();
    const leader = await withFault({ target: "sts", mode: "stall", count: 1 }, async () => {
      const leader = start(p, FED);
      await waitFor(stat("sts_exchanges"), (n) => n === stsBefore + 1, 20_000, "the leader's exchange");
      await waitFor(stat("stalled_now"), (n) => n === stalledBefore + 1, 20_000, "the leader's exchange stalled");
      const waiters = [start(p, FED), start(p, FED)];
      await inFlight(p, 3);
      await fetch(`${p.url}/__test/trap-next`, { method: "POST" });
      const trapped = await start(p, PUBLIC).done; // its req_begin "traps"
      assert.equal(trapped.status, 500);
      const fresh = await start(p, PUBLIC).done; // a fresh core, whose task ids restart
      assert.equal(fresh.status, 200);
      for (const w of waiters) {
        const r = await w.done;
        assert.equal(r.status, 500, r.body);
        assert.equal(xmlField(r.body, "Code"), "InternalError");
      }
      assert.equal(await stat("stalled_now")(), stalledBefore + 1, "the waiters answered while the leader's exchange was still stalled");
      return leader;
    }); // releases the stalled exchange: the leader's STS fetch ends now
    const l = await leader.done; // it must not feed the trapped core
    assert.equal(l.status, 500, l.body);
    const s = await coreState(p);
    assert.equal(s.generation, generation + 1);
    assert.equal(s.in_flight, 0);
    assert.equal((await start(p, FED).done).status, 200);
  });

  for (const [what, path, status] of [
    ["an error body", "/demo-org/public-data/README.txt", 404],
    ["a listing", "/demo-org?list-type=2&prefix=public-data/", 200],
  ]) {
    it(`${what} that decodes (gzip) past the cap is refused while reading, never buffered whole`, async () => {
      const p = await proxy();
      const before = await coreState(p);
      await emu("fault", { target: "s3", mode: "gzip-bomb", status, count: 1 });
      const r = await start(p, path).done;
      assert.ok(r.status >= 500, `status ${r.status}: ${r.body.slice(0, 200)}`);
      assert.equal(r.body.length < 4096, true, "an S3 XML error, not the decoded body");
      const after = await coreState(p);
      assert.ok(after.memory_bytes - before.memory_bytes < 8 << 20,
        `wasm memory grew by ${(after.memory_bytes - before.memory_bytes) >> 20} MiB`);
      assert.equal((await start(p, PUBLIC).done).status, 200);
    });
  }
});
