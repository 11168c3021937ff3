/**
 * Mediation analyses (seed Table 2, eqs. 5–6; METHODS.md §12): for each mediator M_j,
 *   (a) M_j = a_j·D + controls + unit FE + year FE,   (b) Y = b_j·M_j + τ_j·D + controls + unit FE + year FE,
 * same FEs, controls and clustering as the main model (fixest defaults), with Sobel and MaxP per mediator;
 * and the Guo et al. (2022) S_n test per mediator and jointly, on the two-way-demeaned data (FWL) with the
 * absorbed fixed-effect parameters subtracted from the residual df (src/inference/mediation-test.ts).
 */
import { makeResult, type EstimateRow, type KeytechResult } from "../core/result.js";
import { inputError } from "../core/errors.js";
import { feols, type FixedEffectInput } from "../estimators/feols.js";
import { guoTest, maxPTest, sobelTest } from "../inference/mediation-test.js";
import type { DidPanel } from "../data/panel.js";
import { fitTwfe, panelColumn, type PanelModel } from "./twfe-fit.js";

const row = (term: string, estimate: number, se: number | null, stat: number | null, p: number | null, extra: Record<string, unknown> = {}): EstimateRow => ({
  term,
  estimate,
  std_error: se,
  statistic: stat,
  p_value: p,
  conf_low: null,
  conf_high: null,
  ...extra,
});

/** Table 2: the (a) and (b) regressions for every mediator plus a summary with Sobel and MaxP. */
export function mediationTable(
  d: DidPanel,
  input: PanelModel & { mediators: string[] },
): { models: { mediator: string; a: KeytechResult; b: KeytechResult }[]; summary: KeytechResult } {
  const yName = input.outcome;
  const y = panelColumn(d, yName);
  const D = { name: "treat_post", values: panelColumn(d, input.treat ?? "treat_post") };
  const ctrls = input.controls.map((c) => ({ name: c, values: panelColumn(d, c) }));
  const models = input.mediators.map((m) => {
    const mv = panelColumn(d, m);
    const a = fitTwfe(d, { y: mv, yName: m, x: [D, ...ctrls], command: "mediation a", options: { mediator: m } });
    const b = fitTwfe(d, { y, yName, x: [{ name: m, values: mv }, D, ...ctrls], command: "mediation b", options: { mediator: m } });
    return { mediator: m, a, b };
  });
  const estimates: EstimateRow[] = [];
  for (const { mediator, a, b } of models) {
    const ea = a.estimates.find((e) => e.term === "treat_post")!,
      eb = b.estimates.find((e) => e.term === mediator)!;
    const s = sobelTest(ea.estimate!, ea.std_error!, eb.estimate!, eb.std_error!);
    estimates.push(
      row(`sobel:${mediator}`, s.indirect, s.std_error, s.statistic, s.p_value, { a: ea.estimate, se_a: ea.std_error, b: eb.estimate, se_b: eb.std_error }),
    );
    estimates.push(row(`maxp:${mediator}`, s.indirect, null, null, maxPTest(ea.p_value!, eb.p_value!)));
  }
  const summary: KeytechResult = makeResult({
    command: "mediation",
    estimates,
    nobs: models[0]?.b.nobs ?? 0,
    vcov: models[0]?.b.vcov,
    dropped: { singletons: 0, missing: 0, collinear: [] },
    provenance: { seed: null, inputs: d.inputs, options: { outcome: yName, mediators: input.mediators, controls: input.controls, cluster: d.cluster.name } },
  });
  return { models, summary };
}

/**
 * Guo et al. (2022) S_n tests: `single:<m>` for each mediator and `joint` for all of them (H0: the total
 * indirect effect of D through the mediators is 0). Rows with any missing value are dropped listwise
 * (counted); Y, D, the mediators and the controls are demeaned on unit and year FEs by feols (FWL).
 */
export function jointMediationTest(d: DidPanel, input: PanelModel & { mediators: string[] }): KeytechResult {
  const yName = input.outcome;
  const names = [yName, input.treat ?? "treat_post", ...input.mediators, ...input.controls];
  const cols = names.map((n) => panelColumn(d, n));
  const rows: number[] = [];
  for (let i = 0; i < d.n; i++) if (cols.every((c) => Number.isFinite(c[i]!))) rows.push(i);
  const take = (v: Float64Array) => Float64Array.from(rows, (i) => v[i]!);
  const recode = (codes: Int32Array) => {
    const map = new Map<number, number>();
    const out = Int32Array.from(rows, (i) => {
      const c = codes[i]!;
      let v = map.get(c);
      if (v === undefined) map.set(c, (v = map.size));
      return v;
    });
    return { codes: out, nLevels: map.size };
  };
  const fes: FixedEffectInput[] = [
    { name: d.unitName, ...recode(d.unit.codes) },
    { name: d.timeName, ...recode(d.timeCodes) },
  ];
  // One feols call demeans every column (the regression itself is not used, only x̃ and ỹ).
  const fit = feols({ y: take(cols[0]!), yName, x: names.slice(1).map((n, k) => ({ name: n, values: take(cols[k + 1]!) })), fixedEffects: fes });
  if (fit.droppedCollinear.length)
    throw inputError(`cannot run the joint mechanism test: ${fit.droppedCollinear.join(", ")} collinear with the fixed effects or each other`);
  const tilde = new Map(fit.coefNames.map((n, k) => [n, fit.xTilde[k]!]));
  const absorbedDf = fit.nparams - fit.coefNames.length;
  const s = input.controls.map((c) => tilde.get(c)!);
  const base = { y: fit.yTilde, x: [tilde.get(names[1]!)!], s, intercept: false, absorbedDf };
  const estimates: EstimateRow[] = [];
  for (const m of input.mediators) {
    const g = guoTest({ ...base, m: [tilde.get(m)!] });
    estimates.push(row(`single:${m}`, g.indirect[0]!, g.std_error[0]!, g.statistic, g.p_value, { df: g.df }));
  }
  const j = guoTest({ ...base, m: input.mediators.map((m) => tilde.get(m)!) });
  estimates.push(row("joint", j.indirect[0]!, j.std_error[0]!, j.statistic, j.p_value, { df: j.df }));
  return makeResult({
    command: "mediation joint-test",
    estimates,
    nobs: fit.nobs,
    vcov: { type: "iid (Guo et al. 2022 S_n, χ² reference)", df: null },
    dropped: { singletons: fit.singletonsRemoved, missing: d.n - rows.length, collinear: fit.droppedCollinear },
    provenance: {
      seed: null,
      inputs: d.inputs,
      options: { outcome: yName, mediators: input.mediators, controls: input.controls, fe: [d.unitName, d.timeName], absorbed_df: absorbedDf },
    },
  });
}
