/**
 * Building blocks shared by the panel (`drdid-panel.ts`) and repeated-cross-section (`drdid-rc.ts`) 2×2 DID
 * estimators of Sant'Anna & Zhao (2020) as R `DRDID` codes them: sampling weights normalised to mean 1,
 * weighted logit propensity score (MLE) with DRDID's cap at 1 − 1e-6 and trimming of comparison units at
 * π̂ ≥ 0.995, weighted least squares on a subset, and the products of the asymptotic linear representations
 * (logit score·Hessian⁻¹, OLS residual·(X'WX/n)⁻¹) with a derivative vector M, which is how every estimation
 * effect enters an influence function.
 *
 * Covariates are columns (`Float64Array[]`, first = intercept); every vector has one entry per observation.
 */
import { estimationError } from "../../core/errors.js";
import { type Mat, mat, invSPD } from "../../core/linalg.js";

/** DRDID's trimming level: comparison units with π̂ ≥ 0.995 get weight 0. */
export const TRIM_LEVEL = 0.995;

/** Weights w_i/mean(w) (all ones when `w` is null). */
export function normWeights(w: Float64Array | null, n: number): Float64Array {
  const out = new Float64Array(n);
  if (!w) {
    out.fill(1);
    return out;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += w[i]!;
  const m = s / n;
  for (let i = 0; i < n; i++) out[i] = w[i]! / m;
  return out;
}

/** Σ_i a_i X_i X_i' (k×k) for columns X. */
export function weightedGram(X: Float64Array[], a: Float64Array): Mat {
  const k = X.length;
  const n = a.length;
  const g = mat(k, k);
  for (let p = 0; p < k; p++) {
    const xp = X[p]!;
    for (let q = p; q < k; q++) {
      const xq = X[q]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += a[i]! * xp[i]! * xq[i]!;
      g.data[p * k + q] = s;
      g.data[q * k + p] = s;
    }
  }
  return g;
}

/** Column means of a_i X_i (k-vector) over n rows. */
export function colMeansW(X: Float64Array[], a: Float64Array): Float64Array {
  const n = a.length;
  const out = new Float64Array(X.length);
  for (let p = 0; p < X.length; p++) {
    const xp = X[p]!;
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i]! * xp[i]!;
    out[p] = s / n;
  }
  return out;
}

/** A·v for a square matrix A. */
export function matVecSym(A: Mat, v: Float64Array): Float64Array {
  const k = A.rows;
  const out = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    let s = 0;
    for (let q = 0; q < k; q++) s += A.data[p * k + q]! * v[q]!;
    out[p] = s;
  }
  return out;
}

/** Row-wise X_i · v. */
export function rowDot(X: Float64Array[], v: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let p = 0; p < X.length; p++) {
    const xp = X[p]!;
    const vp = v[p]!;
    if (vp === 0) continue;
    for (let i = 0; i < n; i++) out[i]! += xp[i]! * vp;
  }
  return out;
}

/** Inverse of a symmetric positive definite matrix, or an estimation error naming `what`. */
export function safeInv(A: Mat, what: string): Mat {
  try {
    return invSPD(A);
  } catch {
    throw estimationError(`${what}: singular matrix (covariates collinear or without variation in the cell)`);
  }
}

export function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

/**
 * Weighted least squares of y on X with weights `wols` (0 outside the subset): the fitted values Xβ for
 * every observation and (X'diag(wols)X/n)^{-1}, n = all observations.
 */
export function wls(X: Float64Array[], y: Float64Array, wols: Float64Array, what: string): { fit: Float64Array; XpXinvN: Mat } {
  const n = y.length;
  const k = X.length;
  const A = weightedGram(X, wols);
  const Ainv = safeInv(A, what);
  const b = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    const xp = X[p]!;
    let s = 0;
    for (let i = 0; i < n; i++) s += wols[i]! * xp[i]! * y[i]!;
    b[p] = s;
  }
  const beta = matVecSym(Ainv, b);
  for (let p = 0; p < k; p++) if (!Number.isFinite(beta[p]!)) throw estimationError(`${what}: non-finite coefficients`);
  const fit = rowDot(X, beta, n);
  // (X'WX/n)^{-1} = n·(X'WX)^{-1}
  const XpXinvN = mat(k, k);
  for (let i = 0; i < k * k; i++) XpXinvN.data[i] = Ainv.data[i]! * n;
  return { fit, XpXinvN };
}

/**
 * Σ-free product of an asymptotic linear representation with M: returns f_i·X_i'(s·A·M) for each i.
 * Logit: f = w(D − π), A = (X'diag(wπ(1−π))X)^{-1}, s = n. OLS: f = w_ols·(y − Xβ̂), A = (X'W X/n)^{-1}, s = 1.
 */
export function linRepTimes(X: Float64Array[], f: Float64Array, A: Mat, s: number, M: Float64Array): Float64Array {
  const n = f.length;
  const v = matVecSym(A, M);
  if (s !== 1) for (let q = 0; q < v.length; q++) v[q]! *= s;
  const xv = rowDot(X, v, n);
  for (let i = 0; i < n; i++) xv[i] = f[i]! * xv[i]!;
  return xv;
}

/**
 * Weighted logit of D on X by Newton–Raphson (= IRLS), run to full convergence. Returns the fitted
 * probabilities (uncapped) and the inverse information (X'diag(wπ(1−π))X)^{-1}, i.e. R's vcov(glm).
 */
export function weightedLogit(D: Uint8Array, X: Float64Array[], w: Float64Array): { p: Float64Array; beta: Float64Array; vcov: Mat } {
  const n = D.length;
  const k = X.length;
  let sw = 0,
    swd = 0;
  for (let i = 0; i < n; i++) {
    sw += w[i]!;
    swd += w[i]! * D[i]!;
  }
  if (!(swd > 0) || !(swd < sw)) throw estimationError("propensity score: the cell has no treated or no comparison units");
  const beta = new Float64Array(k);
  beta[0] = Math.log(swd / (sw - swd));
  const eta = rowDot(X, beta, n);
  const p = new Float64Array(n);
  const a = new Float64Array(n);
  const loglik = (e: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = e[i]!;
      // log(1+exp(v)) computed stably
      const l1p = v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
      s += w[i]! * (D[i]! * v - l1p);
    }
    return s;
  };
  let ll = loglik(eta);
  for (let iter = 0; iter < 100; iter++) {
    const grad = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const pi = 1 / (1 + Math.exp(-eta[i]!));
      p[i] = pi;
      a[i] = w[i]! * pi * (1 - pi);
    }
    for (let q = 0; q < k; q++) {
      const xq = X[q]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += w[i]! * (D[i]! - p[i]!) * xq[i]!;
      grad[q] = s;
    }
    const H = weightedGram(X, a);
    const Hinv = safeInv(H, "propensity score (logit)");
    const step = matVecSym(Hinv, grad);
    let t = 1;
    let accepted = false;
    let newEta = eta;
    const newBeta = new Float64Array(k);
    for (let half = 0; half < 40; half++) {
      for (let q = 0; q < k; q++) newBeta[q] = beta[q]! + t * step[q]!;
      newEta = rowDot(X, newBeta, n);
      const nll = loglik(newEta);
      if (Number.isFinite(nll) && nll >= ll - 1e-12 * Math.abs(ll)) {
        ll = nll;
        accepted = true;
        break;
      }
      t /= 2;
    }
    if (!accepted) break;
    let maxRel = 0;
    for (let q = 0; q < k; q++) maxRel = Math.max(maxRel, Math.abs(newBeta[q]! - beta[q]!) / (1 + Math.abs(beta[q]!)));
    beta.set(newBeta);
    eta.set(newEta);
    if (maxRel < 1e-13) break;
  }
  for (let i = 0; i < n; i++) {
    const pi = 1 / (1 + Math.exp(-eta[i]!));
    p[i] = pi;
    a[i] = w[i]! * pi * (1 - pi);
  }
  const vcov = safeInv(weightedGram(X, a), "propensity score (logit)");
  return { p, beta, vcov };
}

/** DRDID's π̂ = min(p, 1 − 1e-6) and trimming indicator (treated always kept, comparison kept if π̂ < 0.995). */
export function capAndTrim(D: Uint8Array, pUncapped: Float64Array): { ps: Float64Array; trim: Float64Array } {
  const n = D.length;
  const ps = new Float64Array(n);
  const trim = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.min(pUncapped[i]!, 1 - 1e-6);
    ps[i] = v;
    trim[i] = D[i] === 1 ? (v < 1.01 ? 1 : 0) : v < TRIM_LEVEL ? 1 : 0;
  }
  return { ps, trim };
}

/** Throw unless the cell has both treated (D = 1) and comparison (D = 0) observations. */
export function checkTreatedAndControls(D: Uint8Array): void {
  const n = D.length;
  let n1 = 0;
  for (let i = 0; i < n; i++) n1 += D[i]!;
  if (n1 === 0) throw estimationError("no treated units in the cell");
  if (n1 === n) throw estimationError("no comparison units in the cell");
}
