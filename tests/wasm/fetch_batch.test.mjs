// FetchBatch (host_shim/README.md, kind 20) through the real host loop: js/host.mjs handleRequest drives both wasm
// modules for a DeleteObjects of 40 keys on an Azure repository whose "Azure" is a loopback node server. The server
// sees the deletes arrive in windows of 16 at once (it holds each window's answers until the whole window is there,
// so nothing here depends on timing) and answers per key: 202, 404 BlobNotFound, 403, 503, or never (the host's
// per-fetch timeout fires); the client gets one entry per key, in request order. No network beyond loopback.
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { AwsClient } from "aws4fetch";
import { Core } from "../../js/core.mjs";
import { handleRequest } from "../../js/host.mjs";

const MODULES = ["core-emcc", "core-wasi"];
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const USER = { accessKeyId: "AKIDBATCH", secretAccessKey: "batch-test-secret" };
const WINDOW = 16;
const N = 40;

let server, port;
const seen = []; // per window: the keys it carried, in arrival order
let pending = []; // { key, res } of the window being gathered
let expected = 0; // how many requests the current window carries

// Key k's answer by k % 5; 4 never answers (the connection is left open until the test ends).
function answer(key, res) {
  const k = Number(key.slice(key.lastIndexOf("k") + 1));
  switch (k % 5) {
    case 0: res.writeHead(202).end(); break;
    case 1: res.writeHead(404, { "x-ms-error-code": "BlobNotFound" }).end(); break;
    case 2: res.writeHead(403, { "x-ms-error-code": "AuthorizationPermissionMismatch" }).end(); break;
    case 3: res.writeHead(503, { "x-ms-error-code": "ServerBusy" }).end(); break;
    case 4: stalled.push(res); break;
  }
}
const stalled = [];
let remaining = N;

before(async () => {
  server = http.createServer((req, res) => {
    assert.equal(req.method, "DELETE");
    assert.ok(req.headers.authorization?.startsWith("SharedKey devstoreaccount1:"));
    if (pending.length === 0) expected = Math.min(WINDOW, remaining);
    pending.push({ key: decodeURIComponent(new URL(req.url, "http://x").pathname), res });
    if (pending.length < expected) return;
    const window = pending;
    pending = [];
    remaining -= window.length;
    seen.push(window.map((p) => p.key));
    for (const p of window) answer(p.key, p.res);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  port = server.address().port;
});
after(() => {
  for (const res of stalled) res.destroy();
  server.close();
});

function config() {
  return {
    backends: {
      az: { dialect: "azure", endpoint: `http://127.0.0.1:${port}/devstoreaccount1`, account: "devstoreaccount1",
        container: "batch", timeout_ms: 1000, auth: { type: "shared_key", account_key_secret: "AZ_KEY" } },
    },
    accounts: { acct: { repositories: { az: { backend: "az", prefix: "p/", cache: { enabled: false } } } } },
    access_keys: { [USER.accessKeyId]: { secret_access_key_secret: "USER_SECRET",
      scopes: [{ account: "acct", repository: "az", actions: ["read", "write", "delete"] }] } },
  };
}

const entries = (xml) => [...xml.matchAll(/<(Deleted|Error)><Key>(.*?)<\/Key>(?:<Code>(.*?)<\/Code>)?/g)]
  .map(([, kind, key, code]) => (kind === "Deleted" ? `D ${key}` : `E ${key} ${code}`));

for (const name of MODULES) {
  describe(`FetchBatch through js/host.mjs (${name})`, () => {
    it("a 40-key DeleteObjects on Azure: windows of 16, 16, 8; one entry per key in request order", async () => {
      seen.length = 0;
      remaining = N;
      const env = { USER_SECRET: USER.secretAccessKey, AZ_KEY: DEV_KEY };
      const core = new Core(new WebAssembly.Module(fs.readFileSync(new URL(`../../dist/${name}.wasm`, import.meta.url))));
      assert.deepEqual(core.init(JSON.stringify(config()), env), { ok: true, error: "" });
      const keys = Array.from({ length: N }, (_, i) => `az/k${i}`);
      const body = `<Delete>${keys.map((k) => `<Object><Key>${k}</Key></Object>`).join("")}</Delete>`;
      const signed = await new AwsClient({ ...USER, service: "s3", region: "us-east-1" })
        .sign("http://proxy.test/acct?delete=", { method: "POST", body });
      // A Request-shaped object: node's Request drops the signed Host header (a forbidden name there, not in workerd).
      const headers = new Headers(signed.headers);
      headers.set("host", "proxy.test");
      const request = { url: signed.url, method: "POST", headers, body: new Response(body).body };
      const response = await handleRequest(core, request, { waitUntil() {} }, env);
      const xml = await response.text();
      assert.equal(response.status, 200, xml);
      assert.deepEqual(seen.map((w) => w.length), [16, 16, 8]);
      // Each window holds exactly the next keys (their arrival order within a window is the network's).
      assert.deepEqual(seen.flat().sort(), keys.map((k) => `/devstoreaccount1/batch/p/${k.slice(3)}`).sort());
      for (const [i, w] of seen.entries())
        assert.deepEqual(w.map((p) => Number(p.slice(p.lastIndexOf("k") + 1))).sort((a, b) => a - b),
          Array.from({ length: w.length }, (_, j) => i * WINDOW + j));
      const want = keys.map((k, i) => [`D ${k}`, `D ${k}`, `E ${k} BadGateway`, `E ${k} ServiceUnavailable`,
        `E ${k} ServiceUnavailable`][i % 5]);
      assert.deepEqual(entries(xml), want);
      assert.equal(core.x.core_in_flight(), 0);
    });
  });
}
