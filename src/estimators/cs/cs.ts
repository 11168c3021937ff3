/**
 * Callaway & Sant'Anna (2021) group-time average treatment effects ATT(g,t) on a balanced panel, as R
 * `did` 2.x `att_gt` computes them (METHODS.md §2.1–2.3): cells for every treated cohort g and period t
 * (all but the first period under base "varying", all periods under "universal"), base period
 * (short differences before treatment under "varying", g−δ−1 otherwise), comparison group never-treated
 * or not-yet-treated (G = 0 or G > max(t, b) + δ, G ≠ g), each cell estimated by a DRDID 2×2 panel
 * estimator with covariates taken at the earlier of (t, b).
 *
 * Influence functions are not stored per cell as n-vectors when there are no covariates: the 2×2 is a
 * difference of weighted means whose IF is affine in (Y_t − Y_b) within each cohort, so cell estimates
 * come from cohort×period sums and the IF basis from per-cohort moments (`MomentBasis`). With covariates
 * each cell is estimated on its own units and its IF embedded in a dense basis.
 */
import { estimationError } from "../../core/errors.js";
import { DenseBasis, MomentBasis, type CohortTerm, type IfBasis } from "./cs-basis.js";
import type { WidePanel } from "./cs-panel.js";
import { drdidPanel, TRIM_LEVEL, type DrdidMethod } from "./drdid-panel.js";

export interface CsOptions {
  control?: "never" | "notyet";
  method?: DrdidMethod;
  base?: "varying" | "universal";
  anticipation?: number;
  /**
   * repeated-cross-section DR only: sign-corrected base-period OLS estimation effect in the influence function
   * (DRDID's `drdid_rc` adds it with the wrong sign; default false = as DRDID/did)
   */
  rcCorrectedIf?: boolean;
  /** use the covariate-free moment path when there are no covariates (default true); false = dense IFs */
  fastPath?: boolean;
}

export interface CsCell {
  group: number;
  time: number;
  /** base period value */
  base: number;
  post: boolean;
  /** universal base: the reference cell t = b (ATT = 0, zero IF) */
  reference: boolean;
  att: number;
  nTreated: number;
  nControl: number;
}

export interface CsFit {
  cells: CsCell[];
  /** basis layout: [0, K) cells, [K, K+C) cohort indicators w·1[G = g] for `cohorts`, K+C the constant */
  basis: IfBasis;
  K: number;
  /** treated cohorts (values) kept, ascending */
  cohorts: number[];
  /** p_g = mean_i(w_i·1[G_i = g]) for each of `cohorts` */
  pg: number[];
  n: number;
  periods: number[];
  warnings: string[];
  options: Required<Omit<CsOptions, "fastPath" | "rcCorrectedIf">> & { fastPath: boolean };
}

export interface CellPlan {
  g: number; // cohort index into panel.cohortValues
  tIdx: number;
  bIdx: number;
  post: boolean;
  reference: boolean;
  controls: number[]; // cohort indices
}

/** Enumerate the cells, base periods and comparison cohorts (did's compute.att_gt loop). */
export function planCells(
  panel: WidePanel,
  control: "never" | "notyet",
  base: "varying" | "universal",
  delta: number,
  warnings: string[],
): { plans: CellPlan[]; cohorts: number[] } {
  const P = panel.periods;
  const T = panel.T;
  const plans: CellPlan[] = [];
  const cohorts: number[] = [];
  for (let gi = 1; gi < panel.cohortValues.length; gi++) {
    const g = panel.cohortValues[gi]!;
    if (panel.cohortEnd[gi]! <= panel.cohortStart[gi]!) continue;
    // universal / post base: last period p with p + δ < g
    let ub = -1;
    for (let j = 0; j < T; j++) if (P[j]! + delta < g) ub = j;
    if (ub < 0) {
      warnings.push(`cohort ${g} has no pre-treatment period${delta ? ` with anticipation ${delta}` : ""}: its cells are not estimated`);
      continue;
    }
    cohorts.push(gi);
    for (let tIdx = base === "varying" ? 1 : 0; tIdx < T; tIdx++) {
      const post = g <= P[tIdx]!;
      const bIdx = post || base === "universal" ? ub : tIdx - 1;
      const reference = base === "universal" && bIdx === tIdx;
      const ref = P[Math.max(tIdx, bIdx)]! + delta;
      const controls: number[] = [];
      if (panel.cohortEnd[0]! > panel.cohortStart[0]!) controls.push(0);
      if (control === "notyet") for (let c = 1; c < panel.cohortValues.length; c++) if (c !== gi && panel.cohortValues[c]! > ref) controls.push(c);
      plans.push({ g: gi, tIdx, bIdx, post, reference, controls });
    }
  }
  return { plans, cohorts };
}

/** Everything the panel and repeated-cross-section paths share: cells, cohorts, sizes p_g, warnings. */
export interface CsSetup {
  plans: CellPlan[];
  /** treated cohort indices (into panel.cohortValues) kept */
  cohorts: number[];
  cells: CsCell[];
  /** per cohort index: Σ w and unit count */
  SW: Float64Array;
  cnt: Int32Array;
  pg: number[];
  warnings: string[];
  K: number;
  C: number;
  dim: number;
  /** cohort index → position in `cohorts` */
  cohortPos: Map<number, number>;
  options: CsFit["options"];
}

/** Plan the cells and compute the cohort sizes and p_g = mean_i(w_i·1[G_i = g]) over the panel's units. */
export function setupCs(panel: WidePanel, opts: CsOptions, fastPath: boolean): CsSetup {
  const control = opts.control ?? "never";
  const method = opts.method ?? "dr";
  const base = opts.base ?? "varying";
  const delta = opts.anticipation ?? 0;
  if (!(Number.isInteger(delta) && delta >= 0)) throw estimationError(`anticipation must be a non-negative integer, got ${delta}`);
  const warnings: string[] = [...panel.warnings];
  const { plans, cohorts } = planCells(panel, control, base, delta, warnings);
  if (!plans.length) throw estimationError("no group-time cell can be estimated (no treated cohort with a pre-treatment period)");
  const n = panel.n;
  const K = plans.length;
  const C = cohorts.length;
  const dim = K + C + 1;
  const w = panel.w;
  // cohort sizes and p_g
  const nC = panel.cohortValues.length;
  const SW = new Float64Array(nC);
  const cnt = new Int32Array(nC);
  for (let c = 0; c < nC; c++) {
    cnt[c] = panel.cohortEnd[c]! - panel.cohortStart[c]!;
    if (w) for (let i = panel.cohortStart[c]!; i < panel.cohortEnd[c]!; i++) SW[c]! += w[i]!;
    else SW[c] = cnt[c]!;
  }
  const pg = cohorts.map((c) => SW[c]! / n);
  const smallLimit = panel.x.length + 5;
  const small = [];
  for (let c = 0; c < nC; c++) if (cnt[c]! > 0 && cnt[c]! < smallLimit) small.push(`${panel.cohortValues[c]} (${cnt[c]} units)`);
  if (small.length) warnings.push(`small groups (fewer than ${smallLimit} units): ${small.join(", ")}; their estimates may be unreliable`);
  const cells: CsCell[] = plans.map((p) => {
    let nControl = 0;
    for (const c of p.controls) nControl += cnt[c]!;
    return {
      group: panel.cohortValues[p.g]!,
      time: panel.periods[p.tIdx]!,
      base: panel.periods[p.bIdx]!,
      post: p.post,
      reference: p.reference,
      att: p.reference ? 0 : Number.NaN,
      nTreated: cnt[p.g]!,
      nControl,
    };
  });
  const noControl: string[] = [];
  for (let k = 0; k < K; k++) if (!cells[k]!.reference && cells[k]!.nControl === 0) noControl.push(`(${cells[k]!.group}, ${cells[k]!.time})`);
  if (noControl.length)
    warnings.push(
      `no comparison units for ${noControl.length} cell(s) ${noControl.slice(0, 8).join(", ")}${noControl.length > 8 ? ", …" : ""}: ATT not estimated (NA)`,
    );
  const cohortPos = new Map<number, number>();
  cohorts.forEach((c, j) => cohortPos.set(c, j));
  return { plans, cohorts, cells, SW, cnt, pg, warnings, K, C, dim, cohortPos, options: { control, method, base, anticipation: delta, fastPath } };
}

/** Estimate every ATT(g,t) with its influence function (basis) on a balanced panel. */
export function estimateCs(panel: WidePanel, opts: CsOptions = {}): CsFit {
  if (panel.present) throw estimationError("unbalanced panel: use the repeated-cross-section path (estimateCsRc)");
  const method = opts.method ?? "dr";
  const fastPath = (opts.fastPath ?? true) && panel.x.length === 0 && method !== "dr-imp";
  const { plans, cohorts, cells, SW, cnt, pg, warnings, K, C, dim, cohortPos, options } = setupCs(panel, opts, fastPath);
  const n = panel.n;
  const T = panel.T;
  const w = panel.w;
  const nC = panel.cohortValues.length;

  if (fastPath) {
    // weighted cohort-period means μ_ct = Σ w Y / Σ w
    const mu = new Float64Array(nC * T);
    for (let c = 0; c < nC; c++) {
      const s = mu.subarray(c * T, c * T + T);
      for (let i = panel.cohortStart[c]!; i < panel.cohortEnd[c]!; i++) {
        const wi = w ? w[i]! : 1;
        const o = i * T;
        for (let t = 0; t < T; t++) s[t]! += wi * panel.y[o + t]!;
      }
      if (SW[c]! > 0) for (let t = 0; t < T; t++) s[t]! /= SW[c]!;
    }
    const terms: CohortTerm[] = [];
    const lowOverlap: string[] = [];
    for (let k = 0; k < K; k++) {
      const p = plans[k]!;
      const cell = cells[k]!;
      if (p.reference || cell.nControl === 0) continue;
      const t = p.tIdx,
        b = p.bIdx;
      const S1 = SW[p.g]!;
      const m1 = mu[p.g * T + t]! - mu[p.g * T + b]!;
      let S0 = 0,
        s0 = 0;
      for (const c of p.controls) {
        S0 += SW[c]!;
        s0 += SW[c]! * (mu[c * T + t]! - mu[c * T + b]!);
      }
      if (!(S0 > 0) || !(S1 > 0)) {
        cells[k]!.nControl = S0 > 0 ? cell.nControl : 0;
        continue;
      }
      // intercept-only propensity score = weighted treated share; DRDID trims all controls if ≥ 0.995
      if (method !== "reg" && Math.min(S1 / (S1 + S0), 1 - 1e-6) >= TRIM_LEVEL) {
        lowOverlap.push(`(${cell.group}, ${cell.time})`);
        continue;
      }
      const m0 = s0 / S0;
      cell.att = m1 - m0;
      const a1 = n / S1;
      terms.push({ basis: k, cohort: p.g, tIdx: t, bIdx: b, alpha: a1, beta: 0, gamma: 0 });
      const a0 = -n / S0;
      for (const c of p.controls) {
        // β on centred data: α(μ_ct − μ_cb − m0)
        const beta = a0 * (mu[c * T + t]! - mu[c * T + b]! - m0);
        terms.push({ basis: k, cohort: c, tIdx: t, bIdx: b, alpha: a0, beta, gamma: 0 });
      }
    }
    if (lowOverlap.length)
      warnings.push(
        `overlap failure (treated share ≥ ${TRIM_LEVEL}, every comparison unit trimmed) in cell(s) ${lowOverlap.join(", ")}: ATT not estimated (NA)`,
      );
    for (let j = 0; j < C; j++) terms.push({ basis: K + j, cohort: cohorts[j]!, tIdx: -1, bIdx: -1, alpha: 0, beta: 1, gamma: 0 });
    for (let c = 0; c < nC; c++) terms.push({ basis: K + C, cohort: c, tIdx: -1, bIdx: -1, alpha: 0, beta: 0, gamma: 1 });
    let basis: IfBasis = new MomentBasis(dim, panel.y, T, w, panel.cohortStart, panel.cohortEnd, mu, terms);
    if (panel.cluster) basis = (basis as MomentBasis).toClusterDense(panel.cluster, panel.nClusters, panel.cohortIdx);
    return { cells, basis, K, cohorts: cohorts.map((c) => panel.cohortValues[c]!), pg, n, periods: Array.from(panel.periods), warnings, options };
  }

  // Dense path: each cell on its own units.
  const rows = new Float64Array(n * dim);
  const failed: string[] = [];
  for (let k = 0; k < K; k++) {
    const p = plans[k]!;
    const cell = cells[k]!;
    if (p.reference || cell.nControl === 0) continue;
    const members: number[] = [p.g, ...p.controls];
    let n1 = 0;
    for (const c of members) n1 += cnt[c]!;
    const D = new Uint8Array(n1);
    const dy = new Float64Array(n1);
    const idx = new Int32Array(n1);
    const tx = Math.min(p.tIdx, p.bIdx);
    const X: Float64Array[] = [new Float64Array(n1).fill(1), ...panel.x.map(() => new Float64Array(n1))];
    const wc = w ? new Float64Array(n1) : null;
    let r = 0;
    for (const c of members) {
      for (let i = panel.cohortStart[c]!; i < panel.cohortEnd[c]!; i++, r++) {
        idx[r] = i;
        D[r] = c === p.g ? 1 : 0;
        dy[r] = panel.y[i * T + p.tIdx]! - panel.y[i * T + p.bIdx]!;
        for (let q = 0; q < panel.x.length; q++) X[q + 1]![r] = panel.x[q]!.values[i * T + tx]!;
        if (wc) wc[r] = w![i]!;
      }
    }
    try {
      const res = drdidPanel({ D, dy, X, w: wc }, method);
      cell.att = res.att;
      const scale = n / n1;
      for (let q = 0; q < n1; q++) rows[idx[q]! * dim + k] = res.inf[q]! * scale;
    } catch (e) {
      failed.push(`(${cell.group}, ${cell.time}): ${(e as Error).message}`);
    }
  }
  if (failed.length) warnings.push(`cells not estimated (NA): ${failed.slice(0, 5).join("; ")}${failed.length > 5 ? "; …" : ""}`);
  const basis = finishDenseBasis(panel, rows, dim, K, cohortPos, w);
  return { cells, basis, K, cohorts: cohorts.map((c) => panel.cohortValues[c]!), pg, n, periods: Array.from(panel.periods), warnings, options };
}

/**
 * Complete the per-unit influence rows (n × dim, the K cell columns already filled): the cohort-share
 * columns K..K+C−1 (the unit's weight in its cohort's column) and the intercept column K+C, then the
 * basis — per unit, or summed within clusters when the panel names a cluster variable.
 */
export function finishDenseBasis(
  panel: WidePanel,
  rows: Float64Array,
  dim: number,
  K: number,
  cohortPos: Map<number, number>,
  w: ArrayLike<number> | null | undefined,
): DenseBasis {
  const n = panel.n,
    C = cohortPos.size;
  for (let i = 0; i < n; i++) {
    const j = cohortPos.get(panel.cohortIdx[i]!);
    if (j !== undefined) rows[i * dim + K + j] = w ? w[i]! : 1;
    rows[i * dim + K + C] = 1;
  }
  if (!panel.cluster) return new DenseBasis(dim, n, rows);
  const cr = new Float64Array(panel.nClusters * dim);
  for (let i = 0; i < n; i++) {
    const o = panel.cluster[i]! * dim;
    for (let a = 0; a < dim; a++) cr[o + a]! += rows[i * dim + a]!;
  }
  return new DenseBasis(dim, panel.nClusters, cr);
}
