// What ./scripts/run prints (scripts/lib/serve.mjs's banner) and README's demo block: every command is paste-ready
// shell (a note in parentheses after a command used to make pasting it a syntax error), the writable repository is
// shown being written, and the edge cache can be seen at work on it. The demo serves its accounts from the
// namespace registry: the banner's ./scripts/registry commands run against what serve.mjs seeds, each with the
// demo's deployment key (which seals the entries and derives the keys' secrets).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { createCore } from "../../js/init.mjs";
import { demoUserSecrets } from "../../scripts/lib/demo-keys.mjs";
import { loadConfig } from "../../scripts/lib/miniflare.mjs";
import {
  DEMO_DEPLOYMENT_FILE, DEMO_KV_DIR, DEMO_REGISTRY_ACCESS_KEY_ID, DEMO_REGISTRY_KEY, banner, demoBindings, deploymentConfig,
  seedRegistry,
} from "../../scripts/lib/serve.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bashSyntax = (text) => spawnSync("bash", ["-n"], { input: text, encoding: "utf8" });

describe("the ./scripts/run banner", () => {
  const text = banner({ ep: "http://127.0.0.1:8787", emulator: "http://127.0.0.1:40001", secret: demoUserSecrets().DEMO_USER_SECRET });
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /can be pasted into a shell/.test(l));
  const pasteable = lines.slice(start + 1);
  const commands = pasteable.filter((l) => l.trim() && !l.trim().startsWith("#"));

  it("says where the paste-ready part begins, and it holds commands", () => {
    assert.ok(start >= 0, text);
    assert.ok(commands.length >= 10, text);
  });

  it("every printed line after that is valid shell, alone and all together (notes are # comments)", () => {
    for (const l of commands) {
      const r = bashSyntax(l);
      assert.equal(r.status, 0, `not paste-ready: ${l}\n${r.stderr}`);
    }
    const all = bashSyntax(pasteable.join("\n"));
    assert.equal(all.status, 0, all.stderr);
  });

  it("shows a write to demo-org/uploads and says it is the writable repository", () => {
    assert.ok(commands.some((l) => /aws .* s3 cp - s3:\/\/demo-org\/uploads\//.test(l)), text);
    assert.ok(pasteable.some((l) => l.startsWith("#") && /demo-org\/uploads.*writable/.test(l)), text);
  });

  it("shows the edge cache at work on the uploaded file (x-edge-cache)", () => {
    assert.ok(commands.some((l) => /demo-org\/uploads\//.test(l) && /x-edge-cache/.test(l)), text);
  });

  it("names the GDAL write option", () => {
    assert.match(text, /CPL_VSIL_USE_TEMP_FILE_FOR_RANDOM_WRITE=YES/);
  });

  it("shows the registry changed while it runs: a repository added, then read; a key created, then used", () => {
    const cli = `REGISTRY_KEY=${DEMO_REGISTRY_KEY} ./scripts/registry --local ${DEMO_KV_DIR} --deployment ${DEMO_DEPLOYMENT_FILE}`;
    assert.ok(commands.includes(`cd ${ROOT}`), text);
    assert.ok(commands.includes(`${cli} repo add demo-org more-data --backend local-public --prefix public-data/ --public`), text);
    assert.ok(commands.some((l) => /aws --endpoint-url http:\/\/127\.0\.0\.1:8787 --no-sign-request s3 ls s3:\/\/demo-org\/more-data\/$/.test(l)), text);
    assert.ok(commands.includes(`${cli} key create ${DEMO_REGISTRY_ACCESS_KEY_ID} --scope demo-org/uploads:read,write,list`), text);
    // Every ./scripts/registry command has the deployment key (the writes need it to seal what they write).
    const registryCommands = commands.filter((l) => l.includes("./scripts/registry "));
    assert.equal(registryCommands.length, 3, registryCommands.join("\n"));
    for (const l of registryCommands) assert.ok(l.includes(`REGISTRY_KEY=${DEMO_REGISTRY_KEY} ./scripts/registry `), l);
    const used = commands.filter((l) => l.includes(`AWS_ACCESS_KEY_ID=${DEMO_REGISTRY_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY="$REG_SECRET" aws `));
    assert.ok(used.some((l) => /s3 cp - s3:\/\/demo-org\/uploads\//.test(l)) && used.some((l) => /s3 ls s3:\/\/demo-org\/uploads\//.test(l)), text);
    // The TTL it waits for is the one S3P_CONFIG gets, and the note says the key is a demo-only value.
    assert.deepEqual(deploymentConfig({ accounts: {} }).registry,
      { kv_binding: "REGISTRY", key_secret: "DEMO_REGISTRY_KEY", entry_ttl_s: 5, negative_ttl_s: 5 });
    assert.ok(pasteable.some((l) => l.startsWith("#") && /5 s/.test(l)), text);
    assert.ok(pasteable.some((l) => l.startsWith("#") && /demo-only/.test(l)), text);
  });
});

describe("the demo served from the registry", () => {
  const dirs = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("serve.mjs's S3P_CONFIG loads without accounts, and the banner's ./scripts/registry commands work on what it seeds", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-demo-registry-"));
    dirs.push(dir);
    const ep = "http://127.0.0.1:8787";
    const config = JSON.parse(loadConfig("config/demo.json", "http://127.0.0.1:9000"));
    const deployment = deploymentConfig(config);
    assert.equal(deployment.accounts, undefined);
    assert.deepEqual(Object.keys(deployment.backends).sort(), Object.keys(config.backends).sort());
    assert.deepEqual(deployment.access_keys, config.access_keys);
    // The Worker's S3P_CONFIG, with the demo's secrets: the core takes it.
    const module = new WebAssembly.Module(fs.readFileSync(path.join(ROOT, "dist/core.wasm")));
    const env = { DEMO_BACKEND_ACCESS_KEY_ID: "AKIDDEMOBACKEND0001", DEMO_BACKEND_SECRET_ACCESS_KEY: "demo/backend/secret" };
    const { ok, error } = await createCore(module, { S3P_CONFIG: JSON.stringify(deployment), ...demoBindings(env) });
    assert.ok(ok, error);

    const kvDir = path.join(dir, "kv");
    const deploymentFile = path.join(dir, "deployment.json");
    await seedRegistry({ config, deployment, kvDir, deploymentFile, namespaceFile: path.join(dir, "namespace.json") });
    assert.deepEqual(JSON.parse(fs.readFileSync(deploymentFile, "utf8")), deployment);

    // The banner's lines that run ./scripts/registry (with the cd before them), pointed at this directory.
    const text = banner({ ep, emulator: "http://127.0.0.1:40001", secret: "x", registry: { kvDir, deployment: deploymentFile } });
    const lines = text.split("\n");
    const script = lines.filter((l) => !l.startsWith("#") && /^cd |scripts\/registry /.test(l));
    assert.equal(script.length, 4, script.join("\n"));
    const r = spawnSync("bash", ["-euo", "pipefail", "-c", `${script.join("\n")}\nprintf '%s' "$REG_SECRET"`],
      { cwd: os.tmpdir(), encoding: "utf8", timeout: 120_000, env: { ...process.env, REGISTRY_KEY: "" } }); // the lines set it
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);

    // The values as stored: each sealed with the demo's K (checked here, independently of the CLI):
    // "v1." + base64url(HMAC-SHA256(E, NAME "\n" BODY)) + "\n" + BODY, E = HMAC-SHA256(K, "s3-edge-proxy registry entries v1").
    const mf = new Miniflare({ kvNamespaces: ["REGISTRY"], kvPersist: kvDir, modules: true, compatibilityDate: "2026-04-01",
      host: "127.0.0.1", port: 0, script: "export default {fetch(){return new Response('')}}" });
    const names = ["v1/account/demo-org", "v1/account/geo-lab", "v1/index/accounts", `v1/key/${DEMO_REGISTRY_ACCESS_KEY_ID}`];
    let raw;
    try {
      const kv = await mf.getKVNamespace("REGISTRY");
      raw = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await kv.get(n)])));
    } finally {
      await mf.dispose();
    }
    const e = crypto.createHmac("sha256", DEMO_REGISTRY_KEY).update("s3-edge-proxy registry entries v1").digest();
    const bodies = {};
    for (const n of names) {
      const m = /^v1\.([A-Za-z0-9_-]{43})\n([\s\S]*)$/.exec(raw[n] ?? "");
      assert.ok(m, `${n}: ${raw[n]}`);
      assert.equal(m[1], crypto.createHmac("sha256", e).update(`${n}\n${m[2]}`).digest("base64url"), `${n}: sealed with the demo's K`);
      bodies[n] = JSON.parse(m[2]);
    }
    // The key's secret: HMAC-SHA256(K, label \0 id \0 generation \0 nonce), the nonce the one the CLI wrote.
    const keyEntry = bodies[`v1/key/${DEMO_REGISTRY_ACCESS_KEY_ID}`];
    assert.equal(keyEntry.generation, 1);
    assert.match(keyEntry.nonce, /^[A-Za-z0-9_-]{22,128}$/);
    const secret = crypto.createHmac("sha256", DEMO_REGISTRY_KEY)
      .update(`s3-edge-proxy access key secret v1\0${DEMO_REGISTRY_ACCESS_KEY_ID}\0${1}\0${keyEntry.nonce}`).digest("base64url");
    assert.equal(r.stdout, `${secret}\n${secret}`, "key create prints the secret; key secret derives the same");

    // What the registry holds now: local-signed stays in S3P_CONFIG (entries name it), more-data was added, the key.
    const registry = (...args) => {
      const x = spawnSync(path.join(ROOT, "scripts/registry"), ["--local", kvDir, "--deployment", deploymentFile, ...args],
        { encoding: "utf8", timeout: 120_000, env: { ...process.env, REGISTRY_KEY: DEMO_REGISTRY_KEY } });
      assert.equal(x.status, 0, x.stderr);
      assert.doesNotMatch(x.stderr, /warning/);
      return x.stdout;
    };
    const demoOrg = JSON.parse(registry("account", "get", "demo-org"));
    assert.deepEqual(demoOrg, bodies["v1/account/demo-org"]);
    assert.deepEqual(Object.keys(demoOrg.backends).sort(), ["local-federated", "local-public"]);
    assert.equal(demoOrg.repositories.uploads.backend, "local-signed");
    assert.deepEqual(demoOrg.repositories["more-data"], { backend: "local-public", prefix: "public-data/", public: true });
    assert.match(registry("key", "list"), new RegExp(`^${DEMO_REGISTRY_ACCESS_KEY_ID}\tgeneration=1\tdemo-org/uploads:read,write,list\n$`));
    assert.match(registry("validate"), /^ok: 2 account\(s\), 1 key\(s\), v1\/index\/accounts in step, sealed by K/);
  });
});

describe("README's demo commands", () => {
  it("the block after 'prints the endpoint and commands to paste' is valid shell", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const at = readme.indexOf("prints the endpoint and commands to paste");
    assert.ok(at >= 0);
    const block = readme.slice(at).match(/```sh\n([\s\S]*?)```/)[1];
    const r = bashSyntax(block);
    assert.equal(r.status, 0, r.stderr);
    assert.match(block, /s3:\/\/demo-org\/uploads\//, "the README's block shows the writable repository");
    assert.match(readme, /CPL_VSIL_USE_TEMP_FILE_FOR_RANDOM_WRITE=YES/);
  });
});
