// feols's dummy-cell fast path (event-study dummies demeaned on a class × period table) against the dense path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/rng.js";
import { feols, type FeolsFit, type FeolsInput, type FixedEffectInput } from "../../src/estimators/feols.js";
import { dummyCells } from "../../src/estimators/demean.js";
import { computeVcov, type VcovSpec } from "../../src/inference/vcov.js";
import { eventDummies } from "../../src/analyses/event.js";
import { waldTest } from "../../src/inference/wald.js";
import { assertClose, fixture, readJson } from "../helpers.js";
import { codesOf, mpdta, type RefFile } from "./mpdta.js";

interface EventPanel {
  y: Float64Array;
  rel: Float64Array;
  x: { name: string; values: Float64Array }[];
  fes: FixedEffectInput[];
  w: Float64Array;
}

/**
 * Staggered panel: `nUnits` units × `nT` periods, cohorts 3..nT−2 or never treated (rel NaN); `drop` = share of
 * rows dropped at random (unbalanced within cohort); `shuffle` permutes the rows (not sorted by unit).
 */
function eventPanel(seed: number, opts: { nUnits?: number; nT?: number; drop?: number; shuffle?: boolean; neverShare?: number } = {}): EventPanel {
  const r = new Rng(seed);
  const nUnits = opts.nUnits ?? 300,
    nT = opts.nT ?? 10;
  const rows: [number, number, number][] = [];
  for (let u = 0; u < nUnits; u++) {
    const g = r.uniform() < (opts.neverShare ?? 0.3) ? -1 : 3 + r.int(nT - 4);
    for (let t = 0; t < nT; t++) if (!(r.uniform() < (opts.drop ?? 0))) rows.push([u, t, g]);
  }
  if (opts.shuffle)
    for (let i = rows.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
  const n = rows.length;
  const unit = Int32Array.from(rows, (q) => q[0]);
  const time = Int32Array.from(rows, (q) => q[1]);
  const rel = Float64Array.from(rows, (q) => (q[2] >= 0 ? q[1] - q[2] : Number.NaN));
  const x1 = Float64Array.from({ length: n }, () => r.normal());
  const x2 = Float64Array.from({ length: n }, (_, i) => r.normal() + 0.1 * time[i]!);
  const y = Float64Array.from(
    { length: n },
    (_, i) => Math.sin(unit[i]!) + 0.1 * time[i]! + 0.5 * x1[i]! - 0.2 * x2[i]! + (rel[i]! >= 0 ? 0.3 + 0.05 * rel[i]! : 0) + r.normal(),
  );
  const w = Float64Array.from({ length: n }, () => 0.5 + r.uniform());
  return {
    y,
    rel,
    x: [
      { name: "x1", values: x1 },
      { name: "x2", values: x2 },
    ],
    fes: [
      { name: "unit", codes: unit, nLevels: nUnits },
      { name: "time", codes: time, nLevels: nT },
    ],
    w,
  };
}

/** The same model twice: dummies with their rows of ones (fast path when eligible) and as plain dense columns. */
function bothPaths(p: EventPanel, extra: Partial<FeolsInput> = {}, window: [number, number] | null = [-4, 4]): { fast: FeolsFit; dense: FeolsFit } {
  const dums = eventDummies(p.rel, [-1], window, "bin");
  const fast = feols({ y: p.y, yName: "y", x: [...dums, ...p.x], fixedEffects: p.fes, ...extra });
  const denseX = eventDummies(p.rel, [-1], window, "bin").map((d) => ({ name: d.name, values: Float64Array.from(d.values) }));
  const dense = feols({ y: p.y, yName: "y", x: [...denseX, ...p.x], fixedEffects: p.fes, ...extra });
  return { fast, dense };
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0,
    d = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < b.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d / Math.max(scale, 1e-300);
}

function assertSameFit(fast: FeolsFit, dense: FeolsFit, spec: VcovSpec, what: string): void {
  assert.deepEqual(fast.coefNames, dense.coefNames, what);
  assert.deepEqual(fast.droppedCollinear, dense.droppedCollinear, what);
  assert.equal(fast.nobs, dense.nobs);
  assert.equal(fast.nparams, dense.nparams);
  const tol = 1e-10;
  assert.ok(maxRel(fast.coef, dense.coef) <= tol, `${what}: coef ${maxRel(fast.coef, dense.coef)}`);
  assert.ok(maxRel(fast.bread.data, dense.bread.data) <= tol, `${what}: bread`);
  assert.ok(maxRel(fast.residuals, dense.residuals) <= tol, `${what}: residuals ${maxRel(fast.residuals, dense.residuals)}`);
  assert.ok(Math.abs(fast.ssr - dense.ssr) <= tol * dense.ssr, `${what}: ssr`);
  assert.ok(Math.abs(fast.r2 - dense.r2) <= tol && Math.abs(fast.withinR2! - dense.withinR2!) <= tol, `${what}: r2`);
  const vf = computeVcov(fast, spec),
    vd = computeVcov(dense, spec);
  assert.ok(maxRel(vf.V.data, vd.V.data) <= tol, `${what}: vcov ${maxRel(vf.V.data, vd.V.data)}`);
  assert.equal(vf.df, vd.df);
  // the lazily built X̃ equals the dense path's
  fast.xTilde.forEach((x, a) => assert.ok(maxRel(x, dense.xTilde[a]!) <= tol, `${what}: xTilde ${fast.coefNames[a]}`));
  // and the HC1 variance (reads X̃)
  const hf = computeVcov(fast, { type: "hc1" }),
    hd = computeVcov(dense, { type: "hc1" });
  assert.ok(maxRel(hf.V.data, hd.V.data) <= tol, `${what}: hc1`);
}

const byUnit = (p: EventPanel): VcovSpec => ({ type: "cluster", clusters: [{ name: "unit", codes: p.fes[0]!.codes, nLevels: p.fes[0]!.nLevels }] });

test("dummy-cell fast path = dense path on a balanced panel with never-treated units (≤ 1e-10)", () => {
  for (const seed of [1, 2, 3]) {
    const p = eventPanel(seed);
    const { fast, dense } = bothPaths(p);
    assert.ok(fast.xCells, "fast path taken");
    assert.equal(dense.xCells, undefined);
    assertSameFit(fast, dense, byUnit(p), `balanced seed ${seed}`);
    // two-way clustering (unit and time): the meat's one pass handles unsorted cluster codes too
    const two: VcovSpec = {
      type: "cluster",
      clusters: [
        { name: "unit", codes: p.fes[0]!.codes, nLevels: p.fes[0]!.nLevels },
        { name: "time", codes: p.fes[1]!.codes, nLevels: p.fes[1]!.nLevels },
      ],
    };
    const vf = computeVcov(fast, two),
      vd = computeVcov(dense, two);
    assert.ok(maxRel(vf.V.data, vd.V.data) <= 1e-10, "two-way cluster");
  }
});

test("dummy-cell fast path, no window (every relative period a term) and rows not sorted by unit", () => {
  const p = eventPanel(4, { shuffle: true });
  const { fast, dense } = bothPaths(p, {}, null);
  assert.ok(fast.xCells);
  assertSameFit(fast, dense, byUnit(p), "shuffled, no window");
});

test("unbalanced within cohort: units with their own periods form their own classes; still = dense path", () => {
  for (const drop of [0.05, 0.3]) {
    const p = eventPanel(5, { drop });
    const { fast, dense } = bothPaths(p);
    assert.ok(fast.xCells, `drop ${drop}: fast path (exact with finer classes)`);
    assertSameFit(fast, dense, byUnit(p), `unbalanced drop ${drop}`);
  }
  // a table that would not be small is refused: the caller falls back to the dense columns
  const p = eventPanel(6, { drop: 0.3 });
  const ones = eventDummies(p.rel, [-1], [-4, 4], "bin").map((d) => d.ones);
  assert.equal(dummyCells(p.fes, ones, { maxCells: 50 }), null);
  assert.ok(dummyCells(p.fes, ones));
  // overlapping dummies (a row in two columns) are refused too
  assert.equal(dummyCells(p.fes, [ones[0]!, ones[0]!]), null);
});

test("weights, singleton removal, a third FE: the ordinary dense path (no xCells), same results as before", () => {
  const p = eventPanel(7, { drop: 0.1 });
  const w = bothPaths(p, { weights: p.w });
  assert.equal(w.fast.xCells, undefined);
  assertSameFit(w.fast, w.dense, byUnit(p), "weighted");
  const third: FixedEffectInput = { name: "g", codes: Int32Array.from(p.fes[0]!.codes, (u) => u % 7), nLevels: 7 };
  const three = bothPaths({ ...p, fes: [...p.fes, third] });
  assert.equal(three.fast.xCells, undefined);
  assertSameFit(three.fast, three.dense, byUnit(p), "three FEs");
  // a panel with singleton units (one row) and removeSingletons: rows dropped → dense path
  const q = eventPanel(8, { drop: 0.85, nUnits: 200 });
  const s = bothPaths(q, { removeSingletons: true });
  assert.ok(s.fast.singletonsRemoved > 0);
  assert.equal(s.fast.xCells, undefined);
  assertSameFit(s.fast, s.dense, byUnit(q), "singletons removed");
});

test("fast path: a dummy absorbed by the fixed effects is dropped as on the dense path", () => {
  // every treated unit adopts in period 5 and the panel is balanced: rel = t − 5 for treated units; with
  // all units treated a full set of relative-period dummies (no window) is collinear with the time FE
  const p = eventPanel(9, { neverShare: 0 });
  const rel = Float64Array.from(p.fes[1]!.codes, (t) => t - 5);
  const q = { ...p, rel };
  const { fast, dense } = bothPaths(q, {}, null);
  assert.ok(fast.xCells);
  assert.ok(dense.droppedCollinear.length > 0);
  assertSameFit(fast, dense, byUnit(q), "absorbed dummies");
});

test("fast path on mpdta reproduces fixest's event study (mpdta_fixest_event.json) at the refs' tolerance", () => {
  const d = mpdta();
  const unit = codesOf("countyreal", d.county),
    year = codesOf("year", d.year);
  const rel = Float64Array.from(d.year, (y, i) => (d.firstTreat[i]! > 0 ? y - d.firstTreat[i]! : Number.NaN));
  const fit = feols({ y: d.lemp, yName: "lemp", x: eventDummies(rel, [-1], null, "bin"), fixedEffects: [unit, year] });
  assert.ok(fit.xCells, "fast path taken");
  const ref = readJson<RefFile & { pretrend_wald: { stat: number; p: number } }>(fixture("refs", "mpdta_fixest_event.json"));
  const vc = computeVcov(fit, { type: "cluster", clusters: [unit] });
  assert.equal(fit.nobs, ref.nobs);
  assert.deepEqual(
    fit.coefNames,
    ref.estimates.map((r) => r.term),
  );
  const k = fit.coef.length;
  ref.estimates.forEach((r, j) => {
    assertClose(fit.coef[j]!, r.estimate, 1e-9, `${r.term} estimate`);
    assertClose(Math.sqrt(vc.V.data[j * k + j]!), r.std_error, 1e-9, `${r.term} se`);
  });
  assertClose(fit.r2, ref.r2, 1e-9, "r2");
  assertClose(fit.adjR2, ref.adj_r2, 1e-9, "adj_r2");
  assertClose(fit.withinR2!, ref.within_r2, 1e-8, "within_r2");
  const w = waldTest(fit, vc, ["rel::-4", "rel::-3", "rel::-2"]);
  assertClose(w.stat, ref.pretrend_wald.stat, 1e-9, "wald stat");
});
