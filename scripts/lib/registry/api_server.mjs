// A reference HTTP registry API: the contract a publisher's own catalogue service implements for the proxy's
// "api_url" source (README "Registry"), served from any store that has get(name) — the local KV the CLI writes,
// or a Map in the tests.
//
//   GET {base}{name}    Authorization: Bearer {token}
//     200  text/plain: the entry exactly as ./scripts/registry writes it (sealed by the deployment key)
//     404  no such entry (the proxy caches that for negative_ttl_s)
//     401  no or another token; anything but 200/404 is a failing registry to the proxy (stale, or 503)
//   names: v1/account/{account}, v1/key/{access key id}, v1/role/{role}, v1/index/accounts
//
// The API never holds a secret: entries carry no key secrets (they derive from the deployment key), and the
// token only lets the proxy read.
//
//   node scripts/lib/registry/api_server.mjs [--local DIR] [--port P] [--base /registry/]
//     serves the local KV the CLI writes (default .state/registry-kv); the token is read from REGISTRY_API_TOKEN.
import crypto from "node:crypto";
import http from "node:http";
import { fileURLToPath } from "node:url";

const NAME = /^v1\/(account\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]|key\/\w{3,128}|role\/[A-Za-z0-9_+=,.@-]{1,64}|idp\/[A-Za-z0-9_.-]{1,64}|index\/accounts(?:\/p[1-9][0-9]{0,8})?)$/; // the core's naming rules

// `fault` (tests): "stall" (never answers), "stall-body" (headers, then nothing), "status500", "garbage" (200, not
// an entry), "truncate" (200, the entry cut short): set it on the returned object while the server runs.
export async function startRegistryApi({ store, token, base = "/registry/", host = "127.0.0.1", port = 0 }) {
  if (!token) throw new Error("the registry API needs a bearer token");
  const expected = crypto.createHash("sha256").update(`Bearer ${token}`).digest();
  const api = { url: "", fault: null, requests: [], close: null };
  const stalled = new Set();
  const server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const name = path.startsWith(base) ? path.slice(base.length) : "";
    api.requests.push(name);
    const given = crypto.createHash("sha256").update(req.headers.authorization ?? "").digest();
    if (!crypto.timingSafeEqual(given, expected)) return answer(res, 401, "bad token\n");
    if (req.method !== "GET") return answer(res, 405, "GET only\n");
    if (!NAME.test(name)) return answer(res, 404, "");
    if (api.fault === "stall") return stalled.add(res);
    if (api.fault === "status500") return answer(res, 500, "registry down\n");
    let value;
    try {
      value = await store.get(name);
    } catch {
      return answer(res, 503, "store unavailable\n");
    }
    if (value === null || value === undefined) return answer(res, 404, "");
    if (api.fault === "garbage") return answer(res, 200, "{\"garbage");
    if (api.fault === "truncate") return answer(res, 200, value.slice(0, Math.floor(value.length / 2)));
    if (api.fault === "stall-body") {
      res.writeHead(200, { "content-type": "text/plain", "content-length": Buffer.byteLength(value) });
      res.write(value.slice(0, 8));
      return stalled.add(res);
    }
    answer(res, 200, value);
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  api.url = `http://${host}:${server.address().port}${base}`;
  api.close = async () => {
    for (const res of stalled) res.destroy();
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  };
  return api;
}

function answer(res, status, body) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
  res.end(body);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { LocalStore } = await import("./store.mjs");
  const arg = (flag, fallback) => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const token = process.env.REGISTRY_API_TOKEN;
  if (!token) {
    console.error("set REGISTRY_API_TOKEN (the bearer token the proxy's api_token_secret holds)");
    process.exit(2);
  }
  const store = new LocalStore(arg("--local", undefined));
  const api = await startRegistryApi({ store, token, base: arg("--base", "/registry/"), port: Number(arg("--port", 0)) });
  console.log(`registry API serving ${store.describe()} at ${api.url}`);
}
