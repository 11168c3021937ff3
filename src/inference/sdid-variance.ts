/**
 * Standard errors for synthetic DID as R synthdid 0.0.9 `vcov(est, method = …)` computes them
 * (Arkhangelsky et al. 2021, Algorithms 2–4; METHODS.md §3.4):
 *
 * - placebo (Algorithm 4): r times, permute the controls, call the last N₁ of them treated, and
 *   re-estimate with the original ζ's, intercepts and stopping rule, warm-starting ω from the
 *   original ω restricted to the placebo controls (renormalised) and λ from the original λ;
 *   SE = sqrt((r−1)/r)·sd(τ̂_b). Refused unless N₀ > N₁.
 * - bootstrap (Algorithm 2): resample the N units with replacement (redraw when the sample has no
 *   treated or no control unit), re-estimate with the same warm starts; SE = sqrt((B−1)/B)·sd.
 *   NA with one treated unit.
 * - jackknife (Algorithm 3, fixed weights): drop each unit in turn, keep λ and the renormalised ω,
 *   SE = sqrt(((n−1)/n)·Σ(u_i − ū)²). NA with one treated unit or one control with ω ≠ 0.
 *
 * All draws come from the seeded `Rng`; the same seed gives the same draws and SE bit for bit.
 */
import { estimationError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import { FwWorkspace, sumNormalize } from "../estimators/frank-wolfe.js";
import { type SdidFit, type SdidOptions, type SdidPanel, sdidTau, sdidWithSettings } from "../estimators/sdid.js";
import { type StaggeredFit, type StaggeredPanel, sdidStaggered } from "../estimators/sdid-staggered.js";

export type SdidSeMethod = "placebo" | "bootstrap" | "jackknife";

export interface SdidSeResult {
  method: SdidSeMethod;
  /** NaN when the method is not defined for this design (see `note`) */
  se: number;
  /** replicate estimates (jackknife: leave-one-out estimates) */
  draws: Float64Array;
  replications: number;
  note?: string;
}

export interface SdidSeOptions {
  replications?: number;
  onProgress?: (done: number) => void;
}

/** Rows `rows` of a row-major N×T matrix, in that order. */
function subPanel(p: SdidPanel, rows: ArrayLike<number>, N0: number, out?: Float64Array): SdidPanel {
  const T = p.T;
  const n = rows.length;
  const Y = out && out.length === n * T ? out : new Float64Array(n * T);
  for (let k = 0; k < n; k++) {
    const src = rows[k]! * T;
    Y.set(p.Y.subarray(src, src + T), k * T);
  }
  return { Y, N: n, T, N0, T0: p.T0 };
}

/** Population sd scaling of synthdid: sqrt((r−1)/r)·sd(x). */
function scaledSd(x: Float64Array): number {
  const r = x.length;
  if (r < 2) return Number.NaN;
  let m = 0;
  for (let k = 0; k < r; k++) m += x[k]!;
  m /= r;
  let ss = 0;
  for (let k = 0; k < r; k++) ss += (x[k]! - m) ** 2;
  return Math.sqrt((r - 1) / r) * Math.sqrt(ss / (r - 1));
}

/**
 * Gram matrix of the ω problem's columns for all controls (their pre-period series, centred over
 * time when the ω intercept is on). These columns do not depend on which units are treated, so one
 * matrix serves every placebo draw. Returns null when it would be too large (N₀ > 4000).
 */
function controlGram(p: SdidPanel, fit: SdidFit): Float64Array | null {
  const { Y, T, N0, T0 } = p;
  if (N0 > 4000 || !fit.settings.updateOmega) return null;
  const Z = new Float64Array(N0 * T0);
  for (let i = 0; i < N0; i++) {
    let m = 0;
    for (let t = 0; t < T0; t++) m += Y[i * T + t]!;
    m = fit.settings.omegaIntercept ? m / T0 : 0;
    for (let t = 0; t < T0; t++) Z[i * T0 + t] = Y[i * T + t]! - m;
  }
  const G = new Float64Array(N0 * N0);
  for (let i = 0; i < N0; i++) {
    const oi = i * T0;
    for (let j = i; j < N0; j++) {
      const oj = j * T0;
      let s = 0;
      for (let t = 0; t < T0; t++) s += Z[oi + t]! * Z[oj + t]!;
      G[i * N0 + j] = s;
      G[j * N0 + i] = s;
    }
  }
  return G;
}

/** Placebo SE (Algorithm 4). */
export function sdidPlaceboSe(p: SdidPanel, fit: SdidFit, rng: Rng, o: SdidSeOptions = {}): SdidSeResult {
  const reps = o.replications ?? 200;
  const { N, N0 } = p;
  const N1 = N - N0;
  if (N0 <= N1) throw estimationError(`placebo standard errors need more controls than treated units (N0 = ${N0}, N1 = ${N1}), as synthdid requires`);
  const G = controlGram(p, fit);
  const perm = new Int32Array(N0);
  const ws = new FwWorkspace();
  const draws = new Float64Array(reps);
  const nc = N0 - N1;
  const buf = new Float64Array(N0 * p.T);
  const omegaStart = new Float64Array(nc);
  const hookGram = G
    ? (j: number, out: Float64Array) => {
        const row = perm[j]! * N0;
        for (let k = 0; k < nc; k++) out[k] = G[row + perm[k]!]!;
      }
    : undefined;
  for (let b = 0; b < reps; b++) {
    for (let k = 0; k < N0; k++) perm[k] = k;
    rng.shuffle(perm);
    const sub = subPanel(p, perm, nc, buf);
    for (let k = 0; k < nc; k++) omegaStart[k] = fit.omega[perm[k]!]!;
    const f = sdidWithSettings(sub, fit.settings, sumNormalize(omegaStart), fit.lambda, { workspace: ws, ...(hookGram ? { omegaGram: hookGram } : {}) });
    draws[b] = f.estimate;
    o.onProgress?.(b + 1);
  }
  return { method: "placebo", se: scaledSd(draws), draws, replications: reps };
}

/** Bootstrap SE (Algorithm 2). */
export function sdidBootstrapSe(p: SdidPanel, fit: SdidFit, rng: Rng, o: SdidSeOptions = {}): SdidSeResult {
  const reps = o.replications ?? 200;
  const { N, N0 } = p;
  if (N - N0 === 1) return { method: "bootstrap", se: Number.NaN, draws: new Float64Array(0), replications: 0, note: "bootstrap SE is not defined with a single treated unit (synthdid returns NA); use placebo" };
  const ws = new FwWorkspace();
  const draws = new Float64Array(reps);
  const ind = new Int32Array(N);
  let count = 0;
  while (count < reps) {
    for (let k = 0; k < N; k++) ind[k] = rng.int(N);
    ind.sort();
    let n0 = 0;
    while (n0 < N && ind[n0]! < N0) n0++;
    if (n0 === 0 || n0 === N) continue; // no control or no treated unit: redraw
    const sub = subPanel(p, ind, n0);
    const start = new Float64Array(n0);
    for (let k = 0; k < n0; k++) start[k] = fit.omega[ind[k]!]!;
    const f = sdidWithSettings(sub, fit.settings, sumNormalize(start), fit.lambda, { workspace: ws });
    draws[count++] = f.estimate;
    o.onProgress?.(count);
  }
  return { method: "bootstrap", se: scaledSd(draws), draws, replications: reps };
}

/** Fixed-weights jackknife SE (Algorithm 3). */
export function sdidJackknifeSe(p: SdidPanel, fit: SdidFit): SdidSeResult {
  const { N, N0 } = p;
  let nonzero = 0;
  for (let k = 0; k < N0; k++) if (fit.omega[k] !== 0) nonzero++;
  if (N - N0 === 1) return { method: "jackknife", se: Number.NaN, draws: new Float64Array(0), replications: 0, note: "jackknife SE is not defined with a single treated unit (synthdid returns NA); use placebo" };
  if (nonzero === 1) return { method: "jackknife", se: Number.NaN, draws: new Float64Array(0), replications: 0, note: "jackknife SE is not defined when only one control has a non-zero weight (synthdid returns NA)" };
  const u = new Float64Array(N);
  const rows = new Int32Array(N - 1);
  for (let i = 0; i < N; i++) {
    let k = 0;
    for (let j = 0; j < N; j++) if (j !== i) rows[k++] = j;
    const n0 = i < N0 ? N0 - 1 : N0;
    const om = new Float64Array(n0);
    for (let j = 0, m = 0; j < N0; j++) if (j !== i) om[m++] = fit.omega[j]!;
    u[i] = sdidTau(subPanel(p, rows, n0), sumNormalize(om), fit.lambda);
  }
  let m = 0;
  for (let i = 0; i < N; i++) m += u[i]!;
  m /= N;
  let ss = 0;
  for (let i = 0; i < N; i++) ss += (u[i]! - m) ** 2;
  return { method: "jackknife", se: Math.sqrt(((N - 1) / N) * ss), draws: u, replications: N };
}

/** Dispatch on the method name. */
export function sdidSe(method: SdidSeMethod, p: SdidPanel, fit: SdidFit, rng: Rng, o: SdidSeOptions = {}): SdidSeResult {
  if (method === "placebo") return sdidPlaceboSe(p, fit, rng, o);
  if (method === "bootstrap") return sdidBootstrapSe(p, fit, rng, o);
  return sdidJackknifeSe(p, fit);
}

/**
 * Standard errors of the staggered ATT (Stata `sdid` semantics, METHODS.md §3.5), each replication
 * re-running the whole per-cohort estimator (ζ's recomputed, weights re-optimised from scratch):
 * - placebo: permute the never-treated units, give the last N_tr of them the treated units'
 *   adoption periods, estimate on the never-treated only; needs more never-treated than treated units;
 * - bootstrap: resample units with replacement (redraw when no treated or no never-treated unit);
 *   NA with a single treated unit;
 * - jackknife (fixed weights): drop each unit, keep each cohort's λ and renormalised ω, recompute
 *   τ̂_a and w_a; NA unless every cohort has at least two treated units.
 */
export function sdidStaggeredSe(
  method: SdidSeMethod,
  p: StaggeredPanel,
  fit: StaggeredFit,
  est: SdidOptions,
  rng: Rng,
  o: SdidSeOptions = {},
): SdidSeResult {
  const reps = o.replications ?? 200;
  const never: number[] = [];
  const treatedAdoption: number[] = [];
  for (let i = 0; i < p.N; i++) {
    if (p.adoption[i]! < 0) never.push(i);
    else treatedAdoption.push(p.adoption[i]!);
  }
  treatedAdoption.sort((a, b) => a - b);
  const Ntr = treatedAdoption.length;
  const na = (note: string): SdidSeResult => ({ method, se: Number.NaN, draws: new Float64Array(0), replications: 0, note });
  if (method === "placebo") {
    const Nco = never.length;
    if (Nco <= Ntr) throw estimationError(`placebo standard errors need more never-treated than treated units (${Nco} ≤ ${Ntr})`);
    const draws = new Float64Array(reps);
    const perm = Int32Array.from(never);
    const adoption = new Int32Array(Nco);
    for (let b = 0; b < reps; b++) {
      rng.shuffle(perm);
      const Y = new Float64Array(Nco * p.T);
      for (let k = 0; k < Nco; k++) {
        Y.set(p.Y.subarray(perm[k]! * p.T, perm[k]! * p.T + p.T), k * p.T);
        adoption[k] = k < Nco - Ntr ? -1 : treatedAdoption[k - (Nco - Ntr)]!;
      }
      draws[b] = sdidStaggered({ Y, N: Nco, T: p.T, adoption }, est).att;
      o.onProgress?.(b + 1);
    }
    return { method, se: scaledSd(draws), draws, replications: reps };
  }
  if (method === "bootstrap") {
    if (Ntr === 1) return na("bootstrap SE is not defined with a single treated unit; use placebo");
    const draws = new Float64Array(reps);
    const ind = new Int32Array(p.N);
    let count = 0;
    while (count < reps) {
      for (let k = 0; k < p.N; k++) ind[k] = rng.int(p.N);
      ind.sort();
      let nNever = 0;
      for (let k = 0; k < p.N; k++) if (p.adoption[ind[k]!]! < 0) nNever++;
      if (nNever === 0 || nNever === p.N) continue;
      draws[count++] = sdidStaggered(p, est, ind).att;
      o.onProgress?.(count);
    }
    return { method, se: scaledSd(draws), draws, replications: reps };
  }
  for (const c of fit.cohorts) if (c.nTreated < 2) return na(`jackknife SE needs at least two treated units in every adoption cohort (cohort at period index ${c.adoption} has ${c.nTreated})`);
  const u = new Float64Array(p.N);
  for (let i = 0; i < p.N; i++) {
    let att = 0;
    let wsum = 0;
    for (const c of fit.cohorts) {
      const pos = c.rows.indexOf(i);
      let tau = c.fit.estimate;
      let nTr = c.nTreated;
      if (pos >= 0) {
        const rows = Int32Array.from({ length: c.panel.N - 1 }, (_, k) => (k < pos ? k : k + 1));
        const n0 = pos < c.panel.N0 ? c.panel.N0 - 1 : c.panel.N0;
        if (pos >= c.panel.N0) nTr--;
        const om = new Float64Array(n0);
        for (let j = 0, m = 0; j < c.panel.N0; j++) if (j !== pos) om[m++] = c.fit.omega[j]!;
        tau = sdidTau(subPanel(c.panel, rows, n0), sumNormalize(om), c.fit.lambda);
      }
      const w = nTr * c.tPost;
      att += w * tau;
      wsum += w;
    }
    u[i] = att / wsum;
  }
  let m = 0;
  for (let i = 0; i < p.N; i++) m += u[i]!;
  m /= p.N;
  let ss = 0;
  for (let i = 0; i < p.N; i++) ss += (u[i]! - m) ** 2;
  return { method, se: Math.sqrt(((p.N - 1) / p.N) * ss), draws: u, replications: p.N };
}
