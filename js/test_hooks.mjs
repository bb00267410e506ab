// Test-only routes, served only when the Worker has the binding S3P_TEST_HOOKS = "1" (tests/e2e/harness.mjs sets
// it; wrangler.toml and ./scripts/run never do):
//   GET  /__test/core        {"generation", "in_flight", "memory_bytes"} of the isolate's current core
//   POST /__test/trap-next   the next call into the current core throws a WebAssembly.RuntimeError, as a trap
//                            would (one-shot: the instance itself is untouched, like a real trapped instance)
const json = (obj) => new Response(JSON.stringify(obj), { headers: { "content-type": "application/json" } });

export function testHook(request, core, generation) {
  const { pathname } = new URL(request.url);
  if (!pathname.startsWith("/__test/")) return null;
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
