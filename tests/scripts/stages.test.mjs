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

// A stand-in for a Catch2 v2 unit binary (tests/unit's main is Catch2's own): `--list-test-names-only` prints the
// names of the 10 cases a run would execute (and exits with their count, as Catch2 does); a run prints what Catch2
// prints when a case segfaults (its fatal-signal handler reports the cases run so far, the crashing one failed),
// then dies of SIGSEGV: the 6 cases after it never ran.
const CRASHING_CATCH2 = `#!/usr/bin/env bash
if [ "\${1:-}" = --list-test-names-only ]; then for i in $(seq 1 10); do echo "case $i"; done; exit 10; fi
cat <<'OUT'
-------------------------------------------------------------------------------
case 4
-------------------------------------------------------------------------------
t.cpp:4: FAILED:
due to a fatal error condition:
  SIGSEGV - Segmentation violation signal

===============================================================================
test cases: 4 | 3 passed | 1 failed
assertions: 9 | 8 passed | 1 failed
OUT
kill -SEGV $$
`;

function withFile(text, mode, fn) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3p-stages-bin-"));
  const file = path.join(dir, "bin");
  fs.writeFileSync(file, text, { mode });
  try {
    return fn(file, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("scripts/test: Catch2 counts", () => {
  it("a unit binary that crashes mid-run counts every listed case it did not pass as failed, not 1", () => {
    withFile(CRASHING_CATCH2, 0o755, (bin) => {
      const r = runner(`stage unit catch2_counts catch2_run "${bin}"\nstages_total`);
      assert.match(r.stderr, /unit: 3 passed, 7 failed/, r.stderr);
      assert.match(r.stdout, /^total: 3 passed, 7 failed$/m);
    });
  });

  it("a crash that leaves no summary at all (killed, or ASan's own exit) counts every listed case as failed", () => {
    const log = "CATCH2 LISTED 12 test cases\nAddressSanitizer: heap-use-after-free\n";
    const r = runner(`log=$(mktemp); printf '%s' "${log}" >"$log"; catch2_counts "$log"; rm -f "$log"`);
    assert.equal(r.stdout.trim(), "0 12");
  });

  it("a summary where no case passed (Catch2 then omits the passed column) is parsed", () => {
    const log = "test cases: 5 | 5 failed\nassertions: 9 | 9 failed\n";
    const r = runner(`log=$(mktemp); printf '%s' "${log}" >"$log"; catch2_counts "$log"; rm -f "$log"`);
    assert.equal(r.stdout.trim(), "0 5");
  });

  it("a green run that executed fewer cases than it lists counts the missing ones as failed", () => {
    const log = "CATCH2 LISTED 7 test cases\nAll tests passed (40 assertions in 5 test cases)\n";
    const r = runner(`log=$(mktemp); printf '%s' "${log}" >"$log"; catch2_counts "$log"; rm -f "$log"`);
    assert.equal(r.stdout.trim(), "5 2");
  });

  it("a green run counts its cases as passed", () => {
    const log = "CATCH2 LISTED 5 test cases\nAll tests passed (40 assertions in 5 test cases)\n";
    const r = runner(`log=$(mktemp); printf '%s' "${log}" >"$log"; catch2_counts "$log"; rm -f "$log"`);
    assert.equal(r.stdout.trim(), "5 0");
  });
});

describe("scripts/test: a failed build", () => {
  it("a stage that needs a failed build's outputs is counted failed and never runs (no stale binary)", () => {
    withFile("", 0o644, (_file, dir) => {
      const marker = path.join(dir, "stale-binary-ran");
      const r = runner(`
        stage build-native single_check false
        stage_if build-native unit plain_counts bash -c 'touch "${marker}"; echo "5 passed, 0 failed"'
        stage ok plain_counts echo "2 passed, 0 failed"
        stages_total`);
      assert.equal(fs.existsSync(marker), false, "the stage ran against a failed build's (stale) outputs");
      assert.match(r.stderr, /unit: not run \(build-native failed/, r.stderr);
      assert.match(r.stdout, /^total: 2 passed, 2 failed$/m);
    });
  });

  it("a stage whose build passed runs", () => {
    const r = runner(`
      stage build-native single_check echo "CHECK OK"
      stage_if build-native unit plain_counts echo "5 passed, 0 failed"
      stages_total`);
    assert.match(r.stdout, /^total: 6 passed, 0 failed$/m);
  });

  it("every stage of scripts/test that runs build outputs is conditional on the build stage that makes them", () => {
    const text = fs.readFileSync(path.join(ROOT, "scripts/test"), "utf8");
    // What reads which build's outputs: the native unit binaries; the wasm modules in dist/ (tests/wasm, the e2e
    // Worker, the soak's Worker, and wrangler's bundle).
    const needs = [
      [/build\/native\/unit_tests/, "build-native"],
      [/build\/native-asan\/unit_tests/, "build-asan"],
      [/tests\/wasm\//, "build-wasm"],
      [/tests\/e2e\//, "build-wasm"],
      [/scripts\/soak/, "build-wasm"],
      [/\bdry_run\b/, "build-wasm"],
    ];
    const stageLines = text.split("\n").filter((l) => /^\s*stage(_if)?\s/.test(l));
    for (const [pattern, build] of needs) {
      const lines = stageLines.filter((l) => pattern.test(l));
      assert.ok(lines.length > 0, `no stage runs ${pattern}`);
      for (const l of lines) assert.match(l, new RegExp(`^\\s*stage_if ${build} `), `not conditional on ${build}: ${l.trim()}`);
    }
  });
});
