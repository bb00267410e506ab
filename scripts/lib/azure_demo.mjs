// The demo's Azure repository (./scripts/run): demo-org/azure-data, public and read-only, on Azurite. Its blobs
// are public-data's objects as the S3 emulator holds them (the awkward keys, the COG), copied byte for byte into
// the public container "demo-azure" under the same "public-data/" prefix, so the two repositories list and read
// alike (but for keys with dot segments, see below). Azurite's development account key is public (Azure's documentation shows it); the repository itself is
// read anonymously, as a public container is.
import { azureFetch, blobPath, DEV_ACCOUNT } from "../../tests/azurite/shared_key.mjs";

export const AZURE_DEMO_CONTAINER = "demo-azure";

const unescapeXml = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'")
  .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, "&");

// Every key of the emulator's public bucket under `prefix` (anonymous ListObjectsV2, all pages).
async function listEmulator(emulator, bucket, prefix) {
  const keys = [];
  for (let token; ;) {
    const q = new URLSearchParams({ "list-type": "2", prefix });
    if (token) q.set("continuation-token", token);
    const r = await fetch(`${emulator}/${bucket}?${q}`);
    const xml = await r.text();
    if (r.status !== 200) throw new Error(`list ${bucket}/${prefix}: ${r.status} ${xml.slice(0, 200)}`);
    for (const m of xml.matchAll(/<Contents>.*?<Key>(.*?)<\/Key>/gs)) keys.push(unescapeXml(m[1]));
    const next = xml.match(/<NextContinuationToken>(.*?)<\/NextContinuationToken>/);
    if (!next) return keys;
    token = unescapeXml(next[1]);
  }
}

// Copies public-data from the emulator into Azurite; returns how many blobs.
export async function seedAzureDemo(azurite, emulator) {
  const container = { method: "PUT", path: `/${DEV_ACCOUNT}/${AZURE_DEMO_CONTAINER}`, query: [["restype", "container"]],
    headers: [["x-ms-blob-public-access", "container"]] };
  let r = await azureFetch(azurite, container);
  if (r.status !== 201 && r.status !== 409) throw new Error(`azure demo container: ${r.status} ${await r.text()}`);
  const keys = await listEmulator(emulator, "public-bucket", "public-data/");
  // A key with a "." or ".." segment is left out: fetch() would resolve it in the URL, and the proxy refuses such
  // keys anyway (InvalidArgument), on either backend.
  for (const key of keys.filter((k) => !k.split("/").some((seg) => seg === "." || seg === ".."))) {
    const o = await fetch(`${emulator}/public-bucket/${key.split("/").map(encodeURIComponent).join("/")}`);
    if (o.status !== 200) throw new Error(`read ${key}: ${o.status}`);
    const body = Buffer.from(await o.arrayBuffer());
    r = await azureFetch(azurite, { method: "PUT", path: blobPath(AZURE_DEMO_CONTAINER, key), body,
      headers: [["x-ms-blob-type", "BlockBlob"], ["content-type", o.headers.get("content-type") ?? "application/octet-stream"]] });
    if (r.status !== 201) throw new Error(`azure demo put ${key}: ${r.status} ${await r.text()}`);
  }
  return keys.length;
}

// The config's Azure backend and demo-org/azure-data.
export function addAzureDemo(cfg, azurite) {
  cfg.backends["local-azure"] = { dialect: "azure", endpoint: `${azurite}/${DEV_ACCOUNT}`, account: DEV_ACCOUNT,
    container: AZURE_DEMO_CONTAINER, timeout_ms: 10000 };
  cfg.accounts["demo-org"].repositories["azure-data"] = { backend: "local-azure", prefix: "public-data/", public: true,
    read_only: true };
}
