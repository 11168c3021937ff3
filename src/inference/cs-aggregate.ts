/**
 * Aggregations of Callaway–Sant'Anna ATT(g,t) as R `did`'s `aggte` (METHODS.md §2.4): simple, dynamic
 * (event time, with min_e / max_e / balance_e), group and calendar, each with its overall estimate.
 * Every estimate is returned as θ and its influence-function coefficients λ on the fit's basis
 * (cells, cohort indicators, constant), so that Ψ = Σ_j λ_j b_j includes the weight-estimation term
 * WIF for p_g-weighted averages:
 *   θ = Σ_k ω_k θ_k, ω_k = p_k/S, S = Σ_k p_k;  λ = Σ_k ω_k λ_k + Σ_k ((θ_k − θ)/S)(e_{cohort(k)} − p_k e_const),
 * which equals did's `wif()` (c_ik/S − (Σ_j c_ij)·p_k/S², c_ik = w_i1[G_i = g_k] − p_k) times θ_k summed.
 * Analytic SE = sqrt(λ'Gλ)/n (G = basis Gram matrix), set to NaN when ≤ 10·sqrt(machine eps) as did does.
 */
import type { CsFit } from "../estimators/cs/cs.js";
import type { VcovMatrixBlock } from "../core/result.js";
import { invSPD, mat } from "../core/linalg.js";
import { pchisq } from "../core/distributions.js";

export interface LinearEstimate {
  estimate: number;
  /** IF coefficients on the basis (length dim); NaN entries when the estimate is NaN */
  lambda: Float64Array;
}

export interface ByEstimate extends LinearEstimate {
  /** e (dynamic), group (group) or time (calendar) */
  key: number;
}

export interface Aggregation {
  type: AggType;
  overall: LinearEstimate;
  by: ByEstimate[];
}

export type AggType = "simple" | "dynamic" | "group" | "calendar";

export interface AggOptions {
  minE?: number;
  maxE?: number;
  balanceE?: number | null;
  /** drop NA cells (did's na.rm = TRUE, default here); false: any estimate that uses an NA cell is NA */
  naRm?: boolean;
  /**
   * group overall: reproduce R did's WIF, which uses the cohorts of the first cells instead of the
   * groups' own cohorts (default true, to agree with did; false = the textbook WIF)
   */
  didGroupWif?: boolean;
}

interface Component {
  estimate: number;
  lambda: Float64Array;
  /** p of the component's cohort and its basis index */
  p: number;
  cohortBasis: number;
}

const SE_FLOOR = 10 * Math.sqrt(2.220446049250313e-16);

function nanLambda(dim: number): Float64Array {
  return new Float64Array(dim).fill(Number.NaN);
}

/** p_g-weighted average of components with the WIF correction. */
function pgWeighted(comps: Component[], dim: number, constIdx: number, wifCohort?: number[]): LinearEstimate {
  if (!comps.length) return { estimate: Number.NaN, lambda: nanLambda(dim) };
  let S = 0;
  for (const c of comps) S += c.p;
  let theta = 0;
  for (const c of comps) theta += (c.p / S) * c.estimate;
  const lambda = new Float64Array(dim);
  for (const c of comps) {
    const om = c.p / S;
    for (let j = 0; j < dim; j++) lambda[j]! += om * c.lambda[j]!;
    const f = (c.estimate - theta) / S;
    lambda[c.cohortBasis]! += f;
    lambda[constIdx]! -= f * c.p;
  }
  if (wifCohort) {
    // did ≤ 2.1.2 group-overall WIF: indicators of the first cells' cohorts (see aggregateCs)
    comps.forEach((c, k) => {
      const f = (c.estimate - theta) / S;
      lambda[c.cohortBasis]! -= f;
      lambda[wifCohort[k]!]! += f;
    });
  }
  if (!Number.isFinite(theta)) return { estimate: Number.NaN, lambda: nanLambda(dim) };
  return { estimate: theta, lambda };
}

/** Equal-weight average of estimates (no WIF). */
function equalWeighted(items: LinearEstimate[], dim: number): LinearEstimate {
  if (!items.length) return { estimate: Number.NaN, lambda: nanLambda(dim) };
  const lambda = new Float64Array(dim);
  let theta = 0;
  for (const it of items) {
    theta += it.estimate / items.length;
    for (let j = 0; j < dim; j++) lambda[j]! += it.lambda[j]! / items.length;
  }
  if (!Number.isFinite(theta)) return { estimate: Number.NaN, lambda: nanLambda(dim) };
  return { estimate: theta, lambda };
}

/** Cell k as a linear estimate (λ = e_k). */
export function cellEstimate(fit: CsFit, k: number): LinearEstimate {
  const dim = fit.basis.dim;
  const att = fit.cells[k]!.att;
  if (!Number.isFinite(att)) return { estimate: Number.NaN, lambda: nanLambda(dim) };
  const lambda = new Float64Array(dim);
  lambda[k] = 1;
  return { estimate: att, lambda };
}

/** Aggregate ATT(g,t) (did `aggte(type=…)`). */
export function aggregateCs(fit: CsFit, type: AggType, opts: AggOptions = {}): Aggregation {
  const dim = fit.basis.dim;
  const K = fit.K;
  const C = fit.cohorts.length;
  const constIdx = K + C;
  const naRm = opts.naRm ?? true;
  const maxE = opts.maxE ?? Number.POSITIVE_INFINITY;
  const minE = opts.minE ?? Number.NEGATIVE_INFINITY;
  const cohortJ = new Map<number, number>();
  fit.cohorts.forEach((g, j) => cohortJ.set(g, j));
  let idx = fit.cells.map((_, k) => k);
  if (naRm) idx = idx.filter((k) => Number.isFinite(fit.cells[k]!.att));
  const comp = (k: number): Component => {
    const cell = fit.cells[k]!;
    const j = cohortJ.get(cell.group)!;
    return { ...cellEstimate(fit, k), p: fit.pg[j]!, cohortBasis: K + j };
  };
  const cell = (k: number) => fit.cells[k]!;
  switch (type) {
    case "simple": {
      const keep = idx.filter((k) => cell(k).group <= cell(k).time && cell(k).time <= cell(k).group + maxE);
      return { type, overall: pgWeighted(keep.map(comp), dim, constIdx), by: [] };
    }
    case "group": {
      let groups = [...new Set(idx.map((k) => cell(k).group))].sort((a, b) => a - b);
      const perGroup = new Map<number, LinearEstimate>();
      for (const g of groups) {
        const which = idx.filter((k) => cell(k).group === g && g <= cell(k).time && cell(k).time <= g + maxE);
        perGroup.set(
          g,
          equalWeighted(
            which.map((k) => cellEstimate(fit, k)),
            dim,
          ),
        );
      }
      if (naRm) groups = groups.filter((g) => Number.isFinite(perGroup.get(g)!.estimate));
      const by: ByEstimate[] = groups.map((g) => ({ key: g, ...perGroup.get(g)! }));
      const comps = groups.map((g) => {
        const j = cohortJ.get(g)!;
        return { ...perGroup.get(g)!, p: fit.pg[j]!, cohortBasis: K + j };
      });
      // R did (2.1.2, and 2.5.1 as read) passes the per-cell group vector to wif() here, so the indicator for
      // group number j is that of the j-th cell's cohort; `didGroupWif` (default true) reproduces it.
      let wifCohort: number[] | undefined;
      if (opts.didGroupWif ?? true) {
        const cellsKept = idx.filter((k) => groups.includes(cell(k).group));
        wifCohort = groups.map((_, j) => (j < cellsKept.length ? K + cohortJ.get(cell(cellsKept[j]!).group)! : constIdx));
      }
      return { type, overall: pgWeighted(comps, dim, constIdx, wifCohort), by };
    }
    case "dynamic": {
      let include = idx;
      let es = [...new Set(idx.map((k) => cell(k).time - cell(k).group))].sort((a, b) => a - b);
      if (opts.balanceE !== undefined && opts.balanceE !== null) {
        const be = opts.balanceE;
        let maxT = Number.NEGATIVE_INFINITY,
          minGT = Number.POSITIVE_INFINITY;
        for (const k of idx) {
          maxT = Math.max(maxT, cell(k).time);
          minGT = Math.min(minGT, cell(k).time, cell(k).group);
        }
        include = idx.filter((k) => maxT - cell(k).group >= be);
        es = [...new Set(include.map((k) => cell(k).time - cell(k).group))].sort((a, b) => a - b);
        es = es.filter((e) => e <= be && e >= be - maxT + minGT);
      }
      es = es.filter((e) => e >= minE && e <= maxE);
      const by: ByEstimate[] = es.map((e) => ({ key: e, ...pgWeighted(include.filter((k) => cell(k).time - cell(k).group === e).map(comp), dim, constIdx) }));
      const overall = equalWeighted(
        by.filter((b) => b.key >= 0),
        dim,
      );
      return { type, overall, by };
    }
    case "calendar": {
      const post = idx.filter((k) => cell(k).group <= cell(k).time);
      if (!idx.length) return { type, overall: { estimate: Number.NaN, lambda: nanLambda(dim) }, by: [] };
      let minG = Number.POSITIVE_INFINITY;
      for (const k of idx) minG = Math.min(minG, cell(k).group);
      const times = [...new Set(idx.map((k) => cell(k).time))].filter((t) => t >= minG).sort((a, b) => a - b);
      const by: ByEstimate[] = times.map((t) => ({ key: t, ...pgWeighted(post.filter((k) => cell(k).time === t).map(comp), dim, constIdx) }));
      const overall = equalWeighted(by, dim);
      return { type, overall, by };
    }
  }
}

/** Analytic SE sqrt(λ'Gλ)/n (NaN when the estimate is NaN or the SE is ≤ 10·sqrt(eps)). */
export function analyticSe(G: Float64Array, lambda: Float64Array, n: number): number {
  const d = lambda.length;
  const nz: number[] = [];
  for (let a = 0; a < d; a++) {
    if (Number.isNaN(lambda[a]!)) return Number.NaN;
    if (lambda[a] !== 0) nz.push(a);
  }
  let q = 0;
  for (const a of nz) {
    let s = 0;
    const o = a * d;
    for (const b of nz) s += G[o + b]! * lambda[b]!;
    q += lambda[a]! * s;
  }
  const se = Math.sqrt(Math.max(q, 0)) / n;
  return Number.isFinite(se) && se > SE_FLOOR ? se : Number.NaN;
}

/** n·Var matrix of a set of estimates (did's V_analytical for the cells): Λ'GΛ/n. */
export function vcovMatrix(G: Float64Array, lambdas: Float64Array[], n: number): Float64Array {
  const m = lambdas.length;
  const d = lambdas.length ? lambdas[0]!.length : 0;
  const out = new Float64Array(m * m);
  const nzs = lambdas.map((l) => {
    const nz: number[] = [];
    for (let a = 0; a < d; a++) if (l[a] !== 0) nz.push(a);
    return nz;
  });
  for (let p = 0; p < m; p++)
    for (let q = p; q < m; q++) {
      let s = 0;
      for (const a of nzs[p]!) {
        let inner = 0;
        const o = a * d;
        for (const b of nzs[q]!) inner += G[o + b]! * lambdas[q]![b]!;
        s += lambdas[p]![a]! * inner;
      }
      out[p * m + q] = s / n;
      out[q * m + p] = s / n;
    }
  return out;
}

export interface PreTest {
  statistic: number;
  df: number;
  p_value: number;
}

/**
 * Wald pre-test of parallel trends (did's `summary(att_gt)`): pre cells (t < g) with a finite, non-zero SE;
 * W = n·θ'V⁻¹θ with V = Λ'GΛ/n, χ²(#cells). Null when there is no pre cell or V is singular.
 */
export function preTest(fit: CsFit, G: Float64Array): PreTest | null {
  const n = fit.n;
  const pre: number[] = [];
  fit.cells.forEach((c, k) => {
    if (c.time < c.group && Number.isFinite(c.att)) {
      const se = analyticSe(G, cellEstimate(fit, k).lambda, n);
      if (Number.isFinite(se)) pre.push(k);
    }
  });
  if (!pre.length) return null;
  const lam = pre.map((k) => cellEstimate(fit, k).lambda);
  const V = vcovMatrix(G, lam, n);
  let inv;
  try {
    inv = invSPD(mat(pre.length, pre.length, V));
  } catch {
    return null;
  }
  const th = pre.map((k) => fit.cells[k]!.att);
  let W = 0;
  for (let a = 0; a < pre.length; a++) for (let b = 0; b < pre.length; b++) W += th[a]! * inv.data[a * pre.length + b]! * th[b]!;
  W *= n;
  return { statistic: W, df: pre.length, p_value: 1 - pchisq(W, pre.length) };
}

export type { VcovMatrixBlock } from "../core/result.js";

/**
 * Covariance of the dynamic (event-time) aggregation's estimates, terms `rel::e`: Λ'GΛ/n² from the
 * influence functions (did's `crossprod(dynamic.inf.func.e)/n²`), so sqrt(diag) equals the analytic SEs.
 * Rows of estimates that are NA (NaN influence coefficients) are null; a zero row (e = −1 under a
 * universal base) stays zero.
 */
export function csDynamicVcov(fit: CsFit, G: Float64Array, opts: AggOptions = {}): VcovMatrixBlock {
  const by = aggregateCs(fit, "dynamic", opts).by;
  const n = fit.n;
  const ok = by.map((b) => b.lambda.every((v) => !Number.isNaN(v)));
  const keep = by.filter((_, i) => ok[i]);
  const V = vcovMatrix(
    G,
    keep.map((b) => b.lambda),
    n,
  );
  const m = keep.length;
  const pos = new Map<number, number>();
  keep.forEach((b, i) => pos.set(b.key, i));
  return {
    terms: by.map((b) => `rel::${b.key}`),
    matrix: by.map((a) =>
      by.map((b) => {
        const i = pos.get(a.key),
          j = pos.get(b.key);
        return i === undefined || j === undefined ? null : V[i * m + j]! / n;
      }),
    ),
  };
}
