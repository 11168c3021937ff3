/** Goodman-Bacon decomposition: castle data vs the bacondecomp README (METHODS.md §14.7), exactness checks. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertClose, fixture, runCli } from "../../helpers.js";
import { readCsvForTest } from "../cs/csv.js";
import { baconAnalysis } from "../../../src/analyses/bacon.js";
import { cohortFromTreatment } from "../../../src/estimators/bacon.js";
import type { LongPanelInput } from "../../../src/estimators/cs/cs-panel.js";
import { feols } from "../../../src/estimators/feols.js";
import { KeytechError } from "../../../src/core/errors.js";
import { simulateStaggered } from "../cs/sim.js";

type ByType = { type: string; weight: number; estimate: number }[];

const castle = readCsvForTest(fixture("data", "castle.csv"));
function castleInput(): LongPanelInput {
  const unit = castle.str("state");
  const time = castle.num("year");
  return {
    file: "castle.csv",
    names: { y: "l_homicide", unit: "state", time: "year", cohort: "post" },
    y: castle.num("l_homicide"),
    unit,
    time,
    cohort: cohortFromTreatment(unit, time, castle.num("post"), { column: "post" }),
  };
}

/** TWFE coefficient on D by the core's HDFE OLS (independent of the decomposition code). */
function twfeFeols(inp: LongPanelInput): number {
  const codes = (a: ArrayLike<string | number>) => {
    const m = new Map<string | number, number>();
    const c = Int32Array.from({ length: a.length }, (_, r) => {
      const v = a[r]!;
      if (!m.has(v)) m.set(v, m.size);
      return m.get(v)!;
    });
    return { codes: c, nLevels: m.size };
  };
  const D = Float64Array.from({ length: inp.y.length }, (_, r) => (inp.cohort[r]! > 0 && inp.time[r]! >= inp.cohort[r]! ? 1 : 0));
  const fit = feols({
    y: Float64Array.from(inp.y),
    yName: "y",
    x: [{ name: "D", values: D }],
    fixedEffects: [
      { name: "unit", ...codes(inp.unit) },
      { name: "time", ...codes(inp.time) },
    ],
  });
  return fit.coef[0]!;
}

test("Bacon on castle (l_homicide, post): README weights/averages by type and TWFE 0.08181162", () => {
  const res = baconAnalysis(castleInput());
  assertClose(res.estimates[0]!.estimate!, 0.08181162, 1e-6);
  const by = res.by_type as ByType;
  const want: Record<string, [number, number]> = {
    "Earlier vs Later Treated": [0.05976, -0.00554],
    "Later vs Earlier Treated": [0.0319, 0.07032],
    "Treated vs Untreated": [0.90834, 0.08796],
  };
  assert.deepEqual(by.map((b) => b.type).sort(), Object.keys(want).sort());
  for (const b of by) {
    assert.ok(Math.abs(b.weight - want[b.type]![0]) < 5e-6, `${b.type} weight ${b.weight}`);
    assert.ok(Math.abs(b.estimate - want[b.type]![1]) < 5e-6, `${b.type} avg ${b.estimate}`);
  }
  const cmp = res.comparisons as { weight: number; estimate: number }[];
  const sw = cmp.reduce((s, c) => s + c.weight, 0),
    swb = cmp.reduce((s, c) => s + c.weight * c.estimate, 0);
  assert.ok(Math.abs(sw - 1) < 1e-10, `weights sum ${sw}`);
  assert.ok(Math.abs(swb - res.estimates[0]!.estimate!) < 1e-10, "Σ s·β = TWFE");
  assertClose(res.estimates[0]!.estimate!, twfeFeols(castleInput()), 1e-8, "TWFE vs feols");
});

test("Bacon on a simulated panel with always-treated units and no never-treated: exact to 1e-10, TWFE = feols", () => {
  const p = simulateStaggered({ nUnits: 300, T: 9, cohorts: [1, 3, 5, 8], probs: [0.2, 0.3, 0.3, 0.2], effect: (g, e) => g * 0.2 + 0.5 * e, seed: 77 });
  const res = baconAnalysis(p);
  const cmp = res.comparisons as { type: string; weight: number; estimate: number }[];
  assert.ok(cmp.some((c) => c.type === "Later vs Always Treated"));
  assert.ok(!cmp.some((c) => c.type === "Treated vs Untreated"));
  const sw = cmp.reduce((s, c) => s + c.weight, 0),
    swb = cmp.reduce((s, c) => s + c.weight * c.estimate, 0);
  assert.ok(Math.abs(sw - 1) < 1e-10);
  assert.ok(Math.abs(swb - res.estimates[0]!.estimate!) < 1e-10);
  assertClose(res.estimates[0]!.estimate!, twfeFeols(p), 1e-8);
});

test("Bacon refuses unbalanced panels and treatment that switches off", () => {
  const inp = castleInput();
  const keep = Array.from({ length: inp.y.length }, (_, r) => r).filter((r) => r !== 5);
  const pick = (a: ArrayLike<number>) => Float64Array.from(keep, (r) => a[r]!);
  const unb = { ...inp, y: pick(inp.y), unit: keep.map((r) => inp.unit[r]!), time: pick(inp.time), cohort: pick(inp.cohort) };
  assert.throws(
    () => baconAnalysis(unb),
    (e: unknown) => e instanceof KeytechError && /unbalanced/.test(e.message),
  );
  const D = Float64Array.from(castle.num("post"));
  const r = D.findIndex((v) => v === 1);
  D[r + 1] = 0;
  assert.throws(() => cohortFromTreatment(inp.unit, inp.time, D, { column: "post" }), /switches off/);
});

test("did bacon CLI: --treat post and --cohort effyear agree; JSON sum check", () => {
  const args = ["did", "bacon", "--data", fixture("data", "castle.csv"), "--y", "l_homicide", "--unit", "state", "--time", "year", "--json"];
  const a = runCli([...args, "--treat", "post"]),
    b = runCli([...args, "--cohort", "effyear"]);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  const ja = JSON.parse(a.stdout),
    jb = JSON.parse(b.stdout);
  assert.equal(ja.estimates[0].estimate, jb.estimates[0].estimate);
  assert.ok(Math.abs(ja.sum_check.weighted_estimate_minus_twfe) < 1e-10);
  assert.equal(runCli(args).status, 2);
});
