// A second, independent Shared Key signer in JavaScript (node:crypto), written from the spec ("Authorize with
// Shared Key", learn.microsoft.com) and not from worker/sign/azure_shared_key.cpp: the seed uses it to write to
// Azurite (which proves it against the emulator's verifier), and gen_vectors.mjs uses it to compute the unit
// tests' expected values. Test code only.
import crypto from "node:crypto";

export const DEV_ACCOUNT = "devstoreaccount1";
// Azurite's well-known development key (public: it is in Azure's own documentation).
export const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
export const API_VERSION = "2021-08-06";

const STANDARD = ["content-encoding", "content-language", "content-length", "content-md5", "content-type", "date",
  "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range"];

// headers: [[name, value], ...]; query: [[name, decodedValue], ...]; path: as sent (percent-encoded).
export function stringToSign({ method, account, path, query = [], headers = [] }) {
  const get = (n) => {
    const h = headers.find(([k]) => k.toLowerCase() === n);
    return h ? String(h[1]).trim() : "";
  };
  const lines = [method];
  for (const n of STANDARD) {
    const v = get(n);
    lines.push(n === "content-length" && v === "0" ? "" : v);
  }
  const ms = new Map();
  for (const [k, v] of headers) {
    const n = k.toLowerCase().trim();
    if (!n.startsWith("x-ms-")) continue;
    ms.set(n, ms.has(n) ? `${ms.get(n)},${String(v).trim()}` : String(v).trim());
  }
  const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const canonHeaders = [...ms.keys()].sort(byName).map((n) => `${n}:${ms.get(n)}\n`).join("");
  let resource = `/${account}${path || "/"}`;
  const qs = new Map();
  for (const [k, v] of query) {
    const n = k.toLowerCase();
    if (!qs.has(n)) qs.set(n, []);
    qs.get(n).push(v);
  }
  for (const n of [...qs.keys()].sort(byName)) resource += `\n${n}:${qs.get(n).sort(byName).join(",")}`;
  return lines.join("\n") + "\n" + canonHeaders + resource;
}

export function sign(req, keyB64 = DEV_KEY) {
  const sts = stringToSign(req);
  const sig = crypto.createHmac("sha256", Buffer.from(keyB64, "base64")).update(sts, "utf8").digest("base64");
  return { stringToSign: sts, authorization: `SharedKey ${req.account}:${sig}` };
}

// Blob names in URL paths: each segment percent-encoded, '/' kept (what Azure's SDKs send).
export function blobPath(container, name, account = DEV_ACCOUNT) {
  return `/${account}/${container}/` + name.split("/").map(encodeURIComponent).join("/");
}

// One signed request to Azurite at `endpoint` (http://127.0.0.1:PORT). path as blobPath gives it.
export async function azureFetch(endpoint, { method = "GET", path, query = [], headers = [], body, key = DEV_KEY }) {
  const all = [["x-ms-date", new Date().toUTCString()], ["x-ms-version", API_VERSION], ...headers];
  if (body !== undefined) all.push(["content-length", String(Buffer.byteLength(body))]);
  const { authorization } = sign({ method, account: DEV_ACCOUNT, path, query, headers: all }, key);
  const qs = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  const res = await fetch(`${endpoint}${path}${qs ? "?" + qs : ""}`, {
    method, body, headers: Object.fromEntries([...all.filter(([k]) => k !== "content-length"), ["authorization", authorization]]),
  });
  return res;
}
