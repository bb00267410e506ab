// The ablation ladder (./scripts/bench --ablation): P's code with B's per-request work added one step at a time,
// so workerd's CPU per request attributes B − P to its parts, measured in the runtime itself. STEPS (a text
// binding) is cumulative:
//   L1 abort      + AbortController, setTimeout/clearTimeout and redirect:"manual" around the fetch (performFetch)
//   L2 core       + the wasm core through js/core.mjs: begin([...request.headers]) → Fetch → feedFetch(status only)
//                   → Respond → Done → free; its outputs unused
//   L3 fetchinit  + the subrequest made from the Fetch action: its URL and its [name, value] header pairs
//   L4 feedheaders+ the origin's headers fed back ([...resp.headers])
//   L5 respond    + the client Response built from the Respond action's status and header pairs (toResponse)
//   L6 log        + console.log of the Respond action's log line
// B itself adds the rest of js/host.mjs (async action loop, handle maps, wakeups, the error wrapper).
//   S  shape      (alone, not cumulative) P plus exactly the I/O shape B must produce, done the cheap way: the same
//                 three SigV4 headers on the subrequest (fixed strings, an object init), the same nine response
//                 headers (Headers built with append) and one console.log line; no wasm, no crypto. The floor for
//                 "a signing proxy with CORS, request ids and a log line" on this runtime.
import coreModule from "../../dist/core.wasm";
import { Core, Kind, Outcome } from "../../js/core.mjs";

let routes, steps, core;
const SHAPE_REQUEST = {
  "x-amz-date": "20261126T120000Z",
  "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  authorization: "AWS4-HMAC-SHA256 Credential=AKIDBENCHBENCHBENCH1/20261126/us-east-1/s3/aws4_request, " +
    "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
};
const SHAPE_RESPONSE = ["accept-ranges", "content-length", "content-type", "etag", "last-modified"];
const SHAPE_LOG = '{"rid":"0C3EE5EAFADFFE1D","op":"GetObject","method":"GET","path":"/acme/climate/obj-1k","status":200,' +
  '"bytes":"1024","creds":"static","backend_ms":3,"backend_status":200,"total_ms":28}';

export default {
  async fetch(request, env) {
    routes ??= JSON.parse(env.ROUTES);
    steps ??= new Set(env.STEPS.split(",").filter(Boolean));
    const url = new URL(request.url);
    const path = url.pathname;
    const a = path.indexOf("/", 1);
    const b = a < 0 ? -1 : path.indexOf("/", a + 1);
    const base = b > 0 ? routes[path.slice(1, b)] : undefined;
    if (!base) return new Response("no route", { status: 404 });

    let target = base + path.slice(b + 1);
    if (steps.has("shape")) {
      const headers = { ...SHAPE_REQUEST };
      const range = request.headers.get("range");
      if (range) headers.range = range;
      const resp = await fetch(target, { method: request.method, headers });
      const h = new Headers();
      for (const name of SHAPE_RESPONSE) {
        const v = resp.headers.get(name);
        if (v !== null) h.append(name, v);
      }
      h.append("access-control-allow-origin", "*");
      h.append("access-control-expose-headers", "ETag, Content-Length, Content-Range, Content-Type, Accept-Ranges, Last-Modified, x-amz-request-id, x-amz-version-id, x-amz-delete-marker, Server-Timing");
      h.append("server-timing", "backend;dur=1.0, total;dur=1.0");
      h.append("x-amz-request-id", "7143CFEC00774FB9");
      console.log(SHAPE_LOG);
      return new Response(resp.body, { status: resp.status, headers: h });
    }
    const range = request.headers.get("range");
    const init = { method: request.method, headers: range ? { range } : {} };
    let id = 0;
    if (steps.has("core")) {
      if (!core) {
        core = new Core(coreModule);
        const strings = Object.fromEntries(Object.entries(env).filter(([k, v]) => typeof v === "string" && k !== "S3P_CONFIG"));
        core.init(env.S3P_CONFIG, strings);
      }
      id = core.begin(request.method, path, url.search.slice(1), [...request.headers], request.body !== null);
      const f = core.next(id);
      if (f.kind !== Kind.FETCH) throw new Error(`expected Fetch, got ${f.kind}`);
      if (steps.has("fetchinit")) {
        target = f.url;
        init.method = f.method;
        init.headers = f.headers;
      }
    }
    let timer = null;
    if (steps.has("abort")) {
      const controller = new AbortController();
      timer = setTimeout(() => controller.abort(), 10000);
      init.signal = controller.signal;
      init.redirect = "manual";
    }
    const resp = await fetch(target, init);
    if (timer !== null) clearTimeout(timer);
    if (!steps.has("core")) return new Response(resp.body, resp);

    const headers = steps.has("feedheaders") ? [...resp.headers] : [];
    core.feedFetch(id, { outcome: Outcome.OK, status: resp.status, headers, handle: 2, body: "", error: "", elapsedMs: 0 });
    const r = core.next(id);
    core.next(id);
    core.free(id);
    if (r.kind !== Kind.RESPOND) throw new Error(`expected Respond, got ${r.kind}`);
    if (steps.has("log") && r.log) console.log(r.log);
    if (steps.has("respond")) return new Response(resp.body, { status: r.status, headers: r.headers });
    return new Response(resp.body, resp);
  },
};
