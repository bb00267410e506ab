// js/body.mjs readLimited(stream, max, deadlineMs): the host's read of a client's small XML body (DeleteObjects,
// CompleteMultipartUpload) within the core's byte limit and deadline. A client that sends a few bytes and then
// nothing must not hold the request (and its Worker) open: after the deadline the read is abandoned, the stream
// cancelled and ReadTimeout thrown (the host answers 400 RequestTimeout). No wasm and no network: plain streams.
//
// The timings are bounds on a hang, generous for a loaded 2-core machine, never measurements: a read that should
// time out is raced against a guard several seconds long, so a read without its deadline fails the test (instead
// of hanging it) and a slow machine does not.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReadTimeout, readLimited } from "../../js/body.mjs";

const DEADLINE_MS = 50;
const GUARD_MS = 5_000; // far beyond DEADLINE_MS: only a read that never times out reaches it
const bytes = (s) => new TextEncoder().encode(s);
const text = (b) => new TextDecoder().decode(b);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A stream that enqueues `chunks` (each after `gapMs`), then ends if `end`, else stays open forever.
// `cancelled` records the cancel callback's calls.
function source(chunks, { gapMs = 0, end = true } = {}) {
  const cancelled = [];
  let timer;
  const stream = new ReadableStream({
    async start(controller) {
      for (const c of chunks) {
        if (gapMs) await new Promise((r) => (timer = setTimeout(r, gapMs)));
        if (cancelled.length) return;
        controller.enqueue(bytes(c));
      }
      if (end) controller.close();
    },
    cancel(reason) {
      clearTimeout(timer);
      cancelled.push(reason);
    },
  });
  return { stream, cancelled };
}

// A stream that keeps sending a chunk every `everyMs` and never ends (a client trickling bytes). Its interval is
// unref'd and stop() ends it: a read that is never cancelled fails its test without keeping node alive.
function trickle(everyMs) {
  const cancelled = [];
  let timer, sent = 0;
  const stream = new ReadableStream({
    start(controller) {
      timer = setInterval(() => {
        controller.enqueue(bytes("<a/>"));
        sent++;
      }, everyMs);
      timer.unref();
    },
    cancel(reason) {
      clearInterval(timer);
      cancelled.push(reason);
    },
  });
  return { stream, cancelled, sent: () => sent, stop: () => clearInterval(timer) };
}

// Settles `promise` or gives up after GUARD_MS: { value } | { error } | { hung: true }, with the time it took.
async function settle(promise) {
  const started = performance.now();
  let guard;
  const hung = new Promise((r) => (guard = setTimeout(r, GUARD_MS, { hung: true })));
  try {
    const out = await Promise.race([promise.then((value) => ({ value }), (error) => ({ error })), hung]);
    return { ...out, ms: performance.now() - started };
  } finally {
    clearTimeout(guard);
  }
}

describe("readLimited: the deadline", () => {
  it("a body that sends a few bytes and never ends → ReadTimeout after the deadline, and the stream is cancelled", async () => {
    const { stream, cancelled } = source(["<Delete><Obj"], { end: false });
    const out = await settle(readLimited(stream, 1 << 20, DEADLINE_MS));
    assert.ok(!out.hung, `readLimited was still waiting ${GUARD_MS} ms later: no deadline`);
    assert.ok(out.error, `rejects (got ${JSON.stringify(out.value)})`);
    assert.ok(out.error instanceof ReadTimeout, `a ReadTimeout, not ${out.error}`);
    // (Not timed: node's timers run on a loop clock that can lag performance.now() by many ms on a loaded machine.)
    // reader.cancel() runs the source's cancel callback; give it the microtasks it needs.
    await sleep(0);
    assert.equal(cancelled.length, 1, "the stream's cancel callback was called");
  });

  it("a body that sends nothing at all → ReadTimeout, the stream cancelled", async () => {
    const { stream, cancelled } = source([], { end: false });
    const out = await settle(readLimited(stream, 1 << 20, DEADLINE_MS));
    assert.ok(!out.hung, "no deadline");
    assert.ok(out.error instanceof ReadTimeout, `a ReadTimeout, not ${out.error ?? JSON.stringify(out.value)}`);
    await sleep(0);
    assert.equal(cancelled.length, 1);
  });

  // A deadline for the whole body, not an idle timeout: bytes arriving every few ms do not extend it.
  it("a body that trickles bytes every 5 ms without end → ReadTimeout all the same (a deadline on the whole body)", async () => {
    const t = trickle(5);
    let out;
    try {
      out = await settle(readLimited(t.stream, 1 << 20, DEADLINE_MS));
    } finally {
      t.stop(); // whatever readLimited did: a read left waiting gets no more bytes
    }
    assert.ok(!out.hung, "the trickle kept the read alive: the deadline is not on the whole body");
    assert.ok(t.sent() >= 2, `bytes kept arriving during the read (${t.sent()} chunks)`);
    assert.ok(out.error instanceof ReadTimeout, `a ReadTimeout, not ${out.error ?? JSON.stringify(out.value)}`);
    await sleep(0);
    assert.equal(t.cancelled.length, 1, "the stream's cancel callback was called");
  });

  it("a body that ends within the deadline is returned whole (several chunks)", async () => {
    const parts = ["<Delete>", "<Object><Key>a</Key></Object>", "<Object><Key>b</Key></Object>", "</Delete>"];
    const { stream, cancelled } = source(parts, { gapMs: 2 });
    const out = await settle(readLimited(stream, 1 << 20, 5_000));
    assert.ok(!out.hung && !out.error, `${out.error}`);
    assert.ok(out.value instanceof Uint8Array);
    assert.equal(text(out.value), parts.join(""));
    assert.equal(cancelled.length, 0, "a body read to its end is not cancelled");
  });

  it("a body of exactly max bytes is returned; one byte more → null and the stream is cancelled", async () => {
    const exact = source(["12345", "67890"]);
    assert.equal(text(await readLimited(exact.stream, 10, 5_000)), "1234567890");
    const over = source(["12345", "67890", "1"], { end: false }); // would never end: only the limit can stop it
    const out = await settle(readLimited(over.stream, 10, 5_000));
    assert.ok(!out.hung && !out.error, `${out.error}`);
    assert.equal(out.value, null);
    await sleep(0);
    assert.equal(over.cancelled.length, 1, "the rest is not read");
  });

  it("over max without a deadline → null as well", async () => {
    const over = source(["x".repeat(64), "y".repeat(64)], { end: false });
    assert.equal(await readLimited(over.stream, 100), null);
    await sleep(0);
    assert.equal(over.cancelled.length, 1);
  });

  // The default, and an explicit 0: no deadline; a body that ends long after DEADLINE_MS is still read whole.
  for (const [name, args] of [["deadlineMs 0", [0]], ["no deadlineMs", []]]) {
    it(`${name}: a slow body (ending after ~${DEADLINE_MS * 4} ms) is waited for and returned whole`, async () => {
      const parts = ["slow", " but ", "complete"];
      const { stream, cancelled } = source(parts, { gapMs: DEADLINE_MS * 4 / parts.length });
      const started = performance.now();
      const out = await settle(readLimited(stream, 1 << 20, ...args));
      assert.ok(!out.hung && !out.error, `${out.error}`);
      assert.equal(text(out.value), parts.join(""));
      assert.ok(performance.now() - started >= DEADLINE_MS, "it did wait past what a deadline would allow");
      assert.equal(cancelled.length, 0);
    });
  }

  it("no stream (a request without a body) → an empty body, whatever the deadline", async () => {
    for (const d of [0, DEADLINE_MS]) {
      const out = await readLimited(null, 10, d);
      assert.ok(out instanceof Uint8Array);
      assert.equal(out.length, 0);
    }
  });
});
