// `npx wrangler dev` on a clean clone serves wrangler.toml's example config once .dev.vars.example is copied to
// .dev.vars (README "The two commands"): without it the config names a Worker secret (LISTING_TOKEN_KEY) the dev
// run does not have, and every request was answered 503 ServiceUnavailable, with the reason only in the log.
// Run by ./scripts/test's wrangler-dev stage, after build-wasm: it needs a current dist/core.wasm.
//
// wrangler dev runs wrangler.toml's [build] command (./scripts/build --wasm-only) when it starts (and, with the
// watch_dir list, once more right after), which in this working tree would rebuild into the build/ and dist/ that
// other runs use. So the test serves a temporary copy of exactly what a clean clone's `wrangler dev` serves
// (wrangler.toml, js/, dist/core.wasm, .dev.vars.example copied to .dev.vars) with a scripts/build that only
// checks that dist/core.wasm is there. wrangler.toml's backend is AWS (unreachable offline): the requests asserted
// need no backend (ListBuckets is answered from the config, an unknown bucket is refused by it).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const READY_MS = 180_000; // wrangler dev's start (bundling, workerd) on a busy 2-core machine

// The S3P_CONFIG example in wrangler.toml, and every Worker secret it names (*_secret fields).
function exampleSecrets() {
  const toml = fs.readFileSync(path.join(ROOT, "wrangler.toml"), "utf8");
  const config = JSON.parse(toml.match(/^S3P_CONFIG = '''\n([\s\S]*?)'''/m)[1]);
  const names = new Set();
  const walk = (v, key) => {
    if (typeof v === "string" && key?.endsWith("_secret")) names.add(v);
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(config);
  return names;
}

// KEY=VALUE lines of a .dev.vars file (comments and blank lines left out).
function devVars(file) {
  return new Map(fs.readFileSync(file, "utf8").split("\n").filter((l) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(l))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

describe(".dev.vars.example", () => {
  it("holds every Worker secret wrangler.toml's example config names, and .dev.vars is git-ignored", () => {
    const vars = devVars(path.join(ROOT, ".dev.vars.example"));
    const names = exampleSecrets();
    assert.ok(names.size > 0);
    for (const name of names) assert.ok(vars.has(name), `.dev.vars.example lacks ${name}`);
    assert.ok(vars.get("LISTING_TOKEN_KEY").length >= 32, "a listing token key is at least 32 bytes");
    const ignored = spawnSync("git", ["check-ignore", "-q", ".dev.vars"], { cwd: ROOT });
    assert.equal(ignored.status, 0, ".dev.vars is not git-ignored");
  });
});

describe("npx wrangler dev on a clean clone (with .dev.vars.example copied to .dev.vars)", () => {
  let dir, proc, url, output = "";

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-wrangler-dev-"));
    fs.copyFileSync(path.join(ROOT, "wrangler.toml"), path.join(dir, "wrangler.toml"));
    fs.cpSync(path.join(ROOT, "js"), path.join(dir, "js"), { recursive: true });
    fs.mkdirSync(path.join(dir, "dist"));
    fs.copyFileSync(path.join(ROOT, "dist/core.wasm"), path.join(dir, "dist/core.wasm"));
    fs.copyFileSync(path.join(ROOT, ".dev.vars.example"), path.join(dir, ".dev.vars"));
    fs.mkdirSync(path.join(dir, "scripts"));
    fs.writeFileSync(path.join(dir, "scripts/build"), "#!/bin/sh\n# stands in for the real build: dist/ is current\ntest -f dist/core.wasm\n", { mode: 0o755 });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    const env = {
      ...process.env,
      // TOOLCHAIN.md "Offline hygiene": no telemetry, no network look-ups, state inside the copy
      WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_SEND_ERROR_REPORTS: "false", XDG_CONFIG_HOME: path.join(dir, ".state/xdg"),
      WRANGLER_LOG_PATH: path.join(dir, ".state/wrangler-logs"), CI: "1",
    };
    // Port 0 for the server and the inspector: free ones, named in the "Ready on" line (runs side by side never
    // collide). Its own process group, so the whole tree (npx, wrangler, workerd) is stopped in after().
    proc = spawn("npx", ["wrangler", "dev", "--local", "--ip", "127.0.0.1", "--port", "0", "--inspector-port", "0",
      "--show-interactive-dev-session=false"], { cwd: dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`wrangler dev not ready in ${READY_MS} ms:\n${output}`)), READY_MS);
      const onData = (d) => {
        output += d;
        const m = output.match(/Ready on (http:\/\/127\.0\.0\.1:\d+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      proc.stdout.on("data", onData);
      proc.stderr.on("data", onData);
      proc.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`wrangler dev exited (${code}) before it was ready:\n${output}`));
      });
    });
  });

  // Stops the whole process tree: SIGINT to the group (what Ctrl-C sends; wrangler's own way out), SIGKILL to
  // whatever is left after 10 s (a SIGTERM to the group once left wrangler hung in its teardown), then waits until
  // no process of the group remains, and lets go of the pipes (grandchildren holding them keep node running).
  after(async () => {
    if (proc) {
      const pgid = proc.pid;
      const signal = (sig) => {
        try {
          process.kill(-pgid, sig);
          return true;
        } catch {
          return false; // no process left in the group
        }
      };
      const gone = async (ms) => {
        for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
          if (!signal(0)) return true;
        }
        return !signal(0);
      };
      if (signal("SIGINT") && !(await gone(10_000))) {
        signal("SIGKILL");
        await gone(10_000);
      }
      proc.stdout.destroy();
      proc.stderr.destroy();
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads the secret from .dev.vars", () => {
    assert.match(output, /\.dev\.vars/, output);
  });

  it("GET / is ListBuckets from the config, S3 XML, not 503", async () => {
    const r = await fetch(`${url}/`);
    const body = await r.text();
    assert.equal(r.status, 200, `${r.status}: ${body}\n--- wrangler dev output:\n${output}`);
    assert.match(r.headers.get("content-type") ?? "", /xml/);
    assert.match(body, /<ListAllMyBucketsResult[\s\S]*<Name>open-data<\/Name>/);
    assert.ok(r.headers.get("x-amz-request-id"));
  });

  it("an unknown bucket is 404 NoSuchBucket, S3 XML", async () => {
    const r = await fetch(`${url}/no-such-bucket/key.txt`);
    const body = await r.text();
    assert.equal(r.status, 404, body);
    assert.match(body, /<Code>NoSuchBucket<\/Code>/);
  });
});
