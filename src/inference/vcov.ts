/**
 * Variance–covariance estimators for feols fits with fixest's small-sample corrections
 * (METHODS.md §5.2). API contract; see the implementation notes in each function.
 */
import type { Mat } from "../core/linalg.js";
import type { EstimateRow } from "../core/result.js";
import type { FeolsFit } from "../estimators/feols.js";
import { compactCodes } from "../estimators/feols.js";
import { mat, matmul, symEigen } from "../core/linalg.js";
import { qt, twoSidedT } from "../core/distributions.js";
import { estimationError, printable } from "../core/errors.js";

export interface ClusterInput {
  name: string;
  codes: Int32Array;
  nLevels: number;
}

export type VcovSpec = { type: "iid" } | { type: "hc1" } | { type: "cluster"; clusters: ClusterInput[] };

/** fixest `ssc()` (0.14 names): K.adj, K.fixef, G.adj, G.df, t.df. */
export interface SscOptions {
  kAdj?: boolean; // default true
  kFixef?: "nested" | "none" | "full"; // default "nested"
  gAdj?: boolean; // default true
  gDf?: "min" | "conventional"; // default "min"
  tDf?: "min" | "conventional"; // default "min"
}

export interface VcovResult {
  V: Mat;
  /** degrees of freedom for t tests (G_min − 1 when clustered, else n − K) */
  df: number;
  type: "iid" | "hc1" | "cluster";
  clusters?: Record<string, number>;
  /** human-readable description of the correction applied */
  smallSample: string;
}

/** Observation-level codes of a cluster dimension restricted to the fit's observations, re-indexed 0..G−1. */
export function clusterCodesForFit(fit: FeolsFit, c: ClusterInput): { codes: Int32Array; nLevels: number } {
  let codes = c.codes;
  if (codes.length !== fit.nobs) {
    if (!fit.keep) throw new Error(`cluster "${c.name}" has ${codes.length} codes for ${fit.nobs} observations`);
    const kc = new Int32Array(fit.keep.length);
    for (let i = 0; i < kc.length; i++) kc[i] = codes[fit.keep[i]!]!;
    codes = kc;
  }
  return compactCodes(codes, c.nLevels);
}

/** Codes of the intersection of several cluster dimensions (one level per observed combination). */
export function intersectCodes(dims: { codes: Int32Array; nLevels: number }[]): { codes: Int32Array; nLevels: number } {
  let cur = dims[0]!;
  for (let d = 1; d < dims.length; d++) {
    const nxt = dims[d]!;
    const n = cur.codes.length;
    const out = new Int32Array(n);
    const seen = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const key = cur.codes[i]! * nxt.nLevels + nxt.codes[i]!;
      let v = seen.get(key);
      if (v === undefined) {
        v = seen.size;
        seen.set(key, v);
      }
      out[i] = v;
    }
    cur = { codes: out, nLevels: seen.size };
  }
  return cur;
}

/** FE `fe` is nested in cluster `cl` when every FE level occurs within a single cluster level. */
export function isNested(fe: { codes: Int32Array; nLevels: number }, cl: { codes: Int32Array; nLevels: number }): boolean {
  const owner = new Int32Array(fe.nLevels).fill(-1);
  for (let i = 0; i < fe.codes.length; i++) {
    const f = fe.codes[i]!,
      c = cl.codes[i]!;
    if (owner[f] === -1) owner[f] = c;
    else if (owner[f] !== c) return false;
  }
  return true;
}

/**
 * Σ_g s_g s_g' (upper triangle, kk × kk) from cluster scores that `addRows(S, i0, i1, g0)` accumulates for
 * the rows [i0, i1) into S[(g − g0)·kk + ·] (each cluster's rows added in ascending order). Rows sorted by
 * cluster (the usual panel layout) go in blocks of 4096 consecutive clusters through one small reused
 * array; otherwise one G × kk array.
 */
function clusterOuterSum(
  codes: Int32Array,
  n: number,
  G: number,
  kk: number,
  addRows: (S: Float64Array, i0: number, i1: number, g0: number) => void,
): Float64Array {
  const M = new Float64Array(kk * kk);
  const addOuter = (s: Float64Array, o: number) => {
    for (let a = 0; a < kk; a++) {
      const sa = s[o + a]!;
      if (sa === 0) continue;
      for (let b = a; b < kk; b++) M[a * kk + b]! += sa * s[o + b]!;
    }
  };
  let sorted = true;
  for (let i = 1; i < n; i++)
    if (codes[i]! < codes[i - 1]!) {
      sorted = false;
      break;
    }
  if (sorted) {
    const BL = 4096;
    const S = new Float64Array(BL * kk);
    let i0 = 0;
    while (i0 < n) {
      const g0 = codes[i0]!;
      let i1 = i0;
      while (i1 < n && codes[i1]! - g0 < BL) i1++;
      const gEnd = codes[i1 - 1]! - g0 + 1;
      S.fill(0, 0, gEnd * kk);
      addRows(S, i0, i1, g0);
      for (let g = 0; g < gEnd; g++) addOuter(S, g * kk);
      i0 = i1;
    }
  } else {
    const S = new Float64Array(G * kk);
    addRows(S, 0, n, 0);
    for (let g = 0; g < G; g++) addOuter(S, g * kk);
  }
  return M;
}

/** Σ_g s_g s_g' with cluster scores s_g = Σ_{i∈g} w_i ê_i x̃_i (k×k). */
export function clusterMeat(fit: FeolsFit, codes: Int32Array, G: number): Float64Array {
  if (fit.xCells) return clusterMeatCells(fit, codes, G);
  const k = fit.coef.length,
    n = fit.nobs;
  const e = fit.residuals,
    w = fit.weights;
  const xs = fit.xTilde;
  // column by column over the rows of the range (per cluster the rows are still added in ascending order)
  const M = clusterOuterSum(codes, n, G, k, (S, i0, i1, g0) => {
    for (let j = 0; j < k; j++) {
      const x = xs[j]!;
      if (w) for (let i = i0; i < i1; i++) S[(codes[i]! - g0) * k + j]! += w[i]! * e[i]! * x[i]!;
      else for (let i = i0; i < i1; i++) S[(codes[i]! - g0) * k + j]! += e[i]! * x[i]!;
    }
  });
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) M[a * k + b] = M[b * k + a]!;
  return M;
}

/**
 * clusterMeat for a fit on feols's dummy-cell fast path (`fit.xCells`, no weights): one pass over the rows
 * accumulates all k cluster scores s_g,a = Σ_{i∈g} ê_i x̃_a,i, reading a dummy's x̃_a,i = T_a[cell(i)] from the
 * small table (the dense dummy columns are never built). Per cluster the rows are added in ascending order, as
 * in clusterMeat.
 */
function clusterMeatCells(fit: FeolsFit, codes: Int32Array, G: number): Float64Array {
  const k = fit.coef.length,
    n = fit.nobs,
    e = fit.residuals;
  const { cellOf, m, tab, col, dense } = fit.xCells!;
  // score layout per cluster: the m table columns first (contiguous with the table's rows), then the dense ones
  const dCols: Float64Array[] = [];
  const pos = new Int32Array(k);
  for (let a = 0; a < k; a++) pos[a] = col[a]! >= 0 ? col[a]! : m + dCols.push(dense[a]!) - 1;
  const nd = dCols.length,
    kk = m + nd;
  const x0 = dCols[0] ?? null,
    x1 = dCols[1] ?? null,
    x2 = dCols[2] ?? null,
    x3 = dCols[3] ?? null;
  const Mf = clusterOuterSum(codes, n, G, kk, (S, i0, i1, g0) => {
    for (let i = i0; i < i1; i++) {
      const o = (codes[i]! - g0) * kk,
        ei = e[i]!,
        c = cellOf[i]! * m;
      for (let q = 0; q < m; q++) S[o + q]! += ei * tab[c + q]!;
      const od = o + m;
      if (nd <= 4) {
        if (x0) S[od]! += ei * x0[i]!;
        if (x1) S[od + 1]! += ei * x1[i]!;
        if (x2) S[od + 2]! += ei * x2[i]!;
        if (x3) S[od + 3]! += ei * x3[i]!;
      } else for (let q = 0; q < nd; q++) S[od + q]! += ei * dCols[q]![i]!;
    }
  });
  // back to coefficient order (the table columns of dropped dummies are left out)
  const M = new Float64Array(k * k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) {
      const pa = pos[a]!,
        pb = pos[b]!;
      M[a * k + b] = pa <= pb ? Mf[pa * kk + pb]! : Mf[pb * kk + pa]!;
    }
  return M;
}

function sandwich(bread: Mat, meat: Float64Array): Mat {
  const k = bread.rows;
  return matmul(matmul(bread, mat(k, k, meat)), bread);
}

/**
 * The number of parameters K in the (n−1)/(n−K) adjustment (fixest `ssc(K.fixef=)`), with
 * P = nparams = k + Σ_q(L_q − 1) + 1 (+ L_q per slope variable), over the FEs that have level intercepts:
 * - "full": K = P;
 * - "none": K = P − (Σ_q L_q − (Q − 1)) = k (+ slope parameters): FE intercepts are not counted;
 * - "nested" (default; only for clustered VCOVs, otherwise = "full"): an FE q is nested when each of its
 *   levels lies within one level of some cluster dimension; if all FEs are nested K = k (+ slopes) + 1,
 *   else K = P − Σ_{nested q}(L_q − 1); finally K ≥ k + 1.
 * Example: unit + year FE clustered by unit ⇒ K = k + L_year; two-way clustered by unit and year ⇒ K = k + 1.
 */
export function dofK(fit: FeolsFit, kFixef: "nested" | "none" | "full", clusters: { codes: Int32Array; nLevels: number }[] | null): number {
  const P = fit.nparams,
    k = fit.coef.length;
  const fes = fit.fixedEffects.filter((f) => !f.slopesOnly);
  const Q = fes.length;
  if (Q === 0) return P;
  const sumL = fes.reduce((s, f) => s + f.nLevels, 0);
  if (kFixef === "none") return P - (sumL - (Q - 1));
  if (kFixef === "full" || !clusters || clusters.length === 0) return P;
  const nested = fes.map((f) => clusters.some((c) => isNested(f, c)));
  let K: number;
  if (nested.every(Boolean)) K = P - (sumL - (Q - 1)) + 1;
  else K = P - fes.reduce((s, f, q) => s + (nested[q] ? f.nLevels - 1 : 0), 0);
  return Math.max(K, k + 1);
}

/**
 * fixest's fix for a VCOV with a negative diagonal element (possible in multiway clustering): eigen-decompose and
 * floor the eigenvalues at 1e-10 (Cameron, Gelbach & Miller 2011). fixest applies it only when some diagonal
 * element is negative; a matrix with a non-negative diagonal that is not PSD is kept as is — keytech does the same.
 */
export function posdefFix(V: Mat): { V: Mat; fixed: boolean } {
  const k = V.rows;
  let neg = false;
  for (let i = 0; i < k; i++) if (V.data[i * k + i]! < 0) neg = true;
  if (!neg) return { V, fixed: false };
  const { values, vectors } = symEigen(V);
  const out = mat(k, k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let e = 0; e < k; e++) s += vectors.data[a * k + e]! * Math.max(values[e]!, 1e-10) * vectors.data[b * k + e]!;
      out.data[a * k + b] = s;
    }
  return { V: out, fixed: true };
}

/**
 * VCOV of a feols fit with fixest's small-sample corrections (METHODS.md §5.2):
 * - iid: V = B·Σwê²/(n−1)·c_K, c_K = (n−1)/(n−K) (K.adj) or 1 — i.e. σ̂² = SSR/(n−K);
 * - hc1: V = B(Σ w²ê²x̃x̃')B·c_G·c_K with c_G = n/(n−1) (G.adj) or 1;
 * - cluster (any number of dimensions): V = B·M·B·c_K, M = Σ_{∅≠S⊆dims} (−1)^{|S|+1} a_S·Meat(∩S), where with
 *   G.df = "min" a_S = 1 and the sum is multiplied by G_min/(G_min−1) (G.adj), and with G.df = "conventional"
 *   a_S = G_S/(G_S−1) with G_S the number of non-empty intersection cells.
 * K from `dofK` (K.fixef). t df: clustered with t.df = "min" → max(G_min − 1, 1), otherwise max(n − K, 1).
 */
export function computeVcov(fit: FeolsFit, spec: VcovSpec, ssc: SscOptions = {}): VcovResult {
  const kAdj = ssc.kAdj ?? true,
    kFixef = ssc.kFixef ?? "nested",
    gAdj = ssc.gAdj ?? true;
  const gDf = ssc.gDf ?? "min",
    tDf = ssc.tDf ?? "min";
  const n = fit.nobs,
    k = fit.coef.length;
  const B = fit.bread;
  const sscText = `K.adj=${kAdj}, K.fixef=${kFixef}, G.adj=${gAdj}, G.df=${gDf}, t.df=${tDf}`;
  if (spec.type === "iid") {
    const K = dofK(fit, kFixef, null);
    const cK = kAdj ? (n - 1) / (n - K) : 1;
    const V = mat(k, k);
    const s2 = fit.ssr / (n - 1);
    for (let i = 0; i < k * k; i++) V.data[i] = B.data[i]! * s2 * cK;
    return { V, df: Math.max(n - K, 1), type: "iid", smallSample: `sigma2 = SSR/(n-1) * (n-1)/(n-K), K=${K}; ${sscText}` };
  }
  if (spec.type === "hc1") {
    const K = dofK(fit, kFixef, null);
    const e = fit.residuals,
      w = fit.weights;
    const M = new Float64Array(k * k);
    const u2 = new Float64Array(n);
    for (let i = 0; i < n; i++) u2[i] = (w ? w[i]! * e[i]! : e[i]!) ** 2;
    for (let a = 0; a < k; a++) {
      const xa = fit.xTilde[a]!;
      for (let b = a; b < k; b++) {
        const xb = fit.xTilde[b]!;
        let s = 0;
        for (let i = 0; i < n; i++) s += u2[i]! * xa[i]! * xb[i]!;
        M[a * k + b] = s;
        M[b * k + a] = s;
      }
    }
    const c = (kAdj ? (n - 1) / (n - K) : 1) * (gAdj ? n / (n - 1) : 1);
    const V = sandwich(B, M);
    for (let i = 0; i < k * k; i++) V.data[i]! *= c;
    return { V, df: Math.max(n - K, 1), type: "hc1", smallSample: `n/(n-1) * (n-1)/(n-K), K=${K}; ${sscText}` };
  }
  const dims = spec.clusters.map((c) => clusterCodesForFit(fit, c));
  if (dims.length === 0) throw new Error("cluster VCOV needs at least one cluster variable");
  const K = dofK(fit, kFixef, dims);
  const Gs = dims.map((d) => d.nLevels);
  // One cluster: the scores sum to zero within it (X'ê = 0), the meat is 0 and G/(G−1) is infinite, so the
  // variance is 0·∞ — fixest returns a degenerate (NaN/0) VCOV; refused here instead of printing SE NA, p = 1.
  Gs.forEach((g, j) => {
    if (g < 2)
      throw estimationError(
        `cluster variable '${printable(spec.clusters[j]!.name)}' has a single cluster among the ${n} observations used: a clustered variance needs at least 2 clusters (G/(G−1) is infinite with G = 1); cluster on a variable that takes several values, or use --vcov hc1`,
      );
  });
  const Gmin = Math.min(...Gs);
  const M = new Float64Array(k * k);
  const D = dims.length;
  for (let mask = 1; mask < 1 << D; mask++) {
    const sub = dims.filter((_, j) => mask & (1 << j));
    const inter = sub.length === 1 ? sub[0]! : intersectCodes(sub);
    const meat = clusterMeat(fit, inter.codes, inter.nLevels);
    const sign = sub.length % 2 === 1 ? 1 : -1;
    const a = gDf === "conventional" && gAdj ? inter.nLevels / (inter.nLevels - 1) : 1;
    for (let i = 0; i < k * k; i++) M[i]! += sign * a * meat[i]!;
  }
  const cG = gDf === "min" && gAdj ? Gmin / (Gmin - 1) : 1;
  const cK = kAdj ? (n - 1) / (n - K) : 1;
  let V = sandwich(B, M);
  for (let i = 0; i < k * k; i++) V.data[i]! *= cG * cK;
  const fix = posdefFix(V);
  V = fix.V;
  const clusters: Record<string, number> = {};
  spec.clusters.forEach((c, j) => (clusters[c.name] = Gs[j]!));
  const df = tDf === "min" ? Math.max(Gmin - 1, 1) : Math.max(n - K, 1);
  return {
    V,
    df,
    type: "cluster",
    clusters,
    smallSample: `G/(G-1) * (n-1)/(n-K), K=${K}, G_min=${Gmin}; ${sscText}${fix.fixed ? "; negative variance fixed (eigenvalues floored at 1e-10)" : ""}`,
  };
}

/** Coefficient table: t = β/se, p = 2·P(T_df ≥ |t|), CI β ± qt(1−(1−level)/2, df)·se. */
export function coefTable(fit: FeolsFit, vc: VcovResult, level = 0.95): EstimateRow[] {
  const k = fit.coef.length;
  const q = qt(1 - (1 - level) / 2, vc.df);
  return fit.coefNames.map((term, j) => {
    const b = fit.coef[j]!;
    const se = Math.sqrt(vc.V.data[j * k + j]!);
    const t = b / se;
    return { term, estimate: b, std_error: se, statistic: t, p_value: twoSidedT(t, vc.df), conf_low: b - q * se, conf_high: b + q * se };
  });
}
