/**
 * The 2×2 panel DID estimators of Sant'Anna & Zhao (2020) as R `DRDID` 1.2.3 codes them and R `did`
 * calls them for each ATT(g,t) cell (METHODS.md §2.2): doubly robust `drdid_panel` ("traditional"),
 * normalised IPW `std_ipw_did_panel`, outcome regression `reg_did_panel`, and the "improved" DR
 * `drdid_imp_panel` (inverse-probability-tilting propensity score) as an option. Each returns the ATT
 * and its influence function ψ (one entry per cell unit, mean-zero scale: Var(ATT) ≈ Σψ²/n₁²).
 *
 * Inputs are cell-level: D (1 treated / 0 comparison), ΔY, covariate columns X (the first column must be
 * the intercept) and sampling weights (normalised here to mean 1, as DRDID does).
 */
import { estimationError } from "../core/errors.js";
import { type Mat, mat, invSPD } from "../core/linalg.js";

export type DrdidMethod = "dr" | "ipw" | "reg" | "dr-imp";

export interface DrdidCell {
  D: Uint8Array;
  dy: Float64Array;
  /** columns, first = intercept (all ones) */
  X: Float64Array[];
  /** sampling weights (any positive scale), or null for equal weights */
  w: Float64Array | null;
}

export interface DrdidResult {
  att: number;
  /** influence function, length n₁ */
  inf: Float64Array;
}

/** DRDID's trimming level: comparison units with π̂ ≥ 0.995 get weight 0. */
export const TRIM_LEVEL = 0.995;

/** Estimate one 2×2 panel DID by the chosen method. Throws an estimation error when it cannot be computed. */
export function drdidPanel(cell: DrdidCell, method: DrdidMethod): DrdidResult {
  switch (method) {
    case "dr":
      return drPanel(cell);
    case "ipw":
      return stdIpwPanel(cell);
    case "reg":
      return regPanel(cell);
    case "dr-imp":
      return drImpPanel(cell);
  }
}

function normWeights(cell: DrdidCell): Float64Array {
  const n = cell.D.length;
  const w = new Float64Array(n);
  if (!cell.w) {
    w.fill(1);
    return w;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += cell.w[i]!;
  const m = s / n;
  for (let i = 0; i < n; i++) w[i] = cell.w[i]! / m;
  return w;
}

/** Σ_i a_i X_i X_i' (k×k) for columns X. */
function weightedGram(X: Float64Array[], a: Float64Array): Mat {
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
function colMeansW(X: Float64Array[], a: Float64Array): Float64Array {
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

function matVecSym(A: Mat, v: Float64Array): Float64Array {
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
function rowDot(X: Float64Array[], v: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let p = 0; p < X.length; p++) {
    const xp = X[p]!;
    const vp = v[p]!;
    if (vp === 0) continue;
    for (let i = 0; i < n; i++) out[i]! += xp[i]! * vp;
  }
  return out;
}

function safeInv(A: Mat, what: string): Mat {
  try {
    return invSPD(A);
  } catch {
    throw estimationError(`${what}: singular matrix (covariates collinear or without variation in the cell)`);
  }
}

function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

/**
 * Weighted least squares of ΔY on X among comparison units (D = 0) with weights `wols` (0 elsewhere):
 * returns β, the fitted values m̂ = Xβ for every cell unit, and (X'diag(wols)X/n₁)^{-1}.
 */
function wolsControls(cell: DrdidCell, wols: Float64Array): { fit: Float64Array; XpXinvN: Mat } {
  const n = cell.D.length;
  const k = cell.X.length;
  const A = weightedGram(cell.X, wols);
  const Ainv = safeInv(A, "outcome regression among comparison units");
  const b = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    const xp = cell.X[p]!;
    let s = 0;
    for (let i = 0; i < n; i++) s += wols[i]! * xp[i]! * cell.dy[i]!;
    b[p] = s;
  }
  const beta = matVecSym(Ainv, b);
  for (let p = 0; p < k; p++) if (!Number.isFinite(beta[p]!)) throw estimationError("outcome regression among comparison units: non-finite coefficients");
  const fit = rowDot(cell.X, beta, n);
  // (X'WX/n)^{-1} = n·(X'WX)^{-1}
  const XpXinvN = mat(k, k);
  for (let i = 0; i < k * k; i++) XpXinvN.data[i] = Ainv.data[i]! * n;
  return { fit, XpXinvN };
}

/**
 * Weighted logit of D on X by Newton–Raphson (= IRLS), run to full convergence. Returns the fitted
 * probabilities (uncapped) and the inverse information (X'diag(wπ(1−π))X)^{-1}, i.e. R's vcov(glm).
 */
export function weightedLogit(D: Uint8Array, X: Float64Array[], w: Float64Array): { p: Float64Array; beta: Float64Array; vcov: Mat } {
  const n = D.length;
  const k = X.length;
  let sw = 0, swd = 0;
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
  let converged = false;
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
    if (maxRel < 1e-13) {
      converged = true;
      break;
    }
  }
  for (let i = 0; i < n; i++) {
    const pi = 1 / (1 + Math.exp(-eta[i]!));
    p[i] = pi;
    a[i] = w[i]! * pi * (1 - pi);
  }
  void converged;
  const vcov = safeInv(weightedGram(X, a), "propensity score (logit)");
  return { p, beta, vcov };
}

function capAndTrim(D: Uint8Array, pUncapped: Float64Array): { ps: Float64Array; trim: Float64Array } {
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

/** L_ps·M = [w(D−π)X]·(n₁·vcov)·M for each unit: returns the n-vector. */
function psLinRepTimes(cell: DrdidCell, w: Float64Array, ps: Float64Array, vcov: Mat, M: Float64Array): Float64Array {
  const n = cell.D.length;
  const v = matVecSym(vcov, M);
  for (let q = 0; q < v.length; q++) v[q]! *= n;
  const xv = rowDot(cell.X, v, n);
  for (let i = 0; i < n; i++) xv[i] = w[i]! * (cell.D[i]! - ps[i]!) * xv[i]!;
  return xv;
}

/** L_ols·M = [w(1−D)(ΔY−m̂)X]·(X'diag(w(1−D))X/n₁)^{-1}·M for each unit. */
function olsLinRepTimes(cell: DrdidCell, w: Float64Array, resid: Float64Array, XpXinvN: Mat, M: Float64Array): Float64Array {
  const n = cell.D.length;
  const v = matVecSym(XpXinvN, M);
  const xv = rowDot(cell.X, v, n);
  for (let i = 0; i < n; i++) xv[i] = w[i]! * (1 - cell.D[i]!) * resid[i]! * xv[i]!;
  return xv;
}

function checkCell(cell: DrdidCell): void {
  const n = cell.D.length;
  let n1 = 0;
  for (let i = 0; i < n; i++) n1 += cell.D[i]!;
  if (n1 === 0) throw estimationError("no treated units in the cell");
  if (n1 === n) throw estimationError("no comparison units in the cell");
}

/** DRDID `drdid_panel`: locally efficient DR DID with logit PS and OLS outcome regression among controls. */
export function drPanel(cell: DrdidCell): DrdidResult {
  checkCell(cell);
  const n = cell.D.length;
  const w = normWeights(cell);
  const D = cell.D;
  const logit = weightedLogit(D, cell.X, w);
  const { ps, trim } = capAndTrim(D, logit.p);
  const wols = new Float64Array(n);
  for (let i = 0; i < n; i++) wols[i] = w[i]! * (1 - D[i]!);
  const { fit, XpXinvN } = wolsControls(cell, wols);
  const r = new Float64Array(n);
  const w1 = new Float64Array(n);
  const w0 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    r[i] = cell.dy[i]! - fit[i]!;
    w1[i] = trim[i]! * w[i]! * D[i]!;
    w0[i] = (trim[i]! * w[i]! * ps[i]! * (1 - D[i]!)) / (1 - ps[i]!);
  }
  const mw1 = mean(w1), mw0 = mean(w0);
  let s1 = 0, s0 = 0;
  for (let i = 0; i < n; i++) {
    s1 += w1[i]! * r[i]!;
    s0 += w0[i]! * r[i]!;
  }
  const eta1 = s1 / n / mw1;
  const eta0 = s0 / n / mw0;
  const att = eta1 - eta0;
  const M1 = colMeansW(cell.X, w1);
  const a2 = new Float64Array(n);
  for (let i = 0; i < n; i++) a2[i] = w0[i]! * (r[i]! - eta0);
  const M2 = colMeansW(cell.X, a2);
  const M3 = colMeansW(cell.X, w0);
  const ols1 = olsLinRepTimes(cell, w, r, XpXinvN, M1);
  const ols3 = olsLinRepTimes(cell, w, r, XpXinvN, M3);
  const ps2 = psLinRepTimes(cell, w, ps, logit.vcov, M2);
  const inf = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const it = (w1[i]! * r[i]! - w1[i]! * eta1 - ols1[i]!) / mw1;
    const ic = (w0[i]! * r[i]! - w0[i]! * eta0 + ps2[i]! - ols3[i]!) / mw0;
    inf[i] = it - ic;
  }
  if (!Number.isFinite(att)) throw estimationError("overlap failure: every comparison unit trimmed (propensity score ≥ 0.995)");
  return { att, inf };
}

/** DRDID `std_ipw_did_panel`: normalised (Hájek) IPW DID with logit PS. */
export function stdIpwPanel(cell: DrdidCell): DrdidResult {
  checkCell(cell);
  const n = cell.D.length;
  const w = normWeights(cell);
  const D = cell.D;
  const logit = weightedLogit(D, cell.X, w);
  const { ps, trim } = capAndTrim(D, logit.p);
  const w1 = new Float64Array(n);
  const w0 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    w1[i] = trim[i]! * w[i]! * D[i]!;
    w0[i] = (trim[i]! * w[i]! * ps[i]! * (1 - D[i]!)) / (1 - ps[i]!);
  }
  const mw1 = mean(w1), mw0 = mean(w0);
  let s1 = 0, s0 = 0;
  for (let i = 0; i < n; i++) {
    s1 += w1[i]! * cell.dy[i]!;
    s0 += w0[i]! * cell.dy[i]!;
  }
  const eta1 = s1 / n / mw1;
  const eta0 = s0 / n / mw0;
  const att = eta1 - eta0;
  const a2 = new Float64Array(n);
  for (let i = 0; i < n; i++) a2[i] = w0[i]! * (cell.dy[i]! - eta0);
  const M2 = colMeansW(cell.X, a2);
  const ps2 = psLinRepTimes(cell, w, ps, logit.vcov, M2);
  const inf = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const it = (w1[i]! * cell.dy[i]! - w1[i]! * eta1) / mw1;
    const ic = (w0[i]! * cell.dy[i]! - w0[i]! * eta0 + ps2[i]!) / mw0;
    inf[i] = it - ic;
  }
  if (!Number.isFinite(att)) throw estimationError("overlap failure: every comparison unit trimmed (propensity score ≥ 0.995)");
  return { att, inf };
}

/** DRDID `reg_did_panel`: outcome-regression DID (OLS of ΔY on X among comparison units). */
export function regPanel(cell: DrdidCell): DrdidResult {
  checkCell(cell);
  const n = cell.D.length;
  const w = normWeights(cell);
  const D = cell.D;
  const wols = new Float64Array(n);
  for (let i = 0; i < n; i++) wols[i] = w[i]! * (1 - D[i]!);
  const { fit, XpXinvN } = wolsControls(cell, wols);
  const wd = new Float64Array(n);
  for (let i = 0; i < n; i++) wd[i] = w[i]! * D[i]!;
  const mwd = mean(wd);
  let s1 = 0, s0 = 0;
  for (let i = 0; i < n; i++) {
    s1 += wd[i]! * cell.dy[i]!;
    s0 += wd[i]! * fit[i]!;
  }
  const eta1 = s1 / n / mwd;
  const eta0 = s0 / n / mwd;
  const att = eta1 - eta0;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = cell.dy[i]! - fit[i]!;
  const M1 = colMeansW(cell.X, wd);
  const ols1 = olsLinRepTimes(cell, w, r, XpXinvN, M1);
  const inf = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const it = (wd[i]! * cell.dy[i]! - wd[i]! * eta1) / mwd;
    const ic = (wd[i]! * fit[i]! - wd[i]! * eta0 + ols1[i]!) / mwd;
    inf[i] = it - ic;
  }
  return { att, inf };
}

/**
 * Propensity score by inverse probability tilting (DRDID `pscore.cal`): γ minimises the convex
 * calibration loss −mean(w[D·Xγ − (1−D)exp(Xγ)]), whose first-order condition balances the weighted
 * covariate means of treated and odds-reweighted comparison units; π = logistic(Xγ). Newton with
 * step halving from the logit estimate (DRDID uses a trust region; the optimum is the same).
 */
export function pscoreCalibrated(D: Uint8Array, X: Float64Array[], w: Float64Array): Float64Array {
  const n = D.length;
  const k = X.length;
  const gam = weightedLogit(D, X, w).beta;
  const loss = (g: Float64Array): number => {
    const e = rowDot(X, g, n);
    let s = 0;
    for (let i = 0; i < n; i++) s += w[i]! * (D[i] === 1 ? e[i]! : -Math.exp(e[i]!));
    return -s / n;
  };
  let L = loss(gam);
  for (let iter = 0; iter < 200; iter++) {
    const e = rowDot(X, gam, n);
    const grad = new Float64Array(k);
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const ex = D[i] === 1 ? 0 : Math.exp(e[i]!);
      a[i] = (w[i]! * ex) / n;
      const gi = D[i] === 1 ? 1 : -ex;
      for (let q = 0; q < k; q++) grad[q]! -= (gi * w[i]! * X[q]![i]!) / n;
    }
    const H = weightedGram(X, a);
    const step = matVecSym(safeInv(H, "propensity score (calibration)"), grad);
    let t = 1;
    let moved = false;
    const ng = new Float64Array(k);
    for (let half = 0; half < 50; half++) {
      for (let q = 0; q < k; q++) ng[q] = gam[q]! - t * step[q]!;
      const nl = loss(ng);
      if (Number.isFinite(nl) && nl <= L + 1e-14 * Math.abs(L)) {
        L = nl;
        moved = true;
        break;
      }
      t /= 2;
    }
    if (!moved) break;
    let maxRel = 0;
    for (let q = 0; q < k; q++) maxRel = Math.max(maxRel, Math.abs(ng[q]! - gam[q]!) / (1 + Math.abs(gam[q]!)));
    gam.set(ng);
    if (maxRel < 1e-13) break;
  }
  const e = rowDot(X, gam, n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = 1 / (1 + Math.exp(-e[i]!));
  return p;
}

/**
 * DRDID `drdid_imp_panel` ("improved", locally efficient and DR for inference): IPT propensity score,
 * outcome regression among comparison units weighted by w·π/(1−π);
 * ATT = mean(w·trim·(1 − (1−D)/(1−π))(ΔY − m̂))/mean(wD), ψ = w·trim·((1 − (1−D)/(1−π))(ΔY−m̂) − D·ATT)/mean(wD).
 */
export function drImpPanel(cell: DrdidCell): DrdidResult {
  checkCell(cell);
  const n = cell.D.length;
  const w = normWeights(cell);
  const D = cell.D;
  const { ps, trim } = capAndTrim(D, pscoreCalibrated(D, cell.X, w));
  const wols = new Float64Array(n);
  for (let i = 0; i < n; i++) wols[i] = (w[i]! * (1 - D[i]!) * ps[i]!) / (1 - ps[i]!);
  const { fit } = wolsControls(cell, wols);
  let mwd = 0;
  for (let i = 0; i < n; i++) mwd += w[i]! * D[i]!;
  mwd /= n;
  const a = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const f = D[i] === 1 ? 1 : 1 - 1 / (1 - ps[i]!);
    a[i] = w[i]! * trim[i]! * f * (cell.dy[i]! - fit[i]!);
    s += a[i]!;
  }
  const att = s / n / mwd;
  const inf = new Float64Array(n);
  for (let i = 0; i < n; i++) inf[i] = (a[i]! - w[i]! * trim[i]! * D[i]! * att) / mwd;
  return { att, inf };
}
