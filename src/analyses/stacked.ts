/**
 * `did stacked` analysis: stacked DID (Cengiz et al. 2019; WFH 2024 weights by default; METHODS.md §4.3)
 * — event-time coefficients `rel::e` (reference −1), the pooled post average `avg_post` = mean of
 * δ_0 … δ_κpost with SE √(a'Va) from the same cluster VCOV, the static stacked coefficient `treat_post`
 * (same stack, FEs and weights, regressor treat·1[e ≥ 0]), a joint Wald test of the leads, and the list
 * of sub-experiments (with the reason each dropped one was dropped). SEs cluster by the original unit
 * (or `--cluster`) with fixest's small-sample corrections (§5.2). `stackedDid` / `stackedEventStudy`
 * adapt it to the study blocks (robustness 5 and the event-study overlay).
 */
import { qt, twoSidedT } from "../core/distributions.js";
import { makeResult, type EstimateRow, type HeadlineSpec, type KeytechResult } from "../core/result.js";
import { stackedFit, type StackedOptions } from "../estimators/stacked.js";
import { gatherI } from "../estimators/imputation.js";
import { coefTable, computeVcov } from "../inference/vcov.js";
import { waldTest } from "../inference/wald.js";
import { usageError } from "../core/errors.js";
import type { DidPanel } from "../data/panel.js";
import type { PanelModel } from "./twfe-fit.js";
import { loadedFromStudy, type LoadedStaggered } from "./imputation.js";
import { fitBlock, vcovBlock } from "./result-parts.js";

export interface StackedAnalysisOptions extends StackedOptions {
  level?: number;
}

/** Linear combination a'β with SE √(a'Va) and t inference with the VCOV's df. */
export function linearCombination(
  term: string,
  coef: Float64Array,
  V: Float64Array,
  k: number,
  a: Map<number, number>,
  df: number,
  level: number,
): EstimateRow {
  let est = 0,
    v = 0;
  for (const [i, ai] of a) {
    est += ai * coef[i]!;
    for (const [j, aj] of a) v += ai * aj * V[i * k + j]!;
  }
  const se = Math.sqrt(v),
    t = est / se,
    q = qt(1 - (1 - level) / 2, df);
  return { term, estimate: est, std_error: se, statistic: t, p_value: twoSidedT(t, df), conf_low: est - q * se, conf_high: est + q * se };
}

/** The overall effect of stacked DID: the mean of the post event-time coefficients. */
export const STACKED_HEADLINE: HeadlineSpec = { term: "avg_post", label: "avg_post (mean of δ_e, 0 ≤ e ≤ last)" };

export function stackedAnalysis(d: LoadedStaggered, o: StackedAnalysisOptions): KeytechResult {
  const inp = d.input;
  const level = o.level ?? 0.95;
  const weights = o.weights ?? "wfh",
    fe = o.fe ?? "stack";
  const sf = stackedFit(inp, { kPre: o.kPre, kPost: o.kPost, weights, fe });
  const { fit, stack } = sf;
  const cl = inp.cluster;
  const clusters = [{ name: cl.name, codes: gatherI(cl.codes, stack.row), nLevels: cl.nLevels }];
  const vc = computeVcov(fit, { type: "cluster", clusters });
  const estimates: EstimateRow[] = coefTable(fit, vc, level);
  const st = stackedFit(inp, { kPre: o.kPre, kPost: o.kPost, weights, fe, static: true }, { stack, subExperiments: sf.subExperiments });
  const stRow = coefTable(st.fit, computeVcov(st.fit, { type: "cluster", clusters }), level).find((r) => r.term === "treat_post");
  const k = fit.coef.length;
  const warnings: string[] = [];
  const post = new Map<number, number>();
  const postTerms = sf.eventTimes.filter((e) => e >= 0).map((e) => `rel::${e}`);
  const have = postTerms.filter((t) => fit.coefNames.includes(t));
  if (have.length < postTerms.length)
    warnings.push(`post terms not estimable (collinear): ${postTerms.filter((t) => !have.includes(t)).join(", ")}; avg_post averages the others`);
  for (const t of have) post.set(fit.coefNames.indexOf(t), 1 / have.length);
  if (have.length) estimates.push(linearCombination("avg_post", fit.coef, vc.V.data, k, post, vc.df, level));
  if (stRow) estimates.push(stRow);
  const leads = sf.eventTimes
    .filter((e) => e < -1)
    .map((e) => `rel::${e}`)
    .filter((t) => fit.coefNames.includes(t));
  const wald = leads.length ? waldTest(fit, vc, leads) : null;
  const dropped = sf.subExperiments.filter((s) => !s.included);
  for (const s of dropped) warnings.push(`sub-experiment ${s.cohort} dropped: ${s.reason}`);
  const result: KeytechResult = makeResult({
    command: "did stacked",
    headline: STACKED_HEADLINE,
    estimates,
    nobs: fit.nobs,
    fit: fitBlock(fit),
    vcov: vcovBlock(vc),
    dropped: { singletons: fit.singletonsRemoved, missing: d.missing, collinear: fit.droppedCollinear, sub_experiments: dropped.map((s) => s.cohort) },
    sub_experiments: sf.subExperiments,
    pretrends: wald
      ? { wald: { terms: leads, stat: wald.stat, df1: wald.df1, df2: wald.df2, p_value: wald.p_value, chi2: wald.chi2, chi2_p_value: wald.chi2_p_value } }
      : null,
    provenance: {
      seed: null,
      inputs: d.inputs,
      options: {
        y: d.columns.y,
        unit: d.columns.unit,
        time: d.columns.time,
        cohort: d.columns.cohort,
        x: d.columns.x ?? [],
        cluster: cl.name,
        window: `${-o.kPre}:${o.kPost}`,
        weights,
        fe,
        level,
      },
    },
  });
  if (warnings.length) result.warnings = warnings;
  return result;
}

function windowOf(w: [number, number]): { kPre: number; kPost: number } {
  const [lo, hi] = w;
  if (lo > -1 || hi < 0) throw usageError(`the stacked window ${lo}…${hi} must include event time −1 (the reference) and 0`);
  return { kPre: -lo, kPost: hi };
}

/** Study robustness 5: stacked DID on the study panel (`treat_post` = static stacked coefficient). */
export function stackedDid(a: { panel: DidPanel; model: PanelModel; window: [number, number]; weighting: "weighted" | "unweighted" }): KeytechResult {
  return stackedAnalysis(loadedFromStudy(a.panel, a.model), { ...windowOf(a.window), weights: a.weighting === "weighted" ? "wfh" : "none" });
}

/** Study event-study overlay: stacked (WFH-weighted) event-time coefficients `rel::e`, reference −1. */
export function stackedEventStudy(a: { panel: DidPanel; model: PanelModel; window: [number, number]; ref: number }): KeytechResult {
  if (a.ref !== -1) throw usageError(`stacked DID uses event time −1 as the reference, not ${a.ref}`);
  return stackedAnalysis(loadedFromStudy(a.panel, a.model), { ...windowOf(a.window), weights: "wfh" });
}
