// Seeds Azurite with the container and blobs the Azure tests read: awkward names (spaces, unicode, '+', '%',
// XML metacharacters, deep prefixes) under "data/", and one blob outside it. Every request is Shared Key signed
// by tests/azurite/shared_key.mjs, so a seed that succeeds also proves that signer against Azurite's verifier.
//   node tests/azurite/seed.mjs http://127.0.0.1:PORT
import { azureFetch, blobPath, DEV_ACCOUNT } from "./shared_key.mjs";

export const CONTAINER = "seed";
export const BLOBS = {
  "data/hello.txt": "hello, azure\n",
  "data/with space.txt": "a space\n",
  "data/ünïcödé/日本語.txt": "unicode\n",
  "data/plus+sign.txt": "plus\n",
  "data/percent%41.txt": "percent\n",
  "data/xml&<>'\".txt": "markup\n",
  "data/deep/a/b/c/d/e/leaf.bin": "deep leaf\n",
  "data/deep/a/other.txt": "other\n",
  "outside.txt": "not under data/\n",
};

export async function seed(endpoint) {
  let r = await azureFetch(endpoint, { method: "PUT", path: `/${DEV_ACCOUNT}/${CONTAINER}`, query: [["restype", "container"]] });
  if (r.status !== 201 && r.status !== 409) throw new Error(`create container: ${r.status} ${await r.text()}`);
  for (const [name, body] of Object.entries(BLOBS)) {
    r = await azureFetch(endpoint, { method: "PUT", path: blobPath(CONTAINER, name), body,
      headers: [["x-ms-blob-type", "BlockBlob"], ["content-type", "text/plain"]] });
    if (r.status !== 201) throw new Error(`put ${name}: ${r.status} ${await r.text()}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  seed(process.argv[2]).catch((e) => {
    console.error(`seed: ${e.message}`);
    process.exit(1);
  });
}
