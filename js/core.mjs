// The JavaScript side of the wasm ABI: instantiates a core module and encodes/decodes what crosses the boundary.
// Byte layouts are documented in host_shim/README.md; this file and host_shim/codec.cpp must agree.

export const Kind = Object.freeze({
  FETCH: 1, WAIT: 5, SPAWN: 6, RESPOND: 7, DONE: 8,
  // host primitives (results: ok, data, error)
  RANDOM: 9, SIGN_RS256: 10, SEAL: 11, OPEN: 12, CACHE_MATCH: 13, CACHE_PUT: 14,
  READ_BODY: 15, // the client's body read whole (small XML documents only), same result shape
  OPEN_CHUNKS: 16, // serve a chunk plan as one stream (js/chunks.mjs); answered like a Fetch
  CACHE_DELETE: 17,
  REGISTRY_GET: 18, // a namespace registry entry from a KV binding or the registry API (js/hostcalls.mjs), same result shape
  VERIFY_SIGNATURE: 19, // a JWS signature checked with a JWK (WebCrypto), same result shape: ok = it verifies
  FETCH_BATCH: 20, // Fetch actions performed concurrently (js/host.mjs), answered as one result of N fetch results in order
});
// SIGNED_CHUNKS (Fetch only): the handle's stream is signed aws-chunked; send it decoded (js/signed_chunks.mjs).
// CHECKED (Fetch only): send the handle's stream checked against its declared digests (js/checked_body.mjs).
export const Body = Object.freeze({ NONE: 0, BYTES: 1, HANDLE: 2, SIGNED_CHUNKS: 3, CHECKED: 4 });
export const Mode = Object.freeze({ STREAM: 0, BUFFER: 1, STREAM_UNLESS_ERROR: 2 });
// BODY_SIGNATURE_MISMATCH / BODY_MALFORMED / BODY_DIGEST_MISMATCH (an x-amz-checksum-*) / BODY_HASH_MISMATCH
// (x-amz-content-sha256): a SIGNED_CHUNKS or CHECKED body failed its check, so the fetch was aborted.
export const Outcome = Object.freeze({
  OK: 0, TIMEOUT: 1, NETWORK_ERROR: 2, BODY_TOO_LARGE: 3, BODY_SIGNATURE_MISMATCH: 4, BODY_MALFORMED: 5,
  BODY_DIGEST_MISMATCH: 6, BODY_HASH_MISMATCH: 7,
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ENOSYS = 52;

// Most strings crossing the boundary are short ASCII (methods, header names and values). For those a plain loop
// beats a TextEncoder/TextDecoder call, which crosses into the runtime per string; anything else takes the codec.
const SHORT = 64;

function writeString(s, mem, off) {
  if (s.length <= SHORT) {
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      mem[off + i] = c;
    }
    if (i === s.length) return i;
  }
  return encoder.encodeInto(s, mem.subarray(off)).written;
}

function readString(bytes, off, n) {
  if (n <= SHORT) {
    let s = "";
    for (let i = off; i < off + n; i++) {
      const c = bytes[i];
      if (c > 0x7f) return decoder.decode(bytes.subarray(off, off + n));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(bytes.subarray(off, off + n));
}

// Both toolchains' modules import a handful of WASI/Emscripten functions that the core never really needs
// (stdio, exit). Supply every import the module declares: known ones properly, the rest as ENOSYS stubs.
function importsFor(module, getMemory) {
  const known = {
    random_get(ptr, len) {
      crypto.getRandomValues(new Uint8Array(getMemory().buffer, ptr, len));
      return 0;
    },
    proc_exit(code) {
      throw new Error(`wasm core exited (${code})`);
    },
    emscripten_notify_memory_growth() {},
  };
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== "function") continue;
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = known[imp.name] ?? (() => ENOSYS);
  }
  return imports;
}

// The header sets of the actions on every request's path (Fetch, Respond) decode to a flat [name, value, …] list,
// which the host appends straight into the Response it makes or hands to fetch() as a plain object: a Headers
// built first costs workerd one more object and a copy of every entry. `headers` is the same set as a Headers
// object, built on first use (tests, chunk plans).
class HeaderList {
  get headers() {
    if (this.headersObject === undefined) {
      const h = new Headers();
      appendHeaders(h, this.headerList);
      this.headersObject = h;
    }
    return this.headersObject;
  }
}

class FetchAction extends HeaderList {
  constructor(method, url, headerList, body, timeoutMs, mode, maxBody, urlSecret, urlSecretHeader) {
    super();
    this.kind = Kind.FETCH;
    this.method = method;
    this.url = url;
    this.headerList = headerList;
    this.headersObject = undefined;
    this.body = body;
    this.timeoutMs = timeoutMs;
    this.mode = mode;
    this.maxBody = maxBody;
    this.urlSecret = urlSecret; // a Worker secret's name: the host appends its value (a SAS) to url (host.mjs)
    this.urlSecretHeader = urlSecretHeader;
  }
}

class RespondAction extends HeaderList {
  constructor(status, headerList, body, log) {
    super();
    this.kind = Kind.RESPOND;
    this.status = status;
    this.headerList = headerList;
    this.headersObject = undefined;
    this.body = body;
    this.log = log;
    this.background = [];
    this.bodyDeadlineMs = 0;
  }
}

// Appends a flat [name, value, …] list to a Headers (a repeated name keeps every value, as append does).
export function appendHeaders(target, list) {
  for (let i = 0; i < list.length; i += 2) target.append(list[i], list[i + 1]);
}

// The value of `name` (lower-case) in a flat list, or null: the first one, as Headers.get would give for a name the
// core sends once.
export function headerValue(list, name) {
  for (let i = 0; i < list.length; i += 2) if (list[i] === name) return list[i + 1];
  return null;
}

// A flat list as a fetch() init object, which workerd turns into the request's headers without a Headers object of
// ours in between. A list an object cannot hold exactly — a repeated name (a Headers object sends each value on
// its own line), or "__proto__" — goes as a Headers instead.
export function headersInit(list) {
  const o = {};
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i];
    if (name === "__proto__" || Object.hasOwn(o, name)) {
      const h = new Headers();
      appendHeaders(h, list);
      return h;
    }
    o[name] = list[i + 1];
  }
  return o;
}

export class Core {
  constructor(module) {
    let memory = null;
    this.instance = new WebAssembly.Instance(module, importsFor(module, () => memory));
    this.x = this.instance.exports;
    memory = this.x.memory;
    this.memory = memory;
    this.x._initialize?.();
    this.randomPool = new Uint32Array(512); // request ids (#random), filled on first use
    this.randomAt = this.randomPool.length;
  }

  // Views over wasm memory, rebuilt only when memory has grown (growth detaches the old buffer).
  #views() {
    if (this.buf !== this.memory.buffer) {
      this.buf = this.memory.buffer;
      this.u8 = new Uint8Array(this.buf);
      this.dv = new DataView(this.buf);
    }
  }

  // `parts` is a flat list of numbers (u32) and strings/Uint8Arrays (length-prefixed). Returns the byte length.
  #write(parts) {
    let max = 0;
    for (const p of parts) max += typeof p === "number" ? 4 : 4 + (typeof p === "string" ? p.length * 3 : p.length);
    const base = this.x.core_in(max);
    this.inBase = base;
    this.#views(); // after core_in: it may have grown memory
    const mem = this.u8, view = this.dv;
    let off = base;
    for (const p of parts) {
      if (typeof p === "number") {
        view.setUint32(off, p >>> 0, true);
        off += 4;
      } else if (typeof p === "string") {
        const written = writeString(p, mem, off + 4);
        view.setUint32(off, written, true);
        off += 4 + written;
      } else {
        view.setUint32(off, p.length, true);
        mem.set(p, off + 4);
        off += 4 + p.length;
      }
    }
    return off - base;
  }

  // Header pairs from an array of [name, value] or a Headers object (iterated in place, not copied).
  static #headerParts(parts, headers) {
    const at = parts.length;
    parts.push(0);
    if (Array.isArray(headers)) for (const [k, v] of headers) parts.push(k, v);
    else headers.forEach((v, k) => parts.push(k, v));
    parts[at] = (parts.length - at - 1) / 2;
  }

  // ---- decoding the core's output buffer ----
  #reader() {
    this.#views();
    const view = this.dv, bytes = this.u8;
    let off = this.x.core_out_ptr();
    const r = {
      u32() {
        const v = view.getUint32(off, true);
        off += 4;
        return v;
      },
      raw() {
        const n = r.u32();
        const b = bytes.slice(off, off + n);
        off += n;
        return b;
      },
      // A view into wasm memory, not a copy: valid only until the next call into the core (which may overwrite the
      // out buffer, or grow memory and detach it). Saves a 255 KB listing one copy and one allocation.
      view() {
        const n = r.u32();
        const b = bytes.subarray(off, off + n);
        off += n;
        return b;
      },
      str() {
        const n = r.u32();
        const s = readString(bytes, off, n);
        off += n;
        return s;
      },
      // Decoded straight into a Headers object: building one from [name, value] pairs costs workerd ~4x more.
      headers() {
        const n = r.u32();
        const hs = new Headers();
        for (let i = 0; i < n; i++) hs.append(r.str(), r.str());
        return hs;
      },
      // As a flat [name, value, name, value, …] list, for the actions on every request's path (HeaderList).
      headerList() {
        const n = r.u32();
        const list = new Array(2 * n);
        for (let i = 0; i < 2 * n; i++) list[i] = r.str();
        return list;
      },
      fetch() {
        return new FetchAction(r.str(), r.str(), r.headerList(), r.body(), r.u32(), r.u32(), r.u32(), r.str(), r.str());
      },
      body(view = false) {
        const kind = r.u32();
        if (kind === Body.BYTES) return { kind, bytes: view ? r.view() : r.raw() };
        if (kind === Body.HANDLE) return { kind, handle: r.u32() };
        if (kind === Body.SIGNED_CHUNKS) {
          return {
            kind, handle: r.u32(), signingKey: r.raw(), amzDate: r.str(), scope: r.str(), seedSignature: r.str(),
            decodedLength: Number(r.str()),
          };
        }
        if (kind === Body.CHECKED) {
          const handle = r.u32(), awsChunked = r.u32() === 1, length = Number(r.str());
          const digests = Array.from({ length: r.u32() }, () => ({ algorithm: r.str(), hex: r.u32() === 1, expected: r.str(), trailer: r.str() }));
          return { kind, handle, awsChunked, length, digests };
        }
        return { kind };
      },
    };
    return r;
  }

  // A random u32 for a request head (its request id: unique, not secret — secret-adjacent randomness comes from the
  // Random action). Drawn from a pool refilled 512 values at a time, not by one getRandomValues call per request.
  #random() {
    if (this.randomAt === this.randomPool.length) {
      crypto.getRandomValues(this.randomPool);
      this.randomAt = 0;
    }
    return this.randomPool[this.randomAt++];
  }

  // ---- the ABI ----
  // `env`: the secrets the core may read (js/init.mjs chooses them). The input buffer is zeroed once the core has
  // decoded it, so the secrets stay only where the core keeps them.
  init(configJson, env) {
    const parts = [configJson];
    Core.#headerParts(parts, Object.entries(env));
    parts.push(crypto.getRandomValues(new Uint8Array(32))); // the seed: a per-core listing-token key needs one
    const len = this.#write(parts);
    const status = this.x.core_init(len);
    const error = status === 0 ? "" : this.#outText();
    this.#views();
    this.u8.fill(0, this.inBase, this.inBase + len);
    return { ok: status === 0, error };
  }

  #outText() {
    const ptr = this.x.core_out_ptr();
    return decoder.decode(new Uint8Array(this.memory.buffer, ptr, this.x.core_out_len()));
  }

  // Returns the request id (0 if the head could not be encoded, which is a host bug).
  begin(method, path, query, headers, hasBody, now = Date.now()) {
    const parts = [method, path, query];
    Core.#headerParts(parts, headers);
    parts.push(hasBody ? 1 : 0, this.#random(), this.#random());
    return this.x.req_begin(this.#write(parts), now);
  }

  // `bodyView`: a Respond's bytes body comes as a view into wasm memory instead of a copy — only for a host that
  // uses it before its next call into the core (js/host.mjs hands it to new Response, which copies it).
  next(id, now = Date.now(), bodyView = false) {
    const kind = this.x.req_next(id, now);
    const r = this.#reader();
    switch (kind) {
      case Kind.FETCH:
        return r.fetch();
      case Kind.RESPOND: {
        const a = new RespondAction(r.u32(), r.headerList(), r.body(bodyView), r.str());
        for (let n = r.u32(); n > 0; n--) a.background.push(r.u32());
        a.bodyDeadlineMs = r.u32();
        return a;
      }
      case Kind.FETCH_BATCH:
        return { kind, fetches: Array.from({ length: r.u32() }, () => r.fetch()) };
      case Kind.OPEN_CHUNKS: {
        const a = { kind, storeHeaders: r.headers(), metaUrl: r.str(), parts: [] };
        for (let n = r.u32(); n > 0; n--) {
          a.parts.push({
            cacheUrl: r.str(), tag: r.str(), entityLength: r.u32(), offset: r.u32(), length: r.u32(), handle: r.u32(),
            store: r.u32() !== 0, fetch: r.fetch(),
          });
        }
        return a;
      }
      case Kind.WAIT:
        return { kind, timeoutMs: r.u32() };
      case Kind.SPAWN:
        return { kind, task: r.u32() };
      case Kind.RANDOM:
        return { kind, count: r.u32() };
      case Kind.READ_BODY:
        return { kind, maxBytes: r.u32(), deadlineMs: r.u32() };
      case Kind.SIGN_RS256:
        return { kind, secret: r.str(), data: r.raw() };
      case Kind.SEAL:
      case Kind.OPEN:
        return { kind, secret: r.str(), aad: r.raw(), data: r.raw() };
      case Kind.CACHE_MATCH:
      case Kind.CACHE_DELETE:
        return { kind, url: r.str() };
      case Kind.CACHE_PUT:
        return { kind, url: r.str(), headers: r.headers(), data: r.raw() };
      case Kind.REGISTRY_GET:
        return { kind, name: r.str(), source: r.str(), tokenSecret: r.str(), timeoutMs: r.u32() };
      case Kind.VERIFY_SIGNATURE:
        return { kind, alg: r.str(), jwk: r.str(), data: r.raw(), signature: r.raw() };
      default: // Done (any unknown kind is treated as one)
        return { kind: Kind.DONE, log: kind === Kind.DONE ? r.str() : "" };
    }
  }

  // result: { outcome, status, headers: Headers | [[k, v]], handle, body: Uint8Array|string, error, elapsedMs }
  // `kind`: FETCH, or OPEN_CHUNKS (whose result has the same shape).
  feedFetch(id, res, now = Date.now(), kind = Kind.FETCH) {
    const parts = [kind, res.outcome, res.status ?? 0];
    Core.#headerParts(parts, res.headers ?? []);
    parts.push(res.handle ?? 0, res.body ?? "", res.error ?? "", Math.round((res.elapsedMs ?? 0) * 1000));
    return this.x.req_feed(id, this.#write(parts), now);
  }

  // The results of a FETCH_BATCH, one per fetch it carried and in its order (each shaped as feedFetch's `res`).
  feedFetchBatch(id, results, now = Date.now()) {
    const parts = [Kind.FETCH_BATCH, results.length];
    for (const res of results) {
      parts.push(res.outcome, res.status ?? 0);
      Core.#headerParts(parts, res.headers ?? []);
      parts.push(res.handle ?? 0, res.body ?? "", res.error ?? "", Math.round((res.elapsedMs ?? 0) * 1000));
    }
    return this.x.req_feed(id, this.#write(parts), now);
  }

  feedWait(id, woken, now = Date.now()) {
    return this.x.req_feed(id, this.#write([Kind.WAIT, woken ? 1 : 0]), now);
  }

  // The result of a host primitive (Kind.RANDOM … Kind.READ_BODY): ok, output bytes, and why it failed (log only).
  feedHost(id, kind, ok, data = new Uint8Array(0), error = "", now = Date.now()) {
    return this.x.req_feed(id, this.#write([kind, ok ? 1 : 0, data, error]), now);
  }

  // The object whose metadata entry is `metaUrl` changed at the origin (a chunk fetch answered 412 mid-answer).
  forget(metaUrl) {
    this.x.core_forget(this.#write([metaUrl]));
  }

  free(id) {
    this.x.req_free(id);
  }

  wakeups() {
    const n = this.x.core_wakeups();
    if (n === 0) return [];
    this.#views();
    const base = this.x.core_out_ptr();
    return Array.from({ length: n }, (_, i) => this.dv.getUint32(base + i * 4, true));
  }

  inFlight() {
    return this.x.core_in_flight();
  }
}
