/**
 * Shared pieces of the HonestDiD sensitivity analysis (Rambachan & Roth 2023, "A More Credible
 * Approach to Parallel Trends"): the event-study input (β̂ = (β̂_pre, β̂_post), Σ), the target
 * θ = l'β_post, the original confidence interval, small dense matrix helpers (row-major Float64Array)
 * and the folded-normal quantile that HonestDiD simulates.
 */
import { usageError } from "../../core/errors.js";
import { qnormAS241, RRng } from "../../core/r-rng.js";

/** An event study: pre-period coefficients first (the reference period left out), then post periods. */
export interface HonestInput {
  betahat: Float64Array;
  /** (numPre + numPost)² covariance, row-major */
  sigma: Float64Array;
  numPre: number;
  numPost: number;
}

/** Check the shapes and symmetry of an input; returns it. */
export function checkInput(x: HonestInput): HonestInput {
  const n = x.numPre + x.numPost;
  if (!(Number.isInteger(x.numPre) && x.numPre >= 1)) throw usageError(`numPrePeriods must be a positive integer, got ${x.numPre}`);
  if (!(Number.isInteger(x.numPost) && x.numPost >= 1)) throw usageError(`numPostPeriods must be a positive integer, got ${x.numPost}`);
  if (x.betahat.length !== n) throw usageError(`betahat has ${x.betahat.length} entries, numPrePeriods + numPostPeriods = ${n}`);
  if (x.sigma.length !== n * n) throw usageError(`sigma must be ${n} × ${n}, got ${x.sigma.length} entries`);
  for (let i = 0; i < n; i++) {
    if (!(x.sigma[i * n + i]! >= 0)) throw usageError(`sigma[${i + 1},${i + 1}] must be a non-negative variance`);
    for (let j = 0; j < i; j++) {
      const a = x.sigma[i * n + j]!,
        b = x.sigma[j * n + i]!;
      if (Math.abs(a - b) > 1e-10 * Math.max(1e-300, Math.abs(a), Math.abs(b)) && Math.abs(a - b) > 1e-14)
        throw usageError(`sigma is not symmetric at [${i + 1},${j + 1}]`);
    }
  }
  return x;
}

/** l'β_post. */
export function thetaHat(x: HonestInput, l: Float64Array): number {
  let s = 0;
  for (let t = 0; t < x.numPost; t++) s += l[t]! * x.betahat[x.numPre + t]!;
  return s;
}

/** sd(l'β̂_post) = √(l'Σ_post l). */
export function sdTheta(x: HonestInput, l: Float64Array): number {
  const n = x.numPre + x.numPost,
    K = x.numPre;
  let s = 0;
  for (let a = 0; a < x.numPost; a++) for (let b = 0; b < x.numPost; b++) s += l[a]! * x.sigma[(K + a) * n + K + b]! * l[b]!;
  return Math.sqrt(s);
}

/** HonestDiD `constructOriginalCS`: l'β̂_post ± Φ⁻¹(1 − α/2)·√(l'Σ_post l). */
export function originalCs(x: HonestInput, l: Float64Array, alpha = 0.05): { lb: number; ub: number } {
  const th = thetaHat(x, l),
    se = sdTheta(x, l),
    z = qnormAS241(1 - alpha / 2);
  return { lb: th - z * se, ub: th + z * se };
}

/** Dense row-major matrix product (r × k)·(k × c). */
export function mm(a: Float64Array, r: number, k: number, b: Float64Array, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++)
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p]!;
      if (v === 0) continue;
      for (let j = 0; j < c; j++) out[i * c + j]! += v * b[p * c + j]!;
    }
  return out;
}

/** Transpose of an r × c matrix. */
export function tr(a: Float64Array, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j]!;
  return out;
}

/** A·Σ·A' for A (r × n) and Σ (n × n). */
export function sandwich(a: Float64Array, r: number, n: number, s: Float64Array): Float64Array {
  return mm(mm(a, r, n, s, n), r, n, tr(a, r, n), r);
}

/** Rows `rows` and columns `cols` of an r × c matrix. */
export function sub(a: Float64Array, c: number, rows: number[], cols: number[]): Float64Array {
  const out = new Float64Array(rows.length * cols.length);
  rows.forEach((i, p) => cols.forEach((j, q) => (out[p * cols.length + q] = a[i * c + j]!)));
  return out;
}

/** Solve the square system A x = b (Gaussian elimination with partial pivoting); throws when singular. */
export function solve(a: Float64Array, n: number, b: Float64Array): Float64Array {
  const m = Float64Array.from(a),
    x = Float64Array.from(b);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]!) > Math.abs(m[p * n + k]!)) p = i;
    if (m[p * n + k] === 0) throw new Error("singular system");
    if (p !== k) {
      for (let j = 0; j < n; j++) [m[k * n + j], m[p * n + j]] = [m[p * n + j]!, m[k * n + j]!];
      [x[k], x[p]] = [x[p]!, x[k]!];
    }
    for (let i = k + 1; i < n; i++) {
      const f = m[i * n + k]! / m[k * n + k]!;
      if (f === 0) continue;
      for (let j = k; j < n; j++) m[i * n + j]! -= f * m[k * n + j]!;
      x[i]! -= f * x[k]!;
    }
  }
  for (let k = n - 1; k >= 0; k--) {
    let s = x[k]!;
    for (let j = k + 1; j < n; j++) s -= m[k * n + j]! * x[j]!;
    x[k] = s / m[k * n + k]!;
  }
  return x;
}

/** Inverse of a square matrix (column by column with `solve`). */
export function inverse(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n);
    e[j] = 1;
    const col = solve(a, n, e);
    for (let i = 0; i < n; i++) out[i * n + j] = col[i]!;
  }
  return out;
}

/** e_index of length size (HonestDiD `basisVector`, 1-based index). */
export function basisVector(index: number, size: number): Float64Array {
  const v = new Float64Array(size);
  v[index - 1] = 1;
  return v;
}

/**
 * The (1 − α) quantile of |Z + μ| with Z ~ N(0, sd²), as HonestDiD's `.qfoldednormal` computes it:
 * the type-7 quantile of |z_i + μ| over 10⁶ draws `rnorm(10⁶, sd = 1)` after `set.seed(seed)` (R's
 * generator, reproduced by `RRng`), times sd. The draws are sorted once per seed; each quantile is
 * then two order statistics of the union of two sorted runs (z_i + μ for z_i ≥ −μ and −(z_i + μ)
 * below), found by bisection in O(log n) — the same numbers as sorting |z + μ|.
 */
export class FoldedNormal {
  private static cache = new Map<string, Float64Array>();
  private readonly z: Float64Array;

  constructor(seed = 0, numSims = 1_000_000) {
    const key = `${seed}:${numSims}`;
    let z = FoldedNormal.cache.get(key);
    if (!z) {
      z = new RRng(seed).rnorm(numSims).sort();
      FoldedNormal.cache.set(key, z);
    }
    this.z = z;
  }

  /** Quantile p of |Z + μ|, Z ~ N(0, 1) simulated. */
  quantile(p: number, mu: number): number {
    const z = this.z,
      n = z.length;
    // first index with z_i + μ ≥ 0 (monotone in z)
    let lo = 0,
      hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (z[mid]! + mu >= 0) hi = mid;
      else lo = mid + 1;
    }
    const split = lo;
    const nA = n - split,
      nB = split;
    const A = (i: number): number => z[split + i]! + mu; // ascending
    const B = (i: number): number => -(z[split - 1 - i]! + mu); // ascending
    /** k-th smallest (0-based) of the union of A and B. */
    const kth = (k: number): number => {
      let l = Math.max(0, k + 1 - nB),
        h = Math.min(k + 1, nA);
      // take i elements from A and k + 1 − i from B
      while (l < h) {
        const i = (l + h) >>> 1;
        const j = k + 1 - i;
        if (j > 0 && i < nA && B(j - 1) > A(i)) l = i + 1;
        else h = i;
      }
      const i = l,
        j = k + 1 - i;
      const a = i > 0 ? A(i - 1) : Number.NEGATIVE_INFINITY;
      const b = j > 0 ? B(j - 1) : Number.NEGATIVE_INFINITY;
      return Math.max(a, b);
    };
    const index = 1 + (n - 1) * p;
    const lo7 = Math.floor(index),
      hi7 = Math.ceil(index);
    const qs = kth(lo7 - 1);
    const xh = hi7 === lo7 ? qs : kth(hi7 - 1);
    const h = index - lo7;
    return index > lo7 && xh !== qs ? (1 - h) * qs + h * xh : qs;
  }
}
