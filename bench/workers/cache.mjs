// The Cache API for raw `workerd serve`: an in-memory cache service. Raw workerd backs `caches.default` and
// `caches.open(name)` only when the Worker's config names a `cacheApiOutbound` service; bench/lib/workerd.mjs runs
// this Worker as that service in EVERY variant's workerd process (P, C, B, B′, Bf, Bc alike), so all of them run
// with the same Cache API; only the variants that call it (B's L2, Bc's chunk cache) use it.
//
// The protocol workerd speaks to cacheApiOutbound (workerd src/workerd/api/cache.c++; Miniflare's cache worker
// implements the same one):
//   match  → GET {key URL} with the key request's headers (Range, If-None-Match, …) and
//            `Cache-Control: only-if-cached`. Answer `CF-Cache-Status: HIT` + the stored response (status,
//            headers, body: workerd hands it to the script as is), or `CF-Cache-Status: MISS` (504): match() then
//            resolves to undefined.
//   put    → PUT {key URL}; the body is the response serialized as HTTP/1.1: status line, headers, CRLF, then the
//            raw body (never chunk-encoded, even when the serialized headers say `Transfer-Encoding: chunked`).
//            workerd itself refuses 206, 304 (silently) and `Vary: *`. Answer 204 (stored) or 413 (not stored).
//   delete → PURGE {key URL}. Answer 200 (deleted) or 404 (absent).
//   `CF-Cache-Namespace: NAME` marks the named caches of caches.open(NAME); absent for caches.default.
//
// What it honours, as Cloudflare's cache does for cache.put: `Cache-Control` s-maxage > max-age > `Expires`,
// else the default edge TTL by status (200/206/301: 2 h, 302/303: 20 min, 404/410: 3 min, others: not stored);
// `no-store`, `no-cache`, `private` and `Set-Cookie` (without `private=Set-Cookie`) are not stored. On match:
// one `Range` (`bytes=a-b`, `a-`, `-n`) of a stored 200 → 206 + Content-Range; unsatisfiable → 416; several
// ranges → the whole entry (allowed by RFC 9110); `If-None-Match` → 304.
// Entries live in this isolate's memory, bounded by CACHE_MAX_BYTES (text binding; default 256 MiB): least
// recently used first out, as an edge cache evicts. No `Age` header (Miniflare's stays 0 too).

const DEFAULT_MAX_BYTES = 256 << 20;
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
  "proxy-authenticate", "proxy-authorization", "content-length"]);
const DEFAULT_TTL_S = { 200: 7200, 206: 7200, 301: 7200, 302: 1200, 303: 1200, 404: 180, 410: 180 };

const entries = new Map(); // namespace + "\n" + url → { status, statusText, headers: [[k, v]], body, expires, etag }
let bytes = 0;
let maxBytes = 0;

export default {
  async fetch(request, env) {
    maxBytes ||= Number(env.CACHE_MAX_BYTES) || DEFAULT_MAX_BYTES;
    const key = `${request.headers.get("cf-cache-namespace") ?? ""}\n${request.url}`;
    switch (request.method) {
      case "GET":
        return match(key, request.headers);
      case "PUT":
        return put(key, new Uint8Array(await request.arrayBuffer()));
      case "PURGE":
        return new Response(null, { status: remove(key) ? 200 : 404 });
      default:
        return new Response(null, { status: 405 });
    }
  },
};

function miss() {
  return new Response(null, { status: 504, headers: { "cf-cache-status": "MISS" } });
}

function match(key, reqHeaders) {
  const e = entries.get(key);
  if (!e) return miss();
  if (e.expires <= Date.now()) {
    remove(key);
    return miss();
  }
  entries.delete(key); // most recently used goes last
  entries.set(key, e);
  const headers = new Headers(e.headers);
  headers.set("cf-cache-status", "HIT");
  const inm = reqHeaders.get("if-none-match");
  if (inm !== null && e.etag !== null && inm.split(",").some((t) => t.trim() === "*" || weak(t) === weak(e.etag)))
    return new Response(null, { status: 304, headers });
  const range = reqHeaders.get("range");
  if (range !== null && e.status === 200) {
    const r = parseRange(range, e.body.length);
    if (r === "unsatisfiable") {
      headers.set("content-range", `bytes */${e.body.length}`);
      return new Response(null, { status: 416, headers });
    }
    if (r) {
      headers.set("content-range", `bytes ${r.start}-${r.end}/${e.body.length}`);
      return new Response(e.body.subarray(r.start, r.end + 1), { status: 206, headers });
    }
  }
  return new Response(e.body, { status: e.status, statusText: e.statusText, headers });
}

function put(key, payload) {
  const parsed = parseResponse(payload);
  if (!parsed) return new Response(null, { status: 413 });
  const { status, statusText, headers, body } = parsed;
  const ttl = ttlSeconds(status, headers);
  if (!(ttl > 0) || body.length > maxBytes) return new Response(null, { status: 413 });
  remove(key);
  const etag = headers.find(([k]) => k === "etag")?.[1] ?? null;
  entries.set(key, { status, statusText, headers, body, expires: Date.now() + ttl * 1000, etag });
  bytes += body.length;
  for (const [k, e] of entries) {
    if (bytes <= maxBytes) break;
    entries.delete(k);
    bytes -= e.body.length;
  }
  return new Response(null, { status: 204 });
}

function remove(key) {
  const e = entries.get(key);
  if (!e) return false;
  entries.delete(key);
  bytes -= e.body.length;
  return true;
}

// "HTTP/1.1 200 OK\r\nName: value\r\n…\r\n\r\n" + body → { status, statusText, headers (lower-case names, hop-by-hop
// and Content-Length dropped), body }; null when it is not a response.
function parseResponse(payload) {
  let end = -1;
  for (let i = 0; i + 3 < payload.length; i++)
    if (payload[i] === 13 && payload[i + 1] === 10 && payload[i + 2] === 13 && payload[i + 3] === 10) {
      end = i;
      break;
    }
  if (end < 0) return null;
  let head = "";
  for (let i = 0; i < end; i++) head += String.fromCharCode(payload[i]); // the head is ASCII (latin1 at worst)
  const lines = head.split("\r\n");
  const m = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(lines[0]);
  if (!m) return null;
  const headers = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!HOP_BY_HOP.has(name)) headers.push([name, line.slice(colon + 1).trim()]);
  }
  let body = payload.subarray(end + 4);
  const declared = /^content-length:\s*(\d+)\s*$/im.exec(lines.join("\n"));
  if (declared && Number(declared[1]) < body.length) body = body.subarray(0, Number(declared[1]));
  return { status: Number(m[1]), statusText: m[2] ?? "", headers, body }; // a view: the payload's buffer is ours
}

// Seconds the entry stays fresh; 0 = not stored.
function ttlSeconds(status, headers) {
  const get = (n) => headers.find(([k]) => k === n)?.[1];
  const cc = {};
  for (const part of (get("cache-control") ?? "").toLowerCase().split(",")) {
    const [k, v] = part.trim().split("=", 2);
    if (k) cc[k] = v === undefined ? true : v.replace(/^"|"$/g, "");
  }
  if (cc["no-store"] || cc["no-cache"] === true || cc.private === true) return 0;
  if (get("set-cookie") !== undefined) {
    if (cc.private !== "set-cookie") return 0;
    for (let i = headers.length - 1; i >= 0; i--) if (headers[i][0] === "set-cookie") headers.splice(i, 1);
  }
  for (const d of ["s-maxage", "max-age"]) if (cc[d] !== undefined) return Number.parseInt(cc[d], 10) || 0;
  const expires = get("expires");
  if (expires !== undefined) return Math.floor((Date.parse(expires) - Date.now()) / 1000) || 0;
  return DEFAULT_TTL_S[status] ?? 0;
}

// One range of a body of `size` bytes: { start, end } (inclusive), "unsatisfiable", or null (several ranges or a
// malformed header: serve the whole entry).
function parseRange(header, size) {
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  let start, end;
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0) return "unsatisfiable";
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== "" && Number(m[2]) < start) return null;
  }
  return start >= size ? "unsatisfiable" : { start, end };
}

const weak = (tag) => tag.trim().replace(/^W\//, "");
