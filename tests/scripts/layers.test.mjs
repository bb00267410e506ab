// worker/'s layers point down only (scripts/lib/layers.mjs, floors declared in worker/README.md): the tree as it
// is, and the check itself on small made-up trees.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { checkLayers, describeViolation, parseLayers } from "../../scripts/lib/layers.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// A tree under a temp dir: { "worker/README.md": "...", "worker/a/x.h": "..." }.
function tree(files) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-layers-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}
const README = "# layers\n\n```layers\ntop/        the top floor\nmid/ peer/  two peers\nlow/\n```\n";

describe("worker layers", () => {
  it("every #include in worker/ points to its own floor or below", () => {
    const violations = checkLayers(ROOT);
    assert.deepEqual(violations.map(describeViolation), []);
  });

  it("the README declares the floors from core down to the protocol, ops between core and auth", () => {
    const floors = parseLayers(fs.readFileSync(path.join(ROOT, "worker/README.md"), "utf8"));
    const order = floors.flat();
    for (const [upper, lower] of [["core", "ops"], ["ops", "auth"], ["auth", "creds"], ["creds", "config"], ["config", "s3"],
      ["config", "sign"], ["s3", "rules"], ["rules", "http"], ["rules", "crypto"], ["rules", "proto"]])
      assert.ok(order.indexOf(upper) < order.indexOf(lower) && floors.findIndex((f) => f.includes(upper)) < floors.findIndex((f) => f.includes(lower)),
        `${upper}/ above ${lower}/`);
  });

  it("names the file, line and include of an upward include", () => {
    const root = tree({
      "worker/README.md": README,
      "worker/top/a.cpp": '#include "worker/mid/b.h"\n#include "worker/low/c.h"\n',
      "worker/mid/b.h": '#include "worker/peer/d.h"\n#include "worker/mid/e.h"\n',
      "worker/peer/d.h": "",
      "worker/mid/e.h": "",
      "worker/low/c.h": '#include <string>\n\n  #  include "worker/top/a.h"\n',
    });
    assert.deepEqual(checkLayers(root).map(describeViolation),
      ['worker/low/c.h:3 includes "worker/top/a.h": low/ (floor 3) may not include top/ (floor 1, above it)']);
  });

  it("fails a directory on no floor, an include of one, and a worker header included by a relative name", () => {
    const root = tree({
      "worker/README.md": README,
      "worker/stray/x.h": "",
      "worker/low/c.cpp": '#include "worker/nowhere/y.h"\n#include "d.h"\n#include "mbedtls/md.h"\n',
      "worker/low/d.h": "",
    });
    assert.deepEqual(checkLayers(root).map(describeViolation), [
      'worker/low/c.cpp:1 includes "worker/nowhere/y.h": worker/nowhere/ is on no floor of worker/README.md',
      'worker/low/c.cpp:2 includes "d.h": include worker headers by their worker/ path',
      "worker/stray/: worker/stray/ is on no floor of worker/README.md",
    ]);
  });

  it("refuses a README without a layers block", () => {
    const root = tree({ "worker/README.md": "# nothing declared\n" });
    assert.throws(() => checkLayers(root), /no ```layers block/);
  });
});
