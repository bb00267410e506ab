// The core's Shared Key signer (worker/sign/azure_shared_key.cpp, through build/native/azure_sign) against a live
// Azurite that verifies Shared Key (scripts/lib/azurite.sh: no --loose): Get Blob (whole and ranged), Put Blob and
// List Blobs signed by our code are accepted; the same requests altered after signing, or signed with another key,
// are refused with 403. Starts its own Azurite (seeded by tests/azurite/seed.mjs) unless AZURITE_URL names one.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { API_VERSION, DEV_ACCOUNT, DEV_KEY } from "./shared_key.mjs";
import { BLOBS, CONTAINER } from "./seed.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SIGNER = path.join(ROOT, "build/native/azure_sign");
let endpoint = process.env.AZURITE_URL;
let ownPid;

before(() => {
  if (endpoint) return;
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "s3p-azurite-")), "azurite.log");
  const out = execFileSync("bash", ["-c",
    `. scripts/lib/deps.sh && deps_azurite && . scripts/lib/azurite.sh && start_azurite 0 "${log}" && echo "$AZURITE_URL $AZURITE_PID"`],
  { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split(/\s+/);
  [endpoint, ownPid] = out;
});
after(() => {
  if (ownPid) process.kill(Number(ownPid));
});

// Signs each request with the C++ signer (one process for the batch).
function coreSign(reqs) {
  const input = reqs.map((r) => JSON.stringify(r)).join("\n") + "\n";
  const out = execFileSync(SIGNER, { input, encoding: "utf8" }).trim().split("\n").map((l) => JSON.parse(l));
  for (const o of out) assert.ok(o.authorization, `signer refused: ${JSON.stringify(o)}`);
  return out;
}

const encodePath = (name) => `/${DEV_ACCOUNT}/${CONTAINER}/` + name.split("/").map(encodeURIComponent).join("/");
const now = () => new Date().toUTCString();

// A request as the dialect will send one: x-ms-date and x-ms-version, signed by the core.
function request({ method = "GET", path: p, query = [], headers = [], body, key = DEV_KEY }) {
  const all = [["x-ms-date", now()], ["x-ms-version", API_VERSION], ...headers];
  if (body !== undefined) all.push(["content-length", String(body.length)]);
  return { method, path: p, query, headers: all, body, key };
}

async function send(req, { authorization, alter } = {}) {
  const headers = Object.fromEntries(req.headers.filter(([k]) => k !== "content-length"));
  headers.authorization = authorization;
  let { path: p, query } = req;
  if (alter) ({ path: p, query } = alter({ headers, path: p, query }));
  const qs = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  return fetch(`${endpoint}${p}${qs ? "?" + qs : ""}`, { method: req.method, headers, body: req.body });
}

async function signedSend(req, opts = {}) {
  const [{ authorization }] = coreSign([{ method: req.method, account: DEV_ACCOUNT, key: req.key, path: req.path,
    query: req.query, headers: req.headers }]);
  return send(req, { ...opts, authorization });
}

async function refused(res) {
  const text = await res.text();
  assert.equal(res.status, 403, text);
  // Azure answers a signature mismatch with AuthenticationFailed; Azurite 3.35 with AuthorizationFailure (both 403).
  assert.match(text, /<Code>(AuthenticationFailed|AuthorizationFailure)<\/Code>/);
}

describe("Shared Key signed by the core, verified by Azurite", () => {
  it("Get Blob: a blob whose name holds a space", async () => {
    const res = await signedSend(request({ path: encodePath("data/with space.txt") }));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), BLOBS["data/with space.txt"]);
  });

  it("Get Blob with x-ms-range and a condition on a unicode name", async () => {
    const name = "data/ünïcödé/日本語.txt";
    const res = await signedSend(request({ path: encodePath(name), headers: [["x-ms-range", "bytes=0-3"], ["if-none-match", "\"nope\""]] }));
    assert.equal(res.status, 206);
    assert.equal(await res.text(), BLOBS[name].slice(0, 4));
  });

  it("Get Blob of names holding '+', '%' and XML metacharacters", async () => {
    for (const name of ["data/plus+sign.txt", "data/percent%41.txt", "data/xml&<>'\".txt"]) {
      const res = await signedSend(request({ path: encodePath(name) }));
      assert.equal(res.status, 200, name);
      assert.equal(await res.text(), BLOBS[name]);
    }
  });

  it("Put Blob with a body, content type and metadata, then read back", async () => {
    const name = "written/by the core+%.txt";
    const body = Buffer.from("written through the C++ signer\n");
    const put = await signedSend(request({ method: "PUT", path: encodePath(name), body,
      headers: [["content-type", "text/plain"], ["x-ms-blob-type", "BlockBlob"], ["x-ms-meta-origin", "s3p"]] }));
    assert.equal(put.status, 201, await put.text());
    const get = await signedSend(request({ path: encodePath(name) }));
    assert.equal(get.status, 200);
    assert.equal(get.headers.get("x-ms-meta-origin"), "s3p");
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), body);
  });

  it("List Blobs with prefix and delimiter", async () => {
    const res = await signedSend(request({ path: `/${DEV_ACCOUNT}/${CONTAINER}`,
      query: [["restype", "container"], ["comp", "list"], ["prefix", "data/"], ["delimiter", "/"]] }));
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.match(text, /<BlobPrefix><Name>data\/deep\/<\/Name><\/BlobPrefix>/);
    assert.match(text, /<Name>data\/with space.txt<\/Name>/);
  });

  it("refused: a range added after signing", async () => {
    await refused(await signedSend(request({ path: encodePath("data/hello.txt") }),
      { alter: (r) => { r.headers["x-ms-range"] = "bytes=0-1"; return r; } }));
  });

  it("refused: another blob than the one signed", async () => {
    await refused(await signedSend(request({ path: encodePath("data/hello.txt") }),
      { alter: (r) => ({ ...r, path: encodePath("data/plus+sign.txt") }) }));
  });

  it("refused: a listing prefix changed after signing", async () => {
    await refused(await signedSend(request({ path: `/${DEV_ACCOUNT}/${CONTAINER}`,
      query: [["restype", "container"], ["comp", "list"], ["prefix", "data/"]] }),
    { alter: (r) => ({ ...r, query: [["restype", "container"], ["comp", "list"], ["prefix", "outside"]] }) }));
  });

  it("refused: metadata added to a Put Blob after signing", async () => {
    await refused(await signedSend(request({ method: "PUT", path: encodePath("written/tampered.txt"), body: Buffer.from("x"),
      headers: [["content-type", "text/plain"], ["x-ms-blob-type", "BlockBlob"]] }),
    { alter: (r) => { r.headers["x-ms-meta-evil"] = "1"; return r; } }));
  });

  it("refused: signed with another key", async () => {
    const other = Buffer.alloc(64, 7).toString("base64");
    await refused(await signedSend(request({ path: encodePath("data/hello.txt"), key: other })));
  });
});
