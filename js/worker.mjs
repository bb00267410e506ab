// Cloudflare Worker entry. One core instance per isolate, created on first use; a trap (a core bug) discards it
// so the next request starts from a fresh instance instead of from possibly corrupt state.
import coreModule from "../dist/core.wasm";
import { Core, handleRequest, internalError } from "./host.mjs";

let core = null;

// The core gets the config JSON and every string binding (secrets among them); it reads only the secrets the
// config names.
function createCore(env) {
  const c = new Core(coreModule);
  const cfg = env.S3P_CONFIG;
  const json = typeof cfg === "string" ? cfg : JSON.stringify(cfg ?? null);
  const strings = Object.fromEntries(Object.entries(env).filter(([k, v]) => typeof v === "string" && k !== "S3P_CONFIG"));
  const { ok, error } = c.init(json, strings);
  if (!ok) console.error(JSON.stringify({ level: "error", msg: "invalid config", error }));
  return c;
}

export default {
  async fetch(request, env, ctx) {
    core ??= createCore(env);
    const mine = core;
    try {
      return await handleRequest(mine, request, ctx, env);
    } catch (err) {
      // Only a core bug gets here (the loop turns I/O failures into results): answer S3 XML, start afresh.
      console.error(JSON.stringify({ level: "error", msg: "core failed; instance discarded", error: String(err) }));
      if (core === mine) core = null;
      return internalError();
    }
  },
};
