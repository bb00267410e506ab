// What ./scripts/run prints (scripts/lib/serve.mjs's banner) and README's demo block: every command is paste-ready
// shell (a note in parentheses after a command used to make pasting it a syntax error), the writable repository is
// shown being written, and the edge cache can be seen at work on it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { demoUserSecrets } from "../../scripts/lib/demo-keys.mjs";
import { banner } from "../../scripts/lib/serve.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bashSyntax = (text) => spawnSync("bash", ["-n"], { input: text, encoding: "utf8" });

describe("the ./scripts/run banner", () => {
  const text = banner({ ep: "http://127.0.0.1:8787", emulator: "http://127.0.0.1:40001", secret: demoUserSecrets().DEMO_USER_SECRET });
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /can be pasted into a shell/.test(l));
  const pasteable = lines.slice(start + 1);
  const commands = pasteable.filter((l) => l.trim() && !l.trim().startsWith("#"));

  it("says where the paste-ready part begins, and it holds commands", () => {
    assert.ok(start >= 0, text);
    assert.ok(commands.length >= 10, text);
  });

  it("every printed line after that is valid shell, alone and all together (notes are # comments)", () => {
    for (const l of commands) {
      const r = bashSyntax(l);
      assert.equal(r.status, 0, `not paste-ready: ${l}\n${r.stderr}`);
    }
    const all = bashSyntax(pasteable.join("\n"));
    assert.equal(all.status, 0, all.stderr);
  });

  it("shows a write to demo-org/uploads and says it is the writable repository", () => {
    assert.ok(commands.some((l) => /aws .* s3 cp - s3:\/\/demo-org\/uploads\//.test(l)), text);
    assert.ok(pasteable.some((l) => l.startsWith("#") && /demo-org\/uploads.*writable/.test(l)), text);
  });

  it("shows the edge cache at work on the uploaded file (x-edge-cache)", () => {
    assert.ok(commands.some((l) => /demo-org\/uploads\//.test(l) && /x-edge-cache/.test(l)), text);
  });

  it("names the GDAL write option", () => {
    assert.match(text, /CPL_VSIL_USE_TEMP_FILE_FOR_RANDOM_WRITE=YES/);
  });
});

describe("README's demo commands", () => {
  it("the block after 'prints the endpoint and commands to paste' is valid shell", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const at = readme.indexOf("prints the endpoint and commands to paste");
    assert.ok(at >= 0);
    const block = readme.slice(at).match(/```sh\n([\s\S]*?)```/)[1];
    const r = bashSyntax(block);
    assert.equal(r.status, 0, r.stderr);
    assert.match(block, /s3:\/\/demo-org\/uploads\//, "the README's block shows the writable repository");
    assert.match(readme, /CPL_VSIL_USE_TEMP_FILE_FOR_RANDOM_WRITE=YES/);
  });
});
