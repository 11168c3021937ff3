import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/rng.js";
import { feols, singletonKeep, type FeolsInput, type FixedEffectInput } from "../../src/estimators/feols.js";
import { demean } from "../../src/estimators/demean.js";
import { computeVcov, coefTable } from "../../src/inference/vcov.js";
import { assertClose } from "../helpers.js";
import { codesOf, mpdta } from "./mpdta.js";

interface Panel {
  y: Float64Array;
  x: { name: string; values: Float64Array }[];
  fes: FixedEffectInput[];
  w: Float64Array;
  t: Float64Array;
}

/** Random unbalanced data with `q` crossed FEs (first = unit, second = period), 2 regressors, weights. */
function randomPanel(seed: number, q: number, nUnits = 60, nT = 12): Panel {
  const r = new Rng(seed);
  const rows: number[][] = [];
  for (let u = 0; u < nUnits; u++) for (let t = 0; t < nT; t++) if (r.uniform() < 0.75) rows.push([u, t, r.int(5)]);
  const n = rows.length;
  const ua = Float64Array.from(rows, (row) => row[0]!);
  const ta = Float64Array.from(rows, (row) => row[1]!);
  const ga = Float64Array.from(rows, (row) => row[2]!);
  const x1 = Float64Array.from({ length: n }, (_, i) => r.normal() + 0.1 * ua[i]!);
  const x2 = Float64Array.from({ length: n }, (_, i) => r.normal() + 0.2 * ta[i]!);
  const y = Float64Array.from({ length: n }, (_, i) => 0.5 * x1[i]! - 0.3 * x2[i]! + Math.sin(ua[i]!) + 0.2 * ta[i]! + ga[i]! + r.normal());
  const w = Float64Array.from({ length: n }, () => 0.5 + r.uniform());
  const fes = [codesOf("unit", ua), codesOf("period", ta), codesOf("group", ga)].slice(0, q);
  return {
    y,
    x: [
      { name: "x1", values: x1 },
      { name: "x2", values: x2 },
    ],
    fes,
    w,
    t: ta,
  };
}

/** Explicit dummy columns for every level but the first of an FE. */
function dummies(fe: FixedEffectInput): { name: string; values: Float64Array }[] {
  const out = [];
  for (let g = 1; g < fe.nLevels; g++) out.push({ name: `${fe.name}${g}`, values: Float64Array.from(fe.codes, (c) => (c === g ? 1 : 0)) });
  return out;
}

function compareWithDummies(p: Panel, weighted: boolean): void {
  const w = weighted ? p.w : undefined;
  const h = feols({ y: p.y, yName: "y", x: p.x, fixedEffects: p.fes, weights: w });
  assert.ok(h.converged);
  const dv = feols({ y: p.y, yName: "y", x: [...p.x, ...p.fes.flatMap(dummies)], fixedEffects: [], weights: w });
  assert.equal(dv.coefNames[0], "(Intercept)");
  assert.equal(dv.droppedCollinear.length, 0);
  assert.equal(h.nparams, dv.coef.length);
  for (let j = 0; j < 2; j++) assertClose(h.coef[j]!, dv.coef[j + 1]!, 1e-9, `coef ${j}`);
  assertClose(h.ssr, dv.ssr, 1e-9, "ssr");
  assertClose(h.r2, dv.r2, 1e-9, "r2");
  assertClose(h.adjR2, dv.adjR2, 1e-9, "adj r2");
  // residuals agree observation by observation
  for (let i = 0; i < h.nobs; i += 17) assert.ok(Math.abs(h.residuals[i]! - dv.residuals[i]!) < 1e-9);
  // with K = all parameters the SEs are those of the dummy regression
  for (const spec of [{ type: "iid" as const }, { type: "hc1" as const }, { type: "cluster" as const, clusters: [p.fes[0]!] }]) {
    const a = coefTable(h, computeVcov(h, spec, { kFixef: "full" }));
    const b = coefTable(dv, computeVcov(dv, spec));
    for (let j = 0; j < 2; j++) assertClose(a[j]!.std_error!, b[j + 1]!.std_error!, 1e-8, `${spec.type} se ${j}`);
  }
}

test("HDFE with 2 FEs (exact two-FE path) = OLS with explicit dummies, unweighted and weighted", () => {
  for (const seed of [1, 2, 3]) {
    const p = randomPanel(seed, 2);
    compareWithDummies(p, false);
    compareWithDummies(p, true);
  }
});

test("HDFE with 3 FEs (Irons–Tuck MAP) = OLS with explicit dummies, weighted", () => {
  for (const seed of [4, 5]) {
    compareWithDummies(randomPanel(seed, 3), true);
    compareWithDummies(randomPanel(seed, 3), false);
  }
});

test("demeaning algorithms agree: balanced closed form, exact two-FE, MAP", () => {
  const d = mpdta();
  const fes = [codesOf("county", d.county), codesOf("year", d.year)];
  const a = demean(fes, [d.lemp, d.lpop]);
  assert.equal(a.method, "balanced");
  const b = demean(fes, [d.lemp, d.lpop], { weights: new Float64Array(d.n).fill(1) });
  assert.equal(b.method, "two-fe-exact");
  const c = demean(fes, [d.lemp, d.lpop], { algorithm: "map" });
  assert.equal(c.method, "map-irons-tuck");
  for (let j = 0; j < 2; j++)
    for (let i = 0; i < d.n; i++) {
      assert.ok(Math.abs(a.columns[j]![i]! - b.columns[j]![i]!) < 1e-10);
      assert.ok(Math.abs(a.columns[j]![i]! - c.columns[j]![i]!) < 1e-9);
    }
  const p = randomPanel(9, 2);
  const e = demean(p.fes, [p.y], { weights: p.w });
  const f = demean(p.fes, [p.y], { weights: p.w, algorithm: "map" });
  assert.equal(e.method, "two-fe-exact");
  for (let i = 0; i < p.y.length; i++) assert.ok(Math.abs(e.columns[0]![i]! - f.columns[0]![i]!) < 1e-9);
  // rows in random order (not grouped by unit): the unsorted branch of the exact solve
  const perm = Int32Array.from({ length: p.y.length }, (_, i) => i);
  new Rng(3).shuffle(perm);
  const shuffledFes = p.fes.map((fe) => ({ ...fe, codes: Int32Array.from(perm, (r) => fe.codes[r]!) }));
  const g = demean(shuffledFes, [Float64Array.from(perm, (r) => p.y[r]!)], { weights: Float64Array.from(perm, (r) => p.w[r]!) });
  assert.equal(g.method, "two-fe-exact");
  perm.forEach((r, i) => assert.ok(Math.abs(g.columns[0]![i]! - e.columns[0]![r]!) < 1e-10));
});

test("non-convergence is reported", () => {
  const p = randomPanel(11, 3);
  const r = demean(p.fes, [p.y], { maxIter: 2, tol: 1e-14 });
  assert.equal(r.converged, false);
  assert.equal(r.iterations, 2);
  const fit = feols({ y: p.y, yName: "y", x: p.x, fixedEffects: p.fes, maxIter: 2, tol: 1e-14 });
  assert.equal(fit.converged, false);
});

test("two-way clustering = V(unit) + V(period) − V(unit∩period) from one-way computations", () => {
  const p = randomPanel(21, 2, 40, 9);
  const fit = feols({ y: p.y, yName: "y", x: p.x, fixedEffects: p.fes, weights: p.w });
  const [u, t] = p.fes as [FixedEffectInput, FixedEffectInput];
  const inter = codesOf(
    "ut",
    Float64Array.from(u.codes, (c, i) => c * 100 + (t.codes[i]! % 3)),
  );
  const t3 = codesOf(
    "t3",
    Float64Array.from(t.codes, (c) => c % 3),
  );
  const raw = { kAdj: false, gAdj: false } as const;
  const v1 = computeVcov(fit, { type: "cluster", clusters: [u] }, raw).V.data;
  const v2 = computeVcov(fit, { type: "cluster", clusters: [t3] }, raw).V.data;
  const v12 = computeVcov(fit, { type: "cluster", clusters: [inter] }, raw).V.data;
  const two = computeVcov(fit, { type: "cluster", clusters: [u, t3] }, raw);
  for (let i = 0; i < 4; i++) assertClose(two.V.data[i]!, v1[i]! + v2[i]! - v12[i]!, 1e-10);
  // default ssc: G_min/(G_min − 1)·(n−1)/(n−K); unit FE is nested in u and period FE in t3 ⇒ K = k + 1
  const def = computeVcov(fit, { type: "cluster", clusters: [u, t3] });
  const n = fit.nobs,
    K = 2 + 1;
  const c = (3 / 2) * ((n - 1) / (n - K));
  for (let i = 0; i < 4; i++) assertClose(def.V.data[i]!, c * two.V.data[i]!, 1e-10);
  assert.equal(def.df, 2);
  // conventional: each term with its own G/(G−1)
  const conv = computeVcov(fit, { type: "cluster", clusters: [u, t3] }, { gDf: "conventional", kAdj: false });
  const G = [40, 3, inter.nLevels];
  for (let i = 0; i < 4; i++)
    assertClose(conv.V.data[i]!, (G[0]! / (G[0]! - 1)) * v1[i]! + (G[1]! / (G[1]! - 1)) * v2[i]! - (G[2]! / (G[2]! - 1)) * v12[i]!, 1e-10);
  // only unit nested (clusters u and x-based groups) ⇒ K = nparams − (L_unit − 1) = k + L_period
  const g5 = codesOf(
    "g5",
    Float64Array.from({ length: n }, (_, i) => i % 5),
  );
  const one = computeVcov(fit, { type: "cluster", clusters: [u, g5] }, { gAdj: false });
  const rawOne = computeVcov(fit, { type: "cluster", clusters: [u, g5] }, raw);
  for (let i = 0; i < 4; i++) assertClose(one.V.data[i]!, ((n - 1) / (n - (2 + 9))) * rawOne.V.data[i]!, 1e-10);
  // three-way runs and is symmetric
  const three = computeVcov(fit, { type: "cluster", clusters: [u, t, t3] });
  assertClose(three.V.data[1]!, three.V.data[2]!, 1e-12);
});

test("varying slopes unit[t] + period = explicit unit dummies, unit×t columns and period dummies", () => {
  const p = randomPanel(31, 2, 30, 10);
  const [u, per] = p.fes as [FixedEffectInput, FixedEffectInput];
  const tt = Float64Array.from(p.t, (v) => v / 3 + 1);
  const trends = Array.from({ length: u.nLevels }, (_, g) => ({ name: `tr${g}`, values: Float64Array.from(u.codes, (c, i) => (c === g ? tt[i]! : 0)) }));
  const check = (input: FeolsInput, x: FeolsInput["x"]) => {
    const h = feols(input);
    const dv = feols({ y: p.y, yName: "y", x: [...p.x, ...x], fixedEffects: [], weights: p.w });
    for (let j = 0; j < 2; j++) assertClose(h.coef[j]!, dv.coef[j + 1]!, 1e-8, `coef ${j}`);
    assertClose(h.ssr, dv.ssr, 1e-9, "ssr");
    return h;
  };
  const h = check({ y: p.y, yName: "y", x: p.x, weights: p.w, fixedEffects: [{ ...u, slopes: [{ name: "t", values: tt }] }, per] }, [
    ...dummies(u),
    ...trends,
    ...dummies(per),
  ]);
  assert.equal(h.nparams, 2 + (u.nLevels - 1) + (per.nLevels - 1) + 1 + u.nLevels);
  // slopes only: unit[[t]] + period
  check({ y: p.y, yName: "y", x: p.x, weights: p.w, fixedEffects: [{ ...u, slopes: [{ name: "t", values: tt }], slopesOnly: true }, per] }, [
    ...trends,
    ...dummies(per),
  ]);
  // one FE with slopes (exact single projection)
  check({ y: p.y, yName: "y", x: p.x, weights: p.w, fixedEffects: [{ ...u, slopes: [{ name: "t", values: tt }] }] }, [...dummies(u), ...trends]);
});

test("singleton removal: iterative, counted, on a hand-made example", () => {
  const fe1: FixedEffectInput = { name: "a", codes: Int32Array.from([0, 0, 0, 1, 1, 2, 2]), nLevels: 3 };
  const fe2: FixedEffectInput = { name: "b", codes: Int32Array.from([0, 1, 2, 0, 1, 1, 3]), nLevels: 4 };
  // round 1: b-levels 2 (row 2) and 3 (row 6) are singletons; then a-level 2 keeps only row 5 → dropped
  assert.deepEqual([...singletonKeep([fe1, fe2], 7)!], [0, 1, 3, 4]);
  // not additive in a and b on the kept rows (an outcome the FEs explain exactly is refused, issue #14)
  const y = Float64Array.from([1, 2, 3, 4, 5.5, 7, 6]);
  const x = Float64Array.from([0.5, 1, 0, 2, 1, 3, 1]);
  const fit = feols({ y, yName: "y", x: [{ name: "x", values: x }], fixedEffects: [fe1, fe2], removeSingletons: true });
  assert.equal(fit.singletonsRemoved, 3);
  assert.equal(fit.nobs, 4);
  assert.deepEqual([...fit.keep!], [0, 1, 3, 4]);
  assert.deepEqual(
    fit.fixedEffects.map((f) => f.nLevels),
    [2, 2],
  );
  const none = feols({ y, yName: "y", x: [{ name: "x", values: x }], fixedEffects: [fe1, fe2] });
  assert.equal(none.singletonsRemoved, 0);
  assert.equal(none.keep, null);
});

test("bad input: non-finite values are reported with row and column", () => {
  const y = Float64Array.from([1, 2, Number.NaN, 4]);
  assert.throws(() => feols({ y, yName: "lemp", x: [], fixedEffects: [] }), /lemp.*row 3/);
});

test("exact two-FE solve on a disconnected design (two separate unit × period blocks) = MAP = dummies", () => {
  const r = new Rng(77);
  const u: number[] = [],
    t: number[] = [];
  for (let a = 0; a < 20; a++)
    for (let p = 0; p < 5; p++)
      if (r.uniform() < 0.8) {
        u.push(a);
        t.push(a < 10 ? p : p + 5);
      }
  const n = u.length;
  const fes = [codesOf("u", Float64Array.from(u)), codesOf("t", Float64Array.from(t))];
  const x = Float64Array.from({ length: n }, () => r.normal());
  const y = Float64Array.from({ length: n }, (_, i) => x[i]! + u[i]! * 0.1 + r.normal());
  const w = Float64Array.from({ length: n }, () => 0.5 + r.uniform());
  const e = demean(fes, [y, x], { weights: w });
  const m = demean(fes, [y, x], { weights: w, algorithm: "map" });
  assert.equal(e.method, "two-fe-exact");
  for (let j = 0; j < 2; j++) for (let i = 0; i < n; i++) assert.ok(Math.abs(e.columns[j]![i]! - m.columns[j]![i]!) < 1e-9);
  const h = feols({ y, yName: "y", x: [{ name: "x", values: x }], fixedEffects: fes, weights: w });
  const dv = feols({ y, yName: "y", x: [{ name: "x", values: x }, ...fes.flatMap(dummies)], fixedEffects: [], weights: w });
  assertClose(h.coef[0]!, dv.coef[1]!, 1e-9);
  assertClose(h.ssr, dv.ssr, 1e-9);
  assert.equal(dv.droppedCollinear.length, 1); // one period dummy is redundant across the two blocks
});

test("owned regressors are demeaned in place and give the same fit; sparse dummies path = dense path", () => {
  const p = randomPanel(41, 2);
  const d = Float64Array.from(p.y, (_, i) => (i % 7 === 0 ? 1 : 0));
  const a = feols({ y: p.y, yName: "y", x: [...p.x, { name: "d", values: d.slice() }], fixedEffects: p.fes, weights: p.w });
  const owned = d.slice();
  const b = feols({ y: p.y, yName: "y", x: [...p.x, { name: "d", values: owned, owned: true }], fixedEffects: p.fes, weights: p.w });
  // a dense 0/1 column that is not sparse-eligible: scale by 2 then back through the coefficient
  const c = feols({ y: p.y, yName: "y", x: [...p.x, { name: "d", values: Float64Array.from(d, (v) => 2 * v) }], fixedEffects: p.fes, weights: p.w });
  for (let j = 0; j < 3; j++) assertClose(a.coef[j]!, b.coef[j]!, 1e-12);
  assertClose(a.coef[2]!, 2 * c.coef[2]!, 1e-9);
  assert.notEqual(owned[0], 1); // overwritten by its demeaned version
});

test("balanced closed form: four columns per pass and dummies given by their rows of ones = one column at a time, bit for bit", () => {
  const r = new Rng(77);
  const U = 40,
    T = 7,
    n = U * T;
  const unit = new Int32Array(n),
    year = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    unit[i] = Math.floor(i / T);
    year[i] = i % T;
  }
  const fes: FixedEffectInput[] = [
    { name: "unit", codes: unit, nLevels: U },
    { name: "year", codes: year, nLevels: T },
  ];
  const dense = Array.from({ length: 6 }, () => Float64Array.from({ length: n }, () => r.normal() * 10 ** r.int(4)));
  const dum = Float64Array.from({ length: n }, () => (r.uniform() < 0.15 ? 1 : 0));
  const ones = Int32Array.from([...dum.keys()].filter((i) => dum[i] === 1));
  const together = demean(fes, [...dense, dum], { ones: [null, null, null, null, null, null, ones] });
  assert.equal(together.method, "balanced");
  const single = [...dense, dum].map((c) => demean(fes, [c]).columns[0]!);
  for (let j = 0; j < 7; j++) for (let i = 0; i < n; i++) assert.ok(Object.is(together.columns[j]![i], single[j]![i]), `column ${j} row ${i}`);
  const map = demean(fes, [dense[0]!, dum], { algorithm: "map" });
  for (let i = 0; i < n; i++) assert.ok(Math.abs(map.columns[1]![i]! - together.columns[6]![i]!) < 1e-9);
  // rows not sorted by unit: still recognised as balanced (every cell once)
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  r.shuffle(perm);
  const shuffled = fes.map((fe) => ({ ...fe, codes: Int32Array.from(perm, (p) => fe.codes[p]!) }));
  const s = demean(shuffled, [Float64Array.from(perm, (p) => dense[0]![p]!)]);
  assert.equal(s.method, "balanced");
  perm.forEach((p, i) => assert.ok(Math.abs(s.columns[0]![i]! - single[0]![p]!) < 1e-12));
  // one duplicated cell: not balanced
  const dup = fes.map((fe) => ({ ...fe, codes: fe.codes.slice() }));
  dup[1]!.codes[1] = dup[1]!.codes[0]!;
  assert.notEqual(demean(dup, [dense[0]!]).method, "balanced");
});
