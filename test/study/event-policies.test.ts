/**
 * The event-study block with the concurrent-policy indicators as controls (`policy_controls`, block
 * `event_study_policies`): on two simulated worlds that differ only in the planted effects of Broadband
 * China, Smart City and the non-digital pilots, the controlled event study gives the same estimates (the
 * indicators absorb the planted effects exactly; for Callaway–Sant'Anna the netted outcome does), while
 * the event study without controls moves. The report says that the truths exclude those policies.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simulatePaperWorld, writePaperWorld } from "../../src/study/simulate.js";
import { studyTemplate } from "../../src/study/spec-template.js";
import { loadSpec } from "../../src/study/spec.js";
import { runStudy, type StudyRun } from "../../src/study/runner.js";
import { writeStudyReport } from "../../src/report/study-report.js";
import { assertClose } from "../helpers.js";

async function world(policies: { broadband: number; smartCity: number; nonDigital: number }): Promise<{ run: StudyRun; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "keytech-evpol-"));
  await writePaperWorld(simulatePaperWorld({ seed: 7, nCounties: 150, patentsPerCountyYear: 0.05, otherPolicies: policies }), join(dir, "data"));
  const full = studyTemplate({ dataDir: "data", fast: true, truth: true });
  writeFileSync(join(dir, "study.yaml"), full.slice(0, full.indexOf("blocks:")) + `blocks:
  event_study:
    estimators: [twfe, cs]
  event_study_policies:
    estimators: [twfe, cs]
`);
  const run = await runStudy(await loadSpec(join(dir, "study.yaml")), { outDir: join(dir, "out"), log: () => {} });
  return { run, dir };
}

const big = await world({ broadband: 3, smartCity: 3, nonDigital: 3 });
const none = await world({ broadband: 0, smartCity: 0, nonDigital: 0 });

function est(run: StudyRun, block: string, model: string, term: string): number {
  const b = run.blocks.find((x) => x.id === block)!;
  assert.equal(b.status, "ok", `${block}: ${b.error}`);
  return b.output!.models.find((m) => m.name === model)!.result.estimates.find((e) => e.term === term)!.estimate!;
}

test("event study with policy controls: estimates do not depend on the planted concurrent-policy effects; without them they do", () => {
  for (const m of ["twfe", "cs"]) {
    let moved = 0;
    for (let e = -4; e <= 5; e++) {
      if (e === -1 && m === "twfe") continue;
      const t = `rel::${e}`;
      assertClose(est(big.run, "event_study_policies", m, t), est(none.run, "event_study_policies", m, t), 1e-8, `${m} ${t} with policy controls`);
      moved = Math.max(moved, Math.abs(est(big.run, "event_study", m, t) - est(none.run, "event_study", m, t)));
    }
    assert.ok(moved > 0.1, `${m}: the event study without controls should move with the planted policy effects (moved ${moved})`);
  }
  // TWFE with controls estimates the planted effects of the policies themselves
  for (const p of ["broadband", "smart_city", "nondigital_post"]) {
    const b = big.run.blocks.find((x) => x.id === "event_study_policies")!.output!.models.find((x) => x.name === "twfe")!.result.estimates.find((x) => x.term === p)!;
    assert.ok(b.conf_low! < 3 && 3 < b.conf_high!, `${p}: ${b.estimate} [${b.conf_low}, ${b.conf_high}] vs planted 3`);
  }
  const notes = big.run.blocks.find((x) => x.id === "event_study_policies")!.output!.notes!;
  assert.match(notes[0]!, /^Callaway–Sant'Anna: outcome netted of broadband \d\.\d{3}, smart_city \d\.\d{3}, nondigital_post \d\.\d{3}/);
});

test("the report says the event-time truths exclude the concurrent policies and shows the gap with and without controls", async () => {
  const files = await writeStudyReport(big.run, join(big.dir, "out"));
  const html = readFileSync(files.html, "utf8");
  assert.ok(html.includes("they exclude the concurrent policies the generator plants — Broadband China (+3.00), Smart City (+3.00) and non-digital cluster pilots (+3.00) on the outcome"));
  assert.ok(html.includes("This event study does not control for them"));
  assert.ok(html.includes("This variant controls for their indicators (broadband, smart_city, nondigital_post)."));
  assert.ok(html.includes("<th>Mean gap without policy controls</th>"));
  assert.ok(files.figures.some((f) => f.endsWith("event_study_policies.svg")));
});
