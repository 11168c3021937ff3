import { test } from "node:test";
import assert from "node:assert/strict";
import { imputationFit, type StaggeredInput } from "../../../src/estimators/imputation.js";
import { feols } from "../../../src/estimators/feols.js";
import { pretrendTest } from "../../../src/analyses/imputation.js";
import { computeVcov, coefTable } from "../../../src/inference/vcov.js";
import { mat, solveGeneral, type Mat } from "../../../src/core/linalg.js";
import { assertClose } from "../../helpers.js";
import { simulate, type SimPanel } from "./sim.js";

function toInput(p: SimPanel, withX: boolean): StaggeredInput {
  return { y: p.y, unit: p.unit, nUnits: p.nUnits, time: p.time, cohort: p.cohort, x: withX ? [{ name: "x", values: p.x }] : [] };
}

/** Columns of Z = [unit dummies, period dummies except the first, covariates] (dense). */
function denseZ(p: SimPanel, xs: Float64Array[]): Float64Array[] {
  const periods = [...new Set(p.time)].sort((a, b) => a - b);
  const cols: Float64Array[] = [];
  for (let u = 0; u < p.nUnits; u++) cols.push(Float64Array.from(p.unit, (c) => (c === u ? 1 : 0)));
  for (const t of periods.slice(1)) cols.push(Float64Array.from(p.time, (v) => (v === t ? 1 : 0)));
  cols.push(...xs);
  return cols;
}

function crossRows(cols: Float64Array[], rows: number[], wa: (i: number) => number = () => 1, wb?: (i: number) => number): Mat {
  const k = cols.length;
  const m = mat(k, k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (const i of rows) s += cols[a]![i]! * cols[b]![i]! * wa(i) * (wb ? wb(i) : 1);
      m.data[a * k + b] = s;
    }
  return m;
}

/** BJS estimate and SE by dense linear algebra: β = (Z₀'Z₀)⁻¹Z₀'y₀, v₀ = −Z₀(Z₀'Z₀)⁻¹Z₁'w₁. */
function bruteForce(p: SimPanel, xs: Float64Array[], target: (i: number) => boolean, cluster: (u: number) => number = (u) => u): { est: number; se: number } {
  const Z = denseZ(p, xs);
  const k = Z.length;
  const treated = (i: number) => p.cohort[i]! > 0 && p.time[i]! >= p.cohort[i]!;
  const r0: number[] = [],
    r1: number[] = [];
  for (let i = 0; i < p.n; i++) (treated(i) ? r1 : r0).push(i);
  const ZZ = crossRows(Z, r0);
  const Zy = mat(
    k,
    1,
    Float64Array.from(Z, (c) => r0.reduce((s, i) => s + c[i]! * p.y[i]!, 0)),
  );
  const beta = solveGeneral(ZZ, Zy).data;
  const fitted = (i: number) => Z.reduce((s, c, j) => s + c[i]! * beta[j]!, 0);
  const n1 = r1.filter(target).length;
  const w = (i: number) => (target(i) ? 1 / n1 : 0);
  const tau = new Map(r1.map((i) => [i, p.y[i]! - fitted(i)]));
  const est = r1.reduce((s, i) => s + w(i) * tau.get(i)!, 0);
  const z1w = mat(
    k,
    1,
    Float64Array.from(Z, (c) => r1.reduce((s, i) => s + c[i]! * w(i), 0)),
  );
  const theta = solveGeneral(ZZ, z1w).data;
  const v = new Float64Array(p.n);
  for (const i of r0) v[i] = -Z.reduce((s, c, j) => s + c[i]! * theta[j]!, 0);
  for (const i of r1) v[i] = w(i);
  // τ̄ by cohort × event time
  const cells = new Map<string, { num: number; den: number }>();
  for (const i of r1) {
    const key = `${p.cohort[i]}:${p.time[i]! - p.cohort[i]!}`;
    const c = cells.get(key) ?? { num: 0, den: 0 };
    c.num += v[i]! ** 2 * tau.get(i)!;
    c.den += v[i]! ** 2;
    cells.set(key, c);
  }
  const S = new Float64Array(p.nUnits);
  for (const i of r0) S[cluster(p.unit[i]!)]! += v[i]! * (p.y[i]! - fitted(i));
  for (const i of r1) {
    const c = cells.get(`${p.cohort[i]}:${p.time[i]! - p.cohort[i]!}`)!;
    const tbar = c.den > 0 ? c.num / c.den : 0;
    S[cluster(p.unit[i]!)]! += v[i]! * (tau.get(i)! - tbar);
  }
  return { est, se: Math.sqrt(S.reduce((s, x) => s + x * x, 0)) };
}

const smallOpts = {
  nUnits: 14,
  periods: [1, 2, 3, 4, 5, 6, 7],
  cohorts: [0, 3, 4, 6],
  effect: (g: number, e: number) => 1 + 0.5 * e + 0.2 * g,
  noise: 1,
  missing: 0.15,
  beta: 0.7,
};

test("imputation: estimates and conservative SEs equal the dense-matrix formulas (random unbalanced panels)", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const p = simulate(seed, smallOpts);
    for (const withX of [false, true]) {
      const fit = imputationFit(toInput(p, withX));
      const xs = withX ? [p.x] : [];
      assert.equal(fit.notImputable, 0);
      for (const e of fit.estimates) {
        const target = e.e === null ? () => true : (i: number) => p.time[i]! - p.cohort[i]! === e.e;
        const bf = bruteForce(p, xs, target);
        assertClose(e.estimate, bf.est, 1e-9, `seed ${seed} x=${withX} ${e.term} estimate`);
        assertClose(e.std_error, bf.se, 1e-9, `seed ${seed} x=${withX} ${e.term} se`);
      }
    }
  }
});

test("imputation: SEs clustered by a coarser variable equal the dense formula", () => {
  const p = simulate(9, smallOpts);
  const cl = (u: number) => u % 4;
  const fit = imputationFit({ ...toInput(p, true), cluster: { name: "region", codes: Int32Array.from(p.unit, cl), nLevels: 4 } });
  assert.equal(fit.nClusters, 4);
  for (const e of fit.estimates) {
    const target = e.e === null ? () => true : (i: number) => p.time[i]! - p.cohort[i]! === e.e;
    assertClose(e.std_error, bruteForce(p, [p.x], target, cl).se, 1e-9, `${e.term} se`);
  }
});

test("imputation pre-trend test: joint Wald rejects at about the nominal rate under parallel trends, and detects a pre-trend", () => {
  const opts = { nUnits: 100, periods: [1, 2, 3, 4, 5, 6, 7, 8], cohorts: [0, 5, 7], effect: (_g: number, e: number) => 1 + e, noise: 1 };
  let reject = 0;
  const R = 200;
  for (let rep = 0; rep < R; rep++) {
    const p = simulate(5000 + rep, opts);
    const inp = { ...toInput(p, false), cluster: { name: "unit", codes: p.unit, nLevels: p.nUnits } };
    const pre = pretrendTest(inp, [1, 2, 3]) as { wald: { p_value: number } };
    if (pre.wald.p_value < 0.05) reject++;
  }
  // 200 draws: 5% ± 3 binomial sd (1.5%) → [0.5%, 9.5%]
  assert.ok(reject / R > 0.005 && reject / R < 0.095, `size ${reject / R}`);
  // anticipation: treated units move 0.8 one period early → the lead −1 is detected
  const q = simulate(77, { ...opts, nUnits: 300 });
  for (let i = 0; i < q.n; i++) if (q.cohort[i]! > 0 && q.time[i]! - q.cohort[i]! === -1) q.y[i]! += 0.8;
  const pre = pretrendTest({ ...toInput(q, false), cluster: { name: "unit", codes: q.unit, nLevels: q.nUnits } }, [1, 2, 3]) as {
    wald: { p_value: number };
    estimates: { term: string; estimate: number }[];
  };
  assert.ok(pre.wald.p_value < 1e-4, `p ${pre.wald.p_value}`);
  assert.deepEqual(
    pre.estimates.map((e) => e.term),
    ["pre::-3", "pre::-2", "pre::-1"],
  );
});

test("imputation: Σ v_it Y_it reproduces each estimate (implied weights) and first-stage residuals match feols", () => {
  const p = simulate(11, { ...smallOpts, nUnits: 40 });
  const fit = imputationFit(toInput(p, true), { keepWeights: true });
  fit.estimates.forEach((e, k) => {
    const v = fit.weights![k]!;
    let s = 0;
    fit.untreatedRows.forEach((i, a) => (s += v[a]! * p.y[i]!));
    fit.treatedRows.forEach((i, b) => (s += v[fit.nUntreated + b]! * p.y[i]!));
    assertClose(s, e.estimate, 1e-9, `${e.term} Σ v y`);
  });
  const r0 = [...fit.untreatedRows];
  const ff = feols({
    y: Float64Array.from(r0, (i) => p.y[i]!),
    yName: "y",
    x: [{ name: "x", values: Float64Array.from(r0, (i) => p.x[i]!) }],
    fixedEffects: [
      { name: "u", codes: Int32Array.from(r0, (i) => p.unit[i]!), nLevels: p.nUnits },
      { name: "t", codes: Int32Array.from(r0, (i) => p.time[i]! - 1), nLevels: 7 },
    ],
  });
  for (let a = 0; a < r0.length; a++) assert.ok(Math.abs(ff.residuals[a]! - fit.residuals[a]!) < 1e-9);
});

test("imputation: unbiased under heterogeneous dynamic effects where TWFE is not", () => {
  // no never-treated units and effects that grow with event time: TWFE's forbidden comparisons bite
  const effect = (g: number, e: number) => (g === 2003 ? 2 : 1) * (1 + e);
  const opts = { nUnits: 300, periods: [2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008], cohorts: [2003, 2005, 2007], effect, noise: 0 };
  // no noise: Y(0) is exactly two-way, so every τ̂_it is the true τ_it and the ATT is exact
  const p0 = simulate(7, opts);
  const f0 = imputationFit(toInput(p0, false));
  // the estimand: treated rows whose Y(0) is identified (periods where every unit is treated are not)
  assert.ok(f0.notImputable > 0);
  const truth = (e: number | null) => {
    let s = 0,
      c = 0;
    for (const i of f0.treatedRows)
      if (e === null || p0.time[i]! - p0.cohort[i]! === e) {
        s += p0.tau[i]!;
        c++;
      }
    return s / c;
  };
  for (const e of f0.estimates) assertClose(e.estimate, truth(e.e), 1e-9, e.term);
  f0.tau.forEach((t, b) => assert.ok(Math.abs(t - p0.tau[f0.treatedRows[b]!]!) < 1e-9));
  const twfe = (q: SimPanel) =>
    feols({
      y: q.y,
      yName: "y",
      x: [{ name: "treat_post", values: Float64Array.from(q.time, (t, i) => (q.cohort[i]! > 0 && t >= q.cohort[i]! ? 1 : 0)) }],
      fixedEffects: [
        { name: "u", codes: q.unit, nLevels: q.nUnits },
        { name: "t", codes: Int32Array.from(q.time, (t) => t - 2001), nLevels: 8 },
      ],
    });
  const tw0 = twfe(p0).coef[0]!;
  assert.ok(Math.abs(tw0 - truth(null)) > 0.3 * truth(null), `TWFE should be biased: ${tw0} vs ${truth(null)}`);
  // with noise: imputation within 4 SE of the truth, TWFE many SEs away
  const p = simulate(8, { ...opts, noise: 1 });
  const f = imputationFit(toInput(p, false));
  const att = f.estimates[0]!;
  let s = 0;
  for (const i of f.treatedRows) s += p.tau[i]!;
  const tr = s / f.treatedRows.length;
  assert.ok(Math.abs(att.estimate - tr) < 4 * att.std_error, `imputation ATT ${att.estimate} vs truth ${tr} (se ${att.std_error})`);
  const tf = twfe(p);
  const tse = coefTable(tf, computeVcov(tf, { type: "cluster", clusters: [{ name: "u", codes: p.unit, nLevels: p.nUnits }] }))[0]!;
  assert.ok(Math.abs(tse.estimate! - tr) > 8 * tse.std_error!, `TWFE ${tse.estimate} vs truth ${tr} (se ${tse.std_error})`);
});

test("imputation: conservative SE is not below the Monte-Carlo sd of the estimate", () => {
  const opts = { nUnits: 120, periods: [1, 2, 3, 4, 5, 6], cohorts: [0, 3, 5], effect: (g: number, e: number) => g * 0.5 + e, noise: 1 };
  const ests: number[] = [],
    ses: number[] = [];
  for (let rep = 0; rep < 60; rep++) {
    const p = simulate(1000 + rep, opts);
    // compare against the estimand on the same draw (the treated set varies across draws)
    let s = 0,
      c = 0;
    for (let i = 0; i < p.n; i++)
      if (p.cohort[i]! > 0 && p.time[i]! >= p.cohort[i]!) {
        s += p.tau[i]!;
        c++;
      }
    const f = imputationFit(toInput(p, false));
    ests.push(f.estimates[0]!.estimate - s / c);
    ses.push(f.estimates[0]!.std_error);
  }
  const m = ests.reduce((a, b) => a + b, 0) / ests.length;
  const sd = Math.sqrt(ests.reduce((a, b) => a + (b - m) ** 2, 0) / (ests.length - 1));
  const meanSe = ses.reduce((a, b) => a + b, 0) / ses.length;
  assert.ok(Math.abs(m) < (3 * sd) / Math.sqrt(ests.length), `mean error ${m}, sd ${sd}`);
  assert.ok(meanSe > 0.8 * sd && meanSe < 2 * sd, `mean SE ${meanSe} vs MC sd ${sd}`);
});

test("imputation: treated rows of units without untreated rows are counted, not imputed", () => {
  const p = simulate(3, { nUnits: 30, periods: [1, 2, 3, 4, 5], cohorts: [0, 1, 3], effect: () => 2, noise: 0.5 });
  const fit = imputationFit(toInput(p, false));
  let always = 0;
  for (let i = 0; i < p.n; i++) if (p.cohort[i] === 1) always++;
  assert.ok(always > 0);
  assert.equal(fit.notImputable, always);
  assert.equal(fit.nTreated + fit.notImputable + fit.nUntreated, p.n);
});
