// Throwaway federation secrets for local runs and tests: an RSA-2048 OIDC signing key (PKCS#8 PEM, what WebCrypto
// imports) and an AES-256 key for the L2 cache (base64). Made fresh per process with node's crypto; never stored.
import crypto from "node:crypto";

export function demoFederationSecrets() {
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    DEMO_OIDC_SIGNING_KEY: privateKey.export({ type: "pkcs8", format: "pem" }),
    DEMO_L2_KEY: crypto.randomBytes(32).toString("base64"),
  };
}

// The key that seals ListObjectsV2 continuation tokens (config/demo.json's listing_token_key_secret): any text of
// at least 32 bytes; tokens open on every isolate that holds the same key.
export function demoListingSecrets() {
  return { DEMO_LISTING_TOKEN_KEY: crypto.randomBytes(32).toString("base64") };
}

// The demo's access key (config/demo.json names it; its secret is the Worker secret DEMO_USER_SECRET): may read
// and list demo-org/secret-data and demo-org/federated-data, and read, write and delete in demo-org/uploads. A fresh secret per process, printed by ./scripts/run.
export const DEMO_USER_ACCESS_KEY_ID = "AKIDDEMOUSER0000001";
export function demoUserSecrets() {
  return { DEMO_USER_SECRET: crypto.randomBytes(30).toString("base64") };
}
