// Serves the Worker on a fixed port until interrupted: `node scripts/lib/serve.mjs` (used by ./scripts/run).
// Env: PORT, S3P_EMULATOR (backend URL), S3P_CONFIG_FILE, and the demo backend secrets.
//
// The demo's accounts are served from the namespace registry (README "Registry"), as a deployment with many
// accounts would be: S3P_CONFIG is the demo config without its accounts (backends, access keys, federation and the
// other settings stay), plus a "registry" section; the accounts are imported at start by ./scripts/registry's own
// code into Miniflare's KV under .state/registry-kv (fresh each run), which the Worker reads per request. The
// banner shows how to change them while it runs.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_USER_ACCESS_KEY_ID, demoFederationSecrets, demoListingSecrets, demoUserSecrets } from "./demo-keys.mjs";
import { ROOT, loadConfig, startWorker } from "./miniflare.mjs";
import { main as registryCli } from "./registry/cli.mjs";
import { shellQuote } from "./registry/store.mjs";
import { startIdp } from "./oidc_idp.mjs";
import { addAzureDemo, seedAzureDemo } from "./azure_demo.mjs";

// The registry's deployment key K (the Worker secret that "registry": {"key_secret": "DEMO_REGISTRY_KEY"} names),
// which seals every registry entry (the Worker refuses one it did not seal) and from which access key secrets of the
// registry are derived. A DEMO-ONLY value, fixed so that the banner can show it: it protects nothing, never use it
// for a deployment (`openssl rand -base64 32` makes a real one).
export const DEMO_REGISTRY_KEY = "demo-only-registry-key-not-a-secret-0123456789";
// The registry access key the banner creates.
export const DEMO_REGISTRY_ACCESS_KEY_ID = "AKIDDEMOREG0000001";
// Where ./scripts/run keeps the registry and the files it is made from (relative to the repository).
export const DEMO_KV_DIR = ".state/registry-kv";
export const DEMO_DEPLOYMENT_FILE = ".state/demo-deployment.json"; // the Worker's S3P_CONFIG
export const DEMO_NAMESPACE_FILE = ".state/demo-namespace.json"; // the demo config the registry is imported from
// Short TTLs so that a change shows within seconds in the demo (a deployment keeps the defaults: README).
export const DEMO_REGISTRY = { kv_binding: "REGISTRY", key_secret: "DEMO_REGISTRY_KEY", entry_ttl_s: 5, negative_ttl_s: 5 };

// The demo's web identity (README "Temporary credentials (STS)"): a local OIDC provider stands in for a CI system,
// S3P_CONFIG trusts it, and role demo-pipeline accepts its tokens for repository my-org/pipeline on main.
export const DEMO_WEB_IDENTITY_ROLE = "demo-pipeline";
export const DEMO_TOKEN_FILE = ".state/web-identity-token";
// The session key (sts.session_key_secret) that seals the demo's STS sessions: DEMO-ONLY and fixed, like
// DEMO_REGISTRY_KEY, so that a session aws cli cached (~/.aws/cli/cache) in an earlier run still opens.
export const DEMO_STS_SESSION_KEY = Buffer.from("demo-only-sts-key-not-a-secret!!").toString("base64");
export function withWebIdentity(deployment, idp) {
  deployment.sts = { session_key_secret: "DEMO_STS_SESSION_KEY",
    identity_providers: { "local-ci": { issuer: idp.issuer, audiences: ["sts.amazonaws.com"], jwks_url: idp.jwksUrl } } };
  deployment.roles = { [DEMO_WEB_IDENTITY_ROLE]: {
    scopes: [{ account: "demo-org", repository: "secret-data", actions: ["read", "list"] },
      { account: "demo-org", repository: "uploads", actions: ["read", "write", "list"] }],
    web_identity: { provider: "local-ci", conditions: { repository: "my-org/pipeline", ref: "refs/heads/main" } } } };
  return deployment;
}

// S3P_CONFIG of a demo served from the registry: the config without its namespace's accounts, with "registry".
export function deploymentConfig(cfg) {
  const d = structuredClone(cfg);
  delete d.accounts;
  delete d.buckets;
  d.registry = { ...DEMO_REGISTRY };
  return d;
}

// Writes the deployment (S3P_CONFIG) and the namespace to import, then fills a fresh KV directory with the
// namespace's accounts through the registry CLI: DEMO_REGISTRY_KEY=K ./scripts/registry --local KV --deployment
// DEPLOYMENT --key-secret-env DEMO_REGISTRY_KEY import NAMESPACE --skip-keys (the entries sealed with the demo's K,
// which the Worker gets as that secret; the access keys stay in S3P_CONFIG, and their scopes name the registry's
// accounts). Throws with the CLI's output when it refuses.
export async function seedRegistry({ config, deployment, kvDir, deploymentFile, namespaceFile, key = DEMO_REGISTRY_KEY }) {
  fs.mkdirSync(path.dirname(deploymentFile), { recursive: true });
  fs.mkdirSync(path.dirname(namespaceFile), { recursive: true });
  fs.writeFileSync(deploymentFile, `${JSON.stringify(deployment, null, 2)}\n`);
  fs.writeFileSync(namespaceFile, `${JSON.stringify(config, null, 2)}\n`);
  fs.rmSync(kvDir, { recursive: true, force: true });
  const output = [];
  const sink = { write: (s) => output.push(s) };
  const secretName = deployment.registry?.key_secret ?? DEMO_REGISTRY.key_secret;
  const argv = ["--local", kvDir, "--deployment", deploymentFile, "--key-secret-env", secretName, "import", namespaceFile, "--skip-keys"];
  const code = await registryCli(argv, { stdout: sink, stderr: sink, env: { ...process.env, [secretName]: key } });
  if (code !== 0) throw new Error(`./scripts/registry ${argv.join(" ")} failed (exit ${code}):\n${output.join("")}`);
  return output.join("");
}

// The Worker secrets of the demo (what S3P_CONFIG names).
export function demoBindings(env = process.env) {
  return {
    DEMO_BACKEND_ACCESS_KEY_ID: env.DEMO_BACKEND_ACCESS_KEY_ID ?? "",
    DEMO_BACKEND_SECRET_ACCESS_KEY: env.DEMO_BACKEND_SECRET_ACCESS_KEY ?? "",
    DEMO_REGISTRY_KEY,
    ...demoFederationSecrets(),
    ...demoUserSecrets(),
    ...demoListingSecrets(),
  };
}

// What ./scripts/run prints: every line is paste-ready shell (notes are `#` comments on their own lines), which
// tests/scripts/demo-banner.test.mjs checks with `bash -n`. `ep`: the proxy's URL; `secret`: the demo key's secret;
// `registry`: where the registry and the deployment file are (paths as printed, after `cd root`).
// `azurite`: the Azure emulator's URL when demo-org/azure-data is served.
export function banner({ ep, emulator, secret, registry = {}, tokenFile = path.join(ROOT, DEMO_TOKEN_FILE), azurite }) {
  const { root = ROOT, kvDir = DEMO_KV_DIR, deployment = DEMO_DEPLOYMENT_FILE, key = DEMO_REGISTRY_KEY } = registry;
  const host = new URL(ep).host;
  const upload = "s3://demo-org/uploads/hello-edge.txt";
  // Every registry command runs with the deployment key: it seals what the writes write, verifies what the reads read.
  const cli = `REGISTRY_KEY=${shellQuote(key)} ./scripts/registry --local ${shellQuote(kvDir)} --deployment ${shellQuote(deployment)}`;
  const regKey = DEMO_REGISTRY_ACCESS_KEY_ID;
  const regEnv = `AWS_ACCESS_KEY_ID=${regKey} AWS_SECRET_ACCESS_KEY="$REG_SECRET"`;
  return `
s3-edge-proxy is serving on ${ep}   (backend emulator: ${emulator})
Every line below can be pasted into a shell; lines starting with # are comments.

# Anonymous (public repositories only):
aws --endpoint-url ${ep} --no-sign-request s3 ls s3://demo-org/
aws --endpoint-url ${ep} --no-sign-request s3 ls s3://demo-org/public-data/ --recursive
curl -s ${ep}/demo-org/public-data/README.txt
${azurite ? `# The same objects on Azure Blob Storage (Azurite at ${azurite}), through the Azure dialect:
aws --endpoint-url ${ep} --no-sign-request s3 ls s3://demo-org/azure-data/ --recursive
curl -s ${ep}/demo-org/azure-data/README.txt
AWS_S3_ENDPOINT=${host} AWS_HTTPS=NO AWS_VIRTUAL_HOSTING=FALSE AWS_NO_SIGN_REQUEST=YES gdalinfo /vsis3/demo-org/azure-data/cogs/demo.tif
` : ""}# demo-org/secret-data is private, so this answers 403 AccessDenied:
curl -s ${ep}/demo-org/secret-data/hello.txt

# The demo access key (this run's secret). It reads demo-org/secret-data and demo-org/federated-data, and
# demo-org/uploads is the writable repository (read, write, delete):
export AWS_ACCESS_KEY_ID=${DEMO_USER_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY='${secret}' AWS_DEFAULT_REGION=us-east-1
aws --endpoint-url ${ep} s3 ls s3://demo-org/
aws --endpoint-url ${ep} s3 cp s3://demo-org/secret-data/hello.txt -
# federated-data's backend is reached with credentials from STS web identity (the proxy is the OIDC issuer):
aws --endpoint-url ${ep} s3 cp s3://demo-org/federated-data/hello.txt -
curl -s "$(aws --endpoint-url ${ep} s3 presign s3://demo-org/secret-data/hello.txt --expires-in 300)"

# Write to demo-org/uploads, the writable repository, then list and read it back:
echo "hello from my machine" | aws --endpoint-url ${ep} s3 cp - ${upload}
aws --endpoint-url ${ep} s3 ls s3://demo-org/uploads/
aws --endpoint-url ${ep} s3 cp ${upload} -
# demo-org/uploads has the edge chunk cache on: after a write the first read is a miss (from the backend), the
# next ones are hits (from the cache). The x-edge-cache header says which:
for i in 1 2; do curl -s -o /dev/null -D - "$(aws --endpoint-url ${ep} s3 presign ${upload})" | grep -i '^x-edge-cache'; done

# GDAL reads a Cloud-Optimized GeoTIFF through /vsis3/ (writes need CPL_VSIL_USE_TEMP_FILE_FOR_RANDOM_WRITE=YES):
AWS_S3_ENDPOINT=${host} AWS_HTTPS=NO AWS_VIRTUAL_HOSTING=FALSE AWS_NO_SIGN_REQUEST=YES gdalinfo /vsis3/demo-org/public-data/cogs/demo.tif

# OIDC provider:
curl -s ${ep}/.well-known/openid-configuration

# Web identity, as a CI job would do it: no key, only an OIDC token from the local identity provider (standing in
# for GitHub Actions; rewritten every 5 minutes) that role ${DEMO_WEB_IDENTITY_ROLE} trusts. The SDK exchanges it at
# the proxy's STS and refreshes the session itself:
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
export AWS_ROLE_ARN=arn:aws:iam::s3-edge-proxy:role/${DEMO_WEB_IDENTITY_ROLE} AWS_WEB_IDENTITY_TOKEN_FILE=${shellQuote(tokenFile)} AWS_ENDPOINT_URL_STS=${ep}/.sts AWS_DEFAULT_REGION=us-east-1
aws sts get-caller-identity
aws --endpoint-url ${ep} s3 ls s3://demo-org/secret-data/
aws --endpoint-url ${ep} s3 cp s3://demo-org/secret-data/hello.txt -
echo "written by a web-identity session" | aws --endpoint-url ${ep} s3 cp - s3://demo-org/uploads/from-ci.txt
unset AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
export AWS_ACCESS_KEY_ID=${DEMO_USER_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY='${secret}'

# The accounts (demo-org, geo-lab) are served from the namespace registry: Workers KV in
# ${kvDir}, imported from the demo config at start (fresh each run) and read per request, each entry
# cached for 5 s. S3P_CONFIG (${deployment}) keeps the backends, the demo key and the other
# settings. Change the registry while this runs, with ./scripts/registry from the repository. Each command gets
# REGISTRY_KEY, the deployment key: it seals every entry written (the proxy refuses one it did not seal) and
# derives the access keys' secrets. Its value here is the demo's Worker secret DEMO_REGISTRY_KEY: demo-only,
# never a real deployment's.
cd ${shellQuote(root)}
# Add a public repository to demo-org, over the demo's local-public backend (one of S3P_CONFIG's backends):
${cli} repo add demo-org more-data --backend local-public --prefix public-data/ --public
# It is served once the cached demo-org entry has expired (5 s):
sleep 5; aws --endpoint-url ${ep} --no-sign-request s3 ls s3://demo-org/more-data/
# Create an access key in the registry that may read, write and list demo-org/uploads. It prints the key's
# secret, derived from the deployment key and the key's random nonce, and stored nowhere:
${cli} key create ${regKey} --scope demo-org/uploads:read,write,list
# key secret derives it again; use the key:
REG_SECRET=$(${cli} key secret ${regKey})
echo "written with a registry key" | ${regEnv} aws --endpoint-url ${ep} s3 cp - s3://demo-org/uploads/from-registry-key.txt
${regEnv} aws --endpoint-url ${ep} s3 ls s3://demo-org/uploads/

# Ctrl-C stops everything.
`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8787);
  const cfg = JSON.parse(loadConfig(process.env.S3P_CONFIG_FILE ?? "config/demo.json", process.env.S3P_EMULATOR));
  // The demo is its own OIDC issuer at the address it serves on: the STS emulator fetches its discovery document
  // and JWKS from there to verify each token.
  if (cfg.federation) cfg.federation.issuer = `http://127.0.0.1:${port}`;
  // The local identity provider and the token file the banner's web-identity commands read.
  const idp = await startIdp();
  const tokenFile = path.join(ROOT, DEMO_TOKEN_FILE);
  const writeToken = () => fs.writeFileSync(tokenFile, idp.mint({ exp: Math.floor(Date.now() / 1000) + 3600 }));
  fs.mkdirSync(path.dirname(tokenFile), { recursive: true });
  writeToken();
  setInterval(writeToken, 5 * 60 * 1000).unref();
  if (process.env.S3P_AZURITE) {
    try {
      await seedAzureDemo(process.env.S3P_AZURITE, process.env.S3P_EMULATOR);
    } catch (e) {
      console.error(`azure demo: ${e.message}`);
      process.exit(1);
    }
    addAzureDemo(cfg, process.env.S3P_AZURITE);
  }
  const deployment = withWebIdentity(deploymentConfig(cfg), idp);
  const kvDir = path.join(ROOT, DEMO_KV_DIR);
  try {
    await seedRegistry({ config: cfg, deployment, kvDir, deploymentFile: path.join(ROOT, DEMO_DEPLOYMENT_FILE),
      namespaceFile: path.join(ROOT, DEMO_NAMESPACE_FILE) });
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
  const bindings = { ...demoBindings(), DEMO_STS_SESSION_KEY };
  const worker = await startWorker({ config: JSON.stringify(deployment), bindings, port, kvPersist: kvDir,
    log: (s) => process.stdout.write(s) });
  console.log(banner({ ep: worker.url, emulator: process.env.S3P_EMULATOR, secret: bindings.DEMO_USER_SECRET, tokenFile,
    azurite: process.env.S3P_AZURITE }));
  const stop = async () => {
    await worker.close();
    await idp.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
