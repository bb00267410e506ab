// A stand-in for Azure Storage's side of Microsoft Entra auth, in front of a real Azurite: Azurite can check bearer
// tokens only over HTTPS and then checks no signature ("--oauth basic": issuer, audience and expiry only), so this
// front checks what Azure Storage checks of an Entra access token — that Entra (here: the emulator's stand-in,
// tests/emulator/entra.py) issued it for the storage resource and it has not expired (via the emulator's
// /__emu/entra/introspect) — and that x-ms-version is 2017-11-09 or later (Azure refuses Bearer before that). A
// request that passes is forwarded to Azurite re-signed with the account's Shared Key (tests/azurite/shared_key.mjs),
// so what the blob service does with it — reads, ranges, conditions, listings, writes — is Azurite's own.
// Refusals are Azure's: 401 InvalidAuthenticationInfo (WWW-Authenticate: Bearer), 403 AuthenticationFailed for an
// old x-ms-version. Counts what it saw (bearer ok / rejected, forwarded).
import http from "node:http";
import { sign, DEV_ACCOUNT, DEV_KEY } from "./shared_key.mjs";

const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host", "authorization", "content-length",
  "expect", "te", "upgrade", "proxy-connection"]);

function azureError(res, status, code, message, extra = {}) {
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { "content-type": "application/xml", "x-ms-error-code": code, ...extra });
  res.end(body);
}

// emu: the emulator's base URL (its /__emu/entra/introspect judges the token); azurite: http://127.0.0.1:PORT.
export async function startBearerFront({ emu, azurite }) {
  const stats = { bearer_ok: 0, bearer_rejected: 0, version_rejected: 0, forwarded: 0, last_rejection: null, authorizations: [] };
  const server = http.createServer(async (req, res) => {
    try {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const body = Buffer.concat(chunks);
      const auth = req.headers.authorization ?? "";
      stats.authorizations.push(auth.split(" ")[0]);
      if (!auth.startsWith("Bearer ")) {
        stats.bearer_rejected++;
        stats.last_rejection = "no bearer";
        return azureError(res, 401, "NoAuthenticationInformation", "Server failed to authenticate the request.",
          { "www-authenticate": "Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize resource_id=https://storage.azure.com" });
      }
      const verdict = await (await fetch(`${emu}/__emu/entra/introspect`, {
        method: "POST", body: JSON.stringify({ token: auth.slice(7) }),
      })).json();
      if (!verdict.ok) {
        stats.bearer_rejected++;
        stats.last_rejection = verdict.why;
        return azureError(res, 401, "InvalidAuthenticationInfo", `Server failed to authenticate the request. ${verdict.why}`,
          { "www-authenticate": "Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize resource_id=https://storage.azure.com" });
      }
      const version = req.headers["x-ms-version"] ?? "";
      if (!(version >= "2017-11-09")) {
        stats.version_rejected++;
        return azureError(res, 403, "AuthenticationFailed", "Authentication scheme Bearer is not supported in this version.");
      }
      stats.bearer_ok++;
      // Re-sign for Azurite: the path as sent, the query decoded, every header but the hop-by-hop ones.
      const at = req.url.indexOf("?");
      const path = at < 0 ? req.url : req.url.slice(0, at);
      const query = at < 0 ? [] : req.url.slice(at + 1).split("&").filter(Boolean).map((p) => {
        const eq = p.indexOf("=");
        return eq < 0 ? [decodeURIComponent(p), ""] : [decodeURIComponent(p.slice(0, eq)), decodeURIComponent(p.slice(eq + 1))];
      });
      const headers = Object.entries(req.headers).filter(([k]) => !HOP.has(k));
      const signed = body.length ? [...headers, ["content-length", String(body.length)]] : headers;
      const { authorization } = sign({ method: req.method, account: DEV_ACCOUNT, path, query, headers: signed }, DEV_KEY);
      const r = await fetch(`${azurite}${req.url}`, {
        method: req.method, headers: [...headers, ["authorization", authorization]],
        body: body.length ? body : undefined, redirect: "manual",
      });
      stats.forwarded++;
      const out = {};
      r.headers.forEach((v, k) => { if (!HOP.has(k) && k !== "content-encoding") out[k] = v; });
      const bytes = req.method === "HEAD" ? Buffer.alloc(0) : Buffer.from(await r.arrayBuffer());
      if (req.method !== "HEAD") out["content-length"] = String(bytes.length);
      else if (r.headers.get("content-length") !== null) out["content-length"] = r.headers.get("content-length");
      res.writeHead(r.status, out);
      res.end(bytes);
    } catch (err) {
      if (!res.headersSent) azureError(res, 500, "InternalError", `front: ${err?.message ?? err}`);
      else res.destroy();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, stats, close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }) };
}
