// The floor of any listing proxy that must rewrite the document (profiling only, bench/ab.mjs --floor): P's code,
// but the backend's body is read whole into memory and answered as bytes — what B's I/O costs with no rewrite, no
// signing, no wasm. B's listing CPU minus this is what the core and its crossings cost.
let buckets;

export default {
  async fetch(request, env) {
    buckets ??= JSON.parse(env.BUCKETS);
    const url = new URL(request.url);
    const base = buckets[url.pathname.slice(1)];
    if (!base) return new Response("no route", { status: 404 });
    const resp = await fetch(base + "/" + url.search);
    const bytes = new Uint8Array(await resp.arrayBuffer());
    return new Response(bytes, { status: resp.status, headers: { "content-type": "application/xml" } });
  },
};
