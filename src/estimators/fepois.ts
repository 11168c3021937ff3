/**
 * Poisson pseudo-maximum likelihood (PPML) with any number of fixed effects — the model of fixest's `fepois`:
 * E[y | x, FE] = exp(x'β + Σ_q α_q + offset), estimated by iteratively reweighted least squares on the
 * demeaning kernel (fixest's `feglm.fit` algorithm, Bergé 2018):
 *
 *   start   μ = y + 0.1, η = log μ (R's poisson()$initialize); "old" deviance at η = 1e-5 everywhere;
 *   repeat  z = η − offset + (y − μ)/μ,  w = ω·μ  (ω the observation weights);
 *           weighted within regression of z on X (feols with weights w: demean z and X on every FE with
 *           weights w, β = (X̃'WX̃)⁻¹X̃'Wz̃), η = z − r̃ + offset (r̃ the WLS residuals), μ = exp(η) (DBL_EPSILON
 *           when η < −36); deviance D = 2 Σ ω [y log(y/μ) − (y − μ)];
 *           step halving (η ← (η + η_old)/2, up to 25 times) when D is not finite, μ invalid, or D rose;
 *   until   |D − D_old| / (0.1 + |D|) < glmTol (1e-8, fixest's glm.tol).
 *
 * Observations in a fixed-effect level whose outcomes are all zero carry no information (their level's α
 * goes to −∞) and are removed first (fixest's fixef.rm = "perfect"); with `removeSingletons` singletons are
 * removed too, and both rules are re-applied until no level qualifies (a removed singleton with y > 0 can
 * leave another level with only zeros).
 */
import type { Mat } from "../core/linalg.js";
import { lgamma } from "../core/distributions.js";
import { estimationError, inputError } from "../core/errors.js";
import { compactCodes, feols, take, takeInt, type FeolsFit, type FixedEffectInput } from "./feols.js";

export interface FepoisInput {
  /** outcome: counts or any non-negative values (PPML) */
  y: Float64Array;
  yName: string;
  x: { name: string; values: Float64Array }[];
  fixedEffects: FixedEffectInput[];
  /** observation weights ω (fixest `weights`) */
  weights?: Float64Array;
  /** offset added to the linear predictor with coefficient 1 (fixest `offset`, e.g. log exposure) */
  offset?: Float64Array;
  /** also drop singletons (fixest fixef.rm = "both"); default false (fixest's fepois default "perfect") */
  removeSingletons?: boolean;
  /** IRLS convergence tolerance on the deviance (default 1e-8, fixest glm.tol) */
  glmTol?: number;
  /** IRLS iteration cap (default 25, fixest glm.iter) */
  glmIter?: number;
  /** demeaning tolerance of each weighted regression (default 1e-10) */
  tol?: number;
  /** collinearity tolerance (default 1e-9) */
  collinTol?: number;
}

export interface FepoisFit {
  yName: string;
  coefNames: string[];
  coef: Float64Array;
  droppedCollinear: string[];
  /** input rows used (ascending), or null if all were used */
  keep: Int32Array | null;
  /** observations removed because their level of some fixed effect has only zero outcomes */
  feAllZeroRemoved: number;
  /** observations removed as singletons (only with removeSingletons) */
  singletonsRemoved: number;
  /** per fixed effect: levels removed (all-zero outcome or singleton) */
  feLevelsRemoved: Record<string, number>;
  nobs: number;
  /** fixed effects as used (codes over the kept rows, re-indexed) */
  fixedEffects: FixedEffectInput[];
  /**
   * The last weighted regression (feols with the IRLS weights w): its xTilde, residuals (working residuals
   * z̃ − X̃β), weights (w) and bread ((X̃'WX̃)⁻¹ = fixest's cov.iid) feed the variance (fepoisVcov).
   */
  wls: FeolsFit;
  /** fitted means μ and linear predictor η (offset included) on the kept rows */
  mu: Float64Array;
  eta: Float64Array;
  /** (X̃'WX̃)⁻¹ */
  bread: Mat;
  /** k + Σ_q (L_q − 1) + 1 with fixed effects (fixest nparams) */
  nparams: number;
  deviance: number;
  /** Σ ω [y η − μ − ln Γ(y + 1)] */
  loglik: number;
  /** log-likelihood of the intercept-only model (no offset, as fixest): Σωy·log(Σωy/Σω) − Σωy − Σω ln Γ(y + 1) */
  llNull: number;
  /** 1 − loglik / llNull (McFadden) */
  pseudoR2: number;
  /** 1 − (loglik − nparams + 1) / llNull */
  adjPseudoR2: number;
  /** squared correlation of y and μ */
  sqCor: number;
  /** −2 loglik + 2 nparams, −2 loglik + nparams·ln n */
  aic: number;
  bic: number;
  iterations: number;
  converged: boolean;
  /** times the deviance needed step halving */
  stepHalvings: number;
}

/**
 * Rows kept after removing, until nothing changes, every level of every FE whose outcomes are all zero
 * (and, with `singletons`, every level with one observation). Returns the kept rows (null: all kept), the
 * two counts and the levels removed per FE. One round suffices for the zero rule alone (removing zero
 * rows never empties another level of its positive outcomes); the loop matters when singletons are removed.
 */
export function allZeroKeep(
  y: Float64Array,
  fes: FixedEffectInput[],
  singletons: boolean,
): { keep: Int32Array | null; zero: number; singletons: number; levels: number[] } {
  const n = y.length;
  const alive = new Uint8Array(n).fill(1);
  const levelGone = fes.map((f) => new Uint8Array(f.nLevels));
  let zero = 0,
    single = 0;
  for (;;) {
    let changed = false;
    for (let q = 0; q < fes.length; q++) {
      const { codes, nLevels } = fes[q]!;
      const sy = new Float64Array(nLevels),
        cnt = new Int32Array(nLevels);
      for (let i = 0; i < n; i++)
        if (alive[i]) {
          sy[codes[i]!]! += y[i]!;
          cnt[codes[i]!]!++;
        }
      for (let i = 0; i < n; i++) {
        if (!alive[i]) continue;
        const g = codes[i]!;
        if (cnt[g]! > 0 && sy[g] === 0) {
          alive[i] = 0;
          zero++;
          levelGone[q]![g] = 1;
          changed = true;
        } else if (singletons && cnt[g] === 1) {
          alive[i] = 0;
          single++;
          levelGone[q]![g] = 1;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  const levels = levelGone.map((l) => l.reduce((s, v) => s + v, 0));
  const removed = zero + single;
  if (removed === 0) return { keep: null, zero, singletons: single, levels };
  const keep = new Int32Array(n - removed);
  for (let i = 0, m = 0; i < n; i++) if (alive[i]) keep[m++] = i;
  return { keep, zero, singletons: single, levels };
}

/** fixest's Poisson inverse link: exp(η), floored at DBL_EPSILON below η = −36. */
function linkinv(eta: Float64Array, mu: Float64Array): void {
  for (let i = 0; i < eta.length; i++) {
    const e = eta[i]!;
    mu[i] = e < -36 ? Number.EPSILON : Math.exp(e);
  }
}

/** μ valid: finite and positive everywhere. */
function validMu(mu: Float64Array): boolean {
  for (let i = 0; i < mu.length; i++) {
    const m = mu[i]!;
    if (!(m > 0) || m === Infinity) return false;
  }
  return true;
}

/** D = 2 (C − Σ ω y η + Σ ω μ), C = Σ_{y>0} ω (y log y − y): the Poisson deviance in fixest's form. */
function deviance(y: Float64Array, eta: Float64Array, mu: Float64Array, w: Float64Array | null, C: number): number {
  let s = 0;
  const n = y.length;
  if (w) for (let i = 0; i < n; i++) s += w[i]! * (mu[i]! - y[i]! * eta[i]!);
  else for (let i = 0; i < n; i++) s += mu[i]! - y[i]! * eta[i]!;
  return 2 * (C + s);
}

function checkFinite(name: string, v: Float64Array): void {
  for (let i = 0; i < v.length; i++)
    if (!Number.isFinite(v[i]!))
      throw inputError(`variable "${name}" is missing or not finite at row ${i + 1}: drop such rows before estimation`, { row: i + 1, column: name });
}

/**
 * Poisson PPML with fixed effects by IRLS (see the file comment for the iteration, which follows fixest's
 * feglm.fit). Refuses negative outcomes (naming the row), negative weights and non-finite values.
 * Fit statistics as fixest: loglik = Σω[yη − μ − lnΓ(y+1)], pseudo R² = 1 − loglik/ll_null,
 * adjusted 1 − (loglik − nparams + 1)/ll_null, sq.cor = cor(y, μ)², AIC/BIC with nparams.
 */
export function fepois(input: FepoisInput): FepoisFit {
  const n0 = input.y.length;
  checkFinite(input.yName, input.y);
  for (let i = 0; i < n0; i++)
    if (input.y[i]! < 0)
      throw inputError(`the Poisson outcome "${input.yName}" must be zero or positive, found ${input.y[i]} at row ${i + 1}`, {
        row: i + 1,
        column: input.yName,
      });
  for (const xv of input.x) {
    if (xv.values.length !== n0) throw inputError(`regressor "${xv.name}" has ${xv.values.length} values, expected ${n0}`);
    checkFinite(xv.name, xv.values);
  }
  for (const fe of input.fixedEffects) if (fe.codes.length !== n0) throw inputError(`fixed effect "${fe.name}" has ${fe.codes.length} codes, expected ${n0}`);
  if (input.weights) {
    if (input.weights.length !== n0) throw inputError(`weights have ${input.weights.length} values, expected ${n0}`);
    checkFinite("weights", input.weights);
    for (let i = 0; i < n0; i++) if (input.weights[i]! < 0) throw inputError(`negative weight at row ${i + 1}`, { row: i + 1, column: "weights" });
  }
  if (input.offset) {
    if (input.offset.length !== n0) throw inputError(`offset has ${input.offset.length} values, expected ${n0}`);
    checkFinite("offset", input.offset);
  }

  let anyPositive = false;
  for (let i = 0; i < n0 && !anyPositive; i++) anyPositive = input.y[i]! > 0;
  if (!anyPositive) throw estimationError(`the outcome "${input.yName}" is 0 everywhere: a Poisson model cannot be estimated`);
  const rm = input.fixedEffects.length
    ? allZeroKeep(input.y, input.fixedEffects, !!input.removeSingletons)
    : { keep: null, zero: 0, singletons: 0, levels: [] as number[] };
  const keep = rm.keep;
  const n = keep ? keep.length : n0;
  if (n === 0) throw estimationError("no observation left: every fixed-effect group has only zero outcomes");
  const y = take(input.y, keep);
  const om = input.weights ? take(input.weights, keep) : null;
  const offset = input.offset ? take(input.offset, keep) : null;
  const fes: FixedEffectInput[] = input.fixedEffects.map((fe) => {
    const c = compactCodes(takeInt(fe.codes, keep), fe.nLevels);
    return { name: fe.name, codes: c.codes, nLevels: c.nLevels };
  });
  const xs = input.x.map((v) => ({ name: v.name, values: take(v.values, keep) }));
  const feLevelsRemoved: Record<string, number> = {};
  input.fixedEffects.forEach((fe, q) => (feLevelsRemoved[fe.name] = rm.levels[q] ?? 0));

  const glmTol = input.glmTol ?? 1e-8;
  const glmIter = input.glmIter ?? 25;
  const tol = input.tol ?? 1e-10;

  let C = 0;
  for (let i = 0; i < n; i++) {
    const yi = y[i]!;
    if (yi > 0) C += (om ? om[i]! : 1) * (yi * Math.log(yi) - yi);
  }
  // starting values (R's poisson initialize) and the starting deviance at η = 1e-5
  const mu = new Float64Array(n),
    eta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mu[i] = y[i]! + 0.1;
    eta[i] = Math.log(mu[i]!);
  }
  let devOld;
  {
    const e0 = new Float64Array(n).fill(1e-5),
      m0 = new Float64Array(n).fill(Math.exp(1e-5));
    devOld = deviance(y, e0, m0, om, C);
  }
  // η − offset of the previous accepted iteration (fixest's wols_old$fitted.values), for step halving
  let fittedOld = new Float64Array(n).fill(1e-5);
  const z = new Float64Array(n),
    w = new Float64Array(n);
  let wls: FeolsFit | null = null;
  let dev = devOld;
  let converged = false,
    iterations = 0,
    stepHalvings = 0;
  for (let iter = 1; iter <= glmIter; iter++) {
    iterations = iter;
    for (let i = 0; i < n; i++) {
      const m = mu[i]!;
      z[i] = (offset ? eta[i]! - offset[i]! : eta[i]!) + (y[i]! - m) / m;
      w[i] = om ? om[i]! * m : m;
    }
    wls = feols({ y: z, yName: input.yName, x: xs, fixedEffects: fes, weights: w, tol, collinTol: input.collinTol ?? 1e-9 });
    if (wls.coef.some((b) => !Number.isFinite(b))) throw estimationError(`the weighted regression returned non-finite coefficients at IRLS iteration ${iter}`);
    const fitted = new Float64Array(n);
    const r = wls.residuals;
    for (let i = 0; i < n; i++) {
      fitted[i] = z[i]! - r[i]!;
      eta[i] = offset ? fitted[i]! + offset[i]! : fitted[i]!;
    }
    linkinv(eta, mu);
    dev = deviance(y, eta, mu, om, C);
    let evol = dev - devOld;
    const noSH = Number.isFinite(dev) && (Math.abs(evol) < glmTol || Math.abs(evol) / (0.1 + Math.abs(dev)) < glmTol);
    if (!noSH && (!Number.isFinite(dev) || evol > 0 || !validMu(mu))) {
      if (!Number.isFinite(dev)) stepHalvings++;
      let sh = 0;
      while (!Number.isFinite(dev) || evol > 0 || !validMu(mu)) {
        if (iter === 1 && Number.isFinite(dev) && validMu(mu) && sh >= 2) break;
        if (sh === glmIter) {
          if (iter === 1) throw estimationError("the IRLS algorithm failed at its first iteration: step halving found no valid parameters");
          if (!Number.isFinite(dev) || !validMu(mu))
            throw estimationError(
              `the IRLS algorithm diverged at iteration ${iter} (${Number.isFinite(dev) ? "invalid fitted means" : "non-finite deviance"}) despite step halving`,
            );
          break;
        }
        sh++;
        for (let i = 0; i < n; i++) {
          fitted[i] = (fittedOld[i]! + fitted[i]!) / 2;
          eta[i] = offset ? fitted[i]! + offset[i]! : fitted[i]!;
        }
        linkinv(eta, mu);
        dev = deviance(y, eta, mu, om, C);
        evol = dev - devOld;
      }
      evol = Infinity; // never stop right after a step halving
    }
    if (Math.abs(evol) / (0.1 + Math.abs(dev)) < glmTol) {
      converged = true;
      break;
    }
    devOld = dev;
    fittedOld = fitted;
  }
  const fit = wls!;
  if (fit.coef.length === 0 && input.x.length > 0)
    throw estimationError(`every regressor was dropped as collinear with the fixed effects (${fit.droppedCollinear.join(", ")}); nothing to estimate`);

  // fit statistics
  let ll = 0,
    sy = 0,
    sw = 0,
    lfact = 0;
  for (let i = 0; i < n; i++) {
    const wi = om ? om[i]! : 1,
      yi = y[i]!;
    const lf = lgamma(yi + 1);
    ll += wi * (yi * eta[i]! - mu[i]! - lf);
    sy += wi * yi;
    sw += wi;
    lfact += wi * lf;
  }
  const llNull = sy > 0 ? sy * Math.log(sy) - sy * Math.log(sw) - sy - lfact : -lfact;
  let my = 0,
    mm = 0;
  for (let i = 0; i < n; i++) {
    my += y[i]!;
    mm += mu[i]!;
  }
  my /= n;
  mm /= n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    const a = y[i]! - my,
      b = mu[i]! - mm;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  const nparams = fit.nparams;
  return {
    yName: input.yName,
    coefNames: fit.coefNames,
    coef: fit.coef,
    droppedCollinear: fit.droppedCollinear,
    keep,
    feAllZeroRemoved: rm.zero,
    singletonsRemoved: rm.singletons,
    feLevelsRemoved,
    nobs: n,
    fixedEffects: fes,
    wls: fit,
    mu,
    eta,
    bread: fit.bread,
    nparams,
    deviance: dev,
    loglik: ll,
    llNull,
    pseudoR2: 1 - ll / llNull,
    adjPseudoR2: 1 - (ll - nparams + 1) / llNull,
    sqCor: syy > 0 ? (sxy * sxy) / (sxx * syy) : NaN,
    aic: -2 * ll + 2 * nparams,
    bic: -2 * ll + nparams * Math.log(n),
    iterations,
    converged,
    stepHalvings,
  };
}
