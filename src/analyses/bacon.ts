/**
 * Goodman-Bacon decomposition analysis (`keytech did bacon`): balanced panel → the 2×2 comparisons,
 * their weights, the by-type summary (as bacondecomp prints it) and the TWFE coefficient they reproduce.
 */
import { makeResult, type KeytechResult } from "../core/result.js";
import { estimationError } from "../core/errors.js";
import { buildWidePanel, type LongPanelInput } from "../estimators/cs/cs-panel.js";
import { baconDecomposition } from "../estimators/bacon.js";

export interface BaconAnalysisOptions {
  inputs?: Record<string, string>;
  /** treatment column name when the cohort was derived from it (provenance) */
  treatName?: string | null;
}

export function baconAnalysis(input: LongPanelInput, opts: BaconAnalysisOptions = {}): KeytechResult {
  if (input.weights) throw estimationError("the Bacon decomposition is defined for unweighted TWFE; drop --weights");
  if ((input.x ?? []).length) throw estimationError("the Bacon decomposition with covariates is not implemented; drop --x");
  const panel = buildWidePanel(input, { raw: true });
  const d = baconDecomposition(panel);
  if (Math.abs(d.sumCheck.weight) > 1e-8 || Math.abs(d.sumCheck.estimate) > 1e-8 * Math.max(1, Math.abs(d.twfe)))
    throw estimationError(`internal check failed: weights sum to ${1 + d.sumCheck.weight}, weighted 2×2 sum differs from TWFE by ${d.sumCheck.estimate}`);
  return makeResult({
    command: "did bacon",
    headline: { term: "treat_post", label: "the TWFE coefficient decomposed" },
    estimates: [{ term: "treat_post", estimate: d.twfe, std_error: null, statistic: null, p_value: null, conf_low: null, conf_high: null }],
    nobs: panel.nobs,
    n_units: panel.n,
    n_periods: panel.T,
    dropped: { singletons: 0, missing: 0, collinear: [] },
    comparisons: d.comparisons,
    by_type: d.byType,
    sum_check: { weights_minus_one: d.sumCheck.weight, weighted_estimate_minus_twfe: d.sumCheck.estimate },
    provenance: {
      seed: null,
      inputs: opts.inputs ?? {},
      options: { y: input.names.y, unit: input.names.unit, time: input.names.time, cohort: input.names.cohort, treat: opts.treatName ?? null },
    },
    warnings: panel.warnings,
  });
}
