// Prints the expected values of tests/unit/test_azure_shared_key.cpp, computed by the independent JS signer
// (shared_key.mjs, proven against Azurite by the seed). The C++ test holds them as constants; rerun to check:
//   node tests/azurite/gen_vectors.mjs
import { sign, DEV_KEY } from "./shared_key.mjs";

const DATE = "Sun, 06 Dec 2026 18:00:00 GMT";
const base = [["x-ms-date", DATE], ["x-ms-version", "2021-08-06"]];
export const VECTORS = {
  get_range: { method: "GET", account: "devstoreaccount1", path: "/devstoreaccount1/seed/data/%C3%BCn%C3%AFc%C3%B6d%C3%A9/%E6%97%A5%E6%9C%AC%E8%AA%9E.txt",
    headers: [...base, ["x-ms-range", "bytes=0-3"], ["If-None-Match", "\"0x8DB\""]] },
  put_blob: { method: "PUT", account: "myaccount", path: "/container/with%20space/plus%2Bsign.txt",
    headers: [["Content-Type", "text/plain"], ["Content-Length", "11"], ["Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww=="],
      ["x-ms-blob-type", "BlockBlob"], ["x-ms-meta-Project", " edge "], ...base] },
  list_blobs: { method: "GET", account: "devstoreaccount1", path: "/devstoreaccount1/seed",
    query: [["restype", "container"], ["comp", "list"], ["prefix", "data/with space+ü/"], ["delimiter", "/"],
      ["marker", "data/hello.txt"], ["maxresults", "3"]], headers: base },
  zero_length: { method: "PUT", account: "myaccount", path: "/container/empty",
    headers: [...base, ["content-length", "0"], ["x-ms-blob-type", "BlockBlob"]] },
  repeated: { method: "GET", account: "myaccount", path: "/",
    query: [["comp", "list"], ["Include", "snapshots"], ["include", "metadata"]],
    headers: [["x-ms-version", "2021-08-06"], ["X-MS-Date", DATE], ["x-ms-client-request-id", "b"], ["x-ms-client-request-id", "a"]] },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, req] of Object.entries(VECTORS)) {
    const { stringToSign, authorization } = sign(req, DEV_KEY);
    console.log(`${name}\n  sts: ${JSON.stringify(stringToSign)}\n  auth: ${authorization}`);
  }
}
