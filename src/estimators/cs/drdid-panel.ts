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
import { estimationError } from "../../core/errors.js";
import {
  TRIM_LEVEL,
  capAndTrim,
  checkTreatedAndControls,
  colMeansW,
  linRepTimes,
  matVecSym,
  mean,
  normWeights,
  rowDot,
  safeInv,
  weightedGram,
  weightedLogit,
  wls,
} from "./drdid-common.js";

export { TRIM_LEVEL, weightedLogit };

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

/** OLS of ΔY on X among comparison units (weights w(1−D)): fitted m̂ for every unit and (X'WX/n₁)^{-1}. */
function controlsRegression(cell: DrdidCell, w: Float64Array): { wols: Float64Array; fit: Float64Array; XpXinvN: ReturnType<typeof wls>["XpXinvN"] } {
  const n = cell.D.length;
  const wols = new Float64Array(n);
  for (let i = 0; i < n; i++) wols[i] = w[i]! * (1 - cell.D[i]!);
  return { wols, ...wls(cell.X, cell.dy, wols, "outcome regression among comparison units") };
}

/** L_ols·M for each unit, L_ols = w(1−D)(ΔY−m̂)X'(X'diag(w(1−D))X/n₁)^{-1}. */
function olsTimes(cell: DrdidCell, wols: Float64Array, resid: Float64Array, XpXinvN: ReturnType<typeof wls>["XpXinvN"], M: Float64Array): Float64Array {
  const n = cell.D.length;
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = wols[i]! * resid[i]!;
  return linRepTimes(cell.X, f, XpXinvN, 1, M);
}

/**
 * The propensity-score half shared by `drdid_panel` and `std_ipw_did_panel`: logit π̂ (capped, trimmed),
 * treated weights w1 = trim·w·D, odds weights w0 = trim·w·π̂(1−D)/(1−π̂), and the IF of
 * η = mean(w·v)/mean(w) for w1 and w0 on the outcome v (ΔY − m̂ for DR, ΔY for IPW):
 * ψ = (w1(v − η1))/mean(w1) − (w0(v − η0) + L_ps·M2)/mean(w0), M2 = colMeans(w0(v − η0)X).
 */
function ipwHalf(
  cell: DrdidCell,
  w: Float64Array,
): { ps: Float64Array; w1: Float64Array; w0: Float64Array; mw1: number; mw0: number; vcov: ReturnType<typeof weightedLogit>["vcov"] } {
  const n = cell.D.length;
  const D = cell.D;
  const logit = weightedLogit(D, cell.X, w);
  const { ps, trim } = capAndTrim(D, logit.p);
  const w1 = new Float64Array(n);
  const w0 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    w1[i] = trim[i]! * w[i]! * D[i]!;
    w0[i] = (trim[i]! * w[i]! * ps[i]! * (1 - D[i]!)) / (1 - ps[i]!);
  }
  return { ps, w1, w0, mw1: mean(w1), mw0: mean(w0), vcov: logit.vcov };
}

/** η1 = Σw1·v/n/mean(w1), η0 likewise, and L_ps·M2 with M2 = colMeans(w0(v − η0)X). */
function ipwMoments(cell: DrdidCell, w: Float64Array, h: ReturnType<typeof ipwHalf>, v: Float64Array): { eta1: number; eta0: number; ps2: Float64Array } {
  const n = cell.D.length;
  let s1 = 0,
    s0 = 0;
  for (let i = 0; i < n; i++) {
    s1 += h.w1[i]! * v[i]!;
    s0 += h.w0[i]! * v[i]!;
  }
  const eta1 = s1 / n / h.mw1;
  const eta0 = s0 / n / h.mw0;
  const a2 = new Float64Array(n);
  for (let i = 0; i < n; i++) a2[i] = h.w0[i]! * (v[i]! - eta0);
  const M2 = colMeansW(cell.X, a2);
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = w[i]! * (cell.D[i]! - h.ps[i]!);
  const ps2 = linRepTimes(cell.X, f, h.vcov, n, M2);
  return { eta1, eta0, ps2 };
}

/** DRDID `drdid_panel`: locally efficient DR DID with logit PS and OLS outcome regression among controls. */
export function drPanel(cell: DrdidCell): DrdidResult {
  checkTreatedAndControls(cell.D);
  const n = cell.D.length;
  const w = normWeights(cell.w, n);
  const h = ipwHalf(cell, w);
  const { wols, fit, XpXinvN } = controlsRegression(cell, w);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = cell.dy[i]! - fit[i]!;
  const { eta1, eta0, ps2 } = ipwMoments(cell, w, h, r);
  const att = eta1 - eta0;
  const ols1 = olsTimes(cell, wols, r, XpXinvN, colMeansW(cell.X, h.w1));
  const ols3 = olsTimes(cell, wols, r, XpXinvN, colMeansW(cell.X, h.w0));
  const inf = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const it = (h.w1[i]! * r[i]! - h.w1[i]! * eta1 - ols1[i]!) / h.mw1;
    const ic = (h.w0[i]! * r[i]! - h.w0[i]! * eta0 + ps2[i]! - ols3[i]!) / h.mw0;
    inf[i] = it - ic;
  }
  if (!Number.isFinite(att)) throw estimationError("overlap failure: every comparison unit trimmed (propensity score ≥ 0.995)");
  return { att, inf };
}

/** DRDID `std_ipw_did_panel`: normalised (Hájek) IPW DID with logit PS. */
export function stdIpwPanel(cell: DrdidCell): DrdidResult {
  checkTreatedAndControls(cell.D);
  const n = cell.D.length;
  const w = normWeights(cell.w, n);
  const h = ipwHalf(cell, w);
  const { eta1, eta0, ps2 } = ipwMoments(cell, w, h, cell.dy);
  const att = eta1 - eta0;
  const inf = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const it = (h.w1[i]! * cell.dy[i]! - h.w1[i]! * eta1) / h.mw1;
    const ic = (h.w0[i]! * cell.dy[i]! - h.w0[i]! * eta0 + ps2[i]!) / h.mw0;
    inf[i] = it - ic;
  }
  if (!Number.isFinite(att)) throw estimationError("overlap failure: every comparison unit trimmed (propensity score ≥ 0.995)");
  return { att, inf };
}

/** DRDID `reg_did_panel`: outcome-regression DID (OLS of ΔY on X among comparison units). */
export function regPanel(cell: DrdidCell): DrdidResult {
  checkTreatedAndControls(cell.D);
  const n = cell.D.length;
  const w = normWeights(cell.w, n);
  const D = cell.D;
  const { wols, fit, XpXinvN } = controlsRegression(cell, w);
  const wd = new Float64Array(n);
  for (let i = 0; i < n; i++) wd[i] = w[i]! * D[i]!;
  const mwd = mean(wd);
  let s1 = 0,
    s0 = 0;
  for (let i = 0; i < n; i++) {
    s1 += wd[i]! * cell.dy[i]!;
    s0 += wd[i]! * fit[i]!;
  }
  const eta1 = s1 / n / mwd;
  const eta0 = s0 / n / mwd;
  const att = eta1 - eta0;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = cell.dy[i]! - fit[i]!;
  const ols1 = olsTimes(cell, wols, r, XpXinvN, colMeansW(cell.X, wd));
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
  checkTreatedAndControls(cell.D);
  const n = cell.D.length;
  const w = normWeights(cell.w, n);
  const D = cell.D;
  const { ps, trim } = capAndTrim(D, pscoreCalibrated(D, cell.X, w));
  const wols = new Float64Array(n);
  for (let i = 0; i < n; i++) wols[i] = (w[i]! * (1 - D[i]!) * ps[i]!) / (1 - ps[i]!);
  const { fit } = wls(cell.X, cell.dy, wols, "outcome regression among comparison units");
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
