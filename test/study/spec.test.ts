import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSpec, parseSpec } from "../../src/study/spec.js";
import { SPEC_CASES, setupInputs } from "./spec-cases.js";
import { runCli } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "keytech-spec-"));
const base = setupInputs(dir);

test("the reference template is a valid spec with every block enabled", async () => {
  const f = join(dir, "ok.yaml");
  writeFileSync(f, base);
  const spec = await loadSpec(f);
  assert.equal(spec.enabled.length, 21);
  assert.deepEqual((spec.blocks.baseline as { columns: string[] }).columns, ["fe_only", "controls", "winsorized", "lead", "poisson"]);
  assert.equal(spec.inputs.panel.file, join(dir, "data", "panel.csv"));
});

test("an empty block mapping gets its defaults; enabled: false skips it", () => {
  const { spec } = parseSpec(base.replace("  ddd: {}", "  ddd:\n    enabled: false").replace("    ref: -1\n", ""), join(dir, "x.yaml"));
  assert.ok(!spec.enabled.includes("ddd"));
  assert.equal((spec.blocks.event_study as { ref: number }).ref, -1);
});

assert.ok(SPEC_CASES.length >= 15);
for (const c of SPEC_CASES) {
  test(`malformed spec: ${c.name}`, async () => {
    const text = c.edit(base);
    assert.notEqual(text, base, "the edit must change the spec");
    const f = join(dir, "study.yaml");
    writeFileSync(f, text);
    await assert.rejects(loadSpec(f), (e: Error) => {
      const lines = e.message.split("\n");
      assert.match(lines[0]!, /^invalid study spec .*study\.yaml \(\d+ problems?\):$/);
      assert.deepEqual(
        lines.slice(1).map((l) => l.replaceAll(dir + "/", "DIR/")),
        c.expect,
      );
      return true;
    });
  });
}

test("keytech study run with a bad spec exits 1 and names line and key on stderr", () => {
  const f = join(dir, "bad.yaml");
  writeFileSync(f, base.replace("    control: notyet", "    control: sometimes"));
  const r = runCli(["study", "run", f, "--out", join(dir, "out")]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.yaml:94: blocks\.cs\.control: string "sometimes" is not allowed; allowed values: never, notyet/);
  assert.equal(r.stdout, "");
});

test("keytech study init writes the template and refuses to overwrite", () => {
  const f = join(dir, "init.yaml");
  rmSync(f, { force: true });
  assert.equal(runCli(["study", "init", "--out", f]).status, 0);
  const again = runCli(["study", "init", "--out", f]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /exists; use --force/);
});
