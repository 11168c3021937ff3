/**
 * `keytech did sdid … --event`: the synthetic-DID result of `sdidAnalysisParallel` plus the event
 * study (src/estimators/sdid/sdid-event.ts) — terms `rel::ℓ` after the overall estimate, with SEs and a
 * covariance from the same placebo / bootstrap replications as the overall estimate (each replication
 * recomputes τ̂ and every τ̂_ℓ; src/inference/sdid-variance.ts `sdidEventSeParallel`).
 *
 * The overall estimate, its SE and every other block are what the command gives without --event: the
 * analysis runs without SE, and the replications here, which draw exactly what the analysis's own
 * would, fill the SE in (test/estimators/sdid/event.test.ts checks the two results agree).
 */
import { estimationError, inputError, usageError } from "../core/errors.js";
import { pnorm, qnorm } from "../core/distributions.js";
import type { EstimateRow, KeytechResult } from "../core/result.js";
import { Rng } from "../core/rng.js";
import { sdid } from "../estimators/sdid/sdid.js";
import { projectCovariates } from "../estimators/sdid/sdid-covariates.js";
import { type EventCohortInput, type SdidEventOptions, blockCohort, eventTimes, sdidEventStudy } from "../estimators/sdid/sdid-event.js";
import { blockPanel, widePanel } from "../estimators/sdid/sdid-panel.js";
import { sdidStaggered } from "../estimators/sdid/sdid-staggered.js";
import { type SdidEventDesign, type SdidEventSeResult, sdidEventSeParallel } from "../inference/sdid-variance.js";
import { type SdidAnalysisInput, sdidAnalysisParallel } from "./sdid.js";

/** Normal-theory row as the analysis writes it (NaN SE → nulls). */
function row(term: string, est: number, s: number): EstimateRow {
  const se = Number.isFinite(s) ? s : null;
  const z = qnorm(0.975);
  return {
    term,
    estimate: Number.isFinite(est) ? est : null,
    std_error: se,
    statistic: se !== null && se > 0 ? est / se : null,
    p_value: se !== null && se > 0 ? 2 * pnorm(-Math.abs(est / se)) : null,
    conf_low: se !== null ? est - z * se : null,
    conf_high: se !== null ? est + z * se : null,
  };
}

/** The panel and fit the analysis estimates on (same steps, same bits), as an event-study design. */
function design(a: SdidAnalysisInput): { d: SdidEventDesign; cohorts: EventCohortInput[]; times: number[] } {
  const method = a.method ?? "sdid";
  const w = widePanel({ unit: a.unit, time: a.time, y: a.y, treat: a.treat, ...(a.file !== undefined ? { file: a.file } : {}), columns: a.names });
  const N = w.units.length;
  const T = w.times.length;
  let Y = w.Y;
  if (a.covariates && a.covariates.length > 0) {
    const X = a.covariates.map((c) => {
      const v = new Float64Array(N * T);
      for (let k = 0; k < N * T; k++) {
        const x = c.values[w.rowOf[k]!]!;
        if (!Number.isFinite(x))
          throw inputError("missing covariate value; synthetic DID with covariates needs them in every unit-period", {
            ...(a.file !== undefined ? { file: a.file } : {}),
            row: w.rowOf[k]! + 1,
            column: c.name,
          });
        v[k] = x;
      }
      return { name: c.name, values: v };
    });
    Y = projectCovariates(
      Y,
      N,
      T,
      X,
      Array.from(w.adoption, (x) => x < 0),
    ).Y;
  }
  const staggered = new Set(Array.from(w.adoption).filter((x) => x >= 0)).size > 1;
  if (!staggered) {
    const panel = blockPanel({ ...w, Y }).panel;
    const fit = sdid(panel, { method });
    return { d: { design: "block", panel, fit }, cohorts: [blockCohort(panel, fit)], times: w.times };
  }
  const sp = { Y, N, T, adoption: w.adoption };
  const fit = sdidStaggered(sp, { method });
  return { d: { design: "staggered", panel: sp, fit, est: { method } }, cohorts: fit.cohorts, times: w.times };
}

const SMALL_SAMPLE = "synthdid: sqrt((r−1)/r)·sd for placebo/bootstrap, jackknife sqrt((n−1)/n·Σ(u−ū)²); normal CI";

/**
 * `sdidAnalysisParallel` with the event study: terms `rel::ℓ` after the overall estimate, `vcov_matrix`
 * over all the terms (placebo / bootstrap) and an `event_study` block.
 */
export async function sdidEventAnalysis(a: SdidAnalysisInput, ev: SdidEventOptions = {}): Promise<KeytechResult> {
  if ((a.covariates ?? []).length > 0 && a.covariatesMethod === "optimized")
    throw usageError("--event is implemented with --covariates-method projected (as sdid_event's covariates()); drop --covariates-method optimized");
  const se = a.se ?? "placebo";
  const random = se === "placebo" || se === "bootstrap";
  const { onProgress, ...rest } = a;
  const res = await sdidAnalysisParallel(random ? { ...rest, se: "none" } : a);
  const { d, cohorts, times } = design(a);
  const rels = eventTimes(cohorts, ev);
  const study = sdidEventStudy({ cohorts }, ev, rels);
  const first = res.estimates[0]!;
  if (study.att !== first.estimate) throw estimationError(`internal: event-study ATT ${study.att} differs from the estimate ${String(first.estimate)}`);
  const reps = a.reps ?? 200;
  const seed = a.seed ?? 1;
  let s: SdidEventSeResult | null = null;
  if (random) {
    s = await sdidEventSeParallel(se, d, rels, new Rng(seed), {
      replications: reps,
      ...(onProgress ? { onProgress: (k: number) => onProgress(k, reps) } : {}),
      ...(a.workers !== undefined ? { workers: a.workers } : {}),
    });
    res.estimates[0] = { ...row(first.term, study.att, s.se[0]!), estimate: first.estimate };
    res.vcov = { type: se, replications: reps, small_sample: SMALL_SAMPLE };
    res.provenance = { ...res.provenance, seed, options: { ...res.provenance.options, se, reps } };
    (res.sdid as Record<string, unknown>).se_replications = s.replications;
    if (s.note) res.warnings = [...(res.warnings ?? []), s.note];
  } else if (se === "jackknife") {
    res.warnings = [
      ...(res.warnings ?? []),
      "event-study SEs are implemented for placebo and bootstrap replications; the rel:: terms have no SE under --se jackknife",
    ];
  }
  const terms = study.terms.map((t) => `rel::${t.rel}`);
  res.estimates.push(...study.terms.map((t, k) => row(terms[k]!, t.estimate, s ? s.se[1 + k]! : Number.NaN)));
  if (s && s.replications > 0) {
    const all = [first.term, ...terms];
    const w = all.length;
    res.vcov_matrix = { terms: all, matrix: all.map((_, i) => Array.from(s.vcov.subarray(i * w, (i + 1) * w), (x) => (Number.isFinite(x) ? x : null))) };
  }
  res.event_study = {
    definition:
      "sdid_event (Ciccia 2024; Clarke et al. 2023): τ_{a,ℓ} = s_{a+ℓ} − Σ_{t<a} λ_t s_t with s_t = treated mean − ω-weighted control mean at t and the cohort's SDID ω, λ; placebo ℓ = −p: s_{a−p} − Σ_{t<a} λ_t s_t (λ not re-fitted); τ_ℓ = Σ_a N_a τ_{a,ℓ} / Σ_a N_a over the cohorts observed at ℓ; ATT = Σ_a w_a τ_a, w_a ∝ N_a·T_post,a = Σ_ℓ≥0 N^ℓ τ_ℓ / Σ_ℓ≥0 N^ℓ",
    effects: study.terms.map((t, k) => ({
      rel: t.rel,
      term: terms[k],
      estimate: Number.isFinite(t.estimate) ? t.estimate : null,
      std_error: s && Number.isFinite(s.se[1 + k]!) ? s.se[1 + k]! : null,
      n_treated: t.nTreated,
      n_cohorts: t.nCohorts,
      ...(s && s.replications > 0 ? { finite_draws: s.finite[1 + k]! } : {}),
    })),
    cohorts: study.cohorts.map((c) => ({
      cohort: times[c.adoption]!,
      n_treated: c.nTreated,
      effects: rels
        .map((l) => {
          const v = l >= 0 ? c.post[l] : c.pre[-l - 1];
          return { rel: l, time: times[c.adoption + l] ?? null, estimate: v === undefined ? null : v };
        })
        .filter((e) => e.estimate !== null),
    })),
    se_replications: s ? s.replications : 0,
    se_covariance: "Σ_b (x_b − x̄)(y_b − ȳ)/r over the r replications where both are defined (sdid_event's variance() divides by r − 1)",
  };
  res.provenance = {
    ...res.provenance,
    options: { ...res.provenance.options, event: true, event_effects: ev.effects ?? null, event_placebo: ev.placebo ?? 0 },
  };
  // the headline row now carries the event-study SE; the event-time rows are event_study.effects (no
  // event_rows: the result keeps exactly the plain result's blocks, eventRowsOf reads its rel:: rows)
  if (res.headline) res.headline = { ...res.estimates[0]!, label: res.headline.label };
  return res;
}
