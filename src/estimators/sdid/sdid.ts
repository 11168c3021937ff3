/**
 * Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens & Wager 2021) for a
 * block design, computed as R synthdid 0.0.9 does (`synthdid_estimate`, `sc_estimate`,
 * `did_estimate`; METHODS.md §3.1–3.3).
 *
 * Y is N×T row-major (row = unit): rows 0..N0−1 controls, N0..N−1 treated; columns 0..T0−1 pre,
 * T0..T−1 post. With ω on the control simplex and λ on the pre-period simplex,
 *
 *   τ̂ = (−ω, 1/N₁)' · Y · (−λ, 1/T₁).
 *
 * Defaults (SDID): σ̂ = sd of the control units' pre-period first differences, ζ_ω = (N₁T₁)^{1/4}·σ̂,
 * ζ_λ = 1e−6·σ̂, intercepts on, min.decrease = 1e−5·σ̂, max.iter = 1e4, 100 iterations before
 * sparsification. SC: λ = 0 fixed, η_ω = 1e−6, no ω intercept. DID: ω, λ uniform and fixed.
 */
import { estimationError } from "../../core/errors.js";
import { type ColMajor, FwWorkspace, frankWolfeSparsified, type GramColumn } from "./frank-wolfe.js";
import { fwKernel, kernelLambdaProblem, kernelNoise, kernelOmegaProblem, kernelTau } from "./frank-wolfe-kernel.js";

export type SdidMethod = "sdid" | "sc" | "did";

/** A block-design panel: Y row-major N×T, controls first, pre periods first. */
export interface SdidPanel {
  Y: Float64Array;
  N: number;
  T: number;
  N0: number;
  T0: number;
}

/** The resolved solver settings (synthdid's `opts` attribute), reused by the variance estimators. */
export interface SdidSettings {
  method: SdidMethod;
  noiseLevel: number;
  zetaOmega: number;
  zetaLambda: number;
  omegaIntercept: boolean;
  lambdaIntercept: boolean;
  updateOmega: boolean;
  updateLambda: boolean;
  minDecrease: number;
  maxIter: number;
  maxIterPreSparsify: number;
  sparsify: boolean;
}

export interface SdidOptions {
  method?: SdidMethod;
  noiseLevel?: number;
  etaOmega?: number;
  etaLambda?: number;
  zetaOmega?: number;
  zetaLambda?: number;
  minDecrease?: number;
  maxIter?: number;
  maxIterPreSparsify?: number;
  sparsify?: boolean;
}

export interface SdidFit {
  estimate: number;
  /** unit weights over the N0 controls */
  omega: Float64Array;
  /** time weights over the T0 pre periods (zeros for SC) */
  lambda: Float64Array;
  settings: SdidSettings;
  /** Frank–Wolfe iterations: [λ first round, λ second round, ω first round, ω second round] */
  iterations: [number, number, number, number];
}

/** σ̂: sample sd of Y[i, t+1] − Y[i, t] over controls i < N0 and pre periods t + 1 < T0. */
export function noiseLevel(p: SdidPanel): number {
  const { Y, T, N0, T0 } = p;
  const n = N0 * (T0 - 1);
  if (n < 2) throw estimationError(`synthetic DID needs at least 2 pre-period first differences among controls (N0 = ${N0}, T0 = ${T0})`);
  const k = fwKernel();
  if (k) return kernelNoise(k, Y, T, N0, T0);
  let s = 0;
  for (let i = 0; i < N0; i++) for (let t = 0; t + 1 < T0; t++) s += Y[i * T + t + 1]! - Y[i * T + t]!;
  const m = s / n;
  let ss = 0;
  for (let i = 0; i < N0; i++) {
    for (let t = 0; t + 1 < T0; t++) {
      const d = Y[i * T + t + 1]! - Y[i * T + t]! - m;
      ss += d * d;
    }
  }
  return Math.sqrt(ss / (n - 1));
}

/** Resolve the defaults of `synthdid_estimate` / `sc_estimate` / `did_estimate` for a panel. */
export function sdidSettings(p: SdidPanel, o: SdidOptions = {}): SdidSettings {
  const method = o.method ?? "sdid";
  checkPanel(p);
  const N1 = p.N - p.N0;
  const T1 = p.T - p.T0;
  const sigma = o.noiseLevel ?? noiseLevel(p);
  const etaOmega = o.etaOmega ?? (method === "sc" ? 1e-6 : Math.pow(N1 * T1, 1 / 4));
  const etaLambda = o.etaLambda ?? 1e-6;
  return {
    method,
    noiseLevel: sigma,
    zetaOmega: o.zetaOmega ?? etaOmega * sigma,
    zetaLambda: o.zetaLambda ?? etaLambda * sigma,
    omegaIntercept: method !== "sc",
    lambdaIntercept: true,
    updateOmega: method !== "did",
    updateLambda: method === "sdid",
    minDecrease: o.minDecrease ?? 1e-5 * sigma,
    maxIter: o.maxIter ?? 1e4,
    maxIterPreSparsify: o.maxIterPreSparsify ?? 100,
    sparsify: o.sparsify ?? true,
  };
}

function checkPanel(p: SdidPanel): void {
  if (!(p.N0 >= 1 && p.N0 < p.N)) throw estimationError(`synthetic DID needs at least one control and one treated unit (N0 = ${p.N0}, N = ${p.N})`);
  if (!(p.T0 >= 1 && p.T0 < p.T)) throw estimationError(`synthetic DID needs at least one pre and one post period (T0 = ${p.T0}, T = ${p.T})`);
  if (p.Y.length !== p.N * p.T) throw new Error("SdidPanel: Y has the wrong length");
}

/** Fit on a panel with defaults resolved from the panel itself. */
export function sdid(p: SdidPanel, o: SdidOptions = {}): SdidFit {
  return sdidWithSettings(p, sdidSettings(p, o), null, null);
}

/** Work arrays reused by successive fits in this thread (the solver is synchronous, so never shared). */
const sharedWorkspace = new FwWorkspace();

/** Extra inputs that make replications cheap (see src/inference/sdid-variance.ts). */
export interface SdidHooks {
  workspace?: FwWorkspace;
  /** Gram column of the ω problem for control j of this panel (centred pre-period series) */
  omegaGram?: GramColumn;
}

/**
 * `synthdid_estimate` with explicit settings and optional initial weights (warm starts when the
 * weights are updated, fixed weights when not). The initial weights default to the estimator's:
 * uniform (SDID, DID), λ = 0 (SC).
 */
export function sdidWithSettings(
  p: SdidPanel,
  s: SdidSettings,
  omegaInit: Float64Array | null,
  lambdaInit: Float64Array | null,
  hooks: SdidHooks = {},
): SdidFit {
  checkPanel(p);
  const { N0, T0 } = p;
  const ws = hooks.workspace ?? sharedWorkspace;
  const iterations: [number, number, number, number] = [0, 0, 0, 0];
  const fwOpts = { minDecrease: s.minDecrease, maxIter: s.maxIter, maxIterPreSparsify: s.maxIterPreSparsify, sparsify: s.sparsify };

  let lambda: Float64Array;
  if (lambdaInit === null) {
    if (s.method === "sc") lambda = new Float64Array(T0);
    else lambda = new Float64Array(T0).fill(1 / T0);
  } else lambda = Float64Array.from(lambdaInit);
  if (s.updateLambda) {
    const { A, b } = lambdaProblem(p, s.lambdaIntercept);
    const r = frankWolfeSparsified(A, b, lambdaInit === null ? null : lambda, { ...fwOpts, zeta: s.zetaLambda }, ws);
    lambda = r.x;
    iterations[0] = r.iterationsPre;
    iterations[1] = r.iterations;
  }

  let omega: Float64Array;
  if (omegaInit === null) omega = new Float64Array(N0).fill(1 / N0);
  else omega = Float64Array.from(omegaInit);
  if (s.updateOmega) {
    const { A, b } = omegaProblem(p, s.omegaIntercept);
    const opts = { ...fwOpts, zeta: s.zetaOmega, ...(hooks.omegaGram ? { gramColumn: hooks.omegaGram } : {}) };
    const r = frankWolfeSparsified(A, b, omegaInit === null ? null : omega, opts, ws);
    omega = r.x;
    iterations[2] = r.iterationsPre;
    iterations[3] = r.iterations;
  }

  return { estimate: sdidTau(p, omega, lambda), omega, lambda, settings: s, iterations };
}

/**
 * The λ problem: rows = controls, columns = pre periods (A is N0×T0, column-major), target b = each
 * control's post-period mean; columns and b centred when the intercept is on.
 */
function lambdaProblem(p: SdidPanel, intercept: boolean): { A: ColMajor; b: Float64Array } {
  const { Y, N, T, N0, T0 } = p;
  const k = fwKernel();
  if (k) {
    const r = kernelLambdaProblem(k, Y, N, T, N0, T0, intercept);
    return { A: { rows: N0, cols: T0, data: r.A }, b: r.b };
  }
  const A: ColMajor = { rows: N0, cols: T0, data: new Float64Array(N0 * T0) };
  const b = new Float64Array(N0);
  for (let i = 0; i < N0; i++) {
    const off = i * T;
    for (let t = 0; t < T0; t++) A.data[t * N0 + i] = Y[off + t]!;
    let sp = 0;
    for (let t = T0; t < T; t++) sp += Y[off + t]!;
    b[i] = sp / (T - T0);
  }
  if (intercept) {
    for (let t = 0; t < T0; t++) centre(A.data, t * N0, N0);
    centre(b, 0, N0);
  }
  return { A, b };
}

/**
 * The ω problem: rows = pre periods, columns = controls (A is T0×N0, column-major), target b = the
 * treated mean per pre period; each control's series and b centred when the intercept is on.
 */
function omegaProblem(p: SdidPanel, intercept: boolean): { A: ColMajor; b: Float64Array } {
  const { Y, N, T, N0, T0 } = p;
  const k = fwKernel();
  if (k) {
    const r = kernelOmegaProblem(k, Y, N, T, N0, T0, intercept);
    return { A: { rows: T0, cols: N0, data: r.A }, b: r.b };
  }
  const A: ColMajor = { rows: T0, cols: N0, data: new Float64Array(T0 * N0) };
  const b = new Float64Array(T0);
  for (let i = 0; i < N0; i++) {
    const off = i * T;
    const o = i * T0;
    for (let t = 0; t < T0; t++) A.data[o + t] = Y[off + t]!;
    if (intercept) centre(A.data, o, T0);
  }
  for (let t = 0; t < T0; t++) {
    let sm = 0;
    for (let i = N0; i < N; i++) sm += Y[i * T + t]!;
    b[t] = sm / (N - N0);
  }
  if (intercept) centre(b, 0, T0);
  return { A, b };
}

/** Subtract the mean of v[off … off+n−1] in place. */
function centre(v: Float64Array, off: number, n: number): void {
  let m = 0;
  for (let k = 0; k < n; k++) m += v[off + k]!;
  m /= n;
  for (let k = 0; k < n; k++) v[off + k] = v[off + k]! - m;
}

/**
 * The synthetic-control-minus-treated curve s_t = Σ_i v_i Y_it with v = (−ω, 1/N₁) (synthdid's
 * `tau.sc`), per period.
 */
export function sdidContrastCurve(p: SdidPanel, omega: Float64Array): Float64Array {
  const { Y, N, T, N0 } = p;
  const N1 = N - N0;
  const s = new Float64Array(T);
  for (let i = 0; i < N; i++) {
    const v = i < N0 ? -omega[i]! : 1 / N1;
    if (v === 0) continue;
    const off = i * T;
    for (let t = 0; t < T; t++) s[t] = s[t]! + v * Y[off + t]!;
  }
  return s;
}

/** τ̂ = (−ω, 1/N₁)' Y (−λ, 1/T₁). */
export function sdidTau(p: SdidPanel, omega: Float64Array, lambda: Float64Array): number {
  const k = fwKernel();
  if (k) return kernelTau(k, p.Y, p.N, p.T, p.N0, p.T0, omega, lambda);
  const s = sdidContrastCurve(p, omega);
  const T1 = p.T - p.T0;
  let tau = 0;
  for (let t = 0; t < p.T; t++) tau += s[t]! * (t < p.T0 ? -lambda[t]! : 1 / T1);
  return tau;
}

export interface SdidTrajectory {
  /** mean of the treated units per period */
  treated: Float64Array;
  /** ω-weighted control mean per period */
  synthetic: Float64Array;
  /**
   * synthetic + the intercept (treated − synthetic, λ-weighted over the pre periods; none for SC,
   * where λ = 0), i.e. the counterfactual line the estimate compares with
   */
  syntheticShifted: Float64Array;
  /** treated − syntheticShifted per period (its post-period mean is τ̂) */
  effect: Float64Array;
}

/** Treated vs synthetic-control trajectories for the figure (synthdid's `plot` / effect curve). */
export function sdidTrajectory(p: SdidPanel, omega: Float64Array, lambda: Float64Array): SdidTrajectory {
  const { Y, N, T, N0, T0 } = p;
  const treated = new Float64Array(T);
  const synthetic = new Float64Array(T);
  for (let i = 0; i < N; i++) {
    const off = i * T;
    if (i < N0) {
      const w = omega[i]!;
      if (w !== 0) for (let t = 0; t < T; t++) synthetic[t] = synthetic[t]! + w * Y[off + t]!;
    } else for (let t = 0; t < T; t++) treated[t] = treated[t]! + Y[off + t]! / (N - N0);
  }
  let lsum = 0;
  for (let t = 0; t < T0; t++) lsum += lambda[t]!;
  let gap = 0;
  if (lsum > 0) for (let t = 0; t < T0; t++) gap += ((treated[t]! - synthetic[t]!) * lambda[t]!) / lsum;
  const syntheticShifted = new Float64Array(T);
  const effect = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    syntheticShifted[t] = synthetic[t]! + gap;
    effect[t] = treated[t]! - syntheticShifted[t]!;
  }
  return { treated, synthetic, syntheticShifted, effect };
}
