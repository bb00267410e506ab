// The one table: absolute figures per variant, B's ratios to P, C and A, B − P, and the design target with ✓/✗.
const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "–");
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "–");
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : "–");
const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : "–");
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : "–");
const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : "–");
const mark = (ok) => (ok === undefined ? "" : ok ? " ✓" : " ✗");

export function renderTable({ agg, inmodule, shipped, other, sts, env, cells, short }) {
  const hasFed = Object.keys(agg).some((k) => k.endsWith("/Bf"));
  const cols = ["A", "P", "C", "B", "B′", ...(hasFed ? ["Bf"] : [])];
  const head = [
    "metric", "A direct", "P pass-through", "C aws4fetch", `B ours (${short(shipped)})`, `B′ ours (${short(other)})`,
    ...(hasFed ? ["Bf ours, STS creds"] : []), "B/P", "B/C", "B/A", "B − P", "target",
  ];
  const lines = [];
  const row = (cells) => lines.push(`| ${cells.join(" | ")} |`);
  row(head);
  row(head.map((_, i) => (i === 0 ? "---" : "---:")));

  // one metric of one cell: fmt, optional target check on B (given agg values); a cell's `peer` fills C's column
  const metric = (cell, label, m, fmt, target) => {
    const v = Object.fromEntries(cols.map((c) => [c, agg[`${cell.id}/${c === "C" && cell.peer ? cell.peer : c}`]?.[m]]));
    const diff = Number.isFinite(v.B) && Number.isFinite(v.P) ? v.B - v.P : NaN;
    const t = target ? target(v, diff) : null;
    row([
      `${cell.label}: ${label}`, ...cols.map((c) => fmt(v[c])), ratio(v.B, v.P), ratio(v.B, v.C), ratio(v.B, v.A),
      Number.isFinite(diff) ? `${diff >= 0 ? "+" : ""}${fmt(diff)}` : "–", t ? `${t.text}${mark(t.ok)}` : "",
    ]);
  };
  for (const cell of cells) {
    if (cell.big) {
      const floor = cell.upload ? 0.9 : 0.97; // DESIGN.md: ≥ 0.97× P down, ≥ 0.9× a pass-through upload Worker up
      metric(cell, "MB/s", "mbps", f0, (v) => ({ text: `≥ ${floor}× P`, ok: v.B / v.P >= floor }));
      metric(cell, "workerd CPU-s/GiB", "cpuPerGiB", f2, cell.upload ? null : (v) => ({ text: "≤ 0.35", ok: v.B <= 0.35 }));
      continue;
    }
    const rpsTarget = cell.id === "list" ? null : (v) => ({ text: "≥ 0.92× P", ok: v.B / v.P >= 0.92 });
    metric(cell, "req/s", "rps", f0, rpsTarget);
    if (cell.id === "range16") metric(cell, "MB/s", "mbps", f0);
    metric(cell, "p50 ms", "p50", f1, cell.id === "list" ? null : (v, d) => ({ text: "≤ P + 0.1", ok: d <= 0.1 + 1e-9 }));
    if (cell.id !== "list") metric(cell, "p99 ms", "p99", f1);
    metric(cell, "server CPU µs/req", "cpuUs", f0, cell.id === "list" ? (v) => ({ text: "≤ 2× P", ok: v.B / v.P <= 2 })
      : (v, d) => ({ text: "≤ P + 15", ok: d <= 15 }));
  }

  // in-module rows: B and B′ columns only
  const im = (label, m, fmt, target) => {
    const b = inmodule[shipped]?.[m], o = inmodule[other]?.[m];
    const t = target && Number.isFinite(b) ? target(b) : null;
    row([label, "", "", "", fmt(b), fmt(o), ...(hasFed ? [""] : []), "", "", "", "", t ? `${t.text}${mark(t.ok)}` : ""]);
  };
  im("in-module: wasm µs per signed GetObject, begin→Fetch (route+plan+SigV4)", "wasmBeginToFetchUs", f1, (b) => ({ text: "≤ 10", ok: b <= 10 }));
  im("in-module: wasm µs per whole GetObject (begin…Respond, free)", "wasmCycleUs", f1);
  im("in-module: wasm + js/core.mjs encode/decode µs per whole GetObject", "wrapperCycleUs", f1);
  im("in-module: ms per 1000-key list rewrite (bench export)", "listRewriteMs", f3, (b) => ({ text: "≤ 1", ok: b <= 1 }));
  im("in-module: ms per whole 1000-key ListObjectsV2 through the ABI", "listRequestMs", f3);
  im("module KB gzip (zlib level 9)", "gzip", (x) => f1(x / 1000), (b) => ({ text: "≤ 200", ok: b <= 200e3 }));
  im("module KB raw", "size", (x) => f1(x / 1000));
  im("instantiate ms (new Core from a compiled Module)", "instantiateMs", f2, (b) => ({ text: "≤ 5", ok: b <= 5 }));
  im("instantiate + init(config) ms", "instantiateInitMs", f2);
  const stsText = sts.note ? sts.note : `${sts.exchanges} exchange(s) for ${sts.n} concurrent cold requests`;
  row(["STS exchanges, N concurrent cold requests", "", "", "", sts.note ? "–" : String(sts.exchanges), "",
    ...(hasFed ? [""] : []), "", "", "", "", `1${sts.note ? "" : mark(sts.exchanges === 1)}`]);

  const notes = [
    "",
    `Medians of ${env.rounds} rounds of ~${env.seconds} s per cell${env.quick ? " (--quick)" : ""}, variants interleaved. ` +
      `${env.workerd}, ${env.nginx}, node ${env.node}; ${env.cpu}. Server (workerd, or nginx for A) pinned to core 1, ` +
      "load tool (hey) and origin on core 0. Latencies are hey's per-request percentiles (0.1 ms resolution). " +
      "Server CPU = utime+stime of the server process over a fixed number of requests. In-module figures: node " +
      `${env.node} (V8 differs from workerd's), best of several interleaved hot-loop samples. ` +
      `Server core (core 1) during B's GET c=16: workerd ${pct(agg["get16/B"]?.util)}, all processes ` +
      `${pct(agg["get16/B"]?.serverCoreBusy)} (P: ${pct(agg["get16/P"]?.util)} / ${pct(agg["get16/P"]?.serverCoreBusy)}); ` +
      `load average at the end: ${env.loadavg}.`,
    `STS: ${stsText}.`,
    "ListObjectsV2: C is the listing peer (bench/workers/listing.mjs: aws4fetch-signed backend listing, keys " +
      "rewritten by regex replacement on the text). " +
      "Uploads (PUT 16 MiB): A is the upload origin itself (a node server that reads each body to its end), P pipes " +
      "the client's body to it, B verifies a presigned URL (SigV4 query, UNSIGNED-PAYLOAD) and authorizes the " +
      "uploader's key on every request, then streams the body by handle to the same origin, signing the backend PUT.",
  ];
  return `${lines.join("\n")}\n${notes.join("\n")}\n`;
}

// The ablation ladder: each step's workerd CPU per request and what it adds over the step before.
const LADDER = [
  ["P", "P: pass-through (floor)"],
  ["L1", "L1: + AbortController, setTimeout/clearTimeout, redirect manual"],
  ["L2", "L2: + wasm core via js/core.mjs (begin, Fetch, feed, Respond; outputs unused)"],
  ["L3", "L3: + subrequest from the Fetch action (URL, [name, value] header pairs)"],
  ["L4", "L4: + origin headers fed back ([...resp.headers])"],
  ["L5", "L5: + client Response from the Respond action's header pairs"],
  ["L6", "L6: + console.log of the log line"],
  ["B", "B: our worker (js/host.mjs action loop)"],
];
const LADDER_SIDE = [
  ["S", "S: P + B's I/O shape done cheaply (3 SigV4 headers as an object, 9 response headers via append, 1 log line; no wasm)"],
  ["C", "C: aws4fetch peer"],
];
export function renderLadder(agg) {
  const lines = ["| ablation step (GET 1 KiB c=16) | req/s | workerd CPU µs/req | Δ CPU vs previous step |", "| --- | ---: | ---: | ---: |"];
  let prev = NaN;
  for (const [k, label] of LADDER) {
    const a = agg[`ladder/${k}`];
    if (!a) continue;
    const d = a.cpuUs - prev;
    lines.push(`| ${label} | ${f0(a.rps)} | ${f0(a.cpuUs)} | ${Number.isFinite(d) ? (d >= 0 ? "+" : "") + f0(d) : ""} |`);
    prev = a.cpuUs;
  }
  const p = agg["ladder/P"]?.cpuUs;
  for (const [k, label] of LADDER_SIDE) {
    const a = agg[`ladder/${k}`];
    if (a) lines.push(`| ${label} | ${f0(a.rps)} | ${f0(a.cpuUs)} | ${Number.isFinite(p) ? "+" + f0(a.cpuUs - p) + " vs P" : ""} |`);
  }
  return `${lines.join("\n")}\n`;
}

// The edge-cache cells: every variant against the delayed origin, with Bc's ratios to P, B and C and the targets
// (DESIGN.md / issue 10: warm cached 64 KiB ranges ≥ 2× P's req/s, p50 ≤ 0.5× the uncached worker's, ≤ 1 origin
// request per chunk per TTL).
export function renderCacheTable({ agg, cells, env, delayMs, chunk, note, wrapped }) {
  const cols = ["A", "P", "C", "B", "Bc"];
  const head = [`metric (origin first byte +${delayMs} ms)`, "A direct", "P pass-through", "C aws4fetch", "B ours, uncached",
    "Bc ours, cached", "Bc/P", "Bc/B", "Bc/C", "target"];
  const lines = [];
  const row = (cells) => lines.push(`| ${cells.join(" | ")} |`);
  row(head);
  row(head.map((_, i) => (i === 0 ? "---" : "---:")));
  const metric = (cell, label, m, fmt, target, only) => {
    const v = Object.fromEntries(cols.map((c) => [c, only && !only.includes(c) ? NaN : agg[`${cell.id}/${c}`]?.[m]]));
    const t = target && Number.isFinite(v.Bc) ? target(v) : null;
    row([`${cell.label}: ${label}`, ...cols.map((c) => fmt(v[c])), ratio(v.Bc, v.P), ratio(v.Bc, v.B), ratio(v.Bc, v.C),
      t ? `${t.text}${mark(t.ok)}` : ""]);
  };
  for (const cell of cells) {
    const warm = cell.id === "warm";
    metric(cell, "req/s", "rps", f0, warm ? (v) => ({ text: "≥ 2× P", ok: v.Bc / v.P >= 2 }) : null);
    metric(cell, "MB/s", "mbps", f0);
    metric(cell, "p50 ms", "p50", f1, warm ? (v) => ({ text: "≤ 0.5× B", ok: v.Bc / v.B <= 0.5 }) : null);
    metric(cell, "p99 ms", "p99", f1);
    metric(cell, "server CPU µs/req", "cpuUs", f0);
    metric(cell, "origin requests per 1000 client requests", "originPer1000", f0);
    metric(cell, "origin GETs with bytes of the most-fetched range, whole run", "maxRangeFetches", f0,
      cell.id === "cold" ? null : (v) => ({ text: "≤ 1 per chunk per TTL", ok: v.Bc <= 1 }));
    metric(cell, "x-edge-cache: hit", "hitShare", pct, null, ["B", "Bc"]);
  }
  const notes = [
    "",
    `Edge chunk cache (Bc: the same worker and config as B, with FAR_REPO's cache on, chunks of ${chunk >> 20} MiB). ` +
      `Every variant reads the same delayed origin: nginx's second listener answers ${delayMs} ms late (echo_sleep, ` +
      "then the static handler; bench/lib/nginx.mjs), A directly, the Workers through FAR_REPO. Every workerd variant " +
      "has the same Cache API: an in-memory cache service (bench/workers/cache.mjs) behind cacheApiOutbound in its " +
      "own process, so a cached variant's server CPU includes the cache's own work. Load: bench/lib/loadgen.mjs " +
      "(node, a Range per request, on core 0), the same sequence for every variant. Cold: each request a 64 KiB " +
      "range in a chunk that variant never read this run (a 32 GiB sparse object); warm: 16 ranges in 16 chunks of " +
      "the 64 MiB object, read after the sanity check and the warm-up filled the cache; windowed: a Parquet-shaped " +
      "file, each client the 64 KiB footer then 3 row groups of 0.9–1.2 MiB. Origin requests = lines in the delayed " +
      "listener's access log during the round (304 revalidations included); the most-fetched range counts origin GETs " +
      "that carried bytes (200/206) of one (object, Range) over the whole run (sanity, warm-up, rounds), so a 304 " +
      "revalidating expired metadata once per TTL is not a chunk fetch.",
    ...(note ? [`Bc: ${note}.`] : []),
    ...(wrapped ? [`Cold: ${wrapped}.`] : []),
  ];
  return `${lines.join("\n")}\n${notes.join("\n")}\n`;
}
