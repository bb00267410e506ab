// Cloudflare Worker entry. One core instance per isolate, created on first use; a trap (a core bug) retires it
// (js/host.mjs: its in-flight requests answer 500 and it is never called again) and the next request starts from
// a fresh instance instead of from possibly corrupt state.
import coreModule from "../dist/core.wasm";
import { handleRequest, internalError, isRetired } from "./host.mjs";
import { createCore } from "./init.mjs";
import { hookedEnv, testHook } from "./test_hooks.mjs";

let core = null; // Promise<Core>: creation awaits WebCrypto (the public half of the OIDC key, js/init.mjs)
let generation = 0; // how many cores this isolate has created (test hooks report it)

// The core gets the config JSON and only the secrets the config names for it (js/init.mjs).
async function newCore(env) {
  generation++;
  const { core: c, ok, error } = await createCore(coreModule, env);
  if (!ok) console.error(JSON.stringify({ level: "error", msg: "invalid config", error }));
  return c;
}

async function currentCore(env) {
  core ??= newCore(env);
  const current = core;
  const c = await current;
  if (!isRetired(c)) return c;
  if (core === current) core = null; // retired by a trap (possibly in a background task): start afresh
  return currentCore(env);
}

export default {
  async fetch(request, env, ctx) {
    const mine = await currentCore(env);
    // Test-only introspection and fault injection; the binding exists only in the test harness.
    if (env.S3P_TEST_HOOKS === "1") {
      const hooked = testHook(request, mine, generation);
      if (hooked) return hooked;
      env = hookedEnv(env);
    }
    try {
      return await handleRequest(mine, request, ctx, env);
    } catch (err) {
      // Only a core bug gets here (the loop turns I/O failures into results); host.mjs has retired the core.
      console.error(JSON.stringify({ level: "error", msg: "core failed; instance discarded", error: String(err) }));
      return internalError();
    }
  },
};
