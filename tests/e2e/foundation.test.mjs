// The foundation slice end to end: workerd (Miniflare) + the wasm core + the JS action loop, against the
// signature-verifying emulator, driven by real clients.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BIG_SIZE, blob, clearFaults, client, openDemoConfig, DEMO_SECRETS, emu, EMU, requestLogs, startProxy, withFault, xmlField } from "./harness.mjs";

const AWS = "aws"; // awscli v1 (pyenv), first on PATH
// How long a stalled origin may hold an answer past its timeout before the test calls it a hang: a bound on a hang
// (the stall itself lasts until released), never a measurement, so a loaded machine cannot reach it.
const HANG_SLACK_MS = 10_000;

describe("foundation: the worker in workerd against the verifying emulator", () => {
  let proxy;
  before(async () => {
    await clearFaults();
    proxy = await startProxy();
  });
  after(async () => {
    await clearFaults();
    await proxy?.close();
  });

  it("aws s3 ls (ListBuckets) lists the demo accounts", async () => {
    const { stdout } = await client(AWS, ["--endpoint-url", proxy.url, "--no-sign-request", "s3", "ls"]);
    const names = stdout.toString().trim().split("\n").map((l) => l.trim().split(/\s+/).pop());
    assert.deepEqual(names, ["demo-org", "geo-lab"]);
  });

  it("aws s3 cp of a public object returns the exact bytes", async () => {
    const { stdout } = await client(AWS, ["--endpoint-url", proxy.url, "--no-sign-request", "s3", "cp", "s3://demo-org/public-data/README.txt", "-"]);
    const direct = Buffer.from(await (await fetch(`${EMU}/public-bucket/public-data/README.txt`)).arrayBuffer());
    assert.ok(direct.length > 0);
    assert.deepEqual(stdout, direct);
  });

  it("aws s3 cp of a 2 MiB object through a key-signed backend returns the exact bytes", async () => {
    const { stdout } = await client(AWS, ["--endpoint-url", proxy.url, "--no-sign-request", "s3", "cp", "s3://demo-org/secret-data/big/blob.bin", "-"]);
    assert.equal(stdout.length, BIG_SIZE);
    assert.ok(stdout.equals(Buffer.from(blob(BIG_SIZE))));
  });

  it("the signed backend accepts the proxy's signature and rejects a wrong secret through the same path", async () => {
    const before = await emu("stats");
    const ok = await fetch(`${proxy.url}/demo-org/secret-data/hello.txt`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), "hello from a signed backend\n");
    assert.equal((await emu("stats")).rejected, before.rejected, "the emulator verified and accepted the signature");

    const wrong = await startProxy({ bindings: { ...DEMO_SECRETS, DEMO_BACKEND_SECRET_ACCESS_KEY: "not-the-secret" } });
    try {
      const r = await fetch(`${wrong.url}/demo-org/secret-data/hello.txt`);
      // The backend refusing the proxy's own signature is the deployment's fault, not the client's: 502.
      assert.equal(r.status, 502);
      const xml = await r.text();
      assert.equal(xmlField(xml, "Code"), "BadGateway");
      assert.equal(xmlField(xml, "RequestId"), r.headers.get("x-amz-request-id"));
      const stats = await emu("stats");
      assert.equal(stats.rejected, before.rejected + 1);
      assert.match(stats.last_rejection, /SignatureDoesNotMatch/);
    } finally {
      await wrong.close();
    }
  });

  it("passes Range through: 206 with a faithful Content-Range and the right bytes", async () => {
    const r = await fetch(`${proxy.url}/demo-org/public-data/big/blob.bin`, { headers: { range: "bytes=1000-1999" } });
    assert.equal(r.status, 206);
    assert.equal(r.headers.get("content-range"), `bytes 1000-1999/${BIG_SIZE}`);
    assert.equal(r.headers.get("content-length"), "1000");
    assert.deepEqual(new Uint8Array(await r.arrayBuffer()), blob(2000).subarray(1000));
  });

  it("HEAD returns length, etag, last-modified and user metadata, no body", async () => {
    const r = await fetch(`${proxy.url}/demo-org/public-data/meta/tagged.txt`, { method: "HEAD" });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-length"), "7");
    assert.match(r.headers.get("etag"), /^"[0-9a-f]{32}"$/);
    assert.ok(r.headers.get("last-modified"));
    assert.equal(r.headers.get("x-amz-meta-owner"), "demo");
    assert.equal(r.headers.get("content-type"), "text/plain");
    assert.equal((await r.arrayBuffer()).byteLength, 0);
  });

  it("a missing key is S3 XML NoSuchKey in our key space, RequestId = x-amz-request-id", async () => {
    const r = await fetch(`${proxy.url}/demo-org/public-data/no/such/key.txt`);
    assert.equal(r.status, 404);
    const xml = await r.text();
    assert.equal(xmlField(xml, "Code"), "NoSuchKey");
    assert.equal(xmlField(xml, "Resource"), "/demo-org/public-data/no/such/key.txt");
    assert.equal(xmlField(xml, "RequestId"), r.headers.get("x-amz-request-id"));
    assert.doesNotMatch(xml, /public-bucket/);
  });

  it("64 concurrent GETs through one isolate each get their own bytes", async () => {
    const big = blob(BIG_SIZE);
    const jobs = Array.from({ length: 64 }, async (_, i) => {
      if (i % 4 === 0) {
        const r = await fetch(`${proxy.url}/demo-org/public-data/README.txt`);
        return [r.status, (await r.text()).startsWith("Public test data"), i];
      }
      const start = i * 7919, end = start + 4095 + i;
      const repo = i % 2 ? "public-data" : "secret-data";
      const r = await fetch(`${proxy.url}/demo-org/${repo}/big/blob.bin`, { headers: { range: `bytes=${start}-${end}` } });
      const got = new Uint8Array(await r.arrayBuffer());
      return [r.status, Buffer.from(got).equals(Buffer.from(big.subarray(start, end + 1))), i];
    });
    for (const [status, same, i] of await Promise.all(jobs)) {
      assert.ok(status === 200 || status === 206, `request ${i}: ${status}`);
      assert.ok(same, `request ${i} got someone else's bytes`);
    }
  });

  it("a stalled origin yields S3 XML 503 within its timeout, and the isolate keeps serving", async () => {
    const stalled = await startProxy({ config: openDemoConfig((c) => { c.backends["local-public"].timeout_ms = 1500; }) });
    try {
      const r = await withFault({ target: "s3", mode: "stall", count: 1 }, async () => {
        const t0 = Date.now();
        const r = await fetch(`${stalled.url}/demo-org/public-data/README.txt`);
        const elapsed = Date.now() - t0;
        assert.equal(r.status, 503);
        assert.equal(r.headers.get("retry-after"), "1");
        assert.equal(xmlField(await r.text(), "Code"), "ServiceUnavailable");
        // Not before the timeout (load only makes it later); well before the stall would end by itself.
        assert.ok(elapsed >= 1400 && elapsed < 1500 + HANG_SLACK_MS, `answered after ${elapsed} ms (timeout 1500 ms)`);
        return r;
      });
      // It was the timeout that answered, not some other failure of the stalled request.
      const [line] = await requestLogs(stalled, [r]);
      assert.match(line.detail, /backend timeout/, JSON.stringify(line));
      const again = await fetch(`${stalled.url}/demo-org/public-data/README.txt`);
      assert.equal(again.status, 200);
      assert.match(await again.text(), /^Public test data/);
    } finally {
      await stalled.close();
    }
  });

  it("backend 5xx and connection resets become S3 XML 503, never the runtime's plaintext", async () => {
    for (const fault of [{ mode: "status", status: 500 }, { mode: "status", status: 503 }, { mode: "reset" }]) {
      await withFault({ target: "s3", count: 1, ...fault }, async () => {
        // A key the edge cache has never seen, so the request must reach the failing origin.
        const r = await fetch(`${proxy.url}/demo-org/public-data/never-read-${fault.mode}-${fault.status ?? 0}.txt`);
        const body = await r.text();
        assert.equal(r.status, 503, JSON.stringify(fault));
        assert.equal(xmlField(body, "Code"), "ServiceUnavailable");
      });
    }
  });

  it("writes one JSON log line per request naming op, status and backend time", async () => {
    const r = await fetch(`${proxy.url}/demo-org/public-data/README.txt`);
    await r.text();
    // Its line, found by its request id (waited for: workerd's stdout trails the response), and only one.
    const [line] = await requestLogs(proxy, [r]);
    assert.equal(proxy.logs.filter((l) => l.includes(r.headers.get("x-amz-request-id"))).length, 1, "one line per request");
    assert.equal(line.op, "GetObject");
    assert.equal(line.path, "/demo-org/public-data/README.txt");
    assert.equal(line.status, 200);
    assert.equal(typeof line.backend_ms, "number");
  });
});
