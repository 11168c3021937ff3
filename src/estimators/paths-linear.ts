/**
 * Deterministic nuisance models for the path decomposition: OLS (outcome models) and logistic
 * regression by IRLS (propensity), both with an intercept; collinear columns are dropped
 * (pivot ≤ 1e-10 of the diagonal after projection, as core/linalg choleskyPivotless).
 */
import { choleskyPivotless, mat, type Mat } from "../core/linalg.js";
import { estimationError } from "../core/errors.js";

/** Rows where an indicator column is 1, or null when the column holds a value other than 0 and 1. */
function onesOf(c: Float64Array): Int32Array | null {
  let m = 0;
  for (let i = 0; i < c.length; i++) {
    const v = c[i]!;
    if (v === 1) m++;
    else if (v !== 0) return null;
  }
  const ix = new Int32Array(m);
  for (let i = 0, k = 0; i < c.length; i++) if (c[i] === 1) ix[k++] = i;
  return ix;
}

/**
 * Σ_i w_i a_i b_i summed in row order as core/linalg wdot ((w·a)·b, or a·b without w), skipping the rows
 * where an indicator column is 0. Such a term is ±0 and adding it leaves the sum's bits unchanged, and where
 * the indicator is 1 the term is w·b (or b) exactly, so the result is wdot's double for finite inputs. The
 * year dummies of the panel covariates make this ≈ 20× fewer row operations per Gram entry.
 */
function dotSkip(a: Float64Array, ia: Int32Array | null, b: Float64Array, ib: Int32Array | null, w?: Float64Array): number {
  let s = 0;
  const ix = ia && ib ? (ia.length <= ib.length ? ia : ib) : (ia ?? ib);
  if (ix && ix.length < a.length) {
    // where the indicator is 1 the term is (w·1)·b = w·b or (w·a)·1 = w·a: the other column times w
    const other = ix === ia ? b : a;
    if (w) for (let k = 0; k < ix.length; k++) s += w[ix[k]!]! * other[ix[k]!]!;
    else for (let k = 0; k < ix.length; k++) s += other[ix[k]!]!;
    return s;
  }
  const n = a.length;
  if (w) for (let i = 0; i < n; i++) s += w[i]! * a[i]! * b[i]!;
  else for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

/** X'WX (core/linalg gram's doubles) with the indicator columns' zero rows skipped (dotSkip). */
function gramSkip(cols: Float64Array[], ones: (Int32Array | null)[], w?: Float64Array): Mat {
  const k = cols.length;
  const g = mat(k, k);
  for (let a = 0; a < k; a++)
    for (let b = a; b < k; b++) {
      const v = dotSkip(cols[a]!, ones[a]!, cols[b]!, ones[b]!, w);
      g.data[a * k + b] = v;
      g.data[b * k + a] = v;
    }
  return g;
}

/** X'Wy (core/linalg crossVec's doubles) with the indicator columns' zero rows skipped. */
function crossSkip(cols: Float64Array[], ones: (Int32Array | null)[], y: Float64Array, w?: Float64Array): Float64Array {
  const out = new Float64Array(cols.length);
  for (let a = 0; a < cols.length; a++) out[a] = dotSkip(cols[a]!, ones[a]!, y, null, w);
  return out;
}

/** Solve G b = r on the columns Cholesky keeps (others get 0). */
function solveKept(g: Mat, r: Float64Array): Float64Array {
  const k = g.rows;
  const { L, kept } = choleskyPivotless(g, 1e-10);
  const z = new Float64Array(k),
    b = new Float64Array(k);
  for (const j of kept) {
    let s = r[j]!;
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

const withIntercept = (cols: Float64Array[], n: number) => [new Float64Array(n).fill(1), ...cols];

/** OLS of y on [1, cols]; returns coefficients (intercept first). */
export function olsCoef(cols: Float64Array[], y: Float64Array, w?: Float64Array): Float64Array {
  const X = withIntercept(cols, y.length);
  const ones = X.map(onesOf);
  return solveKept(gramSkip(X, ones, w), crossSkip(X, ones, y, w));
}

/** Linear predictor b₀ + Σ b_j x_j for new columns. */
export function linPred(b: Float64Array, cols: Float64Array[]): Float64Array {
  const n = cols.length ? cols[0]!.length : 0;
  const out = new Float64Array(n).fill(b[0]!);
  cols.forEach((c, j) => {
    const bj = b[j + 1]!;
    if (bj !== 0) for (let i = 0; i < n; i++) out[i]! += bj * c[i]!;
  });
  return out;
}

/**
 * Logistic regression P(a = 1 | x) = 1/(1 + e^{−x'b}) by iteratively reweighted least squares
 * (Newton–Raphson, at most 50 steps, stop when max |Δb| < 1e-10); returns fitted probabilities.
 */
export function logitFit(cols: Float64Array[], a: Float64Array): { coef: Float64Array; prob: Float64Array } {
  const n = a.length;
  const X = withIntercept(cols, n);
  const ones = X.map(onesOf);
  let b: Float64Array = new Float64Array(X.length);
  let eta: Float64Array = new Float64Array(n);
  const p = new Float64Array(n),
    w = new Float64Array(n),
    z = new Float64Array(n);
  for (let it = 0; it < 50; it++) {
    for (let i = 0; i < n; i++) {
      const pi = 1 / (1 + Math.exp(-eta[i]!));
      p[i] = pi;
      const wi = Math.max(pi * (1 - pi), 1e-10);
      w[i] = wi;
      z[i] = eta[i]! + (a[i]! - pi) / wi;
    }
    const nb = solveKept(gramSkip(X, ones, w), crossSkip(X, ones, z, w));
    let d = 0;
    for (let j = 0; j < nb.length; j++) d = Math.max(d, Math.abs(nb[j]! - b[j]!));
    b = nb;
    eta = linPred(b, cols);
    if (!Number.isFinite(d)) throw estimationError("logistic propensity model diverged (perfect separation?)");
    if (d < 1e-10) break;
  }
  for (let i = 0; i < n; i++) p[i] = 1 / (1 + Math.exp(-eta[i]!));
  return { coef: b, prob: p };
}
