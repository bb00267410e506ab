// Test-only routes, served only when the Worker has the binding S3P_TEST_HOOKS = "1" (tests/e2e/harness.mjs sets
// it; wrangler.toml and ./scripts/run never do):
//   GET  /__test/core        {"generation", "in_flight", "memory_bytes"} of the isolate's current core
//   POST /__test/trap-next   the next call into the current core throws a WebAssembly.RuntimeError, as a trap
//                            would (one-shot: the instance itself is untouched, like a real trapped instance)
//   POST /__test/registry?mode=off|throw|stall|garbage[&reset=1]   how the REGISTRY KV binding misbehaves
//   GET  /__test/registry    {"mode", "reads"}: the registry reads the Worker made (since the last reset)
const json = (obj) => new Response(JSON.stringify(obj), { headers: { "content-type": "application/json" } });

// The REGISTRY binding as the tests see it: every read counted, and faults injected on demand.
const registry = { mode: "off", reads: 0 };
export function hookedEnv(env) {
  const kv = env.REGISTRY;
  if (!kv) return env;
  const get = async (name, options) => {
    registry.reads++;
    if (registry.mode === "throw") throw new Error("injected KV failure");
    if (registry.mode === "stall") return new Promise(() => {});
    if (registry.mode === "garbage") return "{\"garbage";
    return kv.get(name, options);
  };
  return { ...env, REGISTRY: { get } };
}

export function testHook(request, core, generation) {
  const url = new URL(request.url);
  const { pathname } = url;
  if (!pathname.startsWith("/__test/")) return null;
  if (pathname === "/__test/registry") {
    if (request.method === "POST") {
      registry.mode = url.searchParams.get("mode") ?? "off";
      if (url.searchParams.get("reset")) registry.reads = 0;
    }
    return json(registry);
  }
  if (request.method === "GET" && pathname === "/__test/core")
    return json({ generation, in_flight: core.inFlight(), memory_bytes: core.memory.buffer.byteLength });
  if (request.method === "POST" && pathname === "/__test/trap-next") {
    const exports = core.x;
    core.x = new Proxy(exports, {
      get(target, name) {
        const v = target[name];
        if (typeof v !== "function") return v;
        return () => {
          core.x = exports;
          throw new WebAssembly.RuntimeError("unreachable (injected by the test hook)");
        };
      },
    });
    return json({ armed: true, generation });
  }
  return new Response("no such test hook\n", { status: 404 });
}
