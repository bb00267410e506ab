// The include check for worker/'s layers: a file may include worker headers of its own floor or of a floor below,
// never above. The floors are read from the ```layers block of worker/README.md (declared once, there).
//   node scripts/lib/layers.mjs [ROOT]   prints every violation, exits 1 if there is one
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Floors from top to bottom: [["core"], ["ops"], ..., ["http", "crypto", "proto"]].
export function parseLayers(readme) {
  const block = readme.match(/^```layers\n([\s\S]*?)^```/m);
  if (!block) throw new Error("worker/README.md has no ```layers block");
  const floors = [];
  for (const line of block[1].split("\n")) {
    const dirs = [];
    for (const token of line.trim().split(/\s+/)) {
      const m = token.match(/^([a-z0-9_]+)\/$/);
      if (!m) break; // the rest of the line describes the floor
      dirs.push(m[1]);
    }
    if (dirs.length) floors.push(dirs);
  }
  return floors;
}

const SOURCE = /\.(h|hpp|cpp|cc)$/;

// Source files under dir (subdirectories included), as sorted paths relative to it.
function sourcesUnder(dir, prefix = "") {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...sourcesUnder(path.join(dir, e.name), `${prefix}${e.name}/`));
    else if (SOURCE.test(e.name)) out.push(prefix + e.name);
  }
  return out.sort();
}
const INCLUDE = /^\s*#\s*include\s+"([^"]+)"/;

// Every violation in the tree at `root` (worker/ and worker/README.md), as
// { file, line, include, why } with paths relative to root.
export function checkLayers(root) {
  const worker = path.join(root, "worker");
  const floors = parseLayers(fs.readFileSync(path.join(worker, "README.md"), "utf8"));
  const floorOf = new Map();
  floors.forEach((dirs, i) => dirs.forEach((d) => floorOf.set(d, i)));
  const out = [];
  const dirs = fs.readdirSync(worker, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const dir of dirs) {
    if (!floorOf.has(dir)) {
      out.push({ file: `worker/${dir}/`, line: 0, include: "", why: `worker/${dir}/ is on no floor of worker/README.md` });
      continue;
    }
    for (const name of sourcesUnder(path.join(worker, dir))) {
      const file = `worker/${dir}/${name}`;
      fs.readFileSync(path.join(root, file), "utf8").split("\n").forEach((text, i) => {
        const m = text.match(INCLUDE);
        if (!m) return;
        const include = m[1];
        const at = { file, line: i + 1, include };
        if (!include.startsWith("worker/")) {
          // A worker header named relative to the includer would slip past the check.
          if (fs.existsSync(path.join(worker, dir, path.dirname(name), include)))
            out.push({ ...at, why: `include worker headers by their worker/ path` });
          return;
        }
        const target = include.split("/")[1];
        if (!floorOf.has(target)) {
          out.push({ ...at, why: `worker/${target}/ is on no floor of worker/README.md` });
        } else if (floorOf.get(target) < floorOf.get(dir)) {
          out.push({ ...at, why: `${dir}/ (floor ${floorOf.get(dir) + 1}) may not include ${target}/ (floor ${floorOf.get(target) + 1}, above it)` });
        }
      });
    }
  }
  return out;
}

export const describeViolation = (v) => `${v.file}${v.line ? `:${v.line}` : ""}${v.include ? ` includes "${v.include}"` : ""}: ${v.why}`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "../.."));
  const violations = checkLayers(root);
  for (const v of violations) console.log(describeViolation(v));
  console.log(violations.length ? `${violations.length} layer violation(s)` : "layers: every include points down");
  process.exit(violations.length ? 1 : 0);
}
