/**
 * On the simulated paper world at the demo's size (KeyTech and the mediators measured from its patents),
 * the baseline, Callaway–Sant'Anna and synthetic-DID estimates cover the twin-run ATT in their 95%
 * intervals and exclude 0, and mechanism step 1 covers the twin-run effects on the three mediators
 * (blocks whose analysis is not on this build are skipped, loudly).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureWorld, simulatePaperWorld, writePaperWorld } from "../../src/sim/simulate.js";
import { patentsBlockYaml, studyTemplate } from "../../src/study/spec-template.js";
import { loadSpec } from "../../src/study/spec.js";
import { runStudy } from "../../src/study/runner.js";

const dir = mkdtempSync(join(tmpdir(), "keytech-truth-"));
const world = await simulatePaperWorld({ seed: 20250101, policyTwins: false });
await writePaperWorld(world, join(dir, "data"));
const full = studyTemplate({ dataDir: "data", fast: true, truth: true });
const spec =
  full.slice(0, full.indexOf("blocks:")) +
  `blocks:
${patentsBlockYaml()}  baseline:
    columns: [fe_only, controls]
  cs:
    control: notyet
  sdid:
    reps: 20
  mechanisms:
    mediators: [cospecialize, diffusion, efficiency]
    joint_test: false
`;
writeFileSync(join(dir, "study.yaml"), spec);
const run = await runStudy(await loadSpec(join(dir, "study.yaml")), { outDir: join(dir, "out"), log: () => {} });
const att = (world.truth as { att: number }).att;

function covers(block: string, model: string, terms: string[]): { est: number; lo: number; hi: number } | null {
  const b = run.blocks.find((x) => x.id === block)!;
  if (b.status === "not_available") return null;
  assert.equal(b.status, "ok", `${block}: ${b.error}`);
  const m = b.output!.models.find((x) => x.name === model) ?? b.output!.models[0]!;
  const e = m.result.estimates.find((x) => terms.includes(x.term));
  assert.ok(e, `${block} has one of ${terms.join(", ")}`);
  return { est: e.estimate!, lo: e.conf_low!, hi: e.conf_high! };
}

test("the study measures exactly the columns of the twin-run truth (DEMO_MEASURE_OPTIONS)", async () => {
  const b = run.blocks.find((x) => x.id === "patents")!;
  assert.equal(b.status, "ok", b.error);
  // the study's data with the measured columns joined (full precision)
  const [head, ...rows] = readFileSync(join(dir, "out", "work", "analysis_panel.csv"), "utf8")
    .trimEnd()
    .split("\n");
  const names = head!.split(",");
  const m = await measureWorld(world);
  const T = world.years.length;
  const row = new Map(world.counties.map((c, i) => [String(c.county), i]));
  for (const k of ["keytech", "keytech_count", "cite_quality", "cospecialize", "diffusion", "efficiency"] as const) {
    const j = names.indexOf(k);
    assert.ok(j >= 0, k);
    let n = 0;
    for (const line of rows) {
      const f = line.split(",");
      const v = m.columns[k]![row.get(f[0]!)! * T + (Number(f[1]) - world.years[0]!)]!;
      const x = f[j] === "" ? Number.NaN : Number(f[j]);
      // DEA scores come from one LP per DMU, solved in the study's unit order: equal up to rounding
      if (k === "efficiency" && Number.isFinite(v)) assert.ok(Math.abs(x - v) < 1e-9, `${k} at ${f[0]} ${f[1]}: ${x} vs ${v}`);
      else assert.equal(x, Number.isFinite(v) ? v : Number.NaN, `${k} at ${f[0]} ${f[1]}`);
      n++;
    }
    assert.equal(n, world.counties.length * T);
  }
  assert.ok(att > 0);
});

test("baseline TWFE covers the twin-run ATT (fe only and with controls) and excludes 0", () => {
  for (const m of ["fe_only", "controls"]) {
    const c = covers("baseline", m, ["treat_post"]);
    assert.ok(c, "baseline must be available");
    assert.ok(c.lo <= att && att <= c.hi, `${m}: ${c.est} [${c.lo}, ${c.hi}] vs ${att}`);
    assert.ok(c.lo > 0, `${m}: ${c.est} [${c.lo}, ${c.hi}] excludes 0`);
  }
});

test("Callaway–Sant'Anna simple ATT covers the twin-run ATT and excludes 0", (t) => {
  const c = covers("cs", "cs", ["ATT"]);
  if (!c) return t.skip("cs analysis not on this build");
  assert.ok(c.lo <= att && att <= c.hi, `${c.est} [${c.lo}, ${c.hi}] vs ${att}`);
  assert.ok(c.lo > 0, `${c.est} [${c.lo}, ${c.hi}] excludes 0`);
});

test("synthetic DID covers the twin-run ATT and excludes 0", (t) => {
  const c = covers("sdid", "sdid", ["sdid"]);
  if (!c) return t.skip("sdid analysis not on this build");
  assert.ok(c.lo <= att && att <= c.hi, `${c.est} [${c.lo}, ${c.hi}] vs ${att}`);
  assert.ok(c.lo > 0, `${c.est} [${c.lo}, ${c.hi}] excludes 0`);
});

test("mechanism step 1 recovers the twin-run effects on the mediators (covered, clearly non-zero)", () => {
  const eff = (world.truth as { mechanisms: { effect_on_mediator: Record<string, number> } }).mechanisms.effect_on_mediator;
  for (const m of ["cospecialize", "diffusion", "efficiency"]) {
    const c = covers("mechanisms", `${m}_a`, ["treat_post"])!;
    assert.ok(c.lo <= eff[m]! && eff[m]! <= c.hi, `${m}: ${c.est} [${c.lo}, ${c.hi}] vs ${eff[m]}`);
    assert.ok(c.lo > 0 && eff[m]! > 0, `${m}: ${c.est} [${c.lo}, ${c.hi}] excludes 0`);
  }
});
