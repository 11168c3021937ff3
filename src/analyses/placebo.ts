/**
 * `keytech did placebo`: counterfactual ("random pilot") placebo for the TWFE DID (METHODS.md §11) as a
 * KeytechResult: the real β̂ (term `treat_post`) with its two-sided randomisation p-value, and a
 * `placebo` block with the distribution (mean, sd, quantiles, histogram and every draw).
 */
import { estimationError } from "../core/errors.js";
import { makeResult, type KeytechResult } from "../core/result.js";
import { Rng } from "../core/rng.js";
import { cohortValue, didPanelFromTable, factorizeNumbers, numeric, type Table } from "../data/index.js";
import { histogram, placeboPilots, type PilotPool, type PilotStrata } from "../inference/placebo-pilots.js";

export interface PlaceboAnalysisInput {
  y: string;
  unit: string;
  time: string;
  cohort: string;
  x?: string[];
  reps?: number;
  seed?: number;
  strata?: PilotStrata;
  pool?: PilotPool;
  inputsHash?: Record<string, string>;
  onProgress?: (done: number, total: number) => void;
}

export function placeboAnalysis(table: Table, a: PlaceboAnalysisInput): KeytechResult {
  const reps = a.reps ?? 500;
  const seed = a.seed ?? 1;
  const xs = a.x ?? [];
  const p = didPanelFromTable(
    table,
    {},
    { file: table.file, y: a.y, unit: a.unit, time: a.time, cohort: a.cohort, x: xs, dropMissing: [a.y, a.unit, a.time, ...xs], validate: true },
  );
  const t = p.table!,
    panel = p.groups!;
  const timeF = factorizeNumbers(numeric(t, a.time));
  const levels = timeF.levels as Float64Array;
  const T = timeF.nLevels;
  const N = panel.nUnits;
  const coh = numeric(t, a.cohort);
  const cohort = new Int32Array(N).fill(-1);
  const warnings: string[] = [];
  for (let r = 0; r < t.nrows; r++) {
    const c = cohortValue(coh[r]!);
    const u = panel.unit.codes[r]!;
    if (c === 0) continue;
    let k = 0;
    while (k < T && levels[k]! < c) k++;
    cohort[u] = k;
  }
  if (cohort.some((c) => c === T)) warnings.push("some cohorts start after the last period: those units are never treated within the sample");
  const res = placeboPilots(
    { unit: panel.unit.codes, nUnits: N, time: timeF.codes, nTimes: T, y: numeric(t, a.y), x: xs.map((n) => ({ name: n, values: numeric(t, n) })), cohort },
    new Rng(seed),
    {
      replications: reps,
      strata: a.strata ?? "none",
      pool: a.pool ?? "nonpilot",
      ...(a.onProgress ? { onProgress: (d: number) => a.onProgress!(d, reps) } : {}),
    },
  );
  if (res.draws.some((v) => Number.isNaN(v)))
    throw estimationError("a placebo draw gave an unidentified β (treatment collinear with the fixed effects); check the cohorts");
  if (res.droppedCollinear.length) warnings.push(`controls dropped as collinear with the fixed effects or each other: ${res.droppedCollinear.join(", ")}`);
  const yearOf = (c: number) => (c < T ? levels[c]! : null);
  const out: KeytechResult = makeResult({
    command: "did placebo",
    headline: { term: "treat_post", label: "the TWFE estimate with its randomisation p-value" },
    estimates: [
      {
        term: "treat_post",
        estimate: res.estimate,
        std_error: null,
        statistic: null,
        p_value: res.pValue,
        conf_low: null,
        conf_high: null,
        p_value_type: "randomisation, two-sided: share of |β_r| ≥ |β̂|",
        std_error_cluster: res.stdError,
        statistic_cluster: res.tStat,
        p_value_studentized: res.pValueT,
        p_value_studentized_type: "randomisation, two-sided, studentised: share of |t_r| ≥ |t̂|, t = β/se (se clustered by unit)",
      },
    ],
    nobs: t.nrows,
    dropped: { singletons: 0, missing: p.dropped.rows, collinear: res.droppedCollinear },
    placebo: {
      replications: reps,
      estimator: "TWFE: y ~ treat_post + x | unit + period (FWL: y partialled out once; β_r = D'ỹ / D'M D)",
      pool: a.pool ?? "nonpilot",
      pool_size: res.poolSize,
      strata: a.strata ?? "none",
      ...(res.strata ? { strata_table: res.strata } : {}),
      cohorts: res.cohortSizes.map((c) => ({ cohort: yearOf(c.cohort), size: c.size })),
      balanced: res.balanced,
      mean: res.mean,
      sd: res.sd,
      quantiles: res.quantiles,
      p_value: res.pValue,
      std_error_cluster: res.stdError,
      t_statistic: res.tStat,
      p_value_studentized: res.pValueT,
      se_type: "cluster-robust by unit, fixest default ssc: G/(G−1)·(n−1)/(n−K), K = 1 + #controls + #periods (same for the real estimate and every draw)",
      histogram: histogram(res.draws, res.estimate),
      draws: Array.from(res.draws),
      draws_se: Array.from(res.drawsSe),
      draws_t: Array.from(res.drawsT),
    },
    provenance: {
      seed,
      inputs: a.inputsHash ?? {},
      options: { y: a.y, unit: a.unit, time: a.time, cohort: a.cohort, x: xs, reps, strata: a.strata ?? "none", pool: a.pool ?? "nonpilot" },
    },
  });
  if (warnings.length) out.warnings = warnings;
  return out;
}
