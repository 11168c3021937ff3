/**
 * Synthetic DID under staggered adoption as Stata `sdid` (≥ 2.0) computes it (Arkhangelsky et al.
 * 2021, Appendix A; METHODS.md §3.5): for each adoption period a, the sample is the units first
 * treated at a plus the never-treated units, the pre periods are those before a and the post periods
 * a … T_last; ζ's are recomputed on that sample and τ̂_a is the block-design estimate. The overall
 *
 *   ATT = Σ_a w_a τ̂_a,   w_a = N_tr,a·T_post,a / Σ_b N_tr,b·T_post,b   (treated unit-periods).
 */
import { estimationError } from "../../core/errors.js";
import { type SdidFit, type SdidOptions, type SdidPanel, sdid } from "./sdid.js";

/** Units × periods with each unit's adoption period index (−1 = never treated). */
export interface StaggeredPanel {
  /** row-major N×T */
  Y: Float64Array;
  N: number;
  T: number;
  adoption: Int32Array;
}

export interface CohortFit {
  /** adoption period index a (first treated column) */
  adoption: number;
  nTreated: number;
  tPost: number;
  /** w_a */
  weight: number;
  fit: SdidFit;
  panel: SdidPanel;
  /** unit indices (into the staggered panel) of panel rows: never-treated first, then cohort a */
  rows: Int32Array;
}

export interface StaggeredFit {
  att: number;
  cohorts: CohortFit[];
  /** cohorts left out: fewer than 2 pre-periods (σ̂ needs at least one pre-period first difference) */
  skipped: { adoption: number; nTreated: number; reason: string }[];
}

/** The block panel of cohort a: never-treated rows, then the units adopting at a; all periods. */
export function cohortPanel(p: StaggeredPanel, a: number, units?: ArrayLike<number>): { panel: SdidPanel; rows: Int32Array } {
  const idx = units ?? Int32Array.from({ length: p.N }, (_, i) => i);
  const ctrl: number[] = [];
  const trt: number[] = [];
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    const ai = p.adoption[i]!;
    if (ai < 0) ctrl.push(i);
    else if (ai === a) trt.push(i);
  }
  const rows = Int32Array.from([...ctrl, ...trt]);
  const T = p.T;
  const Y = new Float64Array(rows.length * T);
  for (let k = 0; k < rows.length; k++) Y.set(p.Y.subarray(rows[k]! * T, rows[k]! * T + T), k * T);
  return { panel: { Y, N: rows.length, T, N0: ctrl.length, T0: a }, rows };
}

/**
 * Fit every adoption cohort present among `units` (default: all) and average. Options apply to each
 * cohort (ζ's are recomputed per cohort unless given).
 */
export function sdidStaggered(p: StaggeredPanel, o: SdidOptions = {}, units?: ArrayLike<number>): StaggeredFit {
  const idx = units ?? Int32Array.from({ length: p.N }, (_, i) => i);
  const counts = new Map<number, number>();
  let nNever = 0;
  for (let k = 0; k < idx.length; k++) {
    const a = p.adoption[idx[k]!]!;
    if (a < 0) nNever++;
    else counts.set(a, (counts.get(a) ?? 0) + 1);
  }
  if (nNever === 0) throw estimationError("staggered synthetic DID needs never-treated control units; there are none");
  if (counts.size === 0) throw estimationError("no treated unit: the treatment column is 0 everywhere");
  const cohorts: CohortFit[] = [];
  const skipped: StaggeredFit["skipped"] = [];
  let wsum = 0;
  for (const a of [...counts.keys()].sort((x, y) => x - y)) {
    if (a < 2) {
      skipped.push({ adoption: a, nTreated: counts.get(a)!, reason: `${a} pre-period${a === 1 ? "" : "s"}; synthetic DID needs at least 2` });
      continue;
    }
    const { panel, rows } = cohortPanel(p, a, idx);
    const fit = sdid(panel, o);
    const nTreated = counts.get(a)!;
    const tPost = p.T - a;
    const w = nTreated * tPost;
    wsum += w;
    cohorts.push({ adoption: a, nTreated, tPost, weight: w, fit, panel, rows });
  }
  if (cohorts.length === 0)
    throw estimationError(
      `no adoption cohort has the 2 pre-periods synthetic DID needs (${skipped.map((s) => `cohort at period index ${s.adoption}: ${s.reason}`).join("; ")})`,
    );
  let att = 0;
  for (const c of cohorts) {
    c.weight /= wsum;
    att += c.weight * c.fit.estimate;
  }
  return { att, cohorts, skipped };
}
