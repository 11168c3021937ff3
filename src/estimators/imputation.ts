/**
 * Borusyak–Jaravel–Spiess (2024) imputation estimator for staggered adoption (R didimputation
 * `did_imputation`, METHODS.md §4.4): the math only. Inference extras (pre-trend Wald test) live in
 * src/analyses/imputation.ts.
 */
import { choleskyPivotless, mat } from "../core/linalg.js";
import { estimationError } from "../core/errors.js";
import { factorizeNumbers } from "../data/factor.js";
import { feols } from "./feols.js";

/**
 * Exact solver for the normal equations of a two-way fixed-effect design (unit α_i + period γ_t) on a
 * set of observations, for ANY right-hand side: F'F θ = a with θ = (α, γ), a = (a_U, a_T).
 *
 * F'F = [[D_U, C], [C', D_T]] with D_U, D_T the per-level observation counts and C the unit×period
 * incidence. Eliminating α (Schur complement on the period block, which is small in panels):
 *   S γ = a_T − C'D_U⁻¹a_U,  S = D_T − C'D_U⁻¹C (T×T),   α = D_U⁻¹(a_U − Cγ).
 * S is singular (one null direction per connected component of the unit–period graph, plus periods
 * with no observation); it is factored once by a Cholesky that skips dependent columns (their γ is set
 * to 0), which yields one solution of the consistent system — every identified quantity (α_i + γ_t for
 * i, t in one component, F θ) is unique. Cost: Σ_i n_i² to build S, O(T³) to factor, O(n) per solve.
 */
export class TwoWayNormal {
  readonly nUnits: number;
  readonly nTimes: number;
  /** observations per unit / per period */
  readonly unitCount: Float64Array;
  readonly timeCount: Float64Array;
  /** connected component of each unit and period (−1 for levels with no observation) */
  readonly unitComp: Int32Array;
  readonly timeComp: Int32Array;
  private readonly unit: Int32Array;
  private readonly time: Int32Array;
  private readonly L: Float64Array;
  private readonly kept: number[];

  /** `unit`, `time`: codes of the observations (0..nUnits−1, 0..nTimes−1). */
  constructor(unit: Int32Array, time: Int32Array, nUnits: number, nTimes: number) {
    const n = unit.length;
    this.unit = unit;
    this.time = time;
    this.nUnits = nUnits;
    this.nTimes = nTimes;
    const cu = new Float64Array(nUnits),
      ct = new Float64Array(nTimes);
    for (let j = 0; j < n; j++) {
      cu[unit[j]!]!++;
      ct[time[j]!]!++;
    }
    this.unitCount = cu;
    this.timeCount = ct;
    // group observations by unit (counting sort) to build C'D_U⁻¹C
    const start = new Int32Array(nUnits + 1);
    for (let j = 0; j < n; j++) start[unit[j]! + 1]!++;
    for (let u = 0; u < nUnits; u++) start[u + 1]! += start[u]!;
    const pos = start.slice(0, nUnits);
    const byUnit = new Int32Array(n);
    for (let j = 0; j < n; j++) byUnit[pos[unit[j]!]!++] = time[j]!;
    const T = nTimes;
    const S = new Float64Array(T * T);
    for (let t = 0; t < T; t++) S[t * T + t] = ct[t]!;
    for (let u = 0; u < nUnits; u++) {
      const a = start[u]!,
        b = start[u + 1]!;
      if (b === a) continue;
      const inv = 1 / (b - a);
      for (let p = a; p < b; p++) {
        const tp = byUnit[p]! * T;
        for (let q = a; q < b; q++) S[tp + byUnit[q]!]! -= inv;
      }
    }
    const ch = choleskyPivotless(mat(T, T, S), 1e-10);
    this.L = ch.L.data;
    this.kept = ch.kept;
    // connected components of the bipartite unit–period graph (union–find over nU + nT nodes)
    const parent = new Int32Array(nUnits + nTimes);
    for (let k = 0; k < parent.length; k++) parent[k] = k;
    const find = (k: number): number => {
      while (parent[k] !== k) {
        parent[k] = parent[parent[k]!]!;
        k = parent[k]!;
      }
      return k;
    };
    for (let j = 0; j < n; j++) {
      const a = find(unit[j]!),
        b = find(nUnits + time[j]!);
      if (a !== b) parent[a] = b;
    }
    this.unitComp = new Int32Array(nUnits);
    this.timeComp = new Int32Array(nTimes);
    for (let u = 0; u < nUnits; u++) this.unitComp[u] = cu[u]! > 0 ? find(u) : -1;
    for (let t = 0; t < nTimes; t++) this.timeComp[t] = ct[t]! > 0 ? find(nUnits + t) : -1;
  }

  /** True when α_u + γ_t is identified (both levels observed, in one connected component). */
  identified(u: number, t: number): boolean {
    const c = this.unitComp[u]!;
    return c >= 0 && c === this.timeComp[t];
  }

  /** One solution θ = (α, γ) of F'F θ = (aU, aT); a must lie in the range of F'F (consistent system). */
  solve(aU: Float64Array, aT: Float64Array): { alpha: Float64Array; gamma: Float64Array } {
    const T = this.nTimes,
      nU = this.nUnits,
      n = this.unit.length;
    const cu = this.unitCount;
    const dU = new Float64Array(nU);
    for (let u = 0; u < nU; u++) dU[u] = cu[u]! > 0 ? aU[u]! / cu[u]! : 0;
    const rhs = Float64Array.from(aT);
    for (let j = 0; j < n; j++) rhs[this.time[j]!]! -= dU[this.unit[j]!]!;
    // forward/back substitution over the kept columns (dropped γ = 0)
    const L = this.L,
      kept = this.kept,
      m = kept.length;
    const z = new Float64Array(m);
    for (let a = 0; a < m; a++) {
      const i = kept[a]!;
      let s = rhs[i]!;
      for (let b = 0; b < a; b++) s -= L[i * T + kept[b]!]! * z[b]!;
      z[a] = s / L[i * T + i]!;
    }
    const gamma = new Float64Array(T);
    for (let a = m - 1; a >= 0; a--) {
      const i = kept[a]!;
      let s = z[a]!;
      for (let b = a + 1; b < m; b++) {
        const k = kept[b]!;
        s -= L[k * T + i]! * gamma[k]!;
      }
      gamma[i] = s / L[i * T + i]!;
    }
    const alpha = new Float64Array(nU);
    for (let j = 0; j < n; j++) alpha[this.unit[j]!]! += gamma[this.time[j]!]!;
    for (let u = 0; u < nU; u++) alpha[u] = cu[u]! > 0 ? (aU[u]! - alpha[u]!) / cu[u]! : 0;
    return { alpha, gamma };
  }
}

/** A staggered-adoption panel in long form (one row per unit and period). */
export interface StaggeredInput {
  y: Float64Array;
  yName?: string;
  /** unit codes 0..nUnits−1 */
  unit: Int32Array;
  nUnits: number;
  /** integer periods */
  time: Float64Array;
  /** first treated period of the row's unit; 0 = never treated */
  cohort: Float64Array;
  /** covariates of the first stage (Y(0) model) */
  x?: { name: string; values: Float64Array }[];
  /** cluster codes for the SEs (default: the unit) */
  cluster?: { name: string; codes: Int32Array; nLevels: number };
}

export interface ImputationOptions {
  /** event-time horizons e ≥ 0 to report (default: every horizon with imputable treated observations) */
  horizons?: number[] | null;
  /** also report the overall ATT (default true) */
  overall?: boolean;
}

export interface ImputationEstimate {
  term: string;
  /** horizon e, or null for the overall ATT */
  e: number | null;
  estimate: number;
  std_error: number;
  /** treated observations with positive weight */
  n_treated: number;
}

export interface ImputationFit {
  estimates: ImputationEstimate[];
  /** first-stage (untreated) observations and covariate coefficients */
  nUntreated: number;
  nTreated: number;
  coefNames: string[];
  coef: Float64Array;
  droppedCollinear: string[];
  /** treated observations whose Y(0) cannot be imputed (unit or period without untreated observations) */
  notImputable: number;
  /** row indices of the treated (imputable) observations and their τ̂_it */
  treatedRows: Int32Array;
  tau: Float64Array;
  /** row indices of the untreated observations and their first-stage residuals */
  untreatedRows: Int32Array;
  residuals: Float64Array;
  /** implied weights v_it of each estimate (same order as `estimates`), over untreatedRows then treatedRows */
  weights?: Float64Array[];
  nClusters: number;
}

/** v[rows[k]] for every k (typed-array gather; avoids the slow iterator path of TypedArray.from). */
export function gatherF(v: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = v[rows[k]!]!;
  return out;
}

export function gatherI(v: Int32Array, rows: Int32Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = v[rows[k]!]!;
  return out;
}

/** Integer codes of the distinct values of a numeric array (ascending levels; data-layer factor coding). */
export function timeCodes(time: Float64Array): { codes: Int32Array; levels: number[] } {
  const f = factorizeNumbers(time);
  return { codes: f.codes, levels: Array.from(f.levels as Float64Array) };
}

/**
 * Borusyak, Jaravel & Spiess (2024) imputation estimator, as R didimputation (METHODS.md §4.4):
 * 1. first stage Y_it = α_i + γ_t + X'β + ε on the untreated observations Ω₀ (D_it = 0) by `feols`
 *    (β), the fixed effects recovered exactly with `TwoWayNormal` (on r = Y − X'β̂);
 * 2. τ̂_it = Y_it − α̂_i − γ̂_t − X'β̂ on the treated observations Ω₁ (those whose unit and period are
 *    identified from Ω₀; the others are counted in `notImputable`);
 * 3. estimate = Σ_{Ω₁} w_it τ̂_it, weights equal over all treated obs (ATT) or over those at horizon e;
 * 4. SE (BJS eqs. 6–10 as coded in didimputation): implied weights v = w on Ω₁ and
 *    v₀ = −Z₀(Z₀'Z₀)⁻Z₁'w₁ on Ω₀, computed without forming Z: with F the FE design and X̃₀ = M_F X₀,
 *    v₀ = −(u_F + X̃₀(X̃₀'X̃₀)⁻¹(X₁'w₁ − X₀'u_F)), u_F = F₀(F₀'F₀)⁻F₁'w₁ (one two-way solve);
 *    recentred residuals ε̃ = τ̂ − τ̄_{g,e} on Ω₁ (τ̄_{g,e} = Σv²τ̂/Σv² within cohort × event time) and the
 *    first-stage residual on Ω₀; Var = Σ_clusters (Σ_{it∈c} v_it ε̃_it)² (no small-sample factor).
 */
export function imputationFit(input: StaggeredInput, opts: ImputationOptions & { keepWeights?: boolean } = {}): ImputationFit {
  const n = input.y.length;
  const { y, unit, cohort, time } = input;
  const xs = input.x ?? [];
  const tc = timeCodes(time);
  const nT = tc.levels.length;
  const treated = new Uint8Array(n);
  let n1all = 0;
  for (let i = 0; i < n; i++) {
    const g = cohort[i]!;
    if (g > 0 && time[i]! >= g) {
      treated[i] = 1;
      n1all++;
    }
  }
  const n0 = n - n1all;
  if (n0 === 0) throw estimationError("no untreated observations: the imputation first stage needs never-treated or not-yet-treated rows");
  if (n1all === 0) throw estimationError("no treated observations (cohort > 0 and time ≥ cohort): nothing to estimate");
  const rows0 = new Int32Array(n0);
  for (let i = 0, a = 0; i < n; i++) if (!treated[i]) rows0[a++] = i;
  const u0 = gatherI(unit, rows0);
  const t0 = gatherI(tc.codes, rows0);
  const tw = new TwoWayNormal(u0, t0, input.nUnits, nT);

  // imputable treated observations
  const rows1all = new Int32Array(n1all);
  let n1 = 0;
  for (let i = 0; i < n; i++) if (treated[i] && tw.identified(unit[i]!, tc.codes[i]!)) rows1all[n1++] = i;
  const notImputable = n1all - n1;
  if (n1 === 0) throw estimationError("no treated observation can be imputed: every treated unit or period lacks untreated observations");
  const rows1 = rows1all.subarray(0, n1);

  // first stage: β by feols on Ω₀, then the FEs of r = y − Xβ̂
  let coefNames: string[] = [],
    coef: Float64Array = new Float64Array(0),
    dropped: string[] = [];
  let xTilde: Float64Array[] = [];
  let bread: Float64Array | null = null;
  let keptX: Float64Array[] = [];
  const r0 = gatherF(y, rows0);
  if (xs.length > 0) {
    const fit = feols({
      y: r0.slice(),
      yName: input.yName ?? "y",
      x: xs.map((c) => ({ name: c.name, values: gatherF(c.values, rows0) })),
      fixedEffects: [
        { name: "unit", codes: u0, nLevels: input.nUnits },
        { name: "time", codes: t0, nLevels: nT },
      ],
    });
    coefNames = fit.coefNames;
    coef = fit.coef;
    dropped = fit.droppedCollinear;
    xTilde = fit.xTilde;
    bread = fit.bread.data;
    keptX = coefNames.map((nm) => xs.find((c) => c.name === nm)!.values);
    for (let k = 0; k < coef.length; k++) {
      const b = coef[k]!,
        xv = keptX[k]!;
      for (let a = 0; a < n0; a++) r0[a]! -= b * xv[rows0[a]!]!;
    }
  }
  const aU = new Float64Array(input.nUnits),
    aT = new Float64Array(nT);
  for (let a = 0; a < n0; a++) {
    aU[u0[a]!]! += r0[a]!;
    aT[t0[a]!]! += r0[a]!;
  }
  const fe = tw.solve(aU, aT);
  const resid = new Float64Array(n0);
  for (let a = 0; a < n0; a++) resid[a] = r0[a]! - fe.alpha[u0[a]!]! - fe.gamma[t0[a]!]!;
  const tau = new Float64Array(n1);
  for (let b = 0; b < n1; b++) {
    const i = rows1[b]!;
    let yhat = fe.alpha[unit[i]!]! + fe.gamma[tc.codes[i]!]!;
    for (let k = 0; k < coef.length; k++) yhat += coef[k]! * keptX[k]![i]!;
    tau[b] = y[i]! - yhat;
  }

  // cohort × event-time cells of the treated observations (for the recentring τ̄_{g,e})
  const ev1 = new Float64Array(n1);
  for (let b = 0; b < n1; b++) ev1[b] = time[rows1[b]!]! - cohort[rows1[b]!]!;
  const gc = timeCodes(gatherF(cohort, rows1)),
    ec = timeCodes(ev1);
  const cellKeys = new Float64Array(n1);
  for (let b = 0; b < n1; b++) cellKeys[b] = gc.codes[b]! * ec.levels.length + ec.codes[b]!;
  const cells = timeCodes(cellKeys);
  const cell1 = cells.codes;
  const nCells = cells.levels.length;
  const clu = input.cluster ?? { name: "unit", codes: unit, nLevels: input.nUnits };

  // estimands: overall ATT and horizons
  const present = ec.levels;
  let horizons = opts.horizons ?? present;
  horizons = horizons.filter((e) => e >= 0);
  const targets: { term: string; e: number | null; w: Float64Array; count: number }[] = [];
  if (opts.overall ?? true) targets.push({ term: "att", e: null, w: new Float64Array(n1).fill(1 / n1), count: n1 });
  for (const e of horizons) {
    let cnt = 0;
    for (let b = 0; b < n1; b++) if (ev1[b] === e) cnt++;
    const w = new Float64Array(n1);
    if (cnt > 0) for (let b = 0; b < n1; b++) if (ev1[b] === e) w[b] = 1 / cnt;
    targets.push({ term: `rel::${e}`, e, w, count: cnt });
  }

  const estimates: ImputationEstimate[] = [];
  const weightsOut: Float64Array[] = [];
  const k = coef.length;
  for (const tg of targets) {
    if (tg.count === 0) {
      estimates.push({ term: tg.term, e: tg.e, estimate: Number.NaN, std_error: Number.NaN, n_treated: 0 });
      continue;
    }
    const w1 = tg.w;
    let est = 0;
    for (let b = 0; b < n1; b++) est += w1[b]! * tau[b]!;
    // v₀ = −(u_F + X̃₀ B (X₁'w₁ − X₀'u_F))
    const wU = new Float64Array(input.nUnits),
      wT = new Float64Array(nT);
    for (let b = 0; b < n1; b++) {
      const i = rows1[b]!;
      wU[unit[i]!]! += w1[b]!;
      wT[tc.codes[i]!]! += w1[b]!;
    }
    const th = tw.solve(wU, wT);
    const v0 = new Float64Array(n0);
    for (let a = 0; a < n0; a++) v0[a] = th.alpha[u0[a]!]! + th.gamma[t0[a]!]!;
    if (k > 0) {
      const c = new Float64Array(k);
      for (let j = 0; j < k; j++) {
        const xv = keptX[j]!;
        let s1 = 0,
          s0 = 0;
        for (let b = 0; b < n1; b++) s1 += xv[rows1[b]!]! * w1[b]!;
        for (let a = 0; a < n0; a++) s0 += xv[rows0[a]!]! * v0[a]!;
        c[j] = s1 - s0;
      }
      const bc = new Float64Array(k);
      for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) bc[p]! += bread![p * k + q]! * c[q]!;
      for (let j = 0; j < k; j++) {
        const xt = xTilde[j]!,
          s = bc[j]!;
        for (let a = 0; a < n0; a++) v0[a]! += xt[a]! * s;
      }
    }
    for (let a = 0; a < n0; a++) v0[a] = -v0[a]!;
    // recentring τ̄_{g,e} = Σ v²τ̂ / Σ v² within cells
    const num = new Float64Array(nCells),
      den = new Float64Array(nCells);
    for (let b = 0; b < n1; b++) {
      const v2 = w1[b]! * w1[b]!;
      num[cell1[b]!]! += v2 * tau[b]!;
      den[cell1[b]!]! += v2;
    }
    const S = new Float64Array(clu.nLevels);
    for (let a = 0; a < n0; a++) S[clu.codes[rows0[a]!]!]! += v0[a]! * resid[a]!;
    for (let b = 0; b < n1; b++) {
      const c = cell1[b]!;
      const tbar = den[c]! > 0 ? num[c]! / den[c]! : 0;
      S[clu.codes[rows1[b]!]!]! += w1[b]! * (tau[b]! - tbar);
    }
    let V = 0;
    for (let g = 0; g < clu.nLevels; g++) V += S[g]! * S[g]!;
    estimates.push({ term: tg.term, e: tg.e, estimate: est, std_error: Math.sqrt(V), n_treated: tg.count });
    if (opts.keepWeights) {
      const all = new Float64Array(n0 + n1);
      all.set(v0, 0);
      all.set(w1, n0);
      weightsOut.push(all);
    }
  }
  let nClusters = 0;
  {
    const seen = new Uint8Array(clu.nLevels);
    for (let i = 0; i < n; i++)
      if (!seen[clu.codes[i]!]) {
        seen[clu.codes[i]!] = 1;
        nClusters++;
      }
  }
  const out: ImputationFit = {
    estimates,
    nUntreated: n0,
    nTreated: n1,
    coefNames,
    coef,
    droppedCollinear: dropped,
    notImputable,
    treatedRows: rows1,
    tau,
    untreatedRows: rows0,
    residuals: resid,
    nClusters,
  };
  if (opts.keepWeights) out.weights = weightsOut;
  return out;
}

/**
 * Lead indicators for the BJS pre-trend test: for k = 1..K, 1[G_i > 0 and t − G_i = −k] (named `pre::-k`),
 * to be added to the first-stage regression on the untreated observations (didimputation `pretrends`).
 */
export function leadDummies(time: Float64Array, cohort: Float64Array, leads: number[]): { name: string; lead: number; values: Float64Array }[] {
  return leads.map((k) => {
    const v = new Float64Array(time.length);
    for (let i = 0; i < time.length; i++) if (cohort[i]! > 0 && time[i]! - cohort[i]! === -k) v[i] = 1;
    return { name: `pre::-${k}`, lead: k, values: v };
  });
}
