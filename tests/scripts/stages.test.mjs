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
      [/tests\/deploy\//, "build-wasm"],
    ];
    const stageLines = text.split("\n").filter((l) => /^\s*stage(_if)?\s/.test(l));
    for (const [pattern, build] of needs) {
      const lines = stageLines.filter((l) => pattern.test(l));
      assert.ok(lines.length > 0, `no stage runs ${pattern}`);
      for (const l of lines) assert.match(l, new RegExp(`^\\s*stage_if ${build} `), `not conditional on ${build}: ${l.trim()}`);
    }
  });
});

describe("scripts/lib/emulator.sh", () => {
  // A python3 in front of the real one on PATH: the emulator "starts" (READY, then stays up) and the seed fails.
  const FAKE_PYTHON = `#!/usr/bin/env bash
case "$1" in
  */s3emu.py) echo $$ >"$FAKE_EMU_PIDFILE"; echo "READY http://127.0.0.1:9"; exec sleep 60 ;;
  */seed.py) echo "seed: the backend refused the fixtures" >&2; exit 1 ;;
esac
exit 2
`;

  it("a seed that fails fails start_emulator, and the emulator it started is stopped", () => {
    withFile(FAKE_PYTHON, 0o755, (bin, dir) => {
      fs.renameSync(bin, path.join(dir, "python3"));
      const pidfile = path.join(dir, "emu.pid");
      const r = runner(`
        export FAKE_EMU_PIDFILE="${pidfile}" PATH="${dir}:$PATH"
        . scripts/lib/emulator.sh
        if start_emulator 0 "${dir}/emulator.log"; then echo STARTED; else echo REFUSED; fi`);
      assert.equal(r.stdout.trim(), "REFUSED", r.stderr);
      const pid = Number(fs.readFileSync(pidfile, "utf8"));
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (alive) process.kill(pid, "SIGKILL");
      assert.equal(alive, false, "the emulator whose seed failed is still running");
    });
  });

  it("--port 0: two emulators side by side each bind free ports (front and moto) and say which", async () => {
    const { spawn } = await import("node:child_process");
    const start = () => {
      const p = spawn("python3", [path.join(ROOT, "tests/emulator/s3emu.py"), "--port", "0", "--key", "AKIDX:secretx"],
        { stdio: ["ignore", "pipe", "inherit"] });
      const ready = new Promise((resolve, reject) => {
        let out = "";
        p.stdout.on("data", (d) => {
          out += d;
          const m = out.match(/^READY (\S+)$/m);
          if (m) resolve(m[1]);
        });
        p.on("exit", (code) => reject(new Error(`s3emu exited with ${code} before READY: ${out}`)));
      });
      return { p, ready };
    };
    const a = start(), b = start();
    try {
      const urls = await Promise.all([a.ready, b.ready]);
      const ports = urls.map((u) => Number(new URL(u).port));
      for (const port of ports) assert.ok(port > 0, `READY names port ${port}`);
      assert.notEqual(ports[0], ports[1]);
      const health = await Promise.all(urls.map(async (u) => (await fetch(`${u}/__emu/health`)).json()));
      for (const h of health) assert.ok(h.ok && h.moto_port > 0, JSON.stringify(h));
      assert.notEqual(health[0].moto_port, health[1].moto_port);
    } finally {
      for (const { p } of [a, b]) p.kill("SIGTERM");
      await Promise.all([a, b].map(({ p }) => (p.exitCode !== null ? null : new Promise((r) => p.on("exit", r)))));
    }
  });

  it("scripts/test, scripts/soak and scripts/run ask for a free emulator port unless EMU_PORT is set", () => {
    for (const script of ["scripts/test", "scripts/soak", "scripts/run"]) {
      const calls = fs.readFileSync(path.join(ROOT, script), "utf8").split("\n").filter((l) => /start_emulator /.test(l));
      assert.ok(calls.length > 0, script);
      for (const l of calls) assert.match(l, /start_emulator "\$\{EMU_PORT:-0\}"/, `${script}: ${l.trim()}`);
    }
  });
});
