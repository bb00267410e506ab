// scripts/test's stage runner (scripts/lib/stages.sh), sourced the way scripts/test sources it: after
// scripts/lib/deps.sh. A failing stage must not hide the later ones, the total line is always printed, and a run
// or stage that executes no test (or only skips) is a failure.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// Runs `body` in bash exactly as scripts/test does (set -uo pipefail, then source deps.sh and stages.sh).
function runner(body) {
  const logs = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-stages-"));
  const script = `set -uo pipefail\ncd "${ROOT}"\n. scripts/lib/deps.sh\nSTAGE_LOG_DIR="${logs}"\n. scripts/lib/stages.sh\n${body}\n`;
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
  fs.rmSync(logs, { recursive: true, force: true });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("scripts/test stage runner", () => {
  it("a failing stage does not stop the later stages, and the total line is printed", () => {
    const r = runner(`
      stage broken plain_counts false
      stage good plain_counts echo "3 passed, 0 failed"
      stages_total`);
    assert.match(r.stderr, /broken: 0 passed, 1 failed/);
    assert.match(r.stderr, /good: 3 passed, 0 failed/, r.stderr);
    assert.match(r.stdout, /^total: 3 passed, 1 failed$/m);
    assert.notEqual(r.status, 0);
  });

  it("sourcing scripts/lib/deps.sh leaves the caller's shell options alone (no set -e)", () => {
    const r = runner(`case $- in *e*) echo "errexit on";; *) echo "errexit off";; esac`);
    assert.equal(r.stdout.trim(), "errexit off");
  });

  it("a run that executes zero tests is a failed run", () => {
    const r = runner("stages_total");
    assert.match(r.stdout, /^total: 0 passed, 1 failed$/m);
    assert.notEqual(r.status, 0);
  });

  it("a stage that exits 0 but reports no test is a failure", () => {
    const r = runner(`stage empty plain_counts true\nstages_total`);
    assert.match(r.stdout, /^total: 0 passed, 1 failed$/m);
  });

  it("a stage that could not run counts as failed and the total is still printed", () => {
    const r = runner(`stage_failed e2e "emulator did not start"\nstage ok plain_counts echo "2 passed, 0 failed"\nstages_total`);
    assert.match(r.stdout, /^total: 2 passed, 1 failed$/m);
  });

  it("node --test skipped, todo and cancelled tests count as failed", () => {
    const summary = ["ℹ tests 9", "ℹ pass 4", "ℹ fail 1", "ℹ cancelled 1", "ℹ skipped 2", "ℹ todo 1"].join("\n");
    const r = runner(`log=$(mktemp); printf '%s\\n' "${summary}" >"$log"; node_counts "$log"; rm -f "$log"`);
    assert.equal(r.stdout.trim(), "4 5");
  });

  it("an all-green node summary counts as passed", () => {
    const summary = ["ℹ tests 3", "ℹ pass 3", "ℹ fail 0", "ℹ cancelled 0", "ℹ skipped 0", "ℹ todo 0"].join("\n");
    const r = runner(`log=$(mktemp); printf '%s\\n' "${summary}" >"$log"; node_counts "$log"; rm -f "$log"`);
    assert.equal(r.stdout.trim(), "3 0");
  });
});
