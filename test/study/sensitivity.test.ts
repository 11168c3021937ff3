/**
 * The study's sensitivity block: HonestDiD bounds from the event study's own coefficients and covariance;
 * the original estimate is the event study's first post-period coefficient, the robust sets widen with M̄,
 * and the report shows the table and the two sensitivity plots.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simulatePaperWorld, writePaperWorld } from "../../src/sim/simulate.js";
import { studyTemplate } from "../../src/study/spec-template.js";
import { loadSpec } from "../../src/study/spec.js";
import { runStudy } from "../../src/study/runner.js";
import { writeStudyReport } from "../../src/report/study-report.js";

test("sensitivity block: HonestDiD bounds of the TWFE event study, widening with M̄", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-sens-"));
  const world = await simulatePaperWorld({ seed: 3, nCounties: 150, patentsPerCountyYear: 0.5, policyTwins: false });
  await writePaperWorld(world, join(dir, "data"));
  const full = studyTemplate({ dataDir: "data", fast: true, truth: true });
  writeFileSync(
    join(dir, "s.yaml"),
    full.slice(0, full.indexOf("blocks:")) + "blocks:\n  patents: {}\n  event_study:\n    estimators: [twfe]\n  sensitivity:\n    mbar: [0.5, 1, 2]\n",
  );
  const run = await runStudy(await loadSpec(join(dir, "s.yaml")), { outDir: join(dir, "out"), log: () => {} });
  const b = run.blocks.find((x) => x.id === "sensitivity")!;
  assert.equal(b.status, "ok", b.error);
  const ev = run.blocks.find((x) => x.id === "event_study")!.output!.models[0]!.result;
  const rel0 = ev.estimates.find((e) => e.term === "rel::0")!.estimate!;
  const sens = (
    b.output!.extra as { sensitivity: { original: { estimate: number; lb: number; ub: number }; bounds: { Mbar?: number; lb: number; ub: number }[] }[] }
  ).sensitivity;
  assert.ok(Math.abs(sens[0]!.original.estimate - rel0) < 1e-12, "the original estimate is the event study's rel::0");
  const rm = sens[0]!.bounds;
  assert.deepEqual(
    rm.map((r) => r.Mbar),
    [0.5, 1, 2],
  );
  for (let k = 1; k < rm.length; k++) assert.ok(rm[k]!.lb <= rm[k - 1]!.lb + 1e-12 && rm[k]!.ub >= rm[k - 1]!.ub - 1e-12, "the robust sets widen with M̄");
  assert.ok(rm[0]!.lb <= sens[0]!.original.ub && rm[0]!.ub >= sens[0]!.original.lb);
  assert.equal(sens.length, 2, "Δ^RM and Δ^SD");
  const files = await writeStudyReport(run, join(dir, "out"));
  assert.ok(files.tables.some((t) => t.endsWith("robustness_1c_sensitivity.md")));
  for (const f of ["sensitivity_rm.svg", "sensitivity_sd.png"]) assert.ok(existsSync(join(dir, "out", "figures", f)), f);
});
