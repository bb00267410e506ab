// The deployment's S3P_CONFIG (--deployment FILE): what registry entries lean on besides themselves.
//   - its backends: an entry's repositories may name them (the core resolves a name in the entry's own "backends"
//     first, then in S3P_CONFIG's); a backend with static keys (Worker secrets named by *_secret) can only live
//     there, since the core holds only the secrets S3P_CONFIG names;
//   - its "federation" section: web_identity backends need it;
//   - the accounts and flat buckets it names itself: they take precedence over the registry's, and a key's scopes
//     may name them.
// `${EMULATOR}` (config/demo.json's placeholder for the local backend) is read as a stand-in URL for validation;
// export prints the backends as the file has them.
import fs from "node:fs";
import { parseJson } from "./layout.mjs";

export const EMULATOR_STAND_IN = "http://127.0.0.1:9";

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function substitute(v) {
  if (typeof v === "string") return v.replaceAll("${EMULATOR}", EMULATOR_STAND_IN);
  if (Array.isArray(v)) return v.map(substitute);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x)]));
  return v;
}

export class Deployment {
  // `explicit`: given with --deployment (the deployment itself). Else a stand-in built by import from the file it
  // imports (the S3P_CONFIG being moved into the registry): its backends and federation only.
  constructor(raw, { label, explicit = true }) {
    if (!isObject(raw)) throw new Error(`${label}: must be a JSON object (S3P_CONFIG's format)`);
    for (const section of ["backends", "accounts", "buckets", "federation"])
      if (section in raw && !isObject(raw[section])) throw new Error(`${label}: ${section}: must be an object`);
    this.raw = raw;
    this.label = label;
    this.explicit = explicit;
    this.config = substitute(raw);
  }

  static load(file) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      throw new Error(`--deployment ${file}: cannot read it (${e.code ?? e.message})`);
    }
    return new Deployment(parseJson(text, `--deployment ${file}`), { label: `--deployment ${file}` });
  }

  // The parts of an S3P_CONFIG-format file that a deployment keeps: the backends named (those not embedded into
  // entries) and the federation section.
  static fromImport(cfg, file, backendNames) {
    const backends = {};
    for (const n of backendNames) backends[n] = cfg.backends[n];
    const raw = { backends };
    if (isObject(cfg.federation)) raw.federation = cfg.federation;
    return new Deployment(raw, { label: file, explicit: false });
  }

  get backends() {
    return isObject(this.config.backends) ? this.config.backends : {};
  }

  get rawBackends() {
    return isObject(this.raw.backends) ? this.raw.backends : {};
  }

  get federation() {
    return isObject(this.config.federation) ? this.config.federation : null;
  }

  hasBackend(name) {
    return Object.hasOwn(this.backends, name);
  }

  // The account or flat bucket NAME as the deployment defines it, in an entry's shape ({repositories} or
  // {bucket}), or null.
  account(name) {
    const { accounts, buckets } = this.config;
    if (isObject(accounts) && Object.hasOwn(accounts, name)) return { repositories: accounts[name]?.repositories ?? {} };
    if (isObject(buckets) && Object.hasOwn(buckets, name)) return { bucket: buckets[name] };
    return null;
  }
}
