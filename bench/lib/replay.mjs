// Replays one request through a core's raw exports with the exact bytes js/core.mjs would write, so a loop times
// the wasm alone (no JS encoding or decoding).
import { Kind, Outcome } from "../../js/core.mjs";

// Records what the wrapper writes into the core's input buffer for req_begin and req_feed.
export function recorder(core) {
  const x = core.x;
  const log = [];
  const wrap = (name, lenArg) =>
    (...a) => {
      log.push({ name, bytes: new Uint8Array(core.memory.buffer, x.core_in(0), a[lenArg]).slice() });
      return x[name](...a);
    };
  core.x = { ...x, req_begin: wrap("req_begin", 0), req_feed: wrap("req_feed", 1) };
  return { log, stop: () => (core.x = x) };
}

// One GetObject through the wrapper: begin, Fetch, feed the origin's 200, Respond, Done, free.
export function getObjectCycle(core, path, headers, originHeaders, now) {
  const id = core.begin("GET", path, "", headers, false, now);
  const f = core.next(id, now);
  if (f.kind !== Kind.FETCH) throw new Error(`expected Fetch, got ${f.kind}`);
  core.feedFetch(id, { outcome: Outcome.OK, status: 200, headers: originHeaders, handle: 2 }, now);
  const r = core.next(id, now);
  if (r.kind !== Kind.RESPOND) throw new Error(`expected Respond, got ${r.kind}`);
  core.next(id, now);
  core.free(id);
  return { fetch: f, respond: r };
}

// Returns { beginToFetch(), cycle() }: raw-export loops bodies for one signed GetObject.
export function rawGetObject(core, path, headers, originHeaders, now) {
  const rec = recorder(core);
  const { fetch } = getObjectCycle(core, path, headers, originHeaders, now);
  rec.stop();
  const x = core.x;
  const [head, result] = rec.log.map((e) => e.bytes);
  const put = (b) => {
    new Uint8Array(x.memory.buffer, x.core_in(Math.max(head.length, result.length)), b.length).set(b);
    return b.length;
  };
  return {
    fetch,
    beginToFetch() {
      const id = x.req_begin(put(head), now);
      if (x.req_next(id, now) !== Kind.FETCH) throw new Error("no fetch");
      x.req_free(id);
    },
    cycle() {
      const id = x.req_begin(put(head), now);
      x.req_next(id, now);
      x.req_feed(id, put(result), now);
      x.req_next(id, now);
      x.req_next(id, now);
      x.req_free(id);
    },
  };
}
