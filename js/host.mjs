// The action loop: drives one request (or background task) through the core, performing each action with the
// runtime's I/O. Object bodies stay here as streams ("handles"); the core only ever sees their numbers.
import { appendHeaders, Body, Core, headersInit, headerValue, Kind, Mode, Outcome } from "./core.mjs";
import { ReadTimeout, readBodyLimited, readLimited } from "./body.mjs";
import { performCall } from "./hostcalls.mjs";
import { openChunks, takeChangedObjects } from "./chunks.mjs";
import { checkBody } from "./checked_body.mjs";
import { decodeSignedChunks } from "./signed_chunks.mjs";

const CLIENT_BODY = 1; // handle of the client's request body

// Per-core host state. Parked tasks (Kind.WAIT) by id → { resolve, timer }: the core names the ones to wake after
// each feed. Task ids are the core's own, so the map belongs to one core: a fresh core after a trap reuses ids.
const parkedByCore = new WeakMap();
const retired = new WeakSet(); // cores that trapped: never called into again
const RETIRED = Symbol("core retired");

const parkedOf = (core) => {
  let m = parkedByCore.get(core);
  if (!m) parkedByCore.set(core, (m = new Map()));
  return m;
};

// Thrown into a task's loop when its core trapped meanwhile: the request answers S3 XML 500.
class CoreRetired extends Error {}

export const isRetired = (core) => retired.has(core);

// A trap (a core bug): the instance is never called again; its parked tasks resume at once and answer 500.
export function retire(core) {
  if (retired.has(core)) return;
  retired.add(core);
  const parked = parkedOf(core);
  for (const p of parked.values()) {
    clearTimeout(p.timer);
    p.resolve(RETIRED);
  }
  parked.clear();
}

function wakeParked(core) {
  const parked = parkedOf(core);
  for (const id of core.wakeups()) {
    const p = parked.get(id);
    if (p) {
      parked.delete(id);
      clearTimeout(p.timer);
      p.resolve(true);
    }
  }
}

function park(core, id, timeoutMs) {
  const parked = parkedOf(core);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      parked.delete(id);
      resolve(false);
    }, timeoutMs);
    parked.set(id, { resolve, timer });
  });
}

function unpark(core, id) {
  const p = parkedOf(core).get(id);
  if (p) {
    clearTimeout(p.timer);
    parkedOf(core).delete(id);
  }
}

// Releases a task's state in the core, then resumes whoever that release woke (a released leader of an STS
// exchange wakes its waiters, and one of them leads anew).
function freeTask(core, id) {
  if (retired.has(core)) return;
  core.free(id);
  wakeParked(core);
}

// The client's body on its way to the backend, and when it has been sent whole. A backend answers an upload only
// after its last byte, so the response timeout must start there, not when the upload starts (a 1 GiB PutObject
// takes longer than any first-byte timeout). The body goes through the runtime's native identity stream — a
// FixedLengthStream when the length is known, so the backend request keeps its Content-Length — whose pipe
// tells us when it is done at no per-chunk JavaScript cost. Hosts without these streams (node) send it as is.
function uploadBody(stream, length) {
  if (!stream || typeof IdentityTransformStream === "undefined") return { body: stream, sent: Promise.resolve() };
  const through = Number.isSafeInteger(length) && length >= 0 ? new FixedLengthStream(length) : new IdentityTransformStream();
  const sent = stream.pipeTo(through.writable);
  return { body: through.readable, sent };
}

// A signed-chunks or checked body the host refused, as the typed outcome the core answers the client with.
function refusedBody(err, started) {
  const outcome = err.kind === "signature" ? Outcome.BODY_SIGNATURE_MISMATCH
    : err.kind === "malformed" ? Outcome.BODY_MALFORMED
    : err.kind === "digest" ? Outcome.BODY_DIGEST_MISMATCH
    : err.kind === "content-sha256" ? Outcome.BODY_HASH_MISMATCH : Outcome.NETWORK_ERROR;
  return { outcome, status: 0, error: err.message, elapsedMs: Date.now() - started };
}

// A fetch whose URL carries a secret (an Azure SAS, FetchAction.urlSecret): the secret's value appended to the URL
// and, when the core names one, to a header holding a URL (Copy Blob's source). The core never holds the value.
// Returns the secret's value (to scrub from error texts), or null when the action names none; throws when the
// Worker secret is not set (the config said it was: it was removed since).
function applyUrlSecret(a, env) {
  if (!a.urlSecret) return null;
  let value = env?.[a.urlSecret];
  if (typeof value !== "string" || value === "") throw new Error(`Worker secret ${a.urlSecret} is not set`);
  if (value.startsWith("?")) value = value.slice(1);
  const append = (url) => url + (url.includes("?") ? "&" : "?") + value;
  a.url = append(a.url);
  if (a.urlSecretHeader) {
    const list = a.headerList.slice();
    for (let i = 0; i < list.length; i += 2) if (list[i] === a.urlSecretHeader) list[i + 1] = append(list[i + 1]);
    a.headerList = list;
    a.headersObject = undefined;
  }
  a.urlSecret = "";
  return value;
}

// An error text with a secret's value cut out (a runtime's message may quote the URL it was given).
const scrub = (text, secret) => (secret && typeof text === "string" ? text.split(secret).join("(secret)") : text);

// Performs a Fetch action. Never throws: timeouts and transport failures become typed results for the core.
async function performFetch(a, handles, env) {
  let secret = null;
  try {
    secret = applyUrlSecret(a, env);
  } catch (err) {
    return { outcome: Outcome.NETWORK_ERROR, status: 0, error: err.message, elapsedMs: 0 };
  }
  const res = await performFetchAs(a, handles);
  if (secret && res.error) res.error = scrub(res.error, secret);
  return res;
}

async function performFetchAs(a, handles) {
  const controller = new AbortController();
  let timer;
  const arm = () => (timer = setTimeout(() => controller.abort(), a.timeoutMs));
  const started = Date.now();
  const init = { method: a.method, headers: headersInit(a.headerList), signal: controller.signal, redirect: "manual" };
  if (a.body.kind === Body.BYTES) init.body = a.body.bytes;
  let sent = null; // an upload: settles when its last byte went on
  let decoded = null;
  if (a.body.kind === Body.HANDLE) {
    const declared = handles.lengths?.get(a.body.handle);
    const length = declared == null || declared === "" ? NaN : Number(declared);
    const upload = uploadBody(handles.get(a.body.handle) ?? null, length);
    init.body = upload.body;
    sent = upload.sent;
  } else if (a.body.kind === Body.SIGNED_CHUNKS) {
    decoded = decodeSignedChunks(handles.get(a.body.handle), a.body);
    init.body = decoded.body;
    sent = decoded.sent;
  } else if (a.body.kind === Body.CHECKED) {
    decoded = checkBody(handles.get(a.body.handle), a.body);
    init.body = decoded.body;
    sent = decoded.sent;
  }
  if (sent) {
    handles.delete(a.body.handle);
    init.duplex = "half";
    // The timeout runs once the body is sent; a body that breaks off (or fails its chunk check) aborts the upload
    // at once, so a backend never completes an object from part of it.
    sent.then(() => timer === undefined && arm(), () => controller.abort());
  } else {
    arm();
  }
  try {
    const resp = await fetch(a.url, init);
    if (decoded?.failure()) { // the backend answered before the body failed its check: the check decides
      resp.body?.cancel().catch(() => {});
      return refusedBody(decoded.failure(), started);
    }
    const result = { outcome: Outcome.OK, status: resp.status, headers: resp.headers, handle: 0, body: "" };
    const buffer = a.mode === Mode.BUFFER || (a.mode === Mode.STREAM_UNLESS_ERROR && resp.status >= 400);
    if (buffer) {
      if (timer === undefined) arm(); // a backend may answer (an error) before the upload ends
      const bytes = await readBodyLimited(resp, a.maxBody); // counts decoded bytes, stops at the cap
      if (bytes === null) result.outcome = Outcome.BODY_TOO_LARGE;
      else result.body = bytes;
    } else if (resp.body) {
      result.handle = handles.next++;
      handles.set(result.handle, resp.body);
    }
    result.elapsedMs = Date.now() - started;
    return result;
  } catch (err) {
    if (decoded?.failure()) return refusedBody(decoded.failure(), started);
    const timedOut = controller.signal.aborted && timer !== undefined;
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

// One fetch of a FETCH_BATCH: bodies are none or bytes (a stream can be sent once, and concurrently with nothing),
// answers buffered (no handle is made); anything else is a core bug, answered as a failed fetch, never performed.
function performBatchFetch(a, handles, env) {
  if ((a.body.kind !== Body.NONE && a.body.kind !== Body.BYTES) || a.mode !== Mode.BUFFER)
    return { outcome: Outcome.NETWORK_ERROR, status: 0, error: "a batched fetch streams a body", elapsedMs: 0 };
  return performFetch(a, handles, env);
}

// The client's body read whole for the core (DeleteObjects, CompleteMultipartUpload XML), never past `max` bytes.
// The client's small XML body, whole, within the core's byte limit and deadline ("timeout": the client was too
// slow; the rest is not read).
async function readClientBody(handles, max, deadlineMs) {
  const stream = handles.get(CLIENT_BODY);
  handles.delete(CLIENT_BODY);
  try {
    const bytes = await readLimited(stream, max, deadlineMs);
    return bytes === null ? { ok: false, error: `body larger than ${max} bytes` } : { ok: true, data: bytes };
  } catch (err) {
    if (err instanceof ReadTimeout) return { ok: false, error: "timeout" };
    return { ok: false, error: `client body: ${String(err?.message ?? err)}` };
  }
}

// A streamed body the core gave a deadline (a backend can stall after its headers, and a native pipe has no idle
// timer): piped through the runtime's identity stream, natively, with no per-chunk JavaScript; at the deadline the
// pipe is aborted, which ends the client's body short and cancels the backend's. (Aborting the fetch's own signal
// instead does not reach a body already handed to a Response in workerd; the extra pipe is why the bound is
// opt-in: ops/stream_deadline.h.) Hosts without these streams (node) pass the body as is.
function withDeadline(stream, ms, declaredLength) {
  if (typeof IdentityTransformStream === "undefined") return stream;
  const length = Number(declaredLength ?? NaN);
  const through = Number.isSafeInteger(length) && length >= 0 ? new FixedLengthStream(length) : new IdentityTransformStream();
  stream.pipeTo(through.writable, { signal: AbortSignal.timeout(ms) }).catch(() => {});
  return through.readable;
}

// The Response is made first and its own headers appended to: no Headers object of ours for workerd to copy.
// Call before anything else calls into the core: a bytes body is a view into wasm memory (Response copies it).
function toResponse(a, handles) {
  let body = null;
  if (a.body.kind === Body.BYTES) body = a.body.bytes;
  if (a.body.kind === Body.HANDLE) {
    body = handles.get(a.body.handle) ?? null;
    handles.delete(a.body.handle);
    if (body && a.bodyDeadlineMs > 0) body = withDeadline(body, a.bodyDeadlineMs, headerValue(a.headerList, "content-length"));
  }
  const response = new Response(body, { status: a.status });
  appendHeaders(response.headers, a.headerList);
  return response;
}

// Runs task `id` until it responds or is done. Returns the Response (client requests) or null (background tasks).
// `env` holds the Worker's secrets, which host primitives (signing, sealing) read by the name the core gives.
export async function runTask(core, id, ctx, handles, env) {
  for (;;) {
    if (retired.has(core)) throw new CoreRetired();
    const a = core.next(id, Date.now(), true); // a Respond's bytes body is a view: toResponse copies it at once
    switch (a.kind) {
      case Kind.FETCH: {
        const res = await performFetch(a, handles, env);
        if (retired.has(core)) throw new CoreRetired();
        core.feedFetch(id, res);
        wakeParked(core);
        break;
      }
      case Kind.FETCH_BATCH: {
        // All at once, each with its own timeout; one result per fetch, in order (performFetch never throws).
        const res = await Promise.all(a.fetches.map((f) => performBatchFetch(f, handles, env)));
        if (retired.has(core)) throw new CoreRetired();
        core.feedFetchBatch(id, res);
        wakeParked(core);
        break;
      }
      case Kind.WAIT: {
        const woken = await park(core, id, a.timeoutMs);
        if (woken === RETIRED || retired.has(core)) throw new CoreRetired();
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
      case Kind.CACHE_PUT:
      case Kind.CACHE_DELETE:
      case Kind.REGISTRY_GET:
      case Kind.VERIFY_SIGNATURE: {
        const res = await performCall(a, env);
        if (retired.has(core)) throw new CoreRetired();
        core.feedHost(id, a.kind, res.ok, res.data, res.error ?? "");
        wakeParked(core);
        break;
      }
      case Kind.READ_BODY: {
        const res = await readClientBody(handles, a.maxBytes, a.deadlineMs);
        if (retired.has(core)) throw new CoreRetired();
        core.feedHost(id, a.kind, res.ok, res.data, res.error ?? "");
        wakeParked(core);
        break;
      }
      case Kind.OPEN_CHUNKS: {
        let res, secrets = [];
        try {
          secrets = a.parts.map((p) => applyUrlSecret(p.fetch, env)).filter(Boolean);
        } catch (err) {
          res = { outcome: Outcome.NETWORK_ERROR, status: 0, error: err.message, elapsedMs: 0 };
        }
        res ??= await openChunks(a, handles, ctx);
        for (const s of secrets) if (res.error) res.error = scrub(res.error, s);
        if (retired.has(core)) throw new CoreRetired();
        core.feedFetch(id, res, Date.now(), Kind.OPEN_CHUNKS);
        wakeParked(core);
        break;
      }
      case Kind.RESPOND: {
        const response = toResponse(a, handles); // first: a background task's loop calls into the core at once
        if (a.log) console.log(a.log);
        for (const task of a.background) ctx.waitUntil(runBackground(core, task, ctx, env));
        return response;
      }
      default: // Done: a background task's outcome comes with it (a failed renewal is otherwise invisible)
        if (a.log) console.log(a.log);
        return null;
    }
  }
}

async function runBackground(core, id, ctx, env) {
  const handles = new Map();
  handles.next = 2;
  try {
    await runTask(core, id, ctx, handles, env);
  } catch (err) {
    if (!(err instanceof CoreRetired)) {
      retire(core); // a trap in a background task: the Worker replaces the core on its next request
      console.error(JSON.stringify({ level: "error", msg: "core failed in a background task; instance discarded", error: String(err) }));
    }
  } finally {
    freeTask(core, id);
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

// The request's headers as the client sent them, which is what its signature covers. The runtime (workerd, and
// Cloudflare's edge) replaces Accept-Encoding with its own ("br, gzip", present even when the client sent none)
// and keeps the client's value in request.cf.clientAcceptEncoding ("" for none). Clients sign Accept-Encoding
// (aws-sdk-go v1, hence rclone, on every GET), so the core must get the client's value, or no header at all; it
// never forwards Accept-Encoding to a backend. Without request.cf (a test harness calling handleRequest
// directly) the headers are taken as they are.
export function clientHeaders(request) {
  const sent = request.cf?.clientAcceptEncoding;
  if (typeof sent !== "string" || sent === request.headers.get("accept-encoding")) return request.headers;
  const list = [];
  request.headers.forEach((v, k) => {
    if (k !== "accept-encoding") list.push([k, v]);
  });
  if (sent !== "") list.push(["accept-encoding", sent]);
  return list;
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
  if (request.body) {
    handles.set(CLIENT_BODY, request.body);
    handles.lengths = new Map([[CLIENT_BODY, request.headers.get("content-length")]]);
  }
  let id;
  try {
    const changed = takeChangedObjects(); // null nearly always: objects found changed under an earlier answer
    if (changed) for (const url of changed) core.forget(url);
    id = core.begin(request.method, path, query, clientHeaders(request), request.body !== null);
  } catch (err) {
    retire(core);
    throw err;
  }
  if (id === 0) return internalError();
  // A client that goes away may take this promise chain with it (the runtime cancels the request's I/O and never
  // resumes it), so the `finally` below cannot be relied on: the abort signal frees the task too.
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    request.signal?.removeEventListener?.("abort", onAbort);
    unpark(core, id);
    freeTask(core, id);
    releaseHandles(handles);
  };
  const onAbort = () => finish();
  request.signal?.addEventListener?.("abort", onAbort);
  try {
    return (await runTask(core, id, ctx, handles, env)) ?? internalError();
  } catch (err) {
    if (err instanceof CoreRetired) return internalError(); // its core trapped while this request was in flight
    retire(core);
    throw err; // a trap in this request: the Worker logs it and answers 500
  } finally {
    finish();
  }
}

export { Core };
