/**
 * Fisher permutation test of a split-sample coefficient difference, with Stata `bdiff` (v1.04, Lian
 * Yujun) semantics (METHODS.md §10):
 *
 *   d₀ = b(group 0) − b(group 1), each from the same model fitted on one subsample.
 *
 * Each replication shuffles the pooled permutation units with the seeded RNG, calls the first n₀ of
 * them "group 0" (n₀ = size of the real group 0) and the rest "group 1", refits both and stores
 * d_k = b₀* − b₁*. Freq = #{d_k ≥ d₀}, q = Freq/reps; bdiff's reported p is q if q ≤ 0.5 else 1 − q
 * (one-sided in the direction of d₀); the two-sided p is 2·min(q, 1 − q).
 *
 * Permutation units are observations (`obs`, what bdiff does for every non-xt command, reghdfe
 * included) or clusters/panel units (`unit`, what bdiff does for xt commands; recommended for panels,
 * where observations of a unit are not exchangeable). The model is a callback, so any estimator
 * (TWFE here, heterogeneity tables elsewhere) can be tested.
 */
import { estimationError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import { quantile7 } from "../core/stats.js";

export interface PermutationInput {
  /** rows (observation indices) of each permutation unit; for `obs` level, one row per unit */
  units: Int32Array[];
  /** group (0 or 1) of each permutation unit */
  group: Uint8Array;
  /** the coefficient estimated on a subsample (rows ascending); NaN when it cannot be estimated */
  estimate: (rows: Int32Array) => number;
  replications: number;
  onProgress?: (done: number) => void;
}

export interface PermutationResult {
  d0: number;
  b0: number;
  b1: number;
  /** d_k per replication (NaN where a refit failed) */
  draws: Float64Array;
  /** replications with a finite d_k */
  valid: number;
  freq: number;
  q: number;
  /** bdiff's p: q if q ≤ 0.5 else 1 − q */
  pBdiff: number;
  /** 2·min(q, 1 − q) */
  pTwoSided: number;
  n0Units: number;
  n1Units: number;
}

/** Rows of the listed permutation units, ascending. */
function rowsOf(units: Int32Array[], pick: Int32Array, from: number, to: number): Int32Array {
  let n = 0;
  for (let k = from; k < to; k++) n += units[pick[k]!]!.length;
  const out = new Int32Array(n);
  let j = 0;
  for (let k = from; k < to; k++) {
    const u = units[pick[k]!]!;
    out.set(u, j);
    j += u.length;
  }
  return out.sort();
}

/** Run the test (see the file comment). */
export function permutationTest(inp: PermutationInput, rng: Rng): PermutationResult {
  const G = inp.units.length;
  if (inp.group.length !== G) throw new Error("permutationTest: group and units differ in length");
  const idx0: number[] = [];
  const idx1: number[] = [];
  for (let g = 0; g < G; g++) {
    const v = inp.group[g]!;
    if (v === 0) idx0.push(g);
    else if (v === 1) idx1.push(g);
    else throw new Error("permutationTest: group must be 0 or 1");
  }
  if (idx0.length === 0 || idx1.length === 0) throw estimationError("both groups need at least one unit (the group column has a single value)");
  const order = Int32Array.from([...idx0, ...idx1]);
  const n0 = idx0.length;
  const b0 = inp.estimate(rowsOf(inp.units, order, 0, n0));
  const b1 = inp.estimate(rowsOf(inp.units, order, n0, G));
  const d0 = b0 - b1;
  if (!Number.isFinite(d0)) throw estimationError(`the coefficient cannot be estimated in ${Number.isFinite(b0) ? "group 1" : "group 0"}`);
  const R = inp.replications;
  const draws = new Float64Array(R);
  const perm = Int32Array.from({ length: G }, (_, g) => g);
  let freq = 0;
  let valid = 0;
  for (let r = 0; r < R; r++) {
    for (let g = 0; g < G; g++) perm[g] = g;
    rng.shuffle(perm);
    const d = inp.estimate(rowsOf(inp.units, perm, 0, n0)) - inp.estimate(rowsOf(inp.units, perm, n0, G));
    draws[r] = d;
    if (Number.isFinite(d)) {
      valid++;
      if (d >= d0) freq++;
    }
    if (inp.onProgress && ((r + 1) % 10 === 0 || r + 1 === R)) inp.onProgress(r + 1);
  }
  const q = valid > 0 ? freq / valid : Number.NaN;
  return {
    d0,
    b0,
    b1,
    draws,
    valid,
    freq,
    q,
    pBdiff: q <= 0.5 ? q : 1 - q,
    pTwoSided: Math.min(1, 2 * Math.min(q, 1 - q)),
    n0Units: n0,
    n1Units: G - n0,
  };
}

/** Mean, sd and quantiles of the finite draws. */
export function summarizeDraws(draws: Float64Array): { mean: number; sd: number; quantiles: { p: number; value: number }[] } {
  const v = draws.filter((x) => Number.isFinite(x));
  const n = v.length;
  let m = 0;
  for (const x of v) m += x;
  m /= n;
  let ss = 0;
  for (const x of v) ss += (x - m) ** 2;
  return { mean: m, sd: Math.sqrt(ss / (n - 1)), quantiles: [0.025, 0.05, 0.5, 0.95, 0.975].map((p) => ({ p, value: quantile7(v, p) })) };
}
