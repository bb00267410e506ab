// The action loop: drives one request (or background task) through the core, performing each action with the
// runtime's I/O. Object bodies stay here as streams ("handles"); the core only ever sees their numbers.
import { Body, Core, Kind, Mode, Outcome } from "./core.mjs";
import { performCall } from "./hostcalls.mjs";

const CLIENT_BODY = 1; // handle of the client's request body

// Parked tasks (Kind.WAIT) by id → resolve(woken). The core names the ones to wake after each feed.
const waiters = new Map();

function wakeParked(core) {
  for (const id of core.wakeups()) {
    const resolve = waiters.get(id);
    if (resolve) {
      waiters.delete(id);
      resolve(true);
    }
  }
}

function park(id, timeoutMs) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiters.delete(id);
      resolve(false);
    }, timeoutMs);
    waiters.set(id, (woken) => {
      clearTimeout(timer);
      resolve(woken);
    });
  });
}

async function readLimited(stream, max) {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

// Performs a Fetch action. Never throws: timeouts and transport failures become typed results for the core.
async function performFetch(a, handles) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), a.timeoutMs);
  const started = Date.now();
  const init = { method: a.method, headers: a.headers, signal: controller.signal, redirect: "manual" };
  if (a.body.kind === Body.BYTES) init.body = a.body.bytes;
  if (a.body.kind === Body.HANDLE) {
    init.body = handles.get(a.body.handle) ?? null;
    handles.delete(a.body.handle);
    init.duplex = "half";
  }
  try {
    const resp = await fetch(a.url, init);
    const result = { outcome: Outcome.OK, status: resp.status, headers: resp.headers, handle: 0, body: "" };
    const buffer = a.mode === Mode.BUFFER || (a.mode === Mode.STREAM_UNLESS_ERROR && resp.status >= 400);
    if (buffer) {
      // A declared length within the limit is read in one call (chunk-by-chunk reads cost a listing ~20%).
      const declared = Number(resp.headers.get("content-length") ?? Infinity);
      const bytes = declared <= a.maxBody ? new Uint8Array(await resp.arrayBuffer()) : await readLimited(resp.body, a.maxBody);
      if (bytes === null) result.outcome = Outcome.BODY_TOO_LARGE;
      else result.body = bytes;
    } else if (resp.body) {
      result.handle = handles.next++;
      handles.set(result.handle, resp.body);
    }
    result.elapsedMs = Date.now() - started;
    return result;
  } catch (err) {
    const timedOut = controller.signal.aborted;
    return {
      outcome: timedOut ? Outcome.TIMEOUT : Outcome.NETWORK_ERROR,
      status: 0,
      error: timedOut ? `timeout after ${a.timeoutMs} ms` : String(err?.message ?? err),
      elapsedMs: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
  }
}

function toResponse(a, handles) {
  let body = null;
  if (a.body.kind === Body.BYTES) body = a.body.bytes;
  if (a.body.kind === Body.HANDLE) {
    body = handles.get(a.body.handle) ?? null;
    handles.delete(a.body.handle);
  }
  return new Response(body, { status: a.status, headers: a.headers });
}

// Runs task `id` until it responds or is done. Returns the Response (client requests) or null (background tasks).
// `env` holds the Worker's secrets, which host primitives (signing, sealing) read by the name the core gives.
export async function runTask(core, id, ctx, handles, env) {
  for (;;) {
    const a = core.next(id);
    switch (a.kind) {
      case Kind.FETCH: {
        const res = await performFetch(a, handles);
        core.feedFetch(id, res);
        wakeParked(core);
        break;
      }
      case Kind.WAIT: {
        const woken = await park(id, a.timeoutMs);
        core.feedWait(id, woken);
        wakeParked(core);
        break;
      }
      case Kind.SPAWN:
        ctx.waitUntil(runBackground(core, a.task, ctx, env));
        break;
      case Kind.RANDOM:
      case Kind.SIGN_RS256:
      case Kind.SEAL:
      case Kind.OPEN:
      case Kind.CACHE_MATCH:
      case Kind.CACHE_PUT: {
        const res = await performCall(a, env);
        core.feedHost(id, a.kind, res.ok, res.data, res.error ?? "");
        wakeParked(core);
        break;
      }
      case Kind.RESPOND:
        if (a.log) console.log(a.log);
        return toResponse(a, handles);
      default:
        return null;
    }
  }
}

async function runBackground(core, id, ctx, env) {
  const handles = new Map();
  handles.next = 2;
  try {
    await runTask(core, id, ctx, handles, env);
  } finally {
    core.free(id);
    releaseHandles(handles);
  }
}

function releaseHandles(handles) {
  for (const stream of handles.values()) stream?.cancel?.().catch(() => {});
  handles.clear();
}

// Minimal S3 XML for the one case the core cannot answer itself: the core trapped.
export function internalError() {
  const rid = [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>${rid}</RequestId></Error>`;
  return new Response(xml, { status: 500, headers: { "content-type": "application/xml", "x-amz-request-id": rid, "access-control-allow-origin": "*" } });
}

export async function handleRequest(core, request, ctx, env = {}) {
  // request.url is already normalised by the runtime; slicing it is cheaper than parsing it again with new URL().
  const url = request.url;
  const pathAt = url.indexOf("/", url.indexOf("//") + 2);
  const queryAt = pathAt < 0 ? -1 : url.indexOf("?", pathAt);
  const path = pathAt < 0 ? "/" : url.slice(pathAt, queryAt < 0 ? undefined : queryAt);
  const query = queryAt < 0 ? "" : url.slice(queryAt + 1);
  const handles = new Map();
  handles.next = 2;
  if (request.body) handles.set(CLIENT_BODY, request.body);
  const id = core.begin(request.method, path, query, request.headers, request.body !== null);
  if (id === 0) return internalError();
  try {
    return (await runTask(core, id, ctx, handles, env)) ?? internalError();
  } finally {
    core.free(id);
    releaseHandles(handles);
  }
}

export { Core };
