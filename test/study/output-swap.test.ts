/**
 * Output folders are replaced whole: a re-run with changed options, killed at several points (during the
 * blocks, and at every step of the swap), leaves the folder with the old complete output or the new one
 * — never a mix — and the next run finishes with the results of an uninterrupted run. A user's own file
 * in the folder survives every run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simulatePaperWorld, writePaperWorld } from "../../src/sim/simulate.js";
import { studyTemplate } from "../../src/study/spec-template.js";
import { repoRoot, runCli } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "keytech-swap-"));
const world = await simulatePaperWorld({ seed: 11, nCounties: 120, patentsPerCountyYear: 0.4, policyTwins: false });
await writePaperWorld(world, join(dir, "data"));

function spec(lead: number): string {
  const full = studyTemplate({ dataDir: "data", fast: true, truth: true });
  return (
    full.slice(0, full.indexOf("blocks:")) +
    `blocks:\n  patents: {}\n  baseline:\n    columns: [fe_only, lead]\n    lead: ${lead}\n  event_study:\n    estimators: [twfe]\n  county_trends: {}\n  placebo:\n    reps: 40\n`
  );
}
const specA = join(dir, "a.yaml"),
  specB = join(dir, "b.yaml");
writeFileSync(specA, spec(1));
writeFileSync(specB, spec(2));

interface Results {
  spec: { hash: string };
  blocks: { id: string; status: string; options: Record<string, unknown>; output?: unknown }[];
}

/** The state of an output folder: which spec made it, and whether every output agrees with that. */
function state(out: string): "A" | "B" | "absent" {
  if (!existsSync(out)) return "absent";
  const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Results;
  const lead = res.blocks.find((b) => b.id === "baseline")!.options.lead;
  const which = lead === 1 ? "A" : lead === 2 ? "B" : null;
  assert.ok(which, `results.json from an unknown spec (lead ${String(lead)})`);
  const html = readFileSync(join(out, "report.html"), "utf8");
  assert.ok(html.includes(res.spec.hash), "report.html and results.json come from the same run");
  assert.ok(html.includes(`&quot;lead&quot;:${String(lead)}`), "the report shows the same options");
  const log = readFileSync(join(out, "run.log"), "utf8");
  assert.ok(log.includes(which === "A" ? "a.yaml" : "b.yaml"), "run.log of the same run");
  const md = readFileSync(join(out, "tables", "table_1_baseline.md"), "utf8");
  assert.ok(md.includes(`Lead ${String(lead)}`), "Table 1 of the same run");
  return which;
}

/** Results without timings and cache flags, for comparing two runs. */
function stable(out: string): string {
  const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Results & Record<string, unknown>;
  return JSON.stringify(res.blocks.map((b) => ({ id: b.id, status: b.status, output: b.output })));
}

const env = { ...process.env, KEYTECH_NO_PROGRESS: "1" };
const cli = join(repoRoot, "dist/src/cli/main.js");

test("killed re-runs leave the old or the new complete output; the next run equals an uninterrupted one", { timeout: 300_000 }, async () => {
  // the uninterrupted B run, for comparison
  const clean = join(dir, "clean");
  assert.equal(runCli(["study", "run", specB, "--out", clean]).status, 0);

  const out = join(dir, "out");
  assert.equal(runCli(["study", "run", specA, "--out", out]).status, 0);
  writeFileSync(join(out, "my-notes.txt"), "mine\n");
  assert.equal(state(out), "A");

  // killed while the blocks run (after the first block of the re-run is computed)
  const child = spawn(process.execPath, [cli, "study", "run", specB, "--out", out], { env, stdio: ["ignore", "ignore", "pipe"] });
  await new Promise<void>((resolve) => {
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      if (/computed in/.test(err)) child.kill("SIGKILL");
    });
    child.on("exit", () => resolve());
  });
  assert.equal(state(out), "A", "killed during the blocks: the old output, whole");

  // killed at every step of the swap
  for (const step of ["marked", "carried", "moved-old", "swapped"]) {
    if (step !== "marked") assert.equal(runCli(["study", "run", specA, "--out", out]).status, 0);
    const r = spawnSync(process.execPath, [cli, "study", "run", specB, "--out", out], { env: { ...env, KEYTECH_TEST_KILL_AT: step }, encoding: "utf8" });
    assert.equal(r.signal, "SIGKILL", `${step}: killed`);
    const s = state(out);
    if (step === "marked" || step === "carried") assert.equal(s, "A", `${step}: the old output`);
    else if (step === "swapped") assert.equal(s, "B", `${step}: the new output`);
    else {
      // between the two renames the folder is briefly absent; both complete copies wait beside it
      assert.equal(s, "absent");
      assert.equal(state(out + ".keytech-old"), "A");
      assert.equal(state(out + ".keytech-new"), "B");
    }
    // the next run repairs the folder and finishes as an uninterrupted run would
    const next = runCli(["study", "run", specB, "--out", out]);
    assert.equal(next.status, 0, next.stderr);
    assert.equal(state(out), "B");
    assert.equal(stable(out), stable(clean), `${step}: the next run gives the uninterrupted results`);
    assert.equal(readFileSync(join(out, "my-notes.txt"), "utf8"), "mine\n", `${step}: the user's file is kept`);
    assert.ok(existsSync(join(out, "workspace.duckdb")), `${step}: the block cache is kept`);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes(".keytech-")),
      [],
      `${step}: no staging folder left`,
    );
  }
});

test("--out refuses a file, the current folder, and kernel file systems, with exit 2", () => {
  const f = join(dir, "a-file");
  writeFileSync(f, "x");
  const r1 = runCli(["study", "run", specA, "--out", f]);
  assert.equal(r1.status, 2);
  assert.match(r1.stderr, /is a file; the output must be a folder/);
  const r2 = runCli(["study", "run", specA, "--out", "/proc/keytech"]);
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /not a place for output files/);
  const r3 = spawnSync(process.execPath, [cli, "study", "run", specA, "--out", "."], { cwd: dir, encoding: "utf8" });
  assert.equal(r3.status, 2);
  assert.match(r3.stderr, /cannot be the current folder/);
});
