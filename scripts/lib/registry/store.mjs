// Where the registry lives: Miniflare's persisted KV (local) or a deployed namespace through wrangler (remote).
// Both offer get / put / delete / list(prefix) on text values (sealed JSON entries: registry.mjs seals and opens
// them); neither caches.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./validate.mjs";

export const BINDING = "REGISTRY";
export const DEFAULT_LOCAL_DIR = path.join(ROOT, ".state/registry-kv");

// Miniflare's own KV, persisted under `dir`: a Worker started with { kvNamespaces: ["REGISTRY"], kvPersist: dir }
// reads what is written here (the namespace's id is its binding name, "REGISTRY"). `wrangler dev --persist-to P`
// keeps its KV under P/v3/kv, so `--local .wrangler/state/v3/kv` is what `wrangler dev` sees for a binding whose id
// is "REGISTRY".
export class LocalStore {
  constructor(dir = DEFAULT_LOCAL_DIR) {
    this.dir = path.resolve(dir);
    this.mf = null;
    this.kv = null;
  }

  describe() {
    return `local KV ${this.dir} (binding ${BINDING})`;
  }

  async #open() {
    if (this.kv) return this.kv;
    const { Miniflare } = await import("miniflare");
    fs.mkdirSync(this.dir, { recursive: true });
    this.mf = new Miniflare({
      kvNamespaces: [BINDING],
      kvPersist: this.dir,
      script: "export default {fetch(){return new Response('')}}",
      modules: true,
      compatibilityDate: "2026-04-01", // the installed workerd refuses dates after its own (TOOLCHAIN.md)
      host: "127.0.0.1",
      port: 0,
      handleRuntimeStdio: (stdout, stderr) => {
        stdout.resume();
        stderr.resume();
      },
    });
    this.kv = await this.mf.getKVNamespace(BINDING);
    return this.kv;
  }

  async get(key) {
    return (await this.#open()).get(key);
  }

  async put(key, value) {
    await (await this.#open()).put(key, value);
  }

  async delete(key) {
    await (await this.#open()).delete(key);
  }

  async list(prefix) {
    const kv = await this.#open();
    const names = [];
    let cursor;
    do {
      const page = await kv.list({ prefix, cursor });
      names.push(...page.keys.map((k) => k.name));
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return names.sort();
  }

  async close() {
    if (this.mf) await this.mf.dispose();
    this.mf = this.kv = null;
  }
}

// Shell words, for printing a command so that it can be pasted. A word holding a newline or another control
// character (a sealed registry value: "v1.<MAC>\n<JSON>") is written $'…' (bash, zsh), so that each printed command
// stays on one line.
export function shellQuote(s) {
  if (/^[A-Za-z0-9_\/.:=@%+,-]+$/.test(s)) return s;
  if (!/[\x00-\x1f\x7f]/.test(s)) return `'${s.replaceAll("'", `'\\''`)}'`;
  const named = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  return `$'${s.replace(/[\\'\x00-\x1f\x7f]/g, (c) =>
    c === "\\" || c === "'" ? `\\${c}` : named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}'`;
}

// Values up to this size go on the command line; larger ones through a file (--path): Linux caps one argument
// at 128 KiB.
const INLINE_MAX = 64 * 1024;

// A deployed namespace through `npx wrangler kv key put/get/list/delete --namespace-id ID --remote` (run in the
// repository, so that npx finds the pinned wrangler). dryRun: reads run, writes are printed (to `print`) instead,
// and later reads in the same run see them. S3P_REGISTRY_WRANGLER names an executable to run instead of
// `npx wrangler` (tests use a stand-in).
export class WranglerStore {
  constructor(namespaceId, { dryRun = false, print = (line) => process.stdout.write(`${line}\n`), env = process.env } = {}) {
    this.ns = namespaceId;
    this.dryRun = dryRun;
    this.print = print;
    this.overlay = new Map(); // dry run: key -> value, or null once deleted
    this.command = env.S3P_REGISTRY_WRANGLER ? [env.S3P_REGISTRY_WRANGLER] : ["npx", "wrangler"];
    this.displayCommand = ["npx", "wrangler"];
    this.env = {
      ...env,
      WRANGLER_SEND_METRICS: env.WRANGLER_SEND_METRICS ?? "false",
      WRANGLER_SEND_ERROR_REPORTS: env.WRANGLER_SEND_ERROR_REPORTS ?? "false",
      WRANGLER_HIDE_BANNER: env.WRANGLER_HIDE_BANNER ?? "true",
    };
    this.tmp = [];
  }

  describe() {
    return `KV namespace ${this.ns} (remote, through wrangler)`;
  }

  // The wrangler arguments of each operation (after `npx wrangler`).
  args(op, key, extra = []) {
    return ["kv", "key", op, ...(key === undefined ? [] : [key]), ...extra, "--namespace-id", this.ns, "--remote"];
  }

  line(args) {
    return [...this.displayCommand, ...args].map(shellQuote).join(" ");
  }

  #run(args) {
    return new Promise((resolve, reject) => {
      const [cmd, ...pre] = this.command;
      const child = spawn(cmd, [...pre, ...args], { cwd: ROOT, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
      const out = [], err = [];
      child.stdout.on("data", (d) => out.push(d));
      child.stderr.on("data", (d) => err.push(d));
      child.on("error", (e) => reject(new Error(`${this.line(args)}: could not run (${e.message})`)));
      child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
    });
  }

  async #must(args) {
    const r = await this.#run(args);
    if (r.code !== 0)
      throw new Error(`${this.line(args)} failed (exit ${r.code}):\n${(r.stderr || r.stdout.toString()).trim()}`);
    return r;
  }

  async get(key) {
    if (this.overlay.has(key)) return this.overlay.get(key);
    const args = this.args("get", key);
    const r = await this.#run(args);
    const text = r.stdout.toString("utf8");
    // A missing key: the API's 404 makes wrangler fail ("Failed to fetch … - 404: Not Found"); with --local it
    // prints "Value not found" and exits 0.
    if (r.code === 0 && text.trim() === "Value not found") return null;
    if (r.code !== 0 && /\b404: Not Found\b/.test(r.stderr + text)) return null;
    if (r.code !== 0) throw new Error(`${this.line(args)} failed (exit ${r.code}):\n${(r.stderr || text).trim()}`);
    return text;
  }

  async put(key, value) {
    let args;
    if (Buffer.byteLength(value) <= INLINE_MAX) args = this.args("put", key, [value]);
    else {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "s3p-registry-")), "value.json");
      fs.writeFileSync(file, value);
      if (!this.dryRun) this.tmp.push(path.dirname(file));
      args = this.args("put", key, ["--path", file]);
    }
    if (this.dryRun) {
      this.overlay.set(key, value);
      this.print(this.line(args));
      return;
    }
    await this.#must(args);
  }

  async delete(key) {
    const args = this.args("delete", key);
    if (this.dryRun) {
      this.overlay.set(key, null);
      this.print(this.line(args));
      return;
    }
    await this.#must(args);
  }

  async list(prefix) {
    const args = this.args("list", undefined, ["--prefix", prefix]);
    const r = await this.#must(args);
    let names;
    try {
      names = JSON.parse(r.stdout.toString("utf8")).map((k) => k.name);
    } catch {
      throw new Error(`${this.line(args)}: expected a JSON list of keys, got:\n${r.stdout.toString().slice(0, 500)}`);
    }
    const set = new Set(names);
    for (const [k, v] of this.overlay) if (k.startsWith(prefix)) v === null ? set.delete(k) : set.add(k);
    return [...set].sort();
  }

  async close() {
    for (const d of this.tmp) fs.rmSync(d, { recursive: true, force: true });
  }
}

// Remembers within one run what was read or written, so that a command reading an entry twice (validating, then
// writing) asks the store once — each remote read is a wrangler run. Lists are not cached.
export class CachedStore {
  constructor(store) {
    this.store = store;
    this.values = new Map();
  }

  describe() {
    return this.store.describe();
  }

  async get(key) {
    if (!this.values.has(key)) this.values.set(key, await this.store.get(key));
    return this.values.get(key);
  }

  async put(key, value) {
    await this.store.put(key, value);
    this.values.set(key, value);
  }

  async delete(key) {
    await this.store.delete(key);
    this.values.set(key, null);
  }

  list(prefix) {
    return this.store.list(prefix);
  }

  close() {
    return this.store.close();
  }
}
