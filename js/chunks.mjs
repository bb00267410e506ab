// The edge chunk cache's byte side: serves a plan the core made (Kind.OPEN_CHUNKS: which aligned chunks, which
// bytes of each, where each may be found) as one stream. Bytes stay here, in streams; the core decides the plan
// and sees only the handle of the result. See worker/ops/cached_object.h for the decisions, and
// host_shim/README.md for the action's fields.
import { Outcome } from "./core.mjs";

// Chunks being fetched from the origin in this isolate, by cache URL → Promise<Uint8Array | null> (the whole
// chunk, or null if the fetch failed). A request that needs a chunk another one is fetching waits for those
// bytes instead of asking the origin again.
const inflight = new Map();

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
// the result, so a client never gets a short body that looks whole.
function slice(stream, offset, length) {
  const reader = stream.getReader();
  let skip = offset;
  let left = length;
  return new ReadableStream({
    async pull(c) {
      for (;;) {
        if (left === 0) {
          c.close();
          reader.cancel().catch(() => {});
          return;
        }
        const { value, done } = await reader.read();
        if (done) return c.error(new Error("chunk ended early"));
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
      return reader.cancel(reason).catch(() => {});
    },
  });
}

function bytesStream(bytes) {
  return new ReadableStream({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
}

// Reads a chunk whole (exactly `length` bytes, else null) for the cache and for the requests waiting on it.
async function collect(stream, length) {
  const out = new Uint8Array(length);
  const reader = stream.getReader();
  let at = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (at + value.byteLength > length) {
        reader.cancel().catch(() => {});
        return null;
      }
      out.set(value, at);
      at += value.byteLength;
    }
  } catch {
    return null;
  }
  return at === length ? out : null;
}

// A chunk's bytes arriving from the origin: one branch goes to the client, the other is read whole, shared with
// concurrent readers and stored. Registered before the first await, so that a request planned a moment later
// finds it.
// The entry stays registered until the chunk is in the Cache API, so no reader falls between the two.
function share(part, plan, ctx) {
  let settle;
  const bytes = new Promise((resolve) => (settle = resolve));
  inflight.set(part.cacheUrl, bytes);
  const unregister = () => inflight.get(part.cacheUrl) === bytes && inflight.delete(part.cacheUrl);
  const feed = (stream) => {
    const [client, copy] = stream.tee();
    const stored = collect(copy, part.entityLength).then(async (b) => {
      settle(b);
      const cache = cacheApi();
      if (b && cache) {
        const headers = new Headers(plan.storeHeaders);
        headers.set("x-s3p-chunk", part.tag);
        await cache.put(part.cacheUrl, new Response(b, { headers })).catch(() => {});
      }
      unregister();
    });
    ctx.waitUntil(stored);
    return client;
  };
  const fail = () => {
    settle(null);
    unregister();
  };
  return { feed, fail, bytes };
}

// The part from the Cache API: the client's bytes via a ranged match, valid only if the entry carries the part's
// tag and is exactly the chunk's length. Anything else is a miss (null).
async function fromCache(part) {
  const cache = cacheApi();
  if (!cache) return null;
  const whole = part.offset === 0 && part.length === part.entityLength;
  const last = part.offset + part.length - 1;
  const req = whole ? part.cacheUrl : new Request(part.cacheUrl, { headers: { range: `bytes=${part.offset}-${last}` } });
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
  if (resp.status !== 200 || resp.headers.get("content-length") !== String(part.entityLength)) return miss();
  return whole ? slice(resp.body, 0, part.length) : slice(resp.body, part.offset, part.length);
}

// The part from the origin (a signed, ranged GET conditional on the ETag). The timeout covers the whole chunk,
// not just the headers: others may be waiting for these bytes.
async function fromOrigin(part, plan, ctx) {
  const shared = share(part, plan, ctx);
  const f = part.fetch;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), f.timeoutMs);
  let resp;
  try {
    resp = await fetch(f.url, { method: f.method, headers: f.headers, signal: controller.signal, redirect: "manual" });
  } catch (err) {
    clearTimeout(timer);
    shared.fail();
    const timedOut = controller.signal.aborted;
    throw new PartFailure(timedOut ? Outcome.TIMEOUT : Outcome.NETWORK_ERROR, 0, String(err?.message ?? err));
  }
  const length = resp.headers.get("content-length");
  if ((resp.status !== 200 && resp.status !== 206) || length !== String(part.entityLength) || !resp.body) {
    clearTimeout(timer);
    shared.fail();
    resp.body?.cancel().catch(() => {});
    throw new PartFailure(Outcome.OK, resp.status, `origin answered ${resp.status} (${length} bytes) for a chunk`);
  }
  const client = shared.feed(resp.body);
  shared.bytes.finally(() => clearTimeout(timer));
  return { stream: slice(client, part.offset, part.length), source: "origin" };
}

// One part as a stream of the client's bytes, from wherever it is: bytes already on their way (the discovery's
// fetch), a fetch of the same chunk in flight here, the Cache API, or the origin.
async function openPart(part, plan, handles, ctx) {
  if (part.handle) {
    const stream = handles.get(part.handle);
    handles.delete(part.handle);
    const shared = share(part, plan, ctx);
    return { stream: slice(shared.feed(stream), part.offset, part.length), source: "origin" };
  }
  const pending = inflight.get(part.cacheUrl);
  if (pending) {
    const bytes = await pending;
    if (bytes) return { stream: bytesStream(bytes.subarray(part.offset, part.offset + part.length)), source: "shared" };
  }
  const cached = await fromCache(part);
  if (cached) return { stream: cached, source: "cache" };
  return fromOrigin(part, plan, ctx);
}

// The parts after the first, one after another, each opened while the previous one is read (one ahead). A part
// that fails ends the stream with an error: a client never gets bytes of two versions, or a silently short body.
function concat(first, rest, plan, handles, ctx) {
  let reader = first.getReader();
  let index = 0;
  const open = (i) => (i < rest.length ? openPart(rest[i], plan, handles, ctx) : null);
  let next = open(0);
  next?.catch(() => {}); // observed below; never an unhandled rejection meanwhile
  return new ReadableStream({
    async pull(c) {
      for (;;) {
        const { value, done } = await reader.read();
        if (!done) return c.enqueue(value);
        if (!next) return c.close();
        try {
          reader = (await next).stream.getReader();
        } catch (err) {
          return c.error(err);
        }
        next = open(++index);
        next?.catch(() => {});
      }
    },
    cancel(reason) {
      reader.cancel(reason).catch(() => {});
      next?.then((p) => p.stream.cancel().catch(() => {}), () => {});
    },
  });
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
  let stream = a.parts.length === 1 ? first.stream : concat(first.stream, a.parts.slice(1), a, handles, ctx);
  // The answer's Content-Length is the plan's: a native fixed-length stream makes the runtime send it.
  const total = a.parts.reduce((n, p) => n + p.length, 0);
  if (typeof FixedLengthStream !== "undefined") {
    const fixed = new FixedLengthStream(total);
    stream.pipeTo(fixed.writable).catch(() => {});
    stream = fixed.readable;
  }
  const handle = handles.next++;
  handles.set(handle, stream);
  return {
    outcome: Outcome.OK, status: 200, headers: [["x-s3p-source", first.source]], handle, elapsedMs: Date.now() - started,
  };
}
