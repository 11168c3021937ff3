/**
 * Callaway–Sant'Anna ATT(g,t) on unbalanced panels and repeated cross sections, as R `did` 2.x
 * `compute.att_gt` does when `panel = FALSE` (and what `allow_unbalanced_panel = TRUE` switches to on an
 * unbalanced panel): each cell (g, t) with base period b takes the observations of the treated cohort g and
 * of its comparison cohorts that are observed in t or in b (a unit may be observed in one of the two),
 * and estimates a repeated-cross-section 2×2 DID (`drdid_rc`, `std_ipw_did_rc`, `reg_did_rc`; drdid-rc.ts)
 * with post = 1[period = t] and each observation's own covariates.
 *
 * Influence functions (did): the cell's per-observation ψ is scaled by n/n₁ (n = units in the panel, n₁ =
 * observations in the cell) and summed by unit, so clustering is at the unit (or a coarser) level; with true
 * repeated cross sections every row is its own unit. Cohort shares p_g = mean over units of w_i·1[G_i = g]
 * (did's `aggte` averages the rows of each id). On a balanced panel without covariates this reproduces the
 * panel path exactly (estimates and SEs).
 *
 * Without covariates all three estimators reduce to ATT = ȳ₁₁ − ȳ₁₀ − (ȳ₀₁ − ȳ₀₀) (w-weighted means of the
 * (treated, post) subgroups) with ψ_i = ±n·w_i(y_i − ȳ_s)/W_s (W_s = Σ_{j∈s} w_j; + for (1,1) and (0,0));
 * that closed form is used unless `fastPath` is false (it equals the DRDID code to rounding, tested), from
 * cohort×period sums, with the influence functions kept as per-cohort moments (`MaskedMomentBasis`).
 */
import { estimationError } from "../../core/errors.js";
import { MaskedMomentBasis, type IfBasis, type SparseCohortTerm } from "./cs-basis.js";
import type { WidePanel } from "./cs-panel.js";
import { finishDenseBasis, setupCs, type CsFit, type CsOptions, type CsSetup } from "./cs.js";
import { drdidRc, type DrdidRcMethod } from "./drdid-rc.js";
import { TRIM_LEVEL } from "./drdid-common.js";

/** Estimate every ATT(g,t) with the repeated-cross-section estimators (unbalanced or balanced panel). */
export function estimateCsRc(panel: WidePanel, opts: CsOptions = {}): CsFit {
  const method = opts.method ?? "dr";
  if (method === "dr-imp")
    throw estimationError("method dr-imp is not available for unbalanced panels or repeated cross sections (did offers dr, ipw and reg there)");
  const fast = (opts.fastPath ?? true) && panel.x.length === 0;
  const setup = setupCs(panel, opts, fast);
  if (fast) return momentPath(panel, setup, method);
  const { plans, cohorts, cells, pg, warnings, K, dim, cohortPos, options } = setup;
  const n = panel.n;
  const T = panel.T;
  const w = panel.w;
  const present = panel.present;
  const nx = panel.x.length;
  const rows = new Float64Array(n * dim);
  const failed: string[] = [];
  // scratch buffers sized for the largest cell (2 observations per unit at most)
  const cap = 2 * n;
  const yB = new Float64Array(cap),
    wB = new Float64Array(cap);
  const postB = new Uint8Array(cap),
    DB = new Uint8Array(cap);
  const unitB = new Int32Array(cap);
  const XB = Array.from({ length: nx + 1 }, () => new Float64Array(cap));
  for (let k = 0; k < K; k++) {
    const p = plans[k]!;
    const cell = cells[k]!;
    if (p.reference || cell.nControl === 0) continue;
    let m = 0;
    for (const c of [p.g, ...p.controls]) {
      const d = c === p.g ? 1 : 0;
      for (let i = panel.cohortStart[c]!; i < panel.cohortEnd[c]!; i++) {
        for (let s = 0; s < 2; s++) {
          const tj = s === 0 ? p.tIdx : p.bIdx;
          const o = i * T + tj;
          if (present && present[o] === 0) continue;
          yB[m] = panel.y[o]!;
          postB[m] = s === 0 ? 1 : 0;
          DB[m] = d;
          unitB[m] = i;
          wB[m] = w ? w[i]! : 1;
          for (let q = 0; q < nx; q++) XB[q + 1]![m] = panel.x[q]!.values[o]!;
          m++;
        }
      }
    }
    const X = XB.map((col, q) => (q === 0 ? new Float64Array(m).fill(1) : col.slice(0, m)));
    try {
      const res = drdidRc(
        { y: yB.slice(0, m), post: postB.slice(0, m), D: DB.slice(0, m), X, w: w ? wB.slice(0, m) : null },
        method as DrdidRcMethod,
        opts.rcCorrectedIf ?? false,
      );
      cell.att = res.att;
      const scale = n / m;
      for (let q = 0; q < m; q++) rows[unitB[q]! * dim + k]! += res.inf[q]! * scale;
    } catch (e) {
      failed.push(`(${cell.group}, ${cell.time}): ${(e as Error).message}`);
    }
  }
  if (failed.length) warnings.push(`cells not estimated (NA): ${failed.slice(0, 5).join("; ")}${failed.length > 5 ? "; …" : ""}`);
  const basis = finishDenseBasis(panel, rows, dim, K, cohortPos, w);
  return { cells, basis, K, cohorts: cohorts.map((c) => panel.cohortValues[c]!), pg, n, periods: Array.from(panel.periods), warnings, options };
}

const GROUP_NAMES = [
  "comparison units in the base period",
  "comparison units in the period",
  "treated units in the base period",
  "treated units in the period",
];

/**
 * Covariate-free cells from cohort×period sums W_ct = Σ w p_it, S_ct = Σ w p_it Y_it: subgroup means
 * ȳ_s and weights W_s of each cell, ψ = ±n·w p (Y − ȳ_s)/W_s written on z (MaskedMomentBasis) as
 * ±(n/W_s)·[w p Ỹ + (μ_c − ȳ_s)·w p] for each member cohort c.
 */
function momentPath(panel: WidePanel, setup: CsSetup, method: string): CsFit {
  const { plans, cohorts, cells, pg, warnings, K, C, dim, options } = setup;
  const n = panel.n,
    T = panel.T,
    w = panel.w;
  const present = panel.present;
  const nC = panel.cohortValues.length;
  const W = new Float64Array(nC * T),
    mu = new Float64Array(nC * T);
  for (let c = 0; c < nC; c++)
    for (let i = panel.cohortStart[c]!; i < panel.cohortEnd[c]!; i++) {
      const wi = w ? w[i]! : 1;
      const o = i * T;
      for (let t = 0; t < T; t++) {
        if (present && !present[o + t]) continue;
        W[c * T + t]! += wi;
        mu[c * T + t]! += wi * panel.y[o + t]!;
      }
    }
  for (let q = 0; q < nC * T; q++) mu[q] = W[q]! > 0 ? mu[q]! / W[q]! : 0;
  const terms: SparseCohortTerm[] = [];
  const failed: string[] = [];
  for (let k = 0; k < K; k++) {
    const p = plans[k]!;
    const cell = cells[k]!;
    if (p.reference || cell.nControl === 0) continue;
    const t = p.tIdx,
      b = p.bIdx;
    // subgroup weights and means: 0 = (control, base), 1 = (control, t), 2 = (treated, base), 3 = (treated, t)
    const Ws = [0, 0, W[p.g * T + b]!, W[p.g * T + t]!];
    const Ss = [0, 0, Ws[2]! * mu[p.g * T + b]!, Ws[3]! * mu[p.g * T + t]!];
    for (const c of p.controls) {
      Ws[0]! += W[c * T + b]!;
      Ws[1]! += W[c * T + t]!;
      Ss[0]! += W[c * T + b]! * mu[c * T + b]!;
      Ss[1]! += W[c * T + t]! * mu[c * T + t]!;
    }
    const bad = Ws.findIndex((v) => !(v > 0));
    if (bad >= 0) {
      failed.push(`(${cell.group}, ${cell.time}): no ${GROUP_NAMES[bad]}`);
      continue;
    }
    // DRDID's drdid_rc trims every comparison observation when the (intercept-only) propensity score ≥ 0.995
    if (method === "dr" && Math.min((Ws[2]! + Ws[3]!) / (Ws[0]! + Ws[1]! + Ws[2]! + Ws[3]!), 1 - 1e-6) >= TRIM_LEVEL) {
      failed.push(`(${cell.group}, ${cell.time}): overlap failure: every comparison unit trimmed (propensity score ≥ ${TRIM_LEVEL})`);
      continue;
    }
    const ybar = Ss.map((v, s) => v / Ws[s]!);
    cell.att = ybar[3]! - ybar[2]! - (ybar[1]! - ybar[0]!);
    const f = [n / Ws[0]!, -n / Ws[1]!, -n / Ws[2]!, n / Ws[3]!];
    for (const c of [p.g, ...p.controls]) {
      const sb = c === p.g ? 2 : 0,
        st = sb + 1;
      terms.push({
        basis: k,
        cohort: c,
        idx: [t, b, T + t, T + b],
        val: [f[st]!, f[sb]!, f[st]! * (mu[c * T + t]! - ybar[st]!), f[sb]! * (mu[c * T + b]! - ybar[sb]!)],
      });
    }
  }
  if (failed.length) warnings.push(`cells not estimated (NA): ${failed.slice(0, 5).join("; ")}${failed.length > 5 ? "; …" : ""}`);
  for (let j = 0; j < C; j++) terms.push({ basis: K + j, cohort: cohorts[j]!, idx: [2 * T], val: [1] });
  for (let c = 0; c < nC; c++) terms.push({ basis: K + C, cohort: c, idx: [2 * T + 1], val: [1] });
  const allPresent = present ?? new Uint8Array(n * T).fill(1);
  let basis: IfBasis = new MaskedMomentBasis(dim, panel.y, allPresent, T, w, panel.cohortStart, panel.cohortEnd, mu, terms);
  if (panel.cluster) basis = (basis as MaskedMomentBasis).toDense(panel.cluster, panel.nClusters, panel.cohortIdx);
  return { cells, basis, K, cohorts: cohorts.map((c) => panel.cohortValues[c]!), pg, n, periods: Array.from(panel.periods), warnings, options };
}
