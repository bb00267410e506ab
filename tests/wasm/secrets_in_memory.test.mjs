// Defect 3: what the core's wasm memory holds after init. The core may only ever see the secrets the config names
// for it to use (backend keys it signs with); never an unrelated Worker binding, never the OIDC signing key's
// private half or the L2 key (WebCrypto in the host uses those), and the input buffer is zeroed after init.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { describe, it } from "node:test";
import { createCore } from "../../js/init.mjs";

const MODULES = ["core-emcc", "core-wasi"];
const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = privateKey.export({ type: "pkcs8", format: "pem" });
const L2_RAW = crypto.randomBytes(32);
const STS_RAW = crypto.randomBytes(32);
const ENV = {
  BACKEND_KEY_ID: "AKIDBACKENDKEY000001",
  BACKEND_SECRET: "backend/secret/the/core/signs/with/0001",
  UNRELATED_SECRET: "unrelated-binding-value-" + crypto.randomBytes(8).toString("hex"),
  OIDC_KEY: PEM,
  L2_KEY: L2_RAW.toString("base64"),
  STS_KEY: STS_RAW.toString("base64"),
  // An Azure SAS (its shape; Azure would refuse the signature): only the host appends it to URLs.
  AZ_SAS: `sv=2021-08-06&sr=c&sp=rl&se=2030-01-01T00%3A00%3A00Z&sig=${encodeURIComponent(crypto.randomBytes(32).toString("base64"))}`,
};
const CONFIG = {
  federation: { issuer: "https://proxy.example.org", signing_key_secret: "OIDC_KEY", kid: "k1",
    sts_endpoint: "https://sts.example.org", l2_key_secret: "L2_KEY" },
  backends: {
    keyed: { endpoint: "https://s3.example.test", bucket: "b",
      auth: { type: "static", access_key_id_secret: "BACKEND_KEY_ID", secret_access_key_secret: "BACKEND_SECRET" } },
    fed: { endpoint: "https://s3.example.test", bucket: "b",
      auth: { type: "web_identity", role_arn: "arn:aws:iam::123456789012:role/r", subject: "s" } },
    sas: { dialect: "azure", endpoint: "https://acct.blob.core.windows.net", account: "acct", container: "data",
      auth: { type: "sas", sas_token_secret: "AZ_SAS" } },
  },
  accounts: { acme: { repositories: { k: { backend: "keyed" }, f: { backend: "fed" },
    s: { backend: "sas", public: true, cache: { enabled: false } } } } },
  sts: { session_key_secret: "STS_KEY" },
};

// The private key's DER fields other than n and e (d, p, q, dp, dq, qi), each as raw big-endian bytes.
const privateParts = () => {
  const jwk = privateKey.export({ format: "jwk" });
  return ["d", "p", "q", "dp", "dq", "qi"].map((f) => [f, Buffer.from(jwk[f], "base64url")]);
};
// The PEM lines that encode only private bytes (each line is 48 DER bytes; n and e come first in the DER, and a
// line of pure modulus bytes may legitimately appear in the public stand-in).
const pemBody = (() => {
  const lines = PEM.split("\n").filter((l) => l && !l.startsWith("-----"));
  const derBytes = Buffer.from(lines.join(""), "base64");
  const dAt = derBytes.indexOf(Buffer.from(privateKey.export({ format: "jwk" }).d, "base64url"));
  assert.ok(dAt > 256);
  return lines.filter((_, i) => i * 48 >= dAt);
})();

for (const name of MODULES) {
  describe(`${name}: secrets in wasm memory after init`, () => {
    const load = async () => {
      const mod = new WebAssembly.Module(fs.readFileSync(new URL(`../../dist/${name}.wasm`, import.meta.url)));
      const { core, ok, error } = await createCore(mod, { S3P_CONFIG: JSON.stringify(CONFIG), ...ENV });
      assert.ok(ok, error);
      return { core, mem: () => Buffer.from(core.memory.buffer) };
    };

    it("an unrelated Worker binding never enters wasm memory", async () => {
      const { mem } = await load();
      assert.equal(mem().indexOf(ENV.UNRELATED_SECRET), -1);
    });

    it("the OIDC signing key's private half never enters wasm memory (PEM text or any private DER field)", async () => {
      const { mem } = await load();
      for (const line of pemBody) assert.equal(mem().indexOf(line), -1, "a PEM line is in wasm memory");
      for (const [field, bytes] of privateParts()) assert.equal(mem().indexOf(bytes), -1, `${field} is in wasm memory`);
    });

    it("the L2 key never enters wasm memory (base64 or raw)", async () => {
      const { mem } = await load();
      assert.equal(mem().indexOf(ENV.L2_KEY), -1);
      assert.equal(mem().indexOf(L2_RAW), -1);
    });

    it("the STS session key never enters wasm memory (base64 or raw): only the host's Seal/Open use it", async () => {
      const { mem } = await load();
      assert.equal(mem().indexOf(ENV.STS_KEY), -1);
      assert.equal(mem().indexOf(STS_RAW), -1);
    });

    it("an Azure SAS never enters wasm memory: the Fetch action names its secret, the host appends it", async () => {
      const { core, mem } = await load();
      const sig = ENV.AZ_SAS.slice(ENV.AZ_SAS.indexOf("sig=") + 4);
      const id = core.begin("GET", "/acme/s/hello.txt", "", [], false);
      const a = core.next(id);
      assert.equal(a.url, "https://acct.blob.core.windows.net/data/hello.txt");
      assert.equal(a.urlSecret, "AZ_SAS");
      assert.equal(a.headerList.indexOf("authorization"), -1);
      for (const s of [ENV.AZ_SAS, sig, decodeURIComponent(sig)]) assert.equal(mem().indexOf(s), -1);
      core.free(id);
    });

    it("the core still serves the issuer's public JWKS (n and e of the real key)", async () => {
      const { core } = await load();
      const id = core.begin("GET", "/.well-known/jwks.json", "", [], false);
      const a = core.next(id);
      const jwks = JSON.parse(new TextDecoder().decode(a.body.bytes));
      const expected = crypto.createPublicKey(PEM).export({ format: "jwk" });
      assert.equal(jwks.keys[0].n, expected.n);
      assert.equal(jwks.keys[0].e, expected.e);
      core.free(id);
    });

    it("the input buffer is zeroed after init (the config-named secrets stay only where the core keeps them)", async () => {
      const { core, mem } = await load();
      const base = core.x.core_in(0);
      const scratch = mem().subarray(base, base + 4096);
      assert.equal(scratch.indexOf(ENV.BACKEND_SECRET), -1);
      assert.equal(scratch.indexOf(JSON.stringify(CONFIG).slice(0, 40)), -1);
    });
  });
}

describe("which secrets the core is given", () => {
  it("every string field named *_secret anywhere in the config, nothing else", async () => {
    const { namedSecrets } = await import("../../js/init.mjs");
    const names = namedSecrets({ a: { b: [{ future_thing_secret: "X" }], access_key_id_secret: "Y", other: "Z" },
      federation: { l2_key_secret: "L2", signing_key_secret: 5 } });
    assert.deepEqual([...names], [["X", "future_thing_secret"], ["Y", "access_key_id_secret"], ["L2", "l2_key_secret"]]);
  });
});

describe("the edge cache's naming key in a federation-only config", () => {
  it("is derived from the L2 key by the host (never the key itself), and differs per L2 key", async () => {
    const { coreEnv, HOST_DERIVED_NAMES_KEY } = await import("../../js/init.mjs");
    const one = await coreEnv(CONFIG, ENV);
    const other = await coreEnv(CONFIG, { ...ENV, L2_KEY: crypto.randomBytes(32).toString("base64") });
    const derived = one[HOST_DERIVED_NAMES_KEY];
    assert.equal(typeof derived, "string");
    assert.equal(Buffer.from(derived, "base64").length, 32);
    assert.notEqual(derived, other[HOST_DERIVED_NAMES_KEY]);
    const expected = crypto.createHmac("sha256", L2_RAW).update("s3-edge-proxy object cache entry names v1").digest("base64");
    assert.equal(derived, expected);
    assert.notEqual(one.L2_KEY, ENV.L2_KEY); // the core gets a stand-in for the key itself
    assert.ok(!Object.values(one).includes(ENV.L2_KEY));
    // Without an L2 key there is nothing to derive from.
    const { federation, ...noFed } = CONFIG;
    assert.equal((await coreEnv({ ...noFed, backends: { keyed: CONFIG.backends.keyed }, accounts: { acme: { repositories: { k: { backend: "keyed" } } } } }, ENV))[HOST_DERIVED_NAMES_KEY], undefined);
  });
});
