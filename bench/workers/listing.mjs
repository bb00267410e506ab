// C for ListObjectsV2 — the listing peer: what a user writes to list a repository through a Worker without an XML
// library. It maps GET /{account}?list-type=2&prefix={repository}/... to the backend bucket's ListObjectsV2 with
// the backend prefix in front, signs it with aws4fetch (static keys), reads the whole answer as text and rewrites
// it with string and regex replacement: every <Key> and <Prefix> that starts with the backend prefix gets the
// repository instead, and <Name> becomes the account. Nothing else: no escaping, no continuation-token sealing,
// no check of the document — the naive version the proxy's single-pass rewrite is measured against.
//   ROUTES: the same JSON text binding as C's, {"acme/climate": "http://127.0.0.1:9000/bench-bucket/datasets/climate/"}
//   BACKEND_KEY_ID / BACKEND_SECRET / BACKEND_REGION: as C's.
import { AwsClient } from "aws4fetch";

let aws, routes;

export default {
  async fetch(request, env) {
    aws ??= new AwsClient({
      accessKeyId: env.BACKEND_KEY_ID,
      secretAccessKey: env.BACKEND_SECRET,
      service: "s3",
      region: env.BACKEND_REGION,
      retries: 0,
    });
    routes ??= JSON.parse(env.ROUTES);
    const url = new URL(request.url);
    const account = url.pathname.slice(1).replace(/\/$/, "");
    const prefix = url.searchParams.get("prefix") ?? "";
    const repo = prefix.split("/")[0];
    const target = routes[`${account}/${repo}`];
    if (request.method !== "GET" || !url.searchParams.has("list-type") || !target) return new Response("no route", { status: 404 });
    // "http://host/bucket/backend/prefix/" → the bucket's URL and the backend prefix
    const [, bucketUrl, backendPrefix] = target.match(/^(https?:\/\/[^/]+\/[^/]+\/)(.*)$/);
    const query = new URLSearchParams(url.search);
    query.set("prefix", backendPrefix + prefix.slice(repo.length + 1));
    const resp = await aws.fetch(`${bucketUrl}?${query}`);
    if (!resp.ok) return new Response(resp.body, resp);
    const xml = (await resp.text())
      .replace(/<(Key|Prefix)>([^<]*)<\/\1>/g, (m, tag, v) =>
        v.startsWith(backendPrefix) ? `<${tag}>${repo}/${v.slice(backendPrefix.length)}</${tag}>` : m)
      .replace(/<Name>[^<]*<\/Name>/, `<Name>${account}</Name>`);
    return new Response(xml, { headers: { "content-type": "application/xml" } });
  },
};
