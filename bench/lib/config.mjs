// The configurations every variant gets: the same origin, the same keys, the same namespace.
import { ACCOUNT, BUCKET, PREFIX, REPO } from "./fixtures.mjs";

export const SINK_BUCKET = "sink-bucket";

export const KEY_ID = "AKIDBENCHBENCHBENCH1";
export const SECRET = "bench/secret/key/bench/secret/key/bench00";
export const REGION = "us-east-1";

// The uploader: the only key B knows, allowed to write to the uploads repository (whose backend is the sink).
export const UPLOADER_ID = "AKIDBENCHUPLOADER001";
export const UPLOADER_SECRET = "bench/uploader/secret/bench/uploader/00";
export const UPLOADS_REPO = `${REPO}-uploads`;

// The reader: a key that may read the read repository (the registry rows' presigned GET: a request that looks its
// key up, in S3P_CONFIG for B, in the registry for the registry variants).
export const READER_ID = "AKIDBENCHREADER00001";
export const READER_SECRET = "bench/reader/secret/bench/reader/secret00";

// The edge-cache cells read FAR_REPO: the same objects behind the delayed origin (bench/lib/nginx.mjs).
export const FAR_REPO = `${REPO}-far`;
// The per-repository cache setting the core reads: {"enabled", "chunk_size" (default 4 MiB), "metadata_ttl_s"
// (30), "chunk_ttl_s" (86400)}; enabled defaults to the repository being public, so every repository of B says
// "enabled": false explicitly, and only Bc's FAR_REPO turns it on.
// Chunks of 1 MiB rather than the 4 MiB default: a cold 64 KiB read then costs a 1 MiB origin fetch (16×) rather
// than 4 MiB (64×), and the windowed reads' ~1 MiB row groups span one or two chunks instead of sharing one.
export const CACHE_CHUNK = 1 << 20;
export const NO_CACHE = { enabled: false };
export const EDGE_CACHE = { enabled: true, chunk_size: CACHE_CHUNK, metadata_ttl_s: 30, chunk_ttl_s: 86400 };

// B: our worker's S3P_CONFIG, a static-key backend at the origin; the read repositories are public (the bench's
// clients are anonymous, as the peers' are) and uncached; uploads go to `sink` (bench/lib/sink.mjs) when one is
// given. FAR_REPO reads the delayed origin `far` with the cache setting `cache` (Bc: EDGE_CACHE).
export function proxyConfig(origin, sink = "http://127.0.0.1:9", { far = origin, cache = NO_CACHE } = {}) {
  return {
    owner_id: "bench",
    backends: {
      origin: {
        endpoint: origin, bucket: BUCKET, region: REGION, timeout_ms: 10000,
        auth: { type: "static", access_key_id_secret: "BENCH_KEY_ID", secret_access_key_secret: "BENCH_SECRET" },
      },
      // the same origin unsigned: the in-module bench times SigV4 as the difference
      "origin-anonymous": { endpoint: origin, bucket: BUCKET, region: REGION, timeout_ms: 10000 },
      far: {
        endpoint: far, bucket: BUCKET, region: REGION, timeout_ms: 10000,
        auth: { type: "static", access_key_id_secret: "BENCH_KEY_ID", secret_access_key_secret: "BENCH_SECRET" },
      },
      sink: {
        endpoint: sink, bucket: SINK_BUCKET, region: REGION, timeout_ms: 10000,
        auth: { type: "static", access_key_id_secret: "BENCH_KEY_ID", secret_access_key_secret: "BENCH_SECRET" },
      },
    },
    access_keys: {
      [UPLOADER_ID]: { secret_access_key_secret: "BENCH_UPLOADER_SECRET", scopes: [{ account: ACCOUNT, repository: UPLOADS_REPO, actions: ["write"] }] },
      [READER_ID]: { secret_access_key_secret: "BENCH_READER_SECRET", scopes: [{ account: ACCOUNT, repository: REPO, actions: ["read"] }] },
    },
    accounts: {
      [ACCOUNT]: {
        repositories: {
          [REPO]: { backend: "origin", prefix: PREFIX, public: true, cache: NO_CACHE },
          [`${REPO}-anonymous`]: { backend: "origin-anonymous", prefix: PREFIX, public: true, cache: NO_CACHE },
          [FAR_REPO]: { backend: "far", prefix: PREFIX, public: true, cache },
          [UPLOADS_REPO]: { backend: "sink", prefix: "up/", cache: NO_CACHE },
        },
      },
    },
  };
}
export const proxySecrets = () => ({ BENCH_KEY_ID: KEY_ID, BENCH_SECRET: SECRET, BENCH_UPLOADER_SECRET: UPLOADER_SECRET,
  BENCH_READER_SECRET: READER_SECRET });

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

// P and C: the path → origin URL maps a user would hard-code (uploads: P only, to the sink; FAR_REPO: the delayed
// origin).
export const routes = (origin, sink = "http://127.0.0.1:9", far = origin) => ({
  [`${ACCOUNT}/${REPO}`]: `${origin}/${BUCKET}/${PREFIX}`,
  [`${ACCOUNT}/${FAR_REPO}`]: `${far}/${BUCKET}/${PREFIX}`,
  [`${ACCOUNT}/${UPLOADS_REPO}`]: `${sink}/${SINK_BUCKET}/up/`,
});
export const buckets = (origin) => ({ [ACCOUNT]: `${origin}/${BUCKET}` });
