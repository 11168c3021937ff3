/**
 * `keytech feols`: OLS with high-dimensional fixed effects from a fixest-style formula
 * (`y ~ x1 + x2 | fe1 + fe2`), with iid / HC1 / one- or multiway clustered variance (fixest ssc).
 * Default variance: iid (fixest ≥ 0.13), clustered when --cluster is given.
 */
import type { KeytechResult } from "../core/result.js";
import { parseFormula } from "../formula/parse.js";
import { fixedEffectLabel, termLabel } from "../formula/ast.js";
import { buildDesign } from "../formula/design.js";
import { checkWeights, formulaSample, fitDesign, outcomeVariants, regressionResult, vcovSpec, type RegressionOptions, wildBlock } from "./model-input.js";

export interface FeolsAnalysisOptions extends RegressionOptions {
  data: string;
  formula: string;
}

export async function feolsAnalysis(o: FeolsAnalysisOptions): Promise<KeytechResult> {
  const f = parseFormula(o.formula);
  const sample = await formulaSample(o.data, f, o);
  const { hash, log, warnings } = sample;
  let t = sample.t;
  t = outcomeVariants(t, f.lhs, o, log);
  const weights = o.weights ? checkWeights(t, o.weights) : undefined;
  const design = buildDesign(f, t, weights ? { weights } : {});
  const spec = vcovSpec(t, o, null);
  const bundle = fitDesign(design, spec, o);
  const bootTerm = o.bootstrap?.term ?? design.x[0]?.name;
  const boot = o.bootstrap && bootTerm ? wildBlock(design, bootTerm, spec, o) : null;
  const r = regressionResult({
    command: "feols",
    bundle,
    log,
    file: o.data,
    hash: await hash,
    options: optionsRecord(o),
    model: {
      depvar: f.lhs,
      formula: o.formula,
      fixed_effects: f.fixedEffects.map(fixedEffectLabel),
      controls: f.terms.map(termLabel),
    },
    ...(boot ? { extra: { bootstrap: boot }, seed: o.bootstrap!.seed } : {}),
    ...(design.x[0] ? { headline: { term: design.x[0].name, label: "the first regressor" } } : {}),
  });
  if (warnings.length) r.warnings = [...warnings, ...(r.warnings ?? [])];
  return r;
}

/** Options as recorded in provenance (undefined ones left out). */
export function optionsRecord(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && k !== "data") out[k] = v;
  return out;
}
