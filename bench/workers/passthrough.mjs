// P — the floor: a bare pass-through Worker. Maps the path to the origin URL, fetches (with the client's body, for
// uploads), returns the body.
// No signing, no header filtering, no logging: what any Worker proxy costs at minimum on this runtime.
//   /{account}/{repository}/{key}  → ROUTES["{account}/{repository}"] + key
//   /{account}?{query}             → BUCKETS["{account}"] + "/?" + query   (listings, passed through unchanged)
// ROUTES/BUCKETS are JSON text bindings, e.g. {"acme/climate": "http://127.0.0.1:9000/bench-bucket/datasets/climate/"}.
// LOG_LINE = "1" (variant Pl, start-up rows only): also one console.log line per request, as B writes. `workerd
// serve` prints console.log through its JS inspect formatter, a module compiled on the first call; Cloudflare's
// edge does not print to stdout. Pl carries that cost too, so B − Pl is ours.
let routes, buckets;
const LINE = JSON.stringify({ level: "info", status: 200, method: "GET", path: "/acme/climate/small.bin", ms: 1.2 });

export default {
  async fetch(request, env) {
    routes ??= JSON.parse(env.ROUTES);
    buckets ??= JSON.parse(env.BUCKETS);
    const url = new URL(request.url);
    const path = url.pathname;
    const a = path.indexOf("/", 1);
    const b = a < 0 ? -1 : path.indexOf("/", a + 1);
    let target;
    if (b > 0) {
      const base = routes[path.slice(1, b)];
      if (base) target = base + path.slice(b + 1);
    } else {
      const base = buckets[path.slice(1, a < 0 ? undefined : a)];
      if (base) target = base + "/" + url.search;
    }
    if (!target) return new Response("no route", { status: 404 });
    if (env.LOG_LINE === "1") console.log(LINE);
    const range = request.headers.get("range");
    // Uploads (PUT) carry the client's body stream straight on, as a pass-through upload Worker would.
    const resp = await fetch(target, { method: request.method, headers: range ? { range } : {}, body: request.body });
    return new Response(resp.body, resp);
  },
};
