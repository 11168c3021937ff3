/**
 * Sun & Abraham (2021) event study as a KeytechResult (`keytech did sunab`): estimates `rel::l` aggregated over
 * cohorts with cell-share weights (delta-method SEs from the full cluster VCOV; clustered by unit unless
 * other clusters are given), then the covariates; `aggregations.ATT` is the pooled post-period effect
 * (fixest `agg = "ATT"`); `cells` lists every cohort × relative-period coefficient. METHODS.md §4.2.
 */
import { makeResult, type EstimateRow, type HeadlineSpec, type KeytechResult } from "../core/result.js";
import { qt, twoSidedT } from "../core/distributions.js";
import { sunabAggregate, sunabAtt, sunabFit, type AggregateRow } from "../estimators/sunab.js";
import { coefTable, computeVcov, type ClusterInput, type SscOptions } from "../inference/vcov.js";
import { sunabVcovMatrix } from "../inference/sunab-vcov.js";
import { vcovBlock } from "./result-parts.js";

export interface SunabAnalysisInput {
  y: { name: string; values: Float64Array };
  unit: ClusterInput;
  time: { name: string; values: Float64Array };
  /** first treated period (0 / NaN = never treated) */
  cohort: { name: string; values: Float64Array };
  x?: { name: string; values: Float64Array }[];
  /** cluster dimensions (default: the unit) */
  clusters?: ClusterInput[];
  weights?: Float64Array;
  refPeriod?: number;
  ssc?: SscOptions;
  level?: number;
  /** rows dropped upstream for missing values */
  missingDropped?: number;
  /** input file hashes for provenance */
  inputs?: Record<string, string>;
  options?: Record<string, unknown>;
}

function row(r: AggregateRow, df: number, level: number): EstimateRow {
  const t = r.estimate / r.std_error;
  const q = qt(1 - (1 - level) / 2, df);
  return {
    term: r.term,
    estimate: r.estimate,
    std_error: r.std_error,
    statistic: t,
    p_value: twoSidedT(t, df),
    conf_low: r.estimate - q * r.std_error,
    conf_high: r.estimate + q * r.std_error,
  };
}

/** The overall effect of Sun–Abraham: the ATT over the post cells (aggregations.ATT). */
export const SUNAB_HEADLINE: HeadlineSpec = { term: "ATT", label: "ATT over post cells (cell shares)" };

export function sunabAnalysis(a: SunabAnalysisInput): KeytechResult {
  const level = a.level ?? 0.95;
  const sf = sunabFit({
    y: a.y.values,
    yName: a.y.name,
    unit: { name: a.unit.name, codes: a.unit.codes, nLevels: a.unit.nLevels },
    time: a.time.values,
    cohort: a.cohort.values,
    x: a.x,
    weights: a.weights,
    refPeriod: a.refPeriod,
  });
  const pickRows = (c: ClusterInput): ClusterInput => (sf.rows ? { ...c, codes: Int32Array.from(sf.rows, (r) => c.codes[r]!) } : c);
  const clusters = (a.clusters?.length ? a.clusters : [a.unit]).map(pickRows);
  const vc = computeVcov(sf.fit, { type: "cluster", clusters }, a.ssc);
  const rels = sunabAggregate(sf, vc.V).map((r) => row(r, vc.df, level));
  const cellNames = new Set(sf.cells.map((c) => sf.fit.coefNames[c.coef]!));
  const table = coefTable(sf.fit, vc, level);
  const covs = table.filter((r) => !cellNames.has(r.term));
  const att = row(sunabAtt(sf, vc.V), vc.df, level);
  const k = sf.fit.coef.length;
  const warnings: string[] = [];
  if (sf.alwaysTreatedDropped) warnings.push(`${sf.alwaysTreatedDropped} rows of always-treated cohorts (treated from the first period) dropped`);
  if (!sf.fit.converged) warnings.push(`demeaning did not converge in ${sf.fit.iterations} iterations`);
  return makeResult({
    command: "did sunab",
    headline: { ...SUNAB_HEADLINE, row: att },
    estimates: [...rels, ...covs],
    nobs: sf.fit.nobs,
    fit: { r2: sf.fit.r2, adj_r2: sf.fit.adjR2, within_r2: sf.fit.withinR2 },
    vcov: vcovBlock(vc),
    dropped: { singletons: 0, missing: a.missingDropped ?? 0, collinear: sf.fit.droppedCollinear, always_treated: sf.alwaysTreatedDropped },
    aggregations: { ATT: att },
    cells: sf.cells.map((c) => ({
      cohort: c.cohort,
      rel: c.rel,
      n: c.n,
      estimate: sf.fit.coef[c.coef]!,
      std_error: Math.sqrt(vc.V.data[c.coef * k + c.coef]!),
    })),
    vcov_matrix: sunabVcovMatrix(sf, vc.V),
    provenance: { seed: null, inputs: a.inputs ?? {}, options: { ref_period: a.refPeriod ?? -1, level, ...(a.options ?? {}) } },
    ...(warnings.length ? { warnings } : {}),
  });
}
