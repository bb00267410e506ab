// The edge chunk cache's byte side: serves a plan the core made (Kind.OPEN_CHUNKS: which aligned chunks, which
// bytes of each, where each may be found) as one stream. Bytes stay here, in streams; the core decides the plan
// and sees only the handle of the result. See worker/ops/cached_object.h for the decisions, and
// host_shim/README.md for the action's fields.
import { Outcome } from "./core.mjs";

// Chunks being fetched from the origin in this isolate, by cache URL → Promise<boolean> (true once the chunk is
// in the Cache API). A request that needs a chunk another one is fetching waits for it to be stored and reads it
// from there instead of asking the origin again.
const inflight = new Map();

// Metadata entries of objects found changed in the middle of an answer (a later part's fetch answered 412). The
// answer broke off; the host tells the core to forget these before its next request, so the client's retry
// learns the new version instead of breaking off again until the metadata expires.
const changed = new Set();
export function takeChangedObjects() {
  if (changed.size === 0) return null;
  const urls = [...changed];
  changed.clear();
  return urls;
}

// Why a part could not be served: a transport outcome, or the origin's status (412: the object changed).
class PartFailure extends Error {
  constructor(outcome, status, message) {
    super(message);
    this.outcome = outcome;
    this.status = status;
  }
}

const cacheApi = () => (typeof caches === "undefined" ? null : caches.default);

// `length` bytes from `offset` of `stream`; the rest of the source is cancelled. A source that ends early errors
// the result, so a client never gets a short body that looks whole. `onEnd` (optional) runs once it is over,
// whichever way.
function slice(stream, offset, length, onEnd = () => {}) {
  const reader = stream.getReader();
  let skip = offset;
  let left = length;
  return new ReadableStream({
    async pull(c) {
      for (;;) {
        if (left === 0) {
          c.close();
          onEnd();
          reader.cancel().catch(() => {});
          return;
        }
        let next;
        try {
          next = await reader.read();
        } catch (err) {
          onEnd();
          throw err;
        }
        const { value, done } = next;
        if (done) {
          onEnd();
          return c.error(new Error("chunk ended early"));
        }
        let v = value;
        if (skip >= v.byteLength) {
          skip -= v.byteLength;
          continue;
        }
        if (skip) v = v.subarray(skip);
        skip = 0;
        if (v.byteLength > left) v = v.subarray(0, left);
        left -= v.byteLength;
        c.enqueue(v);
        return;
      }
    },
    cancel(reason) {
      onEnd();
      return reader.cancel(reason).catch(() => {});
    },
  });
}

// A claim on a chunk in this isolate by the request that fetches it from the origin: a request that misses
// meanwhile waits for `ready` (true once the chunk is in the cache) instead of asking the origin again.
function claim(part) {
  let settle;
  const ready = new Promise((resolve) => (settle = resolve));
  inflight.set(part.cacheUrl, ready);
  const done = (ok) => {
    if (inflight.get(part.cacheUrl) === ready) inflight.delete(part.cacheUrl);
    settle(ok);
  };
  return { ready, done };
}

// A chunk's bytes arriving from the origin: one branch goes to the client, the other into the Cache API — through
// a fixed-length stream, so a chunk that is short or long fails to store instead of being kept wrong. The runtime
// moves the bytes; no JavaScript touches them on the way to the cache.
function store(part, plan, ctx, stream, claimed) {
  const [client, copy] = stream.tee();
  const cache = cacheApi();
  if (!cache || typeof FixedLengthStream === "undefined") {
    copy.cancel().catch(() => {});
    claimed.done(false);
    return client;
  }
  const fixed = new FixedLengthStream(part.entityLength);
  copy.pipeTo(fixed.writable).catch(() => {});
  const headers = new Headers(plan.storeHeaders);
  headers.set("x-s3p-chunk", part.tag);
  ctx.waitUntil(cache.put(part.cacheUrl, new Response(fixed.readable, { headers })).then(() => claimed.done(true), () => claimed.done(false)));
  return client;
}

// The part from the Cache API: the client's bytes via a ranged match — always ranged, even for the whole chunk,
// since the 206's Content-Range states the entry's full length, which a 200 need not — valid only if the entry
// carries the part's tag and is exactly the chunk's length. Anything else is a miss (null).
async function fromCache(part) {
  const cache = cacheApi();
  if (!cache) return null;
  const last = part.offset + part.length - 1;
  const req = new Request(part.cacheUrl, { headers: { range: `bytes=${part.offset}-${last}` } });
  const resp = await cache.match(req).catch(() => undefined);
  if (!resp) return null;
  const miss = () => {
    resp.body?.cancel().catch(() => {});
    return null;
  };
  if (resp.headers.get("x-s3p-chunk") !== part.tag) return miss();
  if (resp.status === 206) {
    if (resp.headers.get("content-range") !== `bytes ${part.offset}-${last}/${part.entityLength}`) return miss();
    return resp.body;
  }
  // A cache that ignored the Range: the whole entry, if its declared length is the chunk's.
  if (resp.status !== 200 || resp.headers.get("content-length") !== String(part.entityLength)) return miss();
  return slice(resp.body, part.offset, part.length);
}

// The part from the origin (a signed, ranged GET conditional on the ETag): the whole chunk, stored on the way —
// the timeout then covers the whole chunk, not just the headers, since others may be waiting for these bytes — or,
// for a chunk not admitted (`claimed` null), the client's bytes only, passed on as they come.
async function fromOrigin(part, plan, ctx, claimed) {
  const f = part.fetch;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), f.timeoutMs);
  let resp;
  try {
    resp = await fetch(f.url, { method: f.method, headers: f.headers, signal: controller.signal, redirect: "manual" });
  } catch (err) {
    clearTimeout(timer);
    claimed?.done(false);
    const timedOut = controller.signal.aborted;
    throw new PartFailure(timedOut ? Outcome.TIMEOUT : Outcome.NETWORK_ERROR, 0, String(err?.message ?? err));
  }
  const length = resp.headers.get("content-length");
  const expected = claimed ? part.entityLength : part.length;
  if ((resp.status !== 200 && resp.status !== 206) || length !== String(expected) || !resp.body) {
    clearTimeout(timer);
    claimed?.done(false);
    resp.body?.cancel().catch(() => {});
    throw new PartFailure(Outcome.OK, resp.status, `origin answered ${resp.status} (${length} bytes) for a chunk`);
  }
  if (!claimed) return { stream: slice(resp.body, 0, part.length, () => clearTimeout(timer)), source: "origin" };
  const client = store(part, plan, ctx, resp.body, claimed);
  claimed.ready.finally(() => clearTimeout(timer));
  return { stream: slice(client, part.offset, part.length), source: "origin" };
}

// One part as a stream of the client's bytes, from wherever it is: bytes already on their way (the discovery's
// fetch), a fetch of the same chunk in flight here, the Cache API, or the origin.
async function openPart(part, plan, handles, ctx) {
  if (part.handle) {
    const stream = handles.get(part.handle);
    handles.delete(part.handle);
    return { stream: slice(store(part, plan, ctx, stream, claim(part)), part.offset, part.length), source: "origin" };
  }
  const cached = await fromCache(part);
  if (cached) return { stream: cached, source: "cache" };
  // A miss. Checking for a fetch already under way and claiming the chunk happen with no await between them, so of
  // the requests that missed together exactly one fetches; the others wait for it to be stored.
  const pending = inflight.get(part.cacheUrl);
  if (pending && (await pending)) {
    const shared = await fromCache(part);
    if (shared) return { stream: shared, source: "shared" };
  }
  return fromOrigin(part, plan, ctx, part.store ? claim(part) : null);
}

// The answer: every part's stream piped in order into one fixed-length stream (the runtime moves the bytes, and
// sends the plan's Content-Length), each part opened while the previous one is sent. A part that fails aborts the
// answer: a client never gets bytes of two versions, or a silently short body.
function assemble(first, rest, total, plan, handles, ctx) {
  const out = typeof FixedLengthStream === "undefined" ? new TransformStream() : new FixedLengthStream(total);
  const open = (i) => {
    if (i >= rest.length) return null;
    const p = openPart(rest[i], plan, handles, ctx);
    p.catch(() => {}); // observed when its turn comes
    return p;
  };
  let next = null;
  (async () => {
    let current = first;
    for (let i = 0; ; i++) {
      next = open(i);
      await current.pipeTo(out.writable, { preventClose: true });
      if (!next) break;
      current = (await next).stream;
      next = null;
    }
    await out.writable.close();
  })().catch((err) => {
    out.writable.abort(err).catch(() => {});
    if (err instanceof PartFailure && err.status === 412) {
      changed.add(plan.metaUrl);
      ctx.waitUntil(cacheApi()?.delete(plan.metaUrl).catch(() => {}) ?? Promise.resolve());
    }
    next?.then((p) => p.stream.cancel().catch(() => {}), () => {}); // the part opened ahead, never to be sent
  });
  return out.readable;
}

// Performs an OPEN_CHUNKS action. The result has a Fetch result's shape: status 200 and the stream's handle, or
// why the first part could not be opened (the core then decides: learn the object again, or ask the origin).
export async function openChunks(a, handles, ctx) {
  const started = Date.now();
  let first;
  try {
    first = await openPart(a.parts[0], a, handles, ctx);
  } catch (err) {
    const e = err instanceof PartFailure ? err : new PartFailure(Outcome.NETWORK_ERROR, 0, String(err?.message ?? err));
    for (const p of a.parts) if (p.handle) handles.get(p.handle)?.cancel().catch(() => {});
    return { outcome: e.outcome, status: e.status, error: e.message, elapsedMs: Date.now() - started };
  }
  const total = a.parts.reduce((n, p) => n + p.length, 0);
  const stream = assemble(first.stream, a.parts.slice(1), total, a, handles, ctx);
  const handle = handles.next++;
  handles.set(handle, stream);
  return {
    outcome: Outcome.OK, status: 200, headers: [["x-s3p-source", first.source]], handle, elapsedMs: Date.now() - started,
  };
}
