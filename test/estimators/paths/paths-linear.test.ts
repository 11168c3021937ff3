import { test } from "node:test";
import assert from "node:assert/strict";
import { choleskyPivotless, crossVec, gram } from "../../../src/core/linalg.js";
import { Rng } from "../../../src/core/rng.js";
import { logitFit, olsCoef } from "../../../src/estimators/paths-linear.js";

/** The plain normal-equations solve (core/linalg gram + crossVec over every row), as paths-linear did before. */
function plainSolve(X: Float64Array[], r: Float64Array, w?: Float64Array): Float64Array {
  const g = gram(X, w);
  const rhs = crossVec(X, r, w);
  const k = g.rows;
  const { L, kept } = choleskyPivotless(g, 1e-10);
  const z = new Float64Array(k),
    b = new Float64Array(k);
  for (const j of kept) {
    let s = rhs[j]!;
    for (const p of kept) if (p < j) s -= L.data[j * k + p]! * z[p]!;
    z[j] = s / L.data[j * k + j]!;
  }
  for (let a = kept.length - 1; a >= 0; a--) {
    const j = kept[a]!;
    let s = z[j]!;
    for (let c = a + 1; c < kept.length; c++) s -= L.data[kept[c]! * k + j]! * b[kept[c]!]!;
    b[j] = s / L.data[j * k + j]!;
  }
  return b;
}

/** A design like the paths panel: two continuous covariates and a block of mutually exclusive year dummies. */
function design(n: number, years: number, seed: number) {
  const rng = new Rng(seed);
  const x1 = new Float64Array(n),
    x2 = new Float64Array(n);
  const dummies = Array.from({ length: years - 1 }, () => new Float64Array(n));
  const a = new Float64Array(n),
    y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x1[i] = rng.normal();
    x2[i] = rng.uniform() * 3;
    const t = i % years;
    if (t > 0) dummies[t - 1]![i] = 1;
    a[i] = rng.uniform() < 1 / (1 + Math.exp(-(0.4 * x1[i]! - 0.2 * x2[i]! + 0.1 * t))) ? 1 : 0;
    y[i] = 1 + 0.5 * x1[i]! - x2[i]! + 0.3 * a[i]! + 0.05 * t + rng.normal();
  }
  return { cols: [x1, ...dummies, x2, a], x: [x1, ...dummies, x2], a, y, n };
}

test("olsCoef skipping indicator zeros gives the plain normal equations' doubles (weighted and not)", () => {
  const d = design(3000, 12, 5);
  const X = [new Float64Array(d.n).fill(1), ...d.cols];
  assert.deepEqual(Array.from(olsCoef(d.cols, d.y)), Array.from(plainSolve(X, d.y)));
  const w = Float64Array.from({ length: d.n }, (_, i) => 1 + (i % 3));
  assert.deepEqual(Array.from(olsCoef(d.cols, d.y, w)), Array.from(plainSolve(X, d.y, w)));
});

test("logitFit: same doubles as IRLS on the plain normal equations, and the true logit recovered", () => {
  const d = design(4000, 10, 9);
  const fit = logitFit(d.x, d.a);
  // IRLS as paths-linear documents it, with the plain Gram
  const X = [new Float64Array(d.n).fill(1), ...d.x];
  let b: Float64Array = new Float64Array(X.length);
  for (let it = 0; it < 50; it++) {
    const w = new Float64Array(d.n),
      z = new Float64Array(d.n);
    for (let i = 0; i < d.n; i++) {
      let eta = b[0]!;
      for (let j = 0; j < d.x.length; j++) if (b[j + 1] !== 0) eta += b[j + 1]! * d.x[j]![i]!;
      const p = 1 / (1 + Math.exp(-eta));
      w[i] = Math.max(p * (1 - p), 1e-10);
      z[i] = eta + (d.a[i]! - p) / w[i]!;
    }
    const nb = plainSolve(X, z, w);
    let dmax = 0;
    for (let j = 0; j < nb.length; j++) dmax = Math.max(dmax, Math.abs(nb[j]! - b[j]!));
    b = nb;
    if (dmax < 1e-10) break;
  }
  assert.deepEqual(Array.from(fit.coef), Array.from(b));
  // the x1 slope of the generating model (0.4), within sampling error
  assert.ok(Math.abs(fit.coef[1]! - 0.4) < 0.15, `x1 slope ${fit.coef[1]}`);
});
