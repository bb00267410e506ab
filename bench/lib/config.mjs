// The configurations every variant gets: the same origin, the same keys, the same namespace.
import { ACCOUNT, BUCKET, PREFIX, REPO } from "./fixtures.mjs";

export const KEY_ID = "AKIDBENCHBENCHBENCH1";
export const SECRET = "bench/secret/key/bench/secret/key/bench00";
export const REGION = "us-east-1";

// B: our worker's S3P_CONFIG, a static-key backend at the origin.
export function proxyConfig(origin) {
  return {
    owner_id: "bench",
    backends: {
      origin: {
        endpoint: origin, bucket: BUCKET, region: REGION, timeout_ms: 10000,
        auth: { type: "static", access_key_id_secret: "BENCH_KEY_ID", secret_access_key_secret: "BENCH_SECRET" },
      },
      // the same origin unsigned: the in-module bench times SigV4 as the difference
      "origin-anonymous": { endpoint: origin, bucket: BUCKET, region: REGION, timeout_ms: 10000 },
    },
    accounts: {
      [ACCOUNT]: {
        repositories: { [REPO]: { backend: "origin", prefix: PREFIX }, [`${REPO}-anonymous`]: { backend: "origin-anonymous", prefix: PREFIX } },
      },
    },
  };
}
export const proxySecrets = () => ({ BENCH_KEY_ID: KEY_ID, BENCH_SECRET: SECRET });

// B with web-identity federation (L1-cached temporary credentials from an STS at the origin's /sts).
// HOOK: federation is being built concurrently; run.mjs only uses this when the core accepts the config.
export function federatedConfig(origin, issuer) {
  const cfg = proxyConfig(origin);
  cfg.federation = {
    issuer, signing_key_secret: "BENCH_OIDC_KEY", kid: "bench-1",
    sts_endpoint: `${origin}/sts`, sts_timeout_ms: 10000, l2_key_secret: "BENCH_L2_KEY",
  };
  cfg.backends.origin.auth = { type: "web_identity", role_arn: "arn:aws:iam::123456789012:role/bench", subject: "bench" };
  return cfg;
}

// P and C: the path → origin URL maps a user would hard-code.
export const routes = (origin) => ({ [`${ACCOUNT}/${REPO}`]: `${origin}/${BUCKET}/${PREFIX}` });
export const buckets = (origin) => ({ [ACCOUNT]: `${origin}/${BUCKET}` });
