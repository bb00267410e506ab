// C — the peer: what a competent user writes instead of this project. A plain JavaScript Worker that maps
// /{account}/{repository}/{key} to the backend object, re-signs with SigV4 (aws4fetch, static keys), forwards
// Range and the conditional headers, and streams the backend body back.
//   ROUTES: JSON text binding {"acme/climate": "http://127.0.0.1:9000/bench-bucket/datasets/climate/"}
//   BACKEND_KEY_ID / BACKEND_SECRET: the backend's static keys (Worker secrets); BACKEND_REGION: SigV4 region.
import { AwsClient } from "aws4fetch";

const FORWARD = ["range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since"];
let aws, routes;

export default {
  async fetch(request, env) {
    // One client per isolate: aws4fetch caches the derived signing key in it.
    aws ??= new AwsClient({
      accessKeyId: env.BACKEND_KEY_ID,
      secretAccessKey: env.BACKEND_SECRET,
      service: "s3",
      region: env.BACKEND_REGION,
      retries: 0, // the client retries; a proxy must not multiply them
    });
    routes ??= JSON.parse(env.ROUTES);
    if (request.method !== "GET" && request.method !== "HEAD") return new Response(null, { status: 405 });
    const path = new URL(request.url).pathname;
    const a = path.indexOf("/", 1);
    const b = a < 0 ? -1 : path.indexOf("/", a + 1);
    const base = b > 0 ? routes[path.slice(1, b)] : undefined;
    if (!base) return new Response("no route", { status: 404 });
    const headers = {};
    for (const name of FORWARD) {
      const v = request.headers.get(name);
      if (v !== null) headers[name] = v;
    }
    const resp = await aws.fetch(base + path.slice(b + 1), { method: request.method, headers });
    return new Response(resp.body, resp);
  },
};
