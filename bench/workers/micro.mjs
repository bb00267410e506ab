// Micro-costs inside workerd (bench/micro.mjs drives it): GET /?op=NAME&k=K runs operation NAME K times and
// answers 204. workerd's clocks do not advance while a request computes, so the cost is read from the process's
// CPU time (utime+stime) over many requests, minus op=noop, divided by K.
import coreModule from "../../dist/core.wasm";
import { Core } from "../../js/core.mjs";
import { getObjectCycle, rawGetObject } from "../lib/replay.mjs";

const enc = new TextEncoder();
const dec = new TextDecoder();
const S40 = "x-amz-content-sha256: UNSIGNED-PAYLOAD..";
const B40 = enc.encode(S40);
const CLIENT = [["host", "127.0.0.1:8787"], ["user-agent", "hey/0.0.1"], ["content-type", "text/html"]];
const ORIGIN = [
  ["accept-ranges", "bytes"], ["content-length", "1024"], ["content-type", "application/octet-stream"],
  ["date", "Thu, 26 Nov 2026 12:00:00 GMT"], ["etag", '"6b082d97-400"'], ["last-modified", "Thu, 26 Nov 2026 11:00:00 GMT"],
  ["server", "nginx/1.22.1"],
];
const RESPOND = [
  ["accept-ranges", "bytes"], ["content-length", "1024"], ["content-type", "application/octet-stream"],
  ["etag", '"6b082d97-400"'], ["last-modified", "Thu, 26 Nov 2026 11:00:00 GMT"], ["access-control-allow-origin", "*"],
  ["access-control-expose-headers", "ETag, Content-Length, Content-Range, Content-Type, Accept-Ranges, Last-Modified, x-amz-request-id, x-amz-version-id, x-amz-delete-marker, Server-Timing"],
  ["server-timing", "backend;dur=1.0, total;dur=1.0"], ["x-amz-request-id", "7143CFEC00774FB9"],
];
const RESPOND_OBJ = Object.fromEntries(RESPOND);
const FETCH5 = [["x-amz-date", "20261126T120000Z"], ["x-amz-content-sha256", "UNSIGNED-PAYLOAD"],
  ["authorization", "AWS4-HMAC-SHA256 Credential=AKIDBENCHBENCHBENCH1/20261126/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"]];
const PREBUILT = new Headers(RESPOND);
const ORIGIN_RESPONSE = new Response(null, { headers: ORIGIN });
const LOG = '{"rid":"0C3EE5EAFADFFE1D","op":"GetObject","method":"GET","path":"/acme/climate/obj-1k","status":200,"bytes":"1024","creds":"static","backend_ms":3,"backend_status":200,"total_ms":28}';

// A canonical request and string to sign of the size SigV4 hashes for a GetObject.
const CREQ = enc.encode("GET\n/bench-bucket/datasets/climate/obj-1k\n\nhost:127.0.0.1:9\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n" +
  "x-amz-date:20261126T120000Z\n\nhost;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD");
const STS = enc.encode("AWS4-HMAC-SHA256\n20261126T120000Z\n20261126/us-east-1/s3/aws4_request\n" + "0".repeat(64));
let hmacKey = null;

let core, raw, rawAnon, mem, sink = 0;
function setup(env) {
  core = new Core(coreModule);
  const strings = Object.fromEntries(Object.entries(env).filter(([k, v]) => typeof v === "string" && k !== "S3P_CONFIG"));
  const { ok, error } = core.init(env.S3P_CONFIG, strings);
  if (!ok) throw new Error(error);
  raw = rawGetObject(core, env.OBJECT_PATH, CLIENT, ORIGIN, Date.now());
  rawAnon = rawGetObject(core, env.OBJECT_PATH_ANONYMOUS, CLIENT, ORIGIN, Date.now());
  mem = new Uint8Array(core.memory.buffer);
}

const OPS = {
  noop: () => {},
  encodeInto: () => (sink += enc.encodeInto(S40, mem.subarray(4096)).written),
  encodeJs: () => { // a JS loop writing ASCII (what a Latin-1 fast path would do)
    for (let i = 0; i < S40.length; i++) mem[4096 + i] = S40.charCodeAt(i);
  },
  decode: () => (sink += dec.decode(B40.subarray(0, 40)).length),
  decodeLatin1: () => (sink += String.fromCharCode.apply(null, B40.subarray(0, 40)).length),
  newUint8ArrayView: () => (sink += new Uint8Array(core.memory.buffer).length),
  newDataView: () => (sink += new DataView(core.memory.buffer).byteLength),
  wasmCall: () => (sink += core.x.core_out_len()),
  getRandomValues: () => (sink += crypto.getRandomValues(new Uint32Array(2))[0]),
  headersSpread: (req) => (sink += [...req.headers].length),
  abortTimer: () => {
    const c = new AbortController();
    clearTimeout(setTimeout(() => c.abort(), 10000));
  },
  response9: () => (sink += new Response(null, { status: 200, headers: RESPOND }).status),
  headers9: () => (sink += new Headers(RESPOND).has("etag") ? 1 : 0),
  headers9obj: () => (sink += new Headers(RESPOND_OBJ).has("etag") ? 1 : 0),
  headers1: () => (sink += new Headers([["etag", "x"]]).has("etag") ? 1 : 0),
  headers0: () => (sink += new Headers().has("etag") ? 1 : 0),
  headersSet9: () => {
    const h = new Headers();
    for (const [k, v] of RESPOND) h.set(k, v);
    sink += h.has("etag") ? 1 : 0;
  },
  response0: () => (sink += new Response(null, { status: 200 }).status),
  responseFromHeaders: () => (sink += new Response(null, { status: 200, headers: PREBUILT }).status),
  responseFromResponse: () => (sink += new Response(null, ORIGIN_RESPONSE).status),
  request0: () => (sink += new Request("http://127.0.0.1:9/bench-bucket/datasets/climate/obj-1k").method.length),
  request3: () => (sink += new Request("http://127.0.0.1:9/bench-bucket/datasets/climate/obj-1k", { headers: FETCH5 }).method.length),
  originHeadersSpread: () => (sink += [...ORIGIN_RESPONSE.headers].length),
  headersAppend9: () => {
    const h = new Headers();
    for (let i = 0; i < RESPOND.length; i++) h.append(RESPOND[i][0], RESPOND[i][1]);
    sink += h.has("etag") ? 1 : 0;
  },
  // The Respond path's two shapes: a Headers built by append and handed to the Response (which copies it), or the
  // Response made first and its own headers appended to (no second Headers, no copy).
  responseAppend9: () => {
    const h = new Headers();
    for (let i = 0; i < RESPOND.length; i++) h.append(RESPOND[i][0], RESPOND[i][1]);
    sink += new Response(null, { status: 200, headers: h }).status;
  },
  responseOwnAppend9: () => {
    const r = new Response(null, { status: 200 });
    const h = r.headers;
    for (let i = 0; i < RESPOND.length; i++) h.append(RESPOND[i][0], RESPOND[i][1]);
    sink += r.status;
  },
  // The Fetch path: a Request from a Headers built by append, or made bare and its own headers appended to.
  requestAppend3: () => {
    const h = new Headers();
    for (let i = 0; i < FETCH5.length; i++) h.append(FETCH5[i][0], FETCH5[i][1]);
    sink += new Request("http://127.0.0.1:9/bench-bucket/datasets/climate/obj-1k", { headers: h }).method.length;
  },
  requestOwnAppend3: () => {
    const r = new Request("http://127.0.0.1:9/bench-bucket/datasets/climate/obj-1k");
    const h = r.headers;
    for (let i = 0; i < FETCH5.length; i++) h.append(FETCH5[i][0], FETCH5[i][1]);
    sink += r.method.length;
  },
  requestObj3: () => {
    const h = {};
    for (let i = 0; i < FETCH5.length; i++) h[FETCH5[i][0]] = FETCH5[i][1];
    sink += new Request("http://127.0.0.1:9/bench-bucket/datasets/climate/obj-1k", { headers: h }).method.length;
  },
  responseOwnSet9: () => {
    const r = new Response(null, { status: 200 });
    const h = r.headers;
    for (let i = 0; i < RESPOND.length; i++) h.set(RESPOND[i][0], RESPOND[i][1]);
    sink += r.status;
  },
  requestSignal: (req) => (sink += req.signal ? 1 : 0),
  requestSignalListen: (req) => {
    const f = () => {};
    req.signal.addEventListener("abort", f);
    req.signal.removeEventListener("abort", f);
  },
  headersForEach: (req) => {
    const out = [];
    req.headers.forEach((v, k) => out.push(k, v));
    sink += out.length;
  },
  decodeJsLoop: () => { // short ASCII strings decoded in JS
    let s = "";
    for (let i = 0; i < 40; i++) s += String.fromCharCode(B40[i]);
    sink += s.length;
  },
  consoleLog: () => console.log(LOG),
  dateNow: () => (sink += Date.now()),
  wasmCycle: () => raw.cycle(),
  wasmBeginToFetch: () => raw.beginToFetch(),
  wasmBeginToFetchAnonymous: () => rawAnon.beginToFetch(), // the same to an unsigned backend: the difference is SigV4
  coreCycle: () => getObjectCycle(core, "/acme/climate/obj-1k", CLIENT, ORIGIN, Date.now()),
  // SigV4's per-request crypto through WebCrypto instead of in the module: digest the canonical request, HMAC the
  // string to sign with an already imported (cached) signing key. Async: each op awaits two promises.
  webcryptoSigV4: async () => {
    hmacKey ??= await crypto.subtle.importKey("raw", new Uint8Array(32), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const h = await crypto.subtle.digest("SHA-256", CREQ);
    const sig = await crypto.subtle.sign("HMAC", hmacKey, STS);
    sink += h.byteLength + sig.byteLength;
  },
  webcryptoDigest: async () => (sink += (await crypto.subtle.digest("SHA-256", CREQ)).byteLength),
  coreBegin: () => core.free(core.begin("GET", "/acme/climate/obj-1k", "", CLIENT, false)),
};

export default {
  async fetch(request, env) {
    if (!core) setup(env);
    const url = new URL(request.url);
    const op = OPS[url.searchParams.get("op")];
    if (!op) return new Response(`ops: ${Object.keys(OPS).join(" ")}`, { status: 404 });
    const k = Number(url.searchParams.get("k") ?? 1);
    for (let i = 0; i < k; i++) {
      const r = op(request);
      if (r instanceof Promise) await r;
    }
    return new Response(null, { status: 204, headers: { "x-sink": String(sink & 1) } });
  },
};
