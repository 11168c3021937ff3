/**
 * The 2×2 DID estimators of Sant'Anna & Zhao (2020) for repeated cross sections, as R `DRDID` codes them
 * and R `did` calls them for each ATT(g,t) cell of an unbalanced panel or of repeated cross sections
 * (did `compute.att_gt`, branch `panel = FALSE`): locally efficient doubly robust `drdid_rc` (their eq. 3.4),
 * normalised IPW `std_ipw_did_rc` and outcome regression `reg_did_rc`. Each returns the ATT and its
 * influence function ψ, one entry per observation (mean-zero scale: Var(ATT) ≈ Σψ²/n²), which equals
 * n·∂ATT/∂w_i (the estimators are smooth in the sampling weights).
 *
 * Observations: outcome y, post = 1 for the cell's period t and 0 for its base period, D = 1 for the treated
 * cohort, covariates X (first column the intercept; each observation's own values), weights normalised to
 * mean 1 over the cell's observations.
 */
import { estimationError } from "../../core/errors.js";
import { capAndTrim, checkTreatedAndControls, colMeansW, linRepTimes, mean, normWeights, weightedLogit, wls } from "./drdid-common.js";
import type { DrdidResult } from "./drdid-panel.js";

export type DrdidRcMethod = "dr" | "ipw" | "reg";

export interface DrdidRcCell {
  y: Float64Array;
  post: Uint8Array;
  D: Uint8Array;
  /** columns, first = intercept (all ones) */
  X: Float64Array[];
  /** sampling weights (any positive scale), or null */
  w: Float64Array | null;
}

/** Estimate one 2×2 repeated-cross-section DID by the chosen method (throws an estimation error when it cannot). */
export function drdidRc(cell: DrdidRcCell, method: DrdidRcMethod, correctedIf = false): DrdidResult {
  switch (method) {
    case "dr":
      return drRc(cell, correctedIf);
    case "ipw":
      return stdIpwRc(cell);
    case "reg":
      return regRc(cell);
  }
}

/** One OLS fit on a subset: fitted values for every observation and ψ-products L·M. */
interface SubsetOls {
  fit: Float64Array;
  /** L·M = w_s(y − Xβ̂_s)X'(X'W_sX/n)^{-1}M */
  times(M: Float64Array): Float64Array;
}

function subsetOls(cell: DrdidRcCell, w: Float64Array, d: 0 | 1, post: 0 | 1, what: string): SubsetOls {
  const n = cell.y.length;
  const ws = new Float64Array(n);
  for (let i = 0; i < n; i++) if (cell.D[i] === d && cell.post[i] === post) ws[i] = w[i]!;
  const { fit, XpXinvN } = wls(cell.X, cell.y, ws, what);
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = ws[i]! * (cell.y[i]! - fit[i]!);
  return { fit, times: (M) => linRepTimes(cell.X, f, XpXinvN, 1, M) };
}

function checkRcCell(cell: DrdidRcCell): void {
  checkTreatedAndControls(cell.D);
  const cnt = [0, 0, 0, 0];
  for (let i = 0; i < cell.y.length; i++) cnt[cell.D[i]! * 2 + cell.post[i]!]!++;
  const name = ["comparison units in the base period", "comparison units in the period", "treated units in the base period", "treated units in the period"];
  for (let k = 0; k < 4; k++) if (cnt[k] === 0) throw estimationError(`no ${name[k]}`);
}

/** mean(a·v)/mean(a) over all observations. */
function ratio(a: Float64Array, v: Float64Array, ma: number): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * v[i]!;
  return s / a.length / ma;
}

/**
 * DRDID `drdid_rc`: logit π̂ (capped at 1 − 1e-6, comparison units trimmed at π̂ ≥ 0.995), OLS of y on X
 * within each (group, period) cell giving μ̂_{d,p}(X); with μ̂_0 = μ̂_{0,post}·post + μ̂_{0,pre}(1−post),
 * ATT = [τ̄(w_{1,1}) − τ̄(w_{1,0})] − [τ̄(w_{0,1}) − τ̄(w_{0,0})]   (τ̄(a) = mean(a(y − μ̂_0))/mean(a),
 *   w_{1,p} = trim·w·D·1[post = p], w_{0,p} = trim·w·π̂(1−D)1[post = p]/(1−π̂))
 *   + [m(w_D, Δ_1) − m(w_D·post, Δ_1)] − [m(w_D, Δ_0) − m(w_D(1−post), Δ_0)]
 * (m(a, v) = mean(a·v)/mean(a), Δ_p = μ̂_{1,p} − μ̂_{0,p}), the locally efficient estimator of their eq. (3.4);
 * the influence function collects the leading terms and the estimation effects of π̂ and the four OLS fits.
 */
export function drRc(cell: DrdidRcCell, correctedIf = false): DrdidResult {
  checkRcCell(cell);
  const { y, post, D, X } = cell;
  const n = y.length;
  const w = normWeights(cell.w, n);
  const logit = weightedLogit(D, X, w);
  const { ps, trim } = capAndTrim(D, logit.p);
  const c0 = subsetOls(cell, w, 0, 0, "outcome regression, comparison units, base period");
  const c1 = subsetOls(cell, w, 0, 1, "outcome regression, comparison units, period");
  const t0 = subsetOls(cell, w, 1, 0, "outcome regression, treated units, base period");
  const t1 = subsetOls(cell, w, 1, 1, "outcome regression, treated units, period");
  const wtp = new Float64Array(n),
    wtq = new Float64Array(n),
    wcp = new Float64Array(n),
    wcq = new Float64Array(n);
  const wd = new Float64Array(n),
    wd1 = new Float64Array(n),
    wd0 = new Float64Array(n);
  const r = new Float64Array(n),
    dq = new Float64Array(n),
    dp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const tw = trim[i]! * w[i]!;
    const p = post[i]!;
    wtp[i] = tw * D[i]! * (1 - p);
    wtq[i] = tw * D[i]! * p;
    const odds = (tw * ps[i]! * (1 - D[i]!)) / (1 - ps[i]!);
    wcp[i] = odds * (1 - p);
    wcq[i] = odds * p;
    wd[i] = tw * D[i]!;
    wd1[i] = tw * D[i]! * p;
    wd0[i] = tw * D[i]! * (1 - p);
    r[i] = y[i]! - (p ? c1.fit[i]! : c0.fit[i]!);
    dq[i] = t1.fit[i]! - c1.fit[i]!;
    dp[i] = t0.fit[i]! - c0.fit[i]!;
  }
  const mtp = mean(wtp),
    mtq = mean(wtq),
    mcp = mean(wcp),
    mcq = mean(wcq),
    md = mean(wd),
    md1 = mean(wd1),
    md0 = mean(wd0);
  const aTp = ratio(wtp, r, mtp),
    aTq = ratio(wtq, r, mtq),
    aCp = ratio(wcp, r, mcp),
    aCq = ratio(wcq, r, mcq);
  const aDq = ratio(wd, dq, md),
    aD1 = ratio(wd1, dq, md1),
    aDp = ratio(wd, dp, md),
    aD0 = ratio(wd0, dp, md0);
  const att = aTq - aTp - (aCq - aCp) + (aDq - aD1) - (aDp - aD0);
  if (!Number.isFinite(att)) throw estimationError("overlap failure: every comparison unit trimmed (propensity score ≥ 0.995)");
  // estimation effects
  const neg = (v: Float64Array, s: number): Float64Array => v.map((x) => -x / s);
  const M1q = neg(colMeansW(X, wtq), mtq),
    M1p = neg(colMeansW(X, wtp), mtp);
  const a2p = new Float64Array(n),
    a2q = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a2p[i] = wcp[i]! * (r[i]! - aCp);
    a2q[i] = wcq[i]! * (r[i]! - aCq);
  }
  const m2p = colMeansW(X, a2p),
    m2q = colMeansW(X, a2q);
  const M2 = m2q.map((v, q) => v / mcq - m2p[q]! / mcp);
  const M3q = neg(colMeansW(X, wcq), mcq),
    M3p = neg(colMeansW(X, wcp), mcp);
  const momQ = new Float64Array(n),
    momP = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    momQ[i] = wd[i]! / md - wd1[i]! / md1;
    momP[i] = wd[i]! / md - wd0[i]! / md0;
  }
  const mq = colMeansW(X, momQ),
    mp = colMeansW(X, momP);
  const fps = new Float64Array(n);
  for (let i = 0; i < n; i++) fps[i] = w[i]! * (D[i]! - ps[i]!);
  const psEff = linRepTimes(X, fps, logit.vcov, n, M2);
  const trOrQ = c1.times(M1q),
    trOrP = c0.times(M1p);
  const coOrQ = c1.times(M3q),
    coOrP = c0.times(M3p);
  if (correctedIf)
    for (let i = 0; i < n; i++) {
      // base-period terms enter the ATT with a minus sign, so their OLS estimation effects do too
      trOrP[i] = -trOrP[i]!;
      coOrP[i] = -coOrP[i]!;
    }
  const orQ = t1.times(mq),
    orQc = c1.times(mq),
    orP = t0.times(mp),
    orPc = c0.times(mp);
  const inf = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const infTreat = (wtq[i]! * r[i]! - wtq[i]! * aTq) / mtq - (wtp[i]! * r[i]! - wtp[i]! * aTp) / mtp + trOrQ[i]! + trOrP[i]!;
    const infCont = (wcq[i]! * r[i]! - wcq[i]! * aCq) / mcq - (wcp[i]! * r[i]! - wcp[i]! * aCp) / mcp + psEff[i]! + coOrQ[i]! + coOrP[i]!;
    const eff =
      (wd[i]! * dq[i]! - wd[i]! * aDq) / md -
      (wd1[i]! * dq[i]! - wd1[i]! * aD1) / md1 -
      ((wd[i]! * dp[i]! - wd[i]! * aDp) / md - (wd0[i]! * dp[i]! - wd0[i]! * aD0) / md0);
    const orEff = orQ[i]! - orQc[i]! - (orP[i]! - orPc[i]!);
    inf[i] = infTreat - infCont + eff + orEff;
  }
  return { att, inf };
}

/**
 * DRDID `std_ipw_did_rc`: normalised IPW with logit π̂ (capped at 1 − 1e-6, no trimming),
 * ATT = [m(w D post, y) − m(w D(1−post), y)] − [m(w_0 post, y) − m(w_0(1−post), y)], w_0 = w π̂(1−D)/(1−π̂).
 */
export function stdIpwRc(cell: DrdidRcCell): DrdidResult {
  checkRcCell(cell);
  const { y, post, D, X } = cell;
  const n = y.length;
  const w = normWeights(cell.w, n);
  const logit = weightedLogit(D, X, w);
  const ps = logit.p.map((p) => Math.min(p, 1 - 1e-6));
  const wtp = new Float64Array(n),
    wtq = new Float64Array(n),
    wcp = new Float64Array(n),
    wcq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = post[i]!;
    wtp[i] = w[i]! * D[i]! * (1 - p);
    wtq[i] = w[i]! * D[i]! * p;
    const odds = (w[i]! * ps[i]! * (1 - D[i]!)) / (1 - ps[i]!);
    wcp[i] = odds * (1 - p);
    wcq[i] = odds * p;
  }
  const mtp = mean(wtp),
    mtq = mean(wtq),
    mcp = mean(wcp),
    mcq = mean(wcq);
  const aTp = ratio(wtp, y, mtp),
    aTq = ratio(wtq, y, mtq),
    aCp = ratio(wcp, y, mcp),
    aCq = ratio(wcq, y, mcq);
  const att = aTq - aTp - (aCq - aCp);
  if (!Number.isFinite(att)) throw estimationError("overlap failure: no comparison weight (propensity score ≈ 1)");
  const a2p = new Float64Array(n),
    a2q = new Float64Array(n),
    fps = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a2p[i] = wcp[i]! * (y[i]! - aCp);
    a2q[i] = wcq[i]! * (y[i]! - aCq);
    fps[i] = w[i]! * (D[i]! - ps[i]!);
  }
  const m2p = colMeansW(X, a2p),
    m2q = colMeansW(X, a2q);
  const M2 = m2q.map((v, q) => v / mcq - m2p[q]! / mcp);
  // DRDID uses the Hessian at the capped π̂: (X'diag(wπ̂(1−π̂))X)^{-1}; equal to the logit vcov unless π̂ was capped
  const psEff = linRepTimes(X, fps, logit.vcov, n, M2);
  const inf = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const infTreat = (wtq[i]! * y[i]! - wtq[i]! * aTq) / mtq - (wtp[i]! * y[i]! - wtp[i]! * aTp) / mtp;
    const infCont = (wcq[i]! * y[i]! - wcq[i]! * aCq) / mcq - (wcp[i]! * y[i]! - wcp[i]! * aCp) / mcp + psEff[i]!;
    inf[i] = infTreat - infCont;
  }
  return { att, inf };
}

/**
 * DRDID `reg_did_rc`: OLS of y on X among comparison units in each period (μ̂_{0,pre}, μ̂_{0,post}),
 * ATT = [m(w D post, y) − m(w D(1−post), y)] − m(w D, μ̂_{0,post} − μ̂_{0,pre}).
 */
export function regRc(cell: DrdidRcCell): DrdidResult {
  checkRcCell(cell);
  const { y, post, D, X } = cell;
  const n = y.length;
  const w = normWeights(cell.w, n);
  const c0 = subsetOls(cell, w, 0, 0, "outcome regression, comparison units, base period");
  const c1 = subsetOls(cell, w, 0, 1, "outcome regression, comparison units, period");
  const wtp = new Float64Array(n),
    wtq = new Float64Array(n),
    wc = new Float64Array(n),
    dm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    wtp[i] = w[i]! * D[i]! * (1 - post[i]!);
    wtq[i] = w[i]! * D[i]! * post[i]!;
    wc[i] = w[i]! * D[i]!;
    dm[i] = c1.fit[i]! - c0.fit[i]!;
  }
  const mtp = mean(wtp),
    mtq = mean(wtq),
    mc = mean(wc);
  const eTp = ratio(wtp, y, mtp),
    eTq = ratio(wtq, y, mtq),
    eC = ratio(wc, dm, mc);
  const att = eTq - eTp - eC;
  const M1 = colMeansW(X, wc);
  const lq = c1.times(M1),
    lp = c0.times(M1);
  const inf = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const infTreat = (wtq[i]! * y[i]! - wtq[i]! * eTq) / mtq - (wtp[i]! * y[i]! - wtp[i]! * eTp) / mtp;
    const infCont = (wc[i]! * dm[i]! - wc[i]! * eC + lq[i]! - lp[i]!) / mc;
    inf[i] = infTreat - infCont;
  }
  return { att, inf };
}
