// What checking signed chunks costs: one 64 MiB PutObject with UNSIGNED-PAYLOAD vs the same bytes as signed
// aws-chunked (64 KiB chunks) through the Worker in workerd, against the emulator (EMU_URL). One run, no assertion:
//   bash -c '. scripts/lib/deps.sh; . scripts/lib/emulator.sh; wrangler_env; start_emulator 19800 /tmp/emu.log; node --test bench/signed_chunks_upload.mjs'
import crypto from "node:crypto";
import { it } from "node:test";
import { AwsV4Signer } from "aws4fetch";
import { DEMO_USER, demoConfig, startProxy } from "../tests/e2e/harness.mjs";
import { signChunkedUpload } from "../tests/lib/signed_chunks_client.mjs";

it("signed chunks vs UNSIGNED-PAYLOAD, 64 MiB", async () => {
  const proxy = await startProxy({ config: demoConfig() });
  const data = crypto.randomBytes(64 * 1024 * 1024);
  const u = (p) => `${proxy.url}${p}`;
  const unsigned = async (k) => {
    const s = await new AwsV4Signer({ url: u(k), method: "PUT", headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret, service: "s3", region: "us-east-1" }).sign();
    const t = performance.now();
    const r = await fetch(s.url, { method: "PUT", headers: s.headers, body: data });
    await r.text();
    if (r.status !== 200) throw new Error(`unsigned ${r.status}`);
    return performance.now() - t;
  };
  const chunked = async (k) => {
    const s = signChunkedUpload({ url: u(k), data, accessKeyId: DEMO_USER.id, secretAccessKey: DEMO_USER.secret });
    const t = performance.now();
    const r = await fetch(u(k), { method: "PUT", headers: s.headers, body: s.body });
    const text = await r.text();
    if (r.status !== 200) throw new Error(`chunked ${r.status} ${text}`);
    return performance.now() - t;
  };
  await unsigned("/demo-org/uploads/warm.bin");
  const a = await unsigned("/demo-org/uploads/cost-unsigned.bin");
  const b = await chunked("/demo-org/uploads/cost-chunked.bin");
  const mib = 64;
  console.log(`COST unsigned ${a.toFixed(0)} ms (${(mib / a * 1000).toFixed(1)} MiB/s), signed chunks ${b.toFixed(0)} ms (${(mib / b * 1000).toFixed(1)} MiB/s), ratio ${(a / b).toFixed(2)}`);
  await proxy.close();
});
