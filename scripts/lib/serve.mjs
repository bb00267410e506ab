// Serves the Worker on a fixed port until interrupted: `node scripts/lib/serve.mjs` (used by ./scripts/run).
// Env: PORT, S3P_EMULATOR (backend URL), S3P_CONFIG_FILE, and the demo backend secrets.
import { DEMO_USER_ACCESS_KEY_ID, demoFederationSecrets, demoListingSecrets, demoUserSecrets } from "./demo-keys.mjs";
import { loadConfig, startWorker } from "./miniflare.mjs";

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
const keyEnv = `AWS_ACCESS_KEY_ID=${DEMO_USER_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY='${bindings.DEMO_USER_SECRET}' AWS_DEFAULT_REGION=us-east-1`;
const worker = await startWorker({ config, bindings, port, log: (s) => process.stdout.write(s) });
const ep = worker.url;
console.log(`
s3-edge-proxy is serving on ${ep}   (backend emulator: ${process.env.S3P_EMULATOR})

Anonymous (public repositories only):
  aws --endpoint-url ${ep} --no-sign-request s3 ls s3://demo-org/
  aws --endpoint-url ${ep} --no-sign-request s3 ls s3://demo-org/public-data/ --recursive
  curl -s ${ep}/demo-org/public-data/README.txt
  curl -s ${ep}/demo-org/secret-data/hello.txt            (private: 403 AccessDenied)

With the demo access key (reads demo-org/secret-data and demo-org/federated-data; this run's secret):
  export ${keyEnv}
  aws --endpoint-url ${ep} s3 ls s3://demo-org/
  aws --endpoint-url ${ep} s3 cp s3://demo-org/secret-data/hello.txt -
  aws --endpoint-url ${ep} s3 cp s3://demo-org/federated-data/hello.txt -   (backend via STS web identity)
  curl -s "$(aws --endpoint-url ${ep} s3 presign s3://demo-org/secret-data/hello.txt --expires-in 300)"

OIDC provider:
  curl -s ${ep}/.well-known/openid-configuration

Ctrl-C stops everything.
`);
const stop = async () => {
  await worker.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
