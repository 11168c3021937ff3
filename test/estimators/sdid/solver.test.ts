/** Frank–Wolfe solver: same iterates as a literal transcription of synthdid's fw.step/sc.weight.fw; optimality. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { mat, solveGeneral } from "../../../src/core/linalg.js";
import { Rng } from "../../../src/core/rng.js";
import { type ColMajor, frankWolfe, sparsify, sumNormalize } from "../../../src/estimators/sdid/frank-wolfe.js";

/** Literal synthdid 0.0.9 algorithm: Ax and the gradient recomputed from scratch every iteration. */
function naiveFw(A: ColMajor, b: Float64Array, x0: Float64Array, zeta: number, minDecrease: number, maxIter: number): { x: Float64Array; t: number } {
  const { rows: R, cols: C, data: a } = A;
  const eta = R * zeta * zeta;
  let x = Float64Array.from(x0);
  const vals: number[] = [];
  let t = 0;
  while (t < maxIter && (t < 2 || vals[t - 2]! - vals[t - 1]! > minDecrease * minDecrease)) {
    t++;
    const ax = new Float64Array(R);
    for (let j = 0; j < C; j++) for (let r = 0; r < R; r++) ax[r] += a[j * R + r]! * x[j]!;
    const g = new Float64Array(C);
    for (let j = 0; j < C; j++) {
      let s = 0;
      for (let r = 0; r < R; r++) s += (ax[r]! - b[r]!) * a[j * R + r]!;
      g[j] = s + eta * x[j]!;
    }
    let i = 0;
    for (let j = 1; j < C; j++) if (g[j]! < g[i]!) i = j;
    const d = Float64Array.from(x, (v) => -v);
    d[i] = 1 - x[i]!;
    if (d.some((v) => v !== 0)) {
      let num = 0;
      let den = 0;
      for (let j = 0; j < C; j++) {
        num += g[j]! * d[j]!;
        den += eta * d[j]! * d[j]!;
      }
      for (let r = 0; r < R; r++) den += (a[i * R + r]! - ax[r]!) ** 2;
      const step = Math.min(1, Math.max(0, -num / den));
      x = Float64Array.from(x, (v, j) => v + step * d[j]!);
    }
    let f = 0;
    for (let j = 0; j < C; j++) f += zeta * zeta * x[j]! * x[j]!;
    for (let r = 0; r < R; r++) {
      let e = -b[r]!;
      for (let j = 0; j < C; j++) e += a[j * R + r]! * x[j]!;
      f += (e * e) / R;
    }
    vals.push(f);
  }
  return { x, t };
}

function problem(R: number, C: number, seed: number): { A: ColMajor; b: Float64Array } {
  const rng = new Rng(seed);
  const A: ColMajor = { rows: R, cols: C, data: Float64Array.from({ length: R * C }, () => rng.normal()) };
  const b = Float64Array.from({ length: R }, () => 0.5 * rng.normal());
  return { A, b };
}

for (const [R, C] of [
  [12, 30],
  [40, 8],
  [20, 20],
  [10, 150],
] as const) {
  // (10, 150) exercises the lazily scaled path used for wide problems (C > 64), like the ω problem
  test(`fast solver follows the literal algorithm (R=${R}, C=${C}): same iterations, weights to 1e-10`, () => {
    for (const seed of [1, 2, 3]) {
      const { A, b } = problem(R, C, seed);
      const x0 = new Float64Array(C).fill(1 / C);
      for (const zeta of [0.3, 1e-6]) {
        const fast = frankWolfe(A, b, x0, { zeta, minDecrease: 1e-4, maxIter: 400 });
        const slow = naiveFw(A, b, x0, zeta, 1e-4, 400);
        assert.equal(fast.iterations, slow.t, `iterations (seed ${seed}, zeta ${zeta})`);
        for (let j = 0; j < C; j++) assert.ok(Math.abs(fast.x[j]! - slow.x[j]!) <= 1e-10, `x[${j}] ${fast.x[j]} vs ${slow.x[j]}`);
      }
    }
  });
}

test("Frank–Wolfe reaches the exact simplex-QP optimum (brute force over all supports)", () => {
  const R = 9,
    C = 6,
    zeta = 0.4;
  const { A, b } = problem(R, C, 9);
  const eta = R * zeta * zeta;
  const f = (x: Float64Array) => {
    let v = zeta * zeta * x.reduce((s, u) => s + u * u, 0);
    for (let r = 0; r < R; r++) {
      let e = -b[r]!;
      for (let j = 0; j < C; j++) e += A.data[j * R + r]! * x[j]!;
      v += (e * e) / R;
    }
    return v;
  };
  // On support S, minimise ‖A_S x − b‖² + η‖x‖² s.t. Σx = 1: KKT system [2(A'A+ηI) 1; 1' 0].
  let best = Infinity;
  for (let mask = 1; mask < 1 << C; mask++) {
    const S = [...Array(C).keys()].filter((j) => mask & (1 << j));
    const k = S.length;
    const M = mat(k + 1, k + 1);
    const rhs = mat(k + 1, 1);
    S.forEach((j, p) => {
      S.forEach((l, q) => {
        let s = 0;
        for (let r = 0; r < R; r++) s += A.data[j * R + r]! * A.data[l * R + r]!;
        M.data[p * (k + 1) + q] = 2 * (s + (p === q ? eta : 0));
      });
      let s = 0;
      for (let r = 0; r < R; r++) s += A.data[j * R + r]! * b[r]!;
      rhs.data[p] = 2 * s;
      M.data[p * (k + 1) + k] = 1;
      M.data[k * (k + 1) + p] = 1;
    });
    rhs.data[k] = 1;
    const sol = solveGeneral(M, rhs).data;
    if (S.some((_, p) => sol[p]! < -1e-12)) continue;
    const x = new Float64Array(C);
    S.forEach((j, p) => (x[j] = Math.max(0, sol[p]!)));
    best = Math.min(best, f(x));
  }
  const r = frankWolfe(A, b, new Float64Array(C).fill(1 / C), { zeta, minDecrease: 1e-9, maxIter: 100000 });
  assertSimplex(r.x);
  assert.ok(f(r.x) >= best - 1e-12, "not below the optimum");
  // Frank–Wolfe converges sublinearly; the min.decrease rule stops it within ~1e-5 of the optimum here.
  assert.ok(f(r.x) - best <= 1e-4 * best, `objective ${f(r.x)} vs optimum ${best}`);
  assert.ok(Math.abs(r.value - f(r.x)) <= 1e-12 * best, "reported objective");
});

function assertSimplex(x: Float64Array): void {
  assert.ok(Math.abs(x.reduce((a, v) => a + v, 0) - 1) < 1e-12);
  assert.ok(x.every((v) => v >= 0));
}

test("sparsify zeroes weights ≤ max/4 and renormalises; sumNormalize falls back to uniform", () => {
  assert.deepEqual(Array.from(sparsify(Float64Array.from([0.1, 0.5, 0.125, 0.275]))), [0, 0.5 / 0.775, 0, 0.275 / 0.775]);
  assert.deepEqual(Array.from(sumNormalize(new Float64Array(4))), [0.25, 0.25, 0.25, 0.25]);
});
