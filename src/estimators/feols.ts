/**
 * OLS with any number of absorbed fixed effects (the fixest `feols` / reghdfe model).
 * API contract shared by every estimator that needs a TWFE-type regression. Implementation: FWL —
 * demean y and X on all fixed effects (src/estimators/demean.ts), then OLS on the demeaned data.
 */
import type { Mat } from "../core/linalg.js";

/** One fixed-effect dimension: integer codes 0..nLevels−1 per observation. */
export interface FixedEffectInput {
  /** display name, e.g. "countyreal" or "countyreal^year" */
  name: string;
  codes: Int32Array;
  nLevels: number;
  /**
   * Varying slopes (fixest `fe[x]`): one coefficient per level for each slope variable. With
   * `slopesOnly` (fixest `fe[[x]]`) the fixed effect itself (level intercepts) is not included.
   */
  slopes?: { name: string; values: Float64Array }[];
  slopesOnly?: boolean;
}

export interface FeolsInput {
  y: Float64Array;
  yName: string;
  x: { name: string; values: Float64Array }[];
  fixedEffects: FixedEffectInput[];
  /** observation weights (fixest `weights`) */
  weights?: Float64Array;
  /** add an intercept column; only meaningful without fixed effects (default: true when there are none) */
  intercept?: boolean;
  /** demeaning convergence tolerance (default 1e-10 relative, tighter than fixest's 1e-6 so refs match to 1e-9) */
  tol?: number;
  /** demeaning iteration cap (default 10000) */
  maxIter?: number;
  /** drop observations that are singletons in some fixed effect, iteratively (default false, as fixest) */
  removeSingletons?: boolean;
  /** collinearity tolerance for dropping regressors (default 1e-9, fixest's collin.tol) */
  collinTol?: number;
}

export interface FeolsFit {
  yName: string;
  /** names of the estimated (non-dropped) coefficients, in input order */
  coefNames: string[];
  coef: Float64Array;
  /** regressors dropped as collinear (with the fixed effects or each other) */
  droppedCollinear: string[];
  /** indices (into the input rows) of the observations used, or null if all were used */
  keep: Int32Array | null;
  singletonsRemoved: number;
  nobs: number;
  /** demeaned regressors (kept coefficients only) and outcome, on the used observations */
  xTilde: Float64Array[];
  yTilde: Float64Array;
  residuals: Float64Array;
  weights: Float64Array | null;
  /** (X̃'WX̃)^{-1} */
  bread: Mat;
  /** fixed effects as used (codes restricted to kept observations and re-indexed) */
  fixedEffects: FixedEffectInput[];
  /** number of parameters: k + Σ_q (L_q − 1) + 1 for FE models (fixest nparams; slopes add L_q each) */
  nparams: number;
  /** Σ w ê² */
  ssr: number;
  r2: number;
  adjR2: number;
  withinR2: number | null;
  converged: boolean;
  iterations: number;
}

export type { Mat };
