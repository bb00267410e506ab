// Cloudflare Worker entry. One core instance per isolate, created on first use; a trap (a core bug) discards it
// so the next request starts from a fresh instance instead of from possibly corrupt state.
import coreModule from "../dist/core.wasm";
import { handleRequest, internalError } from "./host.mjs";
import { createCore } from "./init.mjs";

let core = null; // Promise<Core>: creation awaits WebCrypto (the public half of the OIDC key, js/init.mjs)

// The core gets the config JSON and only the secrets the config names for it (js/init.mjs).
async function newCore(env) {
  const { core: c, ok, error } = await createCore(coreModule, env);
  if (!ok) console.error(JSON.stringify({ level: "error", msg: "invalid config", error }));
  return c;
}

export default {
  async fetch(request, env, ctx) {
    core ??= newCore(env);
    const current = core;
    const mine = await current;
    try {
      return await handleRequest(mine, request, ctx, env);
    } catch (err) {
      // Only a core bug gets here (the loop turns I/O failures into results): answer S3 XML, start afresh.
      console.error(JSON.stringify({ level: "error", msg: "core failed; instance discarded", error: String(err) }));
      if (core === current) core = null;
      return internalError();
    }
  },
};
