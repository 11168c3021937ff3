/**
 * Deterministic nuisance models for the path decomposition: OLS (outcome models) and logistic
 * regression by IRLS (propensity), both with an intercept; collinear columns are dropped
 * (pivot ≤ 1e-10 of the diagonal after projection, as core/linalg choleskyPivotless).
 */
import { choleskyPivotless, crossVec, gram } from "../core/linalg.js";
import { estimationError } from "../core/errors.js";

/** Solve G b = r on the columns Cholesky keeps (others get 0). */
function solveKept(g: ReturnType<typeof gram>, r: Float64Array): Float64Array {
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
  return solveKept(gram(X, w), crossVec(X, y, w));
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
    const nb = solveKept(gram(X, w), crossVec(X, z, w));
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
