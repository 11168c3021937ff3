/**
 * Synthetic DID event study (Clarke, Pailañir, Athey & Imbens 2023; Ciccia 2024, "A short note on
 * event-study synthetic difference-in-differences estimators"; the definitions of Stata `sdid_event`),
 * docs/CONTRACT.md (`did sdid --event`).
 *
 * For adoption cohort a with its standard SDID weights (ω over the never-treated units, λ over the pre
 * periods t < a), let s_t = (1/N_a)·Σ_{i∈a} Y_it − Σ_j ω_j Y_jt be the treated-minus-synthetic contrast
 * and b_a = Σ_{t<a} λ_t s_t its λ-weighted pre-period level. Then
 *
 *   τ̂_{a,ℓ} = s_{a+ℓ} − b_a        (ℓ = 0 … T−1−a; sdid_event's Effect_{ℓ+1})
 *   τ̂_{a,−p} = s_{a−p} − b_a       (p = 1 … a; sdid_event's Placebo_p — λ is NOT re-fitted, and b_a
 *                                    includes period a−p itself)
 *
 * and across cohorts τ̂_ℓ = Σ_{a ∈ A_ℓ} N_a τ̂_{a,ℓ} / Σ_{a ∈ A_ℓ} N_a, A_ℓ = the cohorts observed at ℓ.
 * The overall ATT is Stata sdid's Σ_a w_a τ̂_a with w_a ∝ N_a·T_post,a. Since τ̂_a = mean_ℓ τ̂_{a,ℓ},
 * ATT = Σ_{ℓ≥0} N^ℓ τ̂_ℓ / Σ_{ℓ≥0} N^ℓ with N^ℓ = Σ_{a∈A_ℓ} N_a (exact; with one cohort the ATT is the
 * plain mean of the post-period effects).
 */
import { type SdidPanel, sdidContrastCurve } from "./sdid.js";

/** What the event study needs of one cohort's fit (a CohortFit, or a block design as one cohort). */
export interface EventCohortInput {
  /** adoption period index a (= panel.T0) */
  adoption: number;
  nTreated: number;
  /** the cohort's weight in the ATT (w_a) */
  weight: number;
  panel: SdidPanel;
  fit: { estimate: number; omega: Float64Array; lambda: Float64Array };
}

export interface EventCohortEffects {
  adoption: number;
  nTreated: number;
  /** τ̂_{a,ℓ}, ℓ = 0 … T−1−a */
  post: Float64Array;
  /** τ̂_{a,−p} at index p − 1, p = 1 … a */
  pre: Float64Array;
}

export interface SdidEventTerm {
  /** event time ℓ (negative: pre-period placebo) */
  rel: number;
  estimate: number;
  /** treated units of the cohorts observed at ℓ (the aggregation weights' total) */
  nTreated: number;
  nCohorts: number;
}

export interface SdidEventStudy {
  att: number;
  /** ascending in ℓ: placebos −P … −1, then 0 … L−1 */
  terms: SdidEventTerm[];
  cohorts: EventCohortEffects[];
}

export interface SdidEventOptions {
  /** post-period effects ℓ = 0 … effects−1 (default: all, L = T − min a) */
  effects?: number;
  /** pre-period placebos ℓ = −1 … −placebo; "all" = max a (default 0, as sdid_event) */
  placebo?: number | "all";
}

/** τ̂_{a,ℓ} and τ̂_{a,−p} of one cohort from its panel (controls first, T0 = a) and weights. */
export function cohortEventEffects(p: SdidPanel, omega: Float64Array, lambda: Float64Array): { post: Float64Array; pre: Float64Array } {
  const s = sdidContrastCurve(p, omega);
  let base = 0;
  for (let t = 0; t < p.T0; t++) base += lambda[t]! * s[t]!;
  const post = new Float64Array(p.T - p.T0);
  for (let l = 0; l < post.length; l++) post[l] = s[p.T0 + l]! - base;
  const pre = new Float64Array(p.T0);
  for (let q = 1; q <= p.T0; q++) pre[q - 1] = s[p.T0 - q]! - base;
  return { post, pre };
}

/** The event times reported by default: −P … −1 (P from `placebo`) and 0 … L−1. */
export function eventTimes(cohorts: readonly { adoption: number; panel: { T: number } }[], o: SdidEventOptions = {}): number[] {
  let maxPost = 0;
  let maxPre = 0;
  for (const c of cohorts) {
    maxPost = Math.max(maxPost, c.panel.T - c.adoption);
    maxPre = Math.max(maxPre, c.adoption);
  }
  const L = o.effects === undefined ? maxPost : Math.min(o.effects, maxPost);
  const P = o.placebo === undefined ? 0 : o.placebo === "all" ? maxPre : Math.min(o.placebo, maxPre);
  const out: number[] = [];
  for (let q = P; q >= 1; q--) out.push(-q);
  for (let l = 0; l < L; l++) out.push(l);
  return out;
}

/**
 * Aggregate per-cohort effects at the event times `rels` (N_a-weighted over the cohorts observed at
 * each ℓ; NaN where none is). Writes [ATT, τ̂_rels…] into out[off …] and returns the per-cohort
 * effects and weight totals.
 */
export function eventRow(
  cohorts: readonly EventCohortInput[],
  rels: readonly number[],
  out: Float64Array,
  off = 0,
): { effects: EventCohortEffects[]; nTreated: Int32Array; nCohorts: Int32Array } {
  const effects = cohorts.map((c) => ({ adoption: c.adoption, nTreated: c.nTreated, ...cohortEventEffects(c.panel, c.fit.omega, c.fit.lambda) }));
  let att = 0;
  for (const c of cohorts) att += c.weight * c.fit.estimate;
  out[off] = att;
  const nTreated = new Int32Array(rels.length);
  const nCohorts = new Int32Array(rels.length);
  for (let k = 0; k < rels.length; k++) {
    const l = rels[k]!;
    let num = 0;
    let den = 0;
    for (const e of effects) {
      const v = l >= 0 ? e.post[l] : e.pre[-l - 1];
      if (v === undefined) continue;
      num += e.nTreated * v;
      den += e.nTreated;
      nCohorts[k]!++;
    }
    nTreated[k] = den;
    out[off + 1 + k] = den > 0 ? num / den : Number.NaN;
  }
  return { effects, nTreated, nCohorts };
}

/** The event study of a staggered fit (every cohort that was fitted; a StaggeredFit will do). */
export function sdidEventStudy(fit: { cohorts: readonly EventCohortInput[] }, o: SdidEventOptions = {}, rels?: readonly number[]): SdidEventStudy {
  const r = rels ?? eventTimes(fit.cohorts, o);
  const row = new Float64Array(1 + r.length);
  const { effects, nTreated, nCohorts } = eventRow(fit.cohorts, r, row);
  return {
    att: row[0]!,
    terms: r.map((rel, k) => ({ rel, estimate: row[1 + k]!, nTreated: nTreated[k]!, nCohorts: nCohorts[k]! })),
    cohorts: effects,
  };
}

/** A block design (one adoption period, panel.T0) as a single cohort with weight 1. */
export function blockCohort(panel: SdidPanel, fit: EventCohortInput["fit"]): EventCohortInput {
  return { adoption: panel.T0, nTreated: panel.N - panel.N0, weight: 1, panel, fit };
}

/** The event study of a block-design fit: τ̂_ℓ = s_{T0+ℓ} − Σ λ_t s_t; the ATT is the fit's τ̂. */
export function sdidEventStudyBlock(panel: SdidPanel, fit: EventCohortInput["fit"], o: SdidEventOptions = {}): SdidEventStudy {
  return sdidEventStudy({ cohorts: [blockCohort(panel, fit)] }, o);
}
