// Serves the Worker on a fixed port until interrupted: `node scripts/lib/serve.mjs` (used by ./scripts/run).
// Env: PORT, S3P_EMULATOR (backend URL), S3P_CONFIG_FILE, and the demo backend secrets.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_USER_ACCESS_KEY_ID, demoFederationSecrets, demoListingSecrets, demoUserSecrets } from "./demo-keys.mjs";
import { loadConfig, startWorker } from "./miniflare.mjs";

// What ./scripts/run prints: every line is paste-ready shell (notes are `#` comments on their own lines), which
// tests/scripts/demo-banner.test.mjs checks with `bash -n`. `ep`: the proxy's URL; `secret`: the demo key's secret.
export function banner({ ep, emulator, secret }) {
  const host = new URL(ep).host;
  const upload = "s3://demo-org/uploads/hello-edge.txt";
  return `
s3-edge-proxy is serving on ${ep}   (backend emulator: ${emulator})
Every line below can be pasted into a shell; lines starting with # are comments.

# Anonymous (public repositories only):
aws --endpoint-url ${ep} --no-sign-request s3 ls s3://demo-org/
aws --endpoint-url ${ep} --no-sign-request s3 ls s3://demo-org/public-data/ --recursive
curl -s ${ep}/demo-org/public-data/README.txt
# demo-org/secret-data is private, so this answers 403 AccessDenied:
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

# Ctrl-C stops everything.
`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8787);
  const cfg = JSON.parse(loadConfig(process.env.S3P_CONFIG_FILE ?? "config/demo.json", process.env.S3P_EMULATOR));
  // The demo is its own OIDC issuer at the address it serves on: the STS emulator fetches its discovery document
  // and JWKS from there to verify each token.
  if (cfg.federation) cfg.federation.issuer = `http://127.0.0.1:${port}`;
  const config = JSON.stringify(cfg);
  const bindings = {
    DEMO_BACKEND_ACCESS_KEY_ID: process.env.DEMO_BACKEND_ACCESS_KEY_ID ?? "",
    DEMO_BACKEND_SECRET_ACCESS_KEY: process.env.DEMO_BACKEND_SECRET_ACCESS_KEY ?? "",
    ...demoFederationSecrets(),
    ...demoUserSecrets(),
    ...demoListingSecrets(),
  };
  const worker = await startWorker({ config, bindings, port, log: (s) => process.stdout.write(s) });
  console.log(banner({ ep: worker.url, emulator: process.env.S3P_EMULATOR, secret: bindings.DEMO_USER_SECRET }));
  const stop = async () => {
    await worker.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
